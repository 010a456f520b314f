"""Where a request's CPU goes: gunicorn's workers, PostgreSQL's server processes, wrk.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/egov_bench \
        .venv/bin/python bench/cpu_split.py [GUNICORN SETTING …]

Serves the bench database (BENCH_DATABASE_URL, as `make bench` generated it) with
production's settings, or with those settings and the ones given (`-w 4 --threads 1`),
and while `wrk` asks each page (16 connections, BENCH_SECONDS) reads the CPU seconds of
every process on the machine from /proc before and after, then prints them per request
served, by group. A timed figure, so it moves with the machine (docs/performance.md,
"Where a request's CPU goes"); the split between the groups is what it is for.
BENCH_ROUNDS rounds (2). Linux only (/proc).
"""
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_bench  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def _group(command):
    if command.startswith("postgres"):
        return "PostgreSQL"
    if command.startswith(("egov", "gunicorn")):  # proc_name in deploy/gunicorn.conf.py
        return "gunicorn"
    return "other"


def cpu_seconds():
    """{group: user + system CPU seconds} of the machine's processes, wrk included (a
    child of this one that has ended: its seconds are counted once it is waited for)."""
    groups = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                text = stat.read()
        except OSError:  # ended meanwhile
            continue
        command = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
        groups[_group(command)] = groups.get(_group(command), 0) + seconds
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    groups["wrk"] = children.ru_utime + children.ru_stime
    return groups


def main(settings):
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:  # scale_bench's own default is an SQLite file only a run of it fills
        sys.exit("BENCH_DATABASE_URL: the database `make bench` generated, e.g. "
                 "postgresql://postgres@127.0.0.1:5432/egov_bench (the Makefile's default)")
    server = scale_bench.Server(url, settings)
    try:
        cookie = server.sign_in(scale_bench.AYSEL["username"], scale_bench.AYSEL["password"])
        signed_in = {"Cookie": cookie, **scale_bench.BROWSER}
        pages = [
            ("/healthz", "/healthz", {}),
            ("home page", "/", scale_bench.BROWSER),
            ("the report", "/calls", signed_in),
            ("line swap", f"/calls?line={scale_bench.AYSEL_SECOND_LINE}",
             {**signed_in, **scale_bench.HTMX, "HX-Target": "call-report"}),
        ]
        named = " ".join(settings) or "as production"
        print(f"CPU per request served, ms ({url}, gunicorn {named})")
        for _ in range(ROUNDS):
            for name, path, headers in pages:
                before, started = cpu_seconds(), time.monotonic()
                rate = scale_bench.load(server, path, headers)
                after, ended = cpu_seconds(), time.monotonic()
                served = rate * (ended - started)
                used = {group: after[group] - before.get(group, 0) for group in after}
                split = "  ".join(f"{group} {used.get(group, 0) / served * 1000:.2f}"
                                  for group in ("gunicorn", "PostgreSQL", "wrk", "other"))
                print(f"  {name:<12} {rate:7.0f}/s   {split}", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main(tuple(sys.argv[1:]))
