"""NHS.UK design-system macros whose HTML is kept by what they were given.

Each component macro of nhsuk-frontend-jinja is a pure function of its params: the same params always give
the same HTML. Rendering them is most of a page's time (a step page's radios alone are about 60% of it, the
header and footer are on every page), and most calls repeat: the same header for everyone of a role, the
same question with the same answer. So each process keeps the HTML of the last few thousand calls, keyed by
the params. Text and Markup are told apart in the key, so text that would be escaped never finds HTML that
was not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from markupsafe import Markup

from hia_service.domain.kept import Kept

KEPT_CALLS = 4096  # a few kB each
MACROS = {
    "nhsuk_header": ("nhsuk/components/header/macro.jinja", "header"),
    "nhsuk_footer": ("nhsuk/components/footer/macro.jinja", "footer"),
    "nhsuk_radios": ("nhsuk/components/radios/macro.jinja", "radios"),
}


class _NotKeyable(Exception):
    pass


def _key_part(value: Any) -> Any:
    if isinstance(value, Markup):
        return {"markup": str(value)}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _key_part(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_key_part(v) for v in value]
    raise _NotKeyable  # anything else (an undefined value, an object): rendered every time


class KeptMacro:
    """Calls one macro, keeping its HTML by its params."""

    def __init__(self, app: Flask, template: str, name: str) -> None:
        self._app = app
        self._template = template
        self._name = name
        self._kept: Kept[str, Markup] = Kept(KEPT_CALLS)

    def __call__(self, params: Mapping[str, Any]) -> Markup:
        try:
            key = json.dumps(_key_part(params), sort_keys=True, separators=(",", ":"))
        except (_NotKeyable, ValueError):
            return self._render(params)
        return self._kept.get_or_make(key, lambda: self._render(params))

    def _render(self, params: Mapping[str, Any]) -> Markup:
        macro: Callable[[Mapping[str, Any]], Any] = getattr(
            self._app.jinja_env.get_template(self._template).module, self._name
        )
        return Markup(macro(params))


def register_kept_macros(app: Flask) -> None:
    for name, (template, macro) in MACROS.items():
        app.add_template_global(KeptMacro(app, template, macro), name)
