"""Which data a run reads: the live warehouse and records (the default), or a snapshot, read-only.

Every read of the dashboard goes through :func:`dashboard.queries.query` (the warehouse) and
:func:`dashboard.session.store` (the covenant records). Both ask this module first: inside
``with reading(...)`` they read the given warehouse connection and records engine instead. The documents
(``dashboard.documents``) use it to build a meeting pack from a snapshot with the very functions the pages
use, so a pack shows the figures the pages showed on the snapshot's day.

The overrides are context variables: they hold for the thread (the script run, or the command) that set
them and end with the ``with`` block.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlalchemy.engine import Engine

from etl.db import connect_readonly, reader_cursor
from wijkmonitor import snapshots
from wijkmonitor.records.store import open_store


@dataclass(frozen=True)
class Source:
    """What a document or a run reads, and how it is named on the document."""

    warehouse: duckdb.DuckDBPyConnection
    records: Engine
    label: str  # "Momentopname 'Stuurgroep najaar 2025' (peildatum 15-09-2025)" or "actuele gegevens"
    snapshot: snapshots.Snapshot | None = None


_CURRENT: contextvars.ContextVar[Source | None] = contextvars.ContextVar("wijkmonitor_source", default=None)


def current() -> Source | None:
    """The source set by :func:`reading` for this thread, or None (the live data, as pinned by the page)."""
    return _CURRENT.get()


@contextlib.contextmanager
def reading(src: Source) -> Iterator[Source]:
    token = _CURRENT.set(src)
    try:
        yield src
    finally:
        _CURRENT.reset(token)


def cursor(src: Source) -> duckdb.DuckDBPyConnection:
    """A cursor on the source's warehouse (one per call: runs and downloads read in threads)."""
    return src.warehouse.cursor() if src.snapshot else reader_cursor(src.warehouse)


def live(warehouse: Path, records_url: str) -> Source:
    """The live warehouse file (as it is now: a later load does not change this connection) and records."""
    return Source(connect_readonly(Path(warehouse)), open_store(records_url), "actuele gegevens")


def of_snapshot(snap: snapshots.Snapshot) -> Source:
    return Source(
        snapshots.open_warehouse(snap),
        snapshots.open_records(snap),
        f"momentopname '{snap.naam}' (peildatum {snap.peildatum:%d-%m-%Y})",
        snap,
    )
