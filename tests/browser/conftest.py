"""Browser tests: Debian's Chromium driven by Playwright against a real server.

The app runs as its own process (`flask run`, threaded) on a free loopback port,
on its own database prepared with the README's demo citizens: SQLite in a
temporary folder, or a separate PostgreSQL database when TEST_DATABASE_URL is
set. Playwright never downloads a browser; without /usr/bin/chromium the tests
are skipped, unless REQUIRE_BROWSER is set (as in CI), where that is a failure.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
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
    _ensure_postgres_database(browser_url)
    return browser_url


@pytest.fixture(scope="session")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message + " and REQUIRE_BROWSER is set")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def server_env(tmp_path_factory):
    env = {
        **os.environ,
        "FLASK_APP": "egov",
        "DATABASE_URL": _server_database_url(tmp_path_factory),
        "SECRET_KEY": "browser-tests",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DATABASE_URL", None)
    return env


@pytest.fixture(scope="session")
def live_server(chromium_path, server_env, tmp_path_factory):
    """The portal, served like `make run` serves it; yields its base URL."""
    flask = [sys.executable, "-m", "flask"]
    subprocess.run(flask + ["prepare-demo"], env=server_env, cwd=ROOT, check=True,
                   capture_output=True)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    # As `make run`: the development identity provider serves the three other means.
    env = {**server_env, "DEV_IDP": "1", "DEV_IDP_URL": base_url,
           "DEV_IDP_KEYS_DIR": str(tmp_path_factory.mktemp("devidp-keys"))}
    log = open(tmp_path_factory.mktemp("server") / "server.log", "w")
    process = subprocess.Popen(flask + ["run", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base_url + "/healthz", timeout=1)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the server did not start: see {log.name}")
            time.sleep(0.1)
    yield base_url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, live_server, javascript):
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript,
                                  locale="az-AZ", timezone_id="Asia/Baku")
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A fresh browser profile with JavaScript on (htmx at work)."""
    context, page = _page(browser, live_server, javascript=True)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    """A fresh browser profile with JavaScript off: plain links and forms only."""
    context, page = _page(browser, live_server, javascript=False)
    yield page
    context.close()


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def any_page(request, browser, live_server):
    """The same test twice: with JavaScript and without it."""
    context, page = _page(browser, live_server, javascript=request.param)
    page.javascript = request.param
    yield page
    context.close()
