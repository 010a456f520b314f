"""The addresses every page names are built once per app and mount point
(egov/fixed_urls.py): still right under each SCRIPT_NAME."""
import re


def links(page):
    """The page's own addresses (the hreflang alternates are PUBLIC_URL's, absolute)."""
    return re.findall(r'(?:href|src|action)="(/[^"?#]*)', page)


def test_a_portal_mounted_under_a_prefix_names_its_pages_under_it_turn_by_turn(client):
    """One process may serve the portal at / and, through a proxy's SCRIPT_NAME, under
    /egov: each page names the addresses of its own mount point, whichever came first."""
    for script_name in ("/egov", "", "/egov"):
        page = client.get("/", environ_overrides={"SCRIPT_NAME": script_name}).get_data(
            as_text=True)
        assert f'<a class="brand" href="{script_name}/">' in page
        assert f'<li><a href="{script_name}/services">' in page
        assert re.search(rf'<link rel="stylesheet" href="{script_name}/static/css/'
                         r'portal-[0-9a-f]{32}\.css"', page)
        others = [url for url in links(page) if not url.startswith(script_name + "/")]
        assert others == []

