"""AppTest for every governance page: demo data, an empty database, partial data, selectors and URLs."""

from __future__ import annotations

import json
import shutil

import pytest
from dashboard_support import DEMO, demo_db, run_page

from dashboard import PAGES, VIEWS
from dashboard.safe import md
from etl import load_files
from etl.demo import STORIES


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def text_of(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_the_demo(monkeypatch, page):
    at = run_page(demo_db(), monkeypatch, page)
    assert at.title, "every page has a title"


def test_every_page_is_in_the_navigation():
    app = (VIEWS.parent / "app.py").read_text(encoding="utf-8")
    assert len(PAGES) >= 5
    assert [p for p in PAGES if f'VIEWS / "{p.removeprefix("views/")}"' not in app] == []


@pytest.mark.parametrize("page", PAGES)
def test_page_says_how_to_load_on_an_empty_database(monkeypatch, tmp_path, page):
    at = run_page(tmp_path / "leeg.duckdb", monkeypatch, page)
    assert any("Nog geen gegevens" in w.value for w in at.warning)


@pytest.mark.parametrize("page", PAGES)
def test_page_works_with_partial_data(monkeypatch, tmp_path, page):
    """Only areas, population and police figures: no partner files, no survey, no geometry."""
    db = tmp_path / "deels.duckdb"
    results = load_files(
        [DEMO / "bevolking_lindenhoven_2017-2025.csv", DEMO / "politie_47022NED_lindenhoven_2017-2025.csv"],
        db,
    )
    assert [r.status for r in results] == ["geladen", "geladen"]
    run_page(db, monkeypatch, page)


def test_stuurgroep_headline_matrix_map_and_attention(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/stuurgroep.py")
    assert at.subheader[0].value == "11 van de 12 wijken halen in 2023 het niveau van 2019"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Gehaald": "11", "Niet gehaald": "1"}
    matrix, kaart, trend = charts(at)
    heat = matrix["data"][0]
    worse_row = heat["y"].index("Molenwijk")
    assert heat["customdata"][worse_row][0].endswith("slechter")  # the designed worsening wijk
    assert heat["text"][worse_row][0] == "81"
    polygons = [t for t in kaart["data"] if t.get("fill") == "toself"]
    assert sum(t["x"].count(None) for t in polygons) == 12  # one ring per wijk, grouped by colour
    areas = next(t for t in kaart["data"] if t.get("name") == "gebieden")
    assert len(areas["text"]) == 12 and any(t.startswith("Molenwijk") for t in areas["text"])
    assert any(t["name"] == "Molenwijk" for t in trend["data"])
    assert "Molenwijk" in text_of(at)  # in 'Aandacht nodig'


def test_stuurgroep_selectors_change_content_and_land_in_the_url(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/stuurgroep.py")
    at.selectbox(key="url_jaar").select(2021).run()
    assert at.query_params["jaar"] in ("2021", ["2021"])
    assert "op koers voor 2023" in at.subheader[0].value  # before the target year: a projection
    assert set({m.label for m in at.metric}) <= {"Op koers", "Risico", "Uit koers"}
    at.radio(key="url_soort").set_value("subjectief").run()
    assert at.query_params["soort"] in ("subjectief", ["subjectief"])
    heat = charts(at)[0]["data"][0]
    assert heat["x"][0] == "Samengesteld (subjectief)"


def test_stuurgroep_url_parameters_round_trip(monkeypatch):
    at = run_page(
        demo_db(), monkeypatch, "views/stuurgroep.py", jaar="2025", doeljaar="2025", thema="veiligheid"
    )
    assert at.selectbox(key="url_jaar").value == 2025
    assert at.selectbox(key="url_doeljaar").value == 2025
    assert at.selectbox(key="url_thema").value == "veiligheid"
    assert "thema Veiligheid" in text_of(at)


def test_wijk_page_shows_every_indicator_with_verdict_and_survey_margin(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/wijk.py", wijk=STORIES["ruis"], jaar="2023")
    assert at.title[0].value == "Parkwijk"
    trend_charts = [c for c in charts(at)]
    assert len(trend_charts) >= 15  # one per indicator with data
    text = text_of(at)
    assert "Wat 'gelijk' hier betekent" in " ".join(i.value for i in at.info)
    assert "Rapportcijfer leefbaarheid buurt" in text
    survey = [d.value for d in at.dataframe if "Respondenten" in d.value.columns][0]
    assert survey.set_index("Vraag").loc["Rapportcijfer leefbaarheid buurt", "Oordeel"] == "gelijk"
    assert "±" in survey["Uitkomst"].iloc[0]


def test_wijk_selector_follows_the_url(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/wijk.py", wijk=STORIES["verslechterend"])
    assert at.title[0].value == "Molenwijk"
    at.selectbox(key="url_wijk").select(STORIES["verbeterend"]).run()
    assert at.title[0].value == "Vogelwijk"
    assert at.query_params["wijk"] in (STORIES["verbeterend"], [STORIES["verbeterend"]])


def test_indicator_page_definition_ranking_map_trend_and_provenance(monkeypatch):
    at = run_page(
        demo_db(), monkeypatch, "views/indicator.py", indicator="woninginbraak_per_1000_woningen", jaar="2023"
    )
    assert at.title[0].value == md("Woninginbraken per 1.000 woningen")  # data text is escaped
    ranking, kaart, trend = charts(at)
    assert len(ranking["data"][0]["y"]) == 12 and "error_x" in ranking["data"][0]
    provenance = [d.value for d in at.dataframe if "Bestand" in d.value.columns][0]
    assert set(provenance["Bestand"]) == {
        "politie_47022NED_lindenhoven_2017-2025.csv",
        "bevolking_lindenhoven_2017-2025.csv",
    }
    at.selectbox(key="url_indicator").select("rapportcijfer_leefbaarheid").run()
    assert at.title[0].value == "Rapportcijfer leefbaarheid buurt"


def test_regiegroep_shows_the_demo_burglary_hotspot(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/regiegroep.py", venster="24")
    signals = [d.value for d in at.dataframe if "Kans bij toeval" in d.value.columns][0]
    burglary = signals[signals["Wat"] == "Woninginbraak"]
    spring = burglary[burglary["Buurt"] == "Spoorzicht"]
    assert set(spring["Maand"]) >= {"maart 2024", "april 2024", "mei 2024"}
    assert signals.iloc[0]["Wat"] == "Woninginbraak"  # the strongest signal comes first
    at.selectbox(key="geschiedenis").select(("BU99990502", "1.1.1")).run()
    assert "Menukaart bij een inbraakgolf" in text_of(at)


def test_demo_copy_with_an_extra_month(monkeypatch, tmp_path):
    """A new delivery shows up on the regiegroep page after the next rerun."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    at = run_page(db, monkeypatch, "views/regiegroep.py")
    assert "december 2025" in at.caption[0].value
    extra = tmp_path / "meldingen_2026_01.csv"
    extra.write_text(
        "bron;gebied_code;periode;variabele;waarde\ngemeente;BU99990101;2026-01;meldingen_overlast_jeugd;2\n",
        encoding="utf-8",
    )
    assert load_files([extra], db)[0].status == "geladen"
    at.run()
    assert "januari 2026" in at.caption[0].value


def test_pages_are_scoped_to_one_gemeente(monkeypatch, tmp_path):
    """A database with two gemeenten: the sidebar chooses one; matrices and lists show only its wijken."""
    from test_indicator_math import FIXTURES

    db = tmp_path / "twee.duckdb"
    shutil.copyfile(demo_db(), db)
    assert {r.status for r in load_files([FIXTURES], db)} == {"geladen"}
    at = run_page(db, monkeypatch, "views/stuurgroep.py")
    assert at.sidebar.selectbox(key="url_gemeente").value == "GM9999"  # the one with the most results
    assert at.subheader[0].value.endswith("van de 12 wijken halen in 2023 het niveau van 2019")
    at.sidebar.selectbox(key="url_gemeente").select("GM0998").run()
    assert not at.exception
    assert at.query_params["gemeente"] in ("GM0998", ["GM0998"])
    assert at.subheader[0].value.endswith("van de 2 wijken halen in 2023 het niveau van 2019")
    assert charts(at)[0]["data"][0]["y"] == ["WK099801", "WK099802"]  # no names delivered: the codes
