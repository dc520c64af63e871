"""An import stopped between its commit and moving its signed PDFs into place (killed, the machine down, the
store failing) loses no PDF and leaves no record pointing at a missing one for long: the PDFs wait beside
their final keys, noted in the same transaction as the records, and are moved into place by the next
`hia import`, when a server process starts, or when someone asks for one.

The kill is simulated by an exception no handler catches (as a kill runs none), raised at the step
after the commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hia_service.cli.backup import import_command
from hia_service.data.models import Assessment, AssessmentVersion, Organisation, StagedDocument
from hia_service.extensions import db
from hia_service.services.backup.files import StagedDocuments
from hia_service.services.documents.storage import LocalFolder, StorageFullError
from tests.integration.backup.conftest import fresh_app, target_kinds, trusting


@pytest.fixture(params=target_kinds())
def target(request: pytest.FixtureRequest, tmp_path: Path, source_p12: Path) -> Iterator[Flask]:
    """An empty service on each database the suite runs against (the staged moves are committed with the
    records, so PostgreSQL's transactions are tested too), trusting the source service's certificate."""
    with fresh_app(request.param, tmp_path / "target", **trusting(source_p12)) as fresh:
        yield fresh


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no `except Exception` sees it."""


def import_(app: Flask, path: Path, *extra: str) -> Any:
    return app.test_cli_runner().invoke(import_command, [str(path), *extra])


def documents(app: Flask) -> Path:
    return Path(app.config["HIA_DATA_DIR"]) / "documents" / "RXA"


def stopped_after_commit(target: Flask, archive: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Import with the process 'killed' just after the commit; returns how many PDFs the archive holds."""

    def killed(self: StagedDocuments) -> None:
        raise Killed

    with monkeypatch.context() as patched, pytest.raises(Killed):
        patched.setattr(StagedDocuments, "finish", killed)
        import_(target, archive)
    with target.app_context():
        assert db.session.scalar(select(Organisation.id).where(Organisation.code == "RXA")) is not None
        noted = list(db.session.scalars(select(StagedDocument)))
    assert noted and not list(documents(target).glob("*.pdf"))  # committed; nothing in place yet
    assert sorted(p.name for p in documents(target).glob(".*.import")) == sorted(
        row.staged_key.rpartition("/")[2] for row in noted
    )
    return len(noted)


def signed_versions(target: Flask) -> list[AssessmentVersion]:
    """RXA's signed versions (not those of an organisation set aside by --replace)."""
    query = (
        select(AssessmentVersion)
        .join(Assessment, AssessmentVersion.assessment_id == Assessment.id)
        .join(Organisation, Assessment.organisation_id == Organisation.id)
        .where(Organisation.code == "RXA", AssessmentVersion.pdf_sha256.is_not(None))
    )
    return list(db.session.scalars(query))


def all_in_place(target: Flask, count: int) -> None:
    from hia_service.services.documents.records import version_pdf

    assert len(list(documents(target).glob("*.pdf"))) == count
    assert not list(documents(target).glob(".*.import"))
    with target.app_context():
        assert not list(db.session.scalars(select(StagedDocument)))
        signed = signed_versions(target)
        assert len(signed) == count
        for version in signed:  # each is the very file the archive recorded
            assert hashlib.sha256(version_pdf(version)).hexdigest() == version.pdf_sha256


def test_the_next_import_moves_the_stopped_imports_pdfs_into_place_and_says_so(
    archive: Path, target: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = stopped_after_commit(target, archive, monkeypatch)
    again = import_(target, archive)  # refused (RXA is there now), but the PDFs are moved first
    assert again.exit_code == 1 and "already exists" in again.output
    assert again.output.splitlines()[0] == (
        f"Moved {count} signed PDF(s) of an earlier import that stopped part way into place."
    )
    all_in_place(target, count)
    assert "Moved" not in import_(target, archive).output  # nothing left to move: nothing said


def test_asking_for_a_pdf_moves_it_into_place(
    archive: Path, target: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that stays up while `hia import` is killed beside it still gives out the signed records."""
    from hia_service.services.documents.records import version_pdf

    count = stopped_after_commit(target, archive, monkeypatch)
    with target.app_context():
        first = signed_versions(target)[0]
        assert hashlib.sha256(version_pdf(first)).hexdigest() == first.pdf_sha256
        db.session.commit()  # as the request does
        assert len(list(db.session.scalars(select(StagedDocument)))) == count - 1  # only the one asked for
    assert len(list(documents(target).glob("*.pdf"))) == 1
    with target.app_context():
        for version in signed_versions(target):
            version_pdf(version)
        db.session.commit()
    all_in_place(target, count)


def test_a_server_process_starting_moves_them_into_place(
    archive: Path, target: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service import server

    count = stopped_after_commit(target, archive, monkeypatch)
    monkeypatch.setattr(server, "_freeze_what_is_loaded", lambda: None)  # the test process goes on
    server.prepare_worker(target)
    server.finish_worker(target)
    all_in_place(target, count)


def test_a_store_failing_after_the_commit_keeps_the_pdfs_aside_until_it_works(
    archive: Path, target: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: LocalFolder, source: str, target_key: str) -> None:
        raise StorageFullError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(LocalFolder, "move", refuse)
        result = import_(target, archive)
    assert result.exit_code == 1
    assert "could not yet be moved into place" in result.output and "They are kept aside" in result.output
    assert not list(documents(target).glob("*.pdf")) and list(documents(target).glob(".*.import"))
    again = import_(target, archive)
    assert "signed PDF(s) of an earlier import that stopped part way into place" in again.output
    with target.app_context():
        count = len(signed_versions(target))
    all_in_place(target, count)


def test_a_replace_stopped_after_its_commit_loses_no_pdf(
    archive: Path, target: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The organisation set aside keeps its own PDFs (copied before the commit); the archive's come later."""
    assert import_(target, archive).exit_code == 0
    before = {p.name: p.read_bytes() for p in documents(target).glob("*.pdf")}

    def killed(self: StagedDocuments) -> None:
        raise Killed

    with monkeypatch.context() as patched, pytest.raises(Killed):
        patched.setattr(StagedDocuments, "finish", killed)
        import_(target, archive, "--replace")
    aside = documents(target).parent / "RXA-R1"
    assert {p.name: p.read_bytes() for p in aside.glob("*.pdf")} == before
    assert "into place" in import_(target, archive).output
    all_in_place(target, len(before))
