"""National-scale data for the benchmarks: the staging layer of a Wijkmonitor database, generated in DuckDB.

Writes into a fresh DuckDB file (no CSV parsing; loading is benchmarked by ``bench_load.py``):

* ~340 gemeenten, ~3,300 wijken, ~13,000 buurten at ``scale`` 1 (CBS-style nested codes
  BU<gm:4><wk:2><bu:2>);
* ``stg_politie__misdrijven``: every buurt x crime code x month 2017-01 .. 2025-12. ``codes_mode
  "catalogue"``: the codes the catalogue uses (indicators and hotspot series, 0.0.0 included: 11 codes, ~15 M
  rows); ``"all"``: the 59 codes of ``etl/registry/soort_misdrijf.yaml`` (~83 M rows). ~0.05 % of the counts
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
(``etl/sql/raw/schema.sql`` via ``etl.build.ensure_schema``, then ``etl.build.build(con, only=STAGING_STEPS)``), so
their columns and types are exactly what the SQL models produce; then they are filled with ``INSERT ... BY
NAME SELECT`` from ``range()``. Pseudo-random numbers come from ``hash(key..., seed)``, not
``random()``/``setseed``: ``random()`` in a parallel INSERT is not reproducible, a hash of the row's key is.
``marts.dim_gebied`` (``build(con, only=ETL_MART_STEPS)``) and ``marts.dim_variabele`` are built as
``etl.build.rebuild`` builds them, so only the indicator build (the indicator steps of ``etl.build``) remains.

Used by ``bench_indicators.py`` (timing of the indicator build, pandas comparison) and ``bench_pages.py``
(page render times on a national database). ``generate`` returns a summary (areas, rows, seconds) that
``save_summary`` writes beside the database, so that ``reusable`` can tell whether a kept database was
generated with the same parameters.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

DB_NAME = "bench_indicators.duckdb"  # the file name in a work directory (kept for databases made earlier)

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


def generate(db_path: Path, scale: float, seed: int, codes_mode: str) -> dict[str, Any]:
    """Write the staging layer, dim_gebied and dim_variabele into a fresh database at ``db_path``."""
    import duckdb
    import pandas as pd

    from etl.build import ETL_MART_STEPS, STAGING_STEPS, build, ensure_schema
    from etl.sources import crime_codes

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
    build(con, only=STAGING_STEPS)  # empty staging tables with exactly the models' columns and types

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

    # ---- the area division of every load (meta.load_indeling, as a load records it): each year's KWB its own
    # year, the code list and every other source the newest (CBS publishes police figures on the newest)
    con.execute(f"""
        INSERT INTO meta.load_indeling
        SELECT load_id, max(indeling), 'national_data' FROM (
            SELECT DISTINCT load_id, jaar AS indeling FROM staging.stg_bevolking__kerncijfers
            UNION ALL SELECT DISTINCT load_id, {LAST_YEAR} FROM staging.stg_gebieden__gebieden
            UNION ALL SELECT DISTINCT load_id, {LAST_YEAR} FROM staging.stg_politie__misdrijven
            UNION ALL SELECT DISTINCT load_id, {LAST_YEAR} FROM staging.stg_partner__waarnemingen
            UNION ALL SELECT DISTINCT load_id, {LAST_YEAR} FROM staging.stg_leefbaarometer__scores
        ) GROUP BY load_id""")
    staging_seconds = time.perf_counter() - t0
    # ---- what the build makes before the indicator engine: the ETL's own marts (areas, variables, coverage)
    t1 = time.perf_counter()
    build(con, only=ETL_MART_STEPS)
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


def summary_path(db_path: Path) -> Path:
    """The JSON summary of ``generate`` beside the database."""
    return db_path.with_name(db_path.name + ".json")


def save_summary(db_path: Path, gen: dict[str, Any]) -> None:
    summary_path(db_path).write_text(json.dumps(gen))


def reusable(db_path: Path, scale: float, seed: int, codes_mode: str) -> dict[str, Any] | None:
    """The summary of a kept database generated with the same parameters, else None."""
    sidecar = summary_path(db_path)
    if not (db_path.exists() and sidecar.exists()):
        return None
    previous = json.loads(sidecar.read_text())
    if (previous["scale"], previous["seed"], previous["codes_mode"]) == (scale, seed, codes_mode):
        return previous
    return None
