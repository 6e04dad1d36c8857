"""Text from data shown as plain text: escaping for Streamlit Markdown and for Plotly labels.

Every string that comes out of the database (area, file, partner and user names, load remarks, catalogue
texts) may be hostile: ``[Inloggen](https://evil.example)``, ``<img src=x onerror=...>``, ``:red[..]``,
``:material/warning:``, ``$x^2$``. Streamlit renders Markdown in titles, headers, captions, markdown,
alerts, widget labels, radio options and page-link labels; Plotly renders a subset of HTML (``<a href>``,
``<b>``, ``<br>``) in every text, tick label, hover text, legend name and annotation. Escape data text
with :func:`md` or :func:`plot` at the place it meets one of those, never earlier (a selectbox option or a
dataframe cell is plain text already and must not be escaped: the user would see the backslashes).

Measured in Chromium against Streamlit 1.67 (tests/test_dashboard_hostile.py keeps it measured):
- a backslash before every ASCII punctuation character stops links, emphasis, code, headings, lists,
  tables, raw HTML, ``:color[..]`` directives, ``:material/..:`` icons, ``:emoji:`` shortcodes and ``$``
  LaTeX;
- it does NOT stop GFM's autolinks (``https://…``, ``www.…``, ``name@host``): those are found in the text
  after the escapes are resolved. A WORD JOINER (U+2060, invisible, zero width) after every ``:`` and
  ``@`` and between ``www`` and ``.`` breaks those patterns.
"""

from __future__ import annotations

import html
import re

import pandas as pd

WORD_JOINER = "\u2060"
# Every ASCII punctuation character: CommonMark lets each be escaped with a backslash.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Line breaks, tabs and other control characters (C0, DEL, C1), and Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Bidirectional embeddings, overrides and isolates: they can make a name read as something else.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_WWW = re.compile(r"(?i)(www)(\\\.)")
MISSING = "–"


def _text(value: object) -> str | None:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):  # None, NaN, pd.NA, NaT
        return None
    return _BIDI.sub("", _CONTROL.sub(" ", str(value)))


def md(value: object) -> str:
    """Text from data for anything Streamlit renders as Markdown: shows exactly the text, one line.

    Whitespace runs (line breaks included) become one space; every ASCII punctuation character gets a
    backslash; a word joiner follows every ``:`` and ``@`` and separates ``www`` from ``.`` (autolinks).
    None and NaN become '–'.
    """
    text = _text(value)
    if text is None:
        return MISSING
    text = _PUNCTUATION.sub(r"\\\1", _SPACES.sub(" ", text).strip())
    text = text.replace(":", ":" + WORD_JOINER).replace("@", "@" + WORD_JOINER)
    return _WWW.sub(r"\1" + WORD_JOINER + r"\2", text)


def plot(value: object) -> str:
    """Text from data for a Plotly string (trace text, hover text, tick labels, legend names, titles,
    annotations): ``&``, ``<`` and ``>`` as HTML entities, control characters as spaces. Quotes stay as
    they are (Plotly shows ``&quot;`` literally, and without ``<`` a quote cannot start a tag)."""
    text = _text(value)
    if text is None:
        return MISSING
    return html.escape(text, quote=False)


def plots(values) -> list[str]:
    """:func:`plot` for every value of a column or list."""
    return [plot(v) for v in values]
