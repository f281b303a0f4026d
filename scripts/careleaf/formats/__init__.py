"""Output formats: a name and a function, in a plain dict.

Each format turns a rendered ``Job`` into the bytes of one output file (and of
any file written beside it, such as imposed sheets); the build writes them.
``careleaf.readback`` reads each format back for the completeness check. Imports
of the heavy renderers happen inside the functions, so a build with nothing to do
never pays for loading WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from careleaf.brand import Brand
from careleaf.errors import Report
from careleaf.layouts import Layout
from careleaf.model import Leaflet
from careleaf.project import Project


@dataclass(frozen=True)
class Variant:
    """Who an output is for: the clinic's brand, and whether it goes to a print shop."""

    brand: str = "default"
    #: 3 mm bleed and crop marks, written under ``print/``.
    print_ready: bool = False


@dataclass(frozen=True)
class Job:
    """One output to make: a leaflet in a layout for a brand, with its rendered HTML."""

    project: Project
    leaflet: Leaflet
    layout: Layout
    brand: Brand
    html: str
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


def _pdf(job: Job, report: Report) -> Rendered:
    from careleaf.formats.pdf import render_pdf

    return render_pdf(job, report)


def _epub(job: Job, report: Report) -> Rendered:
    from careleaf.formats.epub import render_epub

    return Rendered(render_epub(job, report))


FORMATS: dict[str, Renderer] = {"pdf": _pdf, "epub": _epub}


def output_path(project: Project, source: Path, layout: Layout,
                variant: Variant = Variant()) -> Path:
    """Where ``layout`` puts the leaflet of ``source/<lang>/<id>.md`` for ``variant``."""
    lang, leaflet_id = source.parent.name, source.stem
    folder = project.output_dir(lang, leaflet_id, variant.brand)
    if variant.print_ready:
        folder = folder / "print"
    return folder / layout.output_name(leaflet_id)
