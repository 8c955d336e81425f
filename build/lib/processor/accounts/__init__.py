"""Organizer accounts (the seeds' "User"): the controllers of their participants' data."""
