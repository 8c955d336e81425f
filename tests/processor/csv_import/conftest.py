"""Import fixtures: an organizer in Poland with a registry, and a helper that writes messy CSV files."""

from __future__ import annotations

import datetime as dt

import pytest

from processor.registries import service as registries


@pytest.fixture
def organizer(make_account):
    return make_account("ada", country="PL")


@pytest.fixture
def registry(organizer):
    return registries.create_registry(organizer.id, "Webinar 1", dt.date(2026, 12, 1))


@pytest.fixture
def write_csv(tmp_path):
    """Write text (or bytes) to a file; text is encoded with the given encoding."""
    counter = iter(range(1_000_000))

    def write(content, encoding="utf-8", name=None):
        path = tmp_path / (name or f"file{next(counter)}.csv")
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write
