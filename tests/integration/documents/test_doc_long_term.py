"""PAdES B-LT: with a timestamp authority configured and a certificate that names a revocation service, the
signed PDF keeps the certificates and CRLs of the signer's chain and the authority's in its document
security store (DSS), so it can be checked years later without the servers. When the data cannot be had
the record is still signed, B-T, with a warning; a revoked certificate stops signing.

Everything is local: a test certificate authority (root, issuing authority, signers), its CRLs served
over HTTP from a thread on 127.0.0.1, and pyHanko's in-process timestamp authority. No network."""

import io
import logging
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pikepdf
import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from hia_service.documents import CertificateError, sign_pdf, verify_pdf

PDFSIG = shutil.which("pdfsig") or "/usr/bin/pdfsig"
PASSPHRASE = "long term"
NOW = datetime.now(UTC) - timedelta(minutes=5)
DER = serialization.Encoding.DER


@dataclass(frozen=True)
class Issued:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(DER))


@dataclass(frozen=True)
class LocalAuthority:
    root: Issued
    issuing: Issued
    signer: Path  # PKCS#12: the signer's key and certificate, the issuing authority's and the root's
    signer_pem: bytes
    revoked: Path  # a signer whose certificate the issuing authority's CRL lists
    unreachable: Path  # a signer whose CRL is at an address where nothing answers
    tsa: DummyTimeStamper  # certificate issued by the issuing authority, its CRL named
    crl_requests: list[str]


class _CRLs(BaseHTTPRequestHandler):
    served: dict[str, bytes] = {}
    requests: list[str] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = self.served.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/pkix-crl")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are counted in `requests`, not printed."""


@pytest.fixture(scope="module")
def crl_server() -> Iterator[tuple[str, type[_CRLs]]]:
    handler = type("CRLs", (_CRLs,), {"served": {}, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def authority(crl_server, tmp_path_factory) -> LocalAuthority:
    base, handler = crl_server
    root = _issue("Test Root CA", None, ca=True)
    issuing = _issue("Test Issuing CA", root, ca=True, crl=f"{base}/root.crl")
    signer = _issue("Northshire NHS Foundation Trust", issuing, crl=f"{base}/issuing.crl")
    revoked = _issue("Revoked Trust", issuing, crl=f"{base}/issuing.crl")
    unreachable = _issue("Unreachable Trust", issuing, crl="http://127.0.0.1:9/issuing.crl")
    tsa = _issue("Test Timestamp Authority", issuing, crl=f"{base}/issuing.crl", tsa=True)
    handler.served["/root.crl"] = _crl(root, [])
    handler.served["/issuing.crl"] = _crl(issuing, [revoked.cert.serial_number])
    folder = tmp_path_factory.mktemp("authority")
    private = tsa.key.private_bytes(DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return LocalAuthority(
        root=root,
        issuing=issuing,
        signer=_p12(folder / "signer.p12", signer, [issuing, root]),
        signer_pem=signer.cert.public_bytes(serialization.Encoding.PEM),
        revoked=_p12(folder / "revoked.p12", revoked, [issuing, root]),
        unreachable=_p12(folder / "unreachable.p12", unreachable, [issuing, root]),
        tsa=DummyTimeStamper(
            tsa_cert=tsa.asn1,
            tsa_key=asn1_keys.PrivateKeyInfo.load(private),
            certs_to_embed=SimpleCertificateStore.from_certs([issuing.asn1]),
        ),
        crl_requests=handler.requests,
    )


@pytest.fixture(scope="module")
def long_term(unsigned_pdf, authority) -> bytes:
    return sign_pdf(unsigned_pdf, authority.signer, PASSPHRASE, timestamper=authority.tsa)


def test_the_dss_holds_the_certificates_and_crls_of_both_chains(long_term, authority):
    with pikepdf.open(io.BytesIO(long_term)) as pdf:
        dss = pdf.Root.DSS
        certs = {bytes(stream.read_bytes()) for stream in dss.Certs}
        crls = [asn1_crl.CertificateList.load(bytes(stream.read_bytes())) for stream in dss.CRLs]
    chain = {authority.root.cert, authority.issuing.cert}
    assert {c.public_bytes(DER) for c in chain} | {authority.tsa.tsa_cert.dump()} <= certs
    assert x509.load_pem_x509_certificate(authority.signer_pem).public_bytes(DER) in certs
    issuers = sorted(crl.issuer.native["common_name"] for crl in crls)
    assert issuers == ["Test Issuing CA", "Test Root CA"]  # the signer's and TSA's CRL, the issuing CA's
    assert {"/root.crl", "/issuing.crl"} <= set(authority.crl_requests)


def test_the_signature_is_timestamped_and_covers_the_dss(long_term, authority):
    (signature,) = PdfFileReader(io.BytesIO(long_term)).embedded_signatures
    assert [a["type"].native for a in signature.signer_info["unsigned_attrs"]] == [
        "signature_time_stamp_token"
    ]
    status = validate_pdf_signature(signature, _offline(authority, signature, with_dss=True), skip_diff=True)
    # the DSS went into the signature's own revision: the signature covers the whole file, DSS included
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_pyhanko_validates_it_from_the_dss_alone(long_term, authority):
    """No fetching, revocation checked (hard-fail): the DSS's certificates and CRLs are enough."""
    (signature,) = PdfFileReader(io.BytesIO(long_term)).embedded_signatures
    status = validate_pdf_signature(signature, _offline(authority, signature, with_dss=True), skip_diff=True)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert status.revocation_details is None  # not revoked
    without = validate_pdf_signature(
        signature, _offline(authority, signature, with_dss=False), skip_diff=True
    )
    assert without.intact and not without.trusted  # without the DSS's CRLs, revocation cannot be checked


def test_it_is_genuine_for_verify_pdf_and_valid_for_pdfsig(long_term, authority, tmp_path):
    assert verify_pdf(long_term, [authority.signer_pem]).genuine
    report = _pdfsig(long_term, tmp_path)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Certificate Validation: Certificate issuer isn't Trusted." in report  # a test CA, unknown to NSS


def test_a_changed_byte_is_still_detected(long_term, authority, tmp_path):
    altered = long_term.replace(b"status approved", b"status approveD", 1)
    assert altered != long_term
    assert verify_pdf(altered, [authority.signer_pem]).code == "altered"
    assert "Signature is Valid." not in _pdfsig(altered, tmp_path)


def test_when_the_crl_server_is_down_the_record_is_signed_b_t_with_a_warning(unsigned_pdf, authority, caplog):
    with caplog.at_level(logging.WARNING, logger="hia_service.documents.long_term"):
        signed = sign_pdf(unsigned_pdf, authority.unreachable, PASSPHRASE, timestamper=authority.tsa)
    assert _timestamped(signed) and not _has_dss(signed)
    (warning,) = caplog.records
    assert "without long-term validation data (PAdES B-T, not B-LT)" in warning.getMessage()
    assert "revocation data for the signing certificate could not be fetched" in warning.getMessage()


def test_a_certificate_its_authority_revoked_does_not_sign(unsigned_pdf, authority):
    with pytest.raises(CertificateError, match="The signing certificate has been revoked"):
        sign_pdf(unsigned_pdf, authority.revoked, PASSPHRASE, timestamper=authority.tsa)


@pytest.mark.parametrize(
    ("issued_by", "reason"),
    [
        ("Stranger Root CA", "the timestamp authority's certificate could not be traced to a root"),
        (None, "the timestamp authority's certificate could not be checked"),  # self-signed
    ],
)
def test_a_timestamp_authority_from_an_unknown_root_gives_b_t_with_a_warning(
    unsigned_pdf, authority, caplog, issued_by, reason
):
    stranger = _issue(
        "Stranger Timestamp Authority", _issue(issued_by, None, ca=True) if issued_by else None, tsa=True
    )
    private = stranger.key.private_bytes(DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tsa = DummyTimeStamper(tsa_cert=stranger.asn1, tsa_key=asn1_keys.PrivateKeyInfo.load(private))
    with caplog.at_level(logging.WARNING, logger="hia_service.documents.long_term"):
        signed = sign_pdf(unsigned_pdf, authority.signer, PASSPHRASE, timestamper=tsa)
    assert _timestamped(signed) and not _has_dss(signed)
    (warning,) = caplog.records
    assert reason in warning.getMessage()


def test_a_self_signed_certificate_gives_b_t_with_a_warning(unsigned_pdf, org_cert, authority, caplog):
    with caplog.at_level(logging.WARNING, logger="hia_service.documents.long_term"):
        signed = sign_pdf(unsigned_pdf, org_cert.p12, org_cert.passphrase, timestamper=authority.tsa)
    assert _timestamped(signed) and not _has_dss(signed)
    (warning,) = caplog.records
    assert "names no revocation service (CRL or OCSP)" in warning.getMessage()


def test_without_a_timestamp_authority_it_is_b_b_without_a_dss(unsigned_pdf, authority, caplog):
    with caplog.at_level(logging.WARNING, logger="hia_service.documents.long_term"):
        signed = sign_pdf(unsigned_pdf, authority.signer, PASSPHRASE)
    assert not _timestamped(signed) and not _has_dss(signed)
    assert not caplog.records  # B-B is what was configured: nothing to warn about


def _offline(authority: LocalAuthority, signature, *, with_dss: bool) -> ValidationContext:
    """Trusting only the test root, fetching nothing, needing revocation data for every named CRL."""
    dss = DocumentSecurityStore.read_dss(signature.reader) if with_dss else None
    return ValidationContext(
        trust_roots=[authority.root.asn1],
        other_certs=list(dss.load_certs()) if dss else [],
        crls=[asn1_crl.CertificateList.load(c.get_object().data) for c in dss.crls] if dss else [],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )


def _timestamped(pdf: bytes) -> bool:
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    attributes = signature.signer_info["unsigned_attrs"]
    return bool(attributes.native) and attributes[0]["type"].native == "signature_time_stamp_token"


def _has_dss(pdf: bytes) -> bool:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return "/DSS" in document.Root


def _pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60, check=False)
    return result.stdout + result.stderr


def _issue(
    name: str, issuer: Issued | None, *, ca: bool = False, crl: str | None = None, tsa: bool = False
) -> Issued:
    # EC keys are quick to make; pyHanko's test timestamp authority signs with RSA only
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if tsa
        else ec.generate_private_key(ec.SECP256R1())
    )
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signing_key = issuer.key if issuer else key
    usage = x509.KeyUsage(
        digital_signature=not ca, content_commitment=not ca and not tsa, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False,
        decipher_only=False,
    )  # fmt: skip
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())
        builder = builder.add_extension(aki, critical=False)
    if crl:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return Issued(key, builder.sign(signing_key, hashes.SHA256()))


def _crl(issuer: Issued, revoked_serials: list[int]) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(NOW)
        .next_update(NOW + timedelta(days=7))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    )
    for serial in revoked_serials:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW).build()
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(DER)


def _p12(path: Path, issued: Issued, chain: list[Issued]) -> Path:
    encryption = serialization.BestAvailableEncryption(PASSPHRASE.encode())
    cas = [link.cert for link in chain]
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(b"signer", issued.key, issued.cert, cas, encryption)
    )
    return path
