"""Issue 19 on the pages: the rating explained on check-answers, and every quality warning in front of the
reviewer (through the real services and pages)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient


def _frozen_quality(app: Flask, assessment_id: int) -> list[dict[str, Any]]:
    from hia_service.data.assessments import get_version

    with app.app_context():
        version = get_version(assessment_id, 1)
        assert version is not None
        return list(version.quality)


def test_check_answers_says_what_led_to_the_rating_and_what_would_change_it(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    draft = make_assessment(world["manager"], "Close the walk-in centre on Sundays", submit=False)
    login(world["manager"])
    html = " ".join(client.get(f"/assessments/{draft}/check-answers").get_data(as_text=True).split())
    assert "How the rating was reached" in html
    # Older people harmed where the area is three times as deprived as England: high. The fixture's only
    # action is dated in 2020, so under scoring 1.3 it earns no credit and the rating stays high.
    assert "Rated high." in html
    assert "Negative impact on age" in html and 'data-rule="pc.negative_deprived"' in html
    assert "(rule " not in html  # rule ids are for looking up in rules/scoring/, not for reading
    assert (
        "This would be medium if the action plan had actions for these harms, each with a role as owner"
        in html
    )


def test_the_reviewer_sees_every_quality_warning(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    submitted = make_assessment(world["manager"], "Close the walk-in centre on Sundays")
    warnings = _frozen_quality(app, submitted)
    ids = {w["id"] for w in warnings}
    # The fixture's record: a closure with nobody affected involved, and an action dated in 2020.
    assert {"engagement.access_not_engaged", "actions.1.due_passed"} <= ids
    login(world["reviewer"])
    html = client.get(f"/review/{submitted}").get_data(as_text=True)
    from markupsafe import escape

    missing = [w["message"] for w in warnings if str(escape(w["message"])) not in html]
    assert not missing and len(warnings) >= 2


def test_the_rating_comes_after_the_answers_that_decide_it(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    draft = make_assessment(world["manager"], "Close the walk-in centre on Sundays", submit=False)
    login(world["manager"])
    tasks = " ".join(client.get(f"/assessments/{draft}").get_data(as_text=True).split())
    # While it is being written the task list does not show a rating the answers have not finished deciding.
    side_panel = tasks[tasks.index('<div class="nhsuk-grid-column-one-third">') :]
    assert "Rated high." not in tasks and "nhsuk-tag" not in side_panel.split("Things to look at")[0]
    assert "You will see it when you check your answers" in tasks
    check = " ".join(client.get(f"/assessments/{draft}/check-answers").get_data(as_text=True).split())
    last_section = check.rindex('<h2 id="section-')
    assert check.index("How the rating was reached") > last_section  # after every answer


def test_technical_measures_sit_behind_more_about_these_figures(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    submitted = make_assessment(world["manager"], "Close the walk-in centre on Sundays")
    login(world["reviewer"])
    html = client.get(f"/review/{submitted}").get_data(as_text=True)
    headline, _, more = html.partition("More about these figures")
    assert more, "the technical measures have no 'More about these figures'"
    assert "Living in the most deprived fifth of England" in headline
    for measure in (
        "Average deprivation score",
        "Neighbourhoods (LSOAs)",
        "People affected by deprivation decile",
    ):
        assert measure not in headline and measure in more.split("</details>")[0], measure


def test_a_submitted_assessment_speaks_to_its_author_as_one_that_cannot_change(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    """Its task list does not ask the author to change answers they cannot change, and the record it links to
    leads back."""
    submitted = make_assessment(world["manager"], "Close the walk-in centre on Sundays")
    login(world["manager"])
    tasks = client.get(f"/assessments/{submitted}").get_data(as_text=True)
    assert "What the quality checks found" in tasks and "Things to look at" not in tasks
    assert "Go to this question" not in tasks
    record = client.get(f"/review/{submitted}").get_data(as_text=True)
    assert f'href="/assessments/{submitted}"' in record and "Back to the assessment" in record


def test_the_checks_name_what_the_rating_counts_as_not_assessed_and_totals_only_monitoring(
    app: Flask,
) -> None:
    """The service hands the checks the rating's own view (panel 3's P02 and P06): neutral answers with no
    figure or source, counted as not assessed, and a benefit measured by totals only."""
    from datetime import date

    from hia_service.domain.geography.area_profile import as_area_profile
    from hia_service.services import rules
    from tests.unit.scoring.conftest import profile, sound_answers

    with app.app_context():
        answers = sound_answers(rules.framework("1.3")) | {
            "proposal.kind": "digital",
            "proposal.changes_access": "yes",
            "digital.offline_route": "yes",
            "screening.relevance": "yes",
            "inclusion.communication.evidence": "Phone bookings can use LanguageLine as now.",
            "core20.access.impact": "positive",
            "core20.access.mechanism": ["access"],
            "monitoring.indicators": [{"indicator": "Total bookings per month"}],
        }
        rated = rules.rate(answers, as_area_profile(profile(1.0)), "1.3", "1.6", today=date(2026, 1, 15))
    ids = {w["id"] for w in rated["quality"]}
    assert {"inclusion.communication.claim_not_assessed", "monitoring.totals_only"} <= ids
