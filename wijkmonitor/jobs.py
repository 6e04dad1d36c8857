"""Work the dashboard hands to a process of its own: a partner's delivery, and an Excel template.

The Aanleveren page (dashboard/views/aanleveren.py, through dashboard/deliveries.py) never loads anything
itself: it starts this module as a detached process and reads the status file the process keeps. So there is
one load path (:func:`etl.load.load_files`, as on the command line), the warehouse's single-writer design
holds (``etl.db.write_session`` serialises writers with a file lock: a second delivery waits for the
first), and the Streamlit server stays responsive while a national file loads.

    python -m wijkmonitor.jobs levering --db DB --actor EMAIL --via pagina:Aanleveren --bron BRON \\
        --bestand PAD --status STATUS.json [--naam ORIGINELE_NAAM] [--records-url URL] [--voorbeeld]
    python -m wijkmonitor.jobs sjabloon --bron BRON --out F.xlsx [--db DB]
    python -m wijkmonitor.jobs instellingen --db DB --actor EMAIL --via pagina:Instellingen \\
        --waarden '{"doeljaar": "2027"}' --status STATUS.json
    python -m wijkmonitor.jobs heractiveer --db DB --actor EMAIL --via pagina:Gegevens --load-id N \\
        --status STATUS.json [--voorbeeld]
    python -m wijkmonitor.jobs planexcel --soort jaarplan|status --db DB --bestand PAD --naam NAAM \\
        --wijk WK… --jaar JJJJ [--halfjaar 1|2] --status STATUS.json

``planexcel`` reads a team's jaarplan or status upload back with its Great Expectations checks
(:mod:`wijkmonitor.planexcel`) and writes nothing: ``resultaat`` holds the activities or the status lines
and narrative (empty when refused) and the messages. The page then shows what would change and saves
through the records store, authorised there.

``levering`` authorises the write *when it writes*, on the server, from the roles in the records store
(not from the browser session): ``levering.laden`` on the chosen bron, and on every other source the file
turns out to hold. A refusal is recorded in the audit trail (``geweigerd``) by
:func:`wijkmonitor.records.authz.authorise`. A delivery must hold the chosen source only (see
:func:`delivered_sources`). A real load is recorded afterwards as ``uitgevoerd`` (loaded) or ``mislukt``
(rejected file, other source than chosen, error). ``--voorbeeld`` loads into the private copy, reports what
would change and publishes nothing; it records nothing in the audit trail except a refusal.

The records store's URL is read from ``$WIJKMONITOR_RECORDS_URL`` (how the page passes it: a PostgreSQL URL
may hold a password, and a command line is visible to every local user in ``ps``), ``--records-url``, or
the default beside the warehouse.

Status file (JSON, replaced atomically on every change; the page polls it)::

    {"fase": "bezig" | "klaar" | "mislukt",
     "voorbeeld": bool, "pid": int, "gestart": ISO time, "bijgewerkt": ISO time,
     "voortgang": [progress lines, Dutch],
     "bericht": Dutch message when fase is "mislukt" (refused, other source, error), else null,
     "geweigerd": true when the authorisation refused the delivery,
     "resultaat": null, or when fase is "klaar": {
         "status": "geladen" | "afgewezen" | "overgeslagen" | "voorbeeld", "kind", "rows", "rows_loaded",
         "load_id", "bestand" (the name as uploaded), "bron", "bronnen_in_bestand",
         "messages": [{"ernst", "bericht", "rij", "aantal", "kolom", "waarde", "regel"}, ...],
         "messages_total", "revision": Revision.as_dict() or null, "revision_lines": [Dutch lines],
         "notes": [...], "report": the command line's report (text)}}

``fase`` "klaar" means the load function ran to the end; whether the file was loaded is ``resultaat.status``.
Exit codes: 0 loaded or previewed, 1 file rejected / other source / error, 2 usage, 3 refused, 143 stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.bronnen import KIND_BRON, role_of
from wijkmonitor.records import authz
from wijkmonitor.records.store import open_store, records_url

ACTION = "levering.laden"
MAX_MESSAGES = 10_000  # messages written to the status file (as meta.load_meldingen keeps)
STATUS_FASEN = ("bezig", "klaar", "mislukt")


class OtherSource(Exception):
    """The file holds another source than the one chosen (and the actor may deliver that one)."""


@dataclass
class Request:
    db: Path
    actor: authz.Actor
    bron: str
    path: Path
    naam: str  # the name as uploaded (display and audit only; the file itself has a sanitised name)
    voorbeeld: bool = False


# ------------------------------------------------------------------------------------------ status file


class StatusFile:
    """The job's status, rewritten atomically (temporary file + rename) so a reader never sees half of it."""

    def __init__(self, path: Path, voorbeeld: bool) -> None:
        self.path = Path(path)
        self.data: dict[str, Any] = {
            "fase": "bezig",
            "voorbeeld": voorbeeld,
            "pid": os.getpid(),
            "gestart": _now(),
            "bijgewerkt": _now(),
            "voortgang": [],
            "bericht": None,
            "geweigerd": False,
            "resultaat": None,
        }
        self._lock = threading.Lock()
        self.write()

    def write(self, **changes: Any) -> None:
        with self._lock:
            self.data.update(changes, bijgewerkt=_now())
            fd, tmp = tempfile.mkstemp(prefix=".status-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(self.data, fh, ensure_ascii=False, default=str)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def progress(self, line: str) -> None:
        self.write(voortgang=[*self.data["voortgang"], str(line)][-500:])


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


# ----------------------------------------------------------------------------- which source a file holds


def delivered_sources(path: Path, sheet: str | None = None) -> tuple[str, list[str]]:
    """(source kind, the partner sources the file holds) of a delivery, with the loader's own functions.

    The kind comes from the header (:func:`etl.reader.peek_delivery`, :func:`etl.sources.detect_kind`): a
    police file is ``politie``, a Leefbaarometer file ``leefbaarometer``, the municipality's area,
    population and crosswalk files ``gemeente``. The partner template names its source in every row: the
    distinct values of its ``bron`` column (trimmed, lower case; an empty cell is ``""``), read on a
    scratch connection like a load does. Raises ``ReadError``/``SourceError`` when the file cannot be
    read or recognised (the load then rejects it with the full report).
    """
    from etl.reader import peek_delivery, read_delivery, scratch_connection
    from etl.sources import Options, detect_kind, plan_delivery

    kind, _variant = detect_kind(peek_delivery(path, sheet=sheet))
    if kind != "partner":
        return kind, [KIND_BRON[kind]]
    with scratch_connection(path) as scr:
        delivery = read_delivery(scr, path, sheet=sheet)
        plan = plan_delivery(delivery, Options(source="partner", sheet=sheet))
        # plan.sql gives a positional column (trim(k1)): no text from the file is part of this statement
        rows = scr.execute(
            f"SELECT DISTINCT coalesce(lower({plan.sql('bron')}), '') FROM levering ORDER BY 1"
        ).fetchall()
    return kind, [r[0] for r in rows]


def _described(values: list[str]) -> str:
    from etl.reader import shown

    return ", ".join("(leeg)" if not v else f"'{shown(v, 40)}'" for v in values[:10]) + (
        f" en nog {len(values) - 10}" if len(values) > 10 else ""
    )


def check_source(eng: Any, req: Request, kind: str, found: list[str], roles: frozenset[str]) -> None:
    """The delivery must hold ``req.bron`` only.

    Another known source is authorised as well (a partner of another source is refused and that is
    recorded as ``geweigerd``); when the actor may deliver it after all (a beheerder, or a user with both
    roles), the file is still not loaded under the chosen source: :class:`OtherSource`."""
    # a source of the partner template is delivered by its registry role (politie_week: partner:politie)
    others = [b for b in found if role_of(b) != req.bron]
    if not others and found:
        return
    change = authz.Change(
        "levering", req.naam, None, {"bestand": req.naam, "bron": req.bron, "bron_in_bestand": found}
    )
    for other in others:
        if role_of(other) in authz.BRONNEN and not authz.allowed(roles, ACTION, role_of(other)):
            try:
                authz.authorise(eng, req.actor, ACTION, role_of(other), change)  # records the refusal
            except authz.Refused:
                raise authz.Refused(
                    f"{req.naam} bevat gegevens van bron {other}; u mag alleen aanleveren voor "
                    f"{', '.join(sorted(r.split(':', 1)[1] for r in roles if r.startswith('partner:')))}. "
                    "Er is niets geladen. De poging is vastgelegd."
                ) from None
    if not found:
        raise OtherSource("het bestand noemt geen bron: vul in elke rij de kolom bron in")
    if kind != "partner":
        raise OtherSource(
            f"dit is een bestand van bron {found[0]} (soort {kind}), niet van bron {req.bron}. Kies bron "
            f"{found[0]} als u dit bestand wilt aanleveren."
        )
    raise OtherSource(
        f"de kolom bron bevat {_described(others)}; een levering voor bron {req.bron} mag alleen rijen met "
        f"bron '{req.bron}' bevatten. Lever elke bron apart aan."
    )


# ------------------------------------------------------------------------------------------ the delivery


def run_delivery(eng: Any, req: Request, progress: Callable[[str], None]) -> dict[str, Any]:
    """Authorise, check the source, load (or preview) one file and record the outcome. Returns the
    ``resultaat`` of the status file. Raises :class:`authz.Refused` (recorded) or :class:`OtherSource`."""
    from etl.load import load_files
    from etl.reader import ReadError
    from etl.sources import Options, SourceError

    change = authz.Change("levering", req.naam, None, {"bestand": req.naam, "bron": req.bron})
    progress("Recht op aanleveren controleren …")
    roles = authz.authorise(eng, req.actor, ACTION, req.bron, change)
    progress("Bestand herkennen …")
    try:
        kind, found = delivered_sources(req.path)
    except (ReadError, SourceError):  # unreadable or unknown: the load rejects it with the full report
        kind, found = None, None
    if found is not None:
        try:
            check_source(eng, req, kind, found, roles)
        except OtherSource as exc:
            if not req.voorbeeld:
                seen = authz.Change("levering", req.naam, None, {**change.nieuw, "bron_in_bestand": found})
                _record(eng, req, roles, seen, "mislukt", str(exc))
            raise
    opts = Options(source=kind, voorbeeld=req.voorbeeld)
    if writer_busy(req.db):
        progress("Er wordt nu een andere levering verwerkt; deze wacht daarop …")
    results = load_files([req.path], req.db, opts, progress=progress, user=req.actor.email)
    res = results[0]
    resultaat = _resultaat(res, req, found)
    if not req.voorbeeld:
        if res.status == "geladen":
            done = authz.Change(
                "levering",
                str(res.load_id),
                None,
                {
                    "bestand": req.naam,
                    "opgeslagen_als": req.path.name,
                    "bron": req.bron,
                    "soort": res.kind,
                    "rijen": res.rows_loaded,
                },
            )
            _record(eng, req, roles, done, "uitgevoerd")
        elif res.status == "afgewezen":
            errors = [i.bericht for i in res.issues if i.ernst == "fout"]
            failed = authz.Change(
                "levering",
                req.naam,
                None,
                {"bestand": req.naam, "bron": req.bron, "status": res.status, "fouten": len(errors)},
            )
            _record(eng, req, roles, failed, "mislukt", errors[0] if errors else None)
    return resultaat


def writer_busy(db: Path) -> bool:
    """Whether another process holds the warehouse's writer lock now (etl.db.write_session takes it; a
    load waits for it). Only to say so in the progress: the lock itself does the waiting."""
    lock = db.with_name(db.name + ".lock")
    if not lock.exists():
        return False
    try:
        with open(lock, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:
        return False
    return False


def _record(
    eng: Any,
    req: Request,
    roles: frozenset[str],
    change: authz.Change,
    uitkomst: str,
    reden: str | None = None,
) -> None:
    authz.record(eng, req.actor, ACTION, change, uitkomst, reden, roles=roles)


def _resultaat(res: Any, req: Request, found: list[str] | None) -> dict[str, Any]:
    rev = res.revision
    return {
        "status": res.status,
        "kind": res.kind,
        "rows": res.rows,
        "rows_loaded": res.rows_loaded,
        "load_id": res.load_id,
        "bestand": req.naam,
        "bron": req.bron,
        "bronnen_in_bestand": found,
        "messages": [i.as_dict() for i in res.issues[:MAX_MESSAGES]],
        "messages_total": len(res.issues),
        "revision": rev.as_dict() if rev is not None else None,
        "revision_lines": rev.lines() if rev is not None else [],
        "notes": list(res.notes),
        "report": res.report(),
    }


# ------------------------------------------------------------------------------------------ stopping


class Stopped(KeyboardInterrupt):
    """SIGTERM: the page's "Stoppen" (offered for a preview only, which publishes nothing)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Stopped()


def _watch_signals() -> Callable[[], None]:
    """Interrupt a running DuckDB statement at once on SIGTERM (Python runs the handler only after it).

    As in the command line: the C-level handler writes the signal number to the wakeup fd; this thread
    reads it and interrupts the write session's statement, which fails and throws its copy away."""
    from etl import db as dbmod

    r, w = os.pipe()
    os.set_blocking(w, False)
    previous = signal.set_wakeup_fd(w, warn_on_full_buffer=False)

    def run() -> None:
        try:
            while data := os.read(r, 64):
                if signal.SIGTERM in data:
                    dbmod.interrupt_writers()
        finally:
            os.close(r)

    threading.Thread(target=run, name="wijkmonitor-job-signalen", daemon=True).start()

    def close() -> None:
        signal.set_wakeup_fd(previous)
        os.close(w)

    return close


# ------------------------------------------------------------------------------------------ commands


def _on_behalf(p: argparse.ArgumentParser, page: str) -> None:
    """The options of every job that writes on a user's behalf."""
    p.add_argument("--db", required=True, type=Path)
    p.add_argument("--records-url", help="standaard: $WIJKMONITOR_RECORDS_URL of naast de database")
    p.add_argument("--actor", required=True, help="het e-mailadres van de gebruiker")
    p.add_argument("--via", required=True, help=f"bijv. pagina:{page}")
    p.add_argument("--status", required=True, type=Path)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m wijkmonitor.jobs", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    lev = sub.add_parser("levering", help="een levering laden (of --voorbeeld) namens een gebruiker")
    _on_behalf(lev, "Aanleveren")
    lev.add_argument("--bron", required=True, choices=authz.BRONNEN)
    lev.add_argument("--bestand", required=True, type=Path)
    lev.add_argument(
        "--naam", help="de naam van het bestand zoals aangeleverd (standaard: die van --bestand)"
    )
    lev.add_argument("--voorbeeld", action="store_true")
    her = sub.add_parser("heractiveer", help="een eerdere levering weer actueel maken (beheerder)")
    _on_behalf(her, "Gegevens")
    her.add_argument("--load-id", required=True, type=int)
    her.add_argument("--voorbeeld", action="store_true")
    ins = sub.add_parser("instellingen", help="instellingen van de database wijzigen (beheerder)")
    _on_behalf(ins, "Instellingen")
    ins.add_argument("--waarden", required=True, help='JSON, bijv. {"doeljaar": "2027"}')
    pex = sub.add_parser("planexcel", help="een jaarplan- of statusbestand (Excel) lezen en controleren")
    pex.add_argument("--soort", required=True, choices=("jaarplan", "status"))
    pex.add_argument("--db", required=True, type=Path)
    pex.add_argument("--records-url", help="standaard: $WIJKMONITOR_RECORDS_URL of naast de database")
    pex.add_argument("--bestand", required=True, type=Path)
    pex.add_argument("--naam", help="de naam van het bestand zoals geüpload")
    pex.add_argument("--wijk", required=True)
    pex.add_argument("--jaar", required=True, type=int)
    pex.add_argument("--halfjaar", type=int, choices=(1, 2))
    pex.add_argument("--status", required=True, type=Path)
    tpl = sub.add_parser("sjabloon", help="het Excel-sjabloon van een partnerbron")
    tpl.add_argument("--bron", required=True)
    tpl.add_argument("--out", required=True, type=Path)
    tpl.add_argument("--db", type=Path)
    return p


def _actor(args: argparse.Namespace) -> authz.Actor | None:
    """The user a job writes for (None, after saying so, when the address is not valid)."""
    email = authz.normalise_email(args.actor)
    if not authz.valid_email(email):
        print(f"wijkmonitor.jobs: geen geldig e-mailadres: {email[:80]!r}", file=sys.stderr)
        return None
    return authz.Actor(email=email, via=str(args.via)[:120])


def delivery_command(args: argparse.Namespace) -> int:
    actor = _actor(args)
    if actor is None:
        return 2
    req = Request(
        db=Path(args.db),
        actor=actor,
        bron=args.bron,
        path=Path(args.bestand),
        naam=(args.naam or Path(args.bestand).name)[:200],
        voorbeeld=args.voorbeeld,
    )
    status = StatusFile(args.status, args.voorbeeld)
    close_watch, previous = None, None
    if args.voorbeeld and threading.current_thread() is threading.main_thread():
        # a preview can be stopped (it publishes nothing); a real load is never stopped half-way by the
        # page, so that it always reaches its audit record
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
        close_watch = _watch_signals()
    url = args.records_url or records_url(req.db)  # records_url reads $WIJKMONITOR_RECORDS_URL first
    eng = None
    try:
        eng = open_store(url)
        resultaat = run_delivery(eng, req, status.progress)
    except authz.Refused as exc:
        status.write(fase="mislukt", bericht=str(exc), geweigerd=True)
        return 3
    except OtherSource as exc:
        status.write(fase="mislukt", bericht=f"{req.naam}: {exc}")
        return 1
    except KeyboardInterrupt:
        status.write(fase="mislukt", bericht="gestopt: er is niets geladen of gewijzigd")
        return 143
    except Exception as exc:
        traceback.print_exc()  # to the job's log file; the page shows one Dutch line
        status.write(fase="mislukt", bericht=_unexpected(exc, req))
        if eng is not None and not req.voorbeeld:
            with contextlib.suppress(Exception):  # the store itself may be what failed
                authz.record(
                    eng,
                    req.actor,
                    ACTION,
                    authz.Change("levering", req.naam, None, {"bestand": req.naam, "bron": req.bron}),
                    "mislukt",
                    f"onverwachte fout ({type(exc).__name__})",
                )
        return 1
    finally:
        if close_watch is not None:
            close_watch()
            signal.signal(signal.SIGTERM, previous)
    status.write(fase="klaar", resultaat=resultaat)
    return 0 if resultaat["status"] in {"geladen", "voorbeeld", "overgeslagen"} else 1


def _unexpected(exc: Exception, req: Request) -> str:
    from etl import db as dbmod

    if isinstance(exc, dbmod.OnvoldoendeRuimte):
        return str(exc)
    if dbmod.is_disk_full(exc):
        return "de schijf van de server is vol; er is niets geladen. Meld dit aan de beheerder."
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryException":
        return "onvoldoende geheugen op de server; er is niets geladen. Meld dit aan de beheerder."
    return (
        f"onverwachte fout ({type(exc).__name__}) bij het laden van {req.naam}. Meld dit aan de beheerder "
        "(de technische details staan in het logboek van de server)."
    )


REACTIVATE = "levering.heractiveren"


def reactivation_command(args: argparse.Namespace) -> int:
    """Make an earlier delivery current again (``etl.revisions.reactivate``, as ``wijkmonitor heractiveer``),
    authorised now as ``levering.heractiveren`` (the beheerder's) and recorded. The status file's
    ``resultaat`` is ``{"status": geladen|voorbeeld|geweigerd|onbekend, "bericht", "load_id", "report"}``."""
    from etl.revisions import reactivate

    actor = _actor(args)
    if actor is None:
        return 2
    email = actor.email
    status = StatusFile(args.status, args.voorbeeld)
    eng = open_store(args.records_url or records_url(Path(args.db)))
    change = authz.Change("levering", str(args.load_id), None, {"heractiveer": args.load_id})
    try:
        roles = authz.authorise(eng, actor, REACTIVATE, None, change)
        outcome = reactivate(
            args.load_id, Path(args.db), voorbeeld=args.voorbeeld, user=email, progress=status.progress
        )
    except authz.Refused as exc:
        status.write(fase="mislukt", bericht=str(exc), geweigerd=True)
        return 3
    except Exception as exc:
        traceback.print_exc()
        status.write(
            fase="mislukt", bericht=f"onverwachte fout ({type(exc).__name__}); er is niets gewijzigd"
        )
        return 1
    if not args.voorbeeld:
        done = authz.Change(
            "levering",
            str(args.load_id),
            None,
            {"heractiveerd": args.load_id, "nieuwe_load": outcome.load_id},
        )
        authz.record(
            eng,
            actor,
            REACTIVATE,
            done,
            "uitgevoerd" if outcome.ok else "mislukt",
            None if outcome.ok else outcome.bericht,
            roles=roles,
        )
    resultaat = {
        "status": outcome.status,
        "bericht": outcome.bericht,
        "load_id": outcome.load_id,
        "report": outcome.report(),
    }
    status.write(fase="klaar", resultaat=resultaat)
    return 0 if outcome.ok else 1


SETTINGS = "instelling.wijzigen"


def settings_command(args: argparse.Namespace) -> int:
    """Change the warehouse's settings (as ``wijkmonitor instellingen``), authorised now as
    ``instelling.wijzigen`` (the beheerder's) and recorded per key, old -> new. ``resultaat``:
    ``{"gewijzigd": {key: [old, new]}}``; an invalid value ends ``mislukt`` with the Dutch reason."""
    from wijkmonitor import settings as settingsmod

    actor = _actor(args)
    if actor is None:
        return 2
    status = StatusFile(args.status, False)
    eng = open_store(args.records_url or records_url(Path(args.db)))
    try:
        raw = json.loads(args.waarden)
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise ValueError("de waarden moeten tekst zijn")
        changes = settingsmod.parse(f"{k}={v}" for k, v in raw.items())
        roles = authz.authorise(
            eng, actor, SETTINGS, None, authz.Change("instelling", ", ".join(sorted(changes)), None, changes)
        )
        changed = settingsmod.apply(Path(args.db), changes, progress=status.progress)
    except authz.Refused as exc:
        status.write(fase="mislukt", bericht=str(exc), geweigerd=True)
        return 3
    except ValueError as exc:
        status.write(fase="mislukt", bericht=f"niet gewijzigd: {exc}")
        return 1
    except Exception as exc:
        traceback.print_exc()
        status.write(
            fase="mislukt", bericht=f"onverwachte fout ({type(exc).__name__}); er is niets gewijzigd"
        )
        return 1
    for key, (old, new) in changed.items():
        authz.record(eng, actor, SETTINGS, authz.Change("instelling", key, old, new), roles=roles)
    status.write(fase="klaar", resultaat={"gewijzigd": {k: list(v) for k, v in changed.items()}})
    return 0


def template_command(args: argparse.Namespace) -> int:
    from etl.sources import variable_registry
    from etl.template import write_template

    if args.bron not in variable_registry():
        print(
            f"wijkmonitor.jobs: voor bron {args.bron!r} is er geen sjabloon; sjablonen zijn er voor "
            f"{', '.join(variable_registry())}",
            file=sys.stderr,
        )
        return 2
    db = args.db if args.db is not None and Path(args.db).exists() else None
    write_template(args.bron, args.out, db)
    return 0


def plan_excel_command(args: argparse.Namespace) -> int:
    """Read a jaarplan or status upload back (nothing is written). ``resultaat``: ``{"ok", "messages",
    "expectations", "activiteiten" | "regels", "goed", "niet_goed", "vragen"}``; objects as plain dicts."""
    from dataclasses import asdict

    from indicators.catalogue import load_catalogue
    from wijkmonitor import planexcel
    from wijkmonitor.records import jaarplannen as jp

    status = StatusFile(args.status, True)
    try:
        eng = open_store(args.records_url or records_url(Path(args.db)))
        data = Path(args.bestand).read_bytes()[: planexcel.MAX_BYTES + 1]
        naam = args.naam or Path(args.bestand).name
        if args.soort == "jaarplan":
            status.progress("Het jaarplan wordt gecontroleerd …")
            opgaven = jp.list_opgaven(eng, args.wijk, ook_vervallen=True)
            up = planexcel.read_plan_upload(data, naam, args.wijk, args.jaar, opgaven, load_catalogue())
            found: dict[str, Any] = {"activiteiten": [asdict(a) for a in up.activiteiten]}
        else:
            plan = jp.get_plan(eng, args.wijk, args.jaar)
            if plan is None:
                raise ValueError(f"er is geen jaarplan {args.jaar} voor deze wijk")
            if args.halfjaar not in (1, 2):
                raise ValueError("kies het halfjaar (1 of 2)")
            status.progress("De rapportage wordt gecontroleerd …")
            up = planexcel.read_status_upload(data, naam, plan, args.halfjaar)
            found = {
                "regels": [asdict(r) for r in up.regels],
                "goed": up.goed,
                "niet_goed": up.niet_goed,
                "vragen": up.vragen,
            }
    except ValueError as exc:
        status.write(fase="mislukt", bericht=f"niet gecontroleerd: {exc}")
        return 1
    except Exception as exc:
        traceback.print_exc()
        status.write(fase="mislukt", bericht=f"onverwachte fout ({type(exc).__name__}) bij het lezen")
        return 1
    status.write(
        fase="klaar",
        resultaat={
            "ok": up.ok,
            "messages": [i.as_dict() for i in up.issues][:MAX_MESSAGES],
            "messages_total": len(up.issues),
            "expectations": up.expectations,
            **found,
        },
    )
    return 0 if up.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "levering":
        return delivery_command(args)
    if args.command == "heractiveer":
        return reactivation_command(args)
    if args.command == "instellingen":
        return settings_command(args)
    if args.command == "planexcel":
        return plan_excel_command(args)
    return template_command(args)


if __name__ == "__main__":
    sys.exit(main())
