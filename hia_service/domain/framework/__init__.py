"""The assessment framework: sections, questions and conditions, loaded from versioned YAML in rules/.

Public API (import from here):
    load_rules(rules_dir=None) -> RuleSet           every version, validated; raises RulesError
    load_framework(version=None, rules_dir=None)     the current or a named Framework (cached)
    load_scoring(version=None, rules_dir=None)       the current or a named ScoringRules (cached)
    visible_questions(section, answers)             questions to show, given conditions
    visible_answers(framework, answers)             answers with those to hidden questions dropped
    section_status(section, answers)                "not started" | "in progress" | "completed"
    validate_answer(question, raw)                   (value, error message or None)
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
from hia_service.domain.framework.registry import (
    RuleSet,
    UnknownVersionError,
    cached_rules,
    clear_cache,
    default_rules_dir,
    load_framework,
    load_rules,
    load_scoring,
)
from hia_service.domain.framework.source import Problem, RulesError
from hia_service.domain.framework.validation import date_order_errors, section_status, validate_answer

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
    "RuleSet",
    "RulesError",
    "Section",
    "UnknownVersionError",
    "cached_rules",
    "clear_cache",
    "date_order_errors",
    "default_rules_dir",
    "is_answered",
    "load_framework",
    "load_rules",
    "load_scoring",
    "section_status",
    "validate_answer",
    "visible_answers",
    "visible_questions",
]
