"""Extraction: ``layouts/messages/careleaf.pot``, every interface word a catalogue must translate.

The template is made with Babel's extraction API from three places: each layout
template's ``_("…")`` calls (Jinja's own Babel extractor, with the environment
options careleaf renders with), ``gettext("…")`` calls in careleaf's code (the
EPUB's navigation titles, the cover), and the ``description`` of each buildable
layout (the site shows it beside the layout's download). ``careleaf messages``
writes it; ``careleaf.i18n.messages`` reads it to know what a catalogue must hold, so
a word added to a template without a translation is found before it is printed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

import careleaf
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report, display_path
from careleaf.files import write_atomic
from careleaf.i18n.messages import FOLDER, TEMPLATE, load_messages
from careleaf.project import Project

#: Templates call ``_()``; code calls ``messages.gettext()``.
TEMPLATE_KEYWORDS: dict[str, None] = {"_": None}
CODE_KEYWORDS: dict[str, None] = {"gettext": None}
#: A comment starting so, just before a message, is a note to translators in the .pot.
COMMENT_TAGS = ("Translators:",)
TEMPLATE_SUFFIXES = (".html", ".xhtml", ".xml", ".j2")
#: As ``careleaf.render.html`` sets them: whitespace control changes where a line starts.
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true"}
HEADER = ("The interface words of careleaf's layouts, to translate in <lang>.po.\n"
          "Made by 'careleaf messages' from the templates and code: do not edit it.")
DESCRIPTION_NOTE = "A layout's description: the site shows it beside the layout's download."
#: One message as compared: its id, the files it is in and its notes to translators.
Signature = tuple[str, tuple[str, ...], str]


def template_path(project: Project) -> Path:
    return project.layouts_dir / FOLDER / TEMPLATE


def extract(project: Project) -> Catalog:
    """Every message of the project's layouts and of careleaf's code, in a new catalogue."""
    catalog = Catalog(project="careleaf", version=careleaf.__version__,
                      header_comment=_comment(HEADER), fuzzy=False)
    for where, msgid, notes in _messages(project):
        catalog.add(msgid, locations=[(where, 0)], auto_comments=notes)  # no line: see pot_bytes
    return catalog


def _messages(project: Project) -> Iterator[tuple[str, str, list[str]]]:
    """(file, message id, notes) for every message, templates first, then code."""
    for path in sorted(project.layouts_dir.rglob("*")):
        if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
            found = extract_from_file("jinja2.ext:babel_extract", path, TEMPLATE_KEYWORDS,
                                      COMMENT_TAGS, JINJA_OPTIONS, strip_comment_tags=True)
            yield from _named(path.relative_to(project.root), found)
    package = Path(careleaf.__file__).parent
    for path in sorted(package.rglob("*.py")):
        found = extract_from_file("python", path, CODE_KEYWORDS, COMMENT_TAGS,
                                  strip_comment_tags=True)
        yield from _named(path.relative_to(package.parent), found)
    for layout in load_layouts(project, Report()).values():
        if layout.format and layout.description:
            where = (layout.folder / "layout.yml").relative_to(project.root)
            yield where.as_posix(), layout.description, [DESCRIPTION_NOTE]


def _named(where: Path, found: list[tuple[int, str | tuple[str, ...], list[str], str | None]]
           ) -> Iterator[tuple[str, str, list[str]]]:
    for _line, message, notes, _context in found:
        if isinstance(message, str):
            yield where.as_posix(), message, notes


def _comment(text: str) -> str:
    return "\n".join(f"# {line}" for line in text.splitlines())


def pot_bytes(catalog: Catalog) -> bytes:
    """The catalogue as a .pot file: sorted by message, files without line numbers, so a
    template edit that moves a line does not make the template stale."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=88, sort_output=True, include_lineno=False)
    return buffer.getvalue()


def signature(catalog: Catalog) -> list[Signature]:
    """What makes two templates the same, whatever their dates (and however a long note
    to translators was wrapped)."""
    return sorted((str(m.id), tuple(sorted({where for where, _ in m.locations})),
                   " ".join(" ".join(m.auto_comments).split()))
                  for m in catalog if m.id and isinstance(m.id, str))


def is_current(project: Project, catalog: Catalog) -> bool:
    """Whether the template on disk holds exactly ``catalog``'s messages."""
    try:
        with template_path(project).open("rb") as handle:
            return signature(read_po(handle)) == signature(catalog)
    except (OSError, ValueError):
        return False


def update_template(project: Project, report: Report, *, write: bool = True) -> str:
    """Bring ``careleaf.pot`` up to date with the templates and code (with ``write`` off,
    only report that it is not), then check every catalogue against it; each catalogue's
    missing translations are one error in ``report``. Returns a summary line."""
    catalog, path = extract(project), template_path(project)
    current = is_current(project, catalog)
    if not current and not write:
        report.error(path, None, "out of date with the templates and code: run "
                     "'careleaf messages' (make messages) to update it")
    elif not current:
        write_atomic(path, pot_bytes(catalog))
    languages = sorted(po.stem for po in path.parent.glob("*.po"))
    complete = [lang for lang in languages if load_messages(project, lang, report) is not None]
    state = "up to date" if current else "out of date" if not write else "updated"
    return (f"{display_path(path)}: {len(catalog)} messages, {state}; catalogues complete: "
            f"{', '.join(complete) or 'none'} of {len(languages)}")
