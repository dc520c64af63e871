"""Where the service keeps the PDFs it makes: signed records of approved versions, and drawn copies of
other versions waiting to be downloaded.

Files are addressed by a key such as "documents/RXA/HIA-2026-0001-v1.pdf", never by a local path, so every app
server and worker can share one store. Two stores have the same methods:

- LocalFolder (the default): a folder under HIA_DATA_DIR. One server, or a volume every server mounts.
- S3ObjectStore: an S3 bucket or an S3-compatible store (MinIO, Ceph), chosen with
  HIA_STORAGE_URL=s3://bucket/prefix (and HIA_S3_ENDPOINT_URL for a store that is not AWS). Credentials and
  region come from the standard AWS_* environment variables or the machine's role, never our settings.

Either way a write is all or nothing, a missing file reads as None, and a store that cannot be reached or
refuses is a StorageError (503, "try again") with the details in the log. See docs/deployment.md.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import socket
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, current_app

from hia_service.config import parse_storage_url
from hia_service.services.errors import ServiceError

log = logging.getLogger("hia_service.storage")
EXTENSION = "hia_document_storage"
SAVE_FAILED = (
    "The PDF could not be saved, so the assessment has not been approved. Please try again. If this keeps "
    "happening, tell your system administrator: the server may be out of disk space."
)
STORE_SAVE_FAILED = (
    "The PDF could not be saved, so the assessment has not been approved. Please try again in a few minutes. "
    "If this keeps happening, tell your system administrator: the document store did not accept it."
)
STORE_READ_FAILED = (
    "The PDF could not be fetched from the document store just now. Please try again in a few minutes. If "
    "this keeps happening, tell your system administrator: the document store may be unreachable."
)
# Not found, as S3 and S3-compatible stores spell it (HEAD has no body, so only the status code: a missing
# bucket then also reads as a missing object, and the write that follows fails with NoSuchBucket).
MISSING_CODES = {"NoSuchKey", "NotFound", "404"}


class StorageError(ServiceError):
    """The store could not do what was asked. Nothing partial is left behind; the user may try again."""

    status = 503


class StorageFullError(StorageError):
    """A file could not be written (disk full, read-only, no permission). Nothing partial is left behind."""


class StoreUnavailableError(StorageError):
    """The object store could not be reached, or refused (credentials, permissions, no such bucket)."""


class DocumentStorage(Protocol):
    def read(self, key: str) -> bytes | None: ...
    def write(self, key: str, data: bytes) -> None: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def move(self, source: str, target: str) -> None: ...
    def describe(self) -> str: ...


def check_key(key: str) -> str:
    """Keys are made by the service; one that could climb out of the store is a bug, stopped here."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalFolder:
    """Files under one folder; writes are all-or-nothing (temporary file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
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

    def delete(self, key: str) -> None:
        """The file, then any folder it leaves empty: an import that is undone must leave no trace, not
        even the folder of an organisation it set aside."""
        path, root = self.path(key), self.root.resolve()
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == root or root not in folder.parents:
                break
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): the folders above are in use too
                break

    def move(self, source: str, target: str) -> None:
        """A rename within the folder: atomic, so the target is either the old file or the whole new one."""
        destination = self.path(target)
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path(source), destination)
        except OSError as error:
            log.error("Could not move a file", extra={"fields": {"to": target, "error": str(error)}})
            raise StorageFullError(SAVE_FAILED) from None

    def describe(self) -> str:
        return f"the folder {self.root}"


class S3ObjectStore:
    """Objects in an S3 bucket (or an S3-compatible store) under an optional prefix. S3 writes whole objects,
    so a write is all or nothing; Content-MD5 makes the store refuse a body damaged on the way."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""

    def name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def read(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.name(key))
            return response["Body"].read()
        except (BotoCoreError, ClientError) as error:
            if _is_missing(error):
                return None
            raise self._failed("read", key, error, STORE_READ_FAILED) from None

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.name(key))
            return True
        except (BotoCoreError, ClientError) as error:
            if _is_missing(error):
                return False
            raise self._failed("check", key, error, STORE_READ_FAILED) from None

    def write(self, key: str, data: bytes) -> None:
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        content_type = "application/pdf" if key.endswith(".pdf") else "application/octet-stream"
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self.name(key), Body=data, ContentMD5=md5, ContentType=content_type
            )
        except (BotoCoreError, ClientError) as error:
            raise self._failed("write", key, error, STORE_SAVE_FAILED) from None

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.name(key))
        except (BotoCoreError, ClientError) as error:
            raise self._failed("delete", key, error, STORE_SAVE_FAILED) from None

    def move(self, source: str, target: str) -> None:
        """Copied within the store (the target appears whole or not at all), then the source deleted."""
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=self.name(target),
                CopySource={"Bucket": self.bucket, "Key": self.name(source)},
            )
        except (BotoCoreError, ClientError) as error:
            raise self._failed("move", target, error, STORE_SAVE_FAILED) from None
        self.delete(source)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _failed(
        self, action: str, key: str, error: BotoCoreError | ClientError, message: str
    ) -> StoreUnavailableError:
        code = error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None
        log.error(
            "The document store did not answer as expected",
            extra={
                "fields": {
                    "action": action,
                    "store": self.describe(),
                    "key": key,
                    "code": code,
                    "error": str(error),
                }
            },
        )
        return StoreUnavailableError(message)


def _is_missing(error: BotoCoreError | ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None
    return str(code) in MISSING_CODES


def s3_client(endpoint_url: str | None) -> Any:
    """One client for the app (boto3 clients are thread-safe). Short timeouts and a few retries: a store
    that is down gives the person a clear "try again" in seconds, not a page that hangs."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 3, "mode": "standard"},
        # S3-compatible stores (older MinIO, Ceph) refuse the newer default checksums; Content-MD5 suffices.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url or None, config=config)


def storage_from_config(config: Mapping[str, Any]) -> S3ObjectStore | None:
    """The object store the settings name, or None for the local folder. A bad URL stops start-up."""
    url = config.get("HIA_STORAGE_URL")
    if not url:
        return None
    bucket, prefix = parse_storage_url(url)
    return S3ObjectStore(s3_client(config.get("HIA_S3_ENDPOINT_URL")), bucket, prefix)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = storage_from_config(app.config)


def document_storage() -> DocumentStorage:
    """The app's object store if one is set; otherwise the folder under HIA_DATA_DIR as it is now (tests
    point HIA_DATA_DIR elsewhere for a while)."""
    store = current_app.extensions.get(EXTENSION)
    return store if store is not None else LocalFolder(Path(current_app.config["HIA_DATA_DIR"]))


def check() -> str:
    """For `hia storage check`: write a small object, read it back and compare, which proves the store is
    reachable and the credentials may write and read there. One object per server, overwritten each time."""
    store = document_storage()
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "server"
    key = f"checks/{host}.txt"
    data = f"hia storage check from {host} at {datetime.now(UTC).isoformat()}\n".encode()
    try:
        store.write(key, data)
        same = store.read(key) == data
    except StorageError:
        raise StorageError(
            f"Could not write to and read back from {store.describe()}. The log has the reason (not "
            "reachable, credentials, permissions, or no such bucket)."
        ) from None
    if not same:
        raise StorageError(f"{store.describe()} gave back something other than what was written to {key}.")
    return f"{store.describe()} (wrote and read back {key})"


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
