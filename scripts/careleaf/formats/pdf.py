"""PDF: the rendered HTML laid out by WeasyPrint as a tagged (PDF/UA-1) leaflet.

Resources are read only through ``sandbox_fetcher``, and anything it refused
fails the leaflet rather than producing a PDF with a hole in it. So does anything
WeasyPrint could not load or draw (an image, a stylesheet, a font, an attachment):
its log record (collected by ``formats.weasylog``) carries the reason, and a failed
image of the leaflet is an error at the source line that uses it. WeasyPrint's other
warnings are passed on: CSS it ignored as a warning at the stylesheet's line, so a
designer hears about a typo in a stylesheet, and the rest as warnings of the layout.
Parsed stylesheets and the font configuration are kept for the life of the process:
every leaflet after the first reuses them.

A character that no installed font has would print as an empty box: WeasyPrint
warns about each one as it draws, and ``careleaf.formats.glyphs`` turns them into errors at
the source line, so that PDF is not written.

A print-shop file (``job.print_ready``) is laid out with ``formats.printshop``'s
stylesheet (bleed, the press profile, the brand's CMYK), written as PDF/X-4 instead
of PDF/UA-1, and finished by ``printshop.print_file`` (CMYK only, a tri-fold on its
sheet, the slug and its marks). Only its stylesheet may read the default press
profile's folder.

An ebook marks where the printed pages begin: when the job asks (``record_pages``),
the PDF's ``Rendered`` carries them, measured from the very layout that is printed;
``printed_page_starts`` measures them without drawing or writing, for an ebook
whose PDF is not made in the same build, and without laying out the margin boxes
(page numbers, running footers), which hold none of the body's text.

Python's cycle collector is paused while WeasyPrint lays out and writes
(``formats.collector``): it would walk the growing document again and again for no
garbage, a tenth of a render.

WeasyPrint (and pydyf under it) are imported only inside the functions that lay out or
write a PDF, not at the top: they take half a second to load, and a build with nothing
to do imports this module but never makes a PDF.
"""

from __future__ import annotations

import atexit
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careleaf.errors import CareleafError, Diagnostic, Location, Report
from careleaf.formats import impose, overflow, page_starts, panels, printshop
from careleaf.formats.clipping import check_clipping
from careleaf.formats.collector import collector_paused
from careleaf.formats.fetcher import (
    FONT_FOLDERS,
    PROFILE_FOLDERS,
    PROJECT_URL,
    Sandbox,
    project_url,
    sandbox_fetcher,
)
from careleaf.formats.glyphs import missing_glyphs
from careleaf.formats.job import Job, Rendered
from careleaf.formats.weasylog import WeasyLog, css_line, load_failures, weasyprint_log
from careleaf.i18n.languages import Direction
from careleaf.project import Project

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class _Stylesheet:
    """A parsed stylesheet and what parsing it refused, failed to load or warned about."""

    css: Any
    refused: list[tuple[str, str]]
    warnings: list[str]
    #: (url, reason) of every resource (an @import, a font) WeasyPrint could not load.
    failures: tuple[tuple[str, str], ...] = ()
    #: The colour profiles its ``@color-profile`` rules loaded, by name.
    profiles: dict[str, Any] = field(default_factory=dict)


_FONT_CONFIG: FontConfiguration | None = None
#: Per stylesheet: the parsed sheet and what its fetcher refused while parsing it.
#: Keyed by path and content, so an edited stylesheet is parsed again.
_STYLESHEETS: dict[tuple[Path, bytes], _Stylesheet] = {}


def render_pdf(job: Job, report: Report) -> Rendered:
    fetcher = sandbox_fetcher(job.project.root, FONT_FOLDERS)
    sheets = [_stylesheet(path, job.project) for path in job.layout.stylesheets]
    if job.print_ready:
        sheets.append(_print_shop_sheet(job))
    with weasyprint_log() as logged, collector_paused():
        data, starts = _drawn(job, fetcher, sheets, logged)
    _check_loaded(job, sheets, fetcher, logged)
    if logged.missing:
        raise CareleafError(missing_glyphs(logged.missing, job.leaflet, job.brand, job.layout))
    # The print-shop sheet, last, is careleaf's own and warns of nothing.
    for path, sheet in zip(job.layout.stylesheets, sheets, strict=False):
        for message in dict.fromkeys(sheet.warnings):
            report.warning(path, css_line(message), f"WeasyPrint: {message}")
    for message in dict.fromkeys(logged.messages):
        report.warning(job.layout.folder, None, f"WeasyPrint: {message}")
    try:
        return replace(_produce(job, data), page_starts=starts)
    except ValueError as exc:  # sheet and panel sizes that do not add up
        where = Location(job.layout.folder / "layout.yml")
        raise CareleafError(Diagnostic(where, f"cannot impose {job.leaflet.key}: {exc}")) from None


def _drawn(job: Job, fetcher: Sandbox, sheets: list[_Stylesheet], logged: WeasyLog
           ) -> tuple[bytes, tuple[page_starts.PageStart, ...] | None]:
    """``job`` laid out, checked and written: the PDF's bytes, and where its pages
    begin if an ebook marks them. The laid-out document dies when this returns."""
    html, document = _fitted(job, fetcher, sheets)
    _check_loaded(job, sheets, fetcher, logged)  # first: a left-out image is not overflow
    if job.layout.panels:
        _check_fit(job, document)
    check_clipping(job, document)  # text cut off at the edge of a page: an error
    # An ebook marks these pages: measured now, from the layout that is printed.
    starts = (tuple(page_starts.page_starts(document, html.etree_element))
              if job.record_pages and not job.print_ready else None)
    # Attachments are fetched while writing, so refusals are only known after it.
    data: bytes = document.write_pdf(**_write_options(job, document, sheets))
    return data, starts


def _check_loaded(job: Job, sheets: list[_Stylesheet], fetcher: Sandbox,
                  logged: WeasyLog) -> None:
    """Fail when a resource was refused, or WeasyPrint left one out (it carries on
    without it): either way the PDF would have a hole in it."""
    refused = [entry for sheet in sheets for entry in sheet.refused] + fetcher.refused
    if refused:
        failure = Report()
        for url, reason in dict.fromkeys(refused):
            failure.error(job.layout.folder, None,
                          f"refused to load '{url}' for {job.leaflet.key}: {reason}")
        raise CareleafError(failure)
    failed = [entry for sheet in sheets for entry in sheet.failures] + logged.failures
    if failed:
        raise CareleafError(load_failures(job, failed))


def _lay_out(job: Job, fetcher: Sandbox, sheets: list[_Stylesheet]) -> tuple[Any, Any]:
    """``job``'s HTML parsed and laid out by WeasyPrint: (the HTML, its pages)."""
    from weasyprint import HTML

    html = HTML(string=job.html, base_url=PROJECT_URL, url_fetcher=fetcher)
    document = html.render(stylesheets=[sheet.css for sheet in sheets],
                           font_config=_font_config())
    return html, document


def _fitted(job: Job, fetcher: Sandbox, sheets: list[_Stylesheet]) -> tuple[Any, Any]:
    """``_lay_out``, and for a tri-fold, fitted to its panels (``formats/panels.py``)."""
    if not job.layout.panels:
        return _lay_out(job, fetcher, sheets)
    return panels.fit(job.layout,
                      lambda css: _lay_out(job, fetcher, [*sheets, _css_sheet(css)]))


def _css_sheet(text: str) -> _Stylesheet:
    """A few rules careleaf writes (they warn of nothing). Not kept: each leaflet's
    fit differs, and parsing them costs well under a millisecond."""
    from weasyprint import CSS

    return _Stylesheet(CSS(string=text), [], [])


def printed_page_starts(job: Job) -> tuple[page_starts.PageStart, ...]:
    """Where each page of ``job`` begins when printed: its pages laid out, neither
    drawn nor written (the costly half of a PDF, for an ebook whose PDF is not made
    in this build). Problems with the print layout itself are the PDF output's to
    report; here the layout is only measured.
    """
    fetcher = sandbox_fetcher(job.project.root, FONT_FOLDERS)
    sheets = [_stylesheet(path, job.project) for path in job.layout.stylesheets]
    with weasyprint_log(), collector_paused():
        return _measured(job, fetcher, [*sheets, _measuring_sheet()])


def _measured(job: Job, fetcher: Sandbox, sheets: list[_Stylesheet]
              ) -> tuple[page_starts.PageStart, ...]:
    html, document = _fitted(job, fetcher, sheets)
    return tuple(page_starts.page_starts(document, html.etree_element))


#: The sixteen margin boxes of a page (CSS Paged Media), where running heads, footers
#: and page numbers go.
MARGIN_BOXES = tuple(f"{edge}-{place}" for edge, places in (
    ("top", ("left-corner", "left", "center", "right", "right-corner")),
    ("right", ("top", "middle", "bottom")),
    ("bottom", ("right-corner", "right", "center", "left", "left-corner")),
    ("left", ("bottom", "middle", "top"))) for place in places)


def _measuring_sheet() -> _Stylesheet:
    """Margin boxes left empty, for a layout that only measures where pages begin.

    They stand in the page's margins, outside the page area the body flows into, so
    every line and page break is where the PDF has it; what they hold is laid out
    afresh for every page (an eighth of an A4 leaflet's layout). ``!important`` wins
    over any layout's rules for them, whatever their page selectors."""
    key = (Path("<measuring>"), b"")
    if key not in _STYLESHEETS:
        rules = " ".join(f"@{box} {{ content: none !important }}" for box in MARGIN_BOXES)
        _STYLESHEETS[key] = _css_sheet(f"@page {{ {rules} }}")
    return _STYLESHEETS[key]


def _check_fit(job: Job, document: Any) -> None:
    """Fail when the pages outgrow the layout's panels; the last panel is the back.

    Overflow is read from the laid-out pages (page count, anchor positions) before
    anything is written, so a leaflet is never clipped or silently spread further.
    """
    limit, pages = len(job.layout.panels), document.pages
    if len(pages) <= limit:
        return
    first_page: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            first_page.setdefault(anchor, index)
    sections = job.leaflet.sections
    over = [s for s in sections if any(first_page.get(part, 0) >= limit - 1
                                       for part in (s.id, *(item.id for item in s.items)))]
    over = over or list(sections[-1:])
    # The last panel is the back: what reached it, or past it, did not fit.
    raise CareleafError(overflow.too_long(job, over, overflow.measure(pages, limit - 1, sections)))


def _produce(job: Job, data: bytes) -> Rendered:
    """Pad, and put pages on sheets, as the layout asks. A print-shop file is padded, a
    tri-fold's put on its sheet, by ``formats.printshop``, which makes it ready for a press."""
    if job.print_ready:
        return Rendered(printshop.print_file(job, data))
    layout = job.layout
    if layout.pad_to:
        data = impose.pad_to_multiple(data, layout.pad_to)
    if not layout.impose or layout.sheet is None:
        return Rendered(data)
    direction = job.leaflet.direction  # right to left: folded and bound the other way
    if layout.impose == "trifold":
        order = (layout.fold_order[0], layout.fold_order[1])
        panels = impose.fill_panels(data, layout.panels)
        return Rendered(impose.trifold(panels, *layout.sheet, order, direction))
    extra = layout.extra_names(job.leaflet.id)[0]
    return Rendered(data, {extra: impose.saddle_stitch(data, *layout.sheet, direction)})


def _write_options(job: Job, document: Any, sheets: list[_Stylesheet]) -> dict[str, Any]:
    """``write_pdf``'s options: PDF/UA-1, or PDF/X-4 for a print shop (``formats.printshop``)."""
    direction = _reading_direction(job.leaflet.direction)
    if not job.print_ready:
        return {"pdf_variant": PDF_VARIANT, "finisher": direction}
    # The press profile came with the print-shop sheet. Profiles are used only when the
    # PDF is written, so the laid-out document can be given it now.
    for sheet in sheets:
        document.color_profiles.update(printshop.press_profiles(sheet.profiles, job))
    finish = printshop.finisher(job)

    def finish_both(document: Any, pdf: Any) -> None:
        finish(document, pdf)
        if direction is not None:
            direction(document, pdf)

    return {**printshop.write_options(job), "finisher": finish_both}


def _reading_direction(direction: Direction) -> Callable[[Any, Any], None] | None:
    """Right to left, tell PDF viewers (/ViewerPreferences /Direction): shown side by
    side, a right-to-left leaflet's page 2 is left of page 1."""
    if direction != "rtl":
        return None

    def finish(document: Any, pdf: Any) -> None:
        import pydyf

        preferences = pdf.catalog.setdefault("ViewerPreferences", pydyf.Dictionary())
        preferences["Direction"] = "/R2L"

    return finish


def warm_up(project: Project, stylesheets: tuple[Path, ...]) -> None:
    """Ready this process to lay out: WeasyPrint imported, the fonts configured, these
    stylesheets parsed (kept), and a first small layout done, whose set-up is slower.
    A worker does it while the build loads its sources; its first leaflet then costs
    what every other one does."""
    from weasyprint import HTML

    sheets = [_stylesheet(path, project).css for path in stylesheets]
    with weasyprint_log():
        HTML(string="<p>Warm</p>").render(stylesheets=sheets, font_config=_font_config())


def _font_config() -> FontConfiguration:
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
        atexit.register(_forget_weasyprint_objects)
    return _FONT_CONFIG


def _forget_weasyprint_objects() -> None:
    """Let the font configuration clean up (its temporary font folder) while WeasyPrint
    is still whole. Imported after this module, WeasyPrint is torn down before it when
    the interpreter exits, and the clean-up would then fail with a traceback."""
    global _FONT_CONFIG
    _STYLESHEETS.clear()
    _FONT_CONFIG = None


def _print_shop_sheet(job: Job) -> _Stylesheet:
    """What a print shop needs on top of the design (``printshop.stylesheet``: bleed, the
    press profile, the brand's CMYK), parsed once per brand and profile. Only this sheet
    may read the default profile's folder (``PROFILE_FOLDERS``); documents may not."""
    text = printshop.stylesheet(job.brand, job.project.root)
    profile = printshop.press_profile(job.brand, job.project.root)
    key = (Path("<print-shop>"), hashlib.sha256(text.encode() + profile.read_bytes()).digest())
    if key not in _STYLESHEETS:
        from weasyprint import CSS

        fetcher = sandbox_fetcher(job.project.root, (*FONT_FOLDERS, *PROFILE_FOLDERS))
        profiles: dict[str, Any] = {}
        with weasyprint_log() as logged:
            css = CSS(string=text, url_fetcher=fetcher, color_profiles=profiles)
        _STYLESHEETS[key] = _Stylesheet(css, fetcher.refused, logged.messages,
                                        tuple(logged.failures), profiles)
    sheet = _STYLESHEETS[key]
    if "device-cmyk" not in sheet.profiles and not sheet.refused:
        why = "; ".join(sheet.warnings) or "WeasyPrint did not load it"
        raise CareleafError(Diagnostic(Location(job.brand.path), f"the press profile "
                                       f"{profile} cannot be used: {why}"))
    return sheet


def _stylesheet(path: Path, project: Project) -> _Stylesheet:
    data = path.read_bytes()
    key = (path, hashlib.sha256(data).digest())
    if key not in _STYLESHEETS:
        from weasyprint import CSS

        fetcher = sandbox_fetcher(project.root, FONT_FOLDERS)
        with weasyprint_log() as logged:
            css = CSS(string=data.decode("utf-8", "replace"),
                      base_url=project_url(project.root, path),
                      url_fetcher=fetcher, font_config=_font_config())
        _STYLESHEETS[key] = _Stylesheet(css, fetcher.refused, logged.messages,
                                        tuple(logged.failures))
    return _STYLESHEETS[key]
