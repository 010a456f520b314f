"""The access log at scale: «Məlumatlarıma kim baxıb?» with ten million entries.

Fills BENCH_DATABASE_URL (PostgreSQL; default egov_bench_access on 127.0.0.1) once
with ACCESS_ENTRIES entries (default 10 000 000) over CITIZENS citizens (100 000):
60 % their own sign-ins, 30 % imports, 10 % staff, spread over 13 months, plus one
heavy citizen with 20 000 sign-ins of their own and only five entries by others (the
page must not read all of them to find those five). Then prints, for a typical and
for the heavy citizen, EXPLAIN (ANALYZE, BUFFERS) of the page's queries, each timed
as the median of 50 runs, and times the retention prune of the thirteenth month.

    python bench/access_log_bench.py            # nice -n 15 on a shared machine
"""
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from egov import access_log  # noqa: E402
from egov.db import bind, database  # noqa: E402
from egov.models import AccessEntry, Citizen  # noqa: E402
from egov.schema import create_tables  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/egov_bench_access")
ENTRIES = int(os.environ.get("ACCESS_ENTRIES", "10000000"))
CITIZENS = int(os.environ.get("CITIZENS", "100000"))
HEAVY_OWN = 20000


def fill():
    database.execute_sql(
        "INSERT INTO citizen (fin, full_name) SELECT 'B' || lpad(n::text, 6, '0'), "
        "'Bench ' || n FROM generate_series(1, %s) n", (CITIZENS,))
    low, high = database.execute_sql("SELECT min(id), max(id) FROM citizen").fetchone()
    # Oldest first, as the log grows: ids and times rise together.
    database.execute_sql(
        "INSERT INTO access_entry (at, citizen_id, actor_kind, actor_staff, actor_name, action,"
        " reason, detail, address, browser) "
        "SELECT now() at time zone 'utc' - interval '395 days' * (1 - n::float / %s),"
        " %s + (hashint4(n)::bigint & 2147483647) %% %s,"
        " k, CASE WHEN k = 'staff' THEN 1 END,"
        " CASE k WHEN 'staff' THEN 'Leyla Quliyeva' WHEN 'import' THEN 'calls.csv' ELSE '' END,"
        " CASE k WHEN 'staff' THEN 'claim_opened' WHEN 'import' THEN 'calls_imported'"
        "  ELSE 'sign_in' END, CASE WHEN k = 'staff' THEN 'RK-2611-7KQ4M' ELSE '' END,"
        " CASE k WHEN 'citizen' THEN 'asan' ELSE '3' END,"
        " CASE WHEN k = 'citizen' THEN '10.1.2.3' END,"
        " CASE WHEN k = 'citizen' THEN 'Chrome' ELSE '' END"
        " FROM (SELECT n, CASE WHEN n %% 10 < 6 THEN 'citizen' WHEN n %% 10 < 9 THEN 'import'"
        "  ELSE 'staff' END AS k FROM generate_series(1, %s) n) s",
        (ENTRIES, low, high - low + 1, ENTRIES))
    heavy = Citizen.create(fin="BHEAVY1", full_name="Heavy")
    for n in range(5):
        access_log.calls_imported(f"old-{n}.csv", {heavy.id: 1})
    database.execute_sql(
        "INSERT INTO access_entry (at, citizen_id, actor_kind, action, actor_name, reason,"
        " detail, browser) SELECT now() at time zone 'utc', %s, 'citizen', 'sign_in', '', '',"
        " 'password', 'Chrome' FROM generate_series(1, %s)", (heavy.id, HEAVY_OWN))
    database.execute_sql("ANALYZE access_entry")


def median_ms(query, runs=50):
    sql, params = query.sql()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        database.execute_sql(sql, params).fetchall()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def explain(label, query):
    sql, params = query.sql()
    plan = database.execute_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
    print(f"\n--- {label}: median {median_ms(query):.2f} ms over 50 runs")
    for (line,) in plan:
        print("   ", line)


def main():
    bind(URL)
    from tests.conftest import _ensure_postgres_database
    _ensure_postgres_database(URL)
    create_tables()
    with database.connection_context():
        count = AccessEntry.select().count()
        if count < ENTRIES:
            print(f"filling {ENTRIES} entries (once)…", flush=True)
            start = time.perf_counter()
            with database.atomic():
                fill()
            print(f"filled in {time.perf_counter() - start:.0f} s")
        count = AccessEntry.select().count()
        print(f"{count} entries; table + indexes: " + database.execute_sql(
            "SELECT pg_size_pretty(pg_total_relation_size('access_entry'))").fetchone()[0])
        typical = Citizen.get(Citizen.fin == "B050000")
        heavy = Citizen.get(Citizen.fin == "BHEAVY1")
        for who, citizen in (("typical citizen", typical), ("heavy citizen", heavy)):
            entries = AccessEntry.select().where(AccessEntry.citizen == citizen).count()
            print(f"\n=== {who}: {entries} entries")
            explain("others' access, first page", access_log.others_query(citizen))
            first, cursor = access_log.others_access(citizen)
            if cursor:
                explain("others' access, next page",
                        access_log.others_query(citizen, cursor))
            explain("own recent sign-ins", access_log.sign_ins_query(citizen))
        if os.environ.get("BENCH_PRUNE"):
            start = time.perf_counter()
            pruned = access_log.prune(12)
            print(f"\nprune (12 months): {pruned} entries in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
