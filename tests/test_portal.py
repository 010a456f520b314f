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
    # Four services, and how many of them this portal provides.
    assert re.search(re.escape(MINISTRY) + r"</span>\s*<span class=\"count\">4 xidmət · bu portalda: 1<",
                     page)
    assert "Daxili İşlər Nazirliyi" in page
    assert SERVICE not in page  # closed until the row is clicked


def test_ministry_row_opens_its_services_in_place(client):
    response = client.get("/services/nrytn", headers={**HTMX, "HX-Target": "agency-nrytn"})
    fragment = text(response)
    assert "<html" not in fragment and "<header" not in fragment
    assert SERVICE in fragment
    assert 'href="/calls"' in fragment and 'data-hx-target="#main"' in fragment
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


def _title(page):
    return re.search(r"<title>(.*?)</title>", page).group(1)


def _footer(page):
    return re.search(r'<p id="footer-owner"[^>]*>(.*?)</p>', page).group(1)


def _trail(page):
    nav = re.search(r'<nav class="breadcrumbs" aria-label="Yol">(.*?)</nav>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", nav, re.S)]


def test_the_home_page_names_the_portal_once_and_is_the_portals_own(client):
    page = text(client.get("/"))
    assert _title(page) == "Elektron Hökumət Portalı"
    assert _footer(page) == "Elektron Hökumət Portalı"
    assert _title(text(client.get("/services"))) == "Bütün xidmətlər — Elektron Hökumət Portalı"


def test_the_footer_names_the_ministry_on_the_services_pages_only(client, auth, demo):
    assert _footer(text(client.get("/services"))) == "Elektron Hökumət Portalı"
    assert _footer(text(client.get("/auth/login"))) == "Elektron Hökumət Portalı"
    auth.login()
    ministry = "Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyinin xidməti"
    assert _footer(text(client.get("/calls"))) == ministry
    # In place from the catalogue to the service, the footer follows (out of band).
    fragment = text(client.get("/calls", headers={**HTMX, "HX-Target": "main"}))
    assert re.search(r'<p id="footer-owner" data-hx-swap-oob="true">' + ministry, fragment)


def test_one_trail_from_the_home_page_on_every_page(client, auth, demo):
    assert _trail(text(client.get("/services"))) == ["Əsas səhifə", "Bütün xidmətlər"]
    assert _trail(text(client.get("/auth/login"))) == ["Əsas səhifə", "Portala giriş"]
    auth.login()
    to_service = ["Əsas səhifə", "Bütün xidmətlər", MINISTRY]
    assert _trail(text(client.get("/calls"))) == to_service
    for path, last in (("/calls/manual", ["İstifadə Təlimatı"]), ("/calls/video", ["Video təlimat"]),
                       ("/calls/claims", ["Mənim reklamasiyalarım"]),
                       ("/calls/claims/new", ["Mənim reklamasiyalarım", "Reklamasiya"]),
                       ("/calls/feedback", ["Əks əlaqə"])):
        assert _trail(text(client.get(path))) == to_service + [SERVICE] + last, path


def test_the_feedback_page_without_javascript_has_one_heading_and_names_the_service(
        client, auth, demo):
    auth.login()
    page = text(client.get("/calls/feedback"))
    assert len(re.findall(r"<h[12][^>]*>Əks əlaqə</h[12]>", page)) == 1
    assert f"Qiymətləndirdiyiniz xidmət: «{SERVICE}»" in page


def test_signing_out_at_a_provider_comes_home_to_a_clean_address(client):
    response = client.get("/?state=abc123")
    assert response.status_code == 302 and response.headers["Location"] == "/"
