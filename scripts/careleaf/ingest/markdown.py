"""The draft source: a ``Draft`` written as careleaf Markdown with front matter.

The front matter says what the document said (title, summary, authors) and where it
came from (``sources:``, with the import date), with ``version: "0.1"`` and
``status: draft``. ``reviewed`` and ``next_review`` are left as comments for the
editor: careleaf's loader reports ``missing required key 'reviewed'`` until they are
set, so a draft nobody reviewed can be neither built nor published by accident.

Every heading gets an explicit ``{#id}`` (ids stay put when the editor rewords a
heading), each paragraph is one line, and Markdown's special characters in the text
are escaped so that the words come back as they were. ``render`` also says at which
line each section and item starts, for the warnings and the report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from careleaf.ingest.structure import Draft, DraftSection, Text

#: The comment lines that stand for the review dates, and what ``with_review_dates``
#: puts in their place (on the same line, so line numbers stay the same).
REVIEWED = "# reviewed: YYYY-MM-DD      (set when a clinician has reviewed it, remove the #)"
NEXT_REVIEW = "# next_review: YYYY-MM-DD   (when it must be reviewed again, after 'reviewed')"
#: Characters that are Markdown anywhere in a line (emphasis, links, code, HTML,
#: entities, heading ids, strikethrough, tables) and a backslash before them.
_INLINE = re.compile(r"([\\`*_\[\]<>&{}~|])")
#: What would make a line start a heading, quote, list or thematic break.
_LINE_START = re.compile(r"^(#|>|[-+=]|\d+[.)])")


@dataclass(frozen=True)
class Written:
    """The draft's text and the line each section and item heading is on."""

    text: str
    #: ``section-id`` or ``section-id/item-id`` -> line number in ``text``.
    lines: dict[str, int]


def render(draft: Draft, today: date) -> Written:
    """The draft source for ``draft``, imported on ``today``."""
    lines = _front_matter(draft, today)
    lines.extend(_texts(draft.overview) or [""])
    where: dict[str, int] = {}
    for section in draft.sections:
        _section(section, lines, where)
    return Written("\n".join(lines).rstrip("\n") + "\n", where)


def _front_matter(draft: Draft, today: date) -> list[str]:
    lines = ["---", f"title: {_quoted(draft.title)}", f"summary: {_quoted(draft.summary)}",
             'version: "0.1"', "status: draft", REVIEWED, NEXT_REVIEW, "sources:"]
    origin = draft.document.origin or draft.document.path.name
    imported = f"imported {today.isoformat()}"
    if origin.startswith(("http://", "https://")):
        lines += [f"  - title: {_quoted(f'{draft.title} ({imported})')}",
                  f"    url: {_quoted(origin)}"]
    else:
        lines.append(f"  - {_quoted(f'{origin} ({imported})')}")
    if draft.document.authors:
        lines += ["authors:", *(f"  - {_quoted(author)}" for author in draft.document.authors)]
    return [*lines, "---"]


def _section(section: DraftSection, lines: list[str], where: dict[str, int]) -> None:
    lines += ["", f"## {_heading(section.title)} {{#{section.id}}}"]
    where[section.id] = len(lines)
    lines += _texts(section.intro)
    for item in section.items:
        lines += ["", f"### {_heading(item.title)} {{#{item.id}}}"]
        where[f"{section.id}/{item.id}"] = len(lines)
        lines += _texts(item.blocks)


def _texts(texts: tuple[Text, ...]) -> list[str]:
    """Paragraphs, each one line after a blank line; list entries one ``- `` line each."""
    lines: list[str] = []
    previous = ""
    for text in texts:
        if text.kind == "paragraph" or previous != "item":
            lines.append("")
        lines.append(f"- {escape(text.text)}" if text.kind == "item" else _line(text.text))
        previous = text.kind
    return lines


def _line(text: str) -> str:
    escaped = escape(text)
    return f"\\{escaped}" if _LINE_START.match(escaped) else escaped


def escape(text: str) -> str:
    """``text`` with every character Markdown would read as markup escaped."""
    return _INLINE.sub(r"\\\1", text)


def _heading(title: str) -> str:
    # A '#' opening the heading text is fine after '## '; the rest is escaped as text.
    return escape(title).strip() or "Untitled"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is one)."""
    return json.dumps(text, ensure_ascii=False)


def with_review_dates(text: str, reviewed: date) -> str:
    """``text`` with the review-date comments replaced by dates, line for line: the
    draft as the loader would see it once reviewed (for measuring it, never written)."""
    next_review = reviewed.replace(year=reviewed.year + 1) if not (
        reviewed.month == 2 and reviewed.day == 29) else reviewed.replace(
        year=reviewed.year + 1, day=28)
    return text.replace(REVIEWED, f"reviewed: {reviewed.isoformat()}", 1).replace(
        NEXT_REVIEW, f"next_review: {next_review.isoformat()}", 1)
