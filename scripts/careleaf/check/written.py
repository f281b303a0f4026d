"""Hold every file a build wrote for an output to the manifest, and read each one back.

``completeness`` reads an output's text against its source. A build writes more than that
file: a booklet's imposed sheets, a PNG proof of every PDF page, print-shop copies
under ``print/``; the download site publishes some of them. This module answers for
all of it in ``careleaf check`` (as part of the ``completeness`` check):

- freshness from the build manifest, never from file times: an output whose inputs'
  bytes (or whose layout, brand or careleaf) changed since its build is stale, a
  warning; a file that is not as the build wrote it (truncated, replaced, deleted) is
  an error;
- imposed sheets (a booklet's file beside it, and a tri-fold, whose output *is* the
  sheet) must have the page count imposition gives and the sheet's size, and each
  side of a booklet's sheets must hold exactly the words of the two pages imposed on
  it: a cheap proof that nothing was lost or doubled in imposition;
- each proof must decode as a PNG, one per page of its PDF, shaped like its page.

Every file read is remembered, so that the site check can refuse to offer one that
was not.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from careleaf.check.readback import UnreadableOutput, page_texts, read_output, words
from careleaf.design.layouts import Layout
from careleaf.errors import Report, display_path
from careleaf.files import file_problem
from careleaf.formats.impose import TOLERANCE, saddle_order
from careleaf.i18n.bidi import reading_order
from careleaf.pipeline.manifest import Manifest, toolchain_digest
from careleaf.pipeline.records import built_from
from careleaf.project import Project
from careleaf.source.images import whole_pictures
from careleaf.source.model import Leaflet

CHECK = "completeness"
#: How far a proof's width-to-height ratio may be from its page's: pixels are whole.
ASPECT_TOLERANCE = 0.01
#: How many lost or added words an imposition error quotes.
QUOTED_WORDS = 3
Size = tuple[float, float]


@dataclass(frozen=True)
class Output:
    """One output of a leaflet in a layout, for the shop (``print/``) or not."""

    path: Path
    leaflet: Leaflet
    layout: Layout
    print_ready: bool = False

    @property
    def sheets(self) -> list[Path]:
        """The imposed files written beside it (a print-shop file is only padded)."""
        if self.print_ready:
            return []
        return [self.path.with_name(name) for name in self.layout.extra_names(self.leaflet.id)]

    @property
    def is_sheet(self) -> bool:
        """A tri-fold's output is the imposed sheet itself."""
        return self.layout.impose == "trifold" and not self.print_ready


class FileCheck:
    """Checks outputs against the manifest and reads their files back, keeping a list."""

    def __init__(self, project: Project, report: Report,
                 looks: dict[tuple[str, bool], str]) -> None:
        self.project, self.report, self.looks = project, report, looks
        self.manifest, self.toolchain = Manifest(project), toolchain_digest()
        #: Every file read back in this run (resolved): the site may offer only these.
        self.read: set[Path] = set()
        #: Files the manifest found damaged (resolved): their error is said already.
        self.damaged: set[Path] = set()

    def freshness(self, output: Output) -> None:
        """Warn of an output built from older inputs; an error per file not as written."""
        path = output.path
        look = self.looks.get((output.layout.name, output.print_ready))
        changed = self.manifest.changed_inputs(path, look, self.toolchain)
        if changed == ["never built"]:
            self.report.warning(path, None, "has no record of being built in "
                                f"{display_path(self.manifest.path)}, so it may not be what "
                                "the build made; run 'careleaf build'", CHECK)
            return
        if changed:
            self.report.warning(path, None, f"was built "
                                f"{_changes(self.project, changed, output.layout)}; "
                                "run 'careleaf build' to update it", CHECK)
        for file, reason in self.manifest.damaged(path):
            self.damaged.add(file.resolve())
            self.report.error(file, None, f"{reason}{_cause(reason)}; run 'careleaf build' "
                              "to make it again", CHECK)

    def read_back(self, output: Output) -> None:
        """Every file of ``output`` but its text, which ``completeness`` has read: the pages and
        proofs of a PDF, its imposed sheets and theirs."""
        self.read.add(output.path.resolve())
        if output.layout.format != "pdf" or (sizes := self._pages(output.path)) is None:
            return
        proofs = self._recorded_proofs(output.path)
        self._proofs(output.path, sizes, proofs)
        if output.is_sheet:
            self._sheet_pages(output.path, sizes, 2, output.layout, "a tri-fold is")
        for sheet in output.sheets:
            if self._present(sheet, f"the imposed sheets of {display_path(output.path)}"):
                self._imposed(output, sheet, len(sizes), proofs)

    def _imposed(self, output: Output, sheet: Path, pages: int,
                 proofs: list[Path] | None) -> None:
        """A booklet's sheets: two pages a side, in saddle-stitch order."""
        if (sizes := self._pages(sheet)) is None:
            return
        sides = -(-pages // 4) * 2
        what = f"imposing the {pages} pages of {display_path(output.path)} gives"
        if self._sheet_pages(sheet, sizes, sides, output.layout, what) and not pages % 4:
            self._sheet_words(output, sheet)
        self._proofs(sheet, sizes, proofs)

    def _sheet_pages(self, sheet: Path, sizes: list[Size], count: int, layout: Layout,
                     what: str) -> bool:
        """The page count ``what`` says, each page the layout's sheet; True if so."""
        if len(sizes) != count:
            self.report.error(sheet, None, f"has {len(sizes)} pages, but {what} {count}; "
                              "run 'careleaf build' to impose it again", CHECK)
            return False
        wanted = layout.sheet or sizes[0]
        for number, size in enumerate(sizes, start=1):
            if any(abs(have - want) > TOLERANCE for have, want in zip(size, wanted, strict=True)):
                self.report.error(sheet, None, f"page {number} is {_pt(size)}, not the "
                                  f"{layout.name} layout's sheet ({_pt(wanted)}); run "
                                  "'careleaf build' to impose it again", CHECK)
                return False
        return True

    def _sheet_words(self, output: Output, sheet: Path) -> None:
        """Each side of the sheets holds the words of its two pages, no more, no fewer."""
        try:
            reading = read_output(output.path, "pdf")  # read by ``completeness`` already
            imposed = _page_words(sheet, bool(reading.visual_rtl))
        except UnreadableOutput as exc:
            self.report.error(sheet, None, str(exc), CHECK)
            return
        pages = reading.pages
        for side, pair in enumerate(saddle_order(len(pages), output.leaflet.direction), 1):
            wanted = Counter(word for number in pair for word in pages[number - 1])
            if (have := Counter(imposed[side - 1])) != wanted:
                self.report.error(sheet, None, f"side {side} does not hold the words of pages "
                                  f"{pair[0]} and {pair[1]} of {display_path(output.path)}: "
                                  f"{_difference(wanted, have)}; run 'careleaf build' to "
                                  "impose it again", CHECK)

    def _recorded_proofs(self, output: Path) -> list[Path] | None:
        """The proofs the build recorded for ``output``; None if it has no record."""
        files = self.manifest.recorded_files(output)
        return [path for path in files if path.parent.name == "proofs"] if files else None

    def _proofs(self, pdf: Path, sizes: list[Size], recorded: list[Path] | None) -> None:
        """One decodable PNG per page, shaped like it, if the build made proofs."""
        folder = pdf.parent / "proofs"
        pattern = re.compile(rf"{re.escape(pdf.stem)}-([1-9][0-9]*)\.png")
        found = recorded if recorded is not None else (
            sorted(folder.iterdir()) if folder.is_dir() else [])
        numbered = {int(match[1]): path for path in found
                    if path.parent == folder and (match := pattern.fullmatch(path.name))}
        if not numbered:
            return  # built with --no-proofs
        for number, size in enumerate(sizes, start=1):
            proof = numbered.get(number, folder / f"{pdf.stem}-{number}.png")
            if self._present(proof, f"the proof of page {number} of {display_path(pdf)}"):
                self._proof(proof, size, f"page {number} of {display_path(pdf)}")
        for number in sorted(n for n in numbered if n > len(sizes)):
            self.report.error(numbered[number], None, f"is the proof of page {number}, but "
                              f"{display_path(pdf)} has {len(sizes)} pages; run 'careleaf "
                              "build' to make its proofs again", CHECK)

    def _proof(self, proof: Path, size: Size, page: str) -> None:
        from PIL import Image

        try:
            with whole_pictures(), Image.open(proof) as image:
                image.load()  # every pixel: a truncated or corrupt stream fails here
                kind, (width, height) = image.format, image.size
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            self._unreadable(proof, f"cannot be read as a PNG picture ({exc})")
            return
        finally:
            self.read.add(proof.resolve())
        if kind != "PNG":
            self._unreadable(proof, f"is a {kind} picture, not a PNG")
        elif abs(width / height * size[1] / size[0] - 1) > ASPECT_TOLERANCE:
            self._unreadable(proof, f"is {width} x {height} pixels, which is not the shape "
                             f"of {page} ({_pt(size)})")

    def _unreadable(self, path: Path, problem: str) -> None:
        self.report.error(path, None, f"{problem}; run 'careleaf build' to make it again",
                          CHECK)

    def _present(self, path: Path, what: str) -> bool:
        """Whether ``path`` is a regular file to read; an error if not (once: a file the
        manifest found damaged has had its error)."""
        if (problem := file_problem(path)) is None:
            return True
        if path.resolve() not in self.damaged:
            self.report.error(path, None, f"missing: {what} ({problem}); run 'careleaf "
                              "build'", CHECK)
        return False

    def _pages(self, pdf: Path) -> list[Size] | None:
        """The size of each page of ``pdf`` in points; None (an error) if unreadable."""
        import pypdfium2 as pdfium  # type: ignore[import-untyped]

        self.read.add(pdf.resolve())
        try:
            document = pdfium.PdfDocument(pdf)
        except (pdfium.PdfiumError, OSError) as exc:
            self._unreadable(pdf, f"cannot be read as a PDF: {exc}")
            return None
        try:
            return [(float(width), float(height)) for width, height
                    in map(document.get_page_size, range(len(document)))]
        finally:
            document.close()


def _page_words(pdf: Path, rtl: bool) -> list[list[str]]:
    """The words of each page, as ``readback`` reads them; the outline and destinations,
    which cost more to parse than the text, are not needed here."""
    import pypdfium2 as pdfium

    try:
        return [words(reading_order(text, rtl)) for text in page_texts(pdf, rtl)]
    except (pdfium.PdfiumError, OSError) as exc:
        raise UnreadableOutput(f"cannot be read as a PDF: {exc}") from exc


def _changes(project: Project, changed: list[str], layout: Layout) -> str:
    """``changed_inputs`` in words: ``from an older source/en/x.md and by another…``."""
    files = [name for name in changed if name not in ("layout", "careleaf")]
    parts = [built_from(project, files)] if files else []
    if "layout" in changed:
        parts.append(f"with another version of the {layout.name} layout or of the brand")
    if "careleaf" in changed:
        parts.append("by another version of careleaf or of its renderers")
    return " and ".join(parts)


def _cause(reason: str) -> str:
    """What probably happened to a damaged file, after the manifest's ``reason``."""
    if "but the build wrote" in reason:
        return ": it was truncated or replaced"
    if reason == "changed since the build wrote it":
        return ": it was edited or replaced"
    return ": it was deleted or moved" if reason == "is missing" else ""


def _difference(wanted: Counter[str], have: Counter[str]) -> str:
    """``2 word(s) lost ('rest', 'warm')``, ``1 added (…)``, as far as they go."""
    parts = []
    for label, odd in (("lost", wanted - have), ("added", have - wanted)):
        if odd:
            quoted = ", ".join(f"'{word}'" for word in sorted(odd)[:QUOTED_WORDS])
            parts.append(f"{odd.total()} word(s) {label} ({quoted})")
    return "; ".join(parts)


def _pt(size: Size) -> str:
    return f"{size[0]:.0f} x {size[1]:.0f} pt"
