"""The lawful bases of GDPR Article 6(1), as the organizer picks one for a participant.

Stored as the short code (`consent` ...). Values recorded before the list existed (free text, from imports or the
old form) stay as they are: shown as recorded and kept when the participant is saved unchanged.
"""

from __future__ import annotations

BASES = {
    "consent": "Consent — Art. 6(1)(a)",
    "contract": "Contract — Art. 6(1)(b)",
    "legal_obligation": "Legal obligation — Art. 6(1)(c)",
    "vital_interests": "Vital interests — Art. 6(1)(d)",
    "public_task": "Public task — Art. 6(1)(e)",
    "legitimate_interests": "Legitimate interests — Art. 6(1)(f)",
}


def label(value: str | None) -> str:
    """The basis in words; a value recorded as free text, as it was recorded."""
    return BASES.get(value or "", value or "")


def choices(current: str | None) -> list[tuple[str, str]]:
    """The list to pick from; a free-text value already recorded stays selectable, so saving keeps it."""
    listed = [("", "Not recorded"), *BASES.items()]
    if current and current not in BASES:
        listed.append((current, f"As recorded: {current}"))
    return listed
