"""The geography step: turn one of five ways of choosing an area into an AreaRequest, keeping what the
person typed so the profile can show it back."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from hia_service.geography import AreaDefinitionError, GeographyError, area_from_file, parse_distance_km
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.areas.profiles import AreaRequest
from hia_service.services.errors import ServiceError

MAX_UPLOAD_BYTES = 5_000_000
SEARCH_RESULTS = 20
METHODS = {
    "named": "Search for a local authority or integrated care board",
    "lsoa_codes": "Paste neighbourhood (LSOA) codes",
    "point_radius": "A distance around a postcode",
    "geojson": "Upload a boundary (GeoJSON)",
    "patient_list": "Upload a patient list (CSV of postcodes or LSOA codes)",
}
KIND_LABELS = {"lad": "Local authority", "icb": "Integrated care board"}


def search_areas(query: str) -> list[dict[str, str]]:
    """Local authorities and ICBs whose name (or code) contains `query`, for the search form."""
    return area_profiles.search_areas(query, KIND_LABELS, SEARCH_RESULTS)


def area_from_form(form: MultiDict[str, str], files: MultiDict[str, FileStorage]) -> AreaRequest:
    """The area the person chose; ServiceError(field=...) with a plain-English message if it is unusable."""
    method = form.get("method", "")
    if method == "named":
        choice = form.get("area_code", "")
        return AreaRequest(_named(choice), method, {"area": choice, "search": form.get("q", "")})
    if method == "lsoa_codes":
        text = form.get("lsoa_codes", "")
        codes = [c for c in text.replace(",", " ").split() if c]
        if not codes:
            raise ServiceError("Enter at least one LSOA code", field="lsoa_codes")
        return AreaRequest({"type": "lsoa_codes", "codes": codes}, method, {"lsoa_codes": text.strip()})
    if method == "point_radius":
        postcode, radius = form.get("postcode", ""), form.get("radius_km", "")
        inputs = {"postcode": postcode.strip(), "radius": radius.strip()}
        return AreaRequest(_point_radius(postcode, radius), method, inputs)
    if method == "geojson":
        upload = _upload(files, "geojson_file", (".geojson", ".json"))
        definition = {"type": "geojson", "geojson": _geojson_text(upload)}
        return AreaRequest(definition, method, {"file": _filename(files, "geojson_file")})
    if method == "patient_list":
        data = _upload(files, "patient_file", (".csv", ".txt"))
        completeness = area_profiles.patient_list_completeness(data)
        inputs = {"file": _filename(files, "patient_file")}
        return AreaRequest(_patient_list(data), method, inputs, completeness)
    raise ServiceError("Select how you want to choose the area", field="method")


def users_from_form(files: MultiDict[str, FileStorage], name: str = "users_file") -> AreaRequest:
    """A list of the service's users (postcodes or LSOA codes, with counts or not), to set beside an area."""
    data = _upload(files, name, (".csv", ".txt"))
    completeness = area_profiles.patient_list_completeness(data)
    try:
        area = area_from_file(data)
    except GeographyError as error:
        raise ServiceError(error.message, field=name) from None
    area.pop("blank_lines", None)
    return AreaRequest(area, "patient_list", {"file": _filename(files, name)}, completeness)


def _filename(files: MultiDict[str, FileStorage], name: str) -> str:
    upload = files.get(name)
    return str(upload.filename or "") if upload is not None else ""


def _named(choice: str) -> dict[str, Any]:
    kind, _, code = choice.partition(":")
    if kind not in KIND_LABELS or not code:
        raise ServiceError("Select an area from the search results", field="area_search")
    return {"type": kind, "codes": [code]}


def _point_radius(postcode: str, radius: str) -> dict[str, Any]:
    if not postcode.strip():
        raise ServiceError("Enter a postcode", field="postcode")
    try:
        radius_km = parse_distance_km(radius)
    except AreaDefinitionError as error:
        raise ServiceError(error.message, field="radius_km") from None
    return {"type": "point_radius", "postcode": postcode.strip(), "radius_km": radius_km}


def _upload(files: MultiDict[str, FileStorage], name: str, endings: tuple[str, ...]) -> bytes:
    upload = files.get(name)
    if upload is None or not upload.filename:
        raise ServiceError("Select a file to upload", field=name)
    if not upload.filename.lower().endswith(endings):
        raise ServiceError(f"The selected file must be a {' or '.join(endings)} file", field=name)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ServiceError(
            f"The selected file must be smaller than {MAX_UPLOAD_BYTES // 1_000_000} MB", field=name
        )
    if not data.strip():
        raise ServiceError("The selected file is empty", field=name)
    return data


def _geojson_text(data: bytes) -> str:
    """The upload's text, if its content (not just its name) is a JSON object."""
    text = data.decode("utf-8-sig", errors="replace")
    if not text.lstrip().startswith("{"):
        raise ServiceError(
            "The selected file is not GeoJSON: a GeoJSON file is text starting with '{'. Export the boundary "
            "as GeoJSON and try again.",
            field="geojson_file",
        )
    return text


def _patient_list(data: bytes) -> dict[str, Any]:
    try:
        area = area_from_file(data)
    except GeographyError as error:
        raise ServiceError(error.message, field="patient_file") from None
    area.pop("blank_lines", None)
    return area  # postcodes are counted per neighbourhood when resolved, before anything is stored
