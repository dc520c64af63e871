"""Assessment documents: the signed PDF record, its verification, and the Word copy for board packs.

pdf = build_pdf(snapshot, map_png=decile_map_png(geoms_with_deciles))
signed = sign_pdf(pdf, p12_path, passphrase)          # approved, non-training versions only
result = verify_pdf(signed, trust_roots=[cert_pem])   # result.genuine, result.reason, ...
word = build_docx(snapshot)

Each function imports its module (and so matplotlib, Typst, python-docx or pyHanko) when first called,
not when the service starts: most requests and commands never draw or sign a document.
"""

from typing import TYPE_CHECKING, Any

from .errors import CertificateError, DocumentError, NotAPdfError, SigningRefusedError, SnapshotError

if TYPE_CHECKING:  # the same functions, as the type checker sees them
    from .charts import decile_chart_png, decile_map_png
    from .docx import build_docx
    from .pdf import build_pdf
    from .pdf import warm_up as warm_up_pdf
    from .signing import create_dev_certificate, sign_pdf, signing_certificate_pem
    from .verification import verify_pdf
else:

    def decile_chart_png(*args: Any, **kwargs: Any) -> bytes:
        from .charts import decile_chart_png

        return decile_chart_png(*args, **kwargs)

    def decile_map_png(*args: Any, **kwargs: Any) -> bytes:
        from .charts import decile_map_png

        return decile_map_png(*args, **kwargs)

    def build_docx(*args: Any, **kwargs: Any) -> bytes:
        from .docx import build_docx

        return build_docx(*args, **kwargs)

    def build_pdf(*args: Any, **kwargs: Any) -> bytes:
        from .pdf import build_pdf

        return build_pdf(*args, **kwargs)

    def create_dev_certificate(*args: Any, **kwargs: Any) -> bytes:
        from .signing import create_dev_certificate

        return create_dev_certificate(*args, **kwargs)

    def sign_pdf(*args: Any, **kwargs: Any) -> bytes:
        from .signing import sign_pdf

        return sign_pdf(*args, **kwargs)

    def signing_certificate_pem(*args: Any, **kwargs: Any) -> bytes:
        from .signing import signing_certificate_pem

        return signing_certificate_pem(*args, **kwargs)

    def warm_up_pdf() -> float:
        from .pdf import warm_up

        return warm_up()

    def verify_pdf(*args: Any, **kwargs: Any) -> Any:
        from .verification import verify_pdf

        return verify_pdf(*args, **kwargs)


__all__ = [
    "CertificateError",
    "DocumentError",
    "NotAPdfError",
    "SigningRefusedError",
    "SnapshotError",
    "build_docx",
    "build_pdf",
    "create_dev_certificate",
    "decile_chart_png",
    "decile_map_png",
    "sign_pdf",
    "signing_certificate_pem",
    "verify_pdf",
    "warm_up_pdf",
]
