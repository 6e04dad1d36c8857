"""The load pipeline: file -> raw (as delivered + provenance) -> GX validation -> staging -> marts.

A file is loaded whole or not at all: its rows go into ``raw`` inside one transaction that is only committed
when validation passed. Every attempt (loaded or rejected) is recorded in ``meta.loads`` with its validation
result and messages. All writing happens on a private copy of the database that is published atomically
(see :mod:`etl.db`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import attempts, indeling, rawcopy, revisions
from etl import db as dbmod
from etl.build import ensure_schema, rebuild, rebuild_areas
from etl.reader import (
    Delivery,
    Limits,
    ReadError,
    check_file,
    peek_delivery,
    read_delivery,
    scratch_connection,
    shown,
)
from etl.sources import (
    Options,
    Plan,
    SourceError,
    build_frames,
    detect_kind,
    partner_label,
    plan_delivery,
    q,
)
from etl.validation import Issue, ValidationResult, run_frames

SUPPORTED = {".csv", ".txt", ".xlsx", ".xlsm", ".geojson", ".json"}
# Areas first: other sources are checked against the area divisions; a crosswalk needs both of its divisions.
KIND_ORDER = {"gebieden": 0, "bevolking": 1, "omzetting": 2}
OTHER_RANK = 3

Progress = Callable[[str], None]


@dataclass
class LoadResult:
    path: Path
    status: str  # geladen | afgewezen | overgeslagen (same sha256 already loaded) | gecontroleerd (dry run)
    # | voorbeeld (load --voorbeeld: loaded into the private copy, which is thrown away)
    kind: str | None = None
    rows: int = 0
    rows_loaded: int = 0
    load_id: int | None = None
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    revision: revisions.Revision | None = None  # what the delivery replaces (etl/revisions.py)

    @property
    def ok(self) -> bool:
        return self.status in {"geladen", "overgeslagen", "gecontroleerd", "voorbeeld"}

    def report(self) -> str:
        name = self.path.name
        if self.status == "geladen":
            head = f"{name}: geladen: {self.rows_loaded} rijen ({self.kind}, load {self.load_id})"
        elif self.status == "overgeslagen":
            head = f"{name}: al geladen (zelfde inhoud, load {self.load_id}); niets gewijzigd"
        elif self.status == "gecontroleerd":
            head = f"{name}: in orde: {self.rows} rijen ({self.kind}); niets geladen (controle)"
        elif self.status == "voorbeeld":
            head = f"{name}: voorbeeld: {self.rows_loaded} rijen ({self.kind}); niets geladen of gewijzigd"
        else:
            n = len([i for i in self.issues if i.ernst == "fout"])
            head = f"{name}: AFGEWEZEN, {n} {'fout' if n == 1 else 'fouten'}; de database is niet gewijzigd"
        lines = [head]
        if self.revision is not None and self.status in {"voorbeeld", "afgewezen"}:
            lines += [f"  {line}" for line in self.revision.lines()]
        lines += [f"  let op: {n}" for n in self.notes]
        shown = [i for i in self.issues if i.ernst == "waarschuwing"] + [
            i for i in self.issues if i.ernst == "fout"
        ]
        for issue in shown[:200]:
            lines.append(f"  {'FOUT' if issue.ernst == 'fout' else 'waarschuwing'}: {issue.bericht}")
        if len(shown) > 200:
            lines.append(f"  … en nog {len(shown) - 200} meldingen")
        return "\n".join(lines)


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files and folders (non-recursive) to a sorted list of supported files."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUPPORTED))
        else:
            out.append(p)
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return os.environ.get("USER", "onbekend")


class _NothingToPublish(Exception):
    """Raised inside a write session to throw the copy away: nothing was loaded, the warehouse stays as it is."""


def _prepare(scr: duckdb.DuckDBPyConnection, path: Path, opts: Options) -> tuple[Delivery, Plan, list[str]]:
    """Read the file into the scratch connection, plan it and make view ``scope`` (the rows to load)."""
    delivery = read_delivery(scr, path, sheet=opts.sheet)
    plan = plan_delivery(delivery, opts)
    warnings = list(delivery.notes) + list(plan.warnings)
    scope = "levering"
    if opts.gemeente:
        gm = opts.gemeente.strip().upper()
        if not re.fullmatch(r"GM[0-9]{4}", gm):
            raise SourceError(
                f"--gemeente moet een CBS-gemeentecode zijn zoals GM0597, niet '{shown(opts.gemeente)}'"
            )
        scr.execute(
            f"CREATE OR REPLACE TEMP VIEW levering_scope AS SELECT * FROM levering "
            f"WHERE regexp_matches({plan.code_expr}, '^(GM|WK|BU)') "
            f"AND 'GM' || substr({plan.code_expr}, 3, 4) = '{gm}'"
        )
        skipped = scr.execute(
            "SELECT (SELECT count(*) FROM levering) - (SELECT count(*) FROM levering_scope)"
        ).fetchone()[0]
        if skipped:
            examples = [
                shown(r[0], 20)
                for r in scr.execute(
                    f"SELECT DISTINCT {plan.code_expr} FROM levering EXCEPT SELECT DISTINCT {plan.code_expr} "
                    f"FROM levering_scope ORDER BY 1 LIMIT 5"
                ).fetchall()
            ]
            warnings.append(f"{skipped} rijen buiten gemeente {gm} overgeslagen (o.a. {', '.join(examples)})")
        cbs_codes = scr.execute(
            f"SELECT count(*) FROM levering WHERE regexp_matches({plan.code_expr}, '^(GM|WK|BU)')"
        ).fetchone()[0]
        # an empty selection of a file with CBS codes: another gemeente's file (a file without CBS codes gets
        # its own message from the source's checks, which look at the whole file)
        if skipped and skipped == delivery.rows and cbs_codes:
            raise SourceError(
                f"geen enkele rij hoort bij gemeente {gm} (o.a. {', '.join(examples)}): er zou niets geladen "
                "worden. Controleer de gemeentecode, of hoe de gebiedscodes in het bestand staan."
            )
        scope = "levering_scope"
    scr.execute(f"CREATE OR REPLACE TEMP VIEW scope AS SELECT * FROM {scope}")
    return delivery, plan, warnings


@dataclass
class _Checked:
    delivery: Delivery | None
    plan: Plan | None
    result: ValidationResult
    partner: str | None = None


def _scratch_setup(scr: duckdb.DuckDBPyConnection, base: duckdb.DuckDBPyConnection) -> None:
    """The scratch connection gets the schema, the macros and a copy of the area divisions of ``base``."""
    ensure_schema(scr)
    if _has_table(base, "marts", "dim_indeling_gebied"):
        base.complete()  # DuckDB 2: a relation cannot start while an execute() result is pending
        areas = base.sql(
            "SELECT indeling, gebied_code, niveau, gemeente_code FROM marts.dim_indeling_gebied"
        ).to_arrow_table()
        scr.register("_dim_indeling_gebied", areas)
        scr.execute("CREATE OR REPLACE TABLE marts.dim_indeling_gebied AS SELECT * FROM _dim_indeling_gebied")
        scr.unregister("_dim_indeling_gebied")


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _check(
    scr: duckdb.DuckDBPyConnection, base: duckdb.DuckDBPyConnection, path: Path, opts: Options
) -> _Checked:
    """Read and validate one file on its scratch connection ``scr`` against the area division of ``base``."""
    try:
        _scratch_setup(scr, base)
        delivery, plan, warnings = _prepare(scr, path, opts)
        if plan.kind != "omzetting":  # a crosswalk decides its two divisions itself
            warnings += indeling.choose(scr, plan, opts, "scope")
            warnings += indeling.coverage_notes(scr, plan, "scope")
    except (ReadError, SourceError) as exc:
        msg = str(exc)
        if not msg.startswith(path.name):
            msg = f"{path.name}: {msg}"
        return _Checked(None, None, ValidationResult([Issue("fout", msg, regel="bestandsformaat")]))
    try:
        frames = build_frames(scr, delivery, plan, "scope")
    except SourceError as exc:
        return _Checked(
            delivery, plan, ValidationResult([Issue("fout", f"{path.name}: {exc}", regel="gebiedsindeling")])
        )
    result = run_frames(scr, frames, path.name, plan.kind)
    result.issues[:0] = [Issue("waarschuwing", f"{path.name}: {w}") for w in warnings]
    partner = partner_label(scr, plan, "scope") if result.success else None
    return _Checked(delivery, plan, result, partner)


def _transfer(
    scr: duckdb.DuckDBPyConnection, base: duckdb.DuckDBPyConnection, plan: Plan, load_id: int
) -> int:
    """Insert the checked rows (view ``scope`` of the scratch) into ``plan.raw_table`` of ``base``.

    The rows travel as an Arrow stream under our own column names: the writing connection never reads the
    delivered file and never sees a delivered name.
    """
    exprs = ", ".join(f"{e} AS {q(c)}" for c, e in plan.select.items())
    scr.complete()
    stream = scr.sql(f"SELECT {exprs}, _rij FROM scope ORDER BY _rij").to_arrow_reader(1 << 16)
    cols = ", ".join(q(c) for c in plan.select)
    base.complete()
    base.register("_levering_rijen", stream)
    try:
        base.execute(
            f"INSERT INTO {plan.raw_table} ({cols}, _load_id, _rij) SELECT {cols}, ?, _rij FROM _levering_rijen",
            [load_id],
        )
    finally:
        base.unregister("_levering_rijen")
    return base.execute(f"SELECT count(*) FROM {plan.raw_table} WHERE _load_id = ?", [load_id]).fetchone()[0]


def validate_files(
    paths: Iterable[str | os.PathLike[str]],
    db_path: Path | None = None,
    opts: Options | None = None,
    progress: Progress | None = None,
) -> list[LoadResult]:
    """Dry run: the same checks as a load, against a read-only view of the current area division.

    Nothing is written: not the warehouse, not the attempt log."""
    opts = opts or Options()
    db_path = dbmod.resolve_db_path(db_path)
    results = []
    work = duckdb.connect()  # the area division of this batch; the live database is attached read-only
    ensure_schema(work)
    if db_path.exists():
        _copy_live_areas(work, db_path)
        rebuild_areas(work)
    for path in _ordered(expand_paths(paths), opts):
        t0 = time.perf_counter()
        with scratch_connection(path) as scr, dbmod.interruptible(scr):
            checked = _check(scr, work, path, opts)
            ok = checked.result.success and checked.plan is not None
            if ok and checked.plan.kind in KIND_ORDER:
                # As in a load, later files of the batch are checked against the areas of this one.
                work_id = _max_area_load(work) + 1
                _transfer(scr, work, checked.plan, work_id)
                indeling.record(work, work_id, checked.plan)
                rebuild_areas(work)
        res = LoadResult(
            path,
            "gecontroleerd" if checked.result.success else "afgewezen",
            checked.plan.kind if checked.plan else None,
            checked.delivery.rows if checked.delivery else 0,
            issues=checked.result.issues,
            seconds=time.perf_counter() - t0,
        )
        results.append(res)
        if progress:
            progress(res.report())
    work.close()
    return results


AREA_RAW_TABLES = ("raw.gebieden__gebieden", "raw.cbs__kerncijfers", "raw.gemeente__bevolking")


def _copy_live_areas(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Validation work database: the live area deliveries, so that the area division can be rebuilt."""
    con.execute("ATTACH ? AS live (READ_ONLY)", [str(db_path)])
    try:
        for table in AREA_RAW_TABLES:
            schema, name = table.split(".")
            if con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'live' "
                "AND table_schema = ? AND table_name = ?",
                [schema, name],
            ).fetchone()[0]:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM live.{table}")
        if con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'live' "
            "AND table_schema = 'meta' AND table_name = 'load_indeling'"
        ).fetchone()[0]:
            con.execute("INSERT INTO meta.load_indeling SELECT * FROM live.meta.load_indeling")
    finally:
        con.execute("DETACH live")


def _max_area_load(con: duckdb.DuckDBPyConnection) -> int:
    return max(
        con.execute(f"SELECT coalesce(max(_load_id), 0) FROM {t}").fetchone()[0] for t in AREA_RAW_TABLES
    )


def _ordered(paths: list[Path], opts: Options) -> list[Path]:
    """Area-defining files first (gebieden, bevolking), then the rest, each group in name order."""

    def rank(p: Path) -> tuple[int, str]:
        if opts.source:
            return (KIND_ORDER.get(opts.source, OTHER_RANK), p.name)
        try:
            kind = detect_kind(peek_delivery(p, sheet=opts.sheet))[0]
        except Exception:  # an unreadable file is refused with its message when its turn comes
            kind = ""
        return (KIND_ORDER.get(kind, OTHER_RANK), p.name)

    return sorted(paths, key=rank)


def load_files(
    paths: Iterable[str | os.PathLike[str]],
    db_path: Path | None = None,
    opts: Options | None = None,
    progress: Progress | None = None,
    fresh: bool = False,
    user: str | None = None,
    settings: dict[str, str] | None = None,
) -> list[LoadResult]:
    """Load files (or folders) into the database. Each file is loaded whole or not at all.

    The warehouse is published only when at least one file was loaded (or ``fresh``/``settings`` ask for
    it): a rejected or already-loaded file leaves the database file byte-identical. Every attempt goes to
    the attempt log beside the database (:mod:`etl.attempts`). With ``opts.voorbeeld`` the files are loaded
    into the private copy (what they replace is in ``LoadResult.revision``), which is then thrown away:
    nothing is published and nothing is recorded."""
    opts = opts or Options()
    if settings and settings.get("demo") == "ja" and opts.geleverd_op is None:
        # the demo build (`wijkmonitor demo`, the only caller with this setting) states the delivery moments
        # of its weekly police files: a sequence every 14 days, one late (etl.demo.DELIVERY_MOMENTS), and of
        # the corporatie's file (etl.demo.OTHER_DELIVERY_MOMENTS)
        from etl.demo import DELIVERY_MOMENTS, OTHER_DELIVERY_MOMENTS

        opts = dataclasses.replace(opts, geleverd_op={**DELIVERY_MOMENTS, **OTHER_DELIVERY_MOMENTS})
    if opts.geleverd_op and any(m > dt.datetime.now() for m in opts.geleverd_op.values()):
        raise ValueError("een geleverd_op-moment ligt in de toekomst")
    db_path = dbmod.resolve_db_path(db_path)
    user = user or current_user()
    results: list[LoadResult] = []
    raw_dir = db_path.parent / "raw"
    files = expand_paths(paths)
    if not files and not fresh:
        return results
    published: list[
        dict
    ] = []  # log records of loaded files (all files when fresh), appended after publishing
    copies: list[Path] = []  # raw copies made by this run (removed when it is not published)
    try:
        with dbmod.write_session(db_path, fresh=fresh) as con:
            rawcopy.cleanup(raw_dir)  # temporary copies of killed loads
            ensure_schema(con)
            for key, value in (settings or {}).items():
                con.execute("INSERT OR REPLACE INTO meta.instellingen VALUES (?, ?)", [key, value])
            if not _has_table(con, "marts", "dim_gebied"):
                rebuild(con)
            # A fresh database starts a fresh attempt log (the old one is set aside when it is published).
            next_id = max(
                con.execute("SELECT coalesce(max(load_id), 0) FROM meta.loads").fetchone()[0],
                0 if fresh else attempts.max_load_id(db_path),
            )
            changed = loaded = False
            for path in _ordered(files, opts):
                next_id += 1
                res, record, copy = _load_one(con, path, opts, user, raw_dir, progress, next_id)
                results.append(res)
                if copy is not None:
                    copies.append(copy)
                if res.status == "geladen" or fresh:
                    published.append(record)
                if res.status in {"geladen", "voorbeeld"}:
                    changed = loaded = True
                    if res.kind in KIND_ORDER:  # later files of this batch are checked against the new areas
                        rebuild(con, progress)
                        changed = False
                elif not opts.voorbeeld:  # a preview (--voorbeeld) records nothing, as validate
                    attempts.append(db_path, record)
            if opts.voorbeeld:  # the diff is shown; the private copy is thrown away
                raise _NothingToPublish
            if changed:
                rebuild(con, progress)
            if not (loaded or fresh or settings):
                raise _NothingToPublish
    except _NothingToPublish:
        pass
    except BaseException:
        for copy in copies:
            rawcopy.remove(copy)
        for record in published:
            if record["status"] == "geladen":
                record = {**record, "status": "afgebroken", "rijen_geladen": 0}
            attempts.append(db_path, record)
        raise
    if fresh:
        attempts.set_aside(db_path)
    for record in published:
        attempts.append(db_path, record)
    return results


def _load_one(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    opts: Options,
    user: str,
    raw_dir: Path,
    progress: Progress | None,
    load_id: int,
) -> tuple[LoadResult, dict, Path | None]:
    """Check one file on a scratch connection and, when it passes, insert it into ``con``'s raw layer.

    Returns the result, its attempt-log record, and the raw copy this call created (or None)."""
    t0 = time.perf_counter()
    started = dt.datetime.now()
    record = {
        "load_id": load_id,
        "bestand": path.name,
        "pad": str(path.absolute()),
        "gestart": started,
        "gebruiker": user,
    }

    def done(res: LoadResult, summary: dict | None = None, **extra: object) -> dict:
        res.seconds = time.perf_counter() - t0
        record.update(
            status=res.status,
            bronsoort=res.kind,
            rijen=res.rows,
            rijen_geladen=res.rows_loaded,
            klaar=dt.datetime.now(),
            validatie=summary,
            meldingen_aantal=len(res.issues),
            meldingen=[i.as_dict() for i in res.issues[: attempts.MAX_MESSAGES]],
            **extra,
        )
        if progress:
            progress(res.report())
        return record

    try:
        check_file(path, Limits.from_env())
    except ReadError as exc:
        res = LoadResult(path, "afgewezen", load_id=load_id, issues=[Issue("fout", f"{path.name}: {exc}")])
        return res, done(res, sha256=None), None
    digest = sha256_of(path)
    record["sha256"] = digest
    # The same file with the same options is skipped; with another --jaar/--gemeente/... it stores other rows.
    opties = _load_options(opts)
    prior = con.execute(
        "SELECT load_id FROM meta.loads WHERE sha256 = ? AND status = 'geladen' "
        "AND coalesce(json_extract(validatie, '$.opties')::VARCHAR, '{}') = ? "
        "ORDER BY load_id LIMIT 1",
        [digest, json.dumps(opties, sort_keys=True, separators=(",", ":"))],
    ).fetchone()
    if prior:
        res = LoadResult(path, "overgeslagen", load_id=prior[0])
        res.notes += revisions.skipped_notes(con, prior[0])  # superseded since: how to re-activate it
        rec = done(res, opmerking=f"zelfde inhoud al geladen als load {prior[0]}")
        rec["load_id"], rec["zelfde_als"] = load_id, prior[0]
        return res, rec, None
    if progress:
        progress(f"{path.name}: lezen en controleren …")
    with scratch_connection(path) as scr, dbmod.interruptible(scr):
        checked = _check(scr, con, path, opts)
        delivery, plan, result = checked.delivery, checked.plan, checked.result
        if progress and delivery is not None:
            progress(
                f"{path.name}: {delivery.rows} rijen gelezen en gecontroleerd ({time.perf_counter() - t0:.1f} s)"
            )
        rows = delivery.rows if delivery else 0
        res = LoadResult(
            path, "afgewezen", plan.kind if plan else None, rows, load_id=load_id, issues=result.issues
        )
        summary = result.summary()
        if opties:
            summary["opties"] = opties
        if delivery is not None:
            summary["bestand"] = {
                "formaat": delivery.fmt,
                "codering": delivery.encoding,
                "scheidingsteken": delivery.delimiter,
                "kopregel": delivery.header_line,
                "kolommen": [shown(c, 60) for c in (delivery.columns or delivery.geojson_properties)][:200],
            }
        extra = {"variant": plan.variant if plan else None, "partner": checked.partner}
        if plan is not None and (peildatum := revisions.vintage(path, plan)):
            summary["peildatum"] = extra["peildatum"] = peildatum.isoformat()
        if opts.geleverd_op and path.name in opts.geleverd_op:  # command line / demo only (see Options)
            summary["geleverd_op"] = extra["geleverd_op"] = opts.geleverd_op[path.name].isoformat()
        if not (result.success and plan is not None):
            return res, done(res, summary, **extra), None
        con.execute("BEGIN TRANSACTION")
        created = None
        try:
            res.rows_loaded = _transfer(scr, con, plan, load_id)
            revisions.review(con, res, plan, checked.partner, summary, opts)  # may raise revisions.Geweigerd
            kopie, made = (None, False) if opts.voorbeeld else rawcopy.store(path, digest, raw_dir)
            created = kopie if made else None
            res.status = "voorbeeld" if opts.voorbeeld else "geladen"
            con.execute(
                "INSERT INTO meta.loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    path.name,
                    str(path.absolute()),
                    str(kopie),
                    digest,
                    plan.kind,
                    plan.variant,
                    checked.partner,
                    rows,
                    res.rows_loaded,
                    started,
                    dt.datetime.now(),
                    res.status,
                    user,
                    json.dumps(summary, ensure_ascii=False, default=str),
                    json.dumps(plan.extra_raw) if plan.extra_raw else None,
                ],
            )
            indeling.record(con, load_id, plan)
            if res.issues:
                con.executemany(
                    "INSERT INTO meta.load_meldingen VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [i.as_row(load_id) for i in res.issues[:10000]],
                )
            con.execute("COMMIT")
        except revisions.Geweigerd:  # older than the delivery it would replace (peildatum), no --forceer
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            res.status, res.rows_loaded = "afgewezen", 0
            return res, done(res, summary, **extra), None
        except BaseException:
            if created is not None:
                rawcopy.remove(created)
            with contextlib.suppress(duckdb.Error):  # an interrupted connection may refuse the rollback
                con.execute("ROLLBACK")
            raise
    return res, done(res, summary, kopie=str(kopie), **extra), created


def _load_options(opts: Options) -> dict:
    """The options that change what a load stores (sorted; empty when none was given)."""
    out = {
        "jaar": opts.jaar,
        "gemeente": opts.gemeente.strip().upper() if opts.gemeente else None,
        "blad": opts.sheet,
        "code": opts.code_template,
        "naam": opts.naam_template,
    }
    return {k: v for k, v in sorted(out.items()) if v is not None}


def list_loads(db_path: Path | None = None) -> list[dict]:
    """The load history, newest first: the loads in the warehouse and every attempt in the attempt log."""
    db_path = dbmod.resolve_db_path(db_path)
    out: dict[int, dict] = {}
    for rec in attempts.read(db_path):
        row = {k: rec.get(k) for k in attempts.LOAD_FIELDS}
        for key in ("gestart", "klaar"):
            with contextlib.suppress(TypeError, ValueError):
                row[key] = dt.datetime.fromisoformat(row[key])
        out[row["load_id"]] = row
    if db_path.exists():
        with dbmod.connect_readonly(db_path) as con:
            present = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'meta' "
                    "AND table_name = 'loads'"
                ).fetchall()
            }
            # a database of schema version 1 (before `wijkmonitor rebuild`) calls the source kind 'bron'
            fields = [
                f if f in present or f != "bronsoort" else "bron AS bronsoort" for f in attempts.LOAD_FIELDS
            ]
            cur = con.execute(f"SELECT {', '.join(fields)} FROM meta.loads")
            for values in cur.fetchall():
                row = dict(zip(attempts.LOAD_FIELDS, values, strict=True))
                out[row["load_id"]] = row  # the warehouse is the truth about what it holds
    return [out[k] for k in sorted(out, reverse=True)]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
