"""Layer boundaries, checked with import-linter (contracts in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_contracts_are_kept():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_streamlit_import_in_indicators_breaks_the_contract(tmp_path):
    for pkg in ("etl", "indicators", "dashboard", "wijkmonitor"):
        shutil.copytree(REPO / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "indicators" / "__init__.py").touch()
    (tmp_path / "indicators" / "leak.py").write_text("import streamlit\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "indicators never imports streamlit" in result.stdout and "BROKEN" in result.stdout


def test_the_dashboard_may_not_reach_into_etl_internals(tmp_path):
    for pkg in ("etl", "indicators", "dashboard", "wijkmonitor"):
        shutil.copytree(REPO / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "dashboard" / "writer.py").write_text("from etl.load import load_files\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "dashboard only reads the warehouse" in result.stdout


def test_the_dashboard_may_not_reach_the_loader_indirectly(tmp_path):
    """An indirect path counts too: dashboard -> etl.db -> etl.load would pull in the whole ETL."""
    for pkg in ("etl", "indicators", "dashboard", "wijkmonitor"):
        shutil.copytree(REPO / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    db = tmp_path / "etl" / "db.py"
    db.write_text(db.read_text() + "\nfrom etl import load  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "dashboard only reads the warehouse" in result.stdout and "BROKEN" in result.stdout


def test_a_dashboard_process_imports_neither_the_loader_nor_the_indicator_engine():
    """What the dashboard's modules pull in when imported, measured in a fresh interpreter."""
    code = (
        "import sys, json\n"
        "import dashboard.queries, dashboard.state, dashboard.charts, dashboard.safe, dashboard.format\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    modules = set(__import__("json").loads(out.stdout))
    assert "etl.db" in modules and "dashboard.queries" in modules  # the test measures something
    for name in (
        "etl.load",
        "etl.sources",
        "etl.build",
        "etl.validation",
        "etl.reader",
        "great_expectations",
    ):
        assert name not in modules, name
    assert not {m for m in modules if m == "indicators" or m.startswith("indicators.")}
    assert "scipy" not in modules


def _forbidden_for_dashboard() -> list[str]:
    import tomllib

    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["source_modules"] == ["dashboard"])["forbidden_modules"]


def _imports(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_the_page_scripts_keep_the_dashboard_contract_too():
    """dashboard/views/ is not a package (Streamlit runs the files), so import-linter does not see the pages:
    check their own imports against the same forbidden list (what they import from dashboard.* is checked
    by import-linter, indirect imports included)."""
    forbidden = _forbidden_for_dashboard()
    assert "wijkmonitor.planexcel" in forbidden  # reading Excel uploads runs in the job process
    pages = sorted((REPO / "dashboard" / "views").glob("*.py"))
    assert pages
    leaks = {
        (p.name, name)
        for p in pages
        for name in _imports(p)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    }
    assert leaks == set()
