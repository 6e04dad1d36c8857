"""Alembic environment: migrations run on the connection :func:`wijkmonitor.records.store.upgrade` passes."""

from __future__ import annotations

from alembic import context

from wijkmonitor.records.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always run through store.upgrade
    raise RuntimeError("run migrations through wijkmonitor.records.store.upgrade")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite goes through a copy
)
with context.begin_transaction():
    context.run_migrations()
