"""The download site ``careleaf publish`` writes, and its OPDS catalogue, as a browser and
an ebook app read them; and what ``publish`` does when the site or what it offers changes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree, html
from PIL import Image

from careleaf.design.brand import load_brand
from careleaf.errors import Report, display_path
from careleaf.project import Project
from careleaf.site.check import check_site
from careleaf.site.model import Listing, format_size
from careleaf.source.load import load_leaflet
from careleaf.source.model import Leaflet
from conftest import APPROVED, REPO, TmpProject

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM, "dc": "http://purl.org/dc/terms/"}
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
CATALOGUE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
NAVIGATION_FEED = "application/atom+xml;profile=opds-catalog;kind=navigation"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")
SIZE = re.compile(r", (\d[\d,.]*) (bytes?|KB|MB)$")
UNITS = {"byte": 1, "bytes": 1, "KB": 1000, "MB": 1_000_000}
#: Three approved leaflets in two languages; the English ones sort as Aching joints,
#: Leg cramps.
LEAFLETS = {
    "en/minimal": APPROVED + "\n![A warm bath](img/bath.png)\n",
    "en/aches": APPROVED.replace("title: Leg cramps", "title: Aching joints"),
    "es/calambres": APPROVED.replace("title: Leg cramps", "title: Calambres en las piernas"),
}
#: Where a download link's size begins, after the leaflet's title for screen readers.
SIZED = '<span class="size">'
#: The fixtures' next review is 2036-03-01: a fixed date keeps them not overdue.
TODAY = ("--today", "2026-12-06")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    """One project with every leaflet built, checked and published, for the tests that
    only read the site."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "layouts", root / "layouts")
    project = TmpProject(root)
    project.write("careleaf.toml", 'layouts = ["a4", "epub"]\n')
    for key, text in LEAFLETS.items():
        project.write(f"source/{key}.md", text)
    (root / "source/en/img").mkdir()
    Image.new("RGB", (8, 8), (10, 85, 97)).save(root / "source/en/img/bath.png")
    publish_all(project)
    return project


def publish_all(project: TmpProject) -> None:
    """build → check → publish, as ``make`` runs them; each must succeed."""
    result = project.publish(*TODAY)
    assert result.exit_code == 0, result.output


def site(project: TmpProject) -> Path:
    return project.root / "build" / "site"


def page(path: Path) -> html.HtmlElement:
    return html.parse(str(path)).getroot()


def resolve(base: Path, href: str) -> Path:
    """The file a relative link of the page (or feed) ``base`` names; it must be local."""
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc and not href.startswith("/"), href
    return (base.parent / unquote(parts.path)).resolve()


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def leaflet_model(project: TmpProject, key: str) -> Leaflet:
    leaflet = load_leaflet(project.root / f"source/{key}.md", Project(project.root), Report())
    assert leaflet is not None
    return leaflet


def test_format_size_reads_as_people_count() -> None:
    assert [format_size(n) for n in (0, 1, 999, 1000, 48_400, 48_500, 999_499, 999_500,
                                     1_234_567)] == [
        "0 bytes", "1 byte", "999 bytes", "1 KB", "48 KB", "49 KB", "999 KB", "1.0 MB",
        "1.2 MB"]


def test_the_root_lists_the_languages_and_each_index_its_leaflets(built: TmpProject) -> None:
    root = page(site(built) / "index.html")
    languages = [(li.get("lang"), li.findtext(".//span[@class='language-name']"),
                  li.find("a").get("href")) for li in root.iterfind(".//main//li")]
    assert languages == [("en", "English", "en/index.html"),
                         ("es", "Español", "es/index.html")]
    # Each language's A to Z lists its leaflets by title; its page shows them as cards.
    titles = {lang: [a.text_content() for a in page(site(built) / lang / "a-z/index.html")
                     .iterfind(".//main//ul[@class='a-z-list']/li/a")] for lang in ("en", "es")}
    assert titles == {"en": ["Aching joints", "Leg cramps"], "es": ["Calambres en las piernas"]}
    cards = {lang: [h.text_content() for h in page(site(built) / lang / "index.html")
                    .iterfind(".//main//li[@class='card']//h3")] for lang in ("en", "es")}
    assert cards == titles
    index = site(built) / "en" / "index.html"
    card = page(index).find(".//main//li[@class='card']")
    assert card is not None
    assert "What brings on leg cramps and what helps." in card.text_content()
    assert card.find(".//time").get("datetime") == "2026-03-01"
    thumbnail = card.find(".//img")
    assert thumbnail is not None and thumbnail.get("alt", "").startswith("Cover: Aching joints")
    assert resolve(index, thumbnail.get("src", "")).is_file()


def test_every_download_link_resolves_and_shows_its_true_size(built: TmpProject) -> None:
    for key in LEAFLETS:
        lang, leaflet_id = key.split("/")
        index = site(built) / lang / "index.html"
        links = {a.get("href"): a.text_content().strip() for a in page(index).iterfind(".//a")
                 if a.get("href", "").startswith(f"../{key}/")}
        expected = {f"../{key}/{name}" for name in (f"{leaflet_id}.epub", f"{leaflet_id}-a4.pdf",
                                                     "index.html")}
        assert set(links) == expected
        for href, text in links.items():
            if href.endswith("index.html"):
                continue
            target = resolve(index, href)
            built_file = built.output(lang, leaflet_id, Path(href).name)
            assert target.read_bytes() == built_file.read_bytes()
            if lang != "en":
                continue  # the Spanish index writes sizes the Spanish way (tests/i18n)
            shown = SIZE.search(text)
            assert shown is not None, text
            size = target.stat().st_size
            assert f"{shown[1]} {shown[2]}" == format_size(size)
            number = float(shown[1].replace(",", "")) * UNITS[shown[2]]
            assert abs(number - size) <= UNITS[shown[2]] / 2
            assert text.startswith("Ebook (EPUB)" if href.endswith(".epub")
                                   else "Print at home (A4)")


def test_the_qr_code_address_is_a_file_of_the_site(built: TmpProject) -> None:
    brand = load_brand(Project(built.root), "default", Report())
    assert brand is not None
    for key in LEAFLETS:
        lang, leaflet_id = key.split("/")
        url = brand.ebook_url(lang, leaflet_id)
        relative = url.removeprefix(brand.base_url.rstrip("/") + "/")
        assert relative == f"{lang}/{leaflet_id}/{leaflet_id}.epub"
        copy = site(built) / relative
        assert copy.is_file()
        epub = built.output(lang, leaflet_id, f"{leaflet_id}.epub")
        assert copy.read_bytes() == epub.read_bytes()


def test_leaflet_page_has_the_leaflet_its_downloads_and_dates(built: TmpProject) -> None:
    leaflet = leaflet_model(built, "en/minimal")
    path = site(built) / "en/minimal/index.html"
    root = page(path)
    assert root.get("lang") == "en"
    assert [h.text_content() for h in root.iterfind(".//h1")] == ["Leg cramps"]
    for section in leaflet.sections:
        element = root.get_element_by_id(section.id)
        assert element.findtext("h2") == section.title
        for item in section.items:
            assert element.get_element_by_id(item.id).findtext("h3") == item.title
    dates = [t.get("datetime") for t in root.iterfind(".//p[@class='dates']/time")]
    assert dates == ["2026-03-01", "2036-03-01"]
    downloads = root.get_element_by_id("downloads")
    hrefs = [a.get("href", "") for a in downloads.iterfind(".//a")]
    assert hrefs == ["minimal.epub", "minimal-a4.pdf"]
    assert all(resolve(path, href).is_file() for href in hrefs)
    bath = root.find(".//img[@alt='A warm bath']")
    assert bath is not None
    assert resolve(path, bath.get("src", "")).read_bytes() == (
        built.root / "source/en/img/bath.png").read_bytes()


@pytest.mark.parametrize("name", ["index.html", "en/index.html", "es/index.html",
                                  "en/minimal/index.html", "es/calambres/index.html"])
def test_pages_are_static_accessible_and_self_contained(built: TmpProject, name: str) -> None:
    path = site(built) / name
    root = page(path)
    # Nothing runs: a leaflet's page has only its data for search engines (JSON-LD).
    assert all(script.get("type") == "application/ld+json" for script in root.iter("script"))
    assert root.get("lang")
    assert root.find(".//meta[@name='viewport']") is not None
    assert len(root.findall(".//h1")) == 1
    for landmark in ("main", "nav", "header", "footer"):
        assert root.find(f".//{landmark}") is not None, landmark
    assert all(img.get("alt") is not None for img in root.iterfind(".//img"))
    assert all(img.get("alt") for img in root.iterfind(".//img[@class='thumbnail']"))
    for element, attribute, link, _ in root.iterlinks():
        if element.tag == "a" and urlsplit(link).scheme in ("http", "https", "mailto", "tel"):
            continue  # the clinic's website and the leaflet's references, for people
        target = resolve(path, link)
        assert target.is_relative_to(site(built).resolve()), (element.tag, attribute, link)
        assert target.is_file() or (not urlsplit(link).path and urlsplit(link).fragment)


def check_feed_head(feed: etree._Element) -> None:
    assert feed.tag == f"{{{ATOM}}}feed"
    assert (feed.findtext("a:id", namespaces=NS) or "").startswith("urn:uuid:")
    assert feed.findtext("a:title", namespaces=NS)
    assert ATOM_DATE.match(feed.findtext("a:updated", namespaces=NS) or "")
    assert feed.findtext("a:author/a:name", namespaces=NS) == "Riverside Community Clinic"


def test_opds_root_is_a_navigation_feed_to_each_languages_feed(built: TmpProject) -> None:
    """The catalogue's address stays ``opds.xml``: its start, one entry per language,
    leading to the language's navigation feed (``<lang>/opds.xml``, its address as
    before)."""
    root_path = site(built) / "opds.xml"
    root = etree.parse(str(root_path)).getroot()
    check_feed_head(root)
    for rel in ("self", "start"):
        link = root.find(f"a:link[@rel='{rel}']", NS)
        assert link is not None and link.get("type") == NAVIGATION_FEED
        assert resolve(root_path, link.get("href", "")) == root_path.resolve()
    entries = root.findall("a:entry", NS)
    assert [(e.get(XML_LANG), e.findtext("a:title", namespaces=NS)) for e in entries] == [
        ("en", "English"), ("es", "Español")]
    ids = set()
    for entry in entries:
        lang = str(entry.get(XML_LANG))
        link = entry.find("a:link[@rel='subsection']", NS)
        assert link is not None and link.get("type") == NAVIGATION_FEED
        assert (link.get("href"), link.get("hreflang")) == (f"{lang}/opds.xml", lang)
        feed = etree.parse(str(site(built) / lang / "opds.xml")).getroot()
        # An entry of a navigation feed is named by the address of the feed it leads to.
        assert entry.findtext("a:id", namespaces=NS) == (
            f"https://leaflets.riverside-clinic.example.org/{lang}/opds.xml")
        ids.add(feed.findtext("a:id", namespaces=NS))
    assert len(ids | {root.findtext("a:id", namespaces=NS)}) == 3  # every feed its own id
    assert entries[1].findtext("a:content", namespaces=NS) == "Folletos: 1"  # in Spanish


@pytest.mark.parametrize("lang", ["en", "es"])
def test_opds_language_feed_offers_its_languages_epubs(built: TmpProject, lang: str) -> None:
    """``<lang>/opds-all.xml``, which the language's navigation feed leads to."""
    feed_path = site(built) / lang / "opds-all.xml"
    feed = etree.parse(str(feed_path)).getroot()
    check_feed_head(feed)
    assert feed.get(XML_LANG) == lang
    link = feed.find("a:link[@rel='self']", NS)
    assert link is not None and link.get("type") == CATALOGUE
    assert resolve(feed_path, link.get("href", "")) == feed_path.resolve()
    for rel, target in (("start", "opds.xml"), ("up", f"{lang}/opds.xml")):
        link = feed.find(f"a:link[@rel='{rel}']", NS)
        assert link is not None and link.get("type") == NAVIGATION_FEED
        assert resolve(feed_path, link.get("href", "")) == (site(built) / target).resolve()
    entries = feed.findall("a:entry", NS)
    assert len(entries) == len([key for key in LEAFLETS if key.startswith(f"{lang}/")])
    for entry in entries:
        assert entry.findtext("dc:language", namespaces=NS) == lang
        check_entry(built, feed_path, entry)


def check_entry(built: TmpProject, feed_path: Path, entry: etree._Element) -> None:
    acquisition = entry.find("a:link[@rel='http://opds-spec.org/acquisition']", NS)
    assert acquisition is not None and acquisition.get("type") == "application/epub+zip"
    epub = resolve(feed_path, acquisition.get("href", ""))
    assert acquisition.get("length") == str(epub.stat().st_size)
    key = f"{epub.parent.parent.name}/{epub.parent.name}"
    leaflet = leaflet_model(built, key)
    with zipfile.ZipFile(epub) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        cover = book.read("EPUB/images/cover.png")
    assert entry.findtext("a:id", namespaces=NS) == opf.findtext(".//dc:identifier",
                                                                   namespaces=OPF)
    assert entry.findtext("a:title", namespaces=NS) == leaflet.title
    assert ATOM_DATE.match(entry.findtext("a:updated", namespaces=NS) or "")
    assert entry.findtext("dc:language", namespaces=NS) == key.split("/")[0]
    assert entry.findtext("a:summary", namespaces=NS) == leaflet.summary
    image = entry.find("a:link[@rel='http://opds-spec.org/image']", NS)
    thumb = entry.find("a:link[@rel='http://opds-spec.org/image/thumbnail']", NS)
    assert image is not None and thumb is not None
    assert resolve(feed_path, image.get("href", "")).read_bytes() == cover
    small = Image.open(resolve(feed_path, thumb.get("href", "")))
    assert small.format == "PNG" and small.size[0] < Image.open(
        resolve(feed_path, image.get("href", ""))).size[0]


def test_a_publish_with_nothing_new_leaves_the_site_alone(approved: TmpProject) -> None:
    publish_all(approved)
    files = sorted(p for p in site(approved).rglob("*") if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    assert approved.run("build").exit_code == 0  # nothing to build; the site is not its
    code = (
        "import sys\nfrom careleaf.cli import main\n"
        f"try:\n    main(['publish', '-C', {str(approved.root)!r}, *{list(TODAY)!r}])\n"
        "except SystemExit as exc:\n    print('exit', exc.code)\n"
        "print(sorted(m for m in ('jinja2', 'PIL', 'weasyprint') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    # Nothing drawn again: no template engine, no picture library, no renderer.
    assert out.splitlines()[-2:] == ["exit 0", "[]"], out
    assert "published 1 leaflet(s)" in out
    assert {p: p.stat().st_mtime_ns for p in files} == before
    assert len(files) >= 8


def test_a_removed_leaflet_disappears_from_the_site(approved: TmpProject) -> None:
    approved.write("source/en/other.md", APPROVED.replace("Leg cramps", "Other cramps"))
    publish_all(approved)
    folder = site(approved) / "en/other"
    assert (folder / "other.epub").is_file()
    (approved.root / "source/en/other.md").unlink()
    publish_all(approved)
    assert not folder.exists()
    index = (site(approved) / "en/index.html").read_text(encoding="utf-8")
    feed = (site(approved) / "en/opds-all.xml").read_text(encoding="utf-8")
    assert "Leg cramps" in index and "Leg cramps" in feed
    assert "Other cramps" not in index and "en/other" not in feed
    record = json.loads((approved.root / "build/archive/en/other/2.1/record.json").read_text(
        encoding="utf-8"))
    assert record["why"] == "its source was removed"


def test_an_output_older_than_its_source_holds_the_leaflet_back(approved: TmpProject) -> None:
    publish_all(approved)
    source = approved.root / "source/en/minimal.md"
    text = APPROVED.replace("A warm bath", "A warm shower")
    source.write_text(text, encoding="utf-8")
    assert approved.run("build", "--layout", "epub").exit_code == 0  # the PDF is left old
    pdf = approved.output("en", "minimal", "minimal-a4.pdf")
    check = approved.run("check", *TODAY)
    assert check.exit_code == 1
    assert f"{pdf}: warning: was built from an older {source}" in check.stderr
    result = approved.run("publish", *TODAY)
    assert result.exit_code == 1
    refusals = [line for line in result.stderr.splitlines() if "not published" in line]
    assert len(refusals) == 1, result.stderr
    assert refusals[0].startswith(f"{source}:{line_of(text, '### Warmth')}: error: "
                                  "'careleaf check' found errors: "), refusals
    assert refusals[0].endswith(f"is missing in the PDF text of {pdf}; not published")
    # The whole leaflet is held back, not offered without its old PDF: English has none.
    assert not (site(approved) / "en").exists()
    index = (site(approved) / "index.html").read_text(encoding="utf-8")
    assert "en/index.html" not in index and "minimal" not in index
    publish_all(approved)
    assert "minimal-a4.pdf" in (site(approved) / "en/index.html").read_text(encoding="utf-8")
    assert "A warm shower" in (site(approved) / "en/minimal/index.html").read_text(
        encoding="utf-8")


def test_booklet_imposed_file_is_offered_beside_the_booklet(approved: TmpProject) -> None:
    """A booklet and its sheets are the clinic's to print: offered on the leaflet's page
    under their own heading, never on a patient's card."""
    approved.write("careleaf.toml", 'layouts = ["booklet-a5"]\n')
    publish_all(approved)
    index = page(site(approved) / "en/index.html")
    cards = [a.get("href") for a in index.iterfind(".//ul[@class='downloads card-downloads']//a")]
    assert cards == ["../en/minimal/index.html"]  # "Read online" only
    downloads = page(site(approved) / "en/minimal/index.html").get_element_by_id("downloads")
    (clinic,) = downloads.iterfind(".//section[@class='clinic-downloads']")
    texts = {a.get("href"): a.text_content() for a in clinic.iterfind(".//a")}
    assert set(texts) == {"minimal-booklet-a5.pdf", "minimal-booklet-a5-imposed.pdf"}
    assert texts["minimal-booklet-a5-imposed.pdf"].startswith("Booklet A5, sheets to fold (PDF)")
    assert (site(approved) / "en/minimal/minimal-booklet-a5-imposed.pdf").is_file()


def test_the_build_writes_no_site_and_a_brand_publishes_its_own(approved: TmpProject) -> None:
    assert approved.run("build").exit_code == 0
    assert not site(approved).exists()  # the site is publish's
    approved.write("layouts/brands/other.yml", (REPO / "layouts/brands/default.yml")
                   .read_text().replace("Riverside Community Clinic", "Hillside Practice"))
    for command in (("build", "--brand", "other"), ("check", "--brand", "other", *TODAY),
                    ("publish", "--brand", "other", *TODAY)):
        result = approved.run(*command)
        assert result.exit_code == 0, result.output
    brand_site = approved.root / "build/brands/other/site"
    assert (brand_site / "en/minimal/minimal.epub").is_file()
    assert "Hillside Practice" in (brand_site / "index.html").read_text(encoding="utf-8")
    assert not site(approved).exists()


def tamper(approved: TmpProject) -> tuple[Path, Path, int]:
    """A size made false and a picture unlinked in the index, a download replaced by other
    bytes of the same size, a page of no leaflet: the index, the stray page, the size."""
    index = site(approved) / "en/index.html"
    epub = site(approved) / "en/minimal/minimal.epub"
    size = epub.stat().st_size
    index.write_text(index.read_text(encoding="utf-8")
                     .replace(f"Leg cramps</span>{SIZED}, {format_size(size)}",
                              f"Leg cramps</span>{SIZED}, 1 byte")
                     .replace("en/minimal/cover-thumbnail.png", "en/minimal/no-such.png"),
                     encoding="utf-8")
    data = epub.read_bytes()
    epub.unlink()
    epub.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    stray = site(approved) / "en/ghost/index.html"
    stray.parent.mkdir()
    stray.write_text("<!DOCTYPE html><html lang='en'><title>Ghost</title></html>")
    return index, stray, size


def test_the_site_read_back_finds_every_kind_of_mistake(approved: TmpProject) -> None:
    publish_all(approved)
    _, stray, size = tamper(approved)
    epub = site(approved) / "en/minimal/minimal.epub"
    built_epub = approved.output("en", "minimal", "minimal.epub")
    source = (approved.root / "source/en/minimal.md").resolve()
    allowed = frozenset(p.resolve() for p in built_epub.parent.glob("minimal*.*"))
    report = Report()
    assert check_site(Project.find(approved.root), report, "default",
                      Listing({source: allowed})) > 0
    found = [str(d) for d in report]  # the size: a warning, as the file is newer than the page
    assert any(f"the link to '../en/minimal/minimal.epub' says 1 byte, but the file has "
               f"{size:,} bytes" in line for line in found), found
    assert any("links to '../en/minimal/no-such.png', which is not a file of the site" in line
               for line in found), found
    assert any(f"{display_path(epub)}: error: is not the same file as "
               f"{display_path(built_epub)}, which 'careleaf check' passed" in line
               for line in found), found
    assert any(f"{display_path(stray)}: error: is the page of a leaflet that is not "
               "published" in line for line in found), found


def test_publish_puts_a_tampered_site_right(approved: TmpProject) -> None:
    publish_all(approved)
    index, stray, size = tamper(approved)
    result = approved.run("publish", *TODAY)
    assert result.exit_code == 0, result.output  # remade, then read back clean
    assert f"Leg cramps</span>{SIZED}, {format_size(size)}" in index.read_text(
        encoding="utf-8")
    assert not stray.exists()
    copy = site(approved) / "en/minimal/minimal.epub"
    assert copy.read_bytes() == approved.output("en", "minimal", "minimal.epub").read_bytes()


def test_a_republished_site_offers_the_rebuilt_outputs(approved: TmpProject) -> None:
    publish_all(approved)
    copy = site(approved) / "en/minimal/minimal.epub"
    old = copy.read_bytes()
    approved.write("source/en/minimal.md", APPROVED.replace("A warm bath", "A long warm bath")
                   .replace("approved_on: 2026-03-01", "approved_on: 2026-03-02"))  # approved
    assert approved.run("build").exit_code == 0
    new = approved.output("en", "minimal", "minimal.epub").read_bytes()
    assert new != old
    assert copy.read_bytes() == old  # what was published stays until publish replaces it
    publish_all(approved)
    assert copy.read_bytes() == new
    index = (site(approved) / "en/index.html").read_text(encoding="utf-8")
    assert f"Leg cramps</span>{SIZED}, {format_size(len(new))}" in index


def test_a_template_mistake_is_reported_at_its_line_and_keeps_the_old_site(
        approved: TmpProject) -> None:
    publish_all(approved)
    index = site(approved) / "index.html"
    before = index.read_bytes()
    template = approved.root / "layouts/site/index.html"
    lines = template.read_text().splitlines()
    line = lines.index("{% block main %}") + 2  # the line after it
    lines.insert(line - 1, "{{ no_such_name }}")
    template.write_text("\n".join(lines) + "\n")
    result = approved.run("publish", *TODAY)
    assert result.exit_code == 1
    assert (f"layouts/site/index.html:{line}: error: template error: 'no_such_name' is "
            "undefined") in result.stderr
    assert index.read_bytes() == before
