"""Bad deliveries are rejected whole, with a message that names file, line, column and rule, and change no data.

Every case loads one bad fixture into a database that already holds good loads of every source (areas,
bevolking, politie, corporatie, Leefbaarometer), so "an earlier good load stays intact" is checked as well.
Line numbers are lines in the file (header = line 1); for XLSX the Excel row; for GeoJSON the feature number.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from etl_helpers import assert_rejected, attempt, data_snapshot, errors, fixture, load_one, query, sha256

# (fixture, line, column as delivered, offending value, key words of the rule, number of errors)
CASES = [
    # politie (47022NED shape: ';', quoted, BOM, padded)
    ("politie/politie_ontbrekende_kolom.csv", None, "GeregistreerdeMisdrijven", None, ("ontbreekt", "verplichte kolom"), 1),
    ("politie/politie_onbekende_code.csv", 5, "WijkenEnBuurten", "BU09990109", ("bestaat niet in gebiedsindeling", "ook niet in een andere geladen gebiedsindeling"), 1),
    ("politie/politie_negatief.csv", 4, "GeregistreerdeMisdrijven_1", "-9", ("mag niet negatief zijn",), 1),
    ("politie/politie_dubbel.csv", 6, "gebied + soort misdrijf + periode", "BU09990101 | 1.1.1 | 2019MM01", ("dubbele regel", "en nog 1 rij"), 1),
    ("politie/politie_periode.csv", 6, "Perioden", "2019MM13", ("geen geldige periode",), 1),
    ("politie/politie_tekst.csv", 3, "GeregistreerdeMisdrijven_1", "veel", ("moet een geheel getal zijn",), 1),
    ("politie/politie_soort.csv", 6, "SoortMisdrijf", "9.9.9", ("onbekende soort misdrijf",), 1),
    # partner (long template)
    ("partner/partner_ontbrekende_kolom.csv", None, "waarde", None, ("ontbreekt", "verplichte kolom"), 1),
    ("partner/partner_onbekende_code.csv", 4, "gebied_code", "BU09990109", ("bestaat niet in gebiedsindeling", "ook niet in een andere geladen gebiedsindeling"), 1),
    ("partner/partner_bron_leeg.csv", 3, "bron", None, ("bron ontbreekt",), 1),
    ("partner/partner_negatief.csv", 5, "waarde", "-4", ("overlastmeldingen", "mag niet negatief zijn"), 1),
    ("partner/partner_dubbel.csv", 3, "bron + gebied_code + periode + variabele", "corporatie | BU09990101 | 2019-H1 | overlastmeldingen", ("dubbele regel", "en nog 1 rij"), 1),
    ("partner/partner_periode.csv", 6, "periode", "2019-H3", ("geen geldige periode",), 2),
    ("partner/partner_tekst.csv", 3, "waarde", "twaalf", ("moet een getal zijn",), 2),
    ("partner/enquete_percentage.csv", 3, "waarde", "112,5", ("onveilig_in_buurt", "tussen 0 en 100", "percentage"), 1),
    ("partner/enquete_schaal.csv", 4, "waarde", "11,2", ("rapportcijfer_leefbaarheid", "tussen 1 en 10"), 1),
    ("partner/enquete_zonder_n.csv", 5, "n", "", ("aantal respondenten (n) is verplicht",), 1),
    # n_effectief (effective sample size after weighting): optional, survey only, > 0 and at most n
    ("partner/enquete_n_effectief_groter.csv", 4, "n_effectief", "210", ("n_effectief", "niet groter", "aantal respondenten (n)"), 1),
    ("partner/enquete_n_effectief_nul.csv", 2, "n_effectief", "0", ("n_effectief", "groter dan 0"), 1),
    ("partner/enquete_n_effectief_tekst.csv", 4, "n_effectief", "ca. 130", ("n_effectief", "moet een getal zijn"), 1),
    ("partner/partner_n_effectief_corporatie.csv", 4, "n_effectief", "3", ("n_effectief", "alleen bij enquêteresultaten", "bron enquete"), 1),
    ("partner/partner_onbekende_variabele.csv", 3, "variabele", "huurachterstand", ("onbekende variabele", "corporatie"), 1),
    ("partner/corporatie_kwartaal.csv", 4, "periode", "2019-Q1", ("bron corporatie levert per halfjaar",), 1),
    ("partner/corporatie_wijkcode.csv", 5, "gebied_code", "WK099901", ("bron corporatie levert per buurt",), 1),
    # an Excel CSV export with an empty line (line 4) and ';;;;;;' rows below the data: the line is still right
    ("partner/corporatie_lege_regels.csv", 6, "waarde", "-4", ("overlastmeldingen", "mag niet negatief zijn"), 1),
    ("partner/corporatie_titelregels_negatief.xlsx", 6, "waarde", "-152", ("huurwoningen", "mag niet negatief zijn"), 1),
    # bevolking (plain long file)
    ("bevolking/bevolking_ontbrekende_kolom.csv", None, "inwoners", None, ("ontbreekt", "verplichte kolom"), 1),
    ("bevolking/bevolking_ongeldige_code.csv", 7, "gebied_code", "BU099902011", ("geen geldige CBS-gebiedscode",), 1),
    ("bevolking/bevolking_negatief.csv", 5, "inwoners", "-800", ("mag niet negatief zijn",), 1),
    ("bevolking/bevolking_dubbel.csv", 4, "gebied_code + jaar", "BU09990101 | 2019", ("dubbele regel",), 1),
    ("bevolking/bevolking_jaar.csv", 6, "jaar", "19", ("geen geldig jaar",), 1),
    ("bevolking/bevolking_tekst.csv", 4, "huishoudens", "ca. 560", ("moet een geheel getal zijn",), 1),
    # leefbaarometer
    ("leefbaarometer/leefbaarometer_jaar.csv", 3, "jaar", "twintig", ("geen geldig jaar",), 1),
    ("leefbaarometer/leefbaarometer_tekst.csv", 5, "lbm", "hoog", ("moet een getal zijn",), 1),
    # gebieden (row = feature number)
    ("gebieden/gebieden_punt.geojson", 3, "geometry", "Point", ("Polygon of MultiPolygon",), 1),
    ("gebieden/gebieden_dubbele_code.geojson", 2, "gebied_code", "BU09990101", ("dubbele regel",), 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rel", "rij", "kolom", "waarde", "words", "n_fouten"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_variant_is_rejected_and_changes_no_data(
    loaded_db: Path, rel, rij, kolom, waarde, words, n_fouten
) -> None:
    before = data_snapshot(loaded_db)
    digest = sha256(loaded_db)

    res = load_one(fixture(rel), loaded_db)

    assert_rejected(res, rij=rij, kolom=kolom, words=words, waarde=waarde)
    assert len(errors(res)) == n_fouten, res.report()
    assert res.report().splitlines()[0] == (
        f"{res.path.name}: AFGEWEZEN, {n_fouten} {'fout' if n_fouten == 1 else 'fouten'}; de database is niet gewijzigd"
    )
    assert data_snapshot(loaded_db) == before
    assert sha256(loaded_db) == digest  # byte for byte: not even the load log inside it changed
    # The attempt itself is recorded in the attempt log beside the database, with its messages.
    rec = attempt(loaded_db, res.load_id)
    assert (rec["status"], rec["rijen_geladen"], rec.get("kopie")) == ("afgewezen", 0, None)
    assert query(loaded_db, "SELECT count(*) FROM meta.loads WHERE load_id = ?", [res.load_id]) == [(0,)]
    stored = [m for m in rec["meldingen"] if m["ernst"] == "fout"]
    assert {(m["rij"], m["kolom"]) for m in stored} == {
        (i.rij, i.kolom) for i in res.issues if i.ernst == "fout"
    }


def test_partner_file_before_any_area_division_is_refused(tmp_path: Path) -> None:
    res = load_one(fixture("partner/corporatie_goed.csv"), tmp_path / "w.duckdb")
    assert res.status == "afgewezen"
    issue = res.issues[0]
    assert issue.bericht.startswith("corporatie_goed.csv: er is nog geen gebiedsindeling geladen")
    assert not (tmp_path / "w.duckdb").exists()  # nothing was loaded, so no database was published
