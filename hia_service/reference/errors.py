"""Errors the reference-data loader raises, naming the file, the row and the problem."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # line number in the file (header = line 1), or feature number for GeoJSON
    problem: str

    def __str__(self) -> str:
        where = f", line {self.row:,}" if self.row is not None else ""
        return f"{self.file}{where}: {self.problem}"


class ReferenceDataError(Exception):
    """The reference files cannot be loaded. Nothing has been written; the data loaded before is untouched."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"The reference data was not loaded ({len(problems)} problem(s)):\n{lines}")


class ManifestError(Exception):
    """reference_data/manifest.yaml itself is malformed."""
