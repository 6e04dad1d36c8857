"""Who may do what: the one authorisation module that every write goes through.

Every write (to the records store, or to the warehouse on someone's behalf) is authorised here *at the
moment of writing*: the actor's roles are read from the records store inside the write's own transaction,
so a role withdrawn a second ago, a stale browser session or a crafted request is refused. Refusals are
recorded in the audit trail as well (uitkomst ``geweigerd``), in a transaction of their own.

Roles (several per user):

=================== ==========================================================================
``stuurgroep``      decisions: adopting jaarplannen, the capacity distribution and the normering
``regiegroep``      advice, capacity scenarios, the normering's proposals, the action list, agreements
``team:<wijk>``     its own wijk's jaarplan and half-yearly status, nothing else
``partner:<bron>``  deliveries of its own source only
``beheerder``       users and roles, settings, re-activating a delivery
=================== ==========================================================================

The command line is run by whoever operates the server (and can read the files anyway): it acts as
``systeem:<os user>`` with every right, and is recorded as such.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from wijkmonitor.records.store import writing
from wijkmonitor.records.tables import audit, gebruiker_rollen, gebruikers

# The partner sources a `partner:<bron>` role can name: the partner template's sources, the police, and
# the municipality's own area and population files.
BRONNEN = ("politie", "corporatie", "welzijn", "gemeente", "enquete", "leefbaarometer")
FIXED_ROLES = ("beheerder", "stuurgroep", "regiegroep")
ROLE_RE = re.compile(r"^(beheerder|stuurgroep|regiegroep|team:WK[0-9]{6}|partner:[a-z]{2,30})$")
EMAIL_RE = re.compile(r"^[^@\s<>\"'`;,()\\]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z0-9-]{2,63}$")
SYSTEM_ROLES = frozenset({"systeem"})
MAX_TEXT = 2000


class Refused(PermissionError):
    """A write the actor may not do. The message is Dutch and shown to the user."""


@dataclass(frozen=True)
class Actor:
    """Who writes, and from where (``pagina:Beheer``, ``opdracht:gebruiker toevoegen``)."""

    email: str
    via: str
    system: bool = False

    @classmethod
    def command(cls, verb: str) -> Actor:
        try:
            user = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            user = os.environ.get("USER", "onbekend")
        return cls(email=f"systeem:{user}", via=f"opdracht:{verb}", system=True)

    @classmethod
    def page(cls, email: str, page: str) -> Actor:
        return cls(email=normalise_email(email), via=f"pagina:{page}")


@dataclass
class Change:
    """What a write changed, for the audit trail (``oud``/``nieuw`` are JSON-serialisable)."""

    object_soort: str
    object_id: str
    oud: Any = None
    nieuw: Any = None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def valid_email(email: str) -> bool:
    return bool(EMAIL_RE.fullmatch(email)) and len(email) <= 254


def parse_role(text: str) -> str:
    """A role as stored (``team:wk099901`` -> ``team:WK099901``); ValueError with a Dutch message."""
    raw = (text or "").strip()
    kind, _, arg = raw.partition(":")
    kind = kind.lower()
    role = f"{kind}:{arg.upper() if kind == 'team' else arg.lower()}" if arg else kind
    if not ROLE_RE.fullmatch(role) or (kind == "partner" and arg.lower() not in BRONNEN):
        raise ValueError(
            f"onbekende rol {raw[:80]!r}: kies uit {', '.join(FIXED_ROLES)}, team:<wijkcode> "
            f"(bijv. team:WK099901) of partner:<bron> ({', '.join(BRONNEN)})"
        )
    return role


def _beheerder(roles: frozenset[str], target: str | None) -> bool:
    return "beheerder" in roles


def _partner_of(roles: frozenset[str], target: str | None) -> bool:
    return "beheerder" in roles or (target is not None and f"partner:{target}" in roles)


def _team_of(roles: frozenset[str], target: str | None) -> bool:
    return target is not None and f"team:{target}" in roles


def _role(name: str) -> Callable[[frozenset[str], str | None], bool]:
    return lambda roles, target: name in roles


def _meeting_of(roles: frozenset[str], target: str | None) -> bool:
    """A stuurgroep meeting is recorded by the stuurgroep or its secretary (the regiegroep), a regiegroep
    meeting by the regiegroep, a team meeting by the team of that wijk."""
    if target == "stuurgroep":
        return bool({"stuurgroep", "regiegroep"} & roles)
    if target == "regiegroep":
        return "regiegroep" in roles
    return _team_of(roles, target)


def _decision_of(roles: frozenset[str], target: str | None) -> bool:
    if target in ("stuurgroep", "regiegroep"):
        return target in roles
    return _team_of(roles, target)


# The partners whose own role may enter their capacity (the covenant partner -> its delivery role).
CAPACITY_ROLE = {
    "politie": "politie",
    "corporatie": "corporatie",
    "welzijn": "welzijn",
    "gemeente": "gemeente",
}


def _capacity_of(roles: frozenset[str], target: str | None) -> bool:
    own = CAPACITY_ROLE.get(target or "")
    return "regiegroep" in roles or (own is not None and f"partner:{own}" in roles)


# action -> rule(roles, target). An action not listed here is refused. Later issues add their actions.
RULES: dict[str, Callable[[frozenset[str], str | None], bool]] = {
    "gebruiker.toevoegen": _beheerder,
    "gebruiker.wijzigen": _beheerder,
    "rol.toekennen": _beheerder,
    "rol.intrekken": _beheerder,
    "instelling.wijzigen": _beheerder,
    "levering.laden": _partner_of,  # target: the delivery's bron
    "levering.heractiveren": _beheerder,
    "audit.exporteren": _beheerder,
    "backup.terugzetten": _beheerder,
    # plans (#14); target: the wijk code
    "wijkprogramma.schrijven": _team_of,
    "jaarplan.schrijven": _team_of,  # concept activities, and amendments after adoption
    "jaarplan.indienen": _team_of,
    "jaarplan.intrekken": lambda roles, target: _team_of(roles, target) or "regiegroep" in roles,
    "jaarplan.adviseren": _role("regiegroep"),
    "jaarplan.terugverwijzen": lambda roles, target: bool({"regiegroep", "stuurgroep"} & roles),
    "jaarplan.vaststellen": _role("stuurgroep"),
    "status.indienen": _team_of,  # a half-yearly report, or a correction of it (a new version)
    # steering (#15)
    "vergadering.vastleggen": _meeting_of,  # target: stuurgroep | regiegroep | the team's wijk
    "besluit.nemen": _decision_of,  # a decision of a meeting: its own level (stuurgroep: only the stuurgroep)
    "capaciteit.schrijven": _capacity_of,  # target: the partner
    "verdeling.opslaan": _role("regiegroep"),  # scenarios
    "verdeling.adviseren": _role("regiegroep"),
    "verdeling.vaststellen": _role("stuurgroep"),  # adopt, or send back
    "normering.voorstellen": _role("regiegroep"),
    "normering.vaststellen": _role("stuurgroep"),
    "actie.schrijven": lambda roles, target: bool({"regiegroep", "stuurgroep"} & roles),
    "afspraak.schrijven": lambda roles, target: bool({"regiegroep", "stuurgroep"} & roles),
    "afspraak.toetsen": _role("regiegroep"),
    # meeting packs (#16): freezing the figures a meeting decides on
    "momentopname.maken": lambda roles, target: bool({"beheerder", "regiegroep", "stuurgroep"} & roles),
}


def allowed(roles: frozenset[str], action: str, target: str | None = None) -> bool:
    """Pure rule check (also what the pages use to decide which controls to show)."""
    if roles == SYSTEM_ROLES:
        return action in RULES
    rule = RULES.get(action)
    return bool(rule and rule(roles, target))


def roles_of(conn: Connection, email: str) -> frozenset[str]:
    """The roles of an active user, read now (an unknown or inactive user has none)."""
    rows = conn.execute(
        select(gebruiker_rollen.c.rol)
        .join(gebruikers, gebruikers.c.id == gebruiker_rollen.c.gebruiker_id)
        .where(gebruikers.c.email == normalise_email(email), gebruikers.c.actief.is_(True))
    )
    return frozenset(r[0] for r in rows)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _audit_row(
    conn: Connection,
    actor: Actor,
    roles: frozenset[str],
    action: str,
    change: Change,
    uitkomst: str,
    reden: str | None = None,
) -> None:
    conn.execute(
        insert(audit).values(
            tijdstip=_now(),
            actor=actor.email[:254],
            rollen=",".join(sorted(roles)),
            actie=action,
            object_soort=change.object_soort[:80],
            object_id=str(change.object_id)[:254],
            oud=_json(change.oud),
            nieuw=_json(change.nieuw),
            via=actor.via[:120],
            uitkomst=uitkomst,
            reden=(reden or None) and reden[:MAX_TEXT],
        )
    )


def _refuse(eng: Engine, actor: Actor, roles: frozenset[str], action: str, change: Change) -> Refused:
    reden = f"{actor.email} heeft geen recht op {action}" + (
        f" ({change.object_soort} {change.object_id})" if change.object_id else ""
    )
    with writing(eng) as conn:
        _audit_row(conn, actor, roles, action, change, "geweigerd", reden)
    return Refused(
        "Dit mag u niet (meer): uw rollen geven geen recht op deze wijziging. De poging is vastgelegd; "
        "vraag de beheerder om de juiste rol als u denkt dat dit niet klopt."
    )


def perform(
    eng: Engine,
    actor: Actor,
    action: str,
    target: str | None,
    intended: Change,
    write: Callable[[Connection], Change | None],
) -> Change:
    """Authorise ``action`` on ``target`` now and, when allowed, run ``write`` and record it, all in one
    transaction. ``intended`` names the object (for a refusal's record); ``write`` returns the change
    with its old and new values (None: ``intended``). Refused: recorded and raised as :class:`Refused`."""
    with writing(eng) as conn:
        roles = SYSTEM_ROLES if actor.system else roles_of(conn, actor.email)
        if allowed(roles, action, target):
            change = write(conn) or intended
            _audit_row(conn, actor, roles, action, change, "uitgevoerd")
            return change
    raise _refuse(eng, actor, roles, action, intended)


def authorise(eng: Engine, actor: Actor, action: str, target: str | None, intended: Change) -> frozenset[str]:
    """For writes outside the records store (a delivery to the warehouse): check now, record a refusal.

    Returns the actor's roles; the caller records the outcome with :func:`record` afterwards."""
    with eng.connect() as conn:
        roles = SYSTEM_ROLES if actor.system else roles_of(conn, actor.email)
    if not allowed(roles, action, target):
        raise _refuse(eng, actor, roles, action, intended)
    return roles


def record(
    eng: Engine,
    actor: Actor,
    action: str,
    change: Change,
    uitkomst: str = "uitgevoerd",
    reden: str | None = None,
    roles: frozenset[str] | None = None,
) -> None:
    """Record a write done elsewhere (after :func:`authorise`), or a command-line write."""
    with writing(eng) as conn:
        if roles is None:
            roles = SYSTEM_ROLES if actor.system else roles_of(conn, actor.email)
        _audit_row(conn, actor, roles, action, change, uitkomst, reden)
