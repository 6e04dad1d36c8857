"""The load pipeline: file -> raw (as delivered + provenance) -> GX validation -> staging -> marts.

A file is loaded whole or not at all: its rows go into ``raw`` inside one transaction that is only committed
when validation passed. Every attempt (loaded or rejected) is recorded in ``meta.loads`` with its validation
result and messages. All writing happens on a private copy of the database that is published atomically
(see :mod:`etl.db`).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl import db as dbmod
from etl.reader import Delivery, ReadError, peek_delivery, read_delivery
from etl.sources import (
    Options,
    Plan,
    SourceError,
    build_frames,
    detect_kind,
    partner_label,
    plan_delivery,
    variable_dimension,
)
from etl.validation import Issue, ValidationResult, run_frames
from indicators import build_marts

SQL = Path(__file__).parent / "sql"
SUPPORTED = {".csv", ".txt", ".xlsx", ".xlsm", ".geojson", ".json"}
# Areas first: other sources are checked against the area division.
KIND_ORDER = {"gebieden": 0, "bevolking": 1}

Progress = Callable[[str], None]


@dataclass
class LoadResult:
    path: Path
    status: str  # geladen | afgewezen | overgeslagen (same sha256 already loaded) | gecontroleerd (dry run)
    kind: str | None = None
    rows: int = 0
    rows_loaded: int = 0
    load_id: int | None = None
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in {"geladen", "overgeslagen", "gecontroleerd"}

    def report(self) -> str:
        name = self.path.name
        if self.status == "geladen":
            head = f"{name}: geladen: {self.rows_loaded} rijen ({self.kind}, load {self.load_id})"
        elif self.status == "overgeslagen":
            head = f"{name}: al geladen (zelfde inhoud, load {self.load_id}); niets gewijzigd"
        elif self.status == "gecontroleerd":
            head = f"{name}: in orde: {self.rows} rijen ({self.kind}); niets geladen (controle)"
        else:
            n = len([i for i in self.issues if i.ernst == "fout"])
            head = f"{name}: AFGEWEZEN, {n} {'fout' if n == 1 else 'fouten'}; de database is niet gewijzigd"
        lines = [head]
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


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((SQL / "raw" / "schema.sql").read_text(encoding="utf-8"))


def run_models(con: duckdb.DuckDBPyConnection, layer: str) -> None:
    """(Re)build every model of a layer: ``CREATE OR REPLACE TABLE <layer>.<file stem> AS <file>``."""
    for sql_file in sorted((SQL / layer).glob("*.sql")):
        con.execute(
            f"CREATE OR REPLACE TABLE {layer}.{sql_file.stem} AS\n" + sql_file.read_text(encoding="utf-8")
        )


def rebuild(con: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> None:
    """Staging from raw, then the marts: area dimension, coverage, variable dimension and the indicators."""
    t0 = time.perf_counter()
    run_models(con, "staging")
    run_models(con, "marts")
    con.register("_variabelen_df", pd.DataFrame(variable_dimension()))
    con.execute("CREATE OR REPLACE TABLE marts.dim_variabele AS SELECT * FROM _variabelen_df")
    con.unregister("_variabelen_df")
    build_marts(con)
    if progress:
        progress(f"staging en marts opnieuw opgebouwd ({time.perf_counter() - t0:.1f} s)")


def _prepare(con: duckdb.DuckDBPyConnection, path: Path, opts: Options) -> tuple[Delivery, Plan, list[str]]:
    delivery = read_delivery(con, path, sheet=opts.sheet)
    plan = plan_delivery(delivery, opts)
    warnings = list(delivery.notes) + list(plan.warnings)
    scope = "levering"
    if opts.gemeente:
        gm = opts.gemeente.strip().upper()
        if not re.fullmatch(r"GM[0-9]{4}", gm):
            raise SourceError(
                f"--gemeente moet een CBS-gemeentecode zijn zoals GM0597, niet '{opts.gemeente}'"
            )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW levering_scope AS SELECT * FROM levering "
            f"WHERE regexp_matches({plan.code_expr}, '^(GM|WK|BU)') "
            f"AND 'GM' || substr({plan.code_expr}, 3, 4) = '{gm}'"
        )
        skipped = con.execute(
            "SELECT (SELECT count(*) FROM levering) - (SELECT count(*) FROM levering_scope)"
        ).fetchone()[0]
        if skipped:
            examples = [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT {plan.code_expr} FROM levering EXCEPT SELECT DISTINCT {plan.code_expr} "
                    f"FROM levering_scope ORDER BY 1 LIMIT 5"
                ).fetchall()
            ]
            warnings.append(
                f"{skipped} rijen buiten gemeente {gm} overgeslagen (o.a. {', '.join(map(str, examples))})"
            )
        scope = "levering_scope"
    con.execute(f"CREATE OR REPLACE TEMP VIEW scope AS SELECT * FROM {scope}")
    return delivery, plan, warnings


def _check(
    con: duckdb.DuckDBPyConnection, path: Path, opts: Options
) -> tuple[Delivery | None, Plan | None, ValidationResult, list[str]]:
    try:
        delivery, plan, warnings = _prepare(con, path, opts)
    except (ReadError, SourceError) as exc:
        msg = str(exc)
        if not msg.startswith(path.name):
            msg = f"{path.name}: {msg}"
        return None, None, ValidationResult([Issue("fout", msg, regel="bestandsformaat")]), []
    try:
        frames = build_frames(con, delivery, plan, "scope")
    except SourceError as exc:
        return (
            delivery,
            plan,
            ValidationResult([Issue("fout", f"{path.name}: {exc}", regel="gebiedsindeling")]),
            [],
        )
    result = run_frames(con, frames, path.name, plan.kind)
    result.issues[:0] = [Issue("waarschuwing", f"{path.name}: {w}") for w in warnings]
    return delivery, plan, result, warnings


def validate_files(
    paths: Iterable[str | os.PathLike[str]],
    db_path: Path | None = None,
    opts: Options | None = None,
    progress: Progress | None = None,
) -> list[LoadResult]:
    """Dry run: the same checks as a load, against a read-only view of the current area division."""
    opts = opts or Options()
    db_path = dbmod.resolve_db_path(db_path)
    results = []
    con = duckdb.connect()  # scratch database; the live one is attached read-only for the area division
    if db_path.exists():
        con.execute(f"ATTACH '{db_path}' AS live (READ_ONLY)")
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        if con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'live' "
            "AND table_schema = 'marts' AND table_name = 'dim_gebied'"
        ).fetchone()[0]:
            con.execute("CREATE TABLE marts.dim_gebied AS SELECT * FROM live.marts.dim_gebied")
        con.execute("DETACH live")
    ensure_schema(con)
    batch_areas = 0
    for path in _ordered(expand_paths(paths), con, opts):
        t0 = time.perf_counter()
        delivery, plan, result, warnings = _check(con, path, opts)
        res = LoadResult(
            path,
            "gecontroleerd" if result.success else "afgewezen",
            plan.kind if plan else None,
            delivery.rows if delivery else 0,
            issues=result.issues,
            seconds=time.perf_counter() - t0,
        )
        results.append(res)
        if result.success and plan is not None and plan.kind in KIND_ORDER:
            # As in a load, later files of the batch are checked against the areas of this one.
            if not batch_areas and db_path.exists():
                _copy_live_areas(con, db_path)
            batch_areas += 1
            _apply_areas_in_scratch(con, plan, batch_areas)
        if progress:
            progress(res.report())
    con.close()
    return results


AREA_RAW_TABLES = ("raw.gebieden__gebieden", "raw.cbs__kerncijfers", "raw.gemeente__bevolking")


def _copy_live_areas(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Validation scratch database: the live area deliveries, so that the area division can be rebuilt."""
    con.execute(f"ATTACH '{db_path}' AS live (READ_ONLY)")
    try:
        for table in AREA_RAW_TABLES:
            schema, name = table.split(".")
            if con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'live' "
                "AND table_schema = ? AND table_name = ?",
                [schema, name],
            ).fetchone()[0]:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM live.{table}")
    finally:
        con.execute("DETACH live")


def _apply_areas_in_scratch(con: duckdb.DuckDBPyConnection, plan: Plan, n: int) -> None:
    """Validation: add a checked area file (view ``scope``) to the scratch raw tables, rebuild dim_gebied."""
    newest = max(
        con.execute(f"SELECT coalesce(max(_load_id), 0) FROM {t}").fetchone()[0] for t in AREA_RAW_TABLES
    )
    cols = ", ".join(f'"{c}"' for c in plan.select)
    exprs = ", ".join(plan.select.values())
    con.execute(
        f"INSERT INTO {plan.raw_table} ({cols}, _load_id, _rij) SELECT {exprs}, ?, _rij FROM scope",
        [newest + n],
    )
    run_models(con, "staging")
    con.execute(
        "CREATE OR REPLACE TABLE marts.dim_gebied AS\n"
        + (SQL / "marts" / "dim_gebied.sql").read_text(encoding="utf-8")
    )


def _ordered(paths: list[Path], con: duckdb.DuckDBPyConnection, opts: Options) -> list[Path]:
    """Area-defining files first (gebieden, bevolking), then the rest, each group in name order."""

    def rank(p: Path) -> tuple[int, str]:
        if opts.source:
            return (KIND_ORDER.get(opts.source, 2), p.name)
        try:
            kind = detect_kind(peek_delivery(p, sheet=opts.sheet))[0]
        except Exception:
            kind = ""
        return (KIND_ORDER.get(kind, 2), p.name)

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
    """Load files (or folders) into the database. Each file is loaded whole or not at all."""
    opts = opts or Options()
    db_path = dbmod.resolve_db_path(db_path)
    user = user or current_user()
    results: list[LoadResult] = []
    raw_dir = db_path.parent / "raw"
    files = expand_paths(paths)
    if not files and not fresh:
        return results
    with dbmod.write_session(db_path, fresh=fresh) as con:
        ensure_schema(con)
        for key, value in (settings or {}).items():
            con.execute("INSERT OR REPLACE INTO meta.instellingen VALUES (?, ?)", [key, value])
        if not con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
            "AND table_name = 'dim_gebied'"
        ).fetchone()[0]:
            rebuild(con)
        changed = False
        for path in _ordered(files, con, opts):
            res = _load_one(con, path, opts, user, raw_dir, progress)
            results.append(res)
            if res.status == "geladen":
                changed = True
                if res.kind in KIND_ORDER:  # later files of this batch are checked against the new areas
                    rebuild(con, progress)
                    changed = False
        if changed:
            rebuild(con, progress)
    return results


def _load_one(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    opts: Options,
    user: str,
    raw_dir: Path,
    progress: Progress | None,
) -> LoadResult:
    t0 = time.perf_counter()
    started = dt.datetime.now()
    if not path.is_file():
        res = LoadResult(path, "afgewezen", issues=[Issue("fout", f"{path}: bestand bestaat niet")])
        if progress:
            progress(res.report())
        return res
    digest = sha256_of(path)
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
        # every attempt is recorded, also the one that changed nothing
        skip_id = con.execute("SELECT nextval('meta.load_id_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO meta.loads (load_id, bestand, pad, sha256, rijen_geladen, gestart, klaar, status, "
            "gebruiker, opmerking) VALUES (?, ?, ?, ?, 0, ?, ?, 'overgeslagen', ?, ?)",
            [
                skip_id,
                path.name,
                str(path.resolve()),
                digest,
                started,
                dt.datetime.now(),
                user,
                f"zelfde inhoud al geladen als load {prior[0]}",
            ],
        )
        if progress:
            progress(res.report())
        return res
    if progress:
        progress(f"{path.name}: lezen en controleren …")
    delivery, plan, result, _ = _check(con, path, opts)
    if progress and delivery is not None:
        progress(
            f"{path.name}: {delivery.rows} rijen gelezen en gecontroleerd ({time.perf_counter() - t0:.1f} s)"
        )
    load_id = con.execute("SELECT nextval('meta.load_id_seq')").fetchone()[0]
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
            "kolommen": delivery.columns or delivery.geojson_properties,
        }
    kopie = None
    con.execute("BEGIN TRANSACTION")
    try:
        if result.success and plan is not None:
            cols = ", ".join(f'"{c}"' for c in plan.select)
            exprs = ", ".join(f"{e}" for e in plan.select.values())
            con.execute(
                f"INSERT INTO {plan.raw_table} ({cols}, _load_id, _rij) "
                f"SELECT {exprs}, ?, _rij FROM scope ORDER BY _rij",
                [load_id],
            )
            res.rows_loaded = con.execute(
                f"SELECT count(*) FROM {plan.raw_table} WHERE _load_id = ?", [load_id]
            ).fetchone()[0]
            raw_dir.mkdir(parents=True, exist_ok=True)
            kopie = raw_dir / f"{digest[:12]}_{path.name}"
            if not kopie.exists():
                shutil.copyfile(path, kopie)
            res.status = "geladen"
        con.execute(
            "INSERT INTO meta.loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                path.name,
                str(path.resolve()),
                str(kopie) if kopie else None,
                digest,
                plan.kind if plan else None,
                plan.variant if plan else None,
                partner_label(con, plan, "scope") if plan else None,
                rows,
                res.rows_loaded,
                started,
                dt.datetime.now(),
                res.status,
                user,
                json.dumps(summary, ensure_ascii=False, default=str),
                json.dumps(plan.extra_raw) if plan and plan.extra_raw else None,
            ],
        )
        if res.issues:
            con.executemany(
                "INSERT INTO meta.load_meldingen VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [i.as_row(load_id) for i in res.issues[:10000]],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    res.seconds = time.perf_counter() - t0
    if progress:
        progress(res.report())
    return res


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
    """The load history, newest first."""
    db_path = dbmod.resolve_db_path(db_path)
    if not db_path.exists():
        return []
    with dbmod.connect_readonly(db_path) as con:
        cur = con.execute(
            "SELECT load_id, bestand, bron, partner, rijen, rijen_geladen, status, gebruiker, "
            "gestart, klaar, sha256 FROM meta.loads ORDER BY load_id DESC"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
