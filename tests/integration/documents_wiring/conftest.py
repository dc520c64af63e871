"""Reuses the review fixtures (people in two organisations, assessments made through the services) and
adds approving one, so the documents hook runs as it does for a reviewer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.integration.review import conftest as review_fixtures

act = review_fixtures.act
login = review_fixtures.login
make_assessment = review_fixtures.make_assessment
world = review_fixtures.world


@pytest.fixture
def approved(app: Flask, world: Any, make_assessment: Callable[..., int], act: Callable[..., Any]) -> int:
    """An approved live assessment in RXA, written by world["manager"]; returns its id."""
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)
    return assessment_id


def version_of(app: Flask, assessment_id: int, number: int = 1) -> dict[str, Any]:
    """The version's status and fingerprint, and its signed record as document storage holds it (by key:
    the same whether the store is a local folder or a bucket)."""
    from hia_service.data.assessments import get_assessment, get_version
    from hia_service.services.documents import records as documents
    from hia_service.services.documents import storage

    with app.app_context():
        assessment = get_assessment(assessment_id)
        assert assessment is not None
        version = get_version(assessment_id, number)
        assert version is not None
        return {
            "reference": assessment.reference,
            "status": version.status,
            "pdf_sha256": version.pdf_sha256,
            "key": documents.stored_pdf_key(version),
            # Read only once signed: a version not yet signed has no record (and may be tested with a
            # store that is down).
            "pdf": storage.document_storage().read(documents.stored_pdf_key(version))
            if version.pdf_sha256
            else None,
        }


def pdf_file(version: dict[str, Any], folder: Path) -> Path:
    """The stored record written to a file, for tools that read files (pdfsig, pdftoppm)."""
    assert version["pdf"] is not None, f"no signed record stored at {version['key']}"
    path = folder / f"{version['reference']}-stored.pdf"
    path.write_bytes(version["pdf"])
    return path
