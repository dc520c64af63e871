"""Text the databases cannot keep (NUL bytes), text that is not text (lone surrogates), numbers too long to
read and control characters are refused at the door with a clear 400, never a server error, whichever
database is behind."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.integration.api.conftest import Api

HUGE_NUMBER = "9" * 5000  # Python refuses to read integers over 4,300 digits
BODIES = {
    "NUL in a title": '{"title": "Close the clinic\\u0000 on Sundays"}',
    "lone surrogate in a title": '{"title": "Close the clinic \\ud800 on Sundays"}',
    "control character in a title": '{"title": "Close the clinic\\u0007 on Sundays"}',
    "huge number": '{"title": "Close the clinic", "extra": ' + HUGE_NUMBER + "}",
}


@pytest.mark.parametrize("case", BODIES)
def test_bad_characters_in_json_are_a_clear_400(app: Flask, api: Api, case: str) -> None:
    response = api.post("/assessments", "manager", data=BODIES[case], content_type="application/json")
    assert response.status_code == 400, (case, response.get_data(as_text=True)[:500])
    assert response.content_type == "application/problem+json"
    assert "character" in response.json["detail"] or "number" in response.json["detail"]


@pytest.mark.parametrize(
    "text", ["Finance\x00 committee", "Finance \ud800 committee", "Finance\x1b committee"]
)
def test_bad_characters_in_answers_are_refused_and_nothing_is_saved(api: Api, draft: int, text: str) -> None:
    before = api.get(f"/assessments/{draft}", "manager").json
    body = {"answers": {"proposal.decision_forum": text}, "lock_version": before["lock_version"]}
    import json

    raw = json.dumps(body)  # \ud800 and \x00 are written as JSON escapes, as a client would send them
    response = api.put(
        f"/assessments/{draft}/answers/proposal", "manager", data=raw, content_type="application/json"
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert api.get(f"/assessments/{draft}", "manager").json["answers"] == before["answers"]


def test_line_breaks_and_tabs_are_kept(api: Api, draft: int) -> None:
    lock = api.get(f"/assessments/{draft}", "manager").json["lock_version"]
    text = "First line\r\nSecond line\tindented"
    body = {"answers": {"proposal.summary": text}, "lock_version": lock}
    saved = api.put(f"/assessments/{draft}/answers/proposal", "manager", json=body)
    assert saved.status_code == 200, saved.json
