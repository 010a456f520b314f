"""Templates compiled once per language, with their fixed texts already translated.

Most of a page's words are fixed: `{{ _("Tarix") }}` reads the same on every view in a
language, yet Jinja calls `_()` for it at every render (82 calls on a report, each a
call through Jinja's context and a catalogue look-up). The portal's templates are
compiled once per language instead, each `_("a fixed text")` replaced by its translation
as markup (what `_()` gives in an autoescaped template), which Jinja then writes into the
template's own text. A fixed text with values, `_("%(month)s ayında…", month=…)`, becomes
its translation formatted at render time, the values escaped as `_()` escapes them. A
text known only at render time (`_(label)`) is still translated by `_()` itself.

The language is the request's (egov.locales.page_locale), when the template is first
asked for in it; each language keeps its own compiled templates (Jinja's cache, one per
language), so a page never mixes two. Outside an app (Babel's extraction, say) nothing
is translated.
"""
from flask import has_app_context
from flask.templating import Environment
from flask_babel import force_locale
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from .locales import catalogue, page_locale

# The templates' names for the page's gettext (egov.i18n.install).
GETTEXT_NAMES = ("_", "gettext")


def _fixed_text(call):
    """The text of `_("a fixed text", name=value…)`, or None for any other call."""
    if not (isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_NAMES):
        return None
    if len(call.args) != 1 or call.dyn_args is not None or call.dyn_kwargs is not None:
        return None
    text = call.args[0]
    return text.value if isinstance(text, nodes.Const) and isinstance(text.value, str) else None


class _TranslateFixedTexts(NodeTransformer):
    def __init__(self, translations):
        self.translations = translations

    def visit_Concat(self, node):
        """`_("…") ~ "…"` is left to _() at render time: Jinja would join the constants at
        compile time as plain text and escape the translation, which _() marks safe."""
        return node

    def visit_Call(self, node):
        node = self.generic_visit(node)
        text = _fixed_text(node)
        if text is None:
            return node
        translated = nodes.MarkSafeIfAutoescape(
            nodes.Const(self.translations.ugettext(text), lineno=node.lineno),
            lineno=node.lineno)
        if not node.kwargs and "%" not in translated.expr.value:
            return translated
        # As _() does: «%(name)s» filled with escaped values; a «%%» reads «%».
        values = nodes.Dict([nodes.Pair(nodes.Const(kw.key), kw.value, lineno=node.lineno)
                             for kw in node.kwargs], lineno=node.lineno)
        return nodes.Mod(translated, values, lineno=node.lineno)


# (the Locale last asked about, its name): one tuple, read and replaced whole, so that
# gunicorn's threads, each in its own language, never pair one's Locale with another's name.
_last_key = (None, None)


def _language_key():
    global _last_key
    locale = page_locale()
    if locale is None:
        return None
    # A page asks for a template at every include and import (some forty a report), in
    # one locale: its name, which Babel assembles anew at each str(), is kept with it.
    last = _last_key
    if last[0] is locale:
        return last[1]
    key = str(locale)
    _last_key = (locale, key)
    return key


class LocalizedEnvironment(Environment):
    """Flask's template environment, with one template cache per language and the fixed
    texts translated when a template is compiled (egov.Portal uses it)."""

    # Jinja keeps compiled templates in `cache`; here it is the cache of the request's
    # language, so that a template compiled in one is never served in another.
    def _language_cache(self):
        if self._blank_cache is None:  # Jinja's caching switched off (cache_size=0)
            return None
        key = _language_key()
        cache = self._caches.get(key)
        if cache is None:  # a new, empty cache of Jinja's kind and size (LRU, 400)
            cache = self._caches.setdefault(key, self._blank_cache.copy())
        return cache

    def _set_cache(self, cache):  # Jinja's __init__ sets its cache: each language gets one
        self._blank_cache = cache
        self._caches = {}

    cache = property(_language_cache, _set_cache)

    def make_globals(self, d):
        """A template's globals as one plain dict, not Jinja's ChainMap over the
        environment's: at every `{% from … import … %}` Jinja compares the page's globals
        with the imported template's, and at every include copies them, which over a
        ChainMap is a Python loop (some 5 % of a report's rendering). The app sets its
        globals when it is made, before any template is compiled, as Jinja asks ("avoid
        modifying any globals after a template is loaded")."""
        merged = dict(self.globals)
        merged.update(d or {})
        return merged

    def compiled_languages(self):
        """The languages templates have been compiled in: the portal's three at most (the
        language is the one Flask-Babel settled, never a client's raw choice), and None
        for a template compiled outside any app."""
        return set(self._caches)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if isinstance(source, str) and has_app_context():
            source = _TranslateFixedTexts(catalogue()).visit(self.parse(source, name, filename))
        return super().compile(source, name, filename, raw, defer_init)


def compile_every_template(app, languages):
    """Every template of `app` compiled now in each of `languages`, as a request in that
    language would compile it. gunicorn's master calls it before it forks its workers
    (deploy/gunicorn.conf.py): the workers then share the compiled templates instead of
    each compiling its own copy, and no citizen's first page in a language waits for it
    (a report's first view in Russian took 64 ms, the next 3 ms; the workers' private
    memory fell by 4 MB each, docs/performance.md)."""
    with app.test_request_context():
        for language in languages:
            with force_locale(language):
                for name in app.jinja_env.list_templates():
                    app.jinja_env.get_template(name)
