"""The plan of a build: which outputs are stale, and the graph of tasks that makes them.

Which outputs are fresh is decided from the manifest alone, without parsing any
source (``stale_outputs``); so is which fresh PDFs lack their proofs. Once the stale
sources are loaded, ``graph`` lays out the work (``pipeline.graph``, ``pipeline.tasks``)::

    a4 ─────────────► epub      the A4's own task hands the ebook its page starts
    pages (a4) ─────► epub      the A4 not made now: its layout alone, or the cache
    a4, letter, … ──► proofs    a later tier: begun once every output has begun

Within a tier, tasks start in the order they are given: the PDFs an ebook waits for
and the layouts alone first, then the other PDFs, then the ebooks (quick, so no worker
is left with a long tail); then the proofs, of PDFs made now or made before without.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Diagnostic
from careleaf.files import Store
from careleaf.formats.job import Job
from careleaf.i18n.messages import catalogue_files
from careleaf.outputs import FORMATS, Variant, output_path, output_paths
from careleaf.pipeline.graph import Graph, Task
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.records import LeafletFacts
from careleaf.pipeline.tasks import PagesWork, ProofWork, RenderWork, Result, Work
from careleaf.project import Project
from careleaf.source.model import Leaflet

#: Called after each output with its path, what came of it and the seconds it took:
#: "built", "fresh" or "failed"; for its proofs "proofs" or "proofs failed".
Progress = Callable[[Path, str, float], None]
Stale = dict[Path, list[tuple[Layout, Variant]]]


class Plan:
    """What to make, decided from the manifest, and the tasks that make it."""

    def __init__(self, project: Project, manifest: Manifest, toolchain: str, brand: Brand,
                 layouts: list[Layout], available: dict[str, Layout], *,
                 print_ready: bool, proofs: bool) -> None:
        self.project, self.manifest, self.toolchain = project, manifest, toolchain
        self.brand, self.available, self.proofs = brand, available, proofs
        variants = [Variant(brand.name), *([Variant(brand.name, True)] if print_ready else [])]
        self.outputs = _outputs(layouts, variants)
        self.looks = output_looks(project, brand, layouts, available)
        caches = project.build_dir / ".careleaf-cache"
        self.cache = Store(caches / "pages", toolchain, ".json", durable=False)
        self.covers = Store(caches / "covers", toolchain, ".png")
        #: Fresh PDFs whose proofs are missing or damaged: only those are drawn again.
        self.proofs_due: list[Path] = []

    def stale_outputs(self, sources: list[Path], force: bool, fresh: list[Path],
                      progress: Progress | None) -> Stale:
        """The outputs to make, by source; each fresh one added to ``fresh``."""
        stale: Stale = {}
        for source in sources:
            narrowed = self.manifest.recorded_layouts(source)
            targets = output_paths(self.project, source, self.outputs)
            for (layout, variant), target in zip(self.outputs, targets, strict=True):
                if narrowed is not None and layout.name not in narrowed:
                    continue  # the leaflet, unchanged since, asked for other layouts
                if force or not self.manifest.is_fresh(target, self.look(layout, variant),
                                                       self.toolchain):
                    stale.setdefault(source, []).append((layout, variant))
                    continue
                if self._wants_proofs(layout) and not self.manifest.proofs_fresh(target):
                    self.proofs_due.append(target)
                fresh.append(target)
                if progress:
                    progress(target, "fresh", 0.0)
        return stale

    def warm_up(self) -> Callable[[], None] | None:
        """What readies a worker for the PDF layouts (and those an ebook marks) to be
        made, as plain data to send it; None when no PDF is laid out."""
        printed = [layout for layout, _ in self.outputs if layout.format == "pdf"]
        printed += [self.available[layout.page_list] for layout, _ in self.outputs
                    if layout.page_list in self.available]
        sheets = tuple(dict.fromkeys(path for layout in printed for path in layout.stylesheets))
        return partial(FORMATS["pdf"].warm_up, self.project, sheets) if sheets else None

    def look(self, layout: Layout, variant: Variant) -> str:
        return self.looks[layout.name, variant.print_ready]

    def look_of(self, job: Job) -> str:
        return self.looks[job.layout.name, job.print_ready]

    def _wants_proofs(self, layout: Layout) -> bool:
        return self.proofs and layout.format == "pdf"

    def graph(self, leaflets: list[Leaflet], stale: Stale) -> Graph[Work, Result]:
        """Every task of the build: the stale outputs of ``leaflets``, the page layouts
        their ebooks need, and the proofs of their PDFs and of ``proofs_due``."""
        renders = {_id("out", work.target): work for leaflet in leaflets
                   for layout, variant in stale[leaflet.path] if leaflet.wants(layout.name)
                   and not (variant.print_ready and leaflet.is_draft)
                   for work in [self._render_work(leaflet, layout, variant)]}
        tasks = [*self._output_tasks(renders), *self._proof_tasks(renders)]
        return Graph(sorted(tasks, key=lambda task: (task.tier, _rank(task.work))))

    def _render_work(self, leaflet: Leaflet, layout: Layout, variant: Variant) -> RenderWork:
        job = Job(self.project, leaflet, layout, self.brand.in_language(leaflet.lang),
                  print_ready=variant.print_ready,
                  page_source=self.available.get(layout.page_list or ""),
                  store=self.covers if layout.format == "epub" else None)
        return RenderWork(job, output_path(self.project, leaflet.path, layout, variant))

    def _output_tasks(self, renders: dict[str, RenderWork]) -> list[Task[Work]]:
        """A task per output; an ebook's needs its printed edition's, or a layout alone."""
        tasks: dict[str, Task[Work]] = {}
        for task_id, work in renders.items():
            source, job = work.job.page_source, work.job
            if source is None:
                tasks.setdefault(task_id, Task(task_id, work))
                continue
            printed = _id("out", output_path(self.project, job.leaflet.path, source,
                                             Variant(self.brand.name)))
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
            for task_id, work in renders.items() if self._wants_proofs(work.job.layout)]
        return made + [Task(proofs_id(target), ProofWork(target, self._written(target)),
                            tier=1) for target in self.proofs_due]

    def _written(self, target: Path) -> tuple[tuple[Path, str], ...]:
        """The files the manifest says ``target``'s build wrote, with their hashes."""
        entry = self.manifest.entries[self.manifest.key(target)]
        return tuple((self.project.build_dir / name, record.sha256)
                     for name, record in entry.files.items())

    def inputs_of(self, leaflet: Leaflet) -> list[Path]:
        """The files an output of ``leaflet`` is made from, besides its layouts and brand."""
        return [*sources_of(leaflet), *(image.path for image in leaflet.images),
                *catalogue_files(self.project.layouts_dir, leaflet.lang)]

    def record_leaflets(self, leaflets: list[Leaflet], warnings: dict[Path, list[Diagnostic]],
                        loaded: list[Leaflet]) -> None:
        """Each leaflet's ``layouts:`` and the warnings its load gave, for the next build;
        and the facts of every leaflet ``loaded``, built or not (``record_facts``)."""
        self.record_facts(loaded)
        for leaflet in leaflets:
            self.manifest.record_layouts(leaflet.path, self._digest(leaflet.path),
                                         leaflet.layouts)
            self.manifest.record_notes(leaflet.path,
                                       self.manifest.hash_inputs(sources_of(leaflet)),
                                       warnings.get(leaflet.path, []))

    def record_facts(self, leaflets: list[Leaflet]) -> bool:
        """What the catalogue check needs of each leaflet loaded, for builds that do not
        load it (of every leaflet loaded: one not built is still in the catalogue); True
        if there were any."""
        for path, facts in loaded_facts(leaflets).items():
            self.manifest.record_facts(path, self._digest(path), facts)
        return bool(leaflets)

    def _digest(self, source: Path) -> str:
        """The hash of the source's bytes as read before it was loaded ("-": unreadable)."""
        return self.manifest.hash_input(source.relative_to(self.project.root).as_posix()) or "-"


def loaded_facts(leaflets: Iterable[Leaflet]) -> dict[Path, LeafletFacts]:
    """The ``LeafletFacts`` of loaded ``leaflets``, by source."""
    return {leaflet.path: LeafletFacts(leaflet.lang, leaflet.title,
                                       leaflet.key_lines.get("title"),
                                       tuple(zip(leaflet.keywords, leaflet.keyword_lines,
                                                 strict=True)))
            for leaflet in leaflets}

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


def output_looks(project: Project, brand: Brand, layouts: list[Layout],
                 available: dict[str, Layout]) -> dict[tuple[str, bool], str]:
    """What, besides its own files, an output depends on, by layout name and print-shop
    flag: its layouts (and those whose pages an ebook marks), the brand, bleed, and for
    a print shop the press profile (a system file when the brand names none)."""
    brand_digest = brand.digest(project.root)
    press = {False: "", True: f":{brand.print_digest(project.root)}"}
    folders: dict[Path, str] = {}  # each folder hashed once: most layouts extend base
    looks = {layout.name: "+".join(lay.digest(folders) for lay in
                                   (layout, *_page_source(layout, available)))
             for layout in layouts}
    return {(name, ready): f"{look}:{brand_digest}:{ready}{press[ready]}"
            for name, look in looks.items() for ready in (False, True)}


def sources_of(leaflet: Leaflet) -> list[Path]:
    """Its source and, for a translation, the original: a change to the original must
    have the translation compared with it again, so it is an input of its outputs."""
    return [leaflet.path, *([leaflet.original_path] if leaflet.original_path else [])]


def _page_source(layout: Layout, available: dict[str, Layout]) -> list[Layout]:
    source = available.get(layout.page_list or "")
    return [source] if source else []


def _outputs(layouts: list[Layout], variants: list[Variant]) -> list[tuple[Layout, Variant]]:
    """Every (layout, variant) to make: print-shop variants of the PDF layouts (a
    tri-fold's is its sheet, with the bleed round the sheet)."""
    return [(layout, variant) for layout in layouts for variant in variants
            if not variant.print_ready or layout.format == "pdf"]
