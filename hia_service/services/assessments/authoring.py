"""Use cases for the manager's assessment: start, answer page by page, choose the area, submit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from hia_service.auth.permissions import Action, can
from hia_service.auth.roles import Role
from hia_service.data import assessments as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import Assessment, AssessmentVersion, User
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.framework import visible_answers
from hia_service.domain.geography import postcodes
from hia_service.domain.geography.access import TRAVEL_ANSWER_KEY, TravelChange
from hia_service.domain.safe_text import one_line
from hia_service.domain.workflow import Event, Status, TransitionNotAllowed, apply
from hia_service.services import rules
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.areas.profiles import AreaRequest, ResolvedArea
from hia_service.services.assessments import cumulative, notices
from hia_service.services.assessments.wizard import incomplete_tasks
from hia_service.services.errors import (
    ChangedSinceOpenedError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    ServiceUnavailableError,
    StateTransitionError,
)
from hia_service.services.organisation import local_framework, population

TITLE_MAX = 300
TITLE_QUESTION = "proposal.title"

AREA_ONLY_BY_SET_AREA = (
    "The area is chosen in the geography step (in the API: PUT /api/v1/assessments/{id}/area), which works "
    "out its deprivation profile at the same time"
)


# Who travels further when a service closes or moves (issue 19 item 4). Kept in the answers under a key that
# is no question: it is derived from two answers and the area, so it belongs with them. Stored there, it is
# frozen with each submitted version, hashed, shown in the review record and the PDF, and seen by scoring,
# with no new column or migration; and save_page refuses any key that is not a question, so only this
# service writes it.
TRAVEL_KEY = TRAVEL_ANSWER_KEY
SITE_QUESTIONS = {"access.current_site": "current_site", "access.proposed_site": "proposed_site"}
ACCESS_SECTION = "access"


class IncompleteError(StateTransitionError):
    """Some sections are unfinished: one rule for the web's check-answers page and the API's submit."""

    title = "The assessment is not finished"


def incomplete_sections(framework_version: str, answers: dict[str, Any]) -> list[str]:
    """The titles of the sections still to finish; a section that is not needed never holds it up."""
    return [t.section.title for t in incomplete_tasks(rules.framework(framework_version), answers)]


SUBMIT_INCOMPLETE = "Complete every section before you submit"


def require_complete(
    framework_version: str, answers: dict[str, Any], refusal: str = SUBMIT_INCOMPLETE
) -> None:
    """Refuse (IncompleteError) unless every section needed is finished: the completeness gate."""
    missing = incomplete_sections(framework_version, answers)
    if missing:
        raise IncompleteError(f"{refusal}: " + ", ".join(missing))


@dataclass
class SaveResult:
    """What happened to a page of answers: saved, or errors to show, or a clash with another save."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # question -> (theirs, yours)
    lock_version: int = 0
    unsaved: dict[str, str] = field(default_factory=dict)  # a draft's answers that could not be kept, and why

    @property
    def saved(self) -> bool:
        return not self.errors and not self.conflicts


def start_assessment(
    user: User, title: str, *, training: bool = False, versions: rules.Versions | None = None
) -> Assessment:
    """Start a draft under the current rules, or under `versions` (a practice keeps its scenario's).
    A title is one line (line breaks become spaces), wherever it comes from: it heads pages and emails."""
    title = one_line(title or "")
    if not title:
        raise ServiceError("Enter a name for the proposal", field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(f"Name of the proposal must be {TITLE_MAX} characters or fewer", field="title")
    if not training and user.role in (Role.TRAINER, Role.TRAINEE):
        raise PermissionDeniedError("Trainers and trainees can only start practice assessments, in training.")
    versions = versions or rules.current_versions()
    # Practice gets its own numbering (TRN-), so the live register's references have no gaps.
    prefix = "TRN" if training else "HIA"
    assessment = store.add_assessment(
        organisation_id=user.organisation_id,
        reference=store.next_reference(user.organisation_id, datetime.now(UTC).year, prefix),
        title=title,
        author_id=user.id,
        status=Status.DRAFT.value,
        is_training=training,
        framework_version=versions.framework,
        scoring_version=versions.scoring,
        reference_release=rules.DEFAULT_RELEASE,
        # The local framework version in force now stays this assessment's for good.
        answers={TITLE_QUESTION: title, **local_framework.start_answers(user.organisation_id)},
    )
    _audit("assessment_started", user, assessment, after=assessment.answers)
    return assessment


def assessment_for(user: User, assessment_id: int, action: Action = Action.VIEW) -> Assessment:
    """The assessment if `user` may do `action` to it; otherwise not found (never reveal it exists)."""
    assessment = store.get_assessment(assessment_id)
    if assessment is None or not can(user, action, assessment):
        raise NotFoundError("We could not find that assessment. It may belong to someone else.")
    return assessment


def my_assessments(user: User, *, training: bool = False) -> list[Assessment]:
    return store.list_assessments_by_author(user, training=training)


def save_page(
    user: User,
    assessment_id: int,
    question_ids: list[str],
    raw: dict[str, Any],
    expected_lock: int | None,
    *,
    current_section: str | None = None,
    draft: bool = False,
) -> SaveResult:
    """Validate and store the answers to one page. Nothing is stored if any answer is invalid.

    `current_section` (the wizard's page id) is remembered so "resume" returns to where the person left off.
    `draft` ("save and come back later"): nothing is required yet; what is typed is stored as far as it
    goes, and only answers that cannot be stored as their type are left out (`SaveResult.unsaved`).
    """
    assessment = _editable(user, assessment_id)
    framework = rules.framework(assessment.framework_version)
    values, errors = {}, {}
    check = rules.validate_draft if draft else rules.validate
    for question_id in question_ids:
        question = framework.question(question_id)
        if question.type == "geography":
            # Only set_area writes the area, so it is never stored without the profile worked out from it.
            errors[question_id] = AREA_ONLY_BY_SET_AREA
            continue
        value, error = check(question, _one_line_title(question_id, raw.get(question_id)))
        if question_id in SITE_QUESTIONS and not error and value:
            value, error = _site_postcode(value)
        values[question_id] = value
        if error:
            errors[question_id] = error
    if draft:  # the rest is kept; these wait on the page, as typed, for the person to correct
        values = {q: v for q, v in values.items() if q not in errors}
        return _save_draft(user, assessment, values, errors, expected_lock, current_section)
    if not errors:  # dates that would sit the wrong way round with another page's, as the pages refuse
        ordered = rules.order_errors(
            assessment.framework_version, {**assessment.answers, **values}, list(values)
        )
        errors = {q: message for q, message in ordered.items() if q in values}
    result = SaveResult(values=values, errors=errors, lock_version=assessment.lock_version)
    if errors:
        return result
    unplaced = _store_unless_conflicting(user, assessment, values, expected_lock, current_section, result)
    if unplaced:
        result.errors = dict([unplaced])
    return result


def _one_line_title(question_id: str, raw: Any) -> Any:
    """The proposal's title as start_assessment keeps it, on one line, before its length is checked."""
    return one_line(raw) if question_id == TITLE_QUESTION and isinstance(raw, str) else raw


def _save_draft(
    user: User,
    assessment: Assessment,
    values: dict[str, Any],
    unsaved: dict[str, str],
    expected_lock: int | None,
    current_section: str | None,
) -> SaveResult:
    result = SaveResult(values=values, lock_version=assessment.lock_version, unsaved=unsaved)
    unplaced = _store_unless_conflicting(user, assessment, values, expected_lock, current_section, result)
    if unplaced:
        # A postcode that cannot be placed waits on the page like any other; the rest is still kept.
        site_question, message = unplaced
        result.unsaved[site_question] = message
        values.pop(site_question, None)
        _store_answers(user, assessment, values, current_section)
        result.lock_version = assessment.lock_version
    return result


def _store_unless_conflicting(
    user: User,
    assessment: Assessment,
    values: dict[str, Any],
    expected_lock: int | None,
    current_section: str | None,
    result: SaveResult,
) -> tuple[str, str] | None:
    """Store the answers unless someone else saved them differently since the page was opened (then
    result.conflicts says which). A site postcode that is well formed but cannot be placed (not in
    Code-Point Open, not in GB) stores nothing and comes back as (question, message)."""
    if expected_lock is not None and expected_lock != assessment.lock_version:
        result.conflicts = _conflicts(assessment.answers, values)
        if result.conflicts:
            return None
    try:
        _store_answers(user, assessment, values, current_section)
    except ServiceError as error:
        site_question = next((q for q, f in SITE_QUESTIONS.items() if f == error.field), None)
        if site_question is None:
            raise
        return site_question, error.message
    result.lock_version = assessment.lock_version
    return None


def _conflicts(stored: dict[str, Any], mine: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {qid: (stored.get(qid), value) for qid, value in mine.items() if stored.get(qid) != value}


def _store_answers(
    user: User, assessment: Assessment, values: dict[str, Any], current_section: str | None = None
) -> None:
    before = dict(assessment.answers or {})
    answers = rules.screened(assessment.framework_version, {**before, **values}, assessment.area_profile)
    # Worked out again only when a site postcode changes: every page is saved through here, and resolving a
    # drawn shape or a large area on each save would slow every page for nothing.
    unchanged = all(values.get(q, before.get(q)) == before.get(q) for q in SITE_QUESTIONS)
    kept = before.get(TRAVEL_KEY) if unchanged else None
    answers = _with_travel_change(
        assessment.framework_version, answers, assessment.area, strict=True, stored=kept
    )
    changes: dict[str, Any] = {"answers": answers, **_indexed_fields(answers)}
    if current_section:
        changes["current_section"] = current_section
    if values.get(TITLE_QUESTION):
        changes["title"] = values[TITLE_QUESTION]
    try:
        store.save_assessment(assessment, **changes)
    except store.ConcurrentChangeError:
        raise ChangedSinceOpenedError(
            "Someone else saved this assessment at the same moment. Reload the page and try again."
        ) from None
    _audit(
        "answers_saved", user, assessment, before=before, after=answers, details={"questions": sorted(values)}
    )


def _indexed_fields(answers: dict[str, Any]) -> dict[str, Any]:
    decision = answers.get("proposal.decision_date")
    return {
        "directorate": answers.get("proposal.directorate"),
        "kind": answers.get("proposal.kind"),
        "decision_date": date.fromisoformat(decision) if decision else None,
    }


def set_area(
    user: User,
    assessment_id: int,
    area: AreaRequest | ResolvedArea,
    *,
    compare_with_organisation: bool = True,
) -> Assessment:
    """Resolve the affected area (unless already resolved) and store its definition with its profile, always
    together (postcodes are never in the definition). The profile is compared with the population the
    organisation serves, when it has set that up (not for a training scenario's area, whose model answers
    were rated against England)."""
    assessment = _editable(user, assessment_id)
    resolved = area if isinstance(area, ResolvedArea) else area_profiles.resolve(area)
    profile = resolved.profile
    if compare_with_organisation:
        profile = population.with_organisation_baseline(profile, assessment.organisation_id)
    definition, stored = resolved.definition_json(), profile.to_json()
    before = {"area": assessment.area, "profile": assessment.profile}
    answers = rules.screened(
        assessment.framework_version, {**assessment.answers, "who.geography": definition}, profile
    )
    answers = _with_travel_change(assessment.framework_version, answers, definition, strict=False)
    store.save_assessment(
        assessment,
        area=definition,
        profile=stored,
        answers=answers,
        reference_release=profile.release or assessment.reference_release,
    )
    _audit("area_chosen", user, assessment, before=before, after={"area": definition, "profile": stored})
    return assessment


def _site_postcode(value: str) -> tuple[str, str | None]:
    compact = postcodes.normalise(value)
    if compact is None:
        return value, "Enter a full UK postcode, like FY1 1AA"
    return f"{compact[:-3]} {compact[-3:]}", None


def _with_travel_change(
    framework_version: str, answers: dict[str, Any], area: Any, *, strict: bool, stored: Any = None
) -> dict[str, Any]:
    """The answers with who travels further worked out afresh from the two site postcodes and the area,
    or without it where either is missing or the section is not asked. `strict`: a postcode that cannot be
    placed is an error for the person saving it (ServiceError naming the site); when the area changes it
    just leaves the figures out. With no reference data loaded the figures are left out, never the answers.
    `stored`: figures worked out before from the same postcodes and area, kept as they are."""
    kept = {k: v for k, v in answers.items() if k != TRAVEL_KEY}
    framework = rules.framework(framework_version)
    if ACCESS_SECTION not in {s.id for s in framework.sections}:
        return kept
    visible = visible_answers(framework, kept)
    current, proposed = (visible.get(q) for q in SITE_QUESTIONS)
    if not area or not current or not proposed:
        return kept
    if stored is not None:
        return {**kept, TRAVEL_KEY: stored}
    try:
        change = area_profiles.travel_change(area, str(current), str(proposed))
    except ServiceUnavailableError:
        return kept
    except ServiceError:
        if strict:
            raise
        return kept
    return {**kept, TRAVEL_KEY: change.to_json()}


def travel_change_of(answers: dict[str, Any] | None) -> TravelChange | None:
    """Who travels further, as stored with an assessment's or a version's answers."""
    return area_profiles.stored_travel_change((answers or {}).get(TRAVEL_KEY))


def current_rating(assessment: Assessment) -> dict[str, Any]:
    """The rating now: from the answers, the area's profile and (scoring 1.9 on) the decisions already taken
    for the same neighbourhoods that harm the same groups."""
    reads = rules.ruleset().scoring(assessment.scoring_version).reads_harmed_again
    harms = any(q.endswith(".impact") and v == "negative" for q, v in (assessment.answers or {}).items())
    return rules.rate(
        assessment.answers,
        assessment.area_profile,
        assessment.framework_version,
        assessment.scoring_version,
        # Worked out only when the rules ask and something is harmed here: most pages need none of it.
        harmed_elsewhere=cumulative.harmed_elsewhere(assessment) if reads and harms else None,
    )


def submit_for_review(user: User, assessment_id: int) -> AssessmentVersion:
    assessment = assessment_for(user, assessment_id, Action.SUBMIT)
    if assessment.is_training:
        raise StateTransitionError("A practice assessment is submitted for feedback, never for review.")
    require_complete(assessment.framework_version, assessment.answers)
    version = _submit(user, assessment, Event.SUBMIT, "submitted_for_review")
    notices.tell_reviewers_submitted(assessment, version, user)
    return version


def submit_for_feedback(user: User, assessment_id: int) -> AssessmentVersion:
    """Training only: freeze the practice like a submission, but it goes to feedback, not to a reviewer."""
    assessment = assessment_for(user, assessment_id, Action.SUBMIT)
    if not assessment.is_training:
        raise StateTransitionError("Only practice assessments are submitted for feedback.")
    return _submit(user, assessment, Event.SUBMIT_FOR_FEEDBACK, "submitted_for_feedback")


def _submit(user: User, assessment: Assessment, event: Event, audit_event: str) -> AssessmentVersion:
    status = _transition(assessment, event)
    rating = current_rating(assessment)
    frozen = _frozen_content(assessment, rating)
    number = len(assessment.versions) + 1
    try:
        # The assessment's own row first: a second submission at the same moment (another tab, a script)
        # finds it changed and is refused, before it can try to add the same version number.
        store.save_assessment(assessment, status=status.value, rating=rating["overall"])
        version = store.add_version(
            assessment_id=assessment.id,
            number=number,
            status=status.value,
            submitted_by_id=user.id,
            content_hash=content_hash(frozen),
            **frozen,
        )
    except store.ConcurrentChangeError:
        raise ChangedSinceOpenedError(SUBMITTED_AT_THE_SAME_MOMENT) from None
    store.add_event(
        assessment, event=event.value, description=event.past_tense, actor=user, version_number=number
    )
    _audit(audit_event, user, assessment, after=frozen, details={"version": number})
    return version


SUBMITTED_AT_THE_SAME_MOMENT = (
    "This assessment was submitted at the same moment from somewhere else, such as another tab. Nothing "
    "was lost: reload the page to see it."
)


def _frozen_content(assessment: Assessment, rating: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": assessment.title,
        "answers": dict(assessment.answers),
        "area": assessment.area,
        "profile": assessment.profile,
        "rating": rating["rating"],
        "quality": rating["quality"],
        "framework_version": assessment.framework_version,
        "scoring_version": assessment.scoring_version,
        "reference_release": assessment.reference_release,
        "reference_checksum": area_profiles.reference_checksum(),
    }


def _editable(user: User, assessment_id: int) -> Assessment:
    assessment = assessment_for(user, assessment_id, Action.EDIT)
    if not Status(assessment.status).editable_by_author:
        raise StateTransitionError(
            f"This assessment is {Status(assessment.status).label.lower()}, so it cannot be changed. "
            "If it is returned to you, you can change it and submit it again."
        )
    return assessment


def _transition(assessment: Assessment, event: Event) -> Status:
    try:
        return apply(event, Status(assessment.status))
    except TransitionNotAllowed as error:
        raise StateTransitionError(str(error)) from None


def _audit(
    event: str,
    user: User,
    assessment: Assessment,
    *,
    before: Any = None,
    after: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    record_audit_event(
        event,
        actor=user,
        organisation_id=assessment.organisation_id,
        subject=("assessment", assessment.id),
        details={"reference": assessment.reference, "training": assessment.is_training, **(details or {})},
        before_hash=content_hash(before) if before is not None else None,
        after_hash=content_hash(after) if after is not None else None,
    )
