"""Removed accounts: held for 60 or 90 days, then erased for good (seed 004, "Erasure of Processed Data")."""
