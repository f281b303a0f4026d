"""Read built outputs back: the words a reader sees, the table of contents, the anchors.

The completeness check must look at what is really in a file, not at what the
build meant to write. This module opens a PDF with pypdf and an EPUB with
zipfile and lxml, and reduces both to the same ``Readback``: words per page
(PDF) or per content document (EPUB), the outline or navigation tree, and the
set of element ids a link can reach. Words are normalised the same way for
source and output, undoing what typesetting does to text: automatic hyphenation
(WeasyPrint breaks lines with U+2010), ligatures, justified spacing, case.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

_WORD = re.compile(r"\w+")
_AUTO_HYPHEN = re.compile("\u2010\\s*")
NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}


class UnreadableOutput(Exception):
    """The file is not a readable PDF or EPUB."""


def words(text: str) -> list[str]:
    """Comparable words: NFKC (ligatures), hyphenation breaks joined, case folded."""
    text = _AUTO_HYPHEN.sub("", unicodedata.normalize("NFKC", text).replace("\u00ad", ""))
    return _WORD.findall(text.casefold())


@dataclass
class TocEntry:
    title: str
    target: str | None = None
    children: list[TocEntry] = field(default_factory=list)

    def walk(self) -> list[TocEntry]:
        return [self, *(entry for child in self.children for entry in child.walk())]


@dataclass
class Readback:
    kind: str
    toc_name: str
    #: Words of each page (PDF) or content document (EPUB), in reading order.
    pages: list[list[str]]
    toc: list[TocEntry]
    anchors: set[str]
    #: Where the element with each id starts in the flattened words, when the format tells.
    positions: dict[str, int] = field(default_factory=dict)


def read_pdf(path: Path) -> Readback:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        pages = [words(page.extract_text() or "") for page in reader.pages]
        toc = _outline(reader, reader.outline)
        anchors = set(reader.named_destinations)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableOutput(f"cannot be read as a PDF: {exc}") from exc
    return Readback("PDF", "PDF outline", pages, toc, anchors)


def _outline(reader: Any, outline: list[Any]) -> list[TocEntry]:
    entries: list[TocEntry] = []
    for node in outline:
        if isinstance(node, list):
            if entries:
                entries[-1].children.extend(_outline(reader, node))
        else:
            entries.append(TocEntry(str(node.title)))
    return entries


def read_epub(path: Path) -> Readback:
    try:
        with zipfile.ZipFile(path) as book:
            return _read_epub(book)
    except (zipfile.BadZipFile, OSError, KeyError, etree.XMLSyntaxError, IndexError) as exc:
        raise UnreadableOutput(f"cannot be read as an EPUB: {exc}") from exc


def _read_epub(book: zipfile.ZipFile) -> Readback:
    container = etree.fromstring(book.read("META-INF/container.xml"))
    opf_path = _attr(container.find(".//c:rootfile", NS), "full-path")
    opf = etree.fromstring(book.read(opf_path))
    base = posixpath.dirname(opf_path)
    manifest = {_attr(item, "id"): item for item in opf.iterfind(".//opf:manifest/opf:item", NS)}
    nav_items = [i for i in manifest.values() if "nav" in (i.get("properties") or "").split()]
    if not nav_items:
        raise KeyError("no navigation document (an item with properties=\"nav\")")
    nav_item = nav_items[0]
    nav_href = posixpath.join(base, _attr(nav_item, "href"))
    pages: list[list[str]] = []
    anchors: set[str] = set()
    positions: dict[str, int] = {}
    for ref in opf.iterfind(".//opf:spine/opf:itemref", NS):
        href = posixpath.join(base, _attr(manifest[_attr(ref, "idref")], "href"))
        if href != nav_href:
            offset = sum(map(len, pages))
            page_words: list[str] = []
            local: dict[str, int] = {}
            body = etree.fromstring(book.read(href)).find("x:body", NS)
            _collect(body, page_words, local, posixpath.basename(href))
            anchors.update(local)
            positions.update((key, offset + at) for key, at in local.items())
            pages.append(page_words)
    nav = etree.fromstring(book.read(nav_href))
    toc_navs = [n for n in nav.iter(f"{{{NS['x']}}}nav")
                if "toc" in (n.get(f"{{{NS['epub']}}}type") or "").split()]
    toc_list = toc_navs[0].find("x:ol", NS) if toc_navs else None
    toc = _nav_entries(toc_list) if toc_list is not None else []
    return Readback("EPUB", "EPUB navigation", pages, toc, anchors, positions)


def _attr(element: Any, name: str) -> str:
    """A required attribute; a missing one makes the EPUB unreadable."""
    value = element.get(name) if element is not None else None
    if not isinstance(value, str):
        raise KeyError(f"missing attribute '{name}'")
    return value


def _collect(element: Any, out: list[str], anchors: dict[str, int], document: str) -> None:
    """Words of ``element`` in document order; where each id (and ``document#id``) starts."""
    if element is None or not isinstance(element.tag, str):
        return
    if element_id := element.get("id"):
        anchors.setdefault(element_id, len(out))
        anchors.setdefault(f"{document}#{element_id}", len(out))
    if etree.QName(element).localname not in ("script", "style"):
        out.extend(words(element.text or ""))
        for child in element:
            _collect(child, out, anchors, document)
            out.extend(words(child.tail or ""))


def _nav_entries(ol: Any) -> list[TocEntry]:
    entries = []
    for li in ol.findall("x:li", NS):
        label = li.find("x:a", NS)
        if label is None:
            label = li.find("x:span", NS)
        title = "".join(label.itertext()) if label is not None else ""
        target = label.get("href") if label is not None else None
        child = li.find("x:ol", NS)
        entries.append(TocEntry(title, target, _nav_entries(child) if child is not None else []))
    return entries


READERS = {"pdf": read_pdf, "epub": read_epub}
