"""The schedule: a plan's work laid out as a graph of tasks (``graph``, ``tasks``).

Once the stale sources are loaded, ``Schedule.graph`` gives each stale output a task,
each ebook the printed page starts it needs, and each PDF its proofs::

    a4 ─────────────► epub      the A4's own task hands the ebook its page starts
    pages (a4) ─────► epub      the A4 not made now: its layout alone, or the cache
    a4, letter, … ──► proofs    a later tier: begun once every output has begun

Within a tier, tasks start in the order they are given: the PDFs an ebook waits for
and the layouts alone first, then the other PDFs, then the ebooks (quick, so no worker
is left with a long tail); then the proofs, of PDFs made now or made before without.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from careleaf.design.layouts import Layout
from careleaf.files import Store
from careleaf.formats.job import Job
from careleaf.outputs import FORMATS, Variant, output_path
from careleaf.pipeline.graph import Graph, Task
from careleaf.pipeline.plan import Plan, Stale
from careleaf.pipeline.tasks import PagesWork, ProofWork, RenderWork, Result, Work
from careleaf.source.model import Leaflet


class Schedule:
    """The tasks that make a plan's stale outputs and draw the proofs due."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        caches = plan.project.build_dir / ".careleaf-cache"
        self.cache = Store(caches / "pages", plan.toolchain, ".json", durable=False)
        self.covers = Store(caches / "covers", plan.toolchain, ".png")

    def graph(self, leaflets: list[Leaflet], stale: Stale) -> Graph[Work, Result]:
        """Every task of the build: the stale outputs of ``leaflets``, the page layouts
        their ebooks need, and the proofs of their PDFs and of the plan's ``proofs_due``."""
        renders = {_id("out", work.target): work for leaflet in leaflets
                   for layout, variant in stale[leaflet.path] if leaflet.wants(layout.name)
                   and not (variant.print_ready and leaflet.is_draft)
                   for work in [self._render_work(leaflet, layout, variant)]}
        tasks = [*self._output_tasks(renders), *self._proof_tasks(renders)]
        return Graph(sorted(tasks, key=lambda task: (task.tier, _rank(task.work))))

    def _render_work(self, leaflet: Leaflet, layout: Layout, variant: Variant) -> RenderWork:
        plan = self.plan
        job = Job(plan.project, leaflet, layout, plan.brand.in_language(leaflet.lang),
                  print_ready=variant.print_ready,
                  page_source=plan.available.get(layout.page_list or ""),
                  store=self.covers if layout.format == "epub" else None)
        return RenderWork(job, output_path(plan.project, leaflet.path, layout, variant))

    def _output_tasks(self, renders: dict[str, RenderWork]) -> list[Task[Work]]:
        """A task per output; an ebook's needs its printed edition's, or a layout alone."""
        tasks: dict[str, Task[Work]] = {}
        for task_id, work in renders.items():
            source, job = work.job.page_source, work.job
            if source is None:
                tasks.setdefault(task_id, Task(task_id, work))
                continue
            printed = _id("out", output_path(self.plan.project, job.leaflet.path, source,
                                             Variant(self.plan.brand.name)))
            if printed in renders:  # it gives its page starts, and keeps them for later
                marked = replace(renders[printed].job, record_pages=True)
                tasks[printed] = Task(printed, replace(renders[printed], job=marked,
                                                       cache=self.cache))
                need = printed
            else:
                need = printed.replace("out:", "pages:", 1)
                pages = PagesWork(replace(job, layout=source, page_source=None), self.cache)
                tasks[need] = Task(need, pages)
            tasks[task_id] = Task(task_id, work, (need,), after_failure=True)
        return list(tasks.values())

    def _proof_tasks(self, renders: dict[str, RenderWork]) -> list[Task[Work]]:
        """Proofs of the PDFs made now, and of fresh ones whose proofs are due."""
        made: list[Task[Work]] = [
            Task(proofs_id(work.target), ProofWork(work.target), (task_id,), tier=1)
            for task_id, work in renders.items() if self.plan.wants_proofs(work.job.layout)]
        return made + [Task(proofs_id(target), ProofWork(target, self._written(target)),
                            tier=1) for target in self.plan.proofs_due]

    def _written(self, target: Path) -> tuple[tuple[Path, str], ...]:
        """The files the manifest says ``target``'s build wrote, with their hashes."""
        manifest = self.plan.manifest
        entry = manifest.entries[manifest.key(target)]
        return tuple((self.plan.project.build_dir / name, record.sha256)
                     for name, record in entry.files.items())


def warm_up(plan: Plan) -> Callable[[], None] | None:
    """What readies a worker for the PDF layouts (and those an ebook marks) to be made,
    as plain data to send it; None when no PDF is laid out."""
    printed = [layout for layout, _ in plan.outputs if layout.format == "pdf"]
    printed += [plan.available[layout.page_list] for layout, _ in plan.outputs
                if layout.page_list in plan.available]
    sheets = tuple(dict.fromkeys(path for layout in printed for path in layout.stylesheets))
    return partial(FORMATS["pdf"].warm_up, plan.project, sheets) if sheets else None


def _id(kind: str, target: Path) -> str:
    return f"{kind}:{target}"


def proofs_id(target: Path) -> str:
    """The id of the task that draws the proofs of the output at ``target``."""
    return _id("proofs", target)


def _rank(work: Work) -> int:
    """Within a tier: what others wait for first, PDFs next, ebooks (quick) last."""
    if isinstance(work, PagesWork) or (isinstance(work, RenderWork) and work.job.record_pages):
        return 0
    return 1 if isinstance(work, ProofWork) or work.job.layout.format == "pdf" else 2
