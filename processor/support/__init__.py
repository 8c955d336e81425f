"""Processor staff looking at participant data to support the service: with a ticket and a reason, logged."""
