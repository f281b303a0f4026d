"""EPUB 3: the rendered HTML packaged by ebooklib, with navigation and metadata.

The ebook holds one XHTML document built from the layout's template, the
layout chain's stylesheets and the leaflet's images, plus a navigation entry
for every section and every item. Everything that ebooklib would otherwise
take from the clock or a random source (identifier, ``dcterms:modified``, zip
timestamps) is derived from the leaflet, so the same source gives the same bytes.
A right-to-left leaflet says so on every document (``dir``) and on the spine
(``page-progression-direction``), so reading apps turn its pages the other way.

ebooklib makes the package's files (OPF, NCX, navigation, XHTML) and careleaf zips
them, once (``_book_files``, ``_zipped``): ebooklib's own zip, read back and zipped
again to add what it cannot write, was a third of an ebook's time.

ebooklib is imported by the functions that build the book, not at the top: the site
imports this module (for ``identifier``) even for a build with nothing to do.
"""

from __future__ import annotations

import html
import io
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

import lxml.html
from lxml import etree

from careleaf.errors import Report
from careleaf.formats import page_starts
from careleaf.formats.job import Job, Rendered
from careleaf.formats.pdf import printed_page_starts
from careleaf.i18n.messages import Messages, messages_for
from careleaf.render.cover import cover_alt, cover_inputs, cover_png, draft_title
from careleaf.render.html import render_html
from careleaf.source.model import Leaflet

CONTENT_FILE = "leaflet.xhtml"
MIMETYPE = "mimetype"
#: Fixed namespace for identifiers: the same lang/id always gives the same book id.
NAMESPACE = uuid.UUID("6f1c1a8e-3a5e-5b8e-9a53-0c4a4c2f6e11")
XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"


def identifier(leaflet: Leaflet) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, leaflet.key)}"


def render_epub(job: Job, report: Report) -> Rendered:
    from ebooklib import epub

    leaflet = job.leaflet
    messages = messages_for(job.layout.folder.parent, leaflet.lang)
    book = epub.EpubBook()
    _metadata(book, leaflet, messages)
    book.set_direction(leaflet.direction)
    book.add_metadata("DC", "publisher", job.brand.organisation)
    starts = _print_pages(job, book)
    _accessibility(book, messages, has_images=bool(leaflet.images or job.brand.logo),
                   page_count=len(starts))
    chapter = epub.EpubHtml(title=leaflet.title, file_name=CONTENT_FILE, lang=leaflet.lang,
                            direction=leaflet.direction,
                            content=_with_page_markers(job, starts, report))
    colours = epub.EpubItem(uid="brand", file_name="styles/brand.css", media_type="text/css",
                            content=f":root {{ {job.brand.css_variables()} }}\n".encode())
    book.add_item(colours)
    chapter.add_item(colours)
    if job.brand.logo:
        book.add_item(epub.EpubImage(uid="logo", file_name=job.brand.logo,
                                     content=(job.project.root / job.brand.logo).read_bytes()))
    for index, path in enumerate(job.layout.stylesheets):
        style = epub.EpubItem(uid=f"style{index}", file_name=f"styles/{index}-{path.name}",
                              media_type="text/css", content=path.read_bytes())
        book.add_item(style)
        chapter.add_item(style)
    for index, image in enumerate(leaflet.images):
        if image.src not in {item.file_name for item in book.get_items()}:
            book.add_item(epub.EpubImage(uid=f"image{index}", file_name=image.src,
                                         content=image.path.read_bytes()))
    book.add_item(chapter)
    cover = _cover(book, job, messages)
    book.toc = _toc(leaflet)
    book.add_item(epub.EpubNcx())
    # Translators: the title and heading of the ebook's table of contents, and its name
    # in the reading app's list of landmarks.
    book.add_item(epub.EpubNav(title=messages.gettext("Contents"), direction=leaflet.direction))
    book.spine = [cover, chapter, ("nav", "no")]
    book.guide = [{"type": "cover", "title": cover.title, "href": cover.file_name},
                  {"type": "bodymatter", "title": leaflet.title, "href": CONTENT_FILE},
                  {"type": "toc", "title": messages.gettext("Contents"), "href": "nav.xhtml"}]
    modified = datetime.combine(leaflet.reviewed, datetime.min.time())
    # Translators: the heading of the ebook's list of landmarks (cover, contents, text).
    landmarks = messages.gettext("Guide")
    files = _book_files(book, {"mtime": modified, "epub3_pages": False,
                               "raise_exceptions": True, "landmark_title": landmarks})
    data = _zipped(files, modified, starts, leaflet.lang,
                   # Translators: the heading of the ebook's list of printed pages.
                   messages.gettext("Pages"))
    return Rendered(data)


class _Files:
    """Where ebooklib's writer puts the book's files: kept by name, not zipped, so the
    book is zipped once, as ``_zipped`` wants it (zipping it twice, with a read in
    between, was a third of an ebook's time)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {MIMETYPE: b"application/epub+zip"}

    def writestr(self, name: str, data: str | bytes, compress_type: int | None = None) -> None:
        # As ``ZipFile.writestr``: text is written as UTF-8.
        self.files[name] = data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _book_files(book: Any, options: dict[str, Any]) -> dict[str, bytes]:
    """Every file of ``book`` by its name in the package, as ``epub.write_epub`` writes
    them (the writer's own steps, with ``_Files`` for its zip file)."""
    from ebooklib import epub

    writer = epub.EpubWriter("", book, options)
    writer.process()
    writer.out = _Files()
    writer._write_container()
    writer._write_opf()
    writer._write_items()
    files: dict[str, bytes] = writer.out.files
    return files


def _metadata(book: Any, leaflet: Leaflet, messages: Messages) -> None:
    book.set_identifier(identifier(leaflet))
    book.set_title(draft_title(leaflet, messages))
    book.set_language(leaflet.lang)
    for author in leaflet.authors:
        book.add_author(author)
    book.add_metadata("DC", "description", leaflet.summary)
    book.add_metadata("DC", "date", leaflet.reviewed.isoformat())
    for keyword in leaflet.keywords:
        book.add_metadata("DC", "subject", keyword)
    for source in leaflet.sources:  # the leaflet's references; dc:source is the print edition
        book.add_metadata(None, "meta", source.url or source.title,
                          {"property": "dcterms:references"})
    book.add_metadata(None, "meta", leaflet.version, {"property": "schema:version"})


def _cover(book: Any, job: Job, messages: Messages) -> Any:
    """The generated cover image, and a page that shows it with a text alternative."""
    from ebooklib import epub

    image = epub.EpubCover(file_name="images/cover.png")
    draw = partial(cover_png, job.leaflet, job.brand, messages)
    store = job.store  # drawing it is most of an ebook's time: kept while its words are
    image.content = store.made(cover_inputs(job.leaflet, job.brand, messages), draw) \
        if store else draw()
    book.add_item(image)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    # Translators: the title of the ebook's cover page, and its name in the reading app's
    # list of landmarks.
    page = epub.EpubHtml(uid="cover", title=messages.gettext("Cover"), file_name="cover.xhtml",
                         lang=job.leaflet.lang, direction=job.leaflet.direction)
    alt = html.escape(cover_alt(job.leaflet, job.brand, messages), quote=True)
    page.content = (f'<section epub:type="cover"><img src="images/cover.png" alt="{alt}"'
                    ' style="max-width: 100%; max-height: 100%"/></section>')
    book.add_item(page)
    return page


def _print_pages(job: Job, book: Any) -> tuple[page_starts.PageStart, ...]:
    """Where the printed edition's pages begin, and metadata naming that edition: as
    the job brings them (the build's task that laid the edition out), else laid out now."""
    source = job.page_source
    if source is None:
        return ()
    edition = job.brand.download_url(job.leaflet.lang, job.leaflet.id,
                                     source.output_name(job.leaflet.id))
    book.add_metadata("DC", "source", edition)
    book.add_metadata(None, "meta", edition, {"property": "pageBreakSource"})
    if job.print_pages is not None:
        return job.print_pages
    return printed_page_starts(replace(job, layout=source, page_source=None,
                                       html=render_html(job.leaflet, source, job.brand)))


def _with_page_markers(job: Job, starts: Sequence[page_starts.PageStart],
                       report: Report) -> str:
    """The chapter's HTML with a page-break marker where each printed page begins."""
    if not starts:
        return job.html
    document: Any = lxml.html.document_fromstring(job.html)  # an HtmlElement: has .body
    missing = page_starts.mark_pages(document.body, starts)
    if missing:
        report.warning(job.layout.folder / "layout.yml", None,
                       f"{job.leaflet.key}: the start of printed page {', '.join(missing)} is "
                       "not in the ebook; marked at the nearest section instead")
    return str(lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>"))


def _accessibility(book: Any, messages: Messages, *, has_images: bool, page_count: int
                   ) -> None:
    """EPUB Accessibility 1.1 metadata, derived from what the book really holds."""
    images = has_images
    page_features = ["printPageNumbers", "pageBreakMarkers", "pageNavigation"]
    facts = {
        "dcterms:conformsTo": ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"],
        "schema:accessMode": ["textual", *(["visual"] if images else [])],
        "schema:accessModeSufficient": ["textual"],
        "schema:accessibilityFeature": ["structuralNavigation", "tableOfContents",
                                        "readingOrder",
                                        *(["alternativeText"] if images else []),
                                        *(page_features if page_count else [])],
        "schema:accessibilityHazard": ["none"],
        "schema:accessibilitySummary": [_summary(messages, images, page_count)],
    }
    for prop, values in facts.items():
        for value in values:
            book.add_metadata(None, "meta", value, {"property": prop})


def _summary(messages: Messages, images: bool, pages: int) -> str:
    """The accessibility summary in the book's language: a whole sentence for each case,
    since translations cannot be put together from pieces."""
    if images and pages:
        # Translators: the ebook's accessibility summary, which reading apps and stores show
        # to say how the ebook can be read; {pages} is the number of pages of the printed
        # leaflet whose page numbers the ebook carries.
        return messages.gettext(
            "A short text leaflet with headings for every section, cause and treatment, a "
            "table of contents and one reading order, text alternatives for its images, and "
            "the page numbers of the {pages}-page printed leaflet.", pages=pages)
    if pages:
        # Translators: the ebook's accessibility summary, which reading apps and stores show
        # to say how the ebook can be read; {pages} is the number of pages of the printed
        # leaflet whose page numbers the ebook carries.
        return messages.gettext(
            "A short text leaflet with headings for every section, cause and treatment, a "
            "table of contents and one reading order, and the page numbers of the "
            "{pages}-page printed leaflet.", pages=pages)
    if images:
        # Translators: the ebook's accessibility summary, which reading apps and stores
        # show to say how the ebook can be read (for an ebook with images, without page
        # numbers).
        return messages.gettext(
            "A short text leaflet with headings for every section, cause and treatment, a "
            "table of contents and one reading order, text alternatives for its images.")
    # Translators: the ebook's accessibility summary, which reading apps and stores show
    # to say how the ebook can be read (for an ebook without images or page numbers).
    return messages.gettext(
        "A short text leaflet with headings for every section, cause and treatment, a "
        "table of contents and one reading order.")


def _toc(leaflet: Leaflet) -> list[Any]:
    from ebooklib import epub

    toc: list[Any] = []
    for section in leaflet.sections:
        href = f"{CONTENT_FILE}#{section.id}"
        if section.items:
            links = [epub.Link(f"{CONTENT_FILE}#{item.id}", item.title, item.id)
                     for item in section.items]
            toc.append((epub.Section(section.title, href), links))
        else:
            toc.append(epub.Link(href, section.title, section.id))
    return toc


def _page_list(nav: bytes, starts: Sequence[page_starts.PageStart], heading: str) -> bytes:
    """``nav.xhtml`` with a page list: one entry per printed page, hidden from the reader."""
    root = etree.fromstring(nav)
    body = root.find(f"{{{XHTML}}}body")
    assert body is not None
    page_list = etree.SubElement(body, f"{{{XHTML}}}nav", {f"{{{EPUB_NS}}}type": "page-list",
                                                         "hidden": "hidden"})
    etree.SubElement(page_list, f"{{{XHTML}}}h2").text = heading
    entries = etree.SubElement(page_list, f"{{{XHTML}}}ol")
    for start in starts:
        entry = etree.SubElement(entries, f"{{{XHTML}}}li")
        link = etree.SubElement(entry, f"{{{XHTML}}}a", {"href": f"{CONTENT_FILE}#{start.id}"})
        link.text = str(start.number)
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))


def _zipped(files: dict[str, bytes], when: datetime, starts: Sequence[page_starts.PageStart],
            lang: str, pages_heading: str) -> bytes:
    """The package: fixed timestamps, ``mimetype`` first and stored; and what ebooklib
    cannot write: the page list, and ``xml:lang`` on the package."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in sorted(files, key=lambda name: (name != MIMETYPE, name)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == MIMETYPE else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            content = files[name]
            if name.endswith("/nav.xhtml") and starts:
                content = _page_list(content, starts, pages_heading)
            if name.endswith("content.opf"):  # Ace's epub-lang rule requires it
                content = content.replace(
                    b"<package ", f'<package xml:lang="{html.escape(lang)}" '.encode(), 1)
            target.writestr(info, content, compresslevel=9)
    return out.getvalue()
