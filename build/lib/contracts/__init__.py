"""The data processing agreement between an organizer (controller) and the processor."""
