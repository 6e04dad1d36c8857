"""Tests for the synthetic demo data generator (etl/demo.py) and the committed files in data/demo/."""

from __future__ import annotations

import csv
import json
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from etl import demo as model
from etl.demo import DEMO_GEMEENTE, STORIES, generate_demo
from indicators.catalogue import load_catalogue

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


def _enquete(demo: Path) -> dict[tuple[str, str, str], tuple[float, int, str, float]]:
    """(wijk, year, variable) -> (value, n, sd as delivered, n_effectief)."""
    return {
        (r["gebied_code"], r["periode"], r["variabele"]): (
            float(r["waarde"].replace(",", ".")),
            int(r["n"]),
            r["sd"],
            float(r["n_effectief"].replace(",", ".")),
        )
        for r in _read_semicolon(demo / ENQUETE)
    }


def _sd(delivered: str) -> float:
    return float(delivered.replace(",", "."))


def _wijk(code: str) -> model.Wijk:
    return next(w for w in model.WIJKEN if w.code == code)


def _se(value: tuple[float, int, str, float], truth: float) -> float:
    """Standard error of a delivered survey value under the model (drawn with n_effectief), plus the
    rounding to one decimal."""
    _, _, sd, n_eff = value
    se = _sd(sd) / math.sqrt(n_eff) if sd else math.sqrt(truth * (100.0 - truth) / n_eff)
    return math.sqrt(se**2 + 0.05**2 / 3)


def _comparable(variabele: str, jaar: int, value: float) -> float:
    """A delivered survey value on the new method (x omrekenfactor before the break), as the engine reads it."""
    brk = model.methodebreuken()[variabele]
    return value * brk[1] if jaar < brk[0] and brk[1] is not None else value


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
    marks = [v[0] for (_, p, var), v in enq.items() if p == "2023" and var == "rapportcijfer_leefbaarheid"]
    assert len(marks) == 12
    assert 6.8 <= sum(marks) / len(marks) <= 7.8
    assert all(150 <= n <= 400 for _, n, _, _ in enq.values())
    # n_effectief = n / design effect, the design effect between 1.2 and 1.6 (n_effectief has one decimal)
    lo, hi = STORIES["ontwerpeffect"]
    assert all(n / (n_eff - 0.05) >= lo and n / (n_eff + 0.05) <= hi for _, n, _, n_eff in enq.values())


# The stories are checked against the generator's model, not against one random outcome: each check holds for
# any seed with overwhelming probability (tolerances are about 4 standard deviations of the model's noise).
SEEDS = (2019, 7, 11)
PRE, POST = (2017, 2018, 2019), (2022, 2023, 2024)


def _designed(wijk: str) -> float:
    """The designed log ratio of crime and nuisance, years POST against PRE (1.0 = no story)."""
    anchors = model.TREND_OVERLAST.get(wijk)
    post = np.mean([model.jaarfactor(anchors, j) for j in POST])
    pre = np.mean([model.jaarfactor(anchors, j) for j in PRE])
    return math.log(post / pre)


@pytest.mark.parametrize("seed", SEEDS)
def test_story_wijken_counts_move_by_the_designed_amount(seed: int) -> None:
    """Police crime per inhabitant, years 2022-2024 against 2017-2019, relative to the stable wijken: the story
    wijken move by the designed factor, the ruis wijk does not move. The SD of this log ratio under the model
    (Poisson, year effects) is about 0.045; the tolerance is 0.2."""
    bev = model._bevolking(seed)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for (code, buurt), monthly in model._politie(seed, bev).items():
        if code == "0.0.0":
            for k, jaar in enumerate(model.JAREN):
                counts[("WK" + buurt[2:8], jaar)] += int(monthly[12 * k : 12 * k + 12].sum())

    def rate(wijken: list[str], years: tuple[int, ...]) -> float:
        return sum(counts[(w, j)] for w in wijken for j in years) / sum(
            bev.inwoners[w][j] for w in wijken for j in years
        )

    stable = [w for w in STORIES["stabiel"] if w != STORIES["ruis"]]
    reference = math.log(rate(stable, POST) / rate(stable, PRE))
    for wijk in (STORIES["verslechterend"], STORIES["verbeterend"], STORIES["ruis"]):
        observed = math.log(rate([wijk], POST) / rate([wijk], PRE)) - reference
        assert abs(observed - _designed(wijk)) < 0.2, (seed, wijk, observed, _designed(wijk))
    # and the designed amounts are the documented ones: +50-60% and -30-35% by the doeljaar
    assert 1.5 <= STORIES["overlast_factor"][STORIES["verslechterend"]] <= 1.6
    assert 0.65 <= STORIES["overlast_factor"][STORIES["verbeterend"]] <= 0.7
    assert _designed(STORIES["ruis"]) == 0.0


def test_counts_are_overdispersed(demo: Path) -> None:
    """Municipal reports per buurt and year in the stable wijken vary more between years than Poisson: the mean
    dispersion index (variance / mean of the yearly totals 2017-2024) is about 2.3 under the model (Poisson
    alone: 1 +- 0.09)."""
    totals: dict[str, np.ndarray] = {}
    for r in _read_semicolon(demo / "gemeente_meldingen_2017-2025.csv"):
        jaar = int(r["periode"][:4])
        if r["variabele"] == "meldingen_openbare_ruimte" and jaar <= 2024:
            totals.setdefault(r["gebied_code"], np.zeros(8))[jaar - 2017] += int(r["waarde"])
    stable = set(STORIES["stabiel"])
    index = [x.var(ddof=1) / x.mean() for b, x in totals.items() if "WK" + b[2:8] in stable]
    assert len(index) == 4 * len(stable)
    assert 1.5 < float(np.mean(index)) < 3.5
    assert STORIES["overdispersie"]["jaarvariatie_reeks"] == model.JAARVARIATIE


def test_hotspot_spike_is_written_in_and_far_above_the_buurt_s_usual_level(demo: Path) -> None:
    hotspot = STORIES["hotspot_buurt"]
    monthly = {
        r["Perioden"]: int(r["GeregistreerdeMisdrijven_1"])
        for r in _politie(demo)
        if r["SoortMisdrijf"].strip() == STORIES["hotspot_soort_misdrijf"]
        and r["WijkenEnBuurten"].strip() == hotspot
        and r["GeregistreerdeMisdrijven_1"].strip() != "."
    }
    spike = [monthly[p] for p in STORIES["hotspot_maanden"]]
    assert spike == STORIES["hotspot_aantallen"] == [7, 9, 6]
    usual = [v for p, v in monthly.items() if p not in STORIES["hotspot_maanden"]]
    assert len(usual) == 102 and np.mean(usual) < 1.0  # about 0.3 a month under the model
    assert min(spike) >= 5 * np.mean(usual)


def test_survey_truth_tells_the_stories() -> None:
    """On the new method: the story wijken change by the designed amounts, every other wijk is constant."""
    basis, doel = STORIES["basisjaar"], STORIES["doeljaar"]
    for code, change in STORIES["enquete_verandering"].items():
        before, after = model.enquete_waarheid(_wijk(code), basis), model.enquete_waarheid(_wijk(code), doel)
        assert {v: round(after[v] - before[v], 6) for v in after} == change
    worse, better = (STORIES["enquete_verandering"][STORIES[k]] for k in ("verslechterend", "verbeterend"))
    assert worse["rapportcijfer_leefbaarheid"] <= -0.5 and worse["onveilig_in_buurt"] >= 8
    assert better["rapportcijfer_leefbaarheid"] >= 0.5 and better["onveilig_in_buurt"] <= -8
    for code in STORIES["stabiel"]:
        truths = [model.enquete_waarheid(_wijk(code), j) for j in model.ENQUETE_JAREN]
        assert all(t == truths[0] for t in truths), code


def test_survey_values_are_honest_draws_with_the_effective_sample_size(demo: Path) -> None:
    """Every delivered survey value lies within sampling noise (drawn with n_effectief) of the model's truth on
    the method of its year; pooled, the standardised deviations have variance about 1."""
    z = []
    for (code, periode, var), value in _enquete(demo).items():
        truth = model.gemeten(var, int(periode), model.enquete_waarheid(_wijk(code), int(periode))[var])
        z.append((value[0] - truth) / _se(value, truth))
    assert len(z) == 12 * 5 * 5
    assert max(abs(x) for x in z) < 4.5
    assert 0.7 < float(np.var(z)) < 1.4


def test_survey_stories_are_visible_and_the_ruis_wijk_moves_by_chance_only(demo: Path) -> None:
    """Per item the observed change 2019 -> 2023 (on the new method) lies within 4 standard errors of the
    designed change; pooled over the four comparable items (polarity-aligned z-scores), the story wijken are
    clearly worse / better and the ruis wijk is not."""
    enq = _enquete(demo)
    basis, doel = str(STORIES["basisjaar"]), str(STORIES["doeljaar"])
    aligned = {
        "rapportcijfer_leefbaarheid": 1,
        "sociale_cohesie": 1,
        "onveilig_in_buurt": -1,
        "verloedering": -1,
    }

    def change(code: str, var: str) -> tuple[float, float]:
        """Observed change basisjaar -> doeljaar on the new method, and its standard error under the model."""
        raw = enq[(code, basis, var)]
        before, after = _comparable(var, int(basis), raw[0]), enq[(code, doel, var)][0]
        se = math.hypot(before / raw[0] * _se(raw, raw[0]), _se(enq[(code, doel, var)], after))
        return after - before, se

    pooled = {}
    for code in (STORIES["verslechterend"], STORIES["verbeterend"], STORIES["ruis"]):
        designed = STORIES["enquete_verandering"].get(code, dict.fromkeys(aligned, 0.0))
        z_observed, z_designed = [], []
        for var, sign in aligned.items():
            observed, se = change(code, var)
            assert abs(observed - designed[var]) < 4 * se, (code, var, observed, designed[var], se)
            z_observed.append(sign * observed / se)
            z_designed.append(sign * designed[var] / se)
        pooled[code] = sum(z_observed) / 2, sum(z_designed) / 2  # sum of 4 independent z-scores / sqrt(4)
    # designed: about 6 standard errors; observed: at least 1.5 (the designed minus ~4 standard errors)
    assert pooled[STORIES["verslechterend"]][1] < -5 and pooled[STORIES["verslechterend"]][0] < -1.5
    assert pooled[STORIES["verbeterend"]][1] > 5 and pooled[STORIES["verbeterend"]][0] > 1.5
    assert abs(pooled[STORIES["ruis"]][0]) < 4
    assert all(n <= 180 for (c, _, _), (_, n, _, _) in enq.items() if c == STORIES["ruis"])


def test_method_break_follows_the_catalogue(demo: Path) -> None:
    """Values before 2021 are the new-method truth divided by the catalogue's omrekenfactor; the break without
    a factor (buurt_achteruitgegaan) is a level shift that shows in the data."""
    catalogue = load_catalogue()["indicatoren"]
    factors = {
        ind["teller"]["variabelen"][0]: brk["omrekenfactor"]
        for ind in catalogue.values()
        if ind["teller"]["bron"] == "enquete"
        for brk in ind.get("methodebreuken", [])
        if "omrekenfactor" in brk
    }
    assert STORIES["methodebreuk"]["omrekenfactoren"] == factors and len(factors) == 4
    assert STORIES["methodebreuk"]["jaar"] == 2021
    for var, f in factors.items():
        assert model.gemeten(var, 2019, 7.0) * f == pytest.approx(7.0)
        assert model.gemeten(var, 2021, 7.0) == 7.0
    shift = STORIES["methodebreuk"]["zonder_factor_verschuiving"]["buurt_achteruitgegaan"]
    assert model.gemeten("buurt_achteruitgegaan", 2019, 20.0) == 20.0 - shift
    # in the data: the stable wijken's "achteruitgegaan" jumps by about the shift at the break (SE ~0.8 point)
    enq = _enquete(demo)
    stable = STORIES["stabiel"]
    mean = {
        jaar: np.mean([enq[(w, str(jaar), "buurt_achteruitgegaan")][0] for w in stable])
        for jaar in model.ENQUETE_JAREN
    }
    jump = np.mean([mean[j] for j in (2021, 2023, 2025)]) - np.mean([mean[j] for j in (2017, 2019)])
    assert shift - 3 < jump < shift + 3


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
        # the survey has the eighth column n_effectief; the other partners use the seven-column header
        header = "bron;gebied_code;periode;variabele;waarde;n;sd" + (
            ";n_effectief" if name == ENQUETE else ""
        )
        assert text.startswith(header + "\n"), name
        assert "\r" not in text
    enquete_lines = (demo / ENQUETE).read_text(encoding="utf-8").splitlines()[1:]
    for line in enquete_lines:
        fields = line.split(";")
        assert re.fullmatch(r"\d+,\d", fields[4]), line
        assert fields[6] == "" or re.fullmatch(r"\d,\d\d", fields[6]), line
        assert re.fullmatch(r"\d+,\d", fields[7]), line
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
