"""E-xidmətlər → Bütün xidmətlər → the ministry's row, drilled down in place."""
import re
from pathlib import Path

import pytest

from egov.catalogue import CatalogueError, load_catalogue
from egov.db import database
from egov.models import Service
from egov.schema import create_tables

from .conftest import DATA_DIR
from .support.pages import HTMX, SERVICE, text

MINISTRY = "Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi"
def test_header_menu_leads_to_all_services(client):
    page = text(client.get("/"))
    assert "E-xidmətlər" in page
    assert re.search(r'<a href="/services">Bütün xidmətlər</a>', page)


def test_catalogue_lists_agencies_with_their_number_of_services(client):
    page = text(client.get("/services"))
    assert MINISTRY in page
    # Four services, and how many of them this portal provides.
    assert re.search(re.escape(MINISTRY)
                     + r"</span>\s*<span class=\"count\">4 xidmət · bu portalda: 1<", page)
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


def services_list(page):
    return page.split('class="services"')[1].split("</ul>")[0]


@pytest.mark.parametrize("language, name, note", [
    ("az", "Sürücülük vəsiqəsi barədə məlumat", "başqa saytda: mia.gov.az (portaldan çıxırsınız)"),
    ("en", "Information on the driving licence",
     "on another site: mia.gov.az (you leave this portal)"),
    ("ru", "Сведения о водительском удостоверении",
     "на другом сайте: mia.gov.az (вы покидаете портал)"),
])
def test_a_service_offered_elsewhere_links_there_and_says_it_leaves_the_portal(
        client, language, name, note):
    services = services_list(text(client.get(f"/services/din?lang={language}")))
    link = re.search(r'<a class="external" href="https://mia.gov.az/" rel="external noopener"\s+'
                     r'aria-describedby="offered-din-surucu-vesiqesi">([^<]+)</a>\s*'
                     r'<small class="note" id="offered-din-surucu-vesiqesi">([^<]+)</small>',
                     services)
    assert link.groups() == (name, note)
    assert "data-hx-" not in services  # a plain link to another site, never swapped in place
    assert services.count('class="external"') == 3


def test_every_service_not_provided_here_names_an_https_site(client):
    page = text(client.get("/services/nrytn"))
    assert re.findall(r'href="(https://[^"]+)"', services_list(page)) == [
        "https://mincom.gov.az/", "https://www.azerpost.az/", "https://mincom.gov.az/"]
    assert "başqa saytda: azerpost.az (portaldan çıxırsınız)" in page  # no «www.»
    elsewhere = Service.select().where(Service.endpoint.is_null())
    assert elsewhere.count() == 19
    assert all(service.offered_at.startswith("https://") for service in elsewhere)
    assert Service.get(Service.endpoint == "calls.report").offered_at is None


def catalogue_with(tmp_path, slug, offered_at):
    """The shipped catalogue with one service's offered_at replaced, loaded."""
    rows = (Path(DATA_DIR) / "catalogue.csv").read_text(encoding="utf-8").splitlines()
    changed = [re.sub(r",[^,]*$", "," + offered_at, row) if f",{slug}," in row else row
               for row in rows]
    assert changed != rows
    (tmp_path / "catalogue.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    load_catalogue(tmp_path)


@pytest.mark.parametrize("language, note", [
    ("az", "bu portalda təqdim edilmir"), ("ru", "услуга не предоставляется на этом портале")])
def test_a_service_with_no_site_is_named_without_a_link(client, tmp_path, language, note):
    """Said in Russian so that it agrees with every name (Сведения…, Справка…)."""
    catalogue_with(tmp_path, "surucu-vesiqesi", "")
    services = services_list(text(client.get(f"/services/din?lang={language}")))
    assert re.search(r'<span class="unavailable">[^<]+</span>\s*<small class="note">'
                     + note + "</small>", services)
    assert services.count("<a ") == 2  # the other two still link to mia.gov.az


@pytest.mark.parametrize("offered_at", [
    "javascript:alert(1)", "http://mia.gov.az/", "https://user:pw@evil.example/",
    "//mia.gov.az/", "https://mia.gov.az/\u202e", "https://[mia.gov.az/", "mia.gov.az",
    "https://mia.gov.az/" + "a" * 200])
def test_an_offered_at_that_is_not_an_https_site_is_refused_naming_the_line(
        app, tmp_path, offered_at):
    with pytest.raises(CatalogueError, match=r"^catalogue.csv line 2: offered_at must be an "
                                             r"https:// address"):
        catalogue_with(tmp_path, "surucu-vesiqesi", offered_at)
    assert Service.get(slug="surucu-vesiqesi").offered_at == "https://mia.gov.az/"  # unchanged
    app.config["DATA_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "catalogue.csv line 2: offered_at must be" in result.output


def test_a_database_made_before_offered_at_gets_the_column(db):
    from playhouse.migrate import SchemaMigrator, migrate

    with database.connection_context():
        migrate(SchemaMigrator.from_database(database).drop_column("service", "offered_at"))
    create_tables()
    with database.connection_context():
        columns = {column.name for column in database.get_columns("service")}
        assert "offered_at" in columns
        load_catalogue(DATA_DIR)
    assert Service.get(slug="surucu-vesiqesi").offered_at == "https://mia.gov.az/"


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
    items = re.findall(r"<li>(.*?)</li>", nav, re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


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
    for path, last in (("/calls/manual", ["İstifadə Təlimatı"]),
                       ("/calls/video", ["Video təlimat"]),
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
