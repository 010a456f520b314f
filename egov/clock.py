"""The process's clock: the real one, or, for a testing app, the moment TEST_CLOCK names.

The browser and gunicorn tests run the app in a process of its own, where a test's
time_machine does not reach; with TEST_CLOCK the whole process (every thread) starts at
that moment and ticks on from there, so those tests can choose their date as the unit
tests do. A production configuration refuses the setting (egov/config.py), and so does
create_app, should a test_config bring it. time_machine is a test dependency: it is
imported only when the setting is given.
"""
from .config import TEST_CLOCK_IN_PRODUCTION, ConfigError

_travel = None


def init_app(app):
    """Start the clock at TEST_CLOCK, if the app's configuration names a moment."""
    moment = app.config.get("TEST_CLOCK")
    if moment is None:
        return
    if app.config["EGOV_ENV"] == "production":
        raise ConfigError(TEST_CLOCK_IN_PRODUCTION)
    start(moment)


def start(moment):
    """Move this process to `moment`, ticking on. Once per process: the clock is the
    process's, so a second app made in it (a command's, a worker's) keeps the first one's."""
    global _travel
    if _travel is not None:
        return
    import time_machine

    _travel = time_machine.travel(moment, tick=True)
    _travel.start()


def stop():
    """Back to the real clock (for tests that start one in their own process)."""
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None
