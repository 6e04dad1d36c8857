"""The pages' one way to the covenant records store (users and roles, the audit trail), on behalf of
the viewer of this run (:func:`dashboard.session.current`).

Reads and writes go to :mod:`wijkmonitor.records`; every write goes through
:func:`wijkmonitor.records.authz.perform`, which checks the viewer's roles *again*, read from the store
inside the write's own transaction, so a page rendered for a beheerder whose role was withdrawn a moment
ago, or a crafted request, is refused (:class:`~wijkmonitor.records.authz.Refused`) and recorded.

Reads of the user list and the audit trail are never cached: they must show a write at once, in this and
in every other server process. The only cached value is Alembic's head revision, which comes from the
migration files of this code and cannot change while it runs. Reads that only a beheerder may see
(users, the audit trail) check the viewer's roles in the store as well, not just the page's own check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine, func, select

from dashboard import queries, session
from wijkmonitor.records import auditlog, authz, users
from wijkmonitor.records.store import current_revision, head, label, records_url
from wijkmonitor.records.tables import audit

UITKOMSTEN = ("uitgevoerd", "geweigerd", "mislukt")
NOT_ALLOWED = "Alleen voor de beheerder: u heeft (nu) geen rol beheerder in Wijkmonitor."


def store() -> Engine:
    return session.store()


def store_url() -> str:
    """The records store's URL as the session opens it (beside this run's warehouse, or by URL)."""
    return records_url(Path(queries.db_label()))


def store_label() -> str:
    """The records store's URL without its password (for the Beheer page)."""
    return label(store_url())


@st.cache_data(show_spinner=False)
def _head() -> str:
    return head()


@dataclass(frozen=True)
class Revision:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def revision() -> Revision:
    """The store's Alembic revision now, and the newest this code knows."""
    return Revision(current_revision(store()), _head())


# ------------------------------------------------------------------------------------------ who


def _viewer() -> session.Viewer:
    return session.current()


def _actor(page: str) -> authz.Actor:
    return _viewer().actor(page)


def _require_beheerder() -> None:
    """Reads that only a beheerder may see: the roles as they are in the store now, not as the page saw
    them. Raises Refused (not recorded: reading is not a write)."""
    if "beheerder" not in users.current_roles(store(), _viewer().email):
        raise authz.Refused(NOT_ALLOWED)


# ------------------------------------------------------------------------------------------ roles


def role_options(wijken: Sequence[tuple[str, str]] = ()) -> list[str]:
    """Every role the Beheer page offers: the fixed ones, a team per wijk, a partner per source."""
    teams = [f"team:{code}" for code, _ in wijken]
    return [*authz.FIXED_ROLES, *teams, *(f"partner:{b}" for b in authz.BRONNEN)]


def role_label(rol: str, wijk_names: dict[str, str]) -> str:
    """``team:WK099901`` -> ``team:WK099901 (Molenwijk)``; plain text (option labels, table cells)."""
    kind, _, arg = rol.partition(":")
    if kind == "team" and arg in wijk_names:
        return f"{rol} ({wijk_names[arg]})"
    return rol


# ------------------------------------------------------------------------------------------ users


def list_users() -> list[users.User]:
    """Every user (demo users last), read now."""
    _require_beheerder()
    return users.list_users(store())


def get_user(email: str) -> users.User | None:
    _require_beheerder()
    return users.get_user(store(), email)


def add_user(email: str, naam: str, rollen: Iterable[str], page: str = "Beheer") -> users.User:
    """Raises authz.Refused (recorded) or ValueError (bad e-mail, role, existing user); both Dutch."""
    return users.add_user(store(), _actor(page), email, naam, list(rollen))


def grant_role(email: str, rol: str, page: str = "Beheer") -> None:
    users.grant_role(store(), _actor(page), email, rol)


def revoke_role(email: str, rol: str, page: str = "Beheer") -> None:
    users.revoke_role(store(), _actor(page), email, rol)


def set_active(email: str, actief: bool, page: str = "Beheer") -> None:
    users.set_active(store(), _actor(page), email, actief)


# ------------------------------------------------------------------------------------------ audit trail


def audit_entries(f: auditlog.AuditFilter, limit: int | None = None) -> list[dict]:
    """Entries newest first (all of them without ``limit``)."""
    _require_beheerder()
    return auditlog.entries(store(), f, limit=limit)


def audit_count(f: auditlog.AuditFilter | None = None) -> int:
    """How many entries match ``f`` (all entries without it)."""
    _require_beheerder()
    return auditlog.count(store(), f)


def audit_actors() -> list[str]:
    """Everyone (and every command) that appears in the trail."""
    _require_beheerder()
    with store().connect() as conn:
        return list(conn.execute(select(audit.c.actor).distinct().order_by(audit.c.actor)).scalars())


def audit_actions() -> list[str]:
    _require_beheerder()
    return auditlog.actions(store())


def audit_first_day() -> dt.date | None:
    """The day of the oldest entry (UTC), or None for an empty trail."""
    _require_beheerder()
    with store().connect() as conn:
        first = conn.execute(select(func.min(audit.c.tijdstip))).scalar()
    if first is None:
        return None
    if isinstance(first, str):  # SQLite without type information (an aggregate over the column)
        first = dt.datetime.fromisoformat(first)
    return first.date()
