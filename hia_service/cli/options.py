"""Option values the commands share, taken as people type them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from click.shell_completion import CompletionItem


class ForgivingChoice(click.Choice[str]):
    """A choice people may type in any case and with - for _ (iod2025 is IoD2025, sub-icb is sub_icb),
    shown and listed as written; a wrong one is answered with the list, as click does.

    click's own case_sensitive=False would list the choices in lower case ("iod2025") in help and errors.
    """

    def __init__(self, choices: Sequence[str]) -> None:
        folded = [_folded(choice) for choice in choices]
        if len(set(folded)) != len(folded):
            raise ValueError(f"these choices differ only in case or - and _: {list(choices)}")
        super().__init__(choices)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str):
            value = next((choice for choice in self.choices if _folded(choice) == _folded(value)), value)
        return super().convert(value, param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return [CompletionItem(c) for c in self.choices if _folded(c).startswith(_folded(incomplete))]


def _folded(text: str) -> str:
    return text.strip().casefold().replace("-", "_")


def organisation_code(_context: click.Context, _option: click.Parameter, given: str) -> str:
    """An organisation's code as it is stored (rxa is RXA): the service keeps codes in capitals."""
    return given.strip().upper()


def area_codes(_context: click.Context, _option: click.Parameter, given: tuple[str, ...]) -> tuple[str, ...]:
    """Area codes as the reference data writes them (e06000009 is E06000009): every one is capitals and
    digits, ONS codes (E06000009, E54000048) and NHS codes (QE1) alike."""
    return tuple(code.strip().upper() for code in given)


# --org, as every command that acts for one organisation takes it.
organisation_option = click.option(
    "--org",
    "org_code",
    required=True,
    callback=organisation_code,
    help="The organisation's code (ODS code), e.g. RXA.",
)
