"""How deeply a JSON text nests, measured without parsing it.

Python's json module recurses once per level, so a few hundred thousand "[" in an upload exhaust the
stack before any validation runs. Uploads and API bodies are measured here first and refused when they nest
deeper than any real document does (a GeoJSON MultiPolygon in a FeatureCollection is about 7 levels).
"""

from __future__ import annotations

import re

import numpy as np

MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def nesting_depth(text: str | bytes) -> int:
    """The deepest level of [ ] and { } nesting (brackets inside strings do not count)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def too_deep(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= limit:  # cannot nest deeper than it opens: most API bodies
        return False
    return nesting_depth(data) > limit
