"""Revisions of delivered figures (issue 12): the diff a delivery shows before it replaces values, the preview
(load --voorbeeld), refusing an older download (peildatum in the file name) unless --forceer, and re-activating
an earlier delivery (wijkmonitor heractiveer).

The fixtures in tests/fixtures/revisions/ are two downloads of the same tables (see its README.md); every count
and change below is computed by hand from them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from etl_helpers import AREAS, attempt, copy_db, errors, fixture, load_one, query, scalar, sha256, warnings

from etl import attempts
from etl.revisions import Change, reactivate, vintage
from wijkmonitor.cli import main

OLD = "revisions/politie_47022NED_gm0999_2024-01-10.csv"
NEW = "revisions/politie_47022NED_gm0999_2024-03-15.csv"
CORRECTION = "revisions/politie_47022NED_gm0999_correctie_20240401.csv"
KWB_OLD = "revisions/84583NED_gm0999_2024-01-10.csv"
KWB_NEW = "revisions/84583NED_gm0999_2024-03-15.csv"


@pytest.fixture(scope="module")
def _two_downloads_template(
    _area_db_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, int, int]:
    db = copy_db(_area_db_template, tmp_path_factory.mktemp("twee") / "w.duckdb")
    old, new = load_one(fixture(OLD), db), load_one(fixture(NEW), db)
    assert (old.status, new.status) == ("geladen", "geladen")
    return db, old.load_id, new.load_id


@pytest.fixture
def two_downloads(_two_downloads_template: tuple[Path, int, int], tmp_path: Path) -> tuple[Path, int, int]:
    """The GM0999 areas, then the police download of 2024-01-10, then that of 2024-03-15: (db, old, new)."""
    src, old, new = _two_downloads_template
    db = copy_db(src, tmp_path / "w.duckdb")
    shutil.copyfile(attempts.log_path(src), attempts.log_path(db))
    return db, old, new


def current_crimes(db: Path) -> dict[tuple[str, str, str], tuple[int | None, int]]:
    """(gebied, soort, periode) -> (aantal, load_id) of the current staging row (vervangen_door IS NULL)."""
    rows = query(
        db,
        "SELECT gebied_code, soort_misdrijf, periode, aantal, load_id FROM staging.stg_politie__misdrijven "
        "WHERE vervangen_door IS NULL",
    )
    return {(g, s, p): (a, lid) for g, s, p, a, lid in rows}


def state(db: Path) -> tuple[str, bytes]:
    """The database file and the attempt log, byte for byte."""
    log = attempts.log_path(db)
    return sha256(db), log.read_bytes() if log.exists() else b""


# ------------------------------------------------------------------------------------------------ vintage


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("politie_2024-03-15.csv", dt.date(2024, 3, 15)),
        ("politie_20240315.csv", dt.date(2024, 3, 15)),
        ("kwb_2024_03_15.xlsx", dt.date(2024, 3, 15)),
        ("kwb_15-03-2024.csv", dt.date(2024, 3, 15)),
        ("15.03.2024 kerncijfers.csv", dt.date(2024, 3, 15)),
        ("84583NED_gm0999_2024-01-10.csv", dt.date(2024, 1, 10)),
        # more than one date: the latest (a period in the name, then the download date)
        ("politie_2019-01-01_2019-12-31_download_2024-03-15.csv", dt.date(2024, 3, 15)),
        # not dates: a CBS table code, a year, a range of years, an impossible day, mixed separators, a long number
        ("84583NED_lindenhoven.csv", None),
        ("bevolking_2019.csv", None),
        ("politie_47022NED_lindenhoven_2017-2025.csv", None),
        ("politie_2019-2020.csv", None),
        ("politie_2023-02-30.csv", None),
        ("politie_2024-03_15.csv", None),
        ("export_20240315103000.csv", None),
        ("politie_2024-03.csv", None),
    ],
)
def test_vintage_from_the_file_name(name: str, expected: dt.date | None) -> None:
    assert vintage(Path("/ergens") / name) == expected


# ------------------------------------------------------------------------------------------------- the diff


def test_a_new_download_shows_what_it_replaces(area_db: Path) -> None:
    """Two downloads of the same police table, 3 of 10 values revised (one row only re-padded)."""
    old = load_one(fixture(OLD), area_db)
    assert old.status == "geladen", old.report()
    assert old.revision.nieuw == 10 and old.revision.overlap == 0
    assert old.notes == []  # nothing replaced: no note

    new = load_one(fixture(NEW), area_db)

    assert new.status == "geladen", new.report()
    rev = new.revision
    # 10 keys, all delivered before; the "." row is empty before and after and is no value
    assert (rev.sleutels, rev.nieuw, rev.ongewijzigd, rev.gewijzigd, rev.leeg, rev.gevuld) == (
        10,
        0,
        6,
        3,
        0,
        0,
    )
    assert [(r.load_id, r.bestand, r.sleutels, r.waarden) for r in rev.vervangen] == [
        (old.load_id, Path(OLD).name, 10, 3)
    ]
    assert rev.vervangen[0].peildatum == dt.date(2024, 1, 10)
    o = old.load_id
    assert rev.grootste == [
        Change("BU09990101", "2019MM01", "misdrijven 0.0.0", 9, 12, o, Path(OLD).name),
        Change("GM0999", "2019MM01", "misdrijven 0.0.0", 25, 28, o, Path(OLD).name),
        Change("WK099902", "2019MM02", "misdrijven 0.0.0", 10, 8, o, Path(OLD).name),
    ]
    assert [(c.gebied_code, round(c.relatief, 4)) for c in rev.grootste_relatief] == [
        ("BU09990101", 0.3333),
        ("WK099902", -0.2),
        ("GM0999", 0.12),
    ]
    assert new.notes == [
        f"vervangt 3 waarden van load {o} (politie_47022NED_gm0999_2024-01-10.csv); grootste wijzigingen: "
        "BU09990101 2019MM01 misdrijven 0.0.0 9 → 12 (+33,3%), GM0999 2019MM01 misdrijven 0.0.0 25 → 28 "
        "(+12,0%), WK099902 2019MM02 misdrijven 0.0.0 10 → 8 (-20,0%); 6 waarden ongewijzigd, 0 nieuw"
    ]
    assert f"  let op: vervangt 3 waarden van load {o}" in new.report()
    # the peildatum and the counts survive: in meta.loads.validatie and in the attempt log
    validatie = json.loads(
        scalar(area_db, "SELECT validatie FROM meta.loads WHERE load_id = ?", [new.load_id])
    )
    assert validatie["peildatum"] == "2024-03-15"
    assert (validatie["herziening"]["gewijzigd"], validatie["herziening"]["ongewijzigd"]) == (3, 6)
    rec = attempt(area_db, new.load_id)
    assert rec["peildatum"] == "2024-03-15"
    assert rec["validatie"]["herziening"]["vervangen"][0]["load_id"] == o
    # and staging agrees: the new values are current
    now = current_crimes(area_db)
    assert now[("GM0999", "0.0.0", "2019MM01")] == (28, new.load_id)
    assert now[("WK099901", "0.0.0", "2019MM01")] == (14, new.load_id)


def test_values_that_become_empty_or_filled_and_new_keys(two_downloads: tuple[Path, int, int]) -> None:
    """A correction of 3 rows: '.' -> 1 (filled), 0 -> '.' (emptied), one key not delivered before."""
    area_db, _, new_id = two_downloads
    corr = load_one(fixture(CORRECTION), area_db)
    assert corr.status == "geladen", corr.report()
    rev = corr.revision
    assert (rev.sleutels, rev.nieuw, rev.ongewijzigd, rev.gewijzigd, rev.leeg, rev.gevuld) == (
        3,
        1,
        0,
        0,
        1,
        1,
    )
    assert rev.vervangt == 2
    assert [(r.load_id, r.sleutels, r.waarden) for r in rev.vervangen] == [(new_id, 2, 2)]
    assert rev.grootste == [] and rev.grootste_relatief == []
    assert corr.notes == [
        f"vervangt 2 waarden van load {new_id} (politie_47022NED_gm0999_2024-03-15.csv), waarvan 1 leeg "
        "geworden en 1 ingevuld; 0 waarden ongewijzigd, 1 nieuw"
    ]
    now = current_crimes(area_db)
    assert now[("BU09990102", "1.1.1", "2019MM01")] == (1, corr.load_id)
    assert now[("BU09990201", "1.1.1", "2019MM02")] == (None, corr.load_id)


def test_kwb_revision_in_thousands(tmp_path: Path) -> None:
    """CBS revised a KWB table: inhabitants of two areas, the dwellings of two, one secret value published."""
    db = tmp_path / "w.duckdb"
    old = load_one(fixture(KWB_OLD), db)
    new = load_one(fixture(KWB_NEW), db)
    assert (old.status, new.status) == ("geladen", "geladen"), new.report()
    rev = new.revision
    # 7 keys x 3 values = 21: 3 changed, 1 emptied (WK099902 woningen), 1 filled (BU09990202 huishoudens)
    assert (rev.sleutels, rev.nieuw, rev.ongewijzigd, rev.gewijzigd, rev.leeg, rev.gevuld) == (
        7,
        0,
        16,
        3,
        1,
        1,
    )
    assert [c.text() for c in rev.grootste] == [
        "GM0999 2019 inwoners 4.000 → 4.020 (+0,5%)",
        "BU09990101 2019 inwoners 1.200 → 1.218 (+1,5%)",
        "BU09990202 2019 woningen 220 → 224 (+1,8%)",
    ]
    assert [c.text() for c in rev.grootste_relatief] == [
        "BU09990202 2019 woningen 220 → 224 (+1,8%)",
        "BU09990101 2019 inwoners 1.200 → 1.218 (+1,5%)",
        "GM0999 2019 inwoners 4.000 → 4.020 (+0,5%)",
    ]
    assert new.notes[0].startswith(
        f"vervangt 5 waarden van load {old.load_id} (84583NED_gm0999_2024-01-10.csv), waarvan 1 leeg geworden "
        "en 1 ingevuld; grootste wijzigingen: GM0999 2019 inwoners 4.000 → 4.020 (+0,5%), "
    )


def test_partner_correction_names_source_and_variable(area_db: Path) -> None:
    """corporatie_correctie.csv: four 2019-H2 values corrected, one key new; n/sd/n_effectief stay empty."""
    load_one(fixture("partner/corporatie_goed.csv"), area_db)
    corr = load_one(fixture("partner/corporatie_correctie.csv"), area_db)
    rev = corr.revision
    assert (rev.sleutels, rev.nieuw, rev.ongewijzigd, rev.gewijzigd, rev.leeg, rev.gevuld) == (
        5,
        1,
        0,
        4,
        0,
        0,
    )
    assert [c.text() for c in rev.grootste] == [
        "BU09990101 2019-H2 corporatie overlastmeldingen 15 → 17 (+13,3%)",
        "BU09990101 2019-H2 corporatie huurwoningen 312 → 311 (-0,3%)",
        "BU09990102 2019-H2 corporatie huurwoningen 150 → 151 (+0,7%)",
        "BU09990102 2019-H2 corporatie overlastmeldingen 3 → 2 (-33,3%)",
    ]
    assert [c.text().split(" 2019-H2 ")[0] + " " + c.variabele for c in rev.grootste_relatief] == [
        "BU09990102 corporatie overlastmeldingen",
        "BU09990101 corporatie overlastmeldingen",
        "BU09990102 corporatie huurwoningen",
        "BU09990101 corporatie huurwoningen",
    ]


def test_area_names_and_borders(area_db: Path, tmp_path: Path) -> None:
    """A new area file: one buurt renamed, one border moved; the other five areas unchanged."""
    data = json.loads(AREAS.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["gebied_code"] == "BU09990101":
            feature["properties"]["gebied_naam"] = "Kerkbuurt-Oost"
        if feature["properties"]["gebied_code"] == "BU09990202":
            feature["geometry"]["coordinates"][0][2][1] = 52.099
    path = tmp_path / "gebieden_gm0999_2024-03-15.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    res = load_one(path, area_db)
    assert res.status == "geladen", res.report()
    rev = res.revision
    # 7 keys x (name, geometry) = 14 values
    assert (rev.sleutels, rev.nieuw, rev.ongewijzigd, rev.gewijzigd, rev.leeg, rev.gevuld) == (
        7,
        0,
        12,
        2,
        0,
        0,
    )
    assert [c.text() for c in rev.grootste] == [
        "BU09990101 naam 'Kerkbuurt' → 'Kerkbuurt-Oost'",
        "BU09990202 geometrie: grens gewijzigd",
    ]


# ------------------------------------------------------------------------------------------ load --voorbeeld


def test_voorbeeld_shows_the_diff_and_changes_nothing(area_db: Path) -> None:
    old = load_one(fixture(OLD), area_db)
    raw = sorted((area_db.parent / "raw").iterdir())
    before = state(area_db)

    res = load_one(fixture(NEW), area_db, voorbeeld=True)

    assert res.status == "voorbeeld" and res.ok, res.report()
    assert (res.revision.gewijzigd, res.revision.ongewijzigd) == (3, 6)
    assert res.notes == []  # the whole diff is in the report instead
    report = res.report()
    assert report.startswith(
        "politie_47022NED_gm0999_2024-03-15.csv: voorbeeld: 10 rijen (politie); niets geladen of gewijzigd\n"
        f"  vervangt 3 waarden van load {old.load_id} (politie_47022NED_gm0999_2024-01-10.csv)\n"
        "  6 waarden ongewijzigd; 0 sleutels nieuw (nog niet eerder geleverd)\n"
        "  grootste wijzigingen (absoluut):\n"
        f"    BU09990101 2019MM01 misdrijven 0.0.0 9 → 12 (+33,3%)  [load {old.load_id}]\n"
    )
    assert "  grootste wijzigingen (relatief):\n" in report
    # byte for byte: the database, the attempt log (a preview is not recorded) and the raw copies
    assert state(area_db) == before
    assert sorted((area_db.parent / "raw").iterdir()) == raw
    assert current_crimes(area_db)[("GM0999", "0.0.0", "2019MM01")] == (25, old.load_id)


def test_voorbeeld_cli(area_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load_one(fixture(OLD), area_db)
    before = state(area_db)
    assert main(["load", "--voorbeeld", str(fixture(NEW)), "--db", str(area_db)]) == 0
    out = capsys.readouterr().out
    assert "politie_47022NED_gm0999_2024-03-15.csv: voorbeeld: 10 rijen (politie)" in out
    assert "GM0999 2019MM01 misdrijven 0.0.0 25 → 28 (+12,0%)" in out
    assert "voorbeeld: er is niets geladen; de database en de laadgeschiedenis zijn niet gewijzigd" in out
    assert state(area_db) == before


# ------------------------------------------------------------------------------------- peildatum, --forceer


def test_an_older_download_is_refused_unless_forced(area_db: Path) -> None:
    new = load_one(fixture(NEW), area_db)
    before = state(area_db)

    old = load_one(fixture(OLD), area_db)

    assert old.status == "afgewezen" and not old.ok
    assert old.rows_loaded == 0
    (issue,) = errors(old)
    assert issue.regel == "peildatum"
    assert issue.bericht == (
        "politie_47022NED_gm0999_2024-01-10.csv: politie_47022NED_gm0999_2024-01-10.csv (peildatum 2024-01-10) "
        f"is ouder dan de geladen levering load {new.load_id} (politie_47022NED_gm0999_2024-03-15.csv), "
        "peildatum 2024-03-15, en zou 10 sleutels daarvan vervangen (3 waarden anders). Zo zouden oudere "
        "cijfers nieuwere overschrijven; er is niets geladen. Laad het toch met --forceer, of maak een eerdere "
        "levering weer actueel met wijkmonitor heractiveer LOAD_ID."
    )
    assert "de database is niet gewijzigd" in old.report()
    assert sha256(area_db) == before[0]
    rec = attempt(area_db, old.load_id)
    assert (rec["status"], rec["peildatum"], rec["rijen_geladen"]) == ("afgewezen", "2024-01-10", 0)

    forced = load_one(fixture(OLD), area_db, forceer=True)

    assert forced.status == "geladen", forced.report()
    (warning,) = [w for w in warnings(forced) if w.regel == "peildatum"]
    assert warning.bericht.endswith("(3 waarden anders); toch geladen (--forceer)")
    assert current_crimes(area_db)[("GM0999", "0.0.0", "2019MM01")] == (25, forced.load_id)


def test_older_download_is_refused_by_the_cli(area_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load_one(fixture(NEW), area_db)
    assert main(["load", str(fixture(OLD)), "--db", str(area_db)]) == 1
    assert "is ouder dan de geladen levering" in capsys.readouterr().out
    assert main(["load", "--forceer", str(fixture(OLD)), "--db", str(area_db)]) == 0
    assert "toch geladen (--forceer)" in capsys.readouterr().out


def test_only_a_delivery_of_the_same_variant_and_a_known_date_counts(tmp_path: Path) -> None:
    """The gemeente's own file (another variant) and a file without a date in its name are not refused."""
    db = tmp_path / "w.duckdb"
    assert load_one(fixture(KWB_NEW), db).status == "geladen"
    own = tmp_path / "bevolking_gm0999_2023-12-31.csv"
    shutil.copyfile(fixture("bevolking/bevolking_gm0999.csv"), own)
    res = load_one(own, db)
    assert res.status == "geladen", res.report()
    assert res.revision.overlap == 7  # it does replace the 2019 KWB figures (and says so)
    undated = tmp_path / "84583NED_gm0999.csv"
    shutil.copyfile(fixture(KWB_OLD), undated)
    assert load_one(undated, db).status == "geladen"


# --------------------------------------------------------------------------------------------- heractiveer


def test_reactivation_restores_the_earlier_values(two_downloads: tuple[Path, int, int]) -> None:
    area_db, old_id, new_id = two_downloads
    assert current_crimes(area_db)[("GM0999", "0.0.0", "2019MM01")] == (28, new_id)

    out = reactivate(old_id, area_db, user="pytest")

    assert out.status == "geladen", out.bericht
    lid = out.load_id
    assert lid == new_id + 1
    assert out.bericht == (
        f"load {lid}: heractivering van load {old_id} (politie_47022NED_gm0999_2024-01-10.csv): "
        "10 van de 10 sleutels weer actueel"
    )
    assert (out.revision.gewijzigd, out.revision.ongewijzigd) == (3, 6)
    assert out.revision.grootste[0].text() == "BU09990101 2019MM01 misdrijven 0.0.0 12 → 9 (-25,0%)"
    now = current_crimes(area_db)
    assert now[("GM0999", "0.0.0", "2019MM01")] == (25, lid)
    assert now[("BU09990101", "0.0.0", "2019MM01")] == (9, lid)
    assert {load for _, load in now.values()} == {lid}
    # the old rows stay as history, superseded by the copy
    assert query(
        area_db,
        "SELECT load_id, aantal, vervangen_door FROM staging.stg_politie__misdrijven "
        "WHERE gebied_code = 'GM0999' AND periode = '2019MM01' ORDER BY load_id",
    ) == [(old_id, 25, new_id), (new_id, 28, lid), (lid, 25, None)]
    # provenance: the file and sha256 of the original, a remark, the original's peildatum
    row = query(
        area_db,
        "SELECT bestand, sha256, status, opmerking, rijen_geladen, gebruiker, validatie->>'$.peildatum', "
        "CAST(validatie->>'$.heractivering_van' AS INTEGER) FROM meta.loads WHERE load_id = ?",
        [lid],
    )[0]
    original = query(area_db, "SELECT bestand, sha256 FROM meta.loads WHERE load_id = ?", [old_id])[0]
    assert row == (
        *original,
        "geladen",
        f"heractivering van load {old_id}",
        10,
        "pytest",
        "2024-01-10",
        old_id,
    )
    rec = attempt(area_db, lid)
    assert (rec["status"], rec["heractivering_van"], rec["opmerking"]) == (
        "geladen",
        old_id,
        f"heractivering van load {old_id}",
    )

    # twice: already current (also when asked by the copy's id); the database is not touched
    before = state(area_db)
    again = reactivate(old_id, area_db)
    assert again.status == "geweigerd"
    assert again.bericht == (
        f"load {old_id} (politie_47022NED_gm0999_2024-01-10.csv) is al actueel: alle 10 sleutels hebben "
        "de waarden van deze levering; niets gewijzigd"
    )
    assert reactivate(lid, area_db).status == "geweigerd"
    assert state(area_db) == before

    # and back to the newer download
    back = reactivate(new_id, area_db)
    assert back.status == "geladen", back.bericht
    assert current_crimes(area_db)[("GM0999", "0.0.0", "2019MM01")] == (28, back.load_id)


def test_reloading_a_superseded_file_points_to_heractiveer(two_downloads: tuple[Path, int, int]) -> None:
    area_db, old_id, new_id = two_downloads
    again = load_one(fixture(OLD), area_db)
    assert again.status == "overgeslagen"
    assert again.notes == [
        f"nieuwere leveringen vervangen 10 van de 10 sleutels van load {old_id}; "
        f"'wijkmonitor heractiveer {old_id}' maakt deze levering weer actueel"
    ]
    assert load_one(fixture(NEW), area_db).notes == []  # still current: nothing to re-activate


def test_reactivation_preview_and_refusals_change_nothing(two_downloads: tuple[Path, int, int]) -> None:
    area_db, old_id, _ = two_downloads
    rejected = load_one(fixture("politie/politie_negatief.csv"), area_db)
    assert rejected.status == "afgewezen"
    before = state(area_db)

    preview = reactivate(old_id, area_db, voorbeeld=True)
    assert preview.status == "voorbeeld" and preview.ok
    assert preview.revision.gewijzigd == 3
    assert preview.bericht.endswith("zou 10 van de 10 sleutels weer actueel maken; niets gewijzigd")

    unknown = reactivate(99, area_db)
    assert (unknown.status, unknown.bericht) == ("onbekend", "load 99 bestaat niet (zie 'wijkmonitor loads')")
    refused = reactivate(rejected.load_id, area_db)
    assert refused.status == "geweigerd"
    assert refused.bericht == (
        f"load {rejected.load_id} (politie_negatief.csv) is afgewezen en bevat geen gegevens; "
        "er is niets te heractiveren"
    )
    assert state(area_db) == before


def test_heractiveer_cli(two_downloads: tuple[Path, int, int], capsys: pytest.CaptureFixture[str]) -> None:
    area_db, old_id, _ = two_downloads
    before = state(area_db)
    assert main(["heractiveer", str(old_id), "--voorbeeld", "--db", str(area_db)]) == 0
    assert "vervangt 3 waarden van load" in capsys.readouterr().out
    assert state(area_db) == before

    assert main(["heractiveer", str(old_id), "--db", str(area_db)]) == 0
    out = capsys.readouterr().out
    assert f"heractivering van load {old_id} (politie_47022NED_gm0999_2024-01-10.csv)" in out
    assert "GM0999 2019MM01 misdrijven 0.0.0 28 → 25 (-10,7%)" in out

    assert main(["heractiveer", str(old_id), "--db", str(area_db)]) == 1
    assert "is al actueel" in capsys.readouterr().err
    assert main(["heractiveer", "99", "--db", str(area_db)]) == 2
    assert "load 99 bestaat niet" in capsys.readouterr().err
