"""PostgreSQL restarted, and stopped for a while, in the middle of people saving: the service recovers by
itself, shows a clear "try again" page (503) while the database is down, never a crash page, and every save
it confirmed (a redirect after POST) is in the database afterwards."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from tests.faults.conftest import Browser, PageError, Service, ctl, query

TRY_AGAIN = "Sorry, there is a problem \u2013 try again"


@dataclass
class Saver:
    """Keeps starting assessments and saving an answer on each, recording what the service confirmed."""

    service: Service
    confirmed: list[tuple[int, str]] = field(default_factory=list)  # (assessment id, summary saved)
    statuses: list[int] = field(default_factory=list)
    odd: list[str] = field(default_factory=list)  # pages of any other answer, for the failure message
    stop: threading.Event = field(default_factory=threading.Event)
    running: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.browser = Browser(self.service.base)
        self.browser.sign_in()

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            if not self.running.wait(timeout=0.1):
                continue
            number += 1
            try:
                self.save_one(self.browser, f"{threading.get_ident()}-{number}")
            except OSError:  # the connection to the service dropped: never expected here
                self.statuses.append(0)

    def save_one(self, browser: Browser, label: str) -> None:
        try:
            status, page, location = browser.post("/assessments/new", {"title": f"Fault test {label}"})
            self.statuses.append(status)
            if status not in (302, 503):
                self.odd.append(page)
            if status != 302:
                return
            assessment = int(re.search(r"/assessments/(\d+)", location)[1])
            summary = f"Saved during the fault test ({label})"
            answers = {**PROPOSAL, "proposal.title": f"Fault test {label}", "proposal.summary": summary}
            status, page, _ = browser.post(f"/assessments/{assessment}/proposal", answers)
            self.statuses.append(status)
            if status not in (302, 503):
                self.odd.append(page)
            if status == 302:
                self.confirmed.append((assessment, summary))
        except PageError as error:  # the form itself could not be loaded
            self.statuses.append(error.status)
            if error.status != 503:
                self.odd.append(error.page)


PROPOSAL = {
    "proposal.kind": "service_change",
    "proposal.changes_access": "yes",
    "proposal.scope": "local",
    "proposal.outcomes": "Shorter journeys",
    "proposal.decision_forum": "Board",
    "proposal.decision_date-day": "1",
    "proposal.decision_date-month": "6",
    "proposal.decision_date-year": "2027",
    "proposal.lead": "Sam Lead",
    "proposal.directorate": "Community",
}


def test_restart_and_outage_lose_no_confirmed_save(service: Service) -> None:
    savers = [Saver(service) for _ in range(3)]
    threads = [threading.Thread(target=saver.run, daemon=True) for saver in savers]
    for saver, thread in zip(savers, threads, strict=True):
        saver.running.set()
        thread.start()
    try:
        time.sleep(2)
        ctl("restart")  # in the middle of the saves
        time.sleep(2)

        for saver in savers:  # quiet, so the next request is the first since the restart
            saver.running.clear()
        time.sleep(1)
        ctl("restart")
        person = Browser(service.base)
        person.sign_in()  # the first request after a restart works: stale pooled connections are replaced
        assert person.request("/assessments/")[0] == 200

        for saver in savers:
            saver.running.set()
        ctl("stop")  # a longer outage
        time.sleep(2)
        status, page, _ = person.request("/assessments/")
        assert status == 503
        assert TRY_AGAIN in page and "Everything that was confirmed as saved is safe" in page
        health_status, health, _ = Browser(service.base).request("/healthz")  # as a load balancer asks
        assert health_status == 503 and '"database":"unreachable"' in health.replace(" ", "")
        ctl("start")
        time.sleep(3)
    finally:
        for saver in savers:
            saver.stop.set()
            saver.running.set()
        for thread in threads:
            thread.join(timeout=60)

    statuses = [status for saver in savers for status in saver.statuses]
    confirmed = [pair for saver in savers for pair in saver.confirmed]
    odd = [page for saver in savers for page in saver.odd]
    assert set(statuses) <= {302, 503}, f"unexpected answers: {sorted(set(statuses))}: {odd[:1]}"  # never 500
    assert 503 in statuses, "the outage was never seen: the test proved nothing"
    assert len(confirmed) > 10
    assert person.request("/assessments/")[0] == 200  # recovered by itself
    stored = dict(
        query(
            "SELECT id, answers->>'proposal.summary' FROM assessments WHERE id = ANY(%s)",
            [assessment for assessment, _ in confirmed],
        )
    )
    lost = [(assessment, summary) for assessment, summary in confirmed if stored.get(assessment) != summary]
    assert lost == []
