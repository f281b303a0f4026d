"""Translations kept in sync with their originals, in ``build``, ``check`` and the site
``publish`` writes.

The fixture ``tests/fixtures/translations`` holds the minimal English leaflet and its
Spanish translation (same ids, Spanish headings). Each case edits one of them and
runs the real command; the tests assert the complete diagnostics, so a spurious
extra one fails. Builds use the EPUB layout only: the comparison does not depend on
the layout, and an EPUB takes a tenth of a second. The fixture's leaflets are drafts;
the site's cases approve both (in their own copy, so the lines counted on stay put).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import Result
from lxml import etree, html

from conftest import APPROVAL, COMPLETENESS_ONLY, FIXTURES, REPO, TmpProject

SOURCES = FIXTURES / "translations" / "source"
EN = (SOURCES / "en" / "minimal.md").read_text(encoding="utf-8")
ES = (SOURCES / "es" / "minimal.md").read_text(encoding="utf-8")
EN_PATH, ES_PATH = "source/en/minimal.md", "source/es/minimal.md"
SAME_IDS = "ids are the same in every language (only heading text is translated)"
STALE = (f"{ES_PATH}:8: warning: translation of version 2.0, but {EN_PATH} is now version "
         "2.1 (line 4); update the translation and its 'original_version'")
NOTICE = "Traducción de una versión anterior"  # as the Spanish index says it
SCHEMA = json.loads((REPO / "scripts/careleaf/check/check-report.schema.json").read_text())
#: The fixtures' next review is 2036: a fixed date keeps them not overdue.
TODAY = ("--today", "2026-12-06")


def edit(old: str, new: str, text: str) -> str:
    """``text`` with ``old``, which must occur exactly once, replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


#: The Spanish item 'warmth' (lines 38-42) and the line before it.
WARMTH = "\n### Calor {#warmth}\n\nUn baño caliente puede ayudar a relajar el músculo.\n\n" \
         "Pruebe uno antes de acostarse.\n"
#: The Spanish item 'dehydration' (lines 25-28, with the blank line after it).
DEHYDRATION = ("### Deshidratación {#dehydration}\n\nNo beber suficiente agua puede hacer "
               "que los calambres sean más probables.\n\n")
OUTDATED = edit('original_version: "2.1"', 'original_version: "2.0"', ES)


def in_treatment(addition: str, text: str) -> str:
    """``text`` with ``addition`` at the end of its treatment section, before the section
    on when to see a doctor (so the lines the cases count on stay where they were)."""
    heading = next(line for line in text.splitlines() if line.endswith("{#see-a-doctor}"))
    return edit(f"\n{heading}", f"{addition}\n{heading}", text)


@pytest.fixture
def here(project: TmpProject, monkeypatch: pytest.MonkeyPatch) -> TmpProject:
    """The fixture's two leaflets; the project is the working folder, so paths print as
    ``source/es/...``."""
    shutil.copytree(SOURCES, project.root / "source", dirs_exist_ok=True)
    monkeypatch.chdir(project.root)
    return project


def build(project: TmpProject, *args: str) -> Result:
    result = project.run("build", "--layout", "epub", *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


def check(project: TmpProject, *args: str) -> Result:
    result = project.run("check", "--layout", "epub", *COMPLETENESS_ONLY, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result


def built(result: Result) -> list[str]:
    """The outputs a build wrote, as ``lang/id/file``."""
    return sorted("/".join(Path(line.split()[1]).parts[-3:]) for line in result.stdout.splitlines()
                  if line.startswith("built ") and line.split()[1].endswith((".epub", ".pdf")))


def check_json(project: TmpProject) -> dict[str, Any]:
    data = json.loads((project.root / "build/reports/check.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    return {leaflet["key"]: leaflet for leaflet in data["leaflets"]}


def approve(text: str, on: str = "") -> str:
    """``text`` approved (``APPROVAL`` after its ``next_review`` line), signed off ``on``
    or the day it was reviewed: a translation has its own status, and its own review
    date. A text changed after it was published is approved again on another day."""
    reviewed = re.search(r"^reviewed: (\S+)$", text, re.MULTILINE)
    assert reviewed is not None
    approval = APPROVAL.replace("approved_on: 2026-03-01", f"approved_on: {on or reviewed[1]}")
    return re.sub(r"^(next_review: .*\n)", lambda line: line[1] + approval, text, count=1,
                  flags=re.MULTILINE)


def publish(project: TmpProject) -> None:
    """build → check → publish (every layout, every gate: what the publish gate takes);
    each must succeed."""
    result = project.publish(*TODAY)
    assert result.exit_code == 0, result.output


def site_page(project: TmpProject, relative: str) -> str:
    return (project.root / "build" / "site" / relative).read_text(encoding="utf-8")


def test_fixture_has_the_lines_these_cases_count_on() -> None:
    en, es = EN.split("\n"), ES.split("\n")
    assert (en[3], en[26], en[35]) == ('version: "2.1"', "## Treatment {#treatment}",
                                       "### Warmth {#warmth}")
    assert (es[6], es[7], es[18], es[28]) == ("translation_of: en", 'original_version: "2.1"',
                                              "## Causas {#causes}",
                                              "## Tratamiento {#treatment}")
    assert es[16].startswith("Los calambres")
    assert (es[37], es[41], es[43]) == ("### Calor {#warmth}", "Pruebe uno antes de acostarse.",
                                        "## Cuándo consultar a un médico {#see-a-doctor}")


def test_a_translation_in_step_builds_and_checks_clean(here: TmpProject) -> None:
    result = build(here)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert built(result) == ["en/minimal/minimal.epub", "es/minimal/minimal.epub"]
    result = check(here, "--strict")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    leaflets = check_json(here)
    assert leaflets["es/minimal"]["checks"] == leaflets["en/minimal"]["checks"]
    assert leaflets["es/minimal"]["checks"]["translation"] == "passed"
    junit = etree.parse(str(here.root / "build/reports/junit.xml"))
    assert junit.xpath("//testsuite[@name='es/minimal']/testcase[@name='translation']"
                       "[not(failure)]")


# --- the same sections and items ---------------------------------------------------------

PARITY_CASES = [
    ("missing-item", EN, edit(WARMTH, "", ES),
     [f"{ES_PATH}:29: error: item 'warmth' of section 'treatment' ({EN_PATH}:36) is missing "
      "from this translation"]),
    ("extra-item", EN, in_treatment("\n### Sauna {#sauna}\n\nUna sauna puede ayudar.\n", ES),
     [f"{ES_PATH}:44: error: item 'sauna' is not in the original: section 'treatment' "
      f"({EN_PATH}:27) has no such item; {SAME_IDS}"]),
    ("translated-id", EN, edit("{#warmth}", "{#calor}", ES),
     [f"{ES_PATH}:29: error: item 'warmth' of section 'treatment' ({EN_PATH}:36) is missing "
      "from this translation",
      f"{ES_PATH}:38: error: item 'calor' is not in the original: section 'treatment' "
      f"({EN_PATH}:27) has no such item; {SAME_IDS}"]),
    ("missing-section", EN + "\n## Symptoms {#symptoms}\n\nThe muscle goes hard and hurts.\n",
     ES, [f"{ES_PATH}:17: error: section 'symptoms' ({EN_PATH}:46) is missing from this "
          "translation"]),
    ("extra-section", EN, in_treatment("\n## Sauna {#sauna}\n\nUna sauna puede ayudar.\n", ES),
     [f"{ES_PATH}:44: error: section 'sauna' is not in the original {EN_PATH}; {SAME_IDS}"]),
    ("moved-item", EN, in_treatment("\n" + DEHYDRATION.rstrip("\n") + "\n",
                                    edit(DEHYDRATION, "", ES)),
     [f"{ES_PATH}:40: error: item 'dehydration' is in section 'treatment' here, but in "
      f"section 'causes' in the original ({EN_PATH}:23); an item stays in its section in "
      "every language"]),
]


@pytest.mark.parametrize(("en", "es", "expected"), [case[1:] for case in PARITY_CASES],
                         ids=[case[0] for case in PARITY_CASES])
def test_a_missing_or_extra_part_is_an_error_naming_both_files(
        here: TmpProject, en: str, es: str, expected: list[str]) -> None:
    here.write(EN_PATH, en)
    here.write(ES_PATH, es)
    result = build(here)
    assert result.stderr.splitlines() == expected
    assert result.exit_code == 1
    assert built(result) == ["en/minimal/minimal.epub"]  # the original still builds
    assert not (here.root / "build/es").exists()
    result = check(here)
    assert result.stderr.splitlines() == ["build/es/minimal/minimal.epub: error: missing: "
                                          "es/minimal has not been built in the epub layout "
                                          "(run 'careleaf build')", *expected]
    assert check_json(here)["es/minimal"]["checks"]["translation"] == "failed"


def test_building_only_the_translation_loads_the_original_to_compare(here: TmpProject) -> None:
    here.write(ES_PATH, edit(WARMTH, "", ES))
    result = build(here, ES_PATH)
    assert result.stderr.splitlines() == [
        f"{ES_PATH}:29: error: item 'warmth' of section 'treatment' ({EN_PATH}:36) is missing "
        "from this translation"]
    assert (result.exit_code, built(result)) == (1, [])
    result = check(here, ES_PATH)
    assert f"{ES_PATH}:29: error: item 'warmth'" in result.stderr
    assert "en/minimal" not in result.stdout  # only the translation was checked


# --- front matter and the original ------------------------------------------------------

ORIGINAL_CASES = [
    ("original-missing", edit("translation_of: en", "translation_of: fr", ES),
     f"{ES_PATH}:7: error: 'translation_of' names fr, but source/fr/minimal.md does not exist"),
    ("own-language", edit("translation_of: en", "translation_of: es", ES),
     f"{ES_PATH}:7: error: 'translation_of' is es, the language of this file; name the "
     "language of the original it translates"),
    ("not-a-language", edit("translation_of: en", "translation_of: English", ES),
     f"{ES_PATH}:7: error: 'translation_of' must be the language tag of the original, like "
     "en, es or zh-Hans, not 'English'"),
    ("empty", edit("translation_of: en", "translation_of:", ES),
     f"{ES_PATH}:7: error: 'translation_of' must be the language tag of the original, like "
     "en, es or zh-Hans, not nothing"),
    ("no-original-version", edit('original_version: "2.1"\n', "", ES),
     f"{ES_PATH}:7: error: a translation needs 'original_version': the original's 'version' "
     "it was made from, e.g. original_version: \"1.0\""),
    ("original-version-a-number", edit('original_version: "2.1"', "original_version: 2.1", ES),
     f"{ES_PATH}:8: error: 'original_version' must be text: write original_version: \"2.1\""),
    ("original-version-alone", edit("translation_of: en\n", "", ES),
     f"{ES_PATH}:7: error: 'original_version' is only for a translation: add "
     "'translation_of' (the original's language) or remove it"),
]


@pytest.mark.parametrize(("es", "expected"), [case[1:] for case in ORIGINAL_CASES],
                         ids=[case[0] for case in ORIGINAL_CASES])
def test_a_wrong_translation_key_is_an_error_at_its_line(here: TmpProject, es: str,
                                                         expected: str) -> None:
    here.write(ES_PATH, es)
    result = build(here)
    assert (result.exit_code, result.stderr.splitlines()) == (1, [expected])
    assert not (here.root / "build/es").exists()


def test_an_original_that_is_itself_a_translation(here: TmpProject) -> None:
    here.write("source/en-GB/minimal.md", EN)  # the real original, for the test's purpose
    here.write(EN_PATH, edit("keywords:", 'translation_of: en-GB\noriginal_version: "2.1"\n'
                             "keywords:", EN))
    result = build(here)
    assert result.stderr.splitlines() == [
        f"{ES_PATH}:7: error: 'translation_of' names en, but {EN_PATH} is itself a "
        "translation (of en-GB); name the language of the original, en-GB"]
    assert built(result) == ["en-GB/minimal/minimal.epub", "en/minimal/minimal.epub"]


def test_a_broken_original_is_said_once_at_the_translation(here: TmpProject) -> None:
    here.write(EN_PATH, edit("title: Leg cramps\n", "", EN))
    said_once = (f"{ES_PATH}:7: error: 'translation_of' names en, but {EN_PATH} has 1 "
                 "error(s), so this translation cannot be compared with it; fix the original "
                 "first (the first at line 1: missing required key 'title')")
    result = build(here, ES_PATH)
    assert (result.exit_code, result.stderr.splitlines()) == (1, [said_once])
    result = build(here)
    assert result.stderr.splitlines() == [f"{EN_PATH}:1: error: missing required key 'title'",
                                          said_once]


# --- an original that moved on ----------------------------------------------------------

def test_an_outdated_translation_is_a_warning_and_fatal_with_strict(here: TmpProject) -> None:
    here.write(ES_PATH, OUTDATED)
    result = build(here)
    assert (result.exit_code, result.stderr.splitlines()) == (0, [STALE]), result.output
    assert built(result) == ["en/minimal/minimal.epub", "es/minimal/minimal.epub"]
    # Nothing changed: nothing is parsed, and the warning is said again from the manifest.
    again = build(here, "--strict")
    assert (again.exit_code, again.stderr.splitlines(), built(again)) == (1, [STALE], [])
    assert "0 built, 2 up to date" in again.stdout
    result = check(here)
    assert (result.exit_code, result.stderr.splitlines()) == (0, [STALE])
    assert check_json(here)["es/minimal"]["checks"]["translation"] == "warned"
    assert check(here, "--strict").exit_code == 1
    junit = etree.parse(str(here.root / "build/reports/junit.xml"))
    failure = junit.find(".//testsuite[@name='es/minimal']/testcase[@name='translation']"
                         "/failure")
    assert failure is not None and "translation of version 2.0" in str(failure.get("message"))


def test_an_outdated_translations_differences_are_warnings(here: TmpProject) -> None:
    """Made from another text than today's original, it has yet to catch up: not a mistake."""
    here.write(ES_PATH, edit(WARMTH, "", OUTDATED))
    result = build(here)
    assert result.stderr.splitlines() == [
        STALE, f"{ES_PATH}:29: warning: item 'warmth' of section 'treatment' ({EN_PATH}:36) "
               "is missing from this translation"]
    assert (result.exit_code, built(result)) == (0, ["en/minimal/minimal.epub",
                                                     "es/minimal/minimal.epub"])
    assert build(here, "--strict").exit_code == 1


# --- the site ---------------------------------------------------------------------------

def notes(project: TmpProject, relative: str) -> list[html.HtmlElement]:
    """The "translated from" lines of a page of the site (in the page's language)."""
    return list(html.fromstring(site_page(project, relative)).iterfind(
        ".//p[@class='translation']"))


def outdated(note: html.HtmlElement) -> bool:
    return note.find("strong[@class='outdated']") is not None


def test_the_site_marks_an_outdated_translation_and_links_its_original(
        here: TmpProject) -> None:
    here.write("careleaf.toml", 'layouts = ["epub"]\n')
    here.write(EN_PATH, approve(EN))
    here.write(ES_PATH, approve(ES))
    publish(here)
    (note,), (card,) = notes(here, "es/minimal/index.html"), notes(here, "es/index.html")
    assert not outdated(note) and not outdated(card)
    # The Spanish index is in Spanish; the original's language is named in itself.
    assert card.text_content() == "Traducción del original en English"
    here.write(ES_PATH, approve(OUTDATED, on="2026-04-02"))
    publish(here)  # outdated is a warning: still published, with the notice
    (note,), (card,) = notes(here, "es/minimal/index.html"), notes(here, "es/index.html")
    assert outdated(note) and outdated(card)
    assert card.text_content() == f"Traducción del original en English · {NOTICE}"
    for element, up in ((note, "../../"), (card, "../")):  # both link to the original
        link = element.find("a")
        assert link is not None and (link.get("href"), link.get("hreflang"), link.text) == (
            f"{up}en/minimal/index.html", "en", "English")
    assert notes(here, "en/minimal/index.html") == notes(here, "en/index.html") == []
    alternates = []
    for lang in ("en", "es"):  # each language's catalogue
        feed = etree.fromstring(site_page(here, f"{lang}/opds-all.xml").encode())
        alternates += [(link.get("href"), link.get("hreflang")) for link in feed.iterfind(
            "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link"
            "[@rel='alternate']")]
    assert sorted(alternates, key=str) == sorted([
        ("../en/minimal/index.html", None), ("../es/minimal/index.html", None),
        ("../en/minimal/index.html", "en")], key=str)
    here.write(ES_PATH, approve(ES, on="2026-04-03"))  # brought up to date: the notice goes
    publish(here)
    (note,), (card,) = notes(here, "es/minimal/index.html"), notes(here, "es/index.html")
    assert not outdated(note) and not outdated(card)


def test_the_site_leaves_out_a_translation_that_does_not_match(here: TmpProject) -> None:
    """Both approved: only the mismatch keeps the translation off the site."""
    here.write("careleaf.toml", 'layouts = ["epub"]\n')
    here.write(EN_PATH, approve(EN))
    here.write(ES_PATH, approve(edit(WARMTH, "", ES)))
    assert here.run("build").exit_code == 1
    assert here.run("check", *TODAY).exit_code == 1
    result = here.run("publish", *TODAY)
    assert result.exit_code == 1
    held = [line for line in result.stderr.splitlines() if line.startswith(f"{ES_PATH}:")]
    assert len(held) == 1 and "does not match its original" in held[0], result.stderr
    assert held[0].endswith("; not published"), result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith(EN_PATH)]
    assert "en/minimal" in site_page(here, "en/index.html")
    assert not (here.root / "build/site/es").exists()  # no Spanish index, nor catalogue
    assert 'href="es/' not in site_page(here, "index.html") + site_page(here, "opds.xml")
    assert "does not list" not in result.stderr  # read back: a source with errors is left out


# --- the manifest -----------------------------------------------------------------------

def test_an_edit_to_the_original_has_the_translation_compared_again(here: TmpProject) -> None:
    assert build(here).exit_code == 0
    here.write(EN_PATH, edit('version: "2.1"', 'version: "2.2"', EN))
    result = build(here)
    stale = STALE.replace("version 2.0", "version 2.1").replace("now version 2.1",
                                                                  "now version 2.2")
    assert (result.exit_code, result.stderr.splitlines()) == (0, [stale])
    assert built(result) == ["en/minimal/minimal.epub", "es/minimal/minimal.epub"]
    # An item added without moving the version on is a mistake the translation shows.
    here.write(EN_PATH, in_treatment("\n### Massage {#massage}\n\nRub the muscle.\n", EN))
    result = build(here)
    assert result.stderr.splitlines() == [
        f"{ES_PATH}:29: error: item 'massage' of section 'treatment' ({EN_PATH}:42) is "
        "missing from this translation"]
    assert built(result) == ["en/minimal/minimal.epub"]
    here.write(EN_PATH, EN)
    here.write(ES_PATH, ES)
    result = build(here)
    assert (result.exit_code, result.stderr, built(result)) == (
        0, "", ["en/minimal/minimal.epub", "es/minimal/minimal.epub"])
    result = build(here)  # and a no-op build stays one, without a word
    assert (result.exit_code, result.stderr, built(result)) == (0, "", [])
    manifest = json.loads((here.root / "build/.careleaf-manifest.json").read_text())
    assert list(manifest["outputs"]["es/minimal/minimal.epub"]["inputs"])[:2] == [
        ES_PATH, f"{EN_PATH}#shape"]  # what it shows of the original: its shape, not its text
    assert ES_PATH not in manifest["outputs"]["en/minimal/minimal.epub"]["inputs"]
