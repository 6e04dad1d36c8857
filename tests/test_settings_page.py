"""Instellingen (beheerder): a setting changed on the page goes through the job, is audited old -> new, and
an invalid value is refused in Dutch with nothing changed."""

from __future__ import annotations

import json
import re

from dashboard_support import app_test
from etl_helpers import scalar
from sqlalchemy import select

from dashboard.safe import md
from wijkmonitor import jobs
from wijkmonitor.records import users
from wijkmonitor.records.authz import Actor
from wijkmonitor.records.store import default_sqlite_path, open_store
from wijkmonitor.records.tables import audit

PAGE = "views/instellingen.py"


def _trail(db):
    with open_store(f"sqlite:///{default_sqlite_path(db).resolve()}").connect() as conn:
        return conn.execute(select(audit).where(audit.c.actie == "instelling.wijzigen")).mappings().all()


def test_the_beheerder_changes_a_setting_and_it_is_audited(loaded_db, monkeypatch):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    at = app_test(loaded_db, monkeypatch)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    at.selectbox(key="instelling_sleutel").select("doeljaar")
    at.text_input(key="instelling_waarde").input("2022")
    at.button[0].click().run(timeout=300)
    assert not at.exception, at.exception
    assert any(md("doeljaar: (standaard) → 2022") in s.value for s in at.success), [e.value for e in at.error]
    assert scalar(loaded_db, "SELECT waarde FROM meta.instellingen WHERE sleutel = 'doeljaar'") == "2022"
    (entry,) = _trail(loaded_db)
    assert (entry["actor"], entry["via"], entry["object_id"]) == (
        users.demo_email("beheerder"),
        "pagina:Instellingen",
        "doeljaar",
    )
    assert (json.loads(entry["oud"]) if entry["oud"] else None, json.loads(entry["nieuw"])) == (None, "2022")

    before = loaded_db.read_bytes()
    at.selectbox(key="instelling_sleutel").select("marge")
    at.text_input(key="instelling_waarde").input("vijf procent")
    at.button[0].click().run(timeout=300)
    assert any(md("marge moet een getal") in e.value for e in at.error), [e.value for e in at.error]
    assert loaded_db.read_bytes() == before and len(_trail(loaded_db)) == 1


def test_the_page_is_the_beheerders_and_the_job_refuses_others(loaded_db, tmp_path, monkeypatch):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    at = app_test(loaded_db, monkeypatch)
    at.run()
    at.selectbox(key="demo_bekijk_als").select(users.demo_email("stuurgroep")).run()
    try:
        at.switch_page(PAGE).run()
        shown = [t.value for t in at.title]
        assert "Instellingen" not in shown or any("Alleen voor de beheerder" in w.value for w in at.warning)
    except ValueError:  # not in this viewer's navigation at all
        pass
    eng = open_store(f"sqlite:///{default_sqlite_path(loaded_db).resolve()}")
    users.add_user(eng, Actor.command("test"), "stuur@example.org", "", ["stuurgroep"])
    before = loaded_db.read_bytes()
    status = tmp_path / "s.json"
    code = jobs.main(
        [
            "instellingen",
            f"--db={loaded_db}",
            "--actor=stuur@example.org",
            "--via=pagina:Instellingen",
            '--waarden={"doeljaar": "2030"}',
            f"--status={status}",
        ]
    )
    assert code == 3 and json.loads(status.read_text())["geweigerd"]
    assert loaded_db.read_bytes() == before
    assert [(e["actor"], e["uitkomst"]) for e in _trail(loaded_db)] == [("stuur@example.org", "geweigerd")]


def test_hostile_values_are_refused_and_shown_as_text(loaded_db, monkeypatch):
    from test_dashboard_hostile import RAW

    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    at = app_test(loaded_db, monkeypatch)
    at.switch_page(PAGE).run()
    before = loaded_db.read_bytes()
    # at most 40 characters: the field's max_chars (a longer value never reaches the server)
    for hostile in ("[x](https://e.x) <img src=x> :red[x]", "1; DROP TABLE meta.loads; --"):
        at.selectbox(key="instelling_sleutel").select("doeljaar")
        at.text_input(key="instelling_waarde").input(hostile)
        at.button[0].click().run(timeout=300)
        assert not at.exception, at.exception
        (error,) = at.error
        assert "doeljaar moet een geheel getal zijn" in error.value.replace("\\", "")
        unescaped = re.sub(r"\\.", "", error.value)
        assert not [r for r in RAW if r in unescaped], error.value
    assert loaded_db.read_bytes() == before
    assert _trail(loaded_db) == []
