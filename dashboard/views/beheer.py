"""Gebruikers en rollen: the beheerder adds users, grants and withdraws roles, blocks and unblocks.

Only in the navigation for a beheerder, and the page checks it again; but the check that counts is the
one at the moment of writing: every change goes through dashboard.records to wijkmonitor.records.authz,
which reads the viewer's roles from the store inside the write's transaction, refuses (and records) a
stale or crafted request, and records every change in the audit trail (old -> new, pagina:Beheer).

The writes run in button callbacks, before the page is drawn again, so the table below always shows
them. Names and e-mail addresses are data: plain text in the table and selectboxes, escaped with md()
wherever Streamlit renders Markdown.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import format as fmt
from dashboard import queries, records, session, state, tables
from dashboard.safe import md
from wijkmonitor.records import authz, users

PAGE = "Beheer"
MESSAGE = "_beheer_melding"  # (kind, text) of the last change, shown once at the top of the next run

st.title("Gebruikers en rollen")
viewer = session.current()
if not viewer.beheerder:
    st.error(
        "Alleen voor de beheerder. Vraag de beheerder van Wijkmonitor in uw gemeente als u een "
        "gebruiker of rol wilt laten wijzigen.",
        icon=":material/lock:",
    )
    st.stop()
st.caption(
    "Wie mag wat in Wijkmonitor. Gebruikers worden bij het inloggen herkend aan hun e-mailadres; hun rollen "
    "bepalen welke pagina's en knoppen zij zien. Elke wijziging wordt op het moment zelf opnieuw gecontroleerd "
    "en vastgelegd in de audittrail."
)

wijken: list[tuple[str, str]] = []
if queries.has_data():
    areas = queries.areas("wijk", state.gemeente())
    if not areas.empty:
        wijken = list(zip(areas["gebied_code"], areas["gebied_naam"], strict=True))
else:
    state.no_data_message()
    st.caption(
        "Gebruikers en rollen kunt u nu al beheren. Teamrollen voor een wijk typt u zolang zelf in, "
        "bijvoorbeeld team:WK099901."
    )
wijk_names = dict(wijken)
options = records.role_options(wijken)


def _say(kind: str, text: str) -> None:
    st.session_state[MESSAGE] = (kind, text)


def _attempt(change: Callable[[], None], done: str, failed: str = "Niet gewijzigd") -> None:
    """Run one write; a refusal or a Dutch ValueError becomes the message instead of an exception."""
    try:
        change()
    except authz.Refused as exc:
        # The viewer is no beheerder (any more): the next run will not show this page, so say it in a toast.
        _say("error", str(exc))
        st.toast(md(str(exc)), icon=":material/lock:", duration="long")
    except ValueError as exc:
        _say("error", f"{failed}: {exc}")
    else:
        _say("success", done)


def _add() -> None:
    email = str(st.session_state.get("beheer_email") or "")
    naam = str(st.session_state.get("beheer_naam") or "")
    rollen = [str(r) for r in st.session_state.get("beheer_rollen") or []]
    if not email.strip():
        _say("error", "Niet toegevoegd: vul een e-mailadres in.")
        return
    if not rollen:
        _say("error", "Niet toegevoegd: kies minstens één rol.")
        return
    if len(naam.strip()) > users.DEMO_NAME_MAX:
        _say("error", f"Niet toegevoegd: de naam is te lang (hoogstens {users.DEMO_NAME_MAX} tekens).")
        return
    normalised = authz.normalise_email(email)
    _attempt(
        lambda: records.add_user(email, naam, rollen, page=PAGE),
        f"Gebruiker {normalised} toegevoegd met {', '.join(sorted(rollen))}.",
        failed="Niet toegevoegd",
    )
    if st.session_state[MESSAGE][0] == "success":
        for key, empty in (("beheer_email", ""), ("beheer_naam", ""), ("beheer_rollen", [])):
            st.session_state[key] = empty


def _grant(email: str) -> None:
    rol = str(st.session_state.get("beheer_toekennen") or "")
    if not rol:
        _say("error", "Niet gewijzigd: kies een rol om toe te kennen.")
        return
    _attempt(lambda: records.grant_role(email, rol, page=PAGE), f"Rol {rol} toegekend aan {email}.")
    st.session_state["beheer_toekennen"] = None  # the role is no longer an option to grant


def _revoke(email: str) -> None:
    rol = str(st.session_state.get("beheer_intrekken") or "")
    if not rol:
        _say("error", "Niet gewijzigd: kies een rol om in te trekken.")
        return
    _attempt(lambda: records.revoke_role(email, rol, page=PAGE), f"Rol {rol} ingetrokken bij {email}.")
    st.session_state["beheer_intrekken"] = None


def _set_active(email: str, actief: bool) -> None:
    _attempt(
        lambda: records.set_active(email, actief, page=PAGE),
        f"{email} is {'weer actief' if actief else 'geblokkeerd'}.",
    )


if MESSAGE in st.session_state:
    kind, text = st.session_state.pop(MESSAGE)
    if kind == "success":
        st.success(md(text), icon=":material/check_circle:")
    else:
        st.error(md(text), icon=":material/error:")

try:
    all_users = records.list_users()
except authz.Refused as exc:  # the role was withdrawn since this run began
    st.error(md(str(exc)), icon=":material/lock:")
    st.stop()
by_email = {u.email: u for u in all_users}


def _roles_text(rollen: frozenset[str]) -> str:
    return ", ".join(records.role_label(r, wijk_names) for r in sorted(rollen)) or "geen"


# ------------------------------------------------------------------------------------------ the users
st.subheader("Gebruikers")
actief = sum(u.actief for u in all_users)
st.caption(
    f"{fmt.getal(len(all_users))} gebruikers, van wie {fmt.getal(actief)} actief. Demogebruikers bestaan "
    "alleen voor de demomodus; bij inloggen via de organisatie krijgen zij nooit toegang."
)
table = pd.DataFrame(
    {
        "E-mail": [u.email for u in all_users],
        "Naam": [u.naam for u in all_users],
        "Rollen": [_roles_text(u.rollen) for u in all_users],
        "Actief": ["ja" if u.actief else "nee (geblokkeerd)" for u in all_users],
        "Demo": ["ja" if u.demo else "nee" for u in all_users],
    }
)
tables.table(table, "Gebruikers", hide_index=True, width="stretch", key="gebruikers")

# ------------------------------------------------------------------------------------------ add a user
st.subheader("Gebruiker toevoegen")
with st.form("beheer_toevoegen", enter_to_submit=False):
    # No max_chars: Streamlit would cut a longer value off silently; too long is refused with a message.
    st.text_input(
        "E-mailadres",
        key="beheer_email",
        help="Het adres waarmee de gebruiker bij de organisatie inlogt.",
    )
    st.text_input("Naam", key="beheer_naam", help=f"Hoogstens {users.DEMO_NAME_MAX} tekens.")
    st.multiselect(
        "Rollen",
        options,
        select_all=False,  # Streamlit's option reads "Select all": English in a Dutch UI
        key="beheer_rollen",
        format_func=lambda r: records.role_label(r, wijk_names),
        accept_new_options=True,
        placeholder="Kies een of meer rollen",
        help="Een gebruiker mag meer rollen hebben. Een andere teamrol typt u in, bijvoorbeeld team:WK099901.",
    )
    st.form_submit_button("Toevoegen", type="primary", icon=":material/person_add:", on_click=_add)

# ------------------------------------------------------------------------------------------ change a user
st.subheader("Rollen en toegang wijzigen")
if not all_users:
    st.info("Nog geen gebruikers: voeg er hierboven een toe.", icon=":material/info:")
    st.stop()
emails = [u.email for u in all_users]
email = st.selectbox(
    "Gebruiker",
    emails,
    key="beheer_gebruiker",
    format_func=lambda e: f"{by_email[e].naam} ({e})" if by_email[e].naam else e,
)
user = by_email[email]
st.markdown(
    f"**{md(user.naam or user.email)}** ({md(user.email)}): {md(_roles_text(user.rollen))}; "
    f"{'actief' if user.actief else '**geblokkeerd**'}{'; demogebruiker' if user.demo else ''}."
)
grant_col, revoke_col = st.columns(2)
with grant_col:
    st.selectbox(
        "Rol toekennen",
        [r for r in options if r not in user.rollen],
        key="beheer_toekennen",
        index=None,
        format_func=lambda r: records.role_label(r, wijk_names),
        accept_new_options=True,
        placeholder="Kies of typ een rol",
    )
    st.button("Toekennen", key="beheer_toekennen_knop", on_click=_grant, args=(user.email,))
with revoke_col:
    st.selectbox(
        "Rol intrekken",
        sorted(user.rollen),
        key="beheer_intrekken",
        index=None,
        format_func=lambda r: records.role_label(r, wijk_names),
        placeholder="Kies een rol" if user.rollen else "Geen rollen",
        disabled=not user.rollen,
    )
    st.button(
        "Intrekken",
        key="beheer_intrekken_knop",
        on_click=_revoke,
        args=(user.email,),
        disabled=not user.rollen,
    )
own = user.email == viewer.email
if user.actief:
    st.button(
        "Blokkeren",
        key="beheer_blokkeren",
        icon=":material/block:",
        on_click=_set_active,
        args=(user.email, False),
        disabled=own,
        help="U kunt uzelf niet blokkeren."
        if own
        else "Een geblokkeerde gebruiker krijgt geen toegang meer.",
    )
else:
    st.button(
        "Deblokkeren",
        key="beheer_deblokkeren",
        icon=":material/lock_open:",
        on_click=_set_active,
        args=(user.email, True),
    )

# ------------------------------------------------------------------------------------------ the store
st.subheader("Opslag")
rev = records.revision()
st.markdown(
    f"Gebruikers, rollen en de audittrail staan in {md(records.store_label())}. "
    f"Schemaversie (Alembic): {md(rev.current or 'geen')}"
    + ("" if rev.up_to_date else f", nieuwste is {md(rev.head)}")
    + "."
)
