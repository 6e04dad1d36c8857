"""Capacity by need: the need of every wijk (behoefte) and the distribution of each partner's hours over the wijken.

Pure functions on plain values and pandas frames; no database, no records store, no user interface. The
warehouse query that gathers the inputs is ``dashboard.queries.need_inputs`` (one long frame, described under
:func:`need`); the formulas are documented in docs/methodology.md, "Capaciteit naar behoefte".

Per wijk, in one year::

    behoefte = P / 1000 × (1 + w_A·A + w_N·N + w_L·L)

* P, the size of the wijk: inhabitants (``inwoners``) or households (``huishoudens``), the latest delivered year up
  to the year of the need;
* A, the distance to the baseline (afstand tot de nulmeting): the mean over the overall composite score and each
  theme's composite score of max(0, (100 − score) / 100); 0 (and flagged) when the wijk has no composite score;
* N, the position in the norm bands (positie in de normering): the mean over the indicators with norm bands and a
  value of the band's position, 0 for the best band and 1 for the worst;
* L, the level against the gemeente (niveau t.o.v. de gemeente): the mean over the weighted indicators with a value
  for both the wijk and the gemeente of the relative gap on the bad side, clipped to [0, 1].

Every component lies in [0, 1], so the need of a wijk is its size times a factor between 1 and 1 + w_A + w_N + w_L:
a wijk in good shape still gets capacity in proportion to its size; the weights say how much more a wijk that
lags behind gets.

The hours of each partner are distributed in proportion to the need with the largest-remainder (Hamilton) method,
so that the whole hours of every partner add up exactly to what the partner has.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral, Real
from typing import Any

import pandas as pd

HOGER = "hoger_is_beter"
LAGER = "lager_is_beter"
POLARITIES = (HOGER, LAGER)
MATEN = ("inwoners", "huishoudens")

Bands = Mapping[str, Sequence[tuple[float, str]]]  # indicator -> [(ondergrens, label), …]

# The columns of the long input frame of need() (dashboard.queries.need_inputs returns exactly these).
INPUT_COLUMNS = (
    "gebied_code",
    "gebied_naam",
    "jaar",
    "inwoners",
    "inwoners_jaar",
    "huishoudens",
    "huishoudens_jaar",
    "invoer",  # 'samengesteld' | 'thema' | 'indicator' | NULL (a wijk without any input)
    "code",  # the composite group or the indicator
    "score",  # composite score (invoer samengesteld / thema): 100 = baseline level, higher = better
    "waarde",  # the wijk's value of the indicator (invoer indicator), a complete year
    "gemeente_waarde",  # the gemeente's value of the same indicator and year
    "polariteit",  # hoger_is_beter | lager_is_beter
    "gewicht",  # the indicator's weight in the composite (catalogue gewicht)
)

# The columns of need()'s result, in order.
NEED_COLUMNS = (
    "gebied_code",
    "gebied_naam",
    "jaar",
    "inwoners",
    "huishoudens",
    "P",
    "P_jaar",
    "A",
    "N",
    "L",
    "behoefte",
    "aandeel",
    "scores",
    "normen",
    "vergelijkingen",
    "zonder_scores",
    "zonder_omvang",
)


# ------------------------------------------------------------------------------------------ weights


@dataclass(frozen=True)
class NeedWeights:
    """The weights of the need formula (adopted by the regiegroep; these are the defaults).

    ``afstand`` weighs A (distance to the baseline), ``normering`` N (position in the norm bands), ``niveau`` L
    (level against the gemeente); ``maat`` is the size P: ``"inwoners"`` or ``"huishoudens"``.
    """

    afstand: float = 2.0
    normering: float = 1.0
    niveau: float = 1.0
    maat: str = "inwoners"


def validate_weights(weights: NeedWeights) -> None:
    """Raise ValueError (a Dutch message for the screen) for a negative or non-finite weight or an unknown size."""
    for name in ("afstand", "normering", "niveau"):
        value = getattr(weights, name)
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise ValueError(f"Het gewicht '{name}' moet een getal zijn, niet {value!r}.")
        if value < 0:
            raise ValueError(f"Het gewicht '{name}' mag niet negatief zijn ({value}).")
    if weights.maat not in MATEN:
        raise ValueError(f"Onbekende maat '{weights.maat}': kies 'inwoners' of 'huishoudens'.")


# ------------------------------------------------------------------------------------------ the components


def distance_to_baseline(scores: Iterable[float | None]) -> float:
    """A: the mean of max(0, (100 − score) / 100) over the given composite scores (missing ones skipped).

    The scores are the overall composite score and each theme's composite score of one wijk in one year (100 =
    the baseline level, higher = better). A score at or above 100 adds 0; a score of 70 adds 0.3. No scores: 0.
    """
    gaps = [max(0.0, (100.0 - float(s)) / 100.0) for s in scores if _present(s)]
    return sum(gaps) / len(gaps) if gaps else 0.0


def band_index(value: float, bands: Sequence[tuple[float, str]]) -> int:
    """The index (in order of ondergrens) of the band that holds the value.

    Band k holds ondergrens_k ≤ value < ondergrens_{k+1}; a value exactly on a boundary belongs to the band that
    starts there; a value below the first band counts as band 0.
    """
    lows = sorted(float(low) for low, _ in bands)
    return max(0, bisect_right(lows, float(value)) - 1)


def band_position(value: float, bands: Sequence[tuple[float, str]], polariteit: str) -> float | None:
    """p: the position of the value in the norm bands, 0 for the best band, 1 for the worst.

    With nb bands and k the band index: p = k / (nb − 1) when lower is better, (nb − 1 − k) / (nb − 1) when higher
    is better. None with fewer than two bands (no position to speak of).
    """
    _check_polarity(polariteit)
    nb = len(bands)
    if nb < 2:
        return None
    k = band_index(value, bands)
    return k / (nb - 1) if polariteit == LAGER else (nb - 1 - k) / (nb - 1)


def level_gap(waarde: float, gemeente_waarde: float, polariteit: str) -> float | None:
    """The wijk's gap to the gemeente on the bad side, relative and clipped to [0, 1]; None when g is 0.

    gap = (g − w) / |g| when higher is better, (w − g) / |g| when lower is better; a wijk better than the gemeente
    has gap 0, one twice as bad (lower is better) or at 0 (higher is better) has gap 1.
    """
    _check_polarity(polariteit)
    w, g = float(waarde), float(gemeente_waarde)
    if g == 0:
        return None
    gap = (g - w) / abs(g) if polariteit == HOGER else (w - g) / abs(g)
    return min(1.0, max(0.0, gap))


def need_score(P: float, A: float, N: float, L: float, weights: NeedWeights | None = None) -> float:
    """behoefte = P / 1000 × (1 + w_A·A + w_N·N + w_L·L) (default weights when ``weights`` is None)."""
    w = NeedWeights() if weights is None else weights
    return P / 1000.0 * (1.0 + w.afstand * A + w.normering * N + w.niveau * L)


def catalogue_bands(catalogue: Mapping[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """The norm bands of the catalogue (``indicators.catalogue.load_catalogue()``): indicator -> [(ondergrens,
    label), …] sorted by ondergrens, for the indicators that have a ``normering``.

    The default the caller passes when the stuurgroep has adopted no normering of its own (that one lives in the
    records store).
    """
    return {
        name: sorted((float(b["ondergrens"]), str(b["label"])) for b in spec.get("normering") or [])
        for name, spec in sorted(catalogue.get("indicatoren", {}).items())
        if spec.get("normering")
    }


# ------------------------------------------------------------------------------------------ need per wijk


def need(inputs: pd.DataFrame, bands: Bands, weights: NeedWeights | None = None) -> pd.DataFrame:
    """The need of every wijk in ``inputs``, one row per wijk, ordered by gebied_code.

    ``inputs`` is the long frame of ``dashboard.queries.need_inputs`` (columns :data:`INPUT_COLUMNS`): per wijk
    one row per input (``invoer``): its composite scores (``samengesteld`` and each ``thema``), and each indicator
    with a value in that year (``indicator``: waarde, gemeente_waarde, polariteit, gewicht), with the wijk's
    inwoners and huishoudens repeated on every row; a wijk without any input has one row with ``invoer`` NULL.
    ``bands``: the norm bands per indicator (the adopted normering, or :func:`catalogue_bands`).

    Columns (:data:`NEED_COLUMNS`): P (the size by ``weights.maat``, 0 when unknown) and its year P_jaar; A, N, L;
    behoefte; aandeel (the share of the total need; equal shares when the total is 0); scores, normen,
    vergelijkingen (how many composite scores, banded indicators and gemeente comparisons went into A, N and L);
    zonder_scores (no composite score: A = 0), zonder_omvang (size unknown: P = 0, so no need).
    """
    weights = NeedWeights() if weights is None else weights
    validate_weights(weights)
    missing = [c for c in INPUT_COLUMNS if c not in inputs.columns]
    if missing:
        raise ValueError(f"De invoer mist de kolommen {', '.join(missing)}.")
    rows = []
    for code, wijk in inputs.sort_values("gebied_code", kind="stable").groupby("gebied_code", sort=True):
        first = wijk.iloc[0]
        scores = wijk.loc[wijk["invoer"].isin(["samengesteld", "thema"]), "score"]
        scores = [s for s in scores if _present(s)]
        positions, gaps = [], []
        for r in wijk[wijk["invoer"] == "indicator"].itertuples(index=False):
            if not _present(r.waarde):
                continue
            if r.code in bands:
                p = band_position(r.waarde, bands[r.code], r.polariteit)
                if p is not None:
                    positions.append(p)
            if _present(r.gewicht) and r.gewicht > 0 and _present(r.gemeente_waarde):
                gap = level_gap(r.waarde, r.gemeente_waarde, r.polariteit)
                if gap is not None:
                    gaps.append(gap)
        size = first[weights.maat]
        comp_a = distance_to_baseline(scores)
        comp_n = sum(positions) / len(positions) if positions else 0.0
        comp_l = sum(gaps) / len(gaps) if gaps else 0.0
        p_size = float(size) if _present(size) else 0.0
        rows.append(
            {
                "gebied_code": code,
                "gebied_naam": first["gebied_naam"],
                "jaar": first["jaar"],
                "inwoners": first["inwoners"],
                "huishoudens": first["huishoudens"],
                "P": p_size,
                "P_jaar": first[f"{weights.maat}_jaar"],
                "A": comp_a,
                "N": comp_n,
                "L": comp_l,
                "behoefte": need_score(p_size, comp_a, comp_n, comp_l, weights),
                "scores": len(scores),
                "normen": len(positions),
                "vergelijkingen": len(gaps),
                "zonder_scores": not scores,
                "zonder_omvang": not _present(size),
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in NEED_COLUMNS if c != "aandeel"])
    total = float(out["behoefte"].sum())
    out["aandeel"] = out["behoefte"] / total if total > 0 else (1.0 / len(out) if len(out) else 0.0)
    return out[list(NEED_COLUMNS)].reset_index(drop=True)


# ------------------------------------------------------------------------------------------ distribution


def largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``total`` whole units over the keys in proportion to their weights (Hamilton's method).

    Quota q_k = total · w_k / Σw; every key gets ⌊q_k⌋, and the units left over go one each to the keys with the
    largest remainders q_k − ⌊q_k⌋. Ties are broken by the larger weight first, then by key in ascending order. The
    sum is always exactly ``total``. All weights 0: equal weights. A key with weight 0 gets 0 (unless all are 0).

    Exact arithmetic (fractions of the weights as given), so equal remainders are equal and the result does not
    depend on the order of the keys.
    """
    if isinstance(total, bool) or not isinstance(total, Integral) or total < 0:
        raise ValueError(f"Het aantal uren moet een geheel getal van 0 of meer zijn, niet {total!r}.")
    total = int(total)
    exact: dict[str, Fraction] = {}
    for key, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, Real) or not math.isfinite(float(w)):
            raise ValueError(f"Het gewicht van {key} moet een getal zijn, niet {w!r}.")
        if w < 0:
            raise ValueError(f"Het gewicht van {key} mag niet negatief zijn ({w}).")
        exact[key] = Fraction(float(w))
    if not exact:
        if total:
            raise ValueError(f"Er is niets om {total} uren over te verdelen.")
        return {}
    if sum(exact.values()) == 0:
        exact = dict.fromkeys(exact, Fraction(1))
    whole = sum(exact.values())
    quotas = {k: total * w / whole for k, w in exact.items()}
    result = {k: math.floor(q) for k, q in quotas.items()}
    left = total - sum(result.values())
    order = sorted(exact, key=lambda k: (-(quotas[k] - result[k]), -exact[k], k))
    for k in order[:left]:
        result[k] += 1
    return {k: result[k] for k in weights}


def distribute(hours: Mapping[str, int], need: Mapping[str, float]) -> pd.DataFrame:
    """Each partner's hours over the wijken in proportion to their need (:func:`largest_remainder`).

    ``hours``: partner -> whole hours; ``need``: gebied_code -> behoefte. A long frame partner, gebied_code,
    uren (int), ordered by partner and gebied_code; per partner the uren add up exactly to its hours.
    """
    rows = [
        (partner, code, uren)
        for partner in sorted(hours)
        for code, uren in sorted(largest_remainder(hours[partner], need).items())
    ]
    return pd.DataFrame(rows, columns=["partner", "gebied_code", "uren"]).astype({"uren": "int64"})


def hours_per_need(uren: Mapping[str, float], need_table: pd.DataFrame) -> pd.DataFrame:
    """Per wijk of ``need_table`` (the result of :func:`need`): the hours and their intensity.

    ``uren``: gebied_code -> hours (proposed, planned, spent or a scenario; a wijk not in it has 0 hours). Columns
    gebied_code, gebied_naam, uren, uren_per_1000 (hours per 1,000 inhabitants; NaN when the number of
    inhabitants is unknown or 0) and uren_per_behoefte (hours per unit of need; NaN when the need is 0). A code in
    ``uren`` that is not a wijk of the table is an error: hours never silently disappear.
    """
    unknown = sorted(set(uren) - set(need_table["gebied_code"]))
    if unknown:
        raise ValueError(f"Uren voor gebieden die geen wijk in de berekening zijn: {', '.join(unknown)}.")
    out = need_table[["gebied_code", "gebied_naam"]].copy()
    out["uren"] = [float(uren.get(code, 0)) for code in out["gebied_code"]]
    inwoners = pd.to_numeric(need_table["inwoners"], errors="coerce").astype(float)
    behoefte = need_table["behoefte"].astype(float)
    out["uren_per_1000"] = (out["uren"] / inwoners.where(inwoners > 0) * 1000.0).to_numpy()
    out["uren_per_behoefte"] = (out["uren"] / behoefte.where(behoefte > 0)).to_numpy()
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------------ helpers


def _present(value: object) -> bool:
    return value is not None and not bool(pd.isna(value))


def _check_polarity(polariteit: str) -> None:
    if polariteit not in POLARITIES:
        raise ValueError(
            f"Onbekende polariteit '{polariteit}': verwacht 'hoger_is_beter' of 'lager_is_beter'."
        )


# ------------------------------------------------------------------------------------------ the inputs' query

# What need() takes, from the warehouse's marts and staging (run by dashboard.queries.need_inputs with the
# bound parameters $1 = year, $2 = gemeente code; and by the demo's seeding on a read-only connection).
NEED_INPUTS_SQL = """
    WITH wijken AS (
        SELECT gebied_code, gebied_naam FROM marts.dim_gebied
        WHERE niveau = 'wijk' AND substr(gebied_code, 3, 4) = substr($2, 3, 4)
    ),
    bevolking_omgezet AS (
        SELECT coalesce(o.naar_code, b.gebied_code) AS code, b.jaar,
               CAST(b.inwoners AS DOUBLE) * coalesce(o.aandeel, 1) AS inwoners,
               CAST(b.huishoudens AS DOUBLE) * coalesce(o.aandeel, 1) AS huishoudens,
               b.load_id,
               max(b.load_id) OVER (PARTITION BY coalesce(o.naar_code, b.gebied_code), b.jaar) AS nieuwste
        FROM staging.stg_bevolking__kerncijfers AS b
        LEFT JOIN meta.load_indeling AS l USING (load_id)
        LEFT JOIN marts.fct_omzetting AS o ON o.van_indeling = l.indeling AND o.van_code = b.gebied_code
        WHERE b.vervangen_door IS NULL AND b.jaar <= $1 AND b.niveau IN ('wijk', 'buurt')
          AND NOT (o.van_code IS NOT NULL AND o.naar_code IS NULL)
          AND substr(coalesce(o.naar_code, b.gebied_code), 3, 4) = substr($2, 3, 4)
    ),
    bevolking_gebied AS (
        SELECT code, jaar,
               CASE WHEN count(inwoners) = count(*) THEN sum(inwoners) END AS inwoners,
               CASE WHEN count(huishoudens) = count(*) THEN sum(huishoudens) END AS huishoudens
        FROM bevolking_omgezet
        WHERE load_id = nieuwste
        GROUP BY ALL
    ),
    bevolking_wijk AS (
        SELECT coalesce(w.code, s.code) AS gebied_code, coalesce(w.jaar, s.jaar) AS jaar,
               coalesce(w.inwoners, s.inwoners) AS inwoners, coalesce(w.huishoudens, s.huishoudens) AS huishoudens
        FROM (SELECT * FROM bevolking_gebied WHERE starts_with(code, 'WK')) AS w
        FULL JOIN (
            SELECT 'WK' || substr(code, 3, 6) AS code, jaar,
                   CASE WHEN count(inwoners) = count(*) THEN sum(inwoners) END AS inwoners,
                   CASE WHEN count(huishoudens) = count(*) THEN sum(huishoudens) END AS huishoudens
            FROM bevolking_gebied
            WHERE starts_with(code, 'BU')
            GROUP BY ALL
        ) AS s ON s.code = w.code AND s.jaar = w.jaar
    ),
    bevolking AS (
        SELECT gebied_code,
               arg_max(inwoners, jaar) FILTER (WHERE inwoners IS NOT NULL) AS inwoners,
               max(jaar) FILTER (WHERE inwoners IS NOT NULL) AS inwoners_jaar,
               arg_max(huishoudens, jaar) FILTER (WHERE huishoudens IS NOT NULL) AS huishoudens,
               max(jaar) FILTER (WHERE huishoudens IS NOT NULL) AS huishoudens_jaar
        FROM bevolking_wijk
        GROUP BY gebied_code
    ),
    composieten AS (
        SELECT gebied_code, groep_type AS invoer, groep AS code, score, NULL::DOUBLE AS waarde,
               NULL::DOUBLE AS gemeente_waarde, NULL::VARCHAR AS polariteit, NULL::DOUBLE AS gewicht
        FROM marts.fct_composites
        WHERE niveau = 'wijk' AND jaar = $1 AND groep_type IN ('samengesteld', 'thema') AND score IS NOT NULL
          AND substr(gebied_code, 3, 4) = substr($2, 3, 4)
    ),
    -- complete years only: half a year of reports is no yearly figure (methodology, "Onvolledige jaren")
    gemeente AS (
        SELECT indicator, waarde FROM marts.fct_indicator_scores
        WHERE niveau = 'gemeente' AND jaar = $1 AND volledig AND waarde IS NOT NULL
          AND gebied_code = 'GM' || substr($2, 3, 4)
    ),
    indicatoren AS (
        SELECT s.gebied_code, 'indicator' AS invoer, s.indicator AS code, NULL::DOUBLE AS score, s.waarde,
               g.waarde AS gemeente_waarde, i.polariteit, i.gewicht
        FROM marts.fct_indicator_scores AS s
        JOIN marts.dim_indicator AS i USING (indicator)
        LEFT JOIN gemeente AS g USING (indicator)
        WHERE s.niveau = 'wijk' AND s.jaar = $1 AND s.volledig AND s.waarde IS NOT NULL
          AND substr(s.gebied_code, 3, 4) = substr($2, 3, 4)
    ),
    invoer AS (
        SELECT * FROM composieten
        UNION ALL
        SELECT * FROM indicatoren
    )
    SELECT w.gebied_code, w.gebied_naam, $1::INTEGER AS jaar, b.inwoners, b.inwoners_jaar, b.huishoudens,
           b.huishoudens_jaar, i.invoer, i.code, i.score, i.waarde, i.gemeente_waarde, i.polariteit, i.gewicht
    FROM wijken AS w
    LEFT JOIN bevolking AS b USING (gebied_code)
    LEFT JOIN invoer AS i USING (gebied_code)
    ORDER BY w.gebied_code, CASE i.invoer WHEN 'samengesteld' THEN 0 WHEN 'thema' THEN 1 ELSE 2 END, i.code
"""
