"""`hia rules check`: validate the framework and scoring rules, reporting every problem with file and line.

It needs no app context on purpose: the service refuses to start on invalid rules, and this is the command
that tells you why.
"""

from __future__ import annotations

from pathlib import Path

import click

from hia_service.config import configured_rules_dir
from hia_service.domain.framework import RulesError
from hia_service.domain.rules import RuleSet, load_rules
from hia_service.domain.training import load_scenarios


@click.group("rules", help="Check the assessment framework and scoring rules.")
def rules_cli() -> None:
    pass


@rules_cli.command("check", help="Validate every rules file. Prints one line per problem and exits 1 if any.")
@click.option(
    "--dir",
    "rules_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The rules folder (default: HIA_RULES_DIR, or the rules/ folder of this project).",
)
def check_command(rules_dir: Path | None) -> None:
    rules_dir = rules_dir or configured_rules_dir()
    try:
        ruleset = load_rules(rules_dir)
        scenarios = load_scenarios(rules_dir, dict(ruleset.frameworks))
    except RulesError as error:
        for problem in error.problems:
            click.echo(str(problem))
        count = len(error.problems)
        click.echo(f"{count} problem{'' if count == 1 else 's'} found in {rules_dir}", err=True)
        raise SystemExit(1) from None
    for line in summary(ruleset):
        click.echo(line)
    click.echo(f"Training scenarios: {len(scenarios)}")


def summary(ruleset: RuleSet) -> list[str]:
    """What was loaded, so a governance team can see their change took."""
    lines = ["The rules are valid."]
    for version, framework in sorted(ruleset.frameworks.items(), key=_by_version):
        current = " (current)" if version == ruleset.current_framework_version else ""
        questions = sum(1 for _ in framework.questions())
        lines.append(
            f"Framework {version}{current}: {len(framework.sections)} sections, {questions} questions"
        )
    for version, scoring in sorted(ruleset.scorings.items(), key=_by_version):
        current = " (current)" if version == ruleset.current_scoring_version else ""
        rules = sum(len(d.rules) for d in scoring.dimensions)
        lines.append(
            f"Scoring {version}{current} for framework {scoring.framework_version}: "
            f"{len(scoring.dimensions)} dimensions, {rules} rules, {len(scoring.thresholds)} thresholds"
        )
    return lines


def _by_version(item: tuple[str, object]) -> tuple[int, ...]:
    return tuple(int(part) for part in item[0].split("."))
