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
    answers = {"screening.depth": "full"}
    pc = [p for p in pages(fw) if p.section.id == "pc"]
    assert len(pc) > 1
    assert [progress(fw, p.id, answers).page for p in pc] == list(range(1, len(pc) + 1))
    assert {progress(fw, p.id, answers).pages for p in pc} == {len(pc)}
