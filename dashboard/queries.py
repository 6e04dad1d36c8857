"""The one place the dashboard gets data from. Bound parameters only; cached per database version.

The live database file is replaced atomically by every load (see docs/architecture.md). The connection is
cached per (path, inode, mtime): after a load the next rerun opens the new file, and a page never sees a
half-finished load.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from etl import connect_readonly, db_version, reader_cursor, resolve_db_path

Version = tuple[int, int]


@st.cache_resource(max_entries=2, show_spinner=False)
def _connect(path: str, version: Version) -> duckdb.DuckDBPyConnection:
    return connect_readonly(Path(path))


def _current() -> tuple[str, Version] | None:
    path = resolve_db_path().resolve()
    version = db_version(path)
    return (str(path), version) if version else None


@st.cache_data(max_entries=512, show_spinner=False)
def _query(path: str, version: Version, sql: str, params: tuple) -> pd.DataFrame:
    cur = reader_cursor(_connect(path, version))  # one cursor per call: Streamlit runs sessions in threads
    try:
        return cur.execute(sql, list(params)).df()
    finally:
        cur.close()


def query(sql: str, *params: object) -> pd.DataFrame:
    """Run a read-only query against the current database; an empty frame when there is none."""
    current = _current()
    if current is None:
        return pd.DataFrame()
    return _query(current[0], current[1], sql, tuple(params))


def db_label() -> str:
    return str(resolve_db_path())


def has_data() -> bool:
    current = _current()
    if current is None:
        return False
    tables = query(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'meta' "
        "AND table_name = 'loads'"
    )
    if tables.empty or int(tables["n"].iloc[0]) == 0:
        return False
    return int(query("SELECT count(*) AS n FROM meta.loads WHERE status = 'geladen'")["n"].iloc[0]) > 0


def is_demo() -> bool:
    if not has_data():
        return False
    df = query("SELECT waarde FROM meta.instellingen WHERE sleutel = 'demo'")
    return not df.empty and df["waarde"].iloc[0] == "ja"


# ------------------------------------------------------------------------------------------ Data page


def loads() -> pd.DataFrame:
    return query("""
        SELECT load_id, bestand, bron, variant, partner, rijen, rijen_geladen, status, gebruiker,
               gestart, klaar, sha256, kopie, pad,
               CAST(json_extract(validatie, '$.verwachtingen') AS INTEGER) AS verwachtingen,
               CAST(json_extract(validatie, '$.mislukt') AS INTEGER) AS mislukt,
               CAST(json_extract(validatie, '$.fouten') AS INTEGER) AS fouten,
               CAST(json_extract(validatie, '$.waarschuwingen') AS INTEGER) AS waarschuwingen
        FROM meta.loads
        ORDER BY load_id DESC
    """)


def load_expectations(load_id: int) -> pd.DataFrame:
    return query(
        """
        SELECT d.frame, d.verwachting, d.kolom, d.regel, d.geslaagd, d.afwijkend
        FROM meta.loads,
             LATERAL (SELECT unnest(from_json(json_extract(validatie, '$.details'),
                '[{"frame":"VARCHAR","verwachting":"VARCHAR","kolom":"VARCHAR","regel":"VARCHAR",
                   "geslaagd":"BOOLEAN","afwijkend":"INTEGER"}]'), recursive := true)) AS d
        WHERE load_id = ?
    """,
        load_id,
    )


def load_messages(load_id: int) -> pd.DataFrame:
    return query(
        """
        SELECT ernst, rij, aantal, kolom, waarde, bericht
        FROM meta.load_meldingen
        WHERE load_id = ?
        ORDER BY ernst = 'fout', rij NULLS FIRST
    """,
        load_id,
    )


def rows_per_source_year() -> pd.DataFrame:
    """Current rows per source and year (superseded rows are history, not counted)."""
    return query("""
        SELECT 'politie' AS bron, jaar, count(*) AS rijen, count(DISTINCT periode) AS perioden
        FROM staging.stg_politie__misdrijven WHERE vervangen_door IS NULL GROUP BY ALL
        UNION ALL
        SELECT bron, jaar, count(*), count(DISTINCT periode)
        FROM staging.stg_partner__waarnemingen WHERE vervangen_door IS NULL GROUP BY ALL
        UNION ALL
        SELECT 'bevolking', jaar, count(*), 1
        FROM staging.stg_bevolking__kerncijfers WHERE vervangen_door IS NULL GROUP BY ALL
        UNION ALL
        SELECT 'leefbaarometer', jaar, count(*), 1
        FROM staging.stg_leefbaarometer__scores WHERE vervangen_door IS NULL GROUP BY ALL
        ORDER BY bron, jaar
    """)


def coverage() -> pd.DataFrame:
    """Per source, wijk and year: distinct periods delivered (from marts.fct_aanlevering_dekking)."""
    return query("""
        SELECT d.bron, d.wijk_code, coalesce(g.gebied_naam, d.wijk_code) AS wijk_naam, d.jaar,
               d.periode_type, d.rijen, d.perioden
        FROM marts.fct_aanlevering_dekking AS d
        LEFT JOIN marts.dim_gebied AS g ON g.gebied_code = d.wijk_code
        ORDER BY d.bron, d.wijk_code, d.jaar
    """)


def wijken() -> pd.DataFrame:
    return query("SELECT gebied_code, gebied_naam FROM marts.dim_gebied WHERE niveau = 'wijk' ORDER BY 1")
