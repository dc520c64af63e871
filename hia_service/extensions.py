"""Flask extensions, created unbound and initialised in create_app() (Flask-Migrate there too, as it is
only wanted by `hia db`)."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import current_app, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are stable and SQLite batch mode can alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The models' base class. db.Model is built at run time from Base (adding the bind key and table-name
# defaults), so a type checker cannot see it; to mypy the models derive from Base, whose columns it reads.
if TYPE_CHECKING:
    from flask_limiter import Limiter
    from flask_login import LoginManager
    from flask_wtf import CSRFProtect

    Model = Base
    login_manager: LoginManager
    csrf: CSRFProtect
    limiter: Limiter
else:
    Model = db.Model


def client_address() -> str:
    """The client's address: behind trusted proxies, ProxyFix has already put the real one here
    (web/security.py trust_proxies), so this is never the load balancer's."""
    return request.remote_addr or "unknown"


# Where the API puts its answer to "which live token is calling?" (api/__init__.py registers it): a hook,
# because this module is below the services that look tokens up.
CALLER_KEY = "hia_rate_limit_caller"
CallerKey = Callable[[], str | None]


def rate_limit_key() -> str:
    """A token the service issued, and that still works, has its own allowance; every other call (a
    made-up or expired token too) counts against the client's address, so a new made-up token is never a
    new allowance."""
    caller: CallerKey | None = current_app.extensions.get(CALLER_KEY)
    return (caller() if caller else None) or "addr:" + client_address()


def _limiter() -> Any:
    from flask_limiter import Limiter

    # The limits on signing in and join codes, each named where it applies; the API counts its own
    # allowance (api/rate_limits.py). The web pages are used by people, not scripts. Headers only on a
    # refusal (errors.py): on every allowed answer they would cost more look-ups in Redis.
    made = Limiter(key_func=rate_limit_key, headers_enabled=False)
    # The API counts its own allowance: the limiter need not work out on every API call (about 0.1 ms)
    # that none of its limits applies there.
    made.request_filter(lambda: request.path.startswith("/api/"))
    return made


def _login_manager() -> Any:
    from flask_login import LoginManager

    return LoginManager()


def _csrf() -> Any:
    from flask_wtf import CSRFProtect

    return CSRFProtect()


_MADE_WHEN_FIRST_ASKED = {"limiter": _limiter, "login_manager": _login_manager, "csrf": _csrf}


def __getattr__(name: str) -> Any:
    """The web's extensions, made the first time something imports them: a command-line tool that only
    needs the database (a lean app) then never loads Flask-Limiter, Flask-Login or Flask-WTF."""
    make = _MADE_WHEN_FIRST_ASKED.get(name)
    if make is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    made = globals()[name] = make()
    return made
