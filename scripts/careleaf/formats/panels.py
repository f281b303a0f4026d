"""Panels: fill a tri-fold the way a designer would, measured with WeasyPrint's layout.

A tri-fold has six panels (``layouts/trifold/layout.yml``): the cover (1), the inside
flap (2), the inside spread (3 to 5) and the back (6). Left to itself, WeasyPrint
fills each panel to the bottom and moves on, so a leaflet that needs two and a half
panels starts on the flap and leaves the third inside panel white, and the print
shop prints the blank spread. Here the leaflet is fitted instead:

1. **The inside spread first.** If the text fits panels 3 to 5, it goes there and the
   flap shows a designed extra (questions to ask the doctor, lines for notes:
   ``.flap-extra`` in ``trifold.html``). A short leaflet's type steps up (to the largest
   of the layout's ``type_sizes``) while it still fits and its panels are under-filled.
2. **Otherwise four panels**, the flap taking the start of the text. If it does not
   fit at the designed size, cards (a cause, a treatment) may break across panels, and
   then the type steps down half a point at a time to the smallest of ``type_sizes``.
   Past that the leaflet is too long (``formats/pdf.py`` says by how much).
3. **Balanced.** The text panels are then shortened alike (a bottom margin on each
   ``@page :nth(k)``), to the least height at which the text still fits them, so
   they end level instead of full, full, empty.

Why measure and not CSS columns: WeasyPrint balances columns within one page, but
the panels are pages of different widths (a fold-in panel is 3 mm narrower) whose
folds and margins the imposition (``formats/impose.py``) relies on, and the flap is on
the other side of the sheet. Measuring the real layout costs a few more layouts of
the same HTML (about 0.1 s each); the page boxes say exactly where the text ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

from careleaf.design.layouts import Layout
from careleaf.formats.impose import mirrored
from careleaf.i18n.languages import Direction

#: Panels before the text: the cover, and the flap when it shows the designed extra.
COVER = 1
#: A tri-fold's panels, the back last (``impose.trifold`` puts exactly six on a sheet).
PANELS = 6
#: The id of the flap's extra (``trifold.html``): with ``_``, which no source id has.
#: ``check/fill.py`` finds it among the PDF's named destinations.
FLAP_ID = "flap_questions"
#: Type steps, in points, between the layout's smallest and largest sizes.
STEP = 0.5
#: A short leaflet's type grows while its panels are filled less than this.
WELL_FILLED = 0.8
#: Tries at shortening the panels before keeping them full height.
BALANCE_TRIES = 3
#: A line of body type, in CSS px per point of type size (line-height 1.3; 1 pt = 4/3 px).
LINE_PX = 1.3 * 4 / 3


@dataclass(frozen=True)
class Fit:
    """How a tri-fold was set: body type size (pt), whether the flap shows the extra,
    and the height each text panel was given (CSS px, as WeasyPrint's boxes measure;
    None: the full panel)."""

    size: float
    extra: bool
    height: float | None = None
    #: Cards (causes, treatments) may break across panels: a long leaflet's last resort
    #: at each size, as a whole card that does not fit leaves its panel part empty.
    split: bool = False

    @property
    def text_pages(self) -> range:
        """The 1-based page numbers of the text panels, before the back."""
        first = COVER + 1 + (1 if self.extra else 0)
        return range(first, PANELS)

    def css(self, full: float, bottom: float) -> str:
        """The stylesheet that sets this fit, given the panel's full text height and
        its bottom margin (both px)."""
        rules = [f"html {{ font-size: {self.size:g}pt; }}"]
        if self.extra:
            rules.append(".flap-extra { display: flex; }")
        if self.split:
            rules.append(".item { break-inside: auto; }")
        if self.height is not None:
            margin = bottom + max(0.0, full - self.height)
            rules += [f"@page :nth({page}) {{ margin-bottom: {margin:.2f}px; }}"
                      for page in self.text_pages]
        return "\n".join(rules)


#: Lays the job out with one more stylesheet (CSS text): (the HTML, the document).
LayOut = Callable[[str], tuple[Any, Any]]


def fit(layout: Layout, lay_out: LayOut) -> tuple[Any, Any]:
    """The tri-fold laid out to fill its panels; a leaflet too long for them comes back
    at the smallest type, unbalanced, for the overflow check to measure."""
    smallest, designed, largest = layout.type_sizes
    trial = _Trial(lay_out)
    three = trial.run(Fit(designed, True))
    if trial.fits(three):
        best = _grow(trial, Fit(designed, True), three, largest)
        return trial.balance(*best)
    for size in _steps(designed, smallest):
        for split in (False, True):
            four = Fit(size, False, split=split)
            laid = trial.run(four)
            if trial.fits(laid):
                return trial.balance(four, laid)
    return laid[0], laid[1]


def _steps(start: float, end: float) -> Iterator[float]:
    """``start`` to ``end`` (either way) in half points, both included."""
    count = round(abs(end - start) / STEP)
    sign = 1 if end >= start else -1
    return (start + sign * STEP * step for step in range(count + 1))


def _grow(trial: _Trial, current: Fit, laid: tuple[Any, Any], largest: float
          ) -> tuple[Fit, tuple[Any, Any]]:
    """The largest type at which the text still fits the inside spread, stepping up
    only while the panels are under-filled."""
    for size in list(_steps(current.size, largest))[1:]:
        if trial.filled(current, laid) >= WELL_FILLED:
            break
        bigger = Fit(size, current.extra)
        attempt = trial.run(bigger)
        if not trial.fits(attempt):
            break
        current, laid = bigger, attempt
    return current, laid


class _Trial:
    """Layouts of one leaflet with different fits, and what each one measured."""

    def __init__(self, lay_out: LayOut) -> None:
        self.lay_out = lay_out
        self.full = 0.0  # the text height of a full panel (px), from the first layout
        self.bottom = 0.0  # the panel's own bottom margin (px)

    def run(self, fit: Fit) -> tuple[Any, Any]:
        laid = self.lay_out(fit.css(self.full, self.bottom))
        if not self.full:
            box = laid[1].pages[min(fit.text_pages.start, len(laid[1].pages)) - 1]._page_box
            self.full, self.bottom = float(box.height), float(box.margin_bottom)
        return laid

    @staticmethod
    def fits(laid: tuple[Any, Any]) -> bool:
        return len(laid[1].pages) <= PANELS

    def used(self, fit: Fit, laid: tuple[Any, Any]) -> list[float]:
        """How far down each text panel the text reaches (px from the content top)."""
        pages = laid[1].pages
        return [text_bottom(pages[number - 1]._page_box) for number in fit.text_pages
                if number < len(pages)]  # the last page is the back

    def filled(self, fit: Fit, laid: tuple[Any, Any]) -> float:
        """The share of the text panels' full height the text takes, all told."""
        return sum(self.used(fit, laid)) / (self.full * len(fit.text_pages))

    def balance(self, fit: Fit, laid: tuple[Any, Any]) -> tuple[Any, Any]:
        """``laid`` with its text panels shortened alike to the least height that fits."""
        used = self.used(fit, laid)
        if not used:
            return laid
        line = fit.size * LINE_PX
        # Level panels would each hold the average; a line more, as breaks are coarse.
        # Between that and the tallest panel now, halve the gap until a height fits.
        low, high = sum(used) / len(fit.text_pages), max(used)
        height, best = low + line, laid
        for _ in range(BALANCE_TRIES):
            if height >= high - line / 2:
                break  # no shorter than the layout already is, to half a line
            trial = self.run(replace(fit, height=height))
            if self.fits(trial):
                high, best = height, trial
            else:
                low = height
            height = (low + high) / 2
        return best


def text_bottom(page_box: Any) -> float:
    """How far below the content area's top the lowest line of text on a page is (px)."""
    top = float(page_box.content_box_y())
    bottoms = [box.position_y + box.margin_height() for box in _lines(page_box)]
    return max(bottoms, default=top) - top


def _lines(box: Any) -> Iterator[Any]:
    """Every line box under ``box`` that is in the flow (not a fixed or absolute mark)."""
    style = getattr(box, "style", None)
    if style is not None and style["position"] in ("absolute", "fixed"):
        return
    if type(box).__name__ == "LineBox":
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child)


#: Where a panel is on the imposed sheet: (sheet side, left x, right x), in points.
Region = tuple[int, float, float]


def panel_regions(layout: Layout, direction: Direction) -> tuple[Region, ...]:
    """Each panel's place on the tri-fold sheet, in reading order (panel 1 first), as
    ``impose.trifold`` puts it there for a leaflet in ``direction``."""
    order = mirrored((layout.fold_order[0], layout.fold_order[1]), direction)
    places: dict[int, Region] = {}
    for side, panels in enumerate(order):
        widths = [layout.panels[panel - 1] for panel in panels]
        for panel, left, width in zip(panels, accumulate([0.0, *widths]), widths,
                                      strict=False):
            places[panel] = (side, left, left + width)
    return tuple(places[panel] for panel in sorted(places))
