"""The report beyond picture 5: the claim window's months under the access rule, the
citizen's filter, order and search, and the whole month's totals. All at the demo's
clock (DEMO_NOW, 24 December 2026): the open months are December, November, October."""
import re

import pytest

from egov.demo import AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE
from egov.models import Citizen
from egov.telephony.reports import CALLS_WITH_CLAIMS

from .support.pages import HTMX, cells, csrf_token, text
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def report_query_built_anew():
    """The report's query is built once per process (egov.db.SameShape): each test here
    builds it itself, or mutmut, running a test after others in one process, sees none
    of what it changes in it."""
    built_anew(CALLS_WITH_CLAIMS)


@pytest.fixture
def aysel(demo, auth):
    auth.login()


def rows(page):
    """(#, date, duration, amount) of the shown calls."""
    return [(r[0], r[1], r[3], r[5]) for r in cells(page) if len(r) == 7 and r[0].isdigit()]


def totals(page):
    return [r for r in cells(page) if len(r) == 4]


@pytest.mark.parametrize("month, status", [
    ("2026-12", 200), ("2026-11", 200),
    ("2026-10", 200),  # the claim window's last month: just inside
    ("2026-09", 404),  # just outside
    ("2027-01", 404),  # not yet
    ("2026-13", 404), ("26-11", 404), ("2026-1", 404), ("２０２６-11", 404),
    ("<script>", 404),
    ("2026-11\x00", 400),  # a NUL is refused before any page (docs/security.md)
])
def test_only_the_claim_windows_months_open(client, aysel, month, status):
    response = client.get("/calls", query_string={"month": month})
    assert response.status_code == status
    if status != 200:
        assert "<table" not in text(response)


def test_the_month_chooser_names_the_three_open_months(client, aysel):
    page = text(client.get("/calls"))
    assert re.findall(r'<option value="(2026-\d\d)"( selected)?>([^<]+)</option>', page) == [
        ("2026-12", " selected", "dekabr 2026"), ("2026-11", "", "noyabr 2026"),
        ("2026-10", "", "oktyabr 2026")]


def test_a_previous_month_shows_picture_5_again_on_the_flat_plan(client, aysel):
    page = text(client.get("/calls?month=2026-11"))
    assert "noyabr 2026 ayında aparılmış" in page
    assert rows(page) == [("1", "08.11", "72", "0,28"), ("2", "11.11", "20", "0,02"),
                          ("3", "11.11", "286", "0,24"), ("4", "11.11", "108", "0,09"),
                          ("5", "22.11", "35", "0,17")]
    assert totals(page)[-1] == ["5", "Cəmi", "0,80", ""]


def test_the_month_rule_holds_month_by_month_across_a_handover(client, auth, demo):
    # Rauf took Nigar's line on 12 December: no line of his in November …
    auth.login("rauf", "rauf-demo-1")
    november = text(client.get("/calls?month=2026-11"))
    assert "noyabr 2026 ayında sizin adınıza qeydiyyatda olan telefon nömrəsi olmayıb" in (
        november)
    assert "<table" not in november and "012 510" not in november
    assert client.get(f"/calls?month=2026-11&line={HANDED_OVER_LINE}").status_code == 404
    # … while Nigar, who held it all November, sees November's calls and not December's after.
    auth.logout()
    auth.login("nigar", "nigar-demo-1")
    assert [r[2] for r in rows(text(client.get("/calls?month=2026-11")))] == ["95", "310"]
    assert [r[2] for r in rows(text(client.get("/calls")))] == ["95", "310"]


def test_filtering_by_kind_keeps_the_months_totals_and_adds_the_shown_line(client, aysel):
    page = text(client.get(f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11&kind=international"))
    # Istanbul 95 s → 2 min × 20; New York 48 s → 1 min × 35; the unknown 30 s → 1 min × 45.
    # Intercity: 9 + 5 (weekend) + 10 (holiday) + 26 (night) + 18 + 10 (the 30th at night).
    assert rows(page) == [("6", "16.11", "95", "0,40"), ("7", "20.11", "48", "0,35"),
                          ("8", "24.11", "30", "0,45")]
    assert totals(page) == [
        ["3", "Göstərilən zənglər", "1,20", ""],
        ["6", "Şəhərlərarası", "0,78", ""], ["3", "Beynəlxalq", "1,20", ""],
        ["7", "Ödənilməyib", "1,63", ""], ["2", "Ödənilib", "0,35", ""],
        ["9", "Cəmi", "1,98", ""]]
    assert "Ayın bütün zəngləri üzrə yekun" in page


def test_searching_by_part_of_the_digits(client, aysel):
    for query in ("495", "+7 495", "7-495-12"):
        page = text(client.get("/calls", query_string={"q": query}))
        assert rows(page) == [("1", "08.12", "72", "0,28")], query
    page = text(client.get("/calls?q=999999"))
    assert rows(page) == [] and "Seçdiyiniz şərtlərə uyğun zəng yoxdur." in page
    assert totals(page)[0] == ["0", "Göstərilən zənglər", "0,00", ""]


@pytest.mark.parametrize("sort, expected", [
    ("date", ["1", "2", "3", "4", "5"]),
    ("-date", ["5", "4", "3", "2", "1"]),
    ("duration", ["2", "5", "1", "4", "3"]),  # 20, 35, 72, 108, 286 s
    ("-duration", ["3", "4", "1", "5", "2"]),
    ("amount", ["2", "4", "5", "3", "1"]),  # 0,02 0,09 0,17 0,24 0,28
    ("-amount", ["1", "3", "5", "4", "2"]),
])
def test_sorting_both_ways_keeps_each_calls_number(client, aysel, sort, expected):
    assert [r[0] for r in rows(text(client.get(f"/calls?sort={sort}")))] == expected


@pytest.mark.parametrize("query, shown", [
    ({"kind": "mobile"}, ["1", "2", "3", "4", "5"]),
    ({"kind": "<b>x</b>"}, ["1", "2", "3", "4", "5"]), ({"kind": "x"}, ["1", "2", "3", "4", "5"]),
    # an order it does not know: by date, oldest first, whatever the «-» before it
    ({"sort": "-;DROP TABLE call"}, ["1", "2", "3", "4", "5"]),
    ({"sort": "-id"}, ["1", "2", "3", "4", "5"]), ({"sort": "id"}, ["1", "2", "3", "4", "5"]),
    ({"sort": "Xamount"}, ["1", "2", "3", "4", "5"]),
    ({"sort": "--date"}, ["5", "4", "3", "2", "1"]),  # the dashes read as one
    ({"q": "' OR 1=1 --"}, ["4"]),  # its digits «11»: only 024 244 11 22
    ({"q": "٤٩٥"}, ["1", "2", "3", "4", "5"]),  # no ASCII digit: no search
    ({"q": "9" * 5000}, []),  # kept to 20 digits, which no number has
])
def test_hostile_options_read_as_the_default_never_an_error(client, aysel, query, shown):
    response = client.get("/calls", query_string=query)
    assert response.status_code == 200
    assert [r[0] for r in rows(text(response))] == shown


def test_an_htmx_swap_of_the_address_already_shown_adds_no_history_entry(client, aysel):
    url = f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11"
    headers = {**HTMX, "HX-Target": "call-report"}
    again = client.get(url, headers={**headers, "HX-Current-URL": "http://127.0.0.1" + url})
    assert again.headers["HX-Push-Url"] == "false"
    moved = client.get(url, headers={**headers, "HX-Current-URL": "http://127.0.0.1/calls"})
    assert "HX-Push-Url" not in moved.headers
    assert "<html" not in text(moved) and "noyabr 2026 ayında aparılmış" in text(moved)


def test_the_options_travel_with_the_exports_and_the_claim_link(client, aysel):
    page = text(client.get(f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11&kind=intercity"
                           "&sort=-amount&q=22"))
    assert (f'href="/calls/export.csv?line={AYSEL_SECOND_LINE}&amp;month=2026-11&amp;'
            'kind=intercity&amp;sort=-amount&amp;q=22"') in page
    assert f'href="/calls/claims/new?line={AYSEL_SECOND_LINE}&amp;month=2026-11"' in page


def chosen(page):
    """Each of the options form's choices as the page marks it: {select's name: the selected
    options' (value, label)}, and the search box's value."""
    marked = {name: re.findall(r'<option value="([^"]*)" selected>([^<]*)</option>', select)
              for name, select in re.findall(r'<select id="report-[a-z]+" name="([a-z]+)">(.*?)'
                                            r'</select>', page, re.S)}
    return marked, re.search(r'<input id="report-search" name="q"[^>]* value="([^"]*)"',
                             page).group(1)


@pytest.mark.parametrize("headers", [{}, {**HTMX, "HX-Target": "call-report"}],
                         ids=["page", "fragment"])
def test_the_options_form_shows_what_was_chosen_so_show_keeps_it(client, aysel, headers):
    # The form comes back with the table: a choice it did not mark would be lost at the
    # next «Göstər» or change (the month back to December, the order back to by date).
    page = text(client.get(f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11&kind=international"
                           "&sort=-amount&q=22", headers=headers))
    assert chosen(page) == ({"line": [(AYSEL_SECOND_LINE, "018 345 67 89")],
                             "month": [("2026-11", "noyabr 2026")],
                             "kind": [("international", "beynəlxalq")],
                             "sort": [("-amount", "məbləğ: əvvəlcə bahalılar")]}, "22")
    page = text(client.get("/calls?sort=duration", headers=headers))
    assert chosen(page) == ({"line": [(AYSEL_FIRST_LINE, "012 440 12 34")],
                             "month": [("2026-12", "dekabr 2026")], "kind": [],
                             "sort": [("duration", "müddət: əvvəlcə qısalar")]}, "")


def test_a_call_of_a_previous_month_can_be_claimed(client, aysel):
    form = text(client.get(f"/calls/claims/new?line={AYSEL_FIRST_LINE}&month=2026-10"))
    assert form.count('type="checkbox" name="calls"') == 5
    assert 'name="month" type="hidden" value="2026-10"' in form
    first = re.search(r'name="calls" value="(\d+)"', form).group(1)
    response = client.post("/calls/claims/new", data={
        "csrf_token": csrf_token(client, "/calls/claims"), "line": AYSEL_FIRST_LINE,
        "month": "2026-10", "calls": [first], "reason": "Bu zəngi etməmişəm."})
    assert response.status_code == 302
    october = text(client.get("/calls?month=2026-10"))
    assert "Reklamasiya" in october and "qəbul olunub" in october  # the status on the row


@pytest.mark.parametrize("month", ["2026-09", "2027-01", "x"])
def test_a_claim_outside_the_window_is_refused(client, aysel, month):
    assert client.get(f"/calls/claims/new?line={AYSEL_FIRST_LINE}&month={month}"
                      ).status_code == 404
    response = client.post("/calls/claims/new", data={
        "csrf_token": csrf_token(client, "/calls/claims"), "line": AYSEL_FIRST_LINE,
        "month": month, "calls": ["1"], "reason": "Bu zəngi etməmişəm."})
    assert response.status_code == 404


def test_an_empty_current_month_offers_last_month_in_one_click(client, auth, world, db):
    import time_machine
    from datetime import datetime, timezone

    citizen = world.citizen("3CCCCCC", "Sınaq", "sinaq", "sinaq-parol-1")
    line = world.line("0124401234", citizen)
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc), tick=False):
        world.call(line, datetime(2026, 11, 20, 8, 0), seconds=60)
        auth.login("sinaq", "sinaq-parol-1")
        page = text(client.get("/calls"))
    assert "dekabr 2026 ayında bu nömrədən şəhərlərarası və ya beynəlxalq danışıq aparılmayıb" in (
        page)
    assert ('href="/calls?line=0124401234&amp;month=2026-11"' in page
            and "noyabr 2026 ayının zənglərinə baxın" in page)


def test_a_citizen_sees_the_kind_and_destination_of_each_call(client, aysel):
    page = text(client.get(f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11"))
    for expected in ("şəhərlərarası · Gəncə", "şəhərlərarası · Naxçıvan şəhəri",
                     "beynəlxalq · Türkiyə", "beynəlxalq · Amerika Birləşmiş Ştatları",
                     "beynəlxalq · naməlum istiqamət"):
        assert expected in page, expected
    english = text(client.get(f"/calls?line={AYSEL_SECOND_LINE}&month=2026-11&lang=en"))
    assert "intercity · Ganja" in english and "international · Türkiye" in english
    assert Citizen.select().count() == 3
