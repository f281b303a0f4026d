"""Impose: lay a finished leaflet's pages out on the printer's sheets.

A leaflet PDF has one page per page the reader sees. A print shop wants sheets: a
booklet of A5 pages printed two up on A4, folded and stapled (saddle stitch), or a
tri-fold whose six narrow panels share the two sides of one sheet. These are pure
functions from PDF bytes to PDF bytes with pypdf; they never lay out text.

A right-to-left leaflet (Arabic, Hebrew…) is bound and folded the other way: its
booklet's spine is on the right, so each sheet side holds its two pages swapped, and a
tri-fold's panels run from right to left, each side of the sheet mirrored. Layouts
describe the left-to-right arrangement; ``direction`` turns it round.

Imposing copies each page's content unscaled onto a sheet, together with its links
(pypdf moves their rectangles with the content). The document's title and other
/Info entries, its /Lang, its outline and its named destinations are carried over,
each outline entry and destination pointing at the sheet and spot where its page
landed, so that careleaf's completeness check can read an imposed file. Readers get
what they need to name the file: /ViewerPreferences << /DisplayDocTitle true >> and
an XMP packet made from the /Info entries and /Lang (``formats.pdfmeta``; its dates
are the source's, so the bytes stay reproducible).

The tagging (structure tree) is not carried over, and the imposed file says so with
``/MarkInfo << /Marked false >>``: merging several tagged pages onto one sheet puts
their marked-content ids (MCIDs, numbered from 0 on every page) side by side, so they
collide, and the structure tree's /Pg and parent tree point at pages that no longer
exist. Renumbering every MCID in the content streams and rebuilding the parent tree
is more than pypdf offers; a /Marked true over tags that no longer match is worse for
a screen reader than an honest "untagged". The imposed sheets are for printing; the
tagged reading-order PDF is the one for reading. The XMP claims no PDF/UA conformance.

A print shop's tri-fold (``trifold_with_bleed``, for ``formats.printshop``) is laid
on its sheet the same way, from panels rendered with bleed: each is placed by its trim
box and cut at its folds, keeping its bleed only on the sheet's edges.

pypdf is imported by the functions that use it, not at the top: ``formats.pdf``
imports this module, and a build with nothing to do must not pay for loading pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Literal

from careleaf.formats.pdfmeta import xmp_packet

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader, PdfWriter
    from pypdf.generic import Destination, Fit, IndirectObject

#: How far (in points) sizes may be off: rounding between mm and pt.
TOLERANCE = 1.0

#: Where each source page (0-based) landed: (sheet side, x shift, y shift).
Placement = dict[int, tuple[int, float, float]]
#: The reading direction of the leaflet's language.
Direction = Literal["ltr", "rtl"]


#: The id of the page a padded layout offers as its padding (the booklet's Notes page):
#: ``pad_to_multiple`` repeats that page, or takes it out, instead of adding blank pages.
PADDING_PAGE = "careleaf-padding"


def pad_to_multiple(pdf: bytes, multiple: int) -> bytes:
    """Bring the page count up to a multiple of ``multiple``.

    A layout may offer a page of its own to pad with: the page holding the element
    whose id is ``PADDING_PAGE`` (a booklet's Notes page, which it puts just before its
    back cover, so that no padding lands after the back cover). That page is kept once
    and repeated after itself as often as needed, or taken out when the other pages
    already make a multiple. A repeat has the page's look with its marked content made
    artifacts, so a screen reader meets the page once. Without such a page, blank
    pages sized like the last one are appended.

    The document is cloned whole, so its outline, named destinations, metadata
    (/Info and XMP), /Lang, /MarkInfo and structure tree stay as they were, less what
    marked up a page taken out (and, then, the padding page's own destination).
    """
    if multiple < 1:
        raise ValueError(f"the page count must be padded to a multiple of 1 or more, "
                         f"not {multiple}")
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    padding = _padding_page(writer)
    if padding is None:
        missing = -len(writer.pages) % multiple
        if not missing:
            return pdf
        box = writer.pages[-1].mediabox
        for _ in range(missing):
            writer.add_blank_page(float(box.width), float(box.height))
        return _write(writer)
    repeats = -(len(writer.pages) - 1) % multiple - 1  # -1: the page is to go
    if repeats < 0:
        _drop_destination(writer, PADDING_PAGE)
        return _without_page(writer, padding)
    # Kept on the first Notes page: the fill check measures the text before it.
    for _ in range(repeats):
        _repeat_page(writer, padding)
    return _write(writer)


def _padding_page(writer: PdfWriter) -> int | None:
    """The index of the page holding ``PADDING_PAGE``, if any. ValueError if a bookmark
    points at that page: it may be taken out, and the outline must not lose an entry."""
    destination = writer.named_destinations.get(PADDING_PAGE)
    if destination is None:
        return None
    index = writer.get_destination_page_number(destination)
    if index in _outline_pages(writer, writer.outline):
        raise ValueError(f"the padding page (id '{PADDING_PAGE}', page {index + 1}) must "
                         "not hold a bookmarked heading: give it bookmark-level: none")
    return index


def _outline_pages(writer: PdfWriter, entries: Sequence[Any]) -> set[int]:
    """The page index of every entry of ``entries``, nested ones too."""
    from pypdf.generic import Destination

    pages: set[int] = set()
    for entry in entries:
        if isinstance(entry, Destination):
            if (page := writer.get_destination_page_number(entry)) is not None:
                pages.add(page)
        else:
            pages |= _outline_pages(writer, entry)
    return pages


def _drop_destination(writer: PdfWriter, name: str) -> None:
    """Remove the named destination ``name`` from the catalogue's name tree."""
    names = _entry(writer.root_object, "/Names")
    if names is not None and (tree := _entry(names, "/Dests")) is not None:
        _drop_name(tree, name)


def _drop_name(node: Any, name: str) -> None:
    """Remove ``name`` from a name tree ``node``: from its /Names pairs, or its /Kids."""
    pairs = _entry(node, "/Names")
    if pairs is not None:
        keys = [str(key) for key in pairs[::2]]
        if name in keys:
            del pairs[2 * keys.index(name):2 * keys.index(name) + 2]
    for kid in _entry(node, "/Kids") or []:
        _drop_name(kid.get_object(), name)


def _repeat_page(writer: PdfWriter, index: int) -> None:
    """Insert after page ``index`` a page that looks like it: the same resources and
    boxes, its content with every marked-content sequence made an /Artifact (a repeat is
    not tagged: PDF/UA wants every tagged sequence in the structure tree once)."""
    from pypdf.generic import ContentStream, NameObject

    source = writer.pages[index]
    writer.insert_blank_page(float(source.mediabox.width), float(source.mediabox.height),
                             index + 1)
    copy = writer.pages[index + 1]  # the page inserted, not the one handed in (a clone)
    for key in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox",
                "/Resources", "/Group", "/Rotate"):
        if key in source:
            copy[NameObject(key)] = source.raw_get(key)
    content = ContentStream(None, writer)
    original = source.get_contents()
    content.operations = [_as_artifact(operands, operator) for operands, operator
                          in (original.operations if original is not None else [])]
    copy.replace_contents(content)


def _as_artifact(operands: list[Any], operator: bytes) -> tuple[list[Any], bytes]:
    """``/Tag <</MCID n>> BDC`` as ``/Artifact BMC``; any other operation as it is."""
    from pypdf.generic import DictionaryObject, NameObject

    if operator == b"BDC" and len(operands) == 2 and \
            isinstance(operands[1], DictionaryObject) and "/MCID" in operands[1]:
        return [NameObject("/Artifact")], b"BMC"
    return operands, operator


def _without_page(writer: PdfWriter, index: int) -> bytes:
    """The document without page ``index``, its structure elements and parent-tree entry.

    The page is unhooked from the page tree and the structure tree, then the document
    is written and cloned again: cloning copies only what the catalogue reaches, so
    the page's content and its structure elements do not stay behind as dead objects.
    """
    from pypdf import PdfReader, PdfWriter

    page = writer.pages[index]
    tree = _entry(writer.root_object, "/StructTreeRoot")
    if tree is not None and page.indirect_reference is not None:
        _unmark(tree, page.indirect_reference.idnum)
        key: Any = page.get("/StructParents")  # a NumberObject: an int
        if key is not None and "/ParentTree" in tree:
            _drop_number(tree["/ParentTree"], int(key))
    pages: Any = writer.pages  # pypdf's page list deletes from the page tree (typed Sequence)
    del pages[index]
    return _write(PdfWriter(clone_from=PdfReader(io.BytesIO(_write(writer)))))


def _unmark(node: Any, page: int) -> None:
    """Remove from ``node``'s kids, at any depth, every structure element (or object
    reference) on page ``page`` (an object number). careleaf's PDFs are tagged page by
    page: an element on a page has nothing on any other."""
    from pypdf.generic import ArrayObject, DictionaryObject

    kids = _entry(node, "/K")
    if not isinstance(kids, ArrayObject):
        return
    kept = []
    for kid in kids:
        element = kid.get_object()
        if isinstance(element, DictionaryObject):
            if "/Pg" in element and element.raw_get("/Pg").idnum == page:
                continue
            _unmark(element, page)
        kept.append(kid)
    kids[:] = kept


def _drop_number(node: Any, key: int) -> None:
    """Remove ``key`` from a number tree ``node``: from its /Nums pairs, or its /Kids."""
    pairs = _entry(node, "/Nums")
    if pairs is not None:
        keys = [int(number) for number in pairs[::2]]
        if key in keys:
            del pairs[2 * keys.index(key):2 * keys.index(key) + 2]
    for kid in _entry(node, "/Kids") or []:
        _drop_number(kid.get_object(), key)


def _entry(node: Any, key: str) -> Any:
    """``node[key]`` resolved, or None: pypdf's ``get`` does not resolve references."""
    value = node.get(key)
    return None if value is None else value.get_object()


def fill_panels(pdf: bytes, widths: tuple[float, ...]) -> bytes:
    """Insert blank panels before the last page (the back) until there is one per width.

    A short leaflet leaves inside panels empty rather than moving the back panel
    inside; each blank gets the width of the place it fills.
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    count = len(writer.pages)
    if count >= len(widths):
        return pdf
    height = float(writer.pages[-1].mediabox.height)
    for index in range(count - 1, len(widths) - 1):
        writer.insert_blank_page(widths[index], height, index)
    return _write(writer)


def saddle_order(pages: int, direction: Direction = "ltr") -> list[tuple[int, int]]:
    """The (left, right) page numbers (1-based) of each sheet side of a saddle stitch.

    Left to right, the spine is on the left of the closed booklet, so the cover (page
    1) is the right half of the first sheet; right to left it is the left half, and
    every pair swaps.
    """
    pairs = [(pages - i, i + 1) if i % 2 == 0 else (i + 1, pages - i)
             for i in range(pages // 2)]
    return pairs if direction == "ltr" else [(right, left) for left, right in pairs]


def saddle_stitch(pdf: bytes, sheet_width: float, sheet_height: float,
                  direction: Direction = "ltr") -> bytes:
    """Two pages side by side per sheet side, in saddle-stitch order for duplex printing.

    Output page 1 is the front of the first sheet, page 2 its back, and so on. Each
    page is placed unscaled, centred in its half of the sheet. ``rtl`` binds on the
    right.
    """
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    count = len(reader.pages)
    if count == 0 or count % 4:
        raise ValueError(f"a saddle-stitched booklet needs a multiple of 4 pages, "
                         f"not {count} (pad it with pad_to_multiple first)")
    half, writer, placement = sheet_width / 2, PdfWriter(), Placement()
    for side, pair in enumerate(saddle_order(count, direction)):
        sheet = writer.add_blank_page(sheet_width, sheet_height)
        for slot, number in enumerate(pair):
            page = reader.pages[number - 1]
            width, height = float(page.cropbox.width), float(page.cropbox.height)
            if width > half + TOLERANCE or height > sheet_height + TOLERANCE:
                raise ValueError(f"page {number} ({width:.2f} x {height:.2f} pt) does not fit "
                                 f"half a {sheet_width:.2f} x {sheet_height:.2f} pt sheet")
            x, y = slot * half + (half - width) / 2, (sheet_height - height) / 2
            placement[number - 1] = (side, *_place(sheet, page, x, y))
    return _finish(reader, writer, placement)


def trifold(pdf: bytes, sheet_width: float, sheet_height: float,
            order: tuple[tuple[int, ...], tuple[int, ...]],
            direction: Direction = "ltr") -> bytes:
    """Six panels onto the outside and inside of one sheet, edge to edge.

    ``order`` names the panels (1-based, reading order) from left to right on the
    outside and on the inside of a left-to-right leaflet, e.g. ``((2, 6, 1), (3, 4,
    5))`` for a roll fold. Each side's panels are merged in reading order, not left to
    right, so that the text of a sheet side is extracted in reading order.
    """
    from pypdf import PdfReader, PdfWriter

    order = mirrored(order, direction)
    reader = PdfReader(io.BytesIO(pdf))
    lefts = _panel_lefts(reader, sheet_width, order)
    writer, placement = PdfWriter(), Placement()
    for side, panels in enumerate(order):
        sheet = writer.add_blank_page(sheet_width, sheet_height)
        for panel in sorted(panels):
            page = reader.pages[panel - 1]
            y = (sheet_height - float(page.cropbox.height)) / 2
            placement[panel - 1] = (side, *_place(sheet, page, lefts[panel], y))
    return _finish(reader, writer, placement)


def trifold_with_bleed(pdf: bytes, sheet_width: float, sheet_height: float,
                       order: tuple[tuple[int, ...], tuple[int, ...]],
                       direction: Direction, bleed: float
                       ) -> tuple[bytes, tuple[list[float], list[float]]]:
    """``trifold`` for a print shop: panels rendered with ``bleed`` round them, placed by
    their trim boxes, and the sheets with that bleed round them; and the folds of each
    side, from its left edge.

    A panel keeps its bleed only where it is on the edge of the sheet (top, bottom, the
    outer side of the first and last panel): at a fold it is cut where its neighbour
    begins. Each sheet's TrimBox is the sheet, its MediaBox and BleedBox the sheet and
    bleed round it.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    order = mirrored(order, direction)
    reader = PdfReader(io.BytesIO(pdf))
    lefts = _panel_lefts(reader, sheet_width, order, "trimbox")
    writer, placement = PdfWriter(), Placement()
    for side, panels in enumerate(order):
        sheet = writer.add_blank_page(sheet_width, sheet_height)
        sheet.mediabox = sheet.bleedbox = RectangleObject(
            (-bleed, -bleed, sheet_width + bleed, sheet_height + bleed))
        sheet.trimbox = RectangleObject((0, 0, sheet_width, sheet_height))
        for panel in sorted(panels):
            page, x = reader.pages[panel - 1], lefts[panel]
            trim = page.trimbox
            dx = x - float(trim.left)
            dy = (sheet_height - float(trim.height)) / 2 - float(trim.bottom)
            outer = (bleed if panel == panels[0] else 0.0, bleed if panel == panels[-1] else 0.0)
            # pypdf clips what it merges to the page's crop box: the panel's slot and bleed.
            page.cropbox = RectangleObject((x - outer[0] - dx, -bleed - dy,
                                            x + float(trim.width) + outer[1] - dx,
                                            sheet_height + bleed - dy))
            sheet.merge_transformed_page(page, _shift(dx, dy))
            placement[panel - 1] = (side, dx, dy)
    folds = tuple(sorted(lefts[panel] for panel in panels)[1:] for panels in order)
    return _finish(reader, writer, placement), (folds[0], folds[1])


def _shift(dx: float, dy: float) -> Any:
    from pypdf import Transformation

    return Transformation().translate(dx, dy)


def mirrored(order: tuple[tuple[int, ...], tuple[int, ...]],
             direction: Direction) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The panels left to right on each side for ``direction``.

    A right-to-left tri-fold is the left-to-right one seen in a mirror: each side's
    panels reversed. The panel that backs each one stays the same, and so does the fold.
    """
    if direction == "ltr":
        return order
    return (order[0][::-1], order[1][::-1])


def _panel_lefts(reader: PdfReader, sheet_width: float,
                 order: tuple[tuple[int, ...], tuple[int, ...]],
                 box: str = "cropbox") -> dict[int, float]:
    """Each panel's left edge on its side; ValueError unless six panels fill both sides.

    A panel is as wide as its ``box``: the page, or its trim box when it has bleed.
    """
    if len(reader.pages) != 6:
        raise ValueError(f"a tri-fold needs exactly 6 panel pages, not {len(reader.pages)}")
    if len(order) != 2 or sorted(p for side in order for p in side) != [1, 2, 3, 4, 5, 6]:
        raise ValueError(f"the panel order must place panels 1 to 6 once each on two "
                         f"sides, not {order}")
    lefts: dict[int, float] = {}
    for name, panels in zip(("outside", "inside"), order, strict=True):
        widths = [float(getattr(reader.pages[p - 1], box).width) for p in panels]
        if abs(sum(widths) - sheet_width) > TOLERANCE:
            raise ValueError(f"the {name} panels {panels} are {sum(widths):.2f} pt wide "
                             f"together, not the sheet's {sheet_width:.2f} pt")
        lefts.update(zip(panels, accumulate([0.0, *widths]), strict=False))
    return lefts


def _place(sheet: PageObject, page: PageObject, x: float, y: float) -> tuple[float, float]:
    """Merge ``page`` so its lower left corner lands at (x, y); the shift applied."""
    from pypdf import Transformation

    dx, dy = x - float(page.cropbox.left), y - float(page.cropbox.bottom)
    sheet.merge_transformed_page(page, Transformation().translate(dx, dy))
    return dx, dy


def _finish(reader: PdfReader, writer: PdfWriter, placement: Placement) -> bytes:
    """Compress the sheets; carry metadata, /Lang, outline and named destinations over."""
    for sheet in writer.pages:
        sheet.compress_content_streams()
    _carry_metadata(reader, writer)
    _copy_outline(reader, writer, reader.outline, placement, None)
    for name, destination in reader.named_destinations.items():
        if target := _target(reader, destination, placement):
            writer.add_named_destination(name, *target)
    return _write(writer)


def _carry_metadata(reader: PdfReader, writer: PdfWriter) -> None:
    """/Info, /Lang, DisplayDocTitle, an XMP packet to match, and an honest /MarkInfo."""
    from pypdf.generic import BooleanObject, DictionaryObject, NameObject, TextStringObject

    info = {str(key): str(value) for key, value in (reader.metadata or {}).items()}
    if info:
        writer.add_metadata(info)
    language = str(reader.root_object["/Lang"]) if "/Lang" in reader.root_object else None
    root = writer.root_object
    if language:
        root[NameObject("/Lang")] = TextStringObject(language)
    root[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    # Untagged, and saying so: see the module docstring for why tags are not carried.
    root[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(False)})
    _set_xmp(writer, xmp_packet(info, language))


def _set_xmp(writer: PdfWriter, packet: bytes) -> None:
    """Store ``packet`` as the catalogue's /Metadata stream, typed as XMP readers expect.

    pypdf's setter writes the stream uncompressed (metadata scanners look for the
    packet's plain text) but without /Type and /Subtype, which PDF requires.
    """
    from pypdf.generic import NameObject, StreamObject

    writer.xmp_metadata = packet
    stream = writer.root_object["/Metadata"].get_object()
    assert isinstance(stream, StreamObject)  # the setter just made it one
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")


def _copy_outline(reader: PdfReader, writer: PdfWriter,
                  entries: Sequence[Destination | Sequence[Any]], placement: Placement,
                  parent: IndirectObject | None) -> None:
    """Rebuild ``entries`` under ``parent``: same titles, nesting and order."""
    from pypdf.generic import Destination, Fit

    last = parent
    for entry in entries:
        if not isinstance(entry, Destination):
            _copy_outline(reader, writer, entry, placement, last)
            continue
        sheet, fit = _target(reader, entry, placement) or (None, Fit.fit())
        last = writer.add_outline_item(title=entry.title or "", page_number=sheet,
                                       parent=parent, fit=fit,
                                       is_open=bool(entry.get("/%is_open%", True)))


def _target(reader: PdfReader, destination: Destination,
            placement: Placement) -> tuple[int, Fit] | None:
    """The sheet side a destination's page landed on, and its spot there."""
    from pypdf.generic import Fit

    page = reader.get_destination_page_number(destination)
    if page is None or page not in placement:
        return None
    sheet, dx, dy = placement[page]
    left, top = destination.left, destination.top
    if destination.typ == "/XYZ" and left is not None and top is not None:
        return sheet, Fit.xyz(left=left + dx, top=top + dy, zoom=destination.zoom)
    return sheet, Fit.fit()


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
