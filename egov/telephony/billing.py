"""How a call is rated, and how money reads.

Tariffs come from data/tariffs.csv: a per-minute price in qəpik for intercity
calls and for international destinations by country-code prefix, each valid from
a date. A call is billed per second at the tariff in force when it started, and
rounded to the nearest qəpik (halves up).
"""
import csv
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.numbers import format_decimal

from .numbering import INTERCITY, INTERNATIONAL, country_digits
from ..locales import formatting
from ..timeutil import to_baku


class TariffError(ValueError):
    pass


@dataclass(frozen=True)
class Tariff:
    kind: str  # intercity or international
    prefix: str  # country-code prefix for international; "" matches any
    qepik_per_minute: int
    valid_from: date


def per_second_amount(duration_seconds, qepik_per_minute):
    """Qəpik for a call of this length, rounded half up, in exact integers."""
    if duration_seconds < 0 or qepik_per_minute < 0:
        raise ValueError("duration and price cannot be negative")
    return (2 * duration_seconds * qepik_per_minute + 60) // 120


class TariffBook:
    def __init__(self, tariffs):
        self._by_key = {}
        for tariff in tariffs:
            self._by_key.setdefault((tariff.kind, tariff.prefix), []).append(tariff)
        for versions in self._by_key.values():
            versions.sort(key=lambda t: t.valid_from)
        # Imports rate millions of calls: the dates to bisect are kept, not rebuilt per call.
        self._dates = {key: [t.valid_from for t in v] for key, v in self._by_key.items()}
        self._prefixes = sorted(
            {prefix for kind, prefix in self._by_key if kind == INTERNATIONAL},
            key=len,
            reverse=True,
        )

    @classmethod
    def from_csv(cls, path):
        tariffs = []
        with open(path, newline="", encoding="utf-8") as handle:
            for line_no, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    kind = row["kind"].strip()
                    price = row["qepik_per_minute"].strip()
                    if not re.fullmatch(r"[0-9]+", price):  # int() also reads «7_2», «٧٢»
                        raise TariffError(f"price {price!r} is not a whole number of qəpik")
                    if kind not in (INTERCITY, INTERNATIONAL):
                        raise TariffError(f"unknown kind {kind!r}")
                    tariffs.append(
                        Tariff(
                            kind=kind,
                            prefix=row["prefix"].strip(),
                            qepik_per_minute=int(price),
                            valid_from=date.fromisoformat(row["valid_from"].strip()),
                        )
                    )
                except (KeyError, ValueError) as error:
                    raise TariffError(f"{path}, line {line_no}: {error}") from error
        return cls(tariffs)

    def tariff_for(self, kind, dialled, started_at):
        """The tariff in force (Baku date) at started_at (naive UTC) for this destination."""
        on = to_baku(started_at).date()
        if kind == INTERCITY:
            candidates = [(INTERCITY, "")]
        else:
            digits = country_digits(dialled)
            candidates = [(INTERNATIONAL, p) for p in self._prefixes if digits.startswith(p)]
        for key in candidates:
            index = bisect_right(self._dates.get(key, ()), on)
            if index:
                return self._by_key[key][index - 1]
        raise TariffError(f"no {kind} tariff for {dialled} on {on}")

    def in_force(self, on):
        """Every destination's tariff in force on the date `on`."""
        current = []
        for versions in self._by_key.values():
            valid = [t for t in versions if t.valid_from <= on]
            if valid:
                current.append(valid[-1])
        return sorted(current, key=lambda t: (t.kind, t.prefix))

    def rate(self, kind, dialled, started_at, duration_seconds):
        tariff = self.tariff_for(kind, dialled, started_at)
        return per_second_amount(duration_seconds, tariff.qepik_per_minute)


def load_tariffs(data_dir):
    return TariffBook.from_csv(Path(data_dir) / "tariffs.csv")


def format_azn(qepik, language=None):
    """Manat in the page's language: 80 → '0,80' (az, ru), '0.80' (en). Exact: the qəpik
    become a Decimal, never a float; no grouping, so a spreadsheet reads it as a number."""
    return format_decimal(Decimal(qepik).scaleb(-2), format="0.00", locale=formatting(language))


def parse_azn(text):
    """Manat as a person types it ('0,15', '0.15', '1', '2,5') → qəpik; ValueError otherwise."""
    match = re.fullmatch(r"\s*([0-9]{1,6})(?:[.,]([0-9]{1,2}))?\s*", text or "")
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
