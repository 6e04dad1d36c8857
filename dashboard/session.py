"""Who is looking: login (OpenID Connect through ``st.login``) or the demo mode, and their roles.

- **Production**: an ``[auth]`` section in ``.streamlit/secrets.toml`` configures an OpenID Connect
  provider. Nobody sees a page before logging in; the e-mail address the provider vouches for is matched
  to a user in the records store, whose roles decide which pages and controls are shown.
- **Demo mode** (no ``[auth]``): ``wijkmonitor serve`` binds 127.0.0.1 only (or refuses), the app is
  clearly marked as a demo, starts as the demo beheerder and offers a role picker of demo users.

What the pages show is a courtesy: every write is authorised again on the server, at the moment of
writing, by :mod:`wijkmonitor.records.authz` (roles read from the store, not from this session).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from dashboard import queries, source
from dashboard.safe import md
from wijkmonitor.records import authz, users
from wijkmonitor.records.store import open_store, records_url
from wijkmonitor.serve import auth_section_complete

_DEMO_CHOICE = "_wijkmonitor_demo_user"


@dataclass(frozen=True)
class Viewer:
    email: str
    naam: str
    rollen: frozenset[str]
    demo_mode: bool
    alleen_lezen: bool = False  # looking at a snapshot: no control writes (its store is read-only too)

    def can(self, action: str, target: str | None = None) -> bool:
        """Whether to show a control (the server checks again when it is used)."""
        return not self.alleen_lezen and authz.allowed(self.rollen, action, target)

    @property
    def beheerder(self) -> bool:
        return "beheerder" in self.rollen

    @property
    def partner_bronnen(self) -> list[str]:
        """The sources this viewer may deliver (every source for a beheerder)."""
        if self.beheerder:
            return list(authz.BRONNEN)
        return sorted(r.split(":", 1)[1] for r in self.rollen if r.startswith("partner:"))

    def actor(self, page: str) -> authz.Actor:
        return authz.Actor.page(self.email, page)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Engine:
    return open_store(url)


def store_url() -> str:
    """The records store's URL for this warehouse (``$WIJKMONITOR_RECORDS_URL``, secrets, or beside it)."""
    return records_url(Path(queries.db_label()))


def store() -> Engine:
    """The covenant records store (SQLite beside the warehouse, or PostgreSQL by URL); inside
    ``dashboard.source.reading(...)`` that source's records (a snapshot's are read-only)."""
    src = source.current()
    if src is not None:
        return src.records
    return _store(store_url())


def oidc_configured() -> bool:
    """The same rule as `wijkmonitor serve` applies before it binds a non-local address."""
    try:
        secrets = st.secrets.to_dict()
    except Exception:  # no secrets file at all
        return False
    return auth_section_complete(secrets)


@st.cache_resource(show_spinner=False)
def _demo_users_made(url: str, wijken: tuple[tuple[str, str], ...]) -> int:
    return users.ensure_demo_users(_store(url), list(wijken))


def _demo_wijken() -> tuple[tuple[str, str], ...]:
    try:
        gemeente = queries.gemeenten()
        if gemeente.empty:
            return ()
        df = queries.areas("wijk", str(gemeente["gebied_code"].iloc[0]))
    except Exception:  # no warehouse yet: demo users without teams
        return ()
    return tuple(zip(df["gebied_code"], df["gebied_naam"], strict=True))


def _login_screen() -> None:
    st.title("Wijkmonitor")
    st.write("Log in met het account van uw organisatie om de leefbaarheidsmonitor te openen.")
    if st.button("Inloggen", type="primary", icon=":material/login:"):
        st.login()
    st.stop()


def _no_access(email: str) -> None:
    st.title("Geen toegang")
    st.warning(
        md(
            f"U bent ingelogd als {email}, maar dit adres heeft (nog) geen rol in Wijkmonitor. "
            "Vraag de beheerder van Wijkmonitor in uw gemeente om u toe te voegen."
        ),
        icon=":material/lock:",
    )
    if st.button("Uitloggen", icon=":material/logout:"):
        st.logout()  # no st.rerun(): it would drop the redirect to the provider's logout (measured)
    st.stop()


def viewer() -> Viewer:
    """The viewer of this run; shows the login screen (and stops the run) when nobody is logged in."""
    if oidc_configured():
        if not st.user.is_logged_in:
            _login_screen()
        email = authz.normalise_email(str(st.user.get("email") or ""))
        if st.user.get("email_verified") is False:  # the provider says the address is not the user's
            email = ""
        user = users.get_user(store(), email) if email else None
        if user is None or not user.actief or not user.rollen or user.demo:
            _no_access(email or "(geen e-mailadres)")
        return Viewer(user.email, user.naam or email, user.rollen, demo_mode=False)
    return _demo_viewer()


def _demo_viewer() -> Viewer:
    url = store_url()
    _demo_users_made(url, _demo_wijken())
    roster = [u for u in users.list_users(_store(url), demo=True) if u.actief]
    if not roster:  # pragma: no cover - ensure_demo_users always makes the beheerder
        st.error("Geen demogebruikers in de gegevensopslag.")
        st.stop()
    by_email = {u.email: u for u in roster}
    default = users.demo_email("beheerder")
    emails = sorted(by_email, key=lambda e: (e != default, by_email[e].naam))
    with st.sidebar:
        st.warning(
            "**Demomodus**: geen inlog. Alleen bereikbaar op deze computer; kies hieronder wie u bent.",
            icon=":material/science:",
        )
        chosen = st.selectbox(
            "Bekijk als",
            emails,
            index=emails.index(st.session_state.get(_DEMO_CHOICE, default))
            if st.session_state.get(_DEMO_CHOICE, default) in emails
            else 0,
            format_func=lambda e: f"{by_email[e].naam} ({', '.join(sorted(by_email[e].rollen))})",
            key="demo_bekijk_als",
        )
    st.session_state[_DEMO_CHOICE] = chosen
    user = by_email[chosen]
    return Viewer(user.email, user.naam, user.rollen, demo_mode=True)


def current() -> Viewer:
    """The viewer that app.py established for this run (pages call this)."""
    found = st.session_state.get("_wijkmonitor_viewer")
    if found is None:  # a page run on its own (AppTest of a single page): establish it here
        found = viewer()
        st.session_state["_wijkmonitor_viewer"] = found
    src = source.current()
    if src is not None and src.snapshot is not None:
        return dataclasses.replace(found, alleen_lezen=True)
    return found


def establish() -> Viewer:
    """Called by app.py at the start of every run: identity and roles are read again each run."""
    found = viewer()
    st.session_state["_wijkmonitor_viewer"] = found
    return found


def logout_control(v: Viewer) -> None:
    with st.sidebar:
        st.caption(md(f"Ingelogd als {v.naam} ({', '.join(sorted(v.rollen))})"))
        if not v.demo_mode and st.button("Uitloggen", icon=":material/logout:"):
            st.logout()  # no st.rerun(): it would drop the redirect to the provider's logout (measured)
            st.stop()
