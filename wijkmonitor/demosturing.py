"""Demo steering records for Lindenhoven: meetings, capacity and its distribution, normering, the action list
and the covenant's agreements, 2020 up to the demo's "today" (15 September 2025).

:func:`seed_demo_steering` runs after :func:`wijkmonitor.demoplans.seed_demo_plans` and writes, entirely through
:mod:`wijkmonitor.records.sturing` (every write authorised and audited as the system actor ``systeem:demo``,
backdated with ``nu=``):

- **meetings**: the stuurgroep in spring (third Thursday of April) and autumn (first Thursday of October), besides
  the meetings in December and January-February where it adopts the jaarplannen (recorded by ``seed_demo_plans``
  and reused here); the regiegroep five times a year (January, March, June, September, December) except in 2023,
  when a change of chair cancelled March and June (so the agreement "at least four times a year" is broken once);
  each wijk's leefbaarheidsteam two or three times a year. Attendance by role, short notes, the warehouse version;
- **capacity** per partner per year 2020-2026, given in the regiegroep's December meeting (2026: September 2025);
- **distributions**, a round per half-year 2020-H1 .. 2025-H2: the regiegroep saves a scenario (every partner's
  hours over the wijken in proportion to the need, largest-remainder rounding), advises it in its March (2023:
  January) or September meeting, and the stuurgroep adopts it in its spring or autumn meeting. In autumn 2022 the
  stuurgroep sends the advice back (more for the Molenwijk) and adopts a revised scenario in December; the 2025-H2
  advice awaits the autumn meeting of October 2025. A few variants stay scenarios (the regiegroep's work in
  progress), among them a first draft for 2026;
- **normering**: bands for six indicators proposed in March 2021 and adopted in April 2021, the burglary bands
  revised after the 2024 hotspot, and a proposal for the reports about public space still open;
- **actions**: 26 actions of the regiegroep, with owner (partner and role, no names), wijk and deadline, their
  status updated in later meetings; four are overdue on the peildatum;
- **agreements**: five measured by the monitor itself (the police's 14-day delivery of the weekly figures, the
  corporation's half-yearly delivery, the meeting rhythm of the stuurgroep and the regiegroep, the teams'
  reports on time) and four checked by the regiegroep every half-year, mostly kept.

The need-formula settings are not seeded (the defaults apply). Draws come from ``random.Random(seed)`` in a fixed
order and the writes run in the order of their backdated moments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from etl import demo as demo_data
from indicators.catalogue import load_catalogue
from wijkmonitor import capacity as need_formula
from wijkmonitor.demoplans import (
    ACTOR,
    PEILDATUM,
    STUURGROEP_AANWEZIG,
    THU,
    TUE,
    _nth_weekday,
    _utc,
    _workday,
    data_version,
    stuurgroep_meeting,
    stuurgroep_notes,
)
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records import sturing
from wijkmonitor.records.sturing import Action, Agreement

DEMO_WEEK_BRON = demo_data.WEEK_BRON  # the police's weekly source that the demo delivers
JAREN = tuple(range(2020, 2026))  # the years with meetings and distributions
CAPACITEIT_JAREN = tuple(range(2020, 2027))
REGIEGROEP_KORT = 2023  # the year the regiegroep met only three times
AFGEWEZEN = (2022, 2)  # the round whose advice the stuurgroep sends back
BASIS_UREN = {"gemeente": 3400, "politie": 2500, "corporatie": 1500, "welzijn": 2500, "buurtpreventie": 400}
REGIEGROEP_AANWEZIG = ("gemeente", "politie", "corporatie", "welzijn", "programmamanager")
TEAM_AANWEZIG = ("gemeente", "politie", "corporatie", "welzijn")

# ------------------------------------------------------------------------------------------ calendar


def regiegroep_dates(jaar: int) -> list[dt.date]:
    """The regiegroep's meetings of a year up to the peildatum: the second Tuesday of January, March, June and
    September and the first Tuesday of December (only January, September and December in 2023)."""
    months = (1, 9, 12) if jaar == REGIEGROEP_KORT else (1, 3, 6, 9, 12)
    days = [_nth_weekday(jaar, m, TUE, 1 if m == 12 else 2) for m in months]
    return [d for d in days if d <= PEILDATUM]


def regie(jaar: int, maand: int) -> dt.date:
    """The regiegroep's meeting of that month."""
    return next(d for d in regiegroep_dates(jaar) if d.month == maand)


def voorjaar(jaar: int) -> dt.date:
    """The stuurgroep's spring meeting: the third Thursday of April."""
    return _nth_weekday(jaar, 4, THU, 3)


def najaar(jaar: int) -> dt.date:
    """The stuurgroep's autumn meeting: the first Thursday of October."""
    return _nth_weekday(jaar, 10, THU, 1)


def advice_day(jaar: int, halfjaar: int) -> dt.date:
    """The regiegroep meeting that advises a round: March (2023: January) or September."""
    if halfjaar == 2:
        return regie(jaar, 9)
    return regie(jaar, 1) if jaar == REGIEGROEP_KORT else regie(jaar, 3)


def after_half(jaar: int, halfjaar: int) -> dt.date:
    """The regiegroep meeting that checks a half-year's agreements: September, or January of the next year
    (the half-year under way: the last meeting before the peildatum)."""
    if (jaar, halfjaar) >= (PEILDATUM.year, 1):
        return regiegroep_dates(PEILDATUM.year)[-1]
    return regie(jaar, 9) if halfjaar == 1 else regie(jaar + 1, 1)


# ------------------------------------------------------------------------------------------ texts

STUURGROEP_EXTRA: dict[tuple[int, int], str] = {
    (
        2020,
        4,
    ): "Vergadering digitaal vanwege de coronamaatregelen. De afspraken uit het convenant zijn vastgelegd.",
    (2021, 4): "De normering voor zes indicatoren is vastgesteld op voorstel van de regiegroep.",
    (2022, 4): "De stuurgroep ziet af van cameratoezicht; eerst de inzet van buurtpreventie en verlichting.",
    (2022, 10): (
        "Het advies over de verdeling is teruggestuurd: de Molenwijk krijgt naar verhouding te weinig inzet van "
        "corporatie en welzijn."
    ),
    (
        2023,
        4,
    ): "Doeljaar van het convenant: de stand van 2023 ten opzichte van 2019 wordt in het najaar gemeten.",
    (2024, 4): "Inbraakgolf in Spoorzicht: de stuurgroep steunt de hotspotaanpak volgens de menukaart.",
    (2024, 10): "De normering van de woninginbraken is aangescherpt na de inbraakgolf.",
    (2025, 4): "Afgesproken dat de politie de inbraakcijfers per buurt voortaan elke 14 dagen levert.",
}
REGIEGROEP_NOTES = {
    1: "Actielijst doorgenomen; capaciteit en jaarplannen {jaar} afgestemd.",
    3: "Actualiteit en hotspots besproken; advies over de verdeling {jaar} (voorjaar) voor de stuurgroep.",
    6: "Actualiteit besproken; de halfjaarrapportages van de teams voorbereid.",
    9: "Halfjaarrapportages van de teams besproken; advies over de verdeling {jaar} (najaar) voor de stuurgroep.",
    12: "Advies over de jaarplannen {volgend}; de capaciteit {volgend} van de partners vastgelegd.",
}
REGIEGROEP_EXTRA: dict[tuple[int, int], str] = {
    (2020, 3): "Overleg digitaal; de teams gaan tijdelijk online vergaderen.",
    (2022, 3): "De overlastmeldingen in de Molenwijk stijgen al twee jaar; de gemeente maakt een analyse.",
    (2023, 1): "Door de wisseling van de voorzitter vervallen de overleggen van maart en juni.",
    (2024, 3): "Inbraakgolf in Spoorzicht: extra surveillance en preventie afgesproken.",
    (2025, 9): "Nieuwe inbraakgolf in de Tulpenbuurt gesignaleerd in de cijfers van de politie.",
}
TEAM_TOPICS = (
    "signalen uit de buurt gedeeld",
    "de wijkschouw voorbereid",
    "overlast rond {buurt} besproken",
    "nieuwe bewonersinitiatieven besproken",
    "de inzet van het jongerenwerk in de zomer afgestemd",
    "meldingen openbare ruimte van de afgelopen weken doorgenomen",
    "huisbezoeken na signalen van de corporatie afgestemd",
    "de buurtpreventie en de WhatsApp-groepen besproken",
)
ADVIES_OPENING = (
    "De regiegroep adviseert de uren van {jaar} naar de behoefte van de wijken te verdelen.",
    "De regiegroep stelt voor de capaciteit {jaar} te verdelen naar de behoefte van de wijken.",
    "Advies van de regiegroep: de inzet in {jaar} volgt de behoefte van de wijken.",
)
ADVIES_BEHOEFTE = (
    "De behoefte is het aantal inwoners, zwaarder gewogen waar de wijk onder de nulmeting van 2019 zit."
)

# The norm bands (ondergrens, label), in each indicator's unit: adopted in spring 2021, revised, and proposed.
NORMERING_2021: dict[str, list[tuple[float, str]]] = {
    "woninginbraak_per_1000_woningen": [(0, "laag"), (3, "gemiddeld"), (5, "hoog")],
    "huurachterstand_pct": [(0, "laag"), (2.5, "gemiddeld"), (3.5, "hoog")],
    "overlast_jeugd_per_1000_inwoners": [(0, "laag"), (3.5, "gemiddeld"), (5.5, "hoog")],
    "onveilig_in_buurt_pct": [(0, "laag"), (12, "gemiddeld"), (20, "hoog")],
    "rapportcijfer_leefbaarheid": [(1, "onvoldoende"), (7, "voldoende"), (7.8, "goed")],
    "sociale_cohesie": [(0, "onvoldoende"), (5.5, "voldoende"), (6.3, "goed")],
}
NORMERING_HERZIEN = (
    "woninginbraak_per_1000_woningen",
    [(0, "laag"), (2.5, "gemiddeld"), (4.5, "hoog")],
    "Na de inbraakgolf in Spoorzicht aangescherpt: vanaf 2,5 inbraken per 1.000 woningen vraagt een wijk "
    "aandacht, vanaf 4,5 is zij een hotspot voor de menukaart.",
)
NORMERING_VOORSTEL = (
    "meldingen_openbare_ruimte_per_1000_inwoners",
    [(0, "laag"), (45, "gemiddeld"), (60, "hoog")],
    "Voorstel: de meldingen openbare ruimte meewegen; de grenzen liggen bij het gemiddelde van de gemeente en "
    "een derde daarboven.",
)
NORMERING_TOELICHTING = {
    "woninginbraak_per_1000_woningen": "Landelijk 3 tot 5 per 1.000 woningen; boven 5 is hoog.",
    "huurachterstand_pct": "Het aandeel huurders met een achterstand; boven 3,5% vraagt het om achter-de-voordeur.",
    "overlast_jeugd_per_1000_inwoners": "Meldingen van jeugdoverlast; de grenzen volgen de spreiding in 2019.",
    "onveilig_in_buurt_pct": "Landelijk voelt 15 tot 20% zich weleens onveilig; boven 20% is hoog.",
    "rapportcijfer_leefbaarheid": "Een 7 is voldoende, vanaf 7,8 is het goed.",
    "sociale_cohesie": "Schaalscore 0-10; landelijk ongeveer 6.",
}

# ------------------------------------------------------------------------------------------ actions


@dataclasses.dataclass(frozen=True)
class ActieSpec:
    """An action of the demo: made in the regiegroep meeting of (year, month), and its later statuses."""

    gemaakt: tuple[int, int]
    omschrijving: str
    partner: str
    rol: str
    wijk: str | None  # a demo wijk code (another wijk when the store does not have it)
    deadline: dt.date
    verloop: tuple[tuple[tuple[int, int], str, str], ...] = ()  # ((year, month), status, toelichting)


D = dt.date
ACTIES: tuple[ActieSpec, ...] = (
    ActieSpec(
        (2020, 3),
        "Afspraken maken over digitaal teamoverleg zolang de coronamaatregelen gelden",
        "gemeente",
        "programmamanager leefbaarheid",
        None,
        D(2020, 4, 30),
        (((2020, 6), "gereed", "Alle teams vergaderen online; handleiding verspreid."),),
    ),
    ActieSpec(
        (2020, 6),
        "Lichtschouw in {buurt} met bewoners en buurtpreventie",
        "gemeente",
        "wijkregisseur",
        "WK999905",
        D(2020, 11, 30),
        (
            ((2020, 9), "loopt", ""),
            ((2020, 12), "gereed", "Elf lantaarnpalen vervangen, twee extra geplaatst."),
        ),
    ),
    ActieSpec(
        (2020, 9),
        "Buurtbemiddeling aanbieden bij burenruzies in de portiekflats van {wijk}",
        "welzijn",
        "coördinator buurtbemiddeling",
        "WK999903",
        D(2020, 12, 31),
        (((2021, 1), "gereed", "Folder huis-aan-huis verspreid; zes aanmeldingen."),),
    ),
    ActieSpec(
        (2021, 1),
        "Vroegsignalering huurachterstand: afspraken tussen corporatie en schuldhulpverlening",
        "corporatie",
        "manager wonen",
        "WK999903",
        D(2021, 6, 30),
        (((2021, 3), "loopt", ""), ((2021, 6), "gereed", "Convenant vroegsignalering getekend.")),
    ),
    ActieSpec(
        (2021, 3),
        "Jongerenwerk extra inzetten bij de hangplek rond {buurt}",
        "welzijn",
        "jongerenwerker",
        "WK999905",
        D(2021, 9, 30),
        (((2021, 6), "loopt", ""), ((2021, 9), "gereed", "Twee avonden per week ambulant jongerenwerk.")),
    ),
    ActieSpec(
        (2021, 6),
        "Buurtpreventie-WhatsApp-groepen uitbreiden in {wijk}",
        "buurtpreventie",
        "coördinator buurtpreventie",
        "WK999909",
        D(2021, 12, 31),
        (((2021, 9), "loopt", ""), ((2022, 1), "gereed", "Vier nieuwe groepen, samen ruim 300 deelnemers.")),
    ),
    ActieSpec(
        (2021, 9),
        "Handreiking cameratoezicht uitwerken voor de stuurgroep",
        "gemeente",
        "veiligheidsregisseur",
        None,
        D(2022, 3, 31),
        (
            ((2022, 1), "loopt", ""),
            ((2022, 6), "vervallen", "De stuurgroep ziet af van cameratoezicht (voorjaar 2022)."),
        ),
    ),
    ActieSpec(
        (2022, 1),
        "Wijkschouw met bewoners na de renovatie in {wijk}",
        "corporatie",
        "woonconsulent",
        "WK999907",
        D(2022, 6, 30),
        (((2022, 6), "gereed", "Schouw gehouden; negen verbeterpunten aan de gemeente doorgegeven."),),
    ),
    ActieSpec(
        (2022, 3),
        "Analyse van de stijgende overlastmeldingen in {wijk} voor de regiegroep",
        "gemeente",
        "wijkregisseur",
        "WK999903",
        D(2022, 5, 31),
        (((2022, 6), "gereed", "Analyse besproken; de overlast concentreert zich in drie portieken."),),
    ),
    ActieSpec(
        (2022, 6),
        "Achter-de-voordeurbezoeken bij huishoudens met een huurachterstand in {wijk}",
        "corporatie",
        "woonconsulent",
        "WK999903",
        D(2022, 12, 31),
        (((2022, 9), "loopt", ""), ((2023, 1), "gereed", "42 huishoudens bezocht, 17 naar schuldhulp.")),
    ),
    ActieSpec(
        (2022, 9),
        "Nieuwe locatie zoeken voor de jongerenontmoetingsplek in {wijk}",
        "gemeente",
        "wijkregisseur",
        "WK999902",
        D(2023, 6, 30),
        (
            ((2022, 12), "loopt", ""),
            ((2023, 9), "gereed", "Locatie gevonden; de JOP staat in het jaarplan 2024."),
        ),
    ),
    ActieSpec(
        (2023, 1),
        "Nieuwe voorzitter van de regiegroep aanwijzen en het vergaderschema herstellen",
        "gemeente",
        "programmamanager leefbaarheid",
        None,
        D(2023, 6, 30),
        (((2023, 9), "gereed", "Nieuwe voorzitter per september; vanaf 2024 weer vijf overleggen."),),
    ),
    ActieSpec(
        (2023, 9),
        "Extra controles op fietsdiefstal bij de fietsenstalling van het station",
        "politie",
        "wijkagent",
        "WK999905",
        D(2023, 12, 31),
        (((2023, 12), "loopt", ""), ((2024, 1), "gereed", "Zes controles; twee aanhoudingen.")),
    ),
    ActieSpec(
        (2023, 12),
        "Leegstand in {buurt} voortaan binnen een week aan het team melden",
        "corporatie",
        "woonconsulent",
        "WK999903",
        D(2024, 3, 31),
        (((2024, 3), "gereed", "Werkafspraak gemaakt; meldingen lopen via de wijkregisseur."),),
    ),
    ActieSpec(
        (2024, 3),
        "Extra surveillance bij de inbraakgolf in {buurt}",
        "politie",
        "operationeel expert",
        "WK999905",
        D(2024, 5, 31),
        (((2024, 6), "gereed", "Surveillance in de avonduren; sinds mei geen nieuwe piek."),),
    ),
    ActieSpec(
        (2024, 3),
        "Voorlichtingsavond inbraakpreventie en gratis raamsloten in {buurt}",
        "gemeente",
        "veiligheidsregisseur",
        "WK999905",
        D(2024, 6, 30),
        (((2024, 6), "gereed", "Ruim 80 bezoekers; 140 sets raamsloten uitgedeeld."),),
    ),
    ActieSpec(
        (2024, 6),
        "Evaluatie van de hotspotaanpak woninginbraken voor de stuurgroep",
        "regiegroep",
        "veiligheidsregisseur",
        None,
        D(2024, 9, 30),
        (((2024, 9), "loopt", ""), ((2024, 12), "gereed", "Evaluatie in de najaarsvergadering besproken.")),
    ),
    ActieSpec(
        (2024, 9),
        "Lichtschouw in {wijk}",
        "gemeente",
        "wijkregisseur",
        "WK999903",
        D(2024, 11, 30),
        (((2024, 12), "gereed", "Schouw gehouden; de donkere routes langs de portieken worden verlicht."),),
    ),
    ActieSpec(
        (2024, 12),
        "Menukaart woninginbraken actualiseren",
        "politie",
        "operationeel expert",
        None,
        D(2025, 3, 31),
        (((2025, 3), "loopt", "Concept klaar; wacht op de reactie van de corporatie."),),
    ),
    ActieSpec(
        (2025, 1),
        "Leverritme van de wekelijkse inbraakcijfers met de politie vastleggen",
        "politie",
        "informatiecoördinator",
        None,
        D(2025, 4, 30),
        (((2025, 6), "gereed", "Afspraak in de stuurgroep van april: elke 14 dagen."),),
    ),
    ActieSpec(
        (2025, 3),
        "Buurtbemiddeling aanbieden in {wijk}",
        "welzijn",
        "coördinator buurtbemiddeling",
        "WK999907",
        D(2025, 6, 30),
        (),
    ),
    ActieSpec(
        (2025, 3),
        "Jongerenwerk in de avonduren uitbreiden in {wijk}",
        "welzijn",
        "jongerenwerker",
        "WK999903",
        D(2025, 7, 1),
        (((2025, 6), "loopt", "Eén avond extra; een tweede wacht op nieuwe jongerenwerkers."),),
    ),
    ActieSpec(
        (2025, 6),
        "Woonfraude en leegstand in {buurt} onderzoeken",
        "corporatie",
        "woonconsulent",
        "WK999902",
        D(2025, 9, 1),
        (((2025, 9), "loopt", "Twaalf adressen onderzocht; rapport volgt."),),
    ),
    ActieSpec(
        (2025, 9),
        "Extra surveillance bij de inbraakgolf in {buurt}",
        "politie",
        "wijkagent",
        "WK999904",
        D(2025, 10, 15),
        (),
    ),
    ActieSpec(
        (2025, 9),
        "Buurtpreventie extra avondrondes laten lopen in {buurt}",
        "buurtpreventie",
        "coördinator buurtpreventie",
        "WK999904",
        D(2025, 10, 31),
        (),
    ),
    ActieSpec(
        (2025, 9),
        "Capaciteitsvraag van de jaarplannen 2026 afstemmen met de verdeling",
        "regiegroep",
        "secretaris regiegroep",
        None,
        D(2025, 11, 15),
        (),
    ),
)
# The demo wijk and buurt named in an action's text ({buurt}); another wijk falls back to its own name.
ACTIE_BUURT = {
    "WK999905": "Spoorzicht",
    "WK999903": "Korenmolen",
    "WK999902": "de Pakhuizen",
    "WK999904": "de Tulpenbuurt",
}
ACTIE_BUURT_UITZONDERING = {
    "Lichtschouw in {buurt} met bewoners en buurtpreventie": "Spoorzicht en Emplacement"
}

# ------------------------------------------------------------------------------------------ agreements

HANDMATIG: tuple[tuple[str, str, str, int, dict[tuple[int, int], str]], ...] = (
    # (omschrijving, partner, termijn, first year, {half-year: why not kept})
    (
        "De corporatie meldt leegstand binnen een week aan het leefbaarheidsteam",
        "corporatie",
        "binnen een week",
        2020,
        {
            (
                2023,
                2,
            ): "In de Korenmolen stonden twee woningen ruim een maand leeg voordat het team het hoorde."
        },
    ),
    (
        "De gemeente handelt meldingen uit de wijkschouw binnen vier weken af",
        "gemeente",
        "binnen vier weken",
        2020,
        {
            (
                2021,
                2,
            ): "Door een achterstand bij de buitendienst bleven meldingen uit de wijkschouw tot acht weken liggen."
        },
    ),
    (
        "Welzijn is bij elk teamoverleg aanwezig",
        "welzijn",
        "elk teamoverleg",
        2021,
        {},  # from the team meetings' attendance
    ),
    (
        "Buurtpreventie deelt signalen uit de WhatsApp-groepen binnen 24 uur met de wijkagent",
        "buurtpreventie",
        "binnen 24 uur",
        2022,
        {
            (
                2024,
                1,
            ): "Tijdens de inbraakgolf in Spoorzicht kwamen signalen soms pas na enkele dagen bij de wijkagent."
        },
    ),
)
WELZIJN_AFWEZIG = ((2022, 2), (2024, 1))  # half-years in which welzijn misses a few team meetings


# ------------------------------------------------------------------------------------------ the seeder


def _nearest(need_by_year: Mapping[int, Mapping[str, float]], jaar: int) -> Mapping[str, float]:
    if not need_by_year:
        return {}
    if jaar in need_by_year:
        return need_by_year[jaar]
    return need_by_year[min(need_by_year, key=lambda y: (abs(y - jaar), y))]


class _Seeder:
    def __init__(
        self,
        eng: Engine,
        wijken: Sequence[tuple[str, str]],
        need_by_year: Mapping[int, Mapping[str, float]],
        seed: int,
    ) -> None:
        self.eng = eng
        self.rng = random.Random(seed)
        self.wijken = list(wijken)
        self.codes = [c for c, _ in self.wijken]
        self.names = dict(self.wijken)
        self.need_by_year = need_by_year
        self.events: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self.meetings: dict[tuple[str, str | None, dt.date], int] = {}
        self.counts = {
            "vergaderingen": 0,
            "hergebruikt": 0,
            "besluiten": 0,
            "capaciteit": 0,
            "verdelingen": 0,
            "normeringen": 0,
            "acties": 0,
            "afspraken": 0,
            "toetsingen": 0,
            "schrijfacties": 0,
        }
        self.welzijn_afwezig: dict[tuple[int, int], list[tuple[str, dt.date]]] = {}
        self.indicatoren = list(load_catalogue()["indicatoren"])

    # -------------------------------------------------------------------------------- scheduling

    def at(self, when: dt.datetime, fn: Callable[[], None]) -> None:
        self.events.append((when, len(self.events), fn))

    def run(self) -> None:
        for _, _, fn in sorted(self.events, key=lambda e: (e[0], e[1])):
            fn()

    def wrote(self, what: str | None = None, n: int = 1) -> None:
        self.counts["schrijfacties"] += 1
        if what:
            self.counts[what] += n

    def pick(self, preferred: str | None) -> str | None:
        """A demo wijk, or (when the store lacks it) another wijk, deterministically."""
        if preferred is None:
            return None
        if preferred in self.names:
            return preferred
        return self.codes[int(preferred[-2:]) % len(self.codes)]

    def meeting_id(self, niveau: str, datum: dt.date, wijk: str | None = None) -> int:
        return self.meetings[(niveau, wijk, datum)]

    # -------------------------------------------------------------------------------- meetings

    def meeting(
        self,
        niveau: str,
        datum: dt.date,
        aanwezig: Sequence[str],
        notities: str,
        wijk: str | None = None,
        hour: int = 12,
    ) -> None:
        when = _utc(datum, hour, self.rng.choice((0, 10, 20, 30, 40, 50)))

        def write() -> None:
            if niveau == "stuurgroep":  # reuse the meeting the jaarplannen were adopted in
                before = {m.id for m in sturing.list_meetings(self.eng, "stuurgroep", vanaf=datum)}
                mid = stuurgroep_meeting(self.eng, datum, when, notities)
                if mid in before:
                    self.counts["hergebruikt"] += 1
                else:
                    self.wrote("vergaderingen")
            else:
                mid = sturing.record_meeting(
                    self.eng,
                    ACTOR,
                    niveau,
                    datum,
                    wijk=wijk,
                    aanwezig=aanwezig,
                    data_versie=data_version(datum),
                    notities=notities,
                    nu=when,
                )
                self.wrote("vergaderingen")
            self.meetings[(niveau, wijk, datum)] = mid

        self.at(when, write)

    def stuurgroep(self) -> None:
        for jaar in JAREN:
            for datum in (voorjaar(jaar), najaar(jaar)):
                if datum > PEILDATUM:
                    continue
                if datum.month == 4:
                    text = (
                        f"Voorjaarsvergadering. Stand van de wijken ten opzichte van 2019 (cijfers {jaar - 1}) "
                        f"besproken; verdeling van de capaciteit {jaar} (voorjaar) behandeld."
                    )
                else:
                    text = (
                        f"Najaarsvergadering. Halfjaarrapportages van de teams en de actielijst besproken; "
                        f"verdeling van de capaciteit {jaar} (najaar) behandeld."
                    )
                extra = STUURGROEP_EXTRA.get((jaar, datum.month))
                aanwezig = list(STUURGROEP_AANWEZIG)
                if self.rng.random() < 0.15:
                    aanwezig.remove(self.rng.choice(("corporatie", "welzijn")))
                self.meeting("stuurgroep", datum, aanwezig, f"{text} {extra}" if extra else text, hour=15)
        # the meeting of December 2022 (the revised distribution); recorded by the jaarplannen when present
        dec = _nth_weekday(AFGEWEZEN[0], 12, THU, 2)
        self.meeting("stuurgroep", dec, STUURGROEP_AANWEZIG, stuurgroep_notes(dec), hour=15)

    def regiegroep(self) -> None:
        for jaar in JAREN:
            for datum in regiegroep_dates(jaar):
                text = REGIEGROEP_NOTES[datum.month].format(jaar=jaar, volgend=jaar + 1)
                extra = REGIEGROEP_EXTRA.get((jaar, datum.month))
                aanwezig = list(REGIEGROEP_AANWEZIG)
                if self.rng.random() < 0.3:
                    aanwezig.append("buurtpreventie")
                if self.rng.random() < 0.15:
                    aanwezig.remove(self.rng.choice(("politie", "corporatie", "welzijn")))
                self.meeting("regiegroep", datum, aanwezig, f"{text} {extra}" if extra else text, hour=11)

    def teams(self) -> None:
        rng = self.rng
        by_code = {w.code: w for w in demo_data.WIJKEN}
        planned: list[tuple[str, str, dt.date, list[str], str, int]] = []
        for code, naam in self.wijken:
            buurten = list(by_code[code].buurten) if code in by_code else [naam]
            for jaar in JAREN:
                windows = [(2, 3), (5, 6), (9, 11)]
                chosen = [w for w in windows if rng.random() < 0.75]
                if len(chosen) < 2:
                    chosen = rng.sample(windows, 2)
                for lo, hi in sorted(chosen):
                    start = dt.date(jaar, lo, 1)
                    span = (dt.date(jaar, hi + 1, 1) - start).days - 1
                    datum = _workday(start + dt.timedelta(days=rng.randint(0, span)))
                    if datum >= PEILDATUM:
                        continue
                    aanwezig = list(TEAM_AANWEZIG)
                    if rng.random() < 0.08:
                        aanwezig.remove(rng.choice(("politie", "corporatie")))
                    if rng.random() < 0.4:
                        aanwezig.append("bewoners")
                    if rng.random() < 0.25:
                        aanwezig.append("buurtpreventie")
                    topic = rng.choice(TEAM_TOPICS).format(buurt=rng.choice(buurten))
                    notes = f"Voortgang jaarplan {jaar} besproken; {topic}."
                    if dt.date(2020, 3, 15) <= datum < dt.date(2020, 7, 1):
                        notes = "Online overleg vanwege de coronamaatregelen. " + notes
                    planned.append((code, naam, datum, aanwezig, notes, rng.randint(9, 14)))
        # welzijn misses a few team meetings in two half-years (the agreement "bij elk teamoverleg")
        for half in WELZIJN_AFWEZIG:
            in_half = [i for i, p in enumerate(planned) if (p[2].year, 1 if p[2].month <= 6 else 2) == half]
            for i in sorted(rng.sample(in_half, min(len(in_half), rng.randint(1, 3)))):
                code, naam, datum, aanwezig, notes, hour = planned[i]
                aanwezig.remove("welzijn")
                planned[i] = (
                    code,
                    naam,
                    datum,
                    aanwezig,
                    notes + " Welzijn was afwezig (personeelstekort).",
                    hour,
                )
                self.welzijn_afwezig.setdefault(half, []).append((naam, datum))
        for code, _, datum, aanwezig, notes, hour in planned:
            self.meeting("team", datum, aanwezig, notes, wijk=code, hour=hour)

    def decision(self, niveau: str, datum: dt.date, onderwerp: str, tekst: str, hour: int = 16) -> None:
        def write() -> None:
            sturing.decide(self.eng, ACTOR, self.meeting_id(niveau, datum), onderwerp, tekst, nu=when)
            self.wrote("besluiten")

        when = _utc(datum, hour, 45)
        self.at(when, write)

    # -------------------------------------------------------------------------------- capacity

    def capacity(self) -> dict[int, dict[str, int]]:
        rng = self.rng
        out: dict[int, dict[str, int]] = {}
        for jaar in CAPACITEIT_JAREN:
            hours: dict[str, int] = {}
            # what the year's jaarplannen plan per partner: the capacity is of that order (a little less: the
            # teams ask more than there is), else the base hours when the year has no plans
            gepland: dict[str, float] = {}
            for plan in jp.list_plans(self.eng, jaar=jaar):
                for a in plan.actief:
                    for partner, u in a.uren.items():
                        gepland[partner] = gepland.get(partner, 0.0) + u
            for partner, base in BASIS_UREN.items():
                if gepland.get(partner):
                    base = 0.92 * gepland[partner]
                x = base * (1 + 0.015 * (jaar - 2020)) * rng.uniform(0.95, 1.05)
                if (partner, jaar) == ("welzijn", 2022):
                    x *= 0.9  # staff shortage
                if (partner, jaar) == ("politie", 2024):
                    x *= 1.05  # the hotspot aanpak
                step = 5 if base < 1000 else 10
                hours[partner] = int(step * round(x / step))
            out[jaar] = hours
            day = _nth_weekday(jaar - 1, 12, TUE, 1) if jaar <= PEILDATUM.year else regie(PEILDATUM.year, 9)
            for i, (partner, uren) in enumerate(hours.items()):
                when = _utc(day, 17, 5 + i)

                def write(
                    partner: str = partner, jaar: int = jaar, uren: int = uren, when: dt.datetime = when
                ):
                    sturing.set_capacity(self.eng, ACTOR, partner, jaar, uren, nu=when)
                    self.wrote("capaciteit")

                self.at(when, write)
        return out

    # -------------------------------------------------------------------------------- distributions

    def need(self, jaar: int) -> dict[str, float]:
        raw = _nearest(self.need_by_year, jaar)
        known = [float(raw[c]) for c in self.codes if c in raw and raw[c] is not None and float(raw[c]) > 0]
        fill = sum(known) / len(known) if known else 1.0
        out = {}
        for c in self.codes:
            v = raw.get(c)
            out[c] = float(v) if v is not None and float(v) > 0 else fill
        return out

    def hours(
        self, capacity: Mapping[str, int], need: Mapping[str, float], factors: Mapping[tuple[str, str], float]
    ) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for partner, total in capacity.items():
            weights = {c: need[c] * factors.get((partner, c), 1.0) for c in self.codes}
            for c, uren in need_formula.largest_remainder(total, weights).items():
                out[(partner, c)] = uren
        return out

    def factors(
        self, jaar: int, halfjaar: int, variant: str = ""
    ) -> tuple[dict[tuple[str, str], float], str]:
        """Story corrections to the need (partner, wijk) -> factor, and the advice's sentence about them."""
        f: dict[tuple[str, str], float] = {}
        zinnen = []
        molen = self.pick(demo_data.VERSLECHTEREND)
        station = self.pick("WK999905")
        if variant == "herzien":
            for p in ("corporatie", "welzijn"):
                f[(p, molen)] = 1.4
            zinnen.append(
                f"Corporatie en welzijn zetten naar verhouding meer uren in in {self.names[molen]}, zoals de "
                f"stuurgroep vroeg."
            )
        elif (jaar, halfjaar) > AFGEWEZEN:
            for p in ("corporatie", "welzijn"):
                f[(p, molen)] = 1.25
            zinnen.append(
                f"Corporatie en welzijn zetten naar verhouding meer uren in in {self.names[molen]} (besluit van de "
                f"stuurgroep van december {AFGEWEZEN[0]})."
            )
        if (jaar, halfjaar) == (2024, 1) and variant != "zonder":
            f[("politie", station)] = 1.5
            zinnen.append(
                f"De politie zet extra in in {self.names[station]} vanwege de inbraakgolf in Spoorzicht."
            )
        if variant == "tulpen":
            bloem = self.pick("WK999904")
            f[("politie", bloem)] = 1.6
            f[("buurtpreventie", bloem)] = 1.5
        return f, " ".join(zinnen)

    def distributions(self, capacity: Mapping[int, Mapping[str, int]]) -> None:
        rng = self.rng
        for jaar in JAREN:
            for halfjaar in (1, 2):
                self.round(jaar, halfjaar, capacity[jaar], rng)
        # the regiegroep's work in progress: a first draft for next year
        nxt = PEILDATUM.year + 1
        day = _workday(regie(PEILDATUM.year, 9) + dt.timedelta(days=3))
        self.scenario(nxt, 1, f"Eerste opzet verdeling {nxt}", capacity[nxt], self.need(nxt - 1), {}, day)

    def scenario(
        self,
        jaar: int,
        halfjaar: int,
        naam: str,
        capacity: Mapping[str, int],
        need: Mapping[str, float],
        factors: Mapping[tuple[str, str], float],
        day: dt.date,
        then: Callable[[int], None] | None = None,
    ) -> None:
        uren = self.hours(capacity, need, factors)
        when = _utc(day, self.rng.randint(9, 15), self.rng.choice((0, 15, 30, 45)))
        gewichten = dict(sturing.SETTINGS_BEHOEFTE)
        gewichten[sturing.SETTING_MAAT] = "inwoners"
        if factors:
            gewichten["correcties"] = {f"{p}/{w}": x for (p, w), x in sorted(factors.items())}

        def write() -> None:
            vid = sturing.save_scenario(
                self.eng,
                ACTOR,
                jaar,
                halfjaar,
                naam,
                uren,
                need,
                gewichten=gewichten,
                data_versie=data_version(day),
                nu=when,
            )
            self.wrote("verdelingen")
            if then is not None:
                then(vid)

        self.at(when, write)

    def advise(self, vid: list[int], day: dt.date, text: str) -> None:
        when = _utc(day, 16, 30)

        def write() -> None:
            sturing.advise_distribution(self.eng, ACTOR, vid[0], text, nu=when)
            self.wrote()

        self.at(when, write)

    def adopt(self, vid: list[int], day: dt.date, tekst: str = "") -> None:
        when = _utc(day, 17, 0)

        def write() -> None:
            sturing.adopt_distribution(
                self.eng, ACTOR, vid[0], self.meeting_id("stuurgroep", day), tekst, nu=when
            )
            self.wrote("besluiten")

        self.at(when, write)

    def round(self, jaar: int, halfjaar: int, capacity: Mapping[str, int], rng: random.Random) -> None:
        advies_dag = advice_day(jaar, halfjaar)
        save_dag = _workday(advies_dag - dt.timedelta(days=rng.randint(4, 9)), forward=False)
        seizoen = "voorjaar" if halfjaar == 1 else "najaar"
        need = self.need(jaar)
        factors, zinnen = self.factors(jaar, halfjaar)
        vid: list[int] = []
        naam = f"Verdeling {jaar} {seizoen}: naar behoefte"
        tekst = " ".join(
            t for t in (rng.choice(ADVIES_OPENING).format(jaar=jaar), ADVIES_BEHOEFTE, zinnen) if t
        )
        self.scenario(jaar, halfjaar, naam, capacity, need, factors, save_dag, then=vid.append)
        self.advise(vid, advies_dag, tekst)
        stuur = voorjaar(jaar) if halfjaar == 1 else najaar(jaar)
        if (jaar, halfjaar) == AFGEWEZEN:
            reden = (
                "De Molenwijk krijgt naar verhouding te weinig inzet van corporatie en welzijn, terwijl de overlast "
                "en de huurachterstand daar al twee jaar stijgen. Graag een herziene verdeling in december."
            )
            when = _utc(stuur, 17, 0)

            def reject() -> None:
                sturing.reject_distribution(self.eng, ACTOR, vid[0], reden, nu=when)
                self.wrote()

            self.at(when, reject)
            self.decision(
                "stuurgroep", stuur, f"Advies verdeling {jaar} (najaar) teruggestuurd", reden, hour=17
            )
            # the revision: saved in November, advised and adopted in December
            rev: list[int] = []
            f2, z2 = self.factors(jaar, halfjaar, "herzien")
            regie_dec = regie(jaar, 12)
            self.scenario(
                jaar,
                halfjaar,
                f"Verdeling {jaar} najaar: herzien (meer inzet {self.names[self.pick(demo_data.VERSLECHTEREND)]})",
                capacity,
                need,
                f2,
                _workday(dt.date(jaar, 11, 15)),
                then=rev.append,
            )
            self.advise(rev, regie_dec, f"{ADVIES_BEHOEFTE} Herzien op verzoek van de stuurgroep. {z2}")
            self.adopt(rev, _nth_weekday(jaar, 12, THU, 2), "Herziene verdeling vastgesteld.")
            return
        if (jaar, halfjaar) == (2024, 1):  # the variant the regiegroep did not advise
            f0, _ = self.factors(jaar, halfjaar, "zonder")
            self.scenario(
                jaar,
                halfjaar,
                f"Verdeling {jaar} voorjaar: zonder extra politie",
                capacity,
                need,
                f0,
                save_dag,
            )
        if stuur > PEILDATUM:  # the advice awaits the stuurgroep; the regiegroep works on a variant
            f3, _ = self.factors(jaar, halfjaar, "tulpen")
            bloem = self.names[self.pick("WK999904")]
            self.scenario(
                jaar,
                halfjaar,
                f"Variant {jaar} najaar: extra politie en buurtpreventie in {bloem}",
                capacity,
                need,
                f3,
                _workday(PEILDATUM - dt.timedelta(days=4), forward=False),
            )
            return
        self.adopt(vid, stuur)

    # -------------------------------------------------------------------------------- normering

    def normering(self) -> None:
        propose_day = regie(2021, 3)
        adopt_day = voorjaar(2021)
        for i, (indicator, banden) in enumerate(NORMERING_2021.items()):
            self.norm(indicator, banden, NORMERING_TOELICHTING[indicator], propose_day, adopt_day, i)
        indicator, banden, toelichting = NORMERING_HERZIEN
        self.norm(indicator, banden, toelichting, regie(2024, 6), najaar(2024), 0)
        indicator, banden, toelichting = NORMERING_VOORSTEL
        self.norm(indicator, banden, toelichting, regie(PEILDATUM.year, 9), None, 0)

    def norm(
        self,
        indicator: str,
        banden: list[tuple[float, str]],
        toelichting: str,
        propose_day: dt.date,
        adopt_day: dt.date | None,
        i: int,
    ) -> None:
        nid: list[int] = []
        when = _utc(propose_day, 16, 10 + i)

        def propose() -> None:
            nid.append(
                sturing.propose_norm(
                    self.eng,
                    ACTOR,
                    indicator,
                    banden,
                    toelichting,
                    bekende_indicatoren=self.indicatoren,
                    nu=when,
                )
            )
            self.wrote("normeringen")

        self.at(when, propose)
        if adopt_day is None:
            return
        when2 = _utc(adopt_day, 16, 10 + i)

        def adopt() -> None:
            sturing.adopt_norm(self.eng, ACTOR, nid[0], self.meeting_id("stuurgroep", adopt_day), nu=when2)
            self.wrote("besluiten")

        self.at(when2, adopt)

    # -------------------------------------------------------------------------------- actions

    def actions(self) -> None:
        for i, spec in enumerate(ACTIES):
            wijk = self.pick(spec.wijk)
            if wijk is None:
                buurt = ""
            elif wijk == spec.wijk:
                buurt = ACTIE_BUURT_UITZONDERING.get(spec.omschrijving) or ACTIE_BUURT.get(
                    wijk, self.names[wijk]
                )
            else:
                buurt = self.names[wijk]
            text = spec.omschrijving.format(wijk=self.names.get(wijk, ""), buurt=buurt)
            made = regie(*spec.gemaakt)
            aid: list[int] = []
            base = Action(text, spec.partner, spec.rol, wijk, spec.deadline, "open")
            when = _utc(made, 16, 15 + i % 40)

            def create(base: Action = base, made: dt.date = made, when: dt.datetime = when, aid=aid) -> None:
                action = dataclasses.replace(base, vergadering_id=self.meeting_id("regiegroep", made))
                aid.append(sturing.save_action(self.eng, ACTOR, action, nu=when))
                self.wrote("acties")

            self.at(when, create)
            for (jaar, maand), status, toelichting in spec.verloop:
                day = regie(jaar, maand)
                when_u = _utc(day, 16, 15 + i % 40)

                def update(
                    base: Action = base,
                    made: dt.date = made,
                    status: str = status,
                    toelichting: str = toelichting,
                    when_u: dt.datetime = when_u,
                    aid=aid,
                ) -> None:
                    action = dataclasses.replace(
                        base,
                        id=aid[0],
                        status=status,
                        toelichting=toelichting,
                        vergadering_id=self.meeting_id("regiegroep", made),
                    )
                    sturing.save_action(self.eng, ACTOR, action, nu=when_u)
                    self.wrote()

                self.at(when_u, update)

    # -------------------------------------------------------------------------------- agreements

    def agreements(self) -> None:
        start = voorjaar(2020)
        measured = [
            (
                Agreement(
                    "De politie levert elke 14 dagen de meest recente inbraakcijfers per buurt",
                    "politie",
                    "elke 14 dagen",
                    "levering",
                    {"bron": DEMO_WEEK_BRON, "elke_dagen": 14},
                ),
                voorjaar(2025),
            ),
            (
                Agreement(
                    "De corporatie levert haar cijfers binnen 6 weken na elk halfjaar",
                    "corporatie",
                    "binnen 6 weken na elk halfjaar",
                    "levering_na_periode",
                    {"bron": "corporatie", "binnen_dagen": 42},
                ),
                voorjaar(2025),  # agreed when the corporatie started delivering half-yearly files itself
            ),
            (
                Agreement(
                    "De stuurgroep vergadert minstens twee keer per jaar (voorjaar en najaar)",
                    "stuurgroep",
                    "minstens 2 keer per jaar",
                    "vergaderritme",
                    {"niveau": "stuurgroep", "per_jaar": 2},
                ),
                start,
            ),
            (
                Agreement(
                    "De regiegroep vergadert minstens vier keer per jaar",
                    "regiegroep",
                    "minstens 4 keer per jaar",
                    "vergaderritme",
                    {"niveau": "regiegroep", "per_jaar": 4},
                ),
                start,
            ),
            (
                Agreement(
                    "De leefbaarheidsteams rapporteren elk halfjaar op tijd aan de regiegroep",
                    "teams",
                    "binnen 6 weken na elk halfjaar",
                    "rapportage",
                    {},
                ),
                start,
            ),
        ]
        for i, (agreement, day) in enumerate(measured):
            self.agreement(agreement, day, i)
        for i, (omschrijving, partner, termijn, first, broken) in enumerate(HANDMATIG):
            day = voorjaar(first)
            aid: list[int] = []
            self.agreement(Agreement(omschrijving, partner, termijn), day, 10 + i, aid)
            for jaar in range(first, PEILDATUM.year + 1):
                for halfjaar in (1, 2):
                    status, toelichting = self.outcome(omschrijving, jaar, halfjaar, broken)
                    check = after_half(jaar, halfjaar)
                    self.check(aid, f"{jaar}-H{halfjaar}", status, toelichting, check, i)

    def outcome(
        self, omschrijving: str, jaar: int, halfjaar: int, broken: Mapping[tuple[int, int], str]
    ) -> tuple[str, str]:
        if (jaar, halfjaar) == (PEILDATUM.year, 2):
            return "loopt", "Tot nu toe geen signalen dat de afspraak niet wordt nagekomen."
        if omschrijving.startswith("Welzijn"):
            absent = self.welzijn_afwezig.get((jaar, halfjaar), [])
            if absent:
                wie = "; ".join(f"{naam} ({d.day}-{d.month})" for naam, d in absent[:3])
                return (
                    "niet nagekomen",
                    f"Welzijn ontbrak door personeelstekort bij het teamoverleg van {wie}.",
                )
        elif (jaar, halfjaar) in broken:
            return "niet nagekomen", broken[(jaar, halfjaar)]
        return "nagekomen", ""

    def agreement(self, agreement: Agreement, day: dt.date, i: int, aid: list[int] | None = None) -> None:
        when = _utc(day, 16, 20 + i)

        def write() -> None:
            saved = dataclasses.replace(agreement, vergadering_id=self.meeting_id("stuurgroep", day))
            new = sturing.save_agreement(self.eng, ACTOR, saved, nu=when)
            if aid is not None:
                aid.append(new)
            self.wrote("afspraken")

        self.at(when, write)

    def check(
        self, aid: list[int], periode: str, status: str, toelichting: str, day: dt.date, i: int
    ) -> None:
        when = _utc(day, 16, 50 + i)

        def write() -> None:
            sturing.check_agreement(self.eng, ACTOR, aid[0], periode, status, toelichting, nu=when)
            self.wrote("toetsingen")

        self.at(when, write)

    # -------------------------------------------------------------------------------- the whole demo

    def build(self) -> None:
        capacity = self.capacity()
        self.stuurgroep()
        self.regiegroep()
        self.teams()
        self.decision(
            "regiegroep",
            regie(REGIEGROEP_KORT, 1),
            "Overleggen van maart en juni vervallen",
            "Door de wisseling van de voorzitter vervallen de overleggen van maart en juni; de actielijst loopt "
            "via de mail. Het advies over de verdeling (voorjaar) wordt nu al gegeven.",
            hour=16,
        )
        self.decision(
            "stuurgroep",
            voorjaar(2022),
            "Geen cameratoezicht in de wijken",
            "De stuurgroep ziet af van cameratoezicht; eerst betere verlichting en de inzet van buurtpreventie.",
        )
        self.decision(
            "stuurgroep",
            voorjaar(2024),
            "Hotspotaanpak woninginbraken Spoorzicht",
            "Extra surveillance van de politie, voorlichting en raamsloten volgens de menukaart.",
        )
        self.distributions(capacity)
        self.normering()
        self.actions()
        self.agreements()


# ------------------------------------------------------------------------------------------ entry points


def seed_demo_steering(
    eng: Engine,
    wijken: Sequence[tuple[str, str]],
    need_by_year: Mapping[int, Mapping[str, float]],
    seed: int = 2019,
) -> dict:
    """Fill the records store with the demo's steering records (after :func:`seed_demo_plans`, whose stuurgroep
    meetings are reused). ``need_by_year``: year -> wijk -> need (the nearest year stands in for a missing one;
    a wijk without a need gets the mean).

    Does nothing when the store already has capacity or a distribution (returns ``{"overgeslagen": True}``);
    otherwise the counts of what was written (vergaderingen made and hergebruikt, besluiten, capaciteit,
    verdelingen, normeringen, acties, afspraken, toetsingen, and schrijfacties: every audited write)."""
    wijken = list(wijken)
    if sturing.capacity_years(eng) or sturing.list_distributions(eng):
        return {"overgeslagen": True}
    if not wijken:
        raise ValueError("geen wijken om de sturing voor te maken")
    seeder = _Seeder(eng, wijken, need_by_year, seed)
    seeder.build()
    seeder.run()
    return {"overgeslagen": False, **seeder.counts}


def demo_need(db_path: Path) -> dict[int, dict[str, float]]:
    """The need per wijk for each distribution year, by the page's own formula (wijkmonitor.capacity with the
    catalogue's norm bands and the default weights): the distribution of year Y rests on the figures of Y − 1,
    as the Capaciteit page computes it. Read-only, after the build; empty without composite scores."""
    import duckdb

    from etl.db import connect_readonly
    from indicators.catalogue import load_catalogue

    bands = need_formula.catalogue_bands(load_catalogue())
    out: dict[int, dict[str, float]] = {}
    con = connect_readonly(Path(db_path))
    try:
        gemeente = con.execute(
            "SELECT gebied_code FROM marts.dim_gebied WHERE niveau = 'gemeente' ORDER BY gebied_code LIMIT 1"
        ).fetchall()
        jaren = con.execute(
            "SELECT DISTINCT jaar FROM marts.fct_composites WHERE niveau = 'wijk' AND groep = 'samengesteld' "
            "ORDER BY jaar"
        ).fetchall()
        for (jaar,) in jaren if gemeente else []:
            inputs = con.execute(need_formula.NEED_INPUTS_SQL, [int(jaar), gemeente[0][0]]).df()
            table = need_formula.need(inputs, bands)
            out[int(jaar) + 1] = dict(zip(table["gebied_code"], table["behoefte"].astype(float), strict=True))
    except duckdb.Error:  # a warehouse without these tables: no need (equal weights)
        return {}
    finally:
        con.close()
    return out


def summary(seeded: Mapping[str, Any]) -> str:
    """One Dutch line for the command line."""
    if seeded.get("overgeslagen"):
        return "demo-sturing: stond er al; niets toegevoegd"
    return (
        f"demo-sturing: {seeded['vergaderingen']} vergaderingen, {seeded['besluiten']} besluiten, "
        f"{seeded['verdelingen']} verdelingen, {seeded['normeringen']} normeringen, {seeded['acties']} acties en "
        f"{seeded['afspraken']} afspraken met {seeded['toetsingen']} toetsingen aangemaakt"
    )
