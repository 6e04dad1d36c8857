"""Area divisions (gebiedsindelingen): files on different divisions, analysed on one (etl/indeling.py).

The fixtures in tests/fixtures/indelingen/ describe Fictiedorp (GM0999) on two CBS divisions: in 2019 buurt
BU09990102 (Havenkwartier, 2,000 inhabitants); in 2024 it is split into BU09990103 (West, a quarter of it) and
BU09990104 (Oost, three quarters). BU09990101 (1,000) and BU09990201 (1,500) keep their codes. The police figures
(47018NED) are on the 2024 division for every year, as CBS publishes them; the population (KWB 2019) is on 2019.

Hand-computed, misdrijven per 1,000 inwoners on the 2024 division:
    BU09990103  2019: 10 / (0.25 x 2000) x 1000 = 20.0     2023: 12 / 500 x 1000 = 24.0 (noemer uit 2019)
    BU09990104  2019: 30 / (0.75 x 2000) x 1000 = 20.0     2023: 24 / 1500 x 1000 = 16.0
    BU09990101  2019: 20 / 1000 x 1000 = 20.0              2023: 18.0
    WK099901    2019: (20 + 10 + 30) / 3000 x 1000 = 20.0  2023: (18 + 12 + 24) / 3000 x 1000 = 18.0
"""

from __future__ import annotations

from pathlib import Path

import pytest
from etl_helpers import REAL_DATA, data_snapshot, fixture, load, load_one, query

from wijkmonitor.cli import main

KWB_2019 = "indelingen/kwb_84583NED_2019_gm0999.csv"
CODES_2024 = "indelingen/cbs_buurten_2024_gm0999.csv"
CROSSWALK = "indelingen/omzetting_2019_2024_gm0999.csv"
POLITIE_2024 = "indelingen/politie_47018NED_indeling2024_gm0999.csv"
GEO_2019 = "indelingen/gebieden_2019_gm0999.geojson"
GEO_2024 = "indelingen/gebieden_2024_gm0999.geojson"
INDICATOR = "misdrijven_per_1000_inwoners"

EXPECTED = {
    ("BU09990101", 2019): 20.0,
    ("BU09990101", 2023): 18.0,
    ("BU09990103", 2019): 20.0,
    ("BU09990103", 2023): 24.0,
    ("BU09990104", 2019): 20.0,
    ("BU09990104", 2023): 16.0,
    ("WK099901", 2019): 20.0,
    ("WK099901", 2023): 18.0,
}


def _scores(db: Path) -> dict[tuple[str, int], tuple]:
    rows = query(
        db,
        "SELECT gebied_code, jaar, waarde, noemer, noemer_jaar, omzetting, opmerking FROM marts.fct_indicator_scores "
        "WHERE indicator = ? AND gebied_code IN ('BU09990101', 'BU09990103', 'BU09990104', 'WK099901') "
        "ORDER BY ALL",
        [INDICATOR],
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def _two_maps(db: Path) -> Path:
    """Both divisions as GeoJSON with their year, the KWB 2019 and the police figures on 2024."""
    for rel, opts in (
        (GEO_2019, {"jaar": 2019}),
        (GEO_2024, {"jaar": 2024}),
        (KWB_2019, {}),
        (POLITIE_2024, {}),
    ):
        res = load_one(fixture(rel), db, **opts)
        assert res.status == "geladen", res.report()
    return db


def _assert_done_when(db: Path, method_rank: int, method: str) -> None:
    scores = _scores(db)
    assert {k: round(v[0], 9) for k, v in scores.items()} == EXPECTED
    waarde, noemer, noemer_jaar, omzetting, opmerking = scores[("BU09990103", 2023)]
    assert (noemer, noemer_jaar, omzetting) == (pytest.approx(500.0), 2019, method_rank)
    assert "noemer uit 2019" in opmerking
    assert f"omgezet naar de gebiedsindeling van de analyse ({method})" in opmerking
    # an area whose code did not change is carried by its code, and says so
    assert scores[("BU09990101", 2019)][3] == 1
    assert "(zelfde code)" in scores[("BU09990101", 2019)][4]
    # the figures are shown on the 2024 division
    assert query(db, "SELECT gebied_code FROM marts.dim_gebied WHERE niveau = 'buurt' ORDER BY 1") == [
        ("BU09990101",),
        ("BU09990103",),
        ("BU09990104",),
        ("BU09990201",),
    ]
    assert query(db, "SELECT DISTINCT indeling FROM marts.dim_gebied") == [(2024,)]


def test_kwb_2019_code_list_2024_and_police_on_2024_with_a_crosswalk(tmp_path: Path) -> None:
    """The issue's "done when": every file loads, and the rates of 2019 and 2023 are on the 2024 division with
    the carried denominators flagged."""
    db = tmp_path / "w.duckdb"
    results = load([fixture(KWB_2019), fixture(CODES_2024), fixture(CROSSWALK), fixture(POLITIE_2024)], db)
    assert [r.status for r in results] == ["geladen"] * 4, [r.report() for r in results]
    assert query(db, "SELECT l.bestand, i.indeling FROM meta.load_indeling AS i JOIN meta.loads AS l "
                     "USING (load_id) ORDER BY l.load_id") == [
        ("cbs_buurten_2024_gm0999.csv", 0),  # areas first; a code list without --jaar: a division without a year
        ("kwb_84583NED_2019_gm0999.csv", 2019),
        ("omzetting_2019_2024_gm0999.csv", 0),
        ("politie_47018NED_indeling2024_gm0999.csv", 0),
    ]  # fmt: skip
    _assert_done_when_any_year(db, method_rank=2, method="omzettingstabel")


def _assert_done_when_any_year(db: Path, method_rank: int, method: str) -> None:
    """As _assert_done_when, for a code list loaded without a year (its division is named 'zonder jaar')."""
    scores = _scores(db)
    assert {k: round(v[0], 9) for k, v in scores.items()} == EXPECTED
    assert scores[("BU09990103", 2023)][1:4] == (pytest.approx(500.0), 2019, method_rank)
    assert f"({method})" in scores[("BU09990103", 2023)][4]


def test_the_same_with_the_code_list_given_its_year(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert load_one(fixture(KWB_2019), db).status == "geladen"
    assert load_one(fixture(CODES_2024), db, jaar=2024).status == "geladen"
    res = load_one(fixture(CROSSWALK), db)
    assert res.status == "geladen", res.report()
    assert query(
        db, "SELECT DISTINCT van_indeling, naar_indeling FROM staging.stg_omzetting__omzettingen"
    ) == [(2019, 2024)]
    res = load_one(fixture(POLITIE_2024), db)
    assert res.status == "geladen", res.report()
    # recognised from its codes, and said so (two divisions are loaded)
    assert any("volgt gebiedsindeling 2024" in i.bericht for i in res.issues)
    _assert_done_when(db, method_rank=2, method="omzettingstabel")
    # provenance follows the carrying: the 2019 KWB (load 1) feeds the split buurt's denominator
    assert query(
        db,
        "SELECT load_id, rol, bron, van_jaar FROM wm_herkomst(?, ['BU09990103'], 2023) ORDER BY ALL",
        [INDICATOR],
    ) == [(1, "noemer", "bevolking", 2019), (res.load_id, "teller", "politie", 2023)]


def test_police_first_then_the_population_gives_the_same_figures(tmp_path: Path) -> None:
    """Loaded before the 2019 population, the police rows used to get "geen noemer" for every year."""
    db = tmp_path / "w.duckdb"
    for rel, opts in ((CODES_2024, {"jaar": 2024}), (POLITIE_2024, {}), (KWB_2019, {}), (CROSSWALK, {})):
        res = load_one(fixture(rel), db, **opts)
        assert res.status == "geladen", res.report()
    _assert_done_when(db, method_rank=2, method="omzettingstabel")


def test_without_a_crosswalk_the_overlap_of_the_maps_carries_the_population(tmp_path: Path) -> None:
    """Two GeoJSON divisions: BU09990102's population goes to the 2024 buurten by the share of its surface
    (0.005 / 0.02 = a quarter in West, three quarters in Oost), flagged as carried by geometry."""
    db = _two_maps(tmp_path / "w.duckdb")
    shares = query(
        db,
        "SELECT naar_code, round(aandeel, 9), methode FROM marts.fct_omzetting "
        "WHERE van_indeling = 2019 AND van_code = 'BU09990102' ORDER BY 1",
    )
    assert shares == [("BU09990103", 0.25, "geometrie"), ("BU09990104", 0.75, "geometrie")]
    _assert_done_when(db, method_rank=3, method="geometrie")


def test_an_area_that_cannot_be_carried_is_reported_not_guessed(tmp_path: Path) -> None:
    """No crosswalk and no maps: BU09990102's population has nowhere to go; the split buurten get no
    denominator rather than an invented one, and `wijkmonitor indelingen` says how many areas were not carried."""
    db = tmp_path / "w.duckdb"
    for rel, opts in ((KWB_2019, {}), (CODES_2024, {"jaar": 2024}), (POLITIE_2024, {})):
        assert load_one(fixture(rel), db, **opts).status == "geladen"
    assert query(db, "SELECT methode FROM marts.fct_omzetting WHERE van_code = 'BU09990102'") == [
        ("niet omgezet",)
    ]
    scores = _scores(db)
    assert scores[("BU09990103", 2019)][0] is None and scores[("BU09990101", 2019)][0] == 20.0
    assert query(db, "SELECT niet_omgezet FROM marts.dim_indeling WHERE indeling = 2019") == [(1,)]


def test_a_partial_population_file_never_shrinks_the_division(tmp_path: Path) -> None:
    """A KWB 2023 extract with one of the four 2024 buurten: reported as partial coverage; the division and the
    analysis keep every buurt, and police rows for the other buurten still load."""
    db = tmp_path / "w.duckdb"
    assert load_one(fixture(CODES_2024), db, jaar=2024).status == "geladen"
    res = load_one(fixture("indelingen/kwb_85618NED_2023_gedeeltelijk_gm0999.csv"), db, indeling=2024)
    assert res.status == "geladen", res.report()
    partial = [i.bericht for i in res.issues if "gedeeltelijke dekking" in i.bericht]
    assert partial == [
        "kwb_85618NED_2023_gedeeltelijk_gm0999.csv: gedeeltelijke dekking: het bestand heeft 1 van de 4 buurten "
        "van GM0999 in gebiedsindeling 2024; de indeling blijft zoals hij is, de andere 3 buurten krijgen uit dit "
        "bestand geen bevolkingscijfers"
    ]
    # also without --indeling: the partial extract forms a 2023 division of one buurt, which is never the one
    # the gemeente is analysed on, and the police file follows the full division
    db2 = tmp_path / "w2.duckdb"
    assert load_one(fixture(CODES_2024), db2, jaar=2024).status == "geladen"
    assert load_one(fixture("indelingen/kwb_85618NED_2023_gedeeltelijk_gm0999.csv"), db2).status == "geladen"
    assert query(db2, "SELECT indeling FROM marts.dim_analyse_indeling") == [(2024,)]
    for d in (db, db2):
        res = load_one(fixture(POLITIE_2024), d)
        assert res.status == "geladen", res.report()
        assert query(d, "SELECT count(*) FROM marts.dim_gebied WHERE niveau = 'buurt'") == [(4,)]


def test_the_analysis_division_is_a_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`wijkmonitor instellingen indeling=2019` analyses on the 2019 division: the police rows of 2024 buurten
    go back by the overlap of the maps, BU09990103 + BU09990104 -> BU09990102."""
    db = _two_maps(tmp_path / "w.duckdb")
    assert main(["instellingen", "indeling=2019", "--db", str(db)]) == 0
    assert "indeling = 2019" in capsys.readouterr().out
    assert query(db, "SELECT gebied_code FROM marts.dim_gebied WHERE niveau = 'buurt' ORDER BY 1") == [
        ("BU09990101",),
        ("BU09990102",),
        ("BU09990201",),
    ]
    rows = query(
        db,
        "SELECT jaar, teller, noemer, omzetting FROM marts.fct_indicator_scores WHERE indicator = ? "
        "AND gebied_code = 'BU09990102' ORDER BY jaar",
        [INDICATOR],
    )
    assert rows == [(2019, 40.0, 2000.0, 3), (2023, 36.0, 2000.0, 3)]
    assert main(["instellingen", "indeling=tweeduizend", "--db", str(db)]) == 2
    assert main(["indelingen", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "analyse op: 2019" in out
    assert "gebiedsindeling 2024: 1 gemeente(n), 2 wijken, 4 buurten (4 met geometrie)" in out


def test_a_crosswalk_is_checked_before_it_is_used(tmp_path: Path) -> None:
    """Shares that do not add up to 1 and codes no division has are refused; the database is unchanged."""
    db = tmp_path / "w.duckdb"
    assert load_one(fixture(KWB_2019), db).status == "geladen"
    assert load_one(fixture(CODES_2024), db, jaar=2024).status == "geladen"
    before = data_snapshot(db)
    res = load_one(fixture("indelingen/omzetting_fout_gm0999.csv"), db)
    assert res.status == "afgewezen"
    fouten = [(i.rij, i.waarde, i.bericht.rsplit(": ", 1)[1]) for i in res.issues if i.ernst == "fout"]
    assert fouten == [
        (2, "BU09990102", "elk gebied moet helemaal worden verdeeld"),  # 0.25 + 0.70
        (
            4,
            "BU09990199",
            "laad eerst de gebieden (GeoJSON, CBS-codelijst of kerncijfers) waar deze code in voorkomt",
        ),
    ]
    assert "de aandelen van een van_code tellen niet op tot 1" in res.issues[-2].bericht
    assert "bestaat niet in gebiedsindeling 2019, en ook niet in een andere" in res.issues[-1].bericht
    assert data_snapshot(db) == before


# ------------------------------------------------------------------------------------------ real files

REAL_CODES_2017 = REAL_DATA / "cbs-buurtcodes-ridderkerk" / "cbs_buurt_namen_83765_2017.csv"
REAL_CODES_2024 = REAL_DATA / "cbs-buurtcodes-ridderkerk" / "cbs_buurt_namen_85984_2024.csv"
REAL_KWB_2017 = (
    REAL_DATA / "cbs-buurtcodes-ridderkerk" / "ridderkerk_extract_83765NED_2017_buurten_features.csv"
)
REAL_KWB_2019 = REAL_DATA / "cbs-kwb-84583NED-2019" / "84583NED_amsterdam_2019_allcolumns.csv"
REAL_POLITIE = REAL_DATA / "politie-47018NED-jaar" / "47018NED_typeddataset_first1000rows.csv"


def _real(*paths: Path) -> None:
    for p in paths:
        if not p.is_file():
            pytest.skip(f"{p} not present (../shared/real-data)")


@pytest.mark.realdata
def test_real_cbs_divisions_2017_and_2024_with_a_partial_kwb_and_police_on_2024(tmp_path: Path) -> None:
    """The national CBS buurt code lists of 2017 and 2024, Ridderkerk's KWB 2017 extract (9 of its 12 buurten)
    and the police table 47018NED (Aa en Hunze, every year on the 2024 division) load together: the extract is
    reported as partial coverage, the police rows follow 2024 and none is refused."""
    _real(REAL_CODES_2017, REAL_CODES_2024, REAL_KWB_2017, REAL_POLITIE)
    db = tmp_path / "w.duckdb"
    assert load_one(REAL_CODES_2017, db, jaar=2017).status == "geladen"
    assert load_one(REAL_CODES_2024, db, jaar=2024).status == "geladen"
    kwb = load_one(REAL_KWB_2017, db)
    assert kwb.status == "geladen", kwb.report()
    assert any(
        "het bestand heeft 9 van de 12 buurten van GM0597 in gebiedsindeling 2017" in i.bericht
        for i in kwb.issues
    )
    politie = load_one(REAL_POLITIE, db, gemeente="GM1680")
    assert (politie.status, politie.rows_loaded) == ("geladen", 987), politie.report()
    assert query(db, "SELECT indeling FROM meta.load_indeling WHERE load_id = ?", [politie.load_id]) == [
        (2024,)
    ]
    # Ridderkerk is analysed on 2024 with its 2017 population carried by the same codes
    assert query(db, "SELECT indeling FROM marts.dim_analyse_indeling WHERE gemeente_code = 'GM0597'") == [
        (2024,)
    ]
    rows = query(
        db,
        "SELECT min(o.rang), max(o.rang), count(*) FROM marts.fct_omzetting AS o "
        "WHERE o.van_indeling = 2017 AND o.van_code LIKE 'BU0597%'",
    )
    assert rows == [(1, 1, 12)]  # every Ridderkerk buurt kept its code from 2017 to 2024


@pytest.mark.realdata
def test_real_amsterdam_kwb_2019_on_the_2024_division_says_what_cannot_be_carried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Amsterdam re-coded its buurten in 2022: next to the 2024 code list, the KWB 2019 loads (its own
    division), Amsterdam is analysed on 2024, and the 2019 buurten that have no code, crosswalk or map on 2024
    are counted as not carried instead of silently becoming 'geen noemer' everywhere."""
    _real(REAL_CODES_2024, REAL_KWB_2019)
    db = tmp_path / "w.duckdb"
    assert load_one(REAL_CODES_2024, db, jaar=2024).status == "geladen"
    kwb = load_one(REAL_KWB_2019, db)
    assert kwb.status == "geladen", kwb.report()
    assert query(db, "SELECT indeling FROM meta.load_indeling WHERE load_id = ?", [kwb.load_id]) == [(2019,)]
    assert query(db, "SELECT indeling FROM marts.dim_analyse_indeling WHERE gemeente_code = 'GM0363'") == [
        (2024,)
    ]
    counts = dict(
        query(
            db,
            "SELECT methode, count(*) FROM marts.fct_omzetting WHERE van_indeling = 2019 "
            "AND van_code LIKE 'BU0363%' GROUP BY ALL",
        )
    )
    buurten_2019 = query(
        db,
        "SELECT count(*) FROM marts.dim_indeling_gebied WHERE indeling = 2019 AND gebied_code LIKE 'BU0363%'",
    )[0][0]
    assert sum(counts.values()) == buurten_2019 > 400
    assert counts.get("niet omgezet", 0) > 0.9 * buurten_2019  # hardly any 2019 code survived
    niet_omgezet = query(db, "SELECT niet_omgezet FROM marts.dim_indeling WHERE indeling = 2019")[0][0]
    assert niet_omgezet >= counts["niet omgezet"]  # also wijken that were re-coded
    assert main(["indelingen", "--db", str(db)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("gebiedsindeling 2019:"))
    assert line.endswith(f"{niet_omgezet} niet omgezet")


def test_the_pages_say_which_values_were_carried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The indicator page names per wijk how its values reached the analysis division; the data page lists the
    divisions and what was carried how."""
    from dashboard_support import run_page

    db = _two_maps(tmp_path / "w.duckdb")
    at = run_page(db, monkeypatch, "views/indicator.py", gemeente="GM0999", indicator=INDICATOR, jaar="2023")
    notices = [i.value for i in at.info if i.value.startswith("Omgezet uit een andere gebiedsindeling")]
    assert notices == [
        "Omgezet uit een andere gebiedsindeling naar de indeling van de analyse (2024): WK099901: via overlap van "
        "de kaarten (benadering); WK099902: via zelfde code. Bij de overlap van de kaarten wordt aangenomen dat "
        "wat geteld wordt gelijk over het gebied verdeeld is."
    ]
    at = run_page(db, monkeypatch, "views/gegevens.py", gemeente="GM0999")
    (tabel,) = [d.value for d in at.dataframe if "Via kaart" in d.value.columns]
    assert tabel[
        ["Indeling", "Buurten", "Eigen", "Zelfde code", "Via kaart", "Niet omgezet"]
    ].values.tolist() == [
        ["2019", 3, 0, 5, 1, 0],
        ["2024", 4, 7, 0, 0, 0],
    ]
