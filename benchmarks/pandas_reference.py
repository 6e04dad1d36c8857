"""An independent re-implementation of the indicator engine in plain pandas, and its comparison with the marts.

``pandas_marts(con)`` computes the indicator marts from a database's staging layer the way an analyst would:
pull the tables with ``.df()``, then groupby / merge / merge_asof / cumsum, scipy for the exact Poisson and
Student quantiles. It follows the formulas documented in the headers of ``indicators/sql/**/*.sql`` (same
outputs, same NULL rules) with its own, naive algorithms, and it is independent of the engine: it imports
nothing from ``indicators`` or ``etl``, reads no SQL file and calls no SQL macro or registered function. Its
inputs are the database's ``staging`` tables and ``marts.dim_variabele`` (built by the ETL from the
registries before the indicator engine runs; one area division, so carrying values between divisions is the
identity: tests/test_indelingen.py pins the carrying), ``meta.instellingen``,
``indicators/catalogue.yaml`` (the indicator definitions and settings, read as YAML here) and
``marts.fct_onderdrukking`` (the secondary suppression of ``indicators/disclosure.py``, an iterative search
with an audit that is not re-implemented here: the composites read it as an input, as they do in the build).

What it mirrors, step by step:

* int_waarnemingen_jaar: yearly values (flows summed, stocks the last period, police months summed unless a
  yearly figure is published), survey n, sd and effective sample size (delivered ``n_effectief``, else
  n / ``ontwerpeffect_standaard``), population carried forward;
* int_waarnemingen: a delivered value wins; otherwise buurten -> wijk -> gemeente sums (survey figures
  n-weighted, pooled sd, summed n_eff);
* int_indicator_waarden: signed numerator components (``min_variabelen``), denominators of the same or the
  nearest earlier year, coverage-consistent rates above buurt level (numerator and denominator over the same
  areas, ``dekking``) and population-weighted gemeente survey values with their effective sample size;
* fct_overdispersie: the between-year variance of the log rate per gemeente, indicator and level;
* fct_indicator_scores / fct_indicator_vorige: the log scale (x + 1/2), Var L with 2 sigma^2 for counts,
  method breaks converted by their factor (or not comparable), no caps, in_samengesteld. A negative count (a
  difference such as overige misdrijven when the total is below its listed parts) has no log value here, so
  no score, no verdict and no place in a composite; the engine's NaN counts as a value there (a known
  difference, ``tests/test_pandas_reference.py``);
* fct_composites: the weighted log composite with the survey covariance, objectief/subjectief 50/50, the
  two- and one-sided bounds, Benjamini-Hochberg ``p_aangepast``, ``oordeel``, ``detecteerbaar``, the
  excluded indicators, suppression and the running least-squares sums of the trend;
* fct_doelen: the target status (non-inferiority with ``marge``; the projection with its prediction interval).

``compare(con, out, rows, seed)`` checks its result against the marts the indicator steps of ``etl.build``
wrote: the row count of every mart and, per mart, the rows by key and every column the mart and the pandas
result both have, with a tolerance of 1e-9 + 1e-9 x |value| on numbers (sums run in parallel in DuckDB, so
the last digits differ between builds), exact equality on verdicts, remarks and flags (NULL only equals
NULL), lists exactly (both sides sort them). A mart column the pandas result lacks is reported. With
``sample_rows`` (the benchmark) it compares a random sample of the large marts and the gemeente rows of the
others; with ``sample_rows=None`` (the test suite, ``tests/test_pandas_reference.py``) every row.

Used by ``bench_indicators.py`` (timing and the check at national scale) and the test suite (on the demo
database). On its own::

    .venv/bin/python benchmarks/pandas_reference.py path/to/database.duckdb   # every row; exit 1 on a difference

When the SQL changes, the comparison says which columns differ: check which side follows the documented
formula before changing ``pandas_marts``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import numpy as np
    import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "indicators" / "catalogue.yaml"
SAMPLE_ROWS = 1_000
RTOL, ATOL = 1e-9, 1e-9
# The marts the reference computes, with the key of a row.
MART_KEYS = {
    "fct_overdispersie": ["gemeente_code", "indicator", "niveau"],
    "fct_indicator_scores": ["gebied_code", "indicator", "jaar"],
    "fct_indicator_vorige": ["gebied_code", "indicator", "jaar"],
    "fct_composites": ["gebied_code", "groep", "groep_type", "jaar"],
    "fct_doelen": ["gebied_code", "groep", "peiljaar"],
    "fct_hotspots": ["gebied_code", "bron", "variabele", "jaar", "maand"],
}
MARTS = list(MART_KEYS)
# Engine marts the reference does not compute, and why.
NOT_COMPUTED = {
    "fct_onderdrukking": "secondary suppression with an audit (indicators/disclosure.py): read as an input",
    "fct_hotspot_kalibratie": "Monte Carlo false-alarm rate of the hotspot rule (simulation, fixed seeds)",
    # not yet: the monthly signal's test on two-week windows of the weekly police figures (the same
    # indicators.hotspots.run_window; tests/test_recent_weeks.py checks it on constructed cases)
    "fct_hotspots_14d": "the 14-day signal: no independent reimplementation yet (see tests/test_recent_weeks.py)",
}
# Marts compared on their gemeente rows only when sampling (the benchmark); the others on a random sample.
GEMEENTE_SAMPLED = {"fct_composites", "fct_doelen"}
SETTING_KEYS = (
    "basisjaar",
    "doeljaar",
    "onderdrukking_drempel",
    "betrouwbaarheid",
    "marge",
    "fdr_matrix",
    "enquete_correlatie",
    "ontwerpeffect_standaard",
    "minimum_basisgebeurtenissen",
    "overdispersie_min_paren",
    "jaarvariatie_standaard",
    "hotspot_fdr",
    "hotspot_minimum",
    "hotspot_jaren",
    "hotspot_maanden",
)
FLOAT_SETTINGS = (
    "betrouwbaarheid",
    "marge",
    "fdr_matrix",
    "enquete_correlatie",
    "ontwerpeffect_standaard",
    "jaarvariatie_standaard",
    "hotspot_fdr",
)
Z_POWER_80 = 0.8416212335729143  # standard normal quantile at 0.80: the power of `detecteerbaar`


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


# ------------------------------------------------------------------------------------- catalogue and settings


@cache
def load_catalogue() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


def read_settings(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The catalogue's settings, overridden by the database's meta.instellingen (where set)."""
    import duckdb

    settings = dict(load_catalogue()["instellingen"])
    try:
        overrides = con.execute("SELECT sleutel, waarde FROM meta.instellingen").fetchall()
    except duckdb.Error:
        overrides = []
    for key, value in overrides:
        if key in SETTING_KEYS and value not in (None, ""):
            settings[key] = float(value) if key in FLOAT_SETTINGS else int(value)
    return {k: settings[k] for k in SETTING_KEYS}


def catalogue_tables(settings: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The catalogue as the tables the computation joins: indicators, signed components, method breaks, ..."""
    import pandas as pd
    from scipy import stats

    cat = load_catalogue()
    indicators, components, breaks = [], [], []
    for code, ind in cat["indicatoren"].items():
        indicators.append(
            {
                "indicator": code,
                "thema": ind["thema"],
                "soort": ind["soort"],
                "polariteit": ind["polariteit"],
                "onzekerheid": ind["onzekerheid"],
                "niveaus": list(ind["niveaus"]),
                "gewicht": float(ind["gewicht"]),
                "factor": float(ind.get("factor", 1)),
                "heeft_noemer": "noemer" in ind,
                "vergelijkbaar_vanaf": int(ind["vergelijkbaar_vanaf"]),
            }
        )
        for role in ("teller", "noemer"):
            part = ind.get(role, {})
            for key, sign in (("variabelen", 1), ("min_variabelen", -1)):
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
            factor = brk.get("omrekenfactor")
            breaks.append(
                {
                    "indicator": code,
                    "breukjaar": int(brk["jaar"]),
                    "omrekenfactor": float("nan") if factor is None else float(factor),
                }
            )
    conf = settings["betrouwbaarheid"]
    inst = {
        "basisjaar": settings["basisjaar"],
        "doeljaar": settings["doeljaar"],
        "drempel": settings["onderdrukking_drempel"],
        "betrouwbaarheid": conf,
        "z": float(stats.norm.ppf(0.5 + conf / 2)),  # two-sided critical value
        "z_eenzijdig": float(stats.norm.ppf(conf)),  # one-sided: the bounds of the target verdict
        **{k: settings[k] for k in SETTING_KEYS[4:]},
    }
    return {
        "dim_indicator": pd.DataFrame(indicators),
        "dim_indicator_component": pd.DataFrame(components),
        "dim_methodebreuk": pd.DataFrame(breaks, columns=["indicator", "breukjaar", "omrekenfactor"]),
        "dim_hotspot_reeks": pd.DataFrame(cat["hotspot_reeksen"], columns=["bron", "variabele", "titel"]),
        "dim_instellingen": pd.DataFrame([inst]),
    }


# ------------------------------------------------------------------------------------------------ helpers


def _round(x: Any, digits: int) -> np.ndarray:
    """Round half away from zero (as SQL's round does; numpy's round goes to even)."""
    import numpy as np

    m = 10.0**digits
    v = np.asarray(x, dtype="float64")
    return np.sign(v) * np.floor(np.abs(v) * m + 0.5) / m


def _kleene(x: Any) -> pd.arrays.BooleanArray:
    """A three-valued (SQL) boolean: True / False / NA, with NaN inputs of a comparison as NA."""
    import pandas as pd

    return pd.array(x, dtype="boolean")


def _cmp(a: Any, op: str, b: Any) -> pd.arrays.BooleanArray:
    """``a op b`` as SQL compares: NULL (NaN) on either side gives NULL."""
    import numpy as np
    import pandas as pd

    a = np.asarray(a, dtype="float64")
    b = np.broadcast_to(np.asarray(b, dtype="float64"), a.shape)
    with np.errstate(invalid="ignore"):
        r = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b}[op]
    return pd.arrays.BooleanArray(r, np.isnan(a) | np.isnan(b))


def _logwaarde(onz: pd.Series, teller: Any, noemer: Any, waarde: Any, n_eff: Any) -> np.ndarray:
    """The log of a value as the tests compare it: ln((x + 1/2)/N) for a count (N = 1 without a denominator),
    ln((k + 1/2)/(n + 1)) with k = p n for a percentage (n the effective sample size), else ln(value) (NULL at 0).
    """
    import numpy as np

    t, w, n = (np.asarray(v, dtype="float64") for v in (teller, waarde, n_eff))
    nm = np.asarray(noemer, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        pois = np.log((t + 0.5) / np.where(np.isnan(nm), 1.0, nm))
        binom = np.log((w / 100.0 * n + 0.5) / (n + 1))
        other = np.log(np.where(w == 0, np.nan, w))
    return np.select([onz == "poisson", onz == "binomiaal"], [pois, binom], default=other)


def _logvar(onz: pd.Series, teller: Any, waarde: Any, n_eff: Any, sd: Any) -> np.ndarray:
    """Sampling variance of that log: 1/(x + 1/2); (1 - p)/(n p) with p = (k + 1/2)/(n + 1); sd^2/(n mean^2)."""
    import numpy as np

    t, w, n, s = (np.asarray(v, dtype="float64") for v in (teller, waarde, n_eff, sd))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (w / 100.0 * n + 0.5) / (n + 1)
        return np.select(
            [onz == "poisson", onz == "binomiaal", onz == "gemiddelde"],
            [1.0 / (t + 0.5), (1 - p) / (n * p), s * s / (n * np.where(w == 0, np.nan, w * w))],
            default=np.nan,
        )


def _oordeel(z_beter: Any, z_kritiek: float) -> np.ndarray:
    """beter / gelijk / slechter from a polarity-aligned test statistic (NULL counts as gelijk)."""
    import numpy as np

    z = np.asarray(z_beter, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.select([z > z_kritiek, z < -z_kritiek], ["beter", "slechter"], default="gelijk").astype(
            object
        )


def _p_two_sided(z: Any) -> np.ndarray:
    import numpy as np
    from scipy import special

    return 2 * special.ndtr(-np.abs(np.asarray(z, dtype="float64")))


def _breaks(pairs: pd.DataFrame, breuken: pd.DataFrame, lo: str, hi: str) -> pd.DataFrame:
    """Per (indicator, lo, hi) of ``pairs``: the method breaks in (lo, hi]: whether all have a factor, their
    product, and the break years ("2021, 2023"). Only pairs with at least one break are returned."""
    import numpy as np

    p = pairs[["indicator", lo, hi]].drop_duplicates()
    m = p.merge(breuken, on="indicator")
    m = m[(m["breukjaar"] > m[lo]) & (m["breukjaar"] <= m[hi])].sort_values("breukjaar")
    g = m.groupby(["indicator", lo, hi], sort=False)
    out = g.agg(
        omrekenbaar=("omrekenfactor", lambda f: bool(f.notna().all())),
        ln_f=("omrekenfactor", lambda f: float(np.log(f).sum(min_count=1))),
        breukjaren=("breukjaar", lambda j: ", ".join(str(int(x)) for x in j)),
    )
    return out.reset_index()


# ------------------------------------------------------------------------------------------- the computation


def pandas_marts(
    con: duckdb.DuckDBPyConnection,
) -> tuple[dict[str, pd.DataFrame], dict[str, int], dict[str, float], dict[str, int]]:
    """The indicator marts computed the way an analyst would in pandas: pull the tables, groupby / merge.

    Follows the documented formulas of indicators/sql/**/*.sql step by step (same outputs, same NULL rules).
    Intermediates are dropped once they are not needed any more (``del``), as one does when a notebook runs
    short of memory. Returns the fact tables the check compares, the row count of every mart, and seconds and
    peak RSS so far per step ("pull" = the staging tables into pandas).
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    steps: dict[str, float] = {}
    peaks: dict[str, int] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        steps[name] = now - t
        peaks[name] = _peak_bytes()
        t = now

    politie = con.sql(
        "SELECT gebied_code, niveau, soort_misdrijf, jaar, periode_type, maand, aantal, load_id, "
        "vervangen_door "
        "FROM staging.stg_politie__misdrijven"
    ).df()
    partner = con.sql(
        "SELECT bron, gebied_code, niveau, jaar, periode_type, periode_nr, variabele, waarde, n, sd, "
        "n_effectief, load_id, vervangen_door FROM staging.stg_partner__waarnemingen"
    ).df()
    bevolking = con.sql(
        "SELECT gebied_code, niveau, jaar, inwoners, huishoudens, woningen, load_id, vervangen_door "
        "FROM staging.stg_bevolking__kerncijfers"
    ).df()
    lbm = con.sql(
        "SELECT gebied_code, niveau, jaar, lbm, load_id, vervangen_door "
        "FROM staging.stg_leefbaarometer__scores"
    ).df()
    dim_variabele = con.sql("SELECT * FROM marts.dim_variabele").df()
    # the suppression the build wrote (an input here, see the module docstring)
    onderdrukking = con.sql(
        "SELECT gebied_code, indicator, jaar FROM marts.fct_onderdrukking WHERE onderdrukt"
    ).df()
    settings = read_settings(con)
    lap("pull")

    dims = catalogue_tables(settings)  # the catalogue as tables, read from catalogue.yaml here
    dim_indicator, components = dims["dim_indicator"], dims["dim_indicator_component"]
    breuken = dims["dim_methodebreuk"]
    inst = dims["dim_instellingen"].iloc[0]
    basisjaar, doeljaar, drempel, zk = (
        int(inst.basisjaar),
        int(inst.doeljaar),
        int(inst.drempel),
        float(inst.z),
    )
    z1, marge = float(inst.z_eenzijdig), float(inst.marge)
    f64 = "float64"

    # ---- int_waarnemingen_jaar: yearly value per delivered area, source and variable
    cols = ["bron", "variabele", "gebied_code", "niveau", "jaar", "waarde", "n", "sd", "n_eff", "perioden",
            "verwacht", "bronjaar"]  # fmt: skip
    pol = politie[politie["vervangen_door"].isna()]  # current deliveries (also read by the hotspots)
    cur = partner[partner["vervangen_door"].isna()]
    del politie, partner  # memory: the full tables are not needed any more
    # the yearly values use only the crime codes an indicator uses (the hotspots read `pol` itself)
    indicator_codes = set(components.loc[components["bron"] == "politie", "variabele"])
    pj = pol[(pol["periode_type"] == "jaar") & pol["soort_misdrijf"].isin(indicator_codes)]
    politie_jaar = pd.DataFrame(
        {
            "bron": "politie",
            "variabele": pj["soort_misdrijf"],
            "gebied_code": pj["gebied_code"],
            "niveau": pj["niveau"],
            "jaar": pj["jaar"],
            "waarde": pj["aantal"].astype(f64),
            "n": np.nan,
            "sd": np.nan,
            "n_eff": np.nan,
            "perioden": pj["aantal"].notna().astype("int64"),
            "verwacht": 1,
            "bronjaar": pj["jaar"],
        }
    )
    pm = pol[(pol["periode_type"] == "maand") & pol["soort_misdrijf"].isin(indicator_codes)]
    g = pm.groupby(["soort_misdrijf", "gebied_code", "niveau", "jaar"], sort=False)
    politie_maand = pd.DataFrame(
        {
            "waarde": g["aantal"].sum(min_count=1).astype(f64),
            "perioden": g["aantal"].count(),
        }
    ).reset_index()
    politie_maand = politie_maand.rename(columns={"soort_misdrijf": "variabele"})
    politie_maand = politie_maand.assign(
        bron="politie", n=np.nan, sd=np.nan, n_eff=np.nan, verwacht=12, bronjaar=politie_maand["jaar"]
    )
    # a published yearly police figure wins over the months; an unpublished one gives way to them
    vk = ["variabele", "gebied_code", "jaar"]
    politie_jaar = politie_jaar.merge(politie_maand[vk].drop_duplicates(), on=vk, how="left", indicator=True)
    politie_jaar = politie_jaar[politie_jaar["waarde"].notna() | (politie_jaar["_merge"] == "left_only")]
    politie_jaar = politie_jaar.drop(columns="_merge")
    politie_maand = politie_maand.merge(
        politie_jaar.loc[politie_jaar["waarde"].notna(), vk].drop_duplicates(),
        on=vk,
        how="left",
        indicator=True,
    )
    politie_maand = politie_maand[politie_maand["_merge"] == "left_only"].drop(columns="_merge")

    keys = ["bron", "variabele", "gebied_code", "niveau", "jaar"]
    par = cur.merge(dim_variabele[["bron", "variabele", "soort"]], on=["bron", "variabele"])
    par = par.assign(n=par["n"].astype(f64), sd=par["sd"].astype(f64))
    # the effective sample size: delivered, else n / the default design effect
    par["n_eff"] = par["n_effectief"].astype(f64).fillna(par["n"] / float(inst.ontwerpeffect_standaard))
    verwacht_map = {"maand": 12, "kwartaal": 4, "halfjaar": 2}
    stroom = par[par["soort"] == "stroom"]
    g = stroom.groupby(keys, sort=False)
    partner_stroom = pd.DataFrame(
        {
            "waarde": g["waarde"].sum(min_count=1),
            "perioden": g["waarde"].count(),
            "periode_type": g["periode_type"].first(),
        }
    ).reset_index()
    partner_stroom[["n", "sd", "n_eff"]] = np.nan
    # stocks: the last period of the year with a value; n, sd and n_eff each from the last such period that
    # has them
    voorraad = par[par["soort"] != "stroom"]
    met_waarde = voorraad[voorraad["waarde"].notna()].sort_values("periode_nr")
    laatste = met_waarde.groupby(keys, sort=False)[["waarde", "n", "sd", "n_eff", "periode_nr"]].last()
    laatste = laatste.rename(columns={"periode_nr": "perioden"})
    partner_voorraad = (
        voorraad.groupby(keys, sort=False)[["periode_type"]].first().join(laatste).reset_index()
    )
    partner_jaar = pd.concat([partner_stroom, partner_voorraad], ignore_index=True)
    partner_jaar["verwacht"] = partner_jaar["periode_type"].map(verwacht_map).fillna(1).astype("int64")
    partner_jaar["bronjaar"] = partner_jaar["jaar"]

    bev = bevolking[bevolking["vervangen_door"].isna()].melt(
        id_vars=["gebied_code", "niveau", "jaar"],
        value_vars=["inwoners", "huishoudens", "woningen"],
        var_name="variabele",
        value_name="waarde",
    )
    bev = bev[bev["waarde"].notna()]  # UNPIVOT drops NULL values
    bev["waarde"] = bev["waarde"].astype(f64)
    # carried forward per area up to the last year any source has data for (every area of the analysis
    # division exists in every year; this reference covers one division, where carrying is the identity)
    laatste_jaar = max(pol["jaar"].max(), cur["jaar"].max(), bev["jaar"].max())
    bj = bev.groupby(["gebied_code", "variabele"], sort=False).agg(
        niveau=("niveau", "first"), eerste=("jaar", "min")
    )
    bj = bj.reset_index()
    bj["tot"] = int(laatste_jaar)
    bj["jaar"] = [list(range(a, b + 1)) for a, b in zip(bj["eerste"], bj["tot"], strict=True)]
    bj = bj.explode("jaar").dropna(subset=["jaar"])
    bj["jaar"] = bj["jaar"].astype("int64")
    bev = pd.merge_asof(
        bj[["gebied_code", "niveau", "variabele", "jaar"]].sort_values("jaar"),
        bev[["gebied_code", "variabele", "jaar", "waarde"]]
        .astype({"jaar": "int64"})
        .rename(columns={"jaar": "bronjaar"})
        .sort_values("bronjaar"),
        left_on="jaar",
        right_on="bronjaar",
        by=["gebied_code", "variabele"],
        direction="backward",
    ).dropna(subset=["bronjaar"])
    bev = bev.assign(bron="bevolking", n=np.nan, sd=np.nan, n_eff=np.nan, perioden=1, verwacht=1)
    lb = lbm[lbm["vervangen_door"].isna()]
    lb = lb.assign(
        bron="leefbaarometer",
        variabele="lbm",
        waarde=lb["lbm"],
        n=np.nan,
        sd=np.nan,
        n_eff=np.nan,
        perioden=lb["lbm"].notna().astype("int64"),
        verwacht=1,
        bronjaar=lb["jaar"],
    )
    ij = pd.concat(
        [df[cols] for df in (politie_jaar, politie_maand, partner_jaar, bev, lb)], ignore_index=True
    )
    ij = ij[ij["niveau"].notna()]
    ij = ij.astype({"waarde": f64, "n": f64, "sd": f64, "n_eff": f64})
    ij["volledig"] = (ij["perioden"] == ij["verwacht"]) & ij["waarde"].notna()
    # with how the variable aggregates to wijk and gemeente (som, gewogen_gemiddelde, geen)
    ij = ij.merge(dim_variabele[["bron", "variabele", "aggregatie"]], on=["bron", "variabele"])
    rows: dict[str, int] = {"int_waarnemingen_jaar": len(ij)}
    del pj, pm, politie_jaar, politie_maand, par, stroom, voorraad, met_waarde, laatste, partner_stroom
    del partner_voorraad, partner_jaar, bev, bj, lb
    lap("int_waarnemingen_jaar")

    # ---- int_waarnemingen: a delivered value wins; else counts summed buurt -> wijk -> gemeente and survey
    #      figures n-weighted (pooled sd, summed effective sample size)
    sums = ["waarde", "nw", "n_w", "nsd2", "n_sd", "neff_w"]

    def partial_sums(df: pd.DataFrame) -> pd.DataFrame:
        """The terms whose sums give the weighted mean and the pooled sd of a group of rows."""
        heeft = df["waarde"].notna()
        return df.assign(
            nw=df["n"] * df["waarde"],
            n_w=df["n"].where(heeft),
            nsd2=df["n"] * df["sd"] * df["sd"],
            n_sd=df["n"].where(df["sd"].notna()),
            neff_w=df["n_eff"].where(heeft),
        )

    def roll_up(df: pd.DataFrame, count: str) -> pd.DataFrame:
        gk = ["bron", "variabele", "gebied_code", "jaar"]
        g = df.groupby(gk, sort=False)
        out = g[sums].sum(min_count=1)
        out = out.join(
            g.agg(
                aggregatie=("aggregatie", "first"),
                perioden=("perioden", "min"),
                verwacht=("verwacht", "max"),
                volledig=("volledig", "all"),
                bronjaar=("bronjaar", "min"),
                onderdelen=(count, "size" if count == "jaar" else "sum"),
            )
        )
        return out.reset_index()

    optelbaar = ij[ij["aggregatie"] != "geen"]
    bu = partial_sums(optelbaar[optelbaar["niveau"] == "buurt"])
    per_wijk = roll_up(bu.assign(gebied_code="WK" + bu["gebied_code"].str[2:8]), "jaar")
    # a gemeente is built from its buurten (through their wijken) when there are any for this variable and
    # year, else from its delivered wijken
    wk = partial_sums(optelbaar[optelbaar["niveau"] == "wijk"]).assign(onderdelen=1)
    gm_met_buurten = per_wijk[["bron", "variabele", "jaar"]].assign(gm=per_wijk["gebied_code"].str[2:6])
    wk = wk.assign(gm=wk["gebied_code"].str[2:6]).merge(
        gm_met_buurten.drop_duplicates(), on=["bron", "variabele", "jaar", "gm"], how="left", indicator=True
    )
    wk = wk[wk["_merge"] == "left_only"]
    wijken = pd.concat([per_wijk, wk[per_wijk.columns]], ignore_index=True)
    per_gemeente = roll_up(wijken.assign(gebied_code="GM" + wijken["gebied_code"].str[2:6]), "onderdelen")
    opgeteld = pd.concat(
        [per_wijk.assign(niveau="wijk"), per_gemeente.assign(niveau="gemeente")], ignore_index=True
    )
    som = opgeteld["aggregatie"] == "som"
    with np.errstate(divide="ignore", invalid="ignore"):
        opgeteld["waarde"] = np.where(
            som, opgeteld["waarde"], opgeteld["nw"] / opgeteld["n_w"].replace(0, np.nan)
        )
        opgeteld["sd"] = np.where(
            opgeteld["aggregatie"] == "gewogen_gemiddelde",
            np.sqrt(opgeteld["nsd2"] / opgeteld["n_sd"].replace(0, np.nan)),
            np.nan,
        )
    opgeteld["n"] = np.where(som, np.nan, opgeteld["n_w"])
    opgeteld["n_eff"] = np.where(som, np.nan, opgeteld["neff_w"])
    opgeteld["opgeteld"] = True
    sk = ["bron", "variabele", "gebied_code", "jaar"]
    geleverd = ij.assign(onderdelen=1, opgeteld=False)
    # a delivered empty value (not published) gives way to the sum when there is one
    geleverd = geleverd.merge(opgeteld[sk], on=sk, how="left", indicator=True)
    geleverd = geleverd[geleverd["waarde"].notna() | (geleverd["_merge"] == "left_only")]
    opgeteld = opgeteld.merge(geleverd.loc[geleverd["waarde"].notna(), sk], on=sk, how="left", indicator=True)
    opgeteld = opgeteld[opgeteld["_merge"] == "left_only"]
    iw_cols = cols + ["volledig", "onderdelen", "opgeteld"]
    iw = pd.concat([geleverd[iw_cols], opgeteld[iw_cols]], ignore_index=True)
    rows["int_waarnemingen"] = len(iw)
    del ij, optelbaar, bu, per_wijk, wk, gm_met_buurten, wijken, per_gemeente, opgeteld, geleverd
    lap("int_waarnemingen")

    # ---- int_indicator_waarden: the signed sum of the numerator components / the denominator x factor,
    #      or the survey figure; above buurt level coverage-consistent sums and population-weighted surveys
    w = components.merge(iw[iw["waarde"].notna()], on=["bron", "variabele"])
    w["getekend"] = w["teken"] * w["waarde"]
    tw = w[w["rol"] == "teller"]
    g = tw.groupby(["indicator", "gebied_code", "niveau", "jaar"], sort=False)
    teller = g.agg(
        teller=("getekend", "sum"),
        n=("n", "first"),
        sd=("sd", "first"),
        n_eff=("n_eff", "first"),
        teller_volledig=("volledig", "all"),
        teller_variabelen=("getekend", "size"),
        teller_opgeteld=("opgeteld", "any"),
        plus=("teken", "max"),
    ).reset_index()
    # a difference needs what it subtracts from: no figure from subtracted variables alone
    teller = teller[teller["plus"] > 0].drop(columns="plus")
    # a numerator of several variables is complete only when every variable the area has in any year is there
    teller["alle_variabelen"] = teller["teller_variabelen"] == teller.groupby(["indicator", "gebied_code"])[
        "teller_variabelen"
    ].transform("max")
    nw = w[w["rol"] == "noemer"]
    g = nw.groupby(["indicator", "gebied_code", "jaar"], sort=False)
    noemer = g.agg(
        noemer=("getekend", "sum"), noemer_jaar=("bronjaar", "min"), noemer_volledig=("volledig", "all")
    )
    noemer = noemer.reset_index().rename(columns={"jaar": "njaar"})
    # the denominator of the same year, or else the nearest earlier year
    gekoppeld = pd.merge_asof(
        teller.sort_values("jaar"),
        noemer.sort_values("njaar"),
        left_on="jaar",
        right_on="njaar",
        by=["indicator", "gebied_code"],
        direction="backward",
    ).drop(columns="njaar")
    ind_cols = ["indicator", "niveaus", "heeft_noemer", "factor", "onzekerheid"]
    eigen = gekoppeld.merge(dim_indicator[ind_cols], on="indicator")
    eigen = eigen[
        [nv == "buurt" or nv in ns for nv, ns in zip(eigen["niveau"], eigen["niveaus"], strict=True)]
    ]
    hn = eigen["heeft_noemer"]
    eigen["volledig"] = (
        eigen["teller_volledig"]
        & eigen["alle_variabelen"]
        & (~hn | eigen["noemer_volledig"].astype("boolean").fillna(False).astype(bool))
    )

    def hele_gebied(df: pd.DataFrame) -> pd.DataFrame:
        """An area's own value, for the whole area: coverage 1 (NULL without a usable denominator)."""
        heel = (df["noemer"] > 0) | ~df["heeft_noemer"]
        return df.assign(dekking=np.where(heel, 1.0, np.nan), delen=1)

    inwoners = iw.loc[
        (iw["bron"] == "bevolking") & (iw["variabele"] == "inwoners") & (iw["waarde"] > 0),
        ["gebied_code", "jaar", "waarde"],
    ].rename(columns={"waarde": "inwoners"})
    gk = ["indicator", "gebied_code", "jaar"]

    # wijk: a delivered numerator as it is; a summed one over the buurten that have numerator and denominator
    b = eigen[
        (eigen["niveau"] == "buurt") & eigen["heeft_noemer"] & eigen["teller"].notna() & (eigen["noemer"] > 0)
    ]
    g = b.assign(gebied_code="WK" + b["gebied_code"].str[2:8]).groupby(gk, sort=False)
    per_wijk = g.agg(
        s_teller=("teller", "sum"),
        s_noemer=("noemer", "sum"),
        s_noemer_jaar=("noemer_jaar", "min"),
        s_volledig=("volledig", "all"),
        s_delen=("teller", "size"),
    ).reset_index()

    def over_delen(e: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
        """The area's row with numerator and denominator summed over its parts that have both."""
        m = e.merge(s, on=gk, how="left")
        with np.errstate(divide="ignore", invalid="ignore"):
            dekking = m["s_noemer"] / m["noemer"].replace(0, np.nan)
        return m.assign(
            teller=m["s_teller"],
            noemer=m["s_noemer"],
            noemer_jaar=m["s_noemer_jaar"],
            volledig=m["s_volledig"].astype("boolean").fillna(False).astype(bool),
            dekking=dekking,
            delen=m["s_delen"].fillna(0).astype("int64"),
        ).drop(columns=[c for c in m.columns if c.startswith("s_")])

    e = eigen[eigen["niveau"] == "wijk"]
    opgeteld_teller = e["heeft_noemer"] & e["teller_opgeteld"]
    wijk = pd.concat(
        [hele_gebied(e[~opgeteld_teller]), over_delen(e[opgeteld_teller], per_wijk)], ignore_index=True
    )

    # gemeente: counts over the wijken that have both; survey results population-weighted over the wijken
    # that have one (variance of the weighted mean sum W^2 var / (sum W)^2, carried as n_eff)
    x = wijk[wijk["teller"].notna()].merge(inwoners, on=["gebied_code", "jaar"], how="left")
    x["gebied_code"] = "GM" + x["gebied_code"].str[2:6]
    telbaar = x["heeft_noemer"] & (x["noemer"] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        var_een = np.select(
            [x["onzekerheid"] == "gemiddelde", x["onzekerheid"] == "binomiaal"],
            [x["sd"] * x["sd"] / x["n_eff"], (x["teller"] / 100) * (1 - x["teller"] / 100) / x["n_eff"]],
            default=np.nan,
        )
    x = x.assign(
        t_c=x["teller"].where(telbaar),
        n_c=x["noemer"].where(telbaar),
        j_c=x["noemer_jaar"].where(telbaar),
        wt=x["inwoners"] * x["teller"],
        w2v=x["inwoners"] ** 2 * var_een,
        wsd2=x["inwoners"] * x["sd"] * x["sd"],
    )
    g = x.groupby(gk, sort=False)
    pg = g[["t_c", "n_c", "wt", "inwoners", "w2v", "wsd2", "n"]].sum(min_count=1)
    pg = pg.join(g.agg(j_c=("j_c", "min"), s_volledig=("volledig", "all"), s_delen=("teller", "size")))
    pg = pg.reset_index().rename(
        columns={"t_c": "s_teller", "n_c": "s_noemer", "j_c": "s_noemer_jaar", "inwoners": "som_inwoners"}
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        pg["gewogen"] = pg["wt"] / pg["som_inwoners"]
        pg["variantie"] = pg["w2v"] / (pg["som_inwoners"] * pg["som_inwoners"])
        pg["g_sd"] = np.sqrt(pg["wsd2"] / pg["som_inwoners"])

    e = eigen[eigen["niveau"] == "gemeente"]
    tel = e[e["teller_opgeteld"] & e["heeft_noemer"]]
    enq = e[e["teller_opgeteld"] & ~e["heeft_noemer"]]
    enq = enq.merge(pg, on=gk, how="left").merge(inwoners, on=["gebied_code", "jaar"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        var0 = enq["variantie"].replace(0, np.nan)
        p = enq["gewogen"] / 100
        enq = enq.assign(
            teller=enq["gewogen"],
            n=enq["n_y"],
            sd=np.where(enq["onzekerheid"] == "gemiddelde", enq["g_sd"], np.nan),
            n_eff=np.select(
                [enq["onzekerheid"] == "gemiddelde", enq["onzekerheid"] == "binomiaal"],
                [enq["g_sd"] ** 2 / var0, p * (1 - p) / var0],
                default=np.nan,
            ),
            volledig=enq["s_volledig"].astype("boolean").fillna(False).astype(bool),
            dekking=enq["som_inwoners"] / enq["inwoners"].replace(0, np.nan),
            delen=enq["s_delen"].fillna(0).astype("int64"),
        )
    gemeente = pd.concat(
        [
            hele_gebied(e[~e["teller_opgeteld"]]),
            over_delen(tel, pg[gk + ["s_teller", "s_noemer", "s_noemer_jaar", "s_volledig", "s_delen"]]),
            enq[list(e.columns) + ["dekking", "delen"]],
        ],
        ignore_index=True,
    )
    alle = pd.concat(
        [eigen[eigen["niveau"] == "buurt"].assign(dekking=1.0, delen=1), wijk, gemeente], ignore_index=True
    )
    alle = alle[[nv in ns for nv, ns in zip(alle["niveau"], alle["niveaus"], strict=True)]]
    alle = alle.merge(
        dim_indicator[["indicator", "polariteit", "vergelijkbaar_vanaf", "gewicht"]], on="indicator"
    )
    hn = alle["heeft_noemer"]
    with np.errstate(divide="ignore", invalid="ignore"):
        alle["waarde"] = np.where(
            hn & (alle["noemer"].fillna(0) == 0),
            np.nan,
            np.where(hn, alle["teller"] / alle["noemer"] * alle["factor"], alle["teller"]),
        )
    alle["noemer"] = alle["noemer"].where(hn)
    alle["noemer_jaar"] = alle["noemer_jaar"].where(hn)
    alle["noemer_geschat"] = hn & (alle["noemer_jaar"] != alle["jaar"]) & alle["noemer"].notna()
    dekking_pct = pd.Series(_round(100 * alle["dekking"], 0), index=alle.index)
    alle["opmerking"] = np.select(
        [
            ~alle["teller_volledig"].astype(bool),
            ~alle["alle_variabelen"].astype(bool),
            hn & alle["noemer_volledig"].astype("boolean").eq(False).fillna(False).astype(bool),
            hn & alle["noemer"].isna(),
            hn & (alle["noemer"] == 0),
            alle["dekking"].notna() & (_round(alle["dekking"], 3) < 1),
        ],
        [
            "onvolledig jaar",
            "niet alle onderdelen geleverd",
            "noemer onvolledig",
            "geen noemer",
            "noemer is 0",
            "dekking " + dekking_pct.fillna(0).astype("int64").astype(str) + "%",
        ],
        default=None,
    )
    waarden = alle.reset_index(drop=True)
    rows["int_indicator_waarden"] = len(waarden)
    del iw, w, tw, nw, teller, noemer, gekoppeld, eigen, b, per_wijk, wijk, x, pg, e, tel, enq, gemeente, alle
    lap("int_indicator_waarden")

    # ---- fct_overdispersie: the between-year variance of the log rate per gemeente, indicator and level,
    #      by the method of moments from the year-to-year changes up to the baseline year
    pois = waarden[waarden["onzekerheid"] == "poisson"]
    tl = pois[
        pois["volledig"]
        & pois["teller"].notna()
        & (pois["teller"] >= 0)
        & (~pois["heeft_noemer"] | (pois["noemer"] > 0))
        & (pois["jaar"] <= basisjaar)
        & (pois["jaar"] >= pois["vergelijkbaar_vanaf"])
    ].sort_values(["indicator", "gebied_code", "jaar"])
    with np.errstate(divide="ignore"):
        tl = tl.assign(
            lw=np.log((tl["teller"] + 0.5) / tl["noemer"].fillna(1.0)),
            lv=1.0 / (tl["teller"] + 0.5),
            gemeente_code="GM" + tl["gebied_code"].str[2:6],
        )
    g = tl.groupby(["indicator", "gebied_code"], sort=False)
    paren = tl.assign(
        d=tl["lw"] - g["lw"].shift(1), pv=tl["lv"] + g["lv"].shift(1), afstand=tl["jaar"] - g["jaar"].shift(1)
    )
    paren = paren[paren["afstand"] == 1]
    geschat = (
        paren.assign(e=paren["d"] ** 2 - paren["pv"])
        .groupby(["gemeente_code", "indicator", "niveau"], sort=False)
        .agg(paren=("e", "size"), gem=("e", "mean"))
        .reset_index()
    )
    geschat["sigma2_geschat"] = np.maximum(0.0, geschat["gem"] / 2)
    od = pois.assign(gemeente_code="GM" + pois["gebied_code"].str[2:6])[
        ["gemeente_code", "indicator", "niveau"]
    ].drop_duplicates()
    fijner = {"buurt": None, "wijk": "buurt", "gemeente": "wijk"}
    est = {
        (gm, i, nv): (p, s)
        for gm, i, nv, p, s in geschat[
            ["gemeente_code", "indicator", "niveau", "paren", "sigma2_geschat"]
        ].itertuples(index=False)
    }
    min_paren, standaard = int(inst.overdispersie_min_paren), float(inst.jaarvariatie_standaard) ** 2
    sigma2, herkomst, aantal, eigen_s2 = [], [], [], []
    for gm, i, nv in od.itertuples(index=False):
        p_eigen, s_eigen = est.get((gm, i, nv), (0, np.nan))
        aantal.append(p_eigen)
        eigen_s2.append(s_eigen)
        kandidaten = [("eigen niveau", (gm, i, nv))]
        if fijner[nv]:
            kandidaten.append((f"niveau {fijner[nv]}", (gm, i, fijner[nv])))
        if nv == "gemeente":
            kandidaten.append(("niveau buurt", (gm, i, "buurt")))
        for naam, key in kandidaten:
            p_k, s_k = est.get(key, (0, np.nan))
            if p_k >= min_paren:
                sigma2.append(s_k)
                herkomst.append(naam)
                break
        else:
            sigma2.append(standaard)
            herkomst.append("standaard (te weinig historie)")
    overdispersie = od.assign(paren=aantal, sigma2_geschat=eigen_s2, sigma2=sigma2, herkomst=herkomst)
    overdispersie = overdispersie.reset_index(drop=True)
    del pois, tl, paren, geschat, od, est
    lap("fct_overdispersie")

    # ---- fct_indicator_scores: interval, baseline, the change on the log scale, verdict, composite basket
    s = waarden
    del waarden
    onz = s["onzekerheid"]
    s["teken"] = np.where(s["polariteit"] == "hoger_is_beter", 1.0, -1.0)
    s["logwaarde"] = _logwaarde(onz, s["teller"], s["noemer"], s["waarde"], s["n_eff"])
    s["logvar"] = _logvar(onz, s["teller"], s["waarde"], s["n_eff"], s["sd"])
    x, nf = s["teller"].to_numpy(dtype=f64), s["n_eff"].to_numpy(dtype=f64)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - float(inst.betrouwbaarheid)  # exact (Garwood) interval for a Poisson count
        laag = np.where(x > 0, stats.chi2.ppf(alpha / 2, 2 * x) / 2, np.where(np.isnan(x), np.nan, 0.0))
        hoog = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
        scale = np.where(s["heeft_noemer"], s["factor"] / s["noemer"], 1.0)
        p = s["waarde"] / 100.0
        wilson_mid = p + zk * zk / (2 * nf)
        wilson_half = zk * np.sqrt(p * (1 - p) / nf + zk * zk / (4 * nf * nf))
        half = zk * s["sd"] / np.sqrt(nf)
        kind = [onz == "poisson", onz == "binomiaal", onz == "gemiddelde"]
        s["ci_laag"] = np.select(
            kind,
            [laag * scale, 100 * (wilson_mid - wilson_half) / (1 + zk * zk / nf), s["waarde"] - half],
            np.nan,
        )
        s["ci_hoog"] = np.select(
            kind,
            [hoog * scale, 100 * (wilson_mid + wilson_half) / (1 + zk * zk / nf), s["waarde"] + half],
            np.nan,
        )
    basis = s.loc[
        s["jaar"] == basisjaar,
        [
            "gebied_code",
            "indicator",
            "waarde",
            "teller",
            "noemer",
            "n_eff",
            "logwaarde",
            "logvar",
            "volledig",
        ],
    ].rename(
        columns={
            "waarde": "basiswaarde",
            "teller": "basis_teller",
            "noemer": "basis_noemer",
            "n_eff": "basis_n_eff",
            "logwaarde": "basis_logwaarde",
            "logvar": "basis_logvar",
            "volledig": "basis_volledig",
        }
    )
    # the gemeente's own baseline, for the expected baseline events of its areas
    gm = basis.loc[
        basis["gebied_code"].str.startswith("GM"),
        ["gebied_code", "indicator", "basis_teller", "basis_noemer", "basiswaarde"],
    ].rename(
        columns={
            "gebied_code": "gemeente_code",
            "basis_teller": "gm_teller",
            "basis_noemer": "gm_noemer",
            "basiswaarde": "gm_waarde",
        }
    )
    v = s.merge(basis, on=["gebied_code", "indicator"], how="left")
    v["gemeente_code"] = "GM" + v["gebied_code"].str[2:6]
    v = v.merge(gm, on=["gemeente_code", "indicator"], how="left").drop(columns="gemeente_code")
    del s, basis, gm
    v["basisjaar"] = basisjaar
    v["lo"], v["hi"] = np.minimum(v["jaar"], basisjaar), np.maximum(v["jaar"], basisjaar)
    v = v.merge(_breaks(v, breuken, "lo", "hi"), on=["indicator", "lo", "hi"], how="left")
    omrekenbaar = v["omrekenbaar"].astype("boolean")
    v["omrekenfactor"] = np.where(omrekenbaar.fillna(False), np.exp(v["ln_f"]), np.nan)
    v["vergelijkbaar"] = (v["vergelijkbaar_vanaf"] <= v["lo"]) & omrekenbaar.fillna(True).astype(bool)
    # the earlier of the two values is converted to the later method
    ln_f = np.where(omrekenbaar.fillna(False), v["ln_f"], 0.0)
    ln_f_waarde = np.where(v["jaar"] < basisjaar, ln_f, 0.0)
    ln_f_basis = np.where(v["jaar"] > basisjaar, ln_f, 0.0)
    v["gemeente_code"] = "GM" + v["gebied_code"].str[2:6]
    v = v.merge(
        overdispersie[["gemeente_code", "indicator", "niveau", "sigma2"]],
        on=["gemeente_code", "indicator", "niveau"],
        how="left",
    )
    v["sigma2"] = v["sigma2"].fillna(0.0)
    onz = v["onzekerheid"]
    pois, geen, basis_rij = onz == "poisson", onz == "geen", v["jaar"] == basisjaar
    bruikbaar = (
        v["waarde"].notna()
        & v["basiswaarde"].notna()
        & v["volledig"]
        & v["basis_volledig"].astype("boolean").fillna(False).astype(bool)
        & v["vergelijkbaar"]
        & v["logwaarde"].notna()
        & v["basis_logwaarde"].notna()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ell = v["teken"] * ((v["logwaarde"] + ln_f_waarde) - (v["basis_logwaarde"] + ln_f_basis))
        l_var = np.where(
            basis_rij, 0.0, v["logvar"] + v["basis_logvar"] + np.where(pois, 2 * v["sigma2"], 0.0)
        )
        se = np.sqrt(l_var)
        z_l = ell / se
    met_interval = bruikbaar & ~geen
    v["log_verschil"] = ell.where(bruikbaar)
    v["log_se"] = np.where(bruikbaar, se, np.nan)
    v["overdispersie"] = v["sigma2"].where(bruikbaar & pois)
    v["score"] = np.where(bruikbaar, 100 * np.exp(ell), np.nan)
    v["score_laag"] = np.where(met_interval, 100 * np.exp(ell - zk * se), np.nan)
    v["score_hoog"] = np.where(met_interval, 100 * np.exp(ell + zk * se), np.nan)
    v["z"] = np.where(met_interval, np.where(basis_rij, 0.0, z_l), np.nan)
    v["p_waarde"] = np.where(met_interval, np.where(basis_rij, 1.0, _p_two_sided(z_l)), np.nan)
    v["verandering"] = np.where(
        ~met_interval, None, np.where(basis_rij, "gelijk", _oordeel(z_l, zk))
    )  # the Leefbaarometer (onzekerheid geen) has no interval and so no verdict
    # enough expected events in the baseline at this level to enter a composite (NULL when unknown)
    minimum = float(inst.minimum_basisgebeurtenissen)
    with np.errstate(invalid="ignore", divide="ignore"):
        gm_rate = np.where(
            v["heeft_noemer"].astype(bool) & (v["gm_noemer"] > 0) & v["basis_noemer"].notna(),
            v["gm_teller"] / v["gm_noemer"] * v["basis_noemer"],
            v["basis_teller"],
        )
        p_ref = v["gm_waarde"].fillna(v["basiswaarde"]).to_numpy(dtype=f64)
        verwacht = np.select(
            [
                (onz == "poisson").to_numpy(),
                (onz == "binomiaal").to_numpy(),
                (onz == "gemiddelde").to_numpy(),
            ],
            [gm_rate, v["basis_n_eff"] * np.minimum(p_ref, 100 - p_ref) / 100.0, v["basis_n_eff"]],
            np.nan,
        )
    v["basis_verwacht"] = verwacht
    genoeg = _cmp(verwacht, ">=", minimum).fillna(False)
    gewogen = (v["gewicht"] > 0).to_numpy()
    v["in_samengesteld"] = _kleene(bruikbaar.to_numpy()) & _kleene(gewogen) & genoeg
    v["onderdrukt"] = _kleene(pois.to_numpy()) & _cmp(v["teller"], ">=", 1) & _cmp(v["teller"], "<", drempel)
    v["basis_onderdrukt"] = (
        _kleene(pois.to_numpy()) & _cmp(v["basis_teller"], ">=", 1) & _cmp(v["basis_teller"], "<", drempel)
    ).fillna(False)
    te_weinig = bruikbaar.to_numpy() & gewogen & (~genoeg).fillna(False).to_numpy(dtype=bool)
    niet_vergelijkbaar = "niet vergelijkbaar met het basisjaar"
    delen = pd.DataFrame(
        {
            "a": v["opmerking"],
            "b": np.where(
                v["vergelijkbaar_vanaf"] > v["lo"],
                "reeks begint in " + v["vergelijkbaar_vanaf"].astype(str) + ": " + niet_vergelijkbaar,
                None,
            ),
            "c": np.where(
                v["breukjaren"].notna() & v["omrekenfactor"].isna(),
                "methodebreuk " + v["breukjaren"].fillna("") + " zonder omrekenfactor: " + niet_vergelijkbaar,
                None,
            ),
            # (the conversion is named only where a pair is compared)
            "d": [
                f"methodebreuk {j}: omgerekend met factor {float(r)!r}" if f == f and beide else None
                for j, f, r, beide in zip(
                    v["breukjaren"],
                    v["omrekenfactor"],
                    _round(v["omrekenfactor"], 4),
                    v["waarde"].notna() & v["basiswaarde"].notna(),
                    strict=True,
                )
            ],
            "e": np.where(v["basiswaarde"].isna() & v["waarde"].notna(), "geen basiswaarde", None),
            "f": np.where(
                v["basis_volledig"].astype("boolean").eq(False).fillna(False), "basisjaar onvolledig", None
            ),
            "g": np.where(
                v["noemer_geschat"], "noemer uit " + v["noemer_jaar"].astype("Int64").astype(str), None
            ),
            "h": np.where(
                te_weinig, "te weinig gebeurtenissen in het basisjaar voor de samengestelde score", None
            ),
        }
    )
    v["opmerking"] = ["; ".join(x for x in r if isinstance(x, str)) for r in delen.itertuples(index=False)]
    v["omzetting"] = 0  # one area division: every value is on the division it is analysed on
    scores = v[
        [
            "gebied_code", "niveau", "indicator", "jaar", "waarde", "teller", "noemer", "noemer_jaar",
            "noemer_geschat", "n", "sd", "n_eff", "dekking", "omzetting", "ci_laag", "ci_hoog", "basisjaar",
            "basiswaarde", "basis_teller", "omrekenfactor", "log_verschil", "log_se", "overdispersie", "score", "score_laag",
            "score_hoog", "z", "p_waarde", "verandering", "vergelijkbaar", "volledig", "in_samengesteld", "basis_verwacht",
            "onderdrukt", "basis_onderdrukt", "opmerking",
        ]
    ]  # fmt: skip
    lap("fct_indicator_scores")

    # ---- fct_indicator_vorige: each complete, comparable value against the latest earlier complete one, on
    #      the log scale with the overdispersion; a method break in between converted by its factor or skipped
    vw = v[
        v["volledig"]
        & v["waarde"].notna()
        & (v["jaar"] >= v["vergelijkbaar_vanaf"])
        & (v["onzekerheid"] != "geen")
    ]
    vw = vw[["gebied_code", "niveau", "indicator", "jaar", "waarde", "onderdrukt", "teken", "onzekerheid",
             "logwaarde", "logvar", "sigma2"]].sort_values(["indicator", "gebied_code", "jaar"])  # fmt: skip
    g = vw.groupby(["indicator", "gebied_code"], sort=False)
    vw = vw.assign(
        vorig_jaar=g["jaar"].shift(1),
        vorige_waarde=g["waarde"].shift(1),
        vorige_logwaarde=g["logwaarde"].shift(1),
        vorige_logvar=g["logvar"].shift(1),
    )
    vw = vw[vw["vorig_jaar"].notna()]
    vw = vw.merge(
        _breaks(vw, breuken, "vorig_jaar", "jaar"), on=["indicator", "vorig_jaar", "jaar"], how="left"
    )
    vw = vw[vw["omrekenbaar"].astype("boolean").fillna(True).astype(bool)]
    with np.errstate(invalid="ignore", divide="ignore"):
        ell = vw["teken"] * (vw["logwaarde"] - (vw["vorige_logwaarde"] + vw["ln_f"].fillna(0.0)))
        l_var = (
            vw["logvar"]
            + vw["vorige_logvar"]
            + np.where(vw["onzekerheid"] == "poisson", 2 * vw["sigma2"], 0.0)
        )
        vw["z"] = ell / np.sqrt(l_var)
    vw["vorig_jaar"] = vw["vorig_jaar"].astype("int64")
    vw["verandering"] = _oordeel(vw["z"], zk)
    vorige = vw[
        ["gebied_code", "niveau", "indicator", "jaar", "vorig_jaar", "waarde", "vorige_waarde", "onderdrukt",
         "z", "verandering"]
    ]  # fmt: skip
    del vw
    lap("fct_indicator_vorige")

    # ---- fct_composites: the weighted mean of the log changes per theme within kind, theme, kind and overall
    #      (kinds 50/50), with the survey covariance; bounds, BH, verdicts, exclusions, suppression, trend sums
    ind = dim_indicator.loc[
        dim_indicator["gewicht"] > 0, ["indicator", "thema", "soort", "gewicht", "onzekerheid"]
    ]
    ind = ind.assign(enquete=ind["onzekerheid"].isin(["binomiaal", "gemiddelde"])).drop(columns="onzekerheid")
    sc = v[v["in_samengesteld"].fillna(False).astype(bool)].merge(ind.drop(columns="gewicht"), on="indicator")
    verborgen = set(onderdrukking[["gebied_code", "indicator", "jaar"]].itertuples(index=False, name=None))
    sc["verborgen"] = [
        (gc, i, j) in verborgen or (gc, i, basisjaar) in verborgen
        for gc, i, j in zip(sc["gebied_code"], sc["indicator"], sc["jaar"], strict=True)
    ]
    wgt, se_i = sc["gewicht"], sc["log_se"]
    sc = sc.assign(
        wl=wgt * sc["log_verschil"],
        w2v=wgt * wgt * se_i * se_i,
        e_wse=(wgt * se_i).where(sc["enquete"], 0.0),
        e_w2v=(wgt * wgt * se_i * se_i).where(sc["enquete"], 0.0),
    )
    gebied = ["gebied_code", "niveau", "jaar"]
    g = sc.sort_values("indicator").groupby(gebied + ["thema", "soort"], sort=False)
    fijnst = g[["wl", "gewicht", "w2v", "e_wse", "e_w2v"]].sum()
    fijnst = fijnst.join(g.agg(dekking=("indicator", "size"), onderdrukt=("verborgen", "any")))
    fijnst["indicatoren"] = g["indicator"].agg(list)
    fijnst = fijnst.reset_index()
    delen_ = [fijnst.assign(groep=fijnst["thema"] + "/" + fijnst["soort"], groep_type="thema_soort")]
    for groep_type, andere in (("thema", "soort"), ("soort", "thema")):
        g = fijnst.groupby(gebied + [groep_type], sort=False)
        r = g[["wl", "gewicht", "w2v", "e_wse", "e_w2v", "dekking"]].sum()
        r = r.join(g.agg(onderdrukt=("onderdrukt", "any")))
        r["indicatoren"] = g["indicatoren"].agg(lambda lists: sorted(i for lst in lists for i in lst))
        r = r.reset_index().assign(groep=lambda d, c=groep_type: d[c], groep_type=groep_type)
        r[andere] = None
        delen_.append(r)
    groepen = pd.concat(delen_, ignore_index=True)
    rho = float(inst.enquete_correlatie)
    groepen["l"] = groepen["wl"] / groepen["gewicht"]
    groepen["v"] = np.maximum(0.0, groepen["w2v"] + rho * (groepen["e_wse"] ** 2 - groepen["e_w2v"])) / (
        groepen["gewicht"] ** 2
    )
    soorten = groepen[groepen["groep_type"] == "soort"]
    g = soorten.groupby(gebied, sort=False)
    totaal = g.agg(
        k=("l", "size"),
        l_som=("l", "sum"),
        l_een=("l", "first"),
        v_som=("v", "sum"),
        v_een=("v", "first"),
        dekking=("dekking", "sum"),
        onderdrukt=("onderdrukt", "any"),
    )
    totaal["indicatoren"] = g["indicatoren"].agg(lambda lists: sorted(i for lst in lists for i in lst))
    totaal = totaal.reset_index()
    totaal["l"] = np.where(totaal["k"] == 2, 0.5 * totaal["l_som"], totaal["l_een"])
    totaal["v"] = np.where(totaal["k"] == 2, 0.25 * totaal["v_som"], totaal["v_een"])
    totaal = totaal.assign(groep="samengesteld", groep_type="samengesteld", thema=None, soort=None)
    ccols = gebied + [
        "groep",
        "groep_type",
        "thema",
        "soort",
        "l",
        "v",
        "dekking",
        "indicatoren",
        "onderdrukt",
    ]
    comp = pd.concat([groepen[ccols], totaal[ccols]], ignore_index=True)
    comp["se"] = np.sqrt(comp["v"])
    with np.errstate(divide="ignore", invalid="ignore"):
        z_c = np.where(comp["v"] > 0, comp["l"] / comp["se"], np.nan)
    comp["p"] = _p_two_sided(z_c)  # NaN where there is no test
    comp["z"] = np.nan_to_num(z_c, nan=0.0)
    comp["p_waarde"] = comp["p"].fillna(1.0)
    # Benjamini-Hochberg per gemeente, level, year and group type (years after the baseline)
    fam = comp[(comp["jaar"] > basisjaar) & comp["p"].notna()].copy()
    fam["gm"] = fam["gebied_code"].str[2:6]
    fk = ["gm", "niveau", "jaar", "groep_type"]
    fam = fam.sort_values(fk + ["p", "gebied_code", "groep"])
    g = fam.groupby(fk, sort=False)
    fam["rang"] = g.cumcount() + 1
    fam["m"] = g["p"].transform("size")
    fam["bh"] = fam["p"] * fam["m"] / fam["rang"]
    fam["p_aangepast"] = np.minimum(1.0, fam.iloc[::-1].groupby(fk, sort=False)["bh"].cummin().iloc[::-1])
    comp = comp.merge(
        fam[["gebied_code", "groep", "jaar", "p_aangepast"]], on=["gebied_code", "groep", "jaar"], how="left"
    )
    comp["p_aangepast"] = comp["p_aangepast"].fillna(1.0)
    el, se_c = comp["l"], comp["se"]
    comp["score"] = 100 * np.exp(el)
    comp["log_verschil"] = el
    comp["log_se"] = se_c
    comp["ci_laag"], comp["ci_hoog"] = 100 * np.exp(el - zk * se_c), 100 * np.exp(el + zk * se_c)
    comp["ondergrens"], comp["bovengrens"] = 100 * np.exp(el - z1 * se_c), 100 * np.exp(el + z1 * se_c)
    na_basis, in_basis = comp["jaar"] > basisjaar, comp["jaar"] == basisjaar
    comp["verandering"] = np.where(in_basis, "gelijk", _oordeel(comp["z"], zk))
    comp["verandering_aangepast"] = np.select(
        [in_basis | (comp["p_aangepast"] > float(inst.fdr_matrix)), el > 0], ["gelijk", "beter"], "slechter"
    )
    grens = _round(100 * (1 - marge), 9)
    comp["oordeel"] = np.select(
        [~na_basis, _round(comp["ondergrens"], 9) >= grens, _round(comp["bovengrens"], 9) < grens],
        [None, "gehaald", "niet gehaald"],
        "onbeslist",
    )
    comp["detecteerbaar"] = np.where(na_basis, 100 * (1 - np.exp(-(z1 + Z_POWER_80) * se_c)), np.nan)
    # the indicators with a weight and a value in both years that are not in the basket, per group
    uit = v[
        v["in_samengesteld"].eq(False).fillna(False).astype(bool)
        & v["waarde"].notna()
        & v["basiswaarde"].notna()
    ].merge(ind[["indicator", "thema", "soort"]], on="indicator")
    uit_per = {}
    for gc, j, th, so, i in uit[["gebied_code", "jaar", "thema", "soort", "indicator"]].itertuples(
        index=False
    ):
        uit_per.setdefault((gc, j), []).append((th, so, i))
    comp["uitgesloten"] = [
        sorted(
            i
            for t_, s_, i in uit_per.get((gc, j), [])
            if (th is None or t_ == th) and (so is None or s_ == so)
        )
        for gc, j, th, so in zip(comp["gebied_code"], comp["jaar"], comp["thema"], comp["soort"], strict=True)
    ]
    # the least-squares line through L since the baseline, as running sums up to each year (x = jaar - basisjaar)
    comp = comp.sort_values(["gebied_code", "groep", "jaar"], ignore_index=True)
    sinds = comp["jaar"] >= basisjaar
    tr = comp.loc[sinds, ["gebied_code", "groep", "jaar", "l", "v"]]
    tr = tr.assign(x=(tr["jaar"] - basisjaar).astype(f64))
    tr = tr.assign(xx=tr["x"] ** 2, xy=tr["x"] * tr["l"], yy=tr["l"] ** 2)
    g = tr.groupby(["gebied_code", "groep"], sort=False)
    cum = g[["x", "l", "xx", "xy", "yy", "v"]].cumsum()
    k = (g.cumcount() + 1).astype(f64)
    sxx = cum["xx"] - cum["x"] ** 2 / k
    sxy = cum["xy"] - cum["x"] * cum["l"] / k
    syy = cum["yy"] - cum["l"] ** 2 / k
    with np.errstate(divide="ignore", invalid="ignore"):
        helling = (sxy / sxx).where((k >= 2) & (sxx > 0))
        s2 = np.maximum((syy - sxy * sxy / sxx) / (k - 2), cum["v"] / (k - 1)).where(k >= 3)
    comp.loc[sinds, "trendjaren"] = k
    comp.loc[sinds, "trend_xgem"] = cum["x"] / k
    comp.loc[sinds, "trend_ygem"] = cum["l"] / k
    comp.loc[sinds, "trend_sxx"] = sxx
    comp.loc[sinds, "helling"] = helling
    comp.loc[sinds, "trend_s2"] = s2
    comp.loc[sinds, "trend_t"] = np.where(
        k >= 3, stats.t.ppf(0.5 + float(inst.betrouwbaarheid) / 2, np.maximum(k - 2, 1)), np.nan
    )
    composites = comp[
        ["gebied_code", "niveau", "groep", "groep_type", "jaar", "score", "log_verschil", "log_se", "ci_laag",
         "ci_hoog", "ondergrens", "bovengrens", "z", "p_waarde", "p_aangepast", "verandering",
         "verandering_aangepast", "oordeel", "detecteerbaar", "dekking", "indicatoren", "uitgesloten", "onderdrukt",
         "trendjaren", "trend_xgem", "trend_ygem", "trend_sxx", "helling", "trend_s2", "trend_t"]
    ]  # fmt: skip
    del v, sc, fijnst, groepen, soorten, totaal, fam, uit, tr, cum
    lap("fct_composites")

    # ---- fct_doelen: target status per area, group and peiljaar: non-inferiority against 100 (1 - marge) in
    #      and after the target year, the projected trend with its prediction interval before it
    c = composites[
        (composites["jaar"] >= basisjaar) & composites["groep_type"].isin(["samengesteld", "soort", "thema"])
    ]
    doel = c.loc[c["jaar"] == doeljaar, ["gebied_code", "groep", "score", "ondergrens", "bovengrens"]].rename(
        columns={"score": "doel_score", "ondergrens": "doel_ondergrens", "bovengrens": "doel_bovengrens"}
    )
    d = c.merge(doel, on=["gebied_code", "groep"], how="left")
    voor_doel = d["jaar"] < doeljaar
    afstand = (doeljaar - basisjaar) - d["trend_xgem"]
    proj_l = (d["trend_ygem"] + d["helling"] * afstand).where(voor_doel & (d["trendjaren"] >= 2))
    with np.errstate(invalid="ignore"):
        proj_se = np.sqrt(
            d["trend_s2"] * (1 + 1 / d["trendjaren"] + afstand * afstand / d["trend_sxx"])
        ).where(voor_doel & (d["trendjaren"] >= 3) & (d["trend_sxx"] > 0))
    d["projectie"] = 100 * np.exp(proj_l)
    d["projectie_laag"] = 100 * np.exp(proj_l - d["trend_t"] * proj_se)
    d["projectie_hoog"] = 100 * np.exp(proj_l + d["trend_t"] * proj_se)
    grens = _round(100 * (1 - marge), 9)
    gemeten = ~voor_doel
    d["status"] = np.select(
        [
            gemeten & d["doel_ondergrens"].isna(),
            gemeten & (_round(d["doel_ondergrens"], 9) >= grens),
            gemeten & (_round(d["doel_bovengrens"], 9) < grens),
            gemeten,
            d["trendjaren"].fillna(0) < 2,
            d["projectie_laag"].isna(),
            _round(d["projectie_laag"], 9) >= grens,
            _round(d["projectie_hoog"], 9) < grens,
        ],
        [
            "geen data",
            "gehaald",
            "niet gehaald",
            "onbeslist",
            "geen data",
            "onzeker",
            "op koers",
            "uit koers",
        ],
        default="onzeker",
    )
    doelen = d.assign(doeljaar=doeljaar, marge=marge).rename(columns={"jaar": "peiljaar"})[
        ["gebied_code", "niveau", "groep", "groep_type", "doeljaar", "peiljaar", "marge", "score", "ondergrens",
         "bovengrens", "detecteerbaar", "projectie", "projectie_laag", "projectie_hoog", "doel_score",
         "onderdrukt", "status"]
    ]  # fmt: skip
    del c, doel, d
    lap("fct_doelen")

    # ---- fct_hotspots: a buurt's month against the same months (+/- 1) of the previous years that did not
    # signal themselves; exact conditional (binomial) test, Benjamini-Hochberg per gemeente and month
    reeksen = dims["dim_hotspot_reeks"]
    hs_fdr, hs_min, hs_jaren = float(inst.hotspot_fdr), int(inst.hotspot_minimum), int(inst.hotspot_jaren)
    hs_maanden = int(inst.hotspot_maanden)
    pm = pol[(pol["periode_type"] == "maand") & (pol["niveau"] == "buurt")]
    gm = cur[(cur["periode_type"] == "maand") & (cur["niveau"] == "buurt")]
    maanden = pd.concat(
        [
            pd.DataFrame(
                {
                    "bron": "politie",
                    "variabele": pm["soort_misdrijf"],
                    "gebied_code": pm["gebied_code"],
                    "jaar": pm["jaar"],
                    "maand": pm["maand"],
                    "aantal": pm["aantal"].astype("float64"),
                    "load_id": pm["load_id"],
                }
            ),
            gm[["bron", "variabele", "gebied_code", "jaar", "periode_nr", "waarde", "load_id"]].rename(
                columns={"periode_nr": "maand", "waarde": "aantal"}
            ),
        ],
        ignore_index=True,
    )
    hs = maanden.merge(reeksen, on=["bron", "variabele"])
    hs = hs[hs["aantal"].notna()].reset_index(drop=True)
    hs["maandnr"] = hs["jaar"] * 12 + hs["maand"] - 1
    hs["gemeente"] = hs["gebied_code"].str[2:6]
    # the window: the last hotspot_maanden months up to each gemeente's latest month
    hs["eerste"] = hs.groupby("gemeente")["maandnr"].transform("max") - hs_maanden + 1
    hs = hs[hs["maandnr"] >= hs["eerste"] - 12 * hs_jaren - 1].reset_index(drop=True)
    hs["reeks_id"] = hs.groupby(["bron", "variabele", "gebied_code"], sort=False).ngroup()
    key = pd.Index(hs["reeks_id"].to_numpy() * 100_000 + hs["maandnr"].to_numpy())  # one row per series-month
    aantal = hs["aantal"].to_numpy()
    gesignaleerd = np.zeros(len(hs), dtype=bool)  # months signalled so far: left out of later histories
    lags = [12 * k + d for k in range(1, hs_jaren + 1) for d in (-1, 0, 1)]
    uitkomst = {c: np.full(len(hs), np.nan) for c in ("verwacht", "p_waarde", "p_aangepast")}
    uitkomst |= {c: np.zeros(len(hs), dtype=np.int64) for c in ("maanden_eerder", "uitgesloten_maanden")}
    uitkomst["signaal"] = np.zeros(len(hs), dtype=bool)
    for offset in range(hs_maanden):  # month by month: a signal changes the history of later months
        idx = np.flatnonzero((hs["maandnr"] - hs["eerste"]).to_numpy() == offset)
        if idx.size == 0:
            continue
        som = np.zeros(idx.size)
        n = np.zeros(idx.size, dtype=np.int64)
        uit = np.zeros(idx.size, dtype=np.int64)
        for lag in lags:
            pos = key.get_indexer(key[idx] - lag)
            found = pos >= 0
            was = np.zeros(idx.size, dtype=bool)
            was[found] = gesignaleerd[pos[found]]
            used = found & ~was
            som[used] += aantal[pos[used]]
            n += used
            uit += found & was
        month = hs.iloc[idx][["gemeente", "aantal"]].copy()
        month["n"], month["som"] = n, som
        month["p"] = np.where(
            n >= 3, stats.binom.sf(month["aantal"] - 1, month["aantal"] + som, 1 / (n + 1)), np.nan
        )
        # Benjamini-Hochberg per gemeente over the tested cells of this month
        tested = month[month["p"].notna()].sort_values(["gemeente", "p"], ascending=[True, False])
        m = tested.groupby("gemeente")["p"].transform("size")
        rank = m - tested.groupby("gemeente").cumcount()
        tested["adj"] = (tested["p"] * m / rank).groupby(tested["gemeente"]).cummin().clip(upper=1.0)
        month["adj"] = tested["adj"]
        signaal = (month["adj"] <= hs_fdr) & (month["aantal"] >= hs_min)
        with np.errstate(invalid="ignore", divide="ignore"):
            uitkomst["verwacht"][idx] = np.where(n > 0, som / n, np.nan)
        uitkomst["maanden_eerder"][idx] = n
        uitkomst["uitgesloten_maanden"][idx] = uit
        uitkomst["p_waarde"][idx] = month["p"].to_numpy()
        uitkomst["p_aangepast"][idx] = month["adj"].to_numpy()
        uitkomst["signaal"][idx] = signaal.to_numpy()
        gesignaleerd[idx] = signaal.to_numpy()
    hs = hs.assign(**uitkomst)
    hs = hs[hs["maandnr"] >= hs["eerste"]]
    hs["wijk_code"] = "WK" + hs["gebied_code"].str[2:8]
    hs["periode"] = pd.to_datetime(pd.DataFrame({"year": hs["jaar"], "month": hs["maand"], "day": 1}))
    hotspots = hs.rename(columns={"titel": "reeks"})[
        ["gebied_code", "wijk_code", "bron", "variabele", "reeks", "jaar", "maand", "periode", "aantal",
         "verwacht", "maanden_eerder", "uitgesloten_maanden", "p_waarde", "p_aangepast", "signaal", "load_id"]
    ]  # fmt: skip
    lap("fct_hotspots")
    out = {
        "fct_overdispersie": overdispersie,
        "fct_indicator_scores": scores,
        "fct_indicator_vorige": vorige,
        "fct_composites": composites,
        "fct_doelen": doelen,
        "fct_hotspots": hotspots,
    }
    rows |= {name: len(df) for name, df in out.items()}
    return out, rows, steps, peaks


def _same(a: Any, b: Any) -> bool:
    """Equal, with every kind of missing (None, NaN, pd.NA) equal to each other."""
    import pandas as pd

    na_a, na_b = a is None or a is pd.NA or a != a, b is None or b is pd.NA or b != b
    if na_a or na_b:
        return bool(na_a and na_b)
    return bool(a == b)


def _listish(x: Any) -> tuple | None:
    import numpy as np

    return tuple(x) if isinstance(x, list | tuple | np.ndarray) else None


def compare(
    con: duckdb.DuckDBPyConnection,
    out: dict[str, pd.DataFrame],
    rows: dict[str, int],
    seed: int,
    sample_rows: int | None = SAMPLE_ROWS,
) -> dict[str, Any]:
    """Check the pandas result against the marts: row counts, then the rows by key with a tolerance.

    Every column the mart and the pandas result both have is compared: numbers (DOUBLE and integer columns)
    within ATOL + RTOL x |value|, lists element by element, everything else (verdicts, remarks, flags, dates)
    exactly, NULL only equal to NULL. ``sample_rows``: compare that many random rows of the marts outside
    ``GEMEENTE_SAMPLED`` and the gemeente rows of those (the benchmark); None: every row of every mart.
    Returns ``ok``, ``max_abs_diff``, ``problems`` (one line per difference), ``checks`` (per mart: label,
    rows read from the mart, rows compared, columns compared, columns of the mart the pandas result lacks,
    differing columns) and ``marts``.
    """
    import numpy as np
    import pandas as pd

    checks: list[dict[str, Any]] = []
    problems: list[str] = []
    max_abs = 0.0

    marts = [name for name in MARTS if name in rows and name in out]  # the int_ steps are temporary tables
    for name in marts:
        n = rows[name]
        db_rows = con.execute(f"SELECT count(*) FROM marts.{name}").fetchall()[0][0]
        if db_rows != n:
            problems.append(f"{name}: {n:,} rows in pandas, {db_rows:,} in the mart")

    def read(mart: str) -> tuple[str, pd.DataFrame]:
        if sample_rows is None:
            return f"{mart} (all rows)", con.execute(f"SELECT * FROM marts.{mart}").df()
        if mart in GEMEENTE_SAMPLED:
            return f"{mart} (all gemeente rows)", con.execute(
                f"SELECT * FROM marts.{mart} WHERE niveau = 'gemeente'"
            ).df()
        return f"{mart} ({sample_rows:,} random rows)", con.execute(
            f"SELECT * FROM marts.{mart} USING SAMPLE reservoir({sample_rows} ROWS) REPEATABLE ({seed})"
        ).df()

    for mart in marts:
        label, db = read(mart)
        keys = MART_KEYS[mart]
        pdf = out[mart]
        columns = [c for c in db.columns if c in pdf.columns and c not in keys]
        missing_columns = [c for c in db.columns if c not in pdf.columns]
        for c in missing_columns:
            problems.append(f"{label}: column {c} of the mart is not in the pandas result")
        dupes = int(pdf.duplicated(subset=keys).sum())
        if dupes:
            problems.append(f"{label}: {dupes} duplicate keys in the pandas result")
        key_types = {k: db[k].dtype for k in keys if pd.api.types.is_integer_dtype(db[k].dtype)}
        m = db.merge(
            pdf[keys + columns].astype(key_types),
            on=keys,
            how="left",
            suffixes=("_db", "_pd"),
            indicator=True,
        )
        not_found = int((m["_merge"] != "both").sum())
        if not_found:
            problems.append(f"{label}: {not_found} rows of the mart not found in the pandas result")
        m = m[m["_merge"] == "both"]
        bad: dict[str, int] = {}
        for c in columns:
            a_col, b_col = m[f"{c}_db"], m[f"{c}_pd"]
            is_list = a_col.dtype == object and any(_listish(x) is not None for x in a_col)
            numeric = pd.api.types.is_numeric_dtype(a_col.dtype) and not pd.api.types.is_bool_dtype(
                a_col.dtype
            )
            if numeric:
                a = a_col.astype("float64").to_numpy()
                b = pd.to_numeric(b_col).astype("float64").to_numpy()
                both = ~np.isnan(a) & ~np.isnan(b)
                with np.errstate(invalid="ignore"):
                    diff = np.abs(a[both] - b[both])
                    same_inf = a[both] == b[both]  # inf - inf is NaN
                diff = np.where(same_inf, 0.0, diff)
                if diff.size:
                    max_abs = max(max_abs, float(np.nanmax(diff)))
                n_bad = int(
                    (np.isnan(a) != np.isnan(b)).sum() + (~(diff <= ATOL + RTOL * np.abs(a[both]))).sum()
                )
            elif is_list:
                n_bad = sum(_listish(x) != _listish(y) for x, y in zip(a_col, b_col, strict=True))
            else:
                n_bad = sum(not _same(x, y) for x, y in zip(a_col, b_col, strict=True))
            if n_bad:
                bad[c] = n_bad
        for c, n_bad in bad.items():
            problems.append(f"{label}: column {c} differs in {n_bad} of {len(m)} rows")
        checks.append(
            {
                "mart": mart,
                "label": label,
                "rows": len(db),
                "compared": len(m),
                "columns": keys + columns,
                "missing_columns": missing_columns,
                "bad": bad,
            }
        )
    if "fct_hotspots" in marts:
        signals = con.execute("SELECT count(*) FILTER (WHERE signaal) FROM marts.fct_hotspots").fetchall()[0][
            0
        ]
        pd_signals = int(out["fct_hotspots"]["signaal"].sum())
        if signals != pd_signals:
            problems.append(f"fct_hotspots: {pd_signals:,} signals in pandas, {signals:,} in the mart")
    return {
        "ok": not problems,
        "max_abs_diff": max_abs,
        "problems": problems,
        "checks": checks,
        "marts": len(marts),
    }


def check_database(db_path: Path | str, sample_rows: int | None = None, seed: int = 2019) -> dict[str, Any]:
    """Run ``pandas_marts`` on a database (read-only) and ``compare`` its result with the database's marts."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        t0 = time.perf_counter()
        out, rows, _, _ = pandas_marts(con)
        seconds = time.perf_counter() - t0
        result = compare(con, out, rows, seed, sample_rows)
    finally:
        con.close()
    result["seconds"] = seconds
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "db", type=Path, help="a database with staging and indicator marts (opened read-only)"
    )
    parser.add_argument("--sample", type=int, help="compare this many random rows (default: every row)")
    parser.add_argument("--seed", type=int, default=2019, help="seed of the sample")
    args = parser.parse_args(argv)
    result = check_database(args.db, args.sample, args.seed)
    print(
        f"pandas reference computed in {result['seconds']:.1f} s; matches marts: "
        f"{'yes' if result['ok'] else 'no'} (max abs diff {result['max_abs_diff']:.3g}; "
        f"tolerance {ATOL:g} + {RTOL:g} x |value|)"
    )
    for c in result["checks"]:
        differing = ", ".join(f"{k} ({n})" for k, n in c["bad"].items()) or "none"
        print(
            f"  {c['label']}: {c['compared']:,} of {c['rows']:,} rows compared on {len(c['columns'])} "
            f"columns; differing: {differing}"
        )
    for problem in result["problems"]:
        print(f"  {problem}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
