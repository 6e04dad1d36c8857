"""Reading the audit trail (writing is :mod:`wijkmonitor.records.authz`'s job)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from wijkmonitor.records.tables import audit

COLUMNS = (
    "id",
    "tijdstip",
    "actor",
    "rollen",
    "actie",
    "object_soort",
    "object_id",
    "oud",
    "nieuw",
    "via",
    "uitkomst",
    "reden",
)


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None  # exact e-mail (lower-case)
    actie: str | None = None  # exact action name
    uitkomst: str | None = None
    vanaf: dt.date | None = None
    tot_en_met: dt.date | None = None


def _query(f: AuditFilter):
    q = select(*(audit.c[c] for c in COLUMNS)).order_by(audit.c.id.desc())
    if f.actor:
        q = q.where(audit.c.actor == f.actor)
    if f.actie:
        q = q.where(audit.c.actie == f.actie)
    if f.uitkomst:
        q = q.where(audit.c.uitkomst == f.uitkomst)
    if f.vanaf:
        q = q.where(audit.c.tijdstip >= dt.datetime.combine(f.vanaf, dt.time(), dt.UTC))
    if f.tot_en_met:
        end = dt.datetime.combine(f.tot_en_met + dt.timedelta(days=1), dt.time(), dt.UTC)
        q = q.where(audit.c.tijdstip < end)
    return q


def entries(eng: Engine, f: AuditFilter | None = None, limit: int | None = 1000) -> list[dict]:
    """Newest first; each entry a dict with :data:`COLUMNS`."""
    q = _query(f or AuditFilter())
    if limit:
        q = q.limit(limit)
    with eng.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def count(eng: Engine, f: AuditFilter | None = None) -> int:
    """Entries matching ``f`` (all when None)."""
    q = _query(f or AuditFilter()).order_by(None).subquery()
    with eng.connect() as conn:
        return conn.execute(select(func.count()).select_from(q)).scalar_one()


def actions(eng: Engine) -> list[str]:
    with eng.connect() as conn:
        return list(conn.execute(select(audit.c.actie).distinct().order_by(audit.c.actie)).scalars())


def to_csv(rows: list[dict]) -> bytes:
    """CSV (``;``, UTF-8 with BOM so Excel opens it) of audit entries. Cells that a spreadsheet would read as
    a formula are prefixed with an apostrophe (CSV injection)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
