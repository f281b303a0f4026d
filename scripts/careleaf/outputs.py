"""Outputs: where every output of a leaflet goes, and which leaflet a path belongs to.

This module is the one owner of the convention. A leaflet's outputs live in
``build/<lang>/<id>/`` (``build/brands/<brand>/<lang>/<id>/`` for a brand other than
the default), a print-shop variant in its ``print/`` folder, proofs in ``proofs/``
beside the PDFs, and the download site in ``site/<lang>/<id>/``. Every stage asks
``output_path`` where to write or read, and ``owner`` which leaflet a file of the
build belongs to, so that a report, a check and the site all agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from careleaf.project import Project


@dataclass(frozen=True)
class Variant:
    """Who an output is for: the clinic's brand, and whether it goes to a print shop."""

    brand: str = "default"
    #: 3 mm bleed and crop marks, written under ``print/``.
    print_ready: bool = False


#: The folders an output's own files may sit in, below its leaflet's folder.
_KINDS = ("print", "proofs")


class Named(Protocol):
    """A layout, as far as the convention needs it: the file name it gives a leaflet."""

    def output_name(self, leaflet_id: str) -> str: ...


def output_path(project: Project, source: Path, layout: Named,
                variant: Variant = Variant()) -> Path:
    """Where ``layout`` puts the leaflet of ``source/<lang>/<id>.md`` for ``variant``."""
    lang, leaflet_id = source.parent.name, source.stem
    folder = project.output_dir(lang, leaflet_id, variant.brand)
    if variant.print_ready:
        folder = folder / "print"
    return folder / layout.output_name(leaflet_id)


def owner(project: Project, path: Path) -> tuple[str, str] | None:
    """``(lang, id)`` of the leaflet ``path`` belongs to: its source, or any file a build
    wrote for it (in any brand, print-shop file, proof or site copy); None otherwise."""
    path = path.resolve()
    source = project.source_dir.resolve()
    if path.suffix == ".md" and path.parent.parent == source:
        return path.parent.name, path.stem
    try:
        parts = path.relative_to(project.build_dir.resolve()).parts
    except ValueError:
        return None
    if parts[:1] == ("brands",):
        parts = parts[2:]
    if parts[:1] == ("site",):
        parts = parts[1:]
    folder = list(parts[:-1])
    while folder and folder[-1] in _KINDS:
        folder.pop()
    return (folder[0], folder[1]) if len(folder) == 2 else None
