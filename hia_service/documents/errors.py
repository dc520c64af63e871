"""Errors raised by the document code, each with a message a member of NHS staff can act on."""


class DocumentError(Exception):
    """Base class: the message (str(error)) is plain English and safe to show to users."""


class SnapshotError(DocumentError):
    """The assessment snapshot given to build_pdf/build_docx is missing something or malformed."""


class CertificateError(DocumentError):
    """The organisation's signing certificate is missing, locked, unreadable or out of date."""


class SigningRefusedError(DocumentError):
    """The document must not be signed (training, draft, already signed, or not ours)."""


class NotAPdfError(DocumentError):
    """The bytes given are not a PDF this service can work with."""
