"""The manual's steps, walked in the browser: the pictures of the manual and the video.

Run as part of the suite, it checks that each step of egov/guide.py still works on
our pages. With GUIDE_DIR set (`make guide`), it also saves a 1000×700 picture of
each step there; `make video` assembles those pictures into the video guide.
"""
import os
from pathlib import Path

from egov.manual_steps import STEPS

SERVICE = "Cari ay ərzində aparılmış şəhərlərarası və beynəlxalq danışıqlar üzrə məlumat"
MINISTRY = "Nəqliyyat, Rabitə və Yüksək Texnologiyalar Nazirliyi"
VIEWPORT = {"width": 1000, "height": 700}


def test_the_manuals_steps_work_and_give_their_pictures(page):
    out = Path(os.environ["GUIDE_DIR"]) if os.environ.get("GUIDE_DIR") else None
    shot = []

    def picture(key):
        shot.append(key)
        if out:
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / f"{key}.png"))

    page.set_viewport_size(VIEWPORT)
    page.goto("/")
    page.get_by_role("link", name="Giriş").click()
    password_card = page.locator("#means-password")
    password_card.get_by_label("İstifadəçi adı").fill("aysel")
    password_card.get_by_label("Şifrə").fill("aysel-demo-1")
    password_card.scroll_into_view_if_needed()
    picture("1-giris")

    password_card.get_by_role("button", name="Daxil ol").click()
    page.get_by_role("heading", name="Bütün xidmətlər").wait_for()
    picture("2-butun-xidmetler")

    page.get_by_role("link", name=MINISTRY).click()
    page.get_by_role("link", name=SERVICE).wait_for()
    picture("3-nazirlik")

    page.get_by_role("link", name=SERVICE).click()
    page.get_by_text("Bildiriş!").wait_for()
    page.get_by_role("table").wait_for()
    picture("4-hesabat")

    page.get_by_role("link", name="Reklamasiya").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_label("Etirazınızın səbəbi").fill("Bu zəngi mən etməmişəm.")
    page.get_by_label("Etirazınızın səbəbi").scroll_into_view_if_needed()
    picture("5-reklamasiya")  # not sent: the other browser tests share this demo month

    page.goto("/calls")
    page.get_by_role("link", name="Əks əlaqə").click()
    page.get_by_label("4").check()
    page.get_by_label("Fikriniz").fill("Hər şey aydındır, təşəkkürlər.")
    page.get_by_role("button", name="Göndər").scroll_into_view_if_needed()
    picture("6-eks-elaqe")

    assert shot == [step.key for step in STEPS]
