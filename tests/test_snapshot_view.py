"""'Bekijk zoals op …' (dashboard/snapshotview.py): every page on a snapshot renders, read-only, and shows the
frozen figures, not the live ones. AppTest on a copy of the demo with one snapshot."""

from __future__ import annotations

import datetime as dt

import pytest
from dashboard_support import copy_demo, run_page

from dashboard import PAGES, snapshotview, source, steering
from wijkmonitor import snapshots
from wijkmonitor.records import sturing
from wijkmonitor.records.authz import Actor
from wijkmonitor.records.store import open_store, records_url

SLUG = "stuurgroep-najaar-2025"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = copy_demo(tmp_path_factory.mktemp("view") / "demo.duckdb")
    snapshots.create(path, records_url(path), "Stuurgroep najaar 2025", Actor.command("test"))
    # after the snapshot: a meeting the snapshot must not show
    sturing.record_meeting(
        open_store(records_url(path)),
        Actor.command("test"),
        "stuurgroep",
        dt.date(2025, 9, 12),
        notities="Na de momentopname vastgelegd",
    )
    return path


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_a_snapshot_without_a_write_control(db, monkeypatch, page):
    at = run_page(db, monkeypatch, page, peil=SLUG)
    readable = page.removeprefix("views/").removesuffix(".py") in snapshotview.READABLE
    infos = " ".join(i.value for i in at.info)
    if readable:
        assert "U bekijkt de momentopname" in infos and "Alleen lezen" in infos
        assert not at.get("form"), page  # the demo's beheerder sees no form here
        assert not at.text_input and not at.text_area and not at.button, page
    else:
        assert "toont altijd de actuele gegevens" in infos
    assert at.query_params.get(snapshotview.PARAM) in (SLUG, [SLUG])


def test_the_sidebar_offers_the_snapshot_and_the_live_data_stay_the_default(db, monkeypatch):
    at = run_page(db, monkeypatch, "views/stuurgroep.py")
    keuze = next(b for b in at.sidebar.selectbox if b.label == "Bekijk zoals op")
    assert keuze.options == ["vandaag (actuele gegevens)", "Stuurgroep najaar 2025 (peildatum 15-09-2025)"]
    assert keuze.value == ""
    assert not any("U bekijkt de momentopname" in i.value for i in at.info)


def test_a_snapshot_reads_the_records_as_they_were(db):
    live = source.live(db, records_url(db))
    frozen = source.of_snapshot(snapshots.get(db, SLUG))
    with source.reading(live):
        now = [m.notities for m in steering.meetings("stuurgroep")]
    with source.reading(frozen):
        then = [m.notities for m in steering.meetings("stuurgroep")]
    assert "Na de momentopname vastgelegd" in now
    assert "Na de momentopname vastgelegd" not in then
    assert len(then) == len(now) - 1
