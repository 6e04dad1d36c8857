"""The demo jaarplannen (wijkmonitor.demoplans): what the demo promises about its plans and reports."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from etl import demo as demo_data
from indicators.catalogue import load_catalogue
from wijkmonitor.demoplans import ACTOR, demo_wijken, seed_demo_plans
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.store import open_store
from wijkmonitor.records.tables import audit

PEILDATUM = dt.date(2025, 9, 15)
JAREN = range(2020, 2026)
HALVES = [(y, h) for y in JAREN for h in (1, 2) if (y, h) <= (2025, 1)]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, dict]:
    eng = open_store("sqlite:///" + str(tmp_path_factory.mktemp("demoplans") / "r.sqlite"))
    return eng, seed_demo_plans(eng)


@pytest.fixture(scope="module")
def eng(seeded: tuple[Engine, dict]) -> Engine:
    return seeded[0]


@pytest.fixture(scope="module")
def plans(eng: Engine) -> list[jp.Plan]:
    return jp.list_plans(eng)


@pytest.fixture(scope="module")
def reports(eng: Engine) -> list[jp.Report]:
    return jp.list_reports(eng, alle_versies=True)


WIJKEN = [code for code, _ in demo_wijken()]


def digest(eng: Engine) -> str:
    """Everything the demo wrote (plans with history, opgaven, every report version), ids left out."""

    def plain(obj: object) -> object:
        d = dataclasses.asdict(obj)
        d.pop("id", None)
        return d

    content = {
        "plans": [plain(p) for p in jp.list_plans(eng)],
        "opgaven": [plain(o) for w in WIJKEN for o in jp.list_opgaven(eng, w, ook_vervallen=True)],
        "reports": [plain(r) for r in jp.list_reports(eng, alle_versies=True)],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def test_demo_wijken_are_the_twelve_of_lindenhoven() -> None:
    assert demo_wijken() == [(w.code, w.naam) for w in demo_data.WIJKEN]
    assert len(demo_wijken()) == 12


def test_counts_and_settings(seeded: tuple[Engine, dict], plans: list[jp.Plan]) -> None:
    eng, result = seeded
    assert result["overgeslagen"] is False
    assert result["jaarplannen"] == len(plans)
    assert result["activiteiten"] == sum(len(p.activiteiten) for p in plans)
    assert result["rapportages"] == 12 * len(HALVES) - 1
    assert 1 <= result["correcties"] <= 2
    assert jp.peildatum(eng) == PEILDATUM
    assert jp.termijn_dagen(eng) == 42


def test_wijkprogramma_has_three_to_five_opgaven_over_several_themes(eng: Engine) -> None:
    cat = load_catalogue()
    for wijk in WIJKEN:
        opgaven = jp.list_opgaven(eng, wijk)
        assert 3 <= len(opgaven) <= 5, wijk
        assert len({o.thema for o in opgaven}) >= 2, wijk
        for o in opgaven:
            assert o.thema in cat["themas"]
            assert 1 <= len(o.indicatoren) <= 3, o.titel
            assert all(cat["indicatoren"][i]["thema"] == o.thema for i in o.indicatoren), o.titel
            assert o.titel and o.omschrijving


def test_every_plan_2020_2025_adopted_with_8_to_15_activities(eng: Engine, plans: list[jp.Plan]) -> None:
    cat = load_catalogue()
    by_key = {(p.wijk_code, p.jaar): p for p in plans}
    for wijk in WIJKEN:
        opgaven = {o.id: o for o in jp.list_opgaven(eng, wijk)}
        for jaar in JAREN:
            p = by_key[(wijk, jaar)]
            assert p.status == "vastgesteld", (wijk, jaar)
            assert p.advies is None or p.advies  # the advice is kept with the plan
            # adopted at a stuurgroep meeting in December of the year before, or January-February
            assert (
                p.vastgesteld_op.year == jaar - 1
                and p.vastgesteld_op.month == 12
                or (p.vastgesteld_op.year == jaar and p.vastgesteld_op.month in (1, 2))
            ), p.vastgesteld_op
            assert 8 <= len(p.actief) <= 15 and len(p.activiteiten) <= 15, (wijk, jaar, len(p.activiteiten))
            codes = [a.code for a in p.activiteiten]
            assert len(set(codes)) == len(codes)
            for a in p.activiteiten:
                assert not jp.activity_problems(a, opgaven), (wijk, jaar, a.code)
                assert a.uren_totaal > 0 and all(h > 0 for h in a.uren.values())
                assert a.uren[a.trekker] == max(a.uren.values()), (wijk, jaar, a.code, a.uren)
                assert a.thema in cat["themas"]
                assert 1 <= len(a.indicatoren) <= 3
                assert all(cat["indicatoren"][i]["thema"] == a.thema for i in a.indicatoren)
                if a.opgave_id is not None:
                    assert opgaven[a.opgave_id].thema == a.thema
                assert a.titel and a.omschrijving and a.verwacht_effect
            # the workflow, backdated: concept in October-November of the year before, then in order
            times = [s.tijdstip for s in p.stappen]
            assert times == sorted(times)
            assert p.stappen[0].van == "concept" and p.stappen[-1].naar == "vastgesteld"
            assert p.stappen[-1].vergaderdatum == p.vastgesteld_op
            first = p.stappen[0].tijdstip
            assert first.year == jaar - 1 and first.month in (10, 11, 12), first
            assert all(s.door == ACTOR.email for s in p.stappen)


def test_most_activities_are_linked_to_an_opgave(plans: list[jp.Plan]) -> None:
    acts = [a for p in plans for a in p.activiteiten]
    assert sum(a.opgave_id is not None for a in acts) > 0.7 * len(acts)


def test_2026_plans_under_way(plans: list[jp.Plan]) -> None:
    stands = collections.Counter(p.status for p in plans if p.jaar == 2026)
    assert 3 <= stands["concept"] <= 4
    assert stands["ingediend"] == 2
    assert stands["advies"] == 2
    assert stands["vastgesteld"] == 0
    for p in plans:
        if p.jaar == 2026:
            assert 8 <= len(p.activiteiten) <= 15
            assert all(s.tijdstip.date() <= PEILDATUM for s in p.stappen)
            if p.status == "advies":
                assert p.advies


def test_steps_back_to_concept_and_amendments(plans: list[jp.Plan]) -> None:
    back = [(p, s) for p in plans for s in p.stappen if s.naar == "concept"]
    assert back, "at least one plan goes back to concept"
    for p, s in back:
        assert len(s.toelichting) > 40
        assert p.status == "vastgesteld"  # re-submitted and adopted after all
        later = [t for t in p.stappen if t.tijdstip > s.tijdstip]
        assert [t.naar for t in later][:1] == ["ingediend"]
    assert {s.van for _, s in back} == {"ingediend", "advies"}  # the regiegroep and the stuurgroep
    amendments = [(p, a) for p in plans for a in p.wijzigingen]
    assert {a.soort for _, a in amendments} >= {"toegevoegd", "geschrapt"}
    for p, a in amendments:
        assert a.reden and a.tijdstip.date() > p.vastgesteld_op
    dropped = [a for p in plans for a in p.activiteiten if a.geschrapt]
    assert dropped
    # the burglary hotspot of the demo data: an activity added to that wijk's plan in the hotspot's year
    hotspot = next(b for b in demo_data.buurten() if b.code == demo_data.HOTSPOT_BUURT)
    years = {y for y, _ in demo_data.HOTSPOT}
    added = [
        (p, a)
        for p, a in amendments
        if a.soort == "toegevoegd" and p.wijk_code == hotspot.wijk.code and p.jaar in years
    ]
    assert added and hotspot.naam in added[0][1].reden
    assert hotspot.naam in added[0][0].activity(added[0][1].activiteit_code).titel


def test_status_reports_through_h1_2025(eng: Engine, plans: list[jp.Plan], reports: list[jp.Report]) -> None:
    newest = {(r.wijk_code, r.jaar, r.halfjaar): r for r in jp.list_reports(eng)}
    missing = [(w, y, h) for w in WIJKEN for y, h in HALVES if (w, y, h) not in newest]
    assert len(missing) == 1 and missing[0][1:] == (2025, 1), missing
    assert not [k for k in newest if (k[1], k[2]) > (2025, 1)]
    by_key = {(p.wijk_code, p.jaar): p for p in plans}
    for (w, y, h), r in newest.items():
        plan = by_key[(w, y)]
        assert not jp.line_problems(plan, r.regels)
        assert r.ingediend_op.date() >= jp.due_from(y, h) and r.ingediend_op.date() <= PEILDATUM
        assert r.goed and r.niet_goed
        for line in r.regels:
            a = plan.activity(line.activiteit_code)
            if line.status == "niet gestart":
                assert line.procent == 0 and not line.uren
                assert h == 1 and a.start_maand > 6
            elif line.status == "afgerond":
                assert line.procent == 100
            elif line.status == "loopt":
                assert 0 < line.procent < 100 and line.uren
                assert h == 1  # at the end of the year an activity is done, delayed or dropped
            elif line.status == "vertraagd":
                assert line.procent < 100 and line.toelichting
            else:
                assert line.status == "vervallen" and line.toelichting
    statuses = collections.Counter((r.halfjaar, line.status) for r in newest.values() for line in r.regels)
    assert statuses[(1, "loopt")] > statuses[(1, "vertraagd")] > 0
    assert statuses[(1, "niet gestart")] > 0
    assert statuses[(2, "afgerond")] > 0.75 * sum(n for (h, _), n in statuses.items() if h == 2)
    assert statuses[(2, "vertraagd")] > 0 and statuses[(2, "vervallen")] > 0
    h1_2025 = [line.status for (w, y, h), r in newest.items() if (y, h) == (2025, 1) for line in r.regels]
    assert h1_2025.count("vertraagd") >= 2
    assert {r.via for r in reports} == {"app", "excel"}
    assert all(r.ingediend_door == ACTOR.email for r in reports)


def test_hours_spent_are_roughly_the_planned_hours(plans: list[jp.Plan], reports: list[jp.Report]) -> None:
    newest = [
        r
        for r in reports
        if r.versie
        == max(
            x.versie
            for x in reports
            if x.wijk_code == r.wijk_code and x.jaar == r.jaar and x.halfjaar == r.halfjaar
        )
    ]
    planned = spent = 0.0
    for p in plans:
        if 2020 <= p.jaar <= 2024:
            for _, (pl, sp) in jp.hours_per_partner(p, newest).items():
                planned += pl
                spent += sp
    assert 0.75 < spent / planned < 1.1, spent / planned
    h1 = sum(
        h for r in newest if r.halfjaar == 1 and r.jaar < 2025 for ln in r.regels for h in ln.uren.values()
    )
    h2 = sum(h for r in newest if r.halfjaar == 2 for ln in r.regels for h in ln.uren.values())
    assert 0.6 < h1 / h2 < 1.4  # about half of the planned hours per half-year


def test_reporting_overview_on_the_peildatum(eng: Engine) -> None:
    overview = jp.reporting_overview(eng, WIJKEN, PEILDATUM, jp.termijn_dagen(eng))
    late = [s for s in overview if s.stand == "te laat"]
    assert len(late) == 1 and (late[0].jaar, late[0].halfjaar) == (2025, 1)
    assert not [s for s in overview if s.stand in ("verwacht", "nog niet")]
    late_filed = [s for s in overview if s.stand == "te laat ingediend"]
    per_half = collections.Counter((s.jaar, s.halfjaar) for s in late_filed)
    assert len(per_half) >= 8 and max(per_half.values()) <= 2  # a couple in most half-years
    assert len({s.wijk_code for s in late_filed}) >= 6  # different wijken
    assert collections.Counter(s.stand for s in overview)["op tijd"] > 0.8 * len(overview)


def test_corrections_are_new_versions_with_a_reason(eng: Engine, reports: list[jp.Report]) -> None:
    corrected = [r for r in reports if r.versie > 1]
    assert 1 <= len(corrected) <= 2
    first = jp.first_submissions(eng)
    for r in corrected:
        assert r.correctie_reden
        v1 = next(
            x
            for x in reports
            if (x.wijk_code, x.jaar, x.halfjaar, x.versie) == (r.wijk_code, r.jaar, r.halfjaar, 1)
        )
        assert v1.ingediend_op < r.ingediend_op and v1.regels != r.regels
        assert first[(r.wijk_code, r.jaar, r.halfjaar)] == v1.ingediend_op


def test_every_write_is_audited_as_the_demo(eng: Engine) -> None:
    with eng.connect() as conn:
        rows = conn.execute(
            select(audit.c.actor, audit.c.via, audit.c.uitkomst, func.count()).group_by(
                audit.c.actor, audit.c.via, audit.c.uitkomst
            )
        ).all()
    assert [(a, v, u) for a, v, u, _ in rows] == [(ACTOR.email, "demomodus", "uitgevoerd")]


def test_seeding_again_does_nothing(eng: Engine) -> None:
    before = digest(eng)
    with eng.connect() as conn:
        n = conn.execute(select(func.count()).select_from(audit)).scalar_one()
    assert seed_demo_plans(eng) == {"overgeslagen": True}
    with eng.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit)).scalar_one() == n
    assert digest(eng) == before


def test_same_seed_same_demo(eng: Engine, tmp_path: Path) -> None:
    other = open_store("sqlite:///" + str(tmp_path / "r.sqlite"))
    seed_demo_plans(other)
    assert digest(other) == digest(eng)


def test_other_wijken_and_seed(tmp_path: Path) -> None:
    """A few wijken (one unknown to the demo data) and another seed: still complete, and different."""
    wijken = [("WK999903", "Molenwijk"), ("WK999905", "Stationskwartier"), ("WK012301", "Elders")]
    a = open_store("sqlite:///" + str(tmp_path / "a.sqlite"))
    result = seed_demo_plans(a, wijken, seed=7)
    assert result["rapportages"] == 3 * len(HALVES) - 1
    plans = jp.list_plans(a)
    assert {p.wijk_code for p in plans} == {w for w, _ in wijken}
    assert all(p.status == "vastgesteld" for p in plans if p.jaar < 2026)
    assert 3 <= len(jp.list_opgaven(a, "WK012301")) <= 5
    b = open_store("sqlite:///" + str(tmp_path / "b.sqlite"))
    seed_demo_plans(b, wijken, seed=8)
    assert digest(a) != digest(b)
