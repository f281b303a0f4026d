"""How much of a leaflet does not fit a layout, measured from WeasyPrint's pages.

A layout with a fixed number of panels (a tri-fold) cannot spread a leaflet further:
what lands past its last reading panel is too long. The error says, per section, how
many lines and words landed there (at the smallest type the layout allows: a tri-fold
steps its type down first), so an author knows how much to cut, and how to leave the
layout out instead (``layouts:`` in the front matter).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from careleaf.design.layouts import select_layouts
from careleaf.errors import Diagnostic, Location, Report
from careleaf.formats.job import Job
from careleaf.source.model import Section


@dataclass(frozen=True)
class Spill:
    """What of one section was laid out past the panels the layout has for reading."""

    section: Section
    lines: int
    words: int


def measure(pages: list[Any], first_over: int, sections: tuple[Section, ...]) -> list[Spill]:
    """The lines and words of each section on pages from ``first_over`` on, in order.

    Counted from WeasyPrint's line boxes inside each ``<section id=…>``: the lines an
    author would have to cut, not an estimate from the source's length.
    """
    by_id = {section.id: section for section in sections}
    counts: dict[str, list[int]] = {}
    for page in pages[first_over:]:
        for section_id, line in _section_lines(page._page_box, None, by_id):
            tally = counts.setdefault(section_id, [0, 0])
            tally[0] += 1
            tally[1] += len(_text(line).split())
    return [Spill(by_id[key], *counts[key]) for key in by_id if key in counts]


def _section_lines(box: Any, section_id: str | None, ids: dict[str, Section]
                   ) -> Iterator[tuple[str, Any]]:
    """Each line box under ``box`` with the id of the leaflet section it is in."""
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None) == "section":
        section_id = element.get("id") if element.get("id") in ids else section_id
    if type(box).__name__ == "LineBox":
        if section_id is not None and _text(box).strip():
            yield section_id, box
        return
    for child in getattr(box, "children", ()):
        yield from _section_lines(child, section_id, ids)


def _text(box: Any) -> str:
    """The text a line (or any inline box) shows."""
    if hasattr(box, "text"):
        return str(box.text)
    return " ".join(_text(child) for child in getattr(box, "children", ()))


def too_long(job: Job, over: list[Section], spills: list[Spill]) -> Diagnostic:
    """The error for a leaflet that does not fit ``job``'s layout: which sections, how
    much of each, and the ``layouts:`` line that leaves this layout out."""
    sections = job.leaflet.sections
    names = ", ".join(f"'{s.title}'" for s in over)
    message = (f"does not fit the {job.layout.name} layout: {len(over)} of {len(sections)} "
               f"sections overflow ({names}); shorten it or use another layout")
    if spills:
        lines, words = sum(s.lines for s in spills), sum(s.words for s in spills)
        each = ", ".join(f"'{s.section.title}' {_amount(s.lines, s.words)}" for s in spills)
        message += f". About {_amount(lines, words)} do not fit{_at_smallest(job)}: {each}"
    others = [name for name in _wanted(job) if name != job.layout.name]
    if others:
        message += (f". To build it without this layout, give it 'layouts: "
                    f"[{', '.join(others)}]' in its front matter")
    return Diagnostic(Location(job.leaflet.path), message)


def _at_smallest(job: Job) -> str:
    """When the layout steps its type down before giving up (``formats/panels.py``): at
    which size the lines were counted."""
    smallest, designed, _ = job.layout.type_sizes
    return f" even at {smallest:g} pt type" if smallest < designed else ""


def _amount(lines: int, words: int) -> str:
    return (f"{lines} line{'s' if lines != 1 else ''} "
            f"({words} word{'s' if words != 1 else ''})")


def _wanted(job: Job) -> list[str]:
    """The layouts the leaflet is built in now: its own ``layouts:``, else the project's."""
    if job.leaflet.layouts:
        return list(job.leaflet.layouts)
    # A throwaway report: the layouts' own problems are reported by the build itself.
    return [layout.name for layout in select_layouts(job.project, Report(), None)]
