"""gebieden: an area division (codes, names and, for GeoJSON, geometry) valid from a given year (``--jaar``).

Two variants, one staging model: ``geojson`` (polygons with properties; the code and name may be composed
from properties with ``--code``/``--naam`` templates) and ``cbs-codelijst`` (CBS code list of the dimension
WijkenEnBuurten: ``Identifier``/``Title`` as OData v4 writes it, or ``Key``/``Title`` as OData v3 and the
``cbsodata``/``cbsodataR`` packages write it). Raw table ``raw.gebieden__gebieden``; staging model
``etl/sql/staging/stg_gebieden__gebieden.sql``. A gebieden delivery defines areas.

Without ``--code`` a GeoJSON file's code is looked up among its properties (case-insensitive):
``gebied_code``, ``code`` or ``statcode``; else the CBS wijk- en buurtkaart's per-level properties (PDOK:
``buurtcode``/``wijkcode``/``gemeentecode``; the CBS shapefile: ``bu_code``/``wk_code``/``gm_code``), of
which each feature takes its finest filled level (a PDOK buurten layer has all three per feature: the code
is the buurtcode), with the name of that level.
"""

from __future__ import annotations

import re

import duckdb

from etl.reader import Delivery, shown
from etl.sources.base import CODE_REGEX, Options, Plan, SourceError, listed
from etl.sources.checks import code_frame, key_frame
from etl.sources.politie import whole_delivery
from etl.validation import Frame, Rule

KIND = "gebieden"
# The code column is Identifier (OData v4) or Key (OData v3); detection guarantees one of them.
REQUIRED: dict[str, list[str]] = {"cbs-codelijst": ["Title"], "geojson": []}
OPTIONAL: dict[str, list[str]] = {"cbs-codelijst": ["Identifier", "Key"], "geojson": []}

# GeoJSON properties that hold the whole code (and the name), tried in this order (case-insensitive).
CODE_PROPERTIES = ("gebied_code", "code", "statcode")
NAME_PROPERTIES = ("gebied_naam", "naam", "statnaam")
# The CBS wijk- en buurtkaart: (code property names, name property names) per level, finest level first.
LEVEL_PROPERTIES = (
    (("buurtcode", "bu_code"), ("buurtnaam", "bu_naam")),
    (("wijkcode", "wk_code"), ("wijknaam", "wk_naam")),
    (("gemeentecode", "gm_code"), ("gemeentenaam", "gm_naam")),
)
SEARCHED = ", ".join(CODE_PROPERTIES + tuple(p for codes, _ in LEVEL_PROPERTIES for p in codes))
AREA_PREFIX = re.compile(r"^\s*(NL|GM|WK|BU)[0-9]", re.IGNORECASE)


def is_geojson(delivery: Delivery) -> bool:
    """Every GeoJSON file is an area division (tried before any column names are looked at)."""
    return delivery.fmt == "geojson"


def is_cbs_codelijst(names: set[str]) -> bool:
    """The CBS code list of areas: Identifier/Title (OData v4) or Key/Title (OData v3, cbsodata, cbsodataR)."""
    return "title" in names and bool(names & {"identifier", "key"})


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


def _property(props: list[str], names: tuple[str, ...]) -> str | None:
    """The first delivered property whose name (case-insensitive) is one of ``names``, in the order of ``names``."""
    by_lower: dict[str, str] = {}
    for p in props:
        by_lower.setdefault(p.strip().lower(), p)
    return next((by_lower[n] for n in names if n in by_lower), None)


def _level_code(delivery: Delivery) -> tuple[str, str, str, str, list[str]] | None:
    """The code and name of each feature's finest filled level of the CBS wijk- en buurtkaart properties.

    Returns (code SQL, name SQL, code description, name description, code properties) or None."""
    props = delivery.geojson_properties
    levels = [(_property(props, codes), _property(props, names)) for codes, names in LEVEL_PROPERTIES]
    levels = [(c, n) for c, n in levels if c]
    if not levels:
        return None

    def filled(p: str) -> str:
        return f"nullif(trim({delivery.ident(p)}), '')"

    code_sql = "coalesce(" + ", ".join(filled(c) for c, _ in levels) + ")"
    name_sql = (
        "CASE "
        + " ".join(
            f"WHEN {filled(c)} IS NOT NULL THEN " + (f"trim({delivery.ident(n)})" if n else "NULL")
            for c, n in levels
        )
        + " END"
    )
    code_t = ", anders ".join(f"{{{c}}}" for c, _ in levels)
    naam_t = ", anders ".join(f"{{{n}}}" for _, n in levels if n) or None
    return code_sql, name_sql if naam_t else "NULL", code_t, naam_t, [c for c, _ in levels]


def plan(
    delivery: Delivery, opts: Options, variant: str, cols: dict[str, str], idents: dict[str, str]
) -> Plan:
    def col(name: str) -> str:
        return idents.get(name, "NULL")

    year_sql = str(int(opts.jaar)) if opts.jaar else "NULL"
    if variant == "cbs-codelijst":
        code = "Identifier" if "Identifier" in cols else "Key"
        select = {
            "gebied_code": col(code),
            "gebied_naam": col("Title"),
            "geometrie": "NULL",
            "eigenschappen": "NULL",
            "_jaar": year_sql,
        }
        return Plan(
            KIND, variant, "raw.gebieden__gebieden", "CBS", cols, select, f"trim({col(code)})", year_sql
        )
    props = delivery.geojson_properties
    columns: dict[str, str] = {}  # for the check of the values: the properties chosen without --code
    code_sql = name_sql = None
    code_t, naam_t = opts.code_template, opts.naam_template
    if not code_t:
        found = _property(props, CODE_PROPERTIES)
        level = _level_code(delivery)
        if found:
            code_t, columns["gebied_code"] = f"{{{found}}}", found
        elif level:
            code_sql, level_name_sql, code_t, level_naam_t, used = level
            columns["gebied_code"] = ", ".join(used)
            if not naam_t:
                name_sql, naam_t = level_name_sql, level_naam_t
    if not code_t:
        raise SourceError(
            f"{delivery.path.name}: geen eigenschap met de gebiedscode gevonden (gezocht, hoofdletters maken "
            f"niet uit: {SEARCHED}). Geef aan hoe de CBS-code wordt samengesteld, bijv. "
            f"--code 'BU{{GEMEENTECODE}}{{BUURTCODE}}' --naam '{{BUURT}}'. Eigenschappen in het bestand: "
            f"{listed(props)}"
        )
    if not naam_t:
        found = _property(props, NAME_PROPERTIES + tuple(n for _, names in LEVEL_PROPERTIES for n in names))
        naam_t = f"{{{found}}}" if found else None
    code_sql = code_sql or _fill_template(code_t, delivery)
    if name_sql is None:
        name_sql = _fill_template(naam_t, delivery) if naam_t else "NULL"
    select = {
        "gebied_code": code_sql,
        "gebied_naam": name_sql,
        "geometrie": "geometrie",
        "eigenschappen": "eigenschappen",
        "_jaar": year_sql,
    }
    result = Plan(
        KIND,
        variant,
        "raw.gebieden__gebieden",
        "gemeente",
        columns,
        select,
        code_sql,
        year_sql,
        extra_raw={"code_template": code_t, "naam_template": naam_t},
    )
    result.idents = {p: delivery.ident(p) for p in props}  # plan_delivery leaves a GeoJSON plan's idents
    return result


def _code_list_holds_areas(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> None:
    """Refuse a code list of another dimension (e.g. SoortMisdrijf: Key;Title) instead of 59 row messages."""
    label = plan.columns.get("Identifier") or plan.columns["Key"]
    filled, areas, example = con.execute(
        f"SELECT count(c), count(*) FILTER (regexp_matches(c, ?)), arg_min(c, _rij) FILTER (c IS NOT NULL) "
        f"FROM (SELECT nullif({plan.code_expr}, '') AS c, _rij FROM {view})",
        [AREA_PREFIX.pattern],
    ).fetchone()
    if filled and not areas:
        raise SourceError(
            f"de kolom '{shown(label, 40)}' bevat geen gebiedscodes (zoals GM0597, WK059701 of BU05970100) maar "
            f"bijv. '{shown(example, 40)}': dit is geen CBS-codelijst van wijken en buurten. Een codelijst van "
            "een andere dimensie (zoals SoortMisdrijf of Perioden) hoeft niet geladen te worden; lever voor de "
            "gebiedsindeling de codelijst WijkenEnBuurten (kolommen Key of Identifier, en Title)."
        )


def _geojson_codes_are_cbs_codes(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> None:
    """A code property chosen without --code must hold CBS codes; if not, say which property does, if any."""
    chosen = plan.columns.get("gebied_code")
    if not chosen:
        return  # the code comes from --code: each row is checked and reported on its own
    others = {p: i for p, i in plan.idents.items() if p not in chosen.split(", ")}
    # per other property: values that are CBS codes, filled values, distinct CBS codes
    aggregates = "".join(
        f", count(*) FILTER (regexp_matches(trim({i}), ?)), count(nullif(trim({i}), '')), "
        f"count(DISTINCT trim({i})) FILTER (regexp_matches(trim({i}), ?))"
        for i in others.values()
    )
    row = con.execute(
        f"SELECT count(c), count(*) FILTER (regexp_matches(c, ?)), arg_min(c, _rij) FILTER (c IS NOT NULL)"
        f"{aggregates} FROM (SELECT *, nullif({plan.code_expr}, '') AS c FROM {view})",
        [CODE_REGEX] * (1 + 2 * len(others)),
    ).fetchone()
    filled, cbs, example = row[:3]
    if not filled or cbs:
        return
    # Another property holds CBS codes when every filled value is one; the one with the most different codes
    # (the finest level: a buurt code rather than the gemeente code every feature shares) wins.
    counts = [row[3 + 3 * k : 6 + 3 * k] for k in range(len(others))]
    holding = [(c[2], c[0], p) for c, p in zip(counts, others, strict=True) if c[0] and c[0] == c[1]]
    if ", " in chosen:
        what = f"de eigenschappen {shown(chosen, 120)} bevatten"
    else:
        what = f"de eigenschap '{shown(chosen, 60)}' bevat"
    said = f"{what} geen CBS-gebiedscodes (zoals GM0597, WK059701 of BU05970100) maar bijv. '{shown(example, 40)}'"
    if holding:
        best = max(holding, key=lambda h: h[:2])[2]
        sample = con.execute(
            f"SELECT arg_min(trim({others[best]}), _rij) FILTER (regexp_matches(trim({others[best]}), ?)) "
            f"FROM {view}",
            [CODE_REGEX],
        ).fetchone()[0]
        naam = (
            ""
            if plan.extra_raw.get("naam_template")
            else " en geef met --naam aan welke eigenschap de naam bevat"
        )
        raise SourceError(
            f"{said}; de eigenschap '{shown(best, 60)}' bevat wel CBS-gebiedscodes (bijv. '{shown(sample, 40)}'). "
            f"Laad het bestand met --code '{{{shown(best, 60)}}}'{naam}."
        )
    raise SourceError(
        f"{said}, en geen andere eigenschap bevat ze. Geef aan hoe de CBS-code wordt samengesteld, bijv. "
        f"--code 'BU{{GEMEENTECODE}}{{BUURTCODE}}' --naam '{{BUURT}}'. Eigenschappen in het bestand: "
        f"{listed(list(plan.idents))}"
    )


def frames(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> list[Frame]:
    """Area codes (this file defines them), for GeoJSON the geometry type and validity, duplicate codes."""
    if plan.variant == "geojson":
        _geojson_codes_are_cbs_codes(con, plan, whole_delivery(con, view))
        label = "gebied_code"
    else:
        _code_list_holds_areas(con, plan, whole_delivery(con, view))
        label = plan.columns.get("Identifier") or plan.columns["Key"]
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
