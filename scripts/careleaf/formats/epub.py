"""EPUB 3: the rendered HTML packaged by ebooklib, with navigation and metadata.

The ebook holds one XHTML document built from the layout's template, the
layout chain's stylesheets and the leaflet's images, plus a navigation entry
for every section and every item. Everything that ebooklib would otherwise
take from the clock or a random source (identifier, ``dcterms:modified``, zip
timestamps) is derived from the leaflet, so the same source gives the same bytes.
"""

from __future__ import annotations

import html
import io
import uuid
import zipfile
from datetime import datetime
from typing import Any

from ebooklib import epub

from careleaf.errors import Report
from careleaf.formats import Job
from careleaf.model import Leaflet

CONTENT_FILE = "leaflet.xhtml"
#: Fixed namespace for identifiers: the same lang/id always gives the same book id.
NAMESPACE = uuid.UUID("6f1c1a8e-3a5e-5b8e-9a53-0c4a4c2f6e11")


def identifier(leaflet: Leaflet) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, leaflet.key)}"


def render_epub(job: Job, report: Report) -> bytes:
    leaflet = job.leaflet
    book = epub.EpubBook()
    _metadata(book, leaflet)
    book.add_metadata("DC", "publisher", job.brand.organisation)
    _accessibility(book, has_images=bool(leaflet.images or job.brand.logo))
    chapter = epub.EpubHtml(title=leaflet.title, file_name=CONTENT_FILE, lang=leaflet.lang,
                            content=job.html)
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
    cover = _cover(book, job)
    book.toc = _toc(leaflet)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav(title="Contents"))
    book.spine = [cover, chapter, ("nav", "no")]
    book.guide = [{"type": "cover", "title": "Cover", "href": cover.file_name},
                  {"type": "bodymatter", "title": leaflet.title, "href": CONTENT_FILE},
                  {"type": "toc", "title": "Contents", "href": "nav.xhtml"}]
    buffer = io.BytesIO()
    modified = datetime.combine(leaflet.reviewed, datetime.min.time())
    epub.write_epub(buffer, book, {"mtime": modified, "epub3_pages": False,
                                   "raise_exceptions": True})
    return _normalise_zip(buffer.getvalue(), modified)


def _metadata(book: Any, leaflet: Leaflet) -> None:
    book.set_identifier(identifier(leaflet))
    book.set_title(leaflet.title)
    book.set_language(leaflet.lang)
    for author in leaflet.authors:
        book.add_author(author)
    book.add_metadata("DC", "description", leaflet.summary)
    book.add_metadata("DC", "date", leaflet.reviewed.isoformat())
    for keyword in leaflet.keywords:
        book.add_metadata("DC", "subject", keyword)
    for source in leaflet.sources:
        book.add_metadata("DC", "source", source.url or source.title)
    book.add_metadata(None, "meta", leaflet.version, {"property": "schema:version"})


def _cover(book: Any, job: Job) -> Any:
    """The generated cover image, and a page that shows it with a text alternative."""
    from careleaf.cover import cover_alt, cover_png

    image = epub.EpubCover(file_name="images/cover.png")
    image.content = cover_png(job.leaflet, job.brand)
    book.add_item(image)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    page = epub.EpubHtml(uid="cover", title="Cover", file_name="cover.xhtml",
                         lang=job.leaflet.lang)
    alt = html.escape(cover_alt(job.leaflet, job.brand), quote=True)
    page.content = (f'<section epub:type="cover"><img src="images/cover.png" alt="{alt}"'
                    ' style="max-width: 100%; max-height: 100%"/></section>')
    book.add_item(page)
    return page


def _accessibility(book: Any, *, has_images: bool) -> None:
    """EPUB Accessibility 1.1 metadata, derived from what the book really holds."""
    images = has_images
    facts = {
        "dcterms:conformsTo": ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"],
        "schema:accessMode": ["textual", *(["visual"] if images else [])],
        "schema:accessModeSufficient": ["textual"],
        "schema:accessibilityFeature": ["structuralNavigation", "tableOfContents",
                                        "readingOrder",
                                        *(["alternativeText"] if images else [])],
        "schema:accessibilityHazard": ["none"],
        "schema:accessibilitySummary": [
            "A short text leaflet with headings for every section, cause and treatment, "
            "a table of contents and one reading order"
            + (", and text alternatives for its images." if images else ".")],
    }
    for prop, values in facts.items():
        for value in values:
            book.add_metadata(None, "meta", value, {"property": prop})


def _toc(leaflet: Leaflet) -> list[Any]:
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


def _normalise_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite the zip with fixed timestamps, ``mimetype`` first and stored."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda name: (name != "mimetype", name))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()
