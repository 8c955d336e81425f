"""The participant endpoints: purpose-bound, paginated reads of participant data by a client."""
