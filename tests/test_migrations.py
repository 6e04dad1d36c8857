"""The records store's migrations and ``wijkmonitor/records/tables.py`` describe the same schema."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from wijkmonitor.records import store
from wijkmonitor.records.tables import metadata


def test_migrations_match_the_tables(records_url):
    eng = store.open_store(records_url)
    assert store.current_revision(eng) == store.head()
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    # server defaults are compared loosely by alembic; types, columns, tables, indexes and keys must agree
    assert [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_default")] == []


def test_concurrent_first_starts_migrate_once(tmp_path):
    """Two servers and a command opening a new store at the same moment: one migrates, the others wait."""
    url = f"sqlite:///{tmp_path}/r.sqlite"
    errors: list[BaseException] = []

    def start() -> None:
        try:
            store.upgrade(url)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.current_revision(store.engine(url)) == store.head()
