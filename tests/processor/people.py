"""Participant data below the gate, for tests' set-up and assertions only: no checks, no access-log entries.

Production code reaches participant data through `processor.access.gate`; tests that are about something else
(encryption, imports, rotation) arrange and inspect rows with these.
"""

from __future__ import annotations

from processor.access import store
from processor.extensions import db

get_participant = store.get_participant
find_by_email = store.find_by_email
list_participants = store.list_participants
list_deletions = store.list_deletions
iter_participants = store.iter_participants


def add_participant(registry, raw: dict, *, source: str = "manual") -> dict:
    try:
        participant_id = store.add_participant(registry, raw, source=source)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return store.get_participant(registry, participant_id)


def update_participant(registry, participant_id, raw: dict) -> dict:
    try:
        participant_id = store.update_participant(registry, participant_id, raw)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return store.get_participant(registry, participant_id)


def delete_participant(registry, participant_id) -> None:
    try:
        store.delete_participant(registry, participant_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
