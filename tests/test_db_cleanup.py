"""etl.db write sessions leave nothing behind: temp copies, DuckDB's WAL and spill folder, dead writers' debris.

A real full disk and killed processes are in tests/test_crash.py; here every case runs in-process.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl import db as dbmod


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or p.name.endswith(".wal"))


@pytest.fixture
def live(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    with dbmod.write_session(db) as con:
        con.execute("CREATE TABLE t AS SELECT range AS i FROM range(1000)")
    return db


def test_space_rule_is_size_plus_ten_percent_plus_64_mb() -> None:
    assert dbmod.space_needed(0) == 64 * 1024 * 1024
    assert dbmod.space_needed(1000 * 1024 * 1024) == 1100 * 1024 * 1024 + 64 * 1024 * 1024


def test_opruimen_removes_dead_writers_debris_and_keeps_the_rest(live: Path, tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = [
        tmp_path / f"w.duckdb.tmp-{dead}",
        tmp_path / f"w.duckdb.tmp-{dead}.wal",
        tmp_path / f"w.duckdb.tmp-{os.getpid()}",  # our own pid: left by a killed process that had it
    ]
    for p in stale:
        p.write_bytes(b"x" * 100)
    spill = tmp_path / f"w.duckdb.tmp-{dead}.tmp"  # DuckDB's spill folder next to the copy
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"y")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        keep = [
            tmp_path / f"w.duckdb.tmp-{sleeper.pid}",  # a live process: not ours to touch
            tmp_path / f"ander.duckdb.tmp-{dead}",  # another database's debris
            tmp_path / "w.duckdb.laadpogingen.jsonl",
            tmp_path / "notities.tmp-1.txt",
        ]
        for p in keep:
            p.write_bytes(b"z")
        removed = dbmod.opruimen(live)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert sorted(removed) == sorted([*stale, spill])
    assert all(not p.exists() for p in [*stale, spill])
    assert all(p.exists() for p in keep)
    assert live.exists() and live.with_name("w.duckdb.lock").exists()
    # the sleeper is dead now: its file has become debris; the other database's files stay
    assert dbmod.opruimen(live) == [keep[0]]
    assert dbmod.opruimen(live) == []


def test_a_zombie_counts_as_dead() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
        assert not dbmod.pid_alive(proc.pid)
    finally:
        proc.wait()
    assert dbmod.pid_alive(os.getpid())


def test_write_session_removes_stale_debris_at_its_start(live: Path, tmp_path: Path) -> None:
    dead = _dead_pid()
    for name in (f"w.duckdb.tmp-{dead}", f"w.duckdb.tmp-{dead}.wal"):
        (tmp_path / name).write_bytes(b"x")
    with dbmod.write_session(live) as con:
        assert _debris(tmp_path) == [f"w.duckdb.tmp-{os.getpid()}"]  # only our own copy, during the session
        con.execute("INSERT INTO t VALUES (1000)")
    assert _debris(tmp_path) == []
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 1001


@pytest.mark.parametrize("exc", [RuntimeError("kapot"), KeyboardInterrupt()])
def test_an_error_inside_the_session_removes_copy_wal_and_spill_folder(
    live: Path, tmp_path: Path, exc: BaseException
) -> None:
    before = live.read_bytes()
    seen = []
    with pytest.raises(type(exc)), dbmod.write_session(live, memory_limit="30MB") as con:
        con.execute("SET threads = 1")
        con.execute("CREATE TABLE big AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(600000)")
        con.execute("SELECT i FROM big ORDER BY s LIMIT 1 OFFSET 599990").fetchall()  # spills to disk
        seen = _debris(tmp_path)
        raise exc
    tmp = f"w.duckdb.tmp-{os.getpid()}"
    assert seen == [tmp, f"{tmp}.tmp", f"{tmp}.wal"]  # the spill folder and the WAL really existed
    assert _debris(tmp_path) == []
    assert live.read_bytes() == before


def test_not_enough_space_refuses_before_writing_anything(
    live: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = live.read_bytes()
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage._replace(free=5 * 1024 * 1024))
    with pytest.raises(dbmod.OnvoldoendeRuimte) as info, dbmod.write_session(live):
        pytest.fail("the session must not start")
    msg = str(info.value)
    assert msg.startswith(f"Onvoldoende schijfruimte in {tmp_path}: nodig ongeveer ")
    assert "vrij 5 MB. Er is niets gewijzigd." in msg
    assert _debris(tmp_path) == []
    assert live.read_bytes() == before


def test_a_disk_that_fills_up_during_the_copy_leaves_no_partial_copy(
    live: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = live.read_bytes()

    def full_disk(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:4096])  # what a full disk leaves: the start of it
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copyfile", full_disk)
    with pytest.raises(dbmod.OnvoldoendeRuimte) as info, dbmod.write_session(live):
        pytest.fail("the session must not start")
    assert str(info.value) == (
        f"Onvoldoende schijfruimte in {tmp_path}: de schijf is vol. Er is niets gewijzigd."
    )
    assert _debris(tmp_path) == []
    assert live.read_bytes() == before


def test_disk_full_is_recognised_from_os_and_duckdb_errors() -> None:
    assert dbmod.is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert dbmod.is_disk_full(
        duckdb.IOException('IO Error: Could not write file "x": No space left on device')
    )
    assert not dbmod.is_disk_full(OSError(errno.EACCES, "Permission denied"))
