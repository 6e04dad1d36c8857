"""The indicator catalogue is data: it must match its schema and the sources it names."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from etl.sources import variable_dimension
from indicators.catalogue import SCHEMA, load_catalogue, semantic_errors

REQUIRED_CODES = {
    "misdrijven_per_1000_inwoners",
    "woninginbraak_per_1000_woningen",
    "geweld_per_1000_inwoners",
    "vernieling_per_1000_inwoners",
    "overlast_corporatie_per_100_huurwoningen",
    "huurachterstand_pct",
    "mutatiegraad_pct",
    "leegstand_pct",
    "meldingen_openbare_ruimte_per_1000_inwoners",
    "overlast_jeugd_per_1000_inwoners",
    "buurtbemiddeling_per_1000_huishoudens",
    "rapportcijfer_leefbaarheid",
    "sociale_cohesie",
    "onveilig_in_buurt_pct",
    "buurt_achteruitgegaan_pct",
}


def known_variables() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in variable_dimension():
        out.setdefault(row["bron"], set()).add(row["variabele"])
    return out


def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_catalogue_matches_schema():
    jsonschema.validate(load_catalogue(), schema())


def test_catalogue_refers_to_known_themes_and_variables():
    assert semantic_errors(load_catalogue(), known_variables()) == []


def test_catalogue_has_the_covenant_indicators_with_their_definitions():
    ind = load_catalogue()["indicatoren"]
    assert set(ind) >= REQUIRED_CODES
    assert ind["woninginbraak_per_1000_woningen"]["teller"] == {"bron": "politie", "variabelen": ["1.1.1"]}
    assert ind["woninginbraak_per_1000_woningen"]["noemer"]["variabelen"] == ["woningen"]
    assert ind["vernieling_per_1000_inwoners"]["teller"]["variabelen"] == ["2.2.1"]
    assert ind["rapportcijfer_leefbaarheid"]["polariteit"] == "hoger_is_beter"
    assert ind["onveilig_in_buurt_pct"]["onzekerheid"] == "binomiaal"
    assert {i["soort"] for i in ind.values()} == {"objectief", "subjectief"}


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda c: c["indicatoren"]["sociale_cohesie"].update(polariteit="hoger"), "polariteit"),
        (lambda c: c["indicatoren"]["sociale_cohesie"].pop("thema"), "thema"),
        (lambda c: c["indicatoren"]["misdrijven_per_1000_inwoners"].pop("factor"), "factor"),
        (lambda c: c["indicatoren"]["sociale_cohesie"].update(niveaus=["stad"]), "stad"),
    ],
)
def test_schema_rejects_broken_entries(mutate, message):
    broken = copy.deepcopy(load_catalogue())
    mutate(broken)
    with pytest.raises(jsonschema.ValidationError, match=message):
        jsonschema.validate(broken, schema())


def test_semantic_check_catches_unknown_variables_and_themes():
    broken = copy.deepcopy(load_catalogue())
    broken["indicatoren"]["geweld_per_1000_inwoners"]["teller"]["variabelen"].append("9.9.9")
    broken["indicatoren"]["sociale_cohesie"]["thema"] = "onbekend"
    errors = semantic_errors(broken, known_variables())
    assert any("9.9.9" in e for e in errors) and any("onbekend thema" in e for e in errors)
