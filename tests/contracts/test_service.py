"""Versions: a draft is refilled until signed; a new version is offered when what it rests on changes."""

from __future__ import annotations

import dataclasses

import pytest

from contracts import evidence, service
from processor.accounts import service as accounts
from processor.errors import Conflict, NotFound
from processor.transfers.subprocessors import add_subprocessor, remove_subprocessor

SIGNER = {
    "signer_name": "Zofia Żółkiewska",
    "signer_role": "Prezes zarządu",
    "consent": True,
    "ip": "192.0.2.7",
    "user_agent": "pytest",
}


def sign(account, version):
    return evidence.sign_electronically(account, version, **SIGNER)


def test_first_prepare_is_version_one_draft(app, organizer, details, registry):
    agreement = service.prepare(organizer, details)
    assert (agreement.version, agreement.status) == (1, "draft")
    assert service.status(organizer).state == "draft"


def test_preparing_again_refills_the_unsigned_draft(app, organizer, details, registry):
    first = service.prepare(organizer, details)
    moved = dataclasses.replace(details, city="Sopot")
    second = service.prepare(organizer, moved)
    assert second.id == first.id and second.version == 1 and second.city == "Sopot"
    assert len(service.versions(organizer)) == 1


def test_preparing_after_signing_starts_the_next_version_and_keeps_the_signed_one(app, organizer, details, registry):
    signed = sign(organizer, service.prepare(organizer, details).version)
    signed_bytes = signed.document
    following = service.prepare(organizer, dataclasses.replace(details, street="ul. Długa 1"))
    assert following.version == 2
    assert service.get_version(organizer, 1).document == signed_bytes
    assert service.get_version(organizer, 1).status == "countersigned"


def test_preparing_the_same_details_again_after_signing_is_refused(app, organizer, details, registry):
    sign(organizer, service.prepare(organizer, details).version)
    with pytest.raises(Conflict, match="nothing to prepare"):
        service.prepare(organizer, details)


def test_nothing_is_offered_while_nothing_changed(app, organizer, details, registry):
    sign(organizer, service.prepare(organizer, details).version)
    status = service.status(organizer)
    assert status.in_force.version == 1 and not status.new_version_offered and status.changes == ()


def test_new_version_is_offered_when_the_account_title_changes(app, organizer, details, registry):
    sign(organizer, service.prepare(organizer, details).version)
    accounts.update_settings(
        organizer, email=organizer.email, first_name="Zofia", last_name="Ż", title="Nowy tytuł", country="PL"
    )
    status = service.status(organizer)
    assert status.new_version_offered and status.changes == ("your account title",)
    assert service.prepare(organizer, details).version == 2


@pytest.mark.parametrize("change", ["added", "removed"])
def test_new_version_is_offered_when_the_sub_processors_change(app, organizer, details, registry, change):
    sign(organizer, service.prepare(organizer, details).version)
    if change == "added":
        add_subprocessor(name="OVH SAS", purpose="Backups", country="FR", by="staff")
    else:
        remove_subprocessor("Hetzner Online GmbH", by="staff")
    assert service.status(organizer).changes == ("the list of sub-processors",)


def test_new_version_is_offered_when_the_template_changes(app, organizer, details, registry, monkeypatch):
    sign(organizer, service.prepare(organizer, details).version)
    monkeypatch.setattr(service, "template_version", lambda: "2027-01+000000000000")
    assert service.status(organizer).changes == ("the agreement's wording",)


def test_an_outdated_draft_cannot_be_signed(app, organizer, details, registry):
    draft = service.prepare(organizer, details)
    add_subprocessor(name="OVH SAS", purpose="Backups", country="FR", by="staff")
    assert service.status(organizer).draft_outdated
    with pytest.raises(Conflict, match="out of date"):
        sign(organizer, draft.version)
    assert service.get_version(organizer, 1).signature is None


def test_one_organizer_cannot_reach_another_organizers_version(app, organizer, details, registry, make_account):
    service.prepare(organizer, details)
    other = make_account("other")
    with pytest.raises(NotFound):
        service.get_version(other, 1)
