"""Participant registries: organizer-controlled sets of participants, encrypted field by field."""
