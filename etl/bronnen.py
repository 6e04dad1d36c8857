"""Which partner source (`bron`, as in the role ``partner:<bron>``) a delivery belongs to.

A partner data steward may deliver and see the loads of their own source only. The sources:

- ``politie``: police figures (CBS 47018NED/47022NED shapes);
- the partner template's sources (``corporatie``, ``welzijn``, ``gemeente``, ``enquete``): the ``bron``
  column of the file, shown in the load history as the registry's partner name; ``politie_week`` (the
  police's recent weekly figures) belongs to ``politie`` (the registry's ``rol``);
- ``gemeente``: the municipality's own area, population and crosswalk files (also a CBS KWB extract it
  delivers);
- ``leefbaarometer``: the Leefbaarometer scores.

Pure functions over the load history's ``bronsoort`` and ``partner`` columns (no database access).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

REGISTRY = Path(__file__).parent / "registry" / "variabelen.yaml"
# The partner source (a `partner:<bron>` role) that delivers each source kind; the partner template's kind
# names its sources in its `bron` column instead.
KIND_BRON = {
    "politie": "politie",
    "bevolking": "gemeente",
    "gebieden": "gemeente",
    "omzetting": "gemeente",
    "leefbaarometer": "leefbaarometer",
}


@cache
def partner_names() -> dict[str, str]:
    """Registry partner name -> the bron of its role (``woningcorporatie`` -> ``corporatie``; ``politie``, the
    partner of the weekly source ``politie_week``, -> ``politie``: the registry's ``rol``)."""
    data = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    return {spec["partner"]: spec.get("rol", bron) for bron, spec in data["bronnen"].items()}


@cache
def role_of(bron: str) -> str:
    """The ``partner:<bron>`` role that delivers a source of the template: its registry ``rol``, else itself
    (``politie_week`` -> ``politie``: the police's data steward delivers the weekly figures too)."""
    data = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    spec = data["bronnen"].get(bron)
    return spec.get("rol", bron) if spec else bron


def bronnen_of_load(bronsoort: object, partner: object) -> frozenset[str]:
    """The source(s) of one load; empty when unknown (a file rejected before it was recognised)."""
    if isinstance(bronsoort, str) and bronsoort in KIND_BRON:
        return frozenset({KIND_BRON[bronsoort]})
    if bronsoort == "partner" and isinstance(partner, str) and partner:
        names = partner_names()
        # partner_label joins the registry names of the file's sources with ", "; names themselves hold no ", "
        return frozenset(names[p] for p in partner.split(", ") if p in names)
    return frozenset()
