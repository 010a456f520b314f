"""The database connection's life: bound at app start, open per request."""
import logging
import time

from flask import request
from peewee import (DatabaseProxy, InterfaceError, OperationalError, PostgresqlDatabase,
                    SqliteDatabase)
from playhouse.db_url import connect

log = logging.getLogger(__name__)

# What a database that is restarting, failing over or unreachable raises (peewee wraps the
# driver's errors in these): a connection refused or dropped, «database is locked».
UNAVAILABLE = (OperationalError, InterfaceError)


class DatabaseUnavailable(Exception):
    """No working connection could be had within DATABASE_RETRY_SECONDS."""

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    "busy_timeout": 5000,
    "cache_size": -16000,
    # With WAL, NORMAL never corrupts the file; it skips an fsync per commit, and every
    # report view commits (the usage count). Production runs PostgreSQL anyway.
    "synchronous": "normal",
}


# Connections come from a pool and go back to it after each request: opening a PostgreSQL
# connection forks a server process, and closing the last SQLite connection checkpoints
# the WAL; either cost more than serving the page (measured by `make bench`).
POOL = {"max_connections": 32, "timeout": 10, "stale_timeout": 300}


def make_database(url):
    scheme, rest = url.split("://", 1)
    pooled = f"{scheme}+pool://{rest}" if "+" not in scheme else url
    if url.startswith("sqlite"):
        # A pooled connection is opened by one thread and later checked out by another
        # (flask run and gunicorn threads); the pool hands it to one thread at a time.
        return connect(pooled, pragmas=SQLITE_PRAGMAS, check_same_thread=False, **POOL)
    return connect(pooled, **POOL)


def bind(url):
    """Point the models at the database named by url (idempotent for the same url)."""
    current = database.obj
    if current is not None and getattr(current, "_egov_url", None) == url:
        return current
    if current is not None and not current.is_closed():
        current.close()
    db = make_database(url)
    db._egov_url = url
    database.initialize(db)
    return db


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


def is_sqlite():
    return isinstance(database.obj, SqliteDatabase)


def discard_connections():
    """Drop this thread's connection and the pool's idle ones: when one has died with the
    server (a restart, a failover), the others opened before it have died too."""
    try:
        if not database.is_closed():
            database.manual_close()
        database.close_idle()
    except Exception:  # closing a dead connection may fail too; it is gone either way
        log.debug("closing a dead connection failed", exc_info=True)


def acquire_connection(retry_seconds):
    """Check out a pooled connection that answers, retrying with backoff for a while.

    Only this is retried, and only before the request has done anything: no statement
    of the request has been sent, so trying again can never apply a write twice. A
    connection lost later, in the middle of a request, is not retried (its last write
    may or may not have committed): that request ends with DatabaseUnavailable's page.
    The ping is one round trip; a pooled connection whose server went away is
    otherwise only found out by the request's first real query.
    """
    deadline = time.monotonic() + retry_seconds
    delay = 0.05
    while True:
        try:
            database.connect(reuse_if_open=True)
            database.execute_sql("SELECT 1")
            return
        except UNAVAILABLE as error:
            discard_connections()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DatabaseUnavailable(str(error).strip()) from error
            log.warning("database unavailable (%s); trying again in %.2f s",
                        str(error).strip() or type(error).__name__, min(delay, remaining))
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 0.5)


def init_app(app):
    """Bind the models to DATABASE_URL; each request holds a pooled connection."""
    bind(app.config["DATABASE_URL"])

    @app.before_request
    def _open_connection():
        # Static files and the load balancer's /healthz never read the database: a
        # database outage must not take them down too (nor every app process out of
        # the balancer with them).
        endpoint = request.endpoint or ""
        if endpoint == "healthz" or endpoint == "static" or endpoint.endswith(".static"):
            return
        acquire_connection(app.config["DATABASE_RETRY_SECONDS"])

    @app.teardown_request
    def _close_connection(exc):
        if database.is_closed():
            return
        if isinstance(exc, UNAVAILABLE):
            discard_connections()  # never hand a broken connection to the next request
            return
        try:
            database.close()
        except UNAVAILABLE:
            discard_connections()


def query_plan(query):
    """The database's plan for a peewee query, one line of text per step."""
    sql, params = query.sql()
    if is_postgres():
        return [row[0] for row in database.execute_sql("EXPLAIN " + sql, params).fetchall()]
    rows = database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return [row[-1] for row in rows]
