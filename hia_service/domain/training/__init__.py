"""Training mode: practice scenarios (rules/training/*.yaml) and feedback on a trainee's answers. Pure code.

Public API:
    load_scenarios(rules_dir, frameworks=None) -> tuple[Scenario, ...]   raises RulesError (file:line)
    feedback(scenario, answers, rating_overall, marking) -> Feedback   matched and missed, against the model
    profile_value(profile, field) -> float; figure_holds(figure, profile)  checking a cited figure
"""

from hia_service.domain.training.feedback import (
    Feedback,
    RatingFeedback,
    SectionFeedback,
    compare_rating,
    feedback,
    is_covered,
    matches,
)
from hia_service.domain.training.figures import figure_holds, profile_value
from hia_service.domain.training.loader import load_scenario, load_scenarios, scenario_files
from hia_service.domain.training.model import RATINGS, Figure, KeyPoint, Match, Scenario, SectionGuide
from hia_service.domain.training.substance import GroupFeedback, Marking, Point

__all__ = [
    "RATINGS",
    "Feedback",
    "Figure",
    "GroupFeedback",
    "KeyPoint",
    "Marking",
    "Match",
    "Point",
    "RatingFeedback",
    "Scenario",
    "SectionFeedback",
    "SectionGuide",
    "compare_rating",
    "feedback",
    "figure_holds",
    "is_covered",
    "load_scenario",
    "load_scenarios",
    "matches",
    "profile_value",
    "scenario_files",
]
