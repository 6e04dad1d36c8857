"""Load history: idempotent reloads, corrections that supersede earlier rows, --gemeente, folders, provenance."""

from __future__ import annotations

import shutil
from pathlib import Path

from etl_helpers import (
    AREAS,
    data_snapshot,
    find_issue,
    fixture,
    load,
    load_one,
    query,
    scalar,
    sha256,
)

from etl import attempts, list_loads


def test_same_file_again_is_skipped(area_db: Path) -> None:
    path = fixture("politie/politie_47022NED_gm0999_maand.csv")
    first = load_one(path, area_db)
    assert first.status == "geladen"
    before = data_snapshot(area_db)
    digest = sha256(area_db)

    again = load_one(path, area_db)

    assert again.status == "overgeslagen"
    assert again.ok
    assert again.load_id == first.load_id
    assert again.rows_loaded == 0
    assert again.report() == (
        f"politie_47022NED_gm0999_maand.csv: al geladen (zelfde inhoud, load {first.load_id}); niets gewijzigd"
    )
    assert data_snapshot(area_db) == before
    assert sha256(area_db) == digest  # a no-op, byte for byte
    # the attempt is recorded (every load is) in the attempt log, as a skip that points at the earlier load
    rec = attempts.read(area_db)[-1]
    assert (rec["status"], rec["rijen_geladen"], rec["opmerking"], rec["zelfde_als"]) == (
        "overgeslagen",
        0,
        f"zelfde inhoud al geladen als load {first.load_id}",
        first.load_id,
    )


def test_same_content_under_another_name_is_skipped(area_db: Path, tmp_path: Path) -> None:
    path = fixture("politie/politie_47022NED_gm0999_maand.csv")
    copy = tmp_path / "politie_kopie.csv"
    shutil.copyfile(path, copy)
    assert load_one(path, area_db).status == "geladen"
    assert load_one(copy, area_db).status == "overgeslagen"
    assert scalar(area_db, "SELECT count(*) FROM raw.politie__misdrijven") == 10


def test_same_file_with_other_options_is_loaded_again(tmp_path: Path) -> None:
    """A KWB file first loaded with the wrong --jaar can be loaded with the right one; same options: skipped."""
    db = tmp_path / "w.duckdb"
    path = fixture("bevolking/kerncijfers_zonder_tabelcode.csv")
    first = load_one(path, db, jaar=2019)
    second = load_one(path, db, jaar=2020)
    third = load_one(path, db, jaar=2020)
    assert [first.status, second.status, third.status] == ["geladen", "geladen", "overgeslagen"]
    assert third.load_id == second.load_id
    assert query(
        db, "SELECT jaar, count(*) FROM staging.stg_bevolking__kerncijfers GROUP BY ALL ORDER BY 1"
    ) == [
        (2019, 7),
        (2020, 7),
    ]


def test_gemeente_option_is_part_of_the_reload_check(area_db: Path) -> None:
    path = fixture("politie/politie_twee_gemeenten.csv")
    first = load_one(path, area_db, gemeente="GM0999")
    again = load_one(path, area_db, gemeente=" gm0999")  # the same gemeente, written differently
    assert (first.status, again.status) == ("geladen", "overgeslagen")
    assert scalar(area_db, "SELECT validatie->>'$.opties.gemeente' FROM meta.loads WHERE load_id = ?",
                  [first.load_id]) == "GM0999"  # fmt: skip


def test_a_rejected_file_can_be_loaded_after_it_is_fixed(area_db: Path, tmp_path: Path) -> None:
    bad = fixture("politie/politie_negatief.csv")
    path = tmp_path / bad.name
    shutil.copyfile(bad, path)
    assert load_one(path, area_db).status == "afgewezen"
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace('"      -9"', '"       9"'), encoding="utf-8"
    )
    fixed = load_one(path, area_db)
    assert fixed.status == "geladen", fixed.report()
    assert fixed.rows_loaded == 6
    assert [r["status"] for r in list_loads(area_db)] == ["geladen", "afgewezen", "geladen"]


def test_correction_supersedes_with_history(area_db: Path) -> None:
    a = load_one(fixture("partner/corporatie_goed.csv"), area_db)
    b = load_one(fixture("partner/corporatie_correctie.csv"), area_db)
    assert (a.status, b.status) == ("geladen", "geladen")
    assert (a.rows_loaded, b.rows_loaded) == (10, 5)

    def rows(where: str) -> list[tuple]:
        return query(
            area_db,
            "SELECT gebied_code, periode, variabele, waarde, load_id, vervangen_door "
            f"FROM staging.stg_partner__waarnemingen WHERE {where} ORDER BY ALL",
        )

    # every key has exactly one current row
    assert (
        query(
            area_db,
            "SELECT gebied_code, periode, variabele, count(*) FROM staging.stg_partner__waarnemingen "
            "WHERE vervangen_door IS NULL GROUP BY ALL HAVING count(*) <> 1",
        )
        == []
    )
    # the corrected keys: B is current, A's rows are kept and point at B
    assert rows("periode = '2019-H2' AND gebied_code IN ('BU09990101', 'BU09990102')") == [
        ("BU09990101", "2019-H2", "huurwoningen", 311.0, b.load_id, None),
        ("BU09990101", "2019-H2", "huurwoningen", 312.0, a.load_id, b.load_id),
        ("BU09990101", "2019-H2", "overlastmeldingen", 15.0, a.load_id, b.load_id),
        ("BU09990101", "2019-H2", "overlastmeldingen", 17.0, b.load_id, None),
        ("BU09990102", "2019-H2", "huurwoningen", 150.0, a.load_id, b.load_id),
        ("BU09990102", "2019-H2", "huurwoningen", 151.0, b.load_id, None),
        ("BU09990102", "2019-H2", "overlastmeldingen", 2.0, b.load_id, None),
        ("BU09990102", "2019-H2", "overlastmeldingen", 3.0, a.load_id, b.load_id),
    ]
    # keys only in A stay current; the key only in B is new and current
    only_a = rows("periode = '2019-H1'")
    assert len(only_a) == 6
    assert all(r[4] == a.load_id and r[5] is None for r in only_a)
    assert rows("periode = '2019-H2' AND gebied_code = 'BU09990201'") == [
        ("BU09990201", "2019-H2", "huurwoningen", 421.0, b.load_id, None)
    ]
    assert scalar(area_db, "SELECT count(*) FROM staging.stg_partner__waarnemingen") == 15
    assert (
        scalar(area_db, "SELECT count(*) FROM staging.stg_partner__waarnemingen WHERE vervangen_door IS NULL")
        == 11
    )
    # raw keeps both deliveries untouched
    assert query(
        area_db, "SELECT _load_id, count(*) FROM raw.partner__waarnemingen GROUP BY ALL ORDER BY 1"
    ) == [
        (a.load_id, 10),
        (b.load_id, 5),
    ]
    # the coverage mart counts current rows only
    assert query(
        area_db,
        "SELECT wijk_code, jaar, periode_type, rijen, perioden FROM marts.fct_aanlevering_dekking "
        "WHERE bron = 'corporatie' ORDER BY ALL",
    ) == [("WK099901", 2019, "halfjaar", 8, 2), ("WK099902", 2019, "halfjaar", 3, 2)]


def test_gemeente_option_skips_other_areas_with_a_warning(area_db: Path) -> None:
    path = fixture("politie/politie_twee_gemeenten.csv")
    res = load_one(path, area_db, gemeente="gm0999")  # case does not matter
    assert res.status == "geladen", res.report()
    assert (res.rows, res.rows_loaded) == (9, 6)
    issue = find_issue(res, "3 rijen buiten gemeente GM0999 overgeslagen", ernst="waarschuwing")
    assert "BU09980101" in issue.bericht and "GM0998" in issue.bericht
    assert query(area_db, "SELECT DISTINCT left(gebied_code, 2) || substr(gebied_code, 3, 4) "
                          "FROM staging.stg_politie__misdrijven ORDER BY 1") == [("BU0999",), ("GM0999",), ("WK0999",)]  # fmt: skip
    assert query(area_db, "SELECT rijen, rijen_geladen FROM meta.loads WHERE load_id = ?", [res.load_id]) == [
        (9, 6)
    ]
    # the warning is stored with the load
    assert scalar(area_db, "SELECT count(*) FROM meta.load_meldingen WHERE load_id = ? AND ernst = 'waarschuwing'",
                  [res.load_id]) == 1  # fmt: skip


def test_without_gemeente_option_other_areas_are_errors(area_db: Path) -> None:
    res = load_one(fixture("politie/politie_twee_gemeenten.csv"), area_db)
    assert res.status == "afgewezen"
    assert [(i.rij, i.waarde) for i in res.issues] == [(8, "GM0998"), (9, "WK099801"), (10, "BU09980101")]


def test_invalid_gemeente_option_is_refused(area_db: Path) -> None:
    res = load_one(fixture("politie/politie_47018NED_gm0999_jaar.csv"), area_db, gemeente="Fictiedorp")
    assert res.status == "afgewezen"
    assert (
        "--gemeente moet een CBS-gemeentecode zijn zoals GM0597, niet 'Fictiedorp'" in res.issues[0].bericht
    )


def test_folder_load_orders_area_files_first(tmp_path: Path) -> None:
    folder = tmp_path / "aanlevering"
    folder.mkdir()
    # names chosen so that alphabetical order would put the police file before the areas
    shutil.copyfile(fixture("politie/politie_47018NED_gm0999_jaar.csv"), folder / "a_politie.csv")
    shutil.copyfile(fixture("bevolking/bevolking_gm0999.csv"), folder / "m_bevolking.csv")
    shutil.copyfile(AREAS, folder / "z_gebieden.geojson")
    (folder / "leesmij.txt.bak").write_text("geen gegevens")  # unsupported: ignored
    db = tmp_path / "w.duckdb"

    results = load(folder, db)

    assert [(r.path.name, r.status) for r in results] == [
        ("z_gebieden.geojson", "geladen"),
        ("m_bevolking.csv", "geladen"),
        ("a_politie.csv", "geladen"),
    ]
    assert [r["bestand"] for r in reversed(list_loads(db))] == [
        "z_gebieden.geojson",
        "m_bevolking.csv",
        "a_politie.csv",
    ]


def test_folder_with_one_bad_file_loads_the_good_ones(area_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "aanlevering"
    folder.mkdir()
    for rel in ("politie/politie_47018NED_gm0999_jaar.csv", "politie/politie_negatief.csv",
                "bevolking/bevolking_gm0999.csv"):  # fmt: skip
        shutil.copyfile(fixture(rel), folder / Path(rel).name)

    results = {r.path.name: r for r in load(folder, area_db)}

    assert {n: r.status for n, r in results.items()} == {
        "bevolking_gm0999.csv": "geladen",
        "politie_47018NED_gm0999_jaar.csv": "geladen",
        "politie_negatief.csv": "afgewezen",
    }
    assert scalar(area_db, "SELECT count(*) FROM raw.politie__misdrijven") == 8
    assert scalar(area_db, "SELECT count(*) FROM staging.stg_bevolking__kerncijfers") == 14
    assert find_issue(results["politie_negatief.csv"], "rij 4", "mag niet negatief zijn")


def test_provenance_of_every_staging_row(loaded_db: Path) -> None:
    loads = {
        r[0]: r[1:]
        for r in query(
            loaded_db, "SELECT load_id, bestand, pad, kopie, sha256, status, gebruiker FROM meta.loads"
        )
    }
    staging = [
        f"staging.{t}"
        for (t,) in query(
            loaded_db,
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'staging' "
            "AND column_name = 'load_id' ORDER BY 1",
        )
    ]
    assert set(staging) >= {
        "staging.stg_bevolking__kerncijfers",
        "staging.stg_gebieden__gebieden",
        "staging.stg_leefbaarometer__scores",
        "staging.stg_partner__waarnemingen",
        "staging.stg_politie__misdrijven",
    }
    seen = set()
    for table in staging:
        ids = {r[0] for r in query(loaded_db, f"SELECT DISTINCT load_id FROM {table}")}
        seen |= ids
        for load_id in ids:
            bestand, pad, kopie, digest, status, gebruiker = loads[load_id]
            assert status == "geladen"
            assert gebruiker == "pytest"
            delivered = Path(pad)
            assert delivered.name == bestand
            assert sha256(delivered) == digest
            # the unchanged copy under raw/ beside the database the load ran on
            copy = Path(kopie)
            assert copy.parent.name == "raw"
            assert copy.is_file(), copy
            assert copy.read_bytes() == delivered.read_bytes()
            assert copy.name == f"{digest[:12]}_{bestand}"
    assert len(seen) == 5  # areas, bevolking, politie, corporatie, Leefbaarometer


def test_raw_copy_lives_beside_the_database(tmp_path: Path) -> None:
    db = tmp_path / "data" / "w.duckdb"
    path = fixture("gebieden/cbs_codelijst_cp1252.csv")
    res = load_one(path, db)
    assert res.status == "geladen", res.report()
    (kopie, digest) = query(db, "SELECT kopie, sha256 FROM meta.loads WHERE load_id = ?", [res.load_id])[0]
    copy = Path(kopie)
    assert copy.parent == tmp_path / "data" / "raw"
    assert (
        copy.read_bytes() == path.read_bytes()
    )  # still cp1252: the delivered bytes, not the transcoded text
    assert digest == sha256(path)
    # every raw row points back to its load and line
    assert query(db, "SELECT _load_id, _rij FROM raw.gebieden__gebieden ORDER BY _rij") == [
        (res.load_id, n) for n in range(2, 7)
    ]
