"""The load-attempt log: one JSON line per attempt, appended to a file beside the warehouse.

A rejected delivery and a delivery that was already loaded change nothing in the warehouse: its file stays
byte-identical, because the write session is thrown away instead of published. The attempt is still
recorded, here: ``<db>.laadpogingen.jsonl`` (append-only; one line per attempt, written with O_APPEND and
fsynced under the writer lock). Successful loads are recorded both in the warehouse (``meta.loads``, the
provenance of every figure) and here, after they have been published.

A line cut off by a crash is skipped when reading. When the covenant records store arrives, its audit trail
takes over this role.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

MAX_MESSAGES = 1000  # messages kept per attempt in the log (the count is always kept)
# The fields of a load as `wijkmonitor loads` and the Data page list them (meta.loads and the log share them).
LOAD_FIELDS = (
    "load_id",
    "bestand",
    "bronsoort",
    "variant",
    "partner",
    "rijen",
    "rijen_geladen",
    "status",
    "gebruiker",
    "gestart",
    "klaar",
    "sha256",
    "kopie",
    "pad",
    "opmerking",
)


def log_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".laadpogingen.jsonl")


def append(db_path: Path, record: dict[str, Any]) -> None:
    """Append one attempt (call under the writer lock)."""
    line = json.dumps(record, ensure_ascii=False, default=_default, separators=(",", ":")) + "\n"
    path = log_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read(db_path: Path) -> list[dict[str, Any]]:
    """Every attempt, oldest first (lines that cannot be parsed, e.g. cut off by a crash, are skipped)."""
    path = log_path(db_path)
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get("load_id"), int):
                out.append(rec)
    return out


def set_aside(db_path: Path) -> Path | None:
    """A fresh database replaced the old one: keep the old log under a dated name, start a new one."""
    path = log_path(db_path)
    if not path.exists():
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = path.with_name(f"{path.stem}.{stamp}{path.suffix}")
    os.replace(path, target)
    return target


def max_load_id(db_path: Path) -> int:
    return max((r["load_id"] for r in read(db_path)), default=0)


def _default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
