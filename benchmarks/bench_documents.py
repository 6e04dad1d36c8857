"""Meeting documents on the demo: how long a snapshot, the stuurgroep pack, a halfjaarrapportage and the open
data take, and how big a snapshot is next to the warehouse (issue goal: the stuurgroep pack in under 30 s).

    .venv/bin/python benchmarks/bench_documents.py              # builds the demo in benchmarks/out/documents
    .venv/bin/python benchmarks/bench_documents.py --repeat 5   # median of 5

Each figure is a median over ``--repeat`` runs in this process; the first pack also starts the Chromium that
draws the charts (reported separately as "first pack").
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _size(path: Path) -> int:
    return (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        if path.is_dir()
        else path.stat().st_size
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / "out" / "documents")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from bench_pages import build_demo  # the demo warehouse with its records, as the page benchmark builds it

    from dashboard import source
    from dashboard.documents import stuurgroep, wijkrapport
    from indicators.opendata import write_opendata
    from wijkmonitor import snapshots
    from wijkmonitor.records.authz import Actor
    from wijkmonitor.records.store import records_url

    if args.workdir.exists():
        for p in args.workdir.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True)
    db = build_demo(args.workdir)
    url = records_url(db)
    generated = dt.datetime.now(dt.UTC)
    times: dict[str, list[float]] = {}

    def timed(name: str, fn):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        out = fn()
        times.setdefault(name, []).append(time.perf_counter() - t)
        return out

    snap = None
    for i in range(args.repeat):
        snap = timed("snapshot", lambda i=i: snapshots.create(db, url, f"Bench {i}", Actor.command("bench")))
    src = source.of_snapshot(snap)
    with source.reading(src):
        first = timed("first pack (starts Chromium)", lambda: stuurgroep.pdf(generated=generated))
        for _ in range(args.repeat):
            timed("stuurgroep pack (PDF)", lambda: stuurgroep.pdf(generated=generated))
            timed(
                "stuurgroep preview (HTML, no charts)",
                lambda: stuurgroep.html(generated=generated, charts_on=False),
            )
            timed(
                "halfjaarrapportage (PDF)", lambda: wijkrapport.pdf("WK999901", 2025, 1, generated=generated)
            )
            timed(
                "halfjaarrapportage (Excel)",
                lambda: wijkrapport.xlsx("WK999901", 2025, 1, generated=generated),
            )
    for i in range(args.repeat):
        timed("open data export", lambda i=i: write_opendata(src.warehouse, args.workdir / f"opendata-{i}"))

    print(
        f"demo warehouse: {_size(db) / 1e6:.1f} MB; one snapshot: {_size(snap.map) / 1e6:.1f} MB "
        f"({_size(snap.map) / _size(db):.0%} of the warehouse; records included)"
    )
    print(f"stuurgroep pack: {len(first) / 1e3:.0f} kB")
    print(f"{'step':40} {'median s':>9} {'runs':>5}")
    for name, values in times.items():
        print(f"{name:40} {statistics.median(values):9.2f} {len(values):5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
