"""Reading an operator's CSV file: UTF-8, a header row, one record a row.

Every problem is collected with its line number instead of stopping at the
first one, so the operator gets the whole list in one go.
"""
import csv
import io
import os
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from ...telephony.numbering import NumberError, is_landline, normalise
from ...timeutil import BAKU, to_baku, to_db


@dataclass(frozen=True)
class Problem:
    line: int  # 0: the file as a whole
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class ImportRefused(Exception):
    """The file has problems; nothing of it was imported."""

    def __init__(self, path, problems):
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: {len(self.problems)} problem(s), nothing imported")


PROGRESS_STEP = 1 << 20
# No field of these files comes near this; a longer line is a broken or hostile file, and
# reading it whole would hold it in memory. csv's own limit (131 072 per field) is then
# reached only by a quoted field running over many lines, which read_rows reports too.
MAX_LINE_BYTES = 1 << 16


class RowError(ValueError):
    """One field of one row is wrong; the message is written for the operator."""


def _raw_lines(binary, problems):
    """The file's lines as bytes, each at most MAX_LINE_BYTES (a longer one is a problem)."""
    number = 0
    while True:
        raw = binary.readline(MAX_LINE_BYTES)
        if not raw:
            return
        number += 1
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            skipped = len(raw)
            while raw and not raw.endswith(b"\n"):  # the rest of the line, unread
                raw = binary.readline(MAX_LINE_BYTES)
                skipped += len(raw)
            problems.append(Problem(number, (
                f"the line is {skipped} bytes long, more than {MAX_LINE_BYTES}; "
                "is this the right file?")))
            yield number, skipped, None
            continue
        yield number, len(raw), raw


def _decoded_lines(binary, problems, bar):
    """The file's lines as text; a line that cannot be read becomes a problem and an
    empty line, so that the rows after it keep their line numbers."""
    unreported = 0
    for number, size, raw in _raw_lines(binary, problems):
        unreported += size
        if unreported >= PROGRESS_STEP:  # a bar redrawn per row would cost more than the row
            bar.update(unreported)
            unreported = 0
        if raw is None:
            yield "\n"
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a BOM, as spreadsheet programs write it
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(number, (
                f"not UTF-8 text (byte 0x{raw[error.start]:02x} at column {error.start + 1}); "
                "save the file as UTF-8")))
            yield "\n"
            continue
        if "\r" in text.rstrip("\r\n") or text.endswith("\r"):
            # Old Mac line endings: the whole file would read as one line.
            problems.append(Problem(number, (
                "a carriage return (CR) without a line feed; save the file with LF or CRLF "
                "line endings")))
            yield "\n"
            continue
        yield text
    bar.update(unreported)


def _opened(source):
    """(binary file, size in bytes) for a path or an already open binary file."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as binary:
            yield binary, os.fstat(binary.fileno()).st_size
        return
    here = source.tell()
    size = source.seek(0, os.SEEK_END) - here
    source.seek(here)
    yield source, size


# A context manager made outside the def: mutmut does not mutate decorated functions
# (docs/testing.md).
opened = contextmanager(_opened)


def _csv_rows(reader, problems):
    """The reader's rows, until one csv cannot parse: that is a problem on the line where
    the row began, and the reading stops (after a quote left open, nothing lines up)."""
    while True:
        starts = reader.line_num + 1
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(Problem(starts, (
                f"cannot be read as CSV: {error} (a quote left open?)")))
            return


def read_rows(binary, columns, problems, bar, optional=()):
    """(line number, {column: stripped value}) for every data row of a CSV file.

    A missing or repeated column stops the reading: no row can be understood without it.
    An `optional` column the header does not name reads as "" in every row.
    """
    reader = csv.reader(_decoded_lines(binary, problems, bar))
    rows = _csv_rows(reader, problems)
    header = next(rows, None)
    if header is None:
        if not problems:
            problems.append(Problem(0, "the file is empty: a header row is needed"))
        return
    names = [name.strip().lower() for name in header]
    missing = [c for c in columns if c not in names]
    if missing:
        problems.append(Problem(1, (
            f"missing column(s): {', '.join(missing)}; "
            f"the header must name {', '.join(columns)}")))
        return
    # Two columns of one name: which one is meant cannot be known.
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        problems.append(Problem(1, f"the header names column(s) {', '.join(twice)} twice"))
        return
    index = [names.index(c) for c in columns]
    present = [(c, names.index(c)) for c in optional if c in names]
    absent = {c: "" for c in optional if c not in names}
    for fields in rows:
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # blank lines, e.g. a trailing newline
        if len(fields) != len(names):
            problems.append(Problem(reader.line_num, (
                f"{len(fields)} fields where the header has {len(names)}")))
            continue
        row = {c: fields[i] for c, i in zip(columns, index)}
        row.update({c: fields[i] for c, i in present})
        hidden = next(filter(None, (_hidden_character(c, v) for c, v in row.items())), None)
        if hidden:
            problems.append(Problem(reader.line_num, hidden))
            continue
        yield reader.line_num, {**{c: value.strip() for c, value in row.items()}, **absent}


def _is_hidden(char):
    # Control (Cc: NUL, which PostgreSQL cannot store, and the separators strip() would
    # silently drop), format (Cf: a byte-order mark mid-file, U+202E that turns text
    # around, zero-width spaces), private-use and unassigned code points, and the Unicode
    # line and paragraph separators.
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("Zl", "Zp")


def _hidden_character(column, value):
    """Why `value` of `column` is refused, if it holds a character no one can see: an id
    of a byte-order mark and «SEC-1» would import beside «SEC-1» as another call, and the
    citizen would see the call twice."""
    for position, char in enumerate(value.strip(" \t"), start=1):
        if _is_hidden(char):
            name = unicodedata.name(char, "")
            shown = f"U+{ord(char):04X}" + (f" ({name})" if name else "")
            return (f"{column.replace('_', ' ')} has an invisible or control character, "
                    f"{shown}, at position {position}; type the value again without it")
    return None


def local_text(moment):
    """A stored (naive UTC) moment as the operator's files write it: Baku local time."""
    return to_baku(moment).strftime("%Y-%m-%d %H:%M:%S")


# What the files write (fromisoformat alone also reads «20261108» and «2026-W45»).
_LOCAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?")
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")  # ASCII only: int() also reads «7_2» and «٧٢»
MAX_COUNT_DIGITS = 18


def parse_local_time(value, what):
    """'YYYY-MM-DD HH:MM[:SS]' or 'YYYY-MM-DD', Baku local time, as naive UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is not None:
        raise RowError(f"{what} {value!r} carries a time zone; write Baku local time without it")
    if moment is None or not _LOCAL_TIME.fullmatch(value):
        raise RowError(f"{what} {value!r} is not a date and time like 2026-11-08 16:11:00")
    try:
        return to_db(moment.replace(tzinfo=BAKU))
    except OverflowError:  # year 1 in Baku is before year 1 in UTC
        raise RowError(f"{what} {value!r} is out of range") from None


def parse_not_future(value, now, what):
    moment = parse_local_time(value, what)
    if moment > now:
        raise RowError(f"{what} {value} is in the future")
    return moment


def parse_count(value, what, maximum):
    if not _WHOLE_NUMBER.fullmatch(value):
        raise RowError(f"{what} {value!r} is not a whole number (digits 0-9 only)")
    digits = value.lstrip("-").lstrip("0") or "0"
    # int() refuses a string of more than 4 300 digits (leading zeros count): it is never
    # asked for more than a count of these files could ever have.
    if len(digits) > MAX_COUNT_DIGITS:
        size = "and negative" if value.startswith("-") else f"more than {maximum}"
        raise RowError(f"{what} is a number of {len(digits)} digits, {size}")
    number = -int(digits) if value.startswith("-") else int(digits)
    if number < 0:
        raise RowError(f"{what} {number} is negative")
    if number > maximum:
        raise RowError(f"{what} {number} is more than {maximum}")
    return number


def parse_landline(value, what):
    try:
        number = normalise(value)
    except NumberError:
        raise RowError(f"{what} {value!r} is not a phone number") from None
    if not is_landline(number):
        raise RowError(f"{what} {value} is not a landline number of Azerbaijan")
    return number


def parse_record_id(value):
    if not value:
        raise RowError("the record id is empty")
    if len(value) > 64:
        raise RowError("the record id is longer than 64 characters")
    return value


def text_source(text):
    """A CSV given as a string, as a binary file object (for the demo and tests)."""
    return io.BytesIO(text.encode("utf-8"))


def checked_rows(source, columns, parse, key, problems, progress, label, optional=()):
    """Every row parsed by `parse(line_no, row)`; a key seen twice is a problem.

    `key(item)` gives (key, how the operator calls it), e.g. ("A1", "record id A1").
    """
    parsed, seen = [], {}
    with opened(source) as (binary, size), progress(f"Checking {label}", size) as bar:
        for line_no, row in read_rows(binary, columns, problems, bar, optional):
            try:
                item = parse(line_no, row)
            except RowError as error:
                problems.append(Problem(line_no, str(error)))
                continue
            found, named = key(item)
            if found in seen:
                problems.append(Problem(line_no, (
                    f"{named} appears twice in the file (first on line {seen[found]})")))
                continue
            seen[found] = line_no
            parsed.append(item)
    return parsed


def refuse_if_any(source, problems):
    if problems:
        raise ImportRefused(source, sorted(problems, key=lambda p: p.line))
