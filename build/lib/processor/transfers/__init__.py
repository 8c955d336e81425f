"""Transfers: the dated adequacy registry, the check on every destination, and the sub-processors."""
