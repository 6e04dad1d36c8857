"""Wijkmonitor ETL: partner files -> raw -> validated (GX) -> staging -> marts in DuckDB.

Public API (the dashboard and the CLI use only these):
"""

from etl.attempts import log_path as attempt_log_path
from etl.attempts import read as read_attempts
from etl.db import OnvoldoendeRuimte, connect_readonly, db_version, opruimen, reader_cursor, resolve_db_path
from etl.load import LoadResult, list_loads, load_files, validate_files
from etl.sources import Options, variable_registry

__all__ = [
    "LoadResult",
    "OnvoldoendeRuimte",
    "opruimen",
    "attempt_log_path",
    "read_attempts",
    "Options",
    "connect_readonly",
    "db_version",
    "list_loads",
    "load_files",
    "reader_cursor",
    "resolve_db_path",
    "validate_files",
    "variable_registry",
]
