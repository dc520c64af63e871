import io
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfgen.canvas import Canvas

from hia_service.documents import (
    CertificateError,
    NotAPdfError,
    SigningRefusedError,
    build_pdf,
    sign_pdf,
    signing_certificate_pem,
    verify_pdf,
)
from hia_service.documents.metadata import read_document_info


def test_an_approved_record_is_signed_pades_with_an_invisible_field(signed_pdf, unsigned_pdf, org_cert):
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    (signature,) = reader.embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert signature.sig_object["/Reason"] == "Approved assessment HIA-2026-0042 v3"
    assert signature.sig_object["/Location"] == "Northshire NHS Foundation Trust"
    assert signed_pdf.startswith(unsigned_pdf)  # an incremental update: the record itself is untouched
    widget = signature.sig_field
    # invisible: no appearance of pyHanko's own (its Courier is not embedded, which PDF/A and PDF/UA forbid)
    assert [float(v) for v in widget["/Rect"]] == [0, 0, 0, 0]
    appearance = widget.get("/AP")
    assert appearance is None or "/Font" not in (appearance["/N"].get("/Resources") or {})
    assert read_document_info(reader).signature_box is not None  # the space the record left for its panel


def test_the_signed_record_verifies_as_genuine(signed_pdf, org_cert):
    result = verify_pdf(signed_pdf, [org_cert.pem])
    assert result.genuine, result.reason
    assert (result.reference, result.version) == ("HIA-2026-0042", 3)
    assert result.signer == "Northshire NHS Foundation Trust"
    assert abs((datetime.now(UTC) - result.signed_at).total_seconds()) < 600


def test_training_documents_are_never_signed(snapshot, org_cert):
    snapshot["training"] = True
    with pytest.raises(SigningRefusedError, match="Training documents are never signed"):
        sign_pdf(build_pdf(snapshot), org_cert.p12, org_cert.passphrase)


@pytest.mark.parametrize(
    ("status", "words"), [("draft", "draft"), ("returned", "returned to author"), ("in_review", "in review")]
)
def test_unapproved_versions_are_not_signed(snapshot, org_cert, status, words):
    snapshot["status"] = status
    with pytest.raises(SigningRefusedError, match=f"HIA-2026-0042 v3 is {words}, not approved"):
        sign_pdf(build_pdf(snapshot), org_cert.p12, org_cert.passphrase)


def test_a_record_is_signed_only_once(signed_pdf, org_cert):
    with pytest.raises(SigningRefusedError, match="already signed"):
        sign_pdf(signed_pdf, org_cert.p12, org_cert.passphrase)


def test_pdfs_from_elsewhere_are_not_signed(org_cert):
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "Some other PDF")
    canvas.save()
    with pytest.raises(SigningRefusedError, match="not made by the assessment service"):
        sign_pdf(buffer.getvalue(), org_cert.p12, org_cert.passphrase)


def test_something_that_is_not_a_pdf_is_not_signed(org_cert):
    with pytest.raises(NotAPdfError, match="not a PDF"):
        sign_pdf(b"<html>hello</html>", org_cert.p12, org_cert.passphrase)


def test_a_missing_certificate_is_explained(unsigned_pdf, tmp_path):
    with pytest.raises(CertificateError, match=r"signing certificate file was not found \(.*nowhere.p12\)"):
        sign_pdf(unsigned_pdf, tmp_path / "nowhere.p12", "x")


def test_a_wrong_passphrase_is_explained(unsigned_pdf, org_cert):
    with pytest.raises(CertificateError, match="The passphrase for the signing certificate is wrong"):
        sign_pdf(unsigned_pdf, org_cert.p12, "wrong horse")


def test_a_file_that_is_not_pkcs12_is_explained(unsigned_pdf, org_cert, tmp_path):
    pem_file = tmp_path / "certificate.p12"
    pem_file.write_bytes(org_cert.pem)  # a public certificate is not a signing certificate
    with pytest.raises(CertificateError, match=r"is not a PKCS#12 \(.p12 or .pfx\) file"):
        sign_pdf(unsigned_pdf, pem_file, "x")


def test_an_expired_certificate_is_explained_with_its_date(unsigned_pdf, expired_cert):
    with pytest.raises(CertificateError) as error:
        sign_pdf(
            unsigned_pdf, expired_cert.p12, expired_cert.passphrase, now=datetime(2026, 11, 23, tzinfo=UTC)
        )
    assert str(error.value) == (
        "The signing certificate has expired (expired 3 March 2026). "
        "Ask your administrator to upload a new one."
    )


def test_a_certificate_not_yet_valid_is_explained(unsigned_pdf, expired_cert):
    with pytest.raises(CertificateError, match="is not valid until 3 March 2025"):
        sign_pdf(
            unsigned_pdf, expired_cert.p12, expired_cert.passphrase, now=datetime(2024, 1, 1, tzinfo=UTC)
        )


def test_the_public_certificate_comes_out_of_the_p12(org_cert):
    assert signing_certificate_pem(org_cert.p12, org_cert.passphrase) == org_cert.pem


def test_the_dev_certificate_is_protected_and_named_for_the_organisation(org_cert):
    assert org_cert.p12.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(org_cert.p12.read_bytes(), None)  # it needs the passphrase
    cert = x509.load_pem_x509_certificate(org_cert.pem)
    assert (
        cert.subject.rfc4514_string()
        == "O=Northshire NHS Foundation Trust,CN=Northshire NHS Foundation Trust"
    )
    assert 729 <= (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 730
