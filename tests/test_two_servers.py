"""Several server processes: two `wijkmonitor serve` on two ports, one records store, one warehouse file.

What one writes the other shows: a user added on the Beheer page of server A is offered on server B, and a
delivery uploaded and published from A's Aanleveren page is counted on B's Gegevens page. Run on SQLite
(WAL, one machine) and PostgreSQL (the `records_url` fixture; skipped with a reason without PostgreSQL).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from dashboard_support import REPO, demo_db
from test_browser import CHROMIUM, SCREENSHOTS
from test_serve import free_port, start_serve, stop

from wijkmonitor.records import auditlog
from wijkmonitor.records.store import open_store

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]
TIMEOUT = 120_000  # ms


def _drawn(page) -> None:
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="nl-NL")
    page.set_default_timeout(TIMEOUT)
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("combobox", name="Bekijk als").wait_for()  # demo mode: the demo beheerder
    _drawn(page)
    return page


def _loaded_count(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Geladen leveringen")
    metric.wait_for()
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_two_servers_share_the_records_and_the_warehouse(browser, records_url, tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKMONITOR_RECORDS_URL", records_url)
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    # a new delivery of the demo's corporatie: the first 40 rows of its file again (a new file, same values)
    demo_file = next((REPO / "data" / "demo").glob("corporatie_*.csv"))
    upload = tmp_path / "corporatie_herlevering.csv"
    upload.write_text(
        "".join(demo_file.read_text(encoding="utf-8").splitlines(keepends=True)[:41]), encoding="utf-8"
    )
    ports = free_port(), free_port()
    servers = [start_serve(db, port, tmp_path / f"serve{port}.log") for port in ports]
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    pages = []
    try:
        # --- a record written through server A is read by server B
        pa = _open(browser, f"{a}/beheer")
        pages.append(pa)
        pa.get_by_role("textbox", name="E-mailadres").fill("nieuw.lid@lindenhoven.example")
        pa.get_by_role("textbox", name="Naam").fill("Nieuw lid van de stuurgroep")
        # the form sits at the bottom edge of the window: a click there opens no list, so scroll it into view
        pa.get_by_role("button", name="Toevoegen").scroll_into_view_if_needed()
        pa.get_by_role("combobox", name="Rollen").click()
        pa.get_by_role("option", name="stuurgroep", exact=True).wait_for()
        assert pa.get_by_role("option", name="Select all").count() == 0  # no English option in the list
        pa.get_by_role("option", name="stuurgroep", exact=True).click()
        pa.keyboard.press("Escape")
        pa.get_by_role("button", name="Toevoegen").click()
        pa.get_by_text("Gebruiker nieuw.lid").first.wait_for()
        _drawn(pa)
        if records_url.startswith("sqlite"):
            pa.screenshot(path=str(SCREENSHOTS / "beheer.png"))

        pb = _open(browser, f"{b}/beheer")
        pages.append(pb)
        # the only user who is not a demo user comes first in the picker, and is described below it
        picker = pb.get_by_role("combobox", name="Gebruiker", exact=True)
        assert "nieuw.lid@lindenhoven.example" in picker.input_value()
        pb.locator(
            '[data-testid="stMarkdownContainer"] strong', has_text="Nieuw lid van de stuurgroep"
        ).wait_for()

        # --- a delivery published from server A is seen by both
        gb = _open(browser, f"{b}/gegevens")
        pages.append(gb)
        before = _loaded_count(gb)
        pa.goto(f"{a}/aanleveren", wait_until="domcontentloaded")
        pa.get_by_role("combobox", name="Bron").click()  # the beheerder may deliver for any source
        pa.get_by_role("option", name="corporatie", exact=True).click()
        _drawn(pa)
        # after the source changed, the previous run's uploader may linger for a moment (stale element)
        # (Streamlit marks it data-stale="true" on its element container): use the current one only
        current = '[data-testid="stElementContainer"]:not([data-stale="true"]) [data-testid="stFileUploader"] input[type="file"]'
        pa.wait_for_function(f"document.querySelectorAll('{current}').length === 1")
        pa.locator(current).set_input_files(str(upload))
        pa.locator(f'[data-testid="stFileChipName"][title="{upload.name}"]').wait_for()
        _drawn(pa)
        pa.get_by_role("button", name="Controleren").click()
        pa.get_by_role("button", name="Bevestigen en laden").wait_for()
        _drawn(pa)
        pa.get_by_role("button", name="Bevestigen en laden").click()
        pa.get_by_text(re.compile(r"Geladen: \d+ rijen")).wait_for()
        _drawn(pa)
        for url in (a, b):
            p = _open(browser, f"{url}/gegevens")
            pages.append(p)
            assert int(_loaded_count(p)) == int(before) + 1, url
    except BaseException:
        for i, p in enumerate(pages):
            p.screenshot(path=str(Path("/tmp") / f"two_servers_{i}.png"), full_page=True)
        raise
    finally:
        for p in pages:
            p.close()
        for proc in servers:
            stop(proc)
    trail = auditlog.entries(open_store(records_url), limit=None)
    assert {(e["actie"], e["via"], e["uitkomst"]) for e in trail} >= {
        ("gebruiker.toevoegen", "pagina:Beheer", "uitgevoerd"),
        ("levering.laden", "pagina:Aanleveren", "uitgevoerd"),
    }
