"""Every upload (the area step's CSV and GeoJSON, the verify page's PDF, the API's GeoJSON and PDF) against
hostile files: too big, the wrong type under the right name, compressed bombs, deep nesting, a million
vertices, giant CSV fields, the wrong encoding. Each gets a clear, specific refusal; nothing saved is lost."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.fuzz_counts import tried
from tests.integration.api.conftest import issue_token
from tests.integration.review.conftest import add_people
from tests.integration.wizard.test_area_bad_input import (
    _assert_kept,
    _assert_rejected,
    _post_area,
    _post_multipart,
    _upload,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _deep_geojson(levels: int) -> bytes:
    return b'{"type": "Polygon", "coordinates": ' + b"[" * levels + b"]" * levels + b"}"


def _zip_of(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


CSV_CASES = [
    pytest.param(gzip.compress(b"postcode\n" + b"PO1 1AA\n" * 1000), "This is a compressed file", id="gzip"),
    pytest.param(_zip_of("p.csv", b"postcode\nPO1 1AA\n"), "or a zip file", id="zip"),
    pytest.param(b"%PDF-1.7\n%%EOF\n", "This is a PDF", id="pdf-named-csv"),
    pytest.param(
        b"postcode\n" + b"A" * 200_000 + b"\n", "more than 131,072 characters long", id="huge-field"
    ),
    # Bytes that are neither UTF-8 nor Windows-1252 (which Excel's plain CSV is, and is read).
    pytest.param(b"postcode\nSW1A 1AA\n\x81\x8d\x8f\n", "not text we can read", id="not-text"),
    pytest.param(b"postcode\nPO1 1AA\n\x00\x01\x02\n", "contains binary data", id="binary"),
]


@pytest.mark.parametrize(("data", "message"), CSV_CASES)
def test_hostile_patient_lists_are_refused_and_nothing_is_lost(
    area_app: Flask,
    client: FlaskClient,
    saved: int,
    data: bytes,
    message: str,
) -> None:
    tried("upload: hostile file or body")
    response = _post_area(
        client, saved, {"method": "patient_list", "patient_file": _upload("patients.csv", data)}
    )
    _assert_rejected(response, message)
    _assert_kept(area_app, saved)


def _huge_number_geojson() -> bytes:
    ring = [["9" * 5000, 53.8], [-3.03, 53.8], [-3.03, 53.83], [-3.06, 53.8]]
    return (
        json.dumps({"type": "Polygon", "coordinates": [ring]})
        .replace('"' + "9" * 5000 + '"', "9" * 5000)
        .encode()
    )


GEOJSON_CASES = [
    pytest.param(PNG, "The selected file is not GeoJSON", id="png-named-geojson"),
    pytest.param(gzip.compress(json.dumps({"type": "Polygon"}).encode()), "not GeoJSON", id="gzip"),
    pytest.param(_deep_geojson(100_000), "nested more than 32 levels deep", id="deeply-nested"),
    pytest.param(b"{" + b"\xff\xfe" * 10 + b"}", "not valid JSON", id="not-utf8"),
    # Python will not turn more than 4,300 digits into an integer: a ValueError, once a 500.
    pytest.param(_huge_number_geojson(), "a number thousands of digits long", id="huge-number"),
]


@pytest.mark.parametrize(("data", "message"), GEOJSON_CASES)
def test_hostile_boundaries_are_refused_and_nothing_is_lost(
    area_app: Flask,
    client: FlaskClient,
    saved: int,
    data: bytes,
    message: str,
) -> None:
    tried("upload: hostile file or body")
    response = _post_area(client, saved, {"method": "geojson", "geojson_file": _upload("area.geojson", data)})
    _assert_rejected(response, message)
    _assert_kept(area_app, saved)


def test_too_many_rows_are_refused_before_they_are_all_read(monkeypatch: pytest.MonkeyPatch) -> None:
    tried("upload: hostile file or body")
    from hia_service.domain.geography import files
    from hia_service.domain.geography.errors import AreaDefinitionError

    monkeypatch.setattr(files, "MAX_ROWS", 1_000)
    files.area_from_file(b"postcode\n" + b"PO1 1AA\n" * 999)  # at the limit: fine
    with pytest.raises(AreaDefinitionError, match="more than 1,000 lines"):
        files.area_from_file(b"postcode\n" + b"PO1 1AA\n" * 1_000)


# --- the API --------------------------------------------------------------------------------------------


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Iterator[FlaskClient]:
    person = add_people(app, {"api_manager": ("manager", "RXA")})["api_manager"]
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(app, person)}"
    yield client
    client.environ_base.pop("HTTP_AUTHORIZATION", None)


def _problem(response: Any, status: int, detail: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert detail in json.dumps(body), body
    return body


def test_api_refuses_a_huge_number_inside_a_geojson_string(area_app: Flask, api: FlaskClient) -> None:
    tried("upload: hostile file or body")
    body = {"area": {"type": "geojson", "geojson": _huge_number_geojson().decode()}}
    _problem(api.post("/api/v1/area-profiles", json=body), 400, "a number thousands of digits long")


def test_api_refuses_deeply_nested_json_before_parsing_it(api: FlaskClient) -> None:
    tried("upload: hostile file or body")
    body = b'{"area": {"type": "geojson", "geojson": ' + _deep_geojson(50_000) + b"}}"
    response = api.post("/api/v1/area-profiles", data=body, content_type="application/json")
    _problem(response, 400, "nested more than 32 levels deep")


def test_api_refuses_a_million_vertex_polygon_with_a_clear_message(
    area_app: Flask,
    api: FlaskClient,
) -> None:
    tried("upload: hostile file or body")
    ring = [[-0.1, 51.5]] + [[-0.1, 51.5]] * 1_000_000
    area = {"type": "geojson", "geojson": {"type": "Polygon", "coordinates": [ring]}}
    response = api.post("/api/v1/area-profiles", json={"area": area})
    _problem(response, 400, "the most we take is 1,000,000")


def test_api_body_over_the_service_limit_is_a_problem_413(
    app: Flask, api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried("upload: hostile file or body")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    response = api.post(
        "/api/v1/area-profiles", json={"area": {"type": "lsoa_codes", "codes": ["E01000001"] * 2000}}
    )
    _problem(response, 413, "The most the service takes at once is 10 KB. Send a smaller body or file.")


# --- PDFs on the verify page and the API -------------------------------------------------------------------


def _pdf_bomb(unpacked_mb: int) -> bytes:
    """A small PDF whose one Flate stream unpacks to `unpacked_mb` MB of zeros."""
    packer = zlib.compressobj(9)
    megabyte = b"\x00" * (1024 * 1024)
    stream = b"".join(packer.compress(megabyte) for _ in range(unpacked_mb)) + packer.flush()
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        + b"3 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def test_a_pdf_decompression_bomb_is_refused_unopened(app: Flask, client: FlaskClient) -> None:
    tried("upload: hostile file or body")
    bomb = _pdf_bomb(300)
    assert len(bomb) < 1_000_000  # small on the wire, 300 MB unpacked
    token = _verify_form_token(client)
    response = _post_multipart(
        client, "/verify", {"document": _upload("record.pdf", bomb), "csrf_token": token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html
    assert "unpack to far more than any assessment record" in html


def test_the_api_reports_a_pdf_bomb_as_not_genuine(app: Flask, api: FlaskClient) -> None:
    tried("upload: hostile file or body")
    response = _post_multipart(
        api, "/api/v1/documents/verify", {"file": _upload("record.pdf", _pdf_bomb(300))}
    )
    assert response.status_code == 200
    assert response.get_json()["genuine"] is False and response.get_json()["code"] == "too_large"


@pytest.mark.parametrize(
    ("data", "message"),
    [(PNG, "This file is not a PDF"), (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "cut short")],
    ids=["png-named-pdf", "truncated"],
)
def test_verify_page_sniffs_the_content_not_the_name(client: FlaskClient, data: bytes, message: str) -> None:
    tried("upload: hostile file or body")
    token = _verify_form_token(client)
    response = _post_multipart(
        client, "/verify", {"document": _upload("record.pdf", data), "csrf_token": token}
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_verify_page_over_the_service_limit_says_so_on_the_form(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried("upload: hostile file or body")
    token = _verify_form_token(client)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    big = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n"
    response = _post_multipart(
        client, "/verify", {"document": _upload("record.pdf", big), "csrf_token": token}
    )
    assert response.status_code == 413
    assert "The selected file must be smaller than 2 MB" in response.get_data(as_text=True)


def _verify_form_token(client: FlaskClient) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/verify").get_data(as_text=True))
