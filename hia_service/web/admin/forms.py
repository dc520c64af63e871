"""Forms on the users pages. Each carries the CSRF token; what may be chosen is the services' to say, so the
pages and `hia users` refuse the same things in the same words."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField


class ConfirmForm(FlaskForm):
    """A button that confirms a change (deactivate, reactivate, reset the password): only the token."""


class RoleForm(FlaskForm):
    role = RadioField("Role", choices=[], validate_choice=False)


class NewUserForm(FlaskForm):
    """Adding a person: what they sign in with, their name and their role (the services check each)."""

    email = StringField("Email address")
    name = StringField("Full name")
    role = RadioField("Role", choices=[], validate_choice=False)
