"""Agreement versions and their signatures: the exact documents and the evidence of who agreed to what."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from processor.accounts.models import Account
from processor.db_types import UTCDateTime, utcnow
from processor.extensions import db

STATUSES = ("draft", "signed", "countersigned")
METHODS = ("electronic", "scan")
STATUS_LABELS = {"draft": "Draft", "signed": "Signed by the organizer", "countersigned": "Countersigned (in force)"}


class Agreement(db.Model):
    """One version of an organizer's DPA: the business details it was filled with and the rendered DOCX."""

    __tablename__ = "dpa_agreements"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "version"),
        sa.CheckConstraint("status IN ('draft', 'signed', 'countersigned')", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    template_version: Mapped[str] = mapped_column(sa.String(64))
    # SHA-256 of the inputs that can change under a signed version (template, account title, sub-processors).
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # The controller's business address: its own business data, not participant data, so kept in plaintext.
    business_name: Mapped[str] = mapped_column(sa.String(200))
    street: Mapped[str] = mapped_column(sa.String(200))
    postal_code: Mapped[str] = mapped_column(sa.String(16))
    city: Mapped[str] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2))
    context_json: Mapped[str] = mapped_column(sa.Text)
    document: Mapped[bytes] = mapped_column(sa.LargeBinary)
    document_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    # Annex I: the controller's contact person and data protection officer (empty: none appointed).
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    dpo: Mapped[str] = mapped_column(sa.String(200), default="")
    # The signed copy: the same text with the filled signature block and the certificate page.
    signed_document: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    signed_document_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship()
    signature: Mapped[Signature | None] = relationship(back_populates="agreement", uselist=False)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def file_stem(self) -> str:
        return f"dpa-{self.account.login}-v{self.version}"


class Signature(db.Model):
    """The organizer's signature of one version (typed or a scan) and the processor's countersignature."""

    __tablename__ = "dpa_signatures"
    __table_args__ = (sa.CheckConstraint("method IN ('electronic', 'scan')", name="method"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    agreement_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("dpa_agreements.id"), unique=True)
    method: Mapped[str] = mapped_column(sa.String(16))
    signer_name: Mapped[str] = mapped_column(sa.String(200))
    signer_role: Mapped[str] = mapped_column(sa.String(200))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(sa.String(45))
    user_agent: Mapped[str] = mapped_column(sa.String(512))
    scan: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    scan_mimetype: Mapped[str | None] = mapped_column(sa.String(32))
    scan_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # Set together when the processor countersigns: the canonical evidence JSON and its Ed25519 signature.
    evidence_json: Mapped[str | None] = mapped_column(sa.Text)
    countersignature: Mapped[str | None] = mapped_column(sa.String(128))
    key_id: Mapped[str | None] = mapped_column(sa.String(16))
    countersigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    countersigned_by: Mapped[str | None] = mapped_column(sa.String(200))

    agreement: Mapped[Agreement] = relationship(back_populates="signature")


class SigningKey(db.Model):
    """A public key the processor countersigned with, and the days it was the signing key (kept after rotation)."""

    __tablename__ = "dpa_signing_keys"
    __table_args__ = (sa.CheckConstraint("algorithm IN ('ecdsa-p256', 'ed25519')", name="algorithm"),)

    key_id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    algorithm: Mapped[str] = mapped_column(sa.String(16))
    public_key_pem: Mapped[str] = mapped_column(sa.Text)
    # The self-issued X.509 certificate that signs PDFs (none for a key from before certificates).
    certificate_pem: Mapped[str | None] = mapped_column(sa.Text)
    # SHA-256 of the certificate's DER (or of the public key's DER without one): what the site publishes.
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def covers(self, moment: dt.datetime) -> bool:
        """Whether this key was the signing key at `moment` (from inclusive, until exclusive)."""
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)
