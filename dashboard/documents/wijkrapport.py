"""The halfjaarrapportage of one wijk (PDF and Excel): what a leefbaarheidsteam brings to the regiegroep.

One report per wijk and half-year, built from the functions the pages use (``dashboard.plans``,
``dashboard.queries``): call them inside ``dashboard.source.reading(...)`` for a snapshot or an explicit
warehouse, outside it they read the live data. It shows

1. the wijk's indicators: per indicator the newest year with a value up to the report's year, its value,
   the score against the baseline (100 = basisjaar) and the monitor's verdict, with disclosure control
   (``marts.fct_onderdrukking``, the rule of ``indicators/export.py``: a suppressed row shows "< 5" and nothing
   derived from its count; a row whose baseline row is suppressed shows no score or verdict), and the wijk's
   composite score per year as a chart (years whose composite would reveal a suppressed count are left out,
   and so is the projection);
2. the jaarplan's activities with their status in the report (an activity without a line: "niet
   gerapporteerd");
3. the hours per partner: planned in the jaarplan (its activities that still count), spent in this half-year
   and in the year up to and including it (the newest version of each report);
4. the team's narrative (what went well, what did not, the questions for the regiegroep) as plain text;
5. the report's state (on time, late, expected) by the one rule of ``jaarplannen.reporting_state``.

Every text people wrote is escaped in the HTML (autoescape) and, in the Excel file, guarded against formulas
(a leading apostrophe). The same ``generated`` time gives the same bytes (PDF and Excel).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard import charts, plans, queries, source
from dashboard import format as fmt
from dashboard.documents import render
from wijkmonitor.records import jaarplannen as jp

TEMPLATE = "wijkrapport.html.j2"
LOCAL = ZoneInfo("Europe/Amsterdam")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEETS = ("Indicatoren", "Activiteiten", "Uren", "Toelichting", "Over")
NOT_REPORTED = "niet gerapporteerd"
SHORT_PARTNER = {"corporatie": "Corporatie", "welzijn": "Welzijn"}  # column headers of the hours table
_HALF = re.compile(r"^\s*(\d{4})\s*-?\s*[Hh]([12])\s*$")
STATE_TEXT = {
    "op tijd": "op tijd ingediend",
    "te laat ingediend": "te laat ingediend",
    "verwacht": "nog niet ingediend; de termijn loopt nog",
    "te laat": "niet ingediend; de termijn is verstreken",
    "nog niet": "het halfjaar is nog niet voorbij",
    "niet verwacht": "niet verplicht (het jaarplan is niet vastgesteld)",
}


# ------------------------------------------------------------------------------------------ helpers


def parse_half(text: str) -> tuple[int, int]:
    """'2025-H1' -> (2025, 1); also '2025H2', '2025-h2'. Anything else: a Dutch ValueError."""
    m = _HALF.match(str(text or ""))
    if not m:
        raise ValueError(
            f"ongeldig halfjaar {str(text)[:40]!r}: schrijf het jaar en het halfjaar als 2025-H1 of 2025-H2"
        )
    jaar = int(m.group(1))
    if not 2000 <= jaar <= 2100:
        raise ValueError(f"ongeldig jaar {jaar} in halfjaar {text!r}")
    return jaar, int(m.group(2))


def half_label(jaar: int, halfjaar: int) -> str:
    return f"{halfjaar}e halfjaar {jaar}"


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(x) else x


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _hours(x: float | None) -> str:
    """Hours in Dutch notation: whole hours without decimals, else one decimal."""
    if x is None:
        return "–"
    return fmt.getal(x, 0 if float(x).is_integer() else 1)


def _local(moment: dt.datetime) -> dt.datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(LOCAL)


def _months(a: jp.Activity) -> str:
    start, end = jp.MONTHS[a.start_maand - 1], jp.MONTHS[a.eind_maand - 1]
    return start if a.start_maand == a.eind_maand else f"{start} – {end}"


# ------------------------------------------------------------------------------------------ the data


def _wijk_name(wijk: str) -> str:
    if not isinstance(wijk, str) or not jp.WIJK_RE.fullmatch(wijk):
        raise ValueError(f"onbekende wijkcode {str(wijk)[:40]!r} (verwacht WK gevolgd door 6 cijfers)")
    df = queries.query(
        "SELECT gebied_naam FROM marts.dim_gebied WHERE gebied_code = ? AND niveau = 'wijk'", wijk
    )
    if df.empty:
        raise ValueError(f"onbekende wijk {wijk}: deze wijk staat niet in de gegevens")
    return str(df["gebied_naam"].iloc[0])


def _suppressed(wijk: str) -> set[tuple[str, int]]:
    """(indicator, jaar) of the wijk's suppressed rows (primary and secondary alike)."""
    try:
        df = queries.query(
            "SELECT indicator, jaar FROM marts.fct_onderdrukking WHERE gebied_code = ? AND onderdrukt", wijk
        )
    except Exception:  # a warehouse without the table cannot tell: then nothing leaves with a count
        return {("*", 0)}
    return {(str(r.indicator), int(r.jaar)) for r in df.itertuples()}


def _indicators(wijk: str, jaar: int, basisjaar: int, drempel: int) -> list[dict]:
    series = queries.indicator_series([wijk])
    if series.empty:
        return []
    catalogue = queries.indicators_catalogue().set_index("indicator")
    hidden = _suppressed(wijk)
    everything_hidden = ("*", 0) in hidden
    df = series[series["waarde"].notna() & (series["jaar"] <= jaar)].sort_values("jaar")
    newest = df.groupby("indicator", as_index=False).last()
    rows = []
    for r in newest.itertuples():
        meta = catalogue.loc[r.indicator] if r.indicator in catalogue.index else None
        row_hidden = everything_hidden or (r.indicator, int(r.jaar)) in hidden
        base_hidden = everything_hidden or (r.indicator, basisjaar) in hidden
        base = series[(series["indicator"] == r.indicator) & (series["jaar"] == basisjaar)]
        basiswaarde = _float(r.basiswaarde)
        if basiswaarde is None and not base.empty:
            basiswaarde = _float(base["waarde"].iloc[0])
        opmerking = None
        if row_hidden:
            opmerking = f"aantal kleiner dan {drempel} (hier of elders): niet gepubliceerd"
        elif base_hidden:
            opmerking = f"aantal in {basisjaar} kleiner dan {drempel} (hier of elders): geen score of oordeel"
        rows.append(
            {
                "indicator": r.indicator,
                "titel": str(meta["titel"]) if meta is not None else r.indicator,
                "thema": str(meta["thema_titel"])
                if meta is not None and "thema_titel" in meta.index
                else (str(meta["thema"]) if meta is not None else ""),
                "eenheid": str(meta["eenheid"]) if meta is not None and "eenheid" in meta.index else "",
                "soort": str(meta["soort"]) if meta is not None and "soort" in meta.index else "",
                "jaar": int(r.jaar),
                "waarde": None if row_hidden else _float(r.waarde),
                "basiswaarde": None if (row_hidden or base_hidden) else basiswaarde,
                "score": None if (row_hidden or base_hidden) else _float(r.score),
                "oordeel": None if (row_hidden or base_hidden) else (_text(r.verandering) or "geen oordeel"),
                "onderdrukt": row_hidden,
                "basis_onderdrukt": base_hidden and not row_hidden,
                "opmerking": opmerking,
            }
        )
    rows.sort(key=lambda d: (d["thema"], d["titel"]))
    return rows


def _composite(wijk: str, jaar: int, settings: dict) -> dict:
    """The wijk's composite score per year up to ``jaar`` (leaving out years that would reveal a suppressed
    count), the target's status and the chart."""
    basisjaar, doeljaar = int(settings["basisjaar"]), int(settings["doeljaar"])
    marge = float(settings["marge"])
    grens = 100 * (1 - marge)
    gemeente = "GM" + wijk[2:6]
    trend = queries.composite_trend("wijk", "samengesteld", gemeente)
    trend = trend[(trend["gebied_code"] == wijk) & (trend["jaar"] >= basisjaar) & (trend["jaar"] <= jaar)]
    flags = queries.query(
        "SELECT jaar, onderdrukt FROM marts.fct_composites WHERE gebied_code = ? AND groep = 'samengesteld'",
        wijk,
    )
    hidden = {int(y) for y, f in zip(flags["jaar"], flags["onderdrukt"], strict=True) if bool(f)}
    weggelaten = sorted(y for y in trend["jaar"].astype(int) if y in hidden)
    trend = trend[~trend["jaar"].astype(int).isin(hidden)].dropna(subset=["score"])
    out: dict[str, Any] = {
        "jaren": [
            {
                "jaar": int(r.jaar),
                "score": _float(r.score),
                "ci_laag": _float(r.ci_laag),
                "ci_hoog": _float(r.ci_hoog),
            }
            for r in trend.sort_values("jaar").itertuples()
        ],
        "weggelaten": weggelaten,
        "grafiek": None,
        "doel": None,
        "basisjaar": basisjaar,
        "doeljaar": doeljaar,
        "grens": grens,
    }
    if trend.empty:
        return out
    peil = int(trend["jaar"].max())
    projectie = trend.iloc[0:0].assign(projectie=[], projectie_laag=[], projectie_hoog=[])
    if not weggelaten and peil < doeljaar:
        projectie = queries.composite_projection(wijk, "samengesteld", peil, doeljaar)
    if not weggelaten:
        status = queries.target_status("wijk", peil, doeljaar, "samengesteld", gemeente)
        status = status[status["gebied_code"] == wijk]
        if not status.empty and isinstance(status["status"].iloc[0], str):
            out["doel"] = {"status": status["status"].iloc[0], "peiljaar": peil}
    label = f"grens {fmt.getal(grens, 1)} (marge {fmt.procent(marge)})"
    fig, alt = charts.composite_trend(
        trend,
        projectie,
        baseline_year=basisjaar,
        target_year=doeljaar,
        limit=grens,
        limit_label=label,
        height=300,
    )
    out["figuur"] = (fig, alt)
    return out


def _state(wijk: str, jaar: int, halfjaar: int, plan: jp.Plan) -> dict:
    versions = plans.reports(wijk, jaar, halfjaar, alle_versies=True)
    first = min((r.ingediend_op for r in versions), default=None)
    termijn = plans.grace_days()
    state = jp.reporting_state(
        wijk,
        jaar,
        halfjaar,
        plans.today(),
        termijn,
        first,
        verwacht=plan.status == "vastgesteld",
    )
    return {
        "stand": state.stand,
        "tekst": STATE_TEXT.get(state.stand, state.stand),
        "deadline": state.deadline,
        "eerst_ingediend": _local(first) if first else None,
        "dagen_te_laat": state.dagen_te_laat,
        "termijn_dagen": termijn,
        "versies": len(versions),
    }


def context(wijk: str, jaar: int, halfjaar: int) -> dict:
    """Everything the halfjaarrapportage of ``wijk`` over ``halfjaar`` of ``jaar`` shows (no chart image:
    :func:`html` draws it). Dutch ``ValueError`` for an unknown wijk or a half-year without a jaarplan."""
    if halfjaar not in (1, 2) or isinstance(halfjaar, bool):
        raise ValueError(f"ongeldig halfjaar {halfjaar!r}: 1 of 2")
    if not isinstance(jaar, int) or isinstance(jaar, bool) or not 2000 <= jaar <= 2100:
        raise ValueError(f"ongeldig jaar {jaar!r}")
    naam = _wijk_name(wijk)
    plan = plans.plan(wijk, jaar)
    if plan is None:
        raise ValueError(
            f"{naam} ({wijk}) heeft geen jaarplan voor {jaar}: er is niets om over te rapporteren"
        )
    settings = queries.settings()
    basisjaar = int(settings["basisjaar"])
    drempel = int(settings.get("drempel") or 5)
    rapport = plans.report(wijk, jaar, halfjaar)
    year_reports = [r for r in plans.reports(wijk, jaar) if r.halfjaar <= halfjaar]

    activiteiten = []
    for a in plan.actief:
        line = rapport.line(a.code) if rapport else None
        ok = jp.on_track(a, line, halfjaar)
        activiteiten.append(
            {
                "code": a.code,
                "titel": a.titel,
                "thema": a.thema,
                "trekker": jp.PARTNERS.get(a.trekker, a.trekker),
                "periode": _months(a),
                "status": line.status if line else NOT_REPORTED,
                "procent": line.procent if line else None,
                "op_koers": ok,
                "toelichting": line.toelichting if line else "",
                "gepland": {p: float(h) for p, h in a.uren.items()},
                "besteed": dict(line.uren) if line else {},
                "gepland_totaal": a.uren_totaal,
                "besteed_totaal": float(sum(line.uren.values())) if line else None,
            }
        )
    geschrapt = [{"code": a.code, "titel": a.titel} for a in plan.activiteiten if a.geschrapt]

    per_partner = jp.hours_per_partner(plan, year_reports)
    dit_halfjaar: dict[str, float] = {}
    for line in rapport.regels if rapport else []:
        for p, h in line.uren.items():
            dit_halfjaar[p] = dit_halfjaar.get(p, 0.0) + h
    uren = [
        {
            "partner": jp.PARTNERS[p],
            "gepland": gepland,
            "besteed_halfjaar": dit_halfjaar.get(p, 0.0),
            "besteed_tot_nu": besteed,
            "aandeel": besteed / gepland if gepland else None,
        }
        for p, (gepland, besteed) in per_partner.items()
    ]
    partners = [
        {"code": p, "naam": SHORT_PARTNER.get(p, jp.PARTNERS[p])}
        for p in jp.PARTNERS
        if any(p in a["gepland"] or p in a["besteed"] for a in activiteiten)
    ]
    totaal = {
        "gepland": sum(u["gepland"] for u in uren),
        "besteed_halfjaar": sum(u["besteed_halfjaar"] for u in uren),
        "besteed_tot_nu": sum(u["besteed_tot_nu"] for u in uren),
    }
    voortgang = jp.progress(plan, rapport)
    src = source.current()
    return {
        "titel": f"Halfjaarrapportage {naam} – {halfjaar}e halfjaar {jaar}",
        "wijk": wijk,
        "wijk_naam": naam,
        "jaar": jaar,
        "halfjaar": halfjaar,
        "halfjaar_label": half_label(jaar, halfjaar),
        "bron": src.label if src is not None else "actuele gegevens",
        "basisjaar": basisjaar,
        "drempel": drempel,
        "plan": {
            "status": plan.status_label,
            "vastgesteld_op": plan.vastgesteld_op,
            "activiteiten": len(plan.actief),
            "wijzigingen": len(plan.wijzigingen),
            "geschrapt": geschrapt,
        },
        "rapport": None
        if rapport is None
        else {
            "versie": rapport.versie,
            "ingediend_op": _local(rapport.ingediend_op),
            "ingediend_door": rapport.ingediend_door,
            "via": rapport.via,
            "goed": rapport.goed,
            "niet_goed": rapport.niet_goed,
            "vragen": rapport.vragen,
            "correctie_reden": rapport.correctie_reden,
        },
        "stand": _state(wijk, jaar, halfjaar, plan),
        "voortgang": {
            "gerapporteerd": voortgang.gerapporteerd,
            "activiteiten": voortgang.activiteiten,
            "op_koers": voortgang.op_koers,
            "aandeel_op_koers": voortgang.aandeel_op_koers,
            "per_status": voortgang.per_status,
        },
        "indicatoren": _indicators(wijk, jaar, basisjaar, drempel),
        "samengesteld": _composite(wijk, jaar, settings),
        "activiteiten": activiteiten,
        "uren": uren,
        "uren_totaal": totaal,
        "partners": partners,
    }


# ------------------------------------------------------------------------------------------ documents


def _generated_line(generated: dt.datetime) -> str:
    return f"Gegenereerd op {_local(generated):%d-%m-%Y %H:%M}"


def html(wijk: str, jaar: int, halfjaar: int, *, generated: dt.datetime) -> str:
    """The report as one self-contained HTML page (the PDF's source and the preview)."""
    ctx = context(wijk, jaar, halfjaar)
    figuur = ctx["samengesteld"].pop("figuur", None)
    if figuur is not None:
        fig, alt = figuur
        ctx["samengesteld"]["grafiek"] = render.chart(fig, alt, height=300, prefix="wr")
    return render.html(
        TEMPLATE,
        **ctx,
        gegenereerd=_generated_line(generated),
        uren_tekst=_hours,
    )


def pdf(wijk: str, jaar: int, halfjaar: int, *, generated: dt.datetime) -> bytes:
    """The report as a tagged PDF (PDF/UA-1); ``generated`` is its creation date."""
    return render.pdf(html(wijk, jaar, halfjaar, generated=generated), created=generated)


# ------------------------------------------------------------------------------------------ Excel


def guard(value: Any) -> Any:
    """A text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int | float):
        return None if pd.isna(value) else value
    if isinstance(value, dt.datetime):
        return _local(value).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    return guard(str(value))


def _sheet(wb: Any, title: str, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "dd-mm-yyyy hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "dd-mm-yyyy"


def _stable_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same zip with every member stamped ``moment`` (zip entries otherwise carry the time of writing)."""
    stamp = _local(moment).timetuple()[:6]
    stamp = (max(stamp[0], 1980), *stamp[1:])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


def xlsx(wijk: str, jaar: int, halfjaar: int, *, generated: dt.datetime) -> bytes:
    """The report's tables as an Excel workbook: Indicatoren, Activiteiten, Uren, Toelichting, Over."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    ctx = context(wijk, jaar, halfjaar)
    ctx["samengesteld"].pop("figuur", None)
    onderdrukt = f"< {ctx['drempel']}"
    wb = Workbook()
    wb.remove(wb.active)

    _sheet(
        wb,
        "Indicatoren",
        [
            "Thema",
            "Indicator",
            "Code",
            "Jaar",
            "Waarde",
            "Eenheid",
            f"Waarde {ctx['basisjaar']}",
            "Score",
            "Oordeel",
            "Opmerking",
        ],
        [
            [
                i["thema"],
                i["titel"],
                i["indicator"],
                i["jaar"],
                onderdrukt if i["onderdrukt"] else i["waarde"],
                i["eenheid"],
                onderdrukt if (i["onderdrukt"] or i["basis_onderdrukt"]) else i["basiswaarde"],
                i["score"],
                i["oordeel"],
                i["opmerking"],
            ]
            for i in ctx["indicatoren"]
        ],
        [22, 45, 30, 8, 12, 18, 12, 10, 14, 50],
    )
    partners = [
        p for p in jp.PARTNERS if any(p in a["gepland"] or p in a["besteed"] for a in ctx["activiteiten"])
    ]
    _sheet(
        wb,
        "Activiteiten",
        [
            "Code",
            "Activiteit",
            "Thema",
            "Trekker",
            "Periode",
            "Status",
            "Gereed (%)",
            "Toelichting",
            "Uren gepland",
            "Uren besteed dit halfjaar",
            *[f"Gepland {jp.PARTNERS[p]}" for p in partners],
            *[f"Besteed {jp.PARTNERS[p]}" for p in partners],
        ],
        [
            [
                a["code"],
                a["titel"],
                a["thema"],
                a["trekker"],
                a["periode"],
                a["status"],
                a["procent"],
                a["toelichting"],
                a["gepland_totaal"],
                a["besteed_totaal"],
                *[a["gepland"].get(p) for p in partners],
                *[a["besteed"].get(p) if a["status"] != NOT_REPORTED else None for p in partners],
            ]
            for a in ctx["activiteiten"]
        ],
        [7, 40, 16, 20, 20, 18, 11, 50, 12, 14, *[14] * (2 * len(partners))],
    )
    _sheet(
        wb,
        "Uren",
        [
            "Partner",
            f"Gepland {jaar}",
            "Besteed dit halfjaar",
            f"Besteed {jaar} t/m dit halfjaar",
            "Besteed t/m dit halfjaar (% van gepland)",
        ],
        [
            [
                u["partner"],
                u["gepland"],
                u["besteed_halfjaar"],
                u["besteed_tot_nu"],
                None if u["aandeel"] is None else round(100 * u["aandeel"], 1),
            ]
            for u in ctx["uren"]
        ]
        + [
            [
                "Totaal",
                ctx["uren_totaal"]["gepland"],
                ctx["uren_totaal"]["besteed_halfjaar"],
                ctx["uren_totaal"]["besteed_tot_nu"],
                None,
            ]
        ],
        [24, 14, 20, 26, 26],
    )
    r = ctx["rapport"]
    _sheet(
        wb,
        "Toelichting",
        ["Vraag", "Antwoord van het leefbaarheidsteam"],
        [
            ["Wat ging goed?", r["goed"] if r else None],
            ["Wat ging niet goed?", r["niet_goed"] if r else None],
            ["Wat vragen we van de regiegroep?", r["vragen"] if r else None],
        ]
        + ([["Reden van de correctie", r["correctie_reden"]]] if r and r["versie"] > 1 else []),
        [34, 100],
    )
    stand = ctx["stand"]
    _sheet(
        wb,
        "Over",
        ["Gegeven", "Waarde"],
        [
            ["Rapport", ctx["titel"]],
            ["Wijk", ctx["wijk_naam"]],
            ["Wijkcode", ctx["wijk"]],
            ["Halfjaar", ctx["halfjaar_label"]],
            ["Jaarplan", ctx["plan"]["status"]],
            ["Rapportage", stand["tekst"]],
            ["Versie", r["versie"] if r else None],
            ["Ingediend op", r["ingediend_op"] if r else None],
            ["Uiterste datum", stand["deadline"]],
            ["Bron", ctx["bron"]],
            ["Gegenereerd op", _local(generated)],
            [
                "Kleine aantallen",
                f"Aantallen kleiner dan {ctx['drempel']} (en cijfers waaruit ze te herleiden zijn) staan als "
                f"'{onderdrukt}'.",
            ],
            ["Score", f"100 = het niveau van {ctx['basisjaar']}."],
        ],
        [20, 90],
    )
    created = generated.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    wb.properties.created = wb.properties.modified = created
    wb.properties.title = ctx["titel"]
    wb.properties.creator = "Wijkmonitor"
    wb.properties.language = "nl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # not openpyxl's save_workbook: that stamps "modified" with now
    return _stable_zip(buffer.getvalue(), generated)
