"""The registered source kinds: how to recognise a delivery, map its columns, check it and store it raw.

One module per kind, named after its staging model (``etl/sql/staging/stg_<kind>__*.sql``): politie,
bevolking (CBS KWB or the plain long file), partner (corporatie, welzijn, gemeente, enquete in one long
template), leefbaarometer, gebieden (GeoJSON or a CBS code list). Each holds how the kind is recognised, its
required and optional columns, its column plan and its check frames. ``base`` holds what they share (options,
plan, registries, column matching), ``checks`` the shared check frames. This module picks the kind's module.
"""

from __future__ import annotations

import duckdb

from etl.reader import Delivery, base_name
from etl.sources import bevolking, gebieden, leefbaarometer, partner, politie
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
KINDS = {m.KIND: m for m in (politie, bevolking, partner, leefbaarometer, gebieden)}
KIND_FOR_SOURCE_OPTION = {"politie", "bevolking", "partner", "leefbaarometer", "gebieden"}
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
)


def detect_kind(delivery: Delivery) -> tuple[str, str]:
    """(kind, variant) from the columns; raises SourceError when the shape is unknown."""
    if gebieden.is_geojson(delivery):
        return "gebieden", "geojson"
    names = {base_name(c) for c in delivery.columns}
    for kind, variant, recognises in DETECTION:
        if recognises(names):
            return kind, variant
    raise SourceError(
        "onbekend bestandsformaat: de kolommen (" + listed(delivery.columns, 12) + ") passen bij geen enkele "
        "bron. Een bestand wordt herkend aan zijn kolomkoppen, bijvoorbeeld bron;gebied_code;periode;variabele;"
        "waarde voor een partnerbestand of SoortMisdrijf, WijkenEnBuurten, Perioden voor politiecijfers. "
        "Gebruik het sjabloon (wijkmonitor template) of zie docs/data-formats.md."
    )


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
