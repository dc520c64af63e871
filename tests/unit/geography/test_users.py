"""The service's users beside its catchment, and before and after a change, by fifth of deprivation."""

from __future__ import annotations

import pytest

from hia_service.domain.geography.area_profile import Place
from hia_service.domain.geography.users import USERS_ANSWER_KEY, compare_people, fifths, stored_users

CATCHMENT = Place(
    name="the people in the area affected", population_by_decile=(20, 20, 10, 10, 10, 10, 5, 5, 5, 5)
)
USERS = Place(name="the service's users", population_by_decile=(10, 10, 10, 10, 10, 10, 10, 10, 10, 10))


def test_fifths_come_from_the_deciles() -> None:
    assert fifths(CATCHMENT) == (0.4, 0.2, 0.2, 0.1, 0.1)
    assert fifths(Place(share_by_quintile=(0.5, 0.2, 0.1, 0.1, 0.1))) == (0.5, 0.2, 0.1, 0.1, 0.1)
    assert fifths(Place(core20_share=0.3)) == (0.3, None, None, None, None)


def test_users_less_deprived_than_their_catchment_are_named() -> None:
    comparison = compare_people(CATCHMENT, USERS)
    assert comparison.core20.label == "Most deprived fifth (Core20)"
    assert (comparison.core20.first, comparison.core20.second) == (0.4, 0.2)
    assert comparison.users_sentence() == (
        "20% of the service's users live in the most deprived fifth of neighbourhoods in England, against "
        "40% of the people in the area affected. The most deprived people in the catchment use the service "
        "less than their numbers would suggest."
    )


@pytest.mark.parametrize(
    ("after", "words"),
    [
        ((2, 2, 10, 10, 10, 10, 14, 14, 14, 14), "fell from 20% to 4% (16 percentage points). Find out why"),
        ((20, 20, 8, 8, 8, 8, 7, 7, 7, 7), "rose from 20% to 40% (20 percentage points)."),
        ((10, 11, 10, 10, 10, 10, 10, 10, 10, 9), "is about the same: 20% before and 21% after."),
    ],
    ids=["fell", "rose", "same"],
)
def test_before_and_after_says_whether_the_most_deprived_stopped_coming(after, words) -> None:
    sentence = compare_people(USERS, Place(name="now", population_by_decile=after)).change_sentence()
    assert words in sentence
    assert ("Find out why" in sentence) == (words.startswith("fell"))


def test_figures_are_kept_without_postcodes_and_read_back() -> None:
    answers = {USERS_ANSWER_KEY: USERS.to_json()}
    assert stored_users(answers) == USERS
    assert stored_users({}) is None
    assert "postcode" not in str(answers)
