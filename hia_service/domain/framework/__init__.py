"""The assessment framework: sections, questions and conditions, loaded from versioned YAML in rules/.

Public API (import from here; loading every version of the rules is hia_service.domain.rules):
    visible_questions(section, answers)             questions to show, given conditions
    visible_answers(framework, answers)             answers with those to hidden questions dropped
    section_status(section, answers)                "not started" | "in progress" | "completed"
    holds_up_submission(section, answers)           whether the section must be finished before submitting
    validate_answer(question, raw)                   (value, error message or None)
    draft_answer(question, raw)                      (value kept to finish later, problem or None)
"""

from hia_service.domain.framework.conditions import is_answered, visible_answers, visible_questions
from hia_service.domain.framework.model import (
    IMPACT_LABELS,
    IMPACT_VALUES,
    QUESTION_TYPES,
    Condition,
    Duty,
    Field,
    Framework,
    Group,
    GuidanceLink,
    Option,
    Question,
    Section,
)
from hia_service.domain.framework.source import Problem, RulesError
from hia_service.domain.framework.validation import (
    date_order_errors,
    draft_answer,
    holds_up_submission,
    section_status,
    validate_answer,
)

__all__ = [
    "IMPACT_LABELS",
    "IMPACT_VALUES",
    "QUESTION_TYPES",
    "Condition",
    "Duty",
    "Field",
    "Framework",
    "Group",
    "GuidanceLink",
    "Option",
    "Problem",
    "Question",
    "RulesError",
    "Section",
    "date_order_errors",
    "draft_answer",
    "holds_up_submission",
    "is_answered",
    "section_status",
    "validate_answer",
    "visible_answers",
    "visible_questions",
]
