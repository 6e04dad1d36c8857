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
STATUS_COLOURS = {
    "gehaald": "#0072B2",
    "op koers": "#56B4E9",
    "risico": "#E69F00",
    "uit koers": "#D55E00",
    "niet gehaald": "#D55E00",
    "geen data": "#FFFFFF",
}
SCORE_SCALE = [[0.0, "#D55E00"], [0.35, "#F0B27A"], [0.5, "#F2F2F2"], [0.65, "#9CC9E6"], [1.0, "#0072B2"]]
LINE = "#4D4D4D"
SEPARATORS = ",."  # decimal comma, thousands dot


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


def verdict_matrix(
    df: pd.DataFrame,
    rows: list[str],
    columns: list[str],
    row_labels: dict[str, str],
    column_labels: dict[str, str],
) -> tuple[go.Figure, str]:
    """Wijk x theme matrix coloured by verdict, score in the cell, interval on hover.

    df: gebied_code, groep, score, ci_laag, ci_hoog, verandering.
    """
    order = list(VERDICT_COLOURS)
    code = {v: i for i, v in enumerate(order)}
    cells = df.dropna(subset=["score"]).drop_duplicates(["gebied_code", "groep"])
    frame = cells.pivot(index="gebied_code", columns="groep").reindex(index=rows)
    z, text, hover = [], [], []
    for r in rows:
        zr, tr, hr = [], [], []
        for c in columns:
            score = frame.at[r, ("score", c)] if ("score", c) in frame.columns else float("nan")
            if pd.isna(score):
                zr.append(code["geen data"])
                tr.append("–")
                hr.append(f"{plot(row_labels[r])} · {plot(column_labels[c])}<br>geen data")
                continue
            verdict = frame.at[r, ("verandering", c)]
            zr.append(code[verdict])
            tr.append(fmt.getal(score))
            hr.append(
                f"{plot(row_labels[r])} · {plot(column_labels[c])}<br>score {fmt.getal(score)} (95%-interval "
                f"{fmt.getal(frame.at[r, ('ci_laag', c)])} – {fmt.getal(frame.at[r, ('ci_hoog', c)])})"
                f"<br>{verdict}"
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
    counts = df["verandering"].value_counts()
    alt = (
        "Matrix van wijken en thema's: "
        + ", ".join(f"{counts.get(v, 0)} cellen {v}" for v in ("beter", "gelijk", "slechter"))
        + "."
    )
    return fig, alt


def _rings(geometry: dict) -> list[list]:
    """Exterior rings of a Polygon / MultiPolygon (holes are not drawn: buurten rarely have them)."""
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [p[0] for p in geometry["coordinates"]]
    return []


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
    has_geo = len(df) > 0 and df["geometrie"].notna().all()
    fig = go.Figure()
    if has_geo:
        geometries = [json.loads(g) for g in df["geometrie"]]
        lats = [pt[1] for g in geometries for ring in _rings(g) for pt in ring]
        scale = math.cos(math.radians(sum(lats) / len(lats))) if lats else 1
        # One filled trace per colour step (rings separated by None), not one per area: a gemeente with
        # hundreds of buurten stays a handful of traces. Hover comes from one marker per area at its centre.
        steps = 20
        by_colour: dict[str, tuple[list, list]] = {}
        centres = []
        for geom, v in zip(geometries, values, strict=True):
            level = None if pd.isna(v) else round(min(1, max(0, (v - lo) / span)) * steps) / steps
            colour = "#FFFFFF" if level is None else sample_colorscale(colourscale, [level])[0]
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
                    line={"color": "white", "width": 1},
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
        if len(df) <= 20:  # names on the map when they fit
            for (x, y), name in zip(centres, df[hover], strict=True):
                if x is not None:
                    fig.add_annotation(
                        x=x, y=y, text=plot(name), showarrow=False, font={"size": 10, "color": "#262730"}
                    )
        title = None
    else:
        # Tile map fallback: one square per area, in code order, when geometry is missing.
        cols = max(1, math.ceil(math.sqrt(max(len(df), 1))))
        colours = [
            "#FFFFFF" if pd.isna(v) else sample_colorscale(colourscale, [min(1, max(0, (v - lo) / span))])[0]
            for v in values
        ]
        fig.add_trace(
            go.Scatter(
                x=[i % cols for i in range(len(df))],
                y=[-(i // cols) for i in range(len(df))],
                mode="markers+text",
                text=plots(df[hover]),
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
        title = {"text": "Geen kaartgrenzen geladen: tegelkaart", "font": {"size": 12}}
        alt += " (tegelkaart: er is geen geometrie geladen)"
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
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    _layout(fig, height, title=title, hovermode="closest")
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
    height: int = 380,
    band: bool = False,
) -> tuple[go.Figure, str]:
    """Lines per series over the years; the baseline line (100) and the target year marked.

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
    if reference is not None:
        fig.add_hline(
            y=reference,
            line={"color": LINE, "dash": "dash", "width": 1},
            annotation_text=f"{baseline_year} = {fmt.getal(reference)}",
            annotation_position="top left",
        )
    fig.add_vline(
        x=target_year,
        line={"color": "#E69F00", "width": 2},
        annotation_text=f"doeljaar {target_year}",
        annotation_position="top right",
    )
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


def ranking(
    df: pd.DataFrame,
    unit: str,
    gemeente_value: float | None,
    higher_is_better: bool,
    height: int | None = None,
) -> tuple[go.Figure, str]:
    """Wijken ranked by value with their 95% interval bars (best at the top).

    df: gebied_naam, waarde, ci_laag, ci_hoog, verandering.
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
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
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
