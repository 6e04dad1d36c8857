"""The jaarplan sections of the Wijk, Regiegroep and Stuurgroep pages (UI only; data from dashboard.plans).

Every text that people wrote (advice, questions, names) is shown escaped (``md``) or in a table.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import format as fmt
from dashboard import plans, tables
from dashboard.safe import md

JAARPLAN_PAGE = "views/jaarplan.py"
STAND_ICON = {
    "op tijd": ":material/check_circle:",
    "te laat ingediend": ":material/schedule:",
    "verwacht": ":material/pending:",
    "te laat": ":material/error:",
    "nog niet": ":material/hourglass_empty:",
}


def _date(d) -> str:
    return f"{d.day} {plans.MONTHS[d.month - 1]} {d.year}"


def _link(wijk: str, naam: str, jaar: int, label: str | None = None) -> None:
    st.page_link(
        JAARPLAN_PAGE,
        label=label or f"Jaarplan {md(naam)} {jaar}",
        icon=":material/event_note:",
        query_params={"wijk": wijk, "jaar": str(jaar)},
    )


def _peildatum_caption() -> None:
    fixed = plans.fixed_date()
    if fixed is not None:
        st.caption(f"Peildatum (demo): {_date(fixed)}. Rapportages worden beoordeeld alsof het dan is.")


def _late(states: list) -> str:
    n = sum(s.stand == "te laat" for s in states)
    return f"{n} {'is' if n == 1 else 'zijn'}"


def stand_text(s: plans.ReportingState) -> str:
    if s.stand == "op tijd":
        return f"ingediend op {_date(s.ingediend_op)}"
    if s.stand == "te laat ingediend":
        dagen = s.dagen_te_laat
        return f"te laat ingediend op {_date(s.ingediend_op)} ({dagen} dagen na de termijn)"
    if s.stand == "verwacht":
        return f"verwacht, uiterlijk {_date(s.deadline)}"
    if s.stand == "niet verwacht":
        return f"niet verwacht: geen vastgesteld jaarplan {s.jaar}"
    if s.stand == "te laat":
        dagen = (plans.today() - s.deadline).days
        return f"te laat: niet ingediend, termijn verstreken op {_date(s.deadline)} ({dagen} dagen geleden)"
    return "nog niet aan de beurt"


# ------------------------------------------------------------------------------------------ Wijk page


def wijk_section(wijk: str, naam: str) -> None:
    """The Wijk page's jaarplan section: progress at a glance and the way to the jaarplan."""
    st.subheader("Jaarplan en halfjaarrapportage")
    jaar = plans.today().year
    plan = plans.plan(wijk, jaar)
    if plan is None:
        st.info(f"Er is (nog) geen jaarplan {jaar} voor {md(naam)}.", icon=":material/event_note:")
        _link(wijk, naam, jaar, label="Naar de jaarplannen van deze wijk")
        return
    jaar_rapporten = plans.reports(wijk=wijk, jaar=jaar)
    nieuwste = jaar_rapporten[-1] if jaar_rapporten else None
    voortgang = plans.jp.progress(plan, nieuwste)
    stand = plans.current_reporting(wijk)
    c = st.columns(4)
    c[0].metric(
        f"Jaarplan {jaar}", plan.status_label, help="concept → ingediend → advies regiegroep → vastgesteld"
    )
    c[1].metric(
        "Activiteiten", len(plan.actief), help=f"{len(plan.wijzigingen)} amendementen na vaststelling"
    )
    c[2].metric(
        "Op koers",
        "–" if voortgang.aandeel_op_koers is None else fmt.procent(voortgang.aandeel_op_koers),
        help="Aandeel van de activiteiten dat volgens de nieuwste rapportage loopt, klaar is of nog niet hoeft "
        "te beginnen.",
    )
    c[3].metric("Vertraagd", voortgang.per_status["vertraagd"])
    st.caption(md(f"Halfjaarrapportage {stand.label}: {stand_text(stand)}."))
    _peildatum_caption()
    _link(wijk, naam, jaar)


# ------------------------------------------------------------------------------------------ Regiegroep page


def regiegroep_section(wijken: dict[str, str]) -> None:
    """Which teams have and have not reported this half-year; jaarplannen awaiting advice; the teams'
    questions to the regiegroep."""
    st.subheader("Halfjaarrapportages van de leefbaarheidsteams")
    y, h = plans.jp.last_ended_half(plans.today())
    alle = plans.current_states(list(wijken))
    stand = [s for s in alle if s.stand != "niet verwacht"]
    ingediend = [s for s in stand if s.ingediend]
    open_ = [s for s in stand if not s.ingediend]
    zonder = [wijken[s.wijk_code] for s in alle if s.stand == "niet verwacht"]
    st.markdown(
        f"**{h}e halfjaar {y}**: {len(ingediend)} van de {len(stand)} teams met een vastgesteld jaarplan "
        f"{'heeft' if len(ingediend) == 1 else 'hebben'} gerapporteerd"
        + (f", {_late(open_)} te laat." if open_ else ".")
    )
    if zonder:
        st.caption(md(f"Zonder vastgesteld jaarplan {y} (geen rapportage verwacht): {', '.join(zonder)}."))
    _peildatum_caption()
    rapporten = {r.wijk_code: r for r in plans.reports(jaar=y, halfjaar=h)}
    tabel = pd.DataFrame(
        [
            {
                "Wijk": wijken[s.wijk_code],
                "Stand": s.stand,
                "Toelichting": stand_text(s),
                "Versie": rapporten[s.wijk_code].versie if s.wijk_code in rapporten else None,
                "Vertraagd": sum(r.status == "vertraagd" for r in rapporten[s.wijk_code].regels)
                if s.wijk_code in rapporten
                else None,
            }
            for s in sorted(stand, key=lambda s: (s.ingediend, s.stand != "te laat", wijken[s.wijk_code]))
        ]
    )
    tables.table(
        tabel, "Halfjaarrapportages per team", key="regie_rapportages_tabel", hide_index=True, width="stretch"
    )
    for s in open_:
        with st.container(border=True):
            st.markdown(md(f"{wijken[s.wijk_code]}: {stand_text(s)}"))
            _link(s.wijk_code, wijken[s.wijk_code], y, label=f"Jaarplan {md(wijken[s.wijk_code])} {y}")

    vragen = [(w, r) for w, r in rapporten.items() if r.vragen.strip()]
    if vragen:
        with st.expander(f"Vragen van de teams aan de regiegroep ({len(vragen)})"):
            for w, r in sorted(vragen, key=lambda x: wijken.get(x[0], x[0])):
                st.markdown(f"**{md(wijken.get(w, w))}**")
                st.text(r.vragen)

    st.subheader("Jaarplannen die wachten op advies")
    wachtend = [p for p in plans.plans(status="ingediend") if p.wijk_code in wijken]
    if not wachtend:
        st.success("Geen jaarplan wacht op advies van de regiegroep.", icon=":material/check_circle:")
    for p in wachtend:
        ingediend_op = next((s.tijdstip for s in reversed(p.stappen) if s.naar == "ingediend"), None)
        with st.container(border=True):
            st.markdown(
                md(
                    f"{wijken[p.wijk_code]} {p.jaar}: {len(p.actief)} activiteiten, "
                    f"{sum(a.uren_totaal for a in p.actief):,.0f} uur gepland".replace(",", ".")
                    + (f", ingediend op {_date(ingediend_op)}" if ingediend_op else "")
                )
            )
            _link(p.wijk_code, wijken[p.wijk_code], p.jaar, label="Bekijken en advies geven")


# ------------------------------------------------------------------------------------------ Stuurgroep page


def stuurgroep_section(wijken: dict[str, str], doelstatus: pd.DataFrame) -> None:
    """Progress of all jaarplannen next to the target status.

    ``doelstatus``: the page's target status per wijk (columns gebied_code, status). The jaarplannen awaiting
    adoption are among the stuurgroep's decisions requested (dashboard.steeringsections)."""
    jaar = plans.today().year
    st.subheader(f"Voortgang van de jaarplannen {jaar}")
    tabel = plans.progress_table(wijken, jaar)
    if tabel.empty or (tabel["jaarplan"] == "geen jaarplan").all():
        st.info(f"Nog geen jaarplannen voor {jaar}.", icon=":material/event_note:")
        return
    doel = dict(zip(doelstatus["gebied_code"], doelstatus["status"], strict=False))
    tabel["doel"] = tabel["wijk_code"].map(doel).fillna("geen data")
    tabel["op_koers"] = (tabel["op_koers"] * 100).round(0)
    tables.table(
        tabel[
            [
                "wijk",
                "doel",
                "jaarplan",
                "activiteiten",
                "rapportage",
                "op_koers",
                "vertraagd",
                "amendementen",
            ]
        ],
        f"Voortgang jaarplannen {jaar}",
        key="stuur_jaarplannen_tabel",
        hide_index=True,
        width="stretch",
        column_config={
            "wijk": "Wijk",
            "doel": st.column_config.TextColumn("Doelstatus", help="Zoals bovenaan deze pagina"),
            "jaarplan": "Jaarplan",
            "activiteiten": "Activiteiten",
            "rapportage": "Nieuwste rapportage",
            "op_koers": st.column_config.ProgressColumn(
                "Op koers",
                help="Aandeel activiteiten op koers volgens de nieuwste rapportage",
                format="%d%%",
                min_value=0,
                max_value=100,
            ),
            "vertraagd": "Vertraagd",
            "amendementen": "Amendementen",
        },
    )
    gemiddeld = tabel["op_koers"].dropna()
    if not gemiddeld.empty:
        st.caption(
            f"Gemiddeld {gemiddeld.mean():.0f}% van de activiteiten op koers over {len(gemiddeld)} wijken met een "
            "rapportage. De doelstatus gaat over de leefbaarheid zelf; de voortgang over wat de partners doen."
        )
