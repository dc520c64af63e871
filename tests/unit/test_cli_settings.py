"""`hia` with settings that do not validate says why in one line, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hia_service.cli import main


def test_a_missing_secret_in_production_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIA_ENV", "production")
    monkeypatch.delenv("HIA_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["reference", "load"])
    assert result.exit_code == 2
    assert "The service's settings are not valid: HIA_SECRET_KEY must be set in production" in result.output
    assert "Traceback" not in result.output
