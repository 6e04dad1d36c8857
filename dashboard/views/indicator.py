"""Indicator: one indicator across all wijken: definition, ranking with intervals, map, trend, provenance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, queries, state
from dashboard import format as fmt
from dashboard.safe import md

if not queries.has_indicators():
    st.title("Indicator")
    state.no_data_message()
    st.stop()

gemeente_code = state.gemeente()
instellingen = queries.settings()
basisjaar, doeljaar = int(instellingen["basisjaar"]), int(instellingen["doeljaar"])
catalogus = queries.indicators_catalogue().set_index("indicator")
titels = catalogus["titel"].to_dict()

keuze = st.columns([3, 1])
code = state.select(
    keuze[0],
    "Indicator",
    list(catalogus.index),
    "indicator",
    format_func=titels.get,
    default="misdrijven_per_1000_inwoners",
)
meta = catalogus.loc[code]
reeks = queries.indicator_level(code, "wijk", gemeente_code)
jaren = sorted(reeks["jaar"].unique().tolist()) or [doeljaar]
jaar = state.select(keuze[1], "Jaar", jaren, "jaar", default=doeljaar if doeljaar in jaren else max(jaren))
st.title(md(meta["titel"]))
st.markdown(md(meta["uitleg"]))

# ------------------------------------------------------------------------------------------ definition
with st.expander("Definitie en methode", expanded=False):
    formule = f"{md(', '.join(meta['teller_variabelen']))} ({md(meta['teller_bron'])})"
    if meta["heeft_noemer"]:
        formule += (
            f" / {md(', '.join(meta['noemer_variabelen']))} ({md(meta['noemer_bron'])}) "
            f"× {fmt.getal(meta['factor'])}"
        )
    st.markdown(
        f"- **Formule:** {formule}\n"
        f"- **Eenheid:** {md(meta['eenheid'])}\n"
        f"- **Richting:** {'hoger is beter' if meta['polariteit'] == 'hoger_is_beter' else 'lager is beter'}\n"
        f"- **Onzekerheid:** {md(meta['onzekerheid'])} (95%-interval en toets op verandering, zie docs/methodology.md)\n"
        f"- **Thema:** {md(meta['thema_titel'])} · **soort:** {md(meta['soort'])} · **gewicht:** {fmt.getal(meta['gewicht'])}\n"
        f"- **Vergelijkbaar vanaf:** {md(meta['vergelijkbaar_vanaf'])}"
        + (
            " (methodebreuk na het basisjaar: geen oordeel t.o.v. het basisjaar)"
            if meta["vergelijkbaar_vanaf"] > basisjaar
            else ""
        )
        + (f"\n- **Normering:** {md(', '.join(meta['normering']))}" if len(meta["normering"]) else "")
    )

if reeks.empty:
    st.info("Geen gegevens voor deze indicator op wijkniveau.")
    state.source_link()
    st.stop()

nu = reeks[reeks["jaar"] == jaar]
gemeente = queries.indicator_level(code, "gemeente", gemeente_code)
gem_nu = gemeente[gemeente["jaar"] == jaar]
gem_waarde = (
    float(gem_nu["waarde"].iloc[0]) if not gem_nu.empty and pd.notna(gem_nu["waarde"].iloc[0]) else None
)

# ------------------------------------------------------------------------------------------ ranking
st.subheader(f"Wijken in {jaar}")
st.caption(
    "Punt = waarde, streep = 95%-interval; kleur = oordeel t.o.v. " + str(basisjaar) + " (blauw beter, grijs "
    "gelijk, oranje slechter). Overlappende strepen: het verschil tussen die wijken is niet aantoonbaar."
)
fig, alt = charts.ranking(nu, meta["eenheid"], gem_waarde, meta["polariteit"] == "hoger_is_beter")
st.plotly_chart(fig, key="rangorde", config={"displayModeBar": False}, alt=alt)
st.caption(md(alt))
if nu["onderdrukt"].any():
    st.caption(
        f"{int(nu['onderdrukt'].sum())} wijk(en) hebben een klein aantal (1–4): die waarde wordt in exports en "
        "rapporten niet getoond."
    )

# ------------------------------------------------------------------------------------------ map + trend
links, rechts = st.columns(2)
with links:
    st.markdown(f"**Kaart {jaar}**")
    kaart = nu.rename(columns={"waarde": "w"})
    lo, hi = kaart["w"].min(), kaart["w"].max()
    fig, alt = charts.choropleth(
        kaart,
        "w",
        meta["eenheid"],
        zmid=gem_waarde,
        zmin=lo,
        zmax=hi,
        height=380,
        colourscale=charts.value_scale(meta["polariteit"] == "hoger_is_beter"),
    )
    st.plotly_chart(fig, key="kaart", config={"displayModeBar": False}, alt=alt)
    st.caption(md(alt))
with rechts:
    st.markdown("**Ontwikkeling**")
    lijnen = pd.concat([reeks.assign(reeks=reeks["gebied_naam"]), gemeente.assign(reeks="Gemeente")])
    fig, alt = charts.trend(
        lijnen.drop(columns="score").rename(columns={"waarde": "score"}),
        "reeks",
        meta["eenheid"],
        baseline_year=basisjaar,
        target_year=doeljaar,
        highlight="Gemeente",
        reference=None,
    )
    st.plotly_chart(fig, key="trend", config={"displayModeBar": False}, alt=alt)
    st.caption(md(alt))

if st.toggle("Toon als tabel, met teller en noemer", key="tabel"):
    st.caption(
        "Zo komt elke waarde tot stand: teller / noemer × factor (enquête: het gemeten gemiddelde of "
        "percentage met het aantal respondenten n)."
    )
    kolommen = [
        "gebied_naam",
        "teller",
        "noemer",
        "n",
        "waarde",
        "ci_laag",
        "ci_hoog",
        "basiswaarde",
        "score",
        "verandering",
        "opmerking",
    ]
    tabel = nu[[k for k in kolommen if k in nu.columns]]
    st.dataframe(
        tabel.rename(
            columns={
                "gebied_naam": "Wijk",
                "ci_laag": "interval laag",
                "ci_hoog": "interval hoog",
                "basiswaarde": f"waarde {basisjaar}",
            }
        ).round(2),
        hide_index=True,
        width="stretch",
    )

# ------------------------------------------------------------------------------------------ provenance
st.subheader("Herkomst")
herkomst = queries.herkomst(code, list(nu["gebied_code"]), jaar)
st.caption(
    f"De cijfers van {jaar} komen uit deze leveringen: per levering de rijen die in de teller of de noemer "
    "meetellen (formule hierboven, berekening in indicators/sql; elke rij is terug te voeren op een bestand "
    "en een regel). De noemer komt uit het laatste jaar tot en met dit jaar dat er is."
)
st.dataframe(
    herkomst.assign(
        klaar=herkomst["klaar"].map(fmt.datum_tijd),
        sha256=herkomst["sha256"].str[:12],
        jaren=[
            f"{a}" if a == b else f"{a}–{b}"
            for a, b in zip(herkomst["van_jaar"], herkomst["tot_jaar"], strict=True)
        ],
    )
    .drop(columns=["van_jaar", "tot_jaar"])
    .rename(
        columns={
            "load_id": "Load",
            "bestand": "Bestand",
            "bron": "Bron",
            "partner": "Partner",
            "rol": "Deel",
            "rijen": "Rijen",
            "jaren": "Jaar",
            "klaar": "Geladen",
            "gebruiker": "Door",
        }
    ),
    hide_index=True,
    width="stretch",
)
state.source_link(list(herkomst["load_id"]))
