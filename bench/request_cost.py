"""Instructions one request costs, counted by callgrind: the one measure of a page's cost
this shared machine repeats to the unit (a timed run moves with whatever else runs).

    .venv/bin/python bench/request_cost.py [DATABASE_URL] [PATH …]

Serves each page in process (Flask's test client, as a browser asks: Brotli accepted,
Aysel signed in for her pages) WARM times, then MEASURED times more, under
`valgrind --tool=callgrind`, and prints (instructions of both - of the warm-up alone) ÷
MEASURED per page and its ratio to `/healthz` and the home page. Without a database
address (or with "demo") it loads the demo into a new SQLite file; given paths, it counts
those pages only. Needs valgrind (Debian's package).
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from egov.demo import AYSEL_FIRST_LINE  # noqa: E402

WARM, MEASURED = 30, 20
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "Sec-Fetch-Site": "same-origin"}
HTMX_SWAP = {"HX-Request": "true", "HX-Target": "call-report"}
# path: (name, the headers asked with it beside a browser's)
PAGES = {
    "/healthz": ("healthz", {}),
    "/": ("home", {}),
    "/calls": ("the report", {}),
    f"/calls?line={AYSEL_FIRST_LINE}": ("the line-swap fragment", HTMX_SWAP),
}


def serve(url, path, times):
    """Run inside valgrind: sign in, then ask `path` `times` times."""
    from bench.in_process import signed_in_client

    client = signed_in_client(url)
    headers = {**BROWSER, **PAGES[path][1]}
    for _ in range(times):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)


def instructions(url, path, times):
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, __file__, "--serve", url, path, str(times)],
        capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def demo_database():
    folder = tempfile.mkdtemp(prefix="request-cost-")
    url = f"sqlite:///{folder}/demo.sqlite3"
    subprocess.run([sys.executable, "-m", "flask", "prepare-demo"], check=True,
                   env={**os.environ, "DATABASE_URL": url}, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return url


def main():
    url = sys.argv[1] if sys.argv[1:2] not in ([], ["demo"]) else demo_database()
    paths = sys.argv[2:] or list(PAGES)
    cost = {}
    for path in paths:
        cost[PAGES[path][0]] = (instructions(url, path, WARM + MEASURED)
                             - instructions(url, path, WARM)) / MEASURED
    print(f"Instructions per request ({url}, {MEASURED} after {WARM}):")
    for name, count in cost.items():
        ratios = "".join(f"   ÷ {base} {count / cost[base]:5.2f}" for base in ("healthz", "home")
                         if base in cost)
        print(f"  {name:<24} {count / 1e6:6.2f} M{ratios}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
