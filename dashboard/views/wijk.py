"""Wijk: every indicator of one wijk against the baseline, its buurten, and the survey with its margins."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, plansections, queries, state, tables
from dashboard import format as fmt
from dashboard.safe import md

if not queries.has_indicators():
    st.title("Wijk")
    state.no_data_message()
    st.stop()

gemeente_code = state.gemeente()
instellingen = queries.settings()
basisjaar, doeljaar = int(instellingen["basisjaar"]), int(instellingen["doeljaar"])
marge = float(instellingen["marge"])
grens = 100 * (1 - marge)
pct = fmt.procent(marge)
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
            help=f"Score van de {g} indicatoren; verandering t.o.v. {basisjaar} met 95%-zekerheid.",
        )
c[3].metric(
    f"Doel {doeljaar}",
    status["status"],
    help=f"Marge {pct}: 'gehaald' = met 95% zekerheid hoogstens {pct} onder {basisjaar}.",
)
st.caption(
    f"Scores: 100 = niveau van {basisjaar}; boven 100 is beter, onder 100 slechter. 'Gelijk' betekent dat "
    "het verschil binnen de onzekerheid valt: geen aantoonbare verandering."
)

# ------------------------------------------------------------------------------------------ jaarplan
with st.container(border=True):
    plansections.wijk_section(wijk, namen[wijk])

# ------------------------------------------------------------------------------------------ target verdict


def reden(r) -> str:
    """Why an indicator is not in the composite, in words."""
    if r.reden == "niet vergelijkbaar":
        return f"niet vergelijkbaar met {basisjaar}" + (
            f" (methodebreuk {r.breuk}, zonder omrekenfactor)" if isinstance(r.breuk, str) else ""
        )
    if r.reden == "onvolledig":
        return f"gegevens van {peil} of {basisjaar} niet volledig"
    minimum = fmt.getal(r.minimum)
    if r.reden == "weinig gebeurtenissen":
        return (
            f"te weinig gebeurtenissen in {basisjaar}: {fmt.getal(r.basis_aantal)} (minimaal {minimum} nodig)"
        )
    if r.onzekerheid == "binomiaal":
        return (
            f"te weinig respondenten in {basisjaar}: ongeveer {fmt.getal(r.basis_aantal)} met dit antwoord van "
            f"{fmt.getal(r.basis_n_eff)} (minimaal {minimum} nodig)"
        )
    return f"te weinig respondenten in {basisjaar}: {fmt.getal(r.basis_n_eff)} (minimaal {minimum} nodig)"


st.subheader(f"Doel {doeljaar}: {status['status']}")
na_doeljaar = jaar >= doeljaar
peil = doeljaar if na_doeljaar else jaar  # the year whose composite the verdict (or the projection) rests on
dekking = status["doel_dekking"] if na_doeljaar else status["dekking"]
uitgesloten = status["doel_uitgesloten"] if na_doeljaar else status["uitgesloten"]
uitgesloten = [] if uitgesloten is None or not len(uitgesloten) else list(uitgesloten)
detecteerbaar = status["doel_detecteerbaar"] if na_doeljaar else status["detecteerbaar"]
onder, boven = status["doel_ondergrens"], status["doel_bovengrens"]
uitleg = {
    "gehaald": (
        f"De samengestelde score van {doeljaar} is {fmt.getal(status['doel_score'], 1)}; met 95% zekerheid is die "
        f"minstens {fmt.bij_grens(onder, grens)}. Dat is hoogstens {pct} onder {basisjaar} (grens "
        f"{fmt.getal(grens, 1)}): het doel is gehaald."
    ),
    "niet gehaald": (
        f"De samengestelde score van {doeljaar} is {fmt.getal(status['doel_score'], 1)}; met 95% zekerheid is die "
        f"hoogstens {fmt.bij_grens(boven, grens)}. Dat is meer dan {pct} onder {basisjaar} (grens "
        f"{fmt.getal(grens, 1)}): het doel is niet gehaald."
    ),
    "onbeslist": (
        f"De samengestelde score van {doeljaar} is {fmt.getal(status['doel_score'], 1)}. De ondergrens "
        f"({fmt.bij_grens(onder, grens)}) ligt onder de grens van {fmt.getal(grens, 1)}, de bovengrens "
        f"({fmt.bij_grens(boven, grens)}) erboven: de gegevens kunnen niet aantonen dat de wijk hoogstens {pct} "
        f"onder {basisjaar} ligt, en ook niet dat het meer is."
    ),
    "op koers": (
        f"De lijn door de scores van {basisjaar} tot en met {jaar}, doorgetrokken naar {doeljaar}, komt uit op "
        f"{fmt.getal(status['projectie'], 1)}; met 95% zekerheid op minstens "
        f"{fmt.bij_grens(status['projectie_laag'], grens)} (95%-voorspellingsinterval, grens {fmt.getal(grens, 1)})."
    ),
    "uit koers": (
        f"De lijn door de scores van {basisjaar} tot en met {jaar}, doorgetrokken naar {doeljaar}, komt uit op "
        f"{fmt.getal(status['projectie'], 1)}; met 95% zekerheid op hoogstens "
        f"{fmt.bij_grens(status['projectie_hoog'], grens)}: onder de grens van {fmt.getal(grens, 1)}."
    ),
    "onzeker": (
        f"Er zijn pas {int(status['trendjaren'])} jaren gemeten: te weinig voor een voorspelling naar {doeljaar}."
        if pd.isna(status["projectie_laag"])
        else f"De lijn door de scores van {basisjaar} tot en met {jaar}, doorgetrokken naar {doeljaar}, komt uit "
        f"op {fmt.getal(status['projectie'], 1)}, maar het 95%-voorspellingsinterval loopt van "
        f"{fmt.bij_grens(status['projectie_laag'], grens)} tot {fmt.bij_grens(status['projectie_hoog'], grens)}: "
        f"over de grens van {fmt.getal(grens, 1)} heen. De gegevens kunnen het nog niet zeggen."
    ),
    "geen data": (
        f"Geen samengestelde score voor {doeljaar}: te weinig gegevens voor een oordeel."
        if na_doeljaar
        else f"Nog geen meting na {basisjaar} tot en met {jaar}: nog niets om een lijn door te trekken."
    ),
}[status["status"]]
onzeker = status["status"] in ("onbeslist", "onzeker")
(st.info if onzeker else st.markdown)(
    (f"**Waarom {status['status']}?** " if onzeker else "") + uitleg,
    **({"icon": ":material/help:"} if onzeker else {}),
)
if status["status"] != "geen data" and pd.notna(dekking):
    regels = [f"De samengestelde score van {peil} steunt op {fmt.getal(dekking)} indicatoren."]
    if uitgesloten:
        weg = queries.excluded_indicators(wijk, peil, uitgesloten)
        regels.append(
            "Niet meegeteld:\n" + "\n".join(f"- {md(r.titel)}: {md(reden(r))}" for r in weg.itertuples())
        )
    if pd.notna(detecteerbaar):
        regels.append(
            f"Met deze aantallen is pas een daling van {fmt.getal(detecteerbaar)}% aan te tonen; de marge is {pct}."
            + (
                " Kleine aantallen (weinig gebeurtenissen of respondenten) maken de score onzeker: een daling "
                "kleiner dan dat blijft onzichtbaar, en dan kan het oordeel onbeslist blijven."
                if status["status"] == "onbeslist" and detecteerbaar > 100 * marge
                else ""
            )
        )
    st.markdown("\n\n".join(regels))

verloop = queries.composite_trend("wijk", "samengesteld", gemeente_code)
verloop = verloop[(verloop["gebied_code"] == wijk) & (verloop["jaar"] >= basisjaar)]
if not na_doeljaar:
    # the projection is made as of `jaar`: the later years are not in it
    verloop = verloop[verloop["jaar"] <= jaar]
    projectie = queries.composite_projection(wijk, "samengesteld", jaar, doeljaar)
else:
    projectie = verloop.iloc[0:0].assign(projectie=[], projectie_laag=[], projectie_hoog=[])
fig, alt = charts.composite_trend(
    verloop,
    projectie,
    baseline_year=basisjaar,
    target_year=doeljaar,
    limit=grens,
    limit_label=f"grens {fmt.getal(grens, 1)} (marge {pct})",
)
st.plotly_chart(fig, key="samengesteld_verloop", config={"displayModeBar": False}, alt=alt)
st.caption(md(alt))

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
    if rij is not None and pd.notna(rij["score_laag"]):
        score += f" ({fmt.getal(rij['score_laag'])} – {fmt.getal(rij['score_hoog'])})"
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
    tables.table(tabel, f"Scores per buurt {namen[wijk]} {jaar}", key="buurten_tabel", width="stretch")

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
    tables.table(
        pd.DataFrame(rijen),
        f"Bewonersenquête {namen[wijk]}",
        key="enquete_tabel",
        hide_index=True,
        width="stretch",
    )
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
