"""The processor's Ed25519 signing key (instance/dpa_signing.key), shared by the DPA countersignature (contracts)
and the access-log checkpoints; loading only, so `processor` never imports `contracts`.

In development and testing the key is created on first use; in production `flask contracts keygen` creates it and
signing refuses (503) until then.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from processor.config import is_development
from processor.errors import DomainError
from processor.secret_files import create_once

KEY_FILE_NAME = "dpa_signing.key"


class SigningKeyUnavailable(DomainError):
    status = 503
    slug = "signing-key-missing"
    title = "The processor cannot sign right now"


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_path() -> Path:
    return Path(current_app.config.get("DPA_SIGNING_KEY_FILE") or Path(current_app.instance_path) / KEY_FILE_NAME)


def private_key() -> Ed25519PrivateKey:
    """Load the signing key; create it on first use outside production."""
    path = key_path()
    if not path.exists():
        if not is_development(current_app):
            raise SigningKeyUnavailable("The processor's signing key is not installed; please try again later.")
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        if create_once(path, pem):
            return key
        # created a moment ago by another request or process: load that one
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyUnavailable(f"{path.name} does not hold an Ed25519 private key.")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]
