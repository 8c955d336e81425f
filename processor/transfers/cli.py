"""`flask transfers ...` explains the adequacy registry and records attestations; `flask subprocessors ...` keeps
the sub-processor list."""

from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from processor.accounts.models import Account
from processor.clients.models import ServiceClient
from processor.errors import DomainError, NotFound, one_line
from processor.extensions import db
from processor.transfers import recipients
from processor.transfers import subprocessors as service
from processor.transfers.attestations import new_attestation
from processor.transfers.policy import ATTESTATION_KINDS, TransferPolicy, today

CLI_ACTOR = "cli"
MALFORMED = 2  # exit status for input that is not a question (0 allowed, 1 refused)


def _malformed(message: str):
    click.echo(f"Malformed input: {message}", err=True)
    raise SystemExit(MALFORMED)


def _parse_day(value: str | None, option: str = "--on") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        _malformed(f"{option} must be a calendar day written YYYY-MM-DD, not {value!r}.")


def _parse_kinds(values) -> list[str]:
    kinds = [v.strip().lower() for value in values for v in value.split(",") if v.strip()]
    unknown = [k for k in kinds if k not in ATTESTATION_KINDS]
    if unknown:
        _malformed(f"--attests takes {', '.join(ATTESTATION_KINDS)}, not {', '.join(unknown)}.")
    return kinds


@click.group()
def transfers():
    """Explain where participant data may go on a given day."""


@transfers.command("explain")
@click.argument("country")
@click.option("--on", "day", metavar="YYYY-MM-DD", help="The day of the transfer (default: today, UTC).")
@click.option(
    "--attests",
    multiple=True,
    metavar="KIND",
    help=f"An attestation the recipient holds that day, repeatable: {', '.join(ATTESTATION_KINDS)}.",
)
@click.option("--dpf-certified", is_flag=True, help="Same as --attests dpf.")
def explain(country, day, attests, dpf_certified):
    """Print the decision for COUNTRY and its source on one line; exit 0 allowed, 1 refused, 2 malformed input."""
    on = _parse_day(day)
    kinds = _parse_kinds(attests) + (["dpf"] if dpf_certified else [])
    decision = TransferPolicy().check(country, on=on, attestations=kinds)
    if decision.rule == "malformed-country":
        _malformed(decision.reason)
    click.echo(f"{decision.reason} (source: {decision.source or '-'})")
    raise SystemExit(0 if decision.allowed else 1)


@transfers.command("registry")
@click.option("--on", "day", metavar="YYYY-MM-DD", help="The day to list (default: today, UTC).")
def registry(day):
    """List the adequacy decisions in force on a day and the EEA states that day."""
    policy = TransferPolicy()
    on = _parse_day(day) or today()
    click.echo(f"registry version {policy.registry.version}; in force on {on}:")
    for row in policy.in_force(on):
        limit = f" — {row.limit}" if row.limit else ""
        needs = f" [needs {row.attestation}]" if row.attestation else ""
        click.echo(f"{row.country}  {row.rule:<15} {row.period()}{limit}{needs}")
    click.echo(f"EEA: {' '.join(sorted(policy.registry.eea_on(on)))}")


@transfers.command("attest")
@click.option("--client", "client_name", help="The service client's name.")
@click.option("--subprocessor", "subprocessor_name", help="The current sub-processor's name.")
@click.option("--kind", required=True, type=click.Choice(ATTESTATION_KINDS), help="What it attests.")
@click.option("--reference", required=True, help="The proof: list entry, certificate number, contract clause.")
@click.option("--from", "valid_from", required=True, metavar="YYYY-MM-DD", help="First day it is valid.")
@click.option("--to", "valid_to", metavar="YYYY-MM-DD", help="Last day it is valid (default: open).")
@with_appcontext
def attest(client_name, subprocessor_name, kind, reference, valid_from, valid_to):
    """Record a scope attestation a recipient holds (a client or a sub-processor)."""
    if bool(client_name) == bool(subprocessor_name):
        _malformed("give exactly one of --client or --subprocessor.")
    start, end = _parse_day(valid_from, "--from"), _parse_day(valid_to, "--to")
    try:
        if client_name:
            holder = db.session.scalar(sa.select(ServiceClient).where(ServiceClient.name == client_name.lower()))
        else:
            holder = service.find_current(subprocessor_name)
        if holder is None:
            raise NotFound(f"No such {'client' if client_name else 'current sub-processor'}.")
        attestation = new_attestation(kind=kind, reference=reference, valid_from=start, valid_to=end, by=CLI_ACTOR)
        holder.attestations.append(attestation)
        db.session.commit()
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"recorded {attestation.describe()} for {client_name or subprocessor_name}")


@click.group()
def subprocessors():
    """Keep the list of sub-processors that organizers see."""


@subprocessors.command("add")
@click.option("--name", required=True, help="The sub-processor's legal name.")
@click.option("--address", required=True, help="Its registered address (shown in the DPA's Annex IV).")
@click.option("--purpose", required=True, help="What it does for the service, e.g. 'Mail delivery'.")
@click.option("--country", required=True, help="Where it processes the data: ISO 3166-1 alpha-2, e.g. DE.")
@click.option("--essential", is_flag=True, help="The service cannot run without it (an objection offers termination).")
@click.option("--attests", type=click.Choice(ATTESTATION_KINDS), help="The attestation its country's decision needs.")
@click.option("--reference", help="The attestation's reference (required with --attests).")
@click.option("--valid-from", metavar="YYYY-MM-DD", help="The attestation's first day (default: today).")
@click.option("--valid-to", metavar="YYYY-MM-DD", help="The attestation's last day (default: open).")
@click.option("--dpf-certified", is_flag=True, help="Older spelling of --attests dpf, without a reference.")
@click.option("--emergency", "emergency_reason", help="Take effect at once for this (security) reason.")
@click.option("--replaces", help="With --emergency: the current sub-processor it replaces at once.")
@with_appcontext
def add(
    name,
    address,
    purpose,
    country,
    essential,
    attests,
    reference,
    valid_from,
    valid_to,
    dpf_certified,
    emergency_reason,
    replaces,
):
    """Announce a sub-processor; it takes effect after the notice period (or at once in an emergency)."""
    try:
        held = []
        if attests:
            start = _parse_day(valid_from, "--valid-from") or today()
            end = _parse_day(valid_to, "--valid-to")
            held = [new_attestation(kind=attests, reference=reference, valid_from=start, valid_to=end, by=CLI_ACTOR)]
        added = service.add_subprocessor(
            name=name,
            address=address,
            purpose=purpose,
            country=country,
            essential=essential,
            attestations=held,
            dpf_certified=dpf_certified,
            emergency_reason=emergency_reason,
            replaces=replaces,
            by=CLI_ACTOR,
        )
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    change = service.list_changes()[0]
    when = f"at once ({emergency_reason.strip()})" if emergency_reason else f"on {added.effective_on}"
    click.echo(
        f"announced {added.name} ({added.country}); takes effect {when}; organizers may object until "
        f"{change.objection_deadline}"
    )
    if condition := added.transfer_on(added.effective_on).condition:
        click.echo(f"condition of the transfer: {condition}")


@subprocessors.command("list")
@click.option("--changes", is_flag=True, help="List the recorded changes with their objection deadlines instead.")
@with_appcontext
def list_(changes):
    """List the current sub-processors (or, with --changes, every change)."""
    if changes:
        for change in service.list_changes():
            sub = change.subprocessor
            until = f"objections until {change.objection_deadline}" if change.objection_deadline else "no objection"
            urgent = f"  emergency: {change.emergency_reason}" if change.emergency_reason else ""
            click.echo(
                f"{change.changed_at:%Y-%m-%d}  {change.action:<7}  {sub.name} ({sub.country})  "
                f"effective {change.effective_on}  {until}  by {change.changed_by}{urgent}"
            )
        return
    now = today()
    for sub in service.list_subprocessors():
        decision = sub.transfer_on(max(now, sub.effective_on))
        flag = "" if decision.allowed else f"  REFUSED: {decision.rule}"
        state = f"since {sub.effective_on}" if sub.effective_on <= now else f"INTENDED, from {sub.effective_on}"
        held = "".join(f" [{a.describe()}]" for a in sub.attestations)
        click.echo(f"{sub.name}  {sub.country}{held}  {sub.purpose}  {state}{flag}")


@subprocessors.command("check")
@click.argument("name")
@click.option("--organizer", "login", help="Judge for this organizer's data (its objections count).")
@click.option("--on", "day", metavar="YYYY-MM-DD", help="The day of the transfer (default: today, UTC).")
@with_appcontext
def check(name, login, day):
    """May data go to sub-processor NAME on a day? Exit 0 allowed, 1 refused, 2 malformed input."""
    on = _parse_day(day)
    sub = service.find_current(name)
    if sub is None:
        _malformed(f"no current sub-processor is named {name!r}.")
    account_id = None
    if login:
        account_id = db.session.scalar(sa.select(Account.id).where(Account.login == login))
        if account_id is None:
            _malformed(f"no organizer has the login {login!r}.")
    decision = recipients.check_subprocessor(sub, account_id, on)
    click.echo(f"{decision.reason} (source: {decision.source or '-'})")
    raise SystemExit(0 if decision.allowed else 1)


@subprocessors.command("remove")
@click.option("--name", required=True, help="The current sub-processor's name (any case).")
@with_appcontext
def remove(name):
    """Remove a current sub-processor at once; the removal is recorded and organizers are told."""
    try:
        removed = service.remove_subprocessor(name, by=CLI_ACTOR)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"removed {removed.name}")
