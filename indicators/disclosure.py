"""Disclosure control of the exports (primary suppression; secondary suppression follows)."""

from __future__ import annotations

import duckdb


def build_suppression(con: duckdb.DuckDBPyConnection) -> None:
    """marts.fct_onderdrukking: per area, indicator and year whether its count may be published."""
    con.execute(
        """
        CREATE OR REPLACE TABLE marts.fct_onderdrukking AS
        SELECT gebied_code, niveau, indicator, jaar, onderdrukt,
               CASE WHEN onderdrukt THEN 'primair' END AS reden
        FROM marts.fct_indicator_scores
        """
    )
