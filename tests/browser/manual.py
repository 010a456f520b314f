"""The manual's steps, in the words a citizen clicks, shared by the browser tests.

Each step acts as a person would (header links, menus, rows, buttons) and waits
until what the step promises is on screen, with or without JavaScript.
"""
import re

from playwright.sync_api import expect

MINISTRY = "Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi"
SERVICE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"
MEANS = ("elektron imza", "e-gov identity", "asan imza", "istifadəçi adı və şifrə")
AYSEL = ("aysel", "aysel-demo-1")
RAUF = ("rauf", "rauf-demo-1")
AYSEL_FIRST_LINE = "012 440 12 34"
AYSEL_SECOND_LINE = "018 345 67 89"


def path_of(page):
    """The address bar without scheme and host: what a citizen would read after the site name."""
    return re.sub(r"^https?://[^/]+", "", page.url)


def open_sign_in(page):
    """The header's «Giriş»."""
    with page.expect_navigation():  # loaded, htmx included, before the next click
        page.get_by_role("banner").get_by_role("link", name="Giriş", exact=True).click()
    page.get_by_role("heading", name="Portala giriş", level=1).wait_for()


def means_card(page, title):
    return page.locator(".means-card").filter(
        has=page.get_by_role("heading", name=title, exact=True))


def sign_in(page, who=AYSEL):
    """«İstifadəçi adı», «Şifrə», «Daxil ol» on the sign-in page."""
    username, password = who
    card = means_card(page, "istifadəçi adı və şifrə")
    card.get_by_label("İstifadəçi adı", exact=True).fill(username)
    card.get_by_label("Şifrə", exact=True).fill(password)
    with page.expect_navigation():
        card.get_by_role("button", name="Daxil ol").click()


def sign_in_from_home(page, who=AYSEL):
    page.goto("/")
    open_sign_in(page)
    sign_in(page, who)


def open_all_services(page):
    """Step 1: «E-xidmətlər» → «Bütün xidmətlər»."""
    nav = page.get_by_role("navigation", name="Əsas menyu")
    nav.locator("summary", has_text="E-xidmətlər").click()
    # A plain link in both modes: wait for the new page, the old one may show the same heading.
    with page.expect_navigation():
        nav.get_by_role("link", name="Bütün xidmətlər").click()
    page.get_by_role("heading", name="Bütün xidmətlər", level=1).wait_for()


def ministry_row(page):
    return page.get_by_role("link", name=re.compile("^" + re.escape(MINISTRY)))


def ministry_services(page):
    return page.get_by_role("list", name=f"{MINISTRY} xidmətləri")


def settled(page):
    """htmx has swapped and settled what it asked for (the links it brought are live).

    A step's content shows at the swap; htmx makes its links and forms its own when the
    swap settles, a moment later. A person never acts within that moment; a test that
    did would follow a plain link, or change a select nobody listens to yet."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def open_ministry(page):
    """Step 2: the row «Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi»."""
    ministry_row(page).click()
    ministry_services(page).wait_for()
    settled(page)
    # In place or as a page, the title names the ministry.
    expect(page).to_have_title(re.compile("^" + re.escape(MINISTRY) + " — "))


def open_service(page):
    """Step 2, continued: the service's name among the ministry's services."""
    ministry_services(page).get_by_role("link", name=SERVICE).click()
    page.get_by_role("heading", name=SERVICE, level=1).wait_for()
    settled(page)


def follow_manual_to_report(page, who=AYSEL):
    sign_in_from_home(page, who)
    open_all_services(page)
    open_ministry(page)
    open_service(page)


def choose_line(page, number):
    """A citizen with several lines picks one; without JavaScript «Göstər» sends the form."""
    page.get_by_label("Telefon nömrəsi").select_option(label=number)
    if not page.javascript:
        page.get_by_role("button", name="Göstər").click()
    page.locator("#call-report .phone").filter(has_text=number).wait_for()
    settled(page)


def sign_out(page):
    """Step 5: «Çıxış» in the header."""
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("button", name="Çıxış").click()


def report_table(page):
    """Picture 5 as text: header cells, call rows, summary rows (payment marks as shown).

    A row's cells read as picture 5's columns: the line under the number (kind ·
    destination) is in `destinations`, and the amount's «hesablama» details are left out."""
    return page.locator("table.calls").evaluate(
        """table => ({
            columns: [...table.tHead.rows[0].cells].map(c => c.textContent.trim()),
            rows: [...table.tBodies[0].rows].map(r => [...r.cells].map(c => {
                const shown = c.querySelector('[aria-hidden="true"]');
                if (shown) return shown.textContent.trim();
                const cell = c.cloneNode(true);
                cell.querySelectorAll('.destination, details.charge').forEach(e => e.remove());
                return cell.textContent.trim();
            })),
            destinations: [...table.tBodies[0].rows].map(
                r => r.querySelector('.destination')?.textContent.trim() ?? null),
            summary: [...table.tFoot.rows].map(r => [...r.cells].map(c => c.textContent.trim())),
        })"""
    )


def mark_document(page):
    """Leave a mark on this document: it survives an htmx swap, not a page load."""
    page.evaluate("window.__journeyMark = 'still the same document'")


def same_document(page):
    return page.evaluate("window.__journeyMark") == "still the same document"


def is_csp_violation(console_message):
    """Chromium reports every Content-Security-Policy refusal in the console."""
    return "Content Security Policy" in console_message.text
