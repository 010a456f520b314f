"""The app as the benches ask it in process: Aysel signed in through the real form."""
import re

from egov import create_app
from egov.demo import AYSEL


def anonymous_client(database_url):
    """A test client of an app on `database_url`, no one signed in (as `make bench` asks
    /healthz and the home page)."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    return app.test_client()


def signed_in_client(database_url):
    """A test client of an app on `database_url`, Aysel signed in with her password and
    her first report seen (it counts a use; the next ones are views, as in a browser)."""
    client = anonymous_client(database_url)
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/auth/login/password", data={"username": AYSEL["username"],
                                               "password": AYSEL["password"],
                                               "csrf_token": token})
    client.get("/calls")
    return client
