"""Dutch number and date formatting for the UI (decimal comma, thousands dot, Dutch month names)."""

from __future__ import annotations

import datetime as dt
import math

from wijkmonitor.records.jaarplannen import MONTHS

MAANDEN = list(MONTHS)  # one list of Dutch month names (the records use it too)


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


def procent(fraction: float | None) -> str:
    """0.05 -> '5%', 0.025 -> '2,5%' (a share as a percentage, no trailing zeros); None/NaN -> '–'."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return f"{100 * fraction:.10g}".replace(".", ",") + "%"


def bij_grens(value: float | None, grens: float) -> str:
    """A bound next to a limit, with as many decimals (1 to 3) as it takes not to look equal to the limit:
    94.986 against 95 -> '94,99', not '95,0' (which would read as 'on the limit')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    for decimalen in (1, 2, 3):
        if value == grens or round(value, decimalen) != round(grens, decimalen):
            return getal(value, decimalen)
    return getal(value, 3)
