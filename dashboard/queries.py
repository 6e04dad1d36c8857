"""The one place the dashboard gets data from. Bound parameters only; cached per database version.

The live database file is replaced atomically by every load (see docs/architecture.md). The connection is
cached per (path, inode, mtime): after a load the next rerun opens the new file, and a page never sees a
half-finished load. One page run reads one version: ``dashboard/app.py`` calls :func:`pin_version` before
the page runs, which opens the current file and keeps that version for every query of the run, so a load
that publishes while a page is drawn cannot mix old and new figures on it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import source
from etl.attempts import LOAD_FIELDS
from etl.attempts import log_path as attempt_log_path
from etl.attempts import read as read_attempts
from etl.db import SCHEMA_VERSION as SCHEMA_VERSION  # the version this code reads (app.py checks it)
from etl.db import connect_readonly, db_version, reader_cursor, resolve_db_path
from wijkmonitor import capacity

Version = tuple[int, int]
_PINNED = "_wijkmonitor_pinned_version"  # session-state key: the version of the current script run


class VersionGone(RuntimeError):
    """The file at the path is no longer the version asked for (a load published in between)."""


@st.cache_resource(max_entries=3, show_spinner=False)
def _connect(path: str, version: Version) -> duckdb.DuckDBPyConnection:
    con = connect_readonly(Path(path))
    # The version was read before the file was attached; if a load replaced the file in between, this
    # connection holds the new file and must not be cached under the old version.
    if db_version(Path(path)) != version:
        con.close()
        raise VersionGone(path)
    return con


def _current() -> tuple[str, Version] | None:
    path = resolve_db_path().resolve()
    version = db_version(path)
    return (str(path), version) if version else None


def pin_version() -> tuple[str, Version] | None:
    """Fix the database version for the rest of this script run; call once at the start of every run.

    Opens (or reuses) the connection to the current file right away: that connection keeps this version's
    file open (POSIX keeps a replaced file readable for open handles), so every later query of the run
    reads it even when a load publishes meanwhile. The next run pins the new version.
    """
    current = _current()
    for _ in range(5):
        if current is None:
            break
        try:
            _connect(*current)
            break
        except VersionGone:
            current = _current()
    if get_script_run_ctx() is not None:
        st.session_state[_PINNED] = current
    return current


def _version() -> tuple[str, Version] | None:
    """The version pinned for this run; without a pin (outside a page run) the current one."""
    if source.current() is not None:
        return ("bron", (0, 0))  # an explicit source (dashboard.source.reading): query() reads it
    if get_script_run_ctx() is not None and _PINNED in st.session_state:
        return st.session_state[_PINNED]
    return _current()


@st.cache_data(max_entries=512, show_spinner=False)
def _query(path: str, version: Version, sql: str, params: tuple) -> pd.DataFrame:
    cur = reader_cursor(_connect(path, version))  # one cursor per call: Streamlit runs sessions in threads
    try:
        return cur.execute(sql, list(params)).df()
    finally:
        cur.close()


def query(sql: str, *params: object) -> pd.DataFrame:
    """Run a read-only query against this run's database version; an empty frame when there is none.

    Inside ``dashboard.source.reading(...)`` it reads that source instead (a snapshot, or a document's
    explicit warehouse), uncached."""
    src = source.current()
    if src is not None:
        cur = source.cursor(src)
        try:
            return cur.execute(sql, list(params)).df()
        finally:
            cur.close()
    current = _version()
    if current is None:
        return pd.DataFrame()
    try:
        return _query(current[0], current[1], sql, tuple(params))
    except VersionGone:
        # The pinned connection was evicted and its file replaced since: this run cannot read its version
        # any more. Start the page again on the new version rather than mix the two.
        if get_script_run_ctx() is None:
            raise
        st.rerun()


def db_label() -> str:
    return str(resolve_db_path())


def has_data() -> bool:
    current = _version()
    if current is None:
        return False
    tables = query(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'meta' "
        "AND table_name = 'loads'"
    )
    if tables.empty or int(tables["n"].iloc[0]) == 0:
        return False
    return int(query("SELECT count(*) AS n FROM meta.loads WHERE status = 'geladen'")["n"].iloc[0]) > 0


def schema_version() -> int | None:
    """The warehouse layout version the database was built with (``meta.bouw``); 1 for a database built
    before the stamp existed; None when there is no database with a load log to judge."""
    if _version() is None:
        return None
    tables = query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'meta' "
        "AND table_name IN ('loads', 'bouw')"
    )
    names = set(tables["table_name"]) if not tables.empty else set()
    if "loads" not in names:
        return None
    if "bouw" not in names:
        return 1
    return int(query("SELECT max(schema_versie) AS v FROM meta.bouw")["v"].iloc[0])


def publication() -> str:
    """The warehouse publication this run reads, as a meeting records it ("the data the meeting looked at"):
    its build time and the newest delivery in it, e.g. ``bouw 2025-09-14 08:12, levering 57``."""
    if schema_version() is None:
        return "geen gegevens"
    built = query("SELECT max(gebouwd) AS t FROM meta.bouw") if schema_version() > 1 else pd.DataFrame()
    load = query("SELECT max(load_id) AS n FROM meta.loads WHERE status = 'geladen'")
    parts = []
    if not built.empty and built["t"].iloc[0] is not None and not pd.isna(built["t"].iloc[0]):
        parts.append(f"bouw {pd.Timestamp(built['t'].iloc[0]):%Y-%m-%d %H:%M}")
    if not load.empty and not pd.isna(load["n"].iloc[0]):
        parts.append(f"levering {int(load['n'].iloc[0])}")
    return ", ".join(parts) or "geen gegevens"


def is_demo() -> bool:
    if not has_data():
        return False
    df = query("SELECT waarde FROM meta.instellingen WHERE sleutel = 'demo'")
    return not df.empty and df["waarde"].iloc[0] == "ja"


# ------------------------------------------------------------------------------------------ Data page


LOAD_COLUMNS = [*LOAD_FIELDS, "verwachtingen", "mislukt", "fouten", "waarschuwingen"]


@st.cache_data(max_entries=8, show_spinner=False)
def _attempts(db_path: str, log_version: tuple[int, int]) -> list[dict]:
    return read_attempts(Path(db_path))


def _attempt_records() -> dict[int, dict]:
    """The attempt log beside the database (rejected and skipped attempts are recorded only there)."""
    db_path = resolve_db_path().resolve()
    try:
        st_ = attempt_log_path(db_path).stat()
    except FileNotFoundError:
        return {}
    return {r["load_id"]: r for r in _attempts(str(db_path), (st_.st_size, st_.st_mtime_ns))}


def loads() -> pd.DataFrame:
    """Every load attempt, newest first: the loads in the warehouse plus the attempts of the attempt log."""
    db = query("""
        SELECT load_id, bestand, bronsoort, variant, partner, rijen, rijen_geladen, status, gebruiker,
               gestart, klaar, sha256, kopie, pad, opmerking,
               CAST(json_extract(validatie, '$.verwachtingen') AS INTEGER) AS verwachtingen,
               CAST(json_extract(validatie, '$.mislukt') AS INTEGER) AS mislukt,
               CAST(json_extract(validatie, '$.fouten') AS INTEGER) AS fouten,
               CAST(json_extract(validatie, '$.waarschuwingen') AS INTEGER) AS waarschuwingen
        FROM meta.loads
    """)
    in_db = set(db["load_id"]) if not db.empty else set()
    rows = []
    for load_id, rec in _attempt_records().items():
        if load_id in in_db or rec.get("status") == "geladen":  # a load is shown as the warehouse has it
            continue
        summary = rec.get("validatie") or {}
        row = {c: rec.get(c) for c in LOAD_COLUMNS}
        row.update({k: summary.get(k) for k in ("verwachtingen", "mislukt", "fouten", "waarschuwingen")})
        rows.append(row)
    log = pd.DataFrame(rows, columns=LOAD_COLUMNS)
    for col in ("gestart", "klaar"):
        log[col] = pd.to_datetime(log[col], errors="coerce")
    frames = [f for f in (db, log) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=LOAD_COLUMNS)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return out.sort_values("load_id", ascending=False, ignore_index=True)


EXPECTATION_COLUMNS = ["frame", "verwachting", "kolom", "regel", "geslaagd", "afwijkend"]


def load_expectations(load_id: int) -> pd.DataFrame:
    rec = _attempt_records().get(load_id)
    if rec is not None and rec.get("status") != "geladen":
        details = (rec.get("validatie") or {}).get("details") or []
        return pd.DataFrame(
            [{c: d.get(c) for c in EXPECTATION_COLUMNS} for d in details], columns=EXPECTATION_COLUMNS
        )
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


MESSAGE_COLUMNS = ["ernst", "rij", "aantal", "kolom", "waarde", "bericht"]


def load_messages(load_id: int) -> pd.DataFrame:
    rec = _attempt_records().get(load_id)
    if rec is not None and rec.get("status") != "geladen":
        msgs = pd.DataFrame(
            [{c: m.get(c) for c in MESSAGE_COLUMNS} for m in rec.get("meldingen") or []],
            columns=MESSAGE_COLUMNS,
        )
        if msgs.empty:
            return msgs
        msgs["fout"] = msgs["ernst"] == "fout"
        return msgs.sort_values(["fout", "rij"], na_position="first").drop(columns="fout")
    return query(
        """
        SELECT ernst, rij, aantal, kolom, waarde, bericht
        FROM meta.load_meldingen
        WHERE load_id = ?
        ORDER BY ernst = 'fout', rij NULLS FIRST
    """,
        load_id,
    )


def divisions() -> pd.DataFrame:
    """The loaded area divisions and how their areas reach the analysis division (marts.dim_indeling)."""
    return query("SELECT * FROM marts.dim_indeling")


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


def coverage(gemeente: str) -> pd.DataFrame:
    """Per source, wijk of a gemeente and year: distinct periods delivered (marts.fct_aanlevering_dekking)."""
    return query(
        """
        SELECT d.bron, d.wijk_code, coalesce(g.gebied_naam, d.wijk_code) AS wijk_naam, d.jaar,
               d.periode_type, d.rijen, d.perioden
        FROM marts.fct_aanlevering_dekking AS d
        LEFT JOIN marts.dim_gebied AS g ON g.gebied_code = d.wijk_code
        WHERE substr(d.wijk_code, 3, 4) = substr(?, 3, 4)
        ORDER BY d.bron, d.wijk_code, d.jaar
    """,
        gemeente,
    )


# ------------------------------------------------------------------------------------------ shared


def settings() -> dict:
    df = query("SELECT * FROM marts.dim_instellingen")
    return df.iloc[0].to_dict() if not df.empty else {}


def has_indicators() -> bool:
    if not has_data():
        return False
    df = query(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'marts' "
        "AND table_name = 'fct_composites'"
    )
    return (
        int(df["n"].iloc[0]) > 0
        and int(query("SELECT count(*) AS n FROM marts.fct_composites")["n"].iloc[0]) > 0
    )


def composite_years() -> list[int]:
    df = query("SELECT DISTINCT jaar FROM marts.fct_composites WHERE groep = 'samengesteld' ORDER BY jaar")
    return [int(y) for y in df["jaar"]]


def themes() -> pd.DataFrame:
    return query(
        "SELECT thema, titel FROM marts.dim_thema WHERE thema IN "
        "(SELECT thema FROM marts.dim_indicator WHERE gewicht > 0) ORDER BY thema"
    )


def indicators_catalogue() -> pd.DataFrame:
    return query("SELECT * FROM marts.dim_indicator ORDER BY thema, indicator")


# Every list of areas is scoped to one gemeente: the monitor is the municipality's own, and a national
# database (all ~13,000 buurten) must not put 3,300 wijken in one stuurgroep matrix. `IN_GEMEENTE` matches
# the gemeente part of a CBS code (GM0597 / WK059701 / BU05970100 -> 0597).
IN_GEMEENTE = "substr({col}, 3, 4) = substr(?, 3, 4)"


def _in(col: str) -> str:
    return IN_GEMEENTE.format(col=col)


def gemeenten() -> pd.DataFrame:
    """Gemeenten that have indicator results, the most complete first."""
    return query("""
        SELECT g.gebied_code, g.gebied_naam, count(c.gebied_code) AS resultaten
        FROM marts.dim_gebied AS g
        LEFT JOIN marts.fct_composites AS c ON c.gebied_code = g.gebied_code AND c.groep = 'samengesteld'
        WHERE g.niveau = 'gemeente'
        GROUP BY ALL
        ORDER BY resultaten DESC, g.gebied_code
    """)


def areas(niveau: str, gemeente: str) -> pd.DataFrame:
    return query(
        "SELECT gebied_code, gebied_naam, wijk_code, gemeente_code, geometrie FROM marts.dim_gebied "
        f"WHERE niveau = ? AND {_in('gebied_code')} ORDER BY gebied_code",
        niveau,
        gemeente,
    )


# ------------------------------------------------------------------------------------------ stuurgroep


def composites(niveau: str, jaar: int, groepen: list[str], gemeente: str) -> pd.DataFrame:
    """Composite scores of the given groups for every area of a level in one year: the score with its 95%
    interval, the raw two-sided test (p_waarde, verandering) and the Benjamini-Hochberg adjusted one
    (p_aangepast, verandering_aangepast), the verdict against the margin (oordeel) and the basket."""
    return query(
        f"""
        SELECT c.gebied_code, g.gebied_naam, c.groep, c.groep_type, c.score, c.ci_laag, c.ci_hoog, c.ondergrens,
               c.bovengrens, c.p_waarde, c.p_aangepast, c.verandering, c.verandering_aangepast, c.oordeel,
               c.detecteerbaar, c.dekking::INTEGER AS dekking, c.indicatoren, c.uitgesloten
        FROM marts.fct_composites AS c
        JOIN marts.dim_gebied AS g USING (gebied_code)
        WHERE c.niveau = ? AND c.jaar = ? AND list_contains(?, c.groep) AND {_in("c.gebied_code")}
        ORDER BY c.gebied_code
    """,
        niveau,
        jaar,
        groepen,
        gemeente,
    )


# The target verdict as of year $2 for target year $3 (any target year, not only the settings' one), by the
# engine's own rule: macro wm_doelstatus on the target year's one-sided bounds, or, before the target year,
# on the trend projected with wm_projectie_log / wm_projectie_se (indicators/sql/macros.sql). For the
# settings' target year this is marts.fct_doelen (tests/test_dashboard_pages.py checks that).
_TARGET_STATUS = """
    WITH s AS (
        SELECT * FROM marts.dim_instellingen
    ),
    c AS (
        SELECT * FROM marts.fct_composites
        WHERE niveau = $1 AND groep = $4 AND substr(gebied_code, 3, 4) = substr($5, 3, 4)
    ),
    doel AS (
        SELECT gebied_code, score AS doel_score, ci_laag AS doel_ci_laag, ci_hoog AS doel_ci_hoog,
               ondergrens AS doel_ondergrens, bovengrens AS doel_bovengrens, detecteerbaar AS doel_detecteerbaar,
               dekking::INTEGER AS doel_dekking, uitgesloten AS doel_uitgesloten
        FROM c
        WHERE jaar = $3
    ),
    nu AS (
        SELECT c.*,
               CASE WHEN $2 < $3 AND c.trendjaren >= 2
                    THEN wm_projectie_log(c.trend_ygem, c.helling, c.trend_xgem, $3, s.basisjaar) END AS proj_l,
               CASE WHEN $2 < $3
                    THEN wm_projectie_se(c.trend_s2, c.trendjaren, c.trend_sxx, c.trend_xgem, $3, s.basisjaar)
               END AS proj_se
        FROM c, s
        WHERE c.jaar = $2
    ),
    geprojecteerd AS (
        SELECT n.*,
               100 * exp(n.proj_l)                              AS projectie,
               100 * exp(n.proj_l - n.trend_t * n.proj_se)      AS projectie_laag,
               100 * exp(n.proj_l + n.trend_t * n.proj_se)      AS projectie_hoog
        FROM nu AS n
    )
    SELECT g.gebied_code, g.gebied_naam, g.geometrie, s.marge, 100 * (1 - s.marge) AS grens, n.score, n.ci_laag,
           n.ci_hoog, n.ondergrens, n.bovengrens, n.verandering, n.detecteerbaar, n.dekking::INTEGER AS dekking,
           n.uitgesloten, n.onderdrukt, coalesce(n.trendjaren, 0) AS trendjaren, n.projectie, n.projectie_laag,
           n.projectie_hoog, d.doel_score, d.doel_ci_laag, d.doel_ci_hoog, d.doel_ondergrens, d.doel_bovengrens,
           d.doel_detecteerbaar, d.doel_dekking, d.doel_uitgesloten,
           coalesce(wm_doelstatus($2, $3, s.marge, d.doel_ondergrens, d.doel_bovengrens, n.trendjaren,
                                  n.projectie_laag, n.projectie_hoog), 'geen data') AS status
    FROM marts.dim_gebied AS g
    CROSS JOIN s
    LEFT JOIN geprojecteerd AS n ON n.gebied_code = g.gebied_code
    LEFT JOIN doel AS d ON d.gebied_code = g.gebied_code
    WHERE g.niveau = $1 AND substr(g.gebied_code, 3, 4) = substr($5, 3, 4)
    ORDER BY g.gebied_code
"""


def target_status(niveau: str, jaar: int, doeljaar: int, groep: str, gemeente: str) -> pd.DataFrame:
    """Per area of a level: the status of 'doeljaar at least the baseline, within the margin' as of `jaar`.

    From the target year on: gehaald / niet gehaald / onbeslist by the target year's one-sided bounds
    (doel_ondergrens, doel_bovengrens) against `grens` = 100 (1 - marge); before it: op koers / uit koers /
    onzeker by the trend up to `jaar` projected to the target year with its 95% prediction interval
    (projectie, projectie_laag, projectie_hoog). Areas without a composite are 'geen data'.
    """
    return query(_TARGET_STATUS, niveau, int(jaar), int(doeljaar), groep, gemeente)


def composite_projection(gebied_code: str, groep: str, jaar: int, doeljaar: int) -> pd.DataFrame:
    """The trend line through one area's composite from the baseline up to `jaar`, year by year up to
    `doeljaar`, with the 95% prediction interval after `jaar` (the same macros as the target status).
    Empty when the trend has fewer than two years."""
    return query(
        """
        WITH s AS (SELECT * FROM marts.dim_instellingen),
        c AS (
            SELECT c.*, s.basisjaar FROM marts.fct_composites AS c, s
            WHERE c.gebied_code = $1 AND c.groep = $2 AND c.jaar = $3 AND c.trendjaren >= 2
        ),
        lijn AS (
            SELECT t.jaar,
                   wm_projectie_log(c.trend_ygem, c.helling, c.trend_xgem, t.jaar, c.basisjaar) AS l,
                   CASE WHEN t.jaar > $3
                        THEN wm_projectie_se(c.trend_s2, c.trendjaren, c.trend_sxx, c.trend_xgem, t.jaar, c.basisjaar)
                   END AS se,
                   c.trend_t
            FROM c, range(c.basisjaar, greatest($3, $4) + 1) AS t(jaar)
        )
        SELECT jaar, 100 * exp(l) AS projectie, 100 * exp(l - trend_t * se) AS projectie_laag,
               100 * exp(l + trend_t * se) AS projectie_hoog
        FROM lijn
        ORDER BY jaar
    """,
        gebied_code,
        groep,
        int(jaar),
        int(doeljaar),
    )


def excluded_indicators(gebied_code: str, jaar: int, indicatoren: list[str]) -> pd.DataFrame:
    """Why indicators are not in an area's composite basket in a year: not comparable with the baseline
    (a method break without a factor, a series that starts later), incomplete, or too few baseline events
    or respondents at this level (`basis_aantal` against setting minimum_basisgebeurtenissen)."""
    return query(
        """
        WITH s AS (SELECT * FROM marts.dim_instellingen)
        SELECT x.indicator, i.titel, i.onzekerheid,
               CASE
                   WHEN NOT x.vergelijkbaar THEN 'niet vergelijkbaar'
                   WHEN NOT x.volledig OR NOT coalesce(b.volledig, false) THEN 'onvolledig'
                   WHEN i.onzekerheid = 'poisson' THEN 'weinig gebeurtenissen'
                   ELSE 'weinig respondenten'
               END AS reden,
               CASE i.onzekerheid
                   WHEN 'poisson' THEN b.teller
                   WHEN 'binomiaal' THEN b.n_eff * least(b.waarde, 100 - b.waarde) / 100.0
                   ELSE b.n_eff
               END AS basis_aantal,
               b.n_eff AS basis_n_eff,
               s.minimum_basisgebeurtenissen AS minimum,
               (SELECT string_agg(m.jaar || ': ' || m.omschrijving, '; ' ORDER BY m.jaar)
                FROM marts.dim_methodebreuk AS m
                WHERE m.indicator = x.indicator AND m.omrekenfactor IS NULL
                  AND m.jaar > least(x.jaar, s.basisjaar) AND m.jaar <= greatest(x.jaar, s.basisjaar)) AS breuk
        FROM marts.fct_indicator_scores AS x
        CROSS JOIN s
        JOIN marts.dim_indicator AS i USING (indicator)
        LEFT JOIN marts.fct_indicator_scores AS b
            ON b.gebied_code = x.gebied_code AND b.indicator = x.indicator AND b.jaar = s.basisjaar
        WHERE x.gebied_code = $1 AND x.jaar = $2 AND list_contains($3, x.indicator)
        ORDER BY i.titel
    """,
        gebied_code,
        int(jaar),
        list(indicatoren),
    )


def composite_trend(niveau: str, groep: str, gemeente: str) -> pd.DataFrame:
    return query(
        f"""
        SELECT c.gebied_code, g.gebied_naam, c.jaar, c.score, c.ci_laag, c.ci_hoog
        FROM marts.fct_composites AS c
        JOIN marts.dim_gebied AS g USING (gebied_code)
        WHERE c.niveau = ? AND c.groep = ? AND {_in("c.gebied_code")}
        ORDER BY c.gebied_code, c.jaar
    """,
        niveau,
        groep,
        gemeente,
    )


def worst_indicators(niveau: str, jaar: int, gemeente: str, per_area: int = 2) -> pd.DataFrame:
    """Per area the indicators with the lowest scores in a year (for 'Aandacht nodig')."""
    return query(
        f"""
        SELECT s.gebied_code, s.indicator, i.titel, s.score, s.verandering
        FROM marts.fct_indicator_scores AS s
        JOIN marts.dim_indicator AS i USING (indicator)
        WHERE s.niveau = ? AND s.jaar = ? AND s.score IS NOT NULL AND i.gewicht > 0 AND {_in("s.gebied_code")}
        QUALIFY row_number() OVER (PARTITION BY s.gebied_code ORDER BY s.score, s.indicator) <= ?
        ORDER BY s.gebied_code, s.score
    """,
        niveau,
        jaar,
        gemeente,
        per_area,
    )


# ------------------------------------------------------------------------------------------ wijk / indicator


def indicator_series(gebied_codes: list[str], indicator: str | None = None) -> pd.DataFrame:
    """All indicator values of some areas (optionally one indicator), every year."""
    return query(
        """
        SELECT s.gebied_code, g.gebied_naam, s.niveau, s.indicator, s.jaar, s.waarde, s.teller, s.noemer, s.n, s.sd,
               s.n_eff, s.dekking, s.ci_laag, s.ci_hoog, s.basiswaarde, s.score, s.score_laag, s.score_hoog, s.z,
               s.p_waarde, s.verandering, s.in_samengesteld, s.onderdrukt, s.opmerking, s.volledig
        FROM marts.fct_indicator_scores AS s
        JOIN marts.dim_gebied AS g USING (gebied_code)
        WHERE list_contains(?, s.gebied_code) AND (? IS NULL OR s.indicator = ?)
        ORDER BY s.indicator, s.gebied_code, s.jaar
    """,
        gebied_codes,
        indicator,
        indicator,
    )


def indicator_level(indicator: str, niveau: str, gemeente: str) -> pd.DataFrame:
    """One indicator for every area of a level in a gemeente, every year, with names and geometry."""
    return query(
        f"""
        SELECT s.gebied_code, g.gebied_naam, g.geometrie, s.jaar, s.waarde, s.teller, s.noemer, s.n, s.n_eff,
               s.dekking, s.ci_laag, s.ci_hoog, s.basiswaarde, s.omrekenfactor, s.overdispersie, s.score,
               s.score_laag, s.score_hoog, s.p_waarde, s.verandering, s.in_samengesteld, s.onderdrukt, s.opmerking,
               s.omzetting, g.indeling
        FROM marts.fct_indicator_scores AS s
        JOIN marts.dim_gebied AS g USING (gebied_code)
        WHERE s.indicator = ? AND s.niveau = ? AND {_in("s.gebied_code")}
        ORDER BY s.gebied_code, s.jaar
    """,
        indicator,
        niveau,
        gemeente,
    )


def method_breaks(indicator: str) -> pd.DataFrame:
    """The method breaks of one indicator (marts.dim_methodebreuk): year, description, conversion factor."""
    return query(
        "SELECT jaar, omschrijving, omrekenfactor FROM marts.dim_methodebreuk WHERE indicator = ? ORDER BY jaar",
        indicator,
    )


def overdispersion(indicator: str, gemeente: str) -> pd.DataFrame:
    """The overdispersion (extra year-to-year variance sigma^2 of the log rate) used for a count indicator per
    level in a gemeente, with the number of year pairs it was estimated from and where it comes from."""
    return query(
        f"""
        SELECT niveau, paren, sigma2_geschat, sigma2, herkomst
        FROM marts.fct_overdispersie
        WHERE indicator = ? AND {_in("gemeente_code")}
        ORDER BY CASE niveau WHEN 'buurt' THEN 1 WHEN 'wijk' THEN 2 ELSE 3 END
    """,
        indicator,
        gemeente,
    )


HERKOMST_COLUMNS = [
    "load_id",
    "bron",
    "rol",
    "rijen",
    "van_jaar",
    "tot_jaar",
    "bestand",
    "partner",
    "sha256",
    "klaar",
    "gebruiker",
]


def herkomst(indicator: str | None, gebied_codes: list[str], jaar: int) -> pd.DataFrame:
    """The loads behind the values of one indicator (None: every indicator) for these areas in one year,
    traced back through the staging rows they came from (macro wm_herkomst in indicators/sql/macros.sql).
    A snapshot keeps no raw and staging rows: there the provenance is empty (its manifest names the build)."""
    src = source.current()
    if src is not None and src.snapshot is not None:
        return pd.DataFrame(columns=HERKOMST_COLUMNS)
    return query(
        """
        SELECT h.load_id, l.bestand, h.bron, l.partner, h.rol, h.rijen, h.van_jaar, h.tot_jaar, l.sha256,
               l.klaar, l.gebruiker
        FROM wm_herkomst(?, ?, ?) AS h
        LEFT JOIN meta.loads AS l USING (load_id)
        ORDER BY h.load_id, h.rol
    """,
        indicator,
        list(gebied_codes),
        int(jaar),
    )


# ------------------------------------------------------------------------------------------ regiegroep


def latest_month(gemeente: str) -> tuple[int, int] | None:
    df = query(f"SELECT max(periode) AS p FROM marts.fct_hotspots WHERE {_in('gebied_code')}", gemeente)
    if df.empty or pd.isna(df["p"].iloc[0]):
        return None
    p = pd.Timestamp(df["p"].iloc[0])
    return p.year, p.month


def recent_vs_earlier(maanden: int, tot: tuple[int, int], gemeente: str) -> pd.DataFrame:
    """Per wijk and watched series: the sum of the last `maanden` months up to `tot` against the mean of the
    same months in the previous three years."""
    year, month = tot
    end = year * 12 + month - 1
    return query(
        f"""
        WITH m AS (
            SELECT wijk_code, reeks, jaar, maand, aantal, jaar * 12 + maand - 1 AS nr
            FROM marts.fct_hotspots
            WHERE {_in("gebied_code")}
        ),
        recent AS (
            SELECT wijk_code, reeks, sum(aantal) AS recent FROM m WHERE nr BETWEEN ? - ? + 1 AND ? GROUP BY ALL
        ),
        eerder AS (
            SELECT wijk_code, reeks, sum(aantal) / 3.0 AS eerder FROM m
            WHERE (? - nr) BETWEEN 12 AND 47 AND (? - nr) % 12 < ? GROUP BY ALL
        )
        SELECT r.wijk_code, g.gebied_naam AS wijk_naam, r.reeks, r.recent, e.eerder
        FROM recent AS r
        LEFT JOIN eerder AS e USING (wijk_code, reeks)
        LEFT JOIN marts.dim_gebied AS g ON g.gebied_code = r.wijk_code
        ORDER BY r.reeks, r.wijk_code
    """,
        gemeente,
        end,
        maanden,
        end,
        end,
        end,
        maanden,
    )


def hotspot_signals(van: tuple[int, int], tot: tuple[int, int], gemeente: str) -> pd.DataFrame:
    return query(
        f"""
        SELECT h.gebied_code, g.gebied_naam, h.wijk_code, w.gebied_naam AS wijk_naam, h.bron, h.variabele, h.reeks,
               h.periode, h.aantal, h.verwacht, h.uitgesloten_maanden, h.p_waarde, h.p_aangepast, g.geometrie
        FROM marts.fct_hotspots AS h
        JOIN marts.dim_gebied AS g USING (gebied_code)
        LEFT JOIN marts.dim_gebied AS w ON w.gebied_code = h.wijk_code
        WHERE h.signaal AND h.periode BETWEEN make_date(?, ?, 1) AND make_date(?, ?, 1) AND {_in("h.gebied_code")}
        ORDER BY h.p_aangepast, h.p_waarde, h.periode DESC
    """,
        van[0],
        van[1],
        tot[0],
        tot[1],
        gemeente,
    )


def hotspot_calibration(gemeente: str) -> dict | None:
    """The false alarms a month the hotspot signal gives in this gemeente in a world without change, simulated
    at build time (marts.fct_hotspot_kalibratie); None when the gemeente has no tested series."""
    df = query(
        f"""
        SELECT getoetste_reeksen, replicaties, vals_alarm_per_maand, vals_alarm_se, dispersie,
               vals_alarm_dispersie, vals_alarm_dispersie_se
        FROM marts.fct_hotspot_kalibratie
        WHERE {_in("gemeente_code")}
    """,
        gemeente,
    )
    return df.iloc[0].to_dict() if not df.empty else None


def hotspot_history(gebied_code: str, variabele: str, vanaf_jaar: int) -> pd.DataFrame:
    return query(
        """
        SELECT periode, aantal, verwacht, signaal FROM marts.fct_hotspots
        WHERE gebied_code = ? AND variabele = ? AND jaar >= ? ORDER BY periode
    """,
        gebied_code,
        variabele,
        vanaf_jaar,
    )


def changed_since_previous(niveau: str, gemeente: str) -> pd.DataFrame:
    """Indicators whose latest value differs significantly from the previous measurement."""
    return query(
        f"""
        SELECT v.gebied_code, g.gebied_naam, v.indicator, i.titel, i.eenheid, v.jaar, v.vorig_jaar, v.waarde,
               v.vorige_waarde, v.verandering, v.z, v.onderdrukt
        FROM marts.fct_indicator_vorige AS v
        JOIN marts.dim_indicator AS i USING (indicator)
        JOIN marts.dim_gebied AS g USING (gebied_code)
        WHERE v.niveau = ? AND v.verandering <> 'gelijk' AND {_in("v.gebied_code")}
        QUALIFY v.jaar = max(v.jaar) OVER (PARTITION BY v.indicator, v.gebied_code)
            AND v.jaar = max(v.jaar) OVER (PARTITION BY v.indicator)
        ORDER BY abs(v.z) DESC
    """,
        niveau,
        gemeente,
    )


def setting_overrides() -> dict[str, str]:
    """The settings this database overrides (``meta.instellingen``: set by the beheerder or the command line)."""
    df = query("SELECT sleutel, waarde FROM meta.instellingen ORDER BY sleutel")
    return dict(zip(df["sleutel"], df["waarde"], strict=True)) if not df.empty else {}


# ---- recent weeks (police every 14 days)
# The police's recent figures per buurt and ISO week (partner source politie_week, delivered every 14 days for
# the burglary plan and the hotspot overleg): the regiegroep's "Laatste 14 dagen" (dashboard/recentsection.py),
# the 14-day signal (marts.fct_hotspots_14d) and the measured delivery rhythm (delivery_history).
WEEK_BRON = "politie_week"


def latest_week(gemeente: str) -> str | None:
    """The gemeente's latest delivered ISO week of the police's recent figures (``2025-W37``); None without."""
    df = query(
        f"""
        SELECT arg_max(periode, periode_start) AS periode FROM staging.stg_partner__waarnemingen
        WHERE bron = ? AND periode_type = 'week' AND vervangen_door IS NULL AND {_in("gebied_code")}
    """,
        WEEK_BRON,
        gemeente,
    )
    if df.empty or pd.isna(df["periode"].iloc[0]):
        return None
    return str(df["periode"].iloc[0])


def recent_weeks_vs_earlier(tot_week: str, gemeente: str) -> pd.DataFrame:
    """Per wijk and series of the weekly police figures: the count of the 14 days of ISO week ``tot_week``
    (e.g. ``2025-W37``) and the week before it, against the mean count of the same two ISO weeks in each of
    the three ISO years before that has both weeks delivered (in the gemeente; ``jaren_eerder`` says how many,
    0: ``eerder`` is NULL).

    Columns: wijk_code, wijk_naam, variabele, reeks, recent, eerder, jaren_eerder, weken (the two ISO weeks),
    van, tot (the 14 days)."""
    import datetime as dt

    year, week = int(tot_week[:4]), int(tot_week[-2:])
    last = dt.date.fromisocalendar(year, week, 1)
    first = last - dt.timedelta(days=7)
    fy, fw = first.isocalendar()[:2]
    return query(
        f"""
        WITH w AS (
            SELECT 'WK' || substr(gebied_code, 3, 6) AS wijk_code, variabele, jaar, periode_nr, periode, waarde
            FROM staging.stg_partner__waarnemingen
            WHERE bron = ? AND periode_type = 'week' AND vervangen_door IS NULL AND niveau = 'buurt'
              AND {_in("gebied_code")}
        ),
        -- k = 0: the two weeks themselves; k = 1..3: the same ISO weeks k years before
        gekozen AS (
            SELECT w.*, k.k FROM w
            JOIN (VALUES (0), (1), (2), (3)) AS k(k)
              ON (w.jaar = ? - k.k AND w.periode_nr = ?) OR (w.jaar = ? - k.k AND w.periode_nr = ?)
        ),
        -- a year counts when the gemeente has both of its weeks delivered
        jaren AS (
            SELECT k FROM gekozen GROUP BY k HAVING count(DISTINCT periode) = 2
        ),
        per_jaar AS (
            SELECT wijk_code, variabele, k, sum(waarde) AS aantal
            FROM gekozen SEMI JOIN jaren USING (k)
            GROUP BY ALL
        ),
        reeksen AS (SELECT DISTINCT wijk_code, variabele FROM w)
        SELECT r.wijk_code, g.gebied_naam AS wijk_naam, r.variabele, coalesce(v.titel, r.variabele) AS reeks,
               coalesce(max(p.aantal) FILTER (WHERE p.k = 0), 0) AS recent,
               sum(p.aantal) FILTER (WHERE p.k > 0) / nullif((SELECT count(*) FROM jaren WHERE k > 0), 0)
                   AS eerder,
               (SELECT count(*) FROM jaren WHERE k > 0) AS jaren_eerder,
               ? AS weken, ?::DATE AS van, ?::DATE AS tot
        FROM reeksen AS r
        LEFT JOIN per_jaar AS p USING (wijk_code, variabele)
        LEFT JOIN marts.dim_gebied AS g ON g.gebied_code = r.wijk_code
        LEFT JOIN marts.dim_variabele AS v ON v.bron = ? AND v.variabele = r.variabele
        WHERE EXISTS (SELECT 1 FROM jaren WHERE k = 0)
        GROUP BY r.wijk_code, g.gebied_naam, r.variabele, v.titel
        ORDER BY r.variabele, r.wijk_code
    """,
        WEEK_BRON,
        gemeente,
        fy,
        fw,
        year,
        week,
        f"{fy}-W{fw:02d} en {year}-W{week:02d}",
        first,
        last + dt.timedelta(days=6),
        WEEK_BRON,
    )


def hotspot_signals_14d(gemeente: str) -> pd.DataFrame:
    """The 14-day signals of the gemeente over the last year of windows (marts.fct_hotspots_14d), the latest
    window first; ``laatste``: the window is the gemeente's latest."""
    return query(
        f"""
        SELECT h.gebied_code, g.gebied_naam, h.wijk_code, w.gebied_naam AS wijk_naam, h.variabele, h.reeks,
               h.periode_start, h.periode_eind, h.weken, h.aantal, h.verwacht, h.vensters_eerder,
               h.uitgesloten_vensters, h.p_waarde, h.p_aangepast, h.load_id,
               h.periode_start = max(h.periode_start) OVER () AS laatste
        FROM marts.fct_hotspots_14d AS h
        LEFT JOIN marts.dim_gebied AS g USING (gebied_code)
        LEFT JOIN marts.dim_gebied AS w ON w.gebied_code = h.wijk_code
        WHERE {_in("h.gebied_code")}
        QUALIFY h.signaal
        ORDER BY h.periode_start DESC, h.p_aangepast, h.p_waarde
    """,
        gemeente,
    )


def delivery_history(bron: str) -> pd.DataFrame:
    """One row per active load of a partner source (``bron`` of the long template, e.g. ``politie_week``; or
    ``politie``, the CBS police tables): a load that was loaded and still holds current rows.

    Columns: load_id, bestand, geleverd_op (the delivery moment: the moment stated with the load by the
    command line or the demo, else the start of the load in meta.loads), geleverd_op_opgegeven (whether it
    was stated), eerste_periode and laatste_periode (the first and last period start date the load covers),
    rijen (its current rows), dagen_sinds_vorige (days since the previous delivery, NULL for the first).
    Ordered by geleverd_op."""
    if bron == "politie":
        rows = """SELECT load_id, make_date(jaar, coalesce(maand, 1), 1) AS periode_start
                  FROM staging.stg_politie__misdrijven WHERE vervangen_door IS NULL AND ? = 'politie'"""
    else:
        rows = """SELECT load_id, periode_start FROM staging.stg_partner__waarnemingen
                  WHERE vervangen_door IS NULL AND bron = ?"""
    return query(
        f"""
        WITH rijen AS ({rows}),
        per_load AS (
            SELECT load_id, min(periode_start) AS eerste_periode, max(periode_start) AS laatste_periode,
                   count(*) AS rijen
            FROM rijen GROUP BY load_id
        ),
        leveringen AS (
            SELECT l.load_id, l.bestand,
                   TRY_CAST(json_extract_string(l.validatie, '$.geleverd_op') AS TIMESTAMP) AS opgegeven,
                   coalesce(opgegeven, l.gestart) AS geleverd_op, opgegeven IS NOT NULL AS geleverd_op_opgegeven,
                   p.eerste_periode, p.laatste_periode, p.rijen
            FROM meta.loads AS l
            JOIN per_load AS p USING (load_id)
            WHERE l.status = 'geladen'
        )
        SELECT load_id, bestand, geleverd_op, geleverd_op_opgegeven, eerste_periode, laatste_periode, rijen,
               round((epoch(geleverd_op) - epoch(lag(geleverd_op) OVER (ORDER BY geleverd_op, load_id)))
                     / 86400.0, 1) AS dagen_sinds_vorige
        FROM leveringen
        ORDER BY geleverd_op, load_id
    """,
        bron,
    )


# ---- capacity (need inputs)
# What wijkmonitor/capacity.py needs for the need of every wijk (behoefte) in one year; the page passes this frame
# to capacity.need() (columns: capacity.INPUT_COLUMNS). The gemeente is matched as IN_GEMEENTE does, written with
# $2 because the statement refers to its parameters by number.
#
# Population: staging.stg_bevolking__kerncijfers, the one place inhabitants and households per area live (the
# marts carry them only as the denominators of some indicators, with coverage rules of their own). As
# int_waarnemingen_jaar does: rows that are not superseded, carried to the analysis division through
# marts.fct_omzetting (times its aandeel), the newest load per target area and year, unknown when any part is
# unknown; a delivered wijk value wins, else the sum of the wijk's buurten; then per measure the latest year up to
# $1 that has a value (inwoners_jaar, huishoudens_jaar).
_NEED_INPUTS = capacity.NEED_INPUTS_SQL  # one SQL text, also run by the demo's seeding


def need_inputs(jaar: int, gemeente: str) -> pd.DataFrame:
    """Everything the need of the wijken of a gemeente in one year rests on, as one long frame.

    Per wijk of the gemeente (marts.dim_gebied) one row per input, with the wijk's size repeated on each:
    gebied_code, gebied_naam, jaar, inwoners, inwoners_jaar, huishoudens, huishoudens_jaar (the latest year up to
    `jaar` with a value), invoer ('samengesteld' or 'thema': a composite score of fct_composites; 'indicator': a
    complete value of fct_indicator_scores), code (the group or indicator), score, waarde, gemeente_waarde (the
    gemeente's complete value of that indicator and year), polariteit and gewicht (dim_indicator). A wijk without
    any input has one row with invoer NULL.
    """
    return query(_NEED_INPUTS, int(jaar), gemeente)


def need_years(gemeente: str) -> list[int]:
    """The years in which the wijken of a gemeente have a composite score (the need's A), ascending."""
    df = query(
        "SELECT DISTINCT jaar FROM marts.fct_composites "
        f"WHERE niveau = 'wijk' AND groep = 'samengesteld' AND {_in('gebied_code')} ORDER BY jaar",
        gemeente,
    )
    return [int(y) for y in df["jaar"]] if not df.empty else []
