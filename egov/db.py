"""The database connection's life: bound at app start, open per request, and a request
run again when its connection turns out dead before it changed anything."""
import itertools
import logging
import re
import threading
import time
import weakref
from datetime import datetime, timedelta
from urllib.parse import urlparse

from peewee import (CursorWrapper, DatabaseProxy, InterfaceError, ModelCursorWrapper,
                    ModelObjectCursorWrapper, OperationalError, PostgresqlDatabase,
                    SqliteDatabase, __exception_wrapper__)
from playhouse.db_url import parseresult_to_dict
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

log = logging.getLogger(__name__)

# What a database that is restarting, failing over or unreachable raises (peewee wraps the
# driver's errors in these): a connection refused or dropped, «database is locked».
UNAVAILABLE = (OperationalError, InterfaceError)


class RunAgain(Exception):
    """The request's connection failed before the request changed anything: running the
    request again from its start, on a fresh connection, cannot apply a write twice."""


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

# How long a request (or a command's commit) waits for the database to come back.
DEFAULT_RETRY_SECONDS = 3.0


class _Request(threading.local):
    """What this thread's request has done to the database so far (gunicorn's threads and
    flask run's each serve one request at a time)."""

    changed = False  # a commit was sent: the request may have changed the database
    transaction_id = None  # PostgreSQL's id of the transaction open on this thread
    deadline = None  # time.monotonic() until which the request may be run again


_request = _Request()


# Statements that change nothing: queries, and preparing or running a prepared query
# (SameShape prepares reads only).
_READS = ("SELECT", "PREPARE", "EXECUTE")


def _reads_only(sql):
    return sql.lstrip()[:7].upper().startswith(_READS)


class _KnowsWhatWasCommitted:
    """Marks the request as having changed the database as soon as a commit is sent.

    A statement that fails before that point changed nothing, so the request can be run
    again (egov.__init__'s Portal.full_dispatch_request, with run_again_if_unchanged). A
    commit that fails on the way is the one case where the outcome is unknown; on
    PostgreSQL the transaction's id settles it (outcome_of)."""

    def execute_sql(self, sql, params=None):
        if self.in_transaction() or _reads_only(sql):
            return super().execute_sql(sql, params)
        if not isinstance(self, PostgresqlDatabase):
            # SQLite is a file: its connection does not die, and a write outside a
            # transaction commits as it runs (a locked file fails before it writes).
            _request.changed = True
            return super().execute_sql(sql, params)
        # On PostgreSQL a write outside a transaction commits as it is sent: were the
        # connection dead, nobody could tell whether it had. Inside one, a dead
        # connection fails at BEGIN, and only the COMMIT's outcome can be unknown.
        # Its answer (RETURNING rows, the row count) is read before the COMMIT: a COMMIT
        # whose connection is lost is settled on a fresh one, and a cursor of the old one
        # can no longer be read.
        with self.atomic():
            return _Answer(super().execute_sql(sql, params))

    def begin(self, *args, **kwargs):
        if not isinstance(self, PostgresqlDatabase):
            return super().begin(*args, **kwargs)
        # The transaction's id comes with its BEGIN, in the same round trip: should the
        # connection die at COMMIT, the id tells whether the transaction committed.
        with __exception_wrapper__:
            cursor = self.cursor()
            cursor.execute("BEGIN; SELECT txid_current()")
            _request.transaction_id = cursor.fetchone()[0]
        return None

    def commit(self):
        changed_before = _request.changed
        _request.changed = True
        xid = _request.transaction_id if isinstance(self, PostgresqlDatabase) else None
        try:
            return super().commit()
        except UNAVAILABLE:
            if xid is None:  # SQLite: a failed commit did not commit
                _request.changed = changed_before
                raise
            outcome = outcome_of(xid)
            if outcome == "committed":
                log.warning("database connection lost at COMMIT; transaction %s had "
                            "committed", xid)
                return None
            if outcome == "aborted":
                _request.changed = changed_before  # as if it had never been sent
            raise


class _Answer:
    """A statement's answer read whole from its cursor: what peewee reads of a cursor."""

    def __init__(self, cursor):
        self.description = cursor.description
        self.rowcount = cursor.rowcount
        self.lastrowid = getattr(cursor, "lastrowid", None)
        self._rows = list(cursor.fetchall()) if cursor.description else []

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size=1):
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def fetchall(self):
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self):
        return iter(self.fetchall())

    def close(self):
        self._rows = []


class PortalPostgresqlDatabase(_KnowsWhatWasCommitted, PooledPostgresqlDatabase):
    def execute_prepared(self, name, sql, params):
        """Run `sql` as the prepared statement `name` of this connection, preparing it in
        the same round trip the first time the connection runs it."""
        conn = self.connection()
        with _prepared_lock:
            ready = _prepared.setdefault(conn, set())
        run = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else (
            f"EXECUTE {name}")
        if name in ready:
            return self.execute_sql(run, params)
        cursor = self.execute_sql(f"PREPARE {name} AS {_dollar_parameters(sql)}; {run}",
                                  params)
        ready.add(name)
        return cursor

    def _is_closed(self, conn):
        # peewee's pool sends «SELECT 1» at every check-out of an idle connection to learn
        # whether the server is still there: a round trip on every request. Only what the
        # driver knows without asking is checked here; a connection the server dropped is
        # found by the request's first statement, and the request run again.
        adapter = self._adapter
        status = adapter.txn_status(conn)
        if conn.closed or status == adapter.txn_unknown:
            return True
        if status != adapter.txn_idle:  # left inside a transaction: never reused as it is
            try:
                adapter.rollback(conn)
            except Exception:
                return True
        return False


class PortalSqliteDatabase(_KnowsWhatWasCommitted, PooledSqliteDatabase):
    pass


# --- Queries of one shape: their SQL built once, and prepared once per connection ---------

class SameShape:
    """A read that runs with new values on every request but always in the same shape:
    the report's session, lines and calls. peewee builds a query's SQL text anew each time
    (about a millisecond for those three) and PostgreSQL plans it anew each time (half of
    its time for the calls, across the month partitions); here the text is built once per
    process and, on PostgreSQL, prepared once per connection, then only run.

    `build(*values)` makes the peewee query from plain database values (ids, strings,
    naive datetimes), and must not branch on them: it is called once, with stand-ins of
    the same types, and each stand-in's place among the query's parameters is where the
    real value goes. A query that needs another shape (two holder windows rather than one)
    gets its own text, by the number and types of its values."""

    def __init__(self, name, build):
        self.name = name
        self.build = build
        self._shapes = {}
        self._row_readers = {}  # statement name → what peewee worked out to read its rows
        self._lock = threading.Lock()

    def run(self, *values):
        """The query's rows (model objects, as peewee gives them) for these values."""
        shape = tuple(type(value) for value in values)
        compiled = self._shapes.get(shape)
        if compiled is None:
            with self._lock:
                compiled = self._shapes.get(shape) or self._compile(shape)
                self._shapes[shape] = compiled
        query, sql, places, statement = compiled
        params = [values[place] if isinstance(place, int) else place[0] for place in places]
        db = database.obj
        if isinstance(db, PostgresqlDatabase):
            cursor = db.execute_prepared(statement, sql, params)
        else:  # sqlite3 keeps its own cache of compiled statements, by their text
            cursor = db.execute_sql(sql, params)
        return self._rows(query, statement, cursor)

    def _rows(self, query, statement, cursor):
        """The query's own row builder (joined models come back as peewee would give them),
        told at once how to read the rows. peewee works that out on every run, matching the
        cursor's columns to the query's fields (some 25 µs for the calls' twenty columns);
        the columns of one statement are the same on every run, so it is worked out on the
        first and what it added to the builder is given to the later ones."""
        rows = query._get_cursor_wrapper(cursor)
        if type(rows) not in _REUSABLE_READERS:  # another kind keeps its own way (a
            return rows                          # named tuple's holds its first builder)
        reader = self._row_readers.get(statement)
        if reader is None:
            before = dict(vars(rows))
            rows.initialize()
            reader = {key: value for key, value in vars(rows).items()
                      if key not in before or before[key] is not value}
            self._row_readers[statement] = reader
        else:
            vars(rows).update(reader)
        rows.initialized = True
        return rows

    def _compile(self, shape):
        stand_ins = [_stand_in(kind, i) for i, kind in enumerate(shape)]
        query = self.build(*stand_ins)
        sql, params = query.sql()
        places = []
        for param in params:
            found = [i for i, stand_in in enumerate(stand_ins)
                     if type(param) is type(stand_in) and param == stand_in]
            places.append(found[0] if found else (param,))  # (fixed,): the query's own
        missing = set(range(len(shape))) - {p for p in places if isinstance(p, int)}
        if missing:
            raise ValueError(f"{self.name}: values {sorted(missing)} do not reach the SQL "
                             "as they are given (convert them to database values first)")
        # Unique in the process, whatever the names: a connection keeps each by its name.
        statement = f"egov_{self.name}_{next(_statement_numbers)}"
        STATEMENTS[statement] = sql
        return query, sql, places, statement


# The row builders whose reading of the columns depends on the query and the cursor's
# columns alone (model objects, joined models, plain rows): what SameShape reuses.
_REUSABLE_READERS = (ModelObjectCursorWrapper, ModelCursorWrapper, CursorWrapper)


def _stand_in(kind, position):
    """A value of `kind` no real query uses, distinct for each position."""
    if kind is int:
        return -7_000_000_000 - position
    if kind is str:
        return f"\x00stand-in {position}\x00"
    if kind is datetime:
        return datetime(1111, 1, 1) + timedelta(seconds=position + 1)
    raise TypeError(f"no stand-in for a {kind.__name__}")


# Each SameShape statement's SQL text by its name (what an EXECUTE runs, for a reader).
STATEMENTS = {}
_statement_numbers = itertools.count()

# The prepared statements each PostgreSQL connection holds, by name.
_prepared = weakref.WeakKeyDictionary()
_prepared_lock = threading.Lock()


def _dollar_parameters(sql):
    """psycopg2's %s placeholders as PostgreSQL's own $1, $2… (what PREPARE takes). The
    text still goes through psycopg2 (with the EXECUTE's values), so «%%» stays as it is."""
    count = iter(range(1, sql.count("%s") + 1))
    return re.sub(r"%s", lambda _: f"${next(count)}", sql)


def outcome_of(xid):
    """«committed» or «aborted»: what became of transaction `xid`, asked on a fresh
    connection (waiting for the database to answer within the request's time); None when
    it does not answer in time (the outcome stays unknown)."""
    deadline = _request.deadline or time.monotonic() + DEFAULT_RETRY_SECONDS
    delay = 0.05
    while True:
        discard_connections()
        try:
            database.connect(reuse_if_open=True)
            status = database.execute_sql("SELECT txid_status(%s)", (xid,)).fetchone()[0]
            if status != "in progress":
                return status
        except UNAVAILABLE:
            pass
        if time.monotonic() + delay > deadline:
            return None
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def make_database(url):
    parsed = urlparse(url)
    settings = parseresult_to_dict(parsed)
    if parsed.scheme.startswith("sqlite"):
        # A pooled connection is opened by one thread and later checked out by another
        # (flask run and gunicorn threads); the pool hands it to one thread at a time.
        return PortalSqliteDatabase(**settings, pragmas=SQLITE_PRAGMAS,
                                    check_same_thread=False, **POOL)
    if parsed.scheme.split("+")[0] in ("postgres", "postgresql"):
        return PortalPostgresqlDatabase(**settings, **POOL)
    raise ValueError(f"DATABASE_URL: not a sqlite:// or postgresql:// address: {url}")


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


def dispatch_retrying(dispatch, retry_seconds):
    """dispatch() (the request, from its before-request steps to its response), run again
    while it fails with RunAgain, with a growing pause, for up to retry_seconds.

    No statement is sent to check a connection before using it (a round trip on every
    request): the pooled connection is used, and a dead one is found by the request's
    first statement. Until the request sends a commit, running it again cannot apply a
    write twice; after that, a lost connection ends it with the 503 page."""
    _request.changed = False
    _request.deadline = time.monotonic() + retry_seconds
    delay = 0.05
    try:
        while True:
            try:
                return dispatch()
            except RunAgain as lost:
                error = lost.__cause__
                discard_connections()
                pause = min(delay, max(0.0, _request.deadline - time.monotonic()))
                log.warning("database unavailable (%s); running the request again in %.2f s",
                            str(error).strip() or type(error).__name__, pause)
                time.sleep(pause)
                delay = min(delay * 2, 0.5)
    finally:
        _request.deadline = None


def run_again_if_unchanged(error):
    """Raise RunAgain for a database error that came before the request changed anything,
    while there is time left; otherwise return, for the error's own page (the 503)."""
    if (isinstance(error, UNAVAILABLE) and not _request.changed
            and _request.deadline is not None and time.monotonic() < _request.deadline):
        raise RunAgain() from error


def init_app(app):
    """Bind the models to DATABASE_URL. A request takes a pooled connection at its first
    statement (peewee connects on first use) and gives it back at its end: a page that
    needs no database (/healthz, static files, the catalogue once read) never asks for one,
    and stays up while the database is away."""
    bind(app.config["DATABASE_URL"])
    app.teardown_request(_close_connection)


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
