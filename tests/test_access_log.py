"""egov.access_log and «Məlumatlarıma kim baxıb?»: each kind of access leaves exactly one
entry with the right who, what and why; each person sees only their own part of it; and
on PostgreSQL the database itself refuses to rewrite or remove an entry."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from peewee import DatabaseError

from egov import access_log
from egov.backoffice.intake import import_calls, text_source
from egov.backoffice.staff_accounts import create_staff
from egov.db import database, is_postgres
from egov.demo import AYSEL_FIRST_LINE, DEMO_STAFF
from egov.identity.citizens import set_credentials
from egov.models import AccessEntry, Citizen, Claim, StaffMember
from egov.telephony.billing import load_tariffs
from egov.timeutil import utcnow
from egov.identity.sessions import SESSION_BY_TOKEN

from .conftest import DATA_DIR, StaffActions
from .support.claims import call_ids, file_claim, post_claim
from .support.pages import csrf_token, text
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def session_reads_built_anew():
    """The session reads are built once per process (egov.db.SameShape): each test here
    builds them itself, or mutmut, running a test after others in one process, sees none
    of what a mutant of `sessions._with_owner` changes in them."""
    built_anew(*SESSION_BY_TOKEN.values())


HX = {"HX-Request": "true"}


def new_entries(since):
    return list(AccessEntry.select().where(AccessEntry.id > since).order_by(AccessEntry.id))


def last_id():
    return AccessEntry.select(AccessEntry.id).order_by(AccessEntry.id.desc()).scalar() or 0


@pytest.fixture
def aysel(demo, auth, db):
    auth.login()
    return Citizen.get(username="aysel")


def test_a_password_sign_in_is_one_entry_with_means_browser_and_address(client, demo, auth, db):
    mark = last_id()
    client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 YaBrowser/24.1.0.0 Safari/537.36")
    auth.login()
    [entry] = new_entries(mark)
    assert (entry.citizen.username, entry.actor_kind, entry.action, entry.detail) == (
        "aysel", "citizen", access_log.SIGN_IN, "password")
    assert entry.address == "127.0.0.1" and entry.browser == "Yandex Browser"


def test_the_citizens_own_report_views_write_nothing(client, aysel):
    mark = last_id()
    for path in ("/calls", "/calls?line=0183456789", "/calls", "/account/access-log"):
        assert client.get(path).status_code == 200
    assert new_entries(mark) == []


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_an_export_is_one_entry_naming_the_line_and_format(client, aysel, fmt):
    mark = last_id()
    assert client.get(f"/calls/export.{fmt}?line={AYSEL_FIRST_LINE}").status_code == 200
    [entry] = new_entries(mark)
    assert (entry.citizen_id, entry.actor_kind, entry.action, entry.reason, entry.detail) == (
        aysel.id, "citizen", access_log.EXPORT, AYSEL_FIRST_LINE, fmt.upper())


def test_filing_a_claim_is_one_entry_with_its_reference(client, aysel):
    mark = last_id()
    assert post_claim(client, AYSEL_FIRST_LINE, call_ids(aysel, AYSEL_FIRST_LINE)[:1]
                      ).status_code == 302
    [entry] = new_entries(mark)
    assert (entry.action, entry.reason, entry.detail) == (
        access_log.CLAIM_FILED, Claim.get().reference, AYSEL_FIRST_LINE)


def test_staff_opening_and_answering_a_claim_are_one_entry_each(app, demo, db):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0, 1])
    staff_client = app.test_client()
    StaffActions(staff_client).login()
    member = StaffMember.get(username=DEMO_STAFF["username"])
    mark = last_id()
    assert staff_client.get(f"/staff/claims/{claim.reference}").status_code == 200
    [opened] = new_entries(mark)
    assert (opened.citizen.username, opened.actor_kind, opened.actor_staff, opened.actor_name,
            opened.action, opened.reason) == (
        "aysel", "staff", member.id, member.full_name, access_log.CLAIM_OPENED, claim.reference)
    mark = last_id()
    token = csrf_token(staff_client, f"/staff/claims/{claim.reference}")
    mark = last_id()  # the GET for the token opened it once more
    response = staff_client.post(f"/staff/claims/{claim.reference}", data={
        "csrf_token": token, "decision": "reject", "answer": "Zənglər qeydə alınıb."})
    assert response.status_code == 302
    [answered] = new_entries(mark)
    assert (answered.action, answered.reason, answered.detail, answered.actor_name) == (
        access_log.CLAIM_ANSWERED, claim.reference, Claim.REJECTED, member.full_name)


def _answers_shown_again(claim, member):
    """Posts to a claim's page that answer with the page itself (the claim, the citizen's
    name, the disputed calls): each is a look at the citizen's data."""
    from egov.telephony import charge_claims

    row = claim.claim_calls.get()
    yield "only the token", {}, 400
    yield "reject without an answer", {"decision": "reject", "answer": ""}, 400
    yield "a bad amount", {"decision": "accept", f"amount-{row.id}": "on qəpik"}, 400
    charge_claims.start_review(claim, member, "Baxırıq.")  # a colleague, meanwhile
    yield "decided meanwhile", {"decision": "reject", "answer": "Yox.", "seen": "received"}, 409


def test_every_page_showing_a_claim_to_staff_is_one_entry_whatever_the_method(app, demo, db):
    """Not only a GET: a POST answered with the page shows the same data."""
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    staff_client = app.test_client()
    StaffActions(staff_client).login()
    member = StaffMember.get(username=DEMO_STAFF["username"])
    token = csrf_token(staff_client, "/staff/claims")
    for what, fields, status in _answers_shown_again(claim, member):
        mark = last_id()
        response = staff_client.post(f"/staff/claims/{claim.reference}",
                                     data={"csrf_token": token, **fields})
        assert response.status_code == status, what
        assert "Aysel Məmmədova" in text(response), what
        assert [(e.citizen.username, e.actor_staff, e.action, e.reason)
                for e in new_entries(mark)] == [
            ("aysel", member.id, access_log.CLAIM_OPENED, claim.reference)], what
    # Refused for its missing token, the post shows nothing of the claim, and is not a look.
    mark = last_id()
    refused = staff_client.post(f"/staff/claims/{claim.reference}", data={"decision": "review"})
    assert refused.status_code == 400 and "Aysel" not in text(refused)
    assert new_entries(mark) == []


CALLS_HEADER = "record_id,calling_number,called_number,started_at,duration_seconds\n"


def test_an_import_is_one_entry_per_citizen_not_per_call(world, db):
    tariffs = load_tariffs(DATA_DIR)
    one, two = world.citizen("1AAAAAA", "Bir"), world.citizen("2BBBBBB", "İki")
    world.line("0124930001", one)
    world.line("0124930002", one)
    world.line("0124930003", two)
    day = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%d")
    rows = [f"C{i},012493000{1 + i % 3},0222564321,{day} 09:0{i}:00,60" for i in range(7)]
    mark = last_id()
    import_calls(text_source(CALLS_HEADER + "\n".join(rows)), tariffs, file_name="cdr-11.csv")
    entries = new_entries(mark)
    assert sorted((e.citizen_id, e.actor_kind, e.actor_name, e.action, e.detail)
                  for e in entries) == [
        (one.id, "import", "cdr-11.csv", access_log.CALLS_IMPORTED, "5"),
        (two.id, "import", "cdr-11.csv", access_log.CALLS_IMPORTED, "2")]
    mark = last_id()  # the same file again adds no calls, so no entry
    import_calls(text_source(CALLS_HEADER + "\n".join(rows)), tariffs, file_name="cdr-11.csv")
    assert new_entries(mark) == []


def test_ending_other_sessions_kills_a_copied_cookie_and_is_logged(app, client, aysel):
    elsewhere = app.test_client()
    from .conftest import AuthActions
    AuthActions(elsewhere).login()
    copied = app.test_client()
    cookie = elsewhere.get_cookie("egov_session")
    copied.set_cookie("egov_session", cookie.value)
    assert copied.get("/calls").status_code == 200  # the copy works, as the original would
    mark = last_id()
    token = csrf_token(client, "/account/access-log")
    response = client.post("/account/sessions/end-others", data={"csrf_token": token},
                           follow_redirects=True)
    assert "Digər sessiyalarınız bitirildi: 1." in text(response)
    for other in (elsewhere, copied):
        assert other.get("/calls").headers["Location"].startswith("/auth/login")
    assert client.get("/calls").status_code == 200  # this browser stays signed in
    [entry] = new_entries(mark)
    assert (entry.citizen_id, entry.action, entry.detail) == (
        aysel.id, access_log.SESSIONS_ENDED, "1")


def test_the_page_shows_others_newest_first_and_not_the_citizens_own(app, client, aysel):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    StaffActions(staff := app.test_client()).login()
    staff.get(f"/staff/claims/{claim.reference}")
    page = text(client.get("/account/access-log"))
    assert "Məlumatlarıma kim baxıb?" in page
    others = page.split('id="access-entries"')[1].split("</tbody>")[0]
    assert others.index("Leyla Quliyeva") < others.index("calls.csv")  # newest first
    assert claim.reference in others and "Operatorun məlumat idxalı" in others
    assert "istifadəçi adı və şifrə" not in others  # her own sign-in is in the other list
    sign_ins = page.split('class="sign-ins"')[1]
    assert "istifadəçi adı və şifrə" in sign_ins and "127.0.0.1" in sign_ins


def test_the_page_is_linked_from_the_header_of_every_signed_in_page(client, aysel):
    for path in ("/calls", "/services"):
        assert 'href="/account/access-log">Məlumatlarıma kim baxıb?</a>' in text(client.get(path))


def test_more_entries_come_a_page_at_a_time_with_and_without_htmx(client, aysel):
    access_log.calls_imported("bulk.csv", {aysel.id: 1})
    for n in range(access_log.PAGE_SIZE + 3):
        access_log.calls_imported(f"f{n:02d}.csv", {aysel.id: n + 1})
    first = text(client.get("/account/access-log"))
    assert "f22.csv" in first and "f03.csv" in first and "f02.csv" not in first
    more = re.search(r'href="(/account/access-log\?before=\d+)"', first).group(1)
    plain = text(client.get(more))  # without JavaScript: the next page, whole
    assert "<html" in plain and "f02.csv" in plain and "f03.csv" not in plain
    fragment = text(client.get(more, headers={**HX, "HX-Target": "access-more"}))
    assert "<html" not in fragment and "<tr>" in fragment and "f00.csv" in fragment
    assert "bulk.csv" in fragment and "calls.csv" in fragment and "Daha çox" not in fragment


def test_another_citizens_entries_are_never_shown_even_by_url(app, client, aysel):
    nigar = Citizen.get(username="nigar")
    [theirs] = [access_log.calls_imported("nigar-only.csv", {nigar.id: 3}) and
                AccessEntry.select().order_by(AccessEntry.id.desc()).get()]
    assert "nigar-only.csv" not in text(client.get("/account/access-log"))
    for cursor in (str(theirs.id), "x1", "²", "9" * 30):
        response = client.get(f"/account/access-log?before={cursor}")
        assert response.status_code == 404 and "nigar-only.csv" not in text(response)


def test_the_page_needs_a_citizen_and_staff_see_only_their_own_actions(app, client, demo, db):
    assert client.get("/account/access-log").headers["Location"].startswith("/auth/login")
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    create_staff("ikinci", "İkinci Əməkdaş", "ikinci-parol-1")
    first, second = app.test_client(), app.test_client()
    StaffActions(first).login()
    StaffActions(second).login("ikinci", "ikinci-parol-1")
    first.get(f"/staff/claims/{claim.reference}")
    assert claim.reference in text(first.get("/staff/my-actions"))
    theirs = text(second.get("/staff/my-actions"))
    assert claim.reference not in theirs and "Hələ qeyd yoxdur." in theirs
    assert second.get("/account/access-log").headers["Location"].startswith("/auth/login")


def test_the_sign_in_list_shows_each_of_the_four_means(visitor, db):
    set_credentials("5AYSL01", "aysel", "aysel-demo-1")
    visitor.sign_in_with_asan()
    visitor.sign_out()
    visitor.sign_in_with_eimza()
    visitor.sign_out()
    visitor.sign_in_with_egov()
    visitor.sign_out()
    visitor.get("/auth/login")
    visitor.submit({"username": "aysel", "password": "aysel-demo-1"},
                   action="/auth/login/password")
    sign_ins = visitor.get("/account/access-log").text.split('class="sign-ins"')[1]
    rows = re.findall(r"<tr><td[^>]*>.*?</tr>", sign_ins, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    assert [row[1] for row in cells] == [
        "istifadəçi adı və şifrə", "e-gov identity", "elektron imza", "asan imza"]
    # the browser's family as ua-parser names it, not the raw User-Agent
    assert [row[2] for row in cells] == ["Python Requests"] * 4


def test_prune_removes_only_entries_past_the_retention_and_says_how_many(app, aysel):
    old = AccessEntry.get(AccessEntry.action == access_log.SIGN_IN)
    keep = last_id()
    # An entry written long ago, the way the application writes (insert only).
    AccessEntry.insert(at=utcnow() - timedelta(days=400), citizen=aysel, actor_kind="citizen",
                       action=access_log.SIGN_IN, detail="password").execute()
    result = app.test_cli_runner().invoke(args=["prune-access-log"])
    assert result.exit_code == 0, result.output
    assert "Pruned 1 access-log entries older than 12 months" in result.output
    assert last_id() == keep and AccessEntry.get_by_id(old.id)
    result = app.test_cli_runner().invoke(args=["prune-access-log"])
    assert "Pruned 0 access-log entries" in result.output


@pytest.mark.skipif("not __import__('os').environ.get('TEST_DATABASE_URL')",
                    reason="the append-only trigger is PostgreSQL's only: production runs "
                    "on PostgreSQL alone (egov/config.py refuses SQLite there), and the "
                    "development database has none")
def test_postgresql_refuses_to_update_or_delete_an_entry(aysel):
    assert is_postgres()
    entry = AccessEntry.get(AccessEntry.action == access_log.SIGN_IN)
    for statement in (AccessEntry.update(detail="asan").where(AccessEntry.id == entry.id),
                      AccessEntry.delete().where(AccessEntry.id == entry.id)):
        with pytest.raises(DatabaseError, match="append-only"):
            with database.atomic():
                statement.execute()
    assert AccessEntry.get_by_id(entry.id).detail == "password"
    # Nor may the prune's permission reach a recent entry.
    assert access_log.prune(months=1) == 0 and AccessEntry.get_by_id(entry.id)


# --- Repeated views read as one line; every entry is kept -----------------------------

VIEWED = "Reklamasiyaya və etiraz edilən zənglərə baxdı"


def others_rows(client, path="/account/access-log"):
    """The rows of «Məlumatlarınıza kim baxıb», each as its cells' text."""
    page = text(client.get(path))
    body = page.split('id="access-entries"')[1].split("</tbody>")[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def baku(hour, minute, second=0, day=10):
    """A moment of March 2026 in Baku time (UTC+4), as the log stores it (naive UTC)."""
    return datetime(2026, 3, day, hour, minute, second) - timedelta(hours=4)


def viewed_at(*moments, staff=None, claim=None, action=access_log.CLAIM_OPENED):
    """The employee opens (or answers) the claim at each moment, as the staff desk writes it."""
    detail = Claim.REJECTED if action == access_log.CLAIM_ANSWERED else ""
    for moment in moments:
        with time_machine.travel(moment.replace(tzinfo=timezone.utc), tick=False):
            access_log.staff_acted(staff, claim.citizen, action, reason=claim.reference,
                                   detail=detail)



@pytest.fixture
def desk(aysel):
    """Aysel's claim and the operator's employee who opens it (the demo's import of her
    calls is the oldest line of her log)."""
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    return claim, StaffMember.get(username=DEMO_STAFF["username"])


def test_views_up_to_ten_minutes_before_the_latest_are_one_line(client, desk):
    claim, leyla = desk
    mark = last_id()
    viewed_at(baku(14, 0), baku(14, 4, 30), baku(14, 10), staff=leyla, claim=claim)
    rows = others_rows(client)
    assert rows[0] == ["10.03.2026 14:00–14:10", "Leyla Quliyeva (operatorun əməkdaşı)",
                       f"{VIEWED} (3 dəfə)", claim.reference]
    assert "calls.csv" in rows[1][1] and len(rows) == 2
    assert len(new_entries(mark)) == 3  # every view is kept


def test_a_view_a_second_more_than_ten_minutes_earlier_is_a_line_of_its_own(client, desk):
    claim, leyla = desk
    viewed_at(baku(14, 0), baku(14, 10, 1), staff=leyla, claim=claim)
    rows = others_rows(client)
    assert [row[0] for row in rows[:2]] == ["10.03.2026 14:10", "10.03.2026 14:00"]
    assert rows[0][2] == rows[1][2] == VIEWED


def test_views_within_one_minute_show_one_time_and_across_midnight_both_dates(client, desk):
    claim, leyla = desk
    viewed_at(baku(23, 55, day=9), baku(23, 58, day=9), baku(0, 3), staff=leyla, claim=claim)
    viewed_at(baku(9, 0, 5), baku(9, 0, 50), staff=leyla, claim=claim)
    rows = others_rows(client)
    assert [row[0] for row in rows[:2]] == ["10.03.2026 09:00",
                                           "09.03.2026 23:55–10.03.2026 00:03"]
    assert [row[2] for row in rows[:2]] == [f"{VIEWED} (2 dəfə)", f"{VIEWED} (3 dəfə)"]


def test_an_answer_another_employee_or_another_claim_starts_a_new_line(app, client, desk):
    claim, leyla = desk
    other_claim = file_claim("aysel", AYSEL_FIRST_LINE, [1])
    kamran = create_staff("kamran", "Kamran Rəhimov", "kamran-parol-1")
    viewed_at(baku(14, 0), staff=leyla, claim=claim)
    viewed_at(baku(14, 1), staff=leyla, claim=claim, action=access_log.CLAIM_ANSWERED)
    viewed_at(baku(14, 2), baku(14, 3), staff=leyla, claim=claim)
    viewed_at(baku(14, 4), staff=kamran, claim=claim)
    viewed_at(baku(14, 5), staff=leyla, claim=other_claim)
    viewed_at(baku(14, 6), staff=leyla, claim=claim)
    rows = others_rows(client)[:6]
    assert [(row[0][-5:], row[1].split(" (")[0], row[2], row[3]) for row in rows] == [
        ("14:06", "Leyla Quliyeva", VIEWED, claim.reference),
        ("14:05", "Leyla Quliyeva", VIEWED, other_claim.reference),
        ("14:04", "Kamran Rəhimov", VIEWED, claim.reference),
        ("14:03", "Leyla Quliyeva", f"{VIEWED} (2 dəfə)", claim.reference),
        ("14:01", "Leyla Quliyeva", "Reklamasiyaya cavab verdi", claim.reference),
        ("14:00", "Leyla Quliyeva", VIEWED, claim.reference)]


def test_each_render_of_the_staff_page_is_kept_and_read_as_one_line(app, client, desk):
    claim, _ = desk
    staff_client = app.test_client()
    StaffActions(staff_client).login()
    mark = last_id()
    for language in ("az", "en", "ru"):  # a page, and each change of language, is a view
        staff_client.get(f"/staff/claims/{claim.reference}?lang={language}")
    assert len(new_entries(mark)) == 3
    assert others_rows(client)[0][2] == f"{VIEWED} (3 dəfə)"


def test_a_page_is_twenty_lines_and_never_ends_inside_one(client, desk):
    claim, leyla = desk
    for n in range(access_log.PAGE_SIZE + 3):  # 23 lines of two views, 20 minutes apart
        start = baku(8, 0) + timedelta(minutes=20 * n)
        viewed_at(start, start + timedelta(minutes=1), staff=leyla, claim=claim)
    first = others_rows(client)
    assert len(first) == access_log.PAGE_SIZE  # lines; then the «Daha çox» link
    assert all(row[2] == f"{VIEWED} (2 dəfə)" for row in first[:-1])
    more = re.search(r'href="(/account/access-log\?before=\d+)"', text(client.get(
        "/account/access-log"))).group(1)
    rest = others_rows(client, more)
    assert [row[2] for row in rest] == [f"{VIEWED} (2 dəfə)"] * 3 + [
        "Xəttinizə 35 zəng əlavə etdi"]  # the demo: three months of two lines
    assert rest[-1][1].endswith("calls.csv")


@pytest.mark.parametrize("language, three, five", [
    ("en", "(3 times)", "(5 times)"), ("ru", "(3 раза)", "(5 раз)")])
def test_the_count_reads_in_the_citizens_language(client, desk, language, three, five):
    claim, leyla = desk
    viewed_at(*[baku(9, m) for m in range(5)], staff=leyla, claim=claim)
    viewed_at(*[baku(11, m) for m in range(3)], staff=leyla, claim=claim)
    client.get(f"/account/access-log?lang={language}")
    rows = others_rows(client)
    assert rows[0][2].endswith(three) and rows[1][2].endswith(five)


def test_by_default_an_entry_365_days_old_is_kept_and_one_a_second_older_is_pruned(app, aysel):
    """12 months of 30.44 days are 365 days: on 24 December 2026 at 11:00 UTC the prune
    keeps what was written at 11:00:00 on 24 December 2025 and removes 10:59:59."""
    for at in ("2025-12-24 10:59:59", "2025-12-24 11:00:00", "2025-12-24 11:00:01"):
        AccessEntry.insert(at=datetime.fromisoformat(at), citizen=aysel, actor_kind="citizen",
                           action=access_log.SIGN_IN, detail=at).execute()
    with time_machine.travel(datetime.fromisoformat("2026-12-24 11:00:00+00:00"), tick=False):
        result = app.test_cli_runner().invoke(args=["prune-access-log"])
    assert result.output == ("Pruned 1 access-log entries older than 12 months "
                             "(before 2025-12-24 11:00 UTC).\n")
    kept = AccessEntry.select(AccessEntry.detail).where(AccessEntry.detail.startswith("2025"))
    assert sorted(entry.detail for entry in kept) == ["2025-12-24 11:00:00",
                                                      "2025-12-24 11:00:01"]


@pytest.mark.parametrize("language, one, two", [
    ("az", "Xəttinizə 1 zəng əlavə etdi", "Xəttinizə 2 zəng əlavə etdi"),
    ("en", "Added 1 call to your line", "Added 2 calls to your line"),
    ("ru", "Добавил 1 разговор на вашу линию", "Добавил 2 разговора на вашу линию")])
def test_an_import_of_one_call_and_of_two_read_in_the_citizens_language(
        client, aysel, language, one, two):
    access_log.calls_imported("one.csv", {aysel.id: 1})
    access_log.calls_imported("two.csv", {aysel.id: 2})
    client.get(f"/account/access-log?lang={language}")
    assert [row[2] for row in others_rows(client)[:2]] == [two, one]


def _sign_in_times(client):
    table = text(client.get("/account/access-log")).split('class="sign-ins"')[1]
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<tr><td[^>]*>(.*?)</td>", table, re.S)]


def test_the_sign_in_list_is_the_citizens_own_ten_latest_and_nothing_else(client, aysel):
    # After her sign-in of the fixture, eleven more from 16:00 to 21:00 in Baku.
    for n in range(11):
        with time_machine.travel(datetime(2026, 12, 24, 12, tzinfo=timezone.utc)
                                 + timedelta(minutes=30 * n), tick=False):
            access_log.citizen_acted(aysel, access_log.SIGN_IN, detail="password")
    with time_machine.travel(datetime(2026, 12, 24, 17, 30, tzinfo=timezone.utc), tick=False):
        access_log.citizen_acted(Citizen.get(username="nigar"), access_log.SIGN_IN,
                                 detail="password")  # another citizen's, later than all
        access_log.citizen_acted(aysel, access_log.EXPORT, reason=AYSEL_FIRST_LINE,
                                 detail="CSV")  # hers, but not a sign-in
    assert _sign_in_times(client) == [f"24.12.2026 {hour}:{minute}" for hour, minute in (
        ("21", "00"), ("20", "30"), ("20", "00"), ("19", "30"), ("19", "00"), ("18", "30"),
        ("18", "00"), ("17", "30"), ("17", "00"), ("16", "30"))]


def _my_actions(staff_client, path="/staff/my-actions"):
    page = text(staff_client.get(path))
    more = re.search(r'href="(/staff/my-actions\?before=\d+)"', page)
    times = re.findall(r"<tr><td>[^<]*? (\d\d:\d\d)</td>", page)
    return times, more and more.group(1)


@pytest.mark.parametrize("views, first_page, second_page", [
    (20, 20, None),  # exactly a page: no «Daha çox» leading to nothing
    (21, 20, 1),
    (41, 20, 20)])
def test_a_staff_members_own_actions_come_twenty_at_a_time(app, desk, views, first_page,
                                                           second_page):
    claim, leyla = desk
    viewed_at(*[baku(8, 0) + timedelta(minutes=n) for n in range(views)], staff=leyla,
              claim=claim)
    staff_client = app.test_client()
    StaffActions(staff_client).login()
    times, more = _my_actions(staff_client)
    assert len(times) == first_page and times[0] == f"08:{views - 1:02d}"
    if second_page is None:
        assert more is None
        return
    rest, _ = _my_actions(staff_client, more)
    assert len(rest) == second_page and rest[0] == f"08:{views - 21:02d}"  # no view twice


def test_staff_opening_a_claim_records_the_claim_and_nothing_more(app, desk):
    claim, _ = desk
    staff_client = app.test_client()
    StaffActions(staff_client).login()
    mark = last_id()
    staff_client.get(f"/staff/claims/{claim.reference}")
    [entry] = new_entries(mark)
    assert (entry.action, entry.reason, entry.detail) == (
        access_log.CLAIM_OPENED, claim.reference, "")


def test_the_prune_counts_from_the_moment_it_is_given(app, aysel):
    """The retention's cutoff is 365 days before the moment given, whatever the clock says."""
    assert access_log.cutoff(12, datetime(2027, 3, 1)) == datetime(2026, 3, 1)
    with time_machine.travel(datetime(2026, 12, 24, 11, 0, tzinfo=timezone.utc), tick=False):
        assert access_log.cutoff(12) == datetime(2025, 12, 24, 11, 0)
        for at in ("2025-06-01 00:00:00", "2025-06-02 00:00:01"):
            AccessEntry.insert(at=datetime.fromisoformat(at), citizen=aysel,
                               actor_kind="citizen", action=access_log.SIGN_IN,
                               detail=at).execute()
        assert access_log.prune(12, now=datetime(2026, 6, 2)) == 1  # 2025-06-02 00:00 on
    assert AccessEntry.get_or_none(detail="2025-06-01 00:00:00") is None
    assert AccessEntry.get(detail="2025-06-02 00:00:01")


def test_a_sign_in_entry_holds_the_means_and_nothing_else_written_by_default(client, demo,
                                                                           auth, db):
    del client.environ_base["HTTP_USER_AGENT"]  # a browser that says nothing about itself
    mark = last_id()
    auth.login()
    [entry] = new_entries(mark)
    assert (entry.actor_name, entry.reason, entry.detail, entry.address, entry.browser) == (
        "", "", "password", "127.0.0.1", "")
    assert "naməlum" in text(client.get("/account/access-log")).split('class="sign-ins"')[1]


def test_a_browser_nobody_knows_is_unknown_like_one_that_says_nothing(client, demo, auth, db):
    client.environ_base["HTTP_USER_AGENT"] = "Zzzzz"
    mark = last_id()
    auth.login()
    [entry] = new_entries(mark)
    assert entry.browser == ""
    assert "naməlum" in text(client.get("/account/access-log")).split('class="sign-ins"')[1]


EDGE_HEAD = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; "
EDGE_TAIL = (") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
             "Edg/120.0.0.0")


@pytest.mark.parametrize("padding, browser", [
    (393, "Edge"),  # «Edg/1» ends at the 512th character: read
    (394, "Chrome"),  # one further: the 1 is past what is read, and Chrome is what is left
])
def test_the_browser_is_named_from_the_first_512_characters_of_user_agent(client, demo, auth,
                                                                          db, padding, browser):
    client.environ_base["HTTP_USER_AGENT"] = EDGE_HEAD + "x" * padding + EDGE_TAIL
    mark = last_id()
    auth.login()
    [entry] = new_entries(mark)
    assert entry.browser == browser


def test_reasons_details_and_file_names_are_cut_to_the_columns_255(demo, db):
    aysel = Citizen.get(username="aysel")
    mark = last_id()
    access_log.citizen_acted(aysel, access_log.EXPORT, reason="r" * 300, detail="d" * 300)
    access_log.calls_imported("f" * 300 + ".csv", {aysel.id: 1})
    export, imported = new_entries(mark)
    assert (export.reason, export.detail) == ("r" * 255, "d" * 255)
    assert (imported.actor_name, imported.reason) == ("f" * 255, "")


def test_an_empty_cursor_is_the_first_page_and_one_of_19_digits_is_not_found(client, aysel):
    assert client.get("/account/access-log?before=").status_code == 200
    assert client.get("/account/access-log?before=" + "9" * 18).status_code == 404
    assert client.get("/account/access-log?before=" + "9" * 19).status_code == 404
