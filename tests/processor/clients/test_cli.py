"""`flask clients create|list|revoke`."""

from __future__ import annotations

import re

from processor.clients import service

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
