"""Where the database lives and how it is written.

DuckDB admits one writing process and then no other process, not even a reader. Wijkmonitor therefore never
writes the live database file in place. A write session

1. takes an exclusive lock on ``<db>.lock`` (writers queue up, readers are never blocked),
2. copies the live file to ``<db>.tmp-<pid>`` (plain file copy: no DuckDB lock needed),
3. lets the caller change the copy through an ordinary read-write connection,
4. checkpoints and closes it, and atomically renames it over the live file.

Readers (the dashboard) open the live file read-only and reconnect when its identity (inode, mtime) changes.
POSIX keeps the old file readable for handles that are still open, so a reader never sees a half-finished
load. See docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

DEFAULT_DB = Path("data") / "wijkmonitor.duckdb"
ENV_DB = "WIJKMONITOR_DB"


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


@contextlib.contextmanager
def write_session(
    path: Path, *, fresh: bool = False, memory_limit: str = "3GB"
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a private copy of the database; publish it atomically on success.

    On an exception the copy is thrown away and the live database is exactly as it was.
    ``fresh=True`` starts from an empty database instead of a copy (used by ``wijkmonitor demo``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        _remove(tmp)
        if path.exists() and not fresh:
            shutil.copyfile(path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"SET memory_limit = '{memory_limit}'")
            con.execute("SET preserve_insertion_order = true")
            yield con
            con.execute("CHECKPOINT")
            con.close()
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(Exception):
                con.close()
            _remove(tmp)
            raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove(p: Path) -> None:
    for f in (p, p.with_name(p.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            f.unlink()
