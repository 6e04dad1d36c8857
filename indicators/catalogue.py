"""The indicator catalogue (catalogue.yaml) and the settings it carries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
CATALOGUE = HERE / "catalogue.yaml"
SCHEMA = HERE / "catalogue.schema.json"
SETTING_KEYS = (
    "basisjaar",
    "doeljaar",
    "onderdrukking_drempel",
    "betrouwbaarheid",
    "marge",
    "fdr_matrix",
    "enquete_correlatie",
    "ontwerpeffect_standaard",
    "minimum_basisgebeurtenissen",
    "overdispersie_min_paren",
    "jaarvariatie_standaard",
    "hotspot_fdr",
    "hotspot_minimum",
    "hotspot_jaren",
    "hotspot_maanden",
)
FLOAT_SETTINGS = (
    "betrouwbaarheid",
    "marge",
    "fdr_matrix",
    "enquete_correlatie",
    "ontwerpeffect_standaard",
    "jaarvariatie_standaard",
    "hotspot_fdr",
)


@cache
def load_catalogue(path: Path = CATALOGUE) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Settings:
    basisjaar: int
    doeljaar: int
    onderdrukking_drempel: int
    betrouwbaarheid: float
    marge: float
    fdr_matrix: float
    enquete_correlatie: float
    ontwerpeffect_standaard: float
    minimum_basisgebeurtenissen: int
    overdispersie_min_paren: int
    jaarvariatie_standaard: float
    hotspot_fdr: float
    hotspot_minimum: int
    hotspot_jaren: int
    hotspot_maanden: int

    def __post_init__(self) -> None:
        problems = []
        if not 0 < self.betrouwbaarheid < 1:
            problems.append(
                f"betrouwbaarheid moet tussen 0 en 1 liggen (bijv. 0.95), niet {self.betrouwbaarheid}"
            )
        if not 0 < self.marge < 1:
            problems.append(f"marge moet tussen 0 en 1 liggen (bijv. 0.05 voor 5%), niet {self.marge}")
        for key in ("fdr_matrix", "hotspot_fdr"):
            if not 0 < getattr(self, key) < 1:
                problems.append(f"{key} moet tussen 0 en 1 liggen (bijv. 0.10), niet {getattr(self, key)}")
        if not 0 <= self.enquete_correlatie < 1:
            problems.append(
                f"enquete_correlatie moet tussen 0 en 1 liggen (bijv. 0.3), niet {self.enquete_correlatie}"
            )
        if self.ontwerpeffect_standaard < 1:
            problems.append(f"ontwerpeffect_standaard is minstens 1, niet {self.ontwerpeffect_standaard}")
        if self.jaarvariatie_standaard < 0:
            problems.append(f"jaarvariatie_standaard kan niet negatief zijn ({self.jaarvariatie_standaard})")
        if min(self.minimum_basisgebeurtenissen, self.overdispersie_min_paren) < 1:
            problems.append("minimum_basisgebeurtenissen en overdispersie_min_paren moeten minstens 1 zijn")
        if (
            min(self.onderdrukking_drempel, self.hotspot_minimum, self.hotspot_jaren, self.hotspot_maanden)
            < 1
        ):
            problems.append(
                "onderdrukking_drempel, hotspot_minimum, hotspot_jaren en hotspot_maanden moeten minstens 1 zijn"
            )
        if self.doeljaar <= self.basisjaar:
            problems.append("het doeljaar moet na het basisjaar liggen")
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def resolve(
        cls, overrides: dict[str, str] | None = None, catalogue: dict[str, Any] | None = None
    ) -> Settings:
        """Catalogue defaults, overridden by the database's meta.instellingen (see `wijkmonitor instellingen`)."""
        base = dict((catalogue or load_catalogue())["instellingen"])
        for key, value in (overrides or {}).items():
            if key in SETTING_KEYS and value not in (None, ""):
                base[key] = float(value) if key in FLOAT_SETTINGS else int(value)
        return cls(**{k: base[k] for k in SETTING_KEYS})


def semantic_errors(catalogue: dict[str, Any], known_variables: dict[str, set[str]]) -> list[str]:
    """Checks the JSON schema cannot express: themes exist, source variables exist, weights make sense."""
    errors = []
    themes = set(catalogue["themas"])
    for code, ind in catalogue["indicatoren"].items():
        if ind["thema"] not in themes:
            errors.append(f"{code}: onbekend thema {ind['thema']}")
        for role in ("teller", "noemer"):
            if role not in ind:
                continue
            bron, variables = ind[role]["bron"], ind[role]["variabelen"]
            missing = set(variables) - known_variables.get(bron, set())
            if missing:
                errors.append(f"{code}: {role} gebruikt onbekende variabelen van {bron}: {sorted(missing)}")
        if ind["onzekerheid"] in ("binomiaal", "gemiddelde") and "noemer" in ind:
            errors.append(f"{code}: een enquêtecijfer ({ind['onzekerheid']}) heeft geen noemer")
        if ind["onzekerheid"] in ("binomiaal", "gemiddelde") and len(ind["teller"]["variabelen"]) != 1:
            errors.append(f"{code}: een enquêtecijfer komt uit precies één variabele")
        if ind["thema"] == "referentie" and ind["gewicht"] != 0:
            errors.append(
                f"{code}: een externe referentie telt niet mee in de samengestelde score (gewicht 0)"
            )
    weighted = [c for c, ind in catalogue["indicatoren"].items() if ind["gewicht"] > 0]
    if len(weighted) > 127:  # fct_composites keeps the contributing indicators as bits of a HUGEINT
        errors.append(f"hoogstens 127 indicatoren tellen mee in de samengestelde score, niet {len(weighted)}")
    s = catalogue["instellingen"]
    if s["doeljaar"] <= s["basisjaar"]:
        errors.append("doeljaar moet na het basisjaar liggen")
    return errors
