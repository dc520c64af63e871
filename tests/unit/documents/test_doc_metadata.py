from hia_service.documents.metadata import DocumentInfo, SignatureBox, parse_keywords


def test_keywords_round_trip_with_a_signature_box():
    info = DocumentInfo("HIA-2026-0042", 3, "approved", False, SignatureBox(6, 51.02, 563.16, 320.31, 648.2))
    assert info.to_keywords().startswith(
        "HIA-2026-0042; version 3; status approved; training no; signature box 6 "
    )
    assert parse_keywords(info.to_keywords()) == info
    assert info.label == "HIA-2026-0042 v3"


def test_keywords_round_trip_for_a_training_draft():
    info = DocumentInfo("HIA-2026-0001", 1, "in_review", True)
    assert parse_keywords(info.to_keywords()) == info
    assert not info.approved


def test_other_keywords_are_not_ours():
    assert parse_keywords("health, inequalities") is None
    assert parse_keywords(None) is None
    assert parse_keywords("HIA-1; version x; status approved; training no") is None
