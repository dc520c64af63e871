"""Signing approved records with the organisation's certificate (PAdES, via pyHanko).

Baseline B-B on its own; B-T when a timestamp authority (RFC 3161) is configured, so the signature
carries independent proof of when it was made and stays verifiable after the certificate expires; B-LT
when, as well, the certificate names revocation services (CRL or OCSP) and their data can be fetched: the
PDF then carries the data a verifier needs years later (long_term.py). B-LT is best effort: when the data
cannot be had (a CRL server down, a self-signed certificate) the record is signed B-T and a warning says
why. An approval never fails because a revocation server is down.

Only approved, non-training PDFs made by build_pdf are signed; anything else is refused with a reason.
The certificate is a PKCS#12 file with a passphrase, named in configuration; every way it can be unusable
(missing, wrong passphrase, not PKCS#12, expired, not yet valid) gets its own plain-English message.
"""

import io
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes as PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError, StringWithLanguage
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator.registry import SimpleCertificateStore

from hia_service.documents.event_loops import outside_event_loop

from . import long_term
from .errors import CertificateError, DocumentError, NotAPdfError, SigningRefusedError
from .metadata import DocumentInfo, SignatureBox, read_document_info
from .wording import STATUS_LABELS, long_date

SIGNATURE_FIELD = "OrganisationSignature"
_ASK_ADMIN = "Ask your administrator to upload a new one."


def sign_pdf(
    pdf_bytes: bytes,
    p12_path: str | Path,
    passphrase: str | bytes,
    *,
    reason: str | None = None,
    location: str | None = None,
    now: datetime | None = None,
    tsa_url: str | None = None,
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """Sign an approved record made by build_pdf; return the signed PDF.

    With tsa_url (an RFC 3161 timestamp authority, HIA_SIGNING_TSA_URL) or a timestamper (tests use an
    in-process one), the signature is timestamped: PAdES baseline B-T; B-LT, with the revocation data
    in the PDF, when the certificate names revocation services that answer (long_term.py).

    The signature field is invisible: the record's own panel, in the space build_pdf left, says who signed
    it, and PDF readers show the signature's details. Raises SigningRefusedError for training, draft,
    already-signed or foreign PDFs, CertificateError for an unusable certificate and
    NotAPdfError when the bytes are not a PDF.
    """
    reader = _read(pdf_bytes)
    info, box = _signable_info(reader)
    signer = load_signer(p12_path, passphrase, now=now)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason or f"Approved assessment {info.label}",
        location=location or _plain(reader.document_meta_view.author) or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    if timestamper is None and tsa_url:
        timestamper = timestamps.HTTPTimeStamper(tsa_url, timeout=10)
    sign = partial(_signed, pdf_bytes, box, signer, timestamper, [reader])
    if timestamper is None:
        return sign(meta)  # B-B: without a timestamp there is no B-LT
    return long_term.sign_with_validation_data(sign, meta, signer)


def _signed(
    pdf_bytes: bytes,
    box: SignatureBox,
    signer: signers.SimpleSigner,
    timestamper: timestamps.TimeStamper | None,
    unused_reader: list[PdfFileReader],
    meta: signers.PdfSignatureMetadata,
) -> bytes:
    # No appearance of its own: the signature panel is drawn with the record by Typst, in embedded fonts
    # and tagged. pyHanko's appearance used Courier, not embedded, which PDF/A and PDF/UA forbid.
    field = fields.SigFieldSpec(SIGNATURE_FIELD, on_page=box.page, box=None)
    # The first attempt reuses the file sign_pdf has already read (parsing it again took about 20 ms). A
    # writer changes the objects it reads, so a second attempt (B-LT given up for B-T) reads it afresh.
    reader = unused_reader.pop() if unused_reader else None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), prev=reader, strict=False)
    pdf_signer = signers.PdfSigner(meta, signer=signer, new_field_spec=field, timestamper=timestamper)
    try:
        return outside_event_loop(lambda: pdf_signer.sign_pdf(writer).getvalue())
    except timestamps.TimestampRequestError as error:
        raise DocumentError(
            "The timestamp service did not answer, so the record was not signed. Try again later, or ask "
            "your administrator to check the timestamp service setting."
        ) from error


def load_signer(
    p12_path: str | Path, passphrase: str | bytes, *, now: datetime | None = None
) -> signers.SimpleSigner:
    """Open the organisation's PKCS#12 file and check the certificate can sign today."""
    signer, cert = _signer(_p12_bytes(p12_path), _as_bytes(passphrase))
    _check_dates(cert, now or datetime.now(UTC))
    return signer


@lru_cache(maxsize=8)
def _signer(data: bytes, passphrase: bytes) -> tuple[signers.SimpleSigner, x509.Certificate]:
    """The signer for one certificate file, made once per process: decrypting a PKCS#12 and parsing its
    RSA key take about 0.2 s, a fifth of a record's render and sign. Keyed by the file's bytes, so a new
    upload is read afresh; the dates are checked on every use, not here."""
    key, cert, chain = _opened(data, passphrase)
    der = serialization.Encoding.DER
    signer = _ParsedKeySigner(
        key,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        # the issuing chain travels inside the signature so a verifier can build the path to the root
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain]
        ),
    )
    return signer, cert


class _ParsedKeySigner(signers.SimpleSigner):
    """pyHanko re-parses the private key for each signature it makes (two per PDF: one only to measure
    the signature's size), and parsing an RSA key costs about 0.15 s. This keeps the parsed key."""

    def __init__(self, private_key: PrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = getattr(hashes, digest_algorithm.upper())()
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)


def open_p12(
    p12_path: str | Path, passphrase: str | bytes, *, now: datetime | None = None
) -> tuple[PrivateKey, x509.Certificate, list[x509.Certificate]]:
    """The key, certificate and issuing chain of the organisation's PKCS#12 file, checked usable today
    (for signing something other than a PDF: an organisation archive's manifest)."""
    key, cert, chain = _opened(_p12_bytes(p12_path), _as_bytes(passphrase))
    _check_dates(cert, now or datetime.now(UTC))
    return key, cert, list(chain)


def signing_certificate_pem(p12_path: str | Path, passphrase: str | bytes) -> bytes:
    """The public certificate inside the PKCS#12 file, as PEM: the trust root for verify_pdf."""
    _, cert, _ = _opened(_p12_bytes(p12_path), _as_bytes(passphrase))
    return cert.public_bytes(serialization.Encoding.PEM)


def create_dev_certificate(
    path: str | Path, passphrase: str, org_name: str, days: int = 730, *, now: datetime | None = None
) -> bytes:
    """Write a self-signed development certificate (PKCS#12, passphrase-protected); return its PEM.

    For development and testing only: a real organisation uses a certificate from its own authority.
    """
    if not passphrase:
        raise CertificateError("Choose a passphrase to protect the development certificate.")
    start = (now or datetime.now(UTC)) - timedelta(minutes=5)  # tolerate small clock differences
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    cert = _self_signed(key, org_name, start, start + timedelta(days=days))
    encryption = serialization.BestAvailableEncryption(passphrase.encode())
    blob = pkcs12.serialize_key_and_certificates(org_name.encode(), key, cert, None, encryption)
    Path(path).write_bytes(blob)
    Path(path).chmod(0o600)
    return cert.public_bytes(serialization.Encoding.PEM)


def _read(pdf_bytes: bytes) -> PdfFileReader:
    if not pdf_bytes.startswith(b"%PDF-"):
        raise NotAPdfError("This file is not a PDF, so it cannot be signed.")
    try:
        return PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    except (PdfError, ValueError, KeyError) as error:
        raise NotAPdfError("This PDF is damaged and cannot be read, so it cannot be signed.") from error


def _signable_info(reader: PdfFileReader) -> tuple[DocumentInfo, SignatureBox]:
    """The document's record details and where its signature goes, or SigningRefusedError."""
    info = read_document_info(reader)
    if info is None:
        raise SigningRefusedError("This PDF was not made by the assessment service, so it cannot be signed.")
    if info.training:
        raise SigningRefusedError(
            "This is a training document. Training documents are never signed with the organisation's key."
        )
    if not info.approved:
        status = STATUS_LABELS.get(info.status, info.status).lower()
        raise SigningRefusedError(
            f"{info.label} is {status}, not approved. Only approved versions are signed."
        )
    if reader.embedded_signatures:
        raise SigningRefusedError(f"{info.label} is already signed.")
    if info.signature_box is None:
        raise SigningRefusedError(f"{info.label} has no space for the signature. Produce the PDF again.")
    return info, info.signature_box


def _plain(text: str | StringWithLanguage | None) -> str | None:
    """A document-information string without its language tag (the signature's location is plain text)."""
    return text.value if isinstance(text, StringWithLanguage) else text


def _p12_bytes(p12_path: str | Path) -> bytes:
    path = Path(p12_path)
    if not path.is_file():
        raise CertificateError(
            f"The signing certificate file was not found ({path}). "
            "Ask your administrator to check the signing settings."
        )
    return path.read_bytes()


def _as_bytes(passphrase: str | bytes) -> bytes:
    return passphrase.encode() if isinstance(passphrase, str) else passphrase


Opened = tuple[PrivateKey, x509.Certificate, tuple[x509.Certificate, ...]]


@lru_cache(maxsize=8)
def _opened(data: bytes, passphrase: bytes) -> Opened:
    """The file opened once per process (decrypting a PKCS#12 takes about 0.12 s, and an archive's export,
    its import's trust check and each signature open the same one). Keyed by the file's bytes, so a new
    upload is read afresh; a file that cannot be opened raises every time."""
    key, cert, chain = _open_p12(data, passphrase)
    return key, cert, tuple(chain)


def _open_p12(data: bytes, passphrase: bytes) -> tuple[PrivateKey, x509.Certificate, list[x509.Certificate]]:
    try:
        asn1_pkcs12.Pfx.load(data, strict=True)["auth_safe"].native  # noqa: B018 (parsing is the check)
    except (ValueError, TypeError) as error:
        raise CertificateError(
            "The signing certificate is not a PKCS#12 (.p12 or .pfx) file. " + _ASK_ADMIN
        ) from error
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase or None)
    except ValueError as error:
        raise CertificateError(
            "The passphrase for the signing certificate is wrong. Check the signing settings."
        ) from error
    if key is None or cert is None:
        raise CertificateError("The signing certificate file has no private key in it. " + _ASK_ADMIN)
    return key, cert, chain


def _check_dates(cert: x509.Certificate, now: datetime) -> None:
    if now > cert.not_valid_after_utc:
        expired = long_date(cert.not_valid_after_utc)
        raise CertificateError(f"The signing certificate has expired (expired {expired}). {_ASK_ADMIN}")
    if now < cert.not_valid_before_utc:
        raise CertificateError(
            f"The signing certificate is not valid until {long_date(cert.not_valid_before_utc)}. "
            "Check the server's clock, or ask your administrator."
        )


def _self_signed(key: rsa.RSAPrivateKey, org_name: str, start: datetime, end: datetime) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, org_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
