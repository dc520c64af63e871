"""An independent check of the signatures with poppler's pdfsig (NSS), not the library that made them."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

PDFSIG = shutil.which("pdfsig") or "/usr/bin/pdfsig"


def _pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60, check=False)
    return result.stdout + result.stderr


def test_pdfsig_finds_one_valid_pades_signature_over_the_whole_file(signed_pdf, tmp_path):
    report = _pdfsig(signed_pdf, tmp_path)
    assert report.count("Signature #") == 1
    assert "Signer Certificate Common Name: Northshire NHS Foundation Trust" in report
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Signing Hash Algorithm: SHA-256" in report
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." in report


def test_pdfsig_rejects_a_changed_byte(signed_pdf, tmp_path):
    altered = signed_pdf.replace(b"status approved", b"status approveD", 1)
    report = _pdfsig(altered, tmp_path)
    assert "Signature is Valid." not in report
    assert "Digest Mismatch" in report or "Signature is Invalid" in report


def test_pdfsig_sees_that_an_update_was_added_after_signing(signed_pdf, tmp_path):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/Rating"] = generic.TextStringObject("low")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    report = _pdfsig(output.getvalue(), tmp_path)
    assert "Total document signed" not in report


def test_pdfsig_finds_no_signature_on_an_unsigned_draft(unsigned_pdf, tmp_path):
    assert "does not contain any signatures" in _pdfsig(unsigned_pdf, tmp_path)


@pytest.fixture(autouse=True)
def _pdfsig_is_installed():
    assert Path(PDFSIG).exists(), "poppler-utils (pdfsig) is needed for these tests"
