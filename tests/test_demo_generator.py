"""Tests for the synthetic demo data generator (etl/demo.py) and the committed files in data/demo/."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from etl.demo import DEMO_GEMEENTE, STORIES, generate_demo

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "demo"

POLITIE = "politie_47022NED_lindenhoven_2017-2025.csv"
BEVOLKING = "bevolking_lindenhoven_2017-2025.csv"
GEBIEDEN = "gebieden_lindenhoven.geojson"
ENQUETE = "enquete_2017-2025.csv"
CORPORATIE = "corporatie_woonstichting_2017-2025.csv"
LEEFBAAROMETER = "leefbaarometer_lindenhoven.csv"
TEMPLATES = ("corporatie_woonstichting_2017-2025.csv", "welzijn_2017-2025.csv",
             "gemeente_meldingen_2017-2025.csv", ENQUETE)  # fmt: skip

GEWELD = ("1.4.3", "1.4.4", "1.4.5", "1.4.6")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out)
    return out


def _files(directory: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(directory.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def _read_semicolon(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _bevolking(demo: Path) -> dict[tuple[str, int], dict[str, int]]:
    return {
        (r["gebied_code"], int(r["jaar"])): {k: int(r[k]) for k in ("inwoners", "huishoudens", "woningen")}
        for r in _read_semicolon(demo / BEVOLKING)
    }


def _politie(demo: Path) -> list[dict[str, str]]:
    return _read_semicolon(demo / POLITIE, encoding="utf-8-sig")


def _politie_per_jaar(demo: Path) -> dict[tuple[str, str, int], int]:
    """Yearly sums per (code, area, year) for buurt, wijk and gemeente (published months only)."""
    out: dict[tuple[str, str, int], int] = defaultdict(int)
    for r in _politie(demo):
        value = r["GeregistreerdeMisdrijven_1"].strip()
        if value == ".":
            continue
        code, buurt, jaar = r["SoortMisdrijf"].strip(), r["WijkenEnBuurten"].strip(), int(r["Perioden"][:4])
        for area in (buurt, "WK" + buurt[2:8], "GM" + buurt[2:6]):
            out[(code, area, jaar)] += int(value)
    return out


def _enquete(demo: Path) -> dict[tuple[str, str, str], tuple[float, int, str]]:
    return {
        (r["gebied_code"], r["periode"], r["variabele"]): (
            float(r["waarde"].replace(",", ".")),
            int(r["n"]),
            r["sd"],
        )
        for r in _read_semicolon(demo / ENQUETE)
    }


# ----------------------------------------------------------------------------------------------------------


def test_generation_is_deterministic(demo: Path, tmp_path: Path) -> None:
    paths = generate_demo(tmp_path)
    assert paths == sorted(paths)
    assert {p.name for p in paths} == set(_files(demo))
    first, second = _files(demo), _files(tmp_path)
    for name, data in first.items():
        assert second[name] == data, f"{name} differs between two runs with the same seed"


def test_other_seed_gives_other_numbers(demo: Path, tmp_path: Path) -> None:
    generate_demo(tmp_path, seed=7)
    assert (tmp_path / POLITIE).read_bytes() != (demo / POLITIE).read_bytes()


def test_committed_demo_data_matches_generator(demo: Path) -> None:
    hint = (
        "data/demo/ is not what etl/demo.py generates; do not edit demo files by hand: run python -m etl.demo"
    )
    assert COMMITTED.is_dir(), hint
    committed, fresh = _files(COMMITTED), _files(demo)
    assert sorted(committed) == sorted(fresh), hint
    for name, data in fresh.items():
        assert committed[name] == data, f"{name}: {hint}"


def test_codes_follow_cbs_pattern_and_hierarchy(demo: Path) -> None:
    features = json.loads((demo / GEBIEDEN).read_text(encoding="utf-8"))["features"]
    by_level: dict[str, set[str]] = defaultdict(set)
    for f in features:
        props = f["properties"]
        assert set(props) == {"gebied_code", "gebied_naam", "niveau"}
        by_level[props["niveau"]].add(props["gebied_code"])
    assert by_level["gemeente"] == {DEMO_GEMEENTE}
    assert len(by_level["wijk"]) == 12 and len(by_level["buurt"]) == 48
    assert all(re.fullmatch(r"GM\d{4}", c) for c in by_level["gemeente"])
    assert all(re.fullmatch(r"WK\d{6}", c) and "GM" + c[2:6] == DEMO_GEMEENTE for c in by_level["wijk"])
    assert all(re.fullmatch(r"BU\d{8}", c) and "WK" + c[2:8] in by_level["wijk"] for c in by_level["buurt"])
    assert all(sum(b.startswith("BU" + w[2:]) for b in by_level["buurt"]) == 4 for w in by_level["wijk"])

    known = set().union(*by_level.values())
    for name in TEMPLATES:
        assert {r["gebied_code"] for r in _read_semicolon(demo / name)} <= known, name
    assert {code for code, _ in _bevolking(demo)} == known
    assert {r["WijkenEnBuurten"].strip() for r in _politie(demo)} == by_level["buurt"]


def test_polygons_are_closed_counter_clockwise_and_tile(demo: Path) -> None:
    features = json.loads((demo / GEBIEDEN).read_text(encoding="utf-8"))["features"]
    area = {}
    for f in features:
        assert f["geometry"]["type"] == "Polygon"
        ring = f["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1]
        assert all(4.9 < lon < 5.3 and 51.9 < lat < 52.2 for lon, lat in ring)
        shoelace = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2
        assert shoelace > 0, f"{f['properties']['gebied_code']} is not counter-clockwise"
        area[f["properties"]["gebied_code"]] = shoelace
    buurten = [c for c in area if c.startswith("BU")]
    assert sum(area[c] for c in buurten) == pytest.approx(area[DEMO_GEMEENTE], rel=1e-6)
    for wijk in (c for c in area if c.startswith("WK")):
        assert sum(area[c] for c in buurten if c[2:8] == wijk[2:]) == pytest.approx(area[wijk], rel=1e-5)


def test_population_sums_and_ranges(demo: Path) -> None:
    bev = _bevolking(demo)
    jaren = sorted({j for _, j in bev})
    assert jaren == list(range(2017, 2026))
    for jaar in jaren:
        wijken = [c for c, j in bev if j == jaar and c.startswith("WK")]
        for wijk in wijken:
            for key in ("inwoners", "huishoudens", "woningen"):
                parts = sum(
                    v[key] for (c, j), v in bev.items() if j == jaar and c.startswith("BU" + wijk[2:])
                )
                assert bev[(wijk, jaar)][key] == parts, (wijk, jaar, key)
        for key in ("inwoners", "huishoudens", "woningen"):
            assert bev[(DEMO_GEMEENTE, jaar)][key] == sum(bev[(w, jaar)][key] for w in wijken)
    for (code, _), v in bev.items():
        if code.startswith("BU"):
            assert 600 <= v["inwoners"] <= 3500
            assert 1.7 < v["inwoners"] / v["huishoudens"] < 2.8
            assert 1.0 < v["woningen"] / v["huishoudens"] < 1.06


def test_levels_are_plausible(demo: Path) -> None:
    bev = _bevolking(demo)[(DEMO_GEMEENTE, 2019)]
    pol = _politie_per_jaar(demo)
    assert 2 <= pol[("1.1.1", DEMO_GEMEENTE, 2019)] / bev["woningen"] * 1000 <= 8
    assert 30 <= pol[("0.0.0", DEMO_GEMEENTE, 2019)] / bev["inwoners"] * 1000 <= 80
    geweld = sum(pol[(c, DEMO_GEMEENTE, 2019)] for c in GEWELD) / bev["inwoners"] * 1000
    assert 3 <= geweld <= 8

    enq = _enquete(demo)
    marks = [v[0] for (_, p, var), v in enq.items() if p == "2019" and var == "rapportcijfer_leefbaarheid"]
    assert len(marks) == 12
    assert 6.8 <= sum(marks) / len(marks) <= 7.8
    assert all(150 <= n <= 400 for _, n, _ in enq.values())


def test_stories_are_visible_in_the_raw_numbers(demo: Path) -> None:
    pol = _politie_per_jaar(demo)
    worse, better = STORIES["verslechterend"], STORIES["verbeterend"]
    assert pol[("0.0.0", worse, 2023)] > 1.2 * pol[("0.0.0", worse, 2019)]
    assert pol[("0.0.0", better, 2023)] < 0.85 * pol[("0.0.0", better, 2019)]

    hotspot = STORIES["hotspot_buurt"]
    monthly = {
        r["Perioden"]: int(r["GeregistreerdeMisdrijven_1"])
        for r in _politie(demo)
        if r["SoortMisdrijf"].strip() == "1.1.1"
        and r["WijkenEnBuurten"].strip() == hotspot
        and r["Perioden"].startswith(("2023", "2024"))
    }
    for periode in STORIES["hotspot_maanden"]:
        assert monthly[periode] >= 5, periode
        assert monthly[periode.replace("2024", "2023")] <= 2, periode

    enq = _enquete(demo)
    mark = "rapportcijfer_leefbaarheid"
    assert enq[(worse, "2019", mark)][0] - enq[(worse, "2023", mark)][0] >= 0.4
    assert enq[(better, "2023", mark)][0] - enq[(better, "2019", mark)][0] >= 0.3
    ruis = STORIES["ruis"]
    assert abs(enq[(ruis, "2023", mark)][0] - enq[(ruis, "2019", mark)][0]) <= 0.15
    assert all(n <= 180 for (c, _, _), (_, n, _) in enq.items() if c == ruis)


def test_politie_file_has_cbs_shape(demo: Path) -> None:
    raw = (demo / POLITIE).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").split("\n")
    assert lines[0] == '"ID";"SoortMisdrijf";"WijkenEnBuurten";"Perioden";"GeregistreerdeMisdrijven_1"'
    assert lines[-1] == ""
    assert lines[1] == '"0";"0.0.0 ";"BU99990101";"2017MM01";' + lines[1].split(";")[-1]

    rows = _politie(demo)
    assert [int(r["ID"]) for r in rows] == list(range(len(rows)))
    assert all(len(r["SoortMisdrijf"]) == 6 and len(r["WijkenEnBuurten"]) == 10 for r in rows)
    assert all(len(r["GeregistreerdeMisdrijven_1"]) == 8 for r in rows)
    late = {"2025MM10", "2025MM11", "2025MM12"}
    for r in rows:
        value = r["GeregistreerdeMisdrijven_1"]
        if r["Perioden"] in late:
            assert value == "       ."
        else:
            assert value.strip().isdigit()

    per_cell: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for r in rows:
        if r["Perioden"] not in late:
            per_cell[(r["WijkenEnBuurten"], r["Perioden"])][r["SoortMisdrijf"].strip()] = int(
                r["GeregistreerdeMisdrijven_1"]
            )
    for counts in per_cell.values():
        assert counts["0.0.0"] >= sum(v for k, v in counts.items() if k != "0.0.0")


def test_partner_templates(demo: Path) -> None:
    for name in TEMPLATES:
        text = (demo / name).read_text(encoding="utf-8")
        assert text.startswith("bron;gebied_code;periode;variabele;waarde;n;sd\n"), name
        assert "\r" not in text
    enquete_lines = (demo / ENQUETE).read_text(encoding="utf-8").splitlines()[1:]
    for line in enquete_lines:
        fields = line.split(";")
        assert re.fullmatch(r"\d+,\d", fields[4]), line
        assert fields[6] == "" or re.fullmatch(r"\d,\d\d", fields[6]), line
        assert "." not in line
    assert any(";7," in line for line in enquete_lines)

    corporatie = _read_semicolon(demo / CORPORATIE)
    no_rent = {
        r["gebied_code"] for r in corporatie if r["variabele"] == "huurwoningen" and r["waarde"] == "0"
    }
    assert len(no_rent) >= 2
    assert all(r["variabele"] == "huurwoningen" for r in corporatie if r["gebied_code"] in no_rent)


def test_leefbaarometer_identities(demo: Path) -> None:
    with (demo / LEEFBAAROMETER).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 * 4
    for r in rows:
        lbm, afw = float(r["lbm"]), float(r["afw"])
        assert lbm - afw == pytest.approx(4.10226, abs=1e-6)
        assert afw == pytest.approx(sum(float(r[k]) for k in ("fys", "onv", "soc", "vrz", "won")), abs=2e-6)
        assert 3.8 <= lbm <= 4.5
