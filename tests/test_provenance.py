"""Provenance of indicator values (macro wm_herkomst): which loads' current rows feed a value."""

from __future__ import annotations

from pathlib import Path

from etl_helpers import fixture, load_one, query

INDICATOR = "overlast_corporatie_per_100_huurwoningen"


def herkomst(db: Path, indicator: str | None, gebieden: list[str], jaar: int) -> list[tuple]:
    return query(
        db,
        "SELECT load_id, rol, bron, rijen FROM wm_herkomst(?, ?, ?) ORDER BY load_id, rol",
        [indicator, gebieden, jaar],
    )


def test_correction_changes_the_provenance_key_by_key(area_db: Path) -> None:
    a = load_one(fixture("partner/corporatie_goed.csv"), area_db)
    b = load_one(fixture("partner/corporatie_correctie.csv"), area_db)
    assert (a.status, b.status) == ("geladen", "geladen")
    A, B = a.load_id, b.load_id

    # BU09990101: overlast (a flow) from A's H1 row and B's corrected H2 row; huurwoningen (a stock) is the
    # year's last period, H2, which B corrected, so A's H1 stock does not feed the value
    assert herkomst(area_db, INDICATOR, ["BU09990101"], 2019) == [
        (A, "teller", "corporatie", 1),
        (B, "noemer", "corporatie", 1),
        (B, "teller", "corporatie", 1),
    ]
    # BU09990201: A's H1 overlast (B has no overlast row for it) and B's new H2 stock
    assert herkomst(area_db, INDICATOR, ["BU09990201"], 2019) == [
        (A, "teller", "corporatie", 1),
        (B, "noemer", "corporatie", 1),
    ]
    # the wijk holds both buurten 0101 and 0102; the gemeente all three
    assert herkomst(area_db, INDICATOR, ["WK099901"], 2019) == [
        (A, "teller", "corporatie", 2),
        (B, "noemer", "corporatie", 2),
        (B, "teller", "corporatie", 2),
    ]
    assert herkomst(area_db, INDICATOR, ["GM0999"], 2019) == [
        (A, "teller", "corporatie", 3),
        (B, "noemer", "corporatie", 3),
        (B, "teller", "corporatie", 2),
    ]
    # nothing for another year, another indicator's sources, or an area outside the delivery
    assert herkomst(area_db, INDICATOR, ["GM0999"], 2020) == []
    assert herkomst(area_db, "misdrijven_per_1000_inwoners", ["GM0999"], 2019) == []
    assert herkomst(area_db, INDICATOR, ["BU09990302"], 2019) == []


def test_denominator_from_the_latest_year_up_to_the_value(area_db: Path, tmp_path: Path) -> None:
    """Municipal reports in 2021 with population only up to 2020: the value uses the 2020 denominator, and so
    does its provenance; a year without reports has no value and no provenance."""
    bevolking = load_one(fixture("bevolking/bevolking_gm0999.csv"), area_db)
    meldingen = tmp_path / "gemeente_2021.csv"
    meldingen.write_text(
        "bron;gebied_code;periode;variabele;waarde;n;sd\n"
        + "".join(
            f"gemeente;BU09990101;2021-{m:02d};meldingen_openbare_ruimte;{m};;\n" for m in range(1, 13)
        ),
        encoding="utf-8",
    )
    gemeente = load_one(meldingen, area_db)
    assert (bevolking.status, gemeente.status) == ("geladen", "geladen")
    indicator = "meldingen_openbare_ruimte_per_1000_inwoners"
    assert query(
        area_db,
        "SELECT gebied_code, jaar, noemer_jaar FROM marts.fct_indicator_scores WHERE indicator = ? ORDER BY ALL",
        [indicator],
    ) == [("BU09990101", 2021, 2020), ("GM0999", 2021, 2020), ("WK099901", 2021, 2020)]
    rows = query(
        area_db,
        "SELECT load_id, rol, bron, rijen, van_jaar, tot_jaar FROM wm_herkomst(?, ['WK099901'], 2021) ORDER BY ALL",
        [indicator],
    )
    assert rows == [
        # the wijk's inhabitants are the sum of its two buurten; the wijk's own delivered row lies within it too
        (bevolking.load_id, "noemer", "bevolking", 3, 2020, 2020),
        (gemeente.load_id, "teller", "gemeente", 12, 2021, 2021),
    ]
    # every indicator at once gives the same here; no reports in 2020, so nothing feeds a 2020 value
    assert [r[:4] for r in rows] == [
        r[:4] for r in query(area_db, "SELECT * FROM wm_herkomst(NULL, ['WK099901'], 2021) ORDER BY ALL")
    ]
    assert query(area_db, "SELECT * FROM wm_herkomst(NULL, ['WK099901'], 2020)") == []
