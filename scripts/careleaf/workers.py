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
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from careleaf.brand import Brand
from careleaf.errors import CareleafError, Diagnostic, Report
from careleaf.files import write_atomic
from careleaf.formats import FORMATS, Job
from careleaf.layouts import Layout
from careleaf.model import Leaflet
from careleaf.project import Project
from careleaf.render import render_html


@dataclass(frozen=True)
class Task:
    project: Project
    leaflet: Leaflet
    layout: Layout
    brand: Brand
    target: Path
    print_ready: bool = False
    #: PNG pictures of every page of a PDF, for people to look at.
    proofs: bool = True
    #: An ebook's print edition, whose page starts it marks; see ``Job``.
    page_source: Layout | None = None
    record_pages: bool = False


@dataclass
class Outcome:
    task: Task
    status: str  # "built" or "failed"
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)


def render_task(task: Task) -> Outcome:
    """Render and write one output; on a user's mistake, report it and keep the old file."""
    started, report = time.perf_counter(), Report()
    assert task.layout.format is not None
    try:
        html = render_html(task.leaflet, task.layout, task.brand)
        job = Job(task.project, task.leaflet, task.layout, task.brand, html, task.print_ready,
                  task.page_source, task.record_pages)
        rendered = FORMATS[task.layout.format](job, report)
        written = [task.target, *(task.target.with_name(name) for name in rendered.extras)]
        for path, data in zip(written, (rendered.data, *rendered.extras.values()), strict=True):
            write_atomic(path, data)
        if task.proofs and task.layout.format == "pdf":
            from careleaf.proofs import write_proofs

            for path in written:
                write_proofs(path, path.parent / "proofs", path.stem)
        status = "built"
    except CareleafError as exc:
        report.extend(exc.report)
        status = "failed"
    return Outcome(task, status, time.perf_counter() - started, report.diagnostics)


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
    return sorted(tasks, key=lambda task: task.layout.format != "pdf")
