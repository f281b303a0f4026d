"""The build orchestrator: plan, load, render, package, for every leaflet.

Read top to bottom, ``build`` is the whole pipeline: read the layouts
(``layouts``); ask the manifest which outputs are fresh, without parsing
anything; load and validate only the sources that need work (``load``); render
and package each output (``workers``: ``render`` then ``formats``), in a pool
when there is more than one job; record what was built. A leaflet that fails
does not stop the others, and its old outputs stay as they were. Checking the
outputs is the separate ``verify`` stage.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from careleaf.brand import DEFAULT_BRAND, load_brand
from careleaf.config import load_config
from careleaf.errors import Report
from careleaf.formats import Variant, output_path
from careleaf.layouts import Layout, load_layouts
from careleaf.manifest import Manifest, sweep_temp_files, toolchain_digest
from careleaf.project import Project

#: Called after each output with its path, "built", "fresh" or "failed", and seconds taken.
Progress = Callable[[Path, str, float], None]


@dataclass
class BuildResult:
    built: list[Path] = field(default_factory=list)
    fresh: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)


def build(project: Project, report: Report, *, layout_names: list[str] | None = None,
          sources: list[Path] | None = None, brand_name: str = DEFAULT_BRAND,
          print_ready: bool = False, proofs: bool = True, force: bool = False,
          jobs: int | None = None, progress: Progress | None = None) -> BuildResult:
    result = BuildResult()
    layouts = select_layouts(project, report, layout_names)
    brand = load_brand(project, brand_name, report)
    if brand is None:
        return result
    manifest, toolchain = Manifest(project), toolchain_digest()
    # What, besides its own files, an output depends on: its layouts, the brand, bleed.
    looks = {(layout.name, ready): f"{layout.digest()}:{brand.digest(project.root)}:{ready}"
             for layout in layouts for ready in (False, True)}
    variants = [Variant(brand.name), *([Variant(brand.name, True)] if print_ready else [])]
    stale: dict[Path, list[tuple[Layout, Variant]]] = {}
    for source in sources or project.sources():
        for layout, variant in _outputs(layouts, variants):
            target = output_path(project, source, layout, variant)
            look = looks[layout.name, variant.print_ready]
            extras = [target.with_name(name) for name in layout.extra_names(source.stem)]
            if (not force and manifest.is_fresh(target, look, toolchain)
                    and all(extra.is_file() for extra in extras)):
                _touch_if_older(target, source)
                result.fresh.append(target)
                if progress:
                    progress(target, "fresh", 0.0)
            else:
                stale.setdefault(source, []).append((layout, variant))
    if not stale:
        return result
    # Only now pay for Markdown, Jinja2 and the renderers.
    from careleaf.load import load_leaflets
    from careleaf.workers import Task, run_tasks

    for folder in {output_path(project, s, *stale[s][0]).parent for s in stale}:
        sweep_temp_files(folder)
    leaflets = load_leaflets(project, report, list(stale))
    tasks = [Task(project, leaflet, layout, brand,
                  output_path(project, leaflet.path, layout, variant), variant.print_ready,
                  proofs)
             for leaflet in leaflets for layout, variant in stale[leaflet.path]]
    for source in set(stale) - {leaflet.path for leaflet in leaflets}:
        for layout, variant in stale[source]:  # invalid: reported by load, nothing rendered
            result.failed.append(output_path(project, source, layout, variant))
    for outcome in run_tasks(tasks, jobs or os.cpu_count() or 1):
        task = outcome.task
        report.diagnostics.extend(outcome.diagnostics)
        getattr(result, outcome.status).append(task.target)
        if outcome.status == "built":
            inputs = [task.leaflet.path, *(image.path for image in task.leaflet.images)]
            manifest.record(task.target, inputs, looks[task.layout.name, task.print_ready],
                            toolchain)
        if progress:
            progress(task.target, outcome.status, outcome.seconds)
    manifest.save()
    return result


def _outputs(layouts: list[Layout], variants: list[Variant]) -> list[tuple[Layout, Variant]]:
    """Every (layout, variant) to make.

    Print-shop variants exist for PDF layouts whose pages are the paper: a tri-fold's
    pages are panels of a sheet, and bleed belongs to the sheet, not to each panel.
    """
    return [(layout, variant) for layout in layouts for variant in variants
            if not variant.print_ready or (layout.format == "pdf" and layout.impose != "trifold")]


def select_layouts(project: Project, report: Report, names: list[str] | None) -> list[Layout]:
    """The layouts to build: those named, else the configured ones, else every one."""
    available = load_layouts(project, report)
    names = names or list(load_config(project.root, report).layouts or ())
    if not names:
        return [layout for layout in available.values() if layout.format]
    chosen = []
    for name in names:
        layout = available.get(name)
        if layout is None or not layout.format:
            buildable = ", ".join(n for n, lay in available.items() if lay.format)
            report.error(project.layouts_dir / name, None,
                         f"no buildable layout '{name}' (available: {buildable})")
        else:
            chosen.append(layout)
    return chosen


def _touch_if_older(target: Path, source: Path) -> None:
    """An up-to-date output must not look stale just because its source was touched."""
    if target.stat().st_mtime < source.stat().st_mtime:
        os.utime(target)
