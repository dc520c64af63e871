"""`hia pdf export REF --org CODE --out FILE [--version N] [--docx]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from hia_service.cli.pdf import pdf_cli
from tests.integration.documents_wiring.conftest import version_of
from tests.integration.documents_wiring.test_approval_signing import text_of


def export(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(pdf_cli, ["export", *args])


def test_an_approved_version_exports_the_stored_signed_pdf(app: Flask, approved: int, tmp_path: Path) -> None:
    version = version_of(app, approved)
    out = tmp_path / "record.pdf"
    result = export(app, version["reference"], "--org", "rxa", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == version["pdf"]
    check = app.test_cli_runner().invoke(pdf_cli, ["verify", str(out), "--trust", str(_dev_pem(app))])
    assert check.exit_code == 0 and "GENUINE" in check.output


def test_a_draft_exports_unsigned_and_marked_draft(
    app: Flask, world: Any, make_assessment: Any, tmp_path: Path
) -> None:
    from hia_service.data.assessments import get_assessment

    assessment_id = make_assessment(world["manager"], submit=False)
    with app.app_context():
        reference = get_assessment(assessment_id).reference  # type: ignore[union-attr]
    out = tmp_path / "draft.pdf"
    result = export(app, reference, "--org", "RXA", "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    assert "DRAFT" in text_of(pdf) and b"/ByteRange" not in pdf
    word = tmp_path / "draft.docx"
    assert export(app, reference, "--org", "RXA", "--out", str(word), "--docx").exit_code == 0
    assert word.read_bytes()[:2] == b"PK"


def test_unknown_references_and_versions_are_clear_errors(app: Flask, approved: int, tmp_path: Path) -> None:
    reference = version_of(app, approved)["reference"]
    out = str(tmp_path / "x.pdf")
    missing = export(app, "HIA-1999-0001", "--org", "RXA", "--out", out)
    assert missing.exit_code == 1 and "There is no assessment HIA-1999-0001" in missing.output
    wrong_org = export(app, reference, "--org", "RYB", "--out", out)
    assert wrong_org.exit_code == 1
    no_version = export(app, reference, "--org", "RXA", "--out", out, "--version", "4")
    assert no_version.exit_code == 1 and "has no version 4" in no_version.output
    assert not Path(out).exists()


def _dev_pem(app: Flask) -> Path:
    return Path(app.config["HIA_DATA_DIR"]) / "certs" / "RXA.pem"
