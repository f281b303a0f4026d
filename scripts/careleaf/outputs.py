"""Outputs: where every output of a leaflet goes, and which leaflet a path belongs to.

This module is the one owner of the convention. A leaflet's outputs live in
``build/<lang>/<id>/`` (``build/brands/<brand>/<lang>/<id>/`` for a brand other than
the default), a print-shop variant in its ``print/`` folder, proofs in ``proofs/``
beside the PDFs, and the download site in ``site/<lang>/<id>/``. Every stage asks
``output_path`` where to write or read, and ``owner`` which leaflet a file of the
build belongs to, so that a report, a check and the site all agree.

It also owns the formats an output can be in: ``FORMATS`` holds one ``Format`` record
per format (its file extension, media type, and the code that renders and reads it
back), and every stage that needs to know about a format asks it.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from careleaf.errors import Report
from careleaf.project import Project


@dataclass(frozen=True)
class Variant:
    """Who an output is for: the clinic's brand, and whether it goes to a print shop."""

    brand: str = "default"
    #: PDF/X-4 in CMYK, 3 mm bleed, marks in a slug (``formats.printshop``), under ``print/``.
    print_ready: bool = False


#: The folders an output's own files may sit in, below its leaflet's folder.
_KINDS = ("print", "proofs")


class Named(Protocol):
    """A layout, as far as the convention needs it: the file name it gives a leaflet."""

    def output_name(self, leaflet_id: str) -> str: ...


def output_path(project: Project, source: Path, layout: Named,
                variant: Variant = Variant()) -> Path:
    """Where ``layout`` puts the leaflet of ``source/<lang>/<id>.md`` for ``variant``:
    its file, named by the layout, in the variant's folder (``output_folder``)."""
    return output_folder(project, source, variant) / layout.output_name(source.stem)


def output_folder(project: Project, source: Path, variant: Variant = Variant()) -> Path:
    """The folder ``output_path`` puts every output of ``source`` for ``variant`` in."""
    folder = project.output_dir(source.parent.name, source.stem, variant.brand)
    return folder / "print" if variant.print_ready else folder


def output_paths(project: Project, source: Path, outputs: Iterable[tuple[Named, Variant]]
                 ) -> list[Path]:
    """``output_path`` of ``source`` for each (layout, variant), each folder made once."""
    folders: dict[Variant, Path] = {}
    paths, leaflet_id = [], source.stem
    for layout, variant in outputs:
        if variant not in folders:
            folders[variant] = output_folder(project, source, variant)
        paths.append(folders[variant] / layout.output_name(leaflet_id))
    return paths


def owner(project: Project, path: Path) -> tuple[str, str] | None:
    """``(lang, id)`` of the leaflet ``path`` belongs to: its source, or any file a build
    wrote for it (in any brand, print-shop file, proof, site or preview copy, archived
    version); None otherwise."""
    source = project.source_dir.resolve()
    # A source by its own name: one that is a link (out of source/, to /dev/zero) is
    # still that leaflet's, whatever it points at.
    if path.suffix == ".md" and path.absolute().parent.resolve().parent == source:
        return path.parent.name, path.stem
    path = path.resolve()
    try:
        parts = path.relative_to(project.build_dir.resolve()).parts
    except ValueError:
        return None
    return _owner_in_build(parts)


class BuildOwners:
    """``owner`` of many files of build/, by their build-relative names (the manifest's
    keys), each folder resolved once: a build with nothing to do asks it of every output,
    and resolving each one's whole path (a system call per part) would cost it tens of
    milliseconds."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._build = os.path.join(os.path.realpath(project.build_dir), "")  # ends in a /
        self._folders: dict[str, str] = {}

    def __call__(self, name: str) -> tuple[str, str] | None:
        path = os.path.join(self.project.build_dir, name)
        folder, file = os.path.split(path)
        # A link, a source's name or an odd name: as ``owner`` says, resolved in full.
        if file in ("", ".", "..") or file.endswith(".md") or os.path.islink(path):
            return owner(self.project, Path(path))
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(folder)
        real = os.path.join(self._folders[folder], file)
        if not real.startswith(self._build):
            return None
        return _owner_in_build(tuple(real[len(self._build):].split(os.sep)))


def _owner_in_build(parts: tuple[str, ...]) -> tuple[str, str] | None:
    """``(lang, id)`` of the leaflet a file of build/, resolved, belongs to, by its
    build-relative ``parts``; None if it is not a leaflet's."""
    if parts[:1] == ("brands",):
        parts = parts[2:]
    if parts[:1] in (("site",), ("preview",)):
        parts = parts[1:]
    if parts[:1] == ("archive",):  # archive/<lang>/<id>/<version>/<file>
        parts = (*parts[1:3], *parts[-1:])
    folder = list(parts[:-1])
    while folder and folder[-1] in _KINDS:
        folder.pop()
    return (folder[0], folder[1]) if len(folder) == 2 else None


@dataclass(frozen=True)
class Format:
    """One output format, everything careleaf knows about it in one record.

    Every stage needs the record: the layouts (``design``) check a layout's ``format``
    and name its files with the extension, the pipeline renders with it, the check
    reads outputs back with it and the site offers them with their media type. But the
    code behind it is heavy (WeasyPrint, ebooklib, pypdfium2) and belongs to later
    stages, so the record names that code, ``"module:function"``, and imports it on
    first use, the way Sphinx registers builders by entry point: the core module that
    holds the record imports nothing of ``formats`` or ``check``, and a build with
    nothing to do never loads WeasyPrint. ``tests/test_records.py`` proves every name
    resolves, renderers in ``careleaf.formats``, readers in ``careleaf.check``.

    The label the download site shows for a format ("EPUB ebook", "A4 PDF") is a
    translated message of the site's templates (``layouts/site/_macros.html``), not
    part of the record.
    """

    #: What a layout says in ``format:``.
    name: str
    #: The file extension, without the dot: ``{ext}`` in a layout's output names.
    extension: str
    #: What the download site says a file of this format is.
    media_type: str
    #: ``module:function`` turning a ``careleaf.formats.job.Job`` (and a report) into
    #: ``Rendered`` bytes.
    renderer: str
    #: ``module:function`` reading an output back from its path: a ``Readback``.
    reader: str
    #: For a format with printed pages: ``module:function`` laying a job out, neither
    #: drawn nor written, to find where its pages begin (an ebook marks them).
    pages: str = ""
    #: ``module:function`` readying a worker process to render: its renderer loaded
    #: and these stylesheets parsed (``""``: nothing to ready).
    prepare: str = ""

    # The types of a job, of its bytes and of a read-back belong to later stages, which
    # this module may not import; their callers name them.
    def render(self, job: Any, report: Report) -> Any:
        """The output ``job`` asks for, rendered by this format's renderer."""
        return resolve(self.renderer)(job, report)

    def read_back(self, path: Path) -> Any:
        """What the output at ``path`` holds, read by this format's reader."""
        return resolve(self.reader)(path)

    def page_starts(self, job: Any) -> Any:
        """Where the pages of ``job`` begin when printed (``formats.page_starts``)."""
        return resolve(self.pages)(job)

    def warm_up(self, project: Project, stylesheets: tuple[Path, ...]) -> None:
        """Ready this process to render the format with ``stylesheets``."""
        if self.prepare:
            resolve(self.prepare)(project, stylesheets)


@functools.cache
def resolve(name: str) -> Callable[..., Any]:
    """The function ``module:function`` names, imported on first use."""
    module, _, function = name.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found


#: Every format a layout can be in, by name, in the order messages list them.
FORMATS: dict[str, Format] = {record.name: record for record in (
    Format("pdf", "pdf", "application/pdf",
           "careleaf.formats.pdf:render_pdf", "careleaf.check.readback:read_pdf",
           pages="careleaf.formats.pdf:printed_page_starts",
           prepare="careleaf.formats.pdf:warm_up"),
    Format("epub", "epub", "application/epub+zip",
           "careleaf.formats.epub:render_epub", "careleaf.check.readback:read_epub"),
)}
