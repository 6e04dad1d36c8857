"""The independent check of the indicator engine, on the demo database.

``benchmarks/pandas_reference.py`` re-implements the indicator marts in plain pandas from the staging layer,
without the engine's code (no ``indicators`` or ``etl`` import, no SQL model). Here it runs on the demo
database and every row and every column of the five engine marts (``fct_indicator_scores``,
``fct_indicator_vorige``, ``fct_composites``, ``fct_doelen``, ``fct_hotspots``) must match what
the indicator steps of ``etl.build`` wrote: numbers within 1e-9 + 1e-9 x |value| (the benchmark's tolerance), verdicts,
flags and remarks exactly, lists as sets. A new mart column or a new engine mart fails here until the
reference covers it, so the two cannot drift apart unnoticed.

The demo exercises suppression (in the year and in the baseline), surveys (binomial and mean intervals),
several partners, incomplete years, zero values and hotspot signals; it has no method break after 2017, no
carried-forward denominator and no superseded delivery (the national data of ``bench_indicators.py`` has
carried-forward denominators).
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
ETL_FACTS = {"fct_aanlevering_dekking"}
ALLOWED_IMPORTS = {"duckdb", "numpy", "pandas", "scipy", "yaml"}  # besides the standard library


def _load_reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pandas_reference", REFERENCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load_reference()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """A copy of the demo database and the pandas reference's result on it (computed once)."""
    db = tmp_path_factory.mktemp("pandas-reference") / "demo.duckdb"
    shutil.copyfile(demo_db(), db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        out, rows, _, _ = ref.pandas_marts(con)
    finally:
        con.close()
    return db, out, rows


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
    outside = imported - set(sys.stdlib_module_names) - ALLOWED_IMPORTS - {"__future__"}
    assert not outside, f"the reference imports {sorted(outside)}: it must stay independent of the engine"


def test_the_pandas_reference_matches_every_engine_mart_on_the_demo(demo: tuple[Path, dict, dict]) -> None:
    db, out, rows = demo
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

    assert facts - ETL_FACTS == set(ref.MARTS), "an engine mart the reference does not compute"
    assert result["problems"] == []
    assert result["ok"]
    assert result["max_abs_diff"] < 1e-6
    checks = {c["mart"]: c for c in result["checks"]}
    assert set(checks) == set(ref.MARTS)
    for mart in ref.MARTS:
        c = checks[mart]
        assert counts[mart] > 0, f"{mart} is empty on the demo: nothing compared"
        assert c["rows"] == c["compared"] == counts[mart] == rows[mart], mart
        assert set(c["columns"]) == columns[mart], f"{mart}: columns not compared"


def test_the_demo_exercises_the_paths_the_comparison_covers(demo: tuple[Path, dict, dict]) -> None:
    _, out, _ = demo
    scores = out["fct_indicator_scores"]
    assert scores["onderdrukt"].sum() > 0 and scores["basis_onderdrukt"].sum() > 0
    assert scores["n"].notna().sum() > 0  # survey figures (binomial and mean intervals)
    assert (~scores["volledig"]).sum() > 0
    assert set(scores["verandering"].dropna()) == {"beter", "gelijk", "slechter"}
    assert set(scores["niveau"]) == {"buurt", "wijk", "gemeente"}
    assert out["fct_hotspots"]["signaal"].sum() > 0
    assert set(out["fct_doelen"]["status"]) >= {"op koers", "uit koers", "risico", "gehaald", "niet gehaald"}


def test_the_comparison_reports_a_difference(demo: tuple[Path, dict, dict], tmp_path: Path) -> None:
    """A mart changed by a tiny amount, a flipped flag and a missing row are each reported."""
    source, out, rows = demo
    db = tmp_path / "changed.duckdb"
    shutil.copyfile(source, db)
    con = duckdb.connect(str(db))
    try:
        con.execute(
            "UPDATE marts.fct_indicator_scores SET score = score * (1 + 1e-7) "
            "WHERE rowid = (SELECT min(rowid) FROM marts.fct_indicator_scores WHERE score > 50)"
        )
        con.execute("UPDATE marts.fct_hotspots SET signaal = NOT signaal WHERE rowid = 0")
        con.execute("DELETE FROM marts.fct_doelen WHERE rowid = 0")
        result = ref.compare(con, out, rows, seed=0, sample_rows=None)
    finally:
        con.close()
    assert not result["ok"]
    problems = "\n".join(result["problems"])
    assert "fct_indicator_scores (all rows): column score differs in 1 of" in problems
    assert "fct_hotspots (all rows): column signaal differs in 1 of" in problems
    assert "fct_doelen: " in problems and "rows in pandas" in problems
