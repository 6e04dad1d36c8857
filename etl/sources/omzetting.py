"""omzetting: a crosswalk between two area divisions (van_code;naar_code;aandeel): which share of area
``van_code`` of one division lies in area ``naar_code`` of another (e.g. CBS buurten 2019 -> 2024, delivered by
the gemeente's GIS team or derived from the CBS "wijk- en buurtkaart" changes).

The two divisions come from the optional columns ``van_indeling`` and ``naar_indeling`` (years), or
``--indeling`` (the target), or are recognised from the codes (each column: the loaded division that holds most
of its codes). Raw table ``raw.omzetting__omzettingen``; staging model
``etl/sql/staging/stg_omzetting__omzettingen.sql``; used by ``etl/indeling.py`` (``fct_omzetting``).
"""

from __future__ import annotations

import dataclasses

import duckdb

from etl.reader import Delivery, shown
from etl.sources.base import Options, Plan, SourceError
from etl.sources.checks import code_frame, key_frame, numbers_frame
from etl.validation import Frame, Rule

KIND = "omzetting"
REQUIRED = {"omzettingstabel": ["van_code", "naar_code", "aandeel"]}
OPTIONAL = {"omzettingstabel": ["van_indeling", "naar_indeling"]}
# the shares of one source area must add up to the whole (rounding to three decimals is allowed for)
SUM_TOLERANCE = 0.005


def is_omzetting(names: set[str]) -> bool:
    """A crosswalk: a source code, a target code and the share."""
    return {"van_code", "naar_code", "aandeel"} <= names


def plan(
    delivery: Delivery, opts: Options, variant: str, cols: dict[str, str], idents: dict[str, str]
) -> Plan:
    def col(name: str) -> str:
        return idents.get(name, "NULL")

    select = {c: col(c) for c in ["van_code", "naar_code", "aandeel", "van_indeling", "naar_indeling"]}
    # the divisions are decided in frames(), where the loaded divisions can be looked at
    select["_van_indeling"] = "NULL"
    select["_naar_indeling"] = "NULL"
    result = Plan(
        KIND,
        variant,
        "raw.omzetting__omzettingen",
        "gemeente",
        cols,
        select,
        f"trim({col('van_code')})",
        None,
    )
    result.extra_raw = {"opties_indeling": opts.indeling}
    return result


def _division(con: duckdb.DuckDBPyConnection, plan: Plan, view: str, side: str, given: int | None) -> int:
    """The division of one side: its column (one value for the whole file), the option, or recognised."""
    from etl import indeling

    if side + "_indeling" in plan.idents:
        values = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT trim({plan.idents[side + '_indeling']}) FROM {view} ORDER BY 1"
            ).fetchall()
        ]
        if len(values) != 1 or not (values[0] or "").isdigit():
            raise SourceError(
                f"kolom {side}_indeling moet in het hele bestand één jaar bevatten (bijv. 2019), niet "
                f"{', '.join(shown(v, 12) for v in values[:5])}"
            )
        return int(values[0])
    if given is not None:
        return given
    best, found, total = indeling.recognise(con, f"SELECT trim({plan.idents[side + '_code']}) FROM {view}")
    if best is None or not found:
        raise SourceError(
            f"de codes in {side}_code komen in geen geladen gebiedsindeling voor: laad eerst beide "
            "gebiedsindelingen (GeoJSON, CBS-codelijst of kerncijfers), of geef kolommen van_indeling en "
            "naar_indeling"
        )
    return best


def frames(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> list[Frame]:
    """Both divisions, codes in their division, shares between 0 and 1 that add up to 1, no duplicates."""
    from etl.indeling import naam

    van = _division(con, plan, view, "van", None)
    naar = _division(con, plan, view, "naar", plan.extra_raw.get("opties_indeling"))
    if van == naar:
        raise SourceError(
            f"van_code en naar_code horen allebei bij gebiedsindeling {naam(van)}: een omzettingstabel zet "
            "codes van de ene indeling om naar een andere (geef zo nodig kolommen van_indeling en naar_indeling)"
        )
    plan.select["_van_indeling"] = str(int(van))
    plan.select["_naar_indeling"] = str(int(naar))
    plan.indeling = naar
    plan.indeling_herkomst = f"omzetting van gebiedsindeling {naam(van)} naar {naam(naar)}"
    van_code, naar_code, aandeel = (plan.sql(c) for c in ("van_code", "naar_code", "aandeel"))
    van_plan = dataclasses.replace(plan, code_expr=van_code, indeling=van)
    naar_plan = dataclasses.replace(plan, code_expr=naar_code, indeling=naar)
    return [
        code_frame(con, van_plan, view, plan.columns["van_code"], must_exist=True),
        dataclasses.replace(
            code_frame(con, naar_plan, view, plan.columns["naar_code"], must_exist=True), naam="gebied_naar"
        ),
        numbers_frame(plan, view, ["aandeel"], integer=False, nonnegative=True),
        Frame(
            "aandeel",
            f"SELECT {aandeel} AS aandeel, wm_getal({aandeel}) AS getal, min(_rij) AS _rij, count(*) AS _aantal "
            f"FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=[
                Rule(
                    lambda g: g.ExpectColumnValuesToBeBetween(
                        column="getal", min_value=0, max_value=1, strict_min=True
                    ),
                    plan.columns["aandeel"],
                    "een aandeel ligt tussen 0 en 1 (0,25 = een kwart van het gebied)",
                    waarde="aandeel",
                )
            ],
        ),
        Frame(
            "som",
            f"SELECT {van_code} AS van_code, round(sum(wm_getal({aandeel})), 6) AS som, min(_rij) AS _rij, "
            f"count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=[
                Rule(
                    lambda g: g.ExpectColumnValuesToBeBetween(
                        column="som", min_value=1 - SUM_TOLERANCE, max_value=1 + SUM_TOLERANCE
                    ),
                    plan.columns["van_code"],
                    "de aandelen van een van_code tellen niet op tot 1: elk gebied moet helemaal worden verdeeld",
                    waarde="van_code",
                )
            ],
        ),
        Frame(
            "niveau",
            f"SELECT {van_code} || ' -> ' || {naar_code} AS paar, "
            f"wm_niveau({van_code}) IS NOT DISTINCT FROM wm_niveau({naar_code}) AS zelfde, "
            f"min(_rij) AS _rij, count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij",
            rules=[
                Rule(
                    lambda g: g.ExpectColumnValuesToBeInSet(column="zelfde", value_set=[True]),
                    plan.columns["naar_code"],
                    "van_code en naar_code moeten van hetzelfde niveau zijn (buurt naar buurt, wijk naar wijk)",
                    waarde="paar",
                )
            ],
        ),
        key_frame(view, {"van_code": van_code, "naar_code": naar_code}),
    ]


def variables() -> list[dict[str, str]]:
    """A crosswalk delivers no figures."""
    return []
