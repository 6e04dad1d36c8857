"""Hostile text and hostile URLs on every dashboard page; one database version per page run.

Area, theme, indicator, series and file names are written straight into a copy of the demo database
(the loader refuses such names, so they are put in with SQL, as a database from elsewhere could hold
them). Every page must show them as plain text: escaped in Markdown (dashboard.safe.md) and in Plotly
(dashboard.safe.plot). Every URL parameter with a hostile value must silently give the default.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from dashboard_support import app_test, demo_db, run_page
from streamlit.testing.v1 import AppTest

from dashboard import PAGES
from dashboard.safe import WORD_JOINER, md, plot

EVIL = "https://evil.example"
AREAS = {
    "GM9999": f"[Inloggen bij de gemeente]({EVIL}/gemeente)",
    "WK999901": "<img src=x onerror=alert(1)>",
    "WK999902": ":red[rood] :material/warning: :smile:",
    "WK999903": f"[Inloggen bij de gemeente]({EVIL}/login)",  # the wijk that misses the target
    "WK999904": "$x^2$ **vet** `code` ~~weg~~",
    "WK999905": "# kop",
    "WK999906": f"kijk op {EVIL}/auto en www.evil.example of mail a@evil.example",
    "WK999907": "1. lijst | tabel | <b>vet</b>",
    "WK999910": f"<a href='{EVIL}/a'>Parkwijk</a>",
    "BU99990502": f"[Spoorzicht]({EVIL}/buurt)",  # the buurt with the burglary signals
}
THEME = f"[Veiligheid]({EVIL}/thema)"
INDICATOR = "woninginbraak_per_1000_woningen"
INDICATOR_TITLE = f"<b>Inbraak</b> [per 1.000]({EVIL}/indicator) $x$"
SERIES = f"[Woninginbraak]({EVIL}/reeks)"
REMARK = f"[opmerking]({EVIL}/opmerking)"
FILE = f"[bestand.csv]({EVIL}/bestand) <img src=x>"
# What must never appear unescaped in text Streamlit renders as Markdown.
RAW = [
    "](",
    "https://",
    "www.",
    "<img",
    "<a ",
    "<b>",
    ":red[",
    ":material/warning:",
    ":smile:",
    "$x",
    "**vet**",
]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copyfile(demo_db(), db)
    con = duckdb.connect(str(db))
    try:
        for code, name in AREAS.items():
            con.execute("UPDATE marts.dim_gebied SET gebied_naam = ? WHERE gebied_code = ?", [name, code])
        con.execute("UPDATE marts.dim_thema SET titel = ? WHERE thema = 'veiligheid'", [THEME])
        con.execute("UPDATE marts.dim_indicator SET thema_titel = ? WHERE thema = 'veiligheid'", [THEME])
        con.execute(
            "UPDATE marts.dim_indicator SET titel = ? WHERE indicator = ?", [INDICATOR_TITLE, INDICATOR]
        )
        con.execute("UPDATE marts.fct_hotspots SET reeks = ? WHERE reeks = 'Woninginbraak'", [SERIES])
        con.execute(
            "UPDATE marts.fct_indicator_scores SET opmerking = ? WHERE gebied_code = 'WK999903'", [REMARK]
        )
        has_loads = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = 'loads'"
        ).fetchone()[0]
        if has_loads:  # where load attempts live is moving (issue 9, item 6); the names are text either way
            con.execute(
                "UPDATE meta.loads SET bestand = ?, partner = ?, gebruiker = ?",
                [FILE, f"partner [x]({EVIL}/p)", f"<img src=x> [gebruiker]({EVIL}/u)"],
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db


def _markdown_texts(at) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown."""
    texts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "success",
        "info",
        "warning",
        "error",
    ):
        texts += [e.value for e in getattr(at, kind)]
    texts += [e.proto.label for e in at.metric]
    texts += [e.proto.label for e in at.page_link]
    for kind in ("selectbox", "radio", "toggle"):
        texts += [e.label for e in getattr(at, kind)]
    for r in at.radio:
        texts += list(r.options)  # radio options are Markdown too
    return texts


def _chart_strings(at) -> list[str]:
    out = []

    def walk(x):
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for c in at.get("plotly_chart"):
        walk(json.loads(c.proto.spec))
    return out


PAGE_QUERY = {
    "views/wijk.py": {"wijk": "WK999903", "jaar": "2023"},
    "views/indicator.py": {"indicator": INDICATOR, "jaar": "2023"},
    "views/regiegroep.py": {"venster": "24"},
}


@pytest.mark.parametrize("page", PAGES)
def test_hostile_names_are_plain_text_on_every_page(monkeypatch, hostile_db, page):
    at = run_page(hostile_db, monkeypatch, page, **PAGE_QUERY.get(page, {}))
    texts = _markdown_texts(at)
    assert at.title, "the page rendered its title"
    # what is left when every backslash-escaped character is taken out must hold none of the raw forms
    leaks = [(raw, t) for t in texts for raw in RAW if raw in re.sub(r"\\.", "", t)]
    assert leaks == []
    strings = _chart_strings(at)
    assert [s for s in strings if "<img" in s or "<a " in s or "<b>" in s] == []
    joined = "\n".join(texts)
    if page == "views/wijk.py":
        assert at.title[0].value == md(AREAS["WK999903"])
        assert md(REMARK) in joined and md(THEME) in joined
    if page == "views/stuurgroep.py":
        assert md(AREAS["WK999903"]) in joined  # 'Aandacht nodig' and the link to it
        assert f"Naar {md(AREAS['WK999903'])}" in [e.proto.label for e in at.page_link]
        matrix = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
        assert {plot(AREAS[c]) for c in AREAS if c.startswith("WK")} <= set(matrix["y"])
        assert plot(THEME) in matrix["x"]
    if page == "views/indicator.py":
        assert at.title[0].value == md(INDICATOR_TITLE)
        ranking = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
        assert plot(AREAS["WK999901"]) in ranking["y"]
    if page == "views/regiegroep.py":
        assert md(SERIES) in joined
        assert any(plot(AREAS["BU99990502"]) in s for s in strings)  # signal map hover text
    if page == "views/gegevens.py" and any(
        FILE in str(v) for d in at.dataframe for v in d.value.values.ravel()
    ):
        assert md(FILE) in joined  # the file name in the success message, escaped


def test_markdown_escape_rules():
    assert md("a*b_c") == r"a\*b\_c"
    assert md("Noord-Oost 1.000") == r"Noord\-Oost 1\.000"
    assert md("regel 1\nregel\t2\x00 \u202e") == "regel 1 regel 2"
    assert md(None) == "–" and md(float("nan")) == "–"
    link = md(f"[x]({EVIL}/y)")
    assert link == rf"\[x\]\(https\:{WORD_JOINER}\/\/evil\.example\/y\)"
    assert md("www.x.nl a@b.nl") == rf"www{WORD_JOINER}\.x\.nl a\@{WORD_JOINER}b\.nl"
    assert plot("<a href='x'>&</a>") == "&lt;a href='x'&gt;&amp;&lt;/a&gt;"


# ------------------------------------------------------------------------------------------ hostile URLs

HOSTILE_VALUES = [
    "²",
    "-1",
    "1e9",
    "abc",
    "<script>alert(1)</script>",
    "9" * 5000,
    "\x00",
    "%00",
    "2023.0",
    " 2023",
    "२०२३",  # Devanagari digits: str.isdigit() is True, int() accepts them
    ["2021", "x"],  # a repeated key
]
KEYS = [
    "gemeente",
    "jaar",
    "doeljaar",
    "thema",
    "soort",
    "kaart",
    "wijk",
    "indicator",
    "maanden",
    "reeks",
    "venster",
    "load",
]


@pytest.mark.parametrize("page", PAGES)
def test_hostile_url_parameters_fall_back_to_the_default(monkeypatch, page):
    """Every parameter of every page at once, one hostile value after another: never an exception."""
    normal = run_page(demo_db(), monkeypatch, page)
    expected_title = normal.title[0].value
    for value in HOSTILE_VALUES:
        at = app_test(demo_db(), monkeypatch)
        for key in KEYS:
            at.query_params[key] = value
        at.switch_page(page).run()
        assert not at.exception, (page, repr(value)[:40], [e.value for e in at.exception])
        assert at.title and at.title[0].value == expected_title, (page, repr(value)[:40])
        if page == "views/gegevens.py":
            assert at.selectbox(key="load").value == normal.selectbox(key="load").value  # the newest


def test_gegevens_load_parameter_is_parsed_strictly(monkeypatch):
    newest = run_page(demo_db(), monkeypatch, "views/gegevens.py").selectbox(key="load").value
    assert newest != 1
    assert run_page(demo_db(), monkeypatch, "views/gegevens.py", load="1").selectbox(key="load").value == 1
    for value in ("²", "¹", "01x", "1 "):  # "²".isdigit() is True: it used to be a ValueError traceback
        assert (
            run_page(demo_db(), monkeypatch, "views/gegevens.py", load=value).selectbox(key="load").value
            == newest
        )


# ------------------------------------------------------------------------------------------ one version per run


def _two_reads(db: str, replacement: str, pin: bool) -> None:
    """A page run that reads, has a load publish mid-run (os.replace, as etl does), and reads again."""
    import os as _os
    from pathlib import Path as _Path

    import streamlit as st

    from dashboard import queries

    if pin:
        queries.pin_version()
    sql = "SELECT gebied_naam FROM marts.dim_gebied WHERE gebied_code = 'WK999903'"
    st.text("voor " + queries.query(sql)["gebied_naam"].iloc[0])
    if _Path(replacement).exists():
        _os.replace(replacement, db)
    # a different statement, so that no cached result can answer it: it must read the pinned file
    st.text("na " + queries.query(sql + " AND 1 = 1")["gebied_naam"].iloc[0])


@pytest.mark.parametrize("pin", [True, False])
def test_one_page_run_reads_one_database_version(monkeypatch, tmp_path, hostile_db, pin):
    db, replacement = tmp_path / "live.duckdb", tmp_path / "live.duckdb.tmp-1"
    shutil.copyfile(demo_db(), db)
    shutil.copyfile(hostile_db, replacement)
    monkeypatch.setenv("WIJKMONITOR_DB", str(db))
    at = AppTest.from_function(_two_reads, args=(str(db), str(replacement), pin), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not replacement.exists()  # the 'load' published during the run
    old, new = "Molenwijk", AREAS["WK999903"]
    if pin:
        assert [t.value for t in at.text] == [f"voor {old}", f"na {old}"]  # the rest of the run: old
    else:
        assert [t.value for t in at.text] == [f"voor {old}", f"na {new}"]  # what pinning prevents
    at.run()
    assert [t.value for t in at.text] == [f"voor {new}", f"na {new}"]  # the next run: new


# ------------------------------------------------------------------------------------------ real browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
def test_hostile_names_in_a_real_browser(hostile_db, tmp_path):
    from playwright.sync_api import sync_playwright
    from test_serve import free_port, start_serve, stop

    port = free_port()
    proc = start_serve(hostile_db, port, tmp_path / "serve.log")
    dialogs = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path, ready in (
                ("wijk?wijk=WK999903&jaar=2023", "h1"),
                ("stuurgroep", '[data-testid="stPlotlyChart"] .main-svg'),
            ):
                page.goto(f"http://127.0.0.1:{port}/{path}", wait_until="domcontentloaded")
                page.wait_for_selector(f'[data-testid="stMain"] {ready}', timeout=60_000)
                page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
                page.wait_for_function(
                    """() => document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length >= 1""",
                    timeout=60_000,
                )
                assert page.locator('[data-testid="stException"]').count() == 0
                # (a heading's own anchor, '#inloggen-...-evil-example-login', is a fragment of this page)
                hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href') || '')")
                svg_links = page.locator("svg a").count()
                assert [h for h in hrefs if "evil.example" in h] == [] and svg_links == 0, path
                images = page.eval_on_selector_all("img", "els => els.map(e => e.outerHTML)")
                assert [i for i in images if 'src="x"' in i or "onerror" in i] == [], path
                body = page.inner_text("body").replace(WORD_JOINER, "")
                svg = " ".join(
                    page.locator('[data-testid="stPlotlyChart"] .main-svg text').all_text_contents()
                )
                if path.startswith("wijk"):
                    assert page.locator("h1").first.inner_text().replace(WORD_JOINER, "") == AREAS["WK999903"]
                    assert REMARK in body
                else:
                    assert f"Naar {AREAS['WK999903']}" in body  # the page link, literally
                    for code in ("WK999901", "WK999902", "WK999904", "WK999906", "WK999910"):
                        assert AREAS[code] in svg, code  # matrix row labels, literally
                    assert THEME in svg
                    assert re.search(r"In 2023: \d+ wijken? gehaald, \d+ niet gehaald, \d+ onbeslist", body)
            browser.close()
    finally:
        stop(proc)
    assert dialogs == []
    assert re.search(r"Traceback|Error", (tmp_path / "serve.log").read_text()) is None
