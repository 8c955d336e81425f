"""Create organizer instructions; queue messages only under one, of an allowed kind, to the registry's own people."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from processor.api import access
from processor.clients.models import ServiceClient
from processor.db_types import utcnow
from processor.errors import Forbidden, NotFound, ValidationFailed, field_errors
from processor.extensions import db
from processor.messaging.models import KINDS, Instruction, outbox
from processor.registries.models import Registry, participants
from processor.subject_requests.restrictions import without_restricted

PURPOSE = "essential.service.notifications.email"
MAX_RECIPIENTS = 1000


class MessageRefused(Forbidden):
    slug = "message-refused"
    title = "Message refused"

    def __init__(self, detail: str, *, rule: str):
        super().__init__(detail, extra={"rule": rule})
        self.rule = rule


class InstructionNotFound(NotFound):
    def __init__(self):
        super().__init__("No such instruction for this registry.")


def create_instruction(registry: Registry, *, kind: str, note: str | None, created_by: str) -> Instruction:
    """Record the organizer's instruction to send `kind` messages to this registry's participants."""
    if kind not in KINDS:
        raise ValidationFailed(
            "The instruction was not created.",
            errors=field_errors({"kind": f"Participants receive only {', '.join(KINDS)}; never marketing."}),
        )
    note = (note or "").strip() or None
    if note and len(note) > 500:
        raise ValidationFailed(
            "The instruction was not created.",
            errors=field_errors({"note": "At most 500 characters."}),
        )
    instruction = Instruction(
        account_id=registry.account_id, registry_id=registry.id, kind=kind, note=note, created_by=created_by
    )
    db.session.add(instruction)
    db.session.commit()
    return instruction


def list_instructions(registry: Registry) -> list[Instruction]:
    return list(
        db.session.scalars(
            sa.select(Instruction).where(Instruction.registry_id == registry.id).order_by(Instruction.created_at.desc())
        )
    )


def _refuse(client: ServiceClient, registry: Registry, detail: str, *, rule: str):
    access.log_refusal(client, registry, purpose=PURPOSE, fields=("email",), reason=f"{rule}: {detail}")
    raise MessageRefused(detail, rule=rule)


def queue_messages(
    client: ServiceClient, registry: Registry, *, kind: str, instruction_id: uuid.UUID, recipients: list[uuid.UUID]
) -> list[uuid.UUID]:
    """Queue one message per recipient; refuse (and log) any other kind, instruction or recipient."""
    if kind not in KINDS:
        _refuse(
            client,
            registry,
            f"{kind!r} is not a message participants can receive: only "
            f"{', '.join(KINDS)} on the organizer's instruction; participant data is never used for marketing.",
            rule="no-marketing-to-participants",
        )
    access.authorize(client, registry, purpose=PURPOSE, fields=("email",))
    instruction = db.session.get(Instruction, instruction_id)
    if instruction is None or instruction.registry_id != registry.id:
        _refuse(
            client,
            registry,
            "Messages are sent only on a documented instruction of the organizer for this registry.",
            rule="organizer-instruction-required",
        )
    if instruction.kind != kind:
        _refuse(
            client,
            registry,
            f"The instruction is for {instruction.kind} messages, not {kind}.",
            rule="instruction-kind-mismatch",
        )
    recipients = list(dict.fromkeys(recipients))
    known = set(
        db.session.scalars(
            without_restricted(
                sa.select(participants.c.id).where(
                    participants.c.registry_id == registry.id, participants.c.id.in_(recipients)
                )
            )
        )
    )
    unknown = [i for i, pid in enumerate(recipients) if pid not in known]
    if unknown:
        raise ValidationFailed(
            "Some recipients are not participants of this registry.",
            errors=[
                {
                    "field": "recipients",
                    "pointer": f"#/recipients/{i}",
                    "detail": "Not a participant of this registry, or restricted by a data-subject request.",
                }
                for i in unknown
            ],
        )
    now = utcnow()
    ids = [uuid.uuid4() for _ in recipients]
    db.session.execute(
        sa.insert(outbox),
        [
            {
                "id": message_id,
                "instruction_id": instruction.id,
                "registry_id": registry.id,
                "participant_id": pid,
                "kind": kind,
                "client_id": client.id,
                "status": "queued",
                "created_at": now,
            }
            for message_id, pid in zip(ids, recipients, strict=True)
        ],
    )
    access.record_use(
        client,
        registry,
        purpose=PURPOSE,
        fields=("email",),
        records=len(ids),
        reason=f"queued {len(ids)} {kind} messages on instruction {instruction.id}",
    )
    return ids
