"""Snapshots: deterministic ids, atomic switching, and nothing to load before the first load."""

from __future__ import annotations

from pathlib import Path

import pytest

from hia_service.reference.snapshot import (
    activate,
    current_snapshot_id,
    install,
    is_complete,
    load_engine,
    snapshot_id_for,
)
from tests.unit.geography.conftest import tiny_built


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
