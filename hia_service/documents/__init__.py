"""Assessment documents: the signed PDF record, its verification, and the Word copy for board packs.

pdf = build_pdf(snapshot, map_png=decile_map_png(geoms_with_deciles))
signed = sign_pdf(pdf, p12_path, passphrase)          # approved, non-training versions only
result = verify_pdf(signed, trust_roots=[cert_pem])   # result.genuine, result.reason, ...
word = build_docx(snapshot)
"""

from .charts import decile_chart_png, decile_map_png
from .docx import build_docx
from .errors import CertificateError, DocumentError, NotAPdfError, SigningRefusedError, SnapshotError
from .pdf import build_pdf
from .signing import create_dev_certificate, sign_pdf, signing_certificate_pem
from .verification import MAX_BYTES, VerificationResult, load_trust_roots, verify_pdf

__all__ = [
    "MAX_BYTES",
    "CertificateError",
    "DocumentError",
    "NotAPdfError",
    "SigningRefusedError",
    "SnapshotError",
    "VerificationResult",
    "build_docx",
    "build_pdf",
    "create_dev_certificate",
    "decile_chart_png",
    "decile_map_png",
    "load_trust_roots",
    "sign_pdf",
    "signing_certificate_pem",
    "verify_pdf",
]
