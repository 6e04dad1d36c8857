"""'Bekijk zoals op …': the pages on a snapshot, read-only, beside the live data.

The sidebar offers the snapshots beside the warehouse (``wijkmonitor.snapshots``); the choice is in the URL
(``?peil=<slug>``), so a link shows the same frozen figures to everyone. With a snapshot chosen, app.py runs
the page inside ``dashboard.source.reading``: every query reads the snapshot's Parquet marts and its frozen
records (a read-only SQLite file), and the viewer can do nothing (``Viewer.alleen_lezen``). Pages that show
deliveries, provenance or administration read layers a snapshot does not keep; they keep showing the live
data and say so.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import queries, source
from dashboard.safe import md
from wijkmonitor import snapshots

PARAM = "peil"
LINK_PAGE = "views/stuurgroep.py"  # where a link to a snapshot opens
# Pages that read only what a snapshot keeps (url paths, as app.py names them).
READABLE = ("", "stuurgroep", "regiegroep", "capaciteit", "jaarplan", "wijk", "indicator")


@st.cache_resource(max_entries=4, show_spinner=False)
def _source(warehouse: str, slug: str, gemaakt_op: str) -> source.Source:
    return source.of_snapshot(snapshots.get(Path(warehouse), slug))


def available() -> list[snapshots.Snapshot]:
    return snapshots.list_snapshots(Path(queries.db_label()))


def choose() -> source.Source | None:
    """The sidebar's 'Bekijk zoals op' (only when there are snapshots); the chosen snapshot's source or None."""
    found = available()
    if not found:
        return None
    by_slug = {s.slug: s for s in found}
    options = ["", *by_slug]
    wanted = st.query_params.get(PARAM, "")
    index = options.index(wanted) if wanted in options else 0
    chosen = st.sidebar.selectbox(
        "Bekijk zoals op",
        options,
        index=index,
        format_func=lambda slug: "vandaag (actuele gegevens)" if not slug else by_slug[slug].label,
        key=f"peil_keuze_{wanted}",
        help="Een momentopname toont de cijfers en de convenantgegevens zoals ze op die dag waren; alleen lezen.",
    )
    if chosen:
        st.query_params[PARAM] = chosen
    elif PARAM in st.query_params:
        del st.query_params[PARAM]
    if not chosen:
        return None
    snap = by_slug[chosen]
    try:
        return _source(queries.db_label(), snap.slug, snap.gemaakt_op.isoformat())
    except snapshots.SnapshotError as exc:
        st.sidebar.error(md(str(exc)), icon=":material/error:")
        return None


def banner(src: source.Source, readable: bool) -> None:
    snap = src.snapshot
    if readable:
        st.info(
            md(
                f"U bekijkt de momentopname '{snap.naam}' (peildatum {snap.peildatum:%d-%m-%Y}, gemaakt "
                f"{snap.gemaakt_op:%d-%m-%Y} door {snap.gemaakt_door}; {snap.publicatie}). Alleen lezen: "
                "wijzigen kan alleen in de actuele gegevens."
            ),
            icon=":material/history:",
        )
    else:
        st.info(
            md(
                f"Deze pagina toont altijd de actuele gegevens, ook als u de momentopname '{snap.naam}' bekijkt."
            ),
            icon=":material/info:",
        )
