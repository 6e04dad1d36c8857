"""`wijkmonitor backup --out DIR` and `wijkmonitor restore DIR`: a consistent copy of both stores.

What a backup holds (``DIR`` must not exist yet, or be empty):

- ``warehouse/<name>.duckdb``: the published warehouse, its attempt log and the raw copies of the
  deliveries (``raw/``), copied while holding the warehouse's writer lock, so no load publishes half-way
  through the copy (a running load is waited for);
- ``records.json``: every table of the covenant records store, read in one transaction (one snapshot:
  SQLite WAL gives a reader a fixed view; PostgreSQL runs it REPEATABLE READ), with the schema revision;
- ``manifest.json``: when, from where, sha256 of every file.

Restore checks the sha256s, refuses to overwrite a warehouse that exists or a records store that holds
anything, creates the records schema at the backup's revision, inserts every row with its original key,
and then migrates to the newest revision. The audit trail stays append-only: restore only inserts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Boolean, Date, DateTime, Engine, func, insert, select, text

from etl import attempts
from wijkmonitor.records import store
from wijkmonitor.records.tables import metadata

FORMAT = 1
ATTEMPT_LOG = (
    "laadpogingen.jsonl"  # the warehouse's attempt log, under a fixed name (restore may rename the db)
)


class BackupError(Exception):
    """Dutch message for the user."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _python_value(column, value: Any) -> Any:  # noqa: ANN001
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, Boolean):
        return bool(value)
    return value


@contextlib.contextmanager
def _writer_lock(db_path: Path):  # noqa: ANN202
    """The warehouse's writer lock (etl.db.write_session takes the same one)."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def dump_records(eng: Engine) -> dict[str, Any]:
    """Every table of the records store, read in one snapshot."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with eng.connect() as conn:
        if eng.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        revision = MigrationContext.configure(conn).get_current_revision()
        for table in metadata.sorted_tables:
            key = [c for c in table.primary_key.columns]
            rows = conn.execute(select(table).order_by(*key)).mappings()
            tables[table.name] = [{k: _json_value(v) for k, v in r.items()} for r in rows]
    return {"revisie": revision, "tabellen": tables}


def backup(db_path: Path, records_url: str, out: Path) -> dict[str, Any]:
    """Write a backup of the warehouse at ``db_path`` and the records at ``records_url`` to ``out``."""
    db_path = Path(db_path)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"de map {out} bestaat al en is niet leeg: kies een nieuwe map voor de back-up")
    eng = store.open_store(records_url)
    (out / "warehouse").mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    with _writer_lock(db_path):
        if db_path.exists():
            target = out / "warehouse" / db_path.name
            shutil.copyfile(db_path, target)
            files[f"warehouse/{db_path.name}"] = _sha256(target)
        log = attempts.log_path(db_path)
        if log.exists():
            shutil.copyfile(log, out / "warehouse" / ATTEMPT_LOG)
            files[f"warehouse/{ATTEMPT_LOG}"] = _sha256(out / "warehouse" / ATTEMPT_LOG)
        raw = db_path.parent / "raw"
        if raw.is_dir():
            for f in sorted(raw.iterdir()):
                if f.is_file() and not f.name.startswith("."):  # temporary copies start with a dot
                    (out / "warehouse" / "raw").mkdir(exist_ok=True)
                    shutil.copyfile(f, out / "warehouse" / "raw" / f.name)
                    files[f"warehouse/raw/{f.name}"] = _sha256(out / "warehouse" / "raw" / f.name)
        records = dump_records(eng)
    (out / "records.json").write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    files["records.json"] = _sha256(out / "records.json")
    manifest = {
        "formaat": FORMAT,
        "gemaakt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "warehouse": db_path.name if db_path.exists() else None,
        "gegevensopslag": store.label(records_url),
        "revisie": records["revisie"],
        "rijen": {name: len(rows) for name, rows in records["tabellen"].items()},
        "bestanden": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _check(src: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(
            f"geen bruikbare back-up in {src}: manifest.json ontbreekt of is beschadigd"
        ) from exc
    if manifest.get("formaat") != FORMAT:
        raise BackupError(f"onbekend back-upformaat {manifest.get('formaat')!r} in {src}")
    for name, digest in manifest["bestanden"].items():
        path = src / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"back-up beschadigd: {name} ontbreekt of wijkt af van manifest.json")
    return manifest


def _is_empty(eng: Engine) -> bool:
    with eng.connect() as conn:
        return all(
            conn.execute(select(func.count()).select_from(t)).scalar_one() == 0
            for t in metadata.sorted_tables
        )


def restore(src: Path, db_path: Path, records_url: str) -> dict[str, Any]:
    """Restore a backup into an empty place: no warehouse at ``db_path``, an empty records store."""
    manifest = _check(src)
    db_path = Path(db_path)
    if manifest["warehouse"] and db_path.exists():
        raise BackupError(
            f"er staat al een database op {db_path}: zet die eerst opzij (of kies een ander pad met --db)"
        )
    records = json.loads((src / "records.json").read_text(encoding="utf-8"))
    eng = store.engine(records_url)
    head_now = store.current_revision(eng)
    if head_now is not None and not _is_empty(store.open_store(records_url)):
        raise BackupError(
            f"de gegevensopslag {store.label(records_url)} is niet leeg: zet terug in een lege opslag "
            "(een nieuw SQLite-bestand of een lege PostgreSQL-database)"
        )
    if head_now is None:  # create the schema as it was when the backup was made
        cfg = store.alembic_config()
        with store.writing(eng) as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, records["revisie"])
    with store.writing(eng) as conn:
        for table in metadata.sorted_tables:
            rows = records["tabellen"].get(table.name, [])
            if rows:
                cols = {c.name: c for c in table.columns}
                conn.execute(
                    insert(table),
                    [{k: _python_value(cols[k], v) for k, v in r.items() if k in cols} for r in rows],
                )
        if eng.dialect.name == "postgresql":  # identity columns continue after the restored keys
            for table in metadata.sorted_tables:
                col = table.autoincrement_column
                if col is not None:  # fixed names from the schema, never user input
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{col.name}'), "
                            f"coalesce((SELECT max({col.name}) FROM {table.name}), 0) + 1, false)"
                        )
                    )
    store.upgrade(records_url)
    if manifest["warehouse"]:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        wsrc = src / "warehouse"
        tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
        shutil.copyfile(wsrc / manifest["warehouse"], tmp)
        os.replace(tmp, db_path)  # published whole, as a load publishes
        if (wsrc / ATTEMPT_LOG).exists():
            shutil.copyfile(wsrc / ATTEMPT_LOG, attempts.log_path(db_path))
        if (wsrc / "raw").is_dir():
            raw = db_path.parent / "raw"
            raw.mkdir(exist_ok=True)
            for f in (wsrc / "raw").iterdir():
                shutil.copyfile(f, raw / f.name)
    return manifest
