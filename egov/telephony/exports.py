"""The month's table to take away: CSV for spreadsheets, PDF for paper and archives.

Both carry the rows the page shows (the chosen month, kind, search and order; amounts
corrected by accepted claims included), each with its kind, destination, price a minute
and time band, built from one CallReport. The CSV holds only data rows under one header
row, so a spreadsheet can sort and sum it; the totals and the payment note stay on the
page, in print and in the PDF.

CSV: UTF-8 with a byte-order mark, because without it Excel reads the file in
the machine's ANSI code page and garbles ə, ğ, ı, ş. The file is written in the
page's language, amounts with that language's decimal separator, and the fields
are split the way a spreadsheet set to that language splits them: Excel uses the
locale's list separator, which is the semicolon wherever the decimal separator is a
comma (Azerbaijani, Russian) and the comma where it is a point (English). So the
amounts open as numbers, as on the page.

PDF: fpdf2 — pure Python, actively maintained, embeds (and subsets) a TrueType
font, which is what carries ə, ğ, ı, ö, ş, ü, ç, and draws tables itself; no C
library and no browser needed. The font is DejaVu Sans (Debian's
fonts-dejavu-core), from PDF_FONT_DIR.
"""
import csv
import io
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from ..locales import language
from ..timeutil import baku_full_date, baku_time
from .billing import format_azn, format_factor
from .charges import band_label
from .destinations import destination, kind_label
from .numbering import format_phone
from .reports import SERVICE_TITLE


def _has_claims(report):
    return any(row.claim for row in report.rows)


def _columns(report):
    """The page's columns, each call's kind, destination, price and band; with disputed
    calls, also what was billed and the claim, since «Məbləğ» then shows the corrected
    amount (the page strikes the billed one through)."""
    columns = [_("#"), _("Tarix"), _("Vaxt"), _("Müddət (saniyə)"), _("Nömrə"),
               _("Zəngin növü"), _("İstiqamət"), _("Dəqiqənin qiyməti (AZN)"),
               _("Vaxt zolağı"), _("Məbləğ (AZN)"), _("Ödəniş") + "*"]
    if _has_claims(report):
        columns += [_("Hesablanmış məbləğ (AZN)"), _("Reklamasiya")]
    return columns


def _price(call):
    return format_azn(call.qepik_per_minute) if call.is_explained else ""


def _band(call):
    if not call.is_explained:
        return ""
    return f"{band_label(call.band)} ×{format_factor(call.factor_permille)}"


def _payment_note():
    return _("* Ödəniş: «-» — zəng üçün ödəniş hələ daxil olmayıb; «+» — zəng ödənilib. "
             "Cədvəlin altında zənglərin sayı və məbləği: ödənilməmiş, ödənilmiş və cəmi.")


def _spreadsheet_safe(number):
    """The page's grouping with 00 for the +: a spreadsheet reads «+7 495…» as a formula
    or a number (losing the +), and «00 7 495 123 45 67» as the text it is."""
    text = format_phone(number)
    if text.startswith("+"):
        return "00 " + text[1:]
    # A stored value that is not a number is shown as it is: a leading = - @ would
    # make the spreadsheet run it as a formula (CSV injection), so it is quoted.
    return "'" + text if text[:1] in ("=", "-", "@", "\t", "\r") else text


def _rows(report, dialled=format_phone):
    with_claims = _has_claims(report)
    for row in report.shown if report.shown is not None else report.rows:
        call = row.call
        cells = [str(row.position), baku_full_date(call.started_at), baku_time(call.started_at),
                 str(call.duration_seconds), dialled(call.dialled_number),
                 str(kind_label(call.kind)), str(destination(call.dialled_number, call.kind)),
                 _price(call), _band(call), format_azn(row.amount_qepik),
                 "+" if row.is_paid else "-"]
        if with_claims:
            cells += [format_azn(call.amount_qepik) if row.is_corrected else "",
                      row.claim.reference if row.claim else ""]
        yield cells


def _summary_rows(report):
    """The page's summary rows (the shown calls when narrowed, then the whole month's per
    kind and the three of picture 5), laid out under the table's columns."""
    extra = ["", ""] if _has_claims(report) else []
    totals = []
    if report.options is not None and report.options.narrows:
        totals.append((_("Göstərilən zənglər"), report.shown_total))
    totals += [(_("Şəhərlərarası"), report.by_kind["intercity"]),
               (_("Beynəlxalq"), report.by_kind["international"]),
               (_("Ödənilməyib"), report.unpaid), (_("Ödənilib"), report.paid),
               (_("Cəmi"), report.total)]
    for label, summary in totals:
        yield ([str(summary.count), label, "", "", "", "", "", "", "",
                format_azn(summary.amount_qepik), ""] + extra)


# The list separator of a spreadsheet set to each language (see the docstring).
CSV_SEPARATORS = {"az": ";", "ru": ";", "en": ","}


def to_csv(report, full_name, now):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_SEPARATORS[language()], lineterminator="\r\n")
    writer.writerow(_columns(report))
    writer.writerows(_rows(report, dialled=_spreadsheet_safe))
    return "\ufeff" + out.getvalue(), "text/csv"


class _Document(FPDF):
    def __init__(self, font_dir, orientation="portrait"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.add_font("DejaVu", "", str(Path(font_dir) / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(Path(font_dir) / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")


def to_pdf(report, full_name, now):

    pdf = _Document(current_app.config["PDF_FONT_DIR"], "landscape")
    pdf.set_title(_(SERVICE_TITLE))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 6, _(SERVICE_TITLE))
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 10)
    phone, printed = _("Telefon"), _("Çıxarışın tarixi")  # not in f-strings: pybabel reads them
    for line in (
        full_name,
        f"{phone}: {format_phone(report.held.number)} · {report.month.label()}",
        f"{printed}: {baku_full_date(now)} {baku_time(now)}",
    ):
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9)
    columns, rows = _columns(report), list(_rows(report))
    align = ("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT",
             "RIGHT", "CENTER")
    if _has_claims(report):
        align += ("RIGHT", "LEFT")
    size, widths = _table_layout(pdf, columns, rows)
    pdf.set_font("DejaVu", "", size)
    with pdf.table(col_widths=widths, text_align=align,
                   headings_style=FontFace(emphasis="BOLD"), line_height=6) as table:
        table.row(columns)
        for cells in rows:
            table.row(cells)
        for cells in _summary_rows(report):
            # The label spans the columns it stands under, never split mid-word.
            row = table.row(style=FontFace(emphasis="BOLD"))
            row.cell(cells[0])
            row.cell(cells[1], colspan=8)
            for cell in cells[9:]:
                row.cell(cell)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4, _payment_note())
    return bytes(pdf.output()), "application/pdf"


# Columns whose values are never split across lines: #, date, time, duration, number,
# price, amount, mark, billed amount, claim reference. The others break between words.
_WHOLE_VALUES = {0, 1, 2, 3, 4, 7, 9, 10, 11, 12}
_PADDING = 2.2  # mm: fpdf2's cell padding on both sides, and a hair more


def _table_layout(pdf, columns, rows):
    """(font size, column widths): the largest of 9, 8 and 7 pt at which the table splits
    nothing that must stay whole (see _column_widths)."""
    for size in (9, 8, 7):
        widths = _column_widths(pdf, columns, rows, size)
        if sum(widths) <= pdf.epw + 0.01:
            return size, widths
    return size, tuple(w * pdf.epw / sum(widths) for w in widths)


def _column_widths(pdf, columns, rows, size):
    """Widths (mm) that split no header word, number, date or reference, in whatever
    language: each column gets at least its header's longest word (bold) and, for the
    values above, its longest value; what is left of the page goes to the columns whose
    text would otherwise wrap most, in proportion to the room they would take on one line."""
    least, wanted = [], []
    for index, heading in enumerate(columns):
        pdf.set_font("DejaVu", "B", size)
        head_word = max(pdf.get_string_width(word) for word in heading.split())
        head_line = pdf.get_string_width(heading)
        pdf.set_font("DejaVu", "", size)
        values = [pdf.get_string_width(cells[index]) for cells in rows] or [0]
        words = [pdf.get_string_width(word) for cells in rows
                 for word in cells[index].split()] or [0]
        whole = max(values) if index in _WHOLE_VALUES else max(words)
        least.append(max(head_word, whole) + _PADDING)
        wanted.append(max(head_line, max(values)) + _PADDING)
    room = pdf.epw - sum(least)
    extra = [w - m for w, m in zip(wanted, least)]
    if room <= 0 or not sum(extra):
        return tuple(least)
    share = min(1.0, room / sum(extra))
    widths = [m + e * share for m, e in zip(least, extra)]
    spare = pdf.epw - sum(widths)  # every column fits on one line: spread the rest
    return tuple(w + spare / len(widths) for w in widths)


FORMATS = {"csv": to_csv, "pdf": to_pdf}


# The file's name says "calls" in the file's language, in ASCII letters so that every
# browser, mail program and file system keeps it as it is.
FILE_WORDS = {"az": "zengler", "en": "calls", "ru": "zvonki"}


def filename(report, fmt):
    """E.g. zengler-0124401234-2026-11.csv: the number and the month, ASCII only."""
    word = FILE_WORDS[language()]
    return f"{word}-{report.held.number}-{report.month.year}-{report.month.month:02d}.{fmt}"
