"""`flask transfers ...` explains the adequacy registry; `flask subprocessors ...` keeps the sub-processor list."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from processor.errors import DomainError, one_line
from processor.transfers import subprocessors as service
from processor.transfers.policy import TransferPolicy, today

CLI_ACTOR = "cli"
DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def transfers():
    """Explain where participant data may go on a given day."""


@transfers.command("explain")
@click.argument("country")
@click.option("--on", "day", type=DAY, help="The day of the transfer, YYYY-MM-DD (default: today, UTC).")
@click.option("--dpf-certified", is_flag=True, help="The US recipient is certified under the scheme in force.")
def explain(country, day, dpf_certified):
    """Print the decision for COUNTRY and its source; exit 0 when allowed, 1 when refused."""
    decision = TransferPolicy().check(country, on=day.date() if day else None, dpf_certified=dpf_certified)
    click.echo(decision.reason)
    click.echo(f"source: {decision.source or '-'}")
    raise SystemExit(0 if decision.allowed else 1)


@transfers.command("registry")
@click.option("--on", "day", type=DAY, help="The day to list, YYYY-MM-DD (default: today, UTC).")
def registry(day):
    """List the adequacy decisions in force on a day (the EEA members are always allowed)."""
    policy = TransferPolicy()
    on = day.date() if day else today()
    click.echo(f"registry version {policy.registry.version}; in force on {on}:")
    for row in policy.in_force(on):
        limit = f" — {row.limit}" if row.limit else ""
        click.echo(f"{row.country}  {row.rule:<15} {row.period()}{limit}")
    click.echo(f"EEA: {' '.join(sorted(policy.registry.eea))}")


@click.group()
def subprocessors():
    """Keep the list of sub-processors that organizers see."""


@subprocessors.command("add")
@click.option("--name", required=True, help="The sub-processor's legal name.")
@click.option("--purpose", required=True, help="What it does for the service, e.g. 'Mail delivery'.")
@click.option("--country", required=True, help="Where it processes the data: ISO 3166-1 alpha-2, e.g. DE.")
@click.option("--dpf-certified", is_flag=True, help="A US recipient certified under the Data Privacy Framework.")
@with_appcontext
def add(name, purpose, country, dpf_certified):
    """Add a sub-processor; refused when its country may not receive participant data today."""
    try:
        added = service.add_subprocessor(
            name=name, purpose=purpose, country=country, dpf_certified=dpf_certified, by=CLI_ACTOR
        )
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(
        f"added {added.name} ({added.country}); organizers may object until "
        f"{added.added_at.date() + service.OBJECTION_PERIOD}"
    )
    if condition := added.transfer_today().condition:
        click.echo(f"condition of the transfer: {condition}")


@subprocessors.command("list")
@click.option("--changes", is_flag=True, help="List the recorded changes with their objection deadlines instead.")
@with_appcontext
def list_(changes):
    """List the current sub-processors (or, with --changes, every change)."""
    if changes:
        for change in service.list_changes():
            sub = change.subprocessor
            click.echo(
                f"{change.changed_at:%Y-%m-%d}  {change.action:<7}  {sub.name} ({sub.country})  "
                f"objections until {change.objection_deadline}  by {change.changed_by}"
            )
        return
    for sub in service.list_subprocessors():
        decision = sub.transfer_today()
        flag = "" if decision.allowed else f"  REFUSED TODAY: {decision.rule}"
        click.echo(
            f"{sub.name}  {sub.country}{' DPF' if sub.dpf_certified else ''}  {sub.purpose}  "
            f"since {sub.added_at:%Y-%m-%d}{flag}"
        )


@subprocessors.command("remove")
@click.option("--name", required=True, help="The current sub-processor's name (any case).")
@with_appcontext
def remove(name):
    """Remove a current sub-processor; the removal is recorded and shown to organizers."""
    try:
        removed = service.remove_subprocessor(name, by=CLI_ACTOR)
    except DomainError as exc:
        raise click.ClickException(one_line(exc)) from None
    click.echo(f"removed {removed.name}")
