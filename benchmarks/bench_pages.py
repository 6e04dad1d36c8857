"""Page render benchmark: every dashboard page, cold and warm, with AppTest on the demo and a national database.

Issue goal: a warm page render (server side) takes under 0.5 s on the demo data and under 1.5 s on the
national-scale database of ``national_data.py`` (the data ``bench_indicators.py`` times). Prints figures,
never asserts.

Per database, in this process:

1. ``WIJKMONITOR_DB`` points at the database; ``AppTest.from_file(dashboard/app.py)`` runs once (the default
   page, stuurgroep: imports, the DuckDB connection, the first queries);
2. per page: clear the URL parameters (as a click in the sidebar does), ``switch_page(page).run()`` once
   (cold: the page's first queries), then ``run()`` ``--repeat`` times (warm: ``st.cache_data`` hits, the
   same widget values); the cold seconds, the warm median and maximum, and any ``st.exception`` are printed;
3. a page whose warm median is over the goal is run once more under cProfile (in the script thread, where
   AppTest runs the page) and the top functions by cumulative time are printed, together with the calls the
   page script makes itself, so that the query or chart that dominates is named.

Databases:

* demo: ``etl.load_files([data/demo], ..., fresh=True, settings={"demo": "ja"})`` into a temporary directory,
  with the demo jaarplannen seeded in the records store beside it, as ``tests/dashboard_support.py`` builds
  it;
* national: ``national_data.generate`` (the staging layer, ``dim_gebied``, ``dim_variabele``) and one
  the indicator steps of ``etl.build``, in this process, in a work directory of its own (default
  ``benchmarks/out/bench_pages/``, git-ignored); with ``--keep`` a database generated earlier with the same
  ``--scale`` and ``--seed`` is reused (its marts are rebuilt).
  That database has no load log (``meta.loads`` is empty, so every page says "Nog geen gegevens") and no
  geometry (every map would be the tile-map fallback). This script adds what is missing and says so:
  polygons with the demo's vertex counts on a nested grid (written to ``staging.stg_gebieden__gebieden``,
  then ``etl.build.build(con, only=DIVISION_STEPS | {"fct_aanlevering_dekking"})`` rebuilds ``dim_gebied`` as ``etl.build.rebuild`` would; the
  indicator marts do not read geometry), and one ``meta.loads`` row per ``load_id`` found in staging.
  ``etl.build.rebuild`` itself cannot be used: it rebuilds staging from the raw layer, which the generator
  leaves empty.

Usage::

    .venv/bin/python benchmarks/bench_pages.py                        # demo + national (full scale)
    .venv/bin/python benchmarks/bench_pages.py --only demo
    .venv/bin/python benchmarks/bench_pages.py --only national --scale 0.05 --keep
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import json
import logging
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import national_data

if TYPE_CHECKING:
    import duckdb
    from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard" / "app.py"
DEMO = REPO / "data" / "demo"
QUERIES = REPO / "dashboard" / "queries.py"
DEFAULT_WORKDIR = Path(__file__).resolve().parent / "out" / "bench_pages"

DEFAULT_PAGE = "views/stuurgroep.py"  # default=True in app.py: what the first run renders
OPTIONAL = {"meta.load_meldingen", "meta.instellingen"}  # empty in a clean production database too
GOALS = {"demo": 0.5, "national": 1.5}  # seconds, warm render, server side

# Average exterior-ring vertices of the demo's polygons (data/demo/gebieden_lindenhoven.geojson).
DEMO_VERTICES = {"gemeente": 1188, "wijk": 355, "buurt": 188}
NL_BOX = (3.4, 50.8, 7.2, 53.5)  # lon/lat box the synthetic gemeenten are laid out in

# Per staging table: (meta.loads bron, variant, partner, file name pattern) as the real loaders record them.
LOAD_KINDS = {
    "politie": ("politie", "cbs-politie", "politie", "politie_47022NED_{jaar}.csv"),
    "bevolking": ("bevolking", "cbs-kwb", "CBS", "kwb_{jaar}.csv"),
    "corporatie": ("partner", "lang", "woningcorporatie", "corporatie_{jaar}.csv"),
    "gemeente": ("partner", "lang", "gemeente", "gemeente_meldingen_{jaar}.csv"),
    "welzijn": ("partner", "lang", "welzijnsorganisatie", "welzijn_{jaar}.csv"),
    "enquete": ("partner", "lang", "gemeente (onderzoek en statistiek)", "enquete_{jaar}.csv"),
    "leefbaarometer": ("leefbaarometer", "lbm3", "BZK (Leefbaarometer)", "leefbaarometer_{jaar}.csv"),
    "gebieden": ("gebieden", "geojson", "CBS", "gebieden.geojson"),
}


# ------------------------------------------------------------------------------------------------ databases


def build_demo(directory: Path) -> Path:
    """The demo database, built as tests/dashboard_support.py builds it."""
    from etl import load_files

    path = directory / "demo.duckdb"
    t0 = time.perf_counter()
    results = load_files([DEMO], path, fresh=True, settings={"demo": "ja"})
    bad = [r.report() for r in results if r.status != "geladen"]
    print(
        f"demo database built in {time.perf_counter() - t0:.1f} s: {len(results)} files, {path}", flush=True
    )
    for report in bad:
        print(f"  !! not loaded: {report}")
    from wijkmonitor.demoplans import demo_wijken, seed_demo_plans
    from wijkmonitor.demosturing import demo_need, seed_demo_steering
    from wijkmonitor.records.store import open_store, records_url

    t0 = time.perf_counter()
    records = open_store(records_url(path))
    seeded = seed_demo_plans(records)  # the Jaarplan page and the plan sections
    print(f"demo jaarplannen seeded in {time.perf_counter() - t0:.1f} s: {seeded}", flush=True)
    t0 = time.perf_counter()
    steered = seed_demo_steering(records, demo_wijken(), demo_need(path))  # the steering pages
    print(f"demo steering seeded in {time.perf_counter() - t0:.1f} s: {steered}", flush=True)
    return path


def generate_national(workdir: Path, scale: float, seed: int, reuse: bool) -> Path:
    """The national database of national_data.py (catalogue crime codes) with its indicator marts built."""
    import duckdb

    from etl.build import INDICATOR_STEPS, build

    db = workdir / national_data.DB_NAME
    print(f"national database: scale {scale:g}, seed {seed}, {db}", flush=True)
    gen = national_data.reusable(db, scale, seed, "catalogue") if reuse else None
    if gen is not None:
        print("  reusing it (generated earlier with the same parameters)")
    else:
        national_data.summary_path(db).unlink(missing_ok=True)
        gen = national_data.generate(db, scale, seed, "catalogue")
        national_data.save_summary(db, gen)
        rows = sum(gen["rows"].values())
        print(f"  generated in {gen['seconds']:.1f} s: {rows:,} staging rows", flush=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(db))
    try:
        build(con, only=INDICATOR_STEPS)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    print(f"  indicator marts built in {time.perf_counter() - t0:.1f} s", flush=True)
    return db


def tables_the_dashboard_reads() -> list[str]:
    """meta./marts./staging. tables named in dashboard/queries.py."""
    import re

    text = QUERIES.read_text(encoding="utf-8")
    return sorted(set(re.findall(r"\b((?:meta|marts|staging)\.[a-z_]+)\b", text)))


def inspect_database(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What the pages need and the database lacks."""
    present = {
        f"{s}.{t}": None
        for s, t in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    }
    problems = []
    for table in tables_the_dashboard_reads():
        if table not in present:
            problems.append(f"{table} is missing")
        elif table not in OPTIONAL and con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] == 0:
            problems.append(f"{table} is empty")
    if "meta.loads" in present:
        n = con.execute("SELECT count(*) FROM meta.loads WHERE status = 'geladen'").fetchall()[0][0]
        if n == 0:
            problems.append("no 'geladen' row in meta.loads: every page shows 'Nog geen gegevens'")
    if "marts.dim_gebied" in present:
        n, geo = con.execute("SELECT count(*), count(geometrie) FROM marts.dim_gebied").fetchall()[0]
        if geo < n:
            problems.append(
                f"marts.dim_gebied: {n - geo:,} of {n:,} areas without geometry (tile-map fallback)"
            )
    return problems


def add_geometry(con: duckdb.DuckDBPyConnection) -> str:
    """Polygons for every area on a nested grid (gemeente > wijk > buurt), the demo's vertex counts."""
    import math

    import pandas as pd

    from etl.build import DIVISION_STEPS, build

    areas = con.execute(
        "SELECT gebied_code, niveau, gemeente_code, wijk_code FROM marts.dim_gebied ORDER BY gebied_code"
    ).df()
    cells: dict[str, tuple[float, float, float, float]] = {}

    def split(parent: tuple[float, float, float, float], codes: list[str]) -> None:
        x0, y0, x1, y1 = parent
        cols = max(1, math.ceil(math.sqrt(len(codes))))
        rows = math.ceil(len(codes) / cols)
        w, h = (x1 - x0) / cols, (y1 - y0) / rows
        for k, code in enumerate(codes):
            cx, cy = x0 + (k % cols) * w, y1 - (k // cols + 1) * h
            cells[code] = (cx, cy, cx + w, cy + h)

    gemeenten = areas.loc[areas["niveau"] == "gemeente", "gebied_code"].tolist()
    split(NL_BOX, gemeenten)
    wijken = areas[areas["niveau"] == "wijk"]
    for gm, group in wijken.groupby("gemeente_code"):
        split(cells.get(gm, NL_BOX), group["gebied_code"].tolist())
    buurten = areas[areas["niveau"] == "buurt"]
    for wk, group in buurten.groupby("wijk_code"):
        split(cells.get(wk, NL_BOX), group["gebied_code"].tolist())
    frame = pd.DataFrame(
        [
            {"code": c, "v": DEMO_VERTICES[n], "x0": b[0], "y0": b[1], "x1": b[2], "y1": b[3]}
            for c, n in zip(areas["gebied_code"], areas["niveau"], strict=True)
            if (b := cells.get(c)) is not None
        ]
    )
    con.register("_cells", frame)
    # Perimeter of the cell, pulled 2-6 % towards the centre with a wobble, so that no vertex is redundant.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _geometrie AS
        WITH pts AS (
            SELECT code, v, x0, y0, x1, y1, unnest(range(v + 1)) AS i FROM _cells
        ),
        side AS (
            SELECT code, i, x0, y0, x1, y1, 4.0 * (i % v) / v AS p,
                   0.96 - 0.02 * sin(2 * pi() * 7 * (i % v) / v + hash(code) % 7) AS f
            FROM pts
        ),
        xy AS (
            SELECT code, i, f, (x0 + x1) / 2 AS cx, (y0 + y1) / 2 AS cy,
                   CASE WHEN p < 1 THEN x0 + (p) * (x1 - x0) WHEN p < 2 THEN x1
                        WHEN p < 3 THEN x1 - (p - 2) * (x1 - x0) ELSE x0 END AS x,
                   CASE WHEN p < 1 THEN y0 WHEN p < 2 THEN y0 + (p - 1) * (y1 - y0)
                        WHEN p < 3 THEN y1 ELSE y1 - (p - 3) * (y1 - y0) END AS y
            FROM side
        )
        SELECT code, '{"type":"Polygon","coordinates":[[' || string_agg(
                   '[' || CAST(round(cx + (x - cx) * f, 6) AS VARCHAR) || ','
                       || CAST(round(cy + (y - cy) * f, 6) AS VARCHAR) || ']', ',' ORDER BY i) || ']]}' AS geometrie
        FROM xy
        GROUP BY code""")
    con.unregister("_cells")
    con.execute("""
        UPDATE staging.stg_gebieden__gebieden AS s SET geometrie = g.geometrie
        FROM _geometrie AS g WHERE g.code = s.gebied_code""")
    missing = con.execute("""
        SELECT count(*) FROM _geometrie WHERE code NOT IN (SELECT gebied_code FROM staging.stg_gebieden__gebieden)
    """).fetchall()[0][0]
    build(con, only=DIVISION_STEPS | {"fct_aanlevering_dekking"})  # now with geometry, as a rebuild does
    mb = con.execute("SELECT sum(strlen(geometrie)) FROM marts.dim_gebied").fetchall()[0][0] / 1024**2
    counts = ", ".join(f"{n} {v}" for n, v in DEMO_VERTICES.items())
    return (
        f"added geometry: {len(frame):,} polygons on a nested grid ({counts} vertices, the demo's averages), "
        f"{mb:.0f} MB of GeoJSON in dim_gebied"
        + (f"; {missing:,} areas not in the code list, left without geometry" if missing else "")
    )


def add_load_log(con: duckdb.DuckDBPyConnection) -> str:
    """One 'geladen' meta.loads row per load_id of the staging layer, shaped as the loaders write them."""
    import pandas as pd

    per_load = con.execute("""
        SELECT load_id, 'politie' AS soort, min(jaar) AS jaar, count(*) AS rijen
        FROM staging.stg_politie__misdrijven GROUP BY ALL
        UNION ALL SELECT load_id, bron, min(jaar), count(*) FROM staging.stg_partner__waarnemingen GROUP BY ALL
        UNION ALL SELECT load_id, 'bevolking', min(jaar), count(*) FROM staging.stg_bevolking__kerncijfers GROUP BY ALL
        UNION ALL SELECT load_id, 'leefbaarometer', min(jaar), count(*) FROM staging.stg_leefbaarometer__scores
            GROUP BY ALL
        UNION ALL SELECT load_id, 'gebieden', NULL, count(*) FROM staging.stg_gebieden__gebieden GROUP BY ALL
        ORDER BY load_id""").fetchall()
    rows = []
    for load_id, soort, jaar, n in per_load:
        bron, variant, partner, pattern = LOAD_KINDS[soort]
        bestand = pattern.format(jaar=jaar)
        details = [
            {"frame": "kolommen", "verwachting": "expect_column_to_exist", "kolom": kolom,
             "regel": "verplichte kolom", "geslaagd": True, "afwijkend": 0}
            for kolom in ("gebied_code", "periode", "variabele", "waarde")
        ] + [
            {"frame": "waarden", "verwachting": "expect_column_values_to_not_be_null", "kolom": "gebied_code",
             "regel": "gebiedscode ingevuld", "geslaagd": True, "afwijkend": 0}
        ]  # fmt: skip
        summary = {
            "geslaagd": True,
            "verwachtingen": len(details),
            "mislukt": 0,
            "fouten": 0,
            "waarschuwingen": 0,
        }
        klaar = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(minutes=5 * load_id)
        rows.append(
            {
                "load_id": load_id,
                "bestand": bestand,
                "pad": f"/data/aanlevering/{bestand}",
                "kopie": None,
                "sha256": hashlib.sha256(bestand.encode()).hexdigest(),
                "bron": bron,
                "variant": variant,
                "partner": partner,
                "rijen": n,
                "rijen_geladen": n,
                "gestart": klaar - pd.Timedelta(minutes=1),
                "klaar": klaar,
                "status": "geladen",
                "gebruiker": "bench_pages",
                "validatie": json.dumps({**summary, "details": details}),
                "opmerking": None,
            }
        )
    con.register("_loads", pd.DataFrame(rows))
    con.execute("DELETE FROM meta.loads")
    con.execute("INSERT INTO meta.loads BY NAME SELECT * FROM _loads")
    con.unregister("_loads")
    return f"added load log: {len(rows)} 'geladen' rows in meta.loads (one per load_id in staging)"


def prepare_national(db: Path, geometry: bool) -> list[str]:
    """Add to the national database what the pages need; returns what was found and done."""
    import duckdb

    con = duckdb.connect(str(db))
    try:
        found = inspect_database(con)
        notes = [f"national database: {p}" for p in found] or ["national database: complete"]
        t0 = time.perf_counter()
        if any(p.startswith("no 'geladen' row") or p.startswith("meta.loads") for p in found):
            notes.append(add_load_log(con))
        if geometry and any("without geometry" in p for p in found):
            notes.append(add_geometry(con))
        elif not geometry:
            con.execute("UPDATE staging.stg_gebieden__gebieden SET geometrie = NULL")
            from etl.build import DIVISION_STEPS, build

            build(con, only=DIVISION_STEPS | {"fct_aanlevering_dekking"})
            notes.append("--no-geometry: areas left without geometry, maps are the tile-map fallback")
        con.execute("CHECKPOINT")
        left = inspect_database(con)
        notes.append(f"prepared in {time.perf_counter() - t0:.1f} s")
        notes += [f"STILL: {p}" for p in left if geometry or "without geometry" not in p]
        areas = dict(con.execute("SELECT niveau, count(*) FROM marts.dim_gebied GROUP BY ALL").fetchall())
        notes.append(
            f"areas: {areas.get('gemeente', 0):,} gemeenten, {areas.get('wijk', 0):,} wijken, "
            f"{areas.get('buurt', 0):,} buurten; database {db.stat().st_size / 1024**2:,.0f} MB"
        )
    finally:
        con.close()
    return notes


# ------------------------------------------------------------------------------------------------ timing


@dataclass
class PageResult:
    page: str
    cold: float = float("nan")
    warm: list[float] = field(default_factory=list)
    error: str = ""  # st.exception, a timeout, or the no-data message
    title: str = ""
    charts: int = 0
    chart_mb: float = 0.0
    elements: int = 0
    profile: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.warm) if self.warm else float("nan")


def _describe(at: AppTest, result: PageResult) -> None:
    charts = at.get("plotly_chart")
    result.charts = len(charts)
    result.chart_mb = sum(len(c.proto.spec) for c in charts) / 1024**2
    result.title = at.title[0].value if len(at.title) else ""
    result.elements = _count_nodes(at._tree)
    problems = [str(e.value).splitlines()[0][:160] for e in at.exception]
    problems += ["no-data message" for w in at.warning if "Nog geen gegevens" in str(w.value)]
    result.error = "; ".join(problems)


def _count_nodes(node: Any) -> int:
    children = getattr(node, "children", None)
    if not children:
        return 1
    return 1 + sum(_count_nodes(c) for c in children.values())


@contextlib.contextmanager
def profiled(profile: cProfile.Profile) -> Iterator[None]:
    """Profile the script thread: AppTest runs the page in a thread of its own, not in the caller's."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    original = LocalScriptRunner._run_script_thread

    def run_script_thread(self: LocalScriptRunner) -> None:
        profile.enable()
        try:
            original(self)
        finally:
            profile.disable()

    LocalScriptRunner._run_script_thread = run_script_thread  # type: ignore[method-assign]
    try:
        yield
    finally:
        LocalScriptRunner._run_script_thread = original  # type: ignore[method-assign]


def _where(func: tuple[str, int, str]) -> str:
    file, line, name = func
    if file == "~":
        return name
    for prefix in (str(REPO / ".venv" / "lib") + "/", str(REPO) + "/"):
        if file.startswith(prefix):
            file = file.removeprefix(prefix)
            file = file.split("site-packages/", 1)[-1]
            break
    return f"{file}:{line}({name})"


def profile_page(at: AppTest, page: str, top: int) -> str:
    """One warm run under cProfile: the top functions by cumulative time, then the project's and st.*'s."""
    profile = cProfile.Profile()
    with profiled(profile):
        t0 = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - t0
    stats = pstats.Stats(profile)
    entries: dict = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(entries.items(), key=lambda kv: kv[1][3], reverse=True)
    total = ranked[0][1][3] if ranked else 0.0
    lines = [f"    profiled warm run: {seconds:.2f} s (under cProfile, script thread: {total:.2f} s)"]
    # The frames that hold the whole run (AppTest's thread, exec, app.py, st.navigation) say nothing: skipped.
    body = [(f, v) for f, v in ranked if v[3] < 0.97 * total]
    lines.append(f"    top {top} by cumulative time (frames holding >= 97 % of the run left out):")
    lines.append(f"      {'function':<72} {'cumtime':>8} {'tottime':>8} {'calls':>9}")
    for func, (_cc, nc, tt, ct, _callers) in body[:top]:
        lines.append(f"      {_where(func)[-72:]:<72} {ct:8.2f} {tt:8.2f} {nc:9,}")
    # The project's own functions and the st.* elements, by cumulative time: which query or chart it is.
    ours = [
        (f, v)
        for f, v in body
        if (f[0].startswith(str(REPO / "dashboard")) and not f[0].endswith(("app.py", page)))
        or "/streamlit/elements/" in f[0]
        or "/streamlit/commands/" in f[0]
    ]
    lines.append(f"    top {top} of dashboard/ functions and st.* element calls by cumulative time:")
    for func, (_cc, nc, tt, ct, _callers) in ours[:top]:
        lines.append(f"      {_where(func)[-72:]:<72} {ct:8.2f} {tt:8.2f} {nc:9,}")
    return "\n".join(lines)


def bench_database(
    label: str, db: Path, repeat: int, timeout: float, profile_mode: str, top: int
) -> tuple[float, list[PageResult]]:
    from streamlit.testing.v1 import AppTest

    from dashboard import PAGES

    os.environ["WIJKMONITOR_DB"] = str(db)
    goal = GOALS[label]
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    print(
        f"\n[{label}] first app run (default page stuurgroep: imports, connection, first queries): "
        f"{first:.2f} s; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results = []
    for page in PAGES:
        result = PageResult(page)
        results.append(result)
        at.query_params = {}  # a click in the sidebar starts the page without URL parameters
        try:
            t0 = time.perf_counter()
            at.switch_page(page).run()
            result.cold = time.perf_counter() - t0
            for _ in range(repeat):
                t0 = time.perf_counter()
                at.run()
                result.warm.append(time.perf_counter() - t0)
            _describe(at, result)
            if profile_mode == "all" or (profile_mode == "over" and result.median > goal):
                result.profile = profile_page(at, page, top)
        except RuntimeError as exc:  # AppTest's timeout
            result.error = str(exc)
            at = AppTest.from_file(str(APP), default_timeout=timeout)
            at.run()
        print(
            f"  {page:<22} cold {result.cold:7.2f} s  warm median {result.median:7.3f} s  "
            f"max {max(result.warm, default=float('nan')):7.3f} s  ({result.median / goal:5.2f}x goal)"
            + (f"  !! {result.error}" if result.error else ""),
            flush=True,
        )
    return first, results


def report(label: str, first: float, results: list[PageResult], repeat: int) -> None:
    goal = GOALS[label]
    print(
        f"\n{label}: warm = median of {repeat} reruns (st.cache_data hits); goal {goal * 1000:.0f} ms; "
        f"first app run {first:.2f} s"
    )
    print(
        f"  {'page':<22} {'cold s':>7} {'warm med s':>10} {'warm max s':>10} {'x goal':>7}  "
        f"{'charts':>6} {'chart MB':>8} {'elements':>8}  exception  title"
    )
    for r in results:
        cold = f"{r.cold:7.2f}" + ("*" if r.page == DEFAULT_PAGE else " ")
        print(
            f"  {r.page:<22} {cold:>8}{r.median:>10.3f} {max(r.warm, default=float('nan')):>10.3f} "
            f"{r.median / goal:>7.2f}  {r.charts:>6} {r.chart_mb:>8.2f} {r.elements:>8,}  "
            f"{r.error or 'no':<9}  {r.title[:40]}"
        )
    print(f"  * {DEFAULT_PAGE} was already rendered by the first app run: its 'cold' run hits the cache.")
    over = [r for r in results if r.median > goal]
    print(
        f"  within goal: {len(results) - len(over)} of {len(results)} pages"
        + (f"; over: {', '.join(f'{r.page} ({r.median:.2f} s)' for r in over)}" if over else "")
    )
    for r in results:
        if r.profile:
            print(f"\n  profile of {r.page} ({label}):\n{r.profile}")


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("demo", "national"), help="one database only")
    parser.add_argument("--scale", type=float, default=1.0, help="national scale (number of areas)")
    parser.add_argument("--seed", type=int, default=2019, help="national generator seed")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per page; the median is reported")
    parser.add_argument("--timeout", type=float, default=120.0, help="AppTest timeout per run, seconds")
    parser.add_argument(
        "--profile",
        choices=("over", "all", "none"),
        default="over",
        help="profile pages whose warm median is over the goal (default), every page, or none",
    )
    parser.add_argument("--top", type=int, default=15, help="functions per profile listing")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="for the national database")
    parser.add_argument(
        "--keep", action="store_true", help="keep the national database (reused if it matches)"
    )
    parser.add_argument(
        "--no-geometry", action="store_true", help="national: no polygons (maps fall back to a tile grid)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.scale <= 0:
        parser.error("--repeat must be >= 1 and --scale > 0")
    sys.path.insert(0, str(REPO))  # the dashboard's own modules, as app.py does

    import duckdb
    import streamlit

    # "missing ScriptRunContext" from the main thread (AppTest's setup) is noise here.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)

    print(
        f"wijkmonitor page benchmark: repeat {args.repeat}, streamlit {streamlit.__version__}, duckdb "
        f"{duckdb.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    summary: list[tuple[str, list[PageResult]]] = []
    if args.only in (None, "demo"):
        with tempfile.TemporaryDirectory(prefix="wijkmonitor-bench-pages-") as tmp:
            db = build_demo(Path(tmp))
            first, results = bench_database("demo", db, args.repeat, args.timeout, args.profile, args.top)
            report("demo", first, results, args.repeat)
            summary.append(("demo", results))
    if args.only in (None, "national"):
        workdir: Path = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            db = generate_national(workdir, args.scale, args.seed, args.keep)
            for note in prepare_national(db, not args.no_geometry):
                print(f"  {note}")
            label = "national"
            first, results = bench_database(label, db, args.repeat, args.timeout, args.profile, args.top)
            report(label, first, results, args.repeat)
            summary.append((f"national (scale {args.scale:g})", results))
        finally:
            if not args.keep:  # only the national database and its files: the work directory may be shared
                for path in workdir.glob(national_data.DB_NAME + "*"):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
                with contextlib.suppress(OSError):
                    workdir.rmdir()
    print("\nsummary: warm median per page / goal")
    for name, results in summary:
        goal = GOALS["demo" if name == "demo" else "national"]
        cells = ", ".join(
            f"{Path(r.page).stem} {r.median * 1000:.0f} ms ({r.median / goal:.2f}x)" for r in results
        )
        print(f"  {name:<22} goal {goal * 1000:.0f} ms: {cells}")
    print(f"  load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
