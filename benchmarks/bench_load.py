"""Load benchmark at national scale: a 47022NED-shaped police month file and a 1 M-row partner file.

Generates, into a work directory (default ``benchmarks/out/``, git-ignored):

* ``gebieden_2019.csv``: a CBS-style area division as a plain long bevolking file
  (``gebied_code;jaar;inwoners;huishoudens;woningen``, year 2019): ~13,000 buurten in ~3,300 wijken in
  ~340 gemeenten (buurt rows; the wijken and gemeenten follow from the nested codes);
* ``politie_47022NED_2019.csv``: every buurt x every SoortMisdrijf code of ``etl/registry/soort_misdrijf.yaml``
  x ``2019MM01``..``2019MM12``, shaped like the CBS/Politie download (UTF-8 with BOM, ``;``, every field
  quoted, codes and counts padded, ~0.1 % ``.`` = not published). The issue's size is 13,000 x 60 x 12 =
  9.36 M rows; the registry lists 59 codes, so the number of buurten is set to reach 9.36 M rows (13,220);
* ``partner_gemeente.csv``: source ``gemeente`` (monthly, per buurt, its three variables) from 2019-01 on,
  as many whole months as needed to reach 1 M rows.

Then it runs each step in a fresh Python process, through the public API (``etl.load_files`` /
``etl.validate_files``):

1. load the area file into an empty database;
2. validate the police file (dry run, against that database);
3. load the police file (into a copy of the area database);
4. load the partner file (into a copy of the database that holds the police file, so the rebuild of staging
   and marts includes the police rows, as it would in production).

Peak memory is the child's own ``ru_maxrss`` from ``os.wait4``. On Linux a spawned child inherits the
parent's high-water mark, so everything heavy (generation included) runs in children and the parent stays at
a few tens of MB; the parent's own peak is printed as the floor of every figure.

Usage::

    .venv/bin/python benchmarks/bench_load.py                    # full scale (a few minutes)
    .venv/bin/python benchmarks/bench_load.py --rows-scale 0.1   # quick run
    .venv/bin/python benchmarks/bench_load.py --repeat 3 --keep  # median of 3, keep the generated files
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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from childproc import RESULT_TAG, run_child

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path(__file__).resolve().parent / "out"

# National orders of magnitude (CBS area division around 2019) and the issue's file sizes.
POLICE_ROWS = 13_000 * 60 * 12  # 9.36 M
N_WIJKEN = 3_300
N_GEMEENTEN = 340
MONTHS = 12
AREA_YEAR = 2019
PARTNER_ROWS = 1_000_000
PARTNER_VARIABLES = ["meldingen_openbare_ruimte", "meldingen_overlast_jeugd", "meldingen_verward_gedrag"]

GOAL_SECONDS = 60.0  # for the 9.36 M-row police file
GOAL_BYTES = 4 * 1024**3
MB = 1024**2


# ----------------------------------------------------------------------------------------------- generation


@dataclass
class Files:
    areas: str
    politie: str
    partner: str
    n_buurten: int = 0
    n_wijken: int = 0
    n_gemeenten: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _area_division(n_bu: int, n_wk: int, n_gm: int, seed: int) -> Any:
    """Buurt codes BU<gm:4><wk:2><bu:2> nested in random-sized wijken and gemeenten (each at least one)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    gm_codes = np.sort(rng.choice(np.arange(1, 2000), size=n_gm, replace=False))
    wk_gm = np.sort(np.concatenate([np.arange(n_gm), rng.integers(0, n_gm, n_wk - n_gm)]))
    bu_wk = np.sort(np.concatenate([np.arange(n_wk), rng.integers(0, n_wk, n_bu - n_wk)]))

    def rank_within(groups: Any) -> Any:  # 1-based position of each element inside its (sorted) group
        starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
        first = np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
        return np.arange(len(groups)) - first + 1

    wk_nr, bu_nr = rank_within(wk_gm), rank_within(bu_wk)
    if wk_nr.max() > 99 or bu_nr.max() > 99:
        raise SystemExit("area division too dense for two-digit wijk/buurt numbers")
    gm = gm_codes[wk_gm[bu_wk]]
    wk = wk_nr[bu_wk]
    codes = [f"BU{g:04d}{w:02d}{b:02d}" for g, w, b in zip(gm, wk, bu_nr, strict=True)]  # ~13k: cheap
    inwoners = rng.integers(50, 6000, n_bu)
    huishoudens = (inwoners / rng.uniform(1.8, 2.6, n_bu)).astype(np.int64)
    woningen = (huishoudens * rng.uniform(1.0, 1.08, n_bu)).astype(np.int64)
    return pd.DataFrame(
        {
            "i": np.arange(n_bu, dtype=np.int64),
            "gebied_code": codes,
            "inwoners": inwoners,
            "huishoudens": huishoudens,
            "woningen": woningen,
        }
    )


def _prepend_bom_and_header(part: Path, target: Path, header: str) -> None:
    """CBS downloads start with a UTF-8 BOM: write BOM + header, then append DuckDB's header-less output."""
    with open(target, "wb") as out, open(part, "rb") as src:
        out.write(b"\xef\xbb\xbf" + header.encode("utf-8") + b"\n")
        shutil.copyfileobj(src, out, 1 << 24)
    part.unlink()


def generate(workdir: Path, scale: float, seed: int) -> Files:
    import duckdb
    import yaml

    t0 = time.perf_counter()
    registry = REPO / "etl" / "registry" / "soort_misdrijf.yaml"
    codes = list(yaml.safe_load(registry.read_text("utf-8"))["codes"])
    n_bu = max(4, round(POLICE_ROWS * scale / (len(codes) * MONTHS)))
    n_wk = max(2, min(n_bu, round(N_WIJKEN * scale)))
    n_gm = max(1, min(n_wk, round(N_GEMEENTEN * scale)))
    files = Files(
        str(workdir / f"gebieden_{AREA_YEAR}.csv"),
        str(workdir / f"politie_47022NED_{AREA_YEAR}.csv"),
        str(workdir / "partner_gemeente.csv"),
        n_bu,
        n_wk,
        n_gm,
    )
    buurten = _area_division(n_bu, n_wk, n_gm, seed)

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.register("buurten_df", buurten)
    con.execute("CREATE TABLE buurten AS SELECT * FROM buurten_df")
    con.execute(
        "CREATE TABLE soorten AS SELECT i - 1 AS i, code FROM unnest(?) WITH ORDINALITY AS t(code, i)",
        [codes],
    )

    # 1. Area division: the plain long bevolking file, buurt rows for one year.
    con.execute(f"""
        COPY (SELECT gebied_code, {AREA_YEAR} AS jaar, inwoners, huishoudens, woningen FROM buurten ORDER BY i)
        TO '{files.areas}' (DELIMITER ';', HEADER)""")
    files.rows["areas"] = n_bu

    # 2. Police month file, 47022NED-shaped: SoortMisdrijf major, then area, then period (as CBS sorts it).
    #    Counts: mostly 0-3 per crime type, 5-44 for the total (0.0.0), ~0.1 % '.' (not published).
    part = Path(files.politie).with_suffix(".part")
    con.execute(f"""
        COPY (
            SELECT
                CAST((s.i * {n_bu} + b.i) * {MONTHS} + m.m - 1 AS VARCHAR)             AS id,
                rpad(s.code, 6, ' ')                                                   AS soort,
                rpad(b.gebied_code, 10, ' ')                                           AS gebied,
                '{AREA_YEAR}MM' || lpad(CAST(m.m AS VARCHAR), 2, '0')                  AS periode,
                lpad(CASE
                    WHEN u.u = 999 THEN '.'
                    WHEN s.code = '0.0.0' THEN CAST(5 + u.u % 40 AS VARCHAR)
                    WHEN u.u < 700 THEN '0'
                    WHEN u.u < 900 THEN '1'
                    WHEN u.u < 970 THEN '2'
                    ELSE CAST(3 + u.u % 5 AS VARCHAR)
                END, 8, ' ')                                                           AS aantal
            FROM soorten AS s
            CROSS JOIN buurten AS b
            CROSS JOIN (SELECT range AS m FROM range(1, {MONTHS + 1})) AS m
            CROSS JOIN LATERAL (SELECT CAST(hash(b.i, s.i, m.m, {seed}) % 1000 AS INTEGER) AS u) AS u
            ORDER BY s.i, b.i, m.m
        ) TO '{part}' (DELIMITER ';', QUOTE '"', FORCE_QUOTE *, HEADER false)""")
    _prepend_bom_and_header(
        part,
        Path(files.politie),
        '"ID";"SoortMisdrijf";"WijkenEnBuurten";"Perioden";"GeregistreerdeMisdrijven_1"',
    )
    files.rows["politie"] = len(codes) * n_bu * MONTHS

    # 3. Partner file: source gemeente, monthly per buurt, its three variables, 1 M rows (scaled).
    target = max(1, round(PARTNER_ROWS * scale))
    n_months = -(-target // (n_bu * len(PARTNER_VARIABLES)))  # ceil: whole months
    con.execute(
        f"""
        COPY (
            SELECT
                'gemeente'                                                           AS bron,
                b.gebied_code                                                        AS gebied_code,
                strftime(DATE '{AREA_YEAR}-01-01' + to_months(p.k), '%Y-%m')         AS periode,
                v.variabele                                                          AS variabele,
                CAST(hash(b.i, p.k, v.j, {seed}) % 25 AS INTEGER)                    AS waarde,
                NULL::VARCHAR                                                        AS n,
                NULL::VARCHAR                                                        AS sd
            FROM buurten AS b
            CROSS JOIN (SELECT range AS k FROM range({n_months})) AS p
            CROSS JOIN (SELECT j - 1 AS j, variabele FROM unnest(?) WITH ORDINALITY AS t(variabele, j)) AS v
            ORDER BY b.i, p.k, v.j
        ) TO '{files.partner}' (DELIMITER ';', HEADER)""",
        [PARTNER_VARIABLES],
    )
    files.rows["partner"] = n_bu * n_months * len(PARTNER_VARIABLES)
    con.close()
    files.seconds = time.perf_counter() - t0
    return files


# ------------------------------------------------------------------------------------------------ children


def child_generate(spec: dict[str, Any]) -> dict[str, Any]:
    return asdict(generate(Path(spec["workdir"]), spec["scale"], spec["seed"]))


def child_step(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one load/validate step in this fresh process; the timeline holds the ETL's progress messages."""
    timeline: list[tuple[float, str]] = []
    t_start = time.perf_counter()
    t_call = t_start

    def progress(message: str) -> None:
        timeline.append((round(time.perf_counter() - t_call, 2), message.splitlines()[0][:160]))

    from etl import Options, load_files, validate_files

    t_import = time.perf_counter() - t_start
    fn = load_files if spec["action"] == "load" else validate_files
    t_call = time.perf_counter()
    results = fn(spec["paths"], Path(spec["db"]), Options(), progress=progress)
    seconds = time.perf_counter() - t_call
    return {
        "seconds": seconds,
        "import_seconds": t_import,
        "timeline": timeline,
        "results": [
            {
                "file": r.path.name,
                "status": r.status,
                "ok": r.ok,
                "kind": r.kind,
                "rows": r.rows,
                "rows_loaded": r.rows_loaded,
                "errors": [i.bericht for i in r.issues if i.ernst == "fout"][:10],
                "n_errors": sum(1 for i in r.issues if i.ernst == "fout"),
            }
            for r in results
        ],
    }


def child(spec_json: str) -> int:
    spec = json.loads(spec_json)
    out = child_generate(spec) if spec["action"] == "generate" else child_step(spec)
    print(RESULT_TAG + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


# ------------------------------------------------------------------------------------------------ parent


@dataclass
class Run:
    ok: bool
    seconds: float  # the load_files / validate_files call (or the generation)
    wall: float  # the whole child process (interpreter start and imports included)
    peak_bytes: int
    rows: int
    detail: dict[str, Any]
    stderr: str = ""


def spawn(spec: dict[str, Any], workdir: Path) -> Run:
    """Run this script as a child with ``spec``, measured on its own (benchmarks/childproc.py)."""
    child = run_child(Path(__file__).resolve(), spec, workdir, REPO)
    if child.result is None:
        return Run(
            False, child.wall, child.wall, child.peak_bytes, 0, {"returncode": child.code}, child.stderr
        )
    detail = child.result
    if spec["action"] == "generate":
        return Run(
            True,
            detail["seconds"],
            child.wall,
            child.peak_bytes,
            sum(detail["rows"].values()),
            detail,
            child.stderr,
        )
    res = detail["results"][0]
    return Run(
        bool(res["ok"]),
        detail["seconds"],
        child.wall,
        child.peak_bytes,
        int(res["rows"]),
        detail,
        child.stderr,
    )


def fresh_db(db: Path, snapshot: Path | None) -> None:
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    shutil.rmtree(db.parent / "raw", ignore_errors=True)  # load_files keeps a copy of each loaded file there
    if snapshot is not None:
        shutil.copyfile(snapshot, db)


def fmt_bytes(n: float) -> str:
    return f"{n / 1024**3:.2f} GB" if n >= 1024**3 else f"{n / MB:.0f} MB"


@dataclass
class StepSummary:
    name: str
    runs: list[Run]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def peak(self) -> int:
        return max(r.peak_bytes for r in self.runs)

    @property
    def rows(self) -> int:
        return self.runs[-1].rows


def report_failure(name: str, run: Run) -> None:
    print(
        f"\n!! {name} FAILED (returncode {run.detail.get('returncode', 0)}, after {run.wall:.1f} s, "
        f"peak {fmt_bytes(run.peak_bytes)})"
    )
    for res in run.detail.get("results", []):
        print(f"   {res['file']}: {res['status']}, {res['n_errors']} errors")
        for e in res["errors"]:
            print(f"     {e[:300]}")
    if run.stderr.strip():
        print("   stderr (tail):")
        for ln in run.stderr.strip().splitlines()[-25:]:
            print(f"     {ln}")


def timed(name: str, repeat: int, action: str, path: str, db: Path, snapshot: Path | None) -> StepSummary:
    runs = []
    for k in range(repeat):
        fresh_db(db, snapshot)
        load_before = os.getloadavg()[0]
        run = spawn({"action": action, "paths": [path], "db": str(db)}, db.parent)
        runs.append(run)
        print(
            f"  {name} [{k + 1}/{repeat}]: {'ok' if run.ok else 'FAILED'}, {run.seconds:.1f} s "
            f"(process {run.wall:.1f} s), peak {fmt_bytes(run.peak_bytes)}; load average before "
            f"{load_before:.1f}, after {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if not run.ok:
            report_failure(name, run)
            break
        for at, msg in run.detail.get("timeline", []):
            print(f"      +{at:7.1f} s  {msg}")
    return StepSummary(name, runs)


def print_summary(steps: list[StepSummary], scale: float, repeat: int) -> None:
    if not steps:
        return
    print(
        f"\nsummary (time: median of {repeat}; memory: max; 'call' = the load_files/validate_files call, "
        "'process' = the whole child process):"
    )
    print(f"  {'step':<18} {'rows':>11} {'call s':>8} {'process s':>10} {'rows/s':>11} {'peak RSS':>10}")
    for s in steps:
        if not s.ok:
            print(f"  {s.name:<18} {'FAILED':>11}")
            continue
        rate = s.rows / s.seconds if s.seconds else float("nan")
        print(
            f"  {s.name:<18} {s.rows:>11,} {s.seconds:>8.1f} {s.wall:>10.1f} {rate:>11,.0f} "
            f"{s.peak / MB:>7,.0f} MB"
        )
    goal_s = GOAL_SECONDS * scale
    scaled = "" if scale == 1 else f", scaled to {scale}x rows"
    for s in steps:
        if s.ok and s.name.startswith("politie"):
            print(
                f"  {s.name}: {s.seconds:.0f} s (goal {goal_s:.0f} s{scaled}, {s.seconds / goal_s:.2f}x), "
                f"peak {fmt_bytes(s.peak)} (goal {fmt_bytes(GOAL_BYTES)}, {s.peak / GOAL_BYTES:.2f}x)"
            )
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"  (floor of every peak figure: this parent process peaked at {fmt_bytes(parent)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="default: benchmarks/out/")
    parser.add_argument("--rows-scale", type=float, default=1.0, help="scale all row counts (0.1: quick run)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per timed step; the median is reported")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--keep", action="store_true", help="keep the generated files and databases")
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if args.repeat < 1 or args.rows_scale <= 0:
        parser.error("--repeat must be >= 1 and --rows-scale > 0")

    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"wijkmonitor load benchmark: scale {args.rows_scale}, repeat {args.repeat}, {os.cpu_count()} CPUs "
        f"(load average {os.getloadavg()[0]:.1f}: other processes slow the figures down), work dir {workdir}",
        flush=True,
    )
    gen = spawn(
        {"action": "generate", "workdir": str(workdir), "scale": args.rows_scale, "seed": args.seed}, workdir
    )
    if not gen.ok:
        report_failure("generation", gen)
        return 1
    files = Files(**gen.detail)
    size = {k: Path(getattr(files, k)).stat().st_size for k in ("areas", "politie", "partner")}
    print(
        f"generated in {files.seconds:.1f} s (peak {fmt_bytes(gen.peak_bytes)}): {files.n_buurten:,} buurten in "
        f"{files.n_wijken:,} wijken in {files.n_gemeenten:,} gemeenten; police {files.rows['politie']:,} rows "
        f"({fmt_bytes(size['politie'])}), partner {files.rows['partner']:,} rows ({fmt_bytes(size['partner'])})",
        flush=True,
    )

    db = workdir / "bench.duckdb"
    snap_areas, snap_politie = workdir / "snap_areas.duckdb", workdir / "snap_politie.duckdb"
    steps: list[StepSummary] = []
    try:
        s = timed("areas load", args.repeat, "load", files.areas, db, None)
        steps.append(s)
        if not s.ok:
            return 1
        shutil.copyfile(db, snap_areas)
        steps.append(timed("politie validate", args.repeat, "validate", files.politie, db, snap_areas))
        s = timed("politie load", args.repeat, "load", files.politie, db, snap_areas)
        steps.append(s)
        base = snap_areas
        if s.ok:
            shutil.copyfile(db, snap_politie)
            base = snap_politie
        else:
            print("  (the partner file is loaded into the area database only: the police load failed)")
        steps.append(timed("partner load", args.repeat, "load", files.partner, db, base))
    finally:
        print_summary(steps, args.rows_scale, args.repeat)
        if not args.keep:
            for p in [Path(files.areas), Path(files.politie), Path(files.partner), snap_areas, snap_politie]:
                p.unlink(missing_ok=True)
            fresh_db(db, None)
    return 0 if all(s.ok for s in steps) else 1


if __name__ == "__main__":
    sys.exit(main())
