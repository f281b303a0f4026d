"""Catalogues a translator can make: ``careleaf messages init``, notes, coverage.

``careleaf messages init LANG`` makes a new language's catalogue that Babel (and GNU
gettext, when installed) compiles, with the language's plural forms; it refuses to
overwrite one or to make one for what is not a language. A catalogue that is the
English copied (as ``msgen`` makes) is a warning naming it, in ``careleaf messages``
and in the build; an empty translation is missing. ``careleaf messages`` says how
much of the template each catalogue translates, and every message of the template
carries a note to translators.
"""

from __future__ import annotations

import gettext
import io
import json
import shutil
import string
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from careleaf.cli import main
from careleaf.i18n.messages import check_catalogue
from conftest import FIXTURES, REPO, TmpProject

MESSAGES = REPO / "layouts" / "messages"
#: The Spanish fixture leaflet, put in a French folder: its words do not matter here.
LEAFLET = (FIXTURES / "spanish/source/es/calambres.md").read_text(encoding="utf-8")
FRENCH = "layouts/messages/fr.po"


@pytest.fixture
def french(project: TmpProject, monkeypatch: pytest.MonkeyPatch) -> TmpProject:
    """A project with one French leaflet and no French catalogue; paths print relative."""
    project.write("source/fr/crampes.md", LEAFLET)
    monkeypatch.chdir(project.root)
    return project


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def template_ids() -> list[str]:
    return [str(m.id) for m in read_catalogue(MESSAGES / "careleaf.pot") if m.id]


def has_words(msgid: str) -> bool:
    """Whether ``msgid`` has a letter outside its ``{name}``s."""
    return any(char.isalpha() for text, _, _, _ in string.Formatter().parse(msgid)
               for char in text)


def copy_english(path: Path) -> None:
    """What ``msgen`` does: every translation the English message itself."""
    catalogue = read_catalogue(path)
    for message in catalogue:
        if message.id:
            message.string = message.id
    with path.open("wb") as handle:
        write_po(handle, catalogue)


def translate(path: Path, count: int) -> None:
    """Fill in the first ``count`` messages (with a word) of the catalogue at ``path``."""
    catalogue = read_catalogue(path)
    for message in [m for m in catalogue if m.id and "{" not in str(m.id)][:count]:
        message.string = f"«{message.id}»"
    with path.open("wb") as handle:
        write_po(handle, catalogue)


# --- messages init --------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "plural_forms", "plurals"), [
    ("fr", "nplurals=2; plural=(n > 1);", [0, 0, 1, 1]),
    ("pl", "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 "
           ": 2);", [2, 0, 1, 1]),
    ("zh-Hant", "nplurals=1; plural=0;", [0, 0, 0, 0])])
def test_init_makes_a_catalogue_babel_compiles(french: TmpProject, lang: str,
                                               plural_forms: str, plurals: list[int]) -> None:
    result = french.run("messages", "init", lang)
    path = french.root / f"layouts/messages/{lang}.po"
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"layouts/messages/{lang}.po: made for ")
    catalogue = read_catalogue(path)
    assert catalogue.plural_forms == plural_forms
    assert (catalogue.charset, catalogue.project) == ("utf-8", "careleaf")
    headers = dict(catalogue.mime_headers)
    assert catalogue.locale is not None
    assert (headers["Language"], headers["Language-Team"]) == (
        str(catalogue.locale), catalogue.locale.english_name)
    assert [str(m.id) for m in catalogue if m.id] == template_ids()
    assert all(m.string == "" and m.auto_comments for m in catalogue if m.id)
    mo = io.BytesIO()
    write_mo(mo, catalogue)
    mo.seek(0)
    compiled = gettext.GNUTranslations(mo)
    assert [compiled.plural(n) for n in (0, 1, 2, 3)] == plurals  # type: ignore[attr-defined]
    if shutil.which("msgfmt"):  # GNU gettext's own check, where it is installed
        checked = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                                 capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr


def test_new_catalogue_is_missing_every_message_until_translated(french: TmpProject) -> None:
    """An empty translation is missing: the build says so, and builds no French."""
    assert french.run("messages", "init", "fr").exit_code == 0
    result = french.run("build", "--no-proofs")
    assert result.exit_code == 1
    ids = sorted(template_ids(), key=lambda m: (m.casefold(), m))
    first = ", ".join(json.dumps(msgid, ensure_ascii=False) for msgid in ids[:10])
    assert result.stderr.splitlines() == [
        f"layouts/messages/fr.po: error: {len(ids)} messages have no French translation: "
        f"{first} and {len(ids) - 10} more; add them (template: layouts/messages/careleaf.pot)"]
    assert not french.output("fr", "crampes", "crampes-a4.pdf").exists()


def test_init_twice_is_an_error_and_keeps_the_catalogue(french: TmpProject) -> None:
    assert french.run("messages", "init", "fr").exit_code == 0
    translate(french.root / FRENCH, 3)
    before = (french.root / FRENCH).read_bytes()
    result = french.run("messages", "init", "fr")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "layouts/messages/fr.po: error: the French catalogue is already there: translate its "
        "empty messages (run 'careleaf messages' to see how many are left), or remove it to "
        "start again"]
    assert (french.root / FRENCH).read_bytes() == before


@pytest.mark.parametrize(("lang", "error"), [
    ("French", "'French' is not a language tag Babel knows, like fr, pt-BR or zh-Hans: name "
               "the language as its source folder does (source/<lang>/)"),
    ("qq", "'qq' is not a language tag Babel knows, like fr, pt-BR or zh-Hans: name the "
           "language as its source folder does (source/<lang>/)"),
    ("../fr", "'../fr' is not a language tag Babel knows, like fr, pt-BR or zh-Hans: name "
              "the language as its source folder does (source/<lang>/)"),
    ("en-GB", "'en-GB' is English, the language the messages are written in: it needs no "
              "catalogue")])
def test_init_refuses_what_is_not_a_language_to_translate_into(
        french: TmpProject, lang: str, error: str) -> None:
    before = sorted((french.root / "layouts/messages").iterdir())
    result = french.run("messages", "init", lang)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"layouts/messages: error: {error}"]
    assert sorted((french.root / "layouts/messages").iterdir()) == before


def test_init_takes_the_project_after_its_language_too(french: TmpProject) -> None:
    result = CliRunner().invoke(main, ["messages", "init", "fr", "-C", str(french.root)])
    assert result.exit_code == 0, result.output
    assert (french.root / FRENCH).is_file()
    assert CliRunner().invoke(main, ["messages", "--check", "init", "de"]).exit_code == 2


# --- a language without a catalogue, and coverage -------------------------------------------

def test_build_without_catalogue_says_how_to_make_it(french: TmpProject) -> None:
    result = french.run("build", "--no-proofs")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"layouts/messages/fr.po: error: there is no French catalogue, so none of the "
        f"{len(template_ids())} interface words of the layouts has a translation: run "
        "'careleaf messages init fr' to make it, and translate every message"]


def test_messages_prints_each_languages_coverage(french: TmpProject) -> None:
    count = len(template_ids())
    result = french.run("messages")
    assert result.exit_code == 1  # French has sources and no catalogue
    assert result.stdout.splitlines()[:4] == [
        f"ar: 100% ({count} of {count})", f"es: 100% ({count} of {count})",
        f"fr: 0% (0 of {count}); {count} missing", f"zh-Hans: 100% ({count} of {count})"]
    assert french.run("messages", "init", "fr").exit_code == 0
    translate(french.root / FRENCH, 10)
    lines = french.run("messages").stdout.splitlines()
    assert lines[2] == f"fr: {1000 // count}% (10 of {count}); {count - 10} missing"
    assert lines[4] == (f"layouts/messages/careleaf.pot: {count} messages, up to date; "
                        "catalogues complete: ar, es, zh-Hans of 4; 1 error(s), 0 warning(s)")


# --- a catalogue that is the English copied -------------------------------------------------

@pytest.mark.parametrize("how", ["babel", "msgen"])
def test_english_copy_is_a_warning_naming_the_catalogue(french: TmpProject, how: str) -> None:
    """... in ``careleaf messages`` and in the build, which still builds (in English)."""
    assert french.run("messages", "init", "fr").exit_code == 0
    path = french.root / FRENCH
    if how == "msgen":
        if not shutil.which("msgen"):
            pytest.skip("GNU gettext's msgen is not installed")
        subprocess.run(["msgen", "-o", str(path), str(path)], check=True)
    else:
        copy_english(path)
    worded = sum(has_words(msgid) for msgid in template_ids())
    warning = (f"layouts/messages/fr.po: warning: {worded} of its {worded} messages with words "
               "are translated as the English text itself (a copy, as 'msgen' makes), so its "
               "leaflets would read in English: translate them into French, and leave the "
               "msgstr of a message not translated yet empty (it then counts as missing)")
    count = len(template_ids())
    result = french.run("messages")
    assert (result.exit_code, result.stderr.splitlines()) == (0, [warning])
    assert f"fr: 100% ({count} of {count}); {worded} left in English" in result.stdout
    built = french.run("build", "--no-proofs")
    assert (built.exit_code, built.stderr.splitlines()) == (0, [warning]), built.output
    assert french.output("fr", "crampes", "crampes-a4.pdf").is_file()
    assert french.run("build", "--no-proofs", "--force", "--strict").exit_code == 1


def test_half_left_in_english_is_no_warning_and_more_is(tmp_path: Path) -> None:
    """Punctuation (``", "``) and numbers read the same in most languages: only messages
    with a word count, and the warning needs more than half of them."""
    shutil.copytree(MESSAGES, tmp_path / "messages")
    spanish = read_catalogue(MESSAGES / "es.po")
    worded = [m for m in spanish if m.id and has_words(str(m.id))]
    already = [m for m in worded if m.string == m.id]  # "A4", "{count} KB"…
    others = [m for m in worded if m.string != m.id]
    half = len(worded) // 2
    for copies, warned in ((half, False), (half + 1, True)):
        for message in others[:copies - len(already)]:
            message.string = message.id
        with (tmp_path / "messages/es.po").open("wb") as handle:
            write_po(handle, spanish)
        checked = check_catalogue(tmp_path, "es")
        assert checked.messages is not None and checked.coverage is not None
        assert (checked.coverage.worded, checked.coverage.copied) == (len(worded), copies)
        assert [d.severity for d in checked.report] == (["warning"] if warned else [])


# --- notes to translators -------------------------------------------------------------------

def test_every_message_has_a_note_to_translators() -> None:
    """Where it shows and what its ``{name}``s are: a ``# Translators:`` comment on the
    line before it in code, ``{# Translators: … #}`` in a template."""
    bare = {str(m.id) for m in read_catalogue(MESSAGES / "careleaf.pot")
            if m.id and not m.auto_comments}
    assert sorted(bare) == [], (
        "say where each shows and what its {name}s are in a Translators: comment on the line "
        "before it, and run 'make messages'")


def test_notes_of_file_sizes_name_their_placeholder() -> None:
    notes = {str(m.id): " ".join(m.auto_comments)
             for m in read_catalogue(MESSAGES / "careleaf.pot") if m.id}
    assert "download's size" in notes["1 byte"]
    for msgid in ("{count} bytes", "{count} KB", "{count} MB"):
        assert "{count} is" in notes[msgid], msgid
