"""`hia certs ...` and `hia pdf ...`: development certificates, checking signed PDFs, and a sample PDF.

Register with the `hia` FlaskGroup: `hia.add_command(certs_cli)` and `hia.add_command(pdf_cli)`. Commands
that need the organisation's certificate read HIA_SIGNING_P12 and HIA_SIGNING_PASSPHRASE from the app's
config when an app is available, and otherwise take it from their options. `pdf export REF` can be added
to pdf_cli with `@pdf_cli.command("export")`, reusing signing_settings() below.
"""

import logging
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
import flask
from flask.cli import ScriptInfo

from hia_service.cli.options import ForgivingChoice, organisation_option
from hia_service.config import secret_from_environment
from hia_service.documents import (
    DocumentError,
    build_docx,
    build_pdf,
    create_dev_certificate,
    sign_pdf,
    signing_certificate_pem,
    verify_pdf,
)
from hia_service.documents.sample import example_map_png, example_snapshot
from hia_service.documents.snapshot import STATUSES

P12_SETTING, PASSPHRASE_SETTING = "HIA_SIGNING_P12", "HIA_SIGNING_PASSPHRASE"
P = ParamSpec("P")
R = TypeVar("R")


@click.group("certs", help="Signing certificates for assessment records.")
def certs_cli() -> None:
    pass


@click.group("pdf", help="Signed assessment PDFs: check one, or make a sample to look at.")
def pdf_cli() -> None:
    pass


@certs_cli.command("dev")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .p12 file to write."
)
@click.option("--org", "org_name", required=True, help="Organisation name: the certificate's subject.")
@click.option("--passphrase-env", metavar="VAR", help="Read the passphrase from this environment variable.")
@click.option(
    "--days", type=click.IntRange(1, 3650), default=730, show_default=True, help="Days it is valid."
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def dev_certificate(out: Path, org_name: str, passphrase_env: str | None, days: int, force: bool) -> None:
    """Create a self-signed development certificate (PKCS#12 with a passphrase) and its public .pem."""
    if out.exists() and not force:
        raise click.ClickException(f"{out} already exists. Use --force to replace it.")
    passphrase = _passphrase(passphrase_env, confirm=True)
    pem = _documents_call(create_dev_certificate, out, passphrase, org_name, days)
    public = out.with_suffix(".pem")
    public.write_bytes(pem)
    click.echo(f"Wrote the development certificate for {org_name} to {out} (valid {days} days).")
    click.echo(f"Its public certificate is in {public}: use it with `hia pdf verify FILE --trust {public}`.")
    click.echo("For development only. A live service needs a certificate from the organisation's authority.")


@pdf_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Trusted certificate (PEM or DER). Defaults to the app's signing certificate.",
)
@click.option(
    "--registered",
    is_flag=True,
    help="Check it as the verification page does: signed with the certificate its organisation registered "
    "on this service, and issued by this service.",
)
def verify(file: Path, trust: tuple[Path, ...], registered: bool) -> None:
    """Check FILE is a genuine, unaltered signed record. Exit 0 if genuine, 1 if not."""
    if registered:
        _verify_registered(file)
        return
    roots = [path.read_bytes() for path in trust] or [_configured_certificate()]
    with _quiet_pyhanko():
        result = _documents_call(verify_pdf, file.read_bytes(), roots)
    click.echo(("GENUINE: " if result.genuine else "NOT GENUINE: ") + result.reason)
    if result.reference:
        click.echo(f"Assessment: {result.reference} v{result.version}")
    if result.signer:
        when = f" at {result.signed_at.isoformat()}" if result.signed_at else ""
        click.echo(f"Signed by: {result.signer}{when}")
    click.echo(f"SHA-256: {result.sha256}")
    sys.exit(0 if result.genuine else 1)


@pdf_cli.command("sample")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PDF to write."
)
@click.option("--sign", is_flag=True, help="Sign it (with the app's certificate, --p12, or a throwaway one).")
@click.option("--status", type=ForgivingChoice(STATUSES), default="approved", show_default=True)
@click.option("--training", is_flag=True, help="Mark it as a training document.")
@click.option(
    "--docx", "docx_out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the Word copy."
)
@click.option(
    "--p12", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Certificate to sign with."
)
@click.option("--passphrase-env", metavar="VAR", help="Environment variable holding the --p12 passphrase.")
def sample(
    out: Path,
    sign: bool,
    status: str,
    training: bool,
    docx_out: Path | None,
    p12: Path | None,
    passphrase_env: str | None,
) -> None:
    """Render the example assessment so you can look at it."""
    snapshot = {**example_snapshot(), "status": status, "training": training}
    pdf = _documents_call(build_pdf, snapshot, map_png=example_map_png())
    if sign:
        pdf = _sign_sample(pdf, out, p12, passphrase_env)
    out.write_bytes(pdf)
    click.echo(f"Wrote {out} ({len(pdf) / 1024:.0f} KB).")
    if docx_out:
        docx_out.write_bytes(_documents_call(build_docx, snapshot, map_png=example_map_png()))
        click.echo(f"Wrote {docx_out}.")


def signing_settings() -> tuple[Path, str] | None:
    """(PKCS#12 path, passphrase) from the app's config, or None when there is no app or no setting."""
    # current_app is a proxy (Flask types it as the app itself); the real object outlives the context.
    app = flask.current_app._get_current_object() if flask.has_app_context() else _load_app()  # type: ignore[attr-defined]
    if app is None or not app.config.get(P12_SETTING):
        return None
    return Path(app.config[P12_SETTING]), app.config.get(PASSPHRASE_SETTING) or ""


def _load_app() -> flask.Flask | None:
    info = click.get_current_context().find_object(ScriptInfo)
    if info is None:
        return None
    try:
        return info.load_app()
    except Exception:  # no app, or its settings are incomplete: these commands can run without one
        return None


def _configured_certificate() -> bytes:
    settings = signing_settings()
    if settings is None:
        settings_names = f"{P12_SETTING} and {PASSPHRASE_SETTING}"
        raise click.UsageError(
            f"Say which certificate to trust with --trust CERT.pem, or set {settings_names}."
        )
    return _documents_call(signing_certificate_pem, *settings)


def _sign_sample(pdf: bytes, out: Path, p12: Path | None, passphrase_env: str | None) -> bytes:
    if p12 is not None:
        return _documents_call(sign_pdf, pdf, p12, _passphrase(passphrase_env, confirm=False))
    settings = signing_settings()
    if settings is not None:
        return _documents_call(sign_pdf, pdf, *settings)
    with tempfile.TemporaryDirectory() as folder:
        throwaway = Path(folder) / "sample.p12"
        pem = create_dev_certificate(throwaway, "sample", example_snapshot()["organisation"]["name"], days=30)
        signed = _documents_call(sign_pdf, pdf, throwaway, "sample")
    public = out.with_name(out.stem + "-certificate.pem")
    public.write_bytes(pem)
    click.echo(f"Signed with a throwaway certificate; check it with `hia pdf verify {out} --trust {public}`.")
    return signed


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a traceback for every untrusted signature; the command's own answer is enough."""
    logger = logging.getLogger("pyhanko")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _passphrase(variable: str | None, *, confirm: bool) -> str:
    if variable is None:
        return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)
    value = secret_from_environment(variable)
    if not value:
        raise click.UsageError(f"The environment variable {variable} is not set or is empty.")
    return value


def _documents_call(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Show document errors as a one-line message, not a traceback."""
    try:
        return function(*args, **kwargs)
    except DocumentError as error:
        raise click.ClickException(str(error)) from error


@flask.cli.with_appcontext
def _verify_registered(file: Path) -> None:
    from hia_service.services.documents import records as documents  # the other checks need no app

    with _quiet_pyhanko():
        check = documents.check_upload(file.read_bytes())
    click.echo(("GENUINE: " if check.genuine else "NOT GENUINE: ") + check.reason)
    if check.record:
        record = check.record
        click.echo(f"Assessment: {record.reference} v{record.version} ({record.organisation})")
    if check.signer:
        when = f" at {check.signed_at.isoformat()}" if check.signed_at else ""
        click.echo(f"Signed by: {check.signer}{when}")
    click.echo(f"SHA-256: {check.sha256}")
    sys.exit(0 if check.genuine else 1)


@pdf_cli.command("export")
@click.argument("reference")
@organisation_option
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write."
)
@click.option("--version", "number", type=click.IntRange(1), help="Which version (default: the latest).")
@click.option("--docx", "as_docx", is_flag=True, help="Write the Word copy instead of the PDF.")
@flask.cli.with_appcontext
def export(reference: str, org_code: str, out: Path, number: int | None, as_docx: bool) -> None:
    """Write an assessment's record: the stored signed PDF of an approved version, otherwise the version
    (or the draft being written) marked "DRAFT — NOT APPROVED"."""
    from hia_service.data.transaction import commit  # imported here: the other commands need no app
    from hia_service.services.documents import records as documents
    from hia_service.services.errors import ServiceError

    try:
        document = documents.export(org_code, reference, number, "docx" if as_docx else "pdf")
        commit()  # a version approved before signing was wired in is signed (and recorded) now
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    out.write_bytes(document.data)
    click.echo(f"Wrote {document.filename} to {out} ({len(document.data) / 1024:.0f} KB).")
