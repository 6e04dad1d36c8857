"""The warehouse build: one ordered list of steps, layers visible in the folder tree, temporary intermediates,
a schema stamp, and `wijkmonitor rebuild` that repairs a database built by an older version."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dashboard_support import app_test, demo_db

from etl.build import ETL_SQL, FORMER_MARTS, INDICATOR_SQL, INTERMEDIATE, STEPS, build
from etl.db import SCHEMA_VERSION
from wijkmonitor.cli import main

LAYERS = ["staging", "dimensions", "marts", "intermediate"]


def test_every_sql_model_is_one_step_and_its_folder_is_its_layer() -> None:
    files = sorted(
        p
        for root in (ETL_SQL, INDICATOR_SQL)
        for p in root.rglob("*.sql")
        if p.parent.name in {"staging", "marts", "intermediate"}
    )
    steps = {s.sql: s for s in STEPS if s.sql is not None}
    assert sorted(steps) == files  # no model outside the list, no step without its file
    for path, step in steps.items():
        assert path.stem == step.name
        folder = path.parent.name
        assert step.layer == folder or (folder == "marts" and step.layer == "dimensions")
        assert step.name.startswith({"staging": "stg_", "intermediate": "int_"}.get(folder, ("dim_", "fct_")))
    order = [LAYERS.index(s.layer) for s in STEPS if s.layer != "intermediate"]
    assert order == sorted(order)  # staging -> dimensions -> marts (intermediates sit before their readers)


def test_intermediate_models_leave_nothing_behind(loaded_db: Path) -> None:
    con = duckdb.connect(str(loaded_db))
    try:
        con.execute(
            "CREATE OR REPLACE TABLE marts.fct_indicator_waarden AS SELECT 1 AS x"
        )  # an older version's
        timings = build(con)
        assert list(timings) == [s.name for s in STEPS]
        temporary = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
        assert temporary == []  # every int_ table was dropped once no later model read it
        marts = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
        assert {s.name for s in STEPS if s.layer == "marts"} <= marts
        assert not marts & set(INTERMEDIATE + FORMER_MARTS)
        assert con.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'intermediate'"
        ).fetchone() == (0,)
        assert con.execute("SELECT schema_versie FROM meta.bouw").fetchone() == (SCHEMA_VERSION,)
        # the scores hold what the intermediate value table had
        assert con.execute(
            "SELECT count(*) FROM marts.fct_indicator_scores WHERE noemer_jaar IS NOT NULL"
        ).fetchone()[0]
    finally:
        con.close()


def _marts(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for (table,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
        ).fetchall():
            cols = con.execute(f"DESCRIBE marts.{table}").fetchall()
            sel = ", ".join(
                f"round({c}, 6)" if t == "DOUBLE" else f"CAST({c} AS VARCHAR)" for c, t, *_ in cols
            )
            out[table] = sorted(map(repr, con.execute(f"SELECT {sel} FROM marts.{table}").fetchall()))
        return out
    finally:
        con.close()


def test_rebuild_repairs_an_older_database_and_the_dashboard_says_so(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    db = tmp_path / "oud.duckdb"
    shutil.copyfile(demo_db(), db)
    before = _marts(db)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE meta.bouw")  # as built by a version before the stamp
    con.execute("DROP MACRO wm_herkomst")  # ... which also lacked a macro the indicator page needs
    con.close()

    at = app_test(db, monkeypatch)
    at.run()
    assert not at.exception
    assert any("gebouwd door een oudere versie" in e.value for e in at.error)
    assert f"wijkmonitor rebuild --db {db}" in at.code[0].value

    assert main(["rebuild", "--db", str(db)]) == 0
    assert "database opnieuw opgebouwd" in capsys.readouterr().out
    assert _marts(db) == before  # the same numbers, rebuilt from raw
    at = app_test(db, monkeypatch)
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Liggen we op koers?"


def test_rebuild_can_keep_the_intermediate_tables(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    assert main(["rebuild", "--behoud-tussenstappen", "--db", str(db)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    kept = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'intermediate'"
        ).fetchall()
    }
    assert kept == set(INTERMEDIATE)
    # an analyst can trace a score back to its yearly values
    assert (
        con.execute(
            "SELECT count(*) FROM intermediate.int_indicator_waarden AS w JOIN marts.fct_indicator_scores AS s "
            "USING (indicator, gebied_code, jaar)"
        ).fetchone()[0]
        > 0
    )
    con.close()
    assert main(["rebuild", "--db", str(db)]) == 0  # a normal rebuild removes them again (never stale)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'intermediate'"
    ).fetchone() == (0,)
    con.close()


def test_rebuild_without_a_database_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["rebuild", "--db", str(tmp_path / "geen.duckdb")]) == 2
    assert "geen database" in capsys.readouterr().err
