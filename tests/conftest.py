"""Shared fixtures: an app on a real database (SQLite, or PostgreSQL when
TEST_DATABASE_URL says so), a client, and data built through the product's own
functions (egov.backoffice.registry), never by writing rows behind its back."""
import os
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import psycopg2
import pytest
import time_machine

from egov import create_app
from egov.telephony.billing import load_tariffs
from egov.catalogue import load_catalogue
from egov import call_partitions
from egov.db import bind, database, is_postgres
from egov.models import ALL_MODELS, create_tables
from egov.backoffice.registry import assign_line, record_call
from egov.identity.citizens import register_citizen
from egov.timeutil import BAKU, Month, to_db, utcnow

DATA_DIR = os.path.join(os.path.dirname(__file__), "..", "data")
# On PostgreSQL each month of calls is a partition (egov.call_partitions), and every
# partition adds to the TRUNCATE that empties the database before each test: the suite
# keeps the months its calls fall in, not the 38 of production's retention.
TEST_CALL_RETENTION_MONTHS = 4


def _ensure_postgres_database(url, fresh=False):
    """Create the PostgreSQL database named in url if it is missing; with fresh=True, drop
    it first, so nothing a previous run left in it (a claim, a session) is seen again."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432,
                            user=parts.username, password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _ensure_postgres_database(url)
        bind(url)
        with database.connection_context():
            database.drop_tables(ALL_MODELS, safe=True, cascade=True)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        bind(url)
    create_test_call_tables()
    return url


def create_test_call_tables():
    """Every table, with the months of calls the suite needs: those of the retention
    period it keeps, and those around the demo clock, however far from today it falls."""
    create_tables(TEST_CALL_RETENTION_MONTHS)
    if is_postgres():
        demo_month = Month.containing(to_db(DEMO_NOW))
        with database.connection_context():
            call_partitions.create_months(demo_month.shifted(-TEST_CALL_RETENTION_MONTHS),
                                          demo_month.shifted(1))


def empty_database():
    with database.connection_context():
        if is_postgres():
            tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
            database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        else:
            with database.atomic():
                for model in reversed(ALL_MODELS):
                    model.delete().execute()
        load_catalogue(DATA_DIR)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_STORAGE_URI": "memory://",
        "FAST_PASSWORD_HASHING": True,  # argon2's cheapest parameters (egov.identity.passwords)
        "CALL_RETENTION_MONTHS": TEST_CALL_RETENTION_MONTHS,
    })
    empty_database()
    yield app
    if not database.is_closed():
        database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    """The database, for arranging and inspecting data outside a request.

    Peewee connects on first use; requests close the connection after them."""
    yield database
    if not database.is_closed():
        database.close()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path="/auth/login"):
    # Signed in, /auth/login goes on to the catalogue, whose sign-out form has a token too.
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return CSRF_INPUT.search(page).group(1)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username="aysel", password="aysel-demo-1", next=None, follow=False):
        data = {"username": username, "password": password, "csrf_token": csrf_token(self._client)}
        if next is not None:
            data["next"] = next
        return self._client.post("/auth/login/password", data=data, follow_redirects=follow)

    def logout(self):
        token = csrf_token(self._client, "/services")
        return self._client.post("/auth/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


class World:
    """Citizens, lines and calls made through egov.backoffice.registry, like the operator's data."""

    def __init__(self):
        self.tariffs = load_tariffs(DATA_DIR)
        self.month = Month.current()
        self._ids = 0

    def citizen(self, fin, name, username=None, password=None):
        return register_citizen(fin, name, username, password)

    def line(self, number, citizen, since=None):
        since = since or (self.month.start - timedelta(days=400))
        return assign_line(number, citizen, since).line

    def call(self, line, started_at, seconds=60, dialled="0222564321", paid=False):
        self._ids += 1
        return record_call(self.tariffs, f"T-{self._ids}", line, started_at, seconds, dialled,
                               started_at + timedelta(hours=1) if paid else None)

    def in_month(self, days=0, hours=0, minutes=0):
        """A moment this month, counted from its start (Baku midnight of the 1st)."""
        moment = self.month.start + timedelta(days=days, hours=hours, minutes=minutes)
        assert moment <= utcnow(), "tests must not put calls in the future"
        return moment


@pytest.fixture
def world(app):
    return World()


# The demo's clock: a Thursday afternoon late in December 2026, past picture 5's 22nd, so
# the current month shows picture 5 to the minute, and its two months before (October and
# November, with November's holidays) are open too. Amounts depend on the hour and the day
# (the 2025 plan's bands): a demo at the real "now" would make them change from run to run.
DEMO_NOW = datetime(2026, 12, 24, 15, 0, tzinfo=BAKU)


@pytest.fixture
def demo(app):
    """The README's demo citizens, prepared as `make run` prepares them, with the clock at
    DEMO_NOW for the whole test (it goes on ticking from there)."""
    from egov.demo import prepare_demo

    with time_machine.travel(DEMO_NOW, tick=True):
        yield prepare_demo(DATA_DIR)


class StaffActions:
    """Signing in as the operator's staff, at their own sign-in page."""

    def __init__(self, client):
        self._client = client

    def login(self, username="operator", password="operator-demo-1"):
        data = {"username": username, "password": password,
                "csrf_token": csrf_token(self._client, "/staff/login")}
        return self._client.post("/staff/login", data=data)


@pytest.fixture
def staff_auth(client):
    return StaffActions(client)


@pytest.fixture
def statements_for(client, monkeypatch):
    """The SQL statements the app runs to answer a GET of `path` (which must be 200)."""
    statements = []
    original = type(database.obj).execute_sql
    monkeypatch.setattr(type(database.obj), "execute_sql", lambda self, sql, *a, **k: (
        statements.append(sql), original(self, sql, *a, **k))[1])

    def statements_of(path):
        client.get(path)  # once unmeasured: the session's touch and per-process loads
        statements.clear()
        assert client.get(path).status_code == 200
        return [sql for sql in statements if sql != "SELECT 1"]  # egov.db's check-out ping

    return statements_of


@pytest.fixture
def queries_for(statements_for):
    """How many SQL statements the app runs to answer a GET of `path` (which must be 200)."""
    return lambda path: len(statements_for(path))


# --- Debian's Chromium, for tests/browser and tests/interop ------------------------------
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message + " and REQUIRE_BROWSER is set")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
