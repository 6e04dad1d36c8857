"""A small OpenID Connect identity provider for tests (authorization-code flow, RS256 ID tokens).

    with OidcProvider(client_id="wijkmonitor", client_secret="s3cret") as idp:
        secrets_file.write_text(idp.secrets_toml("http://127.0.0.1:8501/oauth2callback"))
        ...  # Streamlit's st.login() now logs in against idp.issuer

Starlette app served by uvicorn in a background thread, on 127.0.0.1 only, on a port the operating system
picks; stopped when the `with` block ends. The RS256 signing key is generated at start (joserfc). What it
checks is what a real provider checks, so that a wrong client, redirect URI, state, nonce or PKCE verifier on
Streamlit's side fails the test instead of passing silently: the client id and secret (HTTP Basic or form
fields), the redirect URI (only URIs registered through `secrets_toml` or `redirect_uris`), the code (single
use, bound to client and redirect URI, 5 minutes), the PKCE S256 verifier when a challenge was sent.

Endpoints: /.well-known/openid-configuration, /authorize (GET: an HTML form with an e-mail field `#email`
and a button `#login` "Log in"; POST: redirect to redirect_uri with code and state), /token, /jwks,
/userinfo, /logout (end_session_endpoint; Streamlit's st.logout redirects there when the metadata names it).

What happened is recorded for assertions: `idp.logins` (e-mail per completed form), `idp.tokens_issued`
(e-mail per ID token), `idp.logouts` (one dict of query parameters per end-session request).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

HOST = "127.0.0.1"
CODE_TTL_SECONDS = 300
TOKEN_TTL_SECONDS = 3600


@dataclass
class _Pending:
    """An authorization request waiting for the login form."""

    client_id: str
    redirect_uri: str
    state: str | None
    nonce: str | None
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None


@dataclass
class _Code:
    request: _Pending
    email: str
    name: str
    expires: float


@dataclass
class _Record:
    logins: list[str] = field(default_factory=list)
    tokens_issued: list[str] = field(default_factory=list)
    logouts: list[dict[str, str]] = field(default_factory=list)


def _with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


class OidcProvider:
    """An OpenID Connect provider on 127.0.0.1 for one confidential client.

    client_id, client_secret: the client Streamlit is configured with (the secret is random when not given).
    redirect_uris: redirect URIs accepted from the start; `secrets_toml` registers its URI as well.
    names: display name per e-mail address for the `name` claim (default: the part before the @).
    """

    def __init__(
        self,
        client_id: str = "wijkmonitor",
        client_secret: str | None = None,
        *,
        redirect_uris: Iterable[str] = (),
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret if client_secret is not None else secrets.token_urlsafe(24)
        self.names = dict(names or {})
        self._redirect_uris: set[str] = set(redirect_uris)
        self._key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._codes: dict[str, _Code] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._record = _Record()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port: int | None = None

    # --- public API ---------------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        if self.port is None:
            raise RuntimeError("OidcProvider is not started (use it as a context manager)")
        return f"http://{HOST}:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def logins(self) -> list[str]:
        with self._lock:
            return list(self._record.logins)

    @property
    def tokens_issued(self) -> list[str]:
        with self._lock:
            return list(self._record.tokens_issued)

    @property
    def logouts(self) -> list[dict[str, str]]:
        with self._lock:
            return [dict(x) for x in self._record.logouts]

    def register_redirect_uri(self, redirect_uri: str) -> None:
        with self._lock:
            self._redirect_uris.add(redirect_uri)

    def secrets_toml(self, redirect_uri: str, provider: str | None = None) -> str:
        """The `[auth]` section of Streamlit's secrets.toml for this provider (random cookie_secret).

        With `provider`, the client settings go in `[auth.<provider>]` (for `st.login("<provider>")`).
        Registers redirect_uri, which Streamlit also sends as post_logout_redirect_uri.
        """
        self.register_redirect_uri(redirect_uri)
        shared = [
            "[auth]",
            f"redirect_uri = {_toml_str(redirect_uri)}",
            f"cookie_secret = {_toml_str(secrets.token_urlsafe(32))}",
        ]
        client = [
            f"client_id = {_toml_str(self.client_id)}",
            f"client_secret = {_toml_str(self.client_secret)}",
            f"server_metadata_url = {_toml_str(self.metadata_url)}",
        ]
        if provider is None:
            return "\n".join(shared + client) + "\n"
        return "\n".join([*shared, "", f"[auth.{provider}]", *client]) + "\n"

    def start(self) -> OidcProvider:
        if self._thread is not None:
            raise RuntimeError("OidcProvider already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, 0))
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self._app(), log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[sock])),  # type: ignore[union-attr]
            name="oidc-provider",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("OidcProvider did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- the provider -------------------------------------------------------------------------------

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._metadata, methods=["GET"]),
                Route("/authorize", self._authorize_form, methods=["GET"]),
                Route("/authorize", self._authorize_submit, methods=["POST"]),
                Route("/token", self._token, methods=["POST"]),
                Route("/jwks", self._jwks, methods=["GET"]),
                Route("/userinfo", self._userinfo, methods=["GET", "POST"]),
                Route("/logout", self._logout, methods=["GET"]),
            ]
        )

    async def _metadata(self, request: Request) -> Response:
        iss = self.issuer
        return JSONResponse(
            {
                "issuer": iss,
                "authorization_endpoint": f"{iss}/authorize",
                "token_endpoint": f"{iss}/token",
                "jwks_uri": f"{iss}/jwks",
                "userinfo_endpoint": f"{iss}/userinfo",
                "end_session_endpoint": f"{iss}/logout",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["iss", "aud", "sub", "email", "email_verified", "name", "nonce"],
            }
        )

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self._key.as_dict(private=False)]})

    def _error_page(self, message: str, status: int = 400) -> Response:
        return HTMLResponse(
            f"<!doctype html><title>Fout</title><p id='error'>{html.escape(message)}</p>", status_code=status
        )

    async def _authorize_form(self, request: Request) -> Response:
        q = request.query_params
        with self._lock:
            registered = q.get("redirect_uri") in self._redirect_uris
        # errors about the client or redirect URI are shown here, never sent to an unchecked redirect URI
        if q.get("client_id") != self.client_id:
            return self._error_page("unknown client_id")
        if not registered:
            return self._error_page(f"redirect_uri not registered: {q.get('redirect_uri')!r}")
        if q.get("response_type") != "code":
            return self._error_page("response_type must be code")
        if "openid" not in q.get("scope", "").split():
            return self._error_page("scope must contain openid")
        method = q.get("code_challenge_method")
        if q.get("code_challenge") and method not in (None, "S256"):
            return self._error_page("code_challenge_method must be S256")
        pending = _Pending(
            client_id=q["client_id"],
            redirect_uri=q["redirect_uri"],
            state=q.get("state"),
            nonce=q.get("nonce"),
            scope=q.get("scope", ""),
            code_challenge=q.get("code_challenge"),
            code_challenge_method=method or ("S256" if q.get("code_challenge") else None),
        )
        request_id = secrets.token_urlsafe(16)
        with self._lock:
            self._pending[request_id] = pending
        return HTMLResponse(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Test identity provider</title>"
            "</head><body><h1>Test identity provider</h1>"
            "<form method='post' action='/authorize' id='login-form'>"
            f"<input type='hidden' name='request_id' value='{html.escape(request_id)}'>"
            "<label for='email'>E-mail</label> "
            "<input id='email' name='email' type='email' required autocomplete='username'> "
            "<button id='login' type='submit'>Log in</button>"
            "</form></body></html>"
        )

    async def _authorize_submit(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        with self._lock:
            pending = self._pending.pop(form.get("request_id", ""), None)
        if pending is None:
            return self._error_page("unknown or used login request")
        email = form.get("email", "").strip()
        if "@" not in email:
            return self._error_page("e-mail address required")
        code = secrets.token_urlsafe(24)
        name = self.names.get(email, email.split("@", 1)[0])
        with self._lock:
            self._codes[code] = _Code(pending, email, name, time.time() + CODE_TTL_SECONDS)
            self._record.logins.append(email)
        params = {"code": code}
        if pending.state is not None:
            params["state"] = pending.state
        return RedirectResponse(_with_query(pending.redirect_uri, params), status_code=303)

    def _client_credentials(self, request: Request, form: Mapping[str, str]) -> tuple[str, str] | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:]).decode("utf-8")
            except ValueError:
                return None
            user, sep, password = decoded.partition(":")
            if not sep:
                return None
            return unquote_plus(user), unquote_plus(password)
        if "client_id" in form and "client_secret" in form:
            return form["client_id"], form["client_secret"]
        return None

    @staticmethod
    def _token_error(error: str, description: str, status: int = 400) -> Response:
        return JSONResponse(
            {"error": error, "error_description": description},
            status_code=status,
            headers={"Cache-Control": "no-store"},
        )

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        creds = self._client_credentials(request, form)
        if creds is None or not (
            secrets.compare_digest(creds[0], self.client_id)
            and secrets.compare_digest(creds[1], self.client_secret)
        ):
            return self._token_error("invalid_client", "client authentication failed", 401)
        if form.get("grant_type") != "authorization_code":
            return self._token_error("unsupported_grant_type", "only authorization_code")
        with self._lock:
            granted = self._codes.pop(form.get("code", ""), None)  # single use
        if granted is None or granted.expires < time.time():
            return self._token_error("invalid_grant", "unknown, used or expired code")
        req = granted.request
        if req.client_id != creds[0] or form.get("redirect_uri") != req.redirect_uri:
            return self._token_error("invalid_grant", "code was issued to another client or redirect_uri")
        if req.code_challenge:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
            if not verifier or not secrets.compare_digest(expected, req.code_challenge):
                return self._token_error("invalid_grant", "PKCE verification failed")
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": "user-" + hashlib.sha256(granted.email.lower().encode()).hexdigest()[:16],
            "email": granted.email,
            "email_verified": True,
            "name": granted.name,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_TTL_SECONDS,
        }
        if req.nonce is not None:
            claims["nonce"] = req.nonce
        id_token = jwt.encode({"alg": "RS256", "kid": self._key.kid}, claims, self._key)
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = claims
            self._record.tokens_issued.append(granted.email)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_TTL_SECONDS,
                "id_token": id_token,
                "scope": req.scope,
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    async def _userinfo(self, request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        with self._lock:
            claims = self._access_tokens.get(token)
        if claims is None or claims["exp"] < time.time():
            return JSONResponse(
                {"error": "invalid_token"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        return JSONResponse({k: claims[k] for k in ("sub", "email", "email_verified", "name")})

    async def _logout(self, request: Request) -> Response:
        params = dict(request.query_params)
        with self._lock:
            self._record.logouts.append(params)
            registered = params.get("post_logout_redirect_uri") in self._redirect_uris
        target = params.get("post_logout_redirect_uri")
        if target is None:
            return HTMLResponse("<!doctype html><title>Logged out</title><p id='logged-out'>Logged out</p>")
        if not registered:
            return self._error_page(f"post_logout_redirect_uri not registered: {target!r}")
        extra = {"state": params["state"]} if "state" in params else {}
        return RedirectResponse(_with_query(target, extra), status_code=302)
