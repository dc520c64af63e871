"""Errors the geography engine raises. Each message is plain English, fit to show to NHS staff."""

from __future__ import annotations


class GeographyError(Exception):
    """Base class: something about an area or the reference data stops us building a profile."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AreaDefinitionError(GeographyError):
    """The area definition cannot be used. `field` names the part of the definition at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"{self.message} (field: {self.field})" if self.field else self.message


class ReleaseNotAvailableError(GeographyError):
    """The requested deprivation release is unknown or was not loaded."""


class ReferenceDataNotLoadedError(GeographyError):
    """No reference-data snapshot has been loaded yet (run `hia reference load`)."""
