"""What a participant row holds, as plain names: shared by the models and by code that must not import them
(an import's worker processes seal rows without Flask or SQLAlchemy loaded)."""

from __future__ import annotations

PARTICIPANTS_TABLE = "participants"
# The 7 text fields of the issue, then the rest of what a participant row holds about the person.
TEXT_FIELDS = ("email", "first_name", "last_name", "phone", "company", "job_title", "country")
ENCRYPTED_FIELDS = (
    *TEXT_FIELDS,
    "custom_fields",
    "registered_at",
    "joined_at",
    "left_at",
    "minutes_attended",
    "lawful_basis",
)
SOURCES = ("manual", "import", "api")
