"""Print page numbers for the ebook: where each page of the printed leaflet begins.

A reader with the A4 leaflet in a clinic is told "see page 2"; the EPUB marks
the same places. The printed pages are read from WeasyPrint's real layout, not
estimated: for each page, the first line of body text and how many words of its
paragraph came on earlier pages. A place is named by a key both documents share,
because the print and the ebook templates differ around the content but render
the content itself the same way: the nearest enclosing element with an ``id``
(a section or an item) or, outside those, the top-level element (``footer.contact``),
and the index of the text block (paragraph, list entry, heading) within it. The
ebook's XHTML then gets an empty ``doc-pagebreak`` marker before that word.
Layouts are costly (~100 ms): the task that lays the printed leaflet out (its PDF,
or a layout alone when the PDF is not made) hands the page starts to the ebook's
task as data (``careleaf.pipeline.graph``). A disk cache (``files.Store``), addressed
by the printed HTML, the layout's files and careleaf's toolchain, keeps them for a
later build of the ebook alone; a build is right without it, only slower.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xml.etree import ElementTree

#: Elements whose text is one run of words: a page start is counted in words within one.
TEXT_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "pre",
                         "figcaption", "caption", "td", "th", "blockquote"})
#: Where a marker cannot stand beside a block, it goes inside the block instead.
_LIST_PARENTS = frozenset({"ul", "ol", "dl", "tr", "thead", "tbody", "table"})
_HYPHEN = "\u2010"  # WeasyPrint's automatic hyphen at a line end


@dataclass(frozen=True)
class PageStart:
    """Printed page ``number`` begins ``words`` words into text block ``block`` of ``anchor``."""

    number: int
    anchor: str
    block: int
    words: int

    @property
    def id(self) -> str:
        return f"page_{self.number}"  # ``_`` cannot occur in a source id, so never clashes

#: The class of what a layout repeats on every page (the draft mark): not body text.
REPEATED = "draft-mark"

def to_bytes(starts: Sequence[PageStart]) -> bytes:
    """Page starts as JSON, to keep (``files.Store``) for a later build's ebook."""
    return json.dumps([asdict(start) for start in starts]).encode()


def from_bytes(data: bytes) -> tuple[PageStart, ...] | None:
    """Page starts kept by ``to_bytes``; None if the bytes are not such a list."""
    try:
        return tuple(PageStart(**entry) for entry in json.loads(data))
    except (ValueError, TypeError):
        return None


def page_starts(document: Any, root: ElementTree.Element) -> list[PageStart]:
    """Where each laid-out page of a WeasyPrint ``document`` (parsed from ``root``) begins."""
    from weasyprint.formatting_structure import boxes

    keys = _block_keys(root)
    parents = {child: parent for parent in root.iter() for child in parent}
    words_seen: dict[int, list[str]] = {}
    starts = [PageStart(1, "", -1, 0)]
    for number, page in enumerate(document.pages, start=1):
        first = True
        for box in _body_text_boxes(page, boxes):
            block = _enclosing_block(box.element, parents)
            if block is None or id(block) not in keys:
                continue
            seen = words_seen.setdefault(id(block), [])
            if first and number > 1:
                anchor, index = keys[id(block)]
                starts.append(PageStart(number, anchor, index, _word_count(seen)))
            first = False
            seen.append(box.text)
    return starts


def _body_text_boxes(page: Any, boxes: Any) -> Iterator[Any]:
    """The page's text in order, without running headers, footers and list markers."""
    for child in page._page_box.children:
        if isinstance(child, boxes.MarginBox):
            continue
        for box in child.descendants():
            if (isinstance(box, boxes.TextBox) and box.text.strip()
                    and "::" not in (box.element_tag or "")):
                yield box


def _word_count(pieces: list[str]) -> int:
    """Words in the lines so far; a word hyphenated across the break counts as one."""
    text = "".join(piece[:-1] if piece.endswith(_HYPHEN) else piece + " " for piece in pieces)
    return len(text.split())


def _enclosing_block(element: Any, parents: dict[Any, Any]) -> Any:
    while element is not None and _local(element.tag) not in TEXT_BLOCKS:
        element = parents.get(element)
    return element


def _block_keys(root: Any) -> dict[int, tuple[str, int]]:
    """(anchor, index) of every text block, by ``id()`` of its element."""
    keys: dict[int, tuple[str, int]] = {}
    counts: dict[str, int] = {}

    def walk(element: Any, anchor: str, depth: int) -> None:
        if REPEATED in (element.get("class") or "").split():
            return  # on every page (fixed), so never where a page's own text begins
        if element.get("id"):
            anchor = element.get("id")
        elif depth == 1 and not anchor:  # a child of <body>
            anchor = f"{_local(element.tag)}.{(element.get('class') or '').split(' ')[0]}"
        if _local(element.tag) in TEXT_BLOCKS:
            keys[id(element)] = (anchor, counts.get(anchor, 0))
            counts[anchor] = counts.get(anchor, 0) + 1
        for child in element:
            if isinstance(child.tag, str):
                walk(child, anchor, depth + 1)

    body = next((e for e in root.iter() if isinstance(e.tag, str) and _local(e.tag) == "body"),
                root)
    walk(body, "", 0)
    return keys


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def mark_pages(body: Any, starts: Sequence[PageStart]) -> list[str]:
    """Put a page-break marker into the ebook's ``<body>`` (lxml) at every page start.

    Returns the page numbers whose place could not be found (the ebook lacks that
    block); those get a marker before their section, or at the end of the body.
    """
    import lxml.html

    keys = {key: element for element, key in _lxml_blocks(body)}
    missing = []
    for start in starts:
        # Parsed, not built: lxml's API refuses the prefixed name the HTML parser accepts.
        marker = lxml.html.fragment_fromstring(
            f'<span id="{start.id}" role="doc-pagebreak" epub:type="pagebreak" '
            f'aria-label="{start.number}"></span>')
        if start.number == 1 and start.block < 0:
            body.insert(0, marker)
        elif (block := keys.get((start.anchor, start.block))) is not None:
            _insert_at_word(block, start.words, marker)
        else:
            missing.append(str(start.number))
            anchor = next(iter(body.xpath("//*[@id=$id]", id=start.anchor)), None)
            if anchor is not None:
                anchor.addprevious(marker)
            else:
                body.append(marker)
    return missing


def _lxml_blocks(body: Any) -> Iterator[tuple[Any, tuple[str, int]]]:
    index = {id(element): element for element in body.iter() if isinstance(element.tag, str)}
    for element_id, key in _block_keys(body).items():
        yield index[element_id], key


def _insert_at_word(block: Any, words: int, marker: Any) -> None:
    """Insert ``marker`` just before word number ``words`` (0-based) of ``block``'s text."""
    if words == 0:
        parent = block.getparent()
        if parent is not None and _local(parent.tag) not in _LIST_PARENTS:
            block.addprevious(marker)
        else:
            block.insert(0, marker)
            marker.tail, block.text = block.text, None
        return
    count, in_word = 0, False
    for node, attr in _text_slots(block):
        text = getattr(node, attr) or ""
        for position, char in enumerate(text):
            if char.isspace():
                in_word = False
                continue
            if not in_word and count == words:
                _split_insert(node, attr, position, marker)
                return
            if not in_word:
                count += 1
            in_word = True
    block.append(marker)  # the page starts after the block's last word


def _text_slots(element: Any, *, tail: bool = False) -> Iterator[tuple[Any, str]]:
    """Every piece of text in ``element`` in reading order, as (element, "text"/"tail")."""
    if isinstance(element.tag, str):  # a comment's own text is not read
        yield element, "text"
        for child in element:
            yield from _text_slots(child, tail=True)
    if tail:
        yield element, "tail"


def _split_insert(node: Any, attr: str, position: int, marker: Any) -> None:
    text = getattr(node, attr)
    before, after = text[:position], text[position:]
    if attr == "text":
        setattr(node, attr, before)
        node.insert(0, marker)
    else:
        setattr(node, attr, before)
        node.addnext(marker)
    marker.tail = after
