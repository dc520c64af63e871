"""manifest.sig.json fuzzed: random bytes, random JSON, the real member with fields swapped for values of
the wrong type or size, and the real member with bytes flipped. verify_manifest either names the genuine
signer or raises ArchiveError with a plain message about the signature; nothing else escapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from hypothesis import given
from hypothesis import strategies as st

from hia_service.domain.backup import ArchiveError, parse_signature
from hia_service.services.backup.signature import sign_manifest, verify_manifest
from tests.fuzz_counts import fuzz_settings, tried
from tests.integration.backup.conftest import CERTIFICATE_PASSPHRASE

MANIFEST = json.dumps({"format": "hia-organisation-archive", "format_version": 3, "files": []}).encode()
FIELDS = ["format", "version", "signs", "algorithm", "signature", "certificates"]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**1000)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["A" * 70_000, "=" * 5, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=12) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=40,
)


class Genuine:
    """The genuine member and signer, with a short repr for hypothesis's reports."""

    def __init__(self, member: bytes, fingerprint: str, trusted: list[x509.Certificate]) -> None:
        self.member, self.fingerprint, self.trusted = member, fingerprint, trusted

    def __repr__(self) -> str:
        return "<genuine signature>"


@pytest.fixture(scope="module")
def genuine(source_p12: Path) -> Genuine:
    from hia_service.documents import signing_certificate_pem

    member, signer = sign_manifest(MANIFEST, source_p12, CERTIFICATE_PASSPHRASE)
    trusted = [x509.load_pem_x509_certificate(signing_certificate_pem(source_p12, CERTIFICATE_PASSPHRASE))]
    return Genuine(member, signer.fingerprint, trusted)


def dumps(value: Any) -> bytes:
    try:
        return json.dumps(value).encode()
    except ValueError:  # an integer too long to write as text: write it by hand
        return b"{" + b'"version": ' + b"9" * 5000 + b"}"


@st.composite
def members(draw: st.DrawFn, genuine: Genuine) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "fields", "fields", "fields", "flips"]))
    if kind == "bytes":
        return draw(st.binary(max_size=3000))
    if kind == "json":
        return dumps(draw(json_values))
    if kind == "fields":
        member = json.loads(genuine.member)
        for field in draw(st.sets(st.sampled_from(FIELDS), min_size=1)):
            if draw(st.booleans()):
                member.pop(field)
            else:
                member[field] = draw(json_values)
        return dumps(member)
    data = bytearray(genuine.member)
    for position in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=6)):
        data[position] = draw(st.integers(0, 255))
    return bytes(data)


def check(genuine: Genuine, member: bytes) -> None:
    tried("backup: malformed manifest signature (fuzzed)")
    try:
        signer = verify_manifest(MANIFEST, member, genuine.trusted)
    except ArchiveError as error:
        assert error.message and len(error.message) < 1000
        # says it is about the signature (a flip inside a certificate can leave a readable, different one)
        assert any(
            word in error.message for word in ("manifest.sig.json", "signature", "The archive is signed by")
        )
        return
    # Accepted only when it still says what the genuine member says (a flip inside whitespace, say).
    assert signer.fingerprint == genuine.fingerprint and signer.trusted
    assert parse_signature(member) == parse_signature(genuine.member)


@given(data=st.data())
@fuzz_settings(300)
def test_malformed_signature_members_get_a_clear_error(genuine: Genuine, data: st.DataObject) -> None:
    check(genuine, data.draw(members(genuine)))


def test_the_genuine_member_verifies_and_an_untrusted_one_names_its_signer(
    genuine: Genuine, forger_p12: Path
) -> None:
    assert verify_manifest(MANIFEST, genuine.member, genuine.trusted).fingerprint == genuine.fingerprint
    forged, forger = sign_manifest(MANIFEST, forger_p12, CERTIFICATE_PASSPHRASE)
    with pytest.raises(ArchiveError) as refused:
        verify_manifest(MANIFEST, forged, genuine.trusted)
    assert "CN=Forger Signing Ltd, O=Forger Signing Ltd" in refused.value.message
    assert forger.fingerprint in refused.value.message
    assert not verify_manifest(MANIFEST, forged, genuine.trusted, trust_required=False).trusted
    with pytest.raises(ArchiveError, match="does not match its manifest"):
        verify_manifest(MANIFEST + b" ", genuine.member, genuine.trusted)


# --- certificates issued by an authority, and other kinds of key ------------------------------------------


def _certificate(
    subject: str, key: Any, issuer: tuple[str, Any] | None = None, *, ca: bool = False
) -> x509.Certificate:
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import NameOID

    issuer_name, issuer_key = issuer or (subject, key)
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
    )


def _p12(path: Path, key: Any, certificate: x509.Certificate, chain: list[x509.Certificate]) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    encryption = serialization.BestAvailableEncryption(CERTIFICATE_PASSPHRASE.encode())
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"signer", key, certificate, chain, encryption))
    return path


def test_a_signer_issued_by_a_trusted_authority_is_trusted_through_its_chain(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    root_key, intermediate_key, signer_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _certificate("NHS Test Root", root_key, ca=True)
    intermediate = _certificate("NHS Test Issuing", intermediate_key, ("NHS Test Root", root_key), ca=True)
    signer = _certificate("Riverside Trust", signer_key, ("NHS Test Issuing", intermediate_key))
    member, signed_by = sign_manifest(
        MANIFEST, _p12(tmp_path / "s.p12", signer_key, signer, [intermediate]), CERTIFICATE_PASSPHRASE
    )
    assert json.loads(member)["algorithm"] == "ecdsa-sha256" and len(json.loads(member)["certificates"]) == 2
    assert verify_manifest(MANIFEST, member, [root]) == signed_by
    assert signed_by.subject == "CN=Riverside Trust"
    assert verify_manifest(MANIFEST, member, [intermediate]).trusted
    # Another root, or a trusted certificate that is not an authority, vouches for nothing it did not sign.
    other = _certificate("Someone Else", ec.generate_private_key(ec.SECP256R1()), ca=True)
    with pytest.raises(ArchiveError, match="does not trust"):
        verify_manifest(MANIFEST, member, [other])
    not_ca = _certificate("NHS Test Issuing", intermediate_key, ("NHS Test Root", root_key), ca=False)
    with pytest.raises(ArchiveError, match="does not trust"):
        verify_manifest(MANIFEST, member, [not_ca])


def test_an_ed25519_signer_signs_and_verifies(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    certificate = _certificate("Edwards Trust", key)
    member, _ = sign_manifest(
        MANIFEST, _p12(tmp_path / "e.p12", key, certificate, []), CERTIFICATE_PASSPHRASE
    )
    assert json.loads(member)["algorithm"] == "ed25519"
    assert verify_manifest(MANIFEST, member, [certificate]).subject == "CN=Edwards Trust"
    with pytest.raises(ArchiveError, match="does not match its manifest"):
        verify_manifest(b"{}", member, [certificate])
