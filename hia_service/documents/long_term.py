"""Validation data for the long term (PAdES baseline B-LT), collected when a record is signed.

A timestamped signature (B-T) proves when a record was signed. B-LT adds what a verifier needs to check,
years later, that the signing certificate had not been revoked then: the certificates of the chain and
the revocation data (CRLs, OCSP responses) for the signer's chain and the timestamp authority's, kept in
the PDF's document security store (DSS). They are written in the signature's own revision, so the
signature covers them and the file still ends where the signature ends.

B-LT is tried only when a timestamp authority is configured and the signing certificate, or an issuer in
its PKCS#12 file, names a revocation service over http(s), as a certificate from an NHS or commercial
authority does. The data is fetched only from the addresses in the certificates, each request waiting at
most FETCH_TIMEOUT_SECONDS.

It is best effort. When there is nothing to fetch (a self-signed development certificate) or the data
cannot be had (a CRL server down or slow, a chain that cannot be traced to a root), the record is signed
B-T exactly as without this, and a warning names the reason: an approval must never fail because a
revocation server is down. The one exception is revocation data saying the signing certificate has been
revoked: signing then stops with a CertificateError, as it does for an expired certificate.
"""

import dataclasses
import logging
from collections.abc import Callable
from functools import lru_cache

import certifi
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.fetchers import OwnedFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from .errors import CertificateError

FETCH_TIMEOUT_SECONDS = 10
NOT_LONG_TERM = "The record was signed without long-term validation data (PAdES B-T, not B-LT): %s."
# What goes wrong while collecting the data. pyHanko reports the signer's chain as SigningError, the
# timestamp authority's as the certificate validator's own errors.
COLLECTION_ERRORS = (SigningError, ValidationError, PathError)
log = logging.getLogger(__name__)


def sign_with_validation_data(
    sign: Callable[[signers.PdfSignatureMetadata], bytes],
    meta: signers.PdfSignatureMetadata,
    signer: signers.Signer,
) -> bytes:
    """sign(meta) asking for B-LT when the certificates allow it; sign(meta) as given when not, or when
    the data cannot be collected, with the reason logged as a warning."""
    context = revocation_context(signer)
    if context is not None:
        try:
            return sign(long_term(meta, context))
        except COLLECTION_ERRORS as error:
            log.warning(NOT_LONG_TERM, why_not_long_term(error))
    return sign(meta)


def revocation_context(signer: signers.Signer) -> ValidationContext | None:
    """A context that fetches the revocation data for the signer's chain (and the timestamp authority's),
    or None, with the reason logged, when the certificates name no revocation service."""
    assert signer.signing_cert is not None  # load_signer always has one
    chain = [signer.signing_cert, *signer.cert_registry]
    if not any(_revocation_addresses(cert) for cert in chain):
        log.warning(NOT_LONG_TERM, "the signing certificate names no revocation service (CRL or OCSP)")
        return None
    roots = [cert for cert in chain if cert.self_signed != "no"]
    return ValidationContext(
        # Roots only to trace chains to, not a judgement of trust (the verifier makes that): the
        # organisation's own, from its PKCS#12 file, and the public ones that commercial timestamp
        # authorities chain to.
        trust_roots=[*roots, *_public_roots()],
        other_certs=[cert for cert in chain if cert not in roots],
        allow_fetching=True,
        revocation_mode="hard-fail",  # a revocation service named but not answering is a failure
        fetcher_backend=OwnedFetcherBackend(AIOHttpFetcherBackend(per_request_timeout=FETCH_TIMEOUT_SECONDS)),
    )


def long_term(meta: signers.PdfSignatureMetadata, context: ValidationContext) -> signers.PdfSignatureMetadata:
    """The signature's metadata, asking for the validation data in the DSS of the signature's revision."""
    return dataclasses.replace(
        meta,
        embed_validation_info=True,
        validation_context=context,
        signer_key_usage=set(),  # which key usages the certificate has is the verifier's question
        # no VRI entries (deprecated in PAdES): they could only be written in a later revision
        dss_settings=DSSContentSettings(
            include_vri=False, placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE
        ),
    )


def why_not_long_term(error: Exception) -> str:
    """Why the validation data could not be collected, for the log. Raises CertificateError when the
    signing certificate has been revoked."""
    cause = error.__cause__ if isinstance(error, SigningError) else error
    whose = (
        "the signing certificate"
        if isinstance(error, SigningError)
        else "the timestamp authority's certificate"
    )
    if isinstance(cause, RevokedError) and isinstance(error, SigningError):
        raise CertificateError(
            "The signing certificate has been revoked (withdrawn) by the authority that issued it, so it "
            "cannot sign. Ask your administrator to upload a new one."
        ) from error
    if isinstance(cause, PathBuildingError):
        return f"{whose} could not be traced to a root certificate ({cause})"
    if isinstance(cause, RevokedError):
        return f"{whose} has been revoked ({cause})"
    if isinstance(cause, InsufficientRevinfoError):
        return f"revocation data for {whose} could not be fetched ({cause})"
    return f"{whose} could not be checked ({cause or error})"


def _revocation_addresses(cert: asn1_x509.Certificate) -> list[str]:
    """The http(s) addresses of the CRLs and OCSP responders a certificate names."""
    crls = [url for point in cert.crl_distribution_points for url in _urls(point)]
    return [url for url in [*crls, *cert.ocsp_urls] if url.lower().startswith(("http://", "https://"))]


def _urls(point: asn1_x509.DistributionPoint) -> list[str]:
    names = point["distribution_point"]
    if names.name != "full_name":
        return []
    return [name.native for name in names.chosen if name.name == "uniform_resource_identifier"]


@lru_cache(maxsize=1)
def _public_roots() -> tuple[asn1_x509.Certificate, ...]:
    """Mozilla's root certificates (certifi, which pyHanko's certificate validator depends on)."""
    with open(certifi.where(), "rb") as bundle:
        return tuple(
            asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(bundle.read(), multiple=True)
        )
