"""leefbaarometer: the Leefbaarometer 3.0 scores (BZK) per area and year: total score and its five dimensions.

Delivered per buurt, wijk or gemeente (the code column says which). Raw table ``raw.leefbaarometer__scores``;
staging model ``etl/sql/staging/stg_leefbaarometer__scores.sql``.
"""

from __future__ import annotations

import re

import duckdb

from etl.reader import Delivery, base_name, shown
from etl.sources.base import Options, Plan, match_columns
from etl.sources.checks import code_frame, key_frame, numbers_frame, year_frame
from etl.validation import Frame

KIND = "leefbaarometer"
REQUIRED = {"lbm3": ["jaar", "lbm"]}
OPTIONAL = {"lbm3": ["afw", "fys", "onv", "soc", "vrz", "won"]}


# Leefbaarometer 2.0 (editions up to 2018): score classes per edition (KL12 … KL18, 1-9) or a total score with
# the 2.0 dimensions, which include bewoners (bev) and veiligheid (vei) instead of 3.0's soc and onv.
_LBM2_CLASS = re.compile(r"kl[0-9]{2}")
_LBM2_DIMENSION = re.compile(r"dim_?[a-z]+|bev|vei")
_AREA_COLUMNS = {"bu_code", "wk_code", "gm_code", "buurtcode", "wijkcode", "gemeentecode", "gebied_code"}


def is_lbm2(names: set[str]) -> bool:
    """A Leefbaarometer 2.0 file: its classes and dimensions are not on the scale of 3.0 (refused)."""
    if {"onv", "soc"} <= names:
        return False  # the 3.0 dimensions
    classes = any(_LBM2_CLASS.fullmatch(n) for n in names) and bool(names & _AREA_COLUMNS)
    dimensions = bool(names & {"lbm", "rlbrmtr"}) and any(_LBM2_DIMENSION.fullmatch(n) for n in names)
    return classes or dimensions


def lbm2_refusal(columns: list[str]) -> str:
    """Why a Leefbaarometer 2.0 file is refused, and which file to download instead."""
    own = [
        c for c in columns if _LBM2_CLASS.fullmatch(base_name(c)) or _LBM2_DIMENSION.fullmatch(base_name(c))
    ]
    shown_cols = ", ".join(shown(c, 20) for c in own[:6])
    return (
        f"dit is een bestand van de Leefbaarometer 2.0 (kolommen {shown_cols}): die heeft andere "
        "dimensies en een andere schaal dan de Leefbaarometer 3.0, en de scores zijn niet met elkaar te "
        "vergelijken. De Wijkmonitor leest alleen de Leefbaarometer 3.0: download bij leefbaarometer.nl de "
        "open data 'Leefbaarometer 3.0' per buurt, wijk of gemeente, met de kolommen bu_code, wk_code of "
        "gm_code, jaar, lbm, afw, fys, onv, soc, vrz en won (de 3.0-reeks bevat ook eerdere jaren, zoals 2014 "
        "en 2018)."
    )


def is_lbm3(names: set[str]) -> bool:
    """A total score column and an area code column (bu_code, wk_code or gm_code)."""
    return "lbm" in names and bool(names & {"bu_code", "wk_code", "gm_code"})


def plan(
    delivery: Delivery, opts: Options, variant: str, cols: dict[str, str], idents: dict[str, str]
) -> Plan:
    def col(name: str) -> str:
        return idents.get(name, "NULL")

    lvl = next(p for p in ("bu", "wk", "gm") if p + "_code" in {base_name(c) for c in delivery.columns})
    cols.update(match_columns(delivery, [f"{lvl}_code", f"{lvl}_naam"]))
    idents.update({name: delivery.ident(label) for name, label in cols.items()})
    select = {"gebied_code": col(f"{lvl}_code"), "gebied_naam": col(f"{lvl}_naam"), "jaar": col("jaar")}
    select.update({c: col(c) for c in ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"]})
    return Plan(
        KIND,
        variant,
        "raw.leefbaarometer__scores",
        "BZK (Leefbaarometer)",
        cols,
        select,
        f"trim({col(f'{lvl}_code')})",
        f"TRY_CAST(trim({col('jaar')}) AS INTEGER)",
    )


def frames(con: duckdb.DuckDBPyConnection, plan: Plan, view: str) -> list[Frame]:
    """Area codes (not required to exist), years, scores (any sign) and duplicate keys."""
    c = plan.columns
    dims = [k for k in ("lbm", "afw", "fys", "onv", "soc", "vrz", "won") if k in c]
    return [
        code_frame(
            con,
            plan,
            view,
            c.get("bu_code") or c.get("wk_code") or c.get("gm_code", ""),
            must_exist=False,
        ),
        year_frame(plan, view, "2020"),
        numbers_frame(plan, view, dims, integer=False, nonnegative=False),
        key_frame(view, {"gebied": plan.code_expr, "jaar": plan.sql("jaar")}),
    ]


def variables() -> list[dict[str, str]]:
    """The total score: a stock that does not add up over areas."""
    return [
        {
            "bron": "leefbaarometer",
            "variabele": "lbm",
            "titel": "Leefbaarometer totaalscore",
            "eenheid": "score",
            "soort": "voorraad",
            "aggregatie": "geen",
        }
    ]
