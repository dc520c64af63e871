"""verify_pdf against every kind of bad file: a tampered record must never be called genuine."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import pdf_signer

from hia_service.documents import CertificateError, sign_pdf, verify_pdf
from hia_service.documents.signing import load_signer


def _contents_span(pdf: bytes) -> tuple[int, int]:
    """Start and end of the hex signature string <...> in the file, from the /ByteRange."""
    _, length1, start2, _ = (
        int(n) for n in re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", pdf).groups()
    )
    return length1, start2


def _pyhanko_sign(pdf: bytes, signer, field_name: str = "Another") -> bytes:
    meta = signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer).getvalue()


def test_genuine(signed_pdf, org_cert):
    result = verify_pdf(signed_pdf, trust_roots=[org_cert.pem])
    assert (result.genuine, result.code) == (True, "genuine")
    assert result.reason.startswith("This is a genuine record: signed by Northshire NHS Foundation Trust on ")
    assert len(result.sha256) == 64


def test_a_bundle_of_trusted_certificates_is_accepted(signed_pdf, org_cert, other_cert):
    assert verify_pdf(signed_pdf, [other_cert.pem + org_cert.pem]).genuine


def test_without_trusted_certificates_nothing_is_genuine(signed_pdf):
    result = verify_pdf(signed_pdf)
    assert (result.genuine, result.code) == (False, "untrusted")
    assert "no trusted certificate was given" in result.reason


def test_signed_with_another_certificate_is_not_genuine_and_says_who(unsigned_pdf, org_cert, other_cert):
    forged = sign_pdf(unsigned_pdf, other_cert.p12, other_cert.passphrase)
    result = verify_pdf(forged, [org_cert.pem])
    assert (result.genuine, result.code, result.signer) == (False, "untrusted", "Mallory Consulting Ltd")
    assert result.reason.startswith(
        "It was signed by Mallory Consulting Ltd, but not with the organisation's"
    )
    assert (result.reference, result.version) == ("HIA-2026-0042", 3)


def test_signed_again_after_approval_is_not_genuine_and_says_who(signed_pdf, org_cert, other_cert):
    resigned = _pyhanko_sign(signed_pdf, load_signer(other_cert.p12, other_cert.passphrase))
    result = verify_pdf(resigned, [org_cert.pem, other_cert.pem])
    assert (result.genuine, result.code, result.signer) == (False, "signed_again", "Mallory Consulting Ltd")
    assert "signed again after its first signature, by Mallory Consulting Ltd" in result.reason


def test_an_incremental_update_after_signing_is_detected(signed_pdf, org_cert):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/Rating"] = generic.TextStringObject("low")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    result = verify_pdf(output.getvalue(), [org_cert.pem])
    assert (result.genuine, result.code) == (False, "added_after_signing")
    assert (
        result.reason == "The file has been changed after it was signed: something was added to it or edited."
    )


def test_even_a_trailing_newline_is_detected(signed_pdf, org_cert):
    assert verify_pdf(signed_pdf + b"\n", [org_cert.pem]).code == "added_after_signing"


def test_a_changed_word_is_detected(signed_pdf, org_cert):
    altered = signed_pdf.replace(b"status approved", b"status approveD", 1)
    assert altered != signed_pdf
    result = verify_pdf(altered, [org_cert.pem])
    assert (result.genuine, result.code) == (False, "altered")
    assert result.reason == "The document has been changed since it was signed."


def test_changes_to_the_signature_padding_are_detected(signed_pdf, org_cert):
    # pyHanko and poppler both ignore these bytes: verify_pdf must not
    _, end = _contents_span(signed_pdf)
    padded = bytearray(signed_pdf)
    padded[end - 3] = ord("7")
    assert verify_pdf(bytes(padded), [org_cert.pem]).code == "added_after_signing"


def test_a_change_of_letter_case_in_the_signature_is_detected(signed_pdf, org_cert):
    start, end = _contents_span(signed_pdf)
    position = next(i for i in range(start + 1, end) if signed_pdf[i : i + 1] in b"ABCDEF")
    recased = signed_pdf[:position] + signed_pdf[position : position + 1].lower() + signed_pdf[position + 1 :]
    assert verify_pdf(recased, [org_cert.pem]).code == "added_after_signing"


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_changed_byte_anywhere_is_called_genuine(signed_pdf, org_cert, data):
    position = data.draw(st.integers(0, len(signed_pdf) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    tampered = bytearray(signed_pdf)
    tampered[position] ^= flip
    assert not verify_pdf(bytes(tampered), [org_cert.pem]).genuine


@pytest.mark.parametrize("region", ["header", "byte range", "signature start", "signature end", "trailer"])
def test_changed_bytes_in_sensitive_places_are_detected(signed_pdf, org_cert, region):
    start, end = _contents_span(signed_pdf)
    position = {
        "header": 3,
        "byte range": signed_pdf.index(b"/ByteRange [") + 14,
        "signature start": start + 5,
        "signature end": end - 1,
        "trailer": len(signed_pdf) - 8,
    }[region]
    tampered = bytearray(signed_pdf)
    tampered[position] ^= 0x01
    assert not verify_pdf(bytes(tampered), [org_cert.pem]).genuine


def test_a_certificate_out_of_date_when_signing_is_not_genuine(unsigned_pdf, expired_cert):
    # sign_pdf refuses an expired certificate, so sign directly as an attacker holding the old key could
    signer = load_signer(expired_cert.p12, expired_cert.passphrase, now=datetime(2025, 6, 1, tzinfo=UTC))
    late = _pyhanko_sign(unsigned_pdf, signer, field_name="OrganisationSignature")
    result = verify_pdf(late, [expired_cert.pem])
    assert (result.genuine, result.code) == (False, "certificate_not_valid")
    assert (
        "when the signing certificate was not valid (valid from 3 March 2025 to 3 March 2026)"
        in result.reason
    )


def test_a_record_signed_in_date_stays_genuine_after_the_certificate_expires(
    unsigned_pdf, expired_cert, monkeypatch
):
    class SignedInApril(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2025, 4, 1, 9, 30, tzinfo=UTC)

    monkeypatch.setattr(
        pdf_signer, "datetime", SignedInApril
    )  # pyHanko offers no way to set the signing time
    signer = load_signer(expired_cert.p12, expired_cert.passphrase, now=datetime(2025, 4, 1, tzinfo=UTC))
    signed = _pyhanko_sign(unsigned_pdf, signer, field_name="OrganisationSignature")
    monkeypatch.undo()
    result = verify_pdf(signed, [expired_cert.pem])
    assert result.genuine, result.reason
    assert result.signed_at == datetime(2025, 4, 1, 9, 30, tzinfo=UTC)
    assert datetime.now(UTC) - result.signed_at > timedelta(days=365)


def test_an_unsigned_draft_says_which_version_it_claims_to_be(unsigned_pdf, org_cert):
    result = verify_pdf(unsigned_pdf, [org_cert.pem])
    assert (result.genuine, result.code) == (False, "unsigned")
    assert result.reason == "This file has no digital signature. Only approved assessments are signed."
    assert (result.reference, result.version, result.signer) == ("HIA-2026-0042", 3, None)


@pytest.mark.parametrize(
    ("data", "code", "reason"),
    [
        (b"", "not_pdf", "This file is not a PDF."),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not_pdf", "This file is not a PDF."),
        (b"<html><script>alert(1)</script></html>", "not_pdf", "This file is not a PDF."),
        (b"%PDF-1.7\n" + b"garbage " * 50 + b"\n%%EOF\n", "damaged", "The PDF is damaged"),
    ],
)
def test_files_that_are_not_records(org_cert, data, code, reason):
    result = verify_pdf(data, [org_cert.pem])
    assert (result.genuine, result.code) == (False, code)
    assert result.reason.startswith(reason)


def test_a_truncated_download_is_explained(signed_pdf, org_cert):
    result = verify_pdf(signed_pdf[: len(signed_pdf) // 2], [org_cert.pem])
    assert (result.genuine, result.code) == (False, "truncated")
    assert "cut short" in result.reason


def test_a_100_mb_upload_is_refused_without_parsing(org_cert):
    huge = b"%PDF-1.7\n" + bytes(100 * 1024 * 1024)
    result = verify_pdf(huge, [org_cert.pem])
    assert (result.genuine, result.code) == (False, "too_large")
    assert (
        result.reason == "The file is too large to check (100 MB). Signed assessment records are under 20 MB."
    )


def test_an_unreadable_trusted_certificate_is_a_configuration_error(signed_pdf):
    with pytest.raises(CertificateError, match="trusted certificate could not be read"):
        verify_pdf(signed_pdf, [b"-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n"])


def _fingerprint(pem: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()


def test_a_registered_certificate_is_named_by_the_organisation_that_registered_it(signed_pdf, org_cert):
    registered = {_fingerprint(org_cert.pem): "Riverside NHS Trust"}
    result = verify_pdf(signed_pdf, [org_cert.pem], registered=registered)
    assert (result.genuine, result.signer) == (True, "Riverside NHS Trust")
    assert result.reason.startswith("This is a genuine record: signed by Riverside NHS Trust on ")
    assert result.certificate_sha256 == _fingerprint(org_cert.pem)


def test_a_self_signed_certificate_carrying_a_trusts_name_is_an_unknown_certificate(
    unsigned_pdf, org_cert, tmp_path
):
    # Anyone can make a certificate that calls itself "Northshire NHS Foundation Trust"; even one that made
    # it into the trusted list is not the certificate the trust registered.
    from hia_service.documents import create_dev_certificate

    lookalike_p12 = tmp_path / "lookalike.p12"
    lookalike_pem = create_dev_certificate(lookalike_p12, "pass", "Northshire NHS Foundation Trust")
    forged = sign_pdf(unsigned_pdf, lookalike_p12, "pass")
    registered = {_fingerprint(org_cert.pem): "Northshire NHS Foundation Trust"}
    result = verify_pdf(forged, [org_cert.pem, lookalike_pem], registered=registered)
    assert (result.genuine, result.code) == (False, "unknown_certificate")
    subject = "Organization: Northshire NHS Foundation Trust, Common Name: Northshire NHS Foundation Trust"
    assert result.signer == f"an unknown certificate ({subject})"
    assert result.reason.startswith(
        f"It was signed by an unknown certificate ({subject}), not with the certificate an organisation "
        "registered"
    )
    assert "genuine record" not in result.reason
    untrusted = verify_pdf(forged, [org_cert.pem], registered=registered)
    assert untrusted.code == "untrusted"
    assert f"signed by an unknown certificate ({subject})" in untrusted.reason
