"""verify_pdf: is this file the organisation's signed record, unchanged? Fails closed.

Used by `hia pdf verify` and by the public verification page, so it takes untrusted uploads: it never
raises for a bad file, it says what is wrong in plain English. A file is genuine only when it has exactly
one signature, made with a trusted certificate, covering every byte of the file, and the signature's own
bytes are exactly as written (checked here because pyHanko and poppler both ignore the zero padding and
the letter case of the hex-encoded signature, so "any changed byte" needs one more check).
"""

import hashlib
import io
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeAlias

from asn1crypto import parser as asn1_parser
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from hia_service.documents.event_loops import outside_event_loop

from .errors import CertificateError
from .metadata import DocumentInfo, read_document_info
from .wording import long_date, long_datetime

MAX_BYTES = 20 * 1024 * 1024  # a signed record is well under 1 MB; refuse to parse anything huge
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # all streams unpacked together; a record unpacks to a few MB
_STREAM = re.compile(rb"stream\r?\n")
_STEP = 1024 * 1024
_PIECE = 64 * 1024
TrustRoot: TypeAlias = bytes | asn1_x509.Certificate | pyca_x509.Certificate


@dataclass(frozen=True)
class VerificationResult:
    genuine: bool
    reason: str  # plain English, safe to show on the public page
    signer: str | None
    signed_at: datetime | None
    reference: str | None
    version: int | None
    sha256: str
    code: str = "genuine"  # machine-readable: genuine, too_large, not_pdf, truncated, damaged, unsigned,
    #  altered, added_after_signing, signed_again, untrusted, invalid_signature, certificate_not_valid,
    #  unknown_certificate
    certificate_sha256: str | None = None  # of the signing certificate (DER), lower-case hex
    certificate_subject: str | None = None  # the signing certificate's own name for itself


class _Failure(Exception):
    def __init__(self, code: str, reason: str, signer: str | None = None, signed_at: datetime | None = None):
        super().__init__(reason)
        self.code, self.reason, self.signer, self.signed_at = code, reason, signer, signed_at


Namer: TypeAlias = Callable[[EmbeddedPdfSignature], str]


def verify_pdf(
    data: bytes,
    trust_roots: Iterable[TrustRoot] = (),
    *,
    registered: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
) -> VerificationResult:
    """Check a PDF against the organisation's certificates (trust_roots: PEM/DER bytes or cert objects).

    `registered` maps the SHA-256 fingerprint of each certificate an organisation registered to that
    organisation's name. Given it, a record is "signed by" an organisation only when its certificate is
    the one registered for it; any other is "an unknown certificate", named by its subject, and not
    genuine: a certificate's subject is whatever its maker typed. Without it (a trust file given by
    the operator), the trusted certificate is named by its subject."""
    roots = load_trust_roots(trust_roots)
    digest = hashlib.sha256(data).hexdigest()
    info: DocumentInfo | None = None
    facts: tuple[str | None, str | None] = (None, None)
    try:
        _screen(data, max_bytes)
        reader = _open(data)
        info = read_document_info(reader)
        facts = _certificate_facts(reader)
        name_of = _registered_namer(registered) if registered is not None else _signer_name
        signer, signed_at = _check_signatures(data, reader, roots, name_of)
        if registered is not None and facts[0] not in registered:
            raise _Failure("unknown_certificate", _unknown_reason(signer), signer, signed_at)
    except _Failure as failure:
        return _result(
            False, failure.reason, failure.signer, failure.signed_at, info, digest, failure.code, facts
        )
    when = long_datetime(signed_at) if signed_at else "an unrecorded date"
    reason = f"This is a genuine record: signed by {signer} on {when}, and nothing in it has changed since."
    return _result(True, reason, signer, signed_at, info, digest, "genuine", facts)


def _certificate_facts(reader: PdfFileReader) -> tuple[str | None, str | None]:
    """(SHA-256 fingerprint, subject) of the first signature's certificate, when it can be read."""
    try:
        certificate = reader.embedded_signatures[0].signer_cert
        return hashlib.sha256(certificate.dump()).hexdigest(), _subject(certificate)
    except Exception:  # unsigned, or a damaged certificate: the checks below say which
        return None, None


def _registered_namer(registered: Mapping[str, str]) -> Namer:
    def name_of(signature: EmbeddedPdfSignature) -> str:
        try:
            certificate = signature.signer_cert
            owner = registered.get(hashlib.sha256(certificate.dump()).hexdigest())
            return owner or f"an unknown certificate ({_subject(certificate)})"
        except Exception:  # a damaged certificate still deserves an answer, not a crash
            return "an unknown signer"

    return name_of


def _subject(certificate: asn1_x509.Certificate) -> str:
    return str(certificate.subject.human_friendly or "no name")


def _unknown_reason(signer: str) -> str:
    return (
        f"It was signed by {signer}, not with the certificate an organisation registered on this service, "
        "so it cannot be confirmed as an organisation's record."
    )


def load_trust_roots(trust_roots: Iterable[TrustRoot]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or many) or DER bytes, or certificate objects. Raises CertificateError."""
    return [cert for root in trust_roots for cert in _certificates(root)]


def _certificates(root: TrustRoot) -> list[asn1_x509.Certificate]:
    if isinstance(root, asn1_x509.Certificate):
        return [root]
    if isinstance(root, pyca_x509.Certificate):
        root = root.public_bytes(Encoding.DER)
    try:
        ders = [der for _, _, der in pem.unarmor(root, multiple=True)] if pem.detect(root) else [root]
        certs = [asn1_x509.Certificate.load(der, strict=True) for der in ders]
        for cert in certs:
            cert.subject.native  # noqa: B018 (asn1crypto parses lazily: make bad bytes fail here)
    except (ValueError, TypeError) as error:
        message = "The trusted certificate could not be read. It should be a PEM or DER certificate file."
        raise CertificateError(message) from error
    return certs


def _screen(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        megabytes = len(data) / 1024 / 1024
        raise _Failure(
            "too_large",
            f"The file is too large to check ({megabytes:.0f} MB). Signed assessment records are under "
            f"{max_bytes // 1024 // 1024} MB.",
        )
    if not data.startswith(b"%PDF-"):
        raise _Failure("not_pdf", "This file is not a PDF. Signed assessment records are PDF files.")
    if b"%%EOF" not in data[-1024:]:
        raise _Failure(
            "truncated", "The file is incomplete: it has been cut short, perhaps while it was downloading."
        )
    if _inflates_beyond(data, MAX_INFLATED_BYTES):
        raise _Failure(
            "too_large",
            "The file's compressed contents unpack to far more than any assessment record, so it was not "
            "opened. Signed assessment records are small.",
        )


def _inflates_beyond(data: bytes, budget: int) -> bool:
    """Would unpacking every Flate stream in the file produce more than `budget` bytes (a decompression
    bomb)? Checked in bounded steps before pyHanko reads anything, so a bomb is never fully unpacked."""
    view = memoryview(data)
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        position = match.end()
        try:
            while not inflater.eof and position < len(data) and budget >= 0:
                budget -= len(inflater.decompress(view[position : position + _PIECE], _STEP))
                position += _PIECE
                # once the stream has ended, what is left unread is the rest of the file, not more of it
                while inflater.unconsumed_tail and not inflater.eof and budget >= 0:
                    budget -= len(inflater.decompress(inflater.unconsumed_tail, _STEP))
        except zlib.error:
            continue  # not a Flate stream (an image, the end of one): pyHanko decides what it is
        if budget < 0:
            return True
    return False


def _open(data: bytes) -> PdfFileReader:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.embedded_signatures  # noqa: B018 (parses the signature fields now, inside the try)
    except Exception as error:  # fail closed: any parsing failure means "cannot vouch for this file"
        raise _Failure(
            "damaged", "The PDF is damaged and cannot be read, so it cannot be confirmed."
        ) from error
    return reader


def _check_signatures(
    data: bytes, reader: PdfFileReader, roots: list[asn1_x509.Certificate], name_of: Namer
) -> tuple[str, datetime | None]:
    signatures = reader.embedded_signatures
    if not signatures:
        raise _Failure(
            "unsigned", "This file has no digital signature. Only approved assessments are signed."
        )
    first, last = signatures[0], signatures[-1]
    if len(signatures) > 1:
        raise _Failure(
            "signed_again",
            f"The file was signed again after its first signature, by {name_of(last)}. "
            "A signed record is signed once, so this is not the record as issued.",
            signer=name_of(last),
        )
    return _check_one(data, first, roots, name_of)


def _check_one(
    data: bytes, signature: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], name_of: Namer
) -> tuple[str, datetime | None]:
    signer = name_of(signature)
    status = _validate(signature, roots, signer)
    signed_at = status.signer_reported_dt
    if not status.intact:
        raise _Failure("altered", "The document has been changed since it was signed.", signer, signed_at)
    if not status.valid:
        raise _Failure(
            "invalid_signature", "The signature is not valid for this document.", signer, signed_at
        )
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or not _signature_bytes_untouched(
        data, signature
    ):
        reason = "The file has been changed after it was signed: something was added to it or edited."
        raise _Failure("added_after_signing", reason, signer, signed_at)
    if not status.trusted:
        raise _Failure("untrusted", _untrusted_reason(signer, roots), signer, signed_at)
    _check_certificate_dates(signature, signer, signed_at)
    return signer, signed_at


def _check_certificate_dates(
    signature: EmbeddedPdfSignature, signer: str, signed_at: datetime | None
) -> None:
    """A trust anchor's own dates are not checked by path validation (RFC 5280), and the organisation's
    certificate usually is the anchor, so check it was in date when the record was signed."""
    validity = signature.signer_cert["tbs_certificate"]["validity"]
    start, end = validity["not_before"].native, validity["not_after"].native
    moment = signed_at or datetime.now(UTC)
    if not start <= moment <= end:
        reason = (
            f"It was signed on {long_date(moment)}, when the signing certificate was not valid "
            f"(valid from {long_date(start)} to {long_date(end)})."
        )
        raise _Failure("certificate_not_valid", reason, signer, signed_at)


def _validate(
    signature: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], signer: str
) -> PdfSignatureStatus:
    # B-B has no trusted timestamp, so the certificate is checked at the time the signer recorded: a
    # record signed while the certificate was valid stays genuine after the certificate expires.
    reported = signature.self_reported_timestamp
    moment = min(reported, datetime.now(UTC)) if reported else None
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
    try:
        return outside_event_loop(lambda: validate_pdf_signature(signature, context, skip_diff=True))
    except Exception as error:  # fail closed, as in _open
        reason = "The signature is damaged and cannot be checked."
        raise _Failure("invalid_signature", reason, signer) from error


def _signature_bytes_untouched(data: bytes, signature: EmbeddedPdfSignature) -> bool:
    """The /Contents hex string must be exactly what a signer writes: the DER, zero padding, one case."""
    _, length1, start2, _ = (int(n) for n in signature.byte_range)
    written = data[length1:start2]
    contents = signature.pkcs7_content
    parsed = asn1_parser.parse(contents)
    der_length = sum(len(part) for part in parsed[3:])
    if contents[der_length:].strip(b"\x00"):
        return False
    return written in (b"<" + contents.hex().upper().encode() + b">", b"<" + contents.hex().encode() + b">")


def _signer_name(signature: EmbeddedPdfSignature) -> str:
    try:
        subject = signature.signer_cert.subject.native
    except Exception:  # a damaged certificate still deserves an answer, not a crash
        return "an unknown signer"
    return str(subject.get("common_name") or subject.get("organization_name") or "an unnamed signer")


def _untrusted_reason(signer: str, roots: list[asn1_x509.Certificate]) -> str:
    if not roots:
        return f"It was signed by {signer}, but no trusted certificate was given to check it against."
    return (
        f"It was signed by {signer}, but not with the organisation's signing certificate, so it cannot be "
        "confirmed as the organisation's record."
    )


def _result(
    genuine: bool,
    reason: str,
    signer: str | None,
    signed_at: datetime | None,
    info: DocumentInfo | None,
    digest: str,
    code: str,
    facts: tuple[str | None, str | None] = (None, None),
) -> VerificationResult:
    return VerificationResult(
        genuine=genuine,
        reason=reason,
        signer=signer,
        signed_at=signed_at,
        reference=info.reference if info else None,
        version=info.version if info else None,
        sha256=digest,
        code=code,
        certificate_sha256=facts[0],
        certificate_subject=facts[1],
    )
