"""Registry service: participants are normalized, encrypted, found by blind index, paged and deleted."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from processor.errors import ValidationFailed
from processor.registries import service as registries
from processor.registries.models import Participant


def test_added_participant_reads_back_normalized(registry, full):
    added = registries.add_participant(registry, full)
    got = registries.get_participant(registry, added["id"])
    assert got["email"] == "Grace.Hopper@example.org"
    assert got["phone"] == "+48601234567"
    assert got["country"] == "PL"
    assert got["custom_fields"] == {"Dietary needs": "vegetarian-zzq", "T-shirt": "XL-zzq"}
    assert got["joined_at"] == dt.datetime(2026, 11, 21, 10, tzinfo=dt.UTC)
    assert got["minutes_attended"] == 67
    assert got["source"] == "manual"
    assert registry.custom_field_names == ["Dietary needs", "T-shirt"]


def test_stored_row_holds_only_ciphertext(app, registry, full):
    added = registries.add_participant(registry, full)
    row = app.extensions["sqlalchemy"].session.get(Participant, added["id"])
    assert b"Grace" not in row.first_name and row.first_name[0] == 1
    assert len(row.email_index) == 32


def test_get_participant_decrypts_only_the_fields_asked_for(registry, full):
    added = registries.add_participant(registry, full)
    got = registries.get_participant(registry, added["id"], fields=["email"])
    assert set(got) == {"id", "updated_at", "source", "email"}


def test_unknown_field_names_are_refused(registry, full):
    added = registries.add_participant(registry, full)
    with pytest.raises(ValidationFailed):
        registries.get_participant(registry, added["id"], fields=["email", "password"])


def test_find_by_email_ignores_case_and_returns_none_when_absent(registry, full):
    added = registries.add_participant(registry, full)
    assert registries.find_by_email(registry, "grace.hopper@EXAMPLE.org")["id"] == added["id"]
    assert registries.find_by_email(registry, "nobody@example.org") is None


def test_duplicate_email_in_one_registry_is_refused(registry, full):
    registries.add_participant(registry, full)
    with pytest.raises(registries.DuplicateParticipant):
        registries.add_participant(registry, {"email": "GRACE.HOPPER@example.org"})
    assert registries.count_participants(registry) == 1


def test_same_email_in_two_registries_is_allowed(organizer, registry, full):
    other = registries.create_registry(organizer.id, "Compilers 102")
    registries.add_participant(registry, full)
    registries.add_participant(other, full)
    assert registries.email_index(organizer.id, full["email"]) == registries.email_index(
        organizer.id, full["email"].upper()
    )


def test_blind_indexes_differ_between_organizers(make_account, organizer, registry):
    other = make_account("bob")
    registries.create_registry(other.id, "Bob's")
    assert registries.email_index(organizer.id, "x@example.org") != registries.email_index(other.id, "x@example.org")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "żółw@example.org"),
        ("first_name", "x" * 101),
        ("company", "Evil\x00Corp"),  # line breaks are allowed there (multi-line companies); NUL is not
        ("phone", "12"),
        ("country", "Atlantis"),
    ],
)
def test_bad_input_is_refused_naming_the_field(registry, field, value):
    raw = {"email": "ok@example.org", field: value}
    with pytest.raises(ValidationFailed) as caught:
        registries.add_participant(registry, raw)
    assert [e["field"] for e in caught.value.errors] == [field]
    assert registries.count_participants(registry) == 0


def test_update_changes_given_fields_and_keeps_the_rest(registry, full):
    added = registries.add_participant(registry, full)
    updated = registries.update_participant(registry, added["id"], {"company": "Navy", "job_title": ""})
    assert updated["company"] == "Navy"
    assert updated["job_title"] is None
    assert updated["first_name"] == "Grace"
    assert updated["updated_at"] >= added["updated_at"]


def test_update_to_an_existing_email_is_refused(registry, full):
    registries.add_participant(registry, full)
    other = registries.add_participant(registry, {"email": "other@example.org"})
    with pytest.raises(registries.DuplicateParticipant):
        registries.update_participant(registry, other["id"], {"email": full["email"]})
    assert registries.get_participant(registry, other["id"])["email"] == "other@example.org"


def test_delete_leaves_a_deletion_marker(registry, full):
    added = registries.add_participant(registry, full)
    registries.delete_participant(registry, added["id"])
    with pytest.raises(registries.ParticipantNotFound):
        registries.get_participant(registry, added["id"])
    assert [d["id"] for d in registries.list_deletions(registry)] == [added["id"]]
    with pytest.raises(registries.ParticipantNotFound):
        registries.delete_participant(registry, added["id"])


def test_another_organizers_registry_is_not_found(make_account, registry):
    other = make_account("bob")
    with pytest.raises(registries.RegistryNotFound):
        registries.get_registry(other.id, registry.id)
    with pytest.raises(registries.RegistryNotFound):
        registries.get_registry(other.id, "not-a-uuid")


def test_participant_of_another_registry_is_not_found(organizer, registry, full):
    other = registries.create_registry(organizer.id, "Other")
    added = registries.add_participant(registry, full)
    with pytest.raises(registries.ParticipantNotFound):
        registries.get_participant(other, added["id"])
    with pytest.raises(registries.ParticipantNotFound):
        registries.get_participant(registry, uuid.uuid4())


def test_list_participants_pages_by_updated_at_then_id(registry):
    for n in range(7):
        registries.add_participant(registry, {"email": f"p{n}@example.org"})
    seen, after = [], None
    while page := registries.list_participants(registry, fields=["email"], after=after, limit=3):
        seen += [p["email"] for p in page]
        after = (page[-1]["updated_at"], page[-1]["id"])
    assert sorted(seen) == sorted(f"p{n}@example.org" for n in range(7))
    assert len(seen) == 7


def test_registry_name_is_required(organizer):
    with pytest.raises(ValidationFailed):
        registries.create_registry(organizer.id, "  ")


def test_bulk_write_inserts_and_updates_in_the_callers_transaction(app, registry):
    from processor.extensions import db
    from processor.normalize import normalize_participant

    first = normalize_participant({"email": "a@example.org", "first_name": "A"}, default_region="PL")
    with db.engine.begin() as connection:
        (inserted,) = registries.write_participants(
            connection, registry, inserts=[first], updates=[], source="import", import_id=uuid.uuid4()
        )
    index = registries.email_index(registry.account_id, "A@example.org")
    assert registries.existing_by_index(registry, [index, b"x" * 32]) == {index: inserted}
    with db.engine.begin() as connection:
        registries.write_participants(
            connection, registry, inserts=[], source="import", updates=[(inserted, {"first_name": "Ann"})]
        )
    got = registries.get_participant(registry, inserted)
    assert (got["first_name"], got["source"]) == ("Ann", "import")


def test_rows_sealed_by_a_worker_process_are_written_and_read_back(app, registry, full):
    """An import's workers get the organizer's subkeys (pickled) and seal rows the main process only writes."""
    import multiprocessing

    from processor.extensions import db
    from processor.keys.ring import keys_for
    from processor.normalize import normalize_participant

    clean = normalize_participant(full, default_region="PL")
    with db.engine.begin() as connection:
        keys = keys_for(connection, registry.account_id).sealing_keys()
    assert str(keys.field_key) not in repr(keys) and str(keys.index_key) not in repr(keys)  # not in logs
    with multiprocessing.get_context("forkserver").Pool(1) as pool:
        (sealed,) = pool.starmap(_seal_elsewhere, [(keys, clean)])
    row_id, index, _, fields = sealed
    assert clean["last_name"].encode() not in b"".join(blob or b"" for blob in fields)
    with db.engine.begin() as connection:
        assert (
            registries.write_participants(
                connection, registry, sealed=[sealed], source="import", custom_names=clean["custom_fields"]
            )
            == []
        )  # ids of `inserts` only
    inserted = uuid.UUID(bytes=row_id)
    got = registries.get_participant(registry, inserted)
    assert {k: got[k] for k in clean} == clean
    assert registry.custom_field_names == sorted(clean["custom_fields"])
    assert registries.existing_by_index(registry, [registries.email_index(registry.account_id, clean["email"])]) == {
        index: inserted
    }


def _seal_elsewhere(keys, clean):
    from processor.registries.rows import seal

    return seal(keys.indexer(), keys.cipher(), clean)
