"""The job of a format: one output to make, and the bytes it makes.

A ``Job`` is a leaflet in a layout for a brand, with its rendered HTML; a format's
renderer turns it into ``Rendered`` bytes (and the bytes of files written beside it,
such as imposed sheets), which the pipeline writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Report
from careleaf.project import Project
from careleaf.source.model import Leaflet


@dataclass(frozen=True)
class Job:
    """One output to make: a leaflet in a layout for a brand, with its rendered HTML
    (empty until the worker that makes the output renders it)."""

    project: Project
    leaflet: Leaflet
    layout: Layout
    brand: Brand
    html: str = ""
    print_ready: bool = False
    #: For an ebook: the PDF layout whose printed pages it marks (``page_list``).
    page_source: Layout | None = None
    #: For a PDF: leave where its pages begin in the cache, for an ebook to mark them.
    record_pages: bool = False

    @property
    def pages_cache(self) -> Path:
        return self.project.build_dir / ".careleaf-cache" / "pages"


@dataclass(frozen=True)
class Rendered:
    """The bytes of an output, and of the files written beside it (name -> bytes)."""

    data: bytes
    extras: dict[str, bytes] = field(default_factory=dict)


Renderer = Callable[[Job, Report], Rendered]
