"""Reading order of right-to-left text, for text read back from a PDF.

A PDF draws each line left to right, glyph by glyph, so the text read from it is
in visual order: an Arabic line comes out backwards, with the Latin words and the
numbers inside it forwards. The Unicode Bidirectional Algorithm (UAX #9), which
the typesetter (Pango) applied to lay the line out, also turns it back: its rules
give each character of the visual line a level, and reversing the runs of odd
and higher levels (rule L2) restores the order the text was written in.

The levels come from the whole algorithm (rules P2 to I2) as the Rust crate
``unicode-bidi`` of the Servo project implements it: explicit embeddings and
overrides, isolates (LRI, RLI, FSI … PDI), weak and neutral types, bracket pairs
(N0), implicit levels. Rules L1 (trailing spaces) and L3 and L4 (marks, mirrored
brackets) change no word's place and are not applied. It is reached through PyPI's
``python-bidi``, whose Rust binding gives them only in its debug dump (``debug=True``:
"return the calculated levels", one per UTF-8 byte), which ``_levels`` parses and
checks; its display function reorders characters, not the glyphs (a ligature is one
glyph for several characters) that ``logical_order`` must move, so rule L2 is
``reorder`` here. The paragraph direction is given (the document's language tells
it), not guessed.

Some lines read back ambiguously. Inside Arabic, ``500 mg`` and ``mg 500`` look
exactly alike (two left-to-right runs, placed right to left, read as one), so
the visual line cannot tell which one was written. ``reading_order`` resolves
this the only sound way: it takes any text through the same round trip (lay out,
then read back), so the source and the read-back PDF agree on one order. Text the
template isolates (a phone number in ``dir="ltr"``) is laid out in that round trip
as isolated (``isolated``: between LRI and PDI), and read back as the page shows it,
without the isolate, which the page does not print either.

``logical_order(..., ltr_numbers=True)`` reads a line as a person reads it: each run
of Latin letters and digits (with the spaces and punctuation inside it) left to
right as it stands, whatever its neighbours: how a phone number, a postcode or an
address reads when it is whole, in any context.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

#: Classes that can move text in a left-to-right paragraph.
_MOVING = {"R", "AL", "AN"}
#: Explicit formatting characters and direction marks: they steer the layout and
#: print nothing, so a page read back has none (rule X9 and the marks LRM, RLM, ALM).
INVISIBLE = frozenset(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                0x200E, 0x200F, 0x061C)))
#: The left-to-right and right-to-left isolates, and the end of an isolate.
LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
#: The debug dump of python-bidi's Rust binding: ``levels: [ Level(1,), … ],``.
_LEVELS = re.compile(r"\n    levels: \[\n(.*?)\n    \],\n", re.S)
_LEVEL = re.compile(r"Level\(\s*(\d+),\s*\)")
#: What a unit with no character is taken for: a neutral (Object Replacement Character).
_NEUTRAL = "\ufffc"


def moves(text: str, rtl: bool) -> bool:
    """True if the algorithm could reorder anything in ``text`` (else it is in order)."""
    moving = _MOVING | {"EN"} if rtl else _MOVING
    return any(unicodedata.bidirectional(char) in moving for char in text)


def direction(text: str) -> str | None:
    """``ltr`` or ``rtl``, the direction of ``text``'s first strong character (what
    ``dir="auto"`` picks); None if it has none (digits and punctuation only)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


def isolated(text: str, text_direction: str) -> str:
    """``text`` between the isolate marks that lay it out in ``text_direction``
    whatever surrounds it: what ``<span dir="...">`` does to it on the page."""
    return f"{LRI if text_direction == 'ltr' else RLI}{text}{PDI}"


def reading_order(text: str, rtl: bool, *, ltr_numbers: bool = False) -> str:
    """``text`` as it reads back from a page that shows it in a ``rtl`` (or ltr) paragraph.

    For text with nothing to reorder, this is ``text`` itself; otherwise it is laid
    out and read back (``logical_order``, with ``ltr_numbers``), which leaves
    right-to-left words where they were and puts each run of left-to-right words and
    numbers in the order the eye reads it. Embeddings, overrides, isolates and marks
    in ``text`` steer the layout; the text read back has none of them, as a page
    prints none.
    """
    if not moves(text, rtl):
        return "".join(char for char in text if char not in INVISIBLE)
    return "\n".join(_round_trip(list(line), rtl, ltr_numbers)
                     for line in text.split("\n"))


def _round_trip(chars: list[str], rtl: bool, ltr_numbers: bool) -> str:
    """One line laid out (rule L2 applies line by line), then read back."""
    shown = [char for char in reorder(chars, levels(chars, rtl)) if char not in INVISIBLE]
    return "".join(logical_order(shown, rtl, ltr_numbers=ltr_numbers))


def logical_order(units: Sequence[str], rtl: bool, *, ltr_numbers: bool = False) -> list[str]:
    """Units of a line in visual order (left to right) put back in reading order.

    A unit is the text of one glyph (one or more characters, for a ligature); it
    takes the type of its first character. With ``ltr_numbers``, digits count as
    Latin letters, so that each run of them and Latin words keeps the order it shows.
    """
    return reorder(units, levels(units, rtl, ltr_numbers=ltr_numbers))


def levels(units: Sequence[str], rtl: bool, *, ltr_numbers: bool = False) -> list[int]:
    """The embedding level of each unit in a paragraph of direction ``rtl``
    (the whole algorithm up to rule I2; ``ltr_numbers``: see ``logical_order``)."""
    firsts = [unit[:1] or _NEUTRAL for unit in units]
    if ltr_numbers:
        firsts = ["a" if unicodedata.bidirectional(char) in ("EN", "AN") else char
                  for char in firsts]
    return _levels("".join(firsts), rtl)


def reorder(items: Sequence[T], item_levels: Sequence[int]) -> list[T]:
    """Rule L2: from the highest level down to the lowest odd one, reverse each run."""
    if not item_levels:
        return []
    order = list(range(len(items)))
    lowest_odd = min(item_levels) | 1
    for level in range(max(item_levels), lowest_odd - 1, -1):
        start = 0
        while start < len(order):
            if item_levels[order[start]] < level:
                start += 1
                continue
            end = start
            while end < len(order) and item_levels[order[end]] >= level:
                end += 1
            order[start:end] = reversed(order[start:end])
            start = end
    return [items[index] for index in order]


def _levels(text: str, rtl: bool) -> list[int]:
    """The level of each character of ``text``, from unicode-bidi (one per UTF-8 byte)."""
    if not text:
        return []
    from bidi.bidi import get_display_inner  # type: ignore[import-untyped]

    dump = get_display_inner(text, "R" if rtl else "L", True)
    block = _LEVELS.search(dump)
    per_byte = [int(level) for level in _LEVEL.findall(block.group(1))] if block else []
    if len(per_byte) != len(text.encode("utf-8")):
        raise RuntimeError("python-bidi's debug output has no level for each byte of the "
                           "text: pin the version scripts/constraints.txt names")
    result, at = [], 0
    for char in text:
        result.append(per_byte[at])
        at += len(char.encode("utf-8"))
    return result
