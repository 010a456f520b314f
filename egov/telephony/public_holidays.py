"""Which days are days off in Azerbaijan: the law's holidays and the government's transfers.

The holidays come from the `holidays` library, which knows Azerbaijan's fixed holidays,
the moving Islamic ones (Ramazan and Qurban bayramı, from the lunar calendar) and the
days off that replace a holiday falling on a weekend; a hand-written table would have to
be redone every year and would get the lunar dates wrong. What no library can know are
the Cabinet of Ministers' one-off transfers of a working day and a day off: the operator
writes those in data/holiday_transfers.csv (`date,becomes,note`):

- ``day_off``: a weekday that becomes a day off, rated as a holiday;
- ``working_day``: a Saturday or Sunday that becomes a working day, rated as a weekday
  (it loses the weekend's factor; it is no holiday either).
"""
import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import holidays

DAY_OFF = "day_off"
WORKING_DAY = "working_day"
TRANSFERS_FILE = "holiday_transfers.csv"


class CalendarError(ValueError):
    """A transfers file the operator must mend; the message names the file and line."""


def _find_law_holidays(year):
    return frozenset(holidays.country_holidays("AZ", years=year))


# Cached outside the def: mutmut does not mutate decorated functions (docs/testing.md).
_law_holidays = lru_cache(maxsize=64)(_find_law_holidays)


@dataclass(frozen=True)
class WorkCalendar:
    """Days off and working days as the rating sees them (Baku dates)."""

    transfers: tuple = ()  # ((date, DAY_OFF | WORKING_DAY), ...)

    def __post_init__(self):
        object.__setattr__(self, "_by_day", dict(self.transfers))

    def is_holiday(self, day):
        """A public holiday, an observed one, or a day made a day off by a transfer."""
        becomes = self._by_day.get(day)
        if becomes is not None:
            return becomes == DAY_OFF
        return day in _law_holidays(day.year)

    def is_working_day_transfer(self, day):
        """A Saturday or Sunday the government made a working day."""
        return self._by_day.get(day) == WORKING_DAY


def load_calendar(data_dir):
    """The calendar with data/holiday_transfers.csv; no file means no transfers."""
    path = Path(data_dir) / TRANSFERS_FILE
    if not path.exists():
        return WorkCalendar()
    transfers = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            try:
                day = date.fromisoformat((row.get("date") or "").strip())
                becomes = (row.get("becomes") or "").strip()
                if becomes not in (DAY_OFF, WORKING_DAY):
                    raise ValueError(f"becomes must be {DAY_OFF} or {WORKING_DAY}, "
                                     f"not {becomes!r}")
                if becomes == WORKING_DAY and day.weekday() < 5:
                    raise ValueError(f"{day} is a weekday already: only a Saturday or "
                                     "Sunday can become a working day")
                if day in transfers:
                    raise ValueError(f"{day} is transferred twice")
            except ValueError as error:
                raise CalendarError(f"{path}, line {line_no}: {error}") from None
            transfers[day] = becomes
    return WorkCalendar(tuple(sorted(transfers.items())))
