"""`wijkmonitor backup` / `restore`: a consistent copy of both stores, restored into an empty place."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from wijkmonitor.backup import BackupError, backup, restore
from wijkmonitor.records import auditlog, authz, users
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.store import dispose_all, open_store

ACTOR = authz.Actor.command("test")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill(url: str) -> None:
    eng = open_store(url)
    users.add_user(eng, ACTOR, "beheer@gemeente.example", "Beheer", ["beheerder"])
    users.add_user(eng, ACTOR, "team@gemeente.example", "Team 'Oost'; --", ["team:WK099901"])
    users.grant_role(
        eng, authz.Actor.page("beheer@gemeente.example", "Beheer"), "team@gemeente.example", "partner:politie"
    )
    with pytest.raises(authz.Refused):
        users.grant_role(
            eng, authz.Actor.page("team@gemeente.example", "Beheer"), "team@gemeente.example", "beheerder"
        )
    # a jaarplan with every kind of column (dates, numbers, JSON text), adopted, amended and reported on
    act = jp.Activity(
        "A01", "Wijkschouw", "woonomgeving", "gemeente", 3, 6, uren={"gemeente": 12.5}, budget=750.0
    )
    jp.save_activities(eng, ACTOR, "WK099901", 2024, [act])
    for van, naar in (("concept", "ingediend"), ("ingediend", "advies"), ("advies", "vastgesteld")):
        jp.transition(eng, ACTOR, "WK099901", 2024, van, naar, "Akkoord.", vergaderdatum=dt.date(2024, 2, 1))
    jp.save_activities(
        eng, ACTOR, "WK099901", 2024, [act, dataclasses.replace(act, code="A02")], reden="Extra schouw"
    )
    lines = [jp.StatusLine(c, "loopt", 50, "", {"gemeente": 4.0}) for c in ("A01", "A02")]
    jp.submit_report(eng, ACTOR, "WK099901", 2024, 1, lines, goed="Goed", vandaag=dt.date(2024, 7, 1))


@pytest.fixture
def second_store(request, tmp_path):  # noqa: ANN001
    """A second empty store on the same backend as ``records_url``."""

    def make(url: str) -> str:
        if url.startswith("postgresql"):
            server = request.getfixturevalue("postgres_server")
            return server.url(server.create_database())
        return f"sqlite:///{tmp_path}/terug.sqlite"

    return make


def test_backup_and_restore_both_stores(area_db, records_url, second_store, tmp_path):
    _fill(records_url)
    before = auditlog.entries(open_store(records_url), limit=None)
    manifest = backup(area_db, records_url, tmp_path / "bk")
    assert manifest["rijen"]["gebruikers"] == 2 and manifest["rijen"]["audit"] == len(before)
    assert manifest["bestanden"][f"warehouse/{area_db.name}"] == _sha(area_db)

    target_db = tmp_path / "elders" / "w.duckdb"
    target_url = second_store(records_url)
    restore(tmp_path / "bk", target_db, target_url)
    assert _sha(target_db) == _sha(area_db)  # the warehouse byte for byte
    eng = open_store(target_url)
    got = {u.email: u.rollen for u in users.list_users(eng)}
    assert got == {
        "beheer@gemeente.example": {"beheerder"},
        "team@gemeente.example": {"team:WK099901", "partner:politie"},
    }
    assert jp.get_plan(eng, "WK099901", 2024) == jp.get_plan(open_store(records_url), "WK099901", 2024)
    assert jp.get_plan(eng, "WK099901", 2024).vastgesteld_op == dt.date(2024, 2, 1)
    assert jp.list_reports(eng) == jp.list_reports(open_store(records_url))
    after = auditlog.entries(eng, limit=None)
    assert [(r["id"], r["actie"], r["uitkomst"], r["actor"]) for r in after] == [
        (r["id"], r["actie"], r["uitkomst"], r["actor"]) for r in before
    ]
    # the restored trail is still append-only, and new rows continue after the restored keys
    with pytest.raises(sa.exc.DBAPIError), eng.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit"))
    users.add_user(eng, ACTOR, "nieuw@gemeente.example", "", ["stuurgroep"])
    assert auditlog.entries(eng, limit=1)[0]["id"] == max(r["id"] for r in before) + 1


def test_restore_refuses_to_overwrite(area_db, records_url, tmp_path):
    _fill(records_url)
    backup(area_db, records_url, tmp_path / "bk")
    with pytest.raises(BackupError, match="er staat al een database"):
        restore(tmp_path / "bk", area_db, f"sqlite:///{tmp_path}/leeg.sqlite")
    with pytest.raises(BackupError, match="niet leeg"):
        restore(tmp_path / "bk", tmp_path / "nieuw.duckdb", records_url)
    assert not (tmp_path / "nieuw.duckdb").exists()


def test_backup_refuses_a_used_folder_and_restore_a_damaged_backup(area_db, tmp_path):
    url = f"sqlite:///{tmp_path}/r.sqlite"
    _fill(url)
    (tmp_path / "vol").mkdir()
    (tmp_path / "vol" / "iets").write_text("x")
    with pytest.raises(BackupError, match="niet leeg"):
        backup(area_db, url, tmp_path / "vol")
    backup(area_db, url, tmp_path / "bk")
    records = tmp_path / "bk" / "records.json"
    data = json.loads(records.read_text())
    data["tabellen"]["gebruikers"][0]["email"] = "indringer@evil.example"
    records.write_text(json.dumps(data))
    with pytest.raises(BackupError, match="beschadigd: records.json"):
        restore(tmp_path / "bk", tmp_path / "n.duckdb", f"sqlite:///{tmp_path}/n.sqlite")


def test_backup_waits_for_a_running_load(area_db, tmp_path):
    """The copy is taken under the warehouse's writer lock: never half-way through a publication."""
    from etl.db import write_session

    url = f"sqlite:///{tmp_path}/r.sqlite"
    open_store(url)
    started = threading.Event()
    marker = {}

    def writer() -> None:
        with write_session(area_db) as con:
            started.set()
            time.sleep(1.0)
            con.execute("CREATE TABLE meta.na_de_backup_gestart AS SELECT 1 AS x")
        marker["published"] = time.monotonic()

    t = threading.Thread(target=writer)
    t.start()
    started.wait(10)
    backup(area_db, url, tmp_path / "bk")
    t.join()
    import duckdb

    with duckdb.connect(str(tmp_path / "bk" / "warehouse" / area_db.name), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "na_de_backup_gestart" in names  # the backup waited for the load and holds its result


def test_backup_and_restore_commands(area_db, tmp_path, monkeypatch):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    exe = Path(sys.executable).parent / "wijkmonitor"
    run = lambda *a: subprocess.run([str(exe), *a], capture_output=True, text=True, cwd=tmp_path)  # noqa: E731
    r = run("gebruiker", "toevoegen", "eerste@gemeente.example", "--rol", "beheerder", "--db", str(area_db))
    assert r.returncode == 0, r.stderr
    assert (area_db.parent / "w.records.sqlite").exists()  # the default store lives beside the warehouse
    r = run("backup", "--out", str(tmp_path / "bk"), "--db", str(area_db))
    assert r.returncode == 0 and "back-up geschreven" in r.stdout, r.stderr
    target = tmp_path / "terug" / "w.duckdb"
    r = run("restore", str(tmp_path / "bk"), "--db", str(target))
    assert r.returncode == 0, r.stderr
    r = run("gebruiker", "lijst", "--db", str(target))
    assert "eerste@gemeente.example" in r.stdout and "beheerder" in r.stdout
    r = run("audit", "--db", str(target))
    assert "backup.terugzetten" in r.stdout and "gebruiker.toevoegen" in r.stdout
    r = run("restore", str(tmp_path / "bk"), "--db", str(target))
    assert r.returncode == 2 and "er staat al een database" in r.stderr
    dispose_all()
