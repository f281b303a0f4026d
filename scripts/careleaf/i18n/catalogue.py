"""Extraction: ``layouts/messages/careleaf.pot``, every interface word a catalogue must translate.

The template is made with Babel's extraction API from three places: each layout
template's ``_("…")`` and ``_in(lang, "…")`` calls (Jinja's own Babel extractor, with
the environment options careleaf renders with), ``gettext("…")`` calls in careleaf's code (the
EPUB's navigation titles, the cover), and the ``description`` of each buildable
layout (the site shows it beside the layout's download). ``careleaf messages``
writes it and says how much of it each catalogue translates; ``careleaf.i18n.messages``
reads it to know what a catalogue must hold, so a word added to a template without a
translation is found before it is printed. ``careleaf messages init LANG`` makes a new
language's catalogue from it, every translation empty and the header filled in. Each
message's note to translators (a ``Translators:`` comment on the line before it) says
where it shows and what its ``{name}``s are; the .pot carries it to the catalogues.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

import careleaf
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report, display_path
from careleaf.files import write_atomic
from careleaf.i18n.messages import (
    FOLDER,
    TEMPLATE,
    babel_locale,
    catalogue_path,
    check_catalogue,
    is_source_language,
    language_name,
)
from careleaf.project import LANG_RE, Project

#: Templates call ``_()``, and ``_in(lang, "…")`` for another language's words (its message
#: is the second argument); code calls ``messages.gettext()``.
TEMPLATE_KEYWORDS: dict[str, tuple[int] | None] = {"_": None, "_in": (2,)}
CODE_KEYWORDS: dict[str, None] = {"gettext": None}
#: A comment starting so, just before a message, is a note to translators in the .pot.
COMMENT_TAGS = ("Translators:",)
TEMPLATE_SUFFIXES = (".html", ".xhtml", ".xml", ".j2")
#: As ``careleaf.render.html`` sets them: whitespace control changes where a line starts.
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true"}
HEADER = ("The interface words of careleaf's layouts, to translate in <lang>.po.\n"
          "Made by 'careleaf messages' from the templates and code: do not edit it.")
#: The header of a catalogue ``careleaf messages init`` makes.
NEW_HEADER = ("{language} interface words of careleaf's layouts.\n"
              "Message ids are the English text; careleaf.pot lists them all.\n"
              "Made by 'careleaf messages init {lang}': translate every empty msgstr.")
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
            yield where.as_posix(), message, _one_note(notes)


def _one_note(notes: list[str]) -> list[str]:
    """A note to translators as one paragraph, however its comment was wrapped (a Python
    comment's lines come one by one, a template comment's with their indentation), so
    the .pot wraps it afresh and two places saying the same say it once."""
    text = " ".join(" ".join(notes).split())
    return [text] if text else []


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
    missing translations are one error in ``report``, one mostly left in English a
    warning. Returns what to print: each language's coverage, then a summary line."""
    catalog, state = _refresh(project, report, write)
    languages = catalogue_languages(project)
    checked = {lang: check_catalogue(project.layouts_dir, lang) for lang in languages}
    for found in checked.values():
        report.extend(found.report)
    complete = [lang for lang, found in checked.items() if found.messages is not None]
    lines = [f"{lang}: {found.coverage or 'not measured (see its error)'}"
             for lang, found in checked.items()]
    return "\n".join([*lines, (
        f"{display_path(template_path(project))}: {len(catalog)} messages, {state}; "
        f"catalogues complete: {', '.join(complete) or 'none'} of {len(languages)}")])


def _refresh(project: Project, report: Report, write: bool) -> tuple[Catalog, str]:
    """The messages of the templates and code, and the template's state after writing
    it if it was out of date (with ``write`` off, an error instead)."""
    catalog, path = extract(project), template_path(project)
    if is_current(project, catalog):
        return catalog, "up to date"
    if not write:
        report.error(path, None, "out of date with the templates and code: run "
                     "'careleaf messages' (make messages) to update it")
        return catalog, "out of date"
    write_atomic(path, pot_bytes(catalog))
    return catalog, "updated"


def catalogue_languages(project: Project) -> list[str]:
    """The languages to report on: each catalogue's, and each of the project's source
    languages that has none (not English, nor a variant its language's catalogue serves)."""
    folder = template_path(project).parent
    languages = {po.stem for po in folder.glob("*.po")}
    for lang in {source.parent.name for source in project.sources()}:
        if (LANG_RE.match(lang) and not is_source_language(lang) and babel_locale(lang)
                and not catalogue_path(project.layouts_dir, lang).is_file()):
            languages.add(lang)
    return sorted(languages)


def init_catalogue(project: Project, lang: str, report: Report) -> str:
    """Make ``layouts/messages/<lang>.po`` from the template (brought up to date first):
    every message with an empty translation, the header filled in with the language,
    its plural forms (as Babel knows them), UTF-8 and the project. Nothing is written,
    and ``report`` gets one error, if ``lang`` is no language tag Babel knows, is
    English, or already has its catalogue. Returns what to print."""
    folder = template_path(project).parent
    locale = _new_language(lang, folder, report)
    if locale is None:
        return "no catalogue made"
    path = folder / f"{lang}.po"
    _, state = _refresh(project, report, write=True)
    with template_path(project).open("rb") as handle:
        template = read_po(handle)
    catalogue = _new_catalogue(template, locale, lang)
    write_atomic(path, pot_bytes(catalogue))
    updated = f" ({TEMPLATE} updated first)" if state == "updated" else ""
    return (f"{display_path(path)}: made for {language_name(lang)}{updated}, "
            f"{len(catalogue)} messages to translate (plural forms: {catalogue.plural_forms}); "
            "translate each msgstr, then run 'careleaf messages' to see how far it is")


def _new_language(lang: str, folder: Path, report: Report) -> Locale | None:
    """Babel's locale for ``lang`` when a catalogue may be made for it in ``folder``;
    else None, with the reason in ``report``."""
    locale = babel_locale(lang) if LANG_RE.match(lang) else None
    where, problem = folder, ""
    if locale is None:
        problem = (f"'{lang}' is not a language tag Babel knows, like fr, pt-BR or zh-Hans: "
                   "name the language as its source folder does (source/<lang>/)")
    elif is_source_language(lang):
        problem = (f"'{lang}' is English, the language the messages are written in: it needs "
                   "no catalogue")
    elif (folder / f"{lang}.po").exists():
        where, problem = folder / f"{lang}.po", (
            f"the {language_name(lang)} catalogue is already there: translate its empty "
            "messages (run 'careleaf messages' to see how many are left), or remove it to "
            "start again")
    if problem:
        report.error(where, None, problem)
        return None
    return locale


def _new_catalogue(template: Catalog, locale: Locale, lang: str) -> Catalog:
    """A catalogue of ``template``'s messages, untranslated, for ``locale``."""
    header = NEW_HEADER.format(language=language_name(lang), lang=lang)
    catalogue = Catalog(locale=locale, project="careleaf", version=careleaf.__version__,
                        header_comment=_comment(header), fuzzy=False,
                        language_team=language_name(lang), creation_date=template.creation_date)
    for message in template:
        if message.id:
            catalogue.add(message.id, "", locations=message.locations, flags=message.flags,
                          auto_comments=message.auto_comments)
    return catalogue
