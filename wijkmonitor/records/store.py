"""Where the covenant records live and how to open them.

The records (users and roles, settings, the audit trail, and what later issues add) are written by people
in small transactions, by several server processes and the command line at once, and are never rebuilt.
So they are not in the DuckDB warehouse but in a transactional store behind SQLAlchemy:

- by default a SQLite file beside the warehouse (``data/wijkmonitor.records.sqlite`` next to
  ``data/wijkmonitor.duckdb``), in WAL mode with foreign keys on and a busy timeout, so that readers never
  block and concurrent writers wait for each other instead of failing;
- for a municipality's server, PostgreSQL by URL: ``$WIJKMONITOR_RECORDS_URL``, or ``[records] url`` in
  ``.streamlit/secrets.toml``.

:func:`open_store` brings the schema to Alembic's head (once per process and URL; concurrent first starts
are serialised by a lock) and returns a cached engine.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

ENV_URL = "WIJKMONITOR_RECORDS_URL"
REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "wijkmonitor_write"

_engines: dict[str, Engine] = {}
_upgraded: set[str] = set()
_lock = threading.Lock()


def secrets_files() -> list[Path]:
    """The secrets files Streamlit reads when served from the repository (and the command line reads too)."""
    files = [Path.cwd() / ".streamlit" / "secrets.toml", REPO / ".streamlit" / "secrets.toml"]
    files.append(Path.home() / ".streamlit" / "secrets.toml")
    extra = os.environ.get("WIJKMONITOR_SECRETS")
    if extra:
        files.insert(0, Path(extra))
    seen: list[Path] = []
    for f in files:
        if f not in seen:
            seen.append(f)
    return seen


def _url_from_secrets() -> str | None:
    for f in secrets_files():
        try:
            data = tomllib.loads(f.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        url = data.get("records", {}).get("url") if isinstance(data.get("records"), dict) else None
        if isinstance(url, str) and url:
            return url
    return None


def default_sqlite_path(warehouse: Path) -> Path:
    """``data/wijkmonitor.duckdb`` -> ``data/wijkmonitor.records.sqlite``."""
    return warehouse.with_name(f"{warehouse.stem}.records.sqlite")


def records_url(warehouse: Path | None = None) -> str:
    """The records store's URL: ``$WIJKMONITOR_RECORDS_URL``, ``[records] url`` in the secrets file, or a
    SQLite file beside the warehouse."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    from_secrets = _url_from_secrets()
    if from_secrets:
        return from_secrets
    if warehouse is None:
        warehouse = Path(os.environ.get("WIJKMONITOR_DB") or Path("data") / "wijkmonitor.duckdb")
    return f"sqlite:///{default_sqlite_path(Path(warehouse)).resolve()}"


def label(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_file(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def engine(url: str) -> Engine:
    """One engine per URL and process."""
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            eng = _create(url)
            _engines[url] = eng
        return eng


def _create(url: str) -> Engine:
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.close()

        @event.listens_for(eng, "begin")
        def _begin(conn) -> None:  # noqa: ANN001
            # A writing transaction takes the write lock at BEGIN, so a read-then-write never fails half-way
            # on "database is locked" (SQLite cannot upgrade a read lock while another process writes);
            # readers start deferred and, in WAL mode, never wait for a writer.
            immediate = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return eng
    return create_engine(url, pool_pre_ping=True)


@contextlib.contextmanager
def _migration_lock(eng: Engine, url: str) -> Iterator[None]:
    """Serialise concurrent first starts (two servers and a command at once)."""
    path = _sqlite_file(url)
    if path is not None:
        with open(path.with_name(path.name + ".migratie.lock"), "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    if eng.dialect.name == "postgresql":
        with eng.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(726173)"))  # a fixed key for Wijkmonitor's schema
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(726173)"))
                conn.commit()
        return
    yield


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(eng: Engine) -> str | None:
    with eng.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str) -> Engine:
    """Bring the schema at ``url`` to the newest migration."""
    eng = engine(url)
    with _migration_lock(eng, url):
        if current_revision(eng) != head():
            cfg = alembic_config()
            with writing(eng) as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
    return eng


def open_store(url: str | None = None, warehouse: Path | None = None) -> Engine:
    """The records store, at the newest schema. ``url`` defaults to :func:`records_url`."""
    url = url or records_url(warehouse)
    if url not in _upgraded:
        upgrade(url)
        _upgraded.add(url)
    return engine(url)


@contextlib.contextmanager
def writing(eng: Engine) -> Iterator:
    """A write transaction (on SQLite it holds the write lock from its first statement)."""
    with eng.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        yield conn


def dispose_all() -> None:
    """Close every pooled connection (tests; before a restore replaces a SQLite file)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()
        _upgraded.clear()
