"""The docs stay true: docs/performance.md's bytes of the citizen's journey are what is served
today, and the README stays one screenful that points at docs that exist."""
import gzip
import re
from pathlib import Path

from egov.demo import AYSEL_SECOND_LINE

from .support.pages import HTMX

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
PERFORMANCE = PROJECT / "docs" / "performance.md"
DOCS = sorted((PROJECT / "docs").glob("*.md"))


def _size(client, path, headers=None):
    """(raw, gzip) bytes of one answer, headers included, measured as `make bench` does."""
    response = client.get(path, headers={"Accept-Encoding": "identity", **(headers or {})})
    assert response.status_code == 200, path
    body = response.get_data()
    head = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17
    return head + len(body), head + len(gzip.compress(body, 6))


def journey_bytes(client):
    index = client.get("/").get_data()
    first = [_size(client, "/")] + [_size(client, asset.decode()) for asset in
                                     re.findall(rb'(?:href|src)="(/static/[^"]+)"', index)]
    return {
        "first visit": (sum(r for r, _ in first), sum(g for _, g in first)),
        "catalogue": _size(client, "/services", {**HTMX, "HX-Target": "main"}),
        "ministry row opened": _size(client, "/services/nrytn",
                                     {**HTMX, "HX-Target": "agency-nrytn"}),
        "the service": _size(client, "/calls", {**HTMX, "HX-Target": "main"}),
        "another line's table": _size(client, f"/calls?line={AYSEL_SECOND_LINE}",
                                      {**HTMX, "HX-Target": "call-report"}),
    }


def written_bytes():
    """The rows of docs/performance.md's table of raw and gzip bytes (the journey's steps)."""
    text = PERFORMANCE.read_text(encoding="utf-8")
    table, lines = {}, text[text.index("| step | raw bytes | gzip bytes |"):].splitlines()
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[\d ]+", cells[1]) and "." in cells[3]:
            table[cells[0]] = (int(cells[1].replace(" ", "")), int(cells[2].replace(" ", "")))
    return table


def test_the_performance_docs_byte_figures_are_what_is_served(client, auth, demo):
    auth.login()
    measured = journey_bytes(client)
    written = written_bytes()
    for step, (raw, gz) in measured.items():
        (row,) = [w for name, w in written.items() if name.startswith(step)]
        # A server in front adds its own few headers (Date, Server): a little slack, no more.
        assert abs(row[0] - raw) <= 0.03 * raw + 150, (step, row, (raw, gz))
        assert abs(row[1] - gz) <= 0.03 * gz + 150, (step, row, (raw, gz))


def test_the_readme_is_one_screenful_that_says_how_to_start():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert "make run" in text and "make test" in text


def test_the_readme_links_every_doc_and_every_link_leads_somewhere():
    text = README.read_text(encoding="utf-8")
    links = set(re.findall(r"\]\((docs/[^)#]+\.md)(?:#[^)]*)?\)", text))
    for link in links:
        assert (PROJECT / link).is_file(), link
    assert links == {doc.relative_to(PROJECT).as_posix() for doc in DOCS}
    for doc in DOCS:
        for link in re.findall(r"\]\(([^):#]+\.md)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / link).is_file(), (doc.name, link)


def test_each_doc_says_first_whom_it_is_for():
    for doc in DOCS:
        title, blank, first = doc.read_text(encoding="utf-8").splitlines()[:3]
        assert title.startswith("# ") and not blank and first.startswith("For "), doc.name
