"""What every source kind shares: the registries, the delivery options, the plan, and column matching."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from etl.reader import Delivery, base_name, shown

REGISTRY = Path(__file__).parent.parent / "registry"
# CBS codes: GM + 4 digits; WK + gemeente + 2; BU + gemeente + 4. Amsterdam uses letters (BU0363FE03).
CODE_REGEX = r"^(?:GM[0-9]{4}|WK[0-9]{4}[0-9A-Z]{2}|BU[0-9]{4}[0-9A-Z]{4})$"
# A number as partners write it: 7, 7,3 (decimal comma), 7.3, 9.2e-05 (exponent only with a decimal point).
NUMBER_REGEX = r"^-?[0-9]+(?:,[0-9]+|(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)$"
INTEGER_REGEX = r"^-?[0-9]+(?:[.,]0+)?$"
PERIOD_REGEX = {
    "jaar": r"^(?:19|20)[0-9]{2}$",
    "halfjaar": r"^(?:19|20)[0-9]{2}-[Hh][12]$",
    "kwartaal": r"^(?:19|20)[0-9]{2}-[Qq][1-4]$",
    "maand": r"^(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])$",
    # ISO week (ISO 8601 week-numbering year, two-digit week); week 53 only in years that have it (a frame rule)
    "week": r"^(?:19|20)[0-9]{2}-[Ww](?:0[1-9]|[1-4][0-9]|5[0-3])$",
}
PERIOD_EXAMPLE = {
    "jaar": "2019",
    "halfjaar": "2019-H1",
    "kwartaal": "2019-Q3",
    "maand": "2019-03",
    "week": "2019-W07",
}
LEVEL_PREFIX = {"buurt": "BU", "wijk": "WK", "gemeente": "GM"}


class SourceError(Exception):
    """The delivery cannot be checked at all (unknown shape, year unknown, required columns missing)."""


@cache
def variable_registry() -> dict[str, Any]:
    return yaml.safe_load((REGISTRY / "variabelen.yaml").read_text(encoding="utf-8"))["bronnen"]


@cache
def crime_codes() -> dict[str, str]:
    return yaml.safe_load((REGISTRY / "soort_misdrijf.yaml").read_text(encoding="utf-8"))["codes"]


@cache
def kwb_tables() -> dict[str, int]:
    return yaml.safe_load((REGISTRY / "kwb_tabellen.yaml").read_text(encoding="utf-8"))["tabellen"]


@dataclass
class Options:
    source: str | None = None  # --source
    jaar: int | None = None  # --jaar (KWB year, area division year of a gebieden file)
    gemeente: str | None = None  # --gemeente: keep only areas of this gemeente, skip others with a warning
    sheet: str | None = None  # --blad (XLSX)
    code_template: str | None = None  # gebieden: e.g. "BU{GEMEENTECODE}{BUURTCODE}"
    naam_template: str | None = None  # gebieden: e.g. "{BUURT}"
    indeling: int | None = None  # --indeling: the area division (year) the codes follow; else recognised
    voorbeeld: bool = False  # --voorbeeld: load into the private copy, show what changes, publish nothing
    forceer: bool = False  # --forceer: load a delivery older (peildatum) than the one it replaces
    # The stated delivery moment per file name (the police's 14-day rhythm is measured from it). Only the
    # command line and the demo build state it; an upload from the dashboard never does (it cannot backdate
    # itself): its moment is the load's own. Stored with the load (meta.loads.validatie, `geleverd_op`).
    geleverd_op: dict[str, datetime] | None = None


@dataclass
class Plan:
    """What a delivery is and how to handle it; built by :func:`etl.sources.plan_delivery`."""

    kind: str
    variant: str
    raw_table: str
    partner: str
    columns: dict[str, str]  # canonical name -> delivered column name (for messages only, never SQL)
    select: dict[str, str]  # raw column -> SQL expression over the delivery view
    code_expr: str  # SQL expression of the trimmed area code
    year_expr: str | None  # SQL expression of the year (INTEGER) or None
    extra_raw: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    idents: dict[str, str] = field(default_factory=dict)  # canonical name -> positional SQL column (k3)
    indeling: int | None = None  # the area division the codes follow (etl.indeling.choose)
    indeling_herkomst: str = ""  # how that was decided, for the load log

    def sql(self, name: str) -> str:
        """The trimmed value of a canonical column as SQL (over the delivery view), NULL when absent."""
        return f"trim({self.idents[name]})" if name in self.idents else "NULL"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def listed(names: list[str], limit: int = 20) -> str:
    """Delivered names for a message: each shown safely (truncated, control characters visible)."""
    out = ", ".join(shown(n, 40) for n in names[:limit])
    return out + (f", … ({len(names)} in totaal)" if len(names) > limit else "")


def match_columns(delivery: Delivery, wanted: list[str]) -> dict[str, str]:
    """Canonical name -> delivered column for each wanted name the delivery has (case and CBS suffix ignored)."""
    by_base: dict[str, str] = {}
    for col in delivery.columns:
        by_base.setdefault(base_name(col), col)
    return {w: by_base[w.lower()] for w in wanted if w.lower() in by_base}
