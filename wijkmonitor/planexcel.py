"""Jaarplannen and half-yearly status reports in Excel: an upload read back with validation (the
templates themselves are :mod:`wijkmonitor.plantemplates`).

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
from openpyxl import load_workbook

from etl.reader import shown
from etl.validation import Frame, Issue, Rule, ValidationResult, run_frames
from wijkmonitor.plantemplates import (  # noqa: F401  (the layout, re-exported for the tests)
    CHOICES_SHEET,
    HOUR_COLUMNS,
    INFO_SHEET,
    MAX_ROWS,
    PLAN_COLUMNS,
    PLAN_SHEET,
    STATUS_COLUMNS,
    STATUS_READ,
    STATUS_SHEET,
    VERHAAL,
    VERHAAL_SHEET,
    _indicators,
    _themes,
    plan_template,
    status_template,
)
from wijkmonitor.records.authz import MAX_TEXT
from wijkmonitor.records.jaarplannen import (
    ACTIVITY_STATUS,
    CODE_RE,
    MAX_BUDGET,
    MAX_HOURS,
    MAX_TITLE,
    PARTNERS,
    Activity,
    Opgave,
    Plan,
    StatusLine,
    activity_problems,
    line_problems,
)

# ------------------------------------------------------------------------------------------ limits

MAX_BYTES = 5 * 1024 * 1024  # the uploaded file
MAX_UNPACKED = 40 * 1024 * 1024  # the .xlsx unpacked (it is a zip of XML)
MAX_SCAN = 10_000  # rows (empty ones too) read before a sheet is refused as running on too far
MAX_COLS = 40  # columns read; further columns are ignored
MAX_INFO_ROWS = 50

# Python regexes (GX validates pandas frames). Numbers: decimal comma or point, a minus sign is allowed so
# that a negative number gets the "0 or more" message rather than "not a number".
NUMBER_REGEX = r"^-?[0-9]+(?:[.,][0-9]+)?$"
MONTH_REGEX = r"^(?:0?[1-9]|1[0-2])$"
PERCENT_REGEX = r"^[0-9]{1,3}$"

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
    # identifiers in the SQL below: the template's own column names only, never text from the file
    assert all(re.fullmatch(r"[a-z][a-z_]*", c) for c in names), names
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
