"""The organisation's name, address and logo on its documents, and the certificate
its records are signed with.

The admin types the certificate's passphrase once, at upload. It is never stored: the private key is kept
re-encrypted with a passphrase derived from the service's secret key (HIA_SECRET_KEY) for that organisation,
so the database alone cannot sign, and no setting names an environment variable. Changing HIA_SECRET_KEY
means uploading certificates again. Certificates uploaded before this (whose rows name an environment
variable) are still read from that variable until they are replaced."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hia_service.config import secret_from_environment
from hia_service.data import organisation_settings as store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import OrganisationSettings, User
from hia_service.domain.branding import LogoError, check_logo
from hia_service.domain.safe_text import has_visible
from hia_service.services.errors import ServiceError

if TYPE_CHECKING:  # cryptography is imported where a certificate is read: only on upload
    from cryptography import x509

log = logging.getLogger("hia_service.organisation")
NAME_MAX = 200
ADDRESS_MAX = 300
MAX_CERTIFICATE_BYTES = 100_000
EXPIRY_WARNING_DAYS = 30
PASSPHRASE_MAX = 500


@dataclass(frozen=True)
class Branding:
    """What documents show of the organisation."""

    name: str
    address: str | None
    logo: bytes | None  # as uploaded (shown in settings)
    logo_type: str | None
    logo_png: bytes | None = None  # what documents draw: the PNG, or the SVG rasterised at upload


@dataclass(frozen=True)
class CertificateStatus:
    subject: str
    expires_at: datetime
    passphrase_env: str  # "" unless uploaded before passphrases were typed at upload
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def expiring_soon(self) -> bool:
        return 0 <= self.days_left <= EXPIRY_WARNING_DAYS


def branding(organisation_id: int) -> Branding:
    organisation = store.get_organisation(organisation_id)
    assert organisation is not None
    settings = store.get_settings(organisation_id)
    if settings is None:
        return Branding(organisation.name, None, None, None)
    return Branding(
        organisation.name, settings.address, settings.logo, settings.logo_type, _logo_png(settings)
    )


def _logo_png(settings: OrganisationSettings) -> bytes | None:
    """The PNG documents draw. An SVG uploaded before logos were rasterised at upload (or brought in by an
    import, which leaves the PNG out) is rasterised now, under the same limits, and kept; one that fails
    them is left off documents (logged), never holding them up."""
    if settings.logo is None or settings.logo_type == "png":
        return settings.logo
    if settings.logo_png is None:
        try:
            png = _rasterised(settings.logo)
        except LogoError as error:
            log.warning("SVG logo left off documents: %s", error)
            return None
        store.save_settings(settings.organisation_id, logo_png=png)
    return settings.logo_png


def _rasterised(svg: bytes) -> bytes:
    from hia_service.documents.svg_logo import rasterise_svg_logo  # reportlab and svglib: only here

    return rasterise_svg_logo(svg)


def save_details(user: User, name: str, address: str) -> None:
    name, address = " ".join((name or "").split()), " ".join((address or "").split())
    if not has_visible(name):  # not only zero-width characters: the name heads every record
        raise ServiceError("Enter the name of your organisation", field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"The name must be {NAME_MAX} characters or fewer", field="name")
    if len(address) > ADDRESS_MAX:
        raise ServiceError(f"The address must be {ADDRESS_MAX} characters or fewer", field="address")
    organisation = store.get_organisation(user.organisation_id)
    assert organisation is not None
    organisation.name = name
    store.save_settings(user.organisation_id, address=address or None)
    _audit(user, "organisation_details_changed", {"name": name})


def save_logo(user: User, data: bytes) -> None:
    try:
        logo = check_logo(data)
    except LogoError as error:
        raise ServiceError(str(error), field="logo") from None
    try:  # an SVG is drawn once, here, under strict limits: documents only ever draw the PNG
        png = _rasterised(data) if logo.kind == "svg" else data
    except LogoError as error:
        raise ServiceError(str(error), field="logo") from None
    store.save_settings(user.organisation_id, logo=data, logo_type=logo.kind, logo_png=png)
    _audit(user, "organisation_logo_changed", {"type": logo.kind, "width": logo.width, "height": logo.height})


def remove_logo(user: User) -> None:
    store.save_settings(user.organisation_id, logo=None, logo_type=None, logo_png=None)
    _audit(user, "organisation_logo_removed", {})


def save_certificate(user: User, data: bytes, passphrase: str, *, now: datetime | None = None) -> None:
    """Check the PKCS#12 opens with the passphrase typed and is in date; store it re-encrypted with the
    service's key, and its facts."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not passphrase:
        raise ServiceError("Enter the certificate's passphrase", field="passphrase")
    if "\x00" in passphrase:  # the PKCS#12 reader cannot take one (it panics rather than refusing)
        raise ServiceError("The passphrase cannot contain a null character", field="passphrase")
    if len(passphrase) > PASSPHRASE_MAX:
        raise ServiceError(f"The passphrase must be {PASSPHRASE_MAX} characters or fewer", field="passphrase")
    key, certificate, others = _open_certificate(data, passphrase)
    moment = now or datetime.now(UTC)
    if certificate.not_valid_after_utc <= moment:
        raise ServiceError(
            f"This certificate expired on {certificate.not_valid_after_utc:%d %B %Y}. Upload a current one",
            field="certificate",
        )
    if certificate.not_valid_before_utc > moment + timedelta(minutes=5):
        raise ServiceError(
            f"This certificate is not valid until {certificate.not_valid_before_utc:%d %B %Y}",
            field="certificate",
        )
    kept = pkcs12.serialize_key_and_certificates(
        None,
        key,
        certificate,
        others or None,
        serialization.BestAvailableEncryption(_service_passphrase(user.organisation_id).encode()),
    )
    store.save_settings(
        user.organisation_id,
        certificate=kept,
        certificate_passphrase_env=None,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        certificate_subject=_subject(certificate),
        certificate_expires_at=certificate.not_valid_after_utc,
        certificate_sha256=fingerprint(certificate),
    )
    _audit(
        user,
        "organisation_certificate_changed",
        {"subject": _subject(certificate), "sha256": fingerprint(certificate)},
    )


def fingerprint(certificate: x509.Certificate) -> str:
    """The certificate's SHA-256 fingerprint (of its DER bytes), as lower-case hex."""
    from cryptography.hazmat.primitives import hashes

    return certificate.fingerprint(hashes.SHA256()).hex()


def _service_passphrase(organisation_id: int) -> str:
    """The passphrase an organisation's stored key is encrypted with: the service's secret key, made
    specific to the organisation (HMAC), never written anywhere."""
    from flask import current_app

    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"hia-signing-certificate:{organisation_id}".encode(), hashlib.sha256).hexdigest()


def _open_certificate(data: bytes, passphrase: str) -> tuple[Any, x509.Certificate, list[x509.Certificate]]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not data:
        raise ServiceError("The selected file is empty", field="certificate")
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise ServiceError(
            f"The certificate file must be smaller than {MAX_CERTIFICATE_BYTES // 1000} KB",
            field="certificate",
        )
    if data[:1] != b"\x30":  # every PKCS#12 file is a DER SEQUENCE
        raise ServiceError(
            "The selected file is not a PKCS#12 certificate (.p12 or .pfx). "
            "A PEM or CRT file holds no private key, so it cannot sign",
            field="certificate",
        )
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, passphrase.encode())
    except ValueError:
        raise ServiceError(
            "The certificate could not be opened with this passphrase: the passphrase is wrong or the file "
            "is damaged",
            field="passphrase",
        ) from None
    if key is None or certificate is None:
        raise ServiceError(
            "The certificate file has no private key and certificate pair, so it cannot sign",
            field="certificate",
        )
    return key, certificate, list(others)


def _subject(certificate: x509.Certificate) -> str:
    from cryptography.x509.oid import NameOID

    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def certificate_status(organisation_id: int, *, now: datetime | None = None) -> CertificateStatus | None:
    settings = store.get_settings(organisation_id)
    if settings is None or settings.certificate is None or settings.certificate_expires_at is None:
        return None
    expires = settings.certificate_expires_at
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)  # SQLite drops the zone
    days = (expires - (now or datetime.now(UTC))).days
    return CertificateStatus(
        settings.certificate_subject or "", expires, settings.certificate_passphrase_env or "", days
    )


def organisations_that_can_sign(*, now: datetime | None = None) -> int:
    """How many organisations have uploaded a signing certificate that has not expired."""
    return store.count_signing_certificates(now or datetime.now(UTC))


def uploaded_certificate(organisation_id: int) -> tuple[bytes, str] | None:
    """(PKCS#12, passphrase) for signing, or None when the organisation has not uploaded one."""
    settings = store.get_settings(organisation_id)
    if settings is None or settings.certificate is None:
        return None
    env = settings.certificate_passphrase_env
    if not env:
        return settings.certificate, _opened_with_service_key(settings.certificate, organisation_id)
    passphrase = secret_from_environment(env)  # uploaded before passphrases were typed at upload
    if passphrase is None:
        raise ServiceError(
            "The signing certificate's passphrase is not available: "
            f"the environment variable {env} is not set on the server. Upload the certificate again."
        )
    return settings.certificate, passphrase


def _opened_with_service_key(p12: bytes, organisation_id: int) -> str:
    from cryptography.hazmat.primitives.serialization import pkcs12

    passphrase = _service_passphrase(organisation_id)
    try:
        pkcs12.load_key_and_certificates(p12, passphrase.encode())
    except ValueError:
        raise ServiceError(
            "The signing certificate cannot be opened: the service's secret key (HIA_SECRET_KEY) has changed "
            "since it was uploaded. An admin must upload the signing certificate again."
        ) from None
    return passphrase


def uploaded_certificate_pems(organisation_code: str | None = None) -> list[bytes]:
    return [pem.encode() for pem in store.certificate_pems(organisation_code)]


def registered_certificates() -> dict[str, store.RegisteredCertificate]:
    """Each organisation's registered signing certificate, by SHA-256 fingerprint."""
    return {found.sha256: found for found in store.registered_certificates()}


def settings_of(organisation_id: int) -> OrganisationSettings | None:
    return store.get_settings(organisation_id)


def _audit(user: User, event: str, details: dict[str, Any]) -> None:
    record_audit_event(
        event,
        actor=user,
        organisation_id=user.organisation_id,
        subject=("organisation", user.organisation_id),
        details=details,
    )
