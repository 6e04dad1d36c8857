"""Property: no header or property-key text, whatever it holds, runs as SQL or changes more than its own rows.

Hypothesis writes CSV, XLSX and GeoJSON deliveries whose column names (or GeoJSON property keys) are arbitrary
text: quotes, `;`, `--`, newlines, NUL-free control characters, unicode, SQL fragments. Each is loaded into a
copy of a database that holds areas, police figures and settings. Whatever the outcome (loaded when the
required columns are intact, refused otherwise), the police rows, the settings and every other raw table are
unchanged, the SQL canary file is never written, and a refusal leaves the file byte-identical.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from etl_helpers import AREAS, build_db, fixture, load_one, query, sha256
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

CANARY = Path("/tmp/wijkmonitor-canary-pwned.csv")
RAW = ["raw.politie__misdrijven", "raw.partner__waarnemingen", "raw.gebieden__gebieden"]
HEADER = ["bron", "gebied_code", "periode", "variabele", "waarde"]
ROWS = [
    ["welzijn", "WK099901", "2021-Q1", "jongerenwerk_contacten", "41"],
    ["welzijn", "WK099902", "2021-Q1", "jongerenwerk_contacten", "17"],
]
SQLISH = st.sampled_from(
    [
        '"',
        "'",
        '""',
        ";",
        "--",
        "/*",
        "\n",
        "\r\n",
        ")",
        "gebied_code",
        f"'; COPY (SELECT 1) TO '{CANARY}'; --",
        '" AS VARCHAR) AS y FROM _xlsx_df; DELETE FROM raw.politie__misdrijven; --',
        "x\"); UPDATE meta.instellingen SET waarde = '2099'; --",
        "k1",
        "_rij",
        "levering",
        "\u202e",
        "ß",
        "😀",
        "Ä",
    ]
)
NAMES = st.lists(st.one_of(SQLISH, st.text(max_size=12)), min_size=1, max_size=4).map("".join)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("prop") / "w.duckdb"
    build_db(db, [AREAS, fixture("politie/politie_47022NED_gm0999_maand.csv")])
    return db


def _state(db: Path) -> dict:
    return {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in [*RAW, "meta.instellingen"]}


def _check(db: Path, path: Path, own_table: str) -> None:
    before, digest = _state(db), sha256(db)
    res = load_one(path, db)
    event(res.status)
    after = _state(db)
    assert not CANARY.exists()
    if res.status == "geladen":
        assert res.rows_loaded == 2
        for table in after:
            if table != own_table:
                assert after[table] == before[table], table
        assert len(after[own_table]) == len(before[own_table]) + 2
    else:
        assert res.status == "afgewezen", res.report()
        assert sha256(db) == digest
    for issue in res.issues:
        assert "Traceback" not in issue.bericht


def _fresh(template: Path, folder: Path) -> Path:
    db = folder / "w.duckdb"
    shutil.copyfile(template, db)
    return db


PROPERTY = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(extra=NAMES, replace=st.booleans())
def test_csv_headers_never_become_sql(template: Path, extra: str, replace: bool) -> None:
    header = [extra if replace and c == "gebied_code" else c for c in HEADER] + ([] if replace else [extra])
    rows = [r + ([] if replace else ["x"]) for r in ROWS]
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([header, *rows])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "welzijn.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        _check(_fresh(template, Path(tmp)), path, "raw.partner__waarnemingen")


@PROPERTY
@given(extra=NAMES.filter(lambda s: "\x00" not in s), replace=st.booleans())
def test_xlsx_headers_never_become_sql(template: Path, extra: str, replace: bool) -> None:
    header = [extra if replace and c == "gebied_code" else c for c in HEADER] + ([] if replace else [extra])
    clean = "".join(ch for ch in header[-1 if not replace else 1] if ch.isprintable() or ch in "\t\n\r")
    header[-1 if not replace else 1] = clean or "leeg"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in ROWS:
        ws.append(r + ([] if replace else ["x"]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "welzijn.xlsx"
        wb.save(path)
        _check(_fresh(template, Path(tmp)), path, "raw.partner__waarnemingen")


@PROPERTY
@given(key=NAMES, value=st.text(max_size=20))
def test_geojson_keys_never_become_sql(template: Path, key: str, value: str) -> None:
    square = [[[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.1], [5.0, 52.0]]]
    features = [
        {
            "type": "Feature",
            "properties": {"gebied_code": code, "gebied_naam": name, key: value},
            "geometry": {"type": "Polygon", "coordinates": square},
        }
        for code, name in (("WK099901", "Oudstad"), ("WK099902", "Nieuwland"))
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gebieden.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
        _check(_fresh(template, Path(tmp)), path, "raw.gebieden__gebieden")
