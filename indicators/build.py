"""Build the indicator marts in DuckDB: catalogue -> dim tables -> SQL models (indicators/sql)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb
import pandas as pd

from indicators.catalogue import Settings, load_catalogue
from indicators.stats import register_functions, z_critical

SQL = Path(__file__).parent / "sql"
# Order matters: each model reads the ones before it. The int_ models are intermediate: built as temporary
# tables (in memory, gone with the connection) that the fct_ models read by their plain name.
MODELS = [
    "int_waarnemingen_jaar",
    "int_waarnemingen",
    "int_indicator_waarden",
    "fct_indicator_scores",
    "fct_indicator_vorige",
    "fct_composites",
    "fct_doelen",
    "fct_hotspots",
]
INTERMEDIATE = [m for m in MODELS if m.startswith("int_")]
# Tables earlier versions kept in marts that are intermediate now.
FORMER_MARTS = ["int_waarnemingen_jaar", "int_waarnemingen", "fct_indicator_waarden"]


def _settings(con: duckdb.DuckDBPyConnection) -> Settings:
    try:
        rows = con.execute("SELECT sleutel, waarde FROM meta.instellingen").fetchall()
    except duckdb.Error:
        rows = []
    return Settings.resolve(dict(rows))


def dim_tables(settings: Settings) -> dict[str, pd.DataFrame]:
    """The catalogue as tables: dim_indicator, dim_indicator_component, dim_thema, dim_instellingen."""
    cat = load_catalogue()
    indicators, components = [], []
    for code, ind in cat["indicatoren"].items():
        indicators.append(
            {
                "indicator": code,
                "titel": ind["titel"],
                "uitleg": ind["uitleg"],
                "thema": ind["thema"],
                "thema_titel": cat["themas"][ind["thema"]],
                "soort": ind["soort"],
                "eenheid": ind["eenheid"],
                "polariteit": ind["polariteit"],
                "onzekerheid": ind["onzekerheid"],
                "niveaus": ind["niveaus"],
                "gewicht": float(ind["gewicht"]),
                "factor": float(ind.get("factor", 1)),
                "heeft_noemer": "noemer" in ind,
                "vergelijkbaar_vanaf": int(ind["vergelijkbaar_vanaf"]),
                "teller_bron": ind["teller"]["bron"],
                "teller_variabelen": ind["teller"]["variabelen"],
                "noemer_bron": ind.get("noemer", {}).get("bron"),
                "noemer_variabelen": ind.get("noemer", {}).get("variabelen", []),
                "normering": [f"{b['ondergrens']}:{b['label']}" for b in ind.get("normering", [])],
            }
        )
        for role in ("teller", "noemer"):
            for var in ind.get(role, {}).get("variabelen", []):
                components.append(
                    {"indicator": code, "rol": role, "bron": ind[role]["bron"], "variabele": var}
                )
    themes = pd.DataFrame([{"thema": k, "titel": v} for k, v in cat["themas"].items()])
    inst = pd.DataFrame(
        [
            {
                "basisjaar": settings.basisjaar,
                "doeljaar": settings.doeljaar,
                "drempel": settings.onderdrukking_drempel,
                "betrouwbaarheid": settings.betrouwbaarheid,
                "z": z_critical(settings.betrouwbaarheid),
                "hotspot_p": settings.hotspot_p,
                "hotspot_minimum": settings.hotspot_minimum,
                "hotspot_jaren": settings.hotspot_jaren,
                "hotspot_maanden": settings.hotspot_maanden,
            }
        ]
    )
    return {
        "dim_indicator": pd.DataFrame(indicators),
        "dim_indicator_component": pd.DataFrame(components),
        "dim_thema": themes,
        "dim_hotspot_reeks": pd.DataFrame(cat["hotspot_reeksen"], columns=["bron", "variabele", "titel"]),
        "dim_instellingen": inst,
    }


def build_marts(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> dict[str, float]:
    """(Re)build every indicator mart; returns seconds per model."""
    settings = settings or _settings(con)
    register_functions(con, settings.betrouwbaarheid)
    timings: dict[str, float] = {}
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for name, df in dim_tables(settings).items():
        con.register("_dim_df", df)
        con.execute(f"CREATE OR REPLACE TABLE marts.{name} AS SELECT * FROM _dim_df")
        con.unregister("_dim_df")
    con.execute((SQL / "macros.sql").read_text(encoding="utf-8"))
    for table in FORMER_MARTS:
        con.execute(f"DROP TABLE IF EXISTS marts.{table}")
    sql = {model: (SQL / f"{model}.sql").read_text(encoding="utf-8") for model in MODELS}
    # an intermediate table is dropped right after the last model that reads it: it holds memory
    last_reader = {
        table: max((m for m in MODELS if re.search(rf"\b{table}\b", sql[m])), key=MODELS.index)
        for table in INTERMEDIATE
    }
    for model in MODELS:
        t0 = time.perf_counter()
        if model in INTERMEDIATE:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {model} AS\n{sql[model]}")
        else:
            con.execute(f"CREATE OR REPLACE TABLE marts.{model} AS\n{sql[model]}")
        for table in INTERMEDIATE:
            if last_reader[table] == model:
                con.execute(f"DROP TABLE temp.main.{table}")
        timings[model] = time.perf_counter() - t0
    return timings
