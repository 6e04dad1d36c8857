"""Jaarplannen and half-yearly status reports in Excel: the pre-filled templates teams download.

Writing a template needs only openpyxl and the records' own objects, so the dashboard builds them in its own
process (a download button needs the bytes when the page is drawn). Reading an upload back is
:mod:`wijkmonitor.planexcel` (Great Expectations), which runs in a job process
(``python -m wijkmonitor.jobs planexcel``): the dashboard imports no validation engine.

Two templates (docs/jaarplan-excel.md):

- **Jaarplan** for one wijk and year: sheet ``activiteiten`` (one row per activity, :data:`PLAN_COLUMNS`),
  ``keuzelijsten`` (themes, indicators, partners, the wijk's opgaven, statuses), ``uitleg`` (the rules in
  plain Dutch) and ``info`` (wijk_code, wijk_naam, jaar, soort=jaarplan).
- **Status** for one wijk, year and half-year: sheet ``status`` (one row per active activity,
  :data:`STATUS_COLUMNS`), ``verhaal`` (the three narrative questions, text in column B), ``keuzelijsten``,
  ``uitleg`` and ``info`` (… halfjaar, soort=status).

Every string is written as a string cell, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from wijkmonitor.records.authz import MAX_TEXT
from wijkmonitor.records.jaarplannen import (
    ACTIVITY_STATUS,
    MAX_BUDGET,
    MAX_HOURS,
    MAX_TITLE,
    MONTHS,
    PARTNERS,
    PLAN_STATUS,
    Opgave,
    Plan,
    Report,
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

MAX_ROWS = 500  # filled rows on the activities / status sheet (the reader refuses more)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
INFO_FILL = PatternFill("solid", fgColor="EEEEEE")


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
