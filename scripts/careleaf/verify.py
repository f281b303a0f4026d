"""Verify: prove that every cause and every treatment reached every output.

For each leaflet and layout, the built file is read back from disk (never a
cached verdict) and each section and item of the source is looked for, in
source order: its entry in the outline or navigation, under the right section;
its anchor; its heading and each paragraph of its text, word for word. A
paragraph may straddle a page break in a PDF, where running headers and
footers sit between its halves. Every miss is an error at the output, pointing
back at the source line of what went missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from careleaf.build import select_layouts
from careleaf.errors import Report, display_path
from careleaf.formats import output_path
from careleaf.layouts import Layout
from careleaf.load import load_leaflets
from careleaf.model import Item, Leaflet, Section
from careleaf.project import Project
from careleaf.readback import READERS, Readback, TocEntry, UnreadableOutput, words


@dataclass
class CheckResult:
    checked: list[Path]
    leaflets: int = 0
    #: Sections and items looked for, summed over every output checked.
    parts: int = 0


def check(project: Project, report: Report, *, layout_names: list[str] | None = None,
          sources: list[Path] | None = None) -> CheckResult:
    result = CheckResult([])
    leaflets = load_leaflets(project, report, sources)
    layouts = select_layouts(project, report, layout_names)
    result.leaflets = len(leaflets)
    for leaflet in leaflets:
        for layout in layouts:
            target = output_path(project, leaflet.path, layout)
            if _check_output(target, leaflet, layout, report):
                result.checked.append(target)
                result.parts += sum(1 + len(s.items) for s in leaflet.sections)
    return result


def _check_output(target: Path, leaflet: Leaflet, layout: Layout, report: Report) -> bool:
    if not target.is_file():
        report.error(target, None, f"missing: {leaflet.key} has not been built in the "
                     f"{layout.name} layout (run 'careleaf build')")
        return False
    if target.stat().st_mtime < leaflet.path.stat().st_mtime:
        report.warning(target, None, f"is older than its source {display_path(leaflet.path)}; "
                       "run 'careleaf build' to update it")
    assert layout.format is not None
    try:
        readback = READERS[layout.format](target)
    except UnreadableOutput as exc:
        report.error(target, None, str(exc))
        return False
    _Matcher(target, leaflet, readback, report).run()
    return True


class _Matcher:
    """Walks the leaflet in source order, looking for each part after the previous one."""

    def __init__(self, target: Path, leaflet: Leaflet, readback: Readback, report: Report):
        self.target, self.leaflet, self.rb, self.report = target, leaflet, readback, report
        self.flat = [word for page in readback.pages for word in page]
        self.page_starts, start = [], 0
        for page in readback.pages:
            self.page_starts.append(start)
            start += len(page)
        self.cursor = 0

    def run(self) -> None:
        overview = f"overview ({display_path(self.leaflet.path)})"
        self.find_text(overview, [self.leaflet.title, *self.leaflet.overview_blocks])
        for section in self.leaflet.sections:
            entry = _find_entry(self.rb.toc, section.title)
            label = f"section '{section.id}' ({display_path(self.leaflet.path)}:{section.line})"
            if entry is None:
                self.miss(f"{label} is missing from the {self.rb.toc_name}")
            self.find_text(label, [section.title, *section.intro_blocks])
            for item in section.items:
                self.check_item(section, item, entry)

    def check_item(self, section: Section, item: Item, section_entry: TocEntry | None) -> None:
        label = (f"{section.item_kind} '{item.id}' "
                 f"({display_path(self.leaflet.path)}:{item.line})")
        children = section_entry.children if section_entry else []
        entry = _find_entry(children, item.title)
        if entry is None:
            self.miss(f"{label} is missing from the {self.rb.toc_name} under "
                      f"'{section.title}'")
        elif entry.target and not entry.target.endswith(f"#{item.id}"):
            self.miss(f"{label}: its {self.rb.toc_name} entry points at '{entry.target}'")
        if item.id not in self.rb.anchors:
            self.miss(f"{label} has no element with id '{item.id}' in the {self.rb.kind}")
        self.find_text(label, [item.title, *item.blocks])

    def find_text(self, label: str, blocks: list[str]) -> None:
        for index, block in enumerate(blocks):
            wanted = words(block)
            if not wanted:
                continue
            found = self.locate(wanted, self.cursor)
            if found is not None:
                self.cursor = found
                continue
            part = "heading" if index == 0 else f"text '{_excerpt(block)}'"
            earlier = self.locate(wanted, 0) is not None
            problem = "is out of source order" if earlier else "is missing"
            self.miss(f"{label}: its {part} {problem} in the {self.rb.kind} text")

    def locate(self, wanted: list[str], start: int) -> int | None:
        """Index just past ``wanted`` in the text at or after ``start``, or None."""
        found = _find(self.flat, wanted, start, len(self.flat))
        if found is not None:
            return found + len(wanted)
        for boundary in self.page_starts[1:]:
            if boundary <= start:
                continue
            for split in range(1, len(wanted)):
                tail = wanted[split:]
                if (self.flat[boundary:boundary + len(tail)] == tail
                        and _find(self.flat, wanted[:split], start, boundary) is not None):
                    return boundary + len(tail)
        return None

    def miss(self, message: str) -> None:
        self.report.error(self.target, None, message)


def _find(haystack: list[str], needle: list[str], start: int, end: int) -> int | None:
    first, size = needle[0], len(needle)
    for index in range(start, end - size + 1):
        if haystack[index] == first and haystack[index:index + size] == needle:
            return index
    return None


def _find_entry(entries: list[TocEntry], title: str) -> TocEntry | None:
    """The first entry, at any depth, whose title contains ``title``'s words."""
    wanted = words(title)
    for entry in (e for top in entries for e in top.walk()):
        have = words(entry.title)
        if wanted and _find(have, wanted, 0, len(have)) is not None:
            return entry
    return None


def _excerpt(text: str, size: int = 48) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
