"""The database connection's life: bound at app start, open per request."""
import click
from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    "busy_timeout": 5000,
    "cache_size": -16000,
}


def make_database(url):
    if url.startswith("sqlite"):
        return connect(url, pragmas=SQLITE_PRAGMAS)
    scheme, rest = url.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        # A new TCP connection per request would cost more than the report itself:
        # each process keeps a small pool; closing a connection returns it there.
        return connect(f"postgresql+pool://{rest}", max_connections=20, stale_timeout=300)
    return connect(url)


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


def create_tables():
    from .models import ALL_MODELS

    with database.connection_context():
        database.create_tables(ALL_MODELS, safe=True)


def prepare_embedded(data_dir):
    """The embedded SQLite database is created, with its catalogue, on first run."""
    from .catalogue import load_catalogue
    from .models import Agency

    create_tables()
    with database.connection_context():
        if not Agency.select().exists():
            load_catalogue(data_dir)


def init_app(app):
    bind(app.config["DATABASE_URL"])
    if is_sqlite():
        prepare_embedded(app.config["DATA_DIR"])

    @app.before_request
    def _open_connection():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close_connection(exc):
        if not database.is_closed():
            database.close()

    @app.cli.command("init-db")
    def init_db_command():
        """Create the tables (safe to repeat) and load the catalogue."""
        from .catalogue import load_catalogue

        create_tables()
        with database.connection_context():
            load_catalogue(app.config["DATA_DIR"])
        click.echo("Database ready.")
