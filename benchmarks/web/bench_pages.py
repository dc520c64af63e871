"""How quickly the manager's wizard pages answer under gunicorn against PostgreSQL.

Run: .venv/bin/python benchmarks/web/bench_pages.py [--gets 200] [--posts 100]
Starts the app with gunicorn (2 workers of 4 threads, as `make run`) on a free local port against a fresh
PostgreSQL database (migrated with `hia db upgrade`, demo seeded, dropped at the end), signs in as the demo
manager, starts an assessment, chooses its area and answers every page once. Then it times GETs of the task
list, the area page with its chart and map (one by one, then all three at once as a browser asks for them),
check answers and EVERY page of the current framework (read from rules/, so new sections are measured too),
and a POST save of each of those pages and of the area. Prints p50/p95 per page beside GET /healthz measured
in the same run (the cost of a request that does no work), and each page's pass or miss against the target:
every wizard page p95 < 150 ms. Any answer other than the expected one (a 500, a 400 from a form the page
refused) is listed with the server's log, and the run exits 1; a missed target is marked MISSED but does not
fail the run (benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import html
import itertools
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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVER = os.environ.get("HIA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MANAGER = ("manager@demo.hia.nhs.example", "demo-password-2026")
TARGET_P95_MS = 150.0
GUNICORN_OPTIONS = ["--workers", "2", "--threads", "4", "--timeout", "120"]  # as `make run` serves
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
CSRF_VALUE_FIRST_RE = re.compile(r'value="([^"]+)"[^>]*name="csrf_token"')
AREA_FORM = {"method": "lsoa_codes", "lsoa_codes": "E01012681\nE01012682\nE01012683\nE01012684\nE01012685"}
PROPOSAL_TITLE = "Benchmark: move the clinic"


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
            if UNEXPECTED:
                log = (Path(folder) / "gunicorn.log").read_text(errors="replace")
                print(
                    "\n".join(["Unexpected answers:", *UNEXPECTED, "Server log:", log[-6000:]]),
                    file=sys.stderr,
                )
    _print(rows)
    return (
        1
        if UNEXPECTED or any(_p95(t) >= TARGET_P95_MS for label, t in rows if "baseline" not in label)
        else 0
    )


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18]


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
def gunicorn(env: dict[str, str], folder: Path, app: str = "wsgi:app") -> Iterator[str]:
    """gunicorn serving `app` (module:name, importable with env) as `make run` serves; yields its address
    once /healthz answers and its workers have stopped working on their own (their warm-up done): until
    then a worker still warming up takes a core from the one answering."""
    port = _free_port()
    log = (folder / "gunicorn.log").open("wb")
    command = [str(BIN / "gunicorn"), *GUNICORN_OPTIONS, "--bind", f"127.0.0.1:{port}", app]
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, process, folder / "gunicorn.log")
        _wait_until_idle(process.pid)
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


def _wait_until_idle(master: int, quiet_s: float = 1.0) -> None:
    """Until gunicorn's workers together use under 2% of a core for quiet_s (from /proc: Linux only)."""
    deadline, quiet_since, last = time.monotonic() + 60, time.monotonic(), _workers_cpu_ticks(master)
    while time.monotonic() - quiet_since < quiet_s:
        if time.monotonic() > deadline:
            raise SystemExit("gunicorn's workers were still busy 60 seconds after the start")
        time.sleep(0.25)
        ticks = _workers_cpu_ticks(master)
        if ticks - last > 0.02 * 0.25 * os.sysconf("SC_CLK_TCK"):
            quiet_since = time.monotonic()
        last = ticks


def _workers_cpu_ticks(master: int) -> int:
    """User and system CPU time of master's child processes so far, in clock ticks."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


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

    def request(self, path: str, form: dict[str, Any] | None = None) -> tuple[int, str, str]:
        """(status, body, Location) for one GET, or a POST when `form` is given."""
        body = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode(errors="replace"), ""
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

    def post(self, path: str, form: dict[str, Any], expect: int = 302) -> str:
        status, page, location = self.request(path, {**self.form_fields(path), **form})
        assert status == expect, f"POST {path} answered {status}: {page[:500]}"
        return location


def _set_up(browser: Browser) -> int:
    browser.post("/sign-in", {"email": MANAGER[0], "password": MANAGER[1]})
    location = browser.post("/assessments/new", {"title": "Benchmark: move the clinic"})
    assessment_id = int(re.search(r"/assessments/(\d+)", location)[1])
    browser.post(f"/assessments/{assessment_id}/area", AREA_FORM)
    status, page, _ = browser.request(f"/assessments/{assessment_id}/area")
    assert status == 200 and 'id="core20-headline"' in page, "the area page shows no profile"
    for page_id, form in _page_forms():  # every page answered once, so later pages show what depends on them
        browser.post(f"/assessments/{assessment_id}/{page_id}", form)
    return assessment_id


def _page_forms() -> list[tuple[str, dict[str, str | list[str]]]]:
    """(page id, a valid form) for every page of the current framework except the area, in order."""
    from hia_service.domain.rules import load_rules
    from hia_service.services.assessments.wizard import pages

    framework = load_rules(REPO / "rules").framework(None)
    dates = (date.today() + timedelta(days=90 + 30 * n) for n in itertools.count())
    forms = []
    for page in pages(framework):
        if page.is_area:
            continue
        form: dict[str, str | list[str]] = {}
        for question in page.questions:
            form.update(_answer(question, dates))
        forms.append((page.id, form))
    return forms


def _answer(question: Any, dates: Iterator[date]) -> dict[str, str | list[str]]:
    """Form fields answering one question; dates rise page by page, so every "after" rule holds."""
    kind, qid = question.type, question.id
    if kind == "impact":
        return {qid: "neutral"}
    if kind in ("choice", "rating"):  # ratings (framework 1.1's EHIA) are radios with their own options
        return {qid: question.options[0].value}
    if kind == "multi_choice":  # every choice but "none of these", which rules the others out
        return {qid: [o.value for o in question.options if o.value != "none"] or [question.options[0].value]}
    if kind == "date":
        return _date_fields(qid, next(dates))
    if kind in ("actions", "table"):
        row: dict[str, str | list[str]] = {f"{qid}-rows": "1"}
        for column in question.fields:
            name = f"{qid}-0-{column.id}"
            if column.type == "date":
                row.update(_date_fields(name, next(dates)))
            else:  # a choice column takes its first option; any other column, its label as text
                row[name] = column.options[0].value if getattr(column, "options", None) else column.label
        return row
    if qid in SITE_POSTCODES:  # checked as postcodes: a label is not one
        return {qid: SITE_POSTCODES[qid]}
    if kind in ("text", "long_text", "person"):
        return {
            qid: (PROPOSAL_TITLE if qid == "proposal.title" else question.label)[
                : question.max_length or None
            ]
        }
    return {}  # geography (its own page), profile and screening (worked out, nothing to answer)


# Framework 1.2's site postcodes (who travels further), a real Blackpool postcode each.
SITE_POSTCODES = {"access.current_site": "FY1 4AA", "access.proposed_site": "FY3 8NR"}


def _date_fields(name: str, when: date) -> dict[str, str | list[str]]:
    return {f"{name}-day": str(when.day), f"{name}-month": str(when.month), f"{name}-year": str(when.year)}


def _measure(browser: Browser, gets: int, posts: int) -> list[tuple[str, list[float]]]:
    assessment = f"/assessments/{_set_up(browser)}"
    rows = [("GET /healthz (baseline)", _time_gets(browser, "/healthz", gets))]
    fixed = {
        "task list": assessment,
        "area page with profile": f"{assessment}/area",
        "area chart PNG": f"{assessment}/area/chart.png",
        "area map PNG": f"{assessment}/area/map.png",
        "check answers": f"{assessment}/check-answers",
    }
    rows += [(f"GET {label}", _time_gets(browser, path, gets)) for label, path in fixed.items()]
    rows.append(("GET area page + chart + map at once", _time_together(browser, assessment, gets)))
    rows.append(("POST area (5 LSOAs)", _time_posts(browser, f"{assessment}/area", AREA_FORM, posts)))
    for page_id, form in _page_forms():
        rows.append((f"GET {page_id}", _time_gets(browser, f"{assessment}/{page_id}", gets)))
        rows.append((f"POST {page_id}", _time_posts(browser, f"{assessment}/{page_id}", form, posts)))
    return rows


def _time_together(browser: Browser, assessment: str, count: int) -> list[float]:
    """A browser showing the area page fetches the page and its two images in parallel: time all three."""
    paths = [f"{assessment}/area", f"{assessment}/area/chart.png", f"{assessment}/area/map.png"]
    times = []
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        for _ in range(count):
            start = time.perf_counter()
            list(pool.map(lambda path: _timed(browser, path, None, 200), paths))
            times.append((time.perf_counter() - start) * 1000)
    return times


def _time_gets(browser: Browser, path: str, count: int) -> list[float]:
    browser.request(path)  # warm both workers' caches before timing
    browser.request(path)
    return [_timed(browser, path, None, 200) for _ in range(count)]


def _time_posts(browser: Browser, path: str, form: dict[str, Any], count: int) -> list[float]:
    times = []
    for _ in range(count):
        fields = {**browser.form_fields(path), **form}  # fresh token and lock version, not timed
        times.append(_timed(browser, path, fields, 302))
    return times


UNEXPECTED: list[str] = []  # requests that did not answer as they should; the run fails if there are any


def _timed(browser: Browser, path: str, form: dict[str, Any] | None, wanted: int) -> float:
    """Milliseconds for one request, which must answer `wanted` (a fast error page proves nothing)."""
    start = time.perf_counter()
    status, body, _ = browser.request(path, form)
    elapsed = (time.perf_counter() - start) * 1000
    if status != wanted:
        found = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
        UNEXPECTED.append(
            f"{'POST' if form else 'GET'} {path} answered {status}, not {wanted}: {found and found[1]}"
        )
    return elapsed


def _print(rows: list[tuple[str, list[float]]]) -> None:
    served = f"gunicorn {' '.join(GUNICORN_OPTIONS)} + PostgreSQL"
    print(f"Wizard pages under {served}; target p95 < {TARGET_P95_MS:.0f} ms")
    print(f"{'page':<44} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}  target")
    for label, times in rows:
        p50, p95 = statistics.median(times), _p95(times)
        verdict = "" if "baseline" in label else ("ok" if p95 < TARGET_P95_MS else "MISSED")
        print(f"{label:<44} {len(times):>4} {p50:>8.1f} {p95:>8.1f}  {verdict}")
    slowest = max((r for r in rows if "baseline" not in r[0]), key=lambda r: _p95(r[1]))
    print(f"Slowest p95: {slowest[0]} {_p95(slowest[1]):.1f} ms; unexpected answers: {len(UNEXPECTED)}")


if __name__ == "__main__":
    if shutil.which("gunicorn", path=str(BIN)) is None:
        raise SystemExit("gunicorn is not installed in this virtual environment")
    sys.exit(main())
