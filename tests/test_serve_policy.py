"""wijkmonitor.serve: when login counts as configured, which addresses are local, when serve refuses to
listen, and the Streamlit command line (including how it is told which secrets file to read)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from wijkmonitor.serve import (
    auth_section_complete,
    bind_refusal,
    default_secrets_files,
    is_local,
    oidc_configured,
    read_secrets,
    streamlit_command,
)

SHARED = 'redirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "0123456789abcdef0123"\n'
CLIENT = (
    'client_id = "wijkmonitor"\nclient_secret = "geheim"\n'
    'server_metadata_url = "https://idp.example/.well-known/openid-configuration"\n'
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- oidc_configured --------------------------------------------------------------------------------------


def test_default_provider_in_auth_is_configured(tmp_path):
    assert oidc_configured([write(tmp_path / "s.toml", "[auth]\n" + SHARED + CLIENT)])


def test_named_provider_with_shared_keys_in_auth_is_configured(tmp_path):
    f = write(tmp_path / "s.toml", "[auth]\n" + SHARED + "\n[auth.keycloak]\n" + CLIENT)
    assert oidc_configured([f])


@pytest.mark.parametrize(
    "text",
    [
        "",
        'titel = "geen auth"\n',
        "[auth]\n",
        "[auth]\n" + CLIENT,  # no redirect_uri / cookie_secret
        "[auth]\n" + SHARED,  # no client at all
        "[auth]\n" + SHARED + CLIENT.replace('client_secret = "geheim"\n', ""),
        "[auth]\n" + SHARED + CLIENT.replace('"wijkmonitor"', '""'),  # empty value
        "[auth]\n" + SHARED + CLIENT.replace('"wijkmonitor"', "42"),  # not a string
        # a provider table without the shared keys in [auth]
        "[auth]\n\n[auth.keycloak]\n" + SHARED + CLIENT,
        # Streamlit refuses provider names with an underscore
        "[auth]\n" + SHARED + "\n[auth.mijn_idp]\n" + CLIENT,
        # client keys in a table that is not under [auth]
        "[auth]\n" + SHARED + "\n[keycloak]\n" + CLIENT,
    ],
    ids=[
        "empty",
        "no-auth",
        "empty-auth",
        "no-shared",
        "no-client",
        "no-secret",
        "empty-client-id",
        "number-client-id",
        "shared-only-in-provider",
        "underscore-provider",
        "provider-outside-auth",
    ],
)
def test_incomplete_configurations_are_not_configured(tmp_path, text):
    assert not oidc_configured([write(tmp_path / "s.toml", text)])


def test_missing_files_and_an_empty_list_are_not_configured(tmp_path):
    assert not oidc_configured([])
    assert not oidc_configured([tmp_path / "bestaat-niet.toml"])


def test_invalid_toml_counts_as_not_configured(tmp_path):
    bad = write(tmp_path / "s.toml", "[auth\n" + SHARED + CLIENT)
    assert not oidc_configured([bad])
    with pytest.raises(ValueError, match="geen geldige TOML"):
        read_secrets([bad])


def test_files_merge_like_streamlit_later_auth_replaces_earlier_auth(tmp_path):
    complete = write(tmp_path / "home.toml", "[auth]\n" + SHARED + CLIENT)
    partial = write(tmp_path / "project.toml", "[auth]\n" + SHARED)
    other = write(tmp_path / "other.toml", 'db_url = "sqlite:///x"\n')
    missing = tmp_path / "nope.toml"
    assert oidc_configured([complete, other, missing])  # files without [auth] leave it alone
    assert oidc_configured([partial, complete])
    # Streamlit merges per top-level key: the project's partial [auth] hides the complete one
    assert not oidc_configured([complete, partial])


def test_auth_section_complete_takes_merged_secrets():
    assert (
        auth_section_complete(
            {"auth": {"redirect_uri": "http://h/oauth2callback", "cookie_secret": "x" * 20, "entra": {}}}
        )
        is False
    )
    assert auth_section_complete(
        {
            "auth": {
                "redirect_uri": "http://h/oauth2callback",
                "cookie_secret": "x" * 20,
                "entra": {"client_id": "a", "client_secret": "b", "server_metadata_url": "c"},
            }
        }
    )
    assert not auth_section_complete({"auth": "niet een tabel"})


# --- default_secrets_files --------------------------------------------------------------------------------


def test_default_secrets_files_in_streamlits_order(tmp_path):
    repo = tmp_path / "repo"
    home = Path.home() / ".streamlit" / "secrets.toml"
    project = repo / ".streamlit" / "secrets.toml"
    assert default_secrets_files(repo) == [home, project]
    # the main script's own .streamlit folder comes last (it wins), unless it is the project's
    app = repo / "dashboard" / "app.py"
    assert default_secrets_files(repo, app) == [
        home,
        project,
        repo / "dashboard" / ".streamlit" / "secrets.toml",
    ]
    assert default_secrets_files(repo, repo / "app.py") == [home, project]


# --- is_local / bind_refusal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.2",
        "127.255.255.254",
        "::1",
        "[::1]",
        "localhost",
        "LOCALHOST",
        "::ffff:127.0.0.1",
    ],
)
def test_local_addresses(address):
    assert is_local(address)


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",
        "::",
        "",
        "192.168.1.10",
        "10.0.0.5",
        "172.16.0.1",
        "fe80::1",
        "wijkmonitor.gemeente.nl",
        "localhost.example",
        "128.0.0.1",
        "::ffff:0.0.0.0",
        "127.1",  # shorthand that the resolver would widen; not trusted
    ],
)
def test_non_local_addresses(address):
    assert not is_local(address)


def test_local_bind_is_always_allowed():
    for oidc in (False, True):
        for unsafe in (False, True):
            assert bind_refusal("127.0.0.1", oidc, unsafe) is None
            assert bind_refusal("localhost", oidc, unsafe) is None


def test_non_local_bind_needs_oidc_or_the_explicit_unsafe_demo():
    assert bind_refusal("0.0.0.0", oidc=True, unsafe_demo=False) is None
    assert bind_refusal("0.0.0.0", oidc=False, unsafe_demo=True) is None
    assert bind_refusal("0.0.0.0", oidc=True, unsafe_demo=True) is None
    for address in ("0.0.0.0", "::", "192.168.1.10", "wijkmonitor.gemeente.nl"):
        message = bind_refusal(address, oidc=False, unsafe_demo=False)
        assert message is not None
        assert message.startswith(f"wijkmonitor serve: weigert te luisteren op {address} zonder inloggen.")
        # names the risk and every fix
        assert "demomodus" in message and "beheerder" in message
        assert (
            "[auth]" in message and ".streamlit/secrets.toml" in message and "docs/deployment.md" in message
        )
        assert "--address 127.0.0.1" in message and "--onveilige-demo" in message


def test_refusal_for_the_empty_address_names_all_interfaces():
    message = bind_refusal("", oidc=False, unsafe_demo=False)
    assert message is not None and "alle netwerkadressen" in message


# --- streamlit_command ------------------------------------------------------------------------------------


def _option(cmd: list[str], name: str) -> list[str]:
    return [cmd[i + 1] for i, arg in enumerate(cmd) if arg == name]


def test_command_has_the_serve_flags(tmp_path):
    app = tmp_path / "app.py"
    cmd = streamlit_command(app, 8600, "0.0.0.0", None)
    assert cmd[:5] == [sys.executable, "-m", "streamlit", "run", str(app)]
    assert _option(cmd, "--server.port") == ["8600"]
    assert _option(cmd, "--server.address") == ["0.0.0.0"]
    assert _option(cmd, "--server.headless") == ["true"]
    assert _option(cmd, "--browser.gatherUsageStats") == ["false"]
    assert _option(cmd, "--client.showErrorDetails") == ["none"]
    assert "--secrets.files" not in cmd


def test_command_names_the_secrets_file_absolutely(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cmd = streamlit_command(Path("app.py"), 8501, "127.0.0.1", Path("geheim/secrets.toml"))
    assert _option(cmd, "--secrets.files") == [str(tmp_path / "geheim" / "secrets.toml")]


def test_command_repeats_the_flag_for_several_files_in_order(tmp_path):
    files = default_secrets_files(tmp_path, tmp_path / "dashboard" / "app.py")
    cmd = streamlit_command(tmp_path / "dashboard" / "app.py", 8501, "127.0.0.1", files)
    assert _option(cmd, "--secrets.files") == [str(f) for f in files]


def test_streamlit_accepts_the_secrets_files_flag(tmp_path):
    """`streamlit config show` parses the same flags as `streamlit run`: the option exists and takes the path.

    (tests/test_oidc_login.py shows that a server started this way really reads that file and no other.)
    """
    import subprocess

    secrets_file = write(tmp_path / "s.toml", "[auth]\n" + SHARED + CLIENT)
    out = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show", "--secrets.files", str(secrets_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=True,
    ).stdout
    section = out[out.index("[secrets]") :]
    assert str(secrets_file) in section
