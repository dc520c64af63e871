"""Fixtures shared with the wizard bad-input tests: an assessment with an area saved (real data)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import make_test_app
from tests.integration.wizard.test_area_bad_input import saved  # noqa: F401


def dispose(app: Flask) -> None:
    """Close an extra app's pooled connections (an unclosed one warns, and warnings are errors here)."""
    from hia_service.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def another_app() -> Iterator[Callable[..., Flask]]:
    """make_test_app for apps with settings of their own, disposed of after the test."""
    made: list[Flask] = []

    def make(*args: Any, **overrides: Any) -> Flask:
        made.append(make_test_app(*args, **overrides))
        return made[-1]

    yield make
    for app in made:
        dispose(app)
