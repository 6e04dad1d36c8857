"""The demo steering records (wijkmonitor.demosturing): what the demo promises about meetings, capacity and its
distribution, normering, actions and agreements, on top of the demo jaarplannen."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from indicators.catalogue import load_catalogue
from wijkmonitor.capacity import largest_remainder
from wijkmonitor.demoplans import ACTOR, demo_wijken, seed_demo_plans
from wijkmonitor.demosturing import DEMO_WEEK_BRON, seed_demo_steering
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records import sturing
from wijkmonitor.records.store import open_store
from wijkmonitor.records.tables import audit

PEILDATUM = dt.date(2025, 9, 15)
JAREN = range(2020, 2026)
WIJKEN = demo_wijken()
CODES = [c for c, _ in WIJKEN]
# A fixed need; 2020, 2022 and 2024 are missing (the nearest year stands in).
NEED = {
    y: {c: 3000.0 + 250 * i + 40 * (y - 2019) * (i % 3) for i, c in enumerate(CODES)}
    for y in (2019, 2021, 2023, 2025)
}


def _audit_count(eng: Engine) -> int:
    with eng.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit)).scalar_one()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, dict, int, int]:
    eng = open_store("sqlite:///" + str(tmp_path_factory.mktemp("demosturing") / "r.sqlite"))
    seed_demo_plans(eng)
    before = _audit_count(eng)
    result = seed_demo_steering(eng, WIJKEN, NEED)
    return eng, result, before, _audit_count(eng)


@pytest.fixture(scope="module")
def eng(seeded: tuple[Engine, dict, int, int]) -> Engine:
    return seeded[0]


@pytest.fixture(scope="module")
def meetings(eng: Engine) -> list[sturing.Meeting]:
    return sturing.list_meetings(eng)


def test_counts_match_the_store(
    seeded: tuple[Engine, dict, int, int], meetings: list[sturing.Meeting]
) -> None:
    eng, result, _, _ = seeded
    assert result["overgeslagen"] is False
    assert result["verdelingen"] == len(sturing.list_distributions(eng))
    assert result["acties"] == len(sturing.list_actions(eng))
    assert 22 <= result["acties"] <= 30
    assert result["afspraken"] == len(sturing.list_agreements(eng))
    assert result["toetsingen"] == len(sturing.manual_results(eng))
    assert result["normeringen"] == len(sturing.list_norms(eng))
    assert result["capaciteit"] == 5 * 7
    decisions = [d for m in meetings for d in m.besluiten]
    assert result["besluiten"] == sum(d.soort != "jaarplan" for d in decisions)
    plan_meetings = {m.id for m in meetings if any(d.soort == "jaarplan" for d in m.besluiten)}
    assert result["hergebruikt"] >= 1  # December 2022: a jaarplannen meeting that also adopts a distribution
    assert result["vergaderingen"] + len(plan_meetings) == len(meetings)


def test_meetings_per_year_per_level(meetings: list[sturing.Meeting]) -> None:
    assert all(m.datum <= PEILDATUM for m in meetings)
    per = collections.Counter((m.niveau, m.datum.year) for m in meetings)
    assert {y: per[("regiegroep", y)] for y in JAREN} == {
        2020: 5,
        2021: 5,
        2022: 5,
        2023: 3,
        2024: 5,
        2025: 4,
    }
    stuur = [m for m in meetings if m.niveau == "stuurgroep"]
    assert len({m.datum for m in stuur}) == len(stuur)  # the jaarplannen meetings are reused, not doubled
    for y in JAREN:
        months = {m.datum.month for m in stuur if m.datum.year == y}
        assert 4 in months, y  # spring
        assert (10 in months) == (y < 2025), y  # autumn (2025: after the peildatum)
        assert per[("stuurgroep", y)] >= 2
    for code in CODES:
        for y in JAREN:
            n = sum(1 for m in meetings if m.niveau == "team" and m.wijk_code == code and m.datum.year == y)
            assert 1 <= n <= 3, (code, y, n)
    assert sum(per[("team", y)] for y in JAREN) <= 12 * 3 * len(JAREN)
    for m in meetings:
        assert m.aanwezig and set(m.aanwezig) <= set(sturing.AANWEZIG), m
        assert m.data_versie.startswith("demo-publicatie "), m.data_versie
        assert m.notities and m.aangemaakt_door == ACTOR.email
        assert (m.wijk_code is not None) == (m.niveau == "team")


def test_capacity_is_plausible(eng: Engine) -> None:
    assert sturing.capacity_years(eng) == list(range(2020, 2027))
    for y in range(2020, 2027):
        cap = sturing.capacities(eng, y)
        assert set(cap) == set(sturing.PARTNERS)
        # of the order of what the year's jaarplannen plan per partner (a little less: teams ask more)
        planned: dict[str, float] = {}
        for plan in jp.list_plans(eng, jaar=y):
            for a in plan.actief:
                for partner, u in a.uren.items():
                    planned[partner] = planned.get(partner, 0.0) + u
        for partner, hours in cap.items():
            assert hours > 0
            if planned.get(partner):
                assert 0.75 * planned[partner] <= hours <= 1.1 * planned[partner], (y, partner)


def test_distributions(eng: Engine, meetings: list[sturing.Meeting]) -> None:
    by_id = {m.id: m for m in meetings}
    dists = sturing.list_distributions(eng)
    for d in dists:
        assert d.per_partner() == sturing.capacities(eng, d.jaar), d.naam
        assert set(d.per_wijk()) == set(CODES) and set(d.behoefte) == set(CODES)
    rounds = {(d.jaar, d.halfjaar) for d in dists}
    assert {(y, h) for y in JAREN for h in (1, 2)} <= rounds
    for y in JAREN:
        adopted = [d for d in dists if d.jaar == y and d.status == "vastgesteld"]
        assert len(adopted) == 1, y
        assert sturing.adopted_distribution(eng, y) == adopted[0]
        assert adopted[0].halfjaar == (1 if y == 2025 else 2)
        meeting = by_id[adopted[0].besluit.vergadering_id]
        assert meeting.niveau == "stuurgroep" and meeting.datum.year == y
        assert (meeting.datum.month <= 6) == (adopted[0].halfjaar == 1)
    waiting = [d for d in dists if d.status == "advies"]
    assert [(d.jaar, d.halfjaar) for d in waiting] == [(2025, 2)] and waiting[0].advies
    sent_back = [d for d in dists if d.status == "afgewezen"]
    assert [(d.jaar, d.halfjaar) for d in sent_back] == [(2022, 2)]
    assert "Teruggestuurd door de stuurgroep" in sent_back[0].advies
    assert any(d.status == "scenario" for d in dists)
    assert all(d.status != "scenario" or d.besluit is None for d in dists)
    # proportional to the need (the nearest year for a missing one), apart from the story's corrections
    plain = next(d for d in dists if (d.jaar, d.halfjaar) == (2020, 1))
    assert plain.behoefte == NEED[2019] or plain.behoefte == NEED[2021]
    expected = largest_remainder(sturing.capacities(eng, 2020)["politie"], plain.behoefte)
    assert {w: u for (p, w), u in plain.uren.items() if p == "politie"} == expected


def test_meeting_rhythm_measured(eng: Engine, meetings: list[sturing.Meeting]) -> None:
    rhythm = {a.parameters["niveau"]: a for a in sturing.list_agreements(eng) if a.meting == "vergaderritme"}
    assert (
        rhythm["stuurgroep"].parameters["per_jaar"] == 2 and rhythm["regiegroep"].parameters["per_jaar"] == 4
    )
    for niveau, agreement in rhythm.items():
        dates = [m.datum for m in meetings if m.niveau == niveau]
        results = {
            r.periode: r.status for r in sturing.measure(agreement, PEILDATUM, 2020, vergaderdata=dates)
        }
        broken = {p for p, s in results.items() if s == "niet nagekomen"}
        assert broken == ({"2023"} if niveau == "regiegroep" else set()), (niveau, results)


def test_agreements(eng: Engine) -> None:
    agreements = sturing.list_agreements(eng)
    kinds = collections.Counter(a.meting for a in agreements)
    assert kinds["levering"] == 1 and kinds["levering_na_periode"] == 1 and kinds["rapportage"] == 1
    assert kinds["vergaderritme"] == 2 and 3 <= kinds["handmatig"] <= 4
    levering = next(a for a in agreements if a.meting == "levering")
    assert levering.parameters == {"bron": DEMO_WEEK_BRON, "elke_dagen": 14} and levering.partner == "politie"
    na = next(a for a in agreements if a.meting == "levering_na_periode")
    assert na.parameters == {"bron": "corporatie", "binnen_dagen": 42}
    assert all(not sturing.agreement_problems(a) and a.vergadering_id for a in agreements)
    results = collections.defaultdict(dict)
    for r in sturing.manual_results(eng):
        results[r.afspraak_id][r.periode] = r
    for a in agreements:
        if a.meting != "handmatig":
            assert a.id not in results
            continue
        per = results[a.id]
        first = min(int(p[:4]) for p in per)
        assert list(per) == [f"{y}-H{h}" for y in range(first, 2026) for h in (1, 2)]
        assert per["2025-H2"].status == "loopt"
        assert all(r.toelichting for r in per.values() if r.status == "niet nagekomen")
        assert sum(r.status == "nagekomen" for r in per.values()) >= len(per) - 3
    statuses = collections.Counter(r.status for r in sturing.manual_results(eng))
    assert statuses["niet nagekomen"] >= 3 and statuses["nagekomen"] > 3 * statuses["niet nagekomen"]


def test_welzijn_checks_follow_the_team_meetings(eng: Engine, meetings: list[sturing.Meeting]) -> None:
    welzijn = next(a for a in sturing.list_agreements(eng) if a.omschrijving.startswith("Welzijn"))
    absent = {
        f"{m.datum.year}-H{1 if m.datum.month <= 6 else 2}"
        for m in meetings
        if m.niveau == "team" and "welzijn" not in m.aanwezig
    }
    broken = {
        r.periode
        for r in sturing.manual_results(eng)
        if r.afspraak_id == welzijn.id and r.status == "niet nagekomen"
    }
    assert absent and broken == {p for p in absent if p >= "2021"}


def test_overdue_actions(eng: Engine, meetings: list[sturing.Meeting]) -> None:
    actions = sturing.list_actions(eng)
    late = sturing.overdue(actions, PEILDATUM)
    assert 3 <= len(late) <= 5
    teams = {m.wijk_code for m in meetings if m.niveau == "team"}
    assert any(a.wijk_code in teams for a in late)
    by_id = {m.id: m for m in meetings}
    statuses = collections.Counter(a.status for a in actions)
    assert statuses["gereed"] > len(actions) / 2 and statuses["open"] and statuses["loopt"]
    for a in actions:
        assert a.partner in sturing.EIGENAREN and a.rol and a.deadline
        assert not any(ch.isdigit() for ch in a.rol)
        meeting = by_id[a.vergadering_id]
        assert meeting.niveau == "regiegroep" and meeting.datum < a.deadline
        assert a.gewijzigd_op.date() <= PEILDATUM


def test_normering(eng: Engine, meetings: list[sturing.Meeting]) -> None:
    by_id = {m.id: m for m in meetings}
    catalogue = load_catalogue()["indicatoren"]
    norms = sturing.list_norms(eng)
    for n in norms:
        assert n.indicator in catalogue and not sturing.bands_problems(n.banden)
        labels = [label for _, label in n.banden]
        good = catalogue[n.indicator]["polariteit"] == "hoger_is_beter"
        assert labels == (["onvoldoende", "voldoende", "goed"] if good else ["laag", "gemiddeld", "hoog"])
    adopted = [n for n in norms if n.besluit is not None]
    first = [n for n in adopted if by_id[n.besluit.vergadering_id].datum.year == 2021]
    assert 5 <= len(first) <= 7
    assert all(by_id[n.besluit.vergadering_id].niveau == "stuurgroep" for n in adopted)
    revised = [n for n in adopted if by_id[n.besluit.vergadering_id].datum.year == 2024]
    assert len(revised) == 1 and revised[0].status == "vastgesteld"
    assert [n.status for n in norms if n.indicator == revised[0].indicator] == ["vervangen", "vastgesteld"]
    assert len([n for n in norms if n.status == "voorstel"]) == 1
    assert len(sturing.adopted_norms(eng)) == len(first)


def test_every_adopted_plan_is_a_decision_of_a_stuurgroep_meeting(
    eng: Engine, meetings: list[sturing.Meeting]
) -> None:
    decisions = {
        (d.onderwerp, m.datum): m
        for m in meetings
        for d in m.besluiten
        if d.soort == "jaarplan" and m.niveau == "stuurgroep"
    }
    adopted = [p for p in jp.list_plans(eng) if p.status == "vastgesteld"]
    assert len(adopted) == 12 * len(JAREN)
    for p in adopted:
        assert (f"{p.wijk_code}/{p.jaar}", p.vastgesteld_op) in decisions, (p.wijk_code, p.jaar)
    assert len(decisions) == len(adopted)


def test_audit_has_a_row_per_write(seeded: tuple[Engine, dict, int, int]) -> None:
    eng, result, before, after = seeded
    assert after - before == result["schrijfacties"]
    with eng.connect() as conn:
        rows = conn.execute(
            select(audit.c.actie, audit.c.actor, audit.c.uitkomst, func.count())
            .where(audit.c.id > before)
            .group_by(audit.c.actie, audit.c.actor, audit.c.uitkomst)
        ).all()
    assert {(a, u) for _, a, u, _ in rows} == {(ACTOR.email, "uitgevoerd")}
    per = {actie: n for actie, _, _, n in rows}
    dists = sturing.list_distributions(eng)
    assert per["verdeling.opslaan"] == len(dists)
    assert per["verdeling.adviseren"] == sum(d.status != "scenario" for d in dists)
    assert per["verdeling.vaststellen"] == sum(
        d.status in ("vastgesteld", "vervangen", "afgewezen") for d in dists
    )
    assert per["capaciteit.schrijven"] == result["capaciteit"]
    assert per["vergadering.vastleggen"] == result["vergaderingen"]
    assert (
        per["afspraak.schrijven"] == result["afspraken"] and per["afspraak.toetsen"] == result["toetsingen"]
    )
    assert per["actie.schrijven"] > result["acties"]  # made, then updated in later meetings


def test_seeding_again_does_nothing(seeded: tuple[Engine, dict, int, int]) -> None:
    eng = seeded[0]
    n = _audit_count(eng)
    assert seed_demo_steering(eng, WIJKEN, NEED) == {"overgeslagen": True}
    assert _audit_count(eng) == n


def test_without_the_plans_and_other_wijken(tmp_path) -> None:
    """Alone on an empty store, with two wijken (one unknown to the demo) and no need: still complete."""
    eng = open_store("sqlite:///" + str(tmp_path / "r.sqlite"))
    wijken = [("WK999903", "Molenwijk"), ("WK012301", "Elders")]
    result = seed_demo_steering(eng, wijken, {}, seed=7)
    assert result["overgeslagen"] is False and result["hergebruikt"] == 0
    for d in sturing.list_distributions(eng):
        assert d.per_partner() == sturing.capacities(eng, d.jaar)
        assert set(d.per_wijk()) == {"WK999903", "WK012301"}
    assert {a.wijk_code for a in sturing.list_actions(eng)} <= {None, "WK999903", "WK012301"}
