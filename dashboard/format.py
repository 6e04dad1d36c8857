"""Dutch number and date formatting for the UI (decimal comma, thousands dot, Dutch month names)."""

from __future__ import annotations

import datetime as dt
import math

MAANDEN = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def getal(value: float | int | None, decimalen: int = 0) -> str:
    """12345.6 -> '12.345,6'; None/NaN -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimalen}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def datum_tijd(value: dt.datetime | None) -> str:
    """2026-11-23 14:05 -> '23 november 2026, 14:05'."""
    if value is None:
        return "–"
    return f"{value.day} {MAANDEN[value.month - 1]} {value.year}, {value:%H:%M}"


def datum(value: dt.date | None) -> str:
    """2026-11-23 -> '23 nov. 2026' (short, for metrics)."""
    if value is None:
        return "–"
    return f"{value.day} {MAANDEN[value.month - 1][:3]}. {value.year}"
