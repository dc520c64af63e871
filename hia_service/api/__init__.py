"""The JSON API under /api/v1: flask-smorest MethodViews and marshmallow schemas over the same services."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi

from hia_service import __version__

API_PREFIX = "/api/v1"


class Api(SmorestApi):
    def _register_error_handlers(self) -> None:
        # hia_service.errors answers every error, as problem+json on API paths.
        pass


api = Api()


def register_api(app: Flask) -> None:
    from hia_service.api.profiles import blp as profiles_blp
    from hia_service.api.status import blp as status_blp
    from hia_service.extensions import csrf

    app.config.update(
        API_TITLE="Health inequalities impact assessment API",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Deprivation profiles, assessments and their records, for NHS organisations. "
                "Authenticate with a personal API token: `Authorization: Bearer hia_...`."
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    api.init_app(app)
    for blp in (profiles_blp, status_blp):
        csrf.exempt(blp)  # token-authenticated, no cookies: CSRF does not apply
        api.register_blueprint(blp)
