"""The access log: every access to participant data, hash-chained per organizer."""

from processor.audit.service import record_access

__all__ = ["record_access"]
