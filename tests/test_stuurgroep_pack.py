"""The stuurgroep pack (dashboard/documents/stuurgroep.py) on the demo: golden content of the PDF's text,
disclosure control, PDF/UA, and byte-stability of a snapshot's pack across a later delivery.

One copy of the demo warehouse and records per module, one snapshot, two PDFs (a pack takes ~10-20 s).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import plotly.graph_objects as go
import pytest
from dashboard_support import copy_demo
from etl_helpers import fixture, load_one

from dashboard import charts, queries, source
from dashboard import format as fmt
from dashboard.documents import render, stuurgroep
from wijkmonitor import snapshots
from wijkmonitor.records import sturing
from wijkmonitor.records.authz import Actor
from wijkmonitor.records.store import open_store, records_url

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "screenshots" / "stuurgroeppakket.png"
MADE = dt.datetime(2025, 9, 15, 16, 0, tzinfo=dt.UTC)
GENERATED = dt.datetime(2025, 9, 16, 8, 0, tzinfo=dt.UTC)
STATUSES = "gehaald|niet gehaald|onbeslist|op koers|uit koers|onzeker|geen data"


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    db = copy_demo(folder / "demo.duckdb")
    url = records_url(db)
    snap = snapshots.create(db, url, "Stuurgroep najaar 2025", Actor.command("test"), now=MADE)
    src = source.of_snapshot(snap)
    with source.reading(src):
        data = stuurgroep.pdf(generated=GENERATED)
        ctx = stuurgroep.context(generated=GENERATED, charts_on=False)
        sup = stuurgroep.suppression()
        unfiltered = queries.worst_indicators(
            "wijk", ctx["jaar"], queries.gemeenten()["gebied_code"].iloc[0], 1000
        )
    path = folder / "pakket.pdf"
    path.write_bytes(data)
    if os.environ.get("WIJKMONITOR_SCREENSHOTS") or not SCREENSHOT.exists():
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "2",
                "-l",
                "2",
                "-singlefile",
                str(path),
                str(SCREENSHOT.with_suffix("")),
            ],
            check=True,
        )
    return {
        "db": db,
        "url": url,
        "snap": snap,
        "pdf": path,
        "bytes": data,
        "text": _text(path),
        "ctx": ctx,
        "sup": sup,
        "unfiltered": unfiltered,
    }


def test_the_pack_is_a_tagged_multi_page_pdf_ua(pack):
    info = subprocess.run(["pdfinfo", str(pack["pdf"])], capture_output=True, text=True, check=True).stdout
    fields = dict(re.findall(r"^([A-Za-z ]+):\s+(.*)$", info, re.M))
    assert fields["Tagged"] == "yes"
    assert fields["Title"] == "Stuurgroeppakket Lindenhoven"
    assert int(fields["Pages"]) >= 8
    meta = subprocess.run(["pdfinfo", "-meta", str(pack["pdf"])], capture_output=True, text=True).stdout
    assert "pdfuaid:part" in meta  # declared PDF/UA-1
    assert 'lang="nl"' in stuurgroep.render.html("base.html.j2", titel="x")


def test_every_wijk_is_named_with_its_status_and_its_numbers_in_dutch_format(pack):
    text, ctx = pack["text"], pack["ctx"]
    src = source.of_snapshot(pack["snap"])
    with source.reading(src):
        gemeente = queries.gemeenten()["gebied_code"].iloc[0]
        status = queries.target_status("wijk", ctx["jaar"], ctx["doeljaar"], "samengesteld", gemeente)
    assert len(status) == 12
    hidden = {d["code"] for d in ctx["doelen"] if d["verborgen"]}
    assert hidden and len(hidden) < len(status)  # both cases are in the demo
    soorten = charts.STATUS_NA_DOELJAAR  # the demo's year shown is its target year 2023
    for r in status.itertuples():
        assert r.status in soorten
        # the table row: name, status and (unless hidden) the score with its bounds, decimal comma
        row = re.search(rf"^\s*{re.escape(r.gebied_naam)}\s+({STATUSES})\b(.*)$", text, re.M)
        assert row, r.gebied_naam
        assert row.group(1) == r.status
        if r.gebied_code in hidden:
            assert "geen cijfers" in row.group(2)
            assert fmt.getal(r.doel_score, 1) not in row.group(2)
        else:
            numbers = [
                fmt.getal(r.doel_score, 1),
                fmt.getal(r.doel_ondergrens, 1),
                fmt.getal(r.doel_bovengrens, 1),
            ]
            assert re.findall(r"\d+,\d", row.group(2)) == numbers, r.gebied_naam
        # the wijk's half page: its heading with the status
        assert f"{r.gebied_naam}: {r.status}" in text
    counts = status["status"].value_counts()
    kpis = r"\s+".join(str(int(counts.get(naam, 0))) for naam in soorten)  # the counts side by side
    assert re.search(rf"^\s*{kpis}\s*$", text, re.M)
    assert re.search(r"^\s*" + r"\s+".join(soorten) + r"\s*$", text, re.M)
    assert "marge van 5%" in text and "grens 95,0" in text


def test_weakest_and_strongest_indicators_leave_out_suppressed_rows(pack):
    ctx, sup, unfiltered = pack["ctx"], pack["sup"], pack["unfiltered"]
    jaar = ctx["jaar"]
    affected = 0
    for w in ctx["wijken"]:
        shown = [(w["code"], i["indicator"], jaar) for i in w["zwakst"] + w["sterkst"]]
        assert not set(shown) & sup.indicators, w["naam"]
        own = unfiltered[unfiltered["gebied_code"] == w["code"]].sort_values(["score", "indicator"])
        naive = {
            (w["code"], i, jaar) for i in list(own["indicator"].head(3)) + list(own["indicator"].tail(3))
        }
        affected += bool(naive & sup.indicators)
    assert affected, "the demo has a wijk whose naive top or bottom three holds a suppressed indicator"


def test_sections_capacity_decisions_agreements_and_method(pack):
    text = pack["text"]
    for heading in (
        "1. Doelstatus per wijk",
        "2. Per wijk",
        "3. Capaciteit: voorstel en advies van de regiegroep",
        "4. Gevraagde besluiten",
        "5. Afspraken: nagekomen?",
        "6. Methode",
    ):
        assert heading in text
    eng = snapshots.open_records(pack["snap"])
    waiting = [d for d in sturing.list_distributions(eng) if d.status == "advies"]
    assert waiting, "the demo's 2025-H2 advice waits for the stuurgroep"
    d = waiting[0]
    assert f'Verdeling "{d.naam}" voor {sturing.period_label(d.jaar, d.halfjaar)}' in " ".join(text.split())
    assert fmt.getal(sum(d.uren.values())) in text
    assert "momentopname 'Stuurgroep najaar 2025' (peildatum 15-09-2025)" in text
    assert re.search(r"\d+ keer nagekomen, \d+ keer niet nagekomen", text)


def test_text_from_records_is_escaped(pack):
    with source.reading(source.of_snapshot(pack["snap"])):
        ctx = stuurgroep.context(generated=GENERATED, charts_on=False)
    ctx["wijken"][0]["naam"] = "<script>alert(1)</script>"
    ctx["gevraagd"]["verdelingen"] = [
        {"periode": "2025-H2", "naam": "<b>x</b>", "advies": "<img src=x onerror=alert(1)>", "uren": 1}
    ]
    html = render.html(stuurgroep.TEMPLATE, **ctx)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_snapshots_pack_is_byte_stable_across_a_later_delivery(pack):
    db, url = pack["db"], pack["url"]
    later = (
        db.parent / "welzijn_lindenhoven_correctie.csv"
    )  # a delivery for the demo's wijken after the snapshot
    later.write_text(
        fixture("partner/welzijn_goed.csv").read_text(encoding="utf-8").replace("WK0999", "WK9999")
    )
    assert load_one(later, db).status == "geladen"
    eng = open_store(url)
    sturing.record_meeting(
        eng, Actor.command("test"), "stuurgroep", dt.date(2025, 9, 14), notities="na de momentopname"
    )
    snap = snapshots.get(db, "Stuurgroep najaar 2025")
    with source.reading(source.of_snapshot(snap)):
        again = stuurgroep.pdf(generated=GENERATED)
        later = stuurgroep.html(generated=GENERATED + dt.timedelta(days=30), charts_on=False)
        first = stuurgroep.html(generated=GENERATED, charts_on=False)
    assert again == pack["bytes"]
    differ = [(a, b) for a, b in zip(first.splitlines(), later.splitlines(), strict=True) if a != b]
    assert len(differ) == 1 and "Gegenereerd op 16-09-2025 08:00" in differ[0][0]
    live = source.live(db, url)
    with source.reading(live):
        now = stuurgroep.html(generated=GENERATED, charts_on=False)
    assert "levering 14" in now and "levering 14" not in first


class _FakeKaleido:
    async def calc_fig(self, fig, opts=None):
        return b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'

    async def close(self):
        pass


@pytest.mark.parametrize("failures, started", [(0, True), (2, True), (3, False)])
def test_chromium_is_started_again_when_it_closes_right_after_starting(monkeypatch, failures, started):
    """kaleido's Chromium sometimes closes right after starting on a busy machine: the start is tried three
    times, and when it never comes up the user gets a DocumentError instead of a download that never comes."""
    opened = []

    async def flaky_open():
        opened.append(1)
        if len(opened) <= failures:
            raise RuntimeError("The browser seemed to close immediately after starting.")
        return _FakeKaleido()

    monkeypatch.setattr(render, "_open_kaleido", flaky_open)
    monkeypatch.setattr(render.time, "sleep", lambda s: None)
    chromium = render._Chromium()
    fig = go.Figure()
    try:
        if started:
            assert chromium.draw(fig, {"format": "svg"}).startswith(b"<svg")
            assert chromium.running and len(opened) == failures + 1
            chromium.draw(fig, {"format": "svg"})  # once started, never again
            assert len(opened) == failures + 1
        else:
            with pytest.raises(render.DocumentError, match="Chromium"):
                chromium.draw(fig, {"format": "svg"})
            assert not chromium.running and len(opened) == render.START_ATTEMPTS
    finally:
        chromium.stop()


def test_a_failed_drawing_stops_the_browser_and_the_next_one_starts_a_new_one(monkeypatch):
    class Broken(_FakeKaleido):
        async def calc_fig(self, fig, opts=None):
            raise RuntimeError("target closed")

    browsers = [Broken(), _FakeKaleido()]

    async def open_next():
        return browsers.pop(0)

    monkeypatch.setattr(render, "_open_kaleido", open_next)
    chromium = render._Chromium()
    fig = go.Figure()
    try:
        with pytest.raises(render.DocumentError, match="grafiek"):
            chromium.draw(fig, {"format": "svg"})
        assert not chromium.running
        assert chromium.draw(fig, {"format": "svg"}).startswith(b"<svg") and not browsers
    finally:
        chromium.stop()


def test_a_temporary_folder_too_long_for_chromium_is_named(monkeypatch, tmp_path):
    async def closes_at_once():
        raise RuntimeError("The browser seemed to close immediately after starting.")

    monkeypatch.setattr(render, "_open_kaleido", closes_at_once)
    monkeypatch.setattr(render.time, "sleep", lambda s: None)
    long = tmp_path / ("x" * 70)
    long.mkdir()
    monkeypatch.setattr(render.tempfile, "gettempdir", lambda: str(long))
    with pytest.raises(render.DocumentError, match="te lang voor Chromium"):
        render._Chromium().draw(go.Figure(), {"format": "svg"})
    monkeypatch.setattr(render.tempfile, "gettempdir", lambda: "/tmp")
    with pytest.raises(render.DocumentError, match="Installeer het pakket 'chromium'"):
        render._Chromium().draw(go.Figure(), {"format": "svg"})
