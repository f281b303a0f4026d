"""The plan of a build: which outputs are stale, decided from the manifest alone.

Which outputs are fresh is decided without parsing any source (``stale_outputs``); so
is which fresh PDFs lack their proofs (``proofs_due``). This module is all a build with
nothing to do needs of the pipeline's planning: the work itself is laid out as a graph
of tasks (``schedule``) and run (``make``) only when there is some.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Diagnostic
from careleaf.outputs import Variant, output_paths
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.records import loaded_facts
from careleaf.project import Project

if TYPE_CHECKING:  # only a type here: the model is imported by the loaders, when they run
    from careleaf.source.model import Leaflet

#: Called after each output with its path, what came of it and the seconds it took:
#: "built", "fresh" or "failed"; for its proofs "proofs" or "proofs failed".
Progress = Callable[[Path, str, float], None]
Stale = dict[Path, list[tuple[Layout, Variant]]]


class Plan:
    """What to make, decided from the manifest; and how it is recorded once made."""

    def __init__(self, project: Project, manifest: Manifest, toolchain: str, brand: Brand,
                 layouts: list[Layout], available: dict[str, Layout], *,
                 print_ready: bool, proofs: bool) -> None:
        self.project, self.manifest, self.toolchain = project, manifest, toolchain
        self.brand, self.available, self.proofs = brand, available, proofs
        self.print_ready = print_ready
        variants = [Variant(brand.name), *([Variant(brand.name, True)] if print_ready else [])]
        self.outputs = _outputs(layouts, variants)
        self.looks = output_looks(project, brand, layouts, available)
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
                look = self.look(layout, variant.print_ready)
                if force or not self.manifest.is_fresh(target, look, self.toolchain):
                    stale.setdefault(source, []).append((layout, variant))
                    continue
                if self.wants_proofs(layout) and not self.manifest.proofs_fresh(target):
                    self.proofs_due.append(target)
                fresh.append(target)
                if progress:
                    progress(target, "fresh", 0.0)
        return stale

    def look(self, layout: Layout, print_ready: bool) -> str:
        """What an output of ``layout`` depends on besides its own files (``output_looks``)."""
        return self.looks[layout.name, print_ready]

    def wants_proofs(self, layout: Layout) -> bool:
        return self.proofs and layout.format == "pdf"

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
