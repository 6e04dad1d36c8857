"""Jaarplan and status templates in Excel (wijkmonitor/planexcel.py): download pre-filled, upload back.

Round trips through a SQLite records store, templates filled in with openpyxl, bad uploads refused whole
with messages naming file, sheet, row, column and value, refusals before validation (wrong wijk, year,
half-year or kind of template, corrupt, too big, too many rows) and hostile text that stays text.

Great Expectations is imported once per process (a few seconds); each validated upload then costs a
fraction of a second, so the bad cases are grouped into a few uploads."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from indicators.catalogue import load_catalogue
from wijkmonitor import planexcel as px
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.authz import Actor
from wijkmonitor.records.jaarplannen import Activity, Opgave, StatusLine
from wijkmonitor.records.store import open_store

SYSTEM = Actor.command("test")
WIJK = "WK099901"
NAAM = "Centrum"
JAAR = 2025
HOSTILE = [
    '=HYPERLINK("http://evil.example","klik")',
    "<script>alert(1)</script>",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "'; DROP TABLE blad; --",
    "**vet** [link](http://x) <b>",
]


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return load_catalogue()


@pytest.fixture(scope="module")
def indicators(catalogue: dict) -> list[str]:
    return list(catalogue["indicatoren"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, indicators: list[str]) -> dict:
    """A records store with two opgaven, a jaarplan of four activities (hostile text in them) and the
    status report of the first half-year."""
    eng = open_store("sqlite:///" + str(tmp_path_factory.mktemp("records") / "r.sqlite"))
    o1 = jp.save_opgave(eng, SYSTEM, Opgave(None, WIJK, "veiligheid", "Minder woninginbraken"))
    o2 = jp.save_opgave(eng, SYSTEM, Opgave(None, WIJK, "samenleven", "Buren kennen elkaar <i>"))
    acts = [
        Activity(
            "A01",
            HOSTILE[0],
            "veiligheid",
            "politie",
            1,
            6,
            omschrijving=HOSTILE[1] + "\nregel twee",
            opgave_id=o1,
            indicatoren=(indicators[0], indicators[3]),
            uren={"politie": 40.0, "gemeente": 12.5},
            budget=2500.0,
            verwacht_effect=HOSTILE[2],
        ),
        Activity("A02", "Buurtfeest", "samenleven", "welzijn", 5, 9, opgave_id=o2, uren={"welzijn": 8.0}),
        Activity(
            "A03", HOSTILE[3], "woonomgeving", "corporatie", 3, 12, budget=0.0, verwacht_effect=HOSTILE[4]
        ),
        Activity("A04", "Vervalt", "zorg", "gemeente", 2, 2),
    ]
    jp.save_activities(eng, SYSTEM, WIJK, JAAR, acts)
    plan = jp.get_plan(eng, WIJK, JAAR)
    lines = [
        StatusLine("A01", "loopt", 45, HOSTILE[5], {"politie": 20.0, "gemeente": 3.5}),
        StatusLine("A02", "niet gestart", 0),
        StatusLine("A03", "vertraagd", 10, "wacht op de corporatie", {"corporatie": 2.0}),
        StatusLine("A04", "afgerond", 100, "", {"gemeente": 1.0}),
    ]
    report = jp.submit_report(
        eng, SYSTEM, WIJK, JAAR, 1, lines, goed="Veel <b>opkomst</b>", niet_goed=HOSTILE[0], vragen="Budget?"
    )
    return {
        "eng": eng,
        "plan": plan,
        "opgaven": jp.list_opgaven(eng, WIJK, ook_vervallen=True),
        "report": report,
    }


# ------------------------------------------------------------------------------------------ helpers


def edit(data: bytes, change: Callable[[Workbook], None]) -> bytes:
    """Open a template with openpyxl (as a user's Excel would), change it, save it."""
    wb = load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def text(cell, value: str) -> None:
    """Type text into a cell as text (a string starting with '=' stays a string)."""
    cell.value = value
    cell.data_type = "s"


def col(columns: list[str], name: str) -> int:
    return columns.index(name) + 1


def messages(issues) -> list[str]:
    return [i.bericht for i in issues]


def assert_named(issues, bestand: str, sheet: str, rij: int, kolom: str, waarde: str) -> None:
    """Some error names the file, sheet, row, column and value ("(leeg)" for an empty cell)."""
    quoted = f"'{waarde}'" if waarde else "(leeg)"
    want = (f"{bestand}, blad '{sheet}', rij {rij}", f"kolom '{kolom}' = {quoted}")
    found = [i.bericht for i in issues if i.ernst == "fout" and all(w in i.bericht for w in want)]
    assert found, f"no message names {want}:\n" + "\n".join(messages(issues))


def plan_upload(world: dict, catalogue: dict, data: bytes, name: str = "plan.xlsx") -> px.PlanUpload:
    return px.read_plan_upload(data, name, WIJK, JAAR, world["opgaven"], catalogue)


def plan_bytes(world: dict, catalogue: dict) -> bytes:
    return px.plan_template(WIJK, NAAM, JAAR, world["plan"], world["opgaven"], catalogue)


def status_bytes(world: dict, catalogue: dict, previous=None) -> bytes:
    return px.status_template(WIJK, NAAM, world["plan"], 1, previous, catalogue)


# ------------------------------------------------------------------------------------------ jaarplan


def test_plan_template_layout(world: dict, catalogue: dict) -> None:
    wb = load_workbook(io.BytesIO(plan_bytes(world, catalogue)))
    assert wb.sheetnames == ["activiteiten", "keuzelijsten", "uitleg", "info"]
    ws = wb["activiteiten"]
    header = [c.value for c in ws[1]]
    assert header == [
        "code",
        "titel",
        "omschrijving",
        "thema",
        "opgave",
        "indicatoren",
        "trekker",
        "start_maand",
        "eind_maand",
        "uren_gemeente",
        "uren_politie",
        "uren_corporatie",
        "uren_welzijn",
        "uren_buurtpreventie",
        "budget",
        "verwacht_effect",
    ]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == ["A01", "A02", "A03", "A04"]
    a01 = {h: ws.cell(2, j).value for j, h in enumerate(header, start=1)}
    assert a01["titel"] == HOSTILE[0] and ws.cell(2, 2).data_type == "s"  # text, not a formula
    assert a01["uren_politie"] == 40 and a01["uren_gemeente"] == 12.5 and a01["uren_welzijn"] is None
    assert a01["opgave"] == world["opgaven"][0].id and a01["budget"] == 2500
    assert not any(c.data_type == "f" for s in wb.worksheets for row in s.iter_rows() for c in row)
    validated = {str(r) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    assert {"D2:D501", "G2:G501", "H2:H501", "E2:E501"} <= validated  # thema, trekker, maand, opgave
    info = {r[0]: r[1] for r in wb["info"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert (info["wijk_code"], info["wijk_naam"], info["jaar"], info["soort"]) == (
        WIJK,
        NAAM,
        JAAR,
        "jaarplan",
    )
    choices = [list(r) for r in wb["keuzelijsten"].iter_rows(values_only=True)]
    flat = {v for r in choices for v in r if v is not None}
    assert set(catalogue["themas"]) <= flat and set(jp.PARTNERS) <= flat and set(jp.ACTIVITY_STATUS) <= flat
    assert set(catalogue["indicatoren"]) <= flat and "Buren kennen elkaar <i>" in flat
    assert world["opgaven"][0].id in flat
    uitleg = " ".join(r[0] or "" for r in wb["uitleg"].iter_rows(values_only=True))
    assert "amendement" in uitleg and "weghaalt" in uitleg


def test_empty_plan_gives_only_the_header_and_reads_back_empty(world: dict, catalogue: dict) -> None:
    data = px.plan_template(WIJK, NAAM, 2026, None, world["opgaven"], catalogue)
    wb = load_workbook(io.BytesIO(data))
    assert wb["activiteiten"].max_row == 1
    info = {r[0]: r[1] for r in wb["info"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert info["jaar"] == 2026
    up = px.read_plan_upload(data, "leeg.xlsx", WIJK, 2026, world["opgaven"], catalogue)
    assert up.ok and up.activiteiten == [] and up.expectations
    with pytest.raises(ValueError):
        px.plan_template(WIJK, NAAM, 2026, world["plan"], world["opgaven"], catalogue)


def test_plan_round_trip_through_the_store(world: dict, catalogue: dict) -> None:
    plan = world["plan"]
    up = plan_upload(world, catalogue, plan_bytes(world, catalogue))
    assert up.ok, messages(up.issues)
    assert up.issues == []
    assert up.activiteiten == plan.actief
    assert up.activiteiten[0].titel == HOSTILE[0] and up.activiteiten[0].omschrijving.endswith("\nregel twee")
    assert jp.diff_activities(plan.activiteiten, up.activiteiten).empty
    assert all(e["geslaagd"] for e in up.expectations)
    assert {e["verwachting"] for e in up.expectations} >= {
        "expect_column_to_exist",
        "expect_column_values_to_be_unique",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_match_regex",
    }
    # the store accepts it as it is, and nothing changes
    assert jp.save_activities(world["eng"], SYSTEM, WIJK, JAAR, up.activiteiten).empty


def test_plan_edited_in_excel_gives_the_diff(world: dict, catalogue: dict, indicators: list[str]) -> None:
    cols = px.PLAN_COLUMNS

    def change(wb: Workbook) -> None:
        ws = wb["activiteiten"]
        ws.cell(3, col(cols, "titel")).value = "Groot buurtfeest"  # A02 changed
        ws.cell(3, col(cols, "uren_buurtpreventie")).value = "6,5"  # decimal comma as text
        ws.delete_rows(5)  # A04 removed
        new = {
            "code": "A05",
            "titel": "Schouw",
            "thema": "Woonomgeving",  # case does not matter
            "indicatoren": f"{indicators[2]} ; {indicators[1]},",
            "trekker": "Buurtpreventie",
            "start_maand": 4,
            "eind_maand": 4.0,
            "budget": 99.95,
            "uren_buurtpreventie": 3,
        }
        for name, value in new.items():
            ws.cell(7, col(cols, name)).value = value  # after an empty row

    up = plan_upload(world, catalogue, edit(plan_bytes(world, catalogue), change))
    assert up.ok, messages(up.issues)
    d = jp.diff_activities(world["plan"].activiteiten, up.activiteiten)
    assert [a.code for a in d.toegevoegd] == ["A05"] and [a.code for a in d.verwijderd] == ["A04"]
    assert [(o.code, n.titel, n.uren) for o, n in d.gewijzigd] == [
        ("A02", "Groot buurtfeest", {"welzijn": 8.0, "buurtpreventie": 6.5})
    ]
    a05 = d.toegevoegd[0]
    assert (a05.thema, a05.trekker, a05.start_maand, a05.eind_maand, a05.budget) == (
        "woonomgeving",
        "buurtpreventie",
        4,
        4,
        99.95,
    )
    assert a05.indicatoren == (indicators[2], indicators[1])


def test_bad_plan_upload_is_refused_whole(world: dict, catalogue: dict) -> None:
    cols = px.PLAN_COLUMNS

    def change(wb: Workbook) -> None:
        ws = wb["activiteiten"]
        ws.cell(2, col(cols, "start_maand")).value = 13  # bad month
        ws.cell(3, col(cols, "trekker")).value = "brandweer"  # unknown partner
        ws.cell(4, col(cols, "indicatoren")).value = "geluk_index, misdrijven_per_1000_inwoners"
        ws.cell(5, col(cols, "code")).value = "A03"  # duplicate code (A03 is on row 4)
        ws.cell(3, col(cols, "eind_maand")).value = 2  # ends before it starts (5)
        ws.cell(2, col(cols, "uren_politie")).value = -4
        ws.cell(3, col(cols, "budget")).value = "€ 1.000"
        ws.cell(3, col(cols, "opgave")).value = 999
        ws.cell(5, col(cols, "thema")).value = "sport"
        ws.cell(5, col(cols, "titel")).value = None
        ws.cell(6, col(cols, "code")).value = "B1"
        ws.cell(6, col(cols, "titel")).value = "=A2&B2"  # a formula without a cached value
        for name, value in {
            "thema": "zorg",
            "trekker": "gemeente",
            "start_maand": "mei",
            "eind_maand": 6,
        }.items():
            ws.cell(6, col(cols, name)).value = value

    up = plan_upload(world, catalogue, edit(plan_bytes(world, catalogue), change), "teamplan.xlsx")
    assert not up.ok and up.activiteiten == []
    f = "teamplan.xlsx"
    assert_named(up.issues, f, "activiteiten", 2, "start_maand", "13")
    assert_named(up.issues, f, "activiteiten", 3, "trekker", "brandweer")
    assert_named(up.issues, f, "activiteiten", 4, "indicatoren", "geluk_index")
    assert_named(up.issues, f, "activiteiten", 4, "code", "A03")
    assert_named(up.issues, f, "activiteiten", 5, "code", "A03")
    assert_named(up.issues, f, "activiteiten", 3, "eind_maand", "2")
    assert_named(up.issues, f, "activiteiten", 2, "uren_politie", "-4")
    assert_named(up.issues, f, "activiteiten", 3, "budget", "€ 1.000")
    assert_named(up.issues, f, "activiteiten", 3, "opgave", "999")
    assert_named(up.issues, f, "activiteiten", 5, "thema", "sport")
    assert_named(up.issues, f, "activiteiten", 6, "code", "B1")
    assert_named(up.issues, f, "activiteiten", 6, "titel", "=A2&B2")
    assert_named(up.issues, f, "activiteiten", 6, "start_maand", "mei")
    assert any("rij 5: kolom 'titel' = (leeg): titel is verplicht" in m for m in messages(up.issues))
    # the indicator that does exist is not complained about
    assert not any("misdrijven_per_1000_inwoners'" in m for m in messages(up.issues))
    assert any(not e["geslaagd"] for e in up.expectations)


def test_a_missing_column_is_refused_by_name(world: dict, catalogue: dict) -> None:
    def change(wb: Workbook) -> None:
        ws = wb["activiteiten"]
        ws.delete_cols(col(px.PLAN_COLUMNS, "budget"))
        ws.cell(1, 30).value = "<b>opmerking</b>"

    up = plan_upload(world, catalogue, edit(plan_bytes(world, catalogue), change))
    assert not up.ok and up.activiteiten == []
    assert any(
        m.startswith("plan.xlsx, blad 'activiteiten': kolom 'budget' ontbreekt") for m in messages(up.issues)
    )
    warning = [i for i in up.issues if i.ernst == "waarschuwing"]
    assert [i.kolom for i in warning] == ["<b>opmerking</b>"]


def _zip_member(data: bytes, member: str, change: Callable[[str], str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == member:
                content = change(content.decode()).encode()
            dst.writestr(info, content)
    return out.getvalue()


def test_hostile_text_stays_text(world: dict, catalogue: dict) -> None:
    cols = px.PLAN_COLUMNS

    def change(wb: Workbook) -> None:
        ws = wb["activiteiten"]
        for i, value in enumerate(HOSTILE[:4]):
            text(ws.cell(2 + i, col(cols, "titel")), value)
        text(ws.cell(2, col(cols, "verwacht_effect")), HOSTILE[4])
        text(ws.cell(3, col(cols, "omschrijving")), HOSTILE[5])
        ws.cell(5, col(cols, "titel")).value = '="Buurt"&"feest"'  # a formula: Excel stores its result

    data = edit(plan_bytes(world, catalogue), change)
    # give the formula the cached result Excel would have saved with it
    data = _zip_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            r'(<c r="B5"[^>]*?)(?: t="\w+")?>(<f>.*?</f>)<v\s*/>', r'\1 t="str">\2<v>Buurtfeest</v>', xml
        ),
    )
    up = plan_upload(world, catalogue, data)
    assert up.ok, messages(up.issues)
    assert [a.titel for a in up.activiteiten] == [*HOSTILE[:3], "Buurtfeest"]
    assert up.activiteiten[0].verwacht_effect == HOSTILE[4]
    assert up.activiteiten[1].omschrijving == HOSTILE[5]


def _many_rows(data: bytes) -> bytes:
    def change(wb: Workbook) -> None:
        ws = wb["activiteiten"]
        for r in range(2, 2 + px.MAX_ROWS + 1):
            ws.cell(r, 1).value = f"A{r:03d}"

    return edit(data, change)


def _far_row(data: bytes) -> bytes:
    return edit(data, lambda wb: setattr(wb["activiteiten"].cell(px.MAX_SCAN + 5, 1), "value", "A99"))


def _info(key: str, value) -> Callable[[bytes], bytes]:
    def change(wb: Workbook) -> None:
        for row in wb["info"].iter_rows(min_row=2):
            if row[0].value == key:
                row[1].value = value

    return lambda data: edit(data, change)


def _corrupt_zip(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _not_a_workbook(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hallo.txt", "geen werkmap")
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: b"PK\x03\x04 dit is geen excel", "plan.xlsx is geen geldig Excel-bestand"),
        (lambda d: b"code;titel\nA01;x\n", "plan.xlsx is geen geldig Excel-bestand"),
        (lambda d: b"", "plan.xlsx is geen geldig Excel-bestand"),
        (_corrupt_zip, "plan.xlsx is geen geldig Excel-bestand"),
        (_not_a_workbook, "plan.xlsx is geen geldig Excel-bestand"),
        (
            lambda d: _zip_member(
                d, "xl/worksheets/sheet1.xml", lambda x: x.replace("</sheetData>", "<row>")
            ),
            "plan.xlsx is geen geldig Excel-bestand: het blad 'activiteiten' is beschadigd",
        ),
        (lambda d: d + b"\0" * (px.MAX_BYTES + 1), "plan.xlsx is te groot"),
        (_many_rows, f"plan.xlsx, blad 'activiteiten': meer dan {px.MAX_ROWS} rijen met gegevens"),
        (_far_row, f"plan.xlsx, blad 'activiteiten': het blad loopt door tot na rij {px.MAX_SCAN}"),
        (
            _info("wijk_code", "WK099902"),
            "plan.xlsx, blad 'info', rij 2: kolom 'waarde' (wijk_code) = 'WK099902': dit bestand is voor een "
            "andere wijk, niet voor WK099901",
        ),
        (
            _info("jaar", 2024),
            "plan.xlsx, blad 'info', rij 4: kolom 'waarde' (jaar) = '2024': dit bestand is voor een ander jaar",
        ),
        (_info("soort", "status"), "dit bestand is geen sjabloon voor een jaarplan"),
        (lambda d: edit(d, lambda wb: wb.remove(wb["info"])), "plan.xlsx: het blad 'info' ontbreekt"),
        (
            lambda d: edit(d, lambda wb: setattr(wb["activiteiten"], "title", "Blad1")),
            "plan.xlsx: het blad 'activiteiten' ontbreekt (wel: 'Blad1'",
        ),
    ],
    ids=[
        "zip-header-only",
        "csv",
        "empty",
        "truncated",
        "zip-without-workbook",
        "damaged-sheet",
        "too-big",
        "too-many-rows",
        "rows-run-on",
        "wrong-wijk",
        "wrong-year",
        "wrong-kind",
        "no-info",
        "no-sheet",
    ],
)
def test_plan_uploads_refused_before_validation(world: dict, catalogue: dict, make, expected: str) -> None:
    up = plan_upload(world, catalogue, make(plan_bytes(world, catalogue)))
    assert not up.ok and up.activiteiten == []
    assert len(up.issues) == 1 and up.issues[0].ernst == "fout", messages(up.issues)
    assert expected in up.issues[0].bericht, up.issues[0].bericht
    assert up.expectations == []  # refused before GX


def test_dropped_activities_are_left_out(world: dict, catalogue: dict) -> None:
    plan = world["plan"]
    acts = [dataclasses.replace(a, geschrapt=a.code == "A02") for a in plan.activiteiten]
    dropped = dataclasses.replace(plan, status="vastgesteld", activiteiten=acts)
    wb = load_workbook(io.BytesIO(px.plan_template(WIJK, NAAM, JAAR, dropped, world["opgaven"], catalogue)))
    assert [r[0] for r in wb["activiteiten"].iter_rows(min_row=2, values_only=True)] == ["A01", "A03", "A04"]
    assert "vastgesteld" in wb["uitleg"]["A2"].value and "amendement" in wb["uitleg"]["A2"].value
    wb = load_workbook(io.BytesIO(px.status_template(WIJK, NAAM, dropped, 1, None, catalogue)))
    assert [r[0] for r in wb["status"].iter_rows(min_row=2, values_only=True)] == ["A01", "A03", "A04"]


# ------------------------------------------------------------------------------------------ status


def test_status_template_layout_without_a_previous_report(world: dict, catalogue: dict) -> None:
    wb = load_workbook(io.BytesIO(status_bytes(world, catalogue)))
    assert wb.sheetnames == ["status", "verhaal", "keuzelijsten", "uitleg", "info"]
    ws = wb["status"]
    header = [c.value for c in ws[1]]
    assert header == [
        "code",
        "titel",
        "trekker",
        "status",
        "procent",
        "toelichting",
        *(f"uren_{p}" for p in jp.PARTNERS),
    ]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[:3] for r in rows] == [
        ("A01", HOSTILE[0], "Politie"),
        ("A02", "Buurtfeest", "Welzijnsorganisatie"),
        ("A03", HOSTILE[3], "Woningcorporatie"),
        ("A04", "Vervalt", "Gemeente"),
    ]
    assert all(v is None for r in rows for v in r[3:])
    assert [r[:2] for r in wb["verhaal"].iter_rows(min_row=2, values_only=True)] == [
        ("Wat ging goed", None),
        ("Wat ging niet goed", None),
        ("Wat vragen we van de regiegroep", None),
    ]
    info = {r[0]: r[1] for r in wb["info"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert (info["wijk_code"], info["jaar"], info["halfjaar"], info["soort"]) == (WIJK, JAAR, 1, "status")
    # an empty template is not a report: every activity needs a status and a percentage
    up = px.read_status_upload(status_bytes(world, catalogue), "leeg.xlsx", world["plan"], 1)
    assert not up.ok and up.regels == []
    assert_named(up.issues, "leeg.xlsx", "status", 2, "status", "")  # "(leeg)": no quoted value
    with pytest.raises(ValueError):
        px.status_template(WIJK, NAAM, world["plan"], 3, None, catalogue)


def test_status_round_trip_from_the_previous_version(world: dict, catalogue: dict) -> None:
    report = world["report"]
    data = status_bytes(world, catalogue, report)
    up = px.read_status_upload(data, "status.xlsx", world["plan"], 1)
    assert up.ok, messages(up.issues)
    assert up.regels == report.regels
    assert (up.goed, up.niet_goed, up.vragen) == (report.goed, report.niet_goed, report.vragen)
    # submitted again through the store it is a correction (version 2) with the same content
    again = jp.submit_report(
        world["eng"],
        SYSTEM,
        WIJK,
        JAAR,
        1,
        up.regels,
        up.goed,
        up.niet_goed,
        up.vragen,
        via="excel",
        correctie_reden="opnieuw via Excel",
    )
    assert again.versie == report.versie + 1 and again.via == "excel" and again.regels == report.regels
    # the other half-year's template takes statuses, not hours or the narrative
    wb = load_workbook(io.BytesIO(px.status_template(WIJK, NAAM, world["plan"], 2, report, catalogue)))
    first = next(wb["status"].iter_rows(min_row=2, values_only=True))
    assert first[3:6] == ("loopt", 45, HOSTILE[5]) and all(v is None for v in first[6:])
    assert wb["verhaal"]["B2"].value is None


def test_status_filled_in_with_openpyxl(world: dict, catalogue: dict) -> None:
    cols = px.STATUS_COLUMNS
    filled = {
        "A01": ("loopt", 50, "op schema", {"uren_politie": 10, "uren_welzijn": "2,5"}),
        "A02": ("Niet gestart", 0, None, {}),
        "A03": ("vervallen", 0, HOSTILE[0], {"uren_corporatie": 0}),
        "A04": ("afgerond", 100.0, "klaar", {"uren_gemeente": 1.25}),
    }

    def change(wb: Workbook) -> None:
        ws = wb["status"]
        for r in range(2, 6):
            status, procent, note, hours = filled[ws.cell(r, 1).value]
            ws.cell(r, col(cols, "status")).value = status
            ws.cell(r, col(cols, "procent")).value = procent
            if note is not None:
                text(ws.cell(r, col(cols, "toelichting")), note)
            for name, value in hours.items():
                ws.cell(r, col(cols, name)).value = value
            ws.cell(r, col(cols, "titel")).value = "wordt niet gelezen"
        wv = wb["verhaal"]
        text(wv["B2"], "Veel buren kwamen\nen bleven")
        text(wv["B4"], HOSTILE[1])

    up = px.read_status_upload(
        edit(status_bytes(world, catalogue), change), "ingevuld.xlsx", world["plan"], 1
    )
    assert up.ok, messages(up.issues)
    assert up.regels == [
        StatusLine("A01", "loopt", 50, "op schema", {"politie": 10.0, "welzijn": 2.5}),
        StatusLine("A02", "niet gestart", 0, "", {}),
        StatusLine("A03", "vervallen", 0, HOSTILE[0], {}),
        StatusLine("A04", "afgerond", 100, "klaar", {"gemeente": 1.25}),
    ]
    assert (up.goed, up.niet_goed, up.vragen) == ("Veel buren kwamen\nen bleven", "", HOSTILE[1])
    assert jp.line_problems(world["plan"], up.regels) == []


def test_bad_status_upload_is_refused_whole(world: dict, catalogue: dict) -> None:
    cols = px.STATUS_COLUMNS

    def change(wb: Workbook) -> None:
        ws = wb["status"]
        ws.cell(2, col(cols, "status")).value = "bijna klaar"
        ws.cell(3, col(cols, "procent")).value = 150
        ws.cell(4, col(cols, "procent")).value = "12,5"
        ws.cell(4, col(cols, "uren_welzijn")).value = -1
        ws.cell(5, 1).value = "A09"  # not an activity of the plan; A04 is now missing
        ws.cell(6, 1).value = "A02"  # A02 twice
        ws.cell(6, col(cols, "status")).value = "loopt"
        ws.cell(6, col(cols, "procent")).value = 5
        wb["verhaal"]["B3"].value = "x" * 2001

    up = px.read_status_upload(
        edit(status_bytes(world, catalogue, world["report"]), change), "h1.xlsx", world["plan"], 1
    )
    assert not up.ok and up.regels == [] and (up.goed, up.niet_goed, up.vragen) == ("", "", "")
    assert_named(up.issues, "h1.xlsx", "status", 2, "status", "bijna klaar")
    assert_named(up.issues, "h1.xlsx", "status", 3, "procent", "150")
    assert_named(up.issues, "h1.xlsx", "status", 4, "procent", "12,5")
    assert_named(up.issues, "h1.xlsx", "status", 4, "uren_welzijn", "-1")
    assert_named(up.issues, "h1.xlsx", "status", 5, "code", "A09")
    assert_named(up.issues, "h1.xlsx", "status", 3, "code", "A02")
    assert_named(up.issues, "h1.xlsx", "status", 6, "code", "A02")
    assert_named(up.issues, "h1.xlsx", "verhaal", 3, "antwoord", "x" * 79 + "…")
    missing = [m for m in messages(up.issues) if "ontbreekt" in m]
    assert missing == [
        "h1.xlsx, blad 'status': kolom 'code' = 'A04': deze activiteit van het jaarplan ontbreekt; elke "
        "activiteit krijgt één rij met een status"
    ]


def test_status_uploads_refused_before_validation(world: dict, catalogue: dict) -> None:
    plan = world["plan"]
    data = status_bytes(world, catalogue)
    up = px.read_status_upload(data, "s.xlsx", plan, 2)
    assert [i.bericht for i in up.issues] == [
        "s.xlsx, blad 'info', rij 5: kolom 'waarde' (halfjaar) = '1': dit bestand is voor een ander halfjaar, "
        "niet voor het 2e halfjaar; download het sjabloon van dit halfjaar"
    ]
    up = px.read_status_upload(plan_bytes(world, catalogue), "s.xlsx", plan, 1)
    assert not up.ok and "geen sjabloon voor een statusrapportage" in up.issues[0].bericht
    up = px.read_status_upload(_info("wijk_code", "WK000001")(data), "s.xlsx", plan, 1)
    assert not up.ok and "andere wijk" in up.issues[0].bericht
    up = px.read_status_upload(edit(data, lambda wb: wb.remove(wb["verhaal"])), "s.xlsx", plan, 1)
    assert messages(up.issues) == [
        "s.xlsx: het blad 'verhaal' ontbreekt; zet het verhaal van de wijk terug (download het sjabloon opnieuw)"
    ]
    up = px.read_status_upload(Path(__file__).read_bytes(), "s.xlsx", plan, 1)
    assert [i.bericht.split(":")[0] for i in up.issues] == ["s.xlsx is geen geldig Excel-bestand"]
    assert up.expectations == []


# ------------------------------------------------------------------------------------------ the job process


def _job(
    tmp_path: Path, world: dict, soort: str, data: bytes, halfjaar: int | None = None
) -> tuple[int, dict]:
    """Run ``python -m wijkmonitor.jobs planexcel`` as the Jaarplan page does; (exit code, status file)."""
    import json
    import subprocess
    import sys

    upload = tmp_path / f"{soort}.xlsx"
    upload.write_bytes(data)
    status = tmp_path / f"{soort}.json"
    cmd = [
        sys.executable,
        "-m",
        "wijkmonitor.jobs",
        "planexcel",
        f"--soort={soort}",
        f"--db={tmp_path / 'w.duckdb'}",
    ]
    cmd += [f"--records-url={world['eng'].url.render_as_string(hide_password=False)}", f"--bestand={upload}"]
    cmd += ["--naam=-x <b>.xlsx", f"--wijk={WIJK}", f"--jaar={JAAR}", f"--status={status}"]
    if halfjaar:
        cmd.append(f"--halfjaar={halfjaar}")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[1])
    return proc.returncode, json.loads(status.read_text())


def test_the_job_reads_both_templates_back_and_refuses_a_bad_one(tmp_path, world, catalogue):
    plan = world["plan"]
    data = px.plan_template(WIJK, "Molenwijk", JAAR, plan, world["opgaven"], catalogue)
    code, st = _job(tmp_path, world, "jaarplan", data)
    assert (code, st["fase"], st["resultaat"]["ok"]) == (0, "klaar", True)
    got = [
        jp.Activity(**{**a, "indicatoren": tuple(a["indicatoren"])}) for a in st["resultaat"]["activiteiten"]
    ]
    assert jp.diff_activities(plan.activiteiten, got).empty

    status = px.status_template(WIJK, "Molenwijk", plan, 1, world["report"], catalogue)
    code, st = _job(tmp_path, world, "status", status, halfjaar=1)
    assert (code, st["resultaat"]["ok"]) == (0, True)
    assert [jp.StatusLine(**r) for r in st["resultaat"]["regels"]] == world["report"].regels
    assert st["resultaat"]["goed"] == world["report"].goed

    bad = edit(data, lambda wb: wb[px.PLAN_SHEET].cell(row=2, column=8, value=13))  # start_maand 13
    code, st = _job(tmp_path, world, "jaarplan", bad)
    assert (code, st["fase"], st["resultaat"]["ok"], st["resultaat"]["activiteiten"]) == (
        1,
        "klaar",
        False,
        [],
    )
    assert any(
        m["kolom"] == "start_maand" and m["rij"] == 2 and "blad 'activiteiten'" in m["bericht"]
        for m in st["resultaat"]["messages"]
    ), st["resultaat"]["messages"]
