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
from functools import cached_property
from pathlib import Path

from careleaf.design.layouts import Layout, select_layouts
from careleaf.errors import Diagnostic, Location, Report
from careleaf.outputs import BuildOwners, Variant, output_folder
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
    for key, name, leaflet in _recorded_outputs(project, manifest, brand):
        reason = judge.why_orphaned(name, leaflet)
        if reason is not None:
            found[project.build_dir / key] = reason
    for output in found:
        _remove(project, manifest, output)
    if found:
        report.diagnostics.append(_note(project, found))
    return bool(found)


def _recorded_outputs(project: Project, manifest: Manifest, brand: str
                      ) -> list[tuple[str, str | None, tuple[str, str]]]:
    """The outputs the manifest records for ``brand``, not through a link out of build/:
    each one's key, its name as ``manifest.key`` makes it (None if it is not under build/)
    and its leaflet's ``(lang, id)``. Names, not Paths: a build with nothing to do asks
    this of every output, and a Path made of each would cost it more than the judging."""
    top = project.brand_dir(brand).relative_to(project.build_dir).parts
    owners = BuildOwners(project)
    outputs = []
    for key in sorted(manifest.entries):
        parts = tuple(key.split("/"))
        name: str | None = key
        if "" in parts or "." in parts:  # not as the manifest writes keys: as pathlib reads it
            parts, name = Path(key).parts, _name(manifest, project.build_dir / key)
        # The default brand's folder holds the other brands' folder: leave that alone.
        if parts[:len(top)] != top or (not top and parts[:1] == ("brands",)):
            continue
        if (leaflet := owners(key)) is not None:  # None: a link out of build/
            outputs.append((key, name, leaflet))
    return outputs


def _name(manifest: Manifest, output: Path) -> str | None:
    try:
        return manifest.key(output)
    except ValueError:
        return None


class _Source:
    """What the judge learns of one leaflet's source, once for all its outputs, and only
    when it asks (a deleted source has no layouts to learn)."""

    def __init__(self, judge: _Judge, lang: str, leaflet_id: str) -> None:
        self.judge, self.leaflet_id = judge, leaflet_id
        self.path = judge.project.source_dir / lang / f"{leaflet_id}.md"
        self.name = self.path.relative_to(judge.project.root).as_posix()

    @cached_property
    def exists(self) -> bool:
        return os.path.lexists(self.path)

    @cached_property
    def judged(self) -> bool:
        """A build of every source, or of this one, judges its outputs."""
        return self.judge.judged is None or self.path.resolve() in self.judge.judged

    @cached_property
    def knows_layouts(self) -> bool:
        return self.judge.manifest.knows_layouts(self.path)

    @cached_property
    def asked(self) -> list[str] | None:
        return self.judge.manifest.recorded_layouts(self.path)

    @cached_property
    def _layouts(self) -> dict[str | None, dict[str, str]]:
        """Which layout makes each output (either variant): by folder, then file name."""
        judge = self.judge
        folders = [_name(judge.manifest, output_folder(judge.project, self.path,
                                                      Variant(judge.brand, ready)))
                   for ready in (False, True)]
        # As output_path names an output: its folder, and in it the file its layout names.
        layouts: dict[str | None, dict[str, str]] = {folder: {} for folder in folders}
        for name, layout in judge.available.items():
            for folder in folders:
                layouts[folder][layout.output_name(self.leaflet_id)] = name
        return layouts

    def layout_of(self, output: str | None) -> str | None:
        """The layout that makes the output named ``output`` (build-relative), if any."""
        if output is None:
            return None
        folder, _, file = output.rpartition("/")
        return self._layouts.get(folder, {}).get(file)


class _Judge:
    """Why an output is no longer built; what it learns of each source, learnt once."""

    def __init__(self, project: Project, manifest: Manifest, brand: str, wanted: set[str],
                 available: dict[str, Layout], judged: set[Path] | None) -> None:
        self.project, self.manifest, self.brand = project, manifest, brand
        self.wanted, self.available, self.judged = wanted, available, judged
        self._sources: dict[tuple[str, str], _Source] = {}

    def why_orphaned(self, output: str | None, leaflet: tuple[str, str]) -> str | None:
        """Why the output named ``output`` (build-relative) is no longer built, or None if
        it still is (or cannot be told)."""
        if leaflet not in self._sources:
            self._sources[leaflet] = _Source(self, *leaflet)
        source = self._sources[leaflet]
        if not source.exists:
            return f"{source.name} was deleted"
        if not source.judged:
            return None  # a build of other sources says nothing about this one
        if not source.knows_layouts:
            return None  # changed and not loaded (it failed): what it wants is unknown
        layout = source.layout_of(output)
        if layout is None:
            return f"its layout is gone from {self.project.layouts_dir.name}/"
        if layout not in self.wanted:
            return "layouts narrowed in [tool.careleaf]"
        asked = source.asked
        return None if asked is None or layout in asked else f"layouts: narrowed in {source.name}"


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
