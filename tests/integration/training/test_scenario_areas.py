"""Each scenario's area resolves with the real geography engine, and its cited figure matches the data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.rules import load_scoring
from hia_service.domain.scoring.engine import score
from hia_service.domain.training import Scenario, figure_holds, load_scenarios, profile_value

RULES_DIR = Path(__file__).resolve().parents[3] / "rules"
MODEL_ANSWERS_WRITTEN = date(2026, 12, 5)
SCENARIOS = load_scenarios(RULES_DIR)


@pytest.fixture(scope="module")
def profiles(real_engine: GeographyEngine) -> dict[str, dict]:
    return {s.id: real_engine.profile(s.area_definition()) for s in SCENARIOS}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_area_resolves_to_the_named_places(scenario: Scenario, profiles: dict[str, dict]) -> None:
    profile = profiles[scenario.id]
    assert profile["release"] == "IoD2025"
    assert profile["lsoa_count"] >= 10 and profile["population"] > 10_000
    if "codes" not in scenario.area:
        assert profile["area"]["type"] == scenario.area["type"]
        return
    assert profile["area"]["codes"] == list(scenario.area["codes"])
    # The place names the engine finds must appear in the scenario, so the story fits the data.
    story = " ".join([scenario.title, scenario.brief, *scenario.background, scenario.figure.text])
    for name in profile["area"]["names"]:
        assert _short(name) in story


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_cited_figure_matches_the_data(scenario: Scenario, profiles: dict[str, dict]) -> None:
    actual = profile_value(profiles[scenario.id], scenario.figure.field)
    assert figure_holds(scenario.figure, profiles[scenario.id]), (
        f"{scenario.id}: {scenario.figure.field} is {actual}, not {scenario.figure.value}"
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_cited_percentage_appears_in_the_text(scenario: Scenario) -> None:
    figure = scenario.figure
    stated = f"{round(figure.value * 100)}%" if figure.places == 2 else f"{round(figure.value):,}"
    assert stated in figure.text


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_model_answers_earn_the_model_rating(scenario: Scenario, profiles: dict[str, dict]) -> None:
    """A trainee who gives the model answers gets the model rating from the real scoring rules."""
    # The scenario names its framework and scoring versions (framework 1.2 -> scoring 1.3), not whatever is
    # current for new assessments. From scoring 1.3 an action counts only while it is due after today, so
    # the model answers are rated on the day their action dates were written for.
    scoring = load_scoring(scenario.scoring, rules_dir=RULES_DIR)
    assert scoring.framework_version == scenario.framework_version
    rating = score(scenario.model_answers(), profiles[scenario.id], scoring, today=MODEL_ANSWERS_WRITTEN)
    assert rating.overall == scenario.model_rating


def _short(name: str) -> str:
    """'NHS Lincolnshire Integrated Care Board' -> 'Lincolnshire'; 'Kingston upon Hull, City of' -> 'Hull'."""
    name = name.removeprefix("NHS ").removesuffix(" Integrated Care Board")
    return name.split(",")[0].split(" upon ")[-1]


def test_fleetwood_comparison_with_wyre_matches_the_data(real_engine: GeographyEngine) -> None:
    """The Fleetwood figure text compares with Wyre as a whole (15%); check that number too."""
    wyre = real_engine.profile({"type": "lad", "codes": ["E07000128"]})
    assert round(wyre["core20_share"], 2) == 0.15
    text = next(s for s in SCENARIOS if s.id == "minor-injuries-fleetwood").figure.text
    assert "15% for Wyre as a whole" in text
