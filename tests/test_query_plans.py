"""The report's and the intake's queries are served by indexes, on SQLite and PostgreSQL.

With a few rows PostgreSQL rightly prefers a sequential scan, so there the test
asks whether an index *can* serve the query (sequential scans discouraged);
`make bench` prints the plans chosen with ten million calls.
"""
import pytest

from egov.telephony.access import calls_query, holdings_query, lines_of
from egov.db import database, is_postgres, query_plan
from egov.models import Call, LineOwnership


@pytest.fixture
def plan(db):
    def explain(query):
        with database.atomic():
            if is_postgres():
                database.execute_sql("SET LOCAL enable_seqscan = off")
            return "\n".join(query_plan(query))
    return explain


def test_report_queries_use_the_indexes(demo, plan):
    from egov.models import Citizen

    aysel = Citizen.get(username="aysel")
    held = lines_of(aysel, demo)[0]
    assert "line_ownership_citizen_id" in plan(holdings_query(aysel, demo))
    assert "call_line_id_started_at" in plan(calls_query(held))


def test_intake_lookups_use_the_indexes(demo, plan):
    assert "line_ownership_line_id" in plan(
        LineOwnership.select().where(LineOwnership.line.in_([1, 2])))
    assert "call_record_id" in plan(Call.select(Call.id).where(Call.record_id.in_(["A", "B"])))


def test_the_access_log_pages_use_the_indexes(demo, plan):
    """«Məlumatlarıma kim baxıb?» and staff's own actions read one backward index range each
    (bench/access_log_bench.py shows the plans with ten million entries)."""
    from egov import access_log
    from egov.models import AccessEntry, Citizen, StaffMember

    aysel = Citizen.get(username="aysel")
    for query, index in ((access_log.others_query(aysel), "access_entry_by_others"),
                         (access_log.others_query(aysel, 10**6), "access_entry_by_others"),
                         (access_log.sign_ins_query(aysel), "access_entry_citizen_id_id")):
        found = plan(query)
        assert index in found and "SORT" not in found.upper(), found
    staff = StaffMember.get()
    found = plan(access_log._paged(AccessEntry.select().where(
        AccessEntry.actor_staff == staff.id), None))
    assert "access_entry_actor_staff_id" in found
    assert "access_entry_at" in plan(AccessEntry.select().where(AccessEntry.at < demo.start))
