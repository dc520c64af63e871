"""What the health check reports: one part per thing the service needs, each with its own status.

Only an unreachable database makes the whole service unhealthy (503): without Redis, a worker or a
certificate, pages still serve and saves still land, so those parts say "degraded" with a 200.
"""

from __future__ import annotations

from typing import Any

from hia_service import __version__
from hia_service.data.accounts import database_reachable
from hia_service.data.status import current_reference_checksum, current_reference_releases
from hia_service.services.documents import queue
from hia_service.services.documents.records import signing_health


def health() -> dict[str, Any]:
    db_ok = database_reachable()
    releases = current_reference_releases() if db_ok else []
    parts = {
        "queue": queue.health(),
        "signing": signing_health(database_reachable=db_ok),
    }
    degraded = [name for name, part in parts.items() if part["status"] != "ok"]
    if db_ok and not releases:
        degraded.append("reference_data")
    return {
        "status": "error" if not db_ok else "degraded" if degraded else "ok",
        "version": __version__,
        "database": "reachable" if db_ok else "unreachable",
        "degraded": degraded,
        "reference_data": {
            "loaded": bool(releases),
            "releases": releases,
            "checksum": current_reference_checksum() if releases else None,
        },
        **parts,
    }
