"""Demo jaarplannen for Lindenhoven: wijkprogramma's, jaarplannen 2020-2026 and status reports 2020-2025.

:func:`seed_demo_plans` fills an empty records store with a realistic, deterministic history, written
entirely through :mod:`wijkmonitor.records.jaarplannen` (every step authorised and audited as the system
actor ``systeem:demo``, backdated with ``nu=``):

- per wijk a wijkprogramma of 3-5 opgaven (written in September 2019) that fit the wijk's character and the
  stories of :mod:`etl.demo` (Molenwijk gets worse, Vogelwijk is renovated, the burglary hotspot in
  Spoorzicht in spring 2024);
- per wijk a jaarplan for every year 2020-2025 with 8-15 activities drawn from the measures in the
  covenant's source documents (wijkschouw, buurtpreventie and WhatsApp-groepen, the "menukaart" of the
  plan van aanpak woninginbraken, jongerenwerk, buurtbemiddeling, achter-de-voordeur, ...), each through
  concept (October-November) -> ingediend -> advies van de regiegroep -> vastgesteld as a decision of a stuurgroep
  meeting in December or January-February; two plans go back to concept with a reason, and two adopted
  plans are amended (an activity dropped in 2022, the hotspot aanpak added in May 2024);
- the 2026 plans under way on the demo's "today" (15 September 2025): some concept, two ingediend, two
  with the regiegroep's advice;
- a status report per wijk per half-year from H1 2020 to H1 2025, mostly on time, a few late, two corrected
  (version 2), and one wijk that has not filed H1 2025 (so it shows as 'te laat').

Every draw comes from ``random.Random(seed)`` in a fixed order; the operations are then run in the order of
their (backdated) moments, so the audit trail reads as a history. Nothing depends on the clock except the
audit trail's own timestamps.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from etl import demo as demo_data
from indicators.catalogue import load_catalogue
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records import sturing
from wijkmonitor.records.authz import Actor
from wijkmonitor.records.jaarplannen import Activity, Opgave, StatusLine

ACTOR = Actor(email="systeem:demo", via="demomodus", system=True)
PEILDATUM = dt.date(2025, 9, 15)  # the demo's "today": H1 2025 is due, and late after 11 August
TERMIJN = 42
JAREN = tuple(range(2020, 2026))  # adopted plans
NIEUW_JAAR = 2026  # plans under way on the peildatum
EERSTE_HALFJAAR_ONTBREEKT = (2025, 1)  # the half-year one wijk has not filed yet

# ------------------------------------------------------------------------------------------ time


def _last_sunday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, calendar.monthrange(year, month)[1])
    return d - dt.timedelta(days=(d.weekday() - 6) % 7)


def _utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A Dutch wall-clock moment as UTC (summer time from the last Sunday of March to that of October)."""
    summer = _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
    local = dt.datetime(day.year, day.month, day.day, hour, minute)
    return (local - dt.timedelta(hours=2 if summer else 1)).replace(tzinfo=dt.UTC)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _workday(day: dt.date, forward: bool = True) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1 if forward else -1)
    return day


TUE, THU = 1, 3

# ------------------------------------------------------------------------------------------ stuurgroep

# Who attends the stuurgroep (by role): the alderman, the partners' directors and the programme manager.
STUURGROEP_AANWEZIG = ("wethouder", "politie", "corporatie", "welzijn", "programmamanager")


def data_version(day: dt.date) -> str:
    """The warehouse version a meeting looked at: the demo's monthly publication before the meeting."""
    published = (
        _workday(day.replace(day=1))
        if day.day > 7
        else _workday((day.replace(day=1) - dt.timedelta(days=1)).replace(day=1))
    )
    return f"demo-publicatie {published.isoformat()}"


def stuurgroep_notes(day: dt.date) -> str:
    """The notes of a stuurgroep meeting held for the jaarplannen (December, January-February)."""
    if day.month == 12:
        return (
            f"Jaarplannen {day.year + 1} behandeld op advies van de regiegroep; stand van de wijken ten opzichte "
            f"van 2019 besproken. Besluiten: zie de besluitenlijst."
        )
    return (
        f"Extra vergadering voor de jaarplannen {day.year} die in december nog niet gereed waren. "
        f"Besluiten: zie de besluitenlijst."
    )


def stuurgroep_meeting(eng: Engine, datum: dt.date, nu: dt.datetime, notities: str | None = None) -> int:
    """The id of the stuurgroep meeting of ``datum``: the recorded one, or a new one (as the demo)."""
    for meeting in sturing.list_meetings(eng, "stuurgroep", vanaf=datum):
        if meeting.datum == datum:
            return meeting.id
    return sturing.record_meeting(
        eng,
        ACTOR,
        "stuurgroep",
        datum,
        aanwezig=STUURGROEP_AANWEZIG,
        data_versie=data_version(datum),
        notities=notities if notities is not None else stuurgroep_notes(datum),
        nu=nu,
    )


# ------------------------------------------------------------------------------------------ measures


@dataclass(frozen=True)
class Maatregel:
    """A measure from the source documents, as a template for an activity ({wijk}, {buurt} filled in)."""

    titel: str
    omschrijving: str
    effect: str
    thema: str
    indicatoren: tuple[str, ...]
    trekker: str
    uren: dict[str, int]  # planned hours per partner for a typical wijk (lead partner most)
    maanden: tuple[int, int]
    budget: int | None = None
    bijeenkomst: bool = False  # a gathering (cancelled or postponed in the 2020 lockdown)
    loopt: tuple[str, ...] = ()  # progress notes for 'loopt'
    afgerond: tuple[str, ...] = ()  # notes for 'afgerond'


M = Maatregel
MAATREGELEN: dict[str, Maatregel] = {
    "wijkschouw": M(
        "Wijkschouw met bewoners en partners",
        "In het voorjaar en het najaar lopen bewoners, de wijkregisseur, de wijkagent en de wijkbeheerder van "
        "de corporatie een vaste route door {wijk}. Knelpunten (verlichting, snoeien, losliggende tegels, afval) "
        "gaan met een actielijst naar de beheerders; de uitkomst wordt op een bewonersavond teruggekoppeld.",
        "Minder meldingen over de openbare ruimte en minder ervaren verloedering.",
        "woonomgeving",
        ("verloedering_pct", "meldingen_openbare_ruimte_per_1000_inwoners"),
        "gemeente",
        {"gemeente": 60, "corporatie": 30, "politie": 20, "buurtpreventie": 20},
        (3, 10),
        bijeenkomst=True,
        loopt=(
            "Voorjaarsschouw gehouden met {n} bewoners; {m} punten op de actielijst, de meeste al opgelost.",
            "Voorjaarsschouw gelopen; de najaarsschouw staat gepland in oktober.",
        ),
        afgerond=("Beide schouwen gelopen; de actielijst is grotendeels afgewerkt.",),
    ),
    "veiligheidsschouw": M(
        "Avondschouw verlichting (donkere-ramen-offensief)",
        "Een avondschouw met de wijkagent en het buurtpreventieteam, gericht op donkere plekken, brandgangen en "
        "inbraakgevoelige woningen (plan van aanpak woninginbraken, menukaart). Bewoners van donkere woningen "
        "krijgen een briefje met preventietips; gebreken aan de verlichting gaan naar de gemeente.",
        "Minder woninginbraken in de donkere maanden en een veiliger gevoel op straat.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen", "onveilig_in_buurt_pct"),
        "politie",
        {"politie": 40, "buurtpreventie": 30, "gemeente": 20, "corporatie": 15},
        (10, 11),
        afgerond=(
            "Avondschouw gelopen; {m} lantaarnpalen gemeld en {n} briefjes met preventietips bezorgd.",
        ),
    ),
    "spreekuur_wijkagent": M(
        "Spreekuur wijkagent in het wijkcentrum",
        "Om de twee weken een inloopspreekuur van de wijkagent in het wijkcentrum, afgewisseld met 'koffie met "
        "de wijkagent' op straat of op het plein in {buurt}.",
        "Bewoners weten de wijkagent te vinden; meldingsbereidheid omhoog, onveiligheidsgevoel omlaag.",
        "veiligheid",
        ("onveilig_in_buurt_pct", "misdrijven_per_1000_inwoners"),
        "politie",
        {"politie": 90, "welzijn": 15},
        (1, 12),
        loopt=(
            "Spreekuur loopt; gemiddeld {n} bezoekers per keer.",
            "Loopt; 'koffie met de wijkagent' in {buurt} trok meer bewoners dan het spreekuur.",
        ),
    ),
    "buurtpreventieteam": M(
        "Ondersteuning buurtpreventieteam",
        "Het buurtpreventieteam loopt wekelijks rondes in herkenbare hesjes. De wijkagent geeft terugkoppeling "
        "op de meldingen, de gemeente organiseert training en het coördinatorenoverleg (twee keer per jaar) en "
        "verstrekt de waarderingssubsidie (ten hoogste € 300).",
        "Meer ogen en oren in de wijk: minder inbraken en een veiliger gevoel.",
        "veiligheid",
        ("onveilig_in_buurt_pct", "woninginbraak_per_1000_woningen"),
        "buurtpreventie",
        {"buurtpreventie": 300, "politie": 40, "gemeente": 30},
        (1, 12),
        budget=300,
        loopt=("Rondes lopen; het team telt {n} actieve vrijwilligers.",),
        afgerond=("Het hele jaar rondes gelopen; coördinatorenoverleg twee keer gehouden.",),
    ),
    "whatsapp": M(
        "WhatsApp-buurtpreventiegroepen opzetten en begeleiden",
        "Bewoners die een WhatsApp-buurtpreventiegroep willen oprichten krijgen hulp: een startbijeenkomst, de "
        "spelregels volgens SAAR (Signaleer, Alarmeer 112, App, Reageer), stickers en een vast contact bij de "
        "wijkagent. De gemeente houdt een overzicht van de coördinatoren bij.",
        "Meer alertheid en meldingsbereidheid; een afschrikkende werking op inbrekers.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen", "onveilig_in_buurt_pct"),
        "gemeente",
        {"gemeente": 50, "buurtpreventie": 40, "politie": 30},
        (2, 11),
        budget=500,
        loopt=("Er zijn nu {n} groepen actief; {m} nieuwe coördinatoren aangemeld.",),
        afgerond=("{n} groepen actief met samen ruim {m}0 deelnemers.",),
    ),
    "workshop_verdacht_gedrag": M(
        "Workshop 'Signaleren van verdacht gedrag'",
        "Gemeente en wijkagent geven voor bewoners, WhatsApp-groepen en het buurtpreventieteam de workshop "
        "'Signaleren van verdacht gedrag': wat is verdacht, hoe meld je het en wanneer bel je 112.",
        "Hogere meldingsbereidheid en betere meldingen bij verdachte situaties.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen",),
        "politie",
        {"politie": 30, "gemeente": 20, "buurtpreventie": 12},
        (3, 5),
        budget=400,
        bijeenkomst=True,
        afgerond=("Workshop gegeven aan {n} bewoners.",),
    ),
    "donkere_dagen": M(
        "Campagne inbraakpreventie 'donkere dagen'",
        "Preventietips in het huis-aan-huisblad, op de sociale media van gemeente, politie en corporatie en in "
        "de huurderskrant, met een preventiestand in het winkelcentrum (flippermethode, hang- en sluitwerk, "
        "buitenverlichting).",
        "Minder woninginbraken in de wintermaanden.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen",),
        "politie",
        {"politie": 40, "gemeente": 30, "buurtpreventie": 20, "corporatie": 15},
        (10, 12),
        budget=1500,
        afgerond=("Campagne gevoerd; de preventiestand trok ongeveer {n}0 bezoekers.",),
    ),
    "achterpadverlichting": M(
        "Achterpadverlichting en afsluiten brandgangen",
        "Donkere achterpaden en brandgangen die bij de schouw zijn gevonden krijgen verlichting (corporatie en "
        "gemeente delen de kosten); overwoekerd groen wordt gesnoeid en open brandgangen krijgen een poort.",
        "Minder inbraken via de achterkant en een veiliger gevoel in de achterpaden.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen", "onveilig_in_buurt_pct"),
        "corporatie",
        {"corporatie": 80, "gemeente": 40},
        (4, 9),
        budget=12000,
        loopt=("{n} achterpaden voorzien van verlichting; de rest volgt na de bouwvak.",),
        afgerond=("Verlichting in {n} achterpaden aangebracht en {m} poorten geplaatst.",),
    ),
    "keurmerk": M(
        "Politiekeurmerk Veilig Wonen bij de renovatie",
        "Bij de renovatie van de huurwoningen in {buurt} brengt de corporatie de woningen op het niveau van het "
        "Politiekeurmerk Veilig Wonen (bestaande bouw): inbraakwerend hang- en sluitwerk en buitenverlichting.",
        "Een flinke daling van het aantal woninginbraken in de gerenoveerde blokken.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen",),
        "corporatie",
        {"corporatie": 160, "politie": 25, "gemeente": 15},
        (2, 11),
        budget=45000,
        loopt=("{n} woningen gecertificeerd; het volgende blok volgt in het najaar.",),
        afgerond=("Alle {n}0 woningen van dit jaar voldoen aan het keurmerk.",),
    ),
    "inbraakwerend_huurders": M(
        "Inbraakwerende maatregelen voor huurders",
        "Huurders kunnen tegen een geringe huurverhoging inbraakwerend hang- en sluitwerk laten aanbrengen; de "
        "corporatie benadert eerst de woningen in de straten met de meeste inbraken.",
        "Minder inbraken in de huurwoningen.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen",),
        "corporatie",
        {"corporatie": 90, "politie": 15},
        (3, 10),
        afgerond=("{n} huurders hebben van het aanbod gebruikgemaakt.",),
    ),
    "preventieadvies": M(
        "Preventieadvies aan huis",
        "Bewoners kunnen een gratis preventieadvies aan huis aanvragen; wijkagent en gemeentelijk "
        "preventieadviseur lopen de woning langs en geven advies over hang- en sluitwerk en verlichting.",
        "Minder inbraken in de vrijstaande en twee-onder-een-kapwoningen.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen",),
        "gemeente",
        {"gemeente": 50, "politie": 40},
        (9, 12),
        afgerond=("{n}0 adviezen aan huis gegeven.",),
    ),
    "burgernet": M(
        "Deelnemers werven voor Burgernet",
        "Bewoners aanmelden voor Burgernet via de buurtpreventie, het spreekuur van de wijkagent en de "
        "huis-aan-huiskrant, zodat de politie bij een inbraak of vermissing snel veel ogen in de wijk heeft.",
        "Grotere heterdaadkracht van de politie.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen", "misdrijven_per_1000_inwoners"),
        "politie",
        {"politie": 25, "buurtpreventie": 20, "gemeente": 15},
        (4, 6),
        afgerond=("{n}0 nieuwe deelnemers aangemeld.",),
    ),
    "hennep": M(
        "Hennepaanpak: signalen bundelen en woningen controleren",
        "Signalen van hennepteelt (stank, afwijkend stroomverbruik, dichte ramen) worden in het "
        "leefbaarheidsteam gebundeld; politie en corporatie controleren samen, de corporatie ontbindt bij een "
        "vondst het huurcontract.",
        "Minder criminaliteit en brandgevaar in de portiekflats.",
        "veiligheid",
        ("misdrijven_per_1000_inwoners", "overige_misdrijven_per_1000_inwoners"),
        "politie",
        {"politie": 120, "corporatie": 60, "gemeente": 25},
        (1, 12),
        loopt=("{n} signalen onderzocht, {m} kwekerijen geruimd.",),
    ),
    "horeca": M(
        "Veilig uitgaan: horecaoverleg en collectieve horecaontzegging",
        "Vier keer per jaar overleg met de horeca in het Marktkwartier, de politie en de gemeente; "
        "geweldplegers krijgen een collectieve horecaontzegging en de sluitingstijden worden gehandhaafd.",
        "Minder geweld en overlast in het uitgaansgebied.",
        "veiligheid",
        ("geweld_per_1000_inwoners", "misdrijven_per_1000_inwoners"),
        "politie",
        {"politie": 80, "gemeente": 60},
        (1, 12),
        loopt=("Twee horecaoverleggen gehouden; {n} collectieve ontzeggingen opgelegd.",),
    ),
    "cameratoezicht": M(
        "Evaluatie cameratoezicht Marktkwartier",
        "Evaluatie van het cameratoezicht rond de Markt: incidenten, aanhoudingen en de ervaring van bewoners "
        "en ondernemers, als basis voor het besluit over verlenging.",
        "Een onderbouwd besluit over het cameratoezicht; minder geweld op straat.",
        "veiligheid",
        ("geweld_per_1000_inwoners", "misdrijven_per_1000_inwoners"),
        "gemeente",
        {"gemeente": 50, "politie": 30},
        (5, 9),
        afgerond=("Evaluatie afgerond en besproken in de driehoek.",),
    ),
    "hotspot": M(
        "Hotspotaanpak woninginbraken {buurt}",
        "Na de inbraakgolf in {buurt} zetten politie, gemeente en corporatie de menukaart uit het plan van "
        "aanpak woninginbraken in: extra surveillance, een Burgernetmail na elke inbraak, besmettingsbrieven "
        "'Stop de inbreker' huis-aan-huis, een preventiestand en gratis preventieadvies aan huis.",
        "De inbraakgolf stopt: terug naar het gewone niveau van ongeveer één inbraak per kwartaal.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen", "onveilig_in_buurt_pct"),
        "politie",
        {"politie": 160, "gemeente": 60, "corporatie": 40, "buurtpreventie": 40},
        (5, 12),
        budget=6000,
        loopt=(
            "Besmettingsbrieven bezorgd in {n} straten; extra surveillance loopt, in juni geen nieuwe piek.",
        ),
        afgerond=("Hotspotaanpak afgerond; sinds juni weer het gewone niveau van inbraken.",),
    ),
    "nazorg_hotspot": M(
        "Nazorg inbraakgolf {buurt}: WhatsApp-groep en keurmerk",
        "Na de inbraakgolf van 2024 helpt de gemeente bewoners van {buurt} een WhatsApp-buurtpreventiegroep op "
        "te zetten en biedt de corporatie de huurders inbraakwerend hang- en sluitwerk aan.",
        "Het aantal inbraken in {buurt} blijft op het gewone niveau.",
        "veiligheid",
        ("woninginbraak_per_1000_woningen", "onveilig_in_buurt_pct"),
        "gemeente",
        {"gemeente": 60, "corporatie": 50, "politie": 40, "buurtpreventie": 30},
        (1, 9),
        budget=2500,
        loopt=("De WhatsApp-groep {buurt} telt {n}0 deelnemers; {m}0 huurders lieten sloten vervangen.",),
    ),
    "jongerenwerk": M(
        "Ambulant jongerenwerk op hangplekken",
        "Jongerenwerkers zoeken de groepen op de vaste hangplekken in {buurt} en omgeving op, ook 's avonds en in "
        "het weekend, maken afspraken met de groep en leiden jongeren toe naar activiteiten, werk of hulp.",
        "Minder meldingen van jeugdoverlast; jongeren in beeld bij het jongerenwerk.",
        "samenleven",
        ("overlast_jeugd_per_1000_inwoners",),
        "welzijn",
        {"welzijn": 320, "politie": 40, "gemeente": 20},
        (1, 12),
        loopt=("Loopt; {n} jongeren in contact, {m} toegeleid naar werk of opleiding.",),
        afgerond=("Het hele jaar uitgevoerd; de groep bij {buurt} is rustiger.",),
    ),
    "jeugdgroep": M(
        "Groepsaanpak overlastgevende jeugdgroep",
        "Politie, jongerenwerk en gemeente stellen een groepsplan op voor de jeugdgroep in {buurt}: gesprekken "
        "met de jongeren en hun ouders, afspraken met de groep en handhaving waar dat nodig is.",
        "Minder overlast en incidenten door de groep.",
        "samenleven",
        ("overlast_jeugd_per_1000_inwoners",),
        "politie",
        {"politie": 100, "welzijn": 80, "gemeente": 40},
        (3, 10),
        loopt=("Groepsplan vastgesteld; gesprekken met {n} ouders gevoerd.",),
    ),
    "jeugdboa": M(
        "Inzet jeugdboa's in de avonduren",
        "Twee jeugdboa's surveilleren in de zomermaanden 's avonds langs de hangplekken; ze spreken jongeren aan "
        "en handhaven waar nodig, in afstemming met het jongerenwerk.",
        "Minder jeugdoverlast in de zomer.",
        "samenleven",
        ("overlast_jeugd_per_1000_inwoners",),
        "gemeente",
        {"gemeente": 140, "welzijn": 20, "politie": 20},
        (4, 9),
        loopt=("Inzet loopt sinds april; {n} waarschuwingen en {m} boetes.",),
    ),
    "jop": M(
        "Jongerenontmoetingsplek ontwerpen met jongeren",
        "Samen met jongeren uit {buurt} een jongerenontmoetingsplek (JOP) kiezen en inrichten, met afspraken over "
        "gebruik en beheer.",
        "Jongeren hebben een eigen plek; minder overlast bij woningen.",
        "samenleven",
        ("overlast_jeugd_per_1000_inwoners", "sociale_cohesie"),
        "welzijn",
        {"welzijn": 80, "gemeente": 60},
        (2, 10),
        budget=18000,
        loopt=("Twee ontwerpavonden met {n} jongeren gehouden; locatie in onderzoek.",),
    ),
    "buurtbemiddeling": M(
        "Buurtbemiddeling bekendmaken en vrijwilligers werven",
        "Burenruzies eerder naar buurtbemiddeling: corporatie en wijkagent verwijzen actief door, het welzijnswerk "
        "werft en traint vrijwillige bemiddelaars uit de wijk.",
        "Minder escalerende burenconflicten en minder overlastmeldingen bij de corporatie.",
        "samenleven",
        ("buurtbemiddeling_per_1000_huishoudens", "overlast_corporatie_per_100_huurwoningen"),
        "welzijn",
        {"welzijn": 120, "corporatie": 40, "politie": 15},
        (1, 12),
        loopt=("{n} zaken aangemeld, {m} met een afspraak afgesloten.",),
        afgerond=("{n}0 zaken behandeld; twee nieuwe bemiddelaars uit de wijk getraind.",),
    ),
    "huurdersoverleg": M(
        "Huurdersoverleg met de bewonerscommissie",
        "Vier keer per jaar overleg tussen de corporatie en de bewonerscommissie over schoonmaak, onderhoud, "
        "overlast en het leefbaarheidsbudget.",
        "Huurders praten mee; problemen in de complexen komen eerder op tafel.",
        "samenleven",
        ("overlast_corporatie_per_100_huurwoningen", "sociale_cohesie"),
        "corporatie",
        {"corporatie": 60, "welzijn": 25},
        (1, 12),
        loopt=("Twee overleggen gehouden; schoonmaakrooster in de portieken aangepast.",),
        afgerond=("Vier overleggen gehouden.",),
    ),
    "portiekgesprekken": M(
        "Portiekgesprekken: afspraken over samenleven",
        "Per portiek gaan de wijkconsulent van de corporatie en het opbouwwerk met de bewoners in gesprek en maken "
        "samen afspraken over schoonmaak, geluid en het gebruik van de bergingen.",
        "Minder burenoverlast in de portiekflats.",
        "samenleven",
        ("overlast_corporatie_per_100_huurwoningen",),
        "corporatie",
        {"corporatie": 120, "welzijn": 60},
        (2, 11),
        loopt=("In {n} portieken gesprekken gevoerd en afspraken gemaakt.",),
        afgerond=("In {n} portieken afspraken gemaakt; {m} portieken volgen volgend jaar.",),
    ),
    "burendag": M(
        "Burendag en buurtfeest",
        "Op Burendag en bij het buurtfeest in {buurt} ontmoeten bewoners elkaar; het opbouwwerk helpt de "
        "organiserende bewoners, de corporatie en de gemeente dragen bij.",
        "Bewoners kennen elkaar beter; meer sociale cohesie.",
        "samenleven",
        ("sociale_cohesie",),
        "welzijn",
        {"welzijn": 60, "corporatie": 15, "gemeente": 12},
        (8, 9),
        budget=1500,
        bijeenkomst=True,
        afgerond=("Buurtfeest gehouden met ongeveer {n}0 bezoekers.",),
    ),
    "bewonersinitiatieven": M(
        "Opbouwwerk: bewonersinitiatieven ondersteunen",
        "Het opbouwwerk helpt bewoners met ideeën voor hun buurt (een moestuin, een koffieochtend, een "
        "straatspeeldag) en beheert het budget voor bewonersinitiatieven.",
        "Meer bewoners actief in de buurt; meer sociale cohesie.",
        "samenleven",
        ("sociale_cohesie",),
        "welzijn",
        {"welzijn": 200, "gemeente": 30},
        (1, 12),
        budget=5000,
        loopt=("{n} initiatieven ondersteund.",),
        afgerond=("{n} initiatieven ondersteund; het budget is volledig besteed.",),
    ),
    "welkom": M(
        "Welkom in de wijk: kennismaking met nieuwe bewoners",
        "Nieuwe bewoners krijgen een welkomstgesprek van de corporatie of het opbouwwerk en een uitnodiging voor "
        "de kennismakingsavond, met informatie over de buurt, de spelregels en wie je waarvoor belt.",
        "Nieuwe bewoners voelen zich sneller thuis en blijven langer wonen.",
        "samenstelling",
        ("mutatiegraad_pct",),
        "welzijn",
        {"welzijn": 90, "corporatie": 60},
        (1, 12),
        loopt=("{n} welkomstgesprekken gevoerd.",),
    ),
    "achter_de_voordeur": M(
        "Achter-de-voordeur: huisbezoeken bij zorgsignalen",
        "Bij signalen (huurachterstand, vervuiling, overlast) gaan een medewerker van het welzijnswerk en de "
        "wijkconsulent van de corporatie samen op huisbezoek en zetten zo nodig hulp in via het sociaal team.",
        "Kwetsbare bewoners eerder in beeld; minder huurachterstand en overlast.",
        "zorg",
        ("huurachterstand_pct",),
        "welzijn",
        {"welzijn": 240, "corporatie": 80, "gemeente": 40},
        (1, 12),
        loopt=("{n} huisbezoeken afgelegd; {m} huishoudens aangemeld bij het sociaal team.",),
    ),
    "vroegsignalering": M(
        "Vroegsignalering huurachterstand",
        "Na één maand huurachterstand belt de corporatie de huurder; bij twee maanden volgt een huisbezoek samen "
        "met de schuldhulpverlening van de gemeente.",
        "Minder huurders met een huurachterstand en minder ontruimingen.",
        "zorg",
        ("huurachterstand_pct",),
        "corporatie",
        {"corporatie": 120, "gemeente": 60, "welzijn": 40},
        (1, 12),
        loopt=("{n}0 huurders benaderd; {m} betalingsregelingen getroffen.",),
    ),
    "eog": M(
        "Aanpak ernstig overlastgevende gezinnen",
        "Voor gezinnen die langdurig ernstige overlast veroorzaken stellen gemeente, politie, corporatie en "
        "welzijn één plan met één regisseur op, met hulp én duidelijke grenzen.",
        "Minder ernstige overlast in de straat.",
        "samenleven",
        ("overlast_corporatie_per_100_huurwoningen", "overlast_jeugd_per_1000_inwoners"),
        "gemeente",
        {"gemeente": 120, "welzijn": 60, "politie": 40, "corporatie": 40},
        (1, 12),
        loopt=("{n} gezinnen in de aanpak; bij één gezin is de overlast gestopt.",),
    ),
    "ouderen": M(
        "Ouderen langer thuis: huisbezoeken bij 75-plussers",
        "Vrijwilligers van het welzijnswerk bezoeken 75-plussers in {buurt} en omgeving thuis, signaleren "
        "eenzaamheid en praktische problemen en wijzen op activiteiten in het dorpshuis.",
        "Minder eenzaamheid; ouderen blijven betrokken bij het dorp.",
        "samenleven",
        ("sociale_cohesie",),
        "welzijn",
        {"welzijn": 160, "gemeente": 20},
        (1, 12),
        loopt=("{n}0 ouderen bezocht.",),
    ),
    "schoonmaak": M(
        "Opschoondag in {buurt}",
        "Samen met bewoners, de corporatie en de gemeentelijke reiniging {buurt} opschonen: zwerfafval, grofvuil "
        "en graffiti. De gemeente levert materiaal en containers, het welzijnswerk zorgt voor de koffie.",
        "Een schonere buurt en minder meldingen over afval.",
        "woonomgeving",
        ("verloedering_pct", "meldingen_openbare_ruimte_per_1000_inwoners"),
        "gemeente",
        {"gemeente": 40, "corporatie": 30, "welzijn": 20, "buurtpreventie": 12},
        (3, 4),
        budget=750,
        bijeenkomst=True,
        afgerond=("Opschoondag gehouden met {n}0 bewoners; {m} containers gevuld.",),
    ),
    "grofvuil": M(
        "Aanpak grofvuil en afval bij de flats",
        "Vaste ophaalmomenten voor grofvuil bij de flats, controle op bijplaatsingen bij de containers en een "
        "aanspreekactie door de wijkbeheerder.",
        "Minder afval naast de containers en minder meldingen openbare ruimte.",
        "woonomgeving",
        ("meldingen_openbare_ruimte_per_1000_inwoners", "verloedering_pct"),
        "corporatie",
        {"corporatie": 80, "gemeente": 50},
        (1, 12),
        loopt=("Bijplaatsingen bij de containers met ongeveer een derde afgenomen.",),
    ),
    "graffiti": M(
        "Graffiti: snel verwijderen en een legale muur",
        "Graffiti wordt binnen een week verwijderd; eigenaren van panden krijgen een schoonmaakabonnement en "
        "spuiters krijgen een legale muur, die zij zelf schoonhouden.",
        "Minder vernielingen en minder ervaren verloedering.",
        "woonomgeving",
        ("vernieling_per_1000_inwoners", "verloedering_pct"),
        "gemeente",
        {"gemeente": 60, "welzijn": 30},
        (3, 11),
        budget=4000,
        loopt=("Legale muur in gebruik; {n} meldingen graffiti binnen een week opgelost.",),
    ),
    "leegstand_pakhuizen": M(
        "Tijdelijk gebruik leegstaande pakhuizen",
        "Leegstaande pakhuizen krijgen tot de herontwikkeling een tijdelijke gebruiker (ateliers, opslag voor "
        "verenigingen); de eigenaren worden aangesproken op onderhoud en afsluiting.",
        "Minder leegstand en minder vernielingen in de Pakhuizen.",
        "woonomgeving",
        ("leegstand_pct", "vernieling_per_1000_inwoners"),
        "gemeente",
        {"gemeente": 80, "corporatie": 30},
        (1, 12),
        loopt=("{n} panden tijdelijk in gebruik; gesprekken met twee eigenaren lopen.",),
    ),
    "speelplekken": M(
        "Speelplekken opknappen met bewoners",
        "Ouders en kinderen uit {buurt} kiezen mee welke speelplek wordt opgeknapt en hoe; de gemeente voert uit "
        "en bewoners nemen het lichte beheer op zich.",
        "Een aantrekkelijke buurt voor gezinnen; hogere waardering van de woonomgeving.",
        "woonomgeving",
        ("rapportcijfer_leefbaarheid", "meldingen_openbare_ruimte_per_1000_inwoners"),
        "gemeente",
        {"gemeente": 60, "welzijn": 30},
        (3, 9),
        budget=25000,
        loopt=("Ontwerp gekozen met {n} ouders; de aannemer start na de zomer.",),
    ),
    "parkbeheer": M(
        "Toezicht en beheer in het park",
        "Extra toezicht van handhaving in het park op zomeravonden, vaker legen van de afvalbakken en afspraken "
        "met de hondenbezitters over de losloopzone.",
        "Minder meldingen over afval en overlast in het park.",
        "woonomgeving",
        ("meldingen_openbare_ruimte_per_1000_inwoners", "vernieling_per_1000_inwoners"),
        "gemeente",
        {"gemeente": 100, "politie": 30, "welzijn": 20},
        (4, 10),
        loopt=("Zomertoezicht loopt; afvalbakken worden twee keer per week geleegd.",),
    ),
    "renovatie_begeleiding": M(
        "Bewonersbegeleiding bij de renovatie",
        "Een vaste bewonersbegeleider van de corporatie en het opbouwwerk begeleiden de huurders in {buurt} "
        "tijdens de renovatie: wisselwoningen, planning, overlast van de bouw en de terugkeer.",
        "De renovatie verloopt met zo min mogelijk overlast; bewoners waarderen hun buurt beter.",
        "woonomgeving",
        ("rapportcijfer_leefbaarheid", "buurt_achteruitgegaan_pct"),
        "corporatie",
        {"corporatie": 200, "welzijn": 60},
        (1, 12),
        loopt=("{n}0 woningen opgeleverd; bewoners tevreden over de begeleiding.",),
        afgerond=("Renovatie van dit jaar opgeleverd; {n}0 huishoudens teruggekeerd.",),
    ),
    "gebiedsaanpak": M(
        "Integrale aanpak {buurt}",
        "Een gebiedsgerichte aanpak voor {buurt}, waar overlast, huurachterstand en verloedering zich ophopen: "
        "wekelijks casusoverleg van de partners, een vast aanspreekpunt per portiek en snelle opvolging van "
        "meldingen.",
        "De stijging van overlast en huurachterstand in {buurt} stopt.",
        "samenleven",
        ("overlast_corporatie_per_100_huurwoningen", "sociale_cohesie"),
        "gemeente",
        {"gemeente": 160, "corporatie": 120, "welzijn": 100, "politie": 80},
        (2, 12),
        budget=20000,
        loopt=("Casusoverleg loopt wekelijks; {n} adressen in beeld.",),
    ),
}

# ------------------------------------------------------------------------------------------ wijken


@dataclass(frozen=True)
class OpgaveTekst:
    thema: str
    titel: str
    omschrijving: str
    indicatoren: tuple[str, ...]


def _keys(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _o(thema: str, titel: str, omschrijving: str, *indicatoren: str) -> OpgaveTekst:
    return OpgaveTekst(thema, titel, omschrijving, indicatoren)


@dataclass(frozen=True)
class Profiel:
    """What a wijk's jaarplannen are made of: measures every year, a pool to draw from, the wijkprogramma."""

    vast: tuple[str, ...]
    keuze: tuple[str, ...]
    opgaven: tuple[OpgaveTekst, ...]
    extra: dict[int, tuple[str, ...]] = field(default_factory=dict)  # year -> story measures


ALGEMEEN = Profiel(
    vast=_keys("wijkschouw spreekuur_wijkagent jongerenwerk buurtbemiddeling whatsapp"),
    keuze=_keys(
        "schoonmaak donkere_dagen burendag bewonersinitiatieven huurdersoverleg achterpadverlichting achter_de_voordeur graffiti workshop_verdacht_gedrag vroegsignalering"
    ),
    opgaven=(
        _o(
            "veiligheid",
            "Minder woninginbraken en een veiliger gevoel",
            "Woninginbraken voorkomen met bewoners en buurtpreventie en het onveiligheidsgevoel terugdringen.",
            "woninginbraak_per_1000_woningen",
            "onveilig_in_buurt_pct",
        ),
        _o(
            "samenleven",
            "Prettig samenleven: minder burenoverlast en jeugdoverlast",
            "Burenconflicten vroeg oppakken en jongeren een plek geven.",
            "overlast_corporatie_per_100_huurwoningen",
            "overlast_jeugd_per_1000_inwoners",
        ),
        _o(
            "woonomgeving",
            "Een schone en hele openbare ruimte",
            "Afval, vernielingen en verloedering samen met bewoners aanpakken.",
            "meldingen_openbare_ruimte_per_1000_inwoners",
            "verloedering_pct",
        ),
    ),
)

PROFIELEN: dict[int, Profiel] = {
    1: Profiel(  # Centrum
        vast=_keys(
            "wijkschouw spreekuur_wijkagent horeca jongerenwerk buurtbemiddeling grofvuil achter_de_voordeur"
        ),
        keuze=_keys(
            "cameratoezicht graffiti schoonmaak donkere_dagen jeugdboa huurdersoverleg bewonersinitiatieven veiligheidsschouw vroegsignalering"
        ),
        opgaven=(
            _o(
                "veiligheid",
                "Veilig uitgaan in het Marktkwartier",
                "Geweld en overlast rond de horeca op en rond de Markt terugdringen, samen met de horeca-"
                "ondernemers, de politie en de gemeente.",
                "geweld_per_1000_inwoners",
                "misdrijven_per_1000_inwoners",
            ),
            _o(
                "woonomgeving",
                "Een schoon en heel centrum",
                "Zwerfafval, graffiti, fietswrakken en afval naast de containers in de winkelstraten en rond het "
                "Kerkplein sneller aanpakken.",
                "meldingen_openbare_ruimte_per_1000_inwoners",
                "verloedering_pct",
                "vernieling_per_1000_inwoners",
            ),
            _o(
                "samenleven",
                "Wonen boven de winkels: prettig samenleven",
                "Geluids- en burenoverlast in de (huur)woningen boven de winkels van Centrum-Noord en Centrum-Zuid "
                "beperken en conflicten vroeg oppakken.",
                "overlast_corporatie_per_100_huurwoningen",
                "buurtbemiddeling_per_1000_huishoudens",
            ),
            _o(
                "zorg",
                "Zicht op kwetsbare alleenstaanden",
                "Het centrum heeft veel kleine huishoudens; huurachterstand en vereenzaming vroeg signaleren.",
                "huurachterstand_pct",
            ),
        ),
    ),
    2: Profiel(  # Oude Haven
        vast=_keys("wijkschouw spreekuur_wijkagent jongerenwerk leegstand_pakhuizen buurtbemiddeling"),
        keuze=_keys(
            "graffiti schoonmaak veiligheidsschouw whatsapp burendag huurdersoverleg bewonersinitiatieven donkere_dagen jeugdgroep achterpadverlichting"
        ),
        opgaven=(
            _o(
                "samenleven",
                "Jongeren op de kades",
                "Rond de hangplekken aan de Kadebuurt en op het Werfeiland contact leggen met de jongeren en de "
                "overlast in de avonduren beperken.",
                "overlast_jeugd_per_1000_inwoners",
            ),
            _o(
                "woonomgeving",
                "Pakhuizen en werven: geen verpaupering",
                "Leegstaande pakhuizen trekken vernielingen aan; tijdelijk gebruik en toezicht tot de "
                "herontwikkeling.",
                "leegstand_pct",
                "vernieling_per_1000_inwoners",
            ),
            _o(
                "veiligheid",
                "Veilig wonen aan het water",
                "Inbraakpreventie en verlichting langs de kades en in de achterpaden van het Havenkwartier.",
                "woninginbraak_per_1000_woningen",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "samenleven",
                "Oude en nieuwe havenbewoners verbinden",
                "De nieuwe bewoners van de getransformeerde pakhuizen en de oude havenbuurt leren elkaar kennen.",
                "sociale_cohesie",
            ),
        ),
    ),
    3: Profiel(  # Molenwijk: from 2020 on crime, nuisance and rent arrears rise
        vast=_keys(
            "wijkschouw spreekuur_wijkagent jongerenwerk buurtbemiddeling huurdersoverleg achter_de_voordeur grofvuil"
        ),
        keuze=_keys(
            "schoonmaak buurtpreventieteam achterpadverlichting burendag jeugdgroep bewonersinitiatieven donkere_dagen"
        ),
        extra={
            2021: _keys("vroegsignalering portiekgesprekken"),
            2022: _keys("vroegsignalering portiekgesprekken gebiedsaanpak hennep eog"),
            2023: _keys("vroegsignalering portiekgesprekken gebiedsaanpak hennep eog"),
            2024: _keys("vroegsignalering portiekgesprekken gebiedsaanpak hennep eog"),
            2025: _keys("vroegsignalering portiekgesprekken gebiedsaanpak hennep"),
            2026: _keys("vroegsignalering portiekgesprekken gebiedsaanpak hennep"),
        },
        opgaven=(
            _o(
                "samenleven",
                "Burenoverlast in de portiekflats terugdringen",
                "De overlastmeldingen bij de corporatie nemen toe, vooral in de portiekflats van Korenmolen en de "
                "Wiekenbuurt. Conflicten vroeg oppakken en afspraken per portiek maken.",
                "overlast_corporatie_per_100_huurwoningen",
                "buurtbemiddeling_per_1000_huishoudens",
            ),
            _o(
                "zorg",
                "Huurachterstand en armoede vroeg aanpakken",
                "Steeds meer huurders in de Molenwijk hebben een huurachterstand; eerder signaleren en samen met "
                "het sociaal team hulp bieden.",
                "huurachterstand_pct",
            ),
            _o(
                "veiligheid",
                "Criminaliteit en onveiligheidsgevoel keren",
                "De geregistreerde criminaliteit stijgt en bewoners voelen zich minder veilig; zichtbare inzet "
                "van politie en partners en aanpak van ondermijning (hennep).",
                "misdrijven_per_1000_inwoners",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "woonomgeving",
                "Verloedering stoppen: de Molenwijk weer een fijne buurt",
                "Afval, vernielingen en slecht onderhouden portieken bepalen het beeld; de waardering van de "
                "buurt moet minimaal terug naar het niveau van 2019.",
                "verloedering_pct",
                "rapportcijfer_leefbaarheid",
                "buurt_achteruitgegaan_pct",
            ),
            _o(
                "samenleven",
                "Bewoners (weer) bij elkaar brengen",
                "De sociale cohesie neemt af; bewoners ontmoeten elkaar minder. Bewonersinitiatieven en "
                "ontmoeting stimuleren.",
                "sociale_cohesie",
            ),
        ),
    ),
    4: Profiel(  # Bloemenbuurt
        vast=_keys("wijkschouw spreekuur_wijkagent whatsapp jongerenwerk speelplekken burendag"),
        keuze=_keys(
            "donkere_dagen workshop_verdacht_gedrag schoonmaak buurtbemiddeling bewonersinitiatieven achterpadverlichting burgernet jop veiligheidsschouw"
        ),
        opgaven=(
            _o(
                "veiligheid",
                "Inbraakpreventie in de rijtjeswoningen",
                "De rijtjeswoningen met achterpaden zijn kwetsbaar voor inbraak; bewoners alert houden met "
                "WhatsApp-groepen en verlichting.",
                "woninginbraak_per_1000_woningen",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "samenleven",
                "Een kindvriendelijke, betrokken buurt",
                "Gezinnen kennen elkaar en tieners hebben een plek; overlast van jongeren blijft laag.",
                "sociale_cohesie",
                "overlast_jeugd_per_1000_inwoners",
            ),
            _o(
                "woonomgeving",
                "Speelplekken en groen op orde",
                "Speelplekken en groenstroken in de Rozenbuurt en het Lelieveld opknappen en samen met bewoners "
                "onderhouden.",
                "rapportcijfer_leefbaarheid",
                "meldingen_openbare_ruimte_per_1000_inwoners",
            ),
        ),
    ),
    5: Profiel(  # Stationskwartier: the burglary hotspot in Spoorzicht (spring 2024)
        vast=_keys("wijkschouw spreekuur_wijkagent jongerenwerk buurtbemiddeling grofvuil donkere_dagen"),
        keuze=_keys(
            "achterpadverlichting jeugdgroep vroegsignalering huurdersoverleg schoonmaak graffiti veiligheidsschouw burendag inbraakwerend_huurders achter_de_voordeur"
        ),
        opgaven=(
            _o(
                "veiligheid",
                "Woninginbraken en diefstal rond het station terugdringen",
                "Rond het station en het Emplacement ligt de criminaliteit hoger dan gemiddeld; inbraakpreventie "
                "en snelle inzet bij een inbraakgolf.",
                "woninginbraak_per_1000_woningen",
                "misdrijven_per_1000_inwoners",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "samenleven",
                "Overlast rond het Stationsplein en het Emplacement",
                "Jeugdoverlast en burenoverlast in de flats rond het Stationsplein beperken.",
                "overlast_jeugd_per_1000_inwoners",
                "overlast_corporatie_per_100_huurwoningen",
            ),
            _o(
                "woonomgeving",
                "Schone en verlichte looproutes",
                "De looproutes van het station naar de buurten schoon, heel en goed verlicht.",
                "verloedering_pct",
                "meldingen_openbare_ruimte_per_1000_inwoners",
            ),
            _o(
                "zorg",
                "Huurders met geldzorgen eerder bereiken",
                "Huurachterstand vroeg signaleren en hulp aanbieden voordat schulden oplopen.",
                "huurachterstand_pct",
            ),
        ),
    ),
    6: Profiel(  # Lindenhof
        vast=_keys("wijkschouw spreekuur_wijkagent whatsapp buurtpreventieteam jongerenwerk burendag"),
        keuze=_keys(
            "donkere_dagen speelplekken workshop_verdacht_gedrag schoonmaak buurtbemiddeling bewonersinitiatieven burgernet preventieadvies achterpadverlichting"
        ),
        opgaven=(
            _o(
                "veiligheid",
                "Een veilige gezinswijk: inbraken voorkomen",
                "Het lage niveau van woninginbraken vasthouden met buurtpreventie en alerte bewoners.",
                "woninginbraak_per_1000_woningen",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "samenleven",
                "Betrokken buren en ruimte voor de jeugd",
                "De sterke sociale samenhang behouden en tieners een plek en activiteiten bieden.",
                "sociale_cohesie",
                "overlast_jeugd_per_1000_inwoners",
            ),
            _o(
                "woonomgeving",
                "Een groene en verzorgde wijk",
                "Groen, speelplekken en straten verzorgd houden, met bewoners die meedoen in het beheer.",
                "rapportcijfer_leefbaarheid",
                "meldingen_openbare_ruimte_per_1000_inwoners",
            ),
        ),
    ),
    7: Profiel(  # Vogelwijk: renovated rental, things improve
        vast=_keys(
            "wijkschouw spreekuur_wijkagent jongerenwerk buurtbemiddeling huurdersoverleg achter_de_voordeur vroegsignalering"
        ),
        keuze=_keys(
            "schoonmaak grofvuil portiekgesprekken burendag achterpadverlichting donkere_dagen jeugdgroep"
        ),
        extra={
            2020: _keys("renovatie_begeleiding keurmerk"),
            2021: _keys("renovatie_begeleiding keurmerk"),
            2022: _keys("renovatie_begeleiding keurmerk"),
            2023: _keys("welkom bewonersinitiatieven"),
            2024: _keys("welkom bewonersinitiatieven"),
            2025: _keys("welkom bewonersinitiatieven"),
            2026: _keys("welkom bewonersinitiatieven"),
        },
        opgaven=(
            _o(
                "woonomgeving",
                "Renovatie Vogelwijk: betere woningen, betere buurt",
                "De renovatie van de huurwoningen (2020-2022) benutten om ook de buitenruimte en de uitstraling "
                "van de buurten te verbeteren.",
                "rapportcijfer_leefbaarheid",
                "verloedering_pct",
                "buurt_achteruitgegaan_pct",
            ),
            _o(
                "veiligheid",
                "Veilig wonen na de renovatie",
                "Met het Politiekeurmerk Veilig Wonen en zichtbare inzet het aantal inbraken en misdrijven omlaag.",
                "woninginbraak_per_1000_woningen",
                "misdrijven_per_1000_inwoners",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "samenleven",
                "Bewonerscommissies en burenrelaties versterken",
                "Terugkerende en nieuwe bewoners verbinden; overlast in de complexen vroeg oppakken.",
                "overlast_corporatie_per_100_huurwoningen",
                "sociale_cohesie",
            ),
            _o(
                "zorg",
                "Huurachterstand na de renovatie voorkomen",
                "Huurders met een hogere huur na de renovatie tijdig ondersteunen.",
                "huurachterstand_pct",
            ),
            _o(
                "samenstelling",
                "Bewoners vasthouden: minder verhuizingen",
                "Na de renovatie blijven bewoners langer wonen; nieuwe bewoners voelen zich welkom.",
                "mutatiegraad_pct",
            ),
        ),
    ),
    8: Profiel(  # Polderzicht: new-build
        vast=_keys("wijkschouw spreekuur_wijkagent welkom whatsapp burendag jongerenwerk"),
        keuze=_keys(
            "jop bewonersinitiatieven speelplekken donkere_dagen workshop_verdacht_gedrag schoonmaak buurtbemiddeling burgernet"
        ),
        opgaven=(
            _o(
                "samenleven",
                "Nieuwe wijk, nieuwe buren: elkaar leren kennen",
                "Polderzicht groeit snel; nieuwe bewoners leren elkaar kennen en starten samen initiatieven.",
                "sociale_cohesie",
            ),
            _o(
                "samenleven",
                "Voorzieningen voor de groeiende groep tieners",
                "Het aantal tieners stijgt; een eigen plek en activiteiten voorkomen overlast.",
                "overlast_jeugd_per_1000_inwoners",
            ),
            _o(
                "veiligheid",
                "Inbraakpreventie in de nieuwbouw",
                "Nieuwe bewoners kennen de buurt nog niet; WhatsApp-groepen en preventietips vanaf de oplevering.",
                "woninginbraak_per_1000_woningen",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "samenstelling",
                "Binding met de wijk",
                "Bewoners voelen zich thuis en blijven in de wijk wonen.",
                "mutatiegraad_pct",
            ),
        ),
    ),
    9: Profiel(  # Rivierenwijk
        vast=_keys(
            "wijkschouw spreekuur_wijkagent jongerenwerk buurtbemiddeling huurdersoverleg achter_de_voordeur"
        ),
        keuze=_keys(
            "graffiti schoonmaak grofvuil vroegsignalering jeugdgroep donkere_dagen achterpadverlichting burendag hennep bewonersinitiatieven whatsapp"
        ),
        opgaven=(
            _o(
                "samenleven",
                "Burenoverlast voorkomen in de Maasbuurt en de Rijnbuurt",
                "Conflicten tussen buren vroeg oppakken met buurtbemiddeling en de corporatie.",
                "overlast_corporatie_per_100_huurwoningen",
                "buurtbemiddeling_per_1000_huishoudens",
            ),
            _o(
                "veiligheid",
                "Criminaliteit en geweld op straat terugdringen",
                "Zichtbare inzet van politie en partners op de plekken waar het vaakst iets gebeurt.",
                "misdrijven_per_1000_inwoners",
                "geweld_per_1000_inwoners",
            ),
            _o(
                "woonomgeving",
                "Een hele en schone buitenruimte",
                "Vernielingen en meldingen over de openbare ruimte snel afhandelen.",
                "meldingen_openbare_ruimte_per_1000_inwoners",
                "vernieling_per_1000_inwoners",
            ),
            _o(
                "zorg",
                "Kwetsbare huishoudens op tijd in beeld",
                "Huurachterstand en zorgsignalen achter de voordeur vroeg oppakken.",
                "huurachterstand_pct",
            ),
        ),
    ),
    10: Profiel(  # Parkwijk
        vast=_keys("wijkschouw spreekuur_wijkagent parkbeheer jongerenwerk buurtbemiddeling"),
        keuze=_keys(
            "schoonmaak whatsapp burendag graffiti donkere_dagen jeugdboa bewonersinitiatieven huurdersoverleg veiligheidsschouw achterpadverlichting"
        ),
        opgaven=(
            _o(
                "woonomgeving",
                "Het Stadspark schoon en veilig",
                "Afval, vernielingen en overlast in en rond het Stadspark en de Vijverhof aanpakken.",
                "meldingen_openbare_ruimte_per_1000_inwoners",
                "verloedering_pct",
            ),
            _o(
                "samenleven",
                "Jongeren in het park en bij de vijver",
                "Op zomeravonden hangen groepen jongeren in het park; contact leggen en overlast beperken.",
                "overlast_jeugd_per_1000_inwoners",
            ),
            _o(
                "veiligheid",
                "Een veilig gevoel in de Singelbuurt",
                "Verlichting en buurtpreventie langs de singels en de donkere paden in het park.",
                "onveilig_in_buurt_pct",
                "woninginbraak_per_1000_woningen",
            ),
            _o(
                "samenleven",
                "Buren die elkaar kennen",
                "Ontmoeting tussen de buurten rond het park stimuleren.",
                "sociale_cohesie",
            ),
        ),
    ),
    11: Profiel(  # Hoven-Dorp
        vast=_keys("wijkschouw spreekuur_wijkagent buurtpreventieteam whatsapp ouderen burendag"),
        keuze=_keys(
            "burgernet donkere_dagen schoonmaak jongerenwerk bewonersinitiatieven workshop_verdacht_gedrag preventieadvies speelplekken"
        ),
        opgaven=(
            _o(
                "samenleven",
                "Ouderen langer zelfstandig en betrokken in het dorp",
                "Het dorp vergrijst; ouderen blijven langer thuis wonen en moeten niet vereenzamen.",
                "sociale_cohesie",
            ),
            _o(
                "veiligheid",
                "Buurtpreventie in het dorp",
                "Het buurtpreventieteam en de WhatsApp-groepen houden het dorp veilig; inbraken blijven laag.",
                "woninginbraak_per_1000_woningen",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "woonomgeving",
                "Een verzorgde dorpskern",
                "De Brink en de dorpskern schoon en aantrekkelijk houden, met de dorpsraad.",
                "rapportcijfer_leefbaarheid",
                "meldingen_openbare_ruimte_per_1000_inwoners",
            ),
        ),
    ),
    12: Profiel(  # Buitenhoven
        vast=_keys("wijkschouw spreekuur_wijkagent whatsapp preventieadvies veiligheidsschouw"),
        keuze=_keys(
            "burgernet donkere_dagen buurtpreventieteam workshop_verdacht_gedrag burendag bewonersinitiatieven schoonmaak parkbeheer ouderen"
        ),
        opgaven=(
            _o(
                "veiligheid",
                "Inbraken in vrijstaande woningen voorkomen",
                "Vrijstaande woningen aan de bosrand zijn gewild bij inbrekers; preventieadvies, verlichting en "
                "alerte buren.",
                "woninginbraak_per_1000_woningen",
                "onveilig_in_buurt_pct",
            ),
            _o(
                "woonomgeving",
                "Groen en buitenplaatsen: toezicht en beheer",
                "Het bos, de heide en de landgoederen verzorgd houden; vernielingen snel herstellen.",
                "rapportcijfer_leefbaarheid",
                "vernieling_per_1000_inwoners",
            ),
            _o(
                "samenleven",
                "Betrokken buren in een uitgestrekte wijk",
                "In een wijk met grote afstanden elkaar toch kennen en helpen.",
                "sociale_cohesie",
            ),
        ),
    ),
}

# ------------------------------------------------------------------------------------------ texts

LOOPT = (
    "Loopt volgens planning.",
    "Loopt; de tussenstand is besproken in het leefbaarheidsteam.",
    "Loopt goed, bewoners doen actief mee.",
    "Loopt; de partners stemmen elke acht weken af.",
)
AFGEROND = (
    "Afgerond volgens plan.",
    "Afgerond; de evaluatie is besproken in het leefbaarheidsteam.",
    "Afgerond; de resultaten zijn teruggekoppeld aan de bewoners.",
    "Afgerond, met meer deelnemers dan verwacht.",
)
NIET_GESTART = (
    "Start staat gepland in {maand}.",
    "Nog niet gestart; de voorbereiding begint na de zomer.",
    "Gepland vanaf {maand}; de afspraken met de partners zijn gemaakt.",
)
VERTRAAGD = (  # (explanation, the partner it needs among the activity's partners; None: any activity)
    ("Vertraagd door langdurige ziekte van de trekker; een inhaalslag is gepland.", None),
    ("Vertraagd: minder vrijwilligers dan verwacht.", "buurtpreventie"),
    ("Vertraagd: minder vrijwilligers dan verwacht; het welzijnswerk werft bij.", "welzijn"),
    ("Vertraagd; wacht op een vergunning van de gemeente.", "gemeente"),
    ("Vertraagd door krappe bezetting bij de politie (inzet elders in de gemeente).", "politie"),
    ("Vertraagd: de offerte viel hoger uit dan begroot en wordt opnieuw aangevraagd.", None),
    ("Vertraagd; de planning is afgestemd op de onderhoudswerkzaamheden van de corporatie.", "corporatie"),
    ("Vertraagd door personeelswisselingen bij de trekker.", None),
)
VERTRAAGD_H2 = (
    "Niet afgerond; loopt door in {volgend}.",
    "Niet helemaal gehaald; het restant is opgenomen in het jaarplan {volgend}.",
    "Vertraagd: de uitvoering schoof door de drukte in het najaar op; afronding in het eerste kwartaal.",
)
VERVALLEN = (
    "Vervallen: te weinig belangstelling van bewoners.",
    "Vervallen; opgegaan in een andere activiteit van het jaarplan.",
    "Vervallen na overleg in het leefbaarheidsteam: geen capaciteit bij de trekker.",
)
CORONA_VERTRAAGD = "Vertraagd door de coronamaatregelen; bijeenkomsten zijn uitgesteld."
CORONA_VERVALLEN = "Vervallen vanwege de coronamaatregelen."
VRAGEN = (
    "Kan de regiegroep helpen bij het vinden van een vaste locatie voor het spreekuur?",
    "Wij vragen de regiegroep de inzet van de wijkagent in de zomerperiode te borgen.",
    "Graag een besluit over het leefbaarheidsbudget voor volgend jaar, zodat we tijdig kunnen plannen.",
    "Kan de gemeente de actiepunten uit de schouw sneller oppakken? Een deel staat al maanden open.",
    "Wij vragen de regiegroep om de cijfers van de monitor per buurt in het volgende leefbaarheidsteam toe te "
    "lichten.",
    "Hoe zorgen we dat de partners ook bij ziekte vervanging sturen naar het leefbaarheidsteam?",
)
ADVIEZEN = (
    "De regiegroep adviseert de stuurgroep het jaarplan {jaar} van {wijk} vast te stellen. Het plan sluit goed "
    "aan op de opgaven uit het wijkprogramma.",
    "Positief advies. Aandachtspunt: de inzet van de politie is hoger dan vorig jaar; graag bij de "
    "halfjaarrapportage toelichten of de uren gehaald worden.",
    "De regiegroep adviseert vast te stellen. Maak bij de rapportage zichtbaar wat de activiteiten opleveren "
    "voor de indicatoren uit de monitor.",
    "Positief advies, met het verzoek de activiteiten van het buurtpreventieteam en de WhatsApp-groepen goed "
    "op elkaar af te stemmen.",
    "De regiegroep adviseert het plan vast te stellen. De verdeling van de uren over de partners is "
    "evenwichtig; het budget past binnen het leefbaarheidsbudget {jaar}.",
)

# ------------------------------------------------------------------------------------------ the plan model


@dataclass
class Act:
    """An activity as the seeder plans it (converted to a jaarplannen.Activity when it is written)."""

    code: str
    key: str
    titel: str
    omschrijving: str
    effect: str
    thema: str
    indicatoren: tuple[str, ...]
    trekker: str
    uren: dict[str, float]
    start: int
    eind: int
    budget: float | None
    opgave: int | None  # index in the wijk's opgaven
    bijeenkomst: bool
    buurt: str

    def copy(self, **changes: object) -> Act:
        return replace(self, **{"uren": dict(self.uren), **changes})

    def activity(self, opgave_ids: dict[int, int]) -> Activity:
        return Activity(
            code=self.code,
            titel=self.titel,
            thema=self.thema,
            trekker=self.trekker,
            start_maand=self.start,
            eind_maand=self.eind,
            omschrijving=self.omschrijving,
            opgave_id=None if self.opgave is None else opgave_ids[self.opgave],
            indicatoren=self.indicatoren,
            uren=dict(self.uren),
            budget=self.budget,
            verwacht_effect=self.effect,
        )


@dataclass
class WijkInfo:
    code: str
    naam: str
    profiel: Profiel
    buurten: tuple[str, ...]
    opgave_ids: dict[int, int] = field(default_factory=dict)  # index -> id, filled when written


class _Seeder:
    def __init__(self, eng: Engine, wijken: Sequence[tuple[str, str]], seed: int) -> None:
        self.eng = eng
        self.rng = random.Random(seed)
        self.events: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        catalogue = load_catalogue()
        self.indicator_theme = {code: ind["thema"] for code, ind in catalogue["indicatoren"].items()}
        by_code = {w.code: w for w in demo_data.WIJKEN}
        self.wijken: list[WijkInfo] = []
        for code, naam in wijken:
            w = by_code.get(code)
            profiel = PROFIELEN.get(w.nr, ALGEMEEN) if w else ALGEMEEN
            self.wijken.append(WijkInfo(code, naam, profiel, tuple(w.buurten) if w else (naam,)))
        hotspot = next(b for b in demo_data.buurten() if b.code == demo_data.HOTSPOT_BUURT)
        self.hotspot_wijk = hotspot.wijk.code
        self.hotspot_buurt = hotspot.naam
        self.hotspot_maanden = sorted(demo_data.HOTSPOT)
        self.hotspot_jaren = sorted({y for y, _ in self.hotspot_maanden})
        self.plans: dict[tuple[str, int], list[Act]] = {}  # the activities as adopted (after amendments)
        self.dropped: dict[tuple[str, int], set[str]] = {}
        self.counts = {"opgaven": 0, "jaarplannen": 0, "activiteiten": 0, "rapportages": 0, "correcties": 0}
        # the plans' stories (wijk, year), chosen in build()
        self.sent_back_by_regiegroep: tuple[str, int] | None = None
        self.sent_back_by_stuurgroep: tuple[str, int] | None = None
        self.drop_plan: tuple[str, int] | None = None

    # -------------------------------------------------------------------------------- scheduling

    def at(self, when: dt.datetime, fn: Callable[[], None]) -> None:
        self.events.append((when, len(self.events), fn))

    def run(self) -> None:
        for _, _, fn in sorted(self.events, key=lambda e: (e[0], e[1])):
            fn()

    def moment(self, day: dt.date, lo: int = 9, hi: int = 16) -> dt.datetime:
        return _utc(day, self.rng.randint(lo, hi), self.rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)))

    # -------------------------------------------------------------------------------- wijkprogramma

    def opgaven(self, w: WijkInfo) -> None:
        for i, o in enumerate(w.profiel.opgaven):
            indicatoren = tuple(c for c in o.indicatoren if self.indicator_theme.get(c) == o.thema)
            opgave = Opgave(None, w.code, o.thema, o.titel, o.omschrijving, indicatoren, volgorde=i + 1)
            when = self.moment(_workday(dt.date(2019, 9, 2) + dt.timedelta(days=self.rng.randint(0, 25))))

            def write(opgave: Opgave = opgave, i: int = i, when: dt.datetime = when) -> None:
                w.opgave_ids[i] = jp.save_opgave(self.eng, ACTOR, opgave, nu=when)

            self.at(when + dt.timedelta(minutes=i), write)
            self.counts["opgaven"] += 1

    # -------------------------------------------------------------------------------- activities

    def fill(self, text: str, w: WijkInfo, buurt: str) -> str:
        return text.replace("{wijk}", w.naam).replace("{buurt}", buurt)

    def make_act(self, w: WijkInfo, key: str, code: str, buurt: str | None = None) -> Act:
        m = MAATREGELEN[key]
        rng = self.rng
        buurt = buurt or rng.choice(w.buurten)
        scale = rng.uniform(0.8, 1.25)
        uren: dict[str, float] = {}
        for partner, base in m.uren.items():
            uren[partner] = float(max(10, 5 * round(base * scale * rng.uniform(0.9, 1.1) / 5)))
        top = max(v for p, v in uren.items() if p != m.trekker) if len(uren) > 1 else 0.0
        if uren[m.trekker] <= top:
            uren[m.trekker] = top + 10
        start, eind = m.maanden
        if (start, eind) != (1, 12):
            shift = rng.choice((-1, 0, 0, 1))
            start, eind = max(1, start + shift), min(12, eind + shift)
        budget = None
        if m.budget is not None:
            budget = (
                float(m.budget)
                if m.budget <= 500
                else float(50 * round(m.budget * rng.uniform(0.8, 1.2) / 50))
            )
        indicatoren = tuple(c for c in m.indicatoren if self.indicator_theme.get(c) == m.thema)
        return Act(
            code=code,
            key=key,
            titel=self.fill(m.titel, w, buurt),
            omschrijving=self.fill(m.omschrijving, w, buurt),
            effect=self.fill(m.effect, w, buurt),
            thema=m.thema,
            indicatoren=indicatoren,
            trekker=m.trekker,
            uren=uren,
            start=start,
            eind=eind,
            budget=budget,
            opgave=self.opgave_for(w, m.thema, indicatoren),
            bijeenkomst=m.bijeenkomst,
            buurt=buurt,
        )

    @staticmethod
    def opgave_for(w: WijkInfo, thema: str, indicatoren: tuple[str, ...]) -> int | None:
        best, score = None, -1
        for i, o in enumerate(w.profiel.opgaven):
            if o.thema == thema and len(set(o.indicatoren) & set(indicatoren)) > score:
                best, score = i, len(set(o.indicatoren) & set(indicatoren))
        return best

    def choose(self, w: WijkInfo, jaar: int, include: Sequence[str] = ()) -> list[Act]:
        """The activities of one year: the wijk's fixed measures, its story measures and a draw from its
        pool, 9-13 in all, coded A01... in the wijk's own order."""
        p = w.profiel
        keys = list(dict.fromkeys([*p.vast, *p.extra.get(jaar, ()), *include]))
        target = self.rng.randint(9, 13)
        pool = [k for k in p.keuze if k not in keys]
        extra = self.rng.sample(pool, min(len(pool), max(0, target - len(keys))))
        order = {k: i for i, k in enumerate([*p.vast, *p.keuze, *MAATREGELEN])}
        chosen = sorted(dict.fromkeys([*keys, *extra]), key=lambda k: order[k])[:14]
        return [self.make_act(w, k, f"A{i:02d}") for i, k in enumerate(chosen, start=1)]

    # -------------------------------------------------------------------------------- writing plans

    def save(
        self, w: WijkInfo, jaar: int, acts: list[Act], when: dt.datetime, reden: str | None = None
    ) -> None:
        snapshot = [a.copy() for a in acts]

        def write() -> None:
            jp.save_activities(
                self.eng,
                ACTOR,
                w.code,
                jaar,
                [a.activity(w.opgave_ids) for a in snapshot],
                reden=reden,
                nu=when,
            )

        self.at(when, write)

    def step(
        self,
        w: WijkInfo,
        jaar: int,
        van: str,
        naar: str,
        when: dt.datetime,
        toelichting: str = "",
        vergaderdatum: dt.date | None = None,
    ) -> None:
        def write() -> None:
            if naar == "vastgesteld" and vergaderdatum is not None:  # a decision of a stuurgroep meeting
                meeting = stuurgroep_meeting(self.eng, vergaderdatum, when)
                sturing.adopt_plan(self.eng, ACTOR, w.code, jaar, meeting, nu=when)
                return
            jp.transition(self.eng, ACTOR, w.code, jaar, van, naar, toelichting, vergaderdatum, nu=when)

        self.at(when, write)

    def advice(self, w: WijkInfo, jaar: int) -> str:
        return self.rng.choice(ADVIEZEN).format(jaar=jaar, wijk=w.naam)

    def plan_year(self, w: WijkInfo, jaar: int, late: bool) -> None:
        rng = self.rng
        y0 = jaar - 1
        regie_dec1 = _nth_weekday(y0, 12, TUE, 1)
        stuur_dec = _nth_weekday(y0, 12, THU, 2)
        regie_dec3 = _nth_weekday(y0, 12, TUE, 3)
        stuur_jan = _last_weekday(jaar, 1, THU)
        regie_jan = _nth_weekday(jaar, 1, TUE, 2)
        stuur_feb = _nth_weekday(jaar, 2, THU, 2)
        include = ("jop",) if (w.code, jaar) == self.drop_plan else ()
        acts = self.choose(w, jaar, include)
        first = acts
        story = None
        if (w.code, jaar) == self.sent_back_by_regiegroep:
            # the first version lacks the story's new measures; the revision adds them with the next codes
            story = "regiegroep"
            held = set(w.profiel.extra.get(jaar, ()))
            ordered = [a for a in acts if a.key not in held] + [a for a in acts if a.key in held]
            acts = [a.copy(code=f"A{i:02d}") for i, a in enumerate(ordered, start=1)]
            first = acts[: len(acts) - len([a for a in acts if a.key in held])]
        elif (w.code, jaar) == self.sent_back_by_stuurgroep:
            # the first version asks for more police hours than the basisteam can give
            story = "stuurgroep"
            first = [a.copy() for a in acts]
            for a in first:
                if "politie" in a.uren:
                    a.uren["politie"] = float(5 * round(a.uren["politie"] * 1.4 / 5))
                    if a.trekker != "politie" and a.uren["politie"] >= a.uren[a.trekker]:
                        a.uren["politie"] = a.uren[a.trekker] - 5
        concept = _workday(dt.date(y0, 10, 1) + dt.timedelta(days=rng.randint(0, 35)))
        if late:
            concept = _workday(dt.date(y0, 10, 20) + dt.timedelta(days=rng.randint(0, 30)))
        self.save(w, jaar, first, self.moment(concept))
        if late:
            ingediend = _workday(regie_dec1 + dt.timedelta(days=rng.randint(1, 8)))
            self.step(w, jaar, "concept", "ingediend", self.moment(ingediend))
            self.step(w, jaar, "ingediend", "advies", _utc(regie_dec3, 16, 30), self.advice(w, jaar))
            self.step(w, jaar, "advies", "vastgesteld", _utc(stuur_jan, 17), vergaderdatum=stuur_jan)
        else:
            ingediend = _workday(concept + dt.timedelta(days=rng.randint(5, 16)))
            self.step(w, jaar, "concept", "ingediend", self.moment(ingediend))
            if story == "regiegroep":
                self.step(
                    w,
                    jaar,
                    "ingediend",
                    "concept",
                    _utc(regie_dec1, 16, 45),
                    f"De regiegroep stuurt het plan terug naar het leefbaarheidsteam. De overlastmeldingen bij de "
                    f"corporatie en de huurachterstand in {w.naam} stijgen sinds begin 2020, maar het plan bevat "
                    f"daar geen gerichte activiteit voor. Graag aanvullen (vroegsignalering huurachterstand, "
                    f"afspraken per portiek) en opnieuw indienen.",
                )
                self.save(w, jaar, acts, self.moment(regie_dec1 + dt.timedelta(days=8)))
                self.step(w, jaar, "concept", "ingediend", self.moment(regie_dec1 + dt.timedelta(days=9)))
                self.step(
                    w,
                    jaar,
                    "ingediend",
                    "advies",
                    _utc(regie_jan, 16, 30),
                    "De regiegroep adviseert het aangevulde plan vast te stellen: de vroegsignalering van "
                    "huurachterstand en de portiekgesprekken sluiten aan op de opgaven. Graag in de "
                    "halfjaarrapportage per portiek laten zien wat er bereikt is.",
                )
                self.step(w, jaar, "advies", "vastgesteld", _utc(stuur_feb, 17), vergaderdatum=stuur_feb)
            elif story == "stuurgroep":
                self.step(w, jaar, "ingediend", "advies", _utc(regie_dec1, 16, 30), self.advice(w, jaar))
                asked = sum(a.uren.get("politie", 0.0) for a in first)
                self.step(
                    w,
                    jaar,
                    "advies",
                    "concept",
                    _utc(stuur_dec, 17, 15),
                    f"De stuurgroep stelt het plan nog niet vast: de gevraagde inzet van de politie ({asked:.0f} "
                    f"uur) past niet in de capaciteit van het basisteam voor {jaar}. Graag de uren herverdelen en "
                    f"het plan in januari opnieuw voorleggen.",
                )
                self.save(w, jaar, acts, self.moment(_workday(dt.date(jaar, 1, 6))))
                self.step(w, jaar, "concept", "ingediend", self.moment(_workday(dt.date(jaar, 1, 9))))
                self.step(
                    w,
                    jaar,
                    "ingediend",
                    "advies",
                    _utc(regie_jan + dt.timedelta(days=7), 16, 30),
                    "De regiegroep adviseert het herziene plan vast te stellen: de politie-uren passen nu binnen "
                    "de afgesproken capaciteit.",
                )
                self.step(w, jaar, "advies", "vastgesteld", _utc(stuur_feb, 17), vergaderdatum=stuur_feb)
            else:
                self.step(w, jaar, "ingediend", "advies", _utc(regie_dec1, 16, 30), self.advice(w, jaar))
                self.step(w, jaar, "advies", "vastgesteld", _utc(stuur_dec, 17), vergaderdatum=stuur_dec)
        self.counts["jaarplannen"] += 1
        self.plans[(w.code, jaar)] = acts
        self.dropped[(w.code, jaar)] = set()

    # -------------------------------------------------------------------------------- amendments

    def amend_drop(self, w: WijkInfo, jaar: int) -> None:
        """An activity dropped after adoption (the JOP location is sold), its hours moved to jongerenwerk."""
        acts = self.plans[(w.code, jaar)]
        jop = next((a for a in acts if a.key == "jop"), None)
        if jop is None:
            return
        kept = [a.copy() for a in acts if a is not jop]
        moved = jop.uren.get("welzijn", 0.0)
        for a in kept:
            if a.key == "jongerenwerk":
                a.uren["welzijn"] = a.uren.get("welzijn", 0.0) + moved
        reden = (
            f"De gemeente heeft de beoogde plek voor de jongerenontmoetingsplek verkocht voor woningbouw; de JOP "
            f"vervalt voor {jaar} en een nieuwe locatie wordt in het jaarplan {jaar + 1} meegenomen. De uren van "
            f"het welzijnswerk ({moved:.0f}) gaan naar het ambulant jongerenwerk."
        )
        self.save(w, jaar, kept, self.moment(_workday(dt.date(jaar, 3, 17))), reden=reden)
        self.plans[(w.code, jaar)] = kept
        self.dropped[(w.code, jaar)] = {jop.code}

    def amend_hotspot(self, w: WijkInfo, jaar: int) -> None:
        """The hotspot aanpak added after the burglary wave (from the second month of the spike)."""
        months = [m for y, m in self.hotspot_maanden if y == jaar]
        if len(months) < 2:
            return
        known = months[1]  # the wave is clear once the second month's figures are in
        start = min(12, known + 1)
        acts = self.plans[(w.code, jaar)]
        codes = {a.code for a in acts}
        n = 1
        while f"A{n:02d}" in codes:
            n += 1
        new = self.make_act(w, "hotspot", f"A{n:02d}", buurt=self.hotspot_buurt)
        new.start, new.eind = start, 12
        counts = [demo_data.HOTSPOT[(jaar, m)] for m in months[:2]]
        names = [jp.MONTHS[m - 1] for m in months[:2]]
        reden = (
            f"Inbraakgolf in {self.hotspot_buurt}: {counts[0]} woninginbraken in {names[0]} en {counts[1]} in "
            f"{names[1]} {jaar}, tegen gewoonlijk minder dan één per maand. Op verzoek van de regiegroep wordt de "
            f"hotspotaanpak uit het plan van aanpak woninginbraken direct ingezet."
        )
        amended = [*acts, new]
        self.save(w, jaar, amended, self.moment(_workday(dt.date(jaar, start, 14))), reden=reden)
        self.plans[(w.code, jaar)] = amended

    # -------------------------------------------------------------------------------- 2026

    def plan_next(self, w: WijkInfo, stand: str) -> None:
        rng = self.rng
        jaar = NIEUW_JAAR
        acts = self.choose(w, jaar)
        if stand == "concept":
            concept = _workday(dt.date(2025, 8, 18) + dt.timedelta(days=rng.randint(0, 24)))
        else:
            concept = _workday(dt.date(2025, 6, 16) + dt.timedelta(days=rng.randint(0, 35)))
        self.save(w, jaar, acts, self.moment(concept))
        if stand in ("ingediend", "advies"):
            ingediend = _workday(dt.date(2025, 8, 25) + dt.timedelta(days=rng.randint(0, 8)))
            self.step(w, jaar, "concept", "ingediend", self.moment(ingediend))
        if stand == "advies":
            self.step(w, jaar, "ingediend", "advies", _utc(dt.date(2025, 9, 9), 16, 30), self.advice(w, jaar))
        self.counts["jaarplannen"] += 1
        self.counts["activiteiten"] += len(acts)

    # -------------------------------------------------------------------------------- status reports

    def statuses(self, w: WijkInfo, jaar: int) -> dict[int, list[StatusLine]]:
        """Both half-years' lines for one adopted plan (only the active activities are reported)."""
        rng = self.rng
        out: dict[int, list[StatusLine]] = {1: [], 2: []}
        corona = jaar == 2020
        troubled = w.code == demo_data.VERSLECHTEREND and 2021 <= jaar <= 2023
        for a in self.plans[(w.code, jaar)]:
            if a.code in self.dropped[(w.code, jaar)]:
                continue
            months = a.eind - a.start + 1
            h1_months = max(0, min(a.eind, 6) - a.start + 1)
            expected = h1_months / months
            p_vertraagd = 0.08 + (0.10 if troubled else 0.0) + (0.07 if jaar == 2025 else 0.0)
            p_vervallen = 0.01
            if corona and a.bijeenkomst and a.start <= 6:
                p_vertraagd, p_vervallen = 0.35, 0.25
            elif corona:
                p_vertraagd += 0.10
            # first half-year
            if a.start > 6:
                s1, pct1 = "niet gestart", 0
                t1 = rng.choice(NIET_GESTART).replace("{maand}", jp.MONTHS[a.start - 1])
            else:
                r = rng.random()
                if r < p_vervallen:
                    s1, pct1 = "vervallen", 5 * rng.randint(0, 3)
                    t1 = CORONA_VERVALLEN if corona and a.bijeenkomst else rng.choice(VERVALLEN)
                elif r < p_vervallen + p_vertraagd:
                    s1 = "vertraagd"
                    pct1 = 5 * round(expected * 100 * rng.uniform(0.2, 0.6) / 5)
                    t1 = CORONA_VERTRAAGD if corona and a.bijeenkomst else self.delay_reason(a.uren)
                elif a.eind <= 6:
                    s1, pct1 = "afgerond", 100
                    t1 = self.note(a, MAATREGELEN[a.key].afgerond or AFGEROND)
                else:
                    s1 = "loopt"
                    pct1 = min(95, max(5, 5 * round(expected * 100 * rng.uniform(0.85, 1.15) / 5)))
                    t1 = self.note(a, MAATREGELEN[a.key].loopt or LOOPT)
            # second half-year
            volgend = str(jaar + 1)
            if s1 == "vervallen":
                s2, pct2, t2 = (
                    "vervallen",
                    pct1,
                    "Vervallen in het eerste halfjaar (zie de vorige rapportage).",
                )
            elif s1 == "afgerond":
                s2, pct2, t2 = "afgerond", 100, "Afgerond in het eerste halfjaar."
            else:
                r = rng.random()
                p2_vervallen = 0.02 + (0.08 if corona and a.bijeenkomst else 0.0)
                p2_vertraagd = 0.07 + (0.25 if s1 == "vertraagd" else 0.0) + (0.08 if troubled else 0.0)
                if r < p2_vervallen:
                    s2, pct2 = "vervallen", max(pct1, 5 * rng.randint(2, 8))
                    t2 = CORONA_VERVALLEN if corona and a.bijeenkomst else rng.choice(VERVALLEN)
                elif r < p2_vervallen + p2_vertraagd:
                    s2, pct2 = "vertraagd", 5 * rng.randint(10, 18)
                    t2 = rng.choice(VERTRAAGD_H2).replace("{volgend}", volgend)
                else:
                    s2, pct2 = "afgerond", 100
                    t2 = self.note(a, MAATREGELEN[a.key].afgerond or AFGEROND)
            out[1].append(StatusLine(a.code, s1, pct1, t1, self.spent(a, 1, s1)))
            out[2].append(StatusLine(a.code, s2, pct2, t2, self.spent(a, 2, s2, s1)))
        return out

    def delay_reason(self, partners: dict[str, float]) -> str:
        return self.rng.choice([text for text, p in VERTRAAGD if p is None or p in partners])

    def note(self, a: Act, texts: Sequence[str]) -> str:
        text = self.rng.choice(texts)
        n, m = self.rng.randint(3, 9), self.rng.randint(2, 6)
        return text.replace("{n}", str(n)).replace("{m}", str(m)).replace("{buurt}", a.buurt)

    def spent(self, a: Act, half: int, status: str, before: str | None = None) -> dict[str, float]:
        """Hours spent in a half-year: the planned hours of that half's months, with noise by status."""
        months = a.eind - a.start + 1
        in_half = max(0, min(a.eind, 6) - a.start + 1) if half == 1 else max(0, a.eind - max(a.start, 7) + 1)
        share = in_half / months
        if status == "niet gestart" or (status == "vervallen" and before == "vervallen"):
            return {}
        lo, hi = {"vervallen": (0.1, 0.4), "vertraagd": (0.4, 0.8)}.get(status, (0.8, 1.2))
        if half == 2 and before == "vertraagd" and status != "vervallen":
            lo, hi = lo + 0.1, hi + 0.3  # catching up
        out = {}
        for partner, planned in a.uren.items():
            x = round(planned * share * self.rng.uniform(lo, hi))
            if x > 0:
                out[partner] = float(x)
        return out

    def narrative(self, w: WijkInfo, jaar: int, half: int, lines: list[StatusLine]) -> tuple[str, str, str]:
        rng = self.rng
        titles = {a.code: a.titel for a in self.plans[(w.code, jaar)]}
        good = [ln for ln in lines if ln.status == ("afgerond" if half == 2 else "loopt")]
        good += [ln for ln in lines if half == 1 and ln.status == "afgerond"]
        picked = rng.sample(good, min(2, len(good)))
        goed = " ".join(f"{titles[ln.activiteit_code]}: {ln.toelichting}" for ln in picked)
        bad = [ln for ln in lines if ln.status in ("vertraagd", "vervallen")]
        niet_goed = " ".join(f"{titles[ln.activiteit_code]}: {ln.toelichting}" for ln in bad[:3])
        if not niet_goed:
            niet_goed = rng.choice(
                (
                    "Geen grote knelpunten.",
                    "Geen knelpunten in de uitvoering; de opkomst bij het leefbaarheidsteam kan beter.",
                    "Niets bijzonders; wel merken we dat de bezetting bij de partners krap is.",
                )
            )
        vragen = rng.choice(VRAGEN) if rng.random() < 0.6 else ""
        if jaar == 2020 and half == 1:
            niet_goed = (
                "Door de coronamaatregelen konden bijeenkomsten vanaf half maart niet doorgaan. " + niet_goed
            ).strip()
        if w.code == demo_data.VERSLECHTEREND and jaar >= 2021:
            niet_goed += (
                " De overlast en de huurachterstand in de portiekflats blijven stijgen; het team ziet meer "
                "meervoudige problemen achter de voordeur."
            )
            vragen = (
                "Wij vragen de regiegroep om extra capaciteit van welzijn en corporatie voor de Molenwijk. "
                + vragen
            ).strip()
        if w.code == demo_data.VERBETEREND and jaar >= 2022:
            goed += " Na de renovatie zijn er duidelijk minder meldingen van overlast en verloedering."
        if w.code == self.hotspot_wijk and jaar in self.hotspot_jaren:
            if half == 1:
                niet_goed = (
                    f"Het voorjaar stond in het teken van de inbraakgolf in {self.hotspot_buurt}; andere activiteiten "
                    f"kregen daardoor minder aandacht. " + niet_goed
                ).strip()
            else:
                goed += f" Sinds de zomer geen nieuwe piek in de woninginbraken in {self.hotspot_buurt}."
        return goed.strip() or "Alle activiteiten lopen volgens planning.", niet_goed.strip(), vragen

    def report(
        self,
        w: WijkInfo,
        jaar: int,
        half: int,
        lines: list[StatusLine],
        when: dt.datetime,
        via: str,
        texts: tuple[str, str, str],
        correctie: str | None = None,
    ) -> None:
        goed, niet_goed, vragen = texts

        def write() -> None:
            jp.submit_report(
                self.eng,
                ACTOR,
                w.code,
                jaar,
                half,
                lines,
                goed=goed,
                niet_goed=niet_goed,
                vragen=vragen,
                via=via,
                correctie_reden=correctie,
                vandaag=PEILDATUM,
                nu=when,
            )

        self.at(when, write)
        self.counts["correcties" if correctie else "rapportages"] += 1

    def submission_day(self, jaar: int, half: int, late: bool) -> dt.date:
        due = jp.due_from(jaar, half)
        last = jp.deadline(jaar, half, TERMIJN)
        if late:
            day = _workday(last + dt.timedelta(days=self.rng.randint(3, 30)))
            return min(day, _workday(PEILDATUM - dt.timedelta(days=4), forward=False))
        offset = int(self.rng.triangular(2, TERMIJN - 1, TERMIJN - 8))
        return max(due + dt.timedelta(days=1), _workday(due + dt.timedelta(days=offset), forward=False))

    # -------------------------------------------------------------------------------- the whole demo

    def build(self) -> None:
        rng = self.rng
        codes = [w.code for w in self.wijken]
        by_code = {w.code: w for w in self.wijken}

        def pick(preferred: str, avoid: Sequence[str] = ()) -> str:
            if preferred in by_code and preferred not in avoid:
                return preferred
            return next((c for c in codes if c not in avoid), codes[0])

        # the stories of the plans
        self.sent_back_by_regiegroep = (pick(demo_data.VERSLECHTEREND), 2021)
        self.sent_back_by_stuurgroep = (pick("WK999901", [self.sent_back_by_regiegroep[0]]), 2023)
        drop_wijk = pick("WK999902", [self.sent_back_by_regiegroep[0]])
        self.drop_plan = (drop_wijk, 2022)
        for w in self.wijken:
            self.opgaven(w)
        for jaar in JAREN:
            candidates = [
                c
                for c in codes
                if (c, jaar) not in (self.sent_back_by_regiegroep, self.sent_back_by_stuurgroep)
            ]
            late = set(rng.sample(candidates, min(len(candidates), rng.randint(1, 2))))
            for w in self.wijken:
                self.plan_year(w, jaar, w.code in late)
        self.amend_drop(by_code[drop_wijk], 2022)
        for jaar in self.hotspot_jaren:
            if self.hotspot_wijk in by_code and jaar in JAREN:
                self.amend_hotspot(by_code[self.hotspot_wijk], jaar)
        for key, acts in self.plans.items():  # a dropped activity stays in its plan (geschrapt)
            self.counts["activiteiten"] += len(acts) + len(self.dropped[key])
        # 2026 under way
        order = codes[:]
        rng.shuffle(order)
        n_concept = rng.randint(3, 4)
        stands = ["advies"] * 2 + ["ingediend"] * 2 + ["concept"] * n_concept
        for code, stand in zip(order, stands, strict=False):
            self.plan_next(by_code[code], stand)
        # status reports
        excel = {c: rng.random() < 0.35 for c in codes}
        missing = rng.choice(codes)
        halves = [(y, h) for y in JAREN for h in (1, 2) if (y, h) <= EERSTE_HALFJAAR_ONTBREEKT]
        corrections = dict(
            zip(
                [(2023, 2), (2024, 1)],
                rng.sample([c for c in codes if c != missing], min(2, len(codes) - 1)),
                strict=False,
            )
        )
        lines: dict[tuple[str, int, int], list[StatusLine]] = {}
        for w in self.wijken:
            for jaar in JAREN:
                both = self.statuses(w, jaar)
                for h in (1, 2):
                    lines[(w.code, jaar, h)] = both[h]
        self.ensure_delayed(lines, [c for c in codes if c != missing], *EERSTE_HALFJAAR_ONTBREEKT)
        for jaar, half in halves:
            filing = [c for c in codes if (jaar, half) != EERSTE_HALFJAAR_ONTBREEKT or c != missing]
            late = set(rng.sample(filing, min(len(filing), rng.randint(1, 2)))) if len(filing) > 1 else set()
            for code in filing:
                w = by_code[code]
                regels = lines[(code, jaar, half)]
                day = self.submission_day(jaar, half, code in late)
                when = self.moment(day)
                via = "excel" if rng.random() < (0.8 if excel[code] else 0.1) else "app"
                texts = self.narrative(w, jaar, half, regels)
                if corrections.get((jaar, half)) == code:
                    wrong, reason = self.mistake(regels)
                    self.report(w, jaar, half, wrong, when, via, texts)
                    fixed = self.moment(_workday(day + dt.timedelta(days=rng.randint(6, 20))))
                    self.report(
                        w, jaar, half, regels, max(fixed, when + dt.timedelta(hours=1)), via, texts, reason
                    )
                else:
                    self.report(w, jaar, half, regels, when, via, texts)

    def ensure_delayed(self, lines: dict, codes: Sequence[str], jaar: int, half: int, least: int = 3) -> None:
        """H1 2025 shows a few delayed activities (the demo's current half-year)."""
        current = [
            (c, i) for c in codes for i, ln in enumerate(lines[(c, jaar, half)]) if ln.status == "vertraagd"
        ]
        running = [
            (c, i) for c in codes for i, ln in enumerate(lines[(c, jaar, half)]) if ln.status == "loopt"
        ]
        for c, i in self.rng.sample(running, max(0, min(len(running), least - len(current)))):
            ln = lines[(c, jaar, half)][i]
            lines[(c, jaar, half)][i] = StatusLine(
                ln.activiteit_code,
                "vertraagd",
                max(0, ln.procent - 20),
                self.delay_reason(ln.uren),
                {p: float(round(h * 0.6)) for p, h in ln.uren.items() if round(h * 0.6) > 0},
            )

    def mistake(self, regels: list[StatusLine]) -> tuple[list[StatusLine], str]:
        """A first version with an error, and the reason of the correction."""
        welzijn = [i for i, ln in enumerate(regels) if ln.uren.get("welzijn")]
        if welzijn and self.rng.random() < 0.5:
            wrong = [
                StatusLine(
                    ln.activiteit_code,
                    ln.status,
                    ln.procent,
                    ln.toelichting,
                    {**ln.uren, "welzijn": ln.uren["welzijn"] * 2},
                )
                if i in welzijn
                else ln
                for i, ln in enumerate(regels)
            ]
            return wrong, (
                "De uren van de welzijnsorganisatie waren per abuis voor het hele jaar ingevuld in plaats van voor "
                "dit halfjaar."
            )
        done = [i for i, ln in enumerate(regels) if ln.status in ("afgerond", "loopt")] or [0]
        i = done[0]
        ln = regels[i]
        wrong = list(regels)
        wrong[i] = StatusLine(ln.activiteit_code, "vertraagd", max(0, ln.procent - 30), "Vertraagd.", ln.uren)
        return wrong, (
            f"Activiteit {ln.activiteit_code} stond per abuis op 'vertraagd'; de activiteit is volgens planning "
            f"uitgevoerd (status en toelichting aangepast)."
        )


# ------------------------------------------------------------------------------------------ entry points


def demo_wijken() -> list[tuple[str, str]]:
    """The demo municipality's wijken as (code, name)."""
    return [(w.code, w.naam) for w in demo_data.WIJKEN]


def seed_demo_plans(eng: Engine, wijken: Sequence[tuple[str, str]] | None = None, seed: int = 2019) -> dict:
    """Fill an empty records store with the demo's wijkprogramma's, jaarplannen and status reports.

    Does nothing when the store already has a jaarplan or an opgave (returns ``{"overgeslagen": True}``: a
    run that stopped half-way is not doubled); otherwise returns the counts of what was written (opgaven,
    jaarplannen, activiteiten, rapportages, correcties)."""
    wijken = list(wijken) if wijken is not None else demo_wijken()
    if jp.plan_years(eng) or any(jp.list_opgaven(eng, code, ook_vervallen=True) for code, _ in wijken):
        return {"overgeslagen": True}
    if not wijken:
        raise ValueError("geen wijken om jaarplannen voor te maken")
    jp.set_setting(eng, ACTOR, jp.SETTING_PEILDATUM, PEILDATUM.isoformat())
    jp.set_setting(eng, ACTOR, jp.SETTING_TERMIJN, str(TERMIJN))
    seeder = _Seeder(eng, wijken, seed)
    seeder.build()
    seeder.run()
    return {"overgeslagen": False, **seeder.counts}
