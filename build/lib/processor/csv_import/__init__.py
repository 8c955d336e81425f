"""Import participants from CSV files: detection, mapping, a whole-file dry run, an all-or-nothing commit."""
