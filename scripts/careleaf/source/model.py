"""The typed document model: what a leaflet is once its source has been read.

Everything downstream (templates, formats, the completeness check) works from
these frozen dataclasses, never from raw YAML or Markdown. Each piece carries the
source line it came from, so any later stage can point a writer at the exact
place in the file. HTML fragments are ``Markup`` (already safe, rendered by the
Markdown stage) so templates autoescape everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from markupsafe import Markup

from careleaf.i18n import languages
from careleaf.i18n.languages import Direction, Language

#: Sections every leaflet must have, and what one of their items is called in messages.
REQUIRED_SECTIONS = {"causes": "cause", "treatment": "treatment"}


@dataclass(frozen=True)
class Reference:
    """One entry of ``sources:``: where the leaflet's facts come from."""

    title: str
    url: str | None = None


@dataclass(frozen=True)
class Image:
    """An image used in the body: ``src`` is the project-relative POSIX path."""

    src: str
    path: Path
    alt: str
    line: int


@dataclass(frozen=True)
class Block:
    """One run of text a reader sees, with where it is: for quality checks and reports.

    ``kind`` is ``paragraph``, ``list_item``, ``heading`` (with its ``level``),
    ``table_cell`` or ``code``. Lines ``line``..``end_line`` of the source hold it.
    """

    text: str
    kind: str
    line: int
    end_line: int
    level: int = 0

    @property
    def is_prose(self) -> bool:
        """Sentences a reader reads: scored and linted (not headings, cells or code)."""
        return self.kind in ("paragraph", "list_item")


@dataclass(frozen=True)
class Item:
    """One ``###`` entry of a section: a single cause or a single treatment."""

    id: str
    title: str
    title_html: Markup
    body_html: Markup
    #: Plain text of each paragraph or list entry, in order: what a reader must find.
    blocks: tuple[str, ...]
    line: int
    #: The same text as ``blocks`` (and any sub-headings), each with its kind and lines.
    located: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Section:
    """One ``##`` section: an optional introduction, then its items."""

    id: str
    title: str
    title_html: Markup
    intro_html: Markup
    intro_blocks: tuple[str, ...]
    items: tuple[Item, ...]
    line: int
    located: tuple[Block, ...] = ()

    @property
    def item_kind(self) -> str:
        return REQUIRED_SECTIONS.get(self.id, "item")


@dataclass(frozen=True)
class Leaflet:
    """A whole leaflet: front matter, overview and sections, with its source path."""

    path: Path
    lang: str
    id: str
    title: str
    summary: str
    version: str
    reviewed: date
    next_review: date
    sources: tuple[Reference, ...]
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    overview_html: Markup
    overview_blocks: tuple[str, ...]
    sections: tuple[Section, ...]
    images: tuple[Image, ...]
    #: ``layouts:`` from the front matter (and its line): only these layouts, if given.
    layouts: tuple[str, ...] | None = None
    layouts_line: int | None = None
    overview_located: tuple[Block, ...] = ()
    #: For a translation: the original's language (``source/<it>/<same id>.md``) and the
    #: original's ``version`` it was made from.
    translation_of: str | None = None
    original_version: str | None = None
    #: Document control: ``draft`` (no ``status``, or ``status: draft``) is built for
    #: review, with a mark on every page, and never published; ``approved`` names its
    #: owner, who approved it and when (the front matter requires them).
    status: str = "draft"
    owner: str | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    #: Line of each front-matter key, for messages about dates, sources and the like.
    key_lines: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    #: The line of each of ``keywords``.
    keyword_lines: tuple[int, ...] = field(default=(), hash=False, compare=False)
    #: The SHA-256 (hex) of the bytes it was loaded from ("" for a text not read from its
    #: file, such as a version from git): what the build records its facts against, so
    #: that they are never taken for those of bytes read before or after it was loaded.
    digest: str = field(default="", hash=False, compare=False)

    @property
    def is_draft(self) -> bool:
        """Not approved: built with a DRAFT mark for review, never offered to patients."""
        return self.status != "approved"

    def wants(self, layout_name: str) -> bool:
        return self.layouts is None or layout_name in self.layouts

    @property
    def key(self) -> str:
        """``<lang>/<id>``: unique within a project."""
        return f"{self.lang}/{self.id}"

    @property
    def language(self) -> Language:
        """What the language tag says about script, direction, hyphenation and fonts."""
        return languages.language(self.lang)

    @property
    def direction(self) -> Direction:
        """``rtl`` for a right-to-left language (Arabic, Hebrew…), else ``ltr``."""
        return self.language.direction

    @property
    def original_path(self) -> Path | None:
        """For a translation, the original's source: same id, the original's folder."""
        if self.translation_of is None:
            return None
        return self.path.parent.parent / self.translation_of / self.path.name

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)
