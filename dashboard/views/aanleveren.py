"""Aanleveren: a partner's data steward delivers its source's figures without the command line.

Download the template, upload a file, see the same checks as `wijkmonitor load` (a table to filter and
download) and what the delivery would change, then confirm. The page only shows: the preview and the load
run in a job process (dashboard/deliveries.py starts `python -m wijkmonitor.jobs`, which calls the
command line's load function and authorises the write there, from the roles in the records store).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import deliveries, queries, session, state, tables
from dashboard import format as fmt
from dashboard.safe import md
from wijkmonitor.records.store import records_url

FLOW = "_aanleveren_flow"
STATUS_LABEL = {"geladen": "geladen", "afgewezen": "afgewezen", "overgeslagen": "al geladen"}
# What a source without a template delivers instead (its own export; see docs/data-formats.md).
OWN_EXPORT = {
    "politie": "Politiecijfers komen als open-data-export van CBS-tabel 47018NED (per jaar) of 47022NED (per "
    "maand), met de kolommen SoortMisdrijf, WijkenEnBuurten, Perioden en GeregistreerdeMisdrijven_1.",
    "leefbaarometer": "De Leefbaarometer wordt aangeleverd als het scorebestand van Leefbaarometer 3.0 "
    "(per buurt, wijk of gemeente en jaar).",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

viewer = session.current()
st.title("Aanleveren")
st.caption(
    "Lever de cijfers van uw organisatie aan: download het sjabloon, upload het bestand, bekijk de controle en "
    "wat er verandert, en bevestig. Er wordt pas iets geladen als u bevestigt."
)

bronnen = viewer.partner_bronnen
if not bronnen:
    st.warning("U heeft geen rol om gegevens aan te leveren. Vraag de beheerder om een partnerrol.")
    st.stop()
if not queries.has_data():
    state.no_data_message()  # the first delivery into an empty warehouse is still possible

db = Path(queries.db_label())
url = records_url(db)

# ------------------------------------------------------------------------------------- which source
if len(bronnen) == 1:
    bron = bronnen[0]
    st.markdown(f"U levert aan voor bron **{md(bron)}**.")
else:
    bron = st.selectbox(
        "Bron",
        bronnen,
        key="aanleveren_bron",
        help="De bron waarvoor u aanlevert. Een bestand mag alleen gegevens van deze bron bevatten.",
    )

flow: deliveries.Flow | None = st.session_state.get(FLOW)
if flow is None or (not flow.loading() and (flow.email != viewer.email or flow.bron != bron)):
    # another person (demo role picker) or another source: what was uploaded for the old one is removed
    nonce = flow.nonce + 1 if flow is not None else 0
    if flow is not None:
        flow.reset()
    flow = deliveries.Flow(viewer.email, bron, nonce)
    st.session_state[FLOW] = flow


def _reset() -> None:
    flow.reset()


# ---------------------------------------------------------------------------------------- template
st.subheader("1. Sjabloon")
sjablonen = deliveries.templates_of(bron)
if bron in OWN_EXPORT or not sjablonen:
    st.caption(
        OWN_EXPORT.get(
            bron, "Voor deze bron is er geen sjabloon: lever het bestand aan zoals de bron het geeft."
        )
    )
if sjablonen:
    st.caption(
        "Het Excel-sjabloon van uw bron: de kolommen, welke variabelen u mag leveren, de geldige gebiedscodes "
        "en de regels. Vul het tabblad 'gegevens' in en sla het op als Excel of als CSV."
        + (
            " Voor de recente cijfers per week (elke 14 dagen) is er een eigen sjabloon."
            if "politie_week" in sjablonen
            else ""
        )
    )
    template_db = db if db.exists() else None
    for i, sjabloon in enumerate(sjablonen):
        st.download_button(
            "Sjabloon downloaden (Excel)" if sjabloon == bron else f"Sjabloon {sjabloon} downloaden (Excel)",
            data=lambda sjabloon=sjabloon: deliveries.template_bytes(sjabloon, template_db),
            file_name=f"wijkmonitor_sjabloon_{sjabloon}.xlsx",
            mime=XLSX,
            icon=":material/download:",
            on_click="ignore",
            key="aanleveren_sjabloon" if i == 0 else f"aanleveren_sjabloon_{sjabloon}",
        )

# ------------------------------------------------------------------------------------------ upload
st.subheader("2. Bestand uploaden")
max_mb = deliveries.max_file_mb(st.get_option("server.maxUploadSize"))
uploaded = st.file_uploader(
    f"Bestand (CSV, Excel of GeoJSON; hoogstens {fmt.getal(max_mb)} MB)",
    type=[e.lstrip(".") for e in deliveries.ALLOWED_EXTENSIONS],
    max_upload_size=max_mb,
    key=f"aanleveren_bestand_{flow.nonce}",
    disabled=flow.loading(),
)
if (
    flow.upload is not None
    and not flow.loading()
    and flow.uitkomst is None
    and (uploaded is None or uploaded.file_id != flow.upload.file_id)
):
    # the file was removed or replaced in the uploader: its check no longer applies
    if flow.preview is not None:
        deliveries.stop(flow.preview)
    deliveries.discard(flow.upload)
    flow.upload = flow.preview = None

preview_running = flow.preview is not None and deliveries.poll(flow.preview).bezig
if st.button(
    "Controleren",
    type="primary" if flow.preview is None else "secondary",
    icon=":material/fact_check:",
    disabled=uploaded is None or preview_running or flow.loading(),
    key="aanleveren_controleren",
):
    try:
        upload = deliveries.save_upload(uploaded, uploaded.name, bron, max_mb, uploaded.file_id)
    except deliveries.UploadError as exc:
        st.error(md(str(exc)), icon=":material/block:")
    else:
        deliveries.discard(flow.upload)
        flow.upload, flow.load, flow.uitkomst = upload, None, None
        flow.preview = deliveries.start(upload, db, url, viewer.email, voorbeeld=True)
        st.rerun()


# ------------------------------------------------------------------------------------------ helpers
@st.fragment(run_every=1)
def _follow(job: deliveries.Job, what: str) -> None:
    """Progress of a running job, refreshed every second; the whole page runs again when it ends."""
    status = deliveries.poll(job)
    if not status.bezig:
        st.rerun()
    st.info(f"{what} … Dit kan bij een groot bestand enkele minuten duren.", icon=":material/hourglass_top:")
    if status.voortgang:
        st.code("\n".join(status.voortgang[-8:]), language=None, wrap_lines=True)
    if job.voorbeeld and st.button("Stoppen", icon=":material/stop:", key="aanleveren_stoppen"):
        deliveries.stop(job)


def _report(res: dict, key: str) -> None:
    """The checks, as `wijkmonitor load` reports them: a table to filter and download, and the text."""
    for note in res.get("notes") or []:
        st.caption(md(note))
    messages = deliveries.messages_frame(res)
    total = int(res.get("messages_total") or len(messages))
    if messages.empty:
        st.write("De controle gaf geen meldingen.")
    else:
        left, right = st.columns([3, 1])
        tekst = left.text_input("Zoek in de meldingen", key=f"{key}_zoek", max_chars=200)
        ernst = right.selectbox(
            "Ernst",
            ["alle", "fout", "waarschuwing"],
            format_func={"alle": "alle meldingen", "fout": "fouten", "waarschuwing": "waarschuwingen"}.get,
            key=f"{key}_ernst",
        )
        shown = deliveries.filter_messages(messages, tekst, ernst)
        tables.table(shown, "Meldingen", hide_index=True, width="stretch", key=f"{key}_meldingen")
        more = f" (de eerste {fmt.getal(len(messages))} staan in de tabel)" if total > len(messages) else ""
        st.caption(f"{fmt.getal(len(shown))} van {fmt.getal(total)} meldingen getoond{more}.")
        st.download_button(
            "Meldingen downloaden (CSV)",
            deliveries.messages_csv(shown),
            file_name="wijkmonitor_meldingen.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key=f"{key}_csv",
        )
    if res.get("report"):
        with st.expander("Het verslag zoals de opdrachtregel het geeft"):
            st.code(res["report"], language=None, wrap_lines=True)


def _revision(res: dict) -> None:
    """What the delivery changes compared with the figures that are current now."""
    rev = res.get("revision")
    st.markdown("**Wat verandert er?**")
    if not rev:
        st.write("Niets te vergelijken: er zijn nog geen eerdere gegevens van deze soort.")
        return
    counts = deliveries.revision_counts(rev)
    cols = st.columns(4)
    for col, label in zip(cols, ["Nieuw", "Vervangen waarden", "Leeg geworden", "Ongewijzigd"], strict=True):
        col.metric(label, fmt.getal(counts[label]))
    lines = res.get("revision_lines") or []
    if lines:
        st.caption(md(lines[0]))
    replaced = deliveries.replaced_loads(rev)
    if not replaced.empty and counts["Vervangen waarden"]:
        st.markdown("Eerdere leveringen waarvan waarden worden vervangen")
        tables.table(
            replaced, "Vervangen leveringen", hide_index=True, width="stretch", key="aanleveren_vervangen"
        )
    changes = deliveries.revision_changes(rev)
    if not changes.empty:
        st.markdown("Grootste wijzigingen")
        tables.table(
            changes,
            "Grootste wijzigingen",
            hide_index=True,
            width="stretch",
            key="aanleveren_wijzigingen",
            column_config={"Verschil (%)": st.column_config.NumberColumn(format="%.1f%%")},
        )


def _failed(status: deliveries.Status) -> None:
    icon = ":material/lock:" if status.geweigerd else ":material/error:"
    st.error(md(status.bericht or "de taak is mislukt; er is niets geladen"), icon=icon)


# ----------------------------------------------------------------------------------------- preview
if flow.preview is not None and flow.load is None:
    st.subheader("3. Controle")
    status = deliveries.poll(flow.preview)
    if status.bezig:
        _follow(flow.preview, "Het bestand wordt gecontroleerd")
    elif status.fase == "mislukt":
        _failed(status)
        st.button("Opnieuw beginnen", on_click=_reset, key="aanleveren_opnieuw")
    else:
        res = status.resultaat or {}
        naam = md(res.get("bestand"))
        if status.status == "voorbeeld":
            st.success(
                f"Controle geslaagd: **{naam}** heeft {fmt.getal(res.get('rows'))} rijen (soort "
                f"{md(res.get('kind'))}). Er is nog niets geladen.",
                icon=":material/check_circle:",
            )
        elif status.status == "overgeslagen":
            st.info(
                f"**{naam}** is al geladen (load {fmt.getal(res.get('load_id'))}, dezelfde inhoud): er verandert "
                "niets.",
                icon=":material/content_copy:",
            )
        else:
            fouten = sum(1 for m in res.get("messages") or [] if m.get("ernst") == "fout")
            st.error(
                f"Afgewezen: **{naam}** bevat {fmt.getal(fouten)} {'fout' if fouten == 1 else 'fouten'}. Er is niets "
                "geladen; verbeter het bestand en lever het opnieuw aan.",
                icon=":material/error:",
            )
        _report(res, "voorbeeld")
        if status.status == "voorbeeld":
            _revision(res)
            st.subheader("4. Bevestigen")
            left, right = st.columns(2)
            if left.button(
                "Bevestigen en laden", type="primary", icon=":material/upload:", key="aanleveren_bevestigen"
            ):
                flow.load = deliveries.start(flow.upload, db, url, viewer.email, voorbeeld=False)
                st.rerun()
            right.button("Annuleren", on_click=_reset, icon=":material/close:", key="aanleveren_annuleren")
        else:
            st.button("Ander bestand kiezen", on_click=_reset, key="aanleveren_ander")

# -------------------------------------------------------------------------------------------- load
if flow.load is not None:
    st.subheader("4. Laden")
    if flow.uitkomst is None:
        status = deliveries.poll(flow.load)
        if status.bezig:
            _follow(flow.load, "De levering wordt geladen")
        else:
            flow.finish_load(status)  # the upload's folder is removed now
    if flow.uitkomst is not None:
        status = flow.uitkomst
        res = status.resultaat or {}
        if status.fase == "mislukt":
            _failed(status)
        elif status.status == "geladen":
            st.success(
                f"Geladen: {fmt.getal(res.get('rows_loaded'))} rijen uit **{md(res.get('bestand'))}** (load "
                f"{fmt.getal(res.get('load_id'))}). De cijfers zijn bijgewerkt.",
                icon=":material/check_circle:",
            )
            st.page_link(
                "views/gegevens.py",
                label="Bekijk de levering op de pagina Gegevens",
                icon=":material/database:",
                query_params={"load": str(res.get("load_id"))},
            )
        elif status.status == "overgeslagen":
            st.info("Dit bestand was al geladen: er is niets gewijzigd.", icon=":material/content_copy:")
        else:
            st.error(
                f"Afgewezen bij het laden: **{md(res.get('bestand'))}**. Er is niets geladen.",
                icon=":material/error:",
            )
            _report(res, "laden")
        st.button(
            "Nog een bestand aanleveren", on_click=_reset, icon=":material/add:", key="aanleveren_nieuw"
        )

# ------------------------------------------------------------------------------------ recent loads
st.subheader("Recente leveringen" if viewer.beheerder else "Uw recente leveringen")
loads = deliveries.own_loads(queries.loads(), bronnen, viewer.email, alles=viewer.beheerder).head(20)
if loads.empty:
    st.write("Nog geen leveringen.")
else:
    tables.table(
        pd.DataFrame(
            {
                "Load": loads["load_id"],
                "Bestand": loads["bestand"],
                "Soort bron": loads["bronsoort"].fillna("onbekend"),
                "Status": loads["status"].map(STATUS_LABEL).fillna(loads["status"]),
                "Rijen": loads["rijen_geladen"].fillna(0).astype(int),
                "Door": loads["gebruiker"],
                "Klaar": loads["klaar"].map(fmt.datum_tijd),
            }
        ),
        "Recente leveringen",
        hide_index=True,
        width="stretch",
        key="aanleveren_leveringen",
    )
