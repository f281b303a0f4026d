"""Check the download site as a browser, an ebook app and a search engine would read it.

``careleaf publish`` calls this after writing the site. Every page's links, images
and stylesheets must name a file of the site (or an element of the page); every link
to a download must say how big the file is, and say it truly; a language's pages
must say they are in it (``lang``); a page's JSON-LD must parse and describe the page
itself; every leaflet the publish gate let through must be listed on its language's
A-Z (and its EPUB in its language's feed of all its ebooks), and no other; the root
must link each language's index, and its feed each language's feed; and each
download must be a file the gate allowed, the same bytes as the built output
``careleaf check`` passed. ``careleaf.site.check_xml`` reads the feeds, the sitemap,
the OpenSearch descriptions and robots.txt.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree, html

from careleaf.design.brand import load_brand
from careleaf.errors import CareleafError, Report, display_path
from careleaf.i18n.messages import Messages, english, messages_for
from careleaf.project import SITE_FOLDERS, Project
from careleaf.site.check_xml import SiteFiles, check_documents, feed_links, mismatch
from careleaf.site.model import INDEX, OPDS, LanguageGroup, Listing, site_dir

#: How ``Messages.file_size`` writes a size, whose ``{count}`` is a number.
SIZE_MESSAGES = ("1 byte", "{count} bytes", "{count} KB", "{count} MB")
DOWNLOAD_TYPES = (".epub", ".pdf")
JSON_LD = "application/ld+json"


def check_site(project: Project, report: Report, brand_name: str, listing: Listing) -> int:
    """Check the site of ``brand_name`` against ``listing``, what the gate let through;
    the number of its pages and XML files (feeds, sitemap, OpenSearch descriptions)
    read (0: there is no site)."""
    folder = site_dir(project, brand_name)
    if not (folder / INDEX).is_file():
        return 0
    brand = load_brand(project, brand_name, Report())  # its errors are the build's
    site = SiteFiles(folder, brand.base_url.rstrip("/") + "/" if brand else "")
    pages = [folder / INDEX, *sorted(p for p in folder.rglob(INDEX) if p.parent != folder)]
    for page in pages:
        _check_page(site, page, report, project.layouts_dir)
    documents = check_documents(site, report)
    _check_listed(project, site, report, listing)
    _check_languages(site, report)
    _check_offered(project, folder, brand_name, report, listing)
    return len(pages) + documents


def _check_page(site: SiteFiles, page: Path, report: Report, layouts_dir: Path) -> None:
    try:
        root = html.parse(str(page)).getroot()
    except (OSError, etree.ParserError) as exc:
        report.error(page, None, f"cannot read the page: {exc}")
        return
    lang = str(root.get("lang", ""))
    if page.parent != site.folder and lang != _language_of(site.folder, page):
        report.error(page, root.sourceline, f"says it is in '{lang}' (lang), but it is a "
                     f"page of the '{_language_of(site.folder, page)}' leaflets")
    _check_json_ld(site, page, root, report)
    messages = _page_messages(layouts_dir, lang)
    ids = set(root.xpath("//@id"))
    for element, _attribute, link, _pos in root.iterlinks():
        parts = urlsplit(link)
        if site.external(link):
            continue  # the clinic's website and the leaflet's references
        line = element.sourceline
        if not parts.path and not site.absolute(link):
            if parts.fragment and parts.fragment not in ids:
                report.error(page, line, f"links to '#{parts.fragment}', which is not on the page")
            continue
        target = site.target(page, link)
        if target is None:
            report.error(page, line, f"links to '{link}', which is not a file of the site")
        elif element.tag == "a" and target.suffix in DOWNLOAD_TYPES:
            _check_size(page, line, link, element.text_content().strip(), target, report,
                        messages)


def _page_messages(layouts_dir: Path, lang: str) -> Messages:
    """The words of a page in ``lang``: its sizes are written in them."""
    try:
        return messages_for(layouts_dir, lang)
    except CareleafError:  # the build leaves such a leaflet out, and says why
        return english()


def _size_at_end(messages: Messages) -> re.Pattern[str]:
    """A size at the end of a download link's text, as the page's language writes it."""
    number = r"\d[\d,.\u00a0\u202f]*"  # with the locale's separators, none of them a space
    forms = (re.escape(messages.gettext(m)).replace(re.escape("{count}"), number)
             for m in SIZE_MESSAGES)
    return re.compile(f"(?:{'|'.join(forms)})$")


def _check_json_ld(site: SiteFiles, page: Path, root: html.HtmlElement,
                   report: Report) -> None:
    """What the page tells search engines about itself must parse, and be of itself."""
    for script in root.iterfind(f".//script[@type='{JSON_LD}']"):
        try:
            data = json.loads(script.text or "")
        except json.JSONDecodeError as exc:
            report.error(page, script.sourceline, f"its JSON-LD does not parse: {exc}")
            continue
        url = data.get("url") if isinstance(data, dict) else None
        if site.base and isinstance(url, str) and site.target(page, url) != page.resolve():
            report.error(page, script.sourceline, f"its JSON-LD says it is '{url}', which "
                         "is not this page")


def _check_size(page: Path, line: int | None, link: str, text: str, target: Path,
                report: Report, messages: Messages) -> None:
    size = target.stat().st_size
    shown, truth = _size_at_end(messages).search(text), messages.file_size(size)
    if shown is None:
        ending = messages.gettext(", {size}", size=truth)
        report.error(page, line, f"the link to '{link}' does not say how big the file is "
                     f"(end its text with '{ending}')")
    elif shown.group(0) != truth:
        mismatch(report, page, line, target, f"the link to '{link}' says {shown.group(0)}, "
                 f"but the file has {size:,} bytes ({truth})")


def _language_of(folder: Path, path: Path) -> str:
    """The language of a file of the site: its first folder (``es/index.html``)."""
    return path.relative_to(folder).parts[0]


def _links(site: SiteFiles, page: Path) -> set[Path]:
    """The files of the site the page at ``page`` links to (resolved); none if unreadable."""
    try:
        root = html.parse(str(page)).getroot()
    except (OSError, etree.ParserError):
        return set()  # _check_page said so
    return {target for _e, _a, link, _p in root.iterlinks()
            if not site.external(link) and (target := site.target(page, link))}


def _check_listed(project: Project, site: SiteFiles, report: Report, listing: Listing) -> None:
    """Every leaflet published has a page linked from its language's A-Z, and its EPUB
    (if offered) from its language's feed of all its ebooks; every page is of one."""
    published, folder = set(listing.files), site.folder
    listed: dict[Path, set[Path]] = {}  # by A-Z page or feed: what it links to
    for source in sorted(published):
        lang, leaflet_id = source.parent.name, source.stem
        group = LanguageGroup(lang, ())  # where the language's pages are
        a_to_z, feed = folder / group.a_to_z, folder / group.all_feed
        if a_to_z not in listed:
            listed[a_to_z] = _links(site, a_to_z) if a_to_z.is_file() else set()
            listed[feed] = feed_links(site, feed) if feed.is_file() else set()
        leaflet = folder / lang / leaflet_id
        if (leaflet / INDEX).resolve() not in listed[a_to_z]:
            report.error(a_to_z, None, f"does not list {lang}/{leaflet_id} "
                         f"({display_path(source)}), which is published")
        epub = leaflet / f"{leaflet_id}.epub"
        if epub.is_file() and epub.resolve() not in listed[feed]:
            report.error(feed, None, f"does not offer {display_path(epub)}, the ebook of "
                         f"{lang}/{leaflet_id} ({display_path(source)}), which is published")
    for page in sorted(folder.glob(f"*/*/{INDEX}")):
        if page.parent.name in SITE_FOLDERS:
            continue  # a language's A-Z, topics or search
        source = project.source_dir / page.parent.parent.name / f"{page.parent.name}.md"
        if source.resolve() not in published:
            report.error(page, None, f"is the page of a leaflet that is not published "
                         f"({display_path(source)})")


def _check_languages(site: SiteFiles, report: Report) -> None:
    """The root links every language's index, and its feed every language's feed; a
    language's A-Z lists some leaflet of it."""
    folder = site.folder
    linked, fed = _links(site, folder / INDEX), feed_links(site, folder / OPDS)
    for index in sorted(folder.glob(f"*/{INDEX}")):
        lang, feed = _language_of(folder, index), index.with_name(OPDS)
        a_to_z = folder / LanguageGroup(lang, ()).a_to_z
        if index.resolve() not in linked:
            report.error(folder / INDEX, None, f"does not link {display_path(index)}, the "
                         f"index of the '{lang}' leaflets")
        if not feed.is_file() or feed.resolve() not in fed:
            report.error(folder / OPDS, None, f"does not link {display_path(feed)}, the "
                         f"catalogue of the '{lang}' leaflets")
        if not any(page.parent.parent == index.parent and page.parent.name not in SITE_FOLDERS
                   for page in _links(site, a_to_z) if page.name == INDEX):
            report.error(a_to_z, None, f"is the A-Z of the '{lang}' leaflets, but lists "
                         "none: no leaflet in it is published")


def _check_offered(project: Project, folder: Path, brand_name: str, report: Report,
                   listing: Listing) -> None:
    """Each download must be a file the gate allowed, and the built file itself (or the
    same bytes): the one ``careleaf check`` passed."""
    for copy in _downloads(folder):
        lang, leaflet_id = copy.parent.parent.name, copy.parent.name
        built = project.output_dir(lang, leaflet_id, brand_name) / copy.name
        source = (project.source_dir / lang / f"{leaflet_id}.md").resolve()
        if built.resolve() not in listing.files.get(source, frozenset()):
            report.error(copy, None, f"is offered for download, but the publish gate did "
                         f"not allow {display_path(built)}")
        elif not (built.is_file() and (os.path.samefile(copy, built)
                                       or built.read_bytes() == copy.read_bytes())):
            report.error(copy, None, f"is not the same file as {display_path(built)}, "
                         "which 'careleaf check' passed")


def _downloads(folder: Path) -> list[Path]:
    """The PDFs and EPUBs the site offers, ``<lang>/<id>/<file>``."""
    return sorted(p for kind in DOWNLOAD_TYPES for p in folder.glob(f"*/*/*{kind}"))
