"""Forms on the review pages. They carry the CSRF token and the lock version the page was opened at;
the rules about what may be entered live in the services, so the API and the pages say the same thing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField


class LockForm(FlaskForm):
    lock_version = HiddenField()


class ReturnForm(LockForm):
    comment = TextAreaField("What does the author need to change?")


class ApproveForm(LockForm):
    conditions = TextAreaField("Conditions of approval (optional)")


class CommentForm(FlaskForm):
    section = HiddenField()
    version = HiddenField()
    body = TextAreaField("Your comment")


class DecisionForm(LockForm):
    # The date of the decision comes in three boxes, decided_on-day/-month/-year (the NHS date input).
    forum = StringField("Which group or board made the decision?")
    outcome = RadioField("What was decided?", choices=[], validate_choice=False)
    summary = TextAreaField("Describe the decision")
