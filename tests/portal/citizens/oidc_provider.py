"""A small but real OpenID Connect provider for the tests (a stand-in for VNeID).

:class:`LocalOIDCProvider` is an HTTP server (``http.server``, in a thread) on
127.0.0.1 and a random port, with an RSA key generated at start:

* ``/.well-known/openid-configuration`` — discovery;
* ``/jwks`` — the public key (``kid``, ``RS256``);
* ``/authorize`` — checks the client, ``response_type=code``, ``scope`` with
  ``openid``, the PKCE challenge (S256), then consents on behalf of
  :attr:`~LocalOIDCProvider.user` and redirects to ``redirect_uri`` with
  ``code`` and ``state`` (or ``error=access_denied`` when :attr:`deny` is set);
* ``/token`` — checks the client secret (POST body or HTTP Basic), the code
  (single use, same client and ``redirect_uri``) and the PKCE verifier, and
  answers an RS256-signed ID token (``iss``, ``sub``, ``aud``, ``exp``,
  ``iat``, ``nonce``, ``name``) and an access token;
* ``/userinfo`` — the user's claims for a valid ``Bearer`` access token.

Knobs for the refusal tests: :attr:`id_token_overrides` (claims replaced in the
next ID tokens; ``None`` removes one), :attr:`signing` (``"other-key"``: a key
not in the JWKS but with the same ``kid``; ``"hs256-secret"``: HS256 with the
client secret), :attr:`token_status` (e.g. 503: the token endpoint fails).

The :func:`vneid_provider` fixture starts one, points the ``VNEID_OIDC_*``
settings at it (endpoints are found through discovery by portal/citizens/oidc.py) and
stops it afterwards. Import it into a test module to use it.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "dichvucong-test"
DEFAULT_USER = {
    "sub": "vneid-sub-0001",
    "id_number": "001090012345",
    "name": "Nguyễn Thị Hoa",
    "birthdate": "1990-05-17",
    "gender": "female",
    "address": "Số 5 phố Lê Lợi, phường Hoàn Kiếm, Hà Nội",
    "phone_number": "0912345678",
    "email": "hoa@example.com",
}


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class LocalOIDCProvider:
    def __init__(self, client_id=CLIENT_ID, client_secret=None, user=None):
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.user = dict(user or DEFAULT_USER)
        self.kid = "test-key-1"
        self.key = _new_key()
        self._other_key = None
        self.id_token_overrides = {}
        self.signing = "jwks-key"
        self.token_status = None
        self.deny = False
        self.codes = {}  # code → grant (client, redirect_uri, nonce, PKCE challenge, the user's claims then)
        self.access_tokens = {}  # access token → the user's claims at the time
        self.requests = []  # (method, path) of every request, in order
        self.authorize_requests = []  # the query of every /authorize request
        self._server = None
        self._thread = None

    # --- life cycle ------------------------------------------------------------------------------

    def start(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                provider._handle(self, "GET")

            def do_POST(self):  # noqa: N802
                provider._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-oidc-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    @property
    def issuer(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def authorization_endpoint(self):
        return f"{self.issuer}/authorize"

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self):
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # --- the ID token ----------------------------------------------------------------------------

    def id_token(self, grant):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant["user"]["sub"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "nonce": grant["nonce"],
            "name": grant["user"].get("name", ""),
        }
        for name, value in self.id_token_overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        if self.signing == "hs256-secret":
            return jwt.encode(claims, self.client_secret, algorithm="HS256", headers={"kid": self.kid})
        if self.signing == "other-key":
            self._other_key = self._other_key or _new_key()
            return jwt.encode(claims, self._other_key, algorithm="RS256", headers={"kid": self.kid})
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    # --- HTTP ------------------------------------------------------------------------------------

    def _handle(self, handler, method):
        parts = urlsplit(handler.path)
        self.requests.append((method, parts.path))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        routes = {
            ("GET", "/.well-known/openid-configuration"): lambda: (200, self.discovery()),
            ("GET", "/jwks"): lambda: (200, self.jwks()),
            ("GET", "/authorize"): lambda: self._authorize(query),
            ("POST", "/token"): lambda: self._token(handler),
            ("GET", "/userinfo"): lambda: self._userinfo(handler),
        }
        route = routes.get((method, parts.path))
        status, body = route() if route else (404, {"error": "not_found"})
        if status == 302:
            handler.send_response(302)
            handler.send_header("Location", body)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _authorize(self, query):
        self.authorize_requests.append(query)
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or not redirect_uri.startswith(("http://", "https://")):
            return 400, {"error": "invalid_request", "error_description": "unknown client or redirect_uri"}
        back = {"state": query["state"]} if "state" in query else {}
        if (
            query.get("response_type") != "code"
            or "openid" not in query.get("scope", "").split()
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
        ):
            return 302, f"{redirect_uri}?{urlencode({'error': 'invalid_request', **back})}"
        if self.deny:
            return 302, f"{redirect_uri}?{urlencode({'error': 'access_denied', **back})}"
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "nonce": query.get("nonce"),
            "code_challenge": query["code_challenge"],
            "user": dict(self.user),
        }
        return 302, f"{redirect_uri}?{urlencode({'code': code, **back})}"

    def _client_credentials(self, handler, form):
        auth = handler.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            return client_id, secret
        return form.get("client_id", ""), form.get("client_secret", "")

    def _token(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        if self.token_status:
            return self.token_status, {"error": "temporarily_unavailable"}
        client_id, secret = self._client_credentials(handler, form)
        if client_id != self.client_id or not secrets.compare_digest(secret, self.client_secret):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        if _b64url(hashlib.sha256(verifier.encode()).digest()) != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = grant["user"]
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant),
        }

    def _userinfo(self, handler):
        auth = handler.headers.get("Authorization", "")
        user = self.access_tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        if user is None:
            return 401, {"error": "invalid_token"}
        return 200, dict(user)


@pytest.fixture
def vneid_provider(settings):
    """A running :class:`LocalOIDCProvider`, with the ``VNEID_OIDC_*`` settings pointing at it."""
    provider = LocalOIDCProvider().start()
    settings.VNEID_OIDC_ISSUER = provider.issuer
    settings.VNEID_OIDC_DISCOVERY_URL = ""
    settings.VNEID_OIDC_CLIENT_ID = provider.client_id
    settings.VNEID_OIDC_CLIENT_SECRET = provider.client_secret
    settings.VNEID_OIDC_SCOPES = "openid profile"
    try:
        yield provider
    finally:
        provider.stop()
