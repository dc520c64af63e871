"""What a practice produces: the trainee's feedback (model answers and poor answers), the practice PDF
(training watermark, never signed: checked with poppler), the trainer's cohort view and the results CSV."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape

from tests.integration.review.conftest import act_as, add_people
from tests.integration.training.conftest import (
    FLEETWOOD,
    HULL,
    answer_and_submit,
    client_for,
    start_practice,
)

PDFSIG = "/usr/bin/pdfsig"
PDFTOTEXT = "/usr/bin/pdftotext"


def _scenario(app: Flask, scenario_id: str = FLEETWOOD) -> Any:
    from hia_service.services.training import cohorts as training

    with app.app_context():
        return training.scenario(scenario_id)


def _model_answers(app: Flask, scenario_id: str = FLEETWOOD) -> dict[str, Any]:
    answers = _scenario(app, scenario_id).model_answers()
    answers.pop("proposal.title", None)
    return answers


@pytest.fixture
def model_practice(training_app: Flask, people: dict, cohort: dict) -> int:
    """The training-only trainee's Fleetwood practice, answered with the model answers and submitted."""
    assessment_id = start_practice(training_app, people["trainee"], cohort["id"])
    answer_and_submit(training_app, people["trainee"], assessment_id, _model_answers(training_app))
    return assessment_id


def _matched(page: str) -> tuple[int, int]:
    found = re.search(r"matched (\d+) of the (\d+) points in the model answer", page)
    assert found, "no summary of the points matched"
    return int(found[1]), int(found[2])


def test_model_answers_match_every_point_and_the_model_rating(
    training_app: Flask, people: dict, model_practice: int
) -> None:
    scenario = _scenario(training_app)
    html = client_for(training_app, people["trainee"]).get(f"/training/practice/{model_practice}/feedback")
    page = html.get_data(as_text=True)
    assert html.status_code == 200
    made, total = _matched(page)
    assert made == total >= 17  # four groups with four points each, and the recommendation
    assert "the same as the model rating" in page and "What you missed" not in page
    assert 'id="named-too-many"' not in page
    assert "Disability: impact rated negative" in page
    assert "Training \u2013 practice only" in page  # the banner is on the feedback page too
    assert "Quality checks" in page and "Model answer: " in page
    assert escape(scenario.model_rating_reason[:60]) in page


def test_poor_answers_show_what_was_missed_with_the_model_answer(
    training_app: Flask, people: dict, cohort: dict
) -> None:
    assessment_id = start_practice(training_app, people["manager"], cohort["id"])
    poor = {"pc.age.impact": "neutral", "evidence.sources": "We looked at the district averages."}
    answer_and_submit(training_app, people["manager"], assessment_id, poor)
    page = client_for(training_app, people["manager"]).get(f"/training/practice/{assessment_id}/feedback")
    html = page.get_data(as_text=True)
    made, total = _matched(html)
    assert made == 0 and total >= 17
    assert "What you missed" in html and "Why it matters:" in html
    assert "Age: named as affected. You answered neutral." in html
    # Why the model names the group here, and the model answer for the section, are there to learn from.
    assert escape("Wyre has more people over 65 than England") in html
    assert "IoD2025 deprivation profile at neighbourhood (LSOA) level" in html


def test_marking_every_group_as_harmed_is_called_out(training_app: Flask, people: dict, cohort: dict) -> None:
    """A scattergun answer (every group negative) must not read as nearly perfect: the extra groups are
    named, and the page says plainly that marking every group is not an assessment."""
    from hia_service.services import rules

    assessment_id = start_practice(training_app, people["manager"], cohort["id"])
    with training_app.app_context():
        framework = rules.framework(_scenario(training_app).framework_version)
        everything = {f"{g.id}.impact": "negative" for _, g in framework.groups()}
    answer_and_submit(
        training_app, people["manager"], assessment_id, {**_model_answers(training_app), **everything}
    )
    html = client_for(training_app, people["manager"]).get(f"/training/practice/{assessment_id}/feedback")
    page = html.get_data(as_text=True)
    assert 'id="named-too-many"' in page and "Marking every group as affected is not an assessment" in page


def test_feedback_waits_for_submission(training_app: Flask, people: dict, cohort: dict) -> None:
    assessment_id = start_practice(training_app, people["trainee"], cohort["id"])
    client = client_for(training_app, people["trainee"])
    response = client.get(f"/training/practice/{assessment_id}/feedback")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{assessment_id}/check-answers")
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Submit your practice assessment to see feedback on it." in follow


def test_feedback_is_for_the_trainee_and_trainers_only(
    training_app: Flask, people: dict, model_practice: int
) -> None:
    url = f"/training/practice/{model_practice}/feedback"
    assert client_for(training_app, people["trainer"]).get(url).status_code == 200
    for who in ("manager", "reviewer", "admin", "other_trainer", "other_trainee"):
        assert client_for(training_app, people[who]).get(url).status_code == 404, who


def test_the_practice_pdf_is_watermarked_and_never_signed(
    training_app: Flask, people: dict, model_practice: int, tmp_path: Path
) -> None:
    response = client_for(training_app, people["trainee"]).get(
        f"/training/practice/{model_practice}/practice.pdf"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="practice-TRN-')
    pdf = tmp_path / "practice.pdf"
    pdf.write_bytes(response.data)
    signatures = subprocess.run([PDFSIG, str(pdf)], capture_output=True, text=True, timeout=60, check=False)
    assert "does not contain any signatures" in signatures.stdout + signatures.stderr
    text = subprocess.run(
        [PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "TRAINING — NOT FOR DECISION" in text
    assert "Close the Fleetwood minor injuries unit" in text
    # It says what it is: a practice, not a draft of a record waiting for approval.
    flat = " ".join(text.split())
    assert "Status Practice assessment (training)" in flat
    assert "Not for sign-off: a practice assessment, made in training, is never approved." in flat
    assert "Not signed: a practice assessment is never signed" in flat
    assert "Draft" not in text and "DRAFT" not in text and "not approved" not in text
    # Others cannot download it: a trainer may read the feedback, not take the document away.
    for who in ("trainer", "reviewer", "other_trainee"):
        other = client_for(training_app, people[who]).get(f"/training/practice/{model_practice}/practice.pdf")
        assert other.status_code == 404, who


def test_the_trainer_sees_progress_and_the_points_most_often_missed(
    training_app: Flask, people: dict, cohort: dict, model_practice: int
) -> None:
    poor = start_practice(training_app, people["manager"], cohort["id"])
    answer_and_submit(training_app, people["manager"], poor, {"pc.age.impact": "neutral"})
    start_practice(training_app, people["manager"], cohort["id"], HULL)  # started, not submitted
    page = client_for(training_app, people["trainer"]).get(f"/training/sessions/{cohort['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 trainees. 3 practices started, 2 submitted." in html
    assert f'href="/training/practice/{model_practice}/feedback"' in html
    # Missed by the poor practice only: 1 of the 2 submitted.
    assert "missed by 1 of 2" in html and "Age: named as affected" in html


def test_results_csv_has_one_row_per_trainee_and_scenario(
    training_app: Flask, people: dict, cohort: dict, model_practice: int
) -> None:
    response = client_for(training_app, people["trainer"]).get(
        f"/training/sessions/{cohort['id']}/results.csv"
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4  # two trainees x two scenarios
    done = next(
        r for r in rows if r["Email"] == people["trainee"]["email"] and r["Scenario"].startswith("Closing")
    )
    assert done["Progress"] == "Submitted"
    assert done["Rating given"] == done["Model rating"] == _scenario(training_app).model_rating
    assert done["Rating compared with the model"] == "same"
    assert done["Points matched"] == done["Points in the model answer"]
    assert int(done["Points matched"]) >= 17
    assert done["Points missed"] == ""
    idle = [r for r in rows if r["Email"] == people["manager"]["email"]]
    assert {r["Progress"] for r in idle} == {"Not started"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_results_csv_is_safe_against_formula_injection(
    training_app: Flask, people: dict, cohort: dict, start: str
) -> None:
    from hia_service.services.training import cohorts as training

    evil = add_people(training_app, {"evil": ("manager", "RXA")})["evil"]
    with training_app.app_context():
        from hia_service.data.accounts import get_user
        from hia_service.data.transaction import commit

        get_user(evil["id"]).name = f'{start}HYPERLINK("http://evil.example","x")'
        commit()
    act_as(training_app, evil, training.join_session, cohort["code"])
    body = client_for(training_app, people["trainer"]).get(f"/training/sessions/{cohort['id']}/results.csv")
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True))))
    names = [r[0] for r in rows[1:]]
    assert f'\'{start}HYPERLINK("http://evil.example","x")' in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
