"""Rendering of the meeting documents: Jinja2 HTML -> tagged PDF (PDF/UA) with WeasyPrint, charts as SVG.

* Templates live in ``templates/`` beside this file and are rendered with autoescape on: every text from
  data (area names, plan texts, narratives, decisions) is HTML-escaped, so it never becomes markup.
* The same HTML is the preview in the app (``st.html`` shows it) and the source of the PDF.
* Charts are the dashboard's own Plotly figures (``dashboard.charts``) exported as SVG by kaleido (which
  drives the machine's Chromium) and embedded as ``<img>`` with the chart's alt text, so the PDF has
  vector graphics with a text alternative (PDF/UA). Plotly gives every figure random ids; they are
  renumbered so that the same figure gives the same bytes (a snapshot's pack is byte-stable).
* The PDF is WeasyPrint's ``pdf/ua-1`` variant: tagged, with the document language (``nl``) and title.
  Its creation date is the generation time given to :func:`pdf` (a snapshot's pack passes its own).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd
import plotly.graph_objects as go

from dashboard import format as fmt

TEMPLATES = Path(__file__).resolve().parent / "templates"
PDF_VARIANT = "pdf/ua-1"
# A4 with 18 mm margins: about 660 CSS px of text width.
WIDTH_PX = 660
START_ATTEMPTS = 3  # tries to start kaleido's Chromium

_lock = threading.Lock()
_draw_lock = threading.Lock()
_kaleido_started = False


class DocumentError(RuntimeError):
    """A document that cannot be made; the message is Dutch."""


@dataclass(frozen=True)
class Chart:
    """A chart ready for a template: an SVG data URI and its text alternative."""

    src: str
    alt: str


def _getal(value: object, decimalen: int = 0) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "–"
    return fmt.getal(float(value), decimalen)


def _datum(value: object) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value:%d-%m-%Y}"


def _procent(value: object, decimalen: int = 0) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "–"
    return fmt.getal(100 * float(value), decimalen) + "%"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template: data text never becomes HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["getal"] = _getal
    env.filters["datum"] = _datum
    env.filters["procent"] = _procent
    return env


_ENV = environment()


def html(template: str, **context: object) -> str:
    """The document as one self-contained HTML page (its stylesheet inline)."""
    css = (TEMPLATES / "document.css").read_text(encoding="utf-8")
    return _ENV.get_template(template).render(css=css, **context)


def pdf(document_html: str, *, created: dt.datetime) -> bytes:
    """A tagged PDF (PDF/UA-1) of the document; ``created`` is its creation date."""
    from weasyprint import HTML

    stamp = created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    document_html = document_html.replace(
        "<head>", f'<head><meta name="dcterms.created" content="{stamp}">', 1
    )
    return HTML(string=document_html, base_url=str(TEMPLATES)).write_pdf(pdf_variant=PDF_VARIANT)


# ------------------------------------------------------------------------------------------ charts

_UID = re.compile(rb"(?<=defs-)([0-9a-f]{6})(?=\")")
_TRACE = re.compile(rb"\btrace([0-9a-f]{6})\b")


def _stable(svg: bytes, prefix: str) -> bytes:
    """Plotly's random figure and trace ids renumbered in order of appearance."""
    for uid in dict.fromkeys(_UID.findall(svg)):
        svg = svg.replace(uid, prefix.encode())
    seen: dict[bytes, bytes] = {}
    for t in _TRACE.findall(svg):
        seen.setdefault(t, f"{len(seen):06d}".encode())

    def repl(m: re.Match[bytes]) -> bytes:
        return b"trace" + seen[m.group(1)]

    return _TRACE.sub(repl, svg)


def _start_kaleido() -> None:
    global _kaleido_started
    with _lock:
        if _kaleido_started:
            return
        import kaleido

        # On a busy machine Chromium sometimes closes right after starting ("closed immediately"), which a
        # second try a moment later does not meet: try three times before telling the user it cannot run.
        for attempt in range(START_ATTEMPTS):
            try:
                kaleido.start_sync_server(silence_warnings=True)
                break
            except Exception as exc:  # no Chromium on this machine, or it did not come up
                with contextlib.suppress(Exception):
                    kaleido.stop_sync_server(silence_warnings=True)
                if attempt + 1 < START_ATTEMPTS:
                    time.sleep(1.0 + 2.0 * attempt)
                    continue
                raise DocumentError(
                    "Grafieken voor de PDF worden met Chromium getekend, en dat is hier niet te starten "
                    f"({type(exc).__name__}). Installeer het pakket 'chromium'."
                ) from exc
        _kaleido_started = True


def svg(fig: go.Figure, *, width: int = WIDTH_PX, height: int = 320, prefix: str = "wm") -> bytes:
    """The figure as SVG bytes (deterministic)."""
    import kaleido

    _start_kaleido()
    fig = go.Figure(fig)
    fig.update_layout(width=width, height=height, paper_bgcolor="white", plot_bgcolor="white")
    # The screen's tight margins rely on the browser's automatic margins; on paper, ask for them explicitly.
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    try:
        with _draw_lock:  # one browser for the process; two downloads at once draw one after the other
            data = kaleido.calc_fig_sync(fig, opts={"format": "svg", "width": width, "height": height})
    except Exception as exc:
        raise DocumentError(f"Een grafiek kon niet worden getekend ({type(exc).__name__}).") from exc
    return _stable(data, prefix)


def chart(fig: go.Figure, alt: str, *, width: int = WIDTH_PX, height: int = 320, prefix: str = "wm") -> Chart:
    data = svg(fig, width=width, height=height, prefix=prefix)
    return Chart("data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii"), alt)
