"""`make bench`: run every benchmark, each in its own process, and print its figures.

Each benchmark prints its figure beside a baseline measured in the same run. Figures that miss a target are
marked but do not fail the run; a benchmark that crashes does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITES = [
    [sys.executable, str(HERE / "run_geography.py")],
    [sys.executable, str(HERE / "documents" / "bench_pdf.py")],
]
# Later benchmarks (wizard pages, load tests) add themselves here.
OPTIONAL = [
    HERE / "web" / "bench_pages.py",
    HERE / "web" / "bench_api.py",
    HERE / "web" / "bench_postgis.py",
    HERE / "load" / "run_load.py",
]


def main() -> int:
    commands = SUITES + [[sys.executable, str(path)] for path in OPTIONAL if path.exists()]
    failed = []
    for command in commands:
        print(f"==== {Path(command[-1]).relative_to(HERE)}", flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(command[-1])
    if failed:
        print("Failed to run: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
