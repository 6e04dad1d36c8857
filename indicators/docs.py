"""docs/indicators.md, generated from the catalogue: ``render_indicators_md(catalogue, variables)``.

The committed document must equal this function's output (``wijkmonitor docs`` writes it, ``wijkmonitor docs
--check`` and ``tests/test_docs.py`` compare). It is Dutch: it is read by the partners' staff.

The catalogue names its inputs by source (``bron``) and variable; their titles, units and kinds (stroom /
voorraad) belong to the ETL's variable dimension (``etl.sources.variable_dimension``, the rows of
``marts.dim_variabele``). The engine may not import the ETL, so the caller passes those rows in. What neither
the catalogue nor the variable dimension holds (how each source is described, how to read an indicator) is
the fixed text below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# How each source is introduced after "bron <naam>" (the delivering source, as in the catalogue's `bron`).
BRONNEN = {
    "politie": "CBS/Politie, geregistreerde misdrijven",
    "bevolking": "CBS Kerncijfers wijken en buurten of gemeentelijke bevolkingscijfers",
    "corporatie": "woningcorporatie",
    "welzijn": "welzijnsorganisatie",
    "gemeente": "meldingen bij de gemeente",
    "enquete": "bewonersenquête",
    "leefbaarometer": "Leefbaarometer 3.0, ministerie van BZK",
}
# Sources delivered once a year: a stock (voorraad) is that one value, not the last of several periods.
JAARBRONNEN = {"bevolking"}

ONZEKERHEID = {
    "poisson": "de teller is een telling (Poisson); exact betrouwbaarheidsinterval, toets op de verhouding van "
    "de cijfers",
    "binomiaal": "enquêtepercentage met n respondenten; Wilson-interval, toets op twee proporties",
    "gemiddelde": "enquêtegemiddelde met n en standaardafwijking; interval gemiddelde ± z·sd/√n, toets op twee "
    "gemiddelden",
    "geen": "geen bekende onzekerheid; geen interval, elke verandering telt als beter of slechter",
}

INLEIDING = """\
# Indicatoren

`indicators/catalogue.yaml` is de bron van waarheid: dit document is daaruit gegenereerd en beschrijft dezelfde
indicatoren in woorden. Verschillen deze twee, dan geldt de catalogus (en is dit document verouderd). De formules
staan in [methodology.md](methodology.md); de rekenregels in `indicators/sql/` en `indicators/stats.py`.
"""

LEESWIJZER = """\
Zo lees je een indicator:

- **teller / noemer**: de bron en de variabelen; staan er meer variabelen, dan worden ze opgeteld. Een *stroom*
  (gebeurtenissen, zoals meldingen) wordt over het kalenderjaar opgeteld; van een *voorraad* (een stand, zoals het
  aantal huurwoningen) telt de laatste periode van het jaar.
- **waarde** = teller / noemer × factor. Enquête-indicatoren hebben geen noemer: de waarde is het geleverde
  gemiddelde of percentage.
- **gewicht**: het gewicht in de samengestelde score (0 = telt niet mee).
- **vergelijkbaar vanaf**: het eerste jaar van de reeks (eerdere cijfers worden nooit vergeleken).
- **methodebreuken**: een verandering van meetmethode. Met een omrekenfactor worden waarden van vóór de breuk
  omgerekend; zonder factor is een vergelijking over de breuk "niet vergelijkbaar" (geen score, geen oordeel).
- **normering**: indeling in banden; elke band loopt van zijn ondergrens tot de ondergrens van de volgende band.
  De normering verandert de score en het oordeel (beter / gelijk / slechter) niet.
"""


def getal(x: float) -> str:
    """A number as Dutch text: 1000 -> '1.000', 6.5 -> '6,5', 2.0 -> '2'."""
    x = round(float(x), 9)  # 0.95 * 100 is 94.99999999999999
    sign, x = ("-" if x < 0 else ""), abs(x)
    whole, _, frac = f"{x:.9f}".rstrip("0").partition(".")
    return sign + f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")


def _woorden(code: str) -> str:
    return code.replace("_", " ")


def _instellingen(s: Mapping[str, Any]) -> str:
    drempel = int(s["onderdrukking_drempel"])
    return (
        f"Instellingen in de catalogus: basisjaar (nulmeting) **{s['basisjaar']}**, doeljaar **{s['doeljaar']}**, "
        f"onderdrukkingsdrempel **{drempel}** (aantallen 1 tot en met {drempel - 1} worden onderdrukt), "
        f"betrouwbaarheid **{getal(float(s['betrouwbaarheid']) * 100)}%**, marge van het doel "
        f"**{getal(float(s['marge']) * 100)}%** (gehaald = aantoonbaar hoogstens zoveel onder het basisjaar), "
        f"minimaal **{int(s['minimum_basisgebeurtenissen'])}** gebeurtenissen in het basisjaar om mee te tellen in "
        "de samengestelde score. Per database kunnen ze anders zijn ingesteld (`wijkmonitor instellingen`).\n"
    )


def _overzicht(catalogue: Mapping[str, Any]) -> str:
    rows = [
        "## Overzicht",
        "",
        "| indicator | code | thema | soort | polariteit | onzekerheid | niveaus | gewicht |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for code, ind in catalogue["indicatoren"].items():
        rows.append(
            f"| [{ind['titel']}](#{code}) | `{code}` | {catalogue['themas'][ind['thema']]} | {ind['soort']} | "
            f"{_woorden(ind['polariteit'])} | {ind['onzekerheid']} | {', '.join(ind['niveaus'])} | "
            f"{getal(ind['gewicht'])} |"
        )
    return "\n".join(rows) + "\n"


def _variabele(bron: str, code: str, var: Mapping[str, Any]) -> str:
    """One input variable: its title and how a year's value is made from the delivered periods."""
    if bron == "politie":  # crime codes read as '`1.1.1` Diefstal/inbraak woning'
        return f"`{code}` {var['titel']} ({_soort(bron, var)})"
    if bron == "leefbaarometer":
        return f"`{code}`: {var['titel']} (één score per editie, zoals gepubliceerd)"
    if bron == "enquete":
        sd = " en de standaardafwijking sd" if var["eenheid"] == "gemiddelde" else ""
        return (
            f"`{code}`: {var['titel']} (eenheid {var['eenheid']}; één meting per jaar, met het aantal "
            f"respondenten n{sd})"
        )
    return f"`{code}`: {var['titel']} (eenheid {var['eenheid']}; {_soort(bron, var)})"


def _soort(bron: str, var: Mapping[str, Any]) -> str:
    if var["soort"] == "stroom":
        return "stroom: opgeteld over het kalenderjaar"
    if bron in JAARBRONNEN:
        return "voorraad: één stand per jaar zoals geleverd"
    return "voorraad: stand in de laatste periode van het jaar"


def _onderdeel(
    rol: str, spec: Mapping[str, Any], variables: Mapping[tuple[str, str], Mapping[str, Any]]
) -> list[str]:
    bron = spec["bron"]
    if bron not in BRONNEN:
        raise ValueError(f"bron {bron!r} heeft geen beschrijving in indicators/docs.py (BRONNEN)")
    som = ", som van" if len(spec["variabelen"]) > 1 else ""
    lines = [f"- **{rol}**: bron {bron} ({BRONNEN[bron]}){som}:"]
    for code in spec["variabelen"]:
        var = variables.get((bron, code))
        if var is None:
            raise ValueError(f"{rol} van bron {bron}: variabele {code!r} staat niet in de variabelendimensie")
        lines.append(f"  - {_variabele(bron, code, var)}")
    if spec.get("min_variabelen"):
        lines.append("  - min (afgetrokken, zodat niets dubbel telt):")
        for code in spec["min_variabelen"]:
            var = variables.get((bron, code))
            if var is None:
                raise ValueError(
                    f"{rol} van bron {bron}: variabele {code!r} staat niet in de variabelendimensie"
                )
            lines.append(f"    - {_variabele(bron, code, var)}")
    return lines


def _methodebreuken(breuken: list[Mapping[str, Any]]) -> str:
    if not breuken:
        return "geen"
    delen = []
    for b in breuken:
        if "omrekenfactor" in b:
            delen.append(
                f"{b['jaar']}: {b['omschrijving']}; waarden van vóór {b['jaar']} × {getal(b['omrekenfactor'])} "
                "zijn vergelijkbaar met die erna"
            )
        else:
            delen.append(
                f"{b['jaar']}: {b['omschrijving']}; geen omrekenfactor: niet vergelijkbaar over de breuk"
            )
    return "; ".join(delen)


def _normering(banden: list[Mapping[str, Any]]) -> str:
    if not banden:
        return "geen"
    delen = []
    for band, volgende in zip(banden, [*banden[1:], None], strict=True):
        tot = f"tot {getal(volgende['ondergrens'])}" if volgende else "en hoger"
        delen.append(f"{band['label']}: {getal(band['ondergrens'])} {tot}")
    return "; ".join(delen)


def _indicator(
    code: str,
    ind: Mapping[str, Any],
    themas: Mapping[str, str],
    variables: Mapping[tuple[str, str], Mapping[str, Any]],
) -> str:
    lines = [
        f'<a id="{code}"></a>',
        "",
        f"## {ind['titel']}",
        "",
        f"- **code**: `{code}`",
        f"- **uitleg**: {' '.join(ind['uitleg'].split())}",
        f"- **thema**: {themas[ind['thema']]} (`{ind['thema']}`)",
        f"- **soort**: {ind['soort']}",
        f"- **eenheid**: {ind['eenheid']}",
        *_onderdeel("teller", ind["teller"], variables),
    ]
    if "noemer" in ind:
        lines += _onderdeel("noemer", ind["noemer"], variables)
        factor = getal(ind.get("factor", 1))
        lines.append(f"- **factor**: {factor} (waarde = teller / noemer × {factor})")
    else:
        lines += ["- **noemer**: geen (de waarde is het geleverde cijfer)", "- **factor**: geen"]
    gewicht = getal(ind["gewicht"])
    if ind["gewicht"] == 0:
        gewicht += " (telt niet mee in de samengestelde score)"
    lines += [
        f"- **polariteit**: {_woorden(ind['polariteit'])} (`{ind['polariteit']}`)",
        f"- **onzekerheidsmodel**: {ind['onzekerheid']}: {ONZEKERHEID[ind['onzekerheid']]}",
        f"- **niveaus**: {', '.join(ind['niveaus'])}",
        f"- **gewicht**: {gewicht}",
        f"- **vergelijkbaar vanaf**: {ind['vergelijkbaar_vanaf']}",
        f"- **methodebreuken**: {_methodebreuken(ind.get('methodebreuken', []))}",
        f"- **normering**: {_normering(ind.get('normering', []))}",
    ]
    return "\n".join(lines) + "\n"


def render_indicators_md(catalogue: Mapping[str, Any], variables: Iterable[Mapping[str, Any]]) -> str:
    """docs/indicators.md from the catalogue and the variable dimension (rows with bron, variabele, titel,
    eenheid, soort: ``etl.sources.variable_dimension()``, the rows of ``marts.dim_variabele``)."""
    per_key = {(v["bron"], v["variabele"]): v for v in variables}
    parts = [INLEIDING, _instellingen(catalogue["instellingen"]), LEESWIJZER, _overzicht(catalogue)]
    parts += [
        _indicator(code, ind, catalogue["themas"], per_key) for code, ind in catalogue["indicatoren"].items()
    ]
    return "\n".join(parts)
