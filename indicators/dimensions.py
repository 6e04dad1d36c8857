"""The indicator catalogue and settings as dimension tables (the build runs them: etl/build.py).

The indicator SQL models are in ``indicators/sql/``: ``macros.sql``, ``intermediate/`` (temporary tables of
the build) and ``marts/``; their order is the build's one list, ``etl.build.STEPS``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from indicators.catalogue import Settings, load_catalogue
from indicators.stats import one_sided_critical, z_critical


def settings_of(con: duckdb.DuckDBPyConnection) -> Settings:
    """The settings of a database: the catalogue defaults overridden by ``meta.instellingen``."""
    try:
        rows = con.execute("SELECT sleutel, waarde FROM meta.instellingen").fetchall()
    except duckdb.Error:
        rows = []
    return Settings.resolve(dict(rows))


def dim_tables(settings: Settings) -> dict[str, pd.DataFrame]:
    """The catalogue as tables: dim_indicator, dim_indicator_component, dim_methodebreuk, dim_thema, ..."""
    cat = load_catalogue()
    indicators, components, breaks = [], [], []
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
            part = ind.get(role, {})
            for sign, key in ((1, "variabelen"), (-1, "min_variabelen")):
                for var in part.get(key, []):
                    components.append(
                        {
                            "indicator": code,
                            "rol": role,
                            "bron": part["bron"],
                            "variabele": var,
                            "teken": sign,
                        }
                    )
        for brk in ind.get("methodebreuken", []):
            breaks.append(
                {
                    "indicator": code,
                    "jaar": int(brk["jaar"]),
                    "omschrijving": brk["omschrijving"],
                    "omrekenfactor": float(brk["omrekenfactor"]) if "omrekenfactor" in brk else None,
                }
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
                # one-sided critical value at the same confidence (1.645 for 95%): the bounds of the target verdict
                "z_eenzijdig": one_sided_critical(settings.betrouwbaarheid),
                "marge": settings.marge,
                "fdr_matrix": settings.fdr_matrix,
                "enquete_correlatie": settings.enquete_correlatie,
                "ontwerpeffect_standaard": settings.ontwerpeffect_standaard,
                "minimum_basisgebeurtenissen": settings.minimum_basisgebeurtenissen,
                "overdispersie_min_paren": settings.overdispersie_min_paren,
                "jaarvariatie_standaard": settings.jaarvariatie_standaard,
                "hotspot_fdr": settings.hotspot_fdr,
                "hotspot_minimum": settings.hotspot_minimum,
                "hotspot_jaren": settings.hotspot_jaren,
                "hotspot_maanden": settings.hotspot_maanden,
            }
        ]
    )
    return {
        "dim_indicator": pd.DataFrame(indicators),
        "dim_indicator_component": pd.DataFrame(components),
        "dim_methodebreuk": pd.DataFrame(
            breaks, columns=["indicator", "jaar", "omschrijving", "omrekenfactor"]
        ).astype({"jaar": "int64", "omrekenfactor": "float64"}),
        "dim_thema": themes,
        "dim_hotspot_reeks": pd.DataFrame(cat["hotspot_reeksen"], columns=["bron", "variabele", "titel"]),
        "dim_instellingen": inst,
    }
