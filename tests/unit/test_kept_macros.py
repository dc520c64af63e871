"""The design system's macros kept by their params (web/kept_macros.py): the same params give the same HTML
without rendering again; text and Markup of the same characters never share HTML; params that cannot be a
key are rendered every time."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup

from hia_service.web.kept_macros import KeptMacro


@pytest.fixture
def radios(app: Flask, monkeypatch: pytest.MonkeyPatch) -> tuple[KeptMacro, list[Any]]:
    macro = KeptMacro(app, "nhsuk/components/radios/macro.jinja", "radios")
    rendered: list[Any] = []
    real = macro._render

    def counted(params: Any) -> Markup:
        rendered.append(params)
        return real(params)

    monkeypatch.setattr(macro, "_render", counted)
    return macro, rendered


def _params(text: Any, value: str = "yes") -> dict[str, Any]:
    items = [{"value": "yes", "text": "Yes", "conditional": {"html": text}}, {"value": "no", "text": "No"}]
    return {
        "name": "q",
        "idPrefix": "q",
        "value": value,
        "fieldset": {"legend": {"text": "Q?"}},
        "items": items,
    }


def test_the_same_params_give_the_same_html_rendered_once(app: Flask, radios: Any) -> None:
    macro, rendered = radios
    with app.test_request_context():
        first = macro(_params(Markup("<p>Say more</p>")))
        again = macro(_params(Markup("<p>Say more</p>")))
        other = macro(_params(Markup("<p>Say more</p>"), value="no"))
        plain = app.jinja_env.get_template("nhsuk/components/radios/macro.jinja").module.radios(
            _params(Markup("<p>Say more</p>"))
        )
    assert first == again == plain and isinstance(first, Markup)
    assert other != first and 'value="no" checked' in other
    assert len(rendered) == 2


def test_text_and_markup_of_the_same_characters_never_share_html(app: Flask, radios: Any) -> None:
    macro, rendered = radios
    label = "<b>bold</b>"
    with app.test_request_context():
        as_markup = macro({"name": "q", "items": [{"value": "a", "text": Markup(label)}]})
        as_text = macro({"name": "q", "items": [{"value": "a", "text": label}]})
    assert "<b>bold</b>" in as_markup
    assert "<b>" not in as_text and "&lt;b&gt;bold&lt;/b&gt;" in as_text
    assert len(rendered) == 2


def test_params_that_cannot_be_a_key_are_rendered_every_time(app: Flask, radios: Any) -> None:
    macro, rendered = radios
    params = {"name": "q", "items": [{"value": "a", "text": "A"}], "attributes": {"data-x": object()}}
    with app.test_request_context():
        assert macro(params) == macro(params)
    assert len(rendered) == 2
