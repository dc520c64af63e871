import pytest
from pydantic import ValidationError

from hia_service.config import DEV_SECRET, Settings, secret_from_environment


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIA_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="HIA_SECRET_KEY must be set"):
        Settings(env="production")


def test_production_starts_without_its_own_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """It signs nothing without it (tests/integration/documents_wiring/test_approval_signing.py), but every
    other page works, and /healthz says what is missing."""
    monkeypatch.setenv("HIA_SECRET_KEY", "s3cret-from-env-0123456789abcdef0123456789")
    monkeypatch.delenv("HIA_BASE_URL", raising=False)
    assert Settings(env="production").flask_config()["HIA_BASE_URL"] is None
    monkeypatch.setenv("HIA_BASE_URL", "https://hia.rxa.nhs.uk")
    assert Settings(env="production").flask_config()["HIA_BASE_URL"] == "https://hia.rxa.nhs.uk"
    monkeypatch.delenv("HIA_BASE_URL")
    assert Settings(env="development").base_url is None  # links fall back to the development server's


def test_development_gets_a_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIA_SECRET_KEY", raising=False)
    assert Settings(env="development").secret_key == DEV_SECRET


def test_settings_come_from_hia_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIA_SECRET_KEY", "s3cret-from-env-0123456789abcdef0123456789")
    monkeypatch.setenv("HIA_PORT", "5099")
    monkeypatch.setenv("HIA_DATABASE_URL", "postgresql+psycopg://db/hia")
    monkeypatch.setenv("HIA_BASE_URL", "https://hia.rxa.nhs.uk")
    config = Settings(env="production").flask_config()
    assert config["SECRET_KEY"] == "s3cret-from-env-0123456789abcdef0123456789"
    assert config["HIA_PORT"] == 5099
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/hia"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_debug_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from hia_service import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.debug is False


def test_proxy_headers_are_ignored_unless_proxies_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(env="development").flask_config()["HIA_TRUSTED_PROXIES"] == 0
    monkeypatch.setenv("HIA_TRUSTED_PROXIES", "2")
    assert Settings(env="development").flask_config()["HIA_TRUSTED_PROXIES"] == 2
    monkeypatch.setenv("HIA_TRUSTED_PROXIES", "-1")
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings(env="development")


def test_join_codes_are_rate_limited_by_default() -> None:
    assert Settings(env="development").flask_config()["HIA_JOIN_RATE_LIMIT"] == "10/minute;100/day"
    assert (
        Settings(env="development", join_rate_limit="3/hour").flask_config()["HIA_JOIN_RATE_LIMIT"]
        == "3/hour"
    )


@pytest.mark.parametrize("name", ["sign_in_rate_limit", "join_rate_limit"])
def test_a_rate_limit_that_cannot_be_read_stops_start_up(name: str) -> None:
    with pytest.raises(ValidationError, match="must look like 10/minute;100/hour, not 'ten a minute'"):
        Settings(env="development", **{name: "ten a minute"})


MULTI_TENANT_OIDC = {"oidc_client_id": "client", "oidc_client_secret": "secret"}


@pytest.mark.parametrize(
    "issuer",
    [
        "https://login.microsoftonline.com/organizations/v2.0",
        "https://login.microsoftonline.com/common/v2.0",
        "https://login.microsoftonline.com/{tenantid}/v2.0",
    ],
)
def test_a_multi_tenant_issuer_without_allowed_tenants_stops_start_up(issuer: str) -> None:
    with pytest.raises(ValidationError, match="set HIA_OIDC_ALLOWED_TENANTS to the tenant ids"):
        Settings(env="development", oidc_issuer=issuer, oidc_discovery_url="https://x/d", **MULTI_TENANT_OIDC)
    allowed = Settings(
        env="development",
        oidc_issuer=issuer,
        oidc_discovery_url="https://x/d",
        oidc_allowed_tenants=" a , b ",
        **MULTI_TENANT_OIDC,
    )
    assert allowed.flask_config()["HIA_OIDC_ALLOWED_TENANTS"] == ["a", "b"]


def test_an_issuer_template_needs_its_discovery_url_named() -> None:
    with pytest.raises(ValidationError, match="needs HIA_OIDC_DISCOVERY_URL"):
        Settings(
            env="development",
            oidc_issuer="https://login.microsoftonline.com/{tenantid}/v2.0",
            oidc_allowed_tenants="a",
            **MULTI_TENANT_OIDC,
        )


def test_a_single_tenant_issuer_needs_no_tenant_list() -> None:
    single = Settings(
        env="development", oidc_issuer="https://login.microsoftonline.com/3f2c1a9e/v2.0/", **MULTI_TENANT_OIDC
    )
    config = single.flask_config()
    assert config["HIA_OIDC_ISSUER"] == "https://login.microsoftonline.com/3f2c1a9e/v2.0"
    assert config["HIA_OIDC_ALLOWED_TENANTS"] == []


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "Wait 1 minute, then try again."),
        (59.5, "Wait 1 minute, then try again."),
        (60, "Wait 1 minute, then try again."),
        (61, "Wait 2 minutes, then try again."),
        (90 * 60, "Wait 90 minutes, then try again."),
        (23.5 * 3600, "Wait 24 hours, then try again."),
    ],
)
def test_how_long_to_wait_after_too_many_attempts(seconds: float, said: str) -> None:
    from hia_service.errors import wait_before_retrying

    assert wait_before_retrying(seconds) == said


def test_api_rate_limit_and_its_storage_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIA_API_RATE_LIMIT", raising=False)
    monkeypatch.delenv("HIA_RATELIMIT_STORAGE_URI", raising=False)
    config = Settings(env="development").flask_config()
    assert config["HIA_API_RATE_LIMIT"] == "300/minute"
    assert config["HIA_RATELIMIT_STORAGE_URI"] is None
    monkeypatch.setenv("HIA_API_RATE_LIMIT", "5/second")
    monkeypatch.setenv("HIA_RATELIMIT_STORAGE_URI", "redis://cache:6379/2")
    config = Settings(env="development").flask_config()
    assert config["HIA_API_RATE_LIMIT"] == "5/second"
    assert config["HIA_RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"


def test_rate_limits_are_counted_where_the_setting_says(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask import Flask

    from hia_service.api import _rate_limit_storage

    # A bare app: create_app() would re-point the one shared Flask-Limiter for every later test.
    # The API reads the setting, not the environment: the value is given here, not set in os.environ.
    monkeypatch.delenv("HIA_RATELIMIT_STORAGE_URI", raising=False)
    app = Flask("bare")
    app.config.update(
        Settings(env="development", ratelimit_storage_uri="redis://cache:6379/2").flask_config()
    )
    assert _rate_limit_storage(app) == "redis://cache:6379/2"
    app.config.update(Settings(env="development").flask_config())
    assert _rate_limit_storage(app) == "memory://"  # not production: each process counts its own


def test_a_secret_is_read_from_the_variable_a_setting_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIA_TEST_PASSPHRASE_FOR_CONFIG", "correct horse")
    assert secret_from_environment("HIA_TEST_PASSPHRASE_FOR_CONFIG") == "correct horse"
    monkeypatch.delenv("HIA_TEST_PASSPHRASE_FOR_CONFIG")
    assert secret_from_environment("HIA_TEST_PASSPHRASE_FOR_CONFIG") is None


def test_production_sign_in_through_an_organisation_account_needs_the_base_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The provider's callback address is made from HIA_BASE_URL, never from the request's Host header."""
    monkeypatch.setenv("HIA_SECRET_KEY", "x" * 40)
    oidc = {"oidc_issuer": "https://login.example", "oidc_client_id": "c", "oidc_client_secret": "s"}
    with pytest.raises(ValidationError, match="needs HIA_BASE_URL in production"):
        Settings(env="production", **oidc)
    assert Settings(env="production", base_url="https://hia.rxa.nhs.uk", **oidc).base_url
    with pytest.raises(ValidationError, match="HIA_BASE_URL must be an http"):
        Settings(env="development", base_url="hia.rxa.nhs.uk")


def test_passwords_are_hashed_at_rfc_9106s_cost_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIA_SECRET_KEY", "s3cret-from-env-0123456789abcdef0123456789")
    monkeypatch.setenv("HIA_BASE_URL", "https://hia.rxa.nhs.uk")
    assert Settings(env="production").flask_config()["HIA_PASSWORD_HASH_COST"] == (3, 64 * 1024, 4)
    monkeypatch.setenv("HIA_PASSWORD_HASH_MEMORY_KIB", "32768")
    assert Settings(env="production").flask_config()["HIA_PASSWORD_HASH_COST"] == (3, 32768, 4)
    # The suite signs in thousands of times; what it checks is who may do what, not argon2's cost.
    monkeypatch.delenv("HIA_PASSWORD_HASH_MEMORY_KIB")
    assert Settings(env="testing").flask_config()["HIA_PASSWORD_HASH_COST"] == (1, 8, 1)


@pytest.mark.parametrize(("name", "value"), [("TIME_COST", "1"), ("MEMORY_KIB", "8192")])
def test_a_password_hashing_cost_below_owasps_minimum_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("HIA_SECRET_KEY", "s3cret-from-env-0123456789abcdef0123456789")
    monkeypatch.setenv("HIA_BASE_URL", "https://hia.rxa.nhs.uk")
    monkeypatch.setenv(f"HIA_PASSWORD_HASH_{name}", value)
    with pytest.raises(ValidationError, match="OWASP's minimum for argon2id"):
        Settings(env="production")
