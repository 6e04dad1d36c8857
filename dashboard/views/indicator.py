"""Indicator: one indicator across all wijken: definition, ranking with intervals, map, trend, provenance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, queries, state, tables
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

geen_oordeel = meta["onzekerheid"] == "geen"  # the Leefbaarometer: no margin, no interval, so no verdict
breuken = queries.method_breaks(code)
spreiding = queries.overdispersion(code, gemeente_code) if meta["onzekerheid"] == "poisson" else None

# ------------------------------------------------------------------------------------------ method notes
for b in breuken.itertuples():
    if pd.notna(b.omrekenfactor):
        st.info(
            f"Methodebreuk in {b.jaar}: {md(b.omschrijving)}. Bij een vergelijking over de breuk heen (zoals "
            f"{basisjaar} met later) is de waarde van vóór {b.jaar} omgerekend met factor "
            f"{fmt.getal(b.omrekenfactor, 2)}.",
            icon=":material/change_circle:",
        )
    else:
        st.warning(
            f"Methodebreuk in {b.jaar}: {md(b.omschrijving)}. Er is geen omrekenfactor: jaren vóór en na "
            f"{b.jaar} worden niet met elkaar vergeleken (geen score en geen oordeel ten opzichte van {basisjaar}).",
            icon=":material/change_circle:",
        )
if geen_oordeel:
    st.info(
        "Deze indicator heeft geen marge of interval: er is geen oordeel beter, gelijk of slechter."
        + (
            " Hij telt niet mee in de samengestelde score en dient ter vergelijking."
            if meta["gewicht"] == 0
            else ""
        ),
        icon=":material/info:",
    )

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
        f"- **Onzekerheid:** {md(meta['onzekerheid'])} "
        + (
            "(geen interval en geen toets)\n"
            if geen_oordeel
            else "(95%-interval en toets op verandering, zie docs/methodology.md)\n"
        )
        + f"- **Thema:** {md(meta['thema_titel'])} · **soort:** {md(meta['soort'])} · **gewicht:** {fmt.getal(meta['gewicht'])}\n"
        f"- **Vergelijkbaar vanaf:** {md(meta['vergelijkbaar_vanaf'])}"
        + (
            " (methodebreuk na het basisjaar: geen oordeel t.o.v. het basisjaar)"
            if meta["vergelijkbaar_vanaf"] > basisjaar
            else ""
        )
        + (f"\n- **Normering:** {md(', '.join(meta['normering']))}" if len(meta["normering"]) else "")
        + "".join(
            f"\n- **Methodebreuk {b.jaar}:** {md(b.omschrijving)}"
            + (
                f" (omrekenfactor {fmt.getal(b.omrekenfactor, 2)})"
                if pd.notna(b.omrekenfactor)
                else " (geen omrekenfactor: niet vergelijkbaar over de breuk)"
            )
            for b in breuken.itertuples()
        )
    )
    if spreiding is not None and not spreiding.empty:
        st.markdown(
            "**Spreiding boven toeval (overdispersie).** Aantallen als misdrijven en meldingen schommelen van jaar "
            "tot jaar meer dan puur toeval (herhaald slachtofferschap, een reeks door één dader). Die extra "
            "variantie σ² van de log-waarde, geschat uit de jaar-op-jaarverschillen tot en met "
            f"{basisjaar}, telt bij elke vergelijking twee keer mee in de onzekerheid:"
        )
        tables.table(
            pd.DataFrame(
                {
                    "Niveau": spreiding["niveau"],
                    "σ² gebruikt": spreiding["sigma2"].round(4),
                    "σ² geschat": spreiding["sigma2_geschat"].round(4),
                    "Jaarparen": spreiding["paren"],
                    "Herkomst": spreiding["herkomst"],
                }
            ),
            f"Spreiding {code}",
            key="spreiding_tabel",
            hide_index=True,
            width="stretch",
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
    "Punt = waarde, zonder interval: deze indicator heeft geen marge, dus ook geen oordeel beter of slechter."
    if geen_oordeel
    else "Punt = waarde, streep = 95%-interval; kleur = verandering t.o.v. "
    + str(basisjaar)
    + " (blauw beter, grijs gelijk, oranje slechter). Overlappende strepen: het verschil tussen die wijken is "
    "niet aantoonbaar. Beweeg over een punt voor de score (100 = "
    + str(basisjaar)
    + ") met haar 95%-interval."
)
onvolledig = nu[nu["dekking"].notna() & (nu["dekking"] < 1)]
if not onvolledig.empty:
    st.warning(
        "Niet volledig geleverd in "
        + str(jaar)
        + ": "
        + "; ".join(
            f"{md(r.gebied_naam)}: dekking {fmt.getal(100 * r.dekking)}%: niet alle buurten geleverd"
            for r in onvolledig.itertuples()
        )
        + ". De waarde is berekend over de buurten die wel geleverd hebben (teller en noemer van dezelfde buurten).",
        icon=":material/warning:",
    )
# values carried from another area division (etl/indeling.py): said per wijk, with how
OMZETTING = {1: "zelfde code", 2: "omzettingstabel", 3: "overlap van de kaarten (benadering)"}
omgezet = reeks[reeks["jaar"].isin([jaar, basisjaar]) & (reeks["omzetting"].fillna(0) >= 1)]
if not omgezet.empty:
    indeling = int(reeks["indeling"].iloc[0])
    per_wijk = omgezet.groupby("gebied_naam")["omzetting"].max()
    st.info(
        "Omgezet uit een andere gebiedsindeling naar de indeling van de analyse ("
        + ("zonder jaar" if indeling == 0 else str(indeling))
        + "): "
        + "; ".join(f"{md(naam)}: via {OMZETTING[int(r)]}" for naam, r in per_wijk.items())
        + ". Bij de overlap van de kaarten wordt aangenomen dat wat geteld wordt gelijk over het gebied verdeeld is.",
        icon=":material/swap_horiz:",
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
        "n_eff",
        "dekking",
        "waarde",
        "ci_laag",
        "ci_hoog",
        "basiswaarde",
        "omrekenfactor",
        "overdispersie",
        "score",
        "score_laag",
        "score_hoog",
        "verandering",
        "omzetting",
        "opmerking",
    ]
    tabel = nu[[k for k in kolommen if k in nu.columns]].assign(
        dekking=(100 * nu["dekking"]).round(0),
        verandering=nu["verandering"].fillna("geen oordeel"),
        omzetting=nu["omzetting"].map(lambda r: OMZETTING.get(int(r), "") if pd.notna(r) else ""),
    )
    tables.table(
        tabel.rename(
            columns={
                "gebied_naam": "Wijk",
                "n_eff": "n effectief",
                "dekking": "dekking (%)",
                "ci_laag": "interval laag",
                "ci_hoog": "interval hoog",
                "basiswaarde": f"waarde {basisjaar}",
                "overdispersie": "σ²",
                "score_laag": "score laag",
                "score_hoog": "score hoog",
            }
        ).round(4 if meta["onzekerheid"] == "poisson" else 2),
        f"{code} per wijk {jaar}",
        key="wijken_tabel",
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
tables.table(
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
    f"Herkomst {code} {jaar}",
    key="herkomst_tabel",
    hide_index=True,
    width="stretch",
)
state.source_link(list(herkomst["load_id"]))
