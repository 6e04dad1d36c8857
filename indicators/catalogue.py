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
    "hotspot_p",
    "hotspot_minimum",
    "hotspot_jaren",
    "hotspot_maanden",
)
FLOAT_SETTINGS = ("betrouwbaarheid", "hotspot_p")


@cache
def load_catalogue(path: Path = CATALOGUE) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Settings:
    basisjaar: int
    doeljaar: int
    onderdrukking_drempel: int
    betrouwbaarheid: float
    hotspot_p: float
    hotspot_minimum: int
    hotspot_jaren: int
    hotspot_maanden: int

    def __post_init__(self) -> None:
        problems = []
        if not 0 < self.betrouwbaarheid < 1:
            problems.append(
                f"betrouwbaarheid moet tussen 0 en 1 liggen (bijv. 0.95), niet {self.betrouwbaarheid}"
            )
        if not 0 < self.hotspot_p < 1:
            problems.append(f"hotspot_p moet tussen 0 en 1 liggen (bijv. 0.01), niet {self.hotspot_p}")
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
