"""Real browser: a leefbaarheidsteam files its half-yearly report by Excel and in the app, and the regiegroep
and the stuurgroep see it.

`wijkmonitor serve` (demo mode) on a copy of the demo warehouse and its records store (the seeded
jaarplannen; the demo's date is 15 September 2025, when one team has not yet reported on H1 2025). Chromium
picks that team in the sidebar, opens its Jaarplan (one click from the landing page), downloads the status
template, fills it in as a team would in Excel, uploads it, sees the check and submits; then files a
correction in the app's form; then the regiegroep's and the stuurgroep's pages are checked.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from dashboard_support import demo_db
from test_browser import CHROMIUM, SCREENSHOTS
from test_serve import free_port, start_serve, stop

from wijkmonitor.plantemplates import VERHAAL
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.store import default_sqlite_path, open_store, records_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]
TIMEOUT = 180_000  # ms: the upload check runs in a job process (Great Expectations starts in seconds)


def _drawn(page) -> None:
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT)


def _as(page, pattern: str) -> None:
    """Pick a demo user in the sidebar (a page.goto would start a new session as the demo beheerder)."""
    picker = page.get_by_role("combobox", name="Bekijk als")
    picker.click()
    page.get_by_role("option", name=re.compile(pattern)).click()
    _drawn(page)


def _nav(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
    _drawn(page)


def test_a_team_files_its_report_by_excel_and_in_the_app_and_the_regiegroep_sees_it(
    browser, tmp_path, monkeypatch
):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    db = tmp_path / "serve" / "demo.duckdb"
    db.parent.mkdir()
    shutil.copyfile(demo_db(), db)
    with (
        sqlite3.connect(default_sqlite_path(demo_db())) as src,
        sqlite3.connect(default_sqlite_path(db)) as dst,
    ):
        src.backup(dst)
    eng = open_store(records_url(db))
    today = jp.vandaag(eng)
    y, h = jp.last_ended_half(today)
    late = [
        s
        for s in jp.reporting_overview(eng, [p.wijk_code for p in jp.list_plans(eng, jaar=y)], today, 42)
        if (s.jaar, s.halfjaar) == (y, h) and s.stand == "te laat"
    ]
    assert len(late) == 1, late  # the demo's one team that has not reported
    wijk = late[0].wijk_code
    plan = jp.get_plan(eng, wijk, y)
    from etl.db import connect_readonly

    con = connect_readonly(db)
    naam = con.execute("SELECT gebied_naam FROM marts.dim_gebied WHERE gebied_code = ?", [wijk]).fetchone()[0]
    con.close()

    port = free_port()
    proc = start_serve(db, port, tmp_path / "serve.log")
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="nl-NL")
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        page.get_by_role("combobox", name="Bekijk als").wait_for()
        _drawn(page)
        _as(page, f"leefbaarheidsteam {re.escape(naam)}")
        _nav(page, "Jaarplan")  # one click from the landing page: the team's own wijk is the default
        main = page.locator('[data-testid="stMain"]')
        main.get_by_role("heading", name=f"Jaarplan {naam} {y}").wait_for()
        main.get_by_text(re.compile("is te laat: de termijn liep af")).wait_for()

        # Excel: download the status template, fill it in, upload, check, submit
        main.get_by_role("tab", name="Excel").click()
        button = page.locator('[data-testid="stDownloadButton"]').filter(
            has_text=f"Status-sjabloon {h}e halfjaar"
        )
        with page.expect_download(timeout=TIMEOUT) as download:
            button.locator("button").click()
        filled = tmp_path / f"status_{wijk}.xlsx"
        download.value.save_as(filled)
        wb = openpyxl.load_workbook(filled)
        ws = wb["status"]
        header = [c.value for c in ws[1]]
        for row in range(2, ws.max_row + 1):
            if ws.cell(row=row, column=1).value:
                ws.cell(row=row, column=header.index("status") + 1, value="loopt")
                ws.cell(row=row, column=header.index("procent") + 1, value=40)
                ws.cell(row=row, column=header.index(f"uren_{plan.actief[0].trekker}") + 1, value=6)
        verhaal = wb["verhaal"]
        for row in range(1, verhaal.max_row + 1):
            if verhaal.cell(row=row, column=1).value == VERHAAL["goed"]:  # "Wat ging goed"
                verhaal.cell(row=row, column=2, value="Goede opkomst bij de wijkschouw.")
        wb.save(filled)
        uploader = main.locator('[data-testid="stFileUploader"]').filter(has_text="Ingevuld status-sjabloon")
        uploader.locator('input[type="file"]').set_input_files(str(filled))
        main.get_by_text("Controle geslaagd").wait_for()
        _drawn(page)
        main.get_by_role("button", name="Rapportage indienen uit Excel").click()
        main.get_by_text(re.compile(r"is ingediend uit .* \(versie 1\)")).wait_for()
        _drawn(page)
        first = jp.get_report(eng, wijk, y, h)
        assert (first.versie, first.via) == (1, "excel")
        assert {r.status for r in first.regels} == {"loopt"} and len(first.regels) == len(plan.actief)
        assert first.goed == "Goede opkomst bij de wijkschouw."

        # in the app: a correction (a new version, with a reason) from the form, pre-filled with version 1
        main.get_by_role("tab", name="Status").click()
        main.locator('[data-testid="stCheckbox"]').filter(has_text="Correctie indienen").click()  # a toggle
        _drawn(page)
        main.get_by_role("textbox", name="Wat vragen we van de regiegroep?").fill(
            "Meer inzet van het jongerenwerk."
        )
        main.get_by_role("textbox", name="Reden van de correctie").fill("Vraag aan de regiegroep toegevoegd.")
        main.get_by_role("button", name="Correctie indienen").click()
        main.get_by_text(re.compile(r"is ingediend \(versie 2\)")).wait_for()
        _drawn(page)
        second = jp.get_report(eng, wijk, y, h)
        assert (second.versie, second.via, second.vragen) == (2, "app", "Meer inzet van het jongerenwerk.")
        assert second.regels == first.regels  # the form was pre-filled with version 1
        page.screenshot(path=str(SCREENSHOTS / "jaarplan.png"), full_page=False)

        # the regiegroep sees every team reported, and the team's question
        _as(page, "lid van de regiegroep")
        _nav(page, "Regiegroep: wat speelt er?")
        main.get_by_text(
            re.compile(
                rf"{h}e halfjaar {y}: (\d+) van de \1 teams met een vastgesteld jaarplan hebben gerapporteerd"
            )
        ).wait_for()
        main.get_by_text(re.compile(r"Vragen van de teams aan de regiegroep")).click()
        main.get_by_text("Meer inzet van het jongerenwerk.").wait_for()

        # the stuurgroep sees the progress of the jaarplannen next to the target status
        _as(page, "lid van de stuurgroep")
        _nav(page, "Stuurgroep: op koers?")
        main.get_by_role("heading", name=f"Voortgang van de jaarplannen {y}").wait_for()
        main.get_by_text(re.compile(r"Gemiddeld \d+% van de activiteiten op koers")).wait_for()
    finally:
        page.close()
        stop(proc)
