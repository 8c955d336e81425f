"""Streaming rows with line numbers, within limits; malformed files are refused with a clear message."""

from __future__ import annotations

import io

import pytest

from processor.csv_import.detect import Detected, FileRefused
from processor.csv_import.reader import Limits, RowReader


def rows(data: bytes, *, delimiter=",", encoding="utf-8", sep_line=False, limits=None):
    reader = RowReader(lambda: io.BytesIO(data), Detected(encoding, delimiter, sep_line), limits or Limits())
    return [(row.line, row.cells) for row in reader]


def test_quoted_delimiters_doubled_quotes_and_newlines_stay_inside_their_field():
    data = b'email,note\r\na@example.com,"one, ""two""\r\nthree"\r\nb@example.com,x\r\n'
    assert rows(data) == [
        (1, ["email", "note"]),
        (2, ["a@example.com", 'one, "two"\r\nthree']),
        (4, ["b@example.com", "x"]),
    ]


def test_blank_lines_and_all_empty_rows_are_skipped_and_line_numbers_stay_true():
    data = b"email;name\n\n;\na@example.com;Ala\n"
    assert rows(data, delimiter=";") == [(1, ["email", "name"]), (4, ["a@example.com", "Ala"])]


def test_sep_line_is_skipped_and_counted_in_line_numbers():
    assert rows(b"sep=;\nemail\nx@example.com\n", delimiter=";", sep_line=True) == [
        (2, ["email"]),
        (3, ["x@example.com"]),
    ]


def test_header_only_file_is_refused():
    reader = RowReader(lambda: io.BytesIO(b"email,name\n"), Detected("utf-8", ",", False), Limits())
    with pytest.raises(FileRefused, match="header row but no participant rows"):
        reader.header()


def test_header_is_trimmed():
    reader = RowReader(
        lambda: io.BytesIO(b"\xef\xbb\xbf E-mail ,Imi\xc4\x99\nx,y\n"), Detected("utf-8-sig", ",", False), Limits()
    )
    assert reader.header() == ["E-mail", "Imię"]


@pytest.mark.parametrize(
    ("data", "limits", "message"),
    [
        (b"x" * (20 * 1024 * 1024), Limits(), "Line 1 is longer than"),
        (b"email\n" + b"a@example.com\n" * 11, Limits(max_rows=10), "more than 10 rows"),
        (b",".join([b"c"] * 101) + b"\nx\n", Limits(), "header has 101 columns"),
        (b'email,note\na@example.com,"never closed\n' + b"filler line\n" * 20000, Limits(), "Line 2: a quote"),
    ],
)
def test_files_over_a_limit_are_refused_before_any_row_is_used(data, limits, message):
    with pytest.raises(FileRefused, match=message):
        rows(data, limits=limits)
    with pytest.raises(FileRefused, match=message):  # by the counting pass too, which runs before any work
        RowReader(lambda: io.BytesIO(data), Detected("utf-8", ",", False), limits).count()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\n",
        b"email\n",
        b"email;name\n\n;\na@example.com;Ala\n\n \n",
        b'email,note\r\na@example.com,"one, ""two""\r\nthree"\r\n,\r\nb@example.com,x\r\n',
        b"email\n" + b"a@example.com\n" * 10,
    ],
)
def test_counting_gives_the_rows_that_reading_yields_after_the_header(data):
    reader = RowReader(
        lambda: io.BytesIO(data), Detected("utf-8", ";" if b";" in data else ",", False), Limits(max_rows=10)
    )
    assert reader.count() == max(len(list(reader)) - 1, 0)


def test_bytes_invalid_in_the_chosen_encoding_refuse_the_file_with_the_line():
    with pytest.raises(FileRefused, match="not valid utf-8"):
        rows(b"email\n\xff\xfe@example.com\n")
