"""The gate to participant data: every read, write, export, message, import, rotation and return goes through
`processor.access.gate`, named by an `Actor`, checked and logged in the same transaction."""

from processor.access.actors import Actor

__all__ = ["Actor"]
