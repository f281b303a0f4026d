"""What search engines, feed readers and ebook apps read of the site: each leaflet
page's JSON-LD, the sitemap (validated against the sitemaps.org schema), robots.txt,
each language's Atom feed of new and updated leaflets, the OPDS catalogue and the
OpenSearch descriptions; and the publish read-back that checks them.

The project is the one of ``test_languages`` (English, Spanish and Arabic, a leaflet
with its two translations), published by a clinic whose site is under a path,
``https://clinic.example.org/leaflets/``, so every absolute address is tested with one.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree, html
from test_languages import SOURCES, TODAY, approve, edit, listing

from careleaf.design.brand import load_brand
from careleaf.errors import Report
from careleaf.project import Project
from careleaf.site.check import check_site
from careleaf.site.model import Entry, LanguageGroup, Original
from careleaf.site.seo import leaflet_json_ld
from careleaf.source.load import load_leaflet
from conftest import APPROVED, FIXTURES, MINIMAL, REPO, TmpProject

BASE = "https://clinic.example.org/leaflets/"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM, "dc": "http://purl.org/dc/terms/",
      "s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml",
      "o": "http://a9.com/-/spec/opensearch/1.1/"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ATOM_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")
LANGS = ("en", "es", "ar")
#: Each language's leaflets, by id.
LEAFLETS = {"en": ["aches", "minimal"], "es": ["calambres", "minimal"], "ar": ["minimal"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    """The project, built, checked and published; the tests only read it."""
    root = tmp_path_factory.mktemp("feeds")
    shutil.copytree(REPO / "layouts", root / "layouts")
    project = TmpProject(root)
    brand = root / "layouts/brands/default.yml"
    brand.write_text(brand.read_text(encoding="utf-8").replace(
        'base_url: "https://leaflets.riverside-clinic.example.org"', f'base_url: "{BASE}"'),
        encoding="utf-8")
    project.write("careleaf.toml", 'layouts = ["a4", "epub"]\n')
    for key, text in SOURCES.items():
        project.write(f"source/{key}.md", approve(text))
    project.write("source/en/aches.md", APPROVED.replace("title: Leg cramps",
                                                         "title: Aching joints"))
    result = project.publish(*TODAY)
    assert result.exit_code == 0, result.output
    return project


def site(project: TmpProject | Path) -> Path:
    return (project.root if isinstance(project, TmpProject) else project) / "build" / "site"


def address(folder: Path, source: Path, href: str) -> Path:
    """The file of the site ``href`` in ``source`` names: relative, or absolute under
    the site's address; it must exist."""
    if href.startswith(BASE):
        target = folder / unquote(urlsplit(href.removeprefix(BASE)).path)
    else:
        parts = urlsplit(href)
        assert not parts.scheme and not parts.netloc and not href.startswith("/"), href
        target = source.parent / unquote(parts.path)
    target = target / "index.html" if href.endswith("/") else target
    assert target.resolve().is_file(), f"{source}: {href} names no file of the site"
    return target.resolve()


def xml(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def text(element: etree._Element, path: str) -> str:
    return element.findtext(path, namespaces=NS) or ""


def leaflet_pages(folder: Path) -> list[Path]:
    return [folder / lang / leaflet_id / "index.html"
            for lang, ids in LEAFLETS.items() for leaflet_id in ids]


# --- JSON-LD --------------------------------------------------------------------------------

def json_ld(page: Path) -> dict[str, Any]:
    (script,) = html.parse(str(page)).getroot().iterfind(
        ".//head/script[@type='application/ld+json']")
    data: dict[str, Any] = json.loads(script.text)
    return data


def test_every_leaflet_page_describes_itself_as_a_medical_web_page(built: TmpProject) -> None:
    folder = site(built)
    for page in leaflet_pages(folder):
        data, root = json_ld(page), html.parse(str(page)).getroot()
        leaflet = load_leaflet(built.root / "source" / page.parent.parent.name /
                               f"{page.parent.name}.md", Project(built.root), Report())
        assert leaflet is not None
        assert (data["@context"], data["@type"]) == ("https://schema.org", "MedicalWebPage")
        assert data["inLanguage"] == root.get("lang") == leaflet.lang
        assert address(folder, page, data["url"]) == page.resolve() == address(
            folder, page, data["@id"])
        assert (data["name"], data["description"]) == (leaflet.title, leaflet.summary)
        assert date.fromisoformat(data["lastReviewed"]) == leaflet.reviewed
        assert data["reviewedBy"] == {"@type": "Person", "name": "Test Approver"}
        assert data["publisher"]["@type"] == "Organization"
        assert data["publisher"]["name"] == "Riverside Community Clinic"
        assert data["audience"] == {"@type": "MedicalAudience", "audienceType": "Patient"}
        assert data["keywords"] == list(leaflet.keywords)
        assert address(folder, page, data["image"]).name == "cover.png"


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_a_translation_names_the_page_it_translates(built: TmpProject, lang: str) -> None:
    folder = site(built)
    page = folder / lang / "minimal/index.html"
    original = json_ld(page)["translationOfWork"]
    assert original["@type"] == "MedicalWebPage" and original["inLanguage"] == "en"
    assert address(folder, page, original["url"]) == (folder / "en/minimal/index.html").resolve()
    assert "translationOfWork" not in json_ld(folder / "en/minimal/index.html")


def test_an_original_names_its_translations(built: TmpProject) -> None:
    """Given the site's languages, an original lists the pages translated from it."""
    brand = load_brand(Project(built.root), "default", Report())
    assert brand is not None
    entries = {}
    for lang in LANGS:
        leaflet = load_leaflet(built.root / f"source/{lang}/minimal.md", Project(built.root),
                               Report())
        assert leaflet is not None
        original = None if lang == "en" else Original("en", "en/minimal/index.html", False)
        entries[lang] = Entry(leaflet, f"{lang}/minimal/", (), f"urn:uuid:{lang}", "", original)
    groups = tuple(LanguageGroup(lang, (entry,)) for lang, entry in entries.items())
    data = json.loads(leaflet_json_ld(entries["en"], brand, groups))
    assert [(work["inLanguage"], work["url"]) for work in data["workTranslation"]] == [
        (lang, f"{BASE}{lang}/minimal/index.html") for lang in ("es", "ar")]
    assert "workTranslation" not in json.loads(leaflet_json_ld(entries["es"], brand, groups))


def entry_of(project: Path, text: str) -> Entry:
    path = project / "source/en/minimal.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    leaflet = load_leaflet(path, Project(project), Report())
    assert leaflet is not None
    return Entry(leaflet, "en/minimal/", (), "urn:uuid:0", "")


def test_only_an_approved_leaflet_is_reviewed_by_someone(tmp_path: Path) -> None:
    """A draft (serve's preview shows drafts) has no reviewer; nothing but the JSON can
    end the script element, whatever the leaflet's words."""
    shutil.copytree(REPO / "layouts", tmp_path / "layouts")
    brand = load_brand(Project(tmp_path), "default", Report())
    assert brand is not None
    draft = json.loads(leaflet_json_ld(entry_of(tmp_path, MINIMAL), brand))
    assert "reviewedBy" not in draft and draft["lastReviewed"] == "2026-03-01"
    entry = entry_of(tmp_path, APPROVED)
    hostile = "</script><!-- Cramps & <b>aches</b>"
    entry = replace(entry, leaflet=replace(entry.leaflet, title=hostile))
    made = leaflet_json_ld(entry, brand)
    assert not re.search(r"[<>&]", made)
    data = json.loads(made)
    assert data["name"] == hostile
    assert data["reviewedBy"] == {"@type": "Person", "name": "Test Approver"}


# --- the sitemap and robots.txt -----------------------------------------------------------

def test_the_sitemap_is_valid_against_the_sitemaps_schema(built: TmpProject) -> None:
    """The official schema takes another namespace's elements only where a schema
    declares them: alone, it refuses the xhtml:link alternates; with their declaration
    (which imports it), the whole sitemap is valid."""
    document = etree.parse(str(site(built) / "sitemap.xml"))
    with_links = etree.XMLSchema(etree.parse(str(FIXTURES / "xsd/sitemap-hreflang.xsd")))
    assert with_links.validate(document), with_links.error_log
    official = etree.XMLSchema(etree.parse(str(FIXTURES / "xsd/sitemap.xsd")))
    assert not official.validate(document)
    assert "strict wildcard" in str(official.error_log)


def sitemap_urls(folder: Path) -> dict[Path, tuple[str, dict[str, Path]]]:
    """Each page the sitemap lists: its lastmod, and its alternates by language."""
    found = {}
    for url in xml(folder / "sitemap.xml").iterfind("s:url", NS):
        page = address(folder, folder / "sitemap.xml", text(url, "s:loc"))
        alternates = {str(link.get("hreflang")): address(folder, folder, str(link.get("href")))
                      for link in url.iterfind("x:link", NS)}
        assert all(link.get("rel") == "alternate" for link in url.iterfind("x:link", NS))
        found[page] = (text(url, "s:lastmod"), alternates)
    return found


def test_the_sitemap_lists_every_page_but_the_search_pages(built: TmpProject) -> None:
    folder = site(built)
    urls = sitemap_urls(folder)
    pages = {p.resolve() for p in folder.rglob("index.html")}
    search = {(folder / lang / "search/index.html").resolve() for lang in LANGS}
    assert search <= pages
    assert set(urls) == pages - search
    assert urls[(folder / "es/calambres/index.html").resolve()][0] == "2026-03-01"
    assert urls[(folder / "es/minimal/index.html").resolve()][0] == "2026-04-01"
    assert urls[folder.resolve() / "index.html"][0] == "2026-04-01"  # the newest of all
    topic = folder / "ar/topics" / "تشنج" / "index.html"
    assert topic.resolve() in urls
    assert "%D8%AA%D8%B4%D9%86%D8%AC" in (folder / "sitemap.xml").read_text(encoding="utf-8")


def test_the_sitemap_ties_each_page_to_itself_in_every_language(built: TmpProject) -> None:
    """Each page of a cluster names every page of it, itself included: the languages'
    indexes and the root (x-default), the translations of a leaflet; a page in one
    language only names none."""
    folder = site(built)
    urls = sitemap_urls(folder)
    indexes = {lang: (folder / lang / "index.html").resolve() for lang in LANGS}
    assert urls[folder.resolve() / "index.html"][1] == indexes | {
        "x-default": folder.resolve() / "index.html"}
    minimal = {lang: (folder / lang / "minimal/index.html").resolve() for lang in LANGS}
    for page, (_lastmod, alternates) in urls.items():
        for other in alternates.values():
            assert urls[other][1] == alternates, (page, other)  # the same cluster
        if page in minimal.values():
            assert alternates == minimal
        if page.parent.name in ("aches", "calambres") or page.parent.parent.name == "topics":
            assert alternates == {}


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_search(built: TmpProject) -> None:
    lines = (site(built) / "robots.txt").read_text(encoding="utf-8").splitlines()
    rules = [line for line in lines if not line.startswith("#")]
    assert rules == ["User-agent: *", "Allow: /",
                     *(f"Disallow: /leaflets/{lang}/search/" for lang in LANGS),
                     f"Sitemap: {BASE}sitemap.xml"]
    for lang in LANGS:  # the path it keeps crawlers off is the search page's
        address(site(built), site(built), f"{BASE}{lang}/search/")
    assert any("/leaflets/" in line for line in lines if line.startswith("#"))


# --- the feeds --------------------------------------------------------------------------

def feeds(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xml")
                  if xml(p).tag == f"{{{ATOM}}}feed")


def test_every_feed_is_atom_with_what_atom_requires(built: TmpProject) -> None:
    folder = site(built)
    found = feeds(folder)
    names = {p.relative_to(folder).as_posix() for p in found}
    for lang in LANGS:
        assert {f"{lang}/opds.xml", f"{lang}/opds-all.xml", f"{lang}/opds-new.xml",
                f"{lang}/topics/opds.xml", f"{lang}/updates.xml"} <= names
    assert len(found) == 1 + 6 * len(LANGS)  # the start; five and one topic per language
    ids: Counter[str] = Counter()
    for path in found:
        feed = xml(path)
        lang = path.relative_to(folder).parts[0] if path.parent != folder else "en"
        assert feed.get(XML_LANG) == lang, path
        assert text(feed, "a:id") and text(feed, "a:title"), path
        assert ATOM_DATE.match(text(feed, "a:updated")), path
        assert text(feed, "a:author/a:name") == "Riverside Community Clinic"
        ids[text(feed, "a:id")] += 1
        for entry in feed.iterfind("a:entry", NS):
            assert text(entry, "a:id") and text(entry, "a:title"), path
            assert ATOM_DATE.match(text(entry, "a:updated")), path
            assert entry.find("a:link", NS) is not None, path
        for link in feed.iter(f"{{{ATOM}}}link"):
            target = address(folder, path, str(link.get("href")))
            if (length := link.get("length")) is not None:
                assert int(length) == target.stat().st_size
    assert max(ids.values()) == 1  # every feed its own id


def opds_feeds(folder: Path) -> list[Path]:
    return [p for p in feeds(folder) if p.name != "updates.xml"]


def test_each_opds_feed_says_what_it_is_and_where_it_belongs(built: TmpProject) -> None:
    """self names the feed itself with its kind; start, the catalogue's start; up, the
    navigation feed it belongs to; a navigation feed's entries lead to feeds, an
    acquisition feed's are books."""
    folder = site(built)
    for path in opds_feeds(folder):
        feed = xml(path)
        links = {str(link.get("rel")): link for link in feed.iterfind("a:link", NS)}
        kind = str(links["self"].get("type"))
        assert kind in (NAVIGATION, ACQUISITION), path
        assert address(folder, path, str(links["self"].get("href"))) == path.resolve()
        assert address(folder, path, str(links["start"].get("href"))) == (
            folder / "opds.xml").resolve()
        if path != folder / "opds.xml":
            up = address(folder, path, str(links["up"].get("href")))
            assert links["up"].get("type") == NAVIGATION
            assert path.resolve() in opds_links(folder, up), (path, up)
        for entry in feed.iterfind("a:entry", NS):
            rels = {str(link.get("rel")) for link in entry.iterfind("a:link", NS)}
            if kind == NAVIGATION:
                assert rels <= {"subsection", "http://opds-spec.org/sort/new"}, path
            else:
                assert "http://opds-spec.org/acquisition" in rels, path


def opds_links(folder: Path, feed: Path) -> set[Path]:
    return {address(folder, feed, str(link.get("href")))
            for link in xml(feed).iterfind("a:entry/a:link", NS)}


def test_the_catalogue_leads_from_its_start_to_every_ebook(built: TmpProject) -> None:
    folder = site(built)
    reached, waiting, ebooks = set(), [(folder / "opds.xml").resolve()], set()
    while waiting:
        feed = waiting.pop()
        reached.add(feed)
        for target in opds_links(folder, feed):
            if target.suffix == ".xml" and target not in reached:
                waiting.append(target)
            elif target.suffix == ".epub":
                ebooks.add(target)
    assert reached == {p.resolve() for p in opds_feeds(folder)}
    assert ebooks == {p.resolve() for p in folder.glob("*/*/*.epub")}


@pytest.mark.parametrize("lang", LANGS)
def test_a_languages_catalogue_offers_all_the_newest_and_by_topic(built: TmpProject,
                                                                 lang: str) -> None:
    folder = site(built)
    navigation = xml(folder / lang / "opds.xml")
    entries = navigation.findall("a:entry", NS)
    assert [(e.find("a:link", NS).get("rel"), e.find("a:link", NS).get("href"),  # type: ignore[union-attr]
             e.find("a:link", NS).get("type")) for e in entries] == [  # type: ignore[union-attr]
        ("subsection", f"../{lang}/opds-all.xml", ACQUISITION),
        ("http://opds-spec.org/sort/new", f"../{lang}/opds-new.xml", ACQUISITION),
        ("subsection", f"../{lang}/topics/opds.xml", NAVIGATION)]
    everything = xml(folder / lang / "opds-all.xml").findall("a:entry", NS)
    titles = [text(e, "a:title") for e in everything]
    assert titles == sorted(titles, key=str.casefold) and len(titles) == len(LEAFLETS[lang])
    newest = [text(e, "a:updated") for e in xml(folder / lang / "opds-new.xml").iterfind(
        "a:entry", NS)]
    assert newest == sorted(newest, reverse=True) and len(newest) == len(titles)
    topics = xml(folder / lang / "topics/opds.xml").findall("a:entry", NS)
    assert topics, lang
    for topic in topics:
        link = topic.find("a:link", NS)
        assert link is not None and link.get("type") == ACQUISITION
        books = xml(address(folder, folder / lang / "topics/opds.xml", str(link.get("href"))))
        terms = [{c.get("term") for c in book.iterfind("a:category", NS)}
                 for book in books.iterfind("a:entry", NS)]
        assert terms and all(text(topic, "a:title") in found for found in terms)


@pytest.mark.parametrize("lang", LANGS)
def test_the_updates_feed_is_for_feed_readers(built: TmpProject, lang: str) -> None:
    """Newest first, each entry linking its page (absolute, as a reader keeps it) with
    its summary; ids from the page and the version, so the same leaflets make the same
    feed and a new version reads as news."""
    folder = site(built)
    path = folder / lang / "updates.xml"
    feed = xml(path)
    self_link = feed.find("a:link[@rel='self']", NS)
    assert self_link is not None and self_link.get("href") == f"{BASE}{lang}/updates.xml"
    entries = feed.findall("a:entry", NS)
    dates = [text(e, "a:updated") for e in entries]
    assert dates == sorted(dates, reverse=True) and text(feed, "a:updated") == dates[0]
    pages = []
    for entry in entries:
        page = entry.find("a:link[@rel='alternate']", NS)
        assert page is not None and str(page.get("href")).startswith(BASE)
        pages.append(address(folder, path, str(page.get("href"))))
        data = json_ld(pages[-1])
        assert text(entry, "a:title") == data["name"]
        assert text(entry, "a:summary") == data["description"]
        assert text(entry, "a:id") == f"{data['url']}#version-{data['version']}"
    assert sorted(pages) == sorted(p.resolve() for p in leaflet_pages(folder)
                                   if p.parent.parent.name == lang)


# --- OpenSearch and the pages' heads --------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_opensearch_offers_the_search_page_to_browsers(built: TmpProject, lang: str) -> None:
    folder = site(built)
    path = folder / lang / "opensearch.xml"
    description = xml(path)
    assert description.tag == f"{{{NS['o']}}}OpenSearchDescription"
    assert 0 < len(text(description, "o:ShortName")) <= 16
    assert 0 < len(text(description, "o:LongName")) <= 48
    assert 0 < len(text(description, "o:Description")) <= 1024
    assert text(description, "o:Language") == lang
    urls = {str(url.get("type")): str(url.get("template"))
            for url in description.iterfind("o:Url", NS)}
    assert urls == {"text/html": f"{BASE}{lang}/search/index.html?q={{searchTerms}}",
                    "application/opensearchdescription+xml": f"{BASE}{lang}/opensearch.xml"}
    assert address(folder, path, urls["text/html"]) == (
        folder / lang / "search/index.html").resolve()


@pytest.mark.parametrize("name", ["en/index.html", "es/a-z/index.html", "ar/minimal/index.html",
                                  "ar/search/index.html"])
def test_a_language_page_names_its_feeds_and_search(built: TmpProject, name: str) -> None:
    """A feed reader takes the first Atom feed a page names: the updates, not the
    catalogue; a browser finds the language's search."""
    path = site(built) / name
    head = html.parse(str(path)).getroot().find("head")
    assert head is not None
    lang = name.split("/")[0]
    feeds_named = [(link.get("type"), address(site(built), path, str(link.get("href"))))
                   for link in head.iterfind("link[@rel='alternate']")]
    assert feeds_named[0] == ("application/atom+xml",
                              (site(built) / lang / "updates.xml").resolve())
    assert (NAVIGATION, (site(built) / lang / "opds.xml").resolve()) in feeds_named
    (search,) = head.iterfind("link[@rel='search']")
    assert search.get("type") == "application/opensearchdescription+xml"
    assert address(site(built), path, str(search.get("href"))) == (
        site(built) / lang / "opensearch.xml").resolve()


# --- the read-back --------------------------------------------------------------------------

def test_the_read_back_reads_every_feed_the_sitemap_and_robots(built: TmpProject,
                                                               tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(built.root, copy)
    folder = site(copy)
    report = Report()
    pages = len(list(folder.rglob("index.html")))
    documents = len(list(folder.rglob("*.xml")))
    # The root; each language's index, A-Z, topics, topic and search; the leaflets. The
    # sitemap; each language's five feeds, topic feed and OpenSearch; the root's feed.
    assert (pages, documents) == (1 + 5 * 3 + 5, 1 + 7 * 3 + 1)
    assert check_site(Project.find(copy), report, "default", listing(copy)) == pages + documents
    assert not report.diagnostics, [str(d) for d in report]
    edit(folder / "es/opds-new.xml", "</feed>", "")  # no longer well-formed
    edit(folder / "ar/topics/opds.xml", "../../ar/topics/%D8%AA%D8%B4%D9%86%D8%AC/opds.xml",
         "../../ar/opds-all.xml")  # the topic's feed now unreached
    edit(folder / "en/opds-all.xml", "<title>Aching joints</title>", "")
    edit(folder / "sitemap.xml", f"{BASE}es/calambres/index.html", f"{BASE}es/gone/index.html")
    edit(folder / "robots.txt", "Sitemap:", "# Sitemap:")
    edit(folder / "en/aches/index.html", f'"url": "{BASE}en/aches/index.html"',
         f'"url": "{BASE}en/minimal/index.html"')
    check_site(Project.find(copy), report, "default", listing(copy))
    found = "\n".join(str(d) for d in report)
    topic = folder / "ar/topics/تشنج/opds.xml"
    for expected in (
            f"{folder / 'es/opds-new.xml'}: error: not well-formed XML",
            f"{topic}: error: cannot be reached from {folder / 'opds.xml'}",
            f"{folder / 'en/opds-all.xml'}:",
            "error: an entry has no title, which Atom requires",
            f"{folder / 'sitemap.xml'}:",
            f"error: names '{BASE}es/gone/index.html', which is not a file of the site",
            f"{folder / 'sitemap.xml'}: error: does not list {folder / 'es/calambres/index.html'}",
            f"{folder / 'robots.txt'}: error: does not name the sitemap: add the line "
            f"'Sitemap: {BASE}sitemap.xml'",
            f"{folder / 'en/aches/index.html'}:",
            f"error: its JSON-LD says it is '{BASE}en/minimal/index.html', which is not this page"):
        assert expected in found, found
