"""Disclosure control: which indicator counts may leave the building, so that no small count can be recovered.

**Primary suppression** (the engine's ``fct_indicator_scores.onderdrukt``): a Poisson count from 1 to
drempel - 1 (setting ``onderdrukking_drempel``, default 5).

Hiding those cells alone does not protect them. Counts add up, and an attacker who knows the other terms of a
sum gets the hidden one back by differencing. The **additive relations** (total = sum of parts) are:

* the area hierarchy, per indicator and year: a wijk is the sum of its buurten, a gemeente of its wijken (of
  its buurten when the indicator has no wijk rows there);
* the catalogue, per area and year: an indicator whose numerator is the sum of other indicators' numerators
  (derived from ``dim_indicator_component``: bron, variabele and teken of every numerator component). Today
  that is police code 0.0.0 = overige misdrijven + woninginbraak (1.1.1) + geweld (1.4.1-1.4.7) + vernieling
  (2.2.1), but any such sum in the catalogue is found.

A relation counts only when it is **exact**: every member has a count and the total equals the sum of the
parts it has rows for (a delivered total that differs from the sum of its parts cannot be differenced).

**Secondary suppression**, iterated to a fixpoint: within every relation, if exactly one member is suppressed,
also suppress the smallest non-zero count among the other parts (ties: the first in cell order, i.e. by area
code, indicator and year), or the total when no other part has a non-zero count. A zero is never chosen: a
hidden 0 next to a primary count p only says that the two add up to p, and keeping zeros public means every
hidden count is known to be at least 1, which is what the audit assumes an attacker knows.

The exports give every suppressed row the same text (they do not say whether it is primary or secondary):
text such as "< 5" on primary rows only would tell an attacker that those counts are at most 4, and then a
wijk of 4 with four suppressed buurten gives every buurt away as 1, whatever else is hidden.

The fixpoint rule does not see everything an attacker can do, so an **audit** follows it: per connected group
of suppressed cells (cells that share a relation), (1) linear algebra: a cell is recoverable when its unit
vector lies in the row space of the relations restricted to the suppressed cells (Gauss-Jordan elimination),
which catches combinations of several relations; (2) bounds: interval propagation through every relation,
every hidden count being an integer of at least 1, which catches e.g. five suppressed buurten under a
published wijk of 5 (each must be 1). The bounds also assume the attacker knows whether a baseline count
reaches ``minimum_basisgebeurtenissen``, so a hidden baseline count is known to be below or at least that. That
is conservative: the composite basket is chosen on expected baseline events (the gemeente's rate × the area's
size), which do not reveal the area's own count. For
every cell the audit pins down, the nearest candidate (the rule's
choice in one of its relations, else in the relations of the hidden cells next to it) is suppressed too,
and the fixpoint and the audit run again until the audit pins nothing down. Every round suppresses at least
one more cell, so it ends.

What the exports make of it (``indicators/export.py``): a suppressed row publishes no number derived from its
count; a row whose baseline row is suppressed publishes nothing derived from the baseline (basiswaarde, score
and its interval, z, p_waarde, verandering); a composite whose basket contains such a row is suppressed, and
so is a target whose trend runs through such a composite. ``tests/test_disclosure.py`` attacks every export.

:func:`build_suppression` is the build step that writes ``marts.fct_onderdrukking``; :func:`suppression` is
the same on DataFrames.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence

import duckdb
import numpy as np
import pandas as pd

PUBLISHED, PRIMARY, SECONDARY = 0, 1, 2
REASON = {PRIMARY: "primair", SECONDARY: "secundair"}
# Catalogue search: at most this many candidate indicators per source for the sum-of-numerators search.
MAX_SUBSET_CANDIDATES = 16
_TOL = 1e-6

# A relation as cell ids: (total, parts).
Relation = tuple[int, tuple[int, ...]]


# --- relations ---------------------------------------------------------------------------------------------


def parent_code(code: str, niveau: str, to: str) -> str | None:
    """The code of the area of level ``to`` that contains ``code`` (None when ``to`` is not above it)."""
    if niveau == "buurt" and to == "wijk":
        return "WK" + code[2:8]
    if niveau in ("buurt", "wijk") and to == "gemeente":
        return "GM" + code[2:6]
    return None


def _exact(total: float, parts_sum: float) -> bool:
    return abs(total - parts_sum) <= _TOL * max(1.0, abs(total))


def hierarchy_relations(cells: pd.DataFrame) -> list[Relation]:
    """Area relations among ``cells`` (index = cell id; gebied_code, niveau, indicator, jaar, teller).

    wijk = sum of its buurten, gemeente = sum of its wijken, and gemeente = sum of its buurten where that
    gemeente has no wijk rows for the indicator and year. Only exact relations (see the module docstring).
    """
    c = cells[cells["teller"].notna()]
    teller = dict(zip(c.index, c["teller"].astype("float64"), strict=True))
    relations: list[Relation] = []
    wijk_parents = set()
    for child, parent in (("buurt", "wijk"), ("wijk", "gemeente"), ("buurt", "gemeente")):
        kids = c[c["niveau"] == child]
        tops = c[c["niveau"] == parent]
        if kids.empty or tops.empty:
            continue
        kids = kids.assign(_ouder=[parent_code(g, child, parent) for g in kids["gebied_code"]])
        if (child, parent) == ("buurt", "gemeente"):
            kids = kids[
                [
                    (o, i, j) not in wijk_parents
                    for o, i, j in zip(kids["_ouder"], kids["indicator"], kids["jaar"], strict=True)
                ]
            ]
        top_id = {
            (g, i, j): k
            for k, g, i, j in zip(
                tops.index, tops["gebied_code"], tops["indicator"], tops["jaar"], strict=True
            )
        }
        groups: dict[int, list[int]] = defaultdict(list)
        for k, o, i, j in zip(kids.index, kids["_ouder"], kids["indicator"], kids["jaar"], strict=True):
            t = top_id.get((o, i, j))
            if t is not None:
                groups[t].append(k)
        for t, parts in groups.items():
            if _exact(teller[t], sum(teller[k] for k in parts)):
                relations.append((t, tuple(sorted(parts))))
        if (child, parent) == ("wijk", "gemeente"):
            wijk_parents = {
                (o, i, j) for o, i, j in zip(kids["_ouder"], kids["indicator"], kids["jaar"], strict=True)
            }
    return relations


def catalogue_relations(components: pd.DataFrame) -> list[tuple[str, tuple[str, ...]]]:
    """Indicators whose numerator is the sum of other indicators' numerators: ``[(total, parts), ...]``.

    ``components`` is ``dim_indicator_component`` (indicator, rol, bron, variabele, teken). A numerator is a
    signed sum of source variables; for every indicator the subsets of the other indicators that read the
    same sources are tried (at most :data:`MAX_SUBSET_CANDIDATES`), and a subset whose numerators add up to
    exactly its numerator is a relation. Minimal subsets only (a superset adding a zero-sum part is redundant).
    """
    tel = components[components["rol"] == "teller"]
    vectors: dict[str, dict[tuple[str, str], int]] = {}
    for ind, bron, var, teken in zip(
        tel["indicator"], tel["bron"], tel["variabele"], tel["teken"], strict=True
    ):
        v = vectors.setdefault(ind, {})
        v[(bron, var)] = v.get((bron, var), 0) + int(teken)
    vectors = {i: {k: x for k, x in v.items() if x} for i, v in vectors.items()}
    relations: list[tuple[str, tuple[str, ...]]] = []
    for total in sorted(vectors):
        target = vectors[total]
        sources = {b for b, _ in target}
        candidates = sorted(
            i for i, v in vectors.items() if i != total and v and {b for b, _ in v} <= sources
        )[:MAX_SUBSET_CANDIDATES]
        found: list[set[str]] = []
        for size in range(1, len(candidates) + 1):
            for subset in itertools.combinations(candidates, size):
                if any(f <= set(subset) for f in found):
                    continue
                acc: dict[tuple[str, str], int] = defaultdict(int)
                for i in subset:
                    for k, x in vectors[i].items():
                        acc[k] += x
                if {k: x for k, x in acc.items() if x} == target:
                    found.append(set(subset))
                    relations.append((total, subset))
    # a one-part relation a = b is found from both sides: keep one
    seen: set[frozenset[str]] = set()
    unique = []
    for total, parts in relations:
        key = frozenset((total, *parts))
        if len(parts) == 1 and key in seen:
            continue
        seen.add(key)
        unique.append((total, parts))
    return unique


def indicator_relations(
    cells: pd.DataFrame, catalogue: Sequence[tuple[str, tuple[str, ...]]]
) -> list[Relation]:
    """Per area and year, the catalogue relations whose members all have a count and add up exactly."""
    if not catalogue:
        return []
    c = cells[cells["teller"].notna()]
    ids = {
        (g, i, j): k for k, g, i, j in zip(c.index, c["gebied_code"], c["indicator"], c["jaar"], strict=True)
    }
    teller = dict(zip(c.index, c["teller"].astype("float64"), strict=True))
    relations: list[Relation] = []
    for g, j in sorted(set(zip(c["gebied_code"], c["jaar"], strict=True))):
        for total, parts in catalogue:
            t = ids.get((g, total, j))
            p = [ids.get((g, i, j)) for i in parts]
            if t is None or any(x is None for x in p):
                continue
            if _exact(teller[t], sum(teller[k] for k in p)):
                relations.append((t, tuple(sorted(p))))
    return relations


# --- the algorithm -----------------------------------------------------------------------------------------


def protect(
    counts: Sequence[float],
    primary: Sequence[bool],
    relations: Sequence[Relation],
    known_lower: Sequence[float] | None = None,
    known_upper: Sequence[float] | None = None,
) -> np.ndarray:
    """State per cell: PUBLISHED (0), PRIMARY (1) or SECONDARY (2). Pure: the rule and audit of the module doc.

    ``counts`` and ``primary`` per cell id, ``relations`` as (total id, part ids). ``known_lower`` /
    ``known_upper``: bounds on a cell's count that an attacker learns elsewhere even when the cell is hidden
    (NaN: none), used by the audit.
    """
    count = np.asarray(counts, dtype="float64")
    bounds = _known_bounds(len(count), known_lower, known_upper)
    state = np.where(np.asarray(primary, dtype=bool), PRIMARY, PUBLISHED).astype("int8")
    members_of = _members_of(relations)
    work = deque(r for r, (t, p) in enumerate(relations) if state[t] or any(state[m] for m in p))
    queued = set(work)
    changed: set[int] | None = None  # cells suppressed since the last audit (None: audit everything)

    def suppress(cell: int) -> None:
        state[cell] = SECONDARY
        if changed is not None:
            changed.add(cell)
        for r in members_of[cell]:
            if r not in queued:
                queued.add(r)
                work.append(r)

    while True:
        # the rule, to a fixpoint
        while work:
            r = work.popleft()
            queued.discard(r)
            total, parts = relations[r]
            if sum(1 for m in (total, *parts) if state[m]) == 1:
                c = _candidate(relations[r], count, state)
                if c is not None:
                    suppress(c)
        # the audit
        pinned = recoverable(count, state, relations, only=changed, known=bounds, members_of=members_of)
        changed = set()
        touched: set[int] = set()
        for cell in sorted(pinned):
            if touched & set(members_of[cell]):
                continue  # a relation of this cell got a new hidden member this round: audit it again first
            best = _nearest_candidate(cell, relations, members_of, count, state)
            if best is not None:
                suppress(best)
                touched.update(members_of[best])
        if not changed:  # nothing pinned, or nothing left to hide near what is pinned
            return state


def _known_bounds(
    n: int, lower: Sequence[float] | None, upper: Sequence[float] | None
) -> tuple[np.ndarray, np.ndarray]:
    lo = np.zeros(n) if lower is None else np.nan_to_num(np.asarray(lower, dtype="float64"), nan=0.0)
    hi = (
        np.full(n, math.inf)
        if upper is None
        else np.nan_to_num(np.asarray(upper, dtype="float64"), nan=math.inf)
    )
    return lo, hi


def _candidate(relation: Relation, count: np.ndarray, state: np.ndarray) -> int | None:
    """The smallest non-zero published part (ties: lowest id), else the total if published and non-zero."""
    total, parts = relation
    free = [m for m in parts if not state[m] and count[m] > 0]
    if free:
        return min(free, key=lambda m: (count[m], m))
    if not state[total] and count[total] > 0:
        return total
    return None


def _nearest_candidate(
    cell: int,
    relations: Sequence[Relation],
    members_of: dict[int, list[int]],
    count: np.ndarray,
    state: np.ndarray,
) -> int | None:
    """For a pinned cell: the smallest candidate in its own relations, else in the relations of the hidden
    cells it shares a relation with, and so on outwards (breadth first through hidden cells)."""
    seen_cells, seen_rels = {cell}, set()
    frontier = [cell]
    while frontier:
        rels = sorted({r for m in frontier for r in members_of[m]} - seen_rels)
        seen_rels.update(rels)
        options = [c for r in rels if (c := _candidate(relations[r], count, state)) is not None]
        if options:
            return min(options, key=lambda m: (count[m], m))
        frontier = sorted(
            {m for r in rels for m in (relations[r][0], *relations[r][1]) if state[m]} - seen_cells
        )
        seen_cells.update(frontier)
    return None


def recoverable(
    counts: Sequence[float],
    state: Sequence[int],
    relations: Sequence[Relation],
    only: set[int] | None = None,
    known: tuple[np.ndarray, np.ndarray] | None = None,
    members_of: dict[int, list[int]] | None = None,
) -> set[int]:
    """The suppressed cells an attacker can pin down from the published cells (linear algebra and bounds).

    What the attacker knows of a hidden cell: it is at least 1 (zeros are never hidden, and the exports give
    every hidden row the same text, so primary and secondary look alike). ``only``: look only at the groups
    of suppressed cells that contain one of these cells (the other groups have not changed). ``known``: lower
    and upper bounds per cell that the attacker learns elsewhere (see :func:`protect`).
    """
    count = np.asarray(counts, dtype="float64")
    known = known if known is not None else _known_bounds(len(count), None, None)
    state = np.asarray(state)
    if members_of is None:
        members_of = _members_of(relations)
    starts = sorted(only) if only is not None else [int(m) for m in np.flatnonzero(state)]
    done: set[int] = set()
    pinned: set[int] = set()
    for start in starts:
        if start in done or not state[start]:
            continue
        # the group of hidden cells linked to `start` through relations, breadth first
        group_rels: set[int] = set()
        frontier = [start]
        done.add(start)
        while frontier:
            nxt = []
            for m in frontier:
                for r in members_of.get(m, ()):
                    if r in group_rels:
                        continue
                    group_rels.add(r)
                    total, parts = relations[r]
                    for x in (total, *parts):
                        if state[x] and x not in done:
                            done.add(x)
                            nxt.append(x)
            frontier = nxt
        if group_rels:
            pinned |= _pinned_in_group([relations[r] for r in sorted(group_rels)], count, state, known)
    return pinned


def _members_of(relations: Sequence[Relation]) -> dict[int, list[int]]:
    members_of: dict[int, list[int]] = defaultdict(list)
    for r, (total, parts) in enumerate(relations):
        for m in (total, *parts):
            members_of[m].append(r)
    return members_of


def _pinned_in_group(
    rels: list[Relation], count: np.ndarray, state: np.ndarray, known: tuple[np.ndarray, np.ndarray]
) -> set[int]:
    unknown = sorted({m for t, p in rels for m in (t, *p) if state[m]})
    col = {m: k for k, m in enumerate(unknown)}
    # (1) linear algebra: coefficient +1 for a part, -1 for the total
    a = np.zeros((len(rels), len(unknown)))
    for r, (total, parts) in enumerate(rels):
        for m in parts:
            if state[m]:
                a[r, col[m]] += 1
        if state[total]:
            a[r, col[total]] -= 1
    pinned = {unknown[k] for k in _determined_columns(a)}
    # (2) bounds: every hidden count is at least 1 (and what is known elsewhere); propagate through relations
    return pinned | _pinned_by_bounds(rels, count, state, known, unknown)


def _pinned_by_bounds(
    rels: list[Relation],
    count: np.ndarray,
    state: np.ndarray,
    known: tuple[np.ndarray, np.ndarray],
    unknown: list[int],
) -> set[int]:
    """Interval propagation: sum(c_k x_k) = 0 over a relation (c = +1 for a part, -1 for the total) bounds
    every hidden x_m by the known terms and the other hidden terms' bounds; repeated until nothing moves."""
    lo = {m: max(1.0, float(known[0][m])) for m in unknown}
    hi = {m: float(known[1][m]) for m in unknown}
    terms = []  # per relation: the known sum and the hidden (cell, coefficient) pairs
    rels_of: dict[int, list[int]] = defaultdict(list)
    for r, (total, parts) in enumerate(rels):
        pairs = [(m, 1) for m in parts] + [(total, -1)]
        terms.append(
            (sum(c * count[m] for m, c in pairs if not state[m]), [(m, c) for m, c in pairs if state[m]])
        )
        for m, _ in terms[-1][1]:
            rels_of[m].append(r)
    work = deque(range(len(rels)))
    queued = set(work)
    budget = 200 * (len(rels) + len(unknown)) + 100  # bounds only shrink; this only guards against slow creep
    while work and budget > 0:
        budget -= 1
        r = work.popleft()
        queued.discard(r)
        k_sum, hidden = terms[r]
        # the smallest and largest value of sum(c x) over the hidden terms: finite part and number of infinities
        low = [c * (lo[m] if c > 0 else hi[m]) for m, c in hidden]
        high = [c * (hi[m] if c > 0 else lo[m]) for m, c in hidden]
        low_fin, low_inf = (
            sum(v for v in low if math.isfinite(v)),
            sum(1 for v in low if not math.isfinite(v)),
        )
        high_fin, high_inf = (
            sum(v for v in high if math.isfinite(v)),
            sum(1 for v in high if not math.isfinite(v)),
        )
        for (m, c), lv, hv in zip(hidden, low, high, strict=True):
            own_low_inf, own_high_inf = not math.isfinite(lv), not math.isfinite(hv)
            other_lo = -math.inf if low_inf - own_low_inf else low_fin - (0 if own_low_inf else lv)
            other_hi = math.inf if high_inf - own_high_inf else high_fin - (0 if own_high_inf else hv)
            # c x_m = -k_sum - (the other hidden terms)
            ends = ((-k_sum - other_hi) / c, (-k_sum - other_lo) / c)
            new_lo, new_hi = _integer(max(lo[m], min(ends)), min(hi[m], max(ends)))
            if new_lo > lo[m] + 1e-9 or new_hi < hi[m] - 1e-9:
                lo[m], hi[m] = new_lo, new_hi
                for r2 in rels_of[m]:
                    if r2 != r and r2 not in queued:
                        queued.add(r2)
                        work.append(r2)
    return {m for m in unknown if hi[m] - lo[m] < 0.5}


def _determined_columns(a: np.ndarray) -> list[int]:
    """Columns k whose unit vector lies in the row space of ``a`` (x_k follows from a x = b).

    Gauss-Jordan elimination (the entries are -1, 0 and 1, the matrices small and sparse; no LAPACK, whose
    thread start-up costs more than the work here): e_k is in the row space iff the reduced row echelon form
    has a pivot in column k whose row is zero in every free column.
    """
    m = a.astype("float64").copy()
    rows, cols = m.shape
    pivots: list[tuple[int, int]] = []
    r = 0
    for k in range(cols):
        if r == rows:
            break
        p = r + int(np.argmax(np.abs(m[r:, k])))
        if abs(m[p, k]) < 1e-9:
            continue
        m[[r, p]] = m[[p, r]]
        m[r] /= m[r, k]
        others = np.abs(m[:, k]) > 1e-12
        others[r] = False
        m[others] -= np.outer(m[others, k], m[r])
        pivots.append((r, k))
        r += 1
    pivot_cols = {k for _, k in pivots}
    free = [k for k in range(cols) if k not in pivot_cols]
    return [k for row, k in pivots if not free or np.abs(m[row, free]).max() < 1e-9]


def _integer(lo: float, hi: float) -> tuple[float, float]:
    """Counts are integers: round the bounds inwards."""
    lo = math.ceil(lo - 1e-6) if math.isfinite(lo) else lo
    hi = math.floor(hi + 1e-6) if math.isfinite(hi) else hi
    return lo, hi


# --- DataFrames and the build step -------------------------------------------------------------------------


def suppression(
    cells: pd.DataFrame, components: pd.DataFrame | None = None, *, counted: Iterable[str] | None = None
) -> pd.DataFrame:
    """``cells`` (gebied_code, niveau, indicator, jaar, teller, onderdrukt) with ``onderdrukt`` and ``reden``.

    ``onderdrukt`` on input is the primary flag. ``counted``: the indicators whose teller is a count (Poisson);
    only those take part in relations (default: every indicator in ``cells``). Optional columns
    ``min_bekend`` / ``max_bekend``: bounds on the count an attacker learns elsewhere (see :func:`protect`).
    """
    out = cells[["gebied_code", "niveau", "indicator", "jaar"]].reset_index(drop=True).copy()
    # plain Python strings: iterating Arrow-backed string columns row by row is slow
    c = cells.reset_index(drop=True).astype({"gebied_code": object, "niveau": object, "indicator": object})
    teller = pd.to_numeric(c["teller"], errors="coerce").astype("float64")
    primary = c["onderdrukt"].fillna(False).astype(bool).to_numpy()
    in_relations = c.assign(teller=teller)
    if counted is not None:
        in_relations = in_relations[in_relations["indicator"].isin(set(counted))]
    catalogue = catalogue_relations(components) if components is not None and len(components) else []
    relations = hierarchy_relations(in_relations) + indicator_relations(in_relations, catalogue)
    lower = c["min_bekend"].to_numpy(dtype="float64", na_value=np.nan) if "min_bekend" in c else None
    upper = c["max_bekend"].to_numpy(dtype="float64", na_value=np.nan) if "max_bekend" in c else None
    state = protect(teller.fillna(0.0).to_numpy(), primary, relations, lower, upper)
    out["onderdrukt"] = state != PUBLISHED
    out["reden"] = pd.Series([REASON.get(int(s)) for s in state], dtype="string")
    return out


def compute_suppression(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The rows of ``marts.fct_onderdrukking``, computed from the marts."""
    # Whether an area's baseline count reaches minimum_basisgebeurtenissen: the attacker is assumed to know it
    # (conservative: the composite basket is now chosen on expected events, which do not reveal the count).
    cells = con.execute(
        """
        SELECT s.gebied_code, s.niveau, s.indicator, s.jaar, s.teller, coalesce(s.onderdrukt, false) AS onderdrukt,
               i.onzekerheid,
               CASE WHEN s.jaar = st.basisjaar AND i.gewicht > 0 AND s.teller >= st.minimum_basisgebeurtenissen
                    THEN st.minimum_basisgebeurtenissen END AS min_bekend,
               CASE WHEN s.jaar = st.basisjaar AND i.gewicht > 0 AND s.teller < st.minimum_basisgebeurtenissen
                    THEN st.minimum_basisgebeurtenissen - 1 END AS max_bekend
        FROM marts.fct_indicator_scores AS s
        LEFT JOIN marts.dim_indicator AS i USING (indicator)
        CROSS JOIN marts.dim_instellingen AS st
        ORDER BY s.gebied_code, s.indicator, s.jaar
        """
    ).df()
    components = con.execute(
        "SELECT indicator, rol, bron, variabele, teken FROM marts.dim_indicator_component"
    ).df()
    counted = set(cells.loc[cells["onzekerheid"] == "poisson", "indicator"])
    return suppression(cells, components, counted=counted)


def build_suppression(con: duckdb.DuckDBPyConnection) -> None:
    """Build step: ``marts.fct_onderdrukking(gebied_code, niveau, indicator, jaar, onderdrukt, reden)``."""
    df = compute_suppression(con)
    con.register("_onderdrukking_df", df)
    try:
        con.execute(
            """
            CREATE OR REPLACE TABLE marts.fct_onderdrukking AS
            SELECT gebied_code::VARCHAR AS gebied_code, niveau::VARCHAR AS niveau, indicator::VARCHAR AS indicator,
                   jaar::BIGINT AS jaar, onderdrukt::BOOLEAN AS onderdrukt, reden::VARCHAR AS reden
            FROM _onderdrukking_df
            """
        )
    finally:
        con.unregister("_onderdrukking_df")
