"""The build's working half: load the sources that need work, make and record their outputs.

The orchestrator (``build``) loads this module by name, and only when there is work:
an output stale, proofs due, or a leaflet whose facts the catalogue lacks. So all that
a build with nothing to do never needs is imported here, not there: the source loaders
and the translations' comparison (``source``), the interface words (``i18n.messages``),
the task kinds and the renderers behind them (``tasks``), their graph (``schedule``)
and the executors that run it (``workers``, or ``cluster``'s Dask).

The stale sources, and those whose outputs are undecided (a translation's original's
bytes changed since its shape was recorded, or a catalogue's since its render shape
was), are loaded and validated (``load``), each translation among them compared with
its original (``translations``); the facts and shape of every leaflet loaded, originals
too, are recorded (``record_facts``), and so is the render shape of their languages'
catalogues (``record_catalogues``); the undecided outputs are judged again by them
(``Plan.decide``): those still changed are made, the others are fresh. The work is
laid out as a graph of tasks and run, each output recorded as its task ends and its
proofs when theirs does; then each leaflet's ``layouts:`` and warnings are recorded
(``Plan.record_leaflets``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Diagnostic, Location, Report, Unreachable, display_path
from careleaf.i18n.messages import (
    catalogue_files,
    catalogue_path,
    is_source_language,
    load_messages,
)
from careleaf.i18n.render_shape import render_shapes
from careleaf.outputs import output_path
from careleaf.pipeline.cluster import DaskExecutor
from careleaf.pipeline.graph import Graph
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.plan import Plan, Progress, Stale, record_facts, sources_of
from careleaf.pipeline.records import render_input
from careleaf.pipeline.runs import BuildResult, Runner
from careleaf.pipeline.schedule import Schedule, proofs_id, warm_up
from careleaf.pipeline.tasks import ProofWork, RenderWork, Result, Work
from careleaf.pipeline.workers import Executor, LocalExecutor
from careleaf.project import Project
from careleaf.source.load import load_leaflets
from careleaf.source.model import Leaflet
from careleaf.source.translations import Status, check_translations


def make(plan: Plan, report: Report, stale: Stale, unknown: list[Path], result: BuildResult,
         runner: Runner, progress: Progress | None) -> bool:
    """Make the ``stale`` outputs, those of ``plan.undecided`` found stale, and the proofs
    due, and record them; then learn the facts of the ``unknown`` sources (the catalogue
    lacks them, and this build loads them for nothing else, nor did it for a
    translation): True if it learned any. Their problems are left to the build that
    builds them."""
    if stale or plan.undecided or plan.proofs_due:
        with contextlib.ExitStack() as stack:
            _make(plan, report, stale, result, _Executors(plan, runner, stack), progress)
    unknown = [source for source in unknown if not plan.manifest.knows_facts(source)]
    return bool(unknown) and record_facts(plan.manifest,
                                          load_leaflets(plan.project, Report(), unknown))


class _Executors:
    """The executor of the build's tasks, started once, as early as there is surely work
    for it: workers forked before the sources are loaded each ready themselves while
    this process reads them; but undecided outputs alone may turn out fresh, and then no
    worker is forked at all."""

    def __init__(self, plan: Plan, runner: Runner,
                 stack: contextlib.ExitStack[bool | None]) -> None:
        self.plan, self.runner, self.stack = plan, runner, stack
        self.started: Executor | None = None

    def start(self, *outputs: Stale) -> Executor:
        """The executor, started now if it is not yet: local workers no more than there
        are ``outputs`` to make and proofs due, or a Dask cluster's."""
        if self.started is None:
            work = sum(len(made) for stale in outputs for made in stale.values())
            self.started = self.stack.enter_context(self._new(work + len(self.plan.proofs_due)))
        return self.started

    def _new(self, work: int) -> Executor:
        plan, runner = self.plan, self.runner
        if runner.scheduler not in (None, "none"):
            executor = DaskExecutor(runner.scheduler, plan.project.root, runner.jobs,
                                    lambda message: runner.say(f"warning: {message}"))
            if executor.dashboard:
                runner.say(f"Dask dashboard: {executor.dashboard}")
            return executor
        return LocalExecutor(min(runner.jobs or os.cpu_count() or 1, work), warm_up(plan))


def _make(plan: Plan, report: Report, stale: Stale, result: BuildResult,
          executors: _Executors, progress: Progress | None) -> None:
    """Load the stale and undecided sources, make the outputs found stale (and due
    proofs) and record them."""
    if stale or plan.proofs_due:  # sure work: the workers ready themselves meanwhile
        executors.start(stale, plan.undecided)
    leaflets, translations = _load(plan, report, [*stale, *plan.undecided])
    usable = {leaflet.path for leaflet in leaflets}
    stale = plan.decide(stale, usable, result.fresh, progress)
    notes = _draft_notes(leaflets, report, plan.print_ready)
    graph = Schedule(plan).graph([leaflet for leaflet in leaflets if leaflet.path in stale],
                                 stale)
    drafts = {leaflet.path for leaflet in leaflets if leaflet.is_draft}
    result.failed += [output_path(plan.project, source, layout, variant)  # errors said
                      for source in stale for layout, variant in stale[source]
                      if source not in usable or (variant.print_ready and source in drafts)]
    if graph.tasks:
        _run(plan, graph, report, result, executors.start(stale), progress,
             executors.runner.stop)
    # The warnings of each translation's comparison, and the note that a leaflet is a
    # draft, said again by builds that skip it.
    for path, status in translations.items():
        notes.setdefault(path, []).extend(status.diagnostics)
    plan.record_leaflets(leaflets, notes)


def _load(plan: Plan, report: Report, sources: list[Path]
          ) -> tuple[list[Leaflet], dict[Path, Status]]:
    """The leaflets of ``sources`` that may be made, and each translation's comparison
    with its original. The facts and shape of every leaflet loaded, originals too, and
    their catalogues' render shapes, are recorded now: before any output is judged again
    by them, or hashed to be made."""
    # Only now pay for Markdown, Jinja2 and the renderers (none, for proofs alone).
    sources = list(dict.fromkeys(sources))  # none: no leaflet (load_leaflets would load all)
    loaded = load_leaflets(plan.project, report, sources) if sources else []
    leaflets = [leaflet for leaflet in loaded if _layouts_exist(leaflet, plan.available, report)]
    leaflets, translations = publishable(plan.project, leaflets, report, plan.brand)
    originals = [status.original for status in translations.values() if status.original]
    record_facts(plan.manifest, [*loaded, *originals])
    record_catalogues(plan.manifest, {leaflet.lang for leaflet in loaded})
    return leaflets, translations


def record_catalogues(manifest: Manifest, langs: set[str]) -> None:
    """What the outputs of each of ``langs`` show of its catalogue (``render_shapes``),
    for builds and checks that do not read it: recorded against the bytes it was worked
    out of, so known till the catalogue or its template changes. One already known for
    the files as they are is not worked out again (Babel parses both files)."""
    project = manifest.project
    unknown = {lang for lang in langs
               if (files := catalogue_files(project.layouts_dir, lang)) and manifest.hash_input(
                   render_input(files[0]).relative_to(project.root).as_posix()) is None}
    for catalogue, shape in render_shapes(manifest.project, unknown).items():
        manifest.record_shape(render_input(catalogue), shape.files, shape.value)


def _run(plan: Plan, graph: Graph[Work, Result], report: Report, result: BuildResult,
         executor: Executor, progress: Progress | None, stop: Callable[[], bool] | None
         ) -> None:
    """Run the graph, recording each output when its task ends and proofs when theirs do;
    if a cluster is left with no worker, what was recorded is kept before it is said.
    Once ``stop`` says so (asked as each task ends), no more task starts."""
    try:
        _record_as_done(plan, graph, report, result, executor, progress, stop)
    except Unreachable:
        with contextlib.suppress(OSError):
            plan.manifest.save()
        raise


def _record_as_done(plan: Plan, graph: Graph[Work, Result], report: Report,
                    result: BuildResult, executor: Executor, progress: Progress | None,
                    stop: Callable[[], bool] | None) -> None:
    # Hashed once, before any rendering: what is recorded is never newer than what was read.
    renders = [task.work for task in graph.tasks.values() if isinstance(task.work, RenderWork)]
    inputs = {work.target: plan.manifest.hash_inputs(inputs_of(plan.project,
                                                                 work.job.leaflet))
              for work in renders}
    outputs_left = len(renders)
    for task, done in executor.run(graph):
        if stop is not None and not result.stopped and stop():
            graph.drop_all()  # those running end, and are recorded as they come
            result.stopped = True
        if isinstance(task.work, RenderWork):
            report.diagnostics.extend(done.diagnostics)
            _output_done(plan, graph, task.work, done, inputs[task.work.target])
            getattr(result, done.status).append(task.work.target)
            outputs_left -= 1
            if not outputs_left and not graph.done:  # the proofs' turn: keep what is made
                with contextlib.suppress(OSError):
                    plan.manifest.save()
        elif isinstance(task.work, ProofWork):
            report.diagnostics.extend(done.diagnostics)
            done.status = _proofs_done(plan, task.work, done, result)
        else:
            continue  # a layout alone: an ebook that needs it reports its own problems
        if progress:
            progress(task.work.target, done.status, done.seconds)


def inputs_of(project: Project, leaflet: Leaflet) -> list[Path]:
    """What an output of ``leaflet`` is made from, besides its layouts and brand: its
    source (and original's shape), its images, and its catalogue's render shape: a
    change to a message only the site shows must not make it again."""
    catalogue = [] if is_source_language(leaflet.lang) else [  # English: the ids, no .po
        render_input(catalogue_path(project.layouts_dir, leaflet.lang))]
    return [*sources_of(leaflet), *(image.path for image in leaflet.images), *catalogue]


def _output_done(plan: Plan, graph: Graph[Work, Result], work: RenderWork, done: Result,
                 inputs: dict[str, str]) -> None:
    """Record a made output against the inputs it was made from; proofs of the bytes it
    replaced are deleted, and its proofs are not drawn if they picture these bytes."""
    if not done.ok:
        return
    look = plan.look(work.job.layout, work.job.print_ready)
    stale = plan.manifest.record(work.target, inputs, look, plan.toolchain, done.files)
    _delete(plan.project, stale)
    if plan.manifest.proofs_fresh(work.target):
        graph.drop(proofs_id(work.target))


def _proofs_done(plan: Plan, work: ProofWork, done: Result, result: BuildResult) -> str:
    """Record drawn proofs with their output; "proofs", or "proofs failed"."""
    if done.ok and plan.manifest.record_proofs(work.target, done.pictured, done.files):
        result.proofs.append(work.target)
        return "proofs"
    result.proofs_failed.append(work.target)
    return "proofs failed"


def _delete(project: Project, paths: list[Path]) -> None:
    """Delete files the build wrote earlier (regular files inside build/ only)."""
    build = project.build_dir.resolve()
    for path in paths:
        if path.parent.resolve().is_relative_to(build) and path.is_file() \
                and not path.is_symlink():
            path.unlink(missing_ok=True)


def publishable(project: Project, leaflets: list[Leaflet], report: Report,
                brand: Brand | None = None) -> tuple[list[Leaflet], dict[Path, Status]]:
    """The leaflets that may be built and listed: those that match their original (a
    translation), whose language's catalogue is complete (a language lacking
    translations is one error, not one per output) and, given a ``brand``, whose
    language it has its sentences in; and each translation's comparison."""
    translations = check_translations(project, leaflets, report)
    leaflets = [leaflet for leaflet in leaflets if leaflet.path not in translations
                or not translations[leaflet.path].failed]
    catalogued = {lang: load_messages(project, lang, report) is not None
                  for lang in sorted({leaflet.lang for leaflet in leaflets})}
    leaflets = [leaflet for leaflet in leaflets if catalogued[leaflet.lang]]
    return (in_brand_languages(brand, leaflets, report) if brand else leaflets), translations


def in_brand_languages(brand: Brand, leaflets: list[Leaflet], report: Report) -> list[Leaflet]:
    """The leaflets in a language ``brand`` has every sentence in; for each language it
    lacks, one error at the brand file naming the sentences and the leaflets."""
    by_lang: dict[str, list[Leaflet]] = {}
    for leaflet in leaflets:
        by_lang.setdefault(leaflet.lang, []).append(leaflet)
    lacking = set()
    for lang, group in sorted(by_lang.items()):
        names = [display_path(leaflet.path) for leaflet in group]
        if (problem := brand.language_problem(lang, names)) is not None:
            report.diagnostics.append(problem)
            lacking.add(lang)
    return [leaflet for leaflet in leaflets if leaflet.lang not in lacking]


def _draft_notes(leaflets: list[Leaflet], report: Report, print_ready: bool
                 ) -> dict[Path, list[Diagnostic]]:
    """Say once per leaflet that it is a draft; a print shop gets no file of one."""
    notes: dict[Path, list[Diagnostic]] = {}
    for leaflet in (leaflet for leaflet in leaflets if leaflet.is_draft):
        line = leaflet.key_lines.get("status", 1)  # else the front matter, where it goes
        if print_ready:
            report.error(leaflet.path, line, f"{leaflet.key} is a draft: print-shop files "
                         "(--print-ready) are made only of approved leaflets; have it approved "
                         "('status: approved', with 'owner', 'approved_by' and 'approved_on')")
        note = Diagnostic(Location(leaflet.path, line), "is a draft (it has no 'status: "
                          "approved'): built with a DRAFT mark on every page, for review only; "
                          "it is never published", "note")
        report.diagnostics.append(note)
        notes[leaflet.path] = [note]
    return notes


def _layouts_exist(leaflet: Leaflet, available: dict[str, Layout], report: Report) -> bool:
    """A leaflet's own ``layouts:`` list may only name layouts that can be built."""
    unknown = [name for name in leaflet.layouts or () if name not in available
               or not available[name].format]
    for name in unknown:
        buildable = ", ".join(n for n, lay in available.items() if lay.format)
        report.error(leaflet.path, leaflet.layouts_line,
                     f"'layouts' names '{name}', which is not a buildable layout "
                     f"(available: {buildable})")
    return not unknown
