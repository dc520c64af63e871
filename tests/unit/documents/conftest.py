"""Fixtures for the document tests: the example snapshot and PDF text extraction."""

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "assessment_snapshot.json"
_SNAPSHOT = json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def snapshot() -> dict[str, Any]:
    """A fresh deep copy of the realistic approved example, safe to change in a test."""
    return copy.deepcopy(_SNAPSHOT)


@pytest.fixture
def page_texts() -> Callable[[bytes], list[str]]:
    """Text of each page, with line breaks folded to spaces so wrapped phrases can be found."""

    def extract(pdf: bytes) -> list[str]:
        return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]

    return extract
