"""Rendering work: one task per output, run in this process or in a worker pool.

A pool keeps its worker processes for the whole build, so each worker imports
WeasyPrint once and renders many leaflets, reusing its parsed stylesheets and
font configuration (a new process per leaflet would cost ~0.5 s each). A task
writes its own output atomically and sends back only its diagnostics, never
the file's bytes. A user's mistake fails that one task; the others go on.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from careleaf.errors import CareleafError, Diagnostic, Location, Report
from careleaf.files import write_all_atomic
from careleaf.formats.job import Job, Rendered
from careleaf.formats.proofs import proof_files, remove_stale_proofs
from careleaf.outputs import FORMATS
from careleaf.pipeline.manifest import FileRecord
from careleaf.render.html import render_html

T = TypeVar("T")


@dataclass(frozen=True)
class Task:
    """One output to make, where to write it, and whether to draw its proofs."""

    job: Job
    target: Path
    #: PNG pictures of every page of a PDF, for people to look at.
    proofs: bool = True


@dataclass
class Outcome:
    task: Task
    status: str  # "built" or "failed"
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Every file written, as written: the manifest's record of a built output.
    files: dict[Path, FileRecord] = field(default_factory=dict)


def render_task(task: Task) -> Outcome:
    """Render and write one output; on a user's mistake, report it and keep the old file."""
    started, report = time.perf_counter(), Report()
    files: dict[Path, FileRecord] = {}
    try:
        rendered = _render(task, report)
        files = _write(task, rendered)
        status = "built"
    except CareleafError as exc:
        report.extend(exc.report)
        status = "failed"
    return Outcome(task, status, time.perf_counter() - started, report.diagnostics, files)


def _render(task: Task, report: Report) -> Rendered:
    job, kind = task.job, task.job.layout.format
    assert kind is not None  # only layouts with a format are built
    job = replace(job, html=render_html(job.leaflet, job.layout, job.brand))
    rendered: Rendered = FORMATS[kind].render(job, report)
    return rendered


def _write(task: Task, rendered: Rendered) -> dict[Path, FileRecord]:
    """Write the output, the files beside it and its proofs, all or none; an I/O error
    (a full disk) is an error at the output, and its old files stay as they were."""
    written = {task.target: rendered.data,
               **{task.target.with_name(name): data for name, data in rendered.extras.items()}}
    pages: dict[Path, int] = {}  # proofs of each PDF written
    if task.proofs and task.job.layout.format == "pdf":
        for path, data in list(written.items()):
            proofs = proof_files(data, path.parent / "proofs", path.stem)
            written.update(proofs)
            pages[path] = len(proofs)
    _guarded(task.target, partial(write_all_atomic, written))
    for path, count in pages.items():  # from a longer earlier version
        remove_stale_proofs(path.parent / "proofs", path.stem, count)
    return {path: FileRecord.of(path, data) for path, data in written.items()}


def _guarded(path: Path, write: Callable[[], T]) -> T:
    try:
        return write()
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else path
        raise CareleafError(Diagnostic(Location(where), f"could not be written: "
                                       f"{exc.strerror or exc}; the previous file is "
                                       "unchanged (free some space, or check the folder's "
                                       "permissions, and build again)")) from None


def run_tasks(tasks: list[Task], jobs: int) -> Iterator[Outcome]:
    """Outcomes as tasks finish: in this process for one job, else in ``jobs`` workers."""
    if jobs <= 1 or len(tasks) <= 1:
        yield from map(render_task, tasks)
        return
    # fork: workers start at once with careleaf already imported (Linux); spawn elsewhere.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)),
                               mp_context=multiprocessing.get_context(method))
    try:
        futures = [pool.submit(render_task, task) for task in _interleave(tasks)]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _interleave(tasks: list[Task]) -> list[Task]:
    """Slow PDFs first, fast EPUBs last, so no worker is left with a long tail."""
    return sorted(tasks, key=lambda task: task.job.layout.format != "pdf")
