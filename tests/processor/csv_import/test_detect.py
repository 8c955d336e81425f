"""Encoding, delimiter and `sep=` detection, and refusal of files that are not CSV."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from processor.csv_import.detect import FileRefused, detect

POLISH = "Imię;Nazwisko;E-mail\nZażółć;Gęślą;jazn@example.pl\nŚwiętosław;Źdźbło;swiety@example.pl\n"
GERMAN = "Vorname,Nachname,E-Mail\nJürgen,Größe,j@example.de\nFrançois,Müller,f@example.fr\n"


def opener(data: bytes):
    return lambda: io.BytesIO(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (POLISH.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + POLISH.encode("utf-8"), "utf-8-sig"),
        (POLISH.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + POLISH.encode("utf-16-be"), "utf-16"),
        (POLISH.encode("cp1250"), "cp1250"),
        (POLISH.encode("iso8859_2"), "iso8859_2"),
        (b"email\na@example.com\n", "utf-8"),
    ],
)
def test_encoding_is_detected_from_bom_utf8_and_code_page_evidence(data, expected):
    assert detect(opener(data), country="PL").encoding == expected


def test_country_breaks_a_tie_between_central_and_western_code_pages():
    data = GERMAN.encode("cp1252")
    assert detect(opener(data), country="DE").encoding == "cp1252"
    assert detect(opener(data), country="PL").encoding == "cp1250"


def test_code_page_evidence_is_gathered_from_the_whole_file_not_only_its_start():
    data = ("email;name\n" + "x@example.com;Ala\n" * 20000 + "y@example.com;Łucja Śląska\n").encode("iso8859_2")
    assert detect(opener(data), country="PL").encoding == "iso8859_2"


def test_an_encoding_override_is_checked_against_the_whole_file():
    data = POLISH.encode("cp1250")
    assert detect(opener(data), encoding="windows-1250").encoding == "cp1250"
    with pytest.raises(FileRefused, match="not valid utf-8"):
        detect(opener(data), encoding="utf-8")
    with pytest.raises(FileRefused, match="Unknown encoding"):
        detect(opener(data), encoding="klingon-8")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('name,note\n"Kowalski; Jan","a;b;c"\n', ","),
        ("email\nx@example.com\n", ","),
    ],
)
def test_delimiter_is_the_one_that_splits_lines_consistently(text, delimiter):
    assert detect(opener(text.encode())).delimiter == delimiter


def test_excel_sep_line_sets_the_delimiter_and_is_skipped():
    detected = detect(opener(b"sep=;\r\nemail;name\r\na@example.com;Ala\r\n"))
    assert (detected.delimiter, detected.sep_line) == (";", True)


def test_delimiter_override_wins():
    assert detect(opener(b"a,b\n1,2\n"), delimiter="semicolon").delimiter == ";"
    with pytest.raises(FileRefused, match="delimiter must be"):
        detect(opener(b"a,b\n1,2\n"), delimiter="#")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sheet.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\r\n\r\n  \n", "empty"),
        (_zip(), "ZIP archive"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Excel 97-2003"),
        (b"%PDF-1.7\n", "PDF"),
        (b"email\n\x00\x01\x02\x03\n", "binary file"),
    ],
)
def test_files_that_are_not_csv_are_refused_with_a_clear_message(data, message):
    with pytest.raises(FileRefused, match=message):
        detect(opener(data))
