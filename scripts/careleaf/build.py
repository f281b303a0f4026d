"""The build orchestrator: load, validate, render, package, for every leaflet.

Read top to bottom, ``build`` is the whole pipeline: load and validate the
sources (``load``), read the layouts (``layouts``), then for each leaflet and
layout render HTML (``render``) and package it (``formats``), writing each file
atomically. A leaflet that fails does not stop the others; its old outputs stay
as they were. Checking the outputs is the separate ``verify`` stage.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from careleaf.errors import CareleafError, Report
from careleaf.formats import FORMATS, Job, output_path
from careleaf.layouts import Layout, load_layouts
from careleaf.load import load_leaflets
from careleaf.manifest import Manifest, input_digest, toolchain_digest, write_atomic
from careleaf.project import Project
from careleaf.render import render_html

#: Called after each output with its path, "built", "fresh" or "failed", and seconds taken.
Progress = Callable[[Path, str, float], None]


@dataclass
class BuildResult:
    built: list[Path] = field(default_factory=list)
    fresh: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)


def build(project: Project, report: Report, *, layout_names: list[str] | None = None,
          sources: list[Path] | None = None, force: bool = False,
          progress: Progress | None = None) -> BuildResult:
    result = BuildResult()
    leaflets = load_leaflets(project, report, sources)
    layouts = select_layouts(project, report, layout_names)
    manifest = Manifest(project)
    toolchain = toolchain_digest()
    layout_digests = {layout.name: layout.digest() for layout in layouts}
    for leaflet in leaflets:
        for layout in layouts:
            target = output_path(project, leaflet, layout)
            digest = input_digest(leaflet, layout_digests[layout.name], toolchain)
            started = time.perf_counter()
            if not force and manifest.is_fresh(target, digest):
                _touch_if_older(target, leaflet.path)
                status = "fresh"
            else:
                status = _make(Job(project, leaflet, layout, ""), target, report)
                if status == "built":
                    manifest.record(target, digest)
            getattr(result, status).append(target)
            if progress:
                progress(target, status, time.perf_counter() - started)
    if result.built or result.failed:
        manifest.save()
    return result


def _make(job: Job, target: Path, report: Report) -> str:
    """Render and write one output; on a user's mistake, report it and keep the old file."""
    assert job.layout.format is not None
    try:
        html = render_html(job.leaflet, job.layout)
        data = FORMATS[job.layout.format](Job(job.project, job.leaflet, job.layout, html), report)
    except CareleafError as exc:
        report.extend(exc.report)
        return "failed"
    write_atomic(target, data)
    return "built"


def select_layouts(project: Project, report: Report, names: list[str] | None) -> list[Layout]:
    """The layouts to build: those named, or every layout that has a format."""
    available = load_layouts(project, report)
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
