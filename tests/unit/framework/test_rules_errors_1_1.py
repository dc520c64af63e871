"""Framework 1.1's new parts (screening, section conditions, rating questions, choice columns) are checked
like the rest: a mistake stops the service starting, with the problem named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hia_service.domain.framework import Problem

FW = "framework/1.1.yaml"
Breaker = Callable[[Path, str, str, str], list[Problem]]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "short_skips: [ehia_groups, inclusion, clinical]",
            "short_skips: [ehia_groups, inclusion, clinicl]",
            "screening skips section 'clinicl', which does not exist",
        ),
        (
            "kind: {question: proposal.kind, in: [service_change, digital]}",
            "kind: {question: proposal.kind, in: [service_change, digitl]}",
            "screening uses 'digitl', not an answer to 'proposal.kind'",
        ),
        (
            'not_required_when: {question: screening.relevance, in: ["no"]}',
            'not_required_when: {question: screening.relevance, in: ["nope"]}',
            "the condition on screening uses 'nope', not an answer to 'screening.relevance'",
        ),
        (
            "condition: {question: screening.depth, in: [not_required]}",
            "condition: {question: screening.depth, in: [not_needed]}",
            "the condition on section 'not_required' uses 'not_needed', not an answer to 'screening.depth'",
        ),
        (
            "condition: {question: proposal.kind, in: [digital]}",
            "condition: {question: conclusion.recommendation, in: [proceed]}",
            "the condition on section 'digital' must name a question in an earlier section, "
            "not 'conclusion.recommendation'",
        ),
        (
            "condition: {question: proposal.kind, in: [digital]}",
            "condition: {question: proposal.colour, in: [digital]}",
            "the condition on section 'digital' names 'proposal.colour', which is not a question",
        ),
    ],
)
def test_framework_1_1_mistakes_are_named(
    rules_copy: Path, problems_after: Breaker, old: str, new: str, message: str
) -> None:
    problems = problems_after(rules_copy, FW, old, new)
    assert [p.message for p in problems] == [message]
    assert problems[0].file.endswith("1.1.yaml")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        # A rating offers NHS England's scale itself: options written in by hand are refused.
        (
            '        type: rating\n        label: "Fostering',
            '        type: rating\n        options: [{value: a, label: A}]\n        label: "Fostering',
            "options",
        ),
        # A choice column needs its options.
        (
            "            type: choice\n            required: true\n            options:\n"
            "              - {value: access, label: Access}\n",
            "            type: choice\n            required: true\n            hint: none\n"
            "            optionz:\n              - {value: access, label: Access}\n",
            "options",
        ),
    ],
)
def test_schema_refuses_malformed_new_types(
    rules_copy: Path, problems_after: Breaker, old: str, new: str, fragment: str
) -> None:
    problems = problems_after(rules_copy, FW, old, new)
    assert problems and all(p.file.endswith("1.1.yaml") for p in problems)
    assert any(fragment in p.message for p in problems), [p.message for p in problems]
