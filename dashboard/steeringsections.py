"""The steering sections of the Stuurgroep, Regiegroep, Capaciteit and Jaarplan pages (UI only; data from
dashboard.steering): decisions requested and the stuurgroep's adoption, meetings with their decisions, the
action list, the agreements overview.

Every text that people wrote is shown escaped (``md``) or in a table; every write is authorised again on
the server (dashboard.steering → wijkmonitor.records.sturing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import format as fmt
from dashboard import plans, session, steering, tables
from dashboard.safe import md
from wijkmonitor.records import authz

MESSAGE = "_wijkmonitor_steering_message"
STATUS_ICON = {
    "nagekomen": ":material/check_circle:",
    "niet nagekomen": ":material/cancel:",
    "loopt": ":material/pending:",
}


def write(do: Callable[[], Any], done: str | Callable[[Any], str]) -> bool:
    """Run one write. A refusal or a Dutch ValueError is shown here and nothing changes; on success the
    message is kept for the next run and the page runs again to show what is stored now."""
    try:
        result = do()
    except authz.Refused as exc:
        st.error(md(str(exc)), icon=":material/lock:")
        return False
    except ValueError as exc:
        st.error(md(str(exc)), icon=":material/error:")
        return False
    st.session_state[MESSAGE] = done(result) if callable(done) else done
    st.rerun()
    return True  # pragma: no cover - st.rerun does not return


def show_message() -> None:
    """The message of the write of the previous run, once."""
    message = st.session_state.pop(MESSAGE, None)
    if message:
        st.success(md(message), icon=":material/check_circle:")


def _viewer():  # noqa: ANN202
    return session.current()


def date_text(d: dt.date | None) -> str:
    return steering.format_date(d) if d else "–"


# ------------------------------------------------------------------------------------------ meetings


def meeting_choice(key: str, niveau: str = "stuurgroep", page: str = "Stuurgroep") -> int | None:
    """Pick the meeting a decision is taken in: a recorded one (newest first), or record one here."""
    recorded = steering.meetings(niveau)
    options: list[int | None] = [m.id for m in recorded[:12]]
    labels = {m.id: m.label for m in recorded}
    nieuw = "nieuw"
    keuze = st.selectbox(
        "In de vergadering",
        [*options, nieuw],
        format_func=lambda v: "Nieuwe vergadering vastleggen…" if v == nieuw else labels[v],
        key=f"{key}_vergadering",
    )
    if keuze != nieuw:
        return keuze
    with st.form(f"{key}_nieuwe_vergadering"):
        datum = st.date_input("Datum", value=steering.today(), format="DD-MM-YYYY", key=f"{key}_datum")
        aanwezig = st.multiselect(
            "Aanwezig (rollen)",
            list(steering.AANWEZIG),
            select_all=False,  # Streamlit's option reads "Select all": English in a Dutch UI
            format_func=steering.AANWEZIG.get,
            key=f"{key}_aanwezig",
        )
        if st.form_submit_button("Vergadering vastleggen"):
            write(
                lambda: steering.record_meeting(niveau, datum, aanwezig=aanwezig, page=page),
                f"Vergadering van {date_text(datum)} vastgelegd. Kies haar hierboven om te besluiten.",
            )
    return None


def meetings_section(
    niveaus: Sequence[str], wijk: str | None = None, key: str = "vergaderingen", page: str = ""
) -> None:
    """Recent meetings with who attended, the data version they looked at and their decisions; a form to
    record one for whoever may."""
    shown = [m for n in niveaus for m in steering.meetings(n, wijk if n == "team" else None)]
    shown.sort(key=lambda m: m.datum, reverse=True)
    if not shown:
        st.write("Nog geen vergaderingen vastgelegd.")
    else:
        acties_per: dict[int, int] = {}
        for a in steering.actions(wijk):
            if a.vergadering_id is not None:
                acties_per[a.vergadering_id] = acties_per.get(a.vergadering_id, 0) + 1
        rows = [
            {
                "Datum": m.datum,
                "Overleg": steering.NIVEAUS[m.niveau] + (f" {m.wijk_code}" if m.wijk_code else ""),
                "Aanwezig": ", ".join(steering.AANWEZIG.get(a, a) for a in m.aanwezig),
                "Besluiten": "; ".join(f"{d.onderwerp}" for d in m.besluiten) or "–",
                "Acties": acties_per.get(m.id, 0),
                "Gegevensversie": m.data_versie,
            }
            for m in shown[:20]
        ]
        tables.table(
            pd.DataFrame(rows), "Vergaderingen", key=f"{key}_tabel", hide_index=True, width="stretch"
        )
        st.caption(
            "Gegevensversie: de publicatie van de Wijkmonitor die de vergadering zag. Een besluit is zo later "
            "te lezen naast de cijfers waarop het is genomen."
        )
    viewer = _viewer()
    allowed = [n for n in niveaus if viewer.can("vergadering.vastleggen", wijk if n == "team" else n)]
    if not allowed:
        return
    with st.expander("Vergadering vastleggen", icon=":material/add:"), st.form(f"{key}_form"):
        niveau = st.selectbox("Overleg", allowed, format_func=steering.NIVEAUS.get, key=f"{key}_niveau")
        datum = st.date_input("Datum", value=steering.today(), format="DD-MM-YYYY", key=f"{key}_datum")
        aanwezig = st.multiselect(
            "Aanwezig (rollen)",
            list(steering.AANWEZIG),
            select_all=False,  # Streamlit's option reads "Select all": English in a Dutch UI
            format_func=steering.AANWEZIG.get,
            key=f"{key}_aanw",
        )
        notities = st.text_area("Notities", key=f"{key}_notities", max_chars=authz.MAX_TEXT)
        if st.form_submit_button("Vastleggen"):
            write(
                lambda: steering.record_meeting(
                    niveau,
                    datum,
                    wijk if niveau == "team" else None,
                    aanwezig,
                    notities,
                    page=page or "Vergaderingen",
                ),
                f"Vergadering van {date_text(datum)} vastgelegd.",
            )


# ------------------------------------------------------------------------------------------ decisions requested


def decisions_requested(wijken: Mapping[str, str]) -> None:
    """What awaits the stuurgroep: jaarplannen with the regiegroep's advice, distributions advised, norm
    proposals; with the adoption for the stuurgroep role (in a recorded meeting)."""
    st.subheader("Besluiten gevraagd")
    plannen = [p for p in plans.plans(status="advies") if p.wijk_code in wijken]
    verdelingen = [d for d in steering.distributions() if d.status == "advies"]
    normen = [n for n in steering.norms() if n.status == "voorstel"]
    if not (plannen or verdelingen or normen):
        st.success("Er wacht niets op een besluit van de stuurgroep.", icon=":material/check_circle:")
        return
    viewer = _viewer()
    mag = viewer.can("verdeling.vaststellen")
    st.caption(
        f"{len(verdelingen)} verdeling(en) van de capaciteit, {len(plannen)} jaarplan(nen) en {len(normen)} "
        "normering(en) wachten op vaststelling, met het advies van de regiegroep."
    )
    vergadering = meeting_choice("besluit") if mag else None
    if mag and vergadering is None:
        st.info("Leg eerst de vergadering vast waarin de stuurgroep besluit.", icon=":material/info:")
    for d in verdelingen:
        with st.container(border=True):
            st.markdown(f"**Verdeling van de capaciteit {d.jaar}**: {md(d.naam)}")
            totaal = d.per_partner()
            st.caption(
                f"Advies van de regiegroep (ronde {steering.period_label(d.jaar, d.halfjaar)}); "
                + ", ".join(
                    f"{md(steering.PARTNERS.get(p, p))} {fmt.getal(u)} uur" for p, u in sorted(totaal.items())
                )
                + f"; gegevensversie {md(d.data_versie) or '–'}."
            )
            st.text(d.advies or "(geen advies)")  # as written, line breaks kept
            st.page_link(
                "views/capaciteit.py", label="Bekijk de verdeling per wijk", icon=":material/groups:"
            )
            if mag and vergadering is not None:
                links, rechts = st.columns(2)
                if links.button("Vaststellen", key=f"vaststellen_verdeling_{d.id}", type="primary"):
                    write(
                        lambda d=d: steering.adopt_distribution(d.id, vergadering, page="Stuurgroep"),
                        f"Verdeling {d.jaar} vastgesteld.",
                    )
                with rechts.popover("Terugsturen"):
                    reden = st.text_area("Reden", key=f"terug_verdeling_{d.id}", max_chars=authz.MAX_TEXT)
                    if st.button("Terugsturen naar de regiegroep", key=f"terug_knop_{d.id}"):
                        write(
                            lambda d=d, reden=reden: steering.reject_distribution(
                                d.id, reden, page="Stuurgroep"
                            ),
                            "Het advies is teruggestuurd.",
                        )
    for p in plannen:
        with st.container(border=True):
            st.markdown(
                f"**Jaarplan {p.jaar} {md(wijken.get(p.wijk_code, p.wijk_code))}** ({len(p.actief)} activiteiten)"
            )
            st.caption("Advies van de regiegroep:")
            st.text(p.advies or "(geen advies)")
            st.page_link(
                "views/jaarplan.py",
                label="Bekijk het jaarplan",
                icon=":material/event_note:",
                query_params={"wijk": p.wijk_code, "jaar": str(p.jaar)},
            )
            if (
                mag
                and vergadering is not None
                and viewer.can("jaarplan.vaststellen", p.wijk_code)
                and st.button("Vaststellen", key=f"vaststellen_plan_{p.wijk_code}_{p.jaar}", type="primary")
            ):
                write(
                    lambda p=p: steering.adopt_plan(p.wijk_code, p.jaar, vergadering, page="Stuurgroep"),
                    f"Jaarplan {p.jaar} van {wijken.get(p.wijk_code, p.wijk_code)} vastgesteld.",
                )
    for n in normen:
        with st.container(border=True):
            banden = ", ".join(f"{md(label)} vanaf {fmt.getal(g, 2)}" for g, label in n.banden)
            st.markdown(f"**Normering {md(n.indicator)}**: {banden}")
            if n.toelichting:
                st.caption(md(n.toelichting))
            if mag and vergadering is not None:
                links, rechts = st.columns(2)
                if links.button("Vaststellen", key=f"vaststellen_norm_{n.id}", type="primary"):
                    write(
                        lambda n=n: steering.adopt_norm(n.id, vergadering, page="Stuurgroep"),
                        "Normering vastgesteld.",
                    )
                with rechts.popover("Terugsturen"):
                    reden = st.text_area("Reden", key=f"terug_norm_{n.id}", max_chars=authz.MAX_TEXT)
                    if st.button("Terugsturen naar de regiegroep", key=f"terug_norm_knop_{n.id}"):
                        write(
                            lambda n=n, reden=reden: steering.reject_norm(n.id, reden, page="Stuurgroep"),
                            "Het voorstel is teruggestuurd.",
                        )


def recent_decisions(limit: int = 10) -> None:
    """The stuurgroep's decisions, newest first, with their meeting and data version."""
    rows = []
    for m in steering.meetings("stuurgroep"):
        for d in m.besluiten:
            rows.append(
                {
                    "Vergadering": m.datum,
                    "Besluit": d.onderwerp,
                    "Toelichting": d.tekst,
                    "Gegevensversie": m.data_versie,
                }
            )
    if not rows:
        st.write("Nog geen besluiten vastgelegd.")
        return
    tables.table(
        pd.DataFrame(rows[:limit]),
        "Recente besluiten",
        key="recente_besluiten",
        hide_index=True,
        width="stretch",
    )


# ------------------------------------------------------------------------------------------ actions


def _action_rows(
    items: Sequence[steering.Action], wijken: Mapping[str, str], vandaag: dt.date
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Te laat": "te laat" if a.te_laat(vandaag) else "",
                "Actie": a.omschrijving,
                "Eigenaar": steering.EIGENAREN.get(a.partner, a.partner) + (f" ({a.rol})" if a.rol else ""),
                "Wijk": wijken.get(a.wijk_code, a.wijk_code) if a.wijk_code else "alle",
                "Deadline": a.deadline,
                "Status": a.status,
                "Toelichting": a.toelichting,
            }
            for a in items
        ],
        columns=["Te laat", "Actie", "Eigenaar", "Wijk", "Deadline", "Status", "Toelichting"],
    )


def actions_section(
    wijken: Mapping[str, str], wijk: str | None = None, key: str = "acties", page: str = ""
) -> None:
    """The action list: overdue actions first and marked; the regiegroep (and stuurgroep) add and update."""
    vandaag = steering.today()
    items = steering.actions(wijk)
    open_items = [a for a in items if a.status in ("open", "loopt")]
    late = [a for a in open_items if a.te_laat(vandaag)]
    if late:
        st.error(
            f"{len(late)} {'actie is' if len(late) == 1 else 'acties zijn'} over de deadline.",
            icon=":material/alarm:",
        )
    alle = st.toggle("Ook afgeronde en vervallen acties", key=f"{key}_alle")
    shown = items if alle else open_items
    shown = sorted(shown, key=lambda a: (not a.te_laat(vandaag), a.deadline or dt.date.max))
    if shown:
        tables.table(
            _action_rows(shown, wijken, vandaag),
            "Acties",
            key=f"{key}_tabel",
            hide_index=True,
            width="stretch",
        )
    else:
        st.write("Geen openstaande acties.")
    viewer = _viewer()
    if not viewer.can("actie.schrijven"):
        return
    vergaderingen = [m for n in ("regiegroep", "stuurgroep") for m in steering.meetings(n)][:20]
    with st.expander("Actie toevoegen", icon=":material/add_task:"), st.form(f"{key}_nieuw"):
        omschrijving = st.text_input("Actie", key=f"{key}_omschr", max_chars=authz.MAX_TEXT)
        links, rechts = st.columns(2)
        eigenaar = links.selectbox(
            "Eigenaar", list(steering.EIGENAREN), format_func=steering.EIGENAREN.get, key=f"{key}_eig"
        )
        rol = rechts.text_input(
            "Rol (geen naam)", key=f"{key}_rol", max_chars=100, placeholder="bijv. wijkagent"
        )
        gekozen_wijk = links.selectbox(
            "Wijk",
            [None, *wijken],
            format_func=lambda w: "alle wijken" if w is None else wijken[w],
            key=f"{key}_wijk",
        )
        deadline = rechts.date_input("Deadline", value=None, format="DD-MM-YYYY", key=f"{key}_deadline")
        vergadering = st.selectbox(
            "Uit de vergadering",
            [None, *[m.id for m in vergaderingen]],
            format_func=lambda v: "–" if v is None else next(m.label for m in vergaderingen if m.id == v),
            key=f"{key}_verg",
        )
        if st.form_submit_button("Toevoegen"):
            write(
                lambda: steering.save_action(
                    steering.Action(
                        omschrijving, eigenaar, rol, gekozen_wijk, deadline, vergadering_id=vergadering
                    ),
                    page=page or "Regiegroep",
                ),
                "Actie toegevoegd.",
            )
    if open_items:
        with st.expander("Status van een actie bijwerken", icon=":material/edit:"):
            labels = {
                a.id: f"{a.omschrijving[:80]} ({steering.EIGENAREN.get(a.partner, a.partner)})"
                for a in open_items
            }
            with st.form(f"{key}_status"):
                keuze = st.selectbox("Actie", list(labels), format_func=labels.get, key=f"{key}_keuze")
                status = st.selectbox("Status", steering.ACTIE_STATUS, key=f"{key}_nieuwe_status")
                toelichting = st.text_input("Toelichting", key=f"{key}_toel", max_chars=authz.MAX_TEXT)
                if st.form_submit_button("Bijwerken"):
                    actie = next(a for a in open_items if a.id == keuze)
                    write(
                        lambda: steering.save_action(
                            replace(actie, status=status, toelichting=toelichting or actie.toelichting),
                            page=page or "Regiegroep",
                        ),
                        "Actie bijgewerkt.",
                    )


def overdue_actions_banner(wijk: str, wijken: Mapping[str, str]) -> None:
    """On a wijk's jaarplan page: the action list's overdue actions for this wijk (read-only)."""
    vandaag = steering.today()
    late = [a for a in steering.actions(wijk, open_only=True) if a.te_laat(vandaag)]
    if not late:
        return
    with st.container(border=True):
        st.markdown(
            f":red[**{len(late)} {'actie' if len(late) == 1 else 'acties'} van de regiegroep over de deadline**]"
        )
        tables.table(
            _action_rows(late, wijken, vandaag),
            "Acties over de deadline",
            key=f"acties_te_laat_{wijk}",
            hide_index=True,
            width="stretch",
        )


# ------------------------------------------------------------------------------------------ agreements


def agreements_section(
    wijken: Mapping[str, str], vanaf_jaar: int, only_attention: bool = False, key: str = "afspraken"
) -> None:
    """Agreements kept and broken per party and period; measured ones computed from the data."""
    results = steering.agreement_results(vanaf_jaar, list(wijken))
    if results.empty:
        st.write("Nog geen afspraken vastgelegd.")
        return
    if only_attention:
        latest = results.sort_values("periode").groupby("afspraak_id").tail(2)
        results = latest[latest["status"] != "nagekomen"]
        if results.empty:
            st.success("Alle afspraken van de laatste periodes zijn nagekomen.", icon=":material/handshake:")
            return
    summary = (
        results.assign(n=1)
        .pivot_table(index="partij", columns="status", values="n", aggfunc="sum", fill_value=0)
        .reindex(columns=list(steering.AFSPRAAK_STATUS), fill_value=0)
        .reset_index()
    )
    if not only_attention:
        st.caption("Aantal periodes per partij: nagekomen, niet nagekomen, loopt nog.")
        tables.table(
            summary.rename(columns={"partij": "Partij"}),
            "Afspraken per partij",
            key=f"{key}_per_partij",
            hide_index=True,
            width="stretch",
        )
        partij = st.selectbox("Partij", ["alle", *sorted(results["partij"].unique())], key=f"{key}_partij")
        if partij != "alle":
            results = results[results["partij"] == partij]
    table = results.sort_values(["periode", "afspraak_id"], ascending=[False, True]).assign(
        Stand=lambda d: d["status"]
    )
    tables.table(
        table[["periode", "partij", "afspraak", "Stand", "meting", "toelichting"]].rename(
            columns={
                "periode": "Periode",
                "partij": "Partij",
                "afspraak": "Afspraak",
                "meting": "Hoe",
                "toelichting": "Toelichting",
            }
        ),
        "Afspraken",
        key=f"{key}_tabel",
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Gemeten: de Wijkmonitor berekent het zelf uit de leveringen, de vergaderingen en de halfjaarrapportages. "
        "Getoetst: de regiegroep beoordeelt het per halfjaar."
    )


def agreements_admin(key: str = "afspraak", page: str = "Regiegroep") -> None:
    """For the regiegroep: record an agreement, and check the ones the monitor cannot measure."""
    viewer = _viewer()
    if viewer.can("afspraak.schrijven"):
        with st.expander("Afspraak vastleggen", icon=":material/handshake:"):
            meting = st.selectbox(
                "Hoe wordt zij getoetst?",
                list(steering.METINGEN),
                format_func=steering.METINGEN.get,
                key=f"{key}_meting",
            )
            with st.form(f"{key}_nieuw"):
                omschrijving = st.text_input(
                    "Wat is afgesproken", key=f"{key}_omschr", max_chars=authz.MAX_TEXT
                )
                partij = st.selectbox(
                    "Door wie",
                    list(steering.EIGENAREN),
                    format_func=steering.EIGENAREN.get,
                    key=f"{key}_partij",
                )
                termijn = st.text_input("Wanneer of hoe vaak", key=f"{key}_termijn", max_chars=200)
                parameters: dict[str, Any] = {}
                if meting in ("levering", "levering_na_periode"):
                    parameters["bron"] = st.selectbox(
                        "Bron (levering)", sorted(authz.BRONNEN) + ["politie_week"], key=f"{key}_bron"
                    )
                    dagen = st.number_input(
                        "Dagen",
                        min_value=1,
                        max_value=366,
                        value=14 if meting == "levering" else 42,
                        key=f"{key}_dagen",
                    )
                    parameters["elke_dagen" if meting == "levering" else "binnen_dagen"] = int(dagen)
                elif meting == "vergaderritme":
                    parameters["niveau"] = st.selectbox(
                        "Overleg", ["stuurgroep", "regiegroep"], key=f"{key}_niveau"
                    )
                    parameters["per_jaar"] = int(
                        st.number_input("Minstens per jaar", 1, 52, 4, key=f"{key}_per_jaar")
                    )
                if st.form_submit_button("Vastleggen"):
                    write(
                        lambda: steering.save_agreement(
                            steering.Agreement(omschrijving, partij, termijn, meting, parameters), page=page
                        ),
                        "Afspraak vastgelegd.",
                    )
    handmatig = [a for a in steering.agreements() if a.meting == "handmatig"]
    if handmatig and viewer.can("afspraak.toetsen"):
        with st.expander("Afspraak toetsen", icon=":material/fact_check:"):
            vandaag = steering.today()
            y, h = plans.jp.current_half(vandaag)
            vorige = plans.jp.last_ended_half(vandaag)
            periodes = [steering.period_label(*vorige), steering.period_label(y, h)]
            with st.form(f"{key}_toets"):
                labels = {a.id: a.omschrijving[:100] for a in handmatig}
                keuze = st.selectbox("Afspraak", list(labels), format_func=labels.get, key=f"{key}_keuze")
                periode = st.selectbox("Periode", periodes, key=f"{key}_periode")
                status = st.radio("Oordeel", steering.AFSPRAAK_STATUS, horizontal=True, key=f"{key}_status")
                toelichting = st.text_input(
                    "Toelichting (verplicht bij niet nagekomen)", key=f"{key}_toel", max_chars=authz.MAX_TEXT
                )
                if st.form_submit_button("Toetsing vastleggen"):
                    write(
                        lambda: steering.check_agreement(keuze, periode, status, toelichting, page=page),
                        "Toetsing vastgelegd.",
                    )
