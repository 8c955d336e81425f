"""Bearer tokens: `ppk_` + 32 random base62 characters + a 6-character CRC32 checksum.

The prefix and checksum let secret scanners recognise a leaked token and check it offline without a
database (as GitHub's tokens do). Only the token's SHA-256 is stored: with ~190 random bits a token cannot be
guessed, so a slow password hash would only cost time on every request without adding protection.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import zlib

PREFIX = "ppk_"
ALPHABET = string.digits + string.ascii_letters
BODY_LENGTH = 32
CHECKSUM_LENGTH = 6
PATTERN = re.compile(rf"^{PREFIX}([0-9A-Za-z]{{{BODY_LENGTH}}})([0-9A-Za-z]{{{CHECKSUM_LENGTH}}})$")


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def generate() -> str:
    """Return a new token; show it once and store only `hash_token(token)`."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return PREFIX + body + checksum(body)


def well_formed(token: str) -> bool:
    """Whether the token has the prefix, the length and a matching checksum (no database needed)."""
    match = PATTERN.match(token or "")
    return bool(match) and hmac.compare_digest(checksum(match.group(1)), match.group(2))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hint(token: str) -> str:
    """The first characters, enough for a person to tell tokens apart, far too few to guess the rest."""
    return token[: len(PREFIX) + 4]
