"""The hostile delivery corpus (tests/fixtures/hostile/README.md) against `wijkmonitor load` and `validate`.

A refused file: exit code 1, a Dutch message (no English engine text, no traceback, no temporary path), the
database byte-identical, no raw copy, and the attempt recorded in the attempt log without file content beyond
the offending value. A loaded file: only its own rows are added. The SQL canary file never appears.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from etl_helpers import FIXTURES, fixture, query, sha256

from etl import attempts
from wijkmonitor.cli import main

HOSTILE = FIXTURES / "hostile"
CANARY = Path("/tmp/wijkmonitor-canary-pwned.csv")
FILES = sorted(p.name for p in HOSTILE.iterdir() if p.suffix in {".csv", ".xlsx", ".geojson"})
LOADED = [f for f in FILES if f.startswith("geladen_")]
REFUSED = [f for f in FILES if not f.startswith("geladen_")]
# English words the engine, Python or GX would use; a user sees Dutch only.
ENGLISH = re.compile(
    r"\b(Error|error|Exception|Traceback|Invalid|invalid|Expected|expected|line \d|Binder|Parser|"
    r"Catalog|Conversion|could not|Could not|not found|codec)\b"
)
RAW_TABLES = [
    "raw.politie__misdrijven",
    "raw.cbs__kerncijfers",
    "raw.gemeente__bevolking",
    "raw.partner__waarnemingen",
    "raw.leefbaarometer__scores",
    "raw.gebieden__gebieden",
]


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKMONITOR_MAX_REGEL_KB", "64")
    monkeypatch.setenv("WIJKMONITOR_MAX_KOLOMMEN", "500")
    monkeypatch.setenv("WIJKMONITOR_MAX_UITGEPAKT_MB", "5")
    CANARY.unlink(missing_ok=True)


def test_every_corpus_file_is_described() -> None:
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    described = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE))
    assert described == set(FILES)


def assert_dutch(text: str) -> None:
    assert "Traceback" not in text, text
    assert not ENGLISH.search(text), text
    assert "wijkmonitor-scratch" not in text and "/tmp/" not in text, text


def raw_files(db: Path) -> list[str]:
    folder = db.parent / "raw"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def refuse(path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    """validate and load ``path``: both refuse, in Dutch; the database and data/raw stay as they were."""
    digest, copies = sha256(db), raw_files(db)
    for verb in ("validate", "load"):
        code = main([verb, str(path), "--db", str(db)])
        out = capsys.readouterr()
        text = out.out + out.err
        assert code == 1, text
        assert f"{path.name}: AFGEWEZEN" in text, text
        assert_dutch(text)
    assert sha256(db) == digest  # byte for byte
    assert raw_files(db) == copies
    assert not CANARY.exists()
    record = attempts.read(db)[-1]
    assert (record["bestand"], record["status"]) == (path.name, "afgewezen")
    return record


@pytest.mark.parametrize("name", REFUSED)
def test_hostile_file_is_refused_and_changes_nothing(
    name: str, loaded_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = refuse(HOSTILE / name, loaded_db, capsys)
    stored = json.dumps(record, ensure_ascii=False)
    assert "daemon:x" not in stored  # only the (truncated) offending value is kept, never more of the file
    assert all(len(m["waarde"] or "") <= 80 for m in record["meldingen"])


@pytest.mark.parametrize("name", LOADED)
def test_hostile_names_in_a_valid_file_load_only_its_own_rows(
    name: str, loaded_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {t: query(loaded_db, f"SELECT * FROM {t} ORDER BY ALL") for t in RAW_TABLES}
    settings = query(loaded_db, "SELECT * FROM meta.instellingen ORDER BY ALL")
    code = main(["load", str(HOSTILE / name), "--db", str(loaded_db)])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert_dutch(out.out + out.err)
    (load_id,) = query(loaded_db, "SELECT max(load_id) FROM meta.loads")[0]
    after = {t: query(loaded_db, f"SELECT * FROM {t} ORDER BY ALL") for t in RAW_TABLES}
    grown = [t for t in RAW_TABLES if after[t] != before[t]]
    assert len(grown) == 1  # one raw table gained rows ...
    (table,) = grown
    new = query(loaded_db, f"SELECT count(*) FROM {table} WHERE _load_id = ?", [load_id])[0][0]
    assert new == 2 and len(after[table]) == len(before[table]) + 2  # ... exactly the delivery's rows
    assert query(loaded_db, "SELECT * FROM meta.instellingen ORDER BY ALL") == settings
    assert not CANARY.exists()


def test_symlinks_pipes_and_folders_are_not_read(
    loaded_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passwd = tmp_path / "aanlevering.csv"
    passwd.symlink_to("/etc/passwd")
    record = refuse(passwd, loaded_db, capsys)
    assert "root:x" not in json.dumps(record) and "/bin/" not in json.dumps(record)  # nothing was read
    assert "snelkoppeling" in record["meldingen"][0]["bericht"]

    good = tmp_path / "corporatie.csv"
    good.symlink_to(fixture("partner/corporatie_goed.csv"))
    refuse(good, loaded_db, capsys)  # a link to a good file is refused as well: deliver the file itself

    pipe = tmp_path / "pijp.csv"
    os.mkfifo(pipe)
    record = refuse(pipe, loaded_db, capsys)  # would block forever if it were opened
    assert "geen gewoon bestand" in record["meldingen"][0]["bericht"]

    folder = tmp_path / "map.csv"
    folder.mkdir()
    assert main(["load", str(folder), "--db", str(loaded_db)]) == 2  # an empty folder: usage error
    assert "geen bestanden gevonden" in capsys.readouterr().err


def test_a_folder_skips_links_and_pipes(loaded_db: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    os.mkfifo(folder / "pijp.csv")
    digest = sha256(loaded_db)
    assert main(["load", str(folder), "--db", str(loaded_db)]) in (1, 2)
    assert_dutch(capsys.readouterr().out)
    assert sha256(loaded_db) == digest
