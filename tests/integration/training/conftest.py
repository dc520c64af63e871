# The real reference snapshot, built once per session by the reference tests' fixtures.
from tests.integration.reference.conftest import real_engine, reference_data_dir  # noqa: F401
