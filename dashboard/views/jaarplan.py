"""Jaarplan: the yearly agenda of a wijk's leefbaarheidsteam, its way through the regiegroep and the stuurgroep,
and the half-yearly reports on it.

Everyone with a login reads it. The controls follow the viewer's roles (team of the wijk: write the plan,
submit it, report; regiegroep: advise; stuurgroep: adopt), but that is a courtesy: every write goes through
dashboard.plans to wijkmonitor.records, which authorises it again at the moment of writing from the roles in
the records store and records it in the audit trail. Text people wrote (titles, advice, narratives) is shown
in tables, with st.text, or escaped with md(); never as Markdown of its own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard import (
    deliveries,
    plancharts,
    plans,
    queries,
    session,
    state,
    steering,
    steeringsections,
    tables,
)
from dashboard import format as fmt
from dashboard.safe import md
from wijkmonitor.records import authz
from wijkmonitor.records import jaarplannen as jp

MESSAGE = "_jaarplan_melding"  # the last write's success message, shown once after the rerun
REV = "_jaarplan_rev"  # bumped after every write: editors and forms start again from what is stored
LOCAL = ZoneInfo("Europe/Amsterdam")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLOW = ("concept", "ingediend", "advies", "vastgesteld")
STEP_BUTTON = {
    ("concept", "ingediend"): "Indienen bij de regiegroep",
    ("ingediend", "advies"): "Advies vastleggen",
    ("advies", "vastgesteld"): "Vaststellen",
    ("ingediend", "concept"): "Terug naar concept",
    ("advies", "concept"): "Terug naar concept",
}

viewer = session.current()
if not queries.has_data():
    st.title("Jaarplan")
    state.no_data_message()
    st.stop()

gemeente_code = state.gemeente()
wijken_df = queries.areas("wijk", gemeente_code)
if wijken_df.empty:
    st.title("Jaarplan")
    st.warning("Deze database heeft (nog) geen wijken: zonder wijken zijn er geen jaarplannen.")
    st.stop()
namen: dict[str, str] = dict(zip(wijken_df["gebied_code"], wijken_df["gebied_naam"], strict=True))
eigen = [r.split(":", 1)[1] for r in sorted(viewer.rollen) if r.startswith("team:")]
eigen = [w for w in eigen if w in namen]

vandaag = plans.today()
keuze = st.columns([2, 1])
wijk = state.select(
    keuze[0], "Wijk", list(namen), "wijk", default=eigen[0] if eigen else None, format_func=namen.get
)
naam = namen[wijk]
plan_jaren = plans.plan_years(wijk)
jaren = sorted(set(plan_jaren) | {vandaag.year, vandaag.year + 1})
standaard = vandaag.year if vandaag.year in plan_jaren else (max(plan_jaren) if plan_jaren else vandaag.year)
jaar = state.select(keuze[1], "Jaar", jaren, "jaar", default=standaard)
rev = int(st.session_state.get(REV, 0))
sfx = f"{wijk}_{jaar}_{rev}"  # widget keys of this wijk, year and stored state

st.title(f"Jaarplan {md(naam)} {jaar}")
steeringsections.overdue_actions_banner(wijk, namen)  # the regiegroep's action list, for this wijk
plan = plans.plan(wijk, jaar)
catalogus = plans.catalogue()
themas: dict[str, str] = catalogus["themas"]
indicator_titels: dict[str, str] = {i["indicator"]: i["titel"] for i in catalogus["indicatoren"]}
opgaven = plans.opgaven(wijk)
opgave_titels = {o.id: o.titel for o in opgaven}
# opgaven an activity of this plan still points at, although they were dropped from the wijkprogramma since
vervallen_opgaven = sorted(
    {a.opgave_id for a in (plan.activiteiten if plan else []) if a.opgave_id is not None} - set(opgave_titels)
)


def _opgave(i: int | None) -> str:
    if i is None:
        return ""
    return opgave_titels.get(i, f"opgave {i} (vervallen)")


kan_schrijven = viewer.can("jaarplan.schrijven", wijk)
kan_rapporteren = viewer.can("status.indienen", wijk)
kan_programma = viewer.can("wijkprogramma.schrijven", wijk)
rollen_hier = []
if kan_schrijven:
    rollen_hier.append("als leefbaarheidsteam van deze wijk schrijft u het jaarplan en rapporteert u erover")
if viewer.can("jaarplan.adviseren", wijk):
    rollen_hier.append("als regiegroep geeft u advies op een ingediend jaarplan")
if viewer.can("jaarplan.vaststellen", wijk):
    rollen_hier.append("als stuurgroep stelt u een jaarplan met advies vast")
st.caption(
    "Het jaarplan is de agenda van het leefbaarheidsteam: welke activiteiten, door welke partner, wanneer en met "
    "hoeveel uren. Het gaat van concept via de regiegroep (advies) naar de stuurgroep (vaststelling); elk half "
    "jaar rapporteert het team over de stand. "
    + (
        "U " + "; ".join(rollen_hier) + "."
        if rollen_hier
        else "U kunt het jaarplan lezen; schrijven en rapporteren doet het leefbaarheidsteam van de wijk."
    )
)


# ------------------------------------------------------------------------------------------ helpers


def _date(d: dt.date | dt.datetime | None) -> str:
    """'15 september 2025' (a moment in Dutch local time)."""
    if d is None:
        return "–"
    if isinstance(d, dt.datetime):
        d = (d if d.tzinfo else d.replace(tzinfo=dt.UTC)).astimezone(LOCAL).date()
    return f"{d.day} {jp.MONTHS[d.month - 1]} {d.year}"


def _moment(t: dt.datetime | None) -> str:
    if t is None:
        return "–"
    return fmt.datum_tijd((t if t.tzinfo else t.replace(tzinfo=dt.UTC)).astimezone(LOCAL))


def _half(h: int, y: int | None = None) -> str:
    return f"{h}e halfjaar" + (f" {y}" if y is not None else "")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if pd.api.types.is_scalar(value) else False
    except (TypeError, ValueError):
        return False


def _str(value: Any) -> str:
    return "" if _missing(value) else str(value).strip()


def _int(value: Any, missing: int = 0) -> int:
    if _missing(value):
        return missing
    try:
        x = float(value)
    except (TypeError, ValueError):
        return missing
    return int(x) if x.is_integer() else missing


def _float(value: Any) -> float | None:
    if _missing(value):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _list(value: Any) -> list[str]:
    if value is None or isinstance(value, str | float):
        return [value] if isinstance(value, str) and value.strip() else []
    try:
        return [str(v) for v in value if not _missing(v) and str(v).strip()]
    except TypeError:
        return []


def _write(do: Callable[[], Any], done: Callable[[Any], str] | str) -> None:
    """Run one write. A refusal or a Dutch ValueError is shown here and nothing changes; on success the
    message is kept for the next run and the page runs again to show what is stored now."""
    try:
        result = do()
    except authz.Refused as exc:
        st.error(md(str(exc)), icon=":material/lock:")
    except ValueError as exc:
        st.error(md(str(exc)), icon=":material/error:")
    else:
        st.session_state[MESSAGE] = done(result) if callable(done) else done
        st.session_state[REV] = rev + 1
        st.rerun()


def _diff_text(d: jp.ActivityDiff) -> str:
    if d.empty:
        return "geen wijzigingen"
    parts = []
    if d.toegevoegd:
        parts.append("toegevoegd: " + ", ".join(a.code for a in d.toegevoegd))
    if d.gewijzigd:
        parts.append(
            "gewijzigd: "
            + ", ".join(f"{n.code} ({', '.join(d.changed_fields(o, n))})" for o, n in d.gewijzigd)
        )
    if d.verwijderd:
        parts.append("verwijderd: " + ", ".join(a.code for a in d.verwijderd))
    return "; ".join(parts)


def _diff_table(d: jp.ActivityDiff) -> pd.DataFrame:
    rows = [{"Wijziging": "toegevoegd", "Code": a.code, "Titel": a.titel, "Wat": ""} for a in d.toegevoegd]
    rows += [
        {"Wijziging": "gewijzigd", "Code": n.code, "Titel": n.titel, "Wat": ", ".join(d.changed_fields(o, n))}
        for o, n in d.gewijzigd
    ]
    rows += [{"Wijziging": "verwijderd", "Code": a.code, "Titel": a.titel, "Wat": ""} for a in d.verwijderd]
    return pd.DataFrame(rows, columns=["Wijziging", "Code", "Titel", "Wat"])


def _catalogue_problems(a: jp.Activity) -> list[str]:
    p = []
    if a.thema and a.thema not in themas:
        p.append(f"thema {a.thema[:40]!r} staat niet in de catalogus")
    for i in a.indicatoren:
        if i not in indicator_titels:
            p.append(f"indicator {i[:60]!r} staat niet in de catalogus")
    return p


def _problems(acts: Sequence[jp.Activity], diff: jp.ActivityDiff) -> list[str]:
    """What is wrong with the edited activities: the domain's rules for every row, the catalogue (themes,
    indicators) for the rows that are added or changed (an unchanged row does not block saving others)."""
    out, seen = [], set()
    ids = [o.id for o in opgaven] + vervallen_opgaven
    nieuw = {a.code for a in diff.toegevoegd} | {n.code for _, n in diff.gewijzigd}
    for a in acts:
        for p in jp.activity_problems(a, ids) + (_catalogue_problems(a) if a.code in nieuw else []):
            out.append(f"{a.code or '(zonder code)'}: {p}")
        if a.code in seen:
            out.append(f"{a.code}: deze code komt twee keer voor")
        seen.add(a.code)
    return out


def _activities_table(acts: Sequence[jp.Activity]) -> pd.DataFrame:
    """The activities as everyone reads them (plain text cells)."""
    return pd.DataFrame(
        [
            {
                "Code": a.code,
                "Titel": a.titel,
                "Thema": themas.get(a.thema, a.thema),
                "Trekker": jp.PARTNERS.get(a.trekker, a.trekker),
                "Periode": plancharts._months(a),
                "Uren": a.uren_totaal,
                "Uren per partner": plancharts._hours(a.uren),
                "Budget (€)": a.budget,
                "Indicatoren": ", ".join(indicator_titels.get(i, i) for i in a.indicatoren),
                "Opgave": _opgave(a.opgave_id),
                "Omschrijving": a.omschrijving,
                "Verwacht effect": a.verwacht_effect,
            }
            for a in acts
        ],
        columns=[
            "Code",
            "Titel",
            "Thema",
            "Trekker",
            "Periode",
            "Uren",
            "Uren per partner",
            "Budget (€)",
            "Indicatoren",
            "Opgave",
            "Omschrijving",
            "Verwacht effect",
        ],
    )


# ------------------------------------------------------------------------------------------ message, banner

if MESSAGE in st.session_state:
    st.success(md(st.session_state.pop(MESSAGE)), icon=":material/check_circle:")
steeringsections.show_message()  # a meeting recorded for the adoption

vast = plans.fixed_date()
if vast is not None:
    st.caption(f"Peildatum (demo): {_date(vast)}. Rapportages worden beoordeeld alsof het dan is.")

stand = plans.current_reporting(wijk)
termijn = plans.grace_days()
over = f"De halfjaarrapportage over het {_half(stand.halfjaar, stand.jaar)}"
if stand.ingediend:
    geldend = plans.report(wijk, stand.jaar, stand.halfjaar)
    if geldend is None:
        wie = ""
    elif geldend.versie == 1:
        wie = f" door {geldend.ingediend_door} (versie 1)"
    else:  # corrected since: when it first came in counts, and which version holds now
        wie = (
            f"; de geldende versie {geldend.versie} is van {_date(geldend.ingediend_op)}, door "
            f"{geldend.ingediend_door}"
        )
    if stand.stand == "op tijd":
        st.success(
            md(f"{over} is op tijd ingediend op {_date(stand.ingediend_op)}{wie}."),
            icon=":material/task_alt:",
        )
    else:
        dagen = stand.dagen_te_laat
        st.info(
            md(
                f"{over} is te laat ingediend op {_date(stand.ingediend_op)}, {dagen} "
                f"{'dag' if dagen == 1 else 'dagen'} na de termijn (uiterlijk {_date(stand.deadline)}){wie}."
            ),
            icon=":material/schedule:",
        )
elif stand.stand == "niet verwacht":
    st.caption(
        f"Er is geen vastgesteld jaarplan {stand.jaar}: er wordt geen halfjaarrapportage over {stand.jaar} "
        "verwacht."
    )
elif stand.stand == "verwacht":
    st.warning(
        f"{over} kan nu worden ingediend; uiterlijk {_date(stand.deadline)} (termijn {termijn} dagen)."
        + (" U vult haar in op het tabblad Status." if kan_rapporteren else ""),
        icon=":material/pending_actions:",
    )
elif stand.stand == "te laat":
    dagen = (vandaag - stand.deadline).days
    st.error(
        f"{over} is te laat: de termijn liep af op {_date(stand.deadline)} en ze is nog niet ingediend "
        f"({dagen} {'dag' if dagen == 1 else 'dagen'} te laat)."
        + (" U vult haar in op het tabblad Status." if kan_rapporteren else ""),
        icon=":material/error:",
    )

# ------------------------------------------------------------------------------------------ plan header

if plan is None:
    st.info(
        f"Er is nog geen jaarplan {jaar} voor {md(naam)}."
        + (
            " Begin hieronder op het tabblad Agenda met de activiteiten (of met het Excel-sjabloon) en sla ze op: "
            "dan ontstaat het jaarplan als concept."
            if kan_schrijven
            else " Het leefbaarheidsteam van de wijk stelt het op."
        ),
        icon=":material/event_note:",
    )
else:
    st.markdown(
        "Stand: "
        + " → ".join(f"**{jp.PLAN_STATUS[s]}**" if s == plan.status else jp.PLAN_STATUS[s] for s in FLOW)
    )
    c = st.columns(4)
    c[0].metric("Status", plan.status_label)
    c[1].metric(
        "Activiteiten",
        len(plan.actief),
        help=f"{len(plan.activiteiten) - len(plan.actief)} geschrapt bij een amendement"
        if len(plan.activiteiten) > len(plan.actief)
        else None,
    )
    c[2].metric("Uren gepland", fmt.getal(sum(a.uren_totaal for a in plan.actief)))
    c[3].metric(
        "Vastgesteld",
        fmt.datum(plan.vastgesteld_op) if plan.vastgesteld_op else "nog niet",
        help=f"Door de stuurgroep, in haar vergadering van {_date(plan.vastgesteld_op)}."
        if plan.vastgesteld_op
        else None,
    )
    if plan.advies:
        st.markdown("**Advies van de regiegroep**")
        st.text(plan.advies)
    if plan.stappen:
        with st.expander(f"Verloop van het jaarplan ({len(plan.stappen)} stappen)"):
            tables.table(
                pd.DataFrame(
                    {
                        "Wanneer": [_moment(s.tijdstip) for s in plan.stappen],
                        "Door": [s.door for s in plan.stappen],
                        "Van": [jp.PLAN_STATUS.get(s.van, s.van) for s in plan.stappen],
                        "Naar": [jp.PLAN_STATUS.get(s.naar, s.naar) for s in plan.stappen],
                        "Advies of reden": [s.toelichting for s in plan.stappen],
                        "Vergaderdatum": [
                            _date(s.vergaderdatum) if s.vergaderdatum else "" for s in plan.stappen
                        ],
                    }
                ),
                f"Verloop jaarplan {naam} {jaar}",
                hide_index=True,
                width="stretch",
                key="jaarplan_verloop",
            )
    if plan.wijzigingen:
        with st.expander(f"Amendementen na vaststelling ({len(plan.wijzigingen)})"):
            tables.table(
                pd.DataFrame(
                    {
                        "Wanneer": [_moment(w.tijdstip) for w in plan.wijzigingen],
                        "Door": [w.door for w in plan.wijzigingen],
                        "Soort": [w.soort for w in plan.wijzigingen],
                        "Activiteit": [w.activiteit_code for w in plan.wijzigingen],
                        "Titel": [(w.nieuw or w.oud or {}).get("titel", "") for w in plan.wijzigingen],
                        "Reden": [w.reden for w in plan.wijzigingen],
                    }
                ),
                f"Amendementen {naam} {jaar}",
                hide_index=True,
                width="stretch",
                key="jaarplan_amendementen",
            )

# ------------------------------------------------------------------------------------------ workflow steps


def _step_control(p: jp.Plan, naar: str) -> None:
    """One workflow step from the plan's state to ``naar``: what it needs (advice, date, reason) and its button."""
    van = p.status
    label = STEP_BUTTON[(van, naar)]
    key = f"jaarplan_stap_{van}_{naar}"
    if naar == "ingediend":
        edits = st.session_state.get(f"jaarplan_activiteiten_{sfx}")  # the editor below, as last drawn
        unsaved = isinstance(edits, dict) and any(
            edits.get(k) for k in ("edited_rows", "added_rows", "deleted_rows")
        )
        st.caption(
            "Na indienen ligt het jaarplan bij de regiegroep en kan het team het niet meer wijzigen, tot het "
            "terug naar concept gaat."
            + (
                " U heeft wijzigingen in de activiteiten die nog niet zijn opgeslagen: sla die eerst op."
                if unsaved
                else ""
            )
        )
        if st.button(
            label, key=key, type="primary", icon=":material/send:", disabled=not p.actief or unsaved
        ):
            _write(
                lambda: plans.step(wijk, jaar, van, naar),
                f"Het jaarplan {jaar} is ingediend bij de regiegroep.",
            )
    elif naar == "advies":
        advies = st.text_area(
            "Advies van de regiegroep aan de stuurgroep",
            key=f"jaarplan_advies_{sfx}",
            max_chars=authz.MAX_TEXT,
        )
        if st.button(label, key=key, type="primary", icon=":material/rate_review:"):
            _write(
                lambda: plans.step(wijk, jaar, van, naar, toelichting=advies),
                f"Het advies van de regiegroep op het jaarplan {jaar} is vastgelegd.",
            )
    elif naar == "vastgesteld":
        # adopted in a recorded stuurgroep meeting: the decision is kept with the meeting and its data version
        vergadering = steeringsections.meeting_choice(f"jaarplan_{sfx}", page="Jaarplan")
        gekozen = steering.meeting(vergadering) if vergadering is not None else None
        if st.button(label, key=key, type="primary", icon=":material/gavel:", disabled=gekozen is None):
            _write(
                lambda: steering.adopt_plan(wijk, jaar, gekozen.id, page="Jaarplan"),
                f"Het jaarplan {jaar} is vastgesteld (vergadering van {_date(gekozen.datum)}).",
            )
    else:  # back to concept, with a reason
        reden = st.text_input(
            "Reden om het jaarplan terug naar concept te zetten",
            key=f"jaarplan_reden_{van}_{sfx}",
            max_chars=authz.MAX_TEXT,
        )
        if st.button(label, key=key, icon=":material/undo:"):
            _write(
                lambda: plans.step(wijk, jaar, van, naar, toelichting=reden),
                f"Het jaarplan {jaar} staat weer in concept.",
            )


def _step_controls(p: jp.Plan) -> None:
    steps = [naar for naar, action in jp.allowed_steps(p.status) if viewer.can(action, wijk)]
    if steps:
        with st.container(border=True):
            st.markdown("**Volgende stap**")
            for naar in steps:
                _step_control(p, naar)


if plan is not None:
    _step_controls(plan)

# ------------------------------------------------------------------------------------------ the tabs

# A key keeps the open tab when the page runs again with a message above it (without one, the tabs would be a
# new element at another position, and the first tab would open).
tab_agenda, tab_uren, tab_status, tab_indicatoren, tab_programma, tab_excel, tab_overleg = st.tabs(
    ["Agenda", "Uren", "Status", "Indicatoren", "Wijkprogramma", "Excel", "Overleg en acties"],
    key="jaarplan_tabs",
)

# ----------------------------------------------------------------------------- agenda and the activities
EDIT_COLUMNS = [
    "code",
    "titel",
    "thema",
    "trekker",
    "start_maand",
    "eind_maand",
    *[f"uren_{p}" for p in jp.PARTNERS],
    "budget",
    "indicatoren",
    "opgave_id",
    "omschrijving",
    "verwacht_effect",
]


def _edit_frame(acts: Sequence[jp.Activity]) -> pd.DataFrame:
    rows = []
    for a in acts:
        row = {
            "code": a.code,
            "titel": a.titel,
            "thema": a.thema,
            "trekker": a.trekker,
            "start_maand": a.start_maand,
            "eind_maand": a.eind_maand,
            **{f"uren_{p}": a.uren.get(p, 0.0) for p in jp.PARTNERS},
            "budget": a.budget,
            "indicatoren": list(a.indicatoren),
            "opgave_id": a.opgave_id,
            "omschrijving": a.omschrijving,
            "verwacht_effect": a.verwacht_effect,
        }
        rows.append(row)
    df = pd.DataFrame(rows, columns=EDIT_COLUMNS)
    for col in ("start_maand", "eind_maand", "opgave_id"):
        df[col] = df[col].astype("Int64")
    for col in [f"uren_{p}" for p in jp.PARTNERS] + ["budget"]:
        df[col] = df[col].astype("float64")
    for col in ("code", "titel", "thema", "trekker", "omschrijving", "verwacht_effect"):
        df[col] = df[col].astype("object")
    return df


def _edit_config() -> dict:
    months = list(range(1, 13))
    return {
        "code": st.column_config.TextColumn(
            "Code", help="A01, A02, … Leeg: de eerste vrije code.", max_chars=4, width="small"
        ),
        "titel": st.column_config.TextColumn("Titel", required=True, max_chars=jp.MAX_TITLE),
        "thema": st.column_config.SelectboxColumn(
            "Thema", options=list(themas), format_func=lambda t: themas.get(t, t), required=True
        ),
        "trekker": st.column_config.SelectboxColumn(
            "Trekker", options=list(jp.PARTNERS), format_func=lambda p: jp.PARTNERS.get(p, p), required=True
        ),
        "start_maand": st.column_config.SelectboxColumn(
            "Van", options=months, format_func=plans.month_label, required=True
        ),
        "eind_maand": st.column_config.SelectboxColumn(
            "Tot en met", options=months, format_func=plans.month_label, required=True
        ),
        **{
            f"uren_{p}": st.column_config.NumberColumn(
                f"Uren {n}", min_value=0, max_value=jp.MAX_HOURS, step=1, format="%.0f", default=0
            )
            for p, n in jp.PARTNERS.items()
        },
        "budget": st.column_config.NumberColumn(
            "Budget (€)", min_value=0, max_value=jp.MAX_BUDGET, format="euro"
        ),
        "indicatoren": st.column_config.MultiselectColumn(
            "Indicatoren",
            options=list(indicator_titels),
            format_func=lambda i: indicator_titels.get(i, i),
            help="De indicatoren van de monitor waarop de activiteit moet werken.",
        ),
        "opgave_id": st.column_config.SelectboxColumn(
            "Opgave",
            options=[o.id for o in opgaven] + vervallen_opgaven,
            format_func=_opgave,
            help="De opgave uit het wijkprogramma waaraan de activiteit bijdraagt.",
        ),
        "omschrijving": st.column_config.TextColumn("Omschrijving", max_chars=authz.MAX_TEXT),
        "verwacht_effect": st.column_config.TextColumn("Verwacht effect", max_chars=authz.MAX_TEXT),
    }


def activities_from(edited: pd.DataFrame, bestaand: Sequence[jp.Activity]) -> list[jp.Activity]:
    """The editor's rows as activities. Empty rows are skipped; a row without a code gets the first free
    code (not one used before in this plan, also not one of a dropped activity)."""
    used = {a.code for a in bestaand} | {_str(c).upper() for c in edited["code"] if _str(c)}
    out = []
    for r in edited.to_dict("records"):
        values = [r.get(c) for c in EDIT_COLUMNS if c != "indicatoren"] + [
            _list(r.get("indicatoren")) or None
        ]
        if all(_missing(v) or v == "" for v in values):
            continue
        code = _str(r.get("code")).upper()
        if not code:
            n = 1
            while f"A{n:02d}" in used:
                n += 1
            code = f"A{n:02d}"
            used.add(code)
        uren = {p: x for p in jp.PARTNERS if (x := _float(r.get(f"uren_{p}")))}
        opgave = r.get("opgave_id")
        out.append(
            jp.Activity(
                code=code,
                titel=_str(r.get("titel")),
                thema=_str(r.get("thema")),
                trekker=_str(r.get("trekker")),
                start_maand=_int(r.get("start_maand")),
                eind_maand=_int(r.get("eind_maand")),
                omschrijving=_str(r.get("omschrijving")),
                opgave_id=None if _missing(opgave) else _int(opgave, missing=-1),
                indicatoren=tuple(_list(r.get("indicatoren"))),
                uren=uren,
                budget=_float(r.get("budget")),
                verwacht_effect=_str(r.get("verwacht_effect")),
            )
        )
    return out


def _editor(p: jp.Plan | None) -> None:
    """The team's activities table: edit, see what changes, save (an amendment once adopted)."""
    status = p.status if p else "concept"
    amendement = status == "vastgesteld"
    st.markdown("**Activiteiten bewerken**")
    st.caption(
        "Voeg regels toe onderaan de tabel, wijzig cellen of verwijder regels (vink de regel aan en kies het "
        "prullenbakje). Er wordt pas iets opgeslagen als u op de knop drukt."
        + (
            " Dit jaarplan is vastgesteld: elke wijziging is een amendement, wordt per activiteit met uw reden "
            "vastgelegd en is voor iedereen zichtbaar. Een verwijderde activiteit blijft zichtbaar als geschrapt."
            if amendement
            else ""
        )
    )
    bestaand = p.activiteiten if p else []
    edited = st.data_editor(
        _edit_frame(p.actief if p else []),
        key=f"jaarplan_activiteiten_{sfx}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config=_edit_config(),
        column_order=EDIT_COLUMNS,
    )
    acts = activities_from(edited, bestaand)
    diff = jp.diff_activities(bestaand, acts)
    problemen = _problems(acts, diff)
    if problemen:
        st.warning(
            md("Nog niet op te slaan: " + "; ".join(problemen[:20]) + (" …" if len(problemen) > 20 else "")),
            icon=":material/warning:",
        )
    elif diff.empty:
        st.caption("Geen wijzigingen om op te slaan.")
    else:
        st.markdown("**Wat er verandert**")
        tables.table(
            _diff_table(diff),
            "Wijzigingen jaarplan",
            hide_index=True,
            width="stretch",
            key="jaarplan_wijzigingen",
        )
    reden = ""
    if amendement:
        reden = st.text_input(
            "Reden van het amendement", key=f"jaarplan_amendement_reden_{sfx}", max_chars=authz.MAX_TEXT
        )
    label = "Amendement vastleggen" if amendement else "Opslaan"
    if st.button(
        label,
        key="jaarplan_opslaan",
        type="primary",
        icon=":material/save:",
        disabled=bool(problemen) or diff.empty,
    ):
        if amendement and not reden.strip():
            st.error("Een amendement heeft een reden nodig: vul die in en probeer het opnieuw.")
        else:
            _write(
                lambda: plans.save_activities(wijk, jaar, acts, reden=reden or None),
                lambda d: ("Amendement vastgelegd: " if amendement else "Opgeslagen: ") + _diff_text(d) + ".",
            )


with tab_agenda:
    if plan is not None and plan.actief:
        fig, alt = plancharts.agenda(plan.actief, jaar, vandaag)
        st.plotly_chart(fig, key="jaarplan_agenda", config={"displayModeBar": False}, alt=alt)
        st.caption(md(alt))
    elif plan is not None:
        st.info("Dit jaarplan heeft nog geen activiteiten.", icon=":material/info:")
    editable = kan_schrijven and (plan is None or plan.status in ("concept", "vastgesteld"))
    if editable:
        _editor(plan)
    elif plan is not None and plan.actief:
        tables.table(
            _activities_table(plan.actief),
            f"Activiteiten {naam} {jaar}",
            hide_index=True,
            width="stretch",
            key="jaarplan_tabel",
        )
        if kan_schrijven:
            st.caption(
                f"Het jaarplan ligt bij de {'regiegroep' if plan.status == 'ingediend' else 'stuurgroep'} en kan "
                "nu niet worden gewijzigd. Zet het terug naar concept om het te wijzigen."
            )
    if plan is not None and len(plan.activiteiten) > len(plan.actief):
        geschrapt = [a for a in plan.activiteiten if a.geschrapt]
        st.markdown(f"**Geschrapt bij een amendement** ({len(geschrapt)})")
        tables.table(
            _activities_table(geschrapt),
            f"Geschrapte activiteiten {naam} {jaar}",
            hide_index=True,
            width="stretch",
            key="jaarplan_geschrapt",
        )

# ----------------------------------------------------------------------------------------------- hours
jaar_rapporten = plans.reports(wijk, jaar) if plan is not None else []  # the newest version of each half

with tab_uren:
    if plan is None:
        st.info(f"Geen jaarplan {jaar}: geen uren.", icon=":material/info:")
    else:
        per_partner = jp.hours_per_partner(plan, jaar_rapporten)
        fig, alt = plancharts.hours(per_partner, jaar)
        st.plotly_chart(fig, key="jaarplan_uren", config={"displayModeBar": False}, alt=alt)
        st.caption(md(alt))
        gepland = sum(g for g, _ in per_partner.values())
        besteed = sum(b for _, b in per_partner.values())
        tables.table(
            pd.DataFrame(
                {
                    "Partner": [jp.PARTNERS.get(p, p) for p in per_partner] + ["Totaal"],
                    "Gepland": [g for g, _ in per_partner.values()] + [gepland],
                    "Besteed": [b for _, b in per_partner.values()] + [besteed],
                    "Besteed van gepland (%)": [
                        round(100 * b / g) if g else None for g, b in per_partner.values()
                    ]
                    + [round(100 * besteed / gepland) if gepland else None],
                }
            ),
            f"Uren per partner {naam} {jaar}",
            hide_index=True,
            width="stretch",
            key="jaarplan_uren_tabel",
            column_config={
                "Gepland": st.column_config.NumberColumn(format="%.0f"),
                "Besteed": st.column_config.NumberColumn(format="%.0f"),
            },
        )
        rapport_tekst = (
            ", ".join(f"{_half(r.halfjaar)} (versie {r.versie})" for r in jaar_rapporten)
            if jaar_rapporten
            else "nog geen"
        )
        st.caption(
            f"Gepland: de uren van de activiteiten in het jaarplan (zonder geschrapte). Besteed: de uren uit de "
            f"halfjaarrapportages van {jaar}, de geldende versie van elk halfjaar: {rapport_tekst}."
        )

# ---------------------------------------------------------------------------------------------- status


def lines_table(p: jp.Plan, regels: Sequence[jp.StatusLine]) -> pd.DataFrame:
    """A report's lines as the page shows them (a submitted version, or an upload before it is filed)."""
    titles = {a.code: a.titel for a in p.activiteiten}
    return pd.DataFrame(
        {
            "Code": [line.activiteit_code for line in regels],
            "Activiteit": [titles.get(line.activiteit_code, "") for line in regels],
            "Status": [line.status for line in regels],
            "Gereed (%)": [line.procent for line in regels],
            "Uren besteed": [sum(line.uren.values()) for line in regels],
            "Toelichting": [line.toelichting for line in regels],
        }
    )


def _report_view(p: jp.Plan) -> None:
    alle = plans.reports(wijk, jaar, alle_versies=True)
    if not alle:
        st.info(f"Er is nog geen halfjaarrapportage over {jaar}.", icon=":material/info:")
        return
    nieuwste = {(r.halfjaar): r.versie for r in alle}
    opties = list(range(len(alle)))

    def _label(i: int) -> str:
        r = alle[i]
        geldend = nieuwste[r.halfjaar] == r.versie
        return f"{_half(r.halfjaar)}, versie {r.versie}" + (" (geldend)" if geldend else " (vervangen)")

    i = st.selectbox(
        "Rapportage",
        opties,
        index=len(opties) - 1,
        format_func=_label,
        key=f"jaarplan_rapportversie_{sfx}",  # after a (corrected) report: the newest again
        help="Elke correctie is een nieuwe versie; eerdere versies blijven te lezen.",
    )
    r = alle[i]
    st.caption(
        md(
            f"Ingediend op {_moment(r.ingediend_op)} door {r.ingediend_door}"
            + (" via Excel" if r.via == "excel" else "")
            + (f"; correctie, reden: {r.correctie_reden.rstrip('.')}" if r.correctie_reden else "")
            + ("" if nieuwste[r.halfjaar] == r.versie else f". Vervangen door versie {nieuwste[r.halfjaar]}")
            + "."
        )
    )
    voortgang = jp.progress(p, r)
    c = st.columns(3)
    c[0].metric(
        "Op koers",
        "–" if voortgang.aandeel_op_koers is None else fmt.procent(round(voortgang.aandeel_op_koers, 2)),
        help="Aandeel van de activiteiten dat loopt, klaar is of nog niet hoeft te beginnen.",
    )
    c[1].metric("Vertraagd", voortgang.per_status["vertraagd"])
    c[2].metric("Afgerond", voortgang.per_status["afgerond"])
    tables.table(
        lines_table(p, r.regels),
        f"Rapportage {naam} {jaar}",
        hide_index=True,
        width="stretch",
        key="jaarplan_rapport_regels",
        column_config={
            "Gereed (%)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d%%"),
            "Uren besteed": st.column_config.NumberColumn(format="%.0f"),
        },
    )
    for titel, tekst in (
        ("Wat ging goed?", r.goed),
        ("Wat ging niet goed?", r.niet_goed),
        ("Wat vragen we van de regiegroep?", r.vragen),
    ):
        st.markdown(f"**{titel}**")
        st.text(tekst or "–")
    _report_documents(r.halfjaar)


def _report_documents(halfjaar: int) -> None:
    """The halfjaarrapportage of this wijk and half-year as PDF and Excel, made only when clicked."""
    from dashboard.documents import wijkrapport  # WeasyPrint and openpyxl: only on this page

    stem = f"halfjaarrapportage-{wijk}-{jaar}-H{halfjaar}"
    w, y = wijk, jaar  # the callables run after this script run, in another thread

    def now() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "Halfjaarrapportage (PDF)",
            data=lambda: wijkrapport.pdf(w, y, halfjaar, generated=now()),
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key=f"jaarplan_rapport_pdf_{sfx}_{halfjaar}",
            help="De geldende versie van deze rapportage met indicatoren, activiteiten, uren en toelichting, "
            "om te printen of te delen met de regiegroep. Het maken duurt even.",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
        )
        st.download_button(
            "Halfjaarrapportage (Excel)",
            data=lambda: wijkrapport.xlsx(w, y, halfjaar, generated=now()),
            file_name=f"{stem}.xlsx",
            mime=XLSX,
            key=f"jaarplan_rapport_xlsx_{sfx}_{halfjaar}",
            on_click="ignore",
            icon=":material/table:",
        )


REPORT_COLUMNS = ["code", "titel", "status", "procent", *[f"uren_{p}" for p in jp.PARTNERS], "toelichting"]


def report_frame(p: jp.Plan, vorige: jp.Report | None, eerder: jp.Report | None) -> pd.DataFrame:
    """The report form's rows: every active activity, pre-filled from the previous version of this
    half-year (everything) or else from the earlier half-year's report (status and percentage)."""
    rows = []
    for a in p.actief:
        line = vorige.line(a.code) if vorige else None
        before = eerder.line(a.code) if eerder and not vorige else None
        rows.append(
            {
                "code": a.code,
                "titel": a.titel,
                "status": line.status if line else (before.status if before else "niet gestart"),
                "procent": line.procent if line else (before.procent if before else 0),
                **{f"uren_{q}": (line.uren.get(q, 0.0) if line else 0.0) for q in jp.PARTNERS},
                "toelichting": line.toelichting if line else "",
            }
        )
    df = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    df["procent"] = df["procent"].astype("Int64")
    for q in jp.PARTNERS:
        df[f"uren_{q}"] = df[f"uren_{q}"].astype("float64")
    return df


def lines_from(edited: pd.DataFrame) -> list[jp.StatusLine]:
    return [
        jp.StatusLine(
            activiteit_code=_str(r.get("code")),
            status=_str(r.get("status")),
            procent=_int(r.get("procent"), missing=-1),
            toelichting=_str(r.get("toelichting")),
            uren={q: x for q in jp.PARTNERS if (x := _float(r.get(f"uren_{q}")))},
        )
        for r in edited.to_dict("records")
    ]


def _default_half(begonnen: list[int], ingediend: set[int]) -> int:
    """The half-year a report form opens on: an ended one that still lacks its report (it is due), else the
    last ended one (its report, and a correction), else the half-year that is running (an early report)."""
    ended = [h for h in begonnen if jp.due_from(jaar, h) <= vandaag]
    due = [h for h in ended if h not in ingediend]
    return due[0] if due else (ended[-1] if ended else begonnen[-1])


def _report_form(p: jp.Plan) -> None:
    st.subheader("Halfjaarrapportage indienen")
    begonnen = [h for h in (1, 2) if jp.half_year_start(jaar, h) <= vandaag]
    if not begonnen:
        st.caption(f"{jaar} is nog niet begonnen: rapporteren kan vanaf 1 januari {jaar}.")
        return
    if not p.actief:
        st.caption("Het jaarplan heeft geen activiteiten: er is niets om over te rapporteren.")
        return
    ingediend = {h: plans.report(wijk, jaar, h) for h in begonnen}
    standaard_h = _default_half(begonnen, {h for h, r in ingediend.items() if r is not None})
    h = st.radio(
        "Over welk halfjaar?",
        begonnen,
        index=begonnen.index(standaard_h),
        format_func=lambda x: _half(x, jaar),
        horizontal=True,
        key=f"jaarplan_halfjaar_{wijk}_{jaar}",
    )
    vorige = ingediend[h]
    if vorige is not None:
        st.info(
            md(
                f"De rapportage over het {_half(h, jaar)} is ingediend op {_moment(vorige.ingediend_op)} door "
                f"{vorige.ingediend_door} (versie {vorige.versie}). Ze staat hierboven en is niet meer te wijzigen; "
                "een correctie wordt een nieuwe versie, met een reden."
            ),
            icon=":material/lock:",
        )
        if not st.toggle("Correctie indienen", key=f"jaarplan_correctie_{sfx}_{h}"):
            return
    eerder = plans.report(wijk, jaar, 1) if h == 2 and vorige is None else None
    if h == jp.current_half(vandaag)[1] and jaar == vandaag.year:
        st.caption(
            f"Het {_half(h, jaar)} loopt nog (tot en met {_date(jp.half_year_end(jaar, h))}); u kunt nu al "
            "rapporteren."
        )
    suffix = f"{sfx}_{h}"
    with st.form(f"jaarplan_rapport_{suffix}", enter_to_submit=False):
        st.caption(
            "Geef elke activiteit een status, het percentage gereed, de uren die elke partner er dit halfjaar aan "
            "besteedde en een korte toelichting."
            + (" Ingevuld met de vorige versie." if vorige else "")
            + (" Status en percentage komen uit de rapportage van het 1e halfjaar." if eerder else "")
        )
        edited = st.data_editor(
            report_frame(p, vorige, eerder),
            key=f"jaarplan_rapport_editor_{suffix}",
            num_rows="fixed",
            hide_index=True,
            width="stretch",
            column_order=REPORT_COLUMNS,
            column_config={
                "code": st.column_config.TextColumn("Code", disabled=True, width="small"),
                "titel": st.column_config.TextColumn("Activiteit", disabled=True),
                "status": st.column_config.SelectboxColumn(
                    "Status", options=list(jp.ACTIVITY_STATUS), required=True
                ),
                "procent": st.column_config.NumberColumn(
                    "Gereed (%)", min_value=0, max_value=100, step=1, required=True, format="%d"
                ),
                **{
                    f"uren_{q}": st.column_config.NumberColumn(
                        f"Uren {n}", min_value=0, max_value=jp.MAX_HOURS, step=1, format="%.0f"
                    )
                    for q, n in jp.PARTNERS.items()
                },
                "toelichting": st.column_config.TextColumn("Toelichting", max_chars=authz.MAX_TEXT),
            },
        )
        goed = st.text_area(
            "Wat ging goed?",
            value=vorige.goed if vorige else "",
            key=f"jaarplan_goed_{suffix}",
            max_chars=authz.MAX_TEXT,
        )
        niet_goed = st.text_area(
            "Wat ging niet goed?",
            value=vorige.niet_goed if vorige else "",
            key=f"jaarplan_niet_goed_{suffix}",
            max_chars=authz.MAX_TEXT,
        )
        vragen = st.text_area(
            "Wat vragen we van de regiegroep?",
            value=vorige.vragen if vorige else "",
            key=f"jaarplan_vragen_{suffix}",
            max_chars=authz.MAX_TEXT,
        )
        reden = ""
        if vorige is not None:
            reden = st.text_input(
                "Reden van de correctie", key=f"jaarplan_correctie_reden_{suffix}", max_chars=authz.MAX_TEXT
            )
        label = "Correctie indienen" if vorige else "Rapportage indienen"
        verstuurd = st.form_submit_button(label, type="primary", icon=":material/send:")
    if verstuurd:
        regels = lines_from(edited)
        problemen = jp.line_problems(p, regels)
        if problemen:
            st.error(md("Niet ingediend: " + "; ".join(problemen[:20])), icon=":material/error:")
        elif vorige is not None and not reden.strip():
            st.error("Niet ingediend: een correctie heeft een reden nodig.", icon=":material/error:")
        else:
            _write(
                lambda: plans.submit_report(
                    wijk, jaar, h, regels, goed, niet_goed, vragen, correctie_reden=reden or None
                ),
                lambda r: f"De rapportage over het {_half(h, jaar)} is ingediend (versie {r.versie}).",
            )


with tab_status:
    if plan is None:
        st.info(f"Geen jaarplan {jaar}: er is niets om over te rapporteren.", icon=":material/info:")
    else:
        _report_view(plan)
        if kan_rapporteren:
            _report_form(plan)

# ------------------------------------------------------------------------------------------ indicators
VERDICT = {"beter": "beter", "gelijk": "gelijk", "slechter": "slechter"}

with tab_indicatoren:
    if plan is None or not any(a.indicatoren for a in plan.actief):
        st.info(
            "Geen activiteit van dit jaarplan noemt een indicator." if plan else f"Geen jaarplan {jaar}.",
            icon=":material/info:",
        )
    else:
        oordelen = plans.verdicts(wijk).set_index("indicator")
        rows = []
        for a in plan.actief:
            for i in a.indicatoren:
                o = oordelen.loc[i] if i in oordelen.index else None
                rows.append(
                    {
                        "Activiteit": f"{a.code} {a.titel}",
                        "Indicator": indicator_titels.get(i, i),
                        "Jaar": None if o is None else int(o["jaar"]),
                        "Score": None if o is None or _missing(o["score"]) else float(o["score"]),
                        "Oordeel": "geen gegevens"
                        if o is None or _missing(o["verandering"])
                        else VERDICT.get(o["verandering"], str(o["verandering"])),
                    }
                )
        tables.table(
            pd.DataFrame(rows),
            f"Indicatoren {naam} {jaar}",
            hide_index=True,
            width="stretch",
            key="jaarplan_indicatoren",
            column_config={
                "Jaar": st.column_config.NumberColumn(format="%d"),
                "Score": st.column_config.NumberColumn(format="%.0f"),
            },
        )
        instellingen = queries.settings()
        st.caption(
            f"Per activiteit de indicatoren waarop ze moet werken, met de nieuwste score van de wijk (100 = niveau "
            f"van {int(instellingen.get('basisjaar', 2019))}, boven 100 is beter) en het oordeel van de monitor "
            "over de verandering sinds dat jaar, met 95% zekerheid. 'Gelijk' betekent: geen aantoonbare "
            "verandering. Een score zegt niet of de activiteit het verschil maakte."
        )

# ------------------------------------------------------------------------------------------ wijkprogramma


def _opgave_form() -> None:
    st.subheader("Opgave toevoegen of wijzigen")
    alle = opgaven
    keuzes: list[int | None] = [None, *[o.id for o in alle]]
    gekozen = st.selectbox(
        "Opgave",
        keuzes,
        format_func=lambda i: "Nieuwe opgave" if i is None else opgave_titels.get(i, str(i)),
        key=f"jaarplan_opgave_keuze_{wijk}",
    )
    o = next((x for x in alle if x.id == gekozen), None)
    suffix = f"{sfx}_{gekozen}"
    with st.form(f"jaarplan_opgave_{suffix}", enter_to_submit=False):
        thema_opties = list(themas)
        thema = st.selectbox(
            "Thema",
            thema_opties,
            index=thema_opties.index(o.thema) if o and o.thema in thema_opties else 0,
            format_func=lambda t: themas.get(t, t),
            key=f"jaarplan_opgave_thema_{suffix}",
        )
        titel = st.text_input(
            "Titel", value=o.titel if o else "", key=f"jaarplan_opgave_titel_{suffix}", max_chars=jp.MAX_TITLE
        )
        omschrijving = st.text_area(
            "Omschrijving",
            value=o.omschrijving if o else "",
            key=f"jaarplan_opgave_omschrijving_{suffix}",
            max_chars=authz.MAX_TEXT,
        )
        indicatoren = st.multiselect(
            "Indicatoren",
            list(indicator_titels),
            select_all=False,  # Streamlit's option reads "Select all": English in a Dutch UI
            default=[i for i in (o.indicatoren if o else ()) if i in indicator_titels],
            format_func=lambda i: indicator_titels.get(i, i),
            key=f"jaarplan_opgave_indicatoren_{suffix}",
        )
        vervallen = False
        if o is not None:
            vervallen = st.checkbox(
                "Vervallen (de opgave telt niet meer mee)", key=f"jaarplan_opgave_vervallen_{suffix}"
            )
        if st.form_submit_button("Opgave opslaan", type="primary", icon=":material/save:"):
            nieuw = jp.Opgave(
                id=gekozen,
                wijk_code=wijk,
                thema=thema or "",
                titel=titel,
                omschrijving=omschrijving,
                indicatoren=tuple(indicatoren),
                volgorde=o.volgorde if o else len(alle) + 1,
                vervallen=vervallen,
            )
            _write(lambda: plans.save_opgave(nieuw), "De opgave is opgeslagen in het wijkprogramma.")


with tab_programma:
    st.caption(
        "Het wijkprogramma: de opgaven van de wijk voor de langere termijn, per thema, met de indicatoren waarop "
        "ze moeten werken. Activiteiten van een jaarplan kunnen naar een opgave verwijzen."
    )
    if not opgaven:
        st.info("Het wijkprogramma heeft nog geen opgaven.", icon=":material/info:")
    else:
        gekoppeld: dict[int, list[str]] = {}
        for a in plan.actief if plan else []:
            if a.opgave_id is not None:
                gekoppeld.setdefault(a.opgave_id, []).append(a.code)
        tables.table(
            pd.DataFrame(
                {
                    "Thema": [themas.get(o.thema, o.thema) for o in opgaven],
                    "Opgave": [o.titel for o in opgaven],
                    "Omschrijving": [o.omschrijving for o in opgaven],
                    "Indicatoren": [
                        ", ".join(indicator_titels.get(i, i) for i in o.indicatoren) for o in opgaven
                    ],
                    f"Activiteiten {jaar}": [", ".join(gekoppeld.get(o.id, [])) for o in opgaven],
                }
            ),
            f"Opgaven {naam}",
            hide_index=True,
            width="stretch",
            key="jaarplan_opgaven",
        )
    if kan_programma:
        _opgave_form()

# ------------------------------------------------------------------------------------------ Excel

UPLOAD = "_jaarplan_upload"  # (which file for which plan, its check): checked once, not on every run


def _messages(frame: pd.DataFrame, key: str) -> None:
    """The checks of an upload as the Aanleveren page shows a delivery's: a table (file and sheet in the
    message, then row, column, value and rule) and a CSV download."""
    if frame.empty:
        st.caption("De controle gaf geen meldingen.")
        return
    tables.table(frame, "Meldingen", hide_index=True, width="stretch", key=f"{key}_meldingen")
    st.download_button(
        "Meldingen downloaden (CSV)",
        deliveries.messages_csv(frame),
        file_name="wijkmonitor_meldingen_jaarplan.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}_csv",
    )


def _reading(soort: str, uploaded: Any, halfjaar: int | None = None) -> plans.UploadCheck:
    """The upload checked by the job process (Great Expectations, as for partner deliveries), once per file:
    the page runs again on every click, the check does not."""
    sleutel = (soort, wijk, jaar, halfjaar, uploaded.file_id, uploaded.size)
    cached = st.session_state.get(UPLOAD)
    if cached is not None and cached[0] == sleutel:
        return cached[1]
    with st.spinner("Het bestand wordt gecontroleerd …"):
        result = plans.check_upload(soort, uploaded.getvalue(), uploaded.name, wijk, jaar, halfjaar)
    st.session_state[UPLOAD] = (sleutel, result)
    return result


def _refused(res: plans.UploadCheck, bestand: str, key: str, niets: str) -> bool:
    """Say why an upload cannot be used (the job failed, or the file has errors); True when it cannot."""
    if res.bericht:
        st.error(
            md(f"Het bestand kon niet worden gecontroleerd: {res.bericht}. Er is niets {niets}."),
            icon=":material/error:",
        )
        return True
    if not res.ok:
        fouten = int((res.messages["Ernst"] == "fout").sum()) if "Ernst" in res.messages else 0
        st.error(
            f"Afgewezen: **{md(bestand)}** bevat {fouten} {'fout' if fouten == 1 else 'fouten'}. Er is niets "
            f"{niets}; verbeter het bestand en upload het opnieuw.",
            icon=":material/error:",
        )
        _messages(res.messages, key)
        return True
    return False


def _plan_upload() -> None:
    st.markdown("**Jaarplan uploaden**")
    if plan is not None and plan.status in ("ingediend", "advies"):
        st.caption("Het jaarplan ligt bij de regiegroep of de stuurgroep en kan nu niet worden gewijzigd.")
        return
    uploaded = st.file_uploader(
        "Ingevuld jaarplan-sjabloon (.xlsx)",
        type=["xlsx"],
        max_upload_size=5,
        key=f"jaarplan_upload_plan_{sfx}",
    )
    if uploaded is None:
        return
    res = _reading("jaarplan", uploaded)
    if _refused(res, uploaded.name, "jaarplan_upload_plan", "opgeslagen"):
        return
    bestaand = plan.activiteiten if plan else []
    diff = jp.diff_activities(bestaand, res.activiteiten)
    st.success(
        f"Controle geslaagd: **{md(uploaded.name)}** heeft {len(res.activiteiten)} activiteiten. Er is nog niets "
        "opgeslagen.",
        icon=":material/check_circle:",
    )
    _messages(res.messages, "jaarplan_upload_plan")
    if diff.empty:
        st.caption("Het bestand verandert niets aan het jaarplan.")
        return
    st.markdown("**Wat er verandert**")
    tables.table(
        _diff_table(diff),
        "Wijzigingen uit Excel",
        hide_index=True,
        width="stretch",
        key="jaarplan_upload_wijzigingen",
    )
    amendement = plan is not None and plan.status == "vastgesteld"
    reden = ""
    if amendement:
        reden = st.text_input(
            "Reden van het amendement", key=f"jaarplan_upload_reden_{sfx}", max_chars=authz.MAX_TEXT
        )
    if st.button(
        "Amendement vastleggen uit Excel" if amendement else "Opslaan uit Excel",
        key="jaarplan_upload_opslaan",
        type="primary",
        icon=":material/save:",
    ):
        if amendement and not reden.strip():
            st.error("Een amendement heeft een reden nodig: vul die in en probeer het opnieuw.")
        else:
            _write(
                lambda: plans.save_activities(wijk, jaar, res.activiteiten, reden=reden or None),
                lambda d: f"Opgeslagen uit {uploaded.name}: {_diff_text(d)}.",
            )


def _status_upload(begonnen: list[int]) -> None:
    st.markdown("**Halfjaarrapportage uploaden**")
    standaard_h = _default_half(begonnen, {x for x in begonnen if plans.report(wijk, jaar, x) is not None})
    h = st.selectbox(
        "Over welk halfjaar?",
        begonnen,
        index=begonnen.index(standaard_h),
        format_func=lambda x: _half(x, jaar),
        key=f"jaarplan_upload_halfjaar_{wijk}_{jaar}",
    )
    vorige = plans.report(wijk, jaar, h)
    uploaded = st.file_uploader(
        "Ingevuld status-sjabloon (.xlsx)",
        type=["xlsx"],
        max_upload_size=5,
        key=f"jaarplan_upload_status_{sfx}_{h}",
    )
    if uploaded is None:
        return
    res = _reading("status", uploaded, h)
    if _refused(res, uploaded.name, "jaarplan_upload_status", "ingediend"):
        return
    st.success(
        f"Controle geslaagd: **{md(uploaded.name)}** geeft {len(res.regels)} activiteiten een status. Er is nog "
        "niets ingediend.",
        icon=":material/check_circle:",
    )
    _messages(res.messages, "jaarplan_upload_status")
    tables.table(
        lines_table(plan, res.regels),
        "Rapportage uit Excel",
        hide_index=True,
        width="stretch",
        key="jaarplan_upload_regels",
    )
    for titel, tekst in (
        ("Wat ging goed?", res.goed),
        ("Wat ging niet goed?", res.niet_goed),
        ("Wat vragen we van de regiegroep?", res.vragen),
    ):
        st.markdown(f"**{titel}**")
        st.text(tekst or "–")
    reden = ""
    if vorige is not None:
        st.info(
            f"Er is al een rapportage over het {_half(h, jaar)} (versie {vorige.versie}): dit bestand wordt een "
            "correctie, een nieuwe versie met een reden.",
            icon=":material/info:",
        )
        reden = st.text_input(
            "Reden van de correctie", key=f"jaarplan_upload_correctie_{sfx}_{h}", max_chars=authz.MAX_TEXT
        )
    if st.button(
        "Correctie indienen uit Excel" if vorige else "Rapportage indienen uit Excel",
        key="jaarplan_upload_indienen",
        type="primary",
        icon=":material/send:",
    ):
        if vorige is not None and not reden.strip():
            st.error("Niet ingediend: een correctie heeft een reden nodig.", icon=":material/error:")
        else:
            _write(
                lambda: plans.submit_report(
                    wijk,
                    jaar,
                    h,
                    res.regels,
                    res.goed,
                    res.niet_goed,
                    res.vragen,
                    via="excel",
                    correctie_reden=reden or None,
                ),
                lambda r: (
                    f"De rapportage over het {_half(h, jaar)} is ingediend uit {uploaded.name} (versie {r.versie})."
                ),
            )


with tab_excel:
    st.caption(
        "Werkt u liever in Excel? Download het sjabloon, vul het in en upload het hier. Het bestand wordt eerst "
        "gecontroleerd: u ziet per fout het tabblad, de rij, de kolom en de waarde, en wat er zou veranderen. Er "
        "wordt pas iets opgeslagen als u bevestigt; een bestand met fouten wordt in zijn geheel geweigerd."
    )
    begonnen_halfjaren = [h for h in (1, 2) if jp.half_year_start(jaar, h) <= vandaag]
    links, rechts = st.columns(2)
    links.download_button(
        f"Jaarplan-sjabloon {jaar} (Excel)",
        data=lambda: plans.plan_template(wijk, naam, jaar),
        file_name=f"jaarplan_{wijk}_{jaar}.xlsx",
        mime=XLSX,
        icon=":material/download:",
        on_click="ignore",
        key="jaarplan_sjabloon_plan",
        help="Met de activiteiten van het jaarplan zoals het nu is, de keuzelijsten en uitleg.",
    )
    if kan_rapporteren and plan is not None and plan.actief and begonnen_halfjaren:
        for h in begonnen_halfjaren:
            rechts.download_button(
                f"Status-sjabloon {_half(h, jaar)} (Excel)",
                data=lambda h=h: plans.status_template(wijk, naam, plan, h),
                file_name=f"status_{wijk}_{jaar}_H{h}.xlsx",
                mime=XLSX,
                icon=":material/download:",
                on_click="ignore",
                key=f"jaarplan_sjabloon_status_{h}",
            )
    if kan_schrijven:
        _plan_upload()
    if kan_rapporteren and plan is not None and plan.actief and begonnen_halfjaren:
        _status_upload(begonnen_halfjaren)

# ------------------------------------------------------------------------------------------ meetings, actions
with tab_overleg:
    st.subheader("Acties voor deze wijk")
    steeringsections.actions_section(namen, wijk=wijk, key="jaarplan_acties", page="Jaarplan")
    st.subheader("Teamoverleg")
    steeringsections.meetings_section(["team"], wijk=wijk, key="jaarplan_overleg", page="Jaarplan")
