"""`make bench`: the report at national scale, as ratios measured in one run.

Every figure is a ratio of two measurements taken in the same run on the same
machine, so it holds on a noisy, shared machine where absolute times do not:

- import-calls rows/s against a bare executemany of the same rows into the same
  database (the storage engine's limit);
- report pages/s under gunicorn (2 workers, loopback) against the same server's
  /healthz (the web stack's limit), with BENCH_CALLS calls in the database, and
  against the same report on a database of a hundred calls;
- bytes of the first visit and of each drill-down fragment, raw and gzip'ed;
- the query plans of the report's and the intake's lookups.

Environment: BENCH_CALLS (default 10 000 000), BENCH_DATABASE_URL (default a
SQLite file under bench/data/, generated once and reused), BENCH_SECONDS per
load run (default 10), BENCH_IMPORT_ROWS (default 100 000). Traffic goes to
127.0.0.1 only.
"""
import csv
import gzip
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from egov.telephony.access import calls_query, holdings_query, lines_of  # noqa: E402
from egov.telephony.billing import load_tariffs  # noqa: E402
from egov.catalogue import load_catalogue  # noqa: E402
from egov.db import bind, database, is_postgres, query_plan  # noqa: E402
from egov.models import create_tables  # noqa: E402
from egov.demo import AYSEL, AYSEL_SECOND_LINE, local, prepare_demo  # noqa: E402
from egov.backoffice.intake import import_calls  # noqa: E402
from egov.backoffice.intake.cli import terminal_progress  # noqa: E402
from egov.backoffice.intake.population import generate_population  # noqa: E402
from egov.backoffice.intake.writer import copy_rows  # noqa: E402
from egov.models import Call, Citizen, LineOwnership, PhoneLine  # noqa: E402
from egov.backoffice.registry import rate_call  # noqa: E402
from egov.telephony.reports import call_report  # noqa: E402
from egov.timeutil import Month, utcnow  # noqa: E402

DATA_DIR = ROOT / "data"
CALLS = int(os.environ.get("BENCH_CALLS", "10000000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
SMALL_CALLS = 100
CONNECTIONS = 16
ROUNDS = 3


def default_url(calls):
    folder = ROOT / "bench" / "data"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'bench-{calls}.sqlite3'}"


def small_url(url):
    if url.startswith("sqlite"):
        return default_url(SMALL_CALLS)
    return url.rsplit("/", 1)[0] + "/" + urlsplit(url).path.lstrip("/") + "_small"


def ensure_postgres_database(url):
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                            password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parts.path.lstrip("/"),))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
    conn.close()


def prepare(url, calls):
    """The bench database with `calls` generated calls (made once, then reused) and the demo."""
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    bind(url)
    create_tables()
    with database.connection_context():
        present = Call.select().where(Call.record_id.startswith("G")).count()
        if present < calls:
            if present:
                sys.exit(f"{url} holds {present} generated calls, not {calls}: remove it first")
            print(f"Generating {calls:,} calls into {url} (once; later runs reuse it)…",
                  file=sys.stderr)
            started = time.perf_counter()
            done = generate_population(max(10, calls // 100), calls, load_tariffs(DATA_DIR),
                                       months=3, seed=42, progress=terminal_progress)
            print(f"  {done.summary()} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        load_catalogue(DATA_DIR)
        prepare_demo(DATA_DIR)


# ---------------------------------------------------------------- import rate

def import_rows(count):
    """`count` plausible call rows on generated lines held throughout the last 40 days."""
    now = utcnow()
    lines = list(PhoneLine.select(PhoneLine.id, PhoneLine.number).join(LineOwnership)
                 .where(LineOwnership.ends_at.is_null()
                        & (LineOwnership.starts_at < now - timedelta(days=40))
                        & PhoneLine.number.startswith("012"))
                 .limit(2000).tuples())
    rng = random.Random(5)
    rows = []
    for i in range(count):
        line_id, number = rng.choice(lines)
        started = (now - timedelta(seconds=rng.randint(3600, 30 * 86400))).replace(microsecond=0)
        rows.append((f"BENCH-{i:09d}", line_id, number, rng.choice(
            ("0222564321", "0242441122", "0074951234567", "00905321234567")), started,
            rng.randint(1, 900)))
    return rows


def measure_import(tariffs):
    rows = import_rows(IMPORT_ROWS)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="",
                                     encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("record_id", "calling_number", "called_number", "started_at",
                         "duration_seconds"))
        writer.writerows((r[0], r[2], r[3], local(r[4]), r[5]) for r in rows)
        path = handle.name
    stored = []
    for record_id, line_id, number, dialled, started, seconds in rows:
        kind, amount = rate_call(tariffs, number, dialled, started, seconds)
        stored.append((record_id, line_id, started.strftime("%Y-%m-%d %H:%M:%S"), seconds,
                       dialled, kind, amount))
    try:
        # Both inside a transaction that is rolled back: the bench database stays as it was.
        with database.atomic() as outer:
            started = time.perf_counter()
            result = import_calls(path, tariffs)
            import_seconds = time.perf_counter() - started
            outer.rollback()
        assert result.added == IMPORT_ROWS, result
        mark = "%s" if is_postgres() else "?"
        sql = ('INSERT INTO "call" (record_id, line_id, started_at, duration_seconds, '
               f'dialled_number, kind, amount_qepik) VALUES ({", ".join([mark] * 7)})')
        with database.atomic() as outer:
            started = time.perf_counter()
            database.cursor().executemany(sql, stored)
            bare_seconds = time.perf_counter() - started
            outer.rollback()
        copy_seconds = None
        if is_postgres():  # there the engine's own bulk path is COPY, not executemany
            with database.atomic() as outer:
                started = time.perf_counter()
                copy_rows(Call, ("record_id", "line_id", "started_at", "duration_seconds",
                                 "dialled_number", "kind", "amount_qepik"), stored)
                copy_seconds = time.perf_counter() - started
                outer.rollback()
    finally:
        os.unlink(path)
    return (IMPORT_ROWS / import_seconds, IMPORT_ROWS / bare_seconds,
            copy_seconds and IMPORT_ROWS / copy_seconds)


# ---------------------------------------------------------------- report in process

def report_seconds():
    """Seconds to build the demo citizen's report (holdings + calls), in process."""
    aysel = Citizen.get(Citizen.fin == AYSEL["fin"])
    month = Month.current()
    started = time.perf_counter()
    for held in lines_of(aysel, month):
        call_report(held, month)
    return time.perf_counter() - started


def report_ms(small, big, blocks=10, runs=30):
    """Median ms of the report on each database, the two taking turns in blocks."""
    databases, times = {}, {small: [], big: []}
    for _ in range(blocks):
        for url in (small, big):
            if url in databases:
                database.initialize(databases[url])
            else:
                databases[url] = bind(url)
            with database.connection_context():
                times[url] += [report_seconds() for _ in range(runs)]
    return (statistics.median(times[small]) * 1000, statistics.median(times[big]) * 1000)


def plans():
    """(what, the index it should use, plan) of the report's queries and the intake's lookups."""
    aysel = Citizen.get(Citizen.fin == AYSEL["fin"])
    month = Month.current()
    held = lines_of(aysel, month)[0]
    some_ids = [r for (r,) in Call.select(Call.record_id).limit(3).tuples()]
    queries = {
        "report: the citizen's holder periods": (
            "line_ownership_citizen_id", holdings_query(aysel, month)),
        "report: the line's calls in the month": ("call_line_id_started_at", calls_query(held)),
        "intake: holder periods of the file's lines": ("line_ownership_line_id", (
            LineOwnership.select().where(LineOwnership.line.in_([held.line.id])))),
        "intake: calls by the operator's record id": ("call_record_id", (
            Call.select(Call.id).where(Call.record_id.in_(some_ids)))),
    }
    return [(name, index, query_plan(query)) for name, (index, query) in queries.items()]


# ---------------------------------------------------------------- serving

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with 2 workers on loopback, serving the bench database."""

    def __init__(self, url):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-only-not-secret",
                   RATELIMIT_STORAGE_URI="memory://", EGOV_ENV="development")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b",
             f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env)
        for _ in range(100):
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def get(self, path, headers=None, body=None, method="GET"):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, response.getheaders(), data

    def sign_in(self, username, password):
        """Through the real form: its CSRF token, then the session cookie it sets."""
        status, headers, page = self.get("/auth/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
        from urllib.parse import urlencode

        body = urlencode({"username": username, "password": password, "csrf_token": token})
        status, headers, _ = self.get("/auth/login/password", {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, body, "POST")
        assert status == 302, status
        return "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def load(server, path, headers):
    """Requests per second at CONNECTIONS concurrent clients for SECONDS (wrk, or Python)."""
    if shutil.which("wrk"):
        args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s"]
        for name, value in headers.items():
            args += ["-H", f"{name}: {value}"]
        out = subprocess.run(args + [server.base + path], capture_output=True, text=True,
                             check=True).stdout
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if errors:
            raise RuntimeError(f"{path}: {errors.group(1)} failed responses\n{out}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return python_load(server, path, headers)


def python_load(server, path, headers):
    """A bounded keep-alive client, when wrk is not installed."""
    count, stop = [0], time.perf_counter() + SECONDS
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        done = 0
        while time.perf_counter() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            done += 1
        with lock:
            count[0] += done

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count[0] / (time.perf_counter() - started)


HTMX = {"HX-Request": "true"}


def measure_serving(url, small):
    """Median over ROUNDS of each rate; the big and small databases' servers take turns,
    so a burst of load from elsewhere on the machine hits both sides of a ratio alike."""
    big_server, small_server = Server(url), Server(small)
    try:
        big = {"Cookie": big_server.sign_in(AYSEL["username"], AYSEL["password"])}
        little = {"Cookie": small_server.sign_in(AYSEL["username"], AYSEL["password"])}
        status, _, page = big_server.get("/calls", big)
        assert status == 200 and b"Bildiri" in page, status
        swap = f"/calls?line={AYSEL_SECOND_LINE}"
        fragment = {**HTMX, "HX-Target": "call-report"}
        rounds = []
        for _ in range(ROUNDS):
            rounds.append({
                "healthz": load(big_server, "/healthz", {}),
                "report": load(big_server, "/calls", big),
                "small report": load(small_server, "/calls", little),
                "line swap": load(big_server, swap, {**big, **fragment}),
            })
        steps = wire_bytes(big_server, big)
    finally:
        big_server.stop()
        small_server.stop()
    ratios = {
        "report/healthz": statistics.median(r["report"] / r["healthz"] for r in rounds),
        "swap/healthz": statistics.median(r["line swap"] / r["healthz"] for r in rounds),
        "big/small": statistics.median(r["report"] / r["small report"] for r in rounds),
    }
    medians = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    return ratios, medians, steps


def wire_bytes(server, cookie):
    """(what, raw bytes, gzip bytes) of the first visit and each drill-down step."""
    def size(path, headers=None):
        status, response_headers, body = server.get(path, {"Accept-Encoding": "identity",
                                                           **(headers or {})})
        assert status == 200, (path, status)
        head = sum(len(k) + len(v) + 4 for k, v in response_headers) + 17
        return head + len(body), head + len(gzip.compress(body, 6))

    _, _, index = server.get("/")
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', index)
    first = [size("/")] + [size(a.decode()) for a in assets]
    steps = [
        ("first visit: / + CSS + htmx", sum(r for r, _ in first), sum(g for _, g in first)),
        ("catalogue (Bütün xidmətlər)", *size("/services", {**HTMX, "HX-Target": "main"})),
        ("ministry row opened", *size("/services/nrytn", {**HTMX, "HX-Target": "agency-nrytn"})),
        ("the service (report)", *size("/calls", {**cookie, **HTMX, "HX-Target": "main"})),
        ("another line's table", *size(f"/calls?line={AYSEL_SECOND_LINE}",
                                       {**cookie, **HTMX, "HX-Target": "call-report"})),
    ]
    return steps


# ---------------------------------------------------------------- the table

def main():
    url = os.environ.get("BENCH_DATABASE_URL") or default_url(CALLS)
    small = os.environ.get("BENCH_SMALL_DATABASE_URL") or small_url(url)
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    started = time.perf_counter()
    prepare(small, SMALL_CALLS)
    database.close()
    prepare(url, CALLS)
    tariffs = load_tariffs(DATA_DIR)
    with database.connection_context():
        total_calls = Call.select().count()
        import_rate, bare_rate, copy_rate = measure_import(tariffs)
        query_plans = plans()
    small_ms, big_ms = report_ms(small, url)
    ratios, rates, steps = measure_serving(url, small)

    print(f"\n# make bench — {engine}, {total_calls:,} calls in the database, "
          f"{CONNECTIONS} concurrent clients, medians of {ROUNDS} rounds of {SECONDS} s load runs "
          f"({'wrk' if shutil.which('wrk') else 'Python client'})\n")
    rows = [
        ("import-calls rows/s ÷ bare executemany rows/s", import_rate / bare_rate,
         f"{import_rate:,.0f} vs {bare_rate:,.0f} rows/s, {IMPORT_ROWS:,} rows"),
    ] + ([
        ("import-calls rows/s ÷ COPY rows/s", import_rate / copy_rate,
         f"{import_rate:,.0f} vs {copy_rate:,.0f} rows/s, {IMPORT_ROWS:,} rows"),
    ] if copy_rate else []) + [
        ("report pages/s ÷ /healthz req/s (gunicorn -w 2)", ratios["report/healthz"],
         f"{rates['report']:,.0f} vs {rates['healthz']:,.0f}/s"),
        ("line-swap fragments/s ÷ /healthz req/s", ratios["swap/healthz"],
         f"{rates['line swap']:,.0f} vs {rates['healthz']:,.0f}/s"),
        (f"report pages/s, {total_calls:,} calls ÷ {SMALL_CALLS} calls", ratios["big/small"],
         f"{rates['report']:,.0f} vs {rates['small report']:,.0f}/s"),
        (f"report query time, {SMALL_CALLS} calls ÷ {total_calls:,} calls (in process)",
         small_ms / big_ms, f"{small_ms:.2f} vs {big_ms:.2f} ms"),
    ]
    for what, raw, gz in steps:
        rows.append((f"bytes gzip'ed ÷ raw: {what}", gz / raw, f"{gz:,} of {raw:,} bytes"))
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure'.ljust(width)} | ratio | figures |")
    print(f"|{'-' * (width + 2)}|------:|---------|")
    for what, ratio, figures in rows:
        print(f"| {what.ljust(width)} | {ratio:5.2f} | {figures} |")
    print("\n## Query plans\n")
    for name, index, lines in query_plans:
        verdict = "uses" if any(index in line for line in lines) else "DOES NOT USE"
        print(f"{name}: {verdict} {index}")
        for line in lines:
            print(f"    {line}")
    print(f"\nbench took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
