"""Indicator benchmark at national scale: rebuild all indicator marts in DuckDB, and the same in plain pandas.

Generates the STAGING layer of a national-scale Wijkmonitor database with ``national_data.generate`` (DuckDB
SQL, no CSV parsing: loading is benchmarked by ``bench_load.py``) into a DuckDB file in a work directory
(default ``benchmarks/out/``, git-ignored): ~340 gemeenten, ~3,300 wijken, ~13,000 buurten, monthly police
data 2017..2025 for the crime codes the catalogue uses (``--codes catalogue``, ~15 M rows) or all 59 codes of
the registry (``--codes all``, ~83 M rows: the pandas comparison does not fit in memory and is skipped unless
``--force-pandas``), partner, survey, population and Leefbaarometer data; ``national_data.py`` describes it.

Then, each in a fresh Python process (peak RSS = that process's own ``ru_maxrss``, read at the end of the
timed part; the parent stays small because a spawned child starts from its parent's high-water mark):

1. ``etl.build.build(con, only=INDICATOR_STEPS)`` (the indicator engine's steps) on the file, ``--repeat`` times, with the connection settings of a write
   session (``etl.db.write_session``: memory limit, insertion order); seconds per model and the median;
2. the same computation written in plain pandas (``pandas_reference.pandas_marts``): the staging tables
   pulled with ``.df()`` (only the columns the marts read), then groupby / merge / merge_asof / explode, scipy
   for the exact Poisson intervals and the hotspot p-values; the first run also checks its result against
   the marts (``pandas_reference.compare``): row counts of every mart, 1,000 random rows of
   ``fct_indicator_scores``, ``fct_indicator_vorige`` and ``fct_hotspots``, and every gemeente row of
   ``fct_composites`` and ``fct_doelen``.

Usage::

    .venv/bin/python benchmarks/bench_indicators.py                       # full scale (~15 minutes)
    .venv/bin/python benchmarks/bench_indicators.py --scale 0.1 --repeat 1  # quick run
    .venv/bin/python benchmarks/bench_indicators.py --codes all           # 59 crime codes, DuckDB only
    .venv/bin/python benchmarks/bench_indicators.py --keep                # keep (and reuse) the database
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from childproc import RESULT_TAG, run_child
from national_data import DB_NAME, FIRST_YEAR, LAST_YEAR, generate, reusable, save_summary, summary_path
from pandas_reference import ATOL, RTOL, compare, pandas_marts

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path(__file__).resolve().parent / "out"

GOAL_SECONDS = 10.0
MB = 1024**2
# Measured peak of the pandas version: ~0.25 GB + ~500 bytes per staging row (scale 0.05 .. 0.2).
PANDAS_BASE_BYTES, PANDAS_BYTES_PER_ROW = 250 * 1024**2, 550


def _available_bytes() -> int:
    with open("/proc/meminfo") as f:
        info = dict(line.split(":", 1) for line in f)
    return int(info["MemAvailable"].split()[0]) * 1024


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


# ------------------------------------------------------------------------------------------ the DuckDB marts


def _write_session_settings() -> tuple[str, list[str]]:
    """The memory limit and settings a production write session (etl.db.write_session) uses."""
    import inspect

    from etl import db as dbmod

    limit = inspect.signature(dbmod.write_session).parameters["memory_limit"].default
    return limit, [f"SET memory_limit = '{limit}'", "SET preserve_insertion_order = true"]


def run_marts(db_path: Path) -> dict[str, Any]:
    import duckdb

    from etl.build import INDICATOR_STEPS, STEPS, build

    limit, settings = _write_session_settings()
    con = duckdb.connect(str(db_path))
    for stmt in settings:
        con.execute(stmt)
    t0 = time.perf_counter()
    models = build(con, only=INDICATOR_STEPS)
    seconds = time.perf_counter() - t0
    con.execute("CHECKPOINT")
    checkpoint = time.perf_counter() - t0 - seconds
    peak = _peak_bytes()
    # the intermediate models are temporary tables of the build (gone with it); the others are the marts
    marts = [s.name for s in STEPS if s.name in models and s.layer == "marts"]
    rows = {m: con.execute(f"SELECT count(*) FROM marts.{m}").fetchall()[0][0] for m in marts}
    con.close()
    return {
        "seconds": seconds,
        "checkpoint_seconds": checkpoint,
        "models": models,
        "rows": rows,
        "peak_bytes": peak,
        "memory_limit": limit,
        "threads": os.cpu_count(),
    }


def run_pandas(db_path: Path, check: bool, seed: int) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    t0 = time.perf_counter()
    out, rows, steps, peaks = pandas_marts(con)
    seconds = time.perf_counter() - t0
    peak = _peak_bytes()
    result: dict[str, Any] = {
        "seconds": seconds,
        "steps": steps,
        "peaks": peaks,
        "rows": rows,
        "peak_bytes": peak,
    }
    if check:
        t1 = time.perf_counter()
        result["check"] = compare(con, out, rows, seed)
        result["check_seconds"] = time.perf_counter() - t1
    con.close()
    return result


# ------------------------------------------------------------------------------------------------ children


def child(spec_json: str) -> int:
    spec = json.loads(spec_json)
    db = Path(spec["db"])
    if spec["action"] == "generate":
        out = generate(db, spec["scale"], spec["seed"], spec["codes"])
    elif spec["action"] == "marts":
        out = run_marts(db)
    else:
        out = run_pandas(db, spec["check"], spec["seed"])
    print(RESULT_TAG + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


@dataclass
class Run:
    ok: bool
    wall: float  # the whole child process
    peak_bytes: int  # the child's ru_maxrss (whole process, wait4)
    detail: dict[str, Any] = field(default_factory=dict)
    stderr: str = ""


def spawn(spec: dict[str, Any], workdir: Path) -> Run:
    """Run this script as a child with ``spec``, measured on its own (benchmarks/childproc.py)."""
    child = run_child(Path(__file__).resolve(), spec, workdir, REPO)
    if child.result is None:
        return Run(False, child.wall, child.peak_bytes, {"returncode": child.code}, child.stderr)
    return Run(True, child.wall, child.peak_bytes, child.result, child.stderr)


def fmt_bytes(n: float) -> str:
    return f"{n / 1024**3:.2f} GB" if n >= 1024**3 else f"{n / MB:.0f} MB"


def report_failure(name: str, run: Run) -> None:
    print(
        f"\n!! {name} FAILED (returncode {run.detail.get('returncode')}, after {run.wall:.1f} s, "
        f"peak {fmt_bytes(run.peak_bytes)})"
    )
    for ln in run.stderr.strip().splitlines()[-30:]:
        print(f"     {ln}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------------------------------------ parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="default: benchmarks/out/")
    parser.add_argument("--scale", type=float, default=1.0, help="scale the number of areas (0.1: quick run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed step; the median is reported")
    parser.add_argument("--pandas-repeat", type=int, help="runs of the pandas version (default: --repeat)")
    parser.add_argument(
        "--codes",
        choices=("all", "catalogue"),
        default="catalogue",
        help="police crime codes: only those the catalogue uses (default) or all of the registry "
        "(~83 M rows: the pandas comparison does not fit in 24 GB and is skipped unless --force-pandas)",
    )
    parser.add_argument("--skip-pandas", action="store_true", help="time the DuckDB marts only")
    parser.add_argument(
        "--force-pandas",
        action="store_true",
        help="run the pandas version even when it looks too big for memory",
    )
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (and reuse it when it matches)"
    )
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    pandas_repeat = args.repeat if args.pandas_repeat is None else args.pandas_repeat
    if args.repeat < 1 or pandas_repeat < 1 or args.scale <= 0:
        parser.error("--repeat and --pandas-repeat must be >= 1 and --scale > 0")

    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / DB_NAME
    print(
        f"wijkmonitor indicator benchmark: scale {args.scale}, codes {args.codes}, repeat {args.repeat} "
        f"(pandas {0 if args.skip_pandas else pandas_repeat}), {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}, work dir {workdir}",
        flush=True,
    )

    # 1. the staging layer (reused with --keep when generated with the same parameters)
    gen = reusable(db, args.scale, args.seed, args.codes) if args.keep else None
    if gen is not None:
        print(f"reusing {db} (generated earlier with the same parameters)")
    else:
        summary_path(db).unlink(missing_ok=True)
        run = spawn({"action": "generate", "db": str(db), "scale": args.scale, "seed": args.seed,
                     "codes": args.codes}, workdir)  # fmt: skip
        if not run.ok:
            report_failure("generation", run)
            return 1
        gen = run.detail
        gen["peak_bytes"] = run.peak_bytes
        save_summary(db, gen)
        print(
            f"generated in {gen['seconds']:.1f} s (staging {gen['staging_seconds']:.1f} s, "
            f"dim_gebied/coverage/dim_variabele {gen['etl_marts_seconds']:.1f} s), "
            f"peak {fmt_bytes(run.peak_bytes)}, "
            f"database {fmt_bytes(gen['db_bytes'])}",
            flush=True,
        )
    areas = gen["areas"]
    print(
        f"areas: {areas.get('gemeente', 0):,} gemeenten, {areas.get('wijk', 0):,} wijken, "
        f"{areas.get('buurt', 0):,} buurten; police: {gen['n_codes']} crime codes "
        + (
            "(all codes of the registry), "
            if gen["codes_mode"] == "all"
            else "(only those the catalogue uses: with all 59 codes of the registry the police table has "
            "~83 M rows and the pandas comparison does not fit in memory; --codes all times DuckDB alone), "
        )
        + f"monthly {FIRST_YEAR}-{LAST_YEAR}"
    )
    print("staging rows:")
    for t, n in gen["rows"].items():
        extra = ""
        if t == "stg_partner__waarnemingen":
            extra = "  (" + ", ".join(f"{b} {k:,}" for b, k in gen["partner_rows"].items()) + ")"
        print(f"  {t:<28} {n:>12,}{extra}")
    print(f"  {'total':<28} {sum(gen['rows'].values()):>12,}", flush=True)

    try:
        # 2. DuckDB: build_marts
        marts: list[Run] = []
        for k in range(args.repeat):
            run = spawn({"action": "marts", "db": str(db)}, workdir)
            if not run.ok:
                report_failure("build_marts", run)
                return 1
            marts.append(run)
            d = run.detail
            per = ", ".join(f"{m} {s:.2f}" for m, s in d["models"].items())
            print(
                f"  build_marts [{k + 1}/{args.repeat}]: {d['seconds']:.2f} s (+ checkpoint "
                f"{d['checkpoint_seconds']:.2f} s), peak {fmt_bytes(d['peak_bytes'])}; {per}",
                flush=True,
            )

        # 3. pandas
        pandas_runs: list[Run] = []
        estimate = PANDAS_BASE_BYTES + PANDAS_BYTES_PER_ROW * sum(gen["rows"].values())
        if not args.skip_pandas and not args.force_pandas and estimate > 0.8 * _available_bytes():
            print(
                f"  pandas skipped: its peak would be about {fmt_bytes(estimate)}, more than 80 % of the "
                f"{fmt_bytes(_available_bytes())} available (--force-pandas to run it anyway)"
            )
            args.skip_pandas = True
        if not args.skip_pandas:
            for k in range(pandas_repeat):
                run = spawn({"action": "pandas", "db": str(db), "check": k == 0, "seed": args.seed}, workdir)
                if not run.ok:
                    report_failure("pandas", run)
                    break
                pandas_runs.append(run)
                d = run.detail
                per = ", ".join(f"{m} {s:.2f}" for m, s in d["steps"].items())
                print(
                    f"  pandas [{k + 1}/{pandas_repeat}]: {d['seconds']:.2f} s, "
                    f"peak {fmt_bytes(d['peak_bytes'])}; {per}",
                    flush=True,
                )
        summary(gen, marts, pandas_runs, args)
    finally:
        if not args.keep:
            for p in workdir.glob(DB_NAME + "*"):
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink()
    return 0 if not pandas_runs or pandas_runs[0].detail["check"]["ok"] else 1


def summary(gen: dict[str, Any], marts: list[Run], pandas_runs: list[Run], args: argparse.Namespace) -> None:
    d0 = marts[0].detail
    med = median([r.detail["seconds"] for r in marts])
    print("\nsummary (time: median of the runs; peak RSS: max over the runs, each run a fresh process):")
    police = gen["rows"]["stg_politie__misdrijven"]
    print(f"  staging rows: {sum(gen['rows'].values()):,} (police {police:,}, {gen['n_codes']} crime codes)")
    print(
        f"  DuckDB build_marts ({len(marts)} runs): {med:.2f} s  (goal {GOAL_SECONDS:.0f} s: "
        f"{med / GOAL_SECONDS:.2f}x the goal; checkpoint afterwards "
        f"{median([r.detail['checkpoint_seconds'] for r in marts]):.2f} s), "
        f"peak RSS {fmt_bytes(max(r.detail['peak_bytes'] for r in marts))} "
        f"(memory_limit {d0['memory_limit']} as in a write session, {d0['threads']} threads)"
    )
    for m in d0["models"]:
        sec = median([r.detail["models"][m] for r in marts])
        n_rows = f"{d0['rows'][m]:>12,} rows" if m in d0["rows"] else f"{'(temporary)':>17}"
        print(f"    {m:<24} {sec:>7.2f} s  {n_rows}")
    if pandas_runs:
        p0 = pandas_runs[0].detail
        pmed = median([r.detail["seconds"] for r in pandas_runs])
        pull = median([r.detail["steps"]["pull"] for r in pandas_runs])
        print(
            f"  pandas ({len(pandas_runs)} runs): {pmed:.2f} s  (pulling the staging tables into pandas "
            f"{pull:.2f} s, computing {pmed - pull:.2f} s), peak RSS "
            f"{fmt_bytes(max(r.detail['peak_bytes'] for r in pandas_runs))}"
        )
        for step in p0["steps"]:
            sec = median([r.detail["steps"][step] for r in pandas_runs])
            rows = f"{p0['rows'][step]:>12,} rows" if step in p0["rows"] else f"{'':>17}"
            peak = fmt_bytes(p0["peaks"][step])
            print(f"    {step:<24} {sec:>7.2f} s  {rows}   peak RSS after it (run 1) {peak}")
        print(
            f"  speed-up of DuckDB over pandas: {pmed / med:.1f}x "
            f"(over the pandas computation alone, without the pull: {(pmed - pull) / med:.1f}x)"
        )
        c = p0["check"]
        print(
            f"  pandas result matches marts: {'yes' if c['ok'] else 'no'} "
            f"(max abs diff {c['max_abs_diff']:.3g}; "
            f"checked: row counts of all {c['marts']} marts, "
            + "; ".join(x["label"] for x in c["checks"])
            + f"; tolerance {ATOL:g} + {RTOL:g} x |value|)"
        )
        for problem in c["problems"][:30]:
            print(f"    {problem}")
    elif not args.skip_pandas:
        print("  pandas: FAILED (see above)")
    print(
        f"  (floor of every peak figure: this parent process peaked at {fmt_bytes(_peak_bytes())}; "
        f"1-minute load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    sys.exit(main())
