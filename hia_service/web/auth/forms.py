from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Email address is too long"),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password"), Length(max=256, message="Password is too long")],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password"),
            Length(max=256, message="Password is too long"),
        ],
    )
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm_password = PasswordField(
        "Confirm new password", validators=[DataRequired("Enter your new password again")]
    )
