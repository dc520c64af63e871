"""The demo organisation: one user per role, so a new install can be tried at once."""

from __future__ import annotations

from dataclasses import dataclass

from hia_service.auth.roles import Role
from hia_service.data import accounts
from hia_service.services.accounts.people import create_organisation, create_user

DEMO_ORG_CODE = "DEMO"
DEMO_ORG_NAME = "Northshire Demonstration NHS Foundation Trust"
DEMO_PASSWORD = "demo-password-2026"  # published on purpose: demo accounts only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    password: str
    created: bool


def seed_demo() -> list[DemoAccount]:
    """Create the demo organisation and its users if missing. Safe to run again."""
    if accounts.get_organisation_by_code(DEMO_ORG_CODE) is None:
        create_organisation(DEMO_ORG_CODE, DEMO_ORG_NAME)
    result = []
    for role in Role:
        email = f"{role.value}@demo.hia.nhs.example"
        exists = accounts.get_user_by_email(email) is not None
        if not exists:
            create_user(email, f"Demo {role.label.lower()}", role.value, DEMO_ORG_CODE, DEMO_PASSWORD)
        result.append(DemoAccount(email, role, DEMO_PASSWORD, created=not exists))
    return result
