"""Crashes, signals and a full disk: the live database is the old or the complete new state, and no temporary
file survives (issue 9, item 5 and the top-level handler of item 7).

A real ``wijkmonitor load`` is killed (SIGKILL) at several moments, found from its progress output: right after
the start, while importing, when reading starts, while validating, after validating, during the rebuild and
right before the publish. Killed processes cannot clean up; the next write session must. SIGTERM and Ctrl-C
must clean up themselves. A full disk is simulated in-process and, when this machine lets us mount a tmpfs,
made real.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from etl_helpers import AREAS, REPO, build_db, fixture, sha256

from etl import db as dbmod
from wijkmonitor.cli import main

LOAD = fixture("partner/corporatie_goed.csv")  # the load that is killed

# (what, progress line to wait for or None for the start, seconds to wait after it)
MOMENTS = [
    ("direct na de start", None, 0.0),
    ("tijdens het opstarten", None, 0.7),
    ("bij het begin van het lezen", "lezen en controleren", 0.0),
    ("tijdens het controleren", "lezen en controleren", 1.2),
    ("na het controleren", "gelezen en gecontroleerd", 0.0),
    ("tijdens de herbouw", "geladen:", 0.05),
    ("vlak voor het publiceren", "opnieuw opgebouwd", 0.0),
]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small database that already holds data (areas, bevolking, politie), built once for this module."""
    files = [
        AREAS,
        fixture("bevolking/bevolking_gm0999.csv"),
        fixture("politie/politie_47022NED_gm0999_maand.csv"),
    ]
    return build_db(tmp_path_factory.mktemp("crash-base") / "w.duckdb", files)


@pytest.fixture
def db(base_db: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return Path(shutil.copyfile(base_db, folder / "w.duckdb"))


def _start(db: Path, path: Path, tmpdir: Path) -> subprocess.Popen[str]:
    tmpdir.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONUNBUFFERED="1", TMPDIR=str(tmpdir))
    return subprocess.Popen(
        [sys.executable, "-m", "wijkmonitor", "load", str(path), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=REPO,
    )


def _wait_for(proc: subprocess.Popen[str], marker: str) -> None:
    """Read the progress output until a line holds ``marker`` (fails when the process ends first)."""
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            return
    proc.wait()
    pytest.fail(f"{marker!r} never appeared (exit {proc.returncode}):\n{''.join(seen)}")


def _debris(folder: Path) -> list[str]:
    """Temporary files next to the database and in data/raw (the lock file and the attempts log are not)."""
    found = [p for p in folder.iterdir() if ".tmp-" in p.name or p.name.endswith(".wal")]
    raw = folder / "raw"
    if raw.is_dir():
        found += [p for p in raw.iterdir() if ".tmp-" in p.name or p.name.endswith(".wal")]
    return sorted(str(p.relative_to(folder)) for p in found)


def _damaged_raw_copies(folder: Path) -> list[str]:
    """Copies under data/raw whose content does not match the sha256 in their name (cut short by a kill)."""
    raw = folder / "raw"
    if not raw.is_dir():
        return []
    return sorted(p.name for p in raw.iterdir() if p.is_file() and not sha256(p).startswith(p.name[:12]))


def _state(db: Path, before: bytes) -> str:
    """'oud' when byte-identical to ``before``, 'nieuw' when it is the complete state after the load."""
    if db.read_bytes() == before:
        return "oud"
    with duckdb.connect(str(db), read_only=True) as con:
        loads = con.execute(
            "SELECT load_id FROM meta.loads WHERE bestand = ? AND status = 'geladen'", [LOAD.name]
        ).fetchall()
        if len(loads) != 1:
            return f"kapot: loads {loads}"
        raw = con.execute(
            "SELECT count(*) FROM raw.partner__waarnemingen WHERE _load_id = ?", [loads[0][0]]
        ).fetchone()[0]
        staged = con.execute("SELECT count(*) FROM staging.stg_partner__waarnemingen").fetchone()[0]
    return "nieuw" if raw == 10 and staged >= 10 else f"kapot: raw {raw}, staging {staged}"


def test_kill_9_at_every_moment_leaves_old_or_new_state_and_the_next_session_cleans_up(
    db: Path, tmp_path: Path
) -> None:
    folder = db.parent
    before = db.read_bytes()
    scratch = tmp_path / "tmpdir"  # the killed processes' TMPDIR: what they leave outside data/
    report = []
    for what, marker, delay in MOMENTS:
        proc = _start(db, LOAD, scratch)
        try:
            if marker:
                _wait_for(proc, marker)
            time.sleep(delay)
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
        report.append(
            (
                what,
                proc.pid,
                proc.returncode,
                _state(db, before),
                _debris(folder),
                _damaged_raw_copies(folder),
            )
        )
        db.write_bytes(before)  # the next kill starts from the old state again; debris stays
    scratch_left = sorted(p.name for p in scratch.iterdir())
    print(f"\n{len(report)} kills (SIGKILL) of 'wijkmonitor load {LOAD.name}':")
    for what, pid, code, state, debris, damaged in report:
        print(f"  {what:<28} pid {pid:>7} exit {code:>3}  {state:<6} rommel: {debris or '-'} {damaged or ''}")
    print(f"  kills die rommel achterlieten: {sum(bool(r[4]) for r in report)} van {len(report)}")
    print(f"  in TMPDIR achtergelaten (scratch van de lezer): {scratch_left or '-'}")
    with duckdb.connect(str(db), read_only=True) as con:
        known = {Path(k).name for (k,) in con.execute("SELECT kopie FROM meta.loads").fetchall() if k}
    orphans = sorted(p.name for p in (folder / "raw").glob("*") if p.name not in known)
    print(f"  kopieën in data/raw zonder load (van gedode loads): {orphans or '-'}")

    # every process was really killed, and the live file is the old or the complete new state
    assert all(code == -signal.SIGKILL for _, _, code, *_ in report), report
    assert all(state in {"oud", "nieuw"} for *_, state, _, _ in report), report
    assert all(not damaged for *_, damaged in report), report
    # A load that got as far as reading had opened its write session, which removed the debris of the
    # processes killed before it: what is left after each such kill belongs to that kill alone.
    for (_, pid, _, _, debris, _), (_, marker, _) in zip(report, MOMENTS, strict=True):
        if marker:
            assert all(name.startswith(f"w.duckdb.tmp-{pid}") for name in debris), (pid, debris)
    # The public clean-up (what the next session does first) removes the last kill's debris
    last_pid, last_debris = report[-1][1], report[-1][4]
    assert sorted(p.name for p in dbmod.opruimen(db)) == last_debris, last_pid
    assert _debris(folder) == []
    assert dbmod.opruimen(db) == []


@pytest.mark.parametrize(
    ("signum", "code", "how"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")]
)
@pytest.mark.parametrize("marker", ["lezen en controleren", "geladen:"])
def test_sigterm_and_ctrl_c_clean_up_and_say_so_in_dutch(
    db: Path, tmp_path: Path, signum: int, code: int, how: str, marker: str
) -> None:
    before = db.read_bytes()
    proc = _start(db, LOAD, tmp_path / "tmpdir")
    try:
        _wait_for(proc, marker)
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == code, out
    assert "Traceback" not in out
    assert _debris(db.parent) == []  # right after the exit: nothing for a later session to clean
    if marker == "lezen en controleren":  # still validating: certainly before the publish
        assert f"wijkmonitor: afgebroken ({how}); de database is niet gewijzigd" in out
        assert db.read_bytes() == before
    else:  # during the rebuild: the publish may have won the race; the message says which it was
        state = _state(db, before)
        said = "niet gewijzigd" if state == "oud" else "wel gewijzigd"
        assert f"wijkmonitor: afgebroken ({how}); de database is {said}" in out, (state, out)
        assert state in {"oud", "nieuw"}


ENDLESS = """
import sys
from pathlib import Path
from etl import db
from wijkmonitor import cli


def endless(args):  # one DuckDB statement of many minutes in a write session: only an interrupt ends it
    with db.write_session(Path(args.db)) as con:
        print("bezig", flush=True)
        con.execute("SELECT count(*) FROM range(1000000000000) t(i) WHERE hash(i) % 7 = 3").fetchall()
    return 0


cli._command = endless
sys.exit(cli.main(["instellingen", "--db", sys.argv[1]]))
"""


@pytest.mark.parametrize(
    ("signum", "code", "how"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")]
)
def test_a_signal_interrupts_a_long_duckdb_statement(db: Path, signum: int, code: int, how: str) -> None:
    """Python runs signal handlers only between statements: without the interrupt this would run for ages."""
    before = db.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", ENDLESS, str(db)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_for(proc, "bezig")
        time.sleep(0.5)  # let the statement start
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == code, out
    assert (
        out.strip().splitlines()[-1] == f"wijkmonitor: afgebroken ({how}); de database is niet gewijzigd"
    ), out
    assert db.read_bytes() == before
    assert _debris(db.parent) == []


def _free_space(monkeypatch: pytest.MonkeyPatch, free_mb: int) -> None:
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=free_mb * 1024 * 1024))


def test_a_full_disk_is_refused_before_anything_is_written(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = db.read_bytes()
    _free_space(monkeypatch, 3)
    assert main(["load", str(LOAD), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"wijkmonitor: Onvoldoende schijfruimte in {db.parent}: nodig ongeveer " in err
    assert "vrij 3 MB. Er is niets gewijzigd." in err
    assert "Traceback" not in err and ".tmp-" not in err
    assert db.read_bytes() == before
    assert _debris(db.parent) == []
    assert not (db.parent / "raw").exists() or not any((db.parent / "raw").iterdir())


# ---- a real full disk: a small tmpfs (needs root and permission to mount; skipped otherwise) ----


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    mnt = tmp_path / "klein"
    mnt.mkdir()
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mnt)], capture_output=True, text=True
    )
    if res.returncode != 0:
        pytest.skip(f"kan geen tmpfs koppelen (mount: {res.stderr.strip() or res.returncode})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(mnt: Path, leave_mb: float) -> None:
    """Fill the tmpfs until about ``leave_mb`` MB are free."""
    free = shutil.disk_usage(mnt).free
    (mnt / "vulling").write_bytes(b"\0" * max(0, free - int(leave_mb * 1024 * 1024)))


@pytest.mark.parametrize(
    ("leave", "check", "expected"),
    [
        # free space left, in MB beyond the size of the database (its copy needs that much)
        (-2.0, True, "Onvoldoende schijfruimte in"),  # the space check refuses
        (-4.0, False, "Onvoldoende schijfruimte in"),  # no check: the copy of the database hits ENOSPC
        (0.8, False, "de schijf is vol"),  # no check: the copy fits, DuckDB hits ENOSPC during the load
    ],
    ids=["check", "copy", "load"],
)
def test_a_real_full_disk_changes_nothing_and_leaves_nothing(
    small_disk: Path,
    base_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    leave: float,
    check: bool,
    expected: str,
) -> None:
    db = Path(shutil.copyfile(base_db, small_disk / "w.duckdb"))
    before = db.read_bytes()
    _fill(small_disk, db.stat().st_size / (1024 * 1024) + leave)
    if not check:  # pretend there is room, so that the disk really fills up
        _free_space(monkeypatch, 1 << 20)
    assert main(["load", str(LOAD), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"wijkmonitor: {expected}" in err, err
    assert "Er is niets gewijzigd" in err or "de database is niet gewijzigd" in err, err
    assert "Traceback" not in err and ".tmp-" not in err and "No space" not in err
    assert db.read_bytes() == before
    assert _debris(small_disk) == []


# ---- the top-level handler ----


def test_an_unexpected_error_is_one_dutch_line_and_the_traceback_needs_debug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "kapot.duckdb"
    bad.write_bytes(b"dit is geen database" * 100)
    assert main(["loads", "--db", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "wijkmonitor: onverwachte fout (IOException). Met --debug ziet u de technische details; "
        "meld dit aan de beheerder."
    ]
    for argv in (["loads", "--db", str(bad), "--debug"], ["--debug", "loads", "--db", str(bad)]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "wijkmonitor: onverwachte fout (IOException)" in err
        assert "Traceback (most recent call last)" in err


def test_loads_into_a_closed_pipe_ends_quietly(base_db: Path, tmp_path: Path) -> None:
    db = Path(shutil.copyfile(base_db, tmp_path / "veel.duckdb"))
    with duckdb.connect(str(db)) as con:  # enough history to fill the pipe buffer many times over
        con.execute(
            "INSERT INTO meta.loads SELECT l.* REPLACE (l.load_id * 100000 + i AS load_id) "
            "FROM meta.loads l CROSS JOIN range(1, 3000) r(i)"
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "wijkmonitor", "loads", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    first = proc.stdout.readline()  # what `| head -1` does: one line, then close the pipe
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait()
    with contextlib.suppress(Exception):
        proc.stderr.close()
    assert "geladen" in first
    assert err == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert proc.returncode == 141
