"""The one access rule: a citizen sees a line only while it was theirs."""
from datetime import timedelta, timezone

import pytest
import time_machine

from egov.errors import NotVisible
from egov.telephony.access import HOLDINGS, calls_of, line_of, lines_of

from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def holdings_read_built_anew():
    """The holdings read is built once per process (egov.db.SameShape): each test here
    builds it itself, or mutmut, running a test after others in one process, sees none
    of what a mutant of `access._holdings` changes in it."""
    built_anew(HOLDINGS)


@pytest.fixture
def people(world):
    return world.citizen("1AAAAAA", "Birinci"), world.citizen("2BBBBBB", "İkinci")


def test_another_citizens_line_is_not_visible(world, db, people):
    first, second = people
    world.line("0124401234", first)
    with pytest.raises(NotVisible):
        line_of(second, "0124401234", world.month)
    assert lines_of(second, world.month) == []


def test_calls_before_a_change_of_owner_are_not_shown(world, db, people):
    first, second = people
    line = world.line("0124401234", first)
    world.call(line, world.in_month(hours=1), seconds=60)
    handover = world.in_month(hours=2)
    world.line("0124401234", second, handover)
    world.call(line, world.in_month(hours=3), seconds=120)

    new_owner = line_of(second, "0124401234", world.month)
    assert [c.duration_seconds for c in calls_of(new_owner)] == [120]
    assert new_owner.held_since == handover

    previous = line_of(first, "0124401234", world.month)
    assert [c.duration_seconds for c in calls_of(previous)] == [60]
    assert previous.held_until == handover


def test_a_line_given_up_before_the_month_is_not_listed(world, db, people):
    first, second = people
    world.line("0124401234", first)
    world.line("0124401234", second, world.month.start - timedelta(days=3))
    assert lines_of(first, world.month) == []
    assert [h.number for h in lines_of(second, world.month)] == ["0124401234"]


def test_only_this_months_calls(world, db, people):
    first, _ = people
    line = world.line("0124401234", first)
    world.call(line, world.month.start - timedelta(seconds=1), seconds=10)
    world.call(line, world.month.start, seconds=20)
    assert [c.duration_seconds for c in calls_of(line_of(first, "0124401234", world.month))] == [20]


def test_a_number_returning_to_its_holder_shows_both_periods(world, db, people):
    first, second = people
    line = world.line("0124401234", first)
    world.line("0124401234", second, world.in_month(hours=2))
    world.line("0124401234", first, world.in_month(hours=4))
    for hour, seconds in ((1, 11), (3, 33), (5, 55)):
        world.call(line, world.in_month(hours=hour), seconds=seconds)
    held = line_of(first, "0124401234", world.month)
    assert [c.duration_seconds for c in calls_of(held)] == [11, 55]


# --- Every route, as a citizen: what another citizen holds never appears ---

OTHER_CALLS = ("0225550001", "0225550003")  # the previous holder's call, another line's call
OWN_CALL = "0225550002"
SAMPLE_ARGS = {"fmt": ("csv", "pdf"), "key": ("asan", "password"), "means": ("asan",),
               "slug": ("nrytn",), "language": ("ru",)}


def _visible_text(response):
    if response.mimetype == "application/pdf":
        from io import BytesIO

        from pypdf import PdfReader

        return "".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    return response.get_data(as_text=True).replace(" ", "")


def _citizen_urls(app, references):
    """Every GET URL a signed-in citizen can ask for, each with every sample value."""
    args = dict(SAMPLE_ARGS, reference=references)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.split(".")[0] in {"static", "staff",
                                                                         "devidp"}:
            continue
        urls = [{}]
        for name in rule.arguments:
            urls = [dict(values, **{name: value}) for values in urls for value in args[name]]
        for values in urls:
            yield rule.endpoint, rule.build(values)[1]


def test_no_route_shows_a_call_the_citizen_did_not_make(app, client, auth, world, db,
                                                        monkeypatch):
    """Walk every route with every line number a citizen could type: another citizen's
    calls (on their own line, or before a handover) appear nowhere, and every page
    that shows the citizen's own calls got them through egov.telephony.access."""
    from egov.telephony import access, charge_claims

    owner = world.citizen("5EEEEEE", "Sahib", "sahib", "sahib-parol-1")
    other = world.citizen("6FFFFFF", "Başqası", "basqa", "basqa-parol-1")
    handed = world.line("0124401234", other)
    world.call(handed, world.in_month(hours=1), dialled=OTHER_CALLS[0])
    world.line("0124401234", owner, world.in_month(hours=2))
    mine = world.call(handed, world.in_month(hours=3), dialled=OWN_CALL)
    theirs = world.line("0183456789", other)
    their_call = world.call(theirs, world.in_month(hours=4), dialled=OTHER_CALLS[1])
    their_claim = charge_claims.file_claim(other, line_of(other, "0183456789", world.month),
                                           [their_call], "Səhvdir.")
    own_claim = charge_claims.file_claim(owner, line_of(owner, "0124401234", world.month),
                                         [mine], "Yoxlayın.")
    db.close()

    asked = []
    for name in ("chosen_line", "lines_of", "line_of", "claim_of", "claims_of",
                 "claimable_calls", "calls_query"):
        original = getattr(access, name)
        monkeypatch.setattr(access, name,
                            lambda *a, _f=original, _n=name, **k: asked.append(_n) or _f(*a, **k))

    auth.login("sahib", "sahib-parol-1")
    shown_own = set()
    references = (their_claim.reference, own_claim.reference)
    for endpoint, path in _citizen_urls(app, references):
        for query in ("", "?line=0124401234", "?line=0183456789", "?line=4401234"):
            asked.clear()
            response = client.get(path + query)
            assert response.status_code < 500, path + query
            body = _visible_text(response)
            for number in OTHER_CALLS:
                assert number not in body, f"{path}{query} shows another citizen's call"
            if OWN_CALL in body:
                shown_own.add(endpoint)
                assert asked, f"{path}{query} shows calls without asking egov.telephony.access"
    # The walk reached the pages that show calls: the report, both exports, the claims.
    assert {"calls.report", "calls.export", "claims.new", "claims.show"} <= shown_own


# --- Claims on charges ---


def test_claimable_calls_are_exactly_the_citizens_report(world, db):
    from egov.telephony.access import claimable_calls

    first = world.citizen("3CCCCCC", "Birinci")
    second = world.citizen("4DDDDDD", "İkinci")
    line = world.line("0124401234", first)
    before = world.call(line, world.in_month(hours=1), seconds=11)
    world.line("0124401234", second, world.in_month(hours=2))
    after = world.call(line, world.in_month(hours=3), seconds=33)
    held, calls = claimable_calls(second, "0124401234", world.month, [after.id])
    assert [c.id for c in calls] == [after.id] and held.number == "0124401234"
    for ids in ([before.id], [after.id, before.id], [], [10**9]):
        with pytest.raises(NotVisible):
            claimable_calls(second, "0124401234", world.month, ids)


def test_claims_are_seen_by_their_citizen_and_by_staff_with_only_the_disputed_calls(world, db):
    from egov.backoffice.claims_desk import claims_for_staff
    from egov.telephony import charge_claims as claims
    from egov.telephony.access import claim_of, claimable_calls, claims_of
    from egov.telephony.charge_claims import disputed_calls

    owner = world.citizen("3CCCCCC", "Sahib")
    other = world.citizen("4DDDDDD", "Başqası")
    line = world.line("0124401234", owner)
    disputed = world.call(line, world.in_month(hours=1), seconds=11)
    world.call(line, world.in_month(hours=2), seconds=22)
    claim = claims.file_claim(owner, *claimable_calls(owner, "0124401234", world.month,
                                                      [disputed.id]), "Səbəb")
    assert claims_of(owner) == [claim] and claims_of(other) == []
    assert claim_of(owner, claim.reference) == claim
    with pytest.raises(NotVisible):
        claim_of(other, claim.reference)
    assert [row.call.id for row in disputed_calls(claim)] == [disputed.id]
    assert claims_for_staff() == [claim] and claims_for_staff("rejected") == []


# --- The ends of a window: a handover, and the month's end ---


def test_a_call_at_the_moment_of_a_handover_is_the_new_holders_only(world, db, people):
    first, second = people
    line = world.line("0124401234", first)
    handover = world.in_month(hours=2)
    world.line("0124401234", second, handover)
    world.call(line, handover - timedelta(seconds=1), seconds=11)
    world.call(line, handover, seconds=22)
    assert [c.duration_seconds for c in calls_of(line_of(first, "0124401234", world.month))] \
        == [11]
    assert [c.duration_seconds for c in calls_of(line_of(second, "0124401234", world.month))] \
        == [22]


def test_a_call_at_the_months_end_is_next_months(world, db, people):
    """Baku midnight of the 1st ends last month and starts this one: the call is in one only."""
    from egov.timeutil import Month

    first, _ = people
    line = world.line("0124401234", first)
    last_month = Month.containing(world.month.start - timedelta(seconds=1))
    world.call(line, last_month.end - timedelta(seconds=1), seconds=11)
    world.call(line, last_month.end, seconds=22)
    assert [c.duration_seconds for c in calls_of(line_of(first, "0124401234", last_month))] \
        == [11]
    assert [c.duration_seconds for c in calls_of(line_of(first, "0124401234", world.month))] \
        == [22]


def test_a_holding_that_ends_at_the_months_start_or_starts_at_its_end_is_not_listed(
        world, db, people):
    """Both ends of the month are exclusive: a line released at Baku midnight of the 1st,
    or taken at the next one, was never the citizen's this month."""
    first, second = people
    world.line("0124401234", first, since=world.month.start - timedelta(days=30))
    world.line("0124401234", second, world.month.start)
    # The registry refuses a holding that starts in the future: it is sent when it begins.
    with time_machine.travel(world.month.end.replace(tzinfo=timezone.utc)):
        world.line("0183456789", first, since=world.month.end)
    assert lines_of(first, world.month) == []
    assert [held.number for held in lines_of(second, world.month)] == ["0124401234"]


def test_the_report_lists_calls_in_time_order_whatever_order_they_were_imported_in(
        world, db, people):
    first, _ = people
    line = world.line("0124401234", first)
    for minutes, seconds in ((3, 33), (1, 11), (2, 22)):
        world.call(line, world.in_month(minutes=minutes), seconds=seconds)
    assert [c.duration_seconds for c in calls_of(line_of(first, "0124401234", world.month))] \
        == [11, 22, 33]


# --- A line is named by its whole number, and one line never shows another ---


def test_a_line_named_by_part_of_its_number_is_not_found(world, db, people):
    first, _ = people
    world.line("0124401234", first)
    for typed in ("4401234", "24401234", "124401234", "012440123", "0124401234 ", ""):
        with pytest.raises(NotVisible):
            line_of(first, typed, world.month)


@pytest.mark.parametrize("path", ["/calls", "/calls/export.csv", "/calls/export.pdf",
                                  "/calls/claims/new"])
def test_part_of_a_number_in_the_url_is_404(client, auth, world, path):
    citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    line = world.line("0124401234", citizen)
    world.call(line, world.in_month(hours=1), dialled="0225550001")
    auth.login("sinaq", "sinaq-parol-1")
    assert client.get(path, query_string={"line": "0124401234"}).status_code == 200
    for typed in ("4401234", "24401234"):
        response = client.get(path, query_string={"line": typed})
        assert response.status_code == 404, f"{path}?line={typed}"
        assert "0225550001" not in _visible_text(response)


def test_a_citizen_with_two_lines_sees_only_the_one_asked_for(client, auth, world, db):
    """Two lines with the same subscriber number in two cities: each shows its own calls."""
    citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    baku = world.line("0124401234", citizen)
    ganja = world.line("0224401234", citizen)
    world.call(baku, world.in_month(hours=1), dialled="0225550001")
    world.call(ganja, world.in_month(hours=2), dialled="0185550002")
    db.close()
    auth.login("sinaq", "sinaq-parol-1")
    for number, own, other in (("0124401234", "0225550001", "0185550002"),
                               ("0224401234", "0185550002", "0225550001")):
        for path in ("/calls", "/calls/export.csv", "/calls/export.pdf"):
            body = _visible_text(client.get(path, query_string={"line": number})).replace(" ", "")
            assert own in body and other not in body, f"{path}?line={number}"


def test_lines_come_in_number_order_whatever_order_they_were_registered_in(world, db, people):
    """The report opens on the first line: the lowest number, not the oldest registration."""
    first, _ = people
    world.line("0183456789", first, since=world.month.start - timedelta(days=300))
    world.line("0124401234", first, since=world.month.start - timedelta(days=100))
    assert [held.number for held in lines_of(first, world.month)] == ["0124401234", "0183456789"]


def test_claims_filed_at_the_same_moment_list_the_later_one_first(world, db, people):
    import time_machine

    from egov.telephony import charge_claims
    from egov.telephony.access import claimable_calls, claims_of

    first, _ = people
    line = world.line("0124401234", first)
    calls = [world.call(line, world.in_month(hours=hour)) for hour in (1, 2)]
    with time_machine.travel(world.in_month(hours=3).replace(tzinfo=timezone.utc), tick=False):
        filed = [charge_claims.file_claim(first, *claimable_calls(
            first, "0124401234", world.month, [call.id]), "Səbəb") for call in calls]
    assert claims_of(first) == filed[::-1]
