"""Outputs no longer built: removed at the next build, with their manifest records.

An output is an orphan when its leaflet's source was deleted, or its layout is no
longer wanted: the leaflet's ``layouts:`` or the project's ``[tool.careleaf] layouts``
narrowed. Only what the manifest recorded is removed (a user's own files in ``build/``
stay), never through a link out of ``build/``, and only of the brand being built. A
``--layout`` build does not narrow what is wanted, and a build of some sources judges
only those (and the sources deleted since).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from careleaf.design.layouts import Layout, select_layouts
from careleaf.errors import Diagnostic, Location, Report
from careleaf.outputs import Variant, output_path, owner
from careleaf.pipeline.manifest import Manifest
from careleaf.project import Project


def remove_orphans(project: Project, manifest: Manifest, brand: str,
                   available: dict[str, Layout], sources: list[Path] | None,
                   report: Report, asked: Collection[str] = ()) -> bool:
    """Remove the outputs of ``brand`` no longer built, say so in one note; True if any.

    A build told which layouts to make (``asked``, from ``--layout``) judges no layout:
    it removes only the outputs of deleted sources. Layouts built that way on purpose
    (a Letter edition for one clinic) stay until a build of the project's layouts."""
    # A throwaway report: a bad layout name in the configuration is the build's to say.
    wanted = {layout.name for layout in select_layouts(project, Report(), None, available)}
    judged = None if sources is None else {source.resolve() for source in sources}
    if asked:
        judged = set()  # no source's layouts are judged; deleted sources still go
    found: dict[Path, str] = {}
    for output in _recorded_outputs(project, manifest, brand):
        reason = _why_orphaned(project, manifest, output, brand, wanted, available, judged)
        if reason is not None:
            found[output] = reason
    for output in found:
        _remove(project, manifest, output)
    if found:
        report.diagnostics.append(_note(project, found))
    return bool(found)


def _recorded_outputs(project: Project, manifest: Manifest, brand: str) -> list[Path]:
    """The outputs the manifest records for ``brand``, not through a link out of build/."""
    top = project.brand_dir(brand).relative_to(project.build_dir).parts
    outputs = []
    for key in sorted(manifest.entries):
        parts = Path(key).parts
        # The default brand's folder holds the other brands' folder: leave that alone.
        if parts[:len(top)] != top or (not top and parts[:1] == ("brands",)):
            continue
        output = project.build_dir / key
        if owner(project, output) is not None:  # None: a link out of build/
            outputs.append(output)
    return outputs


def _why_orphaned(project: Project, manifest: Manifest, output: Path, brand: str,
                  wanted: set[str], available: dict[str, Layout], judged: set[Path] | None
                  ) -> str | None:
    """Why ``output`` is no longer built, or None if it still is (or cannot be told)."""
    lang, leaflet_id = owner(project, output) or ("", "")
    source = project.source_dir / lang / f"{leaflet_id}.md"
    name = source.relative_to(project.root).as_posix()
    if not os.path.lexists(source):
        return f"{name} was deleted"
    if judged is not None and source.resolve() not in judged:
        return None  # a build of other sources says nothing about this one
    if not manifest.knows_layouts(source):
        return None  # changed and not loaded (it failed): what it wants is unknown
    layout = _layout_of(project, source, output, brand, available)
    if layout is None:
        return f"its layout is gone from {project.layouts_dir.name}/"
    if layout not in wanted:
        return "layouts narrowed in [tool.careleaf]"
    asked = manifest.recorded_layouts(source)
    return None if asked is None or layout in asked else f"layouts: narrowed in {name}"


def _layout_of(project: Project, source: Path, output: Path, brand: str,
               available: dict[str, Layout]) -> str | None:
    """The name of the layout that makes ``output`` of ``source`` (either variant)."""
    for layout in available.values():
        if output in (output_path(project, source, layout, Variant(brand, ready))
                      for ready in (False, True)):
            return layout.name
    return None


def _remove(project: Project, manifest: Manifest, output: Path) -> None:
    """Delete the files recorded for ``output`` (regular files only, inside build/), the
    folders they leave empty, and forget its record."""
    build = project.build_dir.resolve()
    manifest_files = manifest.recorded_files(output)
    for path in manifest_files:
        inside = path.parent.resolve().is_relative_to(build)
        if inside and path.is_file() and not path.is_symlink():
            path.unlink()
    manifest.forget(output)
    for folder in sorted({path.parent for path in manifest_files}, reverse=True):
        _remove_empty(project, folder)


def _remove_empty(project: Project, folder: Path) -> None:
    """``folder`` and the folders above it inside build/, while empty (a user's file
    keeps its folder)."""
    while folder != project.build_dir and folder.is_relative_to(project.build_dir):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _note(project: Project, found: dict[Path, str]) -> Diagnostic:
    """One line: how many outputs went, which, and why."""
    names = ", ".join(path.relative_to(project.root).as_posix() for path in found)
    reasons = "; ".join(dict.fromkeys(found.values()))
    count = f"{len(found)} output{'s' if len(found) != 1 else ''}"
    return Diagnostic(Location(project.build_dir), f"removed {count} no longer built: "
                      f"{names} ({reasons})", "note")
