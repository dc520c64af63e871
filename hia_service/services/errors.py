"""Errors that use cases raise; hia_service.errors turns them into pages and problem+json."""

from __future__ import annotations


class ServiceError(Exception):
    """A problem the user can act on. `message` is plain English, fit to show on the page."""

    status = 400
    title: str | None = None  # the problem's title, when the status's usual one would mislead

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class FormRefused(ServiceError):
    """Every problem with a form's fields at once: `problems` by field, in the form's order; the message and
    field are the first, for callers that show one."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message, field=field)
        self.problems = problems


class SignInError(ServiceError):
    status = 401


class SignInThrottledError(SignInError):
    """Too many wrong passwords from this client for this address: try again after `wait_seconds`."""

    status = 429

    def __init__(self, message: str, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class NotFoundError(ServiceError):
    status = 404


class PermissionDeniedError(ServiceError):
    status = 403


class DuplicateValueError(ServiceError):
    status = 409
    title = "This already exists"


class StateTransitionError(ServiceError):
    """Not possible at the record's stage (only an assessment under review can be approved, an action already
    done cannot be done again): nobody else need have changed anything."""

    status = 409


class ChangedSinceOpenedError(StateTransitionError):
    """Someone else changed the record after this person read it (its lock_version moved on), or saved it
    at the same moment: nothing of theirs was saved."""

    title = "Someone else changed this"


class ServiceUnavailableError(ServiceError):
    """Something the service needs is not there yet (no reference data loaded): try again later."""

    status = 503
