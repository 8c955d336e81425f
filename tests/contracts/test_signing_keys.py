"""The processor's signing keys: created on purpose only, rotated, and kept public by period."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts import evidence, service, signing, verification
from contracts.models import Signature, SigningKey
from processor.extensions import db
from tests.contracts.test_service import SIGNER, sign


@pytest.mark.parametrize("env", ["development", "testing", "production"])
def test_a_missing_key_is_an_error_and_never_a_new_key(app, make_account, details, registry, env):
    account = make_account("zofia")
    service.prepare(account, details)
    app.config["APP_ENV"] = env
    with pytest.raises(signing.SigningKeyMissing):
        sign(account, 1)
    assert not signing.key_path().exists()
    db.session.rollback()
    assert service.get_version(account, 1).status == "draft"
    assert db.session.query(Signature).count() == 0
    assert db.session.query(SigningKey).count() == 0


def test_verify_with_a_missing_key_file_still_checks_against_the_registry(app, organizer, details, registry):
    agreement = sign(organizer, service.prepare(organizer, details).version)
    signing.key_path().unlink()
    assert verification.verify_document(agreement.signed_document).valid
    assert not signing.key_path().exists()


def test_key_file_is_private_to_its_owner(signing_key):
    assert signing.key_path().stat().st_mode & 0o077 == 0


def test_key_is_ecdsa_p256_with_a_published_certificate(signing_key):

    record = signing_key.record
    certificate = x509.load_pem_x509_certificate(record.certificate_pem.encode())
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    assert certificate.public_key().curve.name == "secp256r1"
    assert certificate.issuer == certificate.subject  # self-issued
    assert "ClickMeeting" in certificate.subject.rfc4514_string()
    assert record.valid_until is None and len(record.fingerprint) == 64


def test_contracts_signed_before_a_rotation_still_verify(app, organizer, details, registry):
    first = sign(organizer, service.prepare(organizer, details).version)
    old, new = signing.rotate_key()
    assert old.key_id == first.signature.key_id and old.valid_until is not None
    assert new.record.key_id != old.key_id
    assert verification.verify_document(first.signed_document).valid
    organizer.title = "Nowy tytuł"
    db.session.commit()
    second = sign(organizer, service.prepare(organizer, details).version)
    assert second.signature.key_id == new.record.key_id
    assert verification.verify_document(second.signed_document).valid
    assert [k.key_id for k in signing.published_keys()] == [new.record.key_id, old.key_id]


def test_a_countersignature_outside_its_keys_period_fails(app, organizer, details, registry):
    agreement = sign(organizer, service.prepare(organizer, details).version)
    record = db.session.get(SigningKey, agreement.signature.key_id)
    record.valid_from = agreement.signature.countersigned_at + dt.timedelta(seconds=1)
    db.session.commit()
    check = verification.verify_document(agreement.signed_document)
    assert not check.valid and "was not the processor's signing key on" in check.reason


def test_a_countersignature_by_an_unknown_key_fails(app, organizer, details, registry):
    agreement = sign(organizer, service.prepare(organizer, details).version)
    db.session.delete(db.session.get(SigningKey, agreement.signature.key_id))
    db.session.commit()
    check = verification.verify_document(agreement.signed_document)
    assert not check.valid and "not one of this processor's signing keys" in check.reason


def test_changed_evidence_fails_after_rotation_too(app, organizer, details, registry):
    agreement = sign(organizer, service.prepare(organizer, details).version)
    signing.rotate_key()
    agreement.signature.evidence_json = agreement.signature.evidence_json.replace("Prezes", "Członek")
    db.session.commit()
    check = verification.verify_document(agreement.document)
    assert not check.valid and "does not match the evidence" in check.reason


def test_an_interrupted_rotation_is_finished_on_next_use(app, signing_key):
    _, new = signing.rotate_key()
    path = signing.key_path()
    # Simulate a crash after the commit, before the rename: the old key is back in place, the new one pending.
    pending = path.with_name(path.name + ".new")
    pending.write_bytes(path.read_bytes())
    path.write_bytes(
        signing_key.private.private_bytes(
            signing.serialization.Encoding.PEM,
            signing.serialization.PrivateFormat.PKCS8,
            signing.serialization.NoEncryption(),
        )
    )
    assert signing.current_key().record.key_id == new.record.key_id
    assert not pending.exists()


def test_a_legacy_ed25519_key_is_kept_for_what_it_signed_when_rotated(app, app_ctx):

    legacy = Ed25519PrivateKey.generate()
    path = signing.key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        legacy.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(signing.SigningKeyMissing, match="rotate-signing-key"):
        signing.current_key()
    old, new = signing.rotate_key()
    assert old.algorithm == "ed25519" and old.key_id == signing.key_id(legacy.public_key())
    old.valid_from -= dt.timedelta(days=30)  # as if it had countersigned for a month
    evidence_bytes = b'{"a":1}'
    signature = base64.b64encode(legacy.sign(evidence_bytes)).decode()
    moment = old.valid_until - dt.timedelta(days=1)
    assert signing.check_countersignature(evidence_bytes, signature, old.key_id, moment) is None
    assert signing.current_key().record.key_id == new.record.key_id


def test_cli_keygen_once_then_rotate(runner, app_ctx):
    first = runner.invoke(args=["contracts", "keygen"])
    assert first.exit_code == 0 and "certificate SHA-256" in first.output
    again = runner.invoke(args=["contracts", "keygen"])
    assert again.exit_code == 1 and "already exists" in again.output
    rotated = runner.invoke(args=["contracts", "rotate-signing-key"])
    assert rotated.exit_code == 0 and rotated.output.startswith("retired key ")
    assert len(signing.published_keys()) == 2


def test_cli_rotate_without_a_key_is_an_error(runner, app_ctx):
    result = runner.invoke(args=["contracts", "rotate-signing-key"])
    assert result.exit_code == 1 and "not installed" in result.output
    assert not signing.key_path().exists()


def test_signing_keys_page_is_public_and_lists_fingerprints(client, app_ctx, signing_key):
    page = client.get("/contracts/signing-keys")
    assert page.status_code == 200
    assert signing_key.record.fingerprint in page.get_data(as_text=True)
    pem = client.get(f"/contracts/signing-keys/{signing_key.record.key_id}.pem")
    assert pem.status_code == 200 and pem.data.decode() == signing_key.record.certificate_pem
    assert client.get("/contracts/signing-keys/0000000000000000.pem").status_code == 404
    assert client.get("/contracts/v1").status_code == 302  # the rest still needs a login


def test_sign_uses_the_current_key(app, organizer, details, registry):
    service.prepare(organizer, details)
    agreement = evidence.sign_electronically(organizer, 1, **SIGNER)
    assert agreement.signature.key_id == signing.current_key().record.key_id
