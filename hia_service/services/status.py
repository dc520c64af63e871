"""What the health check reports."""

from __future__ import annotations

from typing import Any

from hia_service import __version__
from hia_service.data.accounts import database_reachable
from hia_service.data.status import current_reference_releases


def health() -> dict[str, Any]:
    db_ok = database_reachable()
    releases = current_reference_releases() if db_ok else []
    return {
        "status": "ok" if db_ok else "error",
        "version": __version__,
        "database": "reachable" if db_ok else "unreachable",
        "reference_data": {"loaded": bool(releases), "releases": releases},
    }
