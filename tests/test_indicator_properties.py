"""Property tests (hypothesis) of the indicator engine on generated counts, through the real SQL."""

from __future__ import annotations

import copy

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import indicators.dimensions as dimensions
from etl.build import INDICATOR_STEPS, build, ensure_schema, rebuild
from indicators.catalogue import load_catalogue

BUURTEN = ["BU09970101", "BU09970102", "BU09970103", "BU09970104"]
counts = st.integers(min_value=1, max_value=400)
populations = st.integers(min_value=200, max_value=5000)
area = st.tuples(counts, counts, populations)  # crimes 2019, crimes 2023, inhabitants
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def build_world(areas: list[tuple[int, int, int]]) -> duckdb.DuckDBPyConnection:
    """Raw rows for len(areas) buurten of one wijk, loaded as load 1 (population) and 2 (police)."""
    con = duckdb.connect()
    ensure_schema(con)
    con.execute(
        "INSERT INTO meta.loads (load_id, bestand, sha256, status) VALUES (1, 'b', 'x', 'geladen'), "
        "(2, 'p', 'y', 'geladen')"
    )
    for i, (c19, c23, pop) in enumerate(areas):
        code = BUURTEN[i]
        for year in (2019, 2023):
            con.execute(
                "INSERT INTO raw.gemeente__bevolking VALUES (?, ?, ?, ?, ?, 1, ?)",
                [code, str(year), str(pop), str(pop // 2), str(pop // 2), i],
            )
        for year, count in ((2019, c19), (2023, c23)):
            con.execute(
                'INSERT INTO raw.politie__misdrijven ("SoortMisdrijf", "WijkenEnBuurten", "Perioden", '
                "\"GeregistreerdeMisdrijven\", _load_id, _rij) VALUES ('0.0.0', ?, ?, ?, 2, ?)",
                [code, f"{year}JJ00", str(count), i],
            )
    rebuild(con)
    return con


def rows(con, year: int) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT gebied_code, waarde, teller, noemer, score, verandering FROM marts.fct_indicator_scores "
            "WHERE indicator = 'misdrijven_per_1000_inwoners' AND jaar = ?",
            [year],
        ).fetchall()
    }


@SETTINGS
@given(st.lists(area, min_size=1, max_size=4))
def test_the_baseline_scores_100(areas):
    with build_world(areas) as con:
        for value in rows(con, 2019).values():
            assert value[3] == pytest.approx(100.0)
            assert value[4] == "gelijk"


@SETTINGS
@given(st.lists(area, min_size=2, max_size=4))
def test_a_wijk_equals_its_buurten_summed(areas):
    with build_world(areas) as con:
        r = rows(con, 2023)
        wijk = r["WK099701"]
        crimes = sum(a[1] for a in areas)
        people = sum(a[2] for a in areas)
        assert wijk[1] == crimes and wijk[2] == people
        assert wijk[0] == pytest.approx(crimes / people * 1000)
        assert r["GM0997"][:3] == pytest.approx(wijk[:3])


@SETTINGS
@given(areas=st.lists(area, min_size=1, max_size=3))
def test_a_polarity_flip_mirrors_the_verdict(areas, monkeypatch):
    with build_world(areas) as con:
        before = {k: v[4] for k, v in rows(con, 2023).items()}
        cat = copy.deepcopy(load_catalogue())
        cat["indicatoren"]["misdrijven_per_1000_inwoners"]["polariteit"] = "hoger_is_beter"
        with monkeypatch.context() as m:
            m.setattr(dimensions, "load_catalogue", lambda: cat)
            build(con, only=INDICATOR_STEPS)
        after = {k: v[4] for k, v in rows(con, 2023).items()}
    mirror = {"beter": "slechter", "slechter": "beter", "gelijk": "gelijk"}
    assert after == {k: mirror[v] for k, v in before.items()}
