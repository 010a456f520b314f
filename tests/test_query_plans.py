"""The report's and the intake's queries are served by indexes, on SQLite and PostgreSQL.

With a few rows PostgreSQL rightly prefers a sequential scan, so there the test
asks whether an index *can* serve the query (sequential scans discouraged);
`make bench` prints the plans chosen with ten million calls. On PostgreSQL the call
table is partitioned by month: each partition has its copy of the indexes
(call_2026_12_line_id_started_at_idx), and the report reads one partition.
"""
import pytest

from egov.call_partitions import months, partition_name, scanned
from egov.telephony.access import calls_query, holdings_query, lines_of
from egov.db import database, is_postgres, query_plan
from egov.demo import HANDED_OVER_LINE, NIGAR
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
    # The benchmark's copy of the holdings read (the report's is access.HOLDINGS), the rows it
    # reads: Nigar held her line until Rauf took it midway through the month.
    nigar = Citizen.get(fin=NIGAR["fin"])
    assert [own.line.number for own in holdings_query(nigar, demo)] == [HANDED_OVER_LINE]
    calls = plan(calls_query(held))
    assert "line_id_started_at" in calls
    if is_postgres():  # the report's Baku month is one partition, whatever the month holds
        assert scanned(calls.splitlines()) == [partition_name(demo)] == ["call_2026_12"]


def test_intake_lookups_use_the_indexes(demo, plan):
    assert "line_ownership_line_id" in plan(
        LineOwnership.select().where(LineOwnership.line.in_([1, 2])))
    by_record = plan(Call.select(Call.id).where(Call.record_id.in_(["A", "B"])))
    assert "call_record_id" in by_record or "record_id_started_at" in by_record
    if is_postgres():  # a record id is looked for in every month (the intake's real guard)
        assert scanned(by_record.splitlines()) == [partition_name(m) for m in months()]
        assert by_record.count("record_id_started_at_key") == len(months()) > 5


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
