"""The record's map outlines and names the local authorities an area covers, and its text says which they
are (issue 22, item 4): a real area across two local authorities, resolved against the real reference data
and drawn through the services, as a submitted version's PDF and Word copy."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import docx
import pikepdf
import pytest
from flask import Flask

from tests.conftest import pdf_text
from tests.integration.review.conftest import acting_as, missing_required

# 1.5 km around a point between Mexborough (Doncaster) and Swinton (Rotherham): ten neighbourhoods, three
# in Doncaster and seven in Rotherham. Given as latitude and longitude, so no label names a place.
ACROSS_TWO = {
    "type": "point_radius",
    "latitude": 53.4905,
    "longitude": -1.314,
    "radius_km": 1.5,
    "method": "centroid",
}
SENTENCE = "The area covers neighbourhoods in 2 local authorities: Doncaster and Rotherham."


@pytest.fixture
def drawn(area_app: Flask, world: Any, make_assessment: Any) -> dict[str, Any]:
    """A submitted version on the area, drawn now as PDF and Word copy, with the map the services drew."""
    from hia_service.data.assessments import get_version
    from hia_service.data.transaction import commit
    from hia_service.services.areas import profiles
    from hia_service.services.assessments import authoring
    from hia_service.services.documents import records

    assessment_id = make_assessment(
        world["manager"], "Move the clinic to Swinton", profile=None, submit=False
    )
    with acting_as(area_app, world["manager"]) as user:
        resolved = profiles.resolve(profiles.AreaRequest(ACROSS_TWO))
        authoring.set_area(user, assessment_id, resolved, compare_with_organisation=False)
        rest = missing_required(authoring.assessment_for(user, assessment_id))
        assert authoring.save_page(user, assessment_id, list(rest), rest, None).saved
        authoring.submit_for_review(user, assessment_id)
        commit()
    with area_app.app_context():
        version = get_version(assessment_id, 1)
        assert version is not None
        return {
            "pdf": records.drawn(version, "pdf"),
            "docx": records.drawn(version, "docx"),
            "map": profiles.map_shapes(version.area or {}, release=version.reference_release),
        }


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_map_is_drawn_with_both_local_authorities(drawn: dict[str, Any]) -> None:
    authorities = dict(drawn["map"].authorities)
    assert sorted(authorities) == ["Doncaster", "Rotherham"]
    assert sorted(len(members) for members in authorities.values()) == [3, 7]
    assert sorted(i for members in authorities.values() for i in members) == list(range(10))


def test_the_pdf_names_both_under_the_map_and_in_its_text_alternative(drawn: dict[str, Any]) -> None:
    text = _flat(pdf_text(drawn["pdf"]))
    assert SENTENCE in text
    assert "shaded by deprivation decile, with local authority boundaries" in text  # the caption
    with pikepdf.open(io.BytesIO(drawn["pdf"])) as document:
        alternatives = [str(e.Alt) for e in _elements(document.Root.StructTreeRoot) if e.S == "/Figure"]
    (map_alt,) = [alt for alt in alternatives if alt.startswith("Map of")]
    assert SENTENCE in map_alt


def test_the_word_copy_says_the_same(drawn: dict[str, Any]) -> None:
    document = docx.Document(io.BytesIO(drawn["docx"]))
    assert SENTENCE in [p.text for p in document.paragraphs]
    descriptions = [d.get("descr") for d in document.element.body.iter() if d.tag.endswith("}docPr")]
    assert any(SENTENCE in (d or "") for d in descriptions if (d or "").startswith("Map of"))


def _elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _elements(kid)
