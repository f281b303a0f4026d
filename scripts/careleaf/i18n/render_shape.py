"""A catalogue's render shape: what a leaflet's outputs can show of its language's catalogue.

A catalogue (``layouts/messages/<lang>.po``) holds the download site's interface words
as well as the leaflets': about half of its messages are the site's alone. So an output
records not the catalogue's bytes but its render shape (``pipeline.records.RENDER``),
and a translator's fix to a word of the site rebuilds no PDF or EPUB of the language.

The shape is a short digest of whether the catalogue passes its check against the
template (``check_catalogue``: one that does not makes the whole language unbuildable,
however few of its messages the outputs show) and, when it does, of every message the
render path may look up: its context, id and translation (plural forms too), and
whether it is fuzzy (a fuzzy translation is not used). A message is left out only when
the template places it, and every reference to it (``#:``, in the template or the
catalogue) is to what no output is rendered from: the site's code (``careleaf/site/``)
and each layout folder in no buildable layout's chain (the ``site`` layout's own). One
the template places nowhere, or lacks, is in: outputs look messages up by id alone
(``Messages.translations``), so the shape holds more than they use, never less.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.i18n.messages import catalogue_files, check_bytes, parse_catalogue, read_file
from careleaf.project import Project

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

#: Where careleaf's own code for the site lives, as the template's references name it.
SITE_CODE = "careleaf/site/"


class RenderShape(NamedTuple):
    """A catalogue's render shape, ``value``, worked out of ``files`` (the catalogue and
    its template), each with the sha256 of the bytes read ("-": unreadable)."""

    files: dict[Path, str]
    value: str


def render_shapes(project: Project, langs: Iterable[str]) -> dict[Path, RenderShape]:
    """The render shape of the catalogue of each of ``langs``, by catalogue file (English
    has none; ``es`` and ``es-419`` may share one)."""
    pairs = sorted({(files[0], files[1]) for lang in langs
                    if (files := catalogue_files(project.layouts_dir, lang))})
    if not pairs:
        return {}
    unrendered = unrendered_places(project)
    return {catalogue: render_shape(catalogue, template, unrendered)
            for catalogue, template in pairs}


def unrendered_places(project: Project) -> tuple[str, ...]:
    """The beginnings of the references (project-relative) to what no output is rendered
    from: the site's code, and each layout folder no buildable layout's chain holds (a
    layout that extends ``site`` would put the site's templates on the render path)."""
    layouts = load_layouts(project, Report()).values()
    rendered = {folder for layout in layouts if layout.format for folder in layout.chain}
    return (SITE_CODE, *(f"{layout.folder.relative_to(project.root).as_posix()}/"
                         for layout in layouts if layout.folder not in rendered))


def render_shape(catalogue: Path, template: Path, unrendered: tuple[str, ...]) -> RenderShape:
    """The render shape of ``catalogue`` with its ``template``, each read once: the shape
    is of the very bytes whose hashes it is recorded with."""
    data = {path: read_file(path) for path in (catalogue, template)}
    files = {path: "-" if read is None else hashlib.sha256(read).hexdigest()
             for path, read in data.items()}
    # Checked as the language the catalogue is of (``es-419`` uses es.po), whichever
    # leaflet asked: the shape is of the files, the same for every language they serve.
    checked = check_bytes(catalogue.stem, (template, data[template]),
                          (catalogue, data[catalogue]))
    if checked.messages is None:
        return RenderShape(files, _digest([False]))
    parsed = {path: parse_catalogue(path, data[path] or b"") for path in data}
    return RenderShape(files, _digest([True, shown(parsed[template], parsed[catalogue],
                                                   unrendered)]))


def shown(template: Catalog, catalogue: Catalog, unrendered: tuple[str, ...]
          ) -> list[list[object]]:
    """Each message of ``catalogue`` an output may show, in the catalogue's order (of two
    with one id, the render path uses the last): its context, id, translation and
    whether it is fuzzy."""
    return [[message.context, message.id, message.string, message.fuzzy]
            for message in catalogue if message.id
            and not _site_only(message, template.get(message.id, message.context), unrendered)]


def _site_only(message: Message, in_template: Message | None,
               unrendered: tuple[str, ...]) -> bool:
    """Whether the template places ``message`` somewhere, and every reference to it, in
    either file, is to what no output is rendered from. The template is what says where
    a message is used now (the catalogue's references may be an older template's): a
    message it does not have, or places nowhere, may be used anywhere."""
    if in_template is None or not in_template.locations:
        return False
    places = {where for where, _ in (*in_template.locations, *message.locations)}
    return all(where.startswith(unrendered) for where in places)


def _digest(shown: list[object]) -> str:
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:16]
