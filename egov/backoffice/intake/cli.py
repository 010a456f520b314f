"""`flask import-lines|import-calls|import-payments FILE`, `flask check-tariffs`,
`flask generate-population`.

The progress bar is click's: click already comes with Flask (no new dependency),
is kept by the same Pallets maintainers, and handles terminal width and ETA. On
a non-terminal (cron, CI, a pipe) nothing is drawn at all.
"""
import sys

import click

from ...db import database
from ...models import create_tables
from ...telephony.billing import TariffError, load_tariffs
from ...timeutil import to_baku, utcnow
from .calls import import_calls
from .lines import import_lines
from .payments import import_payments
from .source import ImportRefused
from .writer import no_progress


def terminal_progress(label, total):
    if not sys.stderr.isatty() or not total:
        return no_progress(label, total)
    return click.progressbar(length=total, label=label, file=sys.stderr,
                             show_eta=True, show_percent=True)


def _run(importer, path, *args):
    create_tables()
    try:
        with database.connection_context():
            result = importer(path, *args, progress=terminal_progress)
    except ImportRefused as refused:
        for problem in refused.problems:
            click.echo(f"{path}: {problem}", err=True)
        raise click.ClickException(
            f"{len(refused.problems)} problem(s) in {path}; nothing was imported") from None
    except KeyboardInterrupt:
        raise click.ClickException(f"interrupted; nothing of {path} was imported") from None
    except OSError as error:  # a disk error, a file that cannot be read: no traceback either
        raise click.ClickException(
            f"{path}: cannot be read ({error.strerror or error}); nothing was imported") from None
    click.echo(f"{path}: {result.summary()}")


FILE = click.Path(exists=True, dir_okay=False)


def register_intake_commands(app):
    @app.cli.command("import-lines")
    @click.argument("path", type=FILE)
    def import_lines_command(path):
        """Import the operator's line registry (fin, full_name, number, since)."""
        _run(import_lines, path)

    @app.cli.command("import-calls")
    @click.argument("path", type=FILE)
    def import_calls_command(path):
        """Import call detail records (record_id, calling_number, called_number,
        started_at, duration_seconds), rated by data/tariffs.csv."""
        try:
            tariffs = load_tariffs(app.config["DATA_DIR"])
        except TariffError as error:
            raise click.ClickException(f"tariffs: {error}") from None
        _run(import_calls, path, tariffs)

    @app.cli.command("import-payments")
    @click.argument("path", type=FILE)
    def import_payments_command(path):
        """Mark imported calls paid (record_id, paid_at)."""
        _run(import_payments, path)

    @app.cli.command("check-tariffs")
    def check_tariffs_command():
        """Check data/tariffs.csv and show the tariffs in force today (Baku)."""
        try:
            book = load_tariffs(app.config["DATA_DIR"])
        except (TariffError, OSError) as error:
            raise click.ClickException(f"tariffs: {error}") from None
        today = to_baku(utcnow()).date()
        click.echo(f"Tariffs in force on {today} (qəpik a minute, billed per second):")
        for tariff in book.in_force(today):
            zone = tariff.prefix and f"+{tariff.prefix}" or "any"
            click.echo(f"  {tariff.kind:<13} {zone:<6} {tariff.qepik_per_minute:>4}"
                       f"   since {tariff.valid_from}")

    @app.cli.command("generate-population")
    @click.option("--citizens", type=click.IntRange(1), required=True)
    @click.option("--calls", type=click.IntRange(0), required=True)
    @click.option("--months", type=click.IntRange(1, 120), default=3, show_default=True)
    @click.option("--seed", type=int, default=1, show_default=True)
    def generate_population_command(citizens, calls, months, seed):
        """Add a synthetic population (citizens, lines, handovers, calls) for load tests."""
        from .population import generate_population

        create_tables()
        with database.connection_context():
            done = generate_population(
                citizens, calls, months=months, seed=seed,
                tariffs=load_tariffs(app.config["DATA_DIR"]),
                progress=terminal_progress)
        click.echo(done.summary())


