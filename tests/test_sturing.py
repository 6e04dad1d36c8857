"""Steering records (#15) on the server side, on SQLite and PostgreSQL: who may record meetings and decisions,
enter capacity, save, advise, adopt or send back a distribution, propose and adopt a normering, keep the
action list and the agreements (a matrix over every write and nine kinds of actor, with the refusals and
their audit rows); the workflow and its conflicts with the state on screen; the decision and the step in one
transaction; append-only decisions; text stored as given; the measured agreements at their boundaries; the
overdue actions; and the need formula's settings.

One records store per backend for the whole module (PostgreSQL is a real server): every test works in wijken
of its own (fresh wijk codes), years of its own (capacity and distributions are per year) and indicators of
its own, so the tests do not see each other's records. Only the settings test, which reads store-wide
settings, gets a fresh store of its own (``records_url``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from wijkmonitor.records import auditlog, users
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records import sturing as st
from wijkmonitor.records.authz import RULES, Actor, Refused
from wijkmonitor.records.jaarplannen import Activity
from wijkmonitor.records.store import open_store
from wijkmonitor.records.sturing import Action, Agreement, Delivery, Result
from wijkmonitor.records.tables import besluiten, metadata

SYSTEM = Actor.command("test")
JAAR = 2024
MEETING = dt.date(2024, 3, 14)
OTHER_WIJK = "WK099998"
PAGE = "Sturing"
_numbers = itertools.count(200001)


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def eng(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One records store per backend for this module (the tests use fresh wijk codes, years, indicators)."""
    if request.param == "sqlite":
        engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('sturing')}/records.sqlite")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database()
    engine = open_store(server.url(name))
    yield engine
    engine.dispose()
    server.drop_database(name)


@pytest.fixture(scope="module")
def years(eng) -> itertools.count:
    """Fresh years for this store (capacity and distributions are per year; the store accepts 2000-2100)."""
    return itertools.count(2001)


@pytest.fixture(scope="module")
def roster(eng) -> dict[str, str]:
    """The module's users who do not belong to one wijk: kind -> e-mail (the team of a wijk is per test)."""
    people = {
        "team andere wijk": ("team-andere-wijk@gemeente.example", [f"team:{OTHER_WIJK}"]),
        "regiegroep": ("regie@gemeente.example", ["regiegroep"]),
        "stuurgroep": ("stuur@gemeente.example", ["stuurgroep"]),
        "beheerder": ("beheer@gemeente.example", ["beheerder"]),
        "partner:politie": ("politie@politie.example", ["partner:politie"]),
        "partner:corporatie": ("corporatie@corporatie.example", ["partner:corporatie"]),
        "zonder rollen": ("zonder-rollen@gemeente.example", []),
        # an inactive user keeps every role it had, and may still do nothing at all
        "inactief": (
            "inactief@gemeente.example",
            ["regiegroep", "stuurgroep", "partner:politie", "partner:corporatie"],
        ),
    }
    for email, roles in people.values():
        users.add_user(eng, SYSTEM, email, email.split("@")[0], roles)
    users.set_active(eng, SYSTEM, people["inactief"][0], False)
    return {kind: email for kind, (email, _) in people.items()}


# ------------------------------------------------------------------------------------------ helpers


def new_wijk() -> str:
    return f"WK{next(_numbers):06d}"


def page(email: str) -> Actor:
    return Actor.page(email, PAGE)


def team_user(eng, wijk: str) -> str:
    email = f"team-{wijk.lower()}@gemeente.example"
    users.add_user(eng, SYSTEM, email, f"Team {wijk}", [f"team:{wijk}"])
    return email


def plan_in_advies(eng, wijk: str, jaar: int = JAAR) -> jp.Plan:
    """A jaarplan of ``wijk`` at the stuurgroep ('advies'), made by the system along the workflow."""
    acts = [Activity("A01", "Buurtschouw", "veiligheid", "gemeente", 1, 12, uren={"gemeente": 10.0})]
    jp.save_activities(eng, SYSTEM, wijk, jaar, acts)
    jp.transition(eng, SYSTEM, wijk, jaar, "concept", "ingediend")
    jp.transition(eng, SYSTEM, wijk, jaar, "ingediend", "advies", toelichting="Advies: akkoord.")
    plan = jp.get_plan(eng, wijk, jaar)
    assert plan is not None and plan.status == "advies"
    return plan


def n_audit(eng) -> int:
    return auditlog.count(eng)


def newest(eng) -> dict:
    return auditlog.entries(eng, limit=1)[0]


SNAPSHOT_TABLES = [t for t in metadata.sorted_tables if t.name != "audit"]


def snapshot(eng) -> dict[str, list[tuple]]:
    """Every row of every records table but the audit trail (a refused or failed write changes none)."""
    out = {}
    with eng.connect() as conn:
        for table in SNAPSHOT_TABLES:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    return out


def n_decisions(eng) -> int:
    with eng.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(besluiten)).scalar_one()


@pytest.fixture
def unchanged(eng):
    """``with unchanged():`` asserts that the block changed no record and wrote no audit row."""

    class _Unchanged:
        def __call__(self):
            return self

        def __enter__(self):
            self.rows, self.n = snapshot(eng), n_audit(eng)
            return self

        def __exit__(self, *exc) -> None:
            if exc[0] is None:
                assert snapshot(eng) == self.rows
                assert n_audit(eng) == self.n

    return _Unchanged()


def stuurgroep_meeting(eng, datum: dt.date = MEETING) -> int:
    return st.record_meeting(eng, SYSTEM, "stuurgroep", datum, aanwezig=["gemeente", "politie"])


def capacity(eng, jaar: int, **uren: int) -> None:
    for partner, n in uren.items():
        st.set_capacity(eng, SYSTEM, partner, jaar, n)


def scenario(eng, jaar: int, wijk: str, naam: str = "Scenario A", halfjaar: int = 1, uren: int = 10) -> int:
    return st.save_scenario(eng, SYSTEM, jaar, halfjaar, naam, {("politie", wijk): uren}, {wijk: 1.0})


def advised(eng, jaar: int, wijk: str, naam: str = "Scenario A", halfjaar: int = 1) -> int:
    vid = scenario(eng, jaar, wijk, naam, halfjaar)
    st.advise_distribution(eng, SYSTEM, vid, f"Advies: {naam}.")
    return vid


BANDEN = [(0, "laag"), (10.5, "midden"), (20, "hoog")]


# ------------------------------------------------------------------------------------------ 1. the matrix

ACTORS = (
    "team",
    "team andere wijk",
    "regiegroep",
    "stuurgroep",
    "beheerder",
    "partner:politie",
    "partner:corporatie",
    "zonder rollen",
    "inactief",
)


@dataclass(frozen=True)
class Write:
    action: str  # the authz action it is recorded under
    allowed: frozenset[str]  # the kinds of actor who may do it
    setup: Callable  # (eng, ctx): what the system prepares (a meeting, a scenario, ...)
    do: Callable  # (eng, actor, ctx): the write itself
    done: Callable  # (eng, ctx, email): asserts the write happened, by ``email``


def _nothing(eng, c) -> None:
    pass


def _meeting_write(niveau: str, allowed: set[str]) -> Write:
    def do(eng, a, c) -> None:
        wijk = c.wijk if niveau == "team" else None
        c.id = st.record_meeting(eng, a, niveau, MEETING, wijk, ["politie"], "v2024.3", "Verslag")

    def done(eng, c, email) -> None:
        m = st.get_meeting(eng, c.id)
        wijk = c.wijk if niveau == "team" else None
        assert (m.niveau, m.wijk_code, m.datum, m.aanwezig, m.data_versie, m.notities, m.aangemaakt_door) == (
            niveau,
            wijk,
            MEETING,
            ("politie",),
            "v2024.3",
            "Verslag",
            email,
        )
        assert m.besluiten == ()

    return Write("vergadering.vastleggen", frozenset(allowed), _nothing, do, done)


def _decision_write(niveau: str, allowed: set[str]) -> Write:
    def setup(eng, c) -> None:
        c.mid = st.record_meeting(eng, SYSTEM, niveau, MEETING, c.wijk if niveau == "team" else None)

    def do(eng, a, c) -> None:
        c.id = st.decide(eng, a, c.mid, "Buurtbudget", "Het buurtbudget gaat naar de speeltuin.")

    def done(eng, c, email) -> None:
        (d,) = st.get_meeting(eng, c.mid).besluiten
        assert (d.id, d.soort, d.onderwerp, d.tekst, d.aangemaakt_door) == (
            c.id,
            "overig",
            "Buurtbudget",
            "Het buurtbudget gaat naar de speeltuin.",
            email,
        )

    return Write("besluit.nemen", frozenset(allowed), setup, do, done)


def _capacity_write(partner: str) -> Write:
    def setup(eng, c) -> None:
        c.jaar = next(c.years)
        capacity(eng, c.jaar, **{partner: 100})  # an update, not only a first entry

    def do(eng, a, c) -> None:
        st.set_capacity(eng, a, partner, c.jaar, "120")

    def done(eng, c, email) -> None:
        assert st.capacities(eng, c.jaar) == {partner: 120}

    return Write("capaciteit.schrijven", frozenset({"regiegroep", f"partner:{partner}"}), setup, do, done)


def _setup_capacity(eng, c) -> None:
    c.jaar = next(c.years)
    capacity(eng, c.jaar, politie=10)


def _do_scenario(eng, a, c) -> None:
    c.id = st.save_scenario(eng, a, c.jaar, 2, "Scenario B", {("politie", c.wijk): 10}, {c.wijk: 1.5})


def _done_scenario(eng, c, email) -> None:
    d = st.get_distribution(eng, c.id)
    assert (d.jaar, d.halfjaar, d.naam, d.status, d.uren, d.behoefte, d.aangemaakt_door) == (
        c.jaar,
        2,
        "Scenario B",
        "scenario",
        {("politie", c.wijk): 10},
        {c.wijk: 1.5},
        email,
    )


def _setup_scenario(eng, c) -> None:
    _setup_capacity(eng, c)
    c.vid = scenario(eng, c.jaar, c.wijk)


def _setup_advised(eng, c) -> None:
    _setup_capacity(eng, c)
    c.vid = advised(eng, c.jaar, c.wijk)
    c.mid = stuurgroep_meeting(eng)


def _done_advised(eng, c, email) -> None:
    d = st.get_distribution(eng, c.vid)
    assert (d.status, d.advies) == ("advies", "Advies van de regiegroep: scenario A.")


def _done_adopted(eng, c, email) -> None:
    d = st.get_distribution(eng, c.vid)
    assert d.status == "vastgesteld" and st.adopted_distribution(eng, c.jaar) == d
    assert (d.besluit.vergadering_id, d.besluit.soort, d.besluit.aangemaakt_door) == (
        c.mid,
        "verdeling",
        email,
    )


def _done_rejected(eng, c, email) -> None:
    d = st.get_distribution(eng, c.vid)
    assert d.status == "afgewezen" and d.advies.endswith("Teruggestuurd door de stuurgroep: Te weinig uren.")
    assert st.adopted_distribution(eng, c.jaar) is None


def _setup_indicator(eng, c) -> None:
    c.ind = f"ind_{c.wijk.lower()}"


def _done_proposed(eng, c, email) -> None:
    (n,) = st.list_norms(eng, c.ind)
    assert (n.id, n.banden, n.status, n.toelichting, n.aangemaakt_door) == (
        c.id,
        ((0.0, "laag"), (10.5, "midden"), (20.0, "hoog")),
        "voorstel",
        "Zoals besproken.",
        email,
    )


def _setup_proposed(eng, c) -> None:
    _setup_indicator(eng, c)
    c.nid = st.propose_norm(eng, SYSTEM, c.ind, BANDEN)
    c.mid = stuurgroep_meeting(eng)


def _done_norm_adopted(eng, c, email) -> None:
    (n,) = st.list_norms(eng, c.ind)
    assert n.status == "vastgesteld" and st.adopted_norms(eng)[c.ind] == n.banden
    assert (n.besluit.vergadering_id, n.besluit.soort, n.besluit.aangemaakt_door) == (
        c.mid,
        "normering",
        email,
    )


def _done_norm_rejected(eng, c, email) -> None:
    (n,) = st.list_norms(eng, c.ind)
    assert n.status == "afgewezen" and n.toelichting.endswith("Teruggestuurd door de stuurgroep: Te streng.")
    assert c.ind not in st.adopted_norms(eng)


def _do_action(eng, a, c) -> None:
    c.id = st.save_action(eng, a, Action("Hangplek aanpakken", "politie", "wijkagent", c.wijk, MEETING))


def _done_action(eng, c, email) -> None:
    (x,) = st.list_actions(eng, c.wijk)
    assert (x.id, x.omschrijving, x.partner, x.rol, x.wijk_code, x.deadline, x.status) == (
        c.id,
        "Hangplek aanpakken",
        "politie",
        "wijkagent",
        c.wijk,
        MEETING,
        "open",
    )


def _do_agreement(eng, a, c) -> None:
    c.id = st.save_agreement(eng, a, Agreement(f"Schouw in {c.wijk}", "corporatie", "elk kwartaal"))


def _done_agreement(eng, c, email) -> None:
    found = [x for x in st.list_agreements(eng) if x.id == c.id]
    assert found == [Agreement(f"Schouw in {c.wijk}", "corporatie", "elk kwartaal", id=c.id)]


def _setup_agreement(eng, c) -> None:
    c.aid = st.save_agreement(eng, SYSTEM, Agreement(f"Schouw in {c.wijk}", "corporatie", "elk kwartaal"))


def _done_checked(eng, c, email) -> None:
    found = [r for r in st.manual_results(eng) if r.afspraak_id == c.aid]
    assert found == [Result(c.aid, "2024-H1", "niet nagekomen", "Eén schouw gemist.", False, email)]


def _setup_plan(eng, c) -> None:
    plan_in_advies(eng, c.wijk)
    c.mid = stuurgroep_meeting(eng)


def _done_plan(eng, c, email) -> None:
    plan = jp.get_plan(eng, c.wijk, JAAR)
    assert (plan.status, plan.vastgesteld_op, plan.stappen[-1].door) == ("vastgesteld", MEETING, email)
    (d,) = st.get_meeting(eng, c.mid).besluiten
    assert (d.soort, d.onderwerp, d.aangemaakt_door) == ("jaarplan", f"{c.wijk}/{JAAR}", email)


WRITES: dict[str, Write] = {
    "vergadering stuurgroep": _meeting_write("stuurgroep", {"stuurgroep", "regiegroep"}),
    "vergadering regiegroep": _meeting_write("regiegroep", {"regiegroep"}),
    "teamoverleg": _meeting_write("team", {"team"}),
    "besluit stuurgroep": _decision_write("stuurgroep", {"stuurgroep"}),
    "besluit regiegroep": _decision_write("regiegroep", {"regiegroep"}),
    "besluit team": _decision_write("team", {"team"}),
    "capaciteit politie": _capacity_write("politie"),
    "capaciteit corporatie": _capacity_write("corporatie"),
    "scenario": Write(
        "verdeling.opslaan", frozenset({"regiegroep"}), _setup_capacity, _do_scenario, _done_scenario
    ),
    "verdeling adviseren": Write(
        "verdeling.adviseren",
        frozenset({"regiegroep"}),
        _setup_scenario,
        lambda eng, a, c: st.advise_distribution(eng, a, c.vid, "Advies van de regiegroep: scenario A."),
        _done_advised,
    ),
    "verdeling vaststellen": Write(
        "verdeling.vaststellen",
        frozenset({"stuurgroep"}),
        _setup_advised,
        lambda eng, a, c: st.adopt_distribution(eng, a, c.vid, c.mid),
        _done_adopted,
    ),
    "verdeling terugsturen": Write(
        "verdeling.vaststellen",
        frozenset({"stuurgroep"}),
        _setup_advised,
        lambda eng, a, c: st.reject_distribution(eng, a, c.vid, "Te weinig uren."),
        _done_rejected,
    ),
    "normering voorstellen": Write(
        "normering.voorstellen",
        frozenset({"regiegroep"}),
        _setup_indicator,
        lambda eng, a, c: setattr(c, "id", st.propose_norm(eng, a, c.ind, BANDEN, "Zoals besproken.")),
        _done_proposed,
    ),
    "normering vaststellen": Write(
        "normering.vaststellen",
        frozenset({"stuurgroep"}),
        _setup_proposed,
        lambda eng, a, c: st.adopt_norm(eng, a, c.nid, c.mid),
        _done_norm_adopted,
    ),
    "normering terugsturen": Write(
        "normering.vaststellen",
        frozenset({"stuurgroep"}),
        _setup_proposed,
        lambda eng, a, c: st.reject_norm(eng, a, c.nid, "Te streng."),
        _done_norm_rejected,
    ),
    "actie": Write(
        "actie.schrijven", frozenset({"regiegroep", "stuurgroep"}), _nothing, _do_action, _done_action
    ),
    "afspraak": Write(
        "afspraak.schrijven",
        frozenset({"regiegroep", "stuurgroep"}),
        _nothing,
        _do_agreement,
        _done_agreement,
    ),
    "afspraak toetsen": Write(
        "afspraak.toetsen",
        frozenset({"regiegroep"}),
        _setup_agreement,
        lambda eng, a, c: st.check_agreement(
            eng, a, c.aid, "2024-H1", "niet nagekomen", "Eén schouw gemist."
        ),
        _done_checked,
    ),
    "jaarplan vaststellen": Write(
        "jaarplan.vaststellen",
        frozenset({"stuurgroep"}),
        _setup_plan,
        lambda eng, a, c: st.adopt_plan(eng, a, c.wijk, JAAR, c.mid),
        _done_plan,
    ),
}


def test_the_matrix_covers_every_steering_rule() -> None:
    """Every action #15 added to authz.RULES (from 'vergadering.vastleggen' up to #16's snapshot rule, which
    tests/test_snapshots.py covers) is in the matrix."""
    names = list(RULES)
    steering = set(names[names.index("vergadering.vastleggen") : names.index("momentopname.maken")])
    assert {w.action for w in WRITES.values()} == steering | {"jaarplan.vaststellen"}
    assert all(w.allowed <= set(ACTORS) for w in WRITES.values())


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("what", list(WRITES))
def test_steering_write_per_role(eng, roster, years, unchanged, what: str, who: str) -> None:
    w = WRITES[what]
    c = SimpleNamespace(wijk=new_wijk(), years=years)
    w.setup(eng, c)
    email = team_user(eng, c.wijk) if who == "team" else roster[who]
    before = n_audit(eng)
    if who in w.allowed:
        w.do(eng, page(email), c)
        w.done(eng, c, email)
        assert n_audit(eng) == before + 1
        row = newest(eng)
        assert (row["actor"], row["actie"], row["uitkomst"], row["via"], row["reden"]) == (
            email,
            w.action,
            "uitgevoerd",
            f"pagina:{PAGE}",
            None,
        )
    else:
        rows = snapshot(eng)
        with pytest.raises(Refused, match="Dit mag u niet"):
            w.do(eng, page(email), c)
        assert snapshot(eng) == rows  # nothing changed
        assert n_audit(eng) == before + 1
        row = newest(eng)
        assert (row["actor"], row["actie"], row["uitkomst"], row["via"]) == (
            email,
            w.action,
            "geweigerd",
            f"pagina:{PAGE}",
        )
        assert row["reden"].startswith(f"{email} heeft geen recht op {w.action}")
        if who in ("zonder rollen", "inactief"):
            assert row["rollen"] == ""  # an inactive user has no roles at the moment of writing


def test_a_withdrawn_role_is_refused_at_once(eng, roster, years) -> None:
    wijk, jaar = new_wijk(), next(years)
    email = f"regie-{wijk.lower()}@gemeente.example"
    users.add_user(eng, SYSTEM, email, "Secretaris", ["regiegroep", "partner:politie"])
    regie = page(email)
    st.set_capacity(eng, regie, "corporatie", jaar, 40)  # allowed while the role is there
    mid = st.record_meeting(eng, regie, "regiegroep", MEETING)
    aid = st.save_agreement(eng, regie, Agreement("Elke maand een schouw", "corporatie"))
    users.revoke_role(eng, SYSTEM, email, "regiegroep")  # what the page showed is now stale
    attempts = [
        ("capaciteit.schrijven", lambda: st.set_capacity(eng, regie, "corporatie", jaar, 50)),
        ("vergadering.vastleggen", lambda: st.record_meeting(eng, regie, "regiegroep", MEETING)),
        ("besluit.nemen", lambda: st.decide(eng, regie, mid, "Nog een besluit")),
        ("afspraak.toetsen", lambda: st.check_agreement(eng, regie, aid, "2024-H1", "nagekomen")),
        ("afspraak.schrijven", lambda: st.save_agreement(eng, regie, Agreement("Anders", "politie", id=aid))),
        ("normering.voorstellen", lambda: st.propose_norm(eng, regie, f"ind_{wijk.lower()}", BANDEN)),
        ("actie.schrijven", lambda: st.save_action(eng, regie, Action("Iets doen", "politie"))),
    ]
    rows = snapshot(eng)
    for action, attempt in attempts:
        before = n_audit(eng)
        with pytest.raises(Refused):
            attempt()
        assert n_audit(eng) == before + 1
        row = newest(eng)
        assert (row["actor"], row["actie"], row["uitkomst"], row["rollen"]) == (
            email,
            action,
            "geweigerd",
            "partner:politie",
        )
    assert snapshot(eng) == rows
    assert st.capacities(eng, jaar) == {"corporatie": 40}
    # the role that is left still works: the police's own capacity
    st.set_capacity(eng, regie, "politie", jaar, 7)
    assert st.capacities(eng, jaar) == {"corporatie": 40, "politie": 7}


# ------------------------------------------------------------------------------------------ 2. distributions


def test_only_a_scenario_is_editable_and_a_stale_one_is_refused(eng, roster, years, unchanged) -> None:
    jaar, wijk, wijk2 = next(years), new_wijk(), new_wijk()
    capacity(eng, jaar, politie=10)
    regie = page(roster["regiegroep"])
    vid = st.save_scenario(eng, regie, jaar, 1, "A", {("politie", wijk): 10}, {wijk: 2.0}, {"w": 1})
    seen = st.get_distribution(eng, vid)
    new_hours = {("politie", wijk): 4, ("politie", wijk2): 6}
    assert (
        st.save_scenario(
            eng, regie, jaar, 1, "A2", new_hours, {}, verdeling_id=vid, gezien_op=seen.gewijzigd_op
        )
        == vid
    )
    now = st.get_distribution(eng, vid)
    assert (now.naam, now.uren, now.behoefte, now.status) == ("A2", new_hours, {}, "scenario")
    assert now.gewijzigd_op > seen.gewijzigd_op and now.aangemaakt_op == seen.aangemaakt_op
    # the page that still shows the first version is refused, and nothing is written (no audit row either)
    with unchanged(), pytest.raises(ValueError, match="intussen gewijzigd"):
        st.save_scenario(
            eng,
            regie,
            jaar,
            1,
            "A3",
            {("politie", wijk): 10},
            {},
            verdeling_id=vid,
            gezien_op=seen.gewijzigd_op,
        )
    st.advise_distribution(eng, regie, vid, "Advies: A2.")
    current = st.get_distribution(eng, vid).gewijzigd_op
    for verdeling_id in (vid, 987654321):
        with unchanged(), pytest.raises(ValueError, match="Alleen een scenario"):
            st.save_scenario(
                eng,
                regie,
                jaar,
                1,
                "A4",
                {("politie", wijk): 10},
                {},
                verdeling_id=verdeling_id,
                gezien_op=current,
            )
    assert st.get_distribution(eng, vid).naam == "A2"


def test_a_scenario_saved_over_with_another_year_still_adds_up_to_its_own_capacity(
    eng, roster, years
) -> None:
    jaar, ander_jaar, wijk = next(years), next(years), new_wijk()
    capacity(eng, jaar, politie=10)
    capacity(eng, ander_jaar, politie=99)
    regie = page(roster["regiegroep"])
    vid = st.save_scenario(eng, regie, jaar, 1, "A", {("politie", wijk): 10}, {})
    with contextlib.suppress(ValueError):  # refusing to move a scenario to another year is fine too
        st.save_scenario(eng, regie, ander_jaar, 2, "B", {("politie", wijk): 99}, {}, verdeling_id=vid)
    d = st.get_distribution(eng, vid)
    # the invariant: a stored distribution divides exactly its own year's capacity
    assert d.per_partner() == st.capacities(eng, d.jaar)


def test_advice_needs_its_text_and_a_scenario(eng, roster, years, unchanged) -> None:
    jaar, wijk = next(years), new_wijk()
    capacity(eng, jaar, politie=10)
    vid = scenario(eng, jaar, wijk)
    regie = page(roster["regiegroep"])
    for text in ("", "   \n ", None):
        with unchanged(), pytest.raises(ValueError, match="Het advies is verplicht"):
            st.advise_distribution(eng, regie, vid, text)
    with unchanged(), pytest.raises(ValueError, match="te lang"):
        st.advise_distribution(eng, regie, vid, "x" * (st.MAX_TEXT + 1))
    st.advise_distribution(eng, regie, vid, "  Advies: A.  ")
    assert (st.get_distribution(eng, vid).status, st.get_distribution(eng, vid).advies) == (
        "advies",
        "Advies: A.",
    )
    with unchanged(), pytest.raises(ValueError, match="intussen 'advies regiegroep'"):
        st.advise_distribution(eng, regie, vid, "Nog eens.")
    with unchanged(), pytest.raises(ValueError, match="bestaat niet"):
        st.advise_distribution(eng, regie, 987654321, "Advies.")


def test_adopting_needs_a_stuurgroep_meeting(eng, roster, years, unchanged) -> None:
    jaar, wijk = next(years), new_wijk()
    capacity(eng, jaar, politie=10)
    vid = advised(eng, jaar, wijk)
    stuur = page(roster["stuurgroep"])
    regie_meeting = st.record_meeting(eng, SYSTEM, "regiegroep", MEETING)
    team_meeting = st.record_meeting(eng, SYSTEM, "team", MEETING, wijk)
    for mid in (regie_meeting, team_meeting, 987654321):
        decisions = n_decisions(eng)
        with unchanged(), pytest.raises(ValueError, match="vergadering van de stuurgroep"):
            st.adopt_distribution(eng, stuur, vid, mid, "Vastgesteld.")
        assert n_decisions(eng) == decisions
    d = st.get_distribution(eng, vid)
    assert (d.status, d.besluit) == ("advies", None)
    assert st.adopted_distribution(eng, jaar) is None
    assert st.get_meeting(eng, regie_meeting).besluiten == ()


def test_the_decision_and_the_adoption_are_one_transaction(
    eng, roster, years, unchanged, monkeypatch
) -> None:
    """A failure after the decision row was inserted leaves no decision, and the old distribution in force."""
    jaar, wijk = next(years), new_wijk()
    capacity(eng, jaar, politie=10)
    old = advised(eng, jaar, wijk, "Oud")
    st.adopt_distribution(eng, SYSTEM, old, stuurgroep_meeting(eng))
    vid = advised(eng, jaar, wijk, "Nieuw", halfjaar=2)
    mid = stuurgroep_meeting(eng)
    insert_decision = st._insert_decision

    def fails_after_inserting(*args, **kw):
        insert_decision(*args, **kw)
        raise RuntimeError("de verbinding viel weg")

    monkeypatch.setattr(st, "_insert_decision", fails_after_inserting)
    with unchanged(), pytest.raises(RuntimeError):
        st.adopt_distribution(eng, page(roster["stuurgroep"]), vid, mid)
    assert st.get_meeting(eng, mid).besluiten == ()
    assert st.adopted_distribution(eng, jaar).id == old
    assert st.get_distribution(eng, vid).status == "advies"


def test_a_second_adopted_distribution_replaces_the_first(eng, roster, years) -> None:
    jaar, ander_jaar, wijk = next(years), next(years), new_wijk()
    capacity(eng, jaar, politie=10)
    capacity(eng, ander_jaar, politie=10)
    stuur = page(roster["stuurgroep"])
    elders = advised(eng, ander_jaar, wijk, "Ander jaar")
    st.adopt_distribution(eng, stuur, elders, stuurgroep_meeting(eng))
    first = advised(eng, jaar, wijk, "Voorjaar", halfjaar=1)
    m1 = stuurgroep_meeting(eng, dt.date(jaar, 3, 1))
    st.adopt_distribution(eng, stuur, first, m1)
    d1 = st.get_distribution(eng, first)
    assert st.adopted_distribution(eng, jaar) == d1
    assert (d1.besluit.vergadering_id, d1.besluit.onderwerp) == (
        m1,
        f"verdeling {jaar} ({jaar}-H1): Voorjaar",
    )
    assert d1.besluit.tekst == f"Verdeling van de capaciteit {jaar} vastgesteld op 1 maart {jaar}"
    second = advised(eng, jaar, wijk, "Najaar", halfjaar=2)
    m2 = stuurgroep_meeting(eng, dt.date(jaar, 9, 1))
    st.adopt_distribution(eng, stuur, second, m2, "Herverdeeld na de halfjaarrapportages.")
    by_id = {d.id: d for d in st.list_distributions(eng, jaar)}
    assert (by_id[first].status, by_id[second].status) == ("vervangen", "vastgesteld")
    assert by_id[first].besluit == d1.besluit  # the decision of the first stays what it was
    assert st.adopted_distribution(eng, jaar) == by_id[second]
    assert by_id[second].besluit.tekst == "Herverdeeld na de halfjaarrapportages."
    assert by_id[second].besluit.vergadering_id == m2
    # another year's adopted distribution is not touched
    assert st.adopted_distribution(eng, ander_jaar).id == elders


def test_sending_back_keeps_the_reason(eng, roster, years, unchanged) -> None:
    jaar, wijk = next(years), new_wijk()
    capacity(eng, jaar, politie=10)
    vid = advised(eng, jaar, wijk, "A")
    stuur = page(roster["stuurgroep"])
    with unchanged(), pytest.raises(ValueError, match="De reden is verplicht"):
        st.reject_distribution(eng, stuur, vid, "  ")
    st.reject_distribution(eng, stuur, vid, "De politie-uren in het centrum zijn te laag.")
    d = st.get_distribution(eng, vid)
    assert d.status == "afgewezen" and d.status_label == "teruggestuurd"
    assert (
        d.advies
        == "Advies: A.\n\nTeruggestuurd door de stuurgroep: De politie-uren in het centrum zijn te laag."
    )
    mid = stuurgroep_meeting(eng)
    with unchanged(), pytest.raises(ValueError, match="intussen 'teruggestuurd'"):
        st.adopt_distribution(eng, stuur, vid, mid)
    with unchanged(), pytest.raises(ValueError, match="intussen 'teruggestuurd'"):
        st.reject_distribution(eng, stuur, vid, "Nog eens.")


def test_the_hours_divide_exactly_each_partners_capacity(eng, roster, years, unchanged) -> None:
    jaar, w1, w2 = next(years), new_wijk(), new_wijk()
    capacity(eng, jaar, politie=100, corporatie=50, gemeente=0)
    regie = page(roster["regiegroep"])

    def save(uren):
        return st.save_scenario(eng, regie, jaar, 1, "S", uren, {})

    exact = {("politie", w1): 60, ("politie", w2): 40, ("corporatie", w1): 50}
    vid = save(exact)  # the gemeente's 0 hours need no row
    assert st.get_distribution(eng, vid).per_partner() == {"politie": 100, "corporatie": 50}
    assert save({**exact, ("gemeente", w1): 0}) != vid
    problems = [
        ({**exact, ("politie", w2): 41}, f"Politie: 101 uur verdeeld, maar de capaciteit {jaar} is 100 uur"),
        ({**exact, ("politie", w2): 39}, f"Politie: 99 uur verdeeld, maar de capaciteit {jaar} is 100 uur"),
        ({**exact, ("corporatie", w2): 1}, "Woningcorporatie: 51 uur verdeeld"),
        ({("politie", w1): 100}, "Woningcorporatie: 50 uur capaciteit, niets verdeeld"),
        ({**exact, ("welzijn", w1): 5}, f"Welzijnsorganisatie: geen capaciteit voor {jaar} ingevuld"),
        ({**exact, ("gemeente", w1): 1}, f"Gemeente: 1 uur verdeeld, maar de capaciteit {jaar} is 0 uur"),
    ]
    for uren, message in problems:
        with unchanged(), pytest.raises(ValueError, match=message):
            save(uren)
    # a partner without capacity and with 0 hours is fine (nothing to divide)
    save({**exact, ("welzijn", w1): 0})
    with unchanged(), pytest.raises(ValueError, match="onbekende partner"):
        save({**exact, ("brandweer", w1): 0})
    with unchanged(), pytest.raises(ValueError, match="onbekende wijkcode"):
        save({**exact, ("politie", "centrum"): 0})


BAD_HOURS = [-1, 1.5, st.MAX_HOURS + 1, "tien", True, None, float("nan"), float("inf"), "1e400"]


@pytest.mark.parametrize("uren", BAD_HOURS, ids=repr)
def test_hours_are_whole_numbers_in_range(eng, roster, years, unchanged, uren) -> None:
    jaar, wijk = next(years), new_wijk()
    capacity(eng, jaar, politie=10)
    regie = page(roster["regiegroep"])
    with unchanged(), pytest.raises(ValueError, match="uren"):
        st.set_capacity(eng, regie, "politie", jaar, uren)
    with unchanged(), pytest.raises(ValueError, match="uren"):
        st.save_scenario(eng, regie, jaar, 1, "S", {("politie", wijk): 10, ("politie", OTHER_WIJK): uren}, {})
    assert st.capacities(eng, jaar) == {"politie": 10}


def test_capacity_bounds_and_partner(eng, roster, years, unchanged) -> None:
    jaar = next(years)
    regie = page(roster["regiegroep"])
    st.set_capacity(eng, regie, "politie", jaar, st.MAX_HOURS)
    st.set_capacity(eng, regie, "corporatie", jaar, 0)
    st.set_capacity(eng, regie, "welzijn", jaar, "12.0")
    assert st.capacities(eng, jaar) == {"politie": st.MAX_HOURS, "corporatie": 0, "welzijn": 12}
    with unchanged(), pytest.raises(ValueError, match="onbekende partner"):
        st.set_capacity(eng, regie, "brandweer", jaar, 5)
    with unchanged(), pytest.raises(ValueError, match="ongeldig jaar"):
        st.set_capacity(eng, regie, "politie", 1999, 5)


# ------------------------------------------------------------------------------------------ 2. normering


def test_bands_problems() -> None:
    assert st.bands_problems(BANDEN) == []
    assert st.bands_problems([(-5, "a"), ("0", "b")]) == []  # numbers as text are numbers
    assert st.bands_problems([(i, f"b{i}") for i in range(7)]) == []
    assert st.bands_problems([(i, f"b{i}") for i in range(8)]) == ["een normering heeft 2 tot 7 banden"]
    assert st.bands_problems([(0, "enige")]) == ["een normering heeft 2 tot 7 banden"]
    assert st.bands_problems([]) == ["een normering heeft 2 tot 7 banden"]
    assert st.bands_problems([(0, "a"), (0, "b")]) == [
        "band 2: de ondergrens moet hoger zijn dan die van band 1"
    ]
    assert st.bands_problems([(10, "a"), (5, "b"), (20, "c")]) == [
        "band 2: de ondergrens moet hoger zijn dan die van band 1"
    ]
    assert st.bands_problems([(0, "a"), (1, "x" * st.MAX_LABEL)]) == []
    label = f"band 2: een naam van 1 tot {st.MAX_LABEL} tekens"
    for bad in ("", "   ", None, "x" * (st.MAX_LABEL + 1)):
        assert st.bands_problems([(0, "a"), (1, bad)]) == [label]
    for bad in ("tien", None, float("nan"), float("inf"), "5,5"):
        assert st.bands_problems([(0, "a"), (bad, "b")]) == ["band 2: de ondergrens is geen getal"]


def test_a_bad_proposal_writes_nothing(eng, roster, unchanged) -> None:
    regie = page(roster["regiegroep"])
    ind = f"ind_{new_wijk().lower()}"
    with unchanged(), pytest.raises(ValueError, match="De normering klopt niet: band 2"):
        st.propose_norm(eng, regie, ind, [(10, "hoog"), (0, "laag")])
    with unchanged(), pytest.raises(ValueError, match="onbekende indicator"):
        st.propose_norm(eng, regie, ind, BANDEN, bekende_indicatoren=["iets_anders"])
    with unchanged(), pytest.raises(ValueError, match="De indicator is verplicht"):
        st.propose_norm(eng, regie, " ", BANDEN)
    nid = st.propose_norm(eng, regie, ind, [(0, " laag "), ("10", "hoog")], bekende_indicatoren=[ind])
    assert st.list_norms(eng, ind)[0].banden == ((0.0, "laag"), (10.0, "hoog")) and nid


def test_adopting_a_norm_replaces_the_adopted_one_of_its_indicator(eng, roster, unchanged) -> None:
    ind, other = f"ind_{new_wijk().lower()}", f"ind_{new_wijk().lower()}"
    regie, stuur = page(roster["regiegroep"]), page(roster["stuurgroep"])
    elders = st.propose_norm(eng, regie, other, BANDEN)
    st.adopt_norm(eng, stuur, elders, stuurgroep_meeting(eng))
    n1 = st.propose_norm(eng, regie, ind, BANDEN)
    st.adopt_norm(eng, stuur, n1, stuurgroep_meeting(eng), "Eerste normering.")
    assert st.adopted_norms(eng)[ind] == ((0.0, "laag"), (10.5, "midden"), (20.0, "hoog"))
    n2 = st.propose_norm(eng, regie, ind, [(0, "goed"), (5, "matig"), (15, "slecht")])
    assert st.adopted_norms(eng)[ind] == (
        (0.0, "laag"),
        (10.5, "midden"),
        (20.0, "hoog"),
    )  # a proposal is not
    # adopting in a meeting that is not the stuurgroep's writes nothing
    for mid in (st.record_meeting(eng, SYSTEM, "regiegroep", MEETING), 987654321):
        with unchanged(), pytest.raises(ValueError, match="vergadering van de stuurgroep"):
            st.adopt_norm(eng, stuur, n2, mid)
    m2 = stuurgroep_meeting(eng)
    st.adopt_norm(eng, stuur, n2, m2)
    norms = {n.id: n for n in st.list_norms(eng, ind)}
    assert (norms[n1].status, norms[n2].status) == ("vervangen", "vastgesteld")
    assert st.adopted_norms(eng)[ind] == ((0.0, "goed"), (5.0, "matig"), (15.0, "slecht"))
    assert st.adopted_norms(eng)[other] == ((0.0, "laag"), (10.5, "midden"), (20.0, "hoog"))
    d = norms[n2].besluit
    assert (d.vergadering_id, d.soort, d.onderwerp, d.tekst) == (
        m2,
        "normering",
        f"normering {ind}",
        "Normering vastgesteld",
    )
    assert norms[n1].besluit.tekst == "Eerste normering."
    with unchanged(), pytest.raises(ValueError, match="al behandeld"):
        st.adopt_norm(eng, stuur, n2, m2)
    with unchanged(), pytest.raises(ValueError, match="al behandeld"):
        st.reject_norm(eng, stuur, n1, "Toch niet.")


def test_sending_a_norm_back_keeps_the_reason(eng, roster, unchanged) -> None:
    ind = f"ind_{new_wijk().lower()}"
    nid = st.propose_norm(eng, page(roster["regiegroep"]), ind, BANDEN, "Zoals de gemeente het meet.")
    stuur = page(roster["stuurgroep"])
    with unchanged(), pytest.raises(ValueError, match="De reden is verplicht"):
        st.reject_norm(eng, stuur, nid, "")
    st.reject_norm(eng, stuur, nid, "Sluit aan bij de landelijke normen.")
    (n,) = st.list_norms(eng, ind)
    assert (n.status, n.besluit) == ("afgewezen", None)
    assert (
        n.toelichting
        == "Zoals de gemeente het meet.\n\nTeruggestuurd door de stuurgroep: Sluit aan bij de landelijke normen."
    )


# ------------------------------------------------------------------------------------------ 2. decisions


def test_adopting_a_plan_takes_the_step_and_the_decision_together(eng, roster, unchanged) -> None:
    wijk = new_wijk()
    plan_in_advies(eng, wijk)
    stuur = page(roster["stuurgroep"])
    mid = stuurgroep_meeting(eng, dt.date(2024, 4, 2))
    st.adopt_plan(eng, stuur, wijk, JAAR, mid)
    plan = jp.get_plan(eng, wijk, JAAR)
    step = plan.stappen[-1]
    assert (plan.status, plan.vastgesteld_op) == ("vastgesteld", dt.date(2024, 4, 2))
    assert (step.door, step.van, step.naar, step.vergaderdatum) == (
        stuur.email,
        "advies",
        "vastgesteld",
        dt.date(2024, 4, 2),
    )
    (d,) = st.get_meeting(eng, mid).besluiten
    assert (d.soort, d.onderwerp, d.tekst, d.aangemaakt_door) == (
        "jaarplan",
        f"{wijk}/{JAAR}",
        f"Jaarplan {JAAR} vastgesteld",
        stuur.email,
    )
    assert newest(eng)["actie"] == "jaarplan.vaststellen"
    # a plan that is no longer at the stuurgroep: no step, no decision
    with unchanged(), pytest.raises(ValueError, match="intussen 'vastgesteld'"):
        st.adopt_plan(eng, stuur, wijk, JAAR, mid)
    # a meeting that is not the stuurgroep's: the plan stays at 'advies', no decision anywhere
    other = new_wijk()
    before = plan_in_advies(eng, other)
    for meeting in (
        st.record_meeting(eng, SYSTEM, "regiegroep", MEETING),
        st.record_meeting(eng, SYSTEM, "team", MEETING, other),
        987654321,
    ):
        with unchanged(), pytest.raises(ValueError, match="vergadering van de stuurgroep"):
            st.adopt_plan(eng, stuur, other, JAAR, meeting)
    assert jp.get_plan(eng, other, JAAR) == before


def test_a_failure_after_the_plans_decision_leaves_neither(eng, roster, unchanged, monkeypatch) -> None:
    wijk = new_wijk()
    before = plan_in_advies(eng, wijk)
    mid = stuurgroep_meeting(eng)
    insert_decision = st._insert_decision

    def fails_after_inserting(*args, **kw):
        insert_decision(*args, **kw)
        raise RuntimeError("de verbinding viel weg")

    monkeypatch.setattr(st, "_insert_decision", fails_after_inserting)
    with unchanged(), pytest.raises(RuntimeError):
        st.adopt_plan(eng, page(roster["stuurgroep"]), wijk, JAAR, mid)
    assert jp.get_plan(eng, wijk, JAAR) == before
    assert st.get_meeting(eng, mid).besluiten == ()


def test_decisions_are_append_only(eng, roster) -> None:
    mid = stuurgroep_meeting(eng)
    did = st.decide(eng, page(roster["stuurgroep"]), mid, "Jaarverslag", "Akkoord.")
    before = st.get_meeting(eng, mid).besluiten
    for statement in (
        besluiten.update().where(besluiten.c.id == did).values(tekst="Niet akkoord."),
        besluiten.update().values(aangemaakt_door="iemand@anders.example"),
        besluiten.delete().where(besluiten.c.id == did),
        besluiten.delete(),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), eng.begin() as conn:
            conn.execute(statement)
    assert st.get_meeting(eng, mid).besluiten == before


def test_a_decision_and_a_meeting_need_their_texts(eng, roster, unchanged) -> None:
    stuur = page(roster["stuurgroep"])
    mid = stuurgroep_meeting(eng)
    with unchanged(), pytest.raises(ValueError, match="Het onderwerp is verplicht"):
        st.decide(eng, stuur, mid, "  ")
    with unchanged(), pytest.raises(ValueError, match="bestaat niet"):
        st.decide(eng, stuur, 987654321, "Onderwerp")
    with unchanged(), pytest.raises(ValueError, match="onbekend niveau"):
        st.record_meeting(eng, stuur, "gemeenteraad", MEETING)
    with unchanged(), pytest.raises(ValueError, match="hoort bij een wijk"):
        st.record_meeting(eng, SYSTEM, "team", MEETING)
    with unchanged(), pytest.raises(ValueError, match="datum"):
        st.record_meeting(eng, stuur, "stuurgroep", "2024-03-14")
    with unchanged(), pytest.raises(ValueError, match="onbekende rol"):
        st.record_meeting(eng, stuur, "stuurgroep", MEETING, aanwezig=["politie", "burgemeester"])
    with unchanged(), pytest.raises(ValueError, match="alleen het systeem"):
        st.record_meeting(eng, stuur, "stuurgroep", MEETING, nu=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))


# ------------------------------------------------------------------------------------------ 2. actions, agreements


def test_a_stale_action_is_refused(eng, roster, unchanged) -> None:
    wijk = new_wijk()
    regie = page(roster["regiegroep"])
    aid = st.save_action(eng, regie, Action("Verlichting repareren", "gemeente", "wijkbeheerder", wijk))
    (seen,) = st.list_actions(eng, wijk)
    assert (seen.id, seen.status, seen.deadline) == (aid, "open", None)
    changed = replace(seen, status="loopt", deadline=dt.date(2024, 6, 1), toelichting="Offerte aangevraagd.")
    assert st.save_action(eng, page(roster["stuurgroep"]), changed) == aid
    (now,) = st.list_actions(eng, wijk)
    assert (now.status, now.deadline, now.toelichting) == (
        "loopt",
        dt.date(2024, 6, 1),
        "Offerte aangevraagd.",
    )
    assert now.gewijzigd_op > seen.gewijzigd_op
    # the page that still shows the first version
    with unchanged(), pytest.raises(ValueError, match="intussen gewijzigd"):
        st.save_action(eng, regie, replace(seen, status="gereed"))
    with unchanged(), pytest.raises(ValueError, match="bestaat niet"):
        st.save_action(eng, regie, replace(now, id=987654321))
    with unchanged(), pytest.raises(ValueError, match="vergadering van deze actie bestaat niet"):
        st.save_action(eng, regie, Action("Iets", "politie", vergadering_id=987654321))
    for bad, message in (
        (Action(" ", "politie"), "de actie is verplicht"),
        (Action("Iets", "brandweer"), "onbekende eigenaar"),
        (Action("Iets", "politie", wijk_code="centrum"), "onbekende wijkcode"),
        (Action("Iets", "politie", status="klaar"), "onbekende status"),
        (Action("Iets", "politie", deadline="2024-06-01"), "de deadline is geen datum"),
        (Action("Iets", "politie", rol="r" * 101), "de rol is te lang"),
    ):
        with unchanged(), pytest.raises(ValueError, match=f"De actie klopt niet: {message}"):
            st.save_action(eng, regie, bad)
    assert st.list_actions(eng, wijk) == [now]


def test_checking_an_agreement(eng, roster, unchanged) -> None:
    regie = page(roster["regiegroep"])
    measured = st.save_agreement(
        eng,
        regie,
        Agreement(
            "Politie levert elke 30 dagen",
            "politie",
            meting="levering",
            parameters={"bron": "politie", "elke_dagen": 30},
        ),
    )
    with unchanged(), pytest.raises(ValueError, match="meet de Wijkmonitor zelf"):
        st.check_agreement(eng, regie, measured, "2024-H1", "nagekomen")
    assert [r for r in st.manual_results(eng) if r.afspraak_id == measured] == []
    manual = st.save_agreement(eng, regie, Agreement("Schouw elk kwartaal", "teams"))
    with unchanged(), pytest.raises(ValueError, match="De toelichting is verplicht"):
        st.check_agreement(eng, regie, manual, "2024-H1", "niet nagekomen")
    with unchanged(), pytest.raises(ValueError, match="onbekende status"):
        st.check_agreement(eng, regie, manual, "2024-H1", "half")
    with unchanged(), pytest.raises(ValueError, match="bestaat niet"):
        st.check_agreement(eng, regie, 987654321, "2024-H1", "nagekomen")
    st.check_agreement(eng, regie, manual, "2024-H1", "niet nagekomen", "Alleen in maart.")
    st.check_agreement(eng, regie, manual, "2024-H1", "nagekomen", "Herschouw in juni gedaan.")
    st.check_agreement(eng, regie, manual, "2024-H2", "loopt")
    assert [r for r in st.manual_results(eng) if r.afspraak_id == manual] == [
        Result(manual, "2024-H1", "nagekomen", "Herschouw in juni gedaan.", False, regie.email),
        Result(manual, "2024-H2", "loopt", "", False, regie.email),
    ]


@pytest.mark.parametrize(
    ("meting", "parameters", "message"),
    [
        ("levering", {"elke_dagen": 30}, "een gemeten levering noemt de bron"),
        ("levering", {"bron": "politie; drop", "elke_dagen": 30}, "een gemeten levering noemt de bron"),
        ("levering", {"bron": "politie", "elke_dagen": 0}, "elke_dagen is een heel getal van 1 tot 366"),
        ("levering", {"bron": "politie", "elke_dagen": 367}, "elke_dagen is een heel getal"),
        ("levering", {"bron": "politie", "elke_dagen": True}, "elke_dagen is een heel getal"),
        ("levering", {"bron": "politie", "elke_dagen": "30"}, "elke_dagen is een heel getal"),
        ("levering_na_periode", {"bron": "politie", "elke_dagen": 30}, "binnen_dagen is een heel getal"),
        ("vergaderritme", {"niveau": "team", "per_jaar": 4}, "het vergaderritme geldt de stuurgroep"),
        (
            "vergaderritme",
            {"niveau": "stuurgroep", "per_jaar": 53},
            "per_jaar is een heel getal van 1 tot 52",
        ),
        ("gevoel", {}, "onbekende meting"),
    ],
)
def test_agreement_problems(eng, roster, unchanged, meting: str, parameters: dict, message: str) -> None:
    bad = Agreement("Een afspraak", "politie", meting=meting, parameters=parameters)
    assert any(message in p for p in st.agreement_problems(bad))
    with unchanged(), pytest.raises(ValueError, match="De afspraak klopt niet"):
        st.save_agreement(eng, page(roster["regiegroep"]), bad)


def test_agreements_that_are_fine() -> None:
    for a in (
        Agreement("Schouw", "teams"),
        Agreement("L", "politie", meting="levering", parameters={"bron": "politie_47022", "elke_dagen": 366}),
        Agreement(
            "N",
            "corporatie",
            meting="levering_na_periode",
            parameters={"bron": "corporatie", "binnen_dagen": 1},
        ),
        Agreement(
            "V", "stuurgroep", meting="vergaderritme", parameters={"niveau": "regiegroep", "per_jaar": 52}
        ),
        Agreement("R", "teams", meting="rapportage"),
    ):
        assert st.agreement_problems(a) == []
    assert st.agreement_problems(Agreement("", "brandweer")) == [
        "wat is afgesproken is verplicht",
        "onbekende partij 'brandweer'",
    ]


TRICKY = (
    "# Kop\n\n**vet** _schuin_ [link](javascript:alert(1)) <script>alert('x')</script> <b>&amp;</b>\n"
    "'); DROP TABLE acties; -- \" OR 1=1 %s %(x)s {x} {{ y }} ${z} \\n \u00e9\u00e8 \U0001f3e0"
)


def test_text_is_stored_as_given(eng, roster, years) -> None:
    wijk, jaar = new_wijk(), next(years)
    regie, stuur = page(roster["regiegroep"]), page(roster["stuurgroep"])
    mid = st.record_meeting(eng, regie, "stuurgroep", MEETING, notities=TRICKY, data_versie=TRICKY[:200])
    did = st.decide(eng, stuur, mid, TRICKY[:200], TRICKY)
    m = st.get_meeting(eng, mid)
    assert (m.notities, m.data_versie) == (TRICKY, TRICKY[:200])
    assert (m.besluiten[0].id, m.besluiten[0].onderwerp, m.besluiten[0].tekst) == (did, TRICKY[:200], TRICKY)
    st.save_action(eng, regie, Action(TRICKY, "politie", TRICKY[:100], wijk, toelichting=TRICKY))
    (a,) = st.list_actions(eng, wijk)
    assert (a.omschrijving, a.rol, a.toelichting) == (TRICKY, TRICKY[:100], TRICKY)
    aid = st.save_agreement(eng, regie, Agreement(TRICKY, "politie", TRICKY[:200]))
    assert [(x.omschrijving, x.termijn) for x in st.list_agreements(eng) if x.id == aid] == [
        (TRICKY, TRICKY[:200])
    ]
    st.check_agreement(eng, regie, aid, "2024-H1", "niet nagekomen", TRICKY)
    assert [r.toelichting for r in st.manual_results(eng) if r.afspraak_id == aid] == [TRICKY]
    capacity(eng, jaar, politie=1)
    vid = st.save_scenario(eng, regie, jaar, 1, TRICKY[:200], {("politie", wijk): 1}, {})
    st.advise_distribution(eng, regie, vid, TRICKY)
    d = st.get_distribution(eng, vid)
    assert (d.naam, d.advies) == (TRICKY[:200], TRICKY)
    ind = f"ind_{wijk.lower()}"
    st.propose_norm(eng, regie, ind, [(0, "<b>laag</b>"), (1, "**hoog**")], TRICKY)
    (n,) = st.list_norms(eng, ind)
    assert (n.banden, n.toelichting) == (((0.0, "<b>laag</b>"), (1.0, "**hoog**")), TRICKY)
    with eng.connect() as conn:  # and the tables are all still there
        assert conn.execute(sa.select(sa.func.count()).select_from(st.acties)).scalar_one() >= 1


# ------------------------------------------------------------------------------------------ 3. measuring


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Every 30 days from 20 June 2024: 20 Jun -> 20 Jul (10 + 20 = 30 days), -> 19 Aug (11 + 19), -> 18 Sep
# (12 + 18), -> 18 Oct (12 + 18), -> 17 Nov (13 + 17), -> 17 Dec (13 + 17); 17 Dec -> 31 Dec is 14 days.
EVERY_30 = [
    day(x)
    for x in (
        "2024-06-20",
        "2024-07-20",
        "2024-08-19",
        "2024-09-18",
        "2024-10-18",
        "2024-11-17",
        "2024-12-17",
    )
]


def test_rhythm_a_gap_of_exactly_n_days_is_kept() -> None:
    # H2 2024 has ended on 10 January 2025: six deliveries in it, the longest gap 30 days (20 Jun -> 20 Jul)
    r = st.measure_rhythm(1, EVERY_30, 30, 2024, 2, day("2025-01-10"))
    assert r == Result(
        1,
        "2024-H2",
        "nagekomen",
        "6 leveringen; langste tussenpoos 30 dagen (afgesproken: elke 30 dagen)",
        True,
    )
    # the same gaps against 29 days: the first 30-day gap is named
    r = st.measure_rhythm(1, EVERY_30, 29, 2024, 2, day("2025-01-10"))
    assert r.status == "niet nagekomen"
    assert r.toelichting == (
        "6 leveringen; langste tussenpoos 30 dagen (20 juni 2024 tot 20 juli 2024; afgesproken: elke 29 dagen)"
    )


def test_rhythm_a_gap_of_n_plus_one_days_is_not() -> None:
    # 19 Aug -> 19 Sep is 31 days (12 + 19); 19 Sep -> 18 Oct is 29
    late = [x if x != day("2024-09-18") else day("2024-09-19") for x in EVERY_30]
    r = st.measure_rhythm(1, late, 30, 2024, 2, day("2025-01-10"))
    assert (r.status, r.toelichting) == (
        "niet nagekomen",
        "6 leveringen; langste tussenpoos 31 dagen (19 augustus 2024 tot 19 september 2024; afgesproken: elke 30 dagen)",
    )
    # the gap from the last delivery to the end of the half-year counts too: 25 Nov -> 31 Dec is 36 days
    r = st.measure_rhythm(
        1,
        [
            day("2024-06-30"),
            day("2024-07-30"),
            day("2024-08-29"),
            day("2024-09-28"),
            day("2024-10-28"),
            day("2024-11-25"),
        ],
        30,
        2024,
        2,
        day("2025-01-10"),
    )
    assert (
        r.status == "niet nagekomen"
        and "langste tussenpoos 36 dagen (25 november 2024 tot 31 december 2024" in r.toelichting
    )


def test_rhythm_the_gap_from_the_last_delivery_before_the_half_year_counts() -> None:
    # after: 2 Jul, 1 Aug, 31 Aug, 30 Sep, 30 Oct, 29 Nov, 29 Dec: every gap 30 days, 29 Dec -> 31 Dec 2 days
    after = [
        day(x)
        for x in (
            "2024-07-02",
            "2024-08-01",
            "2024-08-31",
            "2024-09-30",
            "2024-10-30",
            "2024-11-29",
            "2024-12-29",
        )
    ]
    # 1 Jun -> 2 Jul is 31 days (29 + 2): broken in H2, though every gap inside H2 is 30 days
    r = st.measure_rhythm(1, [day("2024-01-15"), day("2024-06-01"), *after], 30, 2024, 2, day("2025-01-10"))
    assert (r.status, r.toelichting) == (
        "niet nagekomen",
        "7 leveringen; langste tussenpoos 31 dagen (1 juni 2024 tot 2 juli 2024; afgesproken: elke 30 dagen)",
    )
    # 2 Jun -> 2 Jul is 30 days; only the last delivery before the half-year counts (not 15 Jan)
    r = st.measure_rhythm(1, [day("2024-01-15"), day("2024-06-02"), *after], 30, 2024, 2, day("2025-01-10"))
    assert r.status == "nagekomen"
    # without any delivery before it, the half-year is measured from its first delivery (no gap from 1 Jul)
    r = st.measure_rhythm(1, after, 30, 2024, 2, day("2025-01-10"))
    assert (r.status, r.toelichting) == (
        "nagekomen",
        "7 leveringen; langste tussenpoos 30 dagen (afgesproken: elke 30 dagen)",
    )


def test_rhythm_in_the_running_half_year() -> None:
    so_far = EVERY_30[:4]  # 20 Jun, 20 Jul, 19 Aug, 18 Sep
    # on 1 Oct: 18 Sep -> 1 Oct is 13 days, no gap over 30 so far
    r = st.measure_rhythm(1, so_far, 30, 2024, 2, day("2024-10-01"))
    assert (r.status, r.toelichting) == (
        "loopt",
        "3 leveringen; langste tussenpoos 30 dagen (afgesproken: elke 30 dagen)",
    )
    # on 18 Oct: 30 days since 18 Sep, still running
    assert st.measure_rhythm(1, so_far, 30, 2024, 2, day("2024-10-18")).status == "loopt"
    # on 19 Oct: 31 days since the last delivery, already broken before the half-year ends
    r = st.measure_rhythm(1, so_far, 30, 2024, 2, day("2024-10-19"))
    assert (r.status, r.toelichting) == (
        "niet nagekomen",
        "geen levering sinds 18 september 2024 (31 dagen; afgesproken: elke 30 dagen)",
    )
    # on the half-year's last day it is decided: 17 Dec -> 31 Dec is 14 days
    assert st.measure_rhythm(1, EVERY_30, 30, 2024, 2, day("2024-12-31")).status == "nagekomen"
    # a delivery after ``vandaag`` (the demo's fixed date) fills no gap: 18 Sep -> 19 Oct is still 31 days
    later = [*so_far, day("2024-11-17")]
    assert st.measure_rhythm(1, later, 30, 2024, 2, day("2024-10-19")).status == "niet nagekomen"


def test_rhythm_before_the_first_delivery() -> None:
    assert st.measure_rhythm(1, [], 30, 2024, 2, day("2025-01-10")) is None
    assert st.measure_rhythm(1, [day("2025-01-05")], 30, 2024, 2, day("2025-01-10")) is None  # first after H2
    assert st.measure_rhythm(1, EVERY_30, 30, 2024, 2, day("2024-06-30")) is None  # H2 has not begun


def test_rhythm_before_the_first_delivery_within_the_half_year() -> None:
    # the first delivery ever is on 1 Sep 2024; on 1 Aug nothing has been delivered yet
    assert st.measure_rhythm(1, [day("2024-09-01")], 30, 2024, 2, day("2024-08-01")) is None


# H1 2025 ends on 30 June; within 30 days: the deadline is 30 July 2025.
COVERS = day("2025-06-30")


def test_after_period_on_the_deadline_day_and_a_day_later() -> None:
    r = st.measure_after_period(2, [Delivery(day("2025-07-30"), COVERS)], 30, 2025, 1, day("2025-08-15"))
    assert r == Result(2, "2025-H1", "nagekomen", "geleverd op 30 juli 2025, 30 dagen na het halfjaar", True)
    r = st.measure_after_period(2, [Delivery(day("2025-07-31"), COVERS)], 30, 2025, 1, day("2025-08-15"))
    assert r == Result(
        2,
        "2025-H1",
        "niet nagekomen",
        "geleverd op 31 juli 2025, 31 dagen na het halfjaar (afgesproken: binnen 30 dagen)",
        True,
    )
    # the first covering delivery decides: a later correction does not undo it
    both = [Delivery(day("2025-09-01"), day("2025-08-31")), Delivery(day("2025-07-10"), COVERS)]
    assert st.measure_after_period(2, both, 30, 2025, 1, day("2025-09-15")).status == "nagekomen"


def test_after_period_not_delivered_yet() -> None:
    assert (
        st.measure_after_period(2, [], 30, 2025, 1, day("2025-06-30")) is None
    )  # the half-year has not ended
    assert st.measure_after_period(2, [], 30, 2025, 1, day("2025-07-01")) == Result(
        2, "2025-H1", "loopt", "nog niet geleverd; uiterlijk 30 juli 2025", True
    )
    assert st.measure_after_period(2, [], 30, 2025, 1, day("2025-07-30")).status == "loopt"
    assert st.measure_after_period(2, [], 30, 2025, 1, day("2025-07-31")) == Result(
        2, "2025-H1", "niet nagekomen", "niet geleverd (uiterlijk 30 juli 2025)", True
    )


def test_after_period_a_delivery_must_cover_the_last_day() -> None:
    short = [Delivery(day("2025-07-10"), day("2025-06-29")), Delivery(day("2025-07-11"), None)]
    assert st.measure_after_period(2, short, 30, 2025, 1, day("2025-07-20")).status == "loopt"
    r = st.measure_after_period(2, short, 30, 2025, 1, day("2025-08-15"))
    assert (r.status, r.toelichting) == ("niet nagekomen", "niet geleverd (uiterlijk 30 juli 2025)")
    # a delivery covering more than the half-year counts (delivered 5 Jul, through 3 Jul: 5 days after)
    r = st.measure_after_period(
        2, [Delivery(day("2025-07-05"), day("2025-07-03"))], 30, 2025, 1, day("2025-08-15")
    )
    assert (r.status, r.toelichting) == ("nagekomen", "geleverd op 5 juli 2025, 5 dagen na het halfjaar")
    # H2: 31 Dec 2024 + 30 days = 30 January 2025; the H1 delivery (through 30 Jun) does not cover H2
    r = st.measure_after_period(
        2, [Delivery(day("2024-07-20"), day("2024-06-30"))], 30, 2024, 2, day("2025-02-01")
    )
    assert (r.periode, r.status) == ("2024-H2", "niet nagekomen")


def test_meetings_per_year() -> None:
    four = [day(x) for x in ("2024-02-01", "2024-04-01", "2024-06-01", "2024-09-01")]
    # the fourth meeting on 1 Sep: kept from then on, though the year runs on
    assert st.measure_meetings(3, four, 4, 2024, day("2024-09-01")) == Result(
        3, "2024", "nagekomen", "4 van de 4 vergaderingen", True
    )
    # on 31 Aug only three had been held
    assert st.measure_meetings(3, four, 4, 2024, day("2024-08-31")) == Result(
        3, "2024", "loopt", "3 van de 4 vergaderingen tot nu toe", True
    )
    three = [*four[:3], day("2023-12-31"), day("2025-01-01")]  # other years' meetings do not count
    assert st.measure_meetings(3, three, 4, 2024, day("2024-12-30")).status == "loopt"
    assert st.measure_meetings(3, three, 4, 2024, day("2025-01-01")) == Result(
        3, "2024", "niet nagekomen", "3 van de 4 vergaderingen", True
    )
    assert st.measure_meetings(3, three, 4, 2024, day("2023-12-31")) is None  # the year has not begun


def test_meetings_on_the_last_day_of_the_year_still_running() -> None:
    three = [day(x) for x in ("2024-02-01", "2024-04-01", "2024-06-01")]
    assert st.measure_meetings(3, three, 4, 2024, day("2024-12-31")).status == "loopt"


def _state(
    wijk: str, vandaag: str, ingediend: str | None, halfjaar: int = 1, verwacht: bool = True
) -> jp.ReportingState:
    filed = dt.datetime.fromisoformat(ingediend).replace(tzinfo=dt.UTC) if ingediend else None
    return jp.reporting_state(wijk, 2024, halfjaar, day(vandaag), 42, filed, verwacht)


def test_reports_on_time() -> None:
    # H1 2024: due from 1 July, 42 days: the last day on time is 11 August 2024
    on_time = [_state(w, "2024-09-01", "2024-07-15T10:00") for w in ("WK000101", "WK000102", "WK000103")]
    assert [s.stand for s in on_time] == ["op tijd"] * 3
    extra = [
        _state("WK000104", "2024-09-01", None, verwacht=False),
        _state("WK000101", "2024-09-01", None, halfjaar=2),
    ]
    assert st.measure_reports(4, on_time + extra, 2024, 1) == Result(
        4, "2024-H1", "nagekomen", "3 van de 3 rapportages op tijd", True
    )
    # one filed on 12 August: a day late
    late = [*on_time[:2], _state("WK000103", "2024-09-01", "2024-08-12T10:00")]
    assert st.measure_reports(4, late, 2024, 1) == Result(
        4, "2024-H1", "niet nagekomen", "2 van de 3 rapportages op tijd; te laat: WK000103", True
    )
    # one not filed on 1 August: still expected; on 12 August: late
    assert st.measure_reports(4, [*on_time[:2], _state("WK000103", "2024-08-01", None)], 2024, 1) == Result(
        4, "2024-H1", "loopt", "2 van de 3 rapportages op tijd; nog verwacht: WK000103", True
    )
    assert (
        st.measure_reports(4, [*on_time[:2], _state("WK000103", "2024-08-12", None)], 2024, 1).status
        == "niet nagekomen"
    )
    # nothing due yet, or nothing expected
    assert st.measure_reports(4, [_state("WK000101", "2024-06-15", None)], 2024, 1) is None
    assert st.measure_reports(4, extra[:1], 2024, 1) is None
    assert st.measure_reports(4, [], 2024, 1) is None


def test_measure_dispatches_per_kind() -> None:
    levering = Agreement(
        "L", "politie", meting="levering", parameters={"bron": "politie", "elke_dagen": 30}, id=11
    )
    deliveries = [Delivery(x) for x in EVERY_30[:4]]
    # H1 2024: from the first delivery (20 Jun) to 30 Jun is 10 days; H2 runs on 1 Oct (see above)
    assert [
        (r.periode, r.status) for r in st.measure(levering, day("2024-10-01"), 2024, leveringen=deliveries)
    ] == [
        ("2024-H1", "nagekomen"),
        ("2024-H2", "loopt"),
    ]
    # H1 delivered 20 Jul (20 days), H2 on 3 Feb 2025 (34 days after 31 Dec); H1 2025 has not ended
    na = Agreement(
        "N",
        "politie",
        meting="levering_na_periode",
        parameters={"bron": "politie", "binnen_dagen": 30},
        id=12,
    )
    deliveries = [
        Delivery(day("2024-07-20"), day("2024-06-30")),
        Delivery(day("2025-02-03"), day("2024-12-31")),
    ]
    assert [
        (r.periode, r.status) for r in st.measure(na, day("2025-02-15"), 2024, leveringen=deliveries)
    ] == [
        ("2024-H1", "nagekomen"),
        ("2024-H2", "niet nagekomen"),
    ]
    ritme = Agreement(
        "V", "stuurgroep", meting="vergaderritme", parameters={"niveau": "stuurgroep", "per_jaar": 2}, id=13
    )
    dates = [day("2024-03-01"), day("2024-09-01"), day("2025-02-01")]
    assert [
        (r.periode, r.status) for r in st.measure(ritme, day("2025-03-01"), 2024, vergaderdata=dates)
    ] == [
        ("2024", "nagekomen"),
        ("2025", "loopt"),
    ]
    rapportage = Agreement("R", "teams", meting="rapportage", id=14)
    states = [_state("WK000101", "2024-09-01", "2024-07-15T10:00")]
    assert st.measure(rapportage, day("2024-09-01"), 2024, rapportages=states) == [
        Result(14, "2024-H1", "nagekomen", "1 van de 1 rapportages op tijd", True)
    ]
    # by hand, or not saved yet: nothing measured
    assert st.measure(Agreement("H", "teams", id=15), day("2025-03-01"), 2024) == []
    assert st.measure(replace(levering, id=None), day("2024-10-01"), 2024, leveringen=deliveries) == []


# ------------------------------------------------------------------------------------------ 4. overdue


def test_overdue_at_the_deadline() -> None:
    deadline = dt.date(2024, 6, 1)
    open_ = Action("Open", "politie", deadline=deadline)
    running = Action("Loopt", "politie", deadline=deadline, status="loopt")
    done = Action("Gereed", "politie", deadline=deadline, status="gereed")
    dropped = Action("Vervallen", "politie", deadline=deadline, status="vervallen")
    undated = Action("Zonder deadline", "politie")
    everything = [open_, running, done, dropped, undated]
    assert st.overdue(everything, deadline) == []  # on the deadline day it is not late yet
    assert st.overdue(everything, deadline + dt.timedelta(days=1)) == [open_, running]
    assert st.overdue(everything, dt.date(2030, 1, 1)) == [open_, running]
    assert not open_.te_laat(deadline - dt.timedelta(days=1))
    assert not done.te_laat(dt.date(2030, 1, 1)) and not dropped.te_laat(dt.date(2030, 1, 1))
    assert not undated.te_laat(dt.date(2030, 1, 1))


# ------------------------------------------------------------------------------------------ 5. settings


def test_need_settings(records_url: str) -> None:
    eng = open_store(records_url)
    try:
        users.add_user(eng, SYSTEM, "beheer@gemeente.example", "Beheer", ["beheerder"])
        users.add_user(eng, SYSTEM, "regie@gemeente.example", "Regie", ["regiegroep", "stuurgroep"])
        beheer, regie = page("beheer@gemeente.example"), page("regie@gemeente.example")
        defaults = {**st.SETTINGS_BEHOEFTE, st.SETTING_MAAT: "inwoners"}
        assert st.need_weights(eng) == defaults
        with pytest.raises(Refused):
            st.set_need_setting(eng, regie, "behoefte_gewicht_afstand", "3")
        row = newest(eng)
        assert (row["actor"], row["actie"], row["uitkomst"]) == (
            regie.email,
            "instelling.wijzigen",
            "geweigerd",
        )
        assert st.need_weights(eng) == defaults
        st.set_need_setting(eng, beheer, "behoefte_gewicht_afstand", "2,5")  # a Dutch decimal comma
        st.set_need_setting(eng, beheer, "behoefte_gewicht_normering", "0")
        st.set_need_setting(eng, beheer, "behoefte_gewicht_niveau", " 100 ")
        st.set_need_setting(eng, beheer, st.SETTING_MAAT, "huishoudens")
        assert st.need_weights(eng) == {
            "behoefte_gewicht_afstand": 2.5,
            "behoefte_gewicht_normering": 0.0,
            "behoefte_gewicht_niveau": 100.0,
            st.SETTING_MAAT: "huishoudens",
        }
        row = newest(eng)
        assert (row["actor"], row["actie"], row["uitkomst"], row["object_id"]) == (
            beheer.email,
            "instelling.wijzigen",
            "uitgevoerd",
            st.SETTING_MAAT,
        )
        n = n_audit(eng)
        for bad in ("-1", "100.01", "1e3", "tien", "nan", "inf", "2,5,1", " "):
            with pytest.raises(ValueError, match="Een gewicht is een getal van 0 tot 100"):
                st.set_need_setting(eng, beheer, "behoefte_gewicht_afstand", bad)
        for bad in ("personen", "Inwoners"):
            with pytest.raises(ValueError, match="De maat is inwoners of huishoudens"):
                st.set_need_setting(eng, beheer, st.SETTING_MAAT, bad)
        with pytest.raises(ValueError, match="onbekende instelling"):
            st.set_need_setting(eng, beheer, "rapportage_termijn_dagen", "3")
        assert n_audit(eng) == n and st.need_weights(eng)["behoefte_gewicht_afstand"] == 2.5
        # cleared: back to the default
        st.set_need_setting(eng, beheer, "behoefte_gewicht_afstand", "")
        st.set_need_setting(eng, beheer, st.SETTING_MAAT, None)
        assert st.need_weights(eng)["behoefte_gewicht_afstand"] == 2.0
        assert st.need_weights(eng)[st.SETTING_MAAT] == "inwoners"
        # a value that is not valid (written around the checks) reads as the default
        for key, value in (
            ("behoefte_gewicht_afstand", "veel"),
            ("behoefte_gewicht_normering", "150"),
            ("behoefte_gewicht_niveau", "nan"),
            (st.SETTING_MAAT, "personen"),
        ):
            jp.write_setting(eng, SYSTEM, key, value)
        assert st.need_weights(eng) == defaults
    finally:
        eng.dispose()
