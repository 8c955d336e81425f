"""Walk the code: nothing outside the gate decrypts participant rows or reaches below the gate."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Where decrypting is the job: the gate itself, the key ring (which unwraps keys and builds ciphers), the cipher
# format. csv_import/vault.py decrypts the organizer's uploaded file under its own one-off key, not a field cipher.
# subject_requests/service.py decrypts the requester's own email on its subject_requests row (not a participant row;
# logged there); moving it behind the gate is left to its owner.
ALLOWED = (
    "processor/access/",
    "processor/keys/",
    "processor/field_crypto.py",
    "processor/csv_import/vault.py",
    "processor/subject_requests/service.py",
)
# Names that construct or use a field cipher for reading, and the gate's own unchecked layer.
# (Importing FieldCipher for a type annotation, as the write path does, is fine; building or using one to read is not.)
READING = {"decrypt", "decrypt_fields", "reader", "field_cipher", "FieldCipher", "_cipher_for", "keys_for"}
NOT_CIPHERS = {"csv"}  # csv.reader(...) reads CSV, not ciphertext


def _modules():
    for folder in ("processor", "contracts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(ALLOWED):
                yield relative, ast.parse(path.read_text(), relative)


def _offences(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            owner = getattr(func.value, "id", None) if isinstance(func, ast.Attribute) else None
            if name in READING and owner not in NOT_CIPHERS:
                found.append(f"line {node.lineno}: calls {name}()")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "processor.access.store" or (
                node.module == "processor.access" and any(a.name == "store" for a in node.names)
            ):
                found.append(f"line {node.lineno}: imports the gate's unchecked store")
            found += [
                f"line {node.lineno}: imports {a.name}"
                for a in node.names
                if a.name in READING - {"FieldCipher", "keys_for"} and node.module.startswith("processor.")
            ]
    return found


@pytest.mark.parametrize("module, tree", list(_modules()), ids=lambda value: value if isinstance(value, str) else "")
def test_no_module_outside_the_gate_decrypts_participant_fields(module, tree):
    assert _offences(tree) == [], f"{module} decrypts outside processor/access: route it through the gate"


def test_the_walk_catches_a_decryption():
    planted = ast.parse("from processor.access import store\nkeys.decrypt(blob, 'participants', 'email', rid)\n")
    assert sorted(_offences(planted)) == ["line 1: imports the gate's unchecked store", "line 2: calls decrypt()"]
