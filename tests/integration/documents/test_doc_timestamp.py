"""With a timestamp authority configured the signature is PAdES B-T: a signature timestamp token from the
authority, still valid under pdfsig and pyHanko. The authority here is pyHanko's in-process test one (no
network); a real deployment names an RFC 3161 URL in HIA_SIGNING_TSA_URL."""

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from hia_service.documents import DocumentError, sign_pdf, verify_pdf

PDFSIG = shutil.which("pdfsig") or "/usr/bin/pdfsig"


@pytest.fixture(scope="module")
def test_tsa() -> DummyTimeStamper:
    """A timestamp authority with its own certificate (extended key usage: time stamping)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test TSA is RSA-only
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Timestamp Authority")])
    now = datetime.now(UTC) - timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der = serialization.Encoding.DER
    private = key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(private),
    )


@pytest.fixture(scope="module")
def timestamped(unsigned_pdf, org_cert, test_tsa) -> bytes:
    return sign_pdf(unsigned_pdf, org_cert.p12, org_cert.passphrase, timestamper=test_tsa)


def _unsigned_attributes(pdf: bytes) -> list[str]:
    """The types of the CMS unsigned attributes: where a signature timestamp token goes."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    attributes = signature.signer_info["unsigned_attrs"]
    return [a["type"].native for a in attributes] if attributes.native else []


def test_the_signature_carries_the_authoritys_timestamp_token(timestamped):
    assert _unsigned_attributes(timestamped) == ["signature_time_stamp_token"]  # B-T


def test_without_an_authority_there_is_no_timestamp(signed_pdf):
    assert _unsigned_attributes(signed_pdf) == []


def test_a_timestamped_record_is_still_valid_and_tamper_evident(timestamped, org_cert, tmp_path):
    assert verify_pdf(timestamped, [org_cert.pem]).genuine
    path = tmp_path / "record.pdf"
    path.write_bytes(timestamped)
    report = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid." in report and "Total document signed" in report
    altered = bytearray(timestamped)
    altered[len(altered) // 3] ^= 0x01
    assert not verify_pdf(bytes(altered), [org_cert.pem]).genuine


def test_an_authority_that_does_not_answer_stops_signing_with_a_reason(unsigned_pdf, org_cert):
    with pytest.raises(DocumentError, match="The timestamp service did not answer"):
        sign_pdf(unsigned_pdf, org_cert.p12, org_cert.passphrase, tsa_url="http://127.0.0.1:9/tsa")
