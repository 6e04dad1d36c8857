"""Real browser: a partner uploads a delivery on the Aanleveren page, sees its report and confirms it.

`wijkmonitor serve` (demo mode, no OIDC) on a copy of a loaded warehouse; Chromium picks the demo partner of
the corporatie in the sidebar, opens Aanleveren, sets the uploader's file input, checks and confirms. The
load runs in the job process the page starts; the test then reads the warehouse and the audit trail.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from etl_helpers import fixture, scalar
from sqlalchemy import select
from test_browser import CHROMIUM, SCREENSHOTS
from test_serve import free_port, start_serve, stop

from wijkmonitor.records import users
from wijkmonitor.records.store import default_sqlite_path, open_store
from wijkmonitor.records.tables import audit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]
TIMEOUT = 180_000  # ms: a job process starts Python, reads and checks the file (seconds on a busy machine)


def _drawn(page) -> None:
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT)


def test_a_partner_uploads_checks_and_confirms_a_delivery(browser, loaded_db, tmp_path, monkeypatch):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    monkeypatch.setenv(
        "TMPDIR", str(tmp_path)
    )  # the server's uploads and job folders stay in the test's folder
    db = tmp_path / "serve" / "w.duckdb"
    db.parent.mkdir()
    shutil.copyfile(loaded_db, db)
    upload = tmp_path / "corporatie_correctie_2024-07-01.csv"  # a peildatum in the name, as partners send
    shutil.copyfile(fixture("partner/corporatie_correctie.csv"), upload)
    port = free_port()
    proc = start_serve(db, port, tmp_path / "serve.log")
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="nl-NL")
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        picker = page.get_by_role("combobox", name="Bekijk als")  # Streamlit 1.67: a react-aria ComboBox
        picker.wait_for()
        _drawn(page)
        picker.click()
        page.get_by_role("option", name=re.compile("gegevensbeheerder corporatie")).click()
        _drawn(page)
        # the navigation of a partner has Aanleveren (a page.goto would start a new session as beheerder)
        page.locator('[data-testid="stSidebarNav"] a[href$="/aanleveren"]').click()
        page.get_by_text("U levert aan voor bron").wait_for()
        _drawn(page)
        template = page.locator('[data-testid="stDownloadButton"]').filter(has_text="Sjabloon downloaden")
        template.wait_for()
        with page.expect_download(timeout=TIMEOUT) as download:
            template.locator("button").click()
        saved = tmp_path / "sjabloon.xlsx"
        download.value.save_as(saved)
        assert download.value.suggested_filename == "wijkmonitor_sjabloon_corporatie.xlsx"
        assert openpyxl.load_workbook(saved).sheetnames[0] == "gegevens"

        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        page.locator(f'[data-testid="stFileChipName"][title="{upload.name}"]').wait_for()
        _drawn(page)
        page.get_by_role("button", name="Controleren").click()
        page.get_by_text("Controle geslaagd").wait_for()
        _drawn(page)
        main = page.locator('[data-testid="stMain"]')
        # the page runs again when the job ends: wait for each part rather than read it at once
        page.get_by_text("Wat verandert er?").wait_for()
        page.get_by_role("button", name="Bevestigen en laden").wait_for()
        _drawn(page)
        metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
        assert any("Vervangen waarden" in m and "4" in m for m in metrics), metrics
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SCREENSHOTS / "aanleveren.png"), full_page=True)

        page.get_by_role("button", name="Bevestigen en laden").click()
        page.get_by_text("Geladen: 5 rijen").wait_for()
        _drawn(page)
        assert "geladen" in main.inner_text().lower()
        link = page.locator('[data-testid="stPageLink"]').filter(
            has_text="Bekijk de levering op de pagina Gegevens"
        )
        link.wait_for()
        assert "gegevens?load=" in link.locator("a").get_attribute("href")
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
        stop(proc)

    email = users.demo_email("partner-corporatie")
    row = scalar(db, "SELECT bestand || '|' || gebruiker FROM meta.loads ORDER BY load_id DESC LIMIT 1")
    assert row == f"{upload.name}|{email}"
    with open_store(f"sqlite:///{default_sqlite_path(db).resolve()}").connect() as conn:
        entries = conn.execute(select(audit).where(audit.c.actie == "levering.laden")).mappings().all()
    assert [(e["actor"], e["via"], e["uitkomst"]) for e in entries] == [
        (email, "pagina:Aanleveren", "uitgevoerd")
    ]
    assert json.loads(entries[0]["nieuw"])["bestand"] == upload.name
