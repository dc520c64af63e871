"""Run every geography benchmark (issue 3) and print their figures. Takes about two minutes.

Run: .venv/bin/python benchmarks/run_geography.py
Each benchmark runs in its own process (so timings and memory do not leak between them) and prints its figure
beside the naive way measured in the same run. Exits non-zero only if a benchmark fails to run; figures that
miss a target are marked MISSED but are not test failures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "geography"
BENCHMARKS = [
    ("bench_load.py", []),
    ("bench_memory.py", []),
    ("bench_custom_polygon.py", ["--repeat", "30"]),
    ("bench_england.py", ["--repeat", "5"]),
    ("bench_postcodes.py", ["--repeat", "3"]),
]


def main() -> int:
    failed = []
    for name, args in BENCHMARKS:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name), *args], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"Failed to run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
