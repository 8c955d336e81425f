"""Tell what an uploaded file is: refuse non-CSV files, detect the encoding, the delimiter and an Excel `sep=` line."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from charset_normalizer import from_bytes

from processor.csv_import.layouts import find_layout
from processor.exceptions import ValidationFailed

CHUNK = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}

# Central then Western European code pages; the organizer's country orders them when the evidence ties.
CENTRAL = ("cp1250", "iso8859_2")
WESTERN = ("cp1252", "iso8859_15")
CENTRAL_COUNTRIES = frozenset({"PL", "CZ", "SK", "HU", "SI", "HR", "RO", "BA", "RS", "ME", "MK", "AL"})
# Code pages charset-normalizer may propose when none of the above reads cleanly.
FALLBACK = ("cp1257", "iso8859_13", "cp852", "mac_latin2", "iso8859_1")
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "cp1250": "Windows-1250 (Central European)",
    "iso8859_2": "ISO-8859-2 (Latin-2)",
    "cp1252": "Windows-1252 (Western European)",
    "iso8859_15": "ISO-8859-15 (Latin-9)",
    "cp1257": "Windows-1257 (Baltic)",
    "iso8859_13": "ISO-8859-13",
    "cp852": "DOS Latin-2 (CP852)",
    "mac_latin2": "Mac Central European",
    "iso8859_1": "ISO-8859-1 (Latin-1)",
}

# File signatures of what organizers upload by mistake, and what to tell them.
SIGNATURES = (
    (b"PK\x03\x04", "This is a ZIP archive, not a CSV file or an Excel workbook (.xlsx)."),
    (b"PK\x05\x06", "This is an empty ZIP archive, not a CSV file."),
    (
        b"\xd0\xcf\x11\xe0",
        "This is an Excel 97-2003 workbook (.xls), which cannot be read here. In Excel choose File > Save As and "
        "pick Excel Workbook (.xlsx) or CSV UTF-8, then upload that file.",
    ),
    (b"\x89PNG", "This is a PNG image, not a CSV file."),
    (b"\xff\xd8\xff", "This is a JPEG image, not a CSV file."),
    (b"GIF8", "This is a GIF image, not a CSV file."),
    (b"%PDF", "This is a PDF document, not a CSV file."),
    (b"\x1f\x8b", "This is a gzip archive, not a CSV file. Unpack it first."),
)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SAMPLE_BYTES = 1 << 16  # non-ASCII lines gathered from the whole file for the code-page vote
# Non-letters that real exports contain; any other non-ASCII non-letter counts against an encoding.
_USUAL_SYMBOLS = frozenset("\u00a0«»\u2013\u2014„”“\u2018\u2019\u201a…€§°·\u00d7÷©®™•")

Opener = Callable[[], BinaryIO]


class FileRefused(ValidationFailed):
    """The file cannot be imported at all; the detail says why in one sentence."""

    slug = "file-refused"
    title = "The file cannot be imported"


@dataclass(frozen=True)
class Detected:
    encoding: str
    delimiter: str
    sep_line: bool  # an Excel "sep=;" first line, to be skipped
    header_row: bool = True  # False: the first row is a participant, and the columns are named "Column 1" ...
    skip_lines: int = 0  # lines before the table (a report's summary sections), after any sep= line
    layout: str | None = None  # a known report layout (layouts.LAYOUT_LABELS); its table ends at the next section
    records: bool = False  # line numbers count rows, not physical lines (a workbook's sheet converted to CSV)


def detect(
    open_file: Opener, *, country: str | None = None, encoding: str | None = None, delimiter: str | None = None
) -> Detected:
    """Detect the encoding (or check the override) and the delimiter, reading the file as a stream."""
    with open_file() as stream:
        head = stream.read(8)
    refuse_non_csv(head)
    encoding = check_encoding(open_file, encoding) if encoding else detect_encoding(open_file, country=country)
    with open_file() as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="replace")
        sample = text.read(SAMPLE_BYTES)
    if not sample.strip("\ufeff \r\n\t"):
        raise FileRefused("The file is empty.")
    sep_delimiter, sample = _split_sep_line(sample)
    if delimiter is not None:
        delimiter = check_delimiter(delimiter)
    layout = find_layout(sample, delimiter or sep_delimiter or ",")
    if layout is not None and delimiter is None and sep_delimiter is None:
        sample = "".join(sample.splitlines(keepends=True)[layout.skip_lines :])
    chosen = delimiter or sep_delimiter or sniff_delimiter(sample)
    return Detected(
        encoding,
        chosen,
        sep_delimiter is not None,
        skip_lines=layout.skip_lines if layout else 0,
        layout=layout.name if layout else None,
    )


def refuse_non_csv(head: bytes) -> None:
    if not head:
        raise FileRefused("The file is empty.")
    for signature, message in SIGNATURES:
        if head.startswith(signature):
            raise FileRefused(message)


def check_delimiter(delimiter: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    delimiter = named.get(delimiter.lower(), delimiter)
    if delimiter not in DELIMITERS:
        raise FileRefused("The delimiter must be one of: comma, semicolon, tab, vertical bar.")
    return delimiter


def check_encoding(open_file: Opener, name: str) -> str:
    """Accept an organizer's encoding override if Python knows it and the whole file decodes with it."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        raise FileRefused(f"Unknown encoding {name[:40]!r}: use a name such as utf-8, cp1250 or iso-8859-2.") from None
    if not _decodes(open_file, canonical):
        raise FileRefused(f"The file is not valid {canonical}: choose another encoding.")
    return canonical


def detect_encoding(open_file: Opener, *, country: str | None = None) -> str:
    """A BOM, then strict UTF-8, then a vote among European code pages (the organizer's country breaks ties)."""
    with open_file() as stream:
        head = stream.read(4)
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    sample, has_nul = _non_ascii_sample(open_file)
    if has_nul:
        raise FileRefused("This is a binary file, not a CSV text file.")
    if not sample or _decodes(open_file, "utf-8"):
        return "utf-8"
    preferred = CENTRAL + WESTERN if (country or "").upper() in CENTRAL_COUNTRIES else WESTERN + CENTRAL
    scored = [(_oddity(sample, name), rank, name) for rank, name in enumerate(preferred)]
    scored = [item for item in scored if item[0] is not None]
    if scored and min(scored)[0] == 0:
        return min(scored)[2]
    proposed = from_bytes(sample, cp_isolation=list(preferred + FALLBACK)).best()
    if proposed is not None and codecs.lookup(proposed.encoding).name in {
        codecs.lookup(n).name for n in preferred + FALLBACK
    }:
        return codecs.lookup(proposed.encoding).name
    if scored:
        return min(scored)[2]
    raise FileRefused("The encoding of the file could not be recognised: choose it from the list.")


def _non_ascii_sample(open_file: Opener) -> tuple[bytes, bool]:
    """Gather lines with non-ASCII bytes from the whole file (bounded), and whether it holds NUL bytes."""
    parts, size, has_nul = [], 0, False
    with open_file() as stream:
        for line in iter(lambda: stream.readline(CHUNK), b""):
            has_nul = has_nul or b"\x00" in line
            if size < SAMPLE_BYTES and not line.isascii():
                parts.append(line[: SAMPLE_BYTES - size])
                size += len(parts[-1])
    return b"".join(parts), has_nul


def _decodes(open_file: Opener, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open_file() as stream:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _oddity(sample: bytes, encoding: str) -> int | None:
    """Count characters a person would not type: C1 controls (weighted) and unusual symbols; None if undecodable."""
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError:
        return None
    odd = 0
    for ch in text:
        if ch.isascii() or ch in _USUAL_SYMBOLS:
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            odd += 3
        elif not category.startswith(("L", "M")):
            odd += 1
    return odd


def _split_sep_line(sample: str) -> tuple[str | None, str]:
    """Recognise Excel's `sep=X` first line; return X and the sample without it."""
    first, _, rest = sample.lstrip("\ufeff").partition("\n")
    first = first.rstrip("\r")
    if first.lower().startswith("sep=") and len(first) == 5:
        return check_delimiter(first[4]), rest
    return None, sample


def sniff_delimiter(sample: str) -> str:
    """Choose the delimiter that splits the first lines into the most consistent number of columns (>1)."""
    best, best_score = ",", (0, 0)
    lines = sample.splitlines(keepends=True)
    text = "".join(lines[:-1] if len(lines) > 1 else lines)  # the last line of a sample may be cut short
    for candidate in DELIMITERS:
        try:
            rows = [row for row in csv.reader(io.StringIO(text), delimiter=candidate) if row][:50]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        consistent = sum(len(row) == len(rows[0]) for row in rows)
        score = (consistent, len(rows[0]))
        if score > best_score:
            best, best_score = candidate, score
    return best


def encoding_alternatives(open_file: Opener, chosen: str, *, words: int = 6) -> list[dict]:
    """Other code pages that read the file as cleanly as `chosen` but give other letters: each with the words
    that differ, both ways ({encoding, label, words: [(as chosen, as this one)]}), so the organizer can pick."""
    if chosen not in CENTRAL + WESTERN:
        return []
    sample, _ = _non_ascii_sample(open_file)
    if not sample:
        return []
    mine = sample.decode(chosen, errors="replace")
    alternatives, seen = [], {mine}
    for name in CENTRAL + WESTERN:
        if name == chosen or _oddity(sample, name) != 0 or not _decodes(open_file, name):
            continue
        theirs = sample.decode(name)
        if theirs in seen or len(theirs) != len(mine):
            continue
        seen.add(theirs)
        pairs = _differing_words(mine, theirs, words)
        if pairs:
            alternatives.append({"encoding": name, "label": ENCODING_LABELS[name], "words": pairs})
    return alternatives


def _differing_words(mine: str, theirs: str, limit: int) -> list[tuple[str, str]]:
    """The words (between spaces, delimiters and quotes) where two same-length decodings differ."""
    pairs: dict[tuple[str, str], None] = {}
    position = 0
    while len(pairs) < limit:
        position = next((i for i in range(position, len(mine)) if mine[i] != theirs[i]), -1)
        if position < 0:
            break
        start, end = position, position
        while start > 0 and not _breaks_word(mine[start - 1]):
            start -= 1
        while end < len(mine) and not _breaks_word(mine[end]):
            end += 1
        pairs.setdefault((mine[start:end][:40], theirs[start:end][:40]), None)
        position = end + 1
    return list(pairs)


def _breaks_word(ch: str) -> bool:
    return ch.isspace() or ch in ",;|\"'\t"
