"""`wijkmonitor serve` as a real process: it listens on 127.0.0.1 only, with error details off."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dashboard_support import REPO, demo_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(db: Path, port: int, log: Path, *extra: str) -> subprocess.Popen:
    """`wijkmonitor serve` in its own process group; returns once /_stcore/health answers."""
    out = log.open("w")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "wijkmonitor"),
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            *extra,
        ],
        cwd=REPO,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # serve starts streamlit as a child: stop() ends the whole group
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("serve stopped: " + log.read_text())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise AssertionError("serve did not answer on 127.0.0.1: " + log.read_text())


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _listening(port: int) -> list[str]:
    """Local addresses of the TCP sockets listening on ``port`` (from `ss`)."""
    out = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    local = [line.split()[3] for line in out.splitlines() if len(line.split()) >= 4]
    return [a for a in local if a.rsplit(":", 1)[-1] == str(port)]


def _outward_address() -> str | None:
    """An address of this machine that is not loopback (None when it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_serve_listens_on_loopback_only(tmp_path):
    port = free_port()
    proc = start_serve(demo_db(), port, tmp_path / "serve.log")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        assert _listening(port) == [f"127.0.0.1:{port}"]
        outward = _outward_address()
        if outward:
            with socket.socket() as s:
                s.settimeout(5)
                assert s.connect_ex((outward, port)) != 0, f"reachable on {outward}"
        # the streamlit process got the safe settings on its command line
        cmdlines = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if os.getpgid(int(pid)) == proc.pid:
                        cmdlines.append(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"))
                except (ProcessLookupError, FileNotFoundError, PermissionError):
                    continue
        streamlit = [c for c in cmdlines if b"streamlit" in c]
        assert streamlit, cmdlines
        args = streamlit[0]
        assert args[args.index(b"--server.address") + 1] == b"127.0.0.1"
        assert args[args.index(b"--client.showErrorDetails") + 1] == b"none"
    finally:
        stop(proc)


def test_error_details_are_off_in_the_config():
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def _serve_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "wijkmonitor"
    return subprocess.run(
        [str(exe), "serve", *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=60
    )


def test_non_local_address_without_login_is_refused(tmp_path):
    r = _serve_cli("--address", "0.0.0.0", "--db", str(tmp_path / "w.duckdb"))
    assert r.returncode == 2
    assert "weigert te luisteren op 0.0.0.0 zonder inloggen" in r.stderr
    assert "--onveilige-demo" in r.stderr and ".streamlit/secrets.toml" in r.stderr
    r = _serve_cli("--address", "", "--db", str(tmp_path / "w.duckdb"))
    assert r.returncode == 2 and "alle netwerkadressen" in r.stderr


def test_non_local_address_is_allowed_with_login_or_knowingly_unsafe(tmp_path):
    """With an [auth] section (or --onveilige-demo) serve starts on the address asked for."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[auth]\nredirect_uri = "http://127.0.0.1:1/oauth2callback"\ncookie_secret = "x"\n'
        'client_id = "c"\nclient_secret = "s"\n'
        'server_metadata_url = "http://127.0.0.1:1/.well-known/openid-configuration"\n'
    )
    for extra, env in (
        (["--onveilige-demo"], dict(os.environ)),
        ([], dict(os.environ, WIJKMONITOR_SECRETS=str(secrets))),
    ):
        port = free_port()
        old = os.environ.copy()
        os.environ.clear()
        os.environ.update(env)
        try:
            proc = start_serve(demo_db(), port, tmp_path / "serve.log", "--address", "0.0.0.0", *extra)
        finally:
            os.environ.clear()
            os.environ.update(old)
        try:
            assert _listening(port) == [f"0.0.0.0:{port}"]
        finally:
            stop(proc)
