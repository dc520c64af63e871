"""The area step given bad input through the real routes: a clear error summary, never a 500, answers kept."""

from __future__ import annotations

import gzip
import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import REFERENCE_DIR, csrf_token_from
from tests.integration.wizard.test_wizard import PROPOSAL, _form, _start

GOOD_CODES = "E01012681\nE01012682\nE01012683"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
# A figure of eight: its outline crosses itself in the middle of Westminster.
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[-0.1, 51.5], [-0.09, 51.51], [-0.09, 51.5], [-0.1, 51.51], [-0.1, 51.5]]],
}
# The Bristol Channel between Devon and Wales: inside the UK's bounds, but no neighbourhood's centre.
IN_THE_SEA = {
    "type": "Polygon",
    "coordinates": [[[-4.3, 51.35], [-4.2, 51.35], [-4.2, 51.4], [-4.3, 51.4], [-4.3, 51.35]]],
}

NORTH_SEA = {"type": "Polygon", "coordinates": [[[2.5, 53], [2.6, 53], [2.6, 53.1], [2.5, 53]]]}


@pytest.fixture
def saved(area_app: Flask, client: FlaskClient, make_user: Any, sign_in: Any) -> int:
    """An assessment with its proposal page answered and an area (three Blackpool LSOAs) chosen."""
    sign_in(make_user("manager"))
    assessment_id = _start(client)
    url = f"/assessments/{assessment_id}/proposal"
    assert client.post(url, data={**_form(client, url), **PROPOSAL}).status_code == 302
    response = _post_area(client, assessment_id, {"method": "lsoa_codes", "lsoa_codes": GOOD_CODES})
    assert response.status_code == 302, response.get_data(as_text=True)
    return assessment_id


def _post_area(client: FlaskClient, assessment_id: int, data: dict[str, Any]) -> Any:
    url = f"/assessments/{assessment_id}/area"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return _post_multipart(client, url, {**data, "csrf_token": token})


def _post_multipart(
    client: FlaskClient, url: str, data: dict[str, Any], headers: dict[str, str] | None = None
) -> Any:
    # Encoded in memory: the test client spools big bodies to a temporary file it never closes.
    boundary, body = encode_multipart(MultiDict(data))
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post(url, data=body, content_type=content_type, headers=headers or {})


def _stored(app: Flask, assessment_id: int) -> dict[str, Any]:
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        stored = {"answers": row.answers, "area": row.area, "profile": row.profile}
        db.session.remove()
    return stored


def _assert_rejected(response: Any, message: str, status: int = 400) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == status, html
    summary = re.search(r'data-module="nhsuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no NHS.UK error summary on the page"
    assert "There is a problem" in summary.group(0)
    assert message in summary.group(0)  # the summary itself says what is wrong
    return html


def _assert_kept(app: Flask, assessment_id: int) -> None:
    stored = _stored(app, assessment_id)
    assert stored["answers"]["proposal.directorate"] == "Community"
    assert stored["area"]["codes"] == GOOD_CODES.split()
    assert stored["profile"]["lsoa_count"] == 3


def _upload(name: str, data: bytes) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def test_unknown_lsoa_code(area_app: Flask, client: FlaskClient, saved: int) -> None:
    response = _post_area(client, saved, {"method": "lsoa_codes", "lsoa_codes": "E01999999"})
    _assert_rejected(response, "E01999999 is not a known LSOA 2021 code")
    _assert_kept(area_app, saved)


def test_every_unusable_code_is_named_with_its_reason(
    area_app: Flask, client: FlaskClient, saved: int
) -> None:
    codes = "E01999999, E01999998\nFY14AA"
    response = _post_area(client, saved, {"method": "lsoa_codes", "lsoa_codes": codes})
    html = _assert_rejected(response, "E01999999 is not a known LSOA 2021 code")
    assert "E01999998 is not a known LSOA 2021 code" in html
    assert "FY1 4** is a postcode, not a small-area code" in html
    _assert_kept(area_app, saved)


def test_codes_left_out_of_a_profile_are_listed_on_the_area_page(
    area_app: Flask, client: FlaskClient, saved: int
) -> None:
    codes = f"{GOOD_CODES}\nE01999999\nW01999999"
    response = _post_area(client, saved, {"method": "lsoa_codes", "lsoa_codes": codes})
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(f"/assessments/{saved}/area").get_data(as_text=True)
    callout = re.search(r'id="not-used".*?</div>', html, re.S)
    assert callout, "the entries left out are not listed"
    assert "2 entries were not used" in callout.group(0)
    assert "E01999999 is not a known LSOA 2021 code" in callout.group(0)
    assert "W01999999 is " in callout.group(0)
    assert _stored(area_app, saved)["profile"]["lsoa_count"] == 3


def test_lsoa_2011_code_names_its_2021_successors(area_app: Flask, client: FlaskClient, saved: int) -> None:
    response = _post_area(client, saved, {"method": "lsoa_codes", "lsoa_codes": "E01000010"})
    html = _assert_rejected(response, "E01000010 is an LSOA 2011 code that changed in 2021")
    assert "E01034473" in html and "E01034474" in html
    assert "E01000010" in html  # what they typed is still in the box
    _assert_kept(area_app, saved)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"type": "FeatureCollection", "features": []}, "The shape is empty"),
        (BOW_TIE, "outline crosses itself"),
        (IN_THE_SEA, "it may be in the sea"),
        (NORTH_SEA, "outside the UK"),
    ],
    ids=["empty", "self-intersecting", "in-the-sea", "north-sea"],
)
def test_unusable_boundary(
    area_app: Flask, client: FlaskClient, saved: int, shape: dict[str, Any], message: str
) -> None:
    upload = _upload("area.geojson", json.dumps(shape).encode())
    response = _post_area(client, saved, {"method": "geojson", "geojson_file": upload})
    _assert_rejected(response, message)
    _assert_kept(area_app, saved)


def test_boundary_that_is_not_json(area_app: Flask, client: FlaskClient, saved: int) -> None:
    response = _post_area(
        client, saved, {"method": "geojson", "geojson_file": _upload("area.geojson", b"{not json")}
    )
    assert response.status_code == 400
    assert "nhsuk-error-summary" in response.get_data(as_text=True)
    _assert_kept(area_app, saved)


def test_png_named_csv(area_app: Flask, client: FlaskClient, saved: int) -> None:
    upload = _upload("patients.csv", PNG_BYTES)
    response = _post_area(client, saved, {"method": "patient_list", "patient_file": upload})
    _assert_rejected(response, "This is an image")
    _assert_kept(area_app, saved)


def test_wrong_file_ending(area_app: Flask, client: FlaskClient, saved: int) -> None:
    upload = _upload("patients.png", PNG_BYTES)
    response = _post_area(client, saved, {"method": "patient_list", "patient_file": upload})
    _assert_rejected(response, "The selected file must be a .csv or .txt file")
    _assert_kept(area_app, saved)


def test_csv_without_postcode_or_lsoa_column(area_app: Flask, client: FlaskClient, saved: int) -> None:
    upload = _upload("patients.csv", b"name,age\nAlex,34\nSam,51\n")
    response = _post_area(client, saved, {"method": "patient_list", "patient_file": upload})
    _assert_rejected(response, "The file&#39;s columns were not recognised")
    _assert_kept(area_app, saved)


def test_upload_over_the_area_step_limit(area_app: Flask, client: FlaskClient, saved: int) -> None:
    from hia_service.web.wizard.area import MAX_UPLOAD_BYTES

    upload = _upload("patients.csv", b"postcode\n" + b"PO1 1AA\n" * (MAX_UPLOAD_BYTES // 8 + 1))
    response = _post_area(client, saved, {"method": "patient_list", "patient_file": upload})
    _assert_rejected(response, "The selected file must be smaller than 5 MB")
    _assert_kept(area_app, saved)


def test_upload_over_the_service_limit(
    area_app: Flask, client: FlaskClient, saved: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Werkzeug refuses a body over MAX_CONTENT_LENGTH (HIA_MAX_UPLOAD_MB) before the page sees it."""
    url = f"/assessments/{saved}/area"
    page = client.get(url)
    token, here = csrf_token_from(page.get_data(as_text=True)), page.request.url  # as a browser refers
    monkeypatch.setitem(area_app.config, "MAX_CONTENT_LENGTH", 10_000)
    upload = _upload("patients.csv", b"postcode\n" + b"PO1 1AA\n" * 2_000)
    data = {"method": "patient_list", "patient_file": upload, "csrf_token": token}
    response = _post_multipart(client, url, data, headers={"Referer": here})
    html = response.get_data(as_text=True)
    assert response.status_code == 413, html
    assert "The file is too large" in html and "choose a smaller file" in html
    assert "The most the service takes at once is 10 KB" in html  # the limit, not only "too large"
    assert f'<a href="{here}">Go back to the page you were on</a>' in html
    _assert_kept(area_app, saved)


def _real_postcodes(how_many: int) -> list[str]:
    """The first few English postcodes in Code-Point Open (read at run time, never copied into the repo)."""
    found: list[str] = []
    with gzip.open(REFERENCE_DIR / "codepoint_open_gb_postcodes.csv.gz", "rt") as lines:
        next(lines)
        for line in lines:
            postcode, *_, district = line.strip().split(",")
            if district.startswith("E06") and postcode not in found:
                found.append(postcode)
            if len(found) == how_many:
                return found
    raise AssertionError("Code-Point Open has too few English postcodes")


def test_patient_list_stores_no_postcode(area_app: Flask, client: FlaskClient, saved: int) -> None:
    postcodes = _real_postcodes(5)
    junk = ["not a postcode", "12345", "ZZ9 9ZZ", "AB1"]
    text = "postcode\n" + "\n\n".join(postcodes + junk) + "\n\n\n"
    upload = _upload("patients.csv", text.encode())
    response = _post_area(client, saved, {"method": "patient_list", "patient_file": upload})
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = _stored(area_app, saved)
    assert stored["answers"]["proposal.directorate"] == "Community"
    assert sum(e["count"] for e in stored["profile"]["unmatched"]) == len(junk)
    assert stored["profile"]["population"] > 0
    as_text = json.dumps(stored).upper()
    for postcode in [*postcodes, "ZZ9 9ZZ"]:
        assert postcode.upper() not in as_text
        assert postcode.replace(" ", "").upper() not in as_text.replace(" ", "")
    page = client.get(f"/assessments/{saved}/area").get_data(as_text=True)
    assert not any(postcode in page for postcode in postcodes)
    # Each entry left out is named as far as it is kept: the sector of a postcode-shaped one, a count of
    # the rest; never a bullet that starts "is ...".
    callout = re.search(r'id="not-used".*?</div>', page, re.S)
    assert callout and "4 entries were not used" in callout.group(0)
    items = re.findall(r"<li>\s*(.*?)</li>", callout.group(0), re.S)
    assert items and all(not item.startswith("is ") for item in items), items
    assert any(item.startswith("ZZ9 9**") for item in items), items


def test_chart_and_map_follow_the_chosen_area(area_app: Flask, client: FlaskClient, saved: int) -> None:
    """Drawn once per area and kept: a second look is the same image, another area draws another map."""
    images = {}
    for name in ("chart", "map"):
        first = client.get(f"/assessments/{saved}/area/{name}.png")
        assert (
            first.status_code == 200 and first.mimetype == "image/png" and first.data.startswith(b"\x89PNG")
        )
        assert client.get(f"/assessments/{saved}/area/{name}.png").data == first.data
        images[name] = first.data
    assert images["chart"] != images["map"]
    response = _post_area(
        client, saved, {"method": "named", "area_code": "lad:E06000009"}
    )  # all of Blackpool
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get(f"/assessments/{saved}/area/map.png").data != images["map"]
    assert client.get(f"/assessments/{saved}/area/chart.png").data != images["chart"]


def test_a_radius_keeps_what_was_typed_in_the_profiles_provenance(
    area_app: Flask, client: FlaskClient, saved: int
) -> None:
    postcode = _real_postcodes(1)[0]
    data = {"method": "point_radius", "postcode": f" {postcode} ", "radius_km": "3"}
    response = _post_area(client, saved, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = _stored(area_app, saved)
    assert stored["area"]["type"] == "point_radius" and "postcode" not in stored["area"]
    provenance = stored["profile"]["provenance"]
    assert provenance["method"] == "point_radius"
    assert provenance["inputs"] == {"postcode": postcode, "radius": "3"}
    assert provenance["release"] == stored["profile"]["release"] and provenance["checksum"]
    assert stored["answers"]["who.geography"] == stored["area"]  # the answer and the profile agree
    # Shown back in the person's words, with the place the postcode is in (not a latitude and longitude).
    place = stored["area"]["place"]
    assert place and stored["area"]["label"] == f"3 around {postcode} ({place})"
    page = client.get(f"/assessments/{saved}/area").get_data(as_text=True)
    assert f"The area:</span> 3 around {postcode} ({escape(place)})" in page


def test_a_named_area_is_labelled_by_its_name(area_app: Flask, client: FlaskClient, saved: int) -> None:
    response = _post_area(client, saved, {"method": "named", "area_code": "lad:E06000009"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _stored(area_app, saved)["area"]["label"] == "Blackpool (local authority)"
    page = client.get(f"/assessments/{saved}/area").get_data(as_text=True)
    assert "Blackpool (local authority)" in page


def test_a_radius_in_miles_is_stored_in_kilometres_and_kept_as_typed(
    area_app: Flask, client: FlaskClient, saved: int
) -> None:
    postcode = _real_postcodes(1)[0]
    data = {"method": "point_radius", "postcode": postcode, "radius_km": "3 miles"}
    response = _post_area(client, saved, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = _stored(area_app, saved)
    assert stored["area"]["radius_km"] == pytest.approx(4.828032)
    assert stored["profile"]["provenance"]["inputs"]["radius"] == "3 miles"
    assert stored["area"]["label"].startswith(f"3 miles around {postcode} (")
    refused = _post_area(client, saved, {"method": "point_radius", "postcode": postcode, "radius_km": "far"})
    assert refused.status_code == 400
    assert "like 5, 5 km or 3 miles" in refused.get_data(as_text=True)
    comma = _post_area(client, saved, {"method": "point_radius", "postcode": postcode, "radius_km": "3,5 km"})
    assert comma.status_code == 400  # not a 35 km circle
    assert "Use a full stop for the decimal point in the distance" in comma.get_data(as_text=True)
    assert _stored(area_app, saved)["area"]["radius_km"] == pytest.approx(4.828032)  # the one before kept


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        (
            {"method": "point_radius", "postcode": "ZZ1 1ZZ", "radius_km": "3"},
            "postcode",
            "is not in Code-Point",
        ),
        (
            {"method": "point_radius", "postcode": "FY1 1AA", "radius_km": "300"},
            "radius_km",
            "at most 100 km",
        ),
        ({"method": "lsoa_codes", "lsoa_codes": "W01000001"}, "lsoa_codes", "Wales has its own index"),
        # A short distance in the countryside: advice this page can follow, on the distance.
        (
            {"method": "point_radius", "postcode": "LA2 8AB", "radius_km": "0.3"},
            "radius_km",
            "No neighbourhood in England has its centre within 0.3 km of LA2 8AB",
        ),
        (
            {"method": "point_radius", "postcode": "EH1 1AD", "radius_km": "5"},
            "postcode",
            "EH1 1AD is in Scotland",
        ),
    ],
)
def test_the_engines_refusals_are_shown_in_plain_english_beside_their_field(
    area_app: Flask, client: FlaskClient, saved: int, data: dict[str, str], anchor: str, message: str
) -> None:
    """Not "(field: area.radius_km)" after the sentence, and the radius's error links to the radius."""
    response = _post_area(client, saved, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = re.search(r'(?s)<ul class="nhsuk-list nhsuk-error-summary__list">(.*?)</ul>', html)
    assert summary and message in summary.group(1)
    assert f'href="#{anchor}"' in summary.group(1)
    assert "(field:" not in html and "area." not in summary.group(1)
    assert "method 'area'" not in html and "Choose the index" not in html  # API words, not this page's
