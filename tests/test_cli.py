"""The `wijkmonitor` command line: load / validate / loads and their exit codes (0 ok, 1 rejected, 2 usage)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from etl_helpers import AREAS, data_snapshot, fixture, query, scalar, sha256

from etl import list_loads
from wijkmonitor.cli import main


def test_load_ok_exits_0(area_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["load", str(fixture("politie/politie_47018NED_gm0999_jaar.csv")), "--db", str(area_db)])
    assert code == 0
    out = capsys.readouterr().out
    assert "politie_47018NED_gm0999_jaar.csv: geladen: 8 rijen (politie, load 2)" in out
    assert scalar(area_db, "SELECT count(*) FROM raw.politie__misdrijven") == 8


def test_load_rejected_exits_1(area_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = data_snapshot(area_db)
    code = main(["load", str(fixture("politie/politie_negatief.csv")), "--db", str(area_db)])
    assert code == 1
    out = capsys.readouterr().out
    assert "politie_negatief.csv: AFGEWEZEN, 1 fout; de database is niet gewijzigd" in out
    assert (
        "FOUT: politie_negatief.csv, rij 4: kolom 'GeregistreerdeMisdrijven_1' = '-9': mag niet negatief zijn"
        in out
    )
    assert data_snapshot(area_db) == before


def test_load_folder_with_one_bad_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    shutil.copyfile(AREAS, folder / AREAS.name)
    shutil.copyfile(fixture("politie/politie_47022NED_gm0999_maand.csv"), folder / "politie_goed.csv")
    shutil.copyfile(fixture("politie/politie_periode.csv"), folder / "politie_periode.csv")
    db = tmp_path / "w.duckdb"
    assert main(["load", str(folder), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "gebieden_gm0999.geojson: geladen: 7 rijen" in out
    assert "politie_goed.csv: geladen: 10 rijen" in out
    assert "politie_periode.csv: AFGEWEZEN" in out
    assert query(db, "SELECT bestand, status FROM meta.loads ORDER BY load_id") == [
        ("gebieden_gm0999.geojson", "geladen"),
        ("politie_goed.csv", "geladen"),
    ]
    assert [(r["bestand"], r["status"]) for r in list_loads(db)] == [
        ("politie_periode.csv", "afgewezen"),  # newest first; the rejection is in the attempt log
        ("politie_goed.csv", "geladen"),
        ("gebieden_gm0999.geojson", "geladen"),
    ]


def test_load_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["load", str(tmp_path / "bestaat-niet.csv"), "--db", str(db)]) == 2
    assert "bestaat niet" in capsys.readouterr().err
    assert not db.exists()


def test_load_empty_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "leeg"
    folder.mkdir()
    db = tmp_path / "w.duckdb"
    assert main(["load", str(folder), "--db", str(db)]) == 2
    assert "geen bestanden gevonden" in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["load"],  # no path
        ["load", "x.csv", "--source", "onzin"],  # not a source kind
        ["load", "x.csv", "--jaar", "negentien"],  # not a number
        ["onbekend-commando"],
        [],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "wijkmonitor: fout:" in capsys.readouterr().err


def test_load_options_are_passed_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    path = fixture("bevolking/kerncijfers_zonder_tabelcode.csv")
    assert main(["load", str(path), "--db", str(db)]) == 1
    assert "--jaar" in capsys.readouterr().out
    assert main(["load", str(path), "--db", str(db), "--jaar", "2019", "--source", "bevolking"]) == 0
    assert query(db, "SELECT DISTINCT jaar FROM staging.stg_bevolking__kerncijfers") == [(2019,)]


def test_validate_loads_nothing(area_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    digest = sha256(area_db)
    good = fixture("politie/politie_47022NED_gm0999_maand.csv")
    assert main(["validate", str(good), "--db", str(area_db)]) == 0
    assert "politie_47022NED_gm0999_maand.csv: in orde: 10 rijen (politie); niets geladen (controle)" in (
        capsys.readouterr().out
    )
    bad = fixture("politie/politie_onbekende_code.csv")  # checked against the live area division
    assert main(["validate", str(bad), "--db", str(area_db)]) == 1
    out = capsys.readouterr().out
    assert "politie_onbekende_code.csv, rij 5: kolom 'WijkenEnBuurten' = 'BU09990109'" in out
    # a batch with an area file is checked against the live areas plus the new ones
    batch = [str(fixture("bevolking/84583NED_mini.csv")), str(good)]
    assert main(["validate", *batch, "--db", str(area_db)]) == 0
    assert sha256(area_db) == digest  # not even meta.loads changed
    assert not (area_db.parent / "raw").exists()


def test_validate_without_database_creates_none(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["validate", str(fixture("bevolking/bevolking_gm0999.csv")), "--db", str(db)]) == 0
    assert not db.exists()


def test_loads_lists_the_history(area_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["load", str(fixture("politie/politie_47018NED_gm0999_jaar.csv")), "--db", str(area_db)])
    main(["load", str(fixture("politie/politie_tekst.csv")), "--db", str(area_db)])
    capsys.readouterr()
    assert main(["loads", "--db", str(area_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3  # newest first
    assert lines[0].split()[0] == "3" and "afgewezen" in lines[0] and lines[0].endswith("politie_tekst.csv")
    assert (
        "geladen" in lines[1]
        and "politie" in lines[1]
        and lines[1].endswith("politie_47018NED_gm0999_jaar.csv")
    )
    assert "8 rijen" in lines[1]
    assert lines[2].endswith("gebieden_gm0999.geojson")


def test_loads_on_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["loads", "--db", str(db)]) == 0
    assert f"nog geen loads in {db}" in capsys.readouterr().out


def test_validate_a_batch_checks_later_files_against_its_areas(tmp_path: Path, capsys) -> None:
    """validate gives the same verdict as load: the areas in the batch count for the other files."""
    folder = tmp_path / "map"
    folder.mkdir()
    shutil.copyfile(fixture("politie/politie_47018NED_gm0999_jaar.csv"), folder / "a_politie.csv")
    shutil.copyfile(fixture("politie/politie_onbekende_code.csv"), folder / "b_politie_fout.csv")
    shutil.copyfile(AREAS, folder / "z_gebieden.geojson")
    db = tmp_path / "w.duckdb"
    assert main(["validate", str(folder), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "z_gebieden.geojson: in orde: 7 rijen (gebieden)" in out
    assert "a_politie.csv: in orde: 8 rijen (politie)" in out
    assert (
        "b_politie_fout.csv, rij 5: kolom 'WijkenEnBuurten' = 'BU09990109': gebiedscode bestaat niet" in out
    )
    assert not db.exists()
