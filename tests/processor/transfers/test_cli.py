"""`flask transfers explain` and `flask subprocessors add|list|remove`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from processor.transfers.cli import transfers
from processor.transfers.subprocessors import list_changes, list_subprocessors


def explain(*args):
    """Run `flask transfers ...` without an app: the registry needs no database."""
    return CliRunner().invoke(transfers, list(args))


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["US", "--on", "2019-01-01"], 1, "privacy-shield-certification-required"),
        (["US", "--on", "2024-01-01", "--dpf-certified"], 0, "2023/1795"),
        (["us", "--on", "2024-01-01"], 1, "dpf-certification-required"),
        (["GB", "--on", "2031-12-27"], 0, "2021/1772"),
        (["GB", "--on", "2031-12-28"], 1, "adequacy-expired"),
        (["pl"], 0, "European Economic Area"),
        (["XX", "--on", "2024-01-01"], 1, "unknown-country"),
        (["U.S.", "--on", "2024-01-01"], 1, "malformed-country"),
    ],
)
def test_explain_prints_the_decision_and_its_source_and_exits_by_the_verdict(args, code, words):
    result = explain("explain", *args)
    assert result.exit_code == code, result.output
    assert words in result.output
    assert "source:" in result.output


def test_explain_refuses_a_malformed_date_with_a_usage_error():
    result = explain("explain", "US", "--on", "2024-13-01")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output


def test_registry_lists_the_decisions_in_force_on_a_day():
    result = explain("registry", "--on", "2019-02-01")
    assert result.exit_code == 0
    decisions, eea = result.output.split("EEA:")
    assert "US  privacy-shield" in decisions and "JP  adequacy" in decisions and "GB" not in decisions
    assert "PL" in eea


def test_add_list_and_remove_a_subprocessor(app_ctx, runner):
    added = runner.invoke(
        args=[
            "subprocessors",
            "add",
            "--name",
            "Mail Co",
            "--purpose",
            "Mail delivery",
            "--country",
            "us",
            "--dpf-certified",
        ]
    )
    assert added.exit_code == 0, added.output
    assert "organizers may object until" in added.output
    assert "condition of the transfer: only recipients certified under the EU-US Data Privacy" in added.output
    listed = runner.invoke(args=["subprocessors", "list"])
    assert "Mail Co  US DPF  Mail delivery" in listed.output
    removed = runner.invoke(args=["subprocessors", "remove", "--name", "mail co"])
    assert removed.exit_code == 0, removed.output
    assert list_subprocessors() == []
    history = runner.invoke(args=["subprocessors", "list", "--changes"])
    assert history.output.count("Mail Co (US)") == 2 and "objections until" in history.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--country", "CN"], "not-adequate"),
        (["--country", "US"], "dpf-certification-required"),
        (["--country", "DEU"], "malformed-country"),
        (["--country", "DE", "--purpose", " "], "purpose: This field is required."),
    ],
)
def test_add_refuses_with_one_line_and_writes_nothing(app_ctx, runner, args, words):
    options = {"--name": "Host", "--purpose": "Hosting"}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = runner.invoke(args=["subprocessors", "add", *[x for pair in options.items() for x in pair]])
    assert result.exit_code == 1
    assert words in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list_subprocessors() == [] and list_changes() == []


def test_removing_an_unknown_subprocessor_fails_with_a_reason(runner):
    result = runner.invoke(args=["subprocessors", "remove", "--name", "Nobody"])
    assert result.exit_code == 1
    assert "No current sub-processor" in result.output


def test_the_transfers_commands_are_registered_on_the_flask_cli(runner):
    result = runner.invoke(args=["transfers", "explain", "PL", "--on", "2024-01-01"])
    assert result.exit_code == 0 and "(eea)" in result.output
