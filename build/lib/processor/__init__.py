"""Participant data held as a GDPR processor: accounts, keys, registries, import, API, transfers, audit."""
