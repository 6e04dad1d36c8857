"""Users and their roles. Every change goes through :func:`wijkmonitor.records.authz.perform`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from wijkmonitor.records.authz import (
    BRONNEN,
    Actor,
    Change,
    normalise_email,
    parse_role,
    perform,
    roles_of,
    valid_email,
)
from wijkmonitor.records.tables import gebruiker_rollen, gebruikers

DEMO_DOMAIN = (
    "demo.wijkmonitor.invalid"  # RFC 2606: never a real mailbox, never from a real identity provider
)
DEMO_NAME_MAX = 200


@dataclass(frozen=True)
class User:
    email: str
    naam: str
    actief: bool
    demo: bool
    rollen: frozenset[str]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_email(email: str) -> str:
    email = normalise_email(email)
    if not valid_email(email):
        raise ValueError(f"geen geldig e-mailadres: {email[:80]!r}")
    return email


def _user_id(conn: Connection, email: str) -> int | None:
    return conn.execute(select(gebruikers.c.id).where(gebruikers.c.email == email)).scalar()


def _existing_id(conn: Connection, email: str) -> int:
    uid = _user_id(conn, email)
    if uid is None:
        raise ValueError(f"geen gebruiker met e-mailadres {email}")
    return uid


def get_user(eng: Engine, email: str) -> User | None:
    email = normalise_email(email)
    with eng.connect() as conn:
        row = conn.execute(select(gebruikers).where(gebruikers.c.email == email)).mappings().first()
        if row is None:
            return None
        rollen = conn.execute(
            select(gebruiker_rollen.c.rol).where(gebruiker_rollen.c.gebruiker_id == row["id"])
        ).scalars()
        return User(row["email"], row["naam"], bool(row["actief"]), bool(row["demo"]), frozenset(rollen))


def list_users(eng: Engine, demo: bool | None = None) -> list[User]:
    with eng.connect() as conn:
        q = select(gebruikers).order_by(gebruikers.c.demo, gebruikers.c.email)
        if demo is not None:
            q = q.where(gebruikers.c.demo.is_(demo))
        rows = conn.execute(q).mappings().all()
        roles: dict[int, set[str]] = {}
        for uid, rol in conn.execute(select(gebruiker_rollen.c.gebruiker_id, gebruiker_rollen.c.rol)):
            roles.setdefault(uid, set()).add(rol)
    return [
        User(r["email"], r["naam"], bool(r["actief"]), bool(r["demo"]), frozenset(roles.get(r["id"], ())))
        for r in rows
    ]


def current_roles(eng: Engine, email: str) -> frozenset[str]:
    """The roles of an active user now (pages use it to decide what to show)."""
    with eng.connect() as conn:
        return roles_of(conn, email)


def _active_beheerders(conn: Connection) -> int:
    return conn.execute(
        select(func.count())
        .select_from(gebruiker_rollen.join(gebruikers, gebruikers.c.id == gebruiker_rollen.c.gebruiker_id))
        .where(
            gebruiker_rollen.c.rol == "beheerder",
            gebruikers.c.actief.is_(True),
            gebruikers.c.demo.is_(False),
        )
    ).scalar_one()


def add_user(
    eng: Engine, actor: Actor, email: str, naam: str = "", rollen: Iterable[str] = (), demo: bool = False
) -> User:
    """A new user with roles; an existing e-mail address is refused (ValueError)."""
    email = _check_email(email)
    naam = (naam or "").strip()[:DEMO_NAME_MAX]
    parsed = sorted({parse_role(r) for r in rollen})

    def write(conn: Connection) -> Change:
        if _user_id(conn, email) is not None:
            raise ValueError(f"er is al een gebruiker met e-mailadres {email}")
        now = _now()
        uid = conn.execute(
            insert(gebruikers).values(email=email, naam=naam, actief=True, demo=demo, aangemaakt_op=now)
        ).inserted_primary_key[0]
        for rol in parsed:
            conn.execute(
                insert(gebruiker_rollen).values(
                    gebruiker_id=uid, rol=rol, toegekend_op=now, toegekend_door=actor.email
                )
            )
        return Change("gebruiker", email, None, {"naam": naam, "rollen": parsed, "actief": True})

    perform(eng, actor, "gebruiker.toevoegen", None, Change("gebruiker", email), write)
    return get_user(eng, email)  # type: ignore[return-value]


def grant_role(eng: Engine, actor: Actor, email: str, rol: str) -> None:
    email, rol = normalise_email(email), parse_role(rol)

    def write(conn: Connection) -> Change:
        uid = _existing_id(conn, email)
        before = sorted(roles_of_any(conn, uid))
        if rol not in before:
            conn.execute(
                insert(gebruiker_rollen).values(
                    gebruiker_id=uid, rol=rol, toegekend_op=_now(), toegekend_door=actor.email
                )
            )
        return Change("gebruiker", email, {"rollen": before}, {"rollen": sorted({*before, rol})})

    perform(eng, actor, "rol.toekennen", None, Change("gebruiker", email), write)


def revoke_role(eng: Engine, actor: Actor, email: str, rol: str) -> None:
    email, rol = normalise_email(email), parse_role(rol)

    def write(conn: Connection) -> Change:
        uid = _existing_id(conn, email)
        before = sorted(roles_of_any(conn, uid))
        conn.execute(
            delete(gebruiker_rollen).where(
                gebruiker_rollen.c.gebruiker_id == uid, gebruiker_rollen.c.rol == rol
            )
        )
        if rol == "beheerder" and _active_beheerders(conn) == 0 and not _is_demo(conn, uid):
            raise ValueError("dit is de laatste beheerder: wijs eerst een andere beheerder aan")
        if rol == "beheerder" and email == actor.email:
            # also keeps the demo mode from locking itself out of the Beheer page
            raise ValueError(
                "u kunt uw eigen beheerdersrol niet intrekken: laat een andere beheerder dat doen"
            )
        return Change("gebruiker", email, {"rollen": before}, {"rollen": [r for r in before if r != rol]})

    perform(eng, actor, "rol.intrekken", None, Change("gebruiker", email), write)


def set_active(eng: Engine, actor: Actor, email: str, actief: bool) -> None:
    email = normalise_email(email)

    def write(conn: Connection) -> Change:
        uid = _existing_id(conn, email)
        before = bool(conn.execute(select(gebruikers.c.actief).where(gebruikers.c.id == uid)).scalar())
        conn.execute(update(gebruikers).where(gebruikers.c.id == uid).values(actief=actief))
        if (
            not actief
            and "beheerder" in roles_of_any(conn, uid)
            and _active_beheerders(conn) == 0
            and not _is_demo(conn, uid)
        ):
            raise ValueError("dit is de laatste actieve beheerder: wijs eerst een andere beheerder aan")
        return Change("gebruiker", email, {"actief": before}, {"actief": actief})

    perform(eng, actor, "gebruiker.wijzigen", None, Change("gebruiker", email), write)


def roles_of_any(conn: Connection, uid: int) -> set[str]:
    return set(
        conn.execute(select(gebruiker_rollen.c.rol).where(gebruiker_rollen.c.gebruiker_id == uid)).scalars()
    )


def _is_demo(conn: Connection, uid: int) -> bool:
    return bool(conn.execute(select(gebruikers.c.demo).where(gebruikers.c.id == uid)).scalar())


def demo_email(slug: str) -> str:
    return f"{slug}@{DEMO_DOMAIN}"


def demo_roster(wijken: Sequence[tuple[str, str]]) -> list[tuple[str, str, list[str]]]:
    """The demo users: (e-mail, naam, rollen). ``wijken`` is (wijk_code, wijk_naam) of the demo gemeente."""
    roster = [
        (demo_email("beheerder"), "Demo: beheerder", ["beheerder"]),
        (demo_email("stuurgroep"), "Demo: lid van de stuurgroep", ["stuurgroep"]),
        (demo_email("regiegroep"), "Demo: lid van de regiegroep", ["regiegroep"]),
    ]
    for code, naam in wijken:
        roster.append(
            (demo_email(f"team-{code.lower()}"), f"Demo: leefbaarheidsteam {naam}", [f"team:{code}"])
        )
    for bron in BRONNEN:
        roster.append((demo_email(f"partner-{bron}"), f"Demo: gegevensbeheerder {bron}", [f"partner:{bron}"]))
    return roster


def ensure_demo_users(eng: Engine, wijken: Sequence[tuple[str, str]]) -> int:
    """Create the demo users that do not exist yet (recorded as systeem:demo). Returns how many."""
    actor = Actor(email="systeem:demo", via="demomodus", system=True)
    existing = {u.email for u in list_users(eng)}
    made = 0
    for email, naam, rollen in demo_roster(wijken):
        if email not in existing:
            try:
                add_user(eng, actor, email, naam, rollen, demo=True)
                made += 1
            except (ValueError, IntegrityError):  # another process made it a moment ago
                pass
    return made
