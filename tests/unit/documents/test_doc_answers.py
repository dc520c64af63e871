from typing import Any

import pytest

from hia_service.documents.answers import answer_text, is_shown, row_table, who


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [
        ({"type": "choice", "options": [{"value": "yes", "label": "Yes"}]}, "yes", "Yes"),
        ({"type": "impact", "options": []}, "unknown", "Not known yet"),
        ({"type": "impact"}, "neutral", "Neutral"),
        (
            {"type": "multi_choice", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
            ["a", "b"],
            "A\nB",
        ),
        ({"type": "date"}, "2027-01-31", "31 January 2027"),
        ({"type": "number"}, 14120, "14,120"),
        ({"type": "yes_no"}, False, "No"),
        ({"type": "text"}, "", "Not answered"),
        ({"type": "long_text"}, None, "Not answered"),
        ({"type": "choice", "options": []}, "unlisted", "unlisted"),
        ({"type": "person"}, {"name": "Priya Shah", "job_title": "Manager"}, "Priya Shah, Manager"),
        (
            {"type": "geography"},
            {"type": "postcodes", "patients": 14120},
            "14,120 patients' home postcodes, matched to neighbourhoods",
        ),
    ],
)
def test_answer_text(question, value, expected):
    assert answer_text(question, value) == expected


def test_long_lists_in_an_answer_are_shortened():
    codes = [f"E0109{n:04d}" for n in range(40)]
    text = answer_text({"type": "geography"}, {"codes": codes})
    assert text.startswith("An area: E01090000, E01090001") and text.endswith("E01090009 and 30 more")


def test_rows_become_a_table_in_the_frameworks_field_order():
    question = {"fields": [{"id": "gap", "label": "Gap"}, {"id": "due", "label": "Due date", "type": "date"},
                           {"id": "plan", "label": "Plan", "type": "long_text"}]}  # fmt: skip
    header, rows, widths = row_table(
        question, [{"plan": "Ask", "gap": "No data", "due": "2026-12-01"}, {"gap": "X"}]
    )
    assert header == ("Gap", "Due date", "Plan")
    assert rows == (("No data", "1 December 2026", "Ask"), ("X", "—", "—"))
    assert widths == (0.25, 0.25, 0.5)


def test_rows_without_fields_use_their_own_keys():
    header, rows, _ = row_table({}, [{"indicator": "DNA rate", "data_source": "PAS"}])
    assert header == ("Indicator", "Data source") and rows == (("DNA rate", "PAS"),)


def test_who_an_impact_is_about():
    assert (
        who({"id": "pc.age.impact", "label": "Age: what is the likely impact?", "group": {"label": "Age"}})
        == "Age"
    )
    assert who({"id": "x.impact", "label": "Carers: what is the likely impact?"}) == "Carers"


@pytest.mark.parametrize(
    ("condition", "answers", "shown"),
    [
        ([{"question": "q", "values": ["negative", "unknown"]}], {"q": "unknown"}, True),
        ([{"question": "q", "values": ["negative", "unknown"]}], {"q": "neutral"}, False),
        ([{"question": "q", "values": ["yes"]}], {}, False),
        ([{"question": "q", "in": ["b"]}], {"q": ["a", "b"]}, True),
        ([{"question": "q", "values": []}], {"q": "anything"}, True),
        ([{"question": "q", "values": []}], {"q": ""}, False),
        ([], {}, True),
        # "not_in" (negate): framework 1.1's sections left out by screening
        ([{"question": "d", "values": ["short", "not_required"], "negate": True}], {"d": "full"}, True),
        ([{"question": "d", "values": ["short", "not_required"], "negate": True}], {"d": "short"}, False),
        ([{"question": "d", "values": ["short"], "negate": True}], {}, True),
    ],
)
def test_questions_are_shown_only_when_the_wizard_asked_them(condition, answers, shown):
    assert is_shown({"id": "m", "condition": condition}, answers) is shown


def test_an_area_is_printed_as_the_person_described_it() -> None:
    from hia_service.documents.answers import answer_text

    area = {
        "type": "point_radius",
        "latitude": 53.8,
        "longitude": -3.05,
        "radius_km": 4.828032,
        "centre": "FY1 4**",
        "label": "3 miles around FY1 4AA (Blackpool)",
    }
    assert answer_text({"type": "geography"}, area) == "3 miles around FY1 4AA (Blackpool)"


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ({"type": "geojson", "geojson": {"type": "Polygon", "coordinates": [[[-3.06, 53.79]] * 4]}},
         "An uploaded or drawn boundary"),
        ({"type": "lad", "codes": ["E06000009"]}, "Local authority area: E06000009"),
        ({"type": "point_radius", "postcode": "FY7 6AA", "radius_km": 3.0}, "Within 3.0 km of FY7 6AA"),
        ({"type": "point_radius", "label": "3 km around FY7 6AA (Wyre)"}, "3 km around FY7 6AA (Wyre)"),
    ],
)  # fmt: skip
def test_the_area_is_named_in_words_never_as_its_geometry(area: dict[str, Any], expected: str) -> None:
    """The signed record says what the pages say; a boundary's coordinates would run to pages."""
    text = answer_text({"type": "geography"}, area)
    assert text == expected
    assert "coordinates" not in text and "Type:" not in text
