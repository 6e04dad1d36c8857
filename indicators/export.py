"""Exports of the marts (what leaves the building): small counts are suppressed here.

CSV for Dutch spreadsheets: `;` separated, decimal comma, UTF-8 with BOM. A row whose numerator is a count
from 1 to drempel-1 (`onderdrukt`) is written without its value, numerator, interval and score.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

KINDS = ("indicators", "composites", "targets")

QUERIES = {
    "indicators": """
        SELECT gebied_code, niveau, indicator, jaar, waarde, teller, noemer, ci_laag, ci_hoog, basiswaarde,
               score, verandering, onderdrukt, basis_onderdrukt, opmerking
        FROM marts.fct_indicator_scores
        WHERE list_contains(?, niveau)
        ORDER BY niveau DESC, gebied_code, indicator, jaar
    """,
    "composites": """
        SELECT gebied_code, niveau, groep AS thema, jaar, score, ci_laag, ci_hoog, verandering, dekking
        FROM marts.fct_composites
        WHERE list_contains(?, niveau)
        ORDER BY niveau DESC, gebied_code, groep_type DESC, groep, jaar
    """,
    "targets": """
        SELECT gebied_code, niveau, doeljaar, peiljaar, status
        FROM marts.fct_doelen
        WHERE list_contains(?, niveau) AND groep = 'samengesteld'
        QUALIFY peiljaar = max(peiljaar) OVER (PARTITION BY gebied_code)
        ORDER BY niveau DESC, gebied_code
    """,
}
HIDDEN_WHEN_SUPPRESSED = ["waarde", "teller", "noemer", "ci_laag", "ci_hoog", "score"]


def export_frame(
    con: duckdb.DuckDBPyConnection, kind: str, niveaus: tuple[str, ...] = ("gemeente", "wijk", "buurt")
) -> pd.DataFrame:
    """The rows of one export, suppression applied."""
    if kind not in KINDS:
        raise ValueError(f"onbekende export {kind!r}; kies uit {', '.join(KINDS)}")
    df = con.execute(QUERIES[kind], [list(niveaus)]).df()
    if kind == "indicators":
        df[HIDDEN_WHEN_SUPPRESSED] = df[HIDDEN_WHEN_SUPPRESSED].astype("float64")
        df.loc[df["onderdrukt"], HIDDEN_WHEN_SUPPRESSED] = float("nan")
        # a small baseline count would be revealed by the baseline value and the score
        df["basiswaarde"] = df["basiswaarde"].astype("float64")
        df.loc[df["basis_onderdrukt"], ["basiswaarde", "score"]] = float("nan")
    return df


def write_csv(df: pd.DataFrame, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, sep=";", decimal=",", index=False, encoding="utf-8-sig", float_format="%.6g")
    return out
