"""Indicator benchmark at national scale: rebuild all indicator marts in DuckDB, and the same in plain pandas.

Generates the STAGING layer of a national-scale Wijkmonitor database directly with DuckDB SQL, into a DuckDB
file in a work directory (default ``benchmarks/out/``, git-ignored); no CSV parsing, loading is benchmarked
by ``bench_load.py``:

* ~340 gemeenten, ~3,300 wijken, ~13,000 buurten (CBS-style nested codes BU<gm:4><wk:2><bu:2>);
* ``stg_politie__misdrijven``: every buurt x crime code x month 2017-01 .. 2025-12. ``--codes catalogue``
  (default): the codes the catalogue uses (indicators and hotspot series, 0.0.0 included: 11 codes, ~15 M
  rows); ``--codes all``: the 59 codes of ``etl/registry/soort_misdrijf.yaml`` (~83 M rows), for which the
  pandas comparison does not fit in memory (it is skipped unless ``--force-pandas``). ~0.05 % of the counts
  are not published (NULL), 0.2 % of the months have a sudden local rise (4x), so that hotspots fire;
* ``stg_partner__waarnemingen``: corporatie half-yearly per buurt (85 % of the buurten have corporation
  housing), gemeente monthly per buurt, welzijn quarterly per wijk, enquete per wijk in 2017, 2019, 2021,
  2023 and 2025 with n and sd (~5 % of the wijken miss a survey year); ~0.05 % of the flow values missing;
* ``stg_bevolking__kerncijfers``: buurt, wijk and gemeente rows for 2017..2024 (2025 not published yet, so the
  2025 rates use the 2024 denominator); 1.5 % of the buurten have no inhabitants, ~1.6 % have households and
  dwellings kept secret (NULL);
* ``stg_leefbaarometer__scores``: every area, every year (the real series is biennial; yearly here so the
  "no uncertainty" path of the scores is exercised);
* ``stg_gebieden__gebieden``: a code list (no geometry).

The staging tables are created by running the staging models on the empty raw layer
(``etl/sql/raw/schema.sql`` via ``etl.load.ensure_schema``, then ``etl.load.run_models(con, "staging")``), so
their columns and types are exactly what the SQL models produce; then they are filled with ``INSERT ... BY
NAME SELECT`` from ``range()``. Pseudo-random numbers come from ``hash(key..., seed)``, not
``random()``/``setseed``: ``random()`` in a parallel INSERT is not reproducible, a hash of the row's key is.
``marts.dim_gebied`` (``run_models(con, "marts")``) and ``marts.dim_variabele`` are built as
``etl.load.rebuild`` builds them, so only the indicator build remains.

Then, each in a fresh Python process (peak RSS = that process's own ``ru_maxrss``, read at the end of the
timed part; the parent stays small because a spawned child starts from its parent's high-water mark):

1. ``indicators.build_marts(con)`` on the file, ``--repeat`` times, with the connection settings of a write
   session (``etl.db.write_session``: memory limit, insertion order); seconds per model and the median;
2. the same computation written in plain pandas (``pandas_marts``): the staging tables pulled with ``.df()``
   (only the columns the marts read), then groupby / merge / merge_asof / explode, scipy for the exact
   Poisson intervals and the hotspot p-values; the first run also checks its result against the marts: row
   counts of every mart, 1,000 random rows of ``fct_indicator_scores``, ``fct_indicator_vorige`` and
   ``fct_hotspots``, and every gemeente row of ``fct_composites`` and ``fct_doelen``.

Usage::

    .venv/bin/python benchmarks/bench_indicators.py                       # full scale (~15 minutes)
    .venv/bin/python benchmarks/bench_indicators.py --scale 0.1 --repeat 1  # quick run
    .venv/bin/python benchmarks/bench_indicators.py --codes all           # 59 crime codes, DuckDB only
    .venv/bin/python benchmarks/bench_indicators.py --keep                # keep (and reuse) the database
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from childproc import RESULT_TAG, run_child

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path(__file__).resolve().parent / "out"
DB_NAME = "bench_indicators.duckdb"

# National orders of magnitude (CBS area division around 2019).
N_BUURTEN = 13_000
N_WIJKEN = 3_300
N_GEMEENTEN = 340
FIRST_YEAR, LAST_YEAR = 2017, 2025
LAST_BEVOLKING_YEAR = 2024  # CBS publishes a year late
SURVEY_YEARS = (2017, 2019, 2021, 2023, 2025)
# load_id = base + (year - 2017): one delivery per source and year (the code list is load 1).
LOAD_BASE = {
    "gebieden": 1,
    "bevolking": 2,
    "politie": 11,
    "corporatie": 20,
    "gemeente": 29,
    "welzijn": 38,
    "enquete": 47,
    "leefbaarometer": 56,
}
# Registered crime per 1,000 inhabitants a year (PRODUCT.md orders of magnitude); codes not listed get a
# pseudo-random rate of 0.1..1.3.
CRIME_RATES = {
    "0.0.0": 45.0,
    "1.1.1": 1.8,  # ~4 per 1,000 dwellings
    "1.4.1": 0.3,
    "1.4.2": 0.05,
    "1.4.3": 0.4,
    "1.4.4": 1.5,
    "1.4.5": 2.5,
    "1.4.6": 0.2,
    "1.4.7": 0.05,
    "2.2.1": 5.0,
}
# (bron, variabele, soort, base column, rate per period, follows the area's trend)
PARTNER_VARS = [
    ("corporatie", "huurwoningen", "voorraad", "huur", 1.0, False),
    ("corporatie", "overlastmeldingen", "stroom", "huur", 0.04 / 2, True),
    ("corporatie", "huurders_met_achterstand", "voorraad", "huur", 0.03, True),
    ("corporatie", "verhuizingen", "stroom", "huur", 0.08 / 2, False),
    ("corporatie", "leegstaande_woningen", "voorraad", "huur", 0.012, True),
    ("gemeente", "meldingen_openbare_ruimte", "stroom", "inw", 0.060 / 12, True),
    ("gemeente", "meldingen_overlast_jeugd", "stroom", "inw", 0.006 / 12, True),
    ("gemeente", "meldingen_verward_gedrag", "stroom", "inw", 0.004 / 12, False),
    ("welzijn", "jongerenwerk_contacten", "stroom", "inw", 0.020 / 4, False),
    ("welzijn", "buurtbemiddeling_zaken", "stroom", "hh", 0.004 / 4, True),
    ("welzijn", "deelnemers_activiteiten", "stroom", "inw", 0.030 / 4, False),
    ("welzijn", "vrijwilligers", "voorraad", "inw", 0.004, False),
]
# (variabele, national mean, spread of the wijk means, sd of an answer or NULL for a percentage)
SURVEY_VARS = [
    ("rapportcijfer_leefbaarheid", 7.5, 1.4, 1.4),
    ("sociale_cohesie", 6.0, 1.2, 1.6),
    ("onveilig_in_buurt", 17.0, 16.0, None),
    ("buurt_achteruitgegaan", 17.0, 14.0, None),
    ("verloedering", 25.0, 20.0, None),
]

GOAL_SECONDS = 10.0
MB = 1024**2
SAMPLE_ROWS = 1_000
RTOL, ATOL = 1e-9, 1e-9
# Measured peak of the pandas version: ~0.25 GB + ~500 bytes per staging row (scale 0.05 .. 0.2).
PANDAS_BASE_BYTES, PANDAS_BYTES_PER_ROW = 250 * 1024**2, 550


def _available_bytes() -> int:
    with open("/proc/meminfo") as f:
        info = dict(line.split(":", 1) for line in f)
    return int(info["MemAvailable"].split()[0]) * 1024


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def _catalogue_codes() -> list[str]:
    from indicators.catalogue import load_catalogue

    cat = load_catalogue()
    codes = {
        v
        for ind in cat["indicatoren"].values()
        if ind["teller"]["bron"] == "politie"
        for v in ind["teller"]["variabelen"]
    }
    codes |= {r["variabele"] for r in cat.get("hotspot_reeksen", []) if r["bron"] == "politie"}
    return sorted(codes)


# ----------------------------------------------------------------------------------------------- generation


def generate(db_path: Path, scale: float, seed: int, codes_mode: str) -> dict[str, Any]:
    """Write the staging layer, dim_gebied and dim_variabele into a fresh database at ``db_path``."""
    import duckdb
    import pandas as pd

    from etl.load import ensure_schema, run_models
    from etl.sources import crime_codes, variable_dimension

    t0 = time.perf_counter()
    codes = list(crime_codes()) if codes_mode == "all" else _catalogue_codes()
    n_bu = max(8, round(N_BUURTEN * scale))
    n_wk = max(4, min(n_bu, round(N_WIJKEN * scale)))
    n_gm = max(2, min(n_wk, round(N_GEMEENTEN * scale)))
    for p in db_path.parent.glob(db_path.name + "*"):
        p.unlink()
    con = duckdb.connect(str(db_path))
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '6GB'")  # the machine is shared; generation does not need more
    ensure_schema(con)
    run_models(con, "staging")  # empty staging tables with exactly the models' columns and types

    def u(salt: int, *key: str) -> str:
        """A uniform number in [0, 1) from a hash of the key (reproducible, unlike random() in parallel)."""
        return f"(hash({salt}, {', '.join(key)}, {seed}) % 1000003) / 1000003.0"

    def count(lam: str, h: str = "h") -> str:
        """A non-negative integer with mean lam (floor(lam (0.5 + u1) + u2)) from the bits of hash h."""
        return f"floor(({lam}) * (0.5 + ({h} % 1048576) / 1048576.0) + (({h} >> 20) % 1048576) / 1048576.0)"

    missing = "(h >> 40) % 10000 < 5"  # ~0.05 %: not published / not delivered
    spike = "CASE WHEN (h >> 40) % 10000 BETWEEN 5 AND 24 THEN 4 ELSE 1 END"  # 0.2 %: a sudden local rise

    # ---- area division: each gemeente at least one wijk, each wijk at least one buurt, the rest by weight.
    con.execute(f"""
        CREATE TEMP TABLE gm AS
        SELECT g,
               'GM' || lpad(CAST(1 + 5 * g + CAST(hash(1, g, {seed}) % 5 AS INTEGER) AS VARCHAR), 4, '0')
                   AS code,
               0.25 + 2 * pow({u(2, "g")}, 2) AS w,
               -0.05 + 0.08 * {u(3, "g")} AS trend  -- change of the crime level per year after 2019
        FROM range({n_gm}) AS t(g)""")
    for child, parent, n_child, n_parent, salt in (("wk", "gm", n_wk, n_gm, 4), ("bu0", "wk", n_bu, n_wk, 5)):
        pkey = "g" if parent == "gm" else "j"
        ckey = "j" if child == "wk" else "i"
        con.execute(f"""
            CREATE TEMP TABLE {child}_of AS
            WITH cum AS (
                SELECT {pkey} AS p, sum(w) OVER (ORDER BY {pkey}) / sum(w) OVER () AS hi,
                       (sum(w) OVER (ORDER BY {pkey}) - w) / sum(w) OVER () AS lo
                FROM {parent}
            )
            SELECT range AS {ckey}, range AS p FROM range({n_parent})
            UNION ALL
            SELECT t.{ckey}, c.p
            FROM (SELECT range AS {ckey}, {u(salt, "range")} AS x FROM range({n_parent}, {n_child})) AS t
            JOIN cum AS c ON t.x >= c.lo AND (t.x < c.hi OR c.p = {n_parent - 1})""")
        if child == "wk":
            con.execute(f"""
                CREATE TEMP TABLE wk AS
                SELECT o.j, o.p AS g,
                       'WK' || substr(gm.code, 3)
                           || lpad(CAST(row_number() OVER (PARTITION BY o.p ORDER BY o.j) AS VARCHAR), 2, '0')
                           AS code,
                       0.3 + 2 * pow({u(6, "o.j")}, 2) AS w
                FROM wk_of AS o JOIN gm ON gm.g = o.p""")
    con.execute(f"""
        CREATE TEMP TABLE bu AS
        SELECT o.i, o.p AS j, wk.g,
               'BU' || substr(wk.code, 3) || lpad(CAST(row_number() OVER (PARTITION BY o.p ORDER BY o.i)
                                                     AS VARCHAR), 2, '0') AS code,
               CASE WHEN {u(10, "o.i")} < 0.015 THEN 0
                    ELSE 20 + floor(3600 * pow({u(11, "o.i")}, 1.6)) END AS inw0,
               -0.01 + 0.03 * {u(12, "o.i")} AS groei,
               1.8 + 0.8 * {u(13, "o.i")} AS hh_grootte,
               1.0 + 0.08 * {u(14, "o.i")} AS won_per_hh,
               0.4 + 1.6 * pow({u(15, "o.i")}, 2) AS hot,
               CASE WHEN {u(16, "o.i")} < 0.15 THEN 0 ELSE 0.05 + 0.55 * {u(17, "o.i")} END AS corp_aandeel
        FROM bu0_of AS o JOIN wk ON wk.j = o.p""")
    too_many = con.execute(
        "SELECT max(right(code, 2)::INT) FROM (SELECT code FROM wk UNION ALL SELECT code FROM bu)"
    ).fetchall()[0][0]
    if too_many > 99:
        raise SystemExit("area division too dense for two-digit wijk/buurt numbers")

    # ---- per buurt and year: population (2017..2025; staging gets up to 2024) and the crime factor
    con.execute(f"""
        CREATE TEMP TABLE bu_jaar AS
        WITH b AS (
            SELECT bu.*, y.range AS jaar,
                   round(inw0 * (1 + groei * (y.range - 2017))
                         * (1 + 0.01 * ({u(18, "bu.i", "y.range")} - 0.5))) AS inw
            FROM bu CROSS JOIN range({FIRST_YEAR}, {LAST_YEAR + 1}) AS y
        )
        SELECT b.i, b.j, b.g, b.code, b.jaar, b.inw,
               CASE WHEN b.inw0 BETWEEN 1 AND 24 THEN NULL ELSE round(b.inw / b.hh_grootte) END AS hh,
               CASE WHEN b.inw0 BETWEEN 1 AND 24 THEN NULL
                    WHEN b.inw0 = 0 THEN floor(5 * {u(19, "b.i")})
                    ELSE round(round(b.inw / b.hh_grootte) * b.won_per_hh) END AS won,
               round(coalesce(round(b.inw0 / b.hh_grootte * b.won_per_hh), 0) * b.corp_aandeel
                     * (1 - 0.005 * (b.jaar - 2017))) AS huur,
               b.corp_aandeel > 0 AND b.inw0 NOT BETWEEN 1 AND 24 AS corporatie,
               greatest(0.3, 1 + gm.trend * (b.jaar - 2019) + 0.15 * ({u(20, "b.i", "b.jaar")} - 0.5)) AS f,
               b.hot
        FROM b JOIN gm USING (g)""")
    con.execute(f"""
        CREATE TEMP TABLE wk_jaar AS
        SELECT wk.j, wk.code, bj.jaar, sum(bj.inw) AS inw, sum(bj.hh) AS hh, 0 AS huur, 1.0 AS hot,
               greatest(0.3, 1 + gm.trend * (bj.jaar - 2019) + 0.15 * ({u(21, "wk.j", "bj.jaar")} - 0.5)) AS f
        FROM bu_jaar AS bj JOIN wk USING (j) JOIN gm ON gm.g = wk.g
        GROUP BY ALL""")
    con.execute(f"""
        CREATE TEMP TABLE maanden AS
        SELECT (y - {FIRST_YEAR}) * 12 + m - 1 AS k, y AS jaar, m AS maand,
               CAST(y AS VARCHAR) || 'MM' || lpad(CAST(m AS VARCHAR), 2, '0') AS periode,
               1 + 0.1 * cos(2 * pi() * (m - 1) / 12) AS seizoen
        FROM range({FIRST_YEAR}, {LAST_YEAR + 1}) AS a(y), range(1, 13) AS b(m)""")
    con.register("_codes_df", pd.DataFrame({"code": codes}))
    con.register("_rates_df", pd.DataFrame({"code": list(CRIME_RATES), "rate": list(CRIME_RATES.values())}))
    con.execute(f"""
        CREATE TEMP TABLE soorten AS
        SELECT CAST(row_number() OVER (ORDER BY c.code) - 1 AS INTEGER) AS c, c.code,
               coalesce(r.rate, 0.1 + 1.2 * {u(22, "c.code")}) AS rate
        FROM _codes_df AS c LEFT JOIN _rates_df AS r USING (code)""")
    con.unregister("_codes_df")
    con.unregister("_rates_df")

    # ---- police: monthly per buurt and crime code
    con.execute(f"""
        INSERT INTO staging.stg_politie__misdrijven BY NAME
        SELECT code AS gebied_code, 'buurt' AS niveau, soort AS soort_misdrijf, periode, jaar,
               'maand' AS periode_type, maand,
               CAST(CASE WHEN {missing} THEN NULL ELSE {count(f"lam * {spike}")} END AS BIGINT) AS aantal,
               {LOAD_BASE["politie"]} + jaar - {FIRST_YEAR} AS load_id,
               CAST((c * {n_bu} + i) * 12 + maand + 1 AS INTEGER) AS rij,
               NULL AS vervangen_door
        FROM (
            SELECT bj.i, bj.code, m.jaar, m.maand, m.periode, s.c, s.code AS soort,
                   (bj.inw / 1000 + 0.1) * bj.hot * bj.f * s.rate / 12 * m.seizoen AS lam,
                   hash(bj.i, s.c, m.k, {seed}) AS h
            FROM bu_jaar AS bj JOIN maanden AS m USING (jaar) CROSS JOIN soorten AS s
        )""")

    # ---- partner: corporatie (half-yearly, buurt), gemeente (monthly, buurt), welzijn (quarterly, wijk)
    con.execute(
        "CREATE TEMP TABLE pvars AS SELECT * FROM (VALUES "
        + ", ".join(
            f"({k}, '{b}', '{v}', '{s}', '{base}', {r}, {t})"
            for k, (b, v, s, base, r, t) in enumerate(PARTNER_VARS)
        )
        + ") AS t(v, bron, variabele, soort, basis, rate, trend)"
    )
    periods = {
        "corporatie": ("halfjaar", 2, "H"),
        "gemeente": ("maand", 12, ""),
        "welzijn": ("kwartaal", 4, "Q"),
    }
    for bron, (ptype, per_year, letter) in periods.items():
        area, key = ("wk_jaar", "j") if bron == "welzijn" else ("bu_jaar", "i")
        where = "a.corporatie" if bron == "corporatie" else "true"
        con.execute(f"""
            INSERT INTO staging.stg_partner__waarnemingen BY NAME
            SELECT '{bron}' AS bron, code AS gebied_code,
                   '{"wijk" if bron == "welzijn" else "buurt"}' AS niveau,
                   CAST(jaar AS VARCHAR) || '-{letter}'
                       || lpad(CAST(nr AS VARCHAR), {1 if letter else 2}, '0') AS periode,
                   jaar, '{ptype}' AS periode_type, nr AS periode_nr, variabele,
                   CASE WHEN soort = 'stroom' AND {missing} THEN NULL
                        WHEN variabele = 'huurwoningen' THEN lam
                        ELSE {count(f"lam * {spike}")} END AS waarde,
                   NULL AS n, NULL AS sd,
                   {LOAD_BASE[bron]} + jaar - {FIRST_YEAR} AS load_id,
                   CAST((({key} * {per_year}) + nr) * 4 + v % 4 + 1 AS INTEGER) AS rij,
                   NULL AS vervangen_door
            FROM (
                SELECT a.{key}, a.code, a.jaar, p.range AS nr, v.v, v.variabele, v.soort,
                       coalesce(CASE v.basis WHEN 'huur' THEN a.huur WHEN 'hh' THEN a.hh ELSE a.inw END, 0)
                           * v.rate * CASE WHEN v.trend THEN a.hot * a.f ELSE 1 END AS lam,
                       hash(a.{key}, a.jaar, p.range, v.v, {seed}) AS h
                FROM {area} AS a
                CROSS JOIN range(1, {per_year + 1}) AS p
                JOIN pvars AS v ON v.bron = '{bron}'
                WHERE {where}
            )""")

    # ---- enquete: per wijk in the survey years, n and sd (sd only for means)
    con.execute(
        "CREATE TEMP TABLE svars AS SELECT * FROM (VALUES "
        + ", ".join(
            f"({k}, '{v}', {m}, {s}, {'NULL' if sd is None else sd})"
            for k, (v, m, s, sd) in enumerate(SURVEY_VARS)
        )
        + ") AS t(v, variabele, gemiddelde, spreiding, sd)"
    )
    noise = " + ".join(u(30 + k, "w.j", "y.range", "s.v") for k in range(4))
    con.execute(f"""
        INSERT INTO staging.stg_partner__waarnemingen BY NAME
        SELECT 'enquete' AS bron, code AS gebied_code, 'wijk' AS niveau, CAST(jaar AS VARCHAR) AS periode,
               jaar, 'jaar' AS periode_type, 1 AS periode_nr, variabele,
               round(greatest(0, least(CASE WHEN sd IS NULL THEN 100 ELSE 10 END,
                   mu + z * sqrt(3) * CASE WHEN sd IS NULL THEN sqrt(mu * (100 - mu) / n)
                                           ELSE sd_w / sqrt(n) END
               )), 1) AS waarde,
               n, CASE WHEN sd IS NOT NULL THEN round(sd_w, 2) END AS sd,
               {LOAD_BASE["enquete"]} + jaar - {FIRST_YEAR} AS load_id,
               CAST(j * 25 + v * 5 + (jaar - {FIRST_YEAR}) // 2 + 2 AS INTEGER) AS rij,
               NULL AS vervangen_door
        FROM (
            SELECT w.j, w.code, y.range AS jaar, s.v, s.variabele, s.sd,
                   CAST(150 + floor(250 * {u(40, "w.j", "y.range")}) AS BIGINT) AS n,
                   s.sd * (0.9 + 0.2 * {u(41, "w.j", "s.v")}) AS sd_w,
                   greatest(0.5, s.gemiddelde + s.spreiding * ({u(42, "w.j", "s.v")} - 0.5)
                       + s.spreiding * 0.04 * ({u(43, "w.j", "s.v")} - 0.5) * (y.range - 2019)) AS mu,
                   ({noise}) - 2 AS z
            FROM wk AS w
            CROSS JOIN (SELECT unnest({list(SURVEY_YEARS)}) AS range) AS y
            CROSS JOIN svars AS s
            WHERE {u(44, "w.j", "y.range")} >= 0.05
        )""")

    # ---- bevolking: buurt rows, and the wijk and gemeente totals CBS publishes alongside
    con.execute(f"""
        INSERT INTO staging.stg_bevolking__kerncijfers BY NAME
        WITH b AS (
            SELECT bj.code AS gebied_code, 'buurt' AS niveau, bj.jaar, bj.inw, bj.hh, bj.won, bu.g,
                   wk.code AS wk_code
            FROM bu_jaar AS bj JOIN bu USING (i) JOIN wk ON wk.j = bu.j
            WHERE bj.jaar <= {LAST_BEVOLKING_YEAR}
        ),
        alle AS (
            SELECT gebied_code, niveau, jaar, inw, hh, won, g FROM b
            UNION ALL
            SELECT wk_code, 'wijk', jaar, sum(inw), sum(hh), sum(won), g FROM b GROUP BY wk_code, jaar, g
            UNION ALL
            SELECT gm.code, 'gemeente', jaar, sum(inw), sum(hh), sum(won), g FROM b JOIN gm USING (g)
            GROUP BY gm.code, jaar, g
        )
        SELECT a.gebied_code, a.niveau, a.jaar, CAST(a.inw AS BIGINT) AS inwoners,
               CAST(a.hh AS BIGINT) AS huishoudens, CAST(a.won AS BIGINT) AS woningen,
               'Gemeente ' || substr(gm.code, 3) AS gemeentenaam,
               'cbs-kwb' AS variant, {LOAD_BASE["bevolking"]} + a.jaar - {FIRST_YEAR} AS load_id,
               CAST(row_number() OVER (PARTITION BY a.jaar ORDER BY a.gebied_code) + 1 AS INTEGER) AS rij,
               NULL AS vervangen_door
        FROM alle AS a JOIN gm USING (g)""")

    # ---- areas (code list) and Leefbaarometer scores for every area and year
    con.execute("""
        CREATE TEMP TABLE gebieden AS
        SELECT code, 'gemeente' AS niveau, 'Gemeente ' || substr(code, 3) AS naam FROM gm
        UNION ALL SELECT code, 'wijk', 'Wijk ' || substr(code, 3) FROM wk
        UNION ALL SELECT code, 'buurt', 'Buurt ' || substr(code, 3) FROM bu""")
    con.execute(f"""
        INSERT INTO staging.stg_gebieden__gebieden BY NAME
        SELECT code AS gebied_code, niveau, naam AS gebied_naam, NULL AS geometrie, NULL AS jaar,
               {LOAD_BASE["gebieden"]} AS load_id, CAST(row_number() OVER (ORDER BY code) AS INTEGER) AS rij,
               NULL AS vervangen_door
        FROM gebieden""")
    dims = ", ".join(
        f"round(0.06 * ({u(50 + k, 'g.code', 'y.range')} - 0.5), 4) AS {d}"
        for k, d in enumerate(("afw", "fys", "onv", "soc", "vrz", "won"))
    )
    con.execute(f"""
        INSERT INTO staging.stg_leefbaarometer__scores BY NAME
        SELECT g.code AS gebied_code, g.niveau, g.naam AS gebied_naam, y.range AS jaar,
               round(4.0 + 0.6 * ({u(60, "g.code")} - 0.5) + 0.01 * (y.range - 2017)
                     + 0.04 * ({u(61, "g.code", "y.range")} - 0.5), 4) AS lbm,
               {dims},
               {LOAD_BASE["leefbaarometer"]} + y.range - {FIRST_YEAR} AS load_id,
               CAST(row_number() OVER (PARTITION BY y.range ORDER BY g.code) + 1 AS INTEGER) AS rij,
               NULL AS vervangen_door
        FROM gebieden AS g CROSS JOIN range({FIRST_YEAR}, {LAST_YEAR + 1}) AS y""")

    staging_seconds = time.perf_counter() - t0
    # ---- what etl.load.rebuild builds before build_marts: the marts layer of etl/ and dim_variabele
    t1 = time.perf_counter()
    run_models(con, "marts")
    con.register("_variabelen_df", pd.DataFrame(variable_dimension()))
    con.execute("CREATE OR REPLACE TABLE marts.dim_variabele AS SELECT * FROM _variabelen_df")
    con.unregister("_variabelen_df")
    etl_marts_seconds = time.perf_counter() - t1
    con.execute("CHECKPOINT")
    rows = {
        t: con.execute(f"SELECT count(*) FROM staging.{t}").fetchall()[0][0]
        for t in (
            "stg_politie__misdrijven",
            "stg_partner__waarnemingen",
            "stg_bevolking__kerncijfers",
            "stg_leefbaarometer__scores",
            "stg_gebieden__gebieden",
        )
    }
    partner_rows = dict(
        con.execute(
            "SELECT bron, count(*) FROM staging.stg_partner__waarnemingen GROUP BY bron ORDER BY bron"
        ).fetchall()
    )
    areas = dict(con.execute("SELECT niveau, count(*) FROM marts.dim_gebied GROUP BY niveau").fetchall())
    con.close()
    return {
        "db": str(db_path),
        "scale": scale,
        "seed": seed,
        "codes_mode": codes_mode,
        "n_codes": len(codes),
        "areas": areas,
        "rows": rows,
        "partner_rows": partner_rows,
        "staging_seconds": staging_seconds,
        "etl_marts_seconds": etl_marts_seconds,
        "seconds": time.perf_counter() - t0,
        "db_bytes": db_path.stat().st_size,
    }


# ------------------------------------------------------------------------------------------ the DuckDB marts


def _write_session_settings() -> tuple[str, list[str]]:
    """The memory limit and settings a production write session (etl.db.write_session) uses."""
    import inspect

    from etl import db as dbmod

    limit = inspect.signature(dbmod.write_session).parameters["memory_limit"].default
    return limit, [f"SET memory_limit = '{limit}'", "SET preserve_insertion_order = true"]


def run_marts(db_path: Path) -> dict[str, Any]:
    import duckdb

    from indicators import build_marts
    from indicators.build import INTERMEDIATE

    limit, settings = _write_session_settings()
    con = duckdb.connect(str(db_path))
    for stmt in settings:
        con.execute(stmt)
    t0 = time.perf_counter()
    models = build_marts(con)
    seconds = time.perf_counter() - t0
    con.execute("CHECKPOINT")
    checkpoint = time.perf_counter() - t0 - seconds
    peak = _peak_bytes()
    # the intermediate models are temporary tables of the build (gone with it); the others are the marts
    rows = {
        m: con.execute(f"SELECT count(*) FROM marts.{m}").fetchall()[0][0]
        for m in models
        if m not in INTERMEDIATE
    }
    con.close()
    return {
        "seconds": seconds,
        "checkpoint_seconds": checkpoint,
        "models": models,
        "rows": rows,
        "peak_bytes": peak,
        "memory_limit": limit,
        "threads": os.cpu_count(),
    }


# ------------------------------------------------------------------------------------ the pandas comparison


def pandas_marts(
    con: duckdb.DuckDBPyConnection,
) -> tuple[dict[str, pd.DataFrame], dict[str, int], dict[str, float], dict[str, int]]:
    """The indicator marts computed the way an analyst would in pandas: pull the tables, groupby / merge.

    Mirrors indicators/sql/*.sql step by step (same outputs, same NULL rules). Intermediates are dropped once
    they are not needed any more (``del``), as one does when a notebook runs short of memory. Returns the
    fact tables the check compares, the row count of every mart, and seconds and peak RSS so far per step
    ("pull" = the staging tables into pandas).
    """
    import numpy as np
    import pandas as pd
    from scipy import special, stats

    from indicators.build import _settings, dim_tables

    steps: dict[str, float] = {}
    peaks: dict[str, int] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        steps[name] = now - t
        peaks[name] = _peak_bytes()
        t = now

    politie = con.sql(
        "SELECT gebied_code, niveau, soort_misdrijf, jaar, periode_type, maand, aantal, load_id, "
        "vervangen_door "
        "FROM staging.stg_politie__misdrijven"
    ).df()
    partner = con.sql(
        "SELECT bron, gebied_code, niveau, jaar, periode_type, periode_nr, variabele, waarde, n, sd, "
        "load_id, vervangen_door FROM staging.stg_partner__waarnemingen"
    ).df()
    bevolking = con.sql(
        "SELECT gebied_code, niveau, jaar, inwoners, huishoudens, woningen, load_id, vervangen_door "
        "FROM staging.stg_bevolking__kerncijfers"
    ).df()
    lbm = con.sql(
        "SELECT gebied_code, niveau, jaar, lbm, load_id, vervangen_door "
        "FROM staging.stg_leefbaarometer__scores"
    ).df()
    dim_variabele = con.sql("SELECT * FROM marts.dim_variabele").df()
    dim_gebied = con.sql("SELECT gebied_code, geldig_tot FROM marts.dim_gebied").df()
    settings = _settings(con)
    lap("pull")

    dims = dim_tables(settings)  # the catalogue as tables (the same code build_marts uses)
    dim_indicator, components = dims["dim_indicator"], dims["dim_indicator_component"]
    inst = dims["dim_instellingen"].iloc[0]
    basisjaar, doeljaar, drempel, zk = (
        int(inst.basisjaar),
        int(inst.doeljaar),
        int(inst.drempel),
        float(inst.z),
    )

    # ---- int_waarnemingen_jaar: yearly value per delivered area, source and variable
    cols = ["bron", "variabele", "gebied_code", "niveau", "jaar", "waarde", "n", "sd", "perioden", "verwacht"]
    pol = politie[politie["vervangen_door"].isna()]  # current deliveries (also read by the hotspots)
    cur = partner[partner["vervangen_door"].isna()]
    del politie, partner  # memory: the full tables are not needed any more
    # the yearly values use only the crime codes an indicator uses (the hotspots read `pol` itself)
    indicator_codes = set(components.loc[components["bron"] == "politie", "variabele"])
    pj = pol[(pol["periode_type"] == "jaar") & pol["soort_misdrijf"].isin(indicator_codes)]
    politie_jaar = pd.DataFrame(
        {
            "bron": "politie",
            "variabele": pj["soort_misdrijf"],
            "gebied_code": pj["gebied_code"],
            "niveau": pj["niveau"],
            "jaar": pj["jaar"],
            "waarde": pj["aantal"].astype("float64"),
            "n": np.nan,
            "sd": np.nan,
            "perioden": pj["aantal"].notna().astype("int64"),
            "verwacht": 1,
            "bronjaar": pj["jaar"],
        }
    )
    pm = pol[(pol["periode_type"] == "maand") & pol["soort_misdrijf"].isin(indicator_codes)]
    g = pm.groupby(["soort_misdrijf", "gebied_code", "niveau", "jaar"], sort=False)
    politie_maand = pd.DataFrame(
        {
            "waarde": g["aantal"].sum(min_count=1).astype("float64"),
            "perioden": g["aantal"].count(),
        }
    ).reset_index()
    politie_maand = politie_maand.rename(columns={"soort_misdrijf": "variabele"})
    politie_maand = politie_maand.assign(
        bron="politie", n=np.nan, sd=np.nan, verwacht=12, bronjaar=politie_maand["jaar"]
    )
    # a published yearly police figure wins over the months; an unpublished one gives way to them
    vk = ["variabele", "gebied_code", "jaar"]
    politie_jaar = politie_jaar.merge(politie_maand[vk].drop_duplicates(), on=vk, how="left", indicator=True)
    politie_jaar = politie_jaar[politie_jaar["waarde"].notna() | (politie_jaar["_merge"] == "left_only")]
    politie_jaar = politie_jaar.drop(columns="_merge")
    politie_maand = politie_maand.merge(
        politie_jaar.loc[politie_jaar["waarde"].notna(), vk].drop_duplicates(),
        on=vk,
        how="left",
        indicator=True,
    )
    politie_maand = politie_maand[politie_maand["_merge"] == "left_only"].drop(columns="_merge")

    keys = ["bron", "variabele", "gebied_code", "niveau", "jaar"]
    par = cur.merge(dim_variabele[["bron", "variabele", "soort"]], on=["bron", "variabele"])
    verwacht_map = {"maand": 12, "kwartaal": 4, "halfjaar": 2}
    stroom = par[par["soort"] == "stroom"]
    g = stroom.groupby(keys, sort=False)
    partner_stroom = pd.DataFrame(
        {
            "waarde": g["waarde"].sum(min_count=1),
            "perioden": g["waarde"].count(),
            "periode_type": g["periode_type"].first(),
        }
    ).reset_index()
    partner_stroom["n"] = np.nan
    partner_stroom["sd"] = np.nan
    voorraad = par[par["soort"] == "voorraad"]
    g = voorraad.groupby(keys, sort=False)
    laatste = (
        voorraad[voorraad["waarde"].notna()]
        .sort_values("periode_nr")
        .groupby(keys, sort=False)
        .tail(1)
        .set_index(keys)[["waarde", "n", "sd", "periode_nr"]]
        .rename(columns={"periode_nr": "perioden"})
    )
    partner_voorraad = pd.DataFrame({"periode_type": g["periode_type"].first()}).join(laatste).reset_index()
    partner_jaar = pd.concat([partner_stroom, partner_voorraad], ignore_index=True)
    partner_jaar["verwacht"] = partner_jaar["periode_type"].map(verwacht_map).fillna(1).astype("int64")
    partner_jaar = partner_jaar.drop(columns="periode_type")
    partner_jaar["bronjaar"] = partner_jaar["jaar"]

    bev = bevolking[bevolking["vervangen_door"].isna()].melt(
        id_vars=["gebied_code", "niveau", "jaar", "load_id"],
        value_vars=["inwoners", "huishoudens", "woningen"],
        var_name="variabele",
        value_name="waarde",
    )
    bev = bev[bev["waarde"].notna()]  # UNPIVOT drops NULL values
    bev["waarde"] = bev["waarde"].astype("float64")
    # carried forward per area up to the last year any source has data for, while the area exists
    laatste_jaar = max(pol["jaar"].max(), cur["jaar"].max(), bev["jaar"].max())
    bj = bev.groupby(["gebied_code", "variabele"], sort=False).agg(
        niveau=("niveau", "first"), eerste=("jaar", "min")
    )
    bj = bj.reset_index().merge(dim_gebied, on="gebied_code", how="left")
    bj["tot"] = bj["geldig_tot"].fillna(laatste_jaar).astype("int64")
    bj["jaar"] = [list(range(a, b + 1)) for a, b in zip(bj["eerste"], bj["tot"], strict=True)]
    bj = bj.explode("jaar").dropna(subset=["jaar"])
    bj["jaar"] = bj["jaar"].astype("int64")
    bev = pd.merge_asof(
        bj[["gebied_code", "niveau", "variabele", "jaar"]].sort_values("jaar"),
        bev[["gebied_code", "variabele", "jaar", "waarde", "load_id"]]
        .astype({"jaar": "int64"})
        .rename(columns={"jaar": "bronjaar"})
        .sort_values("bronjaar"),
        left_on="jaar",
        right_on="bronjaar",
        by=["gebied_code", "variabele"],
        direction="backward",
    ).dropna(subset=["bronjaar"])
    bev = bev.assign(
        bron="bevolking",
        n=np.nan,
        sd=np.nan,
        perioden=1,
        verwacht=1,
    )
    lb = lbm[lbm["vervangen_door"].isna()]
    lb = lb.assign(
        bron="leefbaarometer",
        variabele="lbm",
        waarde=lb["lbm"],
        n=np.nan,
        sd=np.nan,
        perioden=lb["lbm"].notna().astype("int64"),
        verwacht=1,
        bronjaar=lb["jaar"],
    )
    ij = pd.concat(
        [df[cols + ["bronjaar"]] for df in (politie_jaar, politie_maand, partner_jaar, bev, lb)],
        ignore_index=True,
    )
    ij = ij[ij["niveau"].notna()]
    ij["n"] = ij["n"].astype("float64")
    ij["volledig"] = (ij["perioden"] == ij["verwacht"]) & ij["waarde"].notna()
    rows: dict[str, int] = {"int_waarnemingen_jaar": len(ij)}
    del pj, pm, politie_jaar, politie_maand, par, stroom, voorraad, laatste, partner_stroom, partner_voorraad
    del partner_jaar, bev, bj, lb
    lap("int_waarnemingen_jaar")

    # ---- int_waarnemingen: counts summed buurt -> wijk -> gemeente, survey figures n-weighted
    jaar = ij.merge(dim_variabele[["bron", "variabele", "aggregatie"]], on=["bron", "variabele"])
    optelbaar = jaar[jaar["aggregatie"] != "geen"]
    bu = optelbaar[optelbaar["niveau"] == "buurt"]
    wk = optelbaar[optelbaar["niveau"] == "wijk"]
    wk = wk.assign(ouder="GM" + wk["gebied_code"].str[2:6], ouder_niveau="gemeente")
    # a gemeente is built from its buurten when there are any for this variable and year
    bu_gm = (
        bu[["bron", "variabele", "jaar"]].assign(ouder="GM" + bu["gebied_code"].str[2:6]).drop_duplicates()
    )
    wk = wk.merge(bu_gm, on=["bron", "variabele", "jaar", "ouder"], how="left", indicator=True)
    wk = wk[wk["_merge"] == "left_only"].drop(columns="_merge")
    kinderen = pd.concat(
        [
            bu.assign(ouder="WK" + bu["gebied_code"].str[2:8], ouder_niveau="wijk"),
            bu.assign(ouder="GM" + bu["gebied_code"].str[2:6], ouder_niveau="gemeente"),
            wk,
        ],
        ignore_index=True,
    )
    kinderen["n_w"] = kinderen["n"].where(kinderen["waarde"].notna())
    kinderen["nx"] = kinderen["n"] * kinderen["waarde"]
    kinderen["nsd2"] = kinderen["n"] * kinderen["sd"] * kinderen["sd"]
    kinderen["n_sd"] = kinderen["n"].where(kinderen["sd"].notna())
    okeys = ["bron", "variabele", "ouder", "ouder_niveau", "jaar"]
    g = kinderen.groupby(okeys, sort=False)
    sums = g[["waarde", "nx", "n_w", "nsd2", "n_sd"]].sum(min_count=1)
    opgeteld = pd.DataFrame(
        {
            "aggregatie": g["aggregatie"].first(),
            "perioden": g["perioden"].min(),
            "verwacht": g["verwacht"].max(),
            "volledig": g["volledig"].all(),
            "bronjaar": g["bronjaar"].min(),
            "onderdelen": g.size(),
        }
    ).join(sums)
    opgeteld = opgeteld.reset_index().rename(columns={"ouder": "gebied_code", "ouder_niveau": "niveau"})
    som = opgeteld["aggregatie"] == "som"
    opgeteld["waarde"] = np.where(
        som, opgeteld["waarde"], opgeteld["nx"] / opgeteld["n_w"].replace(0, np.nan)
    )
    opgeteld["sd"] = np.where(
        opgeteld["aggregatie"] == "gewogen_gemiddelde",
        np.sqrt(opgeteld["nsd2"] / opgeteld["n_sd"].replace(0, np.nan)),
        np.nan,
    )
    opgeteld["n"] = np.where(som, np.nan, opgeteld["n_w"])
    opgeteld["opgeteld"] = True
    geleverd = jaar.merge(
        opgeteld[["bron", "variabele", "gebied_code", "jaar"]],
        on=["bron", "variabele", "gebied_code", "jaar"],
        how="left",
        indicator=True,
    )
    geleverd = geleverd[geleverd["_merge"] == "left_only"].assign(onderdelen=1, opgeteld=False)
    iw_cols = cols + ["volledig", "bronjaar", "onderdelen", "opgeteld"]
    iw = pd.concat([geleverd[iw_cols], opgeteld[iw_cols]], ignore_index=True)
    rows["int_waarnemingen"] = len(iw)
    del ij, jaar, optelbaar, bu, wk, bu_gm, kinderen, sums, opgeteld, geleverd
    lap("int_waarnemingen")

    # ---- int_indicator_waarden: numerator / denominator x factor, or the survey figure
    w = components.merge(iw[iw["waarde"].notna()], on=["bron", "variabele"])
    tk = ["indicator", "gebied_code", "niveau", "jaar"]
    tw = w[w["rol"] == "teller"]
    g = tw.groupby(tk, sort=False)
    teller = pd.DataFrame(
        {
            "teller": g["waarde"].sum(),
            "n": g["n"].first(),
            "sd": g["sd"].first(),
            "teller_volledig": g["volledig"].all(),
            "teller_variabelen": g.size(),
        }
    )
    teller = teller.reset_index()
    # a numerator of several variables is complete only when every variable the area ever has is there
    teller["alle_variabelen"] = teller["teller_variabelen"] == teller.groupby(["indicator", "gebied_code"])[
        "teller_variabelen"
    ].transform("max")
    nk = ["indicator", "gebied_code", "jaar"]
    nw = w[w["rol"] == "noemer"]
    g = nw.groupby(nk, sort=False)
    noemer = pd.DataFrame(
        {
            "noemer": g["waarde"].sum(),
            "noemer_jaar": g["bronjaar"].min(),
            "noemer_volledig": g["volledig"].all(),
        }
    )
    noemer = noemer.reset_index().rename(columns={"jaar": "njaar"})
    # the denominator of the same year, or else the nearest earlier year
    gekoppeld = pd.merge_asof(
        teller.sort_values("jaar"),
        noemer.sort_values("njaar"),
        left_on="jaar",
        right_on="njaar",
        by=["indicator", "gebied_code"],
        direction="backward",
    )
    niveaus = dim_indicator[["indicator", "niveaus"]].explode("niveaus").rename(columns={"niveaus": "niveau"})
    ind_cols = ["indicator", "heeft_noemer", "factor", "polariteit", "onzekerheid", "vergelijkbaar_vanaf"]
    wd = gekoppeld.merge(niveaus, on=["indicator", "niveau"]).merge(dim_indicator[ind_cols], on="indicator")
    hn = wd["heeft_noemer"]
    wd["waarde"] = np.where(
        hn & (wd["noemer"].fillna(0) == 0),
        np.nan,
        np.where(hn, wd["teller"] / wd["noemer"] * wd["factor"], wd["teller"]),
    )
    wd["noemer"] = wd["noemer"].where(hn)
    wd["noemer_jaar"] = wd["noemer_jaar"].where(hn)
    noemer_volledig = wd["noemer_volledig"].astype("boolean")
    wd["volledig"] = wd["teller_volledig"] & wd["alle_variabelen"] & (~hn | noemer_volledig.fillna(False))
    wd["noemer_geschat"] = hn & (wd["noemer_jaar"] != wd["jaar"]) & wd["noemer"].notna()
    wd["opmerking"] = np.select(
        [
            ~wd["teller_volledig"],
            ~wd["alle_variabelen"],
            hn & noemer_volledig.eq(False).fillna(False),
            hn & wd["noemer"].isna(),
            hn & (wd["noemer"] == 0),
        ],
        [
            "onvolledig jaar",
            "niet alle onderdelen geleverd",
            "noemer onvolledig",
            "geen noemer",
            "noemer is 0",
        ],
        default=None,
    )
    waarden = wd
    rows["int_indicator_waarden"] = len(waarden)
    del iw, w, tw, nw, teller, noemer, gekoppeld, wd
    lap("int_indicator_waarden")

    def z_verschil(df: pd.DataFrame, now: str, before: str) -> np.ndarray:
        """Test statistic of the change from the columns prefixed ``before`` to those prefixed ``now``."""

        def col(prefix: str, name: str) -> pd.Series:
            key = "basiswaarde" if (prefix, name) == ("basis_", "waarde") else prefix + name
            return df[key].astype("float64")

        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t0 = np.maximum(col(now, "teller"), 0.5), np.maximum(col(before, "teller"), 0.5)
            z_pois = np.log(
                (t1 / col(now, "noemer").fillna(1)) / (t0 / col(before, "noemer").fillna(1))
            ) / np.sqrt(1 / t1 + 1 / t0)
            p1, p0 = col(now, "waarde") / 100.0, col(before, "waarde") / 100.0
            n1, n0 = col(now, "n"), col(before, "n")
            pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
            z_binom = (p1 - p0) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n0)).replace(0, np.nan)
            z_gem = (col(now, "waarde") - col(before, "waarde")) / np.sqrt(
                col(now, "sd") ** 2 / n1 + col(before, "sd") ** 2 / n0
            ).replace(0, np.nan)
        onz = df["onzekerheid"]
        return np.select(
            [onz == "poisson", onz == "binomiaal", onz == "gemiddelde"],
            [z_pois, z_binom, z_gem],
            default=np.nan,
        )

    # ---- fct_indicator_scores: interval, baseline, score, z-test, verdict
    s = waarden.copy()
    del waarden
    pois = s["onzekerheid"] == "poisson"
    binom = s["onzekerheid"] == "binomiaal"
    gem = s["onzekerheid"] == "gemiddelde"
    scale = np.where(s["heeft_noemer"], s["factor"] / s["noemer"], 1.0)
    x = s["teller"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - settings.betrouwbaarheid  # exact (Garwood) interval for a Poisson count
        laag = np.where(x > 0, stats.chi2.ppf(alpha / 2, 2 * x) / 2, 0.0)
        hoog = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
        p = s["waarde"] / 100.0
        n = s["n"].astype("float64")
        wilson_mid = p + zk * zk / (2 * n)
        wilson_half = zk * np.sqrt(p * (1 - p) / n + zk * zk / (4 * n * n))
        s["ci_laag"] = np.select(
            [pois & s["waarde"].notna(), binom, gem],
            [
                laag * scale,
                100 * (wilson_mid - wilson_half) / (1 + zk * zk / n),
                s["waarde"] - zk * s["sd"] / np.sqrt(n),
            ],
            default=np.nan,
        )
        s["ci_hoog"] = np.select(
            [pois & s["waarde"].notna(), binom, gem],
            [
                hoog * scale,
                100 * (wilson_mid + wilson_half) / (1 + zk * zk / n),
                s["waarde"] + zk * s["sd"] / np.sqrt(n),
            ],
            default=np.nan,
        )
        s["p"] = p
        s["logvar"] = np.select(
            [pois, binom, gem],
            [
                1.0 / np.maximum(s["teller"], 0.5),
                (1 - p) / (n * np.maximum(p, 0.5 / n)),
                (s["sd"] * s["sd"] / n) / (s["waarde"] * s["waarde"]).replace(0, np.nan),
            ],
            default=np.nan,
        )
    basis = s.loc[
        s["jaar"] == basisjaar,
        ["gebied_code", "indicator", "waarde", "teller", "noemer", "n", "sd", "p", "logvar", "volledig"],
    ].rename(
        columns={
            "waarde": "basiswaarde",
            "teller": "basis_teller",
            "noemer": "basis_noemer",
            "n": "basis_n",
            "sd": "basis_sd",
            "p": "basis_p",
            "logvar": "basis_logvar",
            "volledig": "basis_volledig",
        }
    )
    v = s.merge(basis, on=["gebied_code", "indicator"], how="left")
    v["vergelijkbaar"] = v["vergelijkbaar_vanaf"] <= np.minimum(v["jaar"], basisjaar)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_ruw = z_verschil(v, "", "basis_")
        wv, bv, hoger = v["waarde"], v["basiswaarde"], v["polariteit"] == "hoger_is_beter"
        score_ruw = np.select(
            [
                wv.isna() | bv.isna(),
                (wv == 0) & (bv == 0),
                hoger & (bv == 0),
                ~hoger & (wv == 0),
                hoger,
            ],
            [np.nan, 100.0, 200.0, 200.0, np.clip(100 * wv / bv, 0, 200)],
            default=np.clip(100 * bv / wv, 0, 200),
        )
    bruikbaar = (
        wv.notna()
        & bv.notna()
        & v["volledig"]
        & v["basis_volledig"].fillna(False).astype(bool)
        & v["vergelijkbaar"]
    )
    basis_rij = v["jaar"] == basisjaar
    z_beter = np.where(hoger, z_ruw, -z_ruw)
    v["basisjaar"] = basisjaar
    v["score"] = np.where(bruikbaar, score_ruw, np.nan)
    v["score_var"] = np.where(
        bruikbaar & basis_rij,
        0.0,
        np.where(bruikbaar, score_ruw * score_ruw * (v["logvar"] + v["basis_logvar"]), np.nan),
    )
    v["z"] = np.where(bruikbaar & ~basis_rij, z_beter, np.where(bruikbaar, 0.0, np.nan))
    v["p_waarde"] = np.where(
        bruikbaar & ~basis_rij, 2 * special.ndtr(-np.abs(z_beter)), np.where(bruikbaar, 1.0, np.nan)
    )
    geen = v["onzekerheid"] == "geen"
    v["verandering"] = np.select(
        [
            ~bruikbaar,
            basis_rij,
            geen & (score_ruw > 100),
            geen & (score_ruw < 100),
            geen,
            z_beter > zk,
            z_beter < -zk,
        ],
        [None, "gelijk", "beter", "slechter", "gelijk", "beter", "slechter"],
        default="gelijk",
    )
    v["onderdrukt"] = (v["onzekerheid"] == "poisson") & (v["teller"] >= 1) & (v["teller"] < drempel)
    delen = pd.DataFrame(
        {
            "a": v["opmerking"],
            "b": np.where(~v["vergelijkbaar"], "methodebreuk: niet vergelijkbaar met het basisjaar", None),
            "c": np.where(bv.isna() & wv.notna(), "geen basiswaarde", None),
            "d": np.where(
                v["basis_volledig"].astype("boolean").eq(False).fillna(False), "basisjaar onvolledig", None
            ),
            "e": np.where(
                v["noemer_geschat"], "noemer uit " + v["noemer_jaar"].astype("Int64").astype(str), None
            ),
            "f": np.select(
                [(wv == 0) & (bv == 0), wv == 0, bv == 0],
                ["waarde en basiswaarde zijn 0", "waarde is 0", "basiswaarde is 0"],
                default=None,
            ),
        }
    )
    v["opmerking"] = ["; ".join(x for x in r if isinstance(x, str)) for r in delen.itertuples(index=False)]
    scores = v[
        [
            "gebied_code", "niveau", "indicator", "jaar", "waarde", "teller", "noemer", "noemer_jaar",
            "noemer_geschat", "n", "sd", "ci_laag", "ci_hoog", "basisjaar", "basiswaarde", "score",
            "score_var", "z", "p_waarde", "verandering", "vergelijkbaar", "volledig", "onderdrukt",
            "opmerking",
        ]
    ]  # fmt: skip
    lap("fct_indicator_scores")

    # ---- fct_indicator_vorige: each complete, comparable value against the previous complete one
    vw = v[
        v["volledig"]
        & v["waarde"].notna()
        & (v["jaar"] >= v["vergelijkbaar_vanaf"])
        & (v["onzekerheid"] != "geen")
    ]
    vw = vw.sort_values(["indicator", "gebied_code", "jaar"])
    g = vw.groupby(["indicator", "gebied_code"], sort=False)
    for c in ("jaar", "waarde", "teller", "noemer", "n", "sd"):
        vw[f"vorige_{c}"] = g[c].shift(1)
    vw = vw[vw["vorige_jaar"].notna()].rename(columns={"vorige_jaar": "vorig_jaar"})
    z_vorig = z_verschil(vw, "", "vorige_")
    vw["z"] = np.where(vw["polariteit"] == "hoger_is_beter", z_vorig, -z_vorig)
    vw["verandering"] = np.select([vw["z"] > zk, vw["z"] < -zk], ["beter", "slechter"], default="gelijk")
    vorige = vw[
        ["gebied_code", "niveau", "indicator", "jaar", "vorig_jaar", "waarde", "vorige_waarde", "onderdrukt",
         "z", "verandering"]
    ]  # fmt: skip
    del v, s, basis, vw
    lap("fct_indicator_vorige")

    # ---- fct_composites: weighted means per theme, kind and theme within kind; total = kinds 50/50;
    #      the least-squares trend since the baseline per area and group
    sc = scores[scores["score"].notna()].merge(
        dim_indicator[["indicator", "thema", "soort", "gewicht"]], on="indicator"
    )
    sc = sc[sc["gewicht"] > 0].sort_values("indicator")
    sc["thema_soort"] = sc["thema"] + "/" + sc["soort"]
    sc["ws"] = sc["gewicht"] * sc["score"]
    sc["wwv"] = sc["gewicht"] ** 2 * sc["score_var"]
    groepen = {}
    for groep_type in ("thema", "soort", "thema_soort"):
        g = sc.groupby(["gebied_code", "niveau", "jaar", groep_type], sort=False)
        agg = g.agg(ws=("ws", "sum"), w=("gewicht", "sum"), dekking=("indicator", "size"))
        agg["indicatoren"] = g["indicator"].apply(list)
        agg["wwv"] = g["wwv"].sum(min_count=1)
        agg = agg.reset_index().rename(columns={groep_type: "groep"})
        agg["groep_type"] = groep_type
        agg["score"] = agg["ws"] / agg["w"]
        agg["score_var"] = agg["wwv"] / (agg["w"] * agg["w"])
        groepen[groep_type] = agg
    g = groepen["soort"].groupby(["gebied_code", "niveau", "jaar"], sort=False)
    totaal = g.agg(
        k=("score", "size"),
        som=("score", "sum"),
        eerste=("score", "first"),
        var_som=("score_var", "sum"),
        var_eerste=("score_var", "first"),
        dekking=("dekking", "sum"),
    )
    totaal["indicatoren"] = g["indicatoren"].apply(lambda x: [i for lst in x for i in lst])
    totaal = totaal.reset_index()
    totaal["score"] = np.where(totaal["k"] == 2, 0.5 * totaal["som"], totaal["eerste"])
    totaal["score_var"] = np.where(totaal["k"] == 2, 0.25 * totaal["var_som"], totaal["var_eerste"])
    totaal["groep"] = "totaal"
    totaal["groep_type"] = "totaal"
    ccols = [
        "gebied_code",
        "niveau",
        "groep",
        "groep_type",
        "jaar",
        "score",
        "score_var",
        "dekking",
        "indicatoren",
    ]
    comp = pd.concat([df[ccols] for df in (*groepen.values(), totaal)], ignore_index=True)
    comp["se"] = np.sqrt(comp["score_var"])
    comp["ci_laag"] = comp["score"] - zk * comp["se"]
    comp["ci_hoog"] = comp["score"] + zk * comp["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        comp["z"] = np.where(comp["score_var"] > 0, (comp["score"] - 100) / comp["se"], 0.0)
    comp["verandering"] = np.select(
        [(comp["score_var"] > 0) & (comp["z"] > zk), (comp["score_var"] > 0) & (comp["z"] < -zk)],
        ["beter", "slechter"],
        default="gelijk",
    )
    # cumulative least-squares line per area and group (x centred on the baseline year for precision)
    comp = comp.sort_values(["gebied_code", "groep", "jaar"], ignore_index=True)
    sinds = comp["jaar"] >= basisjaar
    tr = comp.loc[sinds, ["gebied_code", "groep", "jaar", "score"]]
    tr = tr.assign(x=tr["jaar"] - basisjaar)
    tr = tr.assign(xx=tr["x"] ** 2, xy=tr["x"] * tr["score"])
    g = tr.groupby(["gebied_code", "groep"], sort=False)
    cum = g[["x", "score", "xx", "xy"]].cumsum()
    k = g.cumcount() + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        helling = (cum["xy"] - cum["x"] * cum["score"] / k) / (cum["xx"] - cum["x"] ** 2 / k)
        snijpunt_basis = cum["score"] / k - helling * cum["x"] / k
    helling = helling.where(k >= 2)
    comp.loc[sinds, "helling"] = helling
    comp.loc[sinds, "snijpunt"] = snijpunt_basis.where(k >= 2) - helling * basisjaar  # intercept at jaar = 0
    comp.loc[sinds, "trendjaren"] = k
    composites = comp.drop(columns="score_var")
    lap("fct_composites")

    # ---- fct_doelen: target status per area, group and peiljaar (wm_doelstatus in indicators/sql/macros.sql)
    c = composites[
        (composites["jaar"] >= basisjaar) & composites["groep_type"].isin(["totaal", "soort", "thema"])
    ]
    doel = c.loc[c["jaar"] == doeljaar, ["gebied_code", "groep", "score", "verandering"]].rename(
        columns={"score": "doel_score", "verandering": "doel_verandering"}
    )
    d = c.merge(doel, on=["gebied_code", "groep"], how="left")
    proj = d["snijpunt"] + d["helling"] * doeljaar
    na_doel = d["jaar"] >= doeljaar
    d["projectie"] = np.where(~na_doel & (d["trendjaren"] >= 2), proj, np.nan)
    d["status"] = np.select(
        [
            na_doel & d["doel_score"].isna(),
            na_doel & (d["doel_verandering"] == "slechter"),
            na_doel,
            (d["trendjaren"] < 2) | proj.isna(),
            (proj.round(9) >= 100) & (d["verandering"] != "slechter"),
            (proj.round(9) < 100) & (d["verandering"] == "slechter"),
        ],
        ["geen data", "niet gehaald", "gehaald", "geen data", "op koers", "uit koers"],
        default="risico",
    )
    doelen = d.assign(doeljaar=doeljaar).rename(columns={"jaar": "peiljaar"})[
        ["gebied_code", "niveau", "groep", "groep_type", "doeljaar", "peiljaar", "score", "verandering",
         "projectie", "doel_score", "status"]
    ]  # fmt: skip
    lap("fct_doelen")

    # ---- fct_hotspots: a buurt's month against the same months (+/- 1) of the previous years, Poisson
    reeksen = dims["dim_hotspot_reeks"]
    hs_p, hs_min, hs_jaren = float(inst.hotspot_p), int(inst.hotspot_minimum), int(inst.hotspot_jaren)
    hs_maanden = int(inst.hotspot_maanden)
    pm = pol[(pol["periode_type"] == "maand") & (pol["niveau"] == "buurt")]
    gm = cur[(cur["periode_type"] == "maand") & (cur["niveau"] == "buurt")]
    maanden = pd.concat(
        [
            pd.DataFrame(
                {
                    "bron": "politie",
                    "variabele": pm["soort_misdrijf"],
                    "gebied_code": pm["gebied_code"],
                    "jaar": pm["jaar"],
                    "maand": pm["maand"],
                    "aantal": pm["aantal"].astype("float64"),
                    "load_id": pm["load_id"],
                }
            ),
            gm[["bron", "variabele", "gebied_code", "jaar", "periode_nr", "waarde", "load_id"]].rename(
                columns={"periode_nr": "maand", "waarde": "aantal"}
            ),
        ],
        ignore_index=True,
    )
    hs = maanden.merge(reeksen, on=["bron", "variabele"])
    hs = hs[hs["aantal"].notna()].reset_index(drop=True)
    hs["maandnr"] = hs["jaar"] * 12 + hs["maand"] - 1
    hs["reeks_id"] = hs.groupby(["bron", "variabele", "gebied_code"], sort=False).ngroup()
    hist = hs[["reeks_id", "maandnr", "aantal"]]
    lags = [d for d in range(11, 12 * hs_jaren + 2) if d % 12 in (11, 0, 1)]
    eerder = np.column_stack(
        [
            hs[["reeks_id", "maandnr"]]
            .merge(hist.assign(maandnr=hist["maandnr"] + lag), on=["reeks_id", "maandnr"], how="left")[
                "aantal"
            ]
            .to_numpy()
            for lag in lags
        ]
    )
    hs["maanden_eerder"] = (~np.isnan(eerder)).sum(axis=1)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty slice: no history
        hs["verwacht"] = np.nanmean(eerder, axis=1)
    genoeg = hs["maanden_eerder"] >= 3
    hs["p_waarde"] = np.where(
        genoeg, stats.poisson.sf(hs["aantal"] - 1, np.maximum(hs["verwacht"].fillna(0.1), 0.1)), np.nan
    )
    hs["signaal"] = genoeg & (hs["p_waarde"] < hs_p) & (hs["aantal"] >= hs_min)
    # only the last hotspot_maanden months up to each gemeente's latest month are kept
    laatste = hs.groupby(hs["gebied_code"].str[2:6])["maandnr"].transform("max")
    hs = hs[hs["maandnr"] > laatste - hs_maanden]
    hs["wijk_code"] = "WK" + hs["gebied_code"].str[2:8]
    hs["periode"] = pd.to_datetime(pd.DataFrame({"year": hs["jaar"], "month": hs["maand"], "day": 1}))
    hotspots = hs.rename(columns={"titel": "reeks"})[
        ["gebied_code", "wijk_code", "bron", "variabele", "reeks", "jaar", "maand", "periode", "aantal",
         "verwacht", "maanden_eerder", "p_waarde", "signaal", "load_id"]
    ]  # fmt: skip
    lap("fct_hotspots")
    rows |= {
        "fct_indicator_scores": len(scores),
        "fct_indicator_vorige": len(vorige),
        "fct_composites": len(composites),
        "fct_doelen": len(doelen),
        "fct_hotspots": len(hotspots),
    }
    return (
        {
            "fct_indicator_scores": scores,
            "fct_indicator_vorige": vorige,
            "fct_composites": composites,
            "fct_doelen": doelen,
            "fct_hotspots": hotspots,
        },
        rows,
        steps,
        peaks,
    )


def _same(a: Any, b: Any) -> bool:
    """Equal, with every kind of missing (None, NaN, pd.NA) equal to each other."""
    import pandas as pd

    na_a, na_b = a is None or a is pd.NA or a != a, b is None or b is pd.NA or b != b
    if na_a or na_b:
        return bool(na_a and na_b)
    return bool(a == b)


def _listish(x: Any) -> tuple | None:
    import numpy as np

    return tuple(sorted(x)) if isinstance(x, list | tuple | np.ndarray) else None


def compare(
    con: duckdb.DuckDBPyConnection, out: dict[str, pd.DataFrame], rows: dict[str, int], seed: int
) -> dict[str, Any]:
    """Check the pandas result against the marts: row counts and a sample of rows, with a tolerance."""
    import numpy as np

    checks: list[dict[str, Any]] = []
    problems: list[str] = []
    max_abs = 0.0

    from indicators.build import INTERMEDIATE

    marts = [name for name in rows if name not in INTERMEDIATE]  # the rest are temporary tables of the build
    for name in marts:
        n = rows[name]
        db_rows = con.execute(f"SELECT count(*) FROM marts.{name}").fetchall()[0][0]
        if db_rows != n:
            problems.append(f"{name}: {n:,} rows in pandas, {db_rows:,} in the mart")

    def check(
        label: str,
        db: pd.DataFrame,
        pdf: pd.DataFrame,
        keys: list[str],
        numeric: list[str],
        exact: list[str],
        lists: list[str],
    ) -> None:
        nonlocal max_abs
        m = db.merge(pdf, on=keys, how="left", suffixes=("_db", "_pd"), indicator=True)
        missing = int((m["_merge"] != "both").sum())
        if missing:
            problems.append(f"{label}: {missing} rows of the mart not found in the pandas result")
        m = m[m["_merge"] == "both"]
        bad: dict[str, int] = {}
        for c in numeric:
            a = m[f"{c}_db"].astype("float64").to_numpy()
            b = m[f"{c}_pd"].astype("float64").to_numpy()
            both = ~np.isnan(a) & ~np.isnan(b)
            diff = np.abs(a[both] - b[both])
            if diff.size:
                max_abs = max(max_abs, float(diff.max()))
            n_bad = int((np.isnan(a) != np.isnan(b)).sum() + (diff > ATOL + RTOL * np.abs(a[both])).sum())
            if n_bad:
                bad[c] = n_bad
        for c in exact:
            n_bad = sum(not _same(x, y) for x, y in zip(m[f"{c}_db"], m[f"{c}_pd"], strict=True))
            if n_bad:
                bad[c] = n_bad
        for c in lists:
            n_bad = sum(_listish(x) != _listish(y) for x, y in zip(m[f"{c}_db"], m[f"{c}_pd"], strict=True))
            if n_bad:
                bad[c] = n_bad
        for c, n_bad in bad.items():
            problems.append(f"{label}: column {c} differs in {n_bad} of {len(m)} rows")
        checks.append({"label": label, "rows": len(db), "bad": bad})

    def sample(mart: str) -> pd.DataFrame:
        return con.execute(
            f"SELECT * FROM marts.{mart} USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE ({seed})"
        ).df()

    check(
        f"fct_indicator_scores ({SAMPLE_ROWS:,} random rows)",
        sample("fct_indicator_scores"),
        out["fct_indicator_scores"],
        ["gebied_code", "indicator", "jaar"],
        ["waarde", "teller", "noemer", "noemer_jaar", "n", "sd", "ci_laag", "ci_hoog", "basisjaar",
         "basiswaarde", "score", "score_var", "z", "p_waarde"],
        ["niveau", "noemer_geschat", "verandering", "vergelijkbaar", "volledig", "onderdrukt", "opmerking"],
        [],
    )  # fmt: skip
    check(
        f"fct_indicator_vorige ({SAMPLE_ROWS:,} random rows)",
        sample("fct_indicator_vorige"),
        out["fct_indicator_vorige"],
        ["gebied_code", "indicator", "jaar"],
        ["vorig_jaar", "waarde", "vorige_waarde", "z"],
        ["niveau", "onderdrukt", "verandering"],
        [],
    )
    comp = con.execute("SELECT * FROM marts.fct_composites WHERE niveau = 'gemeente'").df()
    check(
        "fct_composites (all gemeente rows)",
        comp,
        out["fct_composites"],
        ["gebied_code", "groep", "groep_type", "jaar"],
        ["score", "se", "ci_laag", "ci_hoog", "z", "dekking", "helling", "snijpunt", "trendjaren"],
        ["niveau", "verandering"],
        ["indicatoren"],
    )
    doelen = con.execute("SELECT * FROM marts.fct_doelen WHERE niveau = 'gemeente'").df()
    check(
        "fct_doelen (all gemeente rows)",
        doelen,
        out["fct_doelen"],
        ["gebied_code", "groep", "peiljaar"],
        ["doeljaar", "score", "projectie", "doel_score"],
        ["niveau", "groep_type", "verandering", "status"],
        [],
    )
    check(
        f"fct_hotspots ({SAMPLE_ROWS:,} random rows)",
        sample("fct_hotspots"),
        out["fct_hotspots"],
        ["gebied_code", "bron", "variabele", "jaar", "maand"],
        ["aantal", "verwacht", "maanden_eerder", "p_waarde", "load_id"],
        ["wijk_code", "reeks", "signaal"],
        [],
    )
    signals = con.execute("SELECT count(*) FILTER (WHERE signaal) FROM marts.fct_hotspots").fetchall()[0][0]
    pd_signals = int(out["fct_hotspots"]["signaal"].sum())
    if signals != pd_signals:
        problems.append(f"fct_hotspots: {pd_signals:,} signals in pandas, {signals:,} in the mart")
    return {
        "ok": not problems,
        "max_abs_diff": max_abs,
        "problems": problems,
        "checks": checks,
        "marts": len(marts),
    }


def run_pandas(db_path: Path, check: bool, seed: int) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    t0 = time.perf_counter()
    out, rows, steps, peaks = pandas_marts(con)
    seconds = time.perf_counter() - t0
    peak = _peak_bytes()
    result: dict[str, Any] = {
        "seconds": seconds,
        "steps": steps,
        "peaks": peaks,
        "rows": rows,
        "peak_bytes": peak,
    }
    if check:
        t1 = time.perf_counter()
        result["check"] = compare(con, out, rows, seed)
        result["check_seconds"] = time.perf_counter() - t1
    con.close()
    return result


# ------------------------------------------------------------------------------------------------ children


def child(spec_json: str) -> int:
    spec = json.loads(spec_json)
    db = Path(spec["db"])
    if spec["action"] == "generate":
        out = generate(db, spec["scale"], spec["seed"], spec["codes"])
    elif spec["action"] == "marts":
        out = run_marts(db)
    else:
        out = run_pandas(db, spec["check"], spec["seed"])
    print(RESULT_TAG + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


@dataclass
class Run:
    ok: bool
    wall: float  # the whole child process
    peak_bytes: int  # the child's ru_maxrss (whole process, wait4)
    detail: dict[str, Any] = field(default_factory=dict)
    stderr: str = ""


def spawn(spec: dict[str, Any], workdir: Path) -> Run:
    """Run this script as a child with ``spec``, measured on its own (benchmarks/childproc.py)."""
    child = run_child(Path(__file__).resolve(), spec, workdir, REPO)
    if child.result is None:
        return Run(False, child.wall, child.peak_bytes, {"returncode": child.code}, child.stderr)
    return Run(True, child.wall, child.peak_bytes, child.result, child.stderr)


def fmt_bytes(n: float) -> str:
    return f"{n / 1024**3:.2f} GB" if n >= 1024**3 else f"{n / MB:.0f} MB"


def report_failure(name: str, run: Run) -> None:
    print(
        f"\n!! {name} FAILED (returncode {run.detail.get('returncode')}, after {run.wall:.1f} s, "
        f"peak {fmt_bytes(run.peak_bytes)})"
    )
    for ln in run.stderr.strip().splitlines()[-30:]:
        print(f"     {ln}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------------------------------------ parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="default: benchmarks/out/")
    parser.add_argument("--scale", type=float, default=1.0, help="scale the number of areas (0.1: quick run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed step; the median is reported")
    parser.add_argument("--pandas-repeat", type=int, help="runs of the pandas version (default: --repeat)")
    parser.add_argument(
        "--codes",
        choices=("all", "catalogue"),
        default="catalogue",
        help="police crime codes: only those the catalogue uses (default) or all of the registry "
        "(~83 M rows: the pandas comparison does not fit in 24 GB and is skipped unless --force-pandas)",
    )
    parser.add_argument("--skip-pandas", action="store_true", help="time the DuckDB marts only")
    parser.add_argument(
        "--force-pandas",
        action="store_true",
        help="run the pandas version even when it looks too big for memory",
    )
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (and reuse it when it matches)"
    )
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    pandas_repeat = args.repeat if args.pandas_repeat is None else args.pandas_repeat
    if args.repeat < 1 or pandas_repeat < 1 or args.scale <= 0:
        parser.error("--repeat and --pandas-repeat must be >= 1 and --scale > 0")

    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / DB_NAME
    sidecar = workdir / (DB_NAME + ".json")
    print(
        f"wijkmonitor indicator benchmark: scale {args.scale}, codes {args.codes}, repeat {args.repeat} "
        f"(pandas {0 if args.skip_pandas else pandas_repeat}), {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}, work dir {workdir}",
        flush=True,
    )

    # 1. the staging layer (reused with --keep when generated with the same parameters)
    gen: dict[str, Any] | None = None
    if args.keep and db.exists() and sidecar.exists():
        previous = json.loads(sidecar.read_text())
        if (previous["scale"], previous["seed"], previous["codes_mode"]) == (
            args.scale,
            args.seed,
            args.codes,
        ):
            gen = previous
            print(f"reusing {db} (generated earlier with the same parameters)")
    if gen is None:
        sidecar.unlink(missing_ok=True)
        run = spawn({"action": "generate", "db": str(db), "scale": args.scale, "seed": args.seed,
                     "codes": args.codes}, workdir)  # fmt: skip
        if not run.ok:
            report_failure("generation", run)
            return 1
        gen = run.detail
        gen["peak_bytes"] = run.peak_bytes
        sidecar.write_text(json.dumps(gen))
        print(
            f"generated in {gen['seconds']:.1f} s (staging {gen['staging_seconds']:.1f} s, "
            f"dim_gebied/coverage/dim_variabele {gen['etl_marts_seconds']:.1f} s), "
            f"peak {fmt_bytes(run.peak_bytes)}, "
            f"database {fmt_bytes(gen['db_bytes'])}",
            flush=True,
        )
    areas = gen["areas"]
    print(
        f"areas: {areas.get('gemeente', 0):,} gemeenten, {areas.get('wijk', 0):,} wijken, "
        f"{areas.get('buurt', 0):,} buurten; police: {gen['n_codes']} crime codes "
        + (
            "(all codes of the registry), "
            if gen["codes_mode"] == "all"
            else "(only those the catalogue uses: with all 59 codes of the registry the police table has "
            "~83 M rows and the pandas comparison does not fit in memory; --codes all times DuckDB alone), "
        )
        + f"monthly {FIRST_YEAR}-{LAST_YEAR}"
    )
    print("staging rows:")
    for t, n in gen["rows"].items():
        extra = ""
        if t == "stg_partner__waarnemingen":
            extra = "  (" + ", ".join(f"{b} {k:,}" for b, k in gen["partner_rows"].items()) + ")"
        print(f"  {t:<28} {n:>12,}{extra}")
    print(f"  {'total':<28} {sum(gen['rows'].values()):>12,}", flush=True)

    try:
        # 2. DuckDB: build_marts
        marts: list[Run] = []
        for k in range(args.repeat):
            run = spawn({"action": "marts", "db": str(db)}, workdir)
            if not run.ok:
                report_failure("build_marts", run)
                return 1
            marts.append(run)
            d = run.detail
            per = ", ".join(f"{m} {s:.2f}" for m, s in d["models"].items())
            print(
                f"  build_marts [{k + 1}/{args.repeat}]: {d['seconds']:.2f} s (+ checkpoint "
                f"{d['checkpoint_seconds']:.2f} s), peak {fmt_bytes(d['peak_bytes'])}; {per}",
                flush=True,
            )

        # 3. pandas
        pandas_runs: list[Run] = []
        estimate = PANDAS_BASE_BYTES + PANDAS_BYTES_PER_ROW * sum(gen["rows"].values())
        if not args.skip_pandas and not args.force_pandas and estimate > 0.8 * _available_bytes():
            print(
                f"  pandas skipped: its peak would be about {fmt_bytes(estimate)}, more than 80 % of the "
                f"{fmt_bytes(_available_bytes())} available (--force-pandas to run it anyway)"
            )
            args.skip_pandas = True
        if not args.skip_pandas:
            for k in range(pandas_repeat):
                run = spawn({"action": "pandas", "db": str(db), "check": k == 0, "seed": args.seed}, workdir)
                if not run.ok:
                    report_failure("pandas", run)
                    break
                pandas_runs.append(run)
                d = run.detail
                per = ", ".join(f"{m} {s:.2f}" for m, s in d["steps"].items())
                print(
                    f"  pandas [{k + 1}/{pandas_repeat}]: {d['seconds']:.2f} s, "
                    f"peak {fmt_bytes(d['peak_bytes'])}; {per}",
                    flush=True,
                )
        summary(gen, marts, pandas_runs, args)
    finally:
        if not args.keep:
            for p in workdir.glob(DB_NAME + "*"):
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink()
    return 0 if not pandas_runs or pandas_runs[0].detail["check"]["ok"] else 1


def summary(gen: dict[str, Any], marts: list[Run], pandas_runs: list[Run], args: argparse.Namespace) -> None:
    d0 = marts[0].detail
    med = median([r.detail["seconds"] for r in marts])
    print("\nsummary (time: median of the runs; peak RSS: max over the runs, each run a fresh process):")
    police = gen["rows"]["stg_politie__misdrijven"]
    print(f"  staging rows: {sum(gen['rows'].values()):,} (police {police:,}, {gen['n_codes']} crime codes)")
    print(
        f"  DuckDB build_marts ({len(marts)} runs): {med:.2f} s  (goal {GOAL_SECONDS:.0f} s: "
        f"{med / GOAL_SECONDS:.2f}x the goal; checkpoint afterwards "
        f"{median([r.detail['checkpoint_seconds'] for r in marts]):.2f} s), "
        f"peak RSS {fmt_bytes(max(r.detail['peak_bytes'] for r in marts))} "
        f"(memory_limit {d0['memory_limit']} as in a write session, {d0['threads']} threads)"
    )
    for m in d0["models"]:
        sec = median([r.detail["models"][m] for r in marts])
        n_rows = f"{d0['rows'][m]:>12,} rows" if m in d0["rows"] else f"{'(temporary)':>17}"
        print(f"    {m:<24} {sec:>7.2f} s  {n_rows}")
    if pandas_runs:
        p0 = pandas_runs[0].detail
        pmed = median([r.detail["seconds"] for r in pandas_runs])
        pull = median([r.detail["steps"]["pull"] for r in pandas_runs])
        print(
            f"  pandas ({len(pandas_runs)} runs): {pmed:.2f} s  (pulling the staging tables into pandas "
            f"{pull:.2f} s, computing {pmed - pull:.2f} s), peak RSS "
            f"{fmt_bytes(max(r.detail['peak_bytes'] for r in pandas_runs))}"
        )
        for step in p0["steps"]:
            sec = median([r.detail["steps"][step] for r in pandas_runs])
            rows = f"{p0['rows'][step]:>12,} rows" if step in p0["rows"] else f"{'':>17}"
            peak = fmt_bytes(p0["peaks"][step])
            print(f"    {step:<24} {sec:>7.2f} s  {rows}   peak RSS after it (run 1) {peak}")
        print(
            f"  speed-up of DuckDB over pandas: {pmed / med:.1f}x "
            f"(over the pandas computation alone, without the pull: {(pmed - pull) / med:.1f}x)"
        )
        c = p0["check"]
        print(
            f"  pandas result matches marts: {'yes' if c['ok'] else 'no'} "
            f"(max abs diff {c['max_abs_diff']:.3g}; "
            f"checked: row counts of all {c['marts']} marts, "
            + "; ".join(x["label"] for x in c["checks"])
            + f"; tolerance {ATOL:g} + {RTOL:g} x |value|)"
        )
        for problem in c["problems"][:30]:
            print(f"    {problem}")
    elif not args.skip_pandas:
        print("  pandas: FAILED (see above)")
    print(
        f"  (floor of every peak figure: this parent process peaked at {fmt_bytes(_peak_bytes())}; "
        f"1-minute load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    sys.exit(main())
