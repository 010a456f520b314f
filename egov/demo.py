"""Demo citizens and their calls, rebuilt for the month the demo runs in.

Everything is written through egov.registry, the same path as the operator's
data, and every call is rated by data/tariffs.csv. Calls are never in the future:
picture 5's calls keep their days and times when the month has reached them,
and are spread over the days gone by otherwise.
"""
from datetime import timedelta

import click

from .billing import load_tariffs
from .db import database
from .models import Citizen, PhoneLine
from .registry import assign_line, record_call, register_citizen
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


def _remove_previous_demo():
    fins = [person["fin"] for person in (AYSEL, RAUF, NIGAR)]
    numbers = [AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE]
    PhoneLine.delete().where(PhoneLine.number.in_(numbers)).execute()
    Citizen.delete().where(Citizen.fin.in_(fins)).execute()


def prepare_demo(data_dir, now=None):
    """(Re)create the demo citizens with calls in the current month up to `now`."""
    now = now or utcnow()
    month = Month.containing(now)
    tariffs = load_tariffs(data_dir)
    ids = iter(range(1, 10_000))

    def call(line, started_at, seconds, dialled, paid=False):
        record_id = f"DEMO-{month.year}{month.month:02d}-{next(ids):04d}"
        paid_at = started_at + timedelta(minutes=30) if paid else None
        return record_call(tariffs, record_id, line, started_at, seconds, dialled, paid_at)

    with database.atomic():
        _remove_previous_demo()
        aysel, rauf, nigar = (register_citizen(**p) for p in (AYSEL, RAUF, NIGAR))
        long_ago = to_db(baku_local(2019, 3, 1))

        first = assign_line(AYSEL_FIRST_LINE, aysel, long_ago).line
        for moment, (_, _, _, seconds, dialled) in zip(_picture_5_moments(month, now), PICTURE_5):
            call(first, moment, seconds, dialled)
        # A call late on the last evening of the previous month: not this month's.
        call(first, month.start - timedelta(minutes=25), 240, "0222564321")

        second = assign_line(AYSEL_SECOND_LINE, aysel, long_ago).line
        for moment, seconds, dialled, paid in zip(
            spread(month.start, now, 4),
            (125, 61, 600, 15),
            ("0124987654", "0079161234567", "0222501010", "00905321234567"),
            (True, True, False, False),
        ):
            call(second, moment, seconds, dialled, paid)

        # Nigar held this line until Rauf took it over in the middle of the month so far.
        handover = spread(month.start, now, 1)[0]
        handed = assign_line(HANDED_OVER_LINE, nigar, long_ago).line
        for moment, seconds in zip(spread(month.start, handover, 2), (95, 310)):
            call(handed, moment, seconds, "0202210000")
        assign_line(HANDED_OVER_LINE, rauf, handover)
        for moment, seconds in zip(spread(handover, now, 2), (44, 180)):
            call(handed, moment, seconds, "00995322123456")
        prepare_demo_staff()
    return month


# An employee of the operator who answers claims (signs in at /staff/login).
DEMO_STAFF = dict(username="operator", full_name="Leyla Quliyeva", password="operator-demo-1")


def prepare_demo_staff():
    from .models import StaffMember
    from .staff import create_staff

    StaffMember.delete().where(StaffMember.username == DEMO_STAFF["username"]).execute()
    return create_staff(**DEMO_STAFF)


def init_app(app):
    @app.cli.command("prepare-demo")
    def prepare_demo_command():
        """Create the tables, load the catalogue and (re)build the demo citizens' month."""
        from .catalogue import load_catalogue
        from .db import create_tables

        create_tables()
        with database.connection_context():
            load_catalogue(app.config["DATA_DIR"])
            month = prepare_demo(app.config["DATA_DIR"])
        click.echo(f"Demo data ready for {month.label()} (Asia/Baku).")
