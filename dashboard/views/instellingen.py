"""Instellingen (beheerder): the warehouse's settings, changed through the job process (authorised and
recorded there), after which every figure is computed again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import deliveries, plans, queries, session, state, steering, tables
from dashboard import format as fmt
from dashboard.safe import md
from wijkmonitor.records import authz
from wijkmonitor.records import jaarplannen as jp

# The settings a beheerder changes here, with what they mean (the command line has the same keys).
SETTINGS = {
    "basisjaar": "Basisjaar: het jaar van de nulmeting (score 100)",
    "doeljaar": "Doeljaar: het jaar waarin elke wijk minstens zo goed moet zijn als in het basisjaar",
    "marge": "Marge: hoeveel slechter nog als 'gelijk' telt (fractie; 0.05 is 5%)",
    "betrouwbaarheid": "Betrouwbaarheid van de intervallen en toetsen (bijv. 0.95)",
    "onderdrukking_drempel": "Drempel voor kleine aantallen: lagere aantallen worden niet getoond of geëxporteerd",
    "indeling": "Gebiedsindeling van de analyse (jaar, 0 = zonder jaar; leeg = de nieuwste volledige)",
    "fdr_matrix": "Foutenmarge (FDR) voor de matrix van wijken en thema's",
    "minimum_basisgebeurtenissen": "Minimum verwachte gebeurtenissen in het basisjaar voor een indicator",
    "hotspot_fdr": "Foutenmarge (FDR) voor hotspotsignalen",
    "hotspot_minimum": "Minimum aantal gebeurtenissen voor een hotspotsignaal",
}
MESSAGE = "_instellingen_bericht"

st.title("Instellingen")
st.caption(
    "De instellingen van de monitor voor deze database. Een wijziging berekent alle cijfers opnieuw en wordt "
    "vastgelegd in de audittrail."
)
viewer = session.current()
if not viewer.beheerder:
    st.warning("Alleen voor de beheerder.", icon=":material/lock:")
    st.stop()
if not queries.has_data():
    state.no_data_message()
    st.stop()

if MESSAGE in st.session_state:
    ok, text = st.session_state.pop(MESSAGE)
    (st.success if ok else st.error)(md(text), icon=":material/tune:")

overrides = queries.setting_overrides()
tables.table(
    pd.DataFrame(
        {
            "Instelling": list(SETTINGS),
            "Betekenis": list(SETTINGS.values()),
            "Waarde in deze database": [overrides.get(k, "") or "(standaard)" for k in SETTINGS],
        }
    ),
    "Instellingen",
    hide_index=True,
    width="stretch",
    key="instellingen_tabel",
)


def _change() -> None:
    key = st.session_state.get("instelling_sleutel")
    value = str(st.session_state.get("instelling_waarde") or "").strip()
    if key not in SETTINGS:
        return
    job = deliveries.start_settings(
        {key: value}, Path(queries.db_label()).resolve(), session.store_url(), viewer.email
    )
    with st.spinner("De cijfers worden opnieuw berekend …"):
        status = deliveries.wait(job, timeout=3600)
    if status.fase == "klaar":
        changed = (status.resultaat or {}).get("gewijzigd") or {}
        text = (
            "; ".join(
                f"{k}: {old or '(standaard)'} → {new or '(standaard)'}" for k, (old, new) in changed.items()
            )
            or "niets gewijzigd (dezelfde waarde)"
        )
        st.session_state[MESSAGE] = (True, f"Gewijzigd: {text}. Alle cijfers zijn opnieuw berekend.")
    else:
        st.session_state[MESSAGE] = (False, status.bericht or "niet gewijzigd")


with st.form("instelling_wijzigen", enter_to_submit=False):
    st.selectbox("Instelling", list(SETTINGS), key="instelling_sleutel")
    st.text_input(
        "Nieuwe waarde", key="instelling_waarde", max_chars=40, help="Leeg: terug naar de standaard."
    )
    st.form_submit_button("Wijzigen en opnieuw berekenen", type="primary", on_click=_change)

# ------------------------------------------------------------------------------------------ reporting
st.subheader("Halfjaarrapportages")
st.caption(
    "Een halfjaarrapportage kan vanaf 1 juli en 1 januari worden ingediend en is te laat na de termijn. "
    "Deze instellingen staan bij de verslagen van het convenant, niet in de database met cijfers."
)
termijn, peil = plans.grace_days(), plans.fixed_date()
st.markdown(
    f"Termijn: **{termijn} dagen** na het eind van het halfjaar. Peildatum: "
    + (
        f"**{peil.isoformat()}** (vaste datum, bijv. voor de demo)"
        if peil
        else "**vandaag** (geen vaste datum)"
    )
)
RECORD_SETTINGS = {
    jp.SETTING_TERMIJN: "Termijn voor de halfjaarrapportage (dagen)",
    jp.SETTING_PEILDATUM: "Peildatum (JJJJ-MM-DD; leeg = vandaag)",
}
with st.form("rapportage_instelling", enter_to_submit=False):
    sleutel = st.selectbox("Instelling", list(RECORD_SETTINGS), format_func=RECORD_SETTINGS.get)
    waarde = st.text_input("Nieuwe waarde", max_chars=20, key="rapportage_waarde")
    if st.form_submit_button("Opslaan", icon=":material/save:"):
        try:
            plans.set_setting(sleutel, waarde.strip() or None)
        except (authz.Refused, ValueError) as e:
            st.error(md(str(e)), icon=":material/error:")
        else:
            st.session_state[MESSAGE] = (True, f"{RECORD_SETTINGS[sleutel]}: opgeslagen.")
            st.rerun()

# ------------------------------------------------------------------------------------------ need
st.subheader("Capaciteit naar behoefte")
st.caption(
    "De gewichten van de behoefte per wijk (pagina Capaciteit): behoefte = omvang / 1.000 × (1 + afstand × A + "
    "normering × N + niveau × L). Een gewicht is een getal van 0 tot 100; de omvang is inwoners of huishoudens."
)
huidig = steering.need_weights()
NEED_SETTINGS = {
    "behoefte_gewicht_afstand": "Gewicht afstand tot de nulmeting (A)",
    "behoefte_gewicht_normering": "Gewicht positie in de normering (N)",
    "behoefte_gewicht_niveau": "Gewicht niveau tegenover de gemeente (L)",
    steering.SETTING_MAAT: "Omvang: inwoners of huishoudens",
}
st.markdown(
    "; ".join(
        f"{label}: **{fmt.getal(huidig[k], 1) if isinstance(huidig[k], float) else md(huidig[k])}**"
        for k, label in NEED_SETTINGS.items()
    )
)
with st.form("behoefte_instelling", enter_to_submit=False):
    sleutel = st.selectbox(
        "Instelling", list(NEED_SETTINGS), format_func=NEED_SETTINGS.get, key="behoefte_sleutel"
    )
    waarde = st.text_input("Nieuwe waarde (leeg: standaard)", max_chars=20, key="behoefte_waarde")
    if st.form_submit_button("Opslaan", icon=":material/save:"):
        try:
            steering.set_need_setting(sleutel, waarde.strip() or None)
        except (authz.Refused, ValueError) as e:
            st.error(md(str(e)), icon=":material/error:")
        else:
            st.session_state[MESSAGE] = (True, f"{NEED_SETTINGS[sleutel]}: opgeslagen.")
            st.rerun()
