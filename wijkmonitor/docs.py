"""The generated documents: what `wijkmonitor docs` writes and `wijkmonitor docs --check` compares.

    docs/indicators.md        from indicators/catalogue.yaml and the variable dimension (indicators.docs)
    docs/data-dictionary.md   from etl/marts.yaml (render_data_dictionary below)

The command line is the one place that may wire the ETL and the indicator engine together, so the wiring
lives here; tests/test_docs.py uses the same functions.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
DOCS_DIR = REPO / "docs"
DICTIONARY = REPO / "etl" / "marts.yaml"
INDICATORS_MD = "indicators.md"
DICTIONARY_MD = "data-dictionary.md"

TABLE_KEYS = ("built_by", "grain", "description", "columns")
COLUMN_KEYS = ("meaning", "unit")
MACRO_KEYS = ("defined_in", "call", "returns", "description")


@cache
def load_dictionary(path: Path = DICTIONARY) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def dictionary_errors(spec: Mapping[str, Any]) -> list[str]:
    """Entries of the dictionary that lack a required field (the renderer needs every one)."""
    errors = []
    for table, t in spec["tables"].items():
        errors += [f"table {table}: no {k}" for k in TABLE_KEYS if not t.get(k)]
        for column, c in (t.get("columns") or {}).items():
            errors += [f"{table}.{column}: no {k}" for k in COLUMN_KEYS if not (c or {}).get(k)]
    for macro, m in spec.get("macros", {}).items():
        errors += [f"macro {macro}: no {k}" for k in MACRO_KEYS if not m.get(k)]
    return errors


def _paragraph(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=115, break_long_words=False, break_on_hyphens=False)


def _built_by(text: str) -> str:
    """A SQL model as a link to its file (from docs/), a Python step as it is written."""
    text = " ".join(text.split())
    return f"[`{text}`](../{text})" if text.endswith(".sql") else text


def _cell(text: object) -> str:
    """Text for a markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def render_data_dictionary(spec: Mapping[str, Any]) -> str:
    """docs/data-dictionary.md from the dictionary (etl/marts.yaml)."""
    errors = dictionary_errors(spec)
    if errors:
        raise ValueError(f"{DICTIONARY.name} is incomplete: " + "; ".join(errors))
    tables = spec["tables"]
    out = [
        "# Data dictionary: schema `marts`",
        "",
        "Generated from `etl/marts.yaml` by `wijkmonitor docs`: edit that file, not this one. `tests/test_docs.py`",
        "checks both ways that it describes every table and column of schema `marts` in the demo database, and",
        "every stored `wm_*` macro.",
        "",
        _paragraph(spec["intro"]),
        "",
        "## Tables",
        "",
        "In the order the build makes them (`etl/build.py`, `STEPS`).",
        "",
        "| table | one row per | built by |",
        "|---|---|---|",
    ]
    out += [
        f"| [`{name}`](#{name}) | {_cell(t['grain'])} | {_cell(_built_by(t['built_by']))} |"
        for name, t in tables.items()
    ]
    for name, t in tables.items():
        out += [
            "",
            f'<a id="{name}"></a>',
            "",
            f"## `{name}`",
            "",
            _paragraph(t["description"]),
            "",
            _paragraph(f"One row per {t['grain']}. Built by {_built_by(t['built_by'])}."),
            "",
            "| column | meaning | unit / values | on screen (Dutch) |",
            "|---|---|---|---|",
        ]
        for column, c in t["columns"].items():
            out.append(
                f"| `{column}` | {_cell(c['meaning'])} | {_cell(c['unit'])} | {_cell(c.get('on_screen') or '–')} |"
            )
    out += [
        "",
        '<a id="macros"></a>',
        "",
        "## Macros",
        "",
        "SQL macros stored in the database (schema `main`), callable from any connection to it, e.g.",
        "`SELECT * FROM wm_herkomst('misdrijven_per_1000_inwoners', ['WK999901'], 2023)`.",
        "",
        "| macro | returns | what it does | defined in |",
        "|---|---|---|---|",
    ]
    out += [
        f"| `{_cell(m['call'])}` | {_cell(m['returns'])} | {_cell(m['description'])} | `{m['defined_in']}` |"
        for m in spec["macros"].values()
    ]
    if spec.get("functions_note"):
        out += ["", _paragraph(spec["functions_note"])]
    return "\n".join(out) + "\n"


def generate() -> dict[str, str]:
    """Every generated document: file name in docs/ -> its text."""
    from etl.sources import variable_dimension
    from indicators.catalogue import load_catalogue
    from indicators.docs import render_indicators_md

    return {
        INDICATORS_MD: render_indicators_md(load_catalogue(), variable_dimension()),
        DICTIONARY_MD: render_data_dictionary(load_dictionary()),
    }


def stale(folder: Path = DOCS_DIR) -> list[Path]:
    """The generated documents in ``folder`` that differ from what :func:`generate` makes (or are missing)."""
    return [
        folder / name
        for name, text in generate().items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
    ]


def docs_command(out: Path | None = None, check: bool = False) -> int:
    """`wijkmonitor docs [--out MAP] [--check]`: write the documents, or (--check) exit 1 when one is stale."""
    folder = Path(out) if out is not None else DOCS_DIR
    if check:
        verouderd = stale(folder)
        for path in verouderd:
            print(f"verouderd: {path} (vernieuw met: wijkmonitor docs)")
        if not verouderd:
            print(f"documentatie is actueel: {', '.join(generate())} in {folder}")
        return 1 if verouderd else 0
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in generate().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"geschreven: {folder / name}")
    return 0
