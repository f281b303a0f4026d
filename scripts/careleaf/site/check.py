"""Check the download site as a browser and an ebook app would read it.

``careleaf publish`` calls this after writing the site. Every page's links, images
and stylesheets must name a file of the site (or an element of the page); every link
to a download must say how big the file is, and say it truly; the OPDS catalogue's
links must resolve and its lengths be true; every leaflet the publish gate let
through must be listed, and no other; and each download must be a file the gate
allowed, the same bytes as the built output ``careleaf check`` passed.
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
    pages = [folder / INDEX, *sorted(folder.glob(f"*/*/{INDEX}"))]
    for page in pages:
        _check_page(folder, page, report, project.layouts_dir)
    _check_feed(folder, folder / OPDS, report)
    _check_listed(project, folder, report, listing)
    _check_offered(project, folder, brand_name, report, listing)
    return len(pages) + 1


def _check_page(folder: Path, page: Path, report: Report, layouts_dir: Path) -> None:
    try:
        root = html.parse(str(page)).getroot()
    except (OSError, etree.ParserError) as exc:
        report.error(page, None, f"cannot read the page: {exc}")
        return
    messages = _page_messages(layouts_dir, str(root.get("lang", "")))
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


def _check_listed(project: Project, folder: Path, report: Report, listing: Listing) -> None:
    """Every leaflet published has a page linked from the index; every page is of one."""
    index = folder / INDEX
    root = html.parse(str(index)).getroot()
    linked = {target for _e, _a, link, _p in root.iterlinks()
              if not urlsplit(link).scheme and (target := _target(folder, index,
                                                                  urlsplit(link).path))}
    published = set(listing.files)
    for source in sorted(published):
        page = (folder / source.parent.name / source.stem / INDEX).resolve()
        if page not in linked:
            report.error(index, None, f"does not list {source.parent.name}/{source.stem} "
                         f"({display_path(source)}), which is published")
    for page in sorted(folder.glob(f"*/*/{INDEX}")):
        source = project.source_dir / page.parent.parent.name / f"{page.parent.name}.md"
        if source.resolve() not in published:
            report.error(page, None, f"is the page of a leaflet that is not published "
                         f"({display_path(source)})")


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
