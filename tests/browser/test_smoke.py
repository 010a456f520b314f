def test_the_portal_opens(any_page):
    any_page.goto("/")
    assert any_page.get_by_role("link", name="Giriş").is_visible()
