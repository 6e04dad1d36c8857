"""Reading files as partners deliver them: separators, BOM, decimal comma, cp1252, title rows, padding, '.'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from etl_helpers import find_issue, fixture, load, load_one, query, scalar, warnings


def test_semicolon_bom_and_decimal_comma_give_numbers_in_staging(area_db: Path) -> None:
    res = load_one(fixture("partner/enquete_goed.csv"), area_db)
    assert res.status == "geladen", res.report()
    assert res.rows_loaded == 8
    rows = query(
        area_db,
        "SELECT gebied_code, periode, periode_type, variabele, waarde, n, sd FROM staging.stg_partner__waarnemingen "
        "WHERE jaar = 2019 AND gebied_code LIKE 'WK%' ORDER BY gebied_code, variabele",
    )
    assert rows == [
        ("WK099901", "2019", "jaar", "onveilig_in_buurt", 18.5, 212, None),
        ("WK099901", "2019", "jaar", "rapportcijfer_leefbaarheid", 7.3, 212, 1.41),
        ("WK099902", "2019", "jaar", "onveilig_in_buurt", 21.0, 187, None),
        ("WK099902", "2019", "jaar", "rapportcijfer_leefbaarheid", 7.0, 187, 1.52),
    ]
    # raw keeps the text as delivered; the BOM did not end up in the first column name or value
    assert query(area_db, "SELECT bron, waarde, sd FROM raw.partner__waarnemingen ORDER BY _rij LIMIT 1") == [
        ("enquete", "7,3", "1,41")
    ]
    validatie = json.loads(
        scalar(area_db, "SELECT validatie FROM meta.loads WHERE load_id = ?", [res.load_id])
    )
    assert validatie["bestand"]["scheidingsteken"] == ";"
    assert validatie["bestand"]["codering"] == "utf-8"
    assert validatie["bestand"]["kolommen"][0] == "bron"


def test_cp1252_file_loads_with_accents_intact(area_db: Path) -> None:
    path = fixture("gebieden/cbs_codelijst_cp1252.csv")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")  # the fixture really is cp1252
    res = load_one(path, area_db)
    assert res.status == "geladen", res.report()
    find_issue(res, "Windows-1252 (cp1252)", ernst="waarschuwing")
    names = dict(query(area_db, "SELECT gebied_code, gebied_naam FROM raw.gebieden__gebieden WHERE _load_id = ?",
                       [res.load_id]))  # fmt: skip
    assert names["BU09990101"] == "Cafébuurt"
    assert names["BU09990102"] == "Hävenkwartier"
    assert names["BU09990202"] == "Velden – Zuid"  # 0x96 is an en dash in cp1252
    # the newest area file names the buurt on the dashboard
    assert (
        scalar(area_db, "SELECT gebied_naam FROM marts.dim_gebied WHERE gebied_code = 'BU09990101'")
        == "Cafébuurt"
    )
    validatie = json.loads(
        scalar(area_db, "SELECT validatie FROM meta.loads WHERE load_id = ?", [res.load_id])
    )
    assert validatie["bestand"]["codering"] == "cp1252"


def test_xlsx_title_rows_are_skipped_and_rows_are_excel_rows(area_db: Path) -> None:
    res = load_one(fixture("partner/corporatie_titelregels.xlsx"), area_db)
    assert res.status == "geladen", res.report()
    assert [w.bericht for w in warnings(res)] == [
        "corporatie_titelregels.xlsx: 2 titelregel(s) boven de kop overgeslagen"
    ]
    assert query(area_db, "SELECT _rij, gebied_code, variabele, waarde FROM raw.partner__waarnemingen ORDER BY _rij") == [
        (4, "BU09990101", "huurwoningen", "314"),
        (5, "BU09990101", "overlastmeldingen", "11"),
        (6, "BU09990102", "huurwoningen", "152"),
        (7, "BU09990102", "overlastmeldingen", "5"),
        (8, "BU09990201", "huurwoningen", "423"),
    ]  # fmt: skip
    assert query(area_db, "SELECT periode, periode_type, periode_nr, waarde FROM staging.stg_partner__waarnemingen "
                          "WHERE rij = 4") == [("2020-H1", "halfjaar", 1, 314.0)]  # fmt: skip
    validatie = json.loads(
        scalar(area_db, "SELECT validatie FROM meta.loads WHERE load_id = ?", [res.load_id])
    )
    assert validatie["bestand"]["formaat"] == "xlsx"
    assert validatie["bestand"]["kopregel"] == 3


def test_politie_padded_codes_are_trimmed_and_dot_is_null_not_zero(area_db: Path) -> None:
    res = load_one(fixture("politie/politie_47022NED_gm0999_maand.csv"), area_db)
    assert res.status == "geladen", res.report()
    assert res.rows_loaded == 10
    # raw is as delivered (padded) ...
    assert query(area_db, "SELECT \"SoortMisdrijf\", \"WijkenEnBuurten\", \"GeregistreerdeMisdrijven\" "
                          "FROM raw.politie__misdrijven WHERE _rij = 2") == [("0.0.0 ", "GM0999    ", "      25")]  # fmt: skip
    # ... staging is trimmed and typed
    rows = query(
        area_db,
        "SELECT rij, gebied_code, niveau, soort_misdrijf, periode, jaar, periode_type, maand, aantal "
        "FROM staging.stg_politie__misdrijven ORDER BY rij",
    )
    assert rows[0] == (2, "GM0999", "gemeente", "0.0.0", "2019MM01", 2019, "maand", 1, 25)
    by_line = {r[0]: r for r in rows}
    assert by_line[7][1:4] == ("BU09990102", "buurt", "1.1.1") and by_line[7][8] is None  # "."
    assert by_line[11][1:] == ("BU09990201", "buurt", "1.1.1", "2019MM02", 2019, "maand", 2, 0)  # a real 0
    assert scalar(area_db, "SELECT count(*) FROM staging.stg_politie__misdrijven WHERE aantal IS NULL") == 1


def test_politie_yearly_comma_file(area_db: Path) -> None:
    res = load_one(fixture("politie/politie_47018NED_gm0999_jaar.csv"), area_db)
    assert res.status == "geladen", res.report()
    rows = query(
        area_db,
        "SELECT gebied_code, periode, jaar, periode_type, maand, aantal FROM staging.stg_politie__misdrijven "
        "WHERE soort_misdrijf = '1.1.1' ORDER BY gebied_code",
    )
    assert rows == [
        ("BU09990101", "2019JJ00", 2019, "jaar", None, 4),
        ("BU09990102", "2019JJ00", 2019, "jaar", None, None),
    ]
    assert scalar(area_db, "SELECT sum(aantal) FROM staging.stg_politie__misdrijven WHERE periode = '2019JJ00' "
                           "AND soort_misdrijf = '0.0.0' AND niveau = 'wijk'") == 290  # fmt: skip


def test_kwb_quoted_padded_file_with_secret_value(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    res = load_one(fixture("bevolking/84583NED_mini.csv"), db)  # bevolking needs no area division first
    assert res.status == "geladen", res.report()
    rows = query(
        db,
        "SELECT gebied_code, niveau, jaar, inwoners, huishoudens, woningen, gemeentenaam, variant "
        "FROM staging.stg_bevolking__kerncijfers ORDER BY rij",
    )
    assert rows[0] == ("GM0999", "gemeente", 2019, 4000, 1820, 1910, "Fictiedorp", "cbs-kwb")
    assert rows[-1] == ("BU09990202", "buurt", 2019, 500, None, 220, "Fictiedorp", "cbs-kwb")  # '.' = secret
    assert len(rows) == 7
    # the KWB file is an area division: dim_gebied knows the hierarchy and takes the gemeente name from it
    dim = query(db, "SELECT gebied_code, niveau, gebied_naam, gemeente_code, wijk_code FROM marts.dim_gebied "
                    "ORDER BY gebied_code")  # fmt: skip
    assert dim[0] == ("BU09990101", "buurt", "BU09990101", "GM0999", "WK099901")
    assert ("GM0999", "gemeente", "Fictiedorp", "GM0999", None) in dim
    assert len(dim) == 7


def test_partner_period_codes_in_staging(area_db: Path) -> None:
    """Quarterly (also written in lower case) and monthly periods get their type and number."""
    results = load([fixture("partner/welzijn_goed.csv"), fixture("partner/gemeente_goed.csv")], area_db)
    gemeente, welzijn = results  # one batch, in name order
    assert (gemeente.path.name, welzijn.path.name) == ("gemeente_goed.csv", "welzijn_goed.csv")
    assert (welzijn.status, gemeente.status) == ("geladen", "geladen")
    rows = query(
        area_db,
        "SELECT bron, niveau, periode, periode_type, periode_nr, count(*) FROM staging.stg_partner__waarnemingen "
        "GROUP BY ALL ORDER BY ALL",
    )
    assert rows == [
        ("gemeente", "buurt", "2019-01", "maand", 1, 4),
        ("gemeente", "buurt", "2019-02", "maand", 2, 4),
        ("welzijn", "wijk", "2019-Q1", "kwartaal", 1, 4),
        ("welzijn", "wijk", "2019-Q2", "kwartaal", 2, 4),
    ]
    # who delivered it comes from the registry (shown in provenance)
    partners = query(area_db, "SELECT load_id, partner FROM meta.loads WHERE load_id IN (?, ?) ORDER BY 1",
                     [welzijn.load_id, gemeente.load_id])  # fmt: skip
    assert [p for _, p in partners] == ["gemeente", "welzijnsorganisatie"]
