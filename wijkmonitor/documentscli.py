"""Commands for snapshots and meeting documents: ``snapshot``, ``report stuurgroep|wijk``, ``export opendata``.

wijkmonitor snapshot "Stuurgroep najaar 2025"        freeze the marts and the records under a name
wijkmonitor snapshot --lijst                          the snapshots, newest first
wijkmonitor report stuurgroep [--snapshot NAAM] --out pakket.pdf   (.html: the preview)
wijkmonitor report wijk WK099901 --half 2025-H1 [--snapshot NAAM] --out rapport.pdf|.xlsx|.html
wijkmonitor export opendata [--snapshot NAAM] --out MAP
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

from wijkmonitor.records.authz import Actor, Refused
from wijkmonitor.records.store import records_url


def add_parsers(sub: argparse._SubParsersAction, add_db) -> None:  # noqa: ANN001
    p = sub.add_parser("snapshot", help="bevries de indicatoren en de convenantgegevens onder een naam")
    p.add_argument("naam", nargs="?", help="bijv. 'Stuurgroep najaar 2025'")
    p.add_argument("--lijst", action="store_true", help="toon de momentopnamen")
    add_db(p)
    p = sub.add_parser("report", help="maak het stuurgroeppakket of de halfjaarrapportage van een wijk")
    p.add_argument("soort", choices=["stuurgroep", "wijk"])
    p.add_argument("wijk", nargs="?", metavar="WIJKCODE", help="bij 'wijk': de wijkcode, bijv. WK099901")
    p.add_argument("--half", help="bij 'wijk': het halfjaar, bijv. 2025-H1")
    p.add_argument("--snapshot", help="uit deze momentopname (standaard: de actuele gegevens)")
    p.add_argument("--gemeente", help="bij 'stuurgroep': de gemeentecode (standaard: de eerste)")
    p.add_argument("--out", required=True, type=Path, help="bestand: .pdf, .html of (bij 'wijk') .xlsx")
    add_db(p)


@contextlib.contextmanager
def _reading(db_path: Path, snapshot: str | None) -> Iterator[None]:
    from dashboard import source
    from wijkmonitor import snapshots

    if snapshot:
        src = source.of_snapshot(snapshots.get(db_path, snapshot))
    else:
        src = source.live(db_path, records_url(db_path))
    try:
        with source.reading(src):
            yield
    finally:
        src.warehouse.close()


def snapshot_command(args: argparse.Namespace, db_path: Path) -> int:
    from wijkmonitor import snapshots

    if args.lijst:
        found = snapshots.list_snapshots(db_path)
        if not found:
            print("geen momentopnamen")
        for s in found:
            print(
                f"{s.gemaakt_op:%Y-%m-%d %H:%M}  {s.naam}  (peildatum {s.peildatum:%d-%m-%Y}; {s.publicatie}; {s.gemaakt_door})"
            )
        return 0
    if not args.naam:
        print(
            "wijkmonitor snapshot: geef een naam, bijv. wijkmonitor snapshot 'Stuurgroep najaar 2025'",
            file=sys.stderr,
        )
        return 2
    try:
        snap = snapshots.create(db_path, records_url(db_path), args.naam, Actor.command("snapshot"))
    except (ValueError, snapshots.SnapshotError, Refused) as exc:
        print(f"wijkmonitor snapshot: {exc}", file=sys.stderr)
        return 2
    print(
        f"momentopname '{snap.naam}' gemaakt: {snap.map} (peildatum {snap.peildatum:%d-%m-%Y}, {snap.publicatie})"
    )
    return 0


def report_command(args: argparse.Namespace, db_path: Path) -> int:
    from dashboard.documents import render
    from wijkmonitor import snapshots

    suffix = args.out.suffix.lower()
    allowed = {".pdf", ".html"} | ({".xlsx"} if args.soort == "wijk" else set())
    if suffix not in allowed:
        print(f"wijkmonitor report: --out moet eindigen op {', '.join(sorted(allowed))}", file=sys.stderr)
        return 2
    if not db_path.exists():
        print(f"wijkmonitor: geen database: {db_path}", file=sys.stderr)
        return 2
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        with _reading(db_path, args.snapshot):
            if args.soort == "stuurgroep":
                from dashboard.documents import stuurgroep

                data = (
                    stuurgroep.pdf(args.gemeente, generated=generated)
                    if suffix == ".pdf"
                    else stuurgroep.html(args.gemeente, generated=generated).encode("utf-8")
                )
            else:
                from dashboard.documents import wijkrapport

                if not args.wijk or not args.half:
                    print(
                        "wijkmonitor report wijk: geef de wijkcode en --half, bijv. WK099901 --half 2025-H1",
                        file=sys.stderr,
                    )
                    return 2
                jaar, halfjaar = wijkrapport.parse_half(args.half)
                make = {".pdf": wijkrapport.pdf, ".xlsx": wijkrapport.xlsx, ".html": wijkrapport.html}[suffix]
                data = make(args.wijk.upper(), jaar, halfjaar, generated=generated)
                if isinstance(data, str):
                    data = data.encode("utf-8")
    except (ValueError, snapshots.SnapshotError, render.DocumentError) as exc:
        print(f"wijkmonitor report: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"{args.out} geschreven ({len(data) // 1024} kB)")
    return 0


def opendata_command(args: argparse.Namespace, db_path: Path) -> int:
    from etl.db import connect_readonly
    from indicators.opendata import write_opendata
    from wijkmonitor import snapshots

    snapshot = getattr(args, "snapshot", None)
    try:
        if snapshot:
            con = snapshots.open_warehouse(snapshots.get(db_path, snapshot))
        elif db_path.exists():
            con = connect_readonly(db_path)
        else:
            print(f"wijkmonitor: geen database: {db_path}", file=sys.stderr)
            return 2
    except snapshots.SnapshotError as exc:
        print(f"wijkmonitor export: {exc}", file=sys.stderr)
        return 2
    try:
        built = con.execute("SELECT max(gebouwd) FROM meta.bouw").fetchone()[0]
        created = built.replace(tzinfo=dt.UTC) if built is not None else None  # the build, not the export
        result = write_opendata(con, args.out, created=created)
    finally:
        con.close()
    print(
        f"open data geschreven naar {args.out}: {result.rows} rijen"
        + (f" ({result.suppressed} onderdrukt, zonder waarden)" if result.suppressed else "")
    )
    return 0
