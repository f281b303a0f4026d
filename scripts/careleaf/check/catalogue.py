"""The catalogue as a whole: mistakes no single leaflet shows.

Two leaflets of one language with the same title cannot be told apart in the site's
lists, its search results or a reader's downloads: a warning at the title of one,
naming the other. Titles are compared as a reader sees them: in any case, with any
spacing or punctuation between the words, Unicode's compatibility forms folded
(``Heel pain``, ``heel  pain``, ``Heel pain.`` and ``Heel Pain`` are one title). A
translation shares its original's title only across languages: never a problem.

A keyword only one leaflet of its language uses makes a topic page with one leaflet,
and is often a typo (``heel pian``): ``careleaf build`` lists them with its summary,
first those much like a keyword other leaflets use, which is named (``like "heel pain"``).
Keywords are compared as the site groups them into topics (``project.topic_slug``);
a language with one leaflet has nothing to compare with, and is left out.

Both work from ``LeafletFacts`` (language, title, keywords and their lines), which
``careleaf build`` keeps in its manifest for every leaflet and ``careleaf check`` reads
from the leaflets it loads, so the two say the same.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from careleaf.errors import Report, display_path
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.records import LeafletFacts, loaded_facts
from careleaf.project import topic_slug

if TYPE_CHECKING:  # only a type: ``careleaf build`` checks the catalogue loading no leaflet
    from careleaf.source.model import Leaflet

#: Keywords shown per language with a build's summary; the rest are counted.
SHOWN = 5
#: How alike (``difflib``'s ratio) a keyword must be to another to be shown as its typo.
ALIKE = 0.8
Catalogue = Mapping[Path, LeafletFacts]


def catalogue_of(manifest: Manifest, loaded: list[Leaflet],
                 sources: Collection[Path] | None = None) -> dict[Path, LeafletFacts]:
    """For ``careleaf check``: the facts of the leaflets it ``loaded``, and, when it was
    given some ``sources``, of the project's others as the last build recorded them."""
    mine = loaded_facts(loaded)
    if sources is None:
        return mine
    named = {path.resolve() for path in sources}
    recorded = manifest.current_facts(manifest.project.sources())[0]
    return {**{path: facts for path, facts in recorded.items() if path.resolve() not in named},
            **mine}


def title_key(title: str) -> str:
    """``title`` as a reader tells titles apart: its words (letters, digits and their
    marks, in any script), case-folded, after Unicode's compatibility folding."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    kept = "".join(c if c.isalnum() or unicodedata.category(c).startswith("M") else " "
                   for c in folded)
    return " ".join(kept.split())


def check_titles(catalogue: Catalogue, report: Report,
                 judged: Collection[Path] | None = None) -> None:
    """A warning for each title two or more leaflets of one language share, at the last
    of them (by path) that is ``judged`` (default: all), naming the others."""
    shared: dict[tuple[str, str], list[Path]] = {}
    for path, facts in sorted(catalogue.items()):
        shared.setdefault((facts.lang, title_key(facts.title)), []).append(path)
    chosen = None if judged is None else {path.resolve() for path in judged}
    for paths in (paths for paths in shared.values() if len(paths) > 1):
        at = [path for path in paths if chosen is None or path.resolve() in chosen]
        if at:
            _warn(catalogue, at[-1], [path for path in paths if path != at[-1]], report)


def _warn(catalogue: Catalogue, path: Path, others: list[Path], report: Report) -> None:
    facts = catalogue[path]
    named = " and ".join(_other(catalogue[other], other, facts.title) for other in others)
    report.warning(path, facts.title_line,
                   f"title {_quoted(facts.title)} is also the title of {named}: "
                   f"{len(others) + 1} leaflets in '{facts.lang}' that readers cannot tell "
                   "apart in lists and search results; give each its own title, or if one "
                   "replaces another, remove the old one")


def _other(facts: LeafletFacts, path: Path, title: str) -> str:
    """``source/en/x.md:2``, with its spelling of the title when it is not the same."""
    where = f"{display_path(path)}:{facts.title_line}" if facts.title_line else \
        display_path(path)
    return where if facts.title == title else f"{where}, as {_quoted(facts.title)}"


class SingleUse(NamedTuple):
    """A keyword only one leaflet of its language has, where that leaflet says it (a
    named tuple: a build imports this, and a dataclass costs ten times more to make)."""

    lang: str
    keyword: str
    path: Path
    line: int | None
    #: A keyword other leaflets use that this one is much like: what it may be a typo of.
    like: str | None = None

    def __str__(self) -> str:
        where = display_path(self.path) + (f":{self.line}" if self.line else "")
        return f"{_quoted(self.keyword)} ({where}" + (
            f", like {_quoted(self.like)})" if self.like else ")")


def single_use_keywords(catalogue: Catalogue, judged: Collection[Path] | None = None
                        ) -> list[SingleUse]:
    """The keywords only one leaflet of their language uses, by language and keyword;
    only those of ``judged`` leaflets, when given."""
    chosen = None if judged is None else {path.resolve() for path in judged}
    found = []
    for lang, users in _users(catalogue).items():
        shared = {slug: next(iter(by_path.values()))[0] for slug, by_path in users.items()
                  if len(by_path) > 1}
        for slug, by_path in users.items():
            if len(by_path) > 1:
                continue
            [(path, (keyword, line))] = by_path.items()
            if chosen is None or path.resolve() in chosen:
                like = difflib.get_close_matches(slug, shared, 1, ALIKE)
                found.append(SingleUse(lang, keyword, path, line,
                                       shared[like[0]] if like else None))
    return sorted(found, key=lambda use: (use.lang, use.like is None, _alphabetical(use.keyword),
                                          use.keyword))


def _users(catalogue: Catalogue) -> dict[str, dict[str, dict[Path, tuple[str, int | None]]]]:
    """By language (of two leaflets or more) and keyword (as a topic), the leaflets that
    use it: the spelling and line of each."""
    users: dict[str, dict[str, dict[Path, tuple[str, int | None]]]] = {}
    for path, facts in sorted(catalogue.items()):
        for keyword, line in facts.keywords:
            users.setdefault(facts.lang, {}).setdefault(topic_slug(keyword), {}).setdefault(
                path, (keyword, line))
    counts = Counter(facts.lang for facts in catalogue.values())
    return {lang: found for lang, found in users.items() if counts[lang] > 1}


def keyword_summary(catalogue: Catalogue, judged: Collection[Path] | None = None,
                    shown: int = SHOWN) -> list[str]:
    """The lines a build prints about single-use keywords: none when there are none;
    else one line, or a heading and a line per language; at most ``shown`` keywords a
    language, and how many more."""
    by_lang: dict[str, list[SingleUse]] = {}
    for use in single_use_keywords(catalogue, judged):
        by_lang.setdefault(use.lang, []).append(use)
    lines = [f"{lang}: " + ", ".join(map(str, uses[:shown]))
             + (f" and {len(uses) - shown} more" if len(uses) > shown else "")
             for lang, uses in by_lang.items()]
    heading = "keywords used by only one leaflet (a typo?):"
    if len(lines) <= 1:
        return [f"{heading} {line}" for line in lines]
    return [heading, *(f"  {line}" for line in lines)]


def _alphabetical(text: str) -> str:
    """``text`` as a reader alphabetises it: without accents, in any case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _quoted(text: str) -> str:
    return f'"{text}"'
