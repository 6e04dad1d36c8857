"""Disclosure control: the secondary suppression algorithm on hand-made hierarchies, and an attack on every export
of the demo database that must recover no suppressed count (and does recover them from a naive export).

The attacker has the three CSV exports (indicators, composites, targets; every level), the catalogue, the
settings, the area codes, every denominator (population files are public) and, to be safe, the basket of every
composite. The attacks:

(a) hierarchy differencing: total minus the published parts (counts, or rate x noemer / factor), chained;
(b) the same through the catalogue (police 0.0.0 = overige + woninginbraak + geweld + vernieling);
(ab) all relations at once: linear algebra (a hidden count that a combination of relations gives) and bounds
     (interval propagation with what the export says about a hidden count);
(c) interval inversion: the exact Poisson interval of a value with a known denominator gives the count;
(d) score inversion: score with the value or the baseline, basiswaarde, and the score interval (its standard
    error, with the overdispersion estimated from fully published rows) give the other count;
(e) composites: a composite with one indicator is that indicator's score; with one unknown score in its basket,
    the weighted mean gives it; then (d).
Every channel gives a set of possible counts per hidden cell; a cell is recovered when a set (or the
intersection of all of them) holds exactly one value and that is the true count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pytest
from dashboard_support import demo_db
from scipy import linalg, stats

from indicators import disclosure as d
from indicators.export import (
    HIDDEN_WHEN_BASELINE_SUPPRESSED,
    HIDDEN_WHEN_SUPPRESSED,
    guard_formulas,
    write_csv,
)
from wijkmonitor.cli import main as cli

P, S = d.PRIMARY, d.SECONDARY


def cells(rows: list[tuple]) -> pd.DataFrame:
    """A tiny cell table: (gebied_code, indicator, jaar, teller, primary)."""
    df = pd.DataFrame(rows, columns=["gebied_code", "indicator", "jaar", "teller", "onderdrukt"])
    df.insert(1, "niveau", df["gebied_code"].map(lambda code: LEVELS[code[:2]]))
    return df


LEVELS = {"BU": "buurt", "WK": "wijk", "GM": "gemeente"}


def flags(df: pd.DataFrame, components: pd.DataFrame | None = None) -> dict[str, str | None]:
    out = d.suppression(df, components)
    return {
        f"{g}/{i}": (None if pd.isna(r) else r)
        for g, i, r in zip(out["gebied_code"], out["indicator"], out["reden"], strict=True)
    }


# --- the rule on hand-made hierarchies -----------------------------------------------------------------------


def test_parent_codes():
    assert d.parent_code("BU09980102", "buurt", "wijk") == "WK099801"
    assert d.parent_code("BU09980102", "buurt", "gemeente") == "GM0998"
    assert d.parent_code("WK099801", "wijk", "gemeente") == "GM0998"
    assert d.parent_code("WK099801", "wijk", "wijk") is None


def test_one_hidden_buurt_takes_the_smallest_non_zero_sibling():
    # WK = 2 + 7 + 0 + 9: the 2 is primary; the 0 is never chosen (it would protect nothing), so the 7 goes
    df = cells(
        [
            ("WK000101", "x", 2020, 18, False),
            ("BU00010101", "x", 2020, 2, True),
            ("BU00010102", "x", 2020, 7, False),
            ("BU00010103", "x", 2020, 0, False),
            ("BU00010104", "x", 2020, 9, False),
        ]
    )
    assert flags(df) == {
        "WK000101/x": None,
        "BU00010101/x": "primair",
        "BU00010102/x": "secundair",
        "BU00010103/x": None,
        "BU00010104/x": None,
    }


def test_without_a_non_zero_sibling_the_total_goes_and_that_cascades_up():
    # WK01 = 3 + 0: only the total is left, so WK01 is hidden; then GM = WK01 + WK02 + WK03 has one hidden
    # member, and the smallest non-zero other wijk (WK03 = 6, not WK02 = 11) goes too; WK03 = 6 + 0 then has
    # one hidden member (the total), and its only non-zero buurt follows.
    df = cells(
        [
            ("GM0001", "x", 2020, 20, False),
            ("WK000101", "x", 2020, 3, False),
            ("WK000102", "x", 2020, 11, False),
            ("WK000103", "x", 2020, 6, False),
            ("BU00010101", "x", 2020, 3, True),
            ("BU00010102", "x", 2020, 0, False),
            ("BU00010301", "x", 2020, 6, False),
            ("BU00010302", "x", 2020, 0, False),
        ]
    )
    # the primary flag is the engine's: WK000101 (3) is primary as well
    df.loc[df["gebied_code"] == "WK000101", "onderdrukt"] = True
    assert flags(df) == {
        "GM0001/x": None,
        "WK000101/x": "primair",
        "WK000102/x": None,
        "WK000103/x": "secundair",
        "BU00010101/x": "primair",
        "BU00010102/x": None,
        "BU00010301/x": "secundair",
        "BU00010302/x": None,
    }


def test_a_total_that_is_not_the_sum_of_its_parts_is_no_relation():
    df = cells(
        [
            ("WK000101", "x", 2020, 25, False),  # a delivered total: 2 + 7 + 9 = 18
            ("BU00010101", "x", 2020, 2, True),
            ("BU00010102", "x", 2020, 7, False),
            ("BU00010103", "x", 2020, 9, False),
        ]
    )
    assert flags(df)["BU00010102/x"] is None


def test_relations_are_per_indicator_and_year():
    df = cells(
        [
            ("WK000101", "x", 2020, 9, False),
            ("BU00010101", "x", 2020, 2, True),
            ("BU00010102", "x", 2020, 7, False),
            ("WK000101", "x", 2021, 14, False),
            ("BU00010101", "x", 2021, 6, False),
            ("BU00010102", "x", 2021, 8, False),
            ("WK000101", "y", 2020, 9, False),
            ("BU00010101", "y", 2020, 1, False),
            ("BU00010102", "y", 2020, 8, False),
        ]
    )
    out = d.suppression(df).set_index(["gebied_code", "indicator", "jaar"])["reden"]
    assert out[("BU00010102", "x", 2020)] == "secundair"
    assert out.drop([("BU00010101", "x", 2020), ("BU00010102", "x", 2020)]).isna().all()


def components(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "rol", "bron", "variabele", "teken"])


CRIME = components(
    [
        ("totaal", "teller", "politie", "0.0.0", 1),
        ("totaal", "noemer", "bevolking", "inwoners", 1),
        ("overig", "teller", "politie", "0.0.0", 1),
        ("overig", "teller", "politie", "1.1.1", -1),
        ("overig", "teller", "politie", "1.4.1", -1),
        ("overig", "teller", "politie", "1.4.2", -1),
        ("inbraak", "teller", "politie", "1.1.1", 1),
        ("geweld", "teller", "politie", "1.4.1", 1),
        ("geweld", "teller", "politie", "1.4.2", 1),
        ("fiets", "teller", "politie", "1.2.3", 1),  # not part of the sum
        ("huur", "teller", "corporatie", "achterstand", 1),
    ]
)


def test_catalogue_relations_are_derived_from_the_numerators():
    assert d.catalogue_relations(CRIME) == [("totaal", ("geweld", "inbraak", "overig"))]
    same = components([("a", "teller", "x", "v", 1), ("b", "teller", "x", "v", 1)])
    assert d.catalogue_relations(same) == [("a", ("b",))]  # a = b: one relation, found once


def test_the_crime_sum_protects_a_small_burglary_count():
    # in one buurt: totaal 40 = overig 30 + inbraak 3 + geweld 7; the 3 is primary, geweld (7) is the smallest
    # other part. No hierarchy here (one area).
    df = cells(
        [
            ("BU00010101", "totaal", 2020, 40, False),
            ("BU00010101", "overig", 2020, 30, False),
            ("BU00010101", "inbraak", 2020, 3, True),
            ("BU00010101", "geweld", 2020, 7, False),
            ("BU00010101", "fiets", 2020, 5, False),
        ]
    )
    assert flags(df, CRIME) == {
        "BU00010101/totaal": None,
        "BU00010101/overig": None,
        "BU00010101/inbraak": "primair",
        "BU00010101/geweld": "secundair",
        "BU00010101/fiets": None,
    }


def test_the_fixpoint_runs_through_both_kinds_of_relation():
    # b1's inbraak (3) is primary. In the wijk's inbraak sum it is alone: b2's inbraak (6) goes; in b1's crime
    # sum it is alone: b1's geweld (8, not overig 20) goes; then b2's crime sum has one hidden member (its
    # inbraak): b2's geweld (5) goes. Now every relation has two hidden members, and the four unknowns form an
    # even cycle (inbraak 9, geweld 13, b1 11, b2 11): nothing follows.
    rows = []
    for code, tot, ov, ib, gw in [
        ("WK000101", 60, 38, 9, 13),
        ("BU00010101", 31, 20, 3, 8),
        ("BU00010102", 29, 18, 6, 5),
    ]:
        rows += [
            (code, "totaal", 2020, tot, False),
            (code, "overig", 2020, ov, False),
            (code, "inbraak", 2020, ib, ib < 5),
            (code, "geweld", 2020, gw, False),
        ]
    got = {k: v for k, v in flags(cells(rows), CRIME).items() if v}
    assert got == {
        "BU00010101/inbraak": "primair",
        "BU00010102/inbraak": "secundair",
        "BU00010102/geweld": "secundair",
        "BU00010101/geweld": "secundair",
    }


# --- the audit -----------------------------------------------------------------------------------------------


def test_audit_linear_algebra_catches_what_the_rule_misses():
    # abstract cells 0..5: c0 = c1 + c2, c3 = c1 + c4, c5 = c2 + c4; c1, c2, c4 primary. Every relation has
    # two hidden members, so the rule is silent, but c1 = (c0 + c3 - c5) / 2: all three are recoverable.
    counts = [5, 2, 3, 6, 4, 7]
    primary = [False, True, True, False, True, False]
    relations = [(0, (1, 2)), (3, (1, 4)), (5, (2, 4))]
    assert d.recoverable(counts, np.where(primary, P, 0), relations) == {1, 2, 4}
    # the audit hides the cheapest total next to c1 (c0 = 5, before c3 = 6); c2 shares c0's relation and
    # waits; c4 then takes c3 (6, before c5 = 7). Left: c2 + c4 = 7, which pins neither.
    state = d.protect(counts, primary, relations)
    assert list(state) == [S, P, P, S, P, 0]
    assert d.recoverable(counts, state, relations) == set()


def test_audit_bounds_catch_a_total_made_of_ones():
    # WK (5, published) = five buurten of 1: each hidden count is at least 1, so each must be 1. The rule is
    # silent (five hidden members); the audit hides WK; then GM = WK + WK2 has one hidden member: WK2 goes.
    counts = [17, 5, 12, 1, 1, 1, 1, 1]
    primary = [False, False, False, True, True, True, True, True]
    relations = [(1, (3, 4, 5, 6, 7)), (0, (1, 2))]
    assert d.recoverable(counts, np.where(primary, P, 0), relations) == {3, 4, 5, 6, 7}
    assert list(d.protect(counts, primary, relations)) == [0, S, S, P, P, P, P, P]


def test_audit_uses_bounds_known_from_elsewhere():
    # WK 36 = b1 1 (primary) + b2 10 + b3 25: the rule hides b2 and b1 + b2 = 11 pins neither ... unless the
    # attacker knows b2 >= 10 (e.g. from a composite it is in); then b1 = 1, and the audit hides b3 too.
    counts, primary, relations = [36, 1, 10, 25], [False, True, False, False], [(0, (1, 2, 3))]
    assert list(d.protect(counts, primary, relations)) == [0, P, S, 0]
    lower = [np.nan, np.nan, 10, np.nan]
    assert list(d.protect(counts, primary, relations, known_lower=lower)) == [0, P, S, S]


def test_determined_columns():
    a = np.array([[1.0, 1, 0], [1, 0, 1], [0, 1, 1]])  # odd cycle: every column determined
    assert d._determined_columns(a) == [0, 1, 2]
    b = np.array([[1.0, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]])  # even cycle: none
    assert d._determined_columns(b) == []
    c = np.array([[1.0, 1, 0], [0, 1, 0]])  # x1 alone, hence x0
    assert d._determined_columns(c) == [0, 1]


def test_formula_cells_get_an_apostrophe(tmp_path):
    df = pd.DataFrame(
        {
            "gebied_code": ["WK1", "WK2", "WK3", "WK4", "WK5"],
            "opmerking": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "gewoon"],
            "waarde": [-1.5, 2.0, np.nan, 3.0, 4.0],
        }
    )
    df["opmerking"] = df["opmerking"].astype("string")
    guarded = guard_formulas(df)
    assert list(guarded["opmerking"]) == ['\'=HYPERLINK("http://x")', "'+1", "'-2+3", "'@SUM(A1)", "gewoon"]
    out = write_csv(df, tmp_path / "x.csv")
    assert ";-1,5" in out.read_text(encoding="utf-8-sig")  # numbers stay numbers
    back = read_csv(out)
    assert list(back["opmerking"]) == list(guarded["opmerking"])


# --- the attack on the demo database ------------------------------------------------------------------------

Cell = tuple[str, str, int]  # gebied_code, indicator, jaar
REL_TOL = 2e-5  # the CSVs carry six significant digits


@dataclass
class Knowledge:
    """What the attacker knows besides the exports (and the truth, to score the attack)."""

    noemer: dict[Cell, float]
    truth: dict[Cell, float]
    factor: dict[str, float]
    teken: dict[str, int]
    gewicht: dict[str, float]
    soort: dict[str, str]
    poisson: set[str]
    components: pd.DataFrame
    baskets: pd.DataFrame
    basisjaar: int
    drempel: int
    z: float
    known_lower: dict[Cell, float]
    known_upper: dict[Cell, float]
    xmax: int


@dataclass
class Release:
    """One set of exports as an attacker reads them."""

    indicators: pd.DataFrame
    composites: pd.DataFrame
    targets: pd.DataFrame
    hidden_domain: tuple[float, float]  # what the export says about a hidden count
    hidden: set[Cell] = field(default_factory=set)


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")


def knowledge(con: duckdb.DuckDBPyConnection) -> Knowledge:
    ind = con.execute("SELECT * FROM marts.dim_indicator").df()
    s = con.execute("SELECT * FROM marts.dim_instellingen").df().iloc[0]
    rows = con.execute(
        "SELECT gebied_code, indicator, jaar, teller, noemer FROM marts.fct_indicator_scores s "
        "JOIN marts.dim_indicator USING (indicator) WHERE onzekerheid = 'poisson'"
    ).df()
    key = list(zip(rows["gebied_code"], rows["indicator"], rows["jaar"].astype(int), strict=True))
    truth = dict(zip(key, rows["teller"], strict=True))
    minimum = float(s["minimum_basisgebeurtenissen"])
    weighted = set(ind.loc[ind["gewicht"] > 0, "indicator"])
    lower, upper = {}, {}
    for (g, i, j), x in truth.items():
        if j == int(s["basisjaar"]) and i in weighted and not pd.isna(x):
            (lower if x >= minimum else upper)[(g, i, j)] = minimum if x >= minimum else minimum - 1
    return Knowledge(
        noemer=dict(zip(key, rows["noemer"], strict=True)),
        truth=truth,
        factor=dict(zip(ind["indicator"], ind["factor"].astype(float), strict=True)),
        teken={
            i: 1 if p == "hoger_is_beter" else -1
            for i, p in zip(ind["indicator"], ind["polariteit"], strict=True)
        },
        gewicht=dict(zip(ind["indicator"], ind["gewicht"].astype(float), strict=True)),
        soort=dict(zip(ind["indicator"], ind["soort"], strict=True)),
        poisson=set(ind.loc[ind["onzekerheid"] == "poisson", "indicator"]),
        components=con.execute("SELECT * FROM marts.dim_indicator_component").df(),
        baskets=con.execute(
            "SELECT gebied_code, groep, groep_type, jaar, indicatoren FROM marts.fct_composites"
        ).df(),
        basisjaar=int(s["basisjaar"]),
        drempel=int(s["drempel"]),
        z=float(s["z"]),
        known_lower=lower,
        known_upper=upper,
        xmax=int(np.nanmax(rows["teller"])) * 2 + 10,
    )


def naive_release(con: duckdb.DuckDBPyConnection) -> Release:
    """The marts with the primary rows' count, value and score blanked: suppression without disclosure control."""
    ind = con.execute("SELECT * FROM marts.fct_indicator_scores").df()
    ind.loc[ind["onderdrukt"].fillna(False), ["teller", "waarde", "score"]] = np.nan
    comp = con.execute("SELECT *, groep AS thema FROM marts.fct_composites").df()
    targets = con.execute("SELECT * FROM marts.fct_doelen WHERE groep = 'samengesteld'").df()
    return Release(
        ind,
        comp,
        targets,
        hidden_domain=(
            1,
            float(con.execute("SELECT drempel - 1 FROM marts.dim_instellingen").fetchall()[0][0]),
        ),
    )


# The attacker's own reading of the catalogue (independent of indicators/disclosure.py): an indicator with
# subtracted codes, the indicator that counts its positive part, and indicators that count its subtracted codes.
def attacker_catalogue(components: pd.DataFrame) -> list[tuple[str, list[str]]]:
    tel = components[components["rol"] == "teller"]
    vec = {
        i: {(b, v): int(t) for b, v, t in zip(g["bron"], g["variabele"], g["teken"], strict=True)}
        for i, g in tel.groupby("indicator")
    }
    out = []
    for i, v in vec.items():
        neg = {k for k, t in v.items() if t < 0}
        if not neg:
            continue
        pos = {k for k, t in v.items() if t > 0}
        total = [j for j, w in vec.items() if set(w) == pos and all(t > 0 for t in w.values())]
        parts = [j for j, w in vec.items() if j != i and set(w) <= neg and all(t > 0 for t in w.values())]
        if total and set().union(*(vec[j] for j in parts)) == neg:
            out.append((total[0], [i, *parts]))
    return out


def relations(rel: Release, know: Knowledge) -> dict[str, list[tuple[Cell, list[Cell]]]]:
    ind = rel.indicators
    ind = ind[ind["indicator"].isin(know.poisson)]
    present = set(zip(ind["gebied_code"], ind["indicator"], ind["jaar"].astype(int), strict=True))
    by = defaultdict(list)
    for g, i, j in present:
        if g.startswith("BU"):
            by[("WK" + g[2:8], i, j)].append((g, i, j))
        elif g.startswith("WK"):
            by[("GM" + g[2:6], i, j)].append((g, i, j))
    hier = [(t, sorted(p)) for t, p in by.items() if t in present]
    # gemeente = its buurten where it has no wijk rows
    wijk_parents = {t for t in by if t[0].startswith("GM")}
    direct = defaultdict(list)
    for g, i, j in present:
        if g.startswith("BU") and ("GM" + g[2:6], i, j) not in wijk_parents:
            direct[("GM" + g[2:6], i, j)].append((g, i, j))
    hier += [(t, sorted(p)) for t, p in direct.items() if t in present]
    cat = []
    areas = {(g, j) for g, _, j in present}
    for total, parts in attacker_catalogue(know.components):
        for g, j in areas:
            members = [(g, total, j)] + [(g, p, j) for p in parts]
            if all(m in present for m in members):
                cat.append((members[0], members[1:]))
    return {"a": hier, "b": cat}


def published_counts(rel: Release, know: Knowledge) -> dict[Cell, float]:
    ind = rel.indicators[rel.indicators["indicator"].isin(know.poisson)]
    out = {}
    for g, i, j, t, w in zip(
        ind["gebied_code"],
        ind["indicator"],
        ind["jaar"].astype(int),
        ind["teller"],
        ind["waarde"],
        strict=True,
    ):
        if not pd.isna(t):
            out[(g, i, j)] = float(t)
        elif not pd.isna(w) and (n := know.noemer.get((g, i, j))) and not pd.isna(n):
            x = w * n / know.factor[i]  # rate x noemer
            if abs(x - round(x)) < 1e-3 * max(1, x):
                out[(g, i, j)] = float(round(x))
    return out


def attack(rel: Release, know: Knowledge) -> dict[str, dict[Cell, set[int]]]:
    """Per attack, the possible counts of every hidden cell it says something about."""
    ind = rel.indicators[rel.indicators["indicator"].isin(know.poisson)].copy()
    ind["jaar"] = ind["jaar"].astype(int)
    known = published_counts(rel, know)
    rel.hidden = {
        c
        for c in zip(ind["gebied_code"], ind["indicator"], ind["jaar"], strict=True)
        if c not in known and not pd.isna(know.truth.get(c))
    }
    rels = relations(rel, know)
    found: dict[str, dict[Cell, set[int]]] = defaultdict(dict)
    xs = np.arange(know.xmax + 1, dtype="float64")

    # (a), (b): differencing, chained through both kinds of relation
    values = dict(known)
    progress = True
    while progress:
        progress = False
        for kind in ("a", "b"):
            for total, parts in rels[kind]:
                unknown = [m for m in [total, *parts] if m not in values]
                if len(unknown) != 1:
                    continue
                u = unknown[0]
                v = (
                    sum(values[p] for p in parts)
                    if u == total
                    else values[total] - sum(values[p] for p in parts if p != u)
                )
                values[u] = v
                progress = True
                if u in rel.hidden and abs(v - round(v)) < 1e-6:
                    found[kind][u] = {round(v)}

    # (ab) every relation at once: linear algebra and bounds
    all_rels = rels["a"] + rels["b"]
    found["ab"] = system_attack(all_rels, known, rel.hidden, rel.hidden_domain, know)

    # (c) interval inversion
    alpha = 2 * (1 - stats.norm.cdf(know.z))
    lo_x = np.where(xs > 0, stats.chi2.ppf(alpha / 2, 2 * xs) / 2, 0.0)
    hi_x = stats.chi2.ppf(1 - alpha / 2, 2 * xs + 2) / 2
    for g, i, j, cl, ch in zip(
        ind["gebied_code"], ind["indicator"], ind["jaar"], ind["ci_laag"], ind["ci_hoog"], strict=True
    ):
        c = (g, i, j)
        if c not in rel.hidden or (pd.isna(cl) and pd.isna(ch)):
            continue
        scale = know.factor[i] / know.noemer[c]
        ok = np.ones_like(xs, dtype=bool)
        if not pd.isna(cl):
            ok &= np.isclose(lo_x * scale, cl, rtol=REL_TOL, atol=1e-9)
        if not pd.isna(ch):
            ok &= np.isclose(hi_x * scale, ch, rtol=REL_TOL, atol=1e-9)
        found["c"][c] = set(xs[ok].astype(int))

    # (d) score inversion, and (e) the same from scores that composites give away
    scores = {}
    for g, i, j, sc in zip(ind["gebied_code"], ind["indicator"], ind["jaar"], ind["score"], strict=True):
        if not pd.isna(sc):
            scores[(g, i, j)] = math.log(sc / 100)
    score_attack(found["d"], scores, ind, values, rel, know, xs)
    found["d"].update(baseline_value_attack(ind, rel, know))
    interval_score_attack(found["d"], ind, values, rel, know, xs)
    score_attack(found["e"], composite_scores(rel, know, scores), ind, values, rel, know, xs)
    return found


def count_candidates(l_score, cell, other, other_count, row_is_target, know, xs) -> set[int]:
    """Counts x for the hidden side of L = teken (ln((x+.5)/N) - ln((b+.5)/Nb)) (the engine's log score), or of
    the plain ratio (an older score): both are tried."""
    i = cell[1]
    n_row, n_base = (
        (know.noemer[cell], know.noemer[other]) if row_is_target else (know.noemer[other], know.noemer[cell])
    )
    if pd.isna(n_row) or pd.isna(n_base):
        return set()
    t = know.teken[i]
    if row_is_target:
        target_log = math.log((other_count + 0.5) / n_base) + t * l_score
        model = np.log((xs + 0.5) / n_row)
        plain = np.log(np.maximum(xs, 1e-300) / n_row)
        plain_target = math.log(max(other_count, 1e-300) / n_base) + t * l_score
    else:
        target_log = math.log((other_count + 0.5) / n_row) - t * l_score
        model = np.log((xs + 0.5) / n_base)
        plain = np.log(np.maximum(xs, 1e-300) / n_base)
        plain_target = math.log(max(other_count, 1e-300) / n_row) - t * l_score
    ok = np.isclose(model, target_log, rtol=0, atol=REL_TOL * 5) | np.isclose(
        plain, plain_target, rtol=0, atol=REL_TOL * 5
    )
    return set(xs[ok].astype(int))


def score_attack(out, scores, ind, values, rel, know, xs):
    for (g, i, j), l_score in scores.items():
        if j == know.basisjaar:
            continue
        row, base = (g, i, j), (g, i, know.basisjaar)
        if row in rel.hidden and base in values and base not in rel.hidden:
            cands = count_candidates(l_score, row, base, values[base], True, know, xs)
            _merge(out, row, cands)
        if base in rel.hidden and row in values and row not in rel.hidden:
            cands = count_candidates(l_score, base, row, values[row], False, know, xs)
            _merge(out, base, cands)


def _merge(out, cell, cands):
    if cands:
        out[cell] = out[cell] & cands if cell in out else cands


def baseline_value_attack(ind, rel, know) -> dict[Cell, set[int]]:
    out = {}
    for g, i, bw in zip(ind["gebied_code"], ind["indicator"], ind["basiswaarde"], strict=True):
        base = (g, i, know.basisjaar)
        if base in rel.hidden and not pd.isna(bw) and not pd.isna(know.noemer.get(base)):
            x = bw * know.noemer[base] / know.factor[i]
            if abs(x - round(x)) < 1e-3 * max(1.0, x):
                out[base] = {round(x)}
    return out


def interval_score_attack(out, ind, values, rel, know, xs):
    """se of the log score from its interval (or z); se^2 = 1/(x+.5) + 1/(b+.5) + 2 sigma^2, sigma^2 estimated
    per gemeente, level and indicator from the rows where both counts are published."""
    if "score_hoog" not in ind:
        return
    rows = []
    for g, i, j, sc, sh, sl, z in zip(
        ind["gebied_code"],
        ind["indicator"],
        ind["jaar"],
        ind["score"],
        ind["score_hoog"],
        ind["score_laag"],
        ind.get("z", pd.Series(np.nan, index=ind.index)),
        strict=True,
    ):
        if j == know.basisjaar or pd.isna(sc):
            continue
        if not pd.isna(sh):
            se = math.log(sh / sc) / know.z
        elif not pd.isna(sl):
            se = math.log(sc / sl) / know.z
        elif not pd.isna(z) and z != 0:
            se = abs(math.log(sc / 100) / z)
        else:
            continue
        rows.append(((g, i, j), (g, i, know.basisjaar), se))
    sigma = defaultdict(list)
    for row, base, se in rows:
        if row in values and base in values and row not in rel.hidden and base not in rel.hidden:
            s2 = (se * se - 1 / (values[row] + 0.5) - 1 / (values[base] + 0.5)) / 2
            sigma[(row[0][:6], row[0][:2], row[1])].append(s2)
    sigma2 = {k: max(0.0, float(np.median(v))) for k, v in sigma.items()}
    for row, base, se in rows:
        s2 = sigma2.get((row[0][:6], row[0][:2], row[1]), 0.0)
        for target, other in ((row, base), (base, row)):
            if target in rel.hidden and other in values and other not in rel.hidden:
                model = np.sqrt(1 / (xs + 0.5) + 1 / (values[other] + 0.5) + 2 * s2)
                _merge(out, target, set(xs[np.isclose(model, se, rtol=2e-4, atol=0)].astype(int)))


def composite_scores(rel: Release, know: Knowledge, scores: dict[Cell, float]) -> dict[Cell, float]:
    """Indicator log scores that composites give away: one indicator, or one unknown in a weighted log mean."""
    comp = rel.composites
    published = {
        (g, t, int(j)): math.log(s / 100)
        for g, t, j, s in zip(comp["gebied_code"], comp["thema"], comp["jaar"], comp["score"], strict=True)
        if not pd.isna(s)
    }
    out = {}
    for g, groep, gtype, j, basket in zip(
        know.baskets["gebied_code"],
        know.baskets["groep"],
        know.baskets["groep_type"],
        know.baskets["jaar"],
        know.baskets["indicatoren"],
        strict=True,
    ):
        lc = published.get((g, groep, int(j)))
        if lc is None or basket is None or len(basket) == 0:
            continue
        basket = list(basket)
        if gtype == "samengesteld":
            kinds = {know.soort[i] for i in basket}
            sums = {k: sum(know.gewicht[i] for i in basket if know.soort[i] == k) for k in kinds}
            coef = {i: know.gewicht[i] / sums[know.soort[i]] / len(kinds) for i in basket}
        else:
            total = sum(know.gewicht[i] for i in basket)
            coef = {i: know.gewicht[i] / total for i in basket}
        unknown = [i for i in basket if (g, i, int(j)) not in scores]
        if len(unknown) == 1:
            u = unknown[0]
            out[(g, u, int(j))] = (
                lc - sum(coef[i] * scores[(g, i, int(j))] for i in basket if i != u)
            ) / coef[u]
        elif len(basket) == 1:
            out[(g, basket[0], int(j))] = lc
    return out


def system_attack(all_rels, known, hidden, domain, know) -> dict[Cell, set[int]]:
    """All relations at once: the null space of the hidden part (scipy) and interval propagation."""
    active = [(t, p) for t, p in all_rels if any(m in hidden for m in [t, *p])]
    index = {c: k for k, c in enumerate(sorted({m for t, p in active for m in [t, *p] if m in hidden}))}
    out: dict[Cell, set[int]] = {}
    if not index:
        return out
    # groups: hidden cells linked through shared relations
    group = list(range(len(index)))

    def root(x):
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    for t, p in active:
        ks = [index[m] for m in [t, *p] if m in index]
        for k in ks[1:]:
            group[root(k)] = root(ks[0])
    rel_groups = defaultdict(list)
    for t, p in active:
        rel_groups[root(next(index[m] for m in [t, *p] if m in index))].append((t, p))
    cells_of = {v: k for k, v in index.items()}
    for rels in rel_groups.values():
        cols = sorted({index[m] for t, p in rels for m in [t, *p] if m in index})
        pos = {c: k for k, c in enumerate(cols)}
        a = np.zeros((len(rels), len(cols)))
        b = np.zeros(len(rels))
        for r, (t, p) in enumerate(rels):
            for m, coef in [(t, -1.0)] + [(x, 1.0) for x in p]:
                if m in index:
                    a[r, pos[index[m]]] += coef
                else:
                    b[r] -= coef * known.get(m, np.nan)
        if np.isnan(b).any():
            continue
        null = linalg.null_space(a)
        solution = np.linalg.lstsq(a, b, rcond=None)[0]
        for c, k in pos.items():
            if null.shape[1] == 0 or np.abs(null[k]).max() < 1e-8:
                v = solution[k]
                if abs(v - round(v)) < 1e-6:
                    out[cells_of[c]] = {round(v)}
        # bounds
        lo = {cells_of[c]: max(domain[0], know.known_lower.get(cells_of[c], 0)) for c in cols}
        hi = {cells_of[c]: min(domain[1], know.known_upper.get(cells_of[c], math.inf)) for c in cols}
        for _ in range(200):
            moved = False
            for t, p in rels:
                terms = [(t, -1)] + [(x, 1) for x in p]
                for m, cm in terms:
                    if m not in lo:
                        continue
                    rest_lo = rest_hi = 0.0
                    for x, cx in terms:
                        if x == m:
                            continue
                        if x in lo:
                            rest_lo += cx * (lo[x] if cx > 0 else hi[x])
                            rest_hi += cx * (hi[x] if cx > 0 else lo[x])
                        else:
                            rest_lo += cx * known[x]
                            rest_hi += cx * known[x]
                    # cm * x_m = -rest
                    a1, a2 = -rest_hi / cm, -rest_lo / cm
                    new_lo = max(
                        lo[m], math.ceil(min(a1, a2) - 1e-9) if math.isfinite(min(a1, a2)) else lo[m]
                    )
                    new_hi = min(
                        hi[m], math.floor(max(a1, a2) + 1e-9) if math.isfinite(max(a1, a2)) else hi[m]
                    )
                    if new_lo > lo[m] or new_hi < hi[m]:
                        lo[m], hi[m], moved = new_lo, new_hi, True
            if not moved:
                break
        for m in lo:
            if math.isfinite(hi[m]) and hi[m] - lo[m] < 50:
                cands = set(range(int(lo[m]), int(hi[m]) + 1))
                out[m] = out[m] & cands if m in out else cands
    return out


def score(found: dict[str, dict[Cell, set[int]]], rel: Release, know: Knowledge) -> dict[str, set[Cell]]:
    """The hidden cells each attack recovers exactly (and all channels together)."""
    out = {name: set() for name in ATTACKS}
    combined: dict[Cell, set[int]] = {}
    for name, cands in found.items():
        out[name] = {c for c, s in cands.items() if c in rel.hidden and s == {round(know.truth[c])}}
        for c, s in cands.items():
            combined[c] = combined[c] & s if c in combined else set(s)
    out["samen"] = {c for c, s in combined.items() if c in rel.hidden and s == {round(know.truth[c])}}
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = demo_db()
    out = tmp_path_factory.mktemp("exports")
    for kind in ("indicators", "composites", "targets"):
        assert cli(["export", kind, "--out", str(out / f"{kind}.csv"), "--db", str(db)]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        know = knowledge(con)
        naive = naive_release(con)
        drempel = know.drempel
    protected = Release(
        read_csv(out / "indicators.csv"),
        read_csv(out / "composites.csv"),
        read_csv(out / "targets.csv"),
        hidden_domain=(1, math.inf),  # one text for every hidden row; zeros are never hidden
    )
    results = {}
    for name, rel in (("naive", naive), ("protected", protected)):
        results[name] = score(attack(rel, know), rel, know)
    print(
        f"\ndrempel {drempel}; hidden counts: naive export {len(naive.hidden)}, exports {len(protected.hidden)}"
    )
    for name in sorted(results["naive"]):
        print(
            f"  attack {name:>5}: recovered {len(results['naive'][name]):4d} from the naive export, "
            f"{len(results['protected'][name]):4d} from the exports"
        )
    return {"results": results, "protected": protected, "naive": naive, "know": know}


ATTACKS = ["a", "b", "ab", "c", "d", "e"]


def test_attacks_recover_suppressed_counts_from_a_naive_export(demo):
    """The attacks work: on the marts with only the small counts themselves blanked, each recovers some."""
    got = demo["results"]["naive"]
    assert all(got[a] for a in ATTACKS), {a: len(got[a]) for a in ATTACKS}


def test_attacks_recover_nothing_from_the_exports(demo):
    got = demo["results"]["protected"]
    assert len(demo["protected"].hidden) > 0
    assert {a: sorted(v)[:5] for a, v in got.items() if v} == {}


def test_a_suppressed_row_publishes_nothing_about_its_count(demo):
    ind, know = demo["protected"].indicators, demo["know"]
    hidden = demo["protected"].hidden
    key = list(zip(ind["gebied_code"], ind["indicator"], ind["jaar"].astype(int), strict=True))
    row = np.array([c in hidden for c in key])
    base = np.array([(g, i, know.basisjaar) in hidden for g, i, _ in key])
    assert row.sum() > 0 and base.sum() > 0
    for cols, mask in ((HIDDEN_WHEN_SUPPRESSED, row), (HIDDEN_WHEN_BASELINE_SUPPRESSED, base)):
        shown = ind.loc[mask, [c for c in cols if c in ind]].notna().sum()
        assert shown.sum() == 0, shown[shown > 0]
    assert ind.loc[row | base, "onderdrukt"].notna().all()
    assert ind.loc[~(row | base), "onderdrukt"].isna().all()
    # no remark that depends on the hidden count
    assert not ind.loc[row | base, "opmerking"].fillna("").str.contains("gebeurtenissen|basiswaarde").any()


def test_targets_hide_their_numbers_where_an_overall_composite_is_hidden(demo):
    rel, know = demo["protected"], demo["know"]
    comp = rel.composites
    hidden = comp[(comp["thema"] == "samengesteld") & comp["score"].isna() & comp["onderdrukt"].notna()]
    t = rel.targets
    assert len(hidden) > 0
    for g, p, s in zip(t["gebied_code"], t["peiljaar"], t["score"], strict=True):
        years = set(hidden.loc[hidden["gebied_code"] == g, "jaar"])
        if any(know.basisjaar <= y <= p for y in years):
            assert pd.isna(s), g
    assert t["status"].notna().all()  # the verdict itself stays


def test_a_composite_is_suppressed_when_its_basket_holds_a_hidden_count_this_year_or_in_the_baseline():
    """fct_composites.onderdrukt (SQL) against the rule worked out here from fct_onderdrukking."""
    with duckdb.connect(str(demo_db()), read_only=True) as con:
        basisjaar = con.execute("SELECT basisjaar FROM marts.dim_instellingen").fetchone()[0]
        hidden = {
            tuple(r)
            for r in con.execute(
                "SELECT gebied_code, indicator, jaar FROM marts.fct_onderdrukking WHERE onderdrukt"
            ).fetchall()
        }
        rows = con.execute(
            "SELECT gebied_code, jaar, indicatoren, onderdrukt FROM marts.fct_composites"
        ).fetchall()
    expected = [
        any((g, i, j) in hidden or (g, i, basisjaar) in hidden for i in basket) for g, j, basket, _ in rows
    ]
    assert [r[3] for r in rows] == expected
    assert any(expected) and not all(expected)
