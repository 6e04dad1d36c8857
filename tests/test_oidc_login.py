"""OpenID Connect login: the test identity provider (tests/oidc_provider.py) on its own, and the whole
st.login / st.logout flow in a real Chromium against a Streamlit server started with that provider's secrets.

The browser test is parametrised by `LoginApp` (script, button names, expected texts, extra environment), so
the same flow can run against the dashboard once it has a login.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import socket
import subprocess
import time
import tomllib
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from oidc_provider import OidcProvider
from test_browser import CHROMIUM

from wijkmonitor.serve import auth_section_complete, read_secrets, streamlit_command

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the provider on its own (no browser) --------------------------------------------------------------


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize(client: httpx.Client, idp: OidcProvider, redirect_uri: str, challenge: str, email: str) -> str:
    """Run the login form like a browser would; returns the code sent to redirect_uri."""
    meta = client.get(idp.metadata_url).json()
    r = client.get(
        meta["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": idp.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": "st-1",
            "nonce": "n-1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert r.status_code == 200, r.text
    assert 'id="email"' in r.text.replace("'", '"') and 'id="login"' in r.text.replace("'", '"')
    request_id = re.search(r"name='request_id' value='([^']+)'", r.text).group(1)
    r = client.post(meta["authorization_endpoint"], data={"request_id": request_id, "email": email})
    assert r.status_code == 303
    location = urlsplit(r.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    q = parse_qs(location.query)
    assert q["state"] == ["st-1"]
    return q["code"][0]


def test_provider_issues_a_verifiable_id_token_and_checks_what_a_real_provider_checks():
    redirect_uri = "http://127.0.0.1:1/oauth2callback"
    with OidcProvider(client_id="wijkmonitor", client_secret="geheim") as idp, httpx.Client() as client:
        assert idp.issuer.startswith("http://127.0.0.1:")
        secrets_text = idp.secrets_toml(redirect_uri)
        parsed = tomllib.loads(secrets_text)
        assert parsed["auth"]["server_metadata_url"] == idp.metadata_url
        assert parsed["auth"]["redirect_uri"] == redirect_uri
        assert len(parsed["auth"]["cookie_secret"]) >= 32
        assert auth_section_complete(parsed)
        assert auth_section_complete(tomllib.loads(idp.secrets_toml(redirect_uri, provider="keycloak")))
        meta = client.get(idp.metadata_url).json()
        assert meta["issuer"] == idp.issuer
        assert "end_session_endpoint" in meta and "S256" in meta["code_challenge_methods_supported"]

        verifier, challenge = _pkce()
        code = _authorize(client, idp, redirect_uri, challenge, "an@example.org")
        token_request = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        # wrong secret: refused, and the code is not spent by a failed client authentication
        r = client.post(meta["token_endpoint"], data=token_request, auth=("wijkmonitor", "fout"))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"
        r = client.post(meta["token_endpoint"], data=token_request, auth=("wijkmonitor", "geheim"))
        assert r.status_code == 200, r.text
        body = r.json()
        keys = KeySet.import_key_set(client.get(meta["jwks_uri"]).json())
        claims = jwt.decode(body["id_token"], keys, algorithms=["RS256"]).claims
        assert claims["iss"] == idp.issuer and claims["aud"] == "wijkmonitor"
        assert claims["email"] == "an@example.org" and claims["name"] == "an" and claims["nonce"] == "n-1"
        assert claims["exp"] > claims["iat"] and claims["sub"].startswith("user-")
        info = client.get(
            meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert info.json()["email"] == "an@example.org"
        # a code is single use
        r = client.post(meta["token_endpoint"], data=token_request, auth=("wijkmonitor", "geheim"))
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
        # PKCE: a wrong verifier is refused (client_secret_post this time)
        verifier, challenge = _pkce()
        code = _authorize(client, idp, redirect_uri, challenge, "an@example.org")
        r = client.post(
            meta["token_endpoint"],
            data={
                **token_request,
                "code": code,
                "code_verifier": "x" * 50,
                "client_id": "wijkmonitor",
                "client_secret": "geheim",
            },
        )
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
        # a redirect URI that was never registered gets an error page, not a redirect
        r = client.get(
            meta["authorization_endpoint"],
            params={
                "response_type": "code",
                "client_id": "wijkmonitor",
                "redirect_uri": "http://evil.example/oauth2callback",
                "scope": "openid",
            },
        )
        assert r.status_code == 400 and "not registered" in r.text
        # end session: back to the registered URI only
        r = client.get(meta["end_session_endpoint"], params={"post_logout_redirect_uri": redirect_uri})
        assert r.status_code == 302 and r.headers["location"] == redirect_uri
        assert idp.logins == ["an@example.org", "an@example.org"] and idp.tokens_issued == ["an@example.org"]
    with pytest.raises(httpx.TransportError):  # stopped on exit
        httpx.get(meta["jwks_uri"], timeout=2)


# --- the whole flow in Chromium ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginApp:
    """A Streamlit app to log in to and out of, and what it shows.

    `logged_in_text` may contain {email}. `setup(tmp_path, email)` runs before the server starts and
    returns extra environment for it (e.g. a database in which the e-mail address has a role).
    """

    id: str
    script: Path
    login_button: str
    logged_in_text: str
    logout_button: str
    logged_out_text: str
    cwd: Path = REPO
    env: Mapping[str, str] = field(default_factory=dict)
    setup: Callable[[Path, str], Mapping[str, str]] | None = None


def _dashboard_setup(tmp_path: Path, email: str) -> dict[str, str]:
    """The real dashboard: a records store in which ``email`` is a member of the stuurgroep."""
    from wijkmonitor.records import authz, users
    from wijkmonitor.records.store import open_store

    url = f"sqlite:///{tmp_path}/records.sqlite"
    users.add_user(
        open_store(url), authz.Actor.command("test"), email, "Coördinator Fictiedorp", ["stuurgroep"]
    )
    return {"WIJKMONITOR_DB": str(tmp_path / "leeg.duckdb"), "WIJKMONITOR_RECORDS_URL": url}


APPS = [
    LoginApp(
        id="dashboard",
        script=REPO / "dashboard" / "app.py",
        login_button="Inloggen",
        logged_in_text="Ingelogd als Coördinator Fictiedorp",
        logout_button="Uitloggen",
        logged_out_text="Log in met het account van uw organisatie",
        setup=_dashboard_setup,
    ),
    LoginApp(
        id="fixture",
        script=FIXTURES / "oidc_app.py",
        login_button="Inloggen",
        logged_in_text="Ingelogd als {email}",
        logout_button="Uitloggen",
        logged_out_text="Niet ingelogd",
    ),
]


def _start_streamlit(app: LoginApp, port: int, secrets_file: Path, env: Mapping[str, str], log: Path):
    cmd = streamlit_command(app.script, port, "127.0.0.1", secrets_file)
    full_env = dict(os.environ, **env)
    full_env["NO_PROXY"] = full_env["no_proxy"] = "127.0.0.1,localhost"  # Authlib fetches from the provider
    out = log.open("w")
    proc = subprocess.Popen(cmd, cwd=app.cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT, text=True)
    out.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    _stop(proc)
    pytest.fail("streamlit did not start:\n" + log.read_text(errors="replace")[-4000:])


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _settle(page) -> None:
    page.wait_for_load_state("domcontentloaded", timeout=TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")


def _wait_until(condition: Callable[[], bool], what: str, page, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; page at {page.url}")
        page.wait_for_timeout(100)


@pytest.mark.browser
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
@pytest.mark.parametrize("app", APPS, ids=lambda a: a.id)
def test_login_and_logout_in_chromium(app: LoginApp, browser, tmp_path: Path):
    email = "coordinator@fictiedorp.example"
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def lap(name: str) -> None:
        timings[name] = round(time.perf_counter() - t0, 2)

    proc = None
    context = None
    log = tmp_path / "streamlit.log"
    visited: list[str] = []
    try:
        with OidcProvider(client_id="wijkmonitor") as idp:
            port = _free_port()
            secrets_file = tmp_path / "secrets.toml"
            secrets_file.write_text(idp.secrets_toml(f"http://127.0.0.1:{port}/oauth2callback"))
            assert auth_section_complete(read_secrets([secrets_file]))
            env = dict(app.env)
            if app.setup is not None:
                env.update(app.setup(tmp_path, email))
            proc, url = _start_streamlit(app, port, secrets_file, env, log)
            lap("streamlit up")

            context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="nl-NL")
            page = context.new_page()
            page.on(
                "request",
                lambda r: visited.append(f"{r.method} {r.url}") if r.is_navigation_request() else None,
            )
            page.goto(f"{url}/", wait_until="domcontentloaded")
            page.get_by_role("button", name=app.login_button).wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            assert app.logged_out_text in page.inner_text("body")
            lap("app shows login button")

            page.get_by_role("button", name=app.login_button).click()
            page.wait_for_url(f"{idp.issuer}/authorize?**", timeout=TIMEOUT_MS)
            page.fill("#email", email)
            lap("provider form")
            page.click("#login")
            page.wait_for_url(lambda u: u.startswith(url) and "oauth2callback" not in u, timeout=TIMEOUT_MS)
            expected = app.logged_in_text.format(email=email)
            page.get_by_text(expected).first.wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            assert idp.tokens_issued == [email]
            assert page.get_by_role("button", name=app.login_button).count() == 0
            lap("logged in")

            page.get_by_role("button", name=app.logout_button).click()
            # st.logout: /auth/logout -> the provider's end_session_endpoint -> /oauth2callback -> /
            _wait_until(lambda: len(idp.logouts) == 1, "the provider's end-session request", page)
            page.wait_for_url(lambda u: u.startswith(url) and "oauth2callback" not in u, timeout=TIMEOUT_MS)
            page.get_by_role("button", name=app.login_button).wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            logout = idp.logouts[0]
            assert logout["client_id"] == "wijkmonitor" and logout.get("id_token_hint")
            assert logout["post_logout_redirect_uri"] == f"http://127.0.0.1:{port}/oauth2callback"
            body = page.inner_text("body")
            assert email not in body and app.logged_out_text in body
            lap("logged out")

            # the identity cookie is gone: a fresh load stays logged out
            page.reload(wait_until="domcontentloaded")
            page.get_by_role("button", name=app.login_button).wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            assert email not in page.inner_text("body")
            assert not [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
            lap("still logged out after reload")
    except BaseException:
        print("navigation requests:", *visited, sep="\n  ")
        if log.exists():
            print("streamlit log (tail):\n" + log.read_text(errors="replace")[-4000:])
        raise
    finally:
        if context is not None:
            context.close()
        _stop(proc)
    print(f"\n[{app.id}] timings (s since start): {timings}")
