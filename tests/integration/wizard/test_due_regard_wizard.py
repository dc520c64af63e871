"""The wizard under the current framework (1.1's due regard, issue 12; 1.2's screening, issue 19): a patient
list's unknown shares reported on the area page and as quality warnings, and pages of sections screening
leaves out stepped over."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.wizard.test_area_bad_input import (  # noqa: F401 (fixtures)
    _post_area,
    _real_postcodes,
    _stored,
    _upload,
    saved,
)


def test_patient_list_unknown_shares_are_reported(
    area_app: Flask,
    client: FlaskClient,
    saved: int,  # noqa: F811
) -> None:
    postcodes = _real_postcodes(20)
    rows = ["postcode,ethnicity,sex"]
    for number, postcode in enumerate(postcodes):
        rows.append(f"{postcode},{'Z' if number < 5 else 'A'},{'' if number == 0 else '2'}")
    rows.append("ZZ9 9ZZ,A,1")  # not a postcode in Code-Point Open: unmatched
    upload = _upload("patients.csv", ("\n".join(rows) + "\n").encode())
    response = _post_area(client, saved, {"method": "patient_list", "patient_file": upload})
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = _stored(area_app, saved)
    assert stored["profile"]["completeness"] == {
        "source": "patient list",
        "records": 21,
        "unknown": {"ethnicity": 5, "sex": 1},
    }
    assert all(p not in str(stored) for p in postcodes)  # counts only
    page = client.get(f"/assessments/{saved}/area").get_data(as_text=True)
    assert "How complete the patient list is" in page
    assert "5 of 21 records (24%) have no ethnicity recorded" in page
    assert "1 of 21 records (5%) have no sex recorded" in page
    assert "1 of 21 records (5%) could not be matched to a neighbourhood" in page
    tasks = client.get(f"/assessments/{saved}").get_data(as_text=True)
    assert "have no ethnicity recorded. NHS England&#39;s statement" in tasks


def _save(client: FlaskClient, assessment_id: int, page_id: str, data: dict[str, Any]) -> Any:
    url = f"/assessments/{assessment_id}/{page_id}"
    html = client.get(url).get_data(as_text=True)
    lock = html.split('name="lock_version" value="')[1].split('"')[0]
    return client.post(url, data={"csrf_token": csrf_token_from(html), "lock_version": lock, **data})


@pytest.mark.parametrize(
    ("kind", "after_pc", "after_screening"),
    [
        # full: the EHIA groups' page next (the groups framework 1.2 shared with the inclusion health
        # section are asked there only)
        ("service_change", "ehia_groups", "core20"),
        ("digital", "ehia_groups", "core20"),
    ],
)
def test_the_wizard_follows_screening(
    area_app: Flask,
    client: FlaskClient,
    saved: int,  # noqa: F811
    kind: str,
    after_pc: str,
    after_screening: str,
) -> None:
    assert _save(client, saved, "proposal", {"proposal.kind": kind, **_proposal()}).status_code == 302
    screening = client.get(f"/assessments/{saved}/screening").get_data(as_text=True)
    assert "What screening found: Full assessment" in screening
    response = _save(client, saved, "screening", {"screening.relevance": "no"})
    # A full assessment cannot be "not required": the not-required page is stepped over.
    assert response.headers["Location"].endswith(f"/{after_screening}")
    response = _save(client, saved, "pc", _all_neutral("pc"))
    assert response.headers["Location"].endswith(f"/{after_pc}")


def test_a_short_assessment_steps_over_the_sections_it_leaves_out(
    area_app: Flask,
    client: FlaskClient,
    saved: int,  # noqa: F811
) -> None:
    from hia_service.data.models import Assessment
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    with area_app.app_context():
        row = db.session.get(Assessment, saved)
        # A local policy that changes nobody's access, for people no more deprived than England: screening
        # allows a short assessment (framework 1.2 needs all three for the short route).
        row.answers = {**row.answers, "proposal.kind": "policy", "proposal.changes_access": "no"}
        row.profile = {**row.profile, "core20_share": 0.1}
        commit()
    response = _save(client, saved, "pc", _all_neutral("pc"))
    assert response.headers["Location"].endswith("/ehia")
    page = client.get(f"/assessments/{saved}/ehia").get_data(as_text=True)
    assert f'href="/assessments/{saved}/pc"' in page  # the back link skips them too
    assert "Will support" in page and "May support" in page and "Uncertain" in page


def _all_neutral(section_id: str) -> dict[str, str]:
    """A neutral impact for every group of the section: all of them share one page."""
    from hia_service.domain.rules import load_framework

    return {f"{g.id}.impact": "neutral" for g in load_framework().section(section_id).groups}


def _proposal() -> dict[str, str]:
    from tests.integration.wizard.test_wizard import PROPOSAL

    return {k: v for k, v in PROPOSAL.items() if k != "proposal.kind"}
