"""Widgets whose built-in text is English stay out of the Dutch UI.

Streamlit's multiselect adds an option "Select all" (English, not translatable) unless ``select_all=False``.
Every multiselect in ``dashboard/`` must switch it off; the browser test of the Beheer page sees the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _multiselect_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "multiselect"
    ]


def _select_all_off(call: ast.Call) -> bool:
    return any(
        kw.arg == "select_all" and isinstance(kw.value, ast.Constant) and kw.value.value is False
        for kw in call.keywords
    )


def test_every_multiselect_switches_off_the_english_select_all_option():
    calls = {
        f"{path.relative_to(REPO)}:{call.lineno}": _select_all_off(call)
        for path in sorted((REPO / "dashboard").rglob("*.py"))
        for call in _multiselect_calls(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert len(calls) >= 4, calls  # Beheer, Jaarplan and the two meeting forms
    assert [where for where, off in calls.items() if not off] == []


def test_the_check_sees_a_multiselect_that_keeps_it():
    kept = ast.parse('st.multiselect("Rollen", ["a", "b"], key="k")')
    off = ast.parse('col.multiselect("Rollen", ["a", "b"], select_all=False)')
    assert [_select_all_off(c) for c in _multiselect_calls(kept)] == [False]
    assert [_select_all_off(c) for c in _multiselect_calls(off)] == [True]
