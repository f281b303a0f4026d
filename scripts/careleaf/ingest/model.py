"""What every reader makes of its input: a flat run of blocks, before any structure.

A reader knows its format (a web page's main content, a Word document's styles, a
PDF's font sizes, a text file's blank lines); it does not know what a leaflet is.
It hands ``structure`` a ``Document``: the title it found, who wrote it, where it came
from, each block of text in reading order with the place it came from (a line of a
text file, a page of a PDF, a paragraph of a document), and every piece of text it
dropped as debris, so the report can show that nothing disappeared silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item"]


@dataclass(frozen=True)
class Block:
    """One block of text in reading order.

    ``heading`` blocks have a ``level`` (1 is the document's title, 2 a section, 3 an
    item or sub-heading); ``item`` is an entry of a bulleted or numbered list;
    ``lead`` is a bold lead-in that opens a paragraph or list entry ("Rest." in
    "**Rest.** Stop running for a few days"), kept apart from ``text`` (the rest).
    ``text`` is plain text: whitespace collapsed, smart quotes kept, soft hyphens and
    hyphenated line breaks joined. ``where`` is a human place in the input, such as
    "line 14" or "page 2", for messages. ``anchor`` is an id the input gives a heading
    (a web page's ``<section id="rest">``, a PDF's named destination): kept as the
    section's or item's id, so a careleaf page imported back keeps its ids.
    """

    kind: BlockKind
    text: str
    level: int = 0
    lead: str = ""
    where: str = ""
    anchor: str = ""


@dataclass(frozen=True)
class Dropped:
    """Text a reader removed as debris, and why ("cookie banner", "navigation")."""

    text: str
    why: str
    where: str = ""


@dataclass(frozen=True)
class Document:
    """One input, read: what ``structure`` needs to make a draft of it."""

    path: Path
    #: ``text``, ``html``, ``docx`` or ``pdf``.
    kind: str
    blocks: tuple[Block, ...]
    title: str = ""
    authors: tuple[str, ...] = ()
    #: What the leaflet's ``sources:`` entry should name: the page's address when the
    #: input says it (a saved page's canonical URL), else the file's name.
    origin: str = ""
    #: The language the input says it is in (``<html lang>``, the document's
    #: properties), if any; ``--lang`` wins over it.
    lang: str = ""
    dropped: tuple[Dropped, ...] = field(default_factory=tuple)


class ImportProblem(Exception):
    """An input that cannot be imported: the message says why and what to do instead
    (``where`` is a place in the input, when there is one)."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.message, self.where = message, where
