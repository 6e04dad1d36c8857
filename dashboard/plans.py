"""The pages' one way to the wijkprogramma's, jaarplannen and half-yearly status reports, on behalf of
the viewer of this run (:func:`dashboard.session.current`).

Reads are not cached: a plan or report written in this or another server process shows on the next run.
Every write goes through :mod:`wijkmonitor.records.jaarplannen`, which authorises it again in the write's
own transaction (roles read from the store, not from this session) and records it in the audit trail;
a refusal raises :class:`~wijkmonitor.records.authz.Refused`, a state conflict ``ValueError`` (both Dutch).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard import deliveries, queries, session
from wijkmonitor import plantemplates
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records.jaarplannen import (  # noqa: F401  (re-exported for the pages)
    ACTIVITY_STATUS,
    MONTHS,
    PARTNERS,
    PLAN_STATUS,
    Activity,
    ActivityDiff,
    Opgave,
    Plan,
    Report,
    ReportingState,
    StatusLine,
)

PAGE = "Jaarplan"


def store() -> Engine:
    return session.store()


def _actor(page: str):
    return session.current().actor(page)


# ------------------------------------------------------------------------------------------ catalogue


def catalogue() -> dict:
    """Themes and indicators as the Excel templates and forms use them: {'themas': {code: titel},
    'indicatoren': [{'indicator', 'titel', 'thema'}]} (from the warehouse's catalogue tables)."""
    themes = queries.query("SELECT thema, titel FROM marts.dim_thema ORDER BY thema")
    ind = queries.indicators_catalogue()
    return {
        "themas": dict(zip(themes["thema"], themes["titel"], strict=True)),
        "indicatoren": [
            {"indicator": r.indicator, "code": r.indicator, "titel": r.titel, "thema": r.thema}
            for r in ind.itertuples()
        ],
    }


def verdicts(wijk: str) -> pd.DataFrame:
    """Per indicator of ``wijk``: its newest year with a value, the score (100 = baseline) and the
    monitor's verdict on the change since the baseline."""
    df = queries.indicator_series([wijk])
    if df.empty:
        return pd.DataFrame(columns=["indicator", "jaar", "score", "verandering"])
    df = df[df["waarde"].notna()].sort_values("jaar")
    return df.groupby("indicator", as_index=False).last()[["indicator", "jaar", "score", "verandering"]]


# ------------------------------------------------------------------------------------------ reading


def today() -> dt.date:
    """The date reports are judged by: the real date, or the demo's fixed one (a setting)."""
    return jp.vandaag(store())


def fixed_date() -> dt.date | None:
    return jp.peildatum(store())


def grace_days() -> int:
    return jp.termijn_dagen(store())


def plan(wijk: str, jaar: int) -> Plan | None:
    return jp.get_plan(store(), wijk, jaar)


def plans(jaar: int | None = None, wijk: str | None = None, status: str | None = None) -> list[Plan]:
    return jp.list_plans(store(), jaar=jaar, wijk=wijk, status=status)


def plan_years(wijk: str | None = None) -> list[int]:
    return jp.plan_years(store(), wijk)


def opgaven(wijk: str) -> list[Opgave]:
    return jp.list_opgaven(store(), wijk)


def reports(
    wijk: str | None = None, jaar: int | None = None, halfjaar: int | None = None, alle_versies: bool = False
) -> list[Report]:
    return jp.list_reports(store(), wijk, jaar, halfjaar, alle_versies)


def report(wijk: str, jaar: int, halfjaar: int) -> Report | None:
    return jp.get_report(store(), wijk, jaar, halfjaar)


def current_reporting(wijk: str) -> ReportingState:
    """The wijk's report for the last ended half-year (due, late, in, or not expected)."""
    return jp.current_states(store(), [wijk], today(), grace_days())[0]


def current_states(wijken: Sequence[str]) -> list[ReportingState]:
    """Per wijk, its report of the last ended half-year (expected of a wijk with an adopted plan)."""
    return jp.current_states(store(), wijken, today(), grace_days())


def progress_table(wijken: dict[str, str], jaar: int) -> pd.DataFrame:
    """Per wijk: the jaarplan of ``jaar`` (state, activities) and, from the newest report of that year,
    the share of activities on track."""
    by_wijk = {p.wijk_code: p for p in plans(jaar=jaar)}
    newest: dict[str, Report] = {}
    for r in reports(jaar=jaar):
        newest[r.wijk_code] = r  # ordered by half-year: the last is the newest
    rows = []
    for code, naam in wijken.items():
        p = by_wijk.get(code)
        r = newest.get(code)
        pr = jp.progress(p, r) if p else None
        rows.append(
            {
                "wijk_code": code,
                "wijk": naam,
                "jaarplan": PLAN_STATUS[p.status] if p else "geen jaarplan",
                "activiteiten": len(p.actief) if p else 0,
                "rapportage": f"{r.halfjaar}e halfjaar" if r else "nog geen",
                "op_koers": pr.aandeel_op_koers if pr else None,
                "vertraagd": pr.per_status["vertraagd"] if pr else 0,
                "amendementen": len(p.wijzigingen) if p else 0,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------ writing


def save_activities(
    wijk: str, jaar: int, activiteiten: Sequence[Activity], reden: str | None = None, page: str = PAGE
) -> ActivityDiff:
    return jp.save_activities(store(), _actor(page), wijk, jaar, activiteiten, reden)


def step(
    wijk: str,
    jaar: int,
    van: str,
    naar: str,
    toelichting: str = "",
    vergaderdatum: dt.date | None = None,
    page: str = PAGE,
) -> None:
    jp.transition(store(), _actor(page), wijk, jaar, van, naar, toelichting, vergaderdatum)


def submit_report(
    wijk: str,
    jaar: int,
    halfjaar: int,
    regels: Sequence[StatusLine],
    goed: str,
    niet_goed: str,
    vragen: str,
    via: str = "app",
    correctie_reden: str | None = None,
    page: str = PAGE,
) -> Report:
    return jp.submit_report(
        store(),
        _actor(page),
        wijk,
        jaar,
        halfjaar,
        regels,
        goed,
        niet_goed,
        vragen,
        via=via,
        correctie_reden=correctie_reden,
        vandaag=today(),
    )


def save_opgave(opgave: Opgave, page: str = PAGE) -> int:
    return jp.save_opgave(store(), _actor(page), opgave)


def set_setting(key: str, value: str | None, page: str = "Instellingen") -> None:
    jp.set_setting(store(), _actor(page), key, value)


def month_label(m: int) -> str:
    return MONTHS[int(m) - 1]


# ------------------------------------------------------------------------------------------ Excel


def plan_template(wijk: str, wijk_naam: str, jaar: int) -> bytes:
    """The jaarplan template of ``wijk`` for ``jaar``, pre-filled with its activities (built here: only
    openpyxl; reading an upload back runs in a job process)."""
    opg = jp.list_opgaven(store(), wijk, ook_vervallen=True)
    return plantemplates.plan_template(wijk, wijk_naam, jaar, plan(wijk, jaar), opg, catalogue())


def status_template(wijk: str, wijk_naam: str, p: Plan, halfjaar: int) -> bytes:
    """The status template of a half-year, pre-filled with the newest version when there is one (else
    with the other half-year's report of the same year, for its statuses)."""
    previous = report(wijk, p.jaar, halfjaar) or (report(wijk, p.jaar, 1) if halfjaar == 2 else None)
    return plantemplates.status_template(wijk, wijk_naam, p, halfjaar, previous, catalogue())


@dataclass
class UploadCheck:
    """An Excel upload read back by the job: what it holds (empty when refused) and its messages."""

    ok: bool
    messages: pd.DataFrame
    bericht: str | None = None  # the job's own failure (not a file problem)
    activiteiten: list[Activity] = field(default_factory=list)
    regels: list[StatusLine] = field(default_factory=list)
    goed: str = ""
    niet_goed: str = ""
    vragen: str = ""


def _activity(d: dict) -> Activity:
    d = dict(d)
    d["indicatoren"] = tuple(d.get("indicatoren") or ())
    return Activity(**d)


def check_upload(
    soort: str,
    data: bytes,
    naam: str,
    wijk: str,
    jaar: int,
    halfjaar: int | None = None,
    timeout: float = 300,
) -> UploadCheck:
    """Read an uploaded jaarplan or status file in a job process (``python -m wijkmonitor.jobs
    planexcel``: Great Expectations, as for partner deliveries); nothing is written."""
    if soort not in ("jaarplan", "status"):
        raise ValueError(soort)
    folder = Path(tempfile.mkdtemp(prefix="wijkmonitor-planexcel-"))  # mode 0700
    try:
        path = folder / "upload.xlsx"  # a fixed name: the uploaded name is display text only
        path.write_bytes(data)
        db = Path(queries.db_label()).resolve()
        args = {"soort": soort, "db": str(db), "bestand": str(path), "naam": str(naam)[:200], "wijk": wijk}
        args["jaar"] = str(int(jaar))
        if halfjaar is not None:
            args["halfjaar"] = str(int(halfjaar))
        status = deliveries.wait(deliveries._start_job("planexcel", args, db, session.store_url()), timeout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    res = status.resultaat or {}
    if status.fase == "mislukt" or not res:
        return UploadCheck(False, deliveries.messages_frame(None), bericht=status.bericht or "niet gelezen")
    return UploadCheck(
        ok=bool(res.get("ok")),
        messages=deliveries.messages_frame(res),
        activiteiten=[_activity(a) for a in res.get("activiteiten") or []],
        regels=[StatusLine(**r) for r in res.get("regels") or []],
        goed=res.get("goed") or "",
        niet_goed=res.get("niet_goed") or "",
        vragen=res.get("vragen") or "",
    )
