"""The people who use a service, beside its catchment and, at follow-up, before and after the change.

Use cases: set_service_users (the wizard's area page: a patient list profiled and kept with the answers as
counts only), users_comparison (users beside the area affected), followup_comparison (a later patient list
beside the one recorded with the approved version: did the most deprived patients stop coming?).
Every list is profiled through services.areas.profiles, the one door to the geography engine.
"""

from __future__ import annotations

from hia_service.auth.permissions import Action
from hia_service.data import assessments as store
from hia_service.data.models import Assessment, User
from hia_service.domain.geography.area_profile import Place
from hia_service.domain.geography.users import (
    USERS_ANSWER_KEY,
    PeopleComparison,
    compare_people,
    stored_users,
)
from hia_service.domain.workflow import Status
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.areas.profiles import AreaRequest
from hia_service.services.assessments.authoring import _audit, _editable, assessment_for
from hia_service.services.errors import ServiceError

USERS = "the service's users"
LEFT_OUT_KEY = "left_out"  # entries of the list that could not be placed, kept beside the figures
CATCHMENT = "the people in the area affected"
BEFORE, AFTER = "the service's users before the change", "the service's users now"
NO_BEFORE = (
    "No list of the service's users was recorded with the approved assessment, so there is nothing to "
    "compare a new list with. Upload this list as the service's users when the assessment is next reviewed."
)


def set_service_users(user: User, assessment_id: int, request: AreaRequest) -> Assessment:
    """Profile a list of the service's users and keep its figures (no postcode) with the answers, with how
    many entries were left out."""
    assessment = _editable(user, assessment_id)
    place, left_out = _placed(request, USERS)
    stored = {**place.to_json(), LEFT_OUT_KEY: left_out}
    before = assessment.answers.get(USERS_ANSWER_KEY)
    store.save_assessment(assessment, answers={**assessment.answers, USERS_ANSWER_KEY: stored})
    _audit("service_users_profiled", user, assessment, before=before, after=stored)
    return assessment


def _placed(request: AreaRequest, name: str) -> tuple[Place, int]:
    """The list's figures and the entries left out; refused when most of it could not be placed, which is
    a wrong file or column far more often than a list of people from elsewhere."""
    place, left_out = area_profiles.people_figures(request, name)
    placed = round(place.population or 0)
    if not place.lsoa_count:
        raise ServiceError(
            "None of the patients in the list could be placed in a neighbourhood", field="users_file"
        )
    if left_out > placed:
        raise ServiceError(
            f"Only {placed:,} of the {placed + left_out:,} entries in the list could be placed in a "
            "neighbourhood. Check it is a list of patients' home postcodes in England, one a line, and "
            "upload it again.",
            field="users_file",
        )
    return place, left_out


def users_left_out(assessment: Assessment) -> int | None:
    """How many entries of the stored list of the service's users were left out (None if not recorded)."""
    data = assessment.answers.get(USERS_ANSWER_KEY)
    found = data.get(LEFT_OUT_KEY) if isinstance(data, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def users_comparison(assessment: Assessment) -> PeopleComparison | None:
    """The service's users beside the people in the area affected, once both are profiled."""
    users, profile = stored_users(assessment.answers), assessment.area_profile
    if users is None or profile is None:
        return None
    return compare_people(profile.as_place(CATCHMENT), users)


def followup_comparison(user: User, assessment_id: int, request: AreaRequest) -> PeopleComparison:
    """A list of the service's users now, beside the list recorded with the latest approved version.
    Shown, not stored: the figures are worked out again from the list each time it is uploaded."""
    assessment = assessment_for(user, assessment_id, Action.VIEW)
    before = _recorded_users(assessment)
    if before is None:
        raise ServiceError(NO_BEFORE, field="users_file")
    after, _ = _placed(request, AFTER)
    _audit("service_users_compared", user, assessment, details={"lsoa_count": after.lsoa_count})
    return compare_people(Place.from_json({**before.to_json(), "name": BEFORE}), after)


def recorded_users(user: User, assessment_id: int) -> Place | None:
    """The users recorded with the latest approved version, if any (for the follow-up page)."""
    return _recorded_users(assessment_for(user, assessment_id, Action.VIEW))


def _recorded_users(assessment: Assessment) -> Place | None:
    approved = [v for v in assessment.versions if v.status == Status.APPROVED.value]
    return stored_users(approved[-1].answers) if approved else None
