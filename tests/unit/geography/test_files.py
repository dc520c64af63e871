"""Uploaded lists of postcodes or LSOA codes: columns, counts, blank lines, junk and encodings."""

from __future__ import annotations

import pytest

from hia_service.domain.geography.errors import AreaDefinitionError
from hia_service.domain.geography.files import area_from_file


def test_single_column_of_postcodes_without_a_header() -> None:
    area = area_from_file(b"FY1 1AA\nfy11ab\n\n  \nFY1 1AD\n")
    assert area == {"type": "postcodes", "postcodes": ["FY1 1AA", "fy11ab", "FY1 1AD"], "blank_lines": 2}


def test_header_with_counts_and_other_columns_ignored() -> None:
    data = "\ufeffNHS number,Postcode,Patients\r\n123,FY1 1AA,3\r\n456,FY1 1AB,1\r\n".encode()
    area = area_from_file(data)
    assert area["postcodes"] == ["FY1 1AA", "FY1 1AB"] and area["counts"] == [3.0, 1.0]


def test_lsoa_codes_are_recognised_by_header_or_by_content() -> None:
    assert area_from_file(b"lsoa21_code,count\nE01000001,4\n")["type"] == "lsoa_codes"
    assert area_from_file(b"E01000001\nE01000002\n") == {
        "type": "lsoa_codes",
        "codes": ["E01000001", "E01000002"],
        "blank_lines": 0,
    }
    assert area_from_file(b"E01000001;2\nE01000002;5\n")["counts"] == [2.0, 5.0]


def test_junk_entries_are_kept_for_the_unmatched_list() -> None:
    area = area_from_file(b"postcode\nFY1 1AA\nnot known\n???\n")
    assert area["postcodes"] == ["FY1 1AA", "not known", "???"]


def test_utf16_with_bom_is_read() -> None:
    assert area_from_file("postcode\nFY1 1AA\n".encode("utf-16"))["postcodes"] == ["FY1 1AA"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"name,address\nJo Bloggs,FY1 1AA\n", "columns were not recognised"),
        (b"postcode\nFY1 1AA\n\x81\x8d\n", "not text we can read"),
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook"),
        (b"postcode,count\nFY1 1AA,three\n", "Line 2: the count 'three'"),
        (b"postcode,count\nFY1 1AA,-2\n", "Line 2"),
        (b"\n\n", "no postcodes"),
        (b"postcode\n", "nothing under it"),
        (b"postcode\nFY1\x001AA\n", "binary"),
    ],
)
def test_bad_files_get_a_specific_message(data: bytes, words: str) -> None:
    with pytest.raises(AreaDefinitionError, match=words):
        area_from_file(data)


def test_unrecognised_columns_message_hides_postcodes() -> None:
    with pytest.raises(AreaDefinitionError) as raised:
        area_from_file(b"Jo Bloggs,FY1 1AA,12 High Street\n")
    assert "FY1 1AA" not in raised.value.message and "(a postcode)" in raised.value.message


def test_a_count_with_commas_between_thousands_is_read_whole() -> None:
    area = area_from_file(b'lsoa21_code,count\nE01000001,"1,250"\nE01000002,"12,000.5"\n')
    assert area["counts"] == [1250.0, 12000.5]


@pytest.mark.parametrize("data", [b"lsoa21_code;count\nE01000001;2,5\n", b'postcode,count\nFY1 1AA,"1,5"\n'])
def test_a_count_with_a_decimal_comma_is_refused_not_read_as_ten_times_the_people(data: bytes) -> None:
    with pytest.raises(AreaDefinitionError, match=r"Line 2: the count .* has a decimal comma") as refused:
        area_from_file(data)
    assert refused.value.field == "file.line2"


def test_excel_csv_for_windows_is_read_with_its_accents() -> None:
    """Excel's plain "CSV (Comma delimited)" is Windows-1252: an accented name beside a postcode is fine."""
    data = "postcode,name\nFY1 1AN,Zoë\nFY1 1AP,£5 voucher\n".encode("cp1252")
    assert area_from_file(data)["postcodes"] == ["FY1 1AN", "FY1 1AP"]


def test_old_mac_line_endings_are_read() -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with a carriage return alone."""
    assert area_from_file(b"postcode\rFY1 1AN\rFY1 1AP\r")["postcodes"] == ["FY1 1AN", "FY1 1AP"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is an image"),
        (b"postcode\nFY1 1AN\n\x81\x8d\x8f\n", "not text we can read"),
    ],
)
def test_unreadable_files_say_why_in_plain_words(data: bytes, message: str) -> None:
    with pytest.raises(AreaDefinitionError, match=message) as raised:
        area_from_file(data)
    assert "byte" not in raised.value.message and "position" not in raised.value.message


def test_unrecognised_columns_name_the_headers_the_page_asks_for() -> None:
    """The upload's hint says a column headed "postcode" or "lsoa": the error says the same."""
    with pytest.raises(AreaDefinitionError, match="a 'postcode' or 'lsoa' column") as raised:
        area_from_file(b"name,area\nx,y\n")
    assert "lsoa21_code" not in raised.value.message
