"""Wijkmonitor: entry point. `wijkmonitor serve` runs `streamlit run dashboard/app.py`."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1])
)  # `streamlit run` puts only dashboard/ on the path

from dashboard import VIEWS, queries  # noqa: E402

st.set_page_config(page_title="Wijkmonitor", page_icon=":material/monitoring:", layout="wide")
# One database version for the whole run: a load that publishes while this page is drawn shows on the next run.
queries.pin_version()

navigation = st.navigation(
    {
        "Sturen": [
            st.Page(
                VIEWS / "stuurgroep.py",
                title="Stuurgroep: op koers?",
                icon=":material/flag:",
                url_path="stuurgroep",
                default=True,
            ),
            st.Page(
                VIEWS / "regiegroep.py",
                title="Regiegroep: wat speelt er?",
                icon=":material/notifications:",
                url_path="regiegroep",
            ),
        ],
        "Verdiepen": [
            st.Page(VIEWS / "wijk.py", title="Wijk", icon=":material/location_city:", url_path="wijk"),
            st.Page(
                VIEWS / "indicator.py", title="Indicator", icon=":material/insights:", url_path="indicator"
            ),
        ],
        "Beheer": [
            st.Page(VIEWS / "gegevens.py", title="Gegevens", icon=":material/database:", url_path="gegevens"),
        ],
    }
)

with st.sidebar:
    st.caption("Wijkmonitor: leefbaarheid in de wijken, 2019 als nulmeting")
    if queries.is_demo():
        st.info(
            "Synthetische demogegevens van de fictieve gemeente Lindenhoven. Geen echte cijfers.",
            icon=":material/science:",
        )

navigation.run()
