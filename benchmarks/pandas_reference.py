"""An independent re-implementation of the indicator engine in plain pandas, and its comparison with the marts.

``pandas_marts(con)`` computes the indicator marts from a database's staging layer the way an analyst would:
pull the tables with ``.df()``, then groupby / merge / merge_asof / explode, scipy for the exact Poisson
intervals and the hotspot p-values. It mirrors the semantics of ``indicators/sql/*.sql`` (same outputs, same
NULL rules) with its own, naive algorithms, and it is independent of the engine: it imports nothing from
``indicators`` or ``etl`` and reads no SQL file. Its inputs are the database's ``staging`` tables,
``marts.dim_variabele`` and ``marts.dim_gebied`` (built by the ETL from the registries and the area files,
before the indicator engine runs), ``meta.instellingen`` and ``indicators/catalogue.yaml`` (the indicator
definitions, read as YAML here).

``compare(con, out, rows, seed)`` checks its result against the marts the indicator steps of ``etl.build`` wrote: the
row count of every mart and, per mart, the rows by key with a tolerance of 1e-9 + 1e-9 x |value| on numbers,
exact equality on verdicts, remarks and flags, lists as sets. With ``sample_rows`` (the benchmark) it compares
a random sample of the large marts and the gemeente rows of the others; with ``sample_rows=None`` (the test
suite, ``tests/test_pandas_reference.py``) every row and every column of every mart.

Used by ``bench_indicators.py`` (timing and the check at national scale) and the test suite (on the demo
database). On its own::

    .venv/bin/python benchmarks/pandas_reference.py path/to/database.duckdb   # every row; exit 1 on a difference

When the SQL changes, the comparison says which columns differ; update ``pandas_marts`` with it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "indicators" / "catalogue.yaml"
SAMPLE_ROWS = 1_000
RTOL, ATOL = 1e-9, 1e-9
MARTS = ["fct_indicator_scores", "fct_indicator_vorige", "fct_composites", "fct_doelen", "fct_hotspots"]
SETTING_KEYS = (
    "basisjaar",
    "doeljaar",
    "onderdrukking_drempel",
    "betrouwbaarheid",
    "hotspot_p",
    "hotspot_minimum",
    "hotspot_jaren",
    "hotspot_maanden",
)
FLOAT_SETTINGS = ("betrouwbaarheid", "hotspot_p")


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
    """The catalogue as the tables the computation joins: indicators, their components, hotspot series."""
    import pandas as pd
    from scipy import stats

    cat = load_catalogue()
    indicators, components = [], []
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
            for var in ind.get(role, {}).get("variabelen", []):
                components.append(
                    {"indicator": code, "rol": role, "bron": ind[role]["bron"], "variabele": var}
                )
    inst = {
        "basisjaar": settings["basisjaar"],
        "doeljaar": settings["doeljaar"],
        "drempel": settings["onderdrukking_drempel"],
        "betrouwbaarheid": settings["betrouwbaarheid"],
        "z": float(stats.norm.ppf(0.5 + settings["betrouwbaarheid"] / 2)),  # two-sided critical value
        "hotspot_p": settings["hotspot_p"],
        "hotspot_minimum": settings["hotspot_minimum"],
        "hotspot_jaren": settings["hotspot_jaren"],
        "hotspot_maanden": settings["hotspot_maanden"],
    }
    return {
        "dim_indicator": pd.DataFrame(indicators),
        "dim_indicator_component": pd.DataFrame(components),
        "dim_hotspot_reeks": pd.DataFrame(cat["hotspot_reeksen"], columns=["bron", "variabele", "titel"]),
        "dim_instellingen": pd.DataFrame([inst]),
    }


# ------------------------------------------------------------------------------------------- the computation


def pandas_marts(
    con: duckdb.DuckDBPyConnection,
) -> tuple[dict[str, pd.DataFrame], dict[str, int], dict[str, float], dict[str, int]]:
    """The indicator marts computed the way an analyst would in pandas: pull the tables, groupby / merge.

    Mirrors indicators/sql/*.sql step by step (same outputs, same NULL rules). Intermediates are dropped once
    they are not needed any more (``del``), as one does when a notebook runs short of memory. Returns the
    fact tables the check compares, the row count of every mart, and seconds and peak RSS so far per step
    ("pull" = the staging tables into pandas).
    """
    import numpy as np
    import pandas as pd
    from scipy import special, stats

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
        "load_id, vervangen_door FROM staging.stg_partner__waarnemingen"
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
    dim_gebied = con.sql("SELECT gebied_code, geldig_tot FROM marts.dim_gebied").df()
    settings = read_settings(con)
    lap("pull")

    dims = catalogue_tables(settings)  # the catalogue as tables, read from catalogue.yaml here
    dim_indicator, components = dims["dim_indicator"], dims["dim_indicator_component"]
    inst = dims["dim_instellingen"].iloc[0]
    basisjaar, doeljaar, drempel, zk = (
        int(inst.basisjaar),
        int(inst.doeljaar),
        int(inst.drempel),
        float(inst.z),
    )

    # ---- int_waarnemingen_jaar: yearly value per delivered area, source and variable
    cols = ["bron", "variabele", "gebied_code", "niveau", "jaar", "waarde", "n", "sd", "perioden", "verwacht"]
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
            "waarde": pj["aantal"].astype("float64"),
            "n": np.nan,
            "sd": np.nan,
            "perioden": pj["aantal"].notna().astype("int64"),
            "verwacht": 1,
            "bronjaar": pj["jaar"],
        }
    )
    pm = pol[(pol["periode_type"] == "maand") & pol["soort_misdrijf"].isin(indicator_codes)]
    g = pm.groupby(["soort_misdrijf", "gebied_code", "niveau", "jaar"], sort=False)
    politie_maand = pd.DataFrame(
        {
            "waarde": g["aantal"].sum(min_count=1).astype("float64"),
            "perioden": g["aantal"].count(),
        }
    ).reset_index()
    politie_maand = politie_maand.rename(columns={"soort_misdrijf": "variabele"})
    politie_maand = politie_maand.assign(
        bron="politie", n=np.nan, sd=np.nan, verwacht=12, bronjaar=politie_maand["jaar"]
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
    partner_stroom["n"] = np.nan
    partner_stroom["sd"] = np.nan
    voorraad = par[par["soort"] == "voorraad"]
    g = voorraad.groupby(keys, sort=False)
    laatste = (
        voorraad[voorraad["waarde"].notna()]
        .sort_values("periode_nr")
        .groupby(keys, sort=False)
        .tail(1)
        .set_index(keys)[["waarde", "n", "sd", "periode_nr"]]
        .rename(columns={"periode_nr": "perioden"})
    )
    partner_voorraad = pd.DataFrame({"periode_type": g["periode_type"].first()}).join(laatste).reset_index()
    partner_jaar = pd.concat([partner_stroom, partner_voorraad], ignore_index=True)
    partner_jaar["verwacht"] = partner_jaar["periode_type"].map(verwacht_map).fillna(1).astype("int64")
    partner_jaar = partner_jaar.drop(columns="periode_type")
    partner_jaar["bronjaar"] = partner_jaar["jaar"]

    bev = bevolking[bevolking["vervangen_door"].isna()].melt(
        id_vars=["gebied_code", "niveau", "jaar", "load_id"],
        value_vars=["inwoners", "huishoudens", "woningen"],
        var_name="variabele",
        value_name="waarde",
    )
    bev = bev[bev["waarde"].notna()]  # UNPIVOT drops NULL values
    bev["waarde"] = bev["waarde"].astype("float64")
    # carried forward per area up to the last year any source has data for, while the area exists
    laatste_jaar = max(pol["jaar"].max(), cur["jaar"].max(), bev["jaar"].max())
    bj = bev.groupby(["gebied_code", "variabele"], sort=False).agg(
        niveau=("niveau", "first"), eerste=("jaar", "min")
    )
    bj = bj.reset_index().merge(dim_gebied, on="gebied_code", how="left")
    bj["tot"] = bj["geldig_tot"].fillna(laatste_jaar).astype("int64")
    bj["jaar"] = [list(range(a, b + 1)) for a, b in zip(bj["eerste"], bj["tot"], strict=True)]
    bj = bj.explode("jaar").dropna(subset=["jaar"])
    bj["jaar"] = bj["jaar"].astype("int64")
    bev = pd.merge_asof(
        bj[["gebied_code", "niveau", "variabele", "jaar"]].sort_values("jaar"),
        bev[["gebied_code", "variabele", "jaar", "waarde", "load_id"]]
        .astype({"jaar": "int64"})
        .rename(columns={"jaar": "bronjaar"})
        .sort_values("bronjaar"),
        left_on="jaar",
        right_on="bronjaar",
        by=["gebied_code", "variabele"],
        direction="backward",
    ).dropna(subset=["bronjaar"])
    bev = bev.assign(
        bron="bevolking",
        n=np.nan,
        sd=np.nan,
        perioden=1,
        verwacht=1,
    )
    lb = lbm[lbm["vervangen_door"].isna()]
    lb = lb.assign(
        bron="leefbaarometer",
        variabele="lbm",
        waarde=lb["lbm"],
        n=np.nan,
        sd=np.nan,
        perioden=lb["lbm"].notna().astype("int64"),
        verwacht=1,
        bronjaar=lb["jaar"],
    )
    ij = pd.concat(
        [df[cols + ["bronjaar"]] for df in (politie_jaar, politie_maand, partner_jaar, bev, lb)],
        ignore_index=True,
    )
    ij = ij[ij["niveau"].notna()]
    ij["n"] = ij["n"].astype("float64")
    ij["volledig"] = (ij["perioden"] == ij["verwacht"]) & ij["waarde"].notna()
    rows: dict[str, int] = {"int_waarnemingen_jaar": len(ij)}
    del pj, pm, politie_jaar, politie_maand, par, stroom, voorraad, laatste, partner_stroom, partner_voorraad
    del partner_jaar, bev, bj, lb
    lap("int_waarnemingen_jaar")

    # ---- int_waarnemingen: counts summed buurt -> wijk -> gemeente, survey figures n-weighted
    jaar = ij.merge(dim_variabele[["bron", "variabele", "aggregatie"]], on=["bron", "variabele"])
    optelbaar = jaar[jaar["aggregatie"] != "geen"]
    bu = optelbaar[optelbaar["niveau"] == "buurt"]
    wk = optelbaar[optelbaar["niveau"] == "wijk"]
    wk = wk.assign(ouder="GM" + wk["gebied_code"].str[2:6], ouder_niveau="gemeente")
    # a gemeente is built from its buurten when there are any for this variable and year
    bu_gm = (
        bu[["bron", "variabele", "jaar"]].assign(ouder="GM" + bu["gebied_code"].str[2:6]).drop_duplicates()
    )
    wk = wk.merge(bu_gm, on=["bron", "variabele", "jaar", "ouder"], how="left", indicator=True)
    wk = wk[wk["_merge"] == "left_only"].drop(columns="_merge")
    kinderen = pd.concat(
        [
            bu.assign(ouder="WK" + bu["gebied_code"].str[2:8], ouder_niveau="wijk"),
            bu.assign(ouder="GM" + bu["gebied_code"].str[2:6], ouder_niveau="gemeente"),
            wk,
        ],
        ignore_index=True,
    )
    kinderen["n_w"] = kinderen["n"].where(kinderen["waarde"].notna())
    kinderen["nx"] = kinderen["n"] * kinderen["waarde"]
    kinderen["nsd2"] = kinderen["n"] * kinderen["sd"] * kinderen["sd"]
    kinderen["n_sd"] = kinderen["n"].where(kinderen["sd"].notna())
    okeys = ["bron", "variabele", "ouder", "ouder_niveau", "jaar"]
    g = kinderen.groupby(okeys, sort=False)
    sums = g[["waarde", "nx", "n_w", "nsd2", "n_sd"]].sum(min_count=1)
    opgeteld = pd.DataFrame(
        {
            "aggregatie": g["aggregatie"].first(),
            "perioden": g["perioden"].min(),
            "verwacht": g["verwacht"].max(),
            "volledig": g["volledig"].all(),
            "bronjaar": g["bronjaar"].min(),
            "onderdelen": g.size(),
        }
    ).join(sums)
    opgeteld = opgeteld.reset_index().rename(columns={"ouder": "gebied_code", "ouder_niveau": "niveau"})
    som = opgeteld["aggregatie"] == "som"
    opgeteld["waarde"] = np.where(
        som, opgeteld["waarde"], opgeteld["nx"] / opgeteld["n_w"].replace(0, np.nan)
    )
    opgeteld["sd"] = np.where(
        opgeteld["aggregatie"] == "gewogen_gemiddelde",
        np.sqrt(opgeteld["nsd2"] / opgeteld["n_sd"].replace(0, np.nan)),
        np.nan,
    )
    opgeteld["n"] = np.where(som, np.nan, opgeteld["n_w"])
    opgeteld["opgeteld"] = True
    geleverd = jaar.merge(
        opgeteld[["bron", "variabele", "gebied_code", "jaar"]],
        on=["bron", "variabele", "gebied_code", "jaar"],
        how="left",
        indicator=True,
    )
    geleverd = geleverd[geleverd["_merge"] == "left_only"].assign(onderdelen=1, opgeteld=False)
    iw_cols = cols + ["volledig", "bronjaar", "onderdelen", "opgeteld"]
    iw = pd.concat([geleverd[iw_cols], opgeteld[iw_cols]], ignore_index=True)
    rows["int_waarnemingen"] = len(iw)
    del ij, jaar, optelbaar, bu, wk, bu_gm, kinderen, sums, opgeteld, geleverd
    lap("int_waarnemingen")

    # ---- int_indicator_waarden: numerator / denominator x factor, or the survey figure
    w = components.merge(iw[iw["waarde"].notna()], on=["bron", "variabele"])
    tk = ["indicator", "gebied_code", "niveau", "jaar"]
    tw = w[w["rol"] == "teller"]
    g = tw.groupby(tk, sort=False)
    teller = pd.DataFrame(
        {
            "teller": g["waarde"].sum(),
            "n": g["n"].first(),
            "sd": g["sd"].first(),
            "teller_volledig": g["volledig"].all(),
            "teller_variabelen": g.size(),
        }
    )
    teller = teller.reset_index()
    # a numerator of several variables is complete only when every variable the area ever has is there
    teller["alle_variabelen"] = teller["teller_variabelen"] == teller.groupby(["indicator", "gebied_code"])[
        "teller_variabelen"
    ].transform("max")
    nk = ["indicator", "gebied_code", "jaar"]
    nw = w[w["rol"] == "noemer"]
    g = nw.groupby(nk, sort=False)
    noemer = pd.DataFrame(
        {
            "noemer": g["waarde"].sum(),
            "noemer_jaar": g["bronjaar"].min(),
            "noemer_volledig": g["volledig"].all(),
        }
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
    )
    niveaus = dim_indicator[["indicator", "niveaus"]].explode("niveaus").rename(columns={"niveaus": "niveau"})
    ind_cols = ["indicator", "heeft_noemer", "factor", "polariteit", "onzekerheid", "vergelijkbaar_vanaf"]
    wd = gekoppeld.merge(niveaus, on=["indicator", "niveau"]).merge(dim_indicator[ind_cols], on="indicator")
    hn = wd["heeft_noemer"]
    wd["waarde"] = np.where(
        hn & (wd["noemer"].fillna(0) == 0),
        np.nan,
        np.where(hn, wd["teller"] / wd["noemer"] * wd["factor"], wd["teller"]),
    )
    wd["noemer"] = wd["noemer"].where(hn)
    wd["noemer_jaar"] = wd["noemer_jaar"].where(hn)
    noemer_volledig = wd["noemer_volledig"].astype("boolean")
    wd["volledig"] = wd["teller_volledig"] & wd["alle_variabelen"] & (~hn | noemer_volledig.fillna(False))
    wd["noemer_geschat"] = hn & (wd["noemer_jaar"] != wd["jaar"]) & wd["noemer"].notna()
    wd["opmerking"] = np.select(
        [
            ~wd["teller_volledig"],
            ~wd["alle_variabelen"],
            hn & noemer_volledig.eq(False).fillna(False),
            hn & wd["noemer"].isna(),
            hn & (wd["noemer"] == 0),
        ],
        [
            "onvolledig jaar",
            "niet alle onderdelen geleverd",
            "noemer onvolledig",
            "geen noemer",
            "noemer is 0",
        ],
        default=None,
    )
    waarden = wd
    rows["int_indicator_waarden"] = len(waarden)
    del iw, w, tw, nw, teller, noemer, gekoppeld, wd
    lap("int_indicator_waarden")

    def z_verschil(df: pd.DataFrame, now: str, before: str) -> np.ndarray:
        """Test statistic of the change from the columns prefixed ``before`` to those prefixed ``now``."""

        def col(prefix: str, name: str) -> pd.Series:
            key = "basiswaarde" if (prefix, name) == ("basis_", "waarde") else prefix + name
            return df[key].astype("float64")

        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t0 = np.maximum(col(now, "teller"), 0.5), np.maximum(col(before, "teller"), 0.5)
            z_pois = np.log(
                (t1 / col(now, "noemer").fillna(1)) / (t0 / col(before, "noemer").fillna(1))
            ) / np.sqrt(1 / t1 + 1 / t0)
            p1, p0 = col(now, "waarde") / 100.0, col(before, "waarde") / 100.0
            n1, n0 = col(now, "n"), col(before, "n")
            pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
            z_binom = (p1 - p0) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n0)).replace(0, np.nan)
            z_gem = (col(now, "waarde") - col(before, "waarde")) / np.sqrt(
                col(now, "sd") ** 2 / n1 + col(before, "sd") ** 2 / n0
            ).replace(0, np.nan)
        onz = df["onzekerheid"]
        return np.select(
            [onz == "poisson", onz == "binomiaal", onz == "gemiddelde"],
            [z_pois, z_binom, z_gem],
            default=np.nan,
        )

    # ---- fct_indicator_scores: interval, baseline, score, z-test, verdict
    s = waarden.copy()
    del waarden
    pois = s["onzekerheid"] == "poisson"
    binom = s["onzekerheid"] == "binomiaal"
    gem = s["onzekerheid"] == "gemiddelde"
    scale = np.where(s["heeft_noemer"], s["factor"] / s["noemer"], 1.0)
    x = s["teller"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - inst.betrouwbaarheid  # exact (Garwood) interval for a Poisson count
        laag = np.where(x > 0, stats.chi2.ppf(alpha / 2, 2 * x) / 2, 0.0)
        hoog = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
        p = s["waarde"] / 100.0
        n = s["n"].astype("float64")
        wilson_mid = p + zk * zk / (2 * n)
        wilson_half = zk * np.sqrt(p * (1 - p) / n + zk * zk / (4 * n * n))
        s["ci_laag"] = np.select(
            [pois & s["waarde"].notna(), binom, gem],
            [
                laag * scale,
                100 * (wilson_mid - wilson_half) / (1 + zk * zk / n),
                s["waarde"] - zk * s["sd"] / np.sqrt(n),
            ],
            default=np.nan,
        )
        s["ci_hoog"] = np.select(
            [pois & s["waarde"].notna(), binom, gem],
            [
                hoog * scale,
                100 * (wilson_mid + wilson_half) / (1 + zk * zk / n),
                s["waarde"] + zk * s["sd"] / np.sqrt(n),
            ],
            default=np.nan,
        )
        s["p"] = p
        s["logvar"] = np.select(
            [pois, binom, gem],
            [
                1.0 / np.maximum(s["teller"], 0.5),
                (1 - p) / (n * np.maximum(p, 0.5 / n)),
                (s["sd"] * s["sd"] / n) / (s["waarde"] * s["waarde"]).replace(0, np.nan),
            ],
            default=np.nan,
        )
    basis = s.loc[
        s["jaar"] == basisjaar,
        ["gebied_code", "indicator", "waarde", "teller", "noemer", "n", "sd", "p", "logvar", "volledig"],
    ].rename(
        columns={
            "waarde": "basiswaarde",
            "teller": "basis_teller",
            "noemer": "basis_noemer",
            "n": "basis_n",
            "sd": "basis_sd",
            "p": "basis_p",
            "logvar": "basis_logvar",
            "volledig": "basis_volledig",
        }
    )
    v = s.merge(basis, on=["gebied_code", "indicator"], how="left")
    v["vergelijkbaar"] = v["vergelijkbaar_vanaf"] <= np.minimum(v["jaar"], basisjaar)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_ruw = z_verschil(v, "", "basis_")
        wv, bv, hoger = v["waarde"], v["basiswaarde"], v["polariteit"] == "hoger_is_beter"
        score_ruw = np.select(
            [
                wv.isna() | bv.isna(),
                (wv == 0) & (bv == 0),
                hoger & (bv == 0),
                ~hoger & (wv == 0),
                hoger,
            ],
            [np.nan, 100.0, 200.0, 200.0, np.clip(100 * wv / bv, 0, 200)],
            default=np.clip(100 * bv / wv, 0, 200),
        )
    bruikbaar = (
        wv.notna()
        & bv.notna()
        & v["volledig"]
        & v["basis_volledig"].fillna(False).astype(bool)
        & v["vergelijkbaar"]
    )
    basis_rij = v["jaar"] == basisjaar
    z_beter = np.where(hoger, z_ruw, -z_ruw)
    v["basisjaar"] = basisjaar
    v["score"] = np.where(bruikbaar, score_ruw, np.nan)
    v["score_var"] = np.where(
        bruikbaar & basis_rij,
        0.0,
        np.where(bruikbaar, score_ruw * score_ruw * (v["logvar"] + v["basis_logvar"]), np.nan),
    )
    v["z"] = np.where(bruikbaar & ~basis_rij, z_beter, np.where(bruikbaar, 0.0, np.nan))
    v["p_waarde"] = np.where(
        bruikbaar & ~basis_rij, 2 * special.ndtr(-np.abs(z_beter)), np.where(bruikbaar, 1.0, np.nan)
    )
    geen = v["onzekerheid"] == "geen"
    v["verandering"] = np.select(
        [
            ~bruikbaar,
            basis_rij,
            geen & (score_ruw > 100),
            geen & (score_ruw < 100),
            geen,
            z_beter > zk,
            z_beter < -zk,
        ],
        [None, "gelijk", "beter", "slechter", "gelijk", "beter", "slechter"],
        default="gelijk",
    )
    v["onderdrukt"] = (v["onzekerheid"] == "poisson") & (v["teller"] >= 1) & (v["teller"] < drempel)
    v["basis_onderdrukt"] = (
        (v["onzekerheid"] == "poisson") & (v["basis_teller"] >= 1) & (v["basis_teller"] < drempel)
    ).fillna(False)
    delen = pd.DataFrame(
        {
            "a": v["opmerking"],
            "b": np.where(~v["vergelijkbaar"], "methodebreuk: niet vergelijkbaar met het basisjaar", None),
            "c": np.where(bv.isna() & wv.notna(), "geen basiswaarde", None),
            "d": np.where(
                v["basis_volledig"].astype("boolean").eq(False).fillna(False), "basisjaar onvolledig", None
            ),
            "e": np.where(
                v["noemer_geschat"], "noemer uit " + v["noemer_jaar"].astype("Int64").astype(str), None
            ),
            "f": np.select(
                [(wv == 0) & (bv == 0), wv == 0, bv == 0],
                ["waarde en basiswaarde zijn 0", "waarde is 0", "basiswaarde is 0"],
                default=None,
            ),
        }
    )
    v["opmerking"] = ["; ".join(x for x in r if isinstance(x, str)) for r in delen.itertuples(index=False)]
    scores = v[
        [
            "gebied_code", "niveau", "indicator", "jaar", "waarde", "teller", "noemer", "noemer_jaar",
            "noemer_geschat", "n", "sd", "ci_laag", "ci_hoog", "basisjaar", "basiswaarde", "score",
            "score_var", "z", "p_waarde", "verandering", "vergelijkbaar", "volledig", "onderdrukt",
            "basis_onderdrukt", "opmerking",
        ]
    ]  # fmt: skip
    lap("fct_indicator_scores")

    # ---- fct_indicator_vorige: each complete, comparable value against the previous complete one
    vw = v[
        v["volledig"]
        & v["waarde"].notna()
        & (v["jaar"] >= v["vergelijkbaar_vanaf"])
        & (v["onzekerheid"] != "geen")
    ]
    vw = vw.sort_values(["indicator", "gebied_code", "jaar"])
    g = vw.groupby(["indicator", "gebied_code"], sort=False)
    for c in ("jaar", "waarde", "teller", "noemer", "n", "sd"):
        vw[f"vorige_{c}"] = g[c].shift(1)
    vw = vw[vw["vorige_jaar"].notna()].rename(columns={"vorige_jaar": "vorig_jaar"})
    z_vorig = z_verschil(vw, "", "vorige_")
    vw["z"] = np.where(vw["polariteit"] == "hoger_is_beter", z_vorig, -z_vorig)
    vw["verandering"] = np.select([vw["z"] > zk, vw["z"] < -zk], ["beter", "slechter"], default="gelijk")
    vorige = vw[
        ["gebied_code", "niveau", "indicator", "jaar", "vorig_jaar", "waarde", "vorige_waarde", "onderdrukt",
         "z", "verandering"]
    ]  # fmt: skip
    del v, s, basis, vw
    lap("fct_indicator_vorige")

    # ---- fct_composites: weighted means per theme, kind and theme within kind; total = kinds 50/50;
    #      the least-squares trend since the baseline per area and group
    sc = scores[scores["score"].notna()].merge(
        dim_indicator[["indicator", "thema", "soort", "gewicht"]], on="indicator"
    )
    sc = sc[sc["gewicht"] > 0].sort_values("indicator")
    sc["thema_soort"] = sc["thema"] + "/" + sc["soort"]
    sc["ws"] = sc["gewicht"] * sc["score"]
    sc["wwv"] = sc["gewicht"] ** 2 * sc["score_var"]
    groepen = {}
    for groep_type in ("thema", "soort", "thema_soort"):
        g = sc.groupby(["gebied_code", "niveau", "jaar", groep_type], sort=False)
        agg = g.agg(ws=("ws", "sum"), w=("gewicht", "sum"), dekking=("indicator", "size"))
        agg["indicatoren"] = g["indicator"].apply(list)
        agg["wwv"] = g["wwv"].sum(min_count=1)
        agg = agg.reset_index().rename(columns={groep_type: "groep"})
        agg["groep_type"] = groep_type
        agg["score"] = agg["ws"] / agg["w"]
        agg["score_var"] = agg["wwv"] / (agg["w"] * agg["w"])
        groepen[groep_type] = agg
    g = groepen["soort"].groupby(["gebied_code", "niveau", "jaar"], sort=False)
    totaal = g.agg(
        k=("score", "size"),
        som=("score", "sum"),
        eerste=("score", "first"),
        var_som=("score_var", "sum"),
        var_eerste=("score_var", "first"),
        dekking=("dekking", "sum"),
    )
    totaal["indicatoren"] = g["indicatoren"].apply(lambda x: [i for lst in x for i in lst])
    totaal = totaal.reset_index()
    totaal["score"] = np.where(totaal["k"] == 2, 0.5 * totaal["som"], totaal["eerste"])
    totaal["score_var"] = np.where(totaal["k"] == 2, 0.25 * totaal["var_som"], totaal["var_eerste"])
    totaal["groep"] = "samengesteld"
    totaal["groep_type"] = "samengesteld"
    ccols = [
        "gebied_code",
        "niveau",
        "groep",
        "groep_type",
        "jaar",
        "score",
        "score_var",
        "dekking",
        "indicatoren",
    ]
    comp = pd.concat([df[ccols] for df in (*groepen.values(), totaal)], ignore_index=True)
    comp["se"] = np.sqrt(comp["score_var"])
    comp["ci_laag"] = comp["score"] - zk * comp["se"]
    comp["ci_hoog"] = comp["score"] + zk * comp["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        comp["z"] = np.where(comp["score_var"] > 0, (comp["score"] - 100) / comp["se"], 0.0)
    comp["verandering"] = np.select(
        [(comp["score_var"] > 0) & (comp["z"] > zk), (comp["score_var"] > 0) & (comp["z"] < -zk)],
        ["beter", "slechter"],
        default="gelijk",
    )
    # cumulative least-squares line per area and group (x centred on the baseline year for precision)
    comp = comp.sort_values(["gebied_code", "groep", "jaar"], ignore_index=True)
    sinds = comp["jaar"] >= basisjaar
    tr = comp.loc[sinds, ["gebied_code", "groep", "jaar", "score"]]
    tr = tr.assign(x=tr["jaar"] - basisjaar)
    tr = tr.assign(xx=tr["x"] ** 2, xy=tr["x"] * tr["score"])
    g = tr.groupby(["gebied_code", "groep"], sort=False)
    cum = g[["x", "score", "xx", "xy"]].cumsum()
    k = g.cumcount() + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        helling = (cum["xy"] - cum["x"] * cum["score"] / k) / (cum["xx"] - cum["x"] ** 2 / k)
        snijpunt_basis = cum["score"] / k - helling * cum["x"] / k
    helling = helling.where(k >= 2)
    comp.loc[sinds, "helling"] = helling
    comp.loc[sinds, "snijpunt"] = snijpunt_basis.where(k >= 2) - helling * basisjaar  # intercept at jaar = 0
    comp.loc[sinds, "trendjaren"] = k
    composites = comp.drop(columns="score_var")
    lap("fct_composites")

    # ---- fct_doelen: target status per area, group and peiljaar (wm_doelstatus in indicators/sql/macros.sql)
    c = composites[
        (composites["jaar"] >= basisjaar) & composites["groep_type"].isin(["samengesteld", "soort", "thema"])
    ]
    doel = c.loc[c["jaar"] == doeljaar, ["gebied_code", "groep", "score", "verandering"]].rename(
        columns={"score": "doel_score", "verandering": "doel_verandering"}
    )
    d = c.merge(doel, on=["gebied_code", "groep"], how="left")
    proj = d["snijpunt"] + d["helling"] * doeljaar
    na_doel = d["jaar"] >= doeljaar
    d["projectie"] = np.where(~na_doel & (d["trendjaren"] >= 2), proj, np.nan)
    d["status"] = np.select(
        [
            na_doel & d["doel_score"].isna(),
            na_doel & (d["doel_verandering"] == "slechter"),
            na_doel,
            (d["trendjaren"] < 2) | proj.isna(),
            (proj.round(9) >= 100) & (d["verandering"] != "slechter"),
            (proj.round(9) < 100) & (d["verandering"] == "slechter"),
        ],
        ["geen data", "niet gehaald", "gehaald", "geen data", "op koers", "uit koers"],
        default="risico",
    )
    doelen = d.assign(doeljaar=doeljaar).rename(columns={"jaar": "peiljaar"})[
        ["gebied_code", "niveau", "groep", "groep_type", "doeljaar", "peiljaar", "score", "verandering",
         "projectie", "doel_score", "status"]
    ]  # fmt: skip
    lap("fct_doelen")

    # ---- fct_hotspots: a buurt's month against the same months (+/- 1) of the previous years, Poisson
    reeksen = dims["dim_hotspot_reeks"]
    hs_p, hs_min, hs_jaren = float(inst.hotspot_p), int(inst.hotspot_minimum), int(inst.hotspot_jaren)
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
    hs["reeks_id"] = hs.groupby(["bron", "variabele", "gebied_code"], sort=False).ngroup()
    hist = hs[["reeks_id", "maandnr", "aantal"]]
    lags = [d for d in range(11, 12 * hs_jaren + 2) if d % 12 in (11, 0, 1)]
    eerder = np.column_stack(
        [
            hs[["reeks_id", "maandnr"]]
            .merge(hist.assign(maandnr=hist["maandnr"] + lag), on=["reeks_id", "maandnr"], how="left")[
                "aantal"
            ]
            .to_numpy()
            for lag in lags
        ]
    )
    hs["maanden_eerder"] = (~np.isnan(eerder)).sum(axis=1)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty slice: no history
        hs["verwacht"] = np.nanmean(eerder, axis=1)
    genoeg = hs["maanden_eerder"] >= 3
    hs["p_waarde"] = np.where(
        genoeg, stats.poisson.sf(hs["aantal"] - 1, np.maximum(hs["verwacht"].fillna(0.1), 0.1)), np.nan
    )
    hs["signaal"] = genoeg & (hs["p_waarde"] < hs_p) & (hs["aantal"] >= hs_min)
    # only the last hotspot_maanden months up to each gemeente's latest month are kept
    laatste = hs.groupby(hs["gebied_code"].str[2:6])["maandnr"].transform("max")
    hs = hs[hs["maandnr"] > laatste - hs_maanden]
    hs["wijk_code"] = "WK" + hs["gebied_code"].str[2:8]
    hs["periode"] = pd.to_datetime(pd.DataFrame({"year": hs["jaar"], "month": hs["maand"], "day": 1}))
    hotspots = hs.rename(columns={"titel": "reeks"})[
        ["gebied_code", "wijk_code", "bron", "variabele", "reeks", "jaar", "maand", "periode", "aantal",
         "verwacht", "maanden_eerder", "p_waarde", "signaal", "load_id"]
    ]  # fmt: skip
    lap("fct_hotspots")
    rows |= {
        "fct_indicator_scores": len(scores),
        "fct_indicator_vorige": len(vorige),
        "fct_composites": len(composites),
        "fct_doelen": len(doelen),
        "fct_hotspots": len(hotspots),
    }
    return (
        {
            "fct_indicator_scores": scores,
            "fct_indicator_vorige": vorige,
            "fct_composites": composites,
            "fct_doelen": doelen,
            "fct_hotspots": hotspots,
        },
        rows,
        steps,
        peaks,
    )


def _same(a: Any, b: Any) -> bool:
    """Equal, with every kind of missing (None, NaN, pd.NA) equal to each other."""
    import pandas as pd

    na_a, na_b = a is None or a is pd.NA or a != a, b is None or b is pd.NA or b != b
    if na_a or na_b:
        return bool(na_a and na_b)
    return bool(a == b)


def _listish(x: Any) -> tuple | None:
    import numpy as np

    return tuple(sorted(x)) if isinstance(x, list | tuple | np.ndarray) else None


def compare(
    con: duckdb.DuckDBPyConnection,
    out: dict[str, pd.DataFrame],
    rows: dict[str, int],
    seed: int,
    sample_rows: int | None = SAMPLE_ROWS,
) -> dict[str, Any]:
    """Check the pandas result against the marts: row counts, then the rows by key with a tolerance.

    ``sample_rows``: compare that many random rows of fct_indicator_scores, fct_indicator_vorige and
    fct_hotspots and the gemeente rows of fct_composites and fct_doelen (the benchmark); None: every row of
    every mart. Returns ``ok``, ``max_abs_diff``, ``problems`` (one line per difference), ``checks`` (per
    mart: label, rows read from the mart, rows compared, columns compared, differing columns) and ``marts``.
    """
    import numpy as np

    checks: list[dict[str, Any]] = []
    problems: list[str] = []
    max_abs = 0.0

    marts = [name for name in MARTS if name in rows]  # the int_ steps are temporary tables of the build
    for name in marts:
        n = rows[name]
        db_rows = con.execute(f"SELECT count(*) FROM marts.{name}").fetchall()[0][0]
        if db_rows != n:
            problems.append(f"{name}: {n:,} rows in pandas, {db_rows:,} in the mart")

    def check(
        mart: str,
        label: str,
        db: pd.DataFrame,
        keys: list[str],
        numeric: list[str],
        exact: list[str],
        lists: list[str],
    ) -> None:
        nonlocal max_abs
        pdf = out[mart]
        dupes = int(pdf.duplicated(subset=keys).sum())
        if dupes:
            problems.append(f"{label}: {dupes} duplicate keys in the pandas result")
        m = db.merge(pdf, on=keys, how="left", suffixes=("_db", "_pd"), indicator=True)
        missing = int((m["_merge"] != "both").sum())
        if missing:
            problems.append(f"{label}: {missing} rows of the mart not found in the pandas result")
        m = m[m["_merge"] == "both"]
        bad: dict[str, int] = {}
        for c in numeric:
            a = m[f"{c}_db"].astype("float64").to_numpy()
            b = m[f"{c}_pd"].astype("float64").to_numpy()
            both = ~np.isnan(a) & ~np.isnan(b)
            diff = np.abs(a[both] - b[both])
            if diff.size:
                max_abs = max(max_abs, float(diff.max()))
            n_bad = int((np.isnan(a) != np.isnan(b)).sum() + (diff > ATOL + RTOL * np.abs(a[both])).sum())
            if n_bad:
                bad[c] = n_bad
        for c in exact:
            n_bad = sum(not _same(x, y) for x, y in zip(m[f"{c}_db"], m[f"{c}_pd"], strict=True))
            if n_bad:
                bad[c] = n_bad
        for c in lists:
            n_bad = sum(_listish(x) != _listish(y) for x, y in zip(m[f"{c}_db"], m[f"{c}_pd"], strict=True))
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
                "columns": keys + numeric + exact + lists,
                "bad": bad,
            }
        )

    def sample(mart: str) -> tuple[str, pd.DataFrame]:
        if sample_rows is None:
            return f"{mart} (all rows)", con.execute(f"SELECT * FROM marts.{mart}").df()
        return f"{mart} ({sample_rows:,} random rows)", con.execute(
            f"SELECT * FROM marts.{mart} USING SAMPLE reservoir({sample_rows} ROWS) REPEATABLE ({seed})"
        ).df()

    def gemeenten(mart: str) -> tuple[str, pd.DataFrame]:
        if sample_rows is None:
            return f"{mart} (all rows)", con.execute(f"SELECT * FROM marts.{mart}").df()
        return f"{mart} (all gemeente rows)", con.execute(
            f"SELECT * FROM marts.{mart} WHERE niveau = 'gemeente'"
        ).df()

    check(
        "fct_indicator_scores",
        *sample("fct_indicator_scores"),
        ["gebied_code", "indicator", "jaar"],
        ["waarde", "teller", "noemer", "noemer_jaar", "n", "sd", "ci_laag", "ci_hoog", "basisjaar",
         "basiswaarde", "score", "score_var", "z", "p_waarde"],
        ["niveau", "noemer_geschat", "verandering", "vergelijkbaar", "volledig", "onderdrukt",
         "basis_onderdrukt", "opmerking"],
        [],
    )  # fmt: skip
    check(
        "fct_indicator_vorige",
        *sample("fct_indicator_vorige"),
        ["gebied_code", "indicator", "jaar"],
        ["vorig_jaar", "waarde", "vorige_waarde", "z"],
        ["niveau", "onderdrukt", "verandering"],
        [],
    )
    check(
        "fct_composites",
        *gemeenten("fct_composites"),
        ["gebied_code", "groep", "groep_type", "jaar"],
        ["score", "se", "ci_laag", "ci_hoog", "z", "dekking", "helling", "snijpunt", "trendjaren"],
        ["niveau", "verandering"],
        ["indicatoren"],
    )
    check(
        "fct_doelen",
        *gemeenten("fct_doelen"),
        ["gebied_code", "groep", "peiljaar"],
        ["doeljaar", "score", "projectie", "doel_score"],
        ["niveau", "groep_type", "verandering", "status"],
        [],
    )
    check(
        "fct_hotspots",
        *sample("fct_hotspots"),
        ["gebied_code", "bron", "variabele", "jaar", "maand"],
        ["aantal", "verwacht", "maanden_eerder", "p_waarde", "load_id"],
        ["wijk_code", "reeks", "periode", "signaal"],
        [],
    )
    signals = con.execute("SELECT count(*) FILTER (WHERE signaal) FROM marts.fct_hotspots").fetchall()[0][0]
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
