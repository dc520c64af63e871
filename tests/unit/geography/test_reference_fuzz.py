"""The reference-data loader's file readers, fuzzed with small hand-made files shaped like each real dataset
(Indices of Deprivation, populations, lookups, postcodes, boundaries): damaged headers, missing and extra
columns, wrong types, bad encodings, ragged rows, truncated and garbled files, plain or gzipped. Every file is
either accepted or refused with problems naming the file (and the line where there is one), never a
traceback; a refused load leaves the release loaded before in place. The manifest is fuzzed too."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from hia_service.reference.checks import check_file
from hia_service.reference.errors import ManifestError, ReferenceDataError
from hia_service.reference.loader import load_reference
from hia_service.reference.manifest import DEFAULT_MANIFEST, DatasetSpec, Manifest, read_manifest
from tests.fuzz_counts import fuzz_settings, tried

MANIFEST = read_manifest()
CSV_SPECS = [s for s in MANIFEST.datasets if s.format == "csv"]
GEOJSON_SPECS = [s for s in MANIFEST.datasets if s.format == "geojson"]
ROWS = 4  # each hand-made file has this many rows, and its spec says so


def small(spec: DatasetSpec) -> DatasetSpec:
    return dataclasses.replace(spec, row_count=ROWS)


def key_values(spec: DatasetSpec) -> st.SearchStrategy[list[str]]:
    pattern = spec.key_pattern.pattern if spec.key_pattern else r"[A-Z0-9]{9}"
    return st.lists(
        st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True),
        min_size=ROWS,
        max_size=ROWS,
        unique=True,
    )


def cell(spec: DatasetSpec, column: str) -> st.SearchStrategy[Any]:
    if column in spec.ranges:
        low, high = spec.ranges[column]
        return st.integers(math.ceil(low), math.floor(high)) | st.floats(low, high)
    return st.text(st.characters(codec="utf-8", exclude_characters='\x00\r\n",'), max_size=12)


@st.composite
def good_table(draw: st.DrawFn, spec: DatasetSpec) -> list[dict[str, Any]]:
    keys = draw(key_values(spec))
    rows = []
    for i in range(ROWS):
        row = {column: draw(cell(spec, column)) for column in spec.columns}
        for column in spec.key:
            row[column] = keys[i]  # the lookup's second key column takes the same codes: unique pairs
        rows.append(row)
    return rows


JUNK = st.sampled_from(["", "NaN", "inf", "-1", "1e400", "ten", "E01", '"', "a,b", "\u202e", "é", "\x00"])


@st.composite
def damaged_csv(draw: st.DrawFn, spec: DatasetSpec) -> tuple[bytes, bool]:
    """CSV bytes for `spec`, and whether they were damaged (an undamaged file must pass the checks)."""
    rows = draw(good_table(spec))
    header = list(spec.columns)
    damaged = False
    for _ in range(draw(st.integers(0, 3))):
        damaged = True
        how = draw(
            st.sampled_from(
                ["rename", "drop", "extra", "wrong type", "blank key", "duplicate", "ragged", "reorder"]
            )
        )
        at = draw(st.integers(0, len(header) - 1))
        if how == "rename":
            header[at] = draw(
                st.sampled_from(["", header[at].upper(), header[at] + " ", "\ufeff" + header[at]])
            )
        elif how == "drop":
            header = header[:at] + header[at + 1 :]
        elif how == "extra":
            header.append(draw(st.sampled_from(["extra", header[0], ""])))
        elif how == "wrong type":
            rows[draw(st.integers(0, ROWS - 1))][spec.columns[at % len(spec.columns)]] = draw(JUNK)
        elif how == "blank key":
            rows[draw(st.integers(0, ROWS - 1))][spec.key[0]] = ""
        elif how == "duplicate":
            rows.append(dict(rows[0]))
        elif how == "ragged":
            rows[draw(st.integers(0, len(rows) - 1))]["__ragged__"] = "x,y"
        else:
            damaged = draw(st.booleans()) or damaged  # column order does not matter to the checks
            header = draw(st.permutations(header))
        if not header:
            header = ["x"]
    lines = [",".join(header)]
    for row in rows:
        values = [row.get(column, "") for column in header]
        if "__ragged__" in row:
            values.append(row["__ragged__"])
        lines.append(",".join(_csv_cell(v) for v in values))
    text = "\n".join(lines) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    damaged = damaged or encoding == "utf-16" or data != text.encode("utf-8")
    cut = draw(st.none() | st.integers(0, len(data)))
    if cut is not None and cut < len(data):
        data, damaged = data[:cut], True
    return data, damaged


def _csv_cell(value: Any) -> str:
    text = str(value)
    return f'"{text}"' if "," in text and not text.startswith('"') else text


def write(tmp_path: Path, spec: DatasetSpec, data: bytes, gzipped_cut: int | None = None) -> None:
    if spec.file.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
        if gzipped_cut is not None:
            data = data[: gzipped_cut % (len(data) + 1)]
    (tmp_path / spec.file).write_bytes(data)


def assert_accepted_or_named(spec: DatasetSpec, checked: Any, problems: list[Any]) -> None:
    assert (checked is None) == bool(problems)
    for problem in problems:
        text = str(problem)
        assert text.startswith(spec.file) and problem.problem
        assert problem.row is None or problem.row >= 1


@fuzz_settings(100)
@given(
    data=st.data(),
    spec=st.sampled_from(CSV_SPECS).map(small),
    honest_checksum=st.booleans(),
    gzipped_cut=st.none() | st.integers(0, 10_000),
)
def test_damaged_csv_files_are_refused_with_the_file_and_line(
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
    spec: DatasetSpec,
    honest_checksum: bool,
    gzipped_cut: int | None,
) -> None:
    tried("reference loader: damaged CSV file")
    folder = tmp_path_factory.mktemp("csv")
    content, damaged = data.draw(damaged_csv(spec))
    write(folder, spec, content, gzipped_cut)
    digest = hashlib.sha256((folder / spec.file).read_bytes()).hexdigest()
    if honest_checksum:  # a new release whose manifest entry was updated: only the content is checked
        spec = dataclasses.replace(spec, sha256=digest)
    checked, problems = check_file(spec, folder)
    assert_accepted_or_named(spec, checked, problems)
    if not damaged and honest_checksum and (gzipped_cut is None or not spec.file.endswith(".gz")):
        assert problems == [], "an undamaged file was refused"


@fuzz_settings(100)
@given(
    data=st.binary(max_size=400)
    | st.sampled_from([b"", b"\xef\xbb\xbf", b"\x1f\x8b\x08\x00", b"PK\x03\x04"]),
    spec=st.sampled_from(MANIFEST.datasets).map(small),
)
def test_garbled_bytes_are_refused_with_the_file_named(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, spec: DatasetSpec
) -> None:
    tried("reference loader: garbled bytes")
    folder = tmp_path_factory.mktemp("garbled")
    (folder / spec.file).write_bytes(data)
    checked, problems = check_file(spec, folder)
    assert checked is None and problems
    assert_accepted_or_named(spec, checked, problems)


coordinate = st.floats(-10, 60) | st.sampled_from([float("nan"), 1e308, "x", None])
square = [[-1.0, 52.0], [-0.99, 52.0], [-0.99, 52.01], [-1.0, 52.01], [-1.0, 52.0]]
geometries = st.sampled_from(
    [
        {"type": "Polygon", "coordinates": [square]},
        {"type": "MultiPolygon", "coordinates": [[square]]},
        {"type": "Point", "coordinates": [-1.0, 52.0]},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[-1.0, 52.0]]]},
        None,
    ]
) | st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Polygon", "LineString", "Nonsense"]),
        "coordinates": st.lists(st.lists(st.lists(coordinate, max_size=3), max_size=5), max_size=2),
    }
)


@st.composite
def damaged_geojson(draw: st.DrawFn, spec: DatasetSpec) -> bytes:
    keys = draw(key_values(spec))
    features = []
    for i in range(ROWS):
        properties: dict[str, Any] = {column: f"name {i}" for column in spec.columns}
        properties[spec.key[0]] = keys[i]
        for column in draw(st.sets(st.sampled_from(list(spec.columns)), max_size=1)):
            properties[column] = draw(JUNK | st.integers() | st.none())
        if draw(st.integers(0, 9)) == 0:
            properties = draw(st.sampled_from([{}, {"other": 1}]))
        feature = {"type": "Feature", "properties": properties, "geometry": draw(geometries)}
        features.append(feature)
    document: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if draw(st.booleans()):
        document["crs"] = {"type": "name", "properties": {"name": draw(st.sampled_from(["EPSG:27700", "x"]))}}
    text = json.dumps(document, allow_nan=True).encode()
    cut = draw(st.none() | st.integers(0, len(text)))
    return text if cut is None else text[:cut]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # GDAL's notes on bad features, reported as problems
@fuzz_settings(80)
@given(
    data=st.data(),
    spec=st.sampled_from(GEOJSON_SPECS).map(small),
    gzipped_cut=st.none() | st.integers(0, 5_000),
)
def test_damaged_boundary_files_are_refused_with_the_file_and_feature(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, spec: DatasetSpec, gzipped_cut: int | None
) -> None:
    tried("reference loader: damaged GeoJSON boundaries")
    folder = tmp_path_factory.mktemp("geojson")
    write(folder, spec, data.draw(damaged_geojson(spec)), gzipped_cut)
    spec = dataclasses.replace(spec, sha256=hashlib.sha256((folder / spec.file).read_bytes()).hexdigest())
    checked, problems = check_file(spec, folder)
    assert_accepted_or_named(spec, checked, problems)


@fuzz_settings(40)
@given(data=st.data(), spec=st.sampled_from(CSV_SPECS).map(small))
def test_a_refused_load_writes_nothing_and_keeps_the_release_loaded_before(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, spec: DatasetSpec
) -> None:
    tried("reference loader: refused load keeps the previous release")
    source, data_dir = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("data")
    content, _ = data.draw(damaged_csv(spec).filter(lambda made: made[1]))
    write(source, spec, content)
    (data_dir / "reference" / "snapshots" / "ref-previous").mkdir(parents=True)
    (data_dir / "reference" / "CURRENT").write_text("ref-previous\n")
    manifest = Manifest("", (spec, dataclasses.replace(spec, id="other", file="missing.csv")))
    with pytest.raises(ReferenceDataError) as raised:
        load_reference(source, data_dir, manifest=manifest)
    assert all(str(p).startswith((spec.file, "missing.csv")) for p in raised.value.problems)
    assert (data_dir / "reference" / "CURRENT").read_text() == "ref-previous\n"
    assert [p.name for p in (data_dir / "reference" / "snapshots").iterdir()] == ["ref-previous"]


# --- the manifest itself ------------------------------------------------------------------------------------

MANIFEST_DOCUMENT = yaml.safe_load(DEFAULT_MANIFEST.read_text(encoding="utf-8"))
MANIFEST_DOCUMENT["datasets"] = MANIFEST_DOCUMENT["datasets"][:3]  # enough to damage; quicker to read
MANIFEST_VALUES = st.sampled_from(
    [
        None,
        "",
        "x",
        12,
        -1,
        "12",
        [],
        {},
        ["a"],
        [1],
        [[1]],
        {"a": 1},
        {"a": [1, 2]},
        {"a": ["x", "y"]},
        "[(",
        "*",
    ]
)


@st.composite
def damaged_manifests(draw: st.DrawFn) -> Any:
    document = json.loads(json.dumps(MANIFEST_DOCUMENT))
    for _ in range(draw(st.integers(1, 3))):
        datasets = document.get("datasets") if isinstance(document, dict) else None
        if isinstance(datasets, list) and datasets and draw(st.integers(0, 5)):
            entry = draw(st.sampled_from(datasets))
            if isinstance(entry, dict):
                key = draw(st.sampled_from([*sorted(entry), "ranges", "key_pattern"]))
                if draw(st.booleans()):
                    entry.pop(key, None)
                else:
                    entry[key] = draw(MANIFEST_VALUES)
        else:
            document = draw(st.sampled_from([{"datasets": draw(MANIFEST_VALUES)}, draw(MANIFEST_VALUES)]))
    return document


@fuzz_settings(100)
@given(document=damaged_manifests())
# Found by this test: a range that is not a pair, a row count that is not a number, a key pattern that is not
# a regular expression and columns that are not a list escaped as TypeError, ValueError and re.error; a
# range of a column the file does not have passed, to fail later as KeyError.
@example(document={"datasets": [{**MANIFEST_DOCUMENT["datasets"][0], "ranges": {"IMD_rank": 5}}]})
@example(document={"datasets": [{**MANIFEST_DOCUMENT["datasets"][0], "row_count": "x"}]})
@example(document={"datasets": [{**MANIFEST_DOCUMENT["datasets"][0], "key_pattern": "[("}]})
@example(document={"datasets": [{**MANIFEST_DOCUMENT["datasets"][0], "columns": 12}]})
@example(document={"datasets": [{**MANIFEST_DOCUMENT["datasets"][0], "ranges": {"a": [1, 2]}}]})
def test_a_damaged_manifest_raises_only_manifest_errors(
    tmp_path_factory: pytest.TempPathFactory, document: Any
) -> None:
    tried("reference loader: damaged manifest")
    path = tmp_path_factory.mktemp("manifest") / "manifest.yaml"
    path.write_text(yaml.safe_dump(document))
    try:
        manifest = read_manifest(path)
    except ManifestError as error:
        assert str(error)
    else:
        for spec in manifest.datasets:
            assert spec.key and set(spec.key) <= set(spec.columns) and set(spec.ranges) <= set(spec.columns)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_ring_of_one_point_is_refused_with_the_file_named(tmp_path: Path) -> None:
    """Found by the boundary fuzz test: GEOS's IllegalArgumentException escaped the checks as a traceback."""
    spec = small(GEOJSON_SPECS[0])
    feature = {
        "type": "Feature",
        "properties": {column: "E01000001" for column in spec.columns},
        "geometry": {"type": "Polygon", "coordinates": [[[-1.0, 52.0]]]},
    }
    write(tmp_path, spec, json.dumps({"type": "FeatureCollection", "features": [feature]}).encode())
    checked, [problem] = check_file(spec, tmp_path)
    assert checked is None
    assert str(problem).startswith(f"{spec.file}: the file cannot be read: it is truncated or damaged")
