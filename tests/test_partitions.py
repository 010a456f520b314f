"""The call table by month (egov.call_partitions): made ahead, a call in its Baku month's
partition, old months dropped whole, a claim that outlives its calls, and the conversion
of a database made before partitions.

PostgreSQL only: SQLite keeps a plain call table (there is no partitioning in SQLite,
and it is the development database, never production's), so most tests here skip on
the suite's SQLite pass; what SQLite does have (the claims' copy of their calls' facts,
the commands' answer) is tested on both.
"""
from datetime import datetime

import pytest
import time_machine
from peewee import SQL, BooleanField, CharField, Check, DateTimeField, ForeignKeyField, IntegerField

from egov import call_partitions
from egov.backoffice.intake import ImportRefused, import_calls, import_lines, text_source
from egov.backoffice.staff_accounts import create_staff
from egov.db import database, is_postgres
from egov.identity.citizens import set_credentials
from egov.models import BaseModel, Call, Citizen, Claim, ClaimCall, PhoneLine
from egov.schema import create_tables
from egov.telephony import access
from egov.telephony import charge_claims as claims
from egov.telephony.billing import load_tariffs
from egov.timeutil import BAKU, Month

from .conftest import DATA_DIR, TEST_CALL_RETENTION_MONTHS, create_test_call_tables

SQLITE_SKIP = ("SQLite keeps a plain call table: partitioning by month is PostgreSQL's "
               "(SQLite has none, and is never production's database)")
LINES = "fin,full_name,number,since\n1PART01,Leyla Quliyeva,0124931122,2021-05-14\n"
CALLS_HEADER = "record_id,calling_number,called_number,started_at,duration_seconds\n"
# The demo clock of conftest: Thursday 24 December 2026, 15:00 in Baku.
NOW = datetime(2026, 12, 24, 15, 0, tzinfo=BAKU)


@pytest.fixture
def pg(database_url):
    if not is_postgres():
        pytest.skip(SQLITE_SKIP)


@pytest.fixture
def same_partitions_after(pg, db):
    """The months the session made stay the same for the next test: whatever a test made
    is dropped after it, whatever it dropped is made again (all of them empty by then)."""
    before = set(call_partitions.months())
    yield
    database.execute_sql('TRUNCATE "call" CASCADE')
    for month in set(call_partitions.months()) - before:
        drop_partition(month)
    for month in before - set(call_partitions.months()):
        call_partitions.create_months(month, month)


def drop_partition(month):
    name = call_partitions.partition_name(month)
    database.execute_sql(f'ALTER TABLE "call" DETACH PARTITION "{name}"')
    database.execute_sql(f'DROP TABLE "{name}"')


@pytest.fixture
def leyla(db):
    """Leyla Quliyeva (username leyla) holds 012 493 11 22 since 2021."""
    import_lines(text_source(LINES))
    set_credentials("1PART01", "leyla", "leyla-parol-1")
    return Citizen.get(fin="1PART01")


def calls_file(*rows):
    """A calls file of (record id, Baku start, seconds) from Leyla's line to Ganja."""
    return text_source(CALLS_HEADER + "".join(
        f"{record},0124931122,0222564321,{started},{seconds}\n"
        for record, started, seconds in rows))


def partition_of(record_id):
    return database.execute_sql('SELECT tableoid::regclass::text FROM "call" '
                                "WHERE record_id = %s", (record_id,)).fetchone()[0]


def bounds(month):
    return database.execute_sql(
        "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = %s",
        (call_partitions.partition_name(month),)).fetchone()[0]


def test_the_coming_months_partitions_are_made_ahead_each_a_baku_month(
        app, same_partitions_after):
    runner = app.test_cli_runner()
    with time_machine.travel(datetime(2031, 3, 15, 12, 0, tzinfo=BAKU), tick=False):
        made = runner.invoke(args=["create-call-partitions", "--ahead", "2"])
        again = runner.invoke(args=["create-call-partitions", "--ahead", "2"])
    assert made.exit_code == 0, made.output
    # The retention period (the tests keep 4 months), the current month and two ahead.
    assert made.output.splitlines()[0] == "Made the partitions of 7 months, 2030-11 to 2031-05."
    assert [str(m) for m in call_partitions.months() if m.year > 2027] == [
        "2030-11", "2030-12", "2031-01", "2031-02", "2031-03", "2031-04", "2031-05"]
    assert again.output.splitlines()[0] == "Every month already has its partition."
    assert Month(2031, 5) in call_partitions.months()
    assert Month(2031, 6) not in call_partitions.months()
    # Baku is UTC+4: a Baku month starts at 20:00 UTC on the last evening of the one before.
    assert bounds(Month(2031, 3)) == (
        "FOR VALUES FROM ('2031-02-28 20:00:00') TO ('2031-03-31 20:00:00')")
    # No DEFAULT partition: a month nobody made refuses its calls instead of hiding them.
    assert database.execute_sql(
        "SELECT count(*) FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid "
        "WHERE i.inhparent = 'call'::regclass AND pg_get_expr(c.relpartbound, c.oid) "
        "= 'DEFAULT'").fetchone()[0] == 0


def test_create_call_partitions_refuses_an_absurd_number_of_months(app):
    result = app.test_cli_runner().invoke(args=["create-call-partitions", "--ahead", "0"])
    assert result.exit_code == 2 and "0 is not in the range 1<=x<=24" in result.output


def test_each_call_lands_in_its_baku_months_partition(pg, leyla):
    tariffs = load_tariffs(DATA_DIR)
    with time_machine.travel(NOW, tick=False):
        result = import_calls(calls_file(
            ("P-OCT", "2026-10-05 10:00:00", 60),
            ("P-NOV-LAST", "2026-11-30 23:59:59", 60),  # 19:59:59 UTC on 30 November
            ("P-DEC-FIRST", "2026-12-01 00:00:00", 60),  # 20:00 UTC on 30 November
            ("P-DEC", "2026-12-24 14:00:00", 60)), tariffs)
    assert result.added == 4
    assert [partition_of(r) for r in ("P-OCT", "P-NOV-LAST", "P-DEC-FIRST", "P-DEC")] == [
        "call_2026_10", "call_2026_11", "call_2026_12", "call_2026_12"]
    stored = dict(Call.select(Call.record_id, Call.started_at).tuples())
    assert stored["P-DEC-FIRST"] == datetime(2026, 11, 30, 20, 0)


def test_a_month_without_its_partition_refuses_the_whole_file_and_says_why(
        pg, leyla, same_partitions_after):
    tariffs = load_tariffs(DATA_DIR)
    for month in call_partitions.months():  # the table keeps September 2026 on, and
        if month < Month(2026, 9) or month == Month(2026, 10):  # October is missing
            drop_partition(month)
    rows = calls_file(("P-1", "2026-12-02 10:00:00", 60), ("P-2", "2026-10-05 10:00:00", 60),
                      ("P-3", "2026-10-06 10:00:00", 60), ("P-4", "2026-08-31 23:59:59", 60),
                      ("P-5", "2026-09-15 10:00:00", 60))  # a kept month before a missing one
    # A call refused already (an unknown line) is not counted in its month's problem.
    rows = text_source(rows.read().decode("utf-8")
                       + "P-6,0124999999,0222564321,2026-10-07 10:00:00,60\n")
    with time_machine.travel(NOW, tick=False), pytest.raises(ImportRefused) as refused:
        import_calls(rows, tariffs)
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (3, ("2 call(s) of 2026-10 (Baku time), the first on this line: the call table has "
             "no partition for that month yet: run `flask create-call-partitions`, then this "
             "import again")),
        (5, ("1 call(s) of 2026-08 (Baku time), the first on this line: older than the "
             "oldest month the call table keeps (2026-09): past the retention period "
             "(CALL_RETENTION_MONTHS), its calls are not taken again")),
        (7, ("calling number 0124999999 is not in the line registry (unknown line); import "
             "the line registry first")),
    ]
    assert Call.select().count() == 0  # all or nothing: December's call is not in either


def test_a_record_id_is_imported_once_whatever_the_month(pg, leyla):
    """The partitioned table's unique key is (record_id, started_at): it would take the same
    record id again at another start. The intake's look-up across every month refuses it."""
    tariffs = load_tariffs(DATA_DIR)
    months = (("P-OCT", "2026-10-05 10:00:00", 60), ("P-NOV", "2026-11-05 10:00:00", 60),
              ("P-DEC", "2026-12-05 10:00:00", 60))
    with time_machine.travel(NOW, tick=False):
        first = import_calls(calls_file(*months), tariffs)
        again = import_calls(calls_file(*months), tariffs)
        with pytest.raises(ImportRefused) as moved:
            import_calls(calls_file(("P-OCT", "2026-12-06 10:00:00", 60)), tariffs)
    assert (first.added, again.added, again.unchanged) == (3, 0, 3)
    assert [str(p) for p in moved.value.problems] == [
        ("line 2: record id P-OCT was imported before with different content "
         "(line 0124931122, 2026-10-05 10:00:00, 60 s, 0222564321)")]
    assert sorted(partition_of(r) for r, _, _ in months) == [
        "call_2026_10", "call_2026_11", "call_2026_12"]
    # What the database alone would have let through (undone):
    with database.atomic() as attempt:
        Call.insert(record_id="P-OCT", line=PhoneLine.get().id,
                    started_at=datetime(2026, 12, 6, 6, 0), duration_seconds=60,
                    dialled_number="0222564321", kind="intercity", amount_qepik=3).execute()
        attempt.rollback()


def _file(citizen, number, month, record_ids, reason):
    ids = [call.id for call in Call.select().where(Call.record_id.in_(record_ids))]
    held, calls = access.claimable_calls(citizen, number, month, ids)
    return claims.file_claim(citizen, held, calls, reason)


@pytest.fixture
def two_claims(pg, leyla, same_partitions_after):
    """In October 2026: Leyla's calls of August, September and October, a claim on the
    August call answered (accepted, 0,00 AZN), one on the September call still open."""
    for month in call_partitions.months():  # what other tests' clocks left (test_demo's)
        if month < Month(2026, 8):
            drop_partition(month)
    staff = create_staff("ops", "Əməkdaş Əliyev", "ops-parol-1")
    with time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=BAKU), tick=False):
        import_calls(calls_file(("P-AUG", "2026-08-10 14:05:00", 95),
                                ("P-SEP", "2026-09-10 09:30:00", 40),
                                ("P-OCT", "2026-10-10 11:00:00", 60)), load_tariffs(DATA_DIR))
        answered = _file(leyla, "0124931122", Month(2026, 8), ["P-AUG"], "Zəng etməmişəm.")
        claims.accept(answered, staff, "Haqlısınız.",
                      {answered.claim_calls.get().id: 0})
        still_open = _file(leyla, "0124931122", Month(2026, 9), ["P-SEP"], "Tanımıram.")
    return answered, still_open


def test_prune_drops_old_months_whole_and_keeps_the_month_of_an_open_claim(
        app, two_claims, monkeypatch):
    answered, still_open = two_claims
    statements = []
    original = type(database.obj).execute_sql
    monkeypatch.setattr(type(database.obj), "execute_sql", lambda self, sql, *a, **k: (
        statements.append(sql), original(self, sql, *a, **k))[1])
    with time_machine.travel(NOW, tick=False):
        result = app.test_cli_runner().invoke(args=["prune-calls", "--keep-months", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        ("Dropped 2026-08: 1 call (1 disputed by a closed claim, which keeps its details "
         "and amounts)."),
        f"Kept 2026-09: claim {still_open.reference} is still open.",
    ]
    assert Month(2026, 8) not in call_partitions.months()
    assert {Month(2026, 9), Month(2026, 10)} <= set(call_partitions.months())
    assert sorted(r for (r,) in Call.select(Call.record_id).tuples()) == ["P-OCT", "P-SEP"]
    # Whole months, never a row-by-row delete.
    assert 'ALTER TABLE "call" DETACH PARTITION "call_2026_08"' in statements
    assert not [sql for sql in statements if sql.lstrip().upper().startswith("DELETE")]
    kept = ClaimCall.get(ClaimCall.claim == answered)
    assert (kept.call_id, kept.call_started_at, kept.call_duration_seconds,
            kept.call_dialled_number, kept.original_qepik, kept.corrected_qepik) == (
        None, datetime(2026, 8, 10, 10, 5), 95, "0222564321", 6, 0)
    assert ClaimCall.get(ClaimCall.claim == still_open).call_id is not None
    # Making the tables again without the retention period does not bring August back.
    with time_machine.travel(NOW, tick=False):
        create_tables()
    assert Month(2026, 8) not in call_partitions.months()


def test_after_the_prune_both_claim_pages_show_what_was_decided(
        app, client, auth, staff_auth, two_claims):
    answered, _ = two_claims
    with time_machine.travel(NOW, tick=False):
        app.test_cli_runner().invoke(args=["prune-calls", "--keep-months", "2"])
    assert not Call.select().where(Call.record_id == "P-AUG").exists()
    staff = app.test_client()
    with time_machine.travel(NOW, tick=True):
        auth.login("leyla", "leyla-parol-1")
        citizen_page = client.get(f"/calls/claims/{answered.reference}")
        StaffLogin = type(staff_auth)
        StaffLogin(staff).login("ops", "ops-parol-1")
        staff_page = staff.get(f"/staff/claims/{answered.reference}")
    assert citizen_page.status_code == 200 and staff_page.status_code == 200
    for page in (citizen_page.get_data(as_text=True), staff_page.get_data(as_text=True)):
        assert "Zəng etməmişəm." in page and "Haqlısınız." in page
        row = page[page.index("<tbody>"):page.index("</tbody>")]
        assert ">10.08.2026<" in row and ">14:05<" in row and ">95<" in row
        assert ">022 256 43 21<" in row
        assert ">0,06<" in row and ">0,00<" in row  # billed, and as the claim corrected it


def test_a_prune_that_would_wait_behind_a_long_reader_gives_up_and_changes_nothing(
        app, database_url, same_partitions_after, monkeypatch):
    """Detaching takes a brief exclusive lock on the call table. Waiting for it behind a long
    import would queue every citizen's report behind the prune: it gives up instead."""
    import psycopg2

    monkeypatch.setattr(call_partitions, "LOCK_TIMEOUT", "1s")
    before = call_partitions.months()
    reader = psycopg2.connect(database_url)
    try:
        reader.cursor().execute('SELECT count(*) FROM "call"')  # its transaction stays open
        with time_machine.travel(NOW, tick=True):
            result = app.test_cli_runner().invoke(args=["prune-calls", "--keep-months", "2"])
    finally:
        reader.close()
    assert result.exit_code == 1
    assert result.output.startswith("The call table is busy (an import?); nothing changed, "
                                    "try again later. (canceling statement due to lock timeout")
    assert call_partitions.months() == before


def test_prune_refuses_to_drop_months_citizens_can_still_dispute(app):
    result = app.test_cli_runner().invoke(args=["prune-calls", "--keep-months", "1"])
    assert result.exit_code == 2
    assert ("1 is inside the claim window (CLAIM_WINDOW_MONTHS=2): citizens can still open "
            "and dispute those months") in " ".join(result.output.split())


def test_with_nothing_past_the_retention_period_the_prune_drops_nothing(
        app, same_partitions_after):
    app.test_cli_runner().invoke(args=["prune-calls"])  # what other tests' clocks left
    result = app.test_cli_runner().invoke(args=["prune-calls"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"Nothing to drop: every month is within the {TEST_CALL_RETENTION_MONTHS} months kept.")


def test_on_sqlite_the_commands_say_there_is_nothing_to_do(app, database_url):
    if is_postgres():
        pytest.skip("SQLite's answer (PostgreSQL's is tested above)")
    runner = app.test_cli_runner()
    for command in (["create-call-partitions"], ["prune-calls"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0
        assert result.output.startswith("SQLite keeps a plain call table: months are "
                                        "partitions on PostgreSQL only")


# --- A database made before partitions: these are the tables as the code made them then.

class OldCall(BaseModel):
    record_id = CharField(max_length=64, unique=True)
    line = ForeignKeyField(PhoneLine, on_delete="CASCADE", index=False)
    started_at = DateTimeField()
    duration_seconds = IntegerField(constraints=[Check("duration_seconds >= 0")])
    dialled_number = CharField(max_length=32)
    kind = CharField(max_length=16, constraints=[Check("kind IN ('intercity', 'international')")])
    amount_qepik = IntegerField(constraints=[Check("amount_qepik >= 0")])
    paid_at = DateTimeField(null=True)
    plan = CharField(max_length=32, null=True)
    qepik_per_minute = IntegerField(null=True)
    band = CharField(max_length=8, null=True)
    factor_permille = IntegerField(null=True)
    billed_seconds = IntegerField(null=True)

    class Meta:
        table_name = "call"
        indexes = ((("line", "started_at"), False),)


class OldClaimCall(BaseModel):
    claim = ForeignKeyField(Claim, on_delete="CASCADE")
    call = ForeignKeyField(OldCall, on_delete="CASCADE")
    original_qepik = IntegerField()
    corrected_qepik = IntegerField(null=True, constraints=[Check("corrected_qepik >= 0")])
    disputing = BooleanField(default=True, constraints=[SQL("DEFAULT TRUE")])

    class Meta:
        table_name = "claim_call"
        indexes = ((("claim", "call"), True), (("call",), False))


OldClaimCall.add_index(OldClaimCall.index(OldClaimCall.call, unique=True, where=SQL("disputing"),
                                          name="claim_call_one_standing_dispute"))


@pytest.fixture
def old_database(db, leyla):
    """Leyla's calls of June, October and December 2026 and an accepted claim on the
    October one, in the call and claim_call tables as the code before partitions made
    them. Afterwards the session's own tables are made again."""
    _drop_call_tables()
    database.create_tables([OldCall, OldClaimCall])
    line = PhoneLine.get()
    calls = {record: OldCall.create(
        record_id=record, line=line, started_at=started, duration_seconds=60,
        dialled_number="0222564321", kind="intercity", amount_qepik=amount)
        for record, started, amount in (
            ("OLD-JUN", datetime(2026, 6, 10, 8, 0), 3),
            ("OLD-OCT", datetime(2026, 10, 5, 6, 0), 3),
            ("OLD-DEC-FIRST", datetime(2026, 11, 30, 20, 0), 3),  # 1 December in Baku
            ("OLD-DEC", datetime(2026, 12, 20, 10, 0), 5))}
    claim = Claim.create(reference="RK-2610-OLDAA", citizen=leyla, line=line, reason="Köhnə.",
                         status=Claim.ACCEPTED, created_at=datetime(2026, 10, 6, 6, 0))
    OldClaimCall.create(claim=claim, call=calls["OLD-OCT"], original_qepik=3, corrected_qepik=1)
    yield claim
    _drop_call_tables()
    create_test_call_tables()


def _drop_call_tables():
    for table in ("claim_call", "call"):
        database.execute_sql(f'DROP TABLE "{table}"' + (" CASCADE" if is_postgres() else ""))


def test_init_db_converts_a_plain_call_table_into_months(app, client, auth, old_database):
    with time_machine.travel(NOW, tick=False):
        result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    claim_call = ClaimCall.get()
    assert (claim_call.call_started_at, claim_call.call_duration_seconds,
            claim_call.call_dialled_number) == (datetime(2026, 10, 5, 6, 0), 60, "0222564321")
    if not is_postgres():
        assert "Partitioned" not in result.output  # SQLite keeps its plain table
    else:
        assert result.output.splitlines()[0] == (
            "Partitioned the call table by month: 2026-06 1 call, 2026-10 1 call, "
            "2026-12 2 calls.")
        assert database.execute_sql("SELECT relkind FROM pg_class WHERE oid = 'call'::regclass"
                                    ).fetchone()[0] == "p"
        assert database.execute_sql("SELECT to_regclass('call_unpartitioned')"
                                    ).fetchone()[0] is None
        # Every call kept its id, in its Baku month's partition; June's too, although past
        # the retention period (pruning is prune-calls' decision, not the conversion's).
        assert database.execute_sql(
            'SELECT id, record_id, tableoid::regclass::text FROM "call" ORDER BY id'
        ).fetchall() == [(1, "OLD-JUN", "call_2026_06"), (2, "OLD-OCT", "call_2026_10"),
                         (3, "OLD-DEC-FIRST", "call_2026_12"), (4, "OLD-DEC", "call_2026_12")]
        assert [str(m) for m in call_partitions.months()][:3] == [
            "2026-06", "2026-07", "2026-08"]  # no month missing from the oldest call on
        definitions = dict(database.execute_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'claim_call'::regclass AND contype = 'f'").fetchall())
        assert definitions["claim_call_call_id_call_started_at_fkey"] == (
            "FOREIGN KEY (call_id, call_started_at) REFERENCES call(id, started_at) "
            "ON DELETE CASCADE")
        # The id sequence went over with the table: a new call follows the old ones.
        with time_machine.travel(NOW, tick=False):
            import_calls(calls_file(("NEW-DEC", "2026-12-21 10:00:00", 60)),
                         load_tariffs(DATA_DIR))
        assert Call.get(Call.record_id == "NEW-DEC").id == 5
    index = database.execute_sql(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid = "
        "'claim_call_one_standing_dispute'::regclass" if is_postgres() else
        "SELECT sql FROM sqlite_master WHERE name = 'claim_call_one_standing_dispute'"
    ).fetchone()[0]
    assert "call_id" in index and "call_started_at" in index and "disputing" in index
    # The citizen's claim and report read as before.
    with time_machine.travel(NOW, tick=True):
        auth.login("leyla", "leyla-parol-1")
        claim_page = client.get(f"/calls/claims/{old_database.reference}").get_data(
            as_text=True)
        report = client.get("/calls").get_data(as_text=True)
    assert ">05.10.2026<" in claim_page and ">0,03<" in claim_page and ">0,01<" in claim_page
    assert report.count("022 256 43 21") >= 2
