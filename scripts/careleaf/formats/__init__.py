"""Output formats: a name and a function, in a plain dict.

Each format turns a rendered ``Job`` (``formats.job``) into the bytes of one output
file (and of any file written beside it, such as imposed sheets); the pipeline
writes them. ``careleaf.check.readback`` reads each format back for the
completeness check. Imports of the heavy renderers happen inside the functions, so
a build with nothing to do never pays for loading WeasyPrint.
"""

from __future__ import annotations

from careleaf.errors import Report
from careleaf.formats.job import Job, Rendered, Renderer

__all__ = ["FORMATS", "Job", "Rendered", "Renderer"]


def _pdf(job: Job, report: Report) -> Rendered:
    from careleaf.formats.pdf import render_pdf

    return render_pdf(job, report)


def _epub(job: Job, report: Report) -> Rendered:
    from careleaf.formats.epub import render_epub

    return Rendered(render_epub(job, report))


FORMATS: dict[str, Renderer] = {"pdf": _pdf, "epub": _epub}

