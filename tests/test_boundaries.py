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
    for pkg in ("etl", "indicators", "dashboard"):
        shutil.copytree(REPO / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "indicators" / "__init__.py").touch()
    (tmp_path / "indicators" / "leak.py").write_text("import streamlit\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "indicators never imports streamlit" in result.stdout and "BROKEN" in result.stdout


def test_the_dashboard_may_not_reach_into_etl_internals(tmp_path):
    for pkg in ("etl", "indicators", "dashboard"):
        shutil.copytree(REPO / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "dashboard" / "writer.py").write_text("from etl.load import load_files\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "dashboard uses only etl's public API" in result.stdout
