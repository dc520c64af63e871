"""Read each reference file and check it against the manifest before anything is written.

A problem names the file, the line (header = line 1) or feature, and what is wrong. All files are checked and
every problem reported together, so one run shows everything that needs fixing.
"""

from __future__ import annotations

import gzip
import hashlib
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray

from hia_service.reference.errors import Problem, ReferenceDataError
from hia_service.reference.manifest import DatasetSpec, Manifest
from hia_service.reference.memory import release_freed_memory

_READ_ERRORS = (EOFError, OSError, zlib.error, pd.errors.ParserError, UnicodeDecodeError, ValueError)
POLYGONAL = {3, 6}  # shapely type ids: Polygon, MultiPolygon
# GDAL's warning when a GeoJSON ring's last point is not its first (it then passes the ring on as it is,
# or closes it itself), and the option that makes it drop such a ring instead.
UNCLOSED_WARNING = "Non closed ring detected"
ACCEPT_UNCLOSED = "OGR_GEOMETRY_ACCEPT_UNCLOSED_RING"


class UnclosedRingError(ValueError):
    """A boundary has a ring whose last point is not its first: the file is not valid GeoJSON."""

    def __init__(self, feature: int, code: str | None) -> None:
        super().__init__(f"feature {feature} has a ring that is not closed")
        self.feature = feature  # from 1
        self.code = code


@dataclass(eq=False)
class CheckedFile:
    spec: DatasetSpec
    sha256: str
    table: pd.DataFrame  # attributes (CSV columns, or GeoJSON properties)
    geometry: NDArray[np.object_] | None = None  # shapely geometries (GeoJSON only), WGS84
    keys: NDArray[np.bytes_] | None = None  # the key column, once compact (build.settle), else in `table`


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_all(
    manifest: Manifest,
    directory: Path,
    progress: Callable[[str], None] | None = None,
    settle: Callable[[CheckedFile], None] | None = None,
) -> dict[str, CheckedFile]:
    """Every dataset read and checked; raises ReferenceDataError listing all problems if any file is wrong
    (in the manifest's order).

    The largest file is read first, while nothing else is held: reading Code-Point Open's 1.7 million rows
    takes about 220 MB in passing. `settle` is given each file that passes, before the next is read, to cut
    it down to what the build takes from it (build.settle)."""
    checked: dict[str, CheckedFile] = {}
    problems: dict[str, list[Problem]] = {}
    for spec in sorted(manifest.datasets, key=lambda spec: -spec.row_count):
        if progress:
            progress(f"Checking {spec.file}")
        result, problems[spec.id] = check_file(spec, directory)
        if result is not None:
            if settle is not None:
                settle(result)
            checked[spec.id] = result
        release_freed_memory()  # what reading the file took in passing (the CSV parser's buffers)
    found = [problem for spec in manifest.datasets for problem in problems[spec.id]]
    if found:
        raise ReferenceDataError(found)
    return {spec.id: checked[spec.id] for spec in manifest.datasets if spec.id in checked}


def check_file(spec: DatasetSpec, directory: Path) -> tuple[CheckedFile | None, list[Problem]]:
    path = directory / spec.file
    if not path.is_file():
        return None, [Problem(spec.file, None, f"the file is missing from {directory}")]
    digest = sha256_of(path)
    try:
        table, geometry = _read(spec, path)
    except UnclosedRingError as error:
        which = f"the boundary of {error.code}" if error.code else "a boundary"
        return None, [
            Problem(
                spec.file,
                error.feature,
                f"{which} has a ring that is not closed: its last point must be the same as its first. "
                "Download the file again",
            )
        ]
    except (
        *_READ_ERRORS,
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        shapely.errors.GEOSException,  # a feature's geometry GEOS cannot build (a one-point ring)
    ) as error:
        return None, [_unreadable(spec, error, path)]
    problems = list(_problems(spec, table, geometry))
    if not problems and digest != spec.sha256:
        problems.append(
            Problem(
                spec.file,
                None,
                f"the file's sha256 is {digest}, not {spec.sha256} as the manifest says: it "
                "has been altered or replaced. If this is a new release, update "
                "reference_data/manifest.yaml.",
            )
        )
    return (CheckedFile(spec, digest, table, geometry) if not problems else None), problems


def _unreadable(spec: DatasetSpec, error: BaseException, path: Path) -> Problem:
    """Why a file could not be read, in words for whoever loads the data: not the library's own (a build
    path, a codec's byte position)."""
    if isinstance(error, pd.errors.EmptyDataError) or (path.is_file() and path.stat().st_size == 0):
        return Problem(spec.file, None, "the file is empty: download it again")
    if isinstance(error, UnicodeDecodeError):
        return Problem(
            spec.file,
            _first_line_not_utf8(path),
            "the file is not UTF-8 text: it may have been opened and saved again in another program. "
            "Download it again, or save it as UTF-8",
        )
    if (
        isinstance(error, EOFError | zlib.error)
        or "decompression failed" in str(error)
        or "gzip" in str(error)
    ):
        return Problem(spec.file, None, "the compressed file is truncated or damaged: download it again")
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "/" in reason:  # a path inside a library's build, which tells nobody anything
        reason = type(error).__name__
    return Problem(
        spec.file, None, f"the file cannot be read: it is truncated or damaged ({reason}). Download it again"
    )


def _first_line_not_utf8(path: Path) -> int | None:
    """The line holding the file's first byte that is not UTF-8, read again line by line: the parser's error
    gives only a position within the block it was decoding (the first line of a large file, however far
    down the byte was), and none at all in a compressed file. A newline byte is never part of a UTF-8
    character, so each line decodes on its own."""
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    except (EOFError, OSError, zlib.error):
        return None
    return None


def _read(spec: DatasetSpec, path: Path) -> tuple[pd.DataFrame, NDArray[np.object_] | None]:
    if spec.format == "csv":
        types: dict[str, Any] = {c: str for c in spec.key} | {c: "category" for c in spec.categorical}
        return pd.read_csv(path, dtype=types, keep_default_na=False, na_values=[""]), None
    source = f"/vsigzip/{path}" if path.suffix == ".gz" else str(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", message=UNCLOSED_WARNING, category=RuntimeWarning)
        meta, _, wkb, fields = pyogrio.raw.read(source)
    unclosed = False
    for warning in caught:
        if UNCLOSED_WARNING in str(warning.message):
            unclosed = True
        else:  # not ours to hide: shown as it would have been
            warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
    table = pd.DataFrame({name: values for name, values in zip(meta["fields"], fields, strict=True)})
    table.attrs["crs"] = meta.get("crs")
    try:
        geometry = shapely.from_wkb(wkb)
    except shapely.errors.GEOSException:
        _refuse_unclosed(spec, source, wkb, table)
        raise
    if unclosed:  # GDAL closed the ring itself; a file that breaks the format is refused, not mended
        _refuse_unclosed(spec, source, wkb, table)
    return table, geometry


def _refuse_unclosed(spec: DatasetSpec, source: str, wkb: NDArray[np.object_], table: pd.DataFrame) -> None:
    """Raise UnclosedRingError naming the first feature with a ring that is not closed, if there is one.

    GDAL does not say which feature it warned about; read again with unclosed rings refused, that feature's
    geometry is the one that comes back different (its ring dropped). Only a file with a problem is read
    twice."""
    with _gdal_option(ACCEPT_UNCLOSED, "NO"):
        strict = pyogrio.raw.read(source)[2]
    changed = np.flatnonzero([a != b for a, b in zip(wkb, strict, strict=True)])
    if len(changed):
        at = int(changed[0])
        key = spec.key[0] if spec.key and spec.key[0] in table.columns else None
        raise UnclosedRingError(at + 1, str(table[key].iloc[at]) if key else None)


@contextmanager
def _gdal_option(name: str, value: str) -> Iterator[None]:
    before = pyogrio.get_gdal_config_option(name)
    pyogrio.set_gdal_config_options({name: value})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({name: before})


def _problems(
    spec: DatasetSpec, table: pd.DataFrame, geometry: NDArray[np.object_] | None
) -> Iterable[Problem]:
    columns = list(table.columns)
    missing = [c for c in spec.columns if c not in columns]
    extra = [c for c in columns if c not in spec.columns]
    if missing or extra:
        detail = "; ".join(
            part
            for part in (
                f"missing column(s) {', '.join(missing)}" if missing else "",
                f"unexpected column(s) {', '.join(extra)}" if extra else "",
            )
            if part
        )
        yield Problem(spec.file, 1, f"wrong columns: {detail}")
        return
    if len(table) != spec.row_count:
        yield Problem(
            spec.file,
            None,
            f"has {len(table):,} rows; the manifest expects {spec.row_count:,} (is the file truncated?)",
        )
    yield from _key_problems(spec, table)
    yield from _range_problems(spec, table)
    if geometry is not None:
        yield from _geometry_problems(spec, table, geometry)


def _line(spec: DatasetSpec, position: int) -> int:
    """File line of a data row (CSV: header is line 1), or feature number (GeoJSON, from 1)."""
    return position + (2 if spec.format == "csv" else 1)


def _key_problems(spec: DatasetSpec, table: pd.DataFrame) -> Iterable[Problem]:
    keys = table[list(spec.key)].astype("string")
    blank = keys.isna().any(axis=1).to_numpy()
    if blank.any():
        yield Problem(spec.file, _line(spec, int(np.argmax(blank))), f"blank {'/'.join(spec.key)}")
        return
    if spec.key_pattern is not None:
        first = keys[spec.key[0]]
        bad = ~first.str.match(spec.key_pattern.pattern).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            at = int(np.argmax(bad))
            yield Problem(spec.file, _line(spec, at), f"{first.iloc[at]!r} is not a valid {spec.key[0]}")
    duplicated = keys.duplicated(keep="first").to_numpy()
    if duplicated.any():
        at = int(np.argmax(duplicated))
        value = " / ".join(str(v) for v in keys.iloc[at])
        first_seen = int(np.flatnonzero((keys == keys.iloc[at]).all(axis=1).to_numpy())[0])
        yield Problem(
            spec.file,
            _line(spec, at),
            f"duplicate {'/'.join(spec.key)} {value} (first on line {_line(spec, first_seen):,})",
        )


def _range_problems(spec: DatasetSpec, table: pd.DataFrame) -> Iterable[Problem]:
    for column, (low, high) in spec.ranges.items():
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~((values >= low) & (values <= high))
        if bad.any():
            at = int(np.argmax(bad))
            value = table[column].iloc[at]
            shown = "blank" if pd.isna(value) else repr(value) if isinstance(value, str) else str(value)
            yield Problem(
                spec.file,
                _line(spec, at),
                f"{column} is {shown}; expected a number from {low:g} to {high:g}",
            )


def _geometry_problems(
    spec: DatasetSpec, table: pd.DataFrame, geometry: NDArray[np.object_]
) -> Iterable[Problem]:
    crs = str(table.attrs.get("crs") or "")
    if crs not in ("EPSG:4326", "OGC:CRS84"):
        yield Problem(spec.file, None, f"the coordinates are in {crs or 'an unknown system'}; expected WGS84")
    empty = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    if empty.any():
        yield Problem(spec.file, _line(spec, int(np.argmax(empty))), "a feature has no geometry")
        return
    wrong = ~np.isin(shapely.get_type_id(geometry), list(POLYGONAL))
    if wrong.any():
        yield Problem(spec.file, _line(spec, int(np.argmax(wrong))), "a feature is not a polygon")
