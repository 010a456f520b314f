"""gunicorn's settings for one app host: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

systemd starts it (deploy/systemd/egov.service) with the environment of /etc/egov/egov.env;
nginx (deploy/nginx/egov.conf) spreads requests over several such hosts. A setting given on
the command line overrides the one here (`gunicorn -c … -w 2`), as the deployment test does.
"""
import os

# --- The process model, in one place: `make bench` serves with this file (and measures
# other settings beside it with BENCH_COMPARE), so a performance pass changes it here and
# nowhere else. Measured on a 2-core machine under 200 signed-in sessions, two runs each
# (docs/performance.md, "The process model", 7 December 2026): two workers per core with two
# threads each served as many reports as any setting tried (464 and 477 pages/s; -w 6 with
# one thread 466, -w 3 --threads 2 463: the same within the noise), with p99 0.75 and
# 0.85 s; four threads spent more in switching than they gained (383/s, p99 1.1 s); one
# thread per worker leaves a worker idle while its request waits on PostgreSQL. The app keeps no
# per-thread state but its pooled connection, so each thread holds at most one PostgreSQL
# connection: size PostgreSQL's max_connections for hosts x workers x threads, plus the
# scheduled jobs.
WORKERS_PER_CORE = 2
THREADS = 2

# The cores this process may run on (a cgroup or systemd's CPUAffinity= can give fewer than
# the machine has; os.cpu_count() would not see it).
CORES = len(os.sched_getaffinity(0))

workers = WORKERS_PER_CORE * CORES
worker_class = "gthread"
threads = THREADS

# The address nginx reaches this host at (the upstream's `server` lines): set EGOV_BIND in
# /etc/egov/egov.env, e.g. 10.0.0.11:8000. Loopback by default: never public by accident.
bind = [os.environ.get("EGOV_BIND", "127.0.0.1:8000")]

# A worker that has not reported for this long (stuck in C code, say) is killed and replaced.
timeout = 30
# On SIGTERM (systemctl stop/restart) and SIGHUP (reload), requests in flight get this long to
# finish before their worker is stopped; egov.service's TimeoutStopSec is longer.
graceful_timeout = 20
# Longer than nginx's upstream keepalive_timeout (60 s), so that nginx closes an idle
# connection before gunicorn does and never sends a request on one gunicorn just closed.
keepalive = 75

# Each worker tells the master it is alive by touching a file, at each pass of its loop
# (every request, and at least once a second); where /tmp is on a disk (egov.service's
# PrivateTmp is under the host's /tmp) that is a metadata write each time, which
# gunicorn's docs warn can block a worker. In memory it costs nothing.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# The master imports the app once, before it opens its socket, and forks workers that are
# ready at once. Without it a restarted host listens at once while each worker still imports
# the app, and what nginx sends it meanwhile waits in the socket's queue: in the deployment
# test, on a loaded 2-core machine, a report view waited 6.8 s at the restart without it and
# at most 0.8 s with it. Importing the app opens no connection (PostgreSQL and Redis are
# reached on first use, in each worker), so no socket is shared across the fork.
# With it, a reload (SIGHUP) forks new workers from the code already loaded: a new release
# needs `systemctl restart egov`, one host at a time (nginx sends requests to the others).
preload_app = True
proc_name = "egov"


def on_starting(server):
    """In the master, once the app is loaded (preload_app) and before it listens or forks:
    the portal's templates compiled in its three languages, for the workers to share
    (egov.localized_templates.compile_every_template). Another app served with this file
    is left as it is."""
    from egov import Portal
    from egov.i18n import LANGUAGES
    from egov.localized_templates import compile_every_template

    app = server.app.wsgi()  # loaded already (preload_app): what the workers will serve
    if isinstance(app, Portal):
        compile_every_template(app, LANGUAGES)

# gunicorn 25.1+ opens a control socket in $HOME or $XDG_RUNTIME_DIR for `gunicornc`; this
# host is managed by systemd (stop, restart, reload by SIGHUP), so none is opened (and several
# hosts on one test machine would share its path). Older versions ignore the setting.
control_socket_disable = True

# Logs go to stdout/stderr, which systemd hands to the journal (journalctl -u egov).
accesslog = "-"
errorlog = "-"
loglevel = "info"
# Without personal data: the method and the path, never the query string (a sign-in's
# `next`, a line number), cookies, the Referer or the User-Agent, nor the client's address.
# Who read a citizen's data is the app's own access log («Məlumatlarıma kim baxıb?»), kept per
# citizen and pruned (ACCESS_LOG_RETENTION_MONTHS). nginx's request id joins a line here to
# nginx's own log line for the same request.
access_log_format = '%(t)s %(m)s %(U)s %(s)s %(B)s %(M)sms request=%({x-request-id}i)s'

# nginx sets X-Forwarded-For/-Proto/-Host; the app reads them through Werkzeug's ProxyFix
# (TRUSTED_PROXY_COUNT=1), not gunicorn, so gunicorn's forwarded_allow_ips stays at its default.
