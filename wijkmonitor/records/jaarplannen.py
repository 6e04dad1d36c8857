"""Wijkprogramma's, jaarplannen and half-yearly status reports: the plans the covenant steers by.

- A **wijkprogramma** is a wijk's list of opgaven (long-term tasks per theme, aiming at indicators).
- A **jaarplan** per wijk per year is an agenda of activities (who leads, who else, which months, planned
  hours per partner, budget, expected effect). Its workflow: ``concept`` (the team writes) → ``ingediend``
  (team) → ``advies`` (the regiegroep's advice) → ``vastgesteld`` (the stuurgroep, with the meeting date).
  A step back to ``concept`` always has a reason. A change after ``vastgesteld`` is an *amendment*:
  recorded per activity with its reason, and shown.
- A **status report** per wijk per half-year gives every activity a status, a percentage done, the hours
  spent per partner and a short explanation, plus the wijk's narrative. It is submitted as a whole and is
  then read-only; a correction is a new version (with its reason), the old versions stay.

Every write goes through :func:`wijkmonitor.records.authz.perform`: the actor's roles are read in the
write's own transaction and the write is recorded in the audit trail; a workflow step is allowed to the
role of that step only (team of the wijk, regiegroep, stuurgroep). State conflicts (a plan that is no longer
in the state the page saw, a report that misses an activity) raise ``ValueError`` with a Dutch message.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from wijkmonitor.records.authz import MAX_TEXT, Actor, Change, perform
from wijkmonitor.records.tables import (
    activiteit_uren,
    activiteiten,
    instellingen,
    jaarplan_stappen,
    jaarplan_wijzigingen,
    jaarplannen,
    opgaven,
    status_regels,
    status_uren,
    statusrapporten,
)

# The covenant's partners (who leads an activity and whose hours are planned and spent), with their names.
PARTNERS: dict[str, str] = {
    "gemeente": "Gemeente",
    "politie": "Politie",
    "corporatie": "Woningcorporatie",
    "welzijn": "Welzijnsorganisatie",
    "buurtpreventie": "Buurtpreventie",
}
PLAN_STATUS: dict[str, str] = {
    "concept": "concept",
    "ingediend": "ingediend",
    "advies": "advies regiegroep",
    "vastgesteld": "vastgesteld",
}
ACTIVITY_STATUS = ("niet gestart", "loopt", "afgerond", "vertraagd", "vervallen")
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
CODE_RE = re.compile(r"^A[0-9]{2,3}$")
WIJK_RE = re.compile(r"^WK[0-9]{6}$")
MAX_TITLE = 200
MAX_HOURS = 100_000.0
MAX_BUDGET = 100_000_000.0
DEFAULT_TERMIJN_DAGEN = 42  # grace period after a half-year ends before its report is late
SETTING_TERMIJN = "rapportage_termijn_dagen"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SETTING_PEILDATUM = "peildatum"  # the demo's "today" (the demo data run to H1 2025)

# (from, to) -> the action that allows the step; who holds it is in authz.RULES.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("concept", "ingediend"): "jaarplan.indienen",  # team of the wijk
    ("ingediend", "advies"): "jaarplan.adviseren",  # regiegroep, with its advice
    ("advies", "vastgesteld"): "jaarplan.vaststellen",  # stuurgroep, with the meeting date
    ("ingediend", "concept"): "jaarplan.intrekken",  # team or regiegroep, with a reason
    ("advies", "concept"): "jaarplan.terugverwijzen",  # regiegroep or stuurgroep, with a reason
}


# ------------------------------------------------------------------------------------------ objects


@dataclass(frozen=True)
class Activity:
    """One activity of a jaarplan (also the input of a save: ``geschrapt`` is then ignored)."""

    code: str
    titel: str
    thema: str
    trekker: str
    start_maand: int
    eind_maand: int
    omschrijving: str = ""
    opgave_id: int | None = None
    indicatoren: tuple[str, ...] = ()
    uren: dict[str, float] = field(default_factory=dict)  # planned hours per partner
    budget: float | None = None
    verwacht_effect: str = ""
    geschrapt: bool = False

    @property
    def partners(self) -> list[str]:
        """The lead partner first, then the others with planned hours."""
        return [self.trekker, *sorted(p for p in self.uren if p != self.trekker)]

    @property
    def uren_totaal(self) -> float:
        return float(sum(self.uren.values()))

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["indicatoren"] = list(self.indicatoren)
        d.pop("geschrapt")
        return d

    def content(self) -> dict[str, Any]:
        """What an amendment compares (everything but the flag)."""
        d = self.as_dict()
        d["uren"] = {k: float(v) for k, v in sorted(self.uren.items()) if v}
        return d


@dataclass(frozen=True)
class Step:
    tijdstip: dt.datetime
    door: str
    van: str
    naar: str
    toelichting: str
    vergaderdatum: dt.date | None


@dataclass(frozen=True)
class Amendment:
    tijdstip: dt.datetime
    door: str
    soort: str  # toegevoegd | gewijzigd | geschrapt
    activiteit_code: str
    reden: str
    oud: dict | None
    nieuw: dict | None


@dataclass(frozen=True)
class Plan:
    id: int
    wijk_code: str
    jaar: int
    status: str
    advies: str | None
    vastgesteld_op: dt.date | None
    gewijzigd_op: dt.datetime
    activiteiten: list[Activity]
    stappen: list[Step]
    wijzigingen: list[Amendment]

    @property
    def status_label(self) -> str:
        return PLAN_STATUS[self.status]

    @property
    def actief(self) -> list[Activity]:
        """The activities that still count (not dropped by an amendment)."""
        return [a for a in self.activiteiten if not a.geschrapt]

    def activity(self, code: str) -> Activity | None:
        return next((a for a in self.activiteiten if a.code == code), None)


@dataclass(frozen=True)
class StatusLine:
    activiteit_code: str
    status: str
    procent: int
    toelichting: str = ""
    uren: dict[str, float] = field(default_factory=dict)  # hours spent per partner in this half-year


@dataclass(frozen=True)
class Report:
    id: int
    wijk_code: str
    jaar: int
    halfjaar: int
    versie: int
    ingediend_op: dt.datetime
    ingediend_door: str
    via: str
    goed: str
    niet_goed: str
    vragen: str
    correctie_reden: str | None
    regels: list[StatusLine]

    def line(self, code: str) -> StatusLine | None:
        return next((r for r in self.regels if r.activiteit_code == code), None)


@dataclass(frozen=True)
class Opgave:
    id: int | None
    wijk_code: str
    thema: str
    titel: str
    omschrijving: str = ""
    indicatoren: tuple[str, ...] = ()
    volgorde: int = 0
    vervallen: bool = False


@dataclass
class ActivityDiff:
    """What saving a new activity list would change."""

    toegevoegd: list[Activity] = field(default_factory=list)
    gewijzigd: list[tuple[Activity, Activity]] = field(default_factory=list)  # (old, new)
    verwijderd: list[Activity] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.toegevoegd or self.gewijzigd or self.verwijderd)

    def changed_fields(self, old: Activity, new: Activity) -> list[str]:
        a, b = old.content(), new.content()
        return [k for k in a if a[k] != b[k]]


# ------------------------------------------------------------------------------------------ helpers


def _now(actor: Actor, nu: dt.datetime | None) -> dt.datetime:
    """The time of a write: now, or (only for the command line / demo seeding) a given moment."""
    if nu is not None:
        if not actor.system:
            raise ValueError("alleen het systeem mag een ander tijdstip opgeven")
        return (nu if nu.tzinfo else nu.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The Dutch calendar date of a moment (stored in UTC)."""
    return _aware(moment).astimezone(AMSTERDAM).date()


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _text(value: str | None, what: str, limit: int = MAX_TEXT, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValueError(f"{what} is verplicht")
    if len(text) > limit:
        raise ValueError(f"{what} is te lang ({len(text)} tekens; hooguit {limit})")
    return text


def _check_wijk(wijk: str) -> str:
    if not isinstance(wijk, str) or not WIJK_RE.fullmatch(wijk):
        raise ValueError(f"onbekende wijkcode {str(wijk)[:40]!r} (verwacht WK gevolgd door 6 cijfers)")
    return wijk


def _check_year(jaar: int) -> int:
    if not isinstance(jaar, int) or isinstance(jaar, bool) or not 2000 <= jaar <= 2100:
        raise ValueError(f"ongeldig jaar {jaar!r}")
    return jaar


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def activity_problems(a: Activity, opgave_ids: Iterable[int] | None = None) -> list[str]:
    """Everything wrong with one activity, in Dutch (empty: fine). Themes and indicators are checked
    against the catalogue by the callers that know it (the pages, the Excel upload)."""
    p: list[str] = []
    if not isinstance(a.code, str) or not CODE_RE.fullmatch(a.code):
        p.append(f"code {str(a.code)[:20]!r} moet de vorm A01 hebben")
    if not (a.titel or "").strip():
        p.append("titel is verplicht")
    elif len(a.titel.strip()) > MAX_TITLE:
        p.append(f"titel is te lang (hooguit {MAX_TITLE} tekens)")
    for name, value in (("omschrijving", a.omschrijving), ("verwacht effect", a.verwacht_effect)):
        if len(value or "") > MAX_TEXT:
            p.append(f"{name} is te lang (hooguit {MAX_TEXT} tekens)")
    if not (a.thema or "").strip():
        p.append("thema is verplicht")
    if a.trekker not in PARTNERS:
        p.append(f"trekker {str(a.trekker)[:40]!r} is geen partner ({', '.join(PARTNERS)})")
    months_ok = all(
        isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in (a.start_maand, a.eind_maand)
    )
    if not months_ok:
        p.append("start- en eindmaand moeten 1 t/m 12 zijn")
    elif a.eind_maand < a.start_maand:
        p.append("de eindmaand ligt vóór de startmaand")
    for partner, hours in a.uren.items():
        if partner not in PARTNERS:
            p.append(f"uren voor onbekende partner {str(partner)[:40]!r}")
        x = _number(hours)
        if x is None or not 0 <= x <= MAX_HOURS:
            p.append(f"uren {PARTNERS.get(partner, partner)} moet een getal van 0 t/m {MAX_HOURS:.0f} zijn")
    if a.budget is not None:
        x = _number(a.budget)
        if x is None or not 0 <= x <= MAX_BUDGET:
            p.append("budget moet een bedrag van 0 of meer zijn")
    if a.opgave_id is not None and opgave_ids is not None and a.opgave_id not in set(opgave_ids):
        p.append("de opgave hoort niet bij het wijkprogramma van deze wijk")
    return p


def _clean(a: Activity) -> Activity:
    return replace(
        a,
        titel=a.titel.strip(),
        omschrijving=(a.omschrijving or "").strip(),
        thema=a.thema.strip(),
        verwacht_effect=(a.verwacht_effect or "").strip(),
        indicatoren=tuple(dict.fromkeys(i.strip() for i in a.indicatoren if i and i.strip())),
        uren={k: float(v) for k, v in sorted(a.uren.items()) if _number(v)},
        budget=None if a.budget is None else float(a.budget),
        geschrapt=False,
    )


def diff_activities(old: Sequence[Activity], new: Sequence[Activity]) -> ActivityDiff:
    """Compare by code: added, changed (content differs), removed. Dropped (geschrapt) activities count
    as absent from ``old``."""
    before = {a.code: a for a in old if not a.geschrapt}
    after = {a.code: _clean(a) for a in new}
    d = ActivityDiff()
    for code, a in after.items():
        if code not in before:
            d.toegevoegd.append(a)
        elif before[code].content() != a.content():
            d.gewijzigd.append((before[code], a))
    d.verwijderd = [a for code, a in before.items() if code not in after]
    return d


# ------------------------------------------------------------------------------------------ reading


def _activities(conn: Connection, plan_ids: Sequence[int]) -> dict[int, list[Activity]]:
    if not plan_ids:
        return {}
    hours: dict[int, dict[str, float]] = {}
    for aid, partner, uren in conn.execute(
        select(activiteit_uren.c.activiteit_id, activiteit_uren.c.partner, activiteit_uren.c.uren)
        .join(activiteiten, activiteiten.c.id == activiteit_uren.c.activiteit_id)
        .where(activiteiten.c.jaarplan_id.in_(plan_ids))
    ):
        hours.setdefault(aid, {})[partner] = float(uren)
    out: dict[int, list[Activity]] = {pid: [] for pid in plan_ids}
    for r in conn.execute(
        select(activiteiten).where(activiteiten.c.jaarplan_id.in_(plan_ids)).order_by(activiteiten.c.code)
    ).mappings():
        out[r["jaarplan_id"]].append(
            Activity(
                code=r["code"],
                titel=r["titel"],
                thema=r["thema"],
                trekker=r["trekker"],
                start_maand=r["start_maand"],
                eind_maand=r["eind_maand"],
                omschrijving=r["omschrijving"],
                opgave_id=r["opgave_id"],
                indicatoren=tuple(json.loads(r["indicatoren"] or "[]")),
                uren=dict(sorted(hours.get(r["id"], {}).items())),
                budget=r["budget"],
                verwacht_effect=r["verwacht_effect"],
                geschrapt=bool(r["geschrapt"]),
            )
        )
    return out


def _plans(conn: Connection, where: list, with_history: bool = True) -> list[Plan]:
    rows = list(
        conn.execute(
            select(jaarplannen).where(*where).order_by(jaarplannen.c.jaar, jaarplannen.c.wijk_code)
        ).mappings()
    )
    ids = [r["id"] for r in rows]
    acts = _activities(conn, ids)
    steps: dict[int, list[Step]] = {i: [] for i in ids}
    amends: dict[int, list[Amendment]] = {i: [] for i in ids}
    if with_history and ids:
        for r in conn.execute(
            select(jaarplan_stappen)
            .where(jaarplan_stappen.c.jaarplan_id.in_(ids))
            .order_by(jaarplan_stappen.c.tijdstip, jaarplan_stappen.c.id)
        ).mappings():
            steps[r["jaarplan_id"]].append(
                Step(
                    _aware(r["tijdstip"]),
                    r["door"],
                    r["van"],
                    r["naar"],
                    r["toelichting"],
                    _date(r["vergaderdatum"]),
                )
            )
        for r in conn.execute(
            select(jaarplan_wijzigingen)
            .where(jaarplan_wijzigingen.c.jaarplan_id.in_(ids))
            .order_by(jaarplan_wijzigingen.c.tijdstip, jaarplan_wijzigingen.c.id)
        ).mappings():
            amends[r["jaarplan_id"]].append(
                Amendment(
                    _aware(r["tijdstip"]),
                    r["door"],
                    r["soort"],
                    r["activiteit_code"],
                    r["reden"],
                    json.loads(r["oud"]) if r["oud"] else None,
                    json.loads(r["nieuw"]) if r["nieuw"] else None,
                )
            )
    return [
        Plan(
            id=r["id"],
            wijk_code=r["wijk_code"],
            jaar=r["jaar"],
            status=r["status"],
            advies=r["advies"],
            vastgesteld_op=_date(r["vastgesteld_op"]),
            gewijzigd_op=_aware(r["gewijzigd_op"]),
            activiteiten=acts[r["id"]],
            stappen=steps[r["id"]],
            wijzigingen=amends[r["id"]],
        )
        for r in rows
    ]


def get_plan(eng: Engine, wijk: str, jaar: int) -> Plan | None:
    with eng.connect() as conn:
        found = _plans(conn, [jaarplannen.c.wijk_code == wijk, jaarplannen.c.jaar == jaar])
    return found[0] if found else None


def list_plans(
    eng: Engine, jaar: int | None = None, wijk: str | None = None, status: str | None = None
) -> list[Plan]:
    """Plans (with activities and history), ordered by year and wijk."""
    where = []
    if jaar is not None:
        where.append(jaarplannen.c.jaar == jaar)
    if wijk is not None:
        where.append(jaarplannen.c.wijk_code == wijk)
    if status is not None:
        where.append(jaarplannen.c.status == status)
    with eng.connect() as conn:
        return _plans(conn, where)


def plan_years(eng: Engine, wijk: str | None = None) -> list[int]:
    q = select(jaarplannen.c.jaar).distinct().order_by(jaarplannen.c.jaar)
    if wijk is not None:
        q = q.where(jaarplannen.c.wijk_code == wijk)
    with eng.connect() as conn:
        return [int(y) for y in conn.execute(q).scalars()]


# ------------------------------------------------------------------------------------------ writing plans


def _plan_row(conn: Connection, wijk: str, jaar: int) -> Any:
    return (
        conn.execute(select(jaarplannen).where(jaarplannen.c.wijk_code == wijk, jaarplannen.c.jaar == jaar))
        .mappings()
        .first()
    )


def _activity_values(a: Activity) -> dict[str, Any]:
    """An activity's row (without its plan, code and hours)."""
    return {
        "titel": a.titel,
        "omschrijving": a.omschrijving,
        "thema": a.thema,
        "opgave_id": a.opgave_id,
        "indicatoren": json.dumps(list(a.indicatoren)),
        "trekker": a.trekker,
        "start_maand": a.start_maand,
        "eind_maand": a.eind_maand,
        "budget": a.budget,
        "verwacht_effect": a.verwacht_effect,
        "geschrapt": False,
    }


def _write_hours(conn: Connection, aid: int, a: Activity) -> None:
    conn.execute(delete(activiteit_uren).where(activiteit_uren.c.activiteit_id == aid))
    for partner, uren in a.uren.items():
        conn.execute(insert(activiteit_uren).values(activiteit_id=aid, partner=partner, uren=float(uren)))


def _insert_activity(conn: Connection, plan_id: int, a: Activity) -> None:
    values = {"jaarplan_id": plan_id, "code": a.code, **_activity_values(a)}
    _write_hours(conn, conn.execute(insert(activiteiten).values(**values)).inserted_primary_key[0], a)


def _activity_id(conn: Connection, plan_id: int, code: str) -> int:
    return conn.execute(
        select(activiteiten.c.id).where(activiteiten.c.jaarplan_id == plan_id, activiteiten.c.code == code)
    ).scalar_one()


def _replace_activity(conn: Connection, plan_id: int, a: Activity) -> None:
    aid = _activity_id(conn, plan_id, a.code)
    conn.execute(update(activiteiten).where(activiteiten.c.id == aid).values(**_activity_values(a)))
    _write_hours(conn, aid, a)


def _check_activities(conn: Connection, wijk: str, acts: Sequence[Activity]) -> list[Activity]:
    opgave_ids = set(conn.execute(select(opgaven.c.id).where(opgaven.c.wijk_code == wijk)).scalars())
    problems: list[str] = []
    seen: set[str] = set()
    for a in acts:
        for p in activity_problems(a, opgave_ids):
            problems.append(f"{a.code}: {p}")
        if a.code in seen:
            problems.append(f"{a.code}: deze code komt twee keer voor")
        seen.add(a.code)
    if problems:
        raise ValueError("De activiteiten kloppen niet: " + "; ".join(problems[:20]))
    return [_clean(a) for a in acts]


def save_activities(
    eng: Engine,
    actor: Actor,
    wijk: str,
    jaar: int,
    activiteiten_: Sequence[Activity],
    reden: str | None = None,
    nu: dt.datetime | None = None,
) -> ActivityDiff:
    """Make ``activiteiten_`` the jaarplan's activities (creating a concept plan when there is none).

    A concept plan is simply changed. A plan at the regiegroep or stuurgroep (ingediend, advies) cannot
    be changed. An adopted plan is amended: ``reden`` is required and each added, changed or dropped
    activity is recorded as an amendment (a dropped activity stays, marked ``geschrapt``)."""
    _check_wijk(wijk)
    _check_year(jaar)
    when = _now(actor, nu)
    reason = (reden or "").strip()
    diff: list[ActivityDiff] = []  # computed inside the transaction, returned to the caller

    def write(conn: Connection) -> Change:
        acts = _check_activities(conn, wijk, activiteiten_)
        row = _plan_row(conn, wijk, jaar)
        if row is None:
            plan_id = conn.execute(
                insert(jaarplannen).values(
                    wijk_code=wijk, jaar=jaar, status="concept", aangemaakt_op=when, gewijzigd_op=when
                )
            ).inserted_primary_key[0]
            status = "concept"
        else:
            plan_id, status = row["id"], row["status"]
        if status in ("ingediend", "advies"):
            raise ValueError(
                f"Het jaarplan {jaar} ligt bij de {'regiegroep' if status == 'ingediend' else 'stuurgroep'} "
                f"({PLAN_STATUS[status]}) en kan nu niet worden gewijzigd. Zet het eerst terug naar concept."
            )
        old = _activities(conn, [plan_id])[plan_id]
        d = diff_activities(old, acts)
        diff.append(d)
        if status == "vastgesteld" and not d.empty:
            if not reason:
                raise ValueError(
                    "Dit jaarplan is vastgesteld: een wijziging is een amendement en heeft een reden nodig."
                )
            _text(reason, "De reden")
        dropped = {a.code for a in old if a.geschrapt}
        for a in d.toegevoegd:
            if a.code in dropped:  # an activity dropped by an earlier amendment comes back
                _replace_activity(conn, plan_id, a)
            else:
                _insert_activity(conn, plan_id, a)
        for _, a in d.gewijzigd:
            _replace_activity(conn, plan_id, a)
        for a in d.verwijderd:
            aid = _activity_id(conn, plan_id, a.code)
            if status == "vastgesteld":
                conn.execute(update(activiteiten).where(activiteiten.c.id == aid).values(geschrapt=True))
            else:
                conn.execute(delete(activiteiten).where(activiteiten.c.id == aid))
        if status == "vastgesteld":
            amendments = [("toegevoegd", a.code, None, a.content()) for a in d.toegevoegd]
            amendments += [("gewijzigd", n.code, o.content(), n.content()) for o, n in d.gewijzigd]
            amendments += [("geschrapt", a.code, a.content(), None) for a in d.verwijderd]
            for soort, code, oud, nieuw in amendments:
                conn.execute(
                    insert(jaarplan_wijzigingen).values(
                        jaarplan_id=plan_id,
                        tijdstip=when,
                        door=actor.email,
                        soort=soort,
                        activiteit_code=code,
                        reden=reason,
                        oud=None if oud is None else json.dumps(oud, ensure_ascii=False),
                        nieuw=None if nieuw is None else json.dumps(nieuw, ensure_ascii=False),
                    )
                )
        if not d.empty or row is None:
            conn.execute(update(jaarplannen).where(jaarplannen.c.id == plan_id).values(gewijzigd_op=when))
        return Change(
            "jaarplan",
            f"{wijk}/{jaar}",
            oud={"status": status, "activiteiten": [a.code for a in old if not a.geschrapt]},
            nieuw={
                "amendement": status == "vastgesteld",
                "reden": reason or None,
                "toegevoegd": [a.code for a in d.toegevoegd],
                "gewijzigd": [n.code for _, n in d.gewijzigd],
                "verwijderd": [a.code for a in d.verwijderd],
            },
        )

    perform(eng, actor, "jaarplan.schrijven", wijk, Change("jaarplan", f"{wijk}/{jaar}"), write)
    return diff[0]


def allowed_steps(status: str) -> list[tuple[str, str]]:
    """The workflow steps from ``status``: (to, action)."""
    return [(naar, action) for (van, naar), action in TRANSITIONS.items() if van == status]


def transition(
    eng: Engine,
    actor: Actor,
    wijk: str,
    jaar: int,
    van: str,
    naar: str,
    toelichting: str = "",
    vergaderdatum: dt.date | None = None,
    nu: dt.datetime | None = None,
    besluit: Callable[[Connection, dt.datetime], dt.date] | None = None,
) -> None:
    """Take one workflow step of the jaarplan of ``wijk`` in ``jaar``, from ``van`` (the state the page
    showed: when the plan moved on meanwhile, the step is refused with a ValueError) to ``naar``.

    The step's action decides who may take it (authz.RULES); advice text, a reason for a step back and the
    stuurgroep's meeting date are required where they belong. ``besluit`` (adoption in a recorded meeting,
    :func:`wijkmonitor.records.sturing.adopt_plan`) records the decision in the same transaction and returns
    the meeting's date."""
    _check_wijk(wijk)
    action = TRANSITIONS.get((van, naar))
    if action is None:
        raise ValueError(
            f"Een jaarplan gaat niet van '{PLAN_STATUS.get(van, van)}' naar '{PLAN_STATUS.get(naar, naar)}'."
        )
    text = _text(
        toelichting,
        "Het advies" if naar == "advies" else "De reden",
        required=naar in ("advies", "concept"),
    )
    if naar == "vastgesteld" and vergaderdatum is None and besluit is None:
        raise ValueError("Vaststellen vraagt de datum van de stuurgroepvergadering.")
    when = _now(actor, nu)

    def write(conn: Connection) -> Change:
        row = _plan_row(conn, wijk, jaar)
        if row is None:
            raise ValueError(f"Er is geen jaarplan {jaar} voor deze wijk.")
        if row["status"] != van:
            raise ValueError(
                f"Het jaarplan is intussen '{PLAN_STATUS[row['status']]}' (niet meer "
                f"'{PLAN_STATUS[van]}'); laad de pagina opnieuw."
            )
        if naar == "ingediend":
            n = conn.execute(
                select(func.count())
                .select_from(activiteiten)
                .where(activiteiten.c.jaarplan_id == row["id"], activiteiten.c.geschrapt.is_(False))
            ).scalar_one()
            if not n:
                raise ValueError("Een jaarplan zonder activiteiten kan niet worden ingediend.")
        nonlocal vergaderdatum
        if besluit is not None and naar == "vastgesteld":
            vergaderdatum = besluit(conn, when)
        values: dict[str, Any] = {"status": naar, "gewijzigd_op": when}
        if naar == "advies":
            values["advies"] = text
        if naar == "vastgesteld":
            values["vastgesteld_op"] = vergaderdatum
        if naar == "concept":
            values["advies"] = None
        conn.execute(update(jaarplannen).where(jaarplannen.c.id == row["id"]).values(**values))
        conn.execute(
            insert(jaarplan_stappen).values(
                jaarplan_id=row["id"],
                tijdstip=when,
                door=actor.email,
                van=van,
                naar=naar,
                toelichting=text,
                vergaderdatum=vergaderdatum,
            )
        )
        return Change(
            "jaarplan",
            f"{wijk}/{jaar}",
            oud={"status": van},
            nieuw={
                "status": naar,
                "toelichting": text or None,
                "vergaderdatum": vergaderdatum.isoformat() if vergaderdatum else None,
            },
        )

    perform(eng, actor, action, wijk, Change("jaarplan", f"{wijk}/{jaar}", nieuw={"status": naar}), write)


# ------------------------------------------------------------------------------------------ wijkprogramma


def list_opgaven(eng: Engine, wijk: str, ook_vervallen: bool = False) -> list[Opgave]:
    q = select(opgaven).where(opgaven.c.wijk_code == wijk).order_by(opgaven.c.volgorde, opgaven.c.id)
    if not ook_vervallen:
        q = q.where(opgaven.c.vervallen.is_(False))
    with eng.connect() as conn:
        return [
            Opgave(
                r["id"],
                r["wijk_code"],
                r["thema"],
                r["titel"],
                r["omschrijving"],
                tuple(json.loads(r["indicatoren"] or "[]")),
                r["volgorde"],
                bool(r["vervallen"]),
            )
            for r in conn.execute(q).mappings()
        ]


def save_opgave(eng: Engine, actor: Actor, opgave: Opgave, nu: dt.datetime | None = None) -> int:
    """Add (``id`` None) or change an opgave of the wijk's wijkprogramma. Returns its id."""
    wijk = _check_wijk(opgave.wijk_code)
    titel = _text(opgave.titel, "De titel", MAX_TITLE, required=True)
    thema = _text(opgave.thema, "Het thema", 80, required=True)
    omschrijving = _text(opgave.omschrijving, "De omschrijving")
    when = _now(actor, nu)
    values = {
        "wijk_code": wijk,
        "thema": thema,
        "titel": titel,
        "omschrijving": omschrijving,
        "indicatoren": json.dumps(list(dict.fromkeys(opgave.indicatoren))),
        "volgorde": int(opgave.volgorde),
        "vervallen": bool(opgave.vervallen),
        "gewijzigd_op": when,
    }
    made: list[int] = []

    def write(conn: Connection) -> Change:
        if opgave.id is None:
            made.append(conn.execute(insert(opgaven).values(**values)).inserted_primary_key[0])
            return Change(
                "opgave", f"{wijk}/{made[0]}", nieuw={k: v for k, v in values.items() if k != "gewijzigd_op"}
            )
        old = (
            conn.execute(select(opgaven).where(opgaven.c.id == opgave.id, opgaven.c.wijk_code == wijk))
            .mappings()
            .first()
        )
        if old is None:
            raise ValueError("Deze opgave bestaat niet (meer) in het wijkprogramma van deze wijk.")
        conn.execute(update(opgaven).where(opgaven.c.id == opgave.id).values(**values))
        made.append(opgave.id)
        keep = ("thema", "titel", "omschrijving", "indicatoren", "volgorde", "vervallen")
        return Change(
            "opgave",
            f"{wijk}/{opgave.id}",
            oud={k: old[k] for k in keep},
            nieuw={k: values[k] for k in keep},
        )

    perform(
        eng, actor, "wijkprogramma.schrijven", wijk, Change("opgave", f"{wijk}/{opgave.id or 'nieuw'}"), write
    )
    return made[0]


# ------------------------------------------------------------------------------------------ status reports


def half_year_start(jaar: int, halfjaar: int) -> dt.date:
    return dt.date(jaar, 1 if halfjaar == 1 else 7, 1)


def half_year_end(jaar: int, halfjaar: int) -> dt.date:
    return dt.date(jaar, 6, 30) if halfjaar == 1 else dt.date(jaar, 12, 31)


def due_from(jaar: int, halfjaar: int) -> dt.date:
    """A half-year's report is due from the day after it ends (1 July, 1 January)."""
    return half_year_end(jaar, halfjaar) + dt.timedelta(days=1)


def deadline(jaar: int, halfjaar: int, termijn_dagen: int) -> dt.date:
    """The last day the report is on time."""
    return due_from(jaar, halfjaar) + dt.timedelta(days=termijn_dagen - 1)


def last_ended_half(vandaag: dt.date) -> tuple[int, int]:
    """The newest half-year that has ended on ``vandaag`` (on 1 July: H1 of this year)."""
    return (vandaag.year, 1) if vandaag.month >= 7 else (vandaag.year - 1, 2)


def current_half(vandaag: dt.date) -> tuple[int, int]:
    return (vandaag.year, 1 if vandaag.month <= 6 else 2)


def halves_until(vanaf_jaar: int, tot: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for y in range(vanaf_jaar, tot[0] + 1):
        for h in (1, 2):
            if (y, h) <= tot:
                out.append((y, h))
    return out


def _reports(conn: Connection, where: list, alle_versies: bool) -> list[Report]:
    q = select(statusrapporten).where(*where)
    if not alle_versies:
        latest = (
            select(
                statusrapporten.c.wijk_code,
                statusrapporten.c.jaar,
                statusrapporten.c.halfjaar,
                func.max(statusrapporten.c.versie).label("versie"),
            )
            .group_by(statusrapporten.c.wijk_code, statusrapporten.c.jaar, statusrapporten.c.halfjaar)
            .subquery()
        )
        q = q.join(
            latest,
            (latest.c.wijk_code == statusrapporten.c.wijk_code)
            & (latest.c.jaar == statusrapporten.c.jaar)
            & (latest.c.halfjaar == statusrapporten.c.halfjaar)
            & (latest.c.versie == statusrapporten.c.versie),
        )
    rows = list(
        conn.execute(
            q.order_by(
                statusrapporten.c.jaar,
                statusrapporten.c.halfjaar,
                statusrapporten.c.wijk_code,
                statusrapporten.c.versie,
            )
        ).mappings()
    )
    ids = [r["id"] for r in rows]
    lines: dict[int, list[StatusLine]] = {i: [] for i in ids}
    hours: dict[tuple[int, str], dict[str, float]] = {}
    if ids:
        for rid, code, partner, uren in conn.execute(
            select(
                status_uren.c.rapport_id,
                status_uren.c.activiteit_code,
                status_uren.c.partner,
                status_uren.c.uren,
            ).where(status_uren.c.rapport_id.in_(ids))
        ):
            hours.setdefault((rid, code), {})[partner] = float(uren)
        for r in conn.execute(
            select(status_regels)
            .where(status_regels.c.rapport_id.in_(ids))
            .order_by(status_regels.c.activiteit_code)
        ).mappings():
            lines[r["rapport_id"]].append(
                StatusLine(
                    r["activiteit_code"],
                    r["status"],
                    int(r["procent"]),
                    r["toelichting"],
                    dict(sorted(hours.get((r["rapport_id"], r["activiteit_code"]), {}).items())),
                )
            )
    return [
        Report(
            id=r["id"],
            wijk_code=r["wijk_code"],
            jaar=r["jaar"],
            halfjaar=r["halfjaar"],
            versie=r["versie"],
            ingediend_op=_aware(r["ingediend_op"]),
            ingediend_door=r["ingediend_door"],
            via=r["via"],
            goed=r["goed"],
            niet_goed=r["niet_goed"],
            vragen=r["vragen"],
            correctie_reden=r["correctie_reden"],
            regels=lines[r["id"]],
        )
        for r in rows
    ]


def list_reports(
    eng: Engine,
    wijk: str | None = None,
    jaar: int | None = None,
    halfjaar: int | None = None,
    alle_versies: bool = False,
) -> list[Report]:
    """The newest version of each report (every version with ``alle_versies``)."""
    where = []
    if wijk is not None:
        where.append(statusrapporten.c.wijk_code == wijk)
    if jaar is not None:
        where.append(statusrapporten.c.jaar == jaar)
    if halfjaar is not None:
        where.append(statusrapporten.c.halfjaar == halfjaar)
    with eng.connect() as conn:
        return _reports(conn, where, alle_versies)


def get_report(eng: Engine, wijk: str, jaar: int, halfjaar: int) -> Report | None:
    found = list_reports(eng, wijk, jaar, halfjaar)
    return found[0] if found else None


def first_submissions(eng: Engine) -> dict[tuple[str, int, int], dt.datetime]:
    """When each report was first submitted (version 1): what "on time" is measured by."""
    with eng.connect() as conn:
        rows = conn.execute(
            select(
                statusrapporten.c.wijk_code,
                statusrapporten.c.jaar,
                statusrapporten.c.halfjaar,
                func.min(statusrapporten.c.ingediend_op),
            ).group_by(statusrapporten.c.wijk_code, statusrapporten.c.jaar, statusrapporten.c.halfjaar)
        )
        out = {}
        for w, y, h, t in rows:
            if isinstance(t, str):  # SQLite returns an aggregate over a DateTime as text
                t = dt.datetime.fromisoformat(t)
            out[(w, int(y), int(h))] = _aware(t)
        return out


def line_problems(plan: Plan, regels: Sequence[StatusLine]) -> list[str]:
    """What is wrong with a report's lines for ``plan`` (every active activity exactly once)."""
    p: list[str] = []
    codes = {a.code for a in plan.actief}
    seen: set[str] = set()
    for r in regels:
        if r.activiteit_code not in codes:
            p.append(f"{str(r.activiteit_code)[:20]}: geen activiteit van het jaarplan {plan.jaar}")
        if r.activiteit_code in seen:
            p.append(f"{r.activiteit_code}: komt twee keer voor")
        seen.add(r.activiteit_code)
        if r.status not in ACTIVITY_STATUS:
            p.append(
                f"{r.activiteit_code}: status {str(r.status)[:30]!r} is niet een van {', '.join(ACTIVITY_STATUS)}"
            )
        if not isinstance(r.procent, int) or isinstance(r.procent, bool) or not 0 <= r.procent <= 100:
            p.append(f"{r.activiteit_code}: percentage gereed moet een geheel getal van 0 t/m 100 zijn")
        if len(r.toelichting or "") > MAX_TEXT:
            p.append(f"{r.activiteit_code}: toelichting is te lang (hooguit {MAX_TEXT} tekens)")
        for partner, uren in r.uren.items():
            x = _number(uren)
            if partner not in PARTNERS:
                p.append(f"{r.activiteit_code}: uren voor onbekende partner {str(partner)[:40]!r}")
            elif x is None or not 0 <= x <= MAX_HOURS:
                p.append(f"{r.activiteit_code}: uren {PARTNERS[partner]} moet een getal van 0 of meer zijn")
    for code in sorted(codes - seen):
        p.append(f"{code}: ontbreekt (elke activiteit krijgt een status)")
    return p


def submit_report(
    eng: Engine,
    actor: Actor,
    wijk: str,
    jaar: int,
    halfjaar: int,
    regels: Sequence[StatusLine],
    goed: str = "",
    niet_goed: str = "",
    vragen: str = "",
    via: str = "app",
    correctie_reden: str | None = None,
    vandaag: dt.date | None = None,
    nu: dt.datetime | None = None,
) -> Report:
    """Submit the status report of ``wijk`` for half-year ``halfjaar`` of ``jaar`` as a whole.

    The first submission is version 1; a later one is a correction (a new version, ``correctie_reden``
    required); earlier versions stay and are read-only. A half-year that has not started is refused."""
    _check_wijk(wijk)
    _check_year(jaar)
    if halfjaar not in (1, 2):
        raise ValueError("halfjaar is 1 of 2")
    if via not in ("app", "excel"):
        raise ValueError("via is app of excel")
    today = vandaag or dt.datetime.now(AMSTERDAM).date()
    if half_year_start(jaar, halfjaar) > today:
        raise ValueError(f"Het {halfjaar}e halfjaar van {jaar} is nog niet begonnen.")
    texts = {
        "goed": _text(goed, "Wat ging goed"),
        "niet_goed": _text(niet_goed, "Wat ging niet goed"),
        "vragen": _text(vragen, "Wat vragen we van de regiegroep"),
    }
    when = _now(actor, nu)
    made: list[int] = []

    def write(conn: Connection) -> Change:
        plan = _plans(conn, [jaarplannen.c.wijk_code == wijk, jaarplannen.c.jaar == jaar], with_history=False)
        if not plan:
            raise ValueError(
                f"Er is geen jaarplan {jaar} voor deze wijk: een rapportage gaat over de activiteiten daarvan."
            )
        problems = line_problems(plan[0], regels)
        if problems:
            raise ValueError("De rapportage is niet compleet of klopt niet: " + "; ".join(problems[:20]))
        versie = (
            conn.execute(
                select(func.max(statusrapporten.c.versie)).where(
                    statusrapporten.c.wijk_code == wijk,
                    statusrapporten.c.jaar == jaar,
                    statusrapporten.c.halfjaar == halfjaar,
                )
            ).scalar()
            or 0
        ) + 1
        reason = (correctie_reden or "").strip() or None
        if versie > 1 and not reason:
            raise ValueError(
                "Deze rapportage is al ingediend; een correctie wordt een nieuwe versie en heeft een reden nodig."
            )
        if reason:
            _text(reason, "De reden van de correctie")
        rid = conn.execute(
            insert(statusrapporten).values(
                wijk_code=wijk,
                jaar=jaar,
                halfjaar=halfjaar,
                versie=versie,
                ingediend_op=when,
                ingediend_door=actor.email,
                via=via,
                correctie_reden=reason if versie > 1 else None,
                **texts,
            )
        ).inserted_primary_key[0]
        made.append(rid)
        for r in regels:
            conn.execute(
                insert(status_regels).values(
                    rapport_id=rid,
                    activiteit_code=r.activiteit_code,
                    status=r.status,
                    procent=r.procent,
                    toelichting=(r.toelichting or "").strip(),
                )
            )
            for partner, uren in r.uren.items():
                if _number(uren):
                    conn.execute(
                        insert(status_uren).values(
                            rapport_id=rid,
                            activiteit_code=r.activiteit_code,
                            partner=partner,
                            uren=float(uren),
                        )
                    )
        return Change(
            "statusrapport",
            f"{wijk}/{jaar}-H{halfjaar}",
            nieuw={
                "versie": versie,
                "via": via,
                "correctie_reden": reason if versie > 1 else None,
                "statussen": {r.activiteit_code: r.status for r in regels},
            },
        )

    perform(eng, actor, "status.indienen", wijk, Change("statusrapport", f"{wijk}/{jaar}-H{halfjaar}"), write)
    with eng.connect() as conn:
        return _reports(conn, [statusrapporten.c.id == made[0]], alle_versies=True)[0]


# ------------------------------------------------------------------------------------------ schedule


@dataclass(frozen=True)
class ReportingState:
    """Where a wijk stands with the report of one half-year."""

    wijk_code: str
    jaar: int
    halfjaar: int
    stand: str  # op tijd | te laat ingediend | verwacht | te laat | nog niet | niet verwacht
    deadline: dt.date
    ingediend_op: dt.datetime | None
    # the date the report counts as filed on: its Dutch date, or ``vandaag`` when that is earlier (a fixed date)
    geteld_op: dt.date | None = None

    @property
    def dagen_te_laat(self) -> int:
        """Days after the deadline it was filed (filed late), or has been open (late); else 0."""
        if self.geteld_op is not None:
            return max(0, (self.geteld_op - self.deadline).days)
        return 0

    @property
    def ingediend(self) -> bool:
        return self.ingediend_op is not None

    @property
    def label(self) -> str:
        return f"{self.halfjaar}e halfjaar {self.jaar}"


def reporting_state(
    wijk: str,
    jaar: int,
    halfjaar: int,
    vandaag: dt.date,
    termijn_dagen: int,
    ingediend_op: dt.datetime | None,
    verwacht: bool = True,
) -> ReportingState:
    """The rule, in one place: a report is expected of a wijk with an adopted jaarplan for that year
    (``verwacht``; see :func:`adopted`), due from 1 July / 1 January and late after the grace period; a
    report submitted after its deadline stays marked 'te laat ingediend'. Not expected and not filed:
    'niet verwacht'."""
    last = deadline(jaar, halfjaar, termijn_dagen)
    if ingediend_op is None and not verwacht:
        return ReportingState(wijk, jaar, halfjaar, "niet verwacht", last, None)
    if ingediend_op is not None:
        # the deadline is a Dutch calendar date: 00:30 on 12 August in Amsterdam is after 11 August
        # judged as on ``vandaag``: a report in the store was filed by then (with a fixed date, the demo's,
        # a report filed today counts as filed on that date)
        geteld = min(local_date(ingediend_op), vandaag)
        stand = "op tijd" if geteld <= last else "te laat ingediend"
        return ReportingState(wijk, jaar, halfjaar, stand, last, ingediend_op, geteld)
    if vandaag < due_from(jaar, halfjaar):
        stand = "nog niet"
    elif vandaag <= last:
        stand = "verwacht"
    else:
        stand = "te laat"
    return ReportingState(wijk, jaar, halfjaar, stand, last, ingediend_op)


def adopted(eng: Engine) -> set[tuple[str, int]]:
    """(wijk, year) of every adopted jaarplan: where half-yearly reports are expected."""
    with eng.connect() as conn:
        return {
            (w, int(y))
            for w, y in conn.execute(
                select(jaarplannen.c.wijk_code, jaarplannen.c.jaar).where(
                    jaarplannen.c.status == "vastgesteld"
                )
            )
        }


def current_states(
    eng: Engine, wijken: Sequence[str], vandaag: dt.date, termijn_dagen: int
) -> list[ReportingState]:
    """Per wijk, the report of the last ended half-year on ``vandaag`` (the Regiegroep's question: who has
    and has not reported?), by the one rule of :func:`reporting_state`."""
    y, h = last_ended_half(vandaag)
    first = first_submissions(eng)
    plans = adopted(eng)
    return [
        reporting_state(w, y, h, vandaag, termijn_dagen, first.get((w, y, h)), verwacht=(w, y) in plans)
        for w in wijken
    ]


def reporting_overview(
    eng: Engine, wijken: Sequence[str], vandaag: dt.date, termijn_dagen: int, vanaf_jaar: int | None = None
) -> list[ReportingState]:
    """Every half-year with a jaarplan (from ``vanaf_jaar``) up to the last ended one, per wijk."""
    first = first_submissions(eng)
    plans = adopted(eng)
    tot = last_ended_half(vandaag)
    out = []
    for wijk in wijken:
        for y, h in halves_until(vanaf_jaar or 2000, tot):
            if (wijk, y) in plans or (wijk, y, h) in first:
                out.append(reporting_state(wijk, y, h, vandaag, termijn_dagen, first.get((wijk, y, h))))
    return out


# ------------------------------------------------------------------------------------------ progress


def on_track(a: Activity, line: StatusLine | None, halfjaar: int) -> bool | None:
    """Is an activity on track at the end of a half-year? None: no status reported."""
    if line is None:
        return None
    if line.status in ("loopt", "afgerond"):
        return True
    if line.status == "niet gestart":
        return a.start_maand > (6 if halfjaar == 1 else 12)  # not planned to start yet
    return False  # vertraagd, vervallen


@dataclass(frozen=True)
class Progress:
    activiteiten: int
    gerapporteerd: int
    op_koers: int
    per_status: dict[str, int]

    @property
    def aandeel_op_koers(self) -> float | None:
        return self.op_koers / self.gerapporteerd if self.gerapporteerd else None


def progress(plan: Plan, report: Report | None) -> Progress:
    per_status = dict.fromkeys(ACTIVITY_STATUS, 0)
    reported = track = 0
    for a in plan.actief:
        line = report.line(a.code) if report else None
        ok = on_track(a, line, report.halfjaar if report else 1)
        if ok is None:
            continue
        reported += 1
        track += ok
        per_status[line.status] += 1
    return Progress(len(plan.actief), reported, track, per_status)


def hours_per_partner(plan: Plan, reports: Sequence[Report]) -> dict[str, tuple[float, float]]:
    """Planned (active activities) and spent (newest version of each half-year) hours per partner."""
    planned: dict[str, float] = {}
    for a in plan.actief:
        for p, h in a.uren.items():
            planned[p] = planned.get(p, 0.0) + h
    spent: dict[str, float] = {}
    for r in reports:
        if r.wijk_code == plan.wijk_code and r.jaar == plan.jaar:
            for line in r.regels:
                for p, h in line.uren.items():
                    spent[p] = spent.get(p, 0.0) + h
    return {p: (planned.get(p, 0.0), spent.get(p, 0.0)) for p in PARTNERS if p in planned or p in spent}


# ------------------------------------------------------------------------------------------ settings


def _setting(eng: Engine, key: str) -> str | None:
    with eng.connect() as conn:
        return conn.execute(select(instellingen.c.waarde).where(instellingen.c.sleutel == key)).scalar()


def termijn_dagen(eng: Engine) -> int:
    """The grace period (days) after a half-year before its report is late (setting; default 42)."""
    value = _setting(eng, SETTING_TERMIJN)
    try:
        n = int(value) if value is not None else DEFAULT_TERMIJN_DAGEN
    except ValueError:
        return DEFAULT_TERMIJN_DAGEN
    return n if 0 < n <= 366 else DEFAULT_TERMIJN_DAGEN


def peildatum(eng: Engine) -> dt.date | None:
    """A fixed "today" (the demo's), or None: the real date."""
    value = _setting(eng, SETTING_PEILDATUM)
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def vandaag(eng: Engine) -> dt.date:
    return peildatum(eng) or dt.datetime.now(AMSTERDAM).date()


def set_setting(eng: Engine, actor: Actor, key: str, value: str | None) -> None:
    """Set (or clear, with None/"") the grace period or the fixed date; beheerder only."""
    if key == SETTING_TERMIJN:
        try:
            n = int(str(value).strip())
        except ValueError:
            raise ValueError("De termijn is een aantal dagen (1 t/m 366).") from None
        if not 0 < n <= 366:
            raise ValueError("De termijn is een aantal dagen (1 t/m 366).")
        value = str(n)
    elif key == SETTING_PEILDATUM:
        if value:
            try:
                value = dt.date.fromisoformat(str(value).strip()).isoformat()
            except ValueError:
                raise ValueError("De peildatum is een datum als 2025-09-15, of leeg.") from None
    else:
        raise ValueError(f"onbekende instelling {key[:40]!r}")
    write_setting(eng, actor, key, value)


def write_setting(eng: Engine, actor: Actor, key: str, value: str | None) -> None:
    """Write a checked setting of the records store (``instelling.wijzigen``: beheerder); None/"" clears it."""
    when = dt.datetime.now(dt.UTC)

    def write(conn: Connection) -> Change:
        old = conn.execute(select(instellingen.c.waarde).where(instellingen.c.sleutel == key)).scalar()
        conn.execute(delete(instellingen).where(instellingen.c.sleutel == key))
        if value:
            conn.execute(
                insert(instellingen).values(
                    sleutel=key, waarde=value, gewijzigd_op=when, gewijzigd_door=actor.email
                )
            )
        return Change("instelling", key, oud=old, nieuw=value or None)

    perform(eng, actor, "instelling.wijzigen", None, Change("instelling", key, nieuw=value), write)
