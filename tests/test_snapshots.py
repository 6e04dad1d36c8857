"""Snapshots (wijkmonitor/snapshots.py): what they freeze, that they never change, who may make them.

On the small fixture warehouse (areas, population, police, corporatie, Leefbaarometer) and a records store on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import duckdb
import pytest
from etl_helpers import fixture, load_one
from sqlalchemy import text

from wijkmonitor import snapshots
from wijkmonitor.records import auditlog, users
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.authz import Actor, Refused
from wijkmonitor.records.store import open_store

SYSTEM = Actor.command("test")
NOW = dt.datetime(2025, 11, 3, 9, 30, tzinfo=dt.UTC)


def _tables(con: duckdb.DuckDBPyConnection, schema: str, catalog: str | None = None) -> list[str]:
    where = f"schema_name = '{schema}'" + (f" AND database_name = '{catalog}'" if catalog else "")
    tables = con.execute(f"SELECT table_name FROM duckdb_tables() WHERE {where}").fetchall()
    views = con.execute(
        f"SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = '{schema}'"
    ).fetchall()
    return sorted(t for (t,) in tables + views)


def _live(db) -> duckdb.DuckDBPyConnection:  # noqa: ANN001
    return duckdb.connect(str(db), read_only=True)


def _content(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def test_a_snapshot_freezes_the_marts_the_staging_slices_and_the_records(loaded_db, records_url):
    eng = open_store(records_url)
    users.add_user(eng, SYSTEM, "team@gemeente.example", "Team", ["team:WK099901"])
    snap = snapshots.create(loaded_db, records_url, "Stuurgroep najaar 2025", SYSTEM, now=NOW)

    assert (snap.naam, snap.slug, snap.gemaakt_op, snap.gemaakt_door) == (
        "Stuurgroep najaar 2025",
        "stuurgroep-najaar-2025",
        NOW,
        SYSTEM.email,
    )
    assert snap.map == snapshots.snapshots_dir(loaded_db) / "stuurgroep-najaar-2025"
    assert snap.peildatum == dt.date(2025, 11, 3)  # the day it was made (Amsterdam), frozen in its records
    assert snap.publicatie.startswith("bouw ") and "levering" in snap.publicatie
    assert [s.slug for s in snapshots.list_snapshots(loaded_db)] == ["stuurgroep-najaar-2025"]

    # every file read-only and named in the manifest with its hash
    files = sorted(p.relative_to(snap.map).as_posix() for p in snap.map.rglob("*") if p.is_file())
    assert files == sorted([*snap.bestanden, snapshots.MANIFEST])
    for rel in files:
        assert not os.stat(snap.map / rel).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), rel
    manifest = json.loads((snap.map / snapshots.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["records_revisie"] and manifest["bestanden"] == snap.bestanden

    # marts and meta: every table, with the same rows; raw stays out
    frozen = snapshots.open_warehouse(snap)
    with _live(loaded_db) as live:
        for schema in ("marts", "meta"):
            assert _tables(frozen, schema) == _tables(live, schema)
            for table in _tables(live, schema):
                assert _content(frozen, f"{schema}.{table}") == _content(live, f"{schema}.{table}"), table
        assert not _tables(frozen, "raw")
        # staging: the sliced police table counts the same rows per load and month; partner rows whole
        per_month = (
            "SELECT load_id, jaar, maand, count(*) FROM staging.stg_politie__misdrijven "
            "WHERE vervangen_door IS NULL GROUP BY ALL ORDER BY ALL"
        )
        assert frozen.execute(per_month).fetchall() == live.execute(per_month).fetchall()
        assert _content(frozen, "staging.stg_partner__waarnemingen") == _content(
            live, "staging.stg_partner__waarnemingen"
        )
        # the macros the marts' readers call exist on the snapshot
        assert frozen.execute(
            "SELECT wm_omzetting_naam(0) IS NOT DISTINCT FROM wm_omzetting_naam(0)"
        ).fetchone()[0]

    # the records: the same rows, the peildatum fixed, and read-only
    frozen_eng = snapshots.open_records(snap)
    assert jp.peildatum(frozen_eng) == jp.vandaag(frozen_eng) == dt.date(2025, 11, 3)
    assert jp.peildatum(eng) is None  # the live store is untouched
    assert [u.email for u in users.list_users(frozen_eng)] == [u.email for u in users.list_users(eng)]
    with pytest.raises(Exception, match="readonly|read-only|query_only"), frozen_eng.begin() as conn:
        conn.execute(text("DELETE FROM instellingen"))

    # made by an authorised actor and recorded in the live audit trail
    made = [e for e in auditlog.entries(eng) if e["actie"] == "momentopname.maken"]
    assert [(e["actor"], e["object_id"], e["uitkomst"]) for e in made] == [
        (SYSTEM.email, "stuurgroep-najaar-2025", "uitgevoerd")
    ]


def test_a_delivery_and_a_records_change_after_the_snapshot_change_nothing_in_it(loaded_db, records_url):
    eng = open_store(records_url)
    snap = snapshots.create(loaded_db, records_url, "Voor de levering", SYSTEM, now=NOW)
    frozen = snapshots.open_warehouse(snap)
    before = {t: _content(frozen, f"marts.{t}") for t in _tables(frozen, "marts")}
    loads_before = frozen.execute("SELECT count(*) FROM meta.loads").fetchone()[0]

    result = load_one(fixture("partner/welzijn_goed.csv"), loaded_db)
    assert result.status == "geladen"
    users.add_user(eng, SYSTEM, "nieuw@gemeente.example", "Nieuw", ["regiegroep"])

    with _live(loaded_db) as live:
        assert live.execute("SELECT count(*) FROM meta.loads").fetchone()[0] == loads_before + 1
        changed = [t for t in before if _content(live, f"marts.{t}") != before[t]]
        assert changed, "the new delivery changes the live marts"
    again = snapshots.get(loaded_db, "Voor de levering")  # the hashes still match the manifest
    frozen = snapshots.open_warehouse(again)
    assert {t: _content(frozen, f"marts.{t}") for t in before} == before
    assert frozen.execute("SELECT count(*) FROM meta.loads").fetchone()[0] == loads_before
    assert "nieuw@gemeente.example" not in {u.email for u in users.list_users(snapshots.open_records(again))}


def test_a_name_is_used_once_and_a_changed_file_is_caught(loaded_db, records_url):
    snap = snapshots.create(loaded_db, records_url, "Stuurgroep voorjaar 2025", SYSTEM, now=NOW)
    for same in ("Stuurgroep voorjaar 2025", "stuurgroep  VOORJAAR 2025", "Stuurgroep-voorjaar-2025"):
        with pytest.raises(snapshots.SnapshotError, match="verandert nooit"):
            snapshots.create(loaded_db, records_url, same, SYSTEM)
    assert len(snapshots.list_snapshots(loaded_db)) == 1
    assert not [p for p in snapshots.snapshots_dir(loaded_db).iterdir() if p.name.startswith(".")]

    target = snap.map / "marts" / "fct_composites.parquet"
    target.chmod(0o644)
    with open(target, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(
        snapshots.SnapshotError, match="beschadigd of gewijzigd: marts/fct_composites.parquet"
    ):
        snapshots.get(loaded_db, snap.slug)
    with pytest.raises(snapshots.SnapshotError, match="Geen momentopname"):
        snapshots.get(loaded_db, "bestaat niet")


@pytest.mark.parametrize(
    ("naam", "message"),
    [
        ("", "Geef de momentopname een naam"),
        ("   ", "Geef"),
        ("x" * 81, "te lang"),
        ("!!!", "letters of cijfers"),
    ],
)
def test_bad_names_are_refused_before_anything_is_written(loaded_db, tmp_path, naam, message):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with pytest.raises(ValueError, match=message):
        snapshots.create(loaded_db, url, naam, SYSTEM)
    assert not snapshots.snapshots_dir(loaded_db).exists()


def test_only_beheerder_regiegroep_and_stuurgroep_may_make_one_and_a_refusal_is_recorded(
    loaded_db, records_url
):
    eng = open_store(records_url)
    for email, rol in (
        ("team@gemeente.example", "team:WK099901"),
        ("politie@gemeente.example", "partner:politie"),
        ("regie@gemeente.example", "regiegroep"),
    ):
        users.add_user(eng, SYSTEM, email, email.split("@")[0], [rol])
    for email in ("team@gemeente.example", "politie@gemeente.example", "onbekend@gemeente.example"):
        with pytest.raises(Refused):
            snapshots.create(loaded_db, records_url, f"Poging {email}", Actor.page(email, "Gegevens"))
    assert not snapshots.list_snapshots(loaded_db)
    refused = [e for e in auditlog.entries(eng) if e["actie"] == "momentopname.maken"]
    assert {(e["actor"], e["uitkomst"]) for e in refused} == {
        ("team@gemeente.example", "geweigerd"),
        ("politie@gemeente.example", "geweigerd"),
        ("onbekend@gemeente.example", "geweigerd"),
    }
    snap = snapshots.create(
        loaded_db, records_url, "Regiegroep maart", Actor.page("regie@gemeente.example", "Gegevens")
    )
    assert snap.gemaakt_door == "regie@gemeente.example"


def test_a_live_peildatum_is_kept_in_the_snapshot(loaded_db, records_url):
    eng = open_store(records_url)
    jp.write_setting(eng, SYSTEM, jp.SETTING_PEILDATUM, "2025-09-15")
    snap = snapshots.create(loaded_db, records_url, "Demo", SYSTEM, now=NOW)
    assert snap.peildatum == dt.date(2025, 9, 15)
    assert jp.vandaag(snapshots.open_records(snap)) == dt.date(2025, 9, 15)
