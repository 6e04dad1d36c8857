"""Seeded, deterministic generator of synthetic demo partner files for a fictional municipality.

The municipality "Lindenhoven" (GM9999) does not exist. It has 12 wijken (WK999901..WK999912) with 4 buurten
each (BU99990101..BU99991204), laid out on a grid around lon 5.10, lat 52.05. The generator writes, for the
years 2017-2025, the files the ETL reads (see ``FILE_NAMES``): area polygons, population, the police monthly
crime table in CBS open-data shape, the long partner template for the housing corporation, the welfare
organisation, the municipality's own reports and the resident survey, and Leefbaarometer 3.0 wijk scores; and
the police's recent figures per buurt and ISO week (partner source ``politie_week``) for the two years up to
the demo's peildatum, 15 September 2025, as a sequence of deliveries every 14 days (``WEEK_LEVERINGEN``).

Every figure is an honest random draw from the model below, for any seed; no seed or realisation was picked
to make the stories read well. (The one exception is the hotspot spike, which is written in as data.)

The model
---------
*Levels* follow the Dutch orders of magnitude around 2019 (registered crime ~45 per 1,000 inhabitants,
burglary ~4 per 1,000 dwellings, violent crime ~5 per 1,000, report mark ~7.5, ...): each wijk has its levels
(``WIJKEN``), each buurt a fixed random factor on them.

*Counts are overdispersed.* The expected count of a series (police: buurt x crime code; corporatie and
gemeente: buurt x variable; welzijn: wijk x variable) is level x story trend x season x a year effect, and
the delivered count is a Poisson draw (binomial for vacant dwellings) from it. The year effect is the
product of two mean-one lognormal multipliers ``exp(s z - s^2 / 2)``, drawn per year: one per series
(``JAARVARIATIE``: between-year SD of the log rate 0.10) and one per gemeente x variable, common to all
buurten (``JAARVARIATIE_GEMEENTE``: 0.04). So a wijk total varies between years by more than Poisson,
as real figures do. Tenants in rent arrears are a stock: a binomial draw whose probability carries an AR(1)
noise on the log scale (SD 0.06 per half-year, autocorrelation 0.7).

*Survey.* Every survey value has its number of respondents ``n`` and its effective sample size
``n_effectief = n / design effect`` (design effect drawn uniformly from ``ONTWERPEFFECT`` = 1.2-1.6 per
wijk and year, as after weighting). Sampling noise is drawn with ``n_effectief``: a mean is normal with
standard error sd / sqrt(n_effectief), a percentage is binomial with n_effectief trials. The truth of a
stable wijk does not change.

*2021 method break.* The Veiligheidsmonitor changed its method in 2021. The truth is generated on the new
method; a value measured before the break is delivered on the old method: the new-method truth divided by
the ``omrekenfactor`` that ``indicators/catalogue.yaml`` declares (so that old value x omrekenfactor is
comparable again), plus noise. ``buurt_achteruitgegaan`` has a break without a factor: the new method
measures ``BREUK_ZONDER_FACTOR`` (4) points higher, so values before and after 2021 are not comparable.

Stories (see ``STORIES``, the machine-readable version)
--------------------------------------------------------
* ``verslechterend`` WK999903 (Molenwijk, post-war rental): from 2020 on crime and nuisance rise; the 2023
  yearly rate is ~1.54 x 2019, rent arrears ~1.57 x, the survey mark and cohesion drop 0.6, and "onveilig",
  "achteruitgegaan" and "verloedering" rise 10 points.
* ``verbeterend`` WK999907 (Vogelwijk, renovated rental): crime and nuisance fall to ~0.68 x 2019 (-32%),
  arrears to ~0.81 x, the mark and cohesion rise 0.5 and "onveilig" and "verloedering" fall 9 points.
* ``ruis`` WK999910 (Parkwijk): nothing changes in truth; small survey samples (n 150-180), so its figures
  move by chance only.
* every other wijk is stable in truth.
* ``hotspot_buurt`` BU99990502 (Spoorzicht): burglaries (1.1.1) follow the model (about 0.3 a month),
  except a spike of 7, 9 and 6 in March-May 2024, written in as data.
* ``golf_14_dagen``: the weekly police figures are the monthly counts spread over the days of the month
  (multinomial, so weeks add up to the months exactly) and summed per ISO week, except a burglary wave in
  WK999904 (Bloemenbuurt) in the last weeks before the peildatum, written in as data (``WEEK_GOLF``): the
  14-day signal has something to show. The monthly open data of the demo do not hold it (a later download
  would): the weekly figures are the police's recent counts, delivered every 14 days.
* the weekly figures arrive as ``WEEK_LEVERINGEN``: one file with the history up to 2025-W29, then a file
  every 14 days with the two weeks before it, each delivered on the Monday after; one delivery comes 21 days
  after the previous one instead of 14. The demo build states these moments (``DELIVERY_MOMENTS``; only the
  command line and the demo can state a delivery moment, an upload never), so the delivery rhythm can be
  measured from the load history.

The stories are large enough that an honest test sees them: the composite of ~15 indicators moves ~20-25% in
the story wijken, far outside the 5% margin of the target verdict and the uncertainty the year effects and
sampling add.

Output is byte-identical for the same seed: every random draw comes from its own seeded stream, rows are
sorted, floats are formatted with fixed decimals and nothing depends on time or locale.

Run ``python -m etl.demo`` from the repository root to (re)write ``data/demo/``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from indicators.catalogue import load_catalogue

DEMO_GEMEENTE: str = "GM9999"
DEMO_GEMEENTE_NAAM: str = "Lindenhoven"

JAREN: tuple[int, ...] = tuple(range(2017, 2026))
ENQUETE_JAREN: tuple[int, ...] = (2017, 2019, 2021, 2023, 2025)
LBM_JAREN: tuple[int, ...] = (2018, 2020, 2022, 2024)
# Police months not yet published at the time of the demo "delivery" (CBS writes ".").
POLITIE_NIET_GEPUBLICEERD: tuple[tuple[int, int], ...] = ((2025, 10), (2025, 11), (2025, 12))

VERSLECHTEREND = "WK999903"
VERBETEREND = "WK999907"
RUIS = "WK999910"
HOTSPOT_BUURT = "BU99990502"
HOTSPOT_SOORT = "1.1.1"
HOTSPOT: dict[tuple[int, int], int] = {
    (2024, 3): 7,
    (2024, 4): 9,
    (2024, 5): 6,
}  # (year, month) -> burglaries
KOOPBUURTEN: tuple[str, ...] = ("BU99990603", "BU99991201", "BU99991204")  # no corporation dwellings

# The police's recent figures per ISO week (partner source politie_week): the two years up to the demo's
# peildatum (Monday 15 September 2025), 2023-W38 .. 2025-W37, for these crime codes.
WEEK_BRON = "politie_week"
WEEK_EERSTE: tuple[int, int] = (2023, 38)
WEEK_LAATSTE: tuple[int, int] = (2025, 37)
WEEK_SOORTEN: tuple[str, ...] = ("0.0.0", "1.1.1", "1.1.2", "1.2.3", "2.2.1")
# A burglary wave in the last weeks (written in as data, as HOTSPOT): (buurt, ISO year, week) -> burglaries.
WEEK_GOLF_SOORT = "1.1.1"
WEEK_GOLF: dict[tuple[str, int, int], int] = {
    ("BU99990402", 2025, 34): 2,
    ("BU99990402", 2025, 35): 3,
    ("BU99990402", 2025, 36): 4,
    ("BU99990402", 2025, 37): 5,
    ("BU99990403", 2025, 36): 3,
    ("BU99990403", 2025, 37): 4,
}
# The deliveries of the weekly figures: file -> (the last ISO week it holds, the stated delivery moment).
# A file holds the weeks after the previous file's last week: first the history up to 2025-W29, then every
# 14 days the two weeks before, on the Monday after them, except 2025-W30/W31, delivered 21 days after the
# previous delivery instead of 14. (Five files: every partner file costs the demo build a validation.)
WEEK_LEVERINGEN: dict[str, tuple[tuple[int, int], dt.datetime]] = {
    "politie_week_lindenhoven_2025-07-21.csv": ((2025, 29), dt.datetime(2025, 7, 21, 9, 2)),
    "politie_week_lindenhoven_2025-08-11.csv": ((2025, 31), dt.datetime(2025, 8, 11, 14, 26)),
    "politie_week_lindenhoven_2025-08-18.csv": ((2025, 33), dt.datetime(2025, 8, 18, 9, 15)),
    "politie_week_lindenhoven_2025-09-01.csv": ((2025, 35), dt.datetime(2025, 9, 1, 8, 58)),
    "politie_week_lindenhoven_2025-09-15.csv": ((2025, 37), dt.datetime(2025, 9, 15, 9, 20)),
}
# What the demo build states as the delivery moment of each weekly file (etl.load: Options.geleverd_op).
DELIVERY_MOMENTS: dict[str, dt.datetime] = {name: moment for name, (_, moment) in WEEK_LEVERINGEN.items()}
# The corporatie's file as delivered after the first half of 2025, within the six weeks it agreed to (the
# demo's measured agreement "levert binnen 6 weken na elk halfjaar", wijkmonitor/demosturing.py).
OTHER_DELIVERY_MOMENTS: dict[str, dt.datetime] = {
    "corporatie_woonstichting_2017-2025.csv": dt.datetime(2025, 8, 4, 10, 12),
}

# Overdispersion: between-year SD of the log rate of a count series, and of the common gemeente effect.
JAARVARIATIE = 0.10
JAARVARIATIE_GEMEENTE = 0.04
# Survey design effect (uniform range): n_effectief = n / design effect.
ONTWERPEFFECT: tuple[float, float] = (1.2, 1.6)
# Survey variables whose method break has no omrekenfactor: the new method's level shift (points).
BREUK_ZONDER_FACTOR: dict[str, float] = {"buurt_achteruitgegaan": 4.0}

FILE_NAMES: dict[str, str] = {
    "gebieden": "gebieden_lindenhoven.geojson",
    "bevolking": "bevolking_lindenhoven_2017-2025.csv",
    "politie": "politie_47022NED_lindenhoven_2017-2025.csv",
    "corporatie": "corporatie_woonstichting_2017-2025.csv",
    "welzijn": "welzijn_2017-2025.csv",
    "gemeente": "gemeente_meldingen_2017-2025.csv",
    "enquete": "enquete_2017-2025.csv",
    "leefbaarometer": "leefbaarometer_lindenhoven.csv",
}

# The partner files of the corporatie, welzijn and gemeente use the seven columns of earlier versions (they
# still load); the survey file has the eighth column n_effectief.
TEMPLATE_HEADER = "bron;gebied_code;periode;variabele;waarde;n;sd"
TEMPLATE_HEADER_ENQUETE = TEMPLATE_HEADER + ";n_effectief"
LBM_REFERENTIE_MICRO = 4_102_260  # Leefbaarometer 3.0: lbm - afw = 4.10226 in every row and year


# ----------------------------------------------------------------------------------------------------------
# The fictional municipality
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """Demographic profile of a type of wijk."""

    inwoners: tuple[int, int]  # range of buurt inhabitants in 2017
    groei: float  # mean yearly population growth
    huishoudgrootte: float  # persons per household in 2017


KINDS: dict[str, Kind] = {
    "centrum": Kind((1800, 3200), 0.007, 1.75),
    "haven": Kind((1500, 3000), 0.008, 1.90),
    "naoorlogs": Kind((2200, 3350), 0.002, 2.05),
    "gemengd": Kind((1400, 2900), 0.004, 2.10),
    "gezinswijk": Kind((1400, 2800), 0.003, 2.45),
    "nieuwbouw": Kind((900, 2200), 0.025, 2.50),
    "dorp": Kind((650, 1500), 0.002, 2.30),
    "villawijk": Kind((650, 1300), 0.001, 2.40),
}


@dataclass(frozen=True)
class Wijk:
    """One wijk with its buurten and its 2019 levels."""

    nr: int
    naam: str
    kind: str
    buurten: tuple[str, str, str, str]  # names of buurt 01 (NW), 02 (NE), 03 (SW), 04 (SE)
    misdrijven: float  # registered crime per 1,000 inhabitants a year
    huur: tuple[float, float]  # range of the corporation's share of dwellings
    overlast_corp: float  # corporation nuisance reports per 100 rental dwellings a year
    achterstand: float  # % of tenants with rent arrears
    jongeren: float  # youth-work contacts per 1,000 inhabitants a year
    # survey levels: report mark, social cohesion, % onveilig, % achteruitgegaan, % verloedering, sd of mark
    cijfer: float
    cohesie: float
    onveilig: float
    achteruit: float
    verloedering: float
    sd_cijfer: float
    # Leefbaarometer dimension scores in thousandths: fys, onv, soc, vrz, won
    lbm: tuple[int, int, int, int, int]

    @property
    def code(self) -> str:
        return f"WK{DEMO_GEMEENTE[2:]}{self.nr:02d}"

    def buurt_code(self, i: int) -> str:
        return f"BU{DEMO_GEMEENTE[2:]}{self.nr:02d}{i:02d}"


WIJKEN: tuple[Wijk, ...] = (
    Wijk(1, "Centrum", "centrum", ("Centrum-Noord", "Marktkwartier", "Centrum-Zuid", "Kerkplein"),
         90, (0.40, 0.55), 5.0, 3.0, 110, 7.3, 5.4, 24, 17, 28, 1.35, (-30, -90, -40, 220, -20)),
    Wijk(2, "Oude Haven", "haven", ("Havenkwartier", "Kadebuurt", "Pakhuizen", "Werfeiland"),
         60, (0.35, 0.50), 4.5, 2.8, 80, 7.4, 5.7, 20, 15, 22, 1.30, (-10, -50, -20, 140, 0)),
    Wijk(3, "Molenwijk", "naoorlogs", ("Molenwijk-Noord", "Korenmolen", "Molenwijk-Zuid", "Wiekenbuurt"),
         50, (0.60, 0.70), 4.5, 3.0, 95, 7.3, 5.9, 17, 16, 20, 1.30, (-20, -40, -30, 60, -40)),
    Wijk(4, "Bloemenbuurt", "gezinswijk", ("Rozenbuurt", "Tulpenbuurt", "Lelieveld", "Dahliahof"),
         32, (0.30, 0.38), 3.0, 2.4, 55, 7.8, 6.4, 11, 12, 13, 1.20, (30, 50, 30, 20, 60)),
    Wijk(5, "Stationskwartier", "gemengd", ("Stationsplein", "Spoorzicht", "Emplacement", "Seinhuis"),
         55, (0.40, 0.55), 5.0, 3.2, 90, 7.0, 5.3, 23, 19, 26, 1.40, (-40, -80, -50, 150, -30)),
    Wijk(6, "Lindenhof", "gezinswijk", ("Lindenlaan", "Beukenhof", "Eikenrode", "Essenpark"),
         33, (0.30, 0.36), 3.0, 2.3, 55, 7.7, 6.3, 12, 13, 14, 1.20, (25, 45, 25, 40, 55)),
    Wijk(7, "Vogelwijk", "naoorlogs", ("Merelbuurt", "Spreeuwenhof", "Zwaluwpark", "Reigersbos"),
         58, (0.60, 0.70), 5.5, 3.6, 105, 6.8, 5.3, 24, 22, 28, 1.45, (-40, -70, -50, 30, -60)),
    Wijk(8, "Polderzicht", "nieuwbouw", ("Polderhof", "Dijkzicht", "Slotenbuurt", "Weidebeek"),
         28, (0.30, 0.40), 3.0, 2.2, 50, 7.9, 6.2, 10, 10, 11, 1.20, (40, 60, 35, -20, 90)),
    Wijk(9, "Rivierenwijk", "gemengd", ("Maasbuurt", "Rijnbuurt", "Waalkwartier", "IJsselhof"),
         42, (0.45, 0.60), 4.0, 2.9, 75, 7.3, 5.8, 18, 17, 20, 1.30, (-5, -10, -5, 50, -20)),
    Wijk(10, "Parkwijk", "gemengd", ("Parkzoom", "Vijverhof", "Stadspark-Oost", "Singelbuurt"),
         38, (0.35, 0.50), 3.5, 2.6, 65, 7.5, 6.1, 15, 15, 16, 1.30, (20, 20, 10, 60, 20)),
    Wijk(11, "Hoven-Dorp", "dorp", ("Dorpskern", "Brink", "Kerkeveld", "Ruïneveld"),
         26, (0.30, 0.40), 3.0, 2.3, 50, 7.9, 6.6, 10, 12, 12, 1.20, (50, 70, 60, -30, 60)),
    Wijk(12, "Buitenhoven", "villawijk", ("Landgoed Rhijnhof", "Boslust", "Heidezoom", "Buitenplaats"),
         24, (0.30, 0.30), 3.0, 2.0, 40, 8.0, 6.5, 9, 10, 10, 1.25, (90, 80, 50, -40, 100)),
)  # fmt: skip

# Position of the wijken on the 4x3 map grid, north row first.
WIJK_GRID: tuple[tuple[int, ...], ...] = ((11, 4, 6, 12), (2, 1, 5, 3), (8, 9, 7, 10))

GRID_LON, GRID_LAT = 5.10, 52.05  # centre of the map
BUURT_KM = 0.6  # a buurt cell is 0.6 km, a wijk cell 1.2 km


@dataclass(frozen=True)
class Buurt:
    code: str
    naam: str
    wijk: Wijk
    index: int  # 1..4


def buurten() -> list[Buurt]:
    """All buurten, sorted by code."""
    return [Buurt(w.buurt_code(i + 1), w.buurten[i], w, i + 1) for w in WIJKEN for i in range(4)]


# ----------------------------------------------------------------------------------------------------------
# Stories: trends over time (truth; 1.0 = the 2019 level)
# ----------------------------------------------------------------------------------------------------------

# Yearly multiplier on crime and nuisance (anchored at mid-year, interpolated per month).
TREND_OVERLAST: dict[str, dict[int, float]] = {
    VERSLECHTEREND: {2017: 1.0, 2018: 1.0, 2019: 1.0, 2020: 1.12, 2021: 1.27, 2022: 1.43, 2023: 1.58,
                     2024: 1.62, 2025: 1.64},
    VERBETEREND: {2017: 1.0, 2018: 1.0, 2019: 1.0, 2020: 0.93, 2021: 0.84, 2022: 0.75, 2023: 0.67,
                  2024: 0.65, 2025: 0.64},
}  # fmt: skip
# Yearly multiplier on the share of tenants in rent arrears.
TREND_ACHTERSTAND: dict[str, dict[int, float]] = {
    VERSLECHTEREND: {2017: 1.0, 2018: 1.0, 2019: 1.0, 2020: 1.1, 2021: 1.25, 2022: 1.45, 2023: 1.6,
                     2024: 1.65, 2025: 1.65},
    VERBETEREND: {2017: 1.0, 2018: 1.0, 2019: 1.0, 2020: 0.97, 2021: 0.92, 2022: 0.86, 2023: 0.8,
                  2024: 0.79, 2025: 0.78},
}  # fmt: skip
# Survey: true change against 2019 on the new method (mark, cohesion, onveilig, achteruit, verloedering; the
# last three in points) per survey year.
TREND_ENQUETE: dict[str, dict[int, tuple[float, float, float, float, float]]] = {
    VERSLECHTEREND: {
        2021: (-0.3, -0.3, 5, 5, 5),
        2023: (-0.6, -0.6, 10, 10, 10),
        2025: (-0.7, -0.7, 11, 11, 11),
    },
    VERBETEREND: {
        2021: (0.25, 0.25, -4, -3, -4),
        2023: (0.5, 0.5, -9, -7, -9),
        2025: (0.55, 0.55, -10, -8, -10),
    },
}
# Leefbaarometer: change in thousandths of (fys, onv, soc, vrz, won) against 2020.
TREND_LBM: dict[str, dict[int, tuple[int, int, int, int, int]]] = {
    VERSLECHTEREND: {2022: (-5, -30, -20, 0, -5), 2024: (-10, -55, -35, 0, -10)},
    VERBETEREND: {2022: (5, 25, 15, 0, 20), 2024: (10, 45, 30, 0, 35)},
}


def _trend(anchors: dict[int, float] | None, jaar: int, maand: int = 7) -> float:
    """Multiplier at the middle of (jaar, maand); anchors are at mid-year, linear in between."""
    if anchors is None:
        return 1.0
    t = jaar + (maand - 0.5) / 12.0
    lo = min(anchors)
    hi = max(anchors)
    if t <= lo + 0.5:
        return anchors[lo]
    if t >= hi + 0.5:
        return anchors[hi]
    y0 = math.floor(t - 0.5)
    frac = t - 0.5 - y0
    return anchors[y0] + (anchors[y0 + 1] - anchors[y0]) * frac


def jaarfactor(anchors: dict[int, float] | None, jaar: int) -> float:
    """The true yearly mean multiplier of a trend (the mean of its twelve monthly values)."""
    return sum(_trend(anchors, jaar, m) for m in range(1, 13)) / 12.0


def _half(factor: float, weight: float) -> float:
    """Apply only part of a trend: 1 + (factor - 1) * weight."""
    return 1.0 + (factor - 1.0) * weight


def _normalised(values: Sequence[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr / arr.mean()


# Monthly seasonality (mean 1).
SEIZOEN_INBRAAK = _normalised([1.30, 1.15, 0.95, 0.85, 0.80, 0.75, 0.80, 0.85, 0.95, 1.15, 1.30, 1.35])
SEIZOEN_FIETS = _normalised([0.80, 0.80, 0.90, 1.00, 1.10, 1.10, 1.10, 1.10, 1.15, 1.10, 0.95, 0.80])
SEIZOEN_GEWELD = _normalised([1.05, 0.90, 0.95, 1.00, 1.05, 1.05, 1.05, 1.00, 1.00, 0.95, 0.95, 1.05])
SEIZOEN_VERNIELING = _normalised([1.30, 0.90, 0.95, 0.95, 1.00, 1.00, 1.00, 0.95, 0.95, 0.95, 0.95, 1.10])
SEIZOEN_VLAK = np.ones(12)
SEIZOEN_OPENBARE_RUIMTE = _normalised(
    [0.80, 0.80, 0.95, 1.05, 1.15, 1.15, 1.10, 1.05, 1.05, 1.00, 0.95, 0.95]
)
SEIZOEN_JEUGD = _normalised([0.80, 0.80, 0.90, 1.00, 1.15, 1.25, 1.20, 1.10, 1.00, 1.00, 0.90, 0.90])


# ----------------------------------------------------------------------------------------------------------
# Survey variables and the 2021 method break (from the indicator catalogue)
# ----------------------------------------------------------------------------------------------------------

ENQUETE_VARIABELEN = (
    "rapportcijfer_leefbaarheid",
    "sociale_cohesie",
    "onveilig_in_buurt",
    "buurt_achteruitgegaan",
    "verloedering",
)
ENQUETE_GEMIDDELDEN = ENQUETE_VARIABELEN[:2]  # means (with sd); the others are percentages


@cache
def methodebreuken() -> dict[str, tuple[int, float | None]]:
    """Survey variable -> (year of the method break, omrekenfactor or None), from indicators/catalogue.yaml.

    A value measured before the break, multiplied by the factor, is comparable with values from the break on.
    """
    out: dict[str, tuple[int, float | None]] = {}
    for ind in load_catalogue()["indicatoren"].values():
        teller = ind["teller"]
        if teller["bron"] != "enquete":
            continue
        for brk in ind.get("methodebreuken", []):
            factor = float(brk["omrekenfactor"]) if "omrekenfactor" in brk else None
            for var in teller["variabelen"]:
                if factor is None and var not in BREUK_ZONDER_FACTOR:
                    raise ValueError(
                        f"catalogue: method break of {var} in {brk['jaar']} without omrekenfactor; give the demo's "
                        "level shift in BREUK_ZONDER_FACTOR"
                    )
                out[var] = (int(brk["jaar"]), factor)
    return out


def gemeten(variabele: str, jaar: int, waarde: float) -> float:
    """A new-method true value as the method of ``jaar`` measures it (before a break: divided by the factor,
    or shifted down where the break has no factor)."""
    brk = methodebreuken().get(variabele)
    if brk is None or jaar >= brk[0]:
        return waarde
    if brk[1] is None:
        return waarde - BREUK_ZONDER_FACTOR[variabele]
    return waarde / brk[1]


# Machine-readable description of the designed stories and the model (for tests, docs and the demo mode).
STORIES: dict[str, object] = {
    "gemeente": DEMO_GEMEENTE,
    "basisjaar": 2019,
    "doeljaar": 2023,
    "verslechterend": VERSLECHTEREND,
    "verbeterend": VERBETEREND,
    "ruis": RUIS,
    # wijken whose truth does not change (the ruis wijk is one of them, with small survey samples)
    "stabiel": [
        f"WK{DEMO_GEMEENTE[2:]}{nr:02d}"
        for nr in range(1, 13)
        if f"WK{DEMO_GEMEENTE[2:]}{nr:02d}" not in (VERSLECHTEREND, VERBETEREND)
    ],  # fmt: skip
    # true yearly rate of crime and nuisance in the doeljaar against the basisjaar
    "overlast_factor": {
        w: round(jaarfactor(TREND_OVERLAST[w], 2023) / jaarfactor(TREND_OVERLAST[w], 2019), 3)
        for w in (VERSLECHTEREND, VERBETEREND)
    },
    "huurachterstand_factor": {
        w: round(jaarfactor(TREND_ACHTERSTAND[w], 2023) / jaarfactor(TREND_ACHTERSTAND[w], 2019), 3)
        for w in (VERSLECHTEREND, VERBETEREND)
    },
    # true survey change in the doeljaar against the basisjaar (new method; percentages in points)
    "enquete_verandering": {
        w: dict(zip(ENQUETE_VARIABELEN, TREND_ENQUETE[w][2023], strict=True))
        for w in (VERSLECHTEREND, VERBETEREND)
    },
    "overdispersie": {
        "model": "Poisson x lognormaal jaareffect (gemiddelde 1) per reeks en per gemeente x variabele",
        "jaarvariatie_reeks": JAARVARIATIE,
        "jaarvariatie_gemeente": JAARVARIATIE_GEMEENTE,
    },
    "ontwerpeffect": list(ONTWERPEFFECT),
    "methodebreuk": {
        "jaar": 2021,
        "omrekenfactoren": {v: f for v, (_, f) in sorted(methodebreuken().items()) if f is not None},
        "zonder_factor_verschuiving": dict(BREUK_ZONDER_FACTOR),
    },
    "hotspot_buurt": HOTSPOT_BUURT,
    "hotspot_soort_misdrijf": HOTSPOT_SOORT,
    "hotspot_maanden": [f"{j}MM{m:02d}" for j, m in HOTSPOT],
    "hotspot_aantallen": list(HOTSPOT.values()),
    "koopbuurten_zonder_huurwoningen": list(KOOPBUURTEN),
    "golf_14_dagen": {
        "soort_misdrijf": WEEK_GOLF_SOORT,
        "weken": {f"{b} {j}-W{w:02d}": n for (b, j, w), n in WEEK_GOLF.items()},
    },
    "week_leveringen": {name: moment.isoformat() for name, moment in DELIVERY_MOMENTS.items()},
}


# ----------------------------------------------------------------------------------------------------------
# Random streams and formatting helpers
# ----------------------------------------------------------------------------------------------------------

_STREAMS = (
    "geometrie",
    "bevolking",
    "politie",
    "corporatie",
    "welzijn",
    "gemeente",
    "enquete",
    "lbm",
    "week",
)


def _rng(seed: int, stream: str) -> np.random.Generator:
    """An independent random stream per part, so changing one part never shifts another."""
    return np.random.default_rng([seed, _STREAMS.index(stream)])


def _poisson(rng: np.random.Generator, lam: float | np.ndarray) -> np.ndarray:
    return np.asarray(rng.poisson(np.maximum(np.asarray(lam, dtype=float), 0.0)), dtype=np.int64)


def _jaareffect(rng: np.random.Generator, sd: float) -> np.ndarray:
    """One mean-one lognormal multiplier exp(sd z - sd^2 / 2) per year of JAREN."""
    return np.exp(rng.normal(-sd * sd / 2.0, sd, size=len(JAREN)))


def _jaareffecten(rng: np.random.Generator, gemeente: np.ndarray) -> np.ndarray:
    """The year effect of one series: its own (JAARVARIATIE) times the common gemeente effect of its variable."""
    return _jaareffect(rng, JAARVARIATIE) * gemeente


def _dec(value: float, decimals: int) -> str:
    """Fixed decimals with a Dutch decimal comma."""
    return f"{value:.{decimals}f}".replace(".", ",")


def _micro(value: int) -> str:
    """An integer number of millionths as a decimal with 6 places, exactly."""
    sign = "-" if value < 0 else ""
    q, r = divmod(abs(value), 1_000_000)
    return f"{sign}{q}.{r:06d}"


def _write_lines(path: Path, lines: Iterable[str], bom: bool = False) -> Path:
    text = "".join(line + "\n" for line in lines)
    data = text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


Row = tuple[str, ...]  # bron, gebied_code, periode, variabele, waarde, n, sd[, n_effectief]


def _row(bron: str, code: str, periode: str, variabele: str, waarde: str) -> Row:
    return (bron, code, periode, variabele, waarde, "", "")


def _write_template(path: Path, rows: list[Row], header: str = TEMPLATE_HEADER) -> Path:
    width = header.count(";") + 1
    assert all(len(r) == width for r in rows), f"{path.name}: every row needs {width} fields"
    rows = sorted(rows, key=lambda r: (r[1], r[2], r[3]))
    return _write_lines(path, [header, *(";".join(r) for r in rows)])


# ----------------------------------------------------------------------------------------------------------
# Geometry
# ----------------------------------------------------------------------------------------------------------


def _geometry(seed: int) -> tuple[dict[str, list[list[float]]], dict[str, tuple[int, int, int, int]]]:
    """Rings (lon/lat, closed, counter-clockwise) per area code, on a jittered shared grid.

    The map is 8 x 6 buurt cells (x to the east, y to the north). Interior grid vertices are jittered, and
    every cell edge gets a jittered midpoint; neighbours use the very same points, so the polygons tile.
    """
    rng = _rng(seed, "geometrie")
    ncols, nrows = 2 * len(WIJK_GRID[0]), 2 * len(WIJK_GRID)
    km_lat = 111.2
    km_lon = 111.32 * math.cos(math.radians(GRID_LAT))
    lon0 = GRID_LON - ncols * BUURT_KM / 2 / km_lon
    lat0 = GRID_LAT - nrows * BUURT_KM / 2 / km_lat

    vertex: dict[tuple[int, int], tuple[float, float]] = {}
    for c in range(ncols + 1):
        for r in range(nrows + 1):
            dx, dy = rng.uniform(-0.12, 0.12, size=2)
            if c in (0, ncols):
                dx = 0.0
            if r in (0, nrows):
                dy = 0.0
            vertex[(c, r)] = (c + dx, r + dy)
    hmid: dict[tuple[int, int], tuple[float, float]] = {}  # edge (c, r) -> (c + 1, r)
    vmid: dict[tuple[int, int], tuple[float, float]] = {}  # edge (c, r) -> (c, r + 1)
    for c in range(ncols):
        for r in range(nrows + 1):
            (x0, y0), (x1, y1) = vertex[(c, r)], vertex[(c + 1, r)]
            hmid[(c, r)] = ((x0 + x1) / 2, (y0 + y1) / 2 + rng.uniform(-0.08, 0.08))
    for c in range(ncols + 1):
        for r in range(nrows):
            (x0, y0), (x1, y1) = vertex[(c, r)], vertex[(c, r + 1)]
            vmid[(c, r)] = ((x0 + x1) / 2 + rng.uniform(-0.08, 0.08), (y0 + y1) / 2)

    def lonlat(p: tuple[float, float]) -> list[float]:
        x, y = p
        return [round(lon0 + x * BUURT_KM / km_lon, 6), round(lat0 + y * BUURT_KM / km_lat, 6)]

    def ring(c0: int, r0: int, c1: int, r1: int) -> list[list[float]]:
        pts: list[tuple[float, float]] = []
        for c in range(c0, c1):  # south side, west -> east
            pts += [vertex[(c, r0)], hmid[(c, r0)]]
        for r in range(r0, r1):  # east side, south -> north
            pts += [vertex[(c1, r)], vmid[(c1, r)]]
        for c in range(c1, c0, -1):  # north side, east -> west
            pts += [vertex[(c, r1)], hmid[(c - 1, r1)]]
        for r in range(r1, r0, -1):  # west side, north -> south
            pts += [vertex[(c0, r)], vmid[(c0, r - 1)]]
        pts.append(pts[0])
        return [lonlat(p) for p in pts]

    rings: dict[str, list[list[float]]] = {DEMO_GEMEENTE: ring(0, 0, ncols, nrows)}
    cells: dict[str, tuple[int, int, int, int]] = {}
    for row_from_north, row in enumerate(WIJK_GRID):
        wr = len(WIJK_GRID) - 1 - row_from_north
        for wc, nr in enumerate(row):
            wijk = next(w for w in WIJKEN if w.nr == nr)
            c0, r0 = 2 * wc, 2 * wr
            cells[wijk.code] = (c0, r0, c0 + 2, r0 + 2)
            # buurt 01 NW, 02 NE, 03 SW, 04 SE
            for i, (dc, dr) in enumerate(((0, 1), (1, 1), (0, 0), (1, 0)), start=1):
                cells[wijk.buurt_code(i)] = (c0 + dc, r0 + dr, c0 + dc + 1, r0 + dr + 1)
    for code, (c0, r0, c1, r1) in cells.items():
        rings[code] = ring(c0, r0, c1, r1)
    return rings, cells


def _write_gebieden(path: Path, seed: int) -> Path:
    rings, _ = _geometry(seed)
    areas: list[tuple[int, str, str, str]] = [(0, DEMO_GEMEENTE, DEMO_GEMEENTE_NAAM, "gemeente")]
    areas += [(1, w.code, w.naam, "wijk") for w in WIJKEN]
    areas += [(2, b.code, b.naam, "buurt") for b in buurten()]
    areas.sort()
    lines = ['{"type":"FeatureCollection","name":"gebieden_lindenhoven","features":[']
    for i, (_, code, naam, niveau) in enumerate(areas):
        feature = {
            "type": "Feature",
            "properties": {"gebied_code": code, "gebied_naam": naam, "niveau": niveau},
            "geometry": {"type": "Polygon", "coordinates": [rings[code]]},
        }
        sep = "," if i < len(areas) - 1 else ""
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")) + sep)
    lines.append("]}")
    return _write_lines(path, lines)


# ----------------------------------------------------------------------------------------------------------
# Population
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bevolking:
    inwoners: dict[str, dict[int, int]]
    huishoudens: dict[str, dict[int, int]]
    woningen: dict[str, dict[int, int]]


def _bevolking(seed: int) -> Bevolking:
    rng = _rng(seed, "bevolking")
    inw: dict[str, dict[int, int]] = {}
    hh: dict[str, dict[int, int]] = {}
    won: dict[str, dict[int, int]] = {}
    for b in buurten():
        kind = KINDS[b.wijk.kind]
        base = rng.uniform(*kind.inwoners)
        groei = kind.groei + rng.normal(0.0, 0.003)
        hhsize = kind.huishoudgrootte * rng.uniform(0.95, 1.05)
        bezetting = rng.uniform(1.02, 1.04)  # dwellings per household
        shocks = rng.normal(0.0, 0.003, size=len(JAREN))
        level = base
        prev_won = 0
        inw[b.code], hh[b.code], won[b.code] = {}, {}, {}
        for k, jaar in enumerate(JAREN):
            if k > 0:
                level *= 1.0 + groei + shocks[k]
            n_inw = int(round(min(max(level, 600.0), 3500.0)))
            n_hh = int(round(n_inw / (hhsize * (1.0 - 0.003) ** k)))
            n_won = max(prev_won, int(round(n_hh * bezetting)))
            prev_won = n_won
            inw[b.code][jaar], hh[b.code][jaar], won[b.code][jaar] = n_inw, n_hh, n_won
    for table in (inw, hh, won):
        for w in WIJKEN:
            table[w.code] = {j: sum(table[w.buurt_code(i)][j] for i in range(1, 5)) for j in JAREN}
        table[DEMO_GEMEENTE] = {j: sum(table[w.code][j] for w in WIJKEN) for j in JAREN}
    return Bevolking(inw, hh, won)


def _write_bevolking(path: Path, bev: Bevolking) -> Path:
    lines = ["gebied_code;jaar;inwoners;huishoudens;woningen"]
    for code in sorted(bev.inwoners):
        for jaar in JAREN:
            lines.append(f"{code};{jaar};{bev.inwoners[code][jaar]};{bev.huishoudens[code][jaar]};"
                         f"{bev.woningen[code][jaar]}")  # fmt: skip
    return _write_lines(path, lines)


# ----------------------------------------------------------------------------------------------------------
# Police: CBS/Politie table 47022NED (monthly, buurt level)
# ----------------------------------------------------------------------------------------------------------

# code -> (rate per 1,000 at the national level, base: "inw" | "won", exponent on the wijk crime multiplier,
#          seasonality)
SOORTEN: dict[str, tuple[float, str, float, np.ndarray]] = {
    "1.1.1": (4.0, "won", 0.4, SEIZOEN_INBRAAK),  # woninginbraak, per 1,000 dwellings
    "1.1.2": (1.5, "won", 0.3, SEIZOEN_INBRAAK),  # box/garage/schuur
    "1.2.3": (6.5, "inw", 1.2, SEIZOEN_FIETS),  # fietsdiefstal
    "1.4.3": (0.35, "inw", 1.2, SEIZOEN_GEWELD),  # openlijk geweld
    "1.4.4": (1.5, "inw", 1.0, SEIZOEN_GEWELD),  # bedreiging
    "1.4.5": (2.7, "inw", 1.0, SEIZOEN_GEWELD),  # mishandeling
    "1.4.6": (0.35, "inw", 1.3, SEIZOEN_GEWELD),  # straatroof
    "2.1.1": (1.0, "inw", 1.3, SEIZOEN_GEWELD),  # drugs/drankoverlast
    "2.2.1": (5.0, "inw", 0.9, SEIZOEN_VERNIELING),  # vernieling
}
NATIONAAL_MISDRIJVEN = 45.0
OVERIG = "overig"  # the crime not listed in SOORTEN (shoplifting, fraud, other thefts, ...): part of 0.0.0


def _maanden() -> list[tuple[int, int]]:
    return [(j, m) for j in JAREN for m in range(1, 13)]


def _politie(seed: int, bev: Bevolking) -> dict[tuple[str, str], np.ndarray]:
    """Monthly counts per (code, buurt): arrays of len(JAREN) * 12; code 0.0.0 is the total."""
    rng = _rng(seed, "politie")
    maanden = _maanden()
    gemeente = {code: _jaareffect(rng, JAARVARIATIE_GEMEENTE) for code in [*SOORTEN, OVERIG]}
    out: dict[tuple[str, str], np.ndarray] = {}
    for b in buurten():
        mult = b.wijk.misdrijven / NATIONAAL_MISDRIJVEN * rng.lognormal(0.0, 0.12)
        trend = np.array([_trend(TREND_OVERLAST.get(b.wijk.code), j, m) for j, m in maanden])
        inw = np.array([bev.inwoners[b.code][j] for j, _ in maanden], dtype=float)
        won = np.array([bev.woningen[b.code][j] for j, _ in maanden], dtype=float)
        seizoen_idx = np.array([m - 1 for _, m in maanden])
        listed = np.zeros(len(maanden))
        total = np.zeros(len(maanden), dtype=np.int64)
        for code, (rate, basis, exponent, seizoen) in SOORTEN.items():
            base = won if basis == "won" else inw
            expected = rate * mult**exponent * base / 1000.0 / 12.0 * seizoen[seizoen_idx] * trend
            counts = _poisson(rng, expected * np.repeat(_jaareffecten(rng, gemeente[code]), 12))
            if b.code == HOTSPOT_BUURT and code == HOTSPOT_SOORT:
                for (j, m), aantal in HOTSPOT.items():
                    counts[maanden.index((j, m))] = aantal
            out[(code, b.code)] = counts
            listed += expected
            total += counts
        # Everything else: what is left of the total rate, with its own year effect.
        lam_total = NATIONAAL_MISDRIJVEN * mult * inw / 1000.0 / 12.0 * trend
        lam_other = np.maximum(lam_total - listed, 0.3 * lam_total)
        out[("0.0.0", b.code)] = total + _poisson(
            rng, lam_other * np.repeat(_jaareffecten(rng, gemeente[OVERIG]), 12)
        )
    return out


def _write_politie(path: Path, counts: dict[tuple[str, str], np.ndarray]) -> Path:
    perioden = [f"{j}MM{m:02d}" for j in JAREN for m in range(1, 13)]
    verborgen = {f"{j}MM{m:02d}" for j, m in POLITIE_NIET_GEPUBLICEERD}
    lines = ['"ID";"SoortMisdrijf";"WijkenEnBuurten";"Perioden";"GeregistreerdeMisdrijven_1"']
    row_id = 0
    for code, buurt in sorted(counts):
        values = counts[(code, buurt)]
        for periode, value in zip(perioden, values, strict=True):
            waarde = "." if periode in verborgen else str(int(value))
            lines.append(f'"{row_id}";"{code:<6}";"{buurt:<10}";"{periode}";"{waarde:>8}"')
            row_id += 1
    return _write_lines(path, lines, bom=True)


# ----------------------------------------------------------------------------------------------------------
# Police: recent figures per buurt and ISO week (partner source politie_week), delivered every 14 days
# ----------------------------------------------------------------------------------------------------------


def _weeks() -> list[tuple[int, int]]:
    """ISO (year, week) from WEEK_EERSTE to WEEK_LAATSTE."""
    day = dt.date.fromisocalendar(*WEEK_EERSTE, 1)
    last = dt.date.fromisocalendar(*WEEK_LAATSTE, 1)
    out = []
    while day <= last:
        iso = day.isocalendar()
        out.append((iso.year, iso.week))
        day += dt.timedelta(days=7)
    return out


def _politie_week(seed: int, counts: dict[tuple[str, str], np.ndarray]) -> dict[tuple[str, str], dict]:
    """Weekly counts per (code, buurt): {(iso year, week): count}, from the monthly counts.

    Each month's count of every crime kind (and of the rest of the total) is spread over the days of its
    month (multinomial, uniform), the days are summed per ISO week; 0.0.0 is the sum of the kinds and the
    rest, as in the monthly file. Then the burglary wave (WEEK_GOLF) is written in, the total raised with it.
    """
    rng = _rng(seed, "week")
    first = dt.date.fromisocalendar(*WEEK_EERSTE, 1)
    last = dt.date.fromisocalendar(*WEEK_LAATSTE, 7)
    months = [
        (j, m)
        for j, m in _maanden()
        if dt.date(j, m, 1) <= last and dt.date(j, m, 28) >= first.replace(day=1)
    ]
    index = {jm: i for i, jm in enumerate(_maanden())}
    weeks = set(_weeks())
    out: dict[tuple[str, str], dict] = {}
    for b in buurten():
        total: dict[tuple[int, int], int] = dict.fromkeys(weeks, 0)
        listed = np.zeros(len(index), dtype=np.int64)
        for code in [*SOORTEN, OVERIG]:
            if code == OVERIG:
                monthly = counts[("0.0.0", b.code)] - listed
            else:
                monthly = counts[(code, b.code)]
                listed = listed + monthly
            per_week: dict[tuple[int, int], int] = dict.fromkeys(weeks, 0)
            for j, m in months:
                days = calendar.monthrange(j, m)[1]
                spread = rng.multinomial(int(monthly[index[(j, m)]]), np.full(days, 1.0 / days))
                for d, n in enumerate(spread, start=1):
                    day = dt.date(j, m, d)
                    if first <= day <= last:
                        iso = day.isocalendar()
                        per_week[(iso.year, iso.week)] += int(n)
            for key, n in per_week.items():
                total[key] += n
            if code in WEEK_SOORTEN:
                out[(code, b.code)] = per_week
        out[("0.0.0", b.code)] = total
    for (buurt, j, w), n in WEEK_GOLF.items():
        extra = n - out[(WEEK_GOLF_SOORT, buurt)][(j, w)]
        out[(WEEK_GOLF_SOORT, buurt)][(j, w)] = n
        out[("0.0.0", buurt)][(j, w)] += extra
    return out


def _write_politie_week(out_dir: Path, counts: dict[tuple[str, str], dict]) -> list[Path]:
    """One file per delivery of WEEK_LEVERINGEN, each with the weeks after the previous one's last week."""
    written = []
    previous = (0, 0)
    for name, (until, _moment) in WEEK_LEVERINGEN.items():
        rows = [
            (WEEK_BRON, buurt, f"{j}-W{w:02d}", code, str(n))
            for (code, buurt), per_week in counts.items()
            for (j, w), n in per_week.items()
            if previous < (j, w) <= until
        ]
        rows.sort(key=lambda r: (r[1], r[2], r[3]))
        lines = ["bron;gebied_code;periode;variabele;waarde", *(";".join(r) for r in rows)]
        written.append(_write_lines(out_dir / name, lines))
        previous = until
    return written


# ----------------------------------------------------------------------------------------------------------
# Housing corporation (buurt, half-yearly)
# ----------------------------------------------------------------------------------------------------------

CORPORATIE_TELLINGEN = ("overlastmeldingen", "verhuizingen", "leegstaande_woningen")


def _corporatie(seed: int, bev: Bevolking) -> list[Row]:
    rng = _rng(seed, "corporatie")
    rows: list[Row] = []
    zonder_huur = set(KOOPBUURTEN)
    gemeente = {name: _jaareffect(rng, JAARVARIATIE_GEMEENTE) for name in CORPORATIE_TELLINGEN}
    for b in buurten():
        share = rng.uniform(*b.wijk.huur)
        overlast = b.wijk.overlast_corp * rng.uniform(0.85, 1.15)
        achterstand = b.wijk.achterstand * rng.uniform(0.85, 1.15) / 100.0
        mutatie = rng.uniform(0.07, 0.09)
        leegstand = rng.uniform(0.005, 0.015)
        effect = {name: _jaareffecten(rng, gemeente[name]) for name in CORPORATIE_TELLINGEN}
        # arrears are a stock: tenants stay in arrears for a while, so the noise is autocorrelated
        ar_noise = 0.0
        for k, jaar in enumerate(JAREN):
            won_now = bev.woningen[b.code][jaar]
            won_prev = bev.woningen[b.code].get(jaar - 1, won_now)
            won_next = bev.woningen[b.code].get(jaar + 1, won_now + (won_now - won_prev))
            for half in (1, 2):
                periode = f"{jaar}-H{half}"
                maand = 4 if half == 1 else 10
                woningen = won_now if half == 1 else (won_now + won_next) / 2
                huur = 0 if b.code in zonder_huur else int(round(woningen * share))
                ar_noise = 0.7 * ar_noise + rng.normal(0.0, 0.06)
                p_achterstand = achterstand * _trend(TREND_ACHTERSTAND.get(b.wijk.code), jaar, maand)
                f_overlast = _trend(TREND_OVERLAST.get(b.wijk.code), jaar, maand)
                draws = (
                    _poisson(rng, huur * overlast / 100 / 2 * f_overlast * effect["overlastmeldingen"][k]),
                    rng.binomial(huur, min(p_achterstand * math.exp(ar_noise), 1.0)),
                    _poisson(rng, huur * mutatie / 2 * effect["verhuizingen"][k]),
                    rng.binomial(huur, min(leegstand * effect["leegstaande_woningen"][k], 1.0)),
                )
                rows.append(_row("corporatie", b.code, periode, "huurwoningen", str(huur)))
                if huur == 0:
                    continue
                for name, value in zip(
                    ("overlastmeldingen", "huurders_met_achterstand", "verhuizingen", "leegstaande_woningen"),
                    draws,
                    strict=True,
                ):
                    rows.append(_row("corporatie", b.code, periode, name, str(int(value))))
    return rows


# ----------------------------------------------------------------------------------------------------------
# Welfare organisation (wijk, quarterly)
# ----------------------------------------------------------------------------------------------------------

# Activities collapsed during the COVID-19 measures (2020-Q2 .. 2021-Q3).
COVID_ACTIVITEITEN: dict[tuple[int, int], float] = {
    (2020, 2): 0.35, (2020, 3): 0.70, (2020, 4): 0.50, (2021, 1): 0.45, (2021, 2): 0.70, (2021, 3): 0.90,
}  # fmt: skip
SEIZOEN_KWARTAAL_JONGEREN = (0.95, 1.05, 1.10, 0.90)
SEIZOEN_KWARTAAL_ACTIVITEITEN = (1.05, 1.05, 0.80, 1.10)
WELZIJN_TELLINGEN = ("jongerenwerk_contacten", "buurtbemiddeling_zaken", "deelnemers_activiteiten")


def _welzijn(seed: int, bev: Bevolking) -> list[Row]:
    rng = _rng(seed, "welzijn")
    rows: list[Row] = []
    gemeente = {name: _jaareffect(rng, JAARVARIATIE_GEMEENTE) for name in WELZIJN_TELLINGEN}
    for w in WIJKEN:
        bemiddeling = rng.uniform(2.0, 5.0)  # cases per 1,000 households a year
        deelname = rng.uniform(120.0, 220.0)  # participants per 1,000 inhabitants a year
        vrijwilligers = rng.uniform(4.0, 8.0)  # volunteers per 1,000 inhabitants
        effect = {name: _jaareffecten(rng, gemeente[name]) for name in WELZIJN_TELLINGEN}
        anchors = TREND_OVERLAST.get(w.code)
        for k, jaar in enumerate(JAREN):
            inw = bev.inwoners[w.code][jaar]
            hh = bev.huishoudens[w.code][jaar]
            for q in range(1, 5):
                f = _trend(anchors, jaar, 3 * q - 1)
                worse, better = max(f - 1.0, 0.0), max(1.0 - f, 0.0)
                # more outreach where nuisance grows; no cut-back where it falls
                lam_jong = (
                    w.jongeren * inw / 1000 / 4 * SEIZOEN_KWARTAAL_JONGEREN[q - 1] * _half(max(f, 1.0), 0.6)
                )
                lam_bem = bemiddeling * hh / 1000 / 4 * f
                covid = COVID_ACTIVITEITEN.get((jaar, q), 1.0)
                lam_act = deelname * inw / 1000 / 4 * SEIZOEN_KWARTAAL_ACTIVITEITEN[q - 1] * covid
                lam_act *= 1.0 - 0.4 * worse + 1.2 * better
                stock = (
                    vrijwilligers * inw / 1000 * (1.0 - 0.5 * worse + 1.0 * better) * rng.normal(1.0, 0.04)
                )
                values = {
                    "jongerenwerk_contacten": int(
                        _poisson(rng, lam_jong * effect["jongerenwerk_contacten"][k])
                    ),
                    "buurtbemiddeling_zaken": int(
                        _poisson(rng, lam_bem * effect["buurtbemiddeling_zaken"][k])
                    ),
                    "deelnemers_activiteiten": int(
                        _poisson(rng, lam_act * effect["deelnemers_activiteiten"][k])
                    ),
                    "vrijwilligers": max(int(round(stock)), 0),
                }
                for name, value in values.items():
                    rows.append(_row("welzijn", w.code, f"{jaar}-Q{q}", name, str(value)))
    return rows


# ----------------------------------------------------------------------------------------------------------
# Municipality reports (buurt, monthly)
# ----------------------------------------------------------------------------------------------------------

MELDINGEN: dict[str, tuple[tuple[float, float], np.ndarray, float]] = {
    # name -> (range per 1,000 inhabitants a year, seasonality, weight of the nuisance trend)
    "meldingen_openbare_ruimte": ((40.0, 80.0), SEIZOEN_OPENBARE_RUIMTE, 0.5),
    "meldingen_overlast_jeugd": ((3.0, 8.0), SEIZOEN_JEUGD, 1.0),
    "meldingen_verward_gedrag": ((2.0, 5.0), SEIZOEN_VLAK, 1.0),
}


def _gemeente(seed: int, bev: Bevolking) -> list[Row]:
    rng = _rng(seed, "gemeente")
    rows: list[Row] = []
    maanden = _maanden()
    gemeente = {name: _jaareffect(rng, JAARVARIATIE_GEMEENTE) for name in MELDINGEN}
    # more reports where there is more crime: position within the range follows the wijk's crime level
    for b in buurten():
        pos = min(max((b.wijk.misdrijven - 24.0) / (90.0 - 24.0), 0.0), 1.0)
        trend = np.array([_trend(TREND_OVERLAST.get(b.wijk.code), j, m) for j, m in maanden])
        inw = np.array([bev.inwoners[b.code][j] for j, _ in maanden], dtype=float)
        seizoen_idx = np.array([m - 1 for _, m in maanden])
        for name, ((lo, hi), seizoen, weight) in MELDINGEN.items():
            rate = (lo + (hi - lo) * pos) * rng.uniform(0.85, 1.15)
            lam = rate * inw / 1000 / 12 * seizoen[seizoen_idx] * (1.0 + (trend - 1.0) * weight)
            lam = lam * np.repeat(_jaareffecten(rng, gemeente[name]), 12)
            for (j, m), value in zip(maanden, _poisson(rng, lam), strict=True):
                rows.append(_row("gemeente", b.code, f"{j}-{m:02d}", name, str(int(value))))
    return rows


# ----------------------------------------------------------------------------------------------------------
# Resident survey (wijk, every two years)
# ----------------------------------------------------------------------------------------------------------


def enquete_waarheid(wijk: Wijk, jaar: int) -> dict[str, float]:
    """The true survey values of a wijk in a year on the new (2021) method: levels plus the story's change."""
    delta = TREND_ENQUETE.get(wijk.code, {}).get(jaar, (0.0, 0.0, 0.0, 0.0, 0.0))
    levels = (wijk.cijfer, wijk.cohesie, wijk.onveilig, wijk.achteruit, wijk.verloedering)
    return {name: lvl + d for name, lvl, d in zip(ENQUETE_VARIABELEN, levels, delta, strict=True)}


def _enquete(seed: int) -> list[Row]:
    rng = _rng(seed, "enquete")
    rows: list[Row] = []
    story_wijken = {VERSLECHTEREND, VERBETEREND}
    grenzen = {"rapportcijfer_leefbaarheid": (1.0, 10.0), "sociale_cohesie": (0.0, 10.0)}
    for w in WIJKEN:
        sd_cohesie = rng.uniform(1.5, 2.0)
        for jaar in ENQUETE_JAREN:
            if w.code in story_wijken:
                n = int(rng.integers(330, 391))
            elif w.code == RUIS:
                n = int(rng.integers(150, 181))
            else:
                n = int(rng.integers(180, 321))
            n_eff = round(n / rng.uniform(*ONTWERPEFFECT), 1)
            true = enquete_waarheid(w, jaar)
            delta = TREND_ENQUETE.get(w.code, {}).get(jaar, (0.0, 0.0, 0.0, 0.0, 0.0))
            # dispersion of individual answers grows a little as a wijk gets worse
            sd_true = {"rapportcijfer_leefbaarheid": w.sd_cijfer - 0.2 * delta[0],
                       "sociale_cohesie": sd_cohesie - 0.2 * delta[1]}  # fmt: skip
            for name in ENQUETE_VARIABELEN:
                waarde = gemeten(name, jaar, true[name])  # on the method of that year
                if name in ENQUETE_GEMIDDELDEN:
                    scale = waarde / true[name]
                    sd = sd_true[name] * scale
                    lo, hi = grenzen[name]
                    value = min(max(rng.normal(waarde, sd / math.sqrt(n_eff)), lo), hi)
                    sd_sample = _dec(sd * math.sqrt(rng.chisquare(n - 1) / (n - 1)), 2)
                else:
                    trials = max(int(round(n_eff)), 1)
                    value = 100.0 * rng.binomial(trials, min(max(waarde, 0.0), 100.0) / 100.0) / trials
                    sd_sample = ""
                rows.append(
                    ("enquete", w.code, str(jaar), name, _dec(value, 1), str(n), sd_sample, _dec(n_eff, 1))
                )
    return rows


# ----------------------------------------------------------------------------------------------------------
# Leefbaarometer 3.0 (wijk)
# ----------------------------------------------------------------------------------------------------------


def _write_leefbaarometer(path: Path, seed: int) -> Path:
    rng = _rng(seed, "lbm")
    lines = ["wk_code,wk_naam,jaar,lbm,afw,fys,onv,soc,vrz,won"]
    for w in sorted(WIJKEN, key=lambda x: x.code):
        for jaar in LBM_JAREN:
            delta = TREND_LBM.get(w.code, {}).get(jaar, (0, 0, 0, 0, 0))
            noise = rng.normal(0.0, 4000.0, size=5)
            dims = [int(round(1000 * (base + d) + e)) for base, d, e in zip(w.lbm, delta, noise, strict=True)]
            afw = sum(dims)
            lbm = LBM_REFERENTIE_MICRO + afw
            lines.append(",".join([w.code, w.naam, str(jaar), _micro(lbm), _micro(afw), *map(_micro, dims)]))
    return _write_lines(path, lines)


# ----------------------------------------------------------------------------------------------------------
# Public entry point
# ----------------------------------------------------------------------------------------------------------


def generate_demo(out_dir: Path, seed: int = 2019) -> list[Path]:
    """Write all demo files for Lindenhoven into ``out_dir``; return their paths, sorted.

    The same seed always gives byte-identical files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bev = _bevolking(seed)
    politie = _politie(seed, bev)
    writers: dict[str, Callable[[Path], Path]] = {
        "gebieden": lambda p: _write_gebieden(p, seed),
        "bevolking": lambda p: _write_bevolking(p, bev),
        "politie": lambda p: _write_politie(p, politie),
        "corporatie": lambda p: _write_template(p, _corporatie(seed, bev)),
        "welzijn": lambda p: _write_template(p, _welzijn(seed, bev)),
        "gemeente": lambda p: _write_template(p, _gemeente(seed, bev)),
        "enquete": lambda p: _write_template(p, _enquete(seed), TEMPLATE_HEADER_ENQUETE),
        "leefbaarometer": lambda p: _write_leefbaarometer(p, seed),
    }
    written = [write(out_dir / FILE_NAMES[key]) for key, write in writers.items()]
    written += _write_politie_week(out_dir, _politie_week(seed, politie))
    return sorted(written)


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "data" / "demo"
    for written in generate_demo(target):
        print(f"{written.stat().st_size:>10,d}  {written}")
