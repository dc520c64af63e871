"""Start page, home page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import public, signed_in
from hia_service.services.status import health

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def start() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/start.html")


@bp.get("/home")
@signed_in
def home() -> ResponseReturnValue:
    return render_template("main/home.html")


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    report = health()
    return jsonify(report), 503 if report["status"] == "error" else 200
