"""Signed checkpoints of an organizer's access log, and the proof that the log still contains and extends one.

A checkpoint states (account, sequence number, head MAC, time), signed with the processor's Ed25519 key. The
organizer downloads it from the access-log page or the API and keeps it. Later, `flask audit verify --checkpoint
FILE` (or anyone with the public key and a copy of the log) checks that the entry at that sequence number still
carries that MAC and that the chain from it to today's head is intact: cutting the tail back, pointing the head at
an earlier entry, or deleting the whole chain with its head no longer goes unnoticed.
"""

from __future__ import annotations

import base64
import json
import uuid

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature

from processor.audit.chain import GENESIS, ChainBreak
from processor.audit.models import AccessLogCheckpoint, AccessLogEntry, AccessLogHead
from processor.audit.service import verify_account
from processor.db_types import utcnow
from processor.errors import ValidationFailed
from processor.extensions import db
from processor.signing_key import canonical_json, key_id, private_key

KIND = "access-log-checkpoint"
SIGNED = ("kind", "account_id", "seq", "head", "time", "key_id")


def issue(account_id: uuid.UUID) -> dict:
    """Sign the organizer's current head, keep a copy, and return the document to download."""
    head = db.session.get(AccessLogHead, account_id)
    key = private_key()
    document = {
        "kind": KIND,
        "account_id": str(account_id),
        "seq": head.seq if head else 0,
        "head": head.entry_hash if head else GENESIS,
        "time": utcnow().isoformat(timespec="seconds"),
        "key_id": key_id(key.public_key()),
    }
    document["signature"] = base64.b64encode(key.sign(canonical_json(document))).decode()
    db.session.add(
        AccessLogCheckpoint(
            id=uuid.uuid4(),
            account_id=account_id,
            seq=document["seq"],
            head_hash=document["head"],
            created_at=utcnow(),
            key_id=document["key_id"],
            signature=document["signature"],
        )
    )
    db.session.commit()
    return document


def check(document: dict) -> ChainBreak | None:
    """Return why the log no longer bears out this checkpoint, or None when it contains and extends it."""
    try:
        signed = {name: document[name] for name in SIGNED}
        signature = base64.b64decode(document["signature"], validate=True)
        account_id = uuid.UUID(signed["account_id"])
        seq = int(signed["seq"])
    except (KeyError, TypeError, ValueError):
        return ChainBreak(None, None, "not a checkpoint document")
    public = private_key().public_key()
    if signed["kind"] != KIND or signed["key_id"] != key_id(public):
        return ChainBreak(None, None, "not signed with this processor's key")
    try:
        public.verify(signature, canonical_json(signed))
    except InvalidSignature:
        return ChainBreak(None, None, "the checkpoint's signature does not verify (it was altered)")
    if seq > 0:
        entry = db.session.scalar(
            sa.select(AccessLogEntry).where(AccessLogEntry.account_id == account_id, AccessLogEntry.seq == seq)
        )
        if entry is None:
            return ChainBreak(None, seq, f"entry #{seq} of the checkpoint is gone: the log was cut back or deleted")
        if entry.entry_hash != signed["head"]:
            return ChainBreak(str(entry.id), seq, f"entry #{seq} is not the one the checkpoint signed")
    head = db.session.get(AccessLogHead, account_id)
    if (head.seq if head else 0) < seq:
        return ChainBreak(None, None, f"the log ends before #{seq}, which the checkpoint signed")
    return verify_account(account_id)


def check_stored(account_id: uuid.UUID) -> ChainBreak | None:
    """Check the log against the latest checkpoint kept in the database. Whoever deletes the log can delete these
    too: the organizer's downloaded copy is the one that counts; this one catches a careless cut."""
    latest = db.session.scalar(
        sa.select(AccessLogCheckpoint)
        .where(AccessLogCheckpoint.account_id == account_id)
        .order_by(AccessLogCheckpoint.seq.desc())
        .limit(1)
    )
    if latest is None or latest.seq == 0:
        return None
    kept = db.session.scalar(
        sa.select(AccessLogEntry.entry_hash).where(
            AccessLogEntry.account_id == account_id, AccessLogEntry.seq == latest.seq
        )
    )
    if kept != latest.head_hash:
        return ChainBreak(None, latest.seq, f"entry #{latest.seq}, signed in a checkpoint, is gone or altered")
    return None


def verify_with_stored(account_id: uuid.UUID) -> ChainBreak | None:
    """The chain's own check, then the latest stored checkpoint's."""
    return verify_account(account_id) or check_stored(account_id)


MAX_UPLOAD = 16 * 1024  # a checkpoint is ~400 bytes; anything far larger is not one


def check_upload(account_id: uuid.UUID, data: bytes) -> tuple[int, ChainBreak | None]:
    """Check a checkpoint file the organizer kept against its own log; return its entry number and the break, if
    any. A file that is not a checkpoint of this organizer is a ValidationFailed in plain words."""
    try:
        if len(data) > MAX_UPLOAD:
            raise ValueError
        document = json.loads(data.decode("utf-8"))
        if not isinstance(document, dict):
            raise ValueError
        seq, owner = int(document["seq"]), uuid.UUID(str(document["account_id"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ValidationFailed(
            "That file is not an access-log checkpoint: choose the .json file you downloaded from this page.",
            errors=[{"field": "checkpoint", "detail": "Not an access-log checkpoint file."}],
        ) from None
    if owner != account_id:
        raise ValidationFailed(
            "That checkpoint belongs to another account's log; sign in as that account to check it.",
            errors=[{"field": "checkpoint", "detail": "A checkpoint of another account."}],
        )
    return seq, check(document)
