"""Shared helpers for the dashboard tests: a demo database built once per test process, and AppTest."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from etl import load_files

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard" / "app.py"
DEMO = REPO / "data" / "demo"


@functools.cache
def demo_db() -> Path:
    """The demo database, built once per process from the committed demo files."""
    path = Path(tempfile.mkdtemp(prefix="wijkmonitor-demo-")) / "demo.duckdb"
    results = load_files([DEMO], path, fresh=True, settings={"demo": "ja"})
    assert all(r.status == "geladen" for r in results), [r.report() for r in results]
    from wijkmonitor.demoplans import demo_wijken, seed_demo_plans
    from wijkmonitor.demosturing import demo_need, seed_demo_steering
    from wijkmonitor.records.store import open_store, records_url

    records = open_store(records_url(path))
    seed_demo_plans(records)  # the jaarplannen and status reports beside it
    seed_demo_steering(records, demo_wijken(), demo_need(path))  # meetings, capacity, actions, agreements
    return path


def copy_demo(db: Path) -> Path:
    """A private copy of the demo at ``db``: the warehouse file and its records store (SQLite backup)."""
    import shutil
    import sqlite3

    from wijkmonitor.records.store import default_sqlite_path

    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_db(), db)
    with (
        sqlite3.connect(default_sqlite_path(demo_db())) as src,
        sqlite3.connect(default_sqlite_path(db)) as dst,
    ):
        src.backup(dst)
    return db


def app_test(db: Path, monkeypatch) -> AppTest:
    """An AppTest of the whole app (st.navigation) on database ``db``."""
    monkeypatch.setenv("WIJKMONITOR_DB", str(db))
    os.environ["WIJKMONITOR_DB"] = str(db)
    # Users see no error details (client.showErrorDetails = "none"); a failing test must show them.
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")
    return AppTest.from_file(str(APP), default_timeout=60)


def run_page(db: Path, monkeypatch, page: str, **query):
    """Run one page (``views/x.py``) of the app with URL parameters; it must not raise."""
    at = app_test(db, monkeypatch)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
