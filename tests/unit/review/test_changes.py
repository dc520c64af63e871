"""What changed after a return: answer-level differences, rows added to and removed from tables, and whether
each comment's section changed since."""

from __future__ import annotations

from dataclasses import dataclass

from hia_service.domain.rules import load_framework
from hia_service.services.review.changes import CHANGED, NOT_CHANGED, changes_since
from hia_service.services.review.feedback import GENERAL_SECTION

FRAMEWORK = load_framework("1.2")
KEEP = {"action": "Keep a morning walk-in session", "owner": "A Patel", "due": "2026-05-01", "measure": ""}
WRITE = {"action": "Write to every patient", "owner": "B Khan", "due": "2026-06-01", "measure": ""}
VISIT = {"action": "Offer home visits", "owner": "C Jones", "due": "2026-07-01", "measure": "Visits made"}
RETURNED = {
    "proposal.directorate": "Community services",
    "pc.disability.impact": "neutral",
    "engagement.done": "no",
    "engagement.not_proportionate": "An internal change.",
    "actions.plan": [KEEP, WRITE],
}


@dataclass(frozen=True)
class Note:
    section_id: str

    @property
    def general(self) -> bool:
        return self.section_id == GENERAL_SECTION


def test_each_changed_answer_has_its_section_question_before_and_after() -> None:
    after = {**RETURNED, "pc.disability.impact": "negative", "proposal.directorate": "Estates"}
    changes = changes_since((FRAMEWORK, RETURNED), (FRAMEWORK, after), [])
    summary = [
        (d.section_id, d.label, d.kind, d.before and d.before.text, d.after and d.after.text)
        for d in changes.differences
    ]
    assert summary == [
        ("proposal", "Which directorate or team is it from?", "Changed", "Community services", "Estates"),
        ("pc", "Disability: what is the likely impact?", "Changed", "Neutral", "Negative"),
    ]
    assert changes.changed_sections == {"proposal", "pc"}


def test_a_table_shows_only_the_rows_added_and_removed() -> None:
    after = {**RETURNED, "actions.plan": [KEEP, VISIT]}  # the letter dropped, home visits added
    (plan,) = changes_since((FRAMEWORK, RETURNED), (FRAMEWORK, after), []).differences
    assert plan.kind == "Changed" and plan.columns == (
        "Action",
        "Which harm does it answer?",
        "Owner",
        "Due date",
        "Measure of success",
    )
    assert plan.removed_rows == (("Write to every patient", "", "B Khan", "1 June 2026", ""),)
    assert plan.added_rows == (("Offer home visits", "", "C Jones", "1 July 2026", "Visits made"),)
    assert plan.unchanged_rows == 1


def test_a_row_edited_in_place_reads_as_one_removed_and_one_added() -> None:
    after = {**RETURNED, "actions.plan": [KEEP, {**WRITE, "due": "2026-09-01"}]}
    (plan,) = changes_since((FRAMEWORK, RETURNED), (FRAMEWORK, after), []).differences
    assert [row[3] for row in plan.removed_rows] == ["1 June 2026"]
    assert [row[3] for row in plan.added_rows] == ["1 September 2026"]


def test_rows_only_reordered_or_repeated_are_matched_one_for_one() -> None:
    reordered = changes_since(
        (FRAMEWORK, RETURNED), (FRAMEWORK, {**RETURNED, "actions.plan": [WRITE, KEEP]}), []
    ).differences
    assert reordered[0].added_rows == () and reordered[0].removed_rows == ()  # changed order, same rows
    doubled = changes_since(
        (FRAMEWORK, RETURNED), (FRAMEWORK, {**RETURNED, "actions.plan": [KEEP, WRITE, KEEP]}), []
    ).differences
    assert (
        len(doubled[0].added_rows) == 1 and doubled[0].removed_rows == () and doubled[0].unchanged_rows == 2
    )


def test_a_table_answered_for_the_first_time_is_added_whole() -> None:
    before = {k: v for k, v in RETURNED.items() if k != "actions.plan"}
    (plan,) = changes_since((FRAMEWORK, before), (FRAMEWORK, RETURNED), []).differences
    assert plan.kind == "Added" and plan.before is None and len(plan.added_rows) == 2
    assert plan.removed_rows == () and plan.unchanged_rows == 0


def test_each_comment_is_marked_by_whether_its_section_changed() -> None:
    after = {**RETURNED, "pc.disability.impact": "negative"}
    notes = [Note("pc"), Note("actions"), Note(GENERAL_SECTION)]
    changes = changes_since((FRAMEWORK, RETURNED), (FRAMEWORK, after), notes)
    assert [(c.comment.section_id, c.changed, c.label) for c in changes.comments] == [
        ("pc", True, CHANGED),
        ("actions", False, NOT_CHANGED),
        (GENERAL_SECTION, True, CHANGED),  # something changed, and a general comment may be about anything
    ]
    assert changes.not_addressed == 1


def test_nothing_changed_marks_every_comment_not_changed() -> None:
    notes = [Note("pc"), Note(GENERAL_SECTION)]
    changes = changes_since((FRAMEWORK, RETURNED), (FRAMEWORK, dict(RETURNED)), notes)
    assert changes.differences == () and [c.label for c in changes.comments] == [NOT_CHANGED, NOT_CHANGED]


def test_an_answer_hidden_by_a_changed_choice_counts_as_removed_from_its_section() -> None:
    # Engagement done: the "why not" answer is no longer asked, so it is no longer part of the assessment.
    after = {**RETURNED, "engagement.done": "yes", "engagement.how": "Two listening events."}
    changes = changes_since((FRAMEWORK, RETURNED), (FRAMEWORK, after), [Note("engagement")])
    kinds = {d.question_id: d.kind for d in changes.differences}
    assert kinds["engagement.done"] == "Changed" and kinds["engagement.how"] == "Added"
    assert kinds["engagement.not_proportionate"] == "Removed"
    assert changes.comments[0].changed
