"""The processor's countersignature: an Ed25519 signature over the canonical JSON of a signature's evidence.

The private key lives in `instance/dpa_signing.key` (PEM, mode 0600). In development and testing it is generated
on first use; in production it must be created once with `flask contracts keygen`, and signing refuses until it
exists (the rest of the service runs without it). The public key id is the first 16 hex digits of the SHA-256 of
the raw public key; it is stored with every countersignature so that a rotated key is recognised as such.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from processor.config import is_development
from processor.errors import Conflict, DomainError

KEY_FILE_NAME = "dpa_signing.key"


class SigningKeyMissing(DomainError):
    status = 503
    slug = "dpa-signing-key-missing"
    title = "The processor cannot countersign right now"


def canonical_json(value) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the same evidence always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_path() -> Path:
    return Path(current_app.config.get("DPA_SIGNING_KEY_FILE") or Path(current_app.instance_path) / KEY_FILE_NAME)


def create_key(path: Path) -> Ed25519PrivateKey:
    """Write a new private key to `path`; refuse to overwrite one (old countersignatures need it)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Conflict(f"A DPA signing key already exists at {path}; it is kept.") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def private_key() -> Ed25519PrivateKey:
    """Load the countersigning key; create it on first use outside production."""
    path = key_path()
    if not path.exists():
        if not is_development(current_app):
            raise SigningKeyMissing(
                "The processor's DPA countersigning key is not installed; support has been "
                "told. Please try again later."
            )
        try:
            return create_key(path)
        except Conflict:
            pass  # another request created it a moment ago
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} does not hold an Ed25519 private key.")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def countersign(evidence: bytes, key: Ed25519PrivateKey) -> str:
    """Return the base64 Ed25519 signature of the canonical evidence bytes."""
    return base64.b64encode(key.sign(evidence)).decode("ascii")


def check_countersignature(evidence: bytes, signature: str, signed_key_id: str) -> str | None:
    """Return None when the signature is valid under the current key, else the reason it is not."""
    public = private_key().public_key()
    if key_id(public) != signed_key_id:
        return f"countersigned with key {signed_key_id}, which is not this processor's current key {key_id(public)}"
    try:
        public.verify(base64.b64decode(signature, validate=True), evidence)
    except (InvalidSignature, ValueError):
        return "the countersignature does not match the evidence"
    return None
