"""`hia` takes role names, release names, statuses and codes in any case, and a wrong one is answered with
the ones that would do."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from hia_service.cli import main
from hia_service.data.models import Organisation, User
from hia_service.extensions import db
from tests.conftest import TEST_PASSWORD


def test_role_names_and_organisation_codes_in_any_case(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(
        main,
        [
            "users",
            "create",
            "ann@nhs.net",
            "--role",
            "Reviewer",
            "--org",
            " rxa ",
            "--org-name",
            "Test Trust",
        ],
        input=TEST_PASSWORD + "\n",
    )
    assert first.exit_code == 0, first.output
    assert "Created ann@nhs.net (Governance reviewer) in Test Trust" in first.output
    second = runner.invoke(
        main,
        ["users", "create", "bob@nhs.net", "--role", "MANAGER", "--org", "Rxa"],
        input=TEST_PASSWORD + "\n",
    )
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalars(select(Organisation.code)).all() == ["RXA"]
        roles = {email: role for email, role in db.session.execute(select(User.email, User.role))}
    assert roles == {"ann@nhs.net": "reviewer", "bob@nhs.net": "manager"}


def test_a_wrong_role_lists_the_roles(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        main, ["users", "create", "ann@nhs.net", "--role", "boss", "--org", "RXA"], input=TEST_PASSWORD + "\n"
    )
    assert result.exit_code == 2
    assert "'boss' is not one of 'manager', 'reviewer', 'trainer', 'admin', 'trainee'" in result.output


def test_a_sample_pdfs_status_in_any_case_and_a_wrong_one_lists_them(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    out = tmp_path / "sample.pdf"
    drawn = runner.invoke(main, ["pdf", "sample", "--out", str(out), "--status", "Submitted"])
    assert drawn.exit_code == 0, drawn.output
    assert out.read_bytes().startswith(b"%PDF")
    wrong = runner.invoke(main, ["pdf", "sample", "--out", str(out), "--status", "finished"])
    assert wrong.exit_code == 2
    assert (
        "'finished' is not one of 'approved', 'submitted', 'in_review', 'returned', 'draft'" in wrong.output
    )
