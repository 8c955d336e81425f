"""The processor's signing key: ECDSA P-256 with a self-issued certificate, rotated, and kept public by period.

The private key lives in `instance/dpa_signing.key` (PEM, mode 0600; `DPA_SIGNING_KEY_FILE` overrides the path).
It is created only on purpose, with `flask contracts keygen` (once) or `flask contracts rotate-signing-key`: a
missing key is an error everywhere, development and testing included, never a reason to make a new one (a new
key silently made would verify nothing signed before). Every public key is kept in `dpa_signing_keys` with the
period it signed in; a countersignature verifies only against the key of its day.

Rotation is crash-safe: the new key is written to `<file>.new`, the registry change is committed, then the file
is renamed over the old one. A process that finds the committed current key in `<file>.new` finishes the rename.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID
from flask import current_app

from contracts.models import Signature, SigningKey
from processor.db_types import utcnow
from processor.errors import Conflict, DomainError
from processor.extensions import db

KEY_FILE_NAME = "dpa_signing.key"
CERTIFICATE_YEARS = 10


class SigningKeyMissing(DomainError):
    status = 503
    slug = "dpa-signing-key-missing"
    title = "The processor cannot countersign right now"


@dataclass(frozen=True)
class CurrentKey:
    """The private key that signs now and its registry row (public key, certificate, period)."""

    private: ec.EllipticCurvePrivateKey
    record: SigningKey


def canonical_json(value) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the same evidence always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_path() -> Path:
    return Path(current_app.config.get("DPA_SIGNING_KEY_FILE") or Path(current_app.instance_path) / KEY_FILE_NAME)


def key_id(public) -> str:
    """16 hex digits of the SHA-256 of the public key (raw bytes for Ed25519, as before rotation existed)."""
    if isinstance(public, Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        raw = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(raw).hexdigest()[:16]


def create_key(path: Path, *, now: dt.datetime | None = None) -> CurrentKey:
    """Create the first signing key; refuse when one exists (it signed contracts that must stay verifiable)."""
    if path.exists():
        raise Conflict(f"A DPA signing key already exists at {path}; it is kept. Rotate it instead.")
    now = now or utcnow()
    private = ec.generate_private_key(ec.SECP256R1())
    _write_new(path, private)
    record = _register(private, now)
    db.session.execute(
        sa.update(SigningKey)
        .where(SigningKey.valid_until.is_(None), SigningKey.key_id != record.key_id)
        # A key registered before whose file was lost: it signed nothing after now.
        .values(valid_until=now)
    )
    db.session.commit()
    _new_path(path).replace(path)
    return CurrentKey(private, record)


def rotate_key(*, now: dt.datetime | None = None) -> tuple[SigningKey, CurrentKey]:
    """Retire the current key (its public key stays, valid until now) and start signing with a new one."""
    now = now or utcnow()
    path = key_path()
    _finish_pending(path)
    old_private = _load(path)
    old = db.session.get(SigningKey, key_id(old_private.public_key()))
    if old is None:  # a key from before the registry (Ed25519): keep its public key for what it signed
        old = _register(old_private, _first_use(key_id(old_private.public_key())) or now)
    private = ec.generate_private_key(ec.SECP256R1())
    _new_path(path).unlink(missing_ok=True)
    _write_new(path, private)
    old.valid_until = now
    record = _register(private, now)
    db.session.commit()
    _new_path(path).replace(path)
    return old, CurrentKey(private, record)


def current_key() -> CurrentKey:
    """The key that signs now; SigningKeyMissing when the file or its registration is missing."""
    path = key_path()
    _finish_pending(path)
    if not path.exists():
        raise SigningKeyMissing(
            "The processor's DPA signing key is not installed (run `flask contracts keygen` once); "
            "please try again later."
        )
    private = _load(path)
    record = _registered_current(private)
    if record is None or not isinstance(private, ec.EllipticCurvePrivateKey):
        raise SigningKeyMissing(
            f"The key in {path} is not the processor's registered signing key; "
            "run `flask contracts rotate-signing-key`."
        )
    return CurrentKey(private, record)


def countersign(evidence: bytes, key: CurrentKey) -> str:
    """Return the base64 ECDSA P-256 (SHA-256, DER) signature of the canonical evidence bytes."""
    return base64.b64encode(key.private.sign(evidence, ec.ECDSA(hashes.SHA256()))).decode("ascii")


def check_countersignature(evidence: bytes, signature: str, signed_key_id: str, signed_at: dt.datetime) -> str | None:
    """Return None when the signature is valid under the key of its day, else the reason it is not."""
    record = db.session.get(SigningKey, signed_key_id or "")
    if record is None:
        return f"countersigned with key {signed_key_id}, which is not one of this processor's signing keys"
    if not record.covers(signed_at):
        return f"key {signed_key_id} was not the processor's signing key on {signed_at.date()}"
    public = serialization.load_pem_public_key(record.public_key_pem.encode())
    try:
        raw = base64.b64decode(signature, validate=True)
        if isinstance(public, Ed25519PublicKey):
            public.verify(raw, evidence)
        else:
            public.verify(raw, evidence, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return "the countersignature does not match the evidence"
    return None


def published_keys() -> list[SigningKey]:
    """Every signing key, newest first: what the site publishes."""
    return list(db.session.scalars(sa.select(SigningKey).order_by(SigningKey.valid_from.desc())))


def key_by_fingerprint(fingerprint: str) -> SigningKey | None:
    return db.session.scalar(sa.select(SigningKey).where(SigningKey.fingerprint == fingerprint))


def certificate_fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _register(private, since: dt.datetime) -> SigningKey:
    public = private.public_key()
    public_pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if isinstance(private, Ed25519PrivateKey):
        algorithm, certificate_pem = "ed25519", None
        fingerprint = certificate_fingerprint(
            public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    else:
        certificate = _self_issued(private, since)
        algorithm = "ecdsa-p256"
        certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
        fingerprint = certificate_fingerprint(certificate.public_bytes(serialization.Encoding.DER))
    record = SigningKey(
        key_id=key_id(public),
        algorithm=algorithm,
        public_key_pem=public_pem.decode(),
        certificate_pem=certificate_pem,
        fingerprint=fingerprint,
        valid_from=since,
    )
    db.session.add(record)
    return record


def _self_issued(private: ec.EllipticCurvePrivateKey, since: dt.datetime) -> x509.Certificate:
    """A self-issued certificate naming the processor, for document signatures only."""
    processor = current_app.config["PROCESSOR_NAME"]
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{processor} DPA signing"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, processor),
            x509.NameAttribute(NameOID.COUNTRY_NAME, current_app.config.get("PROCESSOR_COUNTRY", "PL")),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    start = since - dt.timedelta(minutes=5)  # tolerate a reader's clock a little behind
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private.public_key()), critical=False)
        .sign(private, hashes.SHA256())
    )


def _registered_current(private) -> SigningKey | None:
    record = db.session.get(SigningKey, key_id(private.public_key()))
    return record if record is not None and record.valid_until is None else None


def _first_use(signed_key_id: str) -> dt.datetime | None:
    return db.session.scalar(
        sa.select(sa.func.min(Signature.countersigned_at)).where(Signature.key_id == signed_key_id)
    )


def _load(path: Path):
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise SigningKeyMissing(
            "The processor's DPA signing key is not installed (run `flask contracts keygen` once)."
        ) from None
    except ValueError:
        raise SigningKeyMissing(f"{path} does not hold a readable private key.") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey | Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} does not hold an ECDSA or Ed25519 private key.")
    return key


def _finish_pending(path: Path) -> None:
    """A key change committed its registry row but did not rename the file: finish it."""
    pending = _new_path(path)
    if pending.exists() and _registered_current(_load(pending)):
        pending.replace(path)


def _new_path(path: Path) -> Path:
    return path.with_name(path.name + ".new")


def _write_new(path: Path, private) -> None:
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    target = _new_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Conflict(f"Another key change is under way ({target} exists).") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
