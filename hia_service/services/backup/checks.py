"""The checks `hia import` makes on a whole archive before it writes anything: the manifest's signature (or
the archive's sha256, given out of band; see backup_signature.py), the files against the manifest, the rows
against the schema and each other, the audit chain, frozen versions and signed PDFs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hia_service.data import backup as store
from hia_service.data.models import AssessmentVersion
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.backup import (
    LINKS,
    MANIFEST,
    ArchiveError,
    check_files,
    check_links,
    check_manifest,
    sha256,
)
from hia_service.services.backup.files import unpack
from hia_service.services.backup.signature import Signer

# Given the manifest and every file, returns who signed the manifest (None: unsigned, accepted out of band)
# or raises ArchiveError.
Authenticate = Callable[[dict[str, Any], dict[str, bytes]], Signer | None]

# What submit_for_review() hashes into content_hash: the frozen fields apart from the hash and the number.
HASHED = [name for name in AssessmentVersion.FROZEN if name not in ("content_hash", "number")]


NOT_AS_EXPORTED = (
    "The archive's manifest or records are not in the form `hia export` writes them: it has been altered or "
    "damaged. Nothing was imported."
)


def document_name(reference: str, number: int) -> str:
    return f"documents/{reference}-v{number}.pdf"


def checked(
    raw: bytes, authenticate: Authenticate
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[str, bytes], Signer | None]:
    files = unpack(raw)
    try:
        manifest = _json(files, MANIFEST)
        check_manifest(manifest)
        signer = authenticate(manifest, files)  # before any other content is relied on
        check_files(manifest, files)
        records = _records(manifest, files)
        _check_audit(manifest, records["audit_events"], _json(files, LINKS))
        _check_versions(records["assessment_versions"])
        _check_documents(records, files)
    except ArchiveError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError):
        # The checks above name every problem `hia export` could leave; anything else means the JSON is not
        # in the shape it writes (altered by hand, or damaged and its fingerprints redone).
        raise ArchiveError(NOT_AS_EXPORTED) from None
    return manifest, records, files, signer


def _json(files: dict[str, bytes], name: str) -> Any:
    try:
        return json.loads(files[name])
    except (KeyError, ValueError) as error:
        raise ArchiveError(f"{name} in the archive is missing or is not valid JSON.") from error


def _records(manifest: dict[str, Any], files: dict[str, bytes]) -> dict[str, list[dict[str, Any]]]:
    if manifest.get("tables") != [spec.name for spec in store.TABLES]:
        unknown = sorted(set(manifest.get("tables") or []) - set(store.SPECS))
        raise ArchiveError(
            "The archive's tables are not the ones this service expects"
            + (f" (it has {', '.join(unknown)}, which this service does not know)" if unknown else "")
            + ": it was made by a different version of the service."
        )
    records = {name: _json(files, f"records/{name}.json") for name in manifest["tables"]}
    for spec in store.TABLES:
        check_rows(spec, records)
    if (
        len(records["organisations"]) != 1
        or records["organisations"][0]["code"] != manifest["organisation"]["code"]
    ):
        raise ArchiveError("The archive must hold exactly the one organisation its manifest names.")
    return records


def check_rows(spec: store.TableSpec, records: dict[str, list[dict[str, Any]]]) -> None:
    columns = {column.key for column in spec.table.columns}
    required = columns - set(spec.added_later)  # an older archive lacks the columns added since
    rows = records[spec.name]
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and required <= set(r) <= columns for r in rows
    ):
        raise ArchiveError(f"records/{spec.name}.json does not have the columns this service expects.")
    for row in rows:
        problem = store.column_problem(spec, row)
        if problem:
            raise ArchiveError(
                f"A row of {spec.name} in the archive (id {_shown_id(row)}) cannot be imported: {problem}. "
                "Nothing was imported."
            )
    if len({row[spec.key] for row in rows}) != len(rows):
        raise ArchiveError(f"records/{spec.name}.json holds the same {spec.key} twice.")
    if any(row[column] is not None for row in rows for column in spec.withheld):
        raise ArchiveError(
            f"records/{spec.name}.json holds {', '.join(spec.withheld)}, which `hia export` never writes "
            "(a signing certificate is uploaded again on the server itself): it is not a genuine archive."
        )
    for column, table in spec.refs.items():
        known = {row["id"] for row in records[table]}
        for row in rows:
            if row[column] is not None and row[column] not in known:
                raise ArchiveError(
                    f"A row of {spec.name} (id {row['id']}) refers to {table} id {row[column]}, "
                    "which is not in the archive."
                )


def _check_audit(manifest: dict[str, Any], audit: list[dict[str, Any]], links: list[dict[str, Any]]) -> None:
    problems = store.audit_problems(audit) + check_links(store.links_of(audit), store.links_of(links))
    expected = manifest["audit"]
    ends = (audit[0]["prev_hash"], audit[-1]["entry_hash"]) if audit else (None, None)
    if (
        ends != (expected["first_prev_hash"], expected["last_entry_hash"])
        or len(audit) != expected["entries"]
    ):
        problems.append("The audit log in the archive does not start and end where its manifest says.")
    if problems:
        raise ArchiveError(
            f"The audit log in the archive does not verify, so nothing was imported. {problems[0]}"
            + (f" ({len(problems)} problems in all.)" if len(problems) > 1 else "")
        )


def _check_versions(versions: list[dict[str, Any]]) -> None:
    for row in versions:
        frozen = {key: row[key] for key in HASHED}
        if content_hash(frozen) != row["content_hash"]:
            raise ArchiveError(
                f"Version {row['number']} of assessment id {row['assessment_id']} in the archive does not "
                "match its content hash: its frozen content was altered. Nothing was imported."
            )


def _check_documents(records: dict[str, list[dict[str, Any]]], files: dict[str, bytes]) -> None:
    references = {row["id"]: row["reference"] for row in records["assessments"]}
    wanted = {}
    for row in records["assessment_versions"]:
        if row["pdf_sha256"] is not None:
            wanted[document_name(references[row["assessment_id"]], row["number"])] = row["pdf_sha256"]
    for name in (n for n in files if n.startswith("documents/")):
        if name not in wanted:
            raise ArchiveError(f"{name} in the archive belongs to no signed version.")
    for name, digest in wanted.items():
        if name not in files:
            raise ArchiveError(f"The signed PDF {name} is missing from the archive.")
        if sha256(files[name]) != digest:
            raise ArchiveError(f"{name} is not the signed PDF its version records (pdf_sha256 differs).")


def _shown_id(row: dict[str, Any]) -> str:
    value = row.get("id")
    return str(value) if isinstance(value, int) else "unknown"
