"""Reuses the review fixtures (people in two organisations, assessments made through the services) and
adds approving one, so the documents hook runs as it does for a reviewer."""

from __future__ import annotations

from collections.abc import Callable
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
    from hia_service.services import review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)
    return assessment_id


def version_of(app: Flask, assessment_id: int, number: int = 1) -> dict[str, Any]:
    from hia_service.data.assessments import get_assessment, get_version
    from hia_service.services import documents

    with app.app_context():
        assessment = get_assessment(assessment_id)
        assert assessment is not None
        version = get_version(assessment_id, number)
        assert version is not None
        return {
            "reference": assessment.reference,
            "status": version.status,
            "pdf_sha256": version.pdf_sha256,
            "path": documents.stored_pdf_path(version),
        }
