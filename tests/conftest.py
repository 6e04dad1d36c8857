"""Shared pytest fixtures. Keep this small and generic; helpers live in tests/etl_helpers.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from etl_helpers import AREAS, build_db, copy_db, fixture

TESTS = Path(__file__).resolve().parent
BROWSER_MARK = "pytest.mark.browser"


def _browser_tests(path: Path) -> bool | frozenset[str]:
    """True when a module's pytestmark holds the browser mark, else the names of its tests marked so."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        targets = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        if "pytestmark" in targets and BROWSER_MARK in ast.unparse(node.value):
            return True
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(BROWSER_MARK in ast.unparse(d) for d in node.decorator_list)
    )


# Which tests drive a real Chromium, by module node id: the whole module, or some of its tests by name.
BROWSER = {f"{TESTS.name}/{path.name}": _browser_tests(path) for path in sorted(TESTS.glob("test_*.py"))}


def scope(nodeid: str) -> str:
    """The scheduling unit of a test: "browser" for every real-browser test, else its module."""
    module, _, rest = nodeid.partition("::")
    marked = BROWSER.get(module, frozenset())
    name = rest.rsplit("::", 1)[-1].split("[", 1)[0]
    return "browser" if marked is True or name in marked else module


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The scheduler below reads the browser mark from the source; check it agrees with pytest's marks."""
    wrong = [
        item.nodeid
        for item in items
        if (item.get_closest_marker("browser") is not None) != (scope(item.nodeid) == "browser")
    ]
    if wrong:
        raise pytest.UsageError(f"the scheduler in conftest.py misreads the browser mark of: {wrong[:5]}")


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``make test`` runs two pytest-xdist workers with ``--dist loadgroup``, scheduled here: a test module
    stays on one worker (its module fixtures are built once, its tests run in file order), and all
    real-browser tests form one unit, so one Chromium with its served app runs at a time while the other
    worker runs the rest. (xdist's own loadgroup no longer reads ``xdist_group`` marks under pytest 9.2:
    it renames ``item._nodeid``, which pytest no longer uses.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope(nodeid)

    return ModuleScheduling(config, log)


@pytest.fixture(scope="session")
def _area_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("areas") / "w.duckdb", [AREAS])


@pytest.fixture(scope="session")
def _loaded_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = [
        AREAS,
        fixture("bevolking/bevolking_gm0999.csv"),
        fixture("politie/politie_47022NED_gm0999_maand.csv"),
        fixture("partner/corporatie_goed.csv"),
        fixture("leefbaarometer/leefbaarometer_gm0999.csv"),
    ]
    return build_db(tmp_path_factory.mktemp("loaded") / "w.duckdb", files)


@pytest.fixture
def area_db(_area_db_template: Path, tmp_path: Path) -> Path:
    """A fresh database (in tmp_path) holding only the area division of GM0999 (gebieden GeoJSON)."""
    return copy_db(_area_db_template, tmp_path / "w.duckdb")


@pytest.fixture
def loaded_db(_loaded_db_template: Path, tmp_path: Path) -> Path:
    """A fresh database with the GM0999 areas, bevolking, politie (monthly), corporatie and Leefbaarometer."""
    return copy_db(_loaded_db_template, tmp_path / "w.duckdb")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (the browser tests skip themselves when it is missing)."""
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def postgres_server():
    """Debian's PostgreSQL cluster, started if down (left running), or a skip naming what is missing.

    Yields a pg_support.PostgresServer; databases created through it are dropped at the end of the session.
    """
    from pg_support import PostgresUnavailable, postgres_required, start_server

    try:
        server = start_server()
    except PostgresUnavailable as exc:
        if postgres_required():
            pytest.fail(f"PostgreSQL not available but WM_REQUIRE_POSTGRES is set: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server
    server.drop_all()


@pytest.fixture
def postgres_url(postgres_server):
    """SQLAlchemy URL (psycopg, Unix socket) of a fresh empty database wm_test_<hex8>, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def records_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty records store URL: a SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/records.sqlite"
    return request.getfixturevalue("postgres_url")
