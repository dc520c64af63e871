"""Why a small-area code is not in a release: wrong nation, wrong vintage, or not a code at all."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from hia_service.domain.geography.releases import RELEASE_FOR_NATION, ReleaseInfo
from hia_service.domain.geography.tables import Geography, GroupTable, VintageLookup

_NATION_BY_PATTERN = (
    (re.compile(r"^E01\d{6}$"), "England", "LSOA"),
    (re.compile(r"^W01\d{6}$"), "Wales", "LSOA"),
    (re.compile(r"^S01\d{6}$"), "Scotland", "data zone"),
    (re.compile(r"^95[A-Z]{2}\d{2}[A-Z]\d{1,2}$"), "Northern Ireland", "super output area"),
)


def nation_of(code: str) -> tuple[str, str] | None:
    for pattern, nation, unit in _NATION_BY_PATTERN:
        if pattern.match(code):
            return nation, unit
    return None


def explain_unknown_code(
    code: str,
    info: ReleaseInfo,
    geographies: dict[str, Geography],
    vintages: VintageLookup | None,
) -> str:
    """A plain-English reason a code is not in `info`'s release."""
    found = nation_of(code)
    if found is None:
        return f"not a small-area code (expected a {info.unit} code like {_example(info)})"
    nation, unit = found
    if nation != info.nation:
        suggestion = RELEASE_FOR_NATION[nation]
        return (
            f"a {nation} {unit}: {info.id} covers {info.nation} only; {nation} has its own index "
            f"({suggestion}), and indices are never pooled across nations"
        )
    return _wrong_vintage(code, info, geographies, vintages) or f"not a known {info.geography} code"


def _wrong_vintage(
    code: str, info: ReleaseInfo, geographies: dict[str, Geography], vintages: VintageLookup | None
) -> str | None:
    lsoa11, lsoa21 = geographies.get("lsoa11"), geographies.get("lsoa21")
    if info.geography == "LSOA 2021" and lsoa11 is not None and code in lsoa11.row_of:
        successors = vintages.successors.get(code, []) if vintages else []
        became = f" (it became {', '.join(successors)})" if successors else ""
        return f"an LSOA 2011 code that changed in 2021; {info.id} uses LSOA 2021 codes{became}"
    if info.geography == "LSOA 2011" and lsoa21 is not None and code in lsoa21.row_of:
        predecessors = vintages.predecessors.get(code, []) if vintages else []
        came = f" (it replaced {', '.join(predecessors)})" if predecessors else ""
        return f"an LSOA 2021 code that did not exist in 2011; {info.id} uses LSOA 2011 codes{came}"
    return None


def _example(info: ReleaseInfo) -> str:
    return {"England": "E01012345", "Wales": "W01000123", "Scotland": "S01006506"}.get(
        info.nation, "95AA01S1"
    )


def explain_unknown_group(code: str, kind: str, vintage: str, known_kinds: dict[str, bool]) -> str:
    """Why an LAD/ICB/Sub-ICB code was not found, with a hint when it is another kind of code."""
    label = GROUP_LABELS[kind]
    for other, found in known_kinds.items():
        if found and other != kind:
            return f"not a {label} code; it is a {GROUP_LABELS[other]} code (use area type '{other}')"
    return f"not a {label} code in the {vintage} lookup"


def nearest_group(given: str, table: GroupTable) -> str | None:
    """The one area whose code or name is clearly nearest to `given` (a slip of the keyboard, or a name typed
    for a code), as "E06000009 (Blackpool)"; None when none is near or several are equally near."""
    text = given.strip()
    candidates = [(code, i) for i, code in enumerate(table.codes)]
    candidates += [(code, i) for i, code in enumerate(table.nhs_codes) if code]
    by_code = _nearest(text.upper(), [(code.upper(), (code, i)) for code, i in candidates])
    by_name = _nearest(
        text.casefold(), [(name.casefold(), (table.codes[i], i)) for i, name in enumerate(table.names)]
    )
    found = by_code or by_name
    return f"{found[0]} ({table.names[found[1]]})" if found else None


def _nearest(text: str, options: list[tuple[str, tuple[str, int]]]) -> tuple[str, int] | None:
    """The option nearest `text`, if it is near (difflib's ratio of 0.8 or more) and nearer than any other."""
    matcher = SequenceMatcher(b=text)
    scored = []
    for key, value in options:
        matcher.set_seq1(key)
        scored.append((matcher.ratio(), value))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if not scored or scored[0][0] < 0.8 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


GROUP_LABELS = {
    "lad": "local authority district",
    "icb": "integrated care board (ICB)",
    "sub_icb": "Sub-ICB location",
}
