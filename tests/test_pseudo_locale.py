"""No visible text outside _(): every page rendered in a pseudo-locale.

The English catalogue is compiled once more with every translation wrapped in ⟦ ⟧ and
served as `en`. A page's visible text (text nodes, and the attributes people read:
alt, title, aria-label, placeholder, button values, track labels) is then taken apart:
what is left outside the markers must be data — numbers, punctuation, people's and
agencies' names, the references and numbers of the data — or the few words that are
deliberately the same in every language (the languages' own names in the switch).
A text written into a template or a view without _() stays outside the markers and
fails the test with its words.
"""
import re
from html.parser import HTMLParser

import pytest
from babel import Locale
from babel.dates import get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from egov import create_app
from egov.catalogue import load_catalogue
from egov.demo import AYSEL_FIRST_LINE, AYSEL_SECOND_LINE
from egov.devidp import people
from egov.extensions import babel
from egov.models import Claim
from tests.conftest import DATA_DIR, AuthActions, StaffActions, empty_database
from tests.support.devidp_browser import Visitor
from tests.support.live import free_port, serving_with_dev_provider
from tests.support.claims import file_claim
from tests.support.paths import CATALOGUES

OPEN, CLOSE = "⟦", "⟧"
MARKED = re.compile(f"{OPEN}[^{CLOSE}]*{CLOSE}")
# Data and punctuation: digits, signs, separators, times, amounts, phone numbers.
NOT_WORDS = re.compile(r"^[\W\d_]*$")
SAME_IN_EVERY_LANGUAGE = {"Azərbaycanca", "English", "Русский", "AZ", "EN", "RU",
                          "e",  # the portal's logo letter
                          "AZN", "PIN1", "FİN", "CSV", "PDF", "WebM", "WebVTT", "SMS"}
# Values the data writes in words: Babel's month names (the report's month), references.
DATA_PATTERNS = re.compile(r"RK-[0-9A-Z]{4}-[0-9A-Z]{5}|\b[0-9A-Z]{7}\b"
                           r"|\b[0-9a-f]{16}…")  # a challenge to sign, shown shortened


def _wrap(string):
    return OPEN + string + CLOSE if string else string


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory):
    root = tmp_path_factory.mktemp("pseudo")
    with open(CATALOGUES / "en" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="en")
    for message in catalogue:
        if message.id:
            message.string = (tuple(map(_wrap, message.string))
                              if isinstance(message.string, tuple) else _wrap(message.string))
    (root / "en" / "LC_MESSAGES").mkdir(parents=True)
    with open(root / "en" / "LC_MESSAGES" / "messages.mo", "wb") as handle:
        write_mo(handle, catalogue)
    return str(root)


class VisibleText(HTMLParser):
    READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "label")
    HIDDEN = ("script", "style")

    def __init__(self):
        super().__init__()
        self.texts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        attrs = dict(attrs)
        self.texts.extend(attrs[name] for name in self.READ_ATTRIBUTES if attrs.get(name))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data)


def _data_words():
    """Names and values that are data, not texts of ours."""
    import csv
    words = set()
    with open(f"{DATA_DIR}/catalogue.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            words.update(value for key, value in row.items() if "name" in key)
    words.update({"Aysel Məmmədova", "Rauf Əliyev", "Nigar Hüseynova", "Leyla Quliyeva",
                  "Elvin Qasımov", "Bu zəngləri etməmişəm.", "ASAN İmza", "e-gov identity"})
    words.update(person.full_name for person in people.PEOPLE)
    words.update(get_month_names("wide", "stand-alone", locale="en_GB").values())
    # The tariff plans' and destinations' names (data/plans.csv, data/destinations.csv)
    # and the countries' names, which CLDR gives (egov.telephony.destinations).
    for name in ("plans.csv", "destinations.csv"):
        with open(f"{DATA_DIR}/{name}", encoding="utf-8") as handle:
            words.update(row["name_en"] for row in csv.DictReader(handle))
    words.update(Locale.parse("en").territories.values())
    return words


def untranslated(html, data):
    leftovers = []
    parser = VisibleText()
    parser.feed(html)
    for text in parser.texts:
        rest = MARKED.sub("\0", text)
        for piece in rest.split("\0"):
            piece = piece.strip()
            for value in sorted(data, key=len, reverse=True):
                piece = piece.replace(value, " ")
            piece = DATA_PATTERNS.sub(" ", piece)
            words = [w for w in re.split(r"[\s()·:,;.!?«»—/\-]+", piece)
                     if w and not NOT_WORDS.match(w) and w not in SAME_IN_EVERY_LANGUAGE]
            if words:
                leftovers.append(piece)
    return leftovers


@pytest.fixture
def pseudo_app(app, pseudo_translations, devidp_keys):
    port = free_port()
    served = create_app({**app.config, "BABEL_TRANSLATION_DIRECTORIES": pseudo_translations,
                         "DEV_IDP": True, "DEV_IDP_URL": f"http://127.0.0.1:{port}",
                         "DEV_IDP_KEYS_DIR": devidp_keys})
    served.port = port
    empty_database()
    load_catalogue(DATA_DIR)
    # Flask-Babel keeps loaded catalogues on the one Babel object every app shares: the
    # pseudo catalogue must neither meet the real one cached nor stay behind for others.
    # (Flask-Babel makes the domain, on first use, from the current app's binding.)
    with served.app_context():
        domain = babel.domain_instance
    domain.cache.clear()
    yield served
    domain.cache.clear()


def _check(client, paths, data, headers=None):
    failures = {}
    for path in paths:
        # The home page takes no query: it keeps the choice (the cookie) and sends to "/".
        response = client.get(path + ("&" if "?" in path else "?") + "lang=en",
                              headers=headers or {}, follow_redirects=True)
        assert response.request.path == path.split("?")[0], (path, response.request.path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert f"{OPEN}" in response.get_data(as_text=True), path  # the pseudo-locale is on
        found = untranslated(response.get_data(as_text=True), data)
        if found:
            failures[path] = found
    assert not failures, f"visible text outside _(): {failures}"


def test_pages_for_everyone(pseudo_app):
    _check(pseudo_app.test_client(), [
        "/", "/services", "/services/nrytn", "/auth/login", "/auth/how-to-obtain/asan",
        "/auth/how-to-obtain/password", "/calls/manual", "/calls/video", "/staff/login",
        "/nothing-here"], _data_words())


def test_fragments_too(pseudo_app):
    client = pseudo_app.test_client()
    _check(client, ["/services"], _data_words(), {"HX-Request": "true", "HX-Target": "main"})
    _check(client, ["/services/nrytn"], _data_words(),
           {"HX-Request": "true", "HX-Target": "agency-nrytn"})


def test_a_citizens_pages(pseudo_app, db):
    from egov.demo import prepare_demo
    prepare_demo(DATA_DIR)
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0])
    client = pseudo_app.test_client()
    AuthActions(client).login()
    _check(client, [
        "/calls", f"/calls?line={AYSEL_SECOND_LINE}", f"/calls/claims/new?line={AYSEL_FIRST_LINE}",
        "/calls/claims", f"/calls/claims/{claim.reference}", "/calls/feedback"], _data_words())


def test_staff_pages(pseudo_app, db):
    from egov.demo import prepare_demo
    prepare_demo(DATA_DIR)
    claim = file_claim("aysel", AYSEL_FIRST_LINE, [0, 1])
    client = pseudo_app.test_client()
    StaffActions(client).login()
    _check(client, ["/staff/claims", f"/staff/claims/{claim.reference}", "/staff/feedback",
                    f"/staff/claims?status={Claim.RECEIVED}"], _data_words())


def test_the_identity_providers_pages(app, pseudo_app, pseudo_translations, devidp_keys, db):
    """The provider's pages, reached as a citizen reaches them (it gets ui_locales=en).

    The provider is an app of its own on its own port, as `make run` serves it; both
    apps read the pseudo catalogue."""
    from egov.demo import prepare_demo
    from egov.devidp.models import DEVIDP_MODELS
    prepare_demo(DATA_DIR)
    data = _data_words()
    config = {**app.config, "BABEL_TRANSLATION_DIRECTORIES": pseudo_translations}
    with serving_with_dev_provider(config, devidp_keys) as (portal, _provider):
        for model in DEVIDP_MODELS:  # the provider's own tables, apart from the portal's
            model.delete().execute()
        base_url = portal.base_url
        pages = []
        visitor = Visitor(base_url)
        visitor.get("/services?lang=en")
        visitor.asan_until_waiting()
        pages.append(visitor.page)
        pages.append(Visitor(base_url).get(visitor.link(
            r'href="([^"]*/asan/phone/[^"]+)"') + "?lang=en"))
        pages.append(visitor.start("eimza"))
        visitor.start("egov")
        pages.append(visitor.page)
        pages.append(visitor.submit({"username": "aysel.egov", "password": "aysel-egov-1"}))
        pages.append(Visitor(base_url).get(visitor.link(
            r'href="([^"]*/egov/sms/[^"]+)"') + "?lang=en"))
    failures = {page.url: untranslated(page.text, data) for page in pages}
    assert [page.url for page in pages if OPEN not in page.text] == []
    assert not any(failures.values()), f"visible text outside _(): {failures}"
