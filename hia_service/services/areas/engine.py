"""The geography engine for this process: loaded from the current snapshot (by a server before its first
request, see hia_service/server.py; otherwise on first use) and reloaded when the snapshot changes."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app

from hia_service.data.status import current_reference_checksum
from hia_service.geography import ReferenceDataNotLoadedError, current_snapshot_id, load_engine
from hia_service.services.errors import ServiceUnavailableError

if TYPE_CHECKING:
    from hia_service.domain.geography.engine import GeographyEngine

RECHECK_SECONDS = 5.0
_lock = threading.Lock()
_state: dict[str, Any] = {"engine": None, "snapshot": None, "checked": 0.0, "dir": None, "configured": None}


def engine() -> GeographyEngine:
    """The engine for the current reference snapshot; ReferenceDataNotLoadedError if none is loaded."""
    configured = current_app.config["HIA_DATA_DIR"]
    now = time.monotonic()
    with _lock:
        # The common case first: a page can ask hundreds of times (a cumulative view asks per assessment),
        # and building a Path each time cost a page 10 ms.
        loaded = _state["engine"]
        if (
            loaded is not None
            and _state["configured"] == configured
            and now - _state["checked"] <= RECHECK_SECONDS
        ):
            return loaded
        data_dir = Path(configured)
        # Nothing loaded yet: look every time (a cheap file read), so data just loaded is used at once.
        recheck = _state["engine"] is None or now - _state["checked"] > RECHECK_SECONDS
        stale = _state["dir"] != data_dir or recheck
        if stale:
            snapshot = current_snapshot_id(data_dir)
            if snapshot != _state["snapshot"] or _state["dir"] != data_dir:
                loaded = load_engine(data_dir) if snapshot else None
                if loaded is not None:
                    loaded.keep_profiles(int(current_app.config.get("HIA_AREAS_KEPT", loaded.areas_kept)))
                _state.update(engine=loaded, snapshot=snapshot)
            _state.update(checked=now, dir=data_dir)
        _state["configured"] = configured  # the same folder as _state["dir"], as configured
        loaded = _state["engine"]
    if loaded is None:
        raise ReferenceDataNotLoadedError(
            "No reference data is loaded yet. An administrator needs to run 'hia reference load'."
        )
    return loaded


def loaded_engine() -> GeographyEngine:
    """engine(), for a page: no reference data loaded is a 503 with the reason, not an error page."""
    try:
        return engine()
    except ReferenceDataNotLoadedError as error:
        raise ServiceUnavailableError(str(error)) from None


def reference_checksum() -> str | None:
    return current_reference_checksum()


def prepare() -> bool:
    """Load the engine now and build what its first profiles would otherwise build on the way, in this
    thread; False when no reference data is loaded yet (then the first profile will say so, as ever)."""
    from hia_service.domain.geography.shapes import prepare_transformers  # pyproj: only when warming up

    try:
        loaded = engine()
    except ReferenceDataNotLoadedError:
        prepare_transformers()
        return False
    loaded.prepare()
    return True


def prepare_thread() -> None:
    """What each thread that serves requests would otherwise build on its first profile: its own PROJ
    objects for the grid transformations (the engine itself is shared by every thread, read-only)."""
    from hia_service.domain.geography.shapes import prepare_transformers

    prepare_transformers()
