"""Recognise report files with sections before the participant table (Zoom's webinar registration and attendee
reports) and where their participant table starts and ends, so the organizer no longer deletes lines by hand.

Zoom's report CSVs open with a title line (`Attendee Report`, `Registration Report`), `Report Generated:` and a
summary table (topic, webinar id, times, counts), then sections each introduced by a one-cell title line:
`Host Details`, `Panelist Details`, `Attendee Details`, `Other Attended` (attendee report) or the registrant table
(registration report). The participants are the `Attendee Details` (or registrant) table; hosts and panelists
are not participants, so the table ends at the next section title.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from processor.csv_import.mapping import header_key, suggest

ZOOM_TITLES = {"attendeereport", "registrationreport", "webinarattendeereport", "webinarregistrationreport"}
PARTICIPANT_SECTIONS = ("attendeedetails", "registrantdetails", "registrantsdetails", "registrationdetails")
NOT_PARTICIPANTS = {"hostdetails", "panelistdetails", "paneldetails"}
LAYOUT_LABELS = {"zoom_attendee": "Zoom attendee report", "zoom_registration": "Zoom registration report"}


@dataclass(frozen=True)
class Layout:
    name: str
    skip_lines: int  # physical lines before the participant table's header


def find_layout(sample: str, delimiter: str) -> Layout | None:
    """A known report layout in the file's first characters, with where its participant table begins."""
    lines = _Counted(io.StringIO(sample))
    rows = csv.reader(lines, delimiter=delimiter)
    try:
        first = _title(next(rows, None))
        if first not in ZOOM_TITLES:
            return None
        name = "zoom_attendee" if "attendee" in first else "zoom_registration"
        section, start = None, lines.number
        for cells in rows:
            title = _title(cells)
            if title is not None:
                section = title
            elif (
                "email" in suggest([cell.strip() for cell in cells])
                and section not in NOT_PARTICIPANTS
                and (section in PARTICIPANT_SECTIONS or name == "zoom_registration")
            ):
                return Layout(name, start)
            start = lines.number
    except csv.Error:
        return None
    return None


def ends_section(cells: list[str]) -> bool:
    """Whether a row is a report's section title (one cell, such as `Other Attended`): the table ends there."""
    title = _title(cells)
    return title is not None and (title.endswith("details") or title in {"otherattended", "attendeereport"})


def _title(cells: list[str] | None) -> str | None:
    """The folded text of a row holding one non-empty cell, the first (a title line); else None."""
    if not cells or not cells[0].strip() or any(cell.strip() for cell in cells[1:]):
        return None
    return header_key(cells[0].lstrip("\ufeff"))


class _Counted:
    """Lines of a text, counted as the csv reader takes them."""

    def __init__(self, text: io.StringIO):
        self._text, self.number = text, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._text.readline()
        if not line:
            raise StopIteration
        self.number += 1
        return line
