"""The Jaarplan page (AppTest, demo mode): who sees which control, the workflow concept -> ingediend -> advies ->
vastgesteld on the page, a half-year report filed and corrected in the app, activities saved and amended,
a stale session refused at the moment of writing, hostile text shown as plain text, and the Excel round trip.

Each test has its own records store (SQLite in tmp_path through $WIJKMONITOR_RECORDS_URL) on a copy of the
demo warehouse; plans are seeded through wijkmonitor.records.jaarplannen as the system.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from dashboard_support import REPO, app_test, demo_db
from streamlit.testing.v1 import AppTest
from test_dashboard_hostile import _chart_strings
from test_roles import leaks

from dashboard.safe import md
from dashboard.session import Viewer
from wijkmonitor.records import auditlog, authz, sturing, users
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.store import open_store
from wijkmonitor.records.users import demo_email

PAGE = "views/jaarplan.py"
SYSTEM = authz.Actor.command("test")
WIJK, ANDERE = "WK999901", "WK999902"
PEILDATUM = dt.date(2025, 9, 15)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIL = "https://evil.example"
HOSTILE = f"<img src=x onerror=alert(1)> [klik]({EVIL}/x) **vet** :red[rood] $x^2$ www.evil.example <b>b</b>"


def activities(n: int = 2) -> list[jp.Activity]:
    made = [
        jp.Activity(
            "A01",
            "Wijkschouw met bewoners",
            "woonomgeving",
            "gemeente",
            3,
            5,
            uren={"gemeente": 40.0, "politie": 10.0},
            indicatoren=("rapportcijfer_leefbaarheid",),
        ),
        jp.Activity(
            "A02",
            "Jongerenwerk op straat",
            "samenleven",
            "welzijn",
            1,
            12,
            uren={"welzijn": 200.0},
            indicatoren=("overlast_jeugd_per_1000_inwoners",),
        ),
        jp.Activity(
            "A03", "Buurtpreventie-app", "veiligheid", "buurtpreventie", 9, 12, uren={"buurtpreventie": 30.0}
        ),
    ]
    return made[:n]


def seed(store, status: str = "concept", jaar: int = 2025, wijk: str = WIJK, acts=None) -> None:
    jp.save_activities(store, SYSTEM, wijk, jaar, acts if acts is not None else activities())
    path = FLOW_TO[status]
    for van, naar in path:
        jp.transition(
            store,
            SYSTEM,
            wijk,
            jaar,
            van,
            naar,
            toelichting="Positief advies" if naar == "advies" else "",
            vergaderdatum=dt.date(jaar - 1, 12, 12) if naar == "vastgesteld" else None,
        )


FLOW_TO = {
    "concept": [],
    "ingediend": [("concept", "ingediend")],
    "advies": [("concept", "ingediend"), ("ingediend", "advies")],
    "vastgesteld": [("concept", "ingediend"), ("ingediend", "advies"), ("advies", "vastgesteld")],
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("jaarplan") / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    return db


@pytest.fixture
def store(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path}/records.sqlite"
    monkeypatch.setenv("WIJKMONITOR_RECORDS_URL", url)
    eng = open_store(url)
    jp.set_setting(eng, SYSTEM, jp.SETTING_PEILDATUM, PEILDATUM.isoformat())
    yield eng
    eng.dispose()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def page(warehouse: Path, monkeypatch, slug: str = "beheerder", **query) -> AppTest:
    """The whole app in demo mode as demo user ``slug``, on the Jaarplan page with URL parameters."""
    at = ok(app_test(warehouse, monkeypatch).run())
    if slug != "beheerder":
        ok(at.sidebar.selectbox(key="demo_bekijk_als").select(demo_email(slug)).run())
    at.switch_page(PAGE)
    at.query_params.clear()
    for key, value in {"wijk": WIJK, "jaar": "2025", **query}.items():
        at.query_params[key] = value
    return ok(at.run())


def as_role(at: AppTest, slug: str) -> AppTest:
    return ok(at.sidebar.selectbox(key="demo_bekijk_als").select(demo_email(slug)).run())


def controls(at: AppTest) -> set[str]:
    found = set()
    for d in at.data_editor:
        if d.key.startswith("jaarplan_activiteiten_"):
            found.add("activiteiten")
        if d.key.startswith("jaarplan_rapport_editor_"):
            found.add("rapportage")
    for b in at.button:
        if b.key and b.key.startswith("jaarplan_stap_"):
            found.add(b.key.removeprefix("jaarplan_"))
        if b.label == "Opgave opslaan":
            found.add("opgave")
    if any(u.key.startswith("jaarplan_upload_") for u in at.file_uploader):
        found.add("upload")
    return found


def keyed(widgets, prefix: str):
    found = [w for w in widgets if w.key and w.key.startswith(prefix)]
    assert len(found) == 1, (prefix, [w.key for w in widgets])
    return found[0]


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, (label, [b.label for b in at.button])
    return found[0]


def table(at: AppTest, *columns: str):
    """The (read-only) table that has these columns (st.dataframe keeps no key in AppTest)."""
    found = [
        d.value
        for d in at.dataframe
        if d.editing_mode == "read_only" and set(columns) <= set(d.value.columns)
    ]
    assert len(found) == 1, (columns, [list(d.value.columns) for d in at.dataframe])
    return found[0]


def texts(at: AppTest, kind: str) -> str:
    return "\n".join(e.value for e in getattr(at, kind))


def trail(store) -> list[dict]:
    return [r for r in reversed(auditlog.entries(store, limit=None)) if r["via"] == "pagina:Jaarplan"]


# ------------------------------------------------------------------------------------------ roles


CASES = [
    # (demo user, plan status or None, the controls it gets)
    (
        "team-wk999901",
        "concept",
        {"activiteiten", "rapportage", "stap_concept_ingediend", "opgave", "upload"},
    ),
    ("team-wk999901", None, {"activiteiten", "opgave", "upload"}),
    ("team-wk999901", "ingediend", {"rapportage", "stap_ingediend_concept", "opgave", "upload"}),
    ("team-wk999901", "vastgesteld", {"activiteiten", "rapportage", "opgave", "upload"}),
    ("team-wk999902", "concept", set()),
    ("regiegroep", "ingediend", {"stap_ingediend_advies", "stap_ingediend_concept"}),
    ("regiegroep", "advies", {"stap_advies_concept"}),
    ("regiegroep", "concept", set()),
    ("stuurgroep", "advies", {"stap_advies_vastgesteld", "stap_advies_concept"}),
    ("stuurgroep", "ingediend", set()),
    ("beheerder", "advies", set()),
    ("partner-politie", "ingediend", set()),
]


@pytest.mark.parametrize(("slug", "status", "expected"), CASES)
def test_each_role_sees_its_own_controls_only(warehouse, store, monkeypatch, slug, status, expected):
    if status is not None:
        seed(store, status)
    at = page(warehouse, monkeypatch, slug)
    assert at.title[0].value == "Jaarplan Centrum 2025"
    assert controls(at) == expected
    if status is None:
        assert any("Er is nog geen jaarplan 2025" in i.value for i in at.info)
        assert not at.get("plotly_chart") or all(
            json.loads(c.proto.spec)["data"] == [] for c in at.get("plotly_chart")
        )
        return
    # everyone reads the plan: status, the agenda, the activities, the history
    assert {m.label: m.value for m in at.metric}["Status"] == jp.PLAN_STATUS[status]
    agenda = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t for trace in agenda["data"] for t in trace["y"]} == {
        "A01 Wijkschouw met bewoners",
        "A02 Jongerenwerk op straat",
    }
    if "activiteiten" not in expected:
        assert list(table(at, "Uren per partner")["Code"]) == ["A01", "A02"]
    if status != "concept":
        assert len(table(at, "Vergaderdatum")) == len(FLOW_TO[status])
    assert "Positief advies" in [t.value for t in at.text] or status in ("concept", "ingediend")
    # the plan template is for everyone; the status templates for the team
    labels = [b.label for b in at.download_button]
    assert "Jaarplan-sjabloon 2025 (Excel)" in labels
    assert ("Status-sjabloon 1e halfjaar 2025 (Excel)" in labels) == ("rapportage" in expected)


def test_the_team_opens_on_its_own_wijk_and_the_current_year(warehouse, store, monkeypatch):
    seed(store, "vastgesteld", wijk="WK999903")
    seed(store, "concept", jaar=2026, wijk="WK999903")
    at = ok(app_test(warehouse, monkeypatch).run())
    as_role(at, "team-wk999903")
    at.switch_page(PAGE)
    at.query_params.clear()
    ok(at.run())
    assert at.title[0].value == "Jaarplan Molenwijk 2025"  # the peildatum's year
    assert at.selectbox(key="url_jaar").options == ["2025", "2026"]  # plan years and the next year


def test_the_banner_tells_whether_the_report_is_due_late_or_in(warehouse, store, monkeypatch):
    seed(store, "vastgesteld")
    at = page(warehouse, monkeypatch, "regiegroep")
    # 15 September 2025: the report on H1 2025 was due by 11 August (1 July + 42 days - 1)
    assert at.error[0].value == (
        "De halfjaarrapportage over het 1e halfjaar 2025 is te laat: de termijn liep af op 11 augustus 2025 en ze "
        "is nog niet ingediend (35 dagen te laat)."
    )
    assert "Peildatum (demo): 15 september 2025" in texts(at, "caption")
    jp.set_setting(store, SYSTEM, jp.SETTING_PEILDATUM, "2025-07-20")
    ok(at.run())
    assert at.main.warning[0].value == (
        "De halfjaarrapportage over het 1e halfjaar 2025 kan nu worden ingediend; uiterlijk 11 augustus 2025 "
        "(termijn 42 dagen)."
    )
    lines = [jp.StatusLine(a.code, "loopt", 50) for a in activities()]
    jp.submit_report(store, SYSTEM, WIJK, 2025, 1, lines, nu=dt.datetime(2025, 7, 18, 10, tzinfo=dt.UTC))
    ok(at.run())
    assert at.success[0].value == md(
        "De halfjaarrapportage over het 1e halfjaar 2025 is op tijd ingediend op 18 juli 2025 door "
        f"{SYSTEM.email} (versie 1)."
    )
    # no plan in the year of the last ended half-year: nothing is expected
    ok(at.selectbox(key="url_wijk").select(ANDERE).run())
    assert not at.error and not at.success
    assert "er wordt geen halfjaarrapportage over 2025 verwacht" in texts(at, "caption")


# ------------------------------------------------------------------------------------------ reporting


def report_editor_state(rows: dict[int, dict]) -> dict:
    return {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def test_a_team_files_its_half_year_report_and_corrects_it(warehouse, store, monkeypatch):
    """On the first days after the half-year in which the test runs, the team files that half-year's report:
    stored, shown read-only, the banner goes from 'due' to 'in on time'; a correction is a new version."""
    today = dt.datetime.now(jp.AMSTERDAM).date()
    jaar, h = jp.current_half(today)
    peil = jp.due_from(jaar, h) + dt.timedelta(days=1)
    jp.set_setting(store, SYSTEM, jp.SETTING_PEILDATUM, peil.isoformat())
    seed(store, "vastgesteld", jaar=jaar)
    at = page(warehouse, monkeypatch, "team-wk999901", jaar=str(jaar))
    assert (
        f"De halfjaarrapportage over het {h}e halfjaar {jaar} kan nu worden ingediend"
        in at.main.warning[0].value
    )
    ok(keyed(at.radio, "jaarplan_halfjaar_").set_value(h).run())
    editor = keyed(at.data_editor, "jaarplan_rapport_editor_")
    assert list(editor.value["code"]) == ["A01", "A02"]
    assert list(editor.value["status"]) == ["niet gestart", "niet gestart"]
    at.session_state[editor.key] = report_editor_state(
        {
            0: {
                "status": "afgerond",
                "procent": 100,
                "uren_gemeente": 38,
                "toelichting": "Twee schouwen gehouden",
            },
            1: {"status": "vertraagd", "procent": 40, "uren_welzijn": 90},
        }
    )
    keyed(at.text_area, "jaarplan_goed_").input("Veel bewoners deden mee.")
    keyed(at.text_area, "jaarplan_niet_goed_").input("Jongerenwerker lang ziek.")
    keyed(at.text_area, "jaarplan_vragen_").input("Kan de regiegroep een invaller regelen?")
    ok(button(at, "Rapportage indienen").click().run())
    assert not at.error, [e.value for e in at.error]

    stored = jp.get_report(store, WIJK, jaar, h)
    assert (stored.versie, stored.via, stored.ingediend_door) == (1, "app", demo_email("team-wk999901"))
    assert [(r.activiteit_code, r.status, r.procent, r.uren) for r in stored.regels] == [
        ("A01", "afgerond", 100, {"gemeente": 38.0}),
        ("A02", "vertraagd", 40, {"welzijn": 90.0}),
    ]
    assert (stored.goed, stored.niet_goed, stored.vragen) == (
        "Veel bewoners deden mee.",
        "Jongerenwerker lang ziek.",
        "Kan de regiegroep een invaller regelen?",
    )
    # the page now shows it read-only, and the banner says it is in on time
    messages = [s.value for s in at.success]
    assert md(f"De rapportage over het {h}e halfjaar {jaar} is ingediend (versie 1).") in messages
    assert any(
        m.startswith(md(f"De halfjaarrapportage over het {h}e halfjaar {jaar} is op tijd ingediend"))
        for m in messages
    )
    assert not any("kan nu worden ingediend" in w.value for w in at.main.warning)
    shown = table(at, "Gereed (%)", "Uren besteed")
    assert list(shown["Status"]) == ["afgerond", "vertraagd"] and list(shown["Toelichting"]) == [
        "Twee schouwen gehouden",
        "",
    ]
    assert "Veel bewoners deden mee." in [t.value for t in at.text]
    assert "rapportage" not in controls(at)  # read-only until a correction is asked for
    assert any("is niet meer te wijzigen" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["Vertraagd"] == "1"
    uren = table(at, "Besteed van gepland (%)").set_index("Partner")
    assert uren.loc["Gemeente", "Besteed"] == 38 and uren.loc["Welzijnsorganisatie", "Besteed"] == 90

    # a correction: a new version, with a reason
    ok(keyed(at.toggle, "jaarplan_correctie_").set_value(True).run())
    editor = keyed(at.data_editor, "jaarplan_rapport_editor_")
    assert list(editor.value["status"]) == ["afgerond", "vertraagd"]  # pre-filled from version 1
    at.session_state[editor.key] = report_editor_state({1: {"status": "loopt", "procent": 60}})
    ok(button(at, "Correctie indienen").click().run())
    assert "een correctie heeft een reden nodig" in at.error[-1].value
    assert jp.get_report(store, WIJK, jaar, h).versie == 1
    at.session_state[editor.key] = report_editor_state({1: {"status": "loopt", "procent": 60}})
    keyed(at.text_input, "jaarplan_correctie_reden_").input("Invaller gevonden; status was te somber")
    ok(button(at, "Correctie indienen").click().run())
    newest = jp.get_report(store, WIJK, jaar, h)
    assert (newest.versie, newest.correctie_reden) == (2, "Invaller gevonden; status was te somber")
    assert newest.line("A02").status == "loopt" and newest.line("A01").uren == {"gemeente": 38.0}
    assert newest.goed == "Veel bewoners deden mee."  # the narrative came along from version 1
    versions = keyed(at.selectbox, "jaarplan_rapportversie_")
    assert versions.options == [f"{h}e halfjaar, versie 1 (vervangen)", f"{h}e halfjaar, versie 2 (geldend)"]
    ok(versions.select_index(0).run())
    assert list(table(at, "Gereed (%)", "Uren besteed")["Status"]) == [
        "afgerond",
        "vertraagd",
    ]  # old, read-only
    assert [r["actie"] for r in trail(store)] == ["status.indienen", "status.indienen"]


def test_an_incomplete_report_is_not_submitted(warehouse, store, monkeypatch):
    seed(store, "vastgesteld")
    at = page(warehouse, monkeypatch, "team-wk999901")
    editor = keyed(at.data_editor, "jaarplan_rapport_editor_")
    at.session_state[editor.key] = report_editor_state({0: {"status": None, "procent": None}})
    ok(button(at, "Rapportage indienen").click().run())
    assert at.error[-1].value.startswith("Niet ingediend")
    assert jp.get_report(store, WIJK, 2025, 1) is None and trail(store) == []


# ------------------------------------------------------------------------------------------ workflow


def test_submit_advise_and_adopt_on_the_page(warehouse, store, monkeypatch):
    seed(store, "concept")
    at = page(warehouse, monkeypatch, "team-wk999901")
    # unsaved edits in the activities table: save them first (submitting would leave them behind)
    editor = keyed(at.data_editor, "jaarplan_activiteiten_")
    at.session_state[editor.key] = {
        "edited_rows": {0: {"titel": "Nog niet opgeslagen"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ok(at.run())
    assert at.button(key="jaarplan_stap_concept_ingediend").disabled
    at.session_state[editor.key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    ok(at.run())
    ok(at.button(key="jaarplan_stap_concept_ingediend").click().run())
    assert at.success[0].value == md("Het jaarplan 2025 is ingediend bij de regiegroep.")
    assert jp.get_plan(store, WIJK, 2025).status == "ingediend"
    assert "activiteiten" not in controls(at)  # the team cannot change it while it is with the regiegroep

    as_role(at, "regiegroep")
    assert controls(at) == {"stap_ingediend_advies", "stap_ingediend_concept"}
    ok(at.button(key="jaarplan_stap_ingediend_advies").click().run())  # no advice written
    assert "Het advies is verplicht" in at.error[-1].value
    assert jp.get_plan(store, WIJK, 2025).status == "ingediend"
    keyed(at.text_area, "jaarplan_advies_").input("Positief; let op de uren van de politie.")
    ok(at.button(key="jaarplan_stap_ingediend_advies").click().run())
    assert jp.get_plan(store, WIJK, 2025).advies == "Positief; let op de uren van de politie."

    as_role(at, "stuurgroep")
    assert controls(at) == {"stap_advies_vastgesteld", "stap_advies_concept"}
    assert "Positief; let op de uren van de politie." in [
        t.value for t in at.text
    ]  # the advice, to decide on
    # adopted in a recorded stuurgroep meeting (recorded here beforehand; the page can record one too)
    vergadering = sturing.record_meeting(
        store, SYSTEM, "stuurgroep", dt.date(2025, 9, 10), aanwezig=["gemeente"]
    )
    ok(at.run())
    (kies,) = [w for w in at.selectbox if w.key and w.key.endswith("_vergadering")]
    kies.set_value(vergadering)
    ok(at.run())
    ok(at.button(key="jaarplan_stap_advies_vastgesteld").click().run())
    plan = jp.get_plan(store, WIJK, 2025)
    assert (plan.status, plan.vastgesteld_op) == ("vastgesteld", dt.date(2025, 9, 10))
    assert at.success[0].value == md("Het jaarplan 2025 is vastgesteld (vergadering van 10 september 2025).")
    assert {m.label: m.value for m in at.metric}["Vastgesteld"] == "10 sep. 2025"
    verloop = table(at, "Vergaderdatum")
    assert list(zip(verloop["Van"], verloop["Naar"], strict=True)) == [
        ("concept", "ingediend"),
        ("ingediend", "advies regiegroep"),
        ("advies regiegroep", "vastgesteld"),
    ]
    assert list(verloop["Door"]) == [demo_email(s) for s in ("team-wk999901", "regiegroep", "stuurgroep")]
    rows = trail(store)
    assert [(r["actie"], r["actor"], r["uitkomst"]) for r in rows] == [
        ("jaarplan.indienen", demo_email("team-wk999901"), "uitgevoerd"),
        ("jaarplan.adviseren", demo_email("regiegroep"), "uitgevoerd"),
        ("jaarplan.vaststellen", demo_email("stuurgroep"), "uitgevoerd"),
    ]
    assert json.loads(rows[2]["nieuw"])["vergaderdatum"] == "2025-09-10"
    (besluit,) = sturing.get_meeting(store, vergadering).besluiten
    assert (besluit.soort, besluit.onderwerp) == ("jaarplan", f"{WIJK}/2025")


def test_back_to_concept_needs_a_reason(warehouse, store, monkeypatch):
    seed(store, "advies")
    at = page(warehouse, monkeypatch, "stuurgroep")
    ok(at.button(key="jaarplan_stap_advies_concept").click().run())
    assert "De reden is verplicht" in at.error[-1].value
    keyed(at.text_input, "jaarplan_reden_advies_").input("Eerst de capaciteit van de politie afstemmen")
    ok(at.button(key="jaarplan_stap_advies_concept").click().run())
    plan = jp.get_plan(store, WIJK, 2025)
    assert (plan.status, plan.advies, plan.stappen[-1].toelichting) == (
        "concept",
        None,
        "Eerst de capaciteit van de politie afstemmen",
    )


# ------------------------------------------------------------------------------------------ activities


def test_a_team_starts_a_plan_and_amends_it_after_adoption(warehouse, store, monkeypatch):
    at = page(warehouse, monkeypatch, "team-wk999901", jaar="2026")
    assert any("Er is nog geen jaarplan 2026" in i.value for i in at.info)
    editor = keyed(at.data_editor, "jaarplan_activiteiten_")
    assert editor.value.empty
    at.session_state[editor.key] = {
        "edited_rows": {},
        "added_rows": [
            {
                "titel": "Wijkschouw",
                "thema": "woonomgeving",
                "trekker": "gemeente",
                "start_maand": 3,
                "eind_maand": 4,
                "uren_gemeente": 20,
                "indicatoren": ["rapportcijfer_leefbaarheid"],
            },
            {
                "titel": "Buurtpreventie",
                "thema": "veiligheid",
                "trekker": "buurtpreventie",
                "start_maand": 9,
                "eind_maand": 12,
            },
        ],
        "deleted_rows": [],
    }
    ok(at.run())
    diff = table(at, "Wijziging")
    assert list(zip(diff["Wijziging"], diff["Code"], strict=True)) == [
        ("toegevoegd", "A01"),
        ("toegevoegd", "A02"),
    ]
    ok(at.button(key="jaarplan_opslaan").click().run())
    assert at.success[0].value == md("Opgeslagen: toegevoegd: A01, A02.")
    plan = jp.get_plan(store, WIJK, 2026)
    assert plan.status == "concept"
    assert [(a.code, a.titel, a.uren, a.indicatoren) for a in plan.actief] == [
        ("A01", "Wijkschouw", {"gemeente": 20.0}, ("rapportcijfer_leefbaarheid",)),
        ("A02", "Buurtpreventie", {}, ()),
    ]
    editor = keyed(at.data_editor, "jaarplan_activiteiten_")  # a fresh editor on what is stored
    assert list(editor.value["code"]) == ["A01", "A02"]
    assert at.button(key="jaarplan_opslaan").disabled  # nothing to save

    # a problem the page sees before the server: no save
    at.session_state[editor.key] = {
        "edited_rows": {1: {"eind_maand": 2}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ok(at.run())
    assert "de eindmaand ligt vóór de startmaand" in at.main.warning[0].value.replace("\\", "")
    assert at.button(key="jaarplan_opslaan").disabled

    # adopted: the same table, an amendment with a reason
    for van, naar in FLOW_TO["vastgesteld"]:
        jp.transition(
            store,
            SYSTEM,
            WIJK,
            2026,
            van,
            naar,
            "Akkoord",
            dt.date(2025, 12, 10) if naar == "vastgesteld" else None,
        )
    ok(at.run())
    editor = keyed(at.data_editor, "jaarplan_activiteiten_")
    at.session_state[editor.key] = {
        "edited_rows": {0: {"titel": "Wijkschouw (twee keer)"}},
        "added_rows": [],
        "deleted_rows": [1],
    }
    ok(at.run())
    assert at.button(key="jaarplan_opslaan").label == "Amendement vastleggen"
    ok(at.button(key="jaarplan_opslaan").click().run())
    assert "Een amendement heeft een reden nodig" in at.error[-1].value
    assert jp.get_plan(store, WIJK, 2026).wijzigingen == []
    at.session_state[editor.key] = {
        "edited_rows": {0: {"titel": "Wijkschouw (twee keer)"}},
        "added_rows": [],
        "deleted_rows": [1],
    }
    keyed(at.text_input, "jaarplan_amendement_reden_").input("Buurtpreventie gaat naar 2027")
    ok(at.button(key="jaarplan_opslaan").click().run())
    plan = jp.get_plan(store, WIJK, 2026)
    assert [(w.soort, w.activiteit_code, w.reden) for w in plan.wijzigingen] == [
        ("gewijzigd", "A01", "Buurtpreventie gaat naar 2027"),
        ("geschrapt", "A02", "Buurtpreventie gaat naar 2027"),
    ]
    amendments = table(at, "Soort")
    assert list(amendments["Soort"]) == ["gewijzigd", "geschrapt"] and set(amendments["Reden"]) == {
        "Buurtpreventie gaat naar 2027"
    }
    assert list(table(at, "Uren per partner")["Code"]) == ["A02"]
    assert [json.loads(r["nieuw"])["amendement"] for r in trail(store)] == [False, True]


def test_an_activity_of_a_dropped_opgave_does_not_block_saving(warehouse, store, monkeypatch):
    opgave = jp.save_opgave(store, SYSTEM, jp.Opgave(None, WIJK, "samenleven", "Jeugd"))
    acts = activities()
    seed(store, "concept", acts=[acts[0], dataclasses.replace(acts[1], opgave_id=opgave)])
    jp.save_opgave(store, SYSTEM, jp.Opgave(opgave, WIJK, "samenleven", "Jeugd", vervallen=True))
    at = page(warehouse, monkeypatch, "team-wk999901")
    editor = keyed(at.data_editor, "jaarplan_activiteiten_")
    at.session_state[editor.key] = {
        "edited_rows": {0: {"titel": "Wijkschouw"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ok(at.run())
    assert not at.main.warning or "opgave" not in at.main.warning[0].value
    ok(at.button(key="jaarplan_opslaan").click().run())
    plan = jp.get_plan(store, WIJK, 2025)
    assert plan.activity("A01").titel == "Wijkschouw" and plan.activity("A02").opgave_id == opgave


def test_a_team_adds_an_opgave_to_the_wijkprogramma(warehouse, store, monkeypatch):
    at = page(warehouse, monkeypatch, "team-wk999901")
    keyed(at.text_input, "jaarplan_opgave_titel_").input("Minder jeugdoverlast rond het winkelcentrum")
    keyed(at.selectbox, "jaarplan_opgave_thema_").select("samenleven")
    keyed(at.multiselect, "jaarplan_opgave_indicatoren_").select("overlast_jeugd_per_1000_inwoners")
    ok(button(at, "Opgave opslaan").click().run())
    [opgave] = jp.list_opgaven(store, WIJK)
    assert (opgave.titel, opgave.thema, opgave.indicatoren) == (
        "Minder jeugdoverlast rond het winkelcentrum",
        "samenleven",
        ("overlast_jeugd_per_1000_inwoners",),
    )
    assert list(table(at, "Activiteiten 2025")["Opgave"]) == ["Minder jeugdoverlast rond het winkelcentrum"]


# ------------------------------------------------------------------------------------------ forged session


def test_a_stale_session_is_refused_at_the_moment_of_writing(warehouse, store, monkeypatch):
    """The page run on its own with a session that still says team:WK999901; the role is withdrawn before
    the clicks: each write is refused on the server, recorded, and nothing changes."""
    users.add_user(store, SYSTEM, "team@gemeente.example", "Team", [f"team:{WIJK}"])
    seed(store, "concept")
    app_test(warehouse, monkeypatch)  # WIJKMONITOR_DB and full error details
    at = AppTest.from_file(str(REPO / "dashboard" / "views" / "jaarplan.py"), default_timeout=60)
    at.session_state["_wijkmonitor_viewer"] = Viewer(
        "team@gemeente.example", "Team", frozenset({f"team:{WIJK}"}), demo_mode=False
    )
    at.query_params["wijk"] = WIJK
    at.query_params["jaar"] = "2025"
    ok(at.run())
    assert controls(at) == {"activiteiten", "rapportage", "stap_concept_ingediend", "opgave", "upload"}
    users.revoke_role(store, SYSTEM, "team@gemeente.example", f"team:{WIJK}")

    ok(at.button(key="jaarplan_stap_concept_ingediend").click().run())
    assert md("Dit mag u niet (meer)") in at.error[-1].value
    editor = keyed(at.data_editor, "jaarplan_activiteiten_")
    at.session_state[editor.key] = {
        "edited_rows": {0: {"titel": "Gewijzigd"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ok(at.run())
    ok(at.button(key="jaarplan_opslaan").click().run())
    assert md("Dit mag u niet (meer)") in at.error[-1].value
    editor = keyed(at.data_editor, "jaarplan_rapport_editor_")
    at.session_state[editor.key] = report_editor_state(
        {0: {"status": "loopt", "procent": 10}, 1: {"status": "loopt", "procent": 10}}
    )
    ok(button(at, "Rapportage indienen").click().run())
    assert md("Dit mag u niet (meer)") in at.error[-1].value

    plan = jp.get_plan(store, WIJK, 2025)
    assert plan.status == "concept" and plan.activity("A01").titel == "Wijkschouw met bewoners"
    assert jp.get_report(store, WIJK, 2025, 1) is None
    refused = auditlog.entries(store, auditlog.AuditFilter(uitkomst="geweigerd"))
    assert [(r["actor"], r["rollen"], r["actie"], r["via"]) for r in reversed(refused)] == [
        ("team@gemeente.example", "", "jaarplan.indienen", "pagina:Jaarplan"),
        ("team@gemeente.example", "", "jaarplan.schrijven", "pagina:Jaarplan"),
        ("team@gemeente.example", "", "status.indienen", "pagina:Jaarplan"),
    ]


# ------------------------------------------------------------------------------------------ hostile text


def test_hostile_text_is_plain_text(warehouse, store, monkeypatch):
    opgave = jp.save_opgave(store, SYSTEM, jp.Opgave(None, WIJK, "veiligheid", HOSTILE[:200], HOSTILE))
    acts = [
        jp.Activity(
            "A01",
            HOSTILE[:200],
            "veiligheid",
            "politie",
            2,
            6,
            omschrijving=HOSTILE,
            verwacht_effect=HOSTILE,
            opgave_id=opgave,
            uren={"politie": 10.0},
            indicatoren=("woninginbraak_per_1000_woningen",),
        ),
        activities()[1],
    ]
    jp.save_activities(store, SYSTEM, WIJK, 2025, acts)
    jp.transition(store, SYSTEM, WIJK, 2025, "concept", "ingediend")
    jp.transition(store, SYSTEM, WIJK, 2025, "ingediend", "concept", toelichting=HOSTILE)
    jp.transition(store, SYSTEM, WIJK, 2025, "concept", "ingediend")
    jp.transition(store, SYSTEM, WIJK, 2025, "ingediend", "advies", toelichting=HOSTILE)
    jp.transition(store, SYSTEM, WIJK, 2025, "advies", "vastgesteld", vergaderdatum=dt.date(2024, 12, 12))
    jp.save_activities(store, SYSTEM, WIJK, 2025, [*acts, activities(3)[2]], reden=HOSTILE)
    lines = [
        jp.StatusLine("A01", "vertraagd", 20, HOSTILE, {"politie": 5.0}),
        jp.StatusLine("A02", "loopt", 50),
        jp.StatusLine("A03", "niet gestart", 0),
    ]
    jp.submit_report(store, SYSTEM, WIJK, 2025, 1, lines, HOSTILE, HOSTILE, HOSTILE)
    for slug in ("team-wk999901", "regiegroep"):
        at = page(warehouse, monkeypatch, slug)
        assert leaks(at) == [], slug
        strings = _chart_strings(at)
        assert [s for s in strings if "<img" in s or "<a " in s or "<b>" in s] == [], slug
        assert HOSTILE in [t.value for t in at.text]  # the advice and the narrative, literally
        report = table(at, "Gereed (%)", "Uren besteed")
        assert report.set_index("Code").loc["A01", "Toelichting"] == HOSTILE
        assert table(at, "Soort")["Reden"].iloc[0] == HOSTILE
        assert table(at, "Vergaderdatum")["Advies of reden"].iloc[1] == HOSTILE
        assert table(at, "Activiteiten 2025")["Opgave"].iloc[0] == HOSTILE[:200]
    # the team's editor holds the title as it is (a cell is plain text)
    assert (
        keyed(page(warehouse, monkeypatch, "team-wk999901").data_editor, "jaarplan_activiteiten_")
        .value["titel"]
        .iloc[0]
        == HOSTILE[:200]
    )


def test_hostile_url_parameters_fall_back(warehouse, store, monkeypatch):
    seed(store, "concept")
    for value in ("WK999999", "<script>", "2025.0", "9" * 500, "²"):
        at = page(warehouse, monkeypatch, "team-wk999901", wijk=value, jaar=value)
        assert at.title[0].value == "Jaarplan Centrum 2025"


# ------------------------------------------------------------------------------------------ Excel


def _filled(template: bytes, sheet: str, rows: list[dict], verhaal: dict | None = None) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(template))
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    for i, row in enumerate(rows, start=2):
        for name, value in row.items():
            ws.cell(row=i, column=header.index(name) + 1, value=value)
    for i, (_key, text) in enumerate((verhaal or {}).items(), start=2):
        wb["verhaal"].cell(row=i, column=2, value=text)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _catalogue(warehouse) -> dict:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        themes = dict(con.execute("SELECT thema, titel FROM marts.dim_thema").fetchall())
        ind = con.execute("SELECT indicator, titel, thema FROM marts.dim_indicator").fetchall()
    finally:
        con.close()
    return {
        "themas": themes,
        "indicatoren": [{"indicator": i, "code": i, "titel": t, "thema": th} for i, t, th in ind],
    }


def test_excel_upload_of_a_plan_saves_only_after_a_clean_check(warehouse, store, monkeypatch):
    from wijkmonitor import plantemplates

    template = plantemplates.plan_template(WIJK, "Centrum", 2026, None, [], _catalogue(warehouse))
    at = page(warehouse, monkeypatch, "team-wk999901", jaar="2026")
    uploader = keyed(at.file_uploader, "jaarplan_upload_plan_")
    # a bad file: the checks name row, column and value; nothing is saved and there is nothing to confirm
    bad = _filled(
        template,
        "activiteiten",
        [
            {
                "code": "A01",
                "titel": "Schouw",
                "thema": "woonomgeving",
                "trekker": "brandweer",
                "start_maand": 13,
                "eind_maand": 2,
            }
        ],
    )
    ok(uploader.set_value(("slecht.xlsx", bad, XLSX)).run())
    assert at.error[-1].value.startswith(f"Afgewezen: **{md('slecht.xlsx')}**")
    messages = table(at, "Melding")
    assert {"Ernst", "Melding", "Rij", "Kolom", "Waarde", "Regel"} <= set(messages.columns)
    assert set(messages["Ernst"]) == {"fout"} and 2 in set(messages["Rij"])
    assert "brandweer" in set(messages["Waarde"].dropna())
    assert not [b for b in at.button if b.key == "jaarplan_upload_opslaan"]
    assert jp.get_plan(store, WIJK, 2026) is None
    # a good file: the diff, then the confirmation saves
    good = _filled(
        template,
        "activiteiten",
        [
            {
                "code": "A01",
                "titel": "Schouw",
                "thema": "woonomgeving",
                "trekker": "gemeente",
                "start_maand": 3,
                "eind_maand": 4,
                "uren_gemeente": 12,
            },
            {
                "code": "A02",
                "titel": "Straathoekwerk",
                "thema": "samenleven",
                "trekker": "welzijn",
                "start_maand": 1,
                "eind_maand": 12,
                "uren_welzijn": 100,
            },
        ],
    )
    uploader = keyed(at.file_uploader, "jaarplan_upload_plan_")
    ok(uploader.set_value(("jaarplan.xlsx", good, XLSX)).run())
    assert any(s.value.startswith("Controle geslaagd") for s in at.success), [e.value for e in at.error]
    assert list(table(at, "Wijziging")["Code"]) == ["A01", "A02"]
    assert jp.get_plan(store, WIJK, 2026) is None  # nothing yet
    ok(at.button(key="jaarplan_upload_opslaan").click().run())
    plan = jp.get_plan(store, WIJK, 2026)
    assert [(a.code, a.titel, a.uren) for a in plan.actief] == [
        ("A01", "Schouw", {"gemeente": 12.0}),
        ("A02", "Straathoekwerk", {"welzijn": 100.0}),
    ]
    assert at.success[0].value == md("Opgeslagen uit jaarplan.xlsx: toegevoegd: A01, A02.")
    assert not at.file_uploader or keyed(at.file_uploader, "jaarplan_upload_plan_").value is None


def test_excel_upload_of_a_status_report(warehouse, store, monkeypatch):
    from wijkmonitor import plantemplates

    seed(store, "vastgesteld")
    plan = jp.get_plan(store, WIJK, 2025)
    template = plantemplates.status_template(WIJK, "Centrum", plan, 1, None, _catalogue(warehouse))
    filled = _filled(
        template,
        "status",
        [
            {
                "code": "A01",
                "status": "afgerond",
                "procent": 100,
                "uren_gemeente": 30,
                "toelichting": HOSTILE,
            },
            {"code": "A02", "status": "loopt", "procent": 50, "uren_welzijn": 80},
        ],
        {"goed": "Goed", "niet_goed": "Niet goed", "vragen": "Vragen"},
    )
    at = page(warehouse, monkeypatch, "team-wk999901")
    ok(keyed(at.selectbox, "jaarplan_upload_halfjaar_").select(1).run())
    ok(keyed(at.file_uploader, "jaarplan_upload_status_").set_value(("status.xlsx", filled, XLSX)).run())
    assert any(s.value.startswith("Controle geslaagd") for s in at.success), [e.value for e in at.error]
    assert leaks(at) == []
    assert list(table(at, "Gereed (%)", "Uren besteed")["Status"]) == ["afgerond", "loopt"]
    assert jp.get_report(store, WIJK, 2025, 1) is None
    ok(at.button(key="jaarplan_upload_indienen").click().run())
    report = jp.get_report(store, WIJK, 2025, 1)
    assert (report.via, report.versie, report.goed) == ("excel", 1, "Goed")
    assert report.line("A01").toelichting == HOSTILE and report.line("A02").uren == {"welzijn": 80.0}
    assert re.search(r"ingediend uit status\\\.xlsx \\\(versie 1\\\)", at.success[0].value)
