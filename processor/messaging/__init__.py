"""Messages to participants: only on an organizer's instruction, only of the kinds the service needs."""
