"""Golden tests of the indicator math on a hand-made gemeente (tests/fixtures/indicators/README.md).

Every expected value is worked out by hand in the comments (or, for the longer variance sums, with the
written-out formula next to it); the engine computes them in DuckDB SQL.
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


def test_lower_is_better_score_and_significant_worsening():
    # 2023: 60 / 1000 x 1000 = 60; score = 100 x 40 / 60 = 66.667 (lower is better)
    # z = ln((60/1000)/(40/1000)) / sqrt(1/60 + 1/40) = 0.405465 / 0.204124 = 1.98637 -> worse, beyond 1.96
    r = score_row("misdrijven_per_1000_inwoners", "BU09980101", 2023)
    assert r["waarde"] == approx(60.0)
    assert r["score"] == approx(100 * 40 / 60)
    assert r["z"] == approx(-math.log(1.5) / math.sqrt(1 / 60 + 1 / 40))
    assert r["z"] == pytest.approx(-1.98637, abs=1e-5)
    assert r["verandering"] == "slechter"
    assert r["p_waarde"] == pytest.approx(0.04699, abs=1e-4)


def test_denominator_from_nearest_earlier_year_is_flagged():
    # BU09980102 has no 2023 population: 2021's 2000 inhabitants are used; 70 / 2000 x 1000 = 35
    # score = 100 x 50 / 35 = 142.857; z = ln(35/50) / sqrt(1/70 + 1/100) = -2.28874 -> better (lower)
    r = score_row("misdrijven_per_1000_inwoners", "BU09980102", 2023)
    assert r["noemer"] == 2000 and r["noemer_jaar"] == 2021 and r["noemer_geschat"]
    assert "noemer uit 2021" in r["opmerking"]
    assert r["waarde"] == approx(35.0)
    assert r["score"] == approx(100 * 50 / 35)
    assert r["z"] == pytest.approx(2.28874, abs=1e-5)
    assert r["verandering"] == "beter"


def test_wijk_sums_numerators_and_denominators():
    # WK099801 = BU09980101 + BU09980102: 2019 (40+100)/(1000+2000) x 1000 = 46.667,
    # 2023 (60+70)/(1000+2000) x 1000 = 43.333 -- not the mean of the buurt rates (47.5)
    r = score_row("misdrijven_per_1000_inwoners", "WK099801", 2023)
    assert (r["teller"], r["noemer"]) == (130, 3000)
    assert r["waarde"] == approx(130 / 3)
    assert r["basiswaarde"] == approx(140 / 3)
    assert r["score"] == approx(100 * 140 / 130)
    assert r["z"] == approx(-math.log(130 / 140) / math.sqrt(1 / 130 + 1 / 140))
    assert r["verandering"] == "gelijk"
    assert r["noemer_geschat"]  # one of its buurten carries 2021 forward


def test_gemeente_sums_all_buurten():
    # GM0998: 2019 143 / 3500, 2023 130 / 3500 -> score = 100 x 143 / 130 = 110
    r = score_row("misdrijven_per_1000_inwoners", "GM0998", 2023)
    assert (r["teller"], r["noemer"]) == (130, 3500)
    assert r["score"] == approx(110.0)


def test_zero_value_and_small_counts():
    # BU09980201: 3 crimes in 2019 (a small count: onderdrukt), 0 in 2023
    base = score_row("misdrijven_per_1000_inwoners", "BU09980201", 2019)
    assert base["onderdrukt"] and base["waarde"] == approx(6.0)  # computed with the true value
    r = score_row("misdrijven_per_1000_inwoners", "BU09980201", 2023)
    assert r["waarde"] == 0 and not r["onderdrukt"] and r["basis_onderdrukt"]
    assert r["score"] == 200  # lower is better and the value is 0: the cap, not infinity
    assert "waarde is 0" in r["opmerking"]
    # zero count replaced by 0.5 in the test: z = ln(0.5/3) / sqrt(1/0.5 + 1/3) = -1.17298 -> gelijk
    assert r["z"] == pytest.approx(1.17298, abs=1e-5)
    assert r["verandering"] == "gelijk"
    assert (r["ci_laag"], r["ci_hoog"]) == (0, pytest.approx(3.6889 / 500 * 1000, abs=1e-3))


# ------------------------------------------------------------------------------------------ survey


def test_survey_mean_interval_score_and_z_test():
    # 2023: 6.6 +- 1.96 x 1.6 / sqrt(250); score = 100 x 6.6 / 7.0 (higher is better)
    # z = (6.6 - 7.0) / sqrt(1.5^2/200 + 1.6^2/250) = -0.4 / 0.146595 = -2.72861 -> slechter
    r = score_row("rapportcijfer_leefbaarheid", "WK099801", 2023)
    assert r["waarde"] == approx(6.6) and r["n"] == 250 and r["sd"] == approx(1.6)
    assert r["ci_laag"] == approx(6.6 - Z * 1.6 / math.sqrt(250))
    assert r["ci_hoog"] == approx(6.6 + Z * 1.6 / math.sqrt(250))
    assert r["score"] == approx(100 * 6.6 / 7.0)
    assert r["z"] == pytest.approx(-2.72861, abs=1e-5)
    assert r["verandering"] == "slechter"


def test_survey_percentage_wilson_interval_and_two_proportion_test():
    # 26% of 250 vs 20% of 200; pooled p = (0.26 x 250 + 0.20 x 200) / 450 = 0.233333
    # z = 0.06 / sqrt(0.233333 x 0.766667 x (1/250 + 1/200)) = 1.49533; lower is better -> -1.495 -> gelijk
    r = score_row("onveilig_in_buurt_pct", "WK099801", 2023)
    p, n = 0.26, 250
    centre, half = p + Z**2 / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n))
    assert r["ci_laag"] == approx(100 * (centre - half) / (1 + Z**2 / n))
    assert r["ci_hoog"] == approx(100 * (centre + half) / (1 + Z**2 / n))
    assert r["z"] == pytest.approx(-1.49533, abs=1e-5)
    assert r["score"] == approx(100 * 20 / 26)
    assert r["verandering"] == "gelijk"


def test_gemeente_survey_value_is_the_n_weighted_mean():
    # 2019: (7.0 x 200 + 8.0 x 100) / 300 = 7.3333; 2023: (6.6 x 250 + 8.0 x 100) / 350 = 7.0
    # pooled sd 2023 = sqrt((250 x 1.6^2 + 100 x 1.0^2) / 350)
    r = score_row("rapportcijfer_leefbaarheid", "GM0998", 2023)
    assert r["waarde"] == approx(7.0) and r["n"] == 350
    assert r["sd"] == approx(math.sqrt((250 * 2.56 + 100 * 1.0) / 350))
    assert r["basiswaarde"] == approx(22 / 3)


# ------------------------------------------------------------------------------------------ years


def test_incomplete_year_is_flagged_and_kept_out_of_the_verdict():
    # 11 of 12 months in 2023: the value is shown (44 reports) but not scored
    r = score_row("overlast_jeugd_per_1000_inwoners", "BU09980101", 2023)
    assert r["teller"] == 44 and "onvolledig jaar" in r["opmerking"]
    assert r["score"] is None and r["verandering"] is None
    full = score_row("overlast_jeugd_per_1000_inwoners", "BU09980101", 2019)
    assert full["teller"] == 60 and full["score"] == approx(100.0)


# ------------------------------------------------------------------------------------------ composite


def _logvar_poisson(x1, x0):
    return 1 / x1 + 1 / x0


def test_composite_weighted_mean_5050_and_delta_method_interval():
    # WK099801 in 2023 has: misdrijven (objectief, weight 1), rapportcijfer (subjectief, weight 2),
    # onveilig (subjectief, weight 1); overlast jeugd is incomplete and does not count.
    s_mis, s_rap, s_onv = 100 * 140 / 130, 100 * 6.6 / 7.0, 100 * 20 / 26
    v_mis = s_mis**2 * _logvar_poisson(130, 140)
    v_rap = s_rap**2 * ((1.6**2 / 250) / 6.6**2 + (1.5**2 / 200) / 7.0**2)
    v_onv = s_onv**2 * ((1 - 0.26) / (250 * 0.26) + (1 - 0.20) / (200 * 0.20))
    subj, v_subj = (2 * s_rap + s_onv) / 3, (4 * v_rap + v_onv) / 9
    total, v_total = 0.5 * (s_mis + subj), 0.25 * (v_mis + v_subj)
    assert composite("WK099801", 2023, "objectief")["score"] == approx(s_mis)
    c_subj = composite("WK099801", 2023, "subjectief")
    assert c_subj["score"] == approx(subj) and c_subj["se"] == approx(math.sqrt(v_subj))
    c = composite("WK099801", 2023)
    assert c["score"] == approx(total)
    assert c["se"] == approx(math.sqrt(v_total))
    assert (c["ci_laag"], c["ci_hoog"]) == (
        approx(total - Z * math.sqrt(v_total)),
        approx(total + Z * math.sqrt(v_total)),
    )
    assert c["dekking"] == 3 and c["verandering"] == "gelijk"  # 98.1 +- 13.7
    theme = composite("WK099801", 2023, "veiligheid")  # misdrijven (1) + onveilig (1)
    assert theme["score"] == approx((s_mis + s_onv) / 2)


def test_buurt_composite_is_objective_only():
    c = composite("BU09980101", 2023)
    assert c["score"] == approx(100 * 40 / 60) and c["dekking"] == 1
    assert c["verandering"] == "slechter"  # a single indicator: same z as the indicator itself
