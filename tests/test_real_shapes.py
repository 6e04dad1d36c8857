"""The file shapes people really have (tests/fixtures/shapes/README.md): each is loaded end to end or refused
with a Dutch message that says which export to use instead (docs/data-formats.md, "Welke exports worden
gelezen").

The fixtures are written in the exact shape of their writers (cbsodata, cbsodataR, PDOK, ogr2ogr, StatLine,
Leefbaarometer 2.0), with the codes and names of Ridderkerk (GM0597).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from etl_helpers import FIXTURES, data_snapshot, find_issue, load_one, query, scalar, warnings

from etl import LoadResult

SHAPES = FIXTURES / "shapes"
ENGINE_TEXT = re.compile(r"Traceback|Binder Error|Parser Error|duckdb|Exception", re.IGNORECASE)


def shape(rel: str) -> Path:
    path = SHAPES / rel
    assert path.is_file(), f"fixture ontbreekt: {path}"
    return path


def refused(path: Path, db: Path, **opts: object) -> str:
    """Load ``path`` into ``db``: refused with one Dutch message (returned without the file name), data unchanged."""
    before = data_snapshot(db) if db.exists() else None
    res = load_one(path, db, **opts)
    assert res.status == "afgewezen", res.report()
    assert res.rows_loaded == 0
    assert "de database is niet gewijzigd" in res.report()
    (issue,) = [i for i in res.issues if i.ernst == "fout"]
    assert issue.bericht.startswith(f"{path.name}: "), issue.bericht
    assert not ENGINE_TEXT.search(issue.bericht), issue.bericht
    if before is None:
        assert not db.exists()  # a refusal publishes nothing
    else:
        assert data_snapshot(db) == before
    return issue.bericht.removeprefix(f"{path.name}: ")


def loaded(path: Path, db: Path, rows: int, kind: str, **opts: object) -> LoadResult:
    res = load_one(path, db, **opts)
    assert (res.status, res.kind, res.rows_loaded) == ("geladen", kind, rows), res.report()
    return res


@pytest.fixture
def ridderkerk_db(tmp_path: Path) -> Path:
    """The area division of Ridderkerk from the code list as cbsodataR writes it (85984NED, NL00 skipped)."""
    db = tmp_path / "w.duckdb"
    loaded(shape("cbsodataR/85984NED/WijkenEnBuurten.csv"), db, 17, "gebieden", gemeente="GM0597")
    return db


# ------------------------------------------------------------------------------------------- code lists


def test_python_cbsodata_code_list_key_title_loads(tmp_path: Path) -> None:
    """cbsodata.get_meta('85984NED', 'WijkenEnBuurten') via pandas: index column, Key padded to 10."""
    db = tmp_path / "w.duckdb"
    res = loaded(shape("cbsodata_85984NED_WijkenEnBuurten.csv"), db, 13, "gebieden")
    assert query(db, "SELECT variant FROM meta.loads WHERE load_id = ?", [res.load_id]) == [
        ("cbs-codelijst",)
    ]
    assert query(
        db,
        "SELECT gebied_code, niveau, gebied_naam FROM marts.dim_gebied WHERE gebied_code LIKE '%0597%02%' "
        "OR gebied_code = 'GM0597' ORDER BY 1",
    ) == [("BU05970200", "buurt", "West"), ("GM0597", "gemeente", "Ridderkerk"), ("WK059702", "wijk", "West")]
    # the padded keys are stored trimmed
    assert scalar(db, "SELECT count(*) FROM staging.stg_gebieden__gebieden WHERE gebied_code LIKE '% %'") == 0


def test_cbsodatar_code_list_with_nederland_loads_for_one_gemeente(tmp_path: Path) -> None:
    """cbsodataR's WijkenEnBuurten.csv (write.csv: quoted, NA empty, CRLF) starts with NL00 (Nederland)."""
    db = tmp_path / "w.duckdb"
    path = shape("cbsodataR/85984NED/WijkenEnBuurten.csv")
    res = load_one(path, db)
    assert res.status == "afgewezen"
    issue = find_issue(res, "geen geldige CBS-gebiedscode")
    assert (issue.rij, issue.kolom, issue.waarde) == (2, "Key", "NL00")
    assert "laadt u per gemeente met --gemeente GM0597" in issue.bericht  # says what to do
    assert not db.exists()
    # a gemeente the file does not hold would load nothing: refused, not "geladen: 0 rijen"
    assert "geen enkele rij hoort bij gemeente GM0363" in refused(path, db, gemeente="GM0363")

    res = loaded(path, db, 17, "gebieden", gemeente="GM0597")
    find_issue(res, "1 rijen buiten gemeente GM0597 overgeslagen", "NL00", ernst="waarschuwing")
    assert query(db, "SELECT niveau, count(*) FROM marts.dim_gebied GROUP BY ALL ORDER BY ALL") == [
        ("buurt", 8),
        ("gemeente", 1),
        ("wijk", 8),
    ]
    assert query(db, "SELECT gebied_naam FROM marts.dim_gebied WHERE gebied_code = 'BU05970700'") == [
        ("Bolnes",)
    ]


def test_code_list_of_another_dimension_is_refused(tmp_path: Path) -> None:
    """SoortMisdrijf as Key;Title (BOM, ';', keys padded to 6) is a code list, but not of areas."""
    message = refused(shape("47022NED_SoortMisdrijf_Key_Title.csv"), tmp_path / "w.duckdb")
    assert message == (
        "de kolom 'Key' bevat geen gebiedscodes (zoals GM0597, WK059701 of BU05970100) maar bijv. '0.0.0': "
        "dit is geen CBS-codelijst van wijken en buurten. Een codelijst van een andere dimensie (zoals "
        "SoortMisdrijf of Perioden) hoeft niet geladen te worden; lever voor de gebiedsindeling de codelijst "
        "WijkenEnBuurten (kolommen Key of Identifier, en Title)."
    )


# ------------------------------------------------------------------------------------ cbsodataR data


def test_cbsodatar_police_data_loads(ridderkerk_db: Path) -> None:
    """cbs_download_data('47018NED'): unquoted numbers, NA empty, padded codes, blank names on zero rows."""
    res = loaded(shape("cbsodataR/47018NED/data.csv"), ridderkerk_db, 12, "politie")
    rows = query(
        ridderkerk_db,
        "SELECT gebied_code, niveau, soort_misdrijf, periode, aantal FROM staging.stg_politie__misdrijven "
        "WHERE load_id = ? ORDER BY rij",
        [res.load_id],
    )
    assert rows[:6] == [
        ("GM0597", "gemeente", "0.0.0", "2019JJ00", 2370),
        ("GM0597", "gemeente", "0.0.0", "2020JJ00", 2189),
        ("WK059701", "wijk", "0.0.0", "2019JJ00", 581),
        ("WK059701", "wijk", "0.0.0", "2020JJ00", None),  # NA, written empty: not published, never 0
        ("BU05970100", "buurt", "0.0.0", "2019JJ00", 580),
        ("BU05970100", "buurt", "0.0.0", "2020JJ00", None),
    ]
    assert rows[-4:] == [
        ("BU05970200", "buurt", "1.1.1", "2019JJ00", 0),  # zero rows have blank names: still loaded
        ("BU05970300", "buurt", "1.1.1", "2019JJ00", 0),
        ("BU05970100", "buurt", "2.6.10", "2019JJ00", 7),
        ("BU05970300", "buurt", "2.6.10", "2019JJ00", 0),
    ]


def test_cbsodatar_kwb_loads_with_the_year_from_its_folder(tmp_path: Path) -> None:
    """cbs_download_data('84583NED') writes 84583NED/data.csv: the table id (2019) is in the folder's name."""
    db = tmp_path / "w.duckdb"
    res = loaded(shape("cbsodataR/84583NED/data.csv"), db, 9, "bevolking")
    assert not warnings(res)
    assert query(
        db,
        "SELECT gebied_code, jaar, inwoners, huishoudens, woningen, gemeentenaam "
        "FROM staging.stg_bevolking__kerncijfers ORDER BY rij",
    ) == [
        ("GM0597", 2019, 46015, 20790, 21274, "Ridderkerk"),
        ("WK059701", 2019, 4330, 2250, 2391, "Ridderkerk"),
        ("BU05970100", 2019, 4330, 2250, 2391, "Ridderkerk"),
        ("WK059702", 2019, 3485, 1715, 1790, "Ridderkerk"),
        ("BU05970200", 2019, 3485, 1715, 1790, "Ridderkerk"),
        ("WK059703", 2019, 6085, 2745, 2810, "Ridderkerk"),
        ("BU05970300", 2019, 6085, None, 2810, "Ridderkerk"),  # NA: empty, unquoted
        ("WK059712", 2019, 0, 0, 0, "Ridderkerk"),
        ("BU05971200", 2019, 0, 0, 0, None),  # a blank (padded) name is no name
    ]
    assert query(db, "SELECT gebied_naam FROM marts.dim_gebied WHERE gebied_code = 'GM0597'") == [
        ("Ridderkerk",)
    ]


@pytest.mark.parametrize("gemeente", [None, "GM0597"])
def test_python_cbsodata_data_with_names_instead_of_codes_is_refused(
    ridderkerk_db: Path, gemeente: str | None
) -> None:
    """cbsodata.get_data replaces the codes of the dimensions by their titles ('Ridderkerk', '2019'). With
    --gemeente the whole file is judged, not the (no) rows of that gemeente: it is refused, not loaded empty."""
    message = refused(shape("cbsodata_47018NED_get_data.csv"), ridderkerk_db, gemeente=gemeente)
    assert message.startswith(
        "de kolom 'WijkenEnBuurten' bevat namen in plaats van CBS-gebiedscodes (bijv. 'Ridderkerk'). Zo schrijft "
        "bijvoorbeeld het Python-pakket cbsodata de tabel weg"
    )
    assert "'TypedDataSet' van de open-data-API (OData) van CBS" in message


def test_police_extract_without_crime_type_and_period_is_refused(ridderkerk_db: Path) -> None:
    """One crime type and one year written by pandas: the columns that say which are gone."""
    message = refused(shape("pandas_47018NED_uittreksel.csv"), ridderkerk_db)
    assert message == (
        "dit lijkt een uittreksel van de politiecijfers (WijkenEnBuurten, GeregistreerdeMisdrijven), maar de "
        "kolom(men) SoortMisdrijf en Perioden ontbreken: dan is niet te zien over welke soort misdrijf en welke "
        "periode een cijfer gaat. Lever de tabel 47018NED (per jaar) of 47022NED (per maand) zoals de "
        "open-data-API van CBS hem geeft (de 'TypedDataSet', met de kolommen SoortMisdrijf, WijkenEnBuurten, "
        "Perioden en GeregistreerdeMisdrijven_1)."
    )


# --------------------------------------------------------------------------------------------- GeoJSON


def test_pdok_buurten_layer_takes_the_buurtcode(tmp_path: Path) -> None:
    """A PDOK buurten layer has buurtcode AND wijkcode AND gemeentecode per feature: the code is the buurtcode."""
    db = tmp_path / "w.duckdb"
    res = loaded(shape("pdok_wijkenbuurten_2023_buurten.geojson"), db, 6, "gebieden")
    assert query(
        db,
        "SELECT gebied_code, niveau, gebied_naam, geometrie IS NOT NULL FROM staging.stg_gebieden__gebieden "
        "ORDER BY rij",
    ) == [
        ("BU05970100", "buurt", "Centrum", True),
        ("BU05970200", "buurt", "West", True),
        ("BU05970300", "buurt", "Oost", True),
        ("BU05970400", "buurt", "Drievliet", True),
        ("BU05970500", "buurt", "Het Zand", True),
        ("BU05970600", "buurt", "Slikkerveer", True),
    ]
    templates = json.loads(scalar(db, "SELECT opmerking FROM meta.loads WHERE load_id = ?", [res.load_id]))
    assert templates["code_template"] == "{buurtcode}, anders {wijkcode}, anders {gemeentecode}"
    # every property is kept, the secret value (-99999999) too
    props = json.loads(scalar(db, "SELECT eigenschappen FROM raw.gebieden__gebieden WHERE _rij = 5"))
    assert props["gemiddeldeWoningwaarde"] == -99999999 and props["water"] == "NEE"


def test_pdok_wijken_layer_with_camel_case_properties(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    loaded(shape("pdok_wijkenbuurten_2023_wijken.geojson"), db, 5, "gebieden")
    assert query(
        db, "SELECT gebied_code, niveau, gebied_naam FROM staging.stg_gebieden__gebieden ORDER BY 1"
    ) == [
        ("WK059701", "wijk", "Centrum"),
        ("WK059702", "wijk", "West"),
        ("WK059703", "wijk", "Oost"),
        ("WK059704", "wijk", "Drievliet"),
        ("WK059705", "wijk", "Het Zand"),
    ]


def test_merged_wijk_en_buurtkaart_takes_the_finest_level_of_each_feature(tmp_path: Path) -> None:
    """gemeente, wijk and buurt shapefiles (BU_CODE, WK_CODE, GM_CODE upper case) merged into one file."""
    db = tmp_path / "w.duckdb"
    loaded(shape("cbs_wijkbuurtkaart_2019_samengevoegd.geojson"), db, 7, "gebieden", jaar=2019)
    assert query(
        db, "SELECT gebied_code, niveau, gebied_naam, jaar FROM staging.stg_gebieden__gebieden ORDER BY rij"
    ) == [
        ("GM0597", "gemeente", "Ridderkerk", 2019),
        ("WK059701", "wijk", "Centrum", 2019),
        ("BU05970100", "buurt", "Centrum", 2019),
        ("WK059702", "wijk", "West", 2019),
        ("BU05970200", "buurt", "West", 2019),
        ("WK059703", "wijk", "Oost", 2019),
        ("BU05970300", "buurt", "Oost", 2019),
    ]


def test_municipal_code_with_a_cbs_code_property_says_which_to_use(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    path = shape("gemeente_buurten_code_en_cbsCode.geojson")
    message = refused(path, db)
    assert message == (
        "de eigenschap 'code' bevat geen CBS-gebiedscodes (zoals GM0597, WK059701 of BU05970100) maar bijv. '01'; "
        "de eigenschap 'cbsCode' bevat wel CBS-gebiedscodes (bijv. 'BU05970100'). Laad het bestand met "
        "--code '{cbsCode}'."
    )

    assert refused(path, db, gemeente="GM0597") == message  # the whole file, not the rows of GM0597

    loaded(path, db, 5, "gebieden", code_template="{cbsCode}")
    assert query(
        db, "SELECT gebied_code, gebied_naam FROM marts.dim_gebied WHERE niveau = 'buurt' ORDER BY 1"
    )[:2] == [("BU05970100", "Centrum"), ("BU05970200", "West")]


def test_missing_code_property_lists_exactly_what_was_searched(tmp_path: Path) -> None:
    path = tmp_path / "kaart.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"BUURT": "Centrum", "NR": 1}, "geometry": None}
                ],
            }
        ),
        encoding="utf-8",
    )
    message = refused(path, tmp_path / "w.duckdb")
    assert message.startswith(
        "geen eigenschap met de gebiedscode gevonden (gezocht, hoofdletters maken niet uit: gebied_code, code, "
        "statcode, buurtcode, bu_code, wijkcode, wk_code, gemeentecode, gm_code). Geef aan hoe de CBS-code "
        "wordt samengesteld"
    )
    assert message.endswith("Eigenschappen in het bestand: BUURT, NR")


# --------------------------------------------------------------------------------- refused exports

STATLINE_POLITIE = (
    "Lever de politiecijfers zoals de open-data-API van CBS ze geeft: de 'TypedDataSet' (OData) van tabel "
    "47018NED (per jaar) of 47022NED (per maand), met de kolommen SoortMisdrijf, WijkenEnBuurten, Perioden en "
    "GeregistreerdeMisdrijven_1, bijvoorbeeld met het R-pakket cbsodataR (cbs_download_data). Zie docs/data-formats.md."
)


@pytest.mark.parametrize(
    ("rel", "columns"),
    [
        (
            "statline_47018NED_tabelweergave.csv",  # title line above the header, "Bron: CBS" below the data
            "Soort misdrijf, Wijken en buurten, Perioden, Geregistreerde misdrijven (aantal)",
        ),
        (
            "statline_politie_plaatsen.csv",  # as data.politie.nl writes it
            "Soort misdrijf, Plaatsen, Perioden, Geregistreerde misdrijven (aantal)",
        ),
    ],
)
def test_statline_table_view_of_police_figures_is_refused(
    ridderkerk_db: Path, rel: str, columns: str
) -> None:
    message = refused(shape(rel), ridderkerk_db)
    assert message == (
        f"dit is een download van een tabel zoals StatLine hem op het scherm toont (kolommen {columns}): de "
        "kolommen hebben hun schermnaam en de gebieden staan er met hun naam in, niet met hun CBS-code. Zo'n "
        "bestand kan niet gelezen worden. " + STATLINE_POLITIE
    )


def test_statline_table_view_of_kwb_is_refused(ridderkerk_db: Path) -> None:
    message = refused(shape("statline_84583NED_tabelweergave.csv"), ridderkerk_db)
    assert message.startswith(
        "dit is een download van een tabel zoals StatLine hem op het scherm toont (kolommen Wijken en buurten, "
        "Gemeentenaam (naam), Soort regio (omschrijving), Codering (code), … (7 in totaal))"
    )
    assert (
        "Lever de Kerncijfers wijken en buurten zoals de open-data-API van CBS ze geeft: de 'TypedDataSet' (OData) "
        "van de tabel van dat jaar (bijv. 84583NED voor 2019), met de kolommen WijkenEnBuurten, AantalInwoners_5"
    ) in message


LBM3 = (
    "De Wijkmonitor leest alleen de Leefbaarometer 3.0: download bij leefbaarometer.nl de open data "
    "'Leefbaarometer 3.0' per buurt, wijk of gemeente, met de kolommen bu_code, wk_code of gm_code, jaar, lbm, "
    "afw, fys, onv, soc, vrz en won (de 3.0-reeks bevat ook eerdere jaren, zoals 2014 en 2018)."
)


@pytest.mark.parametrize(
    ("rel", "columns"),
    [
        ("leefbaarometer_2_0_buurten_klassen.csv", "KL12, KL14, KL16, KL18"),
        # lbm, jaar and wk_code: without the refusal it would be taken for a 3.0 file
        ("leefbaarometer_2_0_scores_dimensies.csv", "dimwon, dimbev, dimvrz, dimvei, dimfys"),
    ],
)
def test_leefbaarometer_2_is_refused(ridderkerk_db: Path, rel: str, columns: str) -> None:
    message = refused(shape(rel), ridderkerk_db)
    assert message == (
        f"dit is een bestand van de Leefbaarometer 2.0 (kolommen {columns}): die heeft andere dimensies en een "
        "andere schaal dan de Leefbaarometer 3.0, en de scores zijn niet met elkaar te vergelijken. " + LBM3
    )


def test_every_shape_is_described_and_tested() -> None:
    readme = (SHAPES / "README.md").read_text(encoding="utf-8")
    files = {
        p.relative_to(SHAPES).as_posix() for p in SHAPES.rglob("*") if p.is_file() and p.name != "README.md"
    }
    described = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
    assert described == files
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{f}"' in source for f in files)


def test_r_writes_na_for_a_missing_number_and_it_is_read_as_missing(tmp_path: Path) -> None:
    """write.csv(cbs_get_data(...)) without na = "": a missing count is the text NA, read as not published
    (NULL, never 0), as "." and an empty cell are."""
    db = tmp_path / "w.duckdb"
    assert (
        load_one(shape("cbsodataR/85984NED/WijkenEnBuurten.csv"), db, gemeente="GM0597").status == "geladen"
    )
    src = shape("cbsodataR/47018NED/data.csv").read_text(encoding="utf-8")
    na = tmp_path / "47018NED_na.csv"
    na.write_text(src.replace('"WK059701  ","2020JJ00",,', '"WK059701  ","2020JJ00",NA,'), encoding="utf-8")
    assert "NA," in na.read_text(encoding="utf-8")
    res = load_one(na, db)
    assert res.status == "geladen", res.report()
    assert query(
        db,
        "SELECT aantal FROM staging.stg_politie__misdrijven WHERE gebied_code = 'WK059701' AND periode = '2020JJ00'",
    ) == [(None,)]
