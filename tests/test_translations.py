"""The catalogues: every Azerbaijani text of the service has its English and Russian.

Read from the .po files in git (not the compiled .mo), against a fresh extraction of the
code, so a new _() without translations fails here with its text."""
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from tests.support.paths import CATALOGUES, ROOT
LANGUAGES = ("en", "ru")


def catalogue(language):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every msgid in the code and templates today, as `make translations` extracts them."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "N_",
                    "-o", str(pot), "."],
                   cwd=ROOT, check=True)
    with open(pot, "rb") as handle:
        return [message for message in read_po(handle) if message.id]


def _name(msgid):
    return msgid[0] if isinstance(msgid, tuple) else msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_has_a_translation(extracted, language):
    translations = catalogue(language)
    missing = []
    for message in extracted:
        found = translations.get(message.id)
        strings = found and (found.string if isinstance(found.string, tuple)
                             else (found.string,))
        if not found or not all(strings) or found.fuzzy:
            missing.append(_name(message.id))
    assert not missing, (f"{len(missing)} text(s) without a {language} translation "
                         f"(run `make translations`, then translate): {missing}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    """A translation that drops or renames %(name)s would fail at run time."""
    import re
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(placeholder.findall(ids[-1]))
        if any(set(placeholder.findall(s)) != expected for s in strings):
            wrong.append(_name(message.id))
    assert not wrong


def test_russian_plurals_have_three_forms():
    russian = catalogue("ru")
    assert russian.num_plurals == 3
    services = russian.get(("%(num)d xidmət", "%(num)d xidmət"))
    assert services.string == ("%(num)d услуга", "%(num)d услуги", "%(num)d услуг")


def test_compiled_catalogues_are_not_in_git():
    tracked = subprocess.run(["git", "ls-files", "egov/translations"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    assert [path for path in tracked if path.endswith(".mo")] == []
