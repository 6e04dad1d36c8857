"""Steering records: meetings and their decisions, the partners' capacity and its distribution over the
wijken, the normering, the regiegroep's action list and the covenant's agreements.

- A **meeting** (vergadering) of the stuurgroep, the regiegroep or a wijk's team has a date, who attended
  (by role, no personal names), notes and the version of the warehouse it looked at, so that a decision can
  later be read against the figures it was based on. **Decisions** (besluiten) belong to a meeting and are
  append-only (the database refuses UPDATE and DELETE).
- **Capacity**: each partner's hours for the wijken per year (the regiegroep, or the partner itself).
- A **distribution** (verdeling) of a year's hours per partner over the wijken: the regiegroep saves
  scenarios, gives one as its advice (with its text), the stuurgroep adopts it in a meeting (a decision) or
  sends it back; twice a year (the round is the half-year). The newest adopted distribution of a year is the
  one the jaarplannen are checked against; an older adopted one becomes ``vervangen``.
- The **normering** (norm bands per indicator): proposed by the regiegroep, adopted by the stuurgroep in a
  meeting; the adopted bands replace the catalogue's in the need formula (:mod:`wijkmonitor.capacity`).
- **Actions**: what, who (partner and role), wijk, deadline, status, the meeting it came from.
- **Agreements** (afspraken): what was promised, by whom, by when or how often; checked per period. The
  monitor measures what it can itself (:func:`measure`): a partner's delivery rhythm from the warehouse's
  load history, the meeting rhythm from the meetings here, the teams' half-yearly reports on time; the rest
  is checked by the regiegroep (:func:`check_agreement`).

Every write goes through :func:`wijkmonitor.records.authz.perform` (roles read in the write's own
transaction, the write recorded in the audit trail). Conflicts with the state on screen raise ``ValueError``
with a Dutch message.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.authz import MAX_TEXT, Actor, Change, perform
from wijkmonitor.records.tables import (
    acties,
    afspraak_toetsingen,
    afspraken,
    besluiten,
    capaciteit,
    normeringen,
    verdeling_uren,
    verdelingen,
    vergaderingen,
)

PARTNERS = jp.PARTNERS
NIVEAUS: dict[str, str] = {
    "stuurgroep": "Stuurgroep",
    "regiegroep": "Regiegroep",
    "team": "Leefbaarheidsteam",
}
# Who can attend a meeting (by role): the partners, the residents and the programme's own roles.
AANWEZIG: dict[str, str] = {
    **PARTNERS,
    "bewoners": "Bewonersvertegenwoordiging",
    "programmamanager": "Programmamanager",
    "wethouder": "Wethouder",
}
# Who can own an action or an agreement: a partner, or a governance level.
EIGENAREN: dict[str, str] = {
    **PARTNERS,
    "regiegroep": "Regiegroep",
    "stuurgroep": "Stuurgroep",
    "teams": "Leefbaarheidsteams",
}
ACTIE_STATUS = ("open", "loopt", "gereed", "vervallen")
AFSPRAAK_STATUS = ("nagekomen", "niet nagekomen", "loopt")
VERDELING_STATUS: dict[str, str] = {
    "scenario": "scenario",
    "advies": "advies regiegroep",
    "vastgesteld": "vastgesteld",
    "vervangen": "vervangen",
    "afgewezen": "teruggestuurd",
}
NORM_STATUS: dict[str, str] = {
    "voorstel": "voorstel regiegroep",
    "vastgesteld": "vastgesteld",
    "vervangen": "vervangen",
    "afgewezen": "teruggestuurd",
}
# How an agreement is checked, and the parameters each kind needs.
METINGEN: dict[str, str] = {
    "handmatig": "getoetst door de regiegroep",
    "levering": "gemeten: leverritme (elke n dagen)",
    "levering_na_periode": "gemeten: levering binnen n dagen na elk halfjaar",
    "vergaderritme": "gemeten: aantal vergaderingen per jaar",
    "rapportage": "gemeten: halfjaarrapportages van de teams op tijd",
}
MAX_HOURS = 1_000_000
PERIODE_RE = re.compile(r"^20[0-9]{2}(-H[12])?$")
MAX_BANDS = 7
MAX_LABEL = 40
SETTINGS_BEHOEFTE = {
    "behoefte_gewicht_afstand": 2.0,
    "behoefte_gewicht_normering": 1.0,
    "behoefte_gewicht_niveau": 1.0,
}
SETTING_MAAT = "behoefte_maat"  # inwoners | huishoudens


# ------------------------------------------------------------------------------------------ objects


@dataclass(frozen=True)
class Decision:
    id: int
    vergadering_id: int
    soort: str  # jaarplan | verdeling | normering | overig
    onderwerp: str
    tekst: str
    aangemaakt_op: dt.datetime
    aangemaakt_door: str


@dataclass(frozen=True)
class Meeting:
    id: int
    niveau: str
    wijk_code: str | None
    datum: dt.date
    aanwezig: tuple[str, ...]
    data_versie: str
    notities: str
    aangemaakt_door: str
    besluiten: tuple[Decision, ...] = ()

    @property
    def label(self) -> str:
        wie = NIVEAUS[self.niveau] + (f" {self.wijk_code}" if self.wijk_code else "")
        return f"{wie}, {format_date(self.datum)}"


@dataclass(frozen=True)
class Distribution:
    id: int
    jaar: int
    halfjaar: int
    naam: str
    status: str
    advies: str
    uren: dict[tuple[str, str], int]  # (partner, wijk) -> hours
    behoefte: dict[str, float]
    gewichten: dict[str, Any]
    data_versie: str
    aangemaakt_op: dt.datetime
    aangemaakt_door: str
    gewijzigd_op: dt.datetime
    besluit: Decision | None = None

    @property
    def status_label(self) -> str:
        return VERDELING_STATUS[self.status]

    def per_wijk(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (_, wijk), uren in self.uren.items():
            out[wijk] = out.get(wijk, 0) + uren
        return out

    def per_partner(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (partner, _), uren in self.uren.items():
            out[partner] = out.get(partner, 0) + uren
        return out


@dataclass(frozen=True)
class Norm:
    id: int
    indicator: str
    banden: tuple[tuple[float, str], ...]
    status: str
    toelichting: str
    aangemaakt_op: dt.datetime
    aangemaakt_door: str
    besluit: Decision | None = None


@dataclass(frozen=True)
class Action:
    """One action of the list (also the input of a save: ``id`` None creates one)."""

    omschrijving: str
    partner: str
    rol: str = ""
    wijk_code: str | None = None
    deadline: dt.date | None = None
    status: str = "open"
    toelichting: str = ""
    vergadering_id: int | None = None
    id: int | None = None
    gewijzigd_op: dt.datetime | None = None

    def te_laat(self, vandaag: dt.date) -> bool:
        """Overdue: past its deadline and not done or dropped."""
        return self.deadline is not None and self.deadline < vandaag and self.status in ("open", "loopt")


@dataclass(frozen=True)
class Agreement:
    """An agreement (also the input of a save: ``id`` None creates one)."""

    omschrijving: str
    partner: str
    termijn: str = ""
    meting: str = "handmatig"
    parameters: dict[str, Any] = field(default_factory=dict)
    actief: bool = True
    vergadering_id: int | None = None
    id: int | None = None
    # the Dutch date it was recorded (read only; not part of equality): periods before it are not judged
    sinds: dt.date | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Result:
    """An agreement's outcome in one period: measured from the data or checked by the regiegroep."""

    afspraak_id: int
    periode: str  # 2025-H1, or 2025 for a yearly rhythm
    status: str  # nagekomen | niet nagekomen | loopt
    toelichting: str
    gemeten: bool
    getoetst_door: str | None = None


# ------------------------------------------------------------------------------------------ helpers


_text = jp._text  # one rule for text fields: trimmed, length-limited, required where it must be


def _loads(text: str | None, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def format_date(d: dt.date) -> str:
    """15 september 2025."""
    return f"{d.day} {jp.MONTHS[d.month - 1]} {d.year}"


def period_label(jaar: int, halfjaar: int) -> str:
    return f"{jaar}-H{halfjaar}"


def _hours(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what}: geen aantal uren")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: {str(value)[:20]!r} is geen aantal uren") from None
    if not math.isfinite(x) or x < 0 or x != int(x) or x > MAX_HOURS:
        raise ValueError(f"{what}: uren zijn een heel aantal van 0 tot {MAX_HOURS:,}".replace(",", "."))
    return int(x)


def _partner(partner: str, allowed: Mapping[str, str] = PARTNERS) -> str:
    if partner not in allowed:
        raise ValueError(f"onbekende partner {str(partner)[:40]!r} (kies uit {', '.join(allowed)})")
    return partner


# ------------------------------------------------------------------------------------------ meetings


def meeting_target(niveau: str, wijk: str | None) -> str:
    """The authorisation target of a meeting: its level, or the team's wijk."""
    if niveau not in NIVEAUS:
        raise ValueError(f"onbekend niveau {str(niveau)[:20]!r}")
    if niveau == "team":
        if not wijk:
            raise ValueError("Een teamoverleg hoort bij een wijk.")
        return jp._check_wijk(wijk)
    return niveau


def _decisions(conn: Connection, where: list) -> list[Decision]:
    rows = conn.execute(select(besluiten).where(*where).order_by(besluiten.c.id)).mappings()
    return [
        Decision(
            r["id"],
            r["vergadering_id"],
            r["soort"],
            r["onderwerp"],
            r["tekst"],
            jp._aware(r["aangemaakt_op"]),
            r["aangemaakt_door"],
        )
        for r in rows
    ]


def record_meeting(
    eng: Engine,
    actor: Actor,
    niveau: str,
    datum: dt.date,
    wijk: str | None = None,
    aanwezig: Sequence[str] = (),
    data_versie: str = "",
    notities: str = "",
    nu: dt.datetime | None = None,
) -> int:
    """Record a meeting; returns its id. A stuurgroep meeting is recorded by the stuurgroep or the
    regiegroep (its secretary), a regiegroep meeting by the regiegroep, a team meeting by its team."""
    target = meeting_target(niveau, wijk)
    if not isinstance(datum, dt.date):
        raise ValueError("De datum van de vergadering is verplicht.")
    onbekend = [a for a in aanwezig if a not in AANWEZIG]
    if onbekend:
        raise ValueError(f"onbekende rol(len) bij 'aanwezig': {', '.join(map(str, onbekend))[:80]}")
    values = {
        "niveau": niveau,
        "wijk_code": wijk if niveau == "team" else None,
        "datum": datum,
        "aanwezig": _dumps(sorted(set(aanwezig))),
        "data_versie": _text(data_versie, "De gegevensversie", 200),
        "notities": _text(notities, "De notities"),
        "aangemaakt_op": jp._now(actor, nu),
        "aangemaakt_door": actor.email,
    }
    new_id: list[int] = []

    def write(conn: Connection) -> Change:
        new_id.append(conn.execute(insert(vergaderingen).values(**values)).inserted_primary_key[0])
        return Change("vergadering", str(new_id[0]), nieuw={k: str(v) for k, v in values.items()})

    perform(eng, actor, "vergadering.vastleggen", target, Change("vergadering", "", nieuw=niveau), write)
    return new_id[0]


def _meeting(conn: Connection, vergadering_id: int) -> Meeting | None:
    meetings = _meetings(conn, [vergaderingen.c.id == vergadering_id])
    return meetings[0] if meetings else None


def _meetings(conn: Connection, where: list) -> list[Meeting]:
    rows = conn.execute(
        select(vergaderingen).where(*where).order_by(vergaderingen.c.datum.desc(), vergaderingen.c.id.desc())
    ).mappings()
    meetings = list(rows)
    ids = [r["id"] for r in meetings]
    per: dict[int, list[Decision]] = {}
    if ids:
        for d in _decisions(conn, [besluiten.c.vergadering_id.in_(ids)]):
            per.setdefault(d.vergadering_id, []).append(d)
    return [
        Meeting(
            r["id"],
            r["niveau"],
            r["wijk_code"],
            jp._date(r["datum"]),
            tuple(_loads(r["aanwezig"], [])),
            r["data_versie"],
            r["notities"],
            r["aangemaakt_door"],
            tuple(per.get(r["id"], [])),
        )
        for r in meetings
    ]


def list_meetings(
    eng: Engine, niveau: str | None = None, wijk: str | None = None, vanaf: dt.date | None = None
) -> list[Meeting]:
    """Meetings, newest first (with their decisions)."""
    where = []
    if niveau:
        where.append(vergaderingen.c.niveau == niveau)
    if wijk:
        where.append(vergaderingen.c.wijk_code == wijk)
    if vanaf:
        where.append(vergaderingen.c.datum >= vanaf)
    with eng.connect() as conn:
        return _meetings(conn, where)


def get_meeting(eng: Engine, vergadering_id: int) -> Meeting | None:
    with eng.connect() as conn:
        return _meeting(conn, vergadering_id)


def _stuurgroep_meeting(conn: Connection, vergadering_id: int) -> Meeting:
    meeting = _meeting(conn, vergadering_id)
    if meeting is None or meeting.niveau != "stuurgroep":
        raise ValueError("Kies een vergadering van de stuurgroep (leg haar zo nodig eerst vast).")
    return meeting


def _insert_decision(
    conn: Connection,
    vergadering_id: int,
    soort: str,
    onderwerp: str,
    tekst: str,
    when: dt.datetime,
    door: str,
) -> int:
    return conn.execute(
        insert(besluiten).values(
            vergadering_id=vergadering_id,
            soort=soort,
            onderwerp=onderwerp[:200],
            tekst=tekst,
            aangemaakt_op=when,
            aangemaakt_door=door,
        )
    ).inserted_primary_key[0]


def decide(
    eng: Engine,
    actor: Actor,
    vergadering_id: int,
    onderwerp: str,
    tekst: str = "",
    nu: dt.datetime | None = None,
) -> int:
    """Record another decision of a meeting (soort ``overig``); allowed to the meeting's own level."""
    onderwerp = _text(onderwerp, "Het onderwerp", 200, required=True)
    tekst = _text(tekst, "De toelichting")
    meeting = get_meeting(eng, vergadering_id)
    if meeting is None:
        raise ValueError("Deze vergadering bestaat niet (meer).")
    target = meeting_target(meeting.niveau, meeting.wijk_code)
    when = jp._now(actor, nu)
    new_id: list[int] = []

    def write(conn: Connection) -> Change:
        new_id.append(_insert_decision(conn, vergadering_id, "overig", onderwerp, tekst, when, actor.email))
        return Change(
            "besluit", str(new_id[0]), nieuw={"vergadering": vergadering_id, "onderwerp": onderwerp}
        )

    perform(eng, actor, "besluit.nemen", target, Change("besluit", "", nieuw=onderwerp), write)
    return new_id[0]


def adopt_plan(
    eng: Engine, actor: Actor, wijk: str, jaar: int, vergadering_id: int, nu: dt.datetime | None = None
) -> None:
    """The stuurgroep adopts a jaarplan (from ``advies``) in a recorded stuurgroep meeting: the workflow step
    and the decision in one transaction; the meeting's date is the plan's adoption date."""

    def besluit(conn: Connection, when: dt.datetime) -> dt.date:
        meeting = _stuurgroep_meeting(conn, vergadering_id)
        _insert_decision(
            conn,
            vergadering_id,
            "jaarplan",
            f"{wijk}/{jaar}",
            f"Jaarplan {jaar} vastgesteld",
            when,
            actor.email,
        )
        return meeting.datum

    jp.transition(eng, actor, wijk, jaar, "advies", "vastgesteld", nu=nu, besluit=besluit)


# ------------------------------------------------------------------------------------------ capacity


def set_capacity(
    eng: Engine, actor: Actor, partner: str, jaar: int, uren: Any, nu: dt.datetime | None = None
) -> None:
    """A partner's hours for the wijken in a year; the regiegroep or the partner itself."""
    _partner(partner)
    jp._check_year(jaar)
    hours = _hours(uren, f"Capaciteit {PARTNERS[partner]}")
    when = jp._now(actor, nu)

    def write(conn: Connection) -> Change:
        key = (capaciteit.c.partner == partner) & (capaciteit.c.jaar == jaar)
        old = conn.execute(select(capaciteit.c.uren).where(key)).scalar()
        if old is None:
            conn.execute(
                insert(capaciteit).values(
                    partner=partner, jaar=jaar, uren=hours, gewijzigd_op=when, gewijzigd_door=actor.email
                )
            )
        else:
            conn.execute(
                update(capaciteit)
                .where(key)
                .values(uren=hours, gewijzigd_op=when, gewijzigd_door=actor.email)
            )
        return Change("capaciteit", f"{partner}/{jaar}", oud=old, nieuw=hours)

    perform(
        eng,
        actor,
        "capaciteit.schrijven",
        partner,
        Change("capaciteit", f"{partner}/{jaar}", nieuw=hours),
        write,
    )


def capacities(eng: Engine, jaar: int) -> dict[str, int]:
    """Partner -> hours for the wijken in ``jaar`` (partners without an entry are absent)."""
    with eng.connect() as conn:
        rows = conn.execute(select(capaciteit.c.partner, capaciteit.c.uren).where(capaciteit.c.jaar == jaar))
        return {p: int(u) for p, u in rows}


def capacity_years(eng: Engine) -> list[int]:
    with eng.connect() as conn:
        return [
            int(y) for (y,) in conn.execute(select(capaciteit.c.jaar).distinct().order_by(capaciteit.c.jaar))
        ]


# ------------------------------------------------------------------------------------------ distributions


def _distributions(conn: Connection, where: list) -> list[Distribution]:
    rows = list(
        conn.execute(
            select(verdelingen)
            .where(*where)
            .order_by(verdelingen.c.jaar, verdelingen.c.halfjaar, verdelingen.c.id)
        ).mappings()
    )
    ids = [r["id"] for r in rows]
    hours: dict[int, dict[tuple[str, str], int]] = {i: {} for i in ids}
    decisions: dict[int, Decision] = {}
    if ids:
        for vid, partner, wijk, uren in conn.execute(
            select(
                verdeling_uren.c.verdeling_id,
                verdeling_uren.c.partner,
                verdeling_uren.c.wijk_code,
                verdeling_uren.c.uren,
            ).where(verdeling_uren.c.verdeling_id.in_(ids))
        ):
            hours[vid][(partner, wijk)] = int(uren)
        besluit_ids = [r["besluit_id"] for r in rows if r["besluit_id"] is not None]
        if besluit_ids:
            decisions = {d.id: d for d in _decisions(conn, [besluiten.c.id.in_(besluit_ids)])}
    return [
        Distribution(
            r["id"],
            int(r["jaar"]),
            int(r["halfjaar"]),
            r["naam"],
            r["status"],
            r["advies"],
            hours[r["id"]],
            {k: float(v) for k, v in _loads(r["behoefte"], {}).items()},
            _loads(r["gewichten"], {}),
            r["data_versie"],
            jp._aware(r["aangemaakt_op"]),
            r["aangemaakt_door"],
            jp._aware(r["gewijzigd_op"]),
            decisions.get(r["besluit_id"]),
        )
        for r in rows
    ]


def list_distributions(eng: Engine, jaar: int | None = None) -> list[Distribution]:
    with eng.connect() as conn:
        return _distributions(conn, [verdelingen.c.jaar == jaar] if jaar is not None else [])


def get_distribution(eng: Engine, verdeling_id: int) -> Distribution | None:
    with eng.connect() as conn:
        found = _distributions(conn, [verdelingen.c.id == verdeling_id])
    return found[0] if found else None


def adopted_distribution(eng: Engine, jaar: int) -> Distribution | None:
    """The distribution of ``jaar`` in force: the newest adopted one (the jaarplannen are checked against it)."""
    with eng.connect() as conn:
        found = _distributions(conn, [verdelingen.c.jaar == jaar, verdelingen.c.status == "vastgesteld"])
    return found[-1] if found else None


def _check_hours(
    conn: Connection, jaar: int, uren: Mapping[tuple[str, str], Any]
) -> dict[tuple[str, str], int]:
    clean: dict[tuple[str, str], int] = {}
    for (partner, wijk), value in uren.items():
        _partner(partner)
        jp._check_wijk(wijk)
        clean[(partner, wijk)] = _hours(value, f"{PARTNERS[partner]} in {wijk}")
    available = dict(
        conn.execute(select(capaciteit.c.partner, capaciteit.c.uren).where(capaciteit.c.jaar == jaar)).all()
    )
    totals: dict[str, int] = {}
    for (partner, _), value in clean.items():
        totals[partner] = totals.get(partner, 0) + value
    problems = []
    for partner, total in sorted(totals.items()):
        if partner not in available:
            if total:
                problems.append(f"{PARTNERS[partner]}: geen capaciteit voor {jaar} ingevuld")
        elif total != int(available[partner]):
            problems.append(
                f"{PARTNERS[partner]}: {total} uur verdeeld, maar de capaciteit {jaar} is {int(available[partner])} uur"
            )
    for partner, total in sorted(available.items()):
        if partner not in totals and int(total):
            problems.append(f"{PARTNERS.get(partner, partner)}: {int(total)} uur capaciteit, niets verdeeld")
    if problems:
        raise ValueError(
            "Een verdeling verdeelt precies de capaciteit van elke partner: " + "; ".join(problems) + "."
        )
    return clean


def save_scenario(
    eng: Engine,
    actor: Actor,
    jaar: int,
    halfjaar: int,
    naam: str,
    uren: Mapping[tuple[str, str], Any],
    behoefte: Mapping[str, float],
    gewichten: Mapping[str, Any] | None = None,
    data_versie: str = "",
    verdeling_id: int | None = None,
    gezien_op: dt.datetime | None = None,
    nu: dt.datetime | None = None,
) -> int:
    """Save a scenario (new, or over an existing scenario ``verdeling_id``; ``gezien_op`` is the version the
    page showed: a scenario changed meanwhile is refused). Every partner's hours add up to its capacity."""
    jp._check_year(jaar)
    if halfjaar not in (1, 2):
        raise ValueError("halfjaar is 1 of 2")
    naam = _text(naam, "De naam van het scenario", 200, required=True)
    need = {
        jp._check_wijk(w): float(v) for w, v in behoefte.items() if v is not None and math.isfinite(float(v))
    }
    when = jp._now(actor, nu)
    new_id: list[int] = []

    def write(conn: Connection) -> Change:
        clean = _check_hours(conn, jaar, uren)
        values = {
            "naam": naam,
            "behoefte": _dumps(need),
            "gewichten": _dumps(dict(gewichten or {})),
            "data_versie": _text(data_versie, "De gegevensversie", 200),
            "gewijzigd_op": when,
        }
        old = None
        if verdeling_id is None:
            vid = conn.execute(
                insert(verdelingen).values(
                    jaar=jaar,
                    halfjaar=halfjaar,
                    status="scenario",
                    aangemaakt_op=when,
                    aangemaakt_door=actor.email,
                    **values,
                )
            ).inserted_primary_key[0]
        else:
            row = conn.execute(select(verdelingen).where(verdelingen.c.id == verdeling_id)).mappings().first()
            if row is None or row["status"] != "scenario":
                raise ValueError("Alleen een scenario kan nog worden gewijzigd; dit is het niet (meer).")
            if (row["jaar"], row["halfjaar"]) != (jaar, halfjaar):
                raise ValueError("Een scenario blijft bij zijn jaar en ronde; sla het op als nieuw scenario.")
            if gezien_op is not None and jp._aware(row["gewijzigd_op"]) != jp._aware(gezien_op):
                raise ValueError(
                    "Iemand anders heeft dit scenario intussen gewijzigd; laad de pagina opnieuw."
                )
            vid = verdeling_id
            old = {
                f"{p}/{w}": u
                for p, w, u in conn.execute(
                    select(verdeling_uren.c.partner, verdeling_uren.c.wijk_code, verdeling_uren.c.uren).where(
                        verdeling_uren.c.verdeling_id == vid
                    )
                )
            }
            conn.execute(update(verdelingen).where(verdelingen.c.id == vid).values(**values))
            conn.execute(verdeling_uren.delete().where(verdeling_uren.c.verdeling_id == vid))
        if clean:
            conn.execute(
                insert(verdeling_uren),
                [
                    {"verdeling_id": vid, "partner": p, "wijk_code": w, "uren": u}
                    for (p, w), u in sorted(clean.items())
                ],
            )
        new_id.append(vid)
        return Change(
            "verdeling",
            str(vid),
            oud=old,
            nieuw={
                "naam": naam,
                "jaar": jaar,
                "halfjaar": halfjaar,
                "uren": {f"{p}/{w}": u for (p, w), u in clean.items()},
            },
        )

    perform(
        eng, actor, "verdeling.opslaan", None, Change("verdeling", str(verdeling_id or ""), nieuw=naam), write
    )
    return new_id[0]


def _step(
    eng: Engine,
    actor: Actor,
    action: str,
    verdeling_id: int,
    van: str,
    naar: str,
    write_more: Any = None,
    values: Mapping[str, Any] | None = None,
    nu: dt.datetime | None = None,
) -> None:
    when = jp._now(actor, nu)

    def write(conn: Connection) -> Change:
        # Lock the year's distributions first, in one order (PostgreSQL; SQLite writes one at a time anyway):
        # two adoptions at once then run one after the other, and the second sees the first's result.
        jaar = conn.execute(select(verdelingen.c.jaar).where(verdelingen.c.id == verdeling_id)).scalar()
        if jaar is not None:
            conn.execute(
                select(verdelingen.c.id)
                .where(verdelingen.c.jaar == jaar)
                .order_by(verdelingen.c.id)
                .with_for_update()
            ).all()
        row = conn.execute(select(verdelingen).where(verdelingen.c.id == verdeling_id)).mappings().first()
        if row is None:
            raise ValueError("Deze verdeling bestaat niet (meer).")
        if row["status"] != van:
            raise ValueError(
                f"De verdeling is intussen '{VERDELING_STATUS[row['status']]}' (niet meer "
                f"'{VERDELING_STATUS[van]}'); laad de pagina opnieuw."
            )
        extra = dict(values or {})
        if write_more is not None:
            extra.update(write_more(conn, row, when))
        conn.execute(
            update(verdelingen)
            .where(verdelingen.c.id == verdeling_id)
            .values(status=naar, gewijzigd_op=when, **extra)
        )
        return Change(
            "verdeling",
            str(verdeling_id),
            oud={"status": van},
            nieuw={"status": naar, **{k: str(v) for k, v in extra.items()}},
        )

    perform(eng, actor, action, None, Change("verdeling", str(verdeling_id), nieuw={"status": naar}), write)


def advise_distribution(
    eng: Engine, actor: Actor, verdeling_id: int, advies: str, nu: dt.datetime | None = None
) -> None:
    """The regiegroep gives a scenario as its advice to the stuurgroep (with the advice's text)."""
    text = _text(advies, "Het advies", required=True)
    _step(
        eng, actor, "verdeling.adviseren", verdeling_id, "scenario", "advies", values={"advies": text}, nu=nu
    )


def adopt_distribution(
    eng: Engine,
    actor: Actor,
    verdeling_id: int,
    vergadering_id: int,
    tekst: str = "",
    nu: dt.datetime | None = None,
) -> None:
    """The stuurgroep adopts an advised distribution in a recorded stuurgroep meeting (a decision); the
    distribution of the same year adopted before becomes ``vervangen``."""
    tekst = _text(tekst, "De toelichting")

    def more(conn: Connection, row: Mapping[str, Any], when: dt.datetime) -> dict[str, Any]:
        meeting = _stuurgroep_meeting(conn, vergadering_id)
        stored = {
            (p, w): u
            for p, w, u in conn.execute(
                select(verdeling_uren.c.partner, verdeling_uren.c.wijk_code, verdeling_uren.c.uren).where(
                    verdeling_uren.c.verdeling_id == row["id"]
                )
            )
        }
        try:
            _check_hours(conn, row["jaar"], stored)
        except ValueError as exc:
            raise ValueError(f"De capaciteit is sinds het advies gewijzigd. {exc}") from None
        conn.execute(
            update(verdelingen)
            .where(verdelingen.c.jaar == row["jaar"], verdelingen.c.status == "vastgesteld")
            .values(status="vervangen", gewijzigd_op=when)
        )
        besluit_id = _insert_decision(
            conn,
            vergadering_id,
            "verdeling",
            f"verdeling {row['jaar']} ({period_label(row['jaar'], row['halfjaar'])}): {row['naam']}",
            tekst or f"Verdeling van de capaciteit {row['jaar']} vastgesteld op {format_date(meeting.datum)}",
            when,
            actor.email,
        )
        return {"besluit_id": besluit_id}

    _step(eng, actor, "verdeling.vaststellen", verdeling_id, "advies", "vastgesteld", write_more=more, nu=nu)


def reject_distribution(
    eng: Engine, actor: Actor, verdeling_id: int, reden: str, nu: dt.datetime | None = None
) -> None:
    """The stuurgroep sends an advice back (with its reason, kept with the advice)."""
    text = _text(reden, "De reden", required=True)

    def more(conn: Connection, row: Mapping[str, Any], when: dt.datetime) -> dict[str, Any]:
        return {"advies": f"{row['advies']}\n\nTeruggestuurd door de stuurgroep: {text}"[: MAX_TEXT * 2]}

    _step(eng, actor, "verdeling.vaststellen", verdeling_id, "advies", "afgewezen", write_more=more, nu=nu)


# ------------------------------------------------------------------------------------------ normering


def bands_problems(banden: Sequence[tuple[Any, Any]]) -> list[str]:
    """What is wrong with a list of norm bands (ondergrens, label), ascending; empty when it is fine."""
    problems = []
    if not 2 <= len(banden) <= MAX_BANDS:
        problems.append(f"een normering heeft 2 tot {MAX_BANDS} banden")
    previous = None
    for i, (grens, label) in enumerate(banden, start=1):
        try:
            x = float(grens)
        except (TypeError, ValueError):
            problems.append(f"band {i}: de ondergrens is geen getal")
            continue
        if not math.isfinite(x):
            problems.append(f"band {i}: de ondergrens is geen getal")
            continue
        if previous is not None and x <= previous:
            problems.append(f"band {i}: de ondergrens moet hoger zijn dan die van band {i - 1}")
        previous = x
        text = str(label or "").strip()
        if not text or len(text) > MAX_LABEL:
            problems.append(f"band {i}: een naam van 1 tot {MAX_LABEL} tekens")
    return problems


def _norms(conn: Connection, where: list) -> list[Norm]:
    rows = list(
        conn.execute(
            select(normeringen).where(*where).order_by(normeringen.c.indicator, normeringen.c.id)
        ).mappings()
    )
    besluit_ids = [r["besluit_id"] for r in rows if r["besluit_id"] is not None]
    decisions = {d.id: d for d in _decisions(conn, [besluiten.c.id.in_(besluit_ids)])} if besluit_ids else {}
    return [
        Norm(
            r["id"],
            r["indicator"],
            tuple((float(g), str(label)) for g, label in _loads(r["banden"], [])),
            r["status"],
            r["toelichting"],
            jp._aware(r["aangemaakt_op"]),
            r["aangemaakt_door"],
            decisions.get(r["besluit_id"]),
        )
        for r in rows
    ]


def list_norms(eng: Engine, indicator: str | None = None) -> list[Norm]:
    with eng.connect() as conn:
        return _norms(conn, [normeringen.c.indicator == indicator] if indicator else [])


def adopted_norms(eng: Engine) -> dict[str, tuple[tuple[float, str], ...]]:
    """Indicator -> its adopted bands (the newest adopted per indicator)."""
    out: dict[str, tuple[tuple[float, str], ...]] = {}
    for norm in list_norms(eng):
        if norm.status == "vastgesteld":
            out[norm.indicator] = norm.banden
    return out


def propose_norm(
    eng: Engine,
    actor: Actor,
    indicator: str,
    banden: Sequence[tuple[Any, Any]],
    toelichting: str = "",
    bekende_indicatoren: Sequence[str] | None = None,
    nu: dt.datetime | None = None,
) -> int:
    """The regiegroep proposes norm bands for an indicator (the catalogue's codes, checked by the caller's
    ``bekende_indicatoren`` when given)."""
    indicator = _text(indicator, "De indicator", 80, required=True)
    if bekende_indicatoren is not None and indicator not in bekende_indicatoren:
        raise ValueError(f"onbekende indicator {indicator[:80]!r}")
    problems = bands_problems(banden)
    if problems:
        raise ValueError("De normering klopt niet: " + "; ".join(problems) + ".")
    clean = [[float(g), str(label).strip()] for g, label in banden]
    toelichting = _text(toelichting, "De toelichting")
    when = jp._now(actor, nu)
    new_id: list[int] = []

    def write(conn: Connection) -> Change:
        new_id.append(
            conn.execute(
                insert(normeringen).values(
                    indicator=indicator,
                    banden=_dumps(clean),
                    status="voorstel",
                    toelichting=toelichting,
                    aangemaakt_op=when,
                    aangemaakt_door=actor.email,
                )
            ).inserted_primary_key[0]
        )
        return Change(
            "normering", f"{indicator}/{new_id[0]}", nieuw={"banden": clean, "toelichting": toelichting}
        )

    perform(eng, actor, "normering.voorstellen", None, Change("normering", indicator, nieuw=clean), write)
    return new_id[0]


def _norm_step(
    eng: Engine,
    actor: Actor,
    norm_id: int,
    naar: str,
    vergadering_id: int | None,
    tekst: str,
    nu: dt.datetime | None,
) -> None:
    when = jp._now(actor, nu)

    def write(conn: Connection) -> Change:
        row = conn.execute(select(normeringen).where(normeringen.c.id == norm_id)).mappings().first()
        if row is None or row["status"] != "voorstel":
            raise ValueError(
                "Dit voorstel voor een normering is intussen al behandeld; laad de pagina opnieuw."
            )
        values: dict[str, Any] = {"status": naar}
        if naar == "vastgesteld":
            meeting = _stuurgroep_meeting(conn, vergadering_id)  # type: ignore[arg-type]
            conn.execute(
                update(normeringen)
                .where(normeringen.c.indicator == row["indicator"], normeringen.c.status == "vastgesteld")
                .values(status="vervangen")
            )
            values["besluit_id"] = _insert_decision(
                conn,
                meeting.id,
                "normering",
                f"normering {row['indicator']}",
                tekst or "Normering vastgesteld",
                when,
                actor.email,
            )
        else:
            values["toelichting"] = (
                f"{row['toelichting']}\n\nTeruggestuurd door de stuurgroep: {tekst}".strip()
            )
        conn.execute(update(normeringen).where(normeringen.c.id == norm_id).values(**values))
        return Change(
            "normering", f"{row['indicator']}/{norm_id}", oud={"status": "voorstel"}, nieuw={"status": naar}
        )

    perform(
        eng,
        actor,
        "normering.vaststellen",
        None,
        Change("normering", str(norm_id), nieuw={"status": naar}),
        write,
    )


def adopt_norm(
    eng: Engine,
    actor: Actor,
    norm_id: int,
    vergadering_id: int,
    tekst: str = "",
    nu: dt.datetime | None = None,
) -> None:
    """The stuurgroep adopts a proposed normering in a recorded meeting; the one adopted before is replaced."""
    _norm_step(eng, actor, norm_id, "vastgesteld", vergadering_id, _text(tekst, "De toelichting"), nu)


def reject_norm(eng: Engine, actor: Actor, norm_id: int, reden: str, nu: dt.datetime | None = None) -> None:
    _norm_step(eng, actor, norm_id, "afgewezen", None, _text(reden, "De reden", required=True), nu)


# ------------------------------------------------------------------------------------------ actions


def _actions(conn: Connection, where: list) -> list[Action]:
    rows = conn.execute(
        select(acties).where(*where).order_by(acties.c.deadline.is_(None), acties.c.deadline, acties.c.id)
    )
    return [
        Action(
            r.omschrijving,
            r.partner,
            r.rol,
            r.wijk_code,
            jp._date(r.deadline),
            r.status,
            r.toelichting,
            r.vergadering_id,
            r.id,
            jp._aware(r.gewijzigd_op),
        )
        for r in rows
    ]


def list_actions(eng: Engine, wijk: str | None = None, open_only: bool = False) -> list[Action]:
    """The action list (by deadline); ``wijk``: that wijk's actions and those without a wijk."""
    where = []
    if wijk:
        where.append((acties.c.wijk_code == wijk) | acties.c.wijk_code.is_(None))
    if open_only:
        where.append(acties.c.status.in_(("open", "loopt")))
    with eng.connect() as conn:
        return _actions(conn, where)


def action_problems(a: Action) -> list[str]:
    problems = []
    if not (a.omschrijving or "").strip():
        problems.append("de actie is verplicht")
    elif len(a.omschrijving) > MAX_TEXT:
        problems.append("de actie is te lang")
    if a.partner not in EIGENAREN:
        problems.append(f"onbekende eigenaar {str(a.partner)[:40]!r}")
    if len(a.rol or "") > 100:
        problems.append("de rol is te lang (hooguit 100 tekens)")
    if a.status not in ACTIE_STATUS:
        problems.append(f"onbekende status {str(a.status)[:20]!r}")
    if a.wijk_code is not None and not jp.WIJK_RE.fullmatch(str(a.wijk_code)):
        problems.append("onbekende wijkcode")
    if a.deadline is not None and not isinstance(a.deadline, dt.date):
        problems.append("de deadline is geen datum")
    if len(a.toelichting or "") > MAX_TEXT:
        problems.append("de toelichting is te lang")
    return problems


def save_action(eng: Engine, actor: Actor, action: Action, nu: dt.datetime | None = None) -> int:
    """Create (``id`` None) or change an action: the regiegroep or the stuurgroep. ``gewijzigd_op`` of a
    change is the version the page showed: an action changed meanwhile is refused."""
    problems = action_problems(action)
    if problems:
        raise ValueError("De actie klopt niet: " + "; ".join(problems) + ".")
    when = jp._now(actor, nu)
    values = {
        "omschrijving": action.omschrijving.strip(),
        "partner": action.partner,
        "rol": (action.rol or "").strip(),
        "wijk_code": action.wijk_code or None,
        "deadline": action.deadline,
        "status": action.status,
        "toelichting": (action.toelichting or "").strip(),
        "vergadering_id": action.vergadering_id,
        "gewijzigd_op": when,
    }
    new_id: list[int] = []

    def write(conn: Connection) -> Change:
        if action.vergadering_id is not None and _meeting(conn, action.vergadering_id) is None:
            raise ValueError("De vergadering van deze actie bestaat niet.")
        if action.id is None:
            new_id.append(
                conn.execute(
                    insert(acties).values(aangemaakt_op=when, aangemaakt_door=actor.email, **values)
                ).inserted_primary_key[0]
            )
            return Change("actie", str(new_id[0]), nieuw={k: str(v) for k, v in values.items()})
        old = _actions(conn, [acties.c.id == action.id])
        if not old:
            raise ValueError("Deze actie bestaat niet (meer).")
        if action.gewijzigd_op is not None and old[0].gewijzigd_op != jp._aware(action.gewijzigd_op):
            raise ValueError("Iemand anders heeft deze actie intussen gewijzigd; laad de pagina opnieuw.")
        conn.execute(update(acties).where(acties.c.id == action.id).values(**values))
        new_id.append(action.id)
        before = old[0]
        return Change(
            "actie",
            str(action.id),
            oud={
                "status": before.status,
                "deadline": str(before.deadline),
                "omschrijving": before.omschrijving,
            },
            nieuw={k: str(v) for k, v in values.items()},
        )

    perform(
        eng,
        actor,
        "actie.schrijven",
        action.wijk_code,
        Change("actie", str(action.id or ""), nieuw=action.omschrijving[:200]),
        write,
    )
    return new_id[0]


def overdue(actions: Sequence[Action], vandaag: dt.date) -> list[Action]:
    return [a for a in actions if a.te_laat(vandaag)]


# ------------------------------------------------------------------------------------------ agreements


def agreement_problems(a: Agreement) -> list[str]:
    problems = []
    if not (a.omschrijving or "").strip():
        problems.append("wat is afgesproken is verplicht")
    elif len(a.omschrijving) > MAX_TEXT:
        problems.append("de afspraak is te lang")
    if a.partner not in EIGENAREN:
        problems.append(f"onbekende partij {str(a.partner)[:40]!r}")
    if len(a.termijn or "") > 200:
        problems.append("de termijn is te lang (hooguit 200 tekens)")
    if a.meting not in METINGEN:
        problems.append(f"onbekende meting {str(a.meting)[:30]!r}")
        return problems
    p = a.parameters or {}

    def whole(key: str, lo: int, hi: int) -> None:
        v = p.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            problems.append(f"{key} is een heel getal van {lo} tot {hi}")

    if a.meting in ("levering", "levering_na_periode"):
        if not isinstance(p.get("bron"), str) or not p["bron"].replace("_", "").isalnum():
            problems.append("een gemeten levering noemt de bron")
        whole("elke_dagen" if a.meting == "levering" else "binnen_dagen", 1, 366)
    elif a.meting == "vergaderritme":
        if p.get("niveau") not in ("stuurgroep", "regiegroep"):
            problems.append("het vergaderritme geldt de stuurgroep of de regiegroep")
        whole("per_jaar", 1, 52)
    return problems


def save_agreement(eng: Engine, actor: Actor, agreement: Agreement, nu: dt.datetime | None = None) -> int:
    """Create (``id`` None) or change an agreement: the regiegroep or the stuurgroep."""
    problems = agreement_problems(agreement)
    if problems:
        raise ValueError("De afspraak klopt niet: " + "; ".join(problems) + ".")
    values = {
        "omschrijving": agreement.omschrijving.strip(),
        "partner": agreement.partner,
        "termijn": (agreement.termijn or "").strip(),
        "meting": agreement.meting,
        "parameters": _dumps(agreement.parameters or {}),
        "actief": bool(agreement.actief),
        "vergadering_id": agreement.vergadering_id,
    }
    when = jp._now(actor, nu)
    new_id: list[int] = []

    def write(conn: Connection) -> Change:
        if agreement.id is None:
            new_id.append(
                conn.execute(
                    insert(afspraken).values(aangemaakt_op=when, aangemaakt_door=actor.email, **values)
                ).inserted_primary_key[0]
            )
            return Change("afspraak", str(new_id[0]), nieuw=values)
        old = conn.execute(select(afspraken).where(afspraken.c.id == agreement.id)).mappings().first()
        if old is None:
            raise ValueError("Deze afspraak bestaat niet (meer).")
        conn.execute(update(afspraken).where(afspraken.c.id == agreement.id).values(**values))
        new_id.append(agreement.id)
        return Change("afspraak", str(agreement.id), oud={k: old[k] for k in values}, nieuw=values)

    perform(
        eng,
        actor,
        "afspraak.schrijven",
        None,
        Change("afspraak", str(agreement.id or ""), nieuw=values["omschrijving"][:200]),
        write,
    )
    return new_id[0]


def list_agreements(eng: Engine, ook_inactief: bool = False) -> list[Agreement]:
    q = select(afspraken).order_by(afspraken.c.id)
    if not ook_inactief:
        q = q.where(afspraken.c.actief.is_(True))
    with eng.connect() as conn:
        return [
            Agreement(
                r.omschrijving,
                r.partner,
                r.termijn,
                r.meting,
                _loads(r.parameters, {}),
                bool(r.actief),
                r.vergadering_id,
                r.id,
                jp.local_date(jp._aware(r.aangemaakt_op)),
            )
            for r in conn.execute(q)
        ]


def check_agreement(
    eng: Engine,
    actor: Actor,
    afspraak_id: int,
    periode: str,
    status: str,
    toelichting: str = "",
    nu: dt.datetime | None = None,
) -> None:
    """The regiegroep's periodic check of an agreement the monitor does not measure itself."""
    if status not in AFSPRAAK_STATUS:
        raise ValueError(f"onbekende status {str(status)[:20]!r} (kies uit {', '.join(AFSPRAAK_STATUS)})")
    periode = _text(periode, "De periode", 10, required=True)
    if not PERIODE_RE.fullmatch(periode):
        raise ValueError("De periode is een halfjaar als 2025-H1 of een jaar als 2025.")
    toelichting = _text(toelichting, "De toelichting", required=status == "niet nagekomen")
    when = jp._now(actor, nu)

    def write(conn: Connection) -> Change:
        row = conn.execute(select(afspraken).where(afspraken.c.id == afspraak_id)).mappings().first()
        if row is None:
            raise ValueError("Deze afspraak bestaat niet (meer).")
        if row["meting"] != "handmatig":
            raise ValueError("Deze afspraak meet de Wijkmonitor zelf; zij wordt niet met de hand getoetst.")
        conn.execute(
            insert(afspraak_toetsingen).values(
                afspraak_id=afspraak_id,
                periode=periode,
                status=status,
                toelichting=toelichting,
                getoetst_op=when,
                getoetst_door=actor.email,
            )
        )
        return Change(
            "afspraak", f"{afspraak_id}/{periode}", nieuw={"status": status, "toelichting": toelichting}
        )

    perform(eng, actor, "afspraak.toetsen", None, Change("afspraak", str(afspraak_id), nieuw=status), write)


def manual_results(eng: Engine) -> list[Result]:
    """The latest check per agreement and period."""
    with eng.connect() as conn:
        rows = conn.execute(select(afspraak_toetsingen).order_by(afspraak_toetsingen.c.id))
        latest = {(r.afspraak_id, r.periode): r for r in rows}
    return [
        Result(r.afspraak_id, r.periode, r.status, r.toelichting, False, r.getoetst_door)
        for (_, _), r in sorted(latest.items())
    ]


# ------------------------------------------------------------------------------------------ measuring


@dataclass(frozen=True)
class Delivery:
    """One delivery of a source: when it was delivered and the last day of the period it covers."""

    geleverd_op: dt.date
    tot_en_met: dt.date | None = None


def measure_rhythm(
    afspraak_id: int, geleverd: Sequence[dt.date], elke_dagen: int, jaar: int, halfjaar: int, vandaag: dt.date
) -> Result | None:
    """ "Levert elke n dagen" in one half-year: every gap between consecutive deliveries (from the last one
    before the half-year, and to its end or ``vandaag``) is at most n days. None before the first delivery."""
    start, end = jp.half_year_start(jaar, halfjaar), jp.half_year_end(jaar, halfjaar)
    days = sorted({d for d in geleverd if d <= vandaag})  # as known on ``vandaag`` (a fixed date: the demo's)
    if not days or days[0] > end or start > vandaag:
        return None
    until = min(end, vandaag)
    before = [d for d in days if d < start]
    points = ([before[-1]] if before else []) + [d for d in days if start <= d <= until]
    gaps = [(a, b) for a, b in zip(points, points[1:], strict=False)]
    gaps.append((points[-1], until))
    worst = max(gaps, key=lambda g: (g[1] - g[0]).days)
    length = (worst[1] - worst[0]).days
    label = period_label(jaar, halfjaar)
    n = sum(1 for d in days if start <= d <= until)
    if length > elke_dagen:
        if worst[1] == until and worst[0] == points[-1] and until == vandaag and vandaag < end:
            text = f"geen levering sinds {format_date(worst[0])} ({length} dagen; afgesproken: elke {elke_dagen} dagen)"
        else:
            text = (
                f"{n} leveringen; langste tussenpoos {length} dagen ({format_date(worst[0])} tot {format_date(worst[1])}; "
                f"afgesproken: elke {elke_dagen} dagen)"
            )
        return Result(afspraak_id, label, "niet nagekomen", text, True)
    text = f"{n} leveringen; langste tussenpoos {length} dagen (afgesproken: elke {elke_dagen} dagen)"
    return Result(afspraak_id, label, "nagekomen" if vandaag >= end else "loopt", text, True)


def measure_after_period(
    afspraak_id: int,
    leveringen: Sequence[Delivery],
    binnen_dagen: int,
    jaar: int,
    halfjaar: int,
    vandaag: dt.date,
) -> Result | None:
    """ "Levert binnen n dagen na elk halfjaar": a delivery that covers the half-year's last day, delivered at
    most n days after it. None for a half-year that has not ended."""
    end = jp.half_year_end(jaar, halfjaar)
    if vandaag <= end:
        return None
    deadline = end + dt.timedelta(days=binnen_dagen)
    covering = sorted(
        d.geleverd_op
        for d in leveringen
        if d.tot_en_met is not None and d.tot_en_met >= end and end < d.geleverd_op <= vandaag
    )
    label = period_label(jaar, halfjaar)
    if covering and covering[0] <= deadline:
        days = (covering[0] - end).days
        return Result(
            afspraak_id,
            label,
            "nagekomen",
            f"geleverd op {format_date(covering[0])}, {days} dagen na het halfjaar",
            True,
        )
    if covering:
        days = (covering[0] - end).days
        return Result(
            afspraak_id,
            label,
            "niet nagekomen",
            f"geleverd op {format_date(covering[0])}, {days} dagen na het halfjaar (afgesproken: binnen {binnen_dagen} dagen)",
            True,
        )
    if vandaag <= deadline:
        return Result(
            afspraak_id, label, "loopt", f"nog niet geleverd; uiterlijk {format_date(deadline)}", True
        )
    return Result(
        afspraak_id, label, "niet nagekomen", f"niet geleverd (uiterlijk {format_date(deadline)})", True
    )


def measure_meetings(
    afspraak_id: int, datums: Sequence[dt.date], per_jaar: int, jaar: int, vandaag: dt.date
) -> Result | None:
    """ "Vergadert minstens n keer per jaar": the meetings held in the year (up to ``vandaag``)."""
    if vandaag < dt.date(jaar, 1, 1):
        return None
    n = sum(1 for d in datums if d.year == jaar and d <= vandaag)
    text = f"{n} van de {per_jaar} vergaderingen"
    if n >= per_jaar:
        return Result(afspraak_id, str(jaar), "nagekomen", text, True)
    if vandaag <= dt.date(jaar, 12, 31):  # a meeting can still be held on 31 December
        return Result(afspraak_id, str(jaar), "loopt", text + " tot nu toe", True)
    return Result(afspraak_id, str(jaar), "niet nagekomen", text, True)


def measure_reports(
    afspraak_id: int, states: Sequence[jp.ReportingState], jaar: int, halfjaar: int
) -> Result | None:
    """ "Teams rapporteren elk halfjaar op tijd": every expected report of the half-year filed on time."""
    relevant = [s for s in states if (s.jaar, s.halfjaar) == (jaar, halfjaar) and s.stand != "niet verwacht"]
    if not relevant or all(s.stand == "nog niet" for s in relevant):
        return None
    label = period_label(jaar, halfjaar)
    late = sorted(s.wijk_code for s in relevant if s.stand in ("te laat", "te laat ingediend"))
    open_ = sorted(s.wijk_code for s in relevant if s.stand == "verwacht")
    on_time = sum(1 for s in relevant if s.stand == "op tijd")
    text = f"{on_time} van de {len(relevant)} rapportages op tijd"
    if late:
        return Result(afspraak_id, label, "niet nagekomen", f"{text}; te laat: {', '.join(late)}", True)
    if open_:
        return Result(afspraak_id, label, "loopt", f"{text}; nog verwacht: {', '.join(open_)}", True)
    return Result(afspraak_id, label, "nagekomen", text, True)


def measure(
    agreement: Agreement,
    vandaag: dt.date,
    vanaf_jaar: int,
    leveringen: Sequence[Delivery] = (),
    vergaderdata: Sequence[dt.date] = (),
    rapportages: Sequence[jp.ReportingState] = (),
) -> list[Result]:
    """The measured outcome of an agreement per period from ``vanaf_jaar`` up to ``vandaag``: the caller
    passes the data of its kind (the source's deliveries, the level's meeting dates, the teams' reporting
    states). Empty for an agreement checked by hand."""
    if agreement.id is None or agreement.meting == "handmatig":
        return []
    p = agreement.parameters
    out: list[Result | None] = []
    if agreement.meting == "vergaderritme":
        out = [
            measure_meetings(agreement.id, vergaderdata, int(p["per_jaar"]), y, vandaag)
            for y in range(vanaf_jaar, vandaag.year + 1)
        ]
    else:
        for y, h in jp.halves_until(vanaf_jaar, jp.current_half(vandaag)):
            if agreement.meting == "levering":
                out.append(
                    measure_rhythm(
                        agreement.id, [d.geleverd_op for d in leveringen], int(p["elke_dagen"]), y, h, vandaag
                    )
                )
            elif agreement.meting == "levering_na_periode":
                out.append(
                    measure_after_period(agreement.id, leveringen, int(p["binnen_dagen"]), y, h, vandaag)
                )
            elif agreement.meting == "rapportage":
                out.append(measure_reports(agreement.id, rapportages, y, h))
    # an agreement is judged from the period it was made in: it cannot be broken before it existed
    return [
        r
        for r in out
        if r is not None and (agreement.sinds is None or period_end(r.periode) >= agreement.sinds)
    ]


def period_end(periode: str) -> dt.date:
    """The last day of a period label: ``2025-H1`` -> 30 June 2025, ``2025`` -> 31 December 2025."""
    jaar, _, half = periode.partition("-H")
    return jp.half_year_end(int(jaar), int(half)) if half else dt.date(int(jaar), 12, 31)


# ------------------------------------------------------------------------------------------ settings


def need_weights(eng: Engine) -> dict[str, Any]:
    """The need formula's settings: the three weights and the size measure (defaults where unset)."""
    out: dict[str, Any] = {}
    for key, default in SETTINGS_BEHOEFTE.items():
        value = jp._setting(eng, key)
        try:
            x = float(value) if value is not None else default
        except ValueError:
            x = default
        out[key] = x if math.isfinite(x) and 0 <= x <= 100 else default
    maat = jp._setting(eng, SETTING_MAAT)
    out[SETTING_MAAT] = maat if maat in ("inwoners", "huishoudens") else "inwoners"
    return out


def set_need_setting(eng: Engine, actor: Actor, key: str, value: str | None) -> None:
    """Set (or clear) a weight of the need formula (0 to 100) or its size measure; beheerder only."""
    if key in SETTINGS_BEHOEFTE:
        if value not in (None, ""):
            try:
                x = float(str(value).replace(",", "."))
            except ValueError:
                raise ValueError("Een gewicht is een getal van 0 tot 100.") from None
            if not (math.isfinite(x) and 0 <= x <= 100):
                raise ValueError("Een gewicht is een getal van 0 tot 100.")
            value = repr(x)
    elif key == SETTING_MAAT:
        if value not in (None, "", "inwoners", "huishoudens"):
            raise ValueError("De maat is inwoners of huishoudens.")
    else:
        raise ValueError(f"onbekende instelling {key[:40]!r}")
    jp.write_setting(eng, actor, key, value or None)
