"""The population the organisation serves: its catchment, profiled once, and used as a baseline in every new
profile of its assessments ("... against 29% of the people we serve and 20% in England")."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import current_app

from hia_service.data import organisation_settings as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import User
from hia_service.data.transaction import after_commit
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.geography.area_profile import AreaProfile, Place
from hia_service.domain.recent import Recent
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.areas.profiles import AreaRequest
from hia_service.services.errors import ServiceError

# GSS code prefixes of the areas an organisation's catchment is usually described in.
CODE_KINDS = {
    "E06": "lad",
    "E07": "lad",
    "E08": "lad",
    "E09": "lad",
    "W06": "lad",
    "E54": "icb",
    "E38": "sub_icb",
}


_EXTENSION = "hia_served_populations"
SERVED_KEPT = 10_000  # organisations
SERVED_KINDS = {"lad": "Local authority", "icb": "Integrated care board", "sub_icb": "Sub-ICB location"}
SEARCH_RESULTS = 30


def search_served(query: str) -> list[dict[str, str]]:
    """Local authorities, ICBs and Sub-ICB locations whose name contains any of the comma-separated
    words in `query` (any case), or whose code is one of them: "Blackpool, Wyre, Fylde"."""
    found: dict[str, dict[str, str]] = {}
    for term in (t.strip() for t in query.split(",")):
        for area in area_profiles.search_areas(term, SERVED_KINDS, SEARCH_RESULTS):
            found.setdefault(f"{area['kind']}:{area['code']}", area)
    return list(found.values())[:SEARCH_RESULTS]


def area_from_choices(chosen: list[str], query: str = "") -> AreaRequest:
    """The areas ticked in the search results ("lad:E06000009"), all of one kind."""
    picked = [c.partition(":") for c in chosen if c.strip()]
    if not picked or any(kind not in SERVED_KINDS or not code for kind, _, code in picked):
        raise ServiceError("Select at least one area from the search results", field="area_choice")
    kinds = {kind for kind, _, _ in picked}
    if len(kinds) > 1:
        raise ServiceError(
            "Select areas of one kind only: local authorities, or ICBs, or Sub-ICB locations",
            field="area_choice",
        )
    codes = list(dict.fromkeys(code for _, _, code in picked))
    inputs = {"areas": ", ".join(codes), "search": query.strip()}
    return AreaRequest({"type": kinds.pop(), "codes": codes}, "named", inputs)


QUOTED_MOST = 30  # characters of a mistyped code quoted back: enough to find it, never a pasted page


def area_from_codes(text: str) -> AreaRequest:
    """Local authority, ICB or Sub-ICB codes, one kind at a time, e.g. 'E06000009 E07000117'."""
    codes = [c.strip().upper() for c in text.replace(",", " ").split() if c.strip()]
    if not codes:
        raise ServiceError(
            "Enter at least one local authority, ICB or Sub-ICB location code", field="area_codes"
        )
    kinds = {CODE_KINDS.get(code[:3]) for code in codes}
    if None in kinds:
        unknown = next(c for c in codes if CODE_KINDS.get(c[:3]) is None)
        shown = unknown if len(unknown) <= QUOTED_MOST else unknown[:QUOTED_MOST] + "…"
        raise ServiceError(
            f"'{shown}' is not a local authority (E06, E07, E08, E09), ICB (E54) "
            "or Sub-ICB location (E38) code",
            field="area_codes",
        )
    if len(kinds) > 1:
        raise ServiceError(
            "Enter codes of one kind only: local authorities, or ICBs, or Sub-ICB locations",
            field="area_codes",
        )
    return AreaRequest({"type": kinds.pop(), "codes": codes}, "area_codes", {"area_codes": text.strip()})


def set_catchment(user: User, area: AreaRequest) -> dict[str, Any]:
    """Profile the catchment and store its headline figures with the release used."""
    organisation = store.get_organisation(user.organisation_id)
    assert organisation is not None
    resolved = area_profiles.resolve(area)
    profile = resolved.profile
    if not profile.lsoa_count:
        raise ServiceError(
            "No neighbourhoods were found in this area, so it cannot describe the people you serve"
        )
    baseline = profile.as_place(organisation.name).to_json()
    before = store.get_settings(user.organisation_id)
    before_hash = content_hash(before.catchment_baseline) if before and before.catchment_baseline else None
    definition = resolved.definition_json()
    store.save_settings(
        user.organisation_id,
        catchment_area=definition,
        catchment_baseline=baseline,
        catchment_release=profile.release,
        catchment_set_at=datetime.now(UTC),
    )
    record_audit_event(
        "organisation_population_set",
        actor=user,
        organisation_id=user.organisation_id,
        subject=("organisation", user.organisation_id),
        details={"release": profile.release, "area_type": definition.get("type")},
        before_hash=before_hash,
        after_hash=content_hash(baseline),
    )
    after_commit(lambda: served_populations().forget(user.organisation_id))
    return baseline


def organisation_baseline(organisation_id: int) -> Place | None:
    """The headline figures of the population the organisation serves, if it has set it up.

    Remembered by this process for HIA_API_TOKEN_CACHE_SECONDS, like an API token's check: every API
    profile compares with it, and reading it cost each call a query and a commit. Set here, it is
    forgotten at once; set in another process, it shows here within those seconds."""
    remembered = served_populations()
    seconds = float(current_app.config.get("HIA_API_TOKEN_CACHE_SECONDS", 0))
    known, place = remembered.get(organisation_id, seconds)
    if known:
        return place
    settings = store.get_settings(organisation_id)
    place = _place(settings.catchment_baseline if settings else None)
    if seconds > 0:
        remembered.put(organisation_id, place)
    return place


def read_served_populations() -> int:
    """Read every organisation's served population at once and remember them all as if each had just
    been read, so no API call waits for its organisation's (a server process does this at its start and
    then every half HIA_API_TOKEN_CACHE_SECONDS: hia_service/server.py). The number remembered."""
    if float(current_app.config.get("HIA_API_TOKEN_CACHE_SECONDS", 0)) <= 0:
        return 0
    remembered = served_populations()
    started, generation = time.monotonic(), remembered.generation
    found = {organisation_id: _place(baseline) for organisation_id, baseline in store.served_baselines()}
    return len(found) if remembered.put_many(found, started, generation) else 0


def _place(baseline: dict[str, Any] | None) -> Place | None:
    return Place.from_json(baseline) if baseline else None


def served_populations() -> Recent[int, Place | None]:
    """This process's remembered served populations for the current app."""
    found = current_app.extensions.get(_EXTENSION)
    if found is None:
        found = current_app.extensions.setdefault(_EXTENSION, Recent(SERVED_KEPT))
    return found


def with_organisation_baseline(profile: AreaProfile, organisation_id: int) -> AreaProfile:
    """The profile compared with the population the organisation serves too, when that was profiled
    with the same release.

    Figures from different releases of the index do not compare, so a stale catchment is left out
    and said so."""
    served = organisation_baseline(organisation_id)
    if served is None:
        return profile
    if served.release != profile.release:
        return profile.with_note(
            f"The population your organisation serves was worked out with {served.release}, not "
            f"{profile.release}, so it is not compared here. "
            "An administrator can update it in settings."
        )
    return profile.compared_with_organisation(served)


def profile_for_organisation(
    organisation_id: int, area: AreaRequest, *, release: str | None = None, method: str | None = None
) -> AreaProfile:
    """An area's profile compared with the population the organisation serves (the API's area-profiles)."""
    return with_organisation_baseline(
        area_profiles.profile_of(area, release=release, method=method), organisation_id
    )
