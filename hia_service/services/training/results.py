"""What training produces: a trainee's feedback, a cohort's progress and results (CSV), the practice PDF."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hia_service.auth.permissions import Action
from hia_service.data import training as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import Assessment, AssessmentVersion, TrainingPractice, TrainingSession, User
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.quality import QualityWarning
from hia_service.domain.training import Feedback, Marking, Point, Scenario, SectionFeedback, feedback
from hia_service.domain.workflow import Status
from hia_service.services import rules
from hia_service.services.assessments.authoring import assessment_for
from hia_service.services.documents import jobs as document_jobs
from hia_service.services.documents import records as documents
from hia_service.services.errors import NotFoundError, StateTransitionError
from hia_service.services.review.answers import AnswerRow, format_answer
from hia_service.services.review.register import safe_cell
from hia_service.services.training.cohorts import scenario, session_for_trainer

NOT_SUBMITTED = "Submit your practice assessment to see feedback on it."


class NotSubmittedError(StateTransitionError):
    """Feedback comes after submitting: the page sends the trainee back to check their answers."""


@dataclass(frozen=True)
class SectionResult:
    title: str
    result: SectionFeedback
    model_answers: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class PracticeFeedback:
    assessment: Assessment
    scenario: Scenario
    result: Feedback
    sections: tuple[SectionResult, ...]
    quality: list[dict[str, Any]]
    version_number: int


def practice_feedback(user: User, assessment_id: int) -> PracticeFeedback:
    """Feedback on a submitted practice, for its trainee or a trainer of the organisation."""
    assessment = assessment_for(user, assessment_id, Action.VIEW)
    practice = store.practice_of_assessment(assessment.id) if assessment.is_training else None
    if practice is None:
        raise NotFoundError("There is no feedback for this assessment: it is not a practice of a scenario.")
    if assessment.status != Status.SUBMITTED_FOR_FEEDBACK.value or not assessment.versions:
        raise NotSubmittedError(NOT_SUBMITTED)
    version = assessment.versions[-1]
    chosen = scenario(practice.scenario_id)
    framework = rules.framework(version.framework_version)
    result = _feedback(chosen, version)
    # A later framework version may rename sections; the scenario still names them by id.
    titles = {section.id: section.title for section in framework.sections}
    sections = tuple(
        SectionResult(
            titles.get(s.section_id, s.section_id),
            s,
            tuple(
                format_answer(framework.question(q), v)
                for q, v in s.model_answers.items()
                if framework.has_question(q)
            ),
        )
        for s in result.sections
    )
    return PracticeFeedback(assessment, chosen, result, sections, list(version.quality or []), version.number)


def _feedback(chosen: Scenario, version: AssessmentVersion) -> Feedback:
    """The practice compared with the model answer by the checks its version was frozen with: the same
    quality warnings and scoring rules as a real record, on the day it was handed in."""
    marking = Marking(
        rules.ruleset().scoring(version.scoring_version),
        tuple(QualityWarning.from_dict(w) for w in version.quality or []),
        version.submitted_at.date(),
    )
    return feedback(chosen, version.answers, (version.rating or {}).get("overall"), marking)


def practice_pdf(user: User, assessment_id: int, *, again: bool = False) -> documents.Download:
    """The trainee's own practice PDF: watermarked as training and never signed (documents refuses to).
    With HIA_QUEUE=rq it is drawn in the background (document_jobs.DocumentNotReadyError until then)."""
    assessment = assessment_for(user, assessment_id, Action.EXPORT)
    if not assessment.is_training:
        raise NotFoundError("We could not find that practice assessment.")
    if not assessment.versions:
        raise NotSubmittedError("Submit your practice assessment to download it as a PDF.")
    download = document_jobs.download(user, assessment.id, assessment.versions[-1].number, "pdf", again=again)
    return documents.Download(f"practice-{download.filename}", download.data, download.mimetype)


# --- the trainer's view of a cohort --------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    trainee: User
    scenario: Scenario
    practice: TrainingPractice | None
    result: Feedback | None

    @property
    def state(self) -> str:
        if self.practice is None:
            return "Not started"
        return "Submitted" if self.practice.submitted_at else "Started"

    @property
    def rating(self) -> str | None:
        return self.result.rating.given if self.result else None


@dataclass(frozen=True)
class MissedPoint:
    scenario: Scenario
    point: Point
    missed_by: int
    submitted: int


@dataclass(frozen=True)
class CohortProgress:
    session: TrainingSession
    scenarios: tuple[Scenario, ...]
    rows: tuple[ProgressRow, ...]
    most_missed: tuple[MissedPoint, ...]

    @property
    def started(self) -> int:
        return sum(1 for r in self.rows if r.practice is not None)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.result is not None)


def cohort_progress(trainer: User, session_id: int) -> CohortProgress:
    session = session_for_trainer(trainer, session_id)
    chosen = tuple(scenario(s) for s in session.scenario_ids)
    practices = {(p.user_id, p.scenario_id): p for p in store.practices_in_session(session.id)}
    rows = tuple(
        _row(member.user, s, practices.get((member.user_id, s.id)))
        for member in session.members
        for s in chosen
    )
    return CohortProgress(session, chosen, rows, _most_missed(rows))


def _row(trainee: User, chosen: Scenario, practice: TrainingPractice | None) -> ProgressRow:
    if practice is None or practice.submitted_at is None or not practice.assessment.versions:
        return ProgressRow(trainee, chosen, practice, None)
    result = _feedback(chosen, practice.assessment.versions[-1])
    return ProgressRow(trainee, chosen, practice, result)


def _most_missed(rows: tuple[ProgressRow, ...], limit: int = 10) -> tuple[MissedPoint, ...]:
    missed: Counter[tuple[str, str]] = Counter()
    submitted: Counter[str] = Counter()
    points: dict[tuple[str, str], tuple[Scenario, Point]] = {}
    order: dict[tuple[str, str], int] = {}  # ties in the order the feedback lists them: groups first
    for row in rows:
        if row.result is None:
            continue
        submitted[row.scenario.id] += 1
        for n, point in enumerate(row.result.points):
            order.setdefault((row.scenario.id, point.id), n)
            if not point.made:
                missed[(row.scenario.id, point.id)] += 1
                points[(row.scenario.id, point.id)] = (row.scenario, point)
    ranked = sorted(missed.items(), key=lambda item: (-item[1], item[0][0], order[item[0]]))[:limit]
    return tuple(
        MissedPoint(points[key][0], points[key][1], count, submitted[key[0]]) for key, count in ranked
    )


CSV_COLUMNS = (
    "Trainee",
    "Email",
    "Scenario",
    "Progress",
    "Started",
    "Submitted",
    "Rating given",
    "Model rating",
    "Rating compared with the model",
    "Points matched",
    "Points in the model answer",
    "Points missed",
)


def results_csv(trainer: User, session_id: int) -> tuple[TrainingSession, str]:
    """The cohort's results, one row per trainee and scenario; cells that a spreadsheet would run as a
    formula are neutralised. Every export is audited."""
    progress = cohort_progress(trainer, session_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in progress.rows:
        writer.writerow([safe_cell(cell) for cell in _csv_row(row)])
    record_audit_event(
        "training_results_exported",
        actor=trainer,
        organisation_id=progress.session.organisation_id,
        subject=("training_session", progress.session.id),
        details={"format": "csv", "rows": len(progress.rows), "training": True},
        after_hash=content_hash(out.getvalue()),
    )
    return progress.session, out.getvalue()


def _csv_row(row: ProgressRow) -> list[Any]:
    result = row.result
    missed = [p.text for p in result.points if not p.made] if result else []
    return [
        row.trainee.name,
        row.trainee.email,
        row.scenario.title,
        row.state,
        _iso(row.practice.started_at if row.practice else None),
        _iso(row.practice.submitted_at if row.practice else None),
        (result.rating.given or "none") if result else "",
        row.scenario.model_rating,
        result.rating.comparison if result else "",
        result.covered_count if result else "",
        result.total_count if result else "",
        " | ".join(missed),
    ]


def _iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
