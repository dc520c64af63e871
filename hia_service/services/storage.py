"""Where the service keeps the PDFs it makes: signed records of approved versions, and drawn copies of
other versions waiting to be downloaded.

Files are addressed by a key such as "documents/RXA/HIA-2026-0001-v1.pdf". Today the only store is a folder
under HIA_DATA_DIR, which every app server and worker must share (one server, or a shared volume). A
deployment with many servers swaps in an object store (S3 or Azure Blob) with the same three methods; see
docs/deployment.md.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

from hia_service.services.errors import ServiceError

log = logging.getLogger("hia_service.storage")
SAVE_FAILED = (
    "The PDF could not be saved, so the assessment has not been approved. Please try again. If this keeps "
    "happening, tell your system administrator: the server may be out of disk space."
)


class StorageFullError(ServiceError):
    """A file could not be written (disk full, read-only, no permission). Nothing partial is left behind."""

    status = 503


class DocumentStorage(Protocol):
    def read(self, key: str) -> bytes | None: ...
    def write(self, key: str, data: bytes) -> None: ...
    def exists(self, key: str) -> bool: ...


class LocalFolder:
    """Files under one folder; writes are all-or-nothing (temporary file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"storage key outside the store: {key!r}")
        return path

    def read(self, key: str) -> bytes | None:
        path = self.path(key)
        return path.read_bytes() if path.is_file() else None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def write(self, key: str, data: bytes) -> None:
        write_atomically(self.path(key), data)


def document_storage() -> LocalFolder:
    return LocalFolder(Path(current_app.config["HIA_DATA_DIR"]))


def write_atomically(path: Path, data: bytes, message: str = SAVE_FAILED) -> None:
    """Temp file then os.replace, so a reader never sees half a file; a full disk is a clear message."""
    temp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except OSError as error:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)
        log.error("Could not save a file", extra={"fields": {"path": str(path), "error": str(error)}})
        raise StorageFullError(message) from None
