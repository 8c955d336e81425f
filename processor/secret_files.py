"""Secrets created on first start in instance/ (development and testing): the session key, the access-log chain
key, the master key file, the signing key.

`make run` starts the web server and a job worker at the same moment, and gunicorn starts several workers: on a
fresh instance folder they all look for the same files at once. Each file is therefore written whole under a
temporary name and linked into place only if nothing is there yet (`link` fails on an existing name, atomically):
another process sees no file or the complete one, never an empty or half-written one, and whichever process links
first wins, so every process ends up reading the same secret.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def create_once(path: Path, content: bytes) -> bool:
    """Create `path` (0600) holding `content` unless it exists; True if this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)
