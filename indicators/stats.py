"""The statistical formulas that SQL cannot express comfortably, in one place.

Registered as vectorised DuckDB functions (``register_functions``) so the marts stay SQL; also usable from
Python (tests, documentation examples). Everything else (Wilson interval, z-tests, delta method) is in
``indicators/sql/*.sql``; docs/methodology.md lists every formula.
"""

from __future__ import annotations

import contextlib

import duckdb
import numpy as np
import pyarrow as pa
from scipy import special, stats


def z_critical(confidence: float = 0.95) -> float:
    """Two-sided critical value: 1.959964 for 95%."""
    return float(stats.norm.ppf(0.5 + confidence / 2))


def one_sided_critical(confidence: float = 0.95) -> float:
    """One-sided critical value: 1.644854 for 95% (the bound of a non-inferiority verdict)."""
    return float(stats.norm.ppf(confidence))


def poisson_interval(count: np.ndarray | float, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval for a Poisson count x: [chi2(a/2; 2x)/2, chi2(1-a/2; 2x+2)/2]; lower 0 at x=0."""
    x = np.asarray(count, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(x > 0, stats.chi2.ppf(alpha / 2, 2 * x) / 2, 0.0)
        high = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    return low, high


def t_quantile(df: np.ndarray | float, confidence: float = 0.95) -> np.ndarray:
    """Two-sided Student critical value for df degrees of freedom (12.706 for df = 1 at 95%)."""
    return stats.t.ppf(0.5 + confidence / 2, np.asarray(df, dtype=float))


def two_sided_p(z: np.ndarray | float) -> np.ndarray:
    """P(|Z| >= |z|) for a standard normal Z."""
    return 2 * special.ndtr(-np.abs(np.asarray(z, dtype=float)))


def _arrow_udf(fn):
    def wrapped(arr: pa.Array) -> pa.Array:
        values = arr.to_numpy(zero_copy_only=False).astype(float)
        out = fn(values)
        return pa.array(out, mask=np.isnan(values), type=pa.float64())

    return wrapped


def register_functions(con: duckdb.DuckDBPyConnection, confidence: float = 0.95) -> None:
    """wm_poisson_laag(x), wm_poisson_hoog(x), wm_p_tweezijdig(z), wm_t_kwantiel(df)
    as vectorised (Arrow) DuckDB functions."""
    for name, fn in {
        "wm_poisson_laag": lambda x: poisson_interval(x, confidence)[0],
        "wm_poisson_hoog": lambda x: poisson_interval(x, confidence)[1],
        "wm_p_tweezijdig": two_sided_p,
        "wm_t_kwantiel": lambda df: t_quantile(df, confidence),
    }.items():
        with contextlib.suppress(duckdb.Error):
            con.remove_function(name)
        con.create_function(name, _arrow_udf(fn), ["DOUBLE"], "DOUBLE", type="arrow", null_handling="special")
