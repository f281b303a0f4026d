"""The build's three kinds of work, and what running one gives back.

- ``RenderWork``: one output. The leaflet is rendered to HTML and then by its format
  (``careleaf.outputs.FORMATS``); the output and the files beside it (imposed sheets)
  are written together, all or none. A PDF that an ebook marks gives back where its
  pages begin; an ebook takes them from the task it needs (its job's ``print_pages``).
- ``PagesWork``: where the pages of a printed edition begin, for an ebook whose PDF is
  not made in this build: from the disk cache, else laid out without drawing or
  writing it.
- ``ProofWork``: PNG pictures of every page of an output's PDFs, as its task wrote them.

Work is plain, picklable data (no open files). Each kind runs in two halves:
``make`` turns work into bytes (``Made``) and may run anywhere, on a machine that
shares no disk with the project (``pipeline.cluster``); ``store`` writes those bytes
where the project is and gives back the ``Result``: the files written with their
records and the page starts found. ``execute`` is both, in one process (the local
executor's workers). A user's mistake fails its one task, with diagnostics; the old
files stay as they were.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from careleaf.errors import CareleafError, Diagnostic, Location, Report
from careleaf.files import Store, write_all_atomic
from careleaf.formats import page_starts
from careleaf.formats.job import Job, Rendered
from careleaf.formats.page_starts import PageStart
from careleaf.formats.proofs import proof_files, remove_stale_proofs
from careleaf.outputs import FORMATS
from careleaf.pipeline.records import FileRecord, pictured
from careleaf.render.html import render_html

T = TypeVar("T")


@dataclass(frozen=True)
class RenderWork:
    """Make one output and write it, with the files beside it, at ``target``."""

    job: Job
    target: Path
    #: Where a PDF leaves its page starts for later builds (None: they are not kept).
    cache: Store | None = None


@dataclass(frozen=True)
class PagesWork:
    """Find where the pages of ``job`` (a printed edition) begin, for an ebook."""

    job: Job
    cache: Store | None = None


@dataclass(frozen=True)
class ProofWork:
    """Draw every page of the PDFs of the output at ``target`` as PNG pictures."""

    target: Path
    #: Each PDF and the hash it was written with; empty: those of the task it needs.
    pdfs: tuple[tuple[Path, str], ...] = ()
    dpi: int = 96
    #: Each PDF's bytes, read where the build folder is (``loaded``): ``make`` reads none.
    data: tuple[tuple[Path, bytes], ...] = ()


Work = RenderWork | PagesWork | ProofWork


@dataclass
class Result:
    status: str  # "built" or "failed"
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Every file written, as written: the manifest's record of it.
    files: dict[Path, FileRecord] = field(default_factory=dict)
    #: Where a printed edition's pages begin (a PDF an ebook marks, or ``PagesWork``).
    page_starts: tuple[PageStart, ...] | None = None
    #: Of proofs: the PDF bytes they picture (``records.pictured``).
    pictured: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "built"


@dataclass
class Made:
    """What ``make`` made of a task, not yet written: an output's bytes (``rendered``),
    a printed edition's page starts, or each PDF's proof pictures by path."""

    rendered: Rendered | None = None
    page_starts: tuple[PageStart, ...] | None = None
    #: What the page starts are kept under for later builds (``printed``).
    printed: tuple[str, ...] = ()
    pictures: dict[Path, dict[Path, bytes]] = field(default_factory=dict)
    #: Of proofs: the PDF bytes they picture (``records.pictured``).
    pictured: str = ""


def execute(work: Work, inputs: Mapping[str, Result]) -> Result:
    """Run ``work`` with the results of the tasks it needs; a user's mistake (or a
    file that cannot be written) fails it, with diagnostics, and writes nothing."""
    started, report = time.perf_counter(), Report()
    try:
        result = store(work, make(loaded(work, inputs), inputs, report))
    except CareleafError as exc:
        report.extend(exc.report)
        result = Result("failed", 0.0)
    result.seconds, result.diagnostics = time.perf_counter() - started, report.diagnostics
    return result


def make(work: Work, inputs: Mapping[str, Result], report: Report) -> Made:
    """The bytes ``work`` makes, given its needs' results. Reads no file of the build:
    proofs get their PDFs' bytes from ``loaded``. ``CareleafError`` for a user's mistake."""
    if isinstance(work, RenderWork):
        job, rendered = make_output(work, inputs, report)
        return Made(rendered, rendered.page_starts, printed(job))
    if isinstance(work, PagesWork):
        return Made(page_starts=_page_starts(work))
    return Made(pictures=draw_proofs(dict(work.data), work.dpi),
                pictured=pictured(sha for _, sha in work.pdfs))


def loaded(work: Work, inputs: Mapping[str, Result]) -> Work:
    """``work`` with what it reads from the build folder in it: a proof set's PDFs, as
    their task wrote them (those of the output task it needs, if it names none)."""
    if not isinstance(work, ProofWork) or work.data:
        return work
    pdfs = work.pdfs or tuple((path, record.sha256) for result in inputs.values()
                              for path, record in result.files.items())
    return replace(work, pdfs=pdfs, data=tuple(read_pdfs(pdfs).items()))


def store(work: Work, made: Made) -> Result:
    """Write what ``make`` made, all or none, and keep page starts for later builds."""
    if isinstance(work, RenderWork):
        assert made.rendered is not None
        files = _guarded(work.target, partial(write_output, work.target, made.rendered))
        if work.cache is not None and made.page_starts is not None:
            work.cache.put(made.printed, page_starts.to_bytes(made.page_starts))
        return Result("built", 0.0, files=files, page_starts=made.page_starts)
    if isinstance(work, ProofWork):
        files = _guarded(work.target, partial(write_proofs, made.pictures))
        return Result("built", 0.0, files=files, pictured=made.pictured)
    return Result("built", 0.0, page_starts=made.page_starts)


def make_output(work: RenderWork, inputs: Mapping[str, Result], report: Report
                ) -> tuple[Job, Rendered]:
    """The output's bytes (and its job, with its HTML), given its needs' results."""
    job, kind = work.job, work.job.layout.format
    assert kind is not None  # only layouts with a format are built
    job = replace(job, html=render_html(job.leaflet, job.layout, job.brand))
    if job.page_source is not None:  # an ebook: the page starts its edition's task found
        job = replace(job, print_pages=next((result.page_starts for result in inputs.values()
                                             if result.page_starts is not None),
                                            job.print_pages))
    rendered: Rendered = FORMATS[kind].render(job, report)
    return job, rendered


def write_output(target: Path, rendered: Rendered) -> dict[Path, FileRecord]:
    """Write the output and the files beside it, all or none."""
    written = {target: rendered.data,
               **{target.with_name(name): data for name, data in rendered.extras.items()}}
    write_all_atomic(written)
    return {path: FileRecord.of(path, data) for path, data in written.items()}


def _page_starts(work: PagesWork) -> tuple[PageStart, ...]:
    """Where the edition's pages begin: from the cache, else laid out (and kept)."""
    kind = work.job.layout.format
    assert kind is not None  # a page_list names a PDF layout: its record lays it out alone
    job = replace(work.job, html=render_html(work.job.leaflet, work.job.layout, work.job.brand))
    kept = work.cache.get(printed(job)) if work.cache else None
    starts = page_starts.from_bytes(kept) if kept is not None else None
    if starts is None:
        starts = FORMATS[kind].page_starts(job)
        if work.cache is not None:
            work.cache.put(printed(job), page_starts.to_bytes(starts))
    return starts


def printed(job: Job) -> tuple[str, ...]:
    """What a printed edition's page starts are made from: its HTML and its layout."""
    return ("page starts", job.layout.digest(), hashlib.sha256(job.html.encode()).hexdigest())


def read_pdfs(pdfs: tuple[tuple[Path, str], ...]) -> dict[Path, bytes]:
    """Each PDF's bytes, as long as they are still those its task wrote."""
    found = {}
    for path, sha in pdfs:
        try:
            found[path] = path.read_bytes()
        except OSError as exc:
            problem = f"could not be read ({exc.strerror or exc})"
        else:
            problem = "" if hashlib.sha256(found[path]).hexdigest() == sha else "changed"
        if problem:
            raise CareleafError(Diagnostic(Location(path), f"{problem} since the build "
                                           "wrote it; its proofs are drawn by the next build"))
    return found


def draw_proofs(pdfs: dict[Path, bytes], dpi: int) -> dict[Path, dict[Path, bytes]]:
    """For each PDF, its pictures' bytes by the path each goes to (``proofs/``)."""
    return {path: proof_files(data, path.parent / "proofs", path.stem, dpi)
            for path, data in pdfs.items()}


def write_proofs(drawn: dict[Path, dict[Path, bytes]]) -> dict[Path, FileRecord]:
    """Write every picture or none; then remove those of pages a PDF no longer has."""
    written = {path: data for pictures in drawn.values() for path, data in pictures.items()}
    write_all_atomic(written)
    for pdf, pictures in drawn.items():
        remove_stale_proofs(pdf.parent / "proofs", pdf.stem, len(pictures))
    return {path: FileRecord.of(path, data) for path, data in written.items()}


def _guarded(path: Path, action: Callable[[], T]) -> T:
    """``action``, with an I/O error (a full disk) made an error at ``path``."""
    try:
        return action()
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else path
        raise CareleafError(Diagnostic(Location(where), f"could not be written: "
                                       f"{exc.strerror or exc}; the previous file is "
                                       "unchanged (free some space, or check the folder's "
                                       "permissions, and build again)")) from None
