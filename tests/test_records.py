"""The covenant records store itself, on SQLite and PostgreSQL (the `records_url` fixture): schema at head,
users and roles with their audit rows, refusals, stale roles, the append-only trail, the last beheerder,
role parsing, two writing processes at once, and the `wijkmonitor gebruiker` / `audit` commands."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from wijkmonitor.records import auditlog, authz, users
from wijkmonitor.records.authz import Actor, Change, Refused, parse_role
from wijkmonitor.records.store import current_revision, head, open_store
from wijkmonitor.records.tables import audit, metadata

REPO = Path(__file__).resolve().parents[1]
SYSTEM = Actor.command("test")


@pytest.fixture
def eng(records_url: str):
    engine = open_store(records_url)
    yield engine
    engine.dispose()


def page(email: str) -> Actor:
    return Actor.page(email, "Beheer")


def newest(engine, n: int = 1) -> list[dict]:
    return auditlog.entries(engine, limit=n)


def trail(engine) -> list[dict]:
    """The whole trail, oldest first."""
    return list(reversed(auditlog.entries(engine, limit=None)))


def with_beheerder(engine, email: str = "baas@gemeente.example") -> Actor:
    users.add_user(engine, SYSTEM, email, "Baas", ["beheerder"])
    return page(email)


# ------------------------------------------------------------------------------------------ schema


def test_open_store_creates_the_schema_at_head(eng) -> None:
    inspector = sa.inspect(eng)
    assert set(inspector.get_table_names()) == {*metadata.tables, "alembic_version"}
    for table in metadata.sorted_tables:
        reflected = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert list(reflected) == [c.name for c in table.columns], table.name
        for column in table.columns:
            got = reflected[column.name]
            assert got["nullable"] == column.nullable, (table.name, column.name)
            assert isinstance(got["type"], column.type._type_affinity), (table.name, column.name, got["type"])
            if isinstance(column.type, sa.String) and column.type.length:
                assert got["type"].length == column.type.length, (table.name, column.name)
        pk = inspector.get_pk_constraint(table.name)["constrained_columns"]
        assert pk == [c.name for c in table.primary_key.columns], table.name
    fks = inspector.get_foreign_keys("gebruiker_rollen")
    assert [(f["referred_table"], f["options"].get("ondelete", "").upper()) for f in fks] == [
        ("gebruikers", "CASCADE")
    ]
    # Alembic's own comparison of the migrations' result with tables.py: nothing to add, drop or retype
    with eng.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diffs == []
    assert current_revision(eng) == head()


def test_open_store_twice_keeps_the_data(records_url: str) -> None:
    first = open_store(records_url)
    users.add_user(first, SYSTEM, "a@gemeente.example", "A", ["stuurgroep"])
    assert open_store(records_url) is first
    assert users.get_user(first, "a@gemeente.example").rollen == {"stuurgroep"}
    first.dispose()


# ------------------------------------------------------------------------------------------ users and audit


def test_user_changes_are_written_and_audited_with_old_and_new_values(eng) -> None:
    baas = with_beheerder(eng)
    user = users.add_user(eng, baas, "  Teamlid@Gemeente.Example ", "Els de Vries", ["team:wk099901"])
    assert user == users.User(
        "teamlid@gemeente.example", "Els de Vries", True, False, frozenset({"team:WK099901"})
    )
    row = newest(eng)[0]
    assert row["actor"] == "baas@gemeente.example" and row["rollen"] == "beheerder"
    assert (row["actie"], row["object_soort"], row["object_id"]) == (
        "gebruiker.toevoegen",
        "gebruiker",
        "teamlid@gemeente.example",
    )
    assert row["via"] == "pagina:Beheer" and row["uitkomst"] == "uitgevoerd" and row["reden"] is None
    assert row["oud"] is None
    assert json.loads(row["nieuw"]) == {"naam": "Els de Vries", "rollen": ["team:WK099901"], "actief": True}

    users.grant_role(eng, baas, "teamlid@gemeente.example", "Regiegroep")
    row = newest(eng)[0]
    assert row["actie"] == "rol.toekennen"
    assert json.loads(row["oud"]) == {"rollen": ["team:WK099901"]}
    assert json.loads(row["nieuw"]) == {"rollen": ["regiegroep", "team:WK099901"]}

    users.revoke_role(eng, baas, "TEAMLID@gemeente.example", "team:WK099901")
    row = newest(eng)[0]
    assert row["actie"] == "rol.intrekken"
    assert json.loads(row["oud"]) == {"rollen": ["regiegroep", "team:WK099901"]}
    assert json.loads(row["nieuw"]) == {"rollen": ["regiegroep"]}
    assert users.get_user(eng, "teamlid@gemeente.example").rollen == {"regiegroep"}

    users.set_active(eng, baas, "teamlid@gemeente.example", False)
    row = newest(eng)[0]
    assert row["actie"] == "gebruiker.wijzigen"
    assert (json.loads(row["oud"]), json.loads(row["nieuw"])) == ({"actief": True}, {"actief": False})
    assert users.get_user(eng, "teamlid@gemeente.example").actief is False
    assert users.current_roles(eng, "teamlid@gemeente.example") == frozenset()  # blocked: no roles count
    users.set_active(eng, baas, "teamlid@gemeente.example", True)
    assert users.current_roles(eng, "teamlid@gemeente.example") == {"regiegroep"}

    # the command line's first beheerder, then five page writes: six rows, every one 'uitgevoerd'
    rows = trail(eng)
    assert [r["actie"] for r in rows] == [
        "gebruiker.toevoegen",
        "gebruiker.toevoegen",
        "rol.toekennen",
        "rol.intrekken",
        "gebruiker.wijzigen",
        "gebruiker.wijzigen",
    ]
    assert rows[0]["actor"].startswith("systeem:") and rows[0]["via"] == "opdracht:test"
    assert rows[0]["rollen"] == "systeem"
    assert {r["uitkomst"] for r in rows} == {"uitgevoerd"}


def test_existing_user_and_bad_input_are_refused_with_dutch_messages(eng) -> None:
    baas = with_beheerder(eng)
    before = len(trail(eng))
    with pytest.raises(ValueError, match="er is al een gebruiker met e-mailadres baas@gemeente.example"):
        users.add_user(eng, baas, "BAAS@gemeente.example", "Dubbel", ["stuurgroep"])
    with pytest.raises(ValueError, match="geen geldig e-mailadres"):
        users.add_user(eng, baas, "geen-adres", "X", ["stuurgroep"])
    with pytest.raises(ValueError, match="onbekende rol"):
        users.add_user(eng, baas, "x@gemeente.example", "X", ["koning"])
    with pytest.raises(ValueError, match="geen gebruiker met e-mailadres"):
        users.grant_role(eng, baas, "niemand@gemeente.example", "stuurgroep")
    # nothing was written, and a write that did not happen is not in the trail
    assert [u.email for u in users.list_users(eng)] == ["baas@gemeente.example"]
    assert len(trail(eng)) == before


def test_refusals_are_recorded_and_raised(eng) -> None:
    with_beheerder(eng)
    users.add_user(eng, SYSTEM, "lid@gemeente.example", "Lid", ["stuurgroep", "partner:politie"])
    lid = page("lid@gemeente.example")
    with pytest.raises(Refused, match="Dit mag u niet"):
        users.add_user(eng, lid, "nieuw@gemeente.example", "Nieuw", ["beheerder"])
    with pytest.raises(Refused):
        users.grant_role(eng, lid, "lid@gemeente.example", "beheerder")  # not even for oneself
    with pytest.raises(Refused):
        users.set_active(eng, Actor.page("vreemde@elders.example", "Beheer"), "baas@gemeente.example", False)
    assert users.get_user(eng, "nieuw@gemeente.example") is None
    assert users.get_user(eng, "lid@gemeente.example").rollen == {"stuurgroep", "partner:politie"}
    assert users.get_user(eng, "baas@gemeente.example").actief
    refused = auditlog.entries(eng, auditlog.AuditFilter(uitkomst="geweigerd"))
    assert [(r["actor"], r["actie"], r["object_id"]) for r in reversed(refused)] == [
        ("lid@gemeente.example", "gebruiker.toevoegen", "nieuw@gemeente.example"),
        ("lid@gemeente.example", "rol.toekennen", "lid@gemeente.example"),
        ("vreemde@elders.example", "gebruiker.wijzigen", "baas@gemeente.example"),
    ]
    assert refused[-1]["rollen"] == "partner:politie,stuurgroep"  # the roles it had at that moment
    assert refused[0]["rollen"] == ""  # an unknown address has none
    assert all(r["via"] == "pagina:Beheer" and "heeft geen recht op" in r["reden"] for r in refused)
    # a partner may deliver its own source only; an action nobody has is refused for everyone but the system
    roles = frozenset({"partner:politie"})
    assert authz.allowed(roles, "levering.laden", "politie")
    assert not authz.allowed(roles, "levering.laden", "corporatie")
    assert not authz.allowed(frozenset({"beheerder"}), "bestaat.niet")
    with pytest.raises(Refused):
        authz.perform(eng, lid, "bestaat.niet", None, Change("x", "1"), lambda conn: None)


def test_a_role_withdrawn_after_the_page_was_drawn_is_refused(eng) -> None:
    """Two beheerders; A's page was drawn while A was beheerder; B withdraws A's role; A's form arrives."""
    a = with_beheerder(eng, "a@gemeente.example")
    b = with_beheerder(eng, "b@gemeente.example")
    shown_to_a = users.current_roles(eng, "a@gemeente.example")  # what the page saw
    assert "beheerder" in shown_to_a
    users.revoke_role(eng, b, "a@gemeente.example", "beheerder")
    with pytest.raises(Refused):
        users.add_user(eng, a, "nieuw@gemeente.example", "Nieuw", ["stuurgroep"])
    assert users.get_user(eng, "nieuw@gemeente.example") is None
    row = newest(eng)[0]
    assert (row["actor"], row["actie"], row["uitkomst"], row["rollen"]) == (
        "a@gemeente.example",
        "gebruiker.toevoegen",
        "geweigerd",
        "",
    )
    # a blocked beheerder keeps the role on paper but cannot use it
    users.grant_role(eng, b, "a@gemeente.example", "beheerder")
    users.set_active(eng, b, "a@gemeente.example", False)
    with pytest.raises(Refused):
        users.set_active(eng, a, "a@gemeente.example", True)
    assert not users.get_user(eng, "a@gemeente.example").actief


# ------------------------------------------------------------------------------------------ append-only


def test_the_database_refuses_to_change_the_audit_trail(eng) -> None:
    with_beheerder(eng)
    before = trail(eng)
    assert before
    statements = [
        "UPDATE audit SET reden = 'weggepoetst'",
        "DELETE FROM audit",
        f"DELETE FROM audit WHERE id = {before[0]['id']}",
    ]
    if eng.dialect.name == "postgresql":
        statements.append("TRUNCATE audit")
    for sql in statements:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), eng.begin() as conn:
            conn.execute(sa.text(sql))
    # through SQLAlchemy Core as well, not only raw SQL
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), eng.begin() as conn:
        conn.execute(audit.update().values(uitkomst="geweigerd"))
    assert trail(eng) == before
    # appending still works
    authz.record(eng, SYSTEM, "instelling.wijzigen", Change("instelling", "marge", 0.05, 0.04))
    assert len(trail(eng)) == len(before) + 1


def test_audit_filters_and_csv(eng) -> None:
    baas = with_beheerder(eng)
    users.add_user(eng, baas, "lid@gemeente.example", '=HYPERLINK("x")', ["stuurgroep"])
    with pytest.raises(Refused):
        users.add_user(eng, page("lid@gemeente.example"), "x@gemeente.example", "", ["stuurgroep"])
    f = auditlog.AuditFilter(actor="baas@gemeente.example")
    assert [r["actie"] for r in auditlog.entries(eng, f)] == ["gebruiker.toevoegen"]
    assert len(auditlog.entries(eng, auditlog.AuditFilter(uitkomst="geweigerd"))) == 1
    assert len(auditlog.entries(eng, auditlog.AuditFilter(actie="gebruiker.toevoegen"))) == 3
    today = auditlog.entries(eng)[0]["tijdstip"].date()
    import datetime as dt

    assert len(auditlog.entries(eng, auditlog.AuditFilter(vanaf=today, tot_en_met=today))) == 3
    assert auditlog.entries(eng, auditlog.AuditFilter(tot_en_met=today - dt.timedelta(days=1))) == []
    assert auditlog.entries(eng, auditlog.AuditFilter(vanaf=today + dt.timedelta(days=1))) == []
    data = auditlog.to_csv(auditlog.entries(eng, limit=None))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert [r["actie"] for r in rows] == ["gebruiker.toevoegen", "gebruiker.toevoegen", "gebruiker.toevoegen"]
    assert rows[0]["uitkomst"] == "geweigerd"
    # a value a spreadsheet would run as a formula is written as text
    assert json.loads(rows[1]["nieuw"])["naam"] == '=HYPERLINK("x")'
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


# ------------------------------------------------------------------------------------------ last beheerder


def test_the_last_beheerder_cannot_be_removed(eng) -> None:
    baas = with_beheerder(eng)
    users.ensure_demo_users(eng, [("WK099901", "Centrum")])  # the demo beheerder does not count
    before = len(trail(eng))
    with pytest.raises(ValueError, match="laatste beheerder"):
        users.revoke_role(eng, baas, "baas@gemeente.example", "beheerder")
    with pytest.raises(ValueError, match="laatste actieve beheerder"):
        users.set_active(eng, baas, "baas@gemeente.example", False)
    with pytest.raises(ValueError, match="laatste beheerder"):
        users.revoke_role(eng, SYSTEM, "baas@gemeente.example", "beheerder")  # not even from the command line
    user = users.get_user(eng, "baas@gemeente.example")
    assert user.actief and user.rollen == {"beheerder"}  # the transaction was rolled back
    assert len(trail(eng)) == before
    # with a second beheerder either may go (withdrawn by the other: nobody withdraws their own)
    users.add_user(eng, baas, "tweede@gemeente.example", "Tweede", ["beheerder"])
    tweede = page("tweede@gemeente.example")
    users.revoke_role(eng, tweede, "baas@gemeente.example", "beheerder")
    assert users.get_user(eng, "baas@gemeente.example").rollen == frozenset()
    with pytest.raises(ValueError, match="laatste actieve beheerder"):
        users.set_active(eng, tweede, "tweede@gemeente.example", False)
    # a blocked beheerder is no beheerder: blocking the only active one is refused too
    users.grant_role(eng, tweede, "baas@gemeente.example", "beheerder")
    users.set_active(eng, tweede, "baas@gemeente.example", False)
    with pytest.raises(ValueError, match="laatste beheerder"):
        users.revoke_role(eng, tweede, "tweede@gemeente.example", "beheerder")


def test_blocking_a_non_beheerder_does_not_depend_on_the_beheerders(eng) -> None:
    """Demo mode: the only beheerder is the demo beheerder (who does not count as the last one)."""
    users.ensure_demo_users(eng, [])
    demo = page(users.demo_email("beheerder"))
    users.add_user(eng, demo, "lid@gemeente.example", "Lid", ["stuurgroep"])
    users.set_active(eng, demo, "lid@gemeente.example", False)
    assert not users.get_user(eng, "lid@gemeente.example").actief


# ------------------------------------------------------------------------------------------ roles


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("beheerder", "beheerder"),
        (" Stuurgroep ", "stuurgroep"),
        ("REGIEGROEP", "regiegroep"),
        ("team:wk099901", "team:WK099901"),
        ("Team:WK099901", "team:WK099901"),
        ("partner:Politie", "partner:politie"),
        ("PARTNER:CORPORATIE", "partner:corporatie"),
        *((f"partner:{b}", f"partner:{b}") for b in authz.BRONNEN),
    ],
)
def test_valid_roles_are_normalised(text: str, role: str) -> None:
    assert parse_role(text) == role
    assert parse_role(role) == role


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "admin",
        "beheerders",
        "team",
        "team:",
        "team:WK99990",  # five digits
        "team:WK0999011",  # seven digits
        "team:GM0999",
        "team:BU09990101",
        "team:WK０９９９０１",  # full-width digits
        "partner:",
        "partner:onbekend",
        "partner:politie:extra",
        "stuurgroep:x",
        "beheerder;DROP TABLE gebruikers",
        "beheerder --",
        "team:WK099901' OR '1'='1",
        "<b>beheerder</b>",
        "ｂeheerder",  # a full-width letter
        "beheer\u200bder",  # a zero-width space
        "x" * 10_000,
    ],
)
def test_invalid_roles_are_refused_in_dutch(text: str) -> None:
    with pytest.raises(ValueError, match="onbekende rol") as info:
        parse_role(text)
    assert "kies uit beheerder, stuurgroep, regiegroep" in str(info.value)
    assert len(str(info.value)) < 400  # a 10,000-character role is not echoed back whole


def test_email_addresses_are_normalised_and_checked() -> None:
    assert authz.normalise_email("  Baas@Gemeente.EXAMPLE ") == "baas@gemeente.example"
    for ok in ("a@b.nl", "jan.de.vries+wijk@gemeente.example", "jörg@gemeente.example"):
        assert authz.valid_email(ok), ok
    for bad in (
        "",
        "geen-adres",
        "a@b",
        "a b@c.nl",
        "<a>@b.nl",
        "a;b@c.nl",
        "a@b.nl\nx",
        "x" * 300 + "@b.nl",
    ):
        assert not authz.valid_email(authz.normalise_email(bad)), bad


# ------------------------------------------------------------------------------------------ two processes

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from wijkmonitor.records import users
    from wijkmonitor.records.authz import Actor
    from wijkmonitor.records.store import open_store

    url, name, go, n = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    go.with_name(f"klaar-{name}").touch()  # imported, waiting at the gate
    while not go.exists():
        time.sleep(0.005)
    eng = open_store(url)  # both processes at once: the first start (schema) is serialised too
    actor = Actor.command(f"test {name}")
    for i in range(n):
        users.add_user(eng, actor, f"{name}-{i}@gemeente.example", f"{name} {i}", ["stuurgroep"])
    print("klaar", name)
    """
)


def test_two_processes_write_at_once_without_locking_errors(records_url: str, tmp_path: Path) -> None:
    go, n = tmp_path / "go", 50
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, records_url, name, str(go), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for name in ("een", "twee")
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"klaar-{name}").exists() for name in ("een", "twee")):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a writer did not start"
        time.sleep(0.01)
    go.touch()  # both have imported everything: open the gate for both at once
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert "locked" not in err and p.returncode == 0, err[-3000:]
        assert out.startswith("klaar")
    eng = open_store(records_url)
    made = users.list_users(eng)
    assert len(made) == 2 * n
    assert {u.email for u in made} == {f"{w}-{i}@gemeente.example" for w in ("een", "twee") for i in range(n)}
    rows = trail(eng)
    assert len(rows) == 2 * n and {r["uitkomst"] for r in rows} == {"uitgevoerd"}
    assert {r["via"] for r in rows} == {"opdracht:test een", "opdracht:test twee"}
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) and len(set(ids)) == 2 * n
    # the writes really overlapped: each process's rows are not one block
    vias = [r["via"] for r in rows]
    switches = sum(a != b for a, b in zip(vias, vias[1:], strict=False))
    assert switches >= 2, "the two writers ran one after the other; the test did not test concurrency"
    eng.dispose()


# ------------------------------------------------------------------------------------------ command line


def _cli(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijkmonitor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_command_line_first_beheerder_list_and_audit_export(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKMONITOR_")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(REPO))  # no secrets file of the developer's
    db = tmp_path / "w.duckdb"
    r = _cli(
        "gebruiker",
        "toevoegen",
        "Eerste@Gemeente.example",
        "--rol",
        "beheerder",
        "--db",
        str(db),
        cwd=tmp_path,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert "gebruiker toegevoegd: eerste@gemeente.example (beheerder)" in r.stdout
    assert (tmp_path / "w.records.sqlite").is_file()  # the records store beside the warehouse
    assert not db.exists()  # the warehouse itself is not touched
    r = _cli(
        "gebruiker", "toevoegen", "lid@gemeente.example", "--rol", "stuurgroep", "--rol", "team:wk099901",
        "--naam", "Lid", "--db", str(db), cwd=tmp_path, env=env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = _cli(
        "gebruiker",
        "toevoegen",
        "x@gemeente.example",
        "--rol",
        "koning",
        "--db",
        str(db),
        cwd=tmp_path,
        env=env,
    )
    assert r.returncode == 2 and "onbekende rol" in r.stderr
    r = _cli("gebruiker", "lijst", "--db", str(db), cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    lines = [line.split() for line in r.stdout.splitlines()]
    assert lines == [
        ["eerste@gemeente.example", "beheerder"],
        ["lid@gemeente.example", "stuurgroep,", "team:WK099901"],
    ]
    out = tmp_path / "f.csv"
    r = _cli("audit", "--out", str(out), "--db", str(db), cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert "2 regels geschreven" in r.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [(r["actie"], r["object_id"], r["uitkomst"]) for r in rows] == [
        ("gebruiker.toevoegen", "lid@gemeente.example", "uitgevoerd"),
        ("gebruiker.toevoegen", "eerste@gemeente.example", "uitgevoerd"),
    ]
    assert {r["via"] for r in rows} == {"opdracht:gebruiker toevoegen"}
    assert all(r["actor"].startswith("systeem:") and r["rollen"] == "systeem" for r in rows)
    assert json.loads(rows[1]["nieuw"]) == {"naam": "", "rollen": ["beheerder"], "actief": True}
    # and the store the command wrote is the one the dashboard opens for that warehouse
    eng = open_store(f"sqlite:///{tmp_path / 'w.records.sqlite'}")
    assert users.current_roles(eng, "eerste@gemeente.example") == {"beheerder"}
    eng.dispose()


def test_a_beheerder_cannot_withdraw_their_own_beheerder_role(eng) -> None:
    users.ensure_demo_users(eng, [])
    demo = page(users.demo_email("beheerder"))
    with pytest.raises(ValueError, match="eigen beheerdersrol"):
        users.revoke_role(eng, demo, users.demo_email("beheerder"), "beheerder")
    assert "beheerder" in users.get_user(eng, users.demo_email("beheerder")).rollen
