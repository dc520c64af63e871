from datetime import UTC, datetime

import pytest

from hia_service.documents.wording import (
    STATUS_LABELS,
    core20_headline,
    long_date,
    marks,
    rating_summary,
    signoff_line,
)


def _profile(share: float, national: float = 0.2, nation: str = "England") -> dict:
    return {"core20_share": share, "baseline": {"nation": {"name": nation, "core20_share": national}}}


@pytest.mark.parametrize(
    ("share", "start", "ending"),
    [
        (0.41, "About 4 in 10", "twice the England share (20%)"),  # 2.05
        (0.38, "About 4 in 10", "1.9 times the England share (20%)"),  # never "twice" for 1.9
        (0.40, "4 in 10", "twice the England share (20%)"),
        (0.50, "5 in 10", "2.5 times the England share (20%)"),
        (0.61, "About 6 in 10", "three times the England share (20%)"),
        (0.26, "About 3 in 10", "1.3 times the England share (20%)"),
        (0.199, "2 in 10", "about the same as the England share (20%)"),
        (0.08, "About 1 in 10", "less than the England share (20%)"),
        (0.03, "Fewer than 1 in 20", "less than the England share (20%)"),
        (1.0, "All", "five times the England share (20%)"),
    ],
)
def test_core20_headline_says_the_proportion_in_words_and_the_multiple_as_it_is(share, start, ending):
    assert core20_headline(_profile(share)) == (
        f"{start} of the people affected ({share * 100:.0f}%) live in the most deprived fifth of "
        f"neighbourhoods in England: {ending}"
    )


def test_core20_headline_from_the_brief():
    assert core20_headline(_profile(0.41, 0.195)) == (
        "About 4 in 10 of the people affected (41%) live in the most deprived fifth of neighbourhoods in "
        "England: 2.1 times the England share (20%)"
    )


def test_core20_headline_names_the_nation_whose_index_is_used():
    headline = core20_headline(_profile(0.3, 0.2, "Wales"))
    assert headline.startswith("3 in 10 of the people affected (30%) live in the most deprived fifth of ")
    assert "neighbourhoods in Wales: 1.5 times the Wales share (20%)" in headline


def test_core20_headline_accepts_the_england_baseline_of_the_brief():
    profile = {"core20_share": 0.4, "baseline": {"england": {"core20_share": 0.2}}}
    assert core20_headline(profile).endswith("neighbourhoods in England: twice the England share (20%)")


def test_core20_headline_without_a_share_says_so():
    assert "could not work out" in core20_headline({"core20_share": None, "baseline": {"nation": {}}})


def _reason(rating: str, text: str) -> dict:
    return {"rule": "r", "rating": rating, "text": text, "values": {}, "narrows": False}


def test_rating_summary_uses_the_reason_at_the_overall_level():
    rating = {
        "overall": "high",
        "reasons": [_reason("medium", "Some"), _reason("high", "Most people are in Core20.")],
    }
    assert rating_summary(rating) == "Most people are in Core20."


def test_rating_summary_says_what_the_action_plan_changed():
    rating = {
        "overall": "medium",
        "summary": "Mitigated.",
        "before_mitigation": "high",
        "mitigation_applied": True,
    }
    assert rating_summary(rating) == "Mitigated. Rated high before the action plan was taken into account."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-10", "10 December 2026"),
        ("2027-01-05T09:00:00+00:00", "5 January 2027"),
        (datetime(2026, 3, 3, tzinfo=UTC), "3 March 2026"),
        (None, "Not given"),
        ("next spring", "next spring"),
    ],
)
def test_long_date(value, expected):
    assert long_date(value) == expected


def test_signoff_line_names_the_approver_only_when_approved():
    signoff = [
        {"role": "Approver", "name": "Dr Helen Marsh", "job_title": "Medical Director", "date": "2026-11-20"}
    ]
    assert (
        signoff_line(signoff, "approved")
        == "Approved by Dr Helen Marsh, Medical Director, on 20 November 2026."
    )
    assert signoff_line(signoff, "returned") == "Not approved. Current status: returned to author."


def test_a_training_document_is_marked_as_training_not_as_a_draft():
    assert marks(training=True, approved=False) == ("TRAINING — NOT FOR DECISION",)
    assert marks(training=False, approved=False) == ("DRAFT — NOT APPROVED",)
    assert marks(training=False, approved=True) == ()


def test_a_practice_says_it_is_not_for_sign_off():
    assert STATUS_LABELS["practice"] == "Practice assessment (training)"
    assert (
        signoff_line([], "practice")
        == "Not for sign-off: a practice assessment, made in training, is never approved."
    )
