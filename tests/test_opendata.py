"""The open-data export (indicators/opendata.py): a valid Frictionless Data Package, no suppressed value in it,
every published indicator row exactly once, and byte-identical on every run over the same warehouse."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dashboard_support import copy_demo, demo_db
from frictionless import validate

from indicators.export import export_frame
from indicators.opendata import (
    AREAS_CSV,
    CATALOGUE_CSV,
    DESCRIPTOR,
    INDICATOR_FIELDS,
    INDICATOR_NUMBERS,
    INDICATORS_CSV,
    _write_csv,
    format_number,
    guard_formula,
    write_opendata,
)
from wijkmonitor import snapshots
from wijkmonitor.records.authz import Actor
from wijkmonitor.records.store import records_url

FILES = (INDICATORS_CSV, CATALOGUE_CSV, AREAS_CSV, DESCRIPTOR)
# What a row whose baseline-year row is suppressed withholds (besides what a suppressed row withholds).
DERIVED_FROM_BASELINE = ["basiswaarde", "score", "score_laag", "score_hoog", "verandering"]
Key = tuple[str, str, int]


def read(path: Path) -> pd.DataFrame:
    """A CSV as the raw texts of its cells (an empty cell is "")."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def keys(df: pd.DataFrame) -> list[Key]:
    return list(zip(df["gebied_code"], df["indicator"], df["jaar"].astype(int), strict=True))


def report_text(report) -> str:
    return "\n".join(map(str, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = demo_db()
    out = tmp_path_factory.mktemp("opendata")
    with duckdb.connect(str(db), read_only=True) as con:
        result = write_opendata(con, out)
        frame = export_frame(con, "indicators")
        marts = {
            "scores": con.execute(
                "SELECT gebied_code, niveau, indicator, jaar, waarde FROM marts.fct_indicator_scores"
            ).df(),
            "suppressed": con.execute(
                "SELECT gebied_code, indicator, jaar, reden FROM marts.fct_onderdrukking WHERE onderdrukt"
            ).df(),
            "basisjaar": con.execute("SELECT basisjaar FROM marts.dim_instellingen").fetchone()[0],
            "indicators": con.execute("SELECT count(*) FROM marts.dim_indicator").fetchone()[0],
            "areas": con.execute("SELECT count(*) FROM marts.dim_gebied").fetchone()[0],
        }
    return {
        "db": db,
        "out": out,
        "result": result,
        "frame": frame,
        "marts": marts,
        "csv": read(out / INDICATORS_CSV),
    }


# --- 1. the package validates, and the validator is not vacuous ------------------------------------------------


def test_the_package_is_valid(demo):
    report = validate(demo["out"] / DESCRIPTOR)
    assert report.valid, report_text(report)
    assert report.stats["tasks"] == 3  # every resource was read


def corrupt_value(out: Path) -> None:
    rows = list(csv.reader(io.StringIO((out / INDICATORS_CSV).read_text(encoding="utf-8"))))
    rows[1][rows[0].index("waarde")] = "veel"
    _rewrite(out / INDICATORS_CSV, rows)


def corrupt_area(out: Path) -> None:
    rows = list(csv.reader(io.StringIO((out / INDICATORS_CSV).read_text(encoding="utf-8"))))
    rows[1][0] = "BU00000000"
    _rewrite(out / INDICATORS_CSV, rows)


def corrupt_indicator(out: Path) -> None:
    rows = list(csv.reader(io.StringIO((out / INDICATORS_CSV).read_text(encoding="utf-8"))))
    rows[1][rows[0].index("indicator")] = "bestaat_niet"
    _rewrite(out / INDICATORS_CSV, rows)


def corrupt_key(out: Path) -> None:
    rows = list(csv.reader(io.StringIO((out / INDICATORS_CSV).read_text(encoding="utf-8"))))
    rows.insert(2, rows[1])
    _rewrite(out / INDICATORS_CSV, rows)


def corrupt_flag(out: Path) -> None:
    rows = list(csv.reader(io.StringIO((out / INDICATORS_CSV).read_text(encoding="utf-8"))))
    rows[1][rows[0].index("onderdrukt")] = "< 5"
    _rewrite(out / INDICATORS_CSV, rows)


def corrupt_level(out: Path) -> None:
    rows = list(csv.reader(io.StringIO((out / AREAS_CSV).read_text(encoding="utf-8"))))
    rows[1][rows[0].index("niveau")] = "stadsdeel"
    _rewrite(out / AREAS_CSV, rows)


def _rewrite(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(
    ("corrupt", "error"),
    [
        (corrupt_value, "type-error"),
        (corrupt_area, "foreign-key"),
        (corrupt_indicator, "foreign-key"),
        (corrupt_key, "primary-key"),
        (corrupt_flag, "type-error"),
        (corrupt_level, "constraint-error"),
    ],
)
def test_the_validator_finds_a_corrupted_copy(demo, tmp_path, corrupt, error):
    copy = tmp_path / "kopie"
    shutil.copytree(demo["out"], copy)
    corrupt(copy)
    report = validate(copy / DESCRIPTOR)
    assert not report.valid
    assert error in {row[0] for row in report.flatten(["type"])}, report_text(report)


# --- 2. no suppressed value leaks ------------------------------------------------------------------------------


def test_a_suppressed_row_publishes_no_number(demo):
    df, suppressed = demo["csv"], demo["marts"]["suppressed"]
    rows = df.set_index(pd.MultiIndex.from_tuples(keys(df)))
    hidden = set(keys(suppressed))
    published_hidden = [k for k in hidden if k in rows.index]
    assert len(published_hidden) > 0
    for k in published_hidden:
        row = rows.loc[k]
        assert row["onderdrukt"] == "true", k
        leaked = {c: row[c] for c in [*INDICATOR_NUMBERS, "verandering"] if row[c] != ""}
        assert leaked == {}, k


def test_secondary_suppression_is_applied_too(demo):
    df, suppressed = demo["csv"], demo["marts"]["suppressed"]
    secondary = set(keys(suppressed[suppressed["reden"] == "secundair"]))
    rows = df[[k in secondary for k in keys(df)]]
    assert len(rows) > 0, "the demo should have secondarily suppressed rows"
    assert (rows["onderdrukt"] == "true").all()
    assert (rows[INDICATOR_NUMBERS] == "").all().all()
    # a secondary cell may be a count far above the threshold: its value is hidden all the same
    scores = demo["marts"]["scores"]
    truth = scores[[k in secondary for k in keys(scores)]]
    assert truth["waarde"].notna().any()


def test_a_suppressed_baseline_hides_what_is_derived_from_it(demo):
    df, suppressed, basisjaar = demo["csv"], demo["marts"]["suppressed"], demo["marts"]["basisjaar"]
    hidden = set(keys(suppressed))
    base = df[[(g, i, basisjaar) in hidden for g, i, _ in keys(df)]]
    assert len(base) > 0
    assert (base["onderdrukt"] == "true").all()
    assert (base[DERIVED_FROM_BASELINE] == "").all().all()


def test_the_suppressed_rows_are_export_frames(demo):
    df, frame = demo["csv"], demo["frame"]
    public = {k for k, flag in zip(keys(df), df["onderdrukt"], strict=True) if flag == "true"}
    exported = {k for k, flag in zip(keys(frame), frame["onderdrukt"], strict=True) if flag}
    assert public == exported
    assert set(df["onderdrukt"]) == {"true", "false"}
    assert demo["result"].suppressed == len(public)
    # the file says nothing such as "< 5": an empty cell is all
    assert "<" not in (demo["out"] / INDICATORS_CSV).read_text(encoding="utf-8")


def test_an_unsuppressed_row_keeps_its_value(demo):
    df, scores = demo["csv"], demo["marts"]["scores"]
    truth = dict(zip(keys(scores), scores["waarde"], strict=True))
    shown = df[df["onderdrukt"] == "false"]
    assert len(shown) > 0
    assert [format_number(truth[k]) for k in keys(shown)] == list(shown["waarde"])


# --- 3. deterministic ------------------------------------------------------------------------------------------


def test_two_runs_are_byte_identical(demo, tmp_path):
    with duckdb.connect(str(demo["db"]), read_only=True) as con:
        write_opendata(con, tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (demo["out"] / name).read_bytes(), name


def test_a_snapshot_gives_the_same_files(demo, tmp_path):
    """A snapshot's in-memory connection (marts as views over Parquet) gives the same bytes."""
    db = copy_demo(tmp_path / "demo.duckdb")
    snap = snapshots.create(db, records_url(db), "Open data", Actor.command("test"))
    mem = snapshots.open_warehouse(snap)
    write_opendata(mem, tmp_path / "out")
    mem.close()
    for name in FILES:
        assert (tmp_path / "out" / name).read_bytes() == (demo["out"] / name).read_bytes(), name


def test_numbers_have_one_fixed_form():
    assert format_number(1e-05) == "0.00001"
    assert format_number(1200.0) == "1200"
    assert format_number(1 / 3) == "0.333333"
    assert format_number(-0.0) == "0"
    assert format_number(-1e-9) == "0"
    assert format_number(2.5e20) == "250000000000000000000"
    assert format_number(float("nan")) == "" and format_number(None) == "" and format_number(pd.NA) == ""


def test_files_follow_the_open_data_conventions(demo):
    raw = (demo["out"] / INDICATORS_CSV).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
    assert b"\r" not in raw and b";" not in raw.splitlines()[0]
    assert raw.splitlines()[0].decode() == ",".join(INDICATOR_FIELDS)
    numbers = demo["csv"][INDICATOR_NUMBERS].to_numpy().ravel()
    assert all(re.fullmatch(r"|-?\d+(\.\d{1,6})?", v) for v in numbers)  # no exponent, no comma
    assert {v for v in demo["csv"]["jaar"]} and all(re.fullmatch(r"\d{4}", v) for v in demo["csv"]["jaar"])


def test_formula_text_gets_an_apostrophe_but_codes_do_not(tmp_path):
    assert guard_formula("=SUM(A1)") == "'=SUM(A1)" and guard_formula("Centrum-Noord") == "Centrum-Noord"
    df = pd.DataFrame({"gebied_code": ["-1"], "gebied_naam": ["@HYPERLINK()"], "waarde": [-1.5]})
    _write_csv(df, ["gebied_code", "gebied_naam", "waarde"], tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_text(
        encoding="utf-8"
    ) == "gebied_code,gebied_naam,waarde\n-1,'@HYPERLINK(),-1.5\n"


# --- 4. every published row exactly once -----------------------------------------------------------------------


def test_every_indicator_row_is_there_once(demo):
    df, scores = demo["csv"], demo["marts"]["scores"]
    assert list(df.columns) == INDICATOR_FIELDS
    assert len(df) == len(scores) == demo["result"].rows
    assert len(set(keys(df))) == len(df)
    assert set(keys(df)) == set(keys(scores))
    assert keys(df) == sorted(keys(df))  # sorted by (gebied_code, indicator, jaar)
    assert (df["gebied_naam"] != "").all()
    catalogue, areas = read(demo["out"] / CATALOGUE_CSV), read(demo["out"] / AREAS_CSV)
    assert len(catalogue) == demo["marts"]["indicators"] and catalogue["indicator"].is_unique
    assert (catalogue["eenheid"] != "").all()
    assert len(areas) == demo["marts"]["areas"] and areas["gebied_code"].is_unique


def test_one_level_only(demo, tmp_path):
    with duckdb.connect(str(demo["db"]), read_only=True) as con:
        result = write_opendata(con, tmp_path, niveaus=("wijk",))
    df, scores = read(tmp_path / INDICATORS_CSV), demo["marts"]["scores"]
    assert set(df["niveau"]) == {"wijk"}
    assert set(keys(df)) == set(keys(scores[scores["niveau"] == "wijk"])) and result.rows == len(df)
    report = validate(tmp_path / DESCRIPTOR)
    assert report.valid, report_text(report)
    with pytest.raises(ValueError):
        write_opendata(duckdb.connect(), tmp_path, niveaus=("stadsdeel",))


def test_the_descriptor(demo, tmp_path):
    package = json.loads((demo["out"] / DESCRIPTOR).read_text(encoding="utf-8"))
    assert "created" not in package  # the marts carry no build time; the export's own time is never used
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert "drempel 5" in package["description"]
    assert [r["path"] for r in package["resources"]] == [INDICATORS_CSV, CATALOGUE_CSV, AREAS_CSV]
    for r in package["resources"]:
        assert r["encoding"] == "utf-8" and r["dialect"]["delimiter"] == "," and r["schema"]["primaryKey"]
    # the build time, when the caller knows it
    with duckdb.connect(str(demo["db"]), read_only=True) as con:
        write_opendata(con, tmp_path, created=dt.datetime(2025, 9, 15, 12, 0, tzinfo=dt.UTC))
    package = json.loads((tmp_path / DESCRIPTOR).read_text(encoding="utf-8"))
    assert package["created"] == "2025-09-15T12:00:00Z"
    report = validate(tmp_path / DESCRIPTOR)
    assert report.valid, report_text(report)
