"""Load test: 50 people at once browsing the wizard, saving answers, looking at area profiles and using the
API, against gunicorn (several workers) and PostgreSQL, for 5 minutes. Target (issue 23): zero errors, p95 <
100 ms for page, save, profile and API requests.

Run: .venv/bin/python benchmarks/load/run_load.py   (HIA_LOAD_SECONDS=30 for a smoke run; HIA_LOAD_USERS,
HIA_LOAD_WORKERS and HIA_LOAD_THREADS change the other numbers). Creates a throwaway database
hia_bench_<random> on HIA_BENCH_POSTGRES_URL's server, migrates it, loads the reference data, seeds
HIA_LOAD_USERS managers with 10 answered assessments each, serves with gunicorn, drives it with locust
(headless) and drops the database at the end. A missed target is printed as FAIL; the script then still
exits 0 (as every benchmark does) unless HIA_LOAD_STRICT=1.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "web"))
from bench_pages import (  # noqa: E402 - a sibling benchmark's helpers
    BIN,
    REPO,
    _environment,
    _free_port,
    _wait_until_up,
    fresh_database,
)

SECONDS = int(os.environ.get("HIA_LOAD_SECONDS", "300"))
USERS = int(os.environ.get("HIA_LOAD_USERS", "50"))
WORKERS = int(os.environ.get("HIA_LOAD_WORKERS", "4"))
THREADS = int(os.environ.get("HIA_LOAD_THREADS", "4"))
ASSESSMENTS_EACH = 10
TARGET_P95_MS = 100.0
CATEGORIES = ("page", "save", "profile", "api")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hia-load-") as name, fresh_database() as url:
        folder = Path(name)
        # One load balancer in front, as in production: each simulated person has their own address.
        env = {**_environment(url, folder), "HIA_QUEUE": "sync", "HIA_TRUSTED_PROXIES": "1"}
        _prepare(env, folder)
        with _gunicorn(env, folder) as base:
            samples = _locust(env, folder, base)
    return _report(samples)


def _prepare(env: dict[str, str], folder: Path) -> None:
    for command in (["db", "upgrade"], ["reference", "load"]):
        subprocess.run([str(BIN / "hia"), *command], env=env, cwd=REPO, check=True, capture_output=True)
    seed = [
        str(BIN / "python"),
        str(HERE / "seed.py"),
        str(USERS),
        str(ASSESSMENTS_EACH),
        str(folder / "seed.json"),
    ]
    subprocess.run(seed, env=env, cwd=REPO, check=True)


@contextmanager
def _gunicorn(env: dict[str, str], folder: Path) -> Iterator[str]:
    port = _free_port()
    log_path = folder / "gunicorn.log"
    command = [
        str(BIN / "gunicorn"),
        *("--workers", str(WORKERS), "--threads", str(THREADS), "--bind", f"127.0.0.1:{port}"),
        *("--timeout", "120", "wsgi:app"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process, log_path)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            errors = [line for line in log_path.read_text(errors="replace").splitlines() if '"error"' in line]
            if errors:
                print(
                    f"gunicorn logged {len(errors)} error lines; the first: {errors[0][:500]}",
                    file=sys.stderr,
                )


def _locust(env: dict[str, str], folder: Path, base: str) -> list[list]:
    samples = folder / "samples.json"
    command = [
        str(BIN / "locust"),
        *("-f", str(HERE / "locustfile.py"), "--headless", "--host", base),
        *("--users", str(USERS), "--spawn-rate", "10", "--run-time", f"{SECONDS}s"),
        *("--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"),
    ]
    locust_env = {**env, "HIA_LOAD_SEED": str(folder / "seed.json"), "HIA_LOAD_SAMPLES": str(samples)}
    subprocess.run(command, env=locust_env, cwd=REPO, check=False, capture_output=True)
    if not samples.exists():
        raise SystemExit("locust recorded nothing")
    recorded = json.loads(samples.read_text())
    for error in recorded["errors"][:10]:
        print("error: " + error[:400])
    return recorded["samples"]


def _percentile(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1] if len(times) > 1 else times[0]


def _report(samples: list[list]) -> int:
    # Steady state: the figures for page, save and profile start once every person has signed in (50
    # simultaneous password checks are deliberately slow and would swamp the first seconds); setup requests
    # and every error are still counted.
    settled = max((s[4] for s in samples if s[0] == "setup"), default=0.0)
    warm_up = [s for s in samples if s[0] != "setup" and s[4] <= settled and s[3]]
    samples = [s for s in samples if s not in warm_up]
    print(
        f"Load test: {USERS} people, {SECONDS} s, gunicorn {WORKERS} workers x {THREADS} threads, "
        f"PostgreSQL, {os.cpu_count()} CPU cores shared with everything else on this machine"
    )
    print(f"Target: zero errors and p95 < {TARGET_P95_MS:.0f} ms for page, save, profile and API requests")
    print(f"{'requests':<10} {'count':>7} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  verdict")
    verdicts = []
    for category in (*CATEGORIES, "setup"):
        rows = [s for s in samples if s[0] == category]
        if not rows:
            continue
        times = [s[2] for s in rows]
        errors = sum(1 for s in rows if not s[3])
        p50, p95, p99 = (_percentile(times, q) for q in (50, 95, 99))
        ok = errors == 0 and (category == "setup" or p95 < TARGET_P95_MS)
        verdicts.append(ok)
        verdict = "" if category == "setup" and ok else ("pass" if ok else "FAIL")
        print(f"{category:<10} {len(rows):>7} {errors:>7} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}  {verdict}")
    total, failed = len(samples), sum(1 for s in samples if not s[3])
    print(f"{'all':<10} {total:>7} {failed:>7}   ({total / SECONDS:.1f} requests/s)")
    print(
        f"({len(warm_up)} successful requests made while people were still signing in are not in the figures)"
    )
    passed = all(verdicts) and bool(verdicts)
    print("RESULT: " + ("PASS" if passed else "FAIL"))
    _print_slowest(samples)
    return 0 if passed or os.environ.get("HIA_LOAD_STRICT") != "1" else 1


def _print_slowest(samples: list[list]) -> None:
    by_name: dict[str, list[float]] = {}
    for _category, name, elapsed, _ok, _at in samples:
        by_name.setdefault(name, []).append(elapsed)
    print(f"{'request':<36} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for name, times in sorted(by_name.items(), key=lambda item: -_percentile(item[1], 95)):
        print(f"{name:<36} {len(times):>7} {statistics.median(times):>8.1f} {_percentile(times, 95):>8.1f}")


if __name__ == "__main__":
    sys.exit(main())
