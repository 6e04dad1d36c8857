"""A PostgreSQL server for the tests: Debian's own cluster, started on demand, reached over its Unix socket.

pytest-postgresql's ``postgresql_proc`` runs its own ``initdb``, which refuses to run as root (and CI runs
as root), so instead this module uses the cluster that Debian's ``postgresql`` package creates:

1. ``pg_lsclusters`` finds the installed cluster (``main`` of the newest version, any version);
2. ``pg_ctlcluster <version> main start`` starts it if it is down (it is left running afterwards);
3. as root, ``su postgres -c "createuser -s root"`` makes root a superuser role ("already exists" is fine);
4. every test database is created and dropped over the Unix socket, e.g.
   ``postgresql+psycopg://root@/wm_test_1a2b3c4d?host=/var/run/postgresql``.

Whatever is missing raises :class:`PostgresUnavailable` with a reason a person can act on; the fixtures in
conftest.py turn that into ``pytest.skip`` (or a failure when ``WM_REQUIRE_POSTGRES=1`` is set, so a machine
that must test PostgreSQL cannot skip silently). Database names are generated here, never taken from input.
"""

from __future__ import annotations

import fcntl
import getpass
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

SOCKET_DIR = "/var/run/postgresql"
DEFAULT_PORT = 5432
DB_PREFIX = "wm_test_"
REQUIRE_ENV = "WM_REQUIRE_POSTGRES"
_COMMAND_TIMEOUT = 120  # seconds; a cluster start normally takes well under a few seconds


class PostgresUnavailable(Exception):
    """No PostgreSQL server can be made available; the message says why and what would fix it."""


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int
    status: str
    owner: str
    data_dir: str
    log_file: str

    @property
    def online(self) -> bool:
        return self.status.split(",")[0] == "online"


@dataclass
class PostgresServer:
    """A running cluster and the role the tests connect as; creates and drops the tests' databases."""

    cluster: Cluster
    user: str
    host: str = SOCKET_DIR
    started_by_us: bool = False
    start_seconds: float = 0.0  # how long ``pg_ctlcluster ... start`` took (0 when it was already running)
    created: set[str] = field(default_factory=set)

    def url(self, dbname: str) -> str:
        """The SQLAlchemy URL of database ``dbname`` on this server (psycopg 3, over the Unix socket)."""
        port = "" if self.cluster.port == DEFAULT_PORT else f"&port={self.cluster.port}"
        return f"postgresql+psycopg://{self.user}@/{dbname}?host={self.host}{port}"

    def _admin(self):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.cluster.port,
            user=self.user,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        )

    def create_database(self) -> str:
        """Create a fresh, uniquely named, empty database and return its name."""
        from psycopg import sql

        name = f"{DB_PREFIX}{uuid.uuid4().hex[:8]}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.add(name)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database this object created, closing whatever connections a test left open."""
        from psycopg import sql

        if name not in self.created:
            raise ValueError(f"{name!r} was not created by these fixtures; refusing to drop it")
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self.created.discard(name)

    def drop_all(self) -> None:
        """Drop every database this object created and has not dropped yet (end of the session)."""
        for name in sorted(self.created):
            self.drop_database(name)


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=_COMMAND_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PostgresUnavailable(f"{' '.join(args)} did not finish within {_COMMAND_TIMEOUT} s") from exc


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    text = (proc.stderr or proc.stdout or "").strip()
    return text.splitlines()[-1] if text else f"exit code {proc.returncode}"


def list_clusters() -> list[Cluster]:
    """The clusters ``pg_lsclusters`` knows, or PostgresUnavailable when Debian's tools are missing."""
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        raise PostgresUnavailable(
            "pg_ctlcluster not found; install Debian's postgresql package (.ci/run does: apt-get install postgresql)"
        )
    proc = _run(["pg_lsclusters", "--no-header"])
    if proc.returncode != 0:
        raise PostgresUnavailable(f"pg_lsclusters failed: {_output(proc)}")
    clusters = []
    for line in proc.stdout.splitlines():
        parts = line.split(maxsplit=6)
        if len(parts) < 6 or not parts[2].isdigit():
            continue
        version, name, port, status, owner, data_dir = parts[:6]
        log_file = parts[6] if len(parts) > 6 else ""
        clusters.append(Cluster(version, name, int(port), status, owner, data_dir, log_file))
    return clusters


def _version_key(cluster: Cluster) -> tuple[int, ...]:
    return tuple(int(p) for p in cluster.version.split(".") if p.isdigit())


def pick_cluster(clusters: list[Cluster]) -> Cluster:
    """The cluster named ``main`` of the newest version (or, lacking one, the newest cluster)."""
    if not clusters:
        raise PostgresUnavailable(
            "pg_lsclusters lists no cluster; create one with `pg_createcluster <version> main` "
            "(installing Debian's postgresql package normally does)"
        )
    mains = [c for c in clusters if c.name == "main"] or clusters
    return max(mains, key=_version_key)


def _ensure_started(cluster: Cluster) -> tuple[Cluster, float]:
    if cluster.online:
        return cluster, 0.0
    t0 = time.perf_counter()
    proc = _run(["pg_ctlcluster", cluster.version, cluster.name, "start"])
    elapsed = time.perf_counter() - t0
    # Another test process may have started it at the same moment: look again before giving up.
    now = next((c for c in list_clusters() if (c.version, c.name) == (cluster.version, cluster.name)), None)
    if now is None or not now.online:
        why = _output(proc) if proc.returncode != 0 else f"status {now.status if now else 'gone'}"
        raise PostgresUnavailable(
            f"pg_ctlcluster {cluster.version} {cluster.name} start failed ({why}); see {cluster.log_file}"
        )
    return now, elapsed


def _ensure_role(user: str) -> None:
    """As root, make ``user`` (root) a superuser role; as anyone else the role must already exist."""
    if os.geteuid() != 0:
        return
    proc = _run(["su", "postgres", "-c", f"createuser -s {user}"])
    if proc.returncode != 0 and "already exists" not in (proc.stderr + proc.stdout):
        raise PostgresUnavailable(f"createuser -s {user} as postgres failed: {_output(proc)}")


def _wait_until_accepting(server: PostgresServer, seconds: float = 15.0) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            with server._admin():
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                hint = (
                    ""
                    if os.geteuid() == 0
                    else f" (as a non-root user, run `sudo -u postgres createuser -s {server.user}` once)"
                )
                raise PostgresUnavailable(
                    f"cannot connect to PostgreSQL {server.cluster.version}/{server.cluster.name} on "
                    f"{server.host} port {server.cluster.port} as {server.user}: {str(exc).strip()}{hint}"
                ) from exc
            time.sleep(0.2)


def start_server() -> PostgresServer:
    """Find Debian's cluster, start it if needed, make sure our role exists, and check we can connect."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise PostgresUnavailable(
            "the psycopg package is not installed (pip install 'psycopg[binary]')"
        ) from exc
    # Test workers (pytest-xdist) start at the same moment: one of them starts the cluster, the others wait.
    with open(Path(tempfile.gettempdir()) / "wijkmonitor-tests-postgres.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cluster = pick_cluster(list_clusters())
        started_by_us = not cluster.online
        cluster, seconds = _ensure_started(cluster)
        user = "root" if os.geteuid() == 0 else getpass.getuser()
        _ensure_role(user)
    server = PostgresServer(cluster=cluster, user=user, started_by_us=started_by_us, start_seconds=seconds)
    _wait_until_accepting(server)
    return server


def postgres_required() -> bool:
    """True when ``WM_REQUIRE_POSTGRES=1``: then an unavailable server fails the tests instead of skipping."""
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0")
