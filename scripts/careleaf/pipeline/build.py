"""The build orchestrator: plan, load, render, package, for every leaflet.

Read top to bottom, ``build`` is the whole pipeline: read the layouts
(``layouts``); ask the manifest which outputs are fresh, without parsing
anything; load and validate only the sources that need work (``load``), and
compare each translation among them with its original (``translations``); render
and package each output (``workers``: ``render`` then ``formats``), in a pool
when there is more than one job; record what was built, and the title and keywords
of each leaflet loaded (``LeafletFacts``), kept in the manifest so that those of the
whole catalogue are known, and returned for its check (``check.catalogue``), without
loading a source that needs no work. A leaflet that fails does not stop the others,
and its old outputs stay as they were. Checking the outputs is the separate
``completeness`` stage.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from careleaf.design.brand import DEFAULT_BRAND, Brand, load_brand
from careleaf.design.layouts import Layout, load_layouts, select_layouts
from careleaf.errors import Diagnostic, Location, Report, display_path
from careleaf.files import writing_under
from careleaf.formats.job import Job
from careleaf.i18n.messages import catalogue_files, load_messages
from careleaf.outputs import Variant, output_path
from careleaf.pipeline.manifest import Manifest, toolchain_digest
from careleaf.pipeline.orphans import remove_orphans
from careleaf.pipeline.records import LeafletFacts
from careleaf.pipeline.workers import Outcome, Task, run_tasks
from careleaf.project import Project
from careleaf.source.load import load_leaflets
from careleaf.source.model import Leaflet
from careleaf.source.translations import Status, check_translations

#: Called after each output with its path, "built", "fresh" or "failed", and seconds taken.
Progress = Callable[[Path, str, float], None]


@dataclass
class BuildResult:
    built: list[Path] = field(default_factory=list)
    fresh: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)
    #: The brand built for (None if its file has errors) and every layout of the
    #: project: what later stages, such as the download site, need without reloading.
    brand: Brand | None = None
    layouts: dict[str, Layout] = field(default_factory=dict)
    #: The facts of every leaflet of the project that loads (built now or not), by source.
    catalogue: dict[Path, LeafletFacts] = field(default_factory=dict)


def build(project: Project, report: Report, *, layout_names: list[str] | None = None,
          sources: list[Path] | None = None, brand_name: str = DEFAULT_BRAND,
          print_ready: bool = False, proofs: bool = True, force: bool = False,
          jobs: int | None = None, progress: Progress | None = None) -> BuildResult:
    # Under a mark, so that if this build is killed the next sweeps its temporary files.
    with writing_under(project.build_dir):
        return _build(project, report, layout_names, sources, brand_name, print_ready,
                      proofs, force, jobs, progress)


def _build(project: Project, report: Report, layout_names: list[str] | None,
           sources: list[Path] | None, brand_name: str, print_ready: bool, proofs: bool,
           force: bool, jobs: int | None, progress: Progress | None) -> BuildResult:
    result = BuildResult()
    available = load_layouts(project, report)
    layouts = select_layouts(project, report, layout_names, available)
    brand = load_brand(project, brand_name, report)
    result.brand, result.layouts = brand, available
    if brand is None:
        return result
    plan = _Plan(project, Manifest(project), toolchain_digest(), brand, layouts, print_ready,
                 available)
    named, sources = sources, _usable_sources(project, sources or project.sources(), report)
    stale = plan.stale_outputs(sources, force, result, progress)
    for source in (source for source in sources if source not in stale):
        # Warnings the last load gave (a translation's original moved on), said again.
        report.diagnostics.extend(plan.manifest.recorded_notes(source))
    if stale:
        _make(plan, report, stale, result, proofs, jobs, progress)
    result.catalogue, learned = _catalogue(plan, sources if named is None else None, stale)
    # After the leaflets' ``layouts:`` are recorded: what they want now decides.
    if remove_orphans(project, plan.manifest, brand.name, available, named, report,
                      layout_names or ()) or stale or learned:
        _save(plan.manifest, report)
    return result


def _make(plan: _Plan, report: Report, stale: dict[Path, list[tuple[Layout, Variant]]],
          result: BuildResult, proofs: bool, jobs: int | None, progress: Progress | None
          ) -> None:
    """Load the stale sources, render their outputs and record what was built."""
    project, available, print_ready = plan.project, plan.available, plan.print_ready
    # Only now pay for Markdown, Jinja2 and the renderers.
    loaded = load_leaflets(project, report, list(stale))
    leaflets = [leaflet for leaflet in loaded if _layouts_exist(leaflet, available, report)]
    leaflets, translations = publishable(project, leaflets, report, plan.brand)
    notes = _draft_notes(leaflets, report, print_ready)
    tasks = plan.tasks(leaflets, stale, proofs)
    usable = {leaflet.path for leaflet in leaflets}
    drafts = {leaflet.path for leaflet in leaflets if leaflet.is_draft}
    result.failed += [output_path(project, source, layout, variant)  # errors already reported
                      for source in stale for layout, variant in stale[source]
                      if source not in usable or (variant.print_ready and source in drafts)]
    # Hashed once, before any rendering: what is recorded is never newer than what was read.
    inputs = {task.target: plan.manifest.hash_inputs(plan.inputs_of(task.job.leaflet))
              for task in tasks}
    for outcome in run_tasks(tasks, jobs or os.cpu_count() or 1):
        plan.record(outcome, inputs[outcome.task.target])
        report.diagnostics.extend(outcome.diagnostics)
        getattr(result, outcome.status).append(outcome.task.target)
        if progress:
            progress(outcome.task.target, outcome.status, outcome.seconds)
    # The warnings of each translation's comparison, and the note that a leaflet is a
    # draft, said again by builds that skip it.
    for path, status in translations.items():
        notes.setdefault(path, []).extend(status.diagnostics)
    plan.record_leaflets(leaflets, notes, loaded)


def _catalogue(plan: _Plan, sources: list[Path] | None, loaded: Collection[Path]
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


def loaded_facts(leaflets: Iterable[Leaflet]) -> dict[Path, LeafletFacts]:
    """The ``LeafletFacts`` of loaded ``leaflets``, by source."""
    return {leaflet.path: LeafletFacts(leaflet.lang, leaflet.title,
                                       leaflet.key_lines.get("title"),
                                       tuple(zip(leaflet.keywords, leaflet.keyword_lines,
                                                 strict=True)))
            for leaflet in leaflets}


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


class _Plan:
    """Which outputs are fresh, decided from the manifest without parsing any source."""

    def __init__(self, project: Project, manifest: Manifest, toolchain: str, brand: Brand,
                 layouts: list[Layout], print_ready: bool, available: dict[str, Layout]) -> None:
        self.project, self.manifest, self.toolchain = project, manifest, toolchain
        self.brand, self.available, self.print_ready = brand, available, print_ready
        variants = [Variant(brand.name), *([Variant(brand.name, True)] if print_ready else [])]
        self.outputs = _outputs(layouts, variants)
        self.looks = output_looks(project, brand, layouts, available)
        self.page_sources = {layout.page_list for layout in layouts}

    def stale_outputs(self, sources: list[Path], force: bool, result: BuildResult,
                      progress: Progress | None) -> dict[Path, list[tuple[Layout, Variant]]]:
        stale: dict[Path, list[tuple[Layout, Variant]]] = {}
        for source in sources:
            narrowed = self.manifest.recorded_layouts(source)
            for layout, variant in self.outputs:
                if narrowed is not None and layout.name not in narrowed:
                    continue  # the leaflet, unchanged since, asked for other layouts
                target = output_path(self.project, source, layout, variant)
                look = self.looks[layout.name, variant.print_ready]
                if force or not self.manifest.is_fresh(target, look, self.toolchain):
                    stale.setdefault(source, []).append((layout, variant))
                    continue
                result.fresh.append(target)
                if progress:
                    progress(target, "fresh", 0.0)
        return stale

    def tasks(self, leaflets: list[Leaflet], stale: dict[Path, list[tuple[Layout, Variant]]],
              proofs: bool) -> list[Task]:
        return [Task(Job(self.project, leaflet, layout, self.brand.in_language(leaflet.lang),
                         print_ready=variant.print_ready,
                         page_source=self.available.get(layout.page_list or ""),
                         record_pages=layout.name in self.page_sources),
                     output_path(self.project, leaflet.path, layout, variant), proofs)
                for leaflet in leaflets
                for layout, variant in stale[leaflet.path] if leaflet.wants(layout.name)
                and not (variant.print_ready and leaflet.is_draft)]

    def inputs_of(self, leaflet: Leaflet) -> list[Path]:
        """The files an output of ``leaflet`` is made from, besides its layouts and brand."""
        return [*_sources_of(leaflet), *(image.path for image in leaflet.images),
                *catalogue_files(self.project.layouts_dir, leaflet.lang)]

    def record(self, outcome: Outcome, inputs: dict[str, str]) -> None:
        task = outcome.task
        if outcome.status == "built":
            self.manifest.record(task.target, inputs,
                                 self.looks[task.job.layout.name, task.job.print_ready],
                                 self.toolchain, outcome.files)

    def record_leaflets(self, leaflets: list[Leaflet], warnings: dict[Path, list[Diagnostic]],
                        loaded: list[Leaflet]) -> None:
        """Each leaflet's ``layouts:`` and the warnings its load gave, for the next build;
        and the facts of every leaflet ``loaded``, built or not (``record_facts``)."""
        self.record_facts(loaded)
        for leaflet in leaflets:
            self.manifest.record_layouts(leaflet.path, self._digest(leaflet.path),
                                         leaflet.layouts)
            self.manifest.record_notes(leaflet.path,
                                       self.manifest.hash_inputs(_sources_of(leaflet)),
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


def output_looks(project: Project, brand: Brand, layouts: list[Layout],
                 available: dict[str, Layout]) -> dict[tuple[str, bool], str]:
    """What, besides its own files, an output depends on, by layout name and print-shop
    flag: its layouts (and those whose pages an ebook marks), the brand, bleed, and for
    a print shop the press profile (a system file when the brand names none)."""
    brand_digest = brand.digest(project.root)
    press = {False: "", True: f":{brand.print_digest(project.root)}"}
    looks = {layout.name: "+".join(lay.digest() for lay in
                                   (layout, *_page_source(layout, available)))
             for layout in layouts}
    return {(name, ready): f"{look}:{brand_digest}:{ready}{press[ready]}"
            for name, look in looks.items() for ready in (False, True)}


def _sources_of(leaflet: Leaflet) -> list[Path]:
    """Its source and, for a translation, the original: a change to the original must
    have the translation compared with it again, so it is an input of its outputs."""
    return [leaflet.path, *([leaflet.original_path] if leaflet.original_path else [])]


def _page_source(layout: Layout, available: dict[str, Layout]) -> list[Layout]:
    source = available.get(layout.page_list or "")
    return [source] if source else []


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


def _outputs(layouts: list[Layout], variants: list[Variant]) -> list[tuple[Layout, Variant]]:
    """Every (layout, variant) to make: print-shop variants of the PDF layouts (a
    tri-fold's is its sheet, with the bleed round the sheet)."""
    return [(layout, variant) for layout in layouts for variant in variants
            if not variant.print_ready or layout.format == "pdf"]
