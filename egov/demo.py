"""Demo citizens and their calls, rebuilt for the month the demo runs in.

The demo is what the operator would send: a line registry, a calls file and a
payments file, generated for the current month and imported through
egov.backoffice.intake like any operator file, so every amount comes out of
data/tariffs.csv. Calls are never in the future: picture 5's calls keep their
days and times when the month has reached them, and are spread over the days
gone by otherwise.
"""
import csv
import io
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .backoffice.intake import import_calls, import_lines, import_payments, text_source
from .backoffice.intake.source import local_text as local
from .backoffice.staff_accounts import create_staff
from .catalogue import load_catalogue
from .db import database
from .identity.citizens import set_credentials
from .models import Call, PhoneLine, StaffMember, create_tables
from .telephony.billing import load_tariffs
from .timeutil import Month, baku_local, to_db, utcnow

AYSEL = dict(fin="5AYSL01", full_name="Aysel Məmmədova", username="aysel", password="aysel-demo-1")
RAUF = dict(fin="6RAUF02", full_name="Rauf Əliyev", username="rauf", password="rauf-demo-1")
NIGAR = dict(fin="7NGAR03", full_name="Nigar Hüseynova", username="nigar", password="nigar-demo-1")

AYSEL_FIRST_LINE = "0124401234"
AYSEL_SECOND_LINE = "0183456789"
HANDED_OVER_LINE = "0125109876"

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
    """`count` moments, whole minutes, evenly inside [start, end), the last well before end."""
    step = (end - start) / (count + 1)
    return [(start + step * (i + 1)).replace(second=0, microsecond=0) for i in range(count)]


def _csv(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def demo_files(now):
    """(month, {file name: CSV text}): the operator's files of the demo month up to `now`."""
    month = Month.containing(now)
    long_ago = to_db(baku_local(2019, 3, 1))
    handover = spread(month.start, now, 1)[0]  # Rauf takes Nigar's line midway through
    lines = [
        (AYSEL["fin"], AYSEL["full_name"], AYSEL_FIRST_LINE, long_ago),
        (AYSEL["fin"], AYSEL["full_name"], AYSEL_SECOND_LINE, long_ago),
        (NIGAR["fin"], NIGAR["full_name"], HANDED_OVER_LINE, long_ago),
        (RAUF["fin"], RAUF["full_name"], HANDED_OVER_LINE, handover),
    ]
    calls, payments = [], []

    def call(line, started_at, seconds, dialled, paid=False):
        record_id = f"DEMO-{month.year}{month.month:02d}-{len(calls) + 1:04d}"
        calls.append((record_id, line, dialled, started_at, seconds))
        if paid:
            payments.append((record_id, min(started_at + timedelta(minutes=30), now)))

    for moment, (_, _, _, seconds, dialled) in zip(_picture_5_moments(month, now), PICTURE_5):
        call(AYSEL_FIRST_LINE, moment, seconds, dialled)
    # A call late on the last evening of the previous month: not this month's.
    call(AYSEL_FIRST_LINE, month.start - timedelta(minutes=25), 240, "0222564321")
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

    return month, {
        "lines.csv": _csv(("fin", "full_name", "number", "since"),
                          [(fin, name, number, local(since)) for fin, name, number, since
                           in lines]),
        "calls.csv": _csv(
            ("record_id", "calling_number", "called_number", "started_at", "duration_seconds"),
            [(rid, line, dialled, local(at), s) for rid, line, dialled, at, s in calls]),
        "payments.csv": _csv(("record_id", "paid_at"),
                             [(rid, local(paid_at)) for rid, paid_at in payments]),
    }


DEMO_LINES = (AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE)


def _demo_month_is_there(month):
    """The demo's calls of `month` are already imported (its record ids name the month)."""
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
    month, files = demo_files(now)
    with database.atomic():
        if not _demo_month_is_there(month):
            if out_dir is not None:
                Path(out_dir).mkdir(parents=True, exist_ok=True)
                for name, text in files.items():
                    (Path(out_dir) / name).write_text(text, encoding="utf-8")
            tariffs = load_tariffs(data_dir)
            PhoneLine.delete().where(PhoneLine.number.in_(DEMO_LINES)).execute()
            import_lines(text_source(files["lines.csv"]), now=now)
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
    create_tables()
    out_dir = Path(current_app.instance_path) / "demo"
    with database.connection_context():
        load_catalogue(current_app.config["DATA_DIR"])
        month = prepare_demo(current_app.config["DATA_DIR"], out_dir=out_dir)
    # The command line speaks English to the operator, the month included.
    click.echo(f"Demo data ready for {month.label('en')} (Asia/Baku), "
               f"imported from the operator files in {out_dir}.")
