"""The steering pages (AppTest, demo mode, issue #15): the Capaciteit page (need, proposal, scenario and advice,
who may edit what), the Stuurgroep page's decisions requested, agreements and decisions, the Regiegroep page's
action list, agreements needing attention and meetings, and the Jaarplan page's banner of overdue actions.

Every test has its own records store (SQLite in tmp_path through $WIJKMONITOR_RECORDS_URL, the demo's peildatum
15 September 2025) on a copy of the demo warehouse; the records are made through wijkmonitor.records.sturing as
the system, so whatever the demo seeding writes beside the demo warehouse never shows here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dashboard_support import REPO, app_test, demo_db
from streamlit.testing.v1 import AppTest
from test_roles import leaks

from dashboard.safe import md
from dashboard.session import Viewer
from wijkmonitor.records import auditlog, authz, sturing, users
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.store import open_store
from wijkmonitor.records.users import demo_email

CAPACITEIT = "views/capaciteit.py"
STUURGROEP = "views/stuurgroep.py"
REGIEGROEP = "views/regiegroep.py"
JAARPLAN = "views/jaarplan.py"
SYSTEM = authz.Actor.command("test")
PEILDATUM = dt.date(2025, 9, 15)
JAAR = 2025
WIJK, ANDERE = "WK999901", "WK999902"
UREN = {"gemeente": 1200, "politie": 600, "welzijn": 300}  # the capacity of 2025 in most tests
EVIL = "https://evil.example"
HOSTILE = f"<img src=x onerror=alert(1)> [klik]({EVIL}/x) **vet** :red[rood] $x^2$ www.evil.example <b>b</b>"
ROLES = ["beheerder", "stuurgroep", "regiegroep", "team-wk999901", "partner-politie"]


@dataclasses.dataclass(frozen=True)
class Warehouse:
    path: Path
    wijken: dict[str, str]  # code -> name, of the demo gemeente, in code order
    bouw: str  # the start of the warehouse publication a meeting records: "bouw 2025-… hh:mm"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Warehouse:
    db = tmp_path_factory.mktemp("sturing") / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT gebied_code, gebied_naam, gemeente_code FROM marts.dim_gebied WHERE niveau = 'wijk' "
            "ORDER BY gebied_code"
        ).fetchall()
        built = con.execute("SELECT max(gebouwd) FROM meta.bouw").fetchone()[0]
    finally:
        con.close()
    assert len({g for _, _, g in rows}) == 1, "the demo has one gemeente"
    return Warehouse(db, {c: n for c, n, _ in rows}, f"bouw {pd.Timestamp(built):%Y-%m-%d %H:%M}")


@pytest.fixture
def store(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path}/records.sqlite"
    monkeypatch.setenv("WIJKMONITOR_RECORDS_URL", url)
    eng = open_store(url)
    jp.set_setting(eng, SYSTEM, jp.SETTING_PEILDATUM, PEILDATUM.isoformat())
    yield eng
    eng.dispose()


# ------------------------------------------------------------------------------------------ helpers


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def as_role(at: AppTest, slug: str) -> AppTest:
    return ok(at.sidebar.selectbox(key="demo_bekijk_als").select(demo_email(slug)).run())


def page(warehouse: Warehouse, monkeypatch, path: str, slug: str = "beheerder", **query) -> AppTest:
    """The whole app in demo mode as demo user ``slug``, on page ``path`` with URL parameters."""
    at = ok(app_test(warehouse.path, monkeypatch).run())
    if slug != "beheerder":
        as_role(at, slug)
    at.switch_page(path)
    at.query_params.clear()
    for key, value in query.items():
        at.query_params[key] = value
    return ok(at.run())


def table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one read-only table that has these columns (st.dataframe keeps no key in AppTest)."""
    found = [
        d.value
        for d in at.dataframe
        if d.editing_mode == "read_only" and set(columns) <= set(d.value.columns)
    ]
    assert len(found) == 1, (columns, [list(d.value.columns) for d in at.dataframe])
    return found[0]


def tables(at: AppTest, *columns: str) -> list[pd.DataFrame]:
    return [
        d.value
        for d in at.dataframe
        if d.editing_mode == "read_only" and set(columns) <= set(d.value.columns)
    ]


def keyed(widgets, prefix: str):
    found = [w for w in widgets if w.key and w.key.startswith(prefix)]
    assert len(found) == 1, (prefix, [w.key for w in widgets])
    return found[0]


def texts(at: AppTest, kind: str) -> str:
    return "\n".join(e.value for e in getattr(at, kind))


def submit(at: AppTest, form: str, label: str) -> AppTest:
    return ok(at.button(key=f"FormSubmitter:{form}-{label}").click().run())


def button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def own_leaks(at: AppTest) -> list[tuple[str, str]]:
    """Raw Markdown/HTML of people's text left on the page (the banner's own ':red[**…**]' is the page's)."""
    return [
        (raw, t) for raw, t in leaks(at) if not re.fullmatch(r":red\[\*\*\d+ acties? van de regiegroep.*", t)
    ]


def editor_state(rows: dict[int, dict]) -> dict:
    return {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def evenly(wijken, uren: dict[str, int]) -> dict[tuple[str, str], int]:
    """Every partner's hours spread evenly over the wijken (the remainder to the first ones)."""
    codes = list(wijken)
    out = {}
    for partner, total in uren.items():
        q, r = divmod(total, len(codes))
        for i, w in enumerate(codes):
            out[(partner, w)] = q + (1 if i < r else 0)
    return out


def seed_capacity(store, uren: dict[str, int] = UREN, jaar: int = JAAR) -> None:
    for partner, u in uren.items():
        sturing.set_capacity(store, SYSTEM, partner, jaar, u)


def seed_meeting(store, warehouse: Warehouse, niveau: str = "stuurgroep", datum=dt.date(2025, 4, 17)) -> int:
    return sturing.record_meeting(
        store, SYSTEM, niveau, datum, aanwezig=("gemeente", "politie"), data_versie=warehouse.bouw
    )


def seed_distribution(
    store,
    warehouse: Warehouse,
    naam: str,
    status: str = "advies",
    advies: str = "Naar behoefte, zoals voorgesteld.",
    uren: dict[tuple[str, str], int] | None = None,
    halfjaar: int = 2,
) -> int:
    """A distribution of 2025 (evenly spread unless ``uren``) in ``status``: scenario, advies or vastgesteld."""
    vid = sturing.save_scenario(
        store,
        SYSTEM,
        JAAR,
        halfjaar,
        naam,
        uren or evenly(warehouse.wijken, UREN),
        dict.fromkeys(warehouse.wijken, 1.0),
        data_versie=warehouse.bouw,
    )
    if status in ("advies", "vastgesteld"):
        sturing.advise_distribution(store, SYSTEM, vid, advies)
    if status == "vastgesteld":
        sturing.adopt_distribution(store, SYSTEM, vid, seed_meeting(store, warehouse))
    return vid


def capacity_controls(at: AppTest) -> dict:
    """What the viewer may do on the Capaciteit page."""
    editors = [d for d in at.data_editor if d.key and d.key.startswith("scenario_editor_")]
    keys = button_keys(at)
    return {
        "capaciteit": {
            n.key.removeprefix("capaciteit_").rsplit("_", 1)[0]
            for n in at.number_input
            if n.key.startswith("capaciteit_")
        },
        "bewerken": [not d.proto.disabled for d in editors],
        "opslaan": "FormSubmitter:scenario_opslaan-Scenario opslaan" in keys,
        "advies": any(k.startswith("FormSubmitter:scenario_advies-") for k in keys),
        "normering": "norm_voorstellen" in keys,
    }


# ------------------------------------------------------------------------------------------ Capaciteit: roles


NOTHING = {"capaciteit": set(), "bewerken": [False], "opslaan": False, "advies": False, "normering": False}
CONTROLS = {
    "beheerder": NOTHING,
    "stuurgroep": NOTHING,
    "regiegroep": {
        "capaciteit": set(sturing.PARTNERS),
        "bewerken": [True],
        "opslaan": True,
        "advies": True,
        "normering": True,
    },
    "team-wk999901": NOTHING,
    "partner-politie": NOTHING | {"capaciteit": {"politie"}},
}


@pytest.mark.parametrize("slug", ROLES)
def test_capaciteit_renders_for_every_role_with_its_own_controls(warehouse, store, monkeypatch, slug):
    at = page(warehouse, monkeypatch, CAPACITEIT, slug)
    assert at.title[0].value == "Capaciteit naar behoefte"
    # no records: the need is there, the proposal waits for the capacity
    assert "Nog geen capaciteit voor 2025 ingevuld." in texts(at, "info")
    assert not tables(at, "Voorstel", "Vastgesteld")
    assert not [d for d in at.data_editor if d.key and d.key.startswith("scenario_editor_")]
    assert "Vul eerst de capaciteit in." in texts(at, "markdown")
    assert len(table(at, "Aandeel (%)")) == len(warehouse.wijken)
    assert "Nog geen verdelingen." in texts(at, "markdown")
    empty = capacity_controls(at)
    assert empty["capaciteit"] == CONTROLS[slug]["capaciteit"]
    assert empty["bewerken"] == [] and not empty["opslaan"] and not empty["advies"]

    # capacity, an adopted distribution and a scenario
    seed_capacity(store)
    seed_distribution(store, warehouse, "Vastgesteld voorjaar", "vastgesteld", halfjaar=1)
    seed_distribution(store, warehouse, "Werkversie najaar", "scenario")
    ok(at.run())
    assert capacity_controls(at) == CONTROLS[slug]
    assert set(table(at, "Uren voor de wijken")["Partner"]) == {sturing.PARTNERS[p] for p in UREN}
    assert len(table(at, "Voorstel", "Vastgesteld")) == len(warehouse.wijken)
    history = table(at, "Stand", "Totaal uren")
    assert dict(zip(history["Naam"], history["Stand"], strict=True)) == {
        "Vastgesteld voorjaar": "vastgesteld",
        "Werkversie najaar": "scenario",
    }
    assert set(history["Totaal uren"]) == {sum(UREN.values())}


def test_a_partner_fills_in_its_own_capacity_only(warehouse, store, monkeypatch):
    seed_capacity(store)
    at = page(warehouse, monkeypatch, CAPACITEIT, "partner-politie")
    assert [n.key for n in at.number_input] == ["capaciteit_politie_2025"]
    assert keyed(at.number_input, "capaciteit_politie_").value == UREN["politie"]
    keyed(at.number_input, "capaciteit_politie_").set_value(750)
    submit(at, "capaciteit_form", "Opslaan")
    assert at.success[0].value == md("Capaciteit 2025 opgeslagen.")
    assert sturing.capacities(store, JAAR) == UREN | {"politie": 750}
    row = auditlog.entries(store, limit=1)[0]
    assert (row["actor"], row["actie"], row["uitkomst"], row["via"]) == (
        demo_email("partner-politie"),
        "capaciteit.schrijven",
        "uitgevoerd",
        "pagina:Capaciteit",
    )


def test_the_capacity_form_shows_the_chosen_years_capacity(warehouse, store, monkeypatch):
    seed_capacity(store)
    at = page(warehouse, monkeypatch, CAPACITEIT, "regiegroep")
    assert keyed(at.number_input, "capaciteit_gemeente_").value == UREN["gemeente"]
    [jaar] = [r for r in at.radio if r.label == "Verdeling voor het jaar"]
    ok(jaar.set_value(JAAR + 1).run())
    assert "Nog geen capaciteit voor 2026 ingevuld." in texts(at, "info")
    shown = keyed(at.number_input, "capaciteit_gemeente_").value
    submit(at, "capaciteit_form", "Opslaan")  # nothing typed: nothing to store
    assert (shown, sturing.capacities(store, JAAR + 1)) == (0, {})


# ------------------------------------------------------------------------------------------ Capaciteit: numbers


def test_need_and_proposal_add_up_and_the_adopted_distribution_shows(warehouse, store, monkeypatch):
    seed_capacity(store)
    # a jaarplan of Centrum that plans hours of two partners
    act = jp.Activity(
        "A01", "Wijkschouw", "woonomgeving", "gemeente", 3, 5, uren={"gemeente": 40.0, "politie": 10.0}
    )
    jp.save_activities(store, SYSTEM, WIJK, JAAR, [act])
    at = page(warehouse, monkeypatch, CAPACITEIT, "regiegroep")
    assert "Behoefte berekend met de cijfers van 2024" in texts(at, "caption")

    need = table(at, "Aandeel (%)")
    assert list(need["Wijk"]) == list(warehouse.wijken.values())  # one row per wijk of the gemeente
    assert abs(need["Aandeel (%)"].sum() - 100) <= 0.05 * len(need) + 1e-9
    assert (need["Behoefte"] > 0).all()

    proposal = table(at, "Voorstel", "Vastgesteld")
    assert list(proposal["Wijk"]) == list(warehouse.wijken.values())
    assert proposal["Voorstel"].sum() == sum(UREN.values())
    # the intensities belong to the row's own wijk (the tables are put together by position)
    size = need["Omvang"].str.replace(".", "", regex=False).astype(float)
    per_need = proposal["Voorstel"] / need["Behoefte"]
    assert (abs(proposal["Voorstel per eenheid behoefte"] - per_need) <= 0.05 + 0.01 * per_need).all()
    assert (abs(proposal["Voorstel per 1.000 inw."] - proposal["Voorstel"] / size * 1000) <= 0.051).all()
    assert proposal["Vastgesteld"].isna().all()
    assert "Gepland − voorstel" in proposal.columns and "Gepland − vastgesteld" not in proposal.columns
    centrum = proposal.set_index("Wijk").loc[warehouse.wijken[WIJK]]
    assert centrum["Gepland in jaarplan"] == 50 and centrum["Gepland − voorstel"] == 50 - centrum["Voorstel"]
    # more need, more hours
    order = need.sort_values("Behoefte")["Wijk"]
    assert (
        proposal.set_index("Wijk").loc[order.iloc[-1], "Voorstel"]
        > proposal.set_index("Wijk").loc[order.iloc[0], "Voorstel"]
    )
    # each partner's proposal adds up to its capacity exactly, and is what the scenario editor starts from
    editor = keyed(at.data_editor, "scenario_editor_").value
    assert list(editor.index) == list(warehouse.wijken.values())
    assert {c: int(editor[c].sum()) for c in editor.columns} == {
        sturing.PARTNERS[p]: u for p, u in UREN.items()
    }
    assert at.selectbox(key="capaciteit_partner").options == [
        "alle partners samen",
        *(sturing.PARTNERS[p] for p in UREN),
    ]
    for partner, total in UREN.items():
        ok(at.selectbox(key="capaciteit_partner").select(partner).run())
        per_partner = table(at, "Voorstel", "Vastgesteld")
        assert per_partner["Voorstel"].sum() == total, partner
        assert list(per_partner["Voorstel"]) == list(editor[sturing.PARTNERS[partner]]), partner

    # adopted: the column fills, the jaarplannen are compared with it
    uren = evenly(warehouse.wijken, UREN)
    vid = seed_distribution(store, warehouse, "Gelijk verdeeld <b>b</b>", "vastgesteld", uren=uren)
    ok(at.selectbox(key="capaciteit_partner").select("alle").run())
    proposal = table(at, "Voorstel", "Vastgesteld")
    per_wijk = sturing.get_distribution(store, vid).per_wijk()
    assert list(proposal["Vastgesteld"]) == [per_wijk[w] for w in warehouse.wijken]
    assert "Gepland − vastgesteld" in proposal.columns and "Gepland − voorstel" not in proposal.columns
    assert (
        proposal.set_index("Wijk").loc[warehouse.wijken[WIJK], "Gepland − vastgesteld"] == 50 - per_wijk[WIJK]
    )
    caption = next(c.value for c in at.caption if c.value.startswith(md("Vastgesteld:")))
    assert caption.startswith(md("Vastgesteld: 'Gelijk verdeeld <b>b</b>' (ronde 2025-H2), besluit van "))
    assert own_leaks(at) == []


# ------------------------------------------------------------------------------------------ scenario -> advice


def test_the_regiegroep_saves_a_scenario_and_gives_it_as_advice(warehouse, store, monkeypatch):
    seed_capacity(store)
    at = page(warehouse, monkeypatch, CAPACITEIT, "regiegroep")
    assert not capacity_controls(at)["advies"]  # no scenario yet
    editor = keyed(at.data_editor, "scenario_editor_")
    start = editor.value
    politie = sturing.PARTNERS["politie"]
    a, b = int(start[politie].iloc[0]), int(start[politie].iloc[1])
    at.session_state[editor.key] = editor_state({0: {politie: a - 20}, 1: {politie: b + 20}})
    ok(at.run())
    assert not at.warning or "verdeelt niet precies" not in texts(at, "warning")
    effect = table(at, "Uren (scenario)")
    assert effect["Uren (scenario)"].sum() == sum(UREN.values())
    keyed(at.text_input, "scenario_naam_").input("Meer voor Oude Haven")
    submit(at, "scenario_opslaan", "Scenario opslaan")
    assert at.success[0].value == md("Scenario 'Meer voor Oude Haven' opgeslagen.")
    [saved] = sturing.list_distributions(store, JAAR)
    codes = list(warehouse.wijken)
    assert (saved.naam, saved.status, saved.halfjaar, saved.aangemaakt_door) == (
        "Meer voor Oude Haven",
        "scenario",
        2,  # the peildatum is in the second half-year
        demo_email("regiegroep"),
    )
    assert saved.per_partner() == UREN
    assert (saved.uren[("politie", codes[0])], saved.uren[("politie", codes[1])]) == (a - 20, b + 20)
    assert saved.uren[("gemeente", codes[0])] == int(start[sturing.PARTNERS["gemeente"]].iloc[0])
    assert saved.data_versie.startswith(warehouse.bouw)
    assert set(saved.behoefte) == set(codes)

    # the advice
    assert capacity_controls(at)["advies"]
    assert keyed(at.selectbox, "advies_scenario_").value == saved.id
    at.text_area(key="advies_tekst").input("Oude Haven heeft de wijkagent harder nodig.")
    submit(at, "scenario_advies", "Als advies aan de stuurgroep geven")
    assert at.success[0].value == md("Het advies ligt nu bij de stuurgroep.")
    [advised] = sturing.list_distributions(store, JAAR)
    assert (advised.id, advised.status, advised.advies) == (
        saved.id,
        "advies",
        "Oude Haven heeft de wijkagent harder nodig.",
    )
    assert not capacity_controls(at)["advies"]  # no scenario left to advise
    history = table(at, "Stand", "Totaal uren")
    assert list(history["Stand"]) == ["advies regiegroep"]
    trail = [
        (r["actor"], r["actie"], r["uitkomst"])
        for r in reversed(auditlog.entries(store, limit=None))
        if r["via"] == "pagina:Capaciteit"
    ]
    assert trail == [
        (demo_email("regiegroep"), "verdeling.opslaan", "uitgevoerd"),
        (demo_email("regiegroep"), "verdeling.adviseren", "uitgevoerd"),
    ]


def test_a_scenario_that_does_not_add_up_is_refused(warehouse, store, monkeypatch):
    seed_capacity(store)
    at = page(warehouse, monkeypatch, CAPACITEIT, "regiegroep")
    editor = keyed(at.data_editor, "scenario_editor_")
    politie = sturing.PARTNERS["politie"]
    at.session_state[editor.key] = editor_state({0: {politie: int(editor.value[politie].iloc[0]) + 7}})
    ok(at.run())
    assert "Het scenario verdeelt niet precies de capaciteit: Politie +7 uur" in texts(at, "warning")
    keyed(at.text_input, "scenario_naam_").input("Te veel")
    submit(at, "scenario_opslaan", "Scenario opslaan")
    assert at.error[0].value == md(
        "Een verdeling verdeelt precies de capaciteit van elke partner: Politie: 607 uur verdeeld, maar de "
        "capaciteit 2025 is 600 uur."
    )
    assert not at.success
    assert sturing.list_distributions(store) == []
    # and a scenario without a name
    at.session_state[editor.key] = editor_state({})
    ok(at.run())
    keyed(at.text_input, "scenario_naam_").input("")
    submit(at, "scenario_opslaan", "Scenario opslaan")
    assert "De naam van het scenario is verplicht" in at.error[0].value
    assert sturing.list_distributions(store) == []


def open_scenario(at: AppTest, vid: int):
    ok(at.selectbox(key="scenario_basis").select(vid).run())
    return at.data_editor(key=f"scenario_editor_{vid}_{JAAR}")


def test_the_regiegroep_changes_a_saved_scenario(warehouse, store, monkeypatch):
    seed_capacity(store)
    vid = seed_distribution(store, warehouse, "Werkversie", "scenario")
    seed_distribution(store, warehouse, "Al geadviseerd", "advies")
    at = page(warehouse, monkeypatch, CAPACITEIT, "regiegroep")
    assert at.selectbox(key="scenario_basis").options == [
        "het voorstel naar behoefte",
        "Werkversie (scenario, ronde 2025-H2)",
        "Al geadviseerd (advies regiegroep, ronde 2025-H2)",
    ]
    assert keyed(at.selectbox, "advies_scenario_").options == ["Werkversie"]  # only a scenario can be advised
    editor = open_scenario(at, vid)
    codes = list(warehouse.wijken)
    stored = sturing.get_distribution(store, vid).uren
    gemeente = sturing.PARTNERS["gemeente"]
    assert list(editor.value[gemeente]) == [stored[("gemeente", w)] for w in codes]
    at.session_state[editor.key] = editor_state(
        {
            2: {gemeente: stored[("gemeente", codes[2])] - 10},
            3: {gemeente: stored[("gemeente", codes[3])] + 10},
        }
    )
    ok(at.run())
    # (the name and 'as new' are set here: the page does not fill them in, see the xfail test below)
    keyed(at.text_input, "scenario_naam_").input("Werkversie")
    keyed(at.checkbox, "scenario_nieuw_").uncheck()
    submit(at, "scenario_opslaan", "Scenario opslaan")
    assert at.success[0].value == md("Scenario 'Werkversie' opgeslagen.")
    [changed] = [d for d in sturing.list_distributions(store, JAAR) if d.status == "scenario"]
    assert changed.id == vid and len(sturing.list_distributions(store, JAAR)) == 2
    assert changed.uren == stored | {
        ("gemeente", codes[2]): stored[("gemeente", codes[2])] - 10,
        ("gemeente", codes[3]): stored[("gemeente", codes[3])] + 10,
    }


def test_choosing_a_saved_scenario_fills_in_its_name_and_saves_over_it(warehouse, store, monkeypatch):
    seed_capacity(store)
    vid = seed_distribution(store, warehouse, "Werkversie", "scenario")
    at = page(warehouse, monkeypatch, CAPACITEIT, "regiegroep")
    open_scenario(at, vid)
    assert (keyed(at.text_input, "scenario_naam_").value, keyed(at.checkbox, "scenario_nieuw_").value) == (
        "Werkversie",
        False,
    )


def test_a_scenario_changed_meanwhile_is_not_overwritten(warehouse, store, monkeypatch):
    seed_capacity(store)
    vid = seed_distribution(store, warehouse, "Werkversie", "scenario")
    at = page(warehouse, monkeypatch, CAPACITEIT, "regiegroep")
    editor = open_scenario(at, vid)
    codes = list(warehouse.wijken)
    politie = sturing.PARTNERS["politie"]
    a, b = int(editor.value[politie].iloc[0]), int(editor.value[politie].iloc[1])
    at.session_state[editor.key] = editor_state({0: {politie: a - 5}, 1: {politie: b + 5}})
    ok(at.run())
    keyed(at.text_input, "scenario_naam_").input("Werkversie")
    keyed(at.checkbox, "scenario_nieuw_").uncheck()
    # meanwhile someone else saves the same scenario (other hours of the gemeente)
    before = sturing.get_distribution(store, vid).uren
    other = before | {
        ("gemeente", codes[4]): before[("gemeente", codes[4])] + 30,
        ("gemeente", codes[5]): before[("gemeente", codes[5])] - 30,
    }
    sturing.save_scenario(
        store, SYSTEM, JAAR, 2, "Werkversie", other, dict.fromkeys(codes, 1.0), verdeling_id=vid
    )
    submit(at, "scenario_opslaan", "Scenario opslaan")
    assert "Iemand anders heeft dit scenario intussen gewijzigd" in texts(at, "error")
    assert sturing.get_distribution(store, vid).uren == other


# ------------------------------------------------------------------------------------------ Stuurgroep: decisions


def decision_buttons(at: AppTest) -> set[str]:
    return {k for k in button_keys(at) if k.startswith(("vaststellen_", "terug_"))}


def test_the_stuurgroep_adopts_an_advised_distribution_in_a_meeting_it_records(warehouse, store, monkeypatch):
    seed_capacity(store)
    vid = seed_distribution(store, warehouse, f"Plan {HOSTILE}"[:200], advies=HOSTILE)
    at = page(warehouse, monkeypatch, STUURGROEP, "stuurgroep")
    assert "Besluiten gevraagd" in [s.value for s in at.subheader]
    assert md(f"Plan {HOSTILE}"[:200]) in texts(at, "markdown")  # the name, escaped
    assert HOSTILE in [t.value for t in at.text]  # the advice, as plain text
    assert any(
        c.value.startswith("Advies van de regiegroep (ronde 2025-H2); Gemeente 1.200 uur, Politie 600 uur, ")
        for c in at.caption
    )
    assert own_leaks(at) == []
    # no meeting yet: record one first
    assert at.selectbox(key="besluit_vergadering").value == "nieuw"
    assert "Leg eerst de vergadering vast waarin de stuurgroep besluit." in texts(at, "info")
    assert decision_buttons(at) == set()
    at.date_input(key="besluit_datum").set_value(dt.date(2025, 10, 2))
    at.multiselect(key="besluit_aanwezig").set_value(["gemeente", "politie", "wethouder"])
    submit(at, "besluit_nieuwe_vergadering", "Vergadering vastleggen")
    assert at.success[0].value == md(
        "Vergadering van 2 oktober 2025 vastgelegd. Kies haar hierboven om te besluiten."
    )
    [meeting] = sturing.list_meetings(store, "stuurgroep")
    assert (meeting.datum, meeting.aanwezig, meeting.aangemaakt_door) == (
        dt.date(2025, 10, 2),
        ("gemeente", "politie", "wethouder"),
        demo_email("stuurgroep"),
    )
    assert meeting.data_versie.startswith("bouw ") and meeting.data_versie.startswith(warehouse.bouw)

    # choose it, adopt
    ok(at.selectbox(key="besluit_vergadering").select(meeting.id).run())
    assert decision_buttons(at) == {f"vaststellen_verdeling_{vid}", f"terug_knop_{vid}"}
    ok(at.button(key=f"vaststellen_verdeling_{vid}").click().run())
    assert at.success[0].value == md("Verdeling 2025 vastgesteld.")
    adopted = sturing.get_distribution(store, vid)
    assert adopted.status == "vastgesteld" and adopted.besluit.vergadering_id == meeting.id
    assert sturing.adopted_distribution(store, JAAR).id == vid
    [besluit] = sturing.get_meeting(store, meeting.id).besluiten
    assert (besluit.soort, besluit.aangemaakt_door) == ("verdeling", demo_email("stuurgroep"))
    assert besluit.onderwerp.startswith("verdeling 2025 (2025-H2): Plan ")
    # the page: nothing waits any more; the decision with its meeting and data version
    assert "Er wacht niets op een besluit van de stuurgroep." in texts(at, "success")
    decisions = table(at, "Besluit", "Gegevensversie", "Vergadering")
    assert list(decisions["Besluit"]) == [besluit.onderwerp]
    assert list(decisions["Vergadering"]) == [dt.date(2025, 10, 2)]
    assert list(decisions["Gegevensversie"]) == [meeting.data_versie]
    meetings = table(at, "Overleg", "Aanwezig")
    assert list(meetings["Besluiten"]) == [besluit.onderwerp]
    assert own_leaks(at) == []
    trail = [
        (r["actie"], r["uitkomst"])
        for r in reversed(auditlog.entries(store, limit=None))
        if r["via"] == "pagina:Stuurgroep"
    ]
    assert trail == [("vergadering.vastleggen", "uitgevoerd"), ("verdeling.vaststellen", "uitgevoerd")]


def test_the_regiegroep_sees_the_advice_but_cannot_adopt_it(warehouse, store, monkeypatch):
    seed_capacity(store)
    seed_meeting(store, warehouse)
    seed_distribution(store, warehouse, "Plan A", advies="Zo verdelen.")
    at = page(warehouse, monkeypatch, STUURGROEP, "regiegroep")
    assert "**Verdeling van de capaciteit 2025**: Plan A" in texts(at, "markdown")
    assert "Zo verdelen." in [t.value for t in at.text]
    assert decision_buttons(at) == set()
    assert not [s for s in at.selectbox if s.key == "besluit_vergadering"]
    assert not [t for t in at.text_area if t.key and t.key.startswith("terug_")]  # no 'Terugsturen' either


def test_the_stuurgroep_sends_an_advice_back_with_a_reason(warehouse, store, monkeypatch):
    seed_capacity(store)
    mid = seed_meeting(store, warehouse)
    vid = seed_distribution(store, warehouse, "Plan A", advies="Zo verdelen.")
    at = page(warehouse, monkeypatch, STUURGROEP, "stuurgroep")
    assert at.selectbox(key="besluit_vergadering").value == mid  # the newest recorded meeting first
    # without a reason: refused
    ok(at.button(key=f"terug_knop_{vid}").click().run())
    assert "De reden is verplicht" in at.error[0].value
    assert sturing.get_distribution(store, vid).status == "advies"
    at.text_area(key=f"terug_verdeling_{vid}").input("Meer voor de Molenwijk.")
    ok(at.button(key=f"terug_knop_{vid}").click().run())
    assert at.success[0].value == md("Het advies is teruggestuurd.")
    back = sturing.get_distribution(store, vid)
    assert back.status == "afgewezen" and back.besluit is None
    assert back.advies == "Zo verdelen.\n\nTeruggestuurd door de stuurgroep: Meer voor de Molenwijk."
    assert sturing.get_meeting(store, mid).besluiten == ()
    assert "Er wacht niets op een besluit van de stuurgroep." in texts(at, "success")


# ------------------------------------------------------------------------------------------ agreements


def seed_agreements(store, warehouse: Warehouse) -> tuple[int, int]:
    """A manual agreement of the corporation (kept in 2024-H2, broken in 2025-H1) and the regiegroep's
    meeting rhythm, four a year: none in 2023, four in 2024, two so far in 2025. Both agreed in 2022 (an
    agreement is not judged over the periods before it was made)."""
    agreed = dt.datetime(2022, 12, 1, 12, tzinfo=dt.UTC)
    manual = sturing.save_agreement(
        store,
        SYSTEM,
        sturing.Agreement("Corporatie meldt leegstand binnen een maand", "corporatie", "maandelijks"),
        nu=agreed,
    )
    sturing.check_agreement(store, SYSTEM, manual, "2024-H2", "nagekomen")
    sturing.check_agreement(store, SYSTEM, manual, "2025-H1", "niet nagekomen", "Twee meldingen te laat")
    rhythm = sturing.save_agreement(
        store,
        SYSTEM,
        sturing.Agreement(
            "De regiegroep vergadert minstens vier keer per jaar",
            "regiegroep",
            "4 keer per jaar",
            "vergaderritme",
            {"niveau": "regiegroep", "per_jaar": 4},
        ),
        nu=agreed,
    )
    for datum in [dt.date(2024, m, 10) for m in (1, 3, 6, 9)] + [dt.date(2025, 1, 14), dt.date(2025, 3, 11)]:
        seed_meeting(store, warehouse, "regiegroep", datum)
    return manual, rhythm


MANUAL = "Corporatie meldt leegstand binnen een maand"
RHYTHM = "De regiegroep vergadert minstens vier keer per jaar"


def test_the_stuurgroep_sees_every_agreement_per_period(warehouse, store, monkeypatch):
    seed_agreements(store, warehouse)
    at = page(warehouse, monkeypatch, STUURGROEP, "stuurgroep")
    shown = table(at, "Periode", "Stand", "Hoe")
    assert list(shown.columns) == ["Periode", "Partij", "Afspraak", "Stand", "Hoe", "Toelichting"]
    rows = {(r.Periode, r.Afspraak): (r.Partij, r.Stand, r.Hoe) for r in shown.itertuples()}
    # from 2023 (two years before the peildatum's year)
    assert rows == {
        ("2025", RHYTHM): ("Regiegroep", "loopt", "gemeten"),
        ("2025-H1", MANUAL): ("Woningcorporatie", "niet nagekomen", "getoetst"),
        ("2024", RHYTHM): ("Regiegroep", "nagekomen", "gemeten"),
        ("2024-H2", MANUAL): ("Woningcorporatie", "nagekomen", "getoetst"),
        ("2023", RHYTHM): ("Regiegroep", "niet nagekomen", "gemeten"),
    }
    assert list(shown["Periode"]) == ["2025-H1", "2025", "2024-H2", "2024", "2023"]  # newest first
    notes = dict(zip(shown["Periode"], shown["Toelichting"], strict=True))
    assert notes["2025"] == "2 van de 4 vergaderingen tot nu toe"
    assert notes["2025-H1"] == "Twee meldingen te laat"
    summary = table(at, "Partij", "nagekomen", "niet nagekomen", "loopt").set_index("Partij")
    assert summary.loc["Regiegroep"].to_dict() == {"nagekomen": 1, "niet nagekomen": 1, "loopt": 1}
    assert summary.loc["Woningcorporatie"].to_dict() == {"nagekomen": 1, "niet nagekomen": 1, "loopt": 0}
    ok(at.selectbox(key="afspraken_partij").select("Woningcorporatie").run())
    assert set(table(at, "Periode", "Stand", "Hoe")["Hoe"]) == {"getoetst"}


def test_the_regiegroep_sees_the_agreements_needing_attention_and_checks_one(warehouse, store, monkeypatch):
    manual, _ = seed_agreements(store, warehouse)
    at = page(warehouse, monkeypatch, REGIEGROEP, "regiegroep")
    attention = table(at, "Periode", "Stand", "Hoe")
    assert {(r.Periode, r.Afspraak, r.Stand) for r in attention.itertuples()} == {
        ("2025-H1", MANUAL, "niet nagekomen"),
        ("2025", RHYTHM, "loopt"),
    }
    # the regiegroep checks the manual agreement again for 2025-H1
    assert at.selectbox(key="regie_afspraak_keuze").options == [MANUAL]
    assert at.selectbox(key="regie_afspraak_periode").options == ["2025-H1", "2025-H2"]
    at.selectbox(key="regie_afspraak_periode").select("2025-H1")
    at.radio(key="regie_afspraak_status").set_value("nagekomen")
    at.text_input(key="regie_afspraak_toel").input("Alsnog gemeld")
    submit(at, "regie_afspraak_toets", "Toetsing vastleggen")
    assert at.success[0].value == md("Toetsing vastgelegd.")
    latest = {(r.afspraak_id, r.periode): r for r in sturing.manual_results(store)}
    assert (latest[(manual, "2025-H1")].status, latest[(manual, "2025-H1")].getoetst_door) == (
        "nagekomen",
        demo_email("regiegroep"),
    )
    attention = table(at, "Periode", "Stand", "Hoe")
    assert {(r.Periode, r.Afspraak) for r in attention.itertuples()} == {("2025", RHYTHM)}
    # 'niet nagekomen' needs a reason
    at.radio(key="regie_afspraak_status").set_value("niet nagekomen")
    at.text_input(key="regie_afspraak_toel").input("")
    submit(at, "regie_afspraak_toets", "Toetsing vastleggen")
    assert "De toelichting is verplicht" in at.error[0].value


# ------------------------------------------------------------------------------------------ Regiegroep: actions


def seed_actions(store) -> dict[str, int]:
    made = {
        "laat": sturing.Action(
            "Schouw rond het winkelcentrum", "gemeente", "wijkregisseur", WIJK, dt.date(2025, 9, 1)
        ),
        "later": sturing.Action("Verlichting Parkpad", "corporatie", "", ANDERE, dt.date(2025, 12, 1)),
        "klaar": sturing.Action(
            "Inbraakpreventie-avond", "politie", "wijkagent", WIJK, dt.date(2025, 6, 1), "gereed"
        ),
        "alle": sturing.Action(
            "Jaarverslag aan de raad", "regiegroep", "", None, dt.date(2025, 8, 1), "loopt"
        ),
    }
    return {k: sturing.save_action(store, SYSTEM, a) for k, a in made.items()}


def test_the_regiegroep_sees_overdue_actions_and_adds_one(warehouse, store, monkeypatch):
    seed_actions(store)
    at = page(warehouse, monkeypatch, REGIEGROEP, "regiegroep")
    assert "2 acties zijn over de deadline." in texts(at, "error")
    actions = table(at, "Te laat", "Actie", "Deadline")
    assert list(actions["Actie"]) == [
        "Jaarverslag aan de raad",
        "Schouw rond het winkelcentrum",
        "Verlichting Parkpad",
    ]
    assert list(actions["Te laat"]) == ["te laat", "te laat", ""]
    assert list(actions["Wijk"]) == ["alle", warehouse.wijken[WIJK], warehouse.wijken[ANDERE]]
    assert actions["Eigenaar"].iloc[1] == "Gemeente (wijkregisseur)"
    ok(at.toggle(key="regie_acties_alle").set_value(True).run())
    assert len(table(at, "Te laat", "Actie", "Deadline")) == 4

    # a new action through the form
    at.text_input(key="regie_acties_omschr").input("Extra surveillance Stationskwartier")
    at.selectbox(key="regie_acties_eig").select("politie")
    at.text_input(key="regie_acties_rol").input("wijkagent")
    at.selectbox(key="regie_acties_wijk").select("WK999905")
    at.date_input(key="regie_acties_deadline").set_value(dt.date(2025, 11, 1))
    submit(at, "regie_acties_nieuw", "Toevoegen")
    assert at.success[0].value == md("Actie toegevoegd.")
    new = next(
        a for a in sturing.list_actions(store) if a.omschrijving == "Extra surveillance Stationskwartier"
    )
    assert (new.partner, new.rol, new.wijk_code, new.deadline, new.status) == (
        "politie",
        "wijkagent",
        "WK999905",
        dt.date(2025, 11, 1),
        "open",
    )
    row = auditlog.entries(store, limit=1)[0]
    assert (row["actor"], row["rollen"], row["actie"], row["uitkomst"], row["via"]) == (
        demo_email("regiegroep"),
        "regiegroep",
        "actie.schrijven",
        "uitgevoerd",
        "pagina:Regiegroep",
    )
    assert "Extra surveillance Stationskwartier" in set(table(at, "Te laat", "Actie", "Deadline")["Actie"])

    # an overdue action is done: one overdue left
    at.selectbox(key="regie_acties_keuze").select(
        next(a.id for a in sturing.list_actions(store) if a.wijk_code is None)
    )
    at.selectbox(key="regie_acties_nieuwe_status").select("gereed")
    at.text_input(key="regie_acties_toel").input("Verstuurd")
    submit(at, "regie_acties_status", "Bijwerken")
    assert at.success[0].value == md("Actie bijgewerkt.")
    assert "1 actie is over de deadline." in texts(at, "error")
    done = next(a for a in sturing.list_actions(store) if a.wijk_code is None)
    assert (done.status, done.toelichting) == ("gereed", "Verstuurd")


def test_the_regiegroep_records_a_meeting(warehouse, store, monkeypatch):
    at = page(warehouse, monkeypatch, REGIEGROEP, "regiegroep")
    assert "Nog geen vergaderingen vastgelegd." in texts(at, "markdown")
    assert at.selectbox(key="regie_vergaderingen_niveau").options == ["Regiegroep", "Stuurgroep"]
    at.date_input(key="regie_vergaderingen_datum").set_value(dt.date(2025, 9, 9))
    at.multiselect(key="regie_vergaderingen_aanw").set_value(["gemeente", "programmamanager"])
    at.text_area(key="regie_vergaderingen_notities").input("Acties doorgenomen.")
    submit(at, "regie_vergaderingen_form", "Vastleggen")
    assert at.success[0].value == md("Vergadering van 9 september 2025 vastgelegd.")
    [m] = sturing.list_meetings(store)
    assert (m.niveau, m.datum, m.aanwezig, m.notities) == (
        "regiegroep",
        dt.date(2025, 9, 9),
        ("gemeente", "programmamanager"),
        "Acties doorgenomen.",
    )
    assert m.data_versie.startswith(warehouse.bouw)
    shown = table(at, "Overleg", "Aanwezig")
    assert list(shown["Overleg"]) == ["Regiegroep"] and list(shown["Gegevensversie"]) == [m.data_versie]
    # the new meeting can be the origin of an action
    assert at.selectbox(key="regie_acties_verg").options == ["–", "Regiegroep, 9 september 2025"]


def test_a_team_sees_the_action_list_but_no_forms(warehouse, store, monkeypatch):
    seed_actions(store)
    seed_agreements(store, warehouse)
    at = page(warehouse, monkeypatch, REGIEGROEP, "team-wk999901")
    assert "2 acties zijn over de deadline." in texts(at, "error")
    assert len(table(at, "Te laat", "Actie", "Deadline")) == 3
    assert len(table(at, "Periode", "Stand", "Hoe")) == 2  # the agreements needing attention, read-only
    assert [k for k in button_keys(at) if k.startswith("FormSubmitter:")] == []
    keys = {
        w.key for kind in ("text_input", "text_area", "selectbox", "date_input") for w in getattr(at, kind)
    }
    assert not {
        k for k in keys if k and k.startswith(("regie_acties_", "regie_afspraak", "regie_vergaderingen"))
    }


# ------------------------------------------------------------------------------------------ Jaarplan banner


def test_the_jaarplan_page_shows_the_wijks_overdue_actions_as_plain_text(warehouse, store, monkeypatch):
    sturing.save_action(
        store, SYSTEM, sturing.Action(HOSTILE, "politie", "**wijkagent**", WIJK, dt.date(2025, 9, 1))
    )
    sturing.save_action(
        store, SYSTEM, sturing.Action("Andere wijk", "gemeente", "", ANDERE, dt.date(2025, 9, 1))
    )
    sturing.save_action(
        store, SYSTEM, sturing.Action("Nog niet laat", "gemeente", "", None, dt.date(2025, 12, 1))
    )
    sturing.save_action(
        store, SYSTEM, sturing.Action("Al gedaan", "gemeente", "", WIJK, dt.date(2025, 8, 1), "gereed")
    )
    for slug in ("team-wk999901", "regiegroep"):
        at = page(warehouse, monkeypatch, JAARPLAN, slug, wijk=WIJK, jaar="2025")
        assert ":red[**1 actie van de regiegroep over de deadline**]" in [m.value for m in at.markdown], slug
        # the banner above the tabs, and the wijk's action list in the tab 'Overleg en acties'
        banner, lijst = tables(at, "Te laat", "Actie", "Eigenaar")
        assert list(banner["Actie"]) == [HOSTILE], slug  # literally, in a table cell
        assert list(banner["Eigenaar"]) == ["Politie (**wijkagent**)"]
        assert list(banner["Te laat"]) == ["te laat"]
        assert list(lijst["Actie"]) == [HOSTILE, "Nog niet laat"] and list(lijst["Te laat"]) == [
            "te laat",
            "",
        ]
        assert "1 actie is over de deadline." in texts(at, "error")
        assert own_leaks(at) == [], slug
    # the other wijk sees its own, not this one
    at = page(warehouse, monkeypatch, JAARPLAN, "team-wk999902", wijk=ANDERE, jaar="2025")
    assert list(tables(at, "Te laat", "Actie", "Eigenaar")[0]["Actie"]) == ["Andere wijk"]
    # nothing overdue: no banner (only the list in the tab)
    at = page(warehouse, monkeypatch, JAARPLAN, "team-wk999903", wijk="WK999903", jaar="2025")
    [lijst] = tables(at, "Te laat", "Actie")
    assert list(lijst["Actie"]) == ["Nog niet laat"]
    assert "over de deadline" not in texts(at, "markdown") + texts(at, "error")


def test_a_stale_session_is_refused_at_the_moment_of_writing(warehouse, store, monkeypatch):
    """The Capaciteit page run on its own with a session that still says regiegroep; the role is withdrawn
    before the clicks: each write is refused on the server, recorded, and nothing changes."""
    email = "regie@gemeente.example"
    users.add_user(store, SYSTEM, email, "Regie", ["regiegroep"])
    seed_capacity(store)
    vid = seed_distribution(store, warehouse, "Plan A", "scenario")
    app_test(warehouse.path, monkeypatch)  # WIJKMONITOR_DB and full error details
    # on its own (without st.navigation) the page cannot link to the Gegevens page at its foot
    monkeypatch.setattr("dashboard.state.source_link", lambda: None)
    at = AppTest.from_file(str(REPO / "dashboard" / "views" / "capaciteit.py"), default_timeout=60)
    at.session_state["_wijkmonitor_viewer"] = Viewer(
        email, "Regie", frozenset({"regiegroep"}), demo_mode=False
    )
    ok(at.run())
    assert capacity_controls(at) == CONTROLS["regiegroep"]
    users.revoke_role(store, SYSTEM, email, "regiegroep")

    at.text_area(key="advies_tekst").input("Zo.")
    submit(at, "scenario_advies", "Als advies aan de stuurgroep geven")
    assert md("Dit mag u niet (meer)") in at.error[-1].value
    keyed(at.text_input, "scenario_naam_").input("Nieuw")
    submit(at, "scenario_opslaan", "Scenario opslaan")
    assert md("Dit mag u niet (meer)") in at.error[-1].value
    keyed(at.number_input, "capaciteit_politie_").set_value(999)
    submit(at, "capaciteit_form", "Opslaan")
    assert md("Dit mag u niet (meer)") in at.error[-1].value

    assert [(d.id, d.status) for d in sturing.list_distributions(store)] == [(vid, "scenario")]
    assert sturing.capacities(store, JAAR) == UREN
    refused = auditlog.entries(store, auditlog.AuditFilter(uitkomst="geweigerd"))
    assert [(r["actor"], r["rollen"], r["actie"], r["via"]) for r in reversed(refused)] == [
        (email, "", "verdeling.adviseren", "pagina:Capaciteit"),
        (email, "", "verdeling.opslaan", "pagina:Capaciteit"),
        (email, "", "capaciteit.schrijven", "pagina:Capaciteit"),
    ]
