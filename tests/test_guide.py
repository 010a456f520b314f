"""İstifadə Təlimatı and Video təlimat: our own pages in pictures, a video that waits for play."""
import re
from pathlib import Path

from flask import url_for

from egov.manual_steps import POSTER, STEPS, VIDEO, captions_vtt, timeline

from .support.pages import HTMX, text

STATIC = Path(__file__).resolve().parent.parent / "egov" / "static"


def static_url(app, name):
    """The address pages give a static file: its content-hashed copy once built."""
    with app.test_request_context():
        return url_for("static", filename=name)


def test_the_manual_shows_every_step_with_its_picture_and_real_alt_text(app, client):
    page = text(client.get("/calls/manual"))
    images = re.findall(r'<img src="(/static/guide/[^"]+)" alt="([^"]*)"', page)
    assert [src for src, _ in images] == [static_url(app, step.picture) for step in STEPS]
    for (src, alt), step in zip(images, STEPS):
        assert len(alt) > 40 and alt == str(step.alt)
        assert (STATIC / step.picture).stat().st_size < 150_000  # small pictures for slow links
    for step in STEPS:
        assert str(step.title) in page
    assert page.count("<h2>Addım") == len(STEPS)


def test_the_manual_opens_in_place_and_without_signing_in(client):
    fragment = text(client.get("/calls/manual", headers={**HTMX, "HX-Target": "main"}))
    assert "<html" not in fragment and "<title>" in fragment and "Addım 1" in fragment


def test_the_video_costs_nothing_until_play(app, client):
    page = text(client.get("/calls/video"))
    video = re.search(r"<video[^>]*>", page).group(0)
    assert 'preload="none"' in video and f'poster="{static_url(app, POSTER)}"' in video
    assert "autoplay" not in video
    assert f'<a href="{static_url(app, VIDEO)}" download>' in page
    assert '<track kind="captions" srclang="az"' in page
    assert (STATIC / VIDEO).stat().st_size < 2_000_000
    assert (STATIC / POSTER).stat().st_size < 80_000


def test_captions_are_webvtt_in_azerbaijani_timed_like_the_video(client):
    response = client.get("/calls/video/captions.vtt")
    assert response.mimetype == "text/vtt"
    body = text(response)
    assert body == captions_vtt() and body.startswith("WEBVTT\n\n")
    # One short line each, so that a caption (on by default) does not cover the page shown.
    cues = re.findall(r"(\d\d:\d\d:\d\d\.000) --> (\d\d:\d\d:\d\d\.000)\n(.+)\n", body)
    assert [title for _, _, title in cues] == [str(step.title) for step in STEPS]
    assert all(len(block.split("\n")) == 2 for block in body.strip().split("\n\n")[1:])
    assert all(len(title) <= 40 for _, _, title in cues)
    assert cues[0][0] == "00:00:00.000"
    last_end = list(timeline())[-1][2]
    assert cues[-1][1] == f"00:{last_end // 60:02d}:{last_end % 60:02d}.000"
