"""`flask import-lines|import-calls|import-payments FILE`, `flask check-tariffs`,
`flask generate-population`.

The progress bar is click's: click already comes with Flask (no new dependency),
is kept by the same Pallets maintainers, and handles terminal width and ETA. On
a non-terminal (cron, CI, a pipe) nothing is drawn at all.
"""
import sys

import click
from flask import current_app

from ...db import database
from ...schema import create_tables
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


def _tariffs(app):
    try:
        return load_tariffs(app.config["DATA_DIR"])
    except TariffError as error:
        raise click.ClickException(f"tariffs: {error}") from None


def _run(importer, path, *args, **kwargs):
    create_tables(current_app.config["CALL_RETENTION_MONTHS"])
    try:
        with database.connection_context():
            result = importer(path, *args, progress=terminal_progress, **kwargs)
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
        """Import the operator's line registry (fin, full_name, number, since[, plan])."""
        _run(import_lines, path, tariffs=_tariffs(app))

    @app.cli.command("import-calls")
    @click.argument("path", type=FILE)
    def import_calls_command(path):
        """Import call detail records (record_id, calling_number, called_number,
        started_at, duration_seconds), rated by the tariff book in data/."""
        _run(import_calls, path, _tariffs(app))

    @app.cli.command("import-payments")
    @click.argument("path", type=FILE)
    def import_payments_command(path):
        """Mark imported calls paid (record_id, paid_at)."""
        _run(import_payments, path)

    @app.cli.command("check-tariffs")
    @click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="The day to show (Baku); today by default.")
    def check_tariffs_command(on):
        """Check the tariff book (plans, prices, bands, holiday transfers) and show what is
        in force on a day (Baku)."""
        try:
            book = load_tariffs(app.config["DATA_DIR"])
        except (TariffError, OSError) as error:
            raise click.ClickException(f"tariffs: {error}") from None
        day = on.date() if on else to_baku(utcnow()).date()
        click.echo(f"Tariff book in force on {day} (qəpik a minute):")
        for plan in book.plans.values():
            default = " (default)" if plan.code == book.default_plan else ""
            step = "per second" if plan.billing_step_seconds == 1 else "per started minute"
            click.echo(f"plan {plan.code}{default}: {plan.names['en']}, billed {step}")
            for tariff in book.in_force(day, plan.code):
                zone = tariff.prefix and f"+{tariff.prefix}" or "any"
                click.echo(f"  {tariff.kind:<13} {zone:<6} {tariff.qepik_per_minute:>4}"
                           f"   since {tariff.valid_from}  {tariff.destination}")
            for band in book.bands_in_force(day, plan.code):
                hours = (f"{band.starts:%H:%M}-{band.ends:%H:%M}" if band.starts else "all day")
                click.echo(f"  {band.kind:<13} {band.name:<8} {hours:<12} "
                           f"x{band.factor_permille / 1000:g}   since {band.valid_from}")
        holiday = book.calendar.is_holiday(day)
        click.echo(f"{day} is {'a day off (holiday band)' if holiday else 'not a holiday'}.")

    @app.cli.command("generate-population")
    @click.option("--citizens", type=click.IntRange(1), required=True)
    @click.option("--calls", type=click.IntRange(0), required=True)
    @click.option("--months", type=click.IntRange(1, 120), default=3, show_default=True)
    @click.option("--seed", type=int, default=1, show_default=True)
    def generate_population_command(citizens, calls, months, seed):
        """Add a synthetic population (citizens, lines, handovers, calls) for load tests."""
        from .population import generate_population

        create_tables(current_app.config["CALL_RETENTION_MONTHS"])
        with database.connection_context():
            done = generate_population(
                citizens, calls, months=months, seed=seed,
                tariffs=load_tariffs(app.config["DATA_DIR"]),
                progress=terminal_progress)
        click.echo(done.summary())


