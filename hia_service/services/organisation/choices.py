"""Directorates, decision forums and sites: lists an admin keeps, offered as suggestions in the wizard and as
dashboard filters. Records keep the words they were saved with, so a rename or retirement
changes no old record."""

from __future__ import annotations

from dataclasses import dataclass

from hia_service.data import organisation_settings as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import OrganisationChoice, User
from hia_service.domain.safe_text import has_visible
from hia_service.services.errors import DuplicateValueError, NotFoundError, ServiceError

NAME_MAX = 200


@dataclass(frozen=True)
class ChoiceKind:
    id: str
    label: str  # plural, for headings
    singular: str
    question: str  # the framework question it suggests answers for


KINDS = (
    ChoiceKind("directorate", "Directorates and teams", "directorate or team", "proposal.directorate"),
    ChoiceKind("decision_forum", "Decision forums", "decision forum", "proposal.decision_forum"),
    ChoiceKind("site", "Sites", "site", "proposal.sites"),
)
KIND_BY_ID = {kind.id: kind for kind in KINDS}


def kind(kind_id: str) -> ChoiceKind:
    if kind_id not in KIND_BY_ID:
        raise NotFoundError("There is no such list")
    return KIND_BY_ID[kind_id]


def all_choices(organisation_id: int) -> dict[str, list[OrganisationChoice]]:
    found: dict[str, list[OrganisationChoice]] = {k.id: [] for k in KINDS}
    for choice in store.list_choices(organisation_id):
        found.setdefault(choice.kind, []).append(choice)
    return found


def suggestions(organisation_id: int) -> dict[str, list[str]]:
    """Question id -> the names still in use, for the wizard's text inputs with suggestions."""
    return {
        KIND_BY_ID[kind_id].question: [c.name for c in entries if not c.retired]
        for kind_id, entries in all_choices(organisation_id).items()
        if kind_id in KIND_BY_ID
    }


def filter_options(organisation_id: int, kind_id: str, recorded: list[str]) -> list[str]:
    """Filter choices: names on records (kept after a rename or retirement) and every name on the list."""
    names = {name.casefold(): name for name in recorded}
    for choice in store.list_choices(organisation_id, kind_id):
        names.setdefault(choice.name.casefold(), choice.name)
    return sorted(names.values(), key=str.casefold)


def add_choice(user: User, kind_id: str, name: str) -> OrganisationChoice:
    chosen = kind(kind_id)
    name = _clean(name, chosen)
    existing = store.find_choice(user.organisation_id, kind_id, name)
    if existing is not None:
        state = " (retired: restore it instead)" if existing.retired else ""
        raise DuplicateValueError(f"'{existing.name}' is already in the list{state}", field="name")
    choice = store.add_choice(user.organisation_id, kind_id, name)
    _audit(user, "organisation_choice_added", choice)
    return choice


def rename_choice(user: User, choice_id: int, name: str) -> OrganisationChoice:
    choice = _choice(user, choice_id)
    name = _clean(name, KIND_BY_ID[choice.kind])
    clash = store.find_choice(user.organisation_id, choice.kind, name)
    if clash is not None and clash.id != choice.id:
        raise DuplicateValueError(f"'{clash.name}' is already in the list", field="name")
    store.update_choice(choice, name=name)
    _audit(user, "organisation_choice_renamed", choice)
    return choice


def set_retired(user: User, choice_id: int, retired: bool) -> OrganisationChoice:
    choice = _choice(user, choice_id)
    store.update_choice(choice, retired=retired)
    _audit(user, "organisation_choice_retired" if retired else "organisation_choice_restored", choice)
    return choice


def choice_for(user: User, choice_id: int) -> OrganisationChoice:
    return _choice(user, choice_id)


def _choice(user: User, choice_id: int) -> OrganisationChoice:
    choice = store.get_choice(user.organisation_id, choice_id)
    if choice is None:
        raise NotFoundError("That entry was not found")
    return choice


def _clean(name: str, chosen: ChoiceKind) -> str:
    name = " ".join((name or "").split())
    if not has_visible(name):  # not only zero-width characters
        raise ServiceError(f"Enter the name of the {chosen.singular}", field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"The name must be {NAME_MAX} characters or fewer", field="name")
    return name


def _audit(user: User, event: str, choice: OrganisationChoice) -> None:
    record_audit_event(
        event,
        actor=user,
        organisation_id=user.organisation_id,
        subject=("organisation_choice", choice.id),
        details={"kind": choice.kind, "name": choice.name},
    )
