"""Golden tests of the indicator math on a hand-made gemeente (tests/fixtures/indicators/README.md).

Every expected value is worked out by hand in the comments (or, for the longer variance sums, with the
written-out formula next to it); the engine computes them in DuckDB SQL.

The fixture has no history before the baseline year, so the overdispersion of every count indicator is the
default (fct_overdispersie: jaarvariatie_standaard 0.05, sigma^2 = 0.0025) and Var(L) of a count comparison
adds 2 x 0.0025. The survey items cross the 2021 method break of the catalogue: the baseline is converted with
the omrekenfactor (rapportcijfer 0.97, onveilig 1.15).
"""

from __future__ import annotations

import functools
import math
import tempfile
from pathlib import Path

import duckdb
import pytest

from etl import load_files
from indicators.stats import poisson_interval, two_sided_p, z_critical

FIXTURES = Path(__file__).parent / "fixtures" / "indicators"
Z = 1.959963984540054
Z1 = 1.6448536269514722  # one-sided 95%
S2 = 0.05**2  # default between-year variance of a log rate (no history in the fixture)


@functools.cache
def golden_db() -> Path:
    db = Path(tempfile.mkdtemp(prefix="wijkmonitor-golden-")) / "golden.duckdb"
    results = load_files([FIXTURES], db)
    assert [r.status for r in results] == ["geladen"] * 4, [r.report() for r in results]
    return db


def one_row(sql: str, params: list) -> dict:
    with duckdb.connect(str(golden_db()), read_only=True) as con:
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
    assert row is not None, (sql, params)
    return dict(zip(names, row, strict=True))


def score_row(indicator: str, area: str, year: int) -> dict:
    return one_row(
        "SELECT * FROM marts.fct_indicator_scores WHERE indicator = ? AND gebied_code = ? AND jaar = ?",
        [indicator, area, year],
    )


def composite(area: str, year: int, group: str = "samengesteld") -> dict:
    return one_row(
        "SELECT * FROM marts.fct_composites WHERE gebied_code = ? AND jaar = ? AND groep = ?",
        [area, year, group],
    )


def approx(x: float, rel: float = 1e-6):
    return pytest.approx(x, rel=rel, abs=1e-9)


# ------------------------------------------------------------------------------------------ formulas


def test_z_critical_and_p_value():
    assert z_critical(0.95) == approx(Z)
    assert float(two_sided_p(Z)) == approx(0.05)
    assert float(two_sided_p(0.0)) == approx(1.0)


def test_exact_poisson_interval_matches_published_table():
    # Garwood intervals, e.g. Ulm (1990) / standard tables: x=0 -> [0, 3.689], x=3 -> [0.619, 8.767],
    # x=40 -> [28.58, 54.47]
    low, high = poisson_interval([0, 3, 40])
    assert low.tolist() == pytest.approx([0.0, 0.6187, 28.577], abs=1e-3)
    assert high.tolist() == pytest.approx([3.6889, 8.7673, 54.469], abs=1e-3)


# ------------------------------------------------------------------------------------------ rates


def test_rate_per_1000_with_exact_interval():
    r = score_row("misdrijven_per_1000_inwoners", "BU09980101", 2019)
    assert r["teller"] == 40 and r["noemer"] == 1000
    assert r["waarde"] == approx(40.0)  # 40 / 1000 x 1000
    assert (r["ci_laag"], r["ci_hoog"]) == (pytest.approx(28.577, abs=1e-3), pytest.approx(54.469, abs=1e-3))


def test_baseline_year_scores_100_and_is_gelijk():
    r = score_row("misdrijven_per_1000_inwoners", "BU09980101", 2019)
    assert r["basiswaarde"] == approx(40.0)
    assert r["score"] == approx(100.0) and r["verandering"] == "gelijk" and r["z"] == 0


def _l_count(x1: float, n1: float, x0: float, n0: float) -> float:
    """Lower is better: L = -(ln((x1 + 1/2)/N1) - ln((x0 + 1/2)/N0))."""
    return -(math.log((x1 + 0.5) / n1) - math.log((x0 + 0.5) / n0))


def _v_count(x1: float, x0: float) -> float:
    return 1 / (x1 + 0.5) + 1 / (x0 + 0.5) + 2 * S2


def test_overdispersion_without_history_is_the_documented_default():
    r = one_row(
        "SELECT * FROM marts.fct_overdispersie WHERE indicator = ? AND niveau = ?",
        ["misdrijven_per_1000_inwoners", "buurt"],
    )
    assert r["paren"] == 0 and r["sigma2"] == approx(S2) and r["herkomst"].startswith("standaard")


def test_lower_is_better_score_on_the_log_scale_with_overdispersion():
    # 2023: 60 / 1000 x 1000 = 60 against 40. L = -ln(60.5 / 40.5) = -0.401324, score = 100 x 40.5 / 60.5
    # Var L = 1/60.5 + 1/40.5 + 2 x 0.0025 = 0.046220, z = -1.86680: no longer "slechter" (the plain Poisson
    # test said z = -1.986) -- year-to-year variation beyond Poisson widens the test.
    r = score_row("misdrijven_per_1000_inwoners", "BU09980101", 2023)
    assert r["waarde"] == approx(60.0)
    assert r["log_verschil"] == approx(_l_count(60, 1000, 40, 1000))
    assert r["score"] == approx(100 * 40.5 / 60.5)
    assert r["log_se"] ** 2 == approx(_v_count(60, 40))
    assert r["z"] == pytest.approx(-1.86680, abs=1e-5)
    assert r["verandering"] == "gelijk"
    assert r["p_waarde"] == approx(float(two_sided_p(r["z"])))
    assert (r["score_laag"], r["score_hoog"]) == (
        approx(100 * math.exp(r["log_verschil"] - Z * r["log_se"])),
        approx(100 * math.exp(r["log_verschil"] + Z * r["log_se"])),
    )


def test_denominator_from_nearest_earlier_year_is_flagged():
    # BU09980102 has no 2023 population: 2021's 2000 inhabitants are used; 70 / 2000 x 1000 = 35
    # L = -ln(70.5 / 100.5) = 0.354545, Var = 1/70.5 + 1/100.5 + 0.005, z = 2.07714 -> better (lower)
    r = score_row("misdrijven_per_1000_inwoners", "BU09980102", 2023)
    assert r["noemer"] == 2000 and r["noemer_jaar"] == 2021 and r["noemer_geschat"]
    assert "noemer uit 2021" in r["opmerking"]
    assert r["waarde"] == approx(35.0)
    assert r["score"] == approx(100 * 100.5 / 70.5)
    assert r["z"] == pytest.approx(2.07714, abs=1e-5)
    assert r["verandering"] == "beter"


def test_wijk_sums_numerators_and_denominators_over_the_same_buurten():
    # WK099801 = BU09980101 + BU09980102: 2019 (40+100)/(1000+2000) x 1000 = 46.667,
    # 2023 (60+70)/(1000+2000) x 1000 = 43.333 -- not the mean of the buurt rates (47.5)
    r = score_row("misdrijven_per_1000_inwoners", "WK099801", 2023)
    assert (r["teller"], r["noemer"]) == (130, 3000) and r["dekking"] == approx(1.0)
    assert r["waarde"] == approx(130 / 3)
    assert r["basiswaarde"] == approx(140 / 3)
    assert r["score"] == approx(100 * 140.5 / 130.5)
    assert r["z"] == approx(_l_count(130, 3000, 140, 3000) / math.sqrt(_v_count(130, 140)))
    assert r["verandering"] == "gelijk"
    assert r["noemer_geschat"]  # one of its buurten carries 2021 forward


def test_a_rate_above_buurt_level_divides_by_the_covered_buurten_only():
    # WK099802 has two buurten of 500 inhabitants; only BU09980201 has police figures. The rate is
    # 3 / 500 (not 3 / 1000), and half of the wijk's inhabitants are covered: dekking 0.5, with a warning.
    # The gemeente likewise: 2019 143 / 3500, not 143 / 4000 (coverage 3500 / 4000 = 0.875).
    r = score_row("misdrijven_per_1000_inwoners", "WK099802", 2019)
    assert (r["teller"], r["noemer"]) == (3, 500) and r["waarde"] == approx(6.0)
    assert r["dekking"] == approx(0.5) and "dekking 50%" in r["opmerking"]
    g = score_row("misdrijven_per_1000_inwoners", "GM0998", 2019)
    assert (g["teller"], g["noemer"]) == (143, 3500) and g["dekking"] == approx(0.875)
    assert "dekking 88%" in g["opmerking"]


def test_gemeente_sums_the_covered_buurten():
    # GM0998: 2019 143 / 3500, 2023 130 / 3500 -> score = 100 x 143.5 / 130.5 = 109.962
    r = score_row("misdrijven_per_1000_inwoners", "GM0998", 2023)
    assert (r["teller"], r["noemer"]) == (130, 3500)
    assert r["score"] == approx(100 * 143.5 / 130.5)


def test_zero_value_and_small_counts_have_a_finite_score_and_variance():
    # BU09980201: 3 crimes in 2019 (a small count: onderdrukt), 0 in 2023
    base = score_row("misdrijven_per_1000_inwoners", "BU09980201", 2019)
    assert base["onderdrukt"] and base["waarde"] == approx(6.0)  # computed with the true value
    r = score_row("misdrijven_per_1000_inwoners", "BU09980201", 2023)
    assert r["waarde"] == 0 and not r["onderdrukt"] and r["basis_onderdrukt"]
    # no cap and no 0 +- 0: L = -ln(0.5 / 3.5) = 1.945910, score = 700, Var = 1/0.5 + 1/3.5 + 0.005
    assert r["score"] == approx(700.0)
    assert r["log_se"] == approx(math.sqrt(2 + 1 / 3.5 + 2 * S2))
    assert r["z"] == pytest.approx(1.28569, abs=1e-5)
    assert r["verandering"] == "gelijk"
    assert (r["ci_laag"], r["ci_hoog"]) == (0, pytest.approx(3.6889 / 500 * 1000, abs=1e-3))
    # Whether it may enter a composite is judged by its EXPECTED baseline events: the gemeente's 2019 rate
    # (143 / 3500) times its 500 inhabitants = 20.43 >= 10 -- not by its own observed 3, which would select on
    # chance (see test_indicator_rules for an area that has too few)
    o = score_row("overige_misdrijven_per_1000_inwoners", "BU09980201", 2023)
    assert o["score"] == approx(700.0) and o["in_samengesteld"]
    assert o["basis_verwacht"] == approx(143 / 3500 * 500)


# ------------------------------------------------------------------------------------------ survey


def _l_mean(m1: float, m0: float, f: float) -> float:
    return math.log(m1) - math.log(f * m0)


def _v_mean(m1: float, sd1: float, n1: float, m0: float, sd0: float, n0: float) -> float:
    return sd1**2 / (n1 * m1**2) + sd0**2 / (n0 * m0**2)


def _ptilde(pct: float, n: float) -> float:
    return (pct / 100 * n + 0.5) / (n + 1)


def test_survey_mean_across_the_method_break_is_converted():
    # 2019 7.0 (n 200, sd 1.5) x omrekenfactor 0.97 = 6.79 against 2023 6.6 (n 250, sd 1.6):
    # L = ln(6.6 / 6.79) = -0.028382, Var = 1.6^2/(250 x 6.6^2) + 1.5^2/(200 x 7.0^2), z = -1.31662 -> gelijk
    r = score_row("rapportcijfer_leefbaarheid", "WK099801", 2023)
    assert r["waarde"] == approx(6.6) and r["n"] == 250 and r["n_eff"] == 250 and r["sd"] == approx(1.6)
    assert r["ci_laag"] == approx(6.6 - Z * 1.6 / math.sqrt(250))
    assert r["ci_hoog"] == approx(6.6 + Z * 1.6 / math.sqrt(250))
    assert r["omrekenfactor"] == approx(0.97)
    assert r["score"] == approx(100 * 6.6 / (0.97 * 7.0))
    assert r["log_se"] ** 2 == approx(_v_mean(6.6, 1.6, 250, 7.0, 1.5, 200))
    assert r["z"] == pytest.approx(-1.31662, abs=1e-5)
    assert r["verandering"] == "gelijk"
    assert "methodebreuk 2021: omgerekend met factor 0.97" in r["opmerking"]


def test_survey_percentage_wilson_interval_and_log_test_across_the_break():
    # 26% of 250 vs 20% of 200 x 1.15 (omrekenfactor); lower is better.
    # p~ = (k + 1/2)/(n + 1): 65.5/251 = 0.260956 and 40.5/201 = 0.201493
    # L = -ln(0.260956 / (1.15 x 0.201493)) = -0.118839; Var = (1-p1~)/(250 p1~) + (1-p0~)/(200 p0~)
    r = score_row("onveilig_in_buurt_pct", "WK099801", 2023)
    p, n = 0.26, 250
    centre, half = p + Z**2 / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n))
    assert r["ci_laag"] == approx(100 * (centre - half) / (1 + Z**2 / n))
    assert r["ci_hoog"] == approx(100 * (centre + half) / (1 + Z**2 / n))
    p1, p0 = _ptilde(26, 250), _ptilde(20, 200)
    assert r["log_verschil"] == approx(-math.log(p1 / (1.15 * p0)))
    assert r["log_verschil"] == pytest.approx(-0.118839, abs=1e-6)
    assert r["log_se"] ** 2 == approx((1 - p1) / (250 * p1) + (1 - p0) / (200 * p0))
    assert r["z"] == pytest.approx(-0.67340, abs=1e-5)
    assert r["verandering"] == "gelijk"


def test_gemeente_survey_value_is_population_weighted_with_an_effective_n():
    # 2023: wijken 6.6 (3,000 inhabitants, n 250, sd 1.6) and 8.0 (1,000, n 100, sd 1.0):
    # (3000 x 6.6 + 1000 x 8.0) / 4000 = 6.95 (respondent-weighted it would be 7.0);
    # Var = (3000^2 x 1.6^2/250 + 1000^2 x 1.0^2/100) / 4000^2 = 0.006385; pooled sd^2 = (3000 x 2.56 + 1000) / 4000
    # = 2.17; n_eff = 2.17 / 0.006385 = 339.859
    r = score_row("rapportcijfer_leefbaarheid", "GM0998", 2023)
    var = (3000**2 * 1.6**2 / 250 + 1000**2 * 1.0**2 / 100) / 4000**2
    assert r["waarde"] == approx(6.95) and r["n"] == 350
    assert r["sd"] == approx(math.sqrt(2.17))
    assert r["n_eff"] == approx(2.17 / var)
    assert r["n_eff"] == pytest.approx(339.859, abs=1e-3)
    assert r["dekking"] == approx(1.0)
    assert r["basiswaarde"] == approx((3000 * 7.0 + 1000 * 8.0) / 4000)


# ------------------------------------------------------------------------------------------ years


def test_incomplete_year_is_flagged_and_kept_out_of_the_verdict():
    # 11 of 12 months in 2023: the value is shown (44 reports) but not scored
    r = score_row("overlast_jeugd_per_1000_inwoners", "BU09980101", 2023)
    assert r["teller"] == 44 and "onvolledig jaar" in r["opmerking"]
    assert r["score"] is None and r["verandering"] is None
    full = score_row("overlast_jeugd_per_1000_inwoners", "BU09980101", 2019)
    assert full["teller"] == 60 and full["score"] == approx(100.0)


# ------------------------------------------------------------------------------------------ composite


def test_composite_on_the_log_scale_with_survey_covariance_and_the_margin():
    # WK099801 in 2023: overige misdrijven (objectief, weight 1; the fixture has only code 0.0.0, so it equals
    # the total), rapportcijfer (subjectief, weight 2) and onveilig (subjectief, weight 1); overlast jeugd is
    # incomplete and does not count; the total misdrijven has weight 0 (it overlaps the listed codes).
    l_mis, v_mis = _l_count(130, 3000, 140, 3000), _v_count(130, 140)
    l_rap = _l_mean(6.6, 7.0, 0.97)
    v_rap = _v_mean(6.6, 1.6, 250, 7.0, 1.5, 200)
    p1, p0 = _ptilde(26, 250), _ptilde(20, 200)
    l_onv = -math.log(p1 / (1.15 * p0))
    v_onv = (1 - p1) / (250 * p1) + (1 - p0) / (200 * p0)
    rho = 0.3
    # subjectief: (2 L_rap + L_onv)/3; w'Sw = 4 v_rap + v_onv + 2 rho (2 se_rap)(se_onv)
    l_subj = (2 * l_rap + l_onv) / 3
    v_subj = (4 * v_rap + v_onv + 2 * rho * 2 * math.sqrt(v_rap) * math.sqrt(v_onv)) / 9
    l_tot, v_tot = 0.5 * (l_mis + l_subj), 0.25 * (v_mis + v_subj)
    assert composite("WK099801", 2023, "objectief")["score"] == approx(100 * math.exp(l_mis))
    c_subj = composite("WK099801", 2023, "subjectief")
    assert c_subj["log_verschil"] == approx(l_subj) and c_subj["log_se"] == approx(math.sqrt(v_subj))
    c = composite("WK099801", 2023)
    assert c["score"] == approx(100 * math.exp(l_tot))
    assert c["score"] == pytest.approx(100.768, abs=1e-3)
    assert c["log_se"] == approx(math.sqrt(v_tot))
    assert (c["ci_laag"], c["ci_hoog"]) == (
        approx(100 * math.exp(l_tot - Z * math.sqrt(v_tot))),
        approx(100 * math.exp(l_tot + Z * math.sqrt(v_tot))),
    )
    # one-sided bounds 88.72 .. 114.45 straddle 95 (margin 5%): onbeslist; 17.5% is what these data detect
    assert c["ondergrens"] == approx(100 * math.exp(l_tot - Z1 * math.sqrt(v_tot)))
    assert c["bovengrens"] == approx(100 * math.exp(l_tot + Z1 * math.sqrt(v_tot)))
    assert (round(c["ondergrens"], 2), round(c["bovengrens"], 2)) == (88.72, 114.45)
    assert c["oordeel"] == "onbeslist"
    assert c["detecteerbaar"] == approx(100 * (1 - math.exp(-(Z1 + 0.8416212335729143) * math.sqrt(v_tot))))
    assert c["dekking"] == 3 and c["verandering"] == "gelijk"
    theme = composite(
        "WK099801", 2023, "veiligheid"
    )  # overige misdrijven (1) + onveilig (1), both objectief/subjectief
    assert theme["log_verschil"] == approx((l_mis + l_onv) / 2)
    doel = one_row(
        "SELECT * FROM marts.fct_doelen WHERE gebied_code = ? AND groep = 'samengesteld' AND peiljaar = 2023",
        ["WK099801"],
    )
    assert doel["status"] == "onbeslist" and doel["marge"] == approx(0.05)


def test_buurt_composite_is_objective_only():
    c = composite("BU09980101", 2023)
    assert c["score"] == approx(100 * 40.5 / 60.5) and c["dekking"] == 1
    assert c["verandering"] == "gelijk"  # a single indicator: same z as the indicator itself (-1.8668)
    assert c["z"] == pytest.approx(-1.86680, abs=1e-5)
