"""The files side of organisation archives: packing and unpacking the tar.gz safely, and putting the signed
PDFs in place in document storage only once the database has committed (a failed import leaves no stray
files behind; one stopped after its commit has its PDFs moved into place later: documents/staged.py)."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import tarfile
import tempfile
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hia_service.domain.backup import ALLOWED_NAME, MANIFEST, ArchiveError
from hia_service.services.documents import staged as staging
from hia_service.services.documents.storage import DocumentStorage, StorageError

log = logging.getLogger("hia_service.backup")

# Bounds on what an archive may make us hold in memory: a gzip bomb or a doctored header stops here.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_FILES = 200_000
FOLDERS = {"records", "audit", "documents"}
DAMAGED = (
    "The archive could not be read: it is damaged or incomplete (perhaps cut short while copying). "
    "Nothing was imported."
)


def to_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1).encode()


def pack(files: dict[str, bytes]) -> bytes:
    """A gzipped tar, manifest first, with fixed times and owners so the same records pack the same."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name in sorted(files, key=lambda n: (n != MANIFEST, n)):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(files[name]))
    return buffer.getvalue()


def unpack(data: bytes) -> dict[str, bytes]:
    """The archive's files by name; refuses links, odd names, duplicates and oversized members."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar:
                if member.isdir() and member.name.rstrip("/") in FOLDERS:
                    continue  # an archive unpacked and packed again by hand has its folders listed too
                _check_member(member, files)
                total += member.size
                if total > MAX_TOTAL_BYTES or len(files) >= MAX_FILES:
                    raise ArchiveError("The archive is larger than this service will import in one go.")
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file, checked above
                files[member.name] = handle.read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise ArchiveError(DAMAGED) from error
    if MANIFEST not in files:
        raise ArchiveError("The archive has no manifest.json, so it was not made by `hia export`.")
    return files


def _check_member(member: tarfile.TarInfo, seen: dict[str, bytes]) -> None:
    if not member.isfile() or not ALLOWED_NAME.match(member.name):
        raise ArchiveError(
            f"The archive holds {member.name!r}, which `hia export` never writes: "
            "it is not a genuine archive."
        )
    if member.name in seen:
        raise ArchiveError(f"The archive holds {member.name} twice: it has been altered.")
    if member.size > MAX_FILE_BYTES:
        raise ArchiveError(f"{member.name} in the archive is larger than this service will import.")


def write_atomically(path: Path, data: bytes) -> None:
    """Temp file beside it, then rename: an interrupted export never leaves half an archive."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


@dataclass
class StagedDocuments:
    """PDFs written to the store beside their final keys under temporary names before the commit, and moved
    into place after it. Each is noted in the import's transaction, so if the process stops after the
    commit, the moves are finished later (staging.move_into_place) rather than lost. Everything is
    addressed by key, so this works the same on a local folder and in an object store."""

    storage: DocumentStorage
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    staged: list[tuple[str, str]] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)

    def copy_aside(self, source: str, target: str) -> None:
        """Copy a replaced organisation's PDF to its new (retired) code's key; a missing one stays missing."""
        data = self.storage.read(source)
        if data is not None:
            self.storage.write(target, data)
            self.copies.append(target)

    def stage(self, final: str, data: bytes) -> None:
        self.staged.append((staging.stage(self.storage, final, data, self.token), final))

    def finish(self) -> None:
        """After the commit: move the PDFs into place and forget their notes (the caller commits that).
        Also finishes the moves of an earlier import that stopped after its commit."""
        staging.move_into_place(storage=self.storage)
        self.staged.clear()

    def discard(self) -> None:
        """Undo what was written before a failed commit; what cannot be removed now is only logged (nothing
        points at it, and it is not served)."""
        for key in [temp for temp, _ in self.staged] + self.copies:
            try:
                self.storage.delete(key)
            except StorageError:
                log.warning("Could not remove a staged file", extra={"fields": {"key": key}})
        self.staged.clear()
        self.copies.clear()
