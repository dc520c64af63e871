"""Read an uploaded list of postcodes or small-area codes (optionally with counts) into an area definition.

Accepted: CSV (comma, semicolon, tab or pipe) or plain text, UTF-8 (with or without BOM) or UTF-16 with a BOM.
Either one column of values, or a header naming the value column ("postcode", "lsoa21_code", ...) and
optionally a count column ("count", "patients", ...). Blank lines are skipped and counted. Entries that
are not postcodes or codes are kept, so the profile lists them as unmatched with a reason (postcodes masked).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from hia_service.domain.geography.definitions import without_thousands_commas
from hia_service.domain.geography.errors import AreaDefinitionError
from hia_service.domain.geography.postcodes import normalise

MAX_FILE_BYTES = 50_000_000
MAX_ROWS = 2_000_000  # the most postcodes a profile takes at once (definitions.MAX_POSTCODES)
MAX_FIELD_CHARS = 131_072  # the csv module's own limit per field; a postcode or code is under 20
FIELD = "file"
POSTCODE_HEADERS = {
    "postcode",
    "postcodes",
    "post code",
    "post_code",
    "pcode",
    "pcds",
    "pcd",
    "postcode_unit",
}
CODE_HEADERS = {
    "lsoa",
    "lsoa_code",
    "lsoa code",
    "lsoa21_code",
    "lsoa21cd",
    "lsoa11_code",
    "lsoa11cd",
    "lsoacd",
    "code",
    "area_code",
    "dz11_code",
    "datazone",
    "data_zone",
    "soa01_code",
    "soa_code",
}
COUNT_HEADERS = {
    "count",
    "counts",
    "n",
    "number",
    "patients",
    "people",
    "persons",
    "total",
    "frequency",
    "freq",
}
_CODE_RE = re.compile(r"^(E01|W01|S01)\d{6}$|^95[A-Z]{2}\d{2}[A-Z]\d{1,2}$")


def area_from_file(data: bytes, kind: str | None = None) -> dict[str, Any]:
    """An area definition dict ("postcodes" or "lsoa_codes") from the bytes of an uploaded file."""
    text = _decode(data)
    cells = _rows(text)
    blank = sum(1 for row in cells if not any(row))
    content = [(number, row) for number, row in enumerate(cells, start=1) if any(row)]
    if not content:
        raise AreaDefinitionError("The file has no postcodes or codes in it.", FIELD)
    value_col, count_col, header_kind, start = _columns(content[0][1])
    body = content[start:]
    if not body:
        raise AreaDefinitionError("The file has a header row but nothing under it.", FIELD)
    chosen = (
        kind or header_kind or _guess_kind([row[value_col] for _, row in body[:200] if len(row) > value_col])
    )
    if chosen not in ("postcodes", "lsoa_codes"):
        raise AreaDefinitionError(f"Unknown file kind {chosen!r}: use 'postcodes' or 'lsoa_codes'.", FIELD)
    values = [row[value_col] if len(row) > value_col else "" for _, row in body]
    definition: dict[str, Any] = {
        "type": chosen,
        "codes" if chosen == "lsoa_codes" else "postcodes": values,
        "blank_lines": blank,
    }
    if count_col is not None:
        definition["counts"] = [_count(row, count_col, number) for number, row in body]
    return definition


def _rows(text: str) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text), _dialect(text))
    try:
        for row in reader:
            if len(rows) == MAX_ROWS:
                raise AreaDefinitionError(
                    f"The file has more than {MAX_ROWS:,} lines; the most we take at once is {MAX_ROWS:,}.",
                    FIELD,
                )
            rows.append([cell.strip() for cell in row])
    except csv.Error as error:
        too_long = "field larger than field limit" in str(error)
        raise AreaDefinitionError(
            f"Line {reader.line_num}: a value is more than {MAX_FIELD_CHARS:,} characters long. Check the "
            "file is a list of postcodes or codes, one a line."
            if too_long
            else f"Line {reader.line_num} could not be read as CSV. Check it is a plain list of postcodes or "
            "codes, one a line, with any quotes in pairs.",
            FIELD,
        ) from None
    return rows


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise AreaDefinitionError(
            f"The file is {len(data) / 1e6:.0f} MB; the most we take is {MAX_FILE_BYTES / 1e6:.0f} MB.", FIELD
        )
    if data[:4] == b"PK\x03\x04" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise AreaDefinitionError(
            "This looks like an Excel workbook or a zip file. Save it as 'CSV UTF-8 (comma delimited)', "
            "not compressed, and try again.",
            FIELD,
        )
    # Compressed uploads are never unpacked (so no decompression bomb can be), just named.
    if data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00":
        raise AreaDefinitionError(
            "This is a compressed file. Upload the CSV itself, not a .gz, .bz2 or .xz copy.", FIELD
        )
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:4] in (b"GIF8", b"RIFF"):
        raise AreaDefinitionError("This is an image. Upload a CSV or text file of postcodes or codes.", FIELD)
    if data[:5] == b"%PDF-":
        raise AreaDefinitionError("This is a PDF. Upload a CSV or text file of postcodes or codes.", FIELD)
    try:
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV (Comma delimited)" on Windows writes Windows-1252: an accent in a name column
        # must not stop a list whose postcodes and codes are plain letters and numbers.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise AreaDefinitionError(
                "The file is not text we can read. Save it as 'CSV UTF-8' and try again.", FIELD
            ) from None
    if "\x00" in text:
        raise AreaDefinitionError("The file contains binary data; upload a CSV or text file.", FIELD)
    # Old Mac line endings (a carriage return alone), as Excel for Mac's "CSV (Macintosh)" writes them.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _columns(first: list[str]) -> tuple[int, int | None, str | None, int]:
    """Value column, count column, kind named by the header, and the index of the first data row."""
    names = [cell.lower().lstrip("\ufeff") for cell in first]
    value_col = next((i for i, n in enumerate(names) if n in POSTCODE_HEADERS | CODE_HEADERS), None)
    count_col = next((i for i, n in enumerate(names) if n in COUNT_HEADERS), None)
    if value_col is not None:
        kind = "postcodes" if names[value_col] in POSTCODE_HEADERS else "lsoa_codes"
        return value_col, count_col, kind, 1
    if _looks_like_value(first[0]) and (len(first) == 1 or (len(first) == 2 and _is_number(first[1]))):
        return 0, 1 if len(first) == 2 else None, None, 0
    raise AreaDefinitionError(
        "The file's columns were not recognised. Use one column of postcodes or LSOA codes, or a header row "
        f"with a 'postcode' or 'lsoa' column and optionally a 'count' column. Found: {_safe(first)}.",
        FIELD,
    )


def _safe(cells: list[str]) -> str:
    """The first row for an error message, with anything that looks like a postcode hidden."""
    shown = ["(a postcode)" if normalise(cell) else cell[:30] for cell in cells[:6]]
    return ", ".join(shown) + (", ..." if len(cells) > 6 else "")


def _looks_like_value(cell: str) -> bool:
    return normalise(cell) is not None or bool(_CODE_RE.match(cell.strip().upper()))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _guess_kind(values: list[str]) -> str:
    codes = sum(1 for v in values if _CODE_RE.match(v.strip().upper()))
    return "lsoa_codes" if codes > len(values) / 2 else "postcodes"


def _count(row: list[str], column: int, line: int) -> float:
    cell = row[column] if len(row) > column else ""
    plain = without_thousands_commas(cell)
    if plain is None:
        raise AreaDefinitionError(
            f"Line {line}: the count {cell[:20]!r} has a decimal comma. Use a full stop (2.5) or whole "
            "numbers.",
            f"{FIELD}.line{line}",
        )
    try:
        value = float(plain)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise AreaDefinitionError(
            f"Line {line}: the count {cell[:20]!r} is not a number of people (0 or more).",
            f"{FIELD}.line{line}",
        )
    return value
