"""Claims in tests: filed through the product's own functions (`file_claim`), or posted
through the claim form as a citizen would (`post_claim`)."""
from egov.models import Citizen
from egov.telephony import access
from egov.telephony import charge_claims as claims
from egov.timeutil import Month

from .pages import csrf_token


def call_ids(citizen, number):
    held = access.line_of(citizen, number, Month.current())
    return [call.id for call in access.calls_of(held)]


def file_claim(username, number, indexes, reason="Bu zəngləri etməmişəm."):
    """A claim filed through the product's own functions, on calls picked by position."""
    citizen = Citizen.get(username=username)
    ids = call_ids(citizen, number)
    held, calls = access.claimable_calls(citizen, number, Month.current(),
                                         [ids[i] for i in indexes])
    return claims.file_claim(citizen, held, calls, reason)


def post_claim(client, line, calls, reason="Bu zəngi mən etməmişəm."):
    data = {"csrf_token": csrf_token(client, "/calls/claims"), "line": line,
            "calls": [str(c) for c in calls], "reason": reason}
    return client.post("/calls/claims/new", data=data)
