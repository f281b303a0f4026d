"""The benchmark's in-process measurements, each run in a process of its own.

``bench.py --worker KIND`` runs one of these and prints its JSON: per-leaflet times
after one untimed warm-up, so that the import of WeasyPrint and the first, slower
render are left out on both sides of a comparison. Each is timed on the wall clock
and in this process's CPU time, which other processes on the machine disturb less.

- ``floor``: careleaf's own A4 HTML laid out and written by WeasyPrint alone.
- ``careleaf``: the default build's A4 render task (``pipeline.tasks``: the PDF,
  written, and its page starts kept for the ebook), then its proofs' task (a later
  tier of every default build: ``formats.proofs``), and the parts of the render that
  WeasyPrint alone does not do (the HTML with its QR code, the write).
- ``epub``: the A4 laid out alone for its page starts (what a cold EPUB-only build
  adds), then the EPUB render task given them, as the task graph gives them: with its
  cover drawn, then with its cover kept (``files.Store``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project

if TYPE_CHECKING:
    from careleaf.design.brand import Brand
    from careleaf.design.layouts import Layout
    from careleaf.pipeline.tasks import Result, Work

T = TypeVar("T")
PDF_VARIANT = "pdf/ua-1"  # what careleaf writes (careleaf.formats.pdf.PDF_VARIANT)


class BenchError(Exception):
    """Something broke (a command failed, an output is missing): not a missed target."""


def floor_worker(root: Path, _out: Path) -> dict[str, Any]:
    """careleaf's HTML laid out by WeasyPrint alone: per-leaflet ms after one warm-up."""
    started = time.perf_counter()
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from careleaf.render.html import render_html
    from careleaf.source.load import load_leaflets

    import_ms = ms_since(started)
    project, layout, brand = project_parts(root, "a4")
    htmls = [render_html(leaflet, layout, brand) for leaflet in load_leaflets(project, Report())]
    fonts = FontConfiguration()
    sheets = [CSS(filename=str(path), font_config=fonts) for path in layout.stylesheets]
    base_url = root.as_uri() + "/"

    def render(html: str) -> None:
        HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=sheets, font_config=fonts, pdf_variant=PDF_VARIANT)

    with weasyprint_warnings() as warnings:
        result = {"import_ms": import_ms, **timed_each(render, htmls)}
    if any("ailed to load" in message for message in warnings):
        raise BenchError(f"the floor could not load everything careleaf loads: {warnings}")
    return result


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """WeasyPrint's warnings, collected (a resource it failed to load means less work)."""
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def careleaf_worker(root: Path, out: Path) -> dict[str, Any]:
    """The A4 render task per leaflet as a default build runs it, then its proofs' task,
    plus where the render's time goes."""
    started = time.perf_counter()
    from careleaf.files import Store, write_atomic
    from careleaf.formats.job import Job
    from careleaf.pipeline.records import FileRecord
    from careleaf.pipeline.tasks import ProofWork, RenderWork
    from careleaf.render.html import render_html
    from careleaf.source.load import load_leaflets

    import_ms = ms_since(started)
    project, layout, brand = project_parts(root, "a4")
    cache = Store(out / "cache", "bench", ".json", durable=False)  # for an ebook, as a build
    works = [RenderWork(Job(project, leaflet, layout, brand, record_pages=True),
                        out / layout.output_name(leaflet.id), cache)
             for leaflet in load_leaflets(project, Report())]
    result = {"import_ms": import_ms, **timed_each(executed, works)}
    proofs = timed_each(executed, [ProofWork(w.target, ((w.target, FileRecord.of(
        w.target, w.target.read_bytes()).sha256),)) for w in works])
    result["proofs_ms"], result["proofs_cpu_ms"] = proofs["ms"], proofs["cpu_ms"]
    _forget_qr_codes()  # as the render task met them: each leaflet's code made anew
    result["html_ms"] = timed_each(
        lambda w: render_html(w.job.leaflet, w.job.layout, w.job.brand), works)["ms"]
    data = works[0].target.read_bytes()
    result["write_ms"] = timed_each(lambda w: write_atomic(out / "probe.bin", data), works)["ms"]
    return result


def _forget_qr_codes() -> None:
    """Empty the process's QR code caches (``render.qr``), as in a new worker."""
    from careleaf.render import qr

    qr.qr_svg.cache_clear()
    qr._make.cache_clear()


def epub_worker(root: Path, out: Path) -> dict[str, Any]:
    """The A4 laid out alone for its page starts, then the EPUB task given them, per
    leaflet: its cover drawn (a first build), then kept (a rebuild after a text edit)."""
    from careleaf.files import Store
    from careleaf.formats.job import Job
    from careleaf.pipeline.tasks import PagesWork, RenderWork, execute
    from careleaf.render.cover import cover_png
    from careleaf.source.load import load_leaflets

    project, epub, brand = project_parts(root, "epub")
    a4, covers = project_parts(root, "a4")[1], Store(out / "covers", "bench", ".png")
    leaflets = load_leaflets(project, Report())
    pages = [PagesWork(Job(project, leaflet, a4, brand)) for leaflet in leaflets]
    starts = {work.job.leaflet.key: execute(work, {}).page_starts for work in pages}
    _forget_qr_codes()  # a cold build makes each leaflet's code once, in this task
    result = {"pages_ms": timed_each(executed, pages)["ms"]}
    works = [RenderWork(Job(project, leaflet, epub, brand, page_source=a4, store=covers,
                            print_pages=starts[leaflet.key]), out / epub.output_name(leaflet.id))
             for leaflet in leaflets]
    result.update(timed_each(executed, works))
    result["kept_cover_ms"] = timed_each(executed, works)["ms"]
    result["cover_ms"] = timed_each(lambda leaflet: cover_png(leaflet, brand), leaflets)["ms"]
    return result


def executed(work: Work) -> Result:
    from careleaf.pipeline.tasks import execute

    result = execute(work, {})
    if not result.ok:
        raise BenchError(f"a task failed: {work}: {result.diagnostics}")
    return result


def project_parts(root: Path, layout_name: str) -> tuple[Project, Layout, Brand]:
    """The project at ``root``, one of its layouts and its default brand (as a build uses)."""
    from careleaf.design.brand import DEFAULT_BRAND, load_brand

    project, report = Project(root), Report()
    layout = load_layouts(project, report).get(layout_name)
    brand = load_brand(project, DEFAULT_BRAND, report)
    if layout is None or brand is None:
        raise BenchError(f"cannot load layout '{layout_name}' or the default brand: "
                         + "; ".join(map(str, report)))
    return project, layout, brand


def timed_each(action: Callable[[T], object], things: list[T]) -> dict[str, Any]:
    """One untimed warm-up on the first thing, then each thing timed: ms per thing, on
    the wall clock (``ms``) and in CPU time (``cpu_ms``)."""
    started = time.perf_counter()
    action(things[0])
    warmup_ms = ms_since(started)
    times, cpu_times = [], []
    for thing in things:
        started, cpu = time.perf_counter(), time.process_time()
        action(thing)
        times.append(ms_since(started))
        cpu_times.append((time.process_time() - cpu) * 1000)
    return {"warmup_ms": warmup_ms, "ms": times, "cpu_ms": cpu_times}


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


WORKERS: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "floor": floor_worker, "careleaf": careleaf_worker, "epub": epub_worker}
