"""Reading order of right-to-left text, for text read back from a PDF.

A PDF draws each line left to right, glyph by glyph, so the text read from it is
in visual order: an Arabic line comes out backwards, with the Latin words and the
numbers inside it forwards. The Unicode Bidirectional Algorithm (UAX #9), which
the typesetter (Pango) applied to lay the line out, also turns it back: its rules
give each character of the visual line a level, and reversing the runs of odd
and higher levels (rule L2) restores the order the text was written in.

Only the part of the algorithm that leaflet text needs is here: the weak and
neutral types (W1 to W7, N1 and N2), the implicit levels (I1, I2) and the reordering
(L2); no explicit embeddings or isolates and no bracket pairs (N0). The
paragraph direction is given (the document's language tells it), not guessed.

Some lines read back ambiguously. Inside Arabic, ``500 mg`` and ``mg 500`` look
exactly alike (two left-to-right runs, placed right to left, read as one), so
the visual line cannot tell which one was written. ``reading_order`` resolves
this the only sound way: it takes any text through the same round trip (lay out,
then read back), so the source and the read-back PDF agree on one order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_STRONG = {"L", "R", "AL"}
_NUMBERS = {"EN", "AN"}
#: Neutrals and isolates: they take the direction of the text around them (N1, N2).
_NEUTRAL = {"B", "S", "WS", "ON", "BN", "LRI", "RLI", "FSI", "PDI",
            "LRE", "RLE", "LRO", "RLO", "PDF"}
#: Classes that can move text in a left-to-right paragraph.
_MOVING = {"R", "AL", "AN"}


def moves(text: str, rtl: bool) -> bool:
    """True if the algorithm could reorder anything in ``text`` (else it is in order)."""
    moving = _MOVING | {"EN"} if rtl else _MOVING
    return any(unicodedata.bidirectional(char) in moving for char in text)


def reading_order(text: str, rtl: bool) -> str:
    """``text`` as it reads back from a page that shows it in a ``rtl`` (or ltr) paragraph.

    For text with nothing to reorder, this is ``text`` itself; otherwise it is laid
    out and read back, which leaves right-to-left words where they were and puts
    each run of left-to-right words and numbers in the order the eye reads it.
    """
    if not moves(text, rtl):
        return text
    chars = list(text)
    shown = reorder(chars, levels(chars, rtl))
    return "".join(reorder(shown, levels(shown, rtl)))


def logical_order(units: Sequence[str], rtl: bool) -> list[str]:
    """Units of a line in visual order (left to right) put back in reading order.

    A unit is the text of one glyph (one or more characters, for a ligature); it
    takes the type of its first character.
    """
    return reorder(units, levels(units, rtl))


def levels(units: Sequence[str], rtl: bool) -> list[int]:
    """The embedding level of each unit in a paragraph of direction ``rtl`` (rules W1 to I2)."""
    types = _weak_types([unicodedata.bidirectional(unit[:1]) or "ON" for unit in units], rtl)
    _resolve_neutrals(types, rtl)
    base = 1 if rtl else 0
    if rtl:  # I2
        return [base + (kind != "R") for kind in types]
    return [base + {"R": 1, "EN": 2, "AN": 2}.get(kind, 0) for kind in types]  # I1


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


def _weak_types(types: list[str], rtl: bool) -> list[str]:
    """Rules W1 to W7: marks, numbers and separators take their type from the context."""
    sos = "R" if rtl else "L"
    for i, kind in enumerate(types):  # W1: a mark takes the type before it
        if kind == "NSM":
            types[i] = types[i - 1] if i else sos
    last_strong = sos
    for i, kind in enumerate(types):  # W2, W3
        if kind in _STRONG:
            last_strong = kind
        if kind == "EN" and last_strong == "AL":
            types[i] = "AN"
    types[:] = ["R" if kind == "AL" else kind for kind in types]
    _separators(types)
    last_strong = sos
    for i, kind in enumerate(types):  # W7: a number after Latin text reads as Latin
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            types[i] = "L"
    return types


def _separators(types: list[str]) -> None:
    """Rules W4 to W6: separators inside numbers join them; the rest become neutral."""
    for i in range(1, len(types) - 1):  # W4
        before, kind, after = types[i - 1], types[i], types[i + 1]
        if before == after == "EN" and kind in ("ES", "CS"):
            types[i] = "EN"
        elif before == after == "AN" and kind == "CS":
            types[i] = "AN"
    for i, kind in enumerate(types):  # W5: currency and percent signs join a number
        if kind == "ET" and _next_to_number(types, i):
            types[i] = "EN"
    types[:] = ["ON" if kind in ("ES", "ET", "CS") else kind for kind in types]  # W6


def _next_to_number(types: list[str], index: int) -> bool:
    """True if the run of ET around ``index`` touches a European number (W5)."""
    for step in (-1, 1):
        i = index
        while 0 <= i < len(types) and types[i] == "ET":
            i += step
        if 0 <= i < len(types) and types[i] == "EN":
            return True
    return False


def _resolve_neutrals(types: list[str], rtl: bool) -> None:
    """Rules N1 and N2: neutrals between two runs of one direction take it; others the base's."""
    edge = "R" if rtl else "L"
    i = 0
    while i < len(types):
        if types[i] not in _NEUTRAL:
            i += 1
            continue
        end = i
        while end < len(types) and types[end] in _NEUTRAL:
            end += 1
        before = _direction(types[i - 1]) if i else edge
        after = _direction(types[end]) if end < len(types) else edge
        types[i:end] = [before if before == after else edge] * (end - i)
        i = end


def _direction(kind: str) -> str:
    """For N1, numbers count as right-to-left."""
    return "R" if kind in ("R", *_NUMBERS) else "L"
