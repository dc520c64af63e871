"""API token strings fuzzed: random header values, the right token cut short, with one character changed,
padded, in another case, under another scheme, or revoked. Only the exact token (with spaces around it)
signs in; every other value is a 401 problem saying why, never a 500, and never a signed-in answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz_counts import fuzz_settings, tried
from tests.integration.api.conftest import Api

latin1 = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=60)


@st.composite
def header_values(draw: st.DrawFn, token: str) -> str:
    scheme = draw(st.sampled_from(["Bearer", "bearer", "BEARER", "Basic", "Token", "", "Bearer:"]))
    how = draw(st.sampled_from(["exact", "cut", "changed", "padded", "case", "random", "doubled"]))
    value = token
    if how == "cut":
        value = token[: draw(st.integers(0, len(token) - 1))]
    elif how == "changed":
        at = draw(st.integers(0, len(token) - 1))
        other = draw(st.characters(codec="latin-1").filter(lambda c: c != token[at] and c not in "\r\n"))
        value = token[:at] + other + token[at + 1 :]
    elif how == "padded":
        value = draw(st.sampled_from([" ", "\t", "  "])) + token + draw(st.sampled_from(["", " ", "\x00"]))
    elif how == "case":
        value = token.swapcase()
    elif how == "random":
        value = draw(latin1)
    elif how == "doubled":
        value = f"{token} {token}"
    return f"{scheme} {value}" if scheme else value


def test_fuzzed_token_strings_sign_in_only_with_the_exact_token(
    app: Flask, api: Api, token_of: Callable[[str], str], no_rate_limit: None
) -> None:
    token = token_of("manager")

    @fuzz_settings(150)
    @given(header=header_values(token) | latin1)
    @example(header="Bearer " + "\x00" * 40)
    @example(header="Bearer hia_" + "é" * 40)
    def attempt(header: str) -> None:
        tried("api: token string")
        response = api.client.get("/api/v1/assessments", headers={"Authorization": header})
        scheme, _, value = header.partition(" ")
        exact = scheme.lower() == "bearer" and value.strip() == token
        if exact:
            assert response.status_code == 200, response.get_data(as_text=True)
        else:
            problem: Any = response.get_json()
            assert response.status_code == 401, (header, response.status_code)
            assert problem and problem.get("detail"), response.get_data(as_text=True)

    attempt()
