"""Answers fuzzed through PUT /api/v1/assessments/{id}/answers/{section}: the questions of any section, each
given any JSON value (text, numbers, true/false, lists, objects, nothing). Each save is kept, refused with
the questions at fault, or refused as out of date; never a 500, and the assessment still reads back."""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz_counts import fuzz_settings, tried
from tests.integration.api.conftest import Api, json_values

CELLS = ["action", "owner", "due", "measure", "group", "impact", "evidence", "day", "month", "year"]
WORDS = ["negative", "positive", "neutral", "yes", "no", "2027-01-01", "31 February", " "]
values = json_values(WORDS, CELLS)


def test_fuzzed_answers_are_saved_or_refused_never_an_error(
    app: Flask, api: Api, draft: int, no_rate_limit: None
) -> None:
    from hia_service.services.rules import framework

    with app.app_context():
        sections = [(s.id, [q.id for q in s.questions]) for s in framework().sections if s.questions]

    @fuzz_settings(150)
    @given(data=st.data())
    @example(data=None)  # the cases found before: true/false for a multiple choice, an object for text
    def attempt(data: Any) -> None:
        tried("api: section answers")
        if data is None:
            cases = [
                ("determinants", {"determinants.affected": False}),
                ("proposal", {"proposal.title": {"a": 1}}),
            ]
        else:
            section, questions = data.draw(st.sampled_from(sections))
            chosen = data.draw(st.lists(st.sampled_from(questions), min_size=1, max_size=4, unique=True))
            cases = [(section, {question: data.draw(values) for question in chosen})]
        for section, answers in cases:
            before = api.get(f"/assessments/{draft}", "manager").json
            body = {"answers": answers, "lock_version": before["lock_version"]}
            saved = api.put(f"/assessments/{draft}/answers/{section}", "manager", json=body)
            # 400: text with a character that cannot be stored (a control character, half a pair)
            assert saved.status_code in (200, 400, 422), (
                section,
                answers,
                saved.status_code,
                saved.get_json(),
            )
            after = api.get(f"/assessments/{draft}", "manager")
            assert after.status_code == 200
            if saved.status_code != 200:  # nothing saved, and the questions at fault named
                assert after.json["answers"] == before["answers"]
                assert saved.get_json()["detail"]
            if saved.status_code == 422:
                refused = saved.get_json()["errors"]["json"]["answers"]
                assert refused and set(refused) <= set(answers)

    attempt()
