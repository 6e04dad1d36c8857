"""The open-data export: indicator values, the indicator catalogue and the areas as a Frictionless Data Package.

:func:`write_opendata` writes four files into a directory (see ``docs/opendata.md``):

* ``indicatoren.csv``: one row per (gebied_code, indicator, jaar), long format, with disclosure control
  applied as in :func:`indicators.export.export_frame` (primary and secondary suppression from
  ``marts.fct_onderdrukking``). A suppressed cell is empty, never a text such as "< 5", and the boolean column
  ``onderdrukt`` says whether the row withholds anything (its own count, or its baseline-year count and so
  everything derived from the baseline). Primary and secondary suppression look alike on purpose.
* ``indicatoren-catalogus.csv``: one row per indicator of ``marts.dim_indicator`` (title, unit, theme, ...).
* ``gebieden.csv``: every area of ``marts.dim_gebied`` with its level and parent area.
* ``datapackage.json``: the Data Package descriptor (Frictionless v1: Data Package, Tabular Data Resource,
  Table Schema, CSV Dialect) with types, keys and foreign keys, so ``frictionless validate`` checks the files.

Unlike :func:`indicators.export.write_csv` (Dutch spreadsheets: ``;``, decimal comma, BOM) this follows the
open-data convention: ``,`` separated, ``.`` decimal point, UTF-8 without BOM, a header row, ``\\n`` line
ends. Numbers are written with at most six decimals, trailing zeros dropped, never in exponent notation
(``0.00001``, ``12.5``, ``1200``); null is an empty cell; booleans are ``true``/``false``. Rows are sorted by
their key, so two exports of the same warehouse are byte-identical.

Formula injection: a free-text cell (an area name, a title, a remark) that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading apostrophe, as in the spreadsheet export; codes and
identifiers are never changed (they are checked when loaded). The package description says so. In practice
no CBS area name or catalogue text starts with such a character.

Only ``marts.*`` is read, so ``con`` may be a read-only connection to a warehouse file or an in-memory
connection whose ``marts`` tables are views over Parquet files. The marts hold no build timestamp today, so
:func:`write_opendata` writes ``created`` only when the caller passes the build time (a timestamp of the export
itself would make two exports of one warehouse differ).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from indicators.export import FORMULA_START, export_frame

INDICATORS_CSV = "indicatoren.csv"
CATALOGUE_CSV = "indicatoren-catalogus.csv"
AREAS_CSV = "gebieden.csv"
DESCRIPTOR = "datapackage.json"
NIVEAUS = ("gemeente", "wijk", "buurt")
DECIMALS = 6
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Naamsvermelding 4.0 Internationaal",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
DIALECT = {
    "delimiter": ",",
    "lineTerminator": "\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "header": True,
}

# Numeric columns of indicatoren.csv; every one of them is empty in a row whose own count is suppressed.
INDICATOR_NUMBERS = [
    "waarde",
    "teller",
    "noemer",
    "ci_laag",
    "ci_hoog",
    "basiswaarde",
    "score",
    "score_laag",
    "score_hoog",
]
INDICATOR_FIELDS = [
    "gebied_code",
    "gebied_naam",
    "niveau",
    "indicator",
    "jaar",
    *INDICATOR_NUMBERS,
    "verandering",
    "onderdrukt",
    "opmerking",
]
CATALOGUE_FIELDS = [
    "indicator",
    "titel",
    "eenheid",
    "thema",
    "thema_titel",
    "polariteit",
    "soort",
    "bron",
    "noemer_bron",
    "uitleg",
]
AREA_FIELDS = ["gebied_code", "gebied_naam", "niveau", "bovenliggend_code", "gemeente_code"]
# Free-text columns that get the formula guard (identifiers and codes never do).
TEXT_FIELDS = {"gebied_naam", "opmerking", "titel", "eenheid", "thema_titel", "uitleg"}


@dataclass(frozen=True)
class OpenDataResult:
    """What :func:`write_opendata` wrote."""

    paths: tuple[Path, ...]  # indicatoren.csv, indicatoren-catalogus.csv, gebieden.csv, datapackage.json
    rows: int  # rows of indicatoren.csv
    suppressed: int  # rows of indicatoren.csv with onderdrukt = true


def write_opendata(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    niveaus: tuple[str, ...] = NIVEAUS,
    created: dt.datetime | None = None,
) -> OpenDataResult:
    """Write the open-data package of the warehouse behind ``con`` (read-only, ``marts`` only) into ``out_dir``.

    ``niveaus``: the area levels of indicatoren.csv (gebieden.csv always lists every area, so that every
    parent code resolves). ``created``: when the warehouse was built (e.g. its publication time from
    ``meta``, which this module does not read), written as the package's ``created``; without it the
    descriptor has none. Never pass the current time: two exports of one warehouse must be identical.
    """
    niveaus = tuple(niveaus)
    unknown = [n for n in niveaus if n not in NIVEAUS]
    if unknown or not niveaus:
        raise ValueError(f"onbekend niveau {unknown!r}; kies uit {', '.join(NIVEAUS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = con.execute("SELECT basisjaar, drempel FROM marts.dim_instellingen").fetchone()
    basisjaar, drempel = int(settings[0]), int(settings[1])

    areas = _areas(con)
    catalogue = _catalogue(con)
    indicators = _indicators(con, niveaus, areas)

    paths = (
        _write_csv(indicators, INDICATOR_FIELDS, out_dir / INDICATORS_CSV),
        _write_csv(catalogue, CATALOGUE_FIELDS, out_dir / CATALOGUE_CSV),
        _write_csv(areas, AREA_FIELDS, out_dir / AREAS_CSV),
    )
    descriptor = package_descriptor(
        niveaus=niveaus,
        basisjaar=basisjaar,
        drempel=drempel,
        gemeenten=sorted(areas.loc[areas["niveau"] == "gemeente", "gebied_naam"].dropna()),
        jaren=sorted({int(j) for j in indicators["jaar"]}),
        created=created,
    )
    descriptor_path = out_dir / DESCRIPTOR
    descriptor_path.write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n"
    )
    return OpenDataResult(
        paths=(*paths, descriptor_path),
        rows=len(indicators),
        suppressed=int(indicators["onderdrukt"].sum()),
    )


# --- the tables ---------------------------------------------------------------------------------------------


def _areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT gebied_code, gebied_naam, niveau,
               CASE niveau WHEN 'buurt' THEN wijk_code WHEN 'wijk' THEN gemeente_code END AS bovenliggend_code,
               CASE WHEN niveau <> 'gemeente' THEN gemeente_code END AS gemeente_code
        FROM marts.dim_gebied
        ORDER BY gebied_code
        """
    ).df()


def _catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT indicator, titel, eenheid, thema, thema_titel, polariteit, soort,
               teller_bron AS bron, noemer_bron, uitleg
        FROM marts.dim_indicator
        ORDER BY indicator
        """
    ).df()


def _indicators(
    con: duckdb.DuckDBPyConnection, niveaus: tuple[str, ...], areas: pd.DataFrame
) -> pd.DataFrame:
    """export_frame's indicator rows (disclosure control applied) with the area name, sorted by key."""
    df = export_frame(con, "indicators", niveaus)
    names = areas.set_index("gebied_code")["gebied_naam"]
    df["gebied_naam"] = df["gebied_code"].map(names)
    df["onderdrukt"] = df["onderdrukt"].astype(bool)
    df = df.sort_values(["gebied_code", "indicator", "jaar"], kind="mergesort").reset_index(drop=True)
    return df[INDICATOR_FIELDS]


# --- writing ------------------------------------------------------------------------------------------------


def format_number(value: Any) -> str:
    """A number as open data: at most six decimals, no trailing zeros, no exponent; empty for null."""
    if value is None or value is pd.NA:
        return ""
    x = float(value)
    if math.isnan(x) or math.isinf(x):
        return ""
    text = f"{x:.{DECIMALS}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def guard_formula(text: str) -> str:
    """A free-text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(column: str, value: Any, numeric: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or (hasattr(value, "dtype") and value.dtype == bool):
        return "true" if value else "false"
    if numeric:
        return format_number(value)
    text = str(value)
    return guard_formula(text) if column in TEXT_FIELDS else text


def _write_csv(df: pd.DataFrame, columns: list[str], path: Path) -> Path:
    numeric = {
        c: pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in columns
    }
    integer = {c for c in columns if pd.api.types.is_integer_dtype(df[c])}
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=",", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for row in df[columns].itertuples(index=False, name=None):
            writer.writerow(
                [
                    str(int(v)) if c in integer and not pd.isna(v) else _cell(c, v, numeric[c])
                    for c, v in zip(columns, row, strict=True)
                ]
            )
    return path


# --- the descriptor -----------------------------------------------------------------------------------------


def _field(name: str, type_: str, title: str, description: str, **constraints: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": type_, "title": title, "description": description}
    if type_ == "year":
        field["format"] = "default"
    if constraints:
        field["constraints"] = constraints
    return field


def _resource(name: str, path: str, title: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": dict(DIALECT),
        "schema": schema,
    }


def package_descriptor(
    *,
    niveaus: tuple[str, ...],
    basisjaar: int,
    drempel: int,
    gemeenten: list[str],
    jaren: list[int],
    created: dt.datetime | None = None,
) -> dict[str, Any]:
    """The Data Package descriptor (Frictionless v1) of the three CSV files."""
    levels = list(NIVEAUS)
    area_code = (
        "CBS-code van het gebied (GMxxxx, WKxxxxxx of BUxxxxxxxx) in de gebiedsindeling van de monitor."
    )
    suppression = (
        f"Geheimhouding: een cijfer dat berust op een aantal van 1 tot en met {drempel - 1} gebeurtenissen "
        f"(drempel {drempel}) wordt niet gepubliceerd (primaire onderdrukking), en evenmin een cijfer waaruit "
        "zo'n aantal door optellen of aftrekken terug te rekenen is, bijvoorbeeld via de buurten van een wijk "
        "of via een totaal van misdrijven (secundaire onderdrukking). Beide zien er hetzelfde uit: de cel is "
        "leeg en de kolom onderdrukt is true. Is het cijfer van het basisjaar van een rij onderdrukt, dan "
        "ontbreekt ook alles wat van het basisjaar is afgeleid (basiswaarde, score en de marge daarvan, "
        "verandering)."
    )
    format_note = (
        "Bestanden: CSV met komma als scheidingsteken, punt als decimaalteken, UTF-8 zonder BOM, een kopregel; "
        f"getallen met ten hoogste {DECIMALS} decimalen; een lege cel is geen waarde. Een tekstcel (naam, titel, "
        "opmerking) die met =, +, -, @, een tab of een regelterugloop begint, krijgt een apostrof ervoor, zodat "
        "een spreadsheet haar niet als formule uitvoert; codes worden nooit veranderd."
    )
    where = f" ({', '.join(gemeenten)})" if gemeenten else ""
    years = f"{jaren[0]}–{jaren[-1]}" if jaren else "geen jaren"
    description = (
        f"Leefbaarheidsindicatoren van de Wijkmonitor{where} per gebied ({', '.join(niveaus)}) en jaar "
        f"({years}), met een 95%-interval en een score ten opzichte van het basisjaar {basisjaar} (= 100; "
        "hoger is altijd beter). " + suppression + " " + format_note
    )

    indicators_schema = {
        "fields": [
            _field("gebied_code", "string", "Gebiedscode", area_code, required=True),
            _field("gebied_naam", "string", "Gebied", "Naam van het gebied."),
            _field(
                "niveau",
                "string",
                "Niveau",
                "Gebiedsniveau: gemeente, wijk of buurt.",
                required=True,
                enum=[n for n in levels if n in niveaus],
            ),
            _field(
                "indicator",
                "string",
                "Indicator",
                "Code van de indicator; titel en eenheid staan in indicatoren-catalogus.csv.",
                required=True,
            ),
            _field("jaar", "year", "Jaar", "Het jaar waarover het cijfer gaat.", required=True),
            _field(
                "waarde",
                "number",
                "Waarde",
                "De waarde van de indicator in het jaar, in de eenheid van de indicator (kolom eenheid in "
                "indicatoren-catalogus.csv: bijvoorbeeld per 1.000 inwoners, procent, rapportcijfer of "
                "schaalscore). Leeg als het cijfer onderdrukt is of ontbreekt.",
            ),
            _field(
                "teller",
                "number",
                "Teller",
                "De teller: het aantal (gebeurtenissen, meldingen, huurders ...) waarop de waarde berust; bij "
                "een enquête het gemiddelde of percentage zelf, bij de Leefbaarometer de score. Kan een breuk "
                "zijn als cijfers van een andere gebiedsindeling zijn omgerekend.",
            ),
            _field(
                "noemer",
                "number",
                "Noemer",
                "De omvang waartegen de teller is afgezet (inwoners, woningen, huurwoningen ...): waarde = "
                "teller / noemer × 1.000 bij 'per 1.000 inwoners', × 100 bij procent. Leeg zonder noemer.",
                minimum=0,
            ),
            _field(
                "ci_laag",
                "number",
                "Ondergrens 95%-interval",
                "Ondergrens van het 95%-interval van de waarde.",
            ),
            _field(
                "ci_hoog",
                "number",
                "Bovengrens 95%-interval",
                "Bovengrens van het 95%-interval van de waarde.",
            ),
            _field(
                "basiswaarde",
                "number",
                f"Waarde {basisjaar}",
                f"De waarde in het basisjaar {basisjaar}, in de eenheid van de indicator.",
            ),
            _field(
                "score",
                "number",
                f"Score ({basisjaar} = 100)",
                f"De waarde ten opzichte van het basisjaar {basisjaar} (= 100), met de richting verwerkt: hoger "
                "is altijd beter, welke indicator het ook is. Geen eenheid.",
            ),
            _field(
                "score_laag", "number", "Ondergrens score", "Ondergrens van het 95%-interval van de score."
            ),
            _field(
                "score_hoog", "number", "Bovengrens score", "Bovengrens van het 95%-interval van de score."
            ),
            _field(
                "verandering",
                "string",
                f"Oordeel t.o.v. {basisjaar}",
                f"Statistisch oordeel over de verandering ten opzichte van {basisjaar}: beter, gelijk of "
                "slechter (leeg als er geen oordeel mogelijk is of het onderdrukt is).",
                enum=["beter", "gelijk", "slechter"],
            ),
            _field(
                "onderdrukt",
                "boolean",
                "Onderdrukt",
                "true als de rij cijfers achterhoudt om geheimhouding (de lege cellen van de rij); "
                "zie de beschrijving van het pakket.",
                required=True,
            ),
            _field(
                "opmerking", "string", "Opmerking", "Kanttekeningen bij het cijfer (bijv. onvolledig jaar)."
            ),
        ],
        "missingValues": [""],
        "primaryKey": ["gebied_code", "indicator", "jaar"],
        "foreignKeys": [
            {"fields": "gebied_code", "reference": {"resource": "gebieden", "fields": "gebied_code"}},
            {
                "fields": "indicator",
                "reference": {"resource": "indicatoren-catalogus", "fields": "indicator"},
            },
        ],
    }
    catalogue_schema = {
        "fields": [
            _field("indicator", "string", "Indicator", "Code van de indicator.", required=True, unique=True),
            _field("titel", "string", "Titel", "Titel van de indicator.", required=True),
            _field(
                "eenheid",
                "string",
                "Eenheid",
                "De eenheid van waarde, ci_laag, ci_hoog en basiswaarde in indicatoren.csv.",
                required=True,
            ),
            _field(
                "thema", "string", "Thema", "Code van het thema waartoe de indicator behoort.", required=True
            ),
            _field("thema_titel", "string", "Thema (titel)", "Titel van het thema."),
            _field(
                "polariteit",
                "string",
                "Richting",
                "Of een hogere of een lagere waarde beter is (de score houdt er rekening mee).",
                required=True,
                enum=["hoger_is_beter", "lager_is_beter"],
            ),
            _field(
                "soort",
                "string",
                "Soort",
                "objectief (registratie) of subjectief (enquête).",
                enum=["objectief", "subjectief"],
            ),
            _field("bron", "string", "Bron", "De bron van de teller (politie, corporatie, enquete ...)."),
            _field(
                "noemer_bron", "string", "Bron noemer", "De bron van de noemer; leeg als er geen noemer is."
            ),
            _field("uitleg", "string", "Uitleg", "Wat de indicator meet."),
        ],
        "missingValues": [""],
        "primaryKey": ["indicator"],
    }
    areas_schema = {
        "fields": [
            _field("gebied_code", "string", "Gebiedscode", area_code, required=True, unique=True),
            _field("gebied_naam", "string", "Gebied", "Naam van het gebied."),
            _field(
                "niveau",
                "string",
                "Niveau",
                "Gebiedsniveau: gemeente, wijk of buurt.",
                required=True,
                enum=levels,
            ),
            _field(
                "bovenliggend_code",
                "string",
                "Bovenliggend gebied",
                "Code van het gebied waarin dit gebied ligt (de wijk van een buurt, de gemeente van een wijk); "
                "leeg bij een gemeente.",
            ),
            _field(
                "gemeente_code", "string", "Gemeente", "Code van de gemeente; leeg bij een gemeente zelf."
            ),
        ],
        "missingValues": [""],
        "primaryKey": ["gebied_code"],
        "foreignKeys": [
            {"fields": "bovenliggend_code", "reference": {"resource": "", "fields": "gebied_code"}},
        ],
    }
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "wijkmonitor-indicatoren",
        "title": f"Wijkmonitor: leefbaarheid per gebied en jaar{where}",
        "description": description,
        "keywords": ["leefbaarheid", "wijken", "buurten", "veiligheid", "indicatoren"],
        "licenses": [dict(LICENSE)],
    }
    if created is not None:
        stamp = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
        package["created"] = (
            stamp.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        )
    package["resources"] = [
        _resource(
            "indicatoren",
            INDICATORS_CSV,
            "Indicatoren per gebied en jaar",
            "Eén rij per gebied, indicator en jaar. " + suppression,
            indicators_schema,
        ),
        _resource(
            "indicatoren-catalogus",
            CATALOGUE_CSV,
            "Catalogus van de indicatoren",
            "Eén rij per indicator: titel, eenheid, thema, richting, bron en uitleg.",
            catalogue_schema,
        ),
        _resource(
            "gebieden",
            AREAS_CSV,
            "Gebieden",
            "Alle gebieden van de monitor (gemeente, wijken, buurten) met hun bovenliggende gebied.",
            areas_schema,
        ),
    ]
    return package
