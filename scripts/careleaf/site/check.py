"""Check the download site as a browser and an ebook app would read it.

``careleaf publish`` calls this after writing the site. Every page's links, images
and stylesheets must name a file of the site (or an element of the page); every link
to a download must say how big the file is, and say it truly; a language's pages
must say they are in it (``lang``); the OPDS feeds' links must resolve and their
lengths be true; every leaflet the publish gate let through must be listed on its
language's index (and its EPUB in its language's feed), and no other; the root must
link each language's index, and its feed each language's feed; and each download
must be a file the gate allowed, the same bytes as the built output ``careleaf check``
passed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree, html

from careleaf.errors import CareleafError, Report, display_path
from careleaf.i18n.messages import Messages, english, messages_for
from careleaf.project import Project
from careleaf.site.model import INDEX, OPDS, Listing, site_dir

#: How ``Messages.file_size`` writes a size, whose ``{count}`` is a number.
SIZE_MESSAGES = ("1 byte", "{count} bytes", "{count} KB", "{count} MB")
DOWNLOAD_TYPES = (".epub", ".pdf")
ATOM = "{http://www.w3.org/2005/Atom}"


def check_site(project: Project, report: Report, brand_name: str, listing: Listing) -> int:
    """Check the site of ``brand_name`` against ``listing``, what the gate let through;
    the number of its pages and feeds read (0: there is no site)."""
    folder = site_dir(project, brand_name)
    if not (folder / INDEX).is_file():
        return 0
    pages = [folder / INDEX, *sorted(folder.glob(f"*/{INDEX}")),
             *sorted(folder.glob(f"*/*/{INDEX}"))]
    for page in pages:
        _check_page(folder, page, report, project.layouts_dir)
    feeds = [folder / OPDS, *sorted(folder.glob(f"*/{OPDS}"))]
    for feed in feeds:
        _check_feed(folder, feed, report)
    _check_listed(project, folder, report, listing)
    _check_languages(folder, report)
    _check_offered(project, folder, brand_name, report, listing)
    return len(pages) + len(feeds)


def _check_page(folder: Path, page: Path, report: Report, layouts_dir: Path) -> None:
    try:
        root = html.parse(str(page)).getroot()
    except (OSError, etree.ParserError) as exc:
        report.error(page, None, f"cannot read the page: {exc}")
        return
    lang = str(root.get("lang", ""))
    if page.parent != folder and lang != _language_of(folder, page):
        report.error(page, root.sourceline, f"says it is in '{lang}' (lang), but it is a "
                     f"page of the '{_language_of(folder, page)}' leaflets")
    messages = _page_messages(layouts_dir, lang)
    ids = set(root.xpath("//@id"))
    for element, _attribute, link, _pos in root.iterlinks():
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            continue  # the clinic's website and the leaflet's references
        line = element.sourceline
        if not parts.path:
            if parts.fragment and parts.fragment not in ids:
                report.error(page, line, f"links to '#{parts.fragment}', which is not on the page")
            continue
        target = _target(folder, page, parts.path)
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


def _target(folder: Path, page: Path, path: str) -> Path | None:
    """The file of the site a relative link names, or None if there is none."""
    named = page.parent / unquote(path)
    target = (named / INDEX if path.endswith("/") else named).resolve()
    inside = target.is_relative_to(folder.resolve())
    return target if inside and target.is_file() else None


def _check_size(page: Path, line: int | None, link: str, text: str, target: Path,
                report: Report, messages: Messages) -> None:
    size = target.stat().st_size
    shown, truth = _size_at_end(messages).search(text), messages.file_size(size)
    if shown is None:
        ending = messages.gettext(", {size}", size=truth)
        report.error(page, line, f"the link to '{link}' does not say how big the file is "
                     f"(end its text with '{ending}')")
    elif shown.group(0) != truth:
        _mismatch(report, page, line, target, f"the link to '{link}' says {shown.group(0)}, "
                  f"but the file has {size:,} bytes ({truth})")


def _mismatch(report: Report, page: Path, line: int | None, target: Path, message: str) -> None:
    """A page that misdescribes a file it is older than is stale; otherwise it is wrong."""
    if target.stat().st_mtime > page.stat().st_mtime:
        report.warning(page, line, f"{message}: the file changed after the site was made; "
                       "run 'careleaf publish' to update the site")
    else:
        report.error(page, line, message)


def _check_feed(folder: Path, feed: Path, report: Report) -> None:
    try:
        root = etree.parse(str(feed), etree.XMLParser(resolve_entities=False,
                                                      no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        report.error(feed, None, f"not a readable OPDS catalogue: {exc}")
        return
    for link in root.iter(f"{ATOM}link"):
        href, line = str(link.get("href", "")), getattr(link, "sourceline", None)
        if urlsplit(href).scheme or urlsplit(href).netloc:
            continue
        target = _target(folder, feed, urlsplit(href).path)
        if target is None:
            report.error(feed, line, f"links to '{href}', which is not a file of the site")
        elif (length := link.get("length")) is not None and length != str(
                target.stat().st_size):
            _mismatch(report, feed, line, target, f"gives '{href}' a length of {length} "
                      f"bytes, but the file has {target.stat().st_size}")


def _language_of(folder: Path, path: Path) -> str:
    """The language of a file of the site: its first folder (``es/index.html``)."""
    return path.relative_to(folder).parts[0]


def _links(folder: Path, page: Path) -> set[Path]:
    """The files of the site the page at ``page`` links to (resolved); none if unreadable."""
    try:
        root = html.parse(str(page)).getroot()
    except (OSError, etree.ParserError):
        return set()  # _check_page said so
    return {target for _e, _a, link, _p in root.iterlinks()
            if not urlsplit(link).scheme and (target := _target(folder, page,
                                                                urlsplit(link).path))}


def _feed_links(folder: Path, feed: Path) -> set[Path]:
    """The files of the site the feed at ``feed`` links to (resolved); none if unreadable."""
    try:
        root = etree.parse(str(feed), etree.XMLParser(resolve_entities=False,
                                                      no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError):
        return set()  # _check_feed said so
    return {target for link in root.iter(f"{ATOM}link")
            if (target := _target(folder, feed, urlsplit(str(link.get("href", ""))).path))}


def _check_listed(project: Project, folder: Path, report: Report, listing: Listing) -> None:
    """Every leaflet published has a page linked from its language's index, and its EPUB
    (if offered) from its language's feed; every page is of one."""
    published = set(listing.files)
    listed: dict[Path, set[Path]] = {}  # by language index or feed: what it links to
    for source in sorted(published):
        lang, leaflet_id = source.parent.name, source.stem
        index, feed, leaflet = folder / lang / INDEX, folder / lang / OPDS, folder / lang / \
            leaflet_id
        if index not in listed:
            listed[index] = _links(folder, index) if index.is_file() else set()
            listed[feed] = _feed_links(folder, feed)
        if (leaflet / INDEX).resolve() not in listed[index]:
            report.error(index, None, f"does not list {lang}/{leaflet_id} "
                         f"({display_path(source)}), which is published")
        epub = leaflet / f"{leaflet_id}.epub"
        if epub.is_file() and epub.resolve() not in listed[feed]:
            report.error(feed, None, f"does not offer {display_path(epub)}, the ebook of "
                         f"{lang}/{leaflet_id} ({display_path(source)}), which is published")
    for page in sorted(folder.glob(f"*/*/{INDEX}")):
        source = project.source_dir / page.parent.parent.name / f"{page.parent.name}.md"
        if source.resolve() not in published:
            report.error(page, None, f"is the page of a leaflet that is not published "
                         f"({display_path(source)})")


def _check_languages(folder: Path, report: Report) -> None:
    """The root links every language's index, and its feed every language's feed; a
    language's index lists some leaflet of it."""
    linked, fed = _links(folder, folder / INDEX), _feed_links(folder, folder / OPDS)
    for index in sorted(folder.glob(f"*/{INDEX}")):
        lang, feed = _language_of(folder, index), index.with_name(OPDS)
        if index.resolve() not in linked:
            report.error(folder / INDEX, None, f"does not link {display_path(index)}, the "
                         f"index of the '{lang}' leaflets")
        if not feed.is_file() or feed.resolve() not in fed:
            report.error(folder / OPDS, None, f"does not link {display_path(feed)}, the "
                         f"catalogue of the '{lang}' leaflets")
        if not any(page.parent.parent == index.parent for page in _links(folder, index)
                   if page.name == INDEX):
            report.error(index, None, f"is the index of the '{lang}' leaflets, but lists "
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
