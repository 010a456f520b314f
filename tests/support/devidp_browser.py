"""A citizen at the development providers, as a plain HTTP browser (requests):
cookies kept, redirects followed, forms filled from the pages themselves."""
import re
from urllib.parse import urljoin

import requests

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CODE = re.compile(r'data-testid="(?:verification-code|phone-code|sms-code)">(\d+)<')


class Visitor:
    def __init__(self, base_url):
        self.base_url = base_url
        self.http = requests.Session()
        self.page = None

    def get(self, path, **kwargs):
        self.page = self.http.get(urljoin(self.base_url, path), **kwargs)
        return self.page

    def submit(self, data, action=None, **kwargs):
        """Post a form of the current page (its first form unless `action` is given)."""
        token = CSRF.search(self.page.text).group(1)
        url = urljoin(self.page.url, action) if action else self.page.url
        self.page = self.http.post(url, data={"csrf_token": token, **data}, **kwargs)
        return self.page

    def link(self, pattern):
        return urljoin(self.page.url, re.search(pattern, self.page.text).group(1))

    def code(self):
        return CODE.search(self.page.text).group(1)

    def start(self, means, next_url=None):
        """Press "Daxil ol" for `means` on the portal's sign-in page."""
        self.get("/auth/login")
        data = {"next": next_url} if next_url else {}
        return self.submit(data, action=f"/auth/oidc/{means}/start")

    def asan_until_waiting(self, mobile="+994 50 123 44 01", asan_id="100401"):
        self.start("asan")
        self.submit({"mobile": mobile, "asan_id": asan_id})
        return self.code()

    def phone(self):
        """The demo's stand-in for the phone: another browser opening the link."""
        phone = Visitor(self.base_url)
        phone.get(self.link(r'href="([^"]*/(?:asan/phone|egov/sms)/[^"]+)"'))
        return phone

    def sign_in_with_asan(self, mobile="+994 50 123 44 01", asan_id="100401", pin1="4401"):
        self.asan_until_waiting(mobile, asan_id)
        self.phone().submit({"pin1": pin1, "answer": "confirm"})
        return self.get(self.page.url)  # "Yenilə"

    def sign_in_with_eimza(self, fin="5AYSL01", pin="240401"):
        self.start("eimza")
        return self.submit({"certificate": fin, "pin": pin})

    def sign_in_with_egov(self, username="aysel.egov", password="aysel-egov-1"):
        self.start("egov")
        self.submit({"username": username, "password": password})
        code = self.phone().code()
        return self.submit({"code": code})

    def sign_out(self):
        self.get("/services")
        return self.submit({}, action="/auth/logout")


def signed_in_as(visitor):
    """Whose name the portal shows as signed in to `visitor` (None: nobody's)."""
    page = visitor.get("/services").text
    return next((name for name in ("Aysel Məmmədova", "Rauf Əliyev", "Nigar Hüseynova",
                                   "Elvin Qasımov") if f'class="who">{name}<' in page), None)
