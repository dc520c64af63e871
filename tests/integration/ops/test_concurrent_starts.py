"""People in one organisation starting assessments at the same moment each get their own reference (the
load test found two requests reading the same highest reference, and one failing)."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask


def test_simultaneous_starts_get_distinct_references(app: Flask, make_user: Any) -> None:
    from hia_service.data.accounts import get_user
    from hia_service.data.transaction import commit, finish
    from hia_service.services.assessments.authoring import start_assessment

    people = [make_user("manager", "RXA") for _ in range(8)]
    start = threading.Barrier(len(people))
    references: list[str] = []
    failures: list[BaseException] = []

    def begin(person: dict[str, Any]) -> None:
        with app.app_context():
            try:
                user = get_user(person["id"])
                start.wait(timeout=30)
                references.append(start_assessment(user, "Open a Saturday clinic").reference)
                commit()
            except BaseException as error:  # reported below, with the others
                failures.append(error)
            finally:
                finish()

    threads = [threading.Thread(target=begin, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(references) == len(people) == len(set(references))
