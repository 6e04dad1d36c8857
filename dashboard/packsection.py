"""Page sections for the meeting documents and snapshots: the stuurgroep pack in one click (Stuurgroep page)
and the list of snapshots with the form that makes one (Gegevens page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from dashboard import queries, session, snapshotview, source, tables
from dashboard.documents import render, stuurgroep
from dashboard.safe import md
from wijkmonitor import snapshots
from wijkmonitor.records.authz import Refused

LIVE = ""
_MADE = "_wijkmonitor_momentopname_gemaakt"  # session state: the message after a snapshot was made


def _source_for(warehouse: Path, records_url: str, slug: str) -> source.Source:
    if slug == LIVE:
        return source.live(warehouse, records_url)
    return source.of_snapshot(snapshots.get(warehouse, slug))


def _pack_maker(warehouse: Path, records_url: str, slug: str):  # noqa: ANN202 - a callable for download_button
    """The PDF, made when the button is clicked (Streamlit runs this in a thread of its own: everything it
    needs is passed in, nothing is read from the session)."""

    def make() -> bytes:
        src = _source_for(warehouse, records_url, slug)
        try:
            with source.reading(src):
                return stuurgroep.pdf(generated=dt.datetime.now(dt.UTC).replace(microsecond=0))
        finally:
            src.warehouse.close()

    return make


def pack_section() -> None:
    """'Stuurgroeppakket': the PDF of the current data or of a snapshot, in one click."""
    warehouse = Path(queries.db_label()).resolve()
    records_url = session.store_url()
    found = snapshots.list_snapshots(warehouse)
    by_slug = {s.slug: s for s in found}
    viewing = source.current()
    default = viewing.snapshot.slug if viewing and viewing.snapshot else (found[0].slug if found else LIVE)
    options = [*by_slug, LIVE]
    with st.container(border=True):
        st.markdown(
            "**Stuurgroeppakket (PDF)**: doelstatus, per wijk een halve pagina, capaciteit, gevraagde "
            "besluiten, afspraken en de methode."
        )
        links, rechts = st.columns([3, 1], vertical_alignment="bottom")
        slug = links.selectbox(
            "Gegevens voor het pakket",
            options,
            index=options.index(default),
            format_func=lambda s: "Actuele gegevens" if s == LIVE else f"Momentopname: {by_slug[s].label}",
            key=f"pakket_bron_{default}",
            help="Een momentopname geeft altijd hetzelfde pakket, ook na latere leveringen. Maak er een op de "
            "pagina Gegevens.",
        )
        naam = "stuurgroeppakket-" + (slug or f"actueel-{dt.date.today():%Y-%m-%d}") + ".pdf"
        rechts.download_button(
            "Stuurgroeppakket",
            data=_pack_maker(warehouse, records_url, slug),
            file_name=naam,
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            key="pakket_pdf",
            type="primary",
        )
        if st.toggle("Voorbeeld tonen (zonder grafieken)", key="pakket_voorbeeld"):
            src = _source_for(warehouse, records_url, slug)
            try:
                with source.reading(src):
                    preview = stuurgroep.html(generated=dt.datetime.now(dt.UTC), charts_on=False)
            except render.DocumentError as exc:
                st.error(md(str(exc)))
            else:
                components.html(preview, height=700, scrolling=True)
            finally:
                src.warehouse.close()


def snapshots_section() -> None:
    """The snapshots beside this warehouse, and (for the roles that may) the form that makes one."""
    warehouse = Path(queries.db_label()).resolve()
    st.subheader("Momentopnamen")
    st.caption(
        "Een momentopname bevriest de indicatoren en de convenantgegevens (jaarplannen, rapportages, besluiten, "
        "afspraken) onder een naam, bijvoorbeeld voor een vergadering. Hij verandert nooit meer: latere leveringen "
        "veranderen de cijfers en het stuurgroeppakket van een momentopname niet. Bekijk er een via 'Bekijk zoals "
        "op' in de zijbalk."
    )
    made = st.session_state.pop(_MADE, None)
    if made:
        st.success(md(made), icon=":material/check_circle:")
    found = snapshots.list_snapshots(warehouse)
    if found:
        tables.table(
            pd.DataFrame(
                {
                    "Naam": [s.naam for s in found],
                    "Peildatum": [s.peildatum for s in found],
                    "Gemaakt": [s.gemaakt_op.astimezone(dt.UTC).replace(tzinfo=None) for s in found],
                    "Door": [s.gemaakt_door for s in found],
                    "Gegevens": [s.publicatie for s in found],
                }
            ),
            "momentopnamen",
            key="momentopnamen",
            hide_index=True,
            width="stretch",
        )
        for s in found[:5]:
            st.page_link(
                snapshotview.LINK_PAGE,
                label=md(f"Bekijk zoals op {s.label}"),
                icon=":material/history:",
                query_params={snapshotview.PARAM: s.slug},
            )
    else:
        st.info("Nog geen momentopnamen.", icon=":material/history:")
    viewer = session.current()
    if not viewer.can("momentopname.maken"):
        return
    with st.form("momentopname_maken", clear_on_submit=True):
        naam = st.text_input(
            "Naam van de nieuwe momentopname",
            max_chars=snapshots.MAX_NAME,
            placeholder="Stuurgroep najaar 2025",
        )
        if st.form_submit_button("Momentopname maken", icon=":material/photo_camera:"):
            try:
                snap = snapshots.create(warehouse, session.store_url(), naam, viewer.actor("Gegevens"))
            except (ValueError, snapshots.SnapshotError, Refused) as exc:
                st.error(md(str(exc)), icon=":material/error:")
            else:
                # the list above and the sidebar's "Bekijk zoals op" were drawn before it existed: draw again
                st.session_state[_MADE] = (
                    f"Momentopname '{snap.naam}' gemaakt (peildatum {snap.peildatum:%d-%m-%Y})."
                )
                st.rerun()
