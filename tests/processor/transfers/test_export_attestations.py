"""An export destination with a scope-limited decision needs the recipient's attestation, given on the CLI."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("destination", "attests", "code", "words"),
    [
        ("JP", [], 1, "appi-attestation-required"),
        ("JP", ["--attests", "appi"], 0, ""),
        ("US", ["--attests", "privacy-shield"], 1, "dpf-certification-required"),
        ("US", ["--attests", "dpf"], 0, ""),
        ("GL", ["--attests", "dpf"], 1, "outside-eu-territory"),
    ],
)
def test_export_to_a_scope_limited_destination_needs_its_attestation(
    runner, registry, destination, attests, code, words, staff_env
):
    args = ["participants", "export", "--registry", str(registry.id), "--destination", destination, *attests]
    result = runner.invoke(args=args, env=staff_env)
    assert result.exit_code == code, result.output
    assert words in result.output
