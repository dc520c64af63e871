"""The page benchmark (benchmarks/web/bench_pages.py) answers every page of the current framework from the
framework itself; when a framework change (a new question type, say) leaves it unable to, `make bench` stops
half-way. This posts its forms through the real app so that shows up in the suite, not on benchmark day."""

from __future__ import annotations

import re
import sys
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import REPO_ROOT
from tests.integration.wizard.test_wizard import _form, _signed_in_manager, _start


def test_the_page_benchmark_can_answer_every_page(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    sys.path.insert(0, str(REPO_ROOT / "benchmarks" / "web"))
    try:
        from bench_pages import _page_forms
    finally:
        sys.path.remove(str(REPO_ROOT / "benchmarks" / "web"))
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client)
    forms = _page_forms()
    assert len(forms) > 10
    for page_id, form in forms:
        url = f"/assessments/{assessment_id}/{page_id}"
        response = client.post(url, data={**_form(client, url), **form})
        problems = re.findall(r"<a href=\"#[^\"]*\">([^<]+)</a>", response.get_data(as_text=True))
        assert response.status_code == 302, (page_id, problems)
