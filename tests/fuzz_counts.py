"""How many fuzzed and malformed inputs the suite tried, by kind: counted as tests run, printed at the end
of the run and written to tests/artifacts/fuzz-counts.json (for the closing note of issue 10).

HYPOTHESIS_PROFILE=deep multiplies every fuzz test's example count by 20 for a longer local run."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

COUNTS: Counter[str] = Counter()
SCALE = 20 if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else 1
ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "fuzz-counts.json"


def tried(kind: str, n: int = 1) -> None:
    COUNTS[kind] += n


def fuzz_settings(examples: int) -> settings:
    """Modest example counts so CI stays fast; no deadline (the shared machine's timings vary)."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Under pytest-xdist the fuzz tests run in worker processes: each worker hands its counts to the controller
# (workeroutput), which adds them up before printing. The hooks are optional: plain pytest runs without xdist.
@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    COUNTS.update(getattr(node, "workeroutput", {}).get("fuzz_counts", {}))


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # this process is an xdist worker
        workeroutput["fuzz_counts"] = dict(COUNTS)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS or hasattr(terminalreporter.config, "workeroutput"):
        return
    total = sum(COUNTS.values())
    terminalreporter.section(f"fuzzed and malformed inputs tried: {total:,}")
    for kind, n in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{n:>8,}  {kind}")
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(
        json.dumps({"total": total, "by_kind": dict(sorted(COUNTS.items()))}, indent=2) + "\n"
    )
