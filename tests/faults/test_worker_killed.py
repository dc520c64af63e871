"""A gunicorn worker killed (SIGKILL) in the middle of saving answers leaves no partial write: the answers and
their audit event are written together or not at all.

To catch the save mid-way, the test holds the audit chain's lock (the advisory lock record_audit_event()
takes), so the request stops after it has written the new answers and before it writes the audit event; we
check PostgreSQL shows that transaction waiting, with writes made, then kill the worker."""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import psycopg

from tests.faults.conftest import DATABASE, Browser, Service, admin_url, query, wait_until_serving
from tests.faults.test_postgres_restart import PROPOSAL

AUDIT_CHAIN_LOCK = 724119  # hia_service/data/audit.py _serialise_writers()


def test_a_worker_killed_mid_save_leaves_no_partial_write(service: Service) -> None:
    person = Browser(service.base)
    person.sign_in()
    status, _, location = person.post("/assessments/new", {"title": "Killed mid-save"})
    assert status == 302
    assessment = int(re.search(r"/assessments/(\d+)", location)[1])
    before = _state(assessment)

    answers = {**PROPOSAL, "proposal.title": "Killed mid-save", "proposal.summary": "Half a save"}
    outcome: list[object] = []
    with psycopg.connect(admin_url(DATABASE), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [AUDIT_CHAIN_LOCK])
        fields = person.form(f"/assessments/{assessment}/proposal")
        saving = threading.Thread(target=_post, args=(person, assessment, {**fields, **answers}, outcome))
        saving.start()
        backend = _wait_for_blocked_save()
        assert backend["wrote"], "the save should have written its answers before waiting for the audit lock"
        workers = service.workers()
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        saving.join(timeout=30)
        holder.execute("SELECT pg_advisory_unlock(%s)", [AUDIT_CHAIN_LOCK])
    _wait_until_gone(backend["pid"])

    assert outcome and isinstance(outcome[0], OSError), (
        f"the save was answered: {outcome}"
    )  # not acknowledged
    assert _state(assessment) == before  # neither the answers nor an audit event
    wait_until_serving(service)  # gunicorn started a new worker
    assert len(service.workers()) == 1 and service.workers() != workers

    status, _, _ = person.post(f"/assessments/{assessment}/proposal", answers)  # the same save, not killed
    assert status == 302
    after = _state(assessment)
    assert after["summary"] == "Half a save" and after["audit_events"] == before["audit_events"] + 1


def _post(person: Browser, assessment: int, form: dict[str, str], outcome: list[object]) -> None:
    try:
        outcome.append(person.request(f"/assessments/{assessment}/proposal", form, timeout=60)[0])
    except OSError as error:  # the connection dropped when the worker died
        outcome.append(error)


def _state(assessment: int) -> dict[str, object]:
    [(summary, lock_version)] = query(
        "SELECT answers->>'proposal.summary', lock_version FROM assessments WHERE id = %s", assessment
    )
    [(events,)] = query(
        "SELECT count(*) FROM audit_events WHERE subject_type = 'assessment' AND subject_id = %s",
        str(assessment),
    )
    return {"summary": summary, "lock_version": lock_version, "audit_events": events}


def _wait_for_blocked_save(timeout: float = 30) -> dict[str, object]:
    """The app's transaction waiting on the audit lock; `wrote` is true once it has written rows (it has
    a transaction id only then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = query(
            "SELECT pid, backend_xid IS NOT NULL FROM pg_stat_activity WHERE datname = 'hia_faults' "
            "AND wait_event_type = 'Lock' AND query LIKE '%%pg_advisory_xact_lock%%'"
        )
        if rows:
            return {"pid": rows[0][0], "wrote": rows[0][1]}
        time.sleep(0.05)
    raise AssertionError("the save never reached the audit lock")


def _wait_until_gone(pid: int, timeout: float = 30) -> None:
    """PostgreSQL notices the dead client and rolls its transaction back."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not query("SELECT 1 FROM pg_stat_activity WHERE pid = %s", pid):
            return
        time.sleep(0.1)
    raise AssertionError("the killed worker's database session is still there")
