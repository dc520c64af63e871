"""Security headers on every response, and the per-request nonce that lets our one inline script run.

The Content-Security-Policy allows no inline script or style: the NHS.UK page template's single inline
script carries the request's nonce (templates/base.html passes `csp_nonce()` to it as `cspNonce`).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import Flask, Request, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import cached_property

from hia_service.domain.safe_text import UNSTORABLE, any_unstorable, cleaned, has_unstorable
from hia_service.domain.untrusted_json import MAX_DEPTH, too_deep
from hia_service.errors import render_error

# Features this service never uses, switched off so no page (or injected script) can ask for them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's CSP nonce, made on first use (a Jinja global and used for the header)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str, font_host: str | None) -> str:
    """`self` only, but for the web font's host when HIA_FONT_HOST names one."""
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": f"'self' {font_host}" if font_host else "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(nonce: str, production: bool, font_host: str | None) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(nonce, font_host),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "X-Frame-Options": "DENY",
    }
    if production:  # production is served over HTTPS; development and tests run on plain HTTP
        headers["Strict-Transport-Security"] = HSTS
    return headers


def refuse_deeply_nested_json() -> ResponseReturnValue | None:
    """JSON bodies are measured before Flask parses them: json.loads recurses once per level of nesting."""
    if not request.is_json:
        return None
    if too_deep(request.get_data(cache=True)):  # reading honours MAX_CONTENT_LENGTH (413 above it)
        return render_error(
            400, f"The JSON is nested more than {MAX_DEPTH} levels deep. Send a flatter document."
        )
    return None


UNSTORABLE_TEXT = (
    "The text you sent has a character the service cannot store: a control character (such as a NUL "
    "byte) or half of a character pair. Remove it and send the text again."
)
NUMBER_TOO_LONG = "The JSON has a number more than 4,300 digits long. Send numbers of a sensible size."
NOT_UTF8 = "The JSON is not UTF-8 text. Send it encoded as UTF-8."


def refuse_unstorable_json() -> ResponseReturnValue | None:
    """JSON the API could not store or even read is refused here with the reason, before the API's parser
    (which would fail on a number over Python's 4,300-digit limit) or the database (a NUL byte) sees it."""
    if not request.is_json:
        return None
    data = request.get_data(cache=True)
    try:
        body = json.loads(data) if data.strip() else None
    except json.JSONDecodeError:
        return None  # not JSON at all: the API's own parser says so, as before
    except UnicodeDecodeError:
        return render_error(400, NOT_UTF8)
    except ValueError:  # an integer longer than Python will read
        return render_error(400, NUMBER_TOO_LONG)
    return render_error(400, UNSTORABLE_TEXT) if any_unstorable(body) else None


def refuse_unstorable_paths() -> ResponseReturnValue | None:
    """No address of the service has a control character in it (a NUL would reach a database query)."""
    return render_error(404) if has_unstorable(request.path) else None


# An email address typed with a control character in it is not the address to make an account for: the
# character becomes one the address checks refuse, so the person is asked to correct it rather than an
# account being made for an address with the character quietly taken out.
REFUSED_IN_AN_ADDRESS = "\ufffd"


def _cleaned_fields(fields: MultiDict[str, Any]) -> MultiDict[str, Any]:
    pairs = [(key, _cleaned_field(key, value)) for key, value in fields.items(multi=True)]
    return type(fields)(pairs)


def _cleaned_field(key: str | None, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key and "email" in key and has_unstorable(value):
        return UNSTORABLE.sub(REFUSED_IN_AN_ADDRESS, value)
    return cleaned(value)


class FormRequest(Request):
    """Form fields and query strings without the characters no text may hold (domain/safe_text.py), so
    pasted control characters never reach the database or a Word file.

    Also drops multipart parts that have no name. Werkzeug keeps them under the key None, which Flask-WTF's
    CSRF check cannot read (a 500 for anyone who sends one, found by fuzzing the forms)."""

    @cached_property
    def args(self) -> MultiDict[str, str]:
        return _cleaned_fields(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        for name in ("form", "files"):
            fields = self.__dict__.get(name)
            if fields is None or None not in fields:
                continue
            for dropped in fields.getlist(None):
                if hasattr(dropped, "close"):
                    dropped.close()  # a nameless file part: Request.close() would never see it
            kept = [(key, value) for key, value in fields.items(multi=True) if key is not None]
            self.__dict__[name] = type(fields)(kept) if isinstance(fields, MultiDict) else fields
        form = self.__dict__.get("form")
        if isinstance(form, MultiDict):
            self.__dict__["form"] = _cleaned_fields(form)


def trust_proxies(app: Flask) -> None:
    """Behind HIA_TRUSTED_PROXIES reverse proxies, take the client's address and scheme from their headers.

    X-Forwarded-For: each proxy appends the address it was reached from, so only the right-most N entries are
    written by our own proxies; anything a client sends arrives to the left of them and is never believed.
    X-Forwarded-Proto: the nearest proxy's value (right-most), which works whether proxies replace or append
    it. X-Forwarded-Host is not trusted: the balancer passes Host through, and a client could forge the
    header to change the links we build (the sign-in callback address). With 0 nothing is changed.
    """
    proxies = int(app.config.get("HIA_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=1, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]


def register_security(app: Flask) -> None:
    trust_proxies(app)
    app.add_template_global(csp_nonce)
    app.request_class = FormRequest
    app.before_request(refuse_unstorable_paths)
    app.before_request(refuse_deeply_nested_json)
    app.before_request(refuse_unstorable_json)  # after the depth check: json.loads recurses

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        production = current_app.config.get("HIA_ENV") == "production"
        font_host = current_app.config.get("HIA_FONT_HOST")
        for name, value in security_headers(csp_nonce(), production, font_host).items():
            response.headers.setdefault(name, value)  # a view may set a stricter header of its own
        # A signed-in page holds records and names: not kept in the browser's cache, where the next person
        # at a shared computer could open it with the back button after signing out.
        if (
            response.mimetype == "text/html"
            and "Cache-Control" not in response.headers
            and not request.path.startswith("/api/")
            and current_user.is_authenticated
        ):
            response.headers["Cache-Control"] = "no-store"
        return response
