"""Reading an operator's CSV file: UTF-8, a header row, one record a row.

Every problem is collected with its line number instead of stopping at the
first one, so the operator gets the whole list in one go.
"""
import csv
import io
import os
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


class RowError(ValueError):
    """One field of one row is wrong; the message is written for the operator."""


def _decoded_lines(binary, problems, bar):
    """The file's lines as text; a line that is not UTF-8 becomes a problem and is left out."""
    unreported = 0
    for number, raw in enumerate(binary, start=1):
        unreported += len(raw)
        if unreported >= PROGRESS_STEP:  # a bar redrawn per row would cost more than the row
            bar.update(unreported)
            unreported = 0
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a BOM, as spreadsheet programs write it
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(number, (
                f"not UTF-8 text (byte 0x{raw[error.start]:02x} at column {error.start + 1}); "
                "save the file as UTF-8")))
            yield "\n"  # keep the line numbering of the rows that follow
    bar.update(unreported)


@contextmanager
def opened(source):
    """(binary file, size in bytes) for a path or an already open binary file."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as binary:
            yield binary, os.fstat(binary.fileno()).st_size
        return
    here = source.tell()
    size = source.seek(0, os.SEEK_END) - here
    source.seek(here)
    yield source, size


def read_rows(binary, columns, problems, bar):
    """(line number, {column: stripped value}) for every data row of a CSV file.

    A missing column stops the reading: no row can be understood without it.
    """
    reader = csv.reader(_decoded_lines(binary, problems, bar))
    header = next(reader, None)
    if header is None:
        problems.append(Problem(0, "the file is empty: a header row is needed"))
        return
    names = [name.strip().lower() for name in header]
    missing = [c for c in columns if c not in names]
    if missing:
        problems.append(Problem(1, (
            f"missing column(s): {', '.join(missing)}; "
            f"the header must name {', '.join(columns)}")))
        return
    index = [names.index(c) for c in columns]
    for fields in reader:
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # blank lines, e.g. a trailing newline
        if len(fields) != len(names):
            problems.append(Problem(reader.line_num, (
                f"{len(fields)} fields where the header has {len(names)}")))
            continue
        yield reader.line_num, {c: fields[i].strip() for c, i in zip(columns, index)}


def local_text(moment):
    """A stored (naive UTC) moment as the operator's files write it: Baku local time."""
    return to_baku(moment).strftime("%Y-%m-%d %H:%M:%S")


def parse_local_time(value, what="time"):
    """'YYYY-MM-DD HH:MM[:SS]' or 'YYYY-MM-DD', Baku local time, as naive UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(
            f"{what} {value!r} is not a date and time like 2026-11-08 16:11:00") from None
    if moment.tzinfo is not None:
        raise RowError(f"{what} {value!r} carries a time zone; write Baku local time without it")
    return to_db(moment.replace(tzinfo=BAKU))


def parse_not_future(value, now, what):
    moment = parse_local_time(value, what)
    if moment > now:
        raise RowError(f"{what} {value} is in the future")
    return moment


def parse_count(value, what, maximum):
    try:
        number = int(value)
    except ValueError:
        raise RowError(f"{what} {value!r} is not a whole number") from None
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


def checked_rows(source, columns, parse, key, problems, progress, label):
    """Every row parsed by `parse(line_no, row)`; a key seen twice is a problem.

    `key(item)` gives (key, how the operator calls it), e.g. ("A1", "record id A1").
    """
    parsed, seen = [], {}
    with opened(source) as (binary, size), progress(f"Checking {label}", size) as bar:
        for line_no, row in read_rows(binary, columns, problems, bar):
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
