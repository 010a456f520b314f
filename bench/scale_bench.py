"""`make bench`: the report at national scale, as ratios measured in one run, and the
performance targets (docs/performance.md) each printed PASS or FAIL.

Every figure is a ratio of two measurements taken in the same run on the same
machine, so it holds on a noisy, shared machine where absolute times do not:

- report pages/s and line-swap fragments/s under gunicorn with production's settings
  (deploy/gunicorn.conf.py, loopback, wrk with 16 connections) against the same
  server's /healthz and anonymous home page, with BENCH_CALLS calls in the database,
  and the report against the same on a database of a hundred calls;
- p50/p95/p99 latency of the report under LATENCY_SESSIONS (200) concurrent signed-in
  sessions, each its own generated citizen, from one asyncio (aiohttp) process;
- the statements one report view sends to the database (counted in process);
- import-calls rows/s against a bare executemany (and COPY) of the same rows;
- bytes on the wire as Chromium counts them (first visit, repeat visit, fragments),
  with the compression the app itself sends, against the uncompressed sizes;
- the query plans of the report's and the intake's lookups, and on PostgreSQL how many
  of the call table's monthly partitions each reads (the report: one).

Environment: BENCH_CALLS (default 10 000 000), BENCH_DATABASE_URL (the Makefile's
default is PostgreSQL, egov_bench; without it a SQLite file under bench/data/;
generated once and reused), BENCH_SECONDS per load run (default 10),
BENCH_IMPORT_ROWS (default 100 000), BENCH_SESSIONS (200), BENCH_COMPARE (other
gunicorn settings to measure beside production's, e.g. "-w 2;-w 4 --threads 8").
Traffic goes to 127.0.0.1 only. The exit status is 1 when a target fails.
"""
import csv
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
from egov import call_partitions  # noqa: E402
from egov.db import bind, database, is_postgres, query_plan  # noqa: E402
from egov.schema import create_tables  # noqa: E402
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
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ROUNDS = 3
# One process model, production's: the bench serves with deploy/gunicorn.conf.py, as the
# deployment and the docs' production line do. BENCH_COMPARE="-w 2;-w 4 --threads 4" also
# measures other settings (command-line options over that file), to choose between them.
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
COMPARE_SETTINGS = [tuple(one.split()) for one in
                    os.environ.get("BENCH_COMPARE", "").split(";") if one.strip()]
LATENCY_SESSIONS = int(os.environ.get("BENCH_SESSIONS", "200"))
BENCH_PASSWORD = "bench-only-password-1"
# What a browser sends with each request: the app compresses for it (egov/compression.py).
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "Sec-Fetch-Site": "same-origin"}


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
        rating = rate_call(tariffs, number, dialled, started, seconds)
        stored.append((record_id, line_id, started.strftime("%Y-%m-%d %H:%M:%S"), seconds,
                       dialled, rating.kind, rating.amount_qepik))
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

def statements_per_report():
    """The statements one report view sends to the database, counted in process on the
    bench database (a second view of a signed-in citizen; BEGIN and COMMIT not counted)."""
    from bench.in_process import signed_in_client
    from egov.db import database as proxy

    client = signed_in_client(database.obj._egov_url)
    kind = type(proxy.obj)
    original, sent = kind.execute_sql, []
    kind.execute_sql = lambda self, sql, *a, **k: (sent.append(sql), original(self, sql, *a,
                                                                               **k))[1]
    try:
        assert client.get("/calls").status_code == 200
    finally:
        kind.execute_sql = original
    return sent


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
    """(what, the indexes that should serve it, plan, partitions read or None) of the
    report's queries and the intake's lookups. On PostgreSQL each month of calls is a
    partition with its own copy of the call indexes (call_2026_12_line_id_started_at_idx)."""
    aysel = Citizen.get(Citizen.fin == AYSEL["fin"])
    month = Month.current()
    held = lines_of(aysel, month)[0]
    some_ids = [r for (r,) in Call.select(Call.record_id).limit(3).tuples()]
    queries = {
        "report: the citizen's holder periods": (
            ("line_ownership_citizen_id",), holdings_query(aysel, month)),
        "report: the line's calls in the month": (
            ("call_line_id_started_at", "_line_id_started_at_idx"), calls_query(held)),
        "intake: holder periods of the file's lines": (("line_ownership_line_id",), (
            LineOwnership.select().where(LineOwnership.line.in_([held.line.id])))),
        "intake: calls by the operator's record id": (
            ("call_record_id", "_record_id_started_at_key"),
            Call.select(Call.id).where(Call.record_id.in_(some_ids))),
    }
    partitioned = call_partitions.is_partitioned()
    found = []
    for name, (indexes, query) in queries.items():
        plan = query_plan(query)
        read = call_partitions.scanned(plan) if partitioned and query.model is Call else None
        found.append((name, indexes, plan, read))
    return found, len(call_partitions.months()) if partitioned else 0


# ---------------------------------------------------------------- serving

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on loopback serving the bench database, with the settings production uses
    (deploy/gunicorn.conf.py: its process model, access log and all) unless `settings`
    names others to compare, e.g. ("-w", "2") or ("-w", "4", "--threads", "4")."""

    def __init__(self, url, settings=()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-only-not-secret",
                   RATELIMIT_STORAGE_URI="memory://", EGOV_ENV="development",
                   EGOV_BIND=f"127.0.0.1:{self.port}")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(GUNICORN_CONF),
             *settings, "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(150):
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
        cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
        # The first report after a sign-in counts a use and marks it in the session cookie,
        # which a browser keeps: so does the bench (wrk sends one cookie throughout).
        status, headers, _ = self.get("/calls", {"Cookie": cookie})
        assert status == 200, status
        renewed = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
        return renewed or cookie

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
        big = {"Cookie": big_server.sign_in(AYSEL["username"], AYSEL["password"]), **BROWSER}
        little = {"Cookie": small_server.sign_in(AYSEL["username"], AYSEL["password"]),
                  **BROWSER}
        status, _, page = big_server.get("/calls", big)
        assert status == 200, status
        swap = f"/calls?line={AYSEL_SECOND_LINE}"
        fragment = {**HTMX, "HX-Target": "call-report"}
        rounds = []
        for _ in range(ROUNDS):
            rounds.append({
                "healthz": load(big_server, "/healthz", {}),
                "home": load(big_server, "/", BROWSER),
                "report": load(big_server, "/calls", big),
                "small report": load(small_server, "/calls", little),
                # Again after the small database's: the ratio of the two databases is taken
                # against the mean of the runs either side, so that a drift of the machine
                # (this one is virtual and shared) is not read as the database's size.
                "report again": load(big_server, "/calls", big),
                "line swap": load(big_server, swap, {**big, **fragment}),
            })
        steps, repeat_urls = wire_bytes(big_server)
        citizens = bench_citizens(LATENCY_SESSIONS)
        latencies = {"production settings": latency(big_server, citizens)}
    finally:
        big_server.stop()
        small_server.stop()
    for settings in COMPARE_SETTINGS:  # BENCH_COMPARE: other process models, same measures
        other = Server(url, settings)
        try:
            cookie = {"Cookie": other.sign_in(AYSEL["username"], AYSEL["password"]), **BROWSER}
            rates = {"healthz": load(other, "/healthz", {}), "home": load(other, "/", BROWSER),
                     "report": load(other, "/calls", cookie)}
            latencies[" ".join(settings)] = latency(other, citizens, rates)
        finally:
            other.stop()

    def median_ratio(top, bottom):
        return statistics.median(r[top] / r[bottom] for r in rounds)

    ratios = {
        "report/healthz": median_ratio("report", "healthz"),
        "report/home": median_ratio("report", "home"),
        "swap/healthz": median_ratio("line swap", "healthz"),
        "swap/home": median_ratio("line swap", "home"),
        "big/small": statistics.median((r["report"] + r["report again"]) / 2 / r["small report"]
                                       for r in rounds),
    }
    medians = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    ratios["latency"] = latencies
    return ratios, medians, (steps, repeat_urls)


def wire_bytes(server):
    """(what, bytes on the wire, uncompressed bytes) of the citizen's journey, measured.

    Chromium (Debian's, through Playwright) counts what it receives for each request,
    headers included (CDP Network.loadingFinished.encodedDataLength): the first visit of
    a cold browser, a repeat visit (the static files come from its cache, unasked), and
    the fragments htmx fetches on the way to the report. The uncompressed figure is the
    same request asked with Accept-Encoding: identity."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
    received, urls, cached = {}, {}, set()

    def finished(event):
        received[event["requestId"]] = event["encodedDataLength"]

    def sent(event):
        urls[event["requestId"]] = event["request"]["url"]

    def from_cache(event):
        cached.add(event["requestId"])

    def answered(event):
        if event["response"].get("fromDiskCache"):
            cached.add(event["requestId"])

    def step(action):
        received.clear()
        urls.clear()
        cached.clear()
        action()
        page.wait_for_load_state("networkidle")
        asked = sorted(url for rid, url in urls.items() if rid not in cached)
        return sum(received.values()), asked

    fragment_paths = [
        ("catalogue (Bütün xidmətlər) fragment", "/services", "main"),
        ("ministry row opened (fragment)", "/services/nrytn", "agency-nrytn"),
        ("the service: the report (fragment)", "/calls", "main"),
        ("another line's table (fragment)", f"/calls?line={AYSEL_SECOND_LINE}", "call-report"),
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=args)
        context = browser.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.requestServedFromCache", from_cache)
        cdp.on("Network.responseReceived", answered)
        first, first_urls = step(lambda: page.goto(server.base + "/"))
        repeat, repeat_urls = step(lambda: page.goto(server.base + "/services"))
        page.goto(server.base + "/auth/login")
        page.fill("input[name=username]", AYSEL["username"])
        page.fill("input[name=password]", AYSEL["password"])
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        fragments = []
        for what, path, target in fragment_paths:
            fetch = ("([p, t]) => fetch(p, {headers: {'HX-Request': 'true', 'HX-Target': t}})"
                     ".then(r => r.text())")
            size, _ = step(lambda: page.evaluate(fetch, [path, target]))
            fragments.append((what, size))
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        browser.close()

    def plain(path, headers=None):
        status, response_headers, body = server.get(path, {"Accept-Encoding": "identity",
                                                           **(headers or {})})
        assert status == 200, (path, status)
        return sum(len(k) + len(v) + 4 for k, v in response_headers) + 17 + len(body)

    assets = [urlsplit(u).path for u in first_urls if "/static/" in u]
    steps = [("first visit: / + its static files", first, sum(map(plain, ["/", *assets]))),
             ("repeat visit: another page, static files from the cache", repeat,
              plain("/services"))]
    for (what, size), (_, path, target) in zip(fragments, fragment_paths):
        steps.append((what, size, plain(path, {"Cookie": cookie, **HTMX, "HX-Target": target})))
    return steps, repeat_urls


# ---------------------------------------------------------------- latency under 200 sessions

def bench_citizens(count):
    """`count` generated citizens holding a line now, able to sign in (set once, kept)."""
    from egov.identity.citizens import set_credentials

    with database.connection_context():
        ready = [u for (u,) in Citizen.select(Citizen.username)
                 .where(Citizen.username.startswith("bench-")).tuples()]
        if len(ready) < count:
            now = utcnow()
            fins = [f for (f,) in Citizen.select(Citizen.fin).join(LineOwnership)
                    .where(Citizen.username.is_null() & LineOwnership.ends_at.is_null()
                           & (LineOwnership.starts_at < now - timedelta(days=40)))
                    .distinct().limit(count - len(ready)).tuples()]
            for fin in fins:
                set_credentials(fin, f"bench-{fin.lower()}", BENCH_PASSWORD)
                ready.append(f"bench-{fin.lower()}")
    return ready[:count]


def latency(server, usernames, rates=None):
    """Report latencies (seconds) and pages/s: every session asks for its report again as
    soon as it has the last one, all at once, for SECONDS (after a 2-s warm-up)."""
    import asyncio

    import aiohttp

    async def signed_in(connector, username):
        http = aiohttp.ClientSession(server.base, connector=connector, connector_owner=False,
                                     cookie_jar=aiohttp.CookieJar(unsafe=True), headers=BROWSER)
        async with http.get("/auth/login") as response:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                              await response.text()).group(1)
        form = {"username": username, "password": BENCH_PASSWORD, "csrf_token": token}
        async with http.post("/auth/login/password", data=form,
                             allow_redirects=False) as response:
            assert response.status == 302, response.status
        return http

    async def run():
        connector = aiohttp.TCPConnector(limit=0)
        gate = asyncio.Semaphore(8)

        async def one(username):
            async with gate:
                return await signed_in(connector, username)

        sessions = await asyncio.gather(*(one(u) for u in usernames))
        times, failures = [], [0]
        warm_until = time.perf_counter() + 2
        stop = warm_until + SECONDS

        async def client(http):
            while time.perf_counter() < stop:
                started = time.perf_counter()
                async with http.get("/calls") as response:
                    await response.read()
                    ok = response.status == 200
                if started >= warm_until:
                    if ok:
                        times.append(time.perf_counter() - started)
                    else:
                        failures[0] += 1

        await asyncio.gather(*(client(http) for http in sessions))
        for session in sessions:
            await session.close()
        await connector.close()
        return times, failures[0]

    times, failures = asyncio.run(run())
    if failures:
        raise RuntimeError(f"{failures} report requests failed under {len(usernames)} sessions")
    return {"p50": percentile(times, 0.50), "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99), "pages/s": len(times) / SECONDS, "rates": rates}


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ---------------------------------------------------------------- the table

# The targets (docs/performance.md): each a ratio of this run, or a count.
TARGETS = (
    ("report pages/s ÷ /healthz req/s", "report/healthz", 0.25),
    ("report pages/s ÷ home page req/s", "report/home", 0.6),
    ("line-swap fragments/s ÷ /healthz req/s", "swap/healthz", 0.25),
    ("line-swap fragments/s ÷ home page req/s", "swap/home", 0.6),
    ("report pages/s, BIG calls ÷ 100 calls", "big/small", 0.9),
)
MAX_STATEMENTS = 4
LATENCY_TARGETS = {"p50": 0.400, "p99": 1.000}  # seconds, under LATENCY_SESSIONS sessions


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    url = os.environ.get("BENCH_DATABASE_URL") or default_url(CALLS)
    small = os.environ.get("BENCH_SMALL_DATABASE_URL") or small_url(url)
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    load_at_start = os.getloadavg()
    started = time.perf_counter()
    prepare(small, SMALL_CALLS)
    database.close()
    prepare(url, CALLS)
    tariffs = load_tariffs(DATA_DIR)
    with database.connection_context():
        total_calls = Call.select().count()
        import_rate, bare_rate, copy_rate = measure_import(tariffs)
        query_plans = plans()
    statements = statements_per_report()
    database.close()
    small_ms, big_ms = report_ms(small, url)
    ratios, rates, (steps, repeat_urls) = measure_serving(url, small)
    load_at_end = os.getloadavg()

    print(f"\n# make bench — {engine}, {total_calls:,} calls in the database, gunicorn -c "
          f"deploy/gunicorn.conf.py ({os.cpu_count()} cores), {CONNECTIONS} concurrent clients, "
          f"medians of {ROUNDS} rounds of {SECONDS} s load runs "
          f"({'wrk' if shutil.which('wrk') else 'Python client'})")
    print("Load average at the start: " + " ".join(f"{x:.1f}" for x in load_at_start)
          + "; at the end: " + " ".join(f"{x:.1f}" for x in load_at_end) + "\n")

    figures = {
        "report/healthz": f"{rates['report']:,.0f} vs {rates['healthz']:,.0f}/s",
        "report/home": f"{rates['report']:,.0f} vs {rates['home']:,.0f}/s",
        "swap/healthz": f"{rates['line swap']:,.0f} vs {rates['healthz']:,.0f}/s",
        "swap/home": f"{rates['line swap']:,.0f} vs {rates['home']:,.0f}/s",
        "big/small": f"{rates['report']:,.0f} vs {rates['small report']:,.0f}/s",
    }
    targets = []
    for what, key, least in TARGETS:
        what = what.replace("BIG", f"{total_calls:,}")
        targets.append((what, f"{ratios[key]:.2f}", f"≥ {least}", figures[key],
                        ratios[key] >= least))
    targets.append(("statements sent per report view", str(len(statements)),
                    f"≤ {MAX_STATEMENTS}", "; ".join(sql.split(" ", 2)[0] + " "
                                                     + sql.split(" ", 2)[1][:24]
                                                     for sql in statements),
                    len(statements) <= MAX_STATEMENTS))
    production = ratios["latency"]["production settings"]
    for name, most in LATENCY_TARGETS.items():
        targets.append((f"{name} of the report under {LATENCY_SESSIONS} sessions",
                        f"{production[name] * 1000:.0f} ms", f"≤ {most * 1000:.0f} ms",
                        f"{production['pages/s']:,.0f} pages/s", production[name] <= most))
    width = max(len(t[0]) for t in targets)
    print("## Targets\n")
    print(f"| {'target'.ljust(width)} | measured | aim | | figures |")
    print(f"|{'-' * (width + 2)}|---------:|-----|---|---------|")
    for what, measured, aim, figure, ok in targets:
        print(f"| {what.ljust(width)} | {measured} | {aim} | {verdict(ok)} | {figure} |")
    failed = [t[0] for t in targets if not t[4]]
    print(f"\n{'ALL TARGETS PASS' if not failed else 'FAIL: ' + '; '.join(failed)}\n")

    rows = [
        ("import-calls rows/s ÷ bare executemany rows/s", import_rate / bare_rate,
         f"{import_rate:,.0f} vs {bare_rate:,.0f} rows/s, {IMPORT_ROWS:,} rows"),
    ] + ([
        ("import-calls rows/s ÷ COPY rows/s", import_rate / copy_rate,
         f"{import_rate:,.0f} vs {copy_rate:,.0f} rows/s, {IMPORT_ROWS:,} rows"),
    ] if copy_rate else []) + [
        (f"report query time, {SMALL_CALLS} calls ÷ {total_calls:,} calls (in process)",
         small_ms / big_ms, f"{small_ms:.2f} vs {big_ms:.2f} ms"),
    ]
    for what, wire, raw in steps:
        rows.append((f"bytes on the wire ÷ uncompressed: {what}", wire / raw,
                     f"{wire:,} of {raw:,} bytes"))
    width = max(len(r[0]) for r in rows)
    print("## Other ratios\n")
    print(f"| {'measure'.ljust(width)} | ratio | figures |")
    print(f"|{'-' * (width + 2)}|------:|---------|")
    for what, ratio, figures in rows:
        print(f"| {what.ljust(width)} | {ratio:5.2f} | {figures} |")
    print(f"\nThe report under {LATENCY_SESSIONS} concurrent signed-in sessions, each its own "
          f"citizen (aiohttp from one process, a browser's headers, {SECONDS} s):")
    for how, figures in ratios["latency"].items():
        extra = ""
        if figures["rates"]:  # a compared process model: its own ratios, one round each
            r = figures["rates"]
            extra = (f"; report ÷ /healthz {r['report'] / r['healthz']:.2f}, "
                     f"÷ home {r['report'] / r['home']:.2f} ({r['report']:,.0f}/s)")
        print(f"  gunicorn {how}: p50 {figures['p50'] * 1000:.0f} ms, "
              f"p95 {figures['p95'] * 1000:.0f} ms, p99 {figures['p99'] * 1000:.0f} ms, "
              f"{figures['pages/s']:,.0f} pages/s{extra}")
    print(f"Repeat visit asked for: {', '.join(urlsplit(u).path for u in repeat_urls)}")
    print("\n## Query plans\n")
    query_plans, partitions = query_plans
    for name, indexes, lines, read in query_plans:
        used = any(index in line for line in lines for index in indexes)
        print(f"{name}: {'uses' if used else 'DOES NOT USE'} {' or '.join(indexes)}")
        if read is not None:  # the call table by month (egov.call_partitions), PostgreSQL
            names = ", ".join(read) if len(read) <= 3 else f"{read[0]} … {read[-1]}"
            print(f"  reads {len(read)} of the call table's {partitions} partitions ({names})")
        for line in lines:
            print(f"    {line}")
    print(f"\nbench took {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
