"""The beheerder re-activates an earlier delivery from the Gegevens page; the job authorises it when it writes."""

from __future__ import annotations

import json

from dashboard_support import app_test
from etl_helpers import fixture, scalar
from sqlalchemy import select

from etl import load_files
from wijkmonitor import jobs
from wijkmonitor.records import users
from wijkmonitor.records.authz import Actor
from wijkmonitor.records.store import default_sqlite_path, open_store
from wijkmonitor.records.tables import audit


def _corrected(db):
    """The fixtures' corporatie delivery (load 4), then a correction of it (load 5)."""
    results = load_files([fixture("partner/corporatie_correctie.csv")], db)
    assert results[0].status == "geladen", results[0].report()
    return results[0].load_id


def _trail(db, action="levering.heractiveren"):
    with open_store(f"sqlite:///{default_sqlite_path(db).resolve()}").connect() as conn:
        return conn.execute(select(audit).where(audit.c.actie == action)).mappings().all()


def test_the_beheerder_reactivates_a_delivery_on_the_gegevens_page(loaded_db, monkeypatch):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    _corrected(loaded_db)
    before = scalar(loaded_db, "SELECT max(load_id) FROM meta.loads")
    at = app_test(loaded_db, monkeypatch)
    at.query_params["load"] = "4"
    at.switch_page("views/gegevens.py").run()
    assert not at.exception, at.exception
    at.button(key="heractiveer_4").click().run(timeout=300)
    assert not at.exception, at.exception
    assert any("heractivering" in s.value.lower() or "heractiveerd" in s.value.lower() for s in at.success), [
        s.value for s in at.success
    ] + [e.value for e in at.error]
    assert scalar(loaded_db, "SELECT max(load_id) FROM meta.loads") == before + 1
    (entry,) = _trail(loaded_db)
    assert (entry["actor"], entry["via"], entry["uitkomst"]) == (
        users.demo_email("beheerder"),
        "pagina:Gegevens",
        "uitgevoerd",
    )
    assert json.loads(entry["nieuw"])["heractiveerd"] == 4
    # a partner sees no such control
    at.selectbox(key="demo_bekijk_als").select(users.demo_email("partner-corporatie")).run()
    assert not [b for b in at.button if (b.key or "").startswith("heractiveer_")]


def test_the_reactivation_job_refuses_a_partner_and_records_it(loaded_db, tmp_path, monkeypatch):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    _corrected(loaded_db)
    eng = open_store(f"sqlite:///{default_sqlite_path(loaded_db).resolve()}")
    users.add_user(eng, Actor.command("test"), "corp@example.org", "", ["partner:corporatie"])
    before = loaded_db.read_bytes()
    status = tmp_path / "status.json"
    code = jobs.main(
        [
            "heractiveer",
            f"--db={loaded_db}",
            "--actor=corp@example.org",
            "--via=pagina:Gegevens",
            "--load-id=4",
            f"--status={status}",
        ]
    )
    assert code == 3
    data = json.loads(status.read_text())
    assert data["fase"] == "mislukt" and data["geweigerd"]
    assert loaded_db.read_bytes() == before
    (entry,) = _trail(loaded_db)
    assert (entry["actor"], entry["uitkomst"]) == ("corp@example.org", "geweigerd")
