"""The synthetic population: any size, and as consistent as the operator's data must be."""
from datetime import timedelta

from peewee import JOIN

from egov.telephony.billing import load_tariffs
from egov.backoffice.intake.population import generate_population
from egov.models import Call, Citizen, LineOwnership, PhoneLine
from egov.backoffice.registry import rate_call
from egov.timeutil import utcnow

from .conftest import DATA_DIR


def test_every_generated_call_is_inside_a_holders_period_and_rated(db):
    tariffs = load_tariffs(DATA_DIR)
    now = utcnow()
    done = generate_population(40, 2000, tariffs, months=2, seed=7, now=now)
    assert (done.citizens, done.calls) == (40, 2000)
    assert Citizen.select().count() == 40 and Call.select().count() == 2000
    assert LineOwnership.select().count() == done.lines + done.handovers

    held = LineOwnership.alias()
    orphans = (Call.select(Call.id)
               .join(held, JOIN.LEFT_OUTER, on=(
                   (held.line == Call.line) & (held.starts_at <= Call.started_at)
                   & (held.ends_at.is_null() | (held.ends_at > Call.started_at))))
               .where(held.id.is_null()))
    assert orphans.count() == 0

    for call in Call.select(Call, PhoneLine).join(PhoneLine).limit(300):
        assert call.started_at <= now and call.started_at >= now - timedelta(days=61)
        rating = rate_call(tariffs, call.line.number, call.dialled_number, call.started_at,
                           call.duration_seconds)
        assert (rating.kind, rating.amount_qepik, rating.band) == (
            call.kind, call.amount_qepik, call.band)
        assert call.paid_at is None or call.started_at <= call.paid_at <= now


def test_a_second_run_adds_a_population_without_clashing(db):
    tariffs = load_tariffs(DATA_DIR)
    generate_population(10, 100, tariffs, seed=1)
    generate_population(10, 100, tariffs, seed=1)
    assert Citizen.select().count() == 20 and Call.select().count() == 200
    assert PhoneLine.select().count() == 24


def test_the_command_generates_the_asked_sizes(app):
    result = app.test_cli_runner().invoke(args=[
        "generate-population", "--citizens", "5", "--calls", "50", "--months", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Generated 5 citizens, 6 lines")
    assert Call.select().count() == 50
