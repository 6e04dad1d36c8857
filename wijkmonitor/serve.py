"""Policy and command line for `wijkmonitor serve`: is login configured, may we listen on this address.

Without an OpenID Connect configuration the dashboard runs in demo mode, where everyone who reaches the port
is beheerder. So the server only listens beyond this computer when login is configured, or when the user
says --onveilige-demo. "Configured" is decided the way Streamlit 1.67 reads its secrets:

- Streamlit reads the files of its `secrets.files` option (default: ~/.streamlit/secrets.toml, then
  $CWD/.streamlit/secrets.toml, then .streamlit/secrets.toml beside the main script if that is another
  folder) and merges them with a shallow `dict.update`: a later file's `[auth]` replaces an earlier file's
  `[auth]` as a whole, it is not merged key by key. A file that does not exist is skipped.
- `st.login()` needs `redirect_uri` and `cookie_secret` in `[auth]`, and `client_id`, `client_secret`
  and `server_metadata_url` either in `[auth]` itself (the default provider) or in a named provider table
  `[auth.NAME]` (for `st.login("NAME")`; Streamlit refuses provider names with an underscore).
"""

from __future__ import annotations

import ipaddress
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SHARED_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def _filled(section: Mapping[str, Any], keys: Sequence[str]) -> bool:
    return all(isinstance(section.get(k), str) and section.get(k, "").strip() for k in keys)


def auth_section_complete(secrets: Mapping[str, Any]) -> bool:
    """True when these (merged) secrets hold an `[auth]` section st.login can use.

    Takes the secrets as Streamlit sees them (e.g. `st.secrets.to_dict()` in the app), so that the
    dashboard and `wijkmonitor serve` decide "login configured" by the same rule.
    """
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping) or not _filled(auth, SHARED_KEYS):
        return False
    if _filled(auth, PROVIDER_KEYS):
        return True
    return any(
        isinstance(sub, Mapping) and "_" not in str(name) and _filled(sub, PROVIDER_KEYS)
        for name, sub in auth.items()
    )


def read_secrets(secrets_files: Sequence[Path]) -> dict[str, Any]:
    """The secrets Streamlit would see from these files, in this order (later files win per top-level key).

    A missing file is skipped; a file that is not valid TOML raises ValueError naming the file (Streamlit
    itself would fail on it too).
    """
    merged: dict[str, Any] = {}
    for path in secrets_files:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        try:
            merged.update(tomllib.loads(text))
        except tomllib.TOMLDecodeError as e:
            raise ValueError(f"{path} is geen geldige TOML: {e}") from e
    return merged


def oidc_configured(secrets_files: list[Path]) -> bool:
    """True when the secrets Streamlit reads from these files configure login (OpenID Connect).

    The files are merged the way Streamlit merges them (see the module docstring), so pass them in
    Streamlit's order, e.g. `default_secrets_files(repo)`. A file that is not valid TOML counts as no
    configuration (the safe answer for the bind check: it refuses rather than opens up).
    """
    try:
        return auth_section_complete(read_secrets(secrets_files))
    except (ValueError, OSError):
        return False


def default_secrets_files(repo: Path, app: Path | None = None) -> list[Path]:
    """The secrets files Streamlit reads when started with cwd=repo (and no `secrets.files` option).

    In Streamlit's order: ~/.streamlit/secrets.toml, repo/.streamlit/secrets.toml and, when `app` (the main
    script) lives in another folder, that folder's .streamlit/secrets.toml. Later files win.
    """
    files = [
        Path.home() / ".streamlit" / "secrets.toml",
        Path(repo).absolute() / ".streamlit" / "secrets.toml",
    ]
    if app is not None:
        beside_app = Path(app).absolute().parent / ".streamlit" / "secrets.toml"
        if beside_app not in files:
            files.append(beside_app)
    return files


def is_local(address: str) -> bool:
    """True only for addresses that this computer alone can reach: 127.0.0.0/8, ::1 and 'localhost'.

    Everything else (0.0.0.0, ::, the empty string (Streamlit: all interfaces), a LAN address, a host name
    other than localhost) is not local.
    """
    text = address.strip().lower()
    if text == "localhost":
        return True
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def bind_refusal(address: str, oidc: bool, unsafe_demo: bool) -> str | None:
    """None when `serve` may listen on this address; otherwise the Dutch message that names the fixes."""
    if is_local(address) or oidc or unsafe_demo:
        return None
    shown = address if address.strip() else "alle netwerkadressen"
    return (
        f"wijkmonitor serve: weigert te luisteren op {shown} zonder inloggen. "
        "Zonder OpenID Connect-configuratie draait Wijkmonitor in demomodus: iedereen die het adres bereikt is "
        "beheerder. Zet een [auth]-sectie in .streamlit/secrets.toml (zie docs/deployment.md), of luister "
        "alleen op deze computer (--address 127.0.0.1), of start bewust onveilig met --onveilige-demo."
    )


def streamlit_command(
    app: Path, port: int, address: str, secrets_file: Path | Sequence[Path] | None
) -> list[str]:
    """The `python -m streamlit run` command line for the dashboard.

    With `secrets_file` (one path or several, in order), Streamlit reads exactly those files and no
    others: `--secrets.files PATH` (repeated per file) replaces the default list, also over
    STREAMLIT_SECRETS_FILES and a `[secrets] files` in config.toml (command-line flags win). Passing
    `default_secrets_files(repo, app)` therefore pins the files to the ones `oidc_configured` checked.
    """
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # errors: a generic message in the browser, the traceback only in the console
        "--client.showErrorDetails",
        "none",
    ]
    if secrets_file is not None:
        files = [secrets_file] if isinstance(secrets_file, (str, Path)) else list(secrets_file)
        for f in files:
            cmd += ["--secrets.files", str(Path(f).absolute())]
    return cmd
