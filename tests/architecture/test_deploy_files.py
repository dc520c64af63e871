"""The production set-up in deploy/ (issue 24, item 6): the files parse, name only settings that exist, and
list every setting the service has."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

from hia_service.config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTING = re.compile(r"\bHIA_[A-Z0-9_]+\b")
SETTINGS = {f"HIA_{name.upper()}" for name in Settings.model_fields}
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def test_every_deploy_file_names_only_settings_that_exist() -> None:
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            unknown = set(SETTING.findall(path.read_text())) - SETTINGS
            assert not unknown, f"{path.name} names settings the service does not have: {sorted(unknown)}"


def test_the_environment_file_lists_every_setting_and_parses_as_systemd_reads_it() -> None:
    text = (DEPLOY / "hia.env").read_text()
    assert set(SETTING.findall(text)) == SETTINGS
    values = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep and name in SETTINGS, line
            assert "#" not in value, f"systemd would keep the comment in the value: {line}"
            values[name] = value
    assert values["HIA_ENV"] == "production" and values["HIA_QUEUE"] == "rq"
    assert values["HIA_TRUSTED_PROXIES"] == "1"  # nginx is the one proxy
    settings = Settings(**{k.removeprefix("HIA_").lower(): v for k, v in values.items()})  # validates
    assert settings.database_url.startswith("postgresql")


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_systemd_units_parse_and_run_the_services_commands(path: Path) -> None:
    parsed = unit(path)
    assert parsed.has_section("Unit") and parsed["Unit"].get("Description")
    if path.suffix == ".timer":
        assert parsed["Timer"].get("OnCalendar") and path.with_suffix(".service").exists()
        return
    service = parsed["Service"]
    assert service["EnvironmentFile"] == "/etc/hia/hia.env" and service["User"] == "hia"
    command = service["ExecStart"].split()
    assert command[0].startswith("/opt/hia/.venv/bin/")
    assert command[0].rsplit("/", 1)[1] in ("gunicorn", "hia")


def test_the_web_unit_and_nginx_agree_on_the_address() -> None:
    web = unit(DEPLOY / "systemd" / "hia-web.service")["Service"]["ExecStart"]
    bind = re.search(r"--bind (\S+)", web)
    nginx = (DEPLOY / "nginx" / "hia.conf").read_text()
    assert bind and f"server {bind.group(1)};" in nginx
    assert nginx.count("{") == nginx.count("}")
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in nginx
    assert "wsgi:app" in web


def test_gunicorn_holds_an_idle_connection_longer_than_nginx_does() -> None:
    """Otherwise nginx may send a request on a connection gunicorn is closing, and a POST fails with 502."""
    settings: dict[str, object] = {}
    exec((DEPLOY.parent / "gunicorn.conf.py").read_text(), settings)  # gunicorn reads its config this way
    nginx = (DEPLOY / "nginx" / "hia.conf").read_text()
    upstream = re.search(r"upstream hia_web \{(.*?)\}", nginx, re.S)
    idle = re.search(r"keepalive_timeout (\d+)s;", upstream.group(1)) if upstream else None
    assert idle, "the upstream block should say how long nginx keeps an idle connection to gunicorn"
    assert int(str(settings["keepalive"])) > int(idle.group(1))
