"""Snapshots (momentopnamen): the warehouse marts and the covenant records frozen under a name.

A meeting decides on figures; months later a partner asks "which figures did we decide on?". A snapshot
answers that: ``wijkmonitor snapshot "Stuurgroep najaar 2025"`` freezes

* the warehouse's ``marts`` and ``meta`` schemas as Parquet files, and of ``staging`` only the columns the
  steering pages read (delivery periods per load, population), grouped (``raw`` and the rest of
  ``staging`` stay out: they are the bulk of a national warehouse and no page of a snapshot reads them), and
* the covenant records as one SQLite file (a consistent copy: SQLite's backup API, or one REPEATABLE READ
  transaction on PostgreSQL) in which the ``peildatum`` setting is the snapshot's date, so everything that
  depends on "today" (overdue actions, agreements, late reports) is judged as on that day,

into ``<warehouse>.momentopnamen/<slug>/`` beside the warehouse, with a ``manifest.json`` that names it,
says when and by whom it was made, which warehouse publication it froze, and the SHA-256 of every file.

A snapshot never changes once made: it is written to a temporary folder and renamed into place (a crash
leaves no half snapshot), a name can be used once, the files are made read-only, and :func:`get` checks
every file against the manifest before anything reads it. Making one is authorised (``momentopname.maken``)
and recorded in the audit trail of the live records store.

Reading: :func:`open_warehouse` gives an in-memory DuckDB connection whose ``marts.*`` and ``meta.*`` are
views over the Parquet files (with the warehouse's SQL macros), so the dashboard's queries and the reports
run on it unchanged; :func:`open_records` gives a read-only engine on the frozen records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.engine import Engine

from etl.db import connect_readonly
from wijkmonitor.records import authz
from wijkmonitor.records import store as records_store
from wijkmonitor.records import tables as records_tables
from wijkmonitor.records.authz import Actor, Change

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = ("marts", "meta", "staging")
# From staging only what the pages' steering functions read (the delivery history of every source and the
# population for the capacity need), grouped with a row count (COUNT) so that a national police table is a few
# thousand rows here; the snapshot's view expands the count again, so counts of rows stay right.
# Partner observations are kept whole: the regiegroep's 14-day signal reads their values (they are small next
# to the police tables).
COUNT = "_wm_rijen"
STAGING_SLICES: dict[str, tuple[str, ...] | None] = {
    "stg_politie__misdrijven": ("load_id", "jaar", "maand", "vervangen_door"),
    "stg_partner__waarnemingen": None,
    "stg_bevolking__kerncijfers": (
        "load_id",
        "gebied_code",
        "niveau",
        "jaar",
        "inwoners",
        "huishoudens",
        "vervangen_door",
    ),
}
MANIFEST = "manifest.json"
RECORDS_FILE = "records.sqlite"
MAX_NAME = 80
# The warehouse's SQL macros that the marts' readers call (defined with the build; recreated on a snapshot).
MACRO_FILES = (REPO / "etl" / "sql" / "raw" / "schema.sql", REPO / "indicators" / "sql" / "macros.sql")
_MACRO_RE = re.compile(r"CREATE OR REPLACE MACRO .*?;\s*$", re.S | re.M)
_TABLE_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


class SnapshotError(RuntimeError):
    """A snapshot that cannot be made or read; the message is Dutch and names what to do."""


@dataclass(frozen=True)
class Snapshot:
    naam: str
    slug: str
    gemaakt_op: dt.datetime  # UTC
    gemaakt_door: str
    peildatum: dt.date  # "today" of the frozen records
    publicatie: str  # the warehouse publication it froze ("bouw 2025-09-14 08:12, levering 57")
    map: Path
    bestanden: dict[str, str]  # relative path -> sha256

    @property
    def label(self) -> str:
        return f"{self.naam} (peildatum {self.peildatum:%d-%m-%Y})"


def snapshots_dir(warehouse: Path) -> Path:
    """``data/wijkmonitor.duckdb`` -> ``data/wijkmonitor.momentopnamen``."""
    return warehouse.with_name(f"{warehouse.stem}.momentopnamen")


def slugify(naam: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", naam).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:MAX_NAME]


def check_name(naam: str) -> str:
    naam = " ".join(str(naam).split())
    if not naam:
        raise ValueError("Geef de momentopname een naam, bijvoorbeeld 'Stuurgroep najaar 2025'.")
    if len(naam) > MAX_NAME:
        raise ValueError(f"De naam is te lang (hoogstens {MAX_NAME} tekens).")
    if not slugify(naam):
        raise ValueError("De naam moet letters of cijfers bevatten.")
    return naam


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _publication(con: duckdb.DuckDBPyConnection) -> str:
    parts = []
    built = con.execute("SELECT max(gebouwd) FROM meta.bouw").fetchone()[0]
    if built is not None:
        parts.append(f"bouw {built:%Y-%m-%d %H:%M}")
    load = con.execute("SELECT max(load_id) FROM meta.loads WHERE status = 'geladen'").fetchone()[0]
    if load is not None:
        parts.append(f"levering {int(load)}")
    return ", ".join(parts) or "geen gegevens"


def _export_warehouse(warehouse: Path, target: Path) -> str:
    con = connect_readonly(warehouse)  # keeps this version's file open even if a load publishes meanwhile
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name IN ('marts', 'meta') ORDER BY 1, 2"
        ).fetchall()
        if not any(s == "marts" for s, _ in tables):
            raise SnapshotError("Het datawarehouse heeft nog geen indicatoren: laad eerst de leveringen.")
        staging = {
            t
            for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'staging'"
            ).fetchall()
        }
        selects = [(schema, table, f"SELECT * FROM {schema}.{table}") for schema, table in tables]
        for table, columns in STAGING_SLICES.items():
            if table in staging and columns is None:
                selects.append(("staging", table, f"SELECT * FROM staging.{table}"))
            elif table in staging:
                cols = ", ".join(columns)
                selects.append(
                    (
                        "staging",
                        table,
                        f"SELECT {cols}, count(*) AS {COUNT} FROM staging.{table} GROUP BY ALL ORDER BY ALL",
                    )
                )
        for schema, table, sql in selects:
            if not _TABLE_RE.match(table):
                raise SnapshotError(f"Onverwachte tabelnaam in het datawarehouse: {table!r}.")
            (target / schema).mkdir(parents=True, exist_ok=True)
            out = (target / schema / f"{table}.parquet").as_posix().replace("'", "''")
            con.execute(f"COPY ({sql}) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
        return _publication(con)
    finally:
        con.close()


def _copy_records(url: str, target: Path, peildatum: dt.date, door: str) -> None:
    """A consistent copy of the records store as SQLite at ``target``, its ``peildatum`` set."""
    eng = records_store.open_store(url)
    src_file = records_store._sqlite_file(url)
    if src_file is not None:
        src = sqlite3.connect(src_file)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one consistent copy, also while others write (WAL)
        finally:
            src.close()
            dst.close()
    else:
        # The schema by the migrations, then every table's rows in one REPEATABLE READ read, written with the
        # app's own table definitions (their types) over a plain engine (SQLite: no foreign-key checks, so
        # the order of the tables does not matter).
        url = f"sqlite:///{target}"
        records_store.upgrade(url).dispose()
        records_store._engines.pop(url, None)
        records_store._upgraded.discard(url)
        plain = create_engine(url)
        src_conn = eng.connect().execution_options(isolation_level="REPEATABLE READ")
        with src_conn, src_conn.begin(), plain.begin() as dst_conn:
            for table in records_tables.metadata.sorted_tables:
                rows = [dict(r) for r in src_conn.execute(select(table)).mappings()]
                if rows:
                    dst_conn.execute(insert(table), rows)
        plain.dispose()
    con = sqlite3.connect(target)
    try:
        with con:
            # The frozen records keep a fixed "today": a live peildatum (the demo's) stays, else the snapshot's.
            has = con.execute("SELECT waarde FROM instellingen WHERE sleutel = 'peildatum'").fetchone()
            if not has:
                con.execute(
                    "INSERT INTO instellingen (sleutel, waarde, gewijzigd_op, gewijzigd_door) VALUES (?, ?, ?, ?)",
                    ("peildatum", peildatum.isoformat(), dt.datetime.now(dt.UTC).isoformat(), door),
                )
        con.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        con.close()


def _frozen_peildatum(target: Path, fallback: dt.date) -> dt.date:
    con = sqlite3.connect(target)
    try:
        row = con.execute("SELECT waarde FROM instellingen WHERE sleutel = 'peildatum'").fetchone()
    finally:
        con.close()
    try:
        return dt.date.fromisoformat(row[0]) if row else fallback
    except ValueError:
        return fallback


def create(
    warehouse: Path,
    records_url: str,
    naam: str,
    actor: Actor,
    *,
    now: dt.datetime | None = None,
) -> Snapshot:
    """Freeze the warehouse's marts and the records as snapshot ``naam`` (authorised and recorded)."""
    naam = check_name(naam)
    slug = slugify(naam)
    eng = records_store.open_store(records_url)
    intended = Change("momentopname", slug, nieuw={"naam": naam})
    roles = authz.authorise(eng, actor, "momentopname.maken", None, intended)
    root = snapshots_dir(warehouse)
    final = root / slug
    if final.exists():
        raise SnapshotError(
            f"Er is al een momentopname '{naam}': een momentopname verandert nooit. Kies een andere naam."
        )
    if not Path(warehouse).exists():
        raise SnapshotError(f"Geen datawarehouse: {warehouse}.")
    root.mkdir(parents=True, exist_ok=True)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    today = now.astimezone(records_store_zone()).date()
    tmp = Path(tempfile.mkdtemp(prefix=f".{slug}.", dir=root))
    try:
        publicatie = _export_warehouse(Path(warehouse), tmp)
        _copy_records(records_url, tmp / RECORDS_FILE, today, actor.email)
        peildatum = _frozen_peildatum(tmp / RECORDS_FILE, today)
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        bestanden = {p.relative_to(tmp).as_posix(): _sha256(p) for p in files}
        manifest = {
            "naam": naam,
            "slug": slug,
            "gemaakt_op": now.isoformat(timespec="seconds"),
            "gemaakt_door": actor.email,
            "peildatum": peildatum.isoformat(),
            "publicatie": publicatie,
            "records_revisie": records_store.head(),
            "bestanden": bestanden,
        }
        (tmp / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for p in [*files, tmp / MANIFEST]:
            p.chmod(0o444)
        try:
            os.rename(tmp, final)  # atomic; fails if the name was taken meanwhile
        except OSError:
            raise SnapshotError(f"Er is al een momentopname '{naam}'. Kies een andere naam.") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    authz.record(
        eng,
        actor,
        "momentopname.maken",
        Change(
            "momentopname",
            slug,
            nieuw={"naam": naam, "peildatum": peildatum.isoformat(), "publicatie": publicatie},
        ),
        roles=roles,
    )
    return get(warehouse, slug)


def records_store_zone() -> dt.tzinfo:
    from wijkmonitor.records.jaarplannen import AMSTERDAM

    return AMSTERDAM


def _read(folder: Path) -> Snapshot:
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return Snapshot(
        naam=data["naam"],
        slug=data["slug"],
        gemaakt_op=dt.datetime.fromisoformat(data["gemaakt_op"]),
        gemaakt_door=data["gemaakt_door"],
        peildatum=dt.date.fromisoformat(data["peildatum"]),
        publicatie=data["publicatie"],
        map=folder,
        bestanden=dict(data["bestanden"]),
    )


def list_snapshots(warehouse: Path) -> list[Snapshot]:
    """Every snapshot beside ``warehouse``, newest first (folders without a manifest are unfinished)."""
    root = snapshots_dir(warehouse)
    if not root.is_dir():
        return []
    out = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not (folder / MANIFEST).is_file():
            continue
        try:
            out.append(_read(folder))
        except (ValueError, KeyError, OSError):
            continue
    return sorted(out, key=lambda s: (s.gemaakt_op, s.slug), reverse=True)


def get(warehouse: Path, naam_of_slug: str, *, verify: bool = True) -> Snapshot:
    """The snapshot by name or slug, its files checked against the manifest."""
    slug = slugify(naam_of_slug)
    folder = snapshots_dir(warehouse) / slug
    if not slug or not (folder / MANIFEST).is_file():
        raise SnapshotError(f"Geen momentopname '{naam_of_slug}'.")
    snap = _read(folder)
    if verify:
        for rel, digest in snap.bestanden.items():
            path = folder / rel
            if not path.is_file() or _sha256(path) != digest:
                raise SnapshotError(
                    f"Momentopname '{snap.naam}' is beschadigd of gewijzigd: {rel} klopt niet met het manifest."
                )
    return snap


def _macros() -> list[str]:
    out = []
    for f in MACRO_FILES:
        out += [m.group(0) for m in _MACRO_RE.finditer(f.read_text(encoding="utf-8"))]
    return out


def open_warehouse(snap: Snapshot) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the snapshot's ``marts`` and ``meta`` as views over its Parquet."""
    con = duckdb.connect(":memory:")
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA {schema}")
    for rel in sorted(snap.bestanden):
        parts = rel.split("/")
        if len(parts) != 2 or parts[0] not in SCHEMAS or not parts[1].endswith(".parquet"):
            continue
        table = parts[1].removesuffix(".parquet")
        if not _TABLE_RE.match(table):
            continue
        path = (snap.map / rel).as_posix().replace("'", "''")
        columns = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()}
        if COUNT in columns:  # a grouped slice: one row per counted row again
            body = f"SELECT s.* EXCLUDE ({COUNT}) FROM read_parquet('{path}') AS s, range(s.{COUNT}) AS r(i)"
        else:
            body = f"SELECT * FROM read_parquet('{path}')"
        con.execute(f"CREATE VIEW {parts[0]}.{table} AS {body}")
    for macro in _macros():
        try:
            con.execute(macro)
        except (duckdb.CatalogException, duckdb.BinderException):
            continue  # a table macro over raw/staging (provenance): not in a snapshot
    return con


def open_records(snap: Snapshot) -> Engine:
    """A read-only engine on the snapshot's records (upgraded on a private copy when the schema moved on)."""
    path = snap.map / RECORDS_FILE
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        con.close()
    if revision and revision[0] == records_store.head():
        eng = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.execute("PRAGMA query_only=ON")

        return eng
    # An older snapshot: bring a private copy to the current schema (the snapshot itself stays as made).
    copy = Path(tempfile.mkdtemp(prefix="wijkmonitor-momentopname-")) / RECORDS_FILE
    shutil.copyfile(path, copy)
    copy.chmod(0o644)
    return records_store.upgrade(f"sqlite:///{copy}")
