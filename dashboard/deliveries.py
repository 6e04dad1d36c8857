"""The Aanleveren page's helper: keep an upload private, start the delivery job, read how it is doing.

The page (views/aanleveren.py) is UI only; everything it does with files and processes is here. Nothing here
loads a file: the load runs in ``python -m wijkmonitor.jobs`` (the same load function as the command line),
started as a process of its own so the Streamlit server stays responsive, and authorised there when it
writes. This module may not import that job (the dashboard never imports the loader, not even indirectly:
see the import-linter contract in pyproject.toml); it only starts it by module name.

Uploads (docs/security.md):

- only the extensions the loader reads (:data:`ALLOWED_EXTENSIONS`), at most the delivery path's file size
  (``WIJKMONITOR_MAX_BESTAND_MB``, and Streamlit's own ``server.maxUploadSize``); the job checks the rest
  of the limits (unpacked size, rows, columns, line length) before it parses anything;
- saved in a private folder of its own (``tempfile.mkdtemp``: mode 0700, a random name) under
  ``levering/<safe name>``. The loader records a file's name as its provenance (``meta.loads.bestand``, the
  attempt log) and reads a download date (*peildatum*) from it, so the file keeps a *sanitised* version of
  the name it was uploaded with (:func:`safe_name`: ASCII letters, digits, ``.``, ``_`` and ``-`` only, at
  most 100 characters, a known extension), never the given name itself; the given name is display text
  only (and goes to the audit trail as data);
- removed when the delivery is confirmed or cancelled; folders of sessions that were abandoned are removed
  after a day (:func:`remove_stale`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import pandas as pd

from etl.bronnen import bronnen_of_load, role_of

REPO = Path(__file__).resolve().parents[1]
JOB_MODULE = "wijkmonitor.jobs"
VIA = "pagina:Aanleveren"
# What etl.load reads (etl.load.SUPPORTED); tests/test_aanleveren.py checks that they agree.
ALLOWED_EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm", ".geojson", ".json")
UPLOAD_PREFIX = "wijkmonitor-upload-"
TEMPLATE_PREFIX = "wijkmonitor-sjabloon-"
MAX_NAME = 100
# etl.reader.Limits.max_bestand_mb and its setting (the test checks the default against etl.reader).
MAX_FILE_SETTING = "WIJKMONITOR_MAX_BESTAND_MB"
DEFAULT_MAX_FILE_MB = 2048
STALE_HOURS = 24
CHUNK = 1 << 20
# The partner sources with an Excel template (the partner long template's sources in the variable registry).
TEMPLATE_BRONNEN = ("corporatie", "welzijn", "gemeente", "enquete", "politie_week")


def templates_of(bron: str) -> list[str]:
    """The partner-template sources a `partner:<bron>` delivers (politie: its weekly figures, politie_week)."""
    return [b for b in TEMPLATE_BRONNEN if role_of(b) == bron]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class UploadError(ValueError):
    """An upload that is not accepted; the message is Dutch and shown to the user."""


# ------------------------------------------------------------------------------------------ uploads


@dataclass
class Upload:
    folder: Path  # the private folder (0700) of this delivery: the file, status files and job logs
    path: Path  # folder/levering/<safe name>
    naam: str  # the name as uploaded: display text only
    bron: str
    grootte: int
    file_id: str | None = None  # Streamlit's id of the uploaded file (a new upload gets a new id)


def safe_name(name: str) -> str:
    """The name an uploaded file is stored under: ``Levering café (1).CSV`` -> ``Levering_cafe_1_.csv``.

    Folders are dropped, accents folded to ASCII, everything but ``A-Za-z0-9._-`` becomes ``_``, leading
    dots and dashes go (no hidden files, nothing that reads as an option), at most :data:`MAX_NAME`
    characters, and the extension must be one the loader reads (UploadError otherwise)."""
    base = PurePosixPath(str(name).replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = f".{ext.lower()}" if ext else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise UploadError(
            f"dit soort bestand wordt niet gelezen ({ext or 'geen extensie'}); lever een bestand aan met "
            f"een van deze extensies: {', '.join(ALLOWED_EXTENSIONS)}"
        )
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).lstrip("._-")
    clean = clean[: MAX_NAME - len(ext)] or "levering"
    return clean + ext


def max_file_mb(server_max_mb: int | None = None) -> int:
    """The largest upload in MB: the delivery path's limit, and Streamlit's ``server.maxUploadSize``
    (an upload is held in the server's memory until it is saved)."""
    raw = os.environ.get(MAX_FILE_SETTING, "").strip()
    limit = int(raw) if re.fullmatch(r"[0-9]{1,12}", raw) and int(raw) >= 1 else DEFAULT_MAX_FILE_MB
    if server_max_mb:
        limit = min(limit, int(server_max_mb))
    return limit


def save_upload(
    src: BinaryIO, naam: str, bron: str, max_mb: int, file_id: str | None = None, root: Path | None = None
) -> Upload:
    """Copy an uploaded file into a new private folder; UploadError (Dutch) when it is not accepted."""
    stored = safe_name(naam)
    remove_stale(root=root)
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=root))  # mode 0700, random name
    try:
        (folder / "levering").mkdir(mode=0o700)
        path = folder / "levering" / stored
        limit = max_mb * 1024 * 1024
        size = 0
        with contextlib.suppress(AttributeError, OSError):
            src.seek(0)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadError(
                        f"het bestand is groter dan {max_mb} MB, de grens voor een levering via deze pagina"
                    )
                out.write(chunk)
        if size == 0:
            raise UploadError("het bestand is leeg (0 bytes)")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Upload(folder, path, str(naam)[:200], bron, size, file_id)


def discard(upload: Upload | None) -> None:
    """Remove an upload's folder (the file, status files and logs)."""
    if upload is not None and upload.folder.name.startswith(UPLOAD_PREFIX):
        shutil.rmtree(upload.folder, ignore_errors=True)


def remove_stale(max_age_hours: float = STALE_HOURS, root: Path | None = None) -> list[Path]:
    """Remove upload folders of this user untouched for ``max_age_hours`` (sessions that were left)."""
    removed = []
    cutoff = time.time() - max_age_hours * 3600
    for folder in Path(root or tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"):
        try:
            st = folder.lstat()
        except OSError:
            continue
        if folder.is_dir() and not folder.is_symlink() and st.st_uid == os.getuid() and st.st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# --------------------------------------------------------------------------------------------- jobs


@dataclass
class Job:
    status_path: Path
    log_path: Path
    voorbeeld: bool
    pid: int
    proc: subprocess.Popen | None = field(default=None, compare=False, repr=False)


@dataclass
class Status:
    fase: str  # bezig | klaar | mislukt
    voortgang: list[str] = field(default_factory=list)
    bericht: str | None = None
    geweigerd: bool = False
    resultaat: dict[str, Any] | None = None

    @property
    def bezig(self) -> bool:
        return self.fase == "bezig"

    @property
    def status(self) -> str | None:
        """The load's status (geladen, afgewezen, overgeslagen, voorbeeld) when the job finished."""
        return (self.resultaat or {}).get("status") if self.fase == "klaar" else None


def job_command(
    upload: Upload, db: Path, email: str, voorbeeld: bool, status_path: Path, via: str = VIA
) -> list[str]:
    """The job's command line. Every value as ``--option=value``: an uploaded name such as ``-x.csv`` must
    not read as an option."""
    args = {
        "db": str(db),
        "actor": email,
        "via": via,
        "bron": upload.bron,
        "bestand": str(upload.path),
        "naam": upload.naam,
        "status": str(status_path),
    }
    cmd = [sys.executable, "-m", JOB_MODULE, "levering", *(f"--{k}={v}" for k, v in args.items())]
    return cmd + (["--voorbeeld"] if voorbeeld else [])


def _job_env(db: Path | None, records_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if db is not None:
        env["WIJKMONITOR_DB"] = str(db)
    if records_url:
        # not on the command line: a PostgreSQL URL may hold a password, and `ps` shows command lines
        env["WIJKMONITOR_RECORDS_URL"] = records_url
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def start(upload: Upload, db: Path, records_url: str | None, email: str, voorbeeld: bool) -> Job:
    """Start the delivery job (a preview with ``voorbeeld``) in a session of its own; returns at once."""
    name = "voorbeeld" if voorbeeld else "laden"
    status_path = upload.folder / f"{name}.json"
    log_path = upload.folder / f"{name}.log"
    with contextlib.suppress(FileNotFoundError):
        status_path.unlink()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            job_command(upload, Path(db), email, voorbeeld, status_path),
            cwd=REPO,
            env=_job_env(Path(db), records_url),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not stopped with the server's process group; "Stoppen" ends its group
            close_fds=True,
        )
    return Job(status_path, log_path, voorbeeld, proc.pid, proc)


def _start_job(command: str, args: dict[str, str], db: Path, records_url: str | None) -> Job:
    """Start ``python -m wijkmonitor.jobs COMMAND --k=v …`` detached, with its status file and log in a
    private folder; returns at once."""
    folder = Path(tempfile.mkdtemp(prefix=f"wijkmonitor-{command}-"))  # mode 0700
    status_path, log_path = folder / f"{command}.json", folder / f"{command}.log"
    cmd = [sys.executable, "-m", JOB_MODULE, command, *(f"--{k}={v}" for k, v in args.items())]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [*cmd, f"--status={status_path}"],
            cwd=REPO,
            env=_job_env(Path(db), records_url),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    return Job(status_path, log_path, False, proc.pid, proc)


def start_reactivation(load_id: int, db: Path, records_url: str | None, email: str) -> Job:
    """The beheerder's "Heractiveren" (``wijkmonitor.jobs heractiveer``)."""
    args = {"db": str(db), "actor": email, "via": "pagina:Gegevens", "load-id": str(int(load_id))}
    return _start_job("heractiveer", args, db, records_url)


def start_settings(changes: dict[str, str], db: Path, records_url: str | None, email: str) -> Job:
    """The beheerder's settings (``wijkmonitor.jobs instellingen``, the changes as one JSON argument)."""
    args = {"db": str(db), "actor": email, "via": "pagina:Instellingen", "waarden": json.dumps(changes)}
    return _start_job("instellingen", args, db, records_url)


def _alive(job: Job) -> bool:
    if job.proc is not None:
        return job.proc.poll() is None
    try:
        os.kill(job.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_status(path: Path) -> Status | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fase") not in {"bezig", "klaar", "mislukt"}:
        return None
    return Status(
        data["fase"],
        [str(v) for v in data.get("voortgang") or []],
        data.get("bericht"),
        bool(data.get("geweigerd")),
        data.get("resultaat") if isinstance(data.get("resultaat"), dict) else None,
    )


def poll(job: Job) -> Status:
    """How the job is doing. A job that ended without saying so (killed, out of memory) is ``mislukt``."""
    alive = _alive(job)  # first: a job that has ended wrote its last status before it ended
    status = read_status(job.status_path)
    if status is None:
        if alive:
            return Status("bezig", ["Starten …"])
        return Status(
            "mislukt", bericht="de taak is onverwacht gestopt; er is niets geladen. Probeer het opnieuw."
        )
    if status.bezig and not alive:
        status.fase = "mislukt"
        status.bericht = "de taak is onverwacht gestopt; meld dit aan de beheerder als het opnieuw gebeurt."
    return status


def stop(job: Job) -> None:
    """Stop a running preview (SIGTERM to its process group; the job throws its copy away)."""
    if job.voorbeeld and _alive(job):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(job.pid, signal.SIGTERM)


def wait(job: Job, timeout: float = 300) -> Status:
    """Wait for a job to finish (tests, and the Gegevens page's short re-activation; uploads are polled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = poll(job)
        if not status.bezig:
            return status
        time.sleep(0.2)
    raise TimeoutError(f"job {job.pid} did not finish in {timeout} s")


def template_bytes(bron: str, db: Path | None, timeout: float = 120) -> bytes:
    """The Excel template of ``bron`` (built by the job process: the dashboard does not import etl.template)."""
    if bron not in TEMPLATE_BRONNEN:
        raise ValueError(f"geen sjabloon voor bron {bron}")
    folder = Path(tempfile.mkdtemp(prefix=TEMPLATE_PREFIX))
    try:
        out = folder / f"sjabloon_{bron}.xlsx"
        cmd = [sys.executable, "-m", JOB_MODULE, "sjabloon", "--bron", bron, "--out", str(out)]
        if db is not None:
            cmd += ["--db", str(db)]
        subprocess.run(
            cmd,
            cwd=REPO,
            env=_job_env(db, None),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=True,
        )
        return out.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------------------------------ reports


MESSAGE_COLUMNS = {
    "ernst": "Ernst",
    "bericht": "Melding",
    "rij": "Rij",
    "aantal": "Aantal rijen",
    "kolom": "Kolom",
    "waarde": "Waarde",
    "regel": "Regel",
}
ERNST = {"fout": "fout", "waarschuwing": "waarschuwing"}


def messages_frame(resultaat: dict[str, Any] | None) -> pd.DataFrame:
    """The validation messages as the page shows them: Ernst and Melding, then Rij, Aantal rijen, Kolom,
    Waarde and Regel where any message has them. Errors first, then warnings, in file order."""
    rows = (resultaat or {}).get("messages") or []
    df = pd.DataFrame(rows, columns=list(MESSAGE_COLUMNS))
    if df.empty:
        return pd.DataFrame(columns=["Ernst", "Melding"])
    df["_orde"] = df["ernst"].map({"fout": 0}).fillna(1)
    df = df.sort_values(["_orde"], kind="stable").drop(columns="_orde")
    keep = ["ernst", "bericht"] + [
        c for c in ("rij", "aantal", "kolom", "waarde", "regel") if df[c].notna().any()
    ]
    out = df[keep].rename(columns=MESSAGE_COLUMNS).reset_index(drop=True)
    for col in ("Rij", "Aantal rijen"):
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    for col in ("Ernst", "Melding", "Kolom", "Waarde", "Regel"):
        if col in out:
            out[col] = out[col].astype("string")
    return out


def filter_messages(df: pd.DataFrame, tekst: str = "", ernst: str | None = None) -> pd.DataFrame:
    """Messages whose text contains ``tekst`` (any column, case-insensitive, literal: no pattern syntax)
    and, when given, of one ``ernst``."""
    out = df
    if ernst in ERNST and "Ernst" in out:
        out = out[out["Ernst"] == ernst]
    needle = (tekst or "").strip().casefold()
    if needle and not out.empty:
        hit = pd.Series(False, index=out.index)
        for col in out.columns:
            hit |= out[col].astype("string").str.casefold().str.contains(needle, regex=False).fillna(False)
        out = out[hit]
    return out.reset_index(drop=True)


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def messages_csv(df: pd.DataFrame) -> bytes:
    """CSV (``;``, UTF-8 with BOM so Excel opens it); a cell a spreadsheet would read as a formula gets an
    apostrophe (CSV injection: messages quote values from the delivered file)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(list(df.columns))
    for row in df.itertuples(index=False):
        w.writerow([_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _value_text(value: object) -> str:
    if value is None:
        return "leeg"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return f"{value:.10g}".replace(".", ",")
    return str(value)


def revision_counts(rev: dict[str, Any] | None) -> dict[str, int]:
    """What a delivery changes, counted (etl.revisions.Revision): keys, new keys, values replaced…"""
    if not rev:
        return {}
    vervangt = int(rev.get("gewijzigd", 0)) + int(rev.get("leeg", 0)) + int(rev.get("gevuld", 0))
    return {
        "Sleutels in de levering": int(rev.get("sleutels", 0)),
        "Nieuw": int(rev.get("nieuw", 0)),
        "Vervangen waarden": vervangt,
        "Gewijzigd": int(rev.get("gewijzigd", 0)),
        "Leeg geworden": int(rev.get("leeg", 0)),
        "Ingevuld": int(rev.get("gevuld", 0)),
        "Ongewijzigd": int(rev.get("ongewijzigd", 0)),
    }


def revision_changes(rev: dict[str, Any] | None, relatief: bool = False) -> pd.DataFrame:
    """The largest replaced values (absolute, or relative), old -> new, with the load the old value came from."""
    columns = [
        "Gebied",
        "Periode",
        "Variabele",
        "Oud",
        "Nieuw",
        "Verschil",
        "Verschil (%)",
        "Uit load",
        "Uit bestand",
    ]
    changes = (rev or {}).get("grootste_relatief" if relatief else "grootste") or []
    rows = []
    for c in changes:
        oud, nieuw = c.get("oud"), c.get("nieuw")
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (oud, nieuw))
        verschil = nieuw - oud if numbers else None
        rows.append(
            [
                c.get("gebied_code"),
                c.get("periode"),
                c.get("variabele"),
                _value_text(oud),
                _value_text(nieuw),
                verschil,
                (100 * verschil / abs(oud)) if numbers and oud else None,
                c.get("oud_load_id"),
                c.get("oud_bestand"),
            ]
        )
    df = pd.DataFrame(rows, columns=columns)
    for col in ("Verschil", "Verschil (%)"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Float64")
    df["Uit load"] = pd.to_numeric(df["Uit load"], errors="coerce").astype("Int64")
    for col in ("Gebied", "Periode", "Variabele", "Oud", "Nieuw", "Uit bestand"):
        df[col] = df[col].astype("string")
    return df


def replaced_loads(rev: dict[str, Any] | None) -> pd.DataFrame:
    """The earlier loads whose current values the delivery replaces."""
    rows = [
        {
            "Load": r.get("load_id"),
            "Bestand": r.get("bestand"),
            "Peildatum": r.get("peildatum"),
            "Sleutels": r.get("sleutels"),
            "Waarden anders": r.get("waarden"),
        }
        for r in (rev or {}).get("vervangen") or []
    ]
    df = pd.DataFrame(rows, columns=["Load", "Bestand", "Peildatum", "Sleutels", "Waarden anders"])
    for col in ("Load", "Sleutels", "Waarden anders"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in ("Bestand", "Peildatum"):
        df[col] = df[col].astype("string")
    return df


# ---------------------------------------------------------------------------------------- own loads


def own_loads(loads: pd.DataFrame, bronnen: list[str], email: str, alles: bool = False) -> pd.DataFrame:
    """The loads a viewer may see here: every load for a beheerder (``alles``); for a partner the loads of
    its own sources and every attempt it made itself (a rejected file has no source yet)."""
    if loads.empty or alles:
        return loads
    wanted = set(bronnen)
    mine = [
        bool(bronnen_of_load(b, p) & wanted) or (isinstance(g, str) and g.lower() == email.lower())
        for b, p, g in zip(loads["bronsoort"], loads["partner"], loads["gebruiker"], strict=True)
    ]
    return loads[mine]


# ------------------------------------------------------------------------------------------ the flow


@dataclass
class Flow:
    """One delivery on the page, kept in the session: the upload, its preview job, its load job, and the
    load's outcome (kept after the upload's folder is removed)."""

    email: str
    bron: str
    nonce: int = 0  # part of the uploader's key: a new value empties the uploader
    upload: Upload | None = None
    preview: Job | None = None
    load: Job | None = None
    uitkomst: Status | None = None

    def reset(self) -> None:
        """Cancel: remove the upload's folder and start again with an empty uploader (a running load is
        never abandoned: the page does not offer this while one runs)."""
        if self.preview is not None:
            stop(self.preview)
        discard(self.upload)
        self.upload = self.preview = self.load = self.uitkomst = None
        self.nonce += 1

    def loading(self) -> bool:
        return self.load is not None and self.uitkomst is None

    def finish_load(self, status: Status) -> None:
        """The load has ended: keep its outcome and remove the upload (the file, status and logs)."""
        self.uitkomst = status
        if status.fase == "mislukt" and self.load is not None:
            log_to_server(self.load)
        discard(self.upload)
        self.upload = None


def log_to_server(job: Job, limit: int = 20_000) -> None:
    """A failed job's log (its traceback) to the server's console log, before its folder is removed."""
    with contextlib.suppress(OSError):
        text = job.log_path.read_text(encoding="utf-8", errors="replace")[-limit:]
        if text.strip():
            print(
                f"wijkmonitor: taak {job.pid} ({'voorbeeld' if job.voorbeeld else 'laden'}) mislukt:\n{text}",
                file=sys.stderr,
                flush=True,
            )
