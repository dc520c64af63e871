"""Whole addresses of the service's pages, for places that must give one out (Link headers, the sign-in
callback, links on documents): made from HIA_BASE_URL only. Never from the request's Host header, which
the client writes, so a forged Host cannot put another site's address in an answer."""

from __future__ import annotations

from flask import current_app


def public_url(path: str) -> str | None:
    """HIA_BASE_URL with this path (which starts with /), or None when no base address is configured."""
    base = current_app.config.get("HIA_BASE_URL")
    return f"{str(base).rstrip('/')}{path}" if base else None
