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

import asyncio
import atexit
import base64
import contextlib
import datetime as dt
import re
import tempfile
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
START_TIMEOUT_S = 60
DRAW_TIMEOUT_S = 120  # one chart; a pack draws some twenty
STOP_TIMEOUT_S = 20
# Chromium makes its socket at $TMPDIR/.org.chromium.Chromium.XXXXXX/SingletonSocket (46 more bytes); a Unix
# socket path holds at most 107, so a longer temporary folder stops Chromium right after it starts
MAX_TMPDIR = 61

_draw_lock = threading.Lock()


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


async def _open_kaleido():
    """kaleido's browser (one Chromium), opened on the calling event loop."""
    import kaleido

    k = kaleido.Kaleido()
    try:
        await k.open()
    except BaseException:
        with contextlib.suppress(Exception):
            await k.close()
        raise
    return k


class _Chromium:
    """kaleido's Chromium on an event loop in a daemon thread of its own, started on first use.

    Not kaleido's ``start_sync_server``: when its Chromium fails to start, that error stays in kaleido's
    thread and every later drawing waits for ever (a download that never comes). Here the start and every
    drawing have a time limit and their errors reach the caller. On a busy machine Chromium sometimes closes
    right after starting ("closed immediately"), so a start is tried three times; a browser that failed a
    drawing is stopped, and the next drawing starts a new one.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def _call(self, coro, timeout: float):
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> None:
        if self.running:
            return
        for attempt in range(START_ATTEMPTS):
            loop = asyncio.new_event_loop()
            threading.Thread(target=_run_loop, args=(loop,), name="kaleido", daemon=True).start()
            self._loop = loop
            try:
                self._kaleido = self._call(_open_kaleido(), START_TIMEOUT_S)
                return
            except Exception as exc:  # no Chromium on this machine, or it did not come up in time
                self.stop()
                if attempt + 1 < START_ATTEMPTS:
                    time.sleep(1.0 + 2.0 * attempt)
                    continue
                raise DocumentError(_not_started(exc)) from exc

    def draw(self, fig: go.Figure, opts: dict) -> bytes:
        self.start()
        try:
            return self._call(self._kaleido.calc_fig(fig, opts=opts), DRAW_TIMEOUT_S)
        except Exception as exc:
            self.stop()
            raise DocumentError(f"Een grafiek kon niet worden getekend ({type(exc).__name__}).") from exc

    def stop(self) -> None:
        loop, k = self._loop, self._kaleido
        self._loop = self._kaleido = None
        if loop is None:
            return
        if k is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(k.close(), loop).result(STOP_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)


def _not_started(exc: Exception) -> str:
    why = (
        "Grafieken voor de PDF worden met Chromium getekend, en dat is hier niet te starten "
        f"({type(exc).__name__}). "
    )
    tmp = tempfile.gettempdir()
    if len(tmp) > MAX_TMPDIR:  # Chromium's socket lives there, and a socket path has at most 107 bytes
        return (
            why + f"Het pad van de tijdelijke map is te lang voor Chromium ({tmp}): kies een korter TMPDIR."
        )
    return why + "Installeer het pakket 'chromium'."


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.close()


_chromium = _Chromium()
atexit.register(_chromium.stop)


def svg(fig: go.Figure, *, width: int = WIDTH_PX, height: int = 320, prefix: str = "wm") -> bytes:
    """The figure as SVG bytes (deterministic)."""
    fig = go.Figure(fig)
    fig.update_layout(width=width, height=height, paper_bgcolor="white", plot_bgcolor="white")
    # The screen's tight margins rely on the browser's automatic margins; on paper, ask for them explicitly.
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    with _draw_lock:  # one browser for the process; two downloads at once draw one after the other
        data = _chromium.draw(fig, {"format": "svg", "width": width, "height": height})
    return _stable(data, prefix)


def chart(fig: go.Figure, alt: str, *, width: int = WIDTH_PX, height: int = 320, prefix: str = "wm") -> Chart:
    data = svg(fig, width=width, height=height, prefix=prefix)
    return Chart("data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii"), alt)
