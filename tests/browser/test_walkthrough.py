"""The manual's steps, walked in the browser: the pictures of the manual and the video.

Run as part of the suite, it checks that each step of egov/manual_steps.py still works on
our pages, and that the pictures show today's pages: each step's visible text (digits and
month names left out, since the demo's dates move) must match the digest recorded when
the pictures were taken (egov/static/guide/digests.json). With GUIDE_DIR set
(`make guide`), it saves a 1000×700 picture of each step there, and the digests;
`make video` assembles the pictures into the video guide.

The pictures show 1250×875 CSS pixels at a device scale of 0.8, so that each step's
whole subject (the four sign-in cards with their headings, the table down to its three
summary rows) is in the frame.
"""
import hashlib
import json
import os
import re
from pathlib import Path

from egov.manual_steps import DIGESTS, STEPS

SERVICE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"
MINISTRY = "Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi"
STATIC = Path(__file__).resolve().parents[2] / "egov" / "static"
MONTHS = ("yanvar|fevral|mart|aprel|may|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr")
RETAKE = "the pages changed since the manual's pictures were taken: run `make guide video`"


def visible_text_digest(page):
    """What the step's page says, without what moves with the demo's month and clock."""
    words = page.evaluate("document.body.innerText")
    words = re.sub(MONTHS, "<month>", re.sub(r"\d+", "#", words))
    return hashlib.sha256(" ".join(words.split()).encode()).hexdigest()[:16]


def test_the_manuals_steps_work_and_give_their_pictures(browser, live_server):
    out = Path(os.environ["GUIDE_DIR"]) if os.environ.get("GUIDE_DIR") else None
    context = browser.new_context(base_url=live_server, locale="az-AZ",
                                  timezone_id="Asia/Baku",
                                  viewport={"width": 1250, "height": 875},
                                  device_scale_factor=0.8)
    context.set_default_timeout(20_000)
    page = context.new_page()
    digests = {}

    def picture(key, top):
        """The step's subject at the top of the frame (`top`: a locator, or None)."""
        if top is not None:
            top.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top"
                         " + window.scrollY - 8)")
        digests[key] = visible_text_digest(page)
        if out:
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / f"{key}.png"))

    page.goto("/")
    page.get_by_role("link", name="Giriş").click()
    password_card = page.locator("#means-password")
    password_card.get_by_label("İstifadəçi adı").fill("aysel")
    password_card.get_by_label("Şifrə").fill("aysel-demo-1")
    picture("1-giris", page.get_by_role("heading", name="Portala giriş"))

    password_card.get_by_role("button", name="Daxil ol").click()
    page.get_by_role("heading", name="Bütün xidmətlər").wait_for()
    menu = page.get_by_role("navigation", name="Əsas menyu").locator("summary")
    menu.click()  # «E-xidmətlər» open on «Bütün xidmətlər», over the catalogue it leads to
    picture("2-butun-xidmetler", None)
    menu.click()

    page.get_by_role("link", name=MINISTRY).click()
    page.get_by_role("link", name=SERVICE).wait_for()
    picture("3-nazirlik", None)

    page.get_by_role("link", name=SERVICE).click()
    page.get_by_text("Bildiriş!").wait_for()
    page.get_by_role("table").wait_for()
    picture("4-hesabat", page.locator(".toolbar"))

    page.get_by_role("link", name="Reklamasiya").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_label("Etirazınızın səbəbi").fill("Bu zəngi mən etməmişəm.")
    picture("5-reklamasiya", page.locator(".claim-form"))  # not sent: other tests share the month

    page.goto("/calls")
    page.get_by_role("link", name="Əks əlaqə").click()
    page.get_by_label("4").check()
    page.get_by_label("Fikriniz").fill("Hər şey aydındır, təşəkkürlər.")
    picture("6-eks-elaqe", page.locator(".toolbar"))
    context.close()

    assert list(digests) == [step.key for step in STEPS]
    recorded = STATIC / DIGESTS
    if out:
        (out / Path(DIGESTS).name).write_text(json.dumps(digests, indent=2) + "\n")
    else:
        assert recorded.exists(), RETAKE
        stale = [key for key, digest in json.loads(recorded.read_text()).items()
                 if digests.get(key) != digest]
        assert not stale, f"{RETAKE} (steps {', '.join(stale)})"
