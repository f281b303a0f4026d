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
    judge = _Judge(project, manifest, brand, wanted, available, judged)
    for output, leaflet in _recorded_outputs(project, manifest, brand):
        reason = judge.why_orphaned(output, leaflet)
        if reason is not None:
            found[output] = reason
    for output in found:
        _remove(project, manifest, output)
    if found:
        report.diagnostics.append(_note(project, found))
    return bool(found)


def _recorded_outputs(project: Project, manifest: Manifest, brand: str
                      ) -> list[tuple[Path, tuple[str, str]]]:
    """The outputs the manifest records for ``brand``, not through a link out of build/,
    each with its leaflet's ``(lang, id)``."""
    top = project.brand_dir(brand).relative_to(project.build_dir).parts
    outputs = []
    for key in sorted(manifest.entries):
        parts = Path(key).parts
        # The default brand's folder holds the other brands' folder: leave that alone.
        if parts[:len(top)] != top or (not top and parts[:1] == ("brands",)):
            continue
        output = project.build_dir / key
        if (leaflet := owner(project, output)) is not None:  # None: a link out of build/
            outputs.append((output, leaflet))
    return outputs


class _Judge:
    """Why an output is no longer built; what it learns of each source, learnt once."""

    def __init__(self, project: Project, manifest: Manifest, brand: str, wanted: set[str],
                 available: dict[str, Layout], judged: set[Path] | None) -> None:
        self.project, self.manifest, self.brand = project, manifest, brand
        self.wanted, self.available, self.judged = wanted, available, judged
        self._layouts: dict[Path, dict[Path, str] | None] = {}

    def why_orphaned(self, output: Path, leaflet: tuple[str, str]) -> str | None:
        """Why ``output`` is no longer built, or None if it still is (or cannot be told)."""
        source = self.project.source_dir / leaflet[0] / f"{leaflet[1]}.md"
        name = source.relative_to(self.project.root).as_posix()
        layouts = self._layouts_of(source)
        if layouts is None:
            return f"{name} was deleted"
        if self.judged is not None and source.resolve() not in self.judged:
            return None  # a build of other sources says nothing about this one
        if not self.manifest.knows_layouts(source):
            return None  # changed and not loaded (it failed): what it wants is unknown
        layout = layouts.get(output)
        if layout is None:
            return f"its layout is gone from {self.project.layouts_dir.name}/"
        if layout not in self.wanted:
            return "layouts narrowed in [tool.careleaf]"
        asked = self.manifest.recorded_layouts(source)
        return None if asked is None or layout in asked else f"layouts: narrowed in {name}"

    def _layouts_of(self, source: Path) -> dict[Path, str] | None:
        """Which layout makes each output of ``source`` (either variant); None if the
        source is gone."""
        if source not in self._layouts:
            self._layouts[source] = {
                output_path(self.project, source, layout, Variant(self.brand, ready)): name
                for name, layout in self.available.items() for ready in (False, True)
            } if os.path.lexists(source) else None
        return self._layouts[source]


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
