"""The area suggested when a district, ICB or Sub-ICB code is not found: only one clearly nearest."""

from __future__ import annotations

import pytest

from hia_service.domain.geography.codes import nearest_group
from hia_service.domain.geography.tables import GroupTable

ICBS = GroupTable(
    "icb",
    "April 2024",
    codes=("E54000048", "E54000050", "E54000057"),
    names=(
        "NHS Lancashire and South Cumbria Integrated Care Board",
        "NHS North East and North Cumbria Integrated Care Board",
        "NHS Greater Manchester Integrated Care Board",
    ),
    nhs_codes=("QE1", "QHM", "QOP"),
)


@pytest.mark.parametrize(
    ("given", "nearest"),
    [
        ("E5400048", "E54000048 (NHS Lancashire and South Cumbria Integrated Care Board)"),  # a 0 missing
        ("QOPP", "QOP (NHS Greater Manchester Integrated Care Board)"),  # an NHS code: shown as one
        (
            "nhs greater manchester integrated care bord",
            "E54000057 (NHS Greater Manchester Integrated Care Board)",
        ),
    ],
)
def test_the_one_nearest_area(given: str, nearest: str) -> None:
    assert nearest_group(given, ICBS) == nearest


@pytest.mark.parametrize("given", ["E5400005", "Manchester", "zzz", ""])
def test_nothing_when_none_is_near_or_two_are_as_near(given: str) -> None:
    # E5400005 is one digit from E54000050 and from E54000057 alike.
    assert nearest_group(given, ICBS) is None
