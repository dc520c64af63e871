"""How complete a profiled patient list is: records not matched to a neighbourhood, and, where the list has
them, records with no known ethnicity, age or sex.

NHS England's statement on information on health inequalities (NHS Act 2006, section 13SA) asks for
breakdowns by deprivation, ethnicity, age and sex with the share recorded as unknown, so an assessment built
on a patient list reports those shares as a data gap. Only counts are kept: never a postcode or a row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from hia_service.domain.geography.area_profile import ProfileLike, as_area_profile

# Column headings we recognise (lower case, spaces and hyphens read as "_").
FIELD_HEADINGS: dict[str, tuple[str, ...]] = {
    "ethnicity": ("ethnicity", "ethnic_group", "ethnic_category", "ethnic_origin", "ethnicity_code"),
    "age": ("age", "age_band", "age_group", "age_years", "date_of_birth", "dob", "year_of_birth"),
    "sex": ("sex", "gender", "sex_code", "gender_code", "person_stated_gender_code"),
}
FIELD_LABELS = {"ethnicity": "ethnicity", "age": "age", "sex": "sex"}
# Values that record nothing. Z and 99 are the NHS ethnic category codes for "not stated" and "not known";
# 0 and 9 the NHS sex codes for "not known" and "not specified".
UNKNOWN_VALUES = {
    "",
    "unknown",
    "not known",
    "not stated",
    "not recorded",
    "not specified",
    "n/a",
    "na",
    "null",
}
UNKNOWN_CODES: dict[str, set[str]] = {"ethnicity": {"z", "99"}, "age": set(), "sex": {"0", "9"}}
MAX_ROWS = 2_000_000


@dataclass(frozen=True)
class DataGap:
    """One share of records with something missing, to report and to close."""

    id: str  # "unmatched", "ethnicity", "age", "sex"
    what: str  # plain words for the missing thing
    missing: float  # records (or patients) with it missing
    total: float

    @property
    def share(self) -> float:
        return self.missing / self.total if self.total else 0.0

    def sentence(self) -> str:
        return f"{_whole(self.missing)} of {_whole(self.total)} records ({self.share:.0%}) {self.what}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "what": self.what, "missing": self.missing, "total": self.total}


def list_completeness(data: bytes) -> dict[str, Any] | None:
    """Counts of unknown ethnicity, age and sex in a patient-list CSV, or None if it has none of them.

    Reads only the heading row and the recognised columns; nothing else about a row is kept."""
    # Read as the list's own parser reads it (geography.files): UTF-16 when it starts with a UTF-16 BOM.
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    text = data.decode("utf-16" if utf16 else "utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text), _dialect(text))
    try:
        header = next(rows, None)
        if not header:
            return None
        columns = _recognised(header)
        if not columns:
            return None
        records, unknown = 0, dict.fromkeys(columns, 0)
        for number, row in enumerate(rows):
            if number >= MAX_ROWS or not any(cell.strip() for cell in row):
                continue
            records += 1
            for field, index in columns.items():
                value = row[index].strip().lower() if index < len(row) else ""
                if value in UNKNOWN_VALUES or value in UNKNOWN_CODES[field]:
                    unknown[field] += 1
    except csv.Error:  # e.g. a field over csv's length limit: too damaged to count, so count nothing
        return None
    return {"records": records, "unknown": unknown}


def data_gaps(given: ProfileLike | None) -> list[DataGap]:
    """The gaps a profiled patient list shows: unmatched records, then unknown ethnicity, age and sex."""
    profile = as_area_profile(given)
    if profile is None:
        return []
    gaps: list[DataGap] = []
    unmatched = sum(_count(u.get("count")) for u in profile.unmatched)
    completeness = profile.completeness or {}
    from_list = bool(completeness)  # only a patient list carries it; an area's population has no "unmatched"
    population = profile.population
    if from_list and population is not None and population + unmatched > 0:
        gaps.append(
            DataGap(
                "unmatched",
                "could not be matched to a neighbourhood, so their deprivation is unknown",
                unmatched,
                float(population) + unmatched,
            )
        )
    records = completeness.get("records") or 0
    for field, missing in (completeness.get("unknown") or {}).items():
        if field in FIELD_LABELS and records:
            gaps.append(DataGap(field, f"have no {FIELD_LABELS[field]} recorded", float(missing), records))
    return gaps


def _count(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value else 1.0


def _recognised(header: list[str]) -> dict[str, int]:
    names = ["_".join(cell.strip().lower().replace("-", " ").split()) for cell in header]
    found: dict[str, int] = {}
    for field, headings in FIELD_HEADINGS.items():
        index = next((i for i, name in enumerate(names) if name in headings), None)
        if index is not None:
            found[field] = index
    return found


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _whole(value: float) -> str:
    return f"{value:,.0f}"
