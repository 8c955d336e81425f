"""Fold text for matching and sorting: case- and accent-insensitive (`Łukasz` and `lukasz` are the same)."""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark, folded by hand.
_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "\u0131": "i", "æ": "ae", "œ": "oe"}
)


def fold(text: str | None) -> str:
    """The text without case, accents or repeated spaces, for comparing and ordering."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())
