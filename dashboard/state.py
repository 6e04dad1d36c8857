"""Page state that lives in the URL (query parameters), so a link in a meeting invite opens the same view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dashboard import queries
from dashboard.safe import md

MAX_PARAM = 200  # longer URL values are never an option's text


def select(
    container: Any,
    label: str,
    options: Sequence[Any],
    key: str,
    *,
    default: Any = None,
    format_func: Callable[[Any], str] | None = None,
    horizontal: bool = False,
) -> Any:
    """A selectbox (or horizontal radio) whose value is read from and written to ``?key=…``.

    The URL value is parsed strictly: it must be exactly the text of one of the options (a year is
    ``2023``, not ``²⁰²³``, ``2023.0`` or `` 2023``); anything else (unknown, too long, repeated keys
    that do not end in an option) silently gives the default. Radio options are Markdown in Streamlit,
    so their labels are escaped; selectbox options are plain text.
    """
    options = list(options)
    wanted = st.query_params.get(key)
    by_text = {str(o): o for o in options}
    if isinstance(wanted, str) and len(wanted) <= MAX_PARAM and wanted in by_text:
        value = by_text[wanted]
    elif default in options:
        value = default
    else:
        value = options[0]
    kwargs = {"index": options.index(value), "key": f"url_{key}"}
    if format_func is not None:
        kwargs["format_func"] = format_func
    if horizontal:
        show = format_func or str
        kwargs["format_func"] = lambda o: md(show(o))
        chosen = container.radio(label, options, horizontal=True, **kwargs)
    else:
        chosen = container.selectbox(label, options, **kwargs)
    st.query_params[key] = str(chosen)
    return chosen


def no_data_message() -> None:
    st.warning(
        "Nog geen gegevens: laad bestanden met `wijkmonitor load MAP` of bouw de demodatabase met "
        f"`wijkmonitor demo`. (Database: {md(queries.db_label())})",
        icon=":material/info:",
    )


def source_link(load_ids: Sequence[int] | None = None) -> None:
    """Every page's 'bron': the Data page, on the newest load behind the figures when known."""
    params = {"load": str(max(load_ids))} if load_ids else None
    st.page_link(
        "views/gegevens.py",
        label="Bron: geladen bestanden en hun controle",
        icon=":material/database:",
        query_params=params,
    )


def gemeente() -> str:
    """The gemeente the page is about: chosen in the sidebar when the database holds more than one."""
    df = queries.gemeenten()
    codes = list(df["gebied_code"])
    if len(codes) <= 1:
        return codes[0] if codes else "GM0000"
    names = dict(zip(df["gebied_code"], df["gebied_naam"], strict=True))
    return select(st.sidebar, "Gemeente", codes, "gemeente", format_func=lambda c: f"{names[c]} ({c})")
