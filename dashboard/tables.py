"""Every table on a page, downloadable: :func:`table` shows a DataFrame with ``st.dataframe`` and under it two
download buttons, CSV and Excel, with the data shown (issue #16).

The files are for Dutch spreadsheets: the CSV has ``;`` between fields, a decimal comma and a UTF-8 byte order
mark (the convention of ``indicators/export.py``, which the dashboard may not import); the Excel file is one
sheet named after the table, with a bold, frozen header row and columns as wide as their text. Cells come from
data and from users (area names, remarks, action texts): a text that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe in both.

The download is the DataFrame the page passes, as Streamlit shows it: without the index when Streamlit hides it,
without the columns ``column_order`` leaves out or ``column_config`` hides (``None``), and with the labels
``column_config`` gives (a string, or a column config's ``label``). Display formats of ``column_config``
(``format="%.1f%%"``, a progress bar) are not applied: the files hold the values themselves.

The bytes are made only when the user clicks (a callable ``data``; Streamlit runs it outside the script, so it
uses no Streamlit command), and a click does not rerun the page (``on_click="ignore"``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_MAX = 31  # Excel's limit on a sheet name
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_WIDTH_MIN, _WIDTH_MAX = 8, 60  # Excel column widths, in characters
_WIDTH_ROWS = 500  # the rows measured for a column's width
_ZONE = "Europe/Amsterdam"  # Excel has no time zones: aware times are written as Dutch local time


# ------------------------------------------------------------------------------------------ the data shown


def shown(
    df: pd.DataFrame,
    *,
    hide_index: bool | None = None,
    column_order: Iterable[str] | None = None,
    column_config: Mapping[Any, Any] | None = None,
) -> pd.DataFrame:
    """The table as ``st.dataframe`` shows it, as plain columns (a shown index becomes the first columns).

    Streamlit shows the index when ``hide_index`` is False, and by default (None) unless it is a plain
    RangeIndex (0, 1, 2, ...).
    """
    out = df.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(p) for p in c if str(p)) for c in out.columns]
    with_index = hide_index is False or (hide_index is None and not isinstance(out.index, pd.RangeIndex))
    index_names: list[str] = []
    if with_index:
        names = [str(n) if n is not None else "" for n in out.index.names]
        out.index.names = names
        index_names = names
        out = out.reset_index()
    if column_order is not None:
        order = [str(c) for c in column_order]
        out = out[index_names + [c for c in out.columns if str(c) in order and c not in index_names]]
    labels: dict[Any, str] = {}
    for column, config in (column_config or {}).items():
        target = index_names[0] if column == "_index" and index_names else column
        if target not in out.columns:
            continue
        if config is None:
            out = out.drop(columns=target)
        elif isinstance(config, str):
            labels[target] = config
        elif isinstance(config, Mapping) and config.get("label"):
            labels[target] = str(config["label"])
    return out.rename(columns=labels)


def guard_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (CSV/Excel injection)."""
    out = df.copy()
    out.columns = [_guard(c) if isinstance(c, str) else c for c in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            out.isetitem(i, column.map(_guard, na_action="ignore"))
    return out


def _guard(value: object) -> object:
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


# ------------------------------------------------------------------------------------------ the files


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as CSV for a Dutch spreadsheet: ``;``, decimal comma, UTF-8 with BOM, empty for missing."""
    out = guard_formulas(df)
    for i in range(out.shape[1]):  # a float in a text column too gets its decimal comma
        if out.iloc[:, i].dtype == object:
            out.isetitem(i, out.iloc[:, i].map(_comma, na_action="ignore"))
    text = out.to_csv(sep=";", decimal=",", index=False, na_rep="", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def _comma(value: object) -> object:
    return str(value).replace(".", ",") if isinstance(value, float) else value


def sheet_name(name: str) -> str:
    """An Excel sheet name: no ``[]:*?/\\``, no apostrophe at either end, at most 31 characters."""
    text = " ".join(_SHEET_FORBIDDEN.sub(" ", name).split()).strip(" '")
    return text[:SHEET_MAX].strip(" '") or "Tabel"


def xlsx_bytes(df: pd.DataFrame, name: str) -> bytes:
    """The table as an Excel workbook: one sheet named after ``name``, a bold, frozen header row."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    out = _excel_values(guard_formulas(df))
    sheet = sheet_name(name)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        out.to_excel(writer, sheet_name=sheet, index=False)
        ws = writer.sheets[sheet]
        ws.freeze_panes = "A2"
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, column in enumerate(out.columns, start=1):
            values = out.iloc[:_WIDTH_ROWS, i - 1].dropna()
            longest = max([len(str(column)), *(len(_shown_text(v)) for v in values)])
            ws.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, _WIDTH_MIN), _WIDTH_MAX)
    return buffer.getvalue()


def _shown_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _excel_values(df: pd.DataFrame) -> pd.DataFrame:
    """Values Excel can hold: aware times as Dutch local time, anything else that is not a number, text,
    date or truth value as its text."""
    out = df.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            out.isetitem(i, column.dt.tz_convert(_ZONE).dt.tz_localize(None))
        elif column.dtype == object:
            out.isetitem(i, column.map(_excel_value, na_action="ignore"))
    out.columns = [str(c) for c in out.columns]
    return out


def _excel_value(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return pd.Timestamp(value).tz_convert(_ZONE).tz_localize(None).to_pydatetime()
    if isinstance(value, str | int | float | bool | dt.date | dt.time):
        return value
    return str(value)


def file_stem(name: str) -> str:
    """``name`` as a file name: ASCII, lower case, hyphens ('Signalen per buurt (14 dagen)' ->
    'signalen-per-buurt-14-dagen')."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:80].strip("-") or "tabel"


# ------------------------------------------------------------------------------------------ the element


def table(df: pd.DataFrame, name: str, *, key: str, **dataframe_kwargs: Any) -> None:
    """``st.dataframe(df, key=key, **dataframe_kwargs)`` and under it "Download CSV" and "Download Excel".

    ``name`` names the files (``<slug>.csv``, ``<slug>.xlsx``) and the Excel sheet; ``key`` must be unique on
    the page (in a loop or a helper called more than once: include the loop's id); the buttons' keys are
    ``{key}_csv`` and ``{key}_xlsx``. The files hold the data shown (see the module docstring).
    """
    st.dataframe(df, key=key, **dataframe_kwargs)
    data = shown(
        df,
        hide_index=dataframe_kwargs.get("hide_index"),
        column_order=dataframe_kwargs.get("column_order"),
        column_config=dataframe_kwargs.get("column_config"),
    )
    stem = file_stem(name)
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "Download CSV",
            data=lambda: csv_bytes(data),
            file_name=f"{stem}.csv",
            mime=CSV_MIME,
            key=f"{key}_csv",
            help="Puntkomma's en decimale komma's, voor Excel en LibreOffice in het Nederlands.",
            on_click="ignore",
            type="tertiary",
            icon=":material/download:",
        )
        st.download_button(
            "Download Excel",
            data=lambda: xlsx_bytes(data, name),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            key=f"{key}_xlsx",
            on_click="ignore",
            type="tertiary",
            icon=":material/download:",
        )
