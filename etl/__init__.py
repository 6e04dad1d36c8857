"""Wijkmonitor ETL: partner files -> raw -> validated (GX) -> staging -> marts in DuckDB.

Public API. Names are imported on first use (PEP 562), so that ``import etl.db`` (the read-only connection the
dashboard needs) does not pull in the loader, Great Expectations or the indicator engine.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "LoadResult": "etl.load",
    "list_loads": "etl.load",
    "load_files": "etl.load",
    "validate_files": "etl.load",
    "Options": "etl.sources",
    "variable_registry": "etl.sources",
    "rebuild": "etl.build",
    "OnvoldoendeRuimte": "etl.db",
    "connect_readonly": "etl.db",
    "db_version": "etl.db",
    "opruimen": "etl.db",
    "reader_cursor": "etl.db",
    "resolve_db_path": "etl.db",
    "SCHEMA_VERSION": "etl.db",
    "attempt_log_path": "etl.attempts",
    "read_attempts": "etl.attempts",
}
_RENAMED = {"attempt_log_path": "log_path", "read_attempts": "read"}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'etl' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), _RENAMED.get(name, name))
    globals()[name] = value
    return value
