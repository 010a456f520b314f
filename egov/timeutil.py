"""Time at the edges: the database holds naive UTC, citizens live in Asia/Baku."""
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

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


@dataclass(frozen=True)
class Month:
    """A calendar month in Baku time; start and end are naive UTC bounds [start, end)."""

    year: int
    month: int

    @classmethod
    def containing(cls, stored_utc):
        local = to_baku(stored_utc)
        return cls(local.year, local.month)

    @classmethod
    def current(cls):
        return cls.containing(utcnow())

    @property
    def start(self):
        return to_db(baku_local(self.year, self.month, 1))

    @property
    def end(self):
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return to_db(baku_local(year, month, 1))

    def label(self):
        """The month as the citizen reads it, e.g. «noyabr 2026»."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"


MONTH_NAMES = (
    "yanvar", "fevral", "mart", "aprel", "may", "iyun",
    "iyul", "avqust", "sentyabr", "oktyabr", "noyabr", "dekabr",
)


def baku_date(stored):
    return to_baku(stored).strftime("%d.%m")


def baku_full_date(stored):
    return to_baku(stored).strftime("%d.%m.%Y")


def baku_time(stored):
    return to_baku(stored).strftime("%H:%M")
