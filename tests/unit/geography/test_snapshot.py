"""Snapshots: deterministic ids, atomic switching, nothing to load before the first load, and what a load
killed part way leaves behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hia_service.reference.errors import ReferenceDataError
from hia_service.reference.loader import load_reference
from hia_service.reference.manifest import Manifest
from hia_service.reference.snapshot import (
    activate,
    current_snapshot_id,
    install,
    is_complete,
    load_engine,
    remove_abandoned_builds,
    snapshot_id_for,
)
from tests.unit.geography.conftest import tiny_built
from tests.unit.geography.test_reference_checks import spec


def test_snapshot_id_depends_on_the_files_not_their_order() -> None:
    first = snapshot_id_for({"a": "1" * 64, "b": "2" * 64})
    assert first == snapshot_id_for({"b": "2" * 64, "a": "1" * 64})
    assert first != snapshot_id_for({"a": "1" * 64, "b": "3" * 64})
    assert first.startswith("ref-")


def test_nothing_loaded_means_no_engine(tmp_path: Path) -> None:
    assert load_engine(tmp_path) is None
    assert current_snapshot_id(tmp_path) is None


def test_install_then_activate_switches_current(tmp_path: Path) -> None:
    path = install(tiny_built(), tmp_path, "ref-one", {"attribution": "", "datasets": []})
    assert is_complete(tmp_path, "ref-one") and path.name == "ref-one"
    assert not list(path.parent.glob(".building-*"))
    assert current_snapshot_id(tmp_path) is None  # installed is not yet current
    activate(tmp_path, "ref-one")
    assert current_snapshot_id(tmp_path) == "ref-one"
    engine = load_engine(tmp_path)
    assert engine is not None and engine.snapshot_id == "ref-one"
    assert install(tiny_built(), tmp_path, "ref-one", {}) == path  # already there: nothing rebuilt


def test_an_incomplete_snapshot_cannot_become_current(tmp_path: Path) -> None:
    (tmp_path / "reference" / "snapshots" / "ref-half").mkdir(parents=True)
    with pytest.raises(FileNotFoundError):
        activate(tmp_path, "ref-half")
    assert current_snapshot_id(tmp_path) is None


STUCK_WRITER = """
import sys, time
from pathlib import Path
from hia_service.reference import snapshot

def stuck(built, root):
    (root / "geo").mkdir(parents=True)
    print("writing", flush=True)
    time.sleep(120)

snapshot._write = stuck
snapshot.install(None, Path(sys.argv[1]), "ref-killed", {})
"""


def test_a_load_killed_mid_write_leaves_a_folder_that_the_next_load_removes(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", STUCK_WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        writer.send_signal(signal.SIGKILL)  # no `finally` runs: as when the machine goes down
        writer.wait(timeout=30)
    left = tmp_path / "reference" / "snapshots" / f".building-ref-killed-{writer.pid}"
    assert left.is_dir()
    live = tmp_path / "reference" / "snapshots" / f".building-ref-live-{os.getppid()}"
    (live / "geo").mkdir(parents=True)  # a load another process is writing now
    own = tmp_path / "reference" / "snapshots" / f".building-ref-own-{os.getpid()}"
    own.mkdir()
    assert remove_abandoned_builds(tmp_path) == [left.name]
    assert not left.exists() and live.is_dir() and own.is_dir()
    assert remove_abandoned_builds(tmp_path) == []


def test_with_nothing_loaded_there_is_nothing_to_remove(tmp_path: Path) -> None:
    assert remove_abandoned_builds(tmp_path) == []


def test_a_load_says_in_one_line_what_it_removed_even_when_its_files_are_refused(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    gone = tmp_path / "reference" / "snapshots" / f".building-ref-old-{int(finished.stdout)}"
    (gone / "postcodes").mkdir(parents=True)
    (gone / "postcodes" / "keys.npy").write_bytes(b"half")
    said: list[str] = []
    with pytest.raises(ReferenceDataError):  # the source folder is empty: every file is missing
        load_reference(tmp_path / "empty", tmp_path, manifest=Manifest("", (spec(),)), notice=said.append)
    assert said == [
        "Removed 1 unfinished snapshot folder(s) left by a reference load that stopped part way: "
        f"{gone.name}."
    ]
    assert not gone.exists()
