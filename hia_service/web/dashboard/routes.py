"""The governance dashboard, its charts and the register export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import requires_role
from hia_service.auth.roles import Role
from hia_service.services.review import dashboard, register
from hia_service.services.review.followup import today_uk
from hia_service.web.dashboard.charts import bar_chart_png

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("/")
@requires_role(Role.REVIEWER)
def overview() -> ResponseReturnValue:
    portfolio = dashboard.portfolio(current_user)
    return render_template("dashboard/overview.html", portfolio=portfolio, breakdowns=dashboard.BREAKDOWNS)


@bp.get("/charts/<name>.png")
@requires_role(Role.REVIEWER)
def chart(name: str) -> ResponseReturnValue:
    if name not in dashboard.BREAKDOWNS:
        abort(404)
    portfolio = dashboard.portfolio(current_user)
    png = bar_chart_png(dashboard.BREAKDOWNS[name], portfolio.breakdown(name))
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/register.csv")
@requires_role(Role.REVIEWER)
def register_csv() -> ResponseReturnValue:
    body = register.register_csv(current_user)
    filename = f"hia-register-{current_user.organisation.code}-{today_uk().isoformat()}.csv"
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
