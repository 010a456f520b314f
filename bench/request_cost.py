"""Instructions one request costs, counted by callgrind: the one measure of a page's cost
this shared machine repeats to the unit (a timed run moves with whatever else runs).

    .venv/bin/python bench/request_cost.py [DATABASE_URL] [PATH …]

Serves each page in process (Flask's test client, as a browser asks: zstd accepted;
`/healthz` and the home page anonymous, the report's pages with Aysel signed in, as
`make bench` asks them) WARM times, then MEASURED times more, under
`valgrind --tool=callgrind` collecting only while the MEASURED requests run, and prints
their instructions ÷ MEASURED per page and its ratio to `/healthz` and the home page.
Without a database address (or with "demo") it loads the demo into a new SQLite file;
given paths, it counts those pages only. Needs valgrind (Debian's package).
"""
import collections
import itertools
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from egov.demo import AYSEL_SECOND_LINE  # noqa: E402

WARM, MEASURED = 30, 20
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd", "Sec-Fetch-Site": "same-origin"}
HTMX_SWAP = {"HX-Request": "true", "HX-Target": "call-report"}
# path: (name, the headers asked with it beside a browser's, asked signed in)
PAGES = {
    "/healthz": ("healthz", {}, False),
    "/": ("home", {}, False),
    "/calls": ("the report", {}, True),
    # The same page with a search no number matches: the report's frame (toolbar, options,
    # totals, links) without its rows, so that a row's cost can be told from the page's.
    "/calls?q=000000000": ("the report, no row shown", {}, True),
    f"/calls?line={AYSEL_SECOND_LINE}": ("the line-swap fragment", HTMX_SWAP, True),
}


# callgrind counts only inside this C function of CPython's (--toggle-collect): the
# measured requests are made through itertools.starmap, which nothing in a request calls.
# Start-up, imports, the sign-in and the warm-up are not counted.
COUNTED = "starmap_next"


def serve(url, path):
    """Run inside valgrind: sign in, ask `path` WARM times, then MEASURED times counted."""
    from bench.in_process import anonymous_client, signed_in_client

    _, asked_with, signed_in = PAGES[path]
    client = signed_in_client(url) if signed_in else anonymous_client(url)
    headers = {**BROWSER, **asked_with}

    def ask():
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)

    for _ in range(WARM):
        ask()
    collections.deque(itertools.starmap(ask, [()] * MEASURED), maxlen=0)


def instructions(url, path):
    """Instructions of one request to `path`: the MEASURED requests' ÷ MEASURED."""
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         "--collect-atstart=no", f"--toggle-collect={COUNTED}",
         sys.executable, __file__, "--serve", url, path],
        capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1)) / MEASURED


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
        cost[PAGES[path][0]] = instructions(url, path)
    print(f"Instructions per request ({url}, {MEASURED} after {WARM}):")
    for name, count in cost.items():
        ratios = "".join(f"   ÷ {base} {count / cost[base]:5.2f}" for base in ("healthz", "home")
                         if base in cost)
        print(f"  {name:<24} {count / 1e6:6.2f} M{ratios}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], sys.argv[3])
    else:
        main()
