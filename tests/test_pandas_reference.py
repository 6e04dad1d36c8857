"""The independent check of the indicator engine, on the demo database and on a varied copy of it.

``benchmarks/pandas_reference.py`` re-implements the indicator marts in plain pandas from the staging layer,
without the engine's code (no ``indicators`` or ``etl`` import, no SQL model, no SQL macro). Here it runs on
the demo database, and every row and every column of every engine mart it computes (``fct_overdispersie``,
``fct_indicator_scores``, ``fct_indicator_vorige``, ``fct_composites``, ``fct_doelen``, ``fct_hotspots``)
must match what the build wrote: numbers within 1e-9 + 1e-9 x |value| (DuckDB sums in parallel, so the last
digits differ between builds), verdicts, flags, remarks and lists exactly, NULL only equal to NULL. A new mart
column or a new engine mart fails here until the reference covers it (or, for ``fct_onderdrukking`` and
``fct_hotspot_kalibratie``, names why it does not: ``NOT_COMPUTED``), so the two cannot drift apart unnoticed.

The demo exercises suppression (in the year and in the baseline), surveys (binomial and mean intervals, the
population-weighted gemeente value), the 2021 survey method break with and without a factor, incomplete
years, the composite basket minimum, Benjamini-Hochberg and the target verdicts. It has no coverage gaps, no
carried-forward denominator, no survey row without an effective sample size and no police total missing next
to its parts, so a second database changes a copy of the demo's raw deliveries to have them (``VARIATIONS``),
plus delivered totals above buurt level and settings of its own, and is rebuilt by the real build.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest
from dashboard_support import demo_db

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "benchmarks" / "pandas_reference.py"
# The ETL's own mart (coverage per source), not built by the indicator engine.
ETL_FACTS = {"fct_aanlevering_dekking", "fct_omzetting"}  # the ETL's own facts, not the engine's
ALLOWED_IMPORTS = {"duckdb", "numpy", "pandas", "scipy", "yaml"}  # besides the standard library

# Changes to a copy of the demo's raw deliveries: the paths of the engine the demo itself does not take.
BUURT = "(SELECT min(gebied_code) FROM raw.partner__waarnemingen WHERE bron = 'corporatie' AND gebied_code LIKE 'BU%')"
WIJKEN = (
    "(SELECT DISTINCT gebied_code FROM raw.partner__waarnemingen WHERE bron = 'enquete' ORDER BY 1 LIMIT {n})"
)
LAATSTE_WIJK = "(SELECT max(gebied_code) FROM raw.partner__waarnemingen WHERE bron = 'enquete')"
ENQUETEJAAR = (
    "(SELECT min(periode) FROM raw.partner__waarnemingen WHERE bron = 'enquete' AND periode > '2019')"
)
LAATSTE_ENQUETEJAAR = (
    "(SELECT max(periode) FROM raw.partner__waarnemingen WHERE bron = 'enquete' AND periode < '2024')"
)
VARIATIONS = [
    # coverage: one buurt's corporation numerators missing in 2020-2022 (the wijk and gemeente rates are then
    # over the other buurten, dekking < 1) ...
    f"DELETE FROM raw.partner__waarnemingen WHERE bron = 'corporatie' AND gebied_code = {BUURT} "
    "AND variabele <> 'huurwoningen' AND left(periode, 4) IN ('2020', '2021', '2022')",
    # ... another buurt's overlastmeldingen missing in the baseline year ...
    "DELETE FROM raw.partner__waarnemingen WHERE bron = 'corporatie' AND variabele = 'overlastmeldingen' "
    "AND left(periode, 4) = '2019' AND gebied_code = (SELECT max(gebied_code) FROM raw.partner__waarnemingen "
    "WHERE bron = 'corporatie' AND gebied_code LIKE 'BU%')",
    # ... and the municipal reports of every buurt of one wijk missing in 2021
    "DELETE FROM raw.partner__waarnemingen WHERE bron = 'gemeente' AND left(periode, 4) = '2021' "
    "AND substr(gebied_code, 3, 6) = (SELECT substr(min(gebied_code), 3, 6) FROM raw.partner__waarnemingen "
    "WHERE bron = 'gemeente')",
    # the buurten of one wijk never have a denominator (huurwoningen): the wijk's numerator divides by nothing
    "DELETE FROM raw.partner__waarnemingen WHERE bron = 'corporatie' AND variabele = 'huurwoningen' "
    "AND substr(gebied_code, 3, 6) = (SELECT substr(max(gebied_code), 3, 6) FROM raw.partner__waarnemingen "
    "WHERE bron = 'corporatie')",
    # the last year's population not published yet: denominators carried forward (noemer uit ...)
    "DELETE FROM raw.gemeente__bevolking WHERE jaar = (SELECT max(jaar) FROM raw.gemeente__bevolking)",
    # no effective sample size delivered for two wijken (n / ontwerpeffect_standaard instead)
    "UPDATE raw.partner__waarnemingen SET n_effectief = NULL "
    f"WHERE bron = 'enquete' AND gebied_code IN {WIJKEN.format(n=2)}",
    # one wijk without a survey in a year after the baseline: the gemeente's weights cover fewer inhabitants
    f"DELETE FROM raw.partner__waarnemingen WHERE bron = 'enquete' AND gebied_code = {LAATSTE_WIJK} "
    f"AND periode = {ENQUETEJAAR}",
    # a gemeente survey result delivered as a whole (it wins over the weighted wijken)
    "INSERT INTO raw.partner__waarnemingen BY NAME SELECT bron, 'GM' || substr(gebied_code, 3, 4) AS gebied_code, "
    "periode, variabele, waarde, '2400' AS n, sd, '1500' AS n_effectief, _load_id, _rij + 100000 AS _rij "
    f"FROM raw.partner__waarnemingen WHERE bron = 'enquete' AND gebied_code IN {WIJKEN.format(n=1)} "
    f"AND periode = {LAATSTE_ENQUETEJAAR}",
    # a wijk total delivered next to its buurten, not equal to their sum (the delivered value wins)
    "INSERT INTO raw.partner__waarnemingen BY NAME SELECT 'corporatie' AS bron, "
    "'WK' || substr(gebied_code, 3, 6) AS gebied_code, periode, variabele, "
    "CAST(sum(CAST(waarde AS INTEGER)) + 7 AS VARCHAR) AS waarde, any_value(_load_id) AS _load_id, "
    "200000 + row_number() OVER () AS _rij FROM raw.partner__waarnemingen WHERE bron = 'corporatie' "
    f"AND variabele = 'verhuizingen' AND substr(gebied_code, 3, 6) = substr({BUURT}, 3, 6) "
    "GROUP BY periode, variabele, 'WK' || substr(gebied_code, 3, 6)",
    # one buurt's police total (0.0.0) missing for a year while its parts are there: no overige misdrijven
    """DELETE FROM raw.politie__misdrijven WHERE trim("SoortMisdrijf") = '0.0.0'
       AND left(trim("Perioden"), 4) = '2020' AND trim("WijkenEnBuurten") = (SELECT max(trim("WijkenEnBuurten"))
       FROM raw.politie__misdrijven WHERE trim("WijkenEnBuurten") LIKE 'BU%')""",
    # settings of its own (read from meta.instellingen by both sides)
    "INSERT INTO meta.instellingen VALUES ('ontwerpeffect_standaard', '1.3'), ('enquete_correlatie', '0.5'), "
    "('minimum_basisgebeurtenissen', '20'), ('overdispersie_min_paren', '30'), ('marge', '0.03'), "
    "('fdr_matrix', '0.2')",
]


def _load_reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pandas_reference", REFERENCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load_reference()


def _reference_on(db: Path) -> tuple[Path, dict, dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out, rows, _, _ = ref.pandas_marts(con)
    finally:
        con.close()
    return db, out, rows


def _changed_demo(folder: Path, statements: list[str]) -> Path:
    """A copy of the demo database with these changes to its raw layer and settings, rebuilt by the build."""
    from etl.build import rebuild

    db = folder / "changed.duckdb"
    shutil.copyfile(demo_db(), db)
    con = duckdb.connect(str(db))
    try:
        for sql in statements:
            con.execute(sql)
        rebuild(con)
    finally:
        con.close()
    return db


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """A copy of the demo database and the pandas reference's result on it (computed once)."""
    db = tmp_path_factory.mktemp("pandas-reference") / "demo.duckdb"
    shutil.copyfile(demo_db(), db)
    return _reference_on(db)


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """The demo with VARIATIONS, rebuilt, and the pandas reference's result on it."""
    return _reference_on(_changed_demo(tmp_path_factory.mktemp("pandas-reference-varied"), VARIATIONS))


def _check_every_mart(db: Path, out: dict, rows: dict) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = ref.compare(con, out, rows, seed=0, sample_rows=None)
        facts = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'marts' AND table_name LIKE 'fct%'"
            ).fetchall()
        }
        columns = {
            mart: {c[0] for c in con.execute(f"SELECT * FROM marts.{mart} LIMIT 0").description}
            for mart in ref.MARTS
        }
        counts = {
            mart: con.execute(f"SELECT count(*) FROM marts.{mart}").fetchall()[0][0] for mart in ref.MARTS
        }
    finally:
        con.close()

    assert facts - ETL_FACTS - set(ref.NOT_COMPUTED) == set(ref.MARTS), "an engine mart the reference misses"
    assert result["problems"] == []
    assert result["ok"]
    assert result["max_abs_diff"] < 1e-6
    checks = {c["mart"]: c for c in result["checks"]}
    assert set(checks) == set(ref.MARTS)
    for mart in ref.MARTS:
        c = checks[mart]
        assert counts[mart] > 0, f"{mart} is empty: nothing compared"
        assert c["rows"] == c["compared"] == counts[mart] == rows[mart], mart
        assert c["missing_columns"] == [], f"{mart}: mart columns the reference does not compute"
        assert set(c["columns"]) == columns[mart], f"{mart}: columns not compared"


def test_the_reference_does_not_use_the_engine() -> None:
    tree = ast.parse(REFERENCE.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in the reference"
            imported.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("import_module", "__import__"):
            pytest.fail("the reference imports a module dynamically")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            assert ".sql" not in node.value and "sql/" not in node.value, f"reads a SQL file: {node.value!r}"
            assert "wm_" not in node.value, f"calls an engine macro or function: {node.value!r}"
    outside = imported - set(sys.stdlib_module_names) - ALLOWED_IMPORTS - {"__future__"}
    assert not outside, f"the reference imports {sorted(outside)}: it must stay independent of the engine"


def test_the_pandas_reference_matches_every_engine_mart_on_the_demo(demo: tuple[Path, dict, dict]) -> None:
    _check_every_mart(*demo)


def test_the_pandas_reference_matches_on_the_demo_with_gaps_and_deliveries_at_every_level(
    varied: tuple[Path, dict, dict],
) -> None:
    _check_every_mart(*varied)


def test_the_demo_exercises_the_paths_the_comparison_covers(demo: tuple[Path, dict, dict]) -> None:
    _, out, _ = demo
    scores = out["fct_indicator_scores"]
    assert scores["onderdrukt"].sum() > 0 and scores["basis_onderdrukt"].sum() > 0
    assert scores["n_eff"].notna().sum() > 0  # survey figures (binomial and mean intervals)
    gemeente_enquete = scores[(scores["niveau"] == "gemeente") & scores["n_eff"].notna()]
    assert len(gemeente_enquete) > 0  # population-weighted over the wijken
    assert (~scores["volledig"]).sum() > 0
    assert set(scores["verandering"].dropna()) == {"beter", "gelijk", "slechter"}
    assert set(scores["niveau"]) == {"buurt", "wijk", "gemeente"}
    assert scores["omrekenfactor"].notna().sum() > 0  # a method break converted
    assert scores["opmerking"].str.contains("zonder omrekenfactor").sum() > 0  # and one without a factor
    assert set(scores["in_samengesteld"].dropna()) == {True, False}
    assert scores["opmerking"].str.contains("te weinig gebeurtenissen").sum() > 0
    composites = out["fct_composites"]
    assert (composites["p_aangepast"] < composites["p_waarde"] - 1e-12).sum() == 0  # BH never lowers a p
    assert (composites["p_aangepast"] < 1).sum() > 0
    assert composites["uitgesloten"].map(len).sum() > 0
    assert composites["onderdrukt"].sum() > 0
    assert set(composites["oordeel"].dropna()) == {"gehaald", "niet gehaald", "onbeslist"}
    assert composites["trend_s2"].notna().sum() > 0
    assert out["fct_hotspots"]["signaal"].sum() > 0
    assert set(out["fct_doelen"]["status"]) >= {
        "gehaald",
        "niet gehaald",
        "onbeslist",
        "geen data",
        "onzeker",
    }


def test_the_varied_demo_exercises_coverage_carried_denominators_and_delivered_totals(
    varied: tuple[Path, dict, dict],
) -> None:
    db, out, _ = varied
    scores = out["fct_indicator_scores"]
    assert (scores["dekking"] < 0.995).sum() > 0
    assert scores["opmerking"].str.contains("dekking ").sum() > 0
    assert scores["noemer_geschat"].sum() > 0
    assert scores["onderdrukt"].isna().sum() > 0  # a count without a denominator: unknown, as in SQL
    gemeente_enquete = scores[(scores["niveau"] == "gemeente") & scores["n_eff"].notna()]
    assert (gemeente_enquete["dekking"] < 1).sum() > 0  # weighted over fewer wijken
    assert (gemeente_enquete["n"] == 2400).sum() > 0  # the delivered gemeente result
    wijk_enquete = scores[(scores["niveau"] == "wijk") & scores["n_eff"].notna()]
    assert ((wijk_enquete["n_eff"] - wijk_enquete["n"] / 1.3).abs() < 1e-9).sum() > 0  # n / ontwerpeffect
    assert ((wijk_enquete["n_eff"] - wijk_enquete["n"] / 1.3).abs() > 1e-6).sum() > 0  # delivered n_effectief
    per_indicator = {
        i: set(zip(df["gebied_code"], df["jaar"], strict=True)) for i, df in scores.groupby("indicator")
    }
    totaal, overige = (
        per_indicator[i] for i in ("misdrijven_per_1000_inwoners", "overige_misdrijven_per_1000_inwoners")
    )
    assert totaal < per_indicator["geweld_per_1000_inwoners"]  # the total is missing somewhere ...
    assert overige <= totaal  # ... and so is the difference that subtracts from it
    # with overdispersie_min_paren 30: wijken borrow the buurt estimate, buurtbemiddeling (wijk data) the default
    assert set(out["fct_overdispersie"]["herkomst"]) == {
        "eigen niveau",
        "niveau buurt",
        "standaard (te weinig historie)",
    }
    con = duckdb.connect(str(db), read_only=True)
    try:
        settings = ref.read_settings(con)
    finally:
        con.close()
    assert settings["ontwerpeffect_standaard"] == 1.3 and settings["overdispersie_min_paren"] == 30
    assert set(out["fct_doelen"]["marge"]) == {0.03}


def test_a_negative_count_gets_no_score_verdict_or_place_in_a_composite(tmp_path: Path) -> None:
    db = _changed_demo(
        tmp_path,
        [
            """UPDATE raw.politie__misdrijven SET "GeregistreerdeMisdrijven" = '0'
               WHERE trim("SoortMisdrijf") = '0.0.0' AND left(trim("Perioden"), 4) = '2022'
               AND trim("WijkenEnBuurten") = (SELECT min(trim("WijkenEnBuurten")) FROM raw.politie__misdrijven
                                              WHERE trim("WijkenEnBuurten") LIKE 'BU%')"""
        ],
    )
    _, out, rows = _reference_on(db)
    negative = out["fct_indicator_scores"]
    assert (negative["teller"] < 0).sum() > 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = ref.compare(con, out, rows, seed=0, sample_rows=None)
    finally:
        con.close()
    assert result["problems"] == []


def test_the_comparison_reports_a_difference(demo: tuple[Path, dict, dict], tmp_path: Path) -> None:
    """A tiny change of a number, a flipped flag, a NULL, a changed list and a missing row are each reported."""
    source, out, rows = demo
    db = tmp_path / "changed.duckdb"
    shutil.copyfile(source, db)
    con = duckdb.connect(str(db))
    try:
        con.execute(
            "UPDATE marts.fct_indicator_scores SET score = score * (1 + 1e-7) "
            "WHERE rowid = (SELECT min(rowid) FROM marts.fct_indicator_scores WHERE score > 50)"
        )
        con.execute("UPDATE marts.fct_composites SET onderdrukt = NOT onderdrukt WHERE rowid = 0")
        con.execute(
            "UPDATE marts.fct_composites SET oordeel = NULL WHERE oordeel = 'gehaald' AND rowid = "
            "(SELECT min(rowid) FROM marts.fct_composites WHERE oordeel = 'gehaald')"
        )
        con.execute(
            "UPDATE marts.fct_composites SET uitgesloten = list_reverse(uitgesloten) WHERE rowid = "
            "(SELECT min(rowid) FROM marts.fct_composites WHERE len(uitgesloten) > 1)"
        )
        con.execute("UPDATE marts.fct_overdispersie SET sigma2 = sigma2 + 1e-6 WHERE rowid = 0")
        con.execute("DELETE FROM marts.fct_doelen WHERE rowid = 0")
        result = ref.compare(con, out, rows, seed=0, sample_rows=None)
    finally:
        con.close()
    assert not result["ok"]
    problems = "\n".join(result["problems"])
    assert "fct_indicator_scores (all rows): column score differs in 1 of" in problems
    assert "fct_composites (all rows): column onderdrukt differs in 1 of" in problems
    assert "fct_composites (all rows): column oordeel differs in 1 of" in problems
    assert "fct_composites (all rows): column uitgesloten differs in 1 of" in problems
    assert "fct_overdispersie (all rows): column sigma2 differs in 1 of" in problems
    assert "fct_doelen: " in problems and "rows in pandas" in problems
