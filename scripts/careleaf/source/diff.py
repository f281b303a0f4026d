"""Diff: what changed between two versions of a leaflet, by section and item id.

``compare`` takes two loaded ``Leaflet`` models (an earlier version and today's) and
says, by id, which items and sections were added, removed, moved or changed, with a
word-level diff of the text that changed, and which front-matter keys changed. Ids
are what a writer, a reviewer and a translator share across versions and languages,
so they, not line numbers, are what a change is reported against. An item has
*moved* when it is now in another section, or when its place among the items both
versions have in the section changed (an item added before it does not move it).
``diff_report`` turns the result into text, HTML and JSON.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from markupsafe import Markup

from careleaf.source.model import Item, Leaflet, Reference, Section

Op = Literal["same", "removed", "added"]
#: A front-matter value as JSON has it: text, a list, a source as a mapping, or unset.
Plain = str | None | list["Plain"] | dict[str, "Plain"]


@dataclass(frozen=True)
class Words:
    """One run of a word-level diff: words both versions have, or only the old or the new
    one. ``text`` keeps the space or line break before each word."""

    op: Op
    text: str


@dataclass(frozen=True)
class Change:
    """What happened to the overview, a section or an item between the two versions."""

    #: ``overview``, ``section`` or ``item``.
    part: str
    #: The section's id (the new one's, or the old one's when it was removed); for the
    #: overview, empty.
    section: str
    #: The item's id; empty for a section or the overview.
    item: str
    title: str
    #: Any of ``added``, ``removed``, ``moved``, ``changed``, in that order.
    kinds: tuple[str, ...]
    #: The title and text, word by word: all ``added`` for an added part, all
    #: ``removed`` for a removed one.
    words: tuple[Words, ...]
    #: Where it is now (in the old text for a removed part).
    line: int | None
    #: For an item now in another section: the section it was in.
    moved_from: str | None = None
    #: Its text is the same but its formatting or a link changed.
    markup_only: bool = False

    @property
    def name(self) -> str:
        """``treatment/stretching``, ``treatment`` or ``overview``: how messages name it."""
        if self.part == "overview":
            return "overview"
        return f"{self.section}/{self.item}" if self.item else self.section


@dataclass(frozen=True)
class FieldChange:
    """A front-matter key whose value changed; ``None`` where the key is not written."""

    key: str
    old: Plain
    new: Plain
    #: The key's line in the new text (in the old one if it was removed).
    line: int | None


@dataclass(frozen=True)
class LeafletDiff:
    """Everything that changed from ``old`` to ``new``, in the order a report shows it:
    the overview, then each section of the new version with its items (and the items it
    lost), then the sections that were removed."""

    old: Leaflet
    new: Leaflet
    front_matter: tuple[FieldChange, ...]
    changes: tuple[Change, ...]

    @property
    def identical(self) -> bool:
        return not self.front_matter and not self.changes

    @property
    def items(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.part == "item")

    def count(self, kind: str) -> int:
        """How many items were ``kind`` (added, removed, moved or changed)."""
        return sum(kind in change.kinds for change in self.items)


def compare(old: Leaflet, new: Leaflet) -> LeafletDiff:
    """What changed from ``old`` to ``new`` (two versions of one leaflet)."""
    return LeafletDiff(old, new, tuple(front_matter_changes(old, new)),
                       tuple(_Comparison(old, new).run()))


def front_matter_changes(old: Leaflet, new: Leaflet) -> list[FieldChange]:
    """Every key written in either front matter whose value differs, in the new file's
    order: generic, so keys added to the front matter later are compared too."""
    keys = sorted(new.key_lines, key=new.key_lines.__getitem__)
    keys += sorted((key for key in old.key_lines if key not in new.key_lines),
                   key=old.key_lines.__getitem__)
    changes = []
    for key in keys:
        before, after = _value(old, key), _value(new, key)
        if before != after:
            line = new.key_lines.get(key, old.key_lines.get(key))
            changes.append(FieldChange(key, before, after, line))
    return changes


def _value(leaflet: Leaflet, key: str) -> Plain:
    if key not in leaflet.key_lines:
        return None
    return plain(getattr(leaflet, key, None))


def plain(value: object) -> Plain:
    """A front-matter value as JSON and the reports show it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Reference):
        return {"title": value.title, "url": value.url}
    if isinstance(value, tuple | list):
        return [plain(entry) for entry in value]
    return str(value)


def word_diff(old: Sequence[str], new: Sequence[str]) -> tuple[Words, ...]:
    """``new`` against ``old`` (each a list of lines: a title, paragraphs), word by word."""
    before, after = _tokens(old), _tokens(new)
    # Words compare without the space before them; a line break is a word of its own,
    # so a paragraph split in two is a change, and a changed first word stays on its line.
    matcher = difflib.SequenceMatcher(None, [t.strip() or t for t in before],
                                      [t.strip() or t for t in after], autojunk=False)
    runs: list[Words] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _add(runs, "same", after[j1:j2])
            continue
        _add(runs, "removed", before[i1:i2])
        _add(runs, "added", after[j1:j2])
    return tuple(runs)


def _tokens(lines: Sequence[str]) -> list[str]:
    """Each word with the space before it (none at the start of a line), and ``\n``
    between lines."""
    tokens: list[str] = []
    for number, line in enumerate(lines):
        words = line.split()
        tokens += ["\n"] if number else []
        tokens += [f" {word}" if index else word for index, word in enumerate(words)]
    return tokens


def _add(runs: list[Words], op: Op, tokens: Sequence[str]) -> None:
    if tokens:
        runs.append(Words(op, "".join(tokens)))


def _whole(op: Op, lines: Sequence[str]) -> tuple[Words, ...]:
    return (Words(op, "\n".join(lines)),) if lines else ()


def _stable(before: Iterable[str], after: Iterable[str]) -> set[str]:
    """The ids ``before`` and ``after`` both have that kept their order among them: the
    longest such run, as a reader sees it (one item swapped with the next moved, not both)."""
    before, after = list(before), list(after)
    old = [name for name in before if name in set(after)]
    new = [name for name in after if name in set(before)]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return {name for block in matcher.get_matching_blocks()
            for name in old[block.a : block.a + block.size]}


def _item_lines(item: Item) -> list[str]:
    return [item.title, *item.blocks]


def _section_lines(section: Section) -> list[str]:
    return [section.title, *section.intro_blocks]


@dataclass(frozen=True)
class _Edit:
    """Whether a part's text or markup differs, and its words, old against new."""

    words: tuple[Words, ...]
    changed: bool
    markup_only: bool

    @classmethod
    def of(cls, old: Sequence[str], new: Sequence[str], old_html: Sequence[Markup],
           new_html: Sequence[Markup]) -> _Edit:
        text = list(old) != list(new)
        # Same words, other markup: a link's address or emphasis changed, which a
        # reviewer must see too. Where a line was wrapped is not a change.
        markup = not text and _spaced(old_html) != _spaced(new_html)
        return cls(word_diff(old, new) if text else (), text or markup, markup)


def _spaced(fragments: Sequence[Markup]) -> list[str]:
    return [" ".join(fragment.split()) for fragment in fragments]


class _Comparison:
    """The two versions' sections and items, matched by id."""

    def __init__(self, old: Leaflet, new: Leaflet) -> None:
        self.old, self.new = old, new
        self.old_sections = {section.id: section for section in old.sections}
        self.new_sections = {section.id: section for section in new.sections}
        self.old_items = {item.id: (section, item) for section in old.sections
                          for item in section.items}
        self.new_items = {item.id for section in new.sections for item in section.items}
        self.stable_sections = _stable(self.old_sections, self.new_sections)

    def run(self) -> Iterator[Change]:
        edit = _Edit.of(self.old.overview_blocks, self.new.overview_blocks,
                        [self.old.overview_html], [self.new.overview_html])
        if edit.changed:
            first = self.new.overview_located[:1]
            yield Change("overview", "", "", "", ("changed",), edit.words,
                         first[0].line if first else None, markup_only=edit.markup_only)
        for section in self.new.sections:
            yield from self.section(section)
        for section in self.old.sections:
            if section.id not in self.new_sections:
                yield Change("section", section.id, "", section.title, ("removed",),
                             _whole("removed", _section_lines(section)), section.line)
                yield from self.removed_items(section)

    def section(self, section: Section) -> Iterator[Change]:
        """The section's own change (title, introduction, place), then its items'."""
        old = self.old_sections.get(section.id)
        if old is None:
            yield Change("section", section.id, "", section.title, ("added",),
                         _whole("added", _section_lines(section)), section.line)
        else:
            edit = _Edit.of(_section_lines(old), _section_lines(section),
                            [old.title_html, old.intro_html],
                            [section.title_html, section.intro_html])
            kinds = (*(("moved",) if section.id not in self.stable_sections else ()),
                     *(("changed",) if edit.changed else ()))
            if kinds:
                yield Change("section", section.id, "", section.title, kinds, edit.words,
                             section.line, markup_only=edit.markup_only)
        stable = _stable((item.id for item in old.items) if old else (),
                         (item.id for item in section.items))
        for item in section.items:
            change = self.item(section, item, stable)
            if change is not None:
                yield change
        if old is not None:
            yield from self.removed_items(old)

    def item(self, section: Section, item: Item, stable: set[str]) -> Change | None:
        if item.id not in self.old_items:
            return Change("item", section.id, item.id, item.title, ("added",),
                          _whole("added", _item_lines(item)), item.line)
        old_section, old = self.old_items[item.id]
        moved_from = old_section.id if old_section.id != section.id else None
        edit = _Edit.of(_item_lines(old), _item_lines(item), [old.title_html, old.body_html],
                        [item.title_html, item.body_html])
        kinds = (*(("moved",) if moved_from or item.id not in stable else ()),
                 *(("changed",) if edit.changed else ()))
        if not kinds:
            return None
        return Change("item", section.id, item.id, item.title, kinds, edit.words, item.line,
                      moved_from=moved_from, markup_only=edit.markup_only)

    def removed_items(self, old: Section) -> Iterator[Change]:
        for item in old.items:
            if item.id not in self.new_items:
                yield Change("item", old.id, item.id, item.title, ("removed",),
                             _whole("removed", _item_lines(item)), item.line)
