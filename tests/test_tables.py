"""Every table downloadable (dashboard/tables.py, issue #16): the CSV and Excel bytes, and on every page of
the demo at least two download buttons per table shown."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from dashboard_support import demo_db, run_page

from dashboard import PAGES
from dashboard.tables import csv_bytes, file_stem, guard_formulas, sheet_name, shown, xlsx_bytes

EVIL = '=HYPERLINK("http://evil.example","x")'


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Wijk": [EVIL, "Centrum", "+31 6", "-min", "@user", "\tTab", "\rCR", None],
            "Score": [101.5, 99.25, np.nan, 1.0, 2.0, 3.0, 4.0, 5.0],
            "Aantal": [1, 2, 3, 4, 5, 6, 7, 8],
            "Opmerking": ["a;b", 'zei "hoi"', "", "x", "y", "z", "gewoon - tekst", pd.NA],
        }
    )


def csv_rows(data: bytes) -> list[list[str]]:
    import csv

    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_is_for_a_dutch_spreadsheet():
    rows = csv_rows(csv_bytes(frame()))
    assert rows[0] == ["Wijk", "Score", "Aantal", "Opmerking"]
    assert rows[1] == ["'" + EVIL, "101,5", "1", "a;b"]  # decimal comma; ';' in a text is quoted
    assert rows[2] == ["Centrum", "99,25", "2", 'zei "hoi"']
    assert rows[3][1] == "" and rows[8] == ["", "5,0", "8", ""]  # NaN, None and pd.NA as empty
    assert [r[0] for r in rows[3:8]] == ["'+31 6", "'-min", "'@user", "'\tTab", "'\rCR"]
    assert rows[7][3] == "gewoon - tekst"  # only a text that starts like a formula
    assert b"\r\n" in csv_bytes(frame())


def test_csv_floats_in_a_text_column_get_a_decimal_comma_too():
    rows = csv_rows(csv_bytes(pd.DataFrame({"x": ["a", 1.5, None]})))
    assert rows[1:] == [["a"], ["1,5"], [""]]


def test_a_formula_like_header_is_guarded_too():
    assert list(guard_formulas(pd.DataFrame({"=1+1": [1]})).columns) == ["'=1+1"]


def test_excel_opens_with_the_sheet_name_the_header_and_guarded_texts():
    data = xlsx_bytes(frame(), "Signalen per buurt: [14 dagen]*?/\\ en nog veel meer tekst")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Signalen per buurt 14 dagen en"]
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Wijk", "Score", "Aantal", "Opmerking")
    assert rows[1] == ("'" + EVIL, 101.5, 1, "a;b")
    assert rows[3][1] is None and rows[8] == (None, 5, 8, None)  # NaN and None empty
    # (XML reads a carriage return back as a line feed)
    assert [r[0] for r in rows[3:8]] == ["'+31 6", "'-min", "'@user", "'\tTab", "'\nCR"]
    # no cell is a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert 8 <= ws.column_dimensions["A"].width <= 60


def test_excel_takes_times_with_a_zone_and_odd_values():
    df = pd.DataFrame(
        {
            "Klaar": pd.to_datetime(["2025-06-01 10:00"]).tz_localize("UTC"),
            "Los": [dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)],
            "Lijst": [["a", "b"]],
        }
    )
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(df, "x"))).active
    assert [c.value for c in ws[2]] == [
        dt.datetime(2025, 6, 1, 12),
        dt.datetime(2025, 1, 1, 13),
        "['a', 'b']",
    ]


@pytest.mark.parametrize(
    ("name", "sheet"),
    [("a" * 40, "a" * 31), ("'quoted'", "quoted"), ("[]:*?/\\", "Tabel"), ("Per thema", "Per thema")],
)
def test_sheet_names(name, sheet):
    assert sheet_name(name) == sheet


def test_file_names_are_ascii_slugs():
    assert file_stem("Signalen per buurt (14 dagen)") == "signalen-per-buurt-14-dagen"
    assert file_stem("Oordeel per wijk – Ëindhoven") == "oordeel-per-wijk-eindhoven"
    assert file_stem("σ²") == "2" and file_stem("…") == "tabel"


def test_shown_follows_the_index_order_and_config():
    df = pd.DataFrame({"a": [1.0], "b": [2], "c": ["x"]}, index=pd.Index(["W1"], name="wijk"))
    assert list(shown(df, hide_index=True).columns) == ["a", "b", "c"]
    assert list(shown(df).columns) == ["wijk", "a", "b", "c"]  # a named index is shown by default
    assert list(shown(df.reset_index(drop=True)).columns) == ["a", "b", "c"]  # a RangeIndex is not
    assert list(shown(df, hide_index=True, column_order=["c", "a"]).columns) == ["a", "c"]
    config = {"a": "A!", "b": {"label": "B!", "type_config": {}}, "c": None}
    assert list(shown(df, hide_index=True, column_config=config).columns) == ["A!", "B!"]
    pivot = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("x", "2024"), ("x", "2025")]))
    assert list(shown(pivot).columns) == ["x 2024", "x 2025"]


# ------------------------------------------------------------------------------------------ every page


@pytest.mark.parametrize("page", PAGES)
def test_every_table_on_a_page_can_be_downloaded(monkeypatch, page):
    """A table without its CSV and Excel buttons (st.dataframe instead of dashboard.tables.table) fails here."""
    at = run_page(demo_db(), monkeypatch, page)
    tables = [d for d in at.dataframe if d.editing_mode == "read_only"]
    buttons = at.get("download_button")
    assert len(buttons) >= 2 * len(tables), (page, len(tables), [b.label for b in buttons])
    labels = [b.label for b in buttons]
    assert labels.count("Download CSV") >= len(tables) and labels.count("Download Excel") >= len(tables)
