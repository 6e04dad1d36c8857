"""Capaciteit: the partners' hours over the wijken by need. The need per wijk (a documented formula on the
monitor's figures), a proposal in proportion to it, next to the adopted distribution and the hours planned
and spent in the jaarplannen; a scenario editor whose result the regiegroep gives as its advice, and the
normering the need rests on."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import format as fmt
from dashboard import queries, session, state, steering, steeringsections, tables
from dashboard.safe import md
from wijkmonitor.records import authz

PAGE = "Capaciteit"

st.title("Capaciteit naar behoefte")
steeringsections.show_message()

if not queries.has_indicators():
    state.no_data_message()
    st.stop()

viewer = session.current()
gemeente = state.gemeente()
wijken_df = queries.areas("wijk", gemeente)
wijken = dict(zip(wijken_df["gebied_code"], wijken_df["gebied_naam"], strict=True))
vandaag = steering.today()
behoefte_jaren = steering.need_years(gemeente)
if not behoefte_jaren or not wijken:
    st.info(
        "Er zijn nog geen samengestelde scores per wijk om de behoefte op te baseren.", icon=":material/info:"
    )
    st.stop()

alle_verdelingen = steering.distributions()  # read once per run; every tab filters this list
jaren = sorted({vandaag.year, vandaag.year + 1, *[d.jaar for d in alle_verdelingen]})
jaar = state.select(
    st, "Verdeling voor het jaar", jaren, "verdelingsjaar", default=vandaag.year, horizontal=True
)
# The need of a year rests on the latest complete year of figures before it (the year itself is not over).
eerder = [y for y in behoefte_jaren if y < jaar]
behoefte_jaar = eerder[-1] if eerder else behoefte_jaren[-1]
behoefte = steering.need_table(behoefte_jaar, gemeente)
behoefte_per_wijk = dict(zip(behoefte["gebied_code"], behoefte["behoefte"], strict=True))
gewichten = steering.need_weights()
capaciteit = steering.capacities(jaar)
vastgesteld = steering.adopted_distribution(jaar)
st.caption(
    f"Behoefte berekend met de cijfers van {behoefte_jaar}. Gewichten (instelling van de beheerder): afstand "
    f"{fmt.getal(gewichten['behoefte_gewicht_afstand'], 1)}, normering "
    f"{fmt.getal(gewichten['behoefte_gewicht_normering'], 1)}, niveau "
    f"{fmt.getal(gewichten['behoefte_gewicht_niveau'], 1)}; omvang in {gewichten[steering.SETTING_MAAT]}."
)

tab_voorstel, tab_behoefte, tab_scenario, tab_normering, tab_historie = st.tabs(
    ["Voorstel en verdeling", "Behoefte per wijk", "Scenario en advies", "Normering", "Besluiten"],
    key="capaciteit_tab",
)


def _hours_frame(uren: dict[tuple[str, str], int]) -> pd.DataFrame:
    """(partner, wijk) -> hours as a wijk × partner table (0 where none)."""
    frame = pd.DataFrame(0, index=list(wijken), columns=list(steering.PARTNERS), dtype="int64")
    for (partner, wijk), u in uren.items():
        if wijk in frame.index and partner in frame.columns:
            frame.loc[wijk, partner] = int(u)
    return frame


# ------------------------------------------------------------------------------------------ proposal
with tab_voorstel:
    st.subheader(f"Capaciteit van de partners in {jaar}")
    if capaciteit:
        tables.table(
            pd.DataFrame(
                {
                    "Partner": [steering.PARTNERS[p] for p in capaciteit],
                    "Uren voor de wijken": [fmt.getal(u) for u in capaciteit.values()],
                }
            ),
            f"Capaciteit {jaar}",
            key="capaciteit_partners",
            hide_index=True,
        )
    else:
        st.info(f"Nog geen capaciteit voor {jaar} ingevuld.", icon=":material/info:")
    mag_invullen = [p for p in steering.PARTNERS if viewer.can("capaciteit.schrijven", p)]
    if mag_invullen:
        with st.expander("Capaciteit invullen", icon=":material/edit:"), st.form("capaciteit_form"):
            st.caption("De uren die elke partner dit jaar voor de wijken beschikbaar heeft (hele uren).")
            invoer = {
                p: st.number_input(
                    steering.PARTNERS[p],
                    min_value=0,
                    max_value=1_000_000,
                    step=50,
                    value=int(capaciteit.get(p, 0)),
                    key=f"capaciteit_{p}_{jaar}",  # per year: a keyed input keeps its value
                )
                for p in mag_invullen
            }
            if st.form_submit_button("Opslaan"):

                def _save_all() -> None:
                    for p, u in invoer.items():
                        if u != capaciteit.get(p) and not (u == 0 and p not in capaciteit):
                            steering.set_capacity(p, jaar, int(u), page=PAGE)

                steeringsections.write(_save_all, f"Capaciteit {jaar} opgeslagen.")

    st.subheader("Voorstel naar behoefte")
    if not capaciteit:
        st.write("Vul eerst de capaciteit in: het voorstel verdeelt de uren van elke partner naar behoefte.")
    else:
        voorstel = steering.proposal(capaciteit, behoefte)
        voorstel_uren = {(r.partner, r.gebied_code): int(r.uren) for r in voorstel.itertuples()}
        st.caption(
            "Elke partner verdeelt zijn uren in verhouding tot de behoefte van de wijken; afgerond met de methode "
            "van de grootste resten, zodat de delen precies optellen tot het totaal van de partner."
        )
        partner = st.selectbox(
            "Partner",
            ["alle", *capaciteit],
            format_func=lambda p: "alle partners samen" if p == "alle" else steering.PARTNERS[p],
            key="capaciteit_partner",
        )

        def _per_wijk(uren: dict[tuple[str, str], float]) -> dict[str, float]:
            out: dict[str, float] = {}
            for (p, w), u in uren.items():
                if partner in ("alle", p):
                    out[w] = out.get(w, 0.0) + float(u)
            return out

        gepland_df = steering.planned_and_spent(jaar)
        gepland = {(r.partner, r.wijk_code): r.gepland for r in gepland_df.itertuples()}
        besteed = {(r.partner, r.wijk_code): r.besteed for r in gepland_df.itertuples()}
        rij_voorstel = _per_wijk(voorstel_uren)
        rij_vast = _per_wijk(vastgesteld.uren) if vastgesteld else {}
        rij_gepland = _per_wijk({k: v for k, v in gepland.items() if k[1] in wijken})
        rij_besteed = _per_wijk({k: v for k, v in besteed.items() if k[1] in wijken})
        intens = steering.intensity(rij_voorstel, behoefte)
        intens_gepland = steering.intensity(rij_gepland, behoefte)
        tabel = pd.DataFrame(
            {
                "Wijk": [wijken[w] for w in wijken],
                "Behoefte": [fmt.getal(behoefte_per_wijk.get(w), 1) for w in wijken],
                "Voorstel": [round(rij_voorstel.get(w, 0)) for w in wijken],
                "Vastgesteld": [round(rij_vast[w]) if w in rij_vast else None for w in wijken]
                if vastgesteld
                else [None] * len(wijken),
                "Gepland in jaarplan": [round(rij_gepland.get(w, 0)) for w in wijken],
                "Besteed (rapportages)": [round(rij_besteed.get(w, 0)) for w in wijken],
                "Voorstel per 1.000 inw.": intens["uren_per_1000"].round(1).to_list(),
                "Voorstel per eenheid behoefte": intens["uren_per_behoefte"].round(1).to_list(),
                "Gepland per eenheid behoefte": intens_gepland["uren_per_behoefte"].round(1).to_list(),
            }
        )
        basis = "Vastgesteld" if vastgesteld else "Voorstel"
        tabel["Gepland − " + basis.lower()] = tabel["Gepland in jaarplan"] - tabel[basis].fillna(0)
        tables.table(
            tabel, f"Voorstel naar behoefte {jaar}", key="voorstel_tabel", hide_index=True, width="stretch"
        )
        if vastgesteld:
            besluit = vastgesteld.besluit
            st.caption(
                md(
                    f"Vastgesteld: '{vastgesteld.naam}' (ronde {steering.period_label(vastgesteld.jaar, vastgesteld.halfjaar)})"
                    + (
                        f", besluit van {steeringsections.date_text(besluit.aangemaakt_op.date())}"
                        if besluit
                        else ""
                    )
                    + ". De jaarplannen worden hiermee vergeleken: 'Gepland − vastgesteld' is wat de jaarplannen "
                    "meer (+) of minder (−) inzetten dan is afgesproken."
                )
            )
        else:
            st.caption(
                f"Voor {jaar} is nog geen verdeling vastgesteld; de jaarplannen worden met het voorstel vergeleken."
            )

# ------------------------------------------------------------------------------------------ need
with tab_behoefte:
    st.subheader(f"Behoefte per wijk ({behoefte_jaar})")
    w_a = fmt.getal(gewichten["behoefte_gewicht_afstand"], 1)
    w_n = fmt.getal(gewichten["behoefte_gewicht_normering"], 1)
    w_l = fmt.getal(gewichten["behoefte_gewicht_niveau"], 1)
    maat = gewichten[steering.SETTING_MAAT]
    st.markdown(
        f"**behoefte = {maat} / 1.000 × (1 + {w_a} × A + {w_n} × N + {w_l} × L)**\n\n"
        "- **A, afstand tot de nulmeting**: het gemiddelde over de samengestelde score en de score van elk thema "
        "van hoeveel de score onder 100 (de nulmeting) ligt, als fractie (een score van 90 telt als 0,10).\n"
        "- **N, positie in de normering**: per indicator met een normering de band waarin de wijk valt, van 0 "
        "(beste band) tot 1 (slechtste band), gemiddeld.\n"
        "- **L, niveau tegenover de gemeente**: per indicator hoeveel de wijk relatief slechter scoort dan de "
        "gemeente als geheel (0 als de wijk even goed of beter is, hooguit 1), gemiddeld.\n\n"
        "Elk onderdeel ligt tussen 0 en 1. Een wijk die er goed voor staat krijgt dus uren naar haar omvang; "
        "de gewichten bepalen hoeveel meer een wijk krijgt die achterblijft. De berekening met een uitgewerkt "
        "voorbeeld staat in de methodebeschrijving (docs/methodology.md, 'Capaciteit naar behoefte')."
    )
    tables.table(
        pd.DataFrame(
            {
                "Wijk": behoefte["gebied_naam"],
                "Omvang": behoefte["P"].map(fmt.getal),
                "A afstand": behoefte["A"].round(3),
                "N normering": behoefte["N"].round(3),
                "L niveau": behoefte["L"].round(3),
                "Behoefte": behoefte["behoefte"].round(2),
                "Aandeel (%)": (behoefte["aandeel"] * 100).round(1),
            }
        ),
        f"Behoefte per wijk {behoefte_jaar}",
        key="behoefte_tabel",
        hide_index=True,
        width="stretch",
    )
    zonder = behoefte[behoefte["zonder_scores"] | behoefte["zonder_omvang"]]
    if not zonder.empty:
        st.warning(
            md(
                "Voor "
                + ", ".join(zonder["gebied_naam"])
                + " ontbreekt een score of de omvang; hun behoefte is daardoor te laag of 0."
            ),
            icon=":material/warning:",
        )

# ------------------------------------------------------------------------------------------ scenario
with tab_scenario:
    st.subheader("Scenario")
    if not capaciteit:
        st.write("Vul eerst de capaciteit in.")
    else:
        scenario_lijst = [
            d
            for d in alle_verdelingen
            if d.jaar == jaar and d.status in ("scenario", "advies", "vastgesteld")
        ]
        labels = {None: "het voorstel naar behoefte"} | {
            d.id: f"{d.naam} ({d.status_label}, ronde {steering.period_label(d.jaar, d.halfjaar)})"
            for d in scenario_lijst
        }
        basis_id = st.selectbox("Begin bij", list(labels), format_func=labels.get, key="scenario_basis")
        basis = next((d for d in alle_verdelingen if d.id == basis_id), None)
        # The version of the scenario as first shown in the editor: a save over it names that version, so a
        # change someone else made meanwhile is refused instead of overwritten.
        gezien_key = f"scenario_gezien_{basis_id}_{jaar}"
        if basis is not None and gezien_key not in st.session_state:
            st.session_state[gezien_key] = basis.gewijzigd_op
        start = _hours_frame(basis.uren if basis else voorstel_uren)
        st.caption(
            "Verschuif uren tussen wijken: per partner moet het totaal gelijk blijven aan zijn capaciteit. "
            "Hieronder ziet u het effect op de uren per eenheid behoefte."
        )
        bewerkt = st.data_editor(
            start.rename(index=wijken, columns=steering.PARTNERS)[[steering.PARTNERS[p] for p in capaciteit]],
            key=f"scenario_editor_{basis_id}_{jaar}",
            width="stretch",
            disabled=not viewer.can("verdeling.opslaan"),
        )
        namen_terug = {v: k for k, v in wijken.items()}
        partners_terug = {v: k for k, v in steering.PARTNERS.items()}
        scenario_uren: dict[tuple[str, str], int] = {}
        for wijk_naam, rij in bewerkt.fillna(0).iterrows():
            for kolom, waarde in rij.items():
                scenario_uren[(partners_terug[kolom], namen_terug[wijk_naam])] = int(
                    max(0, round(float(waarde)))
                )
        totalen = {p: sum(u for (pp, _), u in scenario_uren.items() if pp == p) for p in capaciteit}
        verschil = {p: totalen[p] - capaciteit[p] for p in capaciteit}
        if any(verschil.values()):
            st.warning(
                "Het scenario verdeelt niet precies de capaciteit: "
                + "; ".join(
                    f"{steering.PARTNERS[p]} {'+' if v > 0 else ''}{fmt.getal(v)} uur"
                    for p, v in verschil.items()
                    if v
                ),
                icon=":material/warning:",
            )
        per_wijk_scenario: dict[str, float] = {}
        for (_, w), u in scenario_uren.items():
            per_wijk_scenario[w] = per_wijk_scenario.get(w, 0) + u
        voorstel_per_wijk: dict[str, float] = {}
        for (_, w), u in voorstel_uren.items():
            voorstel_per_wijk[w] = voorstel_per_wijk.get(w, 0) + u
        effect = steering.intensity(per_wijk_scenario, behoefte).merge(
            steering.intensity(voorstel_per_wijk, behoefte)[["gebied_code", "uren_per_behoefte"]].rename(
                columns={"uren_per_behoefte": "voorstel_per_behoefte"}
            ),
            on="gebied_code",
        )
        tables.table(
            pd.DataFrame(
                {
                    "Wijk": effect["gebied_naam"],
                    "Uren (scenario)": effect["uren"].round(0),
                    "Per eenheid behoefte (scenario)": effect["uren_per_behoefte"].round(1),
                    "Per eenheid behoefte (voorstel)": effect["voorstel_per_behoefte"].round(1),
                    "Per 1.000 inwoners (scenario)": effect["uren_per_1000"].round(1),
                }
            ),
            "Scenario",
            key="scenario_tabel",
            hide_index=True,
            width="stretch",
        )
        if viewer.can("verdeling.opslaan"):
            halfjaar = 1 if vandaag.month <= 6 else 2
            bewerkbaar = basis is not None and basis.status == "scenario"
            with st.form("scenario_opslaan"):
                naam = st.text_input(
                    "Naam van het scenario",
                    value=basis.naam if bewerkbaar else "",
                    max_chars=200,
                    key=f"scenario_naam_{basis_id}_{jaar}",
                )
                nieuw = st.checkbox(
                    "Als nieuw scenario opslaan",
                    value=not bewerkbaar,
                    disabled=not bewerkbaar,
                    key=f"scenario_nieuw_{basis_id}_{jaar}",
                )
                if st.form_submit_button("Scenario opslaan", type="primary"):

                    def _save() -> int:
                        over = not nieuw and bewerkbaar
                        saved = steering.save_scenario(
                            jaar,
                            halfjaar,
                            naam,
                            scenario_uren,
                            behoefte_per_wijk,
                            verdeling_id=basis.id if over else None,
                            gezien_op=st.session_state.get(gezien_key) if over else None,
                            page=PAGE,
                        )
                        st.session_state.pop(gezien_key, None)  # the next edit starts from the stored version
                        return saved

                    steeringsections.write(_save, f"Scenario '{naam}' opgeslagen.")
            # newest first: the scenario just saved is the one the advice form offers
            scenarios = sorted(
                (d for d in alle_verdelingen if d.jaar == jaar and d.status == "scenario"),
                key=lambda d: d.gewijzigd_op,
                reverse=True,
            )
            if scenarios and viewer.can("verdeling.adviseren"):
                st.subheader("Advies aan de stuurgroep")
                with st.form("scenario_advies"):
                    keuze = st.selectbox(
                        "Scenario",
                        [d.id for d in scenarios],
                        format_func=lambda i: next(d.naam for d in scenarios if d.id == i),
                        key=f"advies_scenario_{scenarios[0].id}",  # a new scenario: offered first
                    )
                    advies = st.text_area(
                        "Advies (waarom deze verdeling)", max_chars=authz.MAX_TEXT, key="advies_tekst"
                    )
                    if st.form_submit_button("Als advies aan de stuurgroep geven", icon=":material/send:"):
                        steeringsections.write(
                            lambda: steering.advise_distribution(keuze, advies, page=PAGE),
                            "Het advies ligt nu bij de stuurgroep.",
                        )

# ------------------------------------------------------------------------------------------ normering
with tab_normering:
    st.subheader("Normering")
    st.caption(
        "Per indicator de banden die de behoefte (N) bepalen. De regiegroep stelt een normering voor, de "
        "stuurgroep stelt haar vast; tot dan gelden de banden uit de indicatorcatalogus."
    )
    catalogus = queries.indicators_catalogue()
    titels = dict(zip(catalogus["indicator"], catalogus["titel"], strict=True))
    eenheden = dict(zip(catalogus["indicator"], catalogus["eenheid"], strict=True))
    van_catalogus = steering.catalogue_bands()
    vastgestelde = {n.indicator: n for n in steering.norms() if n.status == "vastgesteld"}
    geldend = steering.bands_in_force()
    tables.table(
        pd.DataFrame(
            [
                {
                    "Indicator": titels.get(i, i),
                    "Eenheid": eenheden.get(i, ""),
                    "Banden": " · ".join(f"{label} vanaf {fmt.getal(g, 2)}" for g, label in b),
                    "Bron": "vastgesteld door de stuurgroep" if i in vastgestelde else "indicatorcatalogus",
                }
                for i, b in sorted(geldend.items(), key=lambda kv: titels.get(kv[0], kv[0]))
            ],
            columns=["Indicator", "Eenheid", "Banden", "Bron"],
        ),
        "Normering",
        key="normering_tabel",
        hide_index=True,
        width="stretch",
    )
    open_voorstellen = [n for n in steering.norms() if n.status == "voorstel"]
    if open_voorstellen:
        st.caption(
            md(
                "Ligt bij de stuurgroep: "
                + "; ".join(f"{titels.get(n.indicator, n.indicator)}" for n in open_voorstellen)
                + "."
            )
        )
    if viewer.can("normering.voorstellen"):
        with st.expander("Normering voorstellen", icon=":material/tune:"):
            indicator = st.selectbox("Indicator", list(titels), format_func=titels.get, key="norm_indicator")
            huidig = geldend.get(indicator) or van_catalogus.get(indicator) or ((0.0, "laag"), (1.0, "hoog"))
            banden = st.data_editor(
                pd.DataFrame({"ondergrens": [g for g, _ in huidig], "naam": [label for _, label in huidig]}),
                num_rows="dynamic",
                key=f"norm_banden_{indicator}",
                width="stretch",
            )
            toelichting = st.text_area("Toelichting", max_chars=authz.MAX_TEXT, key="norm_toelichting")
            if st.button("Voorstellen aan de stuurgroep", key="norm_voorstellen"):
                rijen = [(r.ondergrens, r.naam) for r in banden.itertuples() if not pd.isna(r.ondergrens)]
                steeringsections.write(
                    lambda: steering.propose_norm(
                        indicator, sorted(rijen, key=lambda t: float(t[0])), toelichting, page=PAGE
                    ),
                    "De normering is voorgesteld aan de stuurgroep.",
                )

# ------------------------------------------------------------------------------------------ history
with tab_historie:
    st.subheader("Verdelingen en besluiten")
    alle = alle_verdelingen
    if not alle:
        st.write("Nog geen verdelingen.")
    else:
        vergaderingen = {m.id: m for m in steering.meetings("stuurgroep")}
        tables.table(
            pd.DataFrame(
                [
                    {
                        "Jaar": d.jaar,
                        "Ronde": steering.period_label(d.jaar, d.halfjaar),
                        "Naam": d.naam,
                        "Stand": d.status_label,
                        "Totaal uren": sum(d.uren.values()),
                        "Besluit": (
                            vergaderingen[d.besluit.vergadering_id].label
                            if d.besluit and d.besluit.vergadering_id in vergaderingen
                            else ""
                        ),
                        "Gegevensversie": d.data_versie,
                        "Advies": d.advies,
                    }
                    for d in reversed(alle)
                ]
            ),
            "Verdelingen",
            key="verdelingen_tabel",
            hide_index=True,
            width="stretch",
        )
    st.caption(
        "De stuurgroep stelt een verdeling vast op haar eigen pagina (Besluiten gevraagd), in een vastgelegde "
        "vergadering; een eerder vastgestelde verdeling van hetzelfde jaar heet dan 'vervangen'."
    )

state.source_link()
