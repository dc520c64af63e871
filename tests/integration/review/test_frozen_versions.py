"""Each submitted version is a frozen snapshot: what it carries, and that nothing can change it."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.data.integrity import FrozenRecordError
from hia_service.domain.audit_chain import content_hash
from hia_service.services.assessments import authoring as assessments
from hia_service.services.errors import StateTransitionError
from hia_service.services.review import decisions as review
from tests.integration.review.conftest import PROFILE, acting_as, form_token

FROZEN_CONTENT = (
    "title",
    "answers",
    "area",
    "profile",
    "rating",
    "quality",
    "framework_version",
    "scoring_version",
    "reference_release",
    "reference_checksum",
)


@pytest.fixture
def loaded_reference(app: Flask) -> str:
    """One provenance row, as `hia reference load` writes; returns the checksum versions should carry."""
    from hia_service.data.models import ReferenceDataset
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    with app.app_context():
        db.session.add(
            ReferenceDataset(
                dataset_id="iod2025",
                release="IoD2025",
                geography="lsoa21",
                file_name="iod2025_england_lsoa21.csv",
                sha256="ab" * 32,
                row_count=33755,
                publisher="MHCLG",
                licence="OGL v3",
                attribution="Contains public sector information",
                snapshot_id="ref-test",
            )
        )
        commit()
    return hashlib.sha256(f"iod2025_england_lsoa21.csv:{'ab' * 32};".encode()).hexdigest()


def stored_version(app: Flask, assessment_id: int, number: int = 1) -> dict[str, Any]:
    from hia_service.data.assessments import get_version

    with app.app_context():
        version = get_version(assessment_id, number)
        assert version is not None
        return {
            name: getattr(version, name) for name in (*FROZEN_CONTENT, "content_hash", "status", "number")
        }


def test_a_version_carries_answers_profile_rules_reference_data_and_checksum(
    app: Flask, world: Any, make_assessment: Any, loaded_reference: str
) -> None:
    assessment_id = make_assessment(world["manager"])
    version = stored_version(app, assessment_id)
    assert version["answers"]["proposal.kind"] == "service_change"
    assert version["answers"]["actions.plan"][0]["action"] == "Keep a morning walk-in session"
    assert version["profile"]["core20_share"] == PROFILE["core20_share"]
    assert version["profile"]["population_by_decile"] == PROFILE["population_by_decile"]
    assert version["framework_version"] == "1.3" and version["scoring_version"] == "1.11"  # current.yaml
    assert version["reference_release"] == "IoD2025"
    assert version["reference_checksum"] == loaded_reference
    assert version["rating"]["overall"] in ("low", "medium", "high")
    assert isinstance(version["quality"], list)
    # The fingerprint is the hash of exactly this content, so anyone can recompute it.
    assert version["content_hash"] == content_hash({k: version[k] for k in FROZEN_CONTENT})


def test_the_orm_refuses_to_change_or_delete_a_frozen_version(
    app: Flask, world: Any, make_assessment: Any
) -> None:
    from hia_service.data.assessments import get_version
    from hia_service.extensions import db

    assessment_id = make_assessment(world["manager"])
    before = stored_version(app, assessment_id)
    with app.app_context():
        version = get_version(assessment_id, 1)
        version.answers = {**version.answers, "proposal.kind": "policy"}
        with pytest.raises(FrozenRecordError, match=r"cannot be changed \(answers\)"):
            db.session.flush()
        db.session.rollback()
        db.session.delete(get_version(assessment_id, 1))
        with pytest.raises(FrozenRecordError, match="cannot be deleted"):
            db.session.flush()
        db.session.rollback()
        # Changing the stored JSON in place is not even noticed as a change, so nothing is written.
        get_version(assessment_id, 1).answers["proposal.kind"] = "policy"
        db.session.commit()
    assert stored_version(app, assessment_id) == before


def test_a_crafted_request_cannot_edit_a_frozen_version(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    before = stored_version(app, assessment_id)
    login(world["reviewer"])
    token = form_token(client, f"/review/{assessment_id}")
    tampered = {
        "csrf_token": token,
        "answers": '{"proposal.kind": "policy"}',
        "title": "Something else",
        "content_hash": "0" * 64,
        "status": "approved",
    }
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"/review/{assessment_id}/versions/1", data=tampered)
        assert response.status_code == 405, method
    # Extra fields smuggled into a form that does accept posts are ignored.
    response = client.post(
        f"/review/{assessment_id}/comments",
        data={**tampered, "section": "proposal", "version": "1", "body": "Fine."},
    )
    assert response.status_code == 302
    assert stored_version(app, assessment_id) == before
    assert snapshot(assessment_id)["status"] == "submitted"


def test_the_author_cannot_change_a_submitted_assessment_and_a_revision_leaves_version_1_alone(
    app: Flask, world: Any, make_assessment: Any, act: Any, lock_of: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    before = stored_version(app, assessment_id)
    with (
        acting_as(app, world["manager"]) as user,
        pytest.raises(StateTransitionError, match="cannot be changed"),
    ):
        assessments.save_page(user, assessment_id, ["proposal.kind"], {"proposal.kind": "policy"}, None)
    act(world["reviewer"], review.return_to_author, assessment_id, "Please revise", lock_of(assessment_id))
    act(
        world["manager"],
        assessments.save_page,
        assessment_id,
        ["proposal.kind"],
        {"proposal.kind": "policy"},
        None,
    )
    act(world["manager"], assessments.submit_for_review, assessment_id)
    first, second = stored_version(app, assessment_id, 1), stored_version(app, assessment_id, 2)
    assert {k: first[k] for k in (*FROZEN_CONTENT, "content_hash")} == {
        k: before[k] for k in (*FROZEN_CONTENT, "content_hash")
    }
    assert first["status"] == "returned"
    assert second["answers"]["proposal.kind"] == "policy" and second["content_hash"] != first["content_hash"]
