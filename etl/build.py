"""The warehouse build: one runner, one ordered list of steps (staging → dimensions → intermediate → marts).

Every step is named after the table it produces, and the folder of a SQL step is its layer:

    etl/sql/raw/schema.sql               raw and meta tables (created, never rebuilt: loads append to them)
    etl/sql/staging/stg_*.sql            staging.<name>        rename, trim, cast; all versions of every key
    etl/sql/marts/dim_*.sql, fct_*.sql   marts.<name>          the ETL's own dimensions and facts
    indicators/sql/macros.sql            the engine's SQL macros (wm_doelstatus, wm_herkomst, ...)
    indicators/sql/intermediate/int_*    temporary tables of the build (kept in schema `intermediate` only
                                         with ``keep_intermediate``: ``wijkmonitor rebuild --behoud-tussenstappen``)
    indicators/sql/marts/fct_*.sql       marts.<name>          indicator scores, composites, targets, hotspots

Python steps build the dimensions that come from registries and the catalogue (``dim_variabele``,
``dim_indicator``, …) and register the engine's statistical functions. :data:`STEPS` is the order; a step
reads only what steps before it produced. Every build stamps ``meta.bouw`` with :data:`SCHEMA_VERSION`, which
the dashboard checks before it shows a page.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from etl.db import SCHEMA_VERSION
from etl.indeling import assign_missing, build_omzetting
from etl.sources import variable_dimension
from indicators.dimensions import dim_tables, settings_of
from indicators.disclosure import build_suppression
from indicators.hotspots import build_calibration, build_hotspots, build_hotspots_14d
from indicators.stats import register_functions

ETL_SQL = Path(__file__).parent / "sql"
INDICATOR_SQL = Path(__file__).resolve().parents[1] / "indicators" / "sql"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Step:
    """One build step: a SQL model (``sql`` is its file) or a Python step (``python`` builds its tables)."""

    name: str  # the table it produces (or, for macros/functions, what it defines)
    layer: str  # staging | dimensions | intermediate | marts
    sql: Path | None = None
    python: Callable[[duckdb.DuckDBPyConnection], None] | None = None

    @property
    def target(self) -> str:
        """Where the step's table lives: ``staging.x``, ``marts.x``, or a temporary table for intermediate."""
        if self.layer == "intermediate":
            return self.name
        return f"{'staging' if self.layer == 'staging' else 'marts'}.{self.name}"


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    register_functions(con, settings_of(con).betrouwbaarheid)


def _dim_variabele(con: duckdb.DuckDBPyConnection) -> None:
    _frame_table(con, "marts.dim_variabele", pd.DataFrame(variable_dimension()))


def _catalogue_dimensions(con: duckdb.DuckDBPyConnection) -> None:
    """dim_indicator, dim_indicator_component, dim_thema, dim_hotspot_reeks, dim_instellingen."""
    for name, df in dim_tables(settings_of(con)).items():
        _frame_table(con, f"marts.{name}", df)


def _frame_table(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    con.register("_step_df", df)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _step_df")
    finally:
        con.unregister("_step_df")


def _macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((INDICATOR_SQL / "macros.sql").read_text(encoding="utf-8"))


def _sql(layer: str, folder: Path, *names: str) -> list[Step]:
    return [Step(name, layer, sql=folder / f"{name}.sql") for name in names]


# The one ordered list. Reading it top to bottom is reading the lineage.
STEPS: list[Step] = [
    *_sql(
        "staging",
        ETL_SQL / "staging",
        "stg_bevolking__kerncijfers",
        "stg_gebieden__gebieden",
        "stg_leefbaarometer__scores",
        "stg_omzetting__omzettingen",
        "stg_partner__waarnemingen",
        "stg_politie__misdrijven",
    ),
    # area divisions (etl/indeling.py): every division's areas, the one each gemeente is analysed on, where
    # every area's values go on it, and the areas the figures are shown on
    *_sql("dimensions", ETL_SQL / "marts", "dim_indeling_gebied", "dim_analyse_indeling"),
    Step("fct_omzetting", "dimensions", python=build_omzetting),
    *_sql("dimensions", ETL_SQL / "marts", "dim_gebied", "dim_indeling"),
    Step("dim_variabele", "dimensions", python=_dim_variabele),
    Step("dim_catalogus", "dimensions", python=_catalogue_dimensions),  # dim_indicator, dim_thema, …
    Step("wm_functies", "dimensions", python=_register_functions),
    Step("wm_macros", "dimensions", python=_macros),
    *_sql("marts", ETL_SQL / "marts", "fct_aanlevering_dekking"),
    *_sql(
        "intermediate",
        INDICATOR_SQL / "intermediate",
        "int_waarnemingen_jaar",
        "int_waarnemingen",
        "int_indicator_waarden",
    ),
    *_sql(
        "marts",
        INDICATOR_SQL / "marts",
        "fct_overdispersie",
        "fct_indicator_scores",
        "fct_indicator_vorige",
    ),
    Step("fct_onderdrukking", "marts", python=build_suppression),  # primary and secondary suppression
    *_sql(
        "marts",
        INDICATOR_SQL / "marts",
        "fct_composites",
        "fct_doelen",
    ),
    Step("fct_hotspots", "marts", python=build_hotspots),  # indicators/hotspots.py: sequential in time
    Step("fct_hotspot_kalibratie", "marts", python=build_calibration),  # simulated false-alarm rate
    Step("fct_hotspots_14d", "marts", python=build_hotspots_14d),  # the same test on 14-day police windows
]
INTERMEDIATE = [s.name for s in STEPS if s.layer == "intermediate"]
# Tables earlier versions kept in marts that are intermediate now.
FORMER_MARTS = ["int_waarnemingen_jaar", "int_waarnemingen", "fct_indicator_waarden"]
# Named selections of STEPS (for ``build(con, only=...)``):
STAGING_STEPS = {s.name for s in STEPS if s.layer == "staging"}
# what a validation needs to check later files of a batch against new areas
AREA_STEPS = STAGING_STEPS | {"dim_indeling_gebied"}
# the area divisions up to the areas the figures are shown on (dim_gebied)
DIVISION_STEPS = {
    "dim_indeling_gebied",
    "dim_analyse_indeling",
    "fct_omzetting",
    "dim_gebied",
    "dim_indeling",
}
# the ETL's own marts (areas and their divisions, coverage, variables)
ETL_MART_STEPS = {
    "dim_indeling_gebied",
    "dim_analyse_indeling",
    "fct_omzetting",
    "dim_gebied",
    "dim_indeling",
    "dim_variabele",
    "fct_aanlevering_dekking",
}
# the indicator engine: every step after staging that is not the ETL's own (catalogue dimensions, functions,
# macros, intermediate models and the indicator marts, SQL and Python alike)
INDICATOR_STEPS = {s.name for s in STEPS if s.layer != "staging"} - ETL_MART_STEPS


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The raw and meta tables and the shared macros (idempotent: a load appends to raw, never rebuilds it).

    Also brings the tables of an older version up to date (``wijkmonitor rebuild`` and every load call this).
    """
    con.execute((ETL_SQL / "raw" / "schema.sql").read_text(encoding="utf-8"))
    load_columns = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'meta' "
            "AND table_name = 'loads'"
        ).fetchall()
    }
    if "bron" in load_columns and "bronsoort" not in load_columns:  # schema version 1 called the kind 'bron'
        con.execute("ALTER TABLE meta.loads RENAME COLUMN bron TO bronsoort")
    # schema version 3: the effective sample size of survey values (NULL for rows loaded before)
    con.execute("ALTER TABLE raw.partner__waarnemingen ADD COLUMN IF NOT EXISTS n_effectief VARCHAR")
    # schema version 4: area divisions (meta.load_indeling, raw.omzetting__omzettingen) come from schema.sql;
    # the division of loads from before is recorded by the first build (etl.indeling.assign_missing)


def build(
    con: duckdb.DuckDBPyConnection,
    *,
    only: set[str] | None = None,
    keep_intermediate: bool = False,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Run :data:`STEPS` in order (``only``: just these step names); returns seconds per step.

    Intermediate tables are temporary and dropped right after the last step that reads them (they hold
    memory). With ``keep_intermediate`` they are copied to schema ``intermediate`` for tracing a number;
    without it that schema is emptied, so a kept table is never older than the marts next to it.
    """
    steps = [s for s in STEPS if only is None or s.name in only]
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    sql = {s.name: s.sql.read_text(encoding="utf-8") for s in steps if s.sql is not None}
    last_reader = {
        table: max(
            (s for s in steps if s.name in sql and re.search(rf"\b{table}\b", sql[s.name])),
            key=steps.index,
            default=None,
        )
        for table in INTERMEDIATE
        if table in sql
    }
    for table in FORMER_MARTS:
        con.execute(f"DROP TABLE IF EXISTS marts.{table}")
    if only is None:
        _reset_intermediate(con, keep_intermediate)
        # loads without a recorded area division (older databases, rows written straight into raw)
        assign_missing(con, lambda: build(con, only=AREA_STEPS))
    timings: dict[str, float] = {}
    for step in steps:
        t0 = time.perf_counter()
        if step.python is not None:
            step.python(con)
        elif step.layer == "intermediate":
            con.execute(f"CREATE OR REPLACE TEMP TABLE {step.name} AS\n{sql[step.name]}")
            if keep_intermediate:
                con.execute(f"CREATE TABLE intermediate.{step.name} AS SELECT * FROM temp.main.{step.name}")
        else:
            con.execute(f"CREATE OR REPLACE TABLE {step.target} AS\n{sql[step.name]}")
        for table, reader in last_reader.items():
            if reader is step:
                con.execute(f"DROP TABLE IF EXISTS temp.main.{table}")
        timings[step.name] = time.perf_counter() - t0
    if only is None:
        _stamp(con)
    if progress and only is None:
        progress(f"staging en marts opnieuw opgebouwd ({sum(timings.values()):.1f} s)")
    return timings


def _reset_intermediate(con: duckdb.DuckDBPyConnection, keep: bool) -> None:
    con.execute("DROP SCHEMA IF EXISTS intermediate CASCADE")
    if keep:
        con.execute("CREATE SCHEMA intermediate")


def _stamp(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE OR REPLACE TABLE meta.bouw AS SELECT ?::INTEGER AS schema_versie, ?::TIMESTAMP AS gebouwd, "
        "?::INTEGER AS stappen",
        [SCHEMA_VERSION, dt.datetime.now(), len(STEPS)],
    )


def rebuild(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> None:
    """Every step: staging from raw, then dimensions, intermediate and marts."""
    build(con, progress=progress)


def rebuild_areas(con: duckdb.DuckDBPyConnection) -> None:
    """Staging and the area divisions only (what a validation needs to check later files of a batch)."""
    assign_missing(con, lambda: build(con, only=AREA_STEPS))
    build(con, only=AREA_STEPS)
