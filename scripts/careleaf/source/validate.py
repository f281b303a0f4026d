"""Rules that need the whole leaflet: required sections, items, ids, language, characters.

Parsing (``frontmatter``, ``body``) reports what is wrong with a single key or
a single line; this stage checks how the parts fit together, and reports each
problem at the heading or key a writer has to change.

It also refuses characters a reader cannot see. The front matter's values and the
headings become metadata (the ebook's, the OPDS catalogue's, the site's titles, the
tables of contents), so there any invisible format character (Unicode category Cf)
or control character is an error, except those scripts need: ZWNJ and ZWJ, the
direction marks LRM, RLM and ALM, and the visible prepended concatenation marks
(U+0600 ARABIC NUMBER SIGN ...). Direction controls (embeddings, overrides,
isolates: U+202A to U+202E, U+2066 to U+2069) are an error anywhere in the file: an
override shows the text after it reversed, so readers would see something other
than what was written and checked (a "Trojan source"). In the body's text, other
invisible format characters are a warning, except soft hyphens, zero-width spaces
and word joiners, which say where a line may break. Characters written as HTML
entities (``&#x202E;``) count as themselves, as Markdown turns them into them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from careleaf.errors import Report
from careleaf.source.body import Body
from careleaf.source.model import REQUIRED_SECTIONS

if TYPE_CHECKING:
    from careleaf.source.frontmatter import FrontMatter

#: Direction controls no writer types: embeddings, the pop that ends them, overrides
#: and isolates. LRM, RLM and ALM are not among them: Arabic and Hebrew need them.
DIRECTION_CONTROLS = frozenset(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A))))
#: Overrides: the text after them is shown in reverse order.
OVERRIDES = frozenset("\u202d\u202e")
#: Format characters scripts need: ZWNJ and ZWJ (Persian, Indic scripts, emoji), the
#: marks LRM, RLM and ALM, and the prepended concatenation marks, which are visible.
NEEDED_FORMAT = frozenset("\u200c\u200d\u200e\u200f\u061c\u0600\u0601\u0602\u0603\u0604"
                          "\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd")
#: In the body's text also: soft hyphen, zero-width space and word joiner, which say
#: where a line may or may not break (Thai, Khmer and long words need them).
BODY_FORMAT = NEEDED_FORMAT | frozenset("\u00ad\u200b\u2060")
#: A character text may hide: anything but printable ASCII and line breaks (and in
#: Markdown, an HTML entity, which Markdown turns into its character).
_UNUSUAL = re.compile(r"[^\t\n\r\x20-\x7e]")
_UNUSUAL_OR_ENTITY = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});|[^\t\n\r\x20-\x7e]")


def validate(path: Path, lang: str, front: FrontMatter, body: Body, report: Report) -> None:
    if front.lang is not None and front.lang != lang:
        report.error(path, front.lines.get("lang"),
                     f"'lang' is '{front.lang}' but the file is in source/{lang}/")
    if not body.overview_blocks:
        report.error(path, body.overview_line, "the overview is missing: write a few "
                     "sentences before the first '##' heading")
    _check_translation_keys(path, lang, front, report)
    for key, line, text in front.texts:
        if (problem := metadata_character_problem(text, "character")) is not None:
            report.error(path, line, f"'{key}' has {problem}")
    _check_sections(path, body, report)
    _check_unique_ids(path, body, report)


def _check_translation_keys(path: Path, lang: str, front: FrontMatter, report: Report) -> None:
    """``translation_of`` and ``original_version`` come as a pair (``translations`` then
    compares the two files); a key with a wrong value was reported when it was parsed."""
    lines = front.lines
    if front.translation_of == lang:
        report.error(path, lines.get("translation_of"), f"'translation_of' is {lang}, the "
                     "language of this file; name the language of the original it translates")
    if "translation_of" in lines and "original_version" not in lines:
        report.error(path, lines["translation_of"], "a translation needs 'original_version': "
                     "the original's 'version' it was made from, e.g. original_version: \"1.0\"")
    if "original_version" in lines and "translation_of" not in lines:
        report.error(path, lines["original_version"], "'original_version' is only for a "
                     "translation: add 'translation_of' (the original's language) or remove it")


def _check_sections(path: Path, body: Body, report: Report) -> None:
    ids = [section.id for section in body.sections]
    for section_id, kind in REQUIRED_SECTIONS.items():
        if section_id not in ids:
            report.error(path, body.overview_line,
                         f"the '{section_id}' section is missing: add a heading "
                         f"'## ... {{#{section_id}}}' with one '###' heading per {kind}")
    for section in body.sections:
        if section.id in REQUIRED_SECTIONS and not section.items:
            report.error(path, section.line, f"section '{section.id}' has no items: give each "
                         f"{section.item_kind} its own '###' heading")
        for item in section.items:
            if not item.blocks:
                report.error(path, item.line, f"{section.item_kind} '{item.id}' has no text: "
                             "write at least one sentence under its heading")


def _check_unique_ids(path: Path, body: Body, report: Report) -> None:
    seen: dict[str, int] = {}
    for section in body.sections:
        for element_id, line in ((section.id, section.line),
                                 *((item.id, item.line) for item in section.items)):
            if not element_id:
                continue
            if element_id in seen:
                report.error(path, line, f"duplicate id '{element_id}' (already used at line "
                             f"{seen[element_id]}); give this heading its own {{#id}}")
            else:
                seen[element_id] = line


# --- characters ------------------------------------------------------------------------


def check_characters(path: Path, text: str, first_line: int, body: Body, report: Report
                     ) -> None:
    """The body's characters, line by line: headings as strictly as the front matter,
    direction controls everywhere, other invisible characters warned about."""
    headings = _heading_lines(body)
    for number, line in enumerate(text.split("\n"), start=first_line):
        if number in headings:
            if (problem := metadata_character_problem(line, "column", True)) is not None:
                report.error(path, number, f"the heading has {problem}")
            continue
        found = list(_characters(line, markdown=True))
        controls = [(column, char) for column, char in found if char in DIRECTION_CONTROLS]
        if controls:
            effect = _effect(controls[0][1])
            report.error(path, number, f"{_located(controls, 'column')}, {effect}; delete it")
        elif hidden := [(column, char) for column, char in found if _hidden_in_body(char)]:
            report.warning(path, number, _located(hidden, "column") + " is an invisible "
                           "formatting character; delete it unless it is there on purpose")


def metadata_character_problem(text: str, unit: str, markdown: bool = False) -> str | None:
    """What is wrong with ``text`` as metadata (a title, a heading line in ``markdown``):
    ``U+202E RIGHT-TO-LEFT OVERRIDE at character 5, which ...; delete it``; or None."""
    found = [(column, char) for column, char in _characters(text, markdown)
             if _hidden_in_metadata(char)]
    if not found:
        return None
    return f"{_located(found, unit)}, {_effect(found[0][1])}; delete it"


def _heading_lines(body: Body) -> set[int]:
    lines = {section.line for section in body.sections}
    lines.update(item.line for section in body.sections for item in section.items)
    located = [*body.overview_located,
               *(block for section in body.sections for block in section.located),
               *(block for s in body.sections for item in s.items for block in item.located)]
    return lines | {block.line for block in located if block.kind == "heading"}


def _characters(text: str, markdown: bool) -> Iterator[tuple[int, str]]:
    """Each character of ``text`` that may be invisible, with its 1-based column."""
    for match in (_UNUSUAL_OR_ENTITY if markdown else _UNUSUAL).finditer(text):
        for char in html.unescape(match[0]) if match[0].startswith("&") else match[0]:
            yield match.start() + 1, char


def _hidden_in_metadata(char: str) -> bool:
    category = unicodedata.category(char)
    return char in DIRECTION_CONTROLS or (category == "Cf" and char not in NEEDED_FORMAT) or (
        category == "Cc" and char not in "\t\n\r")


def _hidden_in_body(char: str) -> bool:
    return unicodedata.category(char) == "Cf" and char not in BODY_FORMAT


def _located(found: list[tuple[int, str]], unit: str) -> str:
    """``U+200B ZERO WIDTH SPACE at column 7``, and how many more there are."""
    column, char = found[0]
    name = unicodedata.name(char, "") or "(a control character)"
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"U+{ord(char):04X} {name} at {unit} {column}{more}"


def _effect(char: str) -> str:
    if char in OVERRIDES:
        return ("which shows the text after it in reverse order, so readers would not see "
                "what was written and checked")
    if char in DIRECTION_CONTROLS:
        return ("which changes the direction of the text around it (to put a full stop or "
                "a bracket on the right side, use U+200F RIGHT-TO-LEFT MARK or U+200E "
                "LEFT-TO-RIGHT MARK)")
    return "an invisible character, which would hide in titles, contents lists and search"
