"""Azerbaijan's geographic areas as phonenumbers' geocoder names them, from data/destinations.csv.

One row per prefix of the geocoder (libphonenumber's "994…" entries), written as the digits
after +994 without the trunk 0 («12» is 012 Baku, «2225» is 022 25… Ganja, «36544» is
036 544… Naxçıvan city), with the area's name in az, en and ru. name_en is the geocoder's
own English text, and it is what makes two prefixes one area: 2225 and 2226 both say
«Ganja», so a call between them is local (egov.telephony.numbering).

The file is a copy of the geocoder's table rather than the geocoder itself because loading
phonenumbers.geodata reads every country's prefixes (about 100 MB and half a second per
process) for 81 rows; tests/test_destinations.py checks that the copy has exactly the
geocoder's prefixes and English names. The table is read once per process and data
directory, and every look-up after that is a dictionary's.
"""
import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context

FILE_NAME = "destinations.csv"
COLUMNS = ("prefix", "name_az", "name_en", "name_ru")
SHIPPED_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"


class AreaTableError(ValueError):
    """data/destinations.csv cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class Area:
    prefix: str  # digits after +994, without the trunk 0
    names: dict  # language → name

    # Each property made from a plain method: mutmut does not mutate decorated functions
    # (docs/testing.md).
    def _key(self):
        """What two prefixes of one area share: the geocoder's English name."""
        return self.names["en"]

    key = property(_key)


class AreaTable:
    def __init__(self, areas):
        self._by_prefix = {area.prefix: area for area in areas}
        self._lengths = sorted({len(prefix) for prefix in self._by_prefix}, reverse=True)

    def __len__(self):
        return len(self._by_prefix)

    def prefixes(self):
        return set(self._by_prefix)

    def area_of(self, national):
        """The area of the longest prefix that begins `national` (digits after 0 or +994)."""
        for length in self._lengths:
            area = self._by_prefix.get(national[:length])
            if area is not None:
                return area
        return None

    @classmethod
    def from_csv(cls, path):
        areas, seen = [], {}
        try:
            handle = open(path, newline="", encoding="utf-8")
        except OSError as error:
            raise AreaTableError(f"{path}: {error.strerror}") from error
        with handle:
            reader = csv.DictReader(handle)
            missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
            if missing:
                raise AreaTableError(f"{path}: no column {', '.join(missing)}")
            for line_no, row in enumerate(reader, start=2):
                areas.append(_area(path, line_no, row, seen))
        return cls(areas)


def _area(path, line_no, row, seen):
    prefix = (row["prefix"] or "").strip()
    if not re.fullmatch(r"[0-9]{1,9}", prefix):
        raise AreaTableError(f"{path}, line {line_no}: prefix {prefix!r} is not 1 to 9 digits")
    if prefix in seen:
        raise AreaTableError(f"{path}, line {line_no}: prefix {prefix} is on line {seen[prefix]}"
                             " too")
    seen[prefix] = line_no
    names = {}
    for column in COLUMNS[1:]:
        name = (row[column] or "").strip()
        if not name:
            raise AreaTableError(f"{path}, line {line_no}: {column} is empty")
        names[column.removeprefix("name_")] = name
    return Area(prefix, names)


def _load_areas(data_dir):
    return AreaTable.from_csv(Path(data_dir) / FILE_NAME)


# Cached outside the def: mutmut does not mutate decorated functions (docs/testing.md).
load_areas = lru_cache(maxsize=4)(_load_areas)


def areas():
    """The table of the running app's data directory (EGOV_DATA_DIR), or the shipped one
    outside an app (a test or script calling the numbering plan directly)."""
    data_dir = current_app.config["DATA_DIR"] if has_app_context() else SHIPPED_DATA_DIR
    return load_areas(str(data_dir))
