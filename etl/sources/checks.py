"""Check frames every source kind uses: area codes, numbers, years, duplicate keys, columns and names.

A check frame is SQL over the delivery view that returns one row per distinct value, with the first line it
occurs on (``_rij``) and how many lines have it (``_aantal``); GX runs the rules on those small frames.
"""

from __future__ import annotations

import duckdb

from etl.sources.base import CODE_REGEX, INTEGER_REGEX, NUMBER_REGEX, PERIOD_REGEX, Plan, SourceError, q
from etl.validation import Frame, Rule, where

# An area name as it may be shown: letters and digits of any script, spaces and the punctuation real CBS and
# municipal names use (checked against every buurt name of 2017 and 2024). No markup ([, ], <, >, *, _, `, #,
# :, $, |, \), no control characters, at most 100 characters. Python syntax: GX validates pandas frames.
NAME_REGEX = r"^(?:[^\W_]|[ .,'\u2018\u2019\u201c\u201d\"&+()/\u2010-\u2014-]){1,100}$"
NAME_RULE = (
    "naam bevat tekens die niet zijn toegestaan of is te lang: alleen letters, cijfers, spaties en "
    ". , ' ’ \" & + ( ) / - – (geen opmaak of stuurtekens), hoogstens 100 tekens"
)


def division_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many area codes the loaded area divisions hold (0 when none is loaded)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
        "AND table_name = 'dim_indeling_gebied'"
    ).fetchone()[0]
    return con.execute("SELECT count(*) FROM marts.dim_indeling_gebied").fetchone()[0] if exists else 0


def code_frame(
    con: duckdb.DuckDBPyConnection, plan: Plan, view: str, kolom: str, must_exist: bool, extra_group: str = ""
) -> Frame:
    """Area codes: present and shaped like CBS codes; with ``must_exist``, also in the delivery's area division
    (``plan.indeling``, etl/indeling.py) — for every year of the file, as CBS presents all years on one."""
    sql = (
        f"SELECT {plan.code_expr} AS gebied_code{extra_group and ', ' + extra_group}, "
        f"min(_rij) AS _rij, count(*) AS _aantal FROM {view} GROUP BY ALL ORDER BY _rij"
    )
    rules = [
        Rule(
            lambda g: g.ExpectColumnValuesToNotBeNull(column="gebied_code"),
            kolom,
            "gebiedscode ontbreekt",
            waarde="gebied_code",
        ),
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(column="gebied_code", regex=CODE_REGEX),
            kolom,
            "geen geldige CBS-gebiedscode (zoals GM0597, WK059701 of BU05970100); een landelijk bestand (met "
            "NL00 voor heel Nederland) laadt u per gemeente met --gemeente GM0597",
            waarde="gebied_code",
        ),
    ]
    if must_exist:
        if not division_count(con):
            raise SourceError(
                "er is nog geen gebiedsindeling geladen, dus de gebiedscodes kunnen niet gecontroleerd "
                "worden. Laad eerst een bevolkingsbestand (CBS Kerncijfers wijken en buurten) of een "
                "gebiedenbestand (GeoJSON of CBS-codelijst)."
            )
        indeling = int(plan.indeling or 0)
        # Whether a code is in the division is decided in DuckDB (`bekend` = 1/0): handing GX the ~14,000 valid
        # codes as a value set costs seconds (it copies the set many times). `elders` = 1 when another loaded
        # division has the code (a file on another division, or one that mixes divisions).
        sql = (
            "SELECT f.*, CASE WHEN f.gebied_code IS NULL THEN NULL ELSE CAST(EXISTS (SELECT 1 FROM "
            "marts.dim_indeling_gebied AS d WHERE d.indeling = ? AND d.gebied_code = f.gebied_code) AS INTEGER) "
            "END AS bekend, CAST(EXISTS (SELECT 1 FROM marts.dim_indeling_gebied AS d WHERE d.indeling <> ? AND "
            f"d.gebied_code = f.gebied_code) AS INTEGER) AS elders FROM ({sql}) AS f ORDER BY f._rij"
        )
        naam = "zonder jaar" if indeling == 0 else str(indeling)
        rules += [
            Rule(
                lambda g: g.ExpectColumnValuesToBeInSet(
                    column="bekend", value_set=[1], row_condition=where("elders", "==", 0)
                ),
                kolom,
                f"gebiedscode bestaat niet in gebiedsindeling {naam}, en ook niet in een andere geladen "
                "gebiedsindeling: laad eerst de gebieden (GeoJSON, CBS-codelijst of kerncijfers) waar deze "
                "code in voorkomt",
                waarde="gebied_code",
            ),
            Rule(
                lambda g: g.ExpectColumnValuesToBeInSet(
                    column="bekend", value_set=[1], row_condition=where("elders", "==", 1)
                ),
                kolom,
                f"gebiedscode bestaat niet in gebiedsindeling {naam} (die het bestand volgt), wel in een andere "
                "geladen gebiedsindeling: lever één bestand per gebiedsindeling aan, of geef de indeling op met "
                "--indeling JAAR",
                waarde="gebied_code",
            ),
        ]
        return Frame("gebied", sql, params=[indeling, indeling], rules=rules)
    return Frame("gebied", sql, rules=rules)


def numbers_frame(plan: Plan, view: str, names: list[str], integer: bool, nonnegative: bool) -> Frame:
    """Distinct non-missing values of several number columns, unpivoted into (kolom, waarde, getal).

    ``kolom`` is the delivered column name, bound as a parameter (it is text from the file)."""
    unions = " UNION ALL ".join(
        f"SELECT ? AS kolom, {plan.sql(name)} AS waarde, _rij FROM {view} WHERE NOT wm_leeg({plan.sql(name)})"
        for name in names
    )
    params = [plan.columns[name] for name in names]
    sql = (
        f"SELECT kolom, waarde, wm_getal(waarde) AS getal, min(_rij) AS _rij, count(*) AS _aantal "
        f"FROM ({unions}) GROUP BY ALL ORDER BY _rij"
    )
    rules = [
        Rule(
            lambda g: g.ExpectColumnValuesToMatchRegex(
                column="waarde", regex=INTEGER_REGEX if integer else NUMBER_REGEX
            ),
            "{kolom}",
            "moet een geheel getal zijn" if integer else "moet een getal zijn",
            waarde="waarde",
        )
    ]
    if nonnegative:
        rules.append(
            Rule(
                lambda g: g.ExpectColumnValuesToBeBetween(column="getal", min_value=0),
                "{kolom}",
                "mag niet negatief zijn",
                waarde="waarde",
            )
        )
    return Frame("getallen", sql, params=params, rules=rules)


def year_frame(plan: Plan, view: str, example: str) -> Frame:
    """Distinct values of the year column; each must be a year such as 2019."""
    column = plan.columns["jaar"]
    sql = (
        f"SELECT {plan.sql('jaar')} AS jaar, min(_rij) AS _rij, count(*) AS _aantal FROM {view} "
        "GROUP BY ALL ORDER BY _rij"
    )
    return Frame(
        "jaar",
        sql,
        rules=[
            Rule(
                lambda g: g.ExpectColumnValuesToMatchRegex(column="jaar", regex=PERIOD_REGEX["jaar"]),
                column,
                f"geen geldig jaar (bijv. {example})",
                waarde="jaar",
            )
        ],
    )


def key_frame(view: str, key_exprs: dict[str, str]) -> Frame:
    key_sql = " || ' | ' || ".join(f"coalesce({e}, '')" for e in key_exprs.values())
    sql = (
        f"SELECT {key_sql} AS sleutel, min(_rij) AS _rij, count(*) AS _aantal FROM {view} "
        f"GROUP BY ALL HAVING count(*) > 1 ORDER BY _rij"
    )
    label = " + ".join(key_exprs)
    return Frame(
        "uniek",
        sql,
        rules=[
            Rule(
                lambda g: g.ExpectColumnValuesToBeBetween(column="_aantal", max_value=1),
                label,
                f"dubbele regel: de combinatie {label} komt vaker voor (elke combinatie mag één keer voorkomen)",
                waarde="sleutel",
            )
        ],
    )


def column_frame(plan: Plan, required: list[str]) -> Frame:
    """The required columns of the delivery's kind and variant: each must be present."""
    present = [c for c in required if c in plan.columns]
    cols = ", ".join(f"NULL AS {q(c)}" for c in present) or "NULL AS _leeg"
    sql = f"SELECT {cols} WHERE false"
    return Frame(
        "kolommen",
        sql,
        rules=[Rule(lambda g, c=c: g.ExpectColumnToExist(column=c), c, "verplichte kolom") for c in required],
    )


def names_frame(plan: Plan, view: str) -> Frame | None:
    """Distinct area names of the delivery: they are shown on every page, so they must be plain names."""
    exprs = {
        raw: plan.select[raw]
        for raw in ("gebied_naam", "Gemeentenaam")
        if raw in plan.select and plan.select[raw] != "NULL"
    }
    if not exprs:
        return None
    labels = {
        "gebied_naam": plan.columns.get("Title")
        or plan.columns.get(next((k for k in plan.columns if k.endswith("_naam")), ""), "naam"),
        "Gemeentenaam": plan.columns.get("Gemeentenaam", "Gemeentenaam"),
    }
    if plan.variant == "geojson":
        labels["gebied_naam"] = f"naam ({plan.extra_raw.get('naam_template')})"
    unions = " UNION ALL ".join(
        f"SELECT ? AS kolom, CAST({expr} AS VARCHAR) AS naam, _rij FROM {view} "
        f"WHERE nullif(trim(CAST({expr} AS VARCHAR)), '') IS NOT NULL"
        for expr in exprs.values()
    )
    return Frame(
        "namen",
        f"SELECT kolom, trim(naam) AS naam, min(_rij) AS _rij, count(*) AS _aantal FROM ({unions}) "
        "GROUP BY ALL ORDER BY _rij",
        params=[labels[raw] for raw in exprs],
        rules=[
            Rule(
                lambda g: g.ExpectColumnValuesToMatchRegex(column="naam", regex=NAME_REGEX),
                "{kolom}",
                NAME_RULE,
                waarde="naam",
            )
        ],
    )
