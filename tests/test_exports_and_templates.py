"""What leaves the building: CSV exports (small counts suppressed) and the partners' Excel templates."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest
from dashboard_support import demo_db
from test_indicator_math import golden_db

from etl import load_files
from wijkmonitor.cli import main as cli


def read_export(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=True)


def test_indicator_export_columns_and_suppression(tmp_path):
    out = tmp_path / "indicatoren.csv"
    assert cli(["export", "indicators", "--out", str(out), "--db", str(golden_db())]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    df = read_export(out)
    required = [
        "gebied_code",
        "niveau",
        "indicator",
        "jaar",
        "waarde",
        "teller",
        "noemer",
        "ci_laag",
        "ci_hoog",
        "basiswaarde",
        "score",
        "verandering",
        "onderdrukt",
    ]
    assert list(df.columns[: len(required)]) == required
    rows = df.set_index(["indicator", "gebied_code", "jaar"])
    small = rows.loc[("misdrijven_per_1000_inwoners", "BU09980201", 2019)]
    assert small["onderdrukt"].startswith("< 5") and pd.isna(small["teller"]) and pd.isna(small["waarde"])
    assert pd.isna(small["verandering"])
    after = rows.loc[("misdrijven_per_1000_inwoners", "BU09980201", 2023)]  # 0 now, 3 in the baseline
    assert after["teller"] == 0 and pd.isna(after["basiswaarde"]) and pd.isna(after["score"])
    # BU09980101 2019 (40) is the secondary suppression that keeps BU09980201's 3 from being recovered as
    # gemeente - wijk WK099801 differences; BU09980102 stays published
    secondary = rows.loc[("misdrijven_per_1000_inwoners", "BU09980101", 2019)]
    assert pd.isna(secondary["teller"]) and secondary["onderdrukt"].startswith("< 5")
    shown = rows.loc[("misdrijven_per_1000_inwoners", "BU09980102", 2023)]
    assert shown["teller"] == 70 and shown["waarde"] == pytest.approx(35.0)
    assert shown["score"] == pytest.approx(100 * 100.5 / 70.5, abs=1e-3) and shown["verandering"] == "beter"


def test_composite_and_target_exports(tmp_path):
    comp, targets = tmp_path / "c.csv", tmp_path / "t.csv"
    assert cli(["export", "composites", "--out", str(comp), "--db", str(demo_db()), "--niveau", "wijk"]) == 0
    assert cli(["export", "targets", "--out", str(targets), "--db", str(demo_db())]) == 0
    c = read_export(comp)
    assert list(c.columns) == [
        "gebied_code",
        "niveau",
        "thema",
        "jaar",
        "score",
        "ci_laag",
        "ci_hoog",
        "verandering",
        "dekking",
        "ondergrens",
        "bovengrens",
        "onderdrukt",
    ]
    assert set(c["niveau"]) == {"wijk"}
    t = read_export(targets).set_index("gebied_code")
    assert list(t.columns[:4]) == ["niveau", "doeljaar", "peiljaar", "marge"]
    assert {"ondergrens", "bovengrens", "projectie_laag", "projectie_hoog", "status"} <= set(t.columns)
    assert t.loc["WK999903", "status"] == "niet gehaald" and t.loc["WK999903", "doeljaar"] == 2023
    assert set(t["status"]) <= {"gehaald", "niet gehaald", "onbeslist", "geen data"}
    assert t.index.is_unique


def test_export_without_database_is_a_usage_error(tmp_path):
    assert (
        cli(["export", "targets", "--out", str(tmp_path / "x.csv"), "--db", str(tmp_path / "geen.duckdb")])
        == 2
    )


@pytest.mark.parametrize(
    "bron, periode, niveau",
    [
        ("corporatie", "2024-H1", "buurt"),
        ("welzijn", "2024-Q3", "wijk"),
        ("gemeente", "2024-03", "buurt"),
        ("enquete", "2024", "wijk"),
    ],
)
def test_template_lists_variables_and_valid_areas_and_loads_when_filled(tmp_path, bron, periode, niveau):
    xlsx = tmp_path / f"{bron}.xlsx"
    assert cli(["template", bron, "--out", str(xlsx), "--db", str(demo_db())]) == 0
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["gegevens", "variabelen", "gebieden", "uitleg"]
    assert [c.value for c in wb["gegevens"][1]] == [
        "bron",
        "gebied_code",
        "periode",
        "variabele",
        "waarde",
        "n",
        "sd",
        "n_effectief",
    ]
    assert wb["gegevens"].max_row == 1  # examples live on 'uitleg', so a filled template holds only real rows
    variables = [r[0].value for r in wb["variabelen"].iter_rows(min_row=2)]
    areas = [r for r in wb["gebieden"].iter_rows(min_row=2, values_only=True)]
    assert {a[2] for a in areas} == {niveau} or bron == "enquete"
    # a partner fills it in and loads it
    code = next(a[0] for a in areas if a[2] == niveau)
    n, sd = (250, 1.4) if bron == "enquete" else (None, None)
    value = 7.1 if bron == "enquete" else 3
    wb["gegevens"].append([bron, code, periode, variables[0], value, n, sd])
    wb.save(xlsx)
    db = tmp_path / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    result = load_files([xlsx], db)[0]
    assert result.status == "geladen", result.report()
    assert result.rows_loaded == 1
