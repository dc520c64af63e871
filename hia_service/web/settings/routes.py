"""Organisation settings, for admins only: population served, lists, branding, certificate, local framework.

Every view validates, calls one service function and redirects with a message, or shows the page again with
the reason. Another organisation's entries are simply not found."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import requires_role
from hia_service.auth.roles import Role
from hia_service.documents.wording import percent, whole_number
from hia_service.services import rules
from hia_service.services.accounts import tokens
from hia_service.services.areas.profiles import AreaRequest
from hia_service.services.errors import NotFoundError, ServiceError
from hia_service.services.organisation import branding, choices, local_framework, population
from hia_service.web.wizard import area as area_form

bp = Blueprint("settings", __name__, url_prefix="/settings")
ADMIN = Role.ADMIN
METHODS = {
    "named": "Search for local authorities, ICBs or Sub-ICB locations by name",
    "area_codes": "Enter local authority, ICB or Sub-ICB location codes instead",
    "geojson": "Upload a boundary (GeoJSON)",
    "patient_list": "Upload a patient list (CSV of LSOA codes with counts, or postcodes)",
}
MAX_CERTIFICATE_UPLOAD = 200_000
MAX_LOGO_UPLOAD = 2_000_000


@bp.get("/")
@requires_role(ADMIN)
def index() -> ResponseReturnValue:
    organisation_id = current_user.organisation_id
    return render_template(
        "settings/index.html",
        baseline=population.organisation_baseline(organisation_id),
        brand=branding.branding(organisation_id),
        certificate=branding.certificate_status(organisation_id),
        lists=choices.all_choices(organisation_id),
        kinds=choices.KINDS,
        local=local_framework.current(organisation_id),
        token_max_days=tokens.token_max_days(organisation_id),
        percent=percent,
        whole_number=whole_number,
    )


@bp.route("/population", methods=["GET", "POST"])
@requires_role(ADMIN)
def population_served() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    query = request.values.get("q", "")
    found: list[dict[str, str]] = []
    if query.strip():
        try:
            found = population.search_served(query)
        except ServiceError as error:
            errors["q"] = error.message
    if request.method == "POST":
        try:
            population.set_catchment(current_user, _catchment_from_form())
        except ServiceError as error:
            errors[_population_field(error.field)] = error.message
        else:
            flash(
                "The population you serve has been saved. New area profiles will compare with it.", "success"
            )
            return redirect(url_for("settings.index"))
    return render_template(
        "settings/population.html",
        errors=errors,
        form=request.form,
        methods=METHODS,
        query=query,
        found=found,
        chosen=request.form.getlist("area_choice"),
        baseline=population.organisation_baseline(current_user.organisation_id),
        percent=percent,
        whole_number=whole_number,
    ), (400 if errors else 200)


def _catchment_from_form() -> AreaRequest:
    method = request.form.get("method", "")
    if method == "named":
        return population.area_from_choices(request.form.getlist("area_choice"), request.form.get("q", ""))
    if method == "area_codes":
        return population.area_from_codes(request.form.get("area_codes", ""))
    if method in ("geojson", "patient_list"):
        return area_form.area_from_form(request.form, request.files)
    raise ServiceError("Select how you want to describe the people you serve", field="method")


def _population_field(field: str | None) -> str:
    if field in ("method", "area_codes", "area_choice", "geojson_file", "patient_file"):
        return field
    method = request.form.get("method", "")
    fields = {"geojson": "geojson_file", "patient_list": "patient_file", "area_codes": "area_codes"}
    return {**fields, "named": "area_choice"}.get(method, "method")


@bp.route("/details", methods=["GET", "POST"])
@requires_role(ADMIN)
def details() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    brand = branding.branding(current_user.organisation_id)
    values = {"name": brand.name, "address": brand.address or ""}
    if request.method == "POST":
        values = {"name": request.form.get("name", ""), "address": request.form.get("address", "")}
        try:
            branding.save_details(current_user, values["name"], values["address"])
        except ServiceError as error:
            errors[error.field or "name"] = error.message
        else:
            flash("Your organisation's details have been saved.", "success")
            return redirect(url_for("settings.index"))
    return render_template("settings/details.html", errors=errors, values=values), (400 if errors else 200)


@bp.route("/api-tokens", methods=["GET", "POST"])
@requires_role(ADMIN)
def api_tokens() -> ResponseReturnValue:
    """How long the organisation's people may make API tokens last (never more than the service's 90 days)."""
    errors: dict[str, str] = {}
    chosen = tokens.token_max_days(current_user.organisation_id)
    if request.method == "POST":
        raw = request.form.get("days", "")
        chosen = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0
        try:
            tokens.set_token_max_days(current_user, chosen)
        except ServiceError as error:
            errors[error.field or "days"] = error.message
        else:
            flash(f"API tokens made from now on last at most {chosen} days.", "success")
            return redirect(url_for("settings.index"))
    page = render_template(
        "settings/api_tokens.html", errors=errors, chosen=chosen, choices=tokens.DAY_CHOICES
    )
    return page, (400 if errors else 200)


@bp.route("/logo", methods=["GET", "POST"])
@requires_role(ADMIN)
def logo() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            branding.save_logo(current_user, _upload("logo", (".png", ".svg"), MAX_LOGO_UPLOAD))
        except ServiceError as error:
            errors["logo"] = error.message
        else:
            flash("The logo has been saved. It will appear on new documents.", "success")
            return redirect(url_for("settings.index"))
    brand = branding.branding(current_user.organisation_id)
    return render_template("settings/logo.html", errors=errors, brand=brand), (400 if errors else 200)


@bp.post("/logo/remove")
@requires_role(ADMIN)
def remove_logo() -> ResponseReturnValue:
    branding.remove_logo(current_user)
    flash("The logo has been removed.", "success")
    return redirect(url_for("settings.index"))


@bp.get("/logo/image")
@requires_role(ADMIN)
def logo_image() -> ResponseReturnValue:
    brand = branding.branding(current_user.organisation_id)
    if brand.logo is None:
        abort(404)
    mimetype = "image/svg+xml" if brand.logo_type == "svg" else "image/png"
    response = Response(brand.logo, mimetype=mimetype)
    # Even a checked SVG is shown as an image only: no scripts, no loads, if it is ever opened on its own.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/certificate", methods=["GET", "POST"])
@requires_role(ADMIN)
def certificate() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            data = _upload("certificate", (".p12", ".pfx"), MAX_CERTIFICATE_UPLOAD)
            branding.save_certificate(current_user, data, request.form.get("passphrase", ""))
        except ServiceError as error:
            errors[error.field or "certificate"] = error.message
        else:
            flash(
                "The signing certificate has been saved. Approved records will be signed with it.", "success"
            )
            return redirect(url_for("settings.index"))
    return render_template(
        "settings/certificate.html",
        errors=errors,
        status=branding.certificate_status(current_user.organisation_id),
    ), (400 if errors else 200)


def _upload(name: str, endings: tuple[str, ...], limit: int) -> bytes:
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        raise ServiceError("Select a file to upload", field=name)
    if not upload.filename.lower().endswith(endings):
        raise ServiceError(f"The selected file must be a {' or '.join(endings)} file", field=name)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(f"The selected file must be smaller than {limit // 1000} KB", field=name)
    return data


@bp.route("/lists/<kind>", methods=["GET", "POST"])
@requires_role(ADMIN)
def choice_list(kind: str) -> ResponseReturnValue:
    chosen = _kind(kind)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            added = choices.add_choice(current_user, kind, request.form.get("name", ""))
        except ServiceError as error:
            errors["name"] = error.message
        else:
            flash(f"'{added.name}' has been added.", "success")
            return redirect(url_for("settings.choice_list", kind=kind))
    entries = choices.all_choices(current_user.organisation_id)[kind]
    return render_template(
        "settings/list.html", kind=chosen, entries=entries, errors=errors, form=request.form
    ), (400 if errors else 200)


@bp.route("/lists/<kind>/<int:choice_id>", methods=["GET", "POST"])
@requires_role(ADMIN)
def choice(kind: str, choice_id: int) -> ResponseReturnValue:
    chosen = _kind(kind)
    entry = _found(lambda: choices.choice_for(current_user, choice_id))
    if entry.kind != kind:
        abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action", "rename")
        try:
            if action in ("retire", "restore"):
                choices.set_retired(current_user, choice_id, action == "retire")
                flash(
                    f"'{entry.name}' has been {'retired' if action == 'retire' else 'restored'}.", "success"
                )
            else:
                choices.rename_choice(current_user, choice_id, request.form.get("name", ""))
                flash("The name has been changed. Records already saved keep the old name.", "success")
        except ServiceError as error:
            errors["name"] = error.message
        else:
            return redirect(url_for("settings.choice_list", kind=kind))
    return render_template(
        "settings/choice.html", kind=chosen, entry=entry, errors=errors, form=request.form
    ), (400 if errors else 200)


def _kind(kind: str) -> choices.ChoiceKind:
    return _found(lambda: choices.kind(kind))


def _found(find: Any) -> Any:
    try:
        return find()
    except NotFoundError:
        abort(404)


@bp.route("/framework", methods=["GET", "POST"])
@requires_role(ADMIN)
def local_framework_page() -> ResponseReturnValue:
    framework = rules.framework()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            _change_local_framework(framework)
        except ServiceError as error:
            errors[error.field or "label"] = error.message
        else:
            return redirect(url_for("settings.local_framework_page"))
    return render_template(
        "settings/framework.html",
        framework=framework,
        local=local_framework.current(current_user.organisation_id),
        errors=errors,
        form=request.form,
    ), (400 if errors else 200)


def _change_local_framework(framework: Any) -> None:
    action = request.form.get("action", "")
    if action == "guidance":
        section = request.form.get("section", "")
        saved = _found(
            lambda: local_framework.set_guidance(
                current_user, framework, section, request.form.get("guidance", "")
            )
        )
        flash(f"Local guidance saved as local version {saved.number}.", "success")
    elif action == "add_group":
        saved = local_framework.add_group(current_user, request.form.get("label", ""))
        flash(f"Local group added in local version {saved.number}.", "success")
    elif action == "retire_group":
        saved = _found(lambda: local_framework.retire_group(current_user, request.form.get("group", "")))
        flash(
            f"Local group retired in local version {saved.number}. Assessments that used it keep it.",
            "success",
        )
    else:
        abort(400)
