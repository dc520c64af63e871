"""`hia import` fuzzed through its public function, import_archive: random bytes, archives cut short, tars of
hostile members, and genuine archives with one JSON record file damaged. Every one is refused with a
BackupError that says why, never a traceback, and nothing is written: the target database already holds the
genuine import, so even an archive that passed every check would be refused before writing, and its rows and
PDFs must be exactly as they were.

KNOWN_GAPS (found by this fuzzing, reported, not fixed here: the backup code is being changed on another
branch, for manifest signing). These escape as tracebacks (nothing is written) and are left out below until
fixed: a deeply nested manifest.json (RecursionError); a damaged manifest.json, or a damaged record file whose
fingerprints were redone to match (KeyError/TypeError in backup_checks and data.backup.links_of); a flipped
byte that changes manifest.json (KeyError 'first_prev_hash'). Into a database without the organisation, record
files of the wrong types with their fingerprints redone pass the checks and fail at the write (TypeError,
IntegrityError, ProgrammingError: rolled back, nothing written, but a traceback), or are imported as they are
(a local framework version whose content is a list)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from hia_service.services.backup.files import pack
from tests.fuzz_counts import fuzz_settings, tried
from tests.integration.backup.conftest import archive_files, fresh_app, raw_tar, trusting

json_scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
MEMBER_NAMES = [
    "manifest.json", "records/users.json", "audit/links.json", "documents/HIA-2026-0001-v1.pdf", "records",
    "../../etc/passwd", "/etc/passwd", "records/../manifest.json", "documents/a b.pdf", "records/x.json/",
    "manifest.json\x00", "",
]  # fmt: skip


@pytest.fixture
def genuine(app: Flask, organisation: dict[str, Any], tmp_path: Path) -> bytes:
    from hia_service.services.backup.archive import export_organisation

    with app.app_context():
        export_organisation("RXA", tmp_path / "rxa.tar.gz")
    return (tmp_path / "rxa.tar.gz").read_bytes()


@pytest.fixture
def target(genuine: bytes, tmp_path: Path, source_p12: Path) -> Iterator[Flask]:
    """A fresh database, trusting the certificate RXA signs with, holding the genuine import already."""
    from hia_service.services.backup.archive import import_archive

    with fresh_app("sqlite", tmp_path / "target", **trusting(source_p12)) as fresh:
        (tmp_path / "genuine.tar.gz").write_bytes(genuine)
        with fresh.app_context():
            import_archive(tmp_path / "genuine.tar.gz")
        yield fresh


def state(app: Flask) -> tuple[dict[str, int], list[str]]:
    from sqlalchemy import func, select

    from hia_service.extensions import db

    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
    documents = Path(app.config["HIA_DATA_DIR"]) / "documents"
    return counts, sorted(str(p.relative_to(documents)) for p in documents.rglob("*"))


@st.composite
def damaged_json(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """`value` with one place in it changed: replaced by junk, removed, duplicated or emptied."""
    if not isinstance(value, dict | list) or not value or depth >= 4 or draw(st.integers(0, 5)) == 0:
        return draw(json_values | st.sampled_from([[], {}, None, "", 0, -1, [None], [[]], [{}]]))
    if isinstance(value, dict):
        key = draw(st.sampled_from(sorted(value)))
        how = draw(st.sampled_from(["recurse", "recurse", "remove", "add"]))
        if how == "remove":
            return {k: v for k, v in value.items() if k != key}
        if how == "add":
            return {**value, draw(st.text(max_size=6)): draw(json_values)}
        return {**value, key: draw(damaged_json(value[key], depth + 1))}
    at = draw(st.integers(0, len(value) - 1))
    how = draw(st.sampled_from(["recurse", "recurse", "remove", "duplicate"]))
    if how == "remove":
        return value[:at] + value[at + 1 :]
    if how == "duplicate":
        return [*value[: at + 1], value[at], *value[at + 1 :]]
    return [*value[:at], draw(damaged_json(value[at], depth + 1)), *value[at + 1 :]]


def test_fuzzed_archives_are_refused_with_a_reason_and_write_nothing(
    genuine: bytes, target: Flask, tmp_path: Path
) -> None:
    from hia_service.services.backup.archive import BackupError, import_archive

    before = state(target)
    path = tmp_path / "fuzzed.tar.gz"
    (tmp_path / "genuine-copy.tar.gz").write_bytes(genuine)
    files = archive_files(tmp_path / "genuine-copy.tar.gz")
    # Not manifest.json, nor damage with the fingerprints redone: see KNOWN_GAPS.
    json_names = sorted(n for n in files if n.endswith(".json") and n != "manifest.json")

    def refused(data: bytes) -> None:
        path.write_bytes(data)
        with target.app_context(), pytest.raises(BackupError) as raised:
            import_archive(path)
        assert raised.value.message
        assert state(target) == before

    @fuzz_settings(60)
    @given(
        data=st.binary(max_size=500)
        | st.sampled_from([b"", b"\x1f\x8b", gzip.compress(b""), gzip.compress(b"not a tar" * 100)])
        | st.integers(0, len(genuine) - 1).map(lambda cut: genuine[:cut])
    )
    def garbled(data: bytes) -> None:
        tried("backup import: garbled or cut-short archive bytes")
        refused(data)

    @fuzz_settings(60)
    @given(
        members=st.dictionaries(
            st.sampled_from(MEMBER_NAMES) | st.text(max_size=20),
            st.binary(max_size=50) | st.sampled_from([b"{}", b"[]", b"null", b'{"format": 1}']),
            max_size=4,
        )
    )
    def hostile_members(members: dict[str, bytes]) -> None:
        tried("backup import: tar of hostile members")
        try:
            data = raw_tar(members)
        except (ValueError, UnicodeError):  # a name tarfile itself will not write (a NUL, say)
            return
        refused(data)

    @fuzz_settings(120)
    @given(data=st.data(), name=st.sampled_from(json_names))
    def damaged_member(data: st.DataObject, name: str) -> None:
        tried("backup import: archive with a damaged JSON member")
        changed = dict(files)
        original = json.loads(changed[name])
        changed[name] = json.dumps(data.draw(damaged_json(original), label=name)).encode()
        refused(pack(changed))

    garbled()
    hostile_members()
    damaged_member()


def test_archives_damaged_with_their_fingerprints_redone_are_refused_or_imported_never_a_traceback(
    genuine: bytes, target: Flask, tmp_path: Path
) -> None:
    """Someone edits a JSON member, manifest.json included, and redoes the manifest's fingerprints; the
    signature is removed and the archive's own sha256 given, as an operator restoring an unsigned archive
    would. The import either refuses it with a reason, writing nothing, or (the edit being one the checks
    accept) imports it; any other exception is a failure."""
    import hashlib

    from hia_service.domain.backup import MANIFEST, SIGNATURE, file_entry
    from hia_service.services.backup.archive import BackupError, import_archive
    from hia_service.services.backup.files import to_json

    (tmp_path / "genuine-copy.tar.gz").write_bytes(genuine)
    files = archive_files(tmp_path / "genuine-copy.tar.gz")
    del files[SIGNATURE]
    json_names = sorted(n for n in files if n.endswith(".json"))
    path = tmp_path / "redone.tar.gz"

    def attempt(changed: dict[str, bytes]) -> None:
        if MANIFEST in changed and isinstance(manifest := _loads(changed[MANIFEST]), dict):
            manifest["files"] = [file_entry(n, d) for n, d in sorted(changed.items()) if n != MANIFEST]
            changed[MANIFEST] = to_json(manifest)
        data = pack(changed)
        path.write_bytes(data)
        before = state(target)
        with target.app_context():
            try:
                import_archive(path, replace=True, expected_sha256=hashlib.sha256(data).hexdigest())
            except BackupError as error:
                assert error.message and "Traceback" not in error.message
                assert state(target) == before

    @fuzz_settings(100)
    @given(data=st.data(), name=st.sampled_from(json_names))
    def redone(data: st.DataObject, name: str) -> None:
        tried("backup import: damaged JSON member, fingerprints redone")
        changed = dict(files)
        changed[name] = json.dumps(data.draw(damaged_json(json.loads(changed[name])), label=name)).encode()
        attempt(changed)

    redone()
    tried("backup import: damaged JSON member, fingerprints redone")
    attempt({**files, MANIFEST: b"[" * 5000 + b"]" * 5000})  # nested too deep for the JSON reader


def _loads(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None
