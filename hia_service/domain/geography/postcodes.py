"""Postcodes: normalising, masking and looking them up. Postcodes are personal data in a patient list, so they
are never stored, logged or echoed; anything we report shows only the postcode sector ("FY1 1**")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# Outward code (A9, A99, AA9, AA99, A9A, AA9A) + inward code (9AA), spaces removed.
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_SPACES = re.compile(r"\s+")
NOT_A_POSTCODE = "(not a postcode)"
# Crown dependencies and Northern Ireland are not in Code-Point Open (Great Britain only).
_NOT_GB = {"BT": "Northern Ireland", "GY": "Guernsey", "JE": "Jersey", "IM": "the Isle of Man"}


def normalise(raw: str) -> str | None:
    """Upper case, no spaces; None when it is not in the shape of a UK postcode."""
    compact = _SPACES.sub("", raw).upper()
    return compact if POSTCODE_RE.match(compact) else None


def mask(compact: str | None) -> str:
    """The postcode sector with the unit hidden: "FY11AA" -> "FY1 1**"."""
    if compact is None:
        return NOT_A_POSTCODE
    return f"{compact[:-3]} {compact[-3]}**"


def outside_great_britain(compact: str) -> str | None:
    """Where a postcode is, when that place is outside Code-Point Open's coverage."""
    return _NOT_GB.get(compact[:2])


@dataclass(frozen=True)
class NormalisedList:
    keys: NDArray[np.bytes_]  # S7, one per input entry; b"" where the entry is not a postcode
    valid: NDArray[np.bool_]


def normalise_all(postcodes: Sequence[str]) -> NormalisedList:
    compact = [normalise(p) for p in postcodes]
    keys = np.array([c.encode("ascii") if c else b"" for c in compact], dtype="S7")
    return NormalisedList(keys, np.array([c is not None for c in compact], dtype=bool))


class UnmatchedPostcodes:
    """Collects postcodes we could not use, keeping only masked sectors and counts."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], float] = {}  # patient-list counts may be fractional

    def add(self, compact: str | None, reason: str, count: float = 1) -> None:
        key = (mask(compact), reason)
        self._counts[key] = self._counts.get(key, 0) + count

    def entries(self) -> list[dict[str, object]]:
        rows = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
        return [
            {"postcode": masked, "count": _number(count), "reason": reason}
            for (masked, reason), count in rows
        ]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 2)
