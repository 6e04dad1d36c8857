"""Conformance: the real third-party files in ../shared/real-data/ load as they are (see its README.txt).

The folder sits beside the repository checkout (CI provides it); it is never copied into the repository.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from etl_helpers import REAL_DATA, find_issue, load_one, query, scalar

from etl.sources import REGISTRY

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REAL_DATA.is_dir(), reason="../shared/real-data not present"),
]


def real(rel: str) -> Path:
    path = REAL_DATA / rel
    if not path.is_file():
        pytest.skip(f"../shared/real-data/{rel} not present")
    return path


def test_politie_47018ned_loads_for_one_gemeente_after_the_cbs_code_list(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    codes = load_one(real("cbs-buurtcodes-ridderkerk/cbs_buurt_namen_85984_2024.csv"), db)
    assert (codes.status, codes.kind) == ("geladen", "gebieden"), codes.report()
    assert codes.rows_loaded == 14574

    res = load_one(
        real("politie-47018NED-jaar/47018NED_typeddataset_first1000rows.csv"), db, gemeente="GM1680"
    )

    assert res.status == "geladen", res.report()
    assert (res.rows, res.rows_loaded) == (1000, 987)
    find_issue(res, "13 rijen buiten gemeente GM1680 overgeslagen", "NL00", ernst="waarschuwing")
    # padded codes trimmed, '0.0.0 ' trimmed, the years 2012-2024 as yearly periods
    assert query(
        db,
        "SELECT niveau, count(*) FROM staging.stg_politie__misdrijven GROUP BY ALL ORDER BY ALL",
    ) == [("buurt", 701), ("gemeente", 13), ("wijk", 273)]
    assert query(
        db,
        "SELECT aantal FROM staging.stg_politie__misdrijven "
        "WHERE gebied_code = 'GM1680' AND periode = '2012JJ00' AND soort_misdrijf = '0.0.0'",
    ) == [(889,)]
    assert scalar(db, "SELECT count(DISTINCT periode_type) FROM staging.stg_politie__misdrijven") == 1


def test_kwb_2019_amsterdam_and_den_haag_load_as_bevolking(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ams = load_one(real("cbs-kwb-84583NED-2019/84583NED_amsterdam_2019_allcolumns.csv"), db)
    dh = load_one(real("cbs-kwb-84583NED-2019/84583NED_denhaag_2019_subset.csv"), db)

    assert (ams.status, ams.kind, ams.rows_loaded) == ("geladen", "bevolking", 579), ams.report()
    assert (dh.status, dh.kind, dh.rows_loaded) == ("geladen", "bevolking", 159), dh.report()
    assert not any(i.ernst == "waarschuwing" and "Woningvoorraad" in i.bericht for i in ams.issues)
    find_issue(dh, "kolom Woningvoorraad ontbreekt", ernst="waarschuwing")
    # year 2019 from the table id 84583NED in the file name
    assert query(db, "SELECT DISTINCT jaar FROM staging.stg_bevolking__kerncijfers") == [(2019,)]
    assert query(
        db,
        "SELECT inwoners, woningen IS NOT NULL, gemeentenaam FROM staging.stg_bevolking__kerncijfers "
        "WHERE gebied_code = 'GM0363'",
    ) == [(862965, True, "Amsterdam")]
    assert (
        scalar(
            db,
            "SELECT count(*) FROM staging.stg_bevolking__kerncijfers WHERE gebied_code LIKE '%0518%' "
            "AND woningen IS NOT NULL",
        )
        == 0
    )
    assert query(
        db, "SELECT inwoners FROM staging.stg_bevolking__kerncijfers WHERE gebied_code = 'GM0518'"
    ) == [(537833,)]
    # Amsterdam's letter codes (BU0363FE03) are valid codes; the padded zeros ("       0") stay 0
    assert scalar(db, "SELECT count(*) FROM marts.dim_gebied WHERE gebied_code LIKE 'BU0363%'") > 400
    assert query(db, "SELECT count(*) FILTER (inwoners = 0), count(*) FILTER (inwoners IS NULL) "
                     "FROM staging.stg_bevolking__kerncijfers") == [(22 + 4, 0)]  # fmt: skip


def test_leefbaarometer_amstelveen_with_unnamed_index_column(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    path = real("leefbaarometer-3-wijk-amstelveen/AmstelveenDataWithDimensions.csv")
    assert path.read_text(encoding="utf-8").startswith("1,wk_code,")

    res = load_one(path, db)

    assert (res.status, res.kind, res.rows_loaded) == ("geladen", "leefbaarometer", 56), res.report()
    assert query(db, "SELECT DISTINCT jaar FROM staging.stg_leefbaarometer__scores ORDER BY 1") == [
        (2014,),
        (2018,),
        (2020,),
        (2022,),
    ]
    assert query(
        db,
        "SELECT gebied_code, niveau, gebied_naam, round(lbm, 6) FROM staging.stg_leefbaarometer__scores "
        "WHERE gebied_code = 'WK036201' AND jaar = 2014",
    ) == [("WK036201", "wijk", "Randwijck", 4.2706)]
    assert scalar(db, "SELECT count(DISTINCT gebied_code) FROM staging.stg_leefbaarometer__scores") == 14


def test_breda_geojson_with_code_template(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    path = real("breda-buurten-geojson/Breda_Buurten_gemeente.geojson")
    refused = load_one(path, db)  # no code property: the message says how to build one
    assert refused.status == "afgewezen"
    assert "--code 'BU{GEMEENTECODE}{BUURTCODE}'" in refused.issues[0].bericht

    res = load_one(path, db, code_template="BU{GEMEENTECODE}{BUURTCODE}", naam_template="{BUURT}")

    assert (res.status, res.rows_loaded) == ("geladen", 56), res.report()
    assert query(db, "SELECT gebied_naam, geometrie IS NOT NULL FROM marts.dim_gebied "
                     "WHERE gebied_code = 'BU07580601'") == [("Kievitsloop", True)]  # fmt: skip
    assert scalar(db, "SELECT count(*) FROM marts.dim_gebied WHERE niveau = 'buurt'") == 56
    assert scalar(db, "SELECT count(*) FROM marts.dim_gebied WHERE gebied_code = 'GM0758'") == 1
    assert query(db, "SELECT opmerking FROM meta.loads WHERE load_id = ?", [res.load_id])[0][0] == (
        '{"code_template": "BU{GEMEENTECODE}{BUURTCODE}", "naam_template": "{BUURT}"}'
    )


def test_soort_misdrijf_registry_equals_the_cbs_code_list() -> None:
    path = real("politie-soortmisdrijf-codes/47022NED_SoortMisdrijf_codelist.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        published = {}
        for row in csv.DictReader(f, delimiter=";"):
            key = row["Key"].strip()
            title = row["Title"].strip()
            published[key] = title.removeprefix(key).strip()  # titles repeat the code: "1.1.1 Diefstal/..."
    registry = yaml.safe_load((REGISTRY / "soort_misdrijf.yaml").read_text(encoding="utf-8"))["codes"]
    assert len(published) == 59  # README says 60 codes; the file holds 59, as does the registry
    assert registry == published
