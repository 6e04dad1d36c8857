"""Who sees what: AppTest per role in demo mode and with OpenID Connect (st.login), the Beheer and
Audittrail pages, and that every write from a page is checked again on the server at the moment of writing.

Each test has its own records store (a SQLite file in tmp_path through $WIJKMONITOR_RECORDS_URL) on a copy
of the demo warehouse, so no test sees another's users.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from dashboard_support import REPO, app_test, demo_db
from streamlit.testing.v1 import AppTest
from test_dashboard_hostile import RAW as HOSTILE_MARKUP

from dashboard import PAGES
from dashboard.safe import md
from wijkmonitor.records import auditlog, authz, users
from wijkmonitor.records.store import open_store
from wijkmonitor.records.users import demo_email

COMMON = {
    "views/stuurgroep.py",
    "views/regiegroep.py",
    "views/wijk.py",
    "views/indicator.py",
    "views/gegevens.py",
    "views/jaarplan.py",  # readable for everyone with a login; the controls are per role
    "views/capaciteit.py",  # the same: readable for everyone, the editors per role
}
BEHEER = {"views/beheer.py", "views/audittrail.py"}
# demo user (slug of demo_email) -> the pages in its navigation
DEMO_ROLES = {
    "beheerder": set(PAGES),
    "stuurgroep": COMMON,
    "regiegroep": COMMON,
    "team-wk999903": COMMON,
    "partner-politie": COMMON | {"views/aanleveren.py"},
}
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "een-lang-willekeurig-geheim-voor-de-test-0123456789",
    "client_id": "wijkmonitor",
    "client_secret": "geheim",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",  # never fetched here
}
SYSTEM = authz.Actor.command("test")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("rollen") / "w.duckdb"
    shutil.copyfile(demo_db(), db)
    return db


@pytest.fixture
def store(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path}/records.sqlite"
    monkeypatch.setenv("WIJKMONITOR_RECORDS_URL", url)
    eng = open_store(url)
    yield eng
    eng.dispose()


def demo_app(warehouse: Path, monkeypatch, slug: str = "beheerder") -> AppTest:
    """The whole app in demo mode as demo user ``slug``, after its first run."""
    at = app_test(warehouse, monkeypatch).run()
    assert not at.exception, [e.value for e in at.exception]
    if slug != "beheerder":
        at.sidebar.selectbox(key="demo_bekijk_als").select(demo_email(slug)).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def oidc_app(warehouse: Path, monkeypatch, user: dict) -> AppTest:
    at = app_test(warehouse, monkeypatch)
    at.secrets["auth"] = AUTH
    at.user = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def logged_in(email: str, name: str = "Iemand") -> dict:
    return {"is_logged_in": True, "email": email, "name": name}


def registered(at: AppTest) -> set[str]:
    """The pages of this run's navigation (switch_page refuses a page st.navigation did not register)."""
    found = set()
    for page in PAGES:
        try:
            at.switch_page(page)
        except ValueError as exc:
            assert "Could not find a navigation page" in str(exc)
        else:
            found.add(page)
    return found  # (the next run goes to the last page tried: switch_page before running again)


def every_page_shows(at: AppTest, title: str) -> None:
    """Without access st.navigation never runs: a request for any page's script gets the same screen."""
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert [t.value for t in at.title] == [title], page
        assert at.dataframe.len == 0 and at.metric.len == 0 and not at.get("plotly_chart"), page


def user_table(at: AppTest):
    return next((d.value for d in at.dataframe if "E-mail" in d.value.columns), None)


def beheer_controls(at: AppTest) -> list[str]:
    keys = [
        w.key for kind in ("text_input", "multiselect", "button", "selectbox") for w in getattr(at.main, kind)
    ]
    return [k for k in keys if k and k.startswith("beheer")]


# ------------------------------------------------------------------------------------------ demo mode


@pytest.mark.parametrize("slug", list(DEMO_ROLES))
def test_each_demo_role_sees_its_pages_only(warehouse, store, monkeypatch, slug):
    at = demo_app(warehouse, monkeypatch, slug)
    assert registered(at) == DEMO_ROLES[slug]
    sidebar = [w.value for w in at.sidebar.warning]
    assert any("Demomodus" in w for w in sidebar), "the demo mode is clearly marked"
    assert "Uitloggen" not in [b.label for b in at.button]  # no login, so no logout
    viewer = users.get_user(store, demo_email(slug))
    assert md(", ".join(sorted(viewer.rollen))) in " ".join(c.value for c in at.sidebar.caption)
    if slug == "beheerder":
        for page in BEHEER:
            at.switch_page(page).run()
            assert not at.exception, [e.value for e in at.exception]
        return
    # nobody else reaches the Beheer pages, not even a session that was on them when its role changed:
    # st.navigation does not know the page and shows the default page instead
    for page in BEHEER:
        at = demo_app(warehouse, monkeypatch)
        at.switch_page(page).run()
        assert at.title[0].value in ("Gebruikers en rollen", "Audittrail")
        at.sidebar.selectbox(key="demo_bekijk_als").select(demo_email(slug)).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value not in ("Gebruikers en rollen", "Audittrail")
        assert user_table(at) is None and beheer_controls(at) == []
        assert not [d for d in at.dataframe if "Oud → nieuw" in d.value.columns]
        # neither the trail nor the user list to download (the default page has downloads of its own tables)
        assert not [b.key for b in at.download_button if b.key.startswith(("audit", "gebruikers"))]


def test_demo_beheerder_manages_users_on_the_page(warehouse, store, monkeypatch):
    # a real beheerder as well: with only the demo beheerder, blocking anyone is refused as "the last
    # active beheerder" (users.set_active; see test_records.test_blocking_a_non_beheerder_...)
    users.add_user(store, SYSTEM, "baas@gemeente.example", "Baas", ["beheerder"])
    at = demo_app(warehouse, monkeypatch)
    at.switch_page("views/beheer.py").run()
    table = user_table(at)
    assert set(table["E-mail"]) == {u.email for u in users.list_users(store)}
    assert set(table[table["Demo"] == "nee"]["E-mail"]) == {"baas@gemeente.example"}
    # the roles offered: the fixed ones, a team per wijk of the warehouse, a partner per source
    assert "team:WK999903 (Molenwijk)" in at.multiselect(key="beheer_rollen").options
    assert "partner:leefbaarometer" in at.multiselect(key="beheer_rollen").options
    # add
    at.text_input(key="beheer_email").input("Nieuw@Gemeente.example")
    at.text_input(key="beheer_naam").input("Nieuwe collega")
    at.multiselect(key="beheer_rollen").select("stuurgroep").select("team:WK999903")
    at.button(key="FormSubmitter:beheer_toevoegen-Toevoegen").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == md(
        "Gebruiker nieuw@gemeente.example toegevoegd met stuurgroep, team:WK999903."
    )
    table = user_table(at)  # the same run shows the new user: the write ran before the table was read
    row = table[table["E-mail"] == "nieuw@gemeente.example"].iloc[0]
    assert (row["Naam"], row["Rollen"], row["Actief"], row["Demo"]) == (
        "Nieuwe collega",
        "stuurgroep, team:WK999903 (Molenwijk)",
        "ja",
        "nee",
    )
    assert at.text_input(key="beheer_email").value == ""  # the form is empty again
    # grant, revoke, block, unblock
    at.selectbox(key="beheer_gebruiker").select("nieuw@gemeente.example").run()
    at.selectbox(key="beheer_toekennen").select("regiegroep").run()
    at.button(key="beheer_toekennen_knop").click().run()
    assert users.get_user(store, "nieuw@gemeente.example").rollen == {
        "stuurgroep",
        "regiegroep",
        "team:WK999903",
    }
    at.selectbox(key="beheer_intrekken").select("stuurgroep").run()
    at.button(key="beheer_intrekken_knop").click().run()
    assert users.get_user(store, "nieuw@gemeente.example").rollen == {"regiegroep", "team:WK999903"}
    at.button(key="beheer_blokkeren").click().run()
    assert not users.get_user(store, "nieuw@gemeente.example").actief
    table = user_table(at)
    assert table.set_index("E-mail").loc["nieuw@gemeente.example", "Actief"] == "nee (geblokkeerd)"
    at.button(key="beheer_deblokkeren").click().run()
    assert users.get_user(store, "nieuw@gemeente.example").actief
    assert not at.exception and not at.error
    # the viewer cannot block itself on the page
    at.selectbox(key="beheer_gebruiker").select(demo_email("beheerder")).run()
    assert at.button(key="beheer_blokkeren").disabled
    # every change is in the trail, by the demo beheerder, from the page
    rows = [r for r in auditlog.entries(store, limit=None) if r["via"] == "pagina:Beheer"]
    assert [r["actie"] for r in reversed(rows)] == [
        "gebruiker.toevoegen",
        "rol.toekennen",
        "rol.intrekken",
        "gebruiker.wijzigen",
        "gebruiker.wijzigen",
    ]
    assert {(r["actor"], r["rollen"], r["uitkomst"]) for r in rows} == {
        (demo_email("beheerder"), "beheerder", "uitgevoerd")
    }
    # a duplicate: a Dutch message, nothing written (roles typed in: test_hostile_roles_typed_in_are_refused)
    at.text_input(key="beheer_email").input("nieuw@gemeente.example")
    at.multiselect(key="beheer_rollen").set_value(["stuurgroep"])
    at.button(key="FormSubmitter:beheer_toevoegen-Toevoegen").click().run()
    assert "al een gebruiker" in at.error[0].value
    assert len([r for r in auditlog.entries(store, limit=None) if r["via"] == "pagina:Beheer"]) == 5


def test_store_section_names_the_store_and_revision(warehouse, store, monkeypatch):
    from wijkmonitor.records.store import head, label

    at = demo_app(warehouse, monkeypatch)
    at.switch_page("views/beheer.py").run()
    line = next(m.value for m in at.markdown if "Schemaversie" in m.value)
    assert md(label(str(store.url))) in line
    assert line.endswith(f"Schemaversie (Alembic): {md(head())}.")


def test_store_label_hides_the_password():
    from wijkmonitor.records.store import label

    shown = label("postgresql+psycopg://wijkmonitor:geheim@db.gemeente.example/wijkmonitor")
    assert "geheim" not in shown and shown.startswith("postgresql+psycopg://wijkmonitor:***@db.gemeente")


def test_audittrail_page_filters_counts_and_offers_the_csv(warehouse, store, monkeypatch):
    at = demo_app(warehouse, monkeypatch)  # makes the demo users (systeem:demo, via demomodus)
    baas = authz.Actor.page(demo_email("beheerder"), "Beheer")
    users.add_user(store, baas, "een@gemeente.example", "Een", ["stuurgroep"])
    with pytest.raises(authz.Refused):
        users.add_user(store, authz.Actor.page("een@gemeente.example", "Beheer"), "twee@gemeente.example")
    total = auditlog.count(store)
    at.switch_page("views/audittrail.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "Oud → nieuw" in d.value.columns)
    assert list(table.columns) == [
        "Tijdstip",
        "Door",
        "Rollen",
        "Actie",
        "Object",
        "Oud → nieuw",
        "Via",
        "Uitkomst",
        "Reden",
    ]
    assert len(table) == total
    assert table.iloc[0]["Uitkomst"] == "geweigerd" and table.iloc[0]["Door"] == "een@gemeente.example"
    assert table.iloc[1]["Object"] == "gebruiker een@gemeente.example"
    assert table.iloc[1]["Oud → nieuw"].startswith("– → {")
    assert re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d:\d\d", table.iloc[0]["Tijdstip"])
    assert at.markdown[0].value == f"**{total}** van de {total} regels."
    # the whole trail as CSV, beside the download buttons of the table shown (dashboard.tables)
    assert "Download als CSV" in [b.label for b in at.download_button]
    # filters
    at.selectbox(key="audit_uitkomst").select("geweigerd").run()
    assert at.markdown[0].value == f"**1** van de {total} regels."
    at.selectbox(key="audit_uitkomst").select(None).run()
    at.selectbox(key="audit_actor").select(demo_email("beheerder")).run()
    assert at.markdown[0].value == f"**1** van de {total} regels."
    assert set(next(d.value for d in at.dataframe if "Door" in d.value.columns)["Door"]) == {
        demo_email("beheerder")
    }
    at.selectbox(key="audit_actor").select(None).run()
    at.selectbox(key="audit_actie").select("gebruiker.toevoegen").run()
    assert at.markdown[0].value == f"**{total}** van de {total} regels."  # every row so far is an addition
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    at.date_input(key="audit_periode").set_value((yesterday, yesterday)).run()
    assert at.markdown[0].value == f"**0** van de {total} regels."
    assert "Geen regels" in at.info[0].value and at.download_button.len == 0
    # looking is not a write: the trail did not grow
    assert auditlog.count(store) == total


# ------------------------------------------------------------------------------------------ forged sessions


def test_page_alone_for_a_non_beheerder_shows_nothing(warehouse, store, monkeypatch):
    """The page's own check (for a page run outside app.py's navigation)."""
    from dashboard.session import Viewer

    users.add_user(store, SYSTEM, "lid@gemeente.example", "Lid", ["stuurgroep"])
    app_test(warehouse, monkeypatch)  # sets WIJKMONITOR_DB and full error details
    for page in ("beheer.py", "audittrail.py"):
        at = AppTest.from_file(str(REPO / "dashboard" / "views" / page), default_timeout=60)
        at.session_state["_wijkmonitor_viewer"] = Viewer(
            "lid@gemeente.example", "Lid", frozenset({"stuurgroep"}), False
        )
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.error[0].value.startswith("Alleen voor de beheerder")
        assert user_table(at) is None and beheer_controls(at) == [] and at.dataframe.len == 0
        # a session that claims to be beheerder: the store says otherwise, before anything is read
        at = AppTest.from_file(str(REPO / "dashboard" / "views" / page), default_timeout=60)
        at.session_state["_wijkmonitor_viewer"] = Viewer(
            "lid@gemeente.example", "Lid", frozenset({"beheerder"}), False
        )
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("geen rol beheerder" in e.value for e in at.error)
        assert user_table(at) is None and beheer_controls(at) == [] and at.dataframe.len == 0


def _forged_write():
    import streamlit as st

    from dashboard import records, session
    from wijkmonitor.records import authz

    # a session whose viewer claims the beheerder role, as a crafted or stale session could
    st.session_state["_wijkmonitor_viewer"] = session.Viewer(
        "lid@gemeente.example", "Lid", frozenset({"beheerder"}), demo_mode=False
    )
    for name, write in (
        ("toevoegen", lambda: records.add_user("nieuw@gemeente.example", "Nieuw", ["beheerder"])),
        ("toekennen", lambda: records.grant_role("lid@gemeente.example", "beheerder")),
        ("blokkeren", lambda: records.set_active("baas@gemeente.example", False)),
    ):
        try:
            write()
            st.text(f"{name}: gelukt")
        except authz.Refused:
            st.text(f"{name}: geweigerd")


def test_a_forged_session_is_refused_at_the_moment_of_writing(warehouse, store, monkeypatch):
    users.add_user(store, SYSTEM, "baas@gemeente.example", "Baas", ["beheerder"])
    users.add_user(store, SYSTEM, "lid@gemeente.example", "Lid", ["stuurgroep"])
    app_test(warehouse, monkeypatch)  # WIJKMONITOR_DB
    at = AppTest.from_function(_forged_write, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.text] == [
        "toevoegen: geweigerd",
        "toekennen: geweigerd",
        "blokkeren: geweigerd",
    ]
    assert users.get_user(store, "nieuw@gemeente.example") is None
    assert users.get_user(store, "lid@gemeente.example").rollen == {"stuurgroep"}
    assert users.get_user(store, "baas@gemeente.example").actief
    refused = auditlog.entries(store, auditlog.AuditFilter(uitkomst="geweigerd"))
    assert [(r["actor"], r["rollen"], r["actie"], r["via"]) for r in reversed(refused)] == [
        ("lid@gemeente.example", "stuurgroep", "gebruiker.toevoegen", "pagina:Beheer"),
        ("lid@gemeente.example", "stuurgroep", "rol.toekennen", "pagina:Beheer"),
        ("lid@gemeente.example", "stuurgroep", "gebruiker.wijzigen", "pagina:Beheer"),
    ]


# ------------------------------------------------------------------------------------------ OpenID Connect


def test_oidc_not_logged_in_shows_the_login_screen_only(warehouse, store, monkeypatch):
    at = oidc_app(warehouse, monkeypatch, {"is_logged_in": False})
    assert [t.value for t in at.title] == ["Wijkmonitor"]
    assert [b.label for b in at.button] == ["Inloggen"]
    assert at.dataframe.len == 0 and at.metric.len == 0 and not at.get("plotly_chart")
    assert at.sidebar.selectbox.len == 0 and not at.sidebar.warning  # no demo mode, no role picker
    every_page_shows(at, "Wijkmonitor")
    assert users.list_users(store) == []  # demo users are made in demo mode only


@pytest.mark.parametrize("case", ["onbekend", "zonder rol", "geblokkeerd", "demo"])
def test_oidc_without_access(warehouse, store, monkeypatch, case):
    users.add_user(store, SYSTEM, "baas@gemeente.example", "Baas", ["beheerder"])
    users.add_user(store, SYSTEM, "zonder@gemeente.example", "Zonder rol", [])
    users.add_user(store, SYSTEM, "weg@gemeente.example", "Geblokkeerd", ["beheerder"])
    users.set_active(store, SYSTEM, "weg@gemeente.example", False)
    users.ensure_demo_users(store, [("WK999903", "Molenwijk")])  # the store was once used in demo mode
    email = {
        "onbekend": "Onbekend@Elders.example",
        "zonder rol": "zonder@gemeente.example",
        "geblokkeerd": "weg@gemeente.example",
        "demo": demo_email("beheerder"),  # a demo address from an identity provider is never let in
    }[case]
    at = oidc_app(warehouse, monkeypatch, logged_in(email))
    assert [t.value for t in at.title] == ["Geen toegang"]
    assert md(authz.normalise_email(email)) in at.warning[0].value
    assert [b.label for b in at.button] == ["Uitloggen"]
    every_page_shows(at, "Geen toegang")


def test_oidc_without_an_email_claim_has_no_access(warehouse, store, monkeypatch):
    at = oidc_app(warehouse, monkeypatch, {"is_logged_in": True, "name": "Zonder adres"})
    assert [t.value for t in at.title] == ["Geen toegang"]
    assert "geen e\\-mailadres" in at.warning[0].value


def test_oidc_unverified_email_has_no_access(warehouse, store, monkeypatch):
    users.add_user(store, SYSTEM, "baas@gemeente.example", "Baas", ["beheerder"])
    at = oidc_app(warehouse, monkeypatch, {**logged_in("baas@gemeente.example"), "email_verified": False})
    assert [t.value for t in at.title] == ["Geen toegang"]


def test_oidc_known_users_get_their_pages(warehouse, store, monkeypatch):
    users.add_user(store, SYSTEM, "baas@gemeente.example", "Baas", ["beheerder"])
    users.add_user(store, SYSTEM, "lid@gemeente.example", "Lid", ["stuurgroep", "partner:welzijn"])
    at = oidc_app(warehouse, monkeypatch, logged_in("Baas@Gemeente.EXAMPLE", "B. Aas"))  # case differs
    assert registered(at) == set(PAGES)
    assert at.sidebar.selectbox.len == 0 and not any("Demomodus" in w.value for w in at.sidebar.warning)
    assert "Uitloggen" in [b.label for b in at.sidebar.button]
    at.switch_page("views/beheer.py").run()
    assert not at.exception and at.title[0].value == "Gebruikers en rollen"
    assert set(user_table(at)["E-mail"]) == {"baas@gemeente.example", "lid@gemeente.example"}
    at = oidc_app(warehouse, monkeypatch, logged_in("lid@gemeente.example"))
    assert registered(at) == COMMON | {"views/aanleveren.py"}


def test_oidc_last_beheerder_cannot_remove_itself_on_the_page(warehouse, store, monkeypatch):
    users.add_user(store, SYSTEM, "baas@gemeente.example", "Baas", ["beheerder"])
    at = oidc_app(warehouse, monkeypatch, logged_in("baas@gemeente.example"))
    at.switch_page("views/beheer.py").run()
    at.selectbox(key="beheer_intrekken").select("beheerder").run()
    at.button(key="beheer_intrekken_knop").click().run()
    assert not at.exception
    assert at.error[0].value == md(
        "Niet gewijzigd: dit is de laatste beheerder: wijs eerst een andere beheerder aan"
    )
    assert users.current_roles(store, "baas@gemeente.example") == {"beheerder"}
    assert at.title[0].value == "Gebruikers en rollen"


def test_oidc_role_withdrawn_while_the_page_is_open(warehouse, store, monkeypatch):
    """A's Beheer page is open; B withdraws A's beheerder role; A submits the form: refused, recorded, and
    A's next page is no longer the Beheer page."""
    users.add_user(store, SYSTEM, "a@gemeente.example", "A", ["beheerder", "stuurgroep"])
    users.add_user(store, SYSTEM, "b@gemeente.example", "B", ["beheerder"])
    at = oidc_app(warehouse, monkeypatch, logged_in("a@gemeente.example"))
    at.switch_page("views/beheer.py").run()
    at.text_input(key="beheer_email").input("nieuw@gemeente.example")
    at.multiselect(key="beheer_rollen").select("beheerder")
    users.revoke_role(
        store, authz.Actor.page("b@gemeente.example", "Beheer"), "a@gemeente.example", "beheerder"
    )
    at.button(key="FormSubmitter:beheer_toevoegen-Toevoegen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert users.get_user(store, "nieuw@gemeente.example") is None
    row = auditlog.entries(store, limit=1)[0]
    assert (row["actor"], row["rollen"], row["actie"], row["uitkomst"], row["via"]) == (
        "a@gemeente.example",
        "stuurgroep",
        "gebruiker.toevoegen",
        "geweigerd",
        "pagina:Beheer",
    )
    assert any("Dit mag u niet" in t.value for t in at.toast)  # said, although the page is gone
    assert at.title[0].value != "Gebruikers en rollen" and user_table(at) is None
    assert registered(at) == COMMON


# ------------------------------------------------------------------------------------------ hostile input

EVIL = "https://evil.example"
HOSTILE = [
    # (e-mail, naam): stored verbatim (e-mail lower-cased) or refused with a Dutch message
    ("quote@gemeente.example", "Robert'); DROP TABLE gebruikers;--"),
    ("o'brien@gemeente.example", "O'Brien"),  # a quote in the address: refused by the address rule
    ("a;b@gemeente.example", "puntkomma"),
    ("streep--@gemeente.example", "-- commentaar"),
    ("html@gemeente.example", "<img src=x onerror=alert(1)> <b>vet</b> <a href='x'>a</a>"),
    ("<b>x</b>@gemeente.example", "html in het adres"),
    ("link@gemeente.example", f"[Inloggen bij de gemeente]({EVIL}/login)"),
    (f"[x]({EVIL})@gemeente.example", "link in het adres"),
    (":red[rood]@gemeente.example", ":red[rood] :material/warning: :smile:"),
    ("**vet**@gemeente.example", "$x^2$ **vet** `code` # kop"),
    ("auto@gemeente.example", f"kijk op {EVIL}/a en www.evil.example of mail a@evil.example"),
    ("jörg@gemeente.example", "Zoë Ñandú 王小明 🙂 \u202eevil\u202c"),
    ("lang@gemeente.example", "x" * 10_000),
    ("x" * 10_000 + "@gemeente.example", "te lang adres"),
    ("nieuweregel@gemeente.example", "regel 1\nregel 2"),
]
RAW = HOSTILE_MARKUP  # what must never appear unescaped (the same list as the pages' hostile test)


def markdown_texts(at: AppTest) -> list[str]:
    out = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "success",
        "info",
        "warning",
        "error",
        "toast",
    ):
        out += [e.value for e in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "text_input", "button"):
        out += [w.label for w in getattr(at, kind)]
    return out


def leaks(at: AppTest) -> list[tuple[str, str]]:
    """Raw Markdown/HTML left after taking out every backslash-escaped character (as the hostile test)."""
    return [(raw, t[:120]) for t in markdown_texts(at) for raw in RAW if raw in re.sub(r"\\.", "", t)]


def test_hostile_names_and_addresses_in_the_beheer_form(warehouse, store, monkeypatch):
    at = demo_app(warehouse, monkeypatch)
    at.switch_page("views/beheer.py").run()
    stored, refused = [], []
    for email, naam in HOSTILE:
        # set_value, not input(): as a crafted request, past the fields' max_chars in the browser
        at.text_input(key="beheer_email").set_value(email)
        at.text_input(key="beheer_naam").set_value(naam)
        at.multiselect(key="beheer_rollen").set_value(["stuurgroep"])
        at.button(key="FormSubmitter:beheer_toevoegen-Toevoegen").click().run()
        assert not at.exception, (email[:40], [e.value for e in at.exception])
        user = users.get_user(store, email)
        if user is not None:
            assert user.naam == naam.strip(), email[:40]  # verbatim
            assert at.success and not at.error
            stored.append(email)
        else:
            assert at.error and not at.success, email[:40]
            message = at.error[0].value
            assert message.startswith("Niet toegevoegd"), message[:200]
            assert "geen geldig e\\-mailadres" in message or "te lang" in message, message[:200]
            assert len(message) < 1000  # a 10,000-character value is not echoed back whole
            refused.append(email)
        assert leaks(at) == [], email[:40]
    assert refused == [
        "o'brien@gemeente.example",
        "a;b@gemeente.example",
        "<b>x</b>@gemeente.example",
        f"[x]({EVIL})@gemeente.example",
        "lang@gemeente.example",
        "x" * 10_000 + "@gemeente.example",
    ]
    assert len(stored) == len(HOSTILE) - len(refused)
    # the table holds the names as plain text, exactly as typed
    table = user_table(at).set_index("E-mail")
    for email, naam in HOSTILE:
        if email in stored:
            assert table.loc[authz.normalise_email(email), "Naam"] == naam.strip()
    # the selected user's line escapes name and address
    for email in stored:
        user = users.get_user(store, email)
        at.selectbox(key="beheer_gebruiker").select(user.email).run()
        line = next(m.value for m in at.markdown if m.value.startswith("**"))
        assert line.startswith(f"**{md(user.naam or user.email)}** ({md(user.email)})")
        assert leaks(at) == [], email
    # nothing ran as SQL: the table is still there and holds every user
    assert len(users.list_users(store)) == len(users.list_users(store, demo=True)) + len(stored)
    added = [r for r in auditlog.entries(store, limit=None) if r["via"] == "pagina:Beheer"]
    assert len(added) == len(stored)
    assert {json.loads(r["nieuw"])["naam"] for r in added} == {n.strip() for e, n in HOSTILE if e in stored}
    # and on the Audittrail page: plain text in the table, nothing raw in Markdown
    at.switch_page("views/audittrail.py").run()
    assert not at.exception and leaks(at) == []
    changes = " ".join(next(d.value for d in at.dataframe if "Oud → nieuw" in d.value.columns)["Oud → nieuw"])
    for email, naam in HOSTILE:
        if email in stored:
            assert json.dumps(naam.strip(), ensure_ascii=False) in changes


def test_hostile_roles_typed_in_are_refused(warehouse, store, monkeypatch):
    at = demo_app(warehouse, monkeypatch)
    at.switch_page("views/beheer.py").run()
    for rol in (
        "beheerder; DROP TABLE gebruikers",
        "<img src=x>",
        f"[beheerder]({EVIL})",
        "team:WK999903' --",
    ):
        at.text_input(key="beheer_email").input("rol@gemeente.example")
        at.multiselect(key="beheer_rollen").set_value([rol])
        at.button(key="FormSubmitter:beheer_toevoegen-Toevoegen").click().run()
        assert not at.exception
        assert "onbekende rol" in at.error[0].value
        assert leaks(at) == []
    assert users.get_user(store, "rol@gemeente.example") is None
