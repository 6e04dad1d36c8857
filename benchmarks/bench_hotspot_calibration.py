"""Calibration of the hotspot signal (issue 11, item 8): false alarms per month and detection, by simulation.

The procedure is the build's own (``indicators.hotspots.run_window``: history of the same month and its
neighbours in the previous ``--years`` years, exact conditional test, Benjamini–Hochberg per gemeente and month,
at least ``--minimum`` cases, signalled months left out of later histories). One gemeente of ``--series`` series
(default: the demo's 48 buurten x 4 watched series, with means spread as the demo's: median 0.72 a month,
10 % below 0.23, 10 % above 2.1; or the window means of a database's series with ``--db``), simulated for
``--replicates`` windows of ``--months`` months:

1. **False alarms per month** without change, for Poisson counts and for gamma-Poisson counts at several
   dispersions (variance / mean): signals counted, and the conditional expectation the build's calibration
   (``fct_hotspot_kalibratie``) uses instead (Rao–Blackwell: same mean, smaller error); for contrast, the rule
   before issue 11 (Poisson tail against the history mean floored at 0.1, p < 0.01, no correction for the number
   of tests, signalled months kept in the history).
2. **Detection**: one series per simulated gemeente gets an outbreak of three months (``--extra`` cases a month
   on top of its mean) and the same outbreak again a year later; the share of outbreak months signalled, first
   and repeat, with signalled months left out (now) and kept (the old way of building the expectation).

Run::

    .venv/bin/python benchmarks/bench_hotspot_calibration.py            # ~2 minutes on the 2-core machine
    .venv/bin/python benchmarks/bench_hotspot_calibration.py --quick    # ~15 s
    .venv/bin/python benchmarks/bench_hotspot_calibration.py --db demo.duckdb   # a database's own series

Output: benchmarks/README.md, section "bench_hotspot_calibration.py".
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import special, stats

from indicators.hotspots import (
    World,
    history_offsets,
    per_month,
    run_window,
    simulate,
    simulate_counts,
)


def demo_like_rates(n: int) -> np.ndarray:
    """Monthly means spread as the demo's series: lognormal, median 0.72, log SD 0.86."""
    return 0.72 * np.exp(0.86 * stats.norm.ppf((np.arange(n) + 0.5) / n))


def database_rates(path: str) -> np.ndarray:
    import duckdb

    with duckdb.connect(path, read_only=True) as con:
        return np.asarray(
            con.execute(
                "SELECT avg(aantal) FROM marts.fct_hotspots GROUP BY gebied_code, bron, variabele "
                "HAVING count(p_waarde) > 0 ORDER BY ALL"
            ).fetchnumpy()["avg(aantal)"],
            dtype=float,
        )


def old_rule_signals(counts: np.ndarray, lead: int, months: int, years: int) -> np.ndarray:
    """Signals per month of the rule before issue 11: P(X >= x), X ~ Poisson(max(H / n, 0.1)), p < 0.01 and
    x >= 3, every history month kept, no correction for the number of tests (months x series)."""
    offsets = history_offsets(years)
    out = np.zeros((months, counts.shape[1]), dtype=bool)
    for j in range(months):
        t = lead + j
        x = counts[t]
        mean = np.maximum(counts[t + offsets].mean(axis=0), 0.1)
        p = special.pdtrc(x - 1, mean)  # P(X > x - 1)
        out[j] = (p < 0.01) & (x >= 3)
    return out


def false_alarms(rates, dispersions, replicates, months, years, fdr, minimum, seed) -> list[dict]:
    rows = []
    lead = 12 * years + 1
    for i, d in enumerate(dispersions):
        world = World(rates, replicates, np.random.default_rng([seed, i]), d)
        t0 = time.perf_counter()
        sim = simulate([world], months=months, years=years, fdr=fdr, minimum=minimum)[0]
        seconds = time.perf_counter() - t0
        counted, counted_se = per_month(sim.signals, months)
        expected, expected_se = per_month(sim.expected, months)
        old_world = World(rates, replicates, np.random.default_rng([seed, i, 9]), d)
        old = old_rule_signals(simulate_counts(old_world, lead + months), lead, months, years)
        per_replicate = old.reshape(months, replicates, rates.size).sum(axis=(0, 2))
        old_mean, old_se = per_month(per_replicate, months)
        rows.append(
            {
                "dispersion": d,
                "counted": (counted, counted_se),
                "expected": (expected, expected_se),
                "old": (old_mean, old_se),
                "seconds": seconds,
            }
        )
    return rows


def detection(rates, base, extra, replicates, months, years, fdr, minimum, seed, dispersion=1.0) -> dict:
    """Share of outbreak months signalled: first outbreak (months 24-26 of the window) and the repeat a year
    later (36-38), with signalled months left out and kept."""
    lead = 12 * years + 1
    rates = rates.copy()
    rates[0] = base  # the outbreak series
    world = World(rates, replicates, np.random.default_rng([seed, 77]), dispersion)
    counts = simulate_counts(world, lead + months)
    rng = np.random.default_rng([seed, 78])
    first, repeat = [24, 25, 26], [36, 37, 38]
    target = np.arange(replicates) * rates.size  # series 0 of every replicate
    for j in first + repeat:
        counts[lead + j, target] += rng.poisson(extra, replicates)
    groups = np.repeat(np.arange(replicates), rates.size)
    out = {}
    for label, leave_out in (("left out", True), ("kept", False)):
        res = run_window(
            counts,
            np.full(counts.shape[1], lead),
            groups,
            months=months,
            years=years,
            fdr=fdr,
            minimum=minimum,
            leave_out_signalled=leave_out,
            detail=False,
        )
        sig = res.signal[target]
        out[label] = (sig[:, first].mean(), sig[:, repeat].mean())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=192)
    parser.add_argument("--db", help="take the series means from this database's fct_hotspots")
    parser.add_argument("--replicates", type=int, default=400)
    parser.add_argument("--months", type=int, default=48)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--fdr", type=float, default=0.05)
    parser.add_argument("--minimum", type=float, default=3)
    parser.add_argument("--dispersions", default="1,1.5,2,3,4")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quick", action="store_true", help="50 replicates")
    args = parser.parse_args(argv)
    replicates = 50 if args.quick else args.replicates
    rates = database_rates(args.db) if args.db else demo_like_rates(args.series)
    dispersions = [float(d) for d in args.dispersions.split(",")]
    settings = {"months": args.months, "years": args.years, "fdr": args.fdr, "minimum": args.minimum}

    print(
        f"one gemeente: {rates.size} series (means: median {np.median(rates):.2f}, "
        f"10-90% {np.quantile(rates, 0.1):.2f}-{np.quantile(rates, 0.9):.2f} a month), {replicates} windows of "
        f"{args.months} months, history {args.years} years, fdr {args.fdr}, minimum {args.minimum:g}"
    )
    print("\nfalse alarms per month without change (mean ± Monte Carlo SE)")
    print(f"{'dispersion':>10}  {'counted':>17}  {'expected (build)':>17}  {'old rule':>17}  {'seconds':>7}")
    for r in false_alarms(rates, dispersions, replicates, seed=args.seed, **settings):
        cells = [f"{m:8.4f} ± {se:6.4f}" for m, se in (r["counted"], r["expected"], r["old"])]
        print(f"{r['dispersion']:>10g}  " + "  ".join(f"{c:>17}" for c in cells) + f"  {r['seconds']:7.1f}")

    print("\ndetection of an outbreak of three months and of the same outbreak a year later")
    print(
        f"{'series mean':>11}  {'extra':>5}  {'dispersion':>10}  {'first':>6}  {'repeat':>6}  {'repeat, kept':>12}"
    )
    for base, extra in ((0.3, 6.0), (0.3, 3.0), (1.0, 4.0), (2.0, 6.0)):
        for d in (1.0, 2.0):
            det = detection(rates, base, extra, replicates, seed=args.seed, dispersion=d, **settings)
            first, repeat = det["left out"]
            _, repeat_kept = det["kept"]
            print(f"{base:>11g}  {extra:>5g}  {d:>10g}  {first:6.2f}  {repeat:6.2f}  {repeat_kept:12.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
