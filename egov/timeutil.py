"""Time at the edges: the database holds naive UTC, citizens live in Asia/Baku."""
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from functools import lru_cache

from babel.dates import format_date, match_skeleton, parse_pattern

from .locales import formatting, language as page_language

BAKU = ZoneInfo("Asia/Baku")


def utcnow():
    """Now, as the naive UTC value the database stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_db(moment):
    """An aware datetime (any zone) as naive UTC for storage."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def to_baku(stored):
    """A stored naive-UTC value as Baku local time."""
    return stored.replace(tzinfo=timezone.utc).astimezone(BAKU)


def baku_local(year, month, day, hour=0, minute=0, second=0):
    return datetime(year, month, day, hour, minute, second, tzinfo=BAKU)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in Baku time; start and end are naive UTC bounds [start, end).
    Months compare in time order."""

    year: int
    month: int

    @classmethod
    def containing(cls, stored_utc):
        local = to_baku(stored_utc)
        return cls(local.year, local.month)

    @classmethod
    def current(cls):
        return cls.containing(utcnow())

    @classmethod
    def parse(cls, text):
        """«2026-11» → Month(2026, 11); None for anything else (a hostile parameter)."""
        if not isinstance(text, str) or len(text) != 7 or text[4] != "-":
            return None
        year, month = text[:4], text[5:]
        if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()):
            return None
        if not 1 <= int(month) <= 12 or int(year) < 1900:
            return None
        return cls(int(year), int(month))

    def __str__(self):
        """As a URL writes it: 2026-11."""
        return f"{self.year:04d}-{self.month:02d}"

    def previous(self):
        return self.shifted(-1)

    def shifted(self, months):
        """The month `months` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    # Each property made from a plain method: mutmut does not mutate decorated functions
    # (docs/testing.md).
    def _start(self):
        return to_db(baku_local(self.year, self.month, 1))

    start = property(_start)

    def _end(self):
        return self.shifted(1).start

    end = property(_end)

    def label(self, language=None):
        """The month as the citizen reads it: «noyabr 2026», «November 2026», «ноябрь 2026»
        (Babel's stand-alone month name, the form a heading uses)."""
        return _month_label(self.year, self.month, formatting(language))


def _format_month_label(year, month, locale):
    return format_date(date(year, month, 1), "LLLL y", locale=locale)


# A page names its month five times, and a few months are open. Cached outside the def:
# mutmut does not mutate decorated functions (docs/testing.md).
_month_label = lru_cache(maxsize=512)(_format_month_label)


def baku_date(stored, language=None):
    """Day and month in the page's language: 08.11 (az, ru), 08/11 (en)."""
    return _date_writer("MMdd", language or page_language())(to_baku(stored))


def baku_full_date(stored, language=None):
    return _date_writer("yMMdd", language or page_language())(to_baku(stored))


def _find_skeleton_pattern(skeleton, locale):
    """CLDR's pattern for `skeleton` in `locale`, as Babel's format_skeleton finds it, found
    once: the search through the locale's skeletons was most of a report row's date."""
    return parse_pattern(locale.datetime_skeletons[
        match_skeleton(skeleton, locale.datetime_skeletons)])


_skeleton_pattern = lru_cache(maxsize=None)(_find_skeleton_pattern)

# CLDR's numeric date fields as Python's str.format writes them: «dd» the day in two
# digits, «M» the month as it is, «y» the year as it is, «yyyy» in four digits.
_NUMERIC_FIELDS = {"d": "{0.day}", "dd": "{0.day:02d}", "M": "{0.month}",
                   "MM": "{0.month:02d}", "y": "{0.year}", "yyyy": "{0.year:04d}"}
_FIELD = re.compile(r"%\((\w+)\)s")  # a field in Babel's rendering of a pattern


def _find_date_writer(skeleton, language):
    """What writes a date by CLDR's pattern for `skeleton` in `language`: the pattern made
    into a format string once (_numeric_writer) when it can be, else Babel's own."""
    locale = formatting(language)
    pattern = _skeleton_pattern(skeleton, locale)
    return _numeric_writer(pattern) or (lambda moment: pattern.apply(moment, locale))


def _numeric_writer(pattern):
    """A Babel date pattern of numbers and separators only (all of the portal's) as one
    format string's `format`; None for a pattern with any other field (a month's name).
    Babel's pattern.apply reads the pattern field by field on every call; with the number
    symbols found by language code, this took the 100-row report from 72.60 M to 68.44 M
    instructions (docs/performance.md, the fifth pass)."""
    fields = _FIELD.findall(pattern.format)
    if not all(field in _NUMERIC_FIELDS for field in fields):
        return None
    # The pattern's literal text keeps its braces (doubled for str.format) and its «%»
    # (Babel's format writes it «%%»).
    literal = pattern.format.replace("{", "{{").replace("}", "}}")
    return (literal % {field: _NUMERIC_FIELDS[field] for field in fields}).format


_date_writer = lru_cache(maxsize=None)(_find_date_writer)


def baku_time(stored):
    """Hours and minutes in Baku, 24-hour, as every language of the portal writes them."""
    local = to_baku(stored)
    return f"{local.hour:02d}:{local.minute:02d}"
