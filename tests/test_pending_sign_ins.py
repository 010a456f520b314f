"""egov.identity.pending_sign_ins: a sign-in sent to a provider lives ten minutes (to the
second, under a frozen clock), and two citizens signing in at once, interleaved, each
land as themselves; neither's callback works in the other's browser."""
from datetime import datetime, timedelta, timezone

import time_machine

from egov.models import Citizen, LoginSession, PendingSignIn

from .support.sign_in import callback, start

REFUSED = "Giriş alınmadı"  # the refused sign-in page's heading

STARTED_AT = datetime(2026, 12, 24, 11, 0, tzinfo=timezone.utc)


def _signed_in_as(browser):
    page = browser.get("/services").get_data(as_text=True)
    return [name for name in ("Aysel Məmmədova", "Rauf Əliyev") if name in page]


def test_a_pending_sign_in_is_taken_at_9_59_and_refused_at_10_00(rp, provider, db):  # noqa: F811
    late = rp.application.test_client()
    with time_machine.travel(STARTED_AT, tick=False) as traveller:
        in_time, too_late = start(rp), start(late)
        traveller.move_to(STARTED_AT + timedelta(minutes=9, seconds=59))
        provider.id_token = provider.sign(provider.claims(in_time["nonce"]))
        assert callback(rp, "asan", in_time["state"]).status_code == 302
        traveller.move_to(STARTED_AT + timedelta(minutes=10))
        provider.id_token = provider.sign(provider.claims(too_late["nonce"]))
        refused = callback(late, "asan", too_late["state"])
    assert refused.status_code == 400 and REFUSED in refused.get_data(as_text=True)
    assert "tanımadıq" in refused.get_data(as_text=True)
    assert LoginSession.select().count() == 1


def test_two_citizens_signing_in_at_once_each_land_as_themselves(
        rp, provider, world, db):  # noqa: F811
    world.citizen("5AYSL01", "Aysel Məmmədova", "aysel", "aysel-demo-1")
    world.citizen("6RAUF02", "Rauf Əliyev", "rauf", "rauf-demo-1")
    aysel, rauf = rp, rp.application.test_client()
    first, second = start(aysel), start(rauf)  # Aysel starts first ...
    provider.tokens_by_code = {
        "aysel-code": provider.sign(provider.claims(first["nonce"], fin="5AYSL01", name="A")),
        "rauf-code": provider.sign(provider.claims(second["nonce"], fin="6RAUF02", name="R"))}
    # ... a callback with the other's state, in either browser, is refused and spends nothing
    for browser, state, code in ((aysel, second["state"], "rauf-code"),
                                 (rauf, first["state"], "aysel-code")):
        refused = callback(browser, "asan", state, code)
        assert refused.status_code == 400 and "tanımadıq" in refused.get_data(as_text=True)
    assert PendingSignIn.select().count() == 2
    # ... Rauf comes back first, then Aysel: each is signed in as themselves.
    assert callback(rauf, "asan", second["state"], "rauf-code").status_code == 302
    assert callback(aysel, "asan", first["state"], "aysel-code").status_code == 302
    assert _signed_in_as(aysel) == ["Aysel Məmmədova"]
    assert _signed_in_as(rauf) == ["Rauf Əliyev"]
    assert sorted((s.citizen.fin, s.means) for s in LoginSession.select()) == [
        ("5AYSL01", "asan"), ("6RAUF02", "asan")]
    assert PendingSignIn.select().count() == 0 and Citizen.select().count() == 2


def test_six_tabs_of_one_browser_keep_the_last_five_sign_ins(rp, provider, db):  # noqa: F811
    """KEPT_IN_COOKIE: a sign-in started in a sixth tab pushes out the first one's state."""
    tabs = [start(rp) for _ in range(6)]
    provider.id_token = provider.sign(provider.claims(tabs[0]["nonce"]))
    assert "tanımadıq" in callback(rp, "asan", tabs[0]["state"]).get_data(as_text=True)
    provider.id_token = provider.sign(provider.claims(tabs[1]["nonce"]))
    assert callback(rp, "asan", tabs[1]["state"]).status_code == 302


def test_a_sign_in_expired_to_the_second_goes_when_the_next_one_starts(rp, provider, db):
    with time_machine.travel(STARTED_AT, tick=False) as traveller:
        first = start(rp)
        traveller.move_to(STARTED_AT + timedelta(minutes=10))  # first's last moment passed
        second = start(rp)
    assert [p.state for p in PendingSignIn.select()] == [second["state"]]
    assert first["state"] != second["state"]


def test_a_tab_whose_sign_in_was_refused_leaves_the_other_tabs_to_finish(rp, provider, db):
    first, second = start(rp), start(rp)  # two tabs of one browser
    refused = rp.get("/auth/oidc/asan/callback",
                     query_string={"error": "access_denied", "state": first["state"]})
    assert refused.headers["Location"] == "/auth/refused"
    provider.id_token = provider.sign(provider.claims(second["nonce"]))
    assert callback(rp, "asan", second["state"]).headers["Location"] == "/services"
    # (A sign-in that succeeds renews the whole session: the other tabs' start again.)
