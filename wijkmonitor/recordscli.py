"""The command line's side of the records store: `wijkmonitor gebruiker …`, `wijkmonitor audit`, and the
audit records of the commands that write (load, heractiveer, instellingen, demo)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from wijkmonitor.records import auditlog, authz, users
from wijkmonitor.records.store import label, open_store, records_url


def add_parsers(sub: argparse._SubParsersAction, add_db) -> None:  # noqa: ANN001
    p = sub.add_parser("gebruiker", help="beheer gebruikers en hun rollen (login)")
    gsub = p.add_subparsers(dest="gebruiker_command", required=True, metavar="OPDRACHT")
    q = gsub.add_parser("toevoegen", help="voeg een gebruiker toe (bijv. de eerste beheerder)")
    q.add_argument("email", metavar="EMAIL")
    q.add_argument(
        "--rol",
        action="append",
        required=True,
        metavar="ROL",
        help="beheerder, stuurgroep, regiegroep, team:<wijkcode>, partner:<bron>; mag vaker",
    )
    q.add_argument("--naam", default="", help="naam zoals getoond in de app")
    add_db(q)
    q = gsub.add_parser("rol", help="ken een rol toe of trek hem in")
    q.add_argument("email", metavar="EMAIL")
    group = q.add_mutually_exclusive_group(required=True)
    group.add_argument("--toekennen", metavar="ROL")
    group.add_argument("--intrekken", metavar="ROL")
    add_db(q)
    for verb, text in (("blokkeren", "zet een gebruiker op inactief"), ("deblokkeren", "maak weer actief")):
        q = gsub.add_parser(verb, help=text)
        q.add_argument("email", metavar="EMAIL")
        add_db(q)
    q = gsub.add_parser("lijst", help="toon alle gebruikers en rollen")
    q.add_argument("--demo", action="store_true", help="ook de demogebruikers")
    add_db(q)
    p = sub.add_parser("backup", help="schrijf een samenhangende kopie van de database en de gegevensopslag")
    p.add_argument("--out", required=True, type=Path, metavar="MAP", help="een nieuwe (of lege) map")
    add_db(p)
    p = sub.add_parser("restore", help="zet een back-up terug (in een lege plek; zie docs/deployment.md)")
    p.add_argument("bron", type=Path, metavar="MAP", help="de map van 'wijkmonitor backup'")
    add_db(p)
    p = sub.add_parser("audit", help="toon of exporteer de audittrail (wie wijzigde wat, wanneer)")
    p.add_argument("--out", type=Path, help="schrijf alles als CSV naar dit bestand")
    p.add_argument("-n", type=int, default=50, help="aantal regels op het scherm (standaard 50)")
    add_db(p)


def _engine(db_path: Path):  # noqa: ANN202
    return open_store(records_url(db_path))


def user_command(args: argparse.Namespace, db_path: Path) -> int:
    eng = _engine(db_path)
    verb = args.gebruiker_command
    actor = authz.Actor.command(f"gebruiker {verb}")
    try:
        if verb == "toevoegen":
            user = users.add_user(eng, actor, args.email, args.naam, args.rol)
            print(f"gebruiker toegevoegd: {user.email} ({', '.join(sorted(user.rollen))})")
        elif verb == "rol":
            if args.toekennen:
                users.grant_role(eng, actor, args.email, args.toekennen)
            else:
                users.revoke_role(eng, actor, args.email, args.intrekken)
            user = users.get_user(eng, args.email)
            print(f"{user.email}: {', '.join(sorted(user.rollen)) or 'geen rollen'}")
        elif verb in {"blokkeren", "deblokkeren"}:
            users.set_active(eng, actor, args.email, verb == "deblokkeren")
            print(
                f"{authz.normalise_email(args.email)}: {'actief' if verb == 'deblokkeren' else 'geblokkeerd'}"
            )
        else:
            rows = users.list_users(eng, None if args.demo else False)
            if not rows:
                print(f"nog geen gebruikers in {label(records_url(db_path))}")
            for u in rows:
                state = "" if u.actief else "  (geblokkeerd)"
                print(f"{u.email:<40} {', '.join(sorted(u.rollen)) or '-'}{state}")
    except ValueError as exc:
        print(f"wijkmonitor: {exc}", file=sys.stderr)
        return 2
    return 0


def audit_command(args: argparse.Namespace, db_path: Path) -> int:
    eng = _engine(db_path)
    if args.out:
        rows = auditlog.entries(eng, limit=None)
        args.out.write_bytes(auditlog.to_csv(rows))
        print(f"{len(rows)} regels geschreven naar {args.out}")
        return 0
    for r in reversed(auditlog.entries(eng, limit=args.n)):
        print(
            f"{r['id']:>6}  {r['tijdstip']:%Y-%m-%d %H:%M:%S}  {r['uitkomst']:<10} {r['actie']:<22} "
            f"{r['object_soort']} {r['object_id']}  door {r['actor']} via {r['via']}"
        )
    return 0


def backup_command(args: argparse.Namespace, db_path: Path) -> int:
    from wijkmonitor.backup import BackupError, backup, restore

    url = records_url(db_path)
    try:
        if args.command == "backup":
            m = backup(db_path, url, args.out)
            rows = ", ".join(f"{n} {t}" for t, n in m["rijen"].items())
            print(
                f"back-up geschreven naar {args.out}: database {m['warehouse'] or '(geen)'}; gegevensopslag: {rows}"
            )
        else:
            m = restore(args.bron, db_path, url)
            print(f"back-up van {m['gemaakt']} teruggezet: database {db_path}, gegevensopslag {label(url)}")
            record_command(
                db_path,
                "restore",
                "backup.terugzetten",
                [
                    authz.Change(
                        "backup", str(args.bron), None, {"gemaakt": m["gemaakt"], "rijen": m["rijen"]}
                    )
                ],
            )
    except BackupError as exc:
        print(f"wijkmonitor: {exc}", file=sys.stderr)
        return 2
    return 0


def record_command(
    db_path: Path, verb: str, action: str, changes: Sequence[authz.Change], uitkomst: str = "uitgevoerd"
) -> None:
    """Record what a warehouse command did (the command line is the operator: always allowed)."""
    if not changes:
        return
    eng = _engine(db_path)
    actor = authz.Actor.command(verb)
    for change in changes:
        authz.record(eng, actor, action, change, uitkomst)
