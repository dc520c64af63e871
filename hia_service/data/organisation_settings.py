"""Queries for an organisation's settings, lists and local framework versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from hia_service.data.models import (
    LocalFrameworkVersion,
    Organisation,
    OrganisationChoice,
    OrganisationSettings,
)
from hia_service.extensions import db


def get_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def get_settings(organisation_id: int) -> OrganisationSettings | None:
    return db.session.get(OrganisationSettings, organisation_id)


def served_baselines() -> list[tuple[int, dict[str, Any] | None]]:
    """Every organisation's id and the headline figures of the population it serves, if it set it up."""
    query = select(Organisation.id, OrganisationSettings.catchment_baseline).outerjoin(
        OrganisationSettings, OrganisationSettings.organisation_id == Organisation.id
    )
    return [(organisation_id, baseline) for organisation_id, baseline in db.session.execute(query)]


def save_settings(organisation_id: int, **changes: Any) -> OrganisationSettings:
    settings = get_settings(organisation_id)
    if settings is None:
        settings = OrganisationSettings(organisation_id=organisation_id)
        db.session.add(settings)
    for key, value in changes.items():
        setattr(settings, key, value)
    db.session.flush()
    return settings


def list_choices(organisation_id: int, kind: str | None = None) -> list[OrganisationChoice]:
    query = select(OrganisationChoice).where(OrganisationChoice.organisation_id == organisation_id)
    if kind is not None:
        query = query.where(OrganisationChoice.kind == kind)
    return list(
        db.session.scalars(query.order_by(OrganisationChoice.kind, func.lower(OrganisationChoice.name)))
    )


def find_choice(organisation_id: int, kind: str, name: str) -> OrganisationChoice | None:
    return db.session.scalar(
        select(OrganisationChoice).where(
            OrganisationChoice.organisation_id == organisation_id,
            OrganisationChoice.kind == kind,
            func.lower(OrganisationChoice.name) == name.lower(),
        )
    )


def get_choice(organisation_id: int, choice_id: int) -> OrganisationChoice | None:
    return db.session.scalar(
        select(OrganisationChoice).where(
            OrganisationChoice.organisation_id == organisation_id, OrganisationChoice.id == choice_id
        )
    )


def add_choice(organisation_id: int, kind: str, name: str) -> OrganisationChoice:
    choice = OrganisationChoice(organisation_id=organisation_id, kind=kind, name=name, retired=False)
    db.session.add(choice)
    db.session.flush()
    return choice


def update_choice(choice: OrganisationChoice, **changes: Any) -> None:
    for key, value in changes.items():
        setattr(choice, key, value)
    db.session.flush()


def latest_local_version(organisation_id: int) -> LocalFrameworkVersion | None:
    return db.session.scalar(
        select(LocalFrameworkVersion)
        .where(LocalFrameworkVersion.organisation_id == organisation_id)
        .order_by(LocalFrameworkVersion.number.desc())
        .limit(1)
    )


def get_local_version(organisation_id: int, number: int) -> LocalFrameworkVersion | None:
    return db.session.scalar(
        select(LocalFrameworkVersion).where(
            LocalFrameworkVersion.organisation_id == organisation_id, LocalFrameworkVersion.number == number
        )
    )


def add_local_version(
    organisation_id: int, number: int, content: dict[str, Any], user_id: int
) -> LocalFrameworkVersion:
    version = LocalFrameworkVersion(
        organisation_id=organisation_id, number=number, content=content, created_by_id=user_id
    )
    db.session.add(version)
    db.session.flush()
    return version


@dataclass(frozen=True)
class RegisteredCertificate:
    """A certificate an organisation registered (uploaded) to sign its records with."""

    sha256: str
    organisation_code: str
    organisation_name: str


def registered_certificates() -> list[RegisteredCertificate]:
    query = select(OrganisationSettings.certificate_sha256, Organisation.code, Organisation.name).join(
        Organisation, Organisation.id == OrganisationSettings.organisation_id
    )
    query = query.where(OrganisationSettings.certificate_sha256.is_not(None))
    return [RegisteredCertificate(row[0] or "", row[1], row[2]) for row in db.session.execute(query)]


def count_signing_certificates(valid_at: datetime) -> int:
    """How many organisations have uploaded a signing certificate that has not expired by `valid_at`."""
    query = select(func.count(OrganisationSettings.organisation_id)).where(
        OrganisationSettings.certificate.is_not(None),
        OrganisationSettings.certificate_expires_at > valid_at,
    )
    return db.session.scalar(query) or 0


def certificate_pems(organisation_code: str | None = None) -> list[str]:
    """The public certificates organisations have uploaded (or only the one organisation's), to check the
    records they signed."""
    query = select(OrganisationSettings.certificate_pem).where(
        OrganisationSettings.certificate_pem.is_not(None)
    )
    if organisation_code is not None:
        query = query.join(Organisation, Organisation.id == OrganisationSettings.organisation_id).where(
            Organisation.code == organisation_code
        )
    return [pem for pem in db.session.scalars(query) if pem]
