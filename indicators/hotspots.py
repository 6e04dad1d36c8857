"""The hotspot signal of the regiegroep (build steps ``fct_hotspots``, ``fct_hotspot_kalibratie``, ``fct_hotspots_14d``).

Per buurt, watched series (``dim_hotspot_reeks``) and month *m* of the window (the last ``hotspot_maanden``
months up to the gemeente's latest month):

* history: the months *m − 12k − 1*, *m − 12k*, *m − 12k + 1* for *k* = 1 … ``hotspot_jaren`` that were delivered
  and did not signal themselves; *n* of them (at least 3 needed), *H* their sum;
* exact conditional test of equal means: under "this month has the mean of its history months", the month's
  count *x* given the total *x + H* is Binomial(*x + H*, 1 / (*n* + 1)), so
  p = P(Bin(*x + H*, 1/(*n* + 1)) ≥ *x*) = I_{1/(n+1)}(*x*, *H* + 1) (regularised incomplete beta); p = 1 for x = 0;
* Benjamini–Hochberg per gemeente and month over every tested cell (buurt × series): ``p_aangepast``;
* signal when ``p_aangepast`` ≤ ``hotspot_fdr`` and *x* ≥ ``hotspot_minimum``;
* a signalled month leaves the history of later months, so an outbreak does not raise later expectations and
  a repeat outbreak a year on is still signalled. That makes the test sequential in time: :func:`run_window`
  loops over the window's months and is vectorised over all series (and, in the calibration, replicates).

The data preparation is set-based SQL (``indicators/sql/hotspot_invoer.sql``); the names come back by a join.
``fct_hotspot_kalibratie`` states the false-alarm rate the regiegroep page shows: per gemeente, the same
procedure run on simulated no-change worlds at the gemeente's own sizes (each tested series' mean count as
its true Poisson rate; and gamma-Poisson at the dispersion its counts show), with a fixed seed per gemeente.

``fct_hotspots_14d`` is the same procedure on the police's recent weekly figures (partner source
``politie_week``, ISO weeks): the period is a 14-day window (two ISO weeks, the windows aligned so that the
latest ends with the gemeente's latest delivered week), a year is 26 windows (364 days), the history of a
window is the same window and its two neighbours 26 k windows back (k = 1 … ``hotspot_jaren``), and the
last ``WINDOWS_14D`` windows (a year) are tested, Benjamini–Hochberg per gemeente and window. The functions
below take the period length as ``per_year`` (12 for months, 26 for 14-day windows); nothing else differs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from scipy import special

INVOER_SQL = Path(__file__).parent / "sql" / "hotspot_invoer.sql"
INVOER_14D_SQL = Path(__file__).parent / "sql" / "hotspot_invoer_14d.sql"
MINIMUM_HISTORY = 3  # history periods (months, 14-day windows) a test needs
MONTHS_PER_YEAR = 12
WINDOWS_PER_YEAR = 26  # 14-day windows in a year of 52 weeks (364 days)
WINDOWS_14D = 26  # 14-day windows tested and kept in fct_hotspots_14d: the last year

# Calibration: replicates of the window per gemeente, ceil(SERIES_REPLICATES / tested series) within
# [MIN_REPLICATES, MAX_REPLICATES]: a small gemeente (few false alarms a month) gets many replicates, a large
# one (many a month, so a precise mean from fewer) at least MIN_REPLICATES. Monte Carlo error: column
# vals_alarm_se.
SEED = 20261129
SERIES_REPLICATES = 200
MIN_REPLICATES = 2
MAX_REPLICATES = 200
CHUNK = 50_000  # series x replicates simulated at once (memory: about CHUNK x months x 40 bytes)
DISPERSION_SIMULATED_FROM = 1.02  # below this the dispersed world is the Poisson world


# ------------------------------------------------------------------------------------------ the test


def history_offsets(years: int, per_year: int = MONTHS_PER_YEAR) -> np.ndarray:
    """Period offsets of the history: the same period and its neighbours in each of the previous `years` years
    (``per_year`` periods a year: 12 months, or 26 windows of 14 days)."""
    return np.array([-per_year * k + d for k in range(1, years + 1) for d in (-1, 0, 1)], dtype=np.int64)


def p_value(count: np.ndarray, history_sum: np.ndarray, history_months: np.ndarray) -> np.ndarray:
    """Exact conditional p = P(Bin(x + H, 1/(n + 1)) >= x) = I_{1/(n+1)}(x, H + 1); 1 for x = 0.

    Equals ``scipy.stats.binom.sf(x - 1, x + H, 1 / (n + 1))`` for whole counts (the incomplete beta is the
    binomial tail's closed form; it also gives a value for a non-whole count).
    """
    x = np.asarray(count, dtype=float)
    h = np.asarray(history_sum, dtype=float)
    n = np.asarray(history_months, dtype=float)
    x, h, n = np.broadcast_arrays(x, h, n)
    out = np.ones(x.shape)
    pos = x > 0
    out[pos] = special.betainc(x[pos], h[pos] + 1.0, 1.0 / (n[pos] + 1.0))
    return out


def _group_order(p: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Indices sorting by group, then p (two stable sorts: faster than lexsort)."""
    order = np.argsort(p, kind="stable")
    return order[np.argsort(groups[order], kind="stable")]


def benjamini_hochberg(p: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values within each group (NaN: not tested, not counted).

    Per group of m tested p-values sorted ascending: min over j >= i of p_(j) m / j, capped at 1. A cell is
    signalled at false discovery rate q when its adjusted value is <= q (the step-up procedure).
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    if idx.size == 0:
        return out
    g, pv = np.asarray(groups)[idx], p[idx]
    order = _group_order(pv, g)
    g_s = g[order]
    starts = np.r_[0, np.flatnonzero(g_s[1:] != g_s[:-1]) + 1]
    sizes = np.diff(np.r_[starts, g_s.size])
    group = np.repeat(np.arange(starts.size), sizes)
    rank = np.arange(g_s.size) - starts[group]  # 0-based within the group
    grid = np.full((starts.size, int(sizes.max())), np.inf)
    grid[group, rank] = pv[order] * sizes[group] / (rank + 1)
    grid = np.minimum.accumulate(grid[:, ::-1], axis=1)[:, ::-1]  # running minimum from the largest p down
    out[idx[order]] = np.minimum(grid[group, rank], 1.0)
    return out


def rejections(p: np.ndarray, groups: np.ndarray, fdr: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Benjamini–Hochberg decisions without the adjusted values (the simulation's fast path).

    Returns per cell (NaN p: not tested): rejected (adjusted p <= fdr), k and m: k the number of rejections
    in its group when its own p is set to 0, m the group's number of tested cells (0 when not tested). A
    cell is rejected exactly when p x m / k <= fdr (the lemma behind the proof of FDR control), so given
    everything but its own count this threshold decides whether it signals. Only p <= fdr can matter
    (every threshold j q / m with j <= m is at most q), so only those are sorted.
    """
    p = np.asarray(p, dtype=float)
    groups = np.asarray(groups)
    tested = ~np.isnan(p)
    rejected = np.zeros(p.shape, dtype=bool)
    k_out = np.ones(p.shape, dtype=np.int64)
    m_of_group = np.bincount(groups[tested], minlength=int(groups.max()) + 1 if groups.size else 0)
    m_out = np.where(tested, m_of_group[groups], 0)
    cand = np.flatnonzero(tested & (p <= fdr))
    if cand.size:
        g, pv = groups[cand], p[cand]
        order = _group_order(pv, g)
        g_s = g[order]
        starts = np.r_[0, np.flatnonzero(g_s[1:] != g_s[:-1]) + 1]
        sizes = np.diff(np.r_[starts, g_s.size])
        group = np.repeat(np.arange(starts.size), sizes)
        rank = (
            np.arange(g_s.size) - starts[group]
        )  # 0-based among the candidates = among all its tested cells
        width = int(sizes.max())
        j = np.arange(1, width + 1)[None, :]
        m = m_of_group[g_s[starts]][:, None].astype(float)
        grid = np.full((starts.size, width), np.inf)
        grid[group, rank] = pv[order]
        # the group's own count: the largest j with p_(j) m / j <= q
        k_bh = np.where(grid * m / j <= fdr, j, 0).max(axis=1)
        # a cell of rank r moved to the front puts p_(1) .. p_(r-1) at positions 2 .. r: p_(i) m / (i + 1) <= q
        before = np.maximum.accumulate(np.where(grid * m / (j + 1) <= fdr, j, 0), axis=1)
        before = np.concatenate([np.zeros((starts.size, 1), dtype=before.dtype), before], axis=1)
        r = rank + 1
        cells = cand[order]
        rejected[cells] = r <= k_bh[group]
        k_out[cells] = np.where(k_bh[group] > r, k_bh[group], 1 + before[group, rank])
        # every other tested cell of these groups ranks after all candidates
        last = np.zeros(m_of_group.size, dtype=np.int64)
        last[g_s[starts]] = before[np.arange(starts.size), sizes]
        others = tested.copy()
        others[cells] = False
        k_out[others] = 1 + last[groups[others]]
    k_out[~tested] = 0
    return rejected, k_out, m_out


def smallest_signalling_count(
    history_sum: np.ndarray, history_months: np.ndarray, threshold: np.ndarray, minimum: float
) -> np.ndarray:
    """The smallest whole count x >= max(minimum, 1) with p_value(x, H, n) <= threshold (p falls as x grows):
    doubling, then bisection, element by element."""
    h, n, c = np.broadcast_arrays(
        np.asarray(history_sum, dtype=float),
        np.asarray(history_months, dtype=float),
        np.asarray(threshold, dtype=float),
    )
    h, n, c = h.ravel(), n.ravel(), c.ravel()
    lo = np.full(h.shape, max(math.ceil(minimum), 1) - 1.0)  # below the answer
    hi = lo + 1.0
    todo = np.flatnonzero(p_value(hi, h, n) > c)
    while todo.size:  # doubling until p(hi) <= threshold
        lo[todo] = hi[todo]
        hi[todo] = 2.0 * hi[todo] + 1.0
        todo = todo[p_value(hi[todo], h[todo], n[todo]) > c[todo]]
    todo = np.flatnonzero(hi - lo > 1)
    while todo.size:  # bisection: p(lo) > threshold >= p(hi)
        mid = np.floor((lo[todo] + hi[todo]) / 2)
        ok = p_value(mid, h[todo], n[todo]) <= c[todo]
        hi[todo[ok]] = mid[ok]
        lo[todo[~ok]] = mid[~ok]
        todo = todo[hi[todo] - lo[todo] > 1]
    return hi


class NeededCounts:
    """The smallest signalling count per cell of a simulation, from tables over the history sum H.

    The threshold is fdr x k / m (k: rejections with the cell's own p at 0, m: tested cells of its group),
    with the number of history months n. One table row per distinct (n, k, m); the common row (full history,
    k = 1, m the group's size) is found through the group without sorting. Non-whole H: computed directly.
    """

    def __init__(self, groups: np.ndarray, full_history: int, fdr: float, minimum: float):
        size = np.bincount(groups)
        self.sizes = np.unique(size[size > 0])
        self.code = np.searchsorted(self.sizes, size)  # group -> row of its size (the common row)
        self.full, self.fdr, self.minimum = full_history, fdr, minimum
        self.width = 64
        self.rows: dict[tuple[int, int, int], int] = {}
        self.keys: list[tuple[int, int, int]] = []
        self.table = np.zeros((0, self.width))
        self._add([(full_history, 1, int(m)) for m in self.sizes])  # row i: the common row of size code i

    def _compute(self, keys: list[tuple[int, int, int]], h_from: int, h_to: int) -> np.ndarray:
        n, k, m = (np.array(v, dtype=float)[:, None] for v in zip(*keys, strict=True))
        h = np.arange(h_from, h_to, dtype=float)[None, :]
        return smallest_signalling_count(h, n, self.fdr * k / m, self.minimum).reshape(len(keys), -1)

    def _add(self, keys: list[tuple[int, int, int]]) -> None:
        if not keys:
            return
        for key in keys:
            self.rows[key] = len(self.keys)
            self.keys.append(key)
        self.table = np.concatenate([self.table, self._compute(keys, 0, self.width)])

    def _widen(self, h_max: int) -> None:
        new = max(h_max + 1, 2 * self.width)
        self.table = np.concatenate([self.table, self._compute(self.keys, self.width, new)], axis=1)
        self.width = new

    def __call__(self, h, n, k, m, groups) -> np.ndarray:
        out = np.empty(h.shape)
        whole = h == np.floor(h)
        if whole.any() and h[whole].max() >= self.width:
            self._widen(int(h[whole].max()))
        row = self.code[groups]
        other = whole & ~((k == 1) & (n == self.full) & (m == self.sizes[row]))
        if other.any():
            m_span = int(m.max()) + 1
            key = (k[other] * m_span + m[other]) * 1024 + n[other]  # n < 1024: 3 x hotspot_jaren
            unique, inverse = np.unique(key, return_inverse=True)
            found = [(int(u % 1024), int(u // 1024 // m_span), int(u // 1024 % m_span)) for u in unique]
            self._add([f for f in found if f not in self.rows])
            row[other] = np.array([self.rows[f] for f in found])[inverse.ravel()]
        out[whole] = self.table[row[whole], h[whole].astype(np.int64)]
        frac = ~whole
        out[frac] = smallest_signalling_count(h[frac], n[frac], self.fdr * k[frac] / m[frac], self.minimum)
        return out


def tail_probability(count: np.ndarray, mean: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """P(X >= count) for X with this mean: Poisson (dispersion 1) or gamma-Poisson (variance dispersion x mean).

    Gamma-Poisson with mean mu and variance d mu is negative binomial with r = mu / (d - 1), p = 1 / d:
    P(X >= x) = I_{1 - 1/d}(x, r).
    """
    x = np.asarray(count, dtype=float)
    mu = np.asarray(mean, dtype=float)
    d = np.asarray(dispersion, dtype=float)
    out = np.zeros(x.shape)
    poisson = (d <= 1.0) & (mu > 0)
    out[poisson] = special.pdtrc(x[poisson] - 1.0, mu[poisson])
    gp = (d > 1.0) & (mu > 0)
    out[gp] = special.betainc(x[gp], mu[gp] / (d[gp] - 1.0), 1.0 - 1.0 / d[gp])
    out[x <= 0] = 1.0
    return out


class TailTable:
    """P(X >= x) for x < ``size`` per series, from its mean and dispersion (a table lookup per cell-month
    instead of an incomplete beta; means above ``max_mean`` and larger x are computed directly)."""

    def __init__(self, mean: np.ndarray, dispersion: np.ndarray, size: int = 64, max_mean: float = 100.0):
        self.mean = np.asarray(mean, dtype=float)
        self.dispersion = np.asarray(dispersion, dtype=float)
        self.size = size
        keys, self.code = np.unique(np.stack([self.mean, self.dispersion]), axis=1, return_inverse=True)
        self.code = self.code.ravel()
        mu, d = keys[0], keys[1]
        self.usable = mu <= max_mean
        mu_t, d_t = np.minimum(mu, max_mean), d
        k = np.arange(1, size)[None, :]
        nb = d_t > 1.0
        r = np.where(nb, mu_t / np.where(nb, d_t - 1.0, 1.0), 0.0)[:, None]
        q = np.where(nb, 1.0 - 1.0 / d_t, 0.0)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(nb[:, None], (k - 1 + r) / k * q, mu_t[:, None] / k)
            start = np.where(nb, np.exp(r[:, 0] * np.log1p(-q[:, 0])), np.exp(-mu_t))
        pmf = np.concatenate([start[:, None], start[:, None] * np.cumprod(ratio, axis=1)], axis=1)
        beyond = tail_probability(np.full(mu.shape, float(size)), mu_t, d_t)
        self.table = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1] + beyond[:, None]
        self.table[:, 0] = 1.0

    def __call__(self, count: np.ndarray, series: np.ndarray) -> np.ndarray:
        count = np.asarray(count, dtype=float)
        code = self.code[series]
        out = np.empty(count.shape)
        fast = (count < self.size) & self.usable[code]
        out[fast] = self.table[code[fast], count[fast].astype(np.int64)]
        slow = ~fast
        out[slow] = tail_probability(count[slow], self.mean[series[slow]], self.dispersion[series[slow]])
        return out


@dataclass
class WindowResult:
    """Per series (rows) and window month (columns); NaN / 0 where a month was not tested."""

    signal: np.ndarray
    p: np.ndarray | None = None  # raw p-value (NaN: not tested)
    p_adjusted: np.ndarray | None = None  # Benjamini–Hochberg within the group and month
    history_sum: np.ndarray | None = None  # H
    history_months: np.ndarray | None = None  # n (months used)
    left_out: np.ndarray | None = None  # history months left out because they signalled
    expected_signals: np.ndarray | None = None  # per series, summed over the window (``rates`` given)


def run_window(
    by_month: np.ndarray,
    first: np.ndarray,
    groups: np.ndarray,
    *,
    months: int,
    years: int,
    fdr: float,
    minimum: float,
    leave_out_signalled: bool = True,
    detail: bool = True,
    rates: np.ndarray | None = None,
    dispersion: np.ndarray | None = None,
    per_year: int = MONTHS_PER_YEAR,
) -> WindowResult:
    """Run the hotspot test over a window, month by month (or 14-day window by window: ``per_year`` 26).

    ``by_month``: month numbers x series (NaN: not delivered); series s is tested in months ``first[s]`` …
    ``first[s] + months - 1``, its history reaches back to ``first[s] - 12 * years - 1`` (>= 0). ``groups``
    (non-negative integers): the Benjamini–Hochberg family of each series (its gemeente; in a simulation
    gemeente x replicate); all series of a group share their window. ``detail=False`` keeps only the
    signals, and decides them without computing adjusted p-values (the simulation).

    The history is summed from 3-month sums centred on the same month of earlier years; a signal adds its
    count to the months whose history holds it (``excluded``), which are subtracted from theirs.

    With ``rates`` (the true mean of each series, and its ``dispersion``; a simulation) it also sums, per
    series, the probability that the month signals given everything else simulated (its history and the
    other cells' p-values): P(X >= the smallest count that would signal). Its mean is the mean number of
    signals, with a far smaller Monte Carlo error than counting them (Rao–Blackwell).

    ``per_year``: periods in a year (12 months; 26 windows of 14 days): the history lies ``per_year`` k
    periods back. "Month" below means such a period.
    """
    by_month = np.asarray(by_month, dtype=float)
    first = np.asarray(first, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    n_months, n_series = by_month.shape
    shape = (n_series, months)
    signal = np.zeros(shape, dtype=bool)
    if detail:
        p_all = np.full(shape, np.nan)
        adj_all = np.full(shape, np.nan)
        h_all = np.zeros(shape)
        n_all = np.zeros(shape, dtype=np.int64)
        out_all = np.zeros(shape, dtype=np.int64)
    expected = np.zeros(n_series) if rates is not None else None
    if n_series == 0:
        return WindowResult(signal, *((p_all, adj_all, h_all, n_all, out_all) if detail else ()), expected)
    if first.min() - per_year * years - 1 < 0 or first.max() + months > n_months:
        raise ValueError("the window or its history lies outside the months given")
    present = ~np.isnan(by_month)
    filled = np.where(present, by_month, 0.0)
    # sum and number of delivered months of each month and its two neighbours
    sum3 = filled.copy()
    sum3[1:] += filled[:-1]
    sum3[:-1] += filled[1:]
    count3 = present.astype(np.int16)
    count3[1:] += present[:-1]
    count3[:-1] += present[1:]
    del filled, present
    excluded_sum = np.zeros(by_month.shape)
    excluded_n = np.zeros(by_month.shape, dtype=np.int16)
    back = per_year * np.arange(1, years + 1)  # the history: around the same month 1 .. years years back
    ahead = history_offsets(years, per_year) * -1  # a signal is history of these later months
    uniform = bool((first == first[0]).all())
    cols = np.arange(n_series)
    if rates is not None:
        tails = TailTable(rates, np.ones(n_series) if dispersion is None else dispersion)
        needed_counts = NeededCounts(groups, 3 * years, fdr, minimum)
    for j in range(months):
        if uniform:  # one window for all (a simulation): rows of the month-major arrays
            t = int(first[0]) + j
            x = by_month[t]
            h = sum3[t - back].sum(axis=0)
            n = count3[t - back].sum(axis=0, dtype=np.int64)
            ex_h, ex_n = excluded_sum[t], excluded_n[t]
        else:
            t = first + j
            x = by_month[t, cols]
            rows = t[None, :] - back[:, None]
            h = sum3[rows, cols].sum(axis=0)
            n = count3[rows, cols].sum(axis=0, dtype=np.int64)
            ex_h, ex_n = excluded_sum[t, cols], excluded_n[t, cols]
        if leave_out_signalled:
            h = h - ex_h
            n = n - ex_n
        tested = ~np.isnan(x) & (n >= MINIMUM_HISTORY)
        p = np.full(n_series, np.nan)
        p[tested] = p_value(x[tested], h[tested], n[tested])
        if detail:
            adjusted = benjamini_hochberg(p, groups)
            sig = tested & (adjusted <= fdr) & (x >= minimum)
        else:
            rejected, k, m = rejections(p, groups, fdr)
            sig = rejected & (x >= minimum)
        signal[:, j] = sig
        if sig.any():  # the signalled months leave the history of the months that would hold them
            s_cols = cols[sig]
            later = (np.full(s_cols.size, t) if uniform else t[sig])[None, :] + ahead[:, None]
            keep = later < n_months
            idx = (later[keep], np.broadcast_to(s_cols, later.shape)[keep])
            np.add.at(excluded_sum, idx, np.broadcast_to(x[sig], later.shape)[keep])
            np.add.at(excluded_n, idx, 1)
        if expected is not None:
            if detail:
                _, k, m = rejections(p, groups, fdr)
            cells = np.flatnonzero(tested)
            needed = needed_counts(h[cells], n[cells], k[cells], m[cells], groups[cells])
            expected[cells] += tails(needed, cells)
        if detail:
            p_all[:, j], adj_all[:, j], h_all[:, j], n_all[:, j] = p, adjusted, h, n
            if leave_out_signalled:
                out_all[:, j] = ex_n
    if not detail:
        return WindowResult(signal, expected_signals=expected)
    return WindowResult(signal, p_all, adj_all, h_all, n_all, out_all, expected)


def _settings(con: duckdb.DuckDBPyConnection) -> tuple[float, int, int, int]:
    fdr, minimum, years, months = con.execute(
        "SELECT hotspot_fdr, hotspot_minimum, hotspot_jaren, hotspot_maanden FROM marts.dim_instellingen"
    ).fetchone()
    return float(fdr), int(minimum), int(years), int(months)


# ------------------------------------------------------------------------------------------ fct_hotspots


def _test_input(
    a: dict[str, np.ndarray], *, periods: int, years: int, fdr: float, minimum: float, per_year: int
) -> dict[str, np.ndarray]:
    """Run the test on a prepared input (``reeks_id``, ``gemeente_id``, ``nr``: the period number, ``aantal``,
    ``eerste``: the series' first tested period); one output row per delivered period of the window."""
    series_id = np.asarray(a["reeks_id"], dtype=np.int64)
    period = np.asarray(a["nr"], dtype=np.int64)
    result = {
        "reeks_id": np.zeros(0, dtype=np.int64),
        "nr": np.zeros(0, dtype=np.int64),
        "verwacht": np.zeros(0),
        "eerder": np.zeros(0, dtype=np.int64),
        "uitgesloten": np.zeros(0, dtype=np.int64),
        "p_waarde": np.zeros(0),
        "p_aangepast": np.zeros(0),
        "signaal": np.zeros(0, dtype=bool),
    }
    if not series_id.size:
        return result
    n_series = int(series_id.max()) + 1
    first_of = np.zeros(n_series, dtype=np.int64)
    group = np.zeros(n_series, dtype=np.int64)
    first_of[series_id] = np.asarray(a["eerste"], dtype=np.int64)
    group[series_id] = np.asarray(a["gemeente_id"], dtype=np.int64)
    start = int(first_of.min()) - per_year * years - 1  # period number of row 0
    by_period = np.full(
        (max(int(period.max()), int(first_of.max()) + periods - 1) - start + 1, n_series), np.nan
    )
    by_period[period - start, series_id] = np.asarray(a["aantal"], dtype=float)
    res = run_window(
        by_period,
        first_of - start,
        group,
        months=periods,
        years=years,
        fdr=fdr,
        minimum=minimum,
        per_year=per_year,
    )
    # the output rows: every delivered period of the window
    j_all = period - first_of[series_id]
    in_window = (j_all >= 0) & (j_all < periods)
    s_idx, j_idx = series_id[in_window], j_all[in_window]
    n_used = res.history_months[s_idx, j_idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(n_used > 0, res.history_sum[s_idx, j_idx] / n_used, np.nan)
    return {
        "reeks_id": s_idx.astype(np.int64),
        "nr": first_of[s_idx] + j_idx,
        "verwacht": expected,
        "eerder": n_used,
        "uitgesloten": res.left_out[s_idx, j_idx],
        "p_waarde": res.p[s_idx, j_idx],
        "p_aangepast": res.p_adjusted[s_idx, j_idx],
        "signaal": res.signal[s_idx, j_idx],
    }


def _arrow(result: dict[str, np.ndarray]) -> pa.Table:
    return pa.table(
        {k: pa.array(v, from_pandas=True) if v.dtype.kind == "f" else pa.array(v) for k, v in result.items()}
    )


def build_hotspots(con: duckdb.DuckDBPyConnection) -> None:
    """Build step ``fct_hotspots``: the test on the window of every gemeente (see the module docstring)."""
    fdr, minimum, years, months = _settings(con)
    con.execute(f"CREATE OR REPLACE TEMP TABLE hotspot_invoer AS\n{INVOER_SQL.read_text(encoding='utf-8')}")
    try:
        a = con.execute(
            "SELECT reeks_id, gemeente_id, maandnr AS nr, aantal, eerste FROM hotspot_invoer"
        ).fetchnumpy()
        result = _test_input(
            a, periods=months, years=years, fdr=fdr, minimum=minimum, per_year=MONTHS_PER_YEAR
        )
        con.register("hotspot_uitkomst", _arrow(result))
        try:
            con.execute(
                """
                CREATE OR REPLACE TABLE marts.fct_hotspots AS
                SELECT
                    i.gebied_code,
                    'WK' || substr(i.gebied_code, 3, 6)                AS wijk_code,
                    r.bron,
                    r.variabele,
                    r.titel                                            AS reeks,
                    i.maandnr // 12                                    AS jaar,
                    i.maandnr % 12 + 1                                 AS maand,
                    make_date(i.maandnr // 12, i.maandnr % 12 + 1, 1)  AS periode,
                    i.aantal,
                    u.verwacht,
                    u.eerder                                           AS maanden_eerder,
                    u.uitgesloten                                      AS uitgesloten_maanden,
                    u.p_waarde,
                    u.p_aangepast,
                    u.signaal,
                    i.load_id
                FROM hotspot_uitkomst AS u
                JOIN hotspot_invoer AS i ON i.reeks_id = u.reeks_id AND i.maandnr = u.nr
                JOIN (SELECT *, row_number() OVER (ORDER BY bron, variabele) AS reeks_nr
                      FROM marts.dim_hotspot_reeks) AS r USING (reeks_nr)
                """
            )
        finally:
            con.unregister("hotspot_uitkomst")
    finally:
        con.execute("DROP TABLE IF EXISTS temp.main.hotspot_invoer")


def build_hotspots_14d(con: duckdb.DuckDBPyConnection) -> None:
    """Build step ``fct_hotspots_14d``: the same test on 14-day windows of the weekly police figures.

    Input: ``indicators/sql/hotspot_invoer_14d.sql`` (per buurt and watched police series, the two-week sums
    of the windows aligned on each gemeente's latest delivered week). Settings ``hotspot_fdr``,
    ``hotspot_minimum`` and ``hotspot_jaren`` as for the monthly signal; the last :data:`WINDOWS_14D` windows
    are tested. An empty table when no weekly figures were delivered.
    """
    fdr, minimum, years, _months = _settings(con)
    sql = INVOER_14D_SQL.read_text(encoding="utf-8")
    sql = sql.replace("{vensters}", str(WINDOWS_14D)).replace("{per_jaar}", str(WINDOWS_PER_YEAR))
    con.execute(f"CREATE OR REPLACE TEMP TABLE hotspot_invoer_14d AS\n{sql}")
    try:
        a = con.execute(
            "SELECT reeks_id, gemeente_id, vensternr AS nr, aantal, eerste FROM hotspot_invoer_14d"
        ).fetchnumpy()
        result = _test_input(
            a, periods=WINDOWS_14D, years=years, fdr=fdr, minimum=minimum, per_year=WINDOWS_PER_YEAR
        )
        con.register("hotspot_uitkomst_14d", _arrow(result))
        try:
            con.execute(
                """
                CREATE OR REPLACE TABLE marts.fct_hotspots_14d AS
                SELECT
                    i.gebied_code,
                    'WK' || substr(i.gebied_code, 3, 6)                AS wijk_code,
                    i.bron,
                    r.variabele,
                    r.titel                                            AS reeks,
                    i.periode_start,
                    i.periode_eind,
                    i.weken,
                    CAST(i.aantal AS DOUBLE)                           AS aantal,
                    u.verwacht,
                    u.eerder                                           AS vensters_eerder,
                    u.uitgesloten                                      AS uitgesloten_vensters,
                    u.p_waarde,
                    u.p_aangepast,
                    u.signaal,
                    i.load_id
                FROM hotspot_uitkomst_14d AS u
                JOIN hotspot_invoer_14d AS i ON i.reeks_id = u.reeks_id AND i.vensternr = u.nr
                JOIN (SELECT *, row_number() OVER (ORDER BY bron, variabele) AS reeks_nr
                      FROM marts.dim_hotspot_reeks) AS r USING (reeks_nr)
                ORDER BY i.gebied_code, r.variabele, i.periode_start
                """
            )
        finally:
            con.unregister("hotspot_uitkomst_14d")
    finally:
        con.execute("DROP TABLE IF EXISTS temp.main.hotspot_invoer_14d")


# ------------------------------------------------------------------------------------------ calibration


def replicates_for(n_series: int) -> int:
    """Replicates of the window for a gemeente with this many tested series."""
    wanted = math.ceil(SERIES_REPLICATES / max(n_series, 1))
    return int(min(MAX_REPLICATES, max(MIN_REPLICATES, wanted)))


@dataclass
class World:
    """One gemeente's no-change world: the true mean of each series, replicates, dispersion, random stream."""

    rates: np.ndarray
    replicates: int
    rng: np.random.Generator
    dispersion: float = 1.0  # variance / mean of a month's count; 1: Poisson, > 1: gamma-Poisson


def simulate_counts(world: World, n_months: int) -> np.ndarray:
    """Months x (replicates x series) counts: Poisson(rate), or gamma-Poisson with variance dispersion x rate.

    Gamma-Poisson: each month's mean is Gamma(shape rate / (d - 1), scale d - 1) (mean rate, variance
    rate (d - 1)), the count Poisson of it, so the count's variance is d x rate.
    """
    size = (n_months, world.replicates * world.rates.size)
    mean = np.broadcast_to(np.tile(world.rates, world.replicates)[None, :], size)
    if world.dispersion > 1.0:
        mean = world.rng.gamma(mean / (world.dispersion - 1.0), world.dispersion - 1.0)
    return world.rng.poisson(mean).astype(float)


@dataclass
class Simulated:
    """Per replicate of one world, summed over its series and the window's months."""

    signals: np.ndarray  # signals counted (every one a false alarm: nothing changed)
    expected: np.ndarray  # their conditional expectation (Rao–Blackwell; same mean, smaller error)


def simulate(
    worlds: list[World],
    *,
    months: int,
    years: int,
    fdr: float,
    minimum: float,
    leave_out_signalled: bool = True,
) -> list[Simulated]:
    """Run the procedure on simulated windows of each world, all worlds and replicates at once.

    Every replicate is its own Benjamini–Hochberg family per month (one gemeente in one simulated world)
    and starts with the 12 x years + 1 history months its first window month needs.
    """
    if not worlds:
        return []
    lead = 12 * years + 1
    counts = np.concatenate([simulate_counts(w, lead + months) for w in worlds], axis=1)
    groups = np.concatenate([np.full(w.replicates * w.rates.size, i) for i, w in enumerate(worlds)])
    replicate = np.concatenate([np.repeat(np.arange(w.replicates), w.rates.size) for w in worlds])
    res = run_window(
        counts,
        np.full(counts.shape[1], lead),
        groups * MAX_REPLICATES + replicate,
        months=months,
        years=years,
        fdr=fdr,
        minimum=minimum,
        leave_out_signalled=leave_out_signalled,
        detail=False,
        rates=np.concatenate([np.tile(w.rates, w.replicates) for w in worlds]),
        dispersion=np.concatenate([np.full(w.replicates * w.rates.size, w.dispersion) for w in worlds]),
    )
    signals = res.signal.sum(axis=1)
    sizes = np.cumsum([w.replicates * w.rates.size for w in worlds])[:-1]
    out = []
    for w, sig, exp in zip(
        worlds, np.split(signals, sizes), np.split(res.expected_signals, sizes), strict=True
    ):
        out.append(
            Simulated(
                sig.reshape(w.replicates, w.rates.size).sum(axis=1),
                exp.reshape(w.replicates, w.rates.size).sum(axis=1),
            )
        )
    return out


def _simulate_in_chunks(worlds: list[World], **settings) -> list[Simulated]:
    out: list[Simulated] = []
    chunk: list[World] = []
    size = 0
    for w in worlds:
        chunk.append(w)
        size += w.replicates * w.rates.size
        if size >= CHUNK:
            out += simulate(chunk, **settings)
            chunk, size = [], 0
    return out + simulate(chunk, **settings)


def per_month(values: np.ndarray, months: int) -> tuple[float, float]:
    """Mean per month over the replicates, and its Monte Carlo standard error."""
    v = np.asarray(values, dtype=float) / months
    se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.nan
    return float(v.mean()), se


def _gemeente_seed(gemeente: str) -> int:
    return int(gemeente) if gemeente.isdigit() else int.from_bytes(gemeente.encode()[:8], "little")


def build_calibration(con: duckdb.DuckDBPyConnection) -> None:
    """Build step ``fct_hotspot_kalibratie``: false alarms per month in simulated no-change worlds per gemeente.

    Per gemeente the series tested in its window (fct_hotspots rows with a p-value), each with its mean count
    over the window as its true monthly mean, no seasonality and no change; the whole procedure (history,
    exact test, Benjamini–Hochberg per month, minimum, leaving signalled months out) runs on every replicate
    window, and every signal in it is a false alarm. Twice: Poisson counts, and gamma-Poisson counts at the
    dispersion the gemeente's counts show around their expectation (``dispersie``: the sum of (x - H/n)^2
    over the sum of H/n (1 + 1/n), with H and n the sum and number of *all* history months, the left-out
    ones added back, over its months with n >= 3; about 1 for Poisson counts. Leaving signalled months out
    would bias it: the months whose history held no signal are the quieter ones. A real outbreak raises it a
    little, so the stated rate errs on the high side). Seeded per gemeente: the same data give the same table.
    """
    fdr, minimum, years, months = _settings(con)
    ahead = ", ".join(f"({-int(o)})" for o in history_offsets(years))
    a = con.execute(
        f"""
        WITH h AS (
            SELECT *, jaar * 12 + maand - 1 AS maandnr FROM marts.fct_hotspots
        ),
        -- what the left-out (signalled) months add back to the history of the months that left them out
        terug AS (
            SELECT h.gebied_code, h.bron, h.variabele, h.maandnr + o.d AS maandnr, sum(h.aantal) AS som
            FROM h CROSS JOIN (VALUES {ahead}) AS o(d)
            WHERE h.signaal
            GROUP BY ALL
        ),
        alle AS (
            SELECT h.gebied_code, h.bron, h.variabele, h.aantal, h.p_waarde,
                   h.maanden_eerder + h.uitgesloten_maanden AS n,
                   coalesce(h.verwacht * h.maanden_eerder, 0) + coalesce(t.som, 0) AS som
            FROM h
            LEFT JOIN terug AS t USING (gebied_code, bron, variabele, maandnr)
        )
        SELECT substr(gebied_code, 3, 4) AS gemeente,
               avg(aantal) AS gemiddelde,
               coalesce(sum((aantal - som / n) ** 2) FILTER (WHERE n >= {MINIMUM_HISTORY}), 0) AS kwadraten,
               coalesce(sum(som / n * (1 + 1 / n)) FILTER (WHERE n >= {MINIMUM_HISTORY}), 0) AS noemer
        FROM alle
        GROUP BY gemeente, bron, variabele, gebied_code
        HAVING count(p_waarde) > 0
        ORDER BY gemeente, bron, variabele, gebied_code
        """
    ).fetchnumpy()
    gemeente = np.asarray(a["gemeente"], dtype=object)
    rates = np.asarray(a["gemiddelde"], dtype=float)
    squares = np.asarray(a["kwadraten"], dtype=float)
    denominator = np.asarray(a["noemer"], dtype=float)
    bounds = (
        np.r_[0, np.flatnonzero(gemeente[1:] != gemeente[:-1]) + 1, gemeente.size] if gemeente.size else [0]
    )
    poisson_worlds, dispersed_worlds, dispersions = [], [], []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        seed = _gemeente_seed(str(gemeente[lo]))
        r = replicates_for(hi - lo)
        den = denominator[lo:hi].sum()
        d = float(squares[lo:hi].sum() / den) if den > 0 else math.nan
        dispersions.append(d)
        poisson_worlds.append(World(rates[lo:hi], r, np.random.default_rng([SEED, seed, 0])))
        if d >= DISPERSION_SIMULATED_FROM:
            dispersed_worlds.append(World(rates[lo:hi], r, np.random.default_rng([SEED, seed, 1]), d))
    settings = {"months": months, "years": years, "fdr": fdr, "minimum": minimum}
    poisson = iter(_simulate_in_chunks(poisson_worlds, **settings))
    dispersed = iter(_simulate_in_chunks(dispersed_worlds, **settings))
    columns = {
        "gemeente_code": pa.string(),
        "getoetste_reeksen": pa.int64(),
        "maanden": pa.int64(),
        "replicaties": pa.int64(),
        "vals_alarm_per_maand": pa.float64(),
        "vals_alarm_se": pa.float64(),
        "dispersie": pa.float64(),
        "vals_alarm_dispersie": pa.float64(),
        "vals_alarm_dispersie_se": pa.float64(),
    }
    rows: list[tuple] = []
    for lo, w, d in zip(bounds[:-1], poisson_worlds, dispersions, strict=True):
        mean, se = per_month(next(poisson).expected, months)
        d_mean, d_se = (
            per_month(next(dispersed).expected, months) if d >= DISPERSION_SIMULATED_FROM else (mean, se)
        )
        rows.append((f"GM{gemeente[lo]}", w.rates.size, months, w.replicates, mean, se, d, d_mean, d_se))
    table = pa.table(
        {
            name: pa.array([r[i] for r in rows], type=kind, from_pandas=True)
            for i, (name, kind) in enumerate(columns.items())
        }
    )
    con.register("hotspot_kalibratie", table)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE marts.fct_hotspot_kalibratie AS SELECT * FROM hotspot_kalibratie"
        )
    finally:
        con.unregister("hotspot_kalibratie")
