"""The demo always shows the month it runs in, and never a call in the future."""
from datetime import datetime

import pytest

from egov.telephony.access import calls_of, lines_of
from egov.demo import prepare_demo
from egov.models import Call, Citizen
from egov.timeutil import Month, baku_local, to_db

from .conftest import DATA_DIR


@pytest.mark.parametrize("day, hour", [(1, 0), (1, 9), (3, 8), (15, 12), (28, 23)])
def test_no_call_in_the_future_on_any_day(db, day, hour):
    now = to_db(baku_local(2026, 2, day, hour, 30))
    prepare_demo(DATA_DIR, now=now)
    latest = Call.select().order_by(Call.started_at.desc()).first()
    assert latest.started_at <= now
    aysel = Citizen.get(username="aysel")
    held = lines_of(aysel, Month(2026, 2))[0]
    assert len(calls_of(held)) == 5


def test_after_the_22nd_the_demo_is_picture_5_to_the_minute(db):
    prepare_demo(DATA_DIR, now=to_db(baku_local(2026, 7, 25, 9, 0)))
    aysel = Citizen.get(username="aysel")
    calls = calls_of(lines_of(aysel, Month(2026, 7))[0])
    from egov.timeutil import baku_date, baku_time

    assert [(baku_date(c.started_at), baku_time(c.started_at), c.duration_seconds,
             c.amount_qepik) for c in calls] == [
        ("08.07", "16:11", 72, 28), ("11.07", "09:15", 20, 2), ("11.07", "10:00", 286, 24),
        ("11.07", "10:11", 108, 9), ("22.07", "10:51", 35, 17)]


def test_preparing_twice_keeps_one_copy(db):
    now = datetime(2026, 11, 25, 8, 0)
    prepare_demo(DATA_DIR, now=now)
    count = Call.select().count()
    prepare_demo(DATA_DIR, now=now)
    assert Call.select().count() == count


def test_the_demo_is_the_operators_files_imported(db, tmp_path):
    """prepare-demo writes the month's operator files and the database is exactly their import."""
    from egov.telephony.billing import load_tariffs
    from egov.backoffice.intake import import_calls, import_lines, import_payments

    now = to_db(baku_local(2026, 7, 25, 9, 0))
    prepare_demo(DATA_DIR, now=now, out_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv", "lines.csv", "payments.csv"]
    assert "DEMO-202607-0001,0124401234,0074951234567,2026-07-08 16:11:00,72" in (
        tmp_path / "calls.csv").read_text(encoding="utf-8")
    again = [import_lines(str(tmp_path / "lines.csv"), now=now),
             import_calls(str(tmp_path / "calls.csv"), load_tariffs(DATA_DIR), now=now),
             import_payments(str(tmp_path / "payments.csv"), now=now)]
    assert [(r.added, r.updated) for r in again] == [(0, 0)] * 3
    assert again[1].skipped == 2  # the demo's local and mobile call are counted, not kept


def test_preparing_again_in_the_month_keeps_what_people_did(db):
    """`make run` a second time: claims, feedback, usage counts and the calls' times stay."""
    from egov import catalogue
    from egov.models import Claim, Feedback, Service
    from egov.service_feedback import leave_feedback
    from egov.telephony import charge_claims

    catalogue.load_catalogue(DATA_DIR)
    catalogue.forget()
    month = prepare_demo(DATA_DIR, now=to_db(baku_local(2026, 11, 10, 9, 0)))
    aysel = Citizen.get(username="aysel")
    held = lines_of(aysel, month)[0]
    before = [(c.record_id, c.started_at) for c in calls_of(held)]
    charge_claims.file_claim(aysel, held, calls_of(held)[:1], "Bu zəngi etməmişəm.")
    service = catalogue.calls_service()
    leave_feedback(service, aysel, 5, "Aydındır.")
    catalogue.count_use(service)

    prepare_demo(DATA_DIR, now=to_db(baku_local(2026, 11, 20, 18, 0)))
    assert [(c.record_id, c.started_at) for c in calls_of(lines_of(aysel, month)[0])] == before
    assert Claim.select().count() == 1 and Feedback.select().count() == 1
    assert Service.get_by_id(service.id).usage_count == 1
    assert Citizen.get(username="aysel").id == aysel.id

    # Only a new month moves the calls; the citizens and their feedback stay.
    december = prepare_demo(DATA_DIR, now=to_db(baku_local(2026, 12, 3, 9, 0)))
    assert len(calls_of(lines_of(Citizen.get(username="aysel"), december)[0])) == 5
    assert Feedback.select().count() == 1 and Citizen.get(username="aysel").id == aysel.id


def test_a_young_months_calls_fall_in_the_waking_hours_gone_by(db):
    """On 6 December at 18:00 the month's calls are spread over its first six days, each
    between 09:00 and 21:00 in Baku, as people call; not all in the first minutes."""
    from egov.timeutil import to_baku

    now = to_db(baku_local(2026, 12, 6, 18, 0))
    prepare_demo(DATA_DIR, now=now)
    december = [to_baku(c.started_at) for c in Call.select()
                if Month.containing(c.started_at) == Month(2026, 12)]
    assert len(december) == 13  # 5 + 4 of Aysel's, 2 + 2 on the line Rauf takes over
    assert all(9 <= moment.hour < 21 for moment in december)
    assert {moment.day for moment in december} == {1, 2, 3, 4, 5}


def test_in_a_months_first_hours_the_calls_spread_over_the_hours_gone_by(db):
    from egov.timeutil import to_baku

    now = to_db(baku_local(2026, 12, 1, 4, 30))
    prepare_demo(DATA_DIR, now=now)
    december = sorted(to_baku(c.started_at) for c in Call.select()
                      if Month.containing(c.started_at) == Month(2026, 12))
    assert december[0].hour == 0 and december[-1].hour == 3  # not all within ten minutes
    assert all(moment <= to_baku(now) for moment in december)
