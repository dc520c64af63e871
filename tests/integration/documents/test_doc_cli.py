"""The `hia certs` and `hia pdf` commands, driven through click's test runner."""

import flask
import pypdf
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from hia_service.cli.pdf import certs_cli, pdf_cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_certs_dev_writes_a_protected_p12_and_its_public_pem(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("DEV_PASSPHRASE", "s3cret")
    out = tmp_path / "dev.p12"
    result = runner.invoke(
        certs_cli,
        ["dev", "--out", str(out), "--org", "Northshire NHS FT", "--passphrase-env", "DEV_PASSPHRASE"],
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "dev.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert "valid 730 days" in result.output


def test_certs_dev_asks_for_the_passphrase_twice_when_not_given(runner, tmp_path):
    out = tmp_path / "dev.p12"
    result = runner.invoke(certs_cli, ["dev", "--out", str(out), "--org", "X"], input="pw\npw\n")
    assert result.exit_code == 0, result.output
    assert out.exists()


def test_certs_dev_does_not_overwrite_without_force(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("DEV_PASSPHRASE", "s3cret")
    out = tmp_path / "dev.p12"
    out.write_bytes(b"precious")
    result = runner.invoke(
        certs_cli, ["dev", "--out", str(out), "--org", "X", "--passphrase-env", "DEV_PASSPHRASE"]
    )
    assert result.exit_code == 1
    assert "already exists. Use --force to replace it." in result.output
    assert out.read_bytes() == b"precious"


def test_certs_dev_says_when_the_variable_is_empty(runner, tmp_path):
    result = runner.invoke(
        certs_cli, ["dev", "--out", str(tmp_path / "d.p12"), "--org", "X", "--passphrase-env", "NOPE_X"]
    )
    assert result.exit_code == 2
    assert "The environment variable NOPE_X is not set or is empty." in result.output


def test_pdf_verify_exits_0_for_a_genuine_record(runner, tmp_path, signed_pdf, org_cert):
    record, trust = tmp_path / "record.pdf", tmp_path / "org.pem"
    record.write_bytes(signed_pdf)
    trust.write_bytes(org_cert.pem)
    result = runner.invoke(pdf_cli, ["verify", str(record), "--trust", str(trust)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "GENUINE: This is a genuine record: signed by Northshire NHS Foundation Trust"
    )
    assert "Assessment: HIA-2026-0042 v3" in result.output


def test_pdf_verify_exits_1_with_the_reason_for_a_tampered_record(runner, tmp_path, signed_pdf, org_cert):
    record, trust = tmp_path / "record.pdf", tmp_path / "org.pem"
    record.write_bytes(signed_pdf.replace(b"status approved", b"status approveD", 1))
    trust.write_bytes(org_cert.pem)
    result = runner.invoke(pdf_cli, ["verify", str(record), "--trust", str(trust)])
    assert result.exit_code == 1
    assert "NOT GENUINE: The document has been changed since it was signed." in result.output


def test_pdf_verify_uses_the_apps_signing_certificate(runner, tmp_path, signed_pdf, org_cert):
    record = tmp_path / "record.pdf"
    record.write_bytes(signed_pdf)
    app = flask.Flask("test")
    app.config.update(HIA_SIGNING_P12=str(org_cert.p12), HIA_SIGNING_PASSPHRASE=org_cert.passphrase)
    with app.app_context():
        result = runner.invoke(pdf_cli, ["verify", str(record)])
    assert result.exit_code == 0, result.output


def test_pdf_verify_without_any_certificate_says_what_to_do(runner, tmp_path, signed_pdf):
    record = tmp_path / "record.pdf"
    record.write_bytes(signed_pdf)
    result = runner.invoke(pdf_cli, ["verify", str(record)])
    assert result.exit_code == 2
    assert "Say which certificate to trust with --trust CERT.pem" in result.output


def test_pdf_sample_signs_with_a_throwaway_certificate_that_then_verifies(runner, tmp_path):
    out = tmp_path / "sample.pdf"
    result = runner.invoke(
        pdf_cli, ["sample", "--out", str(out), "--sign", "--docx", str(tmp_path / "sample.docx")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sample.docx").stat().st_size > 10_000
    trust = tmp_path / "sample-certificate.pem"
    check = runner.invoke(pdf_cli, ["verify", str(out), "--trust", str(trust)])
    assert check.exit_code == 0, check.output


def test_pdf_sample_refuses_to_sign_a_training_document(runner, tmp_path):
    result = runner.invoke(pdf_cli, ["sample", "--out", str(tmp_path / "t.pdf"), "--sign", "--training"])
    assert result.exit_code == 1
    assert "Training documents are never signed with the organisation's key." in result.output
    assert not (tmp_path / "t.pdf").exists()


def test_pdf_sample_with_a_wrong_passphrase_says_so(runner, tmp_path, org_cert, monkeypatch):
    monkeypatch.setenv("P12_PASS", "wrong")
    args = [
        "sample",
        "--out",
        str(tmp_path / "s.pdf"),
        "--sign",
        "--p12",
        str(org_cert.p12),
        "--passphrase-env",
        "P12_PASS",
    ]
    result = runner.invoke(pdf_cli, args)
    assert result.exit_code == 1
    assert "The passphrase for the signing certificate is wrong." in result.output


def test_pdf_sample_draft_is_unsigned(runner, tmp_path):
    out = tmp_path / "draft.pdf"
    assert runner.invoke(pdf_cli, ["sample", "--out", str(out), "--status", "draft"]).exit_code == 0
    reader = pypdf.PdfReader(out)
    assert all("DRAFT — NOT APPROVED" in page.extract_text() for page in reader.pages)
    assert b"/ByteRange" not in out.read_bytes()


def test_pdf_verify_still_answers_when_the_app_cannot_start(runner, tmp_path, signed_pdf):
    def broken_app():
        raise RuntimeError("HIA_SECRET_KEY must be set")

    record = tmp_path / "record.pdf"
    record.write_bytes(signed_pdf)
    result = runner.invoke(pdf_cli, ["verify", str(record)], obj=ScriptInfo(create_app=broken_app))
    assert result.exit_code == 2
    assert "Say which certificate to trust with --trust CERT.pem" in result.output
