"""Exports of the marts (what leaves the building), with disclosure control applied.

CSV for Dutch spreadsheets: `;` separated, decimal comma, UTF-8 with BOM.

Which rows are suppressed is decided in :mod:`indicators.disclosure` (``marts.fct_onderdrukking``: primary
suppression of counts 1 .. drempel - 1, and secondary suppression so that none can be recovered by
differencing). Here it is applied:

* indicators: a suppressed row publishes no value, count, denominator, interval, baseline value, score, score
  interval, z, p-value or verdict; a row whose baseline-year row is suppressed publishes nothing derived from
  the baseline (basiswaarde, score and its interval, z, p-value, verdict);
* composites: a composite whose basket contains such a row (this year or the baseline year) publishes no
  score, interval, bounds or verdict;
* targets: a target whose trend runs through such a composite (the overall composite of any year from the
  baseline to the peiljaar) publishes no numbers, only its status.

Every suppressed row says so in the column ``onderdrukt`` with one text for all reasons (``< 5 (hier of
elders)``: a count below the threshold in this row or in a related one that would give it away); primary and
secondary rows look alike on purpose (see :mod:`indicators.disclosure`). :func:`export_frame` returns that
column as a boolean (whether anything in the row is withheld) with the text beside it in
``onderdrukt_tekst``; :func:`write_csv` writes the text under ``onderdrukt``.

Every text cell that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is written with a leading apostrophe.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

KINDS = ("indicators", "composites", "targets")

# Column order of each export.
INDICATOR_COLUMNS = [
    "gebied_code",
    "niveau",
    "indicator",
    "jaar",
    "waarde",
    "teller",
    "noemer",
    "ci_laag",
    "ci_hoog",
    "basiswaarde",
    "score",
    "verandering",
    "onderdrukt",
    "score_laag",
    "score_hoog",
    "z",
    "p_waarde",
    "omzetting",
    "opmerking",
]
COMPOSITE_COLUMNS = [
    "gebied_code",
    "niveau",
    "thema",
    "jaar",
    "score",
    "ci_laag",
    "ci_hoog",
    "verandering",
    "dekking",
    "ondergrens",
    "bovengrens",
    "onderdrukt",
]
TARGET_COLUMNS = [
    "gebied_code",
    "niveau",
    "doeljaar",
    "peiljaar",
    "marge",
    "score",
    "ondergrens",
    "bovengrens",
    "projectie",
    "projectie_laag",
    "projectie_hoog",
    "status",
    "onderdrukt",
]

# What a suppressed row withholds.
HIDDEN_WHEN_SUPPRESSED = [
    "waarde",
    "teller",
    "noemer",
    "ci_laag",
    "ci_hoog",
    "basiswaarde",
    "score",
    "score_laag",
    "score_hoog",
    "z",
    "p_waarde",
    "verandering",
]
HIDDEN_WHEN_BASELINE_SUPPRESSED = [
    "basiswaarde",
    "score",
    "score_laag",
    "score_hoog",
    "z",
    "p_waarde",
    "verandering",
]
HIDDEN_COMPOSITE = ["score", "ci_laag", "ci_hoog", "ondergrens", "bovengrens", "verandering"]
HIDDEN_TARGET = ["score", "ondergrens", "bovengrens", "projectie", "projectie_laag", "projectie_hoog"]
# Remarks that depend on the count of the row or of its baseline (left out when that count is hidden).
COUNT_REMARKS = ("basiswaarde", "waarde is 0", "gebeurtenissen")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _texts(drempel: int) -> dict[str, str]:
    return {
        "rij": f"< {drempel} (hier of elders)",
        "basis": f"basisjaar < {drempel} (hier of elders)",
        "samengesteld": f"bevat een cijfer < {drempel} (hier of elders)",
    }


def export_frame(
    con: duckdb.DuckDBPyConnection, kind: str, niveaus: tuple[str, ...] = ("gemeente", "wijk", "buurt")
) -> pd.DataFrame:
    """The rows of one export, disclosure control applied (``onderdrukt``: whether anything is withheld)."""
    if kind not in KINDS:
        raise ValueError(f"onbekende export {kind!r}; kies uit {', '.join(KINDS)}")
    settings = con.execute("SELECT basisjaar, drempel FROM marts.dim_instellingen").df().iloc[0]
    basisjaar, drempel = int(settings["basisjaar"]), int(settings["drempel"])
    if kind == "indicators":
        return _indicators(con, list(niveaus), basisjaar, drempel)
    composites = _composites(con, drempel)
    if kind == "composites":
        out = composites[composites["niveau"].isin(niveaus)]
        return out[[*COMPOSITE_COLUMNS, "onderdrukt_tekst"]].reset_index(drop=True)
    return _targets(con, list(niveaus), composites, basisjaar, drempel)


def _expr(column: str) -> str:
    """An export column over fct_indicator_scores: how a value was carried onto the analysis division is text."""
    return "wm_omzetting_naam(s.omzetting) AS omzetting" if column == "omzetting" else "s." + column


def _indicators(
    con: duckdb.DuckDBPyConnection, niveaus: list[str], basisjaar: int, drempel: int
) -> pd.DataFrame:
    """The indicator rows with fct_onderdrukking's flag of the row itself and of its baseline-year row."""
    published = [c for c in INDICATOR_COLUMNS if c != "onderdrukt"]
    df = con.execute(
        f"""
        SELECT {", ".join(_expr(c) for c in published)},
               coalesce(o.onderdrukt, false) AS rij_onderdrukt,
               coalesce(ob.onderdrukt, false) AS basis_onderdrukt
        FROM marts.fct_indicator_scores AS s
        LEFT JOIN marts.fct_onderdrukking AS o USING (gebied_code, indicator, jaar)
        LEFT JOIN marts.fct_onderdrukking AS ob
            ON ob.gebied_code = s.gebied_code AND ob.indicator = s.indicator AND ob.jaar = ?
        WHERE list_contains(?, s.niveau)
        ORDER BY s.niveau DESC, s.gebied_code, s.indicator, s.jaar
        """,
        [basisjaar, niveaus],
    ).df()
    row = df.pop("rij_onderdrukt").to_numpy(dtype=bool)
    base = df.pop("basis_onderdrukt").to_numpy(dtype=bool)
    _blank(df, HIDDEN_WHEN_SUPPRESSED, row)
    _blank(df, HIDDEN_WHEN_BASELINE_SUPPRESSED, base)
    df["opmerking"] = pd.Series(
        [
            _without_count_remarks(o) if (r or b) else o
            for o, r, b in zip(df["opmerking"], row, base, strict=True)
        ],
        dtype="string",
    )
    texts = _texts(drempel)
    df.insert(df.columns.get_loc("verandering") + 1, "onderdrukt", row | base)
    df["onderdrukt_tekst"] = pd.Series(
        np.where(row, texts["rij"], np.where(base, texts["basis"], None)), dtype="string"
    )
    return df


def _without_count_remarks(remark) -> str | None:
    if remark is None or pd.isna(remark):
        return remark
    kept = [p for p in str(remark).split("; ") if not any(w in p for w in COUNT_REMARKS)]
    return "; ".join(kept) or None


def _composites(con: duckdb.DuckDBPyConnection, drempel: int) -> pd.DataFrame:
    """The composite rows; ``fct_composites.onderdrukt`` says which would reveal a suppressed count."""
    shown = [
        c for c in COMPOSITE_COLUMNS if c not in ("gebied_code", "niveau", "thema", "jaar", "onderdrukt")
    ]
    df = con.execute(
        f"SELECT gebied_code, niveau, groep AS thema, groep_type, jaar, {', '.join(shown)}, onderdrukt "
        "FROM marts.fct_composites ORDER BY niveau DESC, gebied_code, groep_type DESC, groep, jaar"
    ).df()
    suppressed = df["onderdrukt"].to_numpy(dtype=bool)
    _blank(df, HIDDEN_COMPOSITE, suppressed)
    df["onderdrukt_tekst"] = pd.Series(
        np.where(suppressed, _texts(drempel)["samengesteld"], None), dtype="string"
    )
    return df


def _targets(
    con: duckdb.DuckDBPyConnection, niveaus: list[str], composites: pd.DataFrame, basisjaar: int, drempel: int
) -> pd.DataFrame:
    wanted = [c for c in TARGET_COLUMNS if c != "onderdrukt"]
    df = con.execute(
        f"SELECT {', '.join(wanted)} FROM marts.fct_doelen "
        "WHERE list_contains(?, niveau) AND groep = 'samengesteld' "
        "QUALIFY peiljaar = max(peiljaar) OVER (PARTITION BY gebied_code) ORDER BY niveau DESC, gebied_code",
        [niveaus],
    ).df()
    overall = composites[(composites["thema"] == "samengesteld") & composites["onderdrukt"]]
    hidden_years: dict[str, list[int]] = {}
    for g, j in zip(overall["gebied_code"], overall["jaar"], strict=True):
        hidden_years.setdefault(g, []).append(int(j))
    # the target's score, bounds and projection come from the overall composites from the baseline year up to
    # the peiljaar (the trend line); one of them hidden hides them all
    suppressed = np.array(
        [
            any(basisjaar <= j <= int(p) for j in hidden_years.get(g, []))
            for g, p in zip(df["gebied_code"], df["peiljaar"], strict=True)
        ],
        bool,
    )
    _blank(df, HIDDEN_TARGET, suppressed)
    df["onderdrukt"] = suppressed
    df["onderdrukt_tekst"] = pd.Series(
        np.where(suppressed, _texts(drempel)["samengesteld"], None), dtype="string"
    )
    return df


def _blank(df: pd.DataFrame, columns: list[str], mask: np.ndarray) -> None:
    if not mask.any():
        return
    for c in columns:
        if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]):
            df[c] = df[c].astype("float64")
            df.loc[mask, c] = np.nan
        else:
            df[c] = df[c].astype("string")
            df.loc[mask, c] = pd.NA


def guard_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (CSV injection)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_string_dtype(out[c]) or out[c].dtype == object:
            out[c] = out[c].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v,
                na_action="ignore",
            )
    return out


def write_csv(df: pd.DataFrame, out: Path) -> Path:
    """Write an export: the ``onderdrukt`` text instead of the flag, formulas neutralised."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    df = df.copy()
    if "onderdrukt_tekst" in df:
        df["onderdrukt"] = df.pop("onderdrukt_tekst")
    guard_formulas(df).to_csv(
        out, sep=";", decimal=",", index=False, encoding="utf-8-sig", float_format="%.6g"
    )
    return out
