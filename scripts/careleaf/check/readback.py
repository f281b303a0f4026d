"""Read built outputs back: the words a reader sees, the table of contents, the anchors.

The completeness check must look at what is really in a file, not at what the
build meant to write. This module opens a PDF with PDFium (pypdfium2, the text
of each page) and pypdf (outline, named destinations), and an EPUB with zipfile
and lxml, and reduces both to the same ``Readback``: words per page (PDF) or per
content document (EPUB), the outline or navigation tree, and the set of element
ids a link can reach. Words are normalised the same way for source and output,
undoing what typesetting does to text: automatic hyphenation (WeasyPrint breaks
lines with U+2010), ligatures and Arabic letter forms, Arabic vowel marks and
tatweel, line breaks between Chinese characters, justified spacing, case.

A PDF holds right-to-left lines in visual order. Each such line is rebuilt from
the positions of its glyphs and put back into reading order (``careleaf.i18n.bidi``);
a PDF's ``Readback`` also keeps its words line by line, each run of Latin words and
digits as it shows, for the brand's contact details (``check.contacts``).
pypdf is not used for page text: it reverses each right-to-left piece as it
comes, which shuffles wrapped Arabic paragraphs and puts Latin words and numbers
on the wrong side of their neighbours; PDFium gives every character's position.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import math
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from careleaf.i18n.bidi import logical_order, moves, reading_order
from careleaf.i18n.languages import language
from careleaf.outputs import FORMATS

#: Han ideographs, kana, bopomofo and Hangul: lines break between any two of them,
#: so each is a word of its own (the source has no spaces there to go by either).
_CJK = ("\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035"
        "\u3038-\u303c\u3040-\u30ff\u3100-\u318f\u31a0-\u31ff\u3400-\u4dbf"
        "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\U00020000-\U0003ffff")
_WORD = re.compile(f"(?=\\w)[{_CJK}]|[^\\W{_CJK}]+")
_AUTO_HYPHEN = re.compile("\u2010\\s*")
#: Arabic harakat, Quranic marks and tatweel; Hebrew points. See ``words``.
_MARKS = re.compile("[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a"
                    "\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8"
                    "\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff]")
#: Presentation forms of the harakat, which NFKC would turn into a space and a mark.
_PRESENTED_MARKS = re.compile("[\ufe70-\ufe7f]")
NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}


class UnreadableOutput(Exception):
    """The file is not a readable PDF or EPUB."""


def words(text: str) -> list[str]:
    """Comparable words of ``text`` (source or output, in reading order).

    NFKC undoes ligatures (``ﬁ``) and Arabic presentation forms (lam-alef); soft
    hyphens go and hyphenation breaks are joined; case is folded. Arabic tatweel
    (a stretch of the joining stroke) and vowel marks (harakat), and Hebrew points,
    are dropped: PDFium reads each raised mark as a separate character, out of its
    place and with spaces round it (``مُدَّ`` comes back as ``ُم َّد``), so they cannot
    be compared. Each CJK character is a word, so a line break between any two is
    no break in a word; CJK punctuation separates like any other.
    """
    text = unicodedata.normalize("NFKC", _PRESENTED_MARKS.sub("", text)).replace("\u00ad", "")
    text = _MARKS.sub("", _AUTO_HYPHEN.sub("", text))
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
    #: The paragraph direction (right to left?) when the text was read from visual
    #: order, as in a PDF; None when the format keeps the order it was written in.
    visual_rtl: bool | None = None
    #: A PDF's words line by line (pages, or regions, in reading order), each run of
    #: Latin words and digits as it shows (``bidi.logical_order``'s ``ltr_numbers``): a
    #: phone number whole on its line reads whole, whatever stands beside it. Empty
    #: for a format without lines (EPUB).
    lines: list[list[str]] = field(default_factory=list)

    def source_words(self, text: str) -> list[str]:
        """The words of source ``text`` in the order this output can give them back.

        Text read from visual order is compared in ``reading_order``: Latin words and
        numbers inside Arabic come back in the order the eye reads them, which is not
        always the order they were written in (``500 mg`` reads back as ``mg 500``).
        """
        if self.visual_rtl is None:
            return words(text)
        return words(reading_order(text, self.visual_rtl))


#: Parts of pages read as pages of their own, in reading order: (page index, left x,
#: right x) in points. A tri-fold sheet's panels (``formats.panels.panel_regions``): a
#: paragraph may run on from one panel to the next as from one page to the next.
Regions = tuple[tuple[int, float, float], ...]


def read_pdf(path: Path, regions: Regions = ()) -> Readback:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        toc = _outline(reader, reader.outline)
        anchors = set(reader.named_destinations)
        rtl = language(str(reader.root_object.get("/Lang", "en"))).rtl
        read = page_lines(path, rtl, regions)
    except (PyPdfError, pdfium.PdfiumError, OSError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableOutput(f"cannot be read as a PDF: {exc}") from exc
    pages = [words(reading_order("\n".join(line.text for line in page), rtl)) for page in read]
    lines = [words(line.as_read) for page in read for line in page]
    return Readback("PDF", "PDF outline", pages, toc, anchors, visual_rtl=rtl, lines=lines)


@dataclass(frozen=True)
class Line:
    """One line of a page: in reading order (``bidi.logical_order``), and ``as_read``,
    each run of Latin words and digits as it shows (its ``ltr_numbers``)."""

    text: str
    as_read: str


def page_texts(path: Path, rtl: bool, regions: Regions = ()) -> list[str]:
    """The text of each page (or of each of ``regions``), line by line in reading order
    (``rtl``: the paragraphs')."""
    return ["\n".join(line.text for line in page) for page in page_lines(path, rtl, regions)]


def page_lines(path: Path, rtl: bool, regions: Regions = ()) -> list[list[Line]]:
    """The lines of each page (or of each of ``regions``)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        if not regions:
            return [_page_lines(document[index], rtl) for index in range(len(document))]
        return [_page_lines(document[index], rtl, (left, right))
                for index, left, right in regions if index < len(document)]
    finally:
        document.close()


def _page_lines(page: Any, rtl: bool, span: tuple[float, float] | None = None) -> list[Line]:
    """The page's lines; with ``span``, of the characters whose middle is in that range
    of x (the panels of a sheet are drawn one after another, so lines never mix)."""
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    textpage = page.get_textpage()
    try:
        chars = _characters([raw.FPDFText_GetUnicode(textpage.raw, index)
                             for index in range(textpage.count_chars())])
        if span is not None:
            chars = _within(textpage, chars, span)
        return [_line(textpage.raw, line, chars, rtl) for line in _lines(chars)]
    finally:
        textpage.close()
        page.close()


def _within(textpage: Any, chars: list[str], span: tuple[float, float]) -> list[str]:
    """``chars`` with those outside ``span`` emptied, and turned ones (a draft's mark
    across the panel, which PDFium may run into the panel's last line); line ends stay,
    to end lines."""
    import pypdfium2.raw as raw

    kept = list(chars)
    for index, char in enumerate(chars):
        if char and char not in "\r\n":
            left, _, right, _ = textpage.get_charbox(index)
            angle = raw.FPDFText_GetCharAngle(textpage.raw, index)
            turned = min(angle, 2 * math.pi - angle) > 0.01
            if turned or not span[0] <= (left + right) / 2 < span[1]:
                kept[index] = ""
    return kept


def _characters(codes: list[int]) -> list[str]:
    """The text of each of PDFium's characters; "" for the second half of a pair.

    PDFium gives a character beyond U+FFFF (a rare Han ideograph) as its two UTF-16
    halves, and a hyphen that ends a line as U+0002, joining the two lines.
    """
    chars = ["-\n" if code == 2 else chr(code) for code in codes]
    for index in range(len(codes) - 1):
        if 0xD800 <= codes[index] < 0xDC00 <= codes[index + 1] < 0xE000:
            pair = chars[index] + chars[index + 1]
            chars[index:index + 2] = [pair.encode("utf-16", "surrogatepass").decode("utf-16"), ""]
    return chars


def _lines(chars: list[str]) -> list[list[int]]:
    """The indices of the characters of each line (PDFium ends one with CR LF)."""
    lines: list[list[int]] = [[]]
    for index, char in enumerate(chars):
        if not char:
            continue
        if char in "\r\n":
            if lines[-1]:
                lines.append([])
        else:
            lines[-1].append(index)
            if char.endswith("\n"):
                lines.append([])
    return [line for line in lines if line]


def _line(textpage: Any, line: list[int], chars: list[str], rtl: bool) -> Line:
    text = "".join(chars[index] for index in line)
    if not rtl and not moves(text, rtl):
        return Line(text, text)  # PDFium's order is the reading order already
    # In a right-to-left paragraph, PDFium may give even a line of Latin words backwards.
    units = _visual_units(textpage, line, chars)
    return Line("".join(logical_order(units, rtl)).strip(),
                "".join(logical_order(units, rtl, ltr_numbers=True)).strip())


@dataclass
class _Glyph:
    text: str
    origin: float
    left: float
    right: float
    height: float


def _visual_units(textpage: Any, line: list[int], chars: list[str]) -> list[str]:
    """The glyphs of one line left to right, with a space wherever a gap parts words.

    PDFium's own order and spaces are not used: it orders the runs of a mixed line
    by a guess at its direction, and it puts a space before every raised mark.
    """
    glyphs: list[_Glyph] = []
    for index in line:
        glyph = _glyph(textpage, index, chars[index].rstrip("\n"))
        if glyph.text.isspace() and glyph.right - glyph.left < _EPSILON:
            continue  # a space PDFium inferred; the gaps tell where words part
        if unicodedata.combining(glyph.text[0]):
            # Marks are not compared (see ``words``), and PDFium may list a mark twice,
            # once with a position far from its letter: its box would invent a gap.
            continue
        if glyphs and abs(glyph.origin - glyphs[-1].origin) < _EPSILON:
            glyphs[-1].text += glyph.text  # one glyph for several characters
        else:
            glyphs.append(glyph)
    glyphs.sort(key=lambda glyph: glyph.origin)
    units: list[str] = []
    for index, glyph in enumerate(glyphs):
        if index and glyph.left - glyphs[index - 1].right > _WORD_GAP * glyph.height:
            units.append(" ")
        units.append(glyph.text)
    return units


#: Positions closer than this (in points) are the same.
_EPSILON = 0.01
#: A gap between glyphs wider than this part of their height separates two words.
_WORD_GAP = 0.1


def _glyph(textpage: Any, index: int, text: str) -> _Glyph:
    import pypdfium2.raw as raw

    box = raw.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    raw.FPDFText_GetLooseCharBox(textpage, index, ctypes.byref(box))
    raw.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(x), ctypes.byref(y))
    return _Glyph(text, x.value, box.left, box.right, box.top - box.bottom)


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


def read_output(path: Path, kind: str, regions: Regions = ()) -> Readback:
    """The output at ``path`` read back by its format's reader (``outputs.FORMATS``),
    once per version of the file: the completeness and page-list checks both need the A4
    PDF's text. A PDF with ``regions`` (a tri-fold sheet) is read region by region."""
    # Keyed by content, not by mtime, whose resolution can miss a quick rewrite.
    return _read_cached(path, kind, hashlib.sha256(path.read_bytes()).hexdigest(), regions)


@functools.lru_cache(maxsize=8)
def _read_cached(path: Path, kind: str, digest: str, regions: Regions) -> Readback:
    if regions:
        return read_pdf(path, regions)
    readback: Readback = FORMATS[kind].read_back(path)
    return readback
