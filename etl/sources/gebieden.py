"""gebieden: an area division (codes, names and, for GeoJSON, geometry) valid from a given year (``--jaar``).

Two variants, one staging model: ``geojson`` (polygons with properties; the code and name may be composed
from properties with ``--code``/``--naam`` templates) and ``cbs-codelijst`` (CBS code list: Identifier,
Title). Raw table ``raw.gebieden__gebieden``; staging model ``etl/sql/staging/stg_gebieden__gebieden.sql``.
A gebieden delivery defines areas.
"""

from __future__ import annotations

import re

import duckdb

from etl.reader import Delivery, shown
from etl.sources.base import Options, Plan, SourceError, listed
from etl.sources.checks import code_frame, key_frame
from etl.validation import Frame, Rule

KIND = "gebieden"
REQUIRED: dict[str, list[str]] = {"cbs-codelijst": ["Identifier", "Title"], "geojson": []}
OPTIONAL: dict[str, list[str]] = {"cbs-codelijst": [], "geojson": []}


def is_geojson(delivery: Delivery) -> bool:
    """Every GeoJSON file is an area division (tried before any column names are looked at)."""
    return delivery.fmt == "geojson"


def is_cbs_codelijst(names: set[str]) -> bool:
    """The CBS code list of areas."""
    return {"identifier", "title"} <= names


def _fill_template(template: str, delivery: Delivery) -> str:
    """'BU{GEMEENTECODE}{BUURTCODE}' -> SQL concatenation over the delivery's property columns."""
    parts: list[str] = []
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]*)\})?", template):
        if literal:
            parts.append("'" + literal.replace("'", "''") + "'")
        if name:
            props = delivery.geojson_properties
            if name not in props:
                raise SourceError(
                    f"eigenschap '{shown(name)}' uit het sjabloon '{shown(template)}' komt niet voor in het "
                    f"GeoJSON-bestand; wel: {listed(props)}"
                )
            parts.append(f"coalesce(trim({delivery.ident(name)}), '')")
    return "(" + " || ".join(parts or ["NULL"]) + ")"


def plan(
    delivery: Delivery, opts: Options, variant: str, cols: dict[str, str], idents: dict[str, str]
) -> Plan:
    def col(name: str) -> str:
        return idents.get(name, "NULL")

    year_sql = str(int(opts.jaar)) if opts.jaar else "NULL"
    if variant == "cbs-codelijst":
        select = {
            "gebied_code": col("Identifier"),
            "gebied_naam": col("Title"),
            "geometrie": "NULL",
            "eigenschappen": "NULL",
            "_jaar": year_sql,
        }
        return Plan(
            KIND,
            variant,
            "raw.gebieden__gebieden",
            "CBS",
            cols,
            select,
            f"trim({col('Identifier')})",
            year_sql,
        )
    props = delivery.geojson_properties
    code_t = opts.code_template or next(
        (f"{{{p}}}" for p in ("gebied_code", "code", "statcode", "buurtcode") if p in props), None
    )
    naam_t = opts.naam_template or next(
        (f"{{{p}}}" for p in ("gebied_naam", "naam", "statnaam", "buurtnaam") if p in props), None
    )
    if not code_t:
        raise SourceError(
            f"{delivery.path.name}: geen eigenschap met de gebiedscode gevonden (gezocht: gebied_code, code, "
            f"statcode). Geef aan hoe de CBS-code wordt samengesteld, bijv. --code 'BU{{GEMEENTECODE}}{{BUURTCODE}}'"
            f" --naam '{{BUURT}}'. Eigenschappen in het bestand: {listed(props)}"
        )
    code_sql = _fill_template(code_t, delivery)
    select = {
        "gebied_code": code_sql,
        "gebied_naam": _fill_template(naam_t, delivery) if naam_t else "NULL",
        "geometrie": "geometrie",
        "eigenschappen": "eigenschappen",
        "_jaar": year_sql,
    }
    return Plan(
        KIND,
        variant,
        "raw.gebieden__gebieden",
        "gemeente",
        {},
        select,
        code_sql,
        year_sql,
        extra_raw={"code_template": code_t, "naam_template": naam_t},
    )


def frames(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> list[Frame]:
    """Area codes (this file defines them), for GeoJSON the geometry type and validity, duplicate codes."""
    label = "gebied_code" if plan.variant == "geojson" else plan.columns["Identifier"]
    out: list[Frame] = [code_frame(con, plan, view, label, must_exist=False)]
    if plan.variant == "geojson":
        out.append(
            Frame(
                "geometrie",
                f"SELECT geometrie_type, min(_rij) AS _rij, count(*) AS _aantal "
                f"FROM {view} GROUP BY ALL ORDER BY _rij",
                rules=[
                    Rule(
                        lambda g: g.ExpectColumnValuesToBeInSet(
                            column="geometrie_type", value_set=["Polygon", "MultiPolygon"]
                        ),
                        "geometry",
                        "de geometrie moet een Polygon of MultiPolygon zijn",
                        waarde="geometrie_type",
                    )
                ],
            )
        )
        out.append(
            Frame(
                "geometrie_geldig",
                f"SELECT geometrie_fout, min(_rij) AS _rij, count(*) AS _aantal FROM {view} "
                "GROUP BY ALL ORDER BY _rij",
                rules=[
                    Rule(
                        lambda g: g.ExpectColumnValuesToBeNull(column="geometrie_fout"),
                        "geometry",
                        "de geometrie moet een geldige polygoon in WGS84 zijn",
                        waarde="geometrie_fout",
                    )
                ],
            )
        )
    out.append(key_frame(view, {"gebied_code": plan.code_expr}))
    return out
