"""Clients of a live server (gunicorn_live) as browsers are: a signed-in `requests`
session, copies of it (one citizen's tabs), and requests released at one instant."""
import threading

import requests

from .pages import CSRF_INPUT


def signed_in(server, login_path, username, password, post_path=None):
    browser = requests.Session()
    page = browser.get(server.url + login_path, timeout=10).text
    response = browser.post(server.url + (post_path or login_path), allow_redirects=False,
                            data={"username": username, "password": password,
                                  "csrf_token": CSRF_INPUT.search(page).group(1)}, timeout=10)
    assert response.status_code == 302, response.text
    return browser


def at_once(*requests_to_send):
    """Send each (session, url, data) from its own thread, all released at one instant."""
    barrier = threading.Barrier(len(requests_to_send))
    answers = [None] * len(requests_to_send)

    def send(i, browser, url, data):
        barrier.wait()
        answers[i] = browser.post(url, data=data, allow_redirects=False, timeout=30)

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests_to_send)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def copies(browser, n):
    """n browsers holding the same cookie: one citizen clicking in several tabs."""
    tabs = []
    for _ in range(n):
        tab = requests.Session()
        tab.cookies.update(browser.cookies)
        tabs.append(tab)
    return tabs
