"""Browser tests: Debian's Chromium driven by Playwright against a real server.

The app runs as its own process (`flask run`, threaded) on a free loopback port,
on its own database prepared with the README's demo citizens: SQLite in a
temporary folder, or a separate PostgreSQL database when TEST_DATABASE_URL is
set. Playwright never downloads a browser; without /usr/bin/chromium the tests
are skipped, unless REQUIRE_BROWSER is set (as in CI), where that is a failure.

Every process of the app (`flask prepare-demo`, the portal, the development identity
provider) runs at the unit tests' DEMO_NOW (TEST_CLOCK, egov/clock.py), ticking on from
there: the demo's months, dates and amounts are the same on every run, so the tests
expect them as literals («dekabr 2026», «0,80»).
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import DEMO_NOW

from .manual import is_csp_violation, sign_in

# Chromium and its session-wide Playwright live in tests/conftest.py: the interop suite
# drives the same browser, and Playwright's sync API runs once per process.

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'portal.sqlite3'}"
    from tests.conftest import _ensure_postgres_database

    browser_url = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_browser"
    # Fresh each run, as SQLite's temporary file is: `prepare-demo` keeps what is already
    # there, and a claim left by the last run would make Rauf's report differ.
    _ensure_postgres_database(browser_url, fresh=True)
    return browser_url


@pytest.fixture(scope="session")
def server_env(tmp_path_factory):
    env = {
        **os.environ,
        "FLASK_APP": "egov",
        "DATABASE_URL": _server_database_url(tmp_path_factory),
        "SECRET_KEY": "browser-tests",
        "PYTHONUNBUFFERED": "1",
        "TEST_CLOCK": DEMO_NOW.isoformat(),
    }
    env.pop("TEST_DATABASE_URL", None)
    return env


def _start(command, env, base_url, log):
    """Start a server process and wait until it answers at base_url/healthz."""
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base_url + "/healthz", timeout=1)
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the server did not start: see {log.name}")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def live_server(chromium_path, server_env, tmp_path_factory):
    """The portal, served like `make run` serves it; yields its base URL.

    As `make run`: the development identity provider serves the three other means from
    its own process on another port, so the browser crosses an origin boundary at each
    sign-in and sign-out, as with the real providers."""
    flask = [sys.executable, "-m", "flask"]
    subprocess.run(flask + ["prepare-demo"], env=server_env, cwd=ROOT, check=True,
                   capture_output=True)
    port, idp_port = _free_port(), _free_port()
    base_url, idp_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{idp_port}"
    env = {**server_env, "DEV_IDP": "1", "DEV_IDP_URL": idp_url, "PUBLIC_URL": base_url,
           "DEV_IDP_KEYS_DIR": str(tmp_path_factory.mktemp("devidp-keys")),
           # The whole suite signs Aysel in by ASAN İmza and e-gov identity from one address
           # within minutes; the provider's own limits are tested in test_devidp_lockout.py.
           "DEV_IDP_ASAN_REQUESTS_PER_PERSON": "1000 per 15 minutes",
           "DEV_IDP_ASAN_REQUESTS_PER_ADDRESS": "1000 per 15 minutes",
           "DEV_IDP_EGOV_CODES_PER_ACCOUNT": "1000 per 15 minutes"}
    logs = tmp_path_factory.mktemp("server")
    with open(logs / "devidp.log", "w") as idp_log, open(logs / "server.log", "w") as log:
        provider = _start(flask + ["--app", "egov.devidp", "run", "--port", str(idp_port)],
                          env, idp_url, idp_log)
        portal = _start(flask + ["run", "--port", str(port)], env, base_url, log)
        yield base_url
        for process in (portal, provider):
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def _page(browser, live_server, javascript, viewport=(1100, 800)):
    width, height = viewport
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                  locale="az-AZ", timezone_id="Asia/Baku",
                                  viewport={"width": width, "height": height})
    # Generous: two cores shared with a database and a server; only failures wait this long.
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.javascript = javascript
    page.portal_url = live_server
    page.csp_violations = []
    page.on("console", lambda message: is_csp_violation(message)
            and page.csp_violations.append(f"{page.url}: {message.text}"))
    yield page
    context.close()
    assert not page.csp_violations, "Content-Security-Policy violations:\n" + "\n".join(
        page.csp_violations)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser profile with JavaScript on (htmx at work)."""
    with _page(browser, live_server, javascript=True) as page:
        yield page


@pytest.fixture
def page_without_js(browser, live_server):
    """A fresh browser profile with JavaScript off: plain links and forms only."""
    with _page(browser, live_server, javascript=False) as page:
        yield page


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def any_page(request, browser, live_server):
    """The same test twice: with JavaScript and without it."""
    with _page(browser, live_server, javascript=request.param) as page:
        yield page


@pytest.fixture(scope="session")
def signed_in(browser, live_server):
    """signed_in(page, who): put a session cookie in the page's profile, for the tests
    whose subject is not the sign-in itself. Each citizen signs in once per run."""
    cookies = {}

    def add_session(page, who):
        if who not in cookies:
            with _page(browser, live_server, javascript=False) as fresh:
                fresh.goto("/auth/login")
                sign_in(fresh, who)
                cookies[who] = fresh.context.cookies()
        page.context.add_cookies(cookies[who])

    return add_session


@pytest.fixture
def shoot(request):
    """shoot(page, "step"): a full-page picture in SCREENSHOT_DIR, when that is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    counter = iter(range(1, 100))

    def take(page, step):
        if folder:
            mode = "js" if page.javascript else "nojs"
            name = f"{request.node.originalname}-{mode}-{next(counter):02d}-{step}.png"
            page.screenshot(path=os.path.join(folder, name), full_page=True)

    if folder:
        os.makedirs(folder, exist_ok=True)
    return take
