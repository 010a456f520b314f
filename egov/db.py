"""The database connection's life: bound at app start, open per request."""
from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

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


def init_app(app):
    """Bind the models to DATABASE_URL; each request holds a pooled connection."""
    bind(app.config["DATABASE_URL"])

    @app.before_request
    def _open_connection():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close_connection(exc):
        if not database.is_closed():
            database.close()


def query_plan(query):
    """The database's plan for a peewee query, one line of text per step."""
    sql, params = query.sql()
    if is_postgres():
        return [row[0] for row in database.execute_sql("EXPLAIN " + sql, params).fetchall()]
    rows = database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return [row[-1] for row in rows]
