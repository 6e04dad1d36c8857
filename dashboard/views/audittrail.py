"""Audittrail: every write (deliveries, re-activations, settings, users and roles), newest first.

Only for the beheerder: the navigation shows it to a beheerder only, this page checks the role, and
dashboard.records checks it once more against the store before it reads the trail.

Looking at and downloading the trail are reads, not writes, and are not recorded themselves (the rule
``audit.exporteren`` exists for a future export that changes something, e.g. one sent elsewhere). The CSV
is made when the page is drawn, so recording "downloads" would in fact record every view of this page.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard import format as fmt
from dashboard import queries, records, session, state, tables
from dashboard.safe import md
from wijkmonitor.records import auditlog, authz

SHOWN = 5000  # rows in the table; the download holds every row that matches
LOCAL = ZoneInfo("Europe/Amsterdam")

st.title("Audittrail")
viewer = session.current()
if not viewer.beheerder:
    st.error(
        "Alleen voor de beheerder: de audittrail laat zien wie wat heeft gewijzigd.", icon=":material/lock:"
    )
    st.stop()
st.caption(
    "Elke wijziging wordt vastgelegd, ook een geweigerde poging: wie, wanneer, wat (oude → nieuwe waarde) en "
    "vanaf welke pagina of opdracht. De database zelf staat wijzigen en verwijderen van de audittrail niet toe."
)
if not queries.has_data():
    state.no_data_message()  # the trail itself does not depend on the warehouse

try:
    actors = records.audit_actors()
    actions = records.audit_actions()
    first = records.audit_first_day()
    total = records.audit_count()
except authz.Refused as exc:  # the role was withdrawn since this run began
    st.error(md(str(exc)), icon=":material/lock:")
    st.stop()

today = dt.datetime.now(dt.UTC).date()
c1, c2, c3, c4 = st.columns([3, 2, 2, 3])
actor = c1.selectbox(
    "Door", [None, *actors], key="audit_actor", format_func=lambda v: "iedereen" if v is None else v
)
actie = c2.selectbox(
    "Actie", [None, *actions], key="audit_actie", format_func=lambda v: "alle acties" if v is None else v
)
uitkomst = c3.selectbox(
    "Uitkomst",
    [None, *records.UITKOMSTEN],
    key="audit_uitkomst",
    format_func=lambda v: "alle uitkomsten" if v is None else v,
)
start = min(first or today, today)
periode = c4.date_input(
    "Periode (UTC)",
    value=(start, today),
    key="audit_periode",
    format="DD-MM-YYYY",
    help="Van en tot en met, in UTC-dagen.",
)
days = list(periode) if isinstance(periode, tuple | list) else [periode]
f = auditlog.AuditFilter(
    actor=actor,
    actie=actie,
    uitkomst=uitkomst,
    vanaf=days[0] if days else None,
    tot_en_met=days[1] if len(days) > 1 else None,
)
n = records.audit_count(f)
st.markdown(
    f"**{fmt.getal(n)}** van de {fmt.getal(total)} regels"
    + (f"; de nieuwste {fmt.getal(SHOWN)} staan hieronder, de download bevat ze alle." if n > SHOWN else ".")
)
if n == 0:
    st.info("Geen regels met deze keuzes.", icon=":material/filter_alt_off:")
    st.stop()

rows = records.audit_entries(f, limit=SHOWN)


def _local(value: dt.datetime) -> str:
    if value.tzinfo is None:  # SQLite gives the stored UTC time without its zone
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M:%S")


def _json_text(value: str | None) -> str:
    return "–" if value is None else value


table = pd.DataFrame(
    {
        "Tijdstip": [_local(r["tijdstip"]) for r in rows],
        "Door": [r["actor"] for r in rows],
        "Rollen": [r["rollen"] for r in rows],
        "Actie": [r["actie"] for r in rows],
        "Object": [f"{r['object_soort']} {r['object_id']}".strip() for r in rows],
        "Oud → nieuw": [f"{_json_text(r['oud'])} → {_json_text(r['nieuw'])}" for r in rows],
        "Via": [r["via"] for r in rows],
        "Uitkomst": [r["uitkomst"] for r in rows],
        "Reden": [r["reden"] or "" for r in rows],
    }
)
tables.table(table, "Audittrail", hide_index=True, width="stretch", key="audit_tabel")
st.caption("Tijdstip in Nederlandse tijd. Oud en nieuw zijn de vastgelegde waarden (JSON).")
st.download_button(
    "Download als CSV",
    data=auditlog.to_csv(records.audit_entries(f) if n > SHOWN else rows),
    file_name=f"audittrail-{today:%Y%m%d}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="audit_csv",
)
