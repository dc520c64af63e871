"""Fixtures for the organisation settings: an app reading the real reference snapshot, admins of two
organisations, and a helper to post forms (multipart, with the page's CSRF token)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token_from


@pytest.fixture
def area_app(app: Flask, reference_data_dir: Path) -> Iterator[Flask]:
    """The backend's app reading the session's real reference snapshot (restored afterwards)."""
    original = app.config["HIA_DATA_DIR"]
    app.config["HIA_DATA_DIR"] = str(reference_data_dir)
    yield app
    app.config["HIA_DATA_DIR"] = original


def post_form(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """Post `data` to `url` as the browser would, with the CSRF token from `page` (default: `url`)."""
    token = csrf_token_from(client.get(page or url).get_data(as_text=True))
    boundary, body = encode_multipart(MultiDict({**data, "csrf_token": token}))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def file(data: bytes, name: str) -> Any:
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    return FileStorage(BytesIO(data), filename=name)
