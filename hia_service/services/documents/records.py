"""Assessment documents as the service uses them: the snapshot of a version, the signed PDF made on
approval (kept in document storage, services/storage.py, and fingerprinted on the version), exports, and
the public verification of an uploaded PDF.

Documents are deterministic: a frozen version is drawn with its own submitted/approved time as the
"generated" time, never now(), so drawing it again gives the same text.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask import current_app

from hia_service.addresses import public_url
from hia_service.auth.permissions import Action
from hia_service.data import assessments as assessment_store
from hia_service.data import documents as store
from hia_service.data.accounts import get_organisation_by_code
from hia_service.data.audit import record_audit_event
from hia_service.data.models import Assessment, AssessmentVersion, Organisation, User
from hia_service.documents import (
    DocumentError,
    build_docx,
    build_pdf,
    create_dev_certificate,
    decile_map_png,
    sign_pdf,
    signing_certificate_pem,
    verify_pdf,
)
from hia_service.domain.data_completeness import data_gaps
from hia_service.domain.workflow import Status
from hia_service.geography import RELEASES, GeographyError
from hia_service.services import rules
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.assessments.authoring import assessment_for, current_rating
from hia_service.services.assessments.cumulative import cumulative_for_record
from hia_service.services.documents import staged, storage
from hia_service.services.errors import NotFoundError, ServiceError
from hia_service.services.organisation import branding, local_framework

if TYPE_CHECKING:
    from hia_service.documents.verification import VerificationResult

log = logging.getLogger("hia_service.documents")
ORGANISATION_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
UK = ZoneInfo("Europe/London")
DEV_PASSPHRASE = "development-only-signing-passphrase"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0."
)
SIGNOFF_ROLES = {"submit": "Author", "start_review": "Reviewer", "approve": "Approver"}
VERSION_STATUS_LABELS = {
    "submitted": "Submitted for review",
    "returned": "Returned to author",
    "approved": "Approved",
    "superseded": "Replaced by a later version",
}
SAVE_FAILED = storage.SAVE_FAILED
# Said to the reviewer, who can act on it only through their organisation's admins: the service's own
# certificate (HIA_SIGNING_P12) is for whoever runs the service, and docs/deployment.md tells them.
NOT_SET_UP = (
    "The assessment cannot be approved because signing is not set up for your organisation: it has no "
    "signing certificate. Your organisation's administrator needs to upload one in Settings, under "
    "Signing certificate. Then approve it again."
)


# The verification link and QR code are inside the signed bytes: a guessed address (the development
# server's) could never be corrected, so production signs nothing until it knows its own.
NO_ADDRESS = (
    "The assessment cannot be approved because this service does not know its own web address, so its "
    "signed record could not carry a working link to check it. Ask whoever runs the service to set it "
    "(HIA_BASE_URL), then approve it again."
)


NO_SERVICE_KEY = (
    "This service has no signing certificate of its own (HIA_SIGNING_P12 and HIA_SIGNING_PASSPHRASE). "
    "Archives are signed only with the service's own certificate, never one an organisation uploaded, "
    "whose key its administrators may hold."
)


class SigningNotSetUpError(ServiceError):
    status = 503
    title = "Signing is not set up"


DocumentSource = Callable[[AssessmentVersion, str], bytes]  # (version, "pdf" or "docx") -> the file
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
NAMES = {"pdf": "PDF", "docx": "Word document"}  # as pages and messages call them


@dataclass(frozen=True)
class Download:
    filename: str
    data: bytes
    mimetype: str


# --- the snapshot ------------------------------------------------------------------------------------


def snapshot_for(version: AssessmentVersion) -> dict[str, Any]:
    """The documents' input for a frozen version (see hia_service.documents.snapshot)."""
    assessment = version.assessment
    moment = version.reviewed_at if version.status == Status.APPROVED.value else version.submitted_at
    return _snapshot(
        assessment,
        number=version.number,
        link=verify_url(version),
        status=_document_status(assessment, version),
        content=version,
        moment=moment or version.submitted_at,
        signoff=_signoff(assessment, version.number, version.answers or {}),
        review=_review(version),
    )


def draft_snapshot(assessment: Assessment) -> dict[str, Any]:
    """The assessment as it stands, for a draft export (it has no frozen version yet)."""
    rated = current_rating(assessment)
    content = _DraftContent(assessment, rated["rating"], rated["quality"])
    number = len(assessment.versions) + 1
    return _snapshot(
        assessment,
        number=number,
        link=verify_url(None),
        status="practice" if assessment.is_training else "draft",
        content=content,
        moment=assessment.updated_at,
        signoff=[],
    )


@dataclass(frozen=True)
class _DraftContent:
    assessment: Assessment
    rating: dict[str, Any] | None
    quality: list[dict[str, Any]]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.assessment, name)

    @property
    def reference_checksum(self) -> None:
        return None


def _snapshot(
    assessment: Assessment,
    *,
    number: int,
    link: str,
    status: str,
    content: Any,
    moment: datetime,
    signoff: list,
    review: dict[str, Any] | None = None,
) -> dict[str, Any]:
    # JSON round trip: the framework's tuples become the lists the documents expect, and nothing shared
    # with the database row can be changed by drawing.
    framework = json.loads(json.dumps(dataclasses.asdict(rules.framework(content.framework_version))))
    snapshot = {
        "reference": assessment.reference,
        "version": number,
        "status": status,
        "training": bool(assessment.is_training),
        "generated_at": _aware(moment).isoformat(),
        "organisation": _organisation(assessment.organisation_id),
        "title": content.title,
        "framework": framework,
        "answers": content.answers or {},
        "local": local_framework.for_document(assessment.organisation_id, content.answers or {}),
        "profile": content.profile,
        "rating": content.rating,
        "quality": content.quality or [],
        "signoff": signoff,
        "author": _author(assessment, content.answers or {}),
        "provenance": _provenance(content),
        "verify_url": link,
        # What a profiled patient list leaves unknown (NHS England's s13SA statement asks for it).
        "data_gaps": [{**g.to_dict(), "sentence": g.sentence()} for g in data_gaps(content.area_profile)],
        # Other assessments of the organisation covering the same neighbourhoods, when the record is made.
        "cumulative": cumulative_for_record(assessment),
        "review": review,
    }
    return json.loads(json.dumps(snapshot, default=str))


def _review(version: AssessmentVersion) -> dict[str, Any] | None:
    """The reviewer's decision on this version, any conditions of approval and the comments they left on it,
    once it is decided."""
    if version.reviewed_at is None or version.status not in (Status.APPROVED.value, Status.RETURNED.value):
        return None
    titles = {s.id: s.title for s in rules.framework(version.framework_version).sections}
    reviewer = version.reviewed_by
    approved = version.status == Status.APPROVED.value
    return {
        "decision": "approved" if approved else "returned",
        "reviewer": (reviewer.name or reviewer.email) if reviewer else "",
        "date": _uk_date(version.reviewed_at),
        # Present (None when there are none) only on an approval: a returned version has no conditions.
        **({"conditions": version.approval_conditions} if approved else {}),
        "comments": [
            {"section": titles.get(c.section_id, "General"), "text": c.body}
            for c in sorted(version.comments, key=lambda c: (c.created_at, c.id))
        ],
    }


def _organisation(organisation_id: int) -> dict[str, Any]:
    """Name, address and logo as the organisation's admins set them. The logo is always a PNG (base64): an
    SVG was rasterised once at upload, so no document job ever draws an SVG."""
    brand = branding.branding(organisation_id)
    return {
        "name": brand.name,
        "address": brand.address,
        "logo_png": base64.b64encode(brand.logo_png).decode() if brand.logo_png else None,
        "logo_svg": None,
    }


def _document_status(assessment: Assessment, version: AssessmentVersion) -> str:
    if assessment.is_training:
        return "practice"  # never a draft of a real record: it is never reviewed, approved or signed
    if version.status == Status.APPROVED.value:
        return "approved"
    if version.status == Status.SUBMITTED.value:
        latest = max(v.number for v in assessment.versions)
        in_review = assessment.status == Status.IN_REVIEW.value and version.number == latest
        return "in_review" if in_review else "submitted"
    return "returned" if version.status == Status.RETURNED.value else "draft"


AUTHOR_JOB_TITLE = "proposal.author_job_title"  # framework 1.3 on


def _signoff(assessment: Assessment, number: int, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Who submitted, started the review of and approved this version, from its workflow history. The
    author's job title is the one they gave in the assessment (reviewers are not asked for theirs yet)."""
    rows = []
    for event in store.version_events(assessment.id, number):
        if event.event in SIGNOFF_ROLES:
            name = event.actor.name or event.actor.email
            authored = event.event == "submit" and event.actor.id == assessment.author_id
            rows.append(
                {
                    "role": SIGNOFF_ROLES[event.event],
                    "name": name,
                    "job_title": str(answers.get(AUTHOR_JOB_TITLE) or "") if authored else "",
                    "date": _uk_date(event.at),
                }
            )
    return rows


def _author(assessment: Assessment, answers: Mapping[str, Any]) -> dict[str, str]:
    """Who wrote the assessment and the job title they gave, for the record's cover."""
    name = assessment.author.name or assessment.author.email
    return {"name": name, "job_title": str(answers.get(AUTHOR_JOB_TITLE) or "")}


def _provenance(content: Any) -> dict[str, Any]:
    release = RELEASES.get(content.reference_release)
    return {
        "release": content.reference_release,
        "release_label": release.title if release else content.reference_release,
        "attribution": ATTRIBUTION,
        "reference_checksum": content.reference_checksum,
        "framework_version": content.framework_version,
        "scoring_version": content.scoring_version,
    }


def verify_url(version: AssessmentVersion | None) -> str:
    """The public link printed (and in the QR code) on a version's record: its reference, number and
    random key. A draft, or a version from an archive made before keys, links to the upload check."""
    path = "/verify"
    if version is not None and version.verify_key:
        path = f"/verify/{version.assessment.reference}/{version.number}/{version.verify_key}"
    found = public_url(path)
    if found is not None:
        return found
    check_own_address()
    return f"http://localhost:{current_app.config.get('HIA_PORT', 5000)}{path}"  # development, testing


def check_own_address() -> None:
    """Refuse to sign in production without HIA_BASE_URL (SigningNotSetUpError)."""
    if current_app.config.get("HIA_ENV", "production") == "production" and not current_app.config.get(
        "HIA_BASE_URL"
    ):
        raise SigningNotSetUpError(NO_ADDRESS)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _uk_date(moment: datetime) -> str:
    return _aware(moment).astimezone(UK).date().isoformat()


# --- drawing, signing and storing ---------------------------------------------------------------------


def map_png(area: dict[str, Any] | None, release: str) -> bytes | None:
    """The map of the areas affected, or None when there is no area or no boundary data loaded."""
    draw = map_drawing(area, release)
    return draw() if draw is not None else None


def map_drawing(area: dict[str, Any] | None, release: str) -> Callable[[], bytes] | None:
    """What draws the map of the areas affected (its shapes already found), or None when there is no
    area or no boundary data loaded. build_pdf draws it while it lays out the rest of the record."""
    if not area:
        return None
    try:
        drawn = area_profiles.map_shapes(area, release=release)
        site = area_profiles.map_site(area) if drawn.shapes else None
    except GeographyError as error:
        log.info("No map for the assessment document", extra={"fields": {"reason": str(error)}})
        return None
    if not drawn.shapes:
        return None
    return partial(decile_map_png, drawn.shapes, site=site, authorities=drawn.authorities)


def render_pdf(version: AssessmentVersion) -> bytes:
    """The version's PDF, unsigned (approved versions have an empty signature space)."""
    snapshot = snapshot_for(version)
    drawing = map_drawing(version.area, version.reference_release)
    return _documents_call(build_pdf, snapshot, map_png=drawing)


def sign_approved(version: AssessmentVersion) -> bytes:
    """Draw, sign and store the record of an approved version and note its fingerprint on the version."""
    assessment = version.assessment
    p12, passphrase = signing_credentials(assessment.organisation)
    tsa_url = current_app.config.get("HIA_SIGNING_TSA_URL")
    signed = _documents_call(sign_pdf, render_pdf(version), p12, passphrase, tsa_url=tsa_url)
    storage.document_storage().write(stored_pdf_key(version), signed)
    store.record_pdf_hash(version, hashlib.sha256(signed).hexdigest())
    log.info(
        "Signed the approved assessment record",
        extra={"fields": {"reference": assessment.reference, "version": version.number}},
    )
    return signed


def stored_pdf_key(version: AssessmentVersion) -> str:
    """The signed record's key in document storage (services/storage.py)."""
    assessment = version.assessment
    return signed_record_key(assessment.organisation.code, assessment.reference, version.number)


def signed_record_key(org_code: str, reference: str, number: int) -> str:
    return f"documents/{org_code}/{reference}-v{number}.pdf"


def _write_atomically(path: Path, data: bytes) -> None:
    """Temp file then os.replace, so a reader never sees half a PDF; a full disk is a clear message."""
    storage.write_atomically(path, data, SAVE_FAILED)


def _documents_call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except DocumentError as error:
        raise ServiceError(f"The assessment document could not be made: {error}") from None


# --- the signing certificate --------------------------------------------------------------------------


def signing_credentials(organisation: Organisation) -> tuple[Path, str]:
    """The organisation's uploaded PKCS#12, else the configured one, else (development and testing only)
    one made for the organisation."""
    uploaded = branding.uploaded_certificate(organisation.id)
    if uploaded is not None:
        return _uploaded_certificate_file(organisation, uploaded[0]), uploaded[1]
    return service_signing_credentials(organisation, missing=NOT_SET_UP)


def service_signing_credentials(
    organisation: Organisation, missing: str = NO_SERVICE_KEY
) -> tuple[Path, str]:
    """The service's own key, for what only the service may vouch for (an organisation's backup archive):
    the configured PKCS#12, else (development and testing only) the development certificate the service
    made for the organisation. Never one an organisation uploaded: its administrator may hold that key.
    In production without one, SigningNotSetUpError says `missing`."""
    config = current_app.config
    if config.get("HIA_SIGNING_P12"):
        return Path(config["HIA_SIGNING_P12"]), config.get("HIA_SIGNING_PASSPHRASE") or ""
    if config.get("HIA_ENV", "production") == "production":
        raise SigningNotSetUpError(missing)
    return _dev_certificate(organisation)


def service_certificate_pems(organisation_code: str) -> list[bytes]:
    """The certificates of service_signing_credentials: the configured one, else in development and testing
    the organisation's development certificate (if made). Never an uploaded one."""
    config = current_app.config
    if config.get("HIA_SIGNING_P12"):
        p12, passphrase = Path(config["HIA_SIGNING_P12"]), config.get("HIA_SIGNING_PASSPHRASE") or ""
        return [_documents_call(signing_certificate_pem, p12, passphrase)]
    if config.get("HIA_ENV", "production") == "production":
        return []
    return [pem.read_bytes() for pem in _dev_pems(organisation_code)]


def signing_health(*, database_reachable: bool = True) -> dict[str, Any]:
    """Signing's part of /healthz: the service-wide certificate, else (production) how many organisations
    have uploaded one that has not expired; "missing" when nothing can be signed."""
    config = current_app.config
    if config.get("HIA_ENV", "production") == "production" and not config.get("HIA_BASE_URL"):
        return {"status": "missing", "address": "HIA_BASE_URL is not set: nothing can be signed"}
    configured = config.get("HIA_SIGNING_P12")
    if configured:
        readable = Path(configured).is_file() and os.access(configured, os.R_OK)
        return {"status": "ok" if readable else "missing", "certificate": "configured"}
    if config.get("HIA_ENV", "production") == "production":
        if not database_reachable:  # the certificates are in the database
            return {"status": "unknown", "certificate": "uploaded by each organisation"}
        count = branding.organisations_that_can_sign()
        return {
            "status": "ok" if count else "missing",
            "certificate": "uploaded by each organisation",
            "organisations_that_can_sign": count,
        }
    return {"status": "ok", "certificate": "development (not for live use)"}


def _uploaded_certificate_file(organisation: Organisation, p12: bytes) -> Path:
    # The signer reads a file; one per certificate (named by its hash), readable only by the service.
    path = _dev_folder() / "uploaded" / f"{organisation.code}-{hashlib.sha256(p12).hexdigest()[:16]}.p12"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, p12)
        path.chmod(0o600)
    return path


def _dev_certificate(organisation: Organisation) -> tuple[Path, str]:
    path = _dev_folder() / f"{organisation.code}.p12"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        pem = create_dev_certificate(temp, DEV_PASSPHRASE, organisation.name)
        _write_atomically(path.with_suffix(".pem"), pem)
        os.replace(temp, path)
        log.warning(
            "No signing certificate is configured (HIA_SIGNING_P12), so a development certificate was made. "
            "Not for live use.",
            extra={"fields": {"organisation": organisation.code, "path": str(path)}},
        )
    return path, DEV_PASSPHRASE


def _dev_folder() -> Path:
    return Path(current_app.config["HIA_DATA_DIR"]) / "certs"


def trust_roots(organisation_code: str | None = None) -> list[bytes]:
    """The certificates a genuine record can be signed with: those organisations uploaded, and the configured
    one, else the dev ones. With a code, only what that organisation's records can be signed with (so one
    organisation's key cannot vouch for another's archive)."""
    config = current_app.config
    uploaded = branding.uploaded_certificate_pems(organisation_code)
    if config.get("HIA_SIGNING_P12"):
        p12, passphrase = Path(config["HIA_SIGNING_P12"]), config.get("HIA_SIGNING_PASSPHRASE") or ""
        return [*uploaded, _documents_call(signing_certificate_pem, p12, passphrase)]
    if config.get("HIA_ENV", "production") == "production":
        return uploaded
    return [*uploaded, *(pem.read_bytes() for pem in _dev_pems(organisation_code))]


def _dev_pems(organisation_code: str | None) -> list[Path]:
    """The development certificates' public parts: every organisation's, or one's."""
    if organisation_code is None:
        return sorted(_dev_folder().glob("*.pem"))
    if ORGANISATION_CODE.fullmatch(organisation_code):  # it may come from an archive: never a path
        return [path for path in [_dev_folder() / f"{organisation_code}.pem"] if path.is_file()]
    return []


# --- exports ------------------------------------------------------------------------------------------


def version_pdf(version: AssessmentVersion) -> bytes:
    """The stored signed record of an approved live version, else the version drawn (unsigned)."""
    if version.status != Status.APPROVED.value or version.assessment.is_training:
        return render_pdf(version)
    if version.pdf_sha256 is None:  # approved before documents were wired in (or not yet signed): sign it now
        store.lock_for_signing(version)
        if version.pdf_sha256 is None:
            return sign_approved(version)
    key = stored_pdf_key(version)
    data = storage.document_storage().read(key) or b""
    if hashlib.sha256(data).hexdigest() != version.pdf_sha256 and staged.move_into_place(key):
        data = storage.document_storage().read(key) or b""  # an import stopped before moving it here
    if hashlib.sha256(data).hexdigest() != version.pdf_sha256:
        raise ServiceError(
            "The signed PDF of this version is missing or has changed on the server, so it cannot be "
            "given out. Tell your system administrator."
        )
    return data


def version_docx(version: AssessmentVersion) -> bytes:
    snapshot = snapshot_for(version)
    return _documents_call(build_docx, snapshot, map_png=map_png(version.area, version.reference_release))


def drawn(version: AssessmentVersion, kind: str) -> bytes:
    """The version drawn now and never signed, as a PDF ("pdf") or a Word document ("docx")."""
    return version_docx(version) if kind == "docx" else render_pdf(version)


def version_document(version: AssessmentVersion, kind: str) -> bytes:
    """The Word copy, or the PDF record (see version_pdf), made now."""
    return version_docx(version) if kind == "docx" else version_pdf(version)


def download(
    user: User, assessment_id: int, number: int, kind: str, source: DocumentSource | None = None
) -> Download:
    """A version's PDF or Word copy for someone allowed to export it; every download is audited.
    `source` gets the file (document_jobs passes one that may say "not ready yet", and then nothing is
    audited, as nothing was given out)."""
    assessment = assessment_for(user, assessment_id, Action.EXPORT)
    version = assessment_store.get_version(assessment.id, number)
    if version is None:
        raise NotFoundError("We could not find that version of the assessment.")
    document = _document(version, kind, source)
    record_audit_event(
        "document_downloaded",
        actor=user,
        organisation_id=assessment.organisation_id,
        subject=("assessment", assessment.id),
        details={"reference": assessment.reference, "version": number, "format": kind},
        after_hash=hashlib.sha256(document.data).hexdigest(),
    )
    return document


def _document(version: AssessmentVersion, kind: str, source: DocumentSource | None = None) -> Download:
    name = f"{version.assessment.reference}-v{version.number}.{kind}"
    return Download(name, (source or version_document)(version, kind), MIMETYPES[kind])


def export(org_code: str, reference: str, number: int | None, kind: str) -> Download:
    """For `hia pdf export`: a version by reference (latest if no number), or the draft being written."""
    organisation = get_organisation_by_code(org_code.strip().upper())
    assessment = organisation and assessment_store.get_assessment_by_reference(organisation.id, reference)
    if not assessment or assessment.is_training:  # practice is never part of an exported record
        raise NotFoundError(f"There is no assessment {reference} in organisation {org_code}.")
    if number is None and (assessment.status == Status.DRAFT.value or not assessment.versions):
        snapshot = draft_snapshot(assessment)
        name = f"{assessment.reference}-draft"
        if kind == "docx":
            return Download(f"{name}.docx", _documents_call(build_docx, snapshot), "application/docx")
        map_image = map_png(assessment.area, assessment.reference_release)
        return Download(
            f"{name}.pdf", _documents_call(build_pdf, snapshot, map_png=map_image), "application/pdf"
        )
    wanted = number or max(v.number for v in assessment.versions)
    version = assessment_store.get_version(assessment.id, wanted)
    if version is None:
        raise NotFoundError(f"{assessment.reference} has no version {wanted}.")
    return _document(version, kind)


# --- public verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicRecord:
    """What anyone may see about a version: never its answers."""

    organisation: str
    reference: str
    version: int
    title: str
    status: str
    approved_on: str | None  # ISO date, UK time
    sha256: str | None


@dataclass(frozen=True)
class UploadCheck:
    genuine: bool
    reason: str
    signer: str | None
    signed_at: datetime | None
    record: PublicRecord | None
    sha256: str
    code: str  # verify_pdf's code, or "not_recorded" when we did not issue this exact file


def check_upload(data: bytes) -> UploadCheck:
    """Is this the organisation's signed record, unchanged, signed with the certificate that organisation
    registered, and one this service issued?"""
    digest = hashlib.sha256(data).hexdigest()
    versions = store.versions_with_pdf_hash(digest) if data else []
    owner = versions[0].assessment.organisation if versions else None
    signers = signing_certificates(owner)
    names = {fingerprint: name for fingerprint, (name, _) in signers.items()}
    result: VerificationResult = verify_pdf(data, trust_roots(), registered=names)
    record = public_record(versions[0]) if versions else None
    genuine, reason, code = result.genuine, result.reason, result.code
    if genuine and (
        record is None or (record.reference, record.version) != (result.reference, result.version)
    ):
        genuine, code = False, "not_recorded"
        reason = (
            "The signature is in order, but this service has no record of issuing this exact file, so we "
            "cannot confirm it is the approved record. Ask the organisation for a fresh copy."
        )
    elif (
        genuine
        and owner is not None
        and _signs_for(signers, result.certificate_sha256) not in (None, owner.code)
    ):
        genuine, code = False, "unknown_certificate"
        reason = (
            f"It was signed by {result.signer}, not with the certificate {owner.name} registered, so it "
            f"cannot be confirmed as {owner.name}'s record."
        )
    return UploadCheck(
        genuine, reason, result.signer, result.signed_at, record if genuine else None, digest, code
    )


def signing_certificates(owner: Organisation | None = None) -> dict[str, tuple[str, str | None]]:
    """Every certificate a genuine record can be signed with, by SHA-256 fingerprint: (who it signs for
    as shown, the code of the one organisation it signs for, or None for the service's own certificate,
    which signs for organisations that have not registered one). `owner`: the organisation whose record is
    being checked, named for the service's own certificate."""
    found: dict[str, tuple[str, str | None]] = {}
    config = current_app.config
    if config.get("HIA_SIGNING_P12"):
        p12, passphrase = Path(config["HIA_SIGNING_P12"]), config.get("HIA_SIGNING_PASSPHRASE") or ""
        pem = _documents_call(signing_certificate_pem, p12, passphrase)
        found[_pem_fingerprint(pem)] = (owner.name if owner else "this service's own certificate", None)
    elif config.get("HIA_ENV", "production") != "production":
        for path in sorted(_dev_folder().glob("*.pem")):
            organisation = get_organisation_by_code(path.stem)
            if organisation is not None:
                found[_pem_fingerprint(path.read_bytes())] = (organisation.name, organisation.code)
    for registered in branding.registered_certificates().values():
        found[registered.sha256] = (registered.organisation_name, registered.organisation_code)
    return found


def _signs_for(signers: dict[str, tuple[str, str | None]], fingerprint: str | None) -> str | None:
    return signers.get(fingerprint or "", ("", ""))[1]


def _pem_fingerprint(pem: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()


def linked_record(reference: str, number: int, key: str) -> PublicRecord:
    """The approved, signed record a public link names; anything else (a draft, a version in review,
    another organisation's work, a wrong or guessed key) is not found, and says nothing about it."""
    version = store.version_by_link(reference, number, key)
    if version is None or version.status != Status.APPROVED.value or not version.pdf_sha256:
        raise NotFoundError("We have no approved, signed record for this link.")
    return public_record(version)


def public_record(version: AssessmentVersion) -> PublicRecord:
    approved_at = version.reviewed_at if version.status == Status.APPROVED.value else None
    return PublicRecord(
        # With its code: administrators choose the name, and two organisations could choose the same one.
        organisation=f"{version.assessment.organisation.name} ({version.assessment.organisation.code})",
        reference=version.assessment.reference,
        version=version.number,
        title=version.title,
        status=VERSION_STATUS_LABELS.get(version.status, version.status),
        approved_on=_uk_date(approved_at) if approved_at is not None else None,
        sha256=version.pdf_sha256,
    )
