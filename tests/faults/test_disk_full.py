"""A full disk while the signed PDF is written: the reviewer sees a clear message, the approval is not
recorded, and no partial file is left. The disk is really full: a 64 KB tmpfs mounted over the
organisation's documents folder, filled but for 8 KB (only where mounting is not permitted does the test
fall back to making the write fail with ENOSPC)."""

from __future__ import annotations

import errno
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.ops.conftest import version_of


@pytest.fixture
def full_disk(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = Path(app.config["HIA_DATA_DIR"]) / "documents" / "RXA"
    folder.mkdir(parents=True, exist_ok=True)
    mount = ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "hia-full-disk", str(folder)]
    mounted = subprocess.run(mount, check=False, capture_output=True).returncode == 0
    if mounted:
        (folder / "filler").write_bytes(b"\0" * (56 * 1024))
    else:  # no permission to mount here: the same failure, injected at the write
        real_fsync = os.fsync

        def no_space(fd: int) -> None:  # about 8 KB free, as on the mounted disk
            if os.fstat(fd).st_size > 8 * 1024:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", no_space)
    try:
        yield folder
    finally:
        monkeypatch.undo()
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_stops_the_approval_with_a_clear_message(
    app: Flask,
    client: FlaskClient,
    world: Any,
    make_assessment: Any,
    act: Any,
    login: Any,
    full_disk: Path,
) -> None:
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    before = sorted(path.name for path in full_disk.iterdir())
    login(world["reviewer"])
    page = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    lock = re.search(r'name="lock_version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="lock_version"', page
    )
    form = {"csrf_token": csrf_token_from(page), "lock_version": lock[1] if lock else ""}

    response = client.post(f"/review/{assessment_id}/approve", data=form)

    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "The PDF could not be saved, so the assessment has not been approved" in text
    assert "the server may be out of disk space" in text
    version = version_of(app, assessment_id)
    assert (version["status"], version["pdf_sha256"]) == ("submitted", None)
    assert sorted(path.name for path in full_disk.iterdir()) == before  # no PDF, no half-written temp file


def test_storage_writes_all_or_nothing_on_a_full_disk(app: Flask, full_disk: Path) -> None:
    from hia_service.services.documents.storage import StorageFullError, document_storage

    with app.app_context():
        store = document_storage()
        with pytest.raises(StorageFullError, match="out of disk space"):
            store.write("documents/RXA/too-big.pdf", b"%PDF-" + os.urandom(200 * 1024))
        assert not store.exists("documents/RXA/too-big.pdf")
        store.write("documents/RXA/small.pdf", b"%PDF-1.7 small")  # what fits is written whole
        assert store.read("documents/RXA/small.pdf") == b"%PDF-1.7 small"
        (full_disk / "small.pdf").unlink()
    assert not [path for path in full_disk.iterdir() if path.name.endswith(".tmp")]
