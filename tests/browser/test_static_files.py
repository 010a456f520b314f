"""On a slow link a repeat visit fetches nothing but the page: the static files come
from the browser's cache (hashed names, immutable), the first visit gets them compressed."""
import pytest

pytestmark = pytest.mark.browser


def test_a_repeat_visit_asks_the_server_only_for_the_page(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 400, "downloadThroughput": 50000,
        "uploadThroughput": 50000})
    asked, encodings = [], {}
    cached = set()
    cdp.on("Network.requestWillBeSent", lambda e: asked.append((e["requestId"],
                                                                 e["request"]["url"])))
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))

    def answered(event):
        response = event["response"]
        if response.get("fromDiskCache"):
            cached.add(event["requestId"])
        encodings[response["url"]] = {k.lower(): v for k, v in response["headers"].items()}

    cdp.on("Network.responseReceived", answered)
    page.goto(live_server + "/")
    page.wait_for_load_state("networkidle")
    statics = [url for _, url in asked if "/static/" in url]
    assert any(".css" in u for u in statics) and any("htmx" in u for u in statics)
    for url in statics:
        headers = encodings[url]
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        if not url.endswith(".svg"):
            assert headers.get("content-encoding") in ("br", "gzip")
    # Chromium accepts zstd: the page comes so, and the browser reads it (the test goes on).
    assert encodings[live_server + "/"].get("content-encoding") == "zstd"

    asked.clear()
    page.goto(live_server + "/services")
    page.wait_for_load_state("networkidle")
    sent = [url for request_id, url in asked if request_id not in cached]
    assert sent == [live_server + "/services"]
    context.close()
