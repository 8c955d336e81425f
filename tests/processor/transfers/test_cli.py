"""`flask transfers explain` and `flask subprocessors add|list|remove`."""

from __future__ import annotations

import datetime as dt

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
        (["US", "--on", "2019-01-01", "--attests", "privacy-shield"], 0, "2016/1250"),
        (["US", "--on", "2024-01-01", "--dpf-certified"], 0, "2023/1795"),
        (["US", "--on", "2024-01-01", "--attests", "dpf"], 0, "2023/1795"),
        (["US", "--on", "2024-01-01", "--attests", "safe-harbor"], 1, "not a Data Privacy Framework certification"),
        (["us", "--on", "2024-01-01"], 1, "dpf-certification-required"),
        (["JP", "--on", "2024-01-01"], 1, "appi-attestation-required"),
        (["JP", "--on", "2024-01-01", "--attests", "appi"], 0, "2019/419"),
        (["CA", "--on", "2024-01-01", "--attests", "pipeda", "--attests", "dpf"], 0, "2002/2/EC"),
        (["KR", "--on", "2024-01-01", "--attests", "pipa"], 0, "2022/254"),
        (["BR", "--on", "2026-01-26", "--attests", "lgpd"], 0, "2026/179"),
        (["BR", "--on", "2026-01-25", "--attests", "lgpd"], 1, "not-adequate"),
        (["GB", "--on", "2031-12-27"], 0, "2021/1772"),
        (["GB", "--on", "2031-12-28"], 1, "adequacy-expired"),
        (["GB", "--on", "2020-06-01"], 0, "eu-transition"),
        (["HR", "--on", "2010-01-01"], 1, "not-adequate"),
        (["AX", "--on", "2024-01-01"], 0, "EU territory"),
        (["US", "--on", "2015-10-06", "--attests", "safe-harbor"], 1, "adequacy-invalidated"),
        (["PL", "--on", "1999-12-31"], 1, "no rule encoded for that date"),
        (["pl"], 0, "European Economic Area"),
        (["XX", "--on", "2024-01-01"], 1, "unknown-country"),
    ],
)
def test_explain_prints_one_line_with_its_source_and_exits_by_the_verdict(args, code, words):
    result = explain("explain", *args)
    assert result.exit_code == code, result.output
    assert words in result.output
    assert "(source:" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["US", "--on", "2024-13-01"], "YYYY-MM-DD"),
        (["US", "--on", "yesterday"], "YYYY-MM-DD"),
        (["US", "--attests", "gold"], "--attests takes"),
        (["U.S.", "--on", "2024-01-01"], "malformed-country"),
        (["", "--on", "2024-01-01"], "malformed-country"),
    ],
)
def test_explain_refuses_malformed_input_with_exit_2_and_one_line(args, words):
    result = explain("explain", *args)
    assert result.exit_code == 2
    assert words in result.output and len(result.output.strip().splitlines()) == 1


def test_registry_lists_the_decisions_in_force_on_a_day():
    result = explain("registry", "--on", "2019-02-01")
    assert result.exit_code == 0
    decisions, eea = result.output.split("EEA:")
    assert "US  privacy-shield" in decisions and "JP  adequacy" in decisions and "GB" not in decisions
    assert "PL" in eea


ADD = ["subprocessors", "add", "--name", "Mail Co", "--address", "1 Main St, Boston, US", "--purpose", "Mail delivery"]


def test_add_list_and_remove_a_subprocessor(app_ctx, runner):
    added = runner.invoke(
        args=[*ADD, "--country", "us", "--attests", "dpf", "--reference", "DPF list #42", "--valid-from", "2024-01-01"]
    )
    assert added.exit_code == 0, added.output
    assert "takes effect on" in added.output and "organizers may object until" in added.output
    assert "condition of the transfer: only recipients certified under the EU-US Data Privacy" in added.output
    listed = runner.invoke(args=["subprocessors", "list"])
    assert "Mail Co  US [dpf (DPF list #42), valid from 2024-01-01]  Mail delivery  INTENDED, from" in listed.output
    check = runner.invoke(args=["subprocessors", "check", "Mail Co"])
    assert check.exit_code == 1 and "subprocessor-notice-period" in check.output
    removed = runner.invoke(args=["subprocessors", "remove", "--name", "mail co"])
    assert removed.exit_code == 0, removed.output
    assert list_subprocessors() == []
    history = runner.invoke(args=["subprocessors", "list", "--changes"])
    assert history.output.count("Mail Co (US)") == 2 and "objections until" in history.output


def test_an_emergency_replacement_from_the_cli_takes_effect_at_once(app_ctx, runner):
    assert runner.invoke(args=[*ADD, "--country", "SE"]).exit_code == 0
    result = runner.invoke(
        args=[
            "subprocessors",
            "add",
            "--name",
            "Safe Mail",
            "--address",
            "Oslo",
            "--purpose",
            "Mail delivery",
            "--country",
            "NO",
            "--emergency",
            "key leak at Mail Co",
            "--replaces",
            "Mail Co",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "takes effect at once (key leak at Mail Co)" in result.output
    assert runner.invoke(args=["subprocessors", "check", "Safe Mail"]).exit_code == 0
    assert [s.name for s in list_subprocessors()] == ["Safe Mail"]


def test_attest_records_a_dated_attestation_for_a_client(app_ctx, runner, make_client):
    client, _ = make_client(country="JP", name="tokyo-mailer")
    result = runner.invoke(
        args=[
            "transfers",
            "attest",
            "--client",
            "tokyo-mailer",
            "--kind",
            "appi",
            "--reference",
            "PPC notice 7",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
        ]
    )
    assert result.exit_code == 0, result.output
    [held] = client.attestations
    assert (held.kind, held.valid_from, held.valid_to) == ("appi", dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--country", "CN"], "not-adequate"),
        (["--country", "US"], "dpf-certification-required"),
        (["--country", "JP"], "appi-attestation-required"),
        (["--country", "US", "--attests", "dpf"], "reference"),
        (["--country", "DEU"], "malformed-country"),
        (["--country", "DE", "--purpose", " "], "purpose: This field is required."),
    ],
)
def test_add_refuses_with_one_line_and_writes_nothing(app_ctx, runner, args, words):
    options = {"--name": "Host", "--address": "Somewhere 1", "--purpose": "Hosting"}
    flags = dict(zip(args[::2], args[1::2], strict=True))
    options.update(flags)
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
