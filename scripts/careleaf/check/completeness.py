"""Verify: prove that every cause and every treatment reached every output.

For each leaflet and layout, the built file is read back from disk (never a
cached verdict) and each section and item of the source is looked for, in
source order: its entry in the outline or navigation, under the right section;
its anchor; its heading and each paragraph of its text, word for word. A
paragraph may straddle a page break in a PDF, where running headers and
footers sit between its halves. Every miss is an error at the source line of what
went missing, where the writer must act (an editor jumps to it), naming the output
it is missing from. The brand's contact details must be in it whole too
(``contacts``): a miss there is an error at the brand file.

Before that, the build manifest says whether the output is still what the build
wrote from the inputs as they are now (``written``); after it, the output's other
files are read back too: its imposed sheets, its proofs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from careleaf.check.contacts import check_contacts
from careleaf.check.page_list import check_page_list
from careleaf.check.readback import Readback, TocEntry, UnreadableOutput, read_output, words
from careleaf.check.reports import Coverage
from careleaf.check.written import FileCheck, Output
from careleaf.design.brand import DEFAULT_BRAND, Brand, load_brand
from careleaf.design.layouts import load_layouts, select_layouts
from careleaf.errors import Report, display_path
from careleaf.formats.panels import panel_regions
from careleaf.outputs import Variant, output_path
from careleaf.pipeline.make import record_catalogues
from careleaf.pipeline.plan import output_looks, record_facts
from careleaf.project import Project
from careleaf.source.load import load_leaflets
from careleaf.source.model import Leaflet

CHECK = "completeness"


@dataclass
class CheckResult:
    checked: list[Path]
    leaflets: int = 0
    #: Sections and items looked for, summed over every output checked.
    parts: int = 0
    #: Each output read back, and what of its leaflet it holds.
    coverage: list[Coverage] = field(default_factory=list)
    loaded: list[Leaflet] = field(default_factory=list)
    #: Every built file read back (resolved): outputs, imposed sheets, proofs.
    read: set[Path] = field(default_factory=set)
    #: Every output and imposed file the check looked for (resolved), read or not.
    scope: set[Path] = field(default_factory=set)


def check(project: Project, report: Report, *, layout_names: list[str] | None = None,
          sources: list[Path] | None = None, brand_name: str = DEFAULT_BRAND) -> CheckResult:
    result = CheckResult([])
    leaflets = load_leaflets(project, report, sources)
    available = load_layouts(project, report)
    layouts = select_layouts(project, report, layout_names, available)
    if (brand := load_brand(project, brand_name, report)) is None:
        return result
    result.leaflets, result.loaded = len(leaflets), leaflets
    files = FileCheck(project, report, output_looks(project, brand, layouts, available))
    # What a build records of each leaflet it loads, and of each translation's original,
    # and of their catalogues: a translation's outputs are judged by what its original
    # is now, and any output by what it shows of its catalogue now, as a build does.
    record_facts(files.manifest, _with_originals(project, leaflets))
    record_catalogues(files.manifest, {leaflet.lang for leaflet in leaflets})
    for leaflet in (leaflet for leaflet in leaflets if _in_brand_language(brand, leaflet, report)):
        for layout in (layout for layout in layouts if leaflet.wants(layout.name)):
            target = output_path(project, leaflet.path, layout, Variant(brand_name))
            shop = output_path(project, leaflet.path, layout, Variant(brand_name, True))
            # Print-shop files are checked when they were made (build --print-ready).
            for output in [Output(target, leaflet, layout),
                           *([Output(shop, leaflet, layout, True)] if shop.is_file() else [])]:
                _check_variant(output, brand, files, result, report)
            if (printed := available.get(layout.page_list or "")) is not None:
                pdf = output_path(project, leaflet.path, printed, Variant(brand_name))
                if target.is_file() and pdf.is_file():  # an unbuilt PDF: nothing to compare
                    check_page_list(target, pdf, report)
    result.read = files.read
    return result


def _with_originals(project: Project, leaflets: list[Leaflet]) -> list[Leaflet]:
    """``leaflets`` and the originals of the translations among them, loaded if need be
    (their problems are the translations' check's to say, and their own)."""
    loaded = {leaflet.path.resolve() for leaflet in leaflets}
    wanted = {path for leaflet in leaflets if (path := leaflet.original_path) is not None
              and path.resolve() not in loaded}
    # None wanted: none loaded (``load_leaflets`` given no paths loads every source).
    return [*leaflets, *(load_leaflets(project, Report(), sorted(wanted)) if wanted else [])]


def _in_brand_language(brand: Brand, leaflet: Leaflet, report: Report) -> bool:
    """Whether ``brand`` has its sentences in the leaflet's language; if not, the build
    made no outputs of it for the brand, and that is an error of the leaflet's."""
    problem = brand.language_problem(leaflet.lang, [display_path(leaflet.path)])
    if problem is not None:
        report.error(leaflet.path, None, f"is not built for the brand '{brand.name}' "
                     f"({problem.location}): {problem.message}", CHECK)
    return problem is None


def _check_variant(output: Output, brand: Brand, files: FileCheck, result: CheckResult,
                   report: Report) -> None:
    result.scope.update(path.resolve() for path in (output.path, *output.sheets))
    if (coverage := _check_output(output, brand, files, report)) is not None:
        result.checked.append(output.path)
        result.coverage.append(coverage)
        result.parts += sum(1 + len(s.items) for s in output.leaflet.sections)


def _check_output(output: Output, brand: Brand, files: FileCheck,
                  report: Report) -> Coverage | None:
    target, leaflet, layout = output.path, output.leaflet, output.layout
    if not target.is_file():
        report.error(target, None, f"missing: {leaflet.key} has not been built in the "
                     f"{layout.name} layout (run 'careleaf build')", CHECK)
        return None
    files.freshness(output)
    assert layout.format is not None
    try:
        # A tri-fold sheet is read panel by panel, in reading order; its print-shop file
        # too (the same sheet, its trim box where the other's page is, with a slug round).
        sheet = layout.impose == "trifold"
        regions = panel_regions(layout, leaflet.direction) if sheet else ()
        readback = read_output(target, layout.format, regions)
    except UnreadableOutput as exc:
        report.error(target, None, str(exc), CHECK)
        return None
    files.read_back(output)
    matcher = _Matcher(target, leaflet, readback, report)
    matcher.run()
    check_contacts(brand, readback, target, report)
    return matcher.coverage(layout.name)


class _Matcher:
    """Walks the leaflet in source order, looking for each part after the previous one."""

    def __init__(self, target: Path, leaflet: Leaflet, readback: Readback, report: Report):
        self.target, self.leaflet, self.rb, self.report = target, leaflet, readback, report
        self.output = display_path(target)
        self.flat = [word for page in readback.pages for word in page]
        self.page_starts, start = [], 0
        for page in readback.pages:
            self.page_starts.append(start)
            start += len(page)
        self.cursor = 0
        #: The section or item being looked for (its id and source line), and the ids of
        #: those found wanting.
        self.part, self.missing = "", set[str]()
        self.line: int | None = None

    def run(self) -> None:
        leaflet = self.leaflet
        # The overview at its first line: the title's in the front matter, else its text's.
        self.line = leaflet.key_lines.get("title") or next(
            (block.line for block in leaflet.overview_located), None)
        self.find_text("overview", [leaflet.title, *leaflet.overview_blocks])
        for section in leaflet.sections:
            self.part, self.line = section.id, section.line
            label = f"section '{section.id}'"
            entry = self.check_entry(label, self.rb.toc, section.title, section.id, "")
            self.check_anchor(label, section.id)
            self.find_text(label, [section.title, *section.intro_blocks], section.id)
            for item in section.items:
                self.part, self.line = item.id, item.line
                label = f"{section.item_kind} '{item.id}'"
                children = entry.children if entry else []
                self.check_entry(label, children, item.title, item.id,
                                 f" under '{section.title}'")
                self.check_anchor(label, item.id)
                self.find_text(label, [item.title, *item.blocks], item.id)

    def check_entry(self, label: str, entries: list[TocEntry], title: str, element_id: str,
                    where: str) -> TocEntry | None:
        entry = _find_entry(entries, title, element_id)
        if entry is None:
            self.miss(f"{label} is missing from the {self.rb.toc_name}{where} in {self.output}")
        elif entry.target is not None and entry.target.partition("#")[2] != element_id:
            self.miss(f"{label}: its {self.rb.toc_name} entry in {self.output} points at "
                      f"'{entry.target}'")
        return entry

    def check_anchor(self, label: str, element_id: str) -> None:
        if element_id not in self.rb.anchors:
            self.miss(f"{label} has no element with id '{element_id}' in the {self.rb.kind} "
                      f"{self.output}")

    def find_text(self, label: str, blocks: list[str], element_id: str | None = None) -> None:
        """Find each block after the previous one; the heading where its element starts."""
        for index, block in enumerate(blocks):
            wanted = self.rb.source_words(block)
            if not wanted:
                continue
            anchored = self.rb.positions.get(element_id or "") if index == 0 else None
            found = (self.follow(wanted, anchored) if anchored is not None
                     else self.locate(wanted, self.cursor))
            if found is not None:
                self.cursor = found
                continue
            part = "heading" if index == 0 else f"text '{_excerpt(block)}'"
            if anchored is not None and self.locate(wanted, 0) is not None:
                problem = f"is not at the start of the element with id '{element_id}'"
            elif self.locate(wanted, 0) is not None:
                problem = "is out of source order"
            else:
                problem = "is missing"
            self.miss(f"{label}: its {part} {problem} in the {self.rb.kind} text of "
                      f"{self.output}")

    def locate(self, wanted: list[str], start: int) -> int | None:
        """Index just past the first occurrence of ``wanted`` at or after ``start``."""
        for index in range(start, len(self.flat)):
            if self.flat[index] == wanted[0] and (end := self.follow(wanted, index)) is not None:
                return end
        return None

    def follow(self, wanted: list[str], index: int) -> int | None:
        """Index just past ``wanted`` read from ``index`` on, or None.

        The words may be cut by page breaks: a paragraph's head ends one page's body
        text (running headers and footers follow it) and its tail opens the next page.
        """
        same = 0
        while (same < len(wanted) and index + same < len(self.flat)
               and self.flat[index + same] == wanted[same]):
            same += 1
        if same == len(wanted):
            return index + same
        for split in range(same, 0, -1):
            page_start = next((s for s in self.page_starts if s >= index + split), None)
            if page_start is None:
                return None
            if (end := self.follow(wanted[split:], page_start)) is not None:
                return end
        return None

    def miss(self, message: str) -> None:
        """An error at the source line of the part looked for, where the writer acts;
        ``message`` names the output."""
        self.missing.add(self.part)
        self.report.error(self.leaflet.path, self.line, message, CHECK)

    def coverage(self, layout: str) -> Coverage:
        """Found/total of the causes, the treatments and every section and item."""
        counts = {}
        for name, parts in (("causes", self._items("causes")),
                            ("treatment", self._items("treatment")),
                            ("all", [p for s in self.leaflet.sections
                                     for p in (s.id, *(i.id for i in s.items))])):
            counts[name] = (sum(p not in self.missing for p in parts), len(parts))
        return Coverage(self.target, layout, counts)

    def _items(self, section_id: str) -> list[str]:
        section = self.leaflet.section(section_id)
        return [item.id for item in section.items] if section else []


def _find_entry(entries: list[TocEntry], title: str, element_id: str) -> TocEntry | None:
    """The entry for ``title`` at any depth: same words first, then containing them.

    Among equal candidates, one that links to ``element_id`` wins, so that "Hold your
    breath" is not mistaken for "Hold your breath longer".
    """
    wanted = words(title)
    if not wanted:
        return None
    every = [e for top in entries for e in top.walk()]
    exact = [e for e in every if words(e.title) == wanted]
    containing = [e for e in every if _contains(words(e.title), wanted)]
    for candidates in (exact, containing):
        linked = [e for e in candidates if e.target and e.target.partition("#")[2] == element_id]
        if linked or candidates:
            return (linked or candidates)[0]
    return None


def _contains(have: list[str], wanted: list[str]) -> bool:
    size = len(wanted)
    return any(have[i:i + size] == wanted for i in range(len(have) - size + 1))


def _excerpt(text: str, size: int = 48) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
