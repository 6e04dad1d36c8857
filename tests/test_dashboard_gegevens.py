"""AppTest of the Data page ("Gegevens"): demo data, an empty database, selectors and URL parameters."""

from __future__ import annotations

import json
import shutil

from dashboard_support import app_test, demo_db

from dashboard.safe import md
from etl import load_files


def _table(at, column):
    """The first st.dataframe that has ``column`` (AppTest exposes no keys for dataframes)."""
    for df in at.dataframe:
        value = df.value
        if column in value.columns or column == value.index.name:
            return value
    raise AssertionError(f"no table with column {column!r}")


def _run(db, monkeypatch, **query):
    at = app_test(db, monkeypatch)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("views/gegevens.py").run()
    assert not at.exception, at.exception
    return at


def test_demo_database_shows_history_checks_and_coverage(monkeypatch):
    at = _run(demo_db(), monkeypatch)
    assert at.title[0].value == "Gegevens"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Geladen leveringen"] == "13"  # 8 files and 5 deliveries of weekly police figures
    assert metrics["Afgewezen leveringen"] == "0"
    history = _table(at, "SHA-256")
    assert set(history["Soort bron"]) == {"gebieden", "bevolking", "partner", "politie", "leefbaarometer"}
    assert history["Rijen"].max() == 51840  # the police month file
    # synthetic demo data is labelled as such
    assert any("Synthetische demogegevens" in i.value for i in at.sidebar.info)
    # rows per source and year, with Dutch thousands separators
    per_year = _table(at, "bron")
    assert per_year.loc["politie", "2019"] == "5.760"
    # coverage heatmap for the police: 12 wijken x 9 years; 2025 is incomplete (Oct-Dec not published)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    heat = spec["data"][0]
    assert len(heat["y"]) == 12 and heat["x"][0] == "2017" and heat["x"][-1] == "2025"
    assert heat["text"][0][-1] == "12/12"  # the police file has rows for 2025 months 10-12, but "." values


def test_selecting_a_load_shows_its_checks_and_lands_in_the_url(monkeypatch):
    at = _run(demo_db(), monkeypatch)
    at.selectbox(key="load").select(1).run()
    assert not at.exception
    assert at.query_params["load"] == ["1"] or at.query_params["load"] == "1"
    assert any(md("gebieden_lindenhoven.geojson") in s.value for s in at.success)  # escaped file name


def test_url_parameter_opens_that_load(monkeypatch):
    at = _run(demo_db(), monkeypatch, load="2")
    assert at.selectbox(key="load").value == 2
    assert any(md("bevolking_lindenhoven") in s.value for s in at.success)


def test_coverage_source_selector_changes_the_matrix(monkeypatch):
    at = _run(demo_db(), monkeypatch)
    at.selectbox(key="dekking_bron").select("enquete").run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    texts = spec["data"][0]["text"][0]
    assert texts[0] == "1/1" and texts[1] == "–"  # survey in 2017, none in 2018


def test_rejected_load_is_listed_with_its_messages(monkeypatch, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    bad = tmp_path / "corporatie_fout.csv"
    bad.write_text(
        "bron;gebied_code;periode;variabele;waarde\ncorporatie;BU99990101;2024-H1;huurwoningen;-5\n",
        encoding="utf-8",
    )
    assert load_files([bad], db)[0].status == "afgewezen"
    at = _run(db, monkeypatch)
    assert {m.label: m.value for m in at.metric}["Afgewezen leveringen"] == "1"
    assert at.selectbox(key="load").value == 14  # newest first
    assert any("Afgewezen" in e.value for e in at.error)
    messages = _table(at, "Melding")
    assert messages["Rij"].tolist() == [2]
    assert "mag niet negatief zijn" in messages["Melding"].iloc[0]


def test_empty_database_says_how_to_load(monkeypatch, tmp_path):
    at = _run(tmp_path / "leeg.duckdb", monkeypatch)
    assert any("Nog geen gegevens" in w.value for w in at.warning)
    assert not at.dataframe


def test_new_load_is_visible_after_rerun(monkeypatch, tmp_path):
    """The dashboard reconnects when the database file is replaced by a load."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    at = _run(db, monkeypatch)
    assert {m.label: m.value for m in at.metric}["Geladen leveringen"] == "13"
    extra = tmp_path / "enquete_2026.csv"
    extra.write_text(
        "bron;gebied_code;periode;variabele;waarde;n;sd\nenquete;WK999901;2026;onveilig_in_buurt;21,5;230;\n",
        encoding="utf-8",
    )
    assert load_files([extra], db)[0].status == "geladen"
    at.run()
    assert {m.label: m.value for m in at.metric}["Geladen leveringen"] == "14"


def test_a_skipped_reload_is_listed_as_already_loaded(monkeypatch, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    from dashboard_support import DEMO

    again = load_files([DEMO / "welzijn_2017-2025.csv"], db)[0]
    assert again.status == "overgeslagen"
    at = _run(db, monkeypatch)
    assert _table(at, "SHA-256")["Status"].iloc[0] == "al geladen"
    assert any("dezelfde inhoud als een eerder geladen bestand" in i.value for i in at.info)


def _as(at, slug):
    """Pick a demo user in the demo mode's role picker (sidebar)."""
    from wijkmonitor.records.users import demo_email

    at.selectbox(key="demo_bekijk_als").select(demo_email(slug)).run()
    assert not at.exception, at.exception
    return at


def test_load_history_is_the_beheerders_and_per_source_the_partners(monkeypatch):
    at = _run(demo_db(), monkeypatch)
    assert len(_table(at, "SHA-256")) == 13  # the demo beheerder sees every load (8 files + 5 weekly police)
    _as(at, "partner-politie")
    history = _table(at, "SHA-256")
    # the police's monthly file and its weekly figures (partner template, bron politie_week, role politie)
    assert set(history["Soort bron"]) == {"politie", "partner"}
    assert {m.label: m.value for m in at.metric}["Geladen leveringen"] == "13"  # the aggregate stays
    _as(at, "partner-corporatie")
    history = _table(at, "SHA-256")
    assert set(history["Partner"]) == {"woningcorporatie"} or all(
        "woningcorporatie" in p for p in history["Partner"]
    )
    _as(at, "stuurgroep")
    assert not any("SHA-256" in df.value.columns for df in at.dataframe)
    assert any("zichtbaar voor de beheerder" in i.value for i in at.info)
    # the aggregated sections remain for everyone
    assert _table(at, "bron").loc["politie", "2019"] == "5.760"
