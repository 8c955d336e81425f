"""Quotes that are never closed refuse the file at the line they open; values over several lines are kept; a space
before a quote is not part of the value; report layouts, files without a header, encodings that disagree."""

from __future__ import annotations

import io

import pytest

from processor.csv_import.detect import Detected, FileRefused, detect, encoding_alternatives
from processor.csv_import.reader import Limits, RowReader

ZOOM_ATTENDEE_REPORT = (
    "Attendee Report\n"
    'Report Generated:,"Nov 22, 2026 12:00 PM"\n'
    "Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,# Cancelled,Unique Viewers\n"
    'Privacy for organizers,812 3456 7890,"Nov 22, 2026 10:00 AM",90,3,0,2\n'
    "Host Details\n"
    "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Country/Region Name\n"
    'Yes,Host,host@example.com,"Nov 22, 2026 09:50 AM","Nov 22, 2026 11:30 AM",100,Poland\n'
    "Panelist Details\n"
    "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Country/Region Name\n"
    "Attendee Details\n"
    "Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,Join Time,Leave Time,"
    "Time in Session (minutes),Country/Region Name\n"
    'Yes,Ala,Ala,Nowak,ala@example.com,"Nov 20, 2026 09:15 AM","Nov 22, 2026 10:00 AM","Nov 22, 2026 11:30 AM",'
    "90,Poland\n"
    'No,Ola,Ola,Kot,ola@example.com,"Nov 21, 2026 08:00 AM",--,--,--,Poland\n'
    "Other Attended\n"
    "User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\n"
    'Guest,guest@example.com,"Nov 22, 2026 10:05 AM","Nov 22, 2026 10:20 AM",15\n'
)


def rows(data: bytes, detected: Detected | None = None) -> list[tuple[int, list[str]]]:
    reader = RowReader(lambda: io.BytesIO(data), detected or Detected("utf-8", ",", False), Limits())
    return [(row.line, row.cells) for row in reader]


def test_a_value_over_several_lines_is_kept_exactly():
    data = b'email,company,answer\na@example.com,"Acme\r\nR&D dept","1. privacy\n2.\tsecurity"\nb@example.com,B,\n'
    assert rows(data)[1:] == [
        (2, ["a@example.com", "Acme\r\nR&D dept", "1. privacy\n2.\tsecurity"]),
        (5, ["b@example.com", "B", ""]),  # the row before spans lines 2 to 4
    ]


@pytest.mark.parametrize(
    "data",
    [
        # the quote on line 3 is closed by the one opening line 5's value: then text follows it
        b'email,company\na@example.com,A\nb@example.com,"Beta\nc@example.com,Gamma\nd@example.com,"Delta"\n',
        # closed neatly further down: the rows in between would be one company
        b'email,company\na@example.com,A\nb@example.com,"Beta\nc@example.com,Gamma\nd@example.com,Delta",\n',
        # never closed at all
        b'email,company\na@example.com,A\nb@example.com,"Beta\nc@example.com,Gamma\nd@example.com,Delta\n',
    ],
)
def test_an_unclosed_quote_in_the_middle_refuses_the_file_naming_the_line_it_opens(data):
    with pytest.raises(FileRefused, match=r"^Line 3: a quote") as refused:
        rows(data)
    assert "upload" in str(refused.value) and "Beta" not in str(refused.value)
    with pytest.raises(FileRefused, match=r"^Line 3: a quote"):  # the counting pass, which runs first, too
        RowReader(lambda: io.BytesIO(data), Detected("utf-8", ",", False), Limits()).count()


def test_a_cut_off_last_row_is_refused_not_imported_short():
    with pytest.raises(FileRefused, match=r"^Line 3: .*not closed before the file ends: the file may be cut off"):
        rows(b'email,company\na@example.com,A\nb@example.com,"Bet')


def test_a_space_before_an_opening_quote_reads_the_quoted_value():
    assert rows(b'email, first_name\na@example.com, "Anna"\n')[1] == (2, ["a@example.com", "Anna"])


def test_a_zoom_attendee_report_is_recognised_and_only_its_attendee_table_is_read():
    data = ZOOM_ATTENDEE_REPORT.encode()
    detected = detect(lambda: io.BytesIO(data))
    assert (detected.layout, detected.skip_lines, detected.delimiter) == ("zoom_attendee", 10, ",")
    read = rows(data, detected)
    assert read[0] == (11, read[0][1]) and read[0][1][4] == "Email"
    assert [cells[4] for _, cells in read[1:]] == ["ala@example.com", "ola@example.com"]  # no host, no guests
    assert [line for line, _ in read[1:]] == [12, 13]  # the file's own line numbers


def test_a_zoom_registration_report_is_read_from_its_registrant_table():
    data = (
        b"Registration Report\n"
        b'Report Generated:,"Nov 22, 2026 12:00 PM"\n'
        b"Topic,Webinar ID,Scheduled Time,# Registered\n"
        b'Privacy,812 3456 7890,"Nov 22, 2026 10:00 AM",2\n'
        b"\n"
        b"First Name,Last Name,Email,Registration Time,Approval Status\n"
        b'Ala,Nowak,ala@example.com,"Nov 20, 2026 09:15 AM",approved\n'
    )
    detected = detect(lambda: io.BytesIO(data))
    assert (detected.layout, detected.skip_lines) == ("zoom_registration", 5)
    assert rows(data, detected)[1] == (
        7,
        ["Ala", "Nowak", "ala@example.com", "Nov 20, 2026 09:15 AM", "approved"],
    )


def test_a_headerless_file_yields_its_first_row_as_data():
    detected = Detected("utf-8", ",", False, header_row=False)
    reader = RowReader(lambda: io.BytesIO(b"a@example.com,Ala\nb@example.com,Ola\n"), detected, Limits())
    assert reader.header() == ["Column 1", "Column 2"]
    assert [row.cells[0] for row in reader.data_rows()] == ["a@example.com", "b@example.com"]
    assert reader.count() == 2


def test_cp1252_read_as_cp1250_shows_the_words_that_differ_both_ways():
    data = "email,company\na@example.com,Crêperie Hélène\nb@example.com,Müller GmbH\n".encode("cp1252")
    detected = detect(lambda: io.BytesIO(data), country="PL")
    assert detected.encoding == "cp1250"  # the organizer's country is the default
    (alternative,) = encoding_alternatives(lambda: io.BytesIO(data), detected.encoding)
    assert alternative["encoding"] == "cp1252"
    assert alternative["words"] == [("Cręperie", "Crêperie"), ("Hélčne", "Hélène")]  # Müller reads alike
    western = detect(lambda: io.BytesIO(data), country="FR")
    assert western.encoding == "cp1252"
    assert [a["encoding"] for a in encoding_alternatives(lambda: io.BytesIO(data), "cp1252")] == ["cp1250"]


def test_a_polish_file_has_no_alternative_when_the_others_misread_nothing_it_holds():
    data = "email,name\na@example.com,Zazolc\n".encode("cp1250")
    assert encoding_alternatives(lambda: io.BytesIO(data), "utf-8") == []
