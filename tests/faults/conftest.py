"""Fault tests against a real PostgreSQL cluster of their own (never the shared one on 5432, which other
work depends on): `pg_createcluster <version> hiafaults<pid> --port 5499` (or the next free port), made here
and dropped at the end, which the tests stop, restart and start at will. The service runs under gunicorn, as
in production.

Needs root (pg_ctlcluster, mount) and the PostgreSQL server packages: CI's machine has both.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_postgres_port(pid: int) -> int:
    """A port no other cluster has: xdist workers import this module at the same moment, so each starts
    looking from a place of its own (by pid) and the configured clusters' ports are skipped as well as
    the listening ones."""
    taken = set()
    for conf in Path("/etc/postgresql").glob("*/*/postgresql.conf"):
        found = re.search(r"^\s*port\s*=\s*(\d+)", conf.read_text(errors="replace"), re.MULTILINE)
        if found:
            taken.add(int(found.group(1)))
    start = 5499 + pid % 300
    for port in range(start, start + 100):
        with socket.socket() as probe:
            if port not in taken and probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port for the fault-test PostgreSQL cluster")


# A cluster per test process (pid in the name), so two runs on one machine never stop each other's database.
CLUSTER_PREFIX = "hiafaults"
CLUSTER, PORT = f"{CLUSTER_PREFIX}{os.getpid()}", _free_postgres_port(os.getpid())
DATABASE = "hia_faults"
MANAGER = ("manager@demo.hia.nhs.example", "demo-password-2026")
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
CSRF_VALUE_FIRST_RE = re.compile(r'value="([^"]+)"[^>]*name="csrf_token"')


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)


def postgres_version() -> str:
    versions = sorted(
        os.listdir("/etc/postgresql"), key=lambda v: float(v) if v.replace(".", "").isdigit() else 0
    )
    return versions[-1]


def ctl(action: str) -> None:
    """pg_ctlcluster on our cluster only (fast shutdown: connections are cut, as in a real restart)."""
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_version(), CLUSTER, action]
    if action in ("stop", "restart"):
        command += ["-m", "fast"]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout.strip()}")
    if action in ("start", "restart"):
        wait_for_postgres()


def wait_for_postgres(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PORT)], check=False)
        if ready.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL cluster {CLUSTER} did not come up")


@pytest.fixture(scope="session")
def fault_cluster() -> Iterator[str]:
    """A PostgreSQL cluster of our own that these tests may stop and restart; dropped afterwards."""
    version = postgres_version()
    _drop_abandoned_clusters(version)
    if not Path(f"/etc/postgresql/{version}/{CLUSTER}").exists():
        subprocess.run(
            ["pg_createcluster", version, CLUSTER, "--port", str(PORT), "--", "--auth=trust"],
            check=True,
            capture_output=True,
            timeout=120,
        )
    try:
        ctl("start")
        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        yield f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/{DATABASE}"
    finally:
        subprocess.run(
            ["pg_dropcluster", "--stop", version, CLUSTER], check=False, capture_output=True, timeout=120
        )


def _drop_abandoned_clusters(version: str) -> None:
    """Clusters left by a fault-test run that was killed before it could drop its own."""
    for folder in Path(f"/etc/postgresql/{version}").glob(f"{CLUSTER_PREFIX}*"):
        owner = folder.name.removeprefix(CLUSTER_PREFIX)
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            subprocess.run(
                ["pg_dropcluster", "--stop", version, folder.name], check=False, capture_output=True
            )


def admin_url(database: str = "postgres") -> str:
    return f"postgresql://postgres@127.0.0.1:{PORT}/{database}"


def query(sql: str, *params: object) -> list[tuple]:
    """Read the fault database directly (not through the app being tested)."""
    with psycopg.connect(admin_url(DATABASE), autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())


@dataclass
class Service:
    base: str
    master: subprocess.Popen[bytes]
    log: Path

    def workers(self) -> list[int]:
        """gunicorn's worker processes (children of the master)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.master.pid:
                children.append(int(stat.parent.name))
        return children


@pytest.fixture(scope="session")
def service(fault_cluster: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The app under gunicorn (one worker, four threads) on the fault cluster, migrated and seeded."""
    folder = tmp_path_factory.mktemp("faults")
    env = {
        **os.environ,
        "HIA_ENV": "development",
        "HIA_SECRET_KEY": secrets.token_hex(32),
        "HIA_DATABASE_URL": fault_cluster,
        "HIA_DATA_DIR": str(folder),
        "HIA_QUEUE": "sync",
        "HIA_LOG_LEVEL": "WARNING",
    }
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([str(BIN / "hia"), *command], env=env, cwd=REPO, check=True, capture_output=True)
    port = _free_port()
    log = folder / "gunicorn.log"
    command = [str(BIN / "gunicorn"), "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as out:
        master = subprocess.Popen(
            [*command, "wsgi:app"], env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
        )
        running = Service(f"http://127.0.0.1:{port}", master, log)
        try:
            wait_until_serving(running)
            yield running
        finally:
            master.send_signal(signal.SIGTERM)
            master.wait(timeout=30)
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print("gunicorn log:", text[text.index("Traceback") - 200 :][:6000])


def wait_until_serving(service: Service, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.master.poll() is not None:
            raise RuntimeError("gunicorn stopped:\n" + service.log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(service.base + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass  # not listening yet: poll again until the deadline, which raises below
        time.sleep(0.2)
    raise RuntimeError("the service did not answer /healthz")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """A person using the service: a cookie jar, no redirects followed, CSRF tokens read from forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def request(
        self, path: str, form: dict[str, str] | None = None, timeout: float = 30
    ) -> tuple[int, str, str]:
        """(status, body, Location); a dropped connection raises OSError."""
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=timeout) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")

    def form(self, path: str) -> dict[str, str]:
        """The hidden fields (CSRF token, lock version) of the form on `path`; raises if it did not load."""
        status, page, _ = self.request(path)
        if status != 200:
            raise PageError(status, page)
        token = CSRF_RE.search(page) or CSRF_VALUE_FIRST_RE.search(page)
        assert token, f"{path} has no CSRF token"
        fields = {"csrf_token": html.unescape(token[1])}
        lock = re.search(r'name="lock_version" value="(\d+)"', page)
        return {**fields, "lock_version": lock[1]} if lock else fields

    def post(self, path: str, form: dict[str, str], timeout: float = 30) -> tuple[int, str, str]:
        return self.request(path, {**self.form(path), **form}, timeout=timeout)

    def sign_in(self, email: str = MANAGER[0], password: str = MANAGER[1]) -> None:
        status, page, _ = self.post("/sign-in", {"email": email, "password": password})
        assert status == 302, page[:500]


class PageError(Exception):
    def __init__(self, status: int, page: str) -> None:
        super().__init__(status)
        self.status, self.page = status, page


# The disk-full tests approve assessments in-process, with the review fixtures.
from tests.integration.ops.conftest import act, login, make_assessment, world  # noqa: E402, F401
