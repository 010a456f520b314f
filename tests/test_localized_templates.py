"""Templates compiled once per language with their fixed texts translated
(egov/localized_templates.py): each language reads its own words, whatever was asked
before it; values in a text are still escaped; only the portal's languages are compiled."""
import pytest
from jinja2 import TemplateSyntaxError

from egov.localized_templates import LocalizedEnvironment

PORTAL_NAMES = {"az": "Elektron Hökumət Portalı", "en": "Electronic Government Portal",
                   "ru": "Портал электронного правительства"}


def test_each_language_reads_its_own_fixed_texts_whatever_was_asked_before(client):
    """One app, one process: the page compiled in English is not served to the Russian
    request after it, nor the Russian one to Azerbaijani."""
    for language in ("en", "ru", "az", "en", "az"):
        page = client.get(f"/services?lang={language}").get_data(as_text=True)
        others = [name for code, name in PORTAL_NAMES.items() if code != language]
        assert f"<span>{PORTAL_NAMES[language]}</span>" in page  # the header's, a fixed text
        assert not any(name in page for name in others)


def test_a_fixed_text_is_written_into_the_compiled_template(app):
    """No call left to make at render time: the translation is the template's own text."""
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        code = app.jinja_env.compile('<th>{{ _("Tarix") }}</th>', raw=True)
    assert "<th>Date</th>" in code
    assert "context.call" not in code


def test_a_fixed_text_with_values_is_translated_and_its_values_escaped(app):
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        template = app.jinja_env.from_string(
            '{{ _("%(month)s ayında bu nömrədən şəhərlərarası və ya beynəlxalq danışıq '
            'aparılmayıb.", month=month) }}')
        assert template.render(month="<b>May</b>") == (
            "No intercity or international calls were made from this number in "
            "&lt;b&gt;May&lt;/b&gt;.")


@pytest.mark.parametrize("source, expected", [
    ('{{ _("50%% endirim") }}', "50% endirim"),  # «%%» reads «%», as with _() itself
    ('{{ _(label) }}', "Date"),  # a text known only at render time: _() at render time
    ('{{ _("Tarix") | upper }}', "DATE"),
    # Joined with a constant: the translation stays markup, its apostrophe unescaped.
    ('{{ _("Ayın bütün zəngləri üzrə yekun") ~ " —" }}', "Totals for all the month's calls —"),
])
def test_texts_read_as_the_templates_gettext_would_give_them(app, source, expected):
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        assert app.jinja_env.from_string(source).render(label="Tarix") == expected


def test_outside_an_app_nothing_is_translated(app):
    """Babel's extraction, or a template compiled by a tool: the _() calls stay."""
    code = app.jinja_env.compile('{{ _("Tarix") }}', raw=True)
    assert "'Tarix'" in code and "context.call" in code


def test_a_client_cannot_make_the_portal_compile_a_fourth_language(client, app):
    for hostile in ("xx", "../../etc/passwd", "en-US", "EN", "ru_RU", "%00", "az" * 200):
        # A NUL is refused outright (400, egov.security); the others are read as no choice.
        assert client.get(f"/services?lang={hostile}").status_code == (
            400 if hostile == "%00" else 200)
        assert client.get("/services", headers={"Accept-Language": f"{hostile};q=1"}
                          ).status_code == 200
    client.set_cookie("lang", "zz")
    assert client.get("/services").status_code == 200
    assert app.jinja_env.compiled_languages() <= {"az", "en", "ru"}
    assert "az" in app.jinja_env.compiled_languages()


def test_each_template_is_compiled_once_per_language(client, monkeypatch):
    compiled = []
    compile_ = LocalizedEnvironment.compile
    monkeypatch.setattr(LocalizedEnvironment, "compile",
                        lambda self, source, name=None, *args, **kwargs:
                        compiled.append(name) or compile_(self, source, name, *args, **kwargs))
    for language in ("en", "ru", "en", "ru", "en"):
        assert client.get(f"/services?lang={language}").status_code == 200
    assert compiled.count("portal/catalogue.html") == 2  # once in English, once in Russian
    assert compiled.count("base.html") == 2


def test_a_template_with_values_passed_whole_is_left_to_gettext(app):
    """`_("…", **values)`: which names it fills is known only at render time."""
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        template = app.jinja_env.from_string('{{ _("%(n)s saniyə", **values) }}')
        assert template.render(values={"n": 3}) == "3 seconds"


def test_errors_name_the_template_and_its_line(app):
    """A template's syntax error, and an error while it renders a text, still say where."""
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        with pytest.raises(TemplateSyntaxError) as syntax:
            app.jinja_env.compile("\n{% if %}", name="broken.html", filename="/t/broken.html")
        assert (syntax.value.name, syntax.value.filename, syntax.value.lineno) \
            == ("broken.html", "/t/broken.html", 2)
        code = app.jinja_env.compile('{{ _("Tarix") }}', name="fine.html", filename="/t/f.html")
        assert code.co_filename == "/t/f.html"
        assert "name = 'fine.html'" in app.jinja_env.compile(
            '{{ _("Tarix") }}', name="fine.html", raw=True)
        template = app.jinja_env.from_string('\n\n{{ _("%(n)d saniyə", n="three") }}')
        with pytest.raises(ValueError) as formatting:
            template.render()
        lines = [entry.lineno + 1 for entry in formatting.traceback
                 if str(entry.path) == "<template>"]
        assert lines == [3]


def test_two_people_in_two_languages_at_once_each_read_their_own(app):
    """gunicorn's threads serve an English and a Russian citizen side by side: each
    template is looked up in the cache of its own request's language, never of the other
    thread's, even while the two caches are first filled."""
    import threading

    failures, start = [], threading.Barrier(2)

    def person(language):
        client = app.test_client()
        others = [name for code, name in PORTAL_NAMES.items() if code != language]
        start.wait()
        for _ in range(15):
            page = client.get(f"/services?lang={language}").get_data(as_text=True)
            if PORTAL_NAMES[language] not in page or any(name in page for name in others):
                failures.append(language)

    people = [threading.Thread(target=person, args=(code,)) for code in ("en", "ru")]
    for one in people:
        one.start()
    for one in people:
        one.join()
    assert failures == []
    assert app.jinja_env.compiled_languages() == {"en", "ru"}


def test_a_templates_own_globals_overlay_the_apps_and_stay_its_own(app):
    """Each template holds the app's globals in one plain dict (a `{% from … import %}`
    compares them at every import): what one template is given is its own."""
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        own = app.jinja_env.from_string(
            "{{ calls_service is defined }} {{ x }}", globals={"x": "its own"})
        assert own.render() == "True its own"
        assert app.jinja_env.from_string("{{ x is defined }}").render() == "False"
    assert "x" not in app.jinja_env.globals


def test_templates_compiled_before_the_workers_fork_serve_every_language(app, client,
                                                                       monkeypatch):
    from egov.localized_templates import compile_every_template

    compile_every_template(app, ("az", "en", "ru"))
    assert app.jinja_env.compiled_languages() == {"az", "en", "ru"}
    compiled = []
    compile_ = LocalizedEnvironment.compile
    monkeypatch.setattr(LocalizedEnvironment, "compile",
                        lambda self, source, name=None, *args, **kwargs:
                        compiled.append(name) or compile_(self, source, name, *args, **kwargs))
    for language in ("ru", "en", "az"):
        page = client.get(f"/services?lang={language}")
        assert PORTAL_NAMES[language] in page.get_data(as_text=True)
    assert client.get("/nothing-here?lang=ru").status_code == 404
    assert compiled == []
