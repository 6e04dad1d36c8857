"""The Aanleveren page and the delivery job: one load path, authorised at the moment of writing, audited.

The job (`python -m wijkmonitor.jobs levering`) is tested in-process through its ``main`` (fast: the loader is
imported once) and once as the real detached process the page starts; the page with AppTest, including a
whole upload -> check -> confirm through AppTest's file uploader.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from dashboard_support import app_test
from etl_helpers import AREAS, fixture, scalar, sha256
from sqlalchemy import select

from dashboard import deliveries
from etl.bronnen import KIND_BRON, partner_names
from wijkmonitor import jobs
from wijkmonitor.records import users
from wijkmonitor.records.authz import BRONNEN, Actor
from wijkmonitor.records.store import open_store
from wijkmonitor.records.tables import audit

PARTNER = "corporatie@example.org"
VIA = "pagina:Aanleveren"
PAGE = "views/aanleveren.py"


# ------------------------------------------------------------------------------------------ helpers


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A records store with a corporatie partner, a beheerder and a stuurgroep member."""
    url = f"sqlite:///{tmp_path}/records.sqlite"
    eng = open_store(url)
    cmd = Actor.command("test")
    users.add_user(eng, cmd, PARTNER, "Corporatie", ["partner:corporatie"])
    users.add_user(eng, cmd, "beheer@example.org", "Beheer", ["beheerder"])
    users.add_user(eng, cmd, "stuur@example.org", "Stuur", ["stuurgroep"])
    return url


def upload_of(path: Path, tmp_path: Path, bron: str = "corporatie", naam: str | None = None):
    """The file as the page saves an upload (a private folder, a sanitised name)."""
    with open(path, "rb") as fh:
        return deliveries.save_upload(fh, naam or path.name, bron, 100, root=tmp_path)


def run_job(db: Path, url: str, upload, actor: str = PARTNER, voorbeeld: bool = False) -> tuple[int, dict]:
    """The job in this process, with the command line the page gives it; (exit code, status)."""
    status = upload.folder / ("voorbeeld.json" if voorbeeld else "laden.json")
    cmd = deliveries.job_command(upload, db, actor, voorbeeld, status)
    assert cmd[1:4] == ["-m", "wijkmonitor.jobs", "levering"]
    code = jobs.main([*cmd[3:], f"--records-url={url}"])
    return code, json.loads(status.read_text(encoding="utf-8"))


def audit_rows(url: str, actie: str = "levering.laden") -> list[dict]:
    with open_store(url).connect() as conn:
        return [dict(r) for r in conn.execute(select(audit).where(audit.c.actie == actie)).mappings()]


def attempts_text(db: Path) -> str:
    log = db.with_name(db.name + ".laadpogingen.jsonl")
    return log.read_text(encoding="utf-8") if log.exists() else ""


# ------------------------------------------------------------------------------ pure parts, contracts


def test_constants_agree_with_the_loader_and_the_job():
    from etl.load import SUPPORTED
    from etl.reader import Limits
    from etl.sources import KINDS, variable_registry

    assert set(deliveries.ALLOWED_EXTENSIONS) == SUPPORTED
    assert Limits().max_bestand_mb == deliveries.DEFAULT_MAX_FILE_MB
    assert set(KIND_BRON) == set(KINDS) - {"partner"}  # every kind has a partner source
    assert tuple(variable_registry()) == deliveries.TEMPLATE_BRONNEN
    labels = {spec["partner"]: spec.get("rol", bron) for bron, spec in variable_registry().items()}
    assert labels == partner_names()


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("corporatie_goed.csv", "corporatie_goed.csv"),
        ("Levering café (1).CSV", "Levering_cafe_1_.csv"),
        ("../../etc/passwd.csv", "passwd.csv"),
        ("C:\\Users\\x\\politie 2024-03-15.xlsx", "politie_2024-03-15.xlsx"),
        (".verborgen.csv", "verborgen.csv"),
        ("--help.csv", "help.csv"),
        ("<script>.geojson", "script_.geojson"),
        ("'; DROP TABLE x; --.txt", "DROP_TABLE_x_--.txt"),
        ("…….json", "levering.json"),
        ("a" * 300 + ".xlsm", "a" * 95 + ".xlsm"),
    ],
)
def test_an_upload_is_stored_under_a_sanitised_name(given, stored):
    assert deliveries.safe_name(given) == stored
    assert len(stored) <= deliveries.MAX_NAME


@pytest.mark.parametrize("given", ["levering.exe", "levering", "levering.csv.sh", "levering.parquet", ""])
def test_other_extensions_are_refused(given):
    with pytest.raises(deliveries.UploadError, match="extensie"):
        deliveries.safe_name(given)


def test_save_upload_is_private_limited_and_removed(tmp_path):
    up = deliveries.save_upload(
        io.BytesIO(b"a;b\n1;2\n"), "Mijn levering.csv", "corporatie", 1, root=tmp_path
    )
    assert up.path == up.folder / "levering" / "Mijn_levering.csv"
    assert up.naam == "Mijn levering.csv" and up.grootte == 8
    assert stat.S_IMODE(up.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(up.path.stat().st_mode) == 0o600
    assert up.folder.name.startswith(deliveries.UPLOAD_PREFIX)
    deliveries.discard(up)
    assert not up.folder.exists()
    with pytest.raises(deliveries.UploadError, match="groter dan 1 MB"):
        deliveries.save_upload(
            io.BytesIO(b"x" * (1024 * 1024 + 1)), "groot.csv", "corporatie", 1, root=tmp_path
        )
    with pytest.raises(deliveries.UploadError, match="leeg"):
        deliveries.save_upload(io.BytesIO(b""), "leeg.csv", "corporatie", 1, root=tmp_path)
    assert list(tmp_path.glob(f"{deliveries.UPLOAD_PREFIX}*")) == []  # refused uploads leave nothing


def test_abandoned_uploads_are_removed_after_a_day(tmp_path):
    old = deliveries.save_upload(io.BytesIO(b"x"), "oud.csv", "corporatie", 1, root=tmp_path)
    os.utime(old.folder, (time.time() - 25 * 3600,) * 2)
    new = deliveries.save_upload(io.BytesIO(b"x"), "nieuw.csv", "corporatie", 1, root=tmp_path)
    assert not old.folder.exists() and new.folder.exists()


def test_the_upload_limit_follows_the_delivery_path_setting(monkeypatch):
    monkeypatch.delenv(deliveries.MAX_FILE_SETTING, raising=False)
    assert deliveries.max_file_mb() == 2048
    assert deliveries.max_file_mb(200) == 200
    monkeypatch.setenv(deliveries.MAX_FILE_SETTING, "50")
    assert deliveries.max_file_mb(200) == 50
    monkeypatch.setenv(deliveries.MAX_FILE_SETTING, "veel")
    assert deliveries.max_file_mb() == 2048


def test_messages_can_be_filtered_and_downloaded_safely():
    res = {
        "messages": [
            {"ernst": "waarschuwing", "bericht": "let op (a+b)", "rij": None, "kolom": None, "waarde": None},
            {"ernst": "fout", "bericht": "rij 5: negatief", "rij": 5, "kolom": "waarde", "waarde": "=1+2"},
            {"ernst": "fout", "bericht": "rij 7: onbekend", "rij": 7, "kolom": "bron", "waarde": "@x"},
        ]
    }
    df = deliveries.messages_frame(res)
    assert list(df.columns) == [
        "Ernst",
        "Melding",
        "Rij",
        "Kolom",
        "Waarde",
    ]  # columns without values left out
    assert list(df["Ernst"]) == ["fout", "fout", "waarschuwing"]  # errors first
    assert list(deliveries.filter_messages(df, "", "waarschuwing")["Melding"]) == ["let op (a+b)"]
    assert len(deliveries.filter_messages(df, "(A+B)")) == 1  # literal, case-insensitive: no pattern syntax
    assert list(deliveries.filter_messages(df, "bron", "fout")["Rij"]) == [7]
    assert deliveries.filter_messages(df, "niets hiervan").empty
    text = deliveries.messages_csv(df).decode("utf-8")
    assert text.startswith("\ufeffErnst;Melding;Rij;Kolom;Waarde\n")
    assert "'=1+2" in text and "'@x" in text  # no formula reaches a spreadsheet
    assert deliveries.messages_frame({"messages": []}).empty


def test_own_loads_are_those_of_the_viewers_sources_and_attempts():
    loads = pd.DataFrame(
        {
            "load_id": [1, 2, 3, 4, 5],
            "bronsoort": ["gebieden", "politie", "partner", "partner", None],
            "partner": ["gemeente", "politie", "woningcorporatie", "welzijnsorganisatie", None],
            "gebruiker": ["x", "y", "z", "z", PARTNER],
        }
    )
    assert list(deliveries.own_loads(loads, ["corporatie"], PARTNER)["load_id"]) == [3, 5]
    assert list(deliveries.own_loads(loads, ["gemeente", "politie"], "a@b.nl")["load_id"]) == [1, 2]
    assert len(deliveries.own_loads(loads, ["corporatie"], PARTNER, alles=True)) == 5


def test_the_template_comes_from_the_job_process(loaded_db):
    data = deliveries.template_bytes("corporatie", loaded_db)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "gegevens"
    assert [c.value for c in wb["gegevens"][1]][:5] == [
        "bron",
        "gebied_code",
        "periode",
        "variabele",
        "waarde",
    ]
    codes = [r[0] for r in wb["gebieden"].iter_rows(min_row=2, values_only=True)]
    assert "BU09990101" in codes  # the area codes of the warehouse
    with pytest.raises(ValueError):
        deliveries.template_bytes("politie", loaded_db)


# ----------------------------------------------------------------------------- which source a file holds


@pytest.mark.parametrize(
    ("rel", "kind", "bronnen"),
    [
        ("politie/politie_47022NED_gm0999_maand.csv", "politie", ["politie"]),
        ("gebieden/gebieden_gm0999.geojson", "gebieden", ["gemeente"]),
        ("bevolking/bevolking_gm0999.csv", "bevolking", ["gemeente"]),
        ("leefbaarometer/leefbaarometer_gm0999.csv", "leefbaarometer", ["leefbaarometer"]),
        ("partner/corporatie_goed.csv", "partner", ["corporatie"]),
        ("partner/enquete_goed.csv", "partner", ["enquete"]),
        ("partner/corporatie_titelregels.xlsx", "partner", ["corporatie"]),
    ],
)
def test_the_source_of_a_delivery_is_read_with_the_loaders_functions(rel, kind, bronnen):
    assert jobs.delivered_sources(fixture(rel)) == (kind, bronnen)


# ------------------------------------------------------------------------------------------ the job


def test_a_partner_loads_its_own_source_and_it_is_audited(loaded_db, store, tmp_path):
    up = upload_of(fixture("partner/corporatie_correctie.csv"), tmp_path, naam="-Correctie 2e helft.csv")
    code, status = run_job(loaded_db, store, up)
    assert code == 0, status
    assert status["fase"] == "klaar" and status["bericht"] is None
    res = status["resultaat"]
    assert (
        res["status"] == "geladen" and res["rows_loaded"] == 5 and res["bestand"] == "-Correctie 2e helft.csv"
    )
    assert any("geladen" in line for line in status["voortgang"])
    load_id = res["load_id"]
    row = scalar(loaded_db, "SELECT bestand || '|' || gebruiker FROM meta.loads WHERE load_id = ?", [load_id])
    assert row == f"Correctie_2e_helft.csv|{PARTNER}"  # the sanitised name is the provenance; who loaded it
    [entry] = audit_rows(store)
    assert (entry["actor"], entry["via"], entry["uitkomst"]) == (PARTNER, VIA, "uitgevoerd")
    assert entry["object_id"] == str(load_id) and entry["rollen"] == "partner:corporatie"
    assert json.loads(entry["nieuw"]) == {
        "bestand": "-Correctie 2e helft.csv",
        "opgeslagen_als": "Correctie_2e_helft.csv",
        "bron": "corporatie",
        "soort": "partner",
        "rijen": 5,
    }


def test_a_police_file_from_the_corporatie_is_refused_logged_and_changes_nothing(loaded_db, store, tmp_path):
    before, log_before = sha256(loaded_db), attempts_text(loaded_db)
    up = upload_of(fixture("politie/politie_47018NED_gm0999_jaar.csv"), tmp_path)
    code, status = run_job(loaded_db, store, up)
    assert code == 3
    assert status["fase"] == "mislukt" and status["geweigerd"] and status["resultaat"] is None
    assert "bron politie" in status["bericht"] and "vastgelegd" in status["bericht"]
    assert sha256(loaded_db) == before and attempts_text(loaded_db) == log_before
    [entry] = audit_rows(store)
    assert (entry["actor"], entry["uitkomst"], entry["via"]) == (PARTNER, "geweigerd", VIA)
    assert json.loads(entry["nieuw"])["bron_in_bestand"] == ["politie"]
    assert "geen recht op levering.laden" in entry["reden"]


def test_a_partner_file_with_rows_of_another_source_is_refused(loaded_db, store, tmp_path):
    mixed = tmp_path / "gemengd.csv"
    mixed.write_text(
        "bron;gebied_code;periode;variabele;waarde;n;sd\n"
        "corporatie;BU09990101;2020-H1;huurwoningen;300;;\n"
        "welzijn;BU09990101;2020-H1;deelnemers_activiteiten;12;;\n",
        encoding="utf-8",
    )
    before = sha256(loaded_db)
    code, status = run_job(loaded_db, store, upload_of(mixed, tmp_path))
    assert code == 3 and status["geweigerd"]
    assert [e["uitkomst"] for e in audit_rows(store)] == ["geweigerd"]
    # a beheerder may deliver both, but not as one delivery under one source: not loaded, recorded as mislukt
    code, status = run_job(loaded_db, store, upload_of(mixed, tmp_path), actor="beheer@example.org")
    assert code == 1 and status["fase"] == "mislukt" and not status["geweigerd"]
    assert "'welzijn'" in status["bericht"] and "Lever elke bron apart aan" in status["bericht"]
    assert [e["uitkomst"] for e in audit_rows(store)] == ["geweigerd", "mislukt"]
    assert sha256(loaded_db) == before


def test_a_partner_row_without_a_source_is_not_loaded(loaded_db, store, tmp_path):
    # the loader's checks let an empty bron cell pass (a value-set check ignores empty cells): the job does not
    empty = tmp_path / "zonder_bron.csv"
    empty.write_text(
        "bron;gebied_code;periode;variabele;waarde;n;sd\n;BU09990101;2020-H1;huurwoningen;300;;\n",
        encoding="utf-8",
    )
    code, status = run_job(loaded_db, store, upload_of(empty, tmp_path))
    assert code == 1 and status["fase"] == "mislukt" and "(leeg)" in status["bericht"]


def test_a_preview_changes_nothing_and_records_nothing(loaded_db, store, tmp_path):
    before, log_before = sha256(loaded_db), attempts_text(loaded_db)
    up = upload_of(fixture("partner/corporatie_correctie.csv"), tmp_path)
    code, status = run_job(loaded_db, store, up, voorbeeld=True)
    assert code == 0 and status["fase"] == "klaar" and status["voorbeeld"]
    res = status["resultaat"]
    assert res["status"] == "voorbeeld" and res["rows_loaded"] == 5
    rev = res["revision"]
    assert (rev["nieuw"], rev["gewijzigd"]) == (1, 4)
    changes = deliveries.revision_changes(rev)
    assert set(changes["Gebied"]) == {"BU09990101", "BU09990102"}
    first = changes.iloc[0]  # the largest absolute change: overlastmeldingen 15 -> 17 (hand-computed)
    assert (first["Oud"], first["Nieuw"], first["Verschil"]) == ("15", "17", 2)
    assert list(deliveries.replaced_loads(rev)["Bestand"]) == ["corporatie_goed.csv"]
    assert deliveries.revision_counts(rev)["Vervangen waarden"] == 4
    assert sha256(loaded_db) == before and attempts_text(loaded_db) == log_before
    assert audit_rows(store) == []


def test_a_role_revoked_between_preview_and_confirm_is_refused(loaded_db, store, tmp_path):
    up = upload_of(fixture("partner/corporatie_correctie.csv"), tmp_path)
    code, status = run_job(loaded_db, store, up, voorbeeld=True)
    assert code == 0 and status["resultaat"]["status"] == "voorbeeld"
    users.revoke_role(open_store(store), Actor.command("test"), PARTNER, "partner:corporatie")
    before = sha256(loaded_db)
    code, status = run_job(loaded_db, store, up)  # the browser session still shows the confirm button
    assert code == 3 and status["fase"] == "mislukt" and status["geweigerd"]
    assert "Dit mag u niet (meer)" in status["bericht"]
    assert sha256(loaded_db) == before
    [entry] = audit_rows(store)
    assert (entry["actor"], entry["uitkomst"], entry["rollen"]) == (PARTNER, "geweigerd", "")


def test_a_user_without_a_partner_role_is_refused(loaded_db, store, tmp_path):
    for actor in ("stuur@example.org", "onbekend@example.org"):
        code, status = run_job(
            loaded_db, store, upload_of(fixture("partner/corporatie_goed.csv"), tmp_path), actor
        )
        assert code == 3 and status["geweigerd"]
    assert [e["uitkomst"] for e in audit_rows(store)] == ["geweigerd", "geweigerd"]


def test_a_bad_file_gives_the_report_and_is_recorded_as_mislukt(loaded_db, store, tmp_path):
    before = sha256(loaded_db)
    code, status = run_job(loaded_db, store, upload_of(fixture("partner/partner_negatief.csv"), tmp_path))
    assert code == 1 and status["fase"] == "klaar"
    res = status["resultaat"]
    assert res["status"] == "afgewezen" and res["rows_loaded"] == 0
    [msg] = [m for m in res["messages"] if m["ernst"] == "fout"]
    assert (msg["rij"], msg["kolom"], msg["waarde"]) == (5, "waarde", "-4")
    assert "AFGEWEZEN" in res["report"]
    assert deliveries.messages_frame(res)["Rij"].tolist() == [5]
    assert sha256(loaded_db) == before  # a rejected file leaves the warehouse byte-identical
    [entry] = audit_rows(store)
    assert (entry["uitkomst"], entry["object_id"]) == ("mislukt", "partner_negatief.csv")
    assert "negatief" in entry["reden"]


def test_an_unreadable_file_is_rejected_with_the_loaders_message(loaded_db, store, tmp_path):
    odd = tmp_path / "iets.csv"
    odd.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    code, status = run_job(loaded_db, store, upload_of(odd, tmp_path))
    assert code == 1 and status["resultaat"]["status"] == "afgewezen"
    assert "onbekend bestandsformaat" in status["resultaat"]["messages"][0]["bericht"]
    assert [e["uitkomst"] for e in audit_rows(store)] == ["mislukt"]


def test_the_first_delivery_into_an_empty_warehouse(tmp_path, store):
    db = tmp_path / "leeg.duckdb"
    code, status = run_job(db, store, upload_of(AREAS, tmp_path, bron="gemeente"), actor="beheer@example.org")
    assert code == 0 and status["resultaat"]["status"] == "geladen"
    assert scalar(db, "SELECT count(*) FROM marts.dim_gebied") > 0


def test_the_page_starts_the_job_as_a_detached_process(loaded_db, store, tmp_path, monkeypatch):
    """The real path: deliveries.start runs `python -m wijkmonitor.jobs`; the records URL goes by environment."""
    up = upload_of(fixture("partner/corporatie_correctie.csv"), tmp_path)
    job = deliveries.start(up, loaded_db, store, PARTNER, voorbeeld=True)
    deadline = time.monotonic() + 10
    cmdline = []  # empty between fork and exec: read it again until the job's own command line shows
    while b"wijkmonitor.jobs" not in cmdline and time.monotonic() < deadline:
        cmdline = Path(f"/proc/{job.pid}/cmdline").read_bytes().split(b"\0")
        time.sleep(0.02)
    assert store.encode() not in cmdline and b"wijkmonitor.jobs" in cmdline
    assert os.getsid(job.pid) == job.pid  # a session of its own
    status = deliveries.wait(job, timeout=180)
    assert status.fase == "klaar" and status.status == "voorbeeld", (status, job.log_path.read_text())
    job = deliveries.start(up, loaded_db, store, PARTNER, voorbeeld=False)
    status = deliveries.wait(job, timeout=180)
    assert status.status == "geladen", job.log_path.read_text()
    assert [e["uitkomst"] for e in audit_rows(store)] == ["uitgevoerd"]


def test_a_second_writer_waits_for_the_first(loaded_db, store, tmp_path):
    """The warehouse's single writer: while another process holds the writer lock, the job waits (and says so)."""
    lock = loaded_db.with_name(loaded_db.name + ".lock")
    with open(lock, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        job = deliveries.start(
            upload_of(fixture("partner/corporatie_correctie.csv"), tmp_path), loaded_db, store, PARTNER, False
        )
        deadline = time.monotonic() + 120
        while not any("wacht" in line for line in deliveries.poll(job).voortgang):
            assert time.monotonic() < deadline and deliveries.poll(job).bezig, deliveries.poll(job)
            time.sleep(0.2)
        time.sleep(1)
        assert deliveries.poll(job).bezig
        fcntl.flock(held, fcntl.LOCK_UN)
    status = deliveries.wait(job, timeout=180)
    assert status.status == "geladen", job.log_path.read_text()


def test_a_job_that_dies_is_reported_as_failed(tmp_path):
    proc = subprocess.Popen(["sleep", "30"], start_new_session=True)
    job = deliveries.Job(tmp_path / "s.json", tmp_path / "s.log", True, proc.pid, proc)
    assert deliveries.poll(job).bezig
    (tmp_path / "s.json").write_text(json.dumps({"fase": "bezig", "voortgang": ["lezen"]}), encoding="utf-8")
    proc.kill()
    proc.wait()
    status = deliveries.poll(job)
    assert status.fase == "mislukt" and "onverwacht gestopt" in status.bericht


def test_a_preview_can_be_stopped(loaded_db, store, tmp_path):
    up = upload_of(fixture("partner/corporatie_correctie.csv"), tmp_path)
    job = deliveries.start(up, loaded_db, store, PARTNER, voorbeeld=True)
    deadline = time.monotonic() + 60
    while deliveries.read_status(job.status_path) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    deliveries.stop(job)
    status = deliveries.wait(job, timeout=60)
    assert status.fase == "mislukt" and "gestopt" in status.bericht
    assert list(loaded_db.parent.glob("*.tmp-*")) == []  # the write session's copy is gone


# ---------------------------------------------------------------------------------------------- page


def partner_app(db: Path, monkeypatch, who: str = "partner-corporatie"):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    # uploads the page keeps (a refused or rejected one stays until cancelled) go to the test's folder
    monkeypatch.setattr(tempfile, "tempdir", str(db.parent))
    at = app_test(db, monkeypatch)
    at.run()
    at.selectbox(key="demo_bekijk_als").select(users.demo_email(who)).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def until_done(at, busy: str, timeout: float = 180):
    """Run the page until the job's progress notice (``busy``) is gone (AppTest does not run timers)."""
    deadline = time.monotonic() + timeout
    while any(busy in i.value for i in at.info):
        assert time.monotonic() < deadline, [i.value for i in at.info]
        time.sleep(0.5)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def templates(at) -> list[str]:
    """The download buttons other than those of the tables (dashboard.tables: CSV and Excel of each)."""
    return [b.label for b in at.get("download_button") if b.label not in ("Download CSV", "Download Excel")]


def messages_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Melding" in d.value.columns)


def test_the_page_offers_a_partner_its_template_and_the_uploader(loaded_db, monkeypatch):
    at = partner_app(loaded_db, monkeypatch)
    assert at.title[0].value == "Aanleveren"
    assert "bron **corporatie**" in at.markdown[0].value
    assert templates(at) == ["Sjabloon downloaden (Excel)"]
    [uploader] = at.file_uploader
    assert set(uploader.allowed_type) == {e for e in deliveries.ALLOWED_EXTENSIONS}
    assert at.button(key="aanleveren_controleren").disabled  # nothing uploaded yet
    recent = at.dataframe[0].value
    assert list(recent["Bestand"]) == ["corporatie_goed.csv"]  # only its own source's loads


def test_the_page_tells_a_police_partner_which_export_to_deliver(loaded_db, monkeypatch):
    at = partner_app(loaded_db, monkeypatch, "partner-politie")
    # the monthly figures: the CBS export; the recent weekly figures (every 14 days): the template
    assert templates(at) == ["Sjabloon politie_week downloaden (Excel)"]
    assert any("47022NED" in c.value for c in at.caption)
    assert list(at.dataframe[0].value["Soort bron"]) == ["politie"]


def test_the_weekly_police_source_is_delivered_by_the_police_role():
    """politie_week belongs to partner:politie (the registry's rol): the job's source check lets a police
    delivery of it through."""
    actor = Actor.page("p@politie.example", "Aanleveren")
    police = jobs.Request(Path("x.duckdb"), actor, "politie", Path("x"), "x")
    jobs.check_source(None, police, "partner", ["politie_week"], frozenset({"partner:politie"}))  # no refusal
    assert deliveries.templates_of("politie") == ["politie_week"]
    assert deliveries.templates_of("corporatie") == ["corporatie"]


def test_upload_check_and_confirm_on_the_page(loaded_db, monkeypatch):
    at = partner_app(loaded_db, monkeypatch)
    data = fixture("partner/corporatie_correctie.csv").read_bytes()
    at.file_uploader[0].set_value(("Correctie (2e helft).csv", data, "text/csv")).run()
    at.button(key="aanleveren_controleren").click().run()
    until_done(at, "gecontroleerd")
    assert "Controle geslaagd" in at.success[0].value
    assert "Correctie \\(2e helft\\)\\.csv" in at.success[0].value  # the uploaded name, escaped
    folder = at.session_state["_aanleveren_flow"].upload.folder
    assert folder.is_dir()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Vervangen waarden"] == "4" and metrics["Nieuw"] == "1"
    assert scalar(loaded_db, "SELECT count(*) FROM meta.loads") == 5  # nothing loaded yet
    at.button(key="aanleveren_bevestigen").click().run()
    until_done(at, "geladen …")
    assert at.success[0].value.startswith("Geladen: 5 rijen")
    assert [p.proto.label for p in at.get("page_link")] == ["Bekijk de levering op de pagina Gegevens"]
    assert scalar(
        loaded_db, "SELECT gebruiker FROM meta.loads ORDER BY load_id DESC LIMIT 1"
    ) == users.demo_email("partner-corporatie")
    assert not folder.exists()  # the upload is removed once it is loaded
    at.button(key="aanleveren_nieuw").click().run()
    assert not at.success and at.file_uploader[0].value is None


def test_the_page_shows_the_report_of_a_rejected_file_with_a_filter(loaded_db, monkeypatch, tmp_path):
    at = partner_app(loaded_db, monkeypatch)
    data = (
        fixture("partner/partner_negatief.csv").read_bytes() + b"corporatie;BU09990101;2019-H1;onbekend;1;;\n"
    )
    at.file_uploader[0].set_value(("negatief.csv", data, "text/csv")).run()
    at.button(key="aanleveren_controleren").click().run()
    until_done(at, "gecontroleerd")
    assert at.error and at.error[0].value.startswith("Afgewezen")
    table = messages_table(at)
    assert len(table) >= 2 and set(table["Ernst"]) == {"fout"}
    at.text_input(key="voorbeeld_zoek").input("MAG NIET NEGATIEF").run()  # case-insensitive
    filtered = messages_table(at)
    assert len(filtered) == 1 and filtered["Rij"].iloc[0] == 5
    assert "aanleveren_bevestigen" not in [b.key for b in at.button]
    # hostile search text: literal, no pattern, no markup, no error; long text is cut at 200 characters
    for hostile in (
        "'; DROP TABLE audit; --",
        "(.*",
        "[x](https://evil.example)",
        "<img src=x onerror=1>",
        "\u202e\u0000é",
        "x" * 10_000,
    ):
        at.text_input(key="voorbeeld_zoek").input(hostile).run()
        assert not at.exception, hostile
        assert messages_table(at).empty, hostile
    at.text_input(key="voorbeeld_zoek").input("").run()
    assert len(messages_table(at)) == len(table)


def test_the_page_shows_a_refusal(loaded_db, monkeypatch):
    at = partner_app(loaded_db, monkeypatch)
    data = fixture("politie/politie_47018NED_gm0999_jaar.csv").read_bytes()
    at.file_uploader[0].set_value(("politie.csv", data, "text/csv")).run()
    at.button(key="aanleveren_controleren").click().run()
    until_done(at, "gecontroleerd")
    assert "bron politie" in at.error[0].value
    assert "aanleveren_bevestigen" not in [b.key for b in at.button]


def test_the_page_on_an_empty_warehouse_still_accepts_a_delivery(tmp_path, monkeypatch):
    at = app_test(tmp_path / "leeg.duckdb", monkeypatch)
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)
    at.switch_page(PAGE).run()  # the demo starts as beheerder
    assert not at.exception
    assert any("Nog geen gegevens" in w.value for w in at.warning)
    assert at.selectbox(key="aanleveren_bron").options == list(BRONNEN)
    assert at.file_uploader
