"""The Jaarplan page's figures: the agenda of a year by month and the planned against spent hours per partner.

Same look as dashboard.charts (one font, Dutch numbers, colour-blind-safe Okabe-Ito colours). Every builder
returns (figure, one-line text alternative); text people wrote (activity titles) is escaped with
dashboard.safe.plot where it becomes a Plotly string, and is plain text in the alternative.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from dashboard import format as fmt
from dashboard.charts import FONT, _layout
from dashboard.safe import plot
from wijkmonitor.records.jaarplannen import MONTHS, PARTNERS, Activity

# One colour per partner (Okabe-Ito), in the order of PARTNERS; the legend names the partner too.
PARTNER_COLOURS = {
    "gemeente": "#0072B2",
    "politie": "#56B4E9",
    "corporatie": "#009E73",
    "welzijn": "#CC79A7",
    "buurtpreventie": "#E69F00",
}
PLANNED, SPENT = "#C8C8C8", "#0072B2"
MAX_LABEL = 48  # activity titles longer than this are cut on the axis (the hover has the whole title)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _months(a: Activity) -> str:
    if a.start_maand == a.eind_maand:
        return MONTHS[a.start_maand - 1]
    return f"{MONTHS[a.start_maand - 1]} t/m {MONTHS[a.eind_maand - 1]}"


def _hours(uren: Mapping[str, float]) -> str:
    parts = [f"{PARTNERS.get(p, p)} {fmt.getal(h)}" for p, h in uren.items() if h]
    return ", ".join(parts) if parts else "geen uren gepland"


def agenda(
    activiteiten: Sequence[Activity], jaar: int, vandaag: dt.date | None = None
) -> tuple[go.Figure, str]:
    """A bar per activity from its start to its end month, coloured by the lead partner (trekker); on hover
    the title, the months, the partners and the planned hours. A line marks ``vandaag`` in its year."""
    acts = sorted(activiteiten, key=lambda a: (a.start_maand, a.eind_maand, a.code))
    labels = {a.code: f"{a.code} {_short(a.titel)}" for a in acts}
    fig = go.Figure()
    for partner, naam in PARTNERS.items():
        mine = [a for a in acts if a.trekker == partner]
        if not mine:
            continue
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=[plot(labels[a.code]) for a in mine],
                x=[a.eind_maand - a.start_maand + 1 for a in mine],
                base=[a.start_maand - 1 for a in mine],
                name=plot(naam),
                marker={"color": PARTNER_COLOURS.get(partner, "#999999")},
                customdata=[
                    [
                        plot(f"{a.code} {' '.join(a.titel.split())}"),
                        plot(_months(a)),
                        plot(", ".join(PARTNERS.get(p, p) for p in a.partners)),
                        plot(_hours(a.uren)),
                        fmt.getal(a.uren_totaal),
                    ]
                    for a in mine
                ],
                hovertemplate=(
                    "%{customdata[0]}<br>%{customdata[1]}<br>partners: %{customdata[2]}"
                    "<br>uren: %{customdata[3]} (samen %{customdata[4]})<extra></extra>"
                ),
            )
        )
    order = [plot(labels[a.code]) for a in acts]
    # months along the top, the "vandaag" line's label just under the bars, the legend below that
    top, bottom = 40, 80
    height = top + bottom + 30 * max(len(acts), 1)
    _layout(
        fig,
        height,
        barmode="overlay",
        legend={
            "orientation": "h",
            "y": -26 / (height - top - bottom),
            "yanchor": "top",
            "x": 0,
            "title": {"text": "Trekker", "font": {"color": FONT["color"]}},
        },
        xaxis={
            "range": [0, 12],
            "tickvals": [m + 0.5 for m in range(12)],
            "ticktext": [m[:3] for m in MONTHS],
            "side": "top",
            "showgrid": False,
            "minor": {"tickvals": list(range(13)), "showgrid": True, "gridcolor": "#EEEEEE"},
        },
        yaxis={"categoryorder": "array", "categoryarray": order, "autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": top, "b": bottom},
    )
    if vandaag is not None and vandaag.year == jaar:
        days = calendar.monthrange(jaar, vandaag.month)[1]
        x = vandaag.month - 1 + (vandaag.day - 0.5) / days
        fig.add_vline(x=x, line={"color": "#D55E00", "width": 2, "dash": "dot"})
        fig.add_annotation(
            x=x,
            y=0,
            yref="paper",
            yanchor="top",
            text=f"vandaag ({vandaag.day} {MONTHS[vandaag.month - 1]})",
            showarrow=False,
            font={**FONT, "size": 11},
        )
    if not acts:
        return fig, f"Agenda {jaar}: geen activiteiten."
    per_partner = {PARTNERS[p]: sum(a.trekker == p for a in acts) for p in PARTNERS}
    lead = ", ".join(f"{n} {k}" for k, n in per_partner.items() if n)
    first, last = min(a.start_maand for a in acts), max(a.eind_maand for a in acts)
    alt = (
        f"Agenda {jaar}: {len(acts)} {'activiteit' if len(acts) == 1 else 'activiteiten'} van "
        f"{MONTHS[first - 1]} tot en met {MONTHS[last - 1]}, als balk van start- tot eindmaand; "
        f"trekker: {lead}."
    )
    return fig, alt


def hours(per_partner: Mapping[str, tuple[float, float]], jaar: int) -> tuple[go.Figure, str]:
    """Grouped bars per partner: hours planned in the jaarplan (grey) against hours spent as reported (blue).

    per_partner: partner -> (gepland, besteed), as jaarplannen.hours_per_partner gives it."""
    partners = list(per_partner)
    names = [plot(PARTNERS.get(p, p)) for p in partners]
    planned = [per_partner[p][0] for p in partners]
    spent = [per_partner[p][1] for p in partners]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=names,
            y=planned,
            name="gepland",
            marker={"color": PLANNED},
            hovertemplate="%{x}: %{y:,.0f} uur gepland<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=spent,
            name="besteed",
            marker={"color": SPENT},
            hovertemplate="%{x}: %{y:,.0f} uur besteed<extra></extra>",
        )
    )
    _layout(
        fig,
        320,
        barmode="group",
        legend={"orientation": "h", "y": 1.1},
        yaxis={"gridcolor": "#EEEEEE", "title": "uren"},
    )
    if not partners:
        return fig, f"Uren {jaar}: geen uren gepland of besteed."
    alt = f"Uren {jaar} per partner, gepland tegen besteed: " + "; ".join(
        f"{PARTNERS.get(p, p)} {fmt.getal(g)} gepland, {fmt.getal(b)} besteed"
        for p, (g, b) in per_partner.items()
    )
    return fig, alt + "."
