"""The build orchestrator: what is stale, decided cheaply, and the hand-over of the work.

Read top to bottom, ``build`` is the whole pipeline: read the layouts and the brand
(``design``); ask the manifest which outputs are fresh, without parsing anything
(``plan``); when any output is stale or undecided (a translation's, whose original
changed: in its text alone, or in what the translation must match), or proofs are due,
or the catalogue lacks a leaflet's facts, hand over to the working half (``make``),
which loads and validates the sources that need work, compares each translation among
them with its original, decides the undecided outputs by their original's shape, lays
the work out as a graph of tasks (``schedule``) and runs it, in this process, a
pool of workers or a Dask cluster, recording each output as its task ends and its
proofs when theirs does. The title and keywords of each leaflet loaded
(``LeafletFacts``) are kept in the manifest, so that those of the whole catalogue are
known, and returned for its check (``check.catalogue``), without loading a source that
needs no work. Then the outputs no leaflet owns any more are removed (``orphans``) and
the manifest saved. A leaflet that fails does not stop the others, and its old
outputs stay as they were. Checking the outputs is the separate ``completeness`` stage.

A build with nothing to do never loads the working half, so never imports the source
loaders, the renderers or the executors: it reads the layouts, the brand and the
manifest, and hashes what they name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from careleaf.design.brand import DEFAULT_BRAND, load_brand
from careleaf.design.layouts import load_layouts, select_layouts
from careleaf.errors import Report
from careleaf.files import writing_under
from careleaf.pipeline.manifest import Manifest, toolchain_digest
from careleaf.pipeline.orphans import remove_orphans
from careleaf.pipeline.plan import Plan, Progress, Stale
from careleaf.pipeline.runs import BuildResult, Runner
from careleaf.project import Project

#: ``Runner`` and ``BuildResult`` are where the commands have always found them.
__all__ = ["BuildResult", "Runner", "build"]

#: The working half's entry (``pipeline.make.make``), as the orchestrator calls it.
Make = Callable[[Plan, Report, Stale, list[Path], BuildResult, Runner, Progress | None], bool]

if TYPE_CHECKING:  # never run: mypy checks that what ``_working_half`` loads is a ``Make``
    from careleaf.pipeline import make as _make
    _CHECKED: Make = _make.make


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
    plan = _plan(project, report, layout_names, brand_name, print_ready, proofs, result)
    if plan is None:
        return result
    named, sources = sources, _usable_sources(project, sources or project.sources(), report)
    stale = plan.stale_outputs(sources, force, result.fresh, progress)
    loading = {*stale, *plan.undecided}  # their warnings are said anew when loaded
    for source in (source for source in sources if source not in loading):
        # Warnings the last load gave (a translation's original moved on), said again.
        report.diagnostics.extend(plan.manifest.recorded_notes(source))
    # The catalogue is every leaflet of the project, even in a build of some sources.
    everyone = sources if named is None else _usable_sources(project, project.sources(),
                                                             Report())
    result.catalogue, forgot = plan.manifest.current_facts(everyone)
    # Sources whose facts the manifest lacks for their bytes as they are now (it is older
    # than these records, or a build of other sources changed them), and that no stale
    # output loads anyway: loaded for their facts alone.
    unknown = [source for source in everyone
               if source not in result.catalogue and source not in loading]
    work = bool(stale or plan.undecided or plan.proofs_due)
    learned = False
    if work or unknown:
        learned = _working_half()(plan, report, stale, unknown, result, runner, progress)
        result.catalogue = plan.manifest.current_facts(everyone)[0]
    # After the leaflets' ``layouts:`` are recorded: what they want now decides.
    if remove_orphans(project, plan.manifest, plan.brand.name, plan.available, named, report,
                      layout_names or ()) or work or learned or forgot:
        _save(plan.manifest, report)
    return result


def _plan(project: Project, report: Report, layout_names: list[str] | None, brand_name: str,
          print_ready: bool, proofs: bool, result: BuildResult) -> Plan | None:
    """The layouts and the brand, kept in ``result``, and what was built with them before
    (the manifest); None if the brand's file has errors."""
    available = load_layouts(project, report)
    layouts = select_layouts(project, report, layout_names, available)
    brand = load_brand(project, brand_name, report)
    result.brand, result.layouts = brand, available
    if brand is None:
        return None
    return Plan(project, Manifest(project), toolchain_digest(), brand, layouts, available,
                print_ready=print_ready, proofs=proofs)


def _working_half() -> Make:
    """The work, handed over (``pipeline.make``). Loaded by name, here and nowhere else,
    and not imported at the top: so a build with nothing to do never imports the source
    loaders, the renderers or the executors (some 55 ms of its 0.2 s). The architecture
    test reads this load as an import, and holds it to the stage order."""
    make: Make = importlib.import_module("careleaf.pipeline.make").make
    return make


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
