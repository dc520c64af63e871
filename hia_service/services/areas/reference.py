"""What reference data is loaded, for people and for the API."""

from __future__ import annotations

from hia_service.data.models import ReferenceDataset
from hia_service.data.reference import current_reference_datasets


def loaded_datasets() -> list[ReferenceDataset]:
    return current_reference_datasets()
