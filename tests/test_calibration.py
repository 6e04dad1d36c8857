"""Calibration of the verdicts by simulation (issue 11): the fast version of benchmarks/calibration.py.

Two simulated worlds of REPLICATES independent demo-sized gemeenten each (12 wijken x 4 buurten, 2017-2025,
overdispersed counts, survey noise with a design effect and the survey's 2021 method break) go through the
production build (``etl.build.build``) in one in-memory warehouse:

* no change: every truth constant. A wijk must not be called "niet gehaald" more often than the stated 5%
  (in fact almost never: the rule says "niet gehaald" only when the upper bound lies more than the margin
  below 2019), the composite's mean score stays at 100, the per-indicator "beter"/"slechter" calls of a
  placebo comparison stay within the stated two-sided 5%, and the hotspot signal gives false alarms at the
  rate fct_hotspot_kalibratie states;
* shifted: from the target year on every indicator's truth is exactly at the margin, score 100 (1 - marge).
  A wijk must not be called "gehaald" more often than 5% (the one-sided 95% lower bound lies above the margin
  only by chance).

Each bound is the stated rate plus three Monte Carlo standard errors, SE = max(the share's SE over replicates
(gemeenten are the independent unit), the binomial SE at the stated rate over the wijken). With 3 SE a
correct engine fails about one run in 700 per assertion; the seed is fixed, so a run is reproducible. The
large version with its figures: ``python benchmarks/calibration.py`` (benchmarks/README.md, "Calibration").

The placebo assertions are one-sided (at most 5%): the per-indicator test is conservative by design (the
overdispersion estimate is truncated at 0 and a gemeente borrows the wider wijk estimate; zero and small
counts make the test discrete), and measures about 3.5-4% at demo sizes.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import calibration  # noqa: E402

from indicators.catalogue import load_catalogue  # noqa: E402

REPLICATES = 30  # gemeenten per world: 360 wijken; Monte Carlo SE of a 5% share about 1.2 points
SEED = 20231
SETTINGS = load_catalogue()["instellingen"]
MARGE = float(SETTINGS["marge"])
ALPHA = 1 - float(SETTINGS["betrouwbaarheid"])  # 0.05: the stated error rate of every verdict
HOTSPOT_FDR = float(SETTINGS["hotspot_fdr"])


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    fig = calibration.run(REPLICATES, SEED, shift=MARGE, hotspots=True)
    print(calibration.report(fig))
    return fig


def _tolerance(share: dict[str, float], p0: float) -> float:
    """Three Monte Carlo standard errors (the larger of the replicate SE and the binomial SE at p0)."""
    binomial = math.sqrt(p0 * (1 - p0) / share["n"])
    return 3 * max(share["se"], binomial)


def _world(fig: dict[str, Any], shift: float) -> dict[str, Any]:
    return fig["worlds"][f"{shift:g}"]


def test_every_wijk_gets_a_status_of_the_new_rule(figures: dict[str, Any]) -> None:
    for shift in (0.0, MARGE):
        w = _world(figures, shift)
        assert set(w["statuses_seen"]) <= calibration.NEW_STATUSES, w["statuses_seen"]
        assert w["status_wijk"]["gehaald"]["n"] == REPLICATES * calibration.N_WIJK
        assert w["status_wijk"]["geen_data"]["p"] == 0


def test_no_change_is_rarely_niet_gehaald(figures: dict[str, Any]) -> None:
    share = _world(figures, 0.0)["status_wijk"]["niet_gehaald"]
    assert share["p"] <= ALPHA + _tolerance(share, ALPHA), share


def test_at_the_margin_is_rarely_gehaald(figures: dict[str, Any]) -> None:
    """True score exactly 100 (1 - marge): 'gehaald' only when the lower bound lies above it by chance."""
    share = _world(figures, MARGE)["status_wijk"]["gehaald"]
    assert share["p"] <= ALPHA + _tolerance(share, ALPHA), share


def test_composite_mean_is_100_without_change(figures: dict[str, Any]) -> None:
    w = _world(figures, 0.0)
    for mean in (
        w["composite"][figures["doeljaar"]]["mean_score"],
        w["composite_mean_unchanged"]["wijk"]["score"],
    ):
        assert abs(mean["mean"] - 100) <= 0.5 + 3 * mean["se"], mean


def test_composite_mean_is_at_the_margin_when_shifted(figures: dict[str, Any]) -> None:
    mean = _world(figures, MARGE)["composite_mean_from_target_year"]  # 2023-2025, all at 100 (1 - marge)
    assert abs(mean["mean"] - 100 * (1 - MARGE)) <= 0.5 + 3 * mean["se"], mean


def test_composite_of_a_gemeente_is_100_without_change(figures: dict[str, Any]) -> None:
    """At gemeente level every indicator is in the basket: no selection, so the mean must be 100."""
    mean = _world(figures, 0.0)["composite_mean_unchanged"]["gemeente"]["score"]
    assert abs(mean["mean"] - 100) <= 0.5 + 3 * mean["se"], mean


def test_composite_slechter_without_change(figures: dict[str, Any]) -> None:
    """Two-sided at 95%: 'slechter' is one tail, at most 2.5% (+ tolerance) of the wijken in 2023."""
    share = _world(figures, 0.0)["composite"][figures["doeljaar"]]["slechter"]
    assert share["p"] <= ALPHA / 2 + _tolerance(share, ALPHA / 2), share


@pytest.mark.parametrize(
    "subset", ["niveau=wijk", "niveau=buurt", "onzekerheid=binomiaal", "onzekerheid=gemiddelde"]
)
def test_placebo_indicator_changes_at_most_five_percent(figures: dict[str, Any], subset: str) -> None:
    """Per-indicator verdicts where nothing changed: 'beter' or 'slechter' in at most 5% of comparisons."""
    share = _world(figures, 0.0)["placebo_indicator"][subset]
    assert share["p"] <= ALPHA + _tolerance(share, ALPHA), share


def test_hotspot_false_alarms_as_stated(figures: dict[str, Any]) -> None:
    """No change: every signal is false.

    BH at hotspot_fdr bounds P(any signal in a gemeente-month) under the complete null, and the false alarms
    per month are at most what fct_hotspot_kalibratie states for the gemeente.
    """
    hot = _world(figures, 0.0).get("hotspot")
    if not hot or "stated_vals_alarm_dispersie" not in hot:
        pytest.skip("fct_hotspots / fct_hotspot_kalibratie without the columns this check reads")
    any_signal = hot["month_with_any_signal"]
    assert any_signal["p"] <= HOTSPOT_FDR + _tolerance(any_signal, HOTSPOT_FDR), any_signal
    observed = hot["signals_per_month"]
    stated = max(hot["stated_vals_alarm_per_maand"]["mean"], hot["stated_vals_alarm_dispersie"]["mean"])
    se = math.hypot(observed["se"], hot["stated_vals_alarm_dispersie"]["se"] or 0.0)
    assert observed["mean"] <= stated + 3 * se, (observed, stated)
