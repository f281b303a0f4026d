"""Structure recovery: a reader's flat run of blocks becomes a leaflet's draft.

- **Sections** start at ``##`` headings (level 2; a level-1 heading after the title
  too, as a Word document's Heading 1s). A heading is recognised as a known section
  (``causes``, ``treatment``, ``see-a-doctor``, ``symptoms``) from its words in the
  leaflet's language: the project's extra words (``[tool.careleaf.import.headings.
  <lang>]``) first, then ``i18n.sections``' lists, matched the same tolerant way. Any
  other heading is kept as a plain section with an id made from its words: nothing is
  dropped.
- **Items** come from ``###`` headings; in a section with none, from bold lead-ins
  ("**Rest.** Stop…") and, under ``causes`` and ``treatment``, from list entries (one
  item per entry, titled by its lead or its first words). A list or lead-in under a
  ``###`` heading is that item's text (careleaf's "Stretching" item and its list). A
  ``causes`` or ``treatment`` section of paragraphs only is kept as the section's
  introduction and flagged (``no_items``): the editor must split it, since only a
  person can tell where one cause ends and the next begins.
- **Ids**: a known section's id for a section recognised by its words, else the
  input's anchor when it gives one (a careleaf page imported back keeps its ids), else
  made from the title; unique within the leaflet and at most ``MAX_ID_LENGTH``
  characters.
- **Title**: the input's, else the first heading when it is a level-1 one (never a
  section, with or without text above it, such as a PDF's letterhead), else the
  subject of the first known section's heading ("Common Causes of *Chronic Muscle
  Spasms*"), else the file's name; ``title_from`` says which, for the report. The
  **summary** is the first sentence of the first paragraph under the title (careleaf
  prints a leaflet's summary there), else of the first paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from careleaf.check.readability import split_sentences
from careleaf.i18n.sections import known_section, words
from careleaf.ingest.model import Block, Document, Dropped
from careleaf.project import MAX_ID_LENGTH
from careleaf.source.body import slug

#: Sections whose entries are items: one ``###`` per cause, one per treatment.
ITEM_SECTIONS = {"causes": "cause", "treatment": "treatment"}
#: An item title made from an entry's first words has at most this many.
TITLE_WORDS = 6
#: Words that introduce a heading's subject: "Causes *of* X", "Treatment *for* X".
_SUBJECT = re.compile(r"\b(?:of|for|de|del|para)\s+(.+)$", re.IGNORECASE)

Extra = Mapping[str, Mapping[str, tuple[str, ...]]]


@dataclass(frozen=True)
class Text:
    """A paragraph or a list entry of the draft, and where it came from."""

    kind: Literal["paragraph", "item"]
    text: str
    where: str = ""


@dataclass(frozen=True)
class DraftItem:
    id: str
    title: str
    blocks: tuple[Text, ...]
    where: str = ""


@dataclass(frozen=True)
class DraftSection:
    id: str
    title: str
    #: The known section it was recognised as ("causes"), or "" for a plain section.
    known: str
    intro: tuple[Text, ...]
    items: tuple[DraftItem, ...]
    where: str = ""

    @property
    def no_items(self) -> bool:
        """A section that needs items (causes, treatment) and has none, only text."""
        return self.id in ITEM_SECTIONS and not self.items

    @property
    def words(self) -> int:
        texts = [*self.intro, *(t for item in self.items for t in item.blocks)]
        return sum(len(t.text.split()) for t in texts)


@dataclass(frozen=True)
class Draft:
    title: str
    summary: str
    overview: tuple[Text, ...]
    sections: tuple[DraftSection, ...]
    lang: str
    document: Document
    #: Where the title came from: "the document", "its first heading", "the heading
    #: 'Common Causes of …'" or "the file name".
    title_from: str = "the document"
    dropped: tuple[Dropped, ...] = field(default_factory=tuple)


def structure(document: Document, lang: str, extra: Extra | None = None) -> Draft:
    """The draft of ``document`` in ``lang``, with ``extra`` heading words per language."""
    blocks = list(document.blocks)
    title, title_from = document.title, "the document"
    heading = _title_heading(blocks)
    before = blocks.index(heading) if heading is not None else 0
    if heading is not None:
        # The title (again, when the input's metadata gave it): never a section.
        blocks.remove(heading)
        if not title:
            title, title_from = heading.text, "its first heading"
    overview, groups = _split(blocks)
    ids = _Ids()
    sections = tuple(_section(heading, body, lang, extra or {}, ids) for heading, body in groups)
    if not title:
        title, title_from = _fallback_title(document, sections)
    # Text above the title is a letterhead; a leaflet's summary is set under its title.
    under = overview[before:] if any(t.kind == "paragraph" for t in overview[before:]) else overview
    summary = _summary(under, sections, lang)
    return Draft(title=title, summary=summary, overview=_without(overview, summary),
                 sections=sections, lang=lang, document=document, title_from=title_from,
                 dropped=document.dropped)


def _without(overview: tuple[Text, ...], summary: str) -> tuple[Text, ...]:
    """The overview less a paragraph that is the summary and nothing more (careleaf sets a
    leaflet's summary as its own line under the title): said once, in the front matter.
    A longer first paragraph stays whole; an overview of nothing else stays as it is."""
    same = next((t for t in overview if t.kind == "paragraph"
                 and t.text.strip() == summary.strip()), None)
    rest = [t for t in overview if t is not same]
    return tuple(rest) if same is not None and any(t.kind == "paragraph" for t in rest) \
        else overview


def _title_heading(blocks: list[Block]) -> Block | None:
    """The title's heading: the first heading, when it is a level-1 one. Text above it
    (a letterhead, a PDF's kicker) does not make it a section; level-1 headings after
    it do start sections (a Word document's Heading 1s often are its sections)."""
    first = next((b for b in blocks if b.kind == "heading"), None)
    return first if first is not None and first.level == 1 else None


def _split(blocks: list[Block]) -> tuple[tuple[Text, ...], list[tuple[Block, list[Block]]]]:
    """The overview (blocks before the first section heading) and each section's blocks."""
    overview: list[Text] = []
    groups: list[tuple[Block, list[Block]]] = []
    for block in blocks:
        # A heading starts a section at level 2, or at any level before the first one.
        if block.kind == "heading" and (block.level <= 2 or not groups):
            groups.append((block, []))
        elif groups:
            groups[-1][1].append(block)
        else:
            overview.append(_text(block))
    return tuple(overview), groups


def _text(block: Block) -> Text:
    """A paragraph or entry as text; a lead-in it had is kept in front of it."""
    text = f"{block.lead} {block.text}".strip() if block.lead else block.text
    return Text("item" if block.kind == "item" else "paragraph", text, block.where)


def _section(heading: Block, body: list[Block], lang: str, extra: Extra,
             ids: _Ids) -> DraftSection:
    known = recognise(heading.text, lang, extra) or ""
    # A section recognised by its words takes careleaf's id (a web page's "#relief" is
    # the treatment section); the input's own id names any other section.
    wanted = (known if known and known not in ids.used else "") or heading.anchor
    section_id = ids.take(wanted or slug(heading.text), "section")
    intro, items = _items(body, section_id in ITEM_SECTIONS, ids)
    return DraftSection(section_id, heading.text, known, intro, items, heading.where)


def recognise(heading: str, lang: str, extra: Extra) -> str | None:
    """The known section ``heading`` reads as in ``lang``: the project's words first."""
    folded = words(heading)
    for language in (lang, lang.split("-")[0]):
        for section_id, phrasings in extra.get(language, {}).items():
            if any(_in_order(words(p), folded) for p in phrasings):
                return section_id
    return known_section(heading, lang)


def _in_order(phrasing: tuple[str, ...], heading: tuple[str, ...]) -> bool:
    remaining = iter(heading)
    # ``in`` consumes the iterator up to each match, so the words must come in order.
    return bool(phrasing) and all(word in remaining for word in phrasing)


def _items(body: list[Block], entries_are_items: bool, ids: _Ids
           ) -> tuple[tuple[Text, ...], tuple[DraftItem, ...]]:
    """A section's introduction and items: from ``###`` headings when it has any (a
    lead-in or list under one is that item's text), else from lead-ins and (where
    ``entries_are_items``) list entries; text after an item belongs to it."""
    intro: list[Text] = []
    items: list[tuple[str, str, str, list[Text]]] = []  # id, title, where, texts
    headed = any(block.kind == "heading" for block in body)
    for block in body:
        if block.kind == "heading":
            items.append((ids.take(block.anchor or slug(block.text), "item"), block.text,
                          block.where, []))
        elif not headed and (block.lead or (entries_are_items and block.kind == "item")):
            title, rest = _entry_title(block)
            items.append((ids.take(block.anchor or slug(title), "item"), title, block.where,
                          [Text("paragraph", rest, block.where)] if rest else []))
        else:
            (items[-1][3] if items else intro).append(_text(block))
    return tuple(intro), tuple(DraftItem(i, t, tuple(texts), w) for i, t, w, texts in items)


def _entry_title(block: Block) -> tuple[str, str]:
    """An item's title and text from a lead-in or list entry: "**Rest.** Stop running"
    gives ("Rest", "Stop running"); "Overuse: too much exercise" gives ("Overuse", "too
    much exercise"); else its first words, with the whole entry kept as its text."""
    if block.lead:
        return block.lead.rstrip(" .:;,-\u2013\u2014"), block.text
    head, colon, rest = block.text.partition(": ")
    if colon and len(head.split()) <= TITLE_WORDS:
        return head, rest
    first = re.split(r"[,.;:!?()\u2013\u2014]| - ", block.text, maxsplit=1)[0].split()
    short = " ".join(first[:TITLE_WORDS])
    return short + ("…" if len(first) > TITLE_WORDS else ""), block.text


def _summary(overview: tuple[Text, ...], sections: tuple[DraftSection, ...], lang: str) -> str:
    """The first sentence of the first paragraph (the overview's, else any section's)."""
    texts = [*overview, *(t for s in sections for t in (*s.intro, *(
        b for item in s.items for b in item.blocks)))]
    first = next((t.text for t in texts if t.kind == "paragraph"), "")
    sentences = split_sentences(first, lang.split("-")[0])
    return sentences[0].strip() if sentences else first


def _fallback_title(document: Document, sections: tuple[DraftSection, ...]) -> tuple[str, str]:
    """A title when the document has none: the subject of its first known section's
    heading ("Common Causes of Chronic Muscle Spasms" -> "Chronic muscle spasms")."""
    for section in sections:
        if section.known and (match := _SUBJECT.search(section.title)):
            subject = match.group(1).strip(" ?!.")
            # Title case undone, but not for abbreviations ("HIV") that stay capitals.
            kept = [w if w.isupper() and len(w) > 1 else w.lower() for w in subject.split()]
            title = " ".join(kept)
            return title[0].upper() + title[1:], f"the heading '{section.title}'"
    name = re.sub(r"[_-]+", " ", document.path.stem).strip() or "Imported leaflet"
    return name[0].upper() + name[1:], "the file name"


class _Ids:
    """Ids handed out so far: each new one unique and at most ``MAX_ID_LENGTH`` long."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.counts = {"section": 0, "item": 0}

    def take(self, wanted: str, kind: str) -> str:
        self.counts[kind] += 1
        base = short_id(wanted) or f"{kind}-{self.counts[kind]}"
        candidate, number = base, 1
        while candidate in self.used:
            number += 1
            candidate = f"{short_id(base, len(str(number)) + 1)}-{number}"
        self.used.add(candidate)
        return candidate


def short_id(text: str, reserve: int = 0) -> str:
    """``text`` as an id of at most ``MAX_ID_LENGTH - reserve`` characters, cut between words."""
    made = slug(text)
    limit = MAX_ID_LENGTH - reserve
    if len(made) <= limit:
        return made
    cut = made[: limit + 1].rpartition("-")[0] or made[:limit]
    return cut.strip("-")
