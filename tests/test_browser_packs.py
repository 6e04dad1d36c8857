"""Real browser: the stuurgroep downloads its meeting pack in one click, and a beheerder freezes the data in a
snapshot that the pages then show read-only ('Bekijk zoals op').

`wijkmonitor serve` (demo mode) on a copy of the demo warehouse and its records store. The pack (a PDF made
when the button is clicked: charts through kaleido, then WeasyPrint) is read back with poppler: tagged, more
than one page, and every wijk with the target status the Stuurgroep page computes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from dashboard_support import copy_demo
from test_browser import CHROMIUM, SCREENSHOTS
from test_browser_jaarplan import TIMEOUT, _as, _drawn, _nav
from test_serve import free_port, start_serve, stop

from wijkmonitor import snapshots
from wijkmonitor.records.store import records_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]
NAAM = "Browsertest najaar"
SLUG = "browsertest-najaar"
STATUSES = ("gehaald", "niet gehaald", "onbeslist", "op koers", "uit koers", "onzeker", "geen data")


def _expected_status(db: Path) -> dict[str, str]:
    """Per wijk of the pack's gemeente: its target status, computed as the pack does (stuurgroep.context)."""
    from dashboard import queries, source
    from dashboard.documents.stuurgroep import GROEP

    src = source.live(db, records_url(db))
    try:
        with source.reading(src):
            inst = queries.settings()
            doeljaar = int(inst["doeljaar"])
            jaren = queries.composite_years()
            jaar = min(max(jaren), doeljaar) if doeljaar in jaren else max(jaren)
            gemeente = str(queries.gemeenten()["gebied_code"].iloc[0])
            status = queries.target_status("wijk", jaar, doeljaar, GROEP, gemeente)
            wijken = queries.areas("wijk", gemeente)
    finally:
        src.warehouse.close()
    expected = dict(zip(status["gebied_naam"], status["status"], strict=True))
    assert set(expected) == set(wijken["gebied_naam"]) and len(expected) > 1
    return expected


def _check_pack(pdf: Path, expected: dict[str, str]) -> None:
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes", info
    assert int(fields["Pages"]) > 1, info
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for naam, status in expected.items():
        assert status in STATUSES, status
        # the wijk and, on the same line, its status (not 'gehaald' where it says 'niet gehaald')
        pattern = rf"^\s*{re.escape(naam)}\s+{re.escape(status)}(\s|$)"
        assert re.search(pattern, text, re.M), f"{naam}: {status} not in the pack"


def test_the_stuurgroep_downloads_its_pack_and_a_snapshot_shows_read_only(
    browser, tmp_path, monkeypatch, request
):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    # the server's temporary files in a folder of the test's own, with a short path: Chromium (which draws the
    # pack's charts) puts its socket there, and a socket path has at most 107 bytes (tmp_path is too long)
    short = Path(tempfile.mkdtemp(prefix="wm-packs-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(short, ignore_errors=True))
    monkeypatch.setenv("TMPDIR", str(short))
    db = copy_demo(tmp_path / "serve" / "demo.duckdb")
    expected = _expected_status(db)
    assert not snapshots.list_snapshots(db)

    port = free_port()
    log = tmp_path / "serve.log"
    proc = start_serve(db, port, log)
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="nl-NL", accept_downloads=True)
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        page.get_by_role("combobox", name="Bekijk als").wait_for()
        _drawn(page)
        main = page.locator('[data-testid="stMain"]')

        # the stuurgroep: the pack of the current data (no snapshot yet), in one click
        _as(page, "lid van de stuurgroep")
        _nav(page, "Stuurgroep")
        main.get_by_text("Stuurgroeppakket (PDF)").wait_for()
        button = main.locator(".st-key-pakket_pdf").get_by_role("button", name="Stuurgroeppakket")
        try:
            with page.expect_download(timeout=120_000) as download:
                button.click()
        except Exception as exc:  # the PDF is made in a thread of the server: its log says why
            raise AssertionError(f"no download ({exc}); server log:\n{log.read_text()[-4000:]}") from exc
        assert download.value.suggested_filename.startswith("stuurgroeppakket-actueel-")
        pdf = tmp_path / "pakket.pdf"
        download.value.save_as(pdf)
        _check_pack(pdf, expected)

        # a beheerder freezes the data under a name on the Gegevens page
        _as(page, "Demo: beheerder")
        _nav(page, "Gegevens")
        main.get_by_role("heading", name="Momentopnamen").wait_for()
        form = main.locator('[data-testid="stForm"]').filter(has_text="Naam van de nieuwe momentopname")
        form.get_by_role("textbox", name="Naam van de nieuwe momentopname").fill(NAAM)
        form.get_by_role("button", name="Momentopname maken").click()
        main.get_by_text(re.compile(f"Momentopname '{NAAM}' gemaakt")).wait_for()
        _drawn(page)
        (snap,) = snapshots.list_snapshots(db)
        assert (snap.naam, snap.slug) == (NAAM, SLUG)

        # 'Bekijk zoals op' in the sidebar: the Stuurgroep page as in the snapshot, read-only
        _nav(page, "Stuurgroep")
        picker = page.get_by_role("combobox", name="Bekijk zoals op")
        picker.click()
        page.keyboard.type("Browsertest")  # a long list is virtualized: filter it as a user would
        page.get_by_role("option", name=re.compile(f"^{re.escape(NAAM)}")).click()
        _drawn(page)
        main.get_by_text(re.compile(f"U bekijkt de momentopname '{NAAM}'")).wait_for()
        page.wait_for_url(re.compile(rf"[?&]peil={SLUG}(&|$)"))
        assert f"peil={SLUG}" in page.url
        main.get_by_role("heading", name="Liggen we op koers?").wait_for()
        _drawn(page)
        page.screenshot(path=str(SCREENSHOTS / "stuurgroep-momentopname.png"), full_page=False)
    finally:
        page.close()
        stop(proc)
