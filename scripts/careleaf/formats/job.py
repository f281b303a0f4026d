"""The job of a format: one output to make, and the bytes it makes.

A ``Job`` is a leaflet in a layout for a brand, with its rendered HTML; a format's
renderer turns it into ``Rendered`` bytes (and the bytes of files written beside it,
such as imposed sheets), which the pipeline writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Report
from careleaf.files import Store
from careleaf.formats.page_starts import PageStart
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
    #: For an ebook: where those printed pages begin, as the task that laid them out
    #: gave them (None: the ebook's renderer lays them out itself).
    print_pages: tuple[PageStart, ...] | None = None
    #: For a PDF: give where its pages begin (``Rendered.page_starts``), for an ebook.
    record_pages: bool = False
    #: Where costly pieces (an ebook's cover) are kept between builds, addressed by
    #: what made them; None: made every time.
    store: Store | None = None


@dataclass(frozen=True)
class Rendered:
    """The bytes of an output, and of the files written beside it (name -> bytes)."""

    data: bytes
    extras: dict[str, bytes] = field(default_factory=dict)
    #: A PDF's printed page starts, when its job asked for them (``record_pages``).
    page_starts: tuple[PageStart, ...] | None = None


Renderer = Callable[[Job, Report], Rendered]
