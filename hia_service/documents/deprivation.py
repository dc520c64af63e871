"""The deprivation section: who lives in the areas affected, against the nation, with chart and map.

Reads an AreaProfile (hia_service.domain.geography.area_profile): population figures may be absent for some
indices, and scores for others, so every figure is optional.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from hia_service.domain.geography.area_profile import AreaProfile

from .blocks import Block, Bullets, Facts, Figure, Heading, PageBreak, Para, Table
from .wording import national_baseline, percent, whole_number

_COMPARISON_ROWS = 10


def deprivation_blocks(
    profile: AreaProfile | None, *, chart_png: bytes | None, map_png: bytes | None
) -> list[Block]:
    blocks: list[Block] = [Heading("How deprived are the areas affected?")]
    if profile is None:
        return [*blocks, Para("No area was given, so the deprivation profile could not be worked out.")]
    nation, _ = national_baseline(profile)
    blocks.append(Para(_intro(profile, nation)))
    if chart_png:
        caption = f"People affected by deprivation decile, against {nation}"
        blocks.append(Figure(chart_png, caption, _chart_alt(profile)))
    if profile.population_by_decile:
        blocks.append(_decile_table(profile, nation))
    blocks.append(Facts(_facts(profile, nation)))
    blocks += _comparison_blocks(profile)
    blocks += _domain_blocks(profile)
    if map_png:
        alt = "Map of the neighbourhoods (LSOAs) affected, shaded by deprivation decile."
        blocks.append(Figure(map_png, "Neighbourhoods affected, shaded by deprivation decile", alt, 0.8))
    notes = [*profile.notes, *_unmatched_notes(profile.unmatched)]
    if notes:
        blocks += [Heading("Notes on the figures", level=2), Bullets(tuple(notes))]
    return [*blocks, PageBreak()]


def decile_shares(counts: Sequence[float]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def _intro(profile: AreaProfile, nation: str) -> str:
    places = f"{whole_number(profile.lsoa_count)} neighbourhoods (lower layer super output areas, LSOAs)"
    who = (
        f"about {whole_number(profile.population)} people living in {places}"
        if profile.population is not None
        else places
    )
    return (
        f"The proposal affects {who}. Decile 1 is the most deprived tenth of neighbourhoods in {nation}; "
        "decile 10 the least deprived."
    )


def _decile_table(profile: AreaProfile, nation: str) -> Table:
    affected = [v or 0 for v in profile.population_by_decile or [0] * 10]
    national = [v or 0 for v in national_baseline(profile)[1].population_by_decile or [0] * 10]
    rows = tuple(
        (_decile_name(i + 1), whole_number(count), percent(share), percent(base))
        for i, (count, share, base) in enumerate(
            zip(affected, decile_shares(affected), decile_shares(national), strict=True)
        )
    )
    header = ("Deprivation decile", "People affected", "Share of people affected", f"Share of {nation}")
    return Table(header, rows, widths=(0.31, 0.21, 0.26, 0.22))


def _decile_name(decile: int) -> str:
    return {1: "1 (most deprived)", 10: "10 (least deprived)"}.get(decile, str(decile))


def _facts(profile: AreaProfile, nation: str) -> tuple[tuple[str, str], ...]:
    national_share = percent(national_baseline(profile)[1].core20_share)
    rows = [
        ("People affected", whole_number(profile.population)),
        ("Neighbourhoods (LSOAs)", whole_number(profile.lsoa_count)),
        ("In the most deprived fifth", f"{percent(profile.core20_share)} ({nation}: {national_share})"),
    ]
    if profile.share_lsoas_most_deprived_10pct is not None:
        rows.append(
            ("Neighbourhoods in the most deprived tenth", percent(profile.share_lsoas_most_deprived_10pct))
        )
    if profile.mean_imd_score is not None:
        rows.append(("Average deprivation score", f"{profile.mean_imd_score:.1f} (higher is more deprived)"))
    if profile.mean_imd_rank is not None:
        rows.append(("Average rank", f"{whole_number(profile.mean_imd_rank)} (higher is more deprived)"))
    if profile.concentration_index is not None:
        rows.append(("Concentration index", f"{profile.concentration_index:+.2f}"))
    return tuple(rows)


def _comparison_blocks(profile: AreaProfile) -> list[Block]:
    """The affected people's Core20 share beside the nation, the organisation and the wider areas."""
    baseline = profile.baseline
    nation_name, nation = national_baseline(profile)
    areas = [("People affected", profile.core20_share), (nation_name, nation.core20_share)]
    if baseline.organisation is not None:
        areas.append((baseline.organisation.name or "The organisation", baseline.organisation.core20_share))
    areas += [(a.name or a.code, a.core20_share) for a in (*baseline.icbs, *baseline.local_authorities)]
    if len(areas) <= 2:
        return []
    rows = tuple((name, percent(share)) for name, share in areas[:_COMPARISON_ROWS])
    table = Table(("Area", "People in the most deprived fifth"), rows, widths=(0.6, 0.4))
    return [Heading("Compared with the wider area", level=2), table]


def _domain_blocks(profile: AreaProfile) -> list[Block]:
    if not profile.domains:
        return []
    rows = tuple(
        (d.label, _score(d.mean_score), percent(d.share_deciles_1_2)) for d in profile.domains.values()
    )
    header = ("Domain of deprivation", "Average score", "People in the most deprived fifth")
    return [Heading("Domains of deprivation", level=2), Table(header, rows, widths=(0.5, 0.2, 0.3))]


def _score(value: float | None) -> str:
    """Domain scores are rates (0.19) for some domains and scores (18.2) for others."""
    if value is None:
        return "—"
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"


def _chart_alt(profile: AreaProfile) -> str:
    shares = decile_shares([v or 0 for v in profile.population_by_decile or [0] * 10])
    nation, _ = national_baseline(profile)
    return (
        "Bar chart of the share of people affected in each deprivation decile, with the share for "
        f"{nation} for comparison. Decile 1 (most deprived): {percent(shares[0])}; "
        f"decile 10: {percent(shares[-1])}."
    )


def _unmatched_notes(unmatched: Sequence[Any]) -> list[str]:
    if not unmatched:
        return []
    shown = "; ".join(_unmatched_text(u) for u in list(unmatched)[:10])
    more = f"; and {len(unmatched) - 10} more" if len(unmatched) > 10 else ""
    count = len(unmatched)
    return [f"{count} {'entry' if count == 1 else 'entries'} could not be matched to a neighbourhood and "
            f"{'is' if count == 1 else 'are'} not counted: {shown}{more}."]  # fmt: skip


def _unmatched_text(entry: Any) -> str:
    if not isinstance(entry, Mapping):
        return str(entry)
    what = entry.get("code") or entry.get("postcode") or "unknown"
    return f"{what} ({entry['reason']})" if entry.get("reason") else str(what)
