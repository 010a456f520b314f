"""The operator's line registry: which citizen holds which number from when.

Format (UTF-8 CSV with a header row):

    fin,full_name,number,since,plan
    5AYSL01,Aysel Məmmədova,012 440 12 34,2019-03-01,flat-2020

`since` is Baku local time (a date means its midnight). A number that changes
hands closes the previous holder's period at the new holder's `since`; citizens
met for the first time are created (without sign-in credentials). `plan` (an
optional column) is the tariff plan of data/plans.csv the holder's calls are rated
by; empty or absent, the book's default plan.
"""
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from ...models import Citizen, LineOwnership, PhoneLine
from ...telephony.billing import PLAN_CODE
from ...timeutil import utcnow
from .source import (
    Problem,
    RowError,
    checked_rows,
    local_text,
    parse_landline,
    parse_not_future,
    refuse_if_any,
)
from .writer import (
    BATCH_SIZE,
    ImportResult,
    import_transaction,
    insert_batches,
    no_progress,
    select_in,
    update_batches,
)

COLUMNS = ("fin", "full_name", "number", "since")
# Checked as written, before upper-casing: Unicode upper() turns «ſ» (long s) into «S»,
# so «5AYſL01» would become another citizen's 5AYSL01.
FIN = re.compile(r"[0-9A-Za-z]{7}")


@dataclass(slots=True)
class Holding:
    line_no: int
    fin: str
    full_name: str
    number: str
    since: datetime
    plan: str = None


def _parse(line_no, row, now, tariffs):
    if not FIN.fullmatch(row["fin"]):
        raise RowError(f"FIN {row['fin']!r} is not 7 Latin letters and digits")
    fin = row["fin"].upper()
    name = " ".join(row["full_name"].split())
    if not name:
        raise RowError("the full name is empty")
    if len(name) > 200:
        raise RowError("the full name is longer than 200 characters")
    number = parse_landline(row["number"], "number")
    since = parse_not_future(row["since"], now, "since")
    plan = row["plan"] or (tariffs.default_plan if tariffs else None)
    known = tariffs is None or plan in tariffs.plans
    if plan is not None and not (PLAN_CODE.fullmatch(plan) and known):
        raise RowError(f"plan {plan!r} is not a plan of the tariff book (data/plans.csv)")
    return Holding(line_no, fin, name, number, since, plan)


def _check_citizens(holdings, problems):
    """{fin: citizen id} of those already known; a name that disagrees is a problem."""
    names = {}
    for h in holdings:
        first = names.setdefault(h.fin, h)
        if first.full_name != h.full_name:
            problems.append(Problem(h.line_no, (
                f"FIN {h.fin} is named {h.full_name!r} here but {first.full_name!r} "
                f"on line {first.line_no}")))
    known = {}
    rows = select_in(lambda b: Citizen.select(Citizen.id, Citizen.fin, Citizen.full_name)
                     .where(Citizen.fin.in_(b)).tuples(), names)
    for citizen_id, fin, full_name in rows:
        known[fin] = citizen_id
        if full_name != names[fin].full_name:
            problems.append(Problem(names[fin].line_no, (
                f"FIN {fin} is registered as {full_name!r}, the file says "
                f"{names[fin].full_name!r}")))
    return known, names


def registry_of(numbers):
    """{number: (line id, [(starts_at, ends_at, citizen id, ownership id, plan)] sorted)}."""
    lines = {}
    for line_id, number in select_in(lambda b: PhoneLine.select(PhoneLine.id, PhoneLine.number)
                                     .where(PhoneLine.number.in_(b)).tuples(), numbers):
        lines[line_id] = (number, [])
    rows = select_in(
        lambda b: LineOwnership.select(LineOwnership.line, LineOwnership.starts_at,
                                       LineOwnership.ends_at, LineOwnership.citizen,
                                       LineOwnership.id, LineOwnership.plan)
        .where(LineOwnership.line.in_(b)).tuples(),
        lines,
    )
    for line_id, *period in rows:
        lines[line_id][1].append(tuple(period))
    return {number: (line_id, sorted(periods)) for line_id, (number, periods) in lines.items()}


def import_lines(source, now=None, progress=no_progress, batch_size=BATCH_SIZE, tariffs=None):
    """Import a line registry file, all or nothing; ImportRefused lists every bad row.

    `tariffs`: the book whose plans a row may name, and whose default plan a row without
    one is on (None: any well-formed code; no plan is rated by the default when rated)."""
    now = now or utcnow()
    problems = []
    with import_transaction():
        holdings = checked_rows(
            source, COLUMNS, lambda line_no, row: _parse(line_no, row, now, tariffs),
            lambda h: ((h.number, h.since), f"number {h.number} from {local_text(h.since)}"),
            problems, progress, "line registry", optional=("plan",))
        known, names = _check_citizens(holdings, problems)
        registry = registry_of({h.number for h in holdings})
        by_number = defaultdict(list)
        for h in holdings:
            by_number[h.number].append(h)

        new, unchanged, closing = [], 0, {}
        for number, rows in by_number.items():
            rows.sort(key=lambda h: h.since)
            periods = registry.get(number, (None, []))[1]
            starts = {p[0]: p for p in periods}
            fresh = []
            for h in rows:
                if h.since in starts:
                    holder = starts[h.since][2]
                    if holder != known.get(h.fin):
                        problems.append(Problem(h.line_no, (
                            f"number {number} already has another holder from "
                            f"{local_text(h.since)}")))
                    else:
                        unchanged += 1
                elif periods and periods[-1][0] > h.since:
                    problems.append(Problem(h.line_no, (
                        f"number {number} has a later holder from "
                        f"{local_text(periods[-1][0])} in the registry; "
                        "send changes in time order")))
                else:
                    fresh.append(h)
            if fresh:
                if periods:
                    starts_at, ends_at, _, ownership_id, _ = periods[-1]
                    if ends_at is None or ends_at > fresh[0].since:
                        closing[ownership_id] = fresh[0].since
                ends = [h.since for h in fresh[1:]] + [None]
                new.extend((h, end) for h, end in zip(fresh, ends))
        refuse_if_any(source, problems)

        with progress("Writing line registry", len(new) + len(closing)) as bar:
            new_fins = {h.fin for h, _ in new if h.fin not in known}
            insert_batches(Citizen, [Citizen.fin, Citizen.full_name],
                           [(fin, names[fin].full_name) for fin in sorted(new_fins)],
                           _Quiet, batch_size)
            known.update(select_in(lambda b: Citizen.select(Citizen.fin, Citizen.id)
                                   .where(Citizen.fin.in_(b)).tuples(), new_fins))
            line_ids = {number: line_id for number, (line_id, _) in registry.items()}
            new_numbers = sorted({h.number for h, _ in new} - set(line_ids))
            insert_batches(PhoneLine, [PhoneLine.number], [(n,) for n in new_numbers],
                           _Quiet, batch_size)
            line_ids.update(select_in(lambda b: PhoneLine.select(PhoneLine.number, PhoneLine.id)
                                      .where(PhoneLine.number.in_(b)).tuples(), new_numbers))
            # Close the open periods before adding the new ones after them.
            update_batches(LineOwnership, LineOwnership.ends_at, closing, bar, batch_size)
            insert_batches(
                LineOwnership,
                [LineOwnership.line, LineOwnership.citizen, LineOwnership.starts_at,
                 LineOwnership.ends_at, LineOwnership.plan],
                [(line_ids[h.number], known[h.fin], h.since, end, h.plan) for h, end in new],
                bar, batch_size)
    return ImportResult(added=len(new), unchanged=unchanged, updated=len(closing))


class _Quiet:
    """Citizens and numbers are written on the way; the bar counts holder periods."""

    @staticmethod
    def update(n):
        pass
