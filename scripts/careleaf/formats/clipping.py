"""Clipping: text a printed page would cut off, found in WeasyPrint's laid-out boxes.

A word longer than its line (a 3,000-letter typo, a long web address) runs on past
the edge of its page, its tri-fold panel or a box with ``overflow: hidden``, and the
PDF silently cuts it there: the reader loses words and the build says nothing.
``check_clipping`` walks every laid-out page after ``HTML.render`` and before anything
is written, and fails the output with one error per source line whose text reaches
outside, so the old file stays and the writer is sent to the line to mend.

What counts is ink a reader would miss. A text box whose line box only brushes an
edge (Arabic fonts are tall, at the foot of a page) is measured again from Pango's
ink extents before it is called cut, so text that prints whole is never refused.
The page box is the trimmed paper (or panel): bleed and crop marks, with
``--print-ready``, lie outside it and hold no text. Boxes under a CSS transform are
not checked: their laid-out positions are not where they print.

Only text near an edge costs more than four comparisons per text box; working out
the source line (the parents of elements, the source file) happens only on failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from careleaf.errors import CareleafError, Location, Report
from careleaf.files import UnreadableFile, read_regular
from careleaf.formats.job import Job
from careleaf.project import MAX_SOURCE_BYTES
from careleaf.source.model import Block

#: ``(left, top, right, bottom)`` in CSS pixels, the unit of WeasyPrint's boxes.
Rect = tuple[float, float, float, float]

#: How far ink may reach past an edge and still print whole: 1 pt (4/3 px) for
#: rounding and anti-aliasing. Any letter that is really cut is wider than that.
TOLERANCE = 4 / 3

#: How many characters of a cut word a message quotes.
EXCERPT = 20

#: What WeasyPrint (U+2010) or a soft hyphen adds at a line end: not in the source.
_HYPHENS = "\u2010\u00ad-"


@dataclass(frozen=True)
class _Clip:
    """Where text stays visible: ``rect``, the paper less any ``overflow`` box around it."""

    rect: Rect
    paper: Rect


@dataclass(frozen=True)
class _Cut:
    """Text of laid-out page ``page`` (1-based) that reaches outside its clip."""

    page: int
    element: Any
    #: The word that crosses the edge, or the whole line when it is cut at top or bottom.
    word: str
    chars: int
    #: Past the paper's (panel's) edge, not only an ``overflow: hidden`` box's.
    off_paper: bool
    #: Past a side: a word too long for its line, not a line below the page.
    sideways: bool
    #: Made by the layout's CSS (a list bullet, ``::before``), not the element's own text.
    generated: bool = False


def check_clipping(job: Job, document: Any) -> None:
    """Fail ``job`` if any laid-out text of ``document`` is cut off at the edge of its
    page, panel or ``overflow`` box: one error per source line, all in one report."""
    cuts = list(_find_cuts(document))
    if cuts:
        locator = _Locator(job, _parents(document))
        raise CareleafError(_report(job, cuts, locator))


def _find_cuts(document: Any) -> Iterator[_Cut]:
    from weasyprint.formatting_structure import boxes

    for number, page in enumerate(document.pages, start=1):
        root = page._page_box
        paper = (0.0, 0.0, root.margin_width(), root.margin_height())
        yield from _page_cuts(root, _Clip(paper, paper), number, boxes.TextBox)


def _page_cuts(root: Any, clip: _Clip, number: int, text_box: type) -> Iterator[_Cut]:
    # Iterative: a deep box tree must not meet the recursion limit.
    stack = [(child, _root_clip(root, child, clip)) for child in root.children]
    while stack:
        box, outer = stack.pop()
        if isinstance(box, text_box):
            if (cut := _cut(box, outer, number)) is not None:
                yield cut
        elif not box.style["transform"]:
            inner = _inner_clip(box, outer)
            stack.extend((child, inner) for child in getattr(box, "children", ()))


def _root_clip(page: Any, box: Any, clip: _Clip) -> _Clip:
    """``@page { overflow: hidden }`` clips the root element to the page's padding box
    (inside the margins), as WeasyPrint draws it; margin boxes keep the whole paper."""
    if not box.is_for_root_element or page.style["overflow"] == "visible":
        return clip
    return _Clip(_intersect(clip.rect, _padding_rect(page)), clip.paper)


def _inner_clip(box: Any, clip: _Clip) -> _Clip:
    """What stays visible inside ``box``: WeasyPrint clips the content of any box whose
    ``overflow`` is not ``visible`` to its padding box."""
    if box.style["overflow"] == "visible":
        return clip
    return _Clip(_intersect(clip.rect, _padding_rect(box)), clip.paper)


def _padding_rect(box: Any) -> Rect:
    left, top = box.padding_box_x(), box.padding_box_y()
    return (left, top, left + box.padding_width(), top + box.padding_height())


def _intersect(a: Rect, b: Rect) -> Rect:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _within(inner: Rect, outer: Rect) -> bool:
    return (inner[0] >= outer[0] - TOLERANCE and inner[1] >= outer[1] - TOLERANCE
            and inner[2] <= outer[2] + TOLERANCE and inner[3] <= outer[3] + TOLERANCE)


def _cut(box: Any, clip: _Clip, number: int) -> _Cut | None:
    """The cut in text box ``box``, if its ink reaches outside ``clip``."""
    top, left = box.content_box_y(), box.position_x
    if _within((left, top, left + box.width, top + box.height), clip.rect):
        return None  # nearly every box: no need to ask Pango
    style = box.style
    if style["visibility"] != "visible" or style["font_size"] < 1e-6 or not box.text.strip():
        return None  # not drawn at all
    with _first_line(box) as line:
        ink = _ink(box, line)
        if _within(ink, clip.rect):
            return None
        glyphs = _glyphs(box, line)
    text = box.pango_layout.text.encode()
    sideways = ink[1] >= clip.rect[1] - TOLERANCE and ink[3] <= clip.rect[3] + TOLERANCE
    out = _glyphs_out(glyphs, ink, clip.rect) if sideways else {g[2] for g in glyphs}
    word = _word_at(text, min(out)) if sideways and out else text.decode().strip()
    return _Cut(number, box.element, word, _chars(text, [g[2] for g in glyphs], out),
                not _within(ink, clip.paper), sideways, "::" in (box.element_tag or ""))


@contextmanager
def _first_line(box: Any) -> Iterator[Any]:
    """The Pango line of ``box``: WeasyPrint drops each layout's Pango objects after
    laying it out, and sets them up again to draw; this does the same, then drops them."""
    from weasyprint.text.ffi import pango

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        yield layout.get_first_line()[0]
    finally:
        layout.deactivate()


def _ink(box: Any, line: Any) -> Rect:
    """Where the letters of ``box`` are actually drawn on the page."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    ink, logical = ffi.new("PangoRectangle *"), ffi.new("PangoRectangle *")
    pango.pango_layout_line_get_extents(line, ink, logical)
    left = box.position_x + ink.x * FROM_UNITS
    top = box.position_y + box.baseline + ink.y * FROM_UNITS  # y is from the baseline
    return (left, top, left + ink.width * FROM_UNITS, top + ink.height * FROM_UNITS)


def _glyphs(box: Any, line: Any) -> list[tuple[float, float, int]]:
    """Each glyph of ``line`` left to right: its left and right edge on the page, and
    the byte offset in the layout's text of the character (cluster) it draws."""
    from weasyprint.text.ffi import FROM_UNITS, ffi

    placed, x, run = [], box.position_x, line.runs
    while run != ffi.NULL:
        item, run = run.data, run.next
        glyphs, offset = item.glyphs, item.item.offset
        for index in range(glyphs.num_glyphs):
            width = glyphs.glyphs[index].geometry.width * FROM_UNITS
            placed.append((x, x + width, offset + glyphs.log_clusters[index]))
            x += width
    return placed


def _glyphs_out(glyphs: list[tuple[float, float, int]], ink: Rect, clip: Rect) -> set[int]:
    """Clusters with a glyph past the left or right of ``clip``; when only a letter's
    overhang is (italic, a swash), the glyph nearest that edge."""
    out = {cluster for left, right, cluster in glyphs
           if left < clip[0] - TOLERANCE or right > clip[2] + TOLERANCE}
    if out or not glyphs:
        return out
    edge = max(glyphs, key=lambda g: g[1]) if ink[2] > clip[2] else min(glyphs, key=lambda g: g[0])
    return {edge[2]}


def _chars(text: bytes, clusters: list[int], out: set[int]) -> int:
    """How many characters of ``text`` the clusters ``out`` hold, spaces not counted."""
    bounds = [*sorted(set(clusters)), len(text)]
    lost = "".join(text[start:end].decode("utf-8", "replace")
                   for start, end in pairwise(bounds) if start in out)
    return max(1, len("".join(lost.split())))  # ink past the edge is at least one letter


def _word_at(text: bytes, offset: int) -> str:
    """The word around byte ``offset`` of ``text``."""
    decoded = text.decode("utf-8", "replace")
    index = len(text[:offset].decode("utf-8", "replace"))
    for match in re.finditer(r"\S+", decoded):
        if match.start() <= index < match.end():
            return match.group()
    return decoded.strip()


def _parents(document: Any) -> dict[Any, Any]:
    """Each element's parent, for the document's elements (ElementTree has no links up)."""
    root = next((box.element for box in document.pages[0]._page_box.children
                 if box.is_for_root_element), None)
    return {} if root is None else {child: parent for parent in root.iter() for child in parent}


@dataclass(frozen=True)
class _Region:
    """A part of the body with its own source lines: the overview, a section, an item."""

    blocks: tuple[Block, ...]
    #: The heading's line (a section's or an item's), or the overview's first line.
    line: int | None


class _Locator:
    """Finds the source line of a cut: the block of text in the leaflet that holds it,
    else the front matter, the brand, or the layout's own words."""

    def __init__(self, job: Job, parents: dict[Any, Any]) -> None:
        self.job, self.parents, leaflet = job, parents, job.leaflet
        self._source: list[str] | None = None  # read only once a cut needs a line
        self.regions = {s.id: _Region(s.located, s.line) for s in leaflet.sections}
        self.regions |= {i.id: _Region(i.located, i.line)
                         for s in leaflet.sections for i in s.items}
        first = leaflet.overview_located[0].line if leaflet.overview_located else None
        self.overview = _Region(leaflet.overview_located, first)

    def locate(self, cut: _Cut) -> Location:
        key = _normal(cut.word).rstrip(_HYPHENS) or _normal(cut.word)
        if cut.generated and cut.element is not None:  # a bullet: its list entry's line
            key = " ".join(_normal("".join(cut.element.itertext())).split()[:3]) or key
        region, heading = self._region(cut.element)
        if region is None:
            return self._outside_body(key) or Location(self.job.layout.folder)
        if heading:
            return Location(self.job.leaflet.path, region.line)
        block = next((b for b in region.blocks if key in _normal(b.text)), None)
        if block is not None:
            return Location(self.job.leaflet.path, self._line_in(block, key))
        # Not the writer's words: the clinic's urgent-help line at the end of a section.
        return self._outside_body(key) or Location(self.job.leaflet.path, region.line)

    def _region(self, element: Any) -> tuple[_Region | None, bool]:
        """The overview, section or item around ``element``; and whether ``element`` is
        in its heading (h2 or h3: a ``####`` heading is an h4, one of its blocks)."""
        heading = False
        while element is not None:
            heading = heading or _local(element.tag) in ("h2", "h3")
            if (region := self.regions.get(element.get("id") or "")) is not None:
                return region, heading
            if "overview" in (element.get("class") or "").split():
                return self.overview, False
            element = self.parents.get(element)
        return None, False

    def _line_in(self, block: Block, key: str) -> int:
        """The line of ``block`` (a paragraph may be wrapped over several) holding ``key``."""
        first = key.split()[0] if key.split() else key
        lines = self._lines()[block.line - 1 : block.end_line]
        return next((block.line + n for n, text in enumerate(lines) if first in text),
                    block.line)

    def _lines(self) -> list[str]:
        if self._source is None:
            try:
                data = read_regular(self.job.leaflet.path, MAX_SOURCE_BYTES)
                self._source = data.decode("utf-8", "replace").split("\n")
            except UnreadableFile:  # changed since it was read: the block's first line will do
                self._source = []
        return self._source

    def _outside_body(self, key: str) -> Location | None:
        """Front matter words (the title on the cover and in the footer) or the clinic's
        (from its brand file); None for the layout's own words."""
        leaflet, brand = self.job.leaflet, self.job.brand
        fields = {"title": (leaflet.title,), "summary": (leaflet.summary,),
                  "version": (leaflet.version,), "authors": leaflet.authors,
                  "sources": tuple(v for s in leaflet.sources for v in (s.title, s.url or ""))}
        for name, values in fields.items():
            if any(key in _normal(value) for value in values):
                return Location(leaflet.path, leaflet.key_lines.get(name))
        if any(key in _normal(value) for value in (brand.organisation, brand.phone, brand.urgent,
                                                   brand.address, brand.website, brand.feedback)):
            return Location(brand.path)
        return None


def _report(job: Job, cuts: list[_Cut], locator: _Locator) -> Report:
    """One error per source line, in page order."""
    by_place: dict[Location, list[_Cut]] = {}
    for cut in sorted(cuts, key=lambda c: c.page):
        by_place.setdefault(locator.locate(cut), []).append(cut)
    report = Report()
    for place, found in by_place.items():
        report.error(place.path, place.line, _message(job, found))
    return report


def _message(job: Job, cuts: list[_Cut]) -> str:
    """``text is cut off at the edge of panel 2 of the trifold-a4 layout ("Pneumono…",
    2,867 characters do not fit); break the long word or shorten the line``."""
    noun = "panel" if job.layout.panels else "page"
    pages = sorted({cut.page for cut in cuts})
    where = f"{noun} {pages[0]}" if len(pages) == 1 else f"{noun}s {_series(pages)}"
    edge = "the edge of" if any(c.off_paper for c in cuts) else "the edge of its box on"
    # Text repeated on every page (a running footer) is one cut, counted once.
    chars = sum({cut.word: cut.chars for cut in cuts}.values())
    first = next((cut for cut in cuts if not cut.generated), cuts[0])  # words, not a bullet
    word = first.word.rstrip(_HYPHENS) or first.word
    excerpt = word if len(word) <= EXCERPT else word[:EXCERPT] + "…"
    fit = "1 character does not fit" if chars == 1 else f"{chars:,} characters do not fit"
    advice = ("break the long word or shorten the line" if all(c.sideways for c in cuts)
              else "shorten the text")
    return (f'text is cut off at {edge} {where} of the {job.layout.name} layout '
            f'("{excerpt}", {fit}); {advice}')


def _series(numbers: list[int]) -> str:
    """``1 to 5`` for a run, else ``1, 3 and 6``."""
    if len(numbers) > 2 and numbers[-1] - numbers[0] == len(numbers) - 1:
        return f"{numbers[0]} to {numbers[-1]}"
    return ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def _normal(text: str) -> str:
    """Whitespace as a reader sees it: one space between words."""
    return " ".join(text.split())


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
