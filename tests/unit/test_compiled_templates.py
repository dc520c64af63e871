"""Templates are compiled once per process and shared by every app it makes; an edited one compiles again."""

from typing import Any

import pytest
from jinja2 import DictLoader, Environment

from hia_service.web import COMPILED_TEMPLATES, CompiledTemplates


def _refuse_to_compile(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("compiled again")


def test_a_second_app_renders_a_page_without_compiling_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from hia_service import create_app

    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert first.test_client().get("/sign-in").status_code == 200
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert second.jinja_env.bytecode_cache is COMPILED_TEMPLATES
    monkeypatch.setattr(second.jinja_env, "compile", _refuse_to_compile)
    page = second.test_client().get("/sign-in")
    assert page.status_code == 200 and b"Sign in" in page.data


def test_an_edited_template_is_compiled_again(monkeypatch: pytest.MonkeyPatch) -> None:
    shared = CompiledTemplates()
    sources = {"page.html": "Hello {{ name }}"}
    assert Environment(loader=DictLoader(sources), bytecode_cache=shared).get_template("page.html").render(
        name="Ada"
    ) == ("Hello Ada")
    unchanged = Environment(loader=DictLoader(sources), bytecode_cache=shared)
    monkeypatch.setattr(unchanged, "compile", _refuse_to_compile)
    assert unchanged.get_template("page.html").render(name="Ada") == "Hello Ada"
    sources["page.html"] = "Goodbye {{ name }}"
    edited = Environment(loader=DictLoader(sources), bytecode_cache=shared)
    assert edited.get_template("page.html").render(name="Ada") == "Goodbye Ada"
