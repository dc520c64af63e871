"""Two reviewers acting on the same assessment at the same moment: real concurrent transactions (two threads,
two sessions, a barrier just before the first write) on SQLite and, when HIA_TEST_POSTGRES_URL is set,
PostgreSQL. One succeeds; the other is told clearly; nothing is written twice or half-written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from hia_service.data import assessments as assessment_store
from hia_service.data import followup as followup_store
from hia_service.data.assessments import ConcurrentChangeError
from hia_service.data.audit import verify_audit_log
from hia_service.data.transaction import commit
from hia_service.extensions import db
from hia_service.services.errors import ServiceError
from hia_service.services.review import decisions as review
from hia_service.services.review import followup
from tests.integration.review.conftest import acting_as

Action = Callable[[Any], Any]


def race(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    writer: str,
    contenders: dict[str, tuple[dict, Action]],
) -> dict[str, Any]:
    """Run each contender in its own thread and session; all have read the record before any writes."""
    barrier = threading.Barrier(len(contenders), timeout=15)
    real_write = getattr(module, writer)

    def write_when_everyone_has_read(*args: Any, **kwargs: Any) -> Any:
        barrier.wait()
        try:
            return real_write(*args, **kwargs)
        except ConcurrentChangeError:
            outcomes.setdefault("stale writes", 0)
            outcomes["stale writes"] += 1  # the database, not a read-time check, refused the loser
            raise

    outcomes: dict[str, Any] = {}
    monkeypatch.setattr(module, writer, write_when_everyone_has_read)

    def contender(name: str, person: dict, action: Action) -> None:
        with acting_as(app, person) as user:
            try:
                action(user)
                commit()
                outcomes[name] = "succeeded"
            except ServiceError as error:
                db.session.rollback()
                outcomes[name] = error
            except Exception as error:  # reported below rather than lost in the thread
                db.session.rollback()
                outcomes[name] = error

    threads = [threading.Thread(target=contender, args=(n, p, a)) for n, (p, a) in contenders.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    monkeypatch.setattr(module, writer, real_write)
    assert outcomes.pop("stale writes", 0) == len(contenders) - 1, outcomes
    return outcomes


def one_winner(outcomes: dict[str, Any]) -> tuple[str, ServiceError]:
    winners = [name for name, outcome in outcomes.items() if outcome == "succeeded"]
    losers = [outcome for outcome in outcomes.values() if outcome != "succeeded"]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], review.ChangedSinceOpenedError), repr(losers[0])
    return winners[0], losers[0]


def test_two_reviewers_approve_at_once_and_exactly_one_approval_is_written(
    app: Flask,
    backend: str,
    world: Any,
    make_assessment: Any,
    lock_of: Any,
    snapshot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assessment_id = make_assessment(world["manager"])
    opened_at = lock_of(assessment_id)
    approve: Action = lambda user: review.approve(user, assessment_id, opened_at)  # noqa: E731
    outcomes = race(
        app,
        monkeypatch,
        assessment_store,
        "save_assessment",
        {"first": (world["reviewer"], approve), "second": (world["reviewer2"], approve)},
    )
    winner, loser = one_winner(outcomes)
    winner_name = world["reviewer" if winner == "first" else "reviewer2"]["name"]
    assert f"{winner_name} changed this assessment" in loser.message
    assert "It is now 'approved'" in loser.message and "Nothing you did has been saved" in loser.message
    state = snapshot(assessment_id)
    assert state["status"] == "approved" and state["versions"] == [(1, "approved")]
    assert state["events"] == ["submit", "approve"]
    assert state["items"] == 3  # the action plan was copied once, not twice
    with app.app_context():
        count, problems = verify_audit_log()
        assert problems == [] and count == state["audit"]


def test_a_return_and_an_approval_at_once_leave_one_consistent_outcome(
    app: Flask,
    backend: str,
    world: Any,
    make_assessment: Any,
    lock_of: Any,
    snapshot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assessment_id = make_assessment(world["manager"])
    opened_at = lock_of(assessment_id)
    outcomes = race(
        app,
        monkeypatch,
        assessment_store,
        "save_assessment",
        {
            "return": (
                world["reviewer"],
                lambda u: review.return_to_author(u, assessment_id, "Redo it", opened_at),
            ),
            "approve": (world["reviewer2"], lambda u: review.approve(u, assessment_id, opened_at)),
        },
    )
    winner, _ = one_winner(outcomes)
    state = snapshot(assessment_id)
    if winner == "return":
        assert (
            state["status"] == "returned" and state["versions"] == [(1, "returned")] and state["items"] == 0
        )
        assert state["events"] == ["submit", "return"]
    else:
        assert (
            state["status"] == "approved" and state["versions"] == [(1, "approved")] and state["items"] == 3
        )
        assert state["events"] == ["submit", "approve"]


def test_two_people_marking_the_same_action_done_at_once(
    app: Flask,
    backend: str,
    world: Any,
    make_assessment: Any,
    act: Any,
    lock_of: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hia_service.data.models import ActionItem

    assessment_id = make_assessment(world["manager"])  # the manager wrote it and owns the first action
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    with app.app_context():
        item = db.session.query(ActionItem).filter_by(assessment_id=assessment_id, position=1).one()
        item_id, opened_at = item.id, item.lock_version
    outcomes = race(
        app,
        monkeypatch,
        followup_store,
        "complete_item",
        {
            "author": (
                world["manager"],
                lambda u: followup.complete(u, item_id, "Done by the author", opened_at),
            ),
            "again": (world["manager"], lambda u: followup.complete(u, item_id, "Done twice?", opened_at)),
        },
    )
    assert sorted(o if o == "succeeded" else "refused" for o in outcomes.values()) == ["refused", "succeeded"]
    loser = next(o for o in outcomes.values() if o != "succeeded")
    assert "at the same moment" in loser.message
    with app.app_context():
        item = db.session.get(ActionItem, item_id)
        assert item.status == "done" and item.completion_note in ("Done by the author", "Done twice?")
        assert item.lock_version == opened_at + 1


def test_the_same_assessment_submitted_twice_at_once_makes_one_version(
    app: Flask,
    backend: str,
    world: Any,
    make_assessment: Any,
    snapshot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two tabs (or a tab and a script) submitting at the same moment: one version, and the other is told it
    was submitted elsewhere (a 409), not "a problem with the service"."""
    from hia_service.services.assessments import authoring
    from tests.integration.review.conftest import missing_required

    author = world["manager"]
    assessment_id = make_assessment(author, submit=False)
    with acting_as(app, author) as user:
        rest = missing_required(authoring.assessment_for(user, assessment_id))
        assert authoring.save_page(user, assessment_id, list(rest), rest, None).saved
        commit()
    submit: Action = lambda user: authoring.submit_for_review(user, assessment_id)  # noqa: E731
    outcomes = race(
        app,
        monkeypatch,
        assessment_store,
        "save_assessment",
        {"tab": (author, submit), "script": (author, submit)},
    )
    _, loser = one_winner(outcomes)
    assert loser.status == 409 and "submitted at the same moment" in loser.message
    state = snapshot(assessment_id)
    assert state["status"] == "submitted" and state["versions"] == [(1, "submitted")]
    assert state["events"] == ["submit"]
