"""Imported by the import's forkserver alone (a preload module): it dies with the process that started it."""

from processor.processes import die_with_parent

die_with_parent()
