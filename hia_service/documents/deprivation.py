"""The deprivation section: who lives in the areas affected, against the nation, with chart and map.

Reads an AreaProfile (hia_service.domain.geography.area_profile): population figures may be absent for some
indices, and scores for others, so every figure is optional.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from hia_service.domain.geography.access import TravelChange, TravelRow
from hia_service.domain.geography.area_profile import AreaProfile, Place
from hia_service.domain.geography.users import compare_people

from .blocks import BarChart, Block, Bullets, Facts, Figure, Heading, PageBreak, Para, Table
from .wording import national_baseline, percent, whole_number

_COMPARISON_ROWS = 10


def deprivation_blocks(
    profile: AreaProfile | None,
    *,
    chart_png: bytes | None,
    map_png: bytes | None,
    lsoa_deciles: Mapping[str, int] | None = None,
    map_source: str = "",
    site_radius_km: float | None = None,
) -> list[Block]:
    blocks: list[Block] = [Heading("How deprived are the areas affected?")]
    if profile is None:
        return [*blocks, Para("No area was given, so the deprivation profile could not be worked out.")]
    nation, _ = national_baseline(profile)
    blocks.append(Para(_intro(profile, nation)))
    caption = f"People affected by deprivation decile, against {nation}"
    if chart_png:
        blocks.append(Figure(chart_png, caption, _chart_alt(profile)))
    elif chart_png is None and profile.population_by_decile:  # to be drawn by the PDF itself
        blocks.append(_bar_chart(profile, nation, caption))
    if profile.population_by_decile:
        blocks.append(_decile_table(profile, nation))
    blocks.append(Facts(_facts(profile, nation)))
    blocks += _comparison_blocks(profile)
    blocks += _domain_blocks(profile)
    blocks += _access_blocks(profile)
    if map_png:
        blocks += map_blocks(
            map_png,
            lsoa_deciles or {},
            nation,
            source=map_source,
            site_radius_km=site_radius_km,
            authorities=[a.name or a.code for a in profile.baseline.local_authorities],
        )
    notes = [*profile.notes, *_unmatched_notes(profile.unmatched)]
    if notes:
        blocks += [Heading("Notes on the figures", level=2), Bullets(tuple(notes))]
    return [*blocks, PageBreak()]


def map_blocks(
    map_png: bytes,
    lsoa_deciles: Mapping[str, int],
    nation: str,
    *,
    source: str = "",
    site_radius_km: float | None = None,
    authorities: Sequence[str] = (),
) -> list[Block]:
    """The map, with a text alternative that says in words how deprived the mapped neighbourhoods are and
    which local authorities they are in, followed by its source and copyright line, the local authorities
    in a sentence, and the deciles as a table (what a screen reader, or a black-and-white print, needs)."""
    counts = [sum(1 for d in lsoa_deciles.values() if d == decile) for decile in range(1, 11)]
    total = sum(counts)
    shading = "shaded by deprivation decile" + (", with local authority boundaries" if authorities else "")
    caption = f"Neighbourhoods affected, {shading}"
    site = ""
    if site_radius_km:
        caption += f". The red dot is the site; the dashed circle is {site_radius_km:g} km around it"
        site = f"The site is marked at the centre, with a circle {site_radius_km:g} km around it. "
    places = authorities_sentence(authorities)
    after = [Para(source, style="small")] if source else []
    after += [Para(places)] if places else []
    if not total:
        alt = f"Map of the neighbourhoods (LSOAs) affected, {shading}. {site}{places}".strip()
        return [Figure(map_png, caption, alt, 0.8), *after]
    alt = (
        f"Map of the {whole_number(total)} neighbourhoods (LSOAs) affected, {shading}. "
        f"{site}{places}{' ' if places else ''}"
        f"{whole_number(counts[0])} of them are among the most deprived 10% of neighbourhoods in {nation}, "
        f"{whole_number(counts[0] + counts[1])} among the most deprived 20%, and "
        f"{whole_number(counts[8] + counts[9])} among the least deprived 20%. "
        "The table after the map lists them by decile."
    )
    rows = tuple(
        (_decile_words(decile), whole_number(count), percent(count / total))
        for decile, count in enumerate(counts, start=1)
        if count
    )
    table = Table(
        ("Decile of the neighbourhood", "Neighbourhoods on the map", "Share of neighbourhoods"),
        rows,
        widths=(0.46, 0.27, 0.27),
        caption="The neighbourhoods on the map, by deprivation decile",
    )
    return [Figure(map_png, caption, alt, 0.8), *after, table]


def authorities_sentence(names: Sequence[str]) -> str:
    """The local authorities the area is in, in words: "The area covers neighbourhoods in 2 local
    authorities: Doncaster and Rotherham." Empty when there are none to name."""
    if not names:
        return ""
    if len(names) == 1:
        return f"The area covers neighbourhoods in one local authority, {names[0]}."
    listed = f"{', '.join(names[:-1])} and {names[-1]}"
    return f"The area covers neighbourhoods in {len(names)} local authorities: {listed}."


# Who publishes each index of deprivation, for the map's source line.
INDEX_PUBLISHERS = {
    "IoD": "MHCLG",
    "WIMD": "Welsh Government",
    "SIMD": "Scottish Government",
    "NIMDM": "NISRA",
}


def map_source_line(release: str | None, release_label: str | None, year: int) -> str:
    """The source and copyright line under the map, naming the release of the index actually used."""
    index = release_label or release or "Index of Multiple Deprivation"
    publisher = next((p for prefix, p in INDEX_PUBLISHERS.items() if (release or "").startswith(prefix)), "")
    return (
        f"Contains OS data © Crown copyright and database right {year}; Source: Office for National "
        f"Statistics; {index}{', ' + publisher if publisher else ''}."
    )


def _decile_words(decile: int) -> str:
    """A decile as a board member would say it: "1 (most deprived 10%)"."""
    if decile == 1:
        return "1 (most deprived 10%)"
    if decile == 10:
        return "10 (least deprived 10%)"
    return f"{decile} ({(decile - 1) * 10}% to {decile * 10}% most deprived)"


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


def _access_blocks(profile: AreaProfile) -> list[Block]:
    """How rural the people affected are, and how far they already are from services (barriers domain)."""
    blocks: list[Block] = []
    if profile.rurality is not None and profile.rurality.classes:
        rows = tuple((c.label, whole_number(c.people), percent(c.share)) for c in profile.rurality.classes)
        blocks += [
            Heading("Rural and urban neighbourhoods", level=2),
            Para(
                f"{percent(profile.rurality.rural_share)} of the people affected live in rural "
                "neighbourhoods (2021 rural-urban classification, ONS)."
            ),
            Table(("Neighbourhood", "People affected", "Share"), rows, widths=(0.56, 0.24, 0.2)),
        ]
    barriers = profile.barriers
    if barriers is not None and barriers.share_by_decile:
        people = barriers.people_by_decile or (None,) * 10
        rows = tuple(
            (_decile_name(i + 1), whole_number(p), percent(s))
            for i, (p, s) in enumerate(zip(people, barriers.share_by_decile, strict=False))
        )
        blocks += [
            Heading(f"{barriers.label}: distance and access", level=2),
            Para(
                f"{percent(barriers.share_deciles_1_2)} of the people affected live in the 20% of "
                "neighbourhoods furthest from services or with the least affordable housing "
                f"({barriers.label.lower()} domain, deciles 1 and 2). Closing or moving a service weighs "
                "most on them."
            ),
            Table(("Decile of the domain", "People affected", "Share"), rows, widths=(0.44, 0.3, 0.26)),
        ]
    return blocks


def users_blocks(profile: AreaProfile | None, users: Place | None) -> list[Block]:
    """The service's users beside the people in the area affected, by fifth of deprivation."""
    if profile is None or users is None:
        return []
    comparison = compare_people(profile.as_place("the people in the area affected"), users)
    rows = tuple((r.label, percent(r.first), percent(r.second)) for r in comparison.rows)
    header = ("Neighbourhoods in England", "People in the area affected", "The service's users")
    return [
        Heading("The people who use the service", level=2),
        Para(comparison.users_sentence()),
        Table(header, rows, widths=(0.46, 0.27, 0.27)),
    ]


def travel_blocks(change: TravelChange | None) -> list[Block]:
    """Who travels further when the service closes or moves, by deprivation decile and rural-urban class."""
    if change is None:
        return []
    overall = change.overall
    intro = (
        f"The service moves from {change.current_site} to {change.proposed_site} "
        f"({_km(change.site_km_apart)} apart in a straight line). On average the people affected will be "
        f"{_change(overall.change_km)}: "
        f"{_km(overall.mean_km_before)} now and {_km(overall.mean_km_after)} after. "
        f"{percent(overall.share_further_1km)} will be more than 1 km further away and "
        f"{percent(overall.share_further_5km)} more than 5 km."
    )
    if change.deprived_further_share is not None:
        intro += (
            f" Of the people in the 20% most deprived neighbourhoods (deciles 1 and 2), "
            f"{percent(change.deprived_further_share)} will be more than 1 km further away."
        )
    header = ("", "People", "Now", "After", "Change", "> 1 km further", "> 5 km further")
    widths = (0.24, 0.12, 0.11, 0.11, 0.16, 0.13, 0.13)
    blocks: list[Block] = [Heading("Who travels further", level=2), Para(intro)]
    deciles = tuple(
        _travel_row(r, _decile_name(int(r.key)) if r.key.isdigit() else r.label) for r in change.by_decile
    )
    blocks.append(Table(("Deprivation decile", *header[1:]), deciles, widths=widths))
    if change.by_rurality:
        rural = tuple(_travel_row(r, r.label) for r in change.by_rurality)
        blocks.append(Table(("Neighbourhood", *header[1:]), rural, widths=widths))
    blocks.append(
        Para(
            "Straight-line distance from the middle of each neighbourhood, where most of its people live "
            "(the ONS population-weighted centre), to each site's postcode (Code-Point Open). Real journeys "
            "are longer, most of all by bus and in the countryside."
        )
    )
    return blocks


def _travel_row(row: TravelRow, name: str) -> tuple[str, ...]:
    return (
        name,
        whole_number(row.people),
        _km(row.mean_km_before),
        _km(row.mean_km_after),
        _change(row.change_km),
        percent(row.share_further_1km),
        percent(row.share_further_5km),
    )


def _km(value: float | None) -> str:
    return "Not known" if value is None else f"{value:.1f} km"


def _change(value: float | None) -> str:
    if value is None:
        return "Not known"
    if abs(value) < 0.05:
        return "no further"
    return f"{value:.1f} km further" if value > 0 else f"{-value:.1f} km nearer"


def _score(value: float | None) -> str:
    """Domain scores are rates (0.19) for some domains and scores (18.2) for others."""
    if value is None:
        return "—"
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"


def _bar_chart(profile: AreaProfile, nation: str, caption: str) -> BarChart:
    affected = decile_shares([v or 0 for v in profile.population_by_decile or [0] * 10])
    _, place = national_baseline(profile)
    national = decile_shares([v or 0 for v in place.population_by_decile or [1] * 10])
    return BarChart(
        tuple(100 * s for s in affected),
        tuple(100 * s for s in national),
        nation,
        caption,
        _chart_alt(profile),
    )


def _chart_alt(profile: AreaProfile) -> str:
    """Every figure the chart shows, in words: a screen reader gets what a sighted reader sees."""
    shares = decile_shares([v or 0 for v in profile.population_by_decile or [0] * 10])
    nation, place = national_baseline(profile)
    national = decile_shares([v or 0 for v in place.population_by_decile or [0] * 10])
    bars = "; ".join(
        f"decile {_decile_name(i + 1)}: {percent(share)} against {percent(base)}"
        for i, (share, base) in enumerate(zip(shares, national, strict=True))
    )
    return (
        "Bar chart of the share of people affected in each deprivation decile, against the share for "
        f"{nation}. {bars[0].upper()}{bars[1:]}."
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
