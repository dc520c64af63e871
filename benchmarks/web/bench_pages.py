"""How quickly the manager's wizard pages answer under gunicorn against PostgreSQL.

Run: .venv/bin/python benchmarks/web/bench_pages.py [--gets 200] [--posts 100]
Starts the app with gunicorn (2 workers) on a free local port against a fresh PostgreSQL database (migrated
with `hia db upgrade`, demo seeded, dropped at the end), signs in as the demo manager, starts an assessment
with an area, then times GETs of the task list, a step page, the area page (with its profile) and check
answers, and POST saves of a step page and the area. Prints p50/p95 per page beside GET /healthz measured in
the same run (the cost of a request that does no work). Target: every wizard page p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVER = os.environ.get("HIA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MANAGER = ("manager@demo.hia.nhs.example", "demo-password-2026")
TARGET_P95_MS = 150.0
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
CSRF_VALUE_FIRST_RE = re.compile(r'value="([^"]+)"[^>]*name="csrf_token"')
LSOAS = "E01012681\nE01012682\nE01012683\nE01012684\nE01012685"
PROPOSAL = {
    "proposal.title": "Move the phlebotomy clinic",
    "proposal.kind": "service_change",
    "proposal.summary": "Move the clinic to the health centre on the high street",
    "proposal.outcomes": "Shorter journeys for most patients",
    "proposal.decision_forum": "Board",
    "proposal.decision_date-day": "1",
    "proposal.decision_date-month": "6",
    "proposal.decision_date-year": "2027",
    "proposal.lead": "Sam Lead",
    "proposal.directorate": "Community",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gets", type=int, default=200, help="GETs of each page")
    parser.add_argument("--posts", type=int, default=100, help="POST saves of each form")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hia-bench-") as folder, fresh_database() as url:
        env = _environment(url, Path(folder))
        for command in (["db", "upgrade"], ["demo", "seed"]):
            subprocess.run([str(BIN / "hia"), *command], env=env, cwd=REPO, check=True, capture_output=True)
        with gunicorn(env, Path(folder)) as base:
            rows = _measure(Browser(base), args.gets, args.posts)
    _print(rows)
    return 0


@contextmanager
def fresh_database() -> Iterator[str]:
    """A throwaway PostgreSQL database, dropped however the run ends."""
    name = f"hia_bench_{secrets.token_hex(6)}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _environment(database_url: str, data_dir: Path) -> dict[str, str]:
    _reference_snapshot(data_dir)
    return {
        **os.environ,
        "HIA_ENV": "development",  # plain HTTP, so the session cookie is not marked Secure
        "HIA_SECRET_KEY": secrets.token_hex(32),
        "HIA_DATABASE_URL": database_url,
        "HIA_DATA_DIR": str(data_dir),
        "HIA_LOG_LEVEL": "WARNING",
    }


def _reference_snapshot(data_dir: Path) -> None:
    """Reuse the instance's reference snapshot (read-only) if there is one; otherwise load one (slower)."""
    instance = REPO / "instance" / "reference"
    if (instance / "CURRENT").is_file():
        (data_dir / "reference").symlink_to(instance, target_is_directory=True)
        return
    from hia_service.reference.loader import load_reference

    source = Path(os.environ.get("HIA_REFERENCE_DIR", REPO.parent / "shared" / "reference-data"))
    load_reference(source, data_dir)


@contextmanager
def gunicorn(env: dict[str, str], folder: Path) -> Iterator[str]:
    port = _free_port()
    log = (folder / "gunicorn.log").open("wb")
    command = [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, process, folder / "gunicorn.log")
        yield base
    except BaseException:
        print((folder / "gunicorn.log").read_text(errors="replace")[-4000:], file=sys.stderr)
        raise
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=10):
                return
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 60 seconds")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a save answers 302; time that answer, not the page it points to


class Browser:
    """Just enough of a browser: a cookie jar, no redirects followed, CSRF tokens read from forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, body, Location) for one GET, or a POST when `form` is given."""
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")

    def form_fields(self, path: str) -> dict[str, str]:
        """The hidden CSRF token (and lock version, if the page has one) of the first form on `path`."""
        status, page, _ = self.request(path)
        assert status == 200, f"GET {path} answered {status}"
        token = CSRF_RE.search(page) or CSRF_VALUE_FIRST_RE.search(page)
        assert token, f"{path} has no CSRF token"
        fields = {"csrf_token": html.unescape(token[1])}
        lock = re.search(r'name="lock_version" value="(\d+)"', page)
        return {**fields, "lock_version": lock[1]} if lock else fields

    def post(self, path: str, form: dict[str, str], expect: int = 302) -> str:
        status, page, location = self.request(path, {**self.form_fields(path), **form})
        assert status == expect, f"POST {path} answered {status}: {page[:500]}"
        return location


def _set_up(browser: Browser) -> int:
    browser.post("/sign-in", {"email": MANAGER[0], "password": MANAGER[1]})
    location = browser.post("/assessments/new", {"title": "Benchmark: move the clinic"})
    assessment_id = int(re.search(r"/assessments/(\d+)", location)[1])
    browser.post(f"/assessments/{assessment_id}/proposal", PROPOSAL)
    browser.post(f"/assessments/{assessment_id}/area", {"method": "lsoa_codes", "lsoa_codes": LSOAS})
    status, page, _ = browser.request(f"/assessments/{assessment_id}/area")
    assert status == 200 and 'id="core20-headline"' in page, "the area page shows no profile"
    return assessment_id


def _measure(browser: Browser, gets: int, posts: int) -> list[tuple[str, list[float]]]:
    assessment = f"/assessments/{_set_up(browser)}"
    pages = {
        "GET /healthz (baseline)": "/healthz",
        "GET task list": assessment,
        "GET step page (proposal)": f"{assessment}/proposal",
        "GET area page with profile": f"{assessment}/area",
        "GET check answers": f"{assessment}/check-answers",
    }
    rows = [(label, _time_gets(browser, path, gets)) for label, path in pages.items()]
    area_form = {"method": "lsoa_codes", "lsoa_codes": LSOAS}
    rows.append(("POST save step page", _time_posts(browser, f"{assessment}/proposal", PROPOSAL, posts)))
    rows.append(("POST save area (5 LSOAs)", _time_posts(browser, f"{assessment}/area", area_form, posts)))
    return rows


def _time_gets(browser: Browser, path: str, count: int) -> list[float]:
    browser.request(path)  # warm both workers' caches before timing
    browser.request(path)
    return [_timed(browser, path, None, 200) for _ in range(count)]


def _time_posts(browser: Browser, path: str, form: dict[str, str], count: int) -> list[float]:
    times = []
    for _ in range(count):
        fields = {**browser.form_fields(path), **form}  # fresh token and lock version, not timed
        times.append(_timed(browser, path, fields, 302))
    return times


def _timed(browser: Browser, path: str, form: dict[str, str] | None, wanted: int) -> float:
    """Milliseconds for one request, which must answer `wanted` (a fast error page proves nothing)."""
    start = time.perf_counter()
    status = browser.request(path, form)[0]
    elapsed = (time.perf_counter() - start) * 1000
    assert status == wanted, f"{path} answered {status}, not {wanted}"
    return elapsed


def _print(rows: list[tuple[str, list[float]]]) -> None:
    print(f"Wizard pages under gunicorn (2 workers) + PostgreSQL; target p95 < {TARGET_P95_MS:.0f} ms")
    print(f"{'page':<30} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}  target")
    for label, times in rows:
        p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[18]
        verdict = "" if "baseline" in label else ("ok" if p95 < TARGET_P95_MS else "MISSED")
        print(f"{label:<30} {len(times):>4} {p50:>8.1f} {p95:>8.1f}  {verdict}")


if __name__ == "__main__":
    if shutil.which("gunicorn", path=str(BIN)) is None:
        raise SystemExit("gunicorn is not installed in this virtual environment")
    sys.exit(main())
