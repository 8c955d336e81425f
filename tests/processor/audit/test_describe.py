"""Plain words for access-log entries: the kind read from the reason, who acted, the outcome."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from processor.audit import describe, record_access
from processor.audit.models import AccessLogEntry
from processor.extensions import db

# (reason as the code that logs writes it, allowed, kind)
REASONS = [
    ("participant list", True, "read"),
    (None, True, "read"),
    ("ticket SUP-7: legal obligation; caller asked", True, "read"),
    ("change feed", True, "read"),
    ("participant added", True, "write"),
    ("participant edited", True, "write"),
    ("participant deleted", True, "delete"),
    ("registry deleted: Spring webinar", True, "delete"),
    ("account erased: 2 free-text reason(s) reduced to their category", True, "delete"),
    ("earlier erasure asked for by the organizer", True, "delete"),
    ("import: 10 created, 2 updated", True, "import"),
    ("export: organizer download", True, "export"),
    ("export: backup: FAILED after 500 records handed out (CiphertextIntegrityError)", True, "export"),
    ("participant database returned at the organizer's request, from the package", True, "export"),
    ("account data downloaded by the organizer", True, "export"),
    ("queued 3 invitation messages on instruction 5", True, "message"),
    ("subject request 1f (erasure): carried out: 3 participants deleted", True, "request"),
    ("viewed subject request 1f (access)", True, "request"),
    ("key rotation: re-encrypted under data-key version 2", True, "maintenance"),
    ("legacy rows sealed: 3 rows written before row MACs given their MAC", True, "maintenance"),
    ("access log re-keyed: entries #1-#3", True, "maintenance"),
    ("account removed: its data is only held until erasure", True, "account"),
    ("new sub-processor Mailgun (US) from 2026-12-01", True, "account"),
    ("objection to sub-processor Mailgun recorded: never passed", True, "account"),
    ("export: organizer download", False, "refused"),
    ("100% of_rows: odd_characters", True, "read"),
]


@pytest.mark.parametrize(("reason", "allowed", "kind"), REASONS)
def test_kind_is_read_from_the_reason(reason, allowed, kind):
    entry = AccessLogEntry(reason=reason, allowed=allowed)
    assert describe.kind_of(entry) == kind


def test_each_kind_filter_in_sql_selects_what_the_page_labels_it(app_ctx, make_account):
    account = make_account("ada")
    for reason, allowed, _ in REASONS:
        record_access(
            account_id=account.id, actor_type="account", actor="ada", purpose="essential", reason=reason,
            allowed=allowed,
        )  # fmt: skip
    db.session.commit()
    for kind in describe.KINDS:
        found = db.session.scalars(
            sa.select(AccessLogEntry.seq).where(AccessLogEntry.account_id == account.id, describe.kind_clause(kind))
        ).all()
        assert sorted(found) == [seq for seq, (_, _, k) in enumerate(REASONS, start=1) if k == kind], kind


@pytest.mark.parametrize(
    ("actor_type", "actor", "label"),
    [
        ("account", "ada", "You (ada)"),
        ("account", "organizer", "You (ada)"),
        ("client", "crm", "Your API client “crm”"),
        ("client", "mailer", "Our service “mailer”"),
        ("staff", "sam", "sam (support staff)"),
        ("staff", "client:helpdesk", "Support desk “helpdesk”"),
        ("staff", "operator (cli)", "Our operations team (command line)"),
        ("staff", "retention", "Scheduled erasure"),
        ("staff", "system:key-rotation", "Scheduled key rotation"),
        ("staff", "system:nightly-check", "System job “nightly-check”"),
    ],
)
def test_actor_is_named_for_the_organizer(actor_type, actor, label):
    entry = AccessLogEntry(actor_type=actor_type, actor=actor)
    assert describe.actor_label(entry, login="ada", own_clients=frozenset({"crm"})) == label


@pytest.mark.parametrize(
    ("allowed", "reason", "records", "outcome"),
    [
        (True, "participant list", 3, "Allowed"),
        (False, "no-marketing: never", 0, "Refused"),
        (True, "export: x: FAILED after 500 records handed out (E)", 500, "Failed after 500 records"),
    ],
)
def test_outcome_in_plain_words(allowed, reason, records, outcome):
    assert describe.outcome(AccessLogEntry(allowed=allowed, reason=reason, records=records)) == outcome
