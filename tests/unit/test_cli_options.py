"""The `hia` options people may type in any case: one choice each, shown and listed as written."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from hia_service.cli.options import ForgivingChoice


@click.command()
@click.option("--release", type=ForgivingChoice(["IoD2019", "IoD2025", "WIMD2019"]))
@click.option("--each", type=ForgivingChoice(["lad", "icb", "sub_icb"]))
def command(release: str | None, each: str | None) -> None:
    click.echo(f"{release} {each}")


@pytest.mark.parametrize(
    ("given", "taken"),
    [
        (["--release", "iod2025"], "IoD2025 None"),
        (["--release", " IOD2019 "], "IoD2019 None"),
        (["--each", "Sub-ICB"], "None sub_icb"),
        (["--each", "lad", "--release", "wimd2019"], "WIMD2019 lad"),
    ],
)
def test_any_case_is_the_one_choice(given: list[str], taken: str) -> None:
    result = CliRunner().invoke(command, given)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == taken


def test_a_wrong_value_lists_the_choices_as_written() -> None:
    result = CliRunner().invoke(command, ["--release", "iod2030"])
    assert result.exit_code == 2
    assert "'iod2030' is not one of 'IoD2019', 'IoD2025', 'WIMD2019'." in result.output


def test_help_shows_the_choices_as_written() -> None:
    assert "[IoD2019|IoD2025|WIMD2019]" in CliRunner().invoke(command, ["--help"]).output


def test_choices_that_only_case_tells_apart_are_refused() -> None:
    with pytest.raises(ValueError, match="differ only in case"):
        ForgivingChoice(["IoD2025", "iod2025"])


def test_tab_completion_matches_any_case() -> None:
    choices = ForgivingChoice(["IoD2019", "IoD2025", "WIMD2019"])
    context = click.Context(command)
    option = command.params[0]
    assert [item.value for item in choices.shell_complete(context, option, "iod")] == ["IoD2019", "IoD2025"]
