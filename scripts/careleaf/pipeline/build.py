"""The build orchestrator: plan, load, render, package, for every leaflet.

Read top to bottom, ``build`` is the whole pipeline: read the layouts
(``layouts``); ask the manifest which outputs are fresh, without parsing
anything (``plan``); load and validate only the sources that need work (``load``),
and compare each translation among them with its original (``translations``); lay
the work out as a graph of tasks (``plan``, ``graph``) and run it (``workers``: in
this process, or a pool when there is more than one job), recording each output as
its task ends and its proofs when theirs does; record the title and keywords of each
leaflet loaded (``LeafletFacts``), kept in the manifest so that those of the whole
catalogue are known, and returned for its check (``check.catalogue``), without loading
a source that needs no work. A leaflet that fails does not stop the others, and its
old outputs stay as they were. Checking the outputs is the separate ``completeness``
stage.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from careleaf.design.brand import DEFAULT_BRAND, Brand, load_brand
from careleaf.design.layouts import Layout, load_layouts, select_layouts
from careleaf.errors import Diagnostic, Location, Report, display_path
from careleaf.files import writing_under
from careleaf.i18n.messages import load_messages
from careleaf.outputs import output_path
from careleaf.pipeline.cluster import DaskExecutor
from careleaf.pipeline.graph import Graph
from careleaf.pipeline.manifest import Manifest, toolchain_digest
from careleaf.pipeline.orphans import remove_orphans
from careleaf.pipeline.plan import Plan, Progress, Stale, proofs_id
from careleaf.pipeline.records import LeafletFacts
from careleaf.pipeline.tasks import ProofWork, RenderWork, Result, Work
from careleaf.pipeline.workers import Executor, LocalExecutor
from careleaf.project import Project
from careleaf.source.load import load_leaflets
from careleaf.source.model import Leaflet
from careleaf.source.translations import Status, check_translations


@dataclass
class BuildResult:
    built: list[Path] = field(default_factory=list)
    fresh: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)
    #: The outputs whose proofs were drawn, or failed to be (their PDF is as it is).
    proofs: list[Path] = field(default_factory=list)
    proofs_failed: list[Path] = field(default_factory=list)
    #: The brand built for (None if its file has errors) and every layout of the
    #: project: what later stages, such as the download site, need without reloading.
    brand: Brand | None = None
    layouts: dict[str, Layout] = field(default_factory=dict)
    #: The facts of every leaflet of the project that loads (built now or not), by source.
    catalogue: dict[Path, LeafletFacts] = field(default_factory=dict)


def build(project: Project, report: Report, *, layout_names: list[str] | None = None,
          sources: list[Path] | None = None, brand_name: str = DEFAULT_BRAND,
          print_ready: bool = False, proofs: bool = True, force: bool = False,
          jobs: int | None = None, progress: Progress | None = None,
          runner: Runner | None = None) -> BuildResult:
    """``runner`` says where the tasks run (``jobs`` is its number of local workers,
    when there is no runner)."""
    # Under a mark, so that if this build is killed the next sweeps its temporary files.
    with writing_under(project.build_dir):
        return _build(project, report, layout_names, sources, brand_name, print_ready,
                      proofs, force, runner or Runner(jobs), progress)


def _build(project: Project, report: Report, layout_names: list[str] | None,
           sources: list[Path] | None, brand_name: str, print_ready: bool, proofs: bool,
           force: bool, runner: Runner, progress: Progress | None) -> BuildResult:
    result = BuildResult()
    available = load_layouts(project, report)
    layouts = select_layouts(project, report, layout_names, available)
    brand = load_brand(project, brand_name, report)
    result.brand, result.layouts = brand, available
    if brand is None:
        return result
    plan = Plan(project, Manifest(project), toolchain_digest(), brand, layouts, available,
                print_ready=print_ready, proofs=proofs)
    named, sources = sources, _usable_sources(project, sources or project.sources(), report)
    stale = plan.stale_outputs(sources, force, result.fresh, progress)
    for source in (source for source in sources if source not in stale):
        # Warnings the last load gave (a translation's original moved on), said again.
        report.diagnostics.extend(plan.manifest.recorded_notes(source))
    if stale or plan.proofs_due:
        with _executor(plan, stale, runner) as executor:
            _make(plan, report, stale, result, print_ready, executor, progress)
    result.catalogue, learned = _catalogue(plan, sources if named is None else None, stale)
    # After the leaflets' ``layouts:`` are recorded: what they want now decides.
    if remove_orphans(project, plan.manifest, brand.name, available, named, report,
                      layout_names or ()) or stale or plan.proofs_due or learned:
        _save(plan.manifest, report)
    return result


@dataclass(frozen=True)
class Runner:
    """Where the tasks run: ``jobs`` local workers, or the Dask ``scheduler`` named
    (``pipeline.cluster``); ``say`` shows a line of what the cluster tells the user."""

    jobs: int | None = None
    scheduler: str | None = None
    say: Callable[[str], None] = print


def _executor(plan: Plan, stale: Stale, runner: Runner) -> Executor:
    """Workers forked now, before the sources are loaded: each readies itself while
    this process reads them. No more than there is work for. Or a Dask cluster's."""
    if runner.scheduler not in (None, "none"):
        executor = DaskExecutor(runner.scheduler, plan.project.root, runner.jobs,
                                lambda message: runner.say(f"warning: {message}"))
        if executor.dashboard:
            runner.say(f"Dask dashboard: {executor.dashboard}")
        return executor
    work = sum(map(len, stale.values())) + len(plan.proofs_due)
    return LocalExecutor(min(runner.jobs or os.cpu_count() or 1, work), plan.warm_up())


def _make(plan: Plan, report: Report, stale: Stale, result: BuildResult, print_ready: bool,
          executor: Executor, progress: Progress | None) -> None:
    """Load the stale sources, make their outputs (and due proofs) and record them."""
    project, available = plan.project, plan.available
    # Only now pay for Markdown, Jinja2 and the renderers (none, for proofs alone).
    loaded = load_leaflets(project, report, list(stale)) if stale else []
    leaflets = [leaflet for leaflet in loaded if _layouts_exist(leaflet, available, report)]
    leaflets, translations = publishable(project, leaflets, report, plan.brand)
    notes = _draft_notes(leaflets, report, print_ready)
    graph = plan.graph(leaflets, stale)
    usable = {leaflet.path for leaflet in leaflets}
    drafts = {leaflet.path for leaflet in leaflets if leaflet.is_draft}
    result.failed += [output_path(project, source, layout, variant)  # errors already reported
                      for source in stale for layout, variant in stale[source]
                      if source not in usable or (variant.print_ready and source in drafts)]
    _run(plan, graph, report, result, executor, progress)
    # The warnings of each translation's comparison, and the note that a leaflet is a
    # draft, said again by builds that skip it.
    for path, status in translations.items():
        notes.setdefault(path, []).extend(status.diagnostics)
    plan.record_leaflets(leaflets, notes, loaded)


def _catalogue(plan: Plan, sources: list[Path] | None, loaded: Collection[Path]
               ) -> tuple[dict[Path, LeafletFacts], bool]:
    """The facts of every leaflet of the project (its usable ``sources``, if known), from
    the manifest, so a build with nothing to do parses nothing; and True if the manifest
    learned any.

    A source with no record of its bytes as they are now, and not ``loaded`` by this
    build (a manifest older than these records, or a build of other sources), is loaded
    for them once; its problems are left to the build that builds it.
    """
    if sources is None:  # a build of some sources: the catalogue is all of them
        sources = _usable_sources(plan.project, plan.project.sources(), Report())
    facts, forgot = plan.manifest.current_facts(sources)
    missing = [source for source in sources if source not in facts and source not in loaded]
    if missing and plan.record_facts(load_leaflets(plan.project, Report(), missing)):
        return plan.manifest.current_facts(sources)[0], True
    return facts, forgot


def _run(plan: Plan, graph: Graph[Work, Result], report: Report, result: BuildResult,
         executor: Executor, progress: Progress | None) -> None:
    """Run the graph, recording each output when its task ends and proofs when theirs do."""
    # Hashed once, before any rendering: what is recorded is never newer than what was read.
    renders = [task.work for task in graph.tasks.values() if isinstance(task.work, RenderWork)]
    inputs = {work.target: plan.manifest.hash_inputs(plan.inputs_of(work.job.leaflet))
              for work in renders}
    outputs_left = len(renders)
    for task, done in executor.run(graph):
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


def _output_done(plan: Plan, graph: Graph[Work, Result], work: RenderWork, done: Result,
                 inputs: dict[str, str]) -> None:
    """Record a made output against the inputs it was made from; proofs of the bytes it
    replaced are deleted, and its proofs are not drawn if they picture these bytes."""
    if not done.ok:
        return
    stale = plan.manifest.record(work.target, inputs, plan.look_of(work.job), plan.toolchain,
                                 done.files)
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


def _usable_sources(project: Project, sources: list[Path], report: Report) -> list[Path]:
    """The sources that are regular files of the project; the others are errors, found
    without opening them (a FIFO would hang the build, ``/dev/zero`` fill memory)."""
    usable = []
    for source in sources:
        if (problem := project.source_problem(source)) is not None:
            report.error(source, None, problem)
        else:
            usable.append(source)
    return usable


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


def _save(manifest: Manifest, report: Report) -> None:
    if manifest.path.is_dir():
        report.error(manifest.path, None, "is a folder, but careleaf keeps its record of what "
                     "was built there; remove the folder (the next build rebuilds everything)")
        return
    try:
        manifest.save()
    except OSError as exc:
        report.error(manifest.path, None, f"could not be written ({exc.strerror or exc}); "
                     "the outputs built now will be built again next time")


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
