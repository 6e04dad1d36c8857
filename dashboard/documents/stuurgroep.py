"""The stuurgroep pack: the document the stuurgroep reads before its meeting (PDF, and an HTML preview).

Contents: a cover naming the data (a snapshot and its peildatum, or the live data) and the date; the target
status per wijk (the counts, the matrix of wijken and themes, the map and a table, the margin named); per
wijk half a page (the composite trend with its interval, the weakest and strongest indicators, the
jaarplan's progress); the capacity proposal with the regiegroep's advice; the decisions requested; the
agreements kept and broken; and the method on one page.

It is built with the pages' own data functions (``dashboard.queries``, ``plans``, ``steering``), so call it
inside ``dashboard.source.reading(src)`` for a snapshot. The defaults are the Stuurgroep page's: the
overall composite, the target year from the settings, and as "now" the target year (or the newest year
before it).

Disclosure control (``indicators.export``, the same rule as every export): a suppressed indicator row shows
"< drempel" and none of its numbers; a wijk whose composite basket holds such a row (in any year from the
baseline to the year shown) gets its status but no score, interval or trend chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import charts, plans, queries, source, steering
from dashboard import format as fmt
from dashboard.documents import render
from indicators.export import export_frame

TEMPLATE = "stuurgroep.html.j2"
GROEP = "samengesteld"


@dataclass(frozen=True)
class Suppression:
    drempel: int
    indicators: frozenset[tuple[str, str, int]]  # (gebied_code, indicator, jaar)
    composites: frozenset[tuple[str, str, int]]  # (gebied_code, groep, jaar)

    def composite_hidden(self, code: str, groep: str, van: int, tot: int) -> bool:
        return any((code, groep, j) in self.composites for j in range(van, tot + 1))


def suppression() -> Suppression:
    src = source.current()
    if src is None:
        raise RuntimeError("stuurgroep pack: call it inside dashboard.source.reading(...)")
    con = source.cursor(src)
    try:
        ind = export_frame(con, "indicators", ("wijk",))
        comp = export_frame(con, "composites", ("wijk",))
    finally:
        con.close()
    drempel = int(queries.settings()["drempel"])
    return Suppression(
        drempel,
        frozenset(
            zip(
                ind.loc[ind["onderdrukt"], "gebied_code"],
                ind.loc[ind["onderdrukt"], "indicator"],
                ind.loc[ind["onderdrukt"], "jaar"].astype(int),
                strict=True,
            )
        ),
        frozenset(
            zip(
                comp.loc[comp["onderdrukt"], "gebied_code"],
                comp.loc[comp["onderdrukt"], "thema"],
                comp.loc[comp["onderdrukt"], "jaar"].astype(int),
                strict=True,
            )
        ),
    )


def _status_class(status: str, soorten: list[str]) -> str:
    goed, slecht, _ = soorten
    return {goed: "status-goed", slecht: "status-slecht"}.get(status, "status-open")


def context(gemeente: str | None = None, *, generated: dt.datetime, charts_on: bool = True) -> dict:
    """Everything the pack shows (``charts_on=False``: no SVG charts, for a quick preview or a test)."""
    src = source.current()
    inst = queries.settings()
    basisjaar, doeljaar = int(inst["basisjaar"]), int(inst["doeljaar"])
    marge, fdr = float(inst["marge"]), float(inst["fdr_matrix"])
    grens = 100 * (1 - marge)
    jaren = queries.composite_years()
    if not jaren:
        raise render.DocumentError("Er zijn nog geen samengestelde scores: laad eerst de leveringen.")
    jaar = min(max(jaren), doeljaar) if doeljaar in jaren else max(jaren)
    gemeenten = queries.gemeenten()
    gemeente = gemeente or str(gemeenten["gebied_code"].iloc[0])
    gemeente_naam = dict(zip(gemeenten["gebied_code"], gemeenten["gebied_naam"], strict=True)).get(
        gemeente, gemeente
    )
    themas = queries.themes()
    thema_titels = dict(zip(themas["thema"], themas["titel"], strict=True))
    wijken = queries.areas("wijk", gemeente)
    wijk_namen = dict(zip(wijken["gebied_code"], wijken["gebied_naam"], strict=True))
    status = queries.target_status("wijk", jaar, doeljaar, GROEP, gemeente)
    voor_doeljaar = jaar < doeljaar
    soorten = charts.STATUS_VOOR_DOELJAAR if voor_doeljaar else charts.STATUS_NA_DOELJAAR
    sup = suppression()

    hidden = {code: sup.composite_hidden(code, GROEP, basisjaar, jaar) for code in status["gebied_code"]}
    shown = status.copy()
    numbers = [
        c
        for c in shown.columns
        if pd.api.types.is_float_dtype(shown[c]) or pd.api.types.is_integer_dtype(shown[c])
    ]
    shown[numbers] = shown[numbers].astype("float64")
    shown.loc[shown["gebied_code"].map(hidden).fillna(False).astype(bool), numbers] = float("nan")

    telling = status["status"].value_counts()
    aantallen = [
        (s, int(telling.get(s, 0))) for s in [*soorten, "geen data"] if s != "geen data" or telling.get(s, 0)
    ]

    # -- target table
    rows = []
    for r in shown.itertuples():
        row = {
            "code": r.gebied_code,
            "naam": r.gebied_naam,
            "status": r.status,
            "klasse": _status_class(r.status, soorten),
            "verborgen": hidden.get(r.gebied_code, False),
        }
        if voor_doeljaar:
            row |= {
                "score": r.score,
                "midden": r.projectie,
                "laag": r.projectie_laag,
                "hoog": r.projectie_hoog,
            }
        else:
            row |= {
                "score": r.doel_score,
                "laag": r.doel_ondergrens,
                "hoog": r.doel_bovengrens,
                "midden": None,
            }
        rows.append(row)

    # -- charts over all wijken
    figuren: dict[str, render.Chart] = {}
    groepen = ["samengesteld", *themas["thema"]]
    labels = {"samengesteld": "Samengesteld", **thema_titels}
    matrix = queries.composites("wijk", jaar, groepen, gemeente)
    keep = [
        not sup.composite_hidden(c, g, basisjaar, jaar)
        for c, g in zip(matrix["gebied_code"], matrix["groep"], strict=True)
    ]
    matrix = matrix[keep]
    if charts_on:
        fig, alt = charts.verdict_matrix(
            matrix, list(wijken["gebied_code"]), groepen, wijk_namen, labels, q=fdr
        )
        figuren["matrix"] = render.chart(fig, alt, height=110 + 34 * len(wijken), prefix="matrix")
        fig, alt = charts.status_map(shown, soorten, height=520)
        figuren["kaart"] = render.chart(fig, alt, height=520, prefix="kaart")

    # -- per wijk
    trend = queries.composite_trend("wijk", GROEP, gemeente)
    indicatoren = queries.worst_indicators("wijk", jaar, gemeente, per_area=1000)
    plan_jaar = plans.today().year
    voortgang = plans.progress_table(wijk_namen, plan_jaar)
    voortgang = {r["wijk_code"]: r for r in voortgang.to_dict("records")} if not voortgang.empty else {}
    per_wijk = []
    for row in rows:
        code = row["code"]
        eigen = indicatoren[indicatoren["gebied_code"] == code]
        eigen = eigen[[(code, i, jaar) not in sup.indicators for i in eigen["indicator"]]]
        zwakst = eigen.sort_values(["score", "indicator"]).head(3).to_dict("records")
        sterkst = (
            eigen.sort_values(["score", "indicator"], ascending=[False, True]).head(3).to_dict("records")
        )
        grafiek = None
        if charts_on and not row["verborgen"]:
            t = trend[(trend["gebied_code"] == code) & (trend["jaar"] >= basisjaar)]
            if not t.dropna(subset=["score"]).empty:
                proj = queries.composite_projection(code, GROEP, jaar, doeljaar)
                fig, alt = charts.composite_trend(
                    t,
                    proj,
                    baseline_year=basisjaar,
                    target_year=doeljaar,
                    limit=grens,
                    limit_label=f"grens {fmt.getal(grens, 1)}",
                    height=190,
                )
                alt = f"{row['naam']}: {alt}"
                grafiek = render.chart(fig, alt, height=190, prefix=f"w{code[-4:]}")
        per_wijk.append(
            row | {"zwakst": zwakst, "sterkst": sterkst, "grafiek": grafiek, "plan": voortgang.get(code)}
        )

    # -- capacity, decisions requested, agreements
    verdelingen = steering.distributions()
    voorstel = next((d for d in verdelingen if d.status == "advies"), None) or next(
        (d for d in verdelingen if d.status == "vastgesteld"), None
    )
    capaciteit = None
    if voorstel is not None:
        partners = sorted({p for p, _ in voorstel.uren})
        tabel = [
            {
                "wijk": wijk_namen.get(w, w),
                "uren": [voorstel.uren.get((p, w), 0) for p in partners],
                "totaal": sum(voorstel.uren.get((p, w), 0) for p in partners),
                "behoefte": voorstel.behoefte.get(w),
            }
            for w in wijk_namen
        ]
        capaciteit = {
            "verdeling": voorstel,
            "periode": steering.period_label(voorstel.jaar, voorstel.halfjaar),
            "partners": [steering.PARTNERS.get(p, p) for p in partners],
            "tabel": tabel,
            "totalen": [sum(voorstel.uren.get((p, w), 0) for w in wijk_namen) for p in partners],
        }
    gevraagd = {
        "verdelingen": [
            {
                "periode": steering.period_label(d.jaar, d.halfjaar),
                "naam": d.naam,
                "advies": d.advies,
                "uren": sum(d.uren.values()),
            }
            for d in verdelingen
            if d.status == "advies"
        ],
        "jaarplannen": [
            {
                "wijk": wijk_namen.get(p.wijk_code, p.wijk_code),
                "jaar": p.jaar,
                "activiteiten": len(p.actief),
                "advies": p.advies or "",
            }
            for p in plans.plans(status="advies")
            if p.wijk_code in wijk_namen
        ],
        "normeringen": [
            {
                "indicator": n.indicator,
                "toelichting": n.toelichting,
                "banden": "; ".join(f"vanaf {fmt.getal(g, 1)}: {lab}" for g, lab in n.banden),
            }
            for n in steering.norms()
            if n.status == "voorstel"
        ],
    }
    vanaf = max(basisjaar, plans.today().year - 2)
    afspraken = steering.agreement_results(vanaf, list(wijk_namen))
    afspraken_rows = (
        afspraken.sort_values(["partij", "afspraak", "periode"]).to_dict("records")
        if not afspraken.empty
        else []
    )
    nagekomen = int((afspraken["status"] == "nagekomen").sum()) if not afspraken.empty else 0
    niet = int((afspraken["status"] == "niet nagekomen").sum()) if not afspraken.empty else 0

    snap = src.snapshot if src else None
    return {
        "titel": f"Stuurgroeppakket {gemeente_naam}",
        "gemeente": gemeente_naam,
        "bron": src.label if src else "actuele gegevens",
        "momentopname": snap,
        "publicatie": snap.publicatie if snap else queries.publication(),
        "gegenereerd": generated,
        "jaar": jaar,
        "doeljaar": doeljaar,
        "basisjaar": basisjaar,
        "voor_doeljaar": voor_doeljaar,
        "marge": marge,
        "grens": grens,
        "fdr": fdr,
        "drempel": sup.drempel,
        "soorten": soorten,
        "aantallen": aantallen,
        "doelen": rows,
        "figuren": figuren,
        "wijken": per_wijk,
        "plan_jaar": plan_jaar,
        "capaciteit": capaciteit,
        "gevraagd": gevraagd,
        "afspraken": afspraken_rows,
        "afspraken_telling": {"nagekomen": nagekomen, "niet nagekomen": niet, "totaal": len(afspraken_rows)},
        "vandaag": plans.today(),
    }


def html(gemeente: str | None = None, *, generated: dt.datetime, charts_on: bool = True) -> str:
    return render.html(TEMPLATE, **context(gemeente, generated=generated, charts_on=charts_on))


def pdf(gemeente: str | None = None, *, generated: dt.datetime) -> bytes:
    """The pack as a tagged PDF; its creation date is the snapshot's when it is one (byte-stable)."""
    src = source.current()
    created = src.snapshot.gemaakt_op if src and src.snapshot else generated
    return render.pdf(html(gemeente, generated=generated), created=created)
