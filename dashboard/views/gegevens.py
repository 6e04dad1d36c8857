"""Gegevens: what has been loaded, was it valid, and which source covers which wijk and year."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import deliveries, packsection, queries, session, state, tables
from dashboard import format as fmt
from dashboard.safe import md, plots
from etl.bronnen import bronnen_of_load

PERIODS_PER_YEAR = {"week": 52, "maand": 12, "kwartaal": 4, "halfjaar": 2, "jaar": 1}
STATUS_LABEL = {"geladen": "geladen", "afgewezen": "afgewezen", "overgeslagen": "al geladen"}
REACTIVATED = "_gegevens_heractivering"  # session state: the outcome of the last re-activation, shown once

st.title("Gegevens")
st.caption("Welke bestanden zijn geladen, wat vond de controle, en welke bron dekt welke wijk en welk jaar?")

if not queries.has_data():
    st.warning(
        "Nog geen gegevens. Laad bestanden met `wijkmonitor load MAP` of bouw de demodatabase met "
        f"`wijkmonitor demo`. (Database: {md(queries.db_label())})",
        icon=":material/info:",
    )
    st.stop()

all_loads = queries.loads()
loaded = all_loads[all_loads["status"] == "geladen"]
rejected = all_loads[all_loads["status"] == "afgewezen"]

c1, c2, c3 = st.columns(3)
c1.metric("Geladen leveringen", fmt.getal(len(loaded)))
c2.metric("Afgewezen leveringen", fmt.getal(len(rejected)))
c3.metric("Laatste levering", fmt.datum(all_loads["klaar"].max()))

# The load history (file names, who, messages) is the beheerder's; a partner sees the loads of its own source.
viewer = session.current()
if viewer.beheerder:
    loads = all_loads
else:
    own = set(viewer.partner_bronnen)
    mine = [
        bool(bronnen_of_load(r.bronsoort, r.partner) & own) or (bool(own) and r.gebruiker == viewer.email)
        for r in all_loads.itertuples()
    ]
    loads = all_loads[mine] if mine else all_loads.iloc[0:0]

# ----------------------------------------------------------------------------------- load history
st.subheader("Laadgeschiedenis")
st.caption(
    "Elke poging wordt vastgelegd, ook een afgewezen levering. Een afgewezen bestand verandert niets "
    "aan de gegevens."
    + ("" if viewer.beheerder else " U ziet de leveringen van uw eigen bron; de beheerder ziet ze allemaal.")
)
history = pd.DataFrame(
    {
        "Load": loads["load_id"],
        "Bestand": loads["bestand"],
        "Soort bron": loads["bronsoort"].fillna("onbekend"),
        "Partner": loads["partner"].fillna("–"),
        "Rijen": loads["rijen_geladen"].fillna(0).astype(int),
        "Status": loads["status"].map(STATUS_LABEL),
        "Fouten": loads["fouten"].fillna(0).astype(int),
        "Door": loads["gebruiker"],
        "Klaar": loads["klaar"].map(fmt.datum_tijd),
        "SHA-256": loads["sha256"].str.slice(0, 12),
    }
)


def _reactivate(load_id: int) -> None:
    """The beheerder's "Heractiveren": a job process (as `wijkmonitor heractiveer`), authorised and recorded
    there at the moment of writing."""
    job = deliveries.start_reactivation(
        load_id, Path(queries.db_label()).resolve(), session.store_url(), viewer.email
    )
    with st.spinner(f"Levering {load_id} wordt heractiveerd …"):
        status = deliveries.wait(job, timeout=3600)
    res = status.resultaat or {}
    ok = status.fase == "klaar" and res.get("status") == "geladen"
    st.session_state[REACTIVATED] = (
        ok,
        res.get("report") or status.bericht or "mislukt; er is niets gewijzigd",
    )
    st.rerun()  # the next run reads the newly published warehouse


def _reactivation_control(load_id: int) -> None:
    with st.expander(
        "Heractiveren: deze levering weer de geldende maken (beheerder)", icon=":material/restore:"
    ):
        st.write(
            "Maakt de waarden van deze levering weer de geldende, bijvoorbeeld om een correctie ongedaan te "
            "maken. De latere levering blijft in de geschiedenis; dit wordt vastgelegd in de audittrail."
        )
        if st.button("Heractiveren", key=f"heractiveer_{load_id}", icon=":material/restore:"):
            _reactivate(load_id)


def _one_load() -> None:
    """The checks of one delivery (the section is a function so that it can be left out as a whole)."""
    st.subheader("Controle van een levering")
    if REACTIVATED in st.session_state:
        ok, text = st.session_state.pop(REACTIVATED)
        (st.success if ok else st.error)(md(text), icon=":material/restore:")
    options = loads["load_id"].tolist()
    labels = {r.load_id: f"{r.load_id}: {r.bestand} ({r.status})" for r in loads.itertuples()}
    wanted = st.query_params.get("load", "")
    # Strict: ASCII digits only ("²".isdigit() is True), at most 9 of them; anything else is the newest load.
    default = int(wanted) if re.fullmatch(r"[0-9]{1,9}", wanted) and int(wanted) in labels else options[0]
    load_id = st.selectbox(
        "Levering", options, index=options.index(default), format_func=labels.get, key="load"
    )
    st.query_params["load"] = str(load_id)
    row = loads[loads["load_id"] == load_id].iloc[0]
    if row["status"] == "geladen":
        st.success(
            f"Geladen: {fmt.getal(row['rijen_geladen'])} rijen uit **{md(row['bestand'])}** "
            f"(soort bron {md(row['bronsoort'])}, partner {md(row['partner'])}).",
            icon=":material/check_circle:",
        )
        if viewer.beheerder:
            _reactivation_control(int(load_id))
    elif row["status"] == "overgeslagen":
        st.info(
            f"**{md(row['bestand'])}** had dezelfde inhoud als een eerder geladen bestand ({md(row['opmerking'])}); er is "
            "niets gewijzigd.",
            icon=":material/content_copy:",
        )
    else:
        st.error(
            f"Afgewezen: **{md(row['bestand'])}** bevat {fmt.getal(row['fouten'])} fout(en). Er is niets geladen; "
            "verbeter het bestand en lever het opnieuw aan.",
            icon=":material/error:",
        )
    if row["status"] != "overgeslagen":
        st.markdown(
            f"Controles: **{fmt.getal(row['verwachtingen'])}** regels getoetst, **{fmt.getal(row['mislukt'])}** niet "
            f"gehaald. Bestand: {md(row['bestand'])}, SHA-256 {md(row['sha256'])}, geladen door {md(row['gebruiker'])} op "
            f"{fmt.datum_tijd(row['klaar'])}."
        )
    messages = queries.load_messages(int(load_id))
    if not messages.empty:
        st.markdown("**Meldingen**")
        tables.table(
            messages.rename(
                columns={
                    "ernst": "Ernst",
                    "rij": "Rij",
                    "aantal": "Aantal rijen",
                    "kolom": "Kolom",
                    "waarde": "Waarde",
                    "bericht": "Melding",
                }
            ),
            f"Meldingen levering {load_id}",
            hide_index=True,
            width="stretch",
            key="meldingen",
        )
    with st.expander("Alle controleregels van deze levering"):
        checks = queries.load_expectations(int(load_id))
        if checks.empty:
            st.write("Het bestand kon niet gecontroleerd worden (zie de meldingen).")
        else:
            tables.table(
                checks.assign(geslaagd=checks["geslaagd"].map({True: "ja", False: "nee"})).rename(
                    columns={
                        "frame": "Onderdeel",
                        "verwachting": "Great Expectations",
                        "kolom": "Kolom",
                        "regel": "Regel",
                        "geslaagd": "Gehaald",
                        "afwijkend": "Afwijkende waarden",
                    }
                ),
                f"Controles levering {load_id}",
                key="levering_controles",
                hide_index=True,
                width="stretch",
            )


if loads.empty:
    st.info(
        "De laadgeschiedenis (bestanden, meldingen, wie leverde) is zichtbaar voor de beheerder, en per bron voor "
        "de partner die de bron levert.",
        icon=":material/lock:",
    )
else:
    tables.table(history, "Laadgeschiedenis", hide_index=True, width="stretch", key="laadgeschiedenis")
    _one_load()

# ------------------------------------------------------------------------------ area divisions
st.subheader("Gebiedsindelingen")
st.caption(
    "CBS wijzigt buurt- en wijkcodes van jaar tot jaar. Elke levering volgt één gebiedsindeling (opgegeven of "
    "herkend aan de codes); alle cijfers worden getoond op de indeling van de analyse (de nieuwste volledige, of "
    "de instelling 'indeling'). Gebieden van andere indelingen gaan daarheen via dezelfde code, een "
    "omzettingstabel of de overlap van de kaarten (een benadering); wat niet kan worden omgezet, telt niet mee."
)
indelingen = queries.divisions()
if indelingen.empty:
    st.write("Nog geen gebiedsindeling geladen.")
else:
    tables.table(
        indelingen.drop(columns="indeling").rename(
            columns={
                "naam": "Indeling",
                "gemeenten": "Gemeenten",
                "wijken": "Wijken",
                "buurten": "Buurten",
                "met_geometrie": "Met kaart",
                "leveringen": "Leveringen",
                "analyse_gemeenten": "Analyse-indeling van (gemeenten)",
                "eigen": "Eigen",
                "zelfde_code": "Zelfde code",
                "omzettingstabel": "Via omzettingstabel",
                "geometrie": "Via kaart",
                "niet_omgezet": "Niet omgezet",
            }
        ),
        "Gebiedsindelingen",
        hide_index=True,
        width="stretch",
        key="indelingen",
    )

# ------------------------------------------------------------------------------ rows per source
st.subheader("Rijen per bron en jaar")
st.caption(
    "Alleen de actuele rijen: een nieuwere levering voor dezelfde gebieden en perioden vervangt de oude "
    "(die blijft als geschiedenis bewaard)."
)
per_year = queries.rows_per_source_year()
if per_year.empty:
    st.write("Nog geen rijen.")
else:
    table = per_year.pivot_table(index="bron", columns="jaar", values="rijen", aggfunc="sum", fill_value=0)
    table.columns = [str(c) for c in table.columns]
    tables.table(table.map(fmt.getal), "Rijen per bron en jaar", width="stretch", key="rijen_per_jaar")

# ------------------------------------------------------------------------------- snapshots
packsection.snapshots_section()

# ------------------------------------------------------------------------------- coverage matrix
st.subheader("Dekking per wijk")
coverage = queries.coverage(state.gemeente())
if coverage.empty:
    st.write("Nog geen gegevens per wijk.")
    st.stop()
bronnen = sorted(coverage["bron"].unique())
bron = st.selectbox(
    "Bron", bronnen, key="dekking_bron", index=bronnen.index("politie") if "politie" in bronnen else 0
)
sel = coverage[coverage["bron"] == bron].copy()
sel["verwacht"] = sel["periode_type"].map(PERIODS_PER_YEAR).fillna(1)
sel["dekking"] = (sel["perioden"] / sel["verwacht"]).clip(upper=1.0)
years = list(range(int(coverage["jaar"].min()), int(coverage["jaar"].max()) + 1))
wijken = sel[["wijk_code", "wijk_naam"]].drop_duplicates().sort_values("wijk_code")
grid = sel.pivot_table(index="wijk_naam", columns="jaar", values="dekking").reindex(
    index=wijken["wijk_naam"], columns=years
)
text = sel.pivot_table(index="wijk_naam", columns="jaar", values="perioden").reindex(
    index=wijken["wijk_naam"], columns=years
)
expected = int(sel["verwacht"].max())
fig = go.Figure(
    go.Heatmap(
        z=grid.values,
        x=[str(y) for y in years],
        y=plots(grid.index),
        zmin=0,
        zmax=1,
        colorscale=[[0, "#f7f7f7"], [0.5, "#9ecae1"], [1, "#08519c"]],
        text=[[("–" if pd.isna(v) else f"{int(v)}/{expected}") for v in r] for r in text.values],
        texttemplate="%{text}",
        hovertemplate="%{y}, %{x}: %{text} perioden<extra></extra>",
        colorbar={"title": "deel van<br>de perioden", "tickformat": ".0%"},
    )
)
fig.update_layout(
    height=120 + 28 * len(grid.index),
    margin={"l": 10, "r": 10, "t": 10, "b": 10},
    yaxis={"autorange": "reversed"},
    font={"family": "sans-serif", "color": "#262730"},
)
# labels in the text colour, not Streamlit's Plotly grey #808495 (3.7:1, below WCAG's 4.5:1)
fig.update_xaxes(tickfont_color="#262730").update_yaxes(tickfont_color="#262730")
st.plotly_chart(fig, width="stretch", key="dekking")
missing = int(grid.isna().sum().sum() + (grid < 1).sum().sum())
st.caption(
    f"Bron {md(bron)}: per wijk en jaar het aantal geleverde perioden van de {expected} per jaar. "
    f"{fmt.getal(missing)} van de {fmt.getal(grid.size)} cellen zijn leeg of onvolledig."
)
if st.toggle("Toon als tabel", key="dekking_tabel"):
    tables.table(text.fillna(0).astype(int), f"Dekking {bron}", key="dekking_matrix", width="stretch")
