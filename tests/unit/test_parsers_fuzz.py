"""Every parser of untrusted input, fuzzed: area definitions (LSOA codes, postcodes, points), patient-list
files, GeoJSON (objects and text), JSON nesting, rules YAML, and dates as typed into forms. Each either
succeeds or raises its documented error type, with a message; nothing else escapes."""

from __future__ import annotations

import json
import math
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hia_service.domain.framework.source import RulesError, parse_yaml
from hia_service.domain.framework.validation import parse_date
from hia_service.domain.geography.definitions import AREA_TYPES, parse_area
from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.errors import AreaDefinitionError, GeographyError
from hia_service.domain.geography.files import CODE_HEADERS, COUNT_HEADERS, POSTCODE_HEADERS, area_from_file
from hia_service.domain.geography.postcodes import normalise
from hia_service.domain.geography.shapes import parse_geojson
from hia_service.domain.rules import DEFAULT_RULES_DIR, load_rules
from hia_service.domain.untrusted_json import nesting_depth, too_deep
from tests.fuzz_counts import fuzz_settings, tried
from tests.unit.geography.conftest import CODES21, engine, tiny_dir  # noqa: F401 (session fixtures)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)
codeish = st.sampled_from(
    [*CODES21, "E01999999", "e01000001 ", "W01000001", "S01000001", "E02000001"]
) | st.text(max_size=12)
postcodeish = st.from_regex(r"[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}", fullmatch=True) | st.text(max_size=10)


class Quiet:
    """Fixture values with a short repr, for hypothesis's failure reports."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<tiny engine>"


@pytest.fixture(scope="module")
def tiny(engine: GeographyEngine) -> Quiet:  # noqa: F811
    return Quiet(engine)


@st.composite
def areas(draw: st.DrawFn) -> Any:
    """Area definitions near the real ones: a known type with plausible and implausible members."""
    kind = draw(st.sampled_from([*AREA_TYPES, "LSOA_CODES", "nonsense"]))
    area: dict[str, Any] = {"type": kind}
    members = {
        "codes": st.lists(codeish | json_scalars, max_size=8)
        | st.lists(st.fixed_dictionaries({"code": codeish, "count": json_scalars}), max_size=5)
        | json_values,
        "postcodes": st.lists(postcodeish, max_size=8)
        | st.lists(st.fixed_dictionaries({"postcode": postcodeish, "count": json_scalars}), max_size=5),
        "postcode": postcodeish,
        "radius_km": st.floats() | st.integers() | st.text(max_size=5),
        "latitude": st.floats(),
        "longitude": st.floats(),
        "method": st.sampled_from(["centroid", "area", "pwc", "bogus"]),
    }
    for key in draw(st.sets(st.sampled_from(sorted(members)))):
        area[key] = draw(members[key])
    return draw(st.just(area) | json_values)


@fuzz_settings(300)
@given(area=areas(), method=st.none() | st.sampled_from(["centroid", "area", "pwc", "x"]))
def test_area_definitions_raise_only_area_errors(area: Any, method: str | None) -> None:
    tried("parser: area definition")
    try:
        parse_area(area, method)
    except AreaDefinitionError as error:
        assert error.message


@fuzz_settings(200)
@given(area=areas(), release=st.none() | st.sampled_from(["IoD2025", "IoD2019", "WIMD2019", "nope"]))
def test_profiles_of_arbitrary_areas_raise_only_geography_errors(
    tiny: Quiet, area: Any, release: str | None
) -> None:
    tried("engine: arbitrary area definitions")
    try:
        result = tiny.value.profile(area, release=release)
    except GeographyError as error:
        assert error.message
    else:
        assert sum(result["population_by_decile"]) == pytest.approx(result["population"])


@fuzz_settings(300)
@given(text=st.text(max_size=20))
def test_postcode_normalising_never_raises(text: str) -> None:
    tried("parser: postcode")
    compact = normalise(text)
    assert compact is None or (compact == compact.upper() and " " not in compact and 5 <= len(compact) <= 7)


@st.composite
def patient_files(draw: st.DrawFn) -> bytes:
    """CSV-ish files: a header (or none), a delimiter, rows of postcodes/codes/counts/junk, an encoding."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " "]))
    header = draw(
        st.lists(
            st.sampled_from(sorted(POSTCODE_HEADERS | CODE_HEADERS | COUNT_HEADERS)) | st.text(max_size=8),
            max_size=3,
        )
    )
    rows = draw(
        st.lists(
            st.lists(postcodeish | codeish | st.integers(-5, 10**6).map(str), min_size=1, max_size=3),
            max_size=12,
        )
    )
    lines = [delimiter.join(header)] if header else []
    lines += [delimiter.join(row) for row in rows]
    text = draw(st.sampled_from(["\n", "\r\n", "\n\n"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@fuzz_settings(300)
@given(data=patient_files() | st.binary(max_size=300))
def test_patient_list_files_raise_only_area_errors(data: bytes) -> None:
    tried("parser: patient list file (CSV)")
    try:
        area = area_from_file(data)
    except AreaDefinitionError as error:
        assert error.message
    else:
        assert area["type"] in ("postcodes", "lsoa_codes")


coordinate = st.floats(allow_nan=True, allow_infinity=True) | st.floats(-10, 10) | st.integers(-1000, 1000)
ring = st.lists(st.lists(coordinate, min_size=0, max_size=3), max_size=8)
geometry = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["Polygon", "MultiPolygon", "Point", "LineString", "GeometryCollection", "x"]
        ),
        "coordinates": st.lists(ring, max_size=3)
        | st.lists(st.lists(ring, max_size=2), max_size=2)
        | json_values,
    }
)
geojson_documents = (
    geometry
    | st.fixed_dictionaries({"type": st.just("Feature"), "geometry": geometry | json_values})
    | st.fixed_dictionaries(
        {
            "type": st.just("FeatureCollection"),
            "features": st.lists(
                st.fixed_dictionaries({"type": st.just("Feature"), "geometry": geometry}), max_size=3
            )
            | json_values,
        }
    )
    | json_values
)


@fuzz_settings(300)
@given(document=geojson_documents, as_text=st.booleans())
def test_geojson_raises_only_area_errors(document: Any, as_text: bool) -> None:
    tried("parser: GeoJSON")
    try:
        parse_geojson(json.dumps(document) if as_text else document)
    except AreaDefinitionError as error:
        assert error.message
    except ValueError as error:  # json.dumps of nan in a mapping input never reaches us; guard the test
        raise AssertionError(f"escaped: {error!r}") from error


@fuzz_settings(200)
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_geojson_text_raises_only_area_errors(text: str) -> None:
    tried("parser: GeoJSON text")
    with pytest.raises(AreaDefinitionError):
        shape = parse_geojson(text)
        assert shape is not None  # random text is never a valid boundary in England
        raise AreaDefinitionError("parsed")


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@fuzz_settings(300)
@given(value=json_values.filter(lambda v: not (isinstance(v, float) and math.isnan(v))))
def test_json_nesting_is_measured_without_parsing(value: Any) -> None:
    tried("parser: JSON nesting depth")
    assert nesting_depth(json.dumps(value)) == _depth(value)


@fuzz_settings(300)
@given(
    value=json_values.filter(lambda v: not (isinstance(v, float) and math.isnan(v))),
    limit=st.integers(0, 6),
)
def test_too_deep_agrees_with_the_depth_with_or_without_counting_brackets_first(
    value: Any, limit: int
) -> None:
    tried("parser: JSON nesting limit")
    assert too_deep(json.dumps(value), limit) is (_depth(value) > limit)


# --- rules YAML -----------------------------------------------------------------------------------------


@fuzz_settings(200)
@given(text=st.text(max_size=300))
def test_yaml_parsing_reports_problems_and_never_raises(text: str) -> None:
    tried("parser: rules YAML text")
    doc, problems = parse_yaml(text, "fuzz.yaml")
    assert doc is not None or problems


YAML_VALUES = st.sampled_from(
    ["", "[]", "{}", "~", "12", "yes", "&a x", "*a", "!!python/object x", "é"]
) | st.text(max_size=6)


@st.composite
def damaged(draw: st.DrawFn, original: str) -> str:
    lines = original.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "replace value", "indent", "truncate"]))
        if how == "delete":
            del lines[at]
        elif how == "duplicate":
            lines.insert(at, lines[at])
        elif how == "replace value" and ":" in lines[at]:
            key = lines[at].split(":", 1)[0]
            lines[at] = f"{key}: {draw(YAML_VALUES)}"
        elif how == "indent":
            lines[at] = "  " + lines[at]
        else:
            lines = lines[:at]
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


FRAMEWORK = (DEFAULT_RULES_DIR / "framework" / "1.0.yaml").read_text()
SCORING = (DEFAULT_RULES_DIR / "scoring" / "1.0.yaml").read_text()


@pytest.fixture(scope="module")
def rules_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


@fuzz_settings(40)
@given(data=st.data(), which=st.sampled_from(["framework", "scoring"]))
def test_damaged_rules_files_raise_only_rules_errors(
    rules_copy: Path, data: st.DataObject, which: str
) -> None:
    tried("parser: damaged rules YAML")
    original = FRAMEWORK if which == "framework" else SCORING
    path = rules_copy / which / "1.0.yaml"
    path.write_text(data.draw(damaged(original)))
    try:
        load_rules(rules_copy)
    except RulesError as error:
        assert error.problems and all(str(problem) for problem in error.problems)
    finally:
        path.write_text(original)


# --- dates as typed into the three-box date input (or sent as ISO strings by the API) --------------------

date_part = (
    st.text(max_size=6) | st.integers(-5, 100_000).map(str) | st.sampled_from(["", " 1", "٣", "²", "0x1"])
)


@fuzz_settings(300)
@given(
    raw=st.fixed_dictionaries({"day": date_part, "month": date_part, "year": date_part})
    | st.text(max_size=12)
    | st.dates().map(date.isoformat)
    | json_values
)
def test_dates_parse_or_explain(raw: Any) -> None:
    tried("parser: form date")
    value, problem = parse_date(raw, "The decision date")
    assert value is None or problem is None
    if value is not None:
        assert date.fromisoformat(value).isoformat() == value
