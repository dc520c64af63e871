"""marshmallow schemas for assessments, their answers, review actions and frozen versions."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from hia_service.api.schemas import StrictSchema, UtcDateTime
from hia_service.domain.workflow import Status
from hia_service.services.review.decisions import CONDITIONS_MAX

STATUSES = [s.value for s in Status]
ANSWERS_EXAMPLE = {"proposal.directorate": "Community services", "proposal.kind": "service_change"}


class AssessmentQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # page and page_size are read by the pagination schema from the same query string

    status = fields.String(
        load_default=None, validate=validate.OneOf(STATUSES), metadata={"description": "Only this status."}
    )
    search = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "Words in the title or the reference, e.g. 'HIA-2026-0001'."},
    )
    training = fields.Boolean(
        load_default=False, metadata={"description": "List your training assessments instead."}
    )


PRACTICE_ONLY_IN_TRAINING = (
    "A practice assessment is started from a scenario of a training session, on the service's training "
    "pages, so that it gets feedback against the scenario's model answer. The API starts real assessments "
    "only: leave out 'training' or send false."
)


class AssessmentCreateSchema(StrictSchema):
    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"example": "Move the community diabetes clinic to the new health centre"},
    )
    # Kept, and refused when true, so a client that asks for practice is told where practice starts.
    training = fields.Boolean(
        load_default=False,
        validate=validate.Equal(False, error=PRACTICE_ONLY_IN_TRAINING),
        metadata={"description": f"Always false. {PRACTICE_ONLY_IN_TRAINING}"},
    )


class AssessmentSummarySchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "HIA-2026-0001"})
    title = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    status_label = fields.Function(lambda a: Status(a.status).label)
    is_training = fields.Boolean()
    rating = fields.String(allow_none=True, metadata={"example": "medium"})
    lock_version = fields.Integer()
    updated_at = UtcDateTime()


class AssessmentSchema(AssessmentSummarySchema):
    framework_version = fields.String()
    scoring_version = fields.String()
    reference_release = fields.String()
    answers = fields.Dict(metadata={"example": ANSWERS_EXAMPLE})
    area = fields.Dict(allow_none=True)
    profile = fields.Dict(allow_none=True)
    current_section = fields.String(allow_none=True)
    created_at = UtcDateTime()
    versions = fields.Function(lambda a: len(a.versions), metadata={"type": "integer"})


class AnswersUpdateSchema(StrictSchema):
    answers = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "Question id to answer, for questions of this section.",
            "example": ANSWERS_EXAMPLE,
        },
    )
    lock_version = fields.Integer(
        required=True,
        strict=True,
        metadata={"description": "The lock_version you last read; a later change by someone else gives 409."},
    )


class AnswersSavedSchema(Schema):
    values = fields.Dict(metadata={"description": "The answers as stored (cleaned)."})
    lock_version = fields.Integer()


class ConflictSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer(metadata={"example": 409})
    detail = fields.String()
    conflicts = fields.Dict(
        metadata={"example": {"proposal.kind": {"theirs": "new_service", "yours": "service_change"}}}
    )
    lock_version = fields.Integer()


class ReturnSchema(StrictSchema):
    comment = fields.String(
        required=True,
        validate=validate.Length(min=1, max=5000),
        metadata={"example": "Add the evidence for the effect on people who do not drive."},
    )
    lock_version = fields.Integer(load_default=None, strict=True, allow_none=True)


class LockSchema(StrictSchema):
    lock_version = fields.Integer(load_default=None, strict=True, allow_none=True)


class ApproveSchema(LockSchema):
    # The length is checked by the approval itself (as for the web form), so both say the same thing.
    conditions = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Conditions of approval, if any: what must happen for the approval to stand "
            f"(at most {CONDITIONS_MAX} characters; longer is refused with 400). "
            "Printed on the signed record.",
            "example": "Approved on condition that the evening clinic is kept until the review in March.",
        },
    )


class CommentCreateSchema(StrictSchema):
    section = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"example": "who"}
    )
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    version = fields.Integer(load_default=None, strict=True, allow_none=True)


class CommentSchema(Schema):
    id = fields.Integer()
    section = fields.String(attribute="section_id")
    body = fields.String()
    author = fields.Function(lambda c: c.author.name or c.author.email)
    created_at = UtcDateTime(allow_none=True)


class VersionSummarySchema(Schema):
    number = fields.Integer()
    status = fields.String()
    title = fields.String()
    content_hash = fields.String()
    submitted_at = UtcDateTime()
    reviewed_at = UtcDateTime(allow_none=True)
    approval_conditions = fields.String(
        allow_none=True, metadata={"description": "The reviewer's conditions of approval; null when none."}
    )
    pdf_sha256 = fields.String(allow_none=True)


class VersionSchema(VersionSummarySchema):
    answers = fields.Dict()
    area = fields.Dict(allow_none=True)
    profile = fields.Dict(allow_none=True)
    rating = fields.Dict(allow_none=True)
    quality = fields.List(fields.Dict())
    framework_version = fields.String()
    scoring_version = fields.String()
    reference_release = fields.String()
    reference_checksum = fields.String(allow_none=True)
    comments = fields.List(fields.Nested(CommentSchema))
