"""Make CSV cells safe to open in a spreadsheet: every CSV the service writes goes through `neutralize`."""

from __future__ import annotations

# A cell starting with one of these is taken as a formula (or a DDE payload) by Excel, LibreOffice and Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(cell: object) -> str:
    """Return the cell as text; prefix an apostrophe when it would start a formula (OWASP CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def neutralize_row(cells) -> list[str]:
    """Neutralize every cell of a row."""
    return [neutralize(cell) for cell in cells]
