"""The real reference snapshot for tests, built once and kept on disk between test sessions.

Building the snapshot from ../shared/reference-data takes 15-60 seconds. It depends only on the reference
files and on the code that builds it, so it is cached under .pytest-cache-hia/reference/<key>/ (git-ignored),
where <key> hashes the manifest, every file it names (name, size and contents) and the source of
hia_service/reference/. Change any of them and the next session builds a new one.

Tests never read the cache directly: each session gets a copy (tests point HIA_DATA_DIR at it, and the app
writes documents and certificates there). Two processes building at once (pytest-xdist workers, or two
checkouts' sessions) take a file lock; the build goes into a temporary folder renamed into place, so a
half-built snapshot is never seen even if a build is killed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_ROOT = Path(os.environ.get("HIA_TEST_CACHE_DIR", REPO_ROOT / ".pytest-cache-hia")) / "reference"
READY = "READY"  # written last inside the temporary folder: an entry without it is not used


def cache_key(source_dir: Path) -> str:
    from hia_service.reference.manifest import DEFAULT_MANIFEST, read_manifest

    digest = hashlib.sha256()
    digest.update(DEFAULT_MANIFEST.read_bytes())
    for spec in sorted(read_manifest().datasets, key=lambda s: s.file):
        path = Path(source_dir) / spec.file
        digest.update(f"{spec.file}:{path.stat().st_size}:".encode())
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    code_dir = REPO_ROOT / "hia_service" / "reference"
    for module in sorted(code_dir.glob("*.py")):
        digest.update(module.name.encode() + module.read_bytes())
    return digest.hexdigest()[:24]


def cached_reference(source_dir: Path) -> Path:
    """The data directory holding the built snapshot for `source_dir` (built now if not cached yet)."""
    from hia_service.reference.loader import load_reference

    key = cache_key(source_dir)
    entry = CACHE_ROOT / key
    if (entry / READY).exists():
        return entry
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    with (CACHE_ROOT / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second builder waits here, then finds the entry READY
        if (entry / READY).exists():
            return entry
        building = CACHE_ROOT / f"building-{uuid.uuid4().hex}"
        try:
            load_reference(Path(source_dir), building)
            (building / READY).write_text(key + "\n", encoding="utf-8")
            shutil.rmtree(entry, ignore_errors=True)  # an entry without READY: a build that was killed
            os.rename(building, entry)
        finally:
            shutil.rmtree(building, ignore_errors=True)
    _prune(keep=key)
    return entry


def copy_of_reference(source_dir: Path, data_dir: Path) -> Path:
    """`data_dir` holding a private copy of the cached snapshot (about 110 MB; copying takes well under
    a second, so tests that write into their data directory cannot touch the cache)."""
    cached = cached_reference(source_dir) / "reference"
    shutil.copytree(cached, Path(data_dir) / "reference", dirs_exist_ok=True)
    return Path(data_dir)


def _prune(keep: str) -> None:
    """Drop snapshots of older reference files or code (each is about 110 MB), and builds left by a killed
    session; a build younger than an hour may be another session's, still running."""
    for path in CACHE_ROOT.iterdir():
        if path.name.startswith("building-") and time.time() - path.stat().st_mtime < 3600:
            continue
        if path.is_dir() and path.name != keep:
            shutil.rmtree(path, ignore_errors=True)
        elif path.suffix == ".lock" and path.stem != keep:
            path.unlink(missing_ok=True)
