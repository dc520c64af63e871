"""The deprivation releases the engine knows: which nation, which small-area geography, which domains.

Each nation's index ranks only that nation's areas, so each release is profiled on its own: deciles are
national deciles within that nation, and nothing is pooled or ranked across nations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    key: str  # stable key used in the profile JSON
    label: str  # plain-English name
    column: str  # column prefix in the published file, e.g. "Income" for Income_score / Income_decile


@dataclass(frozen=True)
class ReleaseInfo:
    id: str
    title: str
    nation: str
    nation_code: str
    geography: str  # e.g. "LSOA 2021"
    unit: str  # what one row is called in messages, e.g. "LSOA"
    code_pattern: re.Pattern[str]
    domains: tuple[Domain, ...]
    has_scores: bool
    # Area kinds this release can resolve. Scottish and Northern Irish indices come without boundaries or
    # population in the reference data, so only lists of their own area codes can be profiled.
    area_kinds: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.geography} ({self.nation})"


def _domains(*items: tuple[str, str, str]) -> tuple[Domain, ...]:
    return tuple(Domain(key, label, column) for key, label, column in items)


_INCOME = ("income", "Income", "Income")
_EMPLOYMENT = ("employment", "Employment", "Employment")
_EDUCATION = ("education", "Education, skills and training", "Education")
_HEALTH = ("health", "Health deprivation and disability", "Health")
_CRIME = ("crime", "Crime", "Crime")
_ENVIRONMENT = ("living_environment", "Living environment", "Environment")
_ACCESS = ("access_to_services", "Access to services", "Access")
_HOUSING = ("housing", "Housing", "Housing")

ALL_KINDS = frozenset({"lsoa_codes", "lad", "icb", "sub_icb", "geojson", "point_radius", "postcodes"})
CODES_ONLY = frozenset({"lsoa_codes"})

RELEASES: dict[str, ReleaseInfo] = {
    "IoD2025": ReleaseInfo(
        id="IoD2025",
        title="English Indices of Deprivation 2025",
        nation="England",
        nation_code="E92000001",
        geography="LSOA 2021",
        unit="LSOA",
        code_pattern=re.compile(r"^E01\d{6}$"),
        domains=_domains(
            _INCOME,
            _EMPLOYMENT,
            _EDUCATION,
            _HEALTH,
            _CRIME,
            ("barriers_to_housing_and_services", "Barriers to housing and services", "Housing_and_Services"),
            _ENVIRONMENT,
        ),
        has_scores=True,
        area_kinds=ALL_KINDS,
    ),
    "IoD2019": ReleaseInfo(
        id="IoD2019",
        title="English Indices of Deprivation 2019",
        nation="England",
        nation_code="E92000001",
        geography="LSOA 2011",
        unit="LSOA",
        code_pattern=re.compile(r"^E01\d{6}$"),
        domains=_domains(
            _INCOME,
            _EMPLOYMENT,
            _EDUCATION,
            _HEALTH,
            _CRIME,
            ("barriers_to_housing_and_services", "Barriers to housing and services", "Housing_and_Access"),
            _ENVIRONMENT,
        ),
        has_scores=False,  # the IoD2019 extract we hold has ranks and deciles only
        area_kinds=ALL_KINDS,
    ),
    "WIMD2019": ReleaseInfo(
        id="WIMD2019",
        title="Welsh Index of Multiple Deprivation 2019",
        nation="Wales",
        nation_code="W92000004",
        geography="LSOA 2011",
        unit="LSOA",
        code_pattern=re.compile(r"^W01\d{6}$"),
        domains=_domains(
            _INCOME,
            _EMPLOYMENT,
            _HEALTH,
            _EDUCATION,
            _ACCESS,
            _HOUSING,
            _CRIME,
            ("physical_environment", "Physical environment", "Environment"),
        ),
        has_scores=True,
        area_kinds=frozenset({"lsoa_codes", "lad", "geojson", "point_radius", "postcodes"}),
    ),
    "SIMD2020": ReleaseInfo(
        id="SIMD2020",
        title="Scottish Index of Multiple Deprivation 2020 (v2)",
        nation="Scotland",
        nation_code="S92000003",
        geography="Data Zone 2011",
        unit="data zone",
        code_pattern=re.compile(r"^S01\d{6}$"),
        domains=_domains(_INCOME, _EMPLOYMENT, _HEALTH, _EDUCATION, _HOUSING, _ACCESS, _CRIME),
        has_scores=False,
        area_kinds=CODES_ONLY,
    ),
    "NIMDM2017": ReleaseInfo(
        id="NIMDM2017",
        title="Northern Ireland Multiple Deprivation Measure 2017",
        nation="Northern Ireland",
        nation_code="N92000002",
        geography="Super Output Area 2001",
        unit="super output area",
        code_pattern=re.compile(r"^95[A-Z]{2}\d{2}[A-Z]\d{1,2}$"),
        domains=_domains(
            _INCOME,
            _EMPLOYMENT,
            _HEALTH,
            _EDUCATION,
            _ACCESS,
            ("living_environment", "Living environment", "Environment"),
            _CRIME,
        ),
        has_scores=False,
        area_kinds=CODES_ONLY,
    ),
}

DEFAULT_RELEASE = "IoD2025"

# Which release to suggest when a code or postcode belongs to another nation.
RELEASE_FOR_NATION = {
    "England": "IoD2025",
    "Wales": "WIMD2019",
    "Scotland": "SIMD2020",
    "Northern Ireland": "NIMDM2017",
}
