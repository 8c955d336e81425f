"""Data-subject requests (GDPR Art 12-22) the organizer receives: recorded, timed, carried out, every step logged."""
