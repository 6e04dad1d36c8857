"""The halfjaarrapportage per wijk (dashboard/documents/wijkrapport.py): PDF and Excel on the demo.

The PDF is read back with poppler (pdftotext, pdfinfo): its text holds the wijk, the half-year, the activities
with their statuses, the team's narrative, hours in Dutch notation (checked by hand against the records) and
the verdicts; a suppressed indicator shows "< 5" and never its number; people's text is escaped in the HTML and
shown literally in the PDF; the Excel file has its sheets, numbers as numbers and formula guards; the same
``generated`` gives the same bytes. The Jaarplan page offers both downloads.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from dashboard_support import REPO, app_test, demo_db

from dashboard import format as fmt
from dashboard import plans, queries, source
from dashboard.documents import wijkrapport
from wijkmonitor.records import authz
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.store import records_url

WIJK = "WK999912"  # the demo wijk with an adopted 2025 plan, a report over H1 and suppressed indicators
SCREENSHOT_WIJK = "WK999901"  # a wijk whose composite trend is complete (no suppression): the screenshot
JAAR, HALF = 2025, 1
GENERATED = dt.datetime(2025, 9, 15, 10, 30, tzinfo=dt.UTC)
SYSTEM = authz.Actor.command("test")
SCREENSHOT = REPO / "docs" / "screenshots" / "halfjaarrapportage.png"


def _squash(text: str) -> str:
    """Text without any whitespace: a cell's text wraps in the PDF wherever the column ends."""
    return re.sub(r"\s+", "", text)


def pdftotext(data: bytes, tmp: Path, *args: str) -> str:
    path = tmp / "r.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdfinfo(data: bytes, tmp: Path) -> str:
    path = tmp / "i.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def _copy_demo(folder: Path) -> Path:
    """The demo warehouse and its records store, copied: a test may write records on it."""
    db = demo_db()
    target = folder / "demo.duckdb"
    shutil.copyfile(db, target)
    shutil.copyfile(db.with_name("demo.records.sqlite"), folder / "demo.records.sqlite")
    return target


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> source.Source:
    db = _copy_demo(tmp_path_factory.mktemp("wijkrapport"))
    return source.live(db, records_url(db))


@pytest.fixture(scope="module")
def made(demo, tmp_path_factory) -> dict:
    """The report of WIJK over 2025-H1 in every form, made once, with the records it rests on."""
    tmp = tmp_path_factory.mktemp("made")
    with source.reading(demo):
        out = {
            "context": wijkrapport.context(WIJK, JAAR, HALF),
            "html": wijkrapport.html(WIJK, JAAR, HALF, generated=GENERATED),
            "pdf": wijkrapport.pdf(WIJK, JAAR, HALF, generated=GENERATED),
            "xlsx": wijkrapport.xlsx(WIJK, JAAR, HALF, generated=GENERATED),
            "plan": plans.plan(WIJK, JAAR),
            "report": plans.report(WIJK, JAAR, HALF),
            "series": queries.indicator_series([WIJK]),
        }
    out["layout"] = pdftotext(out["pdf"], tmp, "-layout")
    out["raw"] = pdftotext(out["pdf"], tmp, "-raw")
    out["info"] = pdfinfo(out["pdf"], tmp)
    return out


# ------------------------------------------------------------------------------------------ helpers


def test_parse_half():
    assert wijkrapport.parse_half("2025-H1") == (2025, 1)
    assert wijkrapport.parse_half("2024-h2") == (2024, 2)
    assert wijkrapport.parse_half(" 2025H2 ") == (2025, 2)
    for bad in ("2025-H3", "2025", "H1-2025", "", "1899-H1", "2025-H1; rm"):
        with pytest.raises(ValueError, match="ongeldig"):
            wijkrapport.parse_half(bad)


def test_unknown_wijk_and_a_year_without_a_plan_are_refused(demo):
    with source.reading(demo):
        with pytest.raises(ValueError, match="onbekende wijk"):
            wijkrapport.context("WK000000", JAAR, HALF)
        with pytest.raises(ValueError, match="onbekende wijkcode"):
            wijkrapport.context("<script>", JAAR, HALF)
        with pytest.raises(ValueError, match="geen jaarplan voor 2040"):
            wijkrapport.context(WIJK, 2040, HALF)
        with pytest.raises(ValueError, match="halfjaar"):
            wijkrapport.context(WIJK, JAAR, 3)


# ------------------------------------------------------------------------------------------ the PDF


def test_the_pdf_is_tagged_and_titled(made):
    ctx = made["context"]
    info = made["info"]
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(r"^Title:\s+(.*)$", info, re.M).group(1) == ctx["titel"]
    assert ctx["titel"] == f"Halfjaarrapportage {ctx['wijk_naam']} – 1e halfjaar 2025"
    assert int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1)) >= 1


def test_the_pdf_shows_the_plan_the_report_and_the_narrative(made):
    ctx, text, plan, report = made["context"], made["layout"], made["plan"], made["report"]
    flat = _squash(made["raw"])  # the text in reading order: a wrapped cell stays together
    assert ctx["wijk_naam"] in text and "1e halfjaar 2025" in text
    assert "Gegenereerd op 15-09-2025 12:30" in text  # Dutch local time
    assert "Bron: actuele gegevens" in text
    assert "op tijd ingediend" in text  # the demo's report came in before the deadline
    assert "Uiterste datum: 11-08-2025" in " ".join(text.split())
    for a in plan.actief:
        assert _squash(a.titel) in flat, a.titel
        line = report.line(a.code)
        assert line is not None
        assert _squash(f"{a.code}{a.titel}") in flat
        assert line.status in text
        if line.toelichting:
            assert _squash(line.toelichting) in flat
    for narrative in (report.goed, report.niet_goed, report.vragen):
        assert narrative and _squash(narrative) in flat
    # the verdicts of the monitor, in words
    verdicts = {i["oordeel"] for i in ctx["indicatoren"] if i["oordeel"]}
    assert "gelijk" in verdicts
    for word in verdicts:
        assert word in text


def test_hours_in_the_pdf_match_the_records(made):
    """By hand: activity A01's hours per partner (spent in H1 / planned for 2025) and the partner totals."""
    text, plan, report = made["layout"], made["plan"], made["report"]
    a = plan.activity("A01")
    line = report.line("A01")
    detail = text[text.index("Per activiteit en partner") :]
    row = next(r for r in detail.splitlines() if r.strip().startswith("A01 "))
    for partner in a.uren:
        expected = f"{fmt.getal(line.uren.get(partner, 0.0))} / {fmt.getal(a.uren[partner])}"
        assert expected in row, (partner, expected, row)
    assert f"{fmt.getal(line.uren.get('gemeente', 0))} / {fmt.getal(a.uren['gemeente'])}" in row
    # per partner: planned over the active activities, spent in the report (H1: this half-year = the year so far)
    planned = sum(act.uren.get("gemeente", 0.0) for act in plan.actief)
    spent = sum(ln.uren.get("gemeente", 0.0) for ln in report.regels)
    gemeente = next(r for r in text.splitlines() if r.strip().startswith("Gemeente ") and "%" in r)
    numbers = gemeente.split()[1:]
    assert numbers[:3] == [fmt.getal(planned), fmt.getal(spent), fmt.getal(spent)], gemeente
    # a total above 999 is written with a thousands dot
    total = sum(act.uren_totaal for act in plan.actief)
    assert total >= 1000
    totaal = next(r for r in text.splitlines() if r.strip().startswith("Totaal ") and "/" not in r)
    assert fmt.getal(total) in totaal and "." in fmt.getal(total)


def test_a_suppressed_value_shows_below_the_threshold_and_never_the_number(made, tmp_path):
    ctx, series = made["context"], made["series"]
    hidden = [i for i in ctx["indicatoren"] if i["onderdrukt"]]
    assert hidden, "the demo wijk should have a suppressed indicator value"
    for i in hidden:
        assert i["waarde"] is None and i["score"] is None and i["oordeel"] is None
        true = series[(series["indicator"] == i["indicator"]) & (series["jaar"] == i["jaar"])]["waarde"].iloc[
            0
        ]
        shown = {fmt.getal(true, d) for d in (1, 2)}
        # HTML: the row says "< 5" and holds no form of the number
        row = re.search(
            r"<tr>\s*<td>" + re.escape(htmllib.escape(i["titel"])) + r".*?</tr>", made["html"], re.S
        ).group(0)
        assert "&lt; 5" in row
        assert not any(s in row for s in shown), (i["indicator"], shown, row)
        # PDF: the text after the indicator's title, up to the next indicator
        raw = made["raw"]
        start = raw.index(i["titel"])
        part = raw[start : start + len(i["titel"]) + 80].split("\n")
        after = " ".join(part[:3])
        assert "< 5" in after, after
        assert not any(s in after for s in shown), (shown, after)
    # a row whose baseline is suppressed: its value shows, its score and verdict do not
    for i in ctx["indicatoren"]:
        if i["basis_onderdrukt"]:
            assert i["waarde"] is not None and i["score"] is None and i["oordeel"] is None
    # and the Excel sheet
    ws = openpyxl.load_workbook(io.BytesIO(made["xlsx"]))["Indicatoren"]
    rows = {r[2]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    for i in hidden:
        assert rows[i["indicator"]][4] == "< 5"
        assert rows[i["indicator"]][7] is None and rows[i["indicator"]][8] is None


def test_the_pdf_is_byte_stable(made, demo):
    with source.reading(demo):
        assert wijkrapport.pdf(WIJK, JAAR, HALF, generated=GENERATED) == made["pdf"]
        assert wijkrapport.xlsx(WIJK, JAAR, HALF, generated=GENERATED) == made["xlsx"]


# ------------------------------------------------------------------------------------------ hostile text


def test_hostile_narrative_is_escaped_in_html_literal_in_pdf_and_guarded_in_excel(tmp_path):
    db = _copy_demo(tmp_path)
    src = source.live(db, records_url(db))
    eng = src.records
    old = jp.get_report(eng, WIJK, JAAR, HALF)
    goed = "<script>alert(1)</script> eerste regel\ntweede regel <b>x</b>"
    vragen = '=HYPERLINK("https://evil.example","klik")'
    regels = [replace(r, toelichting="@SUM(1+1)") if r.activiteit_code == "A01" else r for r in old.regels]
    jp.submit_report(
        eng,
        SYSTEM,
        WIJK,
        JAAR,
        HALF,
        regels,
        goed=goed,
        niet_goed="-1+2 <img src=x onerror=alert(1)>",
        vragen=vragen,
        correctie_reden="<i>typfout</i> hersteld",
        vandaag=dt.date(2025, 9, 15),
    )
    with source.reading(src):
        page = wijkrapport.html(WIJK, JAAR, HALF, generated=GENERATED)
        pdf = wijkrapport.pdf(WIJK, JAAR, HALF, generated=GENERATED)
        xlsx = wijkrapport.xlsx(WIJK, JAAR, HALF, generated=GENERATED)
    assert "<script>" not in page and "<b>x</b>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "&lt;i&gt;typfout&lt;/i&gt;" in page
    assert "eerste regel\ntweede regel" in page  # the line break stays (CSS white-space: pre-wrap)
    text = pdftotext(pdf, tmp_path, "-layout")
    assert "<script>alert(1)</script> eerste regel" in text
    lines = [ln.strip() for ln in text.splitlines()]
    assert "tweede regel <b>x</b>" in lines
    joined = " ".join(text.split())
    assert (
        "versie 2 van de rapportage" in joined and "Reden van de correctie: <i>typfout</i> hersteld" in joined
    )
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    narrative = {r[0]: r[1] for r in wb["Toelichting"].iter_rows(min_row=2, values_only=True)}
    assert narrative["Wat vragen we van de regiegroep?"] == "'" + vragen
    assert narrative["Wat ging niet goed?"].startswith("'-1+2")
    assert narrative["Wat ging goed?"] == goed  # not a formula: as written
    assert narrative["Reden van de correctie"] == "<i>typfout</i> hersteld"
    acts = wb["Activiteiten"]
    toelichting = [c.value for c in acts[1]].index("Toelichting")
    a01 = next(r for r in acts.iter_rows(min_row=2, values_only=True) if r[0] == "A01")
    assert a01[toelichting] == "'@SUM(1+1)"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


# ------------------------------------------------------------------------------------------ Excel


def test_the_excel_file(made):
    ctx = made["context"]
    wb = openpyxl.load_workbook(io.BytesIO(made["xlsx"]))
    assert wb.sheetnames == ["Indicatoren", "Activiteiten", "Uren", "Toelichting", "Over"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in ws[1] if c.value is not None), ws.title
    ind = wb["Indicatoren"]
    for row in ind.iter_rows(min_row=2, values_only=True):
        assert isinstance(row[3], int)  # Jaar
        assert row[4] == "< 5" or isinstance(row[4], int | float), (
            row
        )  # Waarde: a number or the suppression text
        assert row[7] is None or isinstance(row[7], int | float)  # Score
    acts = list(wb["Activiteiten"].iter_rows(values_only=True))
    header = acts[0]
    assert [r[0] for r in acts[1:]] == [a.code for a in made["plan"].actief]
    gepland, gereed = header.index("Uren gepland"), header.index("Gereed (%)")
    for r in acts[1:]:
        assert isinstance(r[gepland], int | float) and isinstance(r[gereed], int)
    uren = list(wb["Uren"].iter_rows(values_only=True))
    assert uren[-1][0] == "Totaal" and uren[-1][1] == pytest.approx(ctx["uren_totaal"]["gepland"])
    for r in uren[1:]:
        assert all(isinstance(v, int | float) for v in r[1:4]), r
    over = {r[0]: r[1] for r in wb["Over"].iter_rows(min_row=2, values_only=True)}
    assert over["Wijk"] == ctx["wijk_naam"] and over["Halfjaar"] == "1e halfjaar 2025"
    assert over["Bron"] == "actuele gegevens"
    assert over["Gegenereerd op"] == dt.datetime(2025, 9, 15, 12, 30)  # Dutch local time
    narrative = {r[0]: r[1] for r in wb["Toelichting"].iter_rows(min_row=2, values_only=True)}
    assert narrative["Wat ging goed?"] == made["report"].goed
    assert wb.properties.created == wb.properties.modified == dt.datetime(2025, 9, 15, 10, 30)


# ------------------------------------------------------------------------------------------ screenshot


def test_screenshot_of_the_first_page(demo, tmp_path):
    """docs/screenshots/halfjaarrapportage.png: made when missing, or again with WIJKMONITOR_SCREENSHOTS=1."""
    if SCREENSHOT.exists() and os.environ.get("WIJKMONITOR_SCREENSHOTS") != "1":
        pytest.skip("screenshot exists (WIJKMONITOR_SCREENSHOTS=1 makes it again)")
    with source.reading(demo):
        data = wijkrapport.pdf(SCREENSHOT_WIJK, JAAR, HALF, generated=GENERATED)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    made = sorted(tmp_path.glob("p-*.png"))
    assert len(made) == 1
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(made[0], SCREENSHOT)


# ------------------------------------------------------------------------------------------ the Jaarplan page


def test_the_jaarplan_page_offers_the_report_as_pdf_and_excel(tmp_path, monkeypatch):
    db = _copy_demo(tmp_path)
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    at = app_test(db, monkeypatch).run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("views/jaarplan.py")
    at.query_params["wijk"] = WIJK
    at.query_params["jaar"] = str(JAAR)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Halfjaarrapportage (PDF)") == 1, labels
    assert labels.count("Halfjaarrapportage (Excel)") == 1, labels
