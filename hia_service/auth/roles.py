"""Roles and what each may do. Pure: no Flask."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    REVIEWER = "reviewer"
    TRAINER = "trainer"
    ADMIN = "admin"
    # A training-only account: it can join training sessions and practise, and reach nothing else.
    TRAINEE = "trainee"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            raise ValueError(f"Unknown role '{value}'. Choose one of: {allowed}") from None


ROLE_LABELS = {
    Role.MANAGER: "Manager",
    Role.REVIEWER: "Governance reviewer",
    Role.TRAINER: "Trainer",
    Role.ADMIN: "Administrator",
    Role.TRAINEE: "Trainee",
}
