"""The site in the reader's language: an index and a catalogue per language, a language
switcher on every page, and a root that lists the languages.

One project with leaflets in English, Spanish and Arabic (a leaflet with its two
translations, an English leaflet with none, a Spanish original) is built, checked and
published as ``make`` does it; its pages are read with lxml, and the Arabic index and
the root are opened in Chromium at a phone's and a desktop's width for axe-core.
Screenshots of the root, ``/es/`` and ``/ar/`` on a phone are saved under the test's
temporary folder.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from lxml import etree, html
from playwright.sync_api import Browser, Page

from careleaf.errors import Report
from careleaf.i18n.messages import messages_for
from careleaf.project import Project
from careleaf.site.check import check_site
from careleaf.site.model import Listing
from careleaf.site.pages import language_order
from conftest import APPROVAL, APPROVED, FIXTURES, REPO, TmpProject

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM, "dc": "http://purl.org/dc/terms/"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TODAY = ("--today", "2026-12-06")
#: The Arabic leaflet of the scripts fixture, made a translation of the English one.
ARABIC = (FIXTURES / "scripts/source/ar/minimal.md").read_text(encoding="utf-8").replace(
    "next_review: 2036-03-01\n",
    'next_review: 2036-03-01\ntranslation_of: en\noriginal_version: "2.1"\n')
SOURCES = {
    "en/minimal": (FIXTURES / "translations/source/en/minimal.md").read_text(encoding="utf-8"),
    "es/minimal": (FIXTURES / "translations/source/es/minimal.md").read_text(encoding="utf-8"),
    "ar/minimal": ARABIC,
    "es/calambres": (FIXTURES / "spanish/source/es/calambres.md").read_text(
        encoding="utf-8").replace("title: Calambres en las piernas", "title: Calambres de noche"),
}
#: Each language's leaflets, as its index lists them: by title.
TITLES = {"en": ["Aching joints", "Leg cramps"],
          "es": ["Calambres de noche", "Calambres en las piernas"],
          "ar": ["تشنجات الساق"]}
NAMES = ["English", "Español", "العربية"]


def approve(text: str) -> str:
    """``text`` approved on the day it was reviewed (a translation has its own review)."""
    reviewed = re.search(r"^reviewed: (\S+)$", text, re.MULTILINE)
    assert reviewed is not None
    approval = APPROVAL.replace("approved_on: 2026-03-01", f"approved_on: {reviewed[1]}")
    return re.sub(r"^(next_review: .*\n)", lambda line: line[1] + approval, text, count=1,
                  flags=re.MULTILINE)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    """The project, built, checked and published; the tests only read it."""
    root = tmp_path_factory.mktemp("languages")
    shutil.copytree(REPO / "layouts", root / "layouts")
    project = TmpProject(root)
    project.write("careleaf.toml", 'layouts = ["a4", "epub"]\n')
    for key, text in SOURCES.items():
        project.write(f"source/{key}.md", approve(text))
    project.write("source/en/aches.md", APPROVED.replace("title: Leg cramps",
                                                         "title: Aching joints"))
    result = project.publish(*TODAY)
    assert result.exit_code == 0, result.output
    return project


def site(project: TmpProject) -> Path:
    return project.root / "build" / "site"


def page(path: Path) -> html.HtmlElement:
    return html.parse(str(path)).getroot()


def resolves(base: Path, href: str) -> Path:
    """The file of the site a relative link of ``base`` names; it must exist."""
    target = (base.parent / href).resolve()
    assert target.is_file(), f"{base}: {href} names no file"
    return target


# --- the pages ------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("es", "ltr"), ("ar", "rtl")])
def test_each_language_has_its_index_in_its_words(built: TmpProject, lang: str,
                                                  direction: str) -> None:
    index = site(built) / lang / "index.html"
    root = page(index)
    assert (root.get("lang"), root.get("dir")) == (lang, direction)
    words = messages_for(built.root / "layouts", lang)
    assert root.findtext(".//h1") == words.gettext("Patient information leaflets")
    assert root.findtext(".//title").startswith(words.gettext("Patient information leaflets"))
    a_to_z = site(built) / lang / "a-z" / "index.html"
    links = page(a_to_z).findall(".//main//ul[@class='a-z-list']/li/a")
    assert [link.text_content() for link in links] == TITLES[lang]  # this language's only
    for link in links:
        target = resolves(a_to_z, link.get("href", ""))
        assert target.parent.parent == (site(built) / lang).resolve()


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_a_translation_on_its_index_links_to_its_original(built: TmpProject, lang: str) -> None:
    (note,) = page(site(built) / lang / "index.html").iterfind(".//p[@class='translation']")
    (link,) = note.iterfind("a")
    assert (link.get("href"), link.get("hreflang"), link.get("lang"), link.text) == (
        "../en/minimal/index.html", "en", "en", "English")


def test_the_root_lists_the_languages_default_first_then_by_name(built: TmpProject) -> None:
    """English (careleaf's source language: the project sets no default) first, then by
    each language's name in itself: Español, then العربية (Latin before Arabic)."""
    index = site(built) / "index.html"
    root = page(index)
    assert (root.get("lang"), root.get("dir")) == ("en", "ltr")
    items = root.findall(".//main//ul[@class='language-list']/li")
    assert [(li.get("lang"), li.get("dir")) for li in items] == [
        ("en", "ltr"), ("es", "ltr"), ("ar", "rtl")]
    shown = [[span.text for span in li.iterfind(".//span")] for li in items]
    assert shown == [  # each in its own words, the count so that any number reads right
        ["English", "Patient information leaflets", "Leaflets: 2"],
        ["Español", "Folletos de información para pacientes", "Folletos: 2"],
        ["العربية", "نشرات معلومات للمرضى", "عدد النشرات: 1"]]
    for li, lang in zip(items, ("en", "es", "ar"), strict=True):
        link = li.find("a")
        assert link is not None and link.get("hreflang") == lang
        assert resolves(index, link.get("href", "")) == (site(built) / lang / "index.html"
                                                         ).resolve()


def test_languages_are_ordered_by_their_names_in_themselves() -> None:
    """The default first; then Latin names by their letters whatever their accents
    (Íslenska between Français and Polski), then Greek, Cyrillic, Arabic and Chinese."""
    tags = ["zh-Hans", "ar", "pl", "fr", "es", "en", "de", "uk", "el", "is"]
    assert sorted(tags, key=language_order) == [
        "en", "de", "es", "fr", "is", "pl", "el", "uk", "ar", "zh-Hans"]


#: A page of the site, and where its switcher's English, Spanish and Arabic links go.
SWITCHES = {
    "index.html": ["en/index.html", "es/index.html", "ar/index.html"],
    "es/index.html": ["../en/index.html", "../es/index.html", "../ar/index.html"],
    "ar/index.html": ["../en/index.html", "../es/index.html", "../ar/index.html"],
    # a leaflet's translations, wherever they are
    "es/minimal/index.html": [f"../../{lang}/minimal/index.html" for lang in ("en", "es", "ar")],
    "ar/minimal/index.html": [f"../../{lang}/minimal/index.html" for lang in ("en", "es", "ar")],
    # no translation: that language's index
    "en/aches/index.html": ["../../en/aches/index.html", "../../es/index.html",
                            "../../ar/index.html"],
    "es/calambres/index.html": ["../../en/index.html", "../../es/calambres/index.html",
                                "../../ar/index.html"],
}


@pytest.mark.parametrize("name", SWITCHES)
def test_the_switcher_names_languages_in_themselves_and_finds_translations(
        built: TmpProject, name: str) -> None:
    path = site(built) / name
    root = page(path)
    (switcher,) = root.iterfind(".//header//nav[@class='language-switcher']")
    assert switcher.get("aria-label") == messages_for(
        built.root / "layouts", str(root.get("lang"))).gettext("Languages")
    links = switcher.findall(".//a")
    assert [link.text for link in links] == NAMES
    assert [(link.get("lang"), link.get("hreflang"), link.get("dir")) for link in links] == [
        ("en", "en", "ltr"), ("es", "es", "ltr"), ("ar", "ar", "rtl")]
    assert [link.get("href") for link in links] == SWITCHES[name]
    for link in links:
        resolves(path, link.get("href", ""))
    current = [link.get("lang") for link in links if link.get("aria-current") == "page"]
    assert current == ([] if name == "index.html" else [name.split("/")[0]])
    assert all(link.get("aria-current") in (None, "page") for link in links)


# --- the catalogue ------------------------------------------------------------------------

def test_the_catalogue_starts_with_the_languages_and_each_entry_has_its_own(
        built: TmpProject) -> None:
    root_path = site(built) / "opds.xml"
    feed = etree.parse(str(root_path)).getroot()
    entries = feed.findall("a:entry", NS)
    assert [(e.get(XML_LANG), e.findtext("a:title", namespaces=NS),
             e.findtext("a:content", namespaces=NS)) for e in entries] == [
        ("en", "English", "Leaflets: 2"), ("es", "Español", "Folletos: 2"),
        ("ar", "العربية", "عدد النشرات: 1")]
    for entry in entries:
        lang = str(entry.get(XML_LANG))
        link = entry.find("a:link[@rel='subsection']", NS)
        assert link is not None
        language_feed = resolves(root_path, link.get("href", ""))
        sections = etree.parse(str(language_feed)).getroot()
        assert sections.get(XML_LANG) == lang
        everything = sections.find("a:entry/a:link[@rel='subsection']", NS)  # all, by title
        assert everything is not None
        books = etree.parse(str(resolves(language_feed, everything.get("href", "")))).getroot()
        assert books.get(XML_LANG) == lang
        languages = [book.findtext("dc:language", namespaces=NS)
                     for book in books.iterfind("a:entry", NS)]
        assert languages == [lang] * len(TITLES[lang])
        assert [book.findtext("a:title", namespaces=NS) for book in books.iterfind(
            "a:entry", NS)] == TITLES[lang]


# --- the read-back --------------------------------------------------------------------------

def listing(project: Path) -> Listing:
    """Every source published, with every file built of it."""
    return Listing({source.resolve(): frozenset(
        p.resolve() for p in (project / "build" / source.parent.name / source.stem).iterdir())
        for source in (project / "source").glob("*/*.md")})


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_read_back_finds_a_language_left_out_or_mislabelled(
        built: TmpProject, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(built.root, copy)
    folder = copy / "build" / "site"
    report = Report()
    # The root; each language's index, A-Z, topics, a topic and search; the leaflets.
    pages = 1 + 3 * 5 + 5
    # The root's feed; each language's five feeds, a topic's and OpenSearch; the sitemap.
    documents = 1 + 3 * 7 + 1
    assert check_site(Project.find(copy), report, "default", listing(copy)) == pages + documents
    assert not report.diagnostics, [str(d) for d in report]
    edit(folder / "index.html", 'href="ar/index.html"', 'href="#main"')  # and the switcher's
    edit(folder / "opds.xml", 'href="ar/opds.xml"', 'href="es/opds.xml"')
    edit(folder / "es/index.html", '<html lang="es"', '<html lang="en"')
    edit(folder / "es/a-z/index.html", 'href="../../es/calambres/index.html"', 'href="#main"')
    edit(folder / "es/opds-all.xml", "calambres/calambres.epub", "minimal/minimal.epub")
    check_site(Project.find(copy), report, "default", listing(copy))
    found = "\n".join(str(d) for d in report)
    for expected in (
            f"{folder / 'index.html'}: error: does not link {folder / 'ar/index.html'}, the "
            "index of the 'ar' leaflets",
            f"{folder / 'opds.xml'}: error: does not link {folder / 'ar/opds.xml'}, the "
            "catalogue of the 'ar' leaflets",
            f"{folder / 'es/index.html'}:2: error: says it is in 'en' (lang), but it is a page "
            "of the 'es' leaflets",
            f"{folder / 'es/a-z/index.html'}: error: does not list es/calambres",
            f"{folder / 'es/opds-all.xml'}: error: does not offer "
            f"{folder / 'es/calambres/calambres.epub'}, the ebook of es/calambres"):
        assert expected in found, found


# --- in a browser ---------------------------------------------------------------------------

@pytest.fixture
def context(browser: Browser) -> Iterator[Any]:
    """A phone-sized browser context; a test may resize its page."""
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    yield phone
    phone.close()


def violations(page_: Page) -> list[str]:
    found: list[dict[str, Any]] = Axe().run(page_).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(
        ", ".join(map(str, node["target"])) for node in v["nodes"]) for v in found]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", ["index.html", "ar/index.html"])
def test_the_root_and_the_arabic_index_pass_axe(built: TmpProject, context: Any, name: str,
                                                width: int) -> None:
    tab = context.new_page()
    tab.set_viewport_size({"width": width, "height": 900})
    tab.goto((site(built) / name).as_uri())
    assert violations(tab) == []
    # Nothing needs sideways scrolling.
    assert tab.evaluate("document.documentElement.scrollWidth") <= width


def test_phone_screenshots_of_the_root_and_two_languages(built: TmpProject, context: Any,
                                                         tmp_path: Path) -> None:
    tab = context.new_page()
    for name, shot in (("index.html", "root"), ("es/index.html", "es"),
                       ("ar/index.html", "ar")):
        tab.goto((site(built) / name).as_uri())
        path = tmp_path / f"site-{shot}-390.png"
        tab.screenshot(path=path, full_page=True)
        assert path.read_bytes().startswith(b"\x89PNG")
        direction = "rtl" if shot == "ar" else "ltr"
        assert tab.evaluate("getComputedStyle(document.body).direction") == direction
