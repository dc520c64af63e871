"""Organisation settings uploads fuzzed through the pages, as an admin would send them: logos (PNG headers,
hostile and malformed SVGs, random bytes), PKCS#12 certificates (random and damaged bytes, PEM text, the wrong
passphrase, odd variable names), the population served (area codes, patient lists, GeoJSON) and the local
framework's text. Each is saved or refused with a reason on the page: never a 500, and a refusal keeps the
setting saved before it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token_from
from tests.fuzz_counts import fuzz_settings, tried
from tests.integration.review import conftest as review_fixtures
from tests.integration.settings.conftest import file
from tests.integration.settings.test_branding import PASSPHRASE, certificate, png
from tests.unit.test_parsers_fuzz import geojson_documents, patient_files
from tests.unit.test_upload_parsers_fuzz import pngs, svgs

login = review_fixtures.login
world = review_fixtures.world


def post(client: FlaskClient, url: str, token: str, data: dict[str, Any]) -> Any:
    boundary, body = encode_multipart(MultiDict({**data, "csrf_token": token}))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def settings_row(app: Flask) -> dict[str, Any]:
    from hia_service.data import accounts
    from hia_service.data import organisation_settings as store
    from hia_service.services.organisation import local_framework

    with app.app_context():
        org = accounts.get_organisation_by_code("RXA")
        row = store.get_settings(org.id)
        local = local_framework.current(org.id)
        return {
            "logo": (row.logo, row.logo_type),
            "certificate": (row.certificate, row.certificate_passphrase_env, row.certificate_subject),
            "catchment": (row.catchment_area, row.catchment_baseline),
            "local": (local.number, local.guidance, local.groups),
        }


def checked(
    app: Flask, response: Any, what: str, before: dict[str, Any], saved: Callable[[dict[str, Any]], bool]
) -> None:
    """Saved (a redirect, the new value stored) or refused (400 with an error summary, nothing changed)."""
    assert response.status_code in (302, 400), (what, response.status_code)
    after = settings_row(app)
    if response.status_code == 400:
        assert "There is a problem" in response.get_data(as_text=True), what
        assert after == before, f"a refused {what} changed what was saved"
    else:
        assert saved(after), f"{what} said saved but was not"
    assert {k: v for k, v in after.items() if k != what} == {k: v for k, v in before.items() if k != what}


@pytest.fixture
def admin(
    area_app: Flask,
    client: FlaskClient,
    world: Any,
    login: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The admin signed in, with a logo, certificate, population served and local group saved already;
    returns a CSRF token for their session."""
    from hia_service.data import organisation_settings as settings_store
    from hia_service.services.organisation import branding, local_framework

    served = {
        "catchment_area": {"type": "lad", "codes": ["E06000009"]},
        "catchment_baseline": {"population": 141000, "core20_share": 0.57, "lsoa_count": 94},
        "catchment_release": "IoD2025",
    }
    p12 = certificate(tmp_path)
    review_fixtures.act_as(
        area_app, world["admin"], lambda u: settings_store.save_settings(u.organisation_id, **served)
    )
    review_fixtures.act_as(area_app, world["admin"], branding.save_logo, png())
    review_fixtures.act_as(area_app, world["admin"], branding.save_certificate, p12, PASSPHRASE)
    review_fixtures.act_as(area_app, world["admin"], local_framework.add_group, "people in former coalfields")
    login(world["admin"])
    return csrf_token_from(client.get("/settings/logo").get_data(as_text=True))


logo_uploads = st.tuples(
    svgs().map(lambda made: made[0]) | pngs | st.binary(max_size=200),
    st.sampled_from(["logo.svg", "logo.png", "LOGO.SVG", "logo.gif", "logo"]),
)


@fuzz_settings(60)
@given(upload=logo_uploads)
@example(upload=(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 inf 100"/>', "logo.svg"))  # was a 500
@example(upload=(b'<?xml version="1.0" encoding="bogus"?><svg width="20" height="20"/>', "logo.svg"))
def test_fuzzed_logos_are_saved_or_refused_keeping_the_old_one(
    area_app: Flask, client: FlaskClient, admin: str, upload: tuple[bytes, str]
) -> None:
    tried("settings upload: logo")
    data, name = upload
    before = settings_row(area_app)
    response = post(client, "/settings/logo", admin, {"logo": file(data, name)})
    checked(area_app, response, "logo", before, lambda after: after["logo"][0] == data)


def damaged(p12: bytes) -> st.SearchStrategy[bytes]:
    return st.integers(0, len(p12) - 1).map(lambda cut: p12[:cut]) | st.tuples(
        st.integers(0, len(p12) - 1), st.integers(1, 255)
    ).map(lambda flip: p12[: flip[0]] + bytes([p12[flip[0]] ^ flip[1]]) + p12[flip[0] + 1 :])


@fuzz_settings(40)
@given(data=st.data())
def test_fuzzed_certificates_are_saved_or_refused_keeping_the_old_one(
    area_app: Flask,
    client: FlaskClient,
    admin: str,
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    tried("settings upload: PKCS#12 certificate")
    p12 = _good_p12(tmp_path_factory)
    content = data.draw(
        damaged(p12)
        | st.binary(max_size=300)
        | st.binary(max_size=300).map(lambda b: b"\x30" + b)
        | st.sampled_from([b"", b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", p12])
    )
    passphrase = data.draw(
        st.sampled_from([PASSPHRASE, "not the passphrase", "HIA_SECRET_KEY", "", "A" * 600, "A;B\x00"])
    )
    name = data.draw(st.sampled_from(["org.p12", "org.pfx", "org.pem"]))
    before = settings_row(area_app)
    response = post(
        client, "/settings/certificate", admin, {"certificate": file(content, name), "passphrase": passphrase}
    )
    fuzzed = "Riverside Fuzzed Signing"  # stored re-encrypted, so known by its subject, not its bytes
    checked(area_app, response, "certificate", before, lambda after: after["certificate"][2] == fuzzed)


_P12: list[bytes] = []


def _good_p12(factory: pytest.TempPathFactory) -> bytes:
    if not _P12:  # a 3072-bit key is slow to make: once per run
        _P12.append(certificate(factory.mktemp("p12"), "Riverside Fuzzed Signing"))
    return _P12[0]


area_codes = st.lists(
    st.sampled_from(["E06000009", "E06000008", "E54000050", "E38000001", "E01000001", "E99999999", ","])
    | st.text(max_size=10),
    max_size=4,
).map(" ".join)
population_forms = (
    st.fixed_dictionaries({"method": st.just("area_codes"), "area_codes": area_codes})
    | st.fixed_dictionaries(
        {
            "method": st.just("patient_list"),
            "patient_file": st.tuples(patient_files() | st.binary(max_size=200), st.just("patients.csv")),
        }
    )
    | st.fixed_dictionaries(
        {
            "method": st.just("geojson"),
            "geojson_file": st.tuples(
                geojson_documents.map(lambda d: json.dumps(d).encode()) | st.binary(max_size=200),
                st.just("area.geojson"),
            ),
        }
    )
    | st.fixed_dictionaries({"method": st.sampled_from(["", "postcode", "x"])})
)


@fuzz_settings(50)
@given(form=population_forms)
def test_fuzzed_population_served_is_saved_or_refused_keeping_the_old_one(
    area_app: Flask, client: FlaskClient, admin: str, form: dict[str, Any]
) -> None:
    tried("settings upload: population served")
    fields = {k: file(*v) if isinstance(v, tuple) else v for k, v in form.items()}
    before = settings_row(area_app)
    response = post(client, "/settings/population", admin, fields)
    checked(
        area_app, response, "catchment", before, lambda after: (after["catchment"][1] or {}).get("lsoa_count")
    )


framework_forms = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["guidance", "add_group"]),
        "section": st.sampled_from(["proposal", "general", "", "x" * 300]) | st.text(max_size=10),
        "guidance": st.text(max_size=50)
        | st.sampled_from(["", " ", "<script>alert(1)</script>", "a" * 2001]),
        "label": st.text(max_size=50)
        | st.sampled_from(
            ["", "   ", "people in former coalfields", "PEOPLE IN FORMER COALFIELDS!", "b" * 201]
        ),
    }
)


@fuzz_settings(50)
@given(form=framework_forms)
def test_fuzzed_local_framework_text_is_saved_or_refused_keeping_the_old_one(
    area_app: Flask, client: FlaskClient, admin: str, form: dict[str, str]
) -> None:
    tried("settings upload: local framework text")
    before = settings_row(area_app)
    response = post(client, "/settings/framework", admin, form)
    if response.status_code == 404:  # no such section: refused, nothing saved
        assert settings_row(area_app) == before
        return
    checked(area_app, response, "local", before, lambda after: after["local"][0] == before["local"][0] + 1)
