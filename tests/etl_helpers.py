"""Helpers for the ETL tests: fixture paths, loading, and snapshots of what a database holds.

The fixtures in tests/fixtures/ describe the fictional gemeente GM0999 (Fictiedorp) with wijken WK099901 and
WK099902 and buurten BU09990101, BU09990102, BU09990201 and BU09990202 (see tests/fixtures/README.md).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb

from etl import LoadResult, Options, load_files

FIXTURES = Path(__file__).parent / "fixtures"
AREAS = FIXTURES / "gebieden" / "gebieden_gm0999.geojson"
REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "real-data"
DATA_SCHEMAS = ("raw", "staging", "marts")


def fixture(rel: str) -> Path:
    path = FIXTURES / rel
    assert path.is_file(), f"fixture ontbreekt: {path}"
    return path


def load(paths: Path | str | list[Path], db: Path, **opts: Any) -> list[LoadResult]:
    """``load_files`` with ``Options(**opts)`` and a fixed user."""
    if not isinstance(paths, list):
        paths = [paths]
    return load_files(paths, db, Options(**opts), user="pytest")


def load_one(path: Path | str, db: Path, **opts: Any) -> LoadResult:
    results = load(path, db, **opts)
    assert len(results) == 1, results
    return results[0]


def build_db(db: Path, files: list[Path]) -> Path:
    """A database with ``files`` loaded one by one; every load must succeed."""
    for f in files:
        res = load_one(f, db)
        assert res.status == "geladen", res.report()
    return db


def copy_db(template: Path, db: Path) -> Path:
    shutil.copyfile(template, db)
    return db


def query(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scalar(db: Path, sql: str, params: list[Any] | None = None) -> Any:
    return query(db, sql, params)[0][0]


def data_snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of every raw/staging/marts table (sorted), to prove that a rejected load changed no data.

    ``meta`` is left out on purpose: it holds the load log of successful loads.
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            f"WHERE table_schema IN {DATA_SCHEMAS} ORDER BY ALL"
        ).fetchall()
        out = {}
        for schema, table in tables:
            rows = con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
            out[f"{schema}.{table}"] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def row_counts(snapshot: dict[str, list[tuple]]) -> dict[str, int]:
    return {t: len(rows) for t, rows in snapshot.items()}


def attempt(db: Path, load_id: int) -> dict[str, Any]:
    """The attempt-log record of a load (rejected and skipped attempts are recorded only there)."""
    from etl import attempts

    return next(r for r in attempts.read(db) if r["load_id"] == load_id)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def errors(res: LoadResult) -> list:
    return [i for i in res.issues if i.ernst == "fout"]


def warnings(res: LoadResult) -> list:
    return [i for i in res.issues if i.ernst == "waarschuwing"]


def find_issue(res: LoadResult, *words: str, ernst: str = "fout"):
    """The first issue of ``ernst`` whose message contains every word (case-insensitive)."""
    for issue in res.issues:
        if issue.ernst == ernst and all(w.lower() in issue.bericht.lower() for w in words):
            return issue
    shown = "\n".join(f"  {i.ernst}: {i.bericht}" for i in res.issues)
    raise AssertionError(f"geen {ernst} met {words!r}; meldingen:\n{shown}")


def assert_rejected(
    res: LoadResult, *, rij: int | None, kolom: str, words: tuple[str, ...], waarde: str | None = None
):
    """The load was rejected, with a message naming the file, the line, the column and the rule."""
    assert res.status == "afgewezen", res.report()
    assert not res.ok
    assert res.rows_loaded == 0
    issue = find_issue(res, *words)
    assert issue.bericht.startswith(res.path.name), issue.bericht
    assert f"'{kolom}'" in issue.bericht, issue.bericht
    assert issue.kolom == kolom
    if rij is None:
        assert issue.rij is None
    else:
        assert issue.rij == rij, issue.bericht
        assert re.search(rf"\brij {rij}\b", issue.bericht), issue.bericht
    if waarde is not None:
        assert issue.waarde == waarde
        assert (f"'{waarde}'" if waarde else "(leeg)") in issue.bericht
    assert "de database is niet gewijzigd" in res.report()
    return issue
