"""The app as production runs it, for tests of simultaneous requests: gunicorn with
several worker processes (and threads) on a free loopback port, its log kept to read."""
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .live import free_port

ROOT = Path(__file__).resolve().parents[2]

# Each worker says when its app is loaded, so that a test fires only once all can answer.
_READY_HOOK = """
import os
def post_worker_init(worker):
    open(os.path.join({folder!r}, "ready-%d" % worker.pid), "w").close()
"""


@dataclass
class Gunicorn:
    url: str
    log_path: Path

    def log(self):
        return self.log_path.read_text(errors="replace")


@contextmanager
def gunicorn(database_url, workers=4, threads=2, app="wsgi:app", port=None, **settings):
    """Serve `app` (the portal, or e.g. "egov.devidp:create_app()") with `workers` processes
    of `threads` threads; yields a Gunicorn."""
    folder = Path(tempfile.mkdtemp(prefix="egov-gunicorn-"))
    (folder / "hooks.py").write_text(_READY_HOOK.format(folder=str(folder)))
    port = port or free_port()
    env = {**os.environ, "EGOV_ENV": "development", "DEV_IDP": "0",
           "SECRET_KEY": "live-test-secret", "RATELIMIT_STORAGE_URI": "memory://",
           "DATABASE_URL": database_url, **{k: str(v) for k, v in settings.items()}}
    log_path = folder / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(folder / "hooks.py"),
             "-w", str(workers), "-k", "gthread", "--threads", str(threads),
             "-b", f"127.0.0.1:{port}", "--graceful-timeout", "2", app],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while len(list(folder.glob("ready-*"))) < workers:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())
            time.sleep(0.1)
        yield Gunicorn(f"http://127.0.0.1:{port}", log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
