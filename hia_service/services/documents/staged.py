"""Files written to document storage under a temporary key before a transaction commits, and moved to their
final key after it (an import's signed PDFs: see services/backup/files.py).

Use cases: stage() writes a file aside and notes it in the caller's transaction; move_into_place() moves
every noted file whose transaction committed, then forgets it. A process stopped between the commit and
the moves (killed, the machine down, the store unreachable) leaves the note, so the moves are finished
later: by the next `hia import`, when a server process starts, or when someone asks for one of the files.
A file is never moved before its records are committed, and never forgotten until it is in place.
"""

from __future__ import annotations

import logging

from hia_service.data import documents as store
from hia_service.services.documents.storage import DocumentStorage, StorageError, document_storage

log = logging.getLogger("hia_service.storage")


def staged_key(final: str, token: str) -> str:
    """Beside the final key, hidden and named by the transaction's token, so it is never served."""
    folder, _, name = final.rpartition("/")
    return f"{folder}/.{name}.{token}.import" if folder else f".{name}.{token}.import"


def stage(storage: DocumentStorage, final: str, data: bytes, token: str) -> str:
    """Write `data` aside and note it in the caller's transaction; returns the key it was written to."""
    temp = staged_key(final, token)
    storage.write(temp, data)
    store.note_staged_document(temp, final)
    return temp


def move_into_place(final_key: str | None = None, storage: DocumentStorage | None = None) -> int:
    """Move every committed staged file (or the one for `final_key`) to its final key and forget it; the
    caller commits. Returns how many were moved. Safe to run again, or in several processes at once: a
    file another process has moved already is only forgotten. Raises StorageError when the store fails
    (what was not moved stays noted)."""
    storage = storage or document_storage()
    moved = 0
    for row in store.staged_documents(final_key):
        if _move(storage, row.staged_key, row.final_key):
            moved += 1
        elif not storage.exists(row.final_key):
            log.error(
                "A staged file is missing and was never moved into place",
                extra={"fields": {"staged": row.staged_key, "final": row.final_key}},
            )
            continue  # kept noted: someone must look, and nothing is lost by keeping the row
        store.forget_staged_document(row.id)
    if moved:
        log.info("Moved staged files into place", extra={"fields": {"moved": moved, "key": final_key}})
    return moved


def _move(storage: DocumentStorage, staged: str, final: str) -> bool:
    """True when this call moved the file; False when it was not there to move (already moved)."""
    if not storage.exists(staged):
        return False
    try:
        storage.move(staged, final)
    except StorageError:
        if storage.exists(staged) or not storage.exists(final):
            raise
        return False  # another process moved it between our look and our move
    return True
