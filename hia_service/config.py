"""Typed settings read from HIA_* environment variables: the only module that reads the environment
(tests/architecture/test_configuration.py holds everything else to that).

Defaults are safe to publish: debug off, and a secret key is required unless HIA_ENV=development or testing.
In production the service's own address (HIA_BASE_URL) is needed to sign records (documents/records.py):
without it the service runs, says so on /healthz, and refuses approvals rather than sign a guessed link.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hia_service.domain.oidc_issuer import NEEDS_ALLOWED_TENANTS, TENANT_PLACEHOLDER, is_multi_tenant

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "development-only-secret-key-not-for-production"
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
RULES_DIR = PROJECT_ROOT / "rules"


def parse_storage_url(url: str) -> tuple[str, str]:
    """HIA_STORAGE_URL as (bucket, prefix): s3://bucket or s3://bucket/some/prefix. Anything else is refused
    with a message saying what is wanted (credentials never go here: they come from AWS_* variables)."""
    wanted = f"HIA_STORAGE_URL must look like s3://bucket-name/optional/prefix, not {url!r}"
    parts = urlsplit(url.strip())
    if parts.scheme != "s3" or parts.query or parts.fragment:
        raise ValueError(wanted)
    if "@" in parts.netloc:
        raise ValueError(
            "HIA_STORAGE_URL must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "in the environment (or give the machine a role) instead"
        )
    if not BUCKET_NAME.fullmatch(parts.netloc):
        raise ValueError(f"{wanted}: a bucket name is 3 to 63 lower-case letters, digits, dots and hyphens")
    prefix = parts.path.strip("/")
    if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
        raise ValueError(f"{wanted}: the prefix has an empty, '.' or '..' part")
    return parts.netloc, prefix


def _is_rate_limit(text: str) -> bool:
    from limits import parse_many  # Flask-Limiter's own parser, so start-up refuses what it would refuse

    try:
        return bool(parse_many(text))
    except ValueError:
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIA_", extra="ignore")

    env: Literal["production", "development", "testing"] = "production"
    secret_key: str | None = None
    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{PROJECT_ROOT / 'instance' / 'hia.sqlite3'}"
    )
    data_dir: Path = PROJECT_ROOT / "instance"
    reference_dir: Path = PROJECT_ROOT.parent / "shared" / "reference-data"
    rules_dir: Path = RULES_DIR
    port: int = 5000
    session_idle_minutes: int = 30
    # The pages warn this long before the idle time-out signs someone out (the NHS time-out warning).
    session_warning_seconds: int = Field(default=120, ge=10, le=3600)
    session_max_hours: int = 12
    log_level: str = "INFO"
    service_name: str = "Health inequalities impact assessment"
    max_upload_mb: int = 20
    # Email reminders: off unless a mail server is named.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "hia-reminders@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    # e.g. https://hia.example.nhs.uk, for links in emails and on signed PDFs; needed to sign in production
    base_url: str | None = None
    # Where browsers fetch the NHS.UK web font (Frutiger) from: the design system's own host by default.
    # Empty on an offline or locked-down network: pages then use the design system's fallback fonts
    # (Arial) and fetch nothing from anywhere but this service.
    font_host: str = "https://assets.nhs.uk"
    # The organisation's signing certificate (PKCS#12) for approved assessment PDFs. Without one,
    # development and testing make their own; production refuses to approve.
    signing_p12: Path | None = None
    signing_passphrase: str | None = None
    # An RFC 3161 timestamp authority for the signatures (PAdES B-T): proof of when a record was signed
    # that outlives the certificate; B-LT as well when the certificate names CRL or OCSP services, whose
    # data is then kept in the PDF (documents/long_term.py). Unset: the signer's own clock only (B-B).
    signing_tsa_url: str | None = None
    # Background jobs (PDF drawing and signing): "sync" runs them inside the request (tests, the embedded
    # default); "rq" puts them on a Redis queue that `hia worker` processes, so no page waits on them.
    queue: Literal["sync", "rq"] = "sync"
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "hia-documents"
    queue_retry_seconds: str = "10,60,300"  # waits before each retry of a failed job
    # Fairness: at most this many of one organisation's jobs wait on the queue at once; the rest wait
    # behind them, joining the end of the queue as each finishes, so one organisation's burst of PDFs
    # cannot hold up another's.
    queue_jobs_per_organisation: int = Field(default=2, ge=1, le=100)
    # A job still running after this long is stopped (and retried, then reported as failed).
    queue_job_timeout_seconds: int = Field(default=300, ge=1, le=3600)
    # Sign-in attempts allowed per address (flask-limiter syntax); testing gets a loose default so the
    # suite's many sign-ins from 127.0.0.1 are not refused.
    sign_in_rate_limit: str | None = None
    # Training join-code attempts allowed per address, and per account (join codes must not be guessable).
    join_rate_limit: str | None = None
    # API calls allowed per token (flask-limiter syntax).
    api_rate_limit: str = "300/minute"
    # How long each server process trusts a token it has checked: a token revoked elsewhere (another
    # process or server, `hia tokens revoke`) still works for up to this long; revoked here, at once. 0: every
    # call checks the database. The population an organisation serves is remembered as long. A gunicorn worker
    # reads every live token and every served population again each half of this time.
    api_token_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    # API calls that only read (no document downloads) are audited in batches, written at most this many
    # seconds after the call, instead of committing an audit entry with each one. 0: each at once.
    api_audit_batch_seconds: float = Field(default=1.0, ge=0, le=60)
    # Areas whose profiles each server process keeps, to answer the same area again without working it out
    # (a few kB each); patient lists are never kept. 0: every profile is worked out anew.
    areas_kept: int = Field(default=256, ge=0, le=100_000)
    # Where rate limits are counted: unset is the service's Redis in production (so every app server
    # counts against one allowance) and each process's memory elsewhere; any flask-limiter storage URI.
    ratelimit_storage_uri: str | None = None
    # How many reverse proxies (load balancer, CDN) stand in front of the app and append to X-Forwarded-For.
    # 0: the headers are ignored, so a client cannot claim another address. See docs/deployment.md.
    trusted_proxies: int = Field(default=0, ge=0, le=10)
    # OIDC sign-in (e.g. Microsoft Entra ID). Off unless an issuer is named; see README "Sign in with an
    # NHS organisation account".
    oidc_issuer: str | None = None
    oidc_discovery_url: str | None = None  # default: <issuer>/.well-known/openid-configuration
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_allowed_tenants: str | None = None  # comma-separated Entra tenant ids (the `tid` claim)
    oidc_email_claim: str = "email"
    oidc_email_verified_claim: str | None = "email_verified"  # None: trust the provider's email as given
    oidc_scopes: str = "openid email profile"
    # The cost of hashing passwords (argon2id): passes, memory in KiB and lanes. Unset: RFC 9106's second
    # recommended option (3 passes over 64 MiB, 4 lanes), about 0.1 s a sign-in; outside testing no lower than
    # OWASP's minimum (2 passes over 19 MiB). Testing defaults to the cheapest, as its thousands of sign-ins
    # check who may do what, not argon2. A sign-in re-hashes a password hashed at another cost.
    password_hash_time_cost: int | None = Field(default=None, ge=1, le=20)
    password_hash_memory_kib: int | None = Field(default=None, ge=8, le=4 * 1024 * 1024)
    password_hash_parallelism: int | None = Field(default=None, ge=1, le=16)
    # Where PDFs are kept: unset is the folder under data_dir; s3://bucket/prefix an S3 bucket (credentials
    # and region from the standard AWS_* variables); s3_endpoint_url for S3-compatible stores (MinIO, Ceph).
    storage_url: str | None = None
    s3_endpoint_url: str | None = None

    @model_validator(mode="after")
    def _require_secret_outside_development(self) -> Settings:
        if self.secret_key is None:
            if self.env == "production":
                raise ValueError(
                    "HIA_SECRET_KEY must be set in production (or HIA_ENV=development on your own machine)"
                )
            self.secret_key = DEV_SECRET
        elif self.env == "production" and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError("HIA_SECRET_KEY must be a random value of 32 characters or more in production")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError("HIA_OIDC_ISSUER needs HIA_OIDC_CLIENT_ID and HIA_OIDC_CLIENT_SECRET too")
        if self.oidc_issuer and self.env == "production" and not self.base_url:
            # The address the provider sends people back to is never taken from the request's Host header.
            raise ValueError(
                "HIA_OIDC_ISSUER needs HIA_BASE_URL in production, e.g. https://hia.example.nhs.uk: the "
                "sign-in callback address is made from it"
            )
        base = urlsplit(self.base_url or "")
        if self.base_url and (base.scheme not in ("http", "https") or not base.hostname or base.query):
            raise ValueError(
                "HIA_BASE_URL must be an http(s) address like https://hia.example.nhs.uk, "
                f"not {self.base_url!r}"
            )
        self._check_multi_tenant_oidc()
        for name, limit in (("SIGN_IN", self.sign_in_rate_limit), ("JOIN", self.join_rate_limit)):
            if limit and not _is_rate_limit(limit):
                raise ValueError(f"HIA_{name}_RATE_LIMIT must look like 10/minute;100/hour, not {limit!r}")
        if self.storage_url:
            parse_storage_url(self.storage_url)
        endpoint = urlsplit(self.s3_endpoint_url or "")
        if self.s3_endpoint_url and (endpoint.scheme not in ("http", "https") or not endpoint.hostname):
            raise ValueError(f"HIA_S3_ENDPOINT_URL must be an http(s) address, not {self.s3_endpoint_url!r}")
        time_cost, memory_kib, _ = self._password_hash_cost()
        if self.env != "testing" and (time_cost < 2 or memory_kib < 19 * 1024):
            raise ValueError(
                "HIA_PASSWORD_HASH_TIME_COST must be 2 or more and HIA_PASSWORD_HASH_MEMORY_KIB 19456 or "
                "more (OWASP's minimum for argon2id); leave them unset for the recommended cost"
            )
        font = urlsplit(self.font_host.strip())
        if self.font_host.strip() and (font.scheme != "https" or not font.hostname or font.path.strip("/")):
            raise ValueError(
                f"HIA_FONT_HOST must be an https address with no path, such as https://assets.nhs.uk, or "
                f"empty for no web font, not {self.font_host!r}"
            )
        return self

    def _check_multi_tenant_oidc(self) -> None:
        issuer = self.oidc_issuer
        if not is_multi_tenant(issuer):
            return
        if not self._oidc_config()["HIA_OIDC_ALLOWED_TENANTS"]:
            raise ValueError(NEEDS_ALLOWED_TENANTS.format(issuer=issuer))
        if TENANT_PLACEHOLDER in str(issuer) and not self.oidc_discovery_url:
            raise ValueError(
                f"HIA_OIDC_ISSUER with {TENANT_PLACEHOLDER} needs HIA_OIDC_DISCOVERY_URL, e.g. "
                "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"
            )

    def _password_hash_cost(self) -> tuple[int, int, int]:
        """(passes, memory in KiB, lanes) for argon2id."""
        standard = (1, 8, 1) if self.env == "testing" else (3, 64 * 1024, 4)
        given = (self.password_hash_time_cost, self.password_hash_memory_kib, self.password_hash_parallelism)
        time_cost, memory_kib, lanes = (
            g if g is not None else d for g, d in zip(given, standard, strict=True)
        )
        return time_cost, max(memory_kib, 8 * lanes), lanes  # argon2 needs 8 KiB a lane

    def _sign_in_limit(self) -> str:
        if self.sign_in_rate_limit:
            return self.sign_in_rate_limit
        return "1000/minute" if self.env == "testing" else "10/minute;100/hour"

    def _join_limit(self) -> str:
        if self.join_rate_limit:
            return self.join_rate_limit
        return "1000/minute" if self.env == "testing" else "10/minute;100/day"

    def _oidc_config(self) -> dict[str, object]:
        issuer = (self.oidc_issuer or "").rstrip("/") or None
        discovery = self.oidc_discovery_url or (
            f"{issuer}/.well-known/openid-configuration" if issuer else None
        )
        tenants = [t.strip() for t in (self.oidc_allowed_tenants or "").split(",") if t.strip()]
        return {
            "HIA_OIDC_ISSUER": issuer,
            "HIA_OIDC_DISCOVERY_URL": discovery,
            "HIA_OIDC_CLIENT_ID": self.oidc_client_id,
            "HIA_OIDC_CLIENT_SECRET": self.oidc_client_secret,
            "HIA_OIDC_ALLOWED_TENANTS": tenants,
            "HIA_OIDC_EMAIL_CLAIM": self.oidc_email_claim,
            "HIA_OIDC_EMAIL_VERIFIED_CLAIM": self.oidc_email_verified_claim or None,
            "HIA_OIDC_SCOPES": self.oidc_scopes,
        }

    def flask_config(self) -> dict[str, object]:
        """The settings as Flask config keys (the rest of the app reads these)."""
        return {
            "HIA_ENV": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "HIA_DATA_DIR": str(self.data_dir),
            "HIA_REFERENCE_DIR": str(self.reference_dir),
            "HIA_RULES_DIR": str(self.rules_dir),
            "HIA_PORT": self.port,
            "HIA_SESSION_IDLE_MINUTES": self.session_idle_minutes,
            "HIA_SESSION_WARNING_SECONDS": self.session_warning_seconds,
            "PERMANENT_SESSION_LIFETIME": self.session_max_hours * 3600,
            "HIA_SERVICE_NAME": self.service_name,
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 1024 * 1024,
            "LOG_LEVEL": self.log_level,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.env == "production",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "WTF_CSRF_TIME_LIMIT": None,
            "HIA_SMTP_HOST": self.smtp_host,
            "HIA_SMTP_PORT": self.smtp_port,
            "HIA_SMTP_FROM": self.smtp_from,
            "HIA_SMTP_STARTTLS": self.smtp_starttls,
            "HIA_SMTP_USERNAME": self.smtp_username,
            "HIA_SMTP_PASSWORD": self.smtp_password,
            "HIA_BASE_URL": self.base_url,
            "HIA_FONT_HOST": self.font_host.strip().rstrip("/") or None,
            "HIA_SIGNING_P12": str(self.signing_p12) if self.signing_p12 else None,
            "HIA_SIGNING_PASSPHRASE": self.signing_passphrase,
            "HIA_SIGNING_TSA_URL": self.signing_tsa_url or None,
            "HIA_QUEUE": self.queue,
            "HIA_REDIS_URL": self.redis_url,
            "HIA_QUEUE_NAME": self.queue_name,
            "HIA_QUEUE_RETRY_SECONDS": tuple(
                int(s) for s in self.queue_retry_seconds.split(",") if s.strip()
            ),
            "HIA_QUEUE_JOBS_PER_ORGANISATION": self.queue_jobs_per_organisation,
            "HIA_QUEUE_JOB_TIMEOUT_SECONDS": self.queue_job_timeout_seconds,
            "HIA_PASSWORD_HASH_COST": self._password_hash_cost(),
            "HIA_SIGN_IN_RATE_LIMIT": self._sign_in_limit(),
            "HIA_JOIN_RATE_LIMIT": self._join_limit(),
            "HIA_API_RATE_LIMIT": self.api_rate_limit,
            "HIA_API_TOKEN_CACHE_SECONDS": self.api_token_cache_seconds,
            "HIA_API_AUDIT_BATCH_SECONDS": self.api_audit_batch_seconds,
            "HIA_AREAS_KEPT": self.areas_kept,
            "HIA_RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri or None,
            "HIA_TRUSTED_PROXIES": self.trusted_proxies,
            "HIA_STORAGE_URL": self.storage_url or None,
            "HIA_S3_ENDPOINT_URL": self.s3_endpoint_url or None,
            **self._oidc_config(),
        }


class _RulesLocation(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIA_", extra="ignore")

    rules_dir: Path = RULES_DIR


def configured_rules_dir() -> Path:
    """HIA_RULES_DIR on its own, for `hia rules check`: it must work where the full settings would not
    validate (a governance team's machine has no HIA_SECRET_KEY)."""
    return _RulesLocation().rules_dir


def secret_from_environment(variable: str) -> str | None:
    """The value of the environment variable a setting names, such as the one holding a signing
    certificate's passphrase. Read each time it is needed, so the secret is never kept in the settings,
    the database or a log; None when the variable is not set."""
    return os.environ.get(variable)
