"""The PDF's access and rurality parts (issue 19 item 4): the people affected by rural-urban class and by
barriers-domain decile, and the "Who travels further" table from the travel change kept with the answers."""

from __future__ import annotations

import copy
from typing import Any

from hia_service.documents.blocks import Heading, Para, Table
from hia_service.documents.pdf import build_pdf
from tests.unit.documents.test_doc_content import _blocks, _table

ROW = {"people": 600, "mean_km_before": 1.24, "mean_km_after": 6.5, "change_km": 5.26,
       "share_further_1km": 0.9, "share_further_5km": 0.5}  # fmt: skip
TRAVEL = {
    "current_site": "FY1 4AA",
    "proposed_site": "FY3 8NR",
    "release": "IoD2025",
    "site_km_apart": 3.2,
    "overall": {"key": "all", "label": "Everyone", **ROW, "people": 1000, "share_further_1km": 0.7},
    "by_decile": [
        {"key": "1", "label": "Decile 1", **ROW},
        {"key": "7", "label": "Decile 7", **ROW, "people": 400, "change_km": -0.4, "mean_km_after": 0.84},
    ],
    "by_rurality": [{"key": "RSF1", "label": "Smaller rural: further from a major town or city", **ROW}],
    "deprived_further_share": 0.9,
}
RURALITY = {
    "classification": "2021 Rural-Urban Classification of LSOAs (ONS)",
    "classes": [
        {
            "code": "UN1",
            "label": "Urban: nearer to a major town or city",
            "rural": False,
            "people": 400,
            "share": 0.4,
        },
        {
            "code": "RSF1",
            "label": "Smaller rural: further from a major town or city",
            "rural": True,
            "people": 600,
            "share": 0.6,
        },
    ],
    "rural_share": 0.6,
}
BARRIERS = {
    "domain": "barriers_to_housing_and_services",
    "label": "Barriers to housing and services",
    "people_by_decile": [300, 200, 0, 0, 0, 0, 500, 0, 0, 0],
    "share_by_decile": [0.3, 0.2, 0, 0, 0, 0, 0.5, 0, 0, 0],
    "share_deciles_1_2": 0.5,
}


def with_access(snapshot: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(snapshot)
    changed["answers"]["access.travel_change"] = TRAVEL
    changed["profile"]["rurality"] = RURALITY
    changed["profile"]["barriers"] = BARRIERS
    return changed


def test_who_travels_further_is_tabulated_by_decile_and_rural_urban_class(snapshot: dict[str, Any]) -> None:
    blocks = _blocks(with_access(snapshot))
    assert Heading("Who travels further", level=2) in blocks
    deciles = _table(blocks, "Deprivation decile", nth=1)  # the first is the profile's people by decile
    assert deciles.rows[0] == ("1 (most deprived)", "600", "1.2 km", "6.5 km", "5.3 km further", "90%", "50%")
    assert deciles.rows[1][4] == "0.4 km nearer"
    rural = _table(blocks, "Neighbourhood", nth=1)
    assert rural.rows[0][0] == "Smaller rural: further from a major town or city"
    intro = next(b.text for b in blocks if isinstance(b, Para) and b.text.startswith("The service moves"))
    assert "FY1 4AA to FY3 8NR" in intro and "90% will be more than 1 km further away" in intro


def test_the_profile_shows_rurality_and_barriers_deciles(snapshot: dict[str, Any]) -> None:
    blocks = _blocks(with_access(snapshot))
    rural = _table(blocks, "Neighbourhood")
    assert rural.rows == (
        ("Urban: nearer to a major town or city", "400", "40%"),
        ("Smaller rural: further from a major town or city", "600", "60%"),
    )
    barriers = _table(blocks, "Decile of the domain")
    assert barriers.rows[0] == ("1 (most deprived)", "300", "30%") and len(barriers.rows) == 10


def test_without_them_the_document_is_as_before(snapshot: dict[str, Any]) -> None:
    blocks = _blocks(snapshot)
    assert Heading("Who travels further", level=2) not in blocks
    assert not [b for b in blocks if isinstance(b, Table) and b.header[0] == "Decile of the domain"]


def test_the_pdf_prints_the_table(snapshot: dict[str, Any], page_texts: Any) -> None:
    text = " ".join(page_texts(build_pdf(with_access(snapshot))))
    assert "Who travels further" in text and "5.3 km further" in text
