"""Area-division benchmark (issue 12) at national scale: building the crosswalk between two divisions with maps,
and what carrying every value through it costs the indicator engine.

1. **Divisions** (``build(con, only=DIVISION_STEPS)``: dim_indeling_gebied, dim_analyse_indeling, the Python
   step fct_omzetting of ``etl/indeling.py``, dim_gebied, dim_indeling) on two divisions with maps, A (2019) and
   B (2024): ~340 gemeenten of 10 wijken of 4 buurten each (13,600 buurten) as square cells of a grid inside
   the Netherlands (lon 3.4-7.2, lat 50.8-53.5), each ring densified to the demo's vertex counts (buurt 188,
   wijk 355, gemeente 1,188). In B a share ``--gewijzigd`` of the buurten are re-coded halves of an A buurt
   (split at 30-70 % of its width), so their A buurt has no code on B and is carried by the overlap of the
   maps (shapely); every other area keeps its code. B's map is shifted by 0.2 % of a cell, as two maps never
   share their edges exactly: an A buurt touches its neighbours' B shapes in slivers below ``MIN_AANDEEL``.
   The tables are those the steps read: the staging models on an empty raw layer (``ensure_schema``,
   ``build(only=STAGING_STEPS)``), then the two area deliveries in ``staging.stg_gebieden__gebieden`` (load 1:
   2019, load 2: 2024, one feature per area at every level, as a PDOK wijk- en buurtkaart) and their division in
   ``meta.load_indeling``. Each repeat runs the real steps in a fresh process.
2. **Carrying in the engine**: ``int_waarnemingen_jaar``, the model that carries every value through
   fct_omzetting (with the engine steps before it; ``--engine-steps all``: the whole of ``INDICATOR_STEPS``,
   about ten minutes a run at national scale), on the national staging data of ``national_data.generate`` twice:
   as generated (every source but the KWB on the newest division, 2025: the police rows are on the analysis
   division itself, ``eigen indeling``), and a copy in which the police loads are recorded on the KWB's first
   division (2017), whose areas all have the same code on 2025 (``zelfde code``), with the divisions rebuilt.
   The runs alternate between the two databases (``--engine-repeat`` runs each, default ``--repeat``; one run
   takes about a minute at national scale, so ``--engine-repeat 1`` for a shorter run).

Every timed step runs in a fresh child process (``childproc.run_child``: peak RSS is the child's own
``ru_maxrss``); times are medians over ``--repeat``. Nothing is asserted: the machine is shared and noisy.

Usage::

    .venv/bin/python benchmarks/bench_indelingen.py                 # full scale (7.5-11.5 minutes)
    .venv/bin/python benchmarks/bench_indelingen.py --scale 0.1     # quick run (~1.5 minutes)
    .venv/bin/python benchmarks/bench_indelingen.py --only divisions --gewijzigd 0.2 --keep
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from childproc import RESULT_TAG, Child, run_child
from national_data import FIRST_YEAR, LAST_YEAR, generate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path(__file__).resolve().parent / "out" / "bench_indelingen"

# ---- the two divisions with maps
LON, LAT = (3.4, 7.2), (50.8, 53.5)
N_GEMEENTEN = 340
WIJK_GRID = (5, 2)  # wijken per gemeente: columns x rows (10, so ~3,400 wijken)
BUURT_GRID = (2, 2)  # buurten per wijk (4, so ~13,600 buurten)
YEAR_A, YEAR_B = 2019, 2024
VERTICES = {"buurt": 188, "wijk": 355, "gemeente": 1188}  # the demo's maps (bench_pages.py)
SHIFT = 0.002  # B's map is shifted by this share of a cell
SPLIT_BASE = 50  # a split buurt's halves are numbered 51..58 in its wijk
METHOD_NAMES = {0: "eigen indeling", 1: "zelfde code", 2: "omzettingstabel", 3: "geometrie"}

MB = 1024**2


def fmt_bytes(n: float) -> str:
    return f"{n / 1024**3:.2f} GB" if n >= 1024**3 else f"{n / MB:.0f} MB"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _write_session(con) -> str:
    """The memory limit and settings of a production write session (etl.db.write_session)."""
    import inspect

    from etl import db as dbmod

    limit = inspect.signature(dbmod.write_session).parameters["memory_limit"].default
    con.execute(f"SET memory_limit = '{limit}'")
    con.execute("SET preserve_insertion_order = true")
    return limit


# ------------------------------------------------------------------------------------ 1. divisions with maps


def _rings(x0, y0, x1, y1, vertices: int):
    """Closed rectangle rings (one per row of the arrays) with about ``vertices`` points on their boundary."""
    import numpy as np

    k = max(1, vertices // 4)
    f = np.arange(k) / k
    x0, y0, x1, y1 = (np.asarray(a, dtype=float)[:, None] for a in (x0, y0, x1, y1))
    w, h = x1 - x0, y1 - y0
    sides = [
        (x0 + w * f, y0 + 0 * f),  # bottom, west to east
        (x1 + 0 * f, y0 + h * f),  # east, south to north
        (x1 - w * f, y1 + 0 * f),  # top
        (x0 + 0 * f, y1 - h * f),  # west
    ]
    xs = np.concatenate([s[0] for s in sides] + [x0], axis=1)
    ys = np.concatenate([s[1] for s in sides] + [y0], axis=1)
    return np.round(np.stack([xs, ys], axis=2), 6)


def _geojson(rings) -> list[str]:
    return [
        json.dumps({"type": "Polygon", "coordinates": [r.tolist()]}, separators=(",", ":")) for r in rings
    ]


def make_divisions(db_path: Path, scale: float, gewijzigd: float, vertices: int, seed: int) -> dict[str, Any]:
    """Write a database with the empty staging layer and the area deliveries of divisions A and B."""
    import duckdb
    import numpy as np
    import pandas as pd

    from etl.build import STAGING_STEPS, build, ensure_schema

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    n_gm = max(2, round(N_GEMEENTEN * scale))
    (wc, wr), (bc, br) = WIJK_GRID, BUURT_GRID
    cx, cy = wc * bc, wr * br  # cells per gemeente
    lon_span, lat_span = LON[1] - LON[0], LAT[1] - LAT[0]
    gc = max(1, math.ceil(math.sqrt(n_gm * (lon_span / cx) / (lat_span / cy))))
    gr = math.ceil(n_gm / gc)
    d = min(lon_span / (gc * cx), lat_span / (gr * cy))  # cell size in degrees

    # every buurt: gemeente g, wijk w (0..9), buurt b (0..3) and its cell
    g, w, b = (
        a.ravel() for a in np.meshgrid(np.arange(n_gm), np.arange(wc * wr), np.arange(bc * br), indexing="ij")
    )
    col = (g % gc) * cx + (w % wc) * bc + (b % bc)
    row = (g // gc) * cy + (w // wc) * br + (b // bc)
    bx0, by0 = LON[0] + col * d, LAT[0] + row * d
    gm_codes = np.array([f"GM{10 + 5 * i:04d}" for i in range(n_gm)])
    wk_codes = np.char.add(np.repeat(np.char.replace(gm_codes, "GM", "WK"), wc * wr),
                           np.tile([f"{i + 1:02d}" for i in range(wc * wr)], n_gm))  # fmt: skip
    bu_codes = np.char.add(
        np.char.replace(wk_codes[g * wc * wr + w], "WK", "BU"), [f"{i + 1:02d}" for i in b]
    )

    n_vertices = {k: max(4, round(v * vertices / VERTICES["buurt"])) for k, v in VERTICES.items()}

    def level(codes, x0, y0, x1, y1, niveau, naam, shift):
        return pd.DataFrame(
            {
                "gebied_code": codes,
                "niveau": niveau,
                "gebied_naam": [f"{naam} {c[2:]}" for c in codes],
                "geometrie": _geojson(
                    _rings(x0 + shift, y0 + shift, x1 + shift, y1 + shift, n_vertices[niveau])
                ),
            }
        )

    gi = np.arange(n_gm)
    gx0, gy0 = LON[0] + (gi % gc) * cx * d, LAT[0] + (gi // gc) * cy * d
    wi = np.arange(n_gm * wc * wr)
    wg, ww = wi // (wc * wr), wi % (wc * wr)
    wx0 = LON[0] + ((wg % gc) * cx + (ww % wc) * bc) * d
    wy0 = LAT[0] + ((wg // gc) * cy + (ww // wc) * br) * d

    n_bu = len(bu_codes)
    # splitting s of the n buurten gives n + s buurten on B, 2 s of them re-coded: 2 s / (n + s) = gewijzigd
    n_split = min(n_bu, round(n_bu * gewijzigd / (2 - gewijzigd))) if gewijzigd > 0 else 0
    split = np.zeros(n_bu, dtype=bool)
    split[rng.choice(n_bu, n_split, replace=False)] = True
    cut = bx0 + d * rng.uniform(0.3, 0.7, n_bu)
    half_codes = [
        np.char.add(
            np.char.replace(wk_codes[g * wc * wr + w], "WK", "BU"),
            [f"{SPLIT_BASE + 2 * i + k:02d}" for i in b],
        )
        for k in (1, 2)
    ]
    frames = []
    for load_id, year, shift in ((1, YEAR_A, 0.0), (2, YEAR_B, SHIFT * d)):
        parts = [
            level(gm_codes, gx0, gy0, gx0 + cx * d, gy0 + cy * d, "gemeente", "Gemeente", shift),
            level(wk_codes, wx0, wy0, wx0 + bc * d, wy0 + br * d, "wijk", "Wijk", shift),
        ]
        keep = np.ones(n_bu, dtype=bool) if year == YEAR_A else ~split
        parts.append(
            level(bu_codes[keep], bx0[keep], by0[keep], bx0[keep] + d, by0[keep] + d, "buurt", "Buurt", shift)
        )
        if year == YEAR_B and n_split:
            s = split
            parts.append(level(half_codes[0][s], bx0[s], by0[s], cut[s], by0[s] + d, "buurt", "Buurt", shift))
            parts.append(
                level(half_codes[1][s], cut[s], by0[s], bx0[s] + d, by0[s] + d, "buurt", "Buurt", shift)
            )
        df = pd.concat(parts, ignore_index=True)
        df["jaar"], df["load_id"], df["rij"] = year, load_id, np.arange(len(df)) + 1
        frames.append(df)
    areas = pd.concat(frames, ignore_index=True)
    prepared = time.perf_counter() - t0

    for p in db_path.parent.glob(db_path.name + "*"):
        p.unlink()
    con = duckdb.connect(str(db_path))
    ensure_schema(con)
    build(con, only=STAGING_STEPS)  # empty staging tables (stg_omzetting__omzettingen among them)
    con.register("_areas_df", areas)
    con.execute(
        "INSERT INTO staging.stg_gebieden__gebieden BY NAME SELECT gebied_code, niveau, gebied_naam, geometrie, "
        "jaar, load_id, rij, NULL AS vervangen_door FROM _areas_df"
    )
    con.unregister("_areas_df")
    con.executemany(
        "INSERT INTO meta.load_indeling VALUES (?, ?, ?)",
        [(1, YEAR_A, "opgegeven (--jaar)"), (2, YEAR_B, "opgegeven (--jaar)")],
    )
    con.execute("CHECKPOINT")
    counts = con.execute(
        "SELECT jaar, niveau, count(*), sum(length(geometrie)) FROM staging.stg_gebieden__gebieden "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    con.close()
    return {
        "seconds": time.perf_counter() - t0,
        "prepare_seconds": prepared,
        "counts": [list(r) for r in counts],
        "split": int(n_split),
        "buurten_b": int(n_bu + n_split),
        "vertices": n_vertices,
        "cell_degrees": d,
        "db_bytes": db_path.stat().st_size,
    }


def run_divisions(db_path: Path) -> dict[str, Any]:
    """The division steps on the database, with fct_omzetting by method and a check of the overlap shares."""
    import duckdb

    from etl.build import DIVISION_STEPS, build

    con = duckdb.connect(str(db_path))
    limit = _write_session(con)
    t0 = time.perf_counter()
    steps = build(con, only=DIVISION_STEPS)
    seconds = time.perf_counter() - t0
    con.execute("CHECKPOINT")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    methods = con.execute(
        "SELECT van_indeling, methode, count(*), count(DISTINCT van_code) FROM marts.fct_omzetting "
        "GROUP BY ALL ORDER BY van_indeling, min(coalesce(rang, 9))"
    ).fetchall()
    shares = con.execute(
        "SELECT count(*), min(s), max(s), min(n), max(n) FROM (SELECT van_code, sum(aandeel) AS s, count(*) AS n "
        "FROM marts.fct_omzetting WHERE rang = 3 GROUP BY van_code)"
    ).fetchone()
    areas = dict(con.execute("SELECT niveau, count(*) FROM marts.dim_gebied GROUP BY ALL").fetchall())
    con.close()
    return {
        "seconds": seconds,
        "steps": steps,
        "methods": [list(r) for r in methods],
        "shares": list(shares),
        "areas": areas,
        "peak_bytes": peak,
        "memory_limit": limit,
    }


# ------------------------------------------------------------------------------------ 2. carrying in the engine


def _police_methods(con) -> list[list[Any]]:
    """The police rows the engine reads, by how fct_omzetting carries them (as int_waarnemingen_jaar joins)."""
    return [
        list(r)
        for r in con.execute(
            "SELECT coalesce(o.methode, '(geen omzetting)'), count(*) FROM staging.stg_politie__misdrijven AS p "
            "LEFT JOIN meta.load_indeling AS l USING (load_id) "
            "LEFT JOIN marts.fct_omzetting AS o ON o.van_indeling = l.indeling AND o.van_code = p.gebied_code "
            "WHERE p.vervangen_door IS NULL GROUP BY ALL ORDER BY 2 DESC"
        ).fetchall()
    ]


def make_national(db_path: Path, scale: float, seed: int) -> dict[str, Any]:
    import duckdb

    gen = generate(db_path, scale, seed, "catalogue")
    con = duckdb.connect(str(db_path), read_only=True)
    gen["police_methods"] = _police_methods(con)
    gen["omzetting_rows"] = con.execute("SELECT count(*) FROM marts.fct_omzetting").fetchone()[0]
    con.close()
    return gen


def make_older(db_path: Path) -> dict[str, Any]:
    """Record the police loads on the KWB's first division and rebuild the divisions."""
    import duckdb

    from etl.build import DIVISION_STEPS, build

    con = duckdb.connect(str(db_path))
    _write_session(con)
    ids = [
        r[0] for r in con.execute("SELECT DISTINCT load_id FROM staging.stg_politie__misdrijven").fetchall()
    ]
    con.execute(
        f"UPDATE meta.load_indeling SET indeling = ?, herkomst = 'bench_indelingen' "
        f"WHERE load_id IN ({', '.join(str(int(i)) for i in ids)})",
        [FIRST_YEAR],
    )
    steps = build(con, only=DIVISION_STEPS)
    con.execute("CHECKPOINT")
    out = {
        "police_loads": len(ids),
        "steps": steps,
        "police_methods": _police_methods(con),
        "omzetting_rows": con.execute("SELECT count(*) FROM marts.fct_omzetting").fetchone()[0],
    }
    con.close()
    return out


def engine_steps(which: str) -> set[str]:
    """``all``: the indicator engine (INDICATOR_STEPS); ``carrying``: what int_waarnemingen_jaar needs and itself."""
    from etl.build import INDICATOR_STEPS, STEPS

    if which == "all":
        return set(INDICATOR_STEPS)
    names = [s.name for s in STEPS if s.name in INDICATOR_STEPS]
    return set(names[: names.index("int_waarnemingen_jaar") + 1])


def run_indicators(db_path: Path, which: str) -> dict[str, Any]:
    import duckdb

    from etl.build import build

    con = duckdb.connect(str(db_path))
    limit = _write_session(con)
    t0 = time.perf_counter()
    steps = build(con, only=engine_steps(which))
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if which == "all":
        table, flagged_sql = (
            "marts.fct_indicator_scores",
            "SELECT '', coalesce(omzetting, 0), count(*) FROM {t}",
        )
    else:  # the temporary table stays with the connection when no selected step reads it
        table, flagged_sql = "int_waarnemingen_jaar", "SELECT bron, omzetting, count(*) FROM {t}"
    flagged = con.execute(flagged_sql.format(t=table) + " GROUP BY ALL ORDER BY ALL").fetchall()
    con.execute("CHECKPOINT")
    con.close()
    return {
        "seconds": seconds,
        "steps": steps,
        "table": table,
        "by_omzetting": [list(r) for r in flagged],
        "peak_bytes": peak,
        "memory_limit": limit,
    }


# ------------------------------------------------------------------------------------------------ children


def child(spec_json: str) -> int:
    spec = json.loads(spec_json)
    db = Path(spec["db"])
    action = spec["action"]
    if action == "make_divisions":
        out = make_divisions(db, spec["scale"], spec["gewijzigd"], spec["vertices"], spec["seed"])
    elif action == "divisions":
        out = run_divisions(db)
    elif action == "make_national":
        out = make_national(db, spec["scale"], spec["seed"])
    elif action == "make_older":
        out = make_older(db)
    else:
        out = run_indicators(db, spec["steps"])
    print(RESULT_TAG + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def spawn(spec: dict[str, Any], workdir: Path, what: str) -> Child | None:
    """Run this script as a child (benchmarks/childproc.py); None (and the child's error) when it failed."""
    c = run_child(Path(__file__).resolve(), spec, workdir, REPO)
    if c.result is None:
        print(
            f"\n!! {what} FAILED (exit code {c.code}, after {c.wall:.1f} s, peak {fmt_bytes(c.peak_bytes)})"
        )
        for ln in c.stderr.strip().splitlines()[-30:]:
            print(f"     {ln}")
        return None
    return c


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


# ------------------------------------------------------------------------------------------------ parent


def bench_divisions(args: argparse.Namespace, workdir: Path) -> bool:
    db = workdir / "indelingen.duckdb"
    print(
        f"\n== 1. divisions: two divisions with maps ({YEAR_A}, {YEAR_B}), {args.gewijzigd:.0%} of the "
        f"{YEAR_B} buurten re-coded splits ({load()})",
        flush=True,
    )
    made = spawn(
        {"action": "make_divisions", "db": str(db), "scale": args.scale, "gewijzigd": args.gewijzigd,
         "vertices": args.vertices, "seed": args.seed},
        workdir,
        "generating the divisions",
    )  # fmt: skip
    if made is None:
        return False
    m = made.result
    counts: dict[int, dict[str, int]] = {}
    geo_bytes = 0
    for jaar, niveau, n, size in m["counts"]:
        counts.setdefault(jaar, {})[niveau] = n
        geo_bytes += size
    for jaar, c in counts.items():
        print(
            f"  {jaar}: {c.get('gemeente', 0):,} gemeenten, {c.get('wijk', 0):,} wijken, {c.get('buurt', 0):,} buurten"
        )
    print(
        f"  {m['split']:,} buurten of {YEAR_A} split in two re-coded halves ({2 * m['split']:,} of the "
        f"{m['buurten_b']:,} buurten of {YEAR_B}, {2 * m['split'] / m['buurten_b']:.1%}); vertices per ring "
        + ", ".join(f"{k} {v}" for k, v in m["vertices"].items())
        + f"; cell {m['cell_degrees']:.4f} degrees; GeoJSON {fmt_bytes(geo_bytes)}; generated in "
        f"{m['seconds']:.1f} s, database {fmt_bytes(m['db_bytes'])}",
        flush=True,
    )
    runs: list[Child] = []
    for k in range(args.repeat):
        c = spawn({"action": "divisions", "db": str(db)}, workdir, "the division steps")
        if c is None:
            return False
        runs.append(c)
        r = c.result
        per = ", ".join(f"{s} {t:.2f}" for s, t in r["steps"].items())
        print(
            f"  run [{k + 1}/{args.repeat}]: {r['seconds']:.2f} s ({per}); process {c.wall:.1f} s, "
            f"peak {fmt_bytes(c.peak_bytes)}; {load()}",
            flush=True,
        )
    r0 = runs[0].result
    print(
        f"\n  division steps, median of {len(runs)} runs (each a fresh process, memory_limit {r0['memory_limit']}):"
    )
    for s in r0["steps"]:
        times = [c.result["steps"][s] for c in runs]
        print(f"    {s:<22} {median(times):>7.2f} s   ({', '.join(f'{t:.2f}' for t in times)})")
    print(f"    {'total':<22} {median([c.result['seconds'] for c in runs]):>7.2f} s")
    print(f"  peak RSS of the child: {fmt_bytes(max(c.peak_bytes for c in runs))} (max over the runs)")
    print("  marts.fct_omzetting:       rows  source areas")
    for van, methode, n, codes in r0["methods"]:
        print(f"    {van} {methode:<16} {n:>9,} {codes:>12,}")
    n, lo, hi, nmin, nmax = r0["shares"]
    if n:
        print(
            f"  carried by the maps: {n:,} buurten of {YEAR_A}, {nmin}-{nmax} parts each, shares adding up to "
            f"{lo:.4f}-{hi:.4f}"
        )
    print("  dim_gebied: " + ", ".join(f"{k} {v:,}" for k, v in sorted(r0["areas"].items())))
    return True


def bench_carrying(args: argparse.Namespace, workdir: Path) -> bool:
    newest, older = workdir / "national_nieuwste.duckdb", workdir / "national_ouder.duckdb"
    print(
        f"\n== 2. carrying in the indicator engine: national staging data, scale {args.scale} ({load()})",
        flush=True,
    )
    made = spawn({"action": "make_national", "db": str(newest), "scale": args.scale, "seed": args.seed},
                 workdir, "generating the national data")  # fmt: skip
    if made is None:
        return False
    gen = made.result
    areas = gen["areas"]
    print(
        f"  {areas.get('gemeente', 0):,} gemeenten, {areas.get('wijk', 0):,} wijken, {areas.get('buurt', 0):,} "
        f"buurten; police {gen['rows']['stg_politie__misdrijven']:,} rows ({gen['n_codes']} crime codes, monthly "
        f"{FIRST_YEAR}-{LAST_YEAR}); staging {sum(gen['rows'].values()):,} rows; generated in {gen['seconds']:.1f} s, "
        f"database {fmt_bytes(gen['db_bytes'])}; fct_omzetting {gen['omzetting_rows']:,} rows "
        f"(divisions {FIRST_YEAR}-{LAST_YEAR})",
        flush=True,
    )
    t0 = time.perf_counter()
    shutil.copyfile(newest, older)
    copied = time.perf_counter() - t0
    c = spawn(
        {"action": "make_older", "db": str(older)}, workdir, "recording the police loads on an older division"
    )
    if c is None:
        return False
    o = c.result
    print(
        f"  copy {copied:.1f} s; {o['police_loads']} police loads recorded on division {FIRST_YEAR}, division steps "
        f"rebuilt in {sum(o['steps'].values()):.2f} s ("
        + ", ".join(f"{s} {t:.2f}" for s, t in o["steps"].items())
        + ")"
    )
    variants = {
        f"police on {LAST_YEAR}": (newest, gen["police_methods"]),
        f"police on {FIRST_YEAR}": (older, o["police_methods"]),
    }
    for name, (_, methods) in variants.items():
        print(f"  police rows, {name}: " + ", ".join(f"{m} {n:,}" for m, n in methods))
    repeat = args.engine_repeat
    what = (
        "the indicator engine (INDICATOR_STEPS)"
        if args.engine_steps == "all"
        else "the engine's steps up to int_waarnemingen_jaar (the rest of INDICATOR_STEPS: --engine-steps all)"
    )
    print(f"  timing {what}, {repeat} run(s) per database, alternating", flush=True)
    runs: dict[str, list[Child]] = {name: [] for name in variants}
    for k in range(repeat):
        for name, (db, _) in variants.items():
            spec = {"action": "indicators", "db": str(db), "steps": args.engine_steps}
            c = spawn(spec, workdir, f"the indicator build ({name})")
            if c is None:
                return False
            runs[name].append(c)
            r = c.result
            print(
                f"  [{k + 1}/{repeat}] {name:<15} {r['seconds']:7.2f} s (int_waarnemingen_jaar "
                f"{r['steps']['int_waarnemingen_jaar']:.2f} s), process {c.wall:.1f} s, peak "
                f"{fmt_bytes(c.peak_bytes)}; {load()}",
                flush=True,
            )
    names = list(variants)
    print(
        f"\n  seconds, median of {repeat} run(s) per database (each a fresh process, memory_limit "
        f"{runs[names[0]][0].result['memory_limit']}); ratio = {names[1]} / {names[0]}:"
    )
    print(f"    {'step':<24}" + "".join(f"{n:>17}" for n in names) + f"{'ratio':>8}")
    for s in [*runs[names[0]][0].result["steps"], "total"]:
        meds = [
            median([c.result["seconds"] if s == "total" else c.result["steps"][s] for c in runs[n]])
            for n in names
        ]
        ratio = f"{meds[1] / meds[0]:8.2f}" if meds[0] >= 0.05 else f"{'':8}"
        print(f"    {s:<24}" + "".join(f"{m:>15.2f} s" for m in meds) + ratio)
    for n in names:
        r0 = runs[n][0].result
        by: dict[str, list[str]] = {}
        for bron, omzetting, count in r0["by_omzetting"]:
            by.setdefault(bron, []).append(f"{METHOD_NAMES.get(omzetting, omzetting)} {count:,}")
        print(
            f"  {n}: peak RSS {fmt_bytes(max(c.peak_bytes for c in runs[n]))}; rows of {r0['table']} by omzetting:"
        )
        for bron, parts in by.items():
            print(f"    {bron or 'all':<16} " + ", ".join(parts))
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--workdir", type=Path, default=DEFAULT_WORKDIR, help="default: benchmarks/out/bench_indelingen/"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="scale the number of areas (0.1: quick run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed step; the median is reported")
    parser.add_argument(
        "--gewijzigd",
        type=float,
        default=0.08,
        help="share of the newer division's buurten that are re-coded splits",
    )
    parser.add_argument(
        "--vertices",
        type=int,
        default=VERTICES["buurt"],
        help="points per buurt ring (wijk and gemeente in the demo's proportion)",
    )
    parser.add_argument(
        "--engine-steps",
        choices=("carrying", "all"),
        default="carrying",
        help="part 2 times the engine up to int_waarnemingen_jaar (default) or all of INDICATOR_STEPS "
        "(~10 minutes a run at national scale)",
    )
    parser.add_argument(
        "--engine-repeat",
        type=int,
        help="runs per database in part 2 (default: --repeat; one run takes about a minute at national scale)",
    )
    parser.add_argument("--only", choices=("divisions", "carrying"), help="run one of the two parts")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--keep", action="store_true", help="keep the databases in the work directory")
    args = parser.parse_args(argv)  # fmt: skip
    if args.child:
        return child(args.child)
    if args.engine_repeat is None:
        args.engine_repeat = args.repeat
    if (
        args.repeat < 1
        or args.engine_repeat < 1
        or args.scale <= 0
        or not 0 <= args.gewijzigd < 1
        or args.vertices < 4
    ):
        parser.error("--repeat and --engine-repeat >= 1, --scale > 0, 0 <= --gewijzigd < 1, --vertices >= 4")
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    print(
        f"wijkmonitor area-division benchmark: scale {args.scale}, repeat {args.repeat} (engine "
        f"{args.engine_repeat}, {args.engine_steps}), {os.cpu_count()} CPUs, "
        f"{load()}, work dir {workdir}",
        flush=True,
    )
    ok = True
    try:
        if args.only in (None, "divisions"):
            ok = bench_divisions(args, workdir) and ok
        if args.only in (None, "carrying"):
            ok = bench_carrying(args, workdir) and ok
    finally:
        if not args.keep:
            for p in workdir.glob("*.duckdb*"):  # the databases, their WAL and spill directories
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink()
    print(
        f"\n(whole run {time.perf_counter() - t0:.0f} s; this parent peaked at "
        f"{fmt_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}; {load()})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
