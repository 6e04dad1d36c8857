"""The PostgreSQL test fixtures themselves (conftest.py, pg_support.py): a server, fresh databases, both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pg_support import DB_PREFIX, PostgresServer


def test_postgres_url_is_a_fresh_database_we_can_write(postgres_url: str) -> None:
    url = sa.make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.database.startswith(DB_PREFIX)
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == url.database
            tables = conn.execute(
                sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            ).scalar_one()
            assert tables == 0
            conn.execute(sa.text("CREATE TABLE t (id integer PRIMARY KEY, naam text NOT NULL)"))
            conn.execute(sa.text("INSERT INTO t VALUES (:id, :naam)"), {"id": 1, "naam": "wijk"})
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT naam FROM t")).scalar_one() == "wijk"
    finally:
        engine.dispose()


def test_postgres_databases_are_dropped_after_use(postgres_server: PostgresServer) -> None:
    name = postgres_server.create_database()
    engine = sa.create_engine(postgres_server.url(name))
    conn = engine.connect()  # a connection a test left open must not stop the drop (WITH (FORCE))
    conn.execute(sa.text("SELECT 1"))
    conn.commit()
    postgres_server.drop_database(name)
    conn.invalidate()  # the server has terminated it
    engine.dispose()
    admin = sa.create_engine(postgres_server.url("postgres"))
    try:
        with admin.connect() as conn:
            left = conn.execute(sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name})
            assert left.scalar_one() == 0
    finally:
        admin.dispose()
    with pytest.raises(ValueError):
        postgres_server.drop_database("postgres")  # only databases the fixtures created


def test_records_url_has_both_backends(request: pytest.FixtureRequest) -> None:
    # The fixture's own definition (not the collected items, which -k may have deselected).
    (fixturedef,) = request._fixturemanager.getfixturedefs("records_url", request.node)
    assert list(fixturedef.params) == ["sqlite", "postgresql"]


def test_records_url_is_usable(records_url: str) -> None:
    engine = sa.create_engine(records_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (id integer PRIMARY KEY)"))
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert sa.inspect(engine).get_table_names() == ["t"]
    finally:
        engine.dispose()


def test_open_store_creates_the_schema_on_both_backends(records_url: str) -> None:
    from wijkmonitor.records.store import open_store

    engine = open_store(records_url)
    try:
        assert engine.dialect.name == records_url.split(":")[0].split("+")[0]
        tables = set(sa.inspect(engine).get_table_names())
        assert {"gebruikers", "audit"} <= tables
        assert open_store(records_url) is engine  # a second open finds the schema at head
    finally:
        engine.dispose()
