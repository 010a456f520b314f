"""Reklamasiya: a citizen disputes calls of their own report, and only of their own."""
import re

import pytest

from egov.telephony import access
from egov.telephony import charge_claims as claims
from egov.demo import AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE
from egov.errors import NotVisible
from egov.models import Citizen, Claim, ClaimCall
from egov.backoffice.staff_accounts import create_staff
from egov.timeutil import Month

from .support.claims import call_ids, file_claim, post_claim
from .support.pages import cells, csrf_token, text
from .conftest import AuthActions


@pytest.fixture
def aysel(demo, auth, db):
    auth.login()
    return Citizen.get(username="aysel")


def test_the_toolbar_button_opens_the_months_table_with_checkboxes(client, aysel):
    page = text(client.get("/calls"))
    assert f'href="/calls/claims/new?line={AYSEL_FIRST_LINE}&amp;month=2026-12"' in page
    form = text(client.get(f"/calls/claims/new?line={AYSEL_FIRST_LINE}"))
    assert form.count('type="checkbox" name="calls"') == 5
    assert 'name="reason"' in form and 'name="csrf_token"' in form
    assert f'name="line" type="hidden" value="{AYSEL_FIRST_LINE}"' in form


def test_filing_a_claim_gives_a_reference_history_and_marks_the_rows(client, aysel):
    ids = call_ids(aysel, AYSEL_FIRST_LINE)
    response = post_claim(client, AYSEL_FIRST_LINE, ids[:2], "İki zəngi tanımıram.")
    assert response.status_code == 302
    claim = Claim.get()
    assert re.fullmatch(r"RK-\d{4}-[A-HJ-NP-Z2-9]{5}", claim.reference)
    assert response.headers["Location"] == f"/calls/claims/{claim.reference}"
    page = text(client.get(response.headers["Location"]))
    assert claim.reference in page and "İki zəngi tanımıram." in page
    assert "qəbul olunub" in page and "Tarixçə" in page
    report = text(client.get("/calls"))
    assert report.count('class="disputed"') == 2
    assert report.count(f"Reklamasiya <span class=\"reference\">{claim.reference}</span>") == 2
    # Filed, not decided: each amount stands as billed, none struck through.
    assert [row[5].split(" Reklamasiya")[0] for row in cells(report)[1:6]] == [
        "0,28", "0,02", "0,24", "0,09", "0,17"]
    assert claim.reference in text(client.get("/calls/claims"))


def test_the_same_call_cannot_be_disputed_twice(client, aysel):
    ids = call_ids(aysel, AYSEL_FIRST_LINE)
    assert post_claim(client, AYSEL_FIRST_LINE, ids[:1]).status_code == 302
    form = text(client.get(f"/calls/claims/new?line={AYSEL_FIRST_LINE}"))
    assert form.count('type="checkbox" name="calls"') == 4  # the disputed one has no box
    response = post_claim(client, AYSEL_FIRST_LINE, ids[:2])
    first = Claim.get()
    assert response.status_code == 400  # ...and the citizen is told which claim has it
    assert f"artıq reklamasiya verilib: {first.reference}." in text(response)
    assert Claim.select().count() == 1


def test_a_simultaneous_filing_the_check_did_not_see_is_named_too(aysel, monkeypatch):
    """Two tabs send claims on one call at the same instant: both pass the check before
    either commits, the database's unique index refuses the second, and its citizen is
    told the first one's reference, as if the check had seen it."""
    first = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    looks = []
    seen = claims.open_disputes
    monkeypatch.setattr(claims, "open_disputes", lambda calls: (
        looks.append(1), {} if len(looks) == 1 else seen(calls))[1])
    with pytest.raises(claims.CallsTaken) as taken:
        file_claim("aysel", AYSEL_FIRST_LINE, [0, 1])
    assert taken.value.args[0] == [first.reference] and len(looks) == 2
    assert Claim.select().count() == 1


def test_a_reference_drawn_twice_is_drawn_again(aysel, monkeypatch):
    """Five random characters can repeat a month's earlier reference: the claim is filed
    under the next draw, not refused."""
    first = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    draws = iter([first.reference, first.reference, "RK-2612-NEW22"])
    monkeypatch.setattr(claims, "new_reference", lambda now: next(draws))
    second = file_claim("aysel", AYSEL_FIRST_LINE, [1])
    assert second.reference == "RK-2612-NEW22"
    assert [row.call_id for row in second.claim_calls] == call_ids(aysel, AYSEL_FIRST_LINE)[1:2]


def test_errors_are_in_azerbaijani_and_keep_what_was_typed(client, aysel):
    ids = call_ids(aysel, AYSEL_FIRST_LINE)
    response = post_claim(client, AYSEL_FIRST_LINE, [], "Məbləğ çox böyükdür")
    page = text(response)
    assert response.status_code == 400 and "cədvəldə seçin" in page
    assert "Məbləğ çox böyükdür</textarea>" in page
    page = text(post_claim(client, AYSEL_FIRST_LINE, ids[1:3], " "))
    assert "Etirazınızın səbəbini yazın." in page
    assert page.count("checked") == 2
    assert f'value="{ids[1]}" id="call-{ids[1]}" checked' in page
    assert Claim.select().count() == 0


def test_a_tampered_call_id_of_another_citizen_is_404_and_files_nothing(client, aysel):
    rauf_calls = call_ids(Citizen.get(username="rauf"), HANDED_OVER_LINE)
    mine = call_ids(aysel, AYSEL_FIRST_LINE)
    assert post_claim(client, AYSEL_FIRST_LINE, [mine[0], rauf_calls[0]]).status_code == 404
    assert post_claim(client, HANDED_OVER_LINE, rauf_calls).status_code == 404
    assert post_claim(client, AYSEL_FIRST_LINE, ["1 OR 1=1"]).status_code == 404
    # A call of her other line, posted as if it were of this one.
    other = call_ids(aysel, AYSEL_SECOND_LINE)
    assert post_claim(client, AYSEL_FIRST_LINE, [other[0]]).status_code == 404
    assert Claim.select().count() == 0 and ClaimCall.select().count() == 0


@pytest.mark.parametrize("value", ["²", "١٢", "𝟗"])
def test_a_call_id_in_other_digits_is_404_not_an_error(client, aysel, value):
    # str.isdigit() accepts «²», which int() then refuses: it was a 500.
    assert post_claim(client, AYSEL_FIRST_LINE, [value]).status_code == 404
    assert Claim.select().count() == 0


def test_a_call_outside_the_holding_window_cannot_be_claimed(client, auth, demo, db):
    nigars = call_ids(Citizen.get(username="nigar"), HANDED_OVER_LINE)  # same line, before Rauf
    auth.login("rauf", "rauf-demo-1")
    assert post_claim(client, HANDED_OVER_LINE, nigars[:1]).status_code == 404
    with pytest.raises(NotVisible):
        access.claimable_calls(Citizen.get(username="rauf"), HANDED_OVER_LINE, Month.current(),
                               nigars[:1])
    assert Claim.select().count() == 0


def test_another_citizens_claim_by_url_is_404(client, auth, demo, db):
    claim = file_claim("rauf", HANDED_OVER_LINE, [0], "Rauf-un şikayəti")
    auth.login()
    response = client.get(f"/calls/claims/{claim.reference}")
    assert response.status_code == 404 and "Rauf-un şikayəti" not in text(response)
    assert claim.reference not in text(client.get("/calls/claims"))


def test_an_accepted_claim_corrects_the_amount_and_the_summaries_keeping_the_original(
        client, aysel):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])  # 72 s to Moscow, 0,28
    member = create_staff("ops", "Əməkdaş", "ops-parol-1")
    claims.start_review(claim, member, "Baxırıq.")
    row = claim.claim_calls.get()
    claims.accept(claim, member, "Tarif səhv tətbiq olunub.", {row.id: 10})
    rows = cells(text(client.get("/calls")))
    first = [r for r in rows if len(r) == 7 and r[0] == "1"][0]
    assert first[5].startswith("əvvəlki məbləğ 0,28 0,10")
    summary = [r for r in rows if len(r) == 4]
    # Picture 5's intercity calls 0,02 + 0,24 + 0,09; abroad 0,10 (corrected) + 0,17.
    assert summary == [["3", "Şəhərlərarası", "0,35", ""], ["2", "Beynəlxalq", "0,27", ""],
                       ["5", "Ödənilməyib", "0,62", ""], ["0", "Ödənilib", "0,00", ""],
                       ["5", "Cəmi", "0,62", ""]]
    history = text(client.get(f"/calls/claims/{claim.reference}"))
    assert re.search(r'<td class="num"[^>]*>0,28</td>\s*<td class="num amount"[^>]*>0,10</td>',
                     history)
    assert [s in history for s in ("qəbul olunub", "baxılır", "təmin edilib",
                                   "Tarif səhv tətbiq olunub.")] == [True] * 4
    assert row.call.amount_qepik == 28  # the billed amount itself is never rewritten


def test_a_rejected_claim_leaves_the_amount_and_frees_the_call(client, aysel):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    claims.reject(claim, create_staff("ops", "Əməkdaş", "ops-parol-1"), "Zəng qeydə alınıb.")
    report = text(client.get("/calls"))
    assert 'class="disputed"' not in report and "0,80" in report
    form = text(client.get(f"/calls/claims/new?line={AYSEL_FIRST_LINE}"))
    assert form.count('type="checkbox" name="calls"') == 5
    assert "rədd edilib" in text(client.get(f"/calls/claims/{claim.reference}"))


def test_rejecting_one_claim_frees_only_its_own_calls(client, aysel):
    first = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    standing = file_claim("aysel", AYSEL_FIRST_LINE, [1])
    claims.reject(first, create_staff("ops", "Əməkdaş", "ops-parol-1"), "Zəng qeydə alınıb.")
    form = text(client.get(f"/calls/claims/new?line={AYSEL_FIRST_LINE}"))
    assert form.count('type="checkbox" name="calls"') == 4  # the second claim's call is not
    assert text(client.get("/calls")).count('class="disputed"') == 1
    # ...and the database still guards it against a simultaneous second filing.
    assert [row.disputing for row in ClaimCall.select().order_by(ClaimCall.id)] == [False, True]
    assert standing.claim_calls.get().disputing


def test_a_claims_calls_are_in_the_order_they_were_made_not_the_order_imported(world):
    citizen = world.citizen("5ORDR01", "Sıra Yoxlayan")
    line = world.line("0124931122", citizen)
    later = world.call(line, world.in_month(minutes=2))
    earlier = world.call(line, world.in_month(minutes=1))  # in a file the operator sent late
    held, calls = access.claimable_calls(citizen, "0124931122", Month.current(),
                                         [later.id, earlier.id])
    claim = claims.file_claim(citizen, held, calls, "Etməmişəm.")
    assert [row.call.id for row in claims.disputed_calls(claim)] == [earlier.id, later.id]


def test_a_finished_claim_takes_no_further_step(aysel):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    member = create_staff("ops", "Əməkdaş", "ops-parol-1")
    claims.reject(claim, member, "Yox.")
    with pytest.raises(claims.ClaimError):
        claims.start_review(claim, member)


def test_each_step_records_who_took_it_and_only_the_answer_given(aysel):
    # The history is the claim's record: the citizen reads the answers, the operator who
    # decided. Starting a review without a word leaves no answer to read.
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    member = create_staff("ops", "Əməkdaş", "ops-parol-1")
    claims.start_review(claim, member)
    claims.reject(claim, member, "  Zəng qeydə alınıb. ")
    assert [(e.status, e.staff_id, e.answer) for e in claims.history(claim)] == [
        (Claim.RECEIVED, None, ""), (Claim.UNDER_REVIEW, member.id, ""),
        (Claim.REJECTED, member.id, "Zəng qeydə alınıb.")]


@pytest.mark.parametrize("step", ["start_review", "reject"])
def test_a_step_is_taken_from_the_status_the_staff_saw_not_the_one_read_now(aysel, step):
    # The page showed «received»; a colleague has started the review since. Read afresh,
    # the claim could be rejected, but the decision was made from what the page showed.
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    member = create_staff("ops", "Əməkdaş", "ops-parol-1")
    claims.start_review(Claim.get(), create_staff("ops2", "Həmkar", "ops-parol-2"))
    with pytest.raises(claims.ClaimChanged):
        getattr(claims, step)(Claim.get(), member, "Yox.", seen=Claim.RECEIVED)
    assert [e.status for e in claims.history(claim)] == [Claim.RECEIVED, Claim.UNDER_REVIEW]


def test_claims_need_a_signed_in_citizen(client, demo):
    assert client.get("/calls/claims").status_code == 302
    assert client.get("/calls/claims/new").status_code == 302


def test_the_database_itself_refuses_a_second_standing_dispute_of_a_call(aysel):
    """Whatever the code checks first, two claims not rejected cannot hold one call."""
    from peewee import IntegrityError

    from egov.db import database

    first = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    row = first.claim_calls.get()
    second = Claim.create(reference="RK-0000-AAAAA", citizen=aysel, line=first.line,
                          reason="x", created_at=first.created_at)
    with pytest.raises(IntegrityError) as refused, database.atomic():
        ClaimCall.create(**claims.claim_call_row(second, row.call))
    assert "call_started_at" in str(refused.value)  # the index on the call and its start
    claims.reject(first, create_staff("ops", "Əməkdaş", "ops-parol-1"), "Yox.")
    assert not ClaimCall.get_by_id(row.id).disputing  # a rejected claim frees its calls
    ClaimCall.create(**claims.claim_call_row(second, row.call))


def test_my_claims_cost_the_same_queries_for_one_claim_or_many(client, aysel, queries_for):
    """Each claim's line comes with it, not one query per claim."""
    file_claim("aysel", AYSEL_FIRST_LINE, [0])
    one = queries_for("/calls/claims")
    file_claim("aysel", AYSEL_FIRST_LINE, [1])
    file_claim("aysel", AYSEL_SECOND_LINE, [0])
    assert queries_for("/calls/claims") == one


def test_two_citizens_filing_at_once_each_file_and_see_only_their_own(app, demo, db):
    aysel, rauf = app.test_client(), app.test_client()
    AuthActions(aysel).login()
    AuthActions(rauf).login("rauf", "rauf-demo-1")
    # Both open their forms; Rauf sends his first, then Aysel hers, from the form opened before.
    forms = {browser: csrf_token(browser, f"/calls/claims/new?line={line}")
             for browser, line in ((aysel, AYSEL_FIRST_LINE), (rauf, HANDED_OVER_LINE))}
    filed = {}
    for browser, username, line, reason in ((rauf, "rauf", HANDED_OVER_LINE, "Rauf-un"),
                                            (aysel, "aysel", AYSEL_FIRST_LINE, "Aysel-in")):
        ids = call_ids(Citizen.get(username=username), line)
        response = browser.post("/calls/claims/new", data={
            "csrf_token": forms[browser], "line": line, "calls": [str(ids[0])],
            "reason": reason})
        assert response.status_code == 302
        filed[browser] = response.headers["Location"].rsplit("/", 1)[1]
    assert sorted((c.citizen.username, c.line.number, c.reason) for c in Claim.select()) == [
        ("aysel", AYSEL_FIRST_LINE, "Aysel-in"), ("rauf", HANDED_OVER_LINE, "Rauf-un")]
    for browser, other in ((aysel, rauf), (rauf, aysel)):
        mine = text(browser.get("/calls/claims"))
        assert filed[browser] in mine and filed[other] not in mine
        assert browser.get(f"/calls/claims/{filed[other]}").status_code == 404
