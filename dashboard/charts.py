"""Plotly figures with one look across pages: colour-blind-safe verdict colours (Okabe-Ito), one font,
Dutch number formatting. Every figure builder returns (figure, one-line text alternative).

Figures take data text as it is and escape it here (dashboard.safe.plot) where it becomes a Plotly string;
the text alternative is plain text: a page shows it with ``st.caption(safe.md(alt))``."""

from __future__ import annotations

import json
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboard import format as fmt
from dashboard.safe import plot, plots

FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 13, "color": "#262730"}
VERDICT_COLOURS = {"beter": "#0072B2", "gelijk": "#C8C8C8", "slechter": "#D55E00", "geen data": "#FFFFFF"}
VERDICT_TEXT = {"beter": "beter", "gelijk": "gelijk", "slechter": "slechter", "geen data": "geen data"}
# Arrows in the matrix cells: the verdict is also read without colour.
VERDICT_MARK = {"beter": "▲ ", "slechter": "▼ "}
# The target verdict: from the target year on gehaald / niet gehaald / onbeslist, before it op koers / uit koers
# / onzeker (same meaning, same colour). Light fills, so that dark text on them (area names with their status
# on the map) keeps at least 4.5:1; the status is always written out as well, never colour only.
STATUS_NA_DOELJAAR = ["gehaald", "niet gehaald", "onbeslist"]
STATUS_VOOR_DOELJAAR = ["op koers", "uit koers", "onzeker"]
STATUS_COLOURS = {
    "gehaald": "#56B4E9",
    "op koers": "#56B4E9",
    "niet gehaald": "#E69F00",
    "uit koers": "#E69F00",
    "onbeslist": "#D9D9D9",
    "onzeker": "#D9D9D9",
    "geen data": "#FFFFFF",
}
SCORE_SCALE = [[0.0, "#D55E00"], [0.35, "#F0B27A"], [0.5, "#F2F2F2"], [0.65, "#9CC9E6"], [1.0, "#0072B2"]]
LINE = "#4D4D4D"
SEPARATORS = ",."  # decimal comma, thousands dot


def _markers(
    fig: go.Figure,
    baseline_year: int,
    reference: float | None,
    limit: float | None,
    limit_label: str,
    target_year: int,
) -> None:
    """The baseline level (dashed), the margin's limit (dotted) and the target year (vertical) of a trend chart."""
    if reference is not None:
        fig.add_hline(
            y=reference,
            line={"color": LINE, "dash": "dash", "width": 1},
            annotation_text=f"{baseline_year} = {fmt.getal(reference)}",
            annotation_position="top left",
        )
    if limit is not None:
        fig.add_hline(
            y=limit,
            line={"color": LINE, "dash": "dot", "width": 1},
            annotation_text=limit_label,
            annotation_position="bottom left",
        )
    fig.add_vline(
        x=target_year,
        line={"color": "#E69F00", "width": 2},
        annotation_text=f"doeljaar {target_year}",
        annotation_position="top right",
    )


def value_scale(higher_is_better: bool) -> list:
    """Colour scale for raw values: blue where the value is good, orange where it is bad."""
    if higher_is_better:
        return SCORE_SCALE
    colours = [c for _, c in SCORE_SCALE][::-1]
    return [[p, c] for (p, _), c in zip(SCORE_SCALE, colours, strict=True)]


def _layout(fig: go.Figure, height: int, **kwargs) -> go.Figure:
    kwargs.setdefault("margin", {"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_layout(
        height=height,
        font=FONT,
        separators=SEPARATORS,
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font": FONT},
        **kwargs,
    )
    # Axis labels and titles in the text colour: Streamlit's Plotly theme draws them #808495 (3.7:1 on white,
    # below WCAG 1.4.3's 4.5:1; tests/test_accessibility.py measures them).
    fig.update_xaxes(tickfont_color=FONT["color"], title_font_color=FONT["color"])
    fig.update_yaxes(tickfont_color=FONT["color"], title_font_color=FONT["color"])
    return fig


def p_text(p: float | None) -> str:
    """A p-value in Dutch notation: 'p = 0,012', 'p < 0,001'."""
    if p is None or pd.isna(p):
        return "p –"
    return "p < 0,001" if p < 0.001 else f"p = {fmt.getal(p, 3)}"


def verdict_matrix(
    df: pd.DataFrame,
    rows: list[str],
    columns: list[str],
    row_labels: dict[str, str],
    column_labels: dict[str, str],
    *,
    q: float,
) -> tuple[go.Figure, str]:
    """Wijk x theme matrix coloured by the verdict after the Benjamini-Hochberg correction
    (verandering_aangepast, false discovery rate q); in the cell the score with an arrow for beter / slechter;
    on hover the score, its 95% interval, the raw verdict with its p-value and the adjusted p-value.

    df: gebied_code, groep, score, ci_laag, ci_hoog, p_waarde, p_aangepast, verandering, verandering_aangepast.
    """
    order = list(VERDICT_COLOURS)
    code = {v: i for i, v in enumerate(order)}
    cells = df.dropna(subset=["score"]).drop_duplicates(["gebied_code", "groep"])
    frame = cells.set_index(["gebied_code", "groep"])
    q_text = fmt.getal(q, 2)
    z, text, hover = [], [], []
    for r in rows:
        zr, tr, hr = [], [], []
        for c in columns:
            if (r, c) not in frame.index:
                zr.append(code["geen data"])
                tr.append("–")
                hr.append(f"{plot(row_labels[r])} · {plot(column_labels[c])}<br>geen data")
                continue
            cell = frame.loc[(r, c)]
            verdict = (
                cell["verandering_aangepast"] if isinstance(cell["verandering_aangepast"], str) else "gelijk"
            )
            raw = cell["verandering"] if isinstance(cell["verandering"], str) else "gelijk"
            zr.append(code[verdict])
            tr.append(VERDICT_MARK.get(verdict, "") + fmt.getal(cell["score"]))
            hr.append(
                f"{plot(row_labels[r])} · {plot(column_labels[c])}<br>score {fmt.getal(cell['score'])} (95%-interval "
                f"{fmt.getal(cell['ci_laag'])} – {fmt.getal(cell['ci_hoog'])})"
                f"<br>per toets: {raw} ({p_text(cell['p_waarde'])})"
                f"<br>na correctie (Benjamini–Hochberg, q = {q_text}): {verdict} ({p_text(cell['p_aangepast'])})"
            )
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    n = len(order)
    scale = []
    for i, v in enumerate(order):
        scale += [[i / n, VERDICT_COLOURS[v]], [(i + 1) / n, VERDICT_COLOURS[v]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[plot(column_labels[c]) for c in columns],
            y=[plot(row_labels[r]) for r in rows],
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            hovertemplate="%{customdata}<extra></extra>",
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    _layout(fig, 80 + 34 * len(rows), xaxis={"side": "top"}, yaxis={"autorange": "reversed"})
    shown = cells[cells["groep"].isin(columns) & cells["gebied_code"].isin(rows)]
    counts = shown["verandering_aangepast"].value_counts()
    raw = int(shown["verandering"].isin(["beter", "slechter"]).sum())
    adjusted = int(shown["verandering_aangepast"].isin(["beter", "slechter"]).sum())
    alt = (
        f"Matrix van wijken en thema's, oordeel na correctie voor het aantal toetsen (Benjamini–Hochberg, "
        f"q = {q_text}): "
        + ", ".join(
            f"{counts.get(v, 0)} {'cel' if counts.get(v, 0) == 1 else 'cellen'} {v}"
            for v in ("beter", "gelijk", "slechter")
        )
        + f". Zonder die correctie zouden {raw} cellen een verschil tonen, met correctie {adjusted}."
    )
    return fig, alt


def _rings(geometry: dict) -> list[list]:
    """Exterior rings of a Polygon / MultiPolygon (holes are not drawn: buurten rarely have them)."""
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [p[0] for p in geometry["coordinates"]]
    return []


def _draw_areas(
    fig: go.Figure, df: pd.DataFrame, colours: list[str], texts: list[str], labels: list[str] | None
) -> bool:
    """The areas of df as filled polygons in their colours, with hover text from one invisible marker at each
    centre and, when given (and there are few areas), a label on each area; a tile grid when an area has no
    geometry. Returns whether real geometry was drawn."""
    has_geo = len(df) > 0 and df["geometrie"].notna().all()
    if has_geo:
        geometries = [json.loads(g) for g in df["geometrie"]]
        lats = [pt[1] for g in geometries for ring in _rings(g) for pt in ring]
        scale = math.cos(math.radians(sum(lats) / len(lats))) if lats else 1
        # One filled trace per colour (rings separated by None), not one per area: a gemeente with hundreds
        # of buurten stays a handful of traces. Hover comes from one marker per area at its centre.
        by_colour: dict[str, tuple[list, list]] = {}
        centres = []
        for geom, colour in zip(geometries, colours, strict=True):
            xs, ys = by_colour.setdefault(colour, ([], []))
            rings = _rings(geom)
            for ring in rings:
                xs.extend([pt[0] * scale for pt in ring] + [None])
                ys.extend([pt[1] for pt in ring] + [None])
            ring = max(rings, key=len, default=None)
            centres.append(
                (sum(p[0] for p in ring) / len(ring) * scale, sum(p[1] for p in ring) / len(ring))
                if ring
                else (None, None)
            )
        for colour, (xs, ys) in by_colour.items():
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    fill="toself",
                    fillcolor=colour,
                    line={"color": "#7F7F7F" if colour.upper() == "#FFFFFF" else "white", "width": 1},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        fig.add_trace(
            go.Scatter(
                x=[c[0] for c in centres],
                y=[c[1] for c in centres],
                mode="markers",
                marker={"size": 14, "opacity": 0},
                text=texts,
                hoverinfo="text",
                showlegend=False,
                name="gebieden",
            )
        )
        if labels is not None and len(df) <= 20:  # labels on the map when they fit
            for (x, y), label in zip(centres, labels, strict=True):
                if x is not None:
                    fig.add_annotation(
                        x=x, y=y, text=label, showarrow=False, font={"size": 10, "color": FONT["color"]}
                    )
        return True
    # Tile map fallback: one square per area, in code order, when geometry is missing.
    cols = max(1, math.ceil(math.sqrt(max(len(df), 1))))
    fig.add_trace(
        go.Scatter(
            x=[i % cols for i in range(len(df))],
            y=[-(i // cols) for i in range(len(df))],
            mode="markers+text",
            text=labels if labels is not None else [""] * len(df),
            textposition="middle center",
            textfont={"size": 9},
            marker={
                "symbol": "square",
                "size": 46,
                "color": colours,
                "line": {"color": "#BBBBBB", "width": 1},
            },
            hovertext=texts,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    return False


def _finish_map(fig: go.Figure, has_geo: bool, height: int, **kwargs) -> str:
    """Axes and layout of a map; the note for the alternative text when it is a tile grid."""
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    title = None if has_geo else {"text": "Geen kaartgrenzen geladen: tegelkaart", "font": {"size": 12}}
    _layout(fig, height, title=title, hovermode="closest", **kwargs)
    return "" if has_geo else " (tegelkaart: er is geen geometrie geladen)"


def choropleth(
    df: pd.DataFrame,
    value: str,
    label: str,
    *,
    hover: str = "gebied_naam",
    zmid: float | None = 100,
    zmin: float | None = 50,
    zmax: float | None = 150,
    height: int = 480,
    colourscale=None,
) -> tuple[go.Figure, str]:
    """A map of ``value`` per area from the areas' own geometry; a tile grid when there is no geometry.

    Drawn as filled SVG polygons on plain axes (longitude scaled by cos(latitude)), not as a plotly geo map:
    geo maps fetch their world outline from the internet, and this runs offline. df: gebied_code,
    gebied_naam, geometrie, <value>.
    """
    colourscale = colourscale or SCORE_SCALE
    values = pd.to_numeric(df[value], errors="coerce")
    lo = zmin if zmin is not None else (values.min() if values.notna().any() else 0)
    hi = zmax if zmax is not None else (values.max() if values.notna().any() else 1)
    if zmid is not None:
        half = max(abs(hi - zmid), abs(zmid - lo)) or 1
        lo, hi = zmid - half, zmid + half
    span = (hi - lo) or 1
    alt_values = df.assign(_v=values).dropna(subset=["_v"]).sort_values("_v")
    alt = f"Kaart van {label} per gebied"
    if not alt_values.empty:
        alt += (
            f": laagste {alt_values[hover].iloc[0]} ({fmt.getal(alt_values['_v'].iloc[0], 1)}), "
            f"hoogste {alt_values[hover].iloc[-1]} ({fmt.getal(alt_values['_v'].iloc[-1], 1)})."
        )
    texts = [f"{plot(n)}<br>{plot(label)}: {fmt.getal(v, 1)}" for n, v in zip(df[hover], values, strict=True)]
    steps = 20  # colour steps: a handful of traces however many areas
    colours = [
        "#FFFFFF"
        if pd.isna(v)
        else sample_colorscale(colourscale, [round(min(1, max(0, (v - lo) / span)) * steps) / steps])[0]
        for v in values
    ]
    fig = go.Figure()
    has_geo = _draw_areas(fig, df, colours, texts, plots(df[hover]))
    # the colour bar, on an invisible trace
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker={
                "colorscale": colourscale,
                "cmin": lo,
                "cmax": hi,
                "color": [lo],
                "showscale": True,
                "colorbar": {"title": {"text": plot(label)}, "thickness": 12},
            },
        )
    )
    alt += _finish_map(fig, has_geo, height)
    return fig, alt


def status_map(
    df: pd.DataFrame,
    statuses: list[str],
    *,
    hover: str = "gebied_naam",
    height: int = 480,
) -> tuple[go.Figure, str]:
    """A map of the target status per area: one colour per status, the status written on the area (when
    the areas fit) and in the hover, and a legend with the number of areas per status.

    df: gebied_code, gebied_naam, geometrie, status, score [, grens]. statuses: the order of the legend.
    """
    order = [*statuses, *[v for v in STATUS_COLOURS if v not in statuses and v in set(df["status"])]]
    colours = [STATUS_COLOURS.get(v, "#FFFFFF") for v in df["status"]]
    texts = [
        f"{plot(n)}<br>{plot(v)}" + (f"<br>score {fmt.getal(sc, 1)}" if pd.notna(sc) else "")
        for n, v, sc in zip(df[hover], df["status"], df["score"], strict=True)
    ]
    labels = [f"{plot(n)}<br>{plot(v)}" for n, v in zip(df[hover], df["status"], strict=True)]
    fig = go.Figure()
    has_geo = _draw_areas(fig, df, colours, texts, labels)
    counts = df["status"].value_counts()
    for v in order:  # the legend: one invisible marker per status
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"{v} ({int(counts.get(v, 0))})",
                marker={
                    "symbol": "square",
                    "size": 14,
                    "color": STATUS_COLOURS.get(v, "#FFFFFF"),
                    "line": {"color": "#7F7F7F", "width": 1},
                },
                hoverinfo="skip",
                showlegend=True,
            )
        )
    alt = (
        "Kaart van het oordeel per gebied: " + ", ".join(f"{int(counts.get(v, 0))} {v}" for v in order) + "."
    )
    alt += _finish_map(fig, has_geo, height, legend={"orientation": "h", "y": -0.02, "x": 0})
    return fig, alt


def trend(
    df: pd.DataFrame,
    series: str,
    label: str,
    *,
    baseline_year: int,
    target_year: int,
    highlight: str | None = None,
    reference: float | None = 100,
    limit: float | None = None,
    limit_label: str = "",
    height: int = 380,
    band: bool = False,
) -> tuple[go.Figure, str]:
    """Lines per series over the years; the baseline line (100), the margin's limit (when given) and the
    target year marked.

    df: <series>, jaar, score [, ci_laag, ci_hoog].
    """
    fig = go.Figure()
    for name, part in df.sort_values("jaar").groupby(series, sort=True):
        strong = highlight is None or name == highlight
        if band and "ci_laag" in part:
            fig.add_trace(
                go.Scatter(
                    x=list(part["jaar"]) + list(part["jaar"])[::-1],
                    y=list(part["ci_hoog"]) + list(part["ci_laag"])[::-1],
                    fill="toself",
                    mode="lines",
                    line={"width": 0},
                    fillcolor="rgba(0,114,178,0.15)",
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        fig.add_trace(
            go.Scatter(
                x=part["jaar"],
                y=part["score"],
                mode="lines+markers",
                name=plot(name),
                line={"width": 3 if strong else 1.2, "color": None if strong else "#B0B0B0"},
                opacity=1 if strong else 0.7,
                text=[plot(name)] * len(part),  # shown only on hover (mode has no "text")
                hovertemplate="%{text}<br>%{x}: %{y:.1f}<extra></extra>",
            )
        )
    _markers(fig, baseline_year, reference, limit, limit_label, target_year)
    _layout(
        fig,
        height,
        xaxis={"dtick": 1, "title": None},
        yaxis={"title": plot(label), "gridcolor": "#EEEEEE"},
        legend={"orientation": "h", "y": -0.15},
    )
    last = df[df["jaar"] == df["jaar"].max()].dropna(subset=["score"]).sort_values("score")
    alt = f"Lijngrafiek van {label} per jaar."
    if not last.empty:
        alt += (
            f" In {int(df['jaar'].max())}: laagste {last[series].iloc[0]} ({fmt.getal(last['score'].iloc[0], 1)}),"
            f" hoogste {last[series].iloc[-1]} ({fmt.getal(last['score'].iloc[-1], 1)})."
        )
    return fig, alt


def composite_trend(
    df: pd.DataFrame,
    projection: pd.DataFrame,
    *,
    baseline_year: int,
    target_year: int,
    limit: float,
    limit_label: str,
    height: int = 380,
) -> tuple[go.Figure, str]:
    """One area's composite score per year with its 95% interval, the margin's limit, and (when given) the
    trend line projected to the target year with its 95% prediction interval.

    df: jaar, score, ci_laag, ci_hoog. projection: jaar, projectie, projectie_laag, projectie_hoog (the
    interval only for the projected years; may be empty).
    """
    # plain lists, not arrays: the figure's JSON stays readable (Plotly encodes arrays as binary)
    d = df.dropna(subset=["score"]).sort_values("jaar")
    fig = go.Figure()
    values = list(d["ci_laag"]) + list(d["ci_hoog"]) + [limit, 100]
    p = projection.sort_values("jaar")
    ahead = p.dropna(subset=["projectie_laag"])
    if not p.empty:
        if not ahead.empty:
            # the prediction band from the last measured year of the line to the target year
            start = p[p["jaar"] < ahead["jaar"].min()].tail(1)
            xs = start["jaar"].tolist() + ahead["jaar"].tolist()
            lo = start["projectie"].tolist() + ahead["projectie_laag"].tolist()
            hi = start["projectie"].tolist() + ahead["projectie_hoog"].tolist()
            fig.add_trace(
                go.Scatter(
                    x=xs + xs[::-1],
                    y=hi + lo[::-1],
                    fill="toself",
                    mode="lines",
                    line={"width": 0},
                    fillcolor="rgba(230,159,0,0.22)",
                    hoverinfo="skip",
                    name="95%-voorspellingsinterval",
                )
            )
            values += list(ahead["projectie_laag"]) + list(ahead["projectie_hoog"])
        fig.add_trace(
            go.Scatter(
                x=p["jaar"].tolist(),
                y=p["projectie"].tolist(),
                mode="lines",
                line={"color": "#8A5A00", "dash": "dash", "width": 2},
                name="trend en voorspelling",
                customdata=[
                    f"voorspeld {fmt.getal(v, 1)} (95%-voorspellingsinterval {fmt.getal(a, 1)} – {fmt.getal(b, 1)})"
                    if pd.notna(a)
                    else f"trendlijn {fmt.getal(v, 1)}"
                    for v, a, b in zip(p["projectie"], p["projectie_laag"], p["projectie_hoog"], strict=True)
                ],
                hovertemplate="%{x}: %{customdata}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=d["jaar"].tolist(),
            y=d["score"].tolist(),
            mode="lines+markers",
            name="score met 95%-interval",
            line={"color": "#0072B2", "width": 3},
            marker={"size": 8},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (d["ci_hoog"] - d["score"]).tolist(),
                "arrayminus": (d["score"] - d["ci_laag"]).tolist(),
                "color": "#0072B2",
                "thickness": 1.5,
            },
            customdata=[
                f"{fmt.getal(v, 1)} (95%-interval {fmt.getal(a, 1)} – {fmt.getal(b, 1)})"
                for v, a, b in zip(d["score"], d["ci_laag"], d["ci_hoog"], strict=True)
            ],
            hovertemplate="%{x}: score %{customdata}<extra></extra>",
        )
    )
    _markers(fig, baseline_year, 100, limit, limit_label, target_year)
    finite = [v for v in values if pd.notna(v)]
    low, high = max(min(finite), 40.0), min(max(finite), 250.0)  # a wild prediction interval is cut off
    clipped = min(finite) < low or max(finite) > high
    _layout(
        fig,
        height,
        xaxis={"dtick": 1, "title": None},
        yaxis={
            "title": f"score (100 = {baseline_year})",
            "gridcolor": "#EEEEEE",
            "range": [low - 0.05 * (high - low), high + 0.05 * (high - low)],
        },
        legend={"orientation": "h", "y": -0.15},
    )
    alt = "Geen samengestelde score."
    if not d.empty:
        first, last = d.iloc[0], d.iloc[-1]
        alt = (
            f"Samengestelde score van {fmt.getal(first['score'], 1)} in {int(first['jaar'])} naar "
            f"{fmt.getal(last['score'], 1)} in {int(last['jaar'])} (95%-interval {fmt.getal(last['ci_laag'], 1)} – "
            f"{fmt.getal(last['ci_hoog'], 1)}); {limit_label}."
        )
    if not ahead.empty:
        end = ahead.iloc[-1]
        alt += (
            f" Voorspeld voor {int(end['jaar'])}: {fmt.getal(end['projectie'], 1)} (95%-voorspellingsinterval "
            f"{fmt.getal(end['projectie_laag'], 1)} – {fmt.getal(end['projectie_hoog'], 1)})."
        )
    if clipped:
        alt += " Het interval is breder dan de grafiek laat zien."
    return fig, alt


def indicator_trend(
    area: pd.DataFrame,
    gemeente: pd.DataFrame | None,
    unit: str,
    *,
    baseline_year: int,
    target_year: int,
    height: int = 240,
) -> tuple[go.Figure, str]:
    """One indicator for one area with its 95% band, and the gemeente for comparison.

    area / gemeente: jaar, waarde, ci_laag, ci_hoog.
    """
    fig = go.Figure()
    a = area.sort_values("jaar")
    if a["ci_laag"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=list(a["jaar"]) + list(a["jaar"])[::-1],
                y=list(a["ci_hoog"]) + list(a["ci_laag"])[::-1],
                fill="toself",
                mode="lines",
                fillcolor="rgba(0,114,178,0.18)",
                line={"width": 0},
                hoverinfo="skip",
                name="95%-interval",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=a["jaar"],
            y=a["waarde"],
            mode="lines+markers",
            name="wijk",
            line={"color": "#0072B2", "width": 2.5},
            hovertemplate="%{x}: %{y:.2f}<extra>wijk</extra>",
        )
    )
    if gemeente is not None and not gemeente.empty:
        g = gemeente.sort_values("jaar")
        fig.add_trace(
            go.Scatter(
                x=g["jaar"],
                y=g["waarde"],
                mode="lines",
                name="gemeente",
                line={"color": LINE, "dash": "dot", "width": 1.5},
                hovertemplate="%{x}: %{y:.2f}<extra>gemeente</extra>",
            )
        )
    fig.add_vline(x=baseline_year, line={"color": "#BBBBBB", "width": 1})
    fig.add_vline(x=target_year, line={"color": "#E69F00", "width": 1})
    _layout(
        fig,
        height,
        showlegend=False,
        xaxis={"dtick": 2},
        yaxis={"title": plot(unit), "gridcolor": "#EEEEEE"},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    alt = "Geen waarden."
    if not a.empty:
        first, last = a.iloc[0], a.iloc[-1]
        alt = (
            f"Van {fmt.getal(first['waarde'], 2)} in {int(first['jaar'])} naar {fmt.getal(last['waarde'], 2)} "
            f"in {int(last['jaar'])} ({unit})."
        )
    return fig, alt


def _ranking_hover(r) -> str:
    text = f"{fmt.getal(r.waarde, 2)} (95%-interval {fmt.getal(r.ci_laag, 2)} – {fmt.getal(r.ci_hoog, 2)})"
    score = getattr(r, "score", None)
    if score is not None and pd.notna(score):
        text += f"<br>score {fmt.getal(score)}"
        if pd.notna(getattr(r, "score_laag", None)):
            text += f" (95%-interval {fmt.getal(r.score_laag)} – {fmt.getal(r.score_hoog)})"
    verdict = r.verandering if isinstance(r.verandering, str) else "geen oordeel"
    return text + f"<br>{verdict}"


def ranking(
    df: pd.DataFrame,
    unit: str,
    gemeente_value: float | None,
    higher_is_better: bool,
    height: int | None = None,
) -> tuple[go.Figure, str]:
    """Wijken ranked by value with their 95% interval bars (best at the top); on hover also the score
    against the baseline with its interval and the verdict.

    df: gebied_naam, waarde, ci_laag, ci_hoog, verandering [, score, score_laag, score_hoog].
    """
    d = df.dropna(subset=["waarde"]).sort_values("waarde", ascending=not higher_is_better)
    colours = [
        VERDICT_COLOURS.get(v, "#888888") if isinstance(v, str) else "#888888" for v in d["verandering"]
    ]
    fig = go.Figure(
        go.Scatter(
            x=d["waarde"],
            y=plots(d["gebied_naam"]),
            mode="markers",
            marker={"size": 11, "color": colours, "line": {"color": LINE, "width": 1}},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": d["ci_hoog"] - d["waarde"],
                "arrayminus": d["waarde"] - d["ci_laag"],
                "color": "#7F7F7F",
                "thickness": 1.5,
            },
            customdata=[_ranking_hover(r) for r in d.itertuples()],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    )
    if gemeente_value is not None and not math.isnan(gemeente_value):
        fig.add_vline(
            x=gemeente_value,
            line={"color": LINE, "dash": "dot"},
            annotation_text=f"gemeente {fmt.getal(gemeente_value, 1)}",
        )
    _layout(
        fig,
        height or 80 + 28 * len(d),
        yaxis={"autorange": "reversed"},
        xaxis={"title": plot(unit), "gridcolor": "#EEEEEE"},
    )
    alt = "Geen waarden."
    if not d.empty:
        alt = (
            f"Rangorde van {len(d)} wijken ({unit}): beste {d['gebied_naam'].iloc[0]} "
            f"({fmt.getal(d['waarde'].iloc[0], 2)}), minste {d['gebied_naam'].iloc[-1]} "
            f"({fmt.getal(d['waarde'].iloc[-1], 2)})."
        )
    return fig, alt


def monthly_history(df: pd.DataFrame, title: str, height: int = 300) -> tuple[go.Figure, str]:
    """Monthly counts with the expected level (same months of earlier years); signals highlighted.

    df: periode, aantal, verwacht, signaal.
    """
    d = df.sort_values("periode")
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=d["periode"],
            y=d["aantal"],
            name="aantal",
            marker={"color": ["#D55E00" if s else "#9CC9E6" for s in d["signaal"]]},
            hovertemplate="%{x|%b %Y}: %{y}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=d["periode"],
            y=d["verwacht"],
            mode="lines",
            name="verwacht",
            line={"color": LINE, "dash": "dot"},
            hovertemplate="verwacht %{y:.1f}<extra></extra>",
        )
    )
    _layout(
        fig,
        height,
        title={"text": plot(title), "font": {"size": 13}},
        legend={"orientation": "h", "y": -0.2},
        yaxis={"title": "aantal per maand", "gridcolor": "#EEEEEE"},
    )
    n = int(d["signaal"].sum())
    return fig, f"{title}: maandcijfers met de verwachte waarde; {n} maand(en) met een signaal."


def compare_bars(
    df: pd.DataFrame,
    category: str,
    before: str,
    now: str,
    before_label: str,
    now_label: str,
    title: str,
    height: int = 340,
) -> tuple[go.Figure, str]:
    """Grouped bars: earlier level (grey) against now (blue) per category."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(x=plots(df[category]), y=df[before], name=plot(before_label), marker={"color": "#C8C8C8"})
    )
    fig.add_trace(go.Bar(x=plots(df[category]), y=df[now], name=plot(now_label), marker={"color": "#0072B2"}))
    _layout(
        fig,
        height,
        barmode="group",
        legend={"orientation": "h", "y": 1.1},
        yaxis={"gridcolor": "#EEEEEE", "title": "aantal"},
    )
    ratio = (df[now] / df[before]).replace([float("inf")], float("nan"))
    alt = f"{title} per {category.split('_')[0]}, {now_label} tegen {before_label}."
    if ratio.notna().any():
        top = df.loc[ratio.idxmax()]
        alt += (
            f" Grootste stijging: {top[category]} ({fmt.getal(top[now])} tegen gemiddeld "
            f"{fmt.getal(top[before], 1)})."
        )
    return fig, alt
