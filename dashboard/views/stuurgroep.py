"""Stuurgroep: "Liggen we op koers?" Is every wijk at least as liveable as in the baseline year?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, queries, state
from dashboard import format as fmt
from dashboard.safe import md

st.title("Liggen we op koers?")

if not queries.has_indicators():
    state.no_data_message()
    st.stop()

gemeente = state.gemeente()
instellingen = queries.settings()
basisjaar, standaard_doeljaar = int(instellingen["basisjaar"]), int(instellingen["doeljaar"])
jaren = queries.composite_years()
themas = queries.themes()
thema_titels = dict(zip(themas["thema"], themas["titel"], strict=True))

# ------------------------------------------------------------------------------------------ selectors
keuze = st.columns([1, 1, 2, 2])
jaar = state.select(
    keuze[0],
    "Jaar",
    [y for y in jaren if y >= basisjaar],
    "jaar",
    default=min(max(jaren), standaard_doeljaar) if standaard_doeljaar in jaren else max(jaren),
)
doeljaren = sorted(set(range(basisjaar + 1, max(max(jaren), standaard_doeljaar) + 3)))
doeljaar = state.select(keuze[1], "Doeljaar", doeljaren, "doeljaar", default=standaard_doeljaar)
thema = state.select(
    keuze[2],
    "Thema",
    ["samengesteld", *themas["thema"]],
    "thema",
    default="samengesteld",
    format_func=lambda t: "Alle thema's" if t == "samengesteld" else thema_titels[t],
)
soort = state.select(
    keuze[3],
    "Cijfers of beleving",
    ["beide", "objectief", "subjectief"],
    "soort",
    default="beide",
    format_func={
        "beide": "Beide (50/50)",
        "objectief": "Cijfers (objectief)",
        "subjectief": "Beleving (subjectief)",
    }.get,
    horizontal=True,
)


def groep_voor(thema_code: str) -> str:
    """The composite group for a theme ('samengesteld' = all themes: the overall composite) and the chosen kind."""
    if thema_code == "samengesteld":
        return "samengesteld" if soort == "beide" else soort
    return thema_code if soort == "beide" else f"{thema_code}/{soort}"


groep = groep_voor(thema)
groep_label = ("samengestelde score" if thema == "samengesteld" else f"thema {thema_titels[thema]}") + (
    "" if soort == "beide" else f" ({soort})"
)

wijken = queries.areas("wijk", gemeente)
wijk_namen = dict(zip(wijken["gebied_code"], wijken["gebied_naam"], strict=True))
status = queries.target_status("wijk", jaar, doeljaar, groep, gemeente)
voor_doeljaar = jaar < doeljaar
goed = {"gehaald", "op koers"}

# ------------------------------------------------------------------------------------------ headline
aantal_goed = int(status["status"].isin(goed).sum())
st.subheader(
    f"{aantal_goed} van de {len(status)} wijken "
    + (
        f"liggen op koers voor {doeljaar}"
        if voor_doeljaar
        else f"halen in {doeljaar} het niveau van {basisjaar}"
    )
)
st.caption(
    f"Stand {jaar}, {md(groep_label)}. Doel van het convenant: de leefbaarheid is in {doeljaar} minimaal gelijk aan of "
    f"beter dan in {basisjaar} (score 100). 'Gehaald' betekent: niet aantoonbaar lager dan 100 (95%-zekerheid)."
)
telling = status["status"].value_counts()
kolommen = st.columns(5)
soorten = ["op koers", "risico", "uit koers"] if voor_doeljaar else ["gehaald", "niet gehaald"]
for kolom, naam in zip(kolommen, soorten, strict=False):
    kolom.metric(naam.capitalize(), fmt.getal(int(telling.get(naam, 0))))
if telling.get("geen data", 0):
    st.caption(f"{int(telling['geen data'])} wijk(en) zonder gegevens voor dit oordeel.")

per_thema = []
for code, titel in [("samengesteld", "Samengesteld"), *thema_titels.items()]:
    s = queries.target_status("wijk", jaar, doeljaar, groep_voor(code), gemeente)
    per_thema.append(
        {
            "Thema": titel,
            "Op koers of gehaald": int(s["status"].isin(goed).sum()),
            "Risico of niet": int(s["status"].isin({"risico", "uit koers", "niet gehaald"}).sum()),
            "Geen data": int((s["status"] == "geen data").sum()),
        }
    )
with st.expander("Per thema"):
    st.dataframe(pd.DataFrame(per_thema), hide_index=True, width="stretch")

# ------------------------------------------------------------------------------------------ matrix
st.subheader(f"Wijken en thema's in {jaar}")
st.caption(
    "Kleur = oordeel ten opzichte van " + str(basisjaar) + ": **blauw = beter**, **grijs = gelijk** (geen "
    "aantoonbaar verschil), **oranje = slechter**, wit = geen data. In de cel de score (100 = "
    f"{basisjaar}); beweeg over een cel voor het 95%-interval."
)
if soort == "beide":
    matrix_groepen = ["samengesteld", *themas["thema"]]
    labels = {"samengesteld": "Samengesteld", **thema_titels}
else:
    matrix_groepen = [soort, *[f"{t}/{soort}" for t in themas["thema"]]]
    labels = {soort: f"Samengesteld ({soort})", **{f"{t}/{soort}": thema_titels[t] for t in themas["thema"]}}
matrix = queries.composites("wijk", jaar, matrix_groepen, gemeente)
fig, alt = charts.verdict_matrix(matrix, list(wijken["gebied_code"]), matrix_groepen, wijk_namen, labels)
st.plotly_chart(fig, key="matrix", config={"displayModeBar": False}, alt=alt)
st.caption(md(alt))
with st.popover("Open een wijk"):
    for code, naam in wijk_namen.items():
        st.page_link("views/wijk.py", label=md(naam), query_params={"wijk": code, "jaar": str(jaar)})

# ------------------------------------------------------------------------------------------ map
st.subheader("Kaart")
niveau = state.select(
    st,
    "Gebieden op de kaart",
    ["wijk", "buurt"],
    "kaart",
    default="wijk",
    format_func={"wijk": "Wijken", "buurt": "Buurten"}.get,
    horizontal=True,
)
if niveau == "wijk":
    kaart = status.rename(columns={"score": "waarde"})
else:
    kaart = queries.target_status("buurt", jaar, doeljaar, groep, gemeente).rename(
        columns={"score": "waarde"}
    )
    st.caption("Buurten hebben alleen cijfers (objectief): de bewonersenquête wordt per wijk gehouden.")
fig, alt = charts.choropleth(kaart, "waarde", "score")
st.plotly_chart(fig, key="kaart", config={"displayModeBar": False}, alt=alt)
st.caption(md(alt))

# ------------------------------------------------------------------------------------------ trend
st.subheader(f"Ontwikkeling sinds {basisjaar}")
trend = queries.composite_trend("wijk", groep, gemeente)
trend = trend[trend["jaar"] >= basisjaar].rename(columns={"gebied_naam": "wijk"})
gekozen = st.selectbox("Markeer een wijk", ["geen", *wijk_namen.values()], key="markeer")
fig, alt = charts.trend(
    trend,
    "wijk",
    "score (100 = " + str(basisjaar) + ")",
    baseline_year=basisjaar,
    target_year=doeljaar,
    highlight=None if gekozen == "geen" else gekozen,
)
st.plotly_chart(fig, key="trend", config={"displayModeBar": False}, alt=alt)
st.caption(md(alt))
if st.toggle("Toon als tabel", key="trend_tabel"):
    tabel = trend.pivot_table(index="wijk", columns="jaar", values="score").round(1)
    tabel.columns = [str(c) for c in tabel.columns]
    st.dataframe(tabel, width="stretch")

# ------------------------------------------------------------------------------------------ attention
st.subheader("Aandacht nodig")
zorg = status[status["status"].isin({"niet gehaald", "uit koers", "risico"})]
if zorg.empty:
    st.success("Geen wijk mist het doel of loopt risico.", icon=":material/check_circle:")
else:
    slechtste = queries.worst_indicators("wijk", jaar, gemeente)
    for r in zorg.sort_values("score").itertuples():
        items = slechtste[slechtste["gebied_code"] == r.gebied_code]
        uitleg = "; ".join(
            f"{md(i.titel)} (score {fmt.getal(i.score)}, {md(i.verandering)})" for i in items.itertuples()
        )
        with st.container(border=True):
            st.markdown(
                f"**{md(r.gebied_naam)}**: {md(r.status)}, score {fmt.getal(r.score)}"
                + (f", verwacht in {doeljaar}: {fmt.getal(r.projectie)}" if pd.notna(r.projectie) else "")
            )
            st.caption(f"Zwakste onderdelen: {uitleg or 'geen'}")
            st.page_link(
                "views/wijk.py",
                label=f"Naar {md(r.gebied_naam)}",
                icon=":material/arrow_forward:",
                query_params={"wijk": r.gebied_code, "jaar": str(jaar)},
            )

state.source_link()
