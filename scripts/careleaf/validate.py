"""Rules that need the whole leaflet: required sections, items, ids, language.

Parsing (``frontmatter``, ``body``) reports what is wrong with a single key or
a single line; this stage checks how the parts fit together, and reports each
problem at the heading or key a writer has to change.
"""

from __future__ import annotations

from pathlib import Path

from careleaf.body import Body
from careleaf.errors import Report
from careleaf.frontmatter import FrontMatter
from careleaf.model import REQUIRED_SECTIONS


def validate(path: Path, lang: str, front: FrontMatter, body: Body, report: Report) -> None:
    if front.lang is not None and front.lang != lang:
        report.error(path, front.lines.get("lang"),
                     f"'lang' is '{front.lang}' but the file is in source/{lang}/")
    if not body.overview_blocks:
        report.error(path, body.overview_line, "the overview is missing: write a few "
                     "sentences before the first '##' heading")
    _check_translation_keys(path, lang, front, report)
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
