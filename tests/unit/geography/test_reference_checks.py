"""The loader checks every file before writing anything, and names the file, the line and the problem."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hia_service.domain.geography.releases import RELEASES
from hia_service.reference.checks import CheckedFile, check_all, check_file
from hia_service.reference.errors import ManifestError, ReferenceDataError
from hia_service.reference.loader import load_reference
from hia_service.reference.manifest import DatasetSpec, Manifest, read_manifest

GOOD = "lsoa21_code,IMD_rank,IMD_decile\nE01000001,1,1\nE01000002,2,5\nE01000003,3,10\n"


def spec(file: str = "index.csv", content: str = GOOD, **overrides: object) -> DatasetSpec:
    values: dict[str, object] = {
        "id": "index",
        "title": "Test index",
        "release": "Test",
        "geography": "LSOA 2021",
        "vintage": "2025",
        "nation": "England",
        "file": file,
        "format": "csv",
        "row_count": 3,
        "columns": ("lsoa21_code", "IMD_rank", "IMD_decile"),
        "key": ("lsoa21_code",),
        "key_pattern": re.compile(r"^E01\d{6}$"),
        "publisher": "Test",
        "licence": "OGL",
        "attribution": "Test",
        "sha256": hashlib.sha256(content.encode()).hexdigest(),
        "ranges": {"IMD_decile": (1.0, 10.0)},
    }
    values.update(overrides)
    return DatasetSpec(**values)  # type: ignore[arg-type]


def problems_for(tmp_path: Path, content: str | bytes, expected: DatasetSpec | None = None) -> list[str]:
    data = content.encode() if isinstance(content, str) else content
    (tmp_path / "index.csv").write_bytes(data)
    _, found = check_file(expected or spec(), tmp_path)
    return [str(p) for p in found]


def test_a_good_file_passes(tmp_path: Path) -> None:
    (tmp_path / "index.csv").write_text(GOOD)
    checked, found = check_file(spec(), tmp_path)
    assert found == [] and checked is not None
    assert checked.table["lsoa21_code"].tolist() == ["E01000001", "E01000002", "E01000003"]


def test_missing_file(tmp_path: Path) -> None:
    _, found = check_file(spec(), tmp_path)
    assert str(found[0]) == f"index.csv: the file is missing from {tmp_path}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            GOOD.replace("IMD_rank", "IMD_rnk"),
            "index.csv, line 1: wrong columns: missing column(s) IMD_rank; unexpected column(s) IMD_rnk",
        ),
        (GOOD + "E01000001,4,2\n", "index.csv, line 5: duplicate lsoa21_code E01000001 (first on line 2)"),
        (
            GOOD.replace("E01000002,2,5", "E01000002,2,11"),
            "index.csv, line 3: IMD_decile is 11; expected a number from 1 to 10",
        ),
        (
            GOOD.replace("E01000002,2,5", "E01000002,2,five"),
            "index.csv, line 3: IMD_decile is 'five'; expected a number from 1 to 10",
        ),
        (GOOD.replace("E01000003", "X01000003"), "index.csv, line 4: 'X01000003' is not a valid lsoa21_code"),
        (GOOD.replace("E01000003", ""), "index.csv, line 4: blank lsoa21_code"),
        (
            GOOD.rsplit("\n", 2)[0] + "\n",
            "index.csv: has 2 rows; the manifest expects 3 (is the file truncated?)",
        ),
    ],
)
def test_each_problem_names_file_line_and_problem(tmp_path: Path, content: str, message: str) -> None:
    assert message in problems_for(tmp_path, content)


def test_altered_file_with_a_good_shape_fails_its_checksum(tmp_path: Path) -> None:
    [message] = problems_for(tmp_path, GOOD.replace("E01000002,2,5", "E01000002,2,6"))
    assert "sha256" in message and "altered or replaced" in message


def test_truncated_gzip_is_reported_not_crashed(tmp_path: Path) -> None:
    whole = gzip.compress(GOOD.encode() * 50)
    (tmp_path / "index.csv.gz").write_bytes(whole[: len(whole) // 2])
    _, found = check_file(spec(file="index.csv.gz"), tmp_path)
    assert "index.csv.gz: the compressed file is truncated or damaged: download it again" in str(found[0])


def test_an_empty_file_and_one_in_another_encoding_say_so_in_plain_words(tmp_path: Path) -> None:
    """Not "No columns to parse from file", nor a codec's byte position called "truncated or corrupt"."""
    (tmp_path / "index.csv").write_bytes(b"")
    _, [empty] = check_file(spec(file="index.csv"), tmp_path)
    assert str(empty) == "index.csv: the file is empty: download it again"
    (tmp_path / "index.csv").write_bytes(GOOD.replace("E01000002", "E01000002 Gw\u00ebnt").encode("cp1252"))
    _, [encoded] = check_file(spec(file="index.csv"), tmp_path)
    assert str(encoded).startswith("index.csv, line 3: the file is not UTF-8 text") and "byte" not in str(
        encoded
    )


@pytest.mark.parametrize("file", ["index.csv", "index.csv.gz"])
def test_a_byte_that_is_not_utf8_far_down_a_file_is_placed_on_its_own_line(tmp_path: Path, file: str) -> None:
    """The parser reads in blocks of about 256 KB and its error gives a position within the block (line 1
    of a large file, whatever the line), and none in a compressed file."""
    rows = [f"E01{i:06d},{i},{i % 10 + 1}" for i in range(1, 40_001)]
    rows[29_999] = rows[29_999].replace(",", " Gw\u00ebnt,", 1)
    data = ("lsoa21_code,IMD_rank,IMD_decile\n" + "\n".join(rows) + "\n").encode("cp1252")
    assert data.index(b"\xeb") > 300_000  # past the first block the parser decodes
    (tmp_path / file).write_bytes(gzip.compress(data) if file.endswith(".gz") else data)
    _, [problem] = check_file(spec(file=file, row_count=40_000), tmp_path)
    assert str(problem) == (
        f"{file}, line 30,001: the file is not UTF-8 text: it may have been opened and saved again in "
        "another program. Download it again, or save it as UTF-8"
    )


def test_geojson_is_read_through_vsigzip_and_checked(tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "properties": {"LSOA21CD": "E01000001"},
        "geometry": {"type": "Point", "coordinates": [-3.05, 53.81]},
    }
    document = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    (tmp_path / "shapes.geojson.gz").write_bytes(gzip.compress(document))
    expected = spec(
        file="shapes.geojson.gz",
        format="geojson",
        row_count=1,
        columns=("LSOA21CD",),
        key=("LSOA21CD",),
        ranges={},
        sha256="0" * 64,
    )
    _, found = check_file(expected, tmp_path)
    assert [str(p) for p in found] == ["shapes.geojson.gz, line 1: a feature is not a polygon"]


SQUARE = [[-3.0, 53.0], [-2.9, 53.0], [-2.9, 53.1], [-3.0, 53.1], [-3.0, 53.0]]
OPEN_SQUARE = SQUARE[:-1]  # the last point is not the first
HOLE = [[-2.98, 53.02], [-2.92, 53.02], [-2.92, 53.08], [-2.98, 53.08]]  # unclosed too


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": [OPEN_SQUARE]},  # GDAL would close this one itself
        {"type": "Polygon", "coordinates": [OPEN_SQUARE[:2]]},  # two points: GEOS cannot build it
        {"type": "Polygon", "coordinates": [SQUARE, HOLE]},  # GDAL would drop this hole if told to refuse
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [OPEN_SQUARE]]},
    ],
    ids=["outer ring", "two points", "hole", "part of a multipolygon"],
)
@pytest.mark.parametrize("file", ["shapes.geojson", "shapes.geojson.gz"])
def test_a_ring_that_is_not_closed_is_named_with_its_feature_not_called_damaged(
    tmp_path: Path, geometry: dict[str, object], file: str
) -> None:
    features = [
        {"type": "Feature", "properties": {"LSOA21CD": code}, "geometry": shape}
        for code, shape in (
            ("E01000001", {"type": "Polygon", "coordinates": [SQUARE]}),
            ("E01000002", geometry),
            ("E01000003", {"type": "Polygon", "coordinates": [SQUARE]}),
        )
    ]
    document = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    (tmp_path / file).write_bytes(gzip.compress(document) if file.endswith(".gz") else document)
    expected = spec(
        file=file, format="geojson", row_count=3, columns=("LSOA21CD",), key=("LSOA21CD",), ranges={}
    )
    _, found = check_file(expected, tmp_path)
    assert [str(p) for p in found] == [
        f"{file}, line 2: the boundary of E01000002 has a ring that is not closed: its last point must be "
        "the same as its first. Download the file again"
    ]


def test_all_files_are_checked_and_all_problems_reported(tmp_path: Path) -> None:
    (tmp_path / "index.csv").write_text(GOOD + "E01000001,4,2\n")
    manifest = Manifest("", (spec(), spec(file="other.csv", id="other")))
    with pytest.raises(ReferenceDataError) as raised:
        check_all(manifest, tmp_path)
    text = str(raised.value)
    assert "3 problem(s)" in text and "duplicate" in text and "other.csv: the file is missing" in text


def test_the_largest_file_is_read_first_each_settled_before_the_next_and_problems_in_manifest_order(
    tmp_path: Path,
) -> None:
    bigger = GOOD + "E01000004,4,2\nE01000005,5,3\n"
    (tmp_path / "index.csv").write_text(GOOD.replace("E01000002,2,5", "E01000002,2,11"))
    (tmp_path / "big.csv").write_text(bigger)
    large = spec(file="big.csv", id="big", row_count=5, content=bigger)
    small_good = spec(file="small.csv", id="small")
    (tmp_path / "small.csv").write_text(GOOD)
    manifest = Manifest("", (spec(), small_good, large, spec(file="gone.csv", id="gone")))
    events: list[str] = []

    def settle(checked: CheckedFile) -> None:
        events.append(f"settled {checked.spec.file}")

    with pytest.raises(ReferenceDataError) as raised:
        check_all(manifest, tmp_path, lambda message: events.append(message), settle)
    assert events[:2] == ["Checking big.csv", "settled big.csv"]  # read first; settled before the next
    assert events.index("settled small.csv") == events.index("Checking small.csv") + 1
    assert "settled index.csv" not in events  # a file with problems is not settled
    lines = str(raised.value).splitlines()
    assert [line.split(":")[0].split(",")[0].strip(" -") for line in lines[1:]] == ["index.csv", "gone.csv"]
    manifest = Manifest("", (small_good, large))
    assert list(check_all(manifest, tmp_path, settle=settle)) == ["small", "big"]  # the manifest's order


def test_a_failed_load_writes_nothing_and_keeps_the_current_data(tmp_path: Path) -> None:
    source, data_dir = tmp_path / "source", tmp_path / "data"
    source.mkdir()
    (source / "index.csv").write_text(GOOD.replace("E01000002,2,5", "E01000002,2,11"))
    (data_dir / "reference").mkdir(parents=True)
    (data_dir / "reference" / "CURRENT").write_text("ref-previous\n")
    with pytest.raises(ReferenceDataError):
        load_reference(source, data_dir, manifest=Manifest("", (spec(),)))
    assert (data_dir / "reference" / "CURRENT").read_text() == "ref-previous\n"
    assert not (data_dir / "reference" / "snapshots").exists()


def test_the_project_manifest_describes_every_release_and_file() -> None:
    manifest = read_manifest()
    ids = [d.id for d in manifest.datasets]
    assert len(ids) == len(set(ids)) == 15
    assert set(RELEASES) <= {d.release for d in manifest.datasets}
    for dataset in manifest.datasets:
        assert len(dataset.sha256) == 64 and dataset.row_count > 0 and dataset.columns
        assert dataset.publisher and dataset.licence and dataset.attribution
    assert "Royal Mail" in manifest.attribution


def test_a_malformed_manifest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text("datasets:\n  - id: x\n    file: x.csv\n")
    with pytest.raises(ManifestError, match="lacks: title"):
        read_manifest(path)


def test_a_categorical_column_is_read_as_categories_with_its_values_and_blanks(tmp_path: Path) -> None:
    content = "lsoa21_code,IMD_rank,IMD_decile,region\nE01000001,1,1,E12\nE01000002,2,1,\nE01000003,3,2,E12\n"
    expected = spec(
        content=content,
        columns=("lsoa21_code", "IMD_rank", "IMD_decile", "region"),
        categorical=("region",),
    )
    (tmp_path / "index.csv").write_text(content)
    checked, found = check_file(expected, tmp_path)
    assert found == [] and checked is not None
    region = checked.table["region"]
    assert isinstance(region.dtype, pd.CategoricalDtype)
    assert region.astype(object).where(region.notna(), None).tolist() == ["E12", None, "E12"]


@pytest.mark.parametrize("named", ["lsoa21_code", "IMD_decile", "not_a_column"])
def test_categorical_may_name_only_plain_columns(tmp_path: Path, named: str) -> None:
    entry = dataclasses.asdict(spec())
    entry |= {
        "columns": list(entry["columns"]),
        "key": list(entry["key"]),
        "key_pattern": None,
        "ranges": {k: list(v) for k, v in entry["ranges"].items()},
        "categorical": [named],
    }
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump({"attribution": "Test", "datasets": [entry]}))
    with pytest.raises(ManifestError, match="categorical may only name"):
        read_manifest(path)


@pytest.mark.parametrize("dtype", [object, "category"])
def test_a_postcodes_nation_letter_is_read_the_same_from_text_or_categories(dtype: object) -> None:
    from hia_service.reference.build import _first_letters

    codes = pd.Series(["E06000009", None, "W06000015", "S12000036", "E06000009", ""], dtype=dtype)
    assert _first_letters(codes).tolist() == ["E", "", "W", "S", "E", ""]


def test_code_point_open_settles_to_compact_keys_and_the_columns_the_build_takes() -> None:
    from hia_service.reference.build import settle

    codepoint = next(s for s in read_manifest().datasets if s.id == "codepoint_open")
    table = pd.DataFrame(
        {
            "postcode": ["FY1 1AA", "AB10 1AB", "SW1A 1AA"],
            "easting": [331000, 394000, 529000],
            "northing": [436000, 806000, 179000],
            "positional_quality": [10, 10, 10],
            "admin_district_code": pd.Categorical(["E06000009", "S12000033", "E09000033"]),
        }
    )
    checked = CheckedFile(codepoint, "sha", table)
    settle(checked)
    assert checked.keys is not None and checked.keys.tolist() == [b"FY11AA", b"AB101AB", b"SW1A1AA"]
    assert list(checked.table.columns) == ["easting", "northing", "admin_district_code"]
    assert checked.table["easting"].tolist() == [331000, 394000, 529000]
    assert checked.table["admin_district_code"].tolist() == ["E06000009", "S12000033", "E09000033"]
    assert checked.table["easting"].dtype == "int32"
    fractions = CheckedFile(codepoint, "sha", table.assign(easting=[331000.5, 394000.25, 529000.0]))
    settle(fractions)
    assert fractions.table["easting"].tolist() == [331000.5, 394000.25, 529000.0]  # kept, not cut
    other = CheckedFile(dataclasses.replace(codepoint, id="other"), "sha", table)
    settle(other)
    assert other.keys is None and other.table is table  # only Code-Point Open is cut down
