"""Training mode: cohorts (sessions, join codes, trainees) and practice assessments made from scenarios.

Practice assessments are ordinary assessments with is_training=True: the same wizard, kept out of every
governance view. Submitting one asks for feedback (services.training_results), never for review.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app

from hia_service.auth.roles import Role
from hia_service.data import accounts
from hia_service.data import training as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import Assessment, TrainingPractice, TrainingSession, User
from hia_service.data.transaction import commit
from hia_service.domain.email_address import WRONG_FORMAT, is_email_address
from hia_service.domain.framework.validation import parse_date
from hia_service.domain.training import Scenario
from hia_service.services import rules
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.areas.profiles import AreaRequest, ResolvedArea
from hia_service.services.assessments import authoring as assessments
from hia_service.services.errors import NotFoundError, PermissionDeniedError, ServiceError

# No 0/O, 1/I/L: a code read out in a training room must not be misheard or mistyped.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_VALID_AFTER_SESSION = timedelta(days=14)
NAME_MAX = 200
WRONG_CODE = "That join code is not right. Check it with your trainer and try again."
EXPIRED_CODE = "That join code has expired. Ask your trainer for a new one."
NOT_FOUND = "We could not find that training session."
# One answer for every address that is not an active account of the trainer's organisation (new to the
# service, another organisation's, or a deactivated colleague's): a trainer must not be able to find out
# whether an address has an account elsewhere. Making accounts is for the organisation's administrators.
NOT_IN_ORGANISATION = (
    "No one in your organisation can be added with this email address. Check it is typed correctly. If they "
    "need an account, ask your organisation's administrator to add them (a training-only account if they "
    "only need training), then add them here or give them the join code"
)


class FormErrors(ServiceError):
    """Several problems with one form, by field, each in plain English."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())), field=next(iter(errors)))
        self.errors = errors


# --- scenarios -----------------------------------------------------------------------------------------


def scenarios() -> dict[str, Scenario]:
    """Every practice scenario by id, loaded (and checked) once per app."""
    loaded = current_app.extensions.get(rules.SCENARIOS_KEY)
    if loaded is None:
        rules.init_rules(current_app)  # an app for a command, which reads its rules when first asked
        loaded = current_app.extensions[rules.SCENARIOS_KEY]
    return loaded


def scenario(scenario_id: str) -> Scenario:
    found = scenarios().get(scenario_id)
    if found is None:
        raise NotFoundError("We could not find that scenario.")
    return found


# --- sessions and join codes ---------------------------------------------------------------------------


def create_session(
    trainer: User, name: str, held_on: dict[str, str], scenario_ids: list[str], *, today: date | None = None
) -> TrainingSession:
    """A new session with a fresh join code; FormErrors lists every problem with what was entered."""
    _require_trainer(trainer)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the training session"
    elif len(name) > NAME_MAX:
        errors["name"] = f"Name of the session must be {NAME_MAX} characters or fewer"
    day, problem = _session_date(held_on, today or date.today())
    if problem:
        errors["held_on"] = problem
    chosen = [s for s in dict.fromkeys(scenario_ids) if s]
    if not chosen:
        errors["scenarios"] = "Select at least one scenario for trainees to practise"
    elif any(s not in scenarios() for s in chosen):
        errors["scenarios"] = "Select scenarios from the list"
    if errors:
        raise FormErrors(errors)
    assert day is not None
    session = _add_with_fresh_code(
        organisation_id=trainer.organisation_id,
        trainer_id=trainer.id,
        name=name,
        held_on=day,
        code_expires_at=code_expiry(day),
        scenario_ids=chosen,
    )
    _audit("training_session_created", trainer, session, details={"scenarios": chosen})
    return session


def _session_date(parts: dict[str, str], today: date) -> tuple[date | None, str | None]:
    # The same rules as every other date the service asks for ("27" is not a year).
    iso, problem = parse_date(dict(parts), "Date of the training session")
    if problem:
        return None, problem
    if iso is None:
        return None, "Enter the date of the training session"
    day = date.fromisoformat(iso)
    if day < today:
        return None, "Date of the training session must be today or in the future"
    if day > today + timedelta(days=366 * 2):
        return None, "Date of the training session must be within the next 2 years"
    return day, None


def code_expiry(held_on: date) -> datetime:
    """Codes work until the end of the 14th day after the session (UTC), long enough to catch up."""
    return datetime.combine(held_on + CODE_VALID_AFTER_SESSION, time.max, tzinfo=UTC)


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def show_code(code: str) -> str:
    """ABCD2345 is shown as ABCD-2345, easier to read out."""
    return f"{code[:4]}-{code[4:]}"


def _add_with_fresh_code(**fields: Any) -> TrainingSession:
    for _ in range(5):  # a clash is a one in 10^11 chance; try again rather than fail
        try:
            return store.add_session(join_code=new_join_code(), **fields)
        except store.DuplicateCodeError:
            continue
    raise ServiceError("We could not make a join code. Try again.")


def normalise_code(raw: str | None) -> str:
    """The code as stored: capitals, no spaces or hyphens. ServiceError if it cannot be a code at all."""
    code = "".join((raw or "").split()).replace("-", "").upper()
    if not code:
        raise ServiceError("Enter the join code your trainer gave you", field="code")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ServiceError(
            "Enter the join code in the right format: 8 letters and numbers, like ABCD-2345", field="code"
        )
    return code


def join_session(
    user: User, raw_code: str | None, *, now: datetime | None = None, address: str | None = None
) -> TrainingSession:
    """Join the session with this code. A code from another organisation reads as wrong: nothing about
    other sessions is ever given away. A well-formed code that is refused is audited, so someone guessing
    codes shows up (a blank or misshapen entry cannot match anything, so it is not)."""
    code = normalise_code(raw_code)
    session = store.session_by_code(code)
    if session is None or session.organisation_id != user.organisation_id:
        _refuse_join(user, "wrong code", address)
        raise ServiceError(WRONG_CODE, field="code")
    if _aware(session.code_expires_at) < (now or datetime.now(UTC)):
        _refuse_join(user, "expired code", address, session=session)
        raise ServiceError(EXPIRED_CODE, field="code")
    if store.get_member(session.id, user.id) is None:
        store.add_member(session, user)
        _audit("training_session_joined", user, session, details={"trainee": user.id})
    return session


def _refuse_join(
    user: User, reason: str, address: str | None, *, session: TrainingSession | None = None
) -> None:
    """Audit a refused join, then commit it (the request rolls back). The code tried is never kept, not even
    hashed (8 characters from 31 are quick to recover from a hash): it may be a near miss of a live code,
    or another organisation's, and the audit log is read by this organisation's admins."""
    details: dict[str, Any] = {"training": True, "reason": reason}
    if address:
        details["address"] = address
    record_audit_event(
        "training_join_failed",
        actor=user,
        organisation_id=user.organisation_id,
        subject=("training_session", session.id) if session else None,  # only ever this organisation's own
        details=details,
    )
    commit()


def new_code(trainer: User, session_id: int, *, today: date | None = None) -> TrainingSession:
    """Replace the join code (one shared too widely, or expired); the old one stops working at once."""
    session = session_for_trainer(trainer, session_id)
    start = max(session.held_on, today or date.today())
    candidate = new_join_code()
    while store.session_by_code(candidate) is not None:
        candidate = new_join_code()
    session.join_code = candidate
    session.code_expires_at = code_expiry(start)
    _audit("training_code_replaced", trainer, session)
    return session


def session_for_trainer(user: User, session_id: int) -> TrainingSession:
    """A session of the trainer's organisation; anyone else is told it does not exist."""
    session = store.get_session(session_id)
    if session is None or session.organisation_id != user.organisation_id or user.role != Role.TRAINER:
        raise NotFoundError(NOT_FOUND)
    return session


def session_for_trainee(user: User, session_id: int) -> TrainingSession:
    session = store.get_session(session_id)
    if session is None or session.organisation_id != user.organisation_id:
        raise NotFoundError(NOT_FOUND)
    if store.get_member(session.id, user.id) is None:
        raise NotFoundError(NOT_FOUND)
    return session


def sessions_run(trainer: User) -> list[TrainingSession]:
    _require_trainer(trainer)
    return store.sessions_of_organisation(trainer.organisation_id)


def sessions_joined(user: User) -> list[TrainingSession]:
    return store.sessions_joined(user.id)


def code_is_live(session: TrainingSession, *, now: datetime | None = None) -> bool:
    return _aware(session.code_expires_at) >= (now or datetime.now(UTC))


# --- trainees ------------------------------------------------------------------------------------------


def add_trainee(trainer: User, session_id: int, email: str) -> User:
    """Add someone with an active account in the trainer's organisation to the session, by email address.

    Trainers make no accounts: a trainer who could make one for a new address, but not for an address with
    an account elsewhere, would learn which addresses have accounts in other organisations. Every address
    that is not an active account here gets the same answer (NOT_IN_ORGANISATION), and nothing is made."""
    session = session_for_trainer(trainer, session_id)
    email = (email or "").strip().lower()
    if not is_email_address(email):
        raise ServiceError(WRONG_FORMAT, field="email")
    existing = accounts.get_user_by_email(email)
    if existing is None or existing.organisation_id != trainer.organisation_id or not existing.is_active:
        raise ServiceError(NOT_IN_ORGANISATION, field="email")
    if store.get_member(session.id, existing.id):
        raise ServiceError(f"{existing.name} is already in this session", field="email")
    store.add_member(session, existing)
    _audit("trainee_added", trainer, session, details={"trainee": existing.id})
    return existing


# --- practice ------------------------------------------------------------------------------------------


def practice_area(chosen: Scenario) -> ResolvedArea:
    """The scenario's area as stored on an assessment, and its real profile from the geography engine."""
    request = AreaRequest(
        chosen.area_definition(), method="training_scenario", inputs={"scenario": chosen.id}
    )
    try:
        return area_profiles.resolve(request)
    except ServiceError as error:
        if error.status >= 500:
            raise
        raise ServiceError(
            f"The area for the scenario '{chosen.title}' could not be found in the reference data "
            f"({error.message}). Tell your trainer: the scenario needs correcting."
        ) from None


def session_scenario(user: User, session_id: int, scenario_id: str) -> tuple[TrainingSession, Scenario]:
    """A scenario of a session the trainee is in."""
    session = session_for_trainee(user, session_id)
    if scenario_id not in session.scenario_ids:
        raise NotFoundError("We could not find that scenario in this session.")
    return session, scenario(scenario_id)


def start_practice(user: User, session_id: int, scenario_id: str) -> Assessment:
    """Start (or return to) the trainee's practice of a scenario: prefilled proposal, real area profile."""
    session, chosen = session_scenario(user, session_id, scenario_id)
    existing = store.get_practice(session.id, user.id, scenario_id)
    if existing is not None:
        return existing.assessment
    area = practice_area(chosen)  # before anything is stored: a bad area leaves nothing behind
    title = str(chosen.prefill.get(assessments.TITLE_QUESTION) or chosen.title)
    # The scenario's model answers and model rating were written for its framework version, and are checked
    # against the scoring it names (by default the one numbered like the framework): the practice uses those,
    # not whatever is current.
    versions = rules.Versions(framework=chosen.framework_version, scoring=chosen.scoring)
    assessment = assessments.start_assessment(user, title, training=True, versions=versions)
    framework = rules.framework(assessment.framework_version)
    prefill = {q: v for q, v in chosen.prefill.items() if framework.has_question(q)}
    result = assessments.save_page(user, assessment.id, list(prefill), prefill, None)
    if not result.saved:
        raise ServiceError(f"The scenario '{chosen.title}' could not be set up. Tell your trainer.")
    # Scenarios' model answers were rated against England, not against this organisation's population.
    assessments.set_area(user, assessment.id, area, compare_with_organisation=False)
    store.add_practice(
        session_id=session.id, user_id=user.id, scenario_id=scenario_id, assessment_id=assessment.id
    )
    return assessment


def submit_practice(user: User, assessment_id: int) -> Assessment:
    """Hand in a practice assessment for feedback. It freezes a version like a real submission, but its
    status is 'submitted for feedback': no reviewer ever sees it."""
    version = assessments.submit_for_feedback(user, assessment_id)
    practice = store.practice_of_assessment(assessment_id)
    if practice is not None:
        store.mark_submitted(practice, version.submitted_at or datetime.now(UTC))
    return version.assessment


def practice_of(assessment: Assessment) -> TrainingPractice | None:
    """The session and scenario a practice assessment belongs to (for its banner and back links)."""
    return store.practice_of_assessment(assessment.id)


def _require_trainer(user: User) -> None:
    if user.role != Role.TRAINER:
        raise PermissionDeniedError("Only trainers can run training sessions.")


def _audit(
    event: str, actor: User, session: TrainingSession, *, details: dict[str, Any] | None = None
) -> None:
    record_audit_event(
        event,
        actor=actor,
        organisation_id=session.organisation_id,
        subject=("training_session", session.id),
        details={"training": True, **(details or {})},
    )


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
