"""A small OpenID provider for tests: discovery, JWKS, authorize and token endpoints on a local port.

It signs id_tokens with an RSA key made for the test run, checks PKCE (S256) at the token endpoint, and
lets a test change what it issues (`claims` overrides, another signing key, a tampered token) to prove the
service refuses it. With `multi_tenant`, it behaves like Microsoft Entra ID's /organizations/v2.0 endpoint:
the discovery document's issuer is the template `<base>/{tenantid}/v2.0`, and each token's `iss` is its own
tenant's issuer, `<base>/<tid>/v2.0`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "hia-test-client"
CLIENT_SECRET = "test-client-secret-" + "0" * 16
TENANT = "3f2c1a9e-0000-4000-8000-000000000001"
OTHER_TENANT = "7b1d0c4f-0000-4000-8000-000000000002"
DISCOVERY = "/.well-known/openid-configuration"


def _rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


@dataclass
class MockProvider:
    issuer: str = ""  # the base address (and, single-tenant, the issuer)
    multi_tenant: bool = False
    key: RSAKey = field(default_factory=lambda: _rsa_key("test-key-1"))
    claims: dict[str, Any] = field(default_factory=dict)  # overrides for the next id_token
    sign_with: RSAKey | None = None  # another key (same kid) for a forged signature
    tamper: Callable[[str], str] | None = None  # changes the signed token before it is sent
    pending: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> authorize request
    pkce_checked: int = 0
    token_requests: int = 0

    def reset(self) -> None:
        self.claims, self.sign_with, self.tamper = {}, None, None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        routes = {
            "/jwks": self._jwks,
            "/authorize": self._authorize,
            "/token": self._token,
        }
        # Discovery at the root and under an authority path, e.g. /organizations/v2.0/.well-known/...
        handler = self._discovery if request.path.endswith(DISCOVERY) else routes.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    @property
    def published_issuer(self) -> str:
        return f"{self.issuer}/{{tenantid}}/v2.0" if self.multi_tenant else self.issuer

    def tenant_issuer(self, tenant: str) -> str:
        return f"{self.issuer}/{tenant}/v2.0"

    def _discovery(self, request: Request) -> Response:
        return _json(
            {
                "issuer": self.published_issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def _jwks(self, request: Request) -> Response:
        return _json({"keys": [self.key.as_dict(private=False)]})

    def _authorize(self, request: Request) -> Response:
        args = request.args
        assert args["response_type"] == "code" and args["client_id"] == CLIENT_ID
        assert args["code_challenge_method"] == "S256" and args["code_challenge"]
        assert args["nonce"] and args["state"] and "openid" in args["scope"].split()
        code = secrets.token_urlsafe(16)
        self.pending[code] = dict(args)
        target = f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}"
        return Response(status=302, headers={"Location": target})

    def _token(self, request: Request) -> Response:
        self.token_requests += 1
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {basic}":
            return _json({"error": "invalid_client"}, 401)
        asked = self.pending.pop(request.form.get("code", ""), None)
        if asked is None or request.form.get("redirect_uri") != asked["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        verifier = request.form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != asked["code_challenge"]:
            return _json({"error": "invalid_grant", "error_description": "PKCE verifier does not match"}, 400)
        self.pkce_checked += 1
        return _json(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(asked["nonce"]),
            }
        )

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "subject-0001",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "tid": TENANT,
            "email": "person@example.nhs.uk",
            "email_verified": True,
            **self.claims,
        }
        if self.multi_tenant and "iss" not in self.claims:  # each tenant's token names its own issuer
            claims["iss"] = self.tenant_issuer(str(claims.get("tid")))
        claims = {name: value for name, value in claims.items() if value is not None}
        key = self.sign_with or self.key
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        return self.tamper(token) if self.tamper else token


def other_key() -> RSAKey:
    """A key the provider never published, with the same key id: a forged signature."""
    return _rsa_key("test-key-1")


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


@contextmanager
def running_provider(*, multi_tenant: bool = False) -> Iterator[MockProvider]:
    provider = MockProvider(multi_tenant=multi_tenant)
    server = make_server("127.0.0.1", 0, provider, threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=5)
