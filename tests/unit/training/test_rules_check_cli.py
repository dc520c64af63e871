"""`hia rules check` covers the training scenarios too."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from hia_service.cli.rules import rules_cli
from tests.unit.training.conftest import RULES_DIR, SCENARIO_FILES


def test_check_counts_the_scenarios() -> None:
    result = CliRunner().invoke(rules_cli, ["check", "--dir", str(RULES_DIR)])
    assert result.exit_code == 0, result.output
    assert f"Training scenarios: {len(SCENARIO_FILES)}" in result.stdout.splitlines()


def test_check_reports_a_broken_scenario_with_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    path = rules / "training" / "video-outpatients-hull.yaml"
    text = path.read_text(encoding="utf-8").replace("pc.age.evidence: People", "pc.ageing.evidence: People")
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(rules_cli, ["check", "--dir", str(rules)])
    assert result.exit_code == 1
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "pc.ageing.evidence" in t)
    assert result.stdout.strip() == (
        f"{path}:{line}: there is no question 'pc.ageing.evidence' in framework 1.3"
    )
    assert result.stderr == f"1 problem found in {rules}\n"
