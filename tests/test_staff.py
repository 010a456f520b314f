"""The operator's staff: a separate sign-in, claims to answer, nothing else of anyone's calls."""
import re

import pytest

from egov.catalogue import service_for_endpoint
from egov.demo import AYSEL_FIRST_LINE, DEMO_STAFF
from egov.service_feedback import leave_feedback
from egov.models import Claim, ClaimCall, Feedback, StaffMember, StaffSession
from egov.identity.sessions import SESSION_BY_TOKEN

from .support.claims import file_claim
from .support.pages import csrf_token, text
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def session_reads_built_anew():
    """The session reads are built once per process (egov.db.SameShape): each test here
    builds them itself, or mutmut, running a test after others in one process, sees none
    of what a mutant of `sessions._with_owner` changes in them."""
    built_anew(*SESSION_BY_TOKEN.values())


def answer(client, claim, **fields):
    data = {"csrf_token": csrf_token(client, f"/staff/claims/{claim.reference}"), **fields}
    return client.post(f"/staff/claims/{claim.reference}", data=data)


@pytest.fixture
def signed_in_staff(demo, staff_auth, db):
    assert staff_auth.login().status_code == 302
    return StaffMember.get(username=DEMO_STAFF["username"])


def test_staff_sign_in_is_its_own_page_and_its_own_accounts(client, demo, staff_auth, auth, db):
    assert "Əməkdaşların girişi" in text(client.get("/staff/login"))
    response = staff_auth.login("aysel", "aysel-demo-1")  # a citizen's account is not staff's
    assert response.status_code == 401 and "yanlışdır" in text(response)
    assert auth.login("operator", "operator-demo-1").status_code == 303  # nor the other way
    assert staff_auth.login().headers["Location"] == "/staff/claims"


@pytest.mark.parametrize("path", ["/staff/claims", "/staff/feedback", "/staff/my-actions"])
def test_every_staff_page_names_who_is_signed_in_and_offers_cixis(client, signed_in_staff, path):
    """A shared office computer: the header says whose session this is, and how to end it."""
    page = text(client.get(path))
    assert f'<span class="who">{signed_in_staff.full_name} (əməkdaş)</span>' in page
    assert re.search(r'<form[^>]*method="post" action="/staff/logout"', page)


@pytest.mark.parametrize("next_url", ["/staff/claims\r\nX-Evil: 1", "/staff/claims\n"])
def test_a_staff_return_address_with_a_control_character_is_refused(client, demo, next_url):
    data = {"username": "operator", "password": "operator-demo-1", "next": next_url,
            "csrf_token": csrf_token(client, "/staff/login")}
    response = client.post("/staff/login", data=data)
    assert response.status_code == 302 and "\n" not in response.headers["Location"]
    assert response.headers["Location"] == "/staff/claims"


def test_a_staff_session_cannot_open_a_citizens_report(client, signed_in_staff):
    for path in ("/calls", f"/calls?line={AYSEL_FIRST_LINE}", "/calls/claims",
                 f"/calls/export.csv?line={AYSEL_FIRST_LINE}", "/calls/feedback"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/auth/login"), path


def test_a_citizen_session_cannot_open_staff_pages(client, auth, demo, db):
    auth.login()
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    for path in ("/staff", "/staff/claims", f"/staff/claims/{claim.reference}", "/staff/feedback"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/staff/login"), path
    token = csrf_token(client, "/calls")
    response = client.post(f"/staff/claims/{claim.reference}",
                           data={"csrf_token": token, "decision": "reject", "answer": "x"})
    assert response.status_code == 302 and Claim.get().status == Claim.RECEIVED


def test_signing_in_as_one_ends_the_other_in_that_browser(client, auth, staff_auth, demo, db):
    auth.login()
    staff_auth.login()
    assert client.get("/calls").status_code == 302  # the citizen is signed out
    auth.login()
    assert client.get("/staff/claims").status_code == 302  # and now the staff member is
    assert StaffSession.select().count() == 0


def test_signing_in_again_ends_the_earlier_staff_session(client, signed_in_staff, staff_auth):
    # A colleague signing in over a forgotten session at a shared desk: the earlier
    # cookie, replayed, must not open the staff pages any more.
    earlier = client.get_cookie("egov_session").value
    assert staff_auth.login().status_code == 302
    assert StaffSession.select().count() == 1
    client.set_cookie("egov_session", earlier)
    assert client.get("/staff/claims").status_code == 302


def test_signing_out_ends_the_staff_session_on_the_server(client, signed_in_staff):
    token = csrf_token(client, "/staff/claims")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert StaffSession.select().count() == 0
    assert client.get("/staff/claims").status_code == 302


def test_staff_see_the_claims_and_only_the_disputed_calls(client, signed_in_staff):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [1], "Gəncəyə zəng etməmişəm.")
    listing = text(client.get("/staff/claims"))
    assert claim.reference in listing and "Aysel Məmmədova" in listing
    page = text(client.get(f"/staff/claims/{claim.reference}"))
    assert "Gəncəyə zəng etməmişəm." in page and "022 256 43 21" in page
    durations = re.findall(r'<td class="num[^"]*"[^>]*>(\d+)</td>', page)
    assert durations == ["20"]  # the other four calls of the month are not shown
    assert "024 244 11 22" not in page and "+7 495 123 45 67" not in page


def test_staff_review_then_accept_with_corrected_amounts(client, signed_in_staff):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0, 4])
    assert answer(client, claim, decision="review", answer="Yoxlayırıq.").status_code == 302
    rows = {r.call.duration_seconds: r for r in ClaimCall.select()}
    response = answer(client, claim, decision="accept", answer="Düzəldildi.",
                      **{f"amount-{rows[72].id}": "0,10", f"amount-{rows[35].id}": "0.17"})
    assert response.status_code == 302
    claim = Claim.get()
    assert claim.status == Claim.ACCEPTED
    assert {r.call.duration_seconds: r.corrected_qepik for r in ClaimCall.select()} == {
        72: 10, 35: 17}
    assert [e.status for e in claim.events] == ["received", "under_review", "accepted"]
    assert claim.events[-1].staff.username == "operator"
    # A finished claim offers no further decision.
    assert 'name="decision"' not in text(client.get(f"/staff/claims/{claim.reference}"))


def test_a_tampered_status_in_the_answer_form_changes_nothing(client, signed_in_staff):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    response = answer(client, claim, seen="accepted'--", decision="review", answer="Baxırıq.")
    assert response.status_code == 302
    assert "Bu reklamasiya artıq bu vəziyyətdə ola bilməz." in text(
        client.get(response.headers["Location"]))
    assert Claim.get().status == Claim.RECEIVED and Claim.get().events.count() == 1


def test_a_claim_page_costs_the_same_queries_for_one_disputed_call_or_many(
        client, signed_in_staff, queries_for):
    """Each disputed call comes with its claim row, not one query per call."""
    one = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    many = file_claim("aysel", AYSEL_FIRST_LINE, [1, 2, 3])
    assert (queries_for(f"/staff/claims/{many.reference}")
            == queries_for(f"/staff/claims/{one.reference}"))


def test_each_claim_page_shows_only_its_own_calls_and_the_list_filters_by_status(
        client, signed_in_staff):
    from egov.telephony import charge_claims

    first = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    second = file_claim("aysel", AYSEL_FIRST_LINE, [4])
    for claim, other in ((first, second), (second, first)):  # the amounts to correct
        page = text(client.get(f"/staff/claims/{claim.reference}"))
        own, theirs = claim.claim_calls.get(), other.claim_calls.get()
        assert f'for="amount-{own.id}"' in page and f'for="amount-{theirs.id}"' not in page
    charge_claims.reject(second, signed_in_staff, "Zəng qeydə alınıb.")
    received = text(client.get("/staff/claims?status=received"))
    assert first.reference in received and second.reference not in received
    rejected = text(client.get("/staff/claims?status=rejected"))
    assert second.reference in rejected and first.reference not in rejected


def test_answer_errors_keep_what_was_typed(client, signed_in_staff):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    row = ClaimCall.get()
    response = answer(client, claim, decision="accept", answer="Qismən düzəliş",
                      **{f"amount-{row.id}": "on qəpik"})
    page = text(response)
    assert response.status_code == 400 and "Məbləği manatla yazın" in page
    assert 'value="on qəpik"' in page and "Qismən düzəliş</textarea>" in page
    response = answer(client, claim, decision="reject", answer="")
    assert response.status_code == 400 and "Rədd etməyin səbəbini" in text(response)
    assert re.search(r'value="reject" checked', text(response))
    assert Claim.get().status == Claim.RECEIVED


def test_staff_read_feedback_per_service(client, signed_in_staff, db):
    from egov.models import Citizen

    leave_feedback(service_for_endpoint("calls.report"), Citizen.get(username="aysel"), 2,
                   "Cədvəl kiçik şriftlə göstərilir.")
    page = text(client.get("/staff/feedback"))
    assert "Cari ay ərzində aparılmış" in page and "Cədvəl kiçik şriftlə göstərilir." in page
    assert "2/5" in page and Feedback.select().count() == 1


def test_create_staff_command(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-staff", "rena", "--name", "Rəna Əhmədova", "--password", "rena-parol-1"])
    assert result.exit_code == 0, result.output
    member = StaffMember.get(username="rena")
    assert member.full_name == "Rəna Əhmədova" and member.password_hash.startswith("$argon2id$")


def test_an_idle_staff_session_ends(client, signed_in_staff):
    from datetime import timedelta

    from egov.timeutil import utcnow

    StaffSession.update(last_seen_at=utcnow() - timedelta(minutes=16)).execute()
    assert client.get("/staff/claims").status_code == 302
    assert StaffSession.select().count() == 0


@pytest.mark.parametrize("first", ["reject", "start_review"])
def test_a_decision_made_from_a_status_that_changed_meanwhile_is_refused(
        client, signed_in_staff, first):
    """Two colleagues on one claim: the second answer, made from the page as it was, loses."""
    from egov.telephony import charge_claims

    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    row = ClaimCall.get()
    page = text(client.get(f"/staff/claims/{claim.reference}"))
    assert 'name="seen" type="hidden" value="received"' in page
    token = csrf_token(client, f"/staff/claims/{claim.reference}")
    colleague = StaffMember.create(username="ops", full_name="Əməkdaş", password_hash="x")
    getattr(charge_claims, first)(Claim.get(), colleague, "Zəng qeydə alınıb.")  # first
    response = client.post(f"/staff/claims/{claim.reference}", data={
        "csrf_token": token, "seen": "received", "decision": "accept", "answer": "Düzəldildi.",
        f"amount-{row.id}": "0,10"})
    page = text(response)
    assert response.status_code == 409
    assert "başqa əməkdaş tərəfindən dəyişdirilib" in page and "Zəng qeydə alınıb." in page
    ended = Claim.get()
    assert ended.status == (Claim.REJECTED if first == "reject" else Claim.UNDER_REVIEW)
    assert ClaimCall.get().corrected_qepik is None  # the loser wrote no amount
    assert [e.status for e in ended.events] == ["received", ended.status]
    if first == "reject":
        assert 'name="decision"' not in page  # a rejected claim takes no further decision
    else:  # the member decides again, from the status now shown, with what they typed
        assert "Düzəldildi.</textarea>" in page
        assert 'name="seen" type="hidden" value="under_review"' in page


def test_the_claims_list_costs_the_same_queries_for_one_claim_or_many(client, signed_in_staff,
                                                                      queries_for):
    """Each claim's line and citizen come with it, not one query per claim."""
    file_claim("aysel", AYSEL_FIRST_LINE, [0])
    one = queries_for("/staff/claims")
    file_claim("aysel", AYSEL_FIRST_LINE, [1])
    file_claim("aysel", AYSEL_FIRST_LINE, [2])
    assert queries_for("/staff/claims") == one


def test_staff_open_each_claim_by_its_own_reference(client, signed_in_staff):
    claims = [file_claim("aysel", AYSEL_FIRST_LINE, [i]) for i in (0, 1)]
    for claim in claims:
        page = text(client.get(f"/staff/claims/{claim.reference}"))
        assert claim.reference in page
        assert all(other.reference not in page for other in claims if other != claim)
    assert client.get("/staff/claims/RK-0000-XXXXX").status_code == 404
