"""The document commands on a copy of the demo: ``wijkmonitor snapshot``, ``report stuurgroep|wijk`` and
``export opendata`` (wijkmonitor/documentscli.py), through ``wijkmonitor.cli.main``.

One copy of the demo warehouse and its records store per module; the tests run in file order on it (a
snapshot first, then the documents from it, then a later delivery that must not change them). At most two
stuurgroep PDFs are made (each takes some 15 seconds: charts through kaleido, then WeasyPrint).
"""

from __future__ import annotations

import csv
import filecmp
import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
from dashboard_support import DEMO, copy_demo

from wijkmonitor import snapshots
from wijkmonitor.cli import main
from wijkmonitor.records import auditlog
from wijkmonitor.records.store import open_store, records_url

NAAM = "Stuurgroep najaar 2025"
SLUG = "stuurgroep-najaar-2025"
WIJK = "WK999912"  # the demo wijk with an adopted 2025 plan and a report over H1 (as in test_wijkrapport.py)


def _pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _without_generated(text: str) -> list[str]:
    return [line for line in text.splitlines() if "Gegenereerd op" not in line]


def _same_tree(a: Path, b: Path) -> None:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and files_a
    for rel in files_a:
        assert filecmp.cmp(a / rel, b / rel, shallow=False), rel


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> dict:
    """A copy of the demo (warehouse file and records SQLite) and a dict the tests pass results on in."""
    folder = tmp_path_factory.mktemp("documents")
    return {"db": copy_demo(folder / "demo.duckdb"), "dir": folder}


@pytest.fixture(autouse=True)
def _no_records_env(monkeypatch):
    monkeypatch.delenv("WIJKMONITOR_RECORDS_URL", raising=False)


def _run(work: dict, *argv: str) -> int:
    return main([*argv, "--db", str(work["db"])])


def test_a_snapshot_is_made_once_listed_and_recorded(work, capsys):
    db = work["db"]
    assert _run(work, "snapshot", NAAM) == 0
    out = capsys.readouterr().out
    assert f"momentopname '{NAAM}' gemaakt" in out
    folder = snapshots.snapshots_dir(db) / SLUG
    assert (folder / "manifest.json").is_file()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["naam"] == NAAM

    # the same name again is refused, in Dutch, and the snapshot is unchanged
    assert _run(work, "snapshot", NAAM) == 2
    captured = capsys.readouterr()
    assert (
        captured.err.startswith("wijkmonitor snapshot: ") and "Er is al een momentopname" in captured.err
    ), captured.err
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest

    assert _run(work, "snapshot", "--lijst") == 0
    listed = capsys.readouterr().out
    assert NAAM in listed and "peildatum" in listed

    eng = open_store(records_url(db))
    made = auditlog.entries(eng, auditlog.AuditFilter(actie="momentopname.maken"), limit=None)
    assert made, "making a snapshot is recorded in the audit trail"
    assert any(NAAM in json.dumps(e, default=str) for e in made)


def test_the_stuurgroep_pack_from_the_snapshot_and_a_wrong_suffix(work, capsys):
    pdf = work["dir"] / "pakket-1.pdf"
    assert _run(work, "report", "stuurgroep", "--snapshot", NAAM, "--out", str(pdf)) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert _pages(pdf) > 1
    text = _pdftext(pdf)
    assert NAAM in text  # the cover names the snapshot
    work["pakket_tekst"] = text

    capsys.readouterr()
    docx = work["dir"] / "pakket.docx"
    assert _run(work, "report", "stuurgroep", "--snapshot", NAAM, "--out", str(docx)) == 2
    assert "--out moet eindigen op .html, .pdf" in capsys.readouterr().err
    assert not docx.exists()


def test_the_half_year_report_of_a_wijk_as_pdf_and_excel(work, capsys):
    pdf = work["dir"] / "r.pdf"
    xlsx = work["dir"] / "r.xlsx"
    assert _run(work, "report", "wijk", WIJK, "--half", "2025-H1", "--out", str(pdf)) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "1e halfjaar 2025" in _pdftext(pdf)
    assert _run(work, "report", "wijk", WIJK, "--half", "2025-H1", "--out", str(xlsx)) == 0
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames

    capsys.readouterr()
    bad = work["dir"] / "r-h3.pdf"
    assert _run(work, "report", "wijk", WIJK, "--half", "2025-H3", "--out", str(bad)) == 2
    err = capsys.readouterr().err
    assert err.startswith("wijkmonitor report: ") and "halfjaar" in err.lower(), err
    assert not bad.exists()


def test_open_data_live_and_from_the_snapshot_are_identical_and_valid(work):
    from frictionless import validate

    live = work["dir"] / "opendata-live"
    snap = work["dir"] / "opendata-snapshot"
    assert _run(work, "export", "opendata", "--out", str(live)) == 0
    assert _run(work, "export", "opendata", "--snapshot", NAAM, "--out", str(snap)) == 0
    _same_tree(live, snap)  # nothing was delivered since the snapshot: the same data, byte for byte
    report = validate(live / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    work["opendata_snapshot"] = snap


def _later_delivery(folder: Path) -> Path:
    """A correction from the gemeente: the 2023 and 2025 reports on public space in every buurt, four times as many."""
    source = DEMO / "gemeente_meldingen_2017-2025.csv"
    target = folder / "gemeente_meldingen_correctie_2025.csv"
    with (
        open(source, newline="", encoding="utf-8") as fh,
        open(target, "w", newline="", encoding="utf-8") as out,
    ):
        reader = csv.reader(fh, delimiter=";")
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        periode, variabele, waarde = (header.index(c) for c in ("periode", "variabele", "waarde"))
        rows = 0
        for row in reader:
            if row[periode][:4] in ("2023", "2025") and row[variabele] == "meldingen_openbare_ruimte":
                row[waarde] = str(4 * int(row[waarde]) + 10)
                writer.writerow(row)
                rows += 1
    assert rows > 0
    return target


def test_a_later_delivery_changes_the_live_data_but_not_the_snapshot(work):
    from etl import load_files

    db = work["dir"] / "demo.duckdb"
    assert "pakket_tekst" in work and "opendata_snapshot" in work, "run the module's tests in order"
    results = load_files([_later_delivery(work["dir"])], db)
    assert [r.status for r in results] == ["geladen"], [r.report() for r in results]

    # the live data changed: its open data differs from the snapshot's
    live = work["dir"] / "opendata-live-2"
    assert _run(work, "export", "opendata", "--out", str(live)) == 0
    assert (live / "indicatoren.csv").read_bytes() != (
        work["opendata_snapshot"] / "indicatoren.csv"
    ).read_bytes()

    # the snapshot did not: the same open data, byte for byte, and the same pack (but for the moment made)
    again = work["dir"] / "opendata-snapshot-2"
    assert _run(work, "export", "opendata", "--snapshot", NAAM, "--out", str(again)) == 0
    _same_tree(work["opendata_snapshot"], again)
    pdf = work["dir"] / "pakket-2.pdf"
    assert _run(work, "report", "stuurgroep", "--snapshot", NAAM, "--out", str(pdf)) == 0
    assert _without_generated(_pdftext(pdf)) == _without_generated(work["pakket_tekst"])
