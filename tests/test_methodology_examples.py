"""Every number in the worked examples of docs/methodology.md, computed by the engine itself.

Each example is a tiny world: staging rows (what a partner delivered) put through the real build steps of
``etl.build.STEPS`` (int_waarnemingen_jaar → … → fct_doelen, with the engine's functions and macros), or, for the
examples about the composite's statistics alone (Benjamini–Hochberg), a hand-made ``fct_indicator_scores``
put through the real ``fct_onderdrukking``, ``fct_composites`` and ``fct_doelen``. Intermediate steps shown in the
document come from the engine's macros (``wm_logwaarde``, ``wm_logvar``, ``wm_projectie_se``, …) or are arithmetic
on the engine's output columns.

Two checks per example section of the document:

* every pinned snippet (a number as printed, with the words around it) is in the section, with the number
  the engine computes, rounded as printed;
* every number in the section is accounted for: an input of the example (also used to build its world), a
  setting or constant of the formula, or a pinned engine number. A number typed into the document by hand
  fails here.

Part 1's examples (the blocks that start with "> **Voorbeeld") are checked the same way, in Dutch notation.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from scipy.stats import norm

from etl.build import DIVISION_STEPS, STAGING_STEPS, build, ensure_schema
from indicators.catalogue import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"

SETUP = STAGING_STEPS | DIVISION_STEPS | {"dim_variabele", "dim_catalogus", "wm_functies", "wm_macros"}
ENGINE = {
    "int_waarnemingen_jaar",
    "int_waarnemingen",
    "int_indicator_waarden",
    "fct_overdispersie",
    "fct_indicator_scores",
    "fct_indicator_vorige",
    "fct_onderdrukking",
    "fct_composites",
    "fct_doelen",
}
AFTER_SCORES = {"fct_onderdrukking", "fct_composites", "fct_doelen"}

OPENBARE_RUIMTE = "meldingen_openbare_ruimte_per_1000_inwoners"
OVERLAST_JEUGD = "overlast_jeugd_per_1000_inwoners"
ONVEILIG = "onveilig_in_buurt_pct"
RAPPORTCIJFER = "rapportcijfer_leefbaarheid"


# ------------------------------------------------------------------------------------------ a tiny world


def _level(code: str) -> str:
    return {"BU": "buurt", "WK": "wijk", "GM": "gemeente"}[code[:2]]


def engine(
    inwoners: Iterable[tuple[str, int, int]] = (),
    partner: Iterable[tuple] = (),
    instellingen: dict[str, object] | None = None,
    scores: pd.DataFrame | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse: the real dimensions, functions and macros, these staging rows, the real steps.

    ``inwoners``: (area, year, inhabitants). ``partner``: (bron, variabele, area, year, waarde, n, sd,
    n_effectief), delivered per year. ``instellingen``: settings in meta.instellingen. ``scores``: a hand-made fct_indicator_scores instead (then only the steps
    after it run). The intermediate tables are kept in schema ``intermediate``.
    """
    con = duckdb.connect()
    ensure_schema(con)
    for key, value in (instellingen or {}).items():
        con.execute("INSERT INTO meta.instellingen VALUES (?, ?)", [key, str(value)])
    build(con, only=SETUP)
    for i, (code, year, people) in enumerate(inwoners):
        con.execute(
            "INSERT INTO staging.stg_bevolking__kerncijfers (gebied_code, niveau, jaar, inwoners, load_id, rij) "
            "VALUES (?, ?, ?, ?, 1, ?)",
            [code, _level(code), year, people, i],
        )
    for i, (bron, var, code, year, value, n, sd, n_eff) in enumerate(partner):
        con.execute(
            "INSERT INTO staging.stg_partner__waarnemingen (bron, gebied_code, niveau, periode, jaar, periode_type, "
            "periode_nr, variabele, waarde, n, sd, n_effectief, load_id, rij) "
            "VALUES (?, ?, ?, ?, ?, 'jaar', 1, ?, ?, ?, ?, ?, 2, ?)",
            [bron, code, _level(code), str(year), year, var, value, n, sd, n_eff, i],
        )
    if scores is not None:
        con.register("_scores", scores)
        con.execute("CREATE TABLE marts.fct_indicator_scores AS SELECT * FROM _scores")
        con.unregister("_scores")
        build(con, only=AFTER_SCORES)
    else:
        con.execute("CREATE SCHEMA intermediate")
        build(con, only=ENGINE, keep_intermediate=True)
    return con


def row(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> dict:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    found = cur.fetchall()
    assert len(found) == 1, (sql, params, found)
    return dict(zip(names, found[0], strict=True))


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> float:
    return con.execute(sql, params or []).fetchone()[0]


def score(con, indicator: str, area: str, year: int) -> dict:
    return row(
        con,
        "SELECT * FROM marts.fct_indicator_scores WHERE indicator = ? AND gebied_code = ? AND jaar = ?",
        [indicator, area, year],
    )


def composite(con, area: str, year: int, group: str) -> dict:
    return row(
        con,
        "SELECT * FROM marts.fct_composites WHERE gebied_code = ? AND jaar = ? AND groep = ?",
        [area, year, group],
    )


def target(con, area: str, year: int, group: str = "samengesteld") -> dict:
    return row(
        con,
        "SELECT * FROM marts.fct_doelen WHERE gebied_code = ? AND peiljaar = ? AND groep = ?",
        [area, year, group],
    )


def settings(con) -> dict:
    return row(con, "SELECT * FROM marts.dim_instellingen")


def logwaarde(con, onzekerheid: str, teller=None, noemer=None, waarde=None, n_eff=None) -> float:
    return scalar(
        con,
        "SELECT wm_logwaarde(?::VARCHAR, ?::DOUBLE, ?::DOUBLE, ?::DOUBLE, ?::DOUBLE)",
        [onzekerheid, teller, noemer, waarde, n_eff],
    )


def logvar(con, onzekerheid: str, teller=None, waarde=None, n_eff=None, sd=None) -> float:
    return scalar(
        con,
        "SELECT wm_logvar(?::VARCHAR, ?::DOUBLE, ?::DOUBLE, ?::DOUBLE, ?::DOUBLE)",
        [onzekerheid, teller, waarde, n_eff, sd],
    )


def omrekenfactor(con, indicator: str) -> float:
    return scalar(con, "SELECT omrekenfactor FROM marts.dim_methodebreuk WHERE indicator = ?", [indicator])


# ------------------------------------------------------------------------------------------ the examples' inputs

# Examples 1-4 and 6: one wijk, 2019 and 2023.
WIJK = "WK099901"
INWONERS = {2019: 4250, 2023: 4310}
MELDINGEN = {2019: 152, 2023: 149}  # meldingen openbare ruimte (a count)
JEUGD = {2019: 0, 2023: 2}  # meldingen overlast jeugd: 0 -> 2
ONVEILIG_PCT = {2019: (15.0, 240, 200), 2023: (19.0, 250, 208)}  # percentage, n, n_effectief
CIJFER = {2019: (7.1, 1.3, 180), 2023: (7.0, 1.3, 180)}  # mean, sd, n (no n_effectief delivered)

# Example 5: three wijken of one gemeente, 2017-2019, constant population.
HISTORIE = {
    "WK099801": (4000, {2017: 131, 2018: 152, 2019: 128}),
    "WK099802": (2500, {2017: 64, 2018: 51, 2019: 66}),
    "WK099803": (3000, {2017: 88, 2018: 97, 2019: 75}),
}

# Example 7: six wijken of one gemeente, 2023: two-sided p-value and direction of their composite.
BH = {
    "WK099401": (0.040, -1),
    "WK099403": (0.001, -1),
    "WK099404": (0.800, -1),
    "WK099405": (0.070, 1),
    "WK099406": (0.250, -1),
    "WK099402": (0.260, 1),
}

# Example 8: one wijk, four years up to a peiljaar before the target year.
TREND_WIJK = "WK099501"
TREND = {2019: 152, 2020: 160, 2021: 171, 2022: 178}
TREND_INWONERS = 4250

# Example 9: a gemeente's survey result from its wijken (inhabitants, percentage, n, n_effectief).
ENQUETE_WIJKEN = {
    "WK099701": (5200, 14.0, 260, 210),
    "WK099702": (3100, 22.0, 190, 160),
    "WK099703": (1700, 31.0, 150, 120),
}
ZONDER_ENQUETE = ("WK099704", 400)

# Example 10: a rate where one buurt did not deliver (meldingen, inhabitants; None = not delivered).
DEKKING = {
    "BU09960101": (120, 2000),
    "BU09960102": (80, 1500),
    "BU09960103": (None, 1000),
    "BU09960201": (90, 2500),
    "BU09960202": (60, 1500),
}


@functools.cache
def wijk_world() -> duckdb.DuckDBPyConnection:
    """Examples 1-4 and 6."""
    partner = []
    for year in (2019, 2023):
        partner.append(
            ("gemeente", "meldingen_openbare_ruimte", WIJK, year, MELDINGEN[year], None, None, None)
        )
        partner.append(("gemeente", "meldingen_overlast_jeugd", WIJK, year, JEUGD[year], None, None, None))
        pct, n, n_eff = ONVEILIG_PCT[year]
        partner.append(("enquete", "onveilig_in_buurt", WIJK, year, pct, n, None, n_eff))
        mean, sd, n = CIJFER[year]
        partner.append(("enquete", "rapportcijfer_leefbaarheid", WIJK, year, mean, n, sd, None))
    return engine(inwoners=[(WIJK, y, p) for y, p in INWONERS.items()], partner=partner)


@functools.cache
def history_world(min_paren: int | None = None) -> duckdb.DuckDBPyConnection:
    """Example 5 (with the default settings, or with overdispersie_min_paren = min_paren)."""
    inwoners, partner = [], []
    for code, (people, counts) in HISTORIE.items():
        for year, x in counts.items():
            inwoners.append((code, year, people))
            partner.append(("gemeente", "meldingen_openbare_ruimte", code, year, x, None, None, None))
    extra = {"overdispersie_min_paren": min_paren} if min_paren else None
    return engine(inwoners=inwoners, partner=partner, instellingen=extra)


@functools.cache
def bh_world() -> duckdb.DuckDBPyConnection:
    """Example 7: one objective indicator per wijk whose change has exactly the given two-sided p-value."""
    se = 0.1
    rows = [
        {
            "gebied_code": code,
            "niveau": "wijk",
            "indicator": OPENBARE_RUIMTE,
            "jaar": 2023,
            "teller": 100.0,
            "onderdrukt": False,
            "log_verschil": sign * norm.isf(p / 2) * se,
            "log_se": se,
            "in_samengesteld": True,
            "waarde": 1.0,
            "basiswaarde": 1.0,
        }
        for code, (p, sign) in BH.items()
    ]
    return engine(scores=pd.DataFrame(rows))


@functools.cache
def trend_world() -> duckdb.DuckDBPyConnection:
    """Example 8."""
    return engine(
        inwoners=[(TREND_WIJK, y, TREND_INWONERS) for y in TREND],
        partner=[
            ("gemeente", "meldingen_openbare_ruimte", TREND_WIJK, y, x, None, None, None)
            for y, x in TREND.items()
        ],
    )


@functools.cache
def survey_world() -> duckdb.DuckDBPyConnection:
    """Example 9."""
    inwoners = [(code, 2023, v[0]) for code, v in ENQUETE_WIJKEN.items()] + [
        (ZONDER_ENQUETE[0], 2023, ZONDER_ENQUETE[1])
    ]
    partner = [
        ("enquete", "onveilig_in_buurt", code, 2023, p, n, None, ne)
        for code, (_, p, n, ne) in ENQUETE_WIJKEN.items()
    ]
    return engine(inwoners=inwoners, partner=partner)


@functools.cache
def coverage_world() -> duckdb.DuckDBPyConnection:
    """Example 10."""
    inwoners = [(code, 2023, people) for code, (_, people) in DEKKING.items()]
    partner = [
        ("gemeente", "meldingen_openbare_ruimte", code, 2023, x, None, None, None)
        for code, (x, _) in DEKKING.items()
        if x is not None
    ]
    return engine(inwoners=inwoners, partner=partner)


# ------------------------------------------------------------------------------------------ the document

NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
CONSTANTS = {"0", "1", "2", "100"}  # of the formulas: x + ½, 2σ², 100 · exp(L), …
YEARS = Settings.resolve()


def en(value: float, decimals: int) -> str:
    """A number as Part 2 prints it (plain minus sign, point as decimal separator)."""
    text = f"{value:.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def nl(value: float, decimals: int) -> str:
    """A number as Part 1 prints it: decimal comma."""
    return en(value, decimals).replace(".", ",")


def nl_int(value: float) -> str:
    """A whole number as Part 1 prints it: 3.500."""
    return f"{round(value):,}".replace(",", ".")


def squash(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def document() -> str:
    return DOC.read_text(encoding="utf-8")


def example_section(number: int) -> str:
    """The text of "#### Example <number> — …" up to the next heading, whitespace collapsed."""
    lines = document().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"#### Example {number} "))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return squash("\n".join(lines[start + 1 : end]))


def voorbeeld_blocks() -> list[str]:
    """Part 1's example blocks: quoted paragraphs that start with "> **Voorbeeld", without the quote marks."""
    blocks, current = [], None
    for line in document().splitlines():
        if line.startswith("> **Voorbeeld"):
            current = [line[2:]]
            blocks.append(current)
        elif current is not None and line.startswith(">"):
            current.append(line[1:])
        else:
            current = None
    return [squash("\n".join(b)) for b in blocks]


def sign_text(con, indicator: str) -> str:
    pol = scalar(con, "SELECT polariteit FROM marts.dim_indicator WHERE indicator = ?", [indicator])
    return "+1" if pol == "hoger_is_beter" else "−1"


def dim(con, indicator: str) -> dict:
    return row(con, "SELECT * FROM marts.dim_indicator WHERE indicator = ?", [indicator])


def breuk(con, indicator: str) -> dict:
    return row(con, "SELECT * FROM marts.dim_methodebreuk WHERE indicator = ?", [indicator])


def overdispersie(con, gemeente: str, indicator: str, niveau: str) -> dict:
    return row(
        con,
        "SELECT * FROM marts.fct_overdispersie WHERE gemeente_code = ? AND indicator = ? AND niveau = ?",
        [gemeente, indicator, niveau],
    )


def count_change(con, indicator: str, x: dict, population: dict) -> tuple[list[str], dict]:
    """Examples 1 and 2: the table of a count and the log-scale change, as printed."""
    r0, r1 = score(con, indicator, WIJK, 2019), score(con, indicator, WIJK, 2023)
    lw = {y: logwaarde(con, "poisson", x[y], population[y]) for y in (2019, 2023)}
    lv = {y: logvar(con, "poisson", x[y]) for y in (2019, 2023)}
    od = overdispersie(con, "GM0999", indicator, "wijk")
    assert od["sigma2"] == pytest.approx(r1["overdispersie"])
    se, s = r1["log_se"], settings(con)
    rows = [
        f"| {y} | {x[y]} | {population[y]} | {en(r['waarde'], 4)} | [{en(r['ci_laag'], 4)}, {en(r['ci_hoog'], 4)}] "
        f"| {en(lw[y], 6)} | {en(lv[y], 6)} |"
        for y, r in ((2019, r0), (2023, r1))
    ]
    snippets = [
        *rows,
        f"L = {sign_text(con, indicator)} × ({en(lw[2023], 6)} − ({en(lw[2019], 6)})) = {en(r1['log_verschil'], 6)}",
        f"Var L = {en(lv[2023], 6)} + {en(lv[2019], 6)} + 2 × {en(od['sigma2'], 4)} = {en(se * se, 6)}, "
        f"se = {en(se, 6)}",
    ]
    values = {"r0": r0, "r1": r1, "od": od, "se": se, "lv": lv, "s": s}
    return snippets, values


def example_1() -> tuple[list[str], set[str]]:
    con = wijk_world()
    snippets, v = count_change(con, OPENBARE_RUIMTE, MELDINGEN, INWONERS)
    r1, od, se, lv, s = v["r1"], v["od"], v["se"], v["lv"], v["s"]
    L = r1["log_verschil"]
    assert r1["in_samengesteld"]
    snippets += [
        f"{MELDINGEN[2019]} reports on {INWONERS[2019]} inhabitants in 2019, {MELDINGEN[2023]} on {INWONERS[2023]} in 2023",
        f"σ² = {en(s['jaarvariatie_standaard'], 2)}² = {en(od['sigma2'], 4)} (`{od['herkomst']}`)",
        f"(the Poisson part alone would give se = {en(math.sqrt(lv[2019] + lv[2023]), 6)})",
        f"score = 100 · exp({en(L, 6)}) = {en(r1['score'], 2)}, interval 100 · exp({en(L, 6)} ∓ {en(s['z'], 6)} × "
        f"{en(se, 6)}) = [{en(r1['score_laag'], 2)}, {en(r1['score_hoog'], 2)}]",
        f"z = {en(L, 6)} / {en(se, 6)} = {en(r1['z'], 4)}, p = {en(r1['p_waarde'], 4)} → `{r1['verandering']}`",
        f"the baseline count {MELDINGEN[2019]} is at least `minimum_basisgebeurtenissen` = "
        f"{s['minimum_basisgebeurtenissen']}, so the indicator enters the composite",
    ]
    return snippets, {"1000", "95", "6"}


def example_2() -> tuple[list[str], set[str]]:
    con = wijk_world()
    snippets, v = count_change(con, OVERLAST_JEUGD, JEUGD, INWONERS)
    r1, s = v["r1"], v["s"]
    assert r1["onderdrukt"] and not r1["in_samengesteld"]
    assert OVERLAST_JEUGD in composite(con, WIJK, 2023, "samengesteld")["uitgesloten"]
    snippets += [
        f"{JEUGD[2019]} reports in 2019, {JEUGD[2023]} in 2023",
        f"score = {en(r1['score'], 2)}, interval [{en(r1['score_laag'], 2)}, {en(r1['score_hoog'], 2)}]; "
        f"z = {en(r1['z'], 4)}, p = {en(r1['p_waarde'], 4)} → `{r1['verandering']}`",
        f"the count {JEUGD[2023]} is below `onderdrukking_drempel` = {s['drempel']}: `onderdrukt`",
        f"the baseline count {JEUGD[2019]} is below {s['minimum_basisgebeurtenissen']}: not in the composite; "
        "`fct_composites` lists it in `uitgesloten`",
    ]
    return snippets, {"1000", "95"}


def example_3() -> tuple[list[str], set[str]]:
    con = wijk_world()
    r = {y: score(con, ONVEILIG, WIJK, y) for y in (2019, 2023)}
    b, s = breuk(con, ONVEILIG), settings(con)
    lw = {y: logwaarde(con, "binomiaal", None, None, r[y]["waarde"], r[y]["n_eff"]) for y in r}
    lv = {y: logvar(con, "binomiaal", None, r[y]["waarde"], r[y]["n_eff"]) for y in r}
    ln_f = math.log(b["omrekenfactor"])
    r1, se = r[2023], r[2023]["log_se"]
    assert r1["in_samengesteld"] and r1["overdispersie"] is None
    snippets = [
        f"Delivered: {en(ONVEILIG_PCT[2019][0], 1)}% of n = {ONVEILIG_PCT[2019][1]} respondents with `n_effectief` = "
        f"{en(r[2019]['n_eff'], 0)} in 2019; {en(ONVEILIG_PCT[2023][0], 1)}% of n = {ONVEILIG_PCT[2023][1]} with "
        f"`n_effectief` = {en(r[2023]['n_eff'], 0)} in 2023",
        f"Wilson intervals with n_eff: 2019 [{en(r[2019]['ci_laag'], 2)}, {en(r[2019]['ci_hoog'], 2)}], 2023 "
        f"[{en(r1['ci_laag'], 2)}, {en(r1['ci_hoog'], 2)}]",
        *[
            f"| {y} | {en(r[y]['waarde'], 1)}% | {en(r[y]['n_eff'], 0)} | {en(math.exp(lw[y]) * (r[y]['n_eff'] + 1), 2)} "
            f"| {en(math.exp(lw[y]), 6)} | {en(lw[y], 6)} | {en(lv[y], 6)} |"
            for y in r
        ],
        f"redesigned in {b['jaar']}; the catalogue's `omrekenfactor` for this item is {en(b['omrekenfactor'], 2)}",
        f"ln {en(b['omrekenfactor'], 2)} = {en(ln_f, 6)} is added to its log",
        f"L = {sign_text(con, ONVEILIG)} × ({en(lw[2023], 6)} − ({en(lw[2019], 6)} + {en(ln_f, 6)})) = "
        f"{en(r1['log_verschil'], 6)}",
        f"Var L = {en(lv[2023], 6)} + {en(lv[2019], 6)} = {en(se * se, 6)} (no overdispersion term for survey "
        f"values), se = {en(se, 6)}",
        f"score = {en(r1['score'], 2)}, interval [{en(r1['score_laag'], 2)}, {en(r1['score_hoog'], 2)}]; "
        f"z = {en(r1['z'], 4)}, p = {en(r1['p_waarde'], 4)} → `{r1['verandering']}`; remark `{r1['opmerking']}`",
        f"{en(r[2019]['waarde'], 1)}% of {en(r[2019]['n_eff'], 0)} effective respondents is well above "
        f"{s['minimum_basisgebeurtenissen']} expected baseline events",
    ]
    return snippets, set()


def example_4() -> tuple[list[str], set[str]]:
    con = wijk_world()
    r = {y: score(con, RAPPORTCIJFER, WIJK, y) for y in (2019, 2023)}
    b, s = breuk(con, RAPPORTCIJFER), settings(con)
    lw = {y: logwaarde(con, "gemiddelde", None, None, r[y]["waarde"]) for y in r}
    lv = {y: logvar(con, "gemiddelde", None, r[y]["waarde"], r[y]["n_eff"], r[y]["sd"]) for y in r}
    ln_f = math.log(b["omrekenfactor"])
    r1, se = r[2023], r[2023]["log_se"]
    mean0, sd0, n0 = CIJFER[2019]
    mean1, sd1, n1 = CIJFER[2023]
    assert r1["in_samengesteld"]
    snippets = [
        f"(higher is better, weight {dim(con, RAPPORTCIJFER)['gewicht']:.0f})",
        f"Delivered: mean {mean0}, sd {sd0}, n = {n0} in 2019; {mean1}, sd {sd1}, n = {n1} in 2023; no `n_effectief`, "
        f"so n_eff = {n1} / `ontwerpeffect_standaard` = {n1} / {en(s['ontwerpeffect_standaard'], 1)} = "
        f"{en(r1['n_eff'], 0)}",
        f"| year | m | interval m ± {en(s['z'], 6)} · {sd1} / √{n1} | ℓ = ln m | var ℓ = s² / (n_eff · m²) |",
        *[
            f"| {y} | {CIJFER[y][0]} | [{en(r[y]['ci_laag'], 4)}, {en(r[y]['ci_hoog'], 4)}] | {en(lw[y], 6)} "
            f"| {en(lv[y], 8)} |"
            for y in r
        ],
        f"The half-width {en(s['z'], 6)} · {sd1} / √{n1} = {en(r1['ci_hoog'] - r1['waarde'], 6)}",
        f"The {b['jaar']} break has `omrekenfactor` {en(b['omrekenfactor'], 2)} for this item: "
        f"ln {en(b['omrekenfactor'], 2)} = {en(ln_f, 6)} is added to the 2019 log",
        f"L = {sign_text(con, RAPPORTCIJFER)} × ({en(lw[2023], 6)} − ({en(lw[2019], 6)} + ({en(ln_f, 6)}))) = "
        f"{en(r1['log_verschil'], 6)}",
        f"Var L = {en(lv[2023], 8)} + {en(lv[2019], 8)} = {en(se * se, 8)}, se = {en(se, 6)}",
        f"score = {en(r1['score'], 2)}, interval [{en(r1['score_laag'], 2)}, {en(r1['score_hoog'], 2)}]; "
        f"z = {en(r1['z'], 4)}, p = {en(r1['p_waarde'], 4)} → `{r1['verandering']}`",
    ]
    return snippets, set()


def example_5() -> tuple[list[str], set[str]]:
    con, wider = history_world(), history_world(6)
    snippets = [
        "| " + " | ".join([code, str(people), *(str(counts[y]) for y in sorted(counts))]) + " |"
        for code, (people, counts) in HISTORIE.items()
    ]
    for code, (people, counts) in HISTORIE.items():
        years = sorted(counts)
        for a, b in zip(years, years[1:], strict=False):
            d = logwaarde(con, "poisson", counts[b], people) - logwaarde(con, "poisson", counts[a], people)
            v = logvar(con, "poisson", counts[a]) + logvar(con, "poisson", counts[b])
            snippets.append(
                f"| {code} | {a}–{b} | {en(d, 6)} | {en(d * d, 6)} | {en(v, 6)} | {en(d * d - v, 6)} |"
            )
    wijk, gem = (
        overdispersie(con, "GM0998", OPENBARE_RUIMTE, "wijk"),
        overdispersie(con, "GM0998", OPENBARE_RUIMTE, "gemeente"),
    )
    wijk6, gem6 = (
        overdispersie(wider, "GM0998", OPENBARE_RUIMTE, "wijk"),
        overdispersie(wider, "GM0998", OPENBARE_RUIMTE, "gemeente"),
    )
    est = wijk["sigma2_geschat"]
    s = settings(con)
    snippets += [
        f"The mean of the last column is {en(2 * est, 6)} = 2σ̂², so σ̂² = {en(est, 6)} (`sigma2_geschat`, `paren` = "
        f"{wijk['paren']})",
        f"√{en(est, 6)} = {en(math.sqrt(est), 6)}",
        f"with the default `overdispersie_min_paren` = {s['overdispersie_min_paren']}, the {wijk['paren']} pairs are "
        f"too few",
        f"the wijk level uses {en(wijk['sigma2'], 4)} (`{wijk['herkomst']}`). The gemeente level has {gem['paren']} "
        f"pairs of its own (sums of the three wijken, estimate {en(gem['sigma2_geschat'], 6)}) and falls back the "
        f"same way to {en(gem['sigma2'], 4)}",
        f"with `wijkmonitor instellingen overdispersie_min_paren={wijk['paren']}`, the wijk level uses its own "
        f"{en(wijk6['sigma2'], 6)} (`{wijk6['herkomst']}`) and the gemeente level the wijk estimate "
        f"{en(gem6['sigma2'], 6)} (`{gem6['herkomst']}`)",
    ]
    assert gem["herkomst"] == wijk["herkomst"]
    return snippets, {"2017", "2018", "2019"}


def example_6() -> tuple[list[str], set[str]]:
    con = wijk_world()
    s = settings(con)
    basket = [OPENBARE_RUIMTE, ONVEILIG, RAPPORTCIJFER]
    sc = {i: score(con, i, WIJK, 2023) for i in basket}
    d = {i: dim(con, i) for i in basket}
    L = {i: sc[i]["log_verschil"] for i in basket}
    se = {i: sc[i]["log_se"] for i in basket}
    c = {
        g: composite(con, WIJK, 2023, g) for g in ("objectief", "subjectief", "samengesteld", "woonomgeving")
    }
    assert sorted(c["samengesteld"]["indicatoren"]) == sorted(basket)
    assert c["samengesteld"]["uitgesloten"] == [OVERLAST_JEUGD]
    w_o, w_r = d[ONVEILIG]["gewicht"], d[RAPPORTCIJFER]["gewicht"]
    som_w = w_o + w_r
    rho = s["enquete_correlatie"]
    wsw = c["subjectief"]["log_se"] ** 2 * som_w**2
    cross = 2 * rho * w_o * w_r * se[ONVEILIG] * se[RAPPORTCIJFER]
    assert wsw == pytest.approx(w_o**2 * se[ONVEILIG] ** 2 + w_r**2 * se[RAPPORTCIJFER] ** 2 + cross)
    tot = c["samengesteld"]
    z1 = s["z_eenzijdig"]
    power = norm.ppf(0.8)
    threshold = 100 * (1 - s["marge"])

    def var(g: str, decimals: int = 6) -> str:
        return en(c[g]["log_se"] ** 2, decimals)

    snippets = [
        *[
            f"| `{i}` | {d[i]['soort']} | {d[i]['thema']} | {d[i]['gewicht']:.0f} | {en(L[i], 6)} | {en(se[i], 6)} "
            f"| {en(se[i] ** 2, 8 if se[i] < 0.1 else 6)} |"
            for i in basket
        ],
        f"objectief: one indicator, L = {en(c['objectief']['log_verschil'], 6)}, Var L = {var('objectief')}.",
        f"subjectief: L = ({w_o:.0f} × ({en(L[ONVEILIG], 6)}) + {w_r:.0f} × {en(L[RAPPORTCIJFER], 6)}) / {som_w:.0f} = "
        f"{en(c['subjectief']['log_verschil'], 6)}",
        f"ρ = {en(rho, 1)}: w′Σw = {w_o:.0f}² × {en(se[ONVEILIG] ** 2, 6)} + {w_r:.0f}² × "
        f"{en(se[RAPPORTCIJFER] ** 2, 8)} + 2 × {en(rho, 1)} × {w_o:.0f} × {w_r:.0f} × {en(se[ONVEILIG], 6)} × "
        f"{en(se[RAPPORTCIJFER], 6)} = {en(w_o**2 * se[ONVEILIG] ** 2, 6)} + {en(w_r**2 * se[RAPPORTCIJFER] ** 2, 6)} + "
        f"{en(cross, 6)} = {en(wsw, 6)}, so Var L = {en(wsw, 6)} / {som_w:.0f}² = {var('subjectief')}, se = "
        f"{en(c['subjectief']['log_se'], 6)}",
        f"samengesteld (50/50): L = ½ ({en(c['objectief']['log_verschil'], 6)} + "
        f"({en(c['subjectief']['log_verschil'], 6)})) = {en(tot['log_verschil'], 6)}, Var L = ¼ ({var('objectief')} + "
        f"{var('subjectief')}) = {var('samengesteld')}, se = {en(tot['log_se'], 6)}",
        f"two-sided: score = 100 · exp({en(tot['log_verschil'], 6)}) = {en(tot['score'], 2)}, interval "
        f"[{en(tot['ci_laag'], 2)}, {en(tot['ci_hoog'], 2)}], z = {en(tot['z'], 4)}, p = {en(tot['p_waarde'], 4)} → "
        f"`verandering` = `{tot['verandering']}`",
        f"ondergrens = 100 · exp({en(tot['log_verschil'], 6)} − {en(z1, 6)} × {en(tot['log_se'], 6)}) = "
        f"{en(tot['ondergrens'], 2)}, bovengrens = 100 · exp({en(tot['log_verschil'], 6)} + {en(z1, 6)} × "
        f"{en(tot['log_se'], 6)}) = {en(tot['bovengrens'], 2)}",
        f"The ondergrens is below {en(threshold, 0)} and the bovengrens is not: `oordeel` = `{tot['oordeel']}`, and "
        f"`fct_doelen` gives status `{target(con, WIJK, 2023)['status']}` for peiljaar 2023",
        f"detecteerbaar = 100 · (1 − exp(−({en(z1, 6)} + {en(power, 6)}) × {en(tot['log_se'], 6)})) = "
        f"{en(tot['detecteerbaar'], 2)}: with these numbers only a decline of about {en(tot['detecteerbaar'], 2)}% of "
        "the 2019 level would be detected with 80% power",
        f"L = ({dim(con, OPENBARE_RUIMTE)['gewicht']:.0f} × {en(L[OPENBARE_RUIMTE], 6)} + {w_r:.0f} × "
        f"{en(L[RAPPORTCIJFER], 6)}) / {dim(con, OPENBARE_RUIMTE)['gewicht'] + w_r:.0f} = "
        f"{en(c['woonomgeving']['log_verschil'], 6)}, score "
        f"{en(c['woonomgeving']['score'], 2)}, bounds [{en(c['woonomgeving']['ondergrens'], 2)}, "
        f"{en(c['woonomgeving']['bovengrens'], 2)}] → `{c['woonomgeving']['oordeel']}`",
    ]
    assert tot["oordeel"] == "onbeslist" and tot["ondergrens"] < threshold <= tot["bovengrens"]
    return snippets, {"3", "4"}  # "Examples 1–4", "1, 3 and 4"


def example_7() -> tuple[list[str], set[str]]:
    con = bh_world()
    s = settings(con)
    rows = con.execute(
        "SELECT gebied_code, p_waarde, p_aangepast, verandering, verandering_aangepast FROM marts.fct_composites "
        "WHERE groep = 'samengesteld' ORDER BY p_waarde"
    ).fetchall()
    m = len(rows)
    snippets = [
        f"| {r} | {code} | {en(p, 3)} | {en(p * m / r, 3)} | {en(adj, 3)} | {raw} | {adjusted} |"
        for r, (code, p, adj, raw, adjusted) in enumerate(rows, start=1)
    ]
    p2, adj2, adjusted2 = rows[1][1], rows[1][2], rows[1][4]
    snippets += [
        f"(one family; m = {m})",
        f"`verandering_aangepast` (q = {en(s['fdr_matrix'], 2)})",
        f"rank 4 takes rank 5's {en(rows[4][2], 3)}",
        f'{rows[1][0]} is "{rows[1][3]}" on its own (p = {en(p2, 3)} < {en(1 - s["betrouwbaarheid"], 2)}) but, as one '
        f"of six, not in the stuurgroep's matrix ({en(adj2, 3)} > {en(s['fdr_matrix'], 2)})",
    ]
    assert rows[3][2] == pytest.approx(rows[4][2]) and adjusted2 == "gelijk"
    return snippets, {"3", "4", "5", "6", "2023"}


def example_8() -> tuple[list[str], set[str]]:
    con = trend_world()
    s = settings(con)
    c = {
        r[0]: dict(
            zip(["jaar", "score", "l", "se", "k", "xgem", "ygem", "sxx", "b", "s2", "t"], r, strict=True)
        )
        for r in con.execute(
            "SELECT jaar, score, log_verschil, log_se, trendjaren, trend_xgem, trend_ygem, trend_sxx, helling, "
            "trend_s2, trend_t FROM marts.fct_composites WHERE gebied_code = ? AND groep = 'samengesteld' ORDER BY jaar",
            [TREND_WIJK],
        ).fetchall()
    }
    d = {
        r[0]: dict(zip(["projectie", "laag", "hoog", "status"], r[1:], strict=True))
        for r in con.execute(
            "SELECT peiljaar, projectie, projectie_laag, projectie_hoog, status FROM marts.fct_doelen "
            "WHERE gebied_code = ? AND groep = 'samengesteld'",
            [TREND_WIJK],
        ).fetchall()
    }
    last = c[2022]
    T = s["doeljaar"] - s["basisjaar"]
    proj_l = scalar(
        con,
        "SELECT wm_projectie_log(?, ?, ?, ?, ?)",
        [last["ygem"], last["b"], last["xgem"], s["doeljaar"], s["basisjaar"]],
    )
    proj_se = scalar(
        con,
        "SELECT wm_projectie_se(?, ?, ?, ?, ?, ?)",
        [last["s2"], last["k"], last["sxx"], last["xgem"], s["doeljaar"], s["basisjaar"]],
    )
    v = {y: c[y]["se"] ** 2 for y in c}
    # s² is the floor (the mean sampling variance), not the residual variance
    assert last["s2"] == pytest.approx(sum(v.values()) / (last["k"] - 1))
    od = overdispersie(con, "GM0995", OPENBARE_RUIMTE, "wijk")
    factor = 1 + 1 / last["k"] + (T - last["xgem"]) ** 2 / last["sxx"]
    snippets = [
        f"{TREND_INWONERS} inhabitants every year",
        f"σ² = {en(od['sigma2'], 4)}",
        *[
            f"| {y} | {y - s['basisjaar']} | {TREND[y]} | {en(c[y]['l'], 6 if y > s['basisjaar'] else 0)} "
            f"| {en(v[y], 6 if y > s['basisjaar'] else 0)} | {en(c[y]['score'], 2)} |"
            for y in sorted(c)
        ],
        f"As of peiljaar 2022 (k = {last['k']}): x̄ = {en(last['xgem'], 1)}, ȳ = {en(last['ygem'], 6)}, Sxx = "
        f"{en(last['sxx'], 0)}, slope b = {en(last['b'], 6)} per year",
        f"projection to T = {s['doeljaar']} − {s['basisjaar']} = {T}: L̂ = {en(last['ygem'], 6)} + ({en(last['b'], 6)}) × "
        f"({T} − {en(last['xgem'], 1)}) = {en(proj_l, 6)}, projectie = 100 · exp({en(proj_l, 6)}) = "
        f"{en(d[2022]['projectie'], 2)}",
        f"s² = {en(last['s2'], 6)}: the four points lie close to the line, so the floor Σ Var L_t / (k − 1) = "
        f"({en(v[2020], 6)} + {en(v[2021], 6)} + {en(v[2022], 6)}) / {last['k'] - 1} is used",
        f"se = √({en(last['s2'], 6)} × (1 + 1/{last['k']} + ({T} − {en(last['xgem'], 1)})² / {en(last['sxx'], 0)})) = "
        f"√({en(last['s2'], 6)} × {en(factor, 1)}) = {en(proj_se, 6)}; t with k − 2 = {last['k'] - 2} degrees of "
        f"freedom: {en(last['t'], 6)}",
        f"interval 100 · exp({en(proj_l, 6)} ∓ {en(last['t'], 6)} × {en(proj_se, 6)}) = [{en(d[2022]['laag'], 2)}, "
        f"{en(d[2022]['hoog'], 2)}]: it contains {en(100 * (1 - s['marge']), 0)} → `{d[2022]['status']}`",
        f"Earlier peiljaren: 2019 `{d[2019]['status']}`; 2020 (k = {c[2020]['k']}) projectie "
        f"{en(d[2020]['projectie'], 2)} but no interval → `{d[2020]['status']}`; 2021 (k = {c[2021]['k']}, t = "
        f"{en(c[2021]['t'], 6)}) interval [{en(d[2021]['laag'], 2)}, {en(d[2021]['hoog'], 2)}] → `{d[2021]['status']}`",
    ]
    assert d[2020]["laag"] is None
    return snippets, {"2019", "2020", "2021", "2022", "2023"}


def example_9() -> tuple[list[str], set[str]]:
    con = survey_world()
    s = {code: score(con, ONVEILIG, code, 2023) for code in ENQUETE_WIJKEN}
    g = score(con, ONVEILIG, "GM0997", 2023)
    people = row(
        con,
        "SELECT waarde FROM intermediate.int_waarnemingen WHERE bron = 'bevolking' AND variabele = 'inwoners' "
        "AND gebied_code = 'GM0997' AND jaar = 2023",
    )["waarde"]
    by_respondents = row(
        con,
        "SELECT waarde FROM intermediate.int_waarnemingen WHERE bron = 'enquete' AND variabele = 'onveilig_in_buurt' "
        "AND gebied_code = 'GM0997' AND jaar = 2023",
    )["waarde"]
    weights = g["dekking"] * people
    p = g["waarde"] / 100
    var = p * (1 - p) / g["n_eff"]

    def var_i(code: str) -> float:
        q = s[code]["waarde"] / 100
        return q * (1 - q) / s[code]["n_eff"]

    snippets = [
        *[
            f"| {code} | {w} | {en(s[code]['waarde'], 1)}% | {s[code]['n']} | {en(s[code]['n_eff'], 0)} | "
            f"{en(var_i(code), 8)} |"
            for code, (w, _, _, _) in ENQUETE_WIJKEN.items()
        ],
        f"| {ZONDER_ENQUETE[0]} | {ZONDER_ENQUETE[1]} | no survey | | | |",
        "value = ("
        + " + ".join(f"{w} × {en(pct, 1)}" for w, pct, _, _ in ENQUETE_WIJKEN.values())
        + f") / {en(weights, 0)} = {en(g['waarde'], 2)}%",
        "Var = ("
        + " + ".join(f"{w}² × {en(var_i(code), 8)}" for code, (w, _, _, _) in ENQUETE_WIJKEN.items())
        + f") / {en(weights, 0)}² = {en(var, 8)}",
        f"n_eff = {en(p, 4)} × (1 − {en(p, 4)}) / {en(var, 8)} = {en(g['n_eff'], 2)} (n = {g['n']} respondents); "
        f"Wilson interval with n_eff [{en(g['ci_laag'], 2)}, {en(g['ci_hoog'], 2)}]",
        f"dekking = {en(weights, 0)} / {en(people, 0)} = {en(g['dekking'], 4)}, remark "
        f"`{next(part for part in g['opmerking'].split('; ') if part.startswith('dekking'))}`",
        f"the share would be {en(by_respondents, 2)}%",
    ]
    return snippets, set()


def example_10() -> tuple[list[str], set[str]]:
    con = coverage_world()
    w1, w2, gm = (score(con, OPENBARE_RUIMTE, code, 2023) for code in ("WK099601", "WK099602", "GM0996"))

    def people(code: str) -> float:
        return row(
            con,
            "SELECT waarde FROM intermediate.int_waarnemingen WHERE bron = 'bevolking' AND variabele = 'inwoners' "
            "AND gebied_code = ? AND jaar = 2023",
            [code],
        )["waarde"]

    def remark(r: dict) -> str:
        return next(part for part in r["opmerking"].split("; ") if part.startswith("dekking"))

    def n(x: float) -> str:
        return en(x, 0)

    snippets = [
        *[
            f"| {code} | WK{code[2:8]} | {x if x is not None else 'not delivered'} | {inh} |"
            for code, (x, inh) in DEKKING.items()
        ],
        f"WK099601: (120 + 80) / (2000 + 1500) · 1000 = {n(w1['teller'])} / {n(w1['noemer'])} · 1000 = "
        f"{en(w1['waarde'], 4)}; dekking = {n(w1['noemer'])} / {n(people('WK099601'))} = {en(w1['dekking'], 4)}, "
        f"remark `{remark(w1)}`",
        f"WK099602: {n(w2['teller'])} / {n(w2['noemer'])} · 1000 = {en(w2['waarde'], 4)}; dekking {en(w2['dekking'], 0)}",
        f"GM0996: ({n(w1['teller'])} + {n(w2['teller'])}) / ({n(w1['noemer'])} + {n(w2['noemer'])}) · 1000 = "
        f"{n(gm['teller'])} / {n(gm['noemer'])} · 1000 = {en(gm['waarde'], 4)}; dekking = {n(gm['noemer'])} / "
        f"{n(people('GM0996'))} = {en(gm['dekking'], 4)}, remark `{remark(gm)}`",
        f"Dividing the {n(w1['teller'])} reports by all {n(people('WK099601'))} inhabitants of WK099601",
    ]
    assert (DEKKING["BU09960101"][0], DEKKING["BU09960102"][0]) == (120, 80)
    assert (DEKKING["BU09960101"][1], DEKKING["BU09960102"][1]) == (2000, 1500)
    return snippets, {"1000"}


EXAMPLES = {
    1: example_1,
    2: example_2,
    3: example_3,
    4: example_4,
    5: example_5,
    6: example_6,
    7: example_7,
    8: example_8,
    9: example_9,
    10: example_10,
}


# ------------------------------------------------------------------------------------------ Part 1's examples


def voorbeeld_score() -> tuple[list[str], set[str]]:
    con = wijk_world()
    r0, r1 = score(con, OPENBARE_RUIMTE, WIJK, 2019), score(con, OPENBARE_RUIMTE, WIJK, 2023)
    j = score(con, OVERLAST_JEUGD, WIJK, 2023)
    return [
        f"van {nl(r0['waarde'], 1)} naar {nl(r1['waarde'], 1)} per 1.000 inwoners: de score is {nl(r1['score'], 1)}",
        f"gaan van {JEUGD[2019]} naar {JEUGD[2023]}: de score is {nl(j['score'], 1)}",
    ], {"1.000"}


def voorbeeld_rapportcijfer() -> tuple[list[str], set[str]]:
    con = wijk_world()
    r1 = score(con, RAPPORTCIJFER, WIJK, 2023)
    b = breuk(con, RAPPORTCIJFER)
    return [
        f"geven {CIJFER[2019][2]} bewoners hun buurt in 2019 gemiddeld een {nl(CIJFER[2019][0], 1)} en in 2023 een "
        f"{nl(CIJFER[2023][0], 1)}",
        f"Met {CIJFER[2023][2]} respondenten is elk gemiddelde maar op ongeveer {nl(r1['ci_hoog'] - r1['waarde'], 2)} punt",
        f"de enquête in {b['jaar']} vernieuwd",
        f"omrekenfactor {nl(b['omrekenfactor'], 2)}",
        f"De score is {nl(r1['score'], 1)}, met een marge van {nl(r1['score_laag'], 1)} tot {nl(r1['score_hoog'], 1)}",
        f"maar **{r1['verandering']}**",
    ], set()


def voorbeeld_doel() -> tuple[list[str], set[str]]:
    con = wijk_world()
    c = composite(con, WIJK, 2023, "samengesteld")
    s = settings(con)
    return [
        f"de samengestelde score van 2023 {nl(c['score'], 1)}: het oordeel is **{c['verandering']}**",
        f"de ondergrens is {nl(c['ondergrens'], 1)} en de bovengrens {nl(c['bovengrens'], 1)}",
        f"de ondergrens ligt onder {nl(100 * (1 - s['marge']), 0)}, dus het doel is **{target(con, WIJK, 2023)['status']}**",
        f"achteruitgang van ongeveer {nl(c['detecteerbaar'], 1)}%",
    ], set()


def voorbeeld_trend() -> tuple[list[str], set[str]]:
    con = trend_world()
    d = target(con, TREND_WIJK, 2022)
    return [
        f"van {min(TREND)} tot en met {max(TREND)}",
        f"De trend wijst naar een score van {nl(d['projectie'], 1)} in 2023, maar het voorspelinterval loopt van "
        f"{nl(d['projectie_laag'], 1)} tot {nl(d['projectie_hoog'], 1)}: de status is **{d['status']}**",
    ], set()


def voorbeeld_bh() -> tuple[list[str], set[str]]:
    con = bh_world()
    s = settings(con)
    rows = con.execute(
        "SELECT p_waarde, p_aangepast, verandering_aangepast FROM marts.fct_composites "
        "WHERE groep = 'samengesteld' ORDER BY p_waarde"
    ).fetchall()
    (p1, adj1, _), (p2, adj2, verdict2) = rows[0], rows[1]
    return [
        f"Eén wijk heeft een kans van {nl(p1, 3)} dat haar verschil toeval is; na de correctie {nl(adj1, 3)}",
        f'Een andere wijk heeft {nl(p2, 2)}: op zichzelf "aantoonbaar", maar na de correctie {nl(adj2, 2)}, meer dan '
        f'{nl(s["fdr_matrix"], 2)}: in het overzicht staat deze wijk op "{verdict2}"',
    ], set()


def voorbeeld_dekking() -> tuple[list[str], set[str]]:
    con = coverage_world()
    w1 = score(con, OPENBARE_RUIMTE, "WK099601", 2023)
    remark = next(part for part in w1["opmerking"].split("; ") if part.startswith("dekking"))
    return [
        f"samen {nl_int(w1['teller'])} meldingen op {nl_int(w1['noemer'])} inwoners: {nl(w1['waarde'], 1)} per 1.000 "
        f'inwoners, met de opmerking "{remark}"',
    ], {"1.000"}


def voorbeeld_enquete() -> tuple[list[str], set[str]]:
    con = survey_world()
    g = score(con, ONVEILIG, "GM0997", 2023)
    by_respondents = row(
        con,
        "SELECT waarde FROM intermediate.int_waarnemingen WHERE bron = 'enquete' AND variabele = 'onveilig_in_buurt' "
        "AND gebied_code = 'GM0997' AND jaar = 2023",
    )["waarde"]
    return [
        f"voelt {nl(g['waarde'], 1)}% van de bewoners zich weleens onveilig, met dekking {nl(100 * g['dekking'], 0)}%",
        f"Gewogen naar respondenten zou het {nl(by_respondents, 1)}% zijn",
    ], set()


# a phrase that identifies each of Part 1's example blocks -> its pins
VOORBEELDEN = {
    "meldingen over de openbare ruimte van": voorbeeld_score,
    "bewoners hun buurt in 2019": voorbeeld_rapportcijfer,
    "is de samengestelde score van 2023": voorbeeld_doel,
    "De trend wijst naar": voorbeeld_trend,
    "worden vergeleken met 2019": voorbeeld_bh,
    "één buurt heeft geen meldingen geleverd": voorbeeld_dekking,
    "Gewogen naar inwoners": voorbeeld_enquete,
}


# ------------------------------------------------------------------------------------------ the tests


def numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def check(section: str, snippets: list[str], given: set[str]) -> None:
    missing = [s for s in snippets if squash(s) not in section]
    assert not missing, "not in the document as the engine computes it:\n" + "\n".join(missing)
    years = {str(YEARS.basisjaar), str(YEARS.doeljaar)}  # the settings every example is about
    accounted = CONSTANTS | years | given | set().union(*(numbers(squash(s)) for s in snippets))
    unpinned = sorted(numbers(section) - accounted)
    assert not unpinned, f"numbers in the document that no test pins: {unpinned}"


@pytest.mark.parametrize("number", sorted(EXAMPLES))
def test_worked_example_numbers_are_the_engines(number: int) -> None:
    snippets, given = EXAMPLES[number]()
    check(example_section(number), snippets, given)


def test_every_worked_example_is_checked() -> None:
    headings = re.findall(r"^#### Example (\d+) ", document(), flags=re.MULTILINE)
    assert sorted(int(h) for h in headings) == sorted(EXAMPLES)


@pytest.mark.parametrize("phrase", list(VOORBEELDEN))
def test_part_1_example_numbers_are_the_engines(phrase: str) -> None:
    blocks = [b for b in voorbeeld_blocks() if phrase in b]
    assert len(blocks) == 1, (phrase, blocks)
    snippets, given = VOORBEELDEN[phrase]()
    check(blocks[0], snippets, given)


def test_every_part_1_example_is_checked() -> None:
    blocks = voorbeeld_blocks()
    assert blocks
    for block in blocks:
        assert sum(phrase in block for phrase in VOORBEELDEN) == 1, block
