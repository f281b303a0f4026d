"""The PDF reader: a PDF's text, with its font sizes and weights, as a ``Document``.

PDFium (``pypdfium2``) gives each character with its font size, font name, angle and
position; nothing else in a PDF says what is a heading. So the reader works from the
page the way a person does:

- **Lines**: characters on one baseline, in the order the page draws them (a bullet
  the page draws after its text is put back in front of it). Rotated text is a
  watermark (careleaf's "DRAFT" mark) and is dropped.
- **Running headers and footers**: a line near the top or bottom edge that repeats on
  every page (digits aside: "Page 1 of 2", "Page 2 of 2"), or that carries a page
  number there ("Page 1 of 1" on a one-page leaflet), is dropped, whole. Top and
  bottom are told apart, so a title at the top is never taken for the footer that
  repeats it.
- **careleaf's page furniture**: in a PDF careleaf made (its creator says
  "careleaf", or its kicker above the title names an organisation whose contact block
  follows), the kicker is dropped as "letterhead", and the QR code's caption, the
  urgent-help line, the contact block and the "About" text as "careleaf page
  furniture", as the HTML reader drops them by class (``CARELEAF_FURNITURE`` says how
  each is known here). Other PDFs keep all their text.
- **Headings**: the body size is the most common size. Bigger text is a heading; the
  biggest, if it appears once, is the title (level 1), the next size a section (2),
  smaller ones items (3); bold text of body size alone on its line is an item (3).
  Text ending in "." is a sentence, never a heading (a leaflet's summary line is set
  big). When the PDF has an outline (bookmarks), a line whose text is an outline entry
  on its page is a heading at the entry's depth, and text in the same style as no
  entry is not one, so careleaf's own PDFs read back exactly.
- **Ids**: a named destination just above a heading gives its ``anchor`` (WeasyPrint
  makes one for every element id, so careleaf's section and item ids come back).
- **Paragraphs and list entries**: a gap bigger than the body's usual line spacing
  starts a paragraph; a line starting with "•", "-", "1." (and the like) starts a list
  entry; a bold run opening a paragraph is its ``lead``.
- **Hyphens** at a line's end: a soft hyphen (U+00AD) or a hyphen U+2010 (what
  WeasyPrint hyphenates with) is a break, joined away. A plain "-" is a break only
  when the next line starts with a lower-case letter and the PDF marks no breaks
  with U+00AD or U+2010 (a PDF that does, or one WeasyPrint made, uses "-" only for
  real compounds, such as "ice-cold"); otherwise it is kept, and the lines joined
  without a space.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careleaf.ingest.model import Block, Document, Dropped, ImportProblem

#: How far from the top or bottom edge (a share of the page's height) a running
#: header or footer sits: WeasyPrint's page-margin boxes and Word's headers are here.
EDGE = 0.1
#: Bigger than the body by this factor is a heading's size, not the body's.
BIGGER = 1.08
#: A bold line of body size is a heading only when it is this short (in words).
SHORT_HEADING_WORDS = 12
#: Characters that start a list entry when they open a line.
BULLETS = ("•", "◦", "▪", "●", "‣", "-", "\u2013", "*")  # U+2013 EN DASH
NUMBERED = re.compile(r"^(\d{1,2}|[a-z])[.)]\s")
PAGE_NUMBER = re.compile(r"(?i)^(page\s+)?#+(\s*(of|/)\s*#+)?$|\bpage\s+#+\s+of\s+#+")
BOLD_NAME = re.compile(r"(?i)bold|black|heavy|semibold|demi")
LINE_BREAK_HYPHENS = ("\u00ad", "\u2010")
#: Why careleaf's page furniture is dropped, as the HTML reader says it.
FURNITURE = "careleaf page furniture"
#: careleaf's page furniture as a printed PDF shows it, by the class the templates
#: give it (``html.CARELEAF_FURNITURE`` names the same classes on a web page; the PDF
#: has no classes, so each is known by its place, size or words instead).
CARELEAF_FURNITURE = {
    "draft-mark": "rotated text: dropped as a watermark",
    "running-footer": "repeated at the bottom edge: dropped as a running footer",
    "kicker": "what stands above the title heading: dropped as 'letterhead'",
    "masthead-qr": "text set smaller than the body between the title and the first "
                   "section (the QR code's caption, 'Scan for the ebook')",
    "contact": "from the last paragraph that opens with the kicker's organisation, to "
               "the end",
    "about": "after the contact block, to the end ('Written by … Based on: …')",
    "urgent-line": "the bold lead-in paragraph just above the contact block",
    "urgent": "the bold lead-in paragraph just above the contact block (when the "
              "leaflet has no see-a-doctor section)",
}
#: A text style: its size and whether it is bold.
_Style = tuple[float, bool]


@dataclass
class _Char:
    text: str
    size: float
    bold: bool
    x: float
    y: float
    top: float


@dataclass
class _Line:
    """Characters on one baseline of one page."""

    page: int
    chars: list[_Char] = field(default_factory=list)
    bullet: str = ""

    @property
    def text(self) -> str:
        return " ".join("".join(c.text for c in self.chars).split())

    @property
    def y(self) -> float:
        return self.chars[0].y

    @property
    def top(self) -> float:
        return max(c.top for c in self.chars)

    @property
    def x0(self) -> float:
        return min(c.x for c in self.chars)

    def _visible(self) -> list[_Char]:
        return [c for c in self.chars if not c.text.isspace()] or self.chars

    @property
    def size(self) -> float:
        return Counter(round(c.size, 1) for c in self._visible()).most_common(1)[0][0]

    @property
    def bold(self) -> bool:
        return all(c.bold for c in self._visible())

    @property
    def lead(self) -> str:
        """The bold run that opens the line, when the rest of it is not bold."""
        chars = self._visible()
        if self.bold or not chars[0].bold:
            return ""
        count = next(i for i, c in enumerate(self.chars) if not c.bold and not c.text.isspace())
        return " ".join("".join(c.text for c in self.chars[:count]).split())


def read(path: Path, data: bytes) -> Document:
    """``data`` (the bytes of ``path``), a PDF, as a flat run of blocks."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    pdf = _open(pdfium, data)
    try:
        pages, dropped, heights = _read_pages(pdf)
        if not any(pages):
            raise ImportProblem("has no text layer (it is probably a scan, or pictures of "
                                "text): run OCR on it first, for example with ocrmypdf, and "
                                "import the result", "page 1")
        lines = _drop_running(pages, heights, dropped)
        meta = pdf.get_metadata_dict()
        # WeasyPrint hyphenates with U+2010, so its "-" are always real (field notes).
        marked = meta.get("Producer", "").startswith("WeasyPrint")
        reader = _Blocks(lines, _outline(pdf), _destinations(pdf), marked)
        blocks = _without_furniture(reader.placed(), reader.body, meta, dropped)
        return Document(path=path, kind="pdf", blocks=tuple(blocks),
                        title=_title(meta.get("Title", ""), blocks),
                        authors=_authors(meta.get("Author", "")), origin=path.name,
                        lang=_language(pdf), dropped=tuple(dropped))
    finally:
        pdf.close()


def _open(pdfium: Any, data: bytes) -> Any:
    """The PDFium document, or an ``ImportProblem`` that says what to do instead."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
            raise ImportProblem("is encrypted (it needs a password to open): save an "
                                "unencrypted copy (in a PDF viewer, print or export it "
                                "without a password) and import that") from None
        raise ImportProblem(f"is not a readable PDF ({exc}): open it in a PDF viewer and "
                            "save or export it again as PDF") from None


def _read_pages(pdf: Any) -> tuple[list[list[_Line]], list[Dropped], list[float]]:
    """Each page's lines, rotated text dropped as a watermark, and each page's height."""
    pages, dropped, heights = [], [], []
    for index in range(len(pdf)):
        page = pdf[index]
        heights.append(page.get_height())
        textpage = page.get_textpage()
        lines, rotated = _lines(index, textpage)
        if rotated.strip():
            dropped.append(Dropped(" ".join(rotated.split()), "watermark (rotated text)",
                                   f"page {index + 1}"))
        pages.append(_bullets_in_place(lines))
        textpage.close()
        page.close()
    return pages, dropped, heights


def _chars(textpage: Any) -> Iterator[tuple[_Char, bool]]:
    """Each character PDFium finds on the page, and whether it is rotated."""
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()
    for index in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(textpage, index)
        # PDFium adds line breaks of its own; the reader finds lines from positions.
        if code in (0, 0xFFFE, 0xFFFF) or (raw.FPDFText_IsGenerated(textpage, index)
                                            and chr(code) in "\r\n"):
            continue
        raw.FPDFText_GetFontInfo(textpage, index, name, 256, ctypes.byref(flags))
        raw.FPDFText_GetCharOrigin(textpage, index, x, y)
        raw.FPDFText_GetCharBox(textpage, index, left, right, bottom, top)
        weight = raw.FPDFText_GetFontWeight(textpage, index)
        bold = weight >= 600 or bool(BOLD_NAME.search(name.value.decode("latin-1")))
        angle = raw.FPDFText_GetCharAngle(textpage, index)
        rotated = 0.01 < angle < 6.27  # radians: anything but upright
        # PDFium reports a "-" that ends a line as U+0002; it is a "-" all the same.
        size = raw.FPDFText_GetFontSize(textpage, index)
        yield (_Char("-" if code == 2 else chr(code), size, bold, x.value, y.value,
                     max(top.value, y.value)), rotated)


def _lines(page: int, textpage: Any) -> tuple[list[_Line], str]:
    """The page's lines in drawing order, and its rotated text."""
    lines: list[_Line] = []
    rotated = []
    for char, turned in _chars(textpage):
        if turned:
            rotated.append(char.text)
            continue
        if char.text in "\r\n":
            continue
        line = lines[-1] if lines else None
        if (line is None or abs(char.y - line.y) > 0.4 * max(char.size, 1)
                or char.x < line.chars[-1].x - 2 * max(char.size, 1)
                # a wide gap on one baseline is a gutter between two columns or boxes
                or char.x > line.chars[-1].x + 4 * max(char.size, 1)):
            line = _Line(page)
            lines.append(line)
        line.chars.append(char)
    return [line for line in lines if line.text], "".join(rotated)


def _bullets_in_place(lines: list[_Line]) -> list[_Line]:
    """Lines with a bullet the page drew apart (WeasyPrint draws list markers after the
    text) put back at the start of the line beside them, on the same baseline."""
    kept = []
    for line in lines:
        text = line.text
        if text in BULLETS or NUMBERED.match(text + " "):
            beside = [other for other in lines if other is not line and not other.bullet
                      and abs(other.y - line.y) < 1 and other.x0 > line.x0
                      and other.text not in BULLETS]
            if beside:
                min(beside, key=lambda other: other.x0 - line.x0).bullet = text
                continue
        kept.append(line)
    for line in kept:
        _take_marker(line)
    return kept


def _take_marker(line: _Line) -> None:
    """A line that starts with its own bullet or number ("• Sip…", "1. Sip…") loses it
    to ``bullet``."""
    text = line.text
    marker = next((b for b in BULLETS if text.startswith(b + " ")), "")
    if not marker and (match := NUMBERED.match(text)):
        marker = match.group(0).strip()
    if not marker or line.bullet:
        return
    visible = 0
    while line.chars and visible < len(marker):
        visible += not line.chars.pop(0).text.isspace()
    while line.chars and line.chars[0].text.isspace():
        line.chars.pop(0)
    line.bullet = marker


def _drop_running(pages: list[list[_Line]], heights: list[float],
                  dropped: list[Dropped]) -> list[_Line]:
    """Every line but the running headers and footers, which go to ``dropped``."""
    def text(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.casefold())

    def key(line: _Line) -> tuple[bool, str]:
        # The edge is part of the key: a title at the top of page 1 is no running
        # footer, though the footer repeats its words at the bottom of every page.
        return line.top > heights[line.page] * (1 - EDGE), text(line)

    def at_edge(line: _Line) -> bool:
        height = heights[line.page]
        return line.top > height * (1 - EDGE) or line.y < height * EDGE

    counts = Counter(k for lines in pages for k in {key(line) for line in lines if at_edge(line)})
    needed = len(pages) if len(pages) < 3 else len(pages) - 1  # page 1 often has none
    running = [line for lines in pages for line in lines if at_edge(line) and (
        (len(pages) > 1 and counts[key(line)] >= needed) or PAGE_NUMBER.search(text(line)))]
    # A footer's other parts on the page number's baseline ("Leg cramps · Version 2.1")
    # go with it, though a one-page leaflet cannot show that they repeat.
    baselines = {(line.page, round(line.y)) for line in running}
    kept = []
    for line in (line for lines in pages for line in lines):
        if at_edge(line) and {(line.page, round(line.y) + d) for d in (-1, 0, 1)} & baselines:
            dropped.append(Dropped(line.text, "running header or footer",
                                   f"page {line.page + 1}"))
        else:
            kept.append(line)
    return kept


@dataclass(frozen=True)
class _Entry:
    """An outline entry (bookmark) or a named destination: a place on a page."""

    page: int
    name: str
    level: int = 0
    top: float | None = None


def _outline(pdf: Any) -> list[_Entry]:
    entries = []
    for item in pdf.get_toc():
        dest = item.get_dest()
        page = dest.get_index() if dest is not None else None
        if page is not None:
            view = dest.get_view()[1] if dest is not None else []
            top = view[1] if len(view) > 1 and view[1] is not None else None
            entries.append(_Entry(page, _normal(item.get_title()), item.level, top))
    return entries


def _destinations(pdf: Any) -> list[_Entry]:
    """The PDF's named destinations that name a point on a page."""
    import pypdfium2.raw as raw

    found = []
    for index in range(raw.FPDF_CountNamedDests(pdf)):
        size = ctypes.c_long(0)
        raw.FPDF_GetNamedDest(pdf, index, None, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(max(size.value, 2))
        dest = raw.FPDF_GetNamedDest(pdf, index, buffer, ctypes.byref(size))
        if not dest:
            continue
        name = buffer.raw[: max(size.value - 2, 0)].decode("utf-16-le", "replace")
        has_x, has_y, has_zoom = (ctypes.c_int() for _ in range(3))
        x, y, zoom = (ctypes.c_float() for _ in range(3))
        raw.FPDFDest_GetLocationInPage(dest, has_x, has_y, has_zoom, x, y, zoom)
        page = raw.FPDFDest_GetDestPageIndex(pdf, dest)
        if page >= 0 and has_y.value:
            found.append(_Entry(page, name, top=y.value))
    return found


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Blocks:
    """Lines to blocks: headings by size, weight and the outline; paragraphs by spacing."""

    def __init__(self, lines: list[_Line], outline: list[_Entry],
                 destinations: list[_Entry], breaks_marked: bool = False) -> None:
        self.lines, self.outline, self.destinations = lines, outline, destinations
        sizes: Counter[float] = Counter()
        for line in lines:
            sizes.update(round(c.size, 1) for c in line.chars if not c.text.isspace())
        self.body = sizes.most_common(1)[0][0]
        self.levels = self._levels()
        self.spacing = self._spacing()
        self.breaks_marked = breaks_marked or any(line.text.endswith(LINE_BREAK_HYPHENS)
                                                  for line in lines)

    def _outline_level(self, line: _Line) -> int | None:
        text = _normal(line.text)
        return next((min(e.level + 1, 3) for e in self.outline
                     if e.page == line.page and (e.name == text or e.name.startswith(text))
                     and (e.top is None or line.top - 1 <= e.top <= line.top + 30)),
                    None)

    def _levels(self) -> dict[_Style, int]:
        """Each heading style (size, bold) and its level."""
        bigger = sorted({line.size for line in self.lines if line.size > self.body * BIGGER},
                        reverse=True)
        # The biggest size, set once, is the title; without one, sections are biggest.
        title_once = bool(bigger) and sum(line.size == bigger[0] for line in self.lines) == 1
        levels = {}
        for rank, size in enumerate(bigger):
            level = min(rank + (1 if title_once else 2), 3)
            levels[(size, True)] = levels[(size, False)] = level
        levels[(self.body, True)] = 3
        if self.outline:
            levels = self._outline_styles(levels)
        return levels

    def _outline_styles(self, levels: dict[_Style, int]) -> dict[_Style, int]:
        """With an outline, only the styles its entries are set in are heading styles."""
        styles = {(line.size, line.bold): level for line in self.lines
                  if (level := self._outline_level(line)) is not None}
        return {style: styles.get(style, level) for style, level in levels.items()
                if style in styles}

    def _spacing(self) -> float:
        """The distance between the baselines of two lines of one body paragraph: the
        smallest between body lines (paragraph gaps are bigger), at most 1.3 times the
        body size (when no paragraph wraps, every gap is a paragraph gap)."""
        gaps = [before.y - after.y for before, after in zip(self.lines, self.lines[1:],
                                                            strict=False)
                if before.page == after.page and before.size == after.size == self.body
                and before.y - after.y > self.body * 0.5]
        return min([*gaps, self.body * 1.3])

    def heading_level(self, line: _Line) -> int | None:
        level = self._outline_level(line) if self.outline else None
        if level is not None:
            return level
        style = (line.size, line.bold)
        if style not in self.levels or line.bullet or line.lead:
            return None
        if style == (self.body, True) and len(line.text.split()) > SHORT_HEADING_WORDS:
            return None
        return self.levels[style]

    def blocks(self) -> list[Block]:
        return [block for block, _ in self.placed()]

    def placed(self) -> list[tuple[Block, _Line]]:
        """Each block with its first line (its size and place tell furniture apart)."""
        placed: list[tuple[Block, _Line]] = []
        group: list[_Line] = []
        kind: str = ""
        for line in self.lines:
            level = self.heading_level(line)
            line_kind = "heading" if level is not None else ("item" if line.bullet
                                                              else "paragraph")
            if group and self._continues(group, kind, line, line_kind):
                group.append(line)
                continue
            if group:
                placed.append((self._block(group, kind), group[0]))
            group, kind = [line], line_kind
        if group:
            placed.append((self._block(group, kind), group[0]))
        return [(block, line) for block, line in placed if block.text or block.lead]

    def _continues(self, group: list[_Line], kind: str, line: _Line, line_kind: str) -> bool:
        """Whether ``line`` goes on the block ``group`` is."""
        last = group[-1]
        if line.bullet or line.lead or line.size != last.size or (
                line.bold != last.bold and "heading" in (kind, line_kind)):
            return False
        if line_kind == "heading":
            return kind == "heading" and line.page == last.page and (
                last.y - line.y) <= line.size * 1.6 and self._outline_level(line) is None
        if kind == "heading":
            return False
        if line.page != last.page:  # a paragraph that runs on over the page break
            return not last.text.endswith((".", "!", "?", ":")) and line.text[:1].islower()
        return 0 < last.y - line.y <= self.spacing * 1.1 + 0.5

    def _block(self, group: list[_Line], kind: str) -> Block:
        first = group[0]
        text = self._join(group)
        lead = first.lead if kind != "heading" else ""
        if lead and text.startswith(lead):
            text = text[len(lead):].strip()
        where = f"page {first.page + 1}"
        if kind == "heading":
            level = self.heading_level(first) or 3
            return Block("heading", text, level=level, where=where, anchor=self._anchor(first))
        return Block("item" if kind == "item" else "paragraph", text, lead=lead, where=where)

    def _join(self, group: list[_Line]) -> str:
        """The lines' text as one, hyphenated breaks joined (see the module's docstring)."""
        text = ""
        for line in group:
            piece = line.text
            if not text:
                text = piece
            elif text.endswith(LINE_BREAK_HYPHENS):
                text = text[:-1] + piece
            elif text.endswith("-") and text[-2:-1].isalpha():
                break_hyphen = piece[:1].islower() and not self.breaks_marked
                text = (text[:-1] if break_hyphen else text) + piece
            else:
                text = f"{text} {piece}"
        return " ".join(text.replace("\u00ad", "").split())

    def _anchor(self, line: _Line) -> str:
        """The id of the named destination just above the heading's first line, if any."""
        near = [dest for dest in self.destinations if dest.page == line.page
                and dest.top is not None and line.top - 1 <= dest.top <= line.top + 30]
        if not near:
            return ""
        best = min(near, key=lambda dest: (dest.top or 0) - line.top)
        self.destinations.remove(best)
        return best.name


def _without_furniture(placed: list[tuple[Block, _Line]], body: float,
                       meta: dict[str, str], dropped: list[Dropped]) -> list[Block]:
    """The blocks, less careleaf's page furniture when careleaf made the PDF (its
    creator says so, or its kicker names an organisation whose contact block follows);
    what goes is added to ``dropped``. Other PDFs keep every block."""
    blocks = [block for block, _ in placed]
    organisation = _organisation(blocks)
    if not (meta.get("Creator", "").startswith("careleaf") or organisation):
        return blocks
    furniture = _furniture(placed, body, organisation)
    dropped.extend(Dropped(_whole(block), furniture[index], block.where)
                   for index, block in enumerate(blocks) if index in furniture)
    return [block for index, block in enumerate(blocks) if index not in furniture]


def _furniture(placed: list[tuple[Block, _Line]], body: float,
               organisation: str) -> dict[int, str]:
    """Which blocks are furniture (see ``CARELEAF_FURNITURE``), by index, and why."""
    blocks = [block for block, _ in placed]
    title = _title_index(blocks)
    found = dict.fromkeys(range(title if title is not None else 0), "letterhead")
    first_section = next((i for i, b in enumerate(blocks) if b.kind == "heading"
                          and b.level > 1), len(blocks))
    for index in range((title or 0) + 1, first_section):
        if title is not None and placed[index][1].size < body:
            found[index] = FURNITURE  # the QR code's caption, small beside the summary
    contact = _contact_index(blocks, organisation) if organisation else None
    if contact is not None:
        found |= dict.fromkeys(range(contact, len(blocks)), FURNITURE)
        if contact > first_section and blocks[contact - 1].lead:
            found[contact - 1] = FURNITURE  # the urgent-help line, just above it
    return found


def _title_index(blocks: list[Block]) -> int | None:
    """Where the title heading is: the first heading, when it is a level-1 one."""
    first = next((i for i, b in enumerate(blocks) if b.kind == "heading"), None)
    return first if first is not None and blocks[first].level == 1 else None


def _organisation(blocks: list[Block]) -> str:
    """The organisation careleaf's kicker names ("PATIENT INFORMATION · RIVERSIDE
    COMMUNITY CLINIC", above the title), when a later block (its contact block) opens
    with it: careleaf's letterhead, whatever the PDF's metadata says."""
    title = _title_index(blocks)
    if not title:
        return ""
    kicker = _plain(_whole(blocks[title - 1]))
    named = kicker.rpartition(" · ")[2] if " · " in kicker else ""
    if named and _contact_index(blocks, named) is not None:
        return named
    return ""


def _contact_index(blocks: list[Block], organisation: str) -> int | None:
    """The contact block: the last paragraph after the sections that opens with the
    organisation's name (careleaf sets it in bold, so it is the block's lead)."""
    title = _title_index(blocks) or 0
    wanted = _plain(organisation)
    found = [index for index, block in enumerate(blocks) if index > title
             and block.kind != "heading" and _plain(_whole(block)).startswith(wanted)]
    return found[-1] if found else None


def _whole(block: Block) -> str:
    return f"{block.lead} {block.text}".strip()


def _plain(text: str) -> str:
    """Text to compare: case folded (the kicker is set in capitals), bidi isolates
    (careleaf's ``isolate`` filter) and extra spaces gone."""
    return " ".join(re.sub("[\u2066-\u2069]", "", text).split()).casefold()


def _title(metadata_title: str, blocks: list[Block]) -> str:
    """The title: the first page's title heading the metadata's title contains (that
    leaves out prefixes such as careleaf's "[DRAFT - not for patients]"), else the
    metadata's title, else the biggest text on the first page."""
    first_page = [b for b in blocks if b.kind == "heading" and b.where == "page 1"]
    wanted = _normal(metadata_title)
    for block in sorted(first_page, key=lambda b: b.level):
        if wanted and _normal(block.text) in wanted:
            return block.text
    if metadata_title.strip():
        return " ".join(metadata_title.split())
    return min(first_page, key=lambda b: b.level).text if first_page else ""


def _authors(author: str) -> tuple[str, ...]:
    """The metadata's ``/Author``; several are written with ";" between them."""
    return tuple(name.strip() for name in author.split(";") if name.strip())


def _language(pdf: Any) -> str:
    import pypdfium2.raw as raw

    size = raw.FPDFCatalog_GetLanguage(pdf, None, 0)
    if size <= 2:
        return ""
    buffer = (ctypes.c_ushort * (size // 2))()
    raw.FPDFCatalog_GetLanguage(pdf, buffer, size)
    return bytes(buffer)[: size - 2].decode("utf-16-le", "replace").strip()
