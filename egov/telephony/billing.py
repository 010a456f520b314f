"""How a call is rated, and how money reads.

The tariff book is the operator's price list, in four files of data/:

- ``plans.csv``: the plans a line can be on, each with its names and billing step
  (1: per second; 60: per started minute); one plan is the default for a line whose
  registry row names none;
- ``tariffs.csv``: each plan's price a minute in qəpik, by kind of call and, for
  international calls, by country-code prefix (several prefixes separated by spaces
  make a zone; an empty prefix is every other country), valid from a date;
- ``time_bands.csv``: the plan's cheaper hours and days (night, weekend, holiday), each
  with a factor on the price, valid from a date;
- ``holiday_transfers.csv`` (egov.telephony.public_holidays): the government's moves of
  days off and working days, on top of the `holidays` library's calendar.

A call is rated once, when it is imported, by the terms in force in Baku when it
*started*: a call that starts at 21:59:59 is a day call even if it runs into the night.
The rating is kept with the call (egov.models.Call: plan, price, band, factor, billed
seconds, amount), so a later change of the book never changes a past call's amount
or the explanation a citizen reads.

    amount = billed seconds × price a minute ÷ 60 × factor, rounded half up to the qəpik
"""
import csv
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel.numbers import format_decimal

from .numbering import INTERCITY, INTERNATIONAL, country_digits
from .public_holidays import CalendarError, WorkCalendar, load_calendar
from ..locales import formatting, language as page_language
from ..timeutil import to_baku

# The bands a call can be rated in. FLAT: the plan has no bands for this kind of call.
DAY, NIGHT, WEEKEND, HOLIDAY, FLAT = "day", "night", "weekend", "holiday", "flat"
BANDS = (DAY, NIGHT, WEEKEND, HOLIDAY, FLAT)
# When several bands hold at once (a Saturday night), the citizen gets the lowest factor;
# on equal factors the first of this order names the band.
_BAND_ORDER = (HOLIDAY, WEEKEND, NIGHT)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WHOLE = 1000  # factors are kept in thousandths: 800 is ×0.8
# The plan of a book read from a single file of prices without a plan column (tests).
PRICES_ONLY_PLAN = "flat-2020"


class TariffError(ValueError):
    pass


@dataclass(frozen=True)
class Plan:
    code: str
    names: dict  # {language: name}
    billing_step_seconds: int

    def name(self, language):
        return self.names.get(language) or self.names["az"]


@dataclass(frozen=True)
class Tariff:
    kind: str  # intercity or international
    prefix: str  # a country-code prefix for international; "" matches any
    qepik_per_minute: int
    valid_from: date
    plan: str = PRICES_ONLY_PLAN
    destination: str = ""  # the operator's name of the zone


@dataclass(frozen=True)
class Band:
    """Cheaper hours (`starts`–`ends`, Baku; may run past midnight) on some days, or a
    whole day off (HOLIDAY)."""

    plan: str
    kind: str
    name: str  # NIGHT, WEEKEND or HOLIDAY
    days: frozenset  # weekday numbers (0 = Monday); empty: every day
    starts: time = None  # None with ends None: the whole day
    ends: time = None
    factor_permille: int = WHOLE
    valid_from: date = date.min

    def holds(self, local, calendar):
        day = local.date()
        if self.name == HOLIDAY:
            return calendar.is_holiday(day)
        if self.name == WEEKEND and calendar.is_working_day_transfer(day):
            return False
        if self.days and local.weekday() not in self.days:
            return False
        if self.starts is None:
            return True
        moment = local.time().replace(tzinfo=None)
        if self.starts <= self.ends:
            return self.starts <= moment < self.ends
        return moment >= self.starts or moment < self.ends  # past midnight


@dataclass(frozen=True)
class Rating:
    """Everything a citizen needs to check a call's amount; stored with the call."""

    kind: str
    plan: str
    qepik_per_minute: int
    band: str
    factor_permille: int
    billed_seconds: int
    amount_qepik: int


def billed_seconds(duration_seconds, step):
    """The length charged: per second, or rounded up to whole steps (a started minute)."""
    if duration_seconds < 0:
        raise ValueError("duration cannot be negative")
    return -(-duration_seconds // step) * step


def amount(billed, qepik_per_minute, factor_permille=WHOLE):
    """Qəpik for `billed` seconds at a price a minute and a factor, rounded half up, in
    exact integers (never a float)."""
    if billed < 0 or qepik_per_minute < 0 or factor_permille < 0:
        raise ValueError("duration, price and factor cannot be negative")
    return (2 * billed * qepik_per_minute * factor_permille + 60 * WHOLE) // (120 * WHOLE)


def per_second_amount(duration_seconds, qepik_per_minute):
    """Qəpik for a call of this length billed per second, rounded half up."""
    return amount(billed_seconds(duration_seconds, 1), qepik_per_minute)


class TariffBook:
    def __init__(self, tariffs, plans=None, bands=(), calendar=None, default_plan=None):
        tariffs = list(tariffs)
        if plans is None:  # a book of prices alone (tests): one per-second plan per code
            plans = {t.plan: Plan(t.plan, {"az": t.plan}, 1) for t in tariffs}
        self.plans = dict(plans)
        self.default_plan = default_plan or (next(iter(self.plans)) if self.plans else None)
        self.calendar = calendar or WorkCalendar()
        self._by_key = {}
        for tariff in tariffs:
            self._by_key.setdefault((tariff.plan, tariff.kind, tariff.prefix), []).append(tariff)
        for versions in self._by_key.values():
            versions.sort(key=lambda t: t.valid_from)
        # Imports rate millions of calls: the dates to bisect are kept, not rebuilt per call.
        self._dates = {key: [t.valid_from for t in v] for key, v in self._by_key.items()}
        self._prefixes = {}
        for plan, kind, prefix in self._by_key:
            if kind == INTERNATIONAL:
                self._prefixes.setdefault(plan, set()).add(prefix)
        self._prefixes = {plan: sorted(p, key=len, reverse=True)
                          for plan, p in self._prefixes.items()}
        self._bands = {}
        for band in bands:
            self._bands.setdefault((band.plan, band.kind), []).append(band)

    @classmethod
    def from_csv(cls, path):
        """A book of prices alone, from one tariffs.csv (every row's plan must be named)."""
        return cls(_read_tariffs(Path(path)))

    def plan(self, code=None):
        code = code or self.default_plan
        try:
            return self.plans[code]
        except KeyError:
            raise TariffError(f"unknown plan {code!r}") from None

    def tariff_for(self, kind, dialled, started_at, plan=None):
        """The price in force (Baku date) at started_at (naive UTC) for this destination."""
        plan = self.plan(plan).code
        on = to_baku(started_at).date()
        if kind == INTERCITY:
            candidates = [(plan, INTERCITY, "")]
        else:
            digits = country_digits(dialled)
            candidates = [(plan, INTERNATIONAL, p) for p in self._prefixes.get(plan, ())
                          if digits.startswith(p)]
        for key in candidates:
            index = bisect_right(self._dates.get(key, ()), on)
            if index:
                return self._by_key[key][index - 1]
        raise TariffError(f"no {kind} tariff for {dialled} on {on}"
                          + (f" in plan {plan}" if len(self.plans) > 1 else ""))

    def band_at(self, kind, started_at, plan=None):
        """(band, factor in thousandths) of a call of this kind starting at started_at."""
        plan = self.plan(plan).code
        local = to_baku(started_at)
        bands = self._in_force(self._bands.get((plan, kind), ()), local.date())
        if not bands:
            return FLAT, WHOLE
        holding = [band for band in bands if band.holds(local, self.calendar)]
        if not holding:
            return DAY, WHOLE
        best = min(holding, key=lambda b: (b.factor_permille, _BAND_ORDER.index(b.name)))
        return best.name, best.factor_permille

    @staticmethod
    def _in_force(bands, on):
        """Of each band name, the rows of its newest version valid on the date `on`."""
        newest = {}
        for band in bands:
            if band.valid_from <= on and band.valid_from >= newest.get(band.name, date.min):
                newest[band.name] = band.valid_from
        return [b for b in bands if newest.get(b.name) == b.valid_from]

    def in_force(self, on, plan=None):
        """Every destination's price in force on the date `on` (in one plan, or all)."""
        current = []
        for (code, _, _), versions in self._by_key.items():
            if plan is not None and code != plan:
                continue
            valid = [t for t in versions if t.valid_from <= on]
            if valid:
                current.append(valid[-1])
        return sorted(current, key=lambda t: (t.plan, t.kind, t.prefix))

    def bands_in_force(self, on, plan):
        """The plan's bands in force on the date `on`."""
        return [band for (code, _), bands in sorted(self._bands.items()) if code == plan
                for band in self._in_force(bands, on)]

    def rate(self, kind, dialled, started_at, duration_seconds, plan=None):
        """The Rating of a call: price, band and factor in force when it started."""
        plan = self.plan(plan)
        tariff = self.tariff_for(kind, dialled, started_at, plan.code)
        band, factor = self.band_at(kind, started_at, plan.code)
        billed = billed_seconds(duration_seconds, plan.billing_step_seconds)
        return Rating(kind=kind, plan=plan.code, qepik_per_minute=tariff.qepik_per_minute,
                      band=band, factor_permille=factor, billed_seconds=billed,
                      amount_qepik=amount(billed, tariff.qepik_per_minute, factor))


# --- Reading the operator's files ---

PLAN_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_WHOLE_NUMBER = re.compile(r"[0-9]+")  # int() also reads «7_2», «٧٢»
_FACTOR = re.compile(r"(0|1)(\.[0-9]{1,3})?")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
PREFIX = re.compile(r"[1-9][0-9]{0,3}")


def _rows(path):
    """(line number, row) of a CSV file with a header; errors name the file and line."""
    with open(path, newline="", encoding="utf-8") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def _cell(row, name):
    value = row.get(name)
    if value is None:
        raise KeyError(f"no column {name!r}")
    return value.strip()


def _read_plans(path):
    plans, default = {}, None
    for line_no, row in _rows(path):
        try:
            code = _cell(row, "plan")
            if not PLAN_CODE.fullmatch(code):
                raise ValueError(f"plan code {code!r} is not lower-case letters, digits, '-'")
            if code in plans:
                raise ValueError(f"plan {code!r} is listed twice")
            step = _cell(row, "billing_step_seconds")
            if step not in ("1", "60"):
                raise ValueError(f"billing step {step!r} is neither 1 (per second) nor 60 "
                                 "(per started minute)")
            names = {lang: _cell(row, f"name_{lang}") for lang in ("az", "en", "ru")}
            if not all(names.values()):
                raise ValueError("the plan needs a name in az, en and ru")
            plans[code] = Plan(code, names, int(step))
            if _cell(row, "default") == "yes":
                if default is not None:
                    raise ValueError(f"two default plans: {default} and {code}")
                default = code
        except (KeyError, ValueError) as error:
            raise TariffError(f"{path}, line {line_no}: {error}") from None
    if not plans:
        raise TariffError(f"{path}: no plan")
    if default is None:
        raise TariffError(f"{path}: no plan is the default (default = yes)")
    return plans, default


def _read_tariffs(path, plans=None):
    tariffs = []
    for line_no, row in _rows(path):
        try:
            if plans is None:  # a single file of prices (tests): a plan column is optional
                plan = (row.get("plan") or "").strip() or PRICES_ONLY_PLAN
            else:
                plan = _cell(row, "plan")
            if plans is not None and plan not in plans:
                raise ValueError(f"unknown plan {plan!r} (not in plans.csv)")
            kind = _cell(row, "kind")
            price = _cell(row, "qepik_per_minute")
            if not _WHOLE_NUMBER.fullmatch(price):
                raise ValueError(f"price {price!r} is not a whole number of qəpik")
            if kind not in (INTERCITY, INTERNATIONAL):
                raise ValueError(f"unknown kind {kind!r}")
            prefixes = _cell(row, "prefix").split() or [""]
            if kind == INTERCITY and prefixes != [""]:
                raise ValueError("an intercity price has no country prefix")
            for prefix in prefixes:
                if prefix and not PREFIX.fullmatch(prefix):
                    raise ValueError(f"prefix {prefix!r} is not a country code")
            valid_from = date.fromisoformat(_cell(row, "valid_from"))
            destination = (row.get("destination") or "").strip()
            tariffs.extend(Tariff(kind, prefix, int(price), valid_from, plan, destination)
                           for prefix in prefixes)
        except (KeyError, ValueError) as error:
            raise TariffError(f"{path}, line {line_no}: {error}") from None
    return tariffs


def _clock(text, what):
    match = _CLOCK.fullmatch(text)
    if not match:
        raise ValueError(f"{what} {text!r} is not a time of day HH:MM")
    return time(int(match.group(1)), int(match.group(2)))


def _read_bands(path, plans):
    bands = []
    for line_no, row in _rows(path):
        try:
            plan = _cell(row, "plan")
            if plan not in plans:
                raise ValueError(f"unknown plan {plan!r} (not in plans.csv)")
            kind = _cell(row, "kind")
            if kind not in (INTERCITY, INTERNATIONAL):
                raise ValueError(f"unknown kind {kind!r}")
            name = _cell(row, "band")
            if name not in (NIGHT, WEEKEND, HOLIDAY):
                raise ValueError(f"band {name!r} is not night, weekend or holiday")
            day_names = _cell(row, "days").lower().split()
            unknown = [d for d in day_names if d not in WEEKDAYS]
            if unknown:
                raise ValueError(f"unknown day {unknown[0]!r} (mon … sun)")
            starts, ends = _cell(row, "starts"), _cell(row, "ends")
            if bool(starts) != bool(ends):
                raise ValueError("a band has both a start and an end time, or neither")
            if name == HOLIDAY and (starts or day_names):
                raise ValueError("a holiday band is the whole day off: no days or hours")
            factor = _cell(row, "factor")
            if not _FACTOR.fullmatch(factor) or Decimal(factor) > 1:
                raise ValueError(f"factor {factor!r} is not between 0 and 1 "
                                 "(at most three decimals)")
            band = Band(plan, kind, name, frozenset(WEEKDAYS.index(d) for d in day_names),
                        _clock(starts, "start") if starts else None,
                        _clock(ends, "end") if ends else None,
                        int(Decimal(factor) * WHOLE),
                        date.fromisoformat(_cell(row, "valid_from")))
            if band.starts is not None and band.starts == band.ends:
                raise ValueError("a band's start and end are the same time")
            bands.append(band)
        except (KeyError, ValueError) as error:
            raise TariffError(f"{path}, line {line_no}: {error}") from None
    return bands


def load_tariffs(data_dir):
    """The operator's tariff book from data/: plans, prices, bands and the calendar."""
    data_dir = Path(data_dir)
    try:
        plans, default = _read_plans(data_dir / "plans.csv")
        tariffs = _read_tariffs(data_dir / "tariffs.csv", plans)
        bands = _read_bands(data_dir / "time_bands.csv", plans)
        calendar = load_calendar(data_dir)
    except CalendarError as error:
        raise TariffError(str(error)) from None
    except OSError as error:
        raise TariffError(f"{error.filename}: {error.strerror}") from None
    return TariffBook(tariffs, plans, bands, calendar, default)


# --- Money as a citizen reads it ---

def format_azn(qepik, language=None):
    """Manat in the page's language: 80 → '0,80' (az, ru), '0.80' (en). Exact: whole
    qəpik, never a float; no grouping, so a spreadsheet reads it as a number."""
    decimal, minus = _number_symbols(language or page_language())
    manat, rest = divmod(abs(qepik), 100)
    return f"{minus if qepik < 0 else ''}{manat}{decimal}{rest:02d}"


# What an exact sum is written to before it is rounded to whole qəpik.
_FOUR_PLACES = Decimal("0.0001")


def format_exact_azn(manat, language=None):
    """An exact sum in manat to four places, as the explanation of a charge writes it
    before the amount: Decimal("0.27983…") → '0,2798' (az, ru), '0.2798' (en); trailing
    zeros dropped ('0,276'), half to even: what Babel's pattern «0.####» writes, without
    its general machinery (a few microseconds on every row of a report)."""
    decimal, minus = _number_symbols(language or page_language())
    rounded = manat.quantize(_FOUR_PLACES)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0")
    text = f"{whole}{decimal}{fraction}" if fraction else whole
    return minus + text if rounded.is_signed() else text


def _find_number_symbols(language):
    """The decimal and minus signs of `language` («az», «en», «ru»), from CLDR as Babel has
    them. An amount is the one number a report writes on every row: Babel's format_decimal,
    which parses a pattern and rounds a Decimal each time, was a tenth of the page's time.
    Found by the language's code, not its Babel Locale, whose hash Python works out anew at
    every look-up (four amounts a row)."""
    symbols = formatting(language).number_symbols["latn"]
    return symbols["decimal"], symbols["minusSign"]


# Cached outside the def: mutmut does not mutate decorated functions (docs/testing.md).
_number_symbols = lru_cache(maxsize=None)(_find_number_symbols)


def format_factor(permille, language=None):
    """A band's factor as written in the explanation: 800 → '0,8' (az, ru), '0.8' (en)."""
    return _factor_text(permille, language or page_language())


def _format_factor_text(permille, language):
    return format_decimal(Decimal(permille).scaleb(-3).normalize(), format="0.###",
                          locale=formatting(language))


_factor_text = lru_cache(maxsize=256)(_format_factor_text)  # a book has a handful of factors


def parse_azn(text):
    """Manat as a person types it ('0,15', '0.15', '1', '2,5') → qəpik; ValueError otherwise."""
    match = re.fullmatch(r"\s*([0-9]{1,6})(?:[.,]([0-9]{1,2}))?\s*", text or "")
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
