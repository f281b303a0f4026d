"""The A-Z: a language's leaflets under the first letter of their titles.

A reader looking for "heel pain" scans for H. The letter is the title's first letter or
digit, in the title's own script, with its accents folded (``Éczema`` is under E, and
``إبر`` under the bare alif, as a reader who types without accents expects), and the
digits share one group (``DIGITS``) before the letters; punctuation before it does not
count (``¿Qué…?`` is under Q). In Arabic the definite article ``ال`` is not filed on, as
library catalogues and indexes file Arabic (``الربو``, asthma, is under ر). Within a letter
the titles are in the same folded order; the letters come in the order of their code
points, which is the alphabet's for Latin, Greek, Cyrillic and Arabic.

A language with no alphabet (Chinese, Japanese) gets a group per first character: a
list a reader can still scan, though not the order of its own dictionaries.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

#: What is filed: the site's entries (``LanguageGroup.letters``), or anything with a title.
T = TypeVar("T")

#: The group of titles that start with a digit: zero to nine, with an en dash.
DIGITS = "0\u20139"
#: Articles not filed on, by language (the primary subtag): a title that starts with
#: one is filed on the word it is joined to.
ARTICLES = {"ar": ("ال",)}


@dataclass(frozen=True)
class Letter(Generic[T]):
    """One letter of the A-Z and the leaflets under it, in order."""

    name: str
    entries: tuple[T, ...]

    @property
    def anchor(self) -> str:
        """Its heading's ``id`` on the A-Z page; the hub's letters link to it."""
        return "letter-0-9" if self.name == DIGITS else f"letter-{self.name}"


def folded(text: str) -> str:
    """``text`` without accents, in any case: ``Éczema`` is ``eczema``; an alif with a
    hamza (``أ``, ``إ``, ``آ``) is the bare alif."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def filed_on(title: str, lang: str) -> str:
    """The part of ``title`` the A-Z files it on, folded: from its first letter or digit,
    past an article of its language. The article is looked for before the accents are
    folded: ``ألم`` (pain) starts with alif-hamza, not with the article ``ال``."""
    text = unicodedata.normalize("NFC", title)
    text = text[next((index for index, char in enumerate(text) if char.isalnum()), len(text)):]
    for article in ARTICLES.get(lang.split("-")[0].lower(), ()):
        rest = text.removeprefix(article)
        if rest != text and len(rest) > 1 and rest[0].isalpha():
            return folded(rest)
    return folded(text)


def initial(title: str, lang: str) -> str:
    """The letter ``title`` is under: ``H``, ``ر`` or ``DIGITS``."""
    first = filed_on(title, lang)[:1]
    if first.isdigit():
        return DIGITS
    return first.upper() if first else DIGITS


def by_letter(entries: Iterable[T], title: Callable[[T], str], lang: str
              ) -> tuple[Letter[T], ...]:
    """``entries`` under the letters of their titles (``title``), the digits' group first;
    entries filed the same keep their order."""
    groups: dict[str, list[T]] = {}
    ordered = sorted(entries, key=lambda entry: (filed_on(title(entry), lang),
                                                 title(entry).casefold()))
    for entry in ordered:
        groups.setdefault(initial(title(entry), lang), []).append(entry)
    names = sorted(groups, key=lambda name: (name != DIGITS, folded(name), name))
    return tuple(Letter(name, tuple(groups[name])) for name in names)
