"""The covenant records store under load: audited writes, concurrent writers, readers, backup, the delivery job.

    .venv/bin/python benchmarks/bench_records.py                   # SQLite and PostgreSQL, ~3-5 minutes
    .venv/bin/python benchmarks/bench_records.py --only sqlite     # skip PostgreSQL
    .venv/bin/python benchmarks/bench_records.py --parts 1,2,3     # skip the backup and the job

Issue 13 keeps users, roles and the audit trail in a transactional store (``wijkmonitor/records``): a SQLite
file by default (WAL, ``BEGIN IMMEDIATE`` for writes, 30 s busy timeout) or PostgreSQL by URL. Every part runs
on both; PostgreSQL is Debian's cluster, started as ``tests/pg_support.py`` does (skipped with the reason when
it is not available), every database this script creates is dropped at the end. Figures are printed, never
asserted:

1. latency of one audited write: ``users.grant_role``/``revoke_role`` alternating, through
   ``authz.perform`` with a page ``Actor`` of a beheerder, single process (median, p95, max), and as a floor
   a bare ``sqlite3`` one-row commit in WAL mode with ``synchronous`` FULL (SQLite's default) and NORMAL;
2. concurrent writers: N = 1, 2, 4 processes (multiprocessing, spawn) each doing ``--writes`` audited
   ``users.add_user`` calls at once against one fresh store: wall time, writes/s, ratio to N=1, per-write
   latency, every error (``database is locked`` must not occur), and whether every audit row arrived;
3. a reader during writes: ``auditlog.entries(eng, limit=100)`` on an idle store, then 5 s each of 2 writer
   processes alone (their rate), the 2 writers plus the reader, and 2 processes that only burn CPU plus the
   reader (the control: on 2 cores a slower read may be CPU, not locks);
4. backup: ``wijkmonitor.backup.backup`` of the demo warehouse (built once, ~30 s) with 10,000 audit rows
   in the records store (inserted in bulk, shaped like real entries); the size of ``records.json``;
5. the delivery job's fixed cost: ``python -m wijkmonitor.jobs levering --voorbeeld`` on
   ``tests/fixtures/partner/corporatie_goed.csv`` (a fresh process, as the Aanleveren page starts it)
   against ``etl.load.load_files(..., Options(voorbeeld=True))`` in this process (warm: the loader and its
   libraries already imported), median of ``--repeat``; ``python -c pass`` and the bare imports (the modules
   the job imports at start, and ``great_expectations``, which the validation imports on first use) say
   where the difference goes.

On a 2-core machine N = 4 writers (and 2 writers plus a reader) share two cores, so the ratios mix lock
waiting with CPU contention; the per-write maximum shows waits on the lock (SQLite's busy handler sleeps).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
BEHEERDER = "beheer@bench.example.org"
TARGET = "doel@bench.example.org"
PARTNER = "corporatie@bench.example.org"
DOMAIN = "bench.example.org"


# ------------------------------------------------------------------------------------------ helpers


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def load_avg() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


class Backends:
    """SQLite always; PostgreSQL when tests/pg_support.py can start Debian's cluster."""

    def __init__(self, tmp: Path, want_pg: bool) -> None:
        self.tmp = tmp
        self.pg = None
        self.pg_reason = "not asked for (--only sqlite)"
        self.names = ["sqlite"]
        if want_pg:
            sys.path.insert(0, str(REPO / "tests"))
            from pg_support import PostgresUnavailable, start_server

            try:
                self.pg = start_server()
                self.names.append("postgresql")
                self.pg_reason = ""
            except PostgresUnavailable as exc:
                self.pg_reason = str(exc)
        self._n = 0

    @contextlib.contextmanager
    def fresh(self, backend: str) -> Iterator[str]:
        """A fresh, empty records store URL, at the newest schema; dropped/disposed afterwards."""
        from wijkmonitor.records import store

        self._n += 1
        if backend == "sqlite":
            folder = self.tmp / f"records-{self._n}"
            folder.mkdir()
            url = f"sqlite:///{folder}/records.sqlite"
            store.open_store(url)
            try:
                yield url
            finally:
                store.dispose_all()
            return
        name = self.pg.create_database()
        url = self.pg.url(name)
        store.open_store(url)
        try:
            yield url
        finally:
            store.dispose_all()
            self.pg.drop_database(name)

    def close(self) -> None:
        if self.pg is not None:
            self.pg.drop_all()


def seed_users(url: str) -> None:
    """The beheerder who writes (a page actor) and the user whose roles part 1 changes."""
    from wijkmonitor.records import store, users
    from wijkmonitor.records.authz import Actor

    eng = store.open_store(url)
    cmd = Actor.command("bench")
    users.add_user(eng, cmd, BEHEERDER, "Beheer", ["beheerder"])
    users.add_user(eng, cmd, TARGET, "Doel", ["regiegroep"])
    users.add_user(eng, cmd, PARTNER, "Corporatie", ["partner:corporatie"])


def fill_audit(url: str, n: int) -> None:
    """``n`` audit rows in one transaction, shaped like the Beheer page's and the Aanleveren job's entries."""
    from sqlalchemy import insert

    from wijkmonitor.records import store
    from wijkmonitor.records.tables import audit

    eng = store.open_store(url)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(n):
        email = f"gebruiker{i % 500}@{DOMAIN}"
        if i % 10 == 9:
            actie, soort, oid = "levering.laden", "levering", str(1000 + i)
            oud = None
            nieuw = {"bestand": f"corporatie_{i}.csv", "bron": "corporatie", "soort": "partner", "rijen": 120}
            actor, rollen, via = PARTNER, "partner:corporatie", "pagina:Aanleveren"
        else:
            actie, soort, oid = ("rol.toekennen" if i % 2 else "rol.intrekken"), "gebruiker", email
            oud = {"rollen": ["regiegroep"]}
            nieuw = {"rollen": ["regiegroep", "stuurgroep"]}
            actor, rollen, via = BEHEERDER, "beheerder", "pagina:Beheer"
        rows.append(
            {
                "tijdstip": start + dt.timedelta(seconds=37 * i),
                "actor": actor,
                "rollen": rollen,
                "actie": actie,
                "object_soort": soort,
                "object_id": oid,
                "oud": None if oud is None else json.dumps(oud, sort_keys=True),
                "nieuw": json.dumps(nieuw, sort_keys=True),
                "via": via,
                "uitkomst": "uitgevoerd",
                "reden": None,
            }
        )
    with store.writing(eng) as conn:
        for k in range(0, n, 2000):
            conn.execute(insert(audit), rows[k : k + 2000])


def audit_count(url: str, actie: str | None = None) -> int:
    from wijkmonitor.records import auditlog, store

    return auditlog.count(store.open_store(url), auditlog.AuditFilter(actie=actie))


def error_key(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    first = re.sub(r"\S+@\S+", "<e-mail>", first)  # one key per kind of error, not per address
    return f"{type(exc).__name__}: {first[:160]}"


# ------------------------------------------------------------------------------------------ 1. latency


def part_latency(backends: Backends, writes: int) -> None:
    from wijkmonitor.records import store, users
    from wijkmonitor.records.authz import Actor

    print(f"\n== 1. one audited write: grant_role/revoke_role alternating, {writes} writes ({load_avg()})")
    print(f"  {'store':<11} {'median':>10} {'p95':>10} {'max':>10} {'writes/s':>9}  audit rows")
    for backend in backends.names:
        with backends.fresh(backend) as url:
            seed_users(url)
            eng = store.open_store(url)
            actor = Actor.page(BEHEERDER, "Beheer")
            for k in range(10):  # warm-up: pool, statement caches
                (users.grant_role if k % 2 == 0 else users.revoke_role)(eng, actor, TARGET, "stuurgroep")
            before = audit_count(url)
            lat = []
            for k in range(writes):
                t = time.perf_counter()
                (users.grant_role if k % 2 == 0 else users.revoke_role)(eng, actor, TARGET, "stuurgroep")
                lat.append(time.perf_counter() - t)
            got = audit_count(url) - before
            print(
                f"  {backend:<11} {ms(statistics.median(lat)):>10} {ms(pct(lat, 0.95)):>10} "
                f"{ms(max(lat)):>10} {len(lat) / sum(lat):>9.0f}  {got}/{writes}"
            )
    if "sqlite" in backends.names:
        for sync in ("FULL", "NORMAL"):
            lat = bare_commits(backends.tmp / f"bare-{sync}.sqlite", sync, writes)
            print(
                f"  {'(floor)':<11} {ms(statistics.median(lat)):>10} {ms(pct(lat, 0.95)):>10} "
                f"{ms(max(lat)):>10} {len(lat) / sum(lat):>9.0f}  bare sqlite3 commit, WAL, synchronous={sync}"
            )


def bare_commits(path: Path, sync: str, n: int) -> list[float]:
    """One-row commits with the sqlite3 module alone: what the disk's sync costs (the store leaves
    ``synchronous`` at SQLite's default, FULL, so every commit syncs the WAL)."""
    import sqlite3

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(f"PRAGMA synchronous={'NORMAL' if sync == 'NORMAL' else 'FULL'}")
        con.execute("CREATE TABLE t (x INTEGER)")
        lat = []
        for i in range(n):
            t = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO t VALUES (?)", (i,))
            con.execute("COMMIT")
            lat.append(time.perf_counter() - t)
        return lat
    finally:
        con.close()


# ------------------------------------------------------------------------------------------ 2. writers


def _writer(
    url: str, wid: int, count: int, barrier: Any, queue: Any, stop: Any = None, tag: str = ""
) -> None:
    """A writer process: ``count`` add_user calls (or until ``stop`` is set when count is 0)."""
    try:
        from wijkmonitor.records import store, users
        from wijkmonitor.records.authz import Actor

        eng = store.open_store(url)
        actor = Actor.page(BEHEERDER, "Beheer")
        users.current_roles(eng, BEHEERDER)  # connection open before the start line
        barrier.wait(timeout=120)
        lat: list[float] = []
        errors: Counter[str] = Counter()
        start = time.perf_counter()
        k = 0
        while (k < count) if count else not stop.is_set():
            t = time.perf_counter()
            try:
                users.add_user(eng, actor, f"{tag}w{wid}-{k}@{DOMAIN}", f"Schrijver {wid}", ["regiegroep"])
            except Exception as exc:
                errors[error_key(exc)] += 1
            lat.append(time.perf_counter() - t)
            k += 1
        end = time.perf_counter()
        queue.put({"wid": wid, "start": start, "end": end, "lat": lat, "errors": dict(errors)})
    except BaseException as exc:
        queue.put({"wid": wid, "fatal": error_key(exc), "trace": traceback.format_exc()[-2000:]})


def run_writers(
    url: str, n: int, count: int, ctx: Any, stop: Any = None, extra_parties: int = 0, tag: str = ""
):
    """Start ``n`` writer processes; returns (processes, queue, barrier) with the barrier for
    ``n + extra_parties`` parties (the parent joins it when it measures alongside)."""
    barrier = ctx.Barrier(n + extra_parties)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, w, count, barrier, queue, stop, tag)) for w in range(n)]
    for p in procs:
        p.start()
    return procs, queue, barrier


def collect(procs: list, queue: Any) -> list[dict]:
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return results


def part_writers(backends: Backends, ns: list[int], count: int) -> None:
    ctx = mp.get_context("spawn")
    print(
        f"\n== 2. concurrent writers: N processes x {count} add_user at once, one fresh store ({load_avg()})"
    )
    print(
        f"  {'store':<11} {'N':>2} {'wall s':>7} {'writes/s':>9} {'vs N=1':>7} {'p50':>9} {'p95':>9} "
        f"{'max':>9}  rows      errors"
    )
    for backend in backends.names:
        base = None
        for n in ns:
            with backends.fresh(backend) as url:
                seed_users(url)
                before = audit_count(url, "gebruiker.toevoegen")
                procs, queue, _ = run_writers(url, n, count, ctx)
                results = collect(procs, queue)
                fatal = [r for r in results if "fatal" in r]
                if fatal:
                    print(f"  {backend:<11} {n:>2} writer failed: {fatal[0]['fatal']}\n{fatal[0]['trace']}")
                    continue
                wall = max(r["end"] for r in results) - min(r["start"] for r in results)
                lat = [x for r in results for x in r["lat"]]
                errors: Counter[str] = Counter()
                for r in results:
                    errors.update(r["errors"])
                arrived = audit_count(url, "gebruiker.toevoegen") - before
                rate = n * count / wall
                base = base or rate
                err = "; ".join(f"{v}x {k}" for k, v in errors.items()) or "none"
                print(
                    f"  {backend:<11} {n:>2} {wall:>7.2f} {rate:>9.0f} {rate / base:>6.2f}x "
                    f"{ms(statistics.median(lat)):>9} {ms(pct(lat, 0.95)):>9} {ms(max(lat)):>9}  "
                    f"{arrived:>4}/{n * count:<4} {err}"
                )
                if n > 1:
                    spans = ", ".join(
                        f"{r['end'] - r['start']:.2f}" for r in sorted(results, key=lambda r: r["wid"])
                    )
                    print(f"  {'':<11}    per-writer seconds: {spans}")


# ------------------------------------------------------------------------------------------ 3. reader


def _spinner(barrier: Any, stop: Any) -> None:
    """A process that only burns CPU (the control of part 3)."""
    barrier.wait(timeout=120)
    n = 0
    while not stop.is_set():
        for _ in range(10_000):
            n += 1


def read_for(eng: Any, seconds: float, limit: int) -> list[float]:
    from wijkmonitor.records import auditlog

    lat: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and len(lat) < limit:
        t = time.perf_counter()
        auditlog.entries(eng, limit=100)
        lat.append(time.perf_counter() - t)
    return lat


def show_reads(
    backend: str, state: str, base: float, lat: list[float] | None, results: list[dict] | None
) -> None:
    """One line of part 3: the reads (ratio to the idle median ``base``) and the writers' rate."""
    cells = f"{'':>6} {'':>9} {'':>9} {'':>9} {'':>6}"
    if lat:
        cells = (
            f"{len(lat):>6} {ms(statistics.median(lat)):>9} {ms(pct(lat, 0.95)):>9} "
            f"{ms(max(lat)):>9} {statistics.median(lat) / base:>6.2f}"
        )
    info = ""
    if results:
        fatal = [r for r in results if "fatal" in r]
        wl = [x for r in results for x in r.get("lat", [])]
        span = max((r["end"] - r["start"] for r in results if "end" in r), default=0.0)
        errors: Counter[str] = Counter()
        for r in results:
            errors.update(r.get("errors", {}))
        if wl and span:
            info = f"{len(wl) / span:>8.0f}  {ms(statistics.median(wl))} / {ms(max(wl))}"
        if errors:
            info += f"  errors: {dict(errors)}"
        if fatal:
            info += f"  writer failed: {fatal[0]['fatal']}"
    print(f"  {backend:<11} {state:<21} {cells}  {info}".rstrip())


def part_reader(backends: Backends, reads: int, seconds: float) -> None:
    """Reads idle, 2 writers alone, reads during 2 writers, reads during 2 CPU burners (no store)."""
    from wijkmonitor.records import auditlog, store

    ctx = mp.get_context("spawn")
    print(
        f"\n== 3. auditlog.entries(limit=100) idle vs. while 2 writer processes write, {seconds:.0f} s per state "
        f"({load_avg()})"
    )
    print(
        f"  {'store':<11} {'state':<21} {'reads':>6} {'median':>9} {'p95':>9} {'max':>9} {'ratio':>6}  "
        "writes/s  write p50 / max"
    )
    for backend in backends.names:
        with backends.fresh(backend) as url:
            seed_users(url)
            fill_audit(url, 2000)
            eng = store.open_store(url)
            for _ in range(20):
                auditlog.entries(eng, limit=100)
            assert len(auditlog.entries(eng, limit=100)) == 100
            idle = read_for(eng, 60.0, reads)
            base = statistics.median(idle)

            show_reads(backend, "idle", base, idle, None)
            for i, state in enumerate(("2 writers, no reads", "2 writers + reads", "2 CPU burners + reads")):
                stop = ctx.Event()
                if state.startswith("2 CPU"):
                    barrier = ctx.Barrier(3)
                    procs = [ctx.Process(target=_spinner, args=(barrier, stop)) for _ in range(2)]
                    for p in procs:
                        p.start()
                    queue = None
                else:
                    procs, queue, barrier = run_writers(
                        url, 2, 0, ctx, stop=stop, extra_parties=1, tag=f"s{i}"
                    )
                barrier.wait(timeout=120)
                time.sleep(0.2)  # both past their first step
                lat = read_for(eng, seconds, 100 * reads) if state.endswith("+ reads") else None
                if lat is None:
                    time.sleep(seconds)
                stop.set()
                if queue is not None:
                    show_reads(backend, state, base, lat, collect(procs, queue))
                else:
                    for p in procs:
                        p.join(timeout=60)
                    show_reads(backend, state, base, lat, None)


# ------------------------------------------------------------------------------------------ 4. backup


def build_demo(folder: Path) -> Path:
    from etl.load import load_files

    folder.mkdir()
    path = folder / "wijkmonitor.duckdb"
    t0 = time.perf_counter()
    results = load_files([REPO / "data" / "demo"], path, fresh=True, settings={"demo": "ja"})
    bad = [r for r in results if r.status != "geladen"]
    print(
        f"  demo warehouse built in {time.perf_counter() - t0:.1f} s: {path.stat().st_size / 1e6:.1f} MB, "
        f"{len(results)} files" + (f", NOT loaded: {[r.path.name for r in bad]}" if bad else "")
    )
    return path


def part_backup(backends: Backends, tmp: Path, rows: int, repeat: int) -> None:
    from wijkmonitor.backup import backup, dump_records
    from wijkmonitor.records import store

    print(f"\n== 4. backup: demo warehouse + records store with {rows:,} audit rows ({load_avg()})")
    db = build_demo(tmp / "demo")
    raw = db.parent / "raw"
    raw_mb = sum(f.stat().st_size for f in raw.iterdir()) / 1e6 if raw.is_dir() else 0.0
    print(f"  warehouse {db.stat().st_size / 1e6:.1f} MB, raw copies {raw_mb:.1f} MB")
    print(
        f"  {'store':<11} {'backup s':>9} {'runs':<20} {'dump_records s':>15} {'records.json':>13} "
        f"{'audit rows':>11}"
    )
    for backend in backends.names:
        with backends.fresh(backend) as url:
            seed_users(url)
            fill_audit(url, rows)
            eng = store.open_store(url)
            times, dumps = [], []
            size = 0
            n_audit = 0
            for k in range(repeat):
                out = tmp / f"backup-{backend}-{k}"
                t = time.perf_counter()
                manifest = backup(db, url, out)
                times.append(time.perf_counter() - t)
                size = (out / "records.json").stat().st_size
                n_audit = manifest["rijen"]["audit"]
                t = time.perf_counter()
                dump_records(eng)
                dumps.append(time.perf_counter() - t)
            runs = ", ".join(f"{x:.2f}" for x in times)
            print(
                f"  {backend:<11} {statistics.median(times):>9.2f} {runs:<20} {statistics.median(dumps):>15.2f} "
                f"{size / 1e6:>10.2f} MB {n_audit:>11,}"
            )


# ------------------------------------------------------------------------------------------ 5. the job


def build_fixture_db(folder: Path) -> Path:
    """The test fixtures' GM0999 warehouse (tests/conftest.py ``_loaded_db_template``) without the corporatie
    file itself, so that the preview of corporatie_goed.csv is a real load and not ``overgeslagen``."""
    from etl.load import load_files
    from etl.sources import Options

    folder.mkdir()
    db = folder / "w.duckdb"
    files = [
        FIXTURES / "gebieden" / "gebieden_gm0999.geojson",
        FIXTURES / "bevolking" / "bevolking_gm0999.csv",
        FIXTURES / "politie" / "politie_47022NED_gm0999_maand.csv",
        FIXTURES / "leefbaarometer" / "leefbaarometer_gm0999.csv",
    ]
    t0 = time.perf_counter()
    for f in files:
        res = load_files([f], db, Options(), user="bench")[0]
        if res.status != "geladen":
            raise RuntimeError(res.report())
    print(f"  fixture warehouse (4 files) built in {time.perf_counter() - t0:.1f} s")
    return db


def timed_command(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    t = time.perf_counter()
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - t, proc.returncode, proc.stderr[-2000:]


def part_job(backends: Backends, tmp: Path, repeat: int) -> None:
    print(f"\n== 5. the delivery job's fixed cost: a preview of corporatie_goed.csv ({load_avg()})")
    db = build_fixture_db(tmp / "job")
    upload = FIXTURES / "partner" / "corporatie_goed.csv"
    py = sys.executable

    def line(what: str, times: list[float], note: str = "") -> None:
        runs = ", ".join(f"{x:.2f}" for x in times)
        print(f"  {what:<62} {statistics.median(times):>6.2f} s   ({runs}){note}")

    for what, code in [
        ("python -c pass", "pass"),
        ("python -c 'import etl.load, wijkmonitor.jobs'", "import etl.load, wijkmonitor.jobs"),
        ("python -c 'import great_expectations'", "import great_expectations"),
    ]:
        runs = []
        for _ in range(repeat):
            wall, rc, err = timed_command([py, "-c", code])
            if rc:
                print(f"  {what}: exit {rc}: {err}")
            runs.append(wall)
        line(what, runs)

    for backend in backends.names:
        with backends.fresh(backend) as url:
            seed_users(url)
            env = dict(os.environ, WIJKMONITOR_RECORDS_URL=url, WIJKMONITOR_DB=str(db))
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
            runs, outcome = [], Counter()
            for k in range(repeat):
                status = tmp / "job" / f"status-{backend}-{k}.json"
                args = [
                    py,
                    "-m",
                    "wijkmonitor.jobs",
                    "levering",
                    f"--db={db}",
                    f"--actor={PARTNER}",
                    "--via=pagina:Aanleveren",
                    "--bron=corporatie",
                    f"--bestand={upload}",
                    f"--naam={upload.name}",
                    f"--status={status}",
                    "--voorbeeld",
                ]
                wall, rc, err = timed_command(args, env)
                data = json.loads(status.read_text(encoding="utf-8")) if status.exists() else {}
                res = (data.get("resultaat") or {}).get("status") or data.get("bericht")
                outcome[f"exit {rc}, {data.get('fase')}/{res}"] += 1
                if rc:
                    print(f"  job exit {rc}: {err}")
                runs.append(wall)
            line(f"python -m wijkmonitor.jobs levering --voorbeeld ({backend})", runs, f"  {dict(outcome)}")

    from etl.load import load_files
    from etl.sources import Options
    from wijkmonitor import jobs

    runs, statuses = [], Counter()
    for _ in range(repeat):
        t = time.perf_counter()
        res = load_files([upload], db, Options(voorbeeld=True), user=PARTNER)[0]
        runs.append(time.perf_counter() - t)
        statuses[res.status] += 1
    line("etl.load.load_files(Options(voorbeeld=True)) in-process", runs, f"  {dict(statuses)}")

    with backends.fresh("sqlite") as url:
        seed_users(url)
        runs, codes = [], Counter()
        for k in range(repeat):
            status = tmp / "job" / f"status-inproc-{k}.json"
            t = time.perf_counter()
            rc = jobs.main(
                [
                    "levering",
                    f"--db={db}",
                    f"--records-url={url}",
                    f"--actor={PARTNER}",
                    "--via=pagina:Aanleveren",
                    "--bron=corporatie",
                    f"--bestand={upload}",
                    f"--status={status}",
                    "--voorbeeld",
                ]
            )
            runs.append(time.perf_counter() - t)
            codes[f"exit {rc}"] += 1
        line("wijkmonitor.jobs.main(levering --voorbeeld) in-process (sqlite)", runs, f"  {dict(codes)}")


# ------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one store only")
    parser.add_argument("--parts", default="1,2,3,4,5", help="which parts, e.g. 1,2,3 (default: all)")
    parser.add_argument("--latency-writes", type=int, default=300)
    parser.add_argument("--writes", type=int, default=200, help="add_user calls per writer process (part 2)")
    parser.add_argument("--writers", default="1,2,4", help="numbers of writer processes (part 2)")
    parser.add_argument("--reads", type=int, default=200, help="idle reads (part 3)")
    parser.add_argument("--read-seconds", type=float, default=5.0, help="seconds per state (part 3)")
    parser.add_argument("--audit-rows", type=int, default=10_000, help="audit rows for the backup (part 4)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the backup and the job (medians)")
    args = parser.parse_args(argv)
    parts = {int(p) for p in args.parts.split(",") if p.strip()}

    import sqlalchemy

    started = time.perf_counter()
    print(
        f"bench_records: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, SQLAlchemy "
        f"{sqlalchemy.__version__}, SQLite {__import__('sqlite3').sqlite_version}, {load_avg()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-records-") as tmpdir:
        tmp = Path(tmpdir)
        backends = Backends(tmp, want_pg=args.only != "sqlite")
        if args.only == "postgresql":
            backends.names.remove("sqlite")
        if backends.pg is not None:
            with backends.pg._admin() as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]
            print(
                f"PostgreSQL {version} ({backends.pg.cluster.version}/{backends.pg.cluster.name}, Unix socket)"
            )
        else:
            print(f"PostgreSQL skipped: {backends.pg_reason}")
            if args.only == "postgresql":
                return 1
        try:
            if 1 in parts:
                part_latency(backends, args.latency_writes)
            if 2 in parts:
                part_writers(backends, [int(n) for n in args.writers.split(",")], args.writes)
            if 3 in parts:
                part_reader(backends, args.reads, args.read_seconds)
            if 4 in parts:
                part_backup(backends, tmp, args.audit_rows, args.repeat)
            if 5 in parts:
                part_job(backends, tmp, args.repeat)
        finally:
            backends.close()
    print(f"\nwhole run {time.perf_counter() - started:.0f} s, {load_avg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
