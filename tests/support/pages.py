"""Reading the portal's answers in tests: the page's text, its table's cells, the CSRF
token of its forms, the exports' CSV rows and PDF text, and the htmx request header."""
import csv
import io
import re

from pypdf import PdfReader

SERVICE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"
HTMX = {"HX-Request": "true"}
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def text(response):
    return response.get_data(as_text=True)


def csrf_token(client, path="/auth/login"):
    # Signed in, /auth/login goes on to the catalogue, whose sign-out form has a token too.
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return CSRF_INPUT.search(page).group(1)


def cells(page):
    """The table's rows as lists of cell texts (tags stripped; each amount's folded
    explanation, a <details>, left out: tests/test_charges.py reads it)."""
    page = re.sub(r"<details.*?</details>", "", page, flags=re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
         for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]


def csv_rows(response):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def pdf_text(response):
    pages = PdfReader(io.BytesIO(response.get_data())).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)
