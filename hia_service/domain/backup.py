"""The organisation archive (`hia export` / `hia import`): its format, and the checks an archive must pass
before anything is written. Pure: the data layer reads and writes rows, the service reads and writes files.

An archive is a gzipped tar holding manifest.json (format, versions, counts, and the sha256 of every other
file), records/<table>.json (the rows of each table, oldest first, with the source database's ids),
audit/links.json (the hashes of other organisations' audit entries that sit between this organisation's
entries in the shared chain, without their content) and documents/<reference>-v<n>.pdf (the signed PDFs).
From version 3, manifest.sig.json signs the exact bytes of manifest.json with the organisation's
document-signing certificate (parse_signature reads it here; the cryptography is in
services/backup_signature.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from hia_service.domain.untrusted_json import too_deep

FORMAT = "hia-organisation-archive"
# 2: training sessions and organisation settings joined the archive; 3: the manifest is signed
FORMAT_VERSION = 3
READABLE_VERSIONS = (2, 3)  # a version 2 archive is unsigned: it imports only with --expect-sha256
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig.json"
LINKS = "audit/links.json"
# Only these names may appear in an archive: nothing absolute, no "..", no links or devices.
ALLOWED_NAME = re.compile(
    r"^(manifest\.json|manifest\.sig\.json|records/[a-z_]+\.json|audit/links\.json"
    r"|documents/[A-Za-z0-9-]+\.pdf)$"
)
TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"

# Audit entries name their subject by id; which table each kind of subject lives in. Subjects not listed
# here (an email address for reminders, or kinds added later) are kept as they were.
SUBJECT_TABLES = {
    "assessment": "assessments",
    "user": "users",
    "api_token": "api_tokens",
    "register": "organisations",
    "organisation": "organisations",
    "training_session": "training_sessions",
    "organisation_choice": "organisation_choices",
}
# Ids held in the details of audit entries: action items (follow-up), the trainee added to a session.
DETAIL_ID_KEYS = {"item": "action_items", "items": "action_items", "trainee": "users"}


class ArchiveError(Exception):
    """The archive cannot be imported; the message says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": sha256(data), "bytes": len(data)}


# --- values ---------------------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A column value as JSON: times as UTC ISO strings with microseconds, dates as ISO dates, bytes (a
    logo) as base64."""
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite gives naive UTC times
        return aware.astimezone(UTC).strftime(TIMESTAMP)
    if isinstance(value, date):
        return value.isoformat()
    return value


def decode_datetime(value: str | None) -> datetime | None:
    return None if value is None else datetime.strptime(value, TIMESTAMP).replace(tzinfo=UTC)


def decode_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def decode_bytes(value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (TypeError, ValueError):
        raise ArchiveError("A file held in the archive's records (a logo) is not valid base64.") from None


# --- the manifest and its files -------------------------------------------------------------------------


def check_manifest(manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(
            "This file is not an organisation archive made by `hia export` (its manifest is wrong)."
        )
    version = manifest.get("format_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise ArchiveError(
            f"This archive is in format version {version!r}, but this service reads only versions "
            f"{' and '.join(map(str, READABLE_VERSIONS))}. Import it with the version of the service that "
            f"made it (app version {manifest.get('app_version', 'unknown')})."
        )
    if not isinstance(manifest.get("files"), list) or not isinstance(manifest.get("organisation"), dict):
        raise ArchiveError(
            "The archive's manifest is incomplete: it does not list its files and organisation."
        )


def check_files(manifest: dict[str, Any], files: Mapping[str, bytes]) -> None:
    """Every listed file present with its fingerprint; nothing unlisted."""
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for path, entry in listed.items():
        if path not in files:
            raise ArchiveError(
                f"The archive is incomplete: {path} is listed in its manifest but missing "
                "(was the file cut short while copying?)."
            )
        if sha256(files[path]) != entry["sha256"] or len(files[path]) != entry["bytes"]:
            raise ArchiveError(
                f"{path} does not match the fingerprint in the archive's manifest: "
                "the archive has been altered or damaged."
            )
    for path in files:
        if path not in (MANIFEST, SIGNATURE) and path not in listed:
            raise ArchiveError(
                f"The archive holds {path}, which its manifest does not list: it has been altered."
            )


# --- the manifest's signature ------------------------------------------------------------------------------

SIGNATURE_FORMAT = "hia-manifest-signature"
SIGNATURE_ALGORITHMS = ("rsa-pkcs1v15-sha256", "ecdsa-sha256", "ed25519")
# Far above any real member (a 16384-bit RSA signature and a chain of a few certificates), far below harm.
MAX_SIGNATURE_MEMBER_BYTES = 256 * 1024
MAX_SIGNATURE_BYTES = 2048
MAX_CERTIFICATES = 8
MAX_CERTIFICATE_CHARS = 32 * 1024
_BAD_SIGNATURE = f"{SIGNATURE} in the archive is damaged"


@dataclass(frozen=True)
class ManifestSignature:
    """What manifest.sig.json says: the signature over manifest.json, and the signer's certificate (PEM)
    followed by the certificates that issued it."""

    algorithm: str
    signature: bytes
    certificates: tuple[str, ...]


def signature_member(algorithm: str, signature: bytes, certificates: list[str]) -> dict[str, Any]:
    return {
        "format": SIGNATURE_FORMAT,
        "version": 1,
        "signs": MANIFEST,
        "algorithm": algorithm,
        "signature": base64.b64encode(signature).decode("ascii"),
        "certificates": certificates,
    }


def parse_signature(data: bytes) -> ManifestSignature:
    """manifest.sig.json read strictly: any damage is an ArchiveError saying what is wrong."""
    if len(data) > MAX_SIGNATURE_MEMBER_BYTES:
        raise ArchiveError(f"{_BAD_SIGNATURE}: it is larger than any signature this service writes.")
    if too_deep(data):
        raise ArchiveError(f"{_BAD_SIGNATURE}: it is not a signature this service writes.")
    try:
        member = json.loads(data)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ArchiveError(f"{_BAD_SIGNATURE}: it is not valid JSON.") from None
    if not isinstance(member, dict) or member.get("format") != SIGNATURE_FORMAT:
        raise ArchiveError(f"{_BAD_SIGNATURE}: it is not a signature made by `hia export`.")
    if member.get("version") != 1 or type(member.get("version")) is not int:
        raise ArchiveError(f"{_BAD_SIGNATURE}: its version is {_short(member.get('version'))}, not 1.")
    if member.get("signs") != MANIFEST:
        raise ArchiveError(f"{_BAD_SIGNATURE}: it does not say it signs {MANIFEST}.")
    algorithm = member.get("algorithm")
    if algorithm not in SIGNATURE_ALGORITHMS:
        raise ArchiveError(
            f"{_BAD_SIGNATURE}: its algorithm {_short(algorithm)} is not one this service uses "
            f"({', '.join(SIGNATURE_ALGORITHMS)})."
        )
    signature = member.get("signature")
    if not isinstance(signature, str) or len(signature) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ArchiveError(f"{_BAD_SIGNATURE}: its signature is missing or is not a short base64 text.")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise ArchiveError(f"{_BAD_SIGNATURE}: its signature is not valid base64.") from None
    if not raw:
        raise ArchiveError(f"{_BAD_SIGNATURE}: its signature is empty.")
    certificates = member.get("certificates")
    if (
        not isinstance(certificates, list)
        or not 1 <= len(certificates) <= MAX_CERTIFICATES
        or not all(isinstance(c, str) and 0 < len(c) <= MAX_CERTIFICATE_CHARS for c in certificates)
    ):
        raise ArchiveError(
            f"{_BAD_SIGNATURE}: it must give the signer's certificate, and at most "
            f"{MAX_CERTIFICATES - 1} certificates that issued it, as PEM texts."
        )
    return ManifestSignature(algorithm, raw, tuple(certificates))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- the audit chain --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainLink:
    """One entry of the shared chain: its id, the hash it follows and its own hash."""

    id: int
    prev_hash: str
    entry_hash: str


def check_links(own: Iterable[ChainLink], others: Iterable[ChainLink]) -> list[str]:
    """The organisation's entries, with the other entries between them, form one unbroken run of the chain."""
    problems = []
    run = sorted([*own, *others], key=lambda link: link.id)
    for before, after in pairwise(run):
        if after.prev_hash != before.entry_hash:
            problems.append(
                f"Audit entry {after.id} does not follow entry {before.id}: "
                "an entry was removed from, or added to, the archive's audit log."
            )
    return problems


# --- ids ------------------------------------------------------------------------------------------------


def remap_audit(row: dict[str, Any], ids: Mapping[str, Mapping[int, int]]) -> tuple[dict[str, Any], bool]:
    """An audit entry's subject and detail ids in the new database; False when one could not be mapped."""
    mapped = True
    out = dict(row)
    table = SUBJECT_TABLES.get(row.get("subject_type") or "")
    if table and row.get("subject_id") is not None:
        new = _new_id(ids[table], row["subject_id"])
        mapped = new is not None
        out["subject_id"] = str(new) if new is not None else row["subject_id"]
    details = dict(row.get("details") or {})
    for key, table in DETAIL_ID_KEYS.items():
        if key in details:
            value = details[key]
            news = [_new_id(ids[table], v) for v in (value if isinstance(value, list) else [value])]
            mapped = mapped and None not in news
            if None not in news:
                details[key] = news if isinstance(value, list) else news[0]
    out["details"] = details
    return out, mapped


def _new_id(mapping: Mapping[int, int], old: Any) -> int | None:
    try:
        return mapping.get(int(old))
    except (TypeError, ValueError):
        return None
