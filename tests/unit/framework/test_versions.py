"""Old versions stay loadable: an assessment keeps rendering and scoring under the rules it was done with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hia_service.cli.rules import rules_cli
from hia_service.domain.framework.source import RulesError
from hia_service.domain.rules import (
    RuleSet,
    UnknownVersionError,
    cached_rules,
    clear_cache,
    load_framework,
    load_rules,
    load_scoring,
)
from hia_service.domain.scoring import score


def add_version_2_0(rules_dir: Path) -> None:
    """Publish framework 2.0 (reworded title question) and scoring 2.0 (stricter threshold), both copied from
    1.0 and made current: a version after every one the project ships."""
    framework = (rules_dir / "framework" / "1.0.yaml").read_text()
    framework = framework.replace('version: "1.0"', 'version: "2.0"').replace(
        "label: What is the proposal called?", "label: What is the name of the proposal?"
    )
    (rules_dir / "framework" / "2.0.yaml").write_text(framework)
    scoring = (rules_dir / "scoring" / "1.0.yaml").read_text()
    scoring = scoring.replace(
        'version: "1.0"\nframework_version: "1.0"', 'version: "2.0"\nframework_version: "2.0"'
    )
    scoring = scoring.replace("    value: 1.5\n", "    value: 1.3\n")
    (rules_dir / "scoring" / "2.0.yaml").write_text(scoring)
    (rules_dir / "current.yaml").write_text('framework: "2.0"\nscoring: "2.0"\n')


@pytest.fixture
def two_versions(rules_copy: Path) -> RuleSet:
    add_version_2_0(rules_copy)
    return load_rules(rules_copy)


def test_current_and_named_versions(two_versions: RuleSet) -> None:
    assert two_versions.framework().version == "2.0"
    assert two_versions.framework().question("proposal.title").label == "What is the name of the proposal?"
    assert two_versions.framework("1.0").question("proposal.title").label == "What is the proposal called?"
    assert two_versions.scoring().framework_version == "2.0"
    assert two_versions.scoring("1.0").framework_version == "1.0"


def test_an_old_assessment_scores_under_its_own_version(two_versions: RuleSet) -> None:
    answers = {"core20.access.impact": "negative"}
    profile = {"core20_share": 0.28, "relative_core20": 1.4, "baseline": {"england": {"core20_share": 0.2}}}
    old = score(answers, profile, two_versions, version="1.0")
    new = score(answers, profile, two_versions)
    assert (old.rules_version, old.dimension("deprivation").rating) == ("1.0", "medium")
    assert (new.rules_version, new.dimension("deprivation").rating) == ("2.0", "high")
    assert "relative 1.40 ≥ 1.3" in new.dimension("deprivation").reasons[0].text


def test_unknown_version_is_a_clear_error(two_versions: RuleSet) -> None:
    expected = r"there is no framework version 9\.9 \(versions: 1\.0, 1\.1, 1\.2, 1\.3, 2\.0\)"
    with pytest.raises(UnknownVersionError, match=expected):
        two_versions.framework("9.9")
    with pytest.raises(UnknownVersionError):
        two_versions.scoring("0.1")


def test_current_must_pair_scoring_with_its_framework(rules_copy: Path) -> None:
    add_version_2_0(rules_copy)
    (rules_copy / "current.yaml").write_text('framework: "1.0"\nscoring: "2.0"\n')
    result = CliRunner().invoke(rules_cli, ["check", "--dir", str(rules_copy)])
    assert result.exit_code == 1
    assert result.stdout.strip().endswith(
        "current.yaml:2: scoring version 2.0 is written for framework 2.0, not 1.0"
    )
    assert result.stderr.strip() == f"1 problem found in {rules_copy}"


def test_load_framework_is_cached_per_folder(rules_copy: Path) -> None:
    clear_cache()
    first = load_framework(rules_dir=rules_copy)
    add_version_2_0(rules_copy)
    assert load_framework(rules_dir=rules_copy) is first  # loaded once per process
    clear_cache()
    assert load_framework(rules_dir=rules_copy).version == "2.0"
    assert load_framework("1.0", rules_dir=rules_copy).version == "1.0"
    assert load_scoring(rules_dir=rules_copy).version == "2.0"
    assert cached_rules(rules_copy) is cached_rules(rules_copy)
    clear_cache()


def test_load_rules_builds_the_same_files_once_and_a_changed_file_afresh(rules_copy: Path) -> None:
    first = load_rules(rules_copy)
    assert load_rules(rules_copy) is first  # the same bytes: the rule set already built
    add_version_2_0(rules_copy)
    changed = load_rules(rules_copy)
    assert changed is not first and changed.framework().version == "2.0"
    # A changed schema is read again too, though every rules file is as before.
    schema_file = rules_copy / "schema" / "current.schema.json"
    schema = json.loads(schema_file.read_text())
    schema["required"] = [*schema.get("required", []), "approved_by"]
    schema_file.write_text(json.dumps(schema))
    with pytest.raises(RulesError, match="'approved_by' is missing"):
        load_rules(rules_copy)


def test_default_folder_is_the_project_rules(monkeypatch: pytest.MonkeyPatch, rules_copy: Path) -> None:
    # The domain reads no environment: HIA_RULES_DIR reaches it through the settings, as an argument.
    (rules_copy / "current.yaml").write_text('framework: "1.0"\nscoring: "1.0"\n')
    monkeypatch.setenv("HIA_RULES_DIR", str(rules_copy))
    clear_cache()
    assert load_framework().version == "1.3"  # the project's current version
    assert load_framework(rules_dir=rules_copy).version == "1.0"
    clear_cache()


def test_cli_check_reads_the_rules_named_by_hia_rules_dir(
    monkeypatch: pytest.MonkeyPatch, rules_copy: Path
) -> None:
    add_version_2_0(rules_copy)
    monkeypatch.setenv("HIA_RULES_DIR", str(rules_copy))
    monkeypatch.setenv("HIA_ENV", "production")  # the full settings would refuse (no secret key): not needed
    monkeypatch.delenv("HIA_SECRET_KEY", raising=False)
    result = CliRunner().invoke(rules_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "Scoring 2.0 (current) for framework 2.0: 5 dimensions" in result.output


def test_cli_check_passes_on_the_project_rules() -> None:
    result = CliRunner().invoke(rules_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:5] == [
        "The rules are valid.",
        "Framework 1.0: 11 sections, 147 questions",
        "Framework 1.1: 18 sections, 255 questions",
        "Framework 1.2: 22 sections, 281 questions",
        "Framework 1.3 (current): 22 sections, 284 questions",
    ]


def test_cli_check_lists_versions(rules_copy: Path) -> None:
    add_version_2_0(rules_copy)
    result = CliRunner().invoke(rules_cli, ["check", "--dir", str(rules_copy)])
    assert result.exit_code == 0
    assert "Framework 1.0: 11 sections" in result.output
    assert "Scoring 2.0 (current) for framework 2.0: 5 dimensions" in result.output


def test_cli_check_prints_one_line_per_problem_and_exits_1(rules_copy: Path) -> None:
    path = rules_copy / "framework" / "1.0.yaml"
    text = (
        path.read_text()
        .replace("type: person", "type: human", 1)
        .replace("prompt: Women and men", "promt: Women")
    )
    path.write_text(text)
    result = CliRunner().invoke(rules_cli, ["check", "--dir", str(rules_copy)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:{text.splitlines().index('        type: human') + 1}: ")
    assert "'human' is not allowed" in lines[0]
    assert lines[1].endswith("unknown key 'promt' (check the spelling)")
    assert result.stderr == f"2 problems found in {rules_copy}\n"
