"""The signature on an organisation archive's manifest (manifest.sig.json).

`hia export` signs the exact bytes of manifest.json with the service's own signing certificate
(HIA_SIGNING_P12; in development and testing, the development certificate the service made for the
organisation), and stores the signature with the signer's certificate and its issuing chain. The manifest
holds the sha256 of every other file, so a valid signature covers the whole archive.
`hia import` checks, before it writes anything, that the signature matches the manifest and that the signer
is a certificate this service signs archives with (documents.service_certificate_pems(code)) or one the
operator gave with --trust-certificate, either directly or through certificates that issued it. A
certificate an organisation uploaded for its PDFs never vouches for an archive: its administrators may hold
the key, and a restore must not take records they wrote themselves for the service's own. The certificate's
expiry is not checked at import: a backup outlives the certificate that signed it; trust comes from the
certificate being trusted here now.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

from hia_service.documents.errors import CertificateError
from hia_service.domain.backup import (
    MAX_CERTIFICATES,
    SIGNATURE,
    ArchiveError,
    parse_signature,
    signature_member,
)
from hia_service.services.backup.files import to_json

MISMATCH = (
    f"The archive's signature ({SIGNATURE}) does not match its manifest: the manifest was changed after "
    "the archive was signed, so the archive has been altered. Nothing was imported."
)


@dataclass(frozen=True)
class Signer:
    """Who signed a manifest: the certificate's subject and its SHA-256 fingerprint (as `openssl x509
    -fingerprint -sha256` prints it), and whether this service trusts it."""

    subject: str
    fingerprint: str
    trusted: bool = True

    def __str__(self) -> str:
        return f"{self.subject} (SHA-256 fingerprint {self.fingerprint})"


def describe(certificate: x509.Certificate, *, trusted: bool = True) -> Signer:
    # In the certificate's own order, as openssl and Windows show it (RFC 4514 reverses it)
    subject = ", ".join(rdn.rfc4514_string() for rdn in certificate.subject.rdns)
    return Signer(
        subject or "(no subject)",
        certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
        trusted,
    )


# --- export -----------------------------------------------------------------------------------------------


def sign_manifest(manifest: bytes, p12_path: Path, passphrase: str) -> tuple[bytes, Signer]:
    """manifest.sig.json for these manifest bytes; CertificateError when the certificate cannot sign."""
    from hia_service.documents.signing import open_p12  # pyHanko and its kin: only when signing

    key, certificate, chain = open_p12(p12_path, passphrase)
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm, signature = "rsa-pkcs1v15-sha256", key.sign(manifest, PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm, signature = "ecdsa-sha256", key.sign(manifest, ec.ECDSA(hashes.SHA256()))
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        algorithm, signature = "ed25519", key.sign(manifest)
    else:
        raise CertificateError(
            "The signing certificate's key is of a kind this service cannot sign an archive with "
            "(it signs with RSA, elliptic-curve or Ed25519 keys)."
        )
    pems = [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in [certificate, *chain]]
    return to_json(signature_member(algorithm, signature, pems[:MAX_CERTIFICATES])), describe(certificate)


# --- import -----------------------------------------------------------------------------------------------


def verify_manifest(
    manifest: bytes, member: bytes, trusted: Iterable[x509.Certificate], *, trust_required: bool = True
) -> Signer:
    """The signer of these manifest bytes. Raises ArchiveError when the signature member is damaged, the
    signature does not match, or (when trust_required) the signer is not trusted."""
    parsed = parse_signature(member)
    certificates = [_certificate(text, number) for number, text in enumerate(parsed.certificates, 1)]
    signer = certificates[0]
    try:
        key = signer.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise ArchiveError(
            f"{SIGNATURE} in the archive is damaged: the signer's certificate holds a key this service "
            "cannot read."
        ) from None
    try:
        _verify(parsed.algorithm, key, parsed.signature, manifest)
    except (InvalidSignature, ValueError, TypeError):
        raise ArchiveError(MISMATCH) from None
    is_trusted = _chains_to(certificates, list(trusted))
    who = describe(signer, trusted=is_trusted)
    if trust_required and not is_trusted:
        raise ArchiveError(
            f"The archive is signed by {who}, a certificate this service does not trust, so nothing was "
            "imported. Archives are trusted only when signed by this service's own certificate. If you know "
            "the archive came from another service (moving an organisation between services), get that "
            "service's signing certificate from its operator (not from the archive) and give it with "
            "--trust-certificate FILE.pem, or give the sha256 `hia export` printed with --expect-sha256."
        )
    return who


def _certificate(text: str, number: int) -> x509.Certificate:
    try:
        with warnings.catch_warnings():  # one that breaks RFC 5280 (a negative serial number) is refused
            warnings.simplefilter("error")
            certificate = x509.load_pem_x509_certificate(text.encode("utf-8", "surrogatepass"))
            certificate.subject, certificate.issuer  # noqa: B018 (parsed lazily: make a bad name fail here)
        return certificate
    except (ValueError, TypeError, UnsupportedAlgorithm, Warning):
        which = "the signer's certificate" if number == 1 else f"certificate {number} of its chain"
        raise ArchiveError(
            f"{SIGNATURE} in the archive is damaged: {which} is not a readable PEM certificate."
        ) from None


def _verify(algorithm: str, key: object, signature: bytes, data: bytes) -> None:
    if algorithm == "rsa-pkcs1v15-sha256" and isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, PKCS1v15(), hashes.SHA256())
    elif algorithm == "ecdsa-sha256" and isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    elif algorithm == "ed25519" and isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(signature, data)
    else:
        raise ArchiveError(
            f"{SIGNATURE} in the archive is damaged: it says the signature is {algorithm}, but the signer's "
            "certificate holds a different kind of key."
        )


def _chains_to(certificates: Sequence[x509.Certificate], trusted: Sequence[x509.Certificate]) -> bool:
    """The signer is a trusted certificate, or was issued (through the archive's chain) by one."""
    known = {c.fingerprint(hashes.SHA256()) for c in trusted}
    current, unused = certificates[0], list(certificates[1:])
    for _ in range(MAX_CERTIFICATES):
        if current.fingerprint(hashes.SHA256()) in known:
            return True
        if any(_issued(current, root) for root in trusted):
            return True
        issuer = next((c for c in unused if _issued(current, c)), None)
        if issuer is None:
            return False
        unused.remove(issuer)
        current = issuer
    return False


def _issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        constraints = parent.extensions.get_extension_for_class(x509.BasicConstraints).value
        if not constraints.ca:
            return False
        child.verify_directly_issued_by(parent)
    except (x509.ExtensionNotFound, InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def read_certificates(data: bytes, source: str) -> list[x509.Certificate]:
    """Certificates from a PEM (one or many) or DER file; ArchiveError naming the source otherwise."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ArchiveError(
            f"{source} is not a certificate: give the signing certificate as a PEM (or DER) file, "
            "its public part only."
        ) from None
