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
        "SELECT gebied_code, niveau, gebied_naam, gemeente_code, wijk_code, indeling, "
        "geometrie IS NOT NULL FROM marts.dim_gebied ORDER BY gebied_code",
    )
    assert dim == [  # a GeoJSON without a year: the gemeente's own division, "zonder jaar" (0)
        ("BU09990101", "buurt", "Kerkbuurt", "GM0999", "WK099901", 0, True),
        ("BU09990102", "buurt", "Havenkwartier", "GM0999", "WK099901", 0, True),
        ("BU09990201", "buurt", "Parkwijk", "GM0999", "WK099902", 0, True),
        ("BU09990202", "buurt", "Velden", "GM0999", "WK099902", 0, True),
        ("GM0999", "gemeente", "Fictiedorp", "GM0999", None, 0, True),
        ("WK099901", "wijk", "Oudstad", "GM0999", None, 0, True),
        ("WK099902", "wijk", "Nieuwland", "GM0999", None, 0, True),
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


def test_area_codes_are_checked_against_the_division_the_file_follows(tmp_path: Path) -> None:
    """BU09990102 is in the 2019 division only, BU09990103 in 2020 only. A police file follows one division for
    all its years (as CBS presents every year on one): the one holding most of its codes, the newest on a tie;
    a code of another loaded division is refused with what to do, whatever the row's year."""
    db = tmp_path / "w.duckdb"
    for year, buurten in ((2019, ("BU09990101", "BU09990102")), (2020, ("BU09990101", "BU09990103"))):
        kwb = tmp_path / f"kwb_{year}.csv"
        kwb.write_text(
            "WijkenEnBuurten;AantalInwoners\nGM0999;2000\nWK099901;2000\n"
            + "".join(f"{b};1000\n" for b in buurten),
            encoding="utf-8",
        )
        assert load_one(kwb, db, jaar=year).status == "geladen"
    assert query(db, "SELECT indeling, gebied_code FROM marts.dim_indeling_gebied WHERE niveau = 'buurt' "
                     "ORDER BY ALL") == [(2019, "BU09990101"), (2019, "BU09990102"), (2020, "BU09990101"), (2020, "BU09990103")]  # fmt: skip
    politie = tmp_path / "politie.csv"
    politie.write_text(
        "ID,SoortMisdrijf,WijkenEnBuurten,Perioden,GeregistreerdeMisdrijven_1\n"
        "1,0.0.0 ,BU09990102,2019JJ00,10\n"
        "2,0.0.0 ,BU09990102,2020JJ00,11\n"
        "3,0.0.0 ,BU09990103,2019JJ00,12\n"
        "4,0.0.0 ,BU09990103,2020JJ00,13\n"
        "5,0.0.0 ,BU09990101,2020JJ00,14\n"
        "6,0.0.0 ,,2020JJ00,15\n"
        "7,0.0.0 ,BU09990177,2020JJ00,15\n",
        encoding="utf-8",
    )
    res = load_one(politie, db)
    assert res.status == "afgewezen"
    fouten = [(i.rij, i.waarde, i.bericht.split(": ", 2)[-1]) for i in res.issues if i.ernst == "fout"]
    assert fouten == [
        (
            2,
            "BU09990102",
            "gebiedscode bestaat niet in gebiedsindeling 2020 (die het bestand volgt), wel in een andere geladen "
            "gebiedsindeling: lever één bestand per gebiedsindeling aan, of geef de indeling op met --indeling JAAR",
        ),
        (7, "", "gebiedscode ontbreekt"),  # one message, not also "bestaat niet"
        (
            8,
            "BU09990177",
            "gebiedscode bestaat niet in gebiedsindeling 2020, en ook niet in een andere geladen gebiedsindeling: "
            "laad eerst de gebieden (GeoJSON, CBS-codelijst of kerncijfers) waar deze code in voorkomt",
        ),
    ]
    # the 2019 rows on 2020 codes are fine: the division, not the row's year, decides
    assert not [i for i in res.issues if i.waarde == "BU09990103"]


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
