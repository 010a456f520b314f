"""Shared fixtures: an app on a real database (SQLite, or PostgreSQL when
TEST_DATABASE_URL says so), a client, and data built through the product's own
writer (the operator's intake, as egov.demo builds the demo), never by writing rows
behind its back."""
import os
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import psycopg2
import pytest
import time_machine

from egov import create_app
from egov.telephony.billing import load_tariffs
from egov.catalogue import load_catalogue
from egov import call_partitions
from egov.db import STATEMENTS, bind, database, is_postgres
from egov.demo import AYSEL, NIGAR, RAUF
from egov.devidp.models import DEVIDP_MODELS
from egov.models import ALL_MODELS, Call, PhoneLine
from egov.schema import create_tables
from egov.backoffice.intake import import_calls, import_lines, import_payments, text_source
from egov.identity.citizens import register_citizen
from egov.telephony.numbering import normalise
from egov.timeutil import BAKU, Month, to_baku, to_db, utcnow
from tests.support.caches import TEST_FILES as CACHED_TEST_FILES, clear_caches
from tests.support.devidp_browser import Visitor
from tests.support.live import serving_with_dev_provider
from tests.support.pages import csrf_token
from tests.support.sign_in import provider_config, served_provider

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
    # mutmut runs each mutant's tests in a process forked from one that has run them
    # before: a pool it inherited would hand out that process's connections (sockets it
    # shares, whose server end a test such as test_db's may have ended since), and every
    # test would fail at its setup, whatever the mutant. A session opens its own.
    database.initialize(None)
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


@pytest.fixture(autouse=True)
def uncached(request):
    """The product's lru_caches emptied before each test of the files that reach them
    (tests/support/caches.py says why and which)."""
    if request.path.name in CACHED_TEST_FILES:
        clear_caches()


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
def built():
    """The hashed static files `make install` builds (git-ignored): tests that read a
    page's asset addresses need them."""
    manifest = os.path.join(os.path.dirname(__file__), "..", "egov", "static",
                            "cache_manifest.json")
    if not os.path.exists(manifest):
        pytest.fail("the hashed static files are missing: run `make install`")


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
    """Citizens, lines and calls, the lines and calls sent through the operator's intake as
    one-row files (the demo's way: egov.demo), so a test sees the rules imports apply."""

    def __init__(self):
        self.tariffs = load_tariffs(DATA_DIR)
        self.month = Month.current()
        self._ids = 0

    def citizen(self, fin, name, username=None, password=None):
        return register_citizen(fin, name, username, password)

    def line(self, number, citizen, since=None):
        """The line `number` is the citizen's from `since` (naive UTC) on: a row of the line
        registry, so a number changing hands closes the previous holder's period."""
        since = since or (self.month.start - timedelta(days=400))
        import_lines(text_source(
            "fin,full_name,number,since\n"
            f"{citizen.fin},{citizen.full_name},{number},{_local(since)}\n"),
            tariffs=self.tariffs)
        return PhoneLine.get(number=normalise(number))

    def call(self, line, started_at, seconds=60, dialled="0222564321", paid=False):
        """One call detail record of `line`, rated by the intake (None: a local or mobile
        call, which the intake skips); `paid`: paid an hour later (or now, if sooner)."""
        self._ids += 1
        record_id = f"T-{self._ids}"
        import_calls(text_source(
            "record_id,calling_number,called_number,started_at,duration_seconds\n"
            f"{record_id},{line.number},{dialled},{_local(started_at)},{seconds}\n"),
            self.tariffs, file_name="world.csv")
        if paid:
            paid_at = min(started_at + timedelta(hours=1), utcnow().replace(microsecond=0))
            import_payments(text_source(f"record_id,paid_at\n{record_id},{_local(paid_at)}\n"))
        return Call.get_or_none(record_id=record_id)

    def in_month(self, days=0, hours=0, minutes=0):
        """A moment this month, counted from its start (Baku midnight of the 1st)."""
        moment = self.month.start + timedelta(days=days, hours=hours, minutes=minutes)
        assert moment <= utcnow(), "tests must not put calls in the future"
        return moment


def _local(moment):
    """A naive-UTC moment as the operator's files write it: Baku local time, to the second."""
    return to_baku(moment).strftime("%Y-%m-%d %H:%M:%S")


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
        # A prepared statement's run (PostgreSQL) is shown as the SQL it runs.
        return [STATEMENTS[sql.split()[1].split("(")[0]] if sql.startswith("EXECUTE ") else sql
                for sql in statements]

    return statements_of


@pytest.fixture
def queries_for(statements_for):
    """How many SQL statements the app runs to answer a GET of `path` (which must be 200)."""
    return lambda path: len(statements_for(path))



@pytest.fixture
def signed_in_demo(demo, auth):
    """The demo, with Aysel signed in."""
    auth.login()
    return demo


# --- OpenID providers on loopback serving tokens the tests craft (tests/support/sign_in.py)
provider = pytest.fixture(served_provider, name="provider")
other_provider = pytest.fixture(served_provider, name="other_provider")


@pytest.fixture
def rp(app, provider, other_provider):
    """The portal with ASAN İmza at `provider` and elektron imza at `other_provider`."""
    rp = create_app({**app.config, **provider_config("asan", provider),
                     **provider_config("eimza", other_provider)})
    return rp.test_client()


# --- The development identity provider beside the portal, served as `make run` serves them
@pytest.fixture(scope="session")
def devidp_keys(tmp_path_factory):
    return str(tmp_path_factory.mktemp("devidp-keys"))


@pytest.fixture
def citizens(world):
    """The demo citizens' accounts (Aysel's with a user name); Elvin has none yet."""
    world.citizen(AYSEL["fin"], AYSEL["full_name"], AYSEL["username"])
    for person in (RAUF, NIGAR):
        world.citizen(person["fin"], person["full_name"])


@pytest.fixture
def portal(app, citizens, devidp_keys):
    """The portal with the development provider, served like `make run` serves it."""
    with serving_with_dev_provider(app.config, devidp_keys) as (served, provider):
        with database.connection_context():
            for model in DEVIDP_MODELS:  # the provider's own tables, apart from the portal's
                model.delete().execute()
        served.idp_url, served.provider = provider.base_url, provider
        yield served


@pytest.fixture
def visitor(portal):
    visitor = Visitor(portal.base_url)
    visitor.idp_url = portal.idp_url
    return visitor


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
