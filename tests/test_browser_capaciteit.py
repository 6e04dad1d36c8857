"""Real browser: the regiegroep finds this period's hotspots and the capacity proposal, saves a scenario and
gives it as its advice; the stuurgroep adopts it in a meeting it records, and the decision shows with that
meeting and the data version.

`wijkmonitor serve` (demo mode) on a copy of the demo warehouse and its records store (the seeded steering
records: capacities, distributions, meetings; the demo's date is 15 September 2025).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from dashboard_support import demo_db
from test_browser import CHROMIUM, SCREENSHOTS
from test_browser_jaarplan import TIMEOUT, _as, _drawn, _nav
from test_serve import free_port, start_serve, stop

from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records import sturing
from wijkmonitor.records.store import default_sqlite_path, open_store, records_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]
NAAM = "Browsertest voorstel naar behoefte"  # no colon: text from data gets a word joiner after one
ADVIES = "Verdeling naar behoefte; Molenwijk krijgt meer inzet van politie en welzijn."


def test_the_regiegroep_advises_a_distribution_and_the_stuurgroep_adopts_it(browser, tmp_path, monkeypatch):
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
    jaar = jp.vandaag(eng).year
    assert sturing.capacities(eng, jaar), "the demo seeds the partners' capacity"
    before = {d.id for d in sturing.list_distributions(eng, jaar)}

    port = free_port()
    proc = start_serve(db, port, tmp_path / "serve.log")
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="nl-NL")
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        page.get_by_role("combobox", name="Bekijk als").wait_for()
        _drawn(page)
        _as(page, "regiegroep")
        main = page.locator('[data-testid="stMain"]')

        # two clicks at most from the landing page: this period's hotspots, and the capacity proposal
        _nav(page, "Regiegroep")
        main.get_by_role("heading", name="Hotspotsignalen").wait_for()
        _nav(page, "Capaciteit")
        main.get_by_role("heading", name="Voorstel naar behoefte").wait_for()
        main.get_by_text(re.compile("^Vastgesteld")).first.wait_for()  # the adopted distribution beside it

        # a scenario from the proposal, then the advice
        main.get_by_role("tab", name="Scenario en advies").click()
        _drawn(page)
        main.get_by_role("textbox", name="Naam van het scenario").fill(NAAM)
        main.get_by_role("button", name="Scenario opslaan").click()
        main.get_by_text(f"Scenario '{NAAM}' opgeslagen.").wait_for()
        _drawn(page)
        (nieuw,) = [d for d in sturing.list_distributions(eng, jaar) if d.id not in before]
        assert (nieuw.naam, nieuw.status) == (NAAM, "scenario")
        assert nieuw.per_partner() == sturing.capacities(eng, jaar)  # every partner's hours, exactly

        adviesform = main.locator('[data-testid="stForm"]').filter(has_text="Advies (waarom deze verdeling)")
        # the scenario just saved comes first in the form (checked below: it is the one advised)
        adviesform.get_by_role("textbox", name="Advies (waarom deze verdeling)").fill(ADVIES)
        adviesform.get_by_role("button", name="Als advies aan de stuurgroep geven").click()
        main.get_by_text("Het advies ligt nu bij de stuurgroep.").wait_for()
        _drawn(page)
        assert sturing.get_distribution(eng, nieuw.id).status == "advies"

        # the stuurgroep: decisions requested, a meeting recorded, the distribution adopted in it
        _as(page, "stuurgroep")
        _nav(page, "Stuurgroep")
        main.get_by_role("heading", name="Besluiten gevraagd").wait_for()
        main.get_by_text(ADVIES).wait_for()  # the advice, to decide on
        keuze = main.get_by_role("combobox", name="In de vergadering")
        keuze.click()
        page.keyboard.type("Nieuwe vergadering")  # the list is long: filter it as a user would
        page.get_by_role("option", name="Nieuwe vergadering vastleggen…").click()
        _drawn(page)
        form = main.locator('[data-testid="stForm"]').filter(has_text="Vergadering vastleggen")
        form.get_by_role("button", name="Vergadering vastleggen").click()
        main.get_by_text(re.compile("Vergadering van .* vastgelegd")).wait_for()
        _drawn(page)
        vergadering = sturing.list_meetings(eng, "stuurgroep")[0]
        main.get_by_role("combobox", name="In de vergadering").click()
        page.get_by_role("option").first.click()  # newest first: the meeting just recorded
        _drawn(page)
        # this distribution's button (a keyed element carries the class st-key-<key>)
        main.locator(f".st-key-vaststellen_verdeling_{nieuw.id}").get_by_role(
            "button", name="Vaststellen"
        ).click()
        main.get_by_text(f"Verdeling {jaar} vastgesteld.").wait_for()
        _drawn(page)

        vastgesteld = sturing.adopted_distribution(eng, jaar)
        assert (vastgesteld.id, vastgesteld.status) == (nieuw.id, "vastgesteld")
        besluit = vastgesteld.besluit
        assert besluit is not None and besluit.vergadering_id == vergadering.id
        assert sturing.get_meeting(eng, vergadering.id).data_versie.startswith("bouw ")
        # the decision shows with its meeting and the data version (a table: drawn on a canvas)
        main.get_by_role("heading", name="Besluiten van de stuurgroep").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "stuurgroep-besluiten.png"), full_page=False)

        _nav(page, "Capaciteit")
        main.get_by_text(re.compile(f"^Vastgesteld.*{re.escape(NAAM)}")).wait_for()
        page.screenshot(path=str(SCREENSHOTS / "capaciteit.png"), full_page=False)
    finally:
        page.close()
        stop(proc)
