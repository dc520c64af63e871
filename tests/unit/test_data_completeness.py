"""Patient-list completeness: unknown ethnicity, age and sex counted from the CSV; only counts kept."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.data_completeness import data_gaps, list_completeness


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        ("postcode\nLS1 1AA\n", None),  # nothing to count
        (
            "postcode,ethnicity,age,sex\nLS1 1AA,A,34,1\nLS1 1AB,Z,,2\nLS1 1AC,,71,0\nLS1 1AD,99,5,9\n",
            {"records": 4, "unknown": {"ethnicity": 3, "age": 1, "sex": 2}},
        ),
        (
            "Postcode;Ethnic Group;Gender\nLS1 1AA;Not stated;Female\nLS1 1AB;White British;unknown\n\n",
            {"records": 2, "unknown": {"ethnicity": 1, "sex": 1}},
        ),
        (
            "postcode,age-band\nLS1 1AA,65-74\nLS1 1AB,\n",  # short row: the missing cell is unknown
            {"records": 2, "unknown": {"age": 1}},
        ),
        ("", None),
    ],
)
def test_list_completeness(csv_text: str, expected: dict[str, Any] | None) -> None:
    assert list_completeness(csv_text.encode()) == expected


def test_no_postcode_or_row_is_kept() -> None:
    found = list_completeness(b"postcode,sex\nLS1 1AA,1\n")
    assert "LS1" not in repr(found)


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (None, []),
        ({"population": 1000, "unmatched": []}, []),  # a named area: no patient list, no gap
        (
            {
                "population": 95,
                "unmatched": [{"postcode": "ZZ9 9**", "count": 5}],
                "completeness": {"source": "patient list"},
            },
            [("unmatched", 5.0, 100.0)],
        ),
        (
            {
                "population": 100,
                "unmatched": [],
                "completeness": {"source": "patient list", "records": 100, "unknown": {"ethnicity": 12}},
            },
            [("unmatched", 0.0, 100.0), ("ethnicity", 12.0, 100)],
        ),
    ],
)
def test_data_gaps(profile: dict[str, Any] | None, expected: list[tuple[str, float, float]]) -> None:
    assert [(g.id, g.missing, g.total) for g in data_gaps(profile)] == expected


def test_gap_sentence() -> None:
    (gap,) = data_gaps(
        {"population": 900, "unmatched": [{"postcode": "ZZ9 9**", "count": 100}], "completeness": {"x": 1}}
    )
    assert gap.sentence() == (
        "100 of 1,000 records (10%) could not be matched to a neighbourhood, so their deprivation is unknown"
    )
