"""CSV and PDF of the month's table: the same rows and totals as the page, letters intact."""
import csv
import io

import pytest
from peewee import fn
from pypdf import PdfReader

from egov.telephony import charge_claims as claims
from egov.demo import AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, HANDED_OVER_LINE
from egov.models import Call
from egov.backoffice.staff_accounts import create_staff

from .test_claims import file_claim


@pytest.fixture
def aysel(demo, auth, db):
    auth.login()


def csv_rows(response):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def pdf_text(response):
    pages = PdfReader(io.BytesIO(response.get_data())).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_csv_has_the_tables_columns_rows_and_totals(client, aysel, demo):
    response = client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}")
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="zengler-{AYSEL_FIRST_LINE}-{demo.year}-{demo.month:02d}.csv"')
    rows = csv_rows(response)
    assert rows[0] == ["#", "Tarix", "Vaxt", "Müddət (saniyə)", "Nömrə", "Məbləğ (AZN)",
                       "Ödəniş*"]
    # The page's grouping, with 00 for the + so that a spreadsheet keeps it as text.
    assert [(r[3], r[4], r[5], r[6]) for r in rows[1:6]] == [
        ("72", "00 7 495 123 45 67", "0,28", "-"), ("20", "022 256 43 21", "0,02", "-"),
        ("286", "022 256 43 21", "0,24", "-"), ("108", "024 244 11 22", "0,09", "-"),
        ("35", "00 49 30 12345678", "0,17", "-")]
    assert all(r[1].endswith(f".{demo.month:02d}.{demo.year}") for r in rows[1:6])
    assert rows[6:9] == [["5", "Ödənilməyib", "", "", "", "0,80", ""],
                         ["0", "Ödənilib", "", "", "", "0,00", ""],
                         ["5", "Cəmi", "", "", "", "0,80", ""]]
    assert rows[9][0].startswith("* Ödəniş: «-» — zəng üçün ödəniş hələ daxil olmayıb")


@pytest.mark.parametrize("stored", ["=HYPERLINK(\"http://evil\";\"x\")", "+1+cmd|' /C calc'!A0",
                                    "-2+3", "@SUM(1)", "\t=1"])
def test_csv_never_starts_a_cell_with_a_formula(client, aysel, stored):
    # Dialled numbers are normalised on import; a row written any other way must
    # still not become a formula in the citizen's spreadsheet.
    Call.update(dialled_number=stored).where(Call.id == Call.select(fn.MIN(Call.id))).execute()
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}"))
    assert not any(cell[:1] in "=+-@\t\r" and cell not in ("-", "+")
                   for row in rows for cell in row if cell)


def test_csv_of_a_line_with_paid_calls(client, aysel):
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_SECOND_LINE}"))
    assert [r[6] for r in rows[1:5]] == ["+", "+", "-", "-"]
    assert [r[5] for r in rows[5:8]] == ["0,56", "0,33", "0,89"]


def test_pdf_has_the_same_columns_totals_and_azerbaijani_letters(client, aysel, demo):
    response = client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}")
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"zengler-{AYSEL_FIRST_LINE}-{demo.year}-{demo.month:02d}.pdf" in (
        response.headers["Content-Disposition"])
    content = pdf_text(response)
    for expected in ("Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar",
                     "Aysel Məmmədova", "012 440 12 34", "Müddət (saniyə)", "Məbləğ (AZN)",
                     "Ödəniş*", "+7 495 123 45 67", "Ödənilməyib", "Ödənilib", "Cəmi", "0,80",
                     "0,28", "286",
                     "Çıxarışın tarixi", "zəng üçün ödəniş hələ daxil olmayıb"):
        assert expected in content, expected
    assert set("əğıöşüç") <= set(content)


def test_exports_follow_an_accepted_claims_correction(client, aysel):
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    claims.accept(claim, create_staff("ops", "Əməkdaş", "ops-parol-1"), "",
                  {claim.claim_calls.get().id: 10})
    rows = csv_rows(client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}"))
    # As on the page: the corrected amount, and beside it what was billed and the claim.
    assert rows[0][5:] == ["Məbləğ (AZN)", "Ödəniş*", "Hesablanmış məbləğ (AZN)", "Reklamasiya"]
    assert rows[1][5:] == ["0,10", "-", "0,28", claim.reference]
    assert rows[2][5:] == ["0,02", "-", "", ""]
    assert rows[8] == ["5", "Cəmi", "", "", "", "0,62", "", "", ""]
    pdf = pdf_text(client.get(f"/calls/export.pdf?line={AYSEL_FIRST_LINE}"))
    assert "0,62" in pdf and claim.reference in pdf and "0,28" in pdf
    assert "Hesablanmış məbləğ" in pdf


def test_exports_go_through_the_access_rule(client, aysel):
    for fmt in ("csv", "pdf"):
        response = client.get(f"/calls/export.{fmt}?line={HANDED_OVER_LINE}")  # Rauf's line
        assert response.status_code == 404 and b"012 510" not in response.get_data()
    assert client.get("/calls/export.xls").status_code == 404


def test_exports_need_a_signed_in_citizen(client, demo):
    assert client.get(f"/calls/export.csv?line={AYSEL_FIRST_LINE}").status_code == 302


def test_the_report_links_to_both_exports(client, aysel):
    page = client.get("/calls").get_data(as_text=True)
    assert f'href="/calls/export.csv?line={AYSEL_FIRST_LINE}"' in page
    assert f'href="/calls/export.pdf?line={AYSEL_FIRST_LINE}"' in page
