"""E-xidmətlər → Bütün xidmətlər → the ministry's row, drilled down in place."""
import re

MINISTRY = "Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi"
SERVICE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"
HTMX = {"HX-Request": "true"}


def text(response):
    return response.get_data(as_text=True)


def test_header_menu_leads_to_all_services(client):
    page = text(client.get("/"))
    assert "E-xidmətlər" in page
    assert re.search(r'<a href="/services">Bütün xidmətlər</a>', page)


def test_catalogue_lists_agencies_with_their_number_of_services(client):
    page = text(client.get("/services"))
    assert MINISTRY in page
    assert re.search(re.escape(MINISTRY) + r"</span>\s*<span class=\"count\">4 xidmət", page)
    assert "Daxili İşlər Nazirliyi" in page
    assert SERVICE not in page  # closed until the row is clicked


def test_ministry_row_opens_its_services_in_place(client):
    response = client.get("/services/nrytn", headers={**HTMX, "HX-Target": "agency-nrytn"})
    fragment = text(response)
    assert "<html" not in fragment and "<header" not in fragment
    assert SERVICE in fragment
    assert 'href="/calls"' in fragment and 'hx-target="#main"' in fragment
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_the_same_url_without_htmx_is_the_whole_catalogue_with_the_row_open(client):
    page = text(client.get("/services/nrytn"))
    assert "<html" in page and "Daxili İşlər Nazirliyi" in page and SERVICE in page
    assert 'aria-current="true"' in page


def test_a_history_restore_gets_the_whole_page(client):
    page = text(client.get("/services/nrytn", headers={
        **HTMX, "HX-Target": "agency-nrytn", "HX-History-Restore-Request": "true"}))
    assert "<html" in page


def test_services_not_provided_here_say_so_and_have_no_dead_link(client):
    page = text(client.get("/services/din"))
    assert "Sürücülük vəsiqəsi barədə məlumat" in page
    assert "bu portalda təqdim edilmir" in page
    services = page.split('class="services"')[1].split("</ul>")[0]
    assert "<a " not in services


def test_unknown_agency_is_a_404_in_azerbaijani(client):
    response = client.get("/services/none")
    assert response.status_code == 404 and "Səhifə tapılmadı" in text(response)


def test_the_row_swapped_in_place_says_it_is_open(client):
    """htmx replaces the whole row, so its open state reaches the row's own link."""
    fragment = text(client.get("/services/nrytn", headers={**HTMX, "HX-Target": "agency-nrytn"}))
    assert '<li id="agency-nrytn" class="agency open">' in fragment
    assert 'aria-expanded="true"' in fragment and SERVICE in fragment
    # The page title follows the opened ministry, as the page without JavaScript has it.
    assert fragment.count("<title>") == 1
    assert f"<title>{MINISTRY} — Elektron Hökumət Portalı</title>" in fragment
    whole = text(client.get("/services/nrytn", headers={**HTMX, "HX-Target": "main"}))
    assert whole.count("<title>") == 1
    closed = text(client.get("/services"))
    assert 'aria-expanded="true"' not in closed and 'aria-expanded="false"' in closed
