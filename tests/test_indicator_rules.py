"""Rules of the indicator engine that need a modified catalogue or settings: method breaks, the target
status and its projection, settings from the database, the demo's designed stories."""

from __future__ import annotations

import copy
import shutil

import duckdb
import pytest
from dashboard_support import demo_db
from test_indicator_math import golden_db

import indicators.dimensions as dimensions
from etl import load_files
from etl.build import INDICATOR_STEPS, build
from indicators.catalogue import load_catalogue
from wijkmonitor.cli import main as cli


def _rebuild_copy(tmp_path, source, monkeypatch=None, catalogue=None):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(source, db)
    if catalogue is not None:
        monkeypatch.setattr(dimensions, "load_catalogue", lambda: catalogue)
    con = duckdb.connect(str(db))
    build(con, only=INDICATOR_STEPS)
    return con


def test_method_break_is_never_compared_silently(tmp_path, monkeypatch):
    cat = copy.deepcopy(load_catalogue())
    cat["indicatoren"]["rapportcijfer_leefbaarheid"]["vergelijkbaar_vanaf"] = 2021  # survey redesigned
    con = _rebuild_copy(tmp_path, golden_db(), monkeypatch, cat)
    row = con.execute(
        "SELECT waarde, score, verandering, vergelijkbaar, opmerking FROM marts.fct_indicator_scores "
        "WHERE indicator = 'rapportcijfer_leefbaarheid' AND gebied_code = 'WK099801' AND jaar = 2023"
    ).fetchone()
    assert row[0] == pytest.approx(6.6)  # the value is still shown
    assert row[1] is None and row[2] is None and row[3] is False
    assert "methodebreuk" in row[4]
    indicators = con.execute(
        "SELECT indicatoren FROM marts.fct_composites WHERE gebied_code = 'WK099801' "
        "AND jaar = 2023 AND groep = 'samengesteld'"
    ).fetchone()[0]
    assert "rapportcijfer_leefbaarheid" not in indicators


def test_polarity_flip_mirrors_the_verdict(tmp_path, monkeypatch):
    cat = copy.deepcopy(load_catalogue())
    cat["indicatoren"]["misdrijven_per_1000_inwoners"]["polariteit"] = "hoger_is_beter"
    con = _rebuild_copy(tmp_path, golden_db(), monkeypatch, cat)
    rows = dict(
        con.execute(
            "SELECT gebied_code, verandering FROM marts.fct_indicator_scores "
            "WHERE indicator = 'misdrijven_per_1000_inwoners' AND jaar = 2023"
        ).fetchall()
    )
    assert rows["BU09980101"] == "beter" and rows["BU09980102"] == "slechter"


def test_target_status_for_the_target_year():
    with duckdb.connect(str(golden_db()), read_only=True) as con:
        status = dict(
            con.execute(
                "SELECT gebied_code, status FROM marts.fct_doelen WHERE peiljaar = 2023 AND groep = 'samengesteld'"
            ).fetchall()
        )
    assert status["BU09980101"] == "niet gehaald"  # its only indicator is significantly worse
    assert status["BU09980102"] == "gehaald"
    assert status["WK099801"] == "gehaald"  # 98.1, not significantly below 100


def test_settings_come_from_the_database_and_change_the_verdict(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(golden_db(), db)
    assert cli(["instellingen", "doeljaar=2021", "--db", str(db)]) == 0
    assert "doeljaar = 2021" in capsys.readouterr().out
    with duckdb.connect(str(db), read_only=True) as con:
        years = {r[0] for r in con.execute("SELECT DISTINCT doeljaar FROM marts.fct_doelen").fetchall()}
    assert years == {2021}
    assert cli(["instellingen", "doeljaar=2018", "--db", str(db)]) == 2  # not after the baseline
    assert cli(["instellingen", "onzin=1", "--db", str(db)]) == 2


def test_projection_before_the_target_year(tmp_path):
    """A worsening series is 'uit koers' before the target year; a flat one 'op koers'."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(golden_db(), db)
    extra = tmp_path / "politie_2021.csv"
    extra.write_text(
        "SoortMisdrijf,WijkenEnBuurten,Perioden,GeregistreerdeMisdrijven_1\n"
        "0.0.0 ,BU09980101,2021JJ00,58\n0.0.0 ,BU09980102,2021JJ00,100\n",
        encoding="utf-8",
    )
    assert load_files([extra], db)[0].status == "geladen"
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT gebied_code, projectie, status FROM marts.fct_doelen WHERE peiljaar = 2021 AND groep = 'samengesteld'"
            ).fetchall()
        }
    # BU09980101: scores 100 (2019), 100 x 40/58 = 68.97 (2021, significant: z = -2.03) -> line to 2023: 37.9
    projection, status = rows["BU09980101"]
    assert projection == pytest.approx(100 + (100 * 40 / 58 - 100) * 2, rel=1e-6)
    assert status == "uit koers"
    assert rows["BU09980102"][1] == "op koers"  # 100 in both years


def test_demo_stories_come_out_as_designed():
    from etl.demo import STORIES

    with duckdb.connect(str(demo_db()), read_only=True) as con:
        target = dict(
            con.execute(
                "SELECT gebied_code, status FROM marts.fct_doelen WHERE peiljaar = 2023 AND groep = 'samengesteld'"
            ).fetchall()
        )
        verdict = dict(
            con.execute(
                "SELECT gebied_code, verandering FROM marts.fct_composites "
                "WHERE groep = 'samengesteld' AND jaar = 2023"
            ).fetchall()
        )
        survey = con.execute(
            "SELECT verandering FROM marts.fct_indicator_scores WHERE gebied_code = ? "
            "AND indicator = 'rapportcijfer_leefbaarheid' AND jaar = 2023",
            [STORIES["ruis"]],
        ).fetchone()[0]
    assert target[STORIES["verslechterend"]] == "niet gehaald"
    assert verdict[STORIES["verslechterend"]] == "slechter"
    assert verdict[STORIES["verbeterend"]] == "beter"
    assert verdict[STORIES["ruis"]] == "gelijk" and survey == "gelijk"
