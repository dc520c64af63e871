import pytest
from pydantic import ValidationError

from hia_service.config import DEV_SECRET, Settings


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIA_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="HIA_SECRET_KEY must be set"):
        Settings(env="production")


def test_development_gets_a_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIA_SECRET_KEY", raising=False)
    assert Settings(env="development").secret_key == DEV_SECRET


def test_settings_come_from_hia_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIA_SECRET_KEY", "s3cret-from-env-0123456789abcdef0123456789")
    monkeypatch.setenv("HIA_PORT", "5099")
    monkeypatch.setenv("HIA_DATABASE_URL", "postgresql+psycopg://db/hia")
    config = Settings(env="production").flask_config()
    assert config["SECRET_KEY"] == "s3cret-from-env-0123456789abcdef0123456789"
    assert config["HIA_PORT"] == 5099
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/hia"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_debug_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from hia_service import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.debug is False
