"""Operator intake: every file all or nothing, every bad row named, repeats add nothing."""
import io
import os
import re
from datetime import datetime, timedelta

import pytest
import time_machine

from egov.telephony.billing import load_tariffs
from egov.demo import local, spread
from egov.backoffice.intake import (
    ImportRefused,
    import_calls,
    import_lines,
    import_payments,
    text_source,
)
from egov.db import database
from egov.models import Call, Citizen, LineOwnership, PhoneLine
from egov.identity.citizens import set_credentials
from egov.timeutil import BAKU, Month, utcnow

from .conftest import DATA_DIR
from .support.pages import cells, text

SAMPLES = os.path.join(DATA_DIR, "samples")
LINES_HEADER = "fin,full_name,number,since\n"
CALLS_HEADER = "record_id,calling_number,called_number,started_at,duration_seconds\n"


@pytest.fixture
def tariffs():
    return load_tariffs(DATA_DIR)


@pytest.fixture
def registry(db):
    """Leyla holds 012 493 11 22 since 2021; Elçin 022 256 77 88 since 2018."""
    import_lines(text_source(LINES_HEADER + "1SMPL01,Leyla Quliyeva,0124931122,2021-05-14\n"
                             "2SMPL02,Elçin Babayev,0222567788,2018-09-01\n"))


def calls_csv(*rows):
    return text_source(CALLS_HEADER + "".join(row + "\n" for row in rows))


def refused(importer, source, *args):
    with pytest.raises(ImportRefused) as caught:
        importer(source, *args)
    return [(p.line, p.reason) for p in caught.value.problems]


def sample(name):
    return os.path.join(SAMPLES, name)


def test_the_sample_files_import_in_order_and_rate_by_the_tariffs(db, tariffs):
    lines = import_lines(sample("lines.csv"))
    calls = import_calls(sample("calls.csv"), tariffs)
    paid = import_payments(sample("payments.csv"))
    assert lines.added == 3
    leyla, tural = LineOwnership.select().join(PhoneLine).where(
        PhoneLine.number == "0124931122").order_by(LineOwnership.starts_at)
    assert leyla.ends_at == tural.starts_at and tural.ends_at is None  # Tural takes her number
    assert (calls.added, calls.skipped) == (4, 2)  # a local and a mobile call are not kept
    assert paid.updated == 2
    amounts = dict(Call.select(Call.record_id, Call.amount_qepik).tuples())
    # The sample lines are on the default plan (standard-2025: per started minute, 3 qəpik
    # intercity, ×0.8 on weekends; 20 qəpik to zone 1): a Saturday 185 s → 4 min × 3 × 0.8;
    # Moscow 64 s → 2 min × 20; Istanbul 312 s → 6 min × 20; a Tuesday 47 s → 1 min × 3.
    assert amounts == {"AZT-20261003-000001": 10, "AZT-20261007-000002": 40,
                       "AZT-20261016-000004": 120, "AZT-20261020-000005": 3}
    assert Citizen.get(fin="3SMPL03").full_name == "Tural Nəsibov"


@pytest.mark.parametrize("importer, name", [
    (import_lines, "lines.csv"), ("calls", "calls.csv"), (import_payments, "payments.csv")])
def test_importing_the_same_file_twice_adds_nothing(db, tariffs, importer, name):
    import_lines(sample("lines.csv"))
    import_calls(sample("calls.csv"), tariffs)
    import_payments(sample("payments.csv"))
    tables = (Citizen, PhoneLine, LineOwnership, Call)
    before = [list(model.select().tuples()) for model in tables]
    again = (import_calls(sample(name), tariffs) if importer == "calls"
             else importer(sample(name)))
    assert again.added == 0 and again.updated == 0
    assert again.unchanged == {"lines.csv": 3, "calls.csv": 4, "payments.csv": 2}[name]
    assert [list(model.select().tuples()) for model in tables] == before


MONTH_AGO = local(utcnow() - timedelta(days=30))
FUTURE = local(utcnow() + timedelta(days=1))


@pytest.mark.parametrize("row, reason", [
    ("C1,0124931122,0222564321,2026-10-03 09:12:40,-5", "duration -5 is negative"),
    ("C1,0124931122,0222564321,2026-10-03 09:12:40,12s", "duration '12s' is not a whole number"),
    ("C1,0124931122,0222564321,2026-10-03 09:12:40,90000", "duration 90000 is more than 86400"),
    ("C1,01249x1122,0222564321,2026-10-03 09:12:40,60", "calling number '01249x1122' is not a"),
    ("C1,0501234567,0222564321,2026-10-03 09:12:40,60", "calling number 0501234567 is not a landl"),
    ("C1,0124931122,02225x4321,2026-10-03 09:12:40,60", "called number '02225x4321'"),
    ("C1,0124931122,0222564321,03.10.2026 09:12,60", "start time '03.10.2026 09:12' is not a da"),
    ("C1,0124931122,0222564321,2026-02-30 09:12,60", "is not a date and time"),
    (f"C1,0124931122,0222564321,{FUTURE},60", "is in the future"),
    ("C1,0124931122,0222564321,2026-10-03 09:12:40+04:00,60", "carries a time zone"),
    (",0124931122,0222564321,2026-10-03 09:12:40,60", "the record id is empty"),
    ("C1,0124931122,0222564321,2026-10-03 09:12:40", "4 fields where the header has 5"),
    (f"C1,0129990000,0222564321,{MONTH_AGO},60", "0129990000 is not in the line registry (unk"),
    ("C1,0124931122,0222564321,2020-01-10 10:00,60", "nobody holds line 0124931122 at 2020-01-"),
])
def test_a_bad_call_row_is_named_with_its_line_and_nothing_is_imported(
        registry, tariffs, row, reason):
    good = "C0,0124931122,0222564321,2026-10-03 09:00:00,60"
    problems = refused(import_calls, calls_csv(good, row, good.replace("C0", "C9")), tariffs)
    assert len(problems) == 1 and problems[0][0] == 3 and reason in problems[0][1]
    assert Call.select().count() == 0


def test_every_bad_row_is_listed_not_only_the_first(registry, tariffs):
    problems = refused(import_calls, calls_csv(
        "C1,0124931122,0222564321,2026-10-03 09:12:40,60",
        "C2,0124931122,0222564321,2026-10-03 09:12:40,-1",
        "C1,0124931122,0222564321,2026-10-04 09:12:40,60",
        "C4,0124931122,0222564321,yesterday,60",
        "C5,0124931122,0222564321,2026-10-05 09:12:40,60",
    ), tariffs)
    assert problems == [
        (3, "duration -1 is negative"),
        (4, "record id C1 appears twice in the file (first on line 2)"),
        (5, "start time 'yesterday' is not a date and time like 2026-11-08 16:11:00"),
    ]
    assert Call.select().count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_the_line(registry, tmp_path, tariffs):
    path = tmp_path / "calls.csv"
    path.write_bytes((CALLS_HEADER + "C1,0124931122,0222564321,2026-10-03 09:12:40,60\n"
                      "Müşfiq,0124931122,0222564321,2026-10-03 09:12:40,60\n").encode("cp1254"))
    problems = refused(import_calls, str(path), tariffs)
    assert problems[0][0] == 3 and "not UTF-8 text" in problems[0][1]
    assert Call.select().count() == 0


def test_missing_columns_are_named(registry, tariffs):
    source = text_source("record_id,calling_number,called_number\n"
                         "C1,0124931122,0222564321\n")
    assert refused(import_calls, source, tariffs) == [(1, (
        "missing column(s): started_at, duration_seconds; the header must name record_id, "
        "calling_number, called_number, started_at, duration_seconds"))]
    assert refused(import_lines, text_source("")) == [
        (0, "the file is empty: a header row is needed")]


def test_blank_lines_anywhere_are_skipped_and_the_rows_after_them_read(registry, tariffs):
    """An operator's editor leaves empty and space-only lines; they are no rows, and do not
    end the file."""
    result = import_calls(calls_csv(
        "C1,0124931122,0222564321,2026-10-03 09:12:40,60", "", "   ",
        "C2,0124931122,0222564321,2026-10-03 10:12:40,60", ""), tariffs)
    assert result.added == 2 and Call.select().count() == 2


def test_a_line_of_one_value_is_a_row_with_too_few_fields_and_the_next_are_read(
        registry, tariffs):
    problems = refused(import_calls, calls_csv(
        "C1,0124931122,0222564321,2026-10-03 09:12:40,60", "C2",
        "C3,0124931122,0222564321,2026-10-03 10:12:40,60,7"), tariffs)
    assert problems == [(3, "1 fields where the header has 5"),
                        (4, "6 fields where the header has 5")]


def test_a_record_id_sent_again_with_other_content_is_refused(registry, tariffs):
    import_calls(calls_csv("C1,0124931122,0222564321,2026-10-03 09:12:40,60"), tariffs)
    problems = refused(import_calls, calls_csv(
        "C1,0124931122,0222564321,2026-10-03 09:12:40,61",
        "C2,0124931122,0222564321,2026-10-03 10:12:40,61"), tariffs)
    assert problems == [(2, "record id C1 was imported before with different content "
                            "(line 0124931122, 2026-10-03 09:12:40, 60 s, 0222564321)")]
    assert Call.select().count() == 1
    problems = refused(import_calls, calls_csv("C1,0124931122,4981122,2026-10-03 09:12:40,60"),
                       tariffs)
    assert problems == [(2, "record id C1 was imported before as an intercity or international "
                            "call; here it is a local or mobile call")]


@pytest.mark.parametrize("row, reason", [
    ("12345,Ad Soyad,0124931122,2024-01-01", "FIN '12345' is not 7 Latin letters and digits"),
    ("4NEW004,,0124931122,2024-01-01", "the full name is empty"),
    ("4NEW004,Ad Soyad,0501234567,2024-01-01", "number 0501234567 is not a landline"),
    (f"4NEW004,Ad Soyad,0124931122,{FUTURE}", "is in the future"),
    ("1SMPL01,Leyla Əliyeva,0124931122,2024-02-01", "FIN 1SMPL01 is registered as 'Leyla Quli"),
    ("4NEW004,Ad Soyad,0124931122,2021-05-14", "already has another holder from 2021-05-14"),
    ("4NEW004,Ad Soyad,0124931122,2020-01-01", "has a later holder from 2021-05-14 00:00:00"),
    ("4NEW004,Ad Soyad,0124931122,2024-01-01", "number 0124931122 from 2024-01-01 00:00:00 appe"),
])
def test_a_bad_registry_row_is_named_and_nothing_changes(registry, row, reason):
    before = list(LineOwnership.select().tuples())
    source = text_source(LINES_HEADER + "4NEW004,Ad Soyad,0124931122,2024-01-01\n" + row + "\n")
    problems = refused(import_lines, source)
    assert len(problems) == 1 and problems[0][0] == 3 and reason in problems[0][1]
    assert list(LineOwnership.select().tuples()) == before
    assert not Citizen.select().where(Citizen.fin == "4NEW004").exists()


def test_bad_payments_are_named_and_nothing_is_marked(registry, tariffs):
    import_calls(calls_csv("C1,0124931122,0222564321,2026-10-03 09:12:40,60",
                           "C2,0124931122,0222564321,2026-10-04 09:12:40,60",
                           "C3,0124931122,0222564321,2026-10-05 09:12:40,60"), tariffs)
    import_payments(text_source("record_id,paid_at\nC2,2026-10-10 10:00\n"))
    problems = refused(import_payments, text_source(
        "record_id,paid_at\nC1,2026-10-20\nC9,2026-10-20\nC1,2026-10-21\n"
        "C2,2026-10-11 10:00\nC3,2026-10-01\n"))
    assert problems == [
        (3, "no intercity or international call with record id C9 has been imported; "
            "import the calls first"),
        (4, "record id C1 appears twice in the file (first on line 2)"),
        (5, "record id C2 was already marked paid at 2026-10-10 10:00:00"),
        (6, "payment time 2026-10-01 00:00:00 is before the call started (2026-10-05 09:12:40)"),
    ]
    assert Call.get(record_id="C1").paid_at is None


def test_a_crash_midway_leaves_the_database_as_before(registry, tariffs):
    """Ctrl-C between two batches: the batches already sent are rolled back too."""
    rows = [f"C{i},0124931122,0222564321,2026-10-03 09:{i:02d}:00,60" for i in range(10)]
    batches = []

    def interrupted(label, total):
        from contextlib import nullcontext

        class Bar:
            def update(self, n):
                batches.append(n)
                if len(batches) == 3:
                    raise KeyboardInterrupt

        return nullcontext(Bar())

    with pytest.raises(KeyboardInterrupt):
        import_calls(calls_csv(*rows), tariffs, progress=interrupted, batch_size=2)
    assert batches[1:] == [2, 2]  # two batches of calls had been written before the stop
    assert Call.select().count() == 0
    assert import_calls(calls_csv(*rows), tariffs).added == 10


def test_payment_marks_are_written_a_batch_at_a_time_and_ctrl_c_keeps_none(registry, tariffs):
    """The writing bar moves a batch at a time (2, then 1 of 3 marks in batches of 2);
    Ctrl-C after the last batch but before the commit leaves every call unpaid."""
    from contextlib import nullcontext

    import_calls(calls_csv(*(f"C{i},0124931122,0222564321,2026-10-0{i} 09:12:40,60"
                             for i in (1, 2, 3))), tariffs)
    written = []

    def interrupted(label, total):
        class Bar:
            def update(self, n):
                if label.startswith("Writing"):
                    written.append(n)
                    if len(written) == 2:
                        raise KeyboardInterrupt

        return nullcontext(Bar())

    payments = "record_id,paid_at\nC1,2026-10-10\nC2,2026-10-10\nC3,2026-10-10\n"
    with pytest.raises(KeyboardInterrupt):
        import_payments(text_source(payments), progress=interrupted, batch_size=2)
    assert written == [2, 1]
    assert Call.select().where(Call.paid_at.is_null(False)).count() == 0
    assert import_payments(text_source(payments)).summary() == "3 marked paid, 0 already there"


def test_a_file_imported_again_says_it_added_nothing(registry, tariffs):
    """What the operator reads after sending the same calls file twice: «0 added», not
    a summary that leaves the additions out."""
    rows = ("C1,0124931122,0222564321,2026-10-03 09:12:40,60",
            "C2,0124931122,0222564321,2026-10-04 09:12:40,60")
    assert import_calls(calls_csv(*rows), tariffs).summary() == "2 added, 0 already there"
    assert import_calls(calls_csv(*rows), tariffs).summary() == "0 added, 2 already there"


def test_a_crash_while_changing_holders_keeps_the_old_holder(registry):
    def crash_on_write(label, total):
        if label.startswith("Writing"):
            raise RuntimeError("disk full")
        from egov.backoffice.intake.writer import no_progress

        return no_progress(label, total)

    source = text_source(LINES_HEADER + "4NEW004,Ad Soyad,0124931122,2024-01-01\n")
    before = list(LineOwnership.select().tuples())
    with pytest.raises(RuntimeError):
        import_lines(source, progress=crash_on_write)
    assert list(LineOwnership.select().tuples()) == before
    assert not Citizen.select().where(Citizen.fin == "4NEW004").exists()


def test_a_handover_from_the_registry_shows_in_the_new_holders_report(db, tariffs, client, auth):
    """Nigar held the line; the file hands it to Rauf: he sees only the calls from then on."""
    now = utcnow()
    month = Month.current()
    handover = spread(month.start, now, 1)[0]
    import_lines(text_source(LINES_HEADER + "7NGAR03,Nigar Hüseynova,0125109876,2019-03-01\n"))
    before, after = spread(month.start, handover, 1)[0], spread(handover, now, 1)[0]
    import_calls(calls_csv(f"N1,0125109876,0202210000,{local(before)},95",
                           f"R1,0125109876,00995322123456,{local(after)},44"), tariffs)
    import_lines(text_source(LINES_HEADER + f"6RAUF02,Rauf Əliyev,0125109876,{local(handover)}\n"))
    set_credentials("6RAUF02", "rauf", "rauf-pass-1")
    set_credentials("7NGAR03", "nigar", "nigar-pass-1")

    auth.login("rauf", "rauf-pass-1")
    durations = [r[3] for r in cells(text(client.get("/calls"))) if len(r) == 7 and r[0].isdigit()]
    assert durations == ["44"]
    auth.logout()
    auth.login("nigar", "nigar-pass-1")
    durations = [r[3] for r in cells(text(client.get("/calls"))) if len(r) == 7 and r[0].isdigit()]
    assert durations == ["95"]


def test_the_limits_of_a_registry_row_are_exact(registry):
    now = utcnow().replace(microsecond=0)
    rows = [f"4NEW004,{'A' * 200},0124401234,{local(now)}",  # since this very second: fine
            f"4NEW005,{'B' * 201},0124401235,2024-01-01",
            f"4NEW006,Ad Soyad,0124401236,{local(now + timedelta(seconds=1))}",
            "4NEW007,Bir Ad,0124401237,2024-01-01",
            "4NEW007,Başqa Ad,0124401238,2024-01-01"]
    problems = refused(import_lines, text_source(LINES_HEADER + "\n".join(rows) + "\n"), now)
    assert problems == [
        (3, "the full name is longer than 200 characters"),
        (4, f"since {local(now + timedelta(seconds=1))} is in the future"),
        (6, "FIN 4NEW007 is named 'Başqa Ad' here but 'Bir Ad' on line 5")]
    assert import_lines(text_source(LINES_HEADER + rows[0] + "\n"), now).added == 1


def test_a_holder_sent_out_of_time_order_is_refused_with_the_later_one_named(registry):
    assert refused(import_lines, text_source(
        LINES_HEADER + "4NEW004,Ad Soyad,0124931122,2020-01-01\n")) == [
        (2, "number 0124931122 has a later holder from 2021-05-14 00:00:00 in the registry; "
            "send changes in time order")]


def test_a_handover_closes_the_last_holders_period_and_says_so(registry):
    stages = []

    def progress(label, total):
        from egov.backoffice.intake.writer import no_progress

        stages.append((label, total))
        return no_progress(label, total)

    text = LINES_HEADER + "4NEW004,Ad Soyad,0124931122,2026-10-01\n"
    result = import_lines(text_source(text), progress=progress)
    assert result.summary() == "1 added, 1 updated, 0 already there"
    assert stages == [("Checking line registry", len(text)), ("Writing line registry", 2)]


def _released(number, until):
    """The line stops being anyone's at `until` (a cancelled subscription). The registry
    file has no row for that yet, so the end is written here as an operator's database
    would hold it; the tests below check how the intake treats such a line."""
    (LineOwnership.update(ends_at=until)
     .where((LineOwnership.line == PhoneLine.get(number=number).id)
            & LineOwnership.ends_at.is_null())
     .execute())

def test_a_new_holder_of_a_released_line_leaves_the_old_period_as_it_was(registry):
    from egov.backoffice.intake.source import parse_local_time

    released = parse_local_time("2026-09-01", "until")
    _released("0222567788", released)
    for since, holder in (("2026-09-01", "4NEW004"), ("2026-10-01", "4NEW005")):
        result = import_lines(text_source(LINES_HEADER + f"{holder},Ad Soyad,0222567788,{since}\n"))
        assert (result.added, result.updated) == (1, 1 if holder == "4NEW005" else 0)
    periods = (LineOwnership.select().join(PhoneLine).where(PhoneLine.number == "0222567788")
               .order_by(LineOwnership.starts_at))
    assert [(p.citizen.fin, local(p.starts_at), p.ends_at and local(p.ends_at))
            for p in periods] == [
        ("2SMPL02", "2018-09-01 00:00:00", "2026-09-01 00:00:00"),
        ("4NEW004", "2026-09-01 00:00:00", "2026-10-01 00:00:00"),
        ("4NEW005", "2026-10-01 00:00:00", None)]


ROW = "C{},0124931122,0222564321,2026-10-03 09:12:{:02d},60"


def test_a_spreadsheets_bom_and_crlf_line_ends_are_read_as_any_file(registry, tariffs):
    text = CALLS_HEADER + ROW.format(1, 1) + "\n" + ROW.format(2, 2) + "\n"
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    assert import_calls(io.BytesIO(data), tariffs).added == 2


def test_bad_lines_are_each_named_and_the_rows_after_them_still_read(registry, tariffs):
    """Not UTF-8, a lone CR, a line longer than the limit: each is a problem of its own
    line, and the reading goes on, so one pass lists everything wrong with the file."""
    limit = 1 << 16
    long_row = (ROW.format(5, 5) + ",").encode() + b"9" * (limit + 100) + b"\n"
    data = b"".join([
        CALLS_HEADER.replace("duration_seconds", "duration_seconds,note").encode(),
        (ROW.format(1, 1) + ",\n").encode(),
        "C2,Müşfiq,0222564321,2026-10-03 09:12:40,60,\n".encode("cp1254"),
        (ROW.format(3, 3) + ",\r \n").encode(),
        (ROW.format(4, 4) + ",\rX\n").encode(),
        long_row,
        (ROW.format(6, 6) + ",x\n").encode(),
        "C8,0124931122,0222564321,2026-10-03 09:12:40,-5,\n".encode(),
        (ROW.format(9, 9) + ",").encode() + b"\r",  # the last line, ended by a lone CR
    ])
    cr = ("a carriage return (CR) without a line feed; save the file with LF or CRLF "
          "line endings")
    assert refused(import_calls, io.BytesIO(data), tariffs) == [
        (3, "not UTF-8 text (byte 0xfc at column 5); save the file as UTF-8"),
        (4, cr), (5, cr),
        (6, f"the line is {len(long_row)} bytes long, more than {limit}; "
            "is this the right file?"),
        (8, "duration -5 is negative"),
        (9, cr)]


def test_a_line_of_exactly_the_limit_is_read(registry, tariffs):
    limit = 1 << 16
    header = CALLS_HEADER.replace("duration_seconds", "duration_seconds,note")
    start = ROW.format(1, 1) + ","
    row = start + "n" * (limit - len(start) - 1) + "\n"
    assert len(row.encode()) == limit
    assert import_calls(text_source(header + row), tariffs).added == 1


def test_the_progress_bar_moves_by_the_bytes_read(registry, tariffs, monkeypatch):
    """The bar is redrawn once per PROGRESS_STEP bytes, and ends at the file's size."""
    from egov.backoffice.intake import source as intake_source

    rows = [ROW.format(n, n) for n in range(1, 8)]
    text = CALLS_HEADER + "".join(row + "\n" for row in rows)
    step = 2 * (len(rows[0]) + 1)
    monkeypatch.setattr(intake_source, "PROGRESS_STEP", step)
    updates = []

    class Bar:
        def update(self, n):
            updates.append(n)

    def progress(label, total):
        from contextlib import nullcontext

        return nullcontext(Bar())

    import_calls(text_source(text), tariffs, progress=progress)
    checking = updates[:-1]  # the last update is the writing stage's
    assert len(checking) >= 4
    assert sum(checking) == len(text) and checking[1:-1] == [step] * (len(checking) - 2)


def test_cli_lists_every_problem_and_exits_non_zero(app, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "lines.csv"
    path.write_text(LINES_HEADER + "bad,X,0124931122,2021-05-14\n1SMPL01,,0124931122,2021\n",
                    encoding="utf-8")
    result = runner.invoke(args=["import-lines", str(path)])
    assert result.exit_code != 0
    assert f"{path}: line 2: FIN 'bad' is not 7 Latin letters and digits" in result.output
    assert f"{path}: line 3: the full name is empty" in result.output
    assert "2 problem(s)" in result.output and "nothing was imported" in result.output
    assert Citizen.select().count() == 0


def test_a_problem_of_the_whole_file_is_not_given_a_line_number(app, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = app.test_cli_runner().invoke(args=["import-lines", str(path)])
    assert f"{path}: the file is empty: a header row is needed" in result.output
    assert "line 0" not in result.output


def test_a_refused_import_says_which_file_and_how_many_problems(registry, tariffs):
    with pytest.raises(ImportRefused) as caught:
        import_calls(calls_csv("C1,0124931122,0222564321,yesterday,60",
                               "C2,0124931122,0222564321,2026-10-03 09:12:40,-1"), tariffs)
    assert caught.value.path is not None and len(caught.value.problems) == 2
    assert str(caught.value).endswith(": 2 problem(s), nothing imported")
    for importer, content in ((import_payments, "record_id,paid_at\nC9,2026-10-10\n"),
                              (import_lines, LINES_HEADER + "bad,X,0124931122,2021-05-14\n")):
        source = text_source(content)
        with pytest.raises(ImportRefused) as caught:
            importer(source)
        assert caught.value.path is source


def test_the_citizens_access_log_names_the_file_their_calls_came_from(registry, tariffs,
                                                                      tmp_path):
    from egov.models import AccessEntry

    def imported_from(source):
        import_calls(source, tariffs)
        return AccessEntry.select().order_by(AccessEntry.id.desc()).get().actor_name

    row = "{},0124931122,0222564321,2026-10-03 09:12:40,60\n"
    path, opened = tmp_path / "cdr-2026-10.csv", tmp_path / "cdr-late.csv"
    path.write_text(CALLS_HEADER + row.format("C1"), encoding="utf-8")
    opened.write_text(CALLS_HEADER + row.format("C2"), encoding="utf-8")
    # The name only, never the operator's folders; a stream without a name is "calls.csv".
    assert imported_from(str(path)) == "cdr-2026-10.csv"
    with open(opened, "rb") as handle:
        assert imported_from(handle) == "cdr-late.csv"
    assert imported_from(calls_csv(row.format("C3").strip())) == "calls.csv"


@pytest.mark.parametrize("record_id, duration, reason", [
    ("C1", "0", None),  # a call answered and hung up at once: kept, for 0 qəpik
    ("C1", "86400", None),  # a whole day: the longest a record may be
    ("C1", "86401", "duration 86401 is more than 86400"),
    ("C" * 64, "60", None),
    ("C" * 65, "60", "the record id is longer than 64 characters"),
    ("", "60", "the record id is empty"),
])
def test_the_limits_of_a_call_row_are_exact(registry, tariffs, record_id, duration, reason):
    row = f"{record_id},0124931122,0222564321,2026-10-03 09:12:40,{duration}"
    if reason is None:
        assert import_calls(calls_csv(row), tariffs).added == 1
        assert Call.get().duration_seconds == int(duration)
    else:
        assert refused(import_calls, calls_csv(row), tariffs) == [(2, reason)]


def test_a_call_from_the_moment_a_line_was_released_has_no_holder(registry, tariffs):
    from egov.backoffice.intake.source import parse_local_time

    # The subscription ended.
    _released("0222567788", parse_local_time("2026-10-01 00:00:00", "until"))
    assert refused(import_calls, calls_csv(
        "C1,0222567788,0124931122,2026-09-30 23:59:59,60",
        "C2,0222567788,0124931122,2026-10-01 00:00:00,60",
        "C3,0222567788,0124931122,2026-10-09 10:00:00,60"), tariffs) == [
        (3, "nobody holds line 0222567788 at 2026-10-01 00:00:00 according to the line registry"),
        (4, "nobody holds line 0222567788 at 2026-10-09 10:00:00 according to the line registry")]


def test_every_call_from_an_unknown_line_is_named(registry, tariffs):
    assert refused(import_calls, calls_csv(
        f"C1,0129990000,0222564321,{MONTH_AGO},60",
        f"C2,0129990001,0222564321,{MONTH_AGO},60"), tariffs) == [
        (line, f"calling number {number} is not in the line registry (unknown line); "
               "import the line registry first")
        for line, number in ((2, "0129990000"), (3, "0129990001"))]


def test_a_record_id_sent_again_from_another_line_does_not_name_the_first_line(
        registry, tariffs):
    import_calls(calls_csv("C1,0124931122,0222564321,2026-10-03 09:12:40,60"), tariffs)
    assert refused(import_calls, calls_csv("C1,0222567788,0124931122,2026-10-03 09:12:40,60"),
                   tariffs) == [
        (2, "record id C1 was imported before with different content "
            "(line another line, 2026-10-03 09:12:40, 60 s, 0222564321)")]


def test_the_limits_of_a_payment_row_are_exact(registry, tariffs):
    import_calls(calls_csv("C1,0124931122,0222564321,2026-10-03 09:12:40,60",
                           "C2,0124931122,0222564321,2026-10-04 09:12:40,60"), tariffs)
    future = local(utcnow() + timedelta(days=1))
    assert refused(import_payments, text_source(f"record_id,paid_at\nC1,{future}\n")) == [
        (2, f"payment time {future} is in the future")]
    # Paid the very second the call started (a prepaid card): accepted.
    payments = "record_id,paid_at\nC1,2026-10-03 09:12:40\nC2,2026-10-05\n"
    assert import_payments(text_source(payments)).updated == 2
    again = import_payments(text_source(payments))
    assert (again.updated, again.unchanged) == (0, 2)
    assert again.summary() == "0 marked paid, 2 already there"


def test_the_progress_bar_is_told_what_is_checked_and_written(registry, tariffs):
    """On a terminal `flask import-payments` draws a bar per stage, with these labels."""
    import_calls(calls_csv("C1,0124931122,0222564321,2026-10-03 09:12:40,60",
                           "C2,0124931122,0222564321,2026-10-04 09:12:40,60"), tariffs)
    stages = []

    def progress(label, total):
        from egov.backoffice.intake.writer import no_progress

        stages.append((label, total))
        return no_progress(label, total)

    payments = "record_id,paid_at\nC1,2026-10-10\nC2,2026-10-10\n"
    import_payments(text_source(payments), progress=progress)
    assert stages == [("Checking payments", len(payments)), ("Writing payments", 2)]
    stages.clear()
    calls = CALLS_HEADER + "C3,0124931122,0222564321,2026-10-05 09:12:40,60\n"
    import_calls(text_source(calls), tariffs, progress=progress)
    assert stages == [("Checking calls", len(calls)), ("Writing calls", 1)]


def test_an_open_file_is_read_and_measured_from_where_it_stands(registry, tariffs):
    """A caller may hand over a file it has read into (a line of its own before the CSV):
    the rows are read from there, and the bar's total is what is left, 115 bytes."""
    calls = CALLS_HEADER + "C3,0124931122,0222564321,2026-10-05 09:12:40,60\n"
    stream = io.BytesIO(b"switch export v2\n" + calls.encode("utf-8"))
    assert stream.readline() == b"switch export v2\n"
    stages = []

    def progress(label, total):
        from egov.backoffice.intake.writer import no_progress

        stages.append((label, total))
        return no_progress(label, total)

    assert import_calls(stream, tariffs, progress=progress).added == 1
    assert stages == [("Checking calls", 115), ("Writing calls", 1)]


def test_cli_imports_quietly_when_not_on_a_terminal(app):
    runner = app.test_cli_runner()
    outputs = [runner.invoke(args=[f"import-{kind}", sample(f"{kind}.csv")])
               for kind in ("lines", "calls", "payments")]
    assert [r.exit_code for r in outputs] == [0, 0, 0]
    assert [r.output.strip().split(": ", 1)[1] for r in outputs] == [
        "3 added, 0 already there",
        "4 added, 0 already there, 2 skipped (local or mobile calls)",
        "2 marked paid, 0 already there",
    ]
    assert not any(re.search(r"[\r\x1b]|%", r.output) for r in outputs)  # no bar drawn


def test_check_tariffs_shows_the_prices_in_force(app):
    result = app.test_cli_runner().invoke(args=["check-tariffs"])
    assert result.exit_code == 0
    assert re.search(r"intercity\s+any\s+5", result.output)


# --- Hostile and malformed files: a per-line message and nothing written, never a traceback ---

def test_a_fin_is_checked_as_written_before_it_is_upper_cased(registry):
    """«ſ» (long s) upper-cases to «S»: «1SMPſ01» must not become Leyla's 1SMPL01's neighbour."""
    import_lines(text_source(LINES_HEADER + "5aysl01,Aysel Məmmədova,0124401234,2020-01-01\n"))
    assert Citizen.select().where(Citizen.fin == "5AYSL01").exists()  # lower case is fine
    problems = refused(import_lines, text_source(
        LINES_HEADER + "5AYſL01,Aysel Məmmədova,0124401235,2020-01-01\n"))
    assert problems == [(2, "FIN '5AYſL01' is not 7 Latin letters and digits")]
    assert LineOwnership.select().join(PhoneLine).where(
        PhoneLine.number == "0124401235").count() == 0


@pytest.mark.parametrize("duration", ["7_2", "٧٢", "７２", "+72", " 72x", "72.0", "²"])
def test_only_ascii_digits_make_a_duration(registry, tariffs, duration):
    problems = refused(import_calls, calls_csv(
        f"C1,0124931122,0222564321,2026-10-03 09:12:40,{duration}"), tariffs)
    assert len(problems) == 1 and problems[0][0] == 2
    assert "is not a whole number (digits 0-9 only)" in problems[0][1]
    assert Call.select().count() == 0


@pytest.mark.parametrize("started", ["٢٠٢٦-10-03 09:12:40", "20261003", "2026-W40",
                                     "2026-10-03 09:12:40.5", "0001-01-01"])
def test_only_the_documented_date_form_in_ascii_digits_is_a_time(registry, tariffs, started):
    problems = refused(import_calls, calls_csv(f"C1,0124931122,0222564321,{started},60"),
                       tariffs)
    assert len(problems) == 1 and problems[0][0] == 2 and repr(started) in problems[0][1]


def test_a_header_naming_a_column_twice_is_refused(registry, tariffs):
    source = text_source("record_id,calling_number,called_number,started_at,duration_seconds,"
                         "Duration_Seconds,Record_ID\n"
                         "C1,0124931122,0222564321,2026-10-03 09:12:40,60,7,C2\n")
    assert refused(import_calls, source, tariffs) == [
        (1, "the header names column(s) duration_seconds, record_id twice")]
    assert Call.select().count() == 0


def test_a_byte_order_mark_mid_file_does_not_make_another_record_id(registry, tariffs):
    """A file glued from two spreadsheet exports: the second one's BOM starts line 3.
    Accepted, «SEC-1» would be imported twice, and the citizen would see the call twice."""
    first = "SEC-1,0124931122,0222564321,2026-10-03 09:12:40,60"
    assert import_calls(calls_csv(first), tariffs).added == 1
    assert refused(import_calls, calls_csv(first, "\ufeff" + first), tariffs) == [
        (3, "record id has an invisible or control character, U+FEFF (ZERO WIDTH NO-BREAK "
            "SPACE), at position 1; type the value again without it")]
    assert Call.select().count() == 1


@pytest.mark.parametrize("row, reason", [
    ("C\u202e1,0124931122,0222564321,2026-10-03 09:12:40,60",
     "record id has an invisible or control character, U+202E (RIGHT-TO-LEFT OVERRIDE), "
     "at position 2"),
    ("C1\x00,0124931122,0222564321,2026-10-03 09:12:40,60",
     "record id has an invisible or control character, U+0000, at position 3"),
    ("C1\x1f,0124931122,0222564321,2026-10-03 09:12:40,60",  # strip() would drop it unseen
     "record id has an invisible or control character, U+001F, at position 3"),
    ("C1,01249\u200b31122,0222564321,2026-10-03 09:12:40,60",
     "calling number has an invisible or control character, U+200B (ZERO WIDTH SPACE), "
     "at position 6"),
    ("C1,0124931122,0222564321\u2028,2026-10-03 09:12:40,60",
     "called number has an invisible or control character, U+2028 (LINE SEPARATOR), "
     "at position 11"),
    ("C1,0124931122,0222564321,2026-10-03 09:12:40,60\u2029",
     "duration seconds has an invisible or control character, U+2029 (PARAGRAPH SEPARATOR), "
     "at position 3"),
    ("C1,0124931122,0222564321,2026-10-03 09:12:40,6\u00ad0",
     "duration seconds has an invisible or control character, U+00AD (SOFT HYPHEN), "
     "at position 2"),
    ("C1,0124931122,0222564321,2026-10-03 09:12:40,\t60 ", None),  # spaces and tabs around
])
def test_an_invisible_or_control_character_in_a_call_row_is_named_with_its_line(
        registry, tariffs, row, reason):
    if reason is None:
        assert import_calls(calls_csv(row), tariffs).added == 1
        return
    assert refused(import_calls, calls_csv(row), tariffs) == [
        (2, reason + "; type the value again without it")]
    assert Call.select().count() == 0


@pytest.mark.parametrize("importer, content, reason", [
    (import_lines, LINES_HEADER + "4NEW004,Ad\x00 Soyad,0124931125,2024-01-01\n",
     "full name has an invisible or control character, U+0000, at position 3"),
    (import_lines, LINES_HEADER + "4NEW004,\u202eAd Soyad,0124931125,2024-01-01\n",
     "full name has an invisible or control character, U+202E (RIGHT-TO-LEFT OVERRIDE), "
     "at position 1"),
    (import_payments, "record_id,paid_at\nC1\x00,2026-10-20\n",
     "record id has an invisible or control character, U+0000, at position 3"),
    # Counted from the name's first letter, an X too (Xədicə, Xəyal): only spaces and tabs
    # around a value are not counted.
    (import_lines, LINES_HEADER + "4NEW004, Xədicə\u200b Əliyeva,0124931125,2024-01-01\n",
     "full name has an invisible or control character, U+200B (ZERO WIDTH SPACE), "
     "at position 7"),
])
def test_an_invisible_or_control_character_in_any_file_is_named_with_its_line(
        registry, importer, content, reason):
    before = _snapshot()
    assert refused(importer, text_source(content)) == [
        (2, reason + "; type the value again without it")]
    assert _snapshot() == before


@pytest.mark.parametrize("duration, reason", [
    ("9" * 5000, "duration is a number of 5000 digits, more than 86400"),
    ("-" + "9" * 5000, "duration is a number of 5000 digits, and negative"),
    ("9" * 18, "duration 999999999999999999 is more than 86400"),
    ("9" * 19, "duration is a number of 19 digits, more than 86400"),
    ("0" * 5000 + "60", None),  # leading zeros: still sixty
    ("999999", "duration 999999 is more than 86400"),
    ("-0", None),
])
def test_a_number_of_thousands_of_digits_is_a_problem_of_its_line(
        registry, tariffs, duration, reason):
    """int() refuses a string of more than 4 300 digits: it was a traceback."""
    row = f"C1,0124931122,0222564321,2026-10-03 09:12:40,{duration}"
    if reason is None:
        assert import_calls(calls_csv(row), tariffs).added == 1
        assert Call.get().duration_seconds == int(duration.lstrip("0") or "0")
    else:
        assert refused(import_calls, calls_csv(row), tariffs) == [(2, reason)]


def _cli(app, tmp_path, kind, content):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(content)
    return path, app.test_cli_runner().invoke(args=[f"import-{kind}", str(path)])


GOOD_CALL = b"C1,0124931122,0222564321,2026-10-03 09:12:40,60"


@pytest.mark.parametrize("content, line, reason", [
    (CALLS_HEADER.encode() + b'C2,0124931122,0222564321,2026-10-03 09:12:40,"'
     + b"9" * 140_000 + b'"\n', 2, "more than 65536"),
    (CALLS_HEADER.encode() + GOOD_CALL + b"\n" + b"x" * 1_000_000 + b"\n", 3, "more than 65536"),
    (CALLS_HEADER.encode() + b'C2,0124931122,0222564321,"2026-10-03\n' + b'9,\n' * 70_000
     + b'",60\n', 2, "cannot be read as CSV: field larger than field limit"),
    (CALLS_HEADER.replace("\n", "\r").encode() + GOOD_CALL + b"\r", 1, "carriage return (CR)"),
    (CALLS_HEADER.encode() + GOOD_CALL + b"\rC2\n", 2, "carriage return (CR)"),
    (CALLS_HEADER.encode() + b"C2,0124931122,\x00,2026-10-03 09:12:40,60\n", 2, "called number"),
    # PostgreSQL cannot store a NUL: each was a traceback on its pass.
    (CALLS_HEADER.encode() + b"C\x002,0124931122,0222564321,2026-10-03 09:12:40,60\n", 2,
     "record id has an invisible or control character, U+0000"),
    (LINES_HEADER.encode() + b"4NEW004,Ad\x00Soyad,0124931125,2024-01-01\n", 2,
     "full name has an invisible or control character, U+0000"),
    (b"record_id,paid_at\nC\x001,2026-10-20\n", 2,
     "record id has an invisible or control character, U+0000"),
    (CALLS_HEADER.encode() + b"C2,0124931122,0222564321,2026-10-03 09:12:40," + b"7" * 5000
     + b"\n", 2, "duration is a number of 5000 digits, more than 86400"),
])
def test_malformed_files_get_a_line_message_and_exit_1_never_a_traceback(
        app, registry, tmp_path, content, line, reason):
    kind = {b"fin": "lines", b"rec": "calls" if b"duration" in content[:80] else "payments"}[
        content[:3]]
    path, result = _cli(app, tmp_path, kind, content)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert f"{path}: line {line}: " in result.output and reason in result.output
    assert Call.select().count() == 0 and not Citizen.select().where(
        Citizen.fin == "4NEW004").exists()


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_COLUMNS = {"lines": ["fin", "full_name", "number", "since"],
            "calls": ["record_id", "calling_number", "called_number", "started_at",
                      "duration_seconds"],
            "payments": ["record_id", "paid_at"]}
_VALUES = st.one_of(
    st.sampled_from(["1SMPL01", "5AYſL01", "Ad Soyad", "0124931122", "0222564321", "+7 495 1",
                     "2026-10-03 09:12:40", "2021-05-14", "0001-01-01", "9999-12-31 23:59",
                     "60", "7_2", "٧٢", "-1", "86401", "C1", "", '"', '""', "x" * 70,
                     "\x00", "\r", "\u2028", "\ufeff", "\u202e", "\ufeffC1", "C1\x00",
                     "9" * 5000]),
    st.text(max_size=12))


@st.composite
def _csv_shapes(draw, kind):
    names = draw(st.lists(st.sampled_from(_COLUMNS[kind] + ["extra", "FIN", " since "]),
                          min_size=0, max_size=7))
    width = max(len(names), 1)
    rows = draw(st.lists(st.lists(_VALUES, min_size=0, max_size=width + 1), max_size=6))
    end = draw(st.sampled_from(["\n", "\r\n", "\r", ""]))
    quote = draw(st.booleans())

    def line(fields):
        return ",".join(f'"{f}"' if quote and '"' not in f else f for f in fields)

    text = end.join(line(fields) for fields in [names] + rows) + draw(st.sampled_from(["", end]))
    data = (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")
    return data if draw(st.booleans()) else data[:draw(st.integers(0, len(data)))]


def _snapshot():
    return [list(model.select().order_by(model.id).tuples())
            for model in (Citizen, PhoneLine, LineOwnership, Call)]


@pytest.mark.parametrize("kind", ["lines", "calls", "payments"])
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_files_never_give_a_traceback_or_a_partial_write(
        app, registry, tmp_path, kind, data):
    content = data.draw(st.one_of(st.binary(max_size=300), _csv_shapes(kind)), label="file")
    before = _snapshot()
    path, result = _cli(app, tmp_path, kind, content)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert f"{path}: " in result.output and "nothing was imported" in result.output
        assert _snapshot() == before


# Rows every check accepts (the `registry` fixture's lines), for a hostile value to spoil:
# random files seldom get far enough for a value to reach the database.
_GOOD_ROWS = {"lines": ["4NEW004", "Aynur Həsənova", "0124931125", "2024-01-01"],
              "calls": ["C1", "0124931122", "0222564321", "2026-10-03 09:12:40", "60"],
              "payments": ["C1", "2026-10-20 10:00:00"]}
_HOSTILE = st.sampled_from(["\x00", "\ufeff", "\u202e", "\u200b", "\u00ad", "\x1f", "\x85",
                            "\u2028", "\U000e0041", "\ue000", "9" * 5000])


@st.composite
def _spoilt_row(draw, kind):
    fields = list(_GOOD_ROWS[kind])
    at = draw(st.integers(0, len(fields) - 1))
    hostile = draw(_HOSTILE)
    if draw(st.booleans()):
        fields[at] = hostile
    else:
        cut = draw(st.integers(0, len(fields[at])))
        fields[at] = fields[at][:cut] + hostile + fields[at][cut:]
    return (",".join(_COLUMNS[kind]) + "\n" + ",".join(fields) + "\n").encode("utf-8")


@pytest.mark.parametrize("kind", ["lines", "calls", "payments"])
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_good_row_spoilt_by_one_hostile_value_is_refused_on_its_line(
        app, registry, tariffs, tmp_path, kind, data):
    """A NUL, an invisible character or a number of thousands of digits anywhere in a row
    that would otherwise be imported: line 2 is named, exit 1, nothing written."""
    if kind == "payments" and not Call.select().where(Call.record_id == "C1").exists():
        import_calls(calls_csv(",".join(_GOOD_ROWS["calls"])), tariffs)
    content = data.draw(_spoilt_row(kind), label="file")
    before = _snapshot()
    path, result = _cli(app, tmp_path, kind, content)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert f"{path}: line 2: " in result.output and "nothing was imported" in result.output
    assert _snapshot() == before


def test_a_file_the_system_cannot_read_is_named_not_a_traceback(app):
    # Reading /proc/self/mem from its start fails with an I/O error: a real one, like a disk's.
    result = app.test_cli_runner().invoke(args=["import-calls", "/proc/self/mem"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "/proc/self/mem: cannot be read (Input/output error)" in result.output


def test_a_naxcivan_line_and_its_calls_are_taken_in_like_any_other(db, tariffs):
    """036 (Naxçıvan) is a landline code as 012 is; an area no one names is still intercity."""
    import_lines(text_source(LINES_HEADER + "3NAXC03,Nərmin Əliyeva,036 544 12 34,2021-05-14\n"))
    result = import_calls(calls_csv(
        "X1,0365441234,0124931122,2026-10-03 09:00:00,60",  # to Baku
        "X2,0365441234,0365421234,2026-10-03 10:00:00,60",  # to Şərur
        "X3,0365441234,0365501234,2026-10-03 11:00:00,60",  # Naxçıvan city's other prefix
        "X4,0365441234,0365541234,2026-10-03 12:00:00,60",  # a Naxtel mobile
        "X5,0365441234,0461234567,2026-10-03 13:00:00,60",  # a fixed line in no named area
        "X6,0365441234,0074951234567,2026-10-03 14:00:00,60"), tariffs)
    assert (result.added, result.skipped) == (4, 2)
    assert dict(Call.select(Call.record_id, Call.kind).tuples()) == {
        "X1": "intercity", "X2": "intercity", "X5": "intercity", "X6": "international"}
    assert [line.number for line in PhoneLine.select()] == ["0365441234"]


@pytest.mark.parametrize("row, reason", [
    ("C1,0365511234,0124931122,2026-10-03 09:12:40,60",
     "calling number 0365511234 is not a landline number of Azerbaijan"),
    ("C1,0124931122,0301234567,2026-10-03 09:12:40,60", "not a phone number: 0301234567"),
])
def test_a_number_that_is_no_valid_number_is_still_refused(registry, tariffs, row, reason):
    problems = refused(import_calls, calls_csv(row), tariffs)
    assert len(problems) == 1 and problems[0][0] == 2 and reason in problems[0][1]


# --- Two operators importing at once ----------------------------------------------------
# The intake runs as a command; two operators (or a cron job and an operator) may start one
# each at the same moment. Each import is made to stop just before it writes, having read
# and checked its whole file, while the other one runs; each must then still be whole, and
# neither may undo or miss what the other wrote.

def _interleaved(first, second, wait=1.0):
    """Run `first(progress)` in a thread until it is about to write, then `second(progress)`
    in another; `first` writes once `second` has finished, or after `wait` seconds when
    `second` is held back until `first` commits (the imports taking turns). Returns each
    one's result or exception, in that order."""
    import threading

    from egov.backoffice.intake.writer import no_progress

    about_to_write, second_done = threading.Event(), threading.Event()
    outcomes = [None, None]

    def pausing(label, total):
        if label.startswith("Writing"):
            about_to_write.set()
            second_done.wait(wait)
        return no_progress(label, total)

    def run(index, importer, progress, done=None):
        try:
            outcomes[index] = importer(progress)
        except Exception as error:  # the test reads it
            outcomes[index] = error
        finally:
            database.close()  # this thread's connection, back to the pool
            if done:
                done.set()

    one = threading.Thread(target=run, args=(0, first, pausing))
    one.start()
    assert about_to_write.wait(10), outcomes[0]
    two = threading.Thread(target=run, args=(1, second, no_progress, second_done))
    two.start()
    one.join(30)
    two.join(30)
    return outcomes


INTERLEAVED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=BAKU)


def _holders(number):
    return [(p.citizen.fin, local(p.starts_at), p.ends_at and local(p.ends_at))
            for p in LineOwnership.select().join(PhoneLine).where(PhoneLine.number == number)
            .order_by(LineOwnership.starts_at)]


def test_two_handovers_of_one_number_at_once_make_one_chain_of_holders(registry):
    first = LINES_HEADER + "4NEW004,Ad Soyad,0124931122,2026-10-01\n"
    second = LINES_HEADER + "4NEW005,Başqa Ad,0124931122,2026-11-01\n"
    with time_machine.travel(INTERLEAVED_NOW, tick=True):
        outcomes = _interleaved(lambda p: import_lines(text_source(first), progress=p),
                                lambda p: import_lines(text_source(second), progress=p))
    assert [getattr(o, "summary", lambda: repr(o))() for o in outcomes] == [
        "1 added, 1 updated, 0 already there"] * 2
    assert _holders("0124931122") == [
        ("1SMPL01", "2021-05-14 00:00:00", "2026-10-01 00:00:00"),
        ("4NEW004", "2026-10-01 00:00:00", "2026-11-01 00:00:00"),
        ("4NEW005", "2026-11-01 00:00:00", None)]


def test_two_call_files_at_once_each_keep_their_rows_and_a_shared_record_is_added_once(
        registry, tariffs):
    first = calls_csv("A1,0124931122,0222564321,2026-11-02 09:00:00,60",
                      "AB,0124931122,0222564321,2026-11-02 10:00:00,61")
    second = calls_csv("AB,0124931122,0222564321,2026-11-02 10:00:00,61",
                       "B1,0222567788,0124931122,2026-11-03 11:00:00,62")
    with time_machine.travel(INTERLEAVED_NOW, tick=True):
        outcomes = _interleaved(lambda p: import_calls(first, tariffs, progress=p),
                                lambda p: import_calls(second, tariffs, progress=p))
    assert [getattr(o, "summary", lambda: repr(o))() for o in outcomes] == [
        "2 added, 0 already there", "1 added, 1 already there"]
    assert sorted(Call.select(Call.record_id, Call.duration_seconds).tuples()) == [
        ("A1", 60), ("AB", 61), ("B1", 62)]


@pytest.mark.parametrize("registry_first", [True, False], ids=["registry-first", "calls-first"])
def test_a_handover_and_a_call_file_at_once_leave_each_holder_only_their_calls(
        db, tariffs, client, auth, registry_first):
    """Nigar's line goes to Rauf on 10 November at 10:00 while another operator imports
    the line's calls of 5 and 15 November: whichever writes first, each sees only theirs."""
    import_lines(text_source(LINES_HEADER + "7NGAR03,Nigar Hüseynova,0125109876,2019-03-01\n"))
    handover = LINES_HEADER + "6RAUF02,Rauf Əliyev,0125109876,2026-11-10 10:00:00\n"
    calls = calls_csv("N1,0125109876,0202210000,2026-11-05 12:00:00,95",
                      "R1,0125109876,00995322123456,2026-11-15 12:00:00,44")
    registry_import = lambda p: import_lines(text_source(handover), progress=p)  # noqa: E731
    calls_import = lambda p: import_calls(calls, tariffs, progress=p)  # noqa: E731
    with time_machine.travel(INTERLEAVED_NOW, tick=True):
        importers = ((registry_import, calls_import) if registry_first
                     else (calls_import, registry_import))
        outcomes = [getattr(o, "summary", lambda: repr(o))() for o in _interleaved(*importers)]
        assert sorted(outcomes) == ["1 added, 1 updated, 0 already there",
                                    "2 added, 0 already there"]
        set_credentials("6RAUF02", "rauf", "rauf-pass-1")
        set_credentials("7NGAR03", "nigar", "nigar-pass-1")
        seen = {}
        for name in ("rauf", "nigar"):
            auth.login(name, f"{name}-pass-1")
            page = cells(text(client.get("/calls")))
            seen[name] = [r[3] for r in page if len(r) == 7 and r[0].isdigit()]
            auth.logout()
    assert seen == {"rauf": ["44"], "nigar": ["95"]}


def test_each_call_is_rated_on_the_plan_its_line_was_on(db, tariffs):
    """Leyla's line is on the 2020 flat plan (per second, 5 qəpik), Elçin's on the default
    (standard-2025: per started minute, 3 qəpik, a day band at noon on a Thursday)."""
    with time_machine.travel(datetime(2026, 10, 10, 8, 0), tick=False):
        import_lines(text_source(
            "fin,full_name,number,since,plan\n"
            "1SMPL01,Leyla Quliyeva,0124931122,2021-05-14,flat-2020\n"
            "2SMPL02,Elçin Babayev,0222567788,2018-09-01,\n"), tariffs=tariffs)
        import_calls(calls_csv("L1,0124931122,0222564321,2026-10-08 12:00:00,61",
                               "E1,0222567788,0124401234,2026-10-08 12:00:00,61"), tariffs)
    assert sorted(LineOwnership.select(LineOwnership.plan).tuples()) == [
        ("flat-2020",), ("standard-2025",)]  # Elçin's empty plan: the book's default
    rows = Call.select(Call.record_id, Call.plan, Call.band, Call.billed_seconds,
                       Call.amount_qepik).order_by(Call.record_id).tuples()
    # 61 s × 5 ÷ 60 = 5.08 → 5 qəpik; 2 started minutes × 3 = 6 qəpik.
    assert list(rows) == [("E1", "standard-2025", "day", 120, 6),
                          ("L1", "flat-2020", "flat", 61, 5)]


def test_a_call_the_book_has_no_price_for_is_named_with_its_plan(registry, tariffs):
    # Elçin's line is on the default plan, standard-2025, whose first price is of August 2025.
    with time_machine.travel(datetime(2026, 10, 10, 8, 0), tick=False):
        problems = refused(import_calls, calls_csv(
            "E2,0222567788,0124401234,2025-07-31 23:59:59,60"), tariffs)
    assert problems == [(2, "called number '0124401234': no intercity tariff for 0124401234 "
                            "on 2025-07-31 in plan standard-2025")]
    assert Call.select().count() == 0


@pytest.mark.parametrize("plan", ["premium-2030", "Flat-2020"])
def test_a_line_on_a_plan_the_book_does_not_have_is_refused(db, tariffs, plan):
    with time_machine.travel(datetime(2026, 10, 10, 8, 0), tick=False):
        problems = refused(lambda source: import_lines(source, tariffs=tariffs), text_source(
            "fin,full_name,number,since,plan\n"
            f"1SMPL01,Leyla Quliyeva,0124931122,2021-05-14,{plan}\n"))
    assert problems == [(2, f"plan '{plan}' is not a plan of the tariff book (data/plans.csv)")]
    assert LineOwnership.select().count() == 0


def test_a_hidden_character_in_one_row_does_not_hide_the_problems_of_the_rows_after_it(
        registry, tariffs):
    """The operator fixes a refused file once: every row's problem is named in one answer,
    those after a row with an invisible character too."""
    assert refused(import_calls, calls_csv(
        "C\u202e1,0124931122,0222564321,2026-10-03 09:12:40,60",
        "C2,0124931122,0222564321,2026-10-03 09:20:00,sixty",
        "C3,0124931122,0222564321,2026-10-03 09:30:00,60\u00ad"), tariffs) == [
        (2, "record id has an invisible or control character, U+202E (RIGHT-TO-LEFT "
            "OVERRIDE), at position 2; type the value again without it"),
        (3, "duration 'sixty' is not a whole number (digits 0-9 only)"),
        (4, "duration seconds has an invisible or control character, U+00AD (SOFT HYPHEN), "
            "at position 3; type the value again without it")]
    assert Call.select().count() == 0
