"""All configuration is read in hia_service/config.py: nothing else looks at the process environment.

One place means every setting is typed, has a published default and is checked at start-up; a module that
reads os.environ itself has a setting nobody can find.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "hia_service"
ALLOWED = {PACKAGE / "config.py"}
ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) for every use of the process environment in `source`: os.environ/os.getenv however os
    is imported or renamed, and names imported from os (environ[...], getenv(...))."""
    tree = ast.parse(source)
    os_names = {"os"}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_names |= {alias.asname or alias.name for alias in node.names if alias.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [
                (node.lineno, f"from os import {a.name}") for a in node.names if a.name in ENVIRONMENT_NAMES
            ]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ENVIRONMENT_NAMES
            and isinstance(node.value, ast.Name)
            and node.value.id in os_names
        ):
            found.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return sorted(found)


def test_only_config_reads_the_environment() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 100, "the walk found too few modules to be looking in the right place"
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
        for path in modules
        if path not in ALLOWED
        for line, what in environment_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "read settings in hia_service/config.py and pass them down:\n" + "\n".join(
        offenders
    )


def test_config_itself_is_seen_reading_the_environment() -> None:
    # config.py reads a passphrase from the variable a setting names; if the walk missed that, it would
    # miss the same thing anywhere else.
    assert environment_reads((PACKAGE / "config.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\nx = os.environ.get('HIA_X')\n", [(2, "os.environ")]),
        ("import os\nx = os.environ['HIA_X']\n", [(2, "os.environ")]),
        ("import os\nx = os.getenv('HIA_X')\n", [(2, "os.getenv")]),
        ("import os as system\nx = system.environ\n", [(2, "system.environ")]),
        ("from os import environ\nx = environ['HIA_X']\n", [(1, "from os import environ")]),
        ("from os import getenv as g\n", [(1, "from os import getenv")]),
        ("import os\npath = os.path.join('a', 'b')\n", []),
        ("environment = {'environ': 1}\nx = settings.environ\n", []),
    ],
)
def test_the_check_finds_each_way_of_reading_the_environment(
    source: str, expected: list[tuple[int, str]]
) -> None:
    assert environment_reads(source) == expected
