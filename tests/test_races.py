"""Simultaneous clicks, as they really arrive: threads released together by a barrier
fire requests at gunicorn with several worker processes, on the suite's database
(SQLite, and PostgreSQL in `make test`'s second pass). Sequential calls through the
test client never race; these do."""

import pytest

from egov.backoffice.staff_accounts import create_staff
from egov.demo import AYSEL_FIRST_LINE, DEMO_STAFF
from egov.models import Citizen, Claim, ClaimCall, ClaimEvent

from .support.gunicorn_live import gunicorn
from .support.claims import call_ids, file_claim
from .support.live_clients import at_once, copies, signed_in
from .support.pages import CSRF_INPUT

@pytest.fixture(scope="module")
def server(database_url):
    with gunicorn(database_url, workers=4, threads=2) as live:
        yield live


def token_of(browser, url):
    return CSRF_INPUT.search(browser.get(url, timeout=10).text).group(1)


def test_simultaneous_claims_on_one_call_file_one_and_tell_the_others(server, demo, db):
    aysel = signed_in(server, "/auth/login", "aysel", "aysel-demo-1", "/auth/login/password")
    ids = call_ids(Citizen.get(username="aysel"), AYSEL_FIRST_LINE)
    url = server.url + "/calls/claims/new"
    token = token_of(aysel, f"{url}?line={AYSEL_FIRST_LINE}")
    for call in ids[:3]:  # a few rounds: each must hold, not just the lucky one
        data = {"csrf_token": token, "line": AYSEL_FIRST_LINE, "calls": [str(call)],
                "reason": "Bu zəngi mən etməmişəm."}
        answers = at_once(*[(tab, url, data) for tab in copies(aysel, 8)])
        codes = sorted(a.status_code for a in answers)
        assert codes == [302] + [400] * 7, codes
        [filed] = Claim.select().join(ClaimCall).where(ClaimCall.call == call)
        for answer in answers:  # each loser is told the winner's reference
            if answer.status_code == 400:
                assert (f"Seçdiyiniz zənglərdən birinə artıq reklamasiya verilib: "
                        f"{filed.reference}.") in answer.text
        assert ClaimCall.select().where(ClaimCall.call == call).count() == 1
    assert Claim.select().count() == 3
    assert "Traceback" not in server.log()


def test_simultaneous_accept_and_reject_record_one_decision(server, demo, db):
    claims = [file_claim("aysel", AYSEL_FIRST_LINE, [i]) for i in range(4)]
    create_staff("ops2", "Kamran Rəhimov", "ops2-parol-1")
    leyla = signed_in(server, "/staff/login", DEMO_STAFF["username"], DEMO_STAFF["password"])
    kamran = signed_in(server, "/staff/login", "ops2", "ops2-parol-1")
    for claim in claims:
        url = f"{server.url}/staff/claims/{claim.reference}"
        row = claim.claim_calls.get()
        accept = {"csrf_token": token_of(leyla, url), "seen": "received", "decision": "accept",
                  "answer": "Düzəldildi.", f"amount-{row.id}": "0,01"}
        reject = {"csrf_token": token_of(kamran, url), "seen": "received", "decision": "reject",
                  "answer": "Zəng qeydə alınıb."}
        answers = at_once((leyla, url, accept), (kamran, url, reject))
        assert sorted(a.status_code for a in answers) == [302, 409]
        loser = next(a for a in answers if a.status_code == 409)
        assert "başqa əməkdaş tərəfindən dəyişdirilib" in loser.text
        ended = Claim.get_by_id(claim.id)
        assert [e.status for e in ClaimEvent.select().where(ClaimEvent.claim == claim)
                .order_by(ClaimEvent.id)] == ["received", ended.status]
        corrected = ClaimCall.get_by_id(row.id).corrected_qepik
        assert corrected == (1 if ended.status == Claim.ACCEPTED else None)
    assert "Traceback" not in server.log()
