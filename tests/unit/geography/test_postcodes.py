"""Postcodes are normalised for lookup and only ever reported as masked sectors."""

from __future__ import annotations

import numpy as np

from hia_service.domain.geography import postcodes as pc
from hia_service.domain.geography.tables import PostcodeIndex


def test_normalise_accepts_every_uk_format() -> None:
    for raw, compact in [
        ("fy1 1aa", "FY11AA"),
        ("SW1A 2AA", "SW1A2AA"),
        (" M1  1AE ", "M11AE"),
        ("B338TH", "B338TH"),
        ("CR2 6XH", "CR26XH"),
        ("DN55 1PT", "DN551PT"),
    ]:
        assert pc.normalise(raw) == compact
    for junk in ("", "FY1", "12345", "FY1 1AAA", "Q1 1AA?"):
        assert pc.normalise(junk) is None


def test_mask_keeps_only_the_sector() -> None:
    assert pc.mask("SW1A2AA") == "SW1A 2**"
    assert pc.mask(None) == "(not a postcode)"


def test_unmatched_are_grouped_by_sector_and_reason() -> None:
    problems = pc.UnmatchedPostcodes()
    problems.add("FY11AA", "gone")
    problems.add("FY11AB", "gone", 2)
    problems.add(None, "junk")
    assert problems.entries() == [
        {"postcode": "FY1 1**", "count": 3, "reason": "gone"},
        {"postcode": "(not a postcode)", "count": 1, "reason": "junk"},
    ]


def test_index_finds_rows_and_misses() -> None:
    keys = np.array([b"AA11AA", b"BB11BB", b"CC11CC"], dtype="S7")
    zeros = np.zeros(3, dtype=np.int32)
    index = PostcodeIndex(keys, zeros, zeros, zeros.astype(np.uint8), zeros, zeros)
    query = np.array([b"CC11CC", b"ZZ99ZZ", b"", b"AA11AA"], dtype="S7")
    assert index.find(query).tolist() == [2, -1, -1, 0]


def test_one_postcode_is_found_as_a_list_of_them_is() -> None:
    keys = np.array([b"AA11AA", b"BB11BB", b"CC11CC"], dtype="S7")
    zeros = np.zeros(3, dtype=np.int32)
    index = PostcodeIndex(keys, zeros, zeros, zeros.astype(np.uint8), zeros, zeros)
    queries = ["CC11CC", "ZZ99ZZ", "A11AA", "BB11B", "BB11BBB", "AA11AA", "BB11BB"]
    found = index.find(np.array([q.encode() for q in queries], dtype="S7")).tolist()
    assert [index.find_one(q) for q in queries] == found == [2, -1, -1, -1, -1, 0, 1]
    empty = PostcodeIndex(keys[:0], zeros[:0], zeros[:0], zeros[:0].astype(np.uint8), zeros[:0], zeros[:0])
    assert empty.find_one("AA11AA") == -1
