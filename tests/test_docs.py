"""Docs that tests keep true (as datasette's tests/test_docs.py): the generated documents are what their
generators make, and the data dictionary (etl/marts.yaml) describes exactly the tables, columns and macros of
schema `marts` in the demo database, so a new column without a description fails here."""

from __future__ import annotations

import copy
import difflib

import duckdb
import pytest
from dashboard_support import demo_db

from etl.sources import variable_dimension
from indicators.catalogue import load_catalogue
from indicators.docs import render_indicators_md
from wijkmonitor import docs
from wijkmonitor.cli import main

REGENERATE = "run `.venv/bin/wijkmonitor docs` and commit the result"
DESCRIBE = f"describe it in etl/marts.yaml (or remove the description), then {REGENERATE}"


@pytest.fixture(scope="module")
def demo_schema() -> dict[str, object]:
    """Tables with their columns (in order) of schema marts, and the stored wm_* macros, of the demo database."""
    with duckdb.connect(str(demo_db()), read_only=True) as con:
        tables: dict[str, list[str]] = {
            t: []
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'marts' "
            "ORDER BY table_name, ordinal_position"
        ).fetchall():
            tables[table].append(column)
        macros = {
            name
            for (name,) in con.execute(
                "SELECT function_name FROM duckdb_functions() WHERE database_name = current_database() "
                "AND function_type IN ('macro', 'table_macro') AND starts_with(function_name, 'wm_')"
            ).fetchall()
        }
    return {"tables": tables, "macros": macros}


def undescribed(spec: dict, tables: dict[str, list[str]]) -> list[str]:
    """Where the dictionary and the database's marts tables disagree, both ways."""
    described = spec["tables"]
    problems = [f"table marts.{t} has no description" for t in sorted(tables.keys() - described.keys())]
    problems += [
        f"described table marts.{t} is not in the database" for t in sorted(described.keys() - tables)
    ]
    for table in sorted(tables.keys() & described.keys()):
        columns, documented = set(tables[table]), set(described[table]["columns"])
        problems += [f"column marts.{table}.{c} has no description" for c in sorted(columns - documented)]
        problems += [
            f"described column marts.{table}.{c} is not in the database" for c in sorted(documented - columns)
        ]
    return problems


# ------------------------------------------------------------------------------------ committed = generated


@pytest.mark.parametrize("name", [docs.INDICATORS_MD, docs.DICTIONARY_MD])
def test_committed_document_is_what_the_generator_makes(name: str) -> None:
    committed = (docs.DOCS_DIR / name).read_text(encoding="utf-8")
    generated = docs.generate()[name]
    diff = "".join(
        list(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                f"docs/{name} (committed)",
                f"docs/{name} (generated)",
            )
        )[:40]
    )
    assert committed == generated, f"docs/{name} is out of date: {REGENERATE}\n{diff}"


def test_the_indicator_document_follows_the_catalogue() -> None:
    """The committed-equals-generated test can fail: a changed catalogue gives another document."""
    catalogue = copy.deepcopy(load_catalogue())
    catalogue["indicatoren"]["sociale_cohesie"]["titel"] = "Sociale samenhang"
    catalogue["instellingen"]["onderdrukking_drempel"] = 10
    text = render_indicators_md(catalogue, variable_dimension())
    assert "## Sociale samenhang\n" in text and "[Sociale samenhang](#sociale_cohesie)" in text
    assert "(aantallen 1 tot en met 9 worden onderdrukt)" in text
    assert text != docs.generate()[docs.INDICATORS_MD]


def test_the_indicator_document_refuses_an_unknown_variable() -> None:
    catalogue = copy.deepcopy(load_catalogue())
    catalogue["indicatoren"]["leegstand_pct"]["teller"]["variabelen"] = ["bestaat_niet"]
    with pytest.raises(ValueError, match="bestaat_niet"):
        render_indicators_md(catalogue, variable_dimension())


def test_docs_command_writes_and_checks(tmp_path, capsys) -> None:
    assert main(["docs", "--out", str(tmp_path), "--check"]) == 1  # nothing there yet
    assert "verouderd" in capsys.readouterr().out
    assert main(["docs", "--out", str(tmp_path)]) == 0
    for name, text in docs.generate().items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    assert main(["docs", "--out", str(tmp_path), "--check"]) == 0
    (tmp_path / docs.DICTIONARY_MD).write_text("hand-edited\n", encoding="utf-8")
    assert main(["docs", "--out", str(tmp_path), "--check"]) == 1
    assert f"verouderd: {tmp_path / docs.DICTIONARY_MD}" in capsys.readouterr().out


# ------------------------------------------------------------------------------------ the data dictionary


def test_every_dictionary_entry_has_its_fields() -> None:
    assert docs.dictionary_errors(docs.load_dictionary()) == []


def test_every_marts_table_is_described(demo_schema) -> None:
    tables = set(demo_schema["tables"])
    described = set(docs.load_dictionary()["tables"])
    assert not tables - described, (
        f"marts tables without a description: {sorted(tables - described)}; {DESCRIBE}"
    )
    assert not described - tables, f"described tables not in marts: {sorted(described - tables)}; {DESCRIBE}"


@pytest.mark.parametrize("table", list(docs.load_dictionary()["tables"]))
def test_every_column_is_described(demo_schema, table: str) -> None:
    columns = demo_schema["tables"].get(table)
    assert columns is not None, f"marts.{table} is described but not in the demo database; {DESCRIBE}"
    spec = {"tables": {table: docs.load_dictionary()["tables"][table]}}
    problems = undescribed(spec, {table: columns})
    assert not problems, "; ".join(problems) + f"; {DESCRIBE}"


def test_every_stored_macro_is_described(demo_schema) -> None:
    macros, described = demo_schema["macros"], set(docs.load_dictionary()["macros"])
    assert {"wm_doelstatus", "wm_logwaarde", "wm_oordeel", "wm_herkomst"} <= macros  # the query finds them
    assert macros == described, (
        f"macros without a description: {sorted(macros - described)}, described but not stored: "
        f"{sorted(described - macros)}; {DESCRIBE}"
    )


def test_a_missing_or_extra_description_is_found(demo_schema) -> None:
    """The comparison can fail: drop one column's description, describe a column that does not exist."""
    spec = copy.deepcopy(docs.load_dictionary())
    tables = demo_schema["tables"]
    assert undescribed(spec, tables) == []
    del spec["tables"]["fct_composites"]["columns"]["dekking"]
    spec["tables"]["dim_thema"]["columns"]["bestaat_niet"] = {"meaning": "x", "unit": "x"}
    assert set(undescribed(spec, tables)) == {
        "column marts.fct_composites.dekking has no description",
        "described column marts.dim_thema.bestaat_niet is not in the database",
    }
    del spec["tables"]["fct_hotspots"]
    assert "table marts.fct_hotspots has no description" in undescribed(spec, tables)
