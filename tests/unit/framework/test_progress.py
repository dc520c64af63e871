"""Where a wizard page sits (issue 20, item 2): 'section x of n' counts only the sections this assessment
asks, and 'page x of n' the pages of its section."""

from __future__ import annotations

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.framework.conditions import section_visible
from hia_service.domain.rules import RuleSet
from hia_service.services.assessments.wizard import pages, progress


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.2")


def test_the_first_page_is_section_one_and_the_last_is_section_n(fw: Framework) -> None:
    answers = {"screening.depth": "full", "proposal.changes_access": "no"}
    every = pages(fw)
    first, last = progress(fw, every[0].id, answers), progress(fw, every[-1].id, answers)
    asked = [s for s in fw.sections if section_visible(s, answers)]
    assert (first.section, first.sections, first.page) == (1, len(asked), 1)
    assert (last.section, last.sections, last.page) == (len(asked), len(asked), last.pages)


def test_sections_left_out_are_not_counted(fw: Framework) -> None:
    page_id = pages(fw)[0].id
    moving = progress(fw, page_id, {"screening.depth": "full", "proposal.changes_access": "yes"})
    staying = progress(fw, page_id, {"screening.depth": "full", "proposal.changes_access": "no"})
    assert moving.sections == staying.sections + 1  # "Distance to the service" is asked only for a move


def test_pages_are_counted_within_their_section(fw: Framework) -> None:
    answers = {"screening.depth": "full", "who.staff_affected": "yes"}
    for section_id in ("inclusion", "clinical", "workforce"):
        shown = [p for p in pages(fw) if p.section.id == section_id]
        assert len(shown) == 2
        assert [progress(fw, p.id, answers).page for p in shown] == [1, 2]
        assert {progress(fw, p.id, answers).pages for p in shown} == {2}
    assert progress(fw, "pc", answers).pages == 1


def _asked(fw: Framework, answers: dict[str, str]) -> list[str]:
    return [p.id for p in pages(fw) if section_visible(p.section, answers)]


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.3"])
def test_a_full_assessment_is_at_most_about_25_pages(ruleset: RuleSet, version: str) -> None:
    """Related questions share a page (issue 20, item 2): it was 55 to 65 pages, one for each group."""
    fw = ruleset.framework(version)
    most = {"screening.depth": "full", "proposal.changes_access": "yes", "who.staff_affected": "yes"}
    assert len(_asked(fw, most)) <= 25
    for _, group in fw.groups():  # every question is still asked, on exactly one page
        holding = [p for p in pages(fw) if group in p.groups]
        assert len(holding) == 1 and holding[0].id != group.id


def test_the_pages_of_framework_1_3(ruleset: RuleSet) -> None:
    fw = ruleset.framework("1.3")
    full = {"screening.depth": "full", "proposal.changes_access": "yes", "proposal.kind": "service_change"}
    assert _asked(fw, {**full, "who.staff_affected": "yes"}) == [
        *("proposal", "area", "who", "access", "screening", "core20", "pc", "ehia_groups"),
        *("inclusion", "inclusion-2", "clinical", "clinical-2", "ehia", "intersection", "adjustments"),
        *("determinants", "workforce", "workforce-2", "engagement", "evidence", "actions", "monitoring"),
        "conclusion",
    ]
    assert len(_asked(fw, {**full, "who.staff_affected": "no"})) == 21
    assert len(_asked(fw, {"screening.depth": "short", "proposal.changes_access": "no"})) == 15
    questions = [q.id for p in pages(fw) for q in p.questions]
    assert sorted(questions) == sorted(q.id for q in fw.questions())  # each question once, none lost
