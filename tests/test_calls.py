"""The report of picture 5: only your own lines, this month, exactly as the manual shows."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from egov.models import LineOwnership, PhoneLine, Service
from egov.telephony.access import HOLDINGS
from egov.telephony.reports import CALLS_WITH_CLAIMS
from egov.timeutil import baku_full_date, baku_time

from .support.pages import HTMX, SERVICE, cells, text
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def report_reads_built_anew():
    """The report's query and the holdings read are built once per process
    (egov.db.SameShape): each test here builds them itself, or mutmut, running a test
    after others in one process, sees none of what it changes in them."""
    built_anew(CALLS_WITH_CLAIMS, HOLDINGS)


def test_picture_5(client, signed_in_demo):
    page = text(client.get("/calls"))
    assert SERVICE in page
    for label in ("Əks əlaqə", "Video təlimat", "İstifadə Təlimatı", "Reklamasiya",
                  "İstifadə sayı"):
        assert label in page
    assert "Bildiriş!" in page
    assert re.search(r"Telefon: <strong>012 440 12 34</strong>", page)
    rows = cells(page)
    assert rows[0] == ["#", "Tarix", "Vaxt", "Müddət (saniyə)", "Nömrə", "Məbləğ (AZN)", "Ödəniş*"]
    body = [r for r in rows[1:] if r[0].isdigit() and len(r) == 7 and r[2]]
    assert [(r[3], r[5], r[6]) for r in body] == [
        ("72", "0,28", "-ödənilməyib"),
        ("20", "0,02", "-ödənilməyib"),
        ("286", "0,24", "-ödənilməyib"),
        ("108", "0,09", "-ödənilməyib"),
        ("35", "0,17", "-ödənilməyib"),
    ]
    # Days and times are picture 5's once the month has reached the 22nd (test_demo.py);
    # here: this month's, in time order.
    month = signed_in_demo
    assert all(r[1].endswith(f".{month.month:02d}") for r in body)
    assert [(r[1][:2], r[2]) for r in body] == sorted((r[1][:2], r[2]) for r in body)
    summary = [r for r in rows if len(r) == 4]
    assert summary == [["3", "Şəhərlərarası", "0,35", ""], ["2", "Beynəlxalq", "0,45", ""],
                       ["5", "Ödənilməyib", "0,80", ""], ["0", "Ödənilib", "0,00", ""],
                       ["5", "Cəmi", "0,80", ""]]
    assert 'id="payment-note"' in page and "ödəniş hələ daxil olmayıb" in page


def test_second_line_has_paid_and_unpaid_calls(client, signed_in_demo):
    # At DEMO_NOW its December calls: a Saturday 125 s call to Baku (3 min × 3 × 0.8 = 7)
    # and 61 s to Moscow (2 min × 20) paid; 600 s to Ganja on a Tuesday (10 min × 3) and
    # 15 s to Istanbul (1 min × 20) not yet.
    page = text(client.get("/calls?line=0183456789"))
    summary = [r for r in cells(page) if len(r) == 4]
    assert summary == [["2", "Şəhərlərarası", "0,37", ""], ["2", "Beynəlxalq", "0,60", ""],
                       ["2", "Ödənilməyib", "0,50", ""], ["2", "Ödənilib", "0,47", ""],
                       ["4", "Cəmi", "0,97", ""]]


def test_choosing_a_line_swaps_only_the_table(client, signed_in_demo):
    fragment = text(client.get("/calls?line=0183456789",
                               headers={**HTMX, "HX-Target": "call-report"}))
    assert "<html" not in fragment and "Bildiriş!" not in fragment
    assert "Telefon: <strong>018 345 67 89</strong>" in fragment


def test_a_table_swapped_in_alone_brings_the_claim_link_of_its_line_and_month(
        client, signed_in_demo):
    """The toolbar stays when htmx swaps the table: its «Reklamasiya» comes along out of
    band, or it would still claim on the line and month shown before."""
    fragment = text(client.get("/calls?line=0183456789&month=2026-11",
                               headers={**HTMX, "HX-Target": "call-report"}))
    links = [" ".join(link.split()) for link in re.findall(r'<a [^>]*id="claim-link"[^>]*>',
                                                            fragment)]
    assert links == ['<a href="/calls/claims/new?line=0183456789&amp;month=2026-11" '
                     'id="claim-link" data-hx-get="/calls/claims/new?line=0183456789&amp;'
                     'month=2026-11" data-hx-target="#main" data-hx-push-url="true" '
                     'data-hx-swap-oob="true">']
    # A whole page, or the service opened in place, has it once: in its toolbar.
    for headers in ({}, {**HTMX, "HX-Target": "main"}):
        page = text(client.get("/calls?line=0183456789&month=2026-11", headers=headers))
        links = re.findall(r'<a [^>]*id="claim-link"[^>]*>', page)
        assert len(links) == 1 and "hx-swap-oob" not in links[0]
        assert 'href="/calls/claims/new?line=0183456789&amp;month=2026-11"' in links[0]


def test_the_line_chooser_is_a_plain_get_form(client, signed_in_demo):
    page = text(client.get("/calls"))
    form = re.search(r'<form class="report-options" method="get" action="/calls".*?</form>',
                     page, re.S)
    assert form and 'name="line"' in form.group(0) and 'type="submit"' in form.group(0)


def test_service_opens_in_place_from_the_catalogue(client, signed_in_demo):
    fragment = text(client.get("/calls", headers={**HTMX, "HX-Target": "main"}))
    assert "<html" not in fragment and "<title>" in fragment and "Bildiriş!" in fragment


def test_another_citizens_line_by_url_is_404_and_shows_nothing(client, signed_in_demo):
    response = client.get("/calls?line=0125109876")  # Rauf's line
    page = text(response)
    assert response.status_code == 404
    assert "0125109876" not in page and "012 510 98 76" not in page and "<table" not in page


def test_a_tampered_line_parameter_is_404(client, signed_in_demo):
    for value in ("' OR 1=1 --", "0124401234 ", "x" * 500):
        assert client.get("/calls", query_string={"line": value}).status_code == 404


def test_new_owner_sees_only_calls_from_the_handover(client, auth, demo):
    auth.login("rauf", "rauf-demo-1")
    page = text(client.get("/calls"))
    since = LineOwnership.get(LineOwnership.ends_at.is_null()
                              & (LineOwnership.line == PhoneLine.get(number="0125109876"))
                              ).starts_at
    # The day and the minute of the handover: on that day both holders had calls.
    since_text = f"{baku_full_date(since)} {baku_time(since)}"
    assert f"Bu nömrə {since_text} tarixindən sizin adınızadır" in page
    durations = [r[3] for r in cells(page) if len(r) == 7 and r[0].isdigit()]
    assert durations == ["44", "180"]
    assert "95" not in durations and "310" not in durations


def test_previous_owner_sees_only_her_own_part(client, auth, demo):
    auth.login("nigar", "nigar-demo-1")
    page = text(client.get("/calls"))
    assert re.search(r"Bu nömrə \d\d\.\d\d\.\d{4} \d\d:\d\d tarixinədək sizin adınıza olub", page)
    assert [r[3] for r in cells(page) if len(r) == 7 and r[0].isdigit()] == ["95", "310"]


def test_the_month_boundary_is_baku_midnight(client, auth, world):
    citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    line = world.line("0124401234", citizen)
    world.call(line, world.month.start - timedelta(minutes=1), seconds=41)  # 23:59 last month
    world.call(line, world.month.start, seconds=42)  # 00:00 on the 1st
    auth.login("sinaq", "sinaq-parol-1")
    rows = [r for r in cells(text(client.get("/calls"))) if len(r) == 7 and r[0].isdigit()]
    assert [(r[1][:2], r[2], r[3]) for r in rows] == [("01", "00:00", "42")]


def test_a_line_held_from_the_first_minute_of_the_month_has_no_notice(client, auth, world):
    """On 15 December 2026 Sınaq has held the line since 00:00 on 1 December in Baku (20:00
    UTC the day before), and holds it still: the whole month is hers, so her report says
    neither since when nor until when the number is hers, and shows the call made at that
    minute, not the one a minute earlier (the previous holder's)."""
    with time_machine.travel(datetime(2026, 12, 15, 6, 0, tzinfo=timezone.utc), tick=False):
        previous = world.citizen("4DDDDDD", "Əvvəlki")
        citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
        line = world.line("0124401234", previous, datetime(2025, 1, 1))
        world.line("0124401234", citizen, datetime(2026, 11, 30, 20, 0))
        world.call(line, datetime(2026, 11, 30, 19, 59), seconds=41)  # 30.11 23:59 in Baku
        world.call(line, datetime(2026, 11, 30, 20, 0), seconds=42)  # 01.12 00:00 in Baku
        auth.login("sinaq", "sinaq-parol-1")
        page = text(client.get("/calls"))
    assert "<caption id=\"calls-caption\">dekabr 2026 ayında" in page
    rows = [r for r in cells(page) if len(r) == 7 and r[0].isdigit()]
    assert [(r[1], r[2], r[3]) for r in rows] == [("01.12", "00:00", "42")]
    assert "tarixindən sizin adınızadır" not in page
    assert "tarixinədək sizin adınıza olub" not in page


def test_calls_are_listed_by_when_they_were_made_not_by_when_they_were_imported(
        client, auth, world):
    citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    line = world.line("0124401234", citizen)
    world.call(line, world.in_month(minutes=3), seconds=43)
    world.call(line, world.in_month(minutes=1), seconds=41)  # in a file the operator sent late
    world.call(line, world.in_month(minutes=2), seconds=42)
    auth.login("sinaq", "sinaq-parol-1")
    rows = [r for r in cells(text(client.get("/calls"))) if len(r) == 7 and r[0].isdigit()]
    assert [(r[0], r[3]) for r in rows] == [("1", "41"), ("2", "42"), ("3", "43")]


def test_an_empty_month_says_so_instead_of_an_empty_table(client, auth, world):
    citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    world.line("0124401234", citizen)
    auth.login("sinaq", "sinaq-parol-1")
    page = text(client.get("/calls"))
    assert "danışıq aparılmayıb" in page and "<table" not in page


def test_a_citizen_without_lines_is_told_so(client, auth, world):
    world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    auth.login("sinaq", "sinaq-parol-1")
    page = text(client.get("/calls"))
    assert "ayında sizin adınıza qeydiyyatda olan telefon nömrəsi olmayıb" in page
    assert "<table" not in page


def test_usage_count_counts_one_use_per_sign_in(client, auth, signed_in_demo, db):
    first = text(client.get("/calls"))
    text(client.get("/calls?line=0183456789"))  # switching line, reloading: the same use
    again = text(client.get("/calls"))
    assert "İstifadə sayı: <strong>1</strong>" in first
    assert "İstifadə sayı: <strong>1</strong>" in again
    auth.logout()
    auth.login()
    assert "İstifadə sayı: <strong>2</strong>" in text(client.get("/calls"))
    assert Service.get(Service.endpoint == "calls.report").usage_count == 2


def test_personal_pages_are_not_stored_by_caches(client, signed_in_demo):
    assert client.get("/calls").headers["Cache-Control"] == "no-store"


def test_htmx_request_while_signed_out_navigates_to_sign_in(client, demo):
    response = client.get("/calls", headers={**HTMX, "HX-Target": "main"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/auth/login?next=/calls"


@pytest.mark.parametrize("href, label", [
    ("/calls/feedback", "Əks əlaqə"), ("/calls/video", "Video təlimat"),
    ("/calls/manual", "İstifadə Təlimatı"),
    ("/calls/claims/new?line=0124401234&amp;month=2026-12", "Reklamasiya")])
def test_each_toolbar_button_leads_to_its_page(client, signed_in_demo, href, label):
    toolbar = text(client.get("/calls")).split('class="toolbar"')[1].split("</nav>")[0]
    assert re.search(rf'<a href="{re.escape(href)}"[^>]*>{label}</a>', toolbar)
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 200 and label in text(response)


def test_a_line_reassigned_to_a_new_owner_disappears_from_the_old_owners_report(
        client, auth, world, db):
    old = world.citizen("3CCCCCC", "Köhnə", "kohne", "kohne-parol-1")
    new = world.citizen("4DDDDDD", "Yeni")
    world.line("0124401234", old)
    world.line("0124401234", new, world.month.start - timedelta(days=1))
    auth.login("kohne", "kohne-parol-1")
    assert client.get("/calls?line=0124401234").status_code == 404


def test_the_report_sends_at_most_four_statements(client, signed_in_demo, monkeypatch):
    """Session with its citizen, lines, calls with their claims, and on the first view after a
    sign-in the usage count's write, read back with it: the report's whole cost in SQL,
    nothing else sent (no ping to check the connection; BEGIN and COMMIT are not counted).

    A query per call or per line would grow with the citizen's data; this stays flat."""
    from egov.db import database

    statements = []
    original = type(database.obj).execute_sql
    # On PostgreSQL the reads run as prepared statements (EXECUTE, or PREPARE and EXECUTE in
    # one round trip on a connection's first run): each is one statement sent.
    reads = {"EXECUTE": "SELECT", "PREPARE": "SELECT"}
    monkeypatch.setattr(type(database.obj), "execute_sql", lambda self, sql, *a, **k: (
        statements.append(reads.get(sql.split(" ", 1)[0], sql.split(" ", 1)[0])),
        original(self, sql, *a, **k))[1])
    client.get("/services")  # the catalogue is read once per process, here
    seen = []
    for path in ("/calls", "/calls", "/calls?line=0183456789"):
        statements.clear()
        assert client.get(path).status_code == 200
        seen.append(list(statements))
    assert seen == [["SELECT", "SELECT", "UPDATE", "SELECT"],
                    ["SELECT", "SELECT", "SELECT"],
                    ["SELECT", "SELECT", "SELECT"]]


def test_this_month_is_bakus_month_in_the_first_hours_of_a_baku_month(client, auth, world):
    """At 21:00 UTC on 30 November it is already 1 December, 01:00 in Baku.

    The whole process clock is frozen there (time-machine), not a function of ours:
    however the code reads the time, it reads this moment."""
    citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    line = world.line("0124401234", citizen)
    world.call(line, datetime(2026, 11, 30, 10, 0), seconds=11)   # 30.11 14:00 in Baku
    world.call(line, datetime(2026, 11, 30, 19, 59), seconds=22)  # 30.11 23:59 in Baku
    world.call(line, datetime(2026, 11, 30, 20, 30), seconds=33)  # 01.12 00:30 in Baku
    with time_machine.travel(datetime(2026, 11, 30, 21, 0, tzinfo=timezone.utc), tick=False):
        auth.login("sinaq", "sinaq-parol-1")
        page = text(client.get("/calls"))
        export = client.get("/calls/export.csv?line=0124401234")
    assert "<caption id=\"calls-caption\">dekabr 2026 ayında" in page
    assert '<option value="2026-12" selected>dekabr 2026</option>' in page
    rows = [r for r in cells(page) if len(r) == 7 and r[0].isdigit()]
    assert [(r[1], r[2], r[3]) for r in rows] == [("01.12", "00:30", "33")]
    assert "zengler-0124401234-2026-12.csv" in export.headers["Content-Disposition"]


def test_in_january_its_report_opens_and_a_malformed_month_is_not_found(client, auth, world):
    """On 15 January 2027 the open months are 2027-01 back to 2026-10: «?month=2027-01»
    (month 1, the edge of 1–12) is January's report, and a month not written as yyyy-mm is
    no page of the citizen's: 404, not a server error."""
    with time_machine.travel(datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc), tick=False):
        citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
        line = world.line("0124401234", citizen)
        world.call(line, datetime(2026, 12, 10, 8, 0), seconds=55)  # 10.12.2026 12:00 in Baku
        world.call(line, datetime(2027, 1, 10, 8, 0), seconds=44)  # 10.01.2027 12:00 in Baku
        auth.login("sinaq", "sinaq-parol-1")
        january = text(client.get("/calls?month=2027-01"))
        malformed = {month: client.get(f"/calls?month={month}").status_code
                     for month in ("2027-1a", "2027-ab", "20x7-01", "2027-13", "2027-00")}
    assert "<caption id=\"calls-caption\">yanvar 2027 ayında" in january
    rows = [r for r in cells(january) if len(r) == 7 and r[0].isdigit()]
    assert [(r[1], r[2], r[3]) for r in rows] == [("10.01", "12:00", "44")]
    assert malformed == {"2027-1a": 404, "2027-ab": 404, "20x7-01": 404, "2027-13": 404,
                         "2027-00": 404}
