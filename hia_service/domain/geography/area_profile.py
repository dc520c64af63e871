"""AreaProfile: the deprivation profile of the people an area takes in, as one typed, frozen value.

Every door (the wizard's area page, training, the API, organisation settings, scoring and the documents) gets
its profile from `services.areas` as an AreaProfile. Its JSON form is the one stored with an assessment and
given by the API (`to_json`); `from_json` is the one way back, and reads profiles stored before this value
existed too (they lack `provenance`; some call the nation baseline "england").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any

Json = dict[str, Any]
# Places already read from one engine's profiles, by (release, kind, code): a local authority's or ICB's
# figures are the same in every profile the engine makes with a release, and a 60 km circle touches dozens.
KnownPlaces = MutableMapping[tuple[str, str, str], "Place"]
# The parts of a profile's JSON, in order (here, not beside the numpy code that works them out, so that
# reading a stored profile needs no numpy or shapely).
PROFILE_KEYS = (
    "release",
    "geography",
    "area",
    "lsoa_count",
    "population",
    "population_by_decile",
    "share_by_quintile",
    "core20_share",
    "mean_imd_score",
    "mean_imd_rank",
    "share_lsoas_most_deprived_10pct",
    "domains",
    "baseline",
    "relative_core20",
    "concentration_index",
    "unmatched",
    "method",
    "notes",
)


def _number(value: Any) -> float | None:
    """A stored figure, or None where it is missing or not a finite number (old or hand-made records)."""
    kind = type(value)  # exact types first: a page reads a thousand figures or more from each profile
    figure: float = value
    if kind is float:
        return figure if math.isfinite(figure) else None
    if kind is int:
        return figure
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def _numbers(value: Any) -> tuple[float | None, ...] | None:
    if not isinstance(value, list | tuple):
        return None
    return tuple([_number(v) for v in value])


def _frozen(value: Any) -> Mapping[str, Any]:
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else MappingProxyType({})


_LEAVES = (str, int, float, bool, type(None))
_MAPPINGS = (dict, MappingProxyType, Mapping)  # the usual ones checked before the ABC


def _thawed(value: Any) -> Any:
    """Plain JSON from the read-only mappings and tuples a profile holds."""
    # Leaves and the usual mappings first: an isinstance check against Mapping (an ABC) is slow, and a
    # profile holds thousands of leaves (the API answers every call with one).
    if isinstance(value, _LEAVES):
        return value
    if isinstance(value, _MAPPINGS):
        return {str(k): _thawed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_thawed(v) for v in value]
    return value


@dataclass(frozen=True)
class Figures:
    """The headline figures of one set of people: the area's, or a comparator's (nation, authority, ICB)."""

    lsoa_count: int | None = None
    population: float | None = None
    population_by_decile: tuple[float | None, ...] | None = None
    share_by_quintile: tuple[float | None, ...] | None = None
    core20_share: float | None = None
    mean_imd_score: float | None = None
    mean_imd_rank: float | None = None
    share_lsoas_most_deprived_10pct: float | None = None
    concentration_index: float | None = None

    @staticmethod
    def headline_json(data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "lsoa_count": int(data["lsoa_count"]) if _number(data.get("lsoa_count")) is not None else None,
            "population": _number(data.get("population")),
            "population_by_decile": _numbers(data.get("population_by_decile")),
            "share_by_quintile": _numbers(data.get("share_by_quintile")),
            **{
                key: _number(data.get(key))
                for key in (
                    "core20_share",
                    "mean_imd_score",
                    "mean_imd_rank",
                    "share_lsoas_most_deprived_10pct",
                    "concentration_index",
                )
            },
        }

    def headline(self) -> Json:
        # Every field is a number, None or a tuple of those.
        out: Json = {}
        for key in HEADLINE_FIELDS:
            value = getattr(self, key)
            out[key] = list(value) if isinstance(value, tuple) else value
        return out


HEADLINE_FIELDS = tuple(f.name for f in fields(Figures))
_PLACE_LISTS = ("population_by_decile", "share_by_quintile")  # the lists in a place's JSON


@dataclass(frozen=True)
class Place(Figures):
    """A named comparator: a nation, local authority, ICB, or the population the organisation serves."""

    code: str = ""
    name: str = ""
    vintage: str | None = None
    release: str | None = None  # only the organisation's: which release its figures were worked out with

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Place:
        return cls(
            code=str(data.get("code") or ""),
            name=str(data.get("name") or ""),
            vintage=str(data["vintage"]) if data.get("vintage") is not None else None,
            release=str(data["release"]) if data.get("release") is not None else None,
            **Figures.headline_json(data),
        )

    def to_json(self) -> Json:
        # A copy of the JSON worked out once: the place is frozen, and read from many profiles (KnownPlaces).
        out = dict(self._json)
        for key in _PLACE_LISTS:
            if out[key] is not None:
                out[key] = list(out[key])
        return out

    @cached_property
    def _json(self) -> Json:
        out: Json = {}
        if self.code:
            out["code"] = self.code
        if self.name:
            out["name"] = self.name
        if self.vintage is not None:
            out["vintage"] = self.vintage
        if self.release is not None:
            out["release"] = self.release
        return {**out, **self.headline()}


@dataclass(frozen=True)
class Baselines:
    """What the area is compared with: its nation, the local authorities and ICBs it touches, and (when the
    organisation has set it up) the population the organisation serves."""

    nation: Place | None = None
    local_authorities: tuple[Place, ...] = ()
    icbs: tuple[Place, ...] = ()
    organisation: Place | None = None

    @classmethod
    def from_json(cls, data: Any, release: str = "", known: KnownPlaces | None = None) -> Baselines:
        """`known`: places already read from the same engine's profiles with this release (never the
        organisation's, which is not the engine's)."""
        if not isinstance(data, Mapping):
            return cls()
        nation = data.get("nation") or data.get("england")

        def place(kind: str, found: Mapping[str, Any]) -> Place:
            code = found.get("code")
            if known is None or not code or not isinstance(code, str):
                return Place.from_json(found)
            key = (release, kind, code)
            kept = known.get(key)
            if kept is None:
                kept = known[key] = Place.from_json(found)
            return kept

        def places(key: str) -> tuple[Place, ...]:
            return tuple(place(key, p) for p in data.get(key) or () if isinstance(p, Mapping))

        organisation = data.get("organisation")
        return cls(
            nation=place("nation", nation) if isinstance(nation, Mapping) else None,
            local_authorities=places("local_authorities"),
            icbs=places("icbs"),
            organisation=Place.from_json(organisation) if isinstance(organisation, Mapping) else None,
        )

    def to_json(self) -> Json:
        out: Json = {}
        if self.nation is not None:
            out["nation"] = self.nation.to_json()
        out["local_authorities"] = [p.to_json() for p in self.local_authorities]
        out["icbs"] = [p.to_json() for p in self.icbs]
        if self.organisation is not None:
            out["organisation"] = self.organisation.to_json()
        return out


@dataclass(frozen=True)
class DomainFigures:
    label: str
    mean_score: float | None
    share_deciles_1_2: float | None


@dataclass(frozen=True)
class RuralClass:
    code: str
    label: str
    rural: bool
    people: float | None
    share: float | None


@dataclass(frozen=True)
class Rurality:
    """The people affected by 2021 rural-urban class (every class, most urban first)."""

    classification: str
    classes: tuple[RuralClass, ...]
    rural_share: float | None

    @classmethod
    def from_json(cls, data: Any) -> Rurality | None:
        if not isinstance(data, Mapping):
            return None
        return cls(
            classification=str(data.get("classification") or ""),
            classes=tuple(
                RuralClass(
                    str(c.get("code") or ""),
                    str(c.get("label") or ""),
                    bool(c.get("rural")),
                    _number(c.get("people")),
                    _number(c.get("share")),
                )
                for c in data.get("classes") or ()
                if isinstance(c, Mapping)
            ),
            rural_share=_number(data.get("rural_share")),
        )

    def to_json(self) -> Json:
        return {
            "classification": self.classification,
            "classes": [
                {"code": c.code, "label": c.label, "rural": c.rural, "people": c.people, "share": c.share}
                for c in self.classes
            ],
            "rural_share": self.rural_share,
        }


@dataclass(frozen=True)
class Barriers:
    """The people affected by national decile of the barriers to housing and services (or access to
    services) domain; index 0 is decile 1, the most deprived."""

    domain: str
    label: str
    people_by_decile: tuple[float | None, ...] | None
    share_by_decile: tuple[float | None, ...] | None
    share_deciles_1_2: float | None

    @classmethod
    def from_json(cls, data: Any) -> Barriers | None:
        if not isinstance(data, Mapping):
            return None
        return cls(
            domain=str(data.get("domain") or ""),
            label=str(data.get("label") or ""),
            people_by_decile=_numbers(data.get("people_by_decile")),
            share_by_decile=_numbers(data.get("share_by_decile")),
            share_deciles_1_2=_number(data.get("share_deciles_1_2")),
        )

    def to_json(self) -> Json:
        return {
            "domain": self.domain,
            "label": self.label,
            "people_by_decile": _thawed(self.people_by_decile),
            "share_by_decile": _thawed(self.share_by_decile),
            "share_deciles_1_2": self.share_deciles_1_2,
        }


@dataclass(frozen=True)
class Provenance:
    """Where a profile came from: the release and reference snapshot it was worked out with, how the person
    chose the area (`method`: "named", "lsoa_codes", "point_radius", "geojson", "patient_list"...), and what
    they gave, in their own words (a postcode and "5 km"; the search they picked from). Never a patient
    list's postcodes: a list is kept as counts per neighbourhood."""

    release: str
    checksum: str
    method: str
    inputs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_json(cls, data: Any) -> Provenance | None:
        if not isinstance(data, Mapping):
            return None
        inputs = data.get("inputs")
        return cls(
            release=str(data.get("release") or ""),
            checksum=str(data.get("checksum") or ""),
            method=str(data.get("method") or ""),
            inputs=MappingProxyType(
                {str(k): str(v) for k, v in inputs.items()} if isinstance(inputs, Mapping) else {}
            ),
        )

    def to_json(self) -> Json:
        return {
            "release": self.release,
            "checksum": self.checksum,
            "method": self.method,
            "inputs": dict(self.inputs),
        }


@dataclass(frozen=True)
class AreaProfile(Figures):
    """The people an area takes in, profiled against one release of an Index of Multiple Deprivation."""

    release: str = ""
    geography: str = ""
    area: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # as resolved
    domains: Mapping[str, DomainFigures] = field(default_factory=lambda: MappingProxyType({}))
    baseline: Baselines = field(default_factory=Baselines)
    relative_core20: float | None = None
    unmatched: tuple[Mapping[str, Any], ...] = ()
    method: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()
    completeness: Mapping[str, Any] | None = None  # what a patient list leaves unknown
    provenance: Provenance | None = None  # None only on profiles stored before it was recorded
    # None where the release has no rural-urban classification or barriers domain, and on older profiles.
    rurality: Rurality | None = None
    barriers: Barriers | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any], known: KnownPlaces | None = None) -> AreaProfile:
        """`known`: the places already read from the profiles of the engine that made `data` (see
        KnownPlaces), to read each once; None for a stored profile."""
        domains = data.get("domains")
        completeness = data.get("completeness")
        release = str(data.get("release") or "")
        return cls(
            release=release,
            geography=str(data.get("geography") or ""),
            area=_frozen(data.get("area")),
            domains=MappingProxyType(
                {
                    str(key): DomainFigures(
                        str(value.get("label") or key),
                        _number(value.get("mean_score")),
                        _number(value.get("share_deciles_1_2")),
                    )
                    for key, value in (domains.items() if isinstance(domains, Mapping) else ())
                    if isinstance(value, Mapping)
                }
            ),
            baseline=Baselines.from_json(data.get("baseline"), release, known),
            relative_core20=_number(data.get("relative_core20")),
            unmatched=tuple(_frozen(u) for u in data.get("unmatched") or () if isinstance(u, Mapping)),
            method=MappingProxyType({str(k): str(v) for k, v in _frozen(data.get("method")).items()}),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            completeness=_frozen(completeness) if isinstance(completeness, Mapping) else None,
            provenance=Provenance.from_json(data.get("provenance")),
            rurality=Rurality.from_json(data.get("rurality")),
            barriers=Barriers.from_json(data.get("barriers")),
            **Figures.headline_json(data),
        )

    def to_json(self) -> Json:
        """The stored and API form: the engine's keys in its order (its optional rurality and barriers
        last), then completeness and provenance."""
        out: Json = {
            "release": self.release,
            "geography": self.geography,
            "area": _thawed(self.area),
            **{k: v for k, v in self.headline().items() if k != "concentration_index"},
            "domains": {
                key: {"label": d.label, "mean_score": d.mean_score, "share_deciles_1_2": d.share_deciles_1_2}
                for key, d in self.domains.items()
            },
            "baseline": self.baseline.to_json(),
            "relative_core20": self.relative_core20,
            "concentration_index": self.concentration_index,
            "unmatched": _thawed(self.unmatched),
            "method": dict(self.method),
            "notes": list(self.notes),
        }
        assert tuple(out) == PROFILE_KEYS
        if self.rurality is not None:
            out["rurality"] = self.rurality.to_json()
        if self.barriers is not None:
            out["barriers"] = self.barriers.to_json()
        if self.completeness is not None:
            out["completeness"] = _thawed(self.completeness)
        if self.provenance is not None:
            out["provenance"] = self.provenance.to_json()
        return out

    @property
    def nation_name(self) -> str:
        return self.baseline.nation.name if self.baseline.nation and self.baseline.nation.name else "England"

    def with_note(self, note: str) -> AreaProfile:
        return replace(self, notes=(*self.notes, note))

    def compared_with_organisation(self, served: Place) -> AreaProfile:
        return replace(self, baseline=replace(self.baseline, organisation=served))

    def as_place(self, name: str) -> Place:
        """The profile's headline figures as a comparator (the population an organisation serves)."""
        figures = {f.name: getattr(self, f.name) for f in fields(Figures)}
        return Place(name=name, release=self.release, **figures)


ProfileLike = AreaProfile | Mapping[str, Any]


def as_area_profile(profile: ProfileLike | None) -> AreaProfile | None:
    """The value from either form. The library's entry points (scoring, screening, quality checks, the
    documents) also take the JSON form, as stored with a record or held in a document's snapshot."""
    if profile is None or isinstance(profile, AreaProfile):
        return profile
    return AreaProfile.from_json(profile)
