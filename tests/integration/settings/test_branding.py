"""Branding on documents: name, address and logo on the PDF; the signing certificate uploaded as PKCS#12,
refused with a clear reason when unusable, its expiry shown and warned about, and used to sign records that
poppler's pdfsig accepts."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from hia_service.documents.signing import create_dev_certificate
from tests.integration.documents_wiring.conftest import pdf_file, version_of
from tests.integration.review import conftest as review_fixtures
from tests.integration.settings.conftest import file, post_form

act = review_fixtures.act
login = review_fixtures.login
make_assessment = review_fixtures.make_assessment
world = review_fixtures.world

PDFSIG = "/usr/bin/pdfsig"
ENV = "HIA_TEST_ORG_SIGNING_PASSPHRASE"
PASSPHRASE = "correct horse battery staple"


def certificate(tmp_path: Path, name: str = "Riverside Uploaded Signing", **kwargs: Any) -> bytes:
    path = tmp_path / f"{name.replace(' ', '-')}.p12"
    create_dev_certificate(path, PASSPHRASE, name, **kwargs)
    return path.read_bytes()


def png(width: int = 240, height: int = 80) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 94, 184)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_certificate(
    client: FlaskClient, data: bytes, passphrase: str = PASSPHRASE, name: str = "org.p12"
) -> Any:
    return post_form(
        client, "/settings/certificate", {"certificate": file(data, name), "passphrase": passphrase}
    )


@pytest.fixture
def passphrase(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ENV, PASSPHRASE)
    return PASSPHRASE


def test_certificate_problems_are_refused_each_with_its_reason(
    app: Flask, client: FlaskClient, world: Any, login: Any, passphrase: str, tmp_path: Path, monkeypatch: Any
) -> None:
    login(world["admin"])
    good = certificate(tmp_path)
    _, cert, _ = pkcs12.load_key_and_certificates(good, PASSPHRASE.encode())
    no_key = pkcs12.serialize_key_and_certificates(
        b"x", None, cert, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())
    )
    past = datetime.now(UTC) - timedelta(days=400)
    expired = certificate(tmp_path, "Old", days=30, now=past)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cases = [
        (upload_certificate(client, b"", name="org.p12"), "The selected file is empty"),
        (upload_certificate(client, good, name="org.pem"), "The selected file must be a .p12 or .pfx file"),
        (upload_certificate(client, pem, name="org.p12"), "is not a PKCS#12 certificate"),
        (upload_certificate(client, good, passphrase="not it"), "the passphrase is wrong"),
        (upload_certificate(client, good, passphrase=""), "Enter the certificate&#39;s passphrase"),
        # A secret of the server's, named as environment variables once were, is just a wrong passphrase.
        (upload_certificate(client, good, passphrase="HIA_SECRET_KEY"), "the passphrase is wrong"),
        (upload_certificate(client, expired), "This certificate expired on"),
        (upload_certificate(client, no_key), "has no private key"),
    ]
    for response, reason in cases:
        html = response.get_data(as_text=True)
        assert response.status_code == 400, reason
        assert "There is a problem" in html and reason in html, (reason, html[:2000])
    assert "None uploaded" in client.get("/settings/").get_data(as_text=True)


def test_expiry_is_shown_and_warned_about_from_30_days_before(
    app: Flask, client: FlaskClient, world: Any, login: Any, passphrase: str, tmp_path: Path
) -> None:
    login(world["admin"])
    assert upload_certificate(client, certificate(tmp_path, days=365)).status_code == 302
    page = client.get("/settings/").get_data(as_text=True)
    assert "Riverside Uploaded Signing, expires" in page and "certificate-warning" not in page
    assert upload_certificate(client, certificate(tmp_path, "Soon", days=20)).status_code == 302
    page = client.get("/settings/").get_data(as_text=True)
    assert "The signing certificate expires soon" in page and "in 19 days" in page
    page = client.get("/settings/certificate").get_data(as_text=True)
    assert "This certificate expires in 19 days" in page
    assert PASSPHRASE not in page and "Passphrase read from" not in page


def test_the_passphrase_is_never_stored(
    app: Flask, client: FlaskClient, world: Any, login: Any, passphrase: str, tmp_path: Path
) -> None:
    from hia_service.data.models import OrganisationSettings
    from hia_service.extensions import db

    login(world["admin"])
    assert upload_certificate(client, certificate(tmp_path)).status_code == 302
    with app.app_context():
        row = db.session.query(OrganisationSettings).one()
        stored = " ".join(str(getattr(row, c.name)) for c in OrganisationSettings.__table__.columns)
        db.session.remove()
    assert PASSPHRASE not in stored and PASSPHRASE.encode() not in (row.certificate or b"")


def test_records_are_signed_with_the_uploaded_certificate_and_pdfsig_accepts_them(
    app: Flask,
    client: FlaskClient,
    world: Any,
    login: Any,
    passphrase: str,
    tmp_path: Path,
    make_assessment: Callable[..., int],
    act: Callable[..., Any],
) -> None:
    from hia_service.documents import verify_pdf
    from hia_service.services.documents import records as documents
    from hia_service.services.review import decisions as review

    login(world["admin"])
    assert upload_certificate(client, certificate(tmp_path)).status_code == 302
    details = {
        "name": "Riverside NHS Foundation Trust",
        "address": "Riverside House, 1 Quay Street, Hull HU1 1AA",
    }
    assert post_form(client, "/settings/details", details).status_code == 302
    assert post_form(client, "/settings/logo", {"logo": file(png(), "logo.png")}).status_code == 302

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)
    path = pdf_file(version_of(app, assessment_id), tmp_path)
    run = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert "Signature Validation: Signature is Valid." in run.stdout, run.stdout + run.stderr
    assert "Riverside Uploaded Signing" in run.stdout
    with app.app_context():
        result = verify_pdf(path.read_bytes(), documents.trust_roots())
    assert result.genuine, result.reason
    assert "Riverside Uploaded Signing" in (result.signer or "")
    with pdfplumber.open(path) as pdf:
        first = pdf.pages[0]
        text = first.extract_text() or ""
        assert "Riverside NHS Foundation Trust" in text
        assert "Riverside House, 1 Quay Street, Hull HU1 1AA" in text
        assert len(first.images) >= 1  # the logo


def test_the_stored_key_opens_only_with_the_services_key(
    app: Flask, client: FlaskClient, world: Any, login: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from hia_service.data.models import Organisation, OrganisationSettings
    from hia_service.extensions import db
    from hia_service.services.documents import records as documents

    login(world["admin"])
    assert upload_certificate(client, certificate(tmp_path)).status_code == 302
    with app.app_context():
        row = db.session.query(OrganisationSettings).one()
        stored, env = bytes(row.certificate or b""), row.certificate_passphrase_env
        organisation = db.session.query(Organisation).filter_by(code="RXA").one()
        p12, passphrase = documents.signing_credentials(organisation)
        db.session.remove()
    assert env is None  # no environment variable is named anywhere
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(stored, PASSPHRASE.encode())  # re-encrypted: the typed one is gone
    key, _, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), passphrase.encode())
    assert key is not None
    monkeypatch.setitem(app.config, "SECRET_KEY", "another service's secret key, 32 characters long")
    with app.app_context(), pytest.raises(ValueError):
        from hia_service.services.organisation import branding

        pkcs12.load_key_and_certificates(stored, branding._service_passphrase(organisation.id).encode())


def test_a_certificate_uploaded_before_still_reads_its_named_variable(
    app: Flask, world: Any, passphrase: str, tmp_path: Path, monkeypatch: Any
) -> None:
    from hia_service.data import organisation_settings as store
    from hia_service.data.models import Organisation
    from hia_service.extensions import db
    from hia_service.services.documents import records as documents
    from hia_service.services.errors import ServiceError

    with app.app_context():
        organisation = db.session.query(Organisation).filter_by(code="RXA").one()
        store.save_settings(
            organisation.id, certificate=certificate(tmp_path), certificate_passphrase_env=ENV
        )
        assert documents.signing_credentials(organisation)[1] == PASSPHRASE
        monkeypatch.delenv(ENV)
        with pytest.raises(ServiceError, match=f"the environment variable {ENV} is not set"):
            documents.signing_credentials(organisation)
        db.session.rollback()


def test_logo_problems_are_refused_with_a_reason_and_the_old_logo_kept(
    app: Flask, client: FlaskClient, world: Any, login: Any
) -> None:
    login(world["admin"])
    assert post_form(client, "/settings/logo", {"logo": file(png(), "logo.png")}).status_code == 302
    cases = [
        (file(b"GIF89a" + b"\0" * 40, "logo.png"), "neither, whatever its name says"),
        (file(png(3000, 100), "logo.png"), "at most 2000 pixels on each side"),
        (file(png(), "logo.gif"), "must be a .png or .svg file"),
        (
            file(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="x()"/>', "l.svg"),
            "onload",
        ),
    ]
    for upload, reason in cases:
        response = post_form(client, "/settings/logo", {"logo": upload})
        assert response.status_code == 400 and reason in response.get_data(as_text=True), reason
    image = client.get("/settings/logo/image")
    assert image.mimetype == "image/png" and image.data == png()


def test_a_safe_svg_logo_is_served_sandboxed(app: Flask, client: FlaskClient, world: Any, login: Any) -> None:
    login(world["admin"])
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        b'<rect width="120" height="40"/></svg>'
    )
    assert post_form(client, "/settings/logo", {"logo": file(svg, "logo.svg")}).status_code == 302
    image = client.get("/settings/logo/image")
    assert image.mimetype == "image/svg+xml" and image.data == svg
    assert "sandbox" in image.headers["Content-Security-Policy"]


SVG_PURPLE = (153, 0, 153)


def svg_logo(fill: str = "#990099", width: str = "120") -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        f'<rect width="{width}" height="40" fill="{fill}"/></svg>'
    ).encode()


def purple_pixels_in_band(pdf_path: Path, tmp_path: Path) -> int:
    """Pixels of the SVG logo's purple in the top 30 mm of page 1, drawn by poppler at 72 dpi."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile", str(pdf_path), "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    image = Image.open(tmp_path / "page.png").convert("RGB")
    band = image.crop((image.width // 2, 0, image.width, 85))
    # Drawn from the PNG made at upload, so within a shade or two of the SVG's purple.
    return sum(
        1
        for x in range(band.width)
        for y in range(band.height)
        if max(abs(a - b) for a, b in zip(band.getpixel((x, y)), SVG_PURPLE, strict=True)) <= 4
    )


def test_an_approved_record_draws_the_uploaded_svg_logo(
    app: Flask,
    client: FlaskClient,
    world: Any,
    login: Any,
    tmp_path: Path,
    make_assessment: Callable[..., int],
    act: Callable[..., Any],
) -> None:
    from hia_service.services.review import decisions as review

    login(world["admin"])
    assert post_form(client, "/settings/logo", {"logo": file(svg_logo(), "logo.svg")}).status_code == 302
    page = client.get("/settings/logo").get_data(as_text=True)
    assert "PNG logos only" not in page and "An SVG is drawn once, when you upload it" in page
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)
    path = pdf_file(version_of(app, assessment_id), tmp_path)
    assert purple_pixels_in_band(path, tmp_path) > 4500  # the 48 mm x 16 mm logo box, filled


def nested_uses(levels: int, fan: int = 10) -> bytes:
    """Each level a group of `fan` copies of the level below: fan ** levels rectangles to draw."""
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><defs>']
    parts.append('<rect id="l0" width="1" height="1" fill="#990099"/>')
    for level in range(1, levels + 1):
        parts.append(f'<g id="l{level}">' + f'<use href="#l{level - 1}"/>' * fan + "</g>")
    parts.append(f'</defs><use href="#l{levels}"/></svg>')
    return "".join(parts).encode()


def test_an_svg_logo_that_cannot_be_drawn_or_is_too_complicated_is_refused_at_upload(
    app: Flask, client: FlaskClient, world: Any, login: Any
) -> None:
    login(world["admin"])
    cases = [
        (svg_logo(width="abc"), "The SVG logo could not be drawn"),  # svglib cannot read the width
        (nested_uses(9), "The SVG logo is too complicated to draw on documents"),  # a billion rectangles
    ]
    for svg, reason in cases:
        response = post_form(client, "/settings/logo", {"logo": file(svg, "logo.svg")})
        assert response.status_code == 400 and reason in response.get_data(as_text=True), reason
    assert client.get("/settings/logo/image").status_code == 404


def test_an_svg_logo_kept_from_before_is_drawn_once_and_one_that_cannot_be_is_left_off(
    app: Flask,
    world: Any,
    tmp_path: Path,
    make_assessment: Callable[..., int],
    act: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Stored before logos were rasterised at upload (or brought in by an import): no PNG yet.
    import logging

    from hia_service.data import organisation_settings as store
    from hia_service.data.accounts import get_organisation_by_code
    from hia_service.data.transaction import commit
    from hia_service.services.review import decisions as review

    def keep(svg: bytes) -> None:
        with app.app_context():
            organisation = get_organisation_by_code("RXA")
            assert organisation is not None
            store.save_settings(organisation.id, logo=svg, logo_type="svg", logo_png=None)
            commit()

    def approved_record() -> Path:
        assessment_id = make_assessment(world["manager"])
        act(world["reviewer"], review.start_review, assessment_id, None)
        act(world["reviewer"], review.approve, assessment_id, None)
        version = version_of(app, assessment_id)
        assert version["status"] == "approved" and version["pdf_sha256"]
        return pdf_file(version, tmp_path)

    keep(svg_logo())
    assert purple_pixels_in_band(approved_record(), tmp_path) > 4500
    keep(nested_uses(9))
    with caplog.at_level(logging.WARNING, logger="hia_service.organisation"):
        path = approved_record()
    assert "SVG logo left off documents: The SVG logo is too complicated" in caplog.text
    assert purple_pixels_in_band(path, tmp_path) == 0
    with pdfplumber.open(path) as pdf:
        first = pdf.pages[0]
        assert world_name(app) in (first.extract_text() or "") and len(first.images) == 0


def world_name(app: Flask) -> str:
    from hia_service.data.models import Organisation
    from hia_service.extensions import db

    with app.app_context():
        return db.session.query(Organisation).filter_by(code="RXA").one().name


def test_verification_names_the_organisation_that_registered_the_certificate_not_its_subject(
    app: Flask,
    client: FlaskClient,
    world: Any,
    login: Any,
    tmp_path: Path,
    make_assessment: Callable[..., int],
    act: Callable[..., Any],
) -> None:
    # RYB's admin uploads a certificate that calls itself "Trust RXA" (another trust's name).
    from hia_service.services.review import decisions as review
    from tests.integration.documents_wiring.test_downloads_and_verify import upload

    login(world["other_admin"])
    assert upload_certificate(client, certificate(tmp_path, "Trust RXA")).status_code == 302
    assessment_id = make_assessment(world["other_manager"])
    act(world["other_reviewer"], review.start_review, assessment_id, None)
    act(world["other_reviewer"], review.approve, assessment_id, None)
    client.post("/sign-out", data={"csrf_token": review_fixtures.form_token(client, "/home")})

    page = upload(client, version_of(app, assessment_id)["pdf"]).get_data(as_text=True)
    assert "This is a genuine record: signed by Trust RYB on" in page
    assert "signed by Trust RXA" not in page

    from hia_service.cli.pdf import pdf_cli

    path = pdf_file(version_of(app, assessment_id), tmp_path)
    checked = app.test_cli_runner().invoke(pdf_cli, ["verify", str(path), "--registered"])
    assert checked.exit_code == 0, checked.output
    assert "GENUINE: This is a genuine record: signed by Trust RYB on" in checked.output
    assert "Signed by: Trust RYB" in checked.output and "Trust RXA" not in checked.output
