"""Demo citizens and their calls, rebuilt for the month the demo runs in.

The demo is what the operator would send: a line registry, a calls file and a
payments file, generated for the current month and the two before it (the months a
citizen can open) and imported through egov.backoffice.intake like any operator
file, so every amount comes out of the tariff book in data/. Calls are never in the
future: picture 5's calls keep their days and times when the month has reached them,
and are spread over the days gone by otherwise. Picture 5's line is on the flat plan;
the other lines are on the 2025 plan, with calls in each of its time bands.
"""
import csv
import io
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import call_partitions
from .backoffice.intake import import_calls, import_lines, import_payments, text_source
from .backoffice.intake.source import local_text as local
from .backoffice.staff_accounts import create_staff
from .catalogue import load_catalogue
from .db import database
from .identity.citizens import set_credentials
from .models import Call, PhoneLine, StaffMember
from .schema import create_tables
from .telephony.billing import WEEKDAYS, load_tariffs
from .telephony.public_holidays import WorkCalendar
from .timeutil import Month, baku_local, to_baku, to_db, utcnow

AYSEL = dict(fin="5AYSL01", full_name="Aysel Məmmədova", username="aysel", password="aysel-demo-1")
RAUF = dict(fin="6RAUF02", full_name="Rauf Əliyev", username="rauf", password="rauf-demo-1")
NIGAR = dict(fin="7NGAR03", full_name="Nigar Hüseynova", username="nigar", password="nigar-demo-1")

AYSEL_FIRST_LINE = "0124401234"
AYSEL_SECOND_LINE = "0183456789"
HANDED_OVER_LINE = "0125109876"

# Picture 5's line is on the flat plan, whose per-second prices give picture 5's five
# amounts and 0,80 in all, in every month.
PICTURE_5_PLAN = "flat-2020"
# Picture 5 of the manual: (day, hour, minute, seconds, dialled number).
PICTURE_5 = (
    (8, 16, 11, 72, "0074951234567"),  # Moscow
    (11, 9, 15, 20, "0222564321"),  # Ganja
    (11, 10, 0, 286, "0222564321"),
    (11, 10, 11, 108, "0242441122"),  # Shaki
    (22, 10, 51, 35, "00493012345678"),  # Berlin
)


def _picture_5_moments(month, now):
    """Picture 5's moments in this month, or as many evenly spread ones if not yet reached."""
    moments = [
        to_db(baku_local(month.year, month.month, day, hour, minute))
        for day, hour, minute, _, _ in PICTURE_5
    ]
    last_end = moments[-1] + timedelta(seconds=PICTURE_5[-1][3])
    if last_end <= now:
        return moments
    return spread(month.start, now, len(PICTURE_5))


def spread(start, end, count):
    """`count` moments, whole minutes, evenly inside [start, end), the last well before end.

    Over a day or more they fall in the waking hours (09:00–21:00 Baku) of the days gone
    by, as people's calls do; in a month's first hours, over the hours gone by."""
    step = (end - start) / (count + 1)
    moments = [start + step * (i + 1) for i in range(count)]
    if end - start >= timedelta(days=1):
        moments = [awake if (awake := _waking(moment)) < end - step / 2 else moment
                   for moment in moments]
    return [moment.replace(second=0, microsecond=0) for moment in moments]


def _waking(moment):
    """The same share of the day, laid over 09:00–21:00 of the moment's Baku day."""
    local = to_baku(moment)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    share = (local - midnight) / timedelta(days=1)
    return to_db(midnight + timedelta(hours=9) + share * timedelta(hours=12))


def _csv(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# The months a citizen can open (egov.telephony.months: the current one and the claim
# window's two before it): the demo has calls in each.
DEMO_PAST_MONTHS = 2

# A past month of Aysel's second line, on the 2025 plan: a call in each of its time bands,
# to several cities and countries, and one to a destination nobody can name.
# (nth weekday of the month or a fixed day, hour, minute, seconds, dialled number, paid)
PAST_MONTH_CALLS = (
    (("tue", 1), 11, 20, 125, "0222564321", True),  # Ganja, a weekday: the day band
    (("wed", 2), 23, 15, 610, "0242441122", True),  # Shaki, a weekday night
    (("sat", 1), 12, 5, 61, "0252555555", False),  # Lankaran, a weekend
    (("thu", 2), 9, 40, 342, "0365441234", False),  # Nakhchivan
    (("mon", 3), 15, 2, 95, "00905321234567", False),  # Türkiye
    (("fri", 3), 19, 30, 48, "0012125550123", False),  # the United States
    (("tue", 4), 10, 0, 30, "008821234567", False),  # an unknown destination
)
HOLIDAY_CALL = (13, 30, 240, "0202210000", False)  # Ağsu, on the month's first holiday


def _nth_weekday(month, name, n):
    """The day of the month of its n-th Monday … Sunday."""
    first = date(month.year, month.month, 1)
    offset = (WEEKDAYS.index(name) - first.weekday()) % 7
    return 1 + offset + 7 * (n - 1)


def _first_holiday(month, calendar):
    day = date(month.year, month.month, 1)
    while day.month == month.month:
        if calendar.is_holiday(day):
            return day.day
        day += timedelta(days=1)
    return None


def _months_back(month, count):
    """`month` and the `count` months before it, oldest first."""
    months = [month]
    for _ in range(count):
        start = to_baku(months[0].start) - timedelta(days=1)
        months.insert(0, Month(start.year, start.month))
    return months


def demo_files(now, calendar=None):
    """(month, {file name: CSV text}): the operator's files of the demo's months up to `now`:
    the month of `now` and the DEMO_PAST_MONTHS before it."""
    month = Month.containing(now)
    calendar = calendar or WorkCalendar()
    long_ago = to_db(baku_local(2019, 3, 1))
    handover = spread(month.start, now, 1)[0]  # Rauf takes Nigar's line midway through
    lines = [
        (AYSEL["fin"], AYSEL["full_name"], AYSEL_FIRST_LINE, long_ago, PICTURE_5_PLAN),
        (AYSEL["fin"], AYSEL["full_name"], AYSEL_SECOND_LINE, long_ago, ""),
        (NIGAR["fin"], NIGAR["full_name"], HANDED_OVER_LINE, long_ago, ""),
        (RAUF["fin"], RAUF["full_name"], HANDED_OVER_LINE, handover, ""),
    ]
    calls, payments, numbered = [], [], Counter()

    def call(line, started_at, seconds, dialled, paid=False):
        at = Month.containing(started_at)  # the ids count each month's calls from 0001
        numbered[at] += 1
        record_id = f"DEMO-{at.year}{at.month:02d}-{numbered[at]:04d}"
        calls.append((record_id, line, dialled, started_at, seconds))
        if paid:
            payments.append((record_id, min(started_at + timedelta(minutes=30), now)))

    for moment, (_, _, _, seconds, dialled) in zip(_picture_5_moments(month, now), PICTURE_5):
        call(AYSEL_FIRST_LINE, moment, seconds, dialled)
    # Late on the last evening of the previous month, at night: last month's, not this one's.
    call(AYSEL_SECOND_LINE, month.start - timedelta(minutes=25), 240, "0222564321")
    # A local and a mobile call: the intake counts them as skipped, the report never shows them.
    first_moment = spread(month.start, now, 3)[0]
    call(AYSEL_FIRST_LINE, first_moment, 300, "4981122")
    call(AYSEL_FIRST_LINE, first_moment + timedelta(seconds=1), 60, "0501234567")
    for moment, seconds, dialled, paid in zip(
        spread(month.start, now, 4),
        (125, 61, 600, 15),
        ("0124987654", "0079161234567", "0222501010", "00905321234567"),
        (True, True, False, False),
    ):
        call(AYSEL_SECOND_LINE, moment, seconds, dialled, paid)
    for moment, seconds in zip(spread(month.start, handover, 2), (95, 310)):
        call(HANDED_OVER_LINE, moment, seconds, "0202210000")
    for moment, seconds in zip(spread(handover, now, 2), (44, 180)):
        call(HANDED_OVER_LINE, moment, seconds, "00995322123456")

    for past in _months_back(month, DEMO_PAST_MONTHS)[:-1]:
        # Picture 5, to the minute, in every month: its line is on the flat plan.
        for day, hour, minute, seconds, dialled in PICTURE_5:
            call(AYSEL_FIRST_LINE, to_db(baku_local(past.year, past.month, day, hour, minute)),
                 seconds, dialled)
        for (name, n), hour, minute, seconds, dialled, paid in PAST_MONTH_CALLS:
            day = _nth_weekday(past, name, n)
            call(AYSEL_SECOND_LINE, to_db(baku_local(past.year, past.month, day, hour, minute)),
                 seconds, dialled, paid)
        holiday = _first_holiday(past, calendar)
        if holiday is not None:
            hour, minute, seconds, dialled, paid = HOLIDAY_CALL
            call(AYSEL_SECOND_LINE,
                 to_db(baku_local(past.year, past.month, holiday, hour, minute)),
                 seconds, dialled, paid)
        # Nigar's line was hers all month.
        for day, seconds in ((5, 95), (19, 310)):
            call(HANDED_OVER_LINE, to_db(baku_local(past.year, past.month, day, 17, 45)),
                 seconds, "0202210000", True)

    return month, {
        "lines.csv": _csv(("fin", "full_name", "number", "since", "plan"),
                          [(fin, name, number, local(since), plan)
                           for fin, name, number, since, plan in lines]),
        "calls.csv": _csv(
            ("record_id", "calling_number", "called_number", "started_at", "duration_seconds"),
            [(rid, line, dialled, local(at), s) for rid, line, dialled, at, s in calls]),
        "payments.csv": _csv(("record_id", "paid_at"),
                             [(rid, local(paid_at)) for rid, paid_at in payments]),
    }


DEMO_LINES = (AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE)


def _demo_month_is_there(month):
    """The demo's calls of `month` are already imported (its record ids name the month;
    its first call is picture 5's first, imported with the month's files)."""
    first = f"DEMO-{month.year}{month.month:02d}-0001"
    return Call.select().where(Call.record_id == first).exists()


def prepare_demo(data_dir, now=None, out_dir=None):
    """Make sure the demo citizens have their calls of the current month, up to `now`.

    Run again in the same month, it changes nothing that people did with the demo: the
    calls keep their times, and claims, feedback, usage counts and sessions stay. In a new
    month the demo lines are made anew with that month's calls (the claims on last month's
    calls go with them); the citizens, their feedback and the usage counts stay.

    With `out_dir`, the generated operator files are also written there to look at
    (or to import by hand with `flask import-…`).
    """
    now = now or utcnow()
    tariffs = load_tariffs(data_dir)
    month, files = demo_files(now, tariffs.calendar)
    if call_partitions.is_partitioned():  # a demo clock far from today (the tests') too
        call_partitions.create_months(month.shifted(-DEMO_PAST_MONTHS), month)
    with database.atomic():
        if not _demo_month_is_there(month):
            if out_dir is not None:
                Path(out_dir).mkdir(parents=True, exist_ok=True)
                for name, text in files.items():
                    (Path(out_dir) / name).write_text(text, encoding="utf-8")
            PhoneLine.delete().where(PhoneLine.number.in_(DEMO_LINES)).execute()
            import_lines(text_source(files["lines.csv"]), now=now, tariffs=tariffs)
            import_calls(text_source(files["calls.csv"]), tariffs, now=now,
                         file_name="calls.csv")
            import_payments(text_source(files["payments.csv"]), now=now)
        for person in (AYSEL, RAUF, NIGAR):
            set_credentials(person["fin"], person["username"], person["password"])
        prepare_demo_staff()
    return month


# An employee of the operator who answers claims (signs in at /staff/login).
DEMO_STAFF = dict(username="operator", full_name="Leyla Quliyeva", password="operator-demo-1")


def prepare_demo_staff():
    """The demo's employee, created once: their answers to claims keep their author."""
    existing = StaffMember.get_or_none(StaffMember.username == DEMO_STAFF["username"])
    return existing or create_staff(**DEMO_STAFF)


@click.command("prepare-demo")
@with_appcontext
def prepare_demo_command():
    """Create the tables, load the catalogue and (re)build the demo citizens' month."""
    create_tables(current_app.config["CALL_RETENTION_MONTHS"])
    out_dir = Path(current_app.instance_path) / "demo"
    with database.connection_context():
        load_catalogue(current_app.config["DATA_DIR"])
        month = prepare_demo(current_app.config["DATA_DIR"], out_dir=out_dir)
    # The command line speaks English to the operator, the month included.
    click.echo(f"Demo data ready for {month.label('en')} (Asia/Baku), "
               f"imported from the operator files in {out_dir}.")
