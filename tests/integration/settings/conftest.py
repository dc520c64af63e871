"""Fixtures for the organisation settings: an app reading the real reference snapshot, admins of two
organisations, and a helper to post forms (multipart, with the page's CSRF token)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token_from


def post_form(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """Post `data` to `url` as the browser would, with the CSRF token from `page` (default: `url`)."""
    token = csrf_token_from(client.get(page or url).get_data(as_text=True))
    boundary, body = encode_multipart(MultiDict({**data, "csrf_token": token}))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def file(data: bytes, name: str) -> Any:
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    return FileStorage(BytesIO(data), filename=name)
