"""Fixtures for the document tests: the example snapshot and PDF text extraction."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import pdf_text

FIXTURE = Path(__file__).parent / "fixtures" / "assessment_snapshot.json"
_SNAPSHOT = json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def snapshot() -> dict[str, Any]:
    """A fresh deep copy of the realistic approved example, safe to change in a test."""
    return copy.deepcopy(_SNAPSHOT)


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    """The example drawn as it is (no map, no logo), once per module: the baseline tests compare with."""
    from hia_service.documents import build_pdf

    return build_pdf(copy.deepcopy(_SNAPSHOT))


@pytest.fixture
def page_texts() -> Callable[[bytes], list[str]]:
    """Text of each page, with line breaks folded to spaces so wrapped phrases can be found."""

    def extract(pdf: bytes) -> list[str]:
        pages = pdf_text(pdf).split("\f")[:-1]  # pdftotext ends every page with a form feed
        return [" ".join(page.split()) for page in pages]

    return extract
