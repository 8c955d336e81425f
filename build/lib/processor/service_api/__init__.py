"""The internal-service API: bearer-token clients, purpose-bound reads of participant data, rate limits."""
