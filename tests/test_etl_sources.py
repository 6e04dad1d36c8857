"""Recognising a delivery from its columns, --source, and the year of a CBS Kerncijfers (KWB) file."""

from __future__ import annotations

from pathlib import Path

import pytest
from etl_helpers import data_snapshot, fixture, load_one, query

from etl.reader import peek_delivery, read_delivery
from etl.sources import Options, SourceError, detect_kind, plan_delivery

DETECTED = [
    ("gebieden/gebieden_gm0999.geojson", "gebieden", "geojson"),
    ("gebieden/cbs_codelijst_gm0999.csv", "gebieden", "cbs-codelijst"),
    ("gebieden/cbs_codelijst_cp1252.csv", "gebieden", "cbs-codelijst"),
    ("bevolking/bevolking_gm0999.csv", "bevolking", "lang"),
    ("bevolking/84583NED_mini.csv", "bevolking", "cbs-kwb"),
    ("bevolking/kerncijfers_zonder_tabelcode.csv", "bevolking", "cbs-kwb"),
    ("politie/politie_47022NED_gm0999_maand.csv", "politie", "cbs-politie"),
    ("politie/politie_47018NED_gm0999_jaar.csv", "politie", "cbs-politie"),
    ("partner/corporatie_goed.csv", "partner", "lang"),
    ("partner/welzijn_goed.csv", "partner", "lang"),
    ("partner/gemeente_goed.csv", "partner", "lang"),
    ("partner/enquete_goed.csv", "partner", "lang"),
    ("partner/corporatie_titelregels.xlsx", "partner", "lang"),
    ("leefbaarometer/leefbaarometer_gm0999.csv", "leefbaarometer", "lbm3"),
    # one required column missing: still recognised, so the message can name the missing column
    ("partner/partner_ontbrekende_kolom.csv", "partner", "lang"),
    ("bevolking/bevolking_ontbrekende_kolom.csv", "bevolking", "lang"),
    ("politie/politie_ontbrekende_kolom.csv", "politie", "cbs-politie"),
]


@pytest.mark.parametrize(("rel", "kind", "variant"), DETECTED, ids=[d[0] for d in DETECTED])
def test_source_is_detected_from_the_columns(rel: str, kind: str, variant: str) -> None:
    path = fixture(rel)
    if path.suffix == ".geojson":
        import duckdb

        delivery = read_delivery(duckdb.connect(), path)
    else:
        delivery = peek_delivery(path)
    assert detect_kind(delivery) == (kind, variant)


def test_unknown_shape_is_refused_with_a_hint(area_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "iets.csv"
    path.write_text("gebied_code;aantal_bomen\nBU09990101;12\n", encoding="utf-8")
    res = load_one(path, area_db)
    assert res.status == "afgewezen"
    assert res.issues[0].bericht.startswith(
        "iets.csv: onbekend bestandsformaat: de kolommen (gebied_code, aantal_bomen) passen bij geen enkele bron"
    )
    assert "docs/data-formats.md" in res.issues[0].bericht


def test_detected_kind_and_variant_are_recorded(area_db: Path) -> None:
    res = load_one(fixture("politie/politie_47018NED_gm0999_jaar.csv"), area_db)
    assert (res.status, res.kind) == ("geladen", "politie")
    assert query(
        area_db, "SELECT bronsoort, variant, partner FROM meta.loads WHERE load_id = ?", [res.load_id]
    ) == [("politie", "cbs-politie", "politie")]


def test_source_option_that_does_not_match_the_columns_is_refused(area_db: Path) -> None:
    before = data_snapshot(area_db)
    res = load_one(fixture("politie/politie_47018NED_gm0999_jaar.csv"), area_db, source="partner")
    assert res.status == "afgewezen"
    assert res.issues[0].bericht.startswith(
        "politie_47018NED_gm0999_jaar.csv: --source partner opgegeven, maar de kolommen horen bij bron 'politie'"
    )
    assert data_snapshot(area_db) == before


def test_matching_source_option_loads(area_db: Path) -> None:
    res = load_one(fixture("politie/politie_47018NED_gm0999_jaar.csv"), area_db, source="politie")
    assert res.status == "geladen", res.report()


def test_unknown_source_option_is_refused() -> None:
    delivery = peek_delivery(fixture("partner/corporatie_goed.csv"))
    with pytest.raises(SourceError, match="onbekende bron 'woningen'"):
        plan_delivery(delivery, Options(source="woningen"))


def test_kwb_year_comes_from_the_table_id_in_the_file_name(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    res = load_one(fixture("bevolking/84583NED_mini.csv"), db)
    assert res.status == "geladen", res.report()
    assert query(db, "SELECT DISTINCT jaar FROM staging.stg_bevolking__kerncijfers") == [(2019,)]
    assert query(db, "SELECT DISTINCT _jaar FROM raw.cbs__kerncijfers") == [(2019,)]


def test_kwb_without_table_id_needs_jaar(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    refused = load_one(fixture("bevolking/kerncijfers_zonder_tabelcode.csv"), db)
    assert refused.status == "afgewezen"
    (issue,) = refused.issues
    assert issue.bericht.startswith(
        "kerncijfers_zonder_tabelcode.csv: een CBS-kerncijferbestand heeft geen jaarkolom. Geef het jaar met --jaar"
    )
    assert "84583NED" in issue.bericht  # how to name the file instead
    assert not db.exists()  # a refusal publishes nothing

    loaded = load_one(fixture("bevolking/kerncijfers_zonder_tabelcode.csv"), db, jaar=2020)
    assert loaded.status == "geladen", loaded.report()
    assert query(db, "SELECT DISTINCT jaar FROM staging.stg_bevolking__kerncijfers") == [(2020,)]


def test_jaar_option_overrides_the_table_id(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert load_one(fixture("bevolking/84583NED_mini.csv"), db, jaar=2020).status == "geladen"
    assert query(db, "SELECT DISTINCT jaar FROM staging.stg_bevolking__kerncijfers") == [(2020,)]


def test_geojson_areas_build_the_area_dimension(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    res = load_one(fixture("gebieden/gebieden_gm0999.geojson"), db)
    assert (res.status, res.kind, res.rows_loaded) == ("geladen", "gebieden", 7)
    dim = query(
        db,
        "SELECT gebied_code, niveau, gebied_naam, gemeente_code, wijk_code, geldig_van, geldig_tot, "
        "geometrie IS NOT NULL FROM marts.dim_gebied ORDER BY gebied_code",
    )
    assert dim == [
        ("BU09990101", "buurt", "Kerkbuurt", "GM0999", "WK099901", None, None, True),
        ("BU09990102", "buurt", "Havenkwartier", "GM0999", "WK099901", None, None, True),
        ("BU09990201", "buurt", "Parkwijk", "GM0999", "WK099902", None, None, True),
        ("BU09990202", "buurt", "Velden", "GM0999", "WK099902", None, None, True),
        ("GM0999", "gemeente", "Fictiedorp", "GM0999", None, None, None, True),
        ("WK099901", "wijk", "Oudstad", "GM0999", None, None, None, True),
        ("WK099902", "wijk", "Nieuwland", "GM0999", None, None, None, True),
    ]


def test_cbs_code_list_is_an_area_division(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    res = load_one(fixture("gebieden/cbs_codelijst_gm0999.csv"), db)
    assert (res.status, res.kind, res.rows_loaded) == ("geladen", "gebieden", 7)
    assert query(db, "SELECT gebied_naam FROM marts.dim_gebied WHERE gebied_code = 'BU09990202'") == [
        ("Velden",)
    ]
    # and partner files can be checked against it
    assert load_one(fixture("politie/politie_47018NED_gm0999_jaar.csv"), db).status == "geladen"


def test_area_codes_are_checked_against_the_division_of_their_year(tmp_path: Path) -> None:
    """BU09990102 exists in 2019 only, BU09990103 from 2020 on: police rows must match the year."""
    db = tmp_path / "w.duckdb"
    bevolking = tmp_path / "bevolking.csv"
    bevolking.write_text(
        "gebied_code;jaar;inwoners\n"
        "GM0999;2019;2000\nWK099901;2019;2000\nBU09990101;2019;1200\nBU09990102;2019;800\n"
        "GM0999;2020;2010\nWK099901;2020;2010\nBU09990101;2020;1210\nBU09990103;2020;800\n",
        encoding="utf-8",
    )
    assert load_one(bevolking, db).status == "geladen"
    assert query(db, "SELECT gebied_code, geldig_van, geldig_tot FROM marts.dim_gebied WHERE niveau = 'buurt' "
                     "ORDER BY 1") == [("BU09990101", None, None), ("BU09990102", None, 2019), ("BU09990103", 2020, None)]  # fmt: skip
    politie = tmp_path / "politie.csv"
    politie.write_text(
        "ID,SoortMisdrijf,WijkenEnBuurten,Perioden,GeregistreerdeMisdrijven_1\n"
        "1,0.0.0 ,BU09990102,2019JJ00,10\n"
        "2,0.0.0 ,BU09990102,2020JJ00,11\n"
        "3,0.0.0 ,BU09990103,2019JJ00,12\n"
        "4,0.0.0 ,BU09990103,2020JJ00,13\n"
        "5,0.0.0 ,BU09990101,2020JJ00,14\n"
        "6,0.0.0 ,,2020JJ00,15\n",
        encoding="utf-8",
    )
    res = load_one(politie, db)
    assert res.status == "afgewezen"
    assert [(i.rij, i.waarde, i.bericht.split(": ")[-1]) for i in res.issues] == [
        (3, "BU09990102", "gebiedscode bestaat niet in de gebiedsindeling van 2020"),
        (4, "BU09990103", "gebiedscode bestaat niet in de gebiedsindeling van 2019"),
        (7, "", "gebiedscode ontbreekt"),  # one message, not also "bestaat niet"
    ]


def test_survey_with_effective_sample_size_loads_into_staging(area_db: Path) -> None:
    """The optional eighth column n_effectief (n / design effect) travels raw -> staging as a number."""
    res = load_one(fixture("partner/enquete_gewogen.csv"), area_db)
    assert res.status == "geladen", res.report()
    rows = query(
        area_db,
        "SELECT gebied_code, variabele, n, n_effectief FROM staging.stg_partner__waarnemingen "
        "WHERE load_id = ? ORDER BY gebied_code, variabele",
        [res.load_id],
    )
    assert rows == [
        ("GM0999", "rapportcijfer_leefbaarheid", 399, 266.0),
        ("WK099901", "onveilig_in_buurt", 212, 151.4),
        ("WK099901", "rapportcijfer_leefbaarheid", 212, 151.4),
        ("WK099902", "onveilig_in_buurt", 187, 187.0),  # n_effectief = n is allowed (no weighting)
        ("WK099902", "rapportcijfer_leefbaarheid", 187, None),  # empty: not delivered
    ]
    assert query(
        area_db,
        "SELECT n_effectief FROM raw.partner__waarnemingen WHERE _load_id = ? AND _rij = 2",
        [res.load_id],
    ) == [("151,4",)]  # raw keeps the text as delivered
    column = query(
        area_db,
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'staging' "
        "AND table_name = 'stg_partner__waarnemingen' AND column_name = 'n_effectief'",
    )
    assert column == [("DOUBLE",)]


def test_seven_column_survey_file_loads_as_before(area_db: Path) -> None:
    res = load_one(fixture("partner/enquete_goed.csv"), area_db)
    assert res.status == "geladen", res.report()
    assert query(
        area_db,
        "SELECT count(*), count(n), count(n_effectief) FROM staging.stg_partner__waarnemingen WHERE load_id = ?",
        [res.load_id],
    ) == [(8, 8, 0)]


def test_older_database_gets_the_effective_sample_size_column(area_db: Path) -> None:
    """A database of schema version 2 has no raw n_effectief: the next load adds it (ensure_schema), and
    the rows loaded before keep their values with n_effectief NULL."""
    import duckdb

    assert load_one(fixture("partner/enquete_goed.csv"), area_db).status == "geladen"
    con = duckdb.connect(str(area_db))
    try:
        con.execute("ALTER TABLE raw.partner__waarnemingen DROP COLUMN n_effectief")
    finally:
        con.close()
    res = load_one(fixture("partner/enquete_gewogen.csv"), area_db)
    assert res.status == "geladen", res.report()
    assert query(
        area_db,
        "SELECT load_id = ?, count(*), count(n_effectief) FROM staging.stg_partner__waarnemingen GROUP BY ALL "
        "ORDER BY 1",
        [res.load_id],
    ) == [(False, 8, 0), (True, 5, 4)]
