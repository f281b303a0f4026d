"""The plan of a build: which outputs are stale, decided from the manifest alone.

Which outputs are fresh is decided without parsing any source (``stale_outputs``); so
is which fresh PDFs lack their proofs (``proofs_due``). But an output that changed only
in shaped inputs (``records.shaped``) not known since their files changed is undecided:
a translation's, whose original's bytes changed, or any non-English leaflet's, whose
catalogue's did. The working half loads its leaflet, records the original's shape and
the catalogue's render shape, and judges it again (``decide``), so an edit of an
original's text alone rebuilds none of its translations, and an edit of a message only
the download site shows rebuilds no output.
This module is all a build with nothing to do needs of the pipeline's planning: the
work itself is laid out as a graph of tasks (``schedule``) and run (``make``) only when
there is some.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Diagnostic
from careleaf.outputs import Variant, output_paths
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.records import loaded_facts, shape_input
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
        #: Outputs that loading their leaflets decides (``decide``): changed only in shapes
        #: not known now, or of a leaflet whose warnings must be said anew.
        self.undecided: Stale = {}

    def stale_outputs(self, sources: list[Path], force: bool, fresh: list[Path],
                      progress: Progress | None) -> Stale:
        """The outputs to make, by source; each fresh one added to ``fresh``. Those only
        loading their leaflet can judge are kept in ``undecided`` (``decide``)."""
        stale: Stale = {}
        for source in sources:
            narrowed = self.manifest.recorded_layouts(source)
            # Warnings kept about an original that changed since, its shape not: loaded
            # to say them again, and keep them against the original as it is now.
            recheck = not force and self.manifest.notes_outdated(source)
            targets = output_paths(self.project, source, self.outputs)
            for output, target in zip(self.outputs, targets, strict=True):
                if narrowed is not None and output[0].name not in narrowed:
                    continue  # the leaflet, unchanged since, asked for other layouts
                verdict = "stale" if force else self._verdict(target, output)
                if verdict == "fresh" and not recheck:
                    self._fresh(target, output[0], fresh, progress)
                else:
                    (stale if verdict == "stale" else self.undecided).setdefault(
                        source, []).append(output)
        return stale

    def _verdict(self, target: Path, output: tuple[Layout, Variant]) -> str:
        """"fresh", "stale", or "undecided": changed only in shapes not known till they
        are worked out again (an original's, whose body alone changed maybe; a
        catalogue's, whose site-only messages alone changed maybe)."""
        look = self.look(output[0], output[1].print_ready)
        if self.manifest.is_fresh(target, look, self.toolchain):
            return "fresh"
        return "undecided" if self.manifest.undecided(target, look, self.toolchain) else "stale"

    def decide(self, stale: Stale, usable: set[Path], fresh: list[Path],
               progress: Progress | None) -> Stale:
        """``stale`` and the undecided outputs stale after all, judged again now that the
        shapes of the leaflets loaded and of their catalogues are recorded; the others
        are fresh (in ``fresh``).
        Those of a leaflet that cannot be made (not ``usable``) are stale: they fail,
        with the error that says why, as they did before shapes were recorded."""
        decided = {source: list(outputs) for source, outputs in stale.items()}
        for source, outputs in self.undecided.items():
            targets = output_paths(self.project, source, outputs)
            for (layout, variant), target in zip(outputs, targets, strict=True):
                look = self.look(layout, variant.print_ready)
                if source in usable and self.manifest.is_fresh(target, look, self.toolchain):
                    self._fresh(target, layout, fresh, progress)
                else:
                    decided.setdefault(source, []).append((layout, variant))
        return decided

    def _fresh(self, target: Path, layout: Layout, fresh: list[Path],
               progress: Progress | None) -> None:
        if self.wants_proofs(layout) and not self.manifest.proofs_fresh(target):
            self.proofs_due.append(target)
        fresh.append(target)
        if progress:
            progress(target, "fresh", 0.0)

    def look(self, layout: Layout, print_ready: bool) -> str:
        """What an output of ``layout`` depends on besides its own files (``output_looks``)."""
        return self.looks[layout.name, print_ready]

    def wants_proofs(self, layout: Layout) -> bool:
        return self.proofs and layout.format == "pdf"

    def record_leaflets(self, leaflets: list[Leaflet], warnings: dict[Path, list[Diagnostic]]
                        ) -> None:
        """Each leaflet's ``layouts:`` and the warnings its load gave, for the next build
        (the warnings kept against its original's bytes, not its shape: an outdated
        translation's warning names what changed in the original's text)."""
        for leaflet in leaflets:
            self.manifest.record_layouts(leaflet.path, leaflet.digest, leaflet.layouts)
            noted = [leaflet.path, *([leaflet.original_path] if leaflet.original_path else [])]
            self.manifest.record_notes(leaflet.path, self.manifest.hash_inputs(noted),
                                       warnings.get(leaflet.path, []))


def record_facts(manifest: Manifest, leaflets: Iterable[Leaflet]) -> bool:
    """What the catalogue check needs of each leaflet loaded, and what its translations
    show of it (its shape), for builds that do not load it: each recorded against the
    bytes it was loaded from. True if there were any leaflets."""
    loaded = {leaflet.path: leaflet for leaflet in leaflets}
    for path, facts in loaded_facts(loaded.values()).items():
        manifest.record_facts(path, loaded[path].digest or "-", facts)
    return bool(loaded)


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
    """Its source and, for a translation, its original's shape (``shape_input``): a
    change to the original's sections or version must have the translation compared with
    it again, and made again if it still matches; a change to its text alone, neither."""
    original = leaflet.original_path
    return [leaflet.path, *([shape_input(original)] if original else [])]


def _page_source(layout: Layout, available: dict[str, Layout]) -> list[Layout]:
    source = available.get(layout.page_list or "")
    return [source] if source else []


def _outputs(layouts: list[Layout], variants: list[Variant]) -> list[tuple[Layout, Variant]]:
    """Every (layout, variant) to make: print-shop variants of the PDF layouts (a
    tri-fold's is its sheet, with the bleed round the sheet)."""
    return [(layout, variant) for layout in layouts for variant in variants
            if not variant.print_ready or layout.format == "pdf"]
