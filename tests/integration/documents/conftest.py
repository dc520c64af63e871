"""Certificates and signed records shared by the signing and verification tests (made once per run)."""

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hia_service.documents import build_pdf, create_dev_certificate, sign_pdf

FIXTURE = Path(__file__).parents[2] / "unit" / "documents" / "fixtures" / "assessment_snapshot.json"
ORGANISATION = "Northshire NHS Foundation Trust"


@dataclass(frozen=True)
class Certificate:
    p12: Path
    passphrase: str
    pem: bytes


@pytest.fixture
def snapshot() -> dict[str, Any]:
    return copy.deepcopy(json.loads(FIXTURE.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def org_cert(tmp_path_factory) -> Certificate:
    path = tmp_path_factory.mktemp("certs") / "organisation.p12"
    return Certificate(path, "correct horse", create_dev_certificate(path, "correct horse", ORGANISATION))


@pytest.fixture(scope="session")
def other_cert(tmp_path_factory) -> Certificate:
    path = tmp_path_factory.mktemp("certs") / "mallory.p12"
    return Certificate(path, "mallory", create_dev_certificate(path, "mallory", "Mallory Consulting Ltd"))


@pytest.fixture(scope="session")
def expired_cert(tmp_path_factory) -> Certificate:
    """Valid 3 March 2025 to 3 March 2026 (made five minutes early, to allow for clock differences)."""
    path = tmp_path_factory.mktemp("certs") / "expired.p12"
    made = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
    return Certificate(path, "old", create_dev_certificate(path, "old", ORGANISATION, days=365, now=made))


@pytest.fixture(scope="session")
def unsigned_pdf() -> bytes:
    return build_pdf(json.loads(FIXTURE.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def signed_pdf(unsigned_pdf, org_cert) -> bytes:
    return sign_pdf(unsigned_pdf, org_cert.p12, org_cert.passphrase)
