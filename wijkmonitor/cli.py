"""`wijkmonitor`: one command per verb.

    wijkmonitor demo                       build the demo database from data/demo/
    wijkmonitor load PATH… [--source K]    load files or folders (whole or not at all)
    wijkmonitor validate PATH…             dry run: the same checks, nothing is loaded
    wijkmonitor load --voorbeeld PATH…     load into a private copy, show what would change, publish nothing
    wijkmonitor heractiveer LOAD_ID        make an earlier delivery current again (undo a correction)
    wijkmonitor loads                      the load history
    wijkmonitor indelingen                 the loaded area divisions and how figures are carried
    wijkmonitor serve [--db PATH]          start the dashboard
    wijkmonitor template BRON --out F      Excel template for a partner source
    wijkmonitor rebuild [--behoud-tussenstappen]   rebuild staging and marts (repairs an older database)
    wijkmonitor docs [--check]             regenerate docs/indicators.md and docs/data-dictionary.md
    wijkmonitor gebruiker toevoegen EMAIL --rol ROL   add a user (the first beheerder), also: rol, lijst, …
    wijkmonitor audit [--out F.csv]        the audit trail: who changed what, when
    wijkmonitor backup --out DIR           a consistent copy of the warehouse and the records store
    wijkmonitor restore DIR                put a backup back (into an empty place)

Exit codes: 0 ok, 1 rejected input (or an unexpected error: one Dutch line, the traceback with --debug),
2 usage error, 130 Ctrl-C, 143 SIGTERM (both clean up: the database is unchanged), 141 output pipe closed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import traceback
from pathlib import Path

from etl import db as dbmod
from etl.build import build, ensure_schema
from etl.load import list_loads, load_files, stderr_progress, validate_files
from etl.sources import KIND_FOR_SOURCE_OPTION, Options, variable_registry
from wijkmonitor import documentscli, recordscli
from wijkmonitor.records.authz import Change

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "data" / "demo"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit with 2 (argparse's default too), in Dutch
        self.print_usage(sys.stderr)
        print(f"wijkmonitor: fout: {message}", file=sys.stderr)
        sys.exit(2)


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="database (standaard: $WIJKMONITOR_DB of data/wijkmonitor.duckdb)")


def _add_load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PAD", help="bestanden of mappen")
    p.add_argument(
        "--source", choices=sorted(KIND_FOR_SOURCE_OPTION), help="soort bron (anders herkend aan de kolommen)"
    )
    p.add_argument("--jaar", type=int, help="jaar van een CBS-kerncijferbestand of van de gebiedsindeling")
    p.add_argument(
        "--indeling",
        type=int,
        metavar="JAAR",
        help="de gebiedsindeling (jaar) die de codes van het bestand volgen; anders herkend aan de codes",
    )
    p.add_argument(
        "--gemeente", help="alleen gebieden van deze gemeente (bijv. GM0597); de rest wordt overgeslagen"
    )
    p.add_argument("--blad", help="naam van het tabblad (Excel); standaard het eerste")
    p.add_argument(
        "--code",
        dest="code_template",
        help="GeoJSON: sjabloon voor de CBS-code, bijv. 'BU{GEMEENTECODE}{BUURTCODE}'",
    )
    p.add_argument("--naam", dest="naam_template", help="GeoJSON: sjabloon voor de naam, bijv. '{BUURT}'")
    _add_db(p)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="wijkmonitor", description="Leefbaarheidsmonitor: laden, controleren en tonen.")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("demo", help="bouw de demodatabase uit data/demo/")
    p.add_argument(
        "--genereer", action="store_true", help="schrijf eerst de demobestanden opnieuw (seed 2019)"
    )
    _add_db(p)
    p = sub.add_parser("load", help="laad bestanden of mappen")
    _add_load_options(p)
    p.add_argument(
        "--voorbeeld",
        action="store_true",
        help="laat zien wat de levering zou vervangen (aantallen, grootste wijzigingen); laad niets",
    )
    p.add_argument(
        "--forceer",
        action="store_true",
        help="laad ook een levering met een oudere peildatum dan de levering die ze vervangt",
    )
    _add_load_options(sub.add_parser("validate", help="controleer bestanden zonder te laden"))
    p = sub.add_parser(
        "heractiveer", help="maak een eerdere levering weer actueel (maak een correctie ongedaan)"
    )
    p.add_argument("load_id", type=int, metavar="LOAD_ID", help="het nummer uit 'wijkmonitor loads'")
    p.add_argument("--voorbeeld", action="store_true", help="laat zien wat er zou veranderen; wijzig niets")
    _add_db(p)
    p = sub.add_parser(
        "indelingen", help="toon de geladen gebiedsindelingen en hoe de cijfers worden omgezet"
    )
    _add_db(p)
    p = sub.add_parser("loads", help="toon de laadgeschiedenis")
    _add_db(p)
    p = sub.add_parser("serve", help="start het dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument(
        "--address",
        default="127.0.0.1",
        help="adres om op te luisteren (standaard 127.0.0.1: alleen deze computer; 0.0.0.0: het hele netwerk, "
        "alleen met inloggen via OpenID Connect, zie docs/deployment.md)",
    )
    p.add_argument(
        "--onveilige-demo",
        action="store_true",
        help="luister op een ander adres zonder inloggen (demomodus: iedereen die het adres bereikt is beheerder)",
    )
    _add_db(p)
    p = sub.add_parser(
        "export",
        help="schrijf indicatoren, samengestelde scores of doelen naar CSV, of de open data (map met "
        "datapackage.json)",
    )
    p.add_argument("soort", choices=["indicators", "composites", "targets", "opendata"])
    p.add_argument("--out", required=True, type=Path, help="bestand (CSV), of bij 'opendata' een map")
    p.add_argument(
        "--snapshot", help="bij 'opendata': uit deze momentopname (standaard: de actuele gegevens)"
    )
    p.add_argument(
        "--niveau",
        choices=["gemeente", "wijk", "buurt"],
        action="append",
        help="alleen dit niveau (mag vaker); standaard alle",
    )
    _add_db(p)
    documentscli.add_parsers(sub, _add_db)
    p = sub.add_parser(
        "instellingen", help="toon of wijzig de instellingen (basisjaar, doeljaar, marge, indeling, …)"
    )
    p.add_argument("waarden", nargs="*", metavar="SLEUTEL=WAARDE", help="bijv. doeljaar=2027")
    _add_db(p)
    p = sub.add_parser(
        "rebuild", help="bouw staging en marts opnieuw op uit raw (ook om een oudere database te herstellen)"
    )
    p.add_argument(
        "--behoud-tussenstappen",
        action="store_true",
        help="bewaar de tussentabellen (int_*) in schema 'intermediate' om een cijfer na te rekenen",
    )
    _add_db(p)
    p = sub.add_parser("template", help="Excel-sjabloon voor een partnerbron")
    p.add_argument("bron", choices=sorted(variable_registry()))
    p.add_argument("--out", required=True, type=Path)
    _add_db(p)
    p = sub.add_parser(
        "docs", help="schrijf docs/indicators.md en docs/data-dictionary.md opnieuw (gegenereerd)"
    )
    p.add_argument("--out", type=Path, metavar="MAP", help="schrijf naar deze map (standaard docs/)")
    p.add_argument("--check", action="store_true", help="schrijf niets; exit 1 als een document verouderd is")
    recordscli.add_parsers(sub, _add_db)
    return parser


def _options(args: argparse.Namespace) -> Options:
    return Options(
        source=args.source,
        jaar=args.jaar,
        gemeente=args.gemeente,
        sheet=args.blad,
        code_template=args.code_template,
        naam_template=args.naam_template,
        indeling=getattr(args, "indeling", None),
        voorbeeld=getattr(args, "voorbeeld", False),
        forceer=getattr(args, "forceer", False),
    )


DEBUG_HELP = "toon bij een onverwachte fout de volledige foutmelding (traceback)"
# commands that may change the database
WRITE_COMMANDS = {"load", "demo", "instellingen", "rebuild", "heractiveer"}


class Gestopt(KeyboardInterrupt):
    """Raised on SIGTERM: a KeyboardInterrupt, so every ``finally`` / ``except BaseException`` (the write
    session removes its copy) runs as for Ctrl-C, and ``except Exception`` does not swallow it."""


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_signals_seen: list[int] = []  # an interrupted DuckDB statement raises its own error: remember the signal


def _on_signal(signum: int, frame: object) -> None:
    _signals_seen.append(signum)
    if sys.exc_info()[0] is None:
        raise Gestopt if signum == signal.SIGTERM else KeyboardInterrupt
    # Otherwise an exception is already on its way out (DuckDB's "interrupted", see _SignalWatcher) and its
    # clean-up may be running right here: a second exception now would cut that clean-up short. main()
    # reports the signal from _signals_seen.


class _SignalWatcher:
    """Interrupts the write session's DuckDB statement on Ctrl-C and SIGTERM, so that the clean-up starts
    at once.

    Python runs signal handlers only between bytecodes, and DuckDB interrupts a statement on a file database
    only at its end: a signal would wait for the statement (seconds at national scale). Python's C-level
    handler writes the signal number to the wakeup fd at once; this thread reads it and interrupts the
    statement, which fails, the write session removes its copy, and _on_signal records the signal.
    """

    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        os.set_blocking(self._w, False)
        self._previous = signal.set_wakeup_fd(self._w, warn_on_full_buffer=False)
        threading.Thread(target=self._run, name="wijkmonitor-signalen", daemon=True).start()

    def _run(self) -> None:
        try:
            while data := os.read(self._r, 64):  # empty at end of file: close() was called
                if any(s in data for s in STOP_SIGNALS):
                    dbmod.interrupt_writers()
        finally:
            os.close(self._r)

    def close(self) -> None:
        signal.set_wakeup_fd(self._previous)
        os.close(self._w)


def _say(message: str) -> None:
    with contextlib.suppress(OSError):  # stderr may be a closed pipe too
        print(f"wijkmonitor: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run one command. The top-level handler: Ctrl-C (exit 130) and SIGTERM (exit 143) clean up and say so
    in Dutch; a full disk and any unexpected error give one Dutch line and exit 1 (the traceback only with
    ``--debug``); a closed output pipe (``wijkmonitor loads | head -1``) ends quietly."""
    raw = list(sys.argv[1:] if argv is None else argv)
    # --debug is global: accepted before and after the subcommand (not after "--", which ends the options)
    end = raw.index("--") if "--" in raw else len(raw)
    debug = "--debug" in raw[:end]
    args = build_parser().parse_args([a for i, a in enumerate(raw) if i >= end or a != "--debug"])
    args.debug = debug
    db_path = dbmod.resolve_db_path(getattr(args, "db", None))
    before = dbmod.db_version(db_path)
    watcher, previous = None, {}
    try:
        previous = {signum: signal.signal(signum, _on_signal) for signum in STOP_SIGNALS}
        watcher = _SignalWatcher()
    except ValueError:  # not the main thread (an embedding application): leave signals alone
        pass
    _signals_seen.clear()
    try:
        code = _command(args)
        sys.stdout.flush()  # inside the try: a closed pipe must surface here, not at interpreter exit
        if _signals_seen:  # a signal that arrived while some exception was handled: still report it
            return _interrupted(args, debug, _signals_seen[0], before, db_path)
        return code
    except BrokenPipeError:
        # Python's advice: point stdout at devnull so the final flush at exit cannot fail again
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a pipe that was closed
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Gestopt)
        default = signal.SIGTERM if isinstance(exc, Gestopt) else signal.SIGINT
        return _interrupted(args, debug, (_signals_seen or [default])[0], before, db_path)
    except Exception as exc:
        if _signals_seen or _is_interrupt(exc):  # an interrupted DuckDB statement raises its own error
            return _interrupted(args, debug, (_signals_seen or [signal.SIGINT])[0], before, db_path)
        _say(_unexpected(exc, args, before, db_path))
        if debug:
            traceback.print_exc()
        return 1
    finally:
        if watcher is not None:
            watcher.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _is_interrupt(exc: BaseException) -> bool:
    import duckdb

    return isinstance(exc, duckdb.InterruptException) or (
        type(exc) is RuntimeError and str(exc) == "Query interrupted"
    )


def _db_state(args: argparse.Namespace, before: tuple[int, int] | None, db_path: Path) -> str:
    """What happened to the database, for the message after an interruption or error of a write command."""
    if args.command not in WRITE_COMMANDS:
        return ""
    if dbmod.db_version(db_path) == before:
        return "; de database is niet gewijzigd"
    return "; de database is wel gewijzigd (zie 'wijkmonitor loads')"


def _interrupted(
    args: argparse.Namespace, debug: bool, signum: int, before: tuple[int, int] | None, db_path: Path
) -> int:
    """Say in Dutch that the command was interrupted and what became of the database; the exit code."""
    how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    _say(f"afgebroken ({how}){_db_state(args, before, db_path)}")
    if debug and sys.exc_info()[0] is not None:
        traceback.print_exc()
    return 128 + signum


def _unexpected(
    exc: Exception, args: argparse.Namespace, before: tuple[int, int] | None, db_path: Path
) -> str:
    """One Dutch line for an error nobody handled: no English library text and no temporary paths."""
    state = _db_state(args, before, db_path)
    if isinstance(exc, dbmod.OnvoldoendeRuimte):
        return str(exc)
    if dbmod.is_disk_full(exc):
        return f"de schijf is vol (bij {db_path.parent}){state}. Maak ruimte vrij en probeer het opnieuw."
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryException":
        return f"onvoldoende geheugen{state}."
    if isinstance(exc, PermissionError):
        return f"geen toegang tot een bestand of map{state}. Controleer de rechten (bij {db_path.parent})."
    return (
        f"onverwachte fout ({type(exc).__name__}){state}. Met --debug ziet u de technische details; "
        "meld dit aan de beheerder."
    )


def _command(args: argparse.Namespace) -> int:
    db_path = dbmod.resolve_db_path(getattr(args, "db", None))
    if args.command == "demo":
        from etl.demo import generate_demo

        if args.genereer or not any(DEMO_DIR.glob("*")):
            generate_demo(DEMO_DIR)
        results = load_files(
            [DEMO_DIR], db_path, progress=stderr_progress, fresh=True, settings={"demo": "ja"}
        )
        ok = all(r.ok for r in results)
        _record_loads(db_path, "demo", results)
        print(f"demodatabase {'gebouwd' if ok else 'NIET gebouwd'}: {db_path} ({len(results)} bestanden)")
        if ok:
            from wijkmonitor.demoplans import demo_wijken, seed_demo_plans
            from wijkmonitor.demosturing import demo_need, seed_demo_steering, summary
            from wijkmonitor.records.store import open_store, records_url

            records = open_store(records_url(db_path))
            seeded = seed_demo_plans(records)
            if seeded.get("overgeslagen"):
                print("demo-jaarplannen: stonden er al; niets toegevoegd")
            else:
                print(
                    f"demo-jaarplannen: {seeded['jaarplannen']} jaarplannen met {seeded['activiteiten']} "
                    f"activiteiten en {seeded['rapportages']} statusrapportages aangemaakt"
                )
            print(summary(seed_demo_steering(records, demo_wijken(), demo_need(db_path))))
        return 0 if ok else 1
    if args.command in {"load", "validate"}:
        missing = [p for p in args.paths if not Path(p).exists()]
        if missing:
            print(f"wijkmonitor: bestaat niet: {', '.join(missing)}", file=sys.stderr)
            return 2
        fn = load_files if args.command == "load" else validate_files
        results = fn(args.paths, db_path, _options(args), progress=print)
        if args.command == "load" and not args.voorbeeld:
            _record_loads(db_path, "load", results)
        if not results:
            print("geen bestanden gevonden (csv, xlsx, geojson)", file=sys.stderr)
            return 2
        if getattr(args, "voorbeeld", False):
            print("voorbeeld: er is niets geladen; de database en de laadgeschiedenis zijn niet gewijzigd")
        return 0 if all(r.ok for r in results) else 1
    if args.command == "heractiveer":
        from etl.revisions import reactivate

        outcome = reactivate(args.load_id, db_path, voorbeeld=args.voorbeeld, progress=stderr_progress)
        if outcome.ok and not args.voorbeeld:
            recordscli.record_command(
                db_path,
                "heractiveer",
                "levering.heractiveren",
                [Change("levering", str(args.load_id), None, {"heractiveerd": args.load_id})],
            )
        if outcome.ok:
            print(outcome.report())
        else:
            print(f"wijkmonitor: {outcome.bericht}", file=sys.stderr)
        return 0 if outcome.ok else 2 if outcome.status == "onbekend" else 1
    if args.command == "indelingen":
        return _divisions_command(db_path)
    if args.command == "loads":
        rows = list_loads(db_path)
        if not rows:
            print(f"nog geen loads in {db_path}")
        for r in rows:
            print(
                f"{r['load_id']:>5}  {r['klaar']:%Y-%m-%d %H:%M}  {r['status']:<10} {r['bronsoort'] or '-':<14} "
                f"{r['rijen_geladen'] or 0:>9} rijen  {r['gebruiker']:<10} {r['bestand']}"
            )
        return 0
    if args.command == "serve":
        return _serve(args, db_path)
    if args.command == "snapshot":
        return documentscli.snapshot_command(args, db_path)
    if args.command == "report":
        return documentscli.report_command(args, db_path)
    if args.command == "export" and args.soort == "opendata":
        return documentscli.opendata_command(args, db_path)
    if args.command == "export":
        if not db_path.exists():
            print(f"wijkmonitor: geen database: {db_path}", file=sys.stderr)
            return 2
        from indicators.export import export_frame, write_csv

        with dbmod.connect_readonly(db_path) as con:
            df = export_frame(con, args.soort, tuple(args.niveau or ("gemeente", "wijk", "buurt")))
        write_csv(df, args.out)
        hidden = int(df["onderdrukt"].sum()) if "onderdrukt" in df else 0
        print(f"{len(df)} rijen geschreven naar {args.out}" + (f" ({hidden} onderdrukt)" if hidden else ""))
        return 0
    if args.command == "instellingen":
        return _settings_command(db_path, args.waarden)
    if args.command == "rebuild":
        if not db_path.exists():
            print(f"wijkmonitor: geen database: {db_path}", file=sys.stderr)
            return 2
        with dbmod.write_session(db_path) as con:
            ensure_schema(con)  # tables and macros a newer version added
            timings = build(con, keep_intermediate=args.behoud_tussenstappen, progress=stderr_progress)
        kept = " (tussentabellen bewaard in schema 'intermediate')" if args.behoud_tussenstappen else ""
        print(f"database opnieuw opgebouwd: {db_path}, {len(timings)} stappen{kept}")
        return 0
    if args.command == "gebruiker":
        return recordscli.user_command(args, db_path)
    if args.command == "audit":
        return recordscli.audit_command(args, db_path)
    if args.command in {"backup", "restore"}:
        return recordscli.backup_command(args, db_path)
    if args.command == "docs":
        from wijkmonitor.docs import docs_command

        return docs_command(args.out, check=args.check)
    if args.command == "template":
        from etl.template import write_template

        write_template(args.bron, args.out, db_path if db_path.exists() else None)
        print(f"sjabloon geschreven: {args.out}")
        return 0
    return 2  # pragma: no cover


def _serve(args: argparse.Namespace, db_path: Path) -> int:
    """Start Streamlit with safe settings; refuse a non-local address without login (OIDC)."""
    from wijkmonitor.serve import bind_refusal, default_secrets_files, oidc_configured, streamlit_command

    app = REPO / "dashboard" / "app.py"
    secrets = default_secrets_files(REPO, app)
    if os.environ.get("WIJKMONITOR_SECRETS"):
        secrets.append(Path(os.environ["WIJKMONITOR_SECRETS"]))  # a file outside the repository (deployment)
    refusal = bind_refusal(args.address, oidc_configured(secrets), args.onveilige_demo)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    env = dict(os.environ, WIJKMONITOR_DB=str(db_path.resolve()))
    # Streamlit reads exactly the secrets files that were checked above.
    cmd = streamlit_command(app, args.port, args.address, secrets)
    return subprocess.call(cmd, env=env, cwd=REPO)


def _record_loads(db_path: Path, verb: str, results: list) -> None:
    """Every delivery that changed the warehouse, and every refusal, goes to the audit trail."""
    changes = {
        "uitgevoerd": [
            Change(
                "levering",
                str(r.load_id),
                None,
                {"bestand": r.path.name, "soort": r.kind, "rijen": r.rows_loaded},
            )
            for r in results
            if r.status == "geladen"
        ],
        "mislukt": [
            Change("levering", r.path.name, None, {"bestand": r.path.name, "status": r.status})
            for r in results
            if r.status == "afgewezen"
        ],
    }
    for uitkomst, items in changes.items():
        recordscli.record_command(db_path, verb, "levering.laden", items, uitkomst)


def _divisions_command(db_path: Path) -> int:
    """The loaded area divisions: what each holds and how its areas reach the analysis division."""
    if not db_path.exists():
        print(f"wijkmonitor: geen database: {db_path}", file=sys.stderr)
        return 2
    with dbmod.connect_readonly(db_path) as con:
        rows = con.execute(
            "SELECT naam, gemeenten, wijken, buurten, met_geometrie, leveringen, analyse_gemeenten, eigen, "
            "zelfde_code, omzettingstabel, geometrie, niet_omgezet FROM marts.dim_indeling"
        ).fetchall()
        gekozen = con.execute("SELECT waarde FROM meta.instellingen WHERE sleutel = 'indeling'").fetchall()
    print(f"analyse op: {gekozen[0][0] if gekozen and gekozen[0][0] else 'de nieuwste volledige indeling'}")
    for r in rows:
        print(
            f"gebiedsindeling {r[0]}: {r[1]} gemeente(n), {r[2]} wijken, {r[3]} buurten ({r[4]} met geometrie); "
            f"{r[5]} levering(en); analyse-indeling van {r[6]} gemeente(n); gebieden: {r[7]} eigen, "
            f"{r[8]} zelfde code, {r[9]} via omzettingstabel, {r[10]} via geometrie, {r[11]} niet omgezet"
        )
    return 0


def _settings_command(db_path: Path, assignments: list[str]) -> int:
    from wijkmonitor import settings as settingsmod

    try:
        changes = settingsmod.parse(assignments)
        base = settingsmod.current(db_path)
        resolved = settingsmod.check(changes, base)
        if changes and not db_path.exists():
            print(f"wijkmonitor: geen database: {db_path}", file=sys.stderr)
            return 2
        changed = settingsmod.apply(db_path, changes) if changes else {}
    except ValueError as exc:
        print(f"wijkmonitor: ongeldige waarde: {exc}", file=sys.stderr)
        return 2
    recordscli.record_command(
        db_path,
        "instellingen",
        "instelling.wijzigen",
        [Change("instelling", k, old, new) for k, (old, new) in changed.items()],
    )
    for key in settingsmod.SETTING_KEYS:
        print(f"{key} = {getattr(resolved, key)}")
    print(f"indeling = {({**base, **changes}).get('indeling') or '(nieuwste volledige)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
