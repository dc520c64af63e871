"""Fixtures shared with the wizard bad-input tests: an assessment with an area saved (real data)."""

from tests.integration.reference.conftest import reference_data_dir  # noqa: F401 (session fixture)
from tests.integration.wizard.test_area_bad_input import area_app, saved  # noqa: F401
