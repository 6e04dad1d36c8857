"""Hotspot rule (regiegroep) on hand-made monthly burglary series, through the real SQL mart."""

from __future__ import annotations

import duckdb
import pytest

from etl.build import ensure_schema, rebuild
from indicators.stats import poisson_sf

BUURT = "BU09960101"


def hotspots(series: dict[tuple[int, int], int], **settings: str) -> dict[tuple[int, int], tuple]:
    """Monthly 1.1.1 counts for one buurt -> {(year, month): (count, expected, p, signal)}."""
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("INSERT INTO meta.loads (load_id, bestand, sha256, status) VALUES (1, 'p', 'x', 'geladen')")
    for key, value in settings.items():
        con.execute("INSERT INTO meta.instellingen VALUES (?, ?)", [key, value])
    rows = [
        ("1.1.1", BUURT, f"{y}MM{m:02d}", str(c), 1, i)
        for i, ((y, m), c) in enumerate(sorted(series.items()))
    ]
    con.executemany(
        'INSERT INTO raw.politie__misdrijven ("SoortMisdrijf", "WijkenEnBuurten", "Perioden", '
        '"GeregistreerdeMisdrijven", _load_id, _rij) VALUES (?, ?, ?, ?, ?, ?)',
        rows,
    )
    rebuild(con)
    out = {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            "SELECT jaar, maand, aantal, verwacht, p_waarde, signaal FROM marts.fct_hotspots "
            "WHERE variabele = '1.1.1' AND gebied_code = ?",
            [BUURT],
        ).fetchall()
    }
    con.close()
    return out


def flat(level: int = 1) -> dict[tuple[int, int], int]:
    return {(y, m): level for y in (2021, 2022, 2023, 2024) for m in range(1, 13)}


def test_a_flat_series_gives_no_signal():
    assert not any(v[3] for v in hotspots(flat(1)).values())


def test_a_spike_gives_a_signal():
    series = flat(1)
    series[(2024, 4)] = 8
    result = hotspots(series)
    count, expected, p, signal = result[(2024, 4)]
    # expected: mean of March-May in 2021-2023 = 1; P(X >= 8 | 1) = 1.0e-5
    assert (count, expected) == (8, pytest.approx(1.0))
    assert p == pytest.approx(float(poisson_sf(8, 1.0))) and p < 0.01
    assert signal
    assert [k for k, v in result.items() if v[3]] == [(2024, 4)]


def test_a_small_count_spike_of_2_gives_no_signal():
    series = {k: 0 for k in flat()}
    series[(2024, 4)] = 2  # improbable against an all-zero history (p = 0.005), but only 2 cases
    count, expected, p, signal = hotspots(series)[(2024, 4)]
    assert expected == 0 and p == pytest.approx(float(poisson_sf(2, 0.1))) and p < 0.01
    assert not signal


def test_three_cases_against_zero_history_do_signal():
    series = {k: 0 for k in flat()}
    series[(2024, 4)] = 3
    assert hotspots(series)[(2024, 4)][3]


def test_no_signal_without_enough_history():
    series = {(2024, m): 1 for m in range(1, 13)}
    series[(2024, 6)] = 9
    count, expected, p, signal = hotspots(series)[(2024, 6)]
    assert p is None and not signal


def test_the_history_window_is_a_setting():
    # 2021-2022: 0 a month, 2023: 2 a month; April 2024: 6
    series = {(y, m): (2 if y == 2023 else 0) for y in (2021, 2022, 2023, 2024) for m in range(1, 13)}
    series[(2024, 4)] = 6
    three_years = hotspots(series)[(2024, 4)]
    one_year = hotspots(series, hotspot_jaren="1")[(2024, 4)]
    assert three_years[1] == pytest.approx(6 / 9)  # March-May of 2021, 2022 and 2023
    assert one_year[1] == pytest.approx(2.0)  # March-May 2023 only
    assert three_years[3] and not one_year[3]  # P(X >= 6 | 2) = 0.017: no signal against last year alone


def test_a_missing_month_does_not_hide_its_neighbours():
    series = {(y, m): (1 if y == 2022 else 3) for y in (2022, 2023, 2024) for m in range(1, 13)}
    del series[(2023, 4)]  # not delivered: March and May 2023 still count as history for April 2024
    series[(2024, 4)] = 9
    count, expected, p, signal = hotspots(series, hotspot_jaren="2")[(2024, 4)]
    assert expected == pytest.approx((3 * 1 + 2 * 3) / 5)  # Mar-May 2022 and Mar + May 2023


def test_only_the_last_hotspot_maanden_months_are_tested_with_their_full_history():
    # 2017-2024 (96 months); the default window keeps the last 48 months, 2021-2024
    series = {(y, m): (4 if y == 2020 else 1) for y in range(2017, 2025) for m in range(1, 13)}
    assert sorted(hotspots(series))[0] == (2021, 1) and len(hotspots(series)) == 48
    # a window of 12 months keeps 2024 only; January 2024 still gets its expectation from Dec 2020 - Feb 2023,
    # months outside the window: (4 [Dec 2020] + 3 x 1 [2021] + 3 x 1 [2022] + ... ) / 9
    window = hotspots(series, hotspot_maanden="12")
    assert sorted(window) == [(2024, m) for m in range(1, 13)]
    assert window[(2024, 1)][1] == pytest.approx((4 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1) / 9)
    # and the window follows the data: with 2024 gone, 2023 is the last year
    del_2024 = {k: v for k, v in series.items() if k[0] < 2024}
    assert sorted(hotspots(del_2024, hotspot_maanden="12")) == [(2023, m) for m in range(1, 13)]
