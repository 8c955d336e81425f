"""`flask contracts ...`: render a DPA, verify a document, countersign a scan, create the signing key."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from contracts import evidence, render, service, signing
from contracts.context import BusinessDetails
from processor import staff
from processor.accounts.service import get_by_login
from processor.errors import DomainError, one_line


@click.group()
def contracts():
    """Manage data processing agreements."""


@contracts.command("render")
@click.option("--account", "login", required=True, help="The organizer's login.")
@click.option("--business-name", required=True)
@click.option("--street", required=True)
@click.option("--postal-code", required=True)
@click.option("--city", required=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. PL.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="Where to write the agreement; a name ending in .pdf is converted with LibreOffice.",
)
@with_appcontext
def render_command(login, business_name, street, postal_code, city, country, output: Path):
    """Prepare the account's next version (or refill its draft) and write it to a file."""
    try:
        details = BusinessDetails.parse(
            business_name=business_name, street=street, postal_code=postal_code, city=city, country=country
        )
        agreement = service.prepare(get_by_login(login), details)
        data = render.to_pdf(agreement.document) if output.suffix.lower() == ".pdf" else agreement.document
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    output.write_bytes(data)
    click.echo(
        f"wrote version {agreement.version} of {agreement.account.login}'s agreement to {output} "
        f"(DOCX SHA-256 {agreement.document_sha256})"
    )


@contracts.command("verify")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def verify_command(document: Path):
    """Check a DOCX against the stored original and the processor's countersignature."""
    try:
        check = evidence.verify_document(document.read_bytes())
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    if not check.valid:
        raise click.ClickException(f"not valid: {check.reason}")
    click.echo(f"valid: {check.reason}")


@contracts.command("countersign")
@click.option("--account", "login", required=True, help="The organizer's login.")
@click.option("--version", type=int, required=True, help="The version whose scan was checked.")
@staff.cli_options
@with_appcontext
def countersign_command(login, version, staff_login, client_token):
    """Countersign a version the organizer signed on paper and uploaded as a scan (a signed-in staff member)."""
    try:
        actor = staff.cli_sign_in(staff_login, client_token)  # recorded as who countersigned
        agreement = evidence.countersign_scan(login, version, staff=actor.name)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"countersigned version {agreement.version} of {login} with key {agreement.signature.key_id}")


@contracts.command("status")
@click.option("--account", "login", required=True, help="The organizer's login.")
@with_appcontext
def status_command(login):
    """Show where an account's agreement stands."""
    try:
        status = service.status(get_by_login(login))
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    latest = f"version {status.latest.version}: {status.latest.status_label}" if status.latest else "no agreement"
    click.echo(f"{login}: {latest}; in force: {f'version {status.in_force.version}' if status.in_force else 'none'}")
    if status.new_version_offered:
        click.echo(f"a new version is offered: {', '.join(status.changes)} changed")


@contracts.command("keygen")
@with_appcontext
def keygen_command():
    """Create the processor's Ed25519 countersigning key in instance/ (never overwrites one)."""
    path = signing.key_path()
    try:
        key = signing.create_key(path)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"created {path} (key id {signing.key_id(key.public_key())}); back it up apart from the database")
