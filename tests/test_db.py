"""A database that blinks: a restart or failover of a second must not show citizens an
error, and a longer outage shows «try again later» (503), never a 500.

gunicorn (several workers) reaches PostgreSQL through a TCP proxy of the test's own
(tests/support/tcp_proxy.py), which is cut while requests run: the shared PostgreSQL itself is
never restarted, since other suites on the machine use it. An embedded SQLite file does not go
away; its own blink, another writer holding the lock too long, is the last test here.
"""
import re
import sqlite3
import threading
import time
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from egov.models import Feedback
from egov.identity.sessions import SESSION_BY_TOKEN

from .support.gunicorn_live import gunicorn
from .support.tcp_proxy import TcpProxy
from .support.live_clients import signed_in
from .support.pages import CSRF_INPUT
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def session_reads_built_anew():
    """The session reads are built once per process (egov.db.SameShape): each test here
    builds them itself, or mutmut, running a test after others in one process, sees none
    of what a mutant of `sessions._with_owner` changes in them."""
    built_anew(*SESSION_BY_TOKEN.values())


RETRY_SECONDS = 3


@pytest.fixture(scope="module")
def proxy(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("a PostgreSQL condition: SQLite is a file in the process, with no "
                    "connection to cut (its write lock is tested below)")
    parts = urlsplit(database_url)
    with TcpProxy(parts.hostname, parts.port or 5432) as proxy:
        yield proxy


def _through(database_url, proxy):
    """The test database's address, reached through `proxy`."""
    parts = urlsplit(database_url)
    netloc = f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@pytest.fixture(scope="module")
def server(database_url, proxy):
    with gunicorn(_through(database_url, proxy), workers=3, threads=3,
                  DATABASE_RETRY_SECONDS=RETRY_SECONDS) as live:
        yield live


def _load(server, browser, results, stop):
    """One citizen's tab: reports, catalogue pages and feedback (a write), as fast as it can."""
    tab = requests.Session()
    tab.cookies.update(browser.cookies)
    token = CSRF_INPUT.search(tab.get(server.url + "/calls/feedback", timeout=10).text).group(1)
    n = 0
    while not stop.is_set():
        n += 1
        started = time.monotonic()
        if n % 4 == 0:
            message = f"{threading.get_ident()}-{n}"
            answer = tab.post(server.url + "/calls/feedback", allow_redirects=False, timeout=30,
                              data={"csrf_token": token, "rating": "5", "message": message})
            results.append(("write", answer.status_code, time.monotonic() - started, message))
        else:
            path = ("/calls", "/services", "/calls/claims")[n % 3]
            answer = tab.get(server.url + path, allow_redirects=False, timeout=30)
            results.append(("read", answer.status_code, time.monotonic() - started, path))


def test_a_one_second_cut_under_load_shows_no_error_and_writes_nothing_twice(
        server, proxy, demo, db):
    aysel = signed_in(server, "/auth/login", "aysel", "aysel-demo-1", "/auth/login/password")
    results, stop = [], threading.Event()
    clients = [threading.Thread(target=_load, args=(server, aysel, results, stop))
               for _ in range(6)]
    for client in clients:
        client.start()
    time.sleep(1.0)
    proxy.cut()  # the database «restarts»: every connection dropped, new ones refused
    time.sleep(1.0)
    proxy.restore()
    time.sleep(1.5)
    stop.set()
    for client in clients:
        client.join()

    codes = Counter(code for _, code, _, _ in results)
    assert proxy.connections_cut > 0  # live connections were really dropped
    # No citizen saw an error: a request whose connection died before it committed was run
    # again on a fresh one, and one caught at its COMMIT learnt the outcome from the
    # transaction's id (egov.db).
    assert set(codes) == {200, 302}, codes
    # Requests that arrived during the cut waited for the database and were served.
    assert any(took > 0.5 for _, _, took, _ in results), codes
    stored = Counter(Feedback.select(Feedback.message).tuples())
    assert all(count == 1 for count in stored.values())  # no write applied twice
    for kind, code, _, message in results:
        if kind == "write" and code == 302:
            assert stored[(message,)] == 1  # and none answered «done» was lost
    log = server.log()
    assert "Traceback" not in log and "database unavailable" in log


def test_a_longer_outage_answers_503_in_azerbaijani_with_retry_after(server, proxy, demo, db):
    aysel = signed_in(server, "/auth/login", "aysel", "aysel-demo-1", "/auth/login/password")
    proxy.cut()
    try:
        started = time.monotonic()
        page = aysel.get(server.url + "/calls", timeout=30)
        waited = time.monotonic() - started
        # (The catalogue a process has read once is served without the database: these
        # ask for what needs it, a citizen's report.)
        fragment = aysel.get(server.url + "/calls", timeout=30,
                             headers={"HX-Request": "true", "HX-Target": "main"})
        english = aysel.get(server.url + "/calls", timeout=30,
                            headers={"Accept-Language": "en"})
        started = time.monotonic()
        health = requests.get(server.url + "/healthz", timeout=30)
        style = requests.get(server.url + "/static/css/portal.css", timeout=30)
        unaffected = time.monotonic() - started
    finally:
        proxy.restore()
    assert page.status_code == 503 and RETRY_SECONDS - 0.2 <= waited < RETRY_SECONDS + 2
    assert "Xidmət müvəqqəti əlçatan deyil, bir az sonra yenidən cəhd edin." in page.text
    assert page.headers["Retry-After"] == "5" and page.headers["Cache-Control"] == "no-store"
    assert "<html" in page.text and "Çıxış" not in page.text  # no account read
    assert fragment.status_code == 503 and "<html" not in fragment.text
    assert "müvəqqəti əlçatan deyil" in fragment.text
    assert english.status_code == 503  # in the reader's language, read without the database
    assert "The service is temporarily unavailable." in english.text
    # The balancer's check and static files do not depend on the database.
    assert health.status_code == 200 and style.status_code == 200 and unaffected < 1
    assert aysel.get(server.url + "/calls", timeout=10).status_code == 200  # back by itself
    assert "Traceback" not in server.log()


def test_sqlite_locked_past_its_busy_timeout_answers_503_and_shows_no_account(
        database_url, client, auth, demo, caplog):
    """The embedded database's own blink: another writer (an import from the command line)
    holds the write lock longer than the five-second busy timeout. The sign-in waits, then
    says «try again» (the Azerbaijani page; its translations are the outage test's), with
    nobody signed in; once the lock is gone, the same sign-in works."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock (PostgreSQL's outage is tested above)")
    writer = sqlite3.connect(urlsplit(database_url).path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        page = auth.login()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    text = page.get_data(as_text=True)
    assert page.status_code == 503
    assert ("<h1>Xidmət müvəqqəti əlçatan deyil</h1>\n  "
            "<p>Xidmət müvəqqəti əlçatan deyil, bir az sonra yenidən cəhd edin.</p>") in text
    assert page.headers["Retry-After"] == "5" and page.headers["Cache-Control"] == "no-store"
    assert "Çıxış" not in text and "Aysel" not in text
    # The operator's log says what happened, in one line (the page says nothing of it).
    assert [r.getMessage() for r in caplog.records if r.name == "egov"] == [
        "database unavailable: answering 503 (OperationalError: database is locked)"]
    assert auth.login().status_code == 302


def test_sqlite_locked_answers_an_htmx_swap_with_a_fragment_in_the_readers_language(
        database_url, client, demo):
    """What the PostgreSQL outage test shows of the 503 (the reader's language, read without
    the database; a fragment for a swap), shown on SQLite too, where developers run."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock (the PostgreSQL pass shows the same in its outage test)")
    token = CSRF_INPUT.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    writer = sqlite3.connect(urlsplit(database_url).path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        page = client.post("/auth/login/password", headers={
            "Accept-Language": "en", "HX-Request": "true", "HX-Target": "main"}, data={
            "username": "aysel", "password": "aysel-demo-1", "csrf_token": token})
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and "<html" not in text
    assert "The service is temporarily unavailable." in text
    assert page.headers["Retry-After"] == "5"


# --- A dead pooled connection, found by the request's own statements (no ping before it) ---

def _postgres_only(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("a PostgreSQL condition: an SQLite connection is a file, it does not die")


def _terminate(database_url, which="others"):
    """End server processes of the test database from a connection of our own, as a restart
    does: every other one, or the one of `which` (a backend pid)."""
    import psycopg2

    with psycopg2.connect(database_url) as admin, admin.cursor() as cursor:
        if which == "others":
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        else:
            cursor.execute("SELECT count(pg_terminate_backend(%s))", (which,))
        ended = cursor.fetchone()[0]
    admin.close()
    return ended


def test_a_pooled_connection_that_died_between_requests_is_replaced_unseen(
        database_url, client, auth, demo, caplog):
    _postgres_only(database_url)
    auth.login()
    assert client.get("/calls").status_code == 200
    assert _terminate(database_url) >= 1  # the pool's idle connection, among others
    page = client.get("/calls")
    assert page.status_code == 200 and "İstifadə sayı: <strong>1</strong>" in page.get_data(
        as_text=True)
    assert any("running the request again" in r.getMessage() for r in caplog.records)


def test_a_write_whose_connection_died_before_it_is_run_again_and_stored_once(
        database_url, client, auth, demo, db):
    _postgres_only(database_url)
    auth.login()
    token = CSRF_INPUT.search(client.get("/calls/feedback").get_data(as_text=True)).group(1)
    _terminate(database_url)
    answer = client.post("/calls/feedback", data={
        "csrf_token": token, "rating": "4", "message": "after the restart"})
    assert answer.status_code == 302
    assert Feedback.select().where(Feedback.message == "after the restart").count() == 1


def _write_route(app, name, step):
    """A view of this test's own: stores a feedback row in a transaction, calling `step` with
    the attempt's number inside it and with minus that number after its commit, then reads."""
    from flask_login import current_user

    from egov.catalogue import calls_service
    from egov.db import database
    from egov.timeutil import utcnow

    attempts = []

    def view():
        attempts.append(len(attempts) + 1)
        with database.atomic():
            Feedback.create(service=calls_service().id, citizen=current_user.citizen.id,
                            rating=3, message=name, created_at=utcnow())
            step(len(attempts), database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
        step(-len(attempts), database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
        return f"stored, {Feedback.select().count()} in all"

    app.add_url_rule(f"/test/{name}", name, view)
    return attempts


def test_a_connection_lost_before_commit_runs_the_request_again_and_stores_once(
        database_url, app, client, auth, demo, db):
    """The server went away with the transaction open: it never committed (the transaction's
    id says «aborted»), so the whole request is run again, and its row is stored once."""
    _postgres_only(database_url)

    def lose_before_commit(attempt, pid):
        if attempt == 1:
            _terminate(database_url, pid)

    attempts = _write_route(app, "lost-before-commit", lose_before_commit)
    auth.login()
    answer = client.get("/test/lost-before-commit")
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "stored, 1 in all")
    assert attempts == [1, 2]
    assert Feedback.select().where(Feedback.message == "lost-before-commit").count() == 1


def test_a_connection_lost_after_a_commit_answers_503_and_never_writes_twice(
        database_url, app, client, auth, demo, db):
    """Once the request has committed, running it again could write twice: it ends with the
    503 page instead, its write kept once."""
    _postgres_only(database_url)

    def lose_after_commit(attempt, pid):
        if attempt == -1:
            _terminate(database_url, pid)

    attempts = _write_route(app, "lost-after-commit", lose_after_commit)
    auth.login()
    answer = client.get("/test/lost-after-commit", headers={"Accept-Language": "en"})
    assert answer.status_code == 503
    assert "The service is temporarily unavailable." in answer.get_data(as_text=True)
    assert attempts == [1]
    assert Feedback.select().where(Feedback.message == "lost-after-commit").count() == 1


def _commit_is_in_process(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("a PostgreSQL condition: SQLite's commit is in process, it cannot lose "
                    "its connection")


@pytest.fixture
def lossy(database_url, app):
    """This test's app reaching PostgreSQL through a proxy of its own, which can lose one
    connection at one query (TcpProxy.lose_at); its pool is replaced for the test only."""
    _commit_is_in_process(database_url)
    from egov.db import database, make_database

    parts = urlsplit(database_url)
    with TcpProxy(parts.hostname, parts.port or 5432) as proxy:
        direct, proxied = database.obj, make_database(_through(database_url, proxy))
        database.initialize(proxied)
        try:
            yield proxy
        finally:
            if not proxied.is_closed():
                proxied.close()
            proxied.close_all()
            database.initialize(direct)


def _uses_counted(db):
    """The report's usage count as the database holds it."""
    from egov.catalogue import calls_service, usage_count

    with db.connection_context():
        return usage_count(calls_service())


def test_a_commit_whose_answer_was_lost_after_it_committed_shows_the_page_once(
        lossy, client, auth, demo, db, caplog):
    """COMMIT reached the server, which committed and answered; the answer never came back.
    The transaction's id says «committed»: the request carries on with what its write
    returned (the usage count, read by UPDATE … RETURNING before the COMMIT), and is not
    run again, so the use is counted once."""
    auth.login()
    lossy.lose_at(b"COMMIT", server_gets_it=True)
    page = client.get("/calls")
    assert lossy.withheld == [b"COMMIT"]  # the server did commit; the app never heard it
    assert page.status_code == 200
    assert "İstifadə sayı: <strong>1</strong>" in page.get_data(as_text=True)
    assert _uses_counted(db) == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "egov.db"]
    assert len(messages) == 1  # for the operator: what happened, and which transaction
    assert re.fullmatch(r"database connection lost at COMMIT; transaction \d+ had committed",
                        messages[0])


def test_a_commit_lost_before_the_server_had_it_runs_the_request_again_and_counts_once(
        lossy, client, auth, demo, db, caplog):
    """COMMIT was sent and the connection lost before the server had it: the server rolls
    the transaction back, its id says «aborted», and the request is run again from its
    start, counting the use once."""
    auth.login()
    lossy.lose_at(b"COMMIT", server_gets_it=False)
    page = client.get("/calls")
    assert lossy.connections_cut == 1 and lossy.withheld == []
    assert page.status_code == 200
    assert "İstifadə sayı: <strong>1</strong>" in page.get_data(as_text=True)
    assert _uses_counted(db) == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "egov.db"]
    assert len(messages) == 1 and "running the request again" in messages[0]


def test_a_commit_whose_outcome_cannot_be_learnt_in_time_answers_503_and_counts_once(
        lossy, client, auth, demo, db, caplog):
    """COMMIT reached the server, which committed; its answer was lost and the database
    then stayed away past DATABASE_RETRY_SECONDS, so nobody could ask what became of the
    transaction. Running the request again might count twice: «try again later» instead."""
    auth.login()
    lossy.lose_at(b"COMMIT", server_gets_it=True, then_refuse=True)
    try:
        page = client.get("/calls", headers={"Accept-Language": "en"})
    finally:
        lossy.restore()
    assert lossy.withheld == [b"COMMIT"]
    assert page.status_code == 503
    assert "The service is temporarily unavailable." in page.get_data(as_text=True)
    assert _uses_counted(db) == 1
    assert not any("running the request again" in r.getMessage() for r in caplog.records)


def test_a_transactions_outcome_is_read_from_its_id_on_a_fresh_connection(database_url, demo, db):
    _postgres_only(database_url)
    from egov import db as connections

    with db.atomic():
        db.execute_sql("CREATE TEMPORARY TABLE scratch (n int)")
        committed = connections._request.transaction_id
    with db.atomic() as transaction:
        db.execute_sql("INSERT INTO scratch VALUES (1)")
        aborted = connections._request.transaction_id
        transaction.rollback()
    assert committed != aborted
    assert connections.outcome_of(committed) == "committed"
    assert connections.outcome_of(aborted) == "aborted"


# --- Queries of one shape (egov.db.SameShape): built once, prepared once per connection ---

def test_a_same_shape_query_is_built_once_and_answers_each_runs_values(world, db):
    from egov.db import SameShape
    from egov.models import Citizen

    world.citizen("1AAAAAA", "Birinci")
    world.citizen("2BBBBBB", "İkinci")
    built = []

    def by_fin(fin, since_id):
        built.append(fin)
        return Citizen.select().where((Citizen.fin == fin) & (Citizen.id > since_id))

    query = SameShape("test_by_fin", by_fin)
    assert [c.full_name for c in query.run("1AAAAAA", 0)] == ["Birinci"]
    assert [c.full_name for c in query.run("2BBBBBB", 0)] == ["İkinci"]
    assert [c.full_name for c in query.run("2BBBBBB", 10**9)] == []
    assert [c.full_name for c in query.run("3CCCCCC", 0)] == []
    assert len(built) == 1 and built[0] != "1AAAAAA"  # built once, with stand-ins


def test_a_value_that_does_not_reach_the_sql_as_given_is_refused_at_once(world, db):
    from egov.db import SameShape
    from egov.models import Citizen

    query = SameShape("test_unused", lambda fin: Citizen.select().where(Citizen.fin == "1AAAAAA"))
    with pytest.raises(ValueError, match=r"test_unused: values \[0\] do not reach the SQL"):
        query.run("2BBBBBB")


def test_a_prepared_query_survives_its_connection_dying(database_url, client, auth, demo, db,
                                                        monkeypatch):
    """On PostgreSQL the report's reads are prepared once per connection; a new connection
    (after a restart) prepares them again, in the same round trip as their first run."""
    _postgres_only(database_url)
    statements = []
    original = type(db.obj).execute_sql
    auth.login()
    assert client.get("/calls").status_code == 200
    monkeypatch.setattr(type(db.obj), "execute_sql", lambda self, sql, *a, **k: (
        statements.append(sql.split(" ", 1)[0]), original(self, sql, *a, **k))[1])
    assert client.get("/calls").status_code == 200
    assert statements == ["EXECUTE", "EXECUTE", "EXECUTE"]
    _terminate(database_url)
    statements.clear()
    assert client.get("/calls").status_code == 200
    # The first run on the dead connection failed; the request ran again on a new one,
    # which prepared each read with its first run.
    assert statements == ["EXECUTE", "PREPARE", "PREPARE", "PREPARE"]


def test_two_queries_of_one_name_keep_their_own_statements_on_one_connection(world, db):
    """A connection keeps its prepared statements by name: two SameShape queries named
    alike must not run each other's SQL."""
    from egov.db import SameShape
    from egov.models import Citizen

    world.citizen("1AAAAAA", "Birinci")
    world.citizen("2BBBBBB", "İkinci")
    by_fin = SameShape("test_alike", lambda fin: Citizen.select().where(Citizen.fin == fin))
    by_name = SameShape("test_alike",
                        lambda name: Citizen.select().where(Citizen.full_name == name))
    with db.connection_context():
        assert [c.fin for c in by_fin.run("1AAAAAA")] == ["1AAAAAA"]
        assert [c.fin for c in by_name.run("İkinci")] == ["2BBBBBB"]
        assert [c.fin for c in by_fin.run("2BBBBBB")] == ["2BBBBBB"]


# --- Binding the database (egov.db.make_database, bind) ---

def test_a_sqlite_address_gives_the_embedded_database_with_its_settings(tmp_path):
    from egov.db import PortalSqliteDatabase, make_database

    db = make_database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert isinstance(db, PortalSqliteDatabase)
    assert db.database == str(tmp_path / "x.sqlite3")
    # Foreign keys on, write-ahead log, a connection handed between threads, a pool of 32.
    with db.connection_context():
        assert db.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)
        assert db.execute_sql("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute_sql("PRAGMA busy_timeout").fetchone() == (5000,)
    assert db.connect_params["check_same_thread"] is False
    assert db._max_connections == 32 and db._stale_timeout == 300


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+pool"])
def test_a_postgresql_address_gives_the_pooled_server_database(scheme):
    from egov.db import PortalPostgresqlDatabase, make_database

    db = make_database(f"{scheme}://egov:secret@db.example:5433/egov")
    assert isinstance(db, PortalPostgresqlDatabase)
    assert (db.database, db.connect_params) == (
        "egov", {"user": "egov", "password": "secret", "host": "db.example", "port": 5433})
    assert db._max_connections == 32 and db._wait_timeout == 10


def test_another_kind_of_address_is_refused_by_name():
    from egov.db import make_database

    with pytest.raises(ValueError, match=r"^DATABASE_URL: not a sqlite:// or postgresql:// "
                                         r"address: mysql://egov@db/egov$"):
        make_database("mysql://egov@db/egov")


def test_binding_the_same_address_again_keeps_its_pool(database_url, db):
    from egov.db import bind

    bound = db.obj
    assert bind(database_url) is bound
    assert getattr(bound, "_egov_url") == database_url
