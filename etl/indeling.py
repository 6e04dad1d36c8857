"""Area divisions (gebiedsindelingen): which division a delivery follows, and how values are carried onto the
division the figures are analysed on.

CBS changes buurt and wijk codes from year to year, and sources disagree on which division they use: each
year's Kerncijfers wijken en buurten (KWB) uses that year's division, while the police tables 47018NED and
47022NED present every year on the newest one. So every delivery has a division (``meta.load_indeling``):

- given with ``--indeling JAAR`` (or ``--jaar`` for an area file), or the year of a CBS KWB file;
- else recognised from its codes: the loaded division that holds most of them (the newest on a tie);
- ``0`` ("zonder jaar"): an area file without a year, taken as the gemeente's current division.

A division holds the areas its area deliveries (GeoJSON, code lists, population files) name; a division only
grows, so a population file that covers part of a gemeente never removes areas (it is reported as partial
coverage). Each gemeente is analysed on one division (``dim_analyse_indeling``: the setting ``indeling``, else
the newest complete one), and :func:`build_omzetting` says for every area of every division where its values
go on that division (``marts.fct_omzetting``):

rang 0 ``eigen indeling``   the area is on the analysis division itself
rang 1 ``zelfde code``      the same code exists on the analysis division (taken as the same area)
rang 2 ``omzettingstabel``  a delivered crosswalk (bronsoort omzetting: van_code;naar_code;aandeel)
rang 3 ``geometrie``        the share of the area's surface that lies in each area of the analysis
                            division (an approximation: it assumes what is counted is spread evenly)

The engine (``int_waarnemingen_jaar``) multiplies counts by the share and flags every carried value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import duckdb
import pandas as pd

ZONDER_JAAR = 0
AREA_KINDS = {"gebieden", "bevolking"}
METHODS = {0: "eigen indeling", 1: "zelfde code", 2: "omzettingstabel", 3: "geometrie"}
# a sliver below this share of an area's surface is boundary noise between two maps, not a part of the area
MIN_AANDEEL = 0.01

# Where each kind keeps its area codes in raw (for assigning a division to loads that have none recorded).
RAW_CODES = {
    "raw.politie__misdrijven": 'trim("WijkenEnBuurten")',
    "raw.partner__waarnemingen": "trim(gebied_code)",
    "raw.leefbaarometer__scores": "trim(gebied_code)",
    "raw.gemeente__bevolking": "trim(gebied_code)",
    "raw.cbs__kerncijfers": 'trim("WijkenEnBuurten")',
    "raw.gebieden__gebieden": "trim(gebied_code)",
}


def naam(indeling: int | None) -> str:
    """How a division is named to users: its year, or 'zonder jaar'."""
    if indeling is None:
        return "onbekend"
    return "zonder jaar" if indeling == ZONDER_JAAR else str(indeling)


def rang(indeling: int) -> int:
    """Order of divisions: by year, a division without a year counts as the newest."""
    return 9999 if indeling == ZONDER_JAAR else indeling


def _has_divisions(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
            "AND table_name = 'dim_indeling_gebied'"
        ).fetchone()[0]
    )


def recognise(con: duckdb.DuckDBPyConnection, codes_sql: str) -> tuple[int | None, int, int]:
    """The loaded division that holds most of the codes ``codes_sql`` yields (the newest on a tie).

    Returns (division or None, codes found in it, distinct codes)."""
    total = con.execute(
        f"SELECT count(DISTINCT c) FROM ({codes_sql}) AS t(c) WHERE c IS NOT NULL"
    ).fetchone()[0]
    if not _has_divisions(con):
        return None, 0, total
    row = con.execute(
        f"WITH codes AS (SELECT DISTINCT c FROM ({codes_sql}) AS t(c) WHERE c IS NOT NULL) "
        "SELECT d.indeling, count(*) AS gevonden FROM codes JOIN marts.dim_indeling_gebied AS d "
        "ON d.gebied_code = codes.c GROUP BY d.indeling "
        "ORDER BY gevonden DESC, wm_indeling_rang(d.indeling) DESC LIMIT 1"
    ).fetchone()
    return (row[0], row[1], total) if row else (None, 0, total)


def declared(
    kind: str, variant: str, opts_indeling: int | None, opts_jaar: int | None, year_expr: str | None
):
    """The division a delivery states: --indeling, --jaar of an area file, or the year of a CBS KWB file."""
    if opts_indeling is not None:
        return opts_indeling, "opgegeven (--indeling)"
    if kind == "gebieden" and opts_jaar:
        return opts_jaar, "opgegeven (--jaar)"
    if kind == "bevolking" and variant == "cbs-kwb" and year_expr and year_expr.isdigit():
        return int(year_expr), "jaar van het CBS-kerncijferbestand"
    return None


def choose(con: duckdb.DuckDBPyConnection, plan, opts, view: str) -> list[str]:
    """Decide the division of a delivery (sets ``plan.indeling`` and ``plan.indeling_herkomst``); returns
    the notes for the load report.

    ``con`` holds the loaded divisions (``marts.dim_indeling_gebied``) and the delivery as ``view``."""
    given = declared(plan.kind, plan.variant, opts.indeling, opts.jaar, plan.year_expr)
    if given is not None:
        plan.indeling, plan.indeling_herkomst = given
        return []
    best, found, total = recognise(con, f"SELECT {plan.code_expr} FROM {view}")
    if best is None or found == 0:
        plan.indeling = ZONDER_JAAR
        plan.indeling_herkomst = "zonder jaar (geen van de codes komt voor in een geladen gebiedsindeling)"
    elif plan.kind in AREA_KINDS and found < total:
        # an area file with codes no loaded division has: a division of its own, without a year
        plan.indeling = ZONDER_JAAR
        plan.indeling_herkomst = (
            f"zonder jaar ({total - found} van de {total} codes komen in geen geladen gebiedsindeling voor)"
        )
    else:
        plan.indeling = best
        plan.indeling_herkomst = (
            f"herkend: {found} van de {total} gebiedscodes in gebiedsindeling {naam(best)}"
        )
        several = con.execute("SELECT count(DISTINCT indeling) FROM marts.dim_indeling_gebied").fetchone()[0]
        if several > 1:
            return [f"volgt gebiedsindeling {naam(best)} ({plan.indeling_herkomst})"]
    return []


def coverage_notes(con: duckdb.DuckDBPyConnection, plan, view: str) -> list[str]:
    """A population file that covers part of a gemeente's buurten of its division: partial coverage, said
    as such (the division keeps its areas; the others get no population figures from this file)."""
    if plan.kind != "bevolking" or plan.indeling is None or not _has_divisions(con):
        return []
    rows = con.execute(
        f"""
        WITH geleverd AS (
            SELECT DISTINCT {plan.code_expr} AS gebied_code FROM {view} WHERE left({plan.code_expr}, 2) = 'BU'
        ),
        indeling AS (
            SELECT gebied_code, gemeente_code FROM marts.dim_indeling_gebied
            WHERE indeling = ? AND niveau = 'buurt'
              AND gemeente_code IN (SELECT DISTINCT 'GM' || substr(gebied_code, 3, 4) FROM geleverd)
        )
        SELECT i.gemeente_code, count(*) AS totaal, count(g.gebied_code) AS gedekt
        FROM indeling AS i LEFT JOIN geleverd AS g USING (gebied_code)
        GROUP BY i.gemeente_code HAVING count(g.gebied_code) < count(*) ORDER BY i.gemeente_code
        """,
        [plan.indeling],
    ).fetchall()
    return [
        f"gedeeltelijke dekking: het bestand heeft {gedekt} van de {totaal} buurten van {gm} in gebiedsindeling "
        f"{naam(plan.indeling)}; de indeling blijft zoals hij is, de andere {totaal - gedekt} buurten krijgen "
        "uit dit bestand geen bevolkingscijfers"
        for gm, totaal, gedekt in rows
    ]


# ------------------------------------------------------------------------------------------ assignment


def assign_missing(con: duckdb.DuckDBPyConnection, build_areas: Callable[[], None]) -> int:
    """Record a division for every load in raw that has none (databases from before divisions, and rows
    written straight into raw): area loads their year (KWB, gebieden --jaar) or 0, other loads the division
    recognised from their codes. ``build_areas`` rebuilds ``dim_indeling_gebied``. Returns how many."""
    recorded = {r[0] for r in con.execute("SELECT load_id FROM meta.load_indeling").fetchall()}
    missing: dict[str, set[int]] = {}
    for table in RAW_CODES:
        ids = {r[0] for r in con.execute(f"SELECT DISTINCT _load_id FROM {table}").fetchall()} - recorded
        if ids:
            missing[table] = ids
    if not missing:
        return 0
    rows: list[tuple[int, int, str]] = []
    for table, year_col in (
        ("raw.gebieden__gebieden", "_jaar"),
        ("raw.cbs__kerncijfers", "_jaar"),
        ("raw.gemeente__bevolking", None),
    ):
        for load_id in sorted(missing.get(table, ())):
            year = (
                con.execute(f"SELECT max({year_col}) FROM {table} WHERE _load_id = ?", [load_id]).fetchone()[
                    0
                ]
                if year_col
                else None
            )
            rows.append((load_id, year or ZONDER_JAAR, "vastgesteld bij het bijwerken van de database"))
    if rows:
        con.executemany("INSERT OR REPLACE INTO meta.load_indeling VALUES (?, ?, ?)", rows)
    others = {t: ids for t, ids in missing.items() if t in RAW_CODES and t not in _AREA_TABLES}
    if others:
        build_areas()
        rows = []
        for table, ids in others.items():
            for load_id in sorted(ids):
                best, found, total = recognise(
                    con, f"SELECT {RAW_CODES[table]} FROM {table} WHERE _load_id = {int(load_id)}"
                )
                rows.append(
                    (
                        load_id,
                        best if best is not None else ZONDER_JAAR,
                        f"herkend bij het bijwerken van de database: {found} van de {total} gebiedscodes",
                    )
                )
        if rows:
            con.executemany("INSERT OR REPLACE INTO meta.load_indeling VALUES (?, ?, ?)", rows)
    return sum(len(ids) for ids in missing.values())


_AREA_TABLES = {"raw.gebieden__gebieden", "raw.cbs__kerncijfers", "raw.gemeente__bevolking"}


def record(con: duckdb.DuckDBPyConnection, load_id: int, plan) -> None:
    """Store the division a load follows (in the load's transaction)."""
    con.execute(
        "INSERT OR REPLACE INTO meta.load_indeling VALUES (?, ?, ?)",
        [load_id, plan.indeling if plan.indeling is not None else ZONDER_JAAR, plan.indeling_herkomst or ""],
    )


# ------------------------------------------------------------------------------------------ crosswalk


def build_omzetting(con: duckdb.DuckDBPyConnection) -> None:
    """``marts.fct_omzetting``: for every area of every division, the area(s) of the analysis division its
    values go to, with the share (aandeel) and how (rang/methode). One target division per source area: the
    newest analysis division it can reach (a merged gemeente's old buurten go to the new gemeente). Areas that
    cannot be carried get one row with naar_code NULL (shown on the data page)."""
    areas = con.sql(
        "SELECT indeling, gebied_code, niveau, gemeente_code, "
        # only a division's own maps: a shape borrowed from the same code elsewhere says nothing about overlap
        "CASE WHEN eigen_geometrie THEN geometrie END AS geometrie FROM marts.dim_indeling_gebied"
    ).df()
    analyse = dict(con.execute("SELECT gemeente_code, indeling FROM marts.dim_analyse_indeling").fetchall())
    walks: dict[tuple[int, int], dict[str, list[tuple[str, float]]]] = defaultdict(lambda: defaultdict(list))
    for s, van, t, naar, a in con.execute(
        "SELECT van_indeling, van_code, naar_indeling, naar_code, aandeel FROM staging.stg_omzetting__omzettingen "
        "WHERE vervangen_door IS NULL AND aandeel > 0 ORDER BY ALL"
    ).fetchall():
        walks[(s, t)][van].append((naar, a))
    targets = sorted(set(analyse.values()), key=rang, reverse=True)
    # the areas of each target division that are analysed on it
    members: dict[int, set[str]] = {
        t: set(areas.loc[(areas.indeling == t) & (areas.gemeente_code.map(analyse) == t), "gebied_code"])
        for t in targets
    }
    geo = _Geometries(areas, analyse)
    rows: list[tuple] = []
    for s, group in areas.groupby("indeling", sort=True):
        for code, niveau in zip(group.gebied_code, group.niveau, strict=True):
            rows.extend(_carry(int(s), code, niveau, targets, walks, members, geo))
    df = pd.DataFrame(
        rows, columns=["van_indeling", "van_code", "naar_indeling", "naar_code", "aandeel", "rang"]
    ).astype({"van_indeling": "int64", "naar_indeling": "Int64", "aandeel": "float64", "rang": "Int64"})
    df["methode"] = df["rang"].map(METHODS).fillna("niet omgezet")
    con.register("_omzetting_df", df)
    try:
        con.execute("CREATE OR REPLACE TABLE marts.fct_omzetting AS SELECT * FROM _omzetting_df ORDER BY ALL")
    finally:
        con.unregister("_omzetting_df")


def _carry(s, code, niveau, targets, walks, members, geo) -> list[tuple]:
    for t in targets:
        delivered = walks.get((s, t), {}).get(code)
        if delivered:
            return [(s, code, t, naar, float(a), 2) for naar, a in delivered]
        if code in members[t]:
            return [(s, code, t, code, 1.0, 0 if s == t else 1)]
        shares = geo.shares(s, code, niveau, t) if s != t else []
        if shares:
            return [(s, code, t, naar, a, 3) for naar, a in shares]
    return [(s, code, None, None, None, None)]


class _Geometries:
    """Surface overlap between divisions, with shapely (built lazily: only areas without the same code on the
    analysis division need it). Shares are of the source area's surface in longitude/latitude degrees: within
    a gemeente the scale is the same everywhere, so the ratios hold."""

    def __init__(self, areas: pd.DataFrame, analyse: dict[str, int]) -> None:
        self.areas = areas[areas.geometrie.notna()]
        self.analyse = analyse
        # one lookup per source area (a boolean filter over every area per call grew with changed x all areas)
        self._shape = dict(
            zip(
                zip(self.areas.indeling, self.areas.gebied_code, strict=True),
                self.areas.geometrie,
                strict=True,
            )
        )
        self._trees: dict[tuple[int, str], tuple] = {}

    def _tree(self, t: int, niveau: str):
        key = (t, niveau)
        if key not in self._trees:
            from shapely import STRtree, from_geojson, make_valid

            sel = self.areas[
                (self.areas.indeling == t)
                & (self.areas.niveau == niveau)
                & (self.areas.gemeente_code.map(self.analyse) == t)
            ]
            geoms = [make_valid(from_geojson(g)) for g in sel.geometrie]
            self._trees[key] = (STRtree(geoms), geoms, list(sel.gebied_code))
        return self._trees[key]

    def shares(self, s: int, code: str, niveau: str, t: int) -> list[tuple[str, float]]:
        from shapely import from_geojson, make_valid

        shape = self._shape.get((s, code))
        if shape is None:
            return []
        source = make_valid(from_geojson(shape))
        if source.is_empty or source.area == 0:
            return []
        tree, geoms, codes = self._tree(t, niveau)
        if not geoms:
            return []
        parts = []
        for i in tree.query(source, predicate="intersects"):
            share = source.intersection(geoms[i]).area / source.area
            if share >= MIN_AANDEEL:
                parts.append((codes[i], share))
        total = sum(a for _, a in parts)
        # two maps never share their edges exactly: parts that cover nearly all of the area are scaled to add up
        # to the whole; where a real part lies outside the analysed areas, that part is not carried
        scale = total if total >= 0.9 else 1.0
        return [(c, a / scale) for c, a in sorted(parts)]
