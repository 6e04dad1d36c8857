"""Wijkprogramma's, jaarplannen and half-yearly status reports on the server side, on SQLite and PostgreSQL:
who may take which workflow step (a matrix over every transition and eight kinds of actor), refusals and
their audit rows, roles read at the moment of writing, required texts and stale states, amendments after
adoption, reports as versions, the reporting schedule at the half-year boundaries, progress and hours, the
settings, and the append-only audit trail for the rows these writes make.

One records store per backend for the whole module (PostgreSQL is a real server): every test works in wijken
of its own (fresh wijk codes), so the tests do not see each other's plans. Only the settings test, which
reads store-wide settings, gets a fresh store of its own (``records_url``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from wijkmonitor.records import auditlog, users
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.authz import Actor, Refused
from wijkmonitor.records.jaarplannen import Activity, Opgave, StatusLine
from wijkmonitor.records.store import open_store
from wijkmonitor.records.tables import audit, instellingen

SYSTEM = Actor.command("test")
JAAR = 2024
MEETING = dt.date(2024, 3, 14)
UTC = dt.UTC
AMS = ZoneInfo("Europe/Amsterdam")
ORDER = ("concept", "ingediend", "advies", "vastgesteld")
_numbers = itertools.count(100001)


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def eng(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One records store per backend for this module (the tests use fresh wijk codes)."""
    if request.param == "sqlite":
        engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('jaarplannen')}/records.sqlite")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database()
    engine = open_store(server.url(name))
    yield engine
    engine.dispose()
    server.drop_database(name)


OTHER_WIJK = "WK099999"


@pytest.fixture(scope="module")
def roster(eng) -> dict[str, str]:
    """The module's users who do not belong to one wijk: kind -> e-mail."""
    people = {
        "team andere wijk": ("team-andere-wijk@gemeente.example", f"team:{OTHER_WIJK}"),
        "regiegroep": ("regie@gemeente.example", "regiegroep"),
        "stuurgroep": ("stuur@gemeente.example", "stuurgroep"),
        "beheerder": ("beheer@gemeente.example", "beheerder"),
        "partner:politie": ("politie@politie.example", "partner:politie"),
    }
    for email, role in people.values():
        users.add_user(eng, SYSTEM, email, email.split("@")[0], [role])
    return {kind: email for kind, (email, _) in people.items()}


# ------------------------------------------------------------------------------------------ helpers


def new_wijk() -> str:
    return f"WK{next(_numbers):06d}"


def page(email: str) -> Actor:
    return Actor.page(email, "Jaarplan")


def act(code: str, **kw) -> Activity:
    values = {
        "titel": f"Activiteit {code}",
        "thema": "veiligheid",
        "trekker": "gemeente",
        "start_maand": 1,
        "eind_maand": 12,
        "uren": {"gemeente": 10.0},
    }
    values.update(kw)
    return Activity(code=code, **values)


def default_acts() -> list[Activity]:
    return [act("A01"), act("A02", trekker="politie", uren={"politie": 5.0, "gemeente": 2.0})]


def step_args(naar: str) -> dict:
    if naar == "advies":
        return {"toelichting": "Advies: akkoord, let op de uren van de politie."}
    if naar == "concept":
        return {"toelichting": "Terug: de activiteiten missen een effect."}
    if naar == "vastgesteld":
        return {"vergaderdatum": MEETING}
    return {}


def plan_in(eng, wijk: str, state: str, acts: list[Activity] | None = None, jaar: int = JAAR) -> jp.Plan:
    """A plan of ``wijk`` in ``state``, made by the system along the workflow."""
    jp.save_activities(eng, SYSTEM, wijk, jaar, default_acts() if acts is None else acts)
    for van, naar in itertools.pairwise(ORDER[: ORDER.index(state) + 1]):
        jp.transition(eng, SYSTEM, wijk, jaar, van, naar, **step_args(naar))
    plan = jp.get_plan(eng, wijk, jaar)
    assert plan is not None and plan.status == state
    return plan


def team_user(eng, wijk: str, active: bool = True) -> str:
    email = f"team-{wijk.lower()}{'' if active else '-geblokkeerd'}@gemeente.example"
    users.add_user(eng, SYSTEM, email, f"Team {wijk}", [f"team:{wijk}"])
    if not active:
        users.set_active(eng, SYSTEM, email, False)
    return email


def newest(eng) -> dict:
    return auditlog.entries(eng, limit=1)[0]


def n_audit(eng) -> int:
    return auditlog.count(eng)


def lines_for(plan: jp.Plan, status: str = "loopt", procent: int = 50) -> list[StatusLine]:
    return [StatusLine(a.code, status, procent, "", {a.trekker: 4.0}) for a in plan.actief]


def assert_refusal(eng, before: int, email: str, action: str, object_id: str) -> dict:
    assert n_audit(eng) == before + 1
    row = newest(eng)
    assert (row["actor"], row["actie"], row["uitkomst"], row["object_id"]) == (
        email,
        action,
        "geweigerd",
        object_id,
    )
    assert "heeft geen recht op" in row["reden"] and row["via"] == "pagina:Jaarplan"
    return row


# ------------------------------------------------------------------------------------------ 1. the matrix

ACTORS = (
    "team",
    "team andere wijk",
    "regiegroep",
    "stuurgroep",
    "beheerder",
    "partner:politie",
    "onbekend",
    "geblokkeerd team",
)
EXPECTED = {
    "jaarplan.indienen": {"team"},
    "jaarplan.adviseren": {"regiegroep"},
    "jaarplan.vaststellen": {"stuurgroep"},
    "jaarplan.intrekken": {"team", "regiegroep"},
    "jaarplan.terugverwijzen": {"regiegroep", "stuurgroep"},
}


def test_the_matrix_covers_every_transition() -> None:
    assert set(jp.TRANSITIONS.values()) == set(EXPECTED)
    assert len(jp.TRANSITIONS) == len(EXPECTED)


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize(("van", "naar"), list(jp.TRANSITIONS), ids=lambda s: s)
def test_workflow_step_per_role(eng, roster, van: str, naar: str, who: str) -> None:
    wijk = new_wijk()
    action = jp.TRANSITIONS[(van, naar)]
    before_plan = plan_in(eng, wijk, van)
    if who == "team":
        email = team_user(eng, wijk)
    elif who == "geblokkeerd team":
        email = team_user(eng, wijk, active=False)
    elif who == "onbekend":
        email = "niemand@elders.example"
    else:
        email = roster[who]
    args = {"toelichting": "Omdat het zo besproken is."} | step_args(naar)
    before = n_audit(eng)

    if who in EXPECTED[action]:
        jp.transition(eng, page(email), wijk, JAAR, van, naar, **args)
        plan = jp.get_plan(eng, wijk, JAAR)
        assert plan.status == naar
        assert len(plan.stappen) == len(before_plan.stappen) + 1
        step = plan.stappen[-1]
        assert (step.door, step.van, step.naar, step.toelichting, step.vergaderdatum) == (
            email,
            van,
            naar,
            args["toelichting"],
            args.get("vergaderdatum"),
        )
        if naar == "advies":
            assert plan.advies == args["toelichting"]
        if naar == "vastgesteld":
            assert plan.vastgesteld_op == MEETING
        if naar == "concept":
            assert plan.advies is None
        assert plan.activiteiten == before_plan.activiteiten
        assert n_audit(eng) == before + 1
        row = newest(eng)
        assert (row["actor"], row["actie"], row["uitkomst"], row["object_soort"], row["object_id"]) == (
            email,
            action,
            "uitgevoerd",
            "jaarplan",
            f"{wijk}/{JAAR}",
        )
        assert json.loads(row["oud"]) == {"status": van}
        assert json.loads(row["nieuw"])["status"] == naar
        assert row["via"] == "pagina:Jaarplan"
    else:
        with pytest.raises(Refused, match="Dit mag u niet"):
            jp.transition(eng, page(email), wijk, JAAR, van, naar, **args)
        assert jp.get_plan(eng, wijk, JAAR) == before_plan
        row = assert_refusal(eng, before, email, action, f"{wijk}/{JAAR}")
        if who in ("onbekend", "geblokkeerd team"):
            assert row["rollen"] == ""  # an unknown or blocked user has no roles at the moment of writing
        assert json.loads(row["nieuw"]) == {"status": naar}


# ------------------------------------------------------------------------------------------ 2. other writes


@pytest.mark.parametrize("who", ["team andere wijk", "regiegroep", "stuurgroep", "beheerder"])
def test_plan_report_and_opgave_writes_of_others_are_refused_and_recorded(eng, roster, who: str) -> None:
    wijk = new_wijk()
    oid = jp.save_opgave(eng, SYSTEM, Opgave(None, wijk, "veiligheid", "Minder woninginbraken"))
    plan = plan_in(eng, wijk, "vastgesteld")
    opgaven_before = jp.list_opgaven(eng, wijk, ook_vervallen=True)
    actor = page(roster[who])
    attempts = [
        (
            "jaarplan.schrijven",
            f"{wijk}/{JAAR}",
            lambda: jp.save_activities(eng, actor, wijk, JAAR, [*default_acts(), act("A03")], reden="Erbij."),
        ),
        (
            "status.indienen",
            f"{wijk}/{JAAR}-H1",
            lambda: jp.submit_report(eng, actor, wijk, JAAR, 1, lines_for(plan), vandaag=dt.date(2024, 8, 1)),
        ),
        (
            "wijkprogramma.schrijven",
            f"{wijk}/nieuw",
            lambda: jp.save_opgave(eng, actor, Opgave(None, wijk, "schoon", "Schone straten")),
        ),
        (
            "wijkprogramma.schrijven",
            f"{wijk}/{oid}",
            lambda: jp.save_opgave(eng, actor, Opgave(oid, wijk, "veiligheid", "Gekaapt", vervallen=True)),
        ),
    ]
    for action, object_id, attempt in attempts:
        before = n_audit(eng)
        with pytest.raises(Refused):
            attempt()
        assert_refusal(eng, before, roster[who], action, object_id)
    assert jp.get_plan(eng, wijk, JAAR) == plan
    assert jp.list_reports(eng, wijk, alle_versies=True) == []
    assert jp.list_opgaven(eng, wijk, ook_vervallen=True) == opgaven_before
    # a new plan for a wijk that is not theirs is not created either
    other = new_wijk()
    before = n_audit(eng)
    with pytest.raises(Refused):
        jp.save_activities(eng, actor, other, JAAR, default_acts())
    assert jp.get_plan(eng, other, JAAR) is None
    assert_refusal(eng, before, roster[who], "jaarplan.schrijven", f"{other}/{JAAR}")


def test_the_team_of_the_wijk_may_write_its_own_plan_report_and_opgaven(eng) -> None:
    wijk = new_wijk()
    team = page(team_user(eng, wijk))
    oid = jp.save_opgave(
        eng, team, Opgave(None, wijk, "veiligheid", "Minder woninginbraken", indicatoren=("x",))
    )
    jp.save_opgave(eng, team, Opgave(oid, wijk, "veiligheid", "Minder inbraken", volgorde=2))
    assert [(o.id, o.titel, o.volgorde) for o in jp.list_opgaven(eng, wijk)] == [(oid, "Minder inbraken", 2)]
    jp.save_activities(eng, team, wijk, JAAR, [act("A01", opgave_id=oid)])
    jp.transition(eng, team, wijk, JAAR, "concept", "ingediend")
    jp.transition(eng, SYSTEM, wijk, JAAR, "ingediend", "advies", **step_args("advies"))
    jp.transition(eng, SYSTEM, wijk, JAAR, "advies", "vastgesteld", **step_args("vastgesteld"))
    plan = jp.get_plan(eng, wijk, JAAR)
    assert [s.door for s in plan.stappen][0] == team.email and plan.activiteiten[0].opgave_id == oid
    report = jp.submit_report(eng, team, wijk, JAAR, 1, lines_for(plan), vandaag=dt.date(2024, 7, 1))
    assert (report.versie, report.ingediend_door) == (1, team.email)
    # an opgave id of another wijk is not this wijk's, whatever the form says
    elders = new_wijk()
    foreign = jp.save_opgave(eng, SYSTEM, Opgave(None, elders, "schoon", "Elders"))
    with pytest.raises(ValueError, match="bestaat niet"):
        jp.save_opgave(eng, team, Opgave(foreign, wijk, "schoon", "Overgenomen"))
    assert jp.list_opgaven(eng, elders)[0].titel == "Elders"
    with pytest.raises(ValueError, match="hoort niet bij het wijkprogramma"):
        jp.save_activities(eng, SYSTEM, new_wijk(), JAAR, [act("A01", opgave_id=foreign)])


def test_a_role_withdrawn_after_the_page_was_drawn_is_refused(eng) -> None:
    wijk = new_wijk()
    email = team_user(eng, wijk)
    team = page(email)
    jp.save_activities(eng, team, wijk, JAAR, default_acts())  # allowed while the role is there
    oid = jp.save_opgave(eng, team, Opgave(None, wijk, "veiligheid", "Minder inbraken"))
    plan = jp.get_plan(eng, wijk, JAAR)
    assert f"team:{wijk}" in users.current_roles(eng, email)  # what the page saw when it was drawn
    users.revoke_role(eng, SYSTEM, email, f"team:{wijk}")
    attempts = [
        (
            "jaarplan.schrijven",
            f"{wijk}/{JAAR}",
            lambda: jp.save_activities(eng, team, wijk, JAAR, [act("A01")]),
        ),
        (
            "jaarplan.indienen",
            f"{wijk}/{JAAR}",
            lambda: jp.transition(eng, team, wijk, JAAR, "concept", "ingediend"),
        ),
        (
            "status.indienen",
            f"{wijk}/{JAAR}-H1",
            lambda: jp.submit_report(eng, team, wijk, JAAR, 1, lines_for(plan), vandaag=dt.date(2024, 7, 1)),
        ),
        (
            "wijkprogramma.schrijven",
            f"{wijk}/{oid}",
            lambda: jp.save_opgave(eng, team, Opgave(oid, wijk, "veiligheid", "Weg ermee", vervallen=True)),
        ),
    ]
    for action, object_id, attempt in attempts:
        before = n_audit(eng)
        with pytest.raises(Refused):
            attempt()
        assert assert_refusal(eng, before, email, action, object_id)["rollen"] == ""
    assert jp.get_plan(eng, wijk, JAAR) == plan
    assert jp.list_reports(eng, wijk) == []
    assert [o.titel for o in jp.list_opgaven(eng, wijk)] == ["Minder inbraken"]


# ------------------------------------------------------------------------------------------ 3. texts, states


def _nothing_written(eng, wijk: str, plan: jp.Plan | None, before: int) -> None:
    assert jp.get_plan(eng, wijk, JAAR) == plan
    assert n_audit(eng) == before


def test_required_texts_are_checked_before_anything_is_written(eng, roster) -> None:
    wijk = new_wijk()
    team = page(team_user(eng, wijk))
    regie, stuur = page(roster["regiegroep"]), page(roster["stuurgroep"])
    plan = plan_in(eng, wijk, "ingediend")
    before = n_audit(eng)
    for text in ("", "   \n"):
        with pytest.raises(ValueError, match="Het advies is verplicht"):
            jp.transition(eng, regie, wijk, JAAR, "ingediend", "advies", toelichting=text)
        with pytest.raises(ValueError, match="De reden is verplicht"):
            jp.transition(eng, team, wijk, JAAR, "ingediend", "concept", toelichting=text)
        with pytest.raises(ValueError, match="De reden is verplicht"):
            jp.transition(eng, regie, wijk, JAAR, "ingediend", "concept", toelichting=text)
    with pytest.raises(ValueError, match="te lang"):
        jp.transition(eng, regie, wijk, JAAR, "ingediend", "advies", toelichting="x" * 2001)
    _nothing_written(eng, wijk, plan, before)

    jp.transition(eng, regie, wijk, JAAR, "ingediend", "advies", toelichting="Akkoord.")
    plan = jp.get_plan(eng, wijk, JAAR)
    before = n_audit(eng)
    with pytest.raises(ValueError, match="De reden is verplicht"):
        jp.transition(eng, stuur, wijk, JAAR, "advies", "concept", toelichting="")
    with pytest.raises(ValueError, match="datum van de stuurgroepvergadering"):
        jp.transition(eng, stuur, wijk, JAAR, "advies", "vastgesteld")
    with pytest.raises(ValueError, match="datum van de stuurgroepvergadering"):
        jp.transition(eng, stuur, wijk, JAAR, "advies", "vastgesteld", toelichting="Vastgesteld.")
    _nothing_written(eng, wijk, plan, before)
    # only the system may say when a write happened
    with pytest.raises(ValueError, match="alleen het systeem"):
        jp.transition(
            eng, stuur, wijk, JAAR, "advies", "vastgesteld", vergaderdatum=MEETING, nu=dt.datetime(2024, 1, 1)
        )
    _nothing_written(eng, wijk, plan, before)


def test_a_step_from_a_stale_state_is_refused(eng, roster) -> None:
    wijk = new_wijk()
    team = page(team_user(eng, wijk))
    regie, stuur = page(roster["regiegroep"]), page(roster["stuurgroep"])
    plan_in(eng, wijk, "ingediend")
    # the team's page and the regiegroep's page both show 'ingediend'; the regiegroep advises first
    jp.transition(eng, regie, wijk, JAAR, "ingediend", "advies", toelichting="Akkoord.")
    plan = jp.get_plan(eng, wijk, JAAR)
    before = n_audit(eng)
    with pytest.raises(ValueError, match="intussen 'advies regiegroep'"):
        jp.transition(eng, team, wijk, JAAR, "ingediend", "concept", toelichting="Toch nog iets.")
    with pytest.raises(ValueError, match="intussen"):
        jp.transition(eng, regie, wijk, JAAR, "ingediend", "advies", toelichting="Nogmaals akkoord.")
    with pytest.raises(ValueError, match="intussen"):
        jp.transition(eng, team, wijk, JAAR, "concept", "ingediend")
    _nothing_written(eng, wijk, plan, before)
    # a step the workflow does not have
    for van, naar in [("concept", "vastgesteld"), ("vastgesteld", "concept"), ("advies", "ingediend")]:
        with pytest.raises(ValueError, match="gaat niet van"):
            jp.transition(eng, stuur, wijk, JAAR, van, naar, toelichting="x", vergaderdatum=MEETING)
    _nothing_written(eng, wijk, plan, before)
    # the stuurgroep adopts; a second stuurgroep page that still shows 'advies' cannot adopt again
    jp.transition(eng, stuur, wijk, JAAR, "advies", "vastgesteld", vergaderdatum=MEETING)
    plan = jp.get_plan(eng, wijk, JAAR)
    before = n_audit(eng)
    with pytest.raises(ValueError, match="intussen 'vastgesteld'"):
        jp.transition(eng, stuur, wijk, JAAR, "advies", "vastgesteld", vergaderdatum=dt.date(2024, 4, 1))
    _nothing_written(eng, wijk, plan, before)


def test_indienen_needs_a_plan_with_activities(eng) -> None:
    wijk = new_wijk()
    team = page(team_user(eng, wijk))
    before = n_audit(eng)
    with pytest.raises(ValueError, match="geen jaarplan"):
        jp.transition(eng, team, wijk, JAAR, "concept", "ingediend")
    _nothing_written(eng, wijk, None, before)
    diff = jp.save_activities(eng, team, wijk, JAAR, [])  # an empty concept plan
    assert diff.empty
    plan = jp.get_plan(eng, wijk, JAAR)
    assert plan.status == "concept" and plan.activiteiten == []
    before = n_audit(eng)
    with pytest.raises(ValueError, match="zonder activiteiten"):
        jp.transition(eng, team, wijk, JAAR, "concept", "ingediend")
    _nothing_written(eng, wijk, plan, before)


@pytest.mark.parametrize("state", ["ingediend", "advies"])
def test_a_plan_at_the_regiegroep_or_stuurgroep_cannot_be_changed(eng, state: str) -> None:
    wijk = new_wijk()
    team = page(team_user(eng, wijk))
    plan = plan_in(eng, wijk, state)
    before = n_audit(eng)
    for acts, reden in [([*default_acts(), act("A03")], None), ([act("A01", titel="Anders")], "Een reden.")]:
        with pytest.raises(ValueError, match="kan nu niet worden gewijzigd"):
            jp.save_activities(eng, team, wijk, JAAR, acts, reden=reden)
    _nothing_written(eng, wijk, plan, before)


def test_a_concept_plan_is_simply_changed(eng) -> None:
    wijk = new_wijk()
    team = page(team_user(eng, wijk))
    jp.save_activities(eng, team, wijk, JAAR, default_acts())
    diff = jp.save_activities(eng, team, wijk, JAAR, [act("A01", uren={"gemeente": 12.0}), act("A03")])
    assert (
        [a.code for a in diff.toegevoegd],
        [n.code for _, n in diff.gewijzigd],
        [a.code for a in diff.verwijderd],
    ) == (
        ["A03"],
        ["A01"],
        ["A02"],
    )
    plan = jp.get_plan(eng, wijk, JAAR)
    assert [a.code for a in plan.activiteiten] == ["A01", "A03"]  # A02 (with its hours) is gone for good
    assert plan.activity("A01").uren == {"gemeente": 12.0}
    assert plan.wijzigingen == []  # a concept has no amendments
    with pytest.raises(ValueError, match="komt twee keer voor"):
        jp.save_activities(eng, team, wijk, JAAR, [act("A01"), act("A01")])
    with pytest.raises(ValueError, match="eindmaand ligt vóór de startmaand"):
        jp.save_activities(eng, team, wijk, JAAR, [act("A01", start_maand=6, eind_maand=2)])
    assert jp.get_plan(eng, wijk, JAAR) == plan


# ------------------------------------------------------------------------------------------ 4. amendments


def test_amendments_after_adoption(eng) -> None:
    wijk = new_wijk()
    email = team_user(eng, wijk)
    team = page(email)
    acts = [act("A01"), act("A02", trekker="politie", uren={"politie": 5.0}), act("A03", budget=1500.0)]
    adopted = plan_in(eng, wijk, "vastgesteld", acts)
    # the plan as read back is what a page sends back: saving it unchanged changes nothing
    assert jp.save_activities(eng, team, wijk, JAAR, adopted.actief, reden="Niets.").empty
    assert jp.get_plan(eng, wijk, JAAR) == adopted  # no amendment, not even a new gewijzigd_op

    new = [act("A01", uren={"gemeente": 25.0}), act("A03", budget=1500.0), act("A04", titel="Buurtschouw")]
    before = n_audit(eng)
    for reden in (None, "", "  "):
        with pytest.raises(ValueError, match="amendement en heeft een reden nodig"):
            jp.save_activities(eng, team, wijk, JAAR, new, reden=reden)
    _nothing_written(eng, wijk, adopted, before)

    diff = jp.save_activities(eng, team, wijk, JAAR, new, reden="  Besproken in de stuurgroep van mei.  ")
    assert (
        [a.code for a in diff.toegevoegd],
        [n.code for _, n in diff.gewijzigd],
        [a.code for a in diff.verwijderd],
    ) == (
        ["A04"],
        ["A01"],
        ["A02"],
    )
    plan = jp.get_plan(eng, wijk, JAAR)
    assert (plan.status, plan.vastgesteld_op, plan.advies) == ("vastgesteld", MEETING, adopted.advies)
    assert plan.stappen == adopted.stappen
    assert [(a.code, a.geschrapt) for a in plan.activiteiten] == [
        ("A01", False),
        ("A02", True),
        ("A03", False),
        ("A04", False),
    ]
    assert [a.code for a in plan.actief] == ["A01", "A03", "A04"]
    assert plan.activity("A02").uren == {"politie": 5.0}  # dropped, but kept as it was
    by_code = {w.activiteit_code: w for w in plan.wijzigingen}
    assert [(w.soort, w.activiteit_code) for w in plan.wijzigingen] == [
        ("toegevoegd", "A04"),
        ("gewijzigd", "A01"),
        ("geschrapt", "A02"),
    ]
    assert {w.reden for w in plan.wijzigingen} == {"Besproken in de stuurgroep van mei."}
    assert {w.door for w in plan.wijzigingen} == {email}
    assert by_code["A04"].oud is None and by_code["A04"].nieuw["titel"] == "Buurtschouw"
    assert by_code["A01"].oud["uren"] == {"gemeente": 10.0} and by_code["A01"].nieuw["uren"] == {
        "gemeente": 25.0
    }
    assert by_code["A01"].oud | {"uren": None} == by_code["A01"].nieuw | {"uren": None}
    assert by_code["A02"].oud["trekker"] == "politie" and by_code["A02"].nieuw is None
    row = newest(eng)
    assert (row["actie"], row["uitkomst"]) == ("jaarplan.schrijven", "uitgevoerd")
    assert json.loads(row["nieuw"]) == {
        "amendement": True,
        "reden": "Besproken in de stuurgroep van mei.",
        "toegevoegd": ["A04"],
        "gewijzigd": ["A01"],
        "verwijderd": ["A02"],
    }

    # a report covers the active activities only
    assert jp.line_problems(plan, lines_for(plan)) == []
    with pytest.raises(ValueError, match="A02: geen activiteit"):
        jp.submit_report(eng, team, wijk, JAAR, 1, [*lines_for(plan), StatusLine("A02", "loopt", 10)])

    # bringing A02 back is an amendment too; the plan stays adopted
    back = [*plan.actief, act("A02", trekker="politie", uren={"politie": 8.0})]
    diff = jp.save_activities(eng, team, wijk, JAAR, back, reden="A02 gaat toch door.")
    assert [a.code for a in diff.toegevoegd] == ["A02"] and not diff.gewijzigd and not diff.verwijderd
    plan = jp.get_plan(eng, wijk, JAAR)
    assert plan.status == "vastgesteld"
    assert [a.code for a in plan.actief] == ["A01", "A02", "A03", "A04"]
    assert plan.activity("A02").uren == {"politie": 8.0} and not plan.activity("A02").geschrapt
    last = plan.wijzigingen[-1]
    assert (len(plan.wijzigingen), last.soort, last.activiteit_code, last.reden, last.oud) == (
        4,
        "toegevoegd",
        "A02",
        "A02 gaat toch door.",
        None,
    )
    assert last.nieuw["uren"] == {"politie": 8.0}


# ------------------------------------------------------------------------------------------ 5. reports


def test_status_reports_are_complete_and_corrections_are_versions(eng) -> None:
    wijk = new_wijk()
    email = team_user(eng, wijk)
    team = page(email)
    acts = [act("A01"), act("A02", trekker="politie", uren={"politie": 5.0}), act("A03")]
    plan = plan_in(eng, wijk, "vastgesteld", acts)
    july = dt.date(2024, 7, 15)
    good = [
        StatusLine("A01", "loopt", 40, "Op schema.", {"gemeente": 6.0}),
        StatusLine("A02", "vertraagd", 10, "Wacht op de politie.", {"politie": 1.5}),
        StatusLine("A03", "niet gestart", 0),
    ]
    before = n_audit(eng)
    bad = {
        "ontbreekt": good[:2],
        "geen activiteit": [*good, StatusLine("A09", "loopt", 5)],
        "komt twee keer voor": [*good, good[0]],
        "is niet een van": [replace(good[0], status="bijna klaar"), *good[1:]],
        "percentage gereed": [replace(good[0], procent=101), *good[1:]],
        "onbekende partner": [replace(good[0], uren={"brandweer": 2.0}), *good[1:]],
    }
    for message, regels in bad.items():
        with pytest.raises(ValueError, match=message):
            jp.submit_report(eng, team, wijk, JAAR, 1, regels, vandaag=july)
    with pytest.raises(ValueError, match="nog niet begonnen"):
        jp.submit_report(eng, team, wijk, JAAR, 2, good, vandaag=dt.date(2024, 6, 30))
    with pytest.raises(ValueError, match="nog niet begonnen"):
        jp.submit_report(eng, team, wijk, 2025, 1, good, vandaag=dt.date(2024, 12, 31))
    with pytest.raises(ValueError, match="geen jaarplan 2023"):
        jp.submit_report(eng, team, wijk, 2023, 1, good, vandaag=july)
    with pytest.raises(ValueError, match="alleen het systeem"):
        jp.submit_report(eng, team, wijk, JAAR, 1, good, nu=dt.datetime(2024, 7, 2, tzinfo=UTC))
    assert jp.list_reports(eng, wijk, alle_versies=True) == []
    assert n_audit(eng) == before

    v1 = jp.submit_report(
        eng,
        team,
        wijk,
        JAAR,
        1,
        good,
        goed="Samenwerking.",
        niet_goed="Uren.",
        vragen="Meer politie.",
        vandaag=july,
    )
    assert (v1.versie, v1.ingediend_door, v1.via, v1.correctie_reden) == (1, email, "app", None)
    assert (v1.goed, v1.niet_goed, v1.vragen) == ("Samenwerking.", "Uren.", "Meer politie.")
    assert v1.regels == good
    before = n_audit(eng)
    corrected = [replace(good[0], procent=45, uren={"gemeente": 7.0}), *good[1:]]
    for reden in (None, "", "   "):
        with pytest.raises(ValueError, match="al ingediend"):
            jp.submit_report(eng, team, wijk, JAAR, 1, corrected, correctie_reden=reden, vandaag=july)
    assert n_audit(eng) == before
    v2 = jp.submit_report(
        eng,
        team,
        wijk,
        JAAR,
        1,
        corrected,
        correctie_reden="Uren A01 verkeerd geteld.",
        via="excel",
        vandaag=july,
    )
    assert (v2.versie, v2.correctie_reden, v2.via) == (2, "Uren A01 verkeerd geteld.", "excel")
    assert jp.get_report(eng, wijk, JAAR, 1) == v2
    assert jp.list_reports(eng, wijk, JAAR) == [v2]
    assert jp.list_reports(eng, wijk, JAAR, 1, alle_versies=True) == [
        v1,
        v2,
    ]  # version 1 is still there, unchanged
    assert jp.first_submissions(eng)[(wijk, JAAR, 1)] == v1.ingediend_op
    assert jp.get_report(eng, wijk, JAAR, 2) is None
    # the first day of a half-year is the first day a report on it can be filed (the rule as written)
    h2 = jp.submit_report(eng, team, wijk, JAAR, 2, good, vandaag=dt.date(2024, 7, 1))
    assert h2.versie == 1 and h2.halfjaar == 2
    # one audit row per submission, none for the attempts that were turned down
    rows = auditlog.entries(eng, auditlog.AuditFilter(actie="status.indienen", actor=email))
    assert [(r["object_id"], json.loads(r["nieuw"])["versie"], r["uitkomst"]) for r in reversed(rows)] == [
        (f"{wijk}/{JAAR}-H1", 1, "uitgevoerd"),
        (f"{wijk}/{JAAR}-H1", 2, "uitgevoerd"),
        (f"{wijk}/{JAAR}-H2", 1, "uitgevoerd"),
    ]
    assert json.loads(rows[1]["nieuw"])["correctie_reden"] == "Uren A01 verkeerd geteld."
    assert plan.status == "vastgesteld"


# ------------------------------------------------------------------------------------------ 6. the schedule


@pytest.mark.parametrize(
    ("jaar", "halfjaar", "vandaag", "stand"),
    [
        (2024, 1, dt.date(2024, 6, 30), "nog niet"),
        (2024, 1, dt.date(2024, 7, 1), "verwacht"),
        (2024, 1, dt.date(2024, 8, 11), "verwacht"),  # the deadline day
        (2024, 1, dt.date(2024, 8, 12), "te laat"),
        (2024, 2, dt.date(2024, 12, 31), "nog niet"),
        (2024, 2, dt.date(2025, 1, 1), "verwacht"),
        (2024, 2, dt.date(2025, 2, 11), "verwacht"),
        (2024, 2, dt.date(2025, 2, 12), "te laat"),
    ],
)
def test_reporting_state_at_the_half_year_boundary(
    jaar: int, halfjaar: int, vandaag: dt.date, stand: str
) -> None:
    state = jp.reporting_state("WK099901", jaar, halfjaar, vandaag, 42, None)
    assert state.stand == stand
    assert state.deadline == (dt.date(2024, 8, 11) if halfjaar == 1 else dt.date(2025, 2, 11))
    assert not state.ingediend and state.label == f"{halfjaar}e halfjaar {jaar}"


@pytest.mark.parametrize(
    ("ingediend_op", "stand"),
    [
        (dt.datetime(2024, 7, 1, 8, 0, tzinfo=UTC), "op tijd"),
        (dt.datetime(2024, 8, 11, 20, 0, tzinfo=UTC), "op tijd"),  # the deadline day, 22:00 in Dutch time
        (dt.datetime(2024, 8, 12, 6, 0, tzinfo=UTC), "te laat ingediend"),
        (dt.datetime(2024, 12, 1, 6, 0, tzinfo=UTC), "te laat ingediend"),
    ],
)
def test_a_submitted_report_is_on_time_up_to_the_deadline_day(ingediend_op: dt.datetime, stand: str) -> None:
    for vandaag in (
        jp.local_date(ingediend_op),
        dt.date(2025, 3, 1),
    ):  # the verdict does not change afterwards
        state = jp.reporting_state("WK099901", 2024, 1, vandaag, 42, ingediend_op)
        assert (state.stand, state.ingediend_op, state.ingediend) == (stand, ingediend_op, True)


def test_with_a_fixed_date_a_report_filed_later_counts_as_filed_on_that_date() -> None:
    """The demo judges as on 15 September 2025; a team that files now (in real time, later) is late by the
    days up to that date, not by the days up to the real date. Without a fixed date nothing changes: a
    report is never filed after today."""
    now = dt.datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    state = jp.reporting_state("WK099901", 2025, 1, dt.date(2025, 9, 15), 42, now)
    assert (state.stand, state.deadline, state.dagen_te_laat) == (
        "te laat ingediend",
        dt.date(2025, 8, 11),
        35,
    )
    state = jp.reporting_state("WK099901", 2025, 1, dt.date(2025, 8, 1), 42, now)
    assert state.stand == "op tijd"


def test_a_report_filed_just_after_midnight_dutch_time_after_the_deadline_is_late() -> None:
    # 12 August 2024 00:30 in the Netherlands (CEST) is 11 August 22:30 UTC, as the store returns it
    filed = dt.datetime(2024, 8, 12, 0, 30, tzinfo=AMS).astimezone(UTC)
    assert (
        jp.reporting_state("WK099901", 2024, 1, dt.date(2024, 8, 20), 42, filed).stand == "te laat ingediend"
    )


def test_last_ended_half_and_the_deadlines() -> None:
    assert jp.last_ended_half(dt.date(2024, 6, 30)) == (2023, 2)
    assert jp.last_ended_half(dt.date(2024, 7, 1)) == (2024, 1)
    assert jp.last_ended_half(dt.date(2024, 12, 31)) == (2024, 1)
    assert jp.last_ended_half(dt.date(2025, 1, 1)) == (2024, 2)
    assert (jp.due_from(2024, 1), jp.due_from(2024, 2)) == (dt.date(2024, 7, 1), dt.date(2025, 1, 1))
    assert jp.deadline(2024, 1, 42) == dt.date(2024, 8, 11)
    assert jp.deadline(2024, 2, 42) == dt.date(2025, 2, 11)
    assert jp.deadline(2024, 1, 1) == dt.date(2024, 7, 1)
    assert jp.halves_until(2023, (2024, 1)) == [(2023, 1), (2023, 2), (2024, 1)]


def _overview(eng, wijken: list[str], vandaag: dt.date) -> list[tuple]:
    return [
        (s.wijk_code, s.jaar, s.halfjaar, s.stand)
        for s in jp.reporting_overview(eng, wijken, vandaag, 42, vanaf_jaar=JAAR)
    ]


def test_reporting_overview_over_the_half_year_boundaries(eng) -> None:
    due = new_wijk()  # an adopted plan, nothing submitted
    concept = new_wijk()  # no adopted plan: nothing is expected
    plan_in(eng, due, "vastgesteld")
    plan_in(eng, concept, "advies")
    wijken = [due, concept]
    assert _overview(eng, wijken, dt.date(2024, 6, 30)) == []
    assert _overview(eng, wijken, dt.date(2024, 7, 1)) == [(due, 2024, 1, "verwacht")]
    assert _overview(eng, wijken, dt.date(2024, 8, 11)) == [(due, 2024, 1, "verwacht")]
    assert _overview(eng, wijken, dt.date(2024, 8, 12)) == [(due, 2024, 1, "te laat")]
    assert _overview(eng, wijken, dt.date(2024, 12, 31)) == [(due, 2024, 1, "te laat")]
    assert _overview(eng, wijken, dt.date(2025, 1, 1)) == [
        (due, 2024, 1, "te laat"),
        (due, 2024, 2, "verwacht"),
    ]
    assert _overview(eng, wijken, dt.date(2025, 2, 11))[-1] == (due, 2024, 2, "verwacht")
    assert _overview(eng, wijken, dt.date(2025, 2, 12))[-1] == (due, 2024, 2, "te laat")
    states = jp.reporting_overview(eng, [due], dt.date(2025, 2, 12), 42)
    assert [s.deadline for s in states] == [dt.date(2024, 8, 11), dt.date(2025, 2, 11)]


def test_the_first_submission_decides_on_time_not_a_late_correction(eng) -> None:
    on_time, late = new_wijk(), new_wijk()
    plans = {w: plan_in(eng, w, "vastgesteld") for w in (on_time, late)}
    deadline_day = dt.datetime(2024, 8, 11, 15, 0, tzinfo=UTC)
    jp.submit_report(eng, SYSTEM, on_time, JAAR, 1, lines_for(plans[on_time]), nu=deadline_day)
    jp.submit_report(
        eng,
        SYSTEM,
        on_time,
        JAAR,
        1,
        lines_for(plans[on_time], procent=60),
        correctie_reden="Percentages bijgewerkt.",
        nu=dt.datetime(2024, 10, 1, 9, 0, tzinfo=UTC),
    )
    jp.submit_report(
        eng, SYSTEM, late, JAAR, 1, lines_for(plans[late]), nu=dt.datetime(2024, 8, 12, 9, 0, tzinfo=UTC)
    )
    first = jp.first_submissions(eng)
    assert first[(on_time, JAAR, 1)] == deadline_day
    assert first[(late, JAAR, 1)] == dt.datetime(2024, 8, 12, 9, 0, tzinfo=UTC)
    assert all(t.tzinfo is not None for t in first.values())
    states = jp.reporting_overview(eng, [on_time, late], dt.date(2024, 11, 1), 42, vanaf_jaar=JAAR)
    assert [(s.wijk_code, s.halfjaar, s.stand, s.ingediend_op) for s in states] == [
        (on_time, 1, "op tijd", deadline_day),
        (late, 1, "te laat ingediend", dt.datetime(2024, 8, 12, 9, 0, tzinfo=UTC)),
    ]
    assert jp.get_report(eng, on_time, JAAR, 1).versie == 2


def test_a_time_given_by_the_system_keeps_its_instant(eng) -> None:
    wijk = new_wijk()
    plan = plan_in(eng, wijk, "vastgesteld")
    filed = dt.datetime(2024, 8, 12, 0, 30, tzinfo=AMS)  # = 11 August 22:30 UTC
    report = jp.submit_report(eng, SYSTEM, wijk, JAAR, 1, lines_for(plan), nu=filed)
    assert report.ingediend_op == filed
    assert jp.first_submissions(eng)[(wijk, JAAR, 1)] == filed


def test_settings_termijn_and_peildatum(records_url: str) -> None:
    eng = open_store(records_url)
    try:
        assert jp.termijn_dagen(eng) == jp.DEFAULT_TERMIJN_DAGEN == 42
        assert jp.peildatum(eng) is None and jp.vandaag(eng) == dt.datetime.now(jp.AMSTERDAM).date()
        users.add_user(eng, SYSTEM, "beheer@gemeente.example", "Beheer", ["beheerder"])
        users.add_user(eng, SYSTEM, "stuur@gemeente.example", "Stuur", ["stuurgroep"])
        users.add_user(eng, SYSTEM, "team@gemeente.example", "Team", ["team:WK099901"])
        beheer = Actor.page("beheer@gemeente.example", "Instellingen")
        jp.set_setting(eng, beheer, jp.SETTING_TERMIJN, " 30 ")
        assert jp.termijn_dagen(eng) == 30
        row = newest(eng)
        assert (row["actor"], row["actie"], row["uitkomst"], row["object_id"]) == (
            "beheer@gemeente.example",
            "instelling.wijzigen",
            "uitgevoerd",
            jp.SETTING_TERMIJN,
        )
        assert (row["oud"], json.loads(row["nieuw"])) == (None, "30")
        jp.set_setting(eng, beheer, jp.SETTING_PEILDATUM, "2025-09-15")
        assert jp.peildatum(eng) == jp.vandaag(eng) == dt.date(2025, 9, 15)

        before = n_audit(eng)
        for value in ("abc", "0", "367", "-5", "4.5", "", None):
            with pytest.raises(ValueError, match="aantal dagen"):
                jp.set_setting(eng, beheer, jp.SETTING_TERMIJN, value)
        for value in ("15-09-2025", "2025-13-01", "morgen"):
            with pytest.raises(ValueError, match="peildatum"):
                jp.set_setting(eng, beheer, jp.SETTING_PEILDATUM, value)
        with pytest.raises(ValueError, match="onbekende instelling"):
            jp.set_setting(eng, beheer, "marge", "5")
        assert n_audit(eng) == before
        for email in ("stuur@gemeente.example", "team@gemeente.example", "niemand@elders.example"):
            with pytest.raises(Refused):
                jp.set_setting(eng, Actor.page(email, "Instellingen"), jp.SETTING_TERMIJN, "10")
            row = newest(eng)
            assert (row["actor"], row["actie"], row["uitkomst"]) == (
                email,
                "instelling.wijzigen",
                "geweigerd",
            )
        assert n_audit(eng) == before + 3
        assert (jp.termijn_dagen(eng), jp.peildatum(eng)) == (30, dt.date(2025, 9, 15))

        jp.set_setting(eng, beheer, jp.SETTING_TERMIJN, "366")
        assert jp.termijn_dagen(eng) == 366
        jp.set_setting(eng, beheer, jp.SETTING_PEILDATUM, "")  # cleared: the real date again
        assert jp.peildatum(eng) is None and jp.vandaag(eng) == dt.datetime.now(jp.AMSTERDAM).date()
        # a value that got into the table some other way does not break the schedule
        with eng.begin() as conn:
            conn.execute(sa.delete(instellingen))
            conn.execute(
                sa.insert(instellingen),
                [
                    {
                        "sleutel": jp.SETTING_TERMIJN,
                        "waarde": "veel",
                        "gewijzigd_op": dt.datetime.now(UTC),
                        "gewijzigd_door": "x",
                    },
                    {
                        "sleutel": jp.SETTING_PEILDATUM,
                        "waarde": "ooit",
                        "gewijzigd_op": dt.datetime.now(UTC),
                        "gewijzigd_door": "x",
                    },
                ],
            )
        assert (jp.termijn_dagen(eng), jp.peildatum(eng)) == (42, None)
    finally:
        eng.dispose()


# ------------------------------------------------------------------------------------------ 7. progress


def test_on_track_rules() -> None:
    early, late = act("A01", start_maand=3, eind_maand=6), act("A02", start_maand=7, eind_maand=12)
    assert jp.on_track(early, None, 1) is None
    for status in ("loopt", "afgerond"):
        assert jp.on_track(early, StatusLine("A01", status, 50), 1) is True
    for status in ("vertraagd", "vervallen"):
        assert jp.on_track(late, StatusLine("A02", status, 0), 1) is False
    assert jp.on_track(late, StatusLine("A02", "niet gestart", 0), 1) is True  # starts in July
    assert (
        jp.on_track(early, StatusLine("A01", "niet gestart", 0), 1) is False
    )  # should have started in March
    assert (
        jp.on_track(act("A03", start_maand=6, eind_maand=6), StatusLine("A03", "niet gestart", 0), 1) is False
    )
    assert jp.on_track(late, StatusLine("A02", "niet gestart", 0), 2) is False


def test_progress_and_hours_per_partner_on_a_small_plan(eng) -> None:
    wijk = new_wijk()
    acts = [
        act("A01", uren={"gemeente": 100.0, "politie": 20.0}),
        act("A02", trekker="politie", start_maand=3, eind_maand=6, uren={"politie": 40.0}),
        act("A03", trekker="welzijn", start_maand=9, eind_maand=12, uren={"welzijn": 30.0, "gemeente": 10.0}),
        act("A04", trekker="corporatie", start_maand=2, eind_maand=5, uren={"corporatie": 50.0}),
    ]
    plan = plan_in(eng, wijk, "vastgesteld", acts)
    jp.save_activities(eng, SYSTEM, wijk, JAAR, plan.actief[:3], reden="A04 vervalt.")  # dropped: not counted
    plan = jp.get_plan(eng, wijk, JAAR)
    h1 = [
        StatusLine("A01", "loopt", 40, "", {"gemeente": 45.0, "politie": 8.0}),
        StatusLine("A02", "vertraagd", 20, "", {"politie": 10.0}),
        StatusLine("A03", "niet gestart", 0),
    ]
    jp.submit_report(eng, SYSTEM, wijk, JAAR, 1, h1)
    h1[0] = replace(h1[0], uren={"gemeente": 50.0, "politie": 8.0})
    r1 = jp.submit_report(eng, SYSTEM, wijk, JAAR, 1, h1, correctie_reden="Uren gemeente.")
    h2 = [
        StatusLine("A01", "afgerond", 100, "", {"gemeente": 50.0, "politie": 10.0}),
        StatusLine("A02", "vervallen", 20),
        StatusLine("A03", "niet gestart", 0, "", {"welzijn": 2.0}),
    ]
    r2 = jp.submit_report(eng, SYSTEM, wijk, JAAR, 2, h2)
    zero = dict.fromkeys(jp.ACTIVITY_STATUS, 0)

    p1 = jp.progress(plan, r1)
    assert p1 == jp.Progress(3, 3, 2, zero | {"loopt": 1, "vertraagd": 1, "niet gestart": 1})
    assert p1.aandeel_op_koers == pytest.approx(2 / 3)
    p2 = jp.progress(plan, r2)  # A03 should have started in September
    assert p2 == jp.Progress(3, 3, 1, zero | {"afgerond": 1, "vervallen": 1, "niet gestart": 1})
    assert p2.aandeel_op_koers == pytest.approx(1 / 3)
    none = jp.progress(plan, None)
    assert none == jp.Progress(3, 0, 0, zero) and none.aandeel_op_koers is None

    newest_versions = jp.list_reports(eng, wijk, JAAR)
    assert [(r.halfjaar, r.versie) for r in newest_versions] == [(1, 2), (2, 1)]
    expected = {"gemeente": (110.0, 100.0), "politie": (60.0, 28.0), "welzijn": (30.0, 2.0)}
    assert jp.hours_per_partner(plan, newest_versions) == expected
    assert list(jp.hours_per_partner(plan, newest_versions)) == ["gemeente", "politie", "welzijn"]
    # reports of another wijk or year do not count
    other = new_wijk()
    other_plan = plan_in(eng, other, "vastgesteld")
    foreign = jp.submit_report(eng, SYSTEM, other, JAAR, 1, lines_for(other_plan))
    assert jp.hours_per_partner(plan, [*newest_versions, foreign]) == expected
    assert jp.hours_per_partner(plan, [replace(r2, jaar=2025)]) == {
        "gemeente": (110.0, 0.0),
        "politie": (60.0, 0.0),
        "welzijn": (30.0, 0.0),
    }

    # an activity added after the H1 report has no status in it: counted, not reported
    jp.save_activities(
        eng,
        SYSTEM,
        wijk,
        JAAR,
        [*plan.actief, act("A05", trekker="buurtpreventie", uren={"buurtpreventie": 12.0})],
        reden="Nieuw.",
    )
    plan = jp.get_plan(eng, wijk, JAAR)
    assert jp.progress(plan, r1) == jp.Progress(
        4, 3, 2, zero | {"loopt": 1, "vertraagd": 1, "niet gestart": 1}
    )
    assert jp.hours_per_partner(plan, newest_versions)["buurtpreventie"] == (12.0, 0.0)


# ------------------------------------------------------------------------------------------ 8. append-only


def test_the_audit_rows_of_these_writes_cannot_be_changed(eng, roster) -> None:
    wijk = new_wijk()
    plan_in(eng, wijk, "concept")
    jp.transition(eng, SYSTEM, wijk, JAAR, "concept", "ingediend")
    with pytest.raises(Refused):
        jp.transition(
            eng, page(roster["stuurgroep"]), wijk, JAAR, "ingediend", "advies", toelichting="Ik ook."
        )
    rows = [
        r
        for r in auditlog.entries(eng, limit=None)
        if r["object_id"] == f"{wijk}/{JAAR}" and r["actie"].startswith("jaarplan.")
    ]
    assert [(r["actie"], r["uitkomst"]) for r in reversed(rows)] == [
        ("jaarplan.schrijven", "uitgevoerd"),
        ("jaarplan.indienen", "uitgevoerd"),
        ("jaarplan.adviseren", "geweigerd"),
    ]
    refused, done = rows[0]["id"], rows[1]["id"]
    for statement in (
        audit.update().where(audit.c.id == refused).values(uitkomst="uitgevoerd"),
        audit.update().where(audit.c.id == done).values(actor="iemand@anders.example"),
        audit.delete().where(audit.c.id == done),
        audit.delete().where(audit.c.actie.like("jaarplan.%")),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), eng.begin() as conn:
            conn.execute(statement)
    after = [r for r in auditlog.entries(eng, limit=None) if r["id"] in (refused, done)]
    assert after == rows[:2]


def test_a_report_is_expected_of_an_adopted_plan_only(eng) -> None:
    """One rule for the banner, the Regiegroep and the overview: no adopted jaarplan, no report expected."""
    adopted, concept, none = new_wijk(), new_wijk(), new_wijk()
    plan_in(eng, adopted, "vastgesteld")
    plan_in(eng, concept, "concept")
    today = dt.date(JAAR, 9, 15)
    states = {s.wijk_code: s.stand for s in jp.current_states(eng, [adopted, concept, none], today, 42)}
    assert states == {adopted: "te laat", concept: "niet verwacht", none: "niet verwacht"}
    assert jp.reporting_state(none, JAAR, 1, today, 42, None, verwacht=False).stand == "niet verwacht"
    filed = dt.datetime(JAAR, 7, 2, 9, 0, tzinfo=UTC)  # a report that came in anyway still counts
    assert jp.reporting_state(none, JAAR, 1, today, 42, filed, verwacht=False).stand == "op tijd"
