"""Local additions to the national framework: guidance per section and local groups of people, kept as data.

Every change adds a numbered local version holding the whole content, so an assessment can record the number
it used (answers["local.version"]) and a submitted version, which freezes its answers, keeps it for good."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hia_service.data import organisation_settings as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import User
from hia_service.domain.framework.model import IMPACT_LABELS, IMPACT_VALUES, Framework
from hia_service.services.errors import NotFoundError, ServiceError

VERSION_KEY = "local.version"
GUIDANCE_MAX = 2000
GROUP_MAX = 200
NOTES_MAX = 2000


@dataclass(frozen=True)
class LocalGroup:
    id: str  # "local.former-coalfield-communities"
    label: str
    retired: bool = False

    @property
    def impact_key(self) -> str:
        return f"{self.id}.impact"

    @property
    def notes_key(self) -> str:
        return f"{self.id}.notes"


@dataclass(frozen=True)
class LocalFramework:
    number: int  # 0: no local additions yet
    guidance: dict[str, str]
    groups: tuple[LocalGroup, ...]

    @property
    def active_groups(self) -> tuple[LocalGroup, ...]:
        return tuple(g for g in self.groups if not g.retired)


EMPTY = LocalFramework(0, {}, ())


def current(organisation_id: int) -> LocalFramework:
    version = store.latest_local_version(organisation_id)
    return EMPTY if version is None else _from_content(version.number, version.content)


def for_answers(organisation_id: int, answers: dict[str, Any]) -> LocalFramework:
    """The local version an assessment recorded; assessments started before any local version use none."""
    number = answers.get(VERSION_KEY)
    if not isinstance(number, int) or number < 1:
        return EMPTY
    version = store.get_local_version(organisation_id, number)
    return EMPTY if version is None else _from_content(version.number, version.content)


def start_answers(organisation_id: int) -> dict[str, Any]:
    """What a new assessment records about the local framework: the version in force when it started."""
    number = current(organisation_id).number
    return {VERSION_KEY: number} if number else {}


def set_guidance(user: User, framework: Framework, section_id: str, text: str) -> LocalFramework:
    if section_id not in {s.id for s in framework.sections}:
        raise NotFoundError("There is no such section")
    text = (text or "").strip()
    if len(text) > GUIDANCE_MAX:
        raise ServiceError(f"Local guidance must be {GUIDANCE_MAX} characters or fewer", field="guidance")
    now = current(user.organisation_id)
    guidance = (
        {**now.guidance, section_id: text}
        if text
        else {k: v for k, v in now.guidance.items() if k != section_id}
    )
    return _new_version(user, guidance, now.groups, {"changed": "guidance", "section": section_id})


def add_group(user: User, label: str) -> LocalFramework:
    label = " ".join((label or "").split())
    if not label:
        raise ServiceError(
            "Enter the name of the group, for example 'people living in former coalfield communities'",
            field="label",
        )
    if len(label) > GROUP_MAX:
        raise ServiceError(f"The name of the group must be {GROUP_MAX} characters or fewer", field="label")
    now = current(user.organisation_id)
    group_id = _group_id(label)
    if any(g.id == group_id for g in now.groups):
        raise ServiceError(f"There is already a local group called '{label}'", field="label")
    groups = (*now.groups, LocalGroup(group_id, label))
    return _new_version(user, now.guidance, groups, {"changed": "group added", "group": group_id})


def retire_group(user: User, group_id: str) -> LocalFramework:
    now = current(user.organisation_id)
    if not any(g.id == group_id and not g.retired for g in now.groups):
        raise NotFoundError("There is no such local group")
    groups = tuple(LocalGroup(g.id, g.label, g.retired or g.id == group_id) for g in now.groups)
    return _new_version(user, now.guidance, groups, {"changed": "group retired", "group": group_id})


def local_answers(local: LocalFramework, form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The impact and notes for each local group from a form; errors keyed by answer id."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for group in local.active_groups:
        impact = (form.get(group.impact_key) or "").strip()
        notes = (form.get(group.notes_key) or "").strip()
        values[group.impact_key], values[group.notes_key] = impact or None, notes or None
        if impact not in IMPACT_VALUES:
            errors[group.impact_key] = f"Select the impact on {group.label}"
        if len(notes) > NOTES_MAX:
            errors[group.notes_key] = f"Notes must be {NOTES_MAX} characters or fewer"
    return values, errors


def answered_groups(local: LocalFramework, answers: dict[str, Any]) -> list[dict[str, str]]:
    """Local groups with their answers, for pages and documents."""
    return [
        {
            "label": group.label,
            "impact": IMPACT_LABELS.get(answers.get(group.impact_key) or "", "Not answered"),
            "notes": answers.get(group.notes_key) or "",
        }
        for group in local.groups
        if not group.retired or answers.get(group.impact_key)
    ]


def _group_id(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:60] or "group"
    return f"local.{slug}"


def _new_version(
    user: User, guidance: dict[str, str], groups: tuple[LocalGroup, ...], details: dict[str, Any]
) -> LocalFramework:
    number = current(user.organisation_id).number + 1
    content = {
        "guidance": guidance,
        "groups": [{"id": g.id, "label": g.label, "retired": g.retired} for g in groups],
    }
    store.add_local_version(user.organisation_id, number, content, user.id)
    record_audit_event(
        "local_framework_changed",
        actor=user,
        organisation_id=user.organisation_id,
        subject=("organisation", user.organisation_id),
        details={"local_version": number, **details},
    )
    return _from_content(number, content)


def _from_content(number: int, content: dict[str, Any]) -> LocalFramework:
    groups = tuple(
        LocalGroup(str(g["id"]), str(g["label"]), bool(g.get("retired"))) for g in content.get("groups", [])
    )
    return LocalFramework(number, dict(content.get("guidance") or {}), groups)


def for_document(organisation_id: int, answers: dict[str, Any]) -> dict[str, Any]:
    """The local part of a document: the local version the assessment used and its groups' answers."""
    local = for_answers(organisation_id, answers)
    return {"version": local.number, "groups": answered_groups(local, answers)}
