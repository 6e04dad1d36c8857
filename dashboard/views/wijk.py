"""Wijk: every indicator of one wijk against the baseline, its buurten, and the survey with its margins."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, queries, state
from dashboard import format as fmt
from dashboard.safe import md

if not queries.has_indicators():
    st.title("Wijk")
    state.no_data_message()
    st.stop()

gemeente_code = state.gemeente()
instellingen = queries.settings()
basisjaar, doeljaar = int(instellingen["basisjaar"]), int(instellingen["doeljaar"])
wijken = queries.areas("wijk", gemeente_code)
namen = dict(zip(wijken["gebied_code"], wijken["gebied_naam"], strict=True))
jaren = [y for y in queries.composite_years() if y >= basisjaar]

keuze = st.columns([2, 1])
wijk = state.select(keuze[0], "Wijk", list(namen), "wijk", format_func=namen.get)
jaar = state.select(keuze[1], "Jaar", jaren, "jaar", default=doeljaar if doeljaar in jaren else max(jaren))
st.title(md(namen[wijk]))

reeksen = queries.indicator_series([wijk, gemeente_code])
catalogus = queries.indicators_catalogue().set_index("indicator")
eigen = reeksen[reeksen["gebied_code"] == wijk]
dit_jaar = eigen[eigen["jaar"] == jaar].set_index("indicator")

status = (
    queries.target_status("wijk", jaar, doeljaar, "samengesteld", gemeente_code)
    .set_index("gebied_code")
    .loc[wijk]
)
samengesteld = queries.composites("wijk", jaar, ["samengesteld", "objectief", "subjectief"], gemeente_code)
samengesteld = samengesteld[samengesteld["gebied_code"] == wijk].set_index("groep")
c = st.columns(4)
if "samengesteld" in samengesteld.index:
    t = samengesteld.loc["samengesteld"]
    c[0].metric(
        f"Samengestelde score {jaar}",
        fmt.getal(t["score"]),
        help=f"100 = {basisjaar}. 95%-interval {fmt.getal(t['ci_laag'])} – {fmt.getal(t['ci_hoog'])}.",
    )
for kolom, g, label in ((c[1], "objectief", "Cijfers"), (c[2], "subjectief", "Beleving")):
    if g in samengesteld.index:
        kolom.metric(
            f"{label} ({md(samengesteld.loc[g, 'verandering'])})",
            fmt.getal(samengesteld.loc[g, "score"]),
            help=f"Score van de {g} indicatoren; oordeel t.o.v. {basisjaar} met 95%-zekerheid.",
        )
c[3].metric(f"Doel {doeljaar}", status["status"])
st.caption(
    f"Scores: 100 = niveau van {basisjaar}; boven 100 is beter, onder 100 slechter. 'Gelijk' betekent dat "
    "het verschil binnen de onzekerheid valt: geen aantoonbare verandering."
)

# ------------------------------------------------------------------------------------------ indicators by theme


def indicator_block(code: str) -> None:
    meta = catalogus.loc[code]
    reeks = eigen[eigen["indicator"] == code]
    if reeks.empty:
        st.markdown(f"**{md(meta['titel'])}**  \n:gray[geen gegevens voor deze wijk]")
        return
    rij = dit_jaar.loc[code] if code in dit_jaar.index else None
    oordeel = (
        rij["verandering"] if rij is not None and isinstance(rij["verandering"], str) else "geen oordeel"
    )
    kleur = {"beter": "blue", "slechter": "orange", "gelijk": "gray"}.get(oordeel, "gray")
    waarde = fmt.getal(rij["waarde"], 2) if rij is not None else "–"
    basis = fmt.getal(rij["basiswaarde"], 2) if rij is not None else "–"
    score = fmt.getal(rij["score"]) if rij is not None else "–"
    st.markdown(
        f"**{md(meta['titel'])}**  \n{jaar}: **{waarde}** · {basisjaar}: {basis} · score {score} · "
        f":{kleur}-badge[{md(oordeel)}]"
    )
    if rij is not None and isinstance(rij["opmerking"], str) and rij["opmerking"]:
        st.caption(md(rij["opmerking"]))
    gem = reeksen[(reeksen["gebied_code"] == gemeente_code) & (reeksen["indicator"] == code)]
    fig, alt = charts.indicator_trend(
        reeks, gem, meta["eenheid"], baseline_year=basisjaar, target_year=doeljaar
    )
    st.plotly_chart(fig, key=f"trend_{code}", config={"displayModeBar": False}, alt=alt)
    st.page_link(
        "views/indicator.py",
        label="Alle wijken voor deze indicator",
        icon=":material/insights:",
        query_params={"indicator": code, "jaar": str(jaar)},
    )


for thema, groep in catalogus[catalogus["gewicht"] > 0].groupby("thema_titel", sort=True):
    st.subheader(md(thema))
    links, rechts = st.columns(2)
    links.caption("Cijfers (objectief)")
    rechts.caption("Beleving (subjectief, bewonersenquête)")
    for code, meta in groep.iterrows():
        with links if meta["soort"] == "objectief" else rechts, st.container(border=True):
            indicator_block(code)

# ------------------------------------------------------------------------------------------ buurten
st.subheader("De buurten in deze wijk")
buurten = queries.areas("buurt", gemeente_code)
buurten = buurten[buurten["wijk_code"] == wijk]
if buurten.empty:
    st.write("Geen buurten bekend.")
else:
    br = queries.indicator_series(list(buurten["gebied_code"]))
    br = br[(br["jaar"] == jaar)]
    tabel = br.pivot_table(index="gebied_naam", columns="indicator", values="score").round(0)
    tabel.columns = [catalogus.loc[c, "titel"] for c in tabel.columns]
    st.caption(
        f"Scores per buurt in {jaar} (100 = {basisjaar}); alleen indicatoren die per buurt bestaan. "
        "Kleine aantallen maken buurtcijfers onzeker: bekijk het interval op de indicatorpagina."
    )
    st.dataframe(tabel, width="stretch")

# ------------------------------------------------------------------------------------------ survey
st.subheader("Bewonersenquête")
enquete = eigen[eigen["n"].notna()].copy()
if enquete.empty:
    st.write("Geen enquêteresultaten voor deze wijk.")
else:
    enquete["marge"] = (enquete["ci_hoog"] - enquete["ci_laag"]) / 2
    laatste = enquete[enquete["jaar"] == enquete["jaar"].max()]
    rijen = []
    for r in laatste.itertuples():
        basisrij = enquete[(enquete["indicator"] == r.indicator) & (enquete["jaar"] == basisjaar)]
        rijen.append(
            {
                "Vraag": catalogus.loc[r.indicator, "titel"],
                "Jaar": int(r.jaar),
                "Uitkomst": f"{fmt.getal(r.waarde, 1)} ± {fmt.getal(r.marge, 1)}",
                "Respondenten": fmt.getal(r.n),
                f"In {basisjaar}": fmt.getal(basisrij["waarde"].iloc[0], 1) if not basisrij.empty else "–",
                "Oordeel": r.verandering if isinstance(r.verandering, str) else "–",
            }
        )
    st.dataframe(pd.DataFrame(rijen), hide_index=True, width="stretch")
    voorbeeld = laatste.dropna(subset=["verandering"])
    voorbeeld = voorbeeld[voorbeeld["verandering"] == "gelijk"]
    if not voorbeeld.empty:
        v = voorbeeld.iloc[0]
        st.info(
            f"Wat 'gelijk' hier betekent: {md(catalogus.loc[v['indicator'], 'titel'].lower())} was "
            f"{fmt.getal(v['basiswaarde'], 1)} in {basisjaar} en is {fmt.getal(v['waarde'], 1)} in {int(v['jaar'])}, "
            f"gemeten bij {fmt.getal(v['n'])} bewoners. Met zo'n steekproef is de uitkomst ongeveer ± "
            f"{fmt.getal(v['marge'], 1)} onzeker; het verschil valt daarbinnen en is dus niet aantoonbaar.",
            icon=":material/info:",
        )

state.source_link(list(queries.herkomst(None, [wijk], jaar)["load_id"]))
