"""Fill: warn when a tri-fold panel or the last page of a print layout is mostly empty.

A print shop prints a white panel as readily as a full one, and every other check
passes a leaflet whose tri-fold leaves its inside spread blank. So each built PDF is
read back with PDFium and, for each measured page or panel, the vertical extent of its
body text is taken: from the top of its content area (the page less the layout's
``@page`` margins) down to the lowest body-text character, over the content area's
height. Body text is unrotated text inside the content area: the running footer and
page number sit in the bottom margin, and the draft mark is turned (``formats/
page_starts.py`` keeps it out of body text for the same reason: it is on every page).

What is measured: a page layout's last page only, as every earlier page is full by
flow. A booklet's text ends before its Notes pages and its back cover, designed pages
found by their ids (``AFTER_BODY``), so its last page of text is measured; blank pages
padded on after the text are the imposition's, not the text's. A tri-fold's panels 2
to 5: panel 1 is the cover, a designed panel in solid colour with the title, and panel
6 the back, which holds the contact block and the QR code and is sparse by design;
panel 2 neither when it shows its designed questions and notes (``formats/panels.py``
puts them there when the text fits the inside spread). The tri-fold PDF on disk is the
imposed sheet (``formats/impose.py``), so each panel is the slot its ``fold_order``
gives it on its side of the sheet, mirrored for a right-to-left language.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careleaf.check.gates import FILL
from careleaf.design.layouts import Layout, length_pt, load_layouts, select_layouts
from careleaf.errors import Report
from careleaf.formats.impose import PADDING_PAGE
from careleaf.formats.panels import FLAP_ID, panel_regions
from careleaf.i18n.languages import language
from careleaf.outputs import Variant, output_path
from careleaf.project import Project
from careleaf.source.model import Leaflet

#: More of a page or panel empty than this is worth a warning (issue 15: 60%).
MAX_EMPTY = 0.6
#: The tri-fold panels measured: not the designed cover (1) and back (6).
MEASURED_PANELS = (2, 3, 4, 5)
#: The inside flap: not measured either when it shows its designed questions and
#: lines for notes (``formats/panels.py``), which run to its foot but are not text.
FLAP = 2
#: What a booklet puts after its text (``layouts/booklet-a5/leaflet.html``): its Notes
#: pages and its back cover, designed pages that are not measured.
AFTER_BODY = (PADDING_PAGE, "careleaf-back-cover")
_PAGE_RULE = re.compile(r"@page\s*\{([^{}]*)")
_MARGIN = re.compile(r"(?:^|;)\s*margin\s*:\s*([^;]+)")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class Area:
    """A content area in PDF points (y up): where body text may stand."""

    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True)
class Fill:
    """How much of one page or panel (``label``, e.g. "panel 5 of 6") holds body text."""

    label: str
    filled: float


def check_fill(project: Project, leaflets: list[Leaflet], report: Report, *,
               layout_names: list[str] | None = None, brand_name: str = "default") -> None:
    """Warn at each leaflet for each mostly empty page or panel of its built PDFs."""
    # The layouts' own problems are reported by the completeness check already.
    quiet = Report()
    layouts = select_layouts(project, quiet, layout_names, load_layouts(project, quiet))
    for leaflet in leaflets:
        for layout in layouts:
            if layout.format != "pdf" or not leaflet.wants(layout.name):
                continue
            pdf = output_path(project, leaflet.path, layout, Variant(brand_name))
            if pdf.is_file():  # an unbuilt or unreadable PDF is completeness's error
                rtl = language(leaflet.lang).rtl
                for fill in _guarded(pdf, layout, rtl):
                    _warn(leaflet, layout, fill, report)


def _guarded(pdf: Path, layout: Layout, rtl: bool) -> list[Fill]:
    """``measure``, or nothing for a file PDFium cannot read (completeness says so)."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        return measure(pdf, layout, rtl)
    except (pdfium.PdfiumError, OSError, ValueError):
        return []


def _warn(leaflet: Leaflet, layout: Layout, fill: Fill, report: Report) -> None:
    if 1 - fill.filled <= MAX_EMPTY:
        return
    empty, filled = round(100 * (1 - fill.filled)), round(100 * fill.filled)
    report.warning(leaflet.path, None, f"the {layout.name} layout leaves {fill.label} "
                   f"{empty}% empty (filled {filled}%): shorten other panels or pages, add "
                   f"content, or leave the layout out with 'layouts:'", FILL.name)


def measure(pdf: Path, layout: Layout, rtl: bool = False) -> list[Fill]:
    """The fill of each measured page or panel of ``pdf``, built in ``layout`` (for a
    right-to-left language if ``rtl``: its tri-fold sheet is mirrored)."""
    import pypdfium2 as pdfium

    margins = page_margins(layout)
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [_bottoms(document[index]) for index in range(len(document))]
        sizes = [document[index].get_size() for index in range(len(document))]
    finally:
        document.close()
    # Only a tri-fold's flap and a padded layout's designed pages are found by id: the
    # other layouts' PDFs are not parsed a second time.
    destinations = _destinations(pdf) if layout.impose == "trifold" or layout.pad_to else {}
    if layout.impose == "trifold":
        designed = FLAP_ID in destinations  # the flap's own questions and notes
        measured = tuple(n for n in MEASURED_PANELS if not (designed and n == FLAP))
        return _panels(pages, sizes, layout, margins, rtl, measured)
    # A booklet's text ends before its Notes pages and its back cover, both designed.
    end = min((destinations[name] for name in AFTER_BODY if name in destinations),
              default=len(pages))
    return _last_page(pages[:end], sizes, layout, margins, len(pages))


def _last_page(pages: list[list[tuple[float, float, float]]], sizes: list[tuple[float, float]],
               layout: Layout, margins: tuple[float, float, float, float],
               count: int) -> list[Fill]:
    """The fill of the last of ``pages`` (the body's, of ``count`` in all); for a padded
    layout, of the last page that has any text."""
    last = len(pages) - 1
    while layout.pad_to and last > 0 and not pages[last]:
        last -= 1
    if last < 0:
        return []
    width, height = sizes[last]
    top, right, bottom, left = margins
    area = Area(left, bottom, width - right, height - top)
    which = ("the last" if last == count - 1 else "the last of the text"
             if last == len(pages) - 1 else "the last with text")
    return [Fill(f"page {last + 1} of {count} ({which})", _filled(pages[last], area))]


def _panels(pages: list[list[tuple[float, float, float]]], sizes: list[tuple[float, float]],
            layout: Layout, margins: tuple[float, float, float, float],
            rtl: bool, measured: tuple[int, ...]) -> list[Fill]:
    """The fill of each measured panel, found by its slot on the imposed sheet."""
    top, right, bottom, left = margins
    fills = []
    regions = panel_regions(layout, "rtl" if rtl else "ltr")
    for panel, (side, x0, x1) in enumerate(regions, start=1):
        if panel in measured and side < len(pages):
            area = Area(x0 + left, bottom, x1 - right, sizes[side][1] - top)
            fills.append(Fill(f"panel {panel} of {len(regions)}", _filled(pages[side], area)))
    return fills


def _filled(chars: list[tuple[float, float, float]], area: Area) -> float:
    """From the area's top down to its lowest body-text character, over its height."""
    inside = [bottom for x, y, bottom in chars
              if area.left <= x <= area.right and area.bottom <= y <= area.top]
    if not inside or area.top <= area.bottom:
        return 0.0
    return min(1.0, max(0.0, (area.top - min(inside)) / (area.top - area.bottom)))


def _destinations(pdf: Path) -> dict[str, int]:
    """The named destinations of ``pdf`` (every element id: imposing keeps them), each
    with the index of its page."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages = {str(name): reader.get_destination_page_number(destination)
             for name, destination in reader.named_destinations.items()}
    return {name: page for name, page in pages.items() if page is not None}


def _bottoms(page: Any) -> list[tuple[float, float, float]]:
    """Each unrotated visible character of ``page``: its centre (x, y) and its bottom."""
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    textpage = page.get_textpage()
    try:
        chars = []
        for index in range(textpage.count_chars()):
            if chr(raw.FPDFText_GetUnicode(textpage.raw, index)).isspace():
                continue
            angle = raw.FPDFText_GetCharAngle(textpage.raw, index)
            # The draft mark is turned; body text, footers and headings never are.
            if min(angle, 2 * math.pi - angle) > 0.01:
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            chars.append(((left + right) / 2, (bottom + top) / 2, bottom))
    finally:
        textpage.close()
        page.close()
    return chars


def page_margins(layout: Layout) -> tuple[float, float, float, float]:
    """Top, right, bottom and left page margins in points: the last plain ``@page`` rule
    with a ``margin`` in the layout's stylesheets (the base's first), as CSS cascades."""
    found = (0.0, 0.0, 0.0, 0.0)
    for sheet in layout.stylesheets:
        css = _COMMENT.sub("", sheet.read_text(encoding="utf-8"))
        for rule in _PAGE_RULE.findall(css):
            if (match := _MARGIN.search(rule)) is not None:
                found = _sides([length_pt(v) or 0.0 for v in match.group(1).split()])
    return found


def _sides(values: list[float]) -> tuple[float, float, float, float]:
    """CSS's one to four margin values as top, right, bottom, left."""
    if not values:
        return 0.0, 0.0, 0.0, 0.0
    top = values[0]
    right = values[1] if len(values) > 1 else top
    bottom = values[2] if len(values) > 2 else top
    left = values[3] if len(values) > 3 else right
    return top, right, bottom, left
