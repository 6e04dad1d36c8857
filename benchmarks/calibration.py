"""Calibration of the verdicts by simulation: a known world, the production build, the share of wrong calls.

The Wijkmonitor's claims are statistical ("gehaald", "niet gehaald", "slechter", a hotspot signal). This
module checks them the way the product brief asks: simulate many independent worlds whose truth is known, run
the real engine (``etl.build.build``) on them, and count how often the verdicts are wrong.

**The worlds.** ``simulate_world`` writes ``replicates`` independent gemeenten of demo size into one
warehouse, each shaped like the demo municipality of ``etl/demo.py`` (12 wijken x 4 buurten, the demo's wijk
profiles for population, crime, corporation, reports and survey levels, 2017-2025). Replicate r is gemeente
``GM{1000 + r}`` with wijken ``WK{gggg}{ww}`` and buurten ``BU{gggg}{ww}{bb}``. The rows go straight into the
raw tables (one synthetic ``meta.loads`` row per source, no file parsing), so the whole production path from
staging on runs.

* Every true rate and survey level is constant over the years (**no change**), per buurt (wijk for welzijn and
  the survey) and variable.
* Counts are overdispersed: Poisson(lambda x exp(e)) with e ~ N(-s^2/2, s^2) drawn independently per area x
  variable x year (s = ``dispersion``; E exp(e) = 1, so lambda stays the mean); optionally also a shock common
  to all areas of a gemeente per variable and year (``common_dispersion``, as the demo has since issue 11).
  Monthly series (``hotspots``) share their year's e, with the demo's seasonal pattern.
* Survey values carry sampling noise at n = 180..320 with a design effect (``design_effect``, delivered as
  ``n_effectief`` = n / deff). The
  polarity-aligned sampling errors of the five items of one wijk and year are correlated
  (``survey_correlation``, a Gaussian copula; percentages are exact binomial quantiles at the effective n).
  Means are delivered with two decimals, percentages with one.
* The survey's method break (``methodebreuken`` in indicators/catalogue.yaml): before the break year the
  delivered truth is the new-method truth / omrekenfactor, so that a pre-break value x factor is comparable.
  An item whose break has no factor keeps the same truth (the engine must leave it out anyway).
* ``shift`` = delta: from the target year (doeljaar) on, every composite indicator's truth is moved so that
  its polarity-aware score is 100 (1 - delta): lower-is-better numerators x 1/(1 - delta), higher-is-better
  survey levels x (1 - delta). Police codes that feed no weighted indicator of their own move with the total
  (0.0.0). The true composite is then exactly 100 (1 - delta) in the target year and after.

``kalibratie.gemeenten`` records which gemeente belongs to which world (shift, dispersion, seed), so one
warehouse can hold several worlds (``first_replicate``) and be built once.

**The figures.** ``calibration_figures`` reads the marts and returns, per world, the share of wijken per
target status (fct_doelen, overall composite, peiljaar = doeljaar), the composite's verdicts and mean score
per year and level (fct_composites), the mean change of the indicators in and out of the composite's basket,
the per-indicator placebo rate (fct_indicator_scores: verandering <> 'gelijk' where nothing changed) and the
hotspot false alarms (fct_hotspots) against the rate fct_hotspot_kalibratie states. Every share comes with its
Monte Carlo standard error, computed over replicates (the gemeente is the independent unit: wijken of one
gemeente share estimated overdispersion parameters, so they are not independent draws).

Run ``python benchmarks/calibration.py --replicates 300`` for the large version (tests/test_calibration.py
runs a small one); see benchmarks/README.md, section "Calibration".
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from scipy import special, stats

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from etl import demo  # noqa: E402
from indicators.catalogue import load_catalogue  # noqa: E402

YEARS = np.arange(demo.JAREN[0], demo.JAREN[-1] + 1)
SURVEY_YEARS = np.array(demo.ENQUETE_JAREN)
N_WIJK = len(demo.WIJKEN)
N_BUURT = 4
FIRST_CODE = 1000  # replicate r is gemeente GM{FIRST_CODE + r}

# The target statuses from the target year on (fct_doelen.status).
NEW_STATUSES = {"gehaald", "niet gehaald", "onbeslist", "geen data"}

# Crime codes delivered: rate per 1,000 (inhabitants or dwellings) at the national level, base, exponent on
# the wijk's crime level (etl/demo.py SOORTEN; the violent-crime codes the demo does not deliver get national
# rates from benchmarks/national_data.py). "Other" crime (shoplifting, fraud, ...) is not delivered on its
# own:
# it is in the total 0.0.0.
CRIME: dict[str, tuple[float, str, float]] = {
    "1.1.1": (4.0, "won", 0.4),
    "1.2.3": (6.5, "inw", 1.2),
    "1.4.1": (0.3, "inw", 1.0),
    "1.4.2": (0.05, "inw", 1.0),
    "1.4.3": (0.35, "inw", 1.2),
    "1.4.4": (1.5, "inw", 1.0),
    "1.4.5": (2.7, "inw", 1.0),
    "1.4.6": (0.35, "inw", 1.3),
    "1.4.7": (0.05, "inw", 1.0),
    "2.2.1": (5.0, "inw", 0.9),
}
SEASON = {
    ("politie", "1.1.1"): demo.SEIZOEN_INBRAAK,
    ("politie", "1.2.3"): demo.SEIZOEN_FIETS,
    ("politie", "2.2.1"): demo.SEIZOEN_VERNIELING,
    ("gemeente", "meldingen_overlast_jeugd"): demo.SEIZOEN_JEUGD,
}
# Survey items: (variabele, demo Wijk attribute, mean (sd given) or percentage)
SURVEY = (
    ("rapportcijfer_leefbaarheid", "cijfer", "gemiddelde"),
    ("sociale_cohesie", "cohesie", "gemiddelde"),
    ("onveilig_in_buurt", "onveilig", "percentage"),
    ("buurt_achteruitgegaan", "achteruit", "percentage"),
    ("verloedering", "verloedering", "percentage"),
)


@dataclass(frozen=True)
class World:
    """Parameters of one simulated world (everything ``simulate_world`` takes besides the connection)."""

    replicates: int
    seed: int
    shift: float = 0.0
    dispersion: float = 0.10
    design_effect: float = 1.3
    survey_correlation: float = 0.3
    hotspots: bool = True
    first_replicate: int = 0
    common_dispersion: float = 0.0


# ----------------------------------------------------------------------------------------------------------
# The catalogue: which variable moves how in the shifted world, the method breaks
# ----------------------------------------------------------------------------------------------------------


def _catalogue_facts() -> dict[str, Any]:
    cat = load_catalogue()
    s = cat["instellingen"]
    factor: dict[tuple[str, str], str] = {}  # (bron, variabele) -> polariteit of the weighted indicator
    breaks: dict[str, list[tuple[int, float | None]]] = {}
    for ind in cat["indicatoren"].values():
        t = ind["teller"]
        for br in ind.get("methodebreuken", []):
            for v in t["variabelen"]:
                breaks.setdefault(v, []).append((int(br["jaar"]), br.get("omrekenfactor")))
        if ind.get("gewicht", 0) <= 0:
            continue
        for v in list(t["variabelen"]) + list(t.get("min_variabelen", [])):
            previous = factor.setdefault((t["bron"], v), ind["polariteit"])
            if previous != ind["polariteit"]:
                raise ValueError(f"{t['bron']}/{v} feeds indicators of opposite polarity")
    return {"settings": s, "polarity": factor, "breaks": breaks}


def _shift_multiplier(polarity: str | None, shift: float) -> float:
    if polarity is None or shift == 0:
        return 1.0
    return 1.0 / (1.0 - shift) if polarity == "lager_is_beter" else 1.0 - shift


# ----------------------------------------------------------------------------------------------------------
# The world (numpy, vectorised over replicates x areas x years)
# ----------------------------------------------------------------------------------------------------------


def _codes(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gemeente, wijk and buurt codes: arrays of R, R x 12 and R x 12 x 4."""
    g = np.array([f"{FIRST_CODE + world.first_replicate + r:04d}" for r in range(world.replicates)])
    gm = np.char.add("GM", g)
    ww = np.array([f"{w.nr:02d}" for w in demo.WIJKEN])
    wk = np.char.add(np.char.add("WK", g[:, None]), ww[None, :])
    bb = np.array([f"{b:02d}" for b in range(1, N_BUURT + 1)])
    bu = np.char.add(np.char.add(np.char.add("BU", g[:, None, None]), ww[None, :, None]), bb[None, None, :])
    return gm, wk, bu


def _overdispersed(rng: np.random.Generator, lam: np.ndarray, s: float, year_axis_shape: tuple) -> np.ndarray:
    """Poisson(lam x exp(e)), e ~ N(-s^2/2, s^2); e has shape ``year_axis_shape`` (broadcast over months)."""
    e = rng.normal(-s * s / 2, s, size=year_axis_shape) if s > 0 else np.zeros(year_axis_shape)
    mult = np.exp(e)
    while mult.ndim < lam.ndim:
        mult = mult[..., None]
    return rng.poisson(lam * mult)


def _generate(world: World) -> dict[str, pd.DataFrame]:
    """All delivered rows of one world as numeric frames (one per raw table / source)."""
    facts = _catalogue_facts()
    target_year = int(facts["settings"]["doeljaar"])
    rng = np.random.default_rng([world.seed, world.first_replicate, 20191])
    R, W, B, Y = world.replicates, N_WIJK, N_BUURT, len(YEARS)
    gm, wk, bu = _codes(world)
    after = (target_year <= YEARS).astype(float)  # years whose truth is shifted

    def shifted(bron: str, variabele: str) -> np.ndarray:
        """Multiplier per year (Y,) on a variable's truth."""
        pol = facts["polarity"].get((bron, variabele))
        if bron == "politie" and pol is None:
            pol = facts["polarity"].get(("politie", "0.0.0"))  # part of "overige misdrijven"
        m = _shift_multiplier(pol, world.shift)
        return 1.0 + (m - 1.0) * after

    # ---- population per buurt and year (demo kinds: sizes, growth, household size)
    kinds = [demo.KINDS[w.kind] for w in demo.WIJKEN]
    lo = np.array([k.inwoners[0] for k in kinds], dtype=float)[None, :, None]
    hi = np.array([k.inwoners[1] for k in kinds], dtype=float)[None, :, None]
    groei = np.array([k.groei for k in kinds])[None, :, None]
    hhsize = np.array([k.huishoudgrootte for k in kinds])[None, :, None] * rng.uniform(0.95, 1.05, (R, W, B))
    base = rng.uniform(lo, hi, (R, W, B))
    t = (YEARS - YEARS[0])[None, None, None, :]
    inw = np.round(base[..., None] * (1 + groei[..., None]) ** t)  # (R, W, B, Y)
    hh = np.round(inw / hhsize[..., None])
    won = np.round(hh * rng.uniform(1.02, 1.04, (R, W, B))[..., None])

    frames: dict[str, pd.DataFrame] = {}
    bu_y = np.broadcast_to(bu[..., None], inw.shape)
    yr = np.broadcast_to(YEARS, inw.shape)
    frames["bevolking"] = pd.DataFrame(
        {
            "gebied_code": bu_y.ravel(),
            "jaar": yr.ravel(),
            "inwoners": inw.ravel(),
            "huishoudens": hh.ravel(),
            "woningen": won.ravel(),
        }
    )

    s = world.dispersion
    months = np.arange(1, 13)

    def deliver_counts(
        bron: str, variabele: str, codes: np.ndarray, lam_year: np.ndarray
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """Counts for one variable: yearly rows, or monthly rows for a hotspot series (shared yearly e).

        Returns the rows and the yearly counts (in the shape of ``lam_year``).
        """
        lam_year = lam_year * shifted(bron, variabele)
        if world.common_dispersion > 0:  # one shock per gemeente, variable and year, common to its areas
            c = world.common_dispersion
            shock = np.exp(rng.normal(-c * c / 2, c, (R, Y)))
            lam_year = lam_year * shock.reshape((R,) + (1,) * (lam_year.ndim - 2) + (Y,))
        if world.hotspots and (bron, variabele) in SEASON:
            lam = lam_year[..., None] * SEASON[(bron, variabele)] / 12.0  # (..., Y, 12)
            counts = _overdispersed(rng, lam, s, lam_year.shape)
            yearly = counts.sum(axis=-1)
            maand = np.broadcast_to(months, counts.shape).ravel()
            jaar = np.broadcast_to(YEARS[:, None], counts.shape).ravel()
            codes_b = np.broadcast_to(codes[..., None, None], counts.shape).ravel()
        else:
            counts = _overdispersed(rng, lam_year, s, lam_year.shape)
            yearly = counts
            maand = np.zeros(counts.size, dtype=np.int64)
            jaar = np.broadcast_to(YEARS, counts.shape).ravel()
            codes_b = np.broadcast_to(codes[..., None], counts.shape).ravel()
        df = pd.DataFrame(
            {
                "gebied_code": codes_b,
                "jaar": jaar,
                "maand": maand,
                "waarde": counts.ravel(),
                "variabele": variabele,
            }
        )
        return df, yearly

    # ---- police: per buurt, the wijk's crime level x a buurt factor; total 0.0.0 = listed + other
    misdrijven = np.array([w.misdrijven for w in demo.WIJKEN])[None, :, None]
    mult = misdrijven / demo.NATIONAAL_MISDRIJVEN * rng.lognormal(0.0, 0.12, (R, W, B))
    politie = []
    listed_lam = np.zeros(inw.shape)
    total = np.zeros(inw.shape)
    for code, (rate, basis, exponent) in CRIME.items():
        denom = won if basis == "won" else inw
        lam = rate * mult[..., None] ** exponent * denom / 1000.0
        listed_lam += lam
        df, yearly = deliver_counts("politie", code, bu, lam)
        politie.append(df)
        total += yearly
    lam_total = demo.NATIONAAL_MISDRIJVEN * mult[..., None] * inw / 1000.0
    lam_other = np.maximum(lam_total - listed_lam, 0.3 * lam_total)
    if world.common_dispersion > 0:
        c = world.common_dispersion
        lam_other = lam_other * np.exp(rng.normal(-c * c / 2, c, (R, 1, 1, Y)))
    other = _overdispersed(rng, lam_other * shifted("politie", "0.0.0"), s, lam_other.shape)
    politie.append(
        pd.DataFrame(
            {
                "gebied_code": bu_y.ravel(),
                "jaar": yr.ravel(),
                "maand": 0,
                "waarde": (total + other).ravel(),
                "variabele": "0.0.0",
            }
        )
    )
    frames["politie"] = pd.concat(politie, ignore_index=True)

    # ---- corporatie (per buurt; the demo's buurten without corporation housing have none)
    koop = np.array(
        [
            [f"{w.nr:02d}{b:02d}" in {c[6:] for c in demo.KOOPBUURTEN} for b in range(1, B + 1)]
            for w in demo.WIJKEN
        ]
    )
    huur_lo = np.array([w.huur[0] for w in demo.WIJKEN])[None, :, None]
    huur_hi = np.array([w.huur[1] for w in demo.WIJKEN])[None, :, None]
    share = np.where(koop[None], 0.0, rng.uniform(huur_lo, huur_hi + 1e-9, (R, W, B)))
    huur = np.round(won[..., :1] * share[..., None]) * np.ones(Y)  # constant stock (truth constant)
    overlast = np.array([w.overlast_corp for w in demo.WIJKEN])[None, :, None] * rng.uniform(
        0.85, 1.15, (R, W, B)
    )
    achterstand = np.array([w.achterstand for w in demo.WIJKEN])[None, :, None] * rng.uniform(
        0.85, 1.15, (R, W, B)
    )
    rates = {
        "overlastmeldingen": overlast / 100.0,
        "huurders_met_achterstand": achterstand / 100.0,
        "verhuizingen": rng.uniform(0.07, 0.09, (R, W, B)),
        "leegstaande_woningen": rng.uniform(0.005, 0.015, (R, W, B)),
    }
    has = np.broadcast_to(~koop[None, :, :, None], huur.shape).ravel()
    corp = [
        pd.DataFrame(
            {
                "gebied_code": bu_y.ravel(),
                "jaar": yr.ravel(),
                "maand": 0,
                "waarde": huur.ravel(),
                "variabele": "huurwoningen",
            }
        )
    ]
    for var, rate in rates.items():
        corp.append(deliver_counts("corporatie", var, bu, rate[..., None] * huur)[0][has])
    frames["corporatie"] = pd.concat(corp, ignore_index=True)

    # ---- gemeente reports (per buurt): position in the demo's range follows the wijk's crime level
    pos = np.clip((misdrijven - 24.0) / (90.0 - 24.0), 0.0, 1.0)
    gem = []
    for var in ("meldingen_openbare_ruimte", "meldingen_overlast_jeugd"):
        (lo_r, hi_r), _, _ = demo.MELDINGEN[var]
        rate = (lo_r + (hi_r - lo_r) * pos) * rng.uniform(0.85, 1.15, (R, W, B))
        gem.append(deliver_counts("gemeente", var, bu, rate[..., None] * inw / 1000.0)[0])
    frames["gemeente"] = pd.concat(gem, ignore_index=True)

    # ---- welzijn (per wijk): buurtbemiddeling per 1,000 households
    hh_wk = hh.sum(axis=2)  # (R, W, Y)
    bemiddeling = rng.uniform(2.0, 5.0, (R, W))
    frames["welzijn"] = deliver_counts(
        "welzijn", "buurtbemiddeling_zaken", wk, bemiddeling[..., None] * hh_wk / 1000.0
    )[0]

    # ---- enquete (per wijk, survey years): correlated polarity-aligned sampling errors, method break
    S = len(SURVEY_YEARS)
    n = rng.integers(180, 321, (R, W, S))
    deff = world.design_effect
    n_eff = n / deff
    rho = world.survey_correlation
    common = rng.standard_normal((R, W, S))
    rows = []
    for var, attr, kind in SURVEY:
        pol = facts["polarity"].get(("enquete", var))
        if pol is None:
            pol = next(
                i["polariteit"]
                for i in load_catalogue()["indicatoren"].values()
                if i["teller"]["bron"] == "enquete" and var in i["teller"]["variabelen"]
            )
        sign = 1.0 if pol == "hoger_is_beter" else -1.0
        z = sign * (math.sqrt(rho) * common + math.sqrt(1 - rho) * rng.standard_normal((R, W, S)))
        level = np.array([getattr(w, attr) for w in demo.WIJKEN], dtype=float)[None, :, None]
        jitter = rng.normal(0.0, 0.1 if kind == "gemiddelde" else 1.0, (R, W, 1))
        truth = np.broadcast_to(level + jitter, (R, W, S)).copy()
        # method break: before the break year the old method measures truth / factor
        for jaar, factor in facts["breaks"].get(var, []):
            if factor is not None:
                truth = np.where(SURVEY_YEARS[None, None, :] < jaar, truth / factor, truth)
        m = _shift_multiplier(pol, world.shift)
        truth = np.where(SURVEY_YEARS[None, None, :] >= target_year, truth * m, truth)
        if kind == "gemiddelde":
            sd_true = (
                np.array([w.sd_cijfer for w in demo.WIJKEN])[None, :, None] * np.ones((R, 1, S))
                if var == "rapportcijfer_leefbaarheid"
                else rng.uniform(1.5, 2.0, (R, W, 1)) * np.ones(S)
            )
            value = truth + z * sd_true * np.sqrt(deff / n)
            sd = sd_true * np.sqrt(rng.chisquare(n - 1) / (n - 1))
            value = np.round(np.clip(value, 0.0, 10.0), 2)
        else:
            m_eff = np.maximum(np.round(n_eff), 1)
            p = np.clip(truth / 100.0, 1e-6, 1 - 1e-6)
            value = np.round(100.0 * stats.binom.ppf(special.ndtr(z), m_eff, p) / m_eff, 1)
            sd = np.full((R, W, S), np.nan)
        rows.append(
            pd.DataFrame(
                {
                    "gebied_code": np.broadcast_to(wk[..., None], (R, W, S)).ravel(),
                    "jaar": np.broadcast_to(SURVEY_YEARS, (R, W, S)).ravel(),
                    "variabele": var,
                    "waarde": value.ravel(),
                    "n": n.ravel(),
                    "n_effectief": np.round(n_eff, 1).ravel(),
                    "sd": np.round(sd, 3).ravel(),
                }
            )
        )
    frames["enquete"] = pd.concat(rows, ignore_index=True)
    return frames


# ----------------------------------------------------------------------------------------------------------
# Into the raw tables
# ----------------------------------------------------------------------------------------------------------


def _connect(con_or_path: duckdb.DuckDBPyConnection | str | Path) -> tuple[duckdb.DuckDBPyConnection, bool]:
    if isinstance(con_or_path, duckdb.DuckDBPyConnection):
        return con_or_path, False
    return duckdb.connect(str(con_or_path)), True


def _load_row(con: duckdb.DuckDBPyConnection, bronsoort: str, partner: str, rows: int, world: World) -> int:
    load_id = con.execute("SELECT nextval('meta.load_id_seq')").fetchone()[0]
    con.execute(
        "INSERT INTO meta.loads (load_id, bestand, pad, kopie, sha256, bronsoort, variant, partner, rijen, "
        "rijen_geladen, gestart, klaar, status, gebruiker, validatie, opmerking) "
        "VALUES (?, ?, NULL, NULL, ?, ?, 'simulatie', ?, ?, ?, now(), now(), 'geladen', 'kalibratie', NULL, "
        "?)",
        [
            load_id,
            f"kalibratie_{bronsoort}_{partner}.sim",
            f"sim-{world.seed}-{world.first_replicate}",
            bronsoort,
            partner,
            rows,
            rows,
            f"gesimuleerde wereld: {world.replicates} gemeenten, shift {world.shift}, "
            f"spreiding {world.dispersion}",
        ],
    )
    return int(load_id)


def _insert(con: duckdb.DuckDBPyConnection, table: str, select: str, df: pd.DataFrame) -> None:
    """INSERT BY NAME ``select`` over ``df`` (as ``_sim_df``, with ``rij``: the file line, 2 = first row)."""
    con.register("_sim_df", df.assign(rij=np.arange(2, len(df) + 2, dtype=np.int32)))
    try:
        con.execute(f"INSERT INTO {table} BY NAME {select}")
    finally:
        con.unregister("_sim_df")


def _write_raw(
    con: duckdb.DuckDBPyConnection, world: World, frames: dict[str, pd.DataFrame]
) -> dict[str, int]:
    from etl.build import ensure_schema

    ensure_schema(con)
    rows: dict[str, int] = {}
    num = "CAST(CAST({c} AS BIGINT) AS VARCHAR)"

    df = frames["bevolking"]
    lid = _load_row(con, "bevolking", "gemeente", len(df), world)
    _insert(
        con,
        "raw.gemeente__bevolking",
        f"""
        SELECT gebied_code, CAST(jaar AS VARCHAR) AS jaar, {num.format(c="inwoners")} AS inwoners,
               {num.format(c="huishoudens")} AS huishoudens, {num.format(c="woningen")} AS woningen,
               {lid} AS _load_id, rij AS _rij
        FROM _sim_df""",
        df,
    )
    rows["bevolking"] = len(df)

    df = frames["politie"]
    lid = _load_row(con, "politie", "politie", len(df), world)
    _insert(
        con,
        "raw.politie__misdrijven",
        f"""
        SELECT CAST(rij - 2 AS VARCHAR) AS "ID", variabele AS "SoortMisdrijf",
               gebied_code AS "WijkenEnBuurten",
               CASE WHEN maand = 0 THEN CAST(jaar AS VARCHAR) || 'JJ00'
                    ELSE CAST(jaar AS VARCHAR) || 'MM' || lpad(CAST(maand AS VARCHAR), 2, '0')
               END AS "Perioden",
               {num.format(c="waarde")} AS "GeregistreerdeMisdrijven", 'Buurt' AS "SoortRegio",
               {lid} AS _load_id, rij AS _rij
        FROM _sim_df""",
        df,
    )
    rows["politie"] = len(df)

    for bron in ("corporatie", "gemeente", "welzijn", "enquete"):
        df = frames[bron]
        survey = bron == "enquete"
        if survey:
            df = df.assign(maand=0)
        partner = {"corporatie": "woningcorporatie", "welzijn": "welzijnsorganisatie"}.get(bron, bron)
        lid = _load_row(con, "partner", partner, len(df), world)
        extra = ""
        if survey:
            extra = """CAST(CAST(n AS BIGINT) AS VARCHAR) AS n,
                       CASE WHEN NOT isnan(sd) THEN CAST(sd AS VARCHAR) END AS sd,
                       CAST(n_effectief AS VARCHAR) AS n_effectief,"""
        _insert(
            con,
            "raw.partner__waarnemingen",
            f"""
            SELECT '{bron}' AS bron, gebied_code,
                   CASE WHEN maand > 0
                        THEN CAST(jaar AS VARCHAR) || '-' || lpad(CAST(maand AS VARCHAR), 2, '0')
                        ELSE CAST(jaar AS VARCHAR) END AS periode,
                   variabele,
                   {"CAST(waarde AS VARCHAR)" if survey else num.format(c="waarde")} AS waarde,
                   {extra}
                   {lid} AS _load_id, rij AS _rij
            FROM _sim_df""",
            df,
        )
        rows[bron] = len(df)
    return rows


def _record_world(con: duckdb.DuckDBPyConnection, world: World) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS kalibratie")
    con.execute(
        "CREATE TABLE IF NOT EXISTS kalibratie.gemeenten (gemeente_code VARCHAR PRIMARY KEY, "
        "replicaat INTEGER, "
        "shift DOUBLE, spreiding DOUBLE, spreiding_gemeente DOUBLE, ontwerpeffect DOUBLE, "
        "enquete_correlatie DOUBLE, seed BIGINT)"
    )
    gm, _, _ = _codes(world)
    df = pd.DataFrame({"gemeente_code": gm, "replicaat": np.arange(world.replicates) + world.first_replicate})
    _insert(
        con,
        "kalibratie.gemeenten",
        f"""
        SELECT gemeente_code, replicaat, {world.shift} AS shift, {world.dispersion} AS spreiding,
               {world.common_dispersion} AS spreiding_gemeente,
               {world.design_effect} AS ontwerpeffect, {world.survey_correlation} AS enquete_correlatie,
               {world.seed} AS seed
        FROM _sim_df""",
        df,
    )


def simulate_world(
    con_or_path: duckdb.DuckDBPyConnection | str | Path,
    replicates: int,
    seed: int,
    shift: float = 0.0,
    dispersion: float = 0.10,
    *,
    design_effect: float = 1.3,
    survey_correlation: float = 0.3,
    hotspots: bool = True,
    first_replicate: int = 0,
    common_dispersion: float = 0.0,
    build: bool = True,
) -> dict[str, Any]:
    """Write ``replicates`` simulated gemeenten into the raw tables and (``build``) run the production build.

    ``first_replicate`` numbers the gemeenten (GM{1000 + first_replicate + r}), so that several worlds can
    share one warehouse: call once per world with ``build=False`` and disjoint numbers, then
    ``etl.build.build(con)``.
    Returns the rows written per source and the seconds for generation, raw insert and build.
    """
    world = World(
        replicates,
        seed,
        shift,
        dispersion,
        design_effect,
        survey_correlation,
        hotspots,
        first_replicate,
        common_dispersion,
    )
    con, own = _connect(con_or_path)
    try:
        t0 = time.perf_counter()
        frames = _generate(world)
        t1 = time.perf_counter()
        rows = _write_raw(con, world, frames)
        _record_world(con, world)
        t2 = time.perf_counter()
        if build:
            from etl.build import build as run_build

            run_build(con)
        t3 = time.perf_counter()
    finally:
        if own:
            con.close()
    return {"rows": rows, "generate_s": t1 - t0, "raw_s": t2 - t1, "build_s": t3 - t2}


# ----------------------------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------------------------


def _share(per_rep: pd.DataFrame, hits: str, total: str) -> dict[str, float]:
    """Pooled share sum(hits) / sum(total) with its Monte Carlo SE over replicates (ratio estimator)."""
    x = per_rep[hits].to_numpy(float)
    n = per_rep[total].to_numpy(float)
    R = len(x)
    if R == 0 or n.sum() == 0:
        return {"p": float("nan"), "se": float("nan"), "n": 0, "replicates": R}
    p = x.sum() / n.sum()
    se = math.sqrt(((x - p * n) ** 2).sum() * R / max(R - 1, 1)) / n.sum() if R > 1 else float("nan")
    return {"p": float(p), "se": float(se), "n": int(n.sum()), "replicates": R}


def _mean(per_rep: pd.DataFrame, total: str, count: str) -> dict[str, float]:
    """Pooled mean sum(total) / sum(count) with its Monte Carlo SE over replicates."""
    out = _share(per_rep, total, count)
    return {"mean": out["p"], "se": out["se"], "n": out["n"], "replicates": out["replicates"]}


def calibration_figures(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The calibration figures per world (``shift``) from the built marts; see the module docstring."""
    settings = con.execute("SELECT basisjaar, doeljaar FROM marts.dim_instellingen").fetchone()
    basisjaar, doeljaar = int(settings[0]), int(settings[1])
    worlds = [
        r[0] for r in con.execute("SELECT DISTINCT shift FROM kalibratie.gemeenten ORDER BY shift").fetchall()
    ]
    result: dict[str, Any] = {
        "basisjaar": basisjaar,
        "doeljaar": doeljaar,
        "worlds": {},
    }
    gm = "JOIN kalibratie.gemeenten AS k ON k.gemeente_code = 'GM' || substr(x.gebied_code, 3, 4)"
    for shift in worlds:
        w: dict[str, Any] = {"shift": shift}
        w["replicates"] = con.execute(
            "SELECT count(*) FROM kalibratie.gemeenten WHERE shift = ?", [shift]
        ).fetchone()[0]

        # (1)/(2)/(5) target status per wijk, overall composite, peiljaar = doeljaar
        per = con.execute(
            f"""
            SELECT k.gemeente_code, count(*) AS wijken,
                   count(*) FILTER (WHERE status = 'gehaald') AS gehaald,
                   count(*) FILTER (WHERE status = 'niet gehaald') AS niet_gehaald,
                   count(*) FILTER (WHERE status = 'onbeslist') AS onbeslist,
                   count(*) FILTER (WHERE status = 'geen data') AS geen_data,
                   count(*) FILTER (WHERE status NOT IN ('gehaald', 'niet gehaald', 'onbeslist', 'geen data'))
                       AS anders
            FROM marts.fct_doelen AS x {gm}
            WHERE k.shift = ? AND x.niveau = 'wijk' AND x.groep = 'samengesteld' AND x.peiljaar = ?
            GROUP BY ALL""",
            [shift, doeljaar],
        ).df()
        w["status_wijk"] = {
            s: _share(per, s, "wijken")
            for s in ("gehaald", "niet_gehaald", "onbeslist", "geen_data", "anders")
        }
        w["statuses_seen"] = sorted(
            r[0]
            for r in con.execute(
                f"""
            SELECT DISTINCT status FROM marts.fct_doelen AS x {gm}
            WHERE k.shift = ? AND x.niveau = 'wijk' AND x.peiljaar = ?""",
                [shift, doeljaar],
            ).fetchall()
        )

        # composite verdicts and mean score per year (wijk level, overall composite)
        per = con.execute(
            f"""
            SELECT k.gemeente_code, x.jaar, count(*) AS wijken, count(x.score) AS met_score,
                   sum(x.score) AS som,
                   count(*) FILTER (WHERE x.verandering = 'slechter') AS slechter,
                   count(*) FILTER (WHERE x.verandering = 'beter') AS beter
            FROM marts.fct_composites AS x {gm}
            WHERE k.shift = ? AND x.niveau = 'wijk' AND x.groep = 'samengesteld'
            GROUP BY ALL""",
            [shift],
        ).df()
        w["composite"] = {
            int(j): {
                "mean_score": _mean(g, "som", "met_score"),
                "slechter": _share(g, "slechter", "wijken"),
                "beter": _share(g, "beter", "wijken"),
            }
            for j, g in per.groupby("jaar")
        }
        # the composite's mean where the truth equals the baseline, per level (every year but the base year in
        # the no-change world, the years before the target year in the shifted one); score and log scale
        per = con.execute(
            f"""
            SELECT k.gemeente_code, x.niveau, count(x.score) AS met_score, sum(x.score) AS som,
                   sum(x.log_verschil) AS som_l
            FROM marts.fct_composites AS x {gm}
            WHERE k.shift = ? AND x.groep = 'samengesteld' AND x.jaar <> ? AND (x.jaar < ? OR ? = 0)
            GROUP BY ALL""",
            [shift, basisjaar, doeljaar, shift],
        ).df()
        w["composite_mean_unchanged"] = {
            lv: {"score": _mean(g, "som", "met_score"), "log_verschil": _mean(g, "som_l", "met_score")}
            for lv, g in per.groupby("niveau")
        }
        # the wijk composite from the target year on (true score 100 (1 - shift) in those years)
        per = con.execute(
            f"""
            SELECT k.gemeente_code, count(x.score) AS met_score, sum(x.score) AS som
            FROM marts.fct_composites AS x {gm}
            WHERE k.shift = ? AND x.niveau = 'wijk' AND x.groep = 'samengesteld' AND x.jaar >= ?
            GROUP BY ALL""",
            [shift, doeljaar],
        ).df()
        w["composite_mean_from_target_year"] = _mean(per, "som", "met_score")

        # why the mean may be off: the mean change (log scale) of the indicators that entered the composite
        # against all usable ones with a weight (selection of the basket on the baseline's own count)
        per = con.execute(
            f"""
            SELECT k.gemeente_code, x.niveau,
                   count(*) AS bruikbaar, sum(x.log_verschil) AS som_l,
                   count(*) FILTER (WHERE x.in_samengesteld) AS in_basket,
                   sum(x.log_verschil) FILTER (WHERE x.in_samengesteld) AS som_l_in
            FROM marts.fct_indicator_scores AS x {gm}
            JOIN marts.dim_indicator AS i USING (indicator)
            WHERE k.shift = ? AND i.gewicht > 0 AND x.log_verschil IS NOT NULL AND x.jaar <> ?
              AND (x.jaar < ? OR ? = 0)
            GROUP BY ALL""",
            [shift, basisjaar, doeljaar, shift],
        ).df()
        w["indicator_log_verschil"] = {
            lv: {
                "all_usable": _mean(g, "som_l", "bruikbaar"),
                "in_composite": _mean(g.fillna({"som_l_in": 0}), "som_l_in", "in_basket"),
                "share_in_composite": _share(g, "in_basket", "bruikbaar"),
            }
            for lv, g in per.groupby("niveau")
        }

        # (4) placebo: per-indicator verdicts against the base year (only meaningful where nothing changed)
        per = con.execute(
            f"""
            SELECT k.gemeente_code, x.niveau, x.indicator, i.onzekerheid,
                   CASE WHEN x.jaar < ? THEN 'voor' ELSE 'na' END AS periode,
                   count(*) AS oordelen,
                   count(*) FILTER (WHERE x.verandering <> 'gelijk') AS niet_gelijk,
                   count(*) FILTER (WHERE x.verandering = 'slechter') AS slechter
            FROM marts.fct_indicator_scores AS x {gm}
            JOIN marts.dim_indicator AS i USING (indicator)
            WHERE k.shift = ? AND x.verandering IS NOT NULL AND x.jaar <> ? AND i.onzekerheid <> 'geen'
              AND (x.jaar < ? OR ? = 0)
            GROUP BY ALL""",
            [basisjaar, shift, basisjaar, doeljaar, shift],
        ).df()
        placebo: dict[str, Any] = {}
        for key, sel in {
            "alle": per,
            **{f"niveau={lv}": per[per["niveau"] == lv] for lv in ("buurt", "wijk", "gemeente")},
            **{f"onzekerheid={u}": per[per["onzekerheid"] == u] for u in sorted(per["onzekerheid"].unique())},
            "voor basisjaar": per[per["periode"] == "voor"],
            "na basisjaar": per[per["periode"] == "na"],
        }.items():
            g = sel.groupby("gemeente_code")[["oordelen", "niet_gelijk", "slechter"]].sum().reset_index()
            placebo[key] = _share(g, "niet_gelijk", "oordelen")
        w["placebo_indicator"] = placebo
        # per indicator at wijk level: an average near 5% can hide indicators above it
        wijk = per[per["niveau"] == "wijk"]
        w["placebo_per_indicator_wijk"] = {
            ind: _share(
                g.groupby("gemeente_code")[["oordelen", "niet_gelijk"]].sum().reset_index(),
                "niet_gelijk",
                "oordelen",
            )
            for ind, g in wijk.groupby("indicator")
        }

        # hotspot false alarms: only in a world without change (every signal is false), per gemeente-month,
        # against what fct_hotspot_kalibratie states for the gemeente
        if shift == 0:
            per = con.execute(f"""
                SELECT k.gemeente_code, count(*) AS getoetst, count(*) FILTER (WHERE x.signaal) AS signalen,
                       count(DISTINCT x.jaar * 100 + x.maand) AS maanden,
                       count(DISTINCT x.jaar * 100 + x.maand) FILTER (WHERE x.signaal) AS maanden_met_signaal
                FROM marts.fct_hotspots AS x {gm}
                WHERE k.shift = 0 AND x.p_waarde IS NOT NULL
                GROUP BY ALL""").df()
            if len(per):
                w["hotspot"] = {
                    "signals_per_month": _mean(per, "signalen", "maanden"),
                    "signal_per_test": _share(per, "signalen", "getoetst"),
                    "month_with_any_signal": _share(per, "maanden_met_signaal", "maanden"),
                }
                stated = con.execute(
                    """
                    SELECT avg(x.vals_alarm_per_maand), stddev_samp(x.vals_alarm_per_maand) / sqrt(count(*)),
                           avg(x.vals_alarm_dispersie), stddev_samp(x.vals_alarm_dispersie) / sqrt(count(*)),
                           count(*)
                    FROM marts.fct_hotspot_kalibratie AS x
                    JOIN kalibratie.gemeenten AS k USING (gemeente_code)
                    WHERE k.shift = 0"""
                ).fetchone()
                for k, col in enumerate(("vals_alarm_per_maand", "vals_alarm_dispersie")):
                    w["hotspot"][f"stated_{col}"] = {
                        "mean": stated[2 * k],
                        "se": stated[2 * k + 1],
                        "n": stated[4],
                        "replicates": stated[4],
                    }
        result["worlds"][f"{shift:g}"] = w
    return result


def run(
    replicates: int,
    seed: int,
    shift: float = 0.05,
    dispersion: float = 0.10,
    hotspots: bool = True,
    path: str | Path | None = None,
    **world: Any,
) -> dict[str, Any]:
    """Both worlds (no change and ``shift``) in one warehouse (in memory unless ``path``), one build."""
    t0 = time.perf_counter()
    con = duckdb.connect(str(path) if path else ":memory:")
    con.execute("SET enable_progress_bar = false")
    try:
        a = simulate_world(con, replicates, seed, 0.0, dispersion, hotspots=hotspots, build=False, **world)
        b = simulate_world(
            con,
            replicates,
            seed + 1,
            shift,
            dispersion,
            hotspots=False,
            build=False,
            first_replicate=replicates,
            **world,
        )
        from etl.build import build

        t1 = time.perf_counter()
        timings = build(con)
        t2 = time.perf_counter()
        figures = calibration_figures(con)
        t3 = time.perf_counter()
    finally:
        con.close()
    figures["timing"] = {
        "simulate_s": a["generate_s"] + a["raw_s"] + b["generate_s"] + b["raw_s"],
        "build_s": t2 - t1,
        "figures_s": t3 - t2,
        "total_s": t3 - t0,
        "slowest_steps": dict(sorted(timings.items(), key=lambda kv: -kv[1])[:5]),
    }
    figures["rows"] = {"no_change": a["rows"], "shifted": b["rows"]}
    figures["parameters"] = {
        "replicates": replicates,
        "seed": seed,
        "shift": shift,
        "dispersion": dispersion,
        "hotspots": hotspots,
        **world,
    }
    return figures


def _fmt(share: dict[str, float]) -> str:
    if "mean" in share:
        return f"{share['mean']:.3f} ± {share['se']:.3f} (n={share['n']})"
    return f"{100 * share['p']:.2f}% ± {100 * share['se']:.2f} (n={share['n']})"


def report(fig: dict[str, Any]) -> str:
    """The figures as plain text (what the benchmark prints)."""
    lines = []
    doeljaar = fig["doeljaar"]
    for key, w in fig["worlds"].items():
        lines.append(f"== world shift={key} ({w['replicates']} gemeenten x {N_WIJK} wijken)")
        lines.append(f"   statuses seen at peiljaar {doeljaar}: {w['statuses_seen']}")
        for s, v in w["status_wijk"].items():
            if v["n"]:
                lines.append(f"   P(status={s:<12}) per wijk, peiljaar {doeljaar}: {_fmt(v)}")
        for j, c in w["composite"].items():
            lines.append(
                f"   {j}: composite mean {_fmt(c['mean_score'])}; slechter {_fmt(c['slechter'])}; "
                f"beter {_fmt(c['beter'])}"
            )
        lines.append(
            f"   wijk composite mean from the target year on: {_fmt(w['composite_mean_from_target_year'])}"
        )
        for lv, v in w["composite_mean_unchanged"].items():
            lines.append(
                f"   composite mean where truth = baseline, {lv}: {_fmt(v['score'])}; "
                f"log scale {_fmt(v['log_verschil'])}"
            )
        for lv, v in w.get("indicator_log_verschil", {}).items():
            lines.append(
                f"   indicator L (truth = baseline), {lv}: all usable {_fmt(v['all_usable'])}, in composite "
                f"{_fmt(v['in_composite'])}, share in composite {_fmt(v['share_in_composite'])}"
            )
        for k, v in w.get("placebo_per_indicator_wijk", {}).items():
            lines.append(f"   placebo per indicator, wijk, {k}: {_fmt(v)}")
        for k, v in w["placebo_indicator"].items():
            if v["n"]:
                lines.append(f"   placebo (indicator verandering <> gelijk) {k}: {_fmt(v)}")
        for k, v in w.get("hotspot", {}).items():
            lines.append(f"   hotspot {k}: {_fmt(v)}")
    t = fig.get("timing")
    if t:
        lines.append(
            f"timing: simulate {t['simulate_s']:.1f} s, build {t['build_s']:.1f} s, figures "
            f"{t['figures_s']:.1f} s, total {t['total_s']:.1f} s; slowest steps "
            + ", ".join(f"{k} {v:.1f} s" for k, v in t["slowest_steps"].items())
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicates", type=int, default=300, help="gemeenten per world (default 300)")
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--shift", type=float, default=None, help="delta of the shifted world (default: marge)")
    ap.add_argument("--dispersion", type=float, default=0.10, help="SD of the yearly log-rate noise")
    ap.add_argument("--design-effect", type=float, default=1.3)
    ap.add_argument("--survey-correlation", type=float, default=0.3)
    ap.add_argument("--common-dispersion", type=float, default=0.0, help="SD of a gemeente-wide yearly shock")
    ap.add_argument("--no-hotspots", action="store_true", help="yearly police and report rows only")
    ap.add_argument("--db", help="keep the warehouse in this file (default: in memory)")
    ap.add_argument("--json", help="write the figures as JSON to this file")
    args = ap.parse_args(argv)
    shift = args.shift if args.shift is not None else float(load_catalogue()["instellingen"]["marge"])
    fig = run(
        args.replicates,
        args.seed,
        shift,
        args.dispersion,
        not args.no_hotspots,
        args.db,
        design_effect=args.design_effect,
        survey_correlation=args.survey_correlation,
        common_dispersion=args.common_dispersion,
    )
    print(report(fig))
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
