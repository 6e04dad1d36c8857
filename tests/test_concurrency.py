"""Two real processes: a reader that keeps the database open (as the dashboard does) and a CLI load.

DuckDB admits one writing process and then no other process. Loads therefore write a private copy and
publish it with an atomic rename (etl.db.write_session); these tests pin that design.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
from dashboard_support import demo_db

from etl import load_files

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from etl import connect_readonly, db_version, reader_cursor
    db, stop = Path(sys.argv[1]), Path(sys.argv[2])
    version = db_version(db)
    con = connect_readonly(db)
    print(json.dumps({"ready": True}), flush=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if db_version(db) != version:           # the dashboard's rule: reconnect when the file changed
            version, con = db_version(db), connect_readonly(db)
        cur = reader_cursor(con)
        loads = cur.execute("SELECT count(*) FROM meta.loads WHERE status = 'geladen'").fetchone()[0]
        rows = cur.execute("SELECT count(*) FROM raw.partner__waarnemingen").fetchone()[0]
        staged = cur.execute("SELECT count(*) FROM staging.stg_partner__waarnemingen").fetchone()[0]
        print(json.dumps({"loads": loads, "raw": rows, "staging": staged}), flush=True)
        if stop.exists():
            break
        time.sleep(0.02)
""")


def _partner_file(path: Path, year: int, rows: int = 2000) -> Path:
    lines = ["bron;gebied_code;periode;variabele;waarde"]
    buurten = [f"BU9999{w:02d}{b:02d}" for w in range(1, 13) for b in range(1, 5)]
    for i in range(rows):
        month = i // len(buurten) % 12 + 1
        lines.append(
            f"gemeente;{buurten[i % len(buurten)]};{year}-{month:02d};meldingen_verward_gedrag;{i % 7}"
        )
    # keep keys unique: at most 48 buurten x 12 months per variable
    lines = lines[: 1 + len(buurten) * 12]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_load_while_a_reader_holds_the_database(tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert json.loads(reader.stdout.readline()) == {"ready": True}
        new = _partner_file(tmp_path / "meldingen_2026.csv", 2026)
        load = subprocess.run(
            [sys.executable, "-m", "wijkmonitor", "load", str(new), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert load.returncode == 0, load.stdout + load.stderr  # no lock conflict with the open reader
        time.sleep(0.3)
        stop.touch()
        out, err = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    seen = [json.loads(line) for line in out.splitlines() if line]
    before, after = seen[0], seen[-1]
    assert after["loads"] == before["loads"] + 1
    assert after["raw"] == before["raw"] + 576
    # never a half-finished load: raw and staging always move together, loads only 8 or 9
    assert {s["loads"] for s in seen} <= {before["loads"], after["loads"]}
    for s in seen:
        assert (s["raw"], s["staging"]) in {
            (before["raw"], before["staging"]),
            (after["raw"], after["staging"]),
        }


def test_two_loads_at_once_are_serialised_and_both_land(tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    files = [_partner_file(tmp_path / f"meldingen_{y}.csv", y) for y in (2026, 2027)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "wijkmonitor", "load", str(f), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, out + err
    with duckdb.connect(str(db), read_only=True) as con:
        years = con.execute(
            "SELECT DISTINCT jaar FROM staging.stg_partner__waarnemingen WHERE jaar >= 2026 ORDER BY 1"
        ).fetchall()
        statuses = con.execute("SELECT status FROM meta.loads WHERE bestand LIKE 'meldingen_202%'").fetchall()
    assert years == [(2026,), (2027,)]
    assert statuses == [("geladen",), ("geladen",)]


def test_a_failed_load_leaves_the_live_file_untouched(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    before = db.read_bytes()
    import etl.load as load_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_module, "rebuild", boom)
    new = _partner_file(tmp_path / "meldingen_2026.csv", 2026)
    with contextlib.suppress(RuntimeError):
        load_files([new], db)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("w.duckdb.tmp-*"))
