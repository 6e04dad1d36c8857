"""The registered source kinds: how to recognise a delivery, map its columns, check it and store it raw.

One module per kind, named after its staging model (``etl/sql/staging/stg_<kind>__*.sql``): politie,
bevolking (CBS KWB or the plain long file), partner (corporatie, welzijn, gemeente, enquete in one long
template), leefbaarometer, gebieden (GeoJSON or a CBS code list). Each holds how the kind is recognised, its
required and optional columns, its column plan and its check frames. ``base`` holds what they share (options,
plan, registries, column matching), ``checks`` the shared check frames. This module picks the kind's module.
"""

from __future__ import annotations

import re

import duckdb

from etl.reader import Delivery, base_name
from etl.sources import bevolking, gebieden, leefbaarometer, omzetting, partner, politie
from etl.sources.base import (
    CODE_REGEX,
    INTEGER_REGEX,
    LEVEL_PREFIX,
    NUMBER_REGEX,
    PERIOD_EXAMPLE,
    PERIOD_REGEX,
    REGISTRY,
    Options,
    Plan,
    SourceError,
    crime_codes,
    kwb_tables,
    listed,
    match_columns,
    q,
    variable_registry,
)
from etl.sources.bevolking import kwb_year
from etl.sources.checks import NAME_REGEX, NAME_RULE, column_frame, names_frame
from etl.sources.partner import partner_label
from etl.validation import Frame

__all__ = [
    "CODE_REGEX",
    "INTEGER_REGEX",
    "KIND_FOR_SOURCE_OPTION",
    "LEVEL_PREFIX",
    "NAME_REGEX",
    "NAME_RULE",
    "NUMBER_REGEX",
    "OPTIONAL",
    "PERIOD_EXAMPLE",
    "PERIOD_REGEX",
    "REGISTRY",
    "REQUIRED",
    "Options",
    "Plan",
    "SourceError",
    "build_frames",
    "crime_codes",
    "detect_kind",
    "kwb_tables",
    "kwb_year",
    "missing_columns",
    "partner_label",
    "plan_delivery",
    "q",
    "variable_dimension",
    "variable_registry",
]

# The modules by kind; this order is also the order of REQUIRED and OPTIONAL.
KINDS = {m.KIND: m for m in (politie, bevolking, partner, leefbaarometer, gebieden, omzetting)}
KIND_FOR_SOURCE_OPTION = {"politie", "bevolking", "partner", "leefbaarometer", "gebieden", "omzetting"}
REQUIRED = {(kind, variant): cols for kind, m in KINDS.items() for variant, cols in m.REQUIRED.items()}
OPTIONAL = {(kind, variant): cols for kind, m in KINDS.items() for variant, cols in m.OPTIONAL.items()}

# How a delivery is recognised from its column names (CBS suffixes and case removed), tried in this order
# after GeoJSON (always gebieden). The first rule that matches wins, so the order is part of the behaviour:
# e.g. a file that fits both the partner template and the bevolking long file is a partner file.
DETECTION = (
    ("politie", "cbs-politie", politie.is_cbs_politie),
    ("bevolking", "cbs-kwb", bevolking.is_cbs_kwb),
    ("partner", "lang", partner.is_lang),
    ("bevolking", "lang", bevolking.is_lang),
    ("leefbaarometer", "lbm3", leefbaarometer.is_lbm3),
    ("gebieden", "cbs-codelijst", gebieden.is_cbs_codelijst),
    ("omzetting", "omzettingstabel", omzetting.is_omzetting),
)


def detect_kind(delivery: Delivery) -> tuple[str, str]:
    """(kind, variant) from the columns; raises SourceError when the shape is unknown or known to be unreadable."""
    if gebieden.is_geojson(delivery):
        return "gebieden", "geojson"
    names = {base_name(c) for c in delivery.columns}
    refusal = unreadable_export(delivery, names)
    if refusal:
        raise SourceError(refusal)
    for kind, variant, recognises in DETECTION:
        if recognises(names):
            return kind, variant
    raise SourceError(
        "onbekend bestandsformaat: de kolommen (" + listed(delivery.columns, 12) + ") passen bij geen enkele "
        "bron. Een bestand wordt herkend aan zijn kolomkoppen, bijvoorbeeld bron;gebied_code;periode;variabele;"
        "waarde voor een partnerbestand of SoortMisdrijf, WijkenEnBuurten, Perioden voor politiecijfers. "
        "Gebruik het sjabloon (wijkmonitor template) of zie docs/data-formats.md."
    )


# StatLine's table view, downloaded: column labels as on screen ("Wijken en buurten", "Perioden") and topics
# with their unit ("Geregistreerde misdrijven (aantal)", "Aantal inwoners (aantal)"); areas by name, not code.
_STATLINE_DIMENSIONS = {"wijken en buurten", "soort misdrijf", "perioden", "regio's", "plaatsen", "onderwerp"}
_STATLINE_TOPIC = re.compile(r"\S.* \([^()]+\)")
_CODE_COLUMNS = {"wijkenenbuurten", "soortmisdrijf", "gebied_code", "bron", "bu_code", "wk_code", "gm_code"}


def _is_statline_table(names: set[str]) -> bool:
    if names & _CODE_COLUMNS:
        return False
    dimensions = names & _STATLINE_DIMENSIONS
    topics = [n for n in names if _STATLINE_TOPIC.fullmatch(n)]
    return bool(dimensions and topics) or len(dimensions) >= 2


def _statline_refusal(delivery: Delivery, names: set[str]) -> str:
    said = (
        f"dit is een download van een tabel zoals StatLine hem op het scherm toont (kolommen "
        f"{listed(delivery.columns, 4)}): de kolommen hebben hun schermnaam en de gebieden staan er met hun naam "
        "in, niet met hun CBS-code. Zo'n bestand kan niet gelezen worden. "
    )
    if any("misdrijf" in n or "misdrijven" in n for n in names):
        return said + (
            "Lever de politiecijfers zoals de open-data-API van CBS ze geeft: de 'TypedDataSet' (OData) van tabel "
            "47018NED (per jaar) of 47022NED (per maand), met de kolommen SoortMisdrijf, WijkenEnBuurten, "
            "Perioden en GeregistreerdeMisdrijven_1, bijvoorbeeld met het R-pakket cbsodataR (cbs_download_data). "
            "Zie docs/data-formats.md."
        )
    if "wijken en buurten" in names or any(n.startswith("aantal inwoners") for n in names):
        return said + (
            "Lever de Kerncijfers wijken en buurten zoals de open-data-API van CBS ze geeft: de 'TypedDataSet' "
            "(OData) van de tabel van dat jaar (bijv. 84583NED voor 2019), met de kolommen WijkenEnBuurten, "
            "AantalInwoners_5, … (download de volledige dataset, niet de tabelweergave), bijvoorbeeld met het "
            "R-pakket cbsodataR (cbs_download_data). Zie docs/data-formats.md."
        )
    return said + (
        "Lever de tabel zoals de open-data-API van CBS hem geeft (de 'TypedDataSet', OData, met kolommen als "
        "WijkenEnBuurten en Perioden). Zie docs/data-formats.md."
    )


def unreadable_export(delivery: Delivery, names: set[str]) -> str | None:
    """Why a known export that cannot be read is refused, and which export to use instead; None for others.

    Tried before DETECTION: a Leefbaarometer 2.0 file with an ``lbm`` column would pass for 3.0 otherwise."""
    if leefbaarometer.is_lbm2(names):
        return leefbaarometer.lbm2_refusal(delivery.columns)
    if _is_statline_table(names):
        return _statline_refusal(delivery, names)
    if politie.is_extract_without_dimensions(names):
        return politie.extract_refusal(names)
    return None


def missing_columns(delivery: Delivery, kind: str, variant: str) -> list[str]:
    found = match_columns(delivery, REQUIRED[(kind, variant)])
    return [c for c in REQUIRED[(kind, variant)] if c not in found]


def plan_delivery(delivery: Delivery, opts: Options) -> Plan:
    plan = _plan(delivery, opts)
    if plan.variant != "geojson":
        plan.idents = {name: delivery.ident(label) for name, label in plan.columns.items()}
    return plan


def _plan(delivery: Delivery, opts: Options) -> Plan:
    if opts.source and opts.source not in KIND_FOR_SOURCE_OPTION:
        raise SourceError(
            f"onbekende bron '{opts.source}'; kies uit {', '.join(sorted(KIND_FOR_SOURCE_OPTION))}"
        )
    kind, variant = detect_kind(delivery)
    if opts.source and opts.source != kind:
        raise SourceError(
            f"{delivery.path.name}: --source {opts.source} opgegeven, maar de kolommen horen bij "
            f"bron '{kind}' ({listed(delivery.columns, 8)})"
        )
    cols = match_columns(delivery, REQUIRED[(kind, variant)] + OPTIONAL[(kind, variant)])
    idents = {name: delivery.ident(label) for name, label in cols.items()}
    return KINDS[kind].plan(delivery, opts, variant, cols, idents)


def build_frames(con: duckdb.DuckDBPyConnection, delivery: Delivery, plan: Plan, view: str) -> list[Frame]:
    """The check frames of one delivery (the scope view ``view`` holds the rows that will be loaded)."""
    frames: list[Frame] = [column_frame(plan, REQUIRED[(plan.kind, plan.variant)])]
    if missing_columns(delivery, plan.kind, plan.variant):
        return frames  # nothing else can be checked without them
    frames.extend(KINDS[plan.kind].frames(con, plan, view))
    names = names_frame(plan, view)
    if names is not None:
        frames.append(names)
    return frames


def variable_dimension() -> list[dict[str, str]]:
    """Every variable a source can deliver, with how it behaves over time and across areas.

    soort: stroom (summed over the year) or voorraad (last period counts); aggregatie: som (counts add up
    from buurt to wijk to gemeente), gewogen_gemiddelde (survey means and percentages, weighted by n) or
    geen (the Leefbaarometer score is not additive).
    """
    return politie.variables() + bevolking.variables() + leefbaarometer.variables() + partner.variables()
