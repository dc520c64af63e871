"""Reading a scenario's cited figure out of a deprivation profile, so tests can prove the figure is real."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hia_service.domain.training.model import Figure


def profile_value(profile: Mapping[str, Any], field: str) -> float:
    """The value at a dotted path like "domains.health.share_deciles_1_2"; KeyError if absent."""
    value: Any = profile
    for part in field.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return float(value)


def figure_holds(figure: Figure, profile: Mapping[str, Any]) -> bool:
    """True when the profile's value, rounded as the scenario states it, is the stated value."""
    return round(profile_value(profile, figure.field), figure.places) == round(figure.value, figure.places)
