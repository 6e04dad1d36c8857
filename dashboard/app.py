"""Wijkmonitor: entry point. `wijkmonitor serve` runs `streamlit run dashboard/app.py`."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1])
)  # `streamlit run` puts only dashboard/ on the path

from dashboard import VIEWS, queries, session, snapshotview, source  # noqa: E402
from dashboard.safe import md  # noqa: E402

st.set_page_config(page_title="Wijkmonitor", page_icon=":material/monitoring:", layout="wide")
# Who is looking (login, or the demo mode's role picker): nothing is shown before this; the roles are read
# again from the records store on every run.
viewer = session.establish()
# One database version for the whole run: a load that publishes while this page is drawn shows on the next run.
queries.pin_version()
built_by = queries.schema_version()
if built_by is not None and built_by != queries.SCHEMA_VERSION:
    # A database built by another version of Wijkmonitor: say so and how to fix it, instead of failing on a
    # page that misses a table or column.
    st.error(
        md(
            f"Deze database is gebouwd door een {'oudere' if built_by < queries.SCHEMA_VERSION else 'nieuwere'} "
            f"versie van Wijkmonitor (schemaversie {built_by}; deze versie leest schemaversie "
            f"{queries.SCHEMA_VERSION}). De gegevens zelf zijn er nog. Bouw de tabellen opnieuw op met:"
        ),
        icon=":material/build:",
    )
    st.code(f"wijkmonitor rebuild --db {queries.db_label()}", language=None)
    st.stop()

sections: dict[str, list] = {
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
        st.Page(VIEWS / "capaciteit.py", title="Capaciteit", icon=":material/groups:", url_path="capaciteit"),
        st.Page(VIEWS / "jaarplan.py", title="Jaarplan", icon=":material/event_note:", url_path="jaarplan"),
    ],
    "Verdiepen": [
        st.Page(VIEWS / "wijk.py", title="Wijk", icon=":material/location_city:", url_path="wijk"),
        st.Page(VIEWS / "indicator.py", title="Indicator", icon=":material/insights:", url_path="indicator"),
    ],
    "Gegevens": [
        st.Page(VIEWS / "gegevens.py", title="Gegevens", icon=":material/database:", url_path="gegevens"),
    ],
}
# Pages a viewer may not use are not shown (and every write they offer is authorised again on the server).
if viewer.partner_bronnen:
    sections["Gegevens"].append(
        st.Page(
            VIEWS / "aanleveren.py", title="Aanleveren", icon=":material/upload_file:", url_path="aanleveren"
        )
    )
if viewer.beheerder:
    sections["Beheer"] = [
        st.Page(
            VIEWS / "beheer.py", title="Gebruikers en rollen", icon=":material/group:", url_path="beheer"
        ),
        st.Page(
            VIEWS / "instellingen.py", title="Instellingen", icon=":material/tune:", url_path="instellingen"
        ),
        st.Page(
            VIEWS / "audittrail.py", title="Audittrail", icon=":material/history:", url_path="audittrail"
        ),
    ]
navigation = st.navigation(sections)

session.logout_control(viewer)
with st.sidebar:
    st.caption("Wijkmonitor: leefbaarheid in de wijken, 2019 als nulmeting")
    if queries.is_demo():
        st.info(
            "Synthetische demogegevens van de fictieve gemeente Lindenhoven. Geen echte cijfers.",
            icon=":material/science:",
        )

snapshot = snapshotview.choose()
if snapshot is None:
    navigation.run()
else:
    readable = navigation.url_path in snapshotview.READABLE
    snapshotview.banner(snapshot, readable)
    if readable:
        with source.reading(snapshot):
            navigation.run()
    else:
        navigation.run()
