"""Malformed rules are refused with every problem named by file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hia_service.domain.framework import Problem, RulesError
from hia_service.domain.framework.source import parse_yaml
from hia_service.domain.rules import load_rules
from tests.unit.framework.conftest import line_of

FW = "framework/1.0.yaml"
SC = "scoring/1.0.yaml"
Breaker = Callable[[Path, str, str, str], list[Problem]]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_bad_yaml_names_the_line(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(
            rules_copy,
            FW,
            "options:\n          - {value: service_change",
            "options:\n          - {value: [service_change",
        )
    )
    assert problem.file.endswith(FW)
    assert problem.line == line_of(rules_copy / FW, "{value: [service_change")
    assert "not valid YAML" in problem.message


def test_unknown_question_type(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(
            rules_copy,
            FW,
            "type: person\n        label: Who is the lead",
            "type: radio\n        label: Who is the lead",
        )
    )
    assert problem.line == line_of(rules_copy / FW, "type: radio")
    assert "'radio' is not allowed; use one of: text, long_text, choice" in problem.message
    assert "sections[0].questions[6].type" in problem.message


def test_duplicate_question_id(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(problems_after(rules_copy, FW, "id: proposal.directorate", "id: proposal.lead"))
    assert problem.message == "question id 'proposal.lead' is used more than once"
    assert problem.line == line_of(rules_copy / FW, "- id: proposal.lead", occurrence=2, exact=True)


def test_duplicate_group_id_clashes_in_expanded_questions(rules_copy: Path, problems_after: Breaker) -> None:
    problems = problems_after(rules_copy, FW, "id: pc.disability", "id: pc.age")
    assert [p.message for p in problems] == [
        "question id 'pc.age.impact' is used more than once",
        "question id 'pc.age.evidence' is used more than once",
        "question id 'pc.age.mitigation' is used more than once",
    ]
    assert {p.line for p in problems} == {line_of(rules_copy / FW, "label: Disability") - 1}


def test_duplicate_yaml_key_is_not_silently_dropped(rules_copy: Path, problems_after: Breaker) -> None:
    old = "        label: What is the proposal called?\n"
    problem = only(problems_after(rules_copy, FW, old, old + "        label: Title\n"))
    assert problem.message == "'label' appears twice here"
    assert problem.line == line_of(rules_copy / FW, "label: Title")


def test_condition_naming_an_unknown_question(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(rules_copy, FW, "question: who.staff_affected", "question: who.staff_affectd")
    )
    assert (
        problem.message == "the condition on 'who.staff' names 'who.staff_affectd', which is not a question"
    )
    assert problem.line == line_of(rules_copy / FW, "- id: who.staff", exact=True)


def test_condition_naming_a_later_question(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(rules_copy, FW, "question: who.staff_affected", "question: engagement.done")
    )
    assert "must name an earlier question, not 'engagement.done'" in problem.message


def test_condition_value_that_is_not_an_option(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(problems_after(rules_copy, FW, 'in: ["yes"]\n\n  # ---', 'in: ["maybe"]\n\n  # ---'))
    assert (
        problem.message == "the condition on 'who.staff' uses 'maybe', not an answer to 'who.staff_affected'"
    )


def test_unknown_key_points_at_the_key(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(rules_copy, FW, "        hint: The senior person", "        hnit: The senior person")
    )
    assert problem.message == "sections[0].questions[6]: unknown key 'hnit' (check the spelling)"
    assert problem.line == line_of(rules_copy / FW, "hnit:")


def test_choice_without_options(rules_copy: Path, problems_after: Breaker) -> None:
    text = (rules_copy / FW).read_text()
    start = text.index("        options:\n          - {value: service_change")
    end = text.index("      - id: proposal.summary")
    problem = only(problems_after(rules_copy, FW, text[start:end], ""))
    assert "'options' is missing" in problem.message


def test_unquoted_version_asks_for_quotes(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(problems_after(rules_copy, FW, 'version: "1.0"', "version: 1.0"))
    assert problem.message == "version: expected text, found 1.0 (put it in quotes)"
    assert problem.line == line_of(rules_copy / FW, "version: 1.0")


def test_file_name_must_match_version(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(problems_after(rules_copy, FW, 'version: "1.0"', 'version: "1.1"'))
    # Only the cause is reported, not that scoring/1.0.yaml and current.yaml now name an unusable framework.
    assert problem.message == "version is '1.1' but the file is named 1.0.yaml; they must match"


def test_scoring_for_a_framework_that_does_not_exist(rules_copy: Path, problems_after: Breaker) -> None:
    problems = problems_after(rules_copy, SC, 'framework_version: "1.0"', 'framework_version: "3.0"')
    assert [p.message for p in problems] == [
        "framework version 3.0 is missing from framework/ or has problems"
    ]


def test_missing_key_question(rules_copy: Path, problems_after: Breaker) -> None:
    problems = problems_after(rules_copy, FW, "id: monitoring.review_date", "id: monitoring.review_on")
    assert any("the question 'monitoring.review_date' (date) is missing" in p.message for p in problems)


def test_unknown_placeholder_in_group_template(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(rules_copy, FW, 'label: "{group}: what evidence', 'label: "{grp}: what evidence')
    )
    assert problem.message == "unknown placeholder '{grp}'; use {group} or {group_id}"


def test_missing_threshold(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(
            rules_copy, SC, "{are: negative, at_least: many_negative}", "{are: negative, at_least: lots}"
        )
    )
    assert problem.file.endswith(SC)
    assert problem.message == "threshold 'lots' is not defined under 'thresholds'"
    assert problem.line == line_of(rules_copy / SC, "at_least: lots")


def test_threshold_without_a_value(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(problems_after(rules_copy, SC, "    value: 1.5\n", ""))
    assert problem.message == "thresholds.core20_relative_high: 'value' is missing"


def test_unknown_value_in_a_reason(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(rules_copy, SC, "Negative impact on {negative_groups}.", "Negative on {negatives}.")
    )
    assert problem.message == "unknown value '{negatives}' in the text"


def test_scoring_unknown_section(rules_copy: Path, problems_after: Breaker) -> None:
    # A section without groups is allowed (framework 1.1 rates the EHIA ratings by answers alone).
    problem = only(problems_after(rules_copy, SC, "sections: [clinical]", "sections: [nowhere]"))
    assert problem.message == "'nowhere' is not a section in framework 1.0"


def test_scoring_answer_condition_checked_against_framework(
    rules_copy: Path, problems_after: Breaker
) -> None:
    problem = only(problems_after(rules_copy, SC, 'in: ["no"]', 'in: ["nope"]'))
    assert problem.message == "'nope' is not an answer to 'engagement.done'"


def test_a_measure_name_for_a_group_the_framework_lacks_is_refused_with_its_line(
    rules_copy: Path, problems_after: Breaker
) -> None:
    old, new = "        core20.outcomes: [imd, deprivation", "        core20.nonsense: [imd, deprivation"
    problem = only(problems_after(rules_copy, "scoring/1.11.yaml", old, new))
    assert problem.message == "'core20.nonsense' is not a group in framework 1.3"
    assert problem.file.endswith("1.11.yaml") and problem.line > 0


def test_current_names_a_missing_version(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(problems_after(rules_copy, "current.yaml", 'scoring: "1.11"', 'scoring: "2.0"'))
    assert problem.message == "scoring version 2.0 is not available in scoring/"
    assert problem.file.endswith("current.yaml") and problem.line == 4


def test_every_problem_is_reported_not_just_the_first(rules_copy: Path) -> None:
    (rules_copy / FW).write_text((rules_copy / FW).read_text().replace("type: person", "type: human", 1))
    (rules_copy / SC).write_text((rules_copy / SC).read_text().replace("floor: low", "floor: lowest"))
    with pytest.raises(RulesError) as caught:
        load_rules(rules_copy)
    files = {p.file.rsplit("/", 2)[-2] for p in caught.value.problems}
    assert {"framework", "scoring"} <= files
    assert str(caught.value).count("\n") == len(caught.value.problems) - 1


def test_problem_prints_as_file_colon_line() -> None:
    assert str(Problem("rules/framework/1.0.yaml", 123, "bad")) == "rules/framework/1.0.yaml:123: bad"
    assert str(Problem("rules/framework", None, "empty")) == "rules/framework: empty"


def test_empty_and_multi_document_yaml() -> None:
    assert parse_yaml("", "x.yaml")[1][0].message == "the file is empty"
    doc, problems = parse_yaml("a: 1\n---\nb: 2\n", "x.yaml")
    assert doc is None and problems[0].line == 2


def test_missing_rules_folder(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path)
    messages = [p.message for p in caught.value.problems]
    assert "no framework files (expected framework/<version>.yaml)" in messages


def test_a_document_once_valid_is_checked_again_when_only_a_type_differs() -> None:
    """Valid documents are remembered; the same text with a number where the schema wants a string is not."""
    from hia_service.config import configured_rules_dir
    from hia_service.domain.framework.schema_check import check_against_schema

    rules_dir = configured_rules_dir()
    quoted, _ = parse_yaml('framework: "1.3"\nscoring: "1.4"\n', "current.yaml")
    unquoted, _ = parse_yaml("framework: 1.3\nscoring: 1.4\n", "current.yaml")
    assert quoted is not None and unquoted is not None
    assert check_against_schema(quoted, rules_dir, "current") == []
    assert check_against_schema(quoted, rules_dir, "current") == []
    problems = check_against_schema(unquoted, rules_dir, "current")
    assert [p.line for p in problems] == [1, 2] and "expected" in problems[0].message


@pytest.mark.parametrize(
    ("relative", "old", "new", "message"),
    [
        (
            "scoring/1.5.yaml",
            "  barriers_concentrated:\n    value: 0.4",
            "  barriers_concentrated:\n    value: 40",
            "a share is written between 0 and 1 (0.4 is 40%), not 40",
        ),
        (
            SC,
            "  many_negative:\n    value: 3",
            "  many_negative:\n    value: 2.5",
            "a number of answers is a whole number, 0 or more, not 2.5",
        ),
        (
            "scoring/1.5.yaml",
            "  action_due_within_months:\n    value: 12",
            "  action_due_within_months:\n    value: -12",
            "a number of months is a whole number, 0 or more, not -12",
        ),
        (
            SC,
            "  core20_relative_raised:\n    value: 1.1",
            "  core20_relative_raised:\n    value: -1.1",
            "a ratio cannot be negative (-1.1)",
        ),
    ],
)
def test_a_threshold_its_unit_cannot_have_is_refused_with_its_line(
    rules_copy: Path, problems_after: Breaker, relative: str, old: str, new: str, message: str
) -> None:
    """40 meant as 40% would make a rule on a share never hold, with nothing to say so."""
    problem = only(problems_after(rules_copy, relative, old, new))
    assert problem.message == message and problem.file.endswith(relative) and problem.line


def test_anchors_and_aliases_are_refused_before_they_are_expanded(rules_copy: Path) -> None:
    """Nine levels of nested aliases in 600 bytes would expand to billions of values."""
    levels = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    current = rules_copy / "current.yaml"
    current.write_text("\n".join(levels) + "\n" + current.read_text())
    with pytest.raises(RulesError) as caught:
        load_rules(rules_copy)
    assert any("anchors and aliases" in p.message for p in caught.value.problems)


def test_scoring_described_condition_names_a_known_description(
    rules_copy: Path, problems_after: Breaker
) -> None:
    problem = only(
        problems_after(rules_copy, "scoring/1.7.yaml", "described: costs_or_language", "described: costs")
    )
    assert "'costs' is not something a proposal can be described as" in problem.message
    assert "closes_or_moves, costs_or_language" in problem.message


def test_scoring_narrowing_cap_needs_its_reason(rules_copy: Path, problems_after: Breaker) -> None:
    text = (Path(__file__).parents[3] / "rules" / "scoring" / "1.7.yaml").read_text(encoding="utf-8")
    block = text[text.index("    narrowing_capped: >-") : text.index("limited to one group.\n") + 22]
    problem = only(problems_after(rules_copy, "scoring/1.7.yaml", block, ""))
    assert "narrowing_cap needs a 'narrowing_capped' text" in problem.message


def test_scoring_reach_measured_is_true_or_false(rules_copy: Path, problems_after: Breaker) -> None:
    problem = only(
        problems_after(rules_copy, "scoring/1.8.yaml", "reach_measured: false", "reach_measured: sometimes")
    )
    assert "when[2].reach_measured: expected true or false, found 'sometimes'" in str(problem)


def test_scoring_reach_measured_needs_the_action_plans_credit(
    rules_copy: Path, problems_after: Breaker
) -> None:
    # Before 1.6 nothing tells a total from a breakdown, so the condition could never be met: refused.
    problem = only(
        problems_after(
            rules_copy,
            "scoring/1.2.yaml",
            "          - profile_missing: true\n",
            "          - profile_missing: true\n          - reach_measured: false\n",
        )
    )
    assert "reach_measured needs the action plan's credit" in str(problem)


def test_scoring_narrowing_uncapped_by_names_rules_that_exist(
    rules_copy: Path, problems_after: Breaker
) -> None:
    problem = only(
        problems_after(
            rules_copy,
            "scoring/1.8.yaml",
            "narrowing_uncapped_by: [inclusion.service_for_group_harmed]",
            "narrowing_uncapped_by: [inclusion.service_for_the_group_harmed]",
        )
    )
    assert "'inclusion.service_for_the_group_harmed' is not a rule in these scoring rules" in str(problem)


def test_scoring_answer_mentions_names_a_question_that_exists(
    rules_copy: Path, problems_after: Breaker
) -> None:
    problem = only(
        problems_after(
            rules_copy,
            "scoring/1.8.yaml",
            "question: procurement.requirements",
            "question: procurement.requirement",
        )
    )
    assert "'procurement.requirement' is not a question in framework 1.3" in str(problem)


def test_scoring_impacts_only_names_groups_of_the_framework(
    rules_copy: Path, problems_after: Breaker
) -> None:
    problem = only(
        problems_after(
            rules_copy, "scoring/1.9.yaml", "only: [inclusion.homelessness,", "only: [inclusion.homeless,"
        )
    )
    assert "'inclusion.homeless' is not a group in framework 1.3" in problem.message
