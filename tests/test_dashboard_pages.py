"""AppTest for every governance page: demo data, an empty database, partial data, selectors and URLs."""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pandas as pd
import pytest
from dashboard_support import DEMO, demo_db, run_page

from dashboard import PAGES, VIEWS
from dashboard.safe import md
from etl import load_files
from etl.db import connect_readonly
from etl.demo import STORIES

WORSE, BETTER = STORIES["verslechterend"], STORIES["verbeterend"]
# "In 2023: 4 wijken gehaald, 1 niet gehaald, 7 onbeslist[, 1 zonder gegevens] (marge 5%: ...)"
HEADLINE = re.compile(
    r"^In (?P<jaar>\d{4}): (?P<goed>\d+) wijk(en)? gehaald, (?P<slecht>\d+) niet gehaald, "
    r"(?P<open>\d+) onbeslist(, (?P<geen>\d+) zonder gegevens)? \(marge (?P<marge>[\d,]+)%: 'gehaald' = "
    r"aantoonbaar hoogstens (?P=marge)% onder (?P<basis>\d{4})\)$"
)
FORECAST = re.compile(
    r"^Vooruitblik naar (?P<doel>\d{4}) \(stand (?P<jaar>\d{4})\): (?P<goed>\d+) wijk(en)? op koers, "
    r"(?P<slecht>\d+) uit koers, (?P<open>\d+) onzeker(, (?P<geen>\d+) zonder gegevens)? \(marge [\d,]+%: "
)


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def text_of(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    return "\n".join(parts)


def facts(sql: str, *params) -> pd.DataFrame:
    """Read the demo database the way the dashboard does (read-only attach), for expected values."""
    con = connect_readonly(demo_db())
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def name(code: str) -> str:
    return facts("SELECT gebied_naam FROM marts.dim_gebied WHERE gebied_code = ?", code)["gebied_naam"].iloc[
        0
    ]


def counts(match: re.Match) -> list[int]:
    return [int(match[k] or 0) for k in ("goed", "slecht", "open", "geen")]


def table_with(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


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


def test_stuurgroep_headline_gives_three_numbers_with_the_margin(monkeypatch):
    """Not "11 of 12 made it": gehaald, niet gehaald and onbeslist, adding up to every wijk, margin named."""
    at = run_page(demo_db(), monkeypatch, "views/stuurgroep.py")
    wijken = facts("SELECT count(*) AS n FROM marts.dim_gebied WHERE niveau = 'wijk'")["n"].iloc[0]
    marge = facts("SELECT marge FROM marts.dim_instellingen")["marge"].iloc[0]
    headline = HEADLINE.match(at.subheader[0].value)
    assert headline, at.subheader[0].value
    assert headline["jaar"] == "2023" and headline["basis"] == "2019"
    assert float(headline["marge"].replace(",", ".")) == pytest.approx(100 * marge)
    assert sum(counts(headline)) == wijken
    metrics = {m.label: int(m.value) for m in at.metric}
    assert metrics.pop("Gehaald") == int(headline["goed"])
    assert metrics.pop("Niet gehaald") == int(headline["slecht"])
    assert metrics.pop("Onbeslist") == int(headline["open"])
    assert metrics == ({"Geen gegevens": int(headline["geen"])} if headline["geen"] else {})
    # the three words are explained on the page
    explained = " ".join(m.value for m in at.markdown)
    assert all(f"**{w}**" in explained for w in ("Gehaald", "Niet gehaald", "Onbeslist"))


def test_stuurgroep_tells_the_stories_of_the_demo(monkeypatch):
    """The worsening wijk is 'niet gehaald' and needs attention; the improving one is 'gehaald'."""
    at = run_page(demo_db(), monkeypatch, "views/stuurgroep.py")
    worse, better = name(WORSE), name(BETTER)
    table = table_with(at, "Oordeel").set_index("Gebied")
    assert table.loc[worse, "Oordeel"] == "niet gehaald"
    assert table.loc[better, "Oordeel"] == "gehaald"
    assert set(table["Oordeel"]) <= {"gehaald", "niet gehaald", "onbeslist", "geen data"}
    # 'Aandacht nodig' names the worsening wijk with its status in words and links to it
    assert f"**{md(worse)}: niet gehaald**" in text_of(at)
    assert f"Naar {md(worse)}" in [link.proto.label for link in at.page_link]
    matrix, kaart, trend = charts(at)
    assert worse in matrix["data"][0]["y"]
    # the map: statuses in colour, in the legend with their counts, and written on each wijk
    legend = [t["name"] for t in kaart["data"] if t.get("showlegend")]
    assert [re.sub(r" \(\d+\)$", "", n) for n in legend][:3] == ["gehaald", "niet gehaald", "onbeslist"]
    labels = [a["text"] for a in kaart["layout"]["annotations"]]
    assert f"{worse}<br>niet gehaald" in labels and f"{better}<br>gehaald" in labels
    polygons = [t for t in kaart["data"] if t.get("fill") == "toself"]
    assert sum(t["x"].count(None) for t in polygons) == len(table)  # one ring per wijk, grouped by colour
    assert any(t["name"] == worse for t in trend["data"])
    # the trend chart marks the margin's limit
    limit = 100 * (1 - facts("SELECT marge FROM marts.dim_instellingen")["marge"].iloc[0])
    assert any(sh.get("y0") == pytest.approx(limit) for sh in trend["layout"]["shapes"])


def test_stuurgroep_onbeslist_wijken_say_why(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/stuurgroep.py")
    table = table_with(at, "Oordeel")
    onbeslist = table[table["Oordeel"] == "onbeslist"]
    links = [link.proto.label for link in at.page_link if "aan te tonen" in link.proto.label]
    assert len(links) == len(onbeslist)
    for row in onbeslist.itertuples():
        assert row.Ondergrens < 95 <= row.Bovengrens  # the bounds straddle the limit
        assert any(label.startswith(f"{md(row.Gebied)}: ") for label in links)


def test_stuurgroep_status_is_the_engines_for_every_year_group_and_level(monkeypatch):
    """The dashboard computes the status for any target year with the engine's macros; for the settings'
    target year it is marts.fct_doelen (where that has a row), and it follows the rule from its own columns."""
    from dashboard import queries

    monkeypatch.setenv("WIJKMONITOR_DB", str(demo_db()))
    doelen = facts("SELECT * FROM marts.fct_doelen")
    s = facts("SELECT * FROM marts.dim_instellingen").iloc[0]
    grens = 100 * (1 - s["marge"])
    gemeente = STORIES["gemeente"]
    checked = 0
    for niveau in ("wijk", "buurt"):
        for groep in ("samengesteld", "objectief", "veiligheid"):
            for jaar in range(int(s["basisjaar"]), 2026):
                for doeljaar in (int(s["doeljaar"]), 2025):
                    t = queries.target_status(niveau, jaar, doeljaar, groep, gemeente).set_index(
                        "gebied_code"
                    )
                    if doeljaar == s["doeljaar"]:
                        ref = doelen[(doelen["niveau"] == niveau) & (doelen["groep"] == groep)]
                        ref = ref[ref["peiljaar"] == jaar].set_index("gebied_code")
                        assert (t.loc[ref.index, "status"] == ref["status"]).all(), (niveau, groep, jaar)
                        checked += len(ref)
                    for r in t.itertuples():
                        if jaar >= doeljaar:
                            expected = (
                                "geen data"
                                if pd.isna(r.doel_ondergrens)
                                else "gehaald"
                                if r.doel_ondergrens >= grens
                                else "niet gehaald"
                                if r.doel_bovengrens < grens
                                else "onbeslist"
                            )
                        elif r.trendjaren < 2:
                            expected = "geen data"
                        else:
                            expected = (
                                "onzeker"
                                if pd.isna(r.projectie_laag)
                                else "op koers"
                                if r.projectie_laag >= grens
                                else "uit koers"
                                if r.projectie_hoog < grens
                                else "onzeker"
                            )
                        assert r.status == expected, (niveau, groep, jaar, doeljaar, r.Index)
    assert checked > 500


def test_stuurgroep_matrix_colours_by_the_adjusted_verdict(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/stuurgroep.py")
    heat = charts(at)[0]["data"][0]
    fdr = facts("SELECT fdr_matrix FROM marts.dim_instellingen")["fdr_matrix"].iloc[0]
    q = f"q = {fdr:.2f}".replace(".", ",")
    caption = next(c.value for c in at.caption if c.value.startswith("Kleur = "))
    assert "Benjamini–Hochberg" in caption and q in caption
    cells = facts(
        "SELECT c.*, g.gebied_naam FROM marts.fct_composites AS c JOIN marts.dim_gebied AS g USING (gebied_code) "
        "WHERE c.niveau = 'wijk' AND c.jaar = 2023 AND c.groep_type IN ('samengesteld', 'thema')"
    ).set_index(["gebied_naam", "groep"])
    themes = facts("SELECT thema, titel FROM marts.dim_thema")
    column = {"Samengesteld": "samengesteld", **dict(zip(themes["titel"], themes["thema"], strict=True))}
    code = {"beter": 0, "gelijk": 1, "slechter": 2, "geen data": 3}
    differ = 0
    for i, row in enumerate(heat["y"]):
        for j, col in enumerate(heat["x"]):
            key = (row, column[col])
            if key not in cells.index:
                assert heat["z"][i][j] == code["geen data"]
                continue
            cell = cells.loc[key]
            assert heat["z"][i][j] == code[cell["verandering_aangepast"]], key
            hover = heat["customdata"][i][j]
            assert f"per toets: {cell['verandering']} (p" in hover
            assert f"na correctie (Benjamini–Hochberg, {q}): {cell['verandering_aangepast']} (p" in hover
            assert "95%-interval" in hover
            mark = {"beter": "▲ ", "slechter": "▼ "}.get(cell["verandering_aangepast"], "")
            assert heat["text"][i][j].startswith(mark) and (mark or heat["text"][i][j][0].isdigit())
            differ += cell["verandering"] != cell["verandering_aangepast"]
    # the text alternative says how many cells the correction took back
    assert (
        f"met correctie {sum(c in ('beter', 'slechter') for c in cells['verandering_aangepast'])}"
        in "".join(c.value for c in at.caption).replace("\\", "")
    )
    assert differ == sum(cells["verandering"] != cells["verandering_aangepast"])


def test_stuurgroep_before_the_target_year_projects_with_an_interval(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/stuurgroep.py")
    at.selectbox(key="url_jaar").select(2021).run()
    assert at.query_params["jaar"] in ("2021", ["2021"])
    forecast = FORECAST.match(at.subheader[0].value)
    assert forecast and forecast["doel"] == "2023" and forecast["jaar"] == "2021", at.subheader[0].value
    wijken = facts("SELECT count(*) AS n FROM marts.dim_gebied WHERE niveau = 'wijk'")["n"].iloc[0]
    assert sum(counts(forecast)) == wijken
    assert {m.label for m in at.metric} - {"Geen gegevens"} == {"Op koers", "Uit koers", "Onzeker"}
    table = table_with(at, "Oordeel")
    assert set(table["Oordeel"]) <= {"op koers", "uit koers", "onzeker", "geen data"}
    ahead = table.dropna(subset=["Voorspelling laag"])
    assert (ahead["Voorspelling laag"] <= ahead["Verwacht 2023"]).all()
    assert (ahead["Verwacht 2023"] <= ahead["Voorspelling hoog"]).all()
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
    headline = HEADLINE.match(at.subheader[0].value)
    assert headline and headline["jaar"] == "2025"


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
    at = run_page(demo_db(), monkeypatch, "views/wijk.py", wijk=WORSE)
    assert at.title[0].value == md(name(WORSE))
    assert {m.label: m.value for m in at.metric}["Doel 2023"] == "niet gehaald"
    at.selectbox(key="url_wijk").select(BETTER).run()
    assert at.title[0].value == md(name(BETTER))
    assert {m.label: m.value for m in at.metric}["Doel 2023"] == "gehaald"
    assert at.query_params["wijk"] in (BETTER, [BETTER])


def test_wijk_page_says_why_a_wijk_is_onbeslist(monkeypatch):
    """Basket size, the indicators left out (by title, with the reason) and the decline these data can show."""
    onbeslist = facts(
        "SELECT d.gebied_code, d.detecteerbaar, c.dekking, c.uitgesloten, d.marge FROM marts.fct_doelen AS d "
        "JOIN marts.fct_composites AS c ON c.gebied_code = d.gebied_code AND c.groep = d.groep AND c.jaar = d.peiljaar "
        "WHERE d.niveau = 'wijk' AND d.groep = 'samengesteld' AND d.peiljaar = 2023 AND d.status = 'onbeslist' "
        "ORDER BY cardinality(c.uitgesloten) DESC, d.gebied_code"
    )
    assert not onbeslist.empty, "the demo has undecided wijken (small counts)"
    wijk = onbeslist.iloc[0]
    titles = facts("SELECT indicator, titel FROM marts.dim_indicator").set_index("indicator")["titel"]
    at = run_page(demo_db(), monkeypatch, "views/wijk.py", wijk=wijk["gebied_code"], jaar="2023")
    assert {m.label: m.value for m in at.metric}["Doel 2023"] == "onbeslist"
    assert any(i.value.startswith("**Waarom onbeslist?**") for i in at.info)
    text = text_of(at)
    assert f"steunt op {int(wijk['dekking'])} indicatoren" in text
    for indicator in wijk["uitgesloten"]:
        assert f"- {md(titles[indicator])}: " in text
    pct = str(round(100 * wijk["marge"])) + "%"
    assert (
        f"Met deze aantallen is pas een daling van {round(wijk['detecteerbaar'])}% aan te tonen; de marge is {pct}."
        in text
    )
    # the composite over the years with its 95% interval and the margin's limit
    chart = next(c for c in charts(at) if any(t.get("name") == "score met 95%-interval" for t in c["data"]))
    score = next(t for t in chart["data"] if t["name"] == "score met 95%-interval")
    assert "error_y" in score and 2023 in score["x"]


def test_wijk_page_projects_the_trend_with_a_prediction_interval(monkeypatch):
    doel = facts(
        "SELECT * FROM marts.fct_doelen WHERE niveau = 'wijk' AND groep = 'samengesteld' AND peiljaar = 2022 "
        "AND gebied_code = ?",
        BETTER,
    ).iloc[0]
    at = run_page(demo_db(), monkeypatch, "views/wijk.py", wijk=BETTER, jaar="2022")
    assert {m.label: m.value for m in at.metric}["Doel 2023"] == doel["status"]
    chart = next(c for c in charts(at) if any(t.get("name") == "trend en voorspelling" for t in c["data"]))
    line = next(t for t in chart["data"] if t["name"] == "trend en voorspelling")
    assert line["x"][-1] == 2023 and line["y"][-1] == pytest.approx(doel["projectie"])
    band = next(t for t in chart["data"] if t["name"] == "95%-voorspellingsinterval")
    assert min(band["y"]) == pytest.approx(doel["projectie_laag"])
    assert max(band["y"]) == pytest.approx(doel["projectie_hoog"])
    score = next(t for t in chart["data"] if t["name"] == "score met 95%-interval")
    assert max(score["x"]) == 2022  # as of 2022: later years are not part of this projection


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
    hover = ranking["data"][0]["customdata"]
    assert all("95%-interval" in h for h in hover) and any("<br>score " in h for h in hover)
    # a count indicator: the overdispersion it uses
    spreiding = table_with(at, "σ² gebruikt")
    assert set(spreiding["Niveau"]) >= {"wijk"}
    at.selectbox(key="url_indicator").select("rapportcijfer_leefbaarheid").run()
    assert at.title[0].value == "Rapportcijfer leefbaarheid buurt"


def test_indicator_page_names_method_breaks(monkeypatch):
    breaks = facts("SELECT * FROM marts.dim_methodebreuk")
    assert breaks["omrekenfactor"].notna().any() and breaks["omrekenfactor"].isna().any()
    for b in breaks.itertuples():
        at = run_page(demo_db(), monkeypatch, "views/indicator.py", indicator=b.indicator, jaar="2023")
        if pd.notna(b.omrekenfactor):
            factor = f"{b.omrekenfactor:.2f}".replace(".", ",")
            assert any(f"omgerekend met factor {factor}" in i.value for i in at.info), b.indicator
        else:
            assert any(
                f"Methodebreuk in {b.jaar}" in w.value and "geen omrekenfactor" in w.value for w in at.warning
            )


def test_indicator_page_gives_the_leefbaarometer_no_verdict(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/indicator.py", indicator="leefbaarometer_totaal")
    assert any("geen oordeel beter, gelijk of slechter" in i.value for i in at.info)
    hover = charts(at)[0]["data"][0]["customdata"]
    assert hover and all(h.endswith("geen oordeel") for h in hover)
    assert not any(re.search(r"\b(beter|slechter)\b", h.split("<br>")[-1]) for h in hover)


def test_indicator_page_warns_about_incomplete_coverage(monkeypatch, tmp_path):
    db = tmp_path / "dekking.duckdb"
    shutil.copyfile(demo_db(), db)
    con = duckdb.connect(str(db))
    con.execute(
        "UPDATE marts.fct_indicator_scores SET dekking = 0.82 WHERE gebied_code = ? AND jaar = 2023 "
        "AND indicator = 'woninginbraak_per_1000_woningen'",
        [WORSE],
    )
    con.close()
    at = run_page(
        db, monkeypatch, "views/indicator.py", indicator="woninginbraak_per_1000_woningen", jaar="2023"
    )
    warning = " ".join(w.value for w in at.warning)
    assert f"{md(name(WORSE))}: dekking 82%: niet alle buurten geleverd" in warning
    at.toggle(key="tabel").set_value(True).run()
    table = table_with(at, "dekking (%)").set_index("Wijk")
    assert table.loc[name(WORSE), "dekking (%)"] == 82
    assert (table.drop(index=name(WORSE))["dekking (%)"] == 100).all()


def test_regiegroep_shows_the_demo_burglary_hotspot(monkeypatch):
    at = run_page(demo_db(), monkeypatch, "views/regiegroep.py", venster="24")
    signals = [d.value for d in at.dataframe if {"Kans bij toeval", "Maand"} <= set(d.value.columns)][
        0
    ]  # monthly
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
    assert sum(counts(HEADLINE.match(at.subheader[0].value))) == 12
    at.sidebar.selectbox(key="url_gemeente").select("GM0998").run()
    assert not at.exception
    assert at.query_params["gemeente"] in ("GM0998", ["GM0998"])
    assert sum(counts(HEADLINE.match(at.subheader[0].value))) == 2
    assert charts(at)[0]["data"][0]["y"] == ["WK099801", "WK099802"]  # no names delivered: the codes
