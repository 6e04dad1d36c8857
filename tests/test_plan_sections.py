"""The jaarplan sections of the Wijk, Regiegroep and Stuurgroep pages, on the demo (its seeded jaarplannen and
reports). Expected values are computed from the records store with the domain's own rules, not pinned to the
demo's seed."""

from __future__ import annotations

import shutil
import sqlite3

import pandas as pd
from dashboard_support import demo_db, run_page

from dashboard.safe import md
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.authz import Actor
from wijkmonitor.records.store import default_sqlite_path, open_store, records_url

SYSTEM = Actor.command("test")


def _store():
    return open_store(records_url(demo_db()))


def _wijken() -> dict[str, str]:
    from etl.db import connect_readonly

    con = connect_readonly(demo_db())
    try:
        rows = con.execute(
            "SELECT gebied_code, gebied_naam FROM marts.dim_gebied WHERE niveau = 'wijk' ORDER BY gebied_code"
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def _texts(at) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text]


def test_regiegroep_sees_who_has_and_has_not_reported(monkeypatch):
    eng, wijken = _store(), _wijken()
    today = jp.vandaag(eng)
    y, h = jp.last_ended_half(today)
    states = [
        s
        for s in jp.current_states(eng, list(wijken), today, jp.termijn_dagen(eng))
        if s.stand != "niet verwacht"
    ]
    filed = sum(s.ingediend for s in states)
    late = [s for s in states if s.stand == "te laat"]
    assert late, "the demo has a team that has not reported"

    at = run_page(demo_db(), monkeypatch, "views/regiegroep.py")
    headline = f"**{h}e halfjaar {y}**: {filed} van de {len(states)} teams met een vastgesteld jaarplan"
    assert any(t.startswith(headline) for t in _texts(at)), _texts(at)
    table = next(
        d.value for d in at.dataframe if isinstance(d.value, pd.DataFrame) and "Stand" in d.value.columns
    )
    assert sorted(table["Stand"]) == sorted(s.stand for s in states)
    for s in late:  # every late team is named with the way to its jaarplan
        assert any(md(wijken[s.wijk_code]) in t and "te laat" in t for t in _texts(at))
    waiting = [p for p in jp.list_plans(eng, status="ingediend") if p.wijk_code in wijken]
    assert len([b for b in at.get("page_link") if "advies geven" in b.proto.label]) == len(waiting)


def test_stuurgroep_sees_plans_awaiting_adoption_and_progress_next_to_the_target(monkeypatch):
    eng, wijken = _store(), _wijken()
    at = run_page(demo_db(), monkeypatch, "views/stuurgroep.py")
    waiting = [p for p in jp.list_plans(eng, status="advies") if p.wijk_code in wijken]
    assert waiting, "the demo has plans with advice"
    advice = [t.value for t in at.text]
    assert all(p.advies in advice for p in waiting)
    table = next(
        d.value for d in at.dataframe if isinstance(d.value, pd.DataFrame) and "op_koers" in d.value.columns
    )
    jaar = jp.vandaag(eng).year
    assert list(table["wijk"]) == list(wijken.values())
    for code, row in zip(wijken, table.itertuples(), strict=True):
        plan = jp.get_plan(eng, code, jaar)
        reports = jp.list_reports(eng, code, jaar)
        expected = jp.progress(plan, reports[-1]).aandeel_op_koers if plan and reports else None
        if expected is None:
            assert pd.isna(row.op_koers)
        else:
            assert row.op_koers == round(100 * expected)
        assert row.doel in {
            "op koers",
            "uit koers",
            "onzeker",
            "gehaald",
            "niet gehaald",
            "onbeslist",
            "geen data",
        }


def test_wijk_page_shows_the_jaarplan_at_a_glance(monkeypatch):
    eng, wijken = _store(), _wijken()
    wijk = next(iter(wijken))
    at = run_page(demo_db(), monkeypatch, "views/wijk.py", wijk=wijk)
    jaar = jp.vandaag(eng).year
    plan = jp.get_plan(eng, wijk, jaar)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"Jaarplan {jaar}"] == plan.status_label
    assert metrics["Activiteiten"] == str(len(plan.actief))
    assert any(b.proto.label == f"Jaarplan {md(wijken[wijk])} {jaar}" for b in at.get("page_link"))


def test_advice_and_questions_are_shown_as_plain_text(monkeypatch, tmp_path):
    """Text people wrote (advice, the teams' questions) never becomes Markdown or HTML."""
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db(), db)
    with (
        sqlite3.connect(default_sqlite_path(demo_db())) as src,
        sqlite3.connect(default_sqlite_path(db)) as dst,
    ):
        src.backup(dst)  # with what is still in the write-ahead log
    eng = open_store(records_url(db))
    hostile = "**vet** [klik](https://evil.example) <img src=x onerror=alert(1)> :red[rood]"
    waiting = jp.list_plans(eng, status="ingediend")[0]
    jp.transition(eng, SYSTEM, waiting.wijk_code, waiting.jaar, "ingediend", "advies", hostile)
    at = run_page(db, monkeypatch, "views/stuurgroep.py")
    assert hostile in [t.value for t in at.text]
    assert not any("evil.example" in m.value and "](" in m.value for m in at.markdown)
