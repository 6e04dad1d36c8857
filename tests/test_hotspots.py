"""Hotspot signal (regiegroep): the exact conditional test, Benjamini–Hochberg per gemeente and month, signalled
months left out of later histories, and the false-alarm rate the page states, measured against the procedure
itself on simulated no-change data. Hand-made series go through the real build (``fct_hotspots`` and
``fct_hotspot_kalibratie``); the functions of ``indicators/hotspots.py`` are also tested on their own."""

from __future__ import annotations

import math
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pytest
from dashboard_support import demo_db, run_page
from scipy import stats

from etl.build import ensure_schema, rebuild
from etl.demo import HOTSPOT, HOTSPOT_BUURT, HOTSPOT_SOORT
from indicators.hotspots import (
    World,
    benjamini_hochberg,
    p_value,
    per_month,
    rejections,
    run_window,
    simulate,
    smallest_signalling_count,
    tail_probability,
)

BUURT = "BU09960101"


class Row(NamedTuple):
    aantal: float
    verwacht: float | None
    maanden_eerder: int
    uitgesloten: int
    p: float | None
    p_aangepast: float | None
    signaal: bool


def build(series: dict[str, dict[tuple[int, int], float]], **settings: str) -> duckdb.DuckDBPyConnection:
    """An in-memory database with monthly 1.1.1 counts per buurt ({buurt: {(year, month): count}}), rebuilt."""
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("INSERT INTO meta.loads (load_id, bestand, sha256, status) VALUES (1, 'p', 'x', 'geladen')")
    for key, value in settings.items():
        con.execute("INSERT INTO meta.instellingen VALUES (?, ?)", [key, value])
    rows = pd.DataFrame(
        [
            ("1.1.1", buurt, f"{y}MM{m:02d}", str(c))
            for buurt, months in series.items()
            for (y, m), c in sorted(months.items())
        ],
        columns=["soort", "buurt", "periode", "aantal"],
    )
    rows["rij"] = np.arange(len(rows))
    con.register("rows_df", rows)
    con.execute(
        'INSERT INTO raw.politie__misdrijven ("SoortMisdrijf", "WijkenEnBuurten", "Perioden", '
        '"GeregistreerdeMisdrijven", _load_id, _rij) SELECT soort, buurt, periode, aantal, 1, rij FROM rows_df'
    )
    con.unregister("rows_df")
    rebuild(con)
    return con


def rows_of(con: duckdb.DuckDBPyConnection, buurt: str = BUURT) -> dict[tuple[int, int], Row]:
    return {
        (r[0], r[1]): Row(*r[2:])
        for r in con.execute(
            "SELECT jaar, maand, aantal, verwacht, maanden_eerder, uitgesloten_maanden, p_waarde, p_aangepast, "
            "signaal FROM marts.fct_hotspots WHERE variabele = '1.1.1' AND gebied_code = ?",
            [buurt],
        ).fetchall()
    }


def hotspots(series: dict[tuple[int, int], float], **settings: str) -> dict[tuple[int, int], Row]:
    """Monthly 1.1.1 counts of one buurt -> {(year, month): Row}."""
    con = build({BUURT: series}, **settings)
    try:
        return rows_of(con)
    finally:
        con.close()


def flat(level: float = 1, years: tuple[int, ...] = (2021, 2022, 2023, 2024)) -> dict[tuple[int, int], float]:
    return {(y, m): level for y in years for m in range(1, 13)}


def signalled(result: dict[tuple[int, int], Row]) -> list[tuple[int, int]]:
    return sorted(k for k, v in result.items() if v.signaal)


# ------------------------------------------------------------------------------------------ the test itself


def test_the_p_value_is_the_exact_conditional_binomial_tail():
    # x = 6 against n = 9 history months summing to H = 3: P(Bin(9, 1/10) >= 6), by hand
    by_hand = sum(math.comb(9, k) * 0.1**k * 0.9 ** (9 - k) for k in range(6, 10))
    assert by_hand == pytest.approx(6.4234e-05, rel=1e-12)
    assert p_value(6, 3, 9) == pytest.approx(by_hand, rel=1e-12)
    assert p_value(6, 3, 9) == pytest.approx(stats.binom.sf(5, 9, 0.1), rel=1e-12)
    assert p_value(0, 5, 9) == 1.0  # nothing happened
    assert p_value(2, 0, 9) == pytest.approx(0.01)  # (1/10)^2: both cases fall in this month
    x, h, n = np.meshgrid(np.arange(1, 15), np.arange(0, 40), np.arange(3, 10))
    assert p_value(x, h, n) == pytest.approx(stats.binom.sf(x - 1, x + h, 1 / (n + 1)), rel=1e-9)


def test_the_hand_computed_case_through_the_mart():
    series = {k: 0 for k in flat()}
    series.update({(2021, 3): 1, (2022, 4): 1, (2023, 5): 1, (2024, 4): 6})
    row = hotspots(series)[(2024, 4)]
    assert (row.aantal, row.maanden_eerder, row.uitgesloten) == (6, 9, 0)
    assert row.verwacht == pytest.approx(1 / 3)  # H / n
    assert row.p == pytest.approx(6.4234e-05, rel=1e-9)
    assert row.p_aangepast == pytest.approx(row.p)  # one tested cell this month
    assert row.signaal


def test_benjamini_hochberg_on_a_hand_made_set():
    p = np.array([0.01, 0.04, 0.03, 0.005])
    # sorted 0.005, 0.01, 0.03, 0.04 -> p m / i = 0.02, 0.02, 0.04, 0.04; running minimum from the top
    assert benjamini_hochberg(p, np.zeros(4, dtype=int)) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    # two groups (gemeenten) are two families; an untested cell (NaN) is not counted
    p2 = np.array([0.01, 0.04, np.nan, 0.03, 0.005, 0.5])
    g2 = np.array([0, 0, 0, 1, 1, 1])
    adjusted = benjamini_hochberg(p2, g2)
    assert adjusted[[0, 1]] == pytest.approx([0.02, 0.04])  # m = 2
    assert np.isnan(adjusted[2])
    assert adjusted[[3, 4, 5]] == pytest.approx([0.045, 0.015, 0.5])  # m = 3
    # ties get the same value, and nothing exceeds 1
    assert benjamini_hochberg(np.array([0.9, 0.9, 0.9]), np.zeros(3, dtype=int)) == pytest.approx([0.9] * 3)
    assert benjamini_hochberg(np.array([0.6, 0.7]), np.zeros(2, dtype=int)) == pytest.approx([0.7, 0.7])


def _bh_count(p: np.ndarray, q: float) -> int:
    s = np.sort(p)
    ok = np.flatnonzero(s <= np.arange(1, s.size + 1) * q / s.size)
    return int(ok.max()) + 1 if ok.size else 0


def test_the_fast_decisions_match_the_adjusted_values_and_the_zeroed_p_lemma():
    """rejections() (the simulation's path) decides as benjamini_hochberg() does, and its k is the number of
    rejections with the cell's own p set to 0 (checked by brute force on deterministic hand-made sets)."""
    for seed in range(200):
        rng = np.random.default_rng(seed)
        size = int(rng.integers(1, 16))
        p = np.where(rng.random(size) < 0.5, rng.random(size) * 0.05, rng.random(size))
        p[rng.random(size) < 0.15] = np.nan
        if size > 3 and seed % 3 == 0:
            p[:3] = p[0]  # ties
        groups = rng.integers(0, 3, size)
        rejected, k, m = rejections(p, groups, 0.05)
        adjusted = benjamini_hochberg(p, groups)
        for s in range(size):
            if np.isnan(p[s]):
                assert (k[s], m[s], rejected[s]) == (0, 0, False)
                continue
            family = (groups == groups[s]) & ~np.isnan(p)
            zeroed = p.copy()
            zeroed[s] = 0.0
            assert k[s] == _bh_count(zeroed[family], 0.05)
            assert m[s] == family.sum()
            assert rejected[s] == (adjusted[s] <= 0.05) == (p[s] * m[s] / k[s] <= 0.05)


def test_the_smallest_signalling_count_and_the_tails():
    h = np.array([0, 3, 9, 27, 40], dtype=float)
    c = np.array([1e-3, 1e-4, 2.6e-4, 0.05, 1e-6])
    needed = smallest_signalling_count(h, 9, c, 3)
    for i in range(h.size):
        xs = np.arange(3, 200)
        assert needed[i] == xs[p_value(xs, h[i], 9) <= c[i]][0]
    x, mu = np.array([1, 3, 8]), np.array([0.5, 2.0, 3.0])
    assert tail_probability(x, mu, np.ones(3)) == pytest.approx(stats.poisson.sf(x - 1, mu))
    d = 2.5  # gamma-Poisson = negative binomial with r = mu / (d - 1), p = 1 / d
    assert tail_probability(x, mu, np.full(3, d)) == pytest.approx(
        stats.nbinom.sf(x - 1, mu / (d - 1), 1 / d)
    )


def test_the_simulation_path_decides_as_the_build_does():
    """detail=False (decisions without adjusted values) signals exactly the cells detail=True signals."""
    rng = np.random.default_rng(7)
    counts = rng.poisson(rng.uniform(0.2, 3, 120)[None, :] * rng.gamma(2, 0.5, (70, 120))).astype(float)
    counts[rng.random(counts.shape) < 0.03] = np.nan
    first = np.repeat([37, 40, 38], 40)  # three gemeenten, three windows
    groups = np.repeat([0, 1, 2], 40)
    settings = {"months": 24, "years": 3, "fdr": 0.05, "minimum": 3}
    full = run_window(counts, first, groups, **settings)
    fast = run_window(counts, first, groups, detail=False, **settings)
    assert full.signal.sum() > 10  # the check has something to compare
    assert (fast.signal == full.signal).all()


def test_a_flat_series_gives_no_signal():
    assert not signalled(hotspots(flat(1)))


def test_a_spike_gives_a_signal():
    series = flat(1)
    series[(2024, 4)] = 8
    result = hotspots(series)
    row = result[(2024, 4)]
    # history: March-May of 2021-2023, 9 months of 1: P(Bin(17, 1/10) >= 8)
    assert (row.aantal, row.verwacht, row.maanden_eerder) == (8, pytest.approx(1.0), 9)
    assert row.p == pytest.approx(stats.binom.sf(7, 17, 0.1), rel=1e-9)
    assert signalled(result) == [(2024, 4)]


def test_a_small_count_spike_of_2_gives_no_signal():
    series = {k: 0 for k in flat()}
    series[(2024, 4)] = 2  # improbable against an all-zero history (p = 0.01), but only 2 cases
    row = hotspots(series)[(2024, 4)]
    assert row.verwacht == 0 and row.p == pytest.approx(0.01)
    assert not row.signaal


def test_three_cases_against_zero_history_do_signal():
    series = {k: 0 for k in flat()}
    series[(2024, 4)] = 3
    row = hotspots(series)[(2024, 4)]
    assert row.p == pytest.approx(0.001) and row.signaal


def test_no_signal_without_enough_history():
    series = {(2024, m): 1 for m in range(1, 13)}
    series[(2024, 6)] = 9
    row = hotspots(series)[(2024, 6)]
    assert row.p is None and row.p_aangepast is None and not row.signaal


def test_the_history_window_is_a_setting():
    # 2021-2022: 0 a month, 2023: 2 a month; April 2024: 6
    series = {(y, m): (2 if y == 2023 else 0) for y in (2021, 2022, 2023, 2024) for m in range(1, 13)}
    series[(2024, 4)] = 6
    three_years = hotspots(series)[(2024, 4)]
    one_year = hotspots(series, hotspot_jaren="1")[(2024, 4)]
    assert three_years.verwacht == pytest.approx(6 / 9)  # March-May of 2021, 2022 and 2023
    assert one_year.verwacht == pytest.approx(2.0)  # March-May 2023 only
    assert three_years.p == pytest.approx(stats.binom.sf(5, 12, 1 / 10))  # 0.0005
    assert one_year.p == pytest.approx(stats.binom.sf(5, 12, 1 / 4))  # 0.054: not against last year alone
    assert three_years.signaal and not one_year.signaal


def test_a_missing_month_does_not_hide_its_neighbours():
    series = {(y, m): (1 if y == 2022 else 3) for y in (2022, 2023, 2024) for m in range(1, 13)}
    del series[(2023, 4)]  # not delivered: March and May 2023 still count as history for April 2024
    series[(2024, 4)] = 9
    row = hotspots(series, hotspot_jaren="2")[(2024, 4)]
    assert row.maanden_eerder == 5
    assert row.verwacht == pytest.approx((3 * 1 + 2 * 3) / 5)  # Mar-May 2022 and Mar + May 2023


def test_only_the_last_hotspot_maanden_months_are_tested_with_their_full_history():
    # 2017-2024 (96 months); the default window keeps the last 48 months, 2021-2024
    series = {(y, m): (4 if y == 2020 else 1) for y in range(2017, 2025) for m in range(1, 13)}
    assert sorted(hotspots(series))[0] == (2021, 1) and len(hotspots(series)) == 48
    # a window of 12 months keeps 2024 only; January 2024 still gets its expectation from Dec 2020 - Feb 2023,
    # months outside the window (not tested, so never left out): (4 [Dec 2020] + 8 x 1) / 9
    window = hotspots(series, hotspot_maanden="12")
    assert sorted(window) == [(2024, m) for m in range(1, 13)]
    assert window[(2024, 1)].verwacht == pytest.approx((4 + 8 * 1) / 9)
    # and the window follows the data: with 2024 gone, 2023 is the last year
    del_2024 = {k: v for k, v in series.items() if k[0] < 2024}
    assert sorted(hotspots(del_2024, hotspot_maanden="12")) == [(2023, m) for m in range(1, 13)]


# ------------------------------------------------------------------------------------------ per gemeente and month


def test_benjamini_hochberg_runs_over_the_buurten_of_a_gemeente_in_a_month():
    years = (2021, 2022, 2023, 2024)
    spike = flat(1, years)
    spike[(2024, 4)] = 4  # P(Bin(13, 1/10) >= 4) = 0.034: below 0.05 on its own
    alone = rows_of(con := build({BUURT: spike}))[(2024, 4)]
    con.close()
    assert alone.p == pytest.approx(stats.binom.sf(3, 13, 0.1)) and alone.p < 0.05
    assert alone.p_aangepast == pytest.approx(alone.p) and alone.signaal
    # the same buurt among 19 quiet buurten of its gemeente (GM0996): 20 tests that month
    others = {f"BU0996{i:02d}01": flat(1, years) for i in range(2, 21)}
    con = build({BUURT: spike, **others})
    try:
        among = rows_of(con)[(2024, 4)]
        quiet = rows_of(con, "BU09960201")[(2024, 4)]
        tested = con.execute(
            "SELECT count(p_waarde) FROM marts.fct_hotspots WHERE jaar = 2024 AND maand = 4"
        ).fetchone()[0]
    finally:
        con.close()
    assert tested == 20
    assert among.p == pytest.approx(alone.p)
    # rank 1 of 20: min(20 p, the adjusted values above it); the 19 others have p = P(Bin(10, 1/10) >= 1)
    assert quiet.p == pytest.approx(1 - 0.9**10) and quiet.p_aangepast == pytest.approx(quiet.p)
    assert among.p_aangepast == pytest.approx(min(alone.p * 20, quiet.p))
    assert among.p_aangepast > 0.05 and not among.signaal


def test_a_repeat_outbreak_a_year_later_is_still_signalled():
    years = tuple(range(2019, 2026))
    series = flat(1, years)
    for y in (2024, 2025):
        series.update({(y, 3): 6, (y, 4): 6, (y, 5): 6})
    result = hotspots(series)
    assert signalled(result) == [(2024, 3), (2024, 4), (2024, 5), (2025, 3), (2025, 4), (2025, 5)]
    april = result[(2025, 4)]
    # March-May 2024 signalled, so they left April 2025's history: 6 months of 1 remain
    assert (april.maanden_eerder, april.uitgesloten, april.verwacht) == (6, 3, pytest.approx(1.0))
    assert april.p == pytest.approx(stats.binom.sf(5, 6 + 6, 1 / 7), rel=1e-9)  # 0.0036
    assert result[(2025, 3)].uitgesloten == 2  # February-April 2024: March and April signalled
    assert result[(2025, 7)].uitgesloten == 0  # June-August 2024: none signalled
    # the old way (signalled months stay in the history): the outbreak raises the expectation of April 2025
    # to (6 + 18) / 9 and the repeat is missed
    months = [(2018, 12), *sorted(series)]  # a month before the data, for the first window month's history
    counts = np.array([[series.get(k, np.nan)] for k in months], dtype=float)
    first = np.array([months.index((2022, 1))])
    kept = run_window(counts, first, np.zeros(1, dtype=int), months=48, years=3, fdr=0.05, minimum=3)
    old = run_window(
        counts,
        first,
        np.zeros(1, dtype=int),
        months=48,
        years=3,
        fdr=0.05,
        minimum=3,
        leave_out_signalled=False,
    )
    j = months.index((2025, 4)) - first[0]
    assert kept.signal[0, j] and not old.signal[0, j]
    assert old.p[0, j] == pytest.approx(stats.binom.sf(5, 6 + 24, 1 / 10)) and old.p[0, j] > 0.05  # 0.073


# ------------------------------------------------------------------------------------------ false alarms


def _no_change_world(
    gemeenten: int, buurten: int, dispersion: float, seed: int
) -> dict[str, dict[tuple[int, int], float]]:
    """Every gemeente (a world of its own) with the same buurt means, nothing changes: counts 2017-12 .. 2024-12."""
    rng = np.random.default_rng(seed)
    months = [(2017, 12)] + [(y, m) for y in range(2018, 2025) for m in range(1, 13)]
    means = np.linspace(0.3, 4.0, buurten)
    series = {}
    for g in range(gemeenten):
        mean = np.broadcast_to(means[None, :], (len(months), buurten))
        if dispersion > 1:
            mean = rng.gamma(mean / (dispersion - 1), dispersion - 1)
        counts = rng.poisson(mean)
        for b in range(buurten):
            series[f"BU{1000 + g:04d}{b + 1:02d}01"] = dict(zip(months, counts[:, b].tolist(), strict=True))
    return series


@pytest.mark.parametrize(
    ("dispersion", "rate_column", "se_column"),
    [
        (1.0, "vals_alarm_per_maand", "vals_alarm_se"),
        (3.0, "vals_alarm_dispersie", "vals_alarm_dispersie_se"),
    ],
)
def test_the_stated_false_alarm_rate_is_what_the_procedure_gives_without_change(
    dispersion, rate_column, se_column
):
    """Many independent no-change gemeenten (one seed each, Poisson and gamma-Poisson): the false alarms per
    month the procedure gives on them match what fct_hotspot_kalibratie states, within Monte Carlo error."""
    gemeenten = 60
    world = _no_change_world(gemeenten, 30, dispersion, seed=11 + int(dispersion))
    con = build(world, hotspot_fdr="0.1", hotspot_minimum="2")
    try:
        observed = con.execute(
            "SELECT substr(gebied_code, 3, 4) AS g, count(*) FILTER (WHERE signaal) / count(DISTINCT periode) "
            "FROM marts.fct_hotspots GROUP BY g ORDER BY g"
        ).fetchall()
        stated = con.execute(
            f"SELECT {rate_column}, {se_column}, dispersie, replicaties, getoetste_reeksen "
            "FROM marts.fct_hotspot_kalibratie ORDER BY gemeente_code"
        ).fetchall()
    finally:
        con.close()
    assert len(observed) == len(stated) == gemeenten
    obs = np.array([r[1] for r in observed], dtype=float)
    rate, se = np.array([r[0] for r in stated]), np.array([r[1] for r in stated])
    assert all(r[4] == 30 and r[3] >= 2 for r in stated)
    assert np.median([r[2] for r in stated]) == pytest.approx(dispersion, rel=0.15)
    assert obs.sum() * 48 >= 50  # enough false alarms for the comparison to mean something
    tolerance = 4 * math.sqrt(obs.var(ddof=1) / gemeenten + (se**2).mean() / gemeenten)
    assert abs(obs.mean() - rate.mean()) <= tolerance, (obs.mean(), rate.mean(), tolerance)


def test_the_conditional_expectation_estimates_the_counted_false_alarms():
    """The calibration adds up each cell's conditional probability of signalling (Rao–Blackwell) instead of
    counting signals: same mean, far smaller Monte Carlo error."""
    rates = np.linspace(0.2, 3.0, 60)
    for dispersion in (1.0, 3.0):
        sim = simulate(
            [World(rates, 150, np.random.default_rng(3), dispersion)], months=24, years=3, fdr=0.1, minimum=2
        )[0]
        counted, counted_se = per_month(sim.signals, 24)
        expected, expected_se = per_month(sim.expected, 24)
        assert counted * 150 * 24 >= 50
        assert abs(counted - expected) <= 4 * math.hypot(counted_se, expected_se), (
            dispersion,
            counted,
            expected,
        )
        assert expected_se < counted_se


# ------------------------------------------------------------------------------------------ the demo


def test_the_demo_burglary_wave_is_still_signalled():
    with duckdb.connect(str(demo_db()), read_only=True) as con:
        rows = con.execute(
            "SELECT jaar, maand, aantal, signaal FROM marts.fct_hotspots WHERE gebied_code = ? AND variabele = ?",
            [HOTSPOT_BUURT, HOTSPOT_SOORT],
        ).fetchall()
        calibration = con.execute("SELECT * FROM marts.fct_hotspot_kalibratie").df()
    wave = {(r[0], r[1]): (r[2], r[3]) for r in rows if (r[0], r[1]) in HOTSPOT}
    assert wave == {k: (v, True) for k, v in HOTSPOT.items()}  # March-May 2024: 7, 9 and 6
    assert list(calibration["gemeente_code"]) == ["GM9999"]
    row = calibration.iloc[0]
    assert row["getoetste_reeksen"] == 48 * 4 and row["replicaties"] >= 2
    assert 0 < row["vals_alarm_per_maand"] < 0.5 and row["vals_alarm_se"] < row["vals_alarm_per_maand"]


def test_the_regiegroep_page_states_the_simulated_rate(monkeypatch):
    with duckdb.connect(str(demo_db()), read_only=True) as con:
        rate = con.execute("SELECT vals_alarm_per_maand FROM marts.fct_hotspot_kalibratie").fetchone()[0]
    at = run_page(demo_db(), monkeypatch, "views/regiegroep.py")
    captions = " ".join(c.value for c in at.caption)
    shown = f"{rate:.{2 if rate < 0.1 else 1}f}".replace(".", ",")
    assert f"in een wereld zonder verandering gemiddeld ongeveer {shown} valse signalen per maand" in captions
    assert "(gesimuleerd met de 192 reeksen" in captions
    assert "vals alarm per maand" not in captions  # the former nominal figure (tests x p)
