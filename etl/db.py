"""Where the database lives and how it is written.

DuckDB admits one writing process and then no other process, not even a reader. Wijkmonitor therefore never
writes the live database file in place. A write session

1. takes an exclusive lock on ``<db>.lock`` (writers queue up, readers are never blocked),
2. removes what killed writers left behind (``<db>.tmp-<pid>`` copies of dead processes, see
   :func:`opruimen`), checks the free space (:data:`SPACE_MARGIN_FRACTION`, :data:`SPACE_MARGIN_BYTES`),
3. copies the live file to ``<db>.tmp-<pid>`` (plain file copy: no DuckDB lock needed),
4. lets the caller change the copy through an ordinary read-write connection,
5. checkpoints and closes it, and atomically renames it over the live file.

Every temporary file (the copy, DuckDB's ``.wal`` and its spill folder ``.tmp`` next to it) is removed on
any error, including KeyboardInterrupt and a full disk; a process killed with SIGKILL cannot clean up, so the
next write session does it under the lock.

Readers (the dashboard) open the live file read-only and reconnect when its identity (inode, mtime) changes.
POSIX keeps the old file readable for handles that are still open, so a reader never sees a half-finished
load. See docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

DEFAULT_DB = Path("data") / "wijkmonitor.duckdb"
# The layout of the warehouse this code builds and reads; stamped in meta.bouw by every build (etl/build.py).
# Raise it when a table or column the dashboard reads changes. Databases without meta.bouw are version 1.
# Version 3: raw/staging partner observations carry n_effectief (the effective sample size of survey values).
# Version 4: area divisions (meta.load_indeling, dim_indeling*, fct_omzetting; dim_gebied is the analysis division).
# Version 5: weekly partner periods (staging.stg_partner__waarnemingen.periode_start) and fct_hotspots_14d.
SCHEMA_VERSION = 5
ENV_DB = "WIJKMONITOR_DB"

# Free space a copy needs: the size of what is copied plus 10% plus 64 MB. The copy of the database grows
# during a load (new rows, rebuilt marts, DuckDB's WAL); the margin keeps a load from filling the disk to the
# last byte, where DuckDB, the dashboard and the rest of the machine start failing. Also used for the copies
# under data/raw (etl.rawcopy).
SPACE_MARGIN_FRACTION = 0.10
SPACE_MARGIN_BYTES = 64 * 1024 * 1024

_MB = 1024 * 1024


class OnvoldoendeRuimte(Exception):
    """Not enough free disk space to write safely; nothing was changed. The message is Dutch, for users."""

    def __init__(self, folder: Path, needed: int | None = None, free: int | None = None) -> None:
        self.folder, self.needed, self.free = Path(folder), needed, free
        if needed is None or free is None:
            msg = f"Onvoldoende schijfruimte in {folder}: de schijf is vol. Er is niets gewijzigd."
        else:
            msg = (
                f"Onvoldoende schijfruimte in {folder}: nodig ongeveer {_mb(needed)} MB, "
                f"vrij {_mb(free)} MB. Er is niets gewijzigd."
            )
        super().__init__(msg)


def _mb(n: int) -> int:
    return -(-n // _MB)  # rounded up: "nodig 1 MB" rather than "nodig 0 MB"


def space_needed(size: int) -> int:
    """Bytes that must be free before writing a copy of ``size`` bytes (see SPACE_MARGIN_*)."""
    return int(size * (1 + SPACE_MARGIN_FRACTION)) + SPACE_MARGIN_BYTES


def check_free_space(folder: Path, size: int) -> None:
    """Raise :class:`OnvoldoendeRuimte` unless ``folder`` has room for a copy of ``size`` bytes plus margin."""
    needed = space_needed(size)
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise OnvoldoendeRuimte(folder, needed, free)


def is_disk_full(exc: BaseException) -> bool:
    """True for "no space left" (and "quota exceeded") errors of the OS and of DuckDB."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc)
    return "No space left on device" in text or "Disk quota exceeded" in text


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a zombie, killed but not yet reaped, counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): trust kill(0)
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def stale_pid(pid: int) -> bool:
    """A temporary file of ``pid`` is stale when that process is dead, or is us (left from before: a write
    session removes its own files before it returns, so any file with our pid found at the start is old)."""
    return pid == os.getpid() or not pid_alive(pid)


def remove_path(p: Path) -> bool:
    """Remove a file or a folder (DuckDB's spill folder); False when it was not there."""
    try:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()
    except FileNotFoundError:
        return False
    return True


def resolve_db_path(db: str | os.PathLike[str] | None = None) -> Path:
    """The database path: ``--db``, else ``$WIJKMONITOR_DB``, else ``data/wijkmonitor.duckdb``."""
    if db:
        return Path(db)
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB])
    return DEFAULT_DB


def db_version(path: Path) -> tuple[int, int] | None:
    """Identity of the live file; changes with every published write. None when there is no database."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


READER_CATALOG = "wijkmonitor"


def connect_readonly(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the live file (never blocks a writer: writers work on a copy).

    The file is ATTACHed to a private in-memory database instead of opened with ``duckdb.connect(path)``:
    DuckDB caches database instances per path inside a process, so a plain reconnect after a load would
    silently return the old (replaced) file for as long as any old connection is open. Cursors made from
    this connection must run ``USE wijkmonitor`` first (see :func:`reader_cursor`).
    """
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{_sql_string(path)}' AS {READER_CATALOG} (READ_ONLY)")
    con.execute(f"USE {READER_CATALOG}")
    return con


def reader_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor (one per thread) of a :func:`connect_readonly` connection, on the attached database."""
    cur = con.cursor()
    cur.execute(f"USE {READER_CATALOG}")
    return cur


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


def _tmp_pattern(path: Path) -> re.Pattern[str]:
    # <db>.tmp-<pid> and what DuckDB puts next to it: <db>.tmp-<pid>.wal, the spill folder <db>.tmp-<pid>.tmp
    return re.compile(re.escape(path.name) + r"\.tmp-(\d+)(?:\..*)?")


def _remove_stale(path: Path) -> list[Path]:
    """Remove the temporary files of dead writers next to ``path``. Call with the lock held."""
    pattern = _tmp_pattern(path)
    removed = []
    try:
        entries = sorted(path.parent.iterdir())
    except FileNotFoundError:
        return removed
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if m and stale_pid(int(m.group(1))) and remove_path(entry):
            removed.append(entry)
    return removed


def opruimen(path: Path) -> list[Path]:
    """Remove what killed loads left next to database ``path``; return the removed paths.

    Takes the write lock (waits for a running load), so it never touches the copy of a live writer. Every
    write session does the same at its start; this function is for a manual clean-up or a test.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    with open(path.with_name(path.name + ".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _remove_stale(path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


_interruptible: set[duckdb.DuckDBPyConnection] = set()


@contextlib.contextmanager
def interruptible(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Let :func:`interrupt_writers` interrupt ``con`` while the block runs (write sessions do this)."""
    _interruptible.add(con)
    try:
        yield con
    finally:
        _interruptible.discard(con)


def interrupt_writers() -> None:
    """Interrupt the statement every write session (and every :func:`interruptible` connection) is running;
    it then fails and its clean-up runs.

    Safe to call from another thread: the CLI calls it on Ctrl-C and SIGTERM, when the main thread may be
    waiting inside DuckDB, where Python runs no signal handler until the statement ends.
    """
    for con in list(_interruptible):
        with contextlib.suppress(Exception):
            con.interrupt()


@contextlib.contextmanager
def write_session(
    path: Path, *, fresh: bool = False, memory_limit: str = "3GB"
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a private copy of the database; publish it atomically on success.

    On an exception (also KeyboardInterrupt) the copy is thrown away and the live database is exactly as it
    was. ``fresh=True`` starts from an empty database instead of a copy (used by ``wijkmonitor demo``).
    Raises :class:`OnvoldoendeRuimte` before anything is written when the disk is too full for the copy, and
    when the disk fills up during the copy.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        con = None
        try:
            _remove_stale(path)  # also our own tmp, should this pid have been used by a killed writer
            copy = path.exists() and not fresh
            check_free_space(path.parent, path.stat().st_size if copy else 0)
            if copy:
                try:
                    shutil.copyfile(path, tmp)
                except OSError as exc:
                    if is_disk_full(exc):
                        raise OnvoldoendeRuimte(path.parent) from exc
                    raise
            con = duckdb.connect(str(tmp))
            _interruptible.add(con)
            con.execute(f"SET memory_limit = '{memory_limit}'")
            con.execute("SET preserve_insertion_order = true")
            yield con
            con.execute("CHECKPOINT")
            con.close()
            fsync_path(tmp)
            os.replace(tmp, path)
            fsync_path(path.parent)
        except BaseException:
            if con is not None:
                with contextlib.suppress(Exception):
                    con.close()
            _remove(tmp)
            raise
        finally:
            _interruptible.discard(con)
            fcntl.flock(lock, fcntl.LOCK_UN)


def fsync_path(p: Path) -> None:
    """Flush a file or a folder entry to disk (the rename is durable only once the folder is synced)."""
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(tmp: Path) -> None:
    """Remove the temporary copy and everything DuckDB made next to it (``.wal``, spill folder ``.tmp``)."""
    # the names known today, then anything else DuckDB may put next to it in a later version
    known = [tmp, tmp.with_name(tmp.name + ".wal"), tmp.with_name(tmp.name + ".tmp")]
    for f in [*known, *tmp.parent.glob(glob.escape(tmp.name) + ".*")]:
        with contextlib.suppress(OSError):
            remove_path(f)
