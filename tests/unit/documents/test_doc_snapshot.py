import pytest

from hia_service.documents import SnapshotError
from hia_service.documents.sample import example_snapshot
from hia_service.documents.snapshot import check_snapshot


def test_the_example_snapshot_is_valid(snapshot):
    check_snapshot(snapshot)


def test_the_packaged_example_is_the_test_fixture(snapshot):
    # `hia pdf sample` renders the packaged copy; the two must not drift apart
    assert example_snapshot() == snapshot, (
        "copy the test fixture to hia_service/documents/example_snapshot.json"
    )


def test_every_missing_key_is_named_in_one_message(snapshot):
    del snapshot["generated_at"], snapshot["signoff"]
    with pytest.raises(SnapshotError) as error:
        check_snapshot(snapshot)
    assert "'generated_at' is missing" in str(error.value)
    assert "'signoff' is missing" in str(error.value)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("version", "3", "'version' should be a whole number"),
        ("version", True, "not a yes/no value"),
        ("training", "no", "'training' should be true or false"),
        ("answers", None, "'answers' is empty"),
        ("reference", "hia 42; <x>", "is not like 'HIA-2026-0042'"),
        ("status", "published", "'status' should be one of approved"),
        ("generated_at", "23/11/2026", "is not an ISO 8601 date"),
        ("generated_at", "2026-11-23T10:00:00", "needs a time zone"),
        ("organisation", {"name": "  "}, "the organisation has no name"),
        ("version", 0, "'version' should be 1 or more"),
    ],
)
def test_bad_values_are_explained(snapshot, key, value, expected):
    snapshot[key] = value
    with pytest.raises(SnapshotError, match=expected):
        check_snapshot(snapshot)


def test_a_profile_must_have_ten_deciles_and_a_national_baseline(snapshot):
    snapshot["profile"]["population_by_decile"] = [1, 2, 3]
    snapshot["profile"]["baseline"] = {}
    with pytest.raises(SnapshotError) as error:
        check_snapshot(snapshot)
    assert "should list 10 numbers" in str(error.value)
    assert "no national baseline ('nation')" in str(error.value)


def test_the_briefs_england_baseline_is_accepted_too(snapshot):
    baseline = snapshot["profile"]["baseline"]
    baseline["england"] = baseline.pop("nation")
    check_snapshot(snapshot)


def test_a_profile_without_population_figures_is_accepted(snapshot):
    snapshot["profile"]["population"] = snapshot["profile"]["population_by_decile"] = None
    check_snapshot(snapshot)


def test_profile_and_rating_may_be_missing(snapshot):
    snapshot["profile"] = None
    snapshot["rating"] = None
    check_snapshot(snapshot)


def test_a_snapshot_must_be_a_dictionary():
    with pytest.raises(SnapshotError, match="dictionary"):
        check_snapshot(["not", "a", "dict"])
