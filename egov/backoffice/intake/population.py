"""A synthetic country for load tests: citizens, their lines, handovers and calls.

`flask generate-population --citizens N --calls M [--months K] [--seed S]` adds
N citizens (FINs starting with Z), about 1.2 lines each, a handover for one line
in ten during the period, and M intercity and international calls spread over
the last K months up to now. Every call falls inside a holder's period and is
rated by the tariff book (data/plans.csv, tariffs.csv, time_bands.csv), every line on
the default plan. Rows go in through the bulk path (COPY on PostgreSQL, executemany on
SQLite), the calls of each line in time order so that the (line, started_at) index
grows at its end.

The people, lines and holder periods are written in one transaction; the calls
in batches of their own, so a 10-million-call run does not hold one huge
transaction. It is a load-test tool, not an import.
"""
import random
from dataclasses import dataclass
from datetime import timedelta

from peewee import fn

from ... import call_partitions
from ...db import database
from ...models import Call, Citizen, LineOwnership, PhoneLine
from ...telephony.numbering import INTERCITY, INTERNATIONAL
from ...timeutil import Month, utcnow
from .writer import copy_rows, no_progress

CALL_BATCH = 50_000
REGION_AREAS = ("018", "020", "021", "022", "023", "024", "025", "026")
FIRST_NAMES = ("Aysel", "Rauf", "Nigar", "Elçin", "Leyla", "Tural", "Günay", "Orxan", "Səbinə",
               "Kamran", "Aynur", "Fərid", "Ülviyyə", "Murad", "Nərmin", "Rəşad", "Zərifə", "Vüsal")
LAST_NAMES = ("Məmmədov", "Əliyev", "Hüseynov", "Quliyev", "Babayev", "Nəsibov", "Həsənov",
              "İsmayılov", "Abbasov", "Rzayev", "Kərimov", "Səfərov")
# Destinations abroad by tariff zone, written as dialled from a landline.
ABROAD = ("0074951234567", "0077172123456", "00903122345678", "0099532212345", "00380442345678",
          "00998712345678", "00493012345678", "0012025550123", "00442079460123", "0033142685300")


@dataclass
class Generated:
    citizens: int
    lines: int
    handovers: int
    calls: int

    def summary(self):
        return (f"Generated {self.citizens} citizens, {self.lines} lines "
                f"({self.handovers} changed hands) and {self.calls} calls.")


def _text(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _fin(n):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(6):
        n, rest = divmod(n, 36)
        out = digits[rest] + out
    return "Z" + out


def _number(n):
    """The n-th generated landline: Baku and the regions in turn, subscribers from 8 000 000."""
    areas = ("012",) + REGION_AREAS
    area = areas[n % len(areas)]
    subscriber = 8_000_000 + n // len(areas)
    if subscriber > 9_999_999:
        raise ValueError("the numbering plan has no room for that many generated lines")
    return f"{area}{subscriber}"


def _max_id(model):
    return model.select(fn.MAX(model.id)).scalar() or 0


def _people_and_lines(rng, citizens, window_start, window_end):
    """Write citizens, lines and holder periods; [(line id, number, [(start, end)])]."""
    first_citizen = _max_id(Citizen)
    copy_rows(Citizen, ("fin", "full_name"), [
        (_fin(first_citizen + i), f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
        for i in range(1, citizens + 1)])
    citizen_ids = [i for (i,) in Citizen.select(Citizen.id).where(Citizen.id > first_citizen)
                   .order_by(Citizen.id).tuples()]

    first_line = _max_id(PhoneLine)
    # Generated subscribers start with 8 or 9: earlier runs' numbers are skipped, not reused.
    generated_lines = (PhoneLine.select()
                       .where(fn.SUBSTR(PhoneLine.number, 4, 1).in_(["8", "9"])).count())
    holders = citizen_ids + rng.sample(citizen_ids, len(citizen_ids) // 5)
    numbers = [_number(first_line + generated_lines + i) for i in range(len(holders))]
    copy_rows(PhoneLine, ("number",), [(n,) for n in numbers])
    line_ids = {n: i for i, n in PhoneLine.select(PhoneLine.id, PhoneLine.number)
                .where(PhoneLine.id > first_line).tuples()}

    periods, lines = [], []
    span = (window_end - window_start).total_seconds()
    for number, holder in zip(numbers, holders):
        since = window_start - timedelta(days=rng.randint(1, 3000))
        windows = [(since, None)]
        if rng.random() < 0.1:
            handover = window_start + timedelta(seconds=int(rng.uniform(0.05, 0.95) * span))
            windows = [(since, handover), (handover, None)]
            periods.append((line_ids[number], holder, _text(since), _text(handover)))
            periods.append((line_ids[number], rng.choice(citizen_ids), _text(handover), None))
        else:
            periods.append((line_ids[number], holder, _text(since), None))
        lines.append((line_ids[number], number, windows))
    copy_rows(LineOwnership, ("line_id", "citizen_id", "starts_at", "ends_at"), periods)
    return lines


def _call_counts(rng, lines, calls):
    """Calls per line: a few heavy talkers, many quiet lines, exactly `calls` in all."""
    weights = [rng.lognormvariate(0, 1) for _ in lines]
    total = sum(weights)
    counts = [int(calls * w / total) for w in weights]
    for i in rng.sample(range(len(lines)), calls - sum(counts)):
        counts[i] += 1
    return counts


def generate_population(citizens, calls, tariffs, months=3, seed=1, now=None,
                        progress=no_progress):
    rng = random.Random(seed)
    now = (now or utcnow()).replace(microsecond=0)
    window_end = now - timedelta(minutes=1)
    window_start = now - timedelta(days=30 * months)
    if call_partitions.is_partitioned():  # --months may reach past the retention period
        call_partitions.create_months(Month.containing(window_start), Month.containing(now))
    with database.atomic():
        lines = _people_and_lines(rng, citizens, window_start, window_end)
    counts = _call_counts(rng, lines, calls) if lines else []
    baku_numbers = [_number(n) for n in range(9 * 1000, 9 * 1000 + 50, 9)]
    region_numbers = [f"0{a[1:]}2{rng.randint(100000, 999999)}" for a in REGION_AREAS * 3]
    first_record = _max_id(Call)
    columns = ("record_id", "line_id", "started_at", "duration_seconds", "dialled_number",
               "kind", "amount_qepik", "paid_at", "plan", "qepik_per_minute", "band",
               "factor_permille", "billed_seconds")
    batch, written = [], 0
    with progress("Writing calls", calls) as bar:
        for (line_id, number, windows), count in zip(lines, counts):
            start = windows[0][0] if windows[0][0] > window_start else window_start
            span = (window_end - start).total_seconds()
            moments = sorted(start + timedelta(seconds=int(rng.random() * span))
                             for _ in range(count))
            pool = region_numbers if number.startswith("012") else baku_numbers
            for moment in moments:
                if rng.random() < 0.7:
                    kind, dialled = INTERCITY, rng.choice(pool)
                else:
                    kind, dialled = INTERNATIONAL, rng.choice(ABROAD)
                seconds = min(int(rng.lognormvariate(4.5, 1.0)), 3600)
                paid = None
                if (now - moment).days > 20 and rng.random() < 0.6:
                    paid = _text(min(moment + timedelta(days=rng.randint(1, 20)), now))
                written += 1
                # Every line is on the default plan, rated as an import rates it.
                r = tariffs.rate(kind, dialled, moment, seconds)
                batch.append((f"G{first_record + written:010d}", line_id, _text(moment), seconds,
                              dialled, kind, r.amount_qepik, paid, r.plan, r.qepik_per_minute,
                              r.band, r.factor_permille, r.billed_seconds))
                if len(batch) >= CALL_BATCH:
                    with database.atomic():
                        copy_rows(Call, columns, batch)
                    bar.update(len(batch))
                    batch = []
        with database.atomic():
            copy_rows(Call, columns, batch)
        bar.update(len(batch))
    database.execute_sql("ANALYZE")
    handovers = sum(1 for _, _, windows in lines if len(windows) > 1)
    return Generated(citizens, len(lines), handovers, written)


__all__ = ["generate_population", "Generated"]
