"""The pages' one way to the steering records (meetings and decisions, capacity and its distribution, the
normering, the action list, the agreements), on behalf of the viewer of this run, and to the need per
wijk that the capacity is distributed by.

Reads of the records are not cached: a write in this or another server process shows on the next run. Every
write goes through :mod:`wijkmonitor.records.sturing`, which authorises it again in the write's own
transaction and records it in the audit trail (a refusal raises
:class:`~wijkmonitor.records.authz.Refused`, a state conflict ``ValueError``; both Dutch).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import yaml

from dashboard import plans, queries
from etl.bronnen import REGISTRY
from wijkmonitor import capacity
from wijkmonitor.records import jaarplannen as jp
from wijkmonitor.records import sturing
from wijkmonitor.records.sturing import (  # noqa: F401  (re-exported for the pages)
    AANWEZIG,
    ACTIE_STATUS,
    AFSPRAAK_STATUS,
    EIGENAREN,
    METINGEN,
    NIVEAUS,
    NORM_STATUS,
    PARTNERS,
    SETTING_MAAT,
    SETTINGS_BEHOEFTE,
    VERDELING_STATUS,
    Action,
    Agreement,
    Decision,
    Distribution,
    Meeting,
    Norm,
    Result,
    format_date,
    period_label,
)

PAGE = "Capaciteit"


def store():  # noqa: ANN201 - sqlalchemy Engine
    return plans.store()


def _actor(page: str):  # noqa: ANN202
    return plans._actor(page)


def today() -> dt.date:
    return plans.today()


# ------------------------------------------------------------------------------------------ meetings


def meetings(
    niveau: str | None = None, wijk: str | None = None, vanaf: dt.date | None = None
) -> list[Meeting]:
    return sturing.list_meetings(store(), niveau, wijk, vanaf)


def meeting(vergadering_id: int) -> Meeting | None:
    return sturing.get_meeting(store(), vergadering_id)


def record_meeting(
    niveau: str,
    datum: dt.date,
    wijk: str | None = None,
    aanwezig: Sequence[str] = (),
    notities: str = "",
    page: str = PAGE,
) -> int:
    """Record a meeting with the warehouse publication this run reads (the data the meeting looked at)."""
    return sturing.record_meeting(
        store(), _actor(page), niveau, datum, wijk, aanwezig, queries.publication(), notities
    )


def decide(vergadering_id: int, onderwerp: str, tekst: str = "", page: str = PAGE) -> int:
    return sturing.decide(store(), _actor(page), vergadering_id, onderwerp, tekst)


def adopt_plan(wijk: str, jaar: int, vergadering_id: int, page: str = PAGE) -> None:
    sturing.adopt_plan(store(), _actor(page), wijk, jaar, vergadering_id)


# ------------------------------------------------------------------------------------------ capacity


def capacities(jaar: int) -> dict[str, int]:
    return sturing.capacities(store(), jaar)


def set_capacity(partner: str, jaar: int, uren: Any, page: str = PAGE) -> None:
    sturing.set_capacity(store(), _actor(page), partner, jaar, uren)


def distributions(jaar: int | None = None) -> list[Distribution]:
    return sturing.list_distributions(store(), jaar)


def distribution(verdeling_id: int) -> Distribution | None:
    return sturing.get_distribution(store(), verdeling_id)


def adopted_distribution(jaar: int) -> Distribution | None:
    return sturing.adopted_distribution(store(), jaar)


def save_scenario(
    jaar: int,
    halfjaar: int,
    naam: str,
    uren: Mapping[tuple[str, str], Any],
    behoefte: Mapping[str, float],
    verdeling_id: int | None = None,
    gezien_op: dt.datetime | None = None,
    page: str = PAGE,
) -> int:
    return sturing.save_scenario(
        store(),
        _actor(page),
        jaar,
        halfjaar,
        naam,
        uren,
        behoefte,
        need_weights(),
        queries.publication(),
        verdeling_id,
        gezien_op,
    )


def advise_distribution(verdeling_id: int, advies: str, page: str = PAGE) -> None:
    sturing.advise_distribution(store(), _actor(page), verdeling_id, advies)


def adopt_distribution(verdeling_id: int, vergadering_id: int, tekst: str = "", page: str = PAGE) -> None:
    sturing.adopt_distribution(store(), _actor(page), verdeling_id, vergadering_id, tekst)


def reject_distribution(verdeling_id: int, reden: str, page: str = PAGE) -> None:
    sturing.reject_distribution(store(), _actor(page), verdeling_id, reden)


# ------------------------------------------------------------------------------------------ normering


def norms(indicator: str | None = None) -> list[Norm]:
    return sturing.list_norms(store(), indicator)


def propose_norm(
    indicator: str, banden: Sequence[tuple[Any, Any]], toelichting: str = "", page: str = PAGE
) -> int:
    known = list(queries.indicators_catalogue()["indicator"])
    return sturing.propose_norm(store(), _actor(page), indicator, banden, toelichting, known)


def adopt_norm(norm_id: int, vergadering_id: int, page: str = PAGE) -> None:
    sturing.adopt_norm(store(), _actor(page), norm_id, vergadering_id)


def reject_norm(norm_id: int, reden: str, page: str = PAGE) -> None:
    sturing.reject_norm(store(), _actor(page), norm_id, reden)


def catalogue_bands() -> dict[str, tuple[tuple[float, str], ...]]:
    """The catalogue's norm bands (the default where the stuurgroep has adopted none)."""
    out: dict[str, tuple[tuple[float, str], ...]] = {}
    for r in queries.indicators_catalogue().itertuples():
        banden = getattr(r, "normering", None)
        if banden is None or (not isinstance(banden, str) and len(banden) == 0):
            continue
        parsed = []
        for item in list(banden):
            grens, _, label = str(item).partition(":")
            parsed.append((float(grens), label))
        if parsed:
            out[r.indicator] = tuple(sorted(parsed))
    return out


def bands_in_force() -> dict[str, tuple[tuple[float, str], ...]]:
    """Per indicator the norm bands the need formula uses: the adopted ones, else the catalogue's."""
    return {**catalogue_bands(), **sturing.adopted_norms(store())}


# ------------------------------------------------------------------------------------------ need


def need_weights() -> dict[str, Any]:
    return sturing.need_weights(store())


def set_need_setting(key: str, value: str | None, page: str = "Instellingen") -> None:
    sturing.set_need_setting(store(), _actor(page), key, value)


def weights() -> capacity.NeedWeights:
    w = need_weights()
    return capacity.NeedWeights(
        afstand=w["behoefte_gewicht_afstand"],
        normering=w["behoefte_gewicht_normering"],
        niveau=w["behoefte_gewicht_niveau"],
        maat=w[SETTING_MAAT],
    )


def need_years(gemeente: str) -> list[int]:
    return queries.need_years(gemeente)


def need_table(jaar: int, gemeente: str) -> pd.DataFrame:
    """The need of every wijk in ``jaar`` (wijkmonitor.capacity.need): size, A, N, L, behoefte, aandeel, by
    the norm bands in force and the weights in the settings."""
    return capacity.need(queries.need_inputs(jaar, gemeente), bands_in_force(), weights())


def proposal(hours: Mapping[str, int], need: pd.DataFrame) -> pd.DataFrame:
    """Each partner's hours over the wijken in proportion to need (largest remainder): partner, gebied_code, uren."""
    return capacity.distribute(dict(hours), dict(zip(need["gebied_code"], need["behoefte"], strict=True)))


def intensity(uren: Mapping[str, float], need: pd.DataFrame) -> pd.DataFrame:
    """Per wijk: hours, hours per 1,000 inhabitants and per unit of need."""
    return capacity.hours_per_need(uren, need)


# ------------------------------------------------------------------------------------------ hours in plans


def planned_and_spent(jaar: int) -> pd.DataFrame:
    """Per wijk and partner: the hours planned in the wijk's jaarplan of ``jaar`` (its activities that still
    count) and spent according to the newest version of its half-yearly reports."""
    rows = []
    reports = plans.reports(jaar=jaar)
    for p in plans.plans(jaar=jaar):
        own = [r for r in reports if r.wijk_code == p.wijk_code]
        for partner, (gepland, besteed) in jp.hours_per_partner(p, own).items():
            rows.append(
                {"wijk_code": p.wijk_code, "partner": partner, "gepland": gepland, "besteed": besteed}
            )
    return pd.DataFrame(rows, columns=["wijk_code", "partner", "gepland", "besteed"])


# ------------------------------------------------------------------------------------------ actions


def actions(wijk: str | None = None, open_only: bool = False) -> list[Action]:
    return sturing.list_actions(store(), wijk, open_only)


def save_action(action: Action, page: str = PAGE) -> int:
    return sturing.save_action(store(), _actor(page), action)


# ------------------------------------------------------------------------------------------ agreements


def agreements(ook_inactief: bool = False) -> list[Agreement]:
    return sturing.list_agreements(store(), ook_inactief)


def save_agreement(agreement: Agreement, page: str = PAGE) -> int:
    return sturing.save_agreement(store(), _actor(page), agreement)


def check_agreement(
    afspraak_id: int, periode: str, status: str, toelichting: str = "", page: str = PAGE
) -> None:
    sturing.check_agreement(store(), _actor(page), afspraak_id, periode, status, toelichting)


@functools.cache
def _periodicity() -> dict[str, str]:
    """Source -> the period its rows use (the partner registry; the CBS police tables: months)."""
    data = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    return {"politie": "maand", **{b: spec["periodiciteit"] for b, spec in data["bronnen"].items()}}


def last_day_of_period(start: dt.date, periodiciteit: str) -> dt.date:
    """The last day of the period that starts on ``start`` (jaar, halfjaar, kwartaal, maand or ISO week)."""
    if periodiciteit == "week":
        return start + dt.timedelta(days=6)
    months = {"jaar": 12, "halfjaar": 6, "kwartaal": 3, "maand": 1}.get(periodiciteit, 1)
    y, m = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + y, m + 1, 1) - dt.timedelta(days=1)


def _deliveries(bron: str) -> list[sturing.Delivery]:
    """A source's deliveries: when each was delivered and the last day of the last period it covers."""
    history = queries.delivery_history(bron)
    periodiciteit = _periodicity().get(bron, "maand")
    out = []
    for r in history.itertuples():
        laatste = r.laatste_periode
        tot = (
            None
            if laatste is None or pd.isna(laatste)
            else last_day_of_period(pd.Timestamp(laatste).date(), periodiciteit)
        )
        out.append(sturing.Delivery(pd.Timestamp(r.geleverd_op).date(), tot))
    return out


def agreement_results(vanaf_jaar: int, wijken: Sequence[str]) -> pd.DataFrame:
    """Every active agreement's outcome per period from ``vanaf_jaar`` up to today: measured from the data
    where the monitor can (deliveries from the warehouse's load history, meetings, the teams' reports),
    else the regiegroep's latest check. Columns: afspraak_id, afspraak, partij, termijn, meting, periode,
    status, toelichting, gemeten."""
    vandaag = today()
    agreed = agreements()
    manual = {(r.afspraak_id, r.periode): r for r in sturing.manual_results(store())}
    states = jp.reporting_overview(store(), list(wijken), vandaag, plans.grace_days(), vanaf_jaar)
    rows = []
    for a in agreed:
        if a.meting == "handmatig":
            results = [r for (aid, _), r in manual.items() if aid == a.id and r.periode >= str(vanaf_jaar)]
        else:
            p = a.parameters
            results = sturing.measure(
                a,
                vandaag,
                vanaf_jaar,
                leveringen=_deliveries(p["bron"]) if a.meting.startswith("levering") else (),
                vergaderdata=[m.datum for m in meetings(p["niveau"])] if a.meting == "vergaderritme" else (),
                rapportages=states if a.meting == "rapportage" else (),
            )
        for r in results:
            rows.append(
                {
                    "afspraak_id": a.id,
                    "afspraak": a.omschrijving,
                    "partij": EIGENAREN.get(a.partner, a.partner),
                    "termijn": a.termijn,
                    "meting": "gemeten" if r.gemeten else "getoetst",
                    "periode": r.periode,
                    "status": r.status,
                    "toelichting": r.toelichting,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "afspraak_id",
            "afspraak",
            "partij",
            "termijn",
            "meting",
            "periode",
            "status",
            "toelichting",
        ],
    )
