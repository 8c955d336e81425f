"""Tokens are recognisable, self-checking, and stored only as a hash."""

from __future__ import annotations

import pytest

from processor.clients import tokens


def test_generated_token_has_prefix_and_valid_checksum():
    token = tokens.generate()
    assert token.startswith("ppk_")
    assert len(token) == 4 + 32 + 6
    assert tokens.well_formed(token)


def test_tokens_are_unique():
    assert len({tokens.generate() for _ in range(100)}) == 100


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # checksum changed
        lambda t: t[:10] + ("a" if t[10] != "a" else "b") + t[11:],  # body changed
        lambda t: "ghp_" + t[4:],
        lambda t: t[:-2],
        lambda t: "",
    ],
)
def test_mangled_token_is_not_well_formed(mangle):
    assert not tokens.well_formed(mangle(tokens.generate()))


def test_hash_is_sha256_hex_and_not_the_token():
    token = tokens.generate()
    digest = tokens.hash_token(token)
    assert len(digest) == 64 and token not in digest
