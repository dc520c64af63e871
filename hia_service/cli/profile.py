"""`hia profile`: the deprivation profile of an area, as JSON or a table. The same service the API uses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from hia_service.cli.options import ForgivingChoice, area_codes
from hia_service.domain.geography.area_profile import AreaProfile, Place
from hia_service.domain.geography.shapes import MAX_GEOJSON_BYTES
from hia_service.geography import METHODS, RELEASES, AreaDefinitionError, GeographyError, area_from_file
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.areas.profiles import AreaRequest
from hia_service.services.errors import ServiceError, ServiceUnavailableError


@click.command("profile", help="Profile an area by deprivation. Give exactly one way of defining the area.")
@click.option(
    "--lsoa",
    "lsoas",
    multiple=True,
    metavar="CODE",
    callback=area_codes,
    help="An LSOA code (repeat for more).",
)
@click.option(
    "--lsoa-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV of LSOA codes, optionally with a count column.",
)
@click.option(
    "--lad",
    "lads",
    multiple=True,
    metavar="CODE",
    callback=area_codes,
    help="A local authority district code (repeatable).",
)
@click.option(
    "--icb",
    "icbs",
    multiple=True,
    metavar="CODE",
    callback=area_codes,
    help="An ICB code, E54… or NHS code (repeatable).",
)
@click.option(
    "--sub-icb",
    "sub_icbs",
    multiple=True,
    metavar="CODE",
    callback=area_codes,
    help="A Sub-ICB location code (repeatable).",
)
@click.option(
    "--geojson",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A GeoJSON polygon, multipolygon or feature collection (WGS84, or BNG if its crs says so).",
)
@click.option("--postcode", help="Centre of a circle (use with --radius-km).")
@click.option("--lat", type=float, help="Latitude of a circle's centre (with --lon and --radius-km).")
@click.option("--lon", type=float, help="Longitude of a circle's centre.")
@click.option("--radius-km", type=float, help="Radius of the circle in kilometres.")
@click.option(
    "--postcodes",
    "postcode_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV of postcodes (e.g. a waiting list), optionally with a count column.",
)
@click.option(
    "--each",
    type=ForgivingChoice(["lad", "icb", "sub_icb"]),
    help="Profile every area of this kind, one JSON object per line.",
)
@click.option(
    "--release",
    type=ForgivingChoice(sorted(RELEASES)),
    default=None,
    help="Deprivation index (IoD2025).",
)
@click.option(
    "--method",
    type=ForgivingChoice(METHODS),
    default=None,
    help="How shapes pick LSOAs (centroid).",
)
@click.option(
    "--format",
    "output",
    type=ForgivingChoice(["json", "table"]),
    default="json",
    show_default=True,
)
@with_appcontext
def profile_cmd(
    release: str | None, method: str | None, output: str, each: str | None, **options: Any
) -> None:
    try:
        if each:
            for profile in area_profiles.each_profile(each, release=release):
                click.echo(_shown(profile, output, indent=None))
            return
        request = AreaRequest(area_from_options(options), method="command line", inputs=_inputs(options))
        profile = area_profiles.profile_of(request, release=release, method=method)
    except GeographyError as error:
        raise click.ClickException(error.message) from None
    except ServiceUnavailableError:
        raise click.ClickException("No reference data is loaded yet. Run: hia reference load") from None
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    click.echo(_shown(profile, output, indent=2))


def _shown(profile: AreaProfile, output: str, indent: int | None) -> str:
    if output == "json":
        return json.dumps(profile.to_json(), indent=indent, ensure_ascii=False)
    return format_table(profile)


def _inputs(options: dict[str, Any]) -> dict[str, str]:
    """The options as given (file names, not their contents), for the profile's provenance."""
    shown = {}
    for name, value in options.items():
        if value is None or value == ():
            continue
        shown[name] = (
            " ".join(map(str, value)) if isinstance(value, tuple) else str(getattr(value, "name", value))
        )
    return shown


def area_from_options(options: dict[str, Any]) -> dict[str, Any]:
    """The area definition dict the options describe; exactly one kind of area must be given."""
    given = [
        name
        for name in ("lsoas", "lsoa_file", "lads", "icbs", "sub_icbs", "geojson", "postcode_file")
        if options.get(name)
    ]
    centre = options.get("postcode") is not None or options.get("lat") is not None
    if len(given) + centre != 1:
        raise click.UsageError(
            "Give exactly one area: --lsoa, --lsoa-file, --lad, --icb, --sub-icb, --geojson, --postcodes, "
            "--postcode with --radius-km, or --lat/--lon with --radius-km (or use --each)."
        )
    if centre:
        return _circle(options)
    name = given[0]
    if name in ("lsoas", "lads", "icbs", "sub_icbs"):
        kind = {"lsoas": "lsoa_codes", "lads": "lad", "icbs": "icb", "sub_icbs": "sub_icb"}[name]
        return {"type": kind, "codes": list(options[name])}
    if name == "geojson":
        return {"type": "geojson", "geojson": _read(options["geojson"], MAX_GEOJSON_BYTES)}
    kind = "lsoa_codes" if name == "lsoa_file" else "postcodes"
    return area_from_file(_read(options[name], None), kind)


def _circle(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("radius_km") is None:
        raise click.UsageError("Give --radius-km with --postcode or --lat/--lon.")
    area: dict[str, Any] = {"type": "point_radius", "radius_km": options["radius_km"]}
    if options.get("postcode") is not None:
        return {**area, "postcode": options["postcode"]}
    if options.get("lon") is None:
        raise click.UsageError("Give both --lat and --lon.")
    return {**area, "latitude": options["lat"], "longitude": options["lon"]}


def _read(path: Path, limit: int | None) -> bytes:
    size = path.stat().st_size
    if limit is not None and size > limit:
        raise AreaDefinitionError(
            f"{path.name} is {size / 1e6:.0f} MB; the most we take is {limit / 1e6:.0f} MB. Simplify the "
            "shape (for example with mapshaper) and try again.",
            "geojson",
        )
    return path.read_bytes()


def format_table(profile: AreaProfile) -> str:
    """A plain-text summary for people: headline figures, deciles, domains and the England comparison."""
    nation = profile.baseline.nation or Place()
    lines = [
        f"{profile.release} on {profile.geography}: {_area_label(profile.area)}",
        f"  Small areas: {profile.lsoa_count or 0:,}   People: {_count(profile.population)}",
        f"  Share in the most deprived 20% (Core20): {_pct(profile.core20_share)}"
        f"   ({nation.name}: {_pct(nation.core20_share)}; ratio {profile.relative_core20})",
        f"  Average IMD score: {profile.mean_imd_score}   Average rank (higher = more deprived): "
        f"{profile.mean_imd_rank}",
        f"  Share of small areas in the most deprived 10%: {_pct(profile.share_lsoas_most_deprived_10pct)}",
        f"  Concentration index: {profile.concentration_index}",
        "  By decile (1 = most deprived): "
        + "  ".join(f"{i + 1}:{_pct(s)}" for i, s in enumerate(_decile_shares(profile))),
        "  Domains (average score; share in domain deciles 1-2):",
    ]
    for domain in profile.domains.values():
        lines.append(f"    {domain.label:36} {domain.mean_score!s:>10}  {_pct(domain.share_deciles_1_2)}")
    if profile.unmatched:
        lines.append(f"  Not used: {sum(e.get('count', 1) for e in profile.unmatched):,} entries (see JSON)")
    return "\n".join(lines)


def _area_label(area: Mapping[str, Any]) -> str:
    if "names" in area:
        return ", ".join(area["names"])
    return area["type"].replace("_", " ")


def _decile_shares(profile: AreaProfile) -> list[float]:
    by_decile = [v or 0 for v in profile.population_by_decile or ()]
    if not by_decile:
        return [(q or 0) / 2 for q in profile.share_by_quintile or () for _ in range(2)]
    total = sum(by_decile) or 1
    return [v / total for v in by_decile]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _count(value: float | None) -> str:
    return "not known" if value is None else f"{value:,.0f}"
