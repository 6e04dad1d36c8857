"""Jaarplannen and half-yearly status reports in Excel: a pre-filled template to download, and the
upload read back with validation.

Leefbaarheidsteams work in Excel. Two templates (docs/jaarplan-excel.md):

- **Jaarplan** for one wijk and year: sheet ``activiteiten`` (one row per activity, :data:`PLAN_COLUMNS`),
  ``keuzelijsten`` (themes, indicators, partners, the wijk's opgaven, statuses), ``uitleg`` (the rules in
  plain Dutch) and ``info`` (wijk_code, wijk_naam, jaar, soort=jaarplan).
- **Status** for one wijk, year and half-year: sheet ``status`` (one row per active activity,
  :data:`STATUS_COLUMNS`), ``verhaal`` (the three narrative questions, text in column B), ``keuzelijsten``,
  ``uitleg`` and ``info`` (… halfjaar, soort=status).

Reading an upload never writes anywhere: it returns the activities or status lines plus the issues; the
page shows :func:`wijkmonitor.records.jaarplannen.diff_activities` and saves through the records store.

Hostile uploads are expected:

- Only ``bytes`` are read, at most :data:`MAX_BYTES`, unpacking to at most :data:`MAX_UNPACKED`; at most
  :data:`MAX_ROWS` filled rows and :data:`MAX_COLS` columns are read, and a sheet whose rows run on past
  :data:`MAX_SCAN` is refused. Anything that is not a readable .xlsx is one Dutch issue, never a crash.
- Cells are read with openpyxl (``read_only``, ``data_only``: a formula gives its cached value; a formula
  without one is an issue). Text is taken as text: ``=HYPERLINK(…)`` or ``<script>`` typed as text stays a
  string, and when a template is written every string is written as a string cell, never as a formula.
- No text from a file becomes SQL text: the sheet becomes a DuckDB table whose column names are the
  template's own (unknown headers are not read), and values reach SQL only as data.
- Validation runs through Great Expectations (:func:`etl.validation.run_frames`) on per-row frames with
  ``_rij`` = the Excel row, so each message names file, sheet, row, column, value and rule; the domain's own
  checks (:func:`~wijkmonitor.records.jaarplannen.activity_problems`,
  :func:`~wijkmonitor.records.jaarplannen.line_problems`) run afterwards as a second net. An upload with any
  error is refused whole: no activities or lines are returned.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl.reader import shown
from etl.validation import Frame, Issue, Rule, ValidationResult, run_frames
from wijkmonitor.records.authz import MAX_TEXT
from wijkmonitor.records.jaarplannen import (
    ACTIVITY_STATUS,
    CODE_RE,
    MAX_BUDGET,
    MAX_HOURS,
    MAX_TITLE,
    MONTHS,
    PARTNERS,
    PLAN_STATUS,
    Activity,
    Opgave,
    Plan,
    Report,
    StatusLine,
    activity_problems,
    line_problems,
)

# ------------------------------------------------------------------------------------------ layout

PLAN_SHEET = "activiteiten"
STATUS_SHEET = "status"
VERHAAL_SHEET = "verhaal"
CHOICES_SHEET = "keuzelijsten"
HELP_SHEET = "uitleg"
INFO_SHEET = "info"

HOUR_COLUMNS = [f"uren_{p}" for p in PARTNERS]
PLAN_COLUMNS = [
    "code",
    "titel",
    "omschrijving",
    "thema",
    "opgave",
    "indicatoren",
    "trekker",
    "start_maand",
    "eind_maand",
    *HOUR_COLUMNS,
    "budget",
    "verwacht_effect",
]
STATUS_COLUMNS = ["code", "titel", "trekker", "status", "procent", "toelichting", *HOUR_COLUMNS]
STATUS_INFO_ONLY = ("titel", "trekker")  # shown for the reader, not read back
STATUS_READ = [c for c in STATUS_COLUMNS if c not in STATUS_INFO_ONLY]
VERHAAL = {
    "goed": "Wat ging goed",
    "niet_goed": "Wat ging niet goed",
    "vragen": "Wat vragen we van de regiegroep",
}

# ------------------------------------------------------------------------------------------ limits

MAX_BYTES = 5 * 1024 * 1024  # the uploaded file
MAX_UNPACKED = 40 * 1024 * 1024  # the .xlsx unpacked (it is a zip of XML)
MAX_ROWS = 500  # filled rows on the activities / status sheet
MAX_SCAN = 10_000  # rows (empty ones too) read before a sheet is refused as running on too far
MAX_COLS = 40  # columns read; further columns are ignored
MAX_INFO_ROWS = 50

# Python regexes (GX validates pandas frames). Numbers: decimal comma or point, a minus sign is allowed so
# that a negative number gets the "0 or more" message rather than "not a number".
NUMBER_REGEX = r"^-?[0-9]+(?:[.,][0-9]+)?$"
MONTH_REGEX = r"^(?:0?[1-9]|1[0-2])$"
PERCENT_REGEX = r"^[0-9]{1,3}$"

HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
INFO_FILL = PatternFill("solid", fgColor="EEEEEE")
SUITE = "jaarplan-excel"


# ------------------------------------------------------------------------------------------ results


@dataclass
class PlanUpload:
    """A jaarplan upload read back: the activities (empty when refused), the issues and GX's report."""

    activiteiten: list[Activity] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    expectations: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed): the activities may be shown as a diff and saved."""
        return not any(i.ernst == "fout" for i in self.issues)


@dataclass
class StatusUpload:
    """A status upload read back: the lines and the narrative (empty when refused), issues, GX's report."""

    regels: list[StatusLine] = field(default_factory=list)
    goed: str = ""
    niet_goed: str = ""
    vragen: str = ""
    issues: list[Issue] = field(default_factory=list)
    expectations: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed): the report may be submitted."""
        return not any(i.ernst == "fout" for i in self.issues)


# ------------------------------------------------------------------------------------------ catalogue


def _themes(catalogue: dict) -> dict[str, str]:
    """Theme code -> Dutch title."""
    return {str(k): str(v) for k, v in (catalogue.get("themas") or {}).items()}


def _indicators(catalogue: dict) -> dict[str, tuple[str, str]]:
    """Indicator code -> (Dutch title, theme). The catalogue keeps a dict by code; a list of dicts with a
    ``code`` key is accepted too."""
    raw = catalogue.get("indicatoren") or {}
    items = raw.items() if isinstance(raw, dict) else ((d.get("code"), d) for d in raw)
    return {str(code): (str(d.get("titel", "")), str(d.get("thema", ""))) for code, d in items if code}


# ------------------------------------------------------------------------------------------ writing


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write one cell. A string is always a string cell (never a formula, whatever it starts with); the
    characters an .xlsx cannot hold (control characters) are dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    return cell


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    x = float(value)
    return int(x) if x.is_integer() else x


def _header(ws: Any, columns: Sequence[str], widths: dict[str, int], info_only: Sequence[str] = ()) -> None:
    for j, name in enumerate(columns, start=1):
        cell = _put(ws, 1, j, name)
        cell.font = Font(bold=True)
        cell.fill = INFO_FILL if name in info_only else HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = widths.get(name, 12)
    ws.freeze_panes = "B2"


def _letter(columns: Sequence[str], name: str) -> str:
    return get_column_letter(columns.index(name) + 1)


def _rows_range(columns: Sequence[str], name: str) -> str:
    col = _letter(columns, name)
    return f"{col}2:{col}{MAX_ROWS + 1}"


def _list_validation(ws: Any, formula: str, cells: str, what: str) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.error = f"Kies {what} uit het tabblad '{CHOICES_SHEET}'."
    dv.errorTitle = "Onbekende waarde"
    ws.add_data_validation(dv)
    dv.add(cells)


def _whole_validation(ws: Any, lo: int, hi: int, cells: str, what: str) -> None:
    dv = DataValidation(
        type="whole", operator="between", formula1=str(lo), formula2=str(hi), allow_blank=True
    )
    dv.error = f"{what} is een geheel getal van {lo} t/m {hi}."
    dv.errorTitle = "Ongeldig getal"
    ws.add_data_validation(dv)
    dv.add(cells)


def _decimal_validation(ws: Any, hi: float, cells: str, what: str) -> None:
    dv = DataValidation(
        type="decimal", operator="between", formula1="0", formula2=str(int(hi)), allow_blank=True
    )
    dv.error = f"{what}: een getal van 0 of meer."
    dv.errorTitle = "Ongeldig getal"
    ws.add_data_validation(dv)
    for c in cells.split():
        dv.add(c)


def _choices(wb: Workbook, catalogue: dict, opgaven: Sequence[Opgave] | None) -> dict[str, str]:
    """The sheet of valid values, side by side; returns the ranges the data validations point at."""
    ws = wb.create_sheet(CHOICES_SHEET)
    blocks: list[tuple[str, list[str], list[list[Any]]]] = [
        ("thema", ["thema", "titel"], [[k, v] for k, v in _themes(catalogue).items()]),
        (
            "indicator",
            ["indicator", "titel", "thema"],
            [[k, t, th] for k, (t, th) in _indicators(catalogue).items()],
        ),
        ("trekker", ["partner", "naam"], [[k, v] for k, v in PARTNERS.items()]),
    ]
    if opgaven is not None:
        blocks.append(
            (
                "opgave",
                ["opgave", "titel", "thema"],
                [
                    [o.id, o.titel + (" (vervallen)" if o.vervallen else ""), o.thema]
                    for o in opgaven
                    if o.id is not None
                ],
            )
        )
    blocks.append(("status", ["status"], [[s] for s in ACTIVITY_STATUS]))
    blocks.append(("maand", ["maand", "naam"], [[i, m] for i, m in enumerate(MONTHS, start=1)]))
    ranges: dict[str, str] = {}
    col = 1
    for key, head, rows in blocks:
        for j, name in enumerate(head):
            cell = _put(ws, 1, col + j, name)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            ws.column_dimensions[get_column_letter(col + j)].width = 40 if name == "titel" else 18
        for i, values in enumerate(rows, start=2):
            for j, v in enumerate(values):
                _put(ws, i, col + j, v)
        letter = get_column_letter(col)
        if rows:
            ranges[key] = f"{CHOICES_SHEET}!${letter}$2:${letter}${len(rows) + 1}"
        col += len(head) + 1
    ws.freeze_panes = "A2"
    return ranges


def _help(wb: Workbook, lines: Sequence[str]) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    for i, line in enumerate(lines, start=1):
        cell = _put(ws, i, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 120


def _info(wb: Workbook, values: Sequence[tuple[str, Any]]) -> None:
    ws = wb.create_sheet(INFO_SHEET)
    for j, name in enumerate(("sleutel", "waarde"), start=1):
        cell = _put(ws, 1, j, name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for i, (key, value) in enumerate(values, start=2):
        _put(ws, i, 1, key)
        _put(ws, i, 2, value)
    _put(
        ws, len(values) + 3, 1, "Wijzig dit blad niet: hieraan ziet de Wijkmonitor voor welke wijk en periode"
    )
    _put(
        ws, len(values) + 4, 1, "het bestand is. Een bestand voor een andere wijk of periode wordt geweigerd."
    )
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40


def _bytes(wb: Workbook) -> bytes:
    wb.properties.creator = "Wijkmonitor"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


PLAN_WIDTHS = {
    "code": 8,
    "titel": 35,
    "omschrijving": 45,
    "thema": 14,
    "opgave": 9,
    "indicatoren": 35,
    "trekker": 14,
    "start_maand": 11,
    "eind_maand": 11,
    "budget": 12,
    "verwacht_effect": 40,
}


def _plan_help(wijk: str, wijk_naam: str, jaar: int, plan: Plan | None, catalogue: dict) -> list[str]:
    partners = ", ".join(PARTNERS)
    examples = list(_indicators(catalogue))[:2]
    lines = [
        f"Jaarplan {jaar} van {wijk_naam} ({wijk}): zo vult u het sjabloon in.",
        f"Eén rij per activiteit op het tabblad '{PLAN_SHEET}'. De kopregel (rij 1) niet wijzigen; de volgorde "
        "van de kolommen mag anders, maar alle kolommen moeten blijven staan (laat een kolom leeg als er niets "
        f"in hoeft). Hooguit {MAX_ROWS} activiteiten.",
        "code (verplicht): A01, A02, … (de letter A en twee of drie cijfers), elke code één keer. De code houdt "
        "een activiteit bij elkaar: wijzig een bestaande activiteit in haar eigen rij en verander de code niet.",
        f"titel (verplicht, hooguit {MAX_TITLE} tekens); omschrijving en verwacht_effect (mogen leeg, hooguit "
        f"{MAX_TEXT} tekens).",
        f"thema (verplicht): een code uit het tabblad '{CHOICES_SHEET}', bijvoorbeeld veiligheid.",
        "opgave (mag leeg): het nummer van een opgave uit het wijkprogramma van deze wijk (tabblad "
        f"'{CHOICES_SHEET}').",
        "indicatoren (mag leeg): codes van indicatoren, gescheiden door komma's"
        + (f", bijvoorbeeld '{', '.join(examples)}'" if examples else "")
        + f" (tabblad '{CHOICES_SHEET}').",
        f"trekker (verplicht): de partner die de activiteit trekt: {partners}.",
        "start_maand en eind_maand (verplicht): een geheel getal van 1 (januari) t/m 12 (december); de eindmaand "
        "ligt niet vóór de startmaand.",
        "uren_<partner>: de geplande uren van die partner (een getal van 0 of meer, decimaalteken komma of punt; "
        "leeg = geen uren).",
        "budget (mag leeg): een bedrag in euro's, alleen cijfers (zonder €-teken of punten voor duizendtallen).",
        "Een rij die u weghaalt, haalt u uit het jaarplan. Een nieuwe rij met een nieuwe code voegt een "
        "activiteit toe.",
        "Is het jaarplan vastgesteld, dan wordt elke wijziging (toevoegen, wijzigen, weghalen) een amendement: "
        "de Wijkmonitor vraagt bij het opslaan om een reden en bewaart wat er veranderde. Een weggehaalde "
        "activiteit wordt dan geschrapt (zichtbaar in de geschiedenis).",
        "Na het uploaden ziet u eerst wat er verandert; pas als u dat bevestigt, wordt het opgeslagen. Een "
        "bestand met fouten wordt in zijn geheel geweigerd, met per fout het tabblad, de rij, de kolom en de "
        "waarde.",
        "Tekst blijft tekst: formules worden niet uitgevoerd (van een formule telt alleen de uitkomst die Excel "
        f"heeft opgeslagen). Wijzig het tabblad '{INFO_SHEET}' niet.",
    ]
    if plan is not None and plan.status == "vastgesteld":
        lines.insert(
            1, "Let op: dit jaarplan is vastgesteld. Elke wijziging wordt een amendement met een reden."
        )
    elif plan is not None and plan.status in ("ingediend", "advies"):
        lines.insert(
            1,
            f"Let op: dit jaarplan is {PLAN_STATUS[plan.status]} en kan nu niet worden gewijzigd; zet het eerst "
            "terug naar concept.",
        )
    return lines


def plan_template(
    wijk: str, wijk_naam: str, jaar: int, plan: Plan | None, opgaven: Sequence[Opgave], catalogue: dict
) -> bytes:
    """The jaarplan template of ``wijk`` for ``jaar`` as .xlsx bytes.

    Pre-filled with the plan's active activities (dropped ones are left out); without a plan, or with an
    empty one, the sheet ``activiteiten`` holds only the header row. ``opgaven`` are the wijk's opgaven
    (shown in ``keuzelijsten``; pass the vervallen ones too when activities may still point at them)."""
    if plan is not None and (plan.wijk_code != wijk or plan.jaar != jaar):
        raise ValueError(f"het jaarplan is van {plan.wijk_code} {plan.jaar}, niet van {wijk} {jaar}")
    wb = Workbook()
    ws = wb.active
    ws.title = PLAN_SHEET
    _header(ws, PLAN_COLUMNS, PLAN_WIDTHS)
    for i, a in enumerate(plan.actief if plan else [], start=2):
        values: dict[str, Any] = {
            "code": a.code,
            "titel": a.titel,
            "omschrijving": a.omschrijving or None,
            "thema": a.thema,
            "opgave": a.opgave_id,
            "indicatoren": ", ".join(a.indicatoren) or None,
            "trekker": a.trekker,
            "start_maand": a.start_maand,
            "eind_maand": a.eind_maand,
            "budget": _number(a.budget),
            "verwacht_effect": a.verwacht_effect or None,
        }
        for p in PARTNERS:
            values[f"uren_{p}"] = _number(a.uren.get(p)) if a.uren.get(p) else None
        for j, name in enumerate(PLAN_COLUMNS, start=1):
            cell = _put(ws, i, j, values[name])
            if name in ("omschrijving", "verwacht_effect", "titel"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ranges = _choices(wb, catalogue, [o for o in opgaven if o.wijk_code == wijk])
    if "thema" in ranges:
        _list_validation(ws, f"={ranges['thema']}", _rows_range(PLAN_COLUMNS, "thema"), "een thema")
    if "opgave" in ranges:
        _list_validation(ws, f"={ranges['opgave']}", _rows_range(PLAN_COLUMNS, "opgave"), "een opgave")
    _list_validation(ws, f"={ranges['trekker']}", _rows_range(PLAN_COLUMNS, "trekker"), "een partner")
    for name in ("start_maand", "eind_maand"):
        _whole_validation(ws, 1, 12, _rows_range(PLAN_COLUMNS, name), "Een maand")
    _decimal_validation(ws, MAX_HOURS, " ".join(_rows_range(PLAN_COLUMNS, c) for c in HOUR_COLUMNS), "Uren")
    _decimal_validation(ws, MAX_BUDGET, _rows_range(PLAN_COLUMNS, "budget"), "Budget")
    _help(wb, _plan_help(wijk, wijk_naam, jaar, plan, catalogue))
    _info(
        wb,
        [
            ("wijk_code", wijk),
            ("wijk_naam", wijk_naam),
            ("jaar", jaar),
            ("soort", "jaarplan"),
            ("status_jaarplan", plan.status if plan else "nog geen jaarplan"),
            ("gemaakt_op", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ],
    )
    return _bytes(wb)


STATUS_WIDTHS = {
    "code": 8,
    "titel": 35,
    "trekker": 20,
    "status": 14,
    "procent": 9,
    "toelichting": 50,
}


def _status_help(wijk: str, wijk_naam: str, jaar: int, halfjaar: int) -> list[str]:
    return [
        f"Statusrapportage {halfjaar}e halfjaar {jaar} van {wijk_naam} ({wijk}): zo vult u het sjabloon in.",
        f"Tabblad '{STATUS_SHEET}': één rij per activiteit van het jaarplan; elke activiteit precies één keer. "
        "Voeg geen activiteiten toe en haal er geen weg: een nieuwe of vervallen activiteit regelt u in het "
        "jaarplan (een amendement). Wijzig de kopregel en de codes niet.",
        "titel en trekker staan er ter informatie; wat u daarin verandert, wordt niet gelezen.",
        f"status (verplicht): {', '.join(ACTIVITY_STATUS)}.",
        "procent (verplicht): hoeveel van de activiteit gereed is, een geheel getal van 0 t/m 100 (zonder %-teken).",
        f"toelichting (mag leeg, hooguit {MAX_TEXT} tekens): een korte uitleg, zeker bij 'vertraagd' of "
        "'vervallen'.",
        "uren_<partner>: de uren die die partner dit halfjaar aan de activiteit besteedde (een getal van 0 of "
        "meer, decimaalteken komma of punt; leeg = geen uren).",
        f"Tabblad '{VERHAAL_SHEET}': het verhaal van de wijk, in kolom B: "
        + "; ".join(f"'{v}'" for v in VERHAAL.values())
        + f" (elk hooguit {MAX_TEXT} tekens; mag leeg).",
        "Een rapportage wordt als geheel ingediend en is daarna alleen te lezen. Uploadt u later een nieuwe "
        "versie, dan is dat een correctie: de Wijkmonitor vraagt dan om een reden en bewaart de vorige versies.",
        "Een bestand met fouten wordt in zijn geheel geweigerd, met per fout het tabblad, de rij, de kolom en de "
        "waarde. Tekst blijft tekst: formules worden niet uitgevoerd (van een formule telt alleen de uitkomst "
        f"die Excel heeft opgeslagen). Wijzig het tabblad '{INFO_SHEET}' niet.",
    ]


def status_template(
    wijk: str, wijk_naam: str, plan: Plan, halfjaar: int, previous: Report | None, catalogue: dict
) -> bytes:
    """The status template of ``wijk`` for half-year ``halfjaar`` of the plan's year, as .xlsx bytes.

    One row per active activity of ``plan``. With ``previous`` (the newest version of this half-year's
    report) its statuses, percentages, explanations, hours and narrative are filled in; a report of another
    half-year only lends its statuses, percentages and explanations (hours and narrative are per half-year).
    Without it, status and procent are empty."""
    if plan.wijk_code != wijk:
        raise ValueError(f"het jaarplan is van {plan.wijk_code}, niet van {wijk}")
    if halfjaar not in (1, 2):
        raise ValueError("halfjaar is 1 of 2")
    same_half = previous is not None and (previous.wijk_code, previous.jaar, previous.halfjaar) == (
        wijk,
        plan.jaar,
        halfjaar,
    )
    wb = Workbook()
    ws = wb.active
    ws.title = STATUS_SHEET
    _header(ws, STATUS_COLUMNS, STATUS_WIDTHS, STATUS_INFO_ONLY)
    for i, a in enumerate(plan.actief, start=2):
        line = previous.line(a.code) if previous is not None else None
        values: dict[str, Any] = {
            "code": a.code,
            "titel": a.titel,
            "trekker": PARTNERS.get(a.trekker, a.trekker),
            "status": line.status if line else None,
            "procent": line.procent if line else None,
            "toelichting": (line.toelichting or None) if line else None,
        }
        for p in PARTNERS:
            hours = line.uren.get(p) if line is not None and same_half else None
            values[f"uren_{p}"] = _number(hours) if hours else None
        for j, name in enumerate(STATUS_COLUMNS, start=1):
            cell = _put(ws, i, j, values[name])
            if name in STATUS_INFO_ONLY:
                cell.fill = INFO_FILL
            if name in ("titel", "toelichting"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ranges = _choices(wb, catalogue, None)
    _list_validation(ws, f"={ranges['status']}", _rows_range(STATUS_COLUMNS, "status"), "een status")
    _whole_validation(ws, 0, 100, _rows_range(STATUS_COLUMNS, "procent"), "Het percentage gereed")
    _decimal_validation(ws, MAX_HOURS, " ".join(_rows_range(STATUS_COLUMNS, c) for c in HOUR_COLUMNS), "Uren")

    wv = wb.create_sheet(VERHAAL_SHEET, 1)
    for j, name in enumerate(("vraag", "antwoord"), start=1):
        cell = _put(wv, 1, j, name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for i, (key, label) in enumerate(VERHAAL.items(), start=2):
        _put(wv, i, 1, label).alignment = Alignment(vertical="top")
        text = getattr(previous, key) if previous is not None and same_half else ""
        _put(wv, i, 2, text or None).alignment = Alignment(wrap_text=True, vertical="top")
        wv.row_dimensions[i].height = 90
    wv.column_dimensions["A"].width = 34
    wv.column_dimensions["B"].width = 100

    _help(wb, _status_help(wijk, wijk_naam, plan.jaar, halfjaar))
    _info(
        wb,
        [
            ("wijk_code", wijk),
            ("wijk_naam", wijk_naam),
            ("jaar", plan.jaar),
            ("halfjaar", halfjaar),
            ("soort", "status"),
            ("vorige_versie", previous.versie if previous is not None and same_half else None),
            ("gemaakt_op", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ],
    )
    return _bytes(wb)


# ------------------------------------------------------------------------------------------ reading


class _Refused(Exception):
    """The upload cannot be read on (too big, not an .xlsx, wrong wijk): these issues are the answer."""

    def __init__(self, *issues: Issue) -> None:
        super().__init__(issues[0].bericht if issues else "")
        self.issues = list(issues)


def _refusal(bericht: str, **kw: Any) -> _Refused:
    return _Refused(Issue("fout", bericht, **kw))


def _cell_text(value: Any) -> str | None:
    """A cell's value as the text validation sees; None for an empty cell. Numbers keep their value
    (3.0 -> '3'), dates become ISO dates, booleans WAAR/ONWAAR; text is only stripped."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            text = f"{value:.10f}".rstrip("0").rstrip(".")
        return text
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = str(value).strip()
    return text or None


@dataclass
class _Sheet:
    """One sheet read: the template's columns found (name -> position) and the filled rows."""

    columns: dict[str, int]
    rows: list[tuple[int, dict[str, str | None]]]
    issues: list[Issue]


class _Workbooks:
    """The upload opened twice, read-only: cached values (``data_only``) and formulas (to tell a formula
    without a cached value from an empty cell)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        if not isinstance(data, bytes | bytearray | memoryview):
            raise _refusal(f"{name} is geen geldig Excel-bestand (er is geen bestand ontvangen)")
        data = bytes(data)
        if len(data) > MAX_BYTES:
            raise _refusal(
                f"{name} is te groot ({len(data) / 1024 / 1024:.1f} MB; hooguit {MAX_BYTES // 1024 // 1024} MB)"
            )
        invalid = _refusal(
            f"{name} is geen geldig Excel-bestand: sla het op als Excel-werkmap (.xlsx) en probeer het opnieuw"
        )
        if not data or not zipfile.is_zipfile(io.BytesIO(data)):
            raise invalid
        try:
            # The zip's declared sizes bound what zipfile (which openpyxl uses) will inflate.
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
                if len(infos) > 1000:
                    raise invalid
                if sum(i.file_size for i in infos) > MAX_UNPACKED:
                    raise _refusal(
                        f"{name} pakt uit tot meer dan {MAX_UNPACKED // 1024 // 1024} MB; dat is te groot "
                        "voor een jaarplan of rapportage"
                    )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
                self.values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                try:
                    self.formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
                except BaseException:
                    self.values.close()
                    raise
        except _Refused:
            raise
        except Exception:  # openpyxl and zipfile raise many kinds, with English texts
            raise invalid from None

    def __enter__(self) -> _Workbooks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.values.close()
        self.formulas.close()

    def has(self, sheet: str) -> bool:
        return sheet in self.values.sheetnames

    def rows(self, sheet: str, max_rows: int) -> Any:
        """(row number, [(value, formula or None), …]) per row; (row number, None) once past ``max_rows``.

        A sheet openpyxl cannot parse (damaged XML, unknown cell types) is a refusal, not a crash."""
        try:
            wv, wf = self.values[sheet], self.formulas[sheet]
            wv.reset_dimensions()  # read what is there, not what the file claims
            wf.reset_dimensions()
            it_v = wv.iter_rows(max_col=MAX_COLS)
            it_f = wf.iter_rows(max_col=MAX_COLS)
            for i, (rv, rf) in enumerate(zip(it_v, it_f, strict=False), start=1):
                if i > max_rows:
                    yield i, None
                    return
                cells = []
                for cv, cf in zip(rv, rf, strict=False):
                    formula = cf.value if getattr(cf, "data_type", None) == "f" else None
                    cells.append((getattr(cv, "value", None), formula))
                yield i, cells
        except Exception:  # openpyxl and the XML parser raise many kinds, with English texts
            raise _refusal(
                f"{self.name} is geen geldig Excel-bestand: het blad '{shown(sheet, 40)}' is beschadigd of heeft "
                "een onbekende vorm; sla het opnieuw op als Excel-werkmap (.xlsx)"
            ) from None


def _loc(name: str, sheet: str) -> str:
    return f"{name}, blad '{sheet}'"


def _read_sheet(wbs: _Workbooks, sheet: str, columns: Sequence[str], read: Sequence[str]) -> _Sheet:
    """Read ``sheet``: header in row 1 (the template's column names, any order), filled rows after it.

    Only the columns in ``read`` are taken; other template columns are ignored, unknown ones warned about.
    Rows whose read columns are all empty are skipped."""
    where = _loc(wbs.name, sheet)
    if not wbs.has(sheet):
        present = ", ".join(f"'{shown(s, 40)}'" for s in wbs.values.sheetnames[:10])
        raise _refusal(
            f"{wbs.name}: het blad '{sheet}' ontbreekt (wel: {present}); gebruik het sjabloon van de Wijkmonitor"
        )
    found: dict[str, int] = {}
    issues: list[Issue] = []
    rows: list[tuple[int, dict[str, str | None]]] = []
    for i, cells in wbs.rows(sheet, MAX_SCAN):
        if cells is None:
            raise _refusal(
                f"{where}: het blad loopt door tot na rij {MAX_SCAN}; haal de lege of overbodige rijen onder de "
                f"tabel weg (hooguit {MAX_ROWS} rijen met gegevens)"
            )
        if i == 1:
            for j, (value, _) in enumerate(cells):
                head = _cell_text(value)
                if head is None:
                    continue
                key = head.lower()
                if key in found:
                    raise _refusal(
                        f"{where}, rij 1: kolom '{shown(head, 60)}' staat er twee keer; elke kolom één keer",
                        rij=1,
                        kolom=shown(head, 60),
                    )
                if key in columns:
                    found[key] = j
                else:
                    issues.append(
                        Issue(
                            "waarschuwing",
                            f"{where}, rij 1: kolom '{shown(head, 60)}' hoort niet bij het sjabloon en wordt "
                            "niet gelezen",
                            rij=1,
                            kolom=shown(head, 60),
                        )
                    )
            continue
        record: dict[str, str | None] = {}
        problems: list[Issue] = []
        for name in read:
            j = found.get(name)
            if j is None or j >= len(cells):
                record[name] = None
                continue
            value, formula = cells[j]
            if formula is not None and value is None:
                problems.append(
                    Issue(
                        "fout",
                        f"{where}, rij {i}: kolom '{name}' = '{shown(formula)}': een formule zonder opgeslagen "
                        "uitkomst; typ de waarde in, of open het bestand in Excel en sla het opnieuw op",
                        rij=i,
                        kolom=name,
                        waarde=shown(formula),
                        regel="formule zonder uitkomst",
                    )
                )
            record[name] = _cell_text(value)
        if all(v is None for v in record.values()) and not problems:
            continue
        issues.extend(problems)
        rows.append((i, record))
        if len(rows) > MAX_ROWS:
            raise _refusal(
                f"{where}: meer dan {MAX_ROWS} rijen met gegevens (rij {i}); een jaarplan of rapportage heeft er "
                f"hooguit {MAX_ROWS}"
            )
    return _Sheet(found, rows, issues)


def _check_info(wbs: _Workbooks, expected: dict[str, str]) -> None:
    """The ``info`` sheet must name this soort, wijk and period; otherwise the upload is refused."""
    where = _loc(wbs.name, INFO_SHEET)
    if not wbs.has(INFO_SHEET):
        raise _refusal(
            f"{wbs.name}: het blad '{INFO_SHEET}' ontbreekt, dus is niet te zien voor welke wijk en periode dit "
            "bestand is; download het sjabloon opnieuw en vul dat in"
        )
    info: dict[str, tuple[int, str | None]] = {}
    for i, cells in wbs.rows(INFO_SHEET, MAX_INFO_ROWS):
        if cells is None:
            break
        key = _cell_text(cells[0][0]) if cells else None
        if key and key.lower() not in info:
            info[key.lower()] = (i, _cell_text(cells[1][0]) if len(cells) > 1 else None)
    soort = expected["soort"]
    what = {"jaarplan": "een jaarplan", "status": "een statusrapportage"}
    problems: list[Issue] = []
    for key, want in expected.items():
        if key not in info:
            problems.append(
                Issue(
                    "fout",
                    f"{where}: de regel '{key}' ontbreekt; download het sjabloon opnieuw",
                    kolom="sleutel",
                    regel="sjablooninfo",
                )
            )
            continue
        rij, got = info[key]
        if (got or "") == want:
            continue
        shown_got = f"'{shown(got)}'" if got else "(leeg)"
        if key == "soort":
            reason = (
                f"dit bestand is geen sjabloon voor {what[soort]}; download het sjabloon voor {what[soort]}"
            )
        elif key == "wijk_code":
            reason = (
                f"dit bestand is voor een andere wijk, niet voor {want}; download het sjabloon van deze wijk"
            )
        elif key == "jaar":
            reason = f"dit bestand is voor een ander jaar, niet voor {want}; download het sjabloon van {want}"
        else:
            reason = (
                f"dit bestand is voor een ander halfjaar, niet voor het {want}e halfjaar; download het sjabloon "
                "van dit halfjaar"
            )
        problems.append(
            Issue(
                "fout",
                f"{where}, rij {rij}: kolom 'waarde' ({key}) = {shown_got}: {reason}",
                rij=rij,
                kolom="waarde",
                waarde=shown(got or ""),
                regel="sjablooninfo",
            )
        )
        if key == "soort":
            break  # another kind of file: the rest says nothing
    if problems:
        raise _Refused(*problems)


# ------------------------------------------------------------------------------------------ validation


def _connection(sheet: _Sheet, columns: Sequence[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with table ``blad``: ``_rij`` and the template columns found, all text.

    The column names are the template's own (never the file's text); the values are data."""
    names = [c for c in columns if c in sheet.columns]
    df = pd.DataFrame(
        [[rij, *(rec.get(c) for c in names)] for rij, rec in sheet.rows],
        columns=["_rij", *names],
        dtype="object",
    )
    con = duckdb.connect()
    con.register("_blad_df", df)
    casts = "".join(f", CAST({c} AS VARCHAR) AS {c}" for c in names)
    con.execute(f"CREATE TABLE blad AS SELECT CAST(_rij AS INTEGER) AS _rij{casts} FROM _blad_df")
    con.unregister("_blad_df")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _columns_frame(required: Sequence[str]) -> Frame:
    return Frame(
        "kolommen",
        "SELECT * FROM blad LIMIT 0",
        rules=[
            Rule(
                lambda g, c=c: g.ExpectColumnToExist(column=c),
                c,
                "elke kolom van het sjabloon moet blijven staan; laat hem leeg als er niets in hoeft",
            )
            for c in required
        ],
    )


def _not_null(column: str, regel: str) -> Rule:
    return Rule(lambda g: g.ExpectColumnValuesToNotBeNull(column=column), column, regel)


def _regex(column: str, regex: str, regel: str, kolom: str | None = None) -> Rule:
    return Rule(
        lambda g: g.ExpectColumnValuesToMatchRegex(column=column, regex=regex),
        kolom or column,
        regel,
        waarde=column,
    )


def _in_set(column: str, values: Sequence[str], regel: str, kolom: str, waarde: str) -> Rule:
    # A value that can never occur keeps the set non-empty (an empty set is a GX configuration error).
    value_set = list(values) or ["\x00"]
    return Rule(
        lambda g: g.ExpectColumnValuesToBeInSet(column=column, value_set=value_set),
        kolom,
        regel,
        waarde=waarde,
    )


def _between(column: str, lo: float | None, hi: float | None, regel: str, kolom: str, waarde: str) -> Rule:
    return Rule(
        lambda g: g.ExpectColumnValuesToBeBetween(column=column, min_value=lo, max_value=hi),
        kolom,
        regel,
        waarde=waarde,
    )


def _max_length(column: str, limit: int, regel: str) -> Rule:
    return Rule(
        lambda g: g.ExpectColumnValueLengthsToBeBetween(column=column, max_value=limit), column, regel
    )


def _hours_frame() -> Frame:
    """Every filled hours cell, unpivoted to (kolom, waarde, getal, _rij)."""
    unions = " UNION ALL ".join(
        f"SELECT '{c}' AS kolom, {c} AS waarde, _rij FROM blad WHERE {c} IS NOT NULL" for c in HOUR_COLUMNS
    )
    return Frame(
        "uren",
        f"SELECT kolom, waarde, TRY_CAST(replace(waarde, ',', '.') AS DOUBLE) AS getal, _rij "
        f"FROM ({unions}) ORDER BY _rij, kolom",
        rules=[
            Rule(
                lambda g: g.ExpectColumnValuesToMatchRegex(column="waarde", regex=NUMBER_REGEX),
                "{kolom}",
                "moet een aantal uren zijn: een getal (bijv. 12 of 7,5), of leeg",
            ),
            Rule(
                lambda g: g.ExpectColumnValuesToBeBetween(column="getal", min_value=0, max_value=MAX_HOURS),
                "{kolom}",
                f"uren moeten 0 of meer zijn (hooguit {MAX_HOURS:.0f})",
                waarde="waarde",
            ),
        ],
    )


def _plan_frames(themes: Sequence[str], indicators: Sequence[str], opgave_ids: Sequence[int]) -> list[Frame]:
    keuze = f"kies uit het tabblad '{CHOICES_SHEET}'"
    activity = Frame(
        "activiteit",
        "SELECT _rij, code, titel, omschrijving, verwacht_effect, thema, lower(thema) AS thema_code, trekker, "
        "lower(trekker) AS trekker_code, opgave, start_maand, eind_maand, "
        "CASE WHEN TRY_CAST(start_maand AS INTEGER) BETWEEN 1 AND 12 AND TRY_CAST(eind_maand AS INTEGER) "
        "BETWEEN 1 AND 12 THEN TRY_CAST(eind_maand AS INTEGER) - TRY_CAST(start_maand AS INTEGER) END AS looptijd, "
        "budget, "
        "TRY_CAST(replace(budget, ',', '.') AS DOUBLE) AS budget_getal FROM blad ORDER BY _rij",
        rules=[
            _not_null("code", "code is verplicht (A01, A02, …)"),
            _regex(
                "code", CODE_RE.pattern, "code moet de vorm A01 hebben: de letter A en twee of drie cijfers"
            ),
            Rule(
                lambda g: g.ExpectColumnValuesToBeUnique(column="code"),
                "code",
                "deze code komt vaker voor; elke activiteit heeft een eigen code",
            ),
            _not_null("titel", "titel is verplicht"),
            _max_length("titel", MAX_TITLE, f"titel is te lang (hooguit {MAX_TITLE} tekens)"),
            _max_length("omschrijving", MAX_TEXT, f"omschrijving is te lang (hooguit {MAX_TEXT} tekens)"),
            _max_length(
                "verwacht_effect", MAX_TEXT, f"verwacht effect is te lang (hooguit {MAX_TEXT} tekens)"
            ),
            _not_null("thema", f"thema is verplicht; {keuze}"),
            _in_set("thema_code", [t.lower() for t in themes], f"onbekend thema; {keuze}", "thema", "thema"),
            _not_null("trekker", f"trekker is verplicht: {', '.join(PARTNERS)}"),
            _in_set(
                "trekker_code",
                list(PARTNERS),
                f"trekker moet een partner zijn: {', '.join(PARTNERS)}",
                "trekker",
                "trekker",
            ),
            _not_null("start_maand", "startmaand is verplicht (1 t/m 12)"),
            _regex(
                "start_maand", MONTH_REGEX, "startmaand moet een geheel getal van 1 (januari) t/m 12 zijn"
            ),
            _not_null("eind_maand", "eindmaand is verplicht (1 t/m 12)"),
            _regex("eind_maand", MONTH_REGEX, "eindmaand moet een geheel getal van 1 t/m 12 (december) zijn"),
            _between("looptijd", 0, None, "de eindmaand ligt vóór de startmaand", "eind_maand", "eind_maand"),
            _regex(
                "budget",
                NUMBER_REGEX,
                "budget moet een bedrag in euro's zijn (alleen cijfers, zonder €-teken), of leeg",
            ),
            _between(
                "budget_getal",
                0,
                MAX_BUDGET,
                f"budget moet 0 of meer zijn (hooguit {MAX_BUDGET:,.0f})".replace(",", "."),
                "budget",
                "budget",
            ),
            _in_set(
                "opgave",
                [str(i) for i in opgave_ids],
                f"geen opgave uit het wijkprogramma van deze wijk; vul het nummer in ({keuze}) of laat leeg",
                "opgave",
                "opgave",
            ),
        ],
    )
    indicator = Frame(
        "indicator",
        "SELECT _rij, indicator, lower(indicator) AS indicator_code FROM (SELECT _rij, "
        "unnest(regexp_split_to_array(indicatoren, '[\\s,;]+')) AS indicator FROM blad "
        "WHERE indicatoren IS NOT NULL) WHERE indicator <> '' ORDER BY _rij",
        rules=[
            _in_set(
                "indicator_code",
                [i.lower() for i in indicators],
                f"onbekende indicator; {keuze} (codes gescheiden door komma's)",
                "indicatoren",
                "indicator",
            )
        ],
    )
    return [activity, indicator, _hours_frame()]


def _status_frames(con: duckdb.DuckDBPyConnection, plan: Plan) -> list[Frame]:
    codes = [a.code for a in plan.actief]
    con.execute("CREATE TABLE plan_codes (volgorde INTEGER, code VARCHAR)")
    if codes:
        con.executemany("INSERT INTO plan_codes VALUES (?, ?)", list(enumerate(codes)))
    line = Frame(
        "regel",
        "SELECT _rij, code, status, lower(status) AS status_code, procent, "
        "TRY_CAST(procent AS INTEGER) AS procent_getal, toelichting FROM blad ORDER BY _rij",
        rules=[
            _not_null("code", "code is verplicht (de code van de activiteit uit het jaarplan)"),
            _in_set(
                "code",
                codes,
                f"geen activiteit van het jaarplan {plan.jaar}; een nieuwe activiteit komt eerst in het jaarplan",
                "code",
                "code",
            ),
            Rule(
                lambda g: g.ExpectColumnValuesToBeUnique(column="code"),
                "code",
                "deze activiteit staat er vaker in; elke activiteit één keer",
            ),
            _not_null("status", f"status is verplicht: {', '.join(ACTIVITY_STATUS)}"),
            _in_set(
                "status_code",
                list(ACTIVITY_STATUS),
                f"status moet een van deze zijn: {', '.join(ACTIVITY_STATUS)}",
                "status",
                "status",
            ),
            _not_null("procent", "procent is verplicht (0 t/m 100)"),
            _regex(
                "procent", PERCENT_REGEX, "procent moet een geheel getal van 0 t/m 100 zijn (zonder %-teken)"
            ),
            _between(
                "procent_getal",
                0,
                100,
                "procent moet een geheel getal van 0 t/m 100 zijn",
                "procent",
                "procent",
            ),
            _max_length("toelichting", MAX_TEXT, f"toelichting is te lang (hooguit {MAX_TEXT} tekens)"),
        ],
    )
    complete = Frame(
        "compleet",
        "SELECT p.code, count(b._rij) AS aantal FROM plan_codes AS p LEFT JOIN blad AS b ON b.code = p.code "
        "GROUP BY p.volgorde, p.code ORDER BY p.volgorde",
        rules=[
            _between(
                "aantal",
                1,
                None,
                "deze activiteit van het jaarplan ontbreekt; elke activiteit krijgt één rij met een status",
                "code",
                "code",
            )
        ],
    )
    return [line, complete, _hours_frame()]


def _validate(
    con: duckdb.DuckDBPyConnection, frames: list[Frame], required: Sequence[str], where: str
) -> ValidationResult:
    """Run the columns check, then (when all columns are there) the frames, through GX."""
    result = run_frames(con, [_columns_frame(required)], where, SUITE)
    if not result.success:
        return result
    more = run_frames(con, frames, where, SUITE)
    # A frame without rows of the sheet (a missing activity) has no row: name the sheet only.
    for issue in more.issues:
        issue.bericht = issue.bericht.replace(f"{where}, bestand:", f"{where}:", 1)
    return ValidationResult(result.issues + more.issues, result.expectations + more.expectations)


def _by_row(issues: list[Issue]) -> list[Issue]:
    """In the order of the sheet (stable; issues without a row last, as run_frames orders them)."""
    return sorted(issues, key=lambda i: (i.rij is None, i.rij or 0))


def _hours(rec: dict[str, str | None]) -> dict[str, float]:
    out = {}
    for p in PARTNERS:
        text = rec.get(f"uren_{p}")
        if text is None:
            continue
        x = float(text.replace(",", "."))
        if x:
            out[p] = x
    return out


def _activity(rec: dict[str, str | None], themes: dict[str, str], indicators: dict[str, str]) -> Activity:
    """One validated row as an Activity (codes in the catalogue's spelling, zero hours left out)."""
    inds = [i for i in re.split(r"[\s,;]+", rec.get("indicatoren") or "") if i]
    budget = rec.get("budget")
    opgave = rec.get("opgave")
    return Activity(
        code=rec["code"] or "",
        titel=rec["titel"] or "",
        thema=themes.get((rec["thema"] or "").lower(), rec["thema"] or ""),
        trekker=(rec["trekker"] or "").lower(),
        start_maand=int(rec["start_maand"] or ""),
        eind_maand=int(rec["eind_maand"] or ""),
        omschrijving=rec.get("omschrijving") or "",
        opgave_id=int(opgave) if opgave is not None else None,
        indicatoren=tuple(dict.fromkeys(indicators.get(i.lower(), i) for i in inds)),
        uren=_hours(rec),
        budget=float(budget.replace(",", ".")) if budget is not None else None,
        verwacht_effect=rec.get("verwacht_effect") or "",
    )


def read_plan_upload(
    data: bytes, bestand: str, wijk: str, jaar: int, opgaven: Sequence[Opgave], catalogue: dict
) -> PlanUpload:
    """Read an uploaded jaarplan template for ``wijk`` and ``jaar``.

    ``bestand`` is the uploaded file's name (for the messages). ``opgaven`` are the wijk's opgaven: an
    activity may point at one of them by id. Returns the activities in sheet order, or, when anything is
    wrong, no activities and the issues (file, sheet, row, column, value and rule in Dutch). Writes nothing."""
    name = shown(bestand or "bestand", 100)
    where = _loc(name, PLAN_SHEET)
    try:
        with _Workbooks(data, name) as wbs:
            _check_info(wbs, {"soort": "jaarplan", "wijk_code": wijk, "jaar": str(jaar)})
            sheet = _read_sheet(wbs, PLAN_SHEET, PLAN_COLUMNS, PLAN_COLUMNS)
    except _Refused as refused:
        return PlanUpload([], refused.issues, [])
    themes = {t.lower(): t for t in _themes(catalogue)}
    indicators = {i.lower(): i for i in _indicators(catalogue)}
    opgave_ids = sorted({o.id for o in opgaven if o.id is not None and o.wijk_code == wijk})
    con = _connection(sheet, PLAN_COLUMNS)
    try:
        result = _validate(
            con,
            _plan_frames(list(themes.values()), list(indicators.values()), opgave_ids),
            PLAN_COLUMNS,
            where,
        )
    finally:
        con.close()
    issues = _by_row(sheet.issues + result.issues)
    if any(i.ernst == "fout" for i in issues):
        return PlanUpload([], issues, result.expectations)
    # Second net: the domain's own checks on what GX let through.
    acts: list[Activity] = []
    seen: set[str] = set()
    for rij, rec in sheet.rows:
        try:
            a = _activity(rec, themes, indicators)
        except (TypeError, ValueError):
            issues.append(
                Issue("fout", f"{where}, rij {rij}: deze rij is niet te lezen als activiteit", rij=rij)
            )
            continue
        problems = activity_problems(a, opgave_ids)
        if a.thema not in themes.values():
            problems.append(f"onbekend thema {a.thema!r}")
        problems += [f"onbekende indicator {i!r}" for i in a.indicatoren if i not in indicators.values()]
        if a.code in seen:
            problems.append("deze code komt twee keer voor")
        seen.add(a.code)
        for p in problems:
            issues.append(
                Issue(
                    "fout",
                    f"{where}, rij {rij}: activiteit {shown(a.code, 20)}: {p}",
                    rij=rij,
                    regel="domein",
                )
            )
        acts.append(a)
    if any(i.ernst == "fout" for i in issues):
        return PlanUpload([], issues, result.expectations)
    return PlanUpload(acts, issues, result.expectations)


def _read_verhaal(wbs: _Workbooks) -> tuple[dict[str, str], list[Issue]]:
    """The narrative: rows whose column A is a question's label (or its key), the text in column B."""
    where = _loc(wbs.name, VERHAAL_SHEET)
    if not wbs.has(VERHAAL_SHEET):
        raise _refusal(
            f"{wbs.name}: het blad '{VERHAAL_SHEET}' ontbreekt; zet het verhaal van de wijk terug (download het "
            "sjabloon opnieuw)"
        )
    labels = {}
    for key, label in VERHAAL.items():
        labels[key] = key
        labels[label.lower()] = key
    texts: dict[str, str] = {}
    issues: list[Issue] = []
    for i, cells in wbs.rows(VERHAAL_SHEET, MAX_INFO_ROWS):
        if cells is None or not cells:
            break
        label = (_cell_text(cells[0][0]) or "").lower().rstrip("?: ")
        key = labels.get(label)
        if key is None:
            continue
        value, formula = cells[1] if len(cells) > 1 else (None, None)
        if key in texts:
            issues.append(
                Issue(
                    "fout",
                    f"{where}, rij {i}: kolom 'vraag' = '{VERHAAL[key]}': deze vraag staat er twee keer",
                    rij=i,
                    kolom="vraag",
                    waarde=VERHAAL[key],
                )
            )
            continue
        if formula is not None and value is None:
            issues.append(
                Issue(
                    "fout",
                    f"{where}, rij {i}: kolom 'antwoord' = '{shown(formula)}': een formule zonder opgeslagen "
                    "uitkomst; typ de tekst in",
                    rij=i,
                    kolom="antwoord",
                    waarde=shown(formula),
                )
            )
        text = _cell_text(value) or ""
        if len(text) > MAX_TEXT:
            issues.append(
                Issue(
                    "fout",
                    f"{where}, rij {i}: kolom 'antwoord' = '{shown(text)}': {VERHAAL[key]} is te lang "
                    f"({len(text)} tekens; hooguit {MAX_TEXT})",
                    rij=i,
                    kolom="antwoord",
                    waarde=shown(text),
                )
            )
        texts[key] = text
    return texts, issues


def read_status_upload(data: bytes, bestand: str, plan: Plan, halfjaar: int) -> StatusUpload:
    """Read an uploaded status template for half-year ``halfjaar`` of ``plan`` (its wijk and year).

    Every active activity of the plan must have exactly one row. Returns the lines in sheet order and the
    narrative, or, when anything is wrong, nothing but the issues. Writes nothing."""
    name = shown(bestand or "bestand", 100)
    where = _loc(name, STATUS_SHEET)
    try:
        with _Workbooks(data, name) as wbs:
            _check_info(
                wbs,
                {
                    "soort": "status",
                    "wijk_code": plan.wijk_code,
                    "jaar": str(plan.jaar),
                    "halfjaar": str(halfjaar),
                },
            )
            sheet = _read_sheet(wbs, STATUS_SHEET, STATUS_COLUMNS, STATUS_READ)
            texts, verhaal_issues = _read_verhaal(wbs)
    except _Refused as refused:
        return StatusUpload([], issues=refused.issues)
    con = _connection(sheet, STATUS_READ)
    try:
        result = _validate(con, _status_frames(con, plan), STATUS_READ, where)
    finally:
        con.close()
    issues = _by_row(sheet.issues + result.issues) + verhaal_issues
    if any(i.ernst == "fout" for i in issues):
        return StatusUpload([], issues=issues, expectations=result.expectations)
    lines: list[StatusLine] = []
    rows: dict[str, int] = {}
    for rij, rec in sheet.rows:
        try:
            line = StatusLine(
                activiteit_code=rec["code"] or "",
                status=(rec["status"] or "").lower(),
                procent=int(rec["procent"] or ""),
                toelichting=rec.get("toelichting") or "",
                uren=_hours(rec),
            )
        except (TypeError, ValueError):
            issues.append(Issue("fout", f"{where}, rij {rij}: deze rij is niet te lezen als status", rij=rij))
            continue
        rows.setdefault(line.activiteit_code, rij)
        lines.append(line)
    # Second net: the domain's own check of a report's lines.
    for p in line_problems(plan, lines):
        code = p.split(":", 1)[0]
        rij = rows.get(code)
        at = f"{where}, rij {rij}" if rij is not None else where
        issues.append(Issue("fout", f"{at}: {p}", rij=rij, regel="domein"))
    if any(i.ernst == "fout" for i in issues):
        return StatusUpload([], issues=issues, expectations=result.expectations)
    return StatusUpload(
        lines,
        goed=texts.get("goed", ""),
        niet_goed=texts.get("niet_goed", ""),
        vragen=texts.get("vragen", ""),
        issues=issues,
        expectations=result.expectations,
    )
