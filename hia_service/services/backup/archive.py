"""Back up and restore one organisation: `hia export --org CODE --to FILE` and `hia import FILE`.

Export writes every record of the organisation (see data/backup.py TABLES), its audit entries with the
hashes that chain them, and its signed PDFs into one archive (domain/backup.py describes the format), and
signs its manifest with the service's own signing certificate (signature.py).
Import checks the whole archive before it writes anything (first that the manifest is signed by a
certificate this service trusts, or that the archive's sha256 is the one given), then writes it in one
transaction under new ids, appending the audit entries to this database's own chain.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy.exc import SQLAlchemyError

from hia_service.data import backup as store
from hia_service.data.accounts import get_organisation_by_code
from hia_service.data.audit import record_audit_event
from hia_service.data.reference import current_reference_datasets
from hia_service.data.transaction import commit, rollback
from hia_service.documents.errors import CertificateError
from hia_service.domain.backup import (
    FORMAT,
    FORMAT_VERSION,
    LINKS,
    MANIFEST,
    SIGNATURE,
    ArchiveError,
    check_links,
    file_entry,
    remap_audit,
    sha256,
)
from hia_service.extensions import db
from hia_service.services.backup.checks import check_rows, checked, document_name
from hia_service.services.backup.files import StagedDocuments, pack, to_json, write_atomically
from hia_service.services.backup.signature import Signer, read_certificates, sign_manifest, verify_manifest
from hia_service.services.documents.staged import move_into_place
from hia_service.services.documents.storage import StorageError, document_storage
from hia_service.services.errors import NotFoundError, ServiceError

log = logging.getLogger("hia_service.backup")

# What no archive holds, whatever the schema: listed in every manifest.
NEVER_EXPORTED = {
    "signing certificate": "the certificate uploaded in the organisation's settings (and the server's own, "
    "HIA_SIGNING_P12) stays on its server: after an import an admin uploads it again",
    "API token secrets": "only each token's sha256 is stored (and exported); holders keep their tokens",
}

UPLOAD_AGAIN = (
    "The organisation's signing certificate is not in the archive: an admin must upload it again "
    "(Organisation settings, signing certificate) before its records can be signed on this server."
)


class BackupError(ServiceError):
    pass


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    sha256: str
    bytes: int
    counts: dict[str, int]
    documents: int
    not_exported: dict[str, str]
    password_hashes: bool
    certificate_to_upload: bool
    signed_by: Signer | None


@dataclass(frozen=True)
class ImportSummary:
    code: str
    name: str
    counts: dict[str, int]
    documents: int
    replaced_as: str | None
    unmapped_references: int
    password_hashes: bool
    made_by: str
    reference_releases: list[str]
    certificate_to_upload: bool
    signed_by: Signer | None  # None: unsigned, accepted because its sha256 was the one given
    sha256_given: bool


def app_version() -> str:
    try:
        return version("hia-service")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


# --- export -----------------------------------------------------------------------------------------------


def export_organisation(
    code: str, out: Path, *, password_hashes: bool = True, sign: bool = True, replace: bool = False
) -> ExportSummary:
    """Write the organisation's archive to `out` and record the export in the audit log (caller commits).
    The manifest is signed unless `sign` is False (then only the printed sha256 vouches for the archive).
    An existing file at `out` is replaced only if `replace`; a symbolic link never is."""
    _check_destination(out, replace)
    store.read_consistently()
    org_id = store.organisation_id_by_code(code.strip().upper())
    if org_id is None:
        raise NotFoundError(f"There is no organisation with the code {code.strip().upper()}.")
    rows = store.organisation_rows(org_id)
    try:  # the checks import makes: an archive that could never be imported is not written
        for spec in store.TABLES:
            check_rows(spec, rows)
    except ArchiveError as error:
        raise BackupError(
            f"The organisation's records cannot be exported as they are: {error.message}"
        ) from None
    if not password_hashes:
        rows["users"] = [{**user, "password_hash": None} for user in rows["users"]]
    links = _own_chain(rows["audit_events"])
    files = {f"records/{name}.json": to_json(table) for name, table in rows.items()}
    files[LINKS] = to_json(links)
    files |= _stored_documents(org_id)
    manifest = _manifest(rows, links, files, password_hashes, store.had_uploaded_certificate(org_id))
    files[MANIFEST] = to_json(manifest)
    signer = None
    if sign:
        files[SIGNATURE], signer = _sign(code.strip().upper(), files[MANIFEST])
    archive = pack(files)
    write_atomically(out, archive)
    digest = sha256(archive)
    record_audit_event(
        "organisation_exported",
        actor=None,
        organisation_id=org_id,
        subject=("organisation", org_id),
        details={
            "archive_sha256": digest,
            "counts": manifest["counts"],
            "password_hashes": password_hashes,
            "signed_by": signer.fingerprint if signer else None,
        },
    )
    return ExportSummary(
        out,
        digest,
        len(archive),
        manifest["counts"],
        manifest["counts"]["documents"],
        manifest["not_exported"],
        password_hashes,
        manifest["signing_certificate"]["upload_again"],
        signer,
    )


def _check_destination(out: Path, replace: bool) -> None:
    """Refuse a symbolic link: the archive would replace the link itself, not the file it points to, so
    whatever expects the archive there (a backup job reading the link's target) would not get it."""
    if out.is_symlink():
        raise BackupError(
            f"{out} is a symbolic link, so nothing was exported. Give the path of the archive file itself."
        )
    if out.exists() and not replace:
        raise BackupError(f"{out} already exists. Use --force to replace it.")


def _sign(code: str, manifest: bytes) -> tuple[bytes, Signer]:
    """manifest.sig.json, signed with the service's own key: never the organisation's uploaded one, whose
    administrators may hold its key and could then sign an archive of records they made up."""
    from hia_service.services.documents.records import service_signing_credentials  # the PDF toolchain

    organisation = get_organisation_by_code(code)
    assert organisation is not None  # found by code a moment ago, in the same transaction
    try:
        p12, passphrase = service_signing_credentials(organisation)
        return sign_manifest(manifest, p12, passphrase)
    except (ServiceError, CertificateError) as error:
        reason = error.message if isinstance(error, ServiceError) else str(error)
        raise BackupError(
            f"The archive's manifest could not be signed, so the organisation was not exported. {reason} "
            "(To write an unsigned archive anyway, use --unsigned: importing it then needs the sha256 "
            "`hia export` prints, given with --expect-sha256.)"
        ) from None


def _own_chain(audit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The other organisations' link hashes between ours; refuses to export a chain that is broken."""
    if not audit:
        return []
    links = store.chain_links_between(audit[0]["id"], audit[-1]["id"], (row["id"] for row in audit))
    problems = store.audit_problems(audit) + check_links(store.links_of(audit), store.links_of(links))
    if problems:
        raise BackupError(
            f"The audit log is broken, so the organisation was not exported: {problems[0]} "
            "Run `hia audit verify` for the full list."
        )
    return links


def _stored_documents(org_id: int) -> dict[str, bytes]:
    from hia_service.services.documents.records import stored_pdf_key  # documents pulls in the PDF toolchain

    files = {}
    store = document_storage()
    for found in _signed_versions(org_id):
        key = stored_pdf_key(found)
        try:
            data = store.read(key)
        except StorageError:
            raise BackupError(
                f"The signed PDFs could not be read from the document store ({store.describe()}), so the "
                "organisation was not exported. Try again in a few minutes."
            ) from None
        if data is None or sha256(data) != found.pdf_sha256:
            raise BackupError(
                f"The signed PDF of {found.assessment.reference} version {found.number} is missing or has "
                f"changed on the server ({key} in {store.describe()}), so the organisation was not exported."
            )
        files[document_name(found.assessment.reference, found.number)] = data
    return files


def _signed_versions(org_id: int) -> list[Any]:
    """The organisation's versions that have a signed record."""
    return [found for found in store.versions_of(org_id) if found.pdf_sha256 is not None]


def _manifest(
    rows: dict[str, list], links: list, files: dict[str, bytes], password_hashes: bool, certificate: bool
) -> dict[str, Any]:
    organisation = rows["organisations"][0]
    audit = rows["audit_events"]
    counts = {name: len(table) for name, table in rows.items()}
    counts["documents"] = sum(1 for name in files if name.startswith("documents/"))
    releases = sorted({row["reference_release"] for row in rows["assessments"]})
    loaded = sorted({(d.release, d.snapshot_id) for d in current_reference_datasets()})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": app_version(),
        "created_at": datetime.now(UTC).isoformat(),
        "organisation": {"code": organisation["code"], "name": organisation["name"]},
        "reference_release": {
            "used_by_assessments": releases,
            "loaded": [{"release": r, "snapshot": s} for r, s in loaded],
        },
        "password_hashes": password_hashes,
        "counts": counts,
        "tables": list(rows),
        "audit": {
            "entries": len(audit),
            "other_organisations_links": len(links),
            "first_prev_hash": audit[0]["prev_hash"] if audit else None,
            "last_entry_hash": audit[-1]["entry_hash"] if audit else None,
        },
        "not_exported": {**store.not_exported(), **NEVER_EXPORTED},
        "signing_certificate": {
            "in_archive": False,
            "upload_again": certificate,
            "after_import": UPLOAD_AGAIN if certificate else None,
        },
        "files": [file_entry(name, data) for name, data in sorted(files.items())],
    }


# --- import -----------------------------------------------------------------------------------------------


def import_archive(
    path: Path,
    *,
    replace: bool = False,
    expected_sha256: str | None = None,
    trust_certificates: Sequence[Path] = (),
) -> ImportSummary:
    """Check the archive end to end, then write it in one transaction (and commit: the PDFs are put in
    place only after the commit, so this use case owns its transaction boundary).

    The archive must be signed by a certificate this service trusts (or one in `trust_certificates`), or
    be the very file whose sha256 is `expected_sha256`."""
    extra = _trusted_files(trust_certificates)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BackupError(f"The archive {path} could not be read: {error.strerror}.") from None
    # The manifest catches damage; its signature, or the sha256 noted at export, proves where it came from.
    if expected_sha256 and sha256(raw) != expected_sha256.strip().lower():
        raise BackupError(
            f"The archive's sha256 is {sha256(raw)}, not the {expected_sha256.strip()} you gave: it is not "
            "the file that was exported. Nothing was imported."
        )
    sha256_given = bool(expected_sha256)

    def authenticate(manifest: dict[str, Any], files: dict[str, bytes]) -> Signer | None:
        return _authenticate(manifest, files, extra, sha256_given)

    try:
        manifest, records, files, signer = checked(raw, authenticate)
    except ArchiveError as error:
        raise BackupError(error.message) from None
    organisation = records["organisations"][0]
    existing = store.organisation_id_by_code(organisation["code"])
    if existing is not None and not replace:
        raise BackupError(
            f"An organisation with the code {organisation['code']} already exists in this database, so "
            "nothing was imported. To replace it with the archive, run the import again with --replace "
            "(the organisation there now is kept under another code, its people unable to sign in)."
        )
    _refuse_clashes(records, existing)
    staged = StagedDocuments(document_storage())
    try:
        retired = _retire(existing, organisation["code"], staged) if existing is not None else None
        ids, unmapped = _write(records)
        record_audit_event(
            "organisation_imported",
            actor=None,
            organisation_id=ids["organisations"][organisation["id"]],
            subject=("organisation", ids["organisations"][organisation["id"]]),
            details={
                "archive_sha256": sha256(raw),
                "signed_by": signer.fingerprint if signer else None,
                "signer_trusted": bool(signer and signer.trusted),
                "sha256_given": sha256_given,
                "source_audit_head": manifest["audit"]["last_entry_hash"],
                "audit_entries": len(records["audit_events"]),
                "replaced_as": retired,
            },
        )
        _stage_documents(ids["organisations"][organisation["id"]], files, staged)
        commit()
    except ArchiveError as error:
        db.session.rollback()
        staged.discard()
        raise BackupError(error.message) from None
    except SQLAlchemyError as error:
        db.session.rollback()
        staged.discard()
        log.error(
            "An archive passed its checks but could not be written", extra={"fields": {"error": str(error)}}
        )
        raise BackupError(
            "The archive passed its checks but the database refused its records "
            f"({type(error).__name__}), so nothing was imported. It may have been altered by hand, or come "
            "from a service with a different schema."
        ) from None
    except StorageError:
        db.session.rollback()
        staged.discard()
        raise BackupError(
            f"The signed PDFs could not be saved in the document store ({staged.storage.describe()}), so "
            "nothing was imported. Check it has room and can be written to, then try again."
        ) from None
    except BaseException:
        db.session.rollback()
        staged.discard()
        raise
    try:
        staged.finish()
        commit()
    except (StorageError, SQLAlchemyError):
        rollback()  # what was not moved stays noted, and is moved into place later
        raise BackupError(
            f"The records of {organisation['code']} were imported, but some of its signed PDFs could not yet "
            f"be moved into place in the document store ({staged.storage.describe()}). They are kept aside "
            "and are moved into place once the store is working: by the next `hia import`, when the "
            "service next starts, or when someone downloads one."
        ) from None
    return ImportSummary(
        organisation["code"],
        organisation["name"],
        {name: len(rows) for name, rows in records.items()},
        sum(1 for name in files if name.startswith("documents/")),
        retired,
        unmapped,
        bool(manifest.get("password_hashes")),
        str(manifest.get("app_version")),
        list(manifest.get("reference_release", {}).get("used_by_assessments", [])),
        _upload_again(manifest),
        signer,
        sha256_given,
    )


def finish_stopped_imports() -> int:
    """Move into place the signed PDFs of an import that stopped after its commit (its records are there,
    its PDFs still aside), and commit; returns how many were moved."""
    try:
        moved = move_into_place()
        commit()
    except StorageError:
        rollback()
        raise BackupError(
            f"An earlier import's signed PDFs could not be moved into place in the document store "
            f"({document_storage().describe()}), so nothing was imported. Check it can be reached and "
            "written to, then try again."
        ) from None
    return moved


def _trusted_files(paths: Sequence[Path]) -> list[x509.Certificate]:
    certificates: list[x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise BackupError(f"The certificate {path} could not be read: {error.strerror}.") from None
        try:
            certificates += read_certificates(data, str(path))
        except ArchiveError as error:
            raise BackupError(error.message) from None
    return certificates


def _authenticate(
    manifest: dict[str, Any], files: dict[str, bytes], extra: list[x509.Certificate], sha256_given: bool
) -> Signer | None:
    """Who signed the manifest. Unless the archive's sha256 was given (and matched), the signature must be
    there and its signer trusted; a damaged or mismatched signature is refused either way."""
    if SIGNATURE not in files:
        if sha256_given:
            return None
        if manifest["format_version"] < FORMAT_VERSION:
            raise ArchiveError(
                f"This archive is in format version {manifest['format_version']}, made before archives were "
                "signed, so nothing shows it is the file that was exported. Nothing was imported. Give the "
                "sha256 that `hia export` printed (also in the exporting service's audit log) with "
                "--expect-sha256."
            )
        raise ArchiveError(
            f"The archive is not signed (it has no {SIGNATURE}), so nothing shows where it came from. "
            "Nothing was imported. If it was exported with --unsigned, give the sha256 that `hia export` "
            "printed (also in the exporting service's audit log) with --expect-sha256."
        )
    code = manifest["organisation"].get("code")
    trusted = [*_trust_roots(code if isinstance(code, str) else ""), *extra]
    return verify_manifest(files[MANIFEST], files[SIGNATURE], trusted, trust_required=not sha256_given)


def _trust_roots(organisation_code: str) -> list[x509.Certificate]:
    """What this service signs archives with: its configured certificate, or in development and testing its
    development certificate for the archive's organisation. Never a certificate an organisation uploaded
    (its administrators may hold the key) nor another organisation's."""
    from hia_service.services.documents.records import service_certificate_pems  # the PDF toolchain

    certificates: list[x509.Certificate] = []
    for pem in service_certificate_pems(organisation_code):
        try:
            certificates += read_certificates(pem, "A certificate this service trusts")
        except ArchiveError:
            continue  # an unreadable stored certificate trusts nothing; the others still count
    return certificates


def _upload_again(manifest: dict[str, Any]) -> bool:
    certificate = manifest.get("signing_certificate")
    return isinstance(certificate, dict) and certificate.get("upload_again") is True


def _refuse_clashes(records: dict[str, list[dict[str, Any]]], replacing: int | None) -> None:
    emails = store.emails_in_use([row["email"] for row in records["users"]], replacing)
    if emails:
        raise BackupError(
            f"{len(emails)} of the archive's people already have accounts in another organisation here "
            f"({', '.join(emails[:3])}{'…' if len(emails) > 3 else ''}), so nothing was imported."
        )
    hashes = [row["token_hash"] for row in records["api_tokens"]]
    pairs = [(row["issuer"], row["subject"]) for row in records["user_identities"]]
    if store.token_hashes_in_use(hashes, replacing) or store.identities_in_use(pairs, replacing):
        raise BackupError(
            "Some of the archive's API tokens or external sign-ins are already in use in this database, "
            "so nothing was imported."
        )
    if store.join_codes_in_use([row["join_code"] for row in records["training_sessions"]], replacing):
        raise BackupError(
            "A training session's join code in the archive is already used by another organisation's "
            "session in this database, so nothing was imported."
        )


def _retire(org_id: int, code: str, staged: StagedDocuments) -> str:
    from hia_service.services.documents.records import signed_record_key

    number = 1
    while store.code_taken(f"{code}-R{number}"):
        number += 1
    retired = f"{code}-R{number}"
    # The replaced organisation keeps its signed records under its new code: copied there before anything is
    # committed (the originals stay until the archive's own PDFs replace them).
    for found in _signed_versions(org_id):
        reference = found.assessment.reference
        staged.copy_aside(
            signed_record_key(code, reference, found.number),
            signed_record_key(retired, reference, found.number),
        )
    now = datetime.now(UTC)
    store.retire_organisation(org_id, retired, f"(replaced {now:%Y-%m-%d}) ", f"replaced{number}:", now)
    return retired


def _write(records: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, dict[int, int]], int]:
    ids: dict[str, dict[int, int]] = {}
    for spec in (spec for spec in store.TABLES if spec.name != "audit_events"):
        ids[spec.name] = store.insert_rows(spec, [store.remap_refs(spec, r, ids) for r in records[spec.name]])
    audit_spec = store.SPECS["audit_events"]
    unmapped = 0
    remapped = []
    for row in records["audit_events"]:
        entry, mapped = remap_audit(store.remap_refs(audit_spec, row, ids), ids)
        unmapped += not mapped
        remapped.append(entry)
    ids["audit_events"] = store.append_audit_entries(remapped)
    return ids, unmapped


def _stage_documents(org_id: int, files: dict[str, bytes], staged: StagedDocuments) -> None:
    from hia_service.services.documents.records import stored_pdf_key

    for found in _signed_versions(org_id):
        staged.stage(stored_pdf_key(found), files[document_name(found.assessment.reference, found.number)])
