"""At rest: the database file and a pg_dump hold no written value; moved or altered ciphertexts never decrypt."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from processor.extensions import db
from processor.field_crypto import CiphertextIntegrityError
from processor.registries import service as registries
from processor.registries.models import participants
from tests.processor import people
from tests.processor.registries.conftest import FULL

SECOND = {
    "email": "linus.torvaldsen@example.net",
    "first_name": "Linus",
    "last_name": "Torvaldsen",
    "phone": "+49 30 901820",
    "company": "Kernel Hamburg GmbH",
    "job_title": "Chief Penguin Wrangler",
    "country": "DE",
    "custom_fields": {"Dietary needs": "pescatarian-qqz"},
    "lawful_basis": "Contract with the attendee qqz",
}


def _written_values() -> list[str]:
    """Every value written, as given and as normalized (2-letter country codes are too short to search)."""
    values = []
    for raw in (FULL, SECOND):
        for field, value in raw.items():
            if field == "custom_fields":
                values += list(value.values())
            elif field != "country" or len(value) > 2:
                values.append(value)
    values += [
        "grace.hopper@example.org",
        "Grace.Hopper@example.org",
        "+48601234567",
        "+4930901820",
        "2026-11-21T10:00:00",
        "2026-11-20T09:15:00",
    ]
    return values


def _database_bytes(database_url: str, engine_name: str) -> bytes:
    db.session.commit()  # everything is written; the registry object stays usable
    if engine_name == "sqlite":
        return Path(database_url.removeprefix("sqlite:///")).read_bytes()
    pg_dump = (
        os.path.join(os.environ["PG_BINDIR"], "pg_dump") if os.environ.get("PG_BINDIR") else shutil.which("pg_dump")
    )
    if not pg_dump:
        pytest.skip("pg_dump is not installed")
    return subprocess.run([pg_dump, "--dbname", database_url], check=True, capture_output=True).stdout


def test_no_written_value_appears_in_the_raw_database(registry, database_url, engine_name):
    first = people.add_participant(registry, FULL)
    second = people.add_participant(registry, SECOND)
    people.update_participant(registry, second["id"], {"job_title": "Penguin Emeritus Wrangler"})
    people.add_participant(registry, {"email": "deleted.person@example.com", "first_name": "Deletable"})
    people.delete_participant(registry, people.find_by_email(registry, "deleted.person@example.com")["id"])
    raw = _database_bytes(database_url, engine_name)
    assert people.get_participant(registry, first["id"])["first_name"] == "Grace"  # the data is there
    for value in [*_written_values(), "Penguin Emeritus Wrangler", "deleted.person@example.com", "Deletable"]:
        encoded = value.encode()
        # pg_dump writes bytea as hex, so a plaintext stored in a binary column would show up that way.
        assert encoded not in raw and encoded.hex().encode() not in raw, f"{value!r} is readable at rest"


def _copy_column(source_id, target_id, column, *, target_column=None):
    blob = db.session.execute(sa.select(participants.c[column]).where(participants.c.id == source_id)).scalar()
    db.session.execute(
        sa.update(participants).where(participants.c.id == target_id).values({target_column or column: blob})
    )
    db.session.commit()


@pytest.fixture
def two(registry):
    return (people.add_participant(registry, FULL)["id"], people.add_participant(registry, SECOND)["id"])


def test_ciphertext_swapped_between_rows_fails_integrity_check(registry, two):
    first, second = two
    _copy_column(first, second, "first_name")
    with pytest.raises(CiphertextIntegrityError):
        people.get_participant(registry, second)
    assert people.get_participant(registry, first)["first_name"] == "Grace"


def test_ciphertext_swapped_between_columns_fails_integrity_check(registry, two):
    first, second = two
    _copy_column(first, first, "first_name", target_column="last_name")
    with pytest.raises(CiphertextIntegrityError):
        people.get_participant(registry, first, fields=["last_name"])
    with pytest.raises(CiphertextIntegrityError):  # the row MAC covers every cell: the whole row is withheld
        people.get_participant(registry, first, fields=["first_name"])
    assert people.get_participant(registry, second, fields=["first_name"])["first_name"]


def test_ciphertext_moved_to_another_organizer_fails_integrity_check(make_account, registry, two):
    other = make_account("bob")
    theirs = registries.create_registry(other.id, "Bob's webinar")
    victim = people.add_participant(theirs, {"email": "bob.guest@example.com", "first_name": "Bobby"})
    _copy_column(two[0], victim["id"], "first_name")
    with pytest.raises(CiphertextIntegrityError):
        people.get_participant(theirs, victim["id"])


@pytest.mark.parametrize("position", [0, 3, 10, -1])
def test_tampered_ciphertext_fails_loudly_and_others_stay_readable(registry, two, position, caplog):
    first, second = two
    blob = bytearray(db.session.execute(sa.select(participants.c.email).where(participants.c.id == first)).scalar())
    blob[position] ^= 0x01
    db.session.execute(sa.update(participants).where(participants.c.id == first).values(email=bytes(blob)))
    db.session.commit()
    with pytest.raises(CiphertextIntegrityError) as caught:
        people.get_participant(registry, first)
    assert caught.value.extra["incident"] in caplog.text
    assert "grace" not in caplog.text.lower()
    assert people.get_participant(registry, second)["first_name"] == "Linus"


def test_integrity_failure_on_the_api_is_problem_json_500_with_the_incident(app, registry, two):
    from processor.errors import _handle_domain_error

    with app.test_request_context("/api/v1/anything"):
        error = CiphertextIntegrityError("participants", "email", two[0])
        response = _handle_domain_error(error)
    body = response.get_json()
    assert (response.status_code, response.mimetype) == (500, "application/problem+json")
    assert body["incident"] == error.extra["incident"] and body["incident"] in body["detail"]
