"""Messages: the interface words of the layouts in the leaflet's language, and its dates.

Every word a layout adds to a leaflet ("Reviewed", "Page 2 of 4", the EPUB's
"Contents"…) is an English message id, translated by a gettext catalogue
``layouts/messages/<lang>.po`` read with Babel (no compiled ``.mo`` files). English
is the source language and needs no catalogue. The messages a catalogue must
translate are those of ``layouts/messages/careleaf.pot``, extracted from the
templates and code (``careleaf.i18n.catalogue``), so a catalogue is checked as a whole
before anything is rendered: missing, empty or fuzzy translations are one error at
the catalogue naming them, never English words on a Spanish leaflet; a language with
no catalogue is told how to start one (``careleaf messages init``).
A catalogue whose translations are mostly the English message itself (made with
``msgen``, or copied from the template and filled in with the English) is a warning
naming it: its leaflets would build, in English. Dates are written the locale's long
way (Babel, CLDR data), ``20 de noviembre de 2026``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from careleaf.errors import CareleafError, Diagnostic, Location, Report, display_path
from careleaf.project import Project

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

#: The folder under ``layouts/`` that holds the catalogues and their template.
FOLDER = "messages"
TEMPLATE = "careleaf.pot"
#: The language the message ids are written in: it needs no catalogue.
SOURCE_LANGUAGE = "en"
#: At most so many missing messages are named in the error (then "and 75 more").
LISTED = 10
#: careleaf's English is British: "20 November 2026" cannot be misread as a month-day
#: date by any English reader (Babel's plain ``en`` is American, "November 20, 2026").
_BABEL_LOCALES = {"en": "en-GB"}


@dataclass(frozen=True)
class Messages:
    """One language's translations (none for English) and its Babel locale."""

    lang: str
    locale: Locale
    translations: Mapping[str, str] = field(default_factory=dict)

    def gettext(self, msgid: str, /, **values: object) -> str:
        """The translation of ``msgid`` (itself in English), its ``{name}``s filled in."""
        text = self.translations.get(msgid, msgid)
        return text.format(**values) if values else text

    def markup(self, msgid: str, /, **values: object) -> str | Markup:
        """For templates: like ``gettext``, but the values are HTML-escaped unless they
        are already markup (a link), so a translated sentence can hold one."""
        text = self.translations.get(msgid, msgid)
        return escape(text).format(**values) if values else text

    def format_date(self, value: date) -> str:
        """``value`` written out as the locale does: ``20 November 2026``, ``2026年11月20日``."""
        # Imported here: Babel's dates cost a build that renders nothing ~10 ms to load.
        from babel.dates import format_date

        return format_date(value, format="long", locale=self.locale)

    def file_size(self, size: int) -> str:
        """A file size as people read it: ``812 bytes``, ``48 KB``, ``1,2 MB`` (powers of 1000)."""
        if size == 1:
            # Translators: a download's size, after its name on the site: "A4 PDF, 1 byte".
            return self.gettext("1 byte")
        if size < 1000:
            # Translators: a download's size, after its name on the site: "A4 PDF, 812
            # bytes"; {count} is the number of bytes (2 to 999).
            return self.gettext("{count} bytes", count=format_decimal(size, locale=self.locale))
        if size < 999_500:
            # Translators: a download's size in kilobytes (1000 bytes), after its name on the
            # site: "EPUB ebook, 48 KB"; {count} is a whole number, written the locale's way.
            return self.gettext("{count} KB", count=format_decimal((size + 500) // 1000,
                                                                   locale=self.locale))
        megabytes = Decimal(f"{size / 1_000_000:.1f}")
        # Translators: a download's size in megabytes (a million bytes), after its name on
        # the site: "A4 PDF, 1.2 MB"; {count} is the number with one decimal, written the
        # locale's way ("1,2" in Spanish).
        return self.gettext("{count} MB", count=format_decimal(megabytes, "#,##0.0",
                                                               locale=self.locale))


@cache
def english(lang: str = SOURCE_LANGUAGE) -> Messages:
    """The identity messages: the message ids are the English text."""
    return Messages(lang, babel_locale(lang) or Locale("en", "GB"))


def is_source_language(lang: str) -> bool:
    return lang == SOURCE_LANGUAGE or lang.startswith(f"{SOURCE_LANGUAGE}-")


def babel_locale(lang: str) -> Locale | None:
    """Babel's locale for a BCP 47 tag (``zh-Hans`` is ``zh_Hans``); None if it has none."""
    try:
        return Locale.parse(_BABEL_LOCALES.get(lang, lang), sep="-")
    except (UnknownLocaleError, ValueError):
        return None


def language_name(lang: str) -> str:
    locale = babel_locale(lang)
    return locale.english_name if locale is not None and locale.english_name else f"'{lang}'"


def messages_folder(layouts_dir: Path) -> Path:
    return layouts_dir / FOLDER


def catalogue_path(layouts_dir: Path, lang: str) -> Path:
    """``layouts/messages/<lang>.po``, named like the source folder (``zh-Hans.po``); for a
    variant without its own, its language's, as gettext falls back: ``es-419`` uses
    ``es.po``. When there is none, the one to add: ``<lang>.po``."""
    folder = messages_folder(layouts_dir)
    subtags = lang.split("-")
    for tag in ("-".join(subtags[:n]) for n in range(len(subtags), 0, -1)):
        if (folder / f"{tag}.po").is_file():
            return folder / f"{tag}.po"
    return folder / f"{lang}.po"


def catalogue_files(layouts_dir: Path, lang: str) -> list[Path]:
    """The files of ``lang``'s interface words: its catalogue and the template that says
    what the catalogue must hold (none for English). What a leaflet's outputs show of
    them is their render shape (``render_shape``)."""
    if is_source_language(lang):
        return []
    return [catalogue_path(layouts_dir, lang), messages_folder(layouts_dir) / TEMPLATE]


def load_messages(project: Project, lang: str, report: Report) -> Messages | None:
    """The messages of ``lang``; None, with one error in ``report``, if they are incomplete.
    A catalogue that is mostly English copied is a warning in ``report``, once a run."""
    checked = check_catalogue(project.layouts_dir, lang)
    report.extend(checked.report)
    return checked.messages


@dataclass(frozen=True)
class Coverage:
    """How much of the template a catalogue translates; ``worded``: the template's messages
    with a word in them (not ``", "`` or ``"{count} MB"``'s number), ``copied``: how many of
    those the catalogue "translates" as the English message itself."""

    wanted: int
    translated: int
    worded: int = 0
    copied: int = 0

    @property
    def missing(self) -> int:
        return self.wanted - self.translated

    @property
    def mostly_english(self) -> bool:
        """More than half of the messages with words are left in English: a copy, as
        ``msgen`` makes, not a translation."""
        return self.copied * 2 > self.worded

    def __str__(self) -> str:
        """``100% (85 of 85)``, ``12% (10 of 85); 75 missing``; never 100% with one missing."""
        percent = self.translated * 100 // self.wanted if self.wanted else 100
        text = f"{percent}% ({self.translated} of {self.wanted})"
        if self.missing:
            text += f"; {self.missing} missing"
        if self.mostly_english:
            text += f"; {self.copied} left in English"
        return text


@dataclass(frozen=True)
class Checked:
    """A language's catalogue as checked against the template: its messages (None if
    they cannot be used), its errors and warnings, and its coverage (None if there is
    no template to measure it by, or it cannot be read)."""

    report: Report
    messages: Messages | None = None
    coverage: Coverage | None = None


#: A file and its bytes as read (None: it could not be).
Read = tuple[Path, bytes | None]
#: Checked catalogues by (language, catalogue, template bytes, catalogue bytes): each
#: worker reads two small files per leaflet and parses them only when they changed.
_CACHE: dict[tuple[str, Path, bytes | None, bytes | None], Checked] = {}


def messages_for(layouts_dir: Path, lang: str) -> Messages:
    """The messages of ``lang`` from ``layouts_dir``; raises ``CareleafError`` naming the
    messages the catalogue lacks, or the catalogue's mistakes."""
    checked = check_catalogue(layouts_dir, lang)
    if checked.messages is None:
        raise CareleafError(checked.report)
    return checked.messages


def check_catalogue(layouts_dir: Path, lang: str) -> Checked:
    """The catalogue of ``lang`` checked against the template (English needs none)."""
    if is_source_language(lang):
        return Checked(Report(), english(lang))
    template, catalogue = messages_folder(layouts_dir) / TEMPLATE, catalogue_path(layouts_dir,
                                                                                 lang)
    return check_bytes(lang, (template, read_file(template)), (catalogue, read_file(catalogue)))


def check_bytes(lang: str, template: Read, catalogue: Read) -> Checked:
    """``check_catalogue`` of the bytes given of the template and the catalogue: for a
    caller that must know which bytes were checked (``render_shape``)."""
    key = (lang, catalogue[0], template[1], catalogue[1])
    if key not in _CACHE:
        try:
            _CACHE[key] = _check(lang, *template, *catalogue)
        except CareleafError as exc:
            _CACHE[key] = Checked(exc.report)
    return _CACHE[key]


def read_file(path: Path) -> bytes | None:
    """The bytes of ``path``; None if it cannot be read (a missing catalogue)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _check(lang: str, template: Path, template_bytes: bytes | None, catalogue: Path,
           catalogue_bytes: bytes | None) -> Checked:
    if template_bytes is None:
        raise CareleafError(Diagnostic(Location(template), "the message template is missing: "
                                       "run 'careleaf messages' to make it"))
    wanted = [m.id for m in parse_catalogue(template, template_bytes)
              if isinstance(m.id, str) and m.id]
    locale = babel_locale(lang)
    if locale is None:
        raise CareleafError(Diagnostic(Location(catalogue), f"Babel knows no locale '{lang}', "
                                       "so its dates cannot be written"))
    if catalogue_bytes is None:
        return Checked(Report([Diagnostic(Location(catalogue), _no_catalogue_text(
            lang, len(wanted)))]), coverage=Coverage(len(wanted), 0))
    parsed = parse_catalogue(catalogue, catalogue_bytes)
    translations = _translations(parsed)
    report, coverage = Report(), _coverage(wanted, translations)
    missing = [msgid for msgid in wanted if msgid not in translations]
    if missing:
        report.error(catalogue, None, _missing_text(
            catalogue.stem, missing, f"add them (template: {display_path(template)})"))
    _check_placeholders(catalogue, parsed, translations, set(wanted), report)
    if coverage.mostly_english:
        report.warning(catalogue, None, _copied_text(catalogue.stem, coverage))
    messages = None if report.errors else Messages(lang, locale, translations)
    return Checked(report, messages, coverage)


def _no_catalogue_text(lang: str, wanted: int) -> str:
    return (f"there is no {language_name(lang)} catalogue, so none of the {wanted} interface "
            f"words of the layouts has a translation: run 'careleaf messages init {lang}' to "
            "make it, and translate every message")


def _missing_text(lang: str, missing: list[str], advice: str) -> str:
    """The error for ``missing``: every one of them, or the first ``LISTED`` of a long
    list (a new catalogue's empty messages are its editor's to show, not one line's)."""
    count = f"{len(missing)} message{'s have' if len(missing) != 1 else ' has'}"
    ordered = sorted(missing, key=lambda m: (m.casefold(), m))
    listed = ", ".join(_quoted(msgid) for msgid in ordered[:LISTED])
    if len(ordered) > LISTED:
        listed += f" and {len(ordered) - LISTED} more"
    return f"{count} no {language_name(lang)} translation: {listed}; {advice}"


def _copied_text(lang: str, coverage: Coverage) -> str:
    return (f"{coverage.copied} of its {coverage.worded} messages with words are "
            "translated as the English text itself (a copy, as 'msgen' makes), so its "
            f"leaflets would read in English: translate them into {language_name(lang)}, and "
            "leave the msgstr of a message not translated yet empty (it then counts as "
            "missing)")


def _coverage(wanted: list[str], translations: dict[str, str]) -> Coverage:
    """How many of ``wanted`` are translated, and how many of those with words are left
    in English; punctuation (``", "``) and numbers read the same in most languages."""
    worded = [msgid for msgid in wanted if _has_words(msgid)]
    copied = [msgid for msgid in worded if translations.get(msgid, "").strip() == msgid.strip()]
    translated = sum(msgid in translations for msgid in wanted)
    return Coverage(len(wanted), translated, len(worded), len(copied))


def _has_words(msgid: str) -> bool:
    """Whether ``msgid`` has a letter outside its ``{name}``s."""
    try:
        text = "".join(literal for literal, _, _, _ in string.Formatter().parse(msgid))
    except ValueError:
        text = msgid
    return any(char.isalpha() for char in text)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def parse_catalogue(path: Path, data: bytes) -> Catalog:
    """The catalogue (or template) ``data``, read from ``path``; ``CareleafError`` at its
    line if it is not a valid one."""
    # Imported here: a build with nothing to do reads no catalogue.
    from babel.messages.pofile import PoFileError, read_po

    try:
        return read_po(data.splitlines(keepends=True), abort_invalid=True)
    except PoFileError as exc:
        raise CareleafError(Diagnostic(Location(path, exc.lineno),
                                       f"not a valid message catalogue: {exc}")) from None
    except (ValueError, UnicodeDecodeError, LookupError) as exc:
        raise CareleafError(Diagnostic(Location(path), "not a valid message catalogue: "
                                       f"{exc}")) from None


def _translations(catalogue: Catalog) -> dict[str, str]:
    """Every usable translation: a fuzzy one is a guess a translator has not confirmed."""
    return {message.id: message.string for message in catalogue
            if isinstance(message.id, str) and message.id and isinstance(message.string, str)
            and message.string.strip() and not message.fuzzy}


def _check_placeholders(path: Path, catalogue: Catalog, translations: dict[str, str],
                        wanted: set[str], report: Report) -> None:
    """A translation must fill in the same ``{name}``s as its message id, or the page
    number (or date, or phone number) would go missing from the leaflet."""
    for message in catalogue:
        msgid = message.id
        if not isinstance(msgid, str) or msgid not in wanted or msgid not in translations:
            continue
        expected = _fields(msgid)
        if _fields(translations[msgid]) != expected:
            names = " and ".join(f"{{{name}}}" for name in sorted(expected or ()))
            report.error(path, message.lineno, f"the translation of {_quoted(msgid)} must "
                         + (f"use {names}, like the original" if names
                            else "use no {name}: the original has none"))


def _fields(text: str) -> set[str] | None:
    """The ``{name}``s of ``text``; None if its braces are unbalanced."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None
