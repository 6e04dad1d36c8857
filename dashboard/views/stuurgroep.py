"""Stuurgroep: "Liggen we op koers?" Is every wijk at least as liveable as in the baseline year, within the
margin the stuurgroep agreed? Three answers, never two: gehaald / niet gehaald / onbeslist (before the target
year: op koers / uit koers / onzeker), because where the data cannot tell, the page says so."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, packsection, plansections, queries, state, steeringsections, tables
from dashboard import format as fmt
from dashboard.safe import md

st.title("Liggen we op koers?")

if not queries.has_indicators():
    state.no_data_message()
    st.stop()

packsection.pack_section()

gemeente = state.gemeente()
instellingen = queries.settings()
basisjaar, standaard_doeljaar = int(instellingen["basisjaar"]), int(instellingen["doeljaar"])
marge, fdr = float(instellingen["marge"]), float(instellingen["fdr_matrix"])
grens = 100 * (1 - marge)
pct = fmt.procent(marge)
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
soorten = charts.STATUS_VOOR_DOELJAAR if voor_doeljaar else charts.STATUS_NA_DOELJAAR
goed, slecht, open_ = soorten

# ------------------------------------------------------------------------------------------ headline
telling = status["status"].value_counts()
aantallen = {naam: int(telling.get(naam, 0)) for naam in [*soorten, "geen data"]}
delen = [
    f"{aantallen[goed]} {'wijk' if aantallen[goed] == 1 else 'wijken'} {goed}",
    f"{aantallen[slecht]} {slecht}",
    f"{aantallen[open_]} {open_}",
]
if aantallen["geen data"]:
    delen.append(f"{aantallen['geen data']} zonder gegevens")
if voor_doeljaar:
    kop = f"Vooruitblik naar {doeljaar} (stand {jaar}): " + ", ".join(delen)
    betekenis = (
        f"marge {pct}: 'op koers' = ook de voorzichtigste voorspelling ligt hoogstens {pct} onder {basisjaar}"
    )
else:
    kop = f"In {doeljaar}: " + ", ".join(delen)
    betekenis = f"marge {pct}: '{goed}' = aantoonbaar hoogstens {pct} onder {basisjaar}"
st.subheader(f"{kop} ({betekenis})")
st.caption(
    f"Stand {jaar}, {md(groep_label)}. Doel van het convenant: de leefbaarheid is in {doeljaar} minimaal gelijk "
    f"aan of beter dan in {basisjaar} (score 100). De stuurgroep heeft een marge van {pct} afgesproken: een "
    f"score van {fmt.getal(grens, 1)} of hoger telt als 'gelijk aan {basisjaar}'."
)
if voor_doeljaar:
    st.markdown(
        f"- **Op koers**: de lijn door de scores van {basisjaar} tot en met {jaar}, doorgetrokken naar {doeljaar}, "
        f"komt met 95% zekerheid op {fmt.getal(grens, 1)} of hoger uit (het hele voorspellingsinterval).\n"
        f"- **Uit koers**: het hele voorspellingsinterval voor {doeljaar} ligt onder {fmt.getal(grens, 1)}.\n"
        f"- **Onzeker**: het voorspellingsinterval ligt deels boven en deels onder {fmt.getal(grens, 1)}, of er "
        "zijn nog te weinig jaren gemeten voor een voorspelling. Dat is geen slecht nieuws en geen goed nieuws: "
        "de gegevens kunnen het nog niet zeggen."
    )
else:
    st.markdown(
        f"- **Gehaald**: de score van {doeljaar} ligt met 95% zekerheid hoogstens {pct} onder {basisjaar} "
        f"(de ondergrens van de score is {fmt.getal(grens, 1)} of meer).\n"
        f"- **Niet gehaald**: de score ligt met 95% zekerheid meer dan {pct} onder {basisjaar} (ook de "
        f"bovengrens is lager dan {fmt.getal(grens, 1)}).\n"
        f"- **Onbeslist**: de gegevens kunnen het niet zeggen: de onzekerheid van de score loopt over de grens "
        f"van {fmt.getal(grens, 1)} heen. Meestal door kleine aantallen (weinig gebeurtenissen of respondenten); "
        "de wijkpagina zegt waarom en welk verschil wél aan te tonen is."
    )
kolommen = st.columns(4)
for kolom, naam in zip(kolommen, soorten, strict=False):
    kolom.metric(naam.capitalize(), fmt.getal(aantallen[naam]))
if aantallen["geen data"]:
    kolommen[3].metric("Geen gegevens", fmt.getal(aantallen["geen data"]))

per_thema = []
for code, titel in [("samengesteld", "Samengesteld"), *thema_titels.items()]:
    s = queries.target_status("wijk", jaar, doeljaar, groep_voor(code), gemeente)["status"]
    per_thema.append(
        {"Thema": titel}
        | {naam.capitalize(): int((s == naam).sum()) for naam in soorten}
        | {"Geen gegevens": int((s == "geen data").sum())}
    )
with st.expander("Per thema"):
    tables.table(
        pd.DataFrame(per_thema), "Per thema", key="per_thema_tabel", hide_index=True, width="stretch"
    )

# ------------------------------------------------------------------------------------------ matrix
q_tekst = fmt.getal(fdr, 2)
st.subheader(f"Wijken en thema's in {jaar}")
st.caption(
    f"Kleur = verandering ten opzichte van {basisjaar}, na correctie voor het aantal toetsen "
    f"(Benjamini–Hochberg, q = {q_tekst}: van de cellen die 'beter' of 'slechter' heten, is naar verwachting "
    f"hoogstens {fmt.procent(fdr)} toeval): **blauw ▲ = beter**, **grijs = gelijk** (geen aantoonbaar verschil), "
    f"**oranje ▼ = slechter**, wit = geen data. In de cel de score (100 = {basisjaar}); beweeg over een cel "
    "voor het 95%-interval en de p-waarde zonder en met correctie."
)
if soort == "beide":
    matrix_groepen = ["samengesteld", *themas["thema"]]
    labels = {"samengesteld": "Samengesteld", **thema_titels}
else:
    matrix_groepen = [soort, *[f"{t}/{soort}" for t in themas["thema"]]]
    labels = {soort: f"Samengesteld ({soort})", **{f"{t}/{soort}": thema_titels[t] for t in themas["thema"]}}
matrix = queries.composites("wijk", jaar, matrix_groepen, gemeente)
fig, alt = charts.verdict_matrix(
    matrix, list(wijken["gebied_code"]), matrix_groepen, wijk_namen, labels, q=fdr
)
st.plotly_chart(fig, key="matrix", config={"displayModeBar": False}, alt=alt)
st.caption(md(alt))
with st.popover("Open een wijk"):
    for code, naam in wijk_namen.items():
        st.page_link("views/wijk.py", label=md(naam), query_params={"wijk": code, "jaar": str(jaar)})

# ------------------------------------------------------------------------------------------ map + table
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
kaart = status if niveau == "wijk" else queries.target_status("buurt", jaar, doeljaar, groep, gemeente)
if niveau == "buurt":
    st.caption("Buurten hebben alleen cijfers (objectief): de bewonersenquête wordt per wijk gehouden.")
fig, alt = charts.status_map(kaart, soorten)
st.plotly_chart(fig, key="kaart", config={"displayModeBar": False}, alt=alt)
st.caption(md(alt))

if voor_doeljaar:
    tabel = pd.DataFrame(
        {
            "Gebied": kaart["gebied_naam"],
            "Oordeel": kaart["status"],
            f"Score {jaar}": kaart["score"].round(1),
            f"Verwacht {doeljaar}": kaart["projectie"].round(1),
            "Voorspelling laag": kaart["projectie_laag"].round(2),
            "Voorspelling hoog": kaart["projectie_hoog"].round(2),
            "Jaren gemeten": kaart["trendjaren"],
        }
    )
    uitleg = (
        f"Voorspelling laag / hoog: het 95%-voorspellingsinterval voor {doeljaar}; op koers als 'laag' minstens "
        f"{fmt.getal(grens, 1)} is, uit koers als 'hoog' lager is. Met weinig jaren is het interval breed."
    )
else:
    tabel = pd.DataFrame(
        {
            "Gebied": kaart["gebied_naam"],
            "Oordeel": kaart["status"],
            f"Score {doeljaar}": kaart["doel_score"].round(1),
            "Ondergrens": kaart["doel_ondergrens"].round(2),
            "Bovengrens": kaart["doel_bovengrens"].round(2),
            "Aan te tonen daling (%)": kaart["doel_detecteerbaar"].round(0),
            "Indicatoren": kaart["doel_dekking"],
        }
    )
    uitleg = (
        f"Ondergrens en bovengrens: de score ligt er met 95% zekerheid boven en onder (eenzijdig). Gehaald als de "
        f"ondergrens minstens {fmt.getal(grens, 1)} is, niet gehaald als de bovengrens lager is. 'Aan te tonen "
        "daling': de daling die deze aantallen met 80% kans zouden opmerken; is die groter dan de marge van "
        f"{pct}, dan kan de uitkomst onbeslist blijven."
    )
with st.expander(f"Oordeel per {niveau} als tabel"):
    st.caption(uitleg)
    tables.table(tabel, f"Oordeel per {niveau} {jaar}", key="oordeel_tabel", hide_index=True, width="stretch")

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
    limit=grens,
    limit_label=f"grens {fmt.getal(grens, 1)} (marge {pct})",
)
st.plotly_chart(fig, key="trend", config={"displayModeBar": False}, alt=alt)
st.caption(md(alt))
if st.toggle("Toon als tabel", key="trend_tabel"):
    tabel = trend.pivot_table(index="wijk", columns="jaar", values="score").round(1)
    tabel.columns = [str(c) for c in tabel.columns]
    tables.table(tabel, f"Scores per wijk sinds {basisjaar}", key="trend_matrix", width="stretch")

# ------------------------------------------------------------------------------------------ attention
st.subheader("Aandacht nodig")
zorg = status[status["status"] == slecht]
if zorg.empty:
    st.success(f"Geen wijk is {slecht}.", icon=":material/check_circle:")
else:
    slechtste = queries.worst_indicators("wijk", jaar, gemeente)
    for r in zorg.sort_values("score").itertuples():
        items = slechtste[slechtste["gebied_code"] == r.gebied_code]
        zwakst = "; ".join(
            f"{md(i.titel)} (score {fmt.getal(i.score)}, {md(i.verandering)})" for i in items.itertuples()
        )
        if voor_doeljaar:
            cijfers = (
                f"score {fmt.getal(r.score)} in {jaar}, verwacht in {doeljaar}: {fmt.getal(r.projectie)} "
                f"(95%-voorspellingsinterval {fmt.getal(r.projectie_laag)} – {fmt.getal(r.projectie_hoog)}, "
                f"grens {fmt.getal(grens, 1)})"
            )
        else:
            cijfers = (
                f"score {fmt.getal(r.doel_score)} in {doeljaar}, met 95% zekerheid hoogstens "
                f"{fmt.bij_grens(r.doel_bovengrens, grens)} (grens {fmt.getal(grens, 1)})"
            )
        with st.container(border=True):
            st.markdown(f"**{md(r.gebied_naam)}: {r.status}**, {cijfers}")
            st.caption(f"Zwakste onderdelen: {zwakst or 'geen'}")
            st.page_link(
                "views/wijk.py",
                label=f"Naar {md(r.gebied_naam)}",
                icon=":material/arrow_forward:",
                query_params={"wijk": r.gebied_code, "jaar": str(jaar)},
            )

onbeslist = status[status["status"] == open_]
if not onbeslist.empty:
    with st.expander(f"{open_.capitalize()} ({len(onbeslist)}): waarom de gegevens het niet kunnen zeggen"):
        for r in onbeslist.itertuples():
            if voor_doeljaar:
                reden = (
                    f"nog maar {r.trendjaren} jaar gemeten: te weinig voor een voorspelling"
                    if pd.isna(r.projectie_laag)
                    else f"verwacht in {doeljaar}: {fmt.getal(r.projectie)}, 95%-voorspellingsinterval "
                    f"{fmt.getal(r.projectie_laag)} – {fmt.getal(r.projectie_hoog)} loopt over de grens "
                    f"{fmt.getal(grens, 1)}"
                )
            else:
                reden = (
                    f"score {fmt.getal(r.doel_score)}; de ondergrens {fmt.bij_grens(r.doel_ondergrens, grens)} ligt "
                    f"onder de grens van {fmt.getal(grens, 1)}, de bovengrens {fmt.bij_grens(r.doel_bovengrens, grens)}"
                    f" erboven; met deze aantallen is pas een daling van {fmt.getal(r.doel_detecteerbaar)}% aan te "
                    "tonen"
                )
            st.page_link(
                "views/wijk.py",
                label=f"{md(r.gebied_naam)}: {reden}",
                icon=":material/help:",
                query_params={"wijk": r.gebied_code, "jaar": str(jaar)},
            )

# ------------------------------------------------------------------------------------------ decisions
steeringsections.show_message()
steeringsections.decisions_requested(wijk_namen)

# ------------------------------------------------------------------------------------------ jaarplannen
plansections.stuurgroep_section(wijk_namen, status)

# ------------------------------------------------------------------------------------------ agreements
st.subheader("Afspraken: nagekomen?")
st.caption(
    "De afspraken tussen de partners per halfjaar (het vergaderritme per jaar). Wat de Wijkmonitor zelf kan meten, "
    "meet hij: de leveringen van de partners, het aantal vergaderingen en de halfjaarrapportages van de teams."
)
steeringsections.agreements_section(wijk_namen, max(basisjaar, steeringsections.steering.today().year - 2))

# ------------------------------------------------------------------------------------------ meetings
st.subheader("Besluiten van de stuurgroep")
steeringsections.recent_decisions()
with st.expander("Vergaderingen", icon=":material/event:"):
    steeringsections.meetings_section(["stuurgroep"], key="stuurgroep_vergaderingen", page="Stuurgroep")

state.source_link()
