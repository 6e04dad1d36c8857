"""The indicator build: intermediate models are temporary and gone afterwards, former marts are removed."""

from __future__ import annotations

from pathlib import Path

import duckdb

from indicators import build_marts
from indicators.build import FORMER_MARTS, INTERMEDIATE, MODELS


def test_intermediate_models_leave_nothing_behind(loaded_db: Path) -> None:
    con = duckdb.connect(str(loaded_db))
    try:
        con.execute(
            "CREATE OR REPLACE TABLE marts.fct_indicator_waarden AS SELECT 1 AS x"
        )  # an older version's
        timings = build_marts(con)
        assert list(timings) == MODELS
        temporary = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
        assert temporary == []  # every int_ table was dropped once no later model read it
        marts = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
        assert set(MODELS) - set(INTERMEDIATE) <= marts
        assert not marts & set(INTERMEDIATE + FORMER_MARTS)
        # the scores hold what the intermediate value table had
        assert con.execute(
            "SELECT count(*) FROM marts.fct_indicator_scores WHERE noemer_jaar IS NOT NULL"
        ).fetchone()[0]
    finally:
        con.close()
