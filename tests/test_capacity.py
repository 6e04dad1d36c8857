"""Capacity by need (wijkmonitor/capacity.py): the need formula, the largest-remainder distribution, the warehouse
query that feeds them (dashboard.queries.need_inputs) and the worked example of docs/methodology.md,
"Capaciteit naar behoefte".

Expected values are computed by hand; the arithmetic is in the comments.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dashboard_support import demo_db

from etl.db import connect_readonly
from indicators.catalogue import load_catalogue
from wijkmonitor.capacity import (
    INPUT_COLUMNS,
    NEED_COLUMNS,
    NeedWeights,
    band_index,
    band_position,
    catalogue_bands,
    distance_to_baseline,
    distribute,
    hours_per_need,
    largest_remainder,
    level_gap,
    need,
    need_score,
    validate_weights,
)

INBRAAK = [(6.0, "hoog"), (0.0, "laag"), (3.0, "gemiddeld")]  # lower is better; deliberately unsorted
CIJFER = [(1.0, "onvoldoende"), (6.5, "voldoende"), (7.5, "goed")]  # higher is better
BANDS = {"inbraak": INBRAAK, "cijfer": CIJFER}


def inputs(rows: list[dict]) -> pd.DataFrame:
    """A need_inputs frame from partial rows (missing columns are NULL)."""
    return pd.DataFrame([{c: r.get(c) for c in INPUT_COLUMNS} for r in rows], columns=list(INPUT_COLUMNS))


def wijk_rows(code: str, naam: str, inwoners, huishoudens, scores: dict, values: list[tuple]) -> list[dict]:
    """Rows of one wijk: scores {groep: score} ('samengesteld' is the overall one) and values (indicator, waarde,
    gemeente_waarde, polariteit, gewicht); no inputs at all gives the one row with invoer NULL."""
    size = {
        "gebied_code": code,
        "gebied_naam": naam,
        "jaar": 2023,
        "inwoners": inwoners,
        "inwoners_jaar": 2023 if inwoners is not None else None,
        "huishoudens": huishoudens,
        "huishoudens_jaar": 2022 if huishoudens is not None else None,
    }
    rows = [
        size | {"invoer": "samengesteld" if g == "samengesteld" else "thema", "code": g, "score": s}
        for g, s in scores.items()
    ]
    rows += [
        size
        | {
            "invoer": "indicator",
            "code": i,
            "waarde": w,
            "gemeente_waarde": g,
            "polariteit": p,
            "gewicht": gw,
        }
        for i, w, g, p, gw in values
    ]
    return rows or [size]


# ------------------------------------------------------------------------------------------ the components


def test_distance_to_baseline_is_the_mean_shortfall_below_100():
    # (100 − 90)/100 = 0.10, (100 − 80)/100 = 0.20, 100 → 0: (0.10 + 0.20 + 0) / 3 = 0.10
    assert distance_to_baseline([90, 80, 100]) == pytest.approx(0.10)
    # above the baseline counts 0, missing scores are skipped: (0 + 0.30) / 2 = 0.15
    assert distance_to_baseline([105, None, float("nan"), 70]) == pytest.approx(0.15)
    assert distance_to_baseline([]) == 0.0
    assert distance_to_baseline([None]) == 0.0
    assert distance_to_baseline([0]) == pytest.approx(1.0)  # the worst possible


def test_band_index_boundaries_belong_to_the_band_they_start():
    assert [band_index(v, INBRAAK) for v in (-1, 0, 2.999, 3, 5.9, 6, 60)] == [0, 0, 0, 1, 1, 2, 2]


def test_band_position_lower_is_better():
    # 3 bands: p = k / (3 − 1); the worst band (hoog, k = 2) is 1
    assert band_position(2.9, INBRAAK, "lager_is_beter") == 0.0  # laag, k = 0
    assert band_position(3.0, INBRAAK, "lager_is_beter") == 0.5  # exactly on 3: gemiddeld, k = 1 → 1/2
    assert band_position(6.0, INBRAAK, "lager_is_beter") == 1.0  # exactly on 6: hoog, k = 2 → 2/2
    assert band_position(-4.0, INBRAAK, "lager_is_beter") == 0.0  # below the first band: band 0


def test_band_position_higher_is_better():
    # p = (3 − 1 − k) / (3 − 1); the worst band (onvoldoende, k = 0) is 1
    assert band_position(0.5, CIJFER, "hoger_is_beter") == 1.0  # below the first band: k = 0 → 2/2
    assert band_position(6.49, CIJFER, "hoger_is_beter") == 1.0  # onvoldoende
    assert band_position(6.5, CIJFER, "hoger_is_beter") == 0.5  # exactly on 6.5: voldoende, k = 1 → 1/2
    assert band_position(7.5, CIJFER, "hoger_is_beter") == 0.0  # exactly on 7.5: goed, k = 2 → 0/2
    # four bands: k = 1 → (4 − 1 − 1) / 3 = 2/3
    four = [(0, "a"), (1, "b"), (2, "c"), (3, "d")]
    assert band_position(1.5, four, "hoger_is_beter") == pytest.approx(2 / 3)
    assert band_position(1.5, four, "lager_is_beter") == pytest.approx(1 / 3)


def test_band_position_needs_two_bands_and_a_known_polarity():
    assert band_position(5, [(0, "alles")], "lager_is_beter") is None
    assert band_position(5, [], "lager_is_beter") is None
    with pytest.raises(ValueError, match="polariteit"):
        band_position(5, INBRAAK, "neutraal")


def test_level_gap():
    # higher is better: (g − w) / |g| = (8 − 6) / 8 = 0.25
    assert level_gap(6, 8, "hoger_is_beter") == pytest.approx(0.25)
    assert level_gap(9, 8, "hoger_is_beter") == 0.0  # better than the gemeente
    assert level_gap(0, 8, "hoger_is_beter") == 1.0  # (8 − 0) / 8 = 1
    # lower is better: (w − g) / |g| = (12 − 10) / 10 = 0.2
    assert level_gap(12, 10, "lager_is_beter") == pytest.approx(0.2)
    assert level_gap(30, 10, "lager_is_beter") == 1.0  # (30 − 10) / 10 = 2, clipped to 1
    assert level_gap(8, 10, "lager_is_beter") == 0.0
    # a negative gemeente value: (−1 − (−2)) / |−2| = 0.5
    assert level_gap(-1, -2, "lager_is_beter") == pytest.approx(0.5)
    assert level_gap(5, 0, "lager_is_beter") is None  # no relative gap to 0
    with pytest.raises(ValueError, match="polariteit"):
        level_gap(5, 1, "onbekend")


def test_need_score():
    # 4000 / 1000 × (1 + 2 × 0.10 + 1 × 0.75 + 1 × 0.30) = 4 × 2.25 = 9.0
    assert need_score(4000, 0.10, 0.75, 0.30) == pytest.approx(9.0)
    # weights 1, 0, 3: 2500 / 1000 × (1 + 0.5 + 0 + 3 × 0.2) = 2.5 × 2.1 = 5.25
    w = NeedWeights(afstand=1, normering=0, niveau=3)
    assert need_score(2500, 0.5, 1.0, 0.2, w) == pytest.approx(5.25)
    assert need_score(0, 1, 1, 1) == 0.0


def test_weights_are_validated_in_dutch():
    validate_weights(NeedWeights())
    validate_weights(NeedWeights(afstand=0, normering=0, niveau=0, maat="huishoudens"))
    with pytest.raises(ValueError, match="'afstand' mag niet negatief"):
        validate_weights(NeedWeights(afstand=-1))
    with pytest.raises(ValueError, match="'niveau' moet een getal"):
        validate_weights(NeedWeights(niveau=float("nan")))
    with pytest.raises(ValueError, match="Onbekende maat 'woningen'"):
        validate_weights(NeedWeights(maat="woningen"))
    with pytest.raises(ValueError, match="mag niet negatief"):
        need(inputs(wijk_rows("WK1", "a", 10, 5, {}, [])), {}, NeedWeights(normering=-0.5))


def test_catalogue_bands():
    bands = catalogue_bands(load_catalogue())
    assert bands["rapportcijfer_leefbaarheid"] == CIJFER
    assert bands["woninginbraak_per_1000_woningen"] == sorted(INBRAAK)
    assert all(len(b) >= 2 for b in bands.values())
    assert "geweld_per_1000_inwoners" not in bands  # no normering in the catalogue
    tiny = {
        "indicatoren": {
            "x": {"normering": [{"ondergrens": 5, "label": "b"}, {"ondergrens": 0, "label": "a"}]}
        }
    }
    assert catalogue_bands(tiny) == {"x": [(0.0, "a"), (5.0, "b")]}


# ------------------------------------------------------------------------------------------ need per wijk


def test_need_per_wijk_by_hand():
    rows = wijk_rows(
        "WK000102",
        "Zuid",
        2000,
        900,
        {"samengesteld": 95, "veiligheid": 70, "zorg": None},  # zorg has no score: skipped
        [
            # cijfer 6.0 (higher is better) < 6.5: onvoldoende, p = 1; gap (7.5 − 6.0) / 7.5 = 0.2
            ("cijfer", 6.0, 7.5, "hoger_is_beter", 2.0),
            # inbraak 3.0 on the boundary: gemiddeld, p = 0.5; gap (3 − 4) / 4 < 0 → 0
            ("inbraak", 3.0, 4.0, "lager_is_beter", 1.0),
            # no bands; gap (15 − 10) / 10 = 0.5
            ("onveilig", 15.0, 10.0, "lager_is_beter", 1.0),
            # weight 0: not in L (its gap would be 1)
            ("misdrijven", 90.0, 30.0, "lager_is_beter", 0.0),
            # no gemeente value: not in L
            ("geweld", 9.0, None, "lager_is_beter", 1.0),
        ],
    ) + wijk_rows(
        "WK000101",
        "Noord",
        3000,
        1500,
        {"samengesteld": 110},
        [("inbraak", -2.0, 4.0, "lager_is_beter", 1.0)],  # below the first band: band 0, p = 0
    )
    out = need(inputs(rows), BANDS)
    assert list(out.columns) == list(NEED_COLUMNS)
    assert list(out["gebied_code"]) == ["WK000101", "WK000102"]  # ordered by code
    noord, zuid = out.iloc[0], out.iloc[1]
    # Zuid: A = ((100 − 95)/100 + (100 − 70)/100) / 2 = (0.05 + 0.30) / 2 = 0.175
    #       N = (1 + 0.5) / 2 = 0.75;  L = (0.2 + 0 + 0.5) / 3 = 0.7 / 3 = 0.233333…
    #       behoefte = 2000/1000 × (1 + 2 × 0.175 + 0.75 + 0.233333…) = 2 × 2.333333… = 4.666666…
    assert zuid["A"] == pytest.approx(0.175)
    assert zuid["N"] == pytest.approx(0.75)
    assert zuid["L"] == pytest.approx(0.7 / 3)
    assert zuid["behoefte"] == pytest.approx(2 * (1 + 0.35 + 0.75 + 0.7 / 3))
    assert (zuid["scores"], zuid["normen"], zuid["vergelijkingen"]) == (2, 2, 3)
    # Noord: A = 0 (110 ≥ 100), N = 0, L = 0 (better than the gemeente): behoefte = 3000/1000 × 1 = 3
    assert (noord["A"], noord["N"], noord["L"], noord["behoefte"]) == (0.0, 0.0, 0.0, pytest.approx(3.0))
    # shares: 3 / (3 + 4.666…) and 4.666… / 7.666…
    assert noord["aandeel"] == pytest.approx(3 / (3 + 2 * (2.1 + 0.7 / 3)))
    assert out["aandeel"].sum() == pytest.approx(1.0)
    assert not out["zonder_scores"].any() and not out["zonder_omvang"].any()
    assert list(out["P_jaar"]) == [2023, 2023]


def test_need_by_households_and_other_weights():
    rows = wijk_rows("WK000101", "Noord", 3000, 1500, {"samengesteld": 80}, [])
    # P = 1500 households, A = 0.2: 1500/1000 × (1 + 0.5 × 0.2) = 1.5 × 1.1 = 1.65
    out = need(inputs(rows), {}, NeedWeights(afstand=0.5, maat="huishoudens"))
    assert out.loc[0, "P"] == 1500 and out.loc[0, "P_jaar"] == 2022
    assert out.loc[0, "behoefte"] == pytest.approx(1.65)


def test_a_wijk_without_scores_or_size_is_flagged():
    rows = wijk_rows("WK000103", "Leeg", None, None, {}, []) + wijk_rows(
        "WK000104", "Zonder scores", 1000, 400, {}, [("onveilig", 15.0, 10.0, "lager_is_beter", 1.0)]
    )
    out = need(inputs(rows), BANDS).set_index("gebied_code")
    assert out.loc["WK000103", "zonder_scores"] and out.loc["WK000103", "zonder_omvang"]
    assert out.loc["WK000103", "P"] == 0.0 and out.loc["WK000103", "behoefte"] == 0.0
    # no scores: A = 0; L = 0.5: 1000/1000 × (1 + 0.5) = 1.5, all of the need
    assert out.loc["WK000104", "zonder_scores"] and not out.loc["WK000104", "zonder_omvang"]
    assert out.loc["WK000104", "A"] == 0.0 and out.loc["WK000104", "behoefte"] == pytest.approx(1.5)
    assert list(out["aandeel"]) == [0.0, 1.0]
    # nobody has need: equal shares
    nobody = need(inputs(wijk_rows("WK1", "a", None, None, {}, []) + wijk_rows("WK2", "b", 0, 0, {}, [])), {})
    assert list(nobody["aandeel"]) == [0.5, 0.5]


def test_need_refuses_a_frame_without_its_columns():
    with pytest.raises(ValueError, match="mist de kolommen"):
        need(pd.DataFrame({"gebied_code": ["WK1"]}), {})


# ------------------------------------------------------------------------------------------ largest remainder


def test_naive_rounding_would_not_add_up():
    # 10 over three equal weights: quotas 3.333… each; floors 3 + 3 + 3 = 9, the 1 left goes to the tie's
    # lowest key. Rounding every quota would give 3 + 3 + 3 = 9.
    assert largest_remainder(10, {"b": 1, "a": 1, "c": 1}) == {"b": 3, "a": 4, "c": 3}
    assert list(largest_remainder(10, {"b": 1, "a": 1, "c": 1})) == ["b", "a", "c"]  # the caller's order
    # 100 over 9, 8.16, 2.5 (the worked example): rounding 45.78, 41.51, 12.72 gives 46 + 42 + 13 = 101;
    # floors 45 + 41 + 12 = 98, the 2 left to the largest remainders .78 (Noord) and .72 (Zuid)
    assert largest_remainder(100, {"Noord": 9.0, "Midden": 8.16, "Zuid": 2.5}) == {
        "Noord": 46,
        "Midden": 41,
        "Zuid": 13,
    }


def test_ties_go_to_the_larger_weight_then_the_lower_key():
    # 2 over 1 and 3: quotas 0.5 and 1.5, floors 0 + 1, remainders 0.5 and 0.5: the larger weight (b) wins
    assert largest_remainder(2, {"a": 1, "b": 3}) == {"a": 0, "b": 2}
    # 3 over 1, 1, 2: quotas 0.75, 0.75, 1.5; floors 0 + 0 + 1; the 2 left go to the remainders 0.75 (a and b)
    assert largest_remainder(3, {"a": 1, "b": 1, "c": 2}) == {"a": 1, "b": 1, "c": 1}
    # 1 over two equal weights: the lower key
    assert largest_remainder(1, {"b": 2.5, "a": 2.5}) == {"b": 0, "a": 1}
    # 5 over 1, 1, 1, 2: quotas 1, 1, 1, 2 exactly: no remainders
    assert largest_remainder(5, {"a": 1, "b": 1, "c": 1, "d": 2}) == {"a": 1, "b": 1, "c": 1, "d": 2}
    # remainders that are equal in exact arithmetic stay equal: 1 over 0.1, 0.1, 0.1 → the lowest key
    assert largest_remainder(1, {"z": 0.1, "y": 0.1, "x": 0.1}) == {"z": 0, "y": 0, "x": 1}


def test_zero_weights_and_totals():
    # a key with weight 0 gets nothing: 5 over 0, 1, 1: quotas 0, 2.5, 2.5; the 1 left to b (lower key)
    assert largest_remainder(5, {"a": 0, "b": 1, "c": 1}) == {"a": 0, "b": 3, "c": 2}
    # all weights 0: equal weights; 3 over two keys: 1.5 each, the 1 left to a
    assert largest_remainder(3, {"b": 0, "a": 0.0}) == {"b": 1, "a": 2}
    assert largest_remainder(0, {"a": 1, "b": 2}) == {"a": 0, "b": 0}
    assert largest_remainder(0, {}) == {}
    assert largest_remainder(np.int64(4), {"a": np.float64(1.0)}) == {"a": 4}


@pytest.mark.parametrize("total", [-1, 2.5, 10.0, "10", True, None])
def test_the_total_is_a_whole_non_negative_number(total):
    with pytest.raises(ValueError, match="geheel getal"):
        largest_remainder(total, {"a": 1})


@pytest.mark.parametrize("weight", [-0.1, float("nan"), float("inf"), "1", None])
def test_weights_are_non_negative_numbers(weight):
    with pytest.raises(ValueError, match="gewicht van a"):
        largest_remainder(3, {"a": weight, "b": 1})


def test_nothing_to_distribute_over():
    with pytest.raises(ValueError, match="niets om 7 uren"):
        largest_remainder(7, {})


def test_largest_remainder_always_adds_up():
    """Property style: random totals and weights (with zeros, ties and tiny weights), fixed seeds."""
    for seed in range(40):
        rng = np.random.default_rng(seed)
        for _ in range(25):
            n = int(rng.integers(1, 15))
            total = int(rng.integers(0, 5000))
            kind = rng.integers(0, 4)
            if kind == 0:
                w = rng.random(n)
            elif kind == 1:
                w = rng.integers(0, 4, n).astype(float)  # many ties and zeros
            elif kind == 2:
                w = rng.random(n) * 10.0 ** rng.integers(-9, 9, n)  # very different sizes
            else:
                w = np.where(rng.random(n) < 0.5, 0.0, rng.random(n))
            weights = {f"WK{i:06d}": float(x) for i, x in enumerate(w)}
            got = largest_remainder(total, weights)
            assert sum(got.values()) == total, (seed, total, weights)
            assert list(got) == list(weights)
            positive = sum(weights.values()) > 0
            whole = sum(weights.values()) if positive else float(n)
            for key, units in got.items():
                share = weights[key] if positive else 1.0
                quota = total * share / whole
                assert isinstance(units, int) and units >= 0
                assert math.floor(quota) - 1e-9 <= units <= math.ceil(quota) + 1e-9, (key, units, quota)
                if positive and weights[key] == 0:
                    assert units == 0
            # the order of the keys does not matter
            backwards = dict(reversed(list(weights.items())))
            assert largest_remainder(total, backwards) == got


# ------------------------------------------------------------------------------------------ distribute


def test_distribute_each_partner_by_need():
    need_by_wijk = {"WK3": 2.5, "WK1": 9.0, "WK2": 8.16}
    out = distribute({"welzijn": 100, "politie": 10, "corporatie": 0}, need_by_wijk)
    assert list(out.columns) == ["partner", "gebied_code", "uren"]
    assert out["uren"].dtype == "int64"
    assert list(out["partner"]) == ["corporatie"] * 3 + ["politie"] * 3 + ["welzijn"] * 3
    got = {(r.partner, r.gebied_code): r.uren for r in out.itertuples()}
    # welzijn 100: quotas 45.78, 41.51, 12.72 → 46, 41, 13 (the worked example)
    assert [got["welzijn", c] for c in ("WK1", "WK2", "WK3")] == [46, 41, 13]
    # politie 10: quotas 4.578, 4.151, 1.272; floors 4 + 4 + 1 = 9; the 1 left to WK1 (.578)
    assert [got["politie", c] for c in ("WK1", "WK2", "WK3")] == [5, 4, 1]
    assert [got["corporatie", c] for c in ("WK1", "WK2", "WK3")] == [0, 0, 0]
    assert out.groupby("partner")["uren"].sum().to_dict() == {"corporatie": 0, "politie": 10, "welzijn": 100}
    assert distribute({}, need_by_wijk).empty


def test_hours_per_need():
    table = need(
        inputs(
            wijk_rows("WK1", "Een", 4000, 1800, {"samengesteld": 90}, [])  # 4 × (1 + 2 × 0.1) = 4.8
            + wijk_rows("WK2", "Twee", 0, 0, {"samengesteld": 100}, [])  # no inhabitants: need 0
            + wijk_rows("WK3", "Drie", 2500, 1000, {"samengesteld": 100}, [])  # 2.5 × 1 = 2.5
        ),
        {},
    )
    out = hours_per_need({"WK1": 48, "WK2": 3}, table)
    assert list(out.columns) == ["gebied_code", "gebied_naam", "uren", "uren_per_1000", "uren_per_behoefte"]
    rows = out.set_index("gebied_code")
    assert rows.loc["WK1", "uren_per_1000"] == pytest.approx(12.0)  # 48 / 4000 × 1000
    assert rows.loc["WK1", "uren_per_behoefte"] == pytest.approx(10.0)  # 48 / 4.8
    assert math.isnan(rows.loc["WK2", "uren_per_1000"]) and math.isnan(rows.loc["WK2", "uren_per_behoefte"])
    assert rows.loc["WK3", "uren"] == 0 and rows.loc["WK3", "uren_per_behoefte"] == 0  # not in the mapping
    with pytest.raises(ValueError, match="WK9"):
        hours_per_need({"WK9": 1}, table)


# ------------------------------------------------------------------------------------------ the demo warehouse


def test_need_on_the_demo_warehouse(monkeypatch):
    from dashboard import queries
    from etl.demo import STORIES

    db = demo_db()
    monkeypatch.setenv("WIJKMONITOR_DB", str(db))
    gemeente = STORIES["gemeente"]
    years = queries.need_years(gemeente)
    assert years and years == sorted(years)
    jaar = max(years)
    frame = queries.need_inputs(jaar, gemeente)
    assert tuple(frame.columns) == INPUT_COLUMNS
    assert set(frame["invoer"].dropna()) == {"samengesteld", "thema", "indicator"}
    out = need(frame, catalogue_bands(load_catalogue()))

    con = connect_readonly(db)
    try:
        wijken = con.execute(
            "SELECT gebied_code FROM marts.dim_gebied WHERE niveau = 'wijk' AND gemeente_code = ? ORDER BY 1",
            [gemeente],
        ).df()
        inwoners = con.execute(
            "SELECT gebied_code, inwoners FROM staging.stg_bevolking__kerncijfers "
            "WHERE niveau = 'wijk' AND vervangen_door IS NULL AND jaar = ?",
            [jaar],
        ).df()
    finally:
        con.close()
    assert list(out["gebied_code"]) == list(wijken["gebied_code"])
    assert np.isfinite(out["behoefte"]).all() and (out["behoefte"] > 0).all()
    assert out["aandeel"].sum() == pytest.approx(1.0)
    assert not out["zonder_scores"].any() and not out["zonder_omvang"].any()
    for col in ("A", "N", "L"):
        assert out[col].between(0, 1).all()
    # the size is the delivered wijk row of that year (the demo delivers one per year)
    delivered = dict(zip(inwoners["gebied_code"], inwoners["inwoners"], strict=True))
    assert dict(zip(out["gebied_code"], out["P"], strict=True)) == delivered
    # after the last delivered year, the size is carried forward
    later = need(queries.need_inputs(jaar + 5, gemeente), {})
    assert list(later["P"]) == list(out["P"]) and (later["P_jaar"] == jaar).all()
    assert later["zonder_scores"].all() and (later["behoefte"] == later["P"] / 1000).all()


# ------------------------------------------------------------------------------------------ the worked example

DOC = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"
SECTION = "### Capaciteit naar behoefte"
EXAMPLE = "**Worked example — three fictitious wijken.**"
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")

# The example's inputs: the gemeente, and per wijk (code, name, inwoners, composite scores, indicator values).
GEMEENTE = {
    "rapportcijfer_leefbaarheid": 7.5,
    "woninginbraak_per_1000_woningen": 4.0,
    "onveilig_in_buurt_pct": 20,
}
POLARITEIT = {
    "rapportcijfer_leefbaarheid": "hoger_is_beter",
    "woninginbraak_per_1000_woningen": "lager_is_beter",
    "onveilig_in_buurt_pct": "lager_is_beter",
}
WIJKEN = [
    ("WK099801", "Noord", 4000, {"samengesteld": 90, "veiligheid": 80, "woonomgeving": 100}, (6.75, 6.0, 26)),
    ("WK099802", "Midden", 6000, {"samengesteld": 97, "veiligheid": 94, "woonomgeving": 103}, (7.5, 3.0, 23)),
    (
        "WK099803",
        "Zuid",
        2500,
        {"samengesteld": 105, "veiligheid": 110, "woonomgeving": None},
        (8.0, 1.5, 12),
    ),
]
UREN = 100


def en(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def squash(text: str) -> str:
    return " ".join(text.split())


def section() -> str:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(SECTION))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("## ", "### "))), len(lines))
    return squash("\n".join(lines[start + 1 : end]))


def example_world() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    rows = []
    for code, naam, inwoners, scores, values in WIJKEN:
        rows += wijk_rows(
            code,
            naam,
            inwoners,
            None,
            scores,
            [(i, v, GEMEENTE[i], POLARITEIT[i], 1.0) for i, v in zip(GEMEENTE, values, strict=True)],
        )
    frame = inputs(rows)
    table = need(frame, catalogue_bands(load_catalogue()))
    uren = largest_remainder(UREN, dict(zip(table["gebied_code"], table["behoefte"], strict=True)))
    return frame, table, uren


def test_the_worked_example_is_what_the_code_computes():
    text = section()
    assert EXAMPLE in text
    example = text[text.index(EXAMPLE) :]
    _, table, uren = example_world()
    bands = catalogue_bands(load_catalogue())
    w = NeedWeights()
    snippets, given = [], {"3", "1000", str(UREN)}
    for (code, naam, inwoners, scores, values), r in zip(WIJKEN, table.itertuples(), strict=True):
        assert r.gebied_code == code
        present = [s for s in scores.values() if s is not None]
        gaps = [distance_to_baseline([s]) for s in present]
        positions = [
            band_position(v, bands[i], POLARITEIT[i])
            for i, v in zip(GEMEENTE, values, strict=True)
            if i in bands
        ]
        levels = [level_gap(v, GEMEENTE[i], POLARITEIT[i]) for i, v in zip(GEMEENTE, values, strict=True)]
        snippets += [
            f"| {code} {naam} | {inwoners} | "
            + " | ".join("–" if s is None else str(s) for s in scores.values())
            + " | "
            + " | ".join(str(v) for v in values)
            + " |",
            f"**{naam}**: A = ({' + '.join(en(g, 2) for g in gaps)}) / {len(gaps)} = {en(r.A, 2)}; "
            f"N = ({' + '.join(en(p, 2) for p in positions)}) / {len(positions)} = {en(r.N, 2)}; "
            f"L = ({' + '.join(en(g, 2) for g in levels)}) / {len(levels)} = {en(r.L, 2)}; "
            f"behoefte = {inwoners} / 1000 × (1 + {en(w.afstand, 0)} × {en(r.A, 2)} + {en(w.normering, 0)} × "
            f"{en(r.N, 2)} + {en(w.niveau, 0)} × {en(r.L, 2)}) = {en(r.behoefte, 2)}",
        ]
        quota = UREN * r.aandeel
        snippets.append(
            f"| {naam} | {en(r.behoefte, 2)} | {en(r.aandeel, 4)} | {en(quota, 4)} | {math.floor(quota)} | "
            f"{en(quota - math.floor(quota), 4)} | {uren[code]} | {en(uren[code] / inwoners * 1000, 2)} | "
            f"{en(uren[code] / r.behoefte, 2)} |"
        )
    # the band positions and gaps spelled out for Noord and Midden
    noord, midden = WIJKEN[0][4], WIJKEN[1][4]
    cijfer, inbraak = bands["rapportcijfer_leefbaarheid"], bands["woninginbraak_per_1000_woningen"]
    snippets += [
        f"report mark {noord[0]} lies in {cijfer[band_index(noord[0], cijfer)][1]} (k = "
        f"{band_index(noord[0], cijfer)} of {len(cijfer)} bands), p = ({len(cijfer)} − 1 − "
        f"{band_index(noord[0], cijfer)}) / ({len(cijfer)} − 1) = "
        f"{en(band_position(noord[0], cijfer, 'hoger_is_beter'), 2)}",
        f"{noord[1]} burglaries lie exactly on the lower bound of {inbraak[band_index(noord[1], inbraak)][1]} (k = "
        f"{band_index(noord[1], inbraak)}), p = {band_index(noord[1], inbraak)} / ({len(inbraak)} − 1) = "
        f"{en(band_position(noord[1], inbraak, 'lager_is_beter'), 2)}",
        f"L: ({GEMEENTE['rapportcijfer_leefbaarheid']} − {noord[0]}) / {GEMEENTE['rapportcijfer_leefbaarheid']} = "
        f"{en(level_gap(noord[0], 7.5, 'hoger_is_beter'), 2)}, ({noord[1]} − "
        f"{GEMEENTE['woninginbraak_per_1000_woningen']}) / {GEMEENTE['woninginbraak_per_1000_woningen']} = "
        f"{en(level_gap(noord[1], 4.0, 'lager_is_beter'), 2)}, ({noord[2]} − {GEMEENTE['onveilig_in_buurt_pct']}) / "
        f"{GEMEENTE['onveilig_in_buurt_pct']} = {en(level_gap(noord[2], 20, 'lager_is_beter'), 2)}",
        f"Midden's report mark {midden[0]} is exactly on the lower bound of "
        f"{cijfer[band_index(midden[0], cijfer)][1]} (p = {en(band_position(midden[0], cijfer, 'hoger_is_beter'), 2)})"
        f" and its {midden[1]} burglaries on that of {inbraak[band_index(midden[1], inbraak)][1]} "
        f"(p = {en(band_position(midden[1], inbraak, 'lager_is_beter'), 2)})",
        f"total need is {en(table['behoefte'].sum(), 2)}",
        ", ".join(f"{label} from {low:g}" for low, label in cijfer),
        ", ".join(f"{label} from {low:g}" for low, label in inbraak),
    ]
    quotas = UREN * table["aandeel"]
    floors = [math.floor(q) for q in quotas]
    rounded = [round(q) for q in quotas]
    got = [uren[c] for c in table["gebied_code"]]
    assert sum(got) == UREN and sum(rounded) != UREN  # the example shows why rounding is not enough
    snippets += [
        f"floors add up to {sum(floors)}; the {UREN - sum(floors)} hours left",
        f"{' + '.join(str(u) for u in got)} = {sum(got)}",
        f"Rounding every quota would give {' + '.join(str(u) for u in rounded)} = {sum(rounded)}",
    ]
    # the rest of the section: the defaults and the tie rule
    ten = largest_remainder(10, {"WK000003": 1, "WK000001": 1, "WK000002": 1})
    snippets_section = [
        f"w_A = {en(w.afstand, 0)}, w_N = {en(w.normering, 0)}, w_L = {en(w.niveau, 0)}, P = {w.maat}",
        f"10 hours over three wijken with equal need give {ten['WK000001']}, {ten['WK000002']} and "
        f"{ten['WK000003']}",
    ]
    missing = [s for s in snippets if squash(s) not in example] + [
        s for s in snippets_section if squash(s) not in text
    ]
    assert not missing, "not in the document as the code computes it:\n" + "\n".join(missing)
    accounted = {"0", "1", "2"} | given | set().union(*(set(NUMBER.findall(squash(s))) for s in snippets))
    unpinned = sorted(set(NUMBER.findall(example)) - accounted)
    assert not unpinned, f"numbers in the worked example that no test pins: {unpinned}"
