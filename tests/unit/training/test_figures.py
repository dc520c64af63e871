from __future__ import annotations

import pytest

from hia_service.domain.training import Figure, figure_holds, profile_value

PROFILE = {
    "core20_share": 0.524475,
    "population_by_decile": [12257, 9],
    "domains": {"income": {"share": 0.6256}},
}


def test_profile_value_follows_dotted_paths() -> None:
    assert profile_value(PROFILE, "domains.income.share") == 0.6256
    assert profile_value(PROFILE, "population_by_decile.0") == 12257
    with pytest.raises(KeyError):
        profile_value(PROFILE, "domains.health.share")


@pytest.mark.parametrize(("value", "places", "holds"), [(0.52, 2, True), (0.53, 2, False), (0.524, 3, True)])
def test_figure_holds_to_the_stated_rounding(value: float, places: int, holds: bool) -> None:
    assert figure_holds(Figure("core20_share", value, places, "text"), PROFILE) is holds
