"""`flask clients create|list|revoke`."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from processor.clients import service
from processor.registries import service as registries
from processor.transfers.policy import today

CREATE = [
    "clients",
    "create",
    "--name",
    "mailer",
    "--scopes",
    "participants:read,messages:send",
    "--purposes",
    "essential.service.notifications.email",
    "--country",
    "US",
    "--dpf-certified",
]


def test_create_prints_a_working_token_once_then_list_and_revoke(app_ctx, runner):
    result = runner.invoke(args=CREATE)
    assert result.exit_code == 0, result.output
    token = re.search(r"ppk_\w+", result.output).group(0)
    assert service.authenticate(f"Bearer {token}").dpf_certified
    listed = runner.invoke(args=["clients", "list"]).output
    assert "mailer\tactive" in listed and token not in listed
    assert runner.invoke(args=["clients", "revoke", "mailer"]).exit_code == 0
    assert "mailer\trevoked" in runner.invoke(args=["clients", "list"]).output


def test_create_refuses_a_marketing_purpose_in_one_line(runner):
    result = runner.invoke(args=[*CREATE[:-3], "--purposes", "marketing.communications.email", "--country", "DE"])
    assert result.exit_code == 1
    assert "cannot be granted" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "mailer" not in runner.invoke(args=["clients", "list"]).output


def test_revoke_of_unknown_client_fails(runner):
    result = runner.invoke(args=["clients", "revoke", "ghost"])
    assert result.exit_code == 1
    assert "No client named 'ghost'" in result.output


def test_create_with_repeated_registry_limits_the_client(app_ctx, runner, make_account):
    owner = make_account("owner")
    one, two = (registries.create_registry(owner.id, name).id for name in ("Spring", "Autumn"))
    registries.create_registry(owner.id, "Winter")
    args = [*CREATE[:-2], "DE", "--registry", str(one), "--registry", str(two)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    created = service.list_clients()[0]
    assert created.registry_ids == {one, two}
    assert f"registries={','.join(sorted([str(one), str(two)]))}" in runner.invoke(args=["clients", "list"]).output


def test_create_with_an_unknown_registry_fails_in_one_line(runner):
    args = [*CREATE[:-2], "DE", "--registry", str(uuid.uuid4())]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "registr" in result.output and len(result.output.strip().splitlines()) == 1


def test_create_with_an_expiry_day(app_ctx, runner):
    last = (today() + dt.timedelta(days=30)).isoformat()
    result = runner.invoke(args=[*CREATE[:-3], "--country", "DE", "--expires-on", last])
    assert result.exit_code == 0, result.output
    assert service.list_clients()[0].last_day.isoformat() == last
    assert "expires=" in runner.invoke(args=["clients", "list"]).output


def test_create_warns_when_the_api_would_refuse_every_call(app_ctx, runner):
    result = runner.invoke(args=CREATE[:-1])  # US without a DPF certification
    assert result.exit_code == 0
    assert "warning: the API refuses this client's calls today" in result.stderr
