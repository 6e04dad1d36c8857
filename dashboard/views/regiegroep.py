"""Regiegroep: "Wat speelt er nu?" Recent months against earlier years, hotspot signals, recent changes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
import yaml

from dashboard import charts, plansections, queries, recentsection, state, steeringsections, tables
from dashboard import format as fmt
from dashboard.safe import md

MENUKAART = Path(__file__).resolve().parents[1] / "content" / "menukaart_woninginbraak.yaml"

st.title("Wat speelt er nu?")

if not queries.has_indicators():
    state.no_data_message()
    st.stop()
gemeente = state.gemeente()
if queries.latest_month(gemeente) is None:
    state.no_data_message()
    st.stop()

instellingen = queries.settings()
laatste = queries.latest_month(gemeente)
wijken_df = queries.areas("wijk", gemeente)
jaar_nu, maand_nu = laatste
periode_tekst = f"{fmt.MAANDEN[maand_nu - 1]} {jaar_nu}"
st.caption(f"Meest recente maand met politie- en meldingscijfers: {periode_tekst}.")
steeringsections.show_message()
st.page_link(
    "views/capaciteit.py",
    label="Capaciteit: voorstel voor de verdeling van de uren naar behoefte",
    icon=":material/groups:",
)

# ------------------------------------------------------------------------------------------ recent 14 days
# The police's recent weekly figures (delivered every 14 days) when the gemeente has them; the monthly view
# below stays for the other series and the longer periods.
met_weken = recentsection.recent_section(gemeente)

# ------------------------------------------------------------------------------------------ recent months
st.subheader("Laatste maanden per wijk")
maanden = state.select(
    st,
    "Periode",
    [1, 3, 6],
    "maanden",
    default=3,
    horizontal=True,
    format_func=lambda m: "laatste maand" if m == 1 else f"laatste {m} maanden",
)
recent = queries.recent_vs_earlier(maanden, laatste, gemeente)
if recent.empty:
    st.write("Geen maandcijfers.")
else:
    recent["verschil_pct"] = (recent["recent"] / recent["eerder"] - 1) * 100
    opties = sorted(recent["reeks"].unique(), key=lambda r: (r != "Woninginbraak", r))
    reeks = state.select(st, "Reeks", opties, "reeks")
    deel = recent[recent["reeks"] == reeks].sort_values("wijk_naam")
    st.caption(
        f"{md(reeks)}: aantal in de {('laatste maand' if maanden == 1 else f'laatste {maanden} maanden')} tegen "
        "het gemiddelde van dezelfde maanden in de drie jaar ervoor. Kleine aantallen schommelen sterk: "
        "een signaal per buurt staat hieronder."
    )
    fig, alt = charts.compare_bars(
        deel, "wijk_naam", "eerder", "recent", "gemiddeld eerdere jaren", "nu", reeks
    )
    st.plotly_chart(fig, key="recent", config={"displayModeBar": False}, alt=alt)
    st.caption(md(alt))
    if st.toggle("Toon als tabel", key="recent_tabel"):
        tables.table(
            deel[["wijk_naam", "recent", "eerder", "verschil_pct"]]
            .round(1)
            .rename(
                columns={
                    "wijk_naam": "Wijk",
                    "recent": "Nu",
                    "eerder": "Gemiddeld eerder",
                    "verschil_pct": "Verschil (%)",
                }
            ),
            "Meldingen per wijk",
            key="recent_wijken",
            hide_index=True,
            width="stretch",
        )

# ------------------------------------------------------------------------------------------ hotspots
st.subheader("Hotspotsignalen")
fdr, minimum = float(instellingen["hotspot_fdr"]), int(instellingen["hotspot_minimum"])


def vals_alarm(per_maand: float) -> str:
    """0.013 -> '0,01 valse signalen per maand, één per 6 jaar'."""
    if per_maand <= 0:
        return "vrijwel geen valse signalen"
    tekst = f"{fmt.getal(per_maand, 2 if per_maand < 0.1 else 1)} valse signalen per maand"
    if per_maand >= 0.5:
        return tekst
    maanden = 1 / per_maand
    if maanden >= 24:
        return f"{tekst}, één per {fmt.getal(maanden / 12)} jaar"
    return f"{tekst}, één per {fmt.getal(maanden)} maanden"


st.caption(
    "Een buurt krijgt een signaal als het aantal in een maand onwaarschijnlijk hoog is ten opzichte van dezelfde "
    f"tijd van het jaar in de {int(instellingen['hotspot_jaren'])} jaar ervoor, én het om minstens {minimum} "
    "gevallen gaat. Maanden die zelf een signaal gaven, tellen daarbij niet mee: een eerdere golf verhoogt de "
    "verwachting niet, zodat een nieuwe golf weer opvalt. Omdat elke maand alle buurten en reeksen tegelijk "
    "bekeken worden, ligt de lat hoger naarmate het er meer zijn (Benjamini–Hochberg: gemiddeld hooguit "
    f"{fmt.getal(fdr * 100)}% van de signalen is toeval)."
)
kalibratie = queries.hotspot_calibration(gemeente)
if kalibratie is not None:
    uitleg = (
        "Bij deze instellingen geeft het signaal in een wereld zonder verandering gemiddeld ongeveer "
        f"{vals_alarm(float(kalibratie['vals_alarm_per_maand']))} (gesimuleerd met de "
        f"{fmt.getal(kalibratie['getoetste_reeksen'])} reeksen van de buurten in deze gemeente)."
    )
    dispersie = kalibratie["dispersie"]
    if dispersie is not None and not pd.isna(dispersie) and float(dispersie) >= 1.1:
        uitleg += (
            " De aantallen in deze gemeente schommelen meer dan bij puur toeval (de spreiding is ongeveer "
            f"{fmt.getal(float(dispersie), 1)} keer zo groot); met die schommelingen geeft de simulatie "
            f"ongeveer {vals_alarm(float(kalibratie['vals_alarm_dispersie']))}."
        )
    st.caption(uitleg + " Kijk bij een signaal dus ook naar de grootte en de geschiedenis.")
venster = state.select(
    st,
    "Signalen uit",
    [1, 3, 12, 24],
    "venster",
    default=3,
    horizontal=True,
    format_func=lambda m: "de laatste maand" if m == 1 else f"de laatste {m} maanden",
)
start_nr = jaar_nu * 12 + maand_nu - venster
signalen = queries.hotspot_signals((start_nr // 12, start_nr % 12 + 1), laatste, gemeente)
if signalen.empty:
    st.success("Geen signalen in deze periode.", icon=":material/check_circle:")
else:
    lijst = signalen.assign(
        maand=signalen["periode"].map(lambda p: f"{fmt.MAANDEN[p.month - 1]} {p.year}"),
        verwacht_tekst=signalen["verwacht"].map(lambda v: fmt.getal(v, 1)),
        kans=signalen["p_waarde"].map(lambda p: "< 0,001" if p < 0.001 else fmt.getal(p, 3)),
        gecorrigeerd=signalen["p_aangepast"].map(lambda p: "< 0,001" if p < 0.001 else fmt.getal(p, 3)),
    )
    tables.table(
        lijst[
            ["gebied_naam", "wijk_naam", "reeks", "maand", "aantal", "verwacht_tekst", "kans", "gecorrigeerd"]
        ].rename(
            columns={
                "gebied_naam": "Buurt",
                "wijk_naam": "Wijk",
                "reeks": "Wat",
                "maand": "Maand",
                "aantal": "Aantal",
                "verwacht_tekst": "Verwacht",
                "kans": "Kans bij toeval",
                "gecorrigeerd": "Na correctie voor alle toetsen",
            }
        ),
        "Hotspotsignalen",
        key="hotspots_tabel",
        hide_index=True,
        width="stretch",
    )
    buurten = queries.areas("buurt", gemeente)
    per_buurt = signalen.groupby("gebied_code").size().rename("signalen").reset_index()
    kaart = buurten.merge(per_buurt, on="gebied_code", how="left").fillna({"signalen": 0})
    fig, alt = charts.choropleth(
        kaart,
        "signalen",
        "signalen",
        zmid=None,
        zmin=0,
        zmax=max(3, kaart["signalen"].max()),
        colourscale=[[0, "#F7F7F7"], [1, "#D55E00"]],
        height=420,
    )
    st.plotly_chart(fig, key="signaalkaart", config={"displayModeBar": False}, alt=alt)
    st.caption(md(alt))

    keuzes = list(dict.fromkeys(zip(signalen["gebied_code"], signalen["variabele"], strict=True)))
    labels = {
        k: f"{r.gebied_naam}: {r.reeks}"
        for k, r in zip(
            keuzes, signalen.drop_duplicates(["gebied_code", "variabele"]).itertuples(), strict=True
        )
    }
    gekozen = st.selectbox("Geschiedenis van", keuzes, format_func=labels.get, key="geschiedenis")
    links, rechts = st.columns([3, 2])
    with links:
        historie = queries.hotspot_history(gekozen[0], gekozen[1], jaar_nu - 3)
        fig, alt = charts.monthly_history(historie, labels[gekozen])
        st.plotly_chart(fig, key="historie", config={"displayModeBar": False}, alt=alt)
        st.caption(md(alt))
    with rechts:
        if gekozen[1] == "1.1.1":
            menukaart = yaml.safe_load(MENUKAART.read_text(encoding="utf-8"))
            st.markdown("**Menukaart bij een inbraakgolf**")
            st.caption(
                f"Bron: {menukaart['bron']}. Kies na een korte analyse (werkwijze, gedrag slachtoffers)."
            )
            st.markdown("\n".join(f"- {m['wat']} *({m['wie']})*" for m in menukaart["maatregelen"]))
        else:
            st.caption(
                "De menukaart met maatregelen hoort bij woninginbraak; voor deze reeks bepaalt het overleg "
                "zelf de aanpak."
            )

# ------------------------------------------------------------------------------------------ changes
st.subheader("Aantoonbaar veranderd sinds de vorige meting")
veranderd = queries.changed_since_previous("wijk", gemeente)
if veranderd.empty:
    st.write("Geen indicator is aantoonbaar veranderd sinds de vorige meting.")
else:
    st.caption(
        "Per wijk de indicatoren waarvan de laatste meting aantoonbaar (95%) verschilt van de meting ervoor."
    )
    tables.table(
        pd.DataFrame(
            {
                "Wijk": veranderd["gebied_naam"],
                "Indicator": veranderd["titel"],
                "Meting": veranderd["vorig_jaar"].astype(str) + " → " + veranderd["jaar"].astype(str),
                "Van": veranderd["vorige_waarde"].map(lambda v: fmt.getal(v, 2)),
                "Naar": veranderd["waarde"].map(lambda v: fmt.getal(v, 2)),
                "Oordeel": veranderd["verandering"],
            }
        ),
        "Aantoonbaar veranderd",
        key="veranderd_tabel",
        hide_index=True,
        width="stretch",
    )

# ------------------------------------------------------------------------------------------ jaarplannen
wijk_namen = dict(zip(wijken_df["gebied_code"], wijken_df["gebied_naam"], strict=True))
plansections.regiegroep_section(wijk_namen)

# ------------------------------------------------------------------------------------------ actions
st.subheader("Actielijst")
st.caption(
    "Acties van de regiegroep en de stuurgroep; de teams zien de acties voor hun wijk op hun jaarplanpagina."
)
steeringsections.actions_section(wijk_namen, key="regie_acties", page="Regiegroep")

# ------------------------------------------------------------------------------------------ agreements
st.subheader("Afspraken die aandacht vragen")
st.caption(
    "Afspraken die in de laatste twee periodes niet (of nog niet) zijn nagekomen. Het hele overzicht staat op de pagina van de stuurgroep."
)
steeringsections.agreements_section(
    wijk_namen, steeringsections.steering.today().year - 1, only_attention=True, key="regie_afspraken"
)
steeringsections.agreements_admin(key="regie_afspraak", page="Regiegroep")

# ------------------------------------------------------------------------------------------ meetings
st.subheader("Vergaderingen")
steeringsections.meetings_section(["regiegroep", "stuurgroep"], key="regie_vergaderingen", page="Regiegroep")

state.source_link()
