"""Browsing the site without search: each language's page (its ways in and its newest
leaflets), the A to Z, the topics, a leaflet's page (its topics, a patient's downloads
apart from the clinic's), and phone numbers and e-mail addresses as tel: and mailto:
links.

The pages are read with lxml from one project, ``tests/fixtures/site-browse``: English,
Spanish and Arabic leaflets with keywords, one of them (``en/heel-pain``) built in every
printed layout a clinic offers, built, checked and published as ``make`` does it. The
same site is what ``test_browse_browser`` opens in Chromium (``browse_site``).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html
from markupsafe import Markup

from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project
from careleaf.render.contacts import contact_links
from careleaf.site.letters import DIGITS, filed_on, initial
from careleaf.site.model import format_size
from conftest import APPROVAL, FIXTURES, REPO, TmpProject

SOURCES = FIXTURES / "site-browse" / "source"
TODAY = ("--today", "2026-12-06")
#: Every layout a clinic offers; only en/heel-pain is built in all of them.
LAYOUTS = 'layouts = ["a4", "epub", "large-print", "booklet-a5", "trifold-a4"]\n'
#: The bare alif, the first letter of the Arabic alphabet.
ALIF = "\u0627"
#: Each language's leaflets as its A to Z lists them: by letter, then by title.
A_TO_Z = {
    "en": [("A", ["Ankle sprain"]), ("B", ["Back pain"]), ("H", ["Heel pain"])],
    "es": [("D", ["Dolor de talón"]), ("U", ["Úlceras en la boca"])],
    # ألم starts with alif-hamza (filed under the bare alif); الربو is filed past its article.
    "ar": [(ALIF, ["ألم الكعب"]), ("ت", ["تشنجات الساق"]), ("ر", ["الربو"])],
}
SIZE = re.compile(r", (\d[\d,.]*) (bytes?|KB|MB)$")
_BUILT: dict[str, TmpProject] = {}


def approve(text: str) -> str:
    """``text`` approved on the day it was reviewed: what the publish gate lets through."""
    reviewed = re.search(r"^reviewed: (\S+)$", text, re.MULTILINE)
    assert reviewed is not None
    approval = APPROVAL.replace("approved_on: 2026-03-01", f"approved_on: {reviewed[1]}")
    return re.sub(r"^(next_review: .*\n)", lambda line: line[1] + approval, text, count=1,
                  flags=re.MULTILINE)


def browse_site(factory: pytest.TempPathFactory) -> TmpProject:
    """The fixture project, published: made once per test run for both test modules."""
    if "project" not in _BUILT:
        root = factory.mktemp("browse")
        shutil.copytree(REPO / "layouts", root / "layouts")
        project = TmpProject(root)
        project.write("careleaf.toml", LAYOUTS)
        for source in sorted(SOURCES.glob("*/*.md")):
            project.write(f"source/{source.parent.name}/{source.name}",
                          approve(source.read_text(encoding="utf-8")))
        result = project.publish(*TODAY)
        assert result.exit_code == 0, result.output
        _BUILT["project"] = project
    return _BUILT["project"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    return browse_site(tmp_path_factory)


def site(project: TmpProject) -> Path:
    return project.root / "build" / "site"


def page(path: Path) -> html.HtmlElement:
    return html.parse(str(path)).getroot()


def target(base: Path, href: str) -> Path:
    """The file a relative link of ``base`` names (percent-decoded); it must exist."""
    parts = urlsplit(href)
    assert not parts.scheme and not href.startswith("/"), href
    path = (base.parent / unquote(parts.path)).resolve()
    assert path.is_file(), f"{base}: {href} names no file"
    return path


def published(lang: str) -> set[str]:
    return {source.stem for source in (SOURCES / lang).glob("*.md")}


# --- the A to Z -------------------------------------------------------------------------

def test_letters_fold_accents_and_skip_punctuation_and_the_arabic_article() -> None:
    assert [initial(title, lang) for title, lang in [
        ("Heel pain", "en"), ("éczema", "en"), ("¿Qué es la gripe?", "es"),
        ("5 ways to sleep better", "en"), ("ألم الكعب", "ar"), ("إبر", "ar"),
        ("الربو", "ar"), ("التشنجات العضلية", "ar"), ("Alimentos", "es")]] == [
        "H", "E", "Q", DIGITS, ALIF, ALIF, "ر", "ت", "A"]
    assert DIGITS == "0\u20139"
    # The article is only an article in Arabic, and never a whole word.
    assert filed_on("Aldosterone", "en") == "aldosterone"
    assert filed_on("ال", "ar") == "ال"


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_the_a_to_z_lists_every_leaflet_under_its_letter(built: TmpProject, lang: str) -> None:
    path = site(built) / lang / "a-z" / "index.html"
    root = page(path)
    sections = root.findall(".//main//section[@class='letter']")
    shown = [(section.findtext("h2"), [a.text_content() for a in section.iterfind(".//li/a")])
             for section in sections]
    assert shown == A_TO_Z[lang]
    pages = {target(path, a.get("href", "")).parent.name
             for a in root.iterfind(".//ul[@class='a-z-list']/li/a")}
    assert pages == published(lang)  # the complete list: every leaflet, and only them
    ids = set(root.xpath("//@id"))
    jumps = [a.get("href", "") for a in root.iterfind(".//nav[@class='letters-nav']//a")]
    assert [jump.removeprefix("#") for jump in jumps] == [s.find("h2").get("id")
                                                          for s in sections]
    assert all(jump.removeprefix("#") in ids for jump in jumps)


# --- topics -----------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "topics"), [
    ("en", {"Back pain": 1, "Exercise": 2, "Foot pain": 2, "Heel pain": 1}),
    ("ar", {"ألم الظهر": 1, "ألم القدم": 2, "التنفس": 1, "تشنج": 1})])
def test_the_topics_page_links_each_topic_with_its_count(built: TmpProject, lang: str,
                                                         topics: dict[str, int]) -> None:
    path = site(built) / lang / "topics" / "index.html"
    links = page(path).findall(".//main//ul[@class='topic-list']/li/a")
    assert {a.findtext("span[@class='topic-name']"): int(a.findtext("span[@class='count']"))
            for a in links} == topics
    for link in links:
        href = link.get("href", "")
        assert href.isascii(), href  # an Arabic folder name, percent-encoded
        topic_page = target(path, href)
        cards = page(topic_page).findall(".//main//li[@class='card']")
        assert len(cards) == int(link.findtext("span[@class='count']"))
        for card in cards:
            title = card.find(".//h2/a")
            assert title is not None
            assert target(topic_page, title.get("href", "")).parent.parent.name == lang


def test_a_topic_page_names_its_topic_and_leads_back(built: TmpProject) -> None:
    path = site(built) / "en/topics/foot-pain/index.html"
    root = page(path)
    assert root.findtext(".//h1") == "Foot pain"
    assert [card.findtext(".//h2/a") for card in root.iterfind(".//li[@class='card']")] == [
        "Ankle sprain", "Heel pain"]  # by title
    crumbs = [target(path, a.get("href", ""))
              for a in root.iterfind(".//nav[@class='breadcrumbs']//a")]
    assert crumbs == [(site(built) / "en/index.html").resolve(),
                      (site(built) / "en/topics/index.html").resolve()]


# --- a language's page -------------------------------------------------------------------

def test_the_language_page_offers_search_letters_topics_and_the_newest(
        built: TmpProject) -> None:
    path = site(built) / "en" / "index.html"
    root = page(path)
    (form,) = root.findall(".//main//form")
    assert (form.get("method"), form.get("role")) == ("get", "search")
    assert target(path, form.get("action", "")) == (site(built) / "en/search/index.html"
                                                   ).resolve()
    (box,) = form.findall(".//input[@type='search']")
    assert box.get("name") == "q"
    (label,) = form.findall(f".//label[@for='{box.get('id')}']")
    assert label.text_content() == "Search the leaflets" and "visually-hidden" not in (
        label.get("class") or "")
    a_to_z = site(built) / "en/a-z/index.html"
    letters = root.findall(".//ul[@class='letters']//a")
    assert [a.text for a in letters] == ["A", "B", "H"]
    ids = set(page(a_to_z).xpath("//@id"))
    for letter in letters:
        href = letter.get("href", "")
        assert target(path, href) == a_to_z.resolve() and href.split("#")[1] in ids
    topics = [a.findtext("span[@class='topic-name']")
              for a in root.iterfind(".//main//ul[@class='topic-list']/li/a")]
    assert topics == ["Back pain", "Exercise", "Foot pain", "Heel pain"]
    cards = root.findall(".//main//li[@class='card']")
    assert [c.findtext(".//h3/a") for c in cards] == ["Heel pain", "Back pain", "Ankle sprain"]
    for card in cards:  # both dates, each a <time>
        dates = card.find(".//p[@class='dates']")
        assert dates is not None and len(dates.findall("time")) == 2
        assert "Reviewed" in dates.text_content() and "next review due" in dates.text_content()


def test_a_card_offers_what_a_patient_downloads_and_no_more(built: TmpProject) -> None:
    path = site(built) / "en" / "index.html"
    card = next(c for c in page(path).iterfind(".//main//li[@class='card']")
                if c.findtext(".//h3/a") == "Heel pain")
    links = card.findall(".//ul[@class='downloads card-downloads']/li/a")
    assert [a.text for a in links] == ["Read online", "Ebook (EPUB)", "Print at home (A4)",
                                       "Large print"]
    assert target(path, links[0].get("href", "")) == (site(built) / "en/heel-pain/index.html"
                                                      ).resolve()
    for link in links[1:]:
        file = target(path, link.get("href", ""))
        assert link.text_content().endswith(f", {format_size(file.stat().st_size)}")
        assert link.findtext("span[@class='visually-hidden']") == " of Heel pain"
    assert "booklet" not in html.tostring(card, encoding="unicode")
    assert "trifold" not in html.tostring(card, encoding="unicode")


# --- a leaflet's page ---------------------------------------------------------------------

def test_a_leaflet_page_sets_the_clinics_files_apart(built: TmpProject) -> None:
    path = site(built) / "en/heel-pain/index.html"
    section = page(path).get_element_by_id("downloads")
    patients = section.findall("ul[@class='downloads']/li")
    assert [li.find("a").text for li in patients] == ["Ebook (EPUB)", "Print at home (A4)",
                                                      "Large print"]
    (clinic,) = section.findall("section[@class='clinic-downloads']")
    assert clinic.findtext("h3") == "For printing in the clinic"
    items = {li.find("a").get("href"): (li.find("a").text, li.findtext("span[@class='what']"))
             for li in clinic.iterfind(".//li")}
    assert items == {
        "heel-pain-booklet-a5.pdf": (
            "Booklet A5 (PDF)", "The A5 booklet's pages in reading order, for a print shop "
            "that makes up booklets."),
        "heel-pain-booklet-a5-imposed.pdf": (
            "Booklet A5, sheets to fold (PDF)", "The booklet on sheets for the clinic's "
            "printer: print them on both sides, flipping on the short edge, then fold them in "
            "half together and staple along the fold."),
        "heel-pain-trifold-a4.pdf": (
            "Trifold A4 (PDF)", "A leaflet on one A4 sheet. Print it on both sides, flipping "
            "on the short edge, and fold it in three.")}
    for link in section.iterfind(".//a"):  # every link says its file's true size
        size = target(path, link.get("href", "")).stat().st_size
        shown = SIZE.search(link.text_content())
        assert shown is not None and shown.group(0) == f", {format_size(size)}"


def test_a_leaflet_page_links_its_topics(built: TmpProject) -> None:
    path = site(built) / "ar/heel-pain/index.html"
    links = page(path).findall(".//nav[@class='more-about']//a")
    assert [a.text for a in links] == ["المزيد عن ألم القدم", "المزيد عن ألم الظهر"]
    assert [target(path, a.get("href", "")).parent.name for a in links] == [
        "ألم-القدم", "ألم-الظهر"]


@pytest.mark.parametrize("name", ["en/index.html", "en/a-z/index.html",
                                  "en/topics/index.html", "ar/topics/ألم-القدم/index.html",
                                  "en/heel-pain/index.html"])
def test_every_language_page_has_the_ways_in(built: TmpProject, name: str) -> None:
    path = site(built) / name
    root = page(path)
    lang = name.split("/")[0]
    nav = {target(path, a.get("href", "")).relative_to(site(built).resolve()).as_posix()
           for a in root.iterfind(".//nav[@class='site-nav']//a")}
    assert nav == {f"{lang}/index.html", f"{lang}/a-z/index.html", f"{lang}/topics/index.html"}
    current = [a.text for a in root.iterfind(".//nav[@class='site-nav']//a[@aria-current]")]
    assert len(current) <= 1
    forms = root.findall(".//form[@role='search']")
    assert len(forms) == 1  # the header's, or on a language's page its own, larger one
    assert target(path, forms[0].get("action", "")).parent.name == "search"
    assert "<script" not in path.read_text(encoding="utf-8").split("</head>")[1]


# --- tel: and mailto: ---------------------------------------------------------------------

def test_phone_numbers_and_addresses_become_links() -> None:
    linked = contact_links("Call 01632 960 000 or +44 (0)1632 960001, or write to "
                           "feet@clinic.example.org.")
    assert linked == Markup(
        'Call <a href="tel:01632960000" dir="ltr">01632 960 000</a> or '
        '<a href="tel:+441632960001" dir="ltr">+44 (0)1632 960001</a>, or write to '
        '<a href="mailto:feet@clinic.example.org" dir="ltr">feet@clinic.example.org</a>.')
    assert contact_links("<b> & 0123456") == Markup(
        '&lt;b&gt; &amp; <a href="tel:0123456">0123456</a>')  # plain text is escaped
    # Arabic-Indic digits dial as ASCII digits.
    arabic_indic = "01632 960 000".translate({ord(d): 0x0660 + int(d) for d in "0123456789"})
    assert 'href="tel:01632960000"' in contact_links(f"اتصل على {arabic_indic}")


def test_what_is_not_a_phone_number_or_is_linked_already_is_left_alone() -> None:
    for text in ("On 2026-03-01 or 01.03.2026", "120 000 people", "take 500 mg for 3-5 days",
                 "call 111 or 999"):
        assert contact_links(text) == Markup.escape(text)
    fragment = Markup('<a href="https://example.org/01632960000">01632 960 000</a>'
                      '<title>01632 960 000</title><img alt="01632 960 000"/>')
    assert contact_links(fragment) == fragment


def test_the_urgent_line_links_its_short_numbers() -> None:
    fragment = Markup('<div class="urgent"><p><strong>Urgent:</strong> call NHS 111 or 999.'
                      '</p></div><p>Take 111 steps.</p>')
    assert contact_links(fragment) == Markup(
        '<div class="urgent"><p><strong>Urgent:</strong> call NHS <a href="tel:111">111</a> '
        'or <a href="tel:999">999</a>.</p></div><p>Take 111 steps.</p>')


def test_the_site_pages_link_numbers_but_the_outputs_do_not(built: TmpProject) -> None:
    path = site(built) / "en/heel-pain/index.html"
    root = page(path)
    links = {(a.get("href"), a.text) for a in root.iterfind(".//a")
             if urlsplit(a.get("href", "")).scheme in ("tel", "mailto")}
    assert links >= {
        ("tel:01632960123", "01632 960 123"),  # in a section of the leaflet
        ("mailto:feet@riverside-clinic.example.org", "feet@riverside-clinic.example.org"),
        ("tel:111", "111"), ("tel:999", "999"),  # the urgent-help line
        ("tel:01632960000", "01632 960 000"),  # the contact block and the footer
        ("mailto:leaflets@riverside-clinic.example.org",
         "leaflets@riverside-clinic.example.org")}
    footer = root.find(".//footer[@class='site-footer']")
    assert footer is not None and footer.find(".//a[@href='tel:01632960000']") is not None
    # Right to left: a number of several groups is a link isolated left to right.
    arabic = page(site(built) / "ar/heel-pain/index.html")
    (number,) = arabic.findall(".//section[@id='treatment']//a[@href='tel:01632960123']")
    assert (number.get("dir"), number.text) == ("ltr", "01632 960 123")
    # The leaflet's own files are what the build wrote: no link there dials.
    with zipfile.ZipFile(built.output("en", "heel-pain", "heel-pain.epub")) as book:
        text = b"".join(book.read(name) for name in book.namelist())
    assert b"01632 960 123" in text and b"tel:" not in text and b"mailto:" not in text


# --- who a layout is for -----------------------------------------------------------------

def test_each_layout_says_who_its_files_are_for(project: TmpProject) -> None:
    report = Report()
    layouts = load_layouts(Project(project.root), report)
    assert not report.diagnostics
    clinic = {name for name, layout in layouts.items() if layout.format
              and layout.audience == "clinic"}
    assert clinic == {"booklet-a5", "trifold-a4", "trifold-letter"}
    # A layout that imposes is the clinic's unless it says otherwise; a wrong value is an
    # error at its line.
    project.write("layouts/sheets/layout.yml", "description: d\nformat: pdf\nextends: print\n"
                  "impose: saddle-stitch\nsheet: 297mm 210mm\n")
    project.write("layouts/home/layout.yml", "description: d\nformat: pdf\nextends: a4\n"
                  "audience: everyone\n")
    layouts = load_layouts(Project(project.root), report)
    assert layouts["sheets"].audience == "clinic"
    assert "home" not in layouts
    assert [str(d) for d in report] == [
        f"{project.root / 'layouts/home/layout.yml'}:4: error: 'audience' must be one of "
        "patients, clinic"]
