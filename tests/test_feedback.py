"""Əks əlaqə: a rating and a message, opened in place, stored, thanked; errors keep the text."""
import re

from egov.models import Feedback

from .support.pages import HTMX, csrf_token, text


def post_feedback(client, headers=None, **fields):
    data = {"csrf_token": csrf_token(client, "/calls/feedback"), **fields}
    return client.post("/calls/feedback", data=data, headers=headers or {})


def test_the_toolbar_opens_the_form_in_place(client, auth, demo):
    auth.login()
    page = text(client.get("/calls"))
    assert re.search(r'<a href="/calls/feedback" data-hx-get="/calls/feedback"'
                     r'\s+data-hx-target="#toolbar-panel"', page)
    fragment = text(client.get("/calls/feedback", headers={**HTMX, "HX-Target": "toolbar-panel"}))
    assert "<html" not in fragment and 'name="rating"' in fragment and 'name="message"' in fragment


def test_without_javascript_it_is_a_page_that_thanks_and_returns(client, auth, demo, db):
    auth.login()
    page = text(client.get("/calls/feedback"))
    assert "<html" in page and 'method="post" action="/calls/feedback"' in page
    response = post_feedback(client, rating="4", message="Rahat xidmətdir, təşəkkürlər.")
    assert response.status_code == 302 and response.headers["Location"] == "/calls"
    assert "Təşəkkür edirik!" in text(client.get("/calls"))
    stored = Feedback.get()
    assert (stored.rating, stored.message, stored.citizen.username) == (
        4, "Rahat xidmətdir, təşəkkürlər.", "aysel")
    assert stored.service.endpoint == "calls.report"


def test_with_htmx_the_thanks_replace_the_form(client, auth, demo):
    auth.login()
    response = post_feedback(client, {**HTMX, "HX-Target": "toolbar-panel"}, rating="5",
                             message="Əla")
    assert response.status_code == 200
    assert "Təşəkkür edirik!" in text(response) and "<html" not in text(response)


def test_errors_are_in_azerbaijani_and_keep_what_was_typed(client, auth, demo, db):
    auth.login()
    response = post_feedback(client, message="Yarımçıq fikir")
    page = text(response)
    assert response.status_code == 400
    assert "1-dən 5-ə qədər bir qiymət seçin." in page
    assert "Yarımçıq fikir</textarea>" in page
    page = text(post_feedback(client, rating="3", message="  "))
    assert "Fikrinizi bir neçə sözlə yazın." in page
    assert re.search(r'<input checked[^>]*value="3"', page)
    assert text(post_feedback(client, rating="9", message="x")).count("has-error") == 1
    assert Feedback.select().count() == 0


def test_feedback_needs_a_signed_in_citizen(client, demo):
    assert client.get("/calls/feedback").status_code == 302
