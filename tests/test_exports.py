"""CSV and PDF of the month's table: the same rows and totals as the page, letters intact."""
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from peewee import fn
from pypdf import PdfReader

from egov.telephony import charge_claims as claims
from egov.demo import AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE
from egov.models import Call
from egov.telephony.access import HOLDINGS
from egov.telephony.reports import CALLS_WITH_CLAIMS
from egov.backoffice.staff_accounts import create_staff

from .support.claims import file_claim
from .support.pages import csv_rows, pdf_text
from .support.shapes import built_anew


@pytest.fixture(autouse=True)
def report_reads_built_anew():
    """The report's query and the holdings read are built once per process
    (egov.db.SameShape): each test here builds them itself, or mutmut, running a test
    after others in one process, sees none of what it changes in them."""
    built_anew(CALLS_WITH_CLAIMS, HOLDINGS)


@pytest.fixture
def aysel(demo, auth, db):
    auth.login()


def test_csv_has_the_tables_columns_rows_and_totals(client, aysel):
    response = client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}")
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="zengler-0124401234-2026-12.csv"')
    rows = csv_rows(response)
    assert rows[0] == ["#", "Tarix", "Vaxt", "Müddət (saniyə)", "Nömrə", "Zəngin növü",
                       "İstiqamət", "Dəqiqənin qiyməti (AZN)", "Vaxt zolağı", "Məbləğ (AZN)",
                       "Ödəniş*"]
    # The page's grouping, with 00 for the + so that a spreadsheet keeps it as text; the
    # flat plan's price a minute of each destination, no band.
    assert [(r[3], r[4], r[5], r[7], r[8], r[9], r[10]) for r in rows[1:]] == [
        ("72", "00 7 495 123 45 67", "beynəlxalq", "0,23", "günün vaxtından asılı deyil ×1",
         "0,28", "-"),
        ("20", "022 256 43 21", "şəhərlərarası", "0,05", "günün vaxtından asılı deyil ×1",
         "0,02", "-"),
        ("286", "022 256 43 21", "şəhərlərarası", "0,05", "günün vaxtından asılı deyil ×1",
         "0,24", "-"),
        ("108", "024 244 11 22", "şəhərlərarası", "0,05", "günün vaxtından asılı deyil ×1",
         "0,09", "-"),
        ("35", "00 49 30 12345678", "beynəlxalq", "0,29", "günün vaxtından asılı deyil ×1",
         "0,17", "-")]
    # Only data rows under the header: no totals or footnote for a spreadsheet to sum in.
    assert [r[1] for r in rows[1:]] == ["08.12.2026", "11.12.2026", "11.12.2026",
                                        "11.12.2026", "22.12.2026"]


@pytest.mark.parametrize("stored, shown", [
    ("=HYPERLINK(\"http://evil\";\"x\")", "'=HYPERLINK(\"http://evil\";\"x\")"),
    ("+1+cmd|' /C calc'!A0", "00 1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"), ("@SUM(1)", "'@SUM(1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
])
def test_csv_never_starts_a_cell_with_a_formula(client, aysel, stored, shown):
    # Dialled numbers are normalised on import; a row written any other way must
    # still not become a formula in the citizen's spreadsheet: it reads as the text it is,
    # after the apostrophe that tells a spreadsheet so.
    Call.update(dialled_number=stored).where(Call.id == Call.select(fn.MIN(Call.id))).execute()
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}"))
    assert not any(cell[:1] in "=+-@\t\r" and cell not in ("-", "+")
                   for row in rows for cell in row if cell)
    assert [(r[3], r[4]) for r in rows[1:3]] == [("72", shown), ("20", "022 256 43 21")]


def test_csv_of_a_line_with_paid_calls(client, aysel):
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_SECOND_LINE}"))
    assert [(r[8], r[9], r[10]) for r in rows[1:]] == [
        ("həftə sonu ×0,8", "0,07", "+"), ("günün vaxtından asılı deyil ×1", "0,40", "+"),
        ("gündüz ×1", "0,30", "-"), ("günün vaxtından asılı deyil ×1", "0,20", "-")]


def test_a_call_rated_before_details_were_kept_has_no_price_or_band(client, aysel):
    # Its amount stands; its price a minute and band were not kept: empty, not made up.
    Call.update(plan=None, qepik_per_minute=None, band=None, factor_permille=None,
                billed_seconds=None).where(Call.id == Call.select(fn.MIN(Call.id))).execute()
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}"))
    assert [(r[3], r[7], r[8], r[9]) for r in rows[1:3]] == [
        ("72", "", "", "0,28"), ("20", "0,05", "günün vaxtından asılı deyil ×1", "0,02")]


def test_exports_follow_the_chosen_month_kind_and_order(client, aysel):
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_SECOND_LINE}&month=2026-11"
                               "&kind=intercity&sort=-amount"))
    # November's intercity calls on the 2025 plan, dearest first: 610 s on a Wednesday
    # night (11 min × 3 × 0.8 = 26.4), 342 s on a Thursday (6 × 3), 125 s on a Tuesday
    # (3 × 3), 240 s on the last night and on the holiday (4 × 3 × 0.8 = 9.6) and the
    # weekend's 61 s (2 × 3 × 0.8).
    assert [(r[1], r[3], r[8], r[9]) for r in rows[1:]] == [
        ("11.11.2026", "610", "gecə ×0,8", "0,26"), ("12.11.2026", "342", "gündüz ×1", "0,18"),
        ("30.11.2026", "240", "gecə ×0,8", "0,10"),  # as dear: the later first
        ("08.11.2026", "240", "bayram günü ×0,8", "0,10"),
        ("03.11.2026", "125", "gündüz ×1", "0,09"),
        ("07.11.2026", "61", "həftə sonu ×0,8", "0,05")]
    assert "2026-11.csv" in client.get(
        f"/calls/export.csv?line={AYSEL_SECOND_LINE}&month=2026-11").headers[
        "Content-Disposition"]


# The PDF's text as pypdf reads it, the table row by row, then the summary rows and the
# note: what the citizen reads on paper, whole.
PDF_HEAD = ("Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat "
            "Aysel Məmmədova Telefon: {number} · {month} Çıxarışın tarixi: 24.12.2026 ")
PDF_COLUMNS = ("# Tarix Vaxt Müddət (saniyə) Nömrə Zəngin növü İstiqamət Dəqiqənin qiyməti "
               "(AZN) Vaxt zolağı Məbləğ (AZN) Ödəniş*")
PDF_NOTE = ("* Ödəniş: «-» — zəng üçün ödəniş hələ daxil olmayıb; «+» — zəng ödənilib. "
            "Cədvəlin altında zənglərin sayı və məbləği: ödənilməmiş, ödənilmiş və cəmi. 1/1")
FLAT = "günün vaxtından asılı deyil ×1"


def assert_pdf_reads(response, number, month, table):
    """The PDF reads its heading (printed at DEMO_NOW, 15:00, give or take the test's own
    minute), then `table` and the note, and nothing else."""
    assert re.fullmatch(
        re.escape(PDF_HEAD.format(number=number, month=month)) + r"15:0\d "
        + re.escape(f"{table} {PDF_NOTE}"), pdf_text(response)), pdf_text(response)


def test_pdf_has_the_same_columns_totals_and_azerbaijani_letters(client, aysel):
    response = client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}")
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="zengler-0124401234-2026-12.pdf"')
    # The viewer's title bar names the service.
    assert PdfReader(io.BytesIO(response.get_data())).metadata.title == (
        "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat")
    assert_pdf_reads(response, "012 440 12 34", "dekabr 2026", (
        f"{PDF_COLUMNS} "
        f"1 08.12.2026 16:11 72 +7 495 123 45 67 beynəlxalq Rusiya 0,23 {FLAT} 0,28 - "
        f"2 11.12.2026 09:15 20 022 256 43 21 şəhərlərarası Gəncə 0,05 {FLAT} 0,02 - "
        f"3 11.12.2026 10:00 286 022 256 43 21 şəhərlərarası Gəncə 0,05 {FLAT} 0,24 - "
        f"4 11.12.2026 10:11 108 024 244 11 22 şəhərlərarası Şəki 0,05 {FLAT} 0,09 - "
        f"5 22.12.2026 10:51 35 +49 30 12345678 beynəlxalq Almaniya 0,29 {FLAT} 0,17 - "
        # the whole month's summary rows; no «Göstərilən zənglər»: nothing is narrowed
        "3 Şəhərlərarası 0,35 2 Beynəlxalq 0,45 5 Ödənilməyib 0,80 0 Ödənilib 0,00 "
        "5 Cəmi 0,80"))


def pdf_lines(response):
    """The first page's pieces of text as drawn: (text, x, y, font size), x and y in points
    from the page's bottom left, to a tenth."""
    pieces = []
    PdfReader(io.BytesIO(response.get_data())).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: pieces.append(
            (text.strip(), round(tm[4], 1), round(tm[5], 1), size)) if text.strip() else None)
    return pieces


def test_the_pdf_is_laid_out_as_a_printed_statement(client, aysel):
    """The service's name in 12 pt bold, the citizen, the line and month and the moment
    printed in 10 pt, 10 mm from the left edge of a landscape A4 page (595 pt high); the
    table in 9 pt under them; the note in 8 pt under the table; the page number last."""
    pieces = pdf_lines(client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}"))
    assert pieces[:3] + [piece[1:] for piece in pieces[3:6]] == [
        ("Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat",
         31.2, 554.8, 12.0),
        ("Aysel Məmmədova", 31.2, 534.2, 10.0),
        ("Telefon: 012 440 12 34 · dekabr 2026", 31.2, 520.0, 10.0),
        (31.2, 505.8, 10.0),  # Çıxarışın tarixi: 24.12.2026 15:00
        (31.2, 473.5, 9.0), (45.0, 473.5, 9.0)]  # «#» and «Tarix»
    assert pieces[3][0].startswith("Çıxarışın tarixi: 24.12.2026 15:0")
    # Each column where it stands, the headings in bold on one line or two, numbers and
    # amounts to the right of their columns, the mark centred; no word split.
    assert [(text, x, y) for text, x, y, _ in pieces[4:26]] == [
        ("#", 31.2, 473.5), ("Tarix", 45.0, 473.5), ("Vaxt", 102.7, 473.5),
        ("Müddət", 176.9, 482.0), ("(saniyə)", 174.4, 465.0), ("Nömrə", 221.2, 473.5),
        ("Zəngin növü", 309.4, 473.5), ("İstiqamət", 378.3, 473.5),
        ("Dəqiqənin qiyməti", 460.9, 482.0), ("(AZN)", 524.6, 465.0),
        ("Vaxt zolağı", 559.5, 473.5), ("Məbləğ", 727.6, 482.0), ("(AZN)", 735.5, 465.0),
        ("Ödəniş*", 770.7, 473.5),
        ("1", 31.2, 439.5), ("08.12.2026", 45.0, 439.5), ("16:11", 102.7, 439.5),
        ("72", 204.1, 439.5), ("+7 495 123 45 67", 221.2, 439.5),
        ("beynəlxalq", 309.4, 439.5), ("Rusiya", 378.3, 439.5), ("0,23", 533.8, 439.5)]
    assert pieces[26:30] == [("günün vaxtından asılı deyil", 559.5, 448.0, 9.0),
                             ("×1", 559.5, 431.0, 9.0), ("0,28", 744.7, 439.5, 9.0),
                             ("-", 788.9, 439.5, 9.0)]
    assert pieces[-4:] == [
        ("Cəmi", 45.0, 209.9, 9.0), ("0,80", 742.5, 209.9, 9.0),
        ("* Ödəniş: «-» — zəng üçün ödəniş hələ daxil olmayıb; «+» — zəng ödənilib. "
         "Cədvəlin altında zənglərin sayı və məbləği: ödənilməmiş, ödənilmiş və cəmi.",
         31.2, 190.4, 8.0),
        ("1/1", 787.7, 24.5, 8.0)]


def test_a_narrowed_pdf_shows_the_chosen_calls_in_their_order_and_their_total(client, aysel):
    response = client.get(f"/calls/export.pdf?line={AYSEL_SECOND_LINE}&month=2026-11"
                          "&kind=international&sort=-amount")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="zengler-0183456789-2026-11.pdf"')
    assert_pdf_reads(response, "018 345 67 89", "noyabr 2026", (
        f"{PDF_COLUMNS} "
        f"8 24.11.2026 10:00 30 +882 1234567 beynəlxalq naməlum istiqamət 0,45 {FLAT} 0,45 - "
        f"6 16.11.2026 15:02 95 +90 532 123 45 67 beynəlxalq Türkiyə 0,20 {FLAT} 0,40 - "
        "7 20.11.2026 19:30 48 +1 212 555 0123 beynəlxalq Amerika Birləşmiş Ştatları 0,35 "
        f"{FLAT} 0,35 - "
        # the shown calls' line first, then the whole month's
        "3 Göstərilən zənglər 1,20 6 Şəhərlərarası 0,78 3 Beynəlxalq 1,20 "
        "7 Ödənilməyib 1,63 2 Ödənilib 0,35 9 Cəmi 1,98"))


def pdf_table_rows(response):
    """The table's rows as drawn on the first page, top down: each (cells, left edge, right
    edge), a cell being one bordered box (fpdf2 draws each with `re S`), edges to the point."""
    stream = PdfReader(io.BytesIO(response.get_data())).pages[0].get_contents().get_data()
    rows = {}
    for x, y, width in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) [\d.]+ re S", stream):
        rows.setdefault(float(y), []).append((float(x), float(x) + float(width)))
    return [(len(boxes), round(min(b[0] for b in boxes)), round(max(b[1] for b in boxes)))
            for _, boxes in sorted(rows.items(), reverse=True)]


def test_exports_follow_an_accepted_claims_correction(client, aysel):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    claims.accept(claim, create_staff("ops", "Əməkdaş", "ops-parol-1"), "",
                  {claim.claim_calls.get().id: 10})
    page = client.get(f"/calls?line={AYSEL_FIRST_LINE}").get_data(as_text=True)
    assert f'{claim.reference}</span> — <span class="claim-status">təmin edilib — məbləğ ' \
        "düzəldilib</span>" in page  # the page's mark says the claim was accepted
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}"))
    # As on the page: the corrected amount, and beside it what was billed and the claim.
    assert rows[0][9:] == ["Məbləğ (AZN)", "Ödəniş*", "Hesablanmış məbləğ (AZN)", "Reklamasiya"]
    assert rows[1][9:] == ["0,10", "-", "0,28", claim.reference]
    assert rows[2][9:] == ["0,02", "-", "", ""]
    assert len(rows) == 6
    pdf = client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}")
    assert_pdf_reads(pdf, "012 440 12 34", "dekabr 2026", (
        f"{PDF_COLUMNS} Hesablanmış məbləğ (AZN) Reklamasiya "
        "1 08.12.2026 16:11 72 +7 495 123 45 67 beynəlxalq Rusiya 0,23 "
        f"{FLAT} 0,10 - 0,28 {claim.reference} "
        f"2 11.12.2026 09:15 20 022 256 43 21 şəhərlərarası Gəncə 0,05 {FLAT} 0,02 - "
        f"3 11.12.2026 10:00 286 022 256 43 21 şəhərlərarası Gəncə 0,05 {FLAT} 0,24 - "
        f"4 11.12.2026 10:11 108 024 244 11 22 şəhərlərarası Şəki 0,05 {FLAT} 0,09 - "
        f"5 22.12.2026 10:51 35 +49 30 12345678 beynəlxalq Almaniya 0,29 {FLAT} 0,17 - "
        "3 Şəhərlərarası 0,35 2 Beynəlxalq 0,27 5 Ödənilməyib 0,62 0 Ödənilib 0,00 "
        "5 Cəmi 0,62"))
    # Landscape A4 within its 10 mm margins (28 to 814 pt): the heading and five calls under
    # all 13 columns, and each summary row boxed to the same right edge, its label across
    # the 8 columns from the date to the band.
    assert pdf_table_rows(pdf) == [(13, 28, 814)] * 6 + [(6, 28, 814)] * 5


def test_a_rejected_claim_leaves_the_exports_as_billed(client, aysel):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    claims.reject(claim, create_staff("ops", "Əməkdaş", "ops-parol-1"), "Zəng edilib.")
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}"))
    # No claim stands against a call: no billed-amount or claim column, the amount as billed.
    assert rows[0][9:] == ["Məbləğ (AZN)", "Ödəniş*"]
    assert [(r[3], r[9]) for r in rows[1:3]] == [("72", "0,28"), ("20", "0,02")]


def test_exports_go_through_the_access_rule(client, aysel):
    for fmt in ("csv", "pdf"):
        response = client.get(f"/calls/export.{fmt}?line={HANDED_OVER_LINE}")  # Rauf's line
        assert response.status_code == 404 and b"012 510" not in response.get_data()
    assert client.get("/calls/export.xls").status_code == 404


def test_exports_need_a_signed_in_citizen(client, demo):
    assert client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}").status_code == 302


def test_the_report_links_to_both_exports(client, aysel):
    page = client.get("/calls").get_data(as_text=True)
    assert f'href="/calls/export.csv?line={AYSEL_FIRST_LINE}&amp;month=2026-12"' in page
    assert f'href="/calls/export.pdf?line={AYSEL_FIRST_LINE}&amp;month=2026-12"' in page


@pytest.mark.parametrize("lang, words", [
    ("az", ["Ödənilməyib", "Müddət", "(saniyə)", "Hesablanmış", "Reklamasiya", "Dəqiqənin"]),
    ("en", ["Payment*", "Duration", "(seconds)", "Destination", "Claim"]),
    ("ru", ["Продолжительность", "(секунды)", "Направление", "Претензия"]),
])
def test_the_pdf_splits_no_label_number_date_or_reference(client, aysel, lang, words):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])  # a reference column too
    pages = PdfReader(io.BytesIO(client.get(
        f"/calls/export.pdf?line={AYSEL_FIRST_LINE}&lang={lang}").get_data())).pages
    tokens = {token for page in pages for token in page.extract_text().split()}
    for word in words + [claim.reference, "495", "22.12.2026" if lang != "en" else
                         "22/12/2026", "10:51"]:
        assert word in tokens, word


def test_a_long_month_goes_on_to_a_second_page_numbered_at_its_foot(client, auth, world):
    """40 calls: landscape A4 holds the table's heading and 25 calls under the
    citizen's heading (36 mm, then 6 mm rows down to 192 mm, under the 15 mm bottom margin);
    the next page repeats the heading. Each page is numbered at its bottom right, in 8 pt."""
    citizen = world.citizen("3CCCCCC", "Sınaq Sınaqov", "sinaq", "sinaq-parol-1")
    with time_machine.travel(datetime(2026, 12, 24, 11, 0, tzinfo=timezone.utc), tick=False):
        line = world.line("0124401234", citizen, since=datetime(2025, 1, 1))
        for i in range(40):  # every 12 hours from 1 December, 10:00 in Baku
            world.call(line, datetime(2026, 12, 1, 6, 0) + timedelta(hours=12 * i), seconds=60)
        auth.login("sinaq", "sinaq-parol-1")
        response = client.get("/calls/export.pdf?line=0124401234")
    pages = PdfReader(io.BytesIO(response.get_data())).pages
    texts = [" ".join(page.extract_text().split()) for page in pages]
    assert len(pages) == 2
    assert re.findall(r" (\d+) \d\d\.12\.2026 ", texts[0]) == [str(n) for n in range(1, 26)]
    assert re.findall(r" (\d+) \d\d\.12\.2026 ", texts[1]) == [str(n) for n in range(26, 41)]
    assert texts[1].startswith(PDF_COLUMNS) and "40 Cəmi" in texts[1]
    footers = []
    for page in pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: footers.append(
            (text, round(tm[4], 1), round(tm[5], 1), size)) if "/2" in text else None)
    # Right-aligned to the right margin (813.5 pt), its foot 12 mm above the page's bottom.
    assert footers == [("1/2", 787.7, 24.5, 8.0), ("2/2", 787.7, 24.5, 8.0)]


def test_the_russian_pdf_with_a_claims_columns_is_set_smaller_to_fit(client, aysel):
    # Its 13 columns' Russian headings do not fit landscape A4 in 9 pt: 8 pt, the page's width.
    file_claim("aysel", AYSEL_FIRST_LINE, [1])
    response = client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}&lang=ru")
    assert {piece[3] for piece in pdf_lines(response)[4:-2]} == {8.0}
    assert pdf_lines(response)[4:7] == [
        ("№", 31.2, 465.3, 8.0), ("Дата", 47.0, 465.3, 8.0), ("Время", 99.1, 465.3, 8.0)]
    assert pdf_table_rows(response)[0] == (13, 28, 814)


@pytest.mark.parametrize("stored, size", [
    ("W" * 16, 7.0),  # fits in 7 pt
    ("W" * 28, 7.0),  # fits in none: 7 pt, the columns narrowed to the page's width
])
def test_a_value_too_wide_for_the_page_still_gives_a_table_within_it(client, aysel, stored, size):
    # Dialled numbers are normalised on import (at most 17 digits); a row written any other
    # way, as wide as its column allows, must still print within the page.
    file_claim("aysel", AYSEL_FIRST_LINE, [1])
    Call.update(dialled_number=stored).where(Call.id == Call.select(fn.MIN(Call.id))).execute()
    response = client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}&lang=ru")
    assert {piece[3] for piece in pdf_lines(response)[4:-2]} == {size}
    assert {(left, right) for _, left, right in pdf_table_rows(response)} == {(28, 814)}



def test_a_table_just_too_wide_for_the_page_in_9_pt_is_set_in_8(client, aysel):
    # As above, a dialled number stored unnormalised and kept whole on its line (25
    # characters: the column holds 32 on PostgreSQL): this one makes the Russian table's
    # narrowest layout in 9 pt 0.56 mm wider than landscape A4's 277 mm.
    stored = "W" * 17 + "0" * 8
    Call.update(dialled_number=stored).where(Call.id == Call.select(fn.MIN(Call.id))).execute()
    response = client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}&lang=ru")
    assert {piece[3] for piece in pdf_lines(response)[4:-2]} == {8.0}
    assert {(left, right) for _, left, right in pdf_table_rows(response)} == {(28, 814)}
    assert stored in pdf_text(response).split()


def test_a_table_just_narrower_than_the_page_gives_the_rest_to_its_wrapped_columns(
        client, aysel):
    # Its narrowest layout in 9 pt leaves 0.56 mm of the page: that goes to the columns
    # that wrap (duration, kind, destination, band …); the #, date and time columns keep
    # their own widths (fpdf2 would stretch them too: the time 0.2 pt further right).
    stored = "W" * 16 + "0" * 9
    Call.update(dialled_number=stored).where(Call.id == Call.select(fn.MIN(Call.id))).execute()
    response = client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}&lang=ru")
    pieces = pdf_lines(response)
    assert {piece[3] for piece in pieces[4:-2]} == {9.0}
    assert [(text, x) for text, x, _, _ in pieces[4:20]] == [
        ("№", 31.2), ("Дата", 48.2), ("Время", 106.0), ("Продолжительность", 145.7),
        ("(секунды)", 200.1), ("Номер", 259.0), ("Вид звонка", 459.2), ("Направление", 545.1),
        ("Цена", 634.3), ("минуты", 622.0), ("(AZN)", 631.8), ("Тарифный", 666.7),
        ("период", 666.7), ("Сумма", 728.7), ("(AZN)", 732.7), ("Оплата*", 767.9)]
    assert {(left, right) for _, left, right in pdf_table_rows(response)} == {(28, 814)}
    assert stored in pdf_text(response).split()
