"""The manual's journey in each of the portal's languages, with JavaScript and without it:
chosen with the header's AZ · EN · RU switch, followed with that language's words,
switched on the report (same page, same line, still signed in), and left with «Çıxış»,
after which the kiosk's next person gets the default language again."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import _page
from .manual import AYSEL, AYSEL_FIRST_LINE, AYSEL_SECOND_LINE, path_of


def all_violations(page):
    """Every axe-core violation, whatever its impact: in a translated page nothing is minor."""
    from axe_playwright_python.sync_playwright import Axe

    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in Axe().run(page).response["violations"]]

WORDS = {
    "az": dict(
        switch="Azərbaycanca", sign_in="Giriş", sign_in_heading="Portala giriş",
        password_means="istifadəçi adı və şifrə", user="İstifadəçi adı", password="Şifrə",
        submit="Daxil ol", menu="Əsas menyu", e_services="E-xidmətlər",
        all_services="Bütün xidmətlər",
        ministry="Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi",
        services_of="{} xidmətləri",
        service="Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat",
        toolbar="Xidmətin alətləri",
        tools=["Əks əlaqə", "Video təlimat", "İstifadə Təlimatı", "Reklamasiya"],
        usage="İstifadə sayı", notice="Bildiriş!", phone="Telefon",
        columns=["#", "Tarix", "Vaxt", "Müddət (saniyə)", "Nömrə", "Məbləğ (AZN)", "Ödəniş*"],
        # The tests' clock is DEMO_NOW: December 2026, picture 5 to the minute.
        caption="dekabr 2026 ayında aparılmış şəhərlərarası və beynəlxalq danışıqlar",
        summary=["Ayın bütün zəngləri üzrə yekun", "Şəhərlərarası", "Beynəlxalq", "Ödənilməyib",
                 "Ödənilib", "Cəmi"],
        amounts=["0,35", "0,45", "0,80", "0,00", "0,80"],
        line_label="Telefon nömrəsi", show="Göstər", sign_out="Çıxış"),
    "en": dict(
        switch="English", sign_in="Sign in", sign_in_heading="Sign in to the portal",
        password_means="user name and password", user="User name", password="Password",
        submit="Sign in", menu="Main menu", e_services="E-services", all_services="All services",
        ministry="Ministry of Transport, Communications and High Technologies",
        services_of="{}: services",
        service="Information on intercity and international calls made during the current month",
        toolbar="Service tools", tools=["Feedback", "Video guide", "User manual", "Claim"],
        usage="Times used", notice="Notice!", phone="Telephone",
        columns=["#", "Date", "Time", "Duration (seconds)", "Number", "Amount (AZN)",
                 "Payment*"],
        caption="Intercity and international calls made in December 2026",
        summary=["Totals for all the month's calls", "Intercity", "International", "Not paid",
                 "Paid", "Total"],
        amounts=["0.35", "0.45", "0.80", "0.00", "0.80"],
        line_label="Telephone number", show="Show", sign_out="Sign out"),
    "ru": dict(
        switch="Русский", sign_in="Вход", sign_in_heading="Вход на портал",
        password_means="имя пользователя и пароль", user="Имя пользователя", password="Пароль",
        submit="Войти", menu="Главное меню", e_services="Электронные услуги",
        all_services="Все услуги",
        ministry="Министерство транспорта, связи и высоких технологий",
        services_of="{}: услуги",
        service="Сведения о междугородных и международных разговорах за текущий месяц",
        toolbar="Инструменты услуги",
        tools=["Обратная связь", "Видеоинструкция", "Руководство пользователя", "Претензия"],
        usage="Количество использований", notice="Уведомление!", phone="Телефон",
        columns=["№", "Дата", "Время", "Продолжительность (секунды)", "Номер", "Сумма (AZN)",
                 "Оплата*"],
        caption="Междугородные и международные разговоры за декабрь 2026",
        summary=["Итоги по всем звонкам месяца", "Междугородные", "Международные",
                 "Не оплачено", "Оплачено", "Всего"],
        amounts=["0,35", "0,45", "0,80", "0,00", "0,80"],
        line_label="Номер телефона", show="Показать", sign_out="Выход"),
}


@pytest.fixture(autouse=True)
def aysel_back_in_azerbaijani(browser, live_server, signed_in):
    """Aysel's account remembers the last language she chose, and the other browser tests
    sign her in expecting Azerbaijani: each test here leaves her account as it found it."""
    yield
    with _page(browser, live_server, javascript=False) as page:
        signed_in(page, AYSEL)
        page.goto("/services?lang=az")
        expect(page.locator("html")).to_have_attribute("lang", "az")


def switch_to(page, language):
    """The header's switch: a plain link, so a whole page either way."""
    with page.expect_navigation():
        page.get_by_role("navigation", name=re.compile("^(Dil|Language|Язык)$")) \
            .get_by_role("link", name=WORDS[language]["switch"]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def journey(page, language):
    words = WORDS[language]
    page.goto("/")
    switch_to(page, language)
    # Sign in, with that language's words.
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("link", name=words["sign_in"], exact=True).click()
    page.get_by_role("heading", name=words["sign_in_heading"], level=1).wait_for()
    card = page.locator(".means-card").filter(
        has=page.get_by_role("heading", name=words["password_means"], exact=True))
    card.get_by_label(words["user"], exact=True).fill(AYSEL[0])
    card.get_by_label(words["password"], exact=True).fill(AYSEL[1])
    with page.expect_navigation():
        card.get_by_role("button", name=words["submit"]).click()
    # The catalogue, the ministry, the service.
    nav = page.get_by_role("navigation", name=words["menu"])
    nav.locator("summary", has_text=words["e_services"]).click()
    with page.expect_navigation():
        nav.get_by_role("link", name=words["all_services"]).click()
    page.get_by_role("heading", name=words["all_services"], level=1).wait_for()
    page.get_by_role("link", name=re.compile("^" + re.escape(words["ministry"]))).click()
    services = page.get_by_role("list", name=words["services_of"].format(words["ministry"]))
    services.get_by_role("link", name=words["service"]).click()
    page.get_by_role("heading", name=words["service"], level=1).wait_for()
    # The report and its toolbar.
    toolbar = page.get_by_role("navigation", name=words["toolbar"])
    for label in words["tools"]:
        assert toolbar.get_by_role("link", name=label, exact=True).is_visible()
    assert re.fullmatch(re.escape(words["usage"]) + r": \d+",
                        toolbar.locator(".usage").inner_text())
    assert page.get_by_role("note").inner_text().startswith(words["notice"])
    assert page.locator("#call-report .phone").inner_text() == \
        f"{words['phone']}: {AYSEL_FIRST_LINE}"
    assert page.locator("#calls-caption").inner_text() == words["caption"]
    table = page.locator("table.calls")
    assert [c.strip() for c in table.locator("thead th").all_inner_texts()] == words["columns"]
    summary = table.locator("tfoot")
    assert [c.strip() for c in summary.locator("th").all_inner_texts()] == words["summary"]
    assert [c.strip() for c in summary.locator("td.num").all_inner_texts()] == words["amounts"]
    return words


def choose_second_line(page, words):
    page.get_by_label(words["line_label"]).select_option(label=AYSEL_SECOND_LINE)
    if not page.javascript:
        page.get_by_role("button", name=words["show"]).click()
    page.locator("#call-report .phone").filter(has_text=AYSEL_SECOND_LINE).wait_for()


@pytest.mark.parametrize("language", ["az", "en", "ru"])
def test_the_manuals_journey_in_each_language(any_page, language):
    page = any_page
    words = journey(page, language)
    choose_second_line(page, words)
    # Switching language on the report: the same page, the same line, still signed in.
    other = "ru" if language != "ru" else "en"
    switch_to(page, other)
    assert path_of(page).startswith("/calls?line=0183456789")
    assert page.locator("#call-report .phone").inner_text() == \
        f"{WORDS[other]['phone']}: {AYSEL_SECOND_LINE}"
    assert page.locator(".who").inner_text() == "Aysel Məmmədova"
    # «Çıxış»: the kiosk's next person starts in the default language (the browser's az).
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("button", name=WORDS[other]["sign_out"]).click()
    expect(page.locator("html")).to_have_attribute("lang", "az")
    page.goto("/services")
    expect(page.locator("html")).to_have_attribute("lang", "az")
    assert page.get_by_role("heading", name="Bütün xidmətlər", level=1).is_visible()


@pytest.mark.parametrize("language", ["az", "en", "ru"])
def test_every_language_passes_axe(page, signed_in, language):
    """axe-core on the sign-in page, the open catalogue and the report, in each language
    (the lang attributes included: the switch's options carry their own)."""
    page.goto(f"/auth/login?lang={language}")
    found = {"sign-in": all_violations(page)}
    page.goto(f"/services/nrytn?lang={language}")
    found["catalogue"] = all_violations(page)
    signed_in(page, AYSEL)
    page.goto(f"/calls?lang={language}")
    found["report"] = all_violations(page)
    assert found == {"sign-in": [], "catalogue": [], "report": []}
