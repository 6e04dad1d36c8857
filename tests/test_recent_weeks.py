"""The police's recent figures per ISO week (partner source politie_week, delivered every 14 days).

Loading and rejection (with the row named), staging's week -> ISO Monday, the yearly indicators untouched by
weekly figures, the stated delivery moment (command line and demo only), the 14-day hotspot signal on
constructed series, and the queries and the page section on the demo database.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from dashboard_support import demo_db
from etl_helpers import AREAS, build_db, copy_db, fixture, load_one, query

from etl.build import ensure_schema, rebuild
from etl.demo import DELIVERY_MOMENTS, OTHER_DELIVERY_MOMENTS, WEEK_GOLF, WEEK_LEVERINGEN
from etl.sources import Options

WEEK_GOED = "partner/politie_week_goed.csv"
WEEK_SLECHT = "partner/politie_week_slecht.csv"


@pytest.fixture(scope="module")
def week_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Areas, population, monthly police figures and the corporatie file; no weekly figures yet."""
    db = tmp_path_factory.mktemp("week") / "w.duckdb"
    return build_db(
        db,
        [
            AREAS,
            fixture("bevolking/bevolking_gm0999.csv"),
            fixture("politie/politie_47022NED_gm0999_maand.csv"),
            fixture("partner/corporatie_goed.csv"),
        ],
    )


# ------------------------------------------------------------------------------------------ loading


def test_bad_week_codes_are_rejected_with_the_row(week_db: Path, tmp_path: Path) -> None:
    db = copy_db(week_db, tmp_path / "w.duckdb")
    res = load_one(fixture(WEEK_SLECHT), db)
    assert res.status == "afgewezen"
    fouten: dict[tuple, str] = {}
    for i in res.issues:
        if i.ernst == "fout":
            fouten[(i.rij, i.kolom, i.waarde)] = fouten.get((i.rij, i.kolom, i.waarde), "") + i.bericht
    assert "geen geldige periode" in fouten[(3, "periode", "2025-W54")]
    assert "geen geldige periode" in fouten[(4, "periode", "2025-W7")]
    assert "deze week bestaat niet" in fouten[(5, "periode", "2025-W53")]  # 2025 has 52 ISO weeks
    assert "bron politie_week levert per week (periode zoals 2019-W07)" in fouten[(6, "periode", "2025-03")]
    assert "bron politie_week levert per buurt" in fouten[(7, "gebied_code", "WK099901")]
    assert "onbekende variabele voor bron politie_week" in fouten[(8, "variabele", "woninginbraak")]
    assert not any(r == 2 for r, _, _ in fouten)  # 2025-W07 is fine
    assert query(db, "SELECT count(*) FROM raw.partner__waarnemingen WHERE bron = 'politie_week'") == [(0,)]


def test_weeks_load_and_staging_gives_the_iso_monday(week_db: Path, tmp_path: Path) -> None:
    db = copy_db(week_db, tmp_path / "w.duckdb")
    res = load_one(fixture(WEEK_GOED), db)
    assert res.status == "geladen", res.report()
    rows = dict(
        ((r[0], r[1], r[2]), r[3:])
        for r in query(
            db,
            "SELECT gebied_code, periode, variabele, periode_type, periode_nr, jaar, periode_start "
            "FROM staging.stg_partner__waarnemingen WHERE bron = 'politie_week'",
        )
    )
    assert rows[("BU09990101", "2021-W01", "1.1.1")] == ("week", 1, 2021, dt.date(2021, 1, 4))
    assert rows[("BU09990101", "2020-W53", "1.1.1")] == ("week", 53, 2020, dt.date(2020, 12, 28))
    assert rows[("BU09990102", "2020-W53", "0.0.0")] == ("week", 53, 2020, dt.date(2020, 12, 28))  # 2020-w53
    # the ISO year: week 1 of 2019 starts on Monday 31 December 2018
    assert rows[("BU09990202", "2019-W01", "2.2.1")] == ("week", 1, 2019, dt.date(2018, 12, 31))
    # the other periodicities get their first day too
    assert query(
        db,
        "SELECT DISTINCT periode, periode_start FROM staging.stg_partner__waarnemingen "
        "WHERE bron = 'corporatie' AND periode = '2019-H2'",
    ) == [("2019-H2", dt.date(2019, 7, 1))]


def test_yearly_indicators_do_not_change_with_weekly_figures(week_db: Path, tmp_path: Path) -> None:
    """Weekly counts never flow into int_waarnemingen_jaar, the indicators or the other sources' coverage."""
    db = copy_db(week_db, tmp_path / "w.duckdb")
    marts = ["fct_indicator_scores", "fct_composites", "fct_doelen", "fct_hotspots"]
    before = {t: query(db, f"SELECT * FROM marts.{t} ORDER BY ALL") for t in marts}
    coverage = query(db, "SELECT * FROM marts.fct_aanlevering_dekking ORDER BY ALL")
    assert load_one(fixture(WEEK_GOED), db).status == "geladen"
    for t in marts:
        assert query(db, f"SELECT * FROM marts.{t} ORDER BY ALL") == before[t], t
    after = query(db, "SELECT * FROM marts.fct_aanlevering_dekking ORDER BY ALL")
    assert [r for r in after if r[0] != "politie_week"] == coverage  # the other sources' coverage as before
    # the weekly source has its own coverage rows: weeks per wijk and ISO year, no double count
    assert query(
        db,
        "SELECT wijk_code, jaar, periode_type, rijen, perioden FROM marts.fct_aanlevering_dekking "
        "WHERE bron = 'politie_week' ORDER BY ALL",
    ) == [
        ("WK099901", 2020, "week", 4, 2),
        ("WK099901", 2021, "week", 1, 1),
        ("WK099902", 2019, "week", 2, 2),
    ]


def test_a_stated_delivery_moment_is_stored_with_the_load(week_db: Path, tmp_path: Path) -> None:
    db = copy_db(week_db, tmp_path / "w.duckdb")
    moment = dt.datetime(2021, 1, 12, 9, 30)
    res = load_one(fixture(WEEK_GOED), db, geleverd_op={"politie_week_goed.csv": moment})
    assert res.status == "geladen"
    summary = json.loads(query(db, "SELECT validatie FROM meta.loads WHERE load_id = ?", [res.load_id])[0][0])
    assert summary["geleverd_op"] == "2021-01-12T09:30:00"
    with pytest.raises(ValueError, match="toekomst"):
        load_one(fixture(WEEK_GOED), db, geleverd_op={"x.csv": dt.datetime.now() + dt.timedelta(days=1)})


def test_an_upload_cannot_state_its_delivery_moment() -> None:
    """The Aanleveren page's job builds its own Options and never passes a moment: only the command line and
    the demo build (settings demo=ja) state one."""
    import inspect

    import wijkmonitor.jobs as jobs

    assert Options().geleverd_op is None
    assert "geleverd_op" not in inspect.getsource(jobs)


# ------------------------------------------------------------------------------------------ the 14-day signal


def _weekly_db(series: dict[str, dict[tuple[int, int], int]]) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with weekly 1.1.1 counts per buurt ({buurt: {(iso year, week): count}})."""
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("INSERT INTO meta.loads (load_id, bestand, sha256, status) VALUES (1, 'w', 'x', 'geladen')")
    rows = pd.DataFrame(
        [
            ("politie_week", buurt, f"{y}-W{w:02d}", "1.1.1", str(c))
            for buurt, weeks in series.items()
            for (y, w), c in sorted(weeks.items())
        ],
        columns=["bron", "gebied_code", "periode", "variabele", "waarde"],
    )
    rows["rij"] = np.arange(len(rows)) + 2
    con.register("rows_df", rows)
    con.execute(
        "INSERT INTO raw.partner__waarnemingen (bron, gebied_code, periode, variabele, waarde, _load_id, _rij) "
        "SELECT bron, gebied_code, periode, variabele, waarde, 1, rij FROM rows_df"
    )
    con.unregister("rows_df")
    rebuild(con)
    return con


def _weeks(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    out, day = [], first
    while day <= last:
        out.append(tuple(day.isocalendar()[:2]))
        day += dt.timedelta(days=7)
    return out


WEEKS = _weeks(dt.date(2021, 9, 6), dt.date(2025, 9, 8))  # four years of weeks up to 2025-W37


def test_a_wave_in_the_last_14_days_is_signalled_and_a_flat_series_is_not() -> None:
    flat = dict.fromkeys(WEEKS, 1)
    wave = dict(flat)
    wave[(2025, 36)], wave[(2025, 37)] = 6, 7
    con = _weekly_db({"BU09990101": wave, "BU09990102": flat})
    try:
        rows = con.execute(
            "SELECT gebied_code, weken, aantal, verwacht, vensters_eerder, signaal FROM marts.fct_hotspots_14d "
            "ORDER BY periode_start"
        ).fetchall()
    finally:
        con.close()
    signalled = [(r[0], r[1], r[2]) for r in rows if r[5]]
    assert signalled == [("BU09990101", "2025-W36 en 2025-W37", 13.0)]
    last = [r for r in rows if r[0] == "BU09990101" and r[1] == "2025-W36 en 2025-W37"][0]
    assert last[3] == pytest.approx(2.0) and last[4] == 9  # 3 windows in each of 3 years, 2 a window
    assert not any(r[5] for r in rows if r[0] == "BU09990102")
    assert len({r[1] for r in rows}) == 26  # the last year of 14-day windows is tested and kept


def test_the_14_day_test_is_the_monthly_procedure_with_26_periods_a_year() -> None:
    """Same functions: run_window with per_year=26 equals the monthly run on a series laid out the same way."""
    from indicators.hotspots import history_offsets, run_window

    assert list(history_offsets(1, 26)) == [-27, -26, -25]
    counts = np.full((26 * 3 + 1 + 26, 3), 2.0)
    counts[-1, 0] = 14
    a = run_window(counts, np.full(3, 79), np.zeros(3, dtype=int), months=26, years=3, fdr=0.05, minimum=3,
                   per_year=26)  # fmt: skip
    assert a.signal[0, -1] and a.signal.sum() == 1
    assert a.history_months[0, -1] == 9


# ------------------------------------------------------------------------------------------ the demo


def test_the_demo_delivers_weekly_figures_every_14_days_with_one_late() -> None:
    assert list(DELIVERY_MOMENTS) == list(WEEK_LEVERINGEN)
    with duckdb.connect(str(demo_db()), read_only=True) as con:
        rows = con.execute(
            "SELECT json_extract_string(validatie, '$.geleverd_op'), bestand FROM meta.loads "
            "WHERE bestand LIKE 'politie_week_%' ORDER BY load_id"
        ).fetchall()
    assert [(dt.datetime.fromisoformat(r[0]), r[1]) for r in rows] == [
        (m, name) for name, m in DELIVERY_MOMENTS.items()
    ]


def test_delivery_history_on_the_demo(monkeypatch) -> None:
    monkeypatch.setenv("WIJKMONITOR_DB", str(demo_db()))
    from dashboard import queries

    h = queries.delivery_history("politie_week")
    assert list(h.columns) == [
        "load_id",
        "bestand",
        "geleverd_op",
        "geleverd_op_opgegeven",
        "eerste_periode",
        "laatste_periode",
        "rijen",
        "dagen_sinds_vorige",
    ]
    assert list(h["bestand"]) == list(WEEK_LEVERINGEN)
    assert h["geleverd_op_opgegeven"].all()
    assert list(h["dagen_sinds_vorige"].iloc[1:]) == [21.2, 6.8, 14.0, 14.0]  # one late delivery
    assert h["eerste_periode"].iloc[0] == pd.Timestamp(2023, 9, 18)  # 2023-W38
    assert h["laatste_periode"].iloc[-1] == pd.Timestamp(2025, 9, 8)  # 2025-W37
    # the corporatie's file: the moment the demo states (etl.demo.OTHER_DELIVERY_MOMENTS)
    corporatie = queries.delivery_history("corporatie")
    assert len(corporatie) == 1 and corporatie["geleverd_op_opgegeven"].all()
    assert corporatie["geleverd_op"].iloc[0] == pd.Timestamp(
        OTHER_DELIVERY_MOMENTS[corporatie["bestand"].iloc[0]]
    )
    # a source without stated moments: the moment of the load
    welzijn = queries.delivery_history("welzijn")
    assert len(welzijn) == 1 and not welzijn["geleverd_op_opgegeven"].any()


def test_recent_weeks_and_the_14_day_signal_on_the_demo(monkeypatch) -> None:
    monkeypatch.setenv("WIJKMONITOR_DB", str(demo_db()))
    from dashboard import queries

    assert queries.latest_week("GM9999") == "2025-W37"
    recent = queries.recent_weeks_vs_earlier("2025-W37", "GM9999")
    assert set(recent["variabele"]) == {"0.0.0", "1.1.1", "1.1.2", "1.2.3", "2.2.1"}
    row = recent[(recent["wijk_code"] == "WK999904") & (recent["variabele"] == "1.1.1")].iloc[0]
    golf = sum(n for (b, j, w), n in WEEK_GOLF.items() if b.startswith("BU99990") and w in (36, 37))
    assert row["recent"] >= golf and row["reeks"] == "Woninginbraak"
    assert row["jaren_eerder"] == 1 and (row["van"], row["tot"]) == (
        pd.Timestamp(2025, 9, 1),
        pd.Timestamp(2025, 9, 14),
    )
    signals = queries.hotspot_signals_14d("GM9999")
    latest = signals[signals["laatste"]]
    assert set(latest["gebied_code"]) == {"BU99990402", "BU99990403"}
    assert set(latest["variabele"]) == {"1.1.1"}
    assert queries.latest_week("GM0999") is None  # a gemeente without weekly figures


def test_the_recent_section_draws_on_the_demo(monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("WIJKMONITOR_DB", str(demo_db()))

    def page() -> None:
        import streamlit as st

        from dashboard.recentsection import recent_section

        st.session_state["had"] = recent_section("GM9999")
        st.session_state["none"] = recent_section("GM0999")

    at = AppTest.from_function(page, default_timeout=60).run()
    assert not at.exception
    assert at.session_state["had"] is True and at.session_state["none"] is False
    assert [s.value for s in at.subheader] == ["Laatste 14 dagen"]
    tables = at.dataframe
    assert tables and set(tables[0].value["Buurt"]) == {"Tulpenbuurt", "Lelieveld"}
